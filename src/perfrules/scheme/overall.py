"""The rules on a unit's overall result, as data: grade caps, flags, grade quotas, roll-ups of sub-units.

:class:`GradeCap` and :class:`Quota` condition the overall grade (R22),
:class:`Flag` labels it, :class:`RollUp` scores parent units from their
sub-units. ``scheme.model`` puts them in schemes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs

from .._numbers import Number, as_fraction, exact, to_number
from ..formula.language import Formula
from .fields import (
    _condition,
    _label,
    _name,
    _optional_name,
    _optional_number,
)

__all__ = ["Flag", "GradeCap", "Quota", "RollUp"]


def _demote(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"'demote' must be a whole number of grades, 0 or more (got {value!r})")
    return value


@attrs.frozen(kw_only=True)
class GradeCap:
    """Limits on the grade or the total (等次最高为合格, 降一等次, 总分不超过C级最高限).

    The condition reads what overall grading reads (see ``Scheme``): 总分,
    each group's 得分 and 得分率, each indicator's 得分/得分率/等次 as
    ``指标<code>得分`` …, and the unit's data. Give one or more effects;
    caps apply in the order given, ``max_total`` before any grade.

    Attributes:
        when: the condition (``min(业务工作得分率, 党建工作得分率)<60%``).
        grade: the best grade the unit may then get.
        demote: 降一等次 — move the grade this many grades down (the lowest
            grade stays the lowest).
        max_total: the total may then be at most this (总分不超过C级最高限 →
            the top of C); the lower total is reported, graded and ranked.
        reason: the published wording.

    >>> GradeCap(when="重大事故>0", demote=1).demote
    1
    """

    when: Formula = attrs.field(converter=_condition)
    grade: str | None = attrs.field(default=None, converter=_optional_name)
    reason: str = ""
    demote: int = attrs.field(default=0, converter=_demote)
    max_total: Number | None = attrs.field(default=None, converter=_optional_number)

    def __attrs_post_init__(self) -> None:
        if self.grade is None and not self.demote and self.max_total is None:
            raise ValueError(
                "a cap needs an effect: 'grade' (a ceiling), 'demote' (grades down) or 'max_total'"
            )


@attrs.frozen(kw_only=True)
class Flag:
    """A label beside the grade when a condition holds (不能评先, 黄牌警告); the grade stays as it is.

    The condition reads what caps read (总分, groups' and indicators' scores,
    the unit's data), with the final total. Every output shows the unit's
    labels beside its grade: JSON, CSV, the table and explanations.

    Attributes:
        label: the label shown (``不能评先``).
        when: the condition (``安全事故>0``).
        reason: the published wording, shown in explanations.

    >>> Flag(label="黄牌", when="整改未完成数>0").label
    '黄牌'
    """

    label: str = attrs.field(converter=_label)
    when: Formula = attrs.field(converter=_condition)
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.label:
            raise ValueError("a flag needs a label (the text shown beside the grade)")


def _share(value: object) -> Number | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("%", "％")):
            return exact(as_fraction(to_number(Decimal(text.rstrip("%％")), name="share")) / 100)
        return to_number(Decimal(text), name="share")
    return to_number(value, name="share")


def _optional_count(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"'count' must be a whole number (got {value!r})")
    return value


@attrs.frozen(kw_only=True)
class Quota:
    """A limit on how many units may get a grade (优秀等次不超过30%).

    Applied after every unit is scored: the units holding ``grade`` keep it in
    order of total (best first) up to the limit; the rest take ``overflow``.

    Attributes:
        grade: the limited grade.
        share: the limit as a share of the units scored together (0.3 for
            30%); or
        count: the limit as a number of units.
        rounding: how a share becomes a number of units: ``floor`` (向下取整,
            the default), ``ceil`` or ``round`` (四舍五入).
        ties: units tied on total at the limit's edge: ``exclude`` (the
            default) gives them all the overflow grade, so the limit is never
            exceeded; ``include`` lets them all keep the grade (the trail says
            the quota was exceeded).
        overflow: the grade the others take; by default the next grade down.
        within: ``all`` units scored together, or each ``category`` apart.
        reason: the published wording.
    """

    grade: str = attrs.field(converter=_name)
    share: Number | None = attrs.field(default=None, converter=_share)
    count: int | None = attrs.field(default=None, converter=_optional_count)
    rounding: Literal["floor", "ceil", "round"] = "floor"
    ties: Literal["exclude", "include"] = "exclude"
    overflow: str | None = attrs.field(default=None, converter=_optional_name)
    within: Literal["all", "category"] = "all"
    reason: str = ""


@attrs.frozen(kw_only=True)
class RollUp:
    """Units above units: a parent's total is the mean of its sub-units' totals (a city from its counties).

    A unit whose data names a parent in the ``parent`` column is a sub-unit;
    a unit named so is a parent, with no indicator data of its own (its row
    gives its name, category and, for a parent of parents, its own parent and
    weight). After every sub-unit is scored, each parent's total is the
    weighted mean of its sub-units' totals, by the ``weight`` column, or
    their plain mean without one; it is graded by the scheme's overall
    grading, and ranked (and given quotas) among the units of its level.
    A parent whose sub-unit was not scored is not scored either.

    Attributes:
        parent: the data column naming a unit's parent (上级单位).
        weight: the data column of a sub-unit's weight in its parent's mean
            (人口, 常住人口); ``None`` for the plain mean.

    >>> RollUp(parent="上级单位", weight="人口").weight
    '人口'
    """

    parent: str = attrs.field(converter=_name)
    weight: str | None = attrs.field(default=None, converter=_optional_name)
