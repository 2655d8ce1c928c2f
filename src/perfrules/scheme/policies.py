"""The policies for an indicator's exceptions, as data: defaults, not applicable, zeroing, adjusting, vetoes.

Policies are :class:`Default` (R4), :class:`NotApplicable` (R5, R17),
:class:`ZeroWhen` (R9), :class:`Adjust` (bonuses and deductions in the
indicator's own units, R19) and :class:`Veto` (一票否决). ``scheme.model``
puts them in indicators and schemes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, Literal, TypeAlias

import attrs

from .._errors import Problem, SchemeError
from .._frozen import FrozenDict
from .._numbers import Number, to_number
from ..formula.language import Formula, normalize_name
from .fields import (
    _condition,
    _name,
    _optional_condition,
    _optional_name,
    _optional_number,
)

__all__ = ["Adjust", "Default", "NotApplicable", "Policy", "Veto", "ZeroWhen"]


def _default_score(value: object) -> Any:
    return value if isinstance(value, str) else to_number(value, name="score")


def _name_tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise TypeError(f"expected a list of input names (got {type(value).__name__})")
    return tuple(normalize_name(str(v)) for v in value)


@attrs.frozen(kw_only=True)
class Default:
    """No data → a default grade (R4): 默认为"良"区中值, 当期没有行政处罚案件的，默认为"优".

    Fires when ``when`` holds on the unit's data, or — without ``when`` — when
    the indicator cannot be computed because an input is missing or a
    denominator is zero.

    Attributes:
        grade: the grade given; may be omitted when ``score`` is a number
            (points schemes: 默认得满分), and the grade then follows the score.
        score: ``midpoint`` (区中值, the default), ``top``, ``bottom``, or a
            number in the indicator's own units (分 in points schemes).
        when: the condition; ``None`` means "no data".
        reason: the published wording, shown in explanations.
        note: why the score is what it is when the published text does not
            say (shown in explanations): e.g. the text says 默认为"优" but not
            which score within 优.
        missing: without ``when``, the inputs whose absence is the case the
            rule names (没有政府投资项目(A类)的 → 投资计划下达额): the default
            fires when one of these is missing or a denominator is zero, and
            any other missing input is an error, not a default. Empty: any
            missing input.
    """

    grade: str | None = attrs.field(default=None, converter=_optional_name)
    score: Literal["midpoint", "top", "bottom"] | Number = attrs.field(
        default="midpoint", converter=_default_score
    )
    when: Formula | None = attrs.field(default=None, converter=_optional_condition)
    reason: str = ""
    note: str = ""
    missing: tuple[str, ...] = attrs.field(default=(), converter=_name_tuple)


def _missing_inputs(value: object) -> bool | tuple[str, ...]:
    """``missing`` of ``NotApplicable``: true/false, or the inputs whose absence is the case."""
    if isinstance(value, bool):
        return value
    names = _name_tuple(value)
    if not names:
        raise ValueError("'missing' lists no input; give true (any input) or the inputs' names")
    return names


@attrs.frozen(kw_only=True)
class NotApplicable:
    """The indicator does not apply to a unit; its weight moves (R5, R17).

    It does not apply when ``when`` holds on the unit's data, when one of the
    ``missing`` inputs has no value (数据缺失的指标不参与计算，其权重按比例分配),
    when the unit lists the indicator in ``Unit.not_applicable``, or when the
    unit is not in the indicator's ``applies_to``.

    Attributes:
        when: the condition (``无行政审批事项`` → ``行政审批事项数=0``), or ``None``.
        to: the code or name of the indicator that receives the weight
            (权重调整至公共服务白皮书); ``None`` spreads it over the applicable
            siblings in proportion to their weights.
        reason: the published wording.
        missing: missing data as published: ``True`` — the indicator does not
            apply when any input it reads has no value; a list of inputs —
            when one of those has no value. An input is missing when the data
            has no value for it (a blank cell), in the year's row and in every
            period's row. ``False`` (the default): a missing input is not a
            reason (a ``Default`` or an error decides).

    >>> NotApplicable(missing=True, reason="数据缺失").missing
    True
    >>> NotApplicable(missing="R&D经费").missing
    ('R&D经费',)
    """

    when: Formula | None = attrs.field(default=None, converter=_optional_condition)
    to: str | None = attrs.field(default=None, converter=_optional_name)
    reason: str = ""
    missing: bool | tuple[str, ...] = attrs.field(default=False, converter=_missing_inputs)


@attrs.frozen(kw_only=True)
class ZeroWhen:
    """A value scores 0 when a condition holds (R9).

    Attributes:
        when: the condition (``完整性异常条数>5``).
        target: the step whose value becomes 0 (a part's score), or ``None``
            for the indicator's score.
        reason: the published wording.
        per_period: the rule is stated for one period (当月, 该月): it applies
            to a period's row only. Data given for the whole year in one row
            is not zeroed by it; the trail notes that the rule could not be
            applied.
    """

    when: Formula = attrs.field(converter=_condition)
    target: str | None = attrs.field(default=None, converter=_optional_name)
    reason: str = ""
    per_period: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))


def _items(value: object) -> Mapping[str, Number]:
    if value is None:
        return FrozenDict()
    if not isinstance(value, Mapping):
        raise TypeError(f"'items' must map counted inputs to points per item (got {type(value).__name__})")
    return FrozenDict({_name(k): to_number(v, name=f"items[{k}]") for k, v in value.items()})


def _cap(value: object) -> Number | Formula | None:
    """A cap: a number (最多扣3分), or a formula giving one (奖励分上限 by the tier a target falls in)."""
    if value is None or isinstance(value, Formula):
        return value
    if isinstance(value, str):
        try:
            return to_number(Decimal(value.strip()), name="cap")
        except ArithmeticError:
            return Formula.parse(value)
    return to_number(value, name="cap")


def _matters(value: object) -> Mapping[str, tuple[str, ...]]:
    if value is None:
        return FrozenDict()
    if not isinstance(value, Mapping):
        raise TypeError(f"'matters' must map each matter to its items (got {type(value).__name__})")
    return FrozenDict({_name(k): _name_tuple(v) for k, v in value.items()})


@attrs.frozen(kw_only=True)
class Adjust:
    """Points added or taken per counted item (加分 / 扣分), with a cap.

    ``score += Σ count × points`` over the items; the adjustment as a whole is
    limited to ``cap`` in size (最多扣3分, 加分合计最高5分). Points are in the
    indicator's own units — 分 in a points scheme, as the rule prints them.
    After every adjustment the score stays within 0 (扣完为止) and the
    indicator's ``max_score`` (its full points unless the rule allows more).
    A scheme-wide ``Adjust`` changes the unit's total instead.

    Attributes:
        per: the input or measure that counts the items (one kind of item).
        points: points per item; negative for deductions.
        items: several kinds of item adding up under one cap:
            ``{"国家级表彰": 2, "省级表彰": 1}``. Give ``per``/``points`` or ``items``.
        cap: the largest adjustment in size, or ``None``; at least 0. A
            formula (``if(目标档次=1, 3, 2)``, ``分值×20%``) is worked out on
            the unit's values, the indicator's steps and ``分值``.
        reason: the published wording.
        matters: 同一事项按最高级别计一次 — items that are levels of one
            matter: ``{"文明城市": ["全国文明城市", "省级文明城市"]}``. Of a
            matter's items the unit has (count above 0), only the one with the
            most points in size counts, and once, whatever the counts. Items in
            no matter count as usual. Needs ``items``; the items of a matter
            all add or all deduct.

    >>> Adjust(per="一般事故", points=-5).terms
    (('一般事故', Decimal('-5')),)
    >>> Adjust(items={"国家级": 3, "省级": 2}, matters={"文明城市": ["国家级", "省级"]}).matter_of
    {'国家级': '文明城市', '省级': '文明城市'}
    """

    per: str | None = attrs.field(default=None, converter=_optional_name)
    points: Number | None = attrs.field(default=None, converter=_optional_number)
    items: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=_items)
    cap: Number | Formula | None = attrs.field(default=None, converter=_cap)
    reason: str = ""
    matters: Mapping[str, tuple[str, ...]] = attrs.field(factory=FrozenDict, converter=_matters)

    def __attrs_post_init__(self) -> None:
        if self.matters:
            self._check_matters()
        single = self.per is not None or self.points is not None
        if single and (self.per is None or self.points is None):
            raise ValueError("an adjustment needs both 'per' (what is counted) and 'points' (per item)")
        if single == bool(self.items):
            raise ValueError(
                "give an adjustment either 'per' and 'points', or 'items' (not both, not neither)"
            )
        if isinstance(self.cap, Formula) and self.cap.is_condition:
            raise ValueError(
                f"'cap' must be a number or a formula giving one (got the condition '{self.cap.text}')"
            )
        if self.cap is not None and not isinstance(self.cap, Formula) and self.cap < 0:
            raise ValueError(
                f"'cap' is a size and must be >= 0 (got cap={self.cap}); the sign comes from 'points'"
            )

    def _check_matters(self) -> None:
        problems: list[Problem] = []
        if not self.items:
            problems.append(Problem("matters", "matters group 'items'; give the levels as items first"))
        seen: dict[str, str] = {}
        for matter, names in self.matters.items():
            if len(names) < 2:
                problems.append(
                    Problem(f"matters.{matter}", "a matter needs at least two items (its levels)")
                )
            for name in names:
                if self.items and name not in self.items:
                    close = difflib.get_close_matches(name, list(self.items), n=1, cutoff=0.4)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    problems.append(Problem(f"matters.{matter}", f"'{name}' is not one of the items{hint}"))
                elif name in seen:
                    problems.append(
                        Problem(f"matters.{matter}", f"'{name}' is already in the matter '{seen[name]}'")
                    )
                seen[name] = matter
            signs = {self.items[n] > 0 for n in names if self.items.get(n)}
            if len(signs) > 1:
                problems.append(
                    Problem(f"matters.{matter}", "a matter's items must all add or all deduct points")
                )
        if problems:
            raise SchemeError(problems, title="invalid adjustment")

    @property
    def matter_of(self) -> dict[str, str]:
        """Each item that is a level of a matter, with its matter."""
        return {name: matter for matter, names in self.matters.items() for name in names}

    @property
    def terms(self) -> tuple[tuple[str, Number], ...]:
        """Each counted input with its points per item."""
        if self.per is not None and self.points is not None:
            return ((self.per, self.points),)
        return tuple(self.items.items())

    @property
    def reads(self) -> frozenset[str]:
        """The inputs it counts (and those its cap formula reads)."""
        counted = frozenset(name for name, _ in self.terms)
        return counted | self.cap.variables if isinstance(self.cap, Formula) else counted


@attrs.frozen(kw_only=True)
class Veto:
    """一票否决: one event sinks the unit.

    Attributes:
        when: the condition on the unit's data.
        effect: ``zero`` sets the unit's total to 0 (弄虚作假的，总分计0分);
            ``lowest_grade`` keeps the total but forces the lowest grade. Either
            way the grade is the lowest and the unit ranks after every unit
            that was not vetoed (排名列于未被否决的单位之后).
        reason: the published wording.
    """

    when: Formula = attrs.field(converter=_condition)
    effect: Literal["zero", "lowest_grade"] = "zero"
    reason: str = ""


Policy: TypeAlias = Default | NotApplicable | ZeroWhen | Adjust | Veto
"""A rule about exceptions: defaults, redistribution, zeroing, bonuses and deductions, vetoes."""

_POLICY_TYPES: Final = (Default, NotApplicable, ZeroWhen, Adjust, Veto)


def _to_policies(value: object) -> tuple[Policy, ...]:
    if isinstance(value, _POLICY_TYPES):
        value = (value,)
    if not isinstance(value, Iterable):
        raise TypeError(f"'policies' must be a sequence (got {type(value).__name__})")
    items = tuple(value)
    for item in items:
        if not isinstance(item, _POLICY_TYPES):
            raise TypeError(
                f"a policy must be Default, NotApplicable, ZeroWhen, Adjust or Veto "
                f"(got {item!r} of type {type(item).__name__})"
            )
    return items
