"""The steps that compute an indicator's values, as data: measure formulas, graded parts, peer ratios, ranks.

Steps are measure formulas (R3), :class:`Part` (a value graded by its own
scale, R7/R8/R9), :class:`PeerRatio` (R13) and :class:`Rank` (R14, R21: the
rank, or points by rank). ``scheme.model`` puts them in indicators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, TypeAlias

import attrs

from .._frozen import FrozenDict
from .._numbers import Number, to_number
from ..formula.language import Formula, normalize_name
from ..grading.scale import GradeScale
from .fields import (
    _assignment,
    _name,
    _optional_condition,
    _optional_name,
)

__all__ = ["Part", "PeerRatio", "Rank", "Step", "step_closure", "step_reads", "step_target"]


@attrs.frozen(kw_only=True)
class Part:
    """A value graded by a scale of its own; the step's value is the score.

    Shenzhen 6 averages three rates, each with its own bands; Shenzhen 4's
    年度改革任务完成情况 (优—6分 …) is a categorical part.

    Attributes:
        target: the name the score is stored under (网上申请得分).
        scale: the part's grading rule.
        of: the input or measure to grade; by default the scale's own variable
            (categorical scales need it: the input holding the category).
    """

    target: str = attrs.field(converter=_name)
    scale: GradeScale
    of: str | None = attrs.field(default=None, converter=_optional_name)

    @property
    def reads(self) -> frozenset[str]:
        """The names this step needs."""
        if self.of is not None:
            return frozenset({self.of})
        return self.scale.variables


@attrs.frozen(kw_only=True)
class PeerRatio:
    """A unit's ratio against the same ratio over its peers (R13).

    ``target = (numerator/denominator of the unit) / (the same over all units)``.
    With ``pooled`` (the default) the peers' figure is ``Σnumerator/Σdenominator``
    — 同期本级所有部门人均公用经费支出数, the spending of all departments over
    all their staff; otherwise it is the mean of the units' own ratios.

    Attributes:
        target: the name the ratio is stored under.
        numerator, denominator: inputs or measures.
        pooled: pool the peers' totals (True) or average their ratios.
        within: ``all`` units evaluated together, or only those of the unit's
            ``category``.
    """

    target: str = attrs.field(converter=_name)
    numerator: str = attrs.field(converter=_name)
    denominator: str = attrs.field(converter=_name)
    pooled: bool = True
    within: Literal["all", "category"] = "all"

    @property
    def reads(self) -> frozenset[str]:
        """The names this step needs."""
        return frozenset({self.numerator, self.denominator})


def _rank_table(value: object, what: str) -> Mapping[int, Number]:
    if value is None:
        return FrozenDict()
    if not isinstance(value, Mapping):
        raise TypeError(f"'{what}' must map ranks to points (got {type(value).__name__})")
    out: dict[int, Number] = {}
    for key, points in value.items():
        try:
            place = int(str(key).strip())
        except ValueError:
            raise ValueError(f"'{what}' keys are ranks 1, 2, 3 … (got {key!r})") from None
        if place < 1:
            raise ValueError(f"'{what}' keys are ranks from 1 (got {key!r})")
        out[place] = to_number(points, name=f"{what}[{key}]")
    return FrozenDict(out)


def _top_table(value: object) -> Mapping[int, Number]:
    return _rank_table(value, "points")


def _bottom_table(value: object) -> Mapping[int, Number]:
    return _rank_table(value, "bottom_points")


@attrs.frozen(kw_only=True)
class Rank:
    """A unit's rank among its peers by a value (R14, 名次评分): 1 is the best.

    Ties share the best rank they span (1, 2, 2, 4) unless ``ties`` says
    otherwise: ``average`` gives tied units the mean of the places they span
    (1, 2.5, 2.5, 4) and ``dense`` counts distinct values (1, 2, 2, 3).

    With ``points`` (and/or ``bottom_points``) the step gives points by rank
    instead of the rank itself (R21, 排名加减分): ``points={1: 3, 2: 2, 3: 1}``
    is 第1名加3分…; ``bottom_points={1: -1}`` is 最后1名扣1分, counted from the
    bottom with ties sharing that end's better place (two units tied last are
    both 最后1名). Under ``average`` tied units share the mean of the points of
    the places they span. A unit whose rank earns nothing gets 0.

    With ``when``, only units for which the condition holds are placed (增速
    低于8%的不参与排名): the others get no rank (points steps give them 0). A
    place such a unit would have held ``pass_down`` to the next units (the
    default: they are ranked among the units that qualify), or — with
    ``vacated = "lapse"`` — every unit keeps its place among all units and the
    lost place's points are given to no one.

    Attributes:
        target: the name the rank (or the points) is stored under.
        of: the input or measure to rank by.
        order: ``desc`` when larger is better, ``asc`` when smaller is.
        within: ``all`` or ``category``.
        points: points for the top ranks, ``{rank: points}``.
        bottom_points: points for the bottom ranks, ``{place from the bottom: points}``.
        ties: ``min`` (the default), ``average`` or ``dense``.
        when: the condition a unit must meet to be placed, or ``None``.
        vacated: ``pass_down`` (the default) or ``lapse``: what happens to the
            place of a unit that does not meet ``when``.

    >>> Rank(target="名次", of="增速", ties="average", when="增速>=8%").reads == {"增速"}
    True
    """

    target: str = attrs.field(converter=_name)
    of: str = attrs.field(converter=_name)
    order: Literal["desc", "asc"] = "desc"
    within: Literal["all", "category"] = "all"
    points: Mapping[int, Number] = attrs.field(factory=FrozenDict, converter=_top_table)
    bottom_points: Mapping[int, Number] = attrs.field(factory=FrozenDict, converter=_bottom_table)
    ties: Literal["min", "average", "dense"] = "min"
    when: Formula | None = attrs.field(default=None, converter=_optional_condition)
    vacated: Literal["pass_down", "lapse"] = "pass_down"

    @property
    def gives_points(self) -> bool:
        """Whether the step gives points by rank rather than the rank."""
        return bool(self.points or self.bottom_points)

    @property
    def reads(self) -> frozenset[str]:
        """The names this step needs (the ranked value and what ``when`` reads)."""
        return frozenset({self.of}) | (self.when.variables if self.when is not None else frozenset())


Step: TypeAlias = Formula | Part | PeerRatio | Rank
"""One way of computing a value: a measure formula, a graded part, a peer ratio or a rank."""


def step_target(step: Step) -> str:
    """The name a step defines."""
    if isinstance(step, Formula):
        assert step.target is not None
        return normalize_name(step.target)
    return step.target


def step_reads(step: Step) -> frozenset[str]:
    """The names a step reads."""
    return step.variables if isinstance(step, Formula) else step.reads


def step_closure(steps: Iterable[Step], names: Iterable[str]) -> list[Step]:
    """The steps that define *names*, and those they read in turn (in the order the walk meets them).

    >>> from perfrules.formula.language import Formula
    >>> steps = [Formula.parse(t) for t in ("率=完成数/计划数", "分=率×100", "其他=1")]
    >>> [step_target(s) for s in step_closure(steps, ["分"])]
    ['分', '率']
    """
    by_target = {step_target(s): s for s in steps}
    seen: set[str] = set()
    todo = list(names)
    found: list[Step] = []
    while todo:
        name = todo.pop()
        if name in seen or name not in by_target:
            continue
        seen.add(name)
        found.append(by_target[name])
        todo.extend(step_reads(by_target[name]))
    return found


def _to_steps(value: object) -> tuple[Step, ...]:
    if isinstance(value, str | Formula | Part | PeerRatio | Rank):
        value = (value,)
    if not isinstance(value, Iterable):
        raise TypeError(f"'steps' must be a sequence (got {type(value).__name__})")
    out: list[Step] = []
    for item in value:
        if isinstance(item, Part | PeerRatio | Rank):
            out.append(item)
        else:
            out.append(_assignment(item))
    return tuple(out)
