"""Schemes (指标体系): the indicator tree, weights, steps and policies, as data.

Everything a published scheme says is held in frozen attrs objects:

- :class:`Indicator` — a leaf (三级指标): code (序号), name, definition (指标释义),
  data source, reporting frequency, free metadata (责任科室, 责任人 …), the steps
  that compute its measured value, its grade scale (or a score formula), its
  weight (percent or points, per unit category) and its policies.
- :class:`Group` — a level-1 or level-2 group, with an optional declared
  subtotal (差异化指标 420分).
- :class:`Scheme` — the tree, the unit categories, the score settings and the
  scheme-wide policies. A ``Scheme`` that exists is valid: building one runs
  every check and reports every problem with its path.

Steps are the rule forms that compute values: measure formulas (R3),
:class:`Part` (a value graded by its own scale, R7/R8/R9), :class:`PeerRatio`
(R13) and :class:`Rank` (R14). Policies are :class:`Default` (R4),
:class:`NotApplicable` (R5, R17), :class:`ZeroWhen` (R9), :class:`Adjust`
(bonuses and deductions, R7) and :class:`Veto` (一票否决).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal

import attrs

from .._errors import Problem, SchemeError
from .._frozen import FrozenDict
from .._numbers import Number, as_fraction, exact, to_number
from .._todo import Todo, to_todos
from ..formula.language import Formula, normalize_name
from ..grading.scale import DEFAULT_SCORES, GradeBand, GradeScale
from .rules import (
    FREQUENCIES,
    Adjust,
    Default,
    Flag,
    Frequency,
    GradeCap,
    NotApplicable,
    Part,
    PeerRatio,
    Policy,
    Quota,
    Rank,
    RollUp,
    Step,
    Veto,
    ZeroWhen,
    _label,
    _name,
    _number,
    _optional_formula,
    _optional_name,
    _optional_number,
    _to_policies,
    _to_steps,
    step_reads,
    step_target,
)
from .units import Unit

__all__ = [
    "FREQUENCIES",
    "Adjust",
    "Default",
    "Frequency",
    "Flag",
    "GradeCap",
    "Group",
    "Indicator",
    "NotApplicable",
    "Part",
    "PeerRatio",
    "Policy",
    "Quota",
    "Rank",
    "RollUp",
    "Scheme",
    "Step",
    "Veto",
    "ZeroWhen",
    "ordered_steps",
    "result_names",
    "indicator_reads",
    "is_result_name",
    "result_order",
    "step_reads",
    "step_target",
]

# ---------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------


def _weights(value: object, key: str = "weights") -> Mapping[str, Number]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'{key}' must map categories to numbers (got {type(value).__name__})")
    return FrozenDict({_name(k): _number(v) for k, v in value.items()})


def _fulls(value: object) -> Mapping[str, Number]:
    return _weights(value, "fulls")


def _totals(value: object) -> Mapping[str, Number]:
    return _weights(value, "totals")


def _frequency(value: object) -> Frequency | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip() in FREQUENCIES:
        return FREQUENCIES[value.strip()]
    raise ValueError(
        f"unknown reporting frequency {value!r}; use one of {', '.join(sorted(set(FREQUENCIES)))}"
    )


def _strings(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'metadata' must be a mapping of text (got {type(value).__name__})")
    return FrozenDict({str(k): str(v) for k, v in value.items()})


def _units(value: object) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise TypeError(f"'applies_to' must be a list of unit names (got {type(value).__name__})")
    return frozenset(_name(v) for v in value)


def _inputs(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'inputs' must map names in the rules to data fields (got {type(value).__name__})")
    return FrozenDict({_name(k): _name(v) for k, v in value.items()})


def _limit(value: object) -> Number | Literal["none"] | None:
    if value is None:
        return None
    if value == "none":
        return "none"
    return to_number(value, name="max_score")


def _lower_limit(value: object) -> Number | Literal["none"]:
    if value == "none":
        return "none"
    return to_number(value, name="min_score")


@attrs.frozen(kw_only=True)
class Indicator:
    """A leaf of the scheme (三级指标): data, rules, weight and policies.

    Attributes:
        code: the number in the published table (序号), unique in the scheme.
        name: the indicator's name.
        definition: the published definition (指标释义).
        source: who reports the data (数据采集、报送责任单位).
        frequency: how often data is reported (月度 … 年度).
        metadata: anything else to keep (责任科室, 责任人 …).
        inputs: names used in the rules → data fields, when two indicators'
            rules use the same word (Shenzhen 5 and 9 both grade ``得分``).
        steps: how the measured values are computed, in any order.
        value: the measured value the scale grades; by default the scale's
            own variable.
        scale: the grading rule.
        score: a formula for the score itself (0 to the scheme's full score),
            for indicators scored without a scale (Shenzhen 6's average).
        weight: percent (schemes with ``basis="percent"``) or points.
        weights: weight per unit category (委/局/办), overriding ``weight``;
            0 means "not assessed for this category".
        weight_from: the data column each unit's weight for this indicator is
            read from (特色指标 or 自选指标 weights each unit declares), instead of
            ``weight``/``weights``. A unit's weights (these and the fixed
            ones) must add up to its full marks (``total``, or its category's
            ``totals``); a unit whose weights do not, or whose weight cell is
            missing, not a number or negative, is that unit's error naming the
            indicator and the column (never rescaled). In a points scheme the
            indicator gives ``full``: its score is reported out of ``full`` and
            counts ``score / full ×`` the unit's points.
        applies_to: the units it applies to; ``None`` for all.
        policies: defaults, redistribution, zeroing, adjustments, vetoes.
        full: the full points of the indicator's own score when they differ
            from its weight (a points scheme's indicator reported 0–100 but
            worth 30分; or reweighted, see :func:`perfrules.reweight`): its
            contribution is then ``score / full × weight``. ``None``: its
            weight in a points scheme, ``full_score`` in a percent scheme.
        fulls: ``full`` per unit category, overriding it (reported 0–30 for
            委 units and 0–35 for 办 units); like ``weights`` for ``weight``.
        max_score: the most the indicator can earn, in its own units (分 in a
            points scheme), when its rule lets it pass its full points (超额完成
            的…最多加2分 → 12 for a 10-point indicator); ``None`` means its full points;
            ``"none"`` means no upper limit (an unclamped 功效系数 or 前沿距离 score).
        min_score: the least it can score, in its own units: 0 by default (扣完为止);
            a negative number lets deductions pass 0 down to it; ``"none"`` means
            no lower limit (the score may go below 0).
        within: whose values the population functions in its formulas
            (``max_of`` …) take: ``all`` units scored together, or the unit's ``category``.
        stand_in: non-empty when the indicator's rule is not in the published
            source but a stand-in: what the stand-in does. Explanations show it.
        todo: what an imported draft could not read (see :class:`Todo`): the
            indicator may then lack its rule or weight; such a scheme
            validates, but is refused for scoring until no todo remains.
    """

    code: str = attrs.field(converter=_name)
    name: str = attrs.field(converter=_label)
    definition: str = ""
    source: str = ""
    frequency: Frequency | None = attrs.field(default=None, converter=_frequency)
    metadata: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=_strings)
    inputs: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=_inputs)
    steps: tuple[Step, ...] = attrs.field(default=(), converter=_to_steps)
    value: str | None = attrs.field(default=None, converter=_optional_name)
    scale: GradeScale | None = None
    score: Formula | None = attrs.field(
        default=None,
        converter=_optional_formula,
    )
    weight: Number | None = attrs.field(default=None, converter=_optional_number)
    weights: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=_weights)
    weight_from: str | None = attrs.field(default=None, converter=_optional_name)
    applies_to: frozenset[str] | None = attrs.field(default=None, converter=_units)
    policies: tuple[Policy, ...] = attrs.field(default=(), converter=_to_policies)
    max_score: Number | Literal["none"] | None = attrs.field(default=None, converter=_limit)
    min_score: Number | Literal["none"] = attrs.field(default=Decimal(0), converter=_lower_limit)
    within: Literal["all", "category"] = "all"
    stand_in: str = ""
    full: Number | None = attrs.field(default=None, converter=_optional_number)
    fulls: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=_fulls)
    todo: tuple[Todo, ...] = attrs.field(default=(), converter=to_todos)

    def full_for(self, category: str | None) -> Number | None:
        """The indicator's own full points for a unit category (``fulls``, else ``full``).

        >>> Indicator(code="1", name="a", weight=30, score="a", full=100, fulls={"办": 50}).full_for("办")
        Decimal('50')
        """
        if category is not None and self.fulls:
            key = normalize_name(category)
            if key in self.fulls:
                return self.fulls[key]
        return self.full

    def weight_for(self, category: str | None) -> Number:
        """The weight for a unit category (its own column, else ``weight``, else 0)."""
        if category is not None:
            key = normalize_name(category)
            if key in self.weights:
                return self.weights[key]
        if self.weight is not None:
            return self.weight
        return Decimal(0)

    @property
    def label(self) -> str:
        """``code name``, as messages name the indicator."""
        return f"{self.code} {self.name}"


def _leaf_columns(children: Iterable[Group | Indicator]) -> set[str | None]:
    columns: set[str | None] = {None}
    for child in children:
        leaves = child.indicators() if isinstance(child, Group) else iter((child,))
        for leaf in leaves:
            columns |= set(leaf.weights)
    return columns


def _scaled_to(children: tuple[Group | Indicator, ...], weight: Number) -> tuple[Group | Indicator, ...]:
    """The children with every weight below them scaled so that each column adds up to *weight*."""
    target = as_fraction(weight)
    factors: dict[str | None, Fraction] = {}
    for column in _leaf_columns(children):
        leaves = [
            leaf
            for child in children
            for leaf in (child.indicators() if isinstance(child, Group) else (child,))
        ]
        got = sum((as_fraction(leaf.weight_for(column)) for leaf in leaves), Fraction(0))
        factors[column] = target / got if got else Fraction(1)
    if all(f == 1 for f in factors.values()):
        return children
    return tuple(_scale_node(child, factors) for child in children)


def _scale_node(node: Group | Indicator, factors: Mapping[str | None, Fraction]) -> Group | Indicator:
    default = factors[None]

    def times(value: Number, factor: Fraction) -> Number:
        return exact(as_fraction(value) * factor)

    if isinstance(node, Indicator):
        weight = None if node.weight is None else times(node.weight, default)
        weights = {c: times(w, factors.get(c, default)) for c, w in node.weights.items()}
        return attrs.evolve(node, weight=weight, weights=weights)
    return attrs.evolve(
        node,
        children=tuple(_scale_node(child, factors) for child in node.children),
        weight=None if node.weight is None else times(node.weight, default),
        declared=None if node.declared is None else times(node.declared, default),
        declared_by_category={
            c: times(w, factors.get(c, default)) for c, w in node.declared_by_category.items()
        },
    )


def _group_places(value: object) -> int | None:
    return _places(value)


def _children(value: object) -> tuple[Group | Indicator, ...]:
    if not isinstance(value, Iterable):
        raise TypeError(f"'children' must be a sequence (got {type(value).__name__})")
    items = tuple(value)
    for item in items:
        if not isinstance(item, Group | Indicator):
            raise TypeError(
                f"a group holds groups and indicators (got {item!r} of type {type(item).__name__})"
            )
    return items


@attrs.frozen(kw_only=True)
class Group:
    """A level-1 or level-2 group of indicators (一级/二级指标).

    Attributes:
        name: the group's name (行政业绩, 差异化指标 …).
        children: groups and indicators.
        declared: the subtotal the published table declares (45%, 420分), checked
            against its leaves for every category; ``None`` when not declared.
        declared_by_category: a declared subtotal per category, when they differ.
        code: an optional code.
        aggregate: how the group's parts make its subtotal: ``sum`` (the
            weighted sum, the default), ``geometric`` (weighted geometric mean)
            or ``harmonic`` (weighted harmonic mean) of the parts' shares of
            their points (an indicator's 得分率, a sub-group's 得分率), times
            the group's weight. A zero share makes either mean 0.
        weight: the group's weight as one number (a pillar's 40%): the weights
            of the indicators and groups below it are then read as shares and
            scaled, exactly, to add up to it — in every category column — so
            changing this one number reweights the group (see also
            :func:`perfrules.reweight`, which takes a group's name).
        places: the decimal places the subtotal is rounded to (half up, shown in
            the trail); required for ``geometric``, whose value is generally
            irrational. The rounding is exact: a value near a rounding boundary
            is decided by exact comparison, never by a float.
    """

    name: str = attrs.field(converter=_label)
    children: tuple[Group | Indicator, ...] = attrs.field(default=(), converter=_children)
    declared: Number | None = attrs.field(default=None, converter=_optional_number)
    declared_by_category: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=_weights)
    code: str = ""
    aggregate: Literal["sum", "geometric", "harmonic"] = "sum"
    places: int | None = attrs.field(default=None, converter=_group_places)
    weight: Number | None = attrs.field(default=None, converter=_optional_number)

    def __attrs_post_init__(self) -> None:
        # A group weight given as one number: the weights below it are shares of it.
        if self.weight is not None:
            object.__setattr__(self, "children", _scaled_to(self.children, self.weight))

    def indicators(self) -> Iterator[Indicator]:
        """Every leaf below this group, in order."""
        for child in self.children:
            if isinstance(child, Indicator):
                yield child
            else:
                yield from child.indicators()

    def declared_for(self, category: str | None) -> Number | None:
        """The declared subtotal for a category."""
        if category is not None and normalize_name(category) in self.declared_by_category:
            return self.declared_by_category[normalize_name(category)]
        return self.declared


# ---------------------------------------------------------------------------
# The scheme
# ---------------------------------------------------------------------------


def _scheme_policies(value: object) -> tuple[Veto | Adjust, ...]:
    items = _to_policies(value)
    for item in items:
        if not isinstance(item, Veto | Adjust):
            raise TypeError(f"scheme-wide policies are Veto and Adjust (got {type(item).__name__})")
    return items  # type: ignore[return-value]


def _groups(value: Iterable[Group]) -> tuple[Group, ...]:
    return tuple(value)


def _categories(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise TypeError(f"'categories' must be a list of names (got {type(value).__name__})")
    return tuple(_name(v) for v in value)


def _parameters(value: object) -> Mapping[str, Mapping[str, Number]]:
    """``parameters``: per-unit constants by name — ``{"难度系数": {"甲县": 1.1, "乙县": 1.0}}``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"'parameters' must map each name to its values by unit (got {type(value).__name__})")
    out: dict[str, Mapping[str, Number]] = {}
    for name, by_unit in value.items():
        if not isinstance(by_unit, Mapping):
            raise TypeError(
                f"parameters.{name} must map unit names to numbers (got {type(by_unit).__name__})"
            )
        out[_name(name)] = FrozenDict(
            {str(unit).strip(): to_number(v, name=f"parameters.{name}.{unit}") for unit, v in by_unit.items()}
        )
    return FrozenDict(out)


def with_parameters(scheme: Scheme, unit: Unit) -> Unit:
    """The unit with the scheme's per-unit constants (``parameters``) among its data.

    A value the unit's own data gives for the same name is kept (the data
    file overrides the scheme's table for that unit). Without parameters the
    unit is returned as it is.
    """
    if not scheme.parameters:
        return unit
    extra = {
        name: by_unit[unit.name]
        for name, by_unit in scheme.parameters.items()
        if unit.name in by_unit and unit.data.get(name) is None
    }
    return attrs.evolve(unit, data={**unit.data, **extra}) if extra else unit


def _default_scores(self: Scheme) -> Mapping[str, tuple[Number, Number]] | None:
    # Percent schemes grade indicators by score intervals (优 90–100 …); a points
    # scheme's indicators earn 分 and have no grade unless the scheme gives one.
    return FrozenDict(DEFAULT_SCORES) if self.basis == "percent" else None


def _optional_scores(value: object) -> Mapping[str, tuple[Number, Number]] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"'scores' must map grade names to (low, high) pairs (got {type(value).__name__})")
    out = {}
    for key, pair in value.items():
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise TypeError(f"'scores[{key}]' must be a (low, high) pair (got {pair!r})")
        low, high = (to_number(v, name=f"scores[{key}]") for v in pair)
        out[_name(key)] = (low, high)
    return FrozenDict(out)


def _places(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"decimal places must be a whole number 0–10 (got {value!r})")
    return value


STAND_IN_MECHANISMS: Final = ("periods", "not_applicable")
"""The mechanisms a scheme's ``stand_ins`` may mark."""


def _stand_ins(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'stand_ins' must map mechanisms to texts (got {type(value).__name__})")
    for key, text in value.items():
        if key not in STAND_IN_MECHANISMS:
            close = difflib.get_close_matches(str(key), STAND_IN_MECHANISMS, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(
                f"'stand_ins' has no mechanism '{key}' (only {', '.join(STAND_IN_MECHANISMS)}){hint}"
            )
        if not isinstance(text, str):
            raise TypeError(f"stand_ins.{key} must be text (got {type(text).__name__})")
    return FrozenDict({k: v for k, v in value.items() if v})


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"must be true or false (got {value!r} of type {type(value).__name__})")
    return value


def _caps(value: object) -> tuple[GradeCap, ...]:
    items: tuple[Any, ...] = tuple(value) if isinstance(value, Iterable) else (value,)
    for item in items:
        if not isinstance(item, GradeCap):
            raise TypeError(f"'caps' must hold GradeCap objects (got {type(item).__name__})")
    return items


def _flags(value: object) -> tuple[Flag, ...]:
    items: tuple[Any, ...] = tuple(value) if isinstance(value, Iterable) else (value,)
    for item in items:
        if not isinstance(item, Flag):
            raise TypeError(f"'flags' must hold Flag objects (got {type(item).__name__})")
    return items


def _roll_up(value: object) -> RollUp | None:
    if value is not None and not isinstance(value, RollUp):
        raise TypeError(f"'roll_up' must be a RollUp (got {type(value).__name__})")
    return value


def _quotas(value: object) -> tuple[Quota, ...]:
    items: tuple[Any, ...] = tuple(value) if isinstance(value, Iterable) else (value,)
    for item in items:
        if not isinstance(item, Quota):
            raise TypeError(f"'quotas' must hold Quota objects (got {type(item).__name__})")
    return items


FULL_NAME: Final = "分值"
"""Inside an indicator's formulas, its own full points."""


def inputs_of(ind: Indicator) -> frozenset[str]:
    """Names the indicator reads from data (not computed by its own steps, nor other indicators' results)."""
    return frozenset(n for n in indicator_reads(ind) if not is_result_name(n))


def _check_missing_names(path: str, ind: Indicator, names: tuple[str, ...]) -> Iterator[Problem]:
    """``NotApplicable.missing`` names inputs the indicator reads (a typo would never fire)."""
    reads = inputs_of(ind) | frozenset(ind.inputs)
    for name in names:
        if name not in reads:
            close = difflib.get_close_matches(name, sorted(reads), n=3, cutoff=0.4)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            yield Problem(
                path, f"'{name}' is not an input {ind.label} reads, so its absence cannot be seen{hint}"
            )


@attrs.frozen(kw_only=True, repr=False)
class Scheme:
    """A whole evaluation scheme (指标体系) for one year.

    Attributes:
        name: the scheme's title.
        groups: the top of the tree (一级指标 groups).
        basis: ``percent`` (weights are percentages summing to ``total``) or
            ``points`` (分值 summing to ``total``). In a points scheme every
            indicator scores in its own 分: score formulas, deductions and
            bonuses speak in 分, and an indicator's full points are its 分值.
        total: the full marks: 100 for percent schemes, e.g. 1000 for Xiamen.
        totals: full marks per unit category, overriding ``total`` (分类考核:
            委 units out of 100, 办 units out of 110); each category's weights
            add up to its own total, and its total is capped, normalised and
            graded (default grading: ``scores`` as shares) on its own full marks.
        categories: unit categories with their own weight columns (委, 局, 办);
            empty when every unit is weighted alike.
        full_score: the top of the grades' score intervals (100): in a percent
            scheme an indicator scores 0–``full_score`` and contributes
            ``score / full_score × weight``; in a points scheme a grade's
            interval is read as a share of the indicator's points.
        scores: score interval of each grade (``DEFAULT_SCORES`` for percent
            schemes; none for points schemes unless given); also used to find
            the grade of an indicator scored by a formula.
        overall: the grading of a unit's total (variable ``总分``); by default
            the ``scores`` intervals applied to the total as a share of
            ``total`` (no overall grade when there are no ``scores``). Its
            conditions may read 总分, each group's ``<组>得分`` and
            ``<组>得分率`` (share of its points), each indicator's
            ``指标<code>得分``, ``指标<code>得分率`` and ``指标<code>等次`` (the
            grade's place, 1 for the best), ``评为<等次>的指标数``, and the unit's data.
        caps: ceilings on the overall grade (等次最高为合格), grades down
            (降一等次) and limits on the total.
        flags: labels shown beside the grade when their condition holds
            (不能评先, 黄牌); they do not change the grade.
        parameters: per-unit constants that formulas read as data (难度系数,
            targets by county): ``{"难度系数": {"甲县": 1.1}}``; a unit's own
            data overrides them (see :func:`with_parameters`).
        quotas: limits on how many units get a grade (优秀不超过30%).
        periods: how period results make the year's (R15): ``mean`` of the
            period scores (the default), ``sum`` the period inputs and evaluate
            once, or ``last``.
        period_grades: 每期评定等次 — results carry each period's total and
            grade beside the year's (a quarter's grade), when indicators are
            reported by period (:class:`~perfrules.PeriodTotal`).
        policies: scheme-wide vetoes and adjustments of the total.
        round_total: round the total half up (四舍五入) to this many decimal
            places before grading and ranking; the rounded total is reported.
        round_scores: round each indicator's score likewise before it is added.
        cap_total: keep the total within full marks (the default; the trail
            says when it caps); ``False`` lets bonuses lift it above (总分可超过100分).
        floor_total: keep the total at 0 or above (the default); ``False`` lets
            deductions and unclamped scores take it below 0 (总分可为负).
        normalize: 折算 — the total is what the applicable indicators earned
            over the points they could earn, times ``total``, instead of moving
            the weight of indicators that do not apply.
        language: ``zh`` or ``en``, for explanations.
        year, source: free text kept with the scheme.
        stand_in: non-empty when a scheme-wide reading is not in the source
            (e.g. its overall grading): what the stand-in is. Explanations show it.
        stand_ins: stand-ins for mechanisms the source leaves open, by
            mechanism: ``periods`` (how period results make the year's) and
            ``not_applicable`` (what happens when a unit declares an
            indicator not applicable). Every indicator result that went
            through the mechanism carries the text as a stand-in.
        rank_within: ``all`` (one ranking) or ``category`` (分类评估: results
            are ranked and shown within each unit category; both ranks are
            always computed).
        total_formula: the unit's total as a formula over the groups'
            subtotals (``<组>得分``, ``<组>得分率``), the indicators' results
            (``指标<code>得分`` …) and the unit's data, instead of the weighted
            sum: ``(P得分+E得分+C得分)×经营难度系数+奖励分-考核扣分``.
            Scheme-wide adjustments, the floor, the cap and rounding then
            apply to what it gives.
        roll_up: units above units (:class:`RollUp`): a parent's total is
            the mean of its sub-units' totals (a city from its counties),
            worked out in the same run; ``None`` when no unit has a parent.
    """

    name: str
    groups: tuple[Group, ...] = attrs.field(converter=_groups)
    basis: Literal["percent", "points"] = "percent"
    total: Number = attrs.field(default=Decimal(100), converter=_number)
    totals: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=_totals)
    categories: tuple[str, ...] = attrs.field(default=(), converter=_categories)
    full_score: Number = attrs.field(default=Decimal(100), converter=_number)
    scores: Mapping[str, tuple[Number, Number]] | None = attrs.field(
        default=attrs.Factory(_default_scores, takes_self=True), converter=_optional_scores
    )
    overall: GradeScale | None = None
    caps: tuple[GradeCap, ...] = attrs.field(default=(), converter=_caps)
    quotas: tuple[Quota, ...] = attrs.field(default=(), converter=_quotas)
    periods: Literal["mean", "sum", "last"] = "mean"
    period_grades: bool = attrs.field(default=False, converter=_flag)
    policies: tuple[Veto | Adjust, ...] = attrs.field(default=(), converter=_scheme_policies)
    round_total: int | None = attrs.field(default=None, converter=_places)
    round_scores: int | None = attrs.field(default=None, converter=_places)
    cap_total: bool = attrs.field(default=True, converter=_flag)
    floor_total: bool = attrs.field(default=True, converter=_flag)
    normalize: bool = attrs.field(default=False, converter=_flag)
    language: Literal["zh", "en"] = "zh"
    year: str = ""
    source: str = ""
    stand_in: str = ""
    stand_ins: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=_stand_ins)
    rank_within: Literal["all", "category"] = "all"
    todo: tuple[Todo, ...] = attrs.field(default=(), converter=to_todos)
    total_formula: Formula | None = attrs.field(default=None, converter=_optional_formula)
    flags: tuple[Flag, ...] = attrs.field(default=(), converter=_flags)
    parameters: Mapping[str, Mapping[str, Number]] = attrs.field(factory=FrozenDict, converter=_parameters)
    roll_up: RollUp | None = attrs.field(default=None, converter=_roll_up)
    _score_scale: GradeScale | None = attrs.field(init=False, repr=False, eq=False)
    _overall_scale: GradeScale | None = attrs.field(init=False, repr=False, eq=False)
    _overall_scales: Mapping[str, GradeScale] = attrs.field(init=False, repr=False, eq=False)
    _leaves: tuple[Indicator, ...] = attrs.field(init=False, repr=False, eq=False)
    _notes: tuple[Problem, ...] = attrs.field(init=False, repr=False, eq=False)
    # The compiled plan, built by the scoring layer the first time it is needed.
    _compiled: object = attrs.field(init=False, repr=False, eq=False, default=None)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self, "_leaves", tuple(i for g in self.groups if isinstance(g, Group) for i in g.indicators())
        )
        problems = list(self._check())
        if problems:
            raise SchemeError(problems, title=f"invalid scheme '{self.name}'")
        score_scale = None if self.scores is None else _score_scale(self.scores, self.full_score)
        object.__setattr__(self, "_score_scale", score_scale)
        overall = self.overall
        if overall is None and self.scores is not None:
            overall = _score_scale(
                self.scores,
                self.total,
                "总分",
                domain=(Decimal(0) if self.floor_total else None, self.total if self.cap_total else None),
            )
        object.__setattr__(self, "_overall_scale", overall)
        # 分类考核: the default grading (``scores`` as shares of full marks) on each category's own total.
        own: dict[str, GradeScale] = {}
        if self.overall is None and self.scores is not None:
            for category, full in self.totals.items():
                if full != self.total and full > 0:
                    own[category] = _score_scale(
                        self.scores,
                        full,
                        "总分",
                        domain=(Decimal(0) if self.floor_total else None, full if self.cap_total else None),
                    )
        object.__setattr__(self, "_overall_scales", FrozenDict(own))
        later = list(self._check_overall()) + list(self._check_total_formula())
        if later:
            raise SchemeError(later, title=f"invalid scheme '{self.name}'")
        object.__setattr__(self, "_notes", tuple(self._collect_notes()))

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt (and so checked and compiled) on the other side: the compiled
        # plan holds closures that cannot be pickled.
        fields = {a.name: getattr(self, a.name) for a in attrs.fields(Scheme) if a.init}
        return (_rebuild_scheme, (fields,))

    def __repr__(self) -> str:
        unit = "%" if self.basis == "percent" else "分"
        return f"Scheme(name={self.name!r}, indicators={len(self._leaves)}, total={self.total}{unit})"

    @property
    def notes(self) -> tuple[Problem, ...]:
        """What validation noticed that is not an error, each with its path.

        A boundary point two printed bands share (it goes to the better grade),
        a grade no input can reach (Shenzhen rule 12's 优 under 就低不就高).
        Paths are tree paths (``groups[0].children[2].scale``); for a scheme
        read from a file (``load``, ``loads``, ``scheme_from_mapping``) they
        point into the file, as problems do (``indicators[7].scale``).
        """
        return self._notes

    def _relocate_notes(self, notes: Sequence[Problem]) -> None:
        """Give the notes other paths (the loader points them into the file)."""
        object.__setattr__(self, "_notes", tuple(notes))

    def _collect_notes(self) -> Iterator[Problem]:
        for path, node in self.paths():
            if isinstance(node, Indicator):
                if node.scale is not None:
                    for note in node.scale.notes:
                        yield Problem(f"{path}.scale", f"{node.label}: {note}")
                for k, step in enumerate(node.steps):
                    if isinstance(step, Part):
                        for note in step.scale.notes:
                            yield Problem(f"{path}.steps[{k}].scale", f"{node.label}, {step.target}: {note}")
        if self.overall is not None:
            for note in self.overall.notes:
                yield Problem("overall", note)

    # -- navigation -----------------------------------------------------
    def indicators(self) -> tuple[Indicator, ...]:
        """Every leaf, in the published order."""
        return self._leaves

    def todos(self) -> tuple[tuple[str, Todo], ...]:
        """Every todo of a draft (:class:`Todo`), with whose it is: ``(scheme)`` or the indicator."""
        found = [("(scheme)", t) for t in self.todo]
        found += [(ind.label, t) for ind in self._leaves for t in ind.todo]
        return tuple(found)

    def indicator(self, key: str) -> Indicator:
        """The indicator with this code or name.

        Raises:
            KeyError: none matches; the message suggests close codes and names.
        """
        wanted = normalize_name(key)
        for ind in self.indicators():
            if wanted in (ind.code, normalize_name(ind.name)):
                return ind
        options = [i.code for i in self.indicators()] + [i.name for i in self.indicators()]
        close = difflib.get_close_matches(wanted, options, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"no indicator '{key}' in scheme '{self.name}'{hint}")

    def paths(self) -> Iterator[tuple[str, Group | Indicator]]:
        """Every group and indicator with its path (``groups[0].children[2]``)."""

        def walk(prefix: str, node: Group | Indicator) -> Iterator[tuple[str, Group | Indicator]]:
            yield prefix, node
            if isinstance(node, Group):
                for i, child in enumerate(node.children):
                    yield from walk(f"{prefix}.children[{i}]", child)

        for i, group in enumerate(self.groups):
            yield from walk(f"groups[{i}]", group)

    @property
    def score_scale(self) -> GradeScale | None:
        """The grades of an indicator score (0 to ``full_score``), if the scheme has ``scores``."""
        return self._score_scale

    @property
    def overall_scale(self) -> GradeScale | None:
        """The grades of a unit's total (None when the scheme grades no total)."""
        return self._overall_scale

    def overall_scale_for(self, category: str | None) -> GradeScale | None:
        """The grades of a total of a unit of this category (its own full marks, see ``totals``)."""
        if category is not None and self._overall_scales:
            found = self._overall_scales.get(normalize_name(category))
            if found is not None:
                return found
        return self._overall_scale

    def total_for(self, category: str | None) -> Number:
        """Full marks for a unit category (``totals``, else ``total``).

        >>> s = Scheme(name="s", basis="points", total=100, categories=["委", "办"], totals={"办": 110},
        ...     groups=[Group(name="g", children=[Indicator(code="1", name="a", score="a",
        ...     weights={"委": 100, "办": 110})])])
        >>> s.total_for("办"), s.total_for("委")
        (Decimal('110'), Decimal('100'))
        """
        if category is not None and self.totals:
            key = normalize_name(category)
            if key in self.totals:
                return self.totals[key]
        return self.total

    @property
    def grades(self) -> tuple[str, ...]:
        """The overall grades, best first (empty when the scheme grades no total)."""
        return () if self._overall_scale is None else tuple(b.name for b in self._overall_scale.bands)

    def overall_names(self) -> frozenset[str]:
        """The names overall grading, caps and quotas may read besides the unit's data."""
        names = {"总分"}
        for _, node in self.paths():
            if isinstance(node, Group):
                names |= {f"{normalize_name(node.name)}得分", f"{normalize_name(node.name)}得分率"}
        for ind in self._leaves:
            names |= {f"指标{ind.code}得分", f"指标{ind.code}得分率", f"指标{ind.code}等次"}
        for grade in {b.name for ind in self._leaves if ind.scale for b in ind.scale.bands} | set(
            self.scores or ()
        ):
            names.add(f"评为{grade}的指标数")
        return frozenset(names)

    def weight_columns(self) -> tuple[str | None, ...]:
        """The categories whose weights are checked (``(None,)`` without categories)."""
        return self.categories or (None,)

    # -- validation -----------------------------------------------------
    def _check_roll_up(self) -> Iterator[Problem]:
        roll_up = self.roll_up
        if roll_up is None:
            return
        if not roll_up.parent:
            yield Problem("roll_up.parent", "name the data column that names each unit's parent (上级单位)")
        if roll_up.weight is not None and roll_up.weight == roll_up.parent:
            yield Problem(
                "roll_up.weight",
                f"'{roll_up.weight}' is the parent column too; name the column of weights (人口), "
                "or leave out 'weight' for the plain mean",
            )
        for ind in self.indicators():
            if roll_up.parent in {ind.inputs.get(n, n) for n in inputs_of(ind)}:
                yield Problem(
                    "roll_up.parent",
                    f"'{roll_up.parent}' names each unit's parent, but indicator {ind.label} reads it "
                    "as data; name another column for the parent",
                )

    def _check(self) -> Iterator[Problem]:
        yield from _choice("basis", self.basis, ("percent", "points"))
        yield from _choice("periods", self.periods, ("mean", "sum", "last"))
        yield from _choice("rank_within", self.rank_within, ("all", "category"))
        yield from _choice("language", self.language, ("zh", "en"))
        yield from self._check_roll_up()
        for i, veto_or_adjust in enumerate(self.policies):
            if isinstance(veto_or_adjust, Veto):
                yield from _choice(f"policies[{i}].effect", veto_or_adjust.effect, ("zero", "lowest_grade"))
        if not self.groups:
            yield Problem("groups", "a scheme needs at least one group")
            return
        for i, group in enumerate(self.groups):
            if not isinstance(group, Group):
                yield Problem(f"groups[{i}]", f"must be a Group (got {type(group).__name__})")
                return
        leaves = [(p, n) for p, n in self.paths() if isinstance(n, Indicator)]
        codes: dict[str, str] = {}
        for path, ind in leaves:
            if ind.code in codes:
                yield Problem(f"{path}.code", f"code '{ind.code}' is used twice (also {codes[ind.code]})")
            codes.setdefault(ind.code, path)
        names = {ind.code for _, ind in leaves} | {normalize_name(ind.name) for _, ind in leaves}
        yield from self._check_per_category(leaves)
        yield from self._check_period_grades(leaves)
        for category in self.weight_columns():
            yield from self._check_weights(category)
        yield from self._check_weight_from(leaves)
        for path, ind in leaves:
            yield from self._check_indicator(path, ind, names)
        yield from _check_result_reads(leaves)
        for path, node in self.paths():
            if isinstance(node, Group) and not node.children:
                yield Problem(path, f"group '{node.name}' has no indicators")
            if isinstance(node, Group):
                yield from _check_aggregate(path, node)
                if node.weight is not None and node.weight <= 0:
                    yield Problem(
                        f"{path}.weight", f"a group's weight must be more than 0 (got {_show(node.weight)})"
                    )
                elif node.weight is not None and not any(
                    i.weight or any(i.weights.values()) for i in node.indicators()
                ):
                    yield Problem(
                        f"{path}.weight",
                        f"group '{node.name}' has a weight but its indicators weigh nothing to share it out",
                    )

    def _check_period_grades(self, leaves: Sequence[tuple[str, Indicator]]) -> Iterator[Problem]:
        """A grade per period needs period scores, and a total that is their weighted sum."""
        if not self.period_grades:
            return
        if not any(ind.frequency not in (None, "yearly") for _, ind in leaves):
            yield Problem(
                "period_grades",
                "no indicator is reported by period: give the indicators reported by quarter or month "
                "a 'frequency' (季度, 月度 …)",
            )
        if self.periods == "sum":
            yield Problem(
                "period_grades",
                'with periods = "sum" the periods\' data are added up and scored once, so there are no '
                'period scores to grade; use periods = "mean" (or "last")',
            )
        if self.total_formula is not None:
            yield Problem(
                "period_grades", "a total formula makes the year's total only; it has no period totals"
            )
        for path, node in self.paths():
            if isinstance(node, Group) and node.aggregate != "sum":
                yield Problem(
                    "period_grades",
                    f"group '{node.name}' takes a {node.aggregate} mean; period totals are weighted "
                    f"sums only ({path}.aggregate)",
                )

    def _check_per_category(self, leaves: Sequence[tuple[str, Indicator]]) -> Iterator[Problem]:
        """``totals`` and each indicator's ``fulls`` name declared categories and are more than 0."""
        tables: list[tuple[str, Mapping[str, Number]]] = [("totals", self.totals)]
        tables += [(f"{path}.fulls", ind.fulls) for path, ind in leaves]
        for where, table in tables:
            if table and not self.categories:
                yield Problem(
                    where,
                    f"'{where.rsplit('.', 1)[-1]}' gives values per unit category, but the scheme has no "
                    "'categories'; declare them, or give one value",
                )
                continue
            for key, value in table.items():
                if key not in self.categories:
                    close = difflib.get_close_matches(key, self.categories, n=1, cutoff=0.3)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    yield Problem(
                        f"{where}.{key}",
                        f"unknown category '{key}' (categories: {', '.join(self.categories)}){hint}",
                    )
                elif value <= 0:
                    yield Problem(f"{where}.{key}", f"must be more than 0 (got {_show(value)})")

    def _check_weights(self, category: str | None) -> Iterator[Problem]:
        column = f"weights[{category}]" if category else "weights"
        first = self.weight_columns()[0]
        known = frozenset(self.categories)
        leaves = self.indicators()
        if any(t.about == "weight" for t in self.todo) or any(
            t.about == "weight" for i in leaves for t in i.todo
        ):
            return  # a draft whose weights are still to be written: its todos say so
        total = sum((as_fraction(i.weight_for(category)) for i in leaves), start=as_fraction(0))
        unit = "%" if self.basis == "percent" else "分"
        full = self.total_for(category)
        from_data = [i for i in leaves if i.weight_from is not None]
        if from_data:
            # Weights read per unit (weight_from): each unit's weights are checked when it is scored.
            if total > as_fraction(full):
                yield Problem(
                    column,
                    f"the fixed indicator weights add up to {_show(total)}{unit}, more than "
                    f"{_show(full)}{unit}"
                    + (f" for category '{category}'" if category else "")
                    + f", before the weights read per unit ({from_data[0].label}: weight_from)",
                )
        elif total != as_fraction(full):
            yield Problem(
                column,
                f"indicator weights add up to {_show(total)}{unit}, not {_show(full)}{unit}"
                + (f" for category '{category}'" if category else "")
                + (
                    f" (its full marks: totals.{category})"
                    if category is not None and category in self.totals
                    else f"; if '{category}' units have full marks of their own, give totals.{category} = "
                    f"{_show(total)}"
                    if category is not None and total > 0
                    else ""
                ),
            )
        for path, node in self.paths():
            if not isinstance(node, Group):
                continue
            declared = node.declared_for(category)
            if declared is None:
                continue
            read = next((i for i in node.indicators() if i.weight_from is not None), None)
            if read is not None:
                if category == first:
                    yield Problem(
                        f"{path}.declared",
                        f"group '{node.name}' declares a subtotal, but the weight of {read.label} is read "
                        f'per unit (weight_from = "{read.weight_from}"); leave the subtotal out',
                    )
                continue
            got = sum((as_fraction(i.weight_for(category)) for i in node.indicators()), start=as_fraction(0))
            if got != as_fraction(declared):
                yield Problem(
                    f"{path}.declared",
                    f"group '{node.name}' declares {_show(declared)}{unit} but its indicators add up "
                    f"to {_show(got)}{unit}" + (f" for category '{category}'" if category else ""),
                )
        for path, node in self.paths():
            if isinstance(node, Indicator):
                if category == first:  # once, not once per category
                    for key in node.weights:
                        if known and key not in known:
                            yield Problem(
                                f"{path}.weights",
                                f"unknown category '{key}' (categories: {', '.join(self.categories)})",
                            )
                w = node.weight_for(category)
                if w < 0:
                    yield Problem(f"{path}.weight", f"weight {_show(w)} is negative")
        return

    def _check_weight_from(self, leaves: Sequence[tuple[str, Indicator]]) -> Iterator[Problem]:
        """Weights read per unit: one column per indicator, holding nothing but the weight."""
        if not any(ind.weight_from is not None for _, ind in leaves):
            return
        inputs: dict[str, str] = {}
        for _, ind in leaves:
            for name in indicator_reads(ind):
                inputs.setdefault(ind.inputs.get(name, name), ind.label)
        computed = self.overall_names()
        columns: dict[str, str] = {}
        for path, ind in leaves:
            column = ind.weight_from
            if column is None:
                continue
            where = f"{path}.weight_from"
            if ind.weight is not None or ind.weights:
                yield Problem(
                    where,
                    "the weight is read per unit from the data; leave out 'weight' and 'weights' "
                    "(or give the weight and leave out 'weight_from')",
                )
            if self.basis == "points" and ind.full is None and not ind.fulls:
                yield Problem(
                    where,
                    "in a points scheme an indicator whose points are read per unit needs 'full': the "
                    "points its own score is reported out of (it counts score / full × the unit's points)",
                )
            if column in columns:
                yield Problem(where, f"column '{column}' is already indicator {columns[column]}'s weight")
            columns.setdefault(column, ind.label)
            if column in inputs:
                yield Problem(
                    where,
                    f"column '{column}' is read by the rules of indicator {inputs[column]}; a weight column "
                    "holds only the unit's weight (name the weight column apart)",
                )
            elif column in computed or is_result_name(column):
                yield Problem(where, f"'{column}' is a result scoring computes, not a data column")
        for path, node in self.paths():
            if isinstance(node, Group) and node.weight is not None:
                read = next((i for i in node.indicators() if i.weight_from is not None), None)
                if read is not None:
                    yield Problem(
                        f"{path}.weight",
                        f"group '{node.name}' has a weight to share out, but the weight of {read.label} "
                        "is read per unit (weight_from); give the group no weight",
                    )

    def _check_indicator(self, path: str, ind: Indicator, names: set[str]) -> Iterator[Problem]:
        targets: dict[str, int] = {}
        for k, step in enumerate(ind.steps):
            target = step_target(step)
            if target in targets:
                yield Problem(
                    f"{path}.steps[{k}]", f"'{target}' is computed twice (also steps[{targets[target]}])"
                )
            targets.setdefault(target, k)
            if isinstance(step, Part) and step.scale.is_categorical and step.of is None:
                yield Problem(
                    f"{path}.steps[{k}]", f"categorical part '{target}' needs 'of' (the input to grade)"
                )
            if isinstance(step, Part) and step.scale.effective_scoring == "none":
                yield Problem(
                    f"{path}.steps[{k}].scale", "a part's scale must give scores (not scoring='none')"
                )
            if isinstance(step, Rank):
                yield from _choice(f"{path}.steps[{k}].order", step.order, ("desc", "asc"))
                yield from _choice(f"{path}.steps[{k}].within", step.within, ("all", "category"))
                yield from _choice(f"{path}.steps[{k}].ties", step.ties, ("min", "average", "dense"))
                yield from _choice(f"{path}.steps[{k}].vacated", step.vacated, ("pass_down", "lapse"))
                if step.vacated != "pass_down" and step.when is None:
                    yield Problem(
                        f"{path}.steps[{k}].vacated",
                        "only a rank with 'when' leaves places vacant: add the condition units must meet",
                    )
            if isinstance(step, PeerRatio):
                yield from _choice(f"{path}.steps[{k}].within", step.within, ("all", "category"))
                if not isinstance(step.pooled, bool):
                    yield Problem(f"{path}.steps[{k}].pooled", f"must be true or false (got {step.pooled!r})")
        yield from _choice(f"{path}.within", ind.within, ("all", "category"))
        if isinstance(ind.max_score, Decimal | int) and ind.max_score < 0:
            yield Problem(f"{path}.max_score", f"must be >= 0 (got {_show(ind.max_score)})")
        if ind.min_score != "none" and ind.max_score not in (None, "none") and ind.min_score > ind.max_score:  # type: ignore[operator]
            yield Problem(
                f"{path}.min_score",
                f"is above max_score ({_show(ind.min_score)} > {_show(ind.max_score)})",  # type: ignore[arg-type]
            )
        if ind.full is not None and ind.full <= 0:
            yield Problem(f"{path}.full", f"must be more than 0 (got {_show(ind.full)})")
        if ind.scale is not None and ind.scale.effective_scoring == "none":
            yield Problem(f"{path}.scale", "an indicator's scale must give scores (not scoring='none')")
        yield from _check_population(path, ind)
        yield from self._check_cycles(path, ind)
        if ind.scale is None and ind.score is None and not ind.todo:
            yield Problem(
                path, f"indicator {ind.label} has no way to be scored: give it a scale or a score formula"
            )
        if ind.scale is not None and ind.score is not None:
            yield Problem(path, f"indicator {ind.label} has both a scale and a score formula; keep one")
        if ind.scale is not None:
            for i, band in enumerate(ind.scale.bands):
                # The scale's own `scores`, when it was given some, count as much as the scheme's.
                own = ind.scale.scores if dict(ind.scale.scores) != dict(DEFAULT_SCORES) else {}
                known = {**(self.scores or {}), **own}
                if band.name not in known and band.score is None and band.points is None:
                    yield Problem(f"{path}.scale.bands[{i}]", f"grade '{band.name}' has no score interval")
        if ind.value is not None and ind.scale is not None and len(ind.scale.variables) > 1:
            yield Problem(
                f"{path}.value",
                f"'value' maps one measured value onto the scale, but the scale reads "
                f"{', '.join(sorted(ind.scale.variables))}",
            )
        for k, policy in enumerate(ind.policies):
            where = f"{path}.policies[{k}]"
            if isinstance(policy, NotApplicable) and policy.to is not None:
                if policy.to not in names:
                    close = difflib.get_close_matches(policy.to, sorted(names), n=3, cutoff=0.4)
                    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                    yield Problem(f"{where}.to", f"no indicator '{policy.to}' to move the weight to{hint}")
                elif policy.to in (ind.code, normalize_name(ind.name)):
                    yield Problem(f"{where}.to", "an indicator cannot move its weight to itself")
            if isinstance(policy, NotApplicable) and isinstance(policy.missing, tuple):
                yield from _check_missing_names(f"{where}.missing", ind, policy.missing)
            if isinstance(policy, Default):
                grades = ind.scale.bands if ind.scale is not None else self._score_bands()
                if policy.grade is None:
                    if isinstance(policy.score, str):
                        yield Problem(
                            f"{where}.grade", f"a default needs a grade, or a score as a number ({ind.label})"
                        )
                elif policy.grade not in {b.name for b in grades}:
                    shown = ", ".join(b.name for b in grades) or "it has no grades; give a score instead"
                    yield Problem(
                        f"{where}.grade",
                        f"default grade '{policy.grade}' is not a grade of {ind.label} ({shown})",
                    )
                if isinstance(policy.score, str):
                    yield from _choice(f"{where}.score", policy.score, ("midpoint", "top", "bottom"))
            if isinstance(policy, ZeroWhen) and policy.target is not None and policy.target not in targets:
                yield Problem(f"{where}.target", f"no step computes '{policy.target}' in {ind.label}")
            if isinstance(policy, Veto):
                yield from _choice(f"{where}.effect", policy.effect, ("zero", "lowest_grade"))

    def _score_bands(self) -> tuple[GradeBand, ...]:
        return tuple(GradeBand(name=name, conditions=["得分>=0"]) for name in self.scores or {})

    def _check_overall_names(self) -> Iterator[Problem]:
        """Names like 指标12等次 in overall conditions and caps must name an indicator that has them.

        They are computed, not data, so a code that does not exist (a typo) or
        the grade of an indicator that is never graded could only fail every
        unit when scored; say so now.
        """
        conditions: list[tuple[str, Formula]] = [
            (f"caps[{i}].when", cap.when) for i, cap in enumerate(self.caps)
        ] + [(f"flags[{i}].when", flag.when) for i, flag in enumerate(self.flags)]
        if self.overall is not None:
            for i, band in enumerate(self.overall.bands):
                conditions += [(f"overall.bands[{i}]", c) for c in band.conditions]
        codes = {ind.code: ind for ind in self._leaves}
        for path, condition in conditions:
            for name in sorted(condition.variables):
                match = _INDICATOR_NAME.fullmatch(name)
                if match is None:
                    continue
                code, what = match.group(1), match.group(2)
                ind = codes.get(code)
                if ind is None:
                    close = difflib.get_close_matches(code, list(codes), n=1)
                    hint = f"; did you mean 指标{close[0]}{what}?" if close else ""
                    yield Problem(path, f"'{name}' names no indicator (no code '{code}'){hint}")
                elif what == "等次" and ind.scale is None and self._score_scale is None:
                    yield Problem(
                        path,
                        f"'{name}': indicator {ind.label} has no grades (give the scheme 'scores', "
                        "or read its 得分 or 得分率 instead)",
                    )

    def _check_parameters(self) -> Iterator[Problem]:
        """Every per-unit constant is read by something (a misspelt name would never be used)."""
        reads: set[str] = set()
        for ind in self._leaves:
            reads |= {ind.inputs.get(n, n) for n in inputs_of(ind)}
            if ind.weight_from is not None:  # a weight per unit, read from the table
                reads.add(ind.weight_from)
        for policy in self.policies:
            reads |= policy.when.variables if isinstance(policy, Veto) else policy.reads
        for cap in self.caps:
            reads |= cap.when.variables
        for flag in self.flags:
            reads |= flag.when.variables
        if self._overall_scale is not None:
            reads |= self._overall_scale.variables
        for name in self.parameters:
            if name not in reads:
                close = difflib.get_close_matches(name, sorted(reads), n=1, cutoff=0.4)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                yield Problem(f"parameters.{name}", f"no formula or condition reads '{name}'{hint}")

    def _check_overall(self) -> Iterator[Problem]:
        """Caps and quotas name grades of the overall grading, which must exist for them."""
        yield from self._check_parameters()
        yield from self._check_overall_names()
        grades = list(self.grades)
        grading_caps = [c for c in self.caps if c.grade is not None or c.demote]
        if (grading_caps or self.quotas) and not grades:
            yield Problem("overall", "caps and quotas need an overall grading (give 'overall' or 'scores')")
            return
        for i, cap in enumerate(self.caps):
            yield from self._check_cap_total(i, cap)
            if cap.grade is not None and cap.grade not in grades:
                yield Problem(
                    f"caps[{i}].grade", f"'{cap.grade}' is not an overall grade ({', '.join(grades)})"
                )
        for i, quota in enumerate(self.quotas):
            where = f"quotas[{i}]"
            yield from _choice(f"{where}.rounding", quota.rounding, ("floor", "ceil", "round"))
            yield from _choice(f"{where}.ties", quota.ties, ("exclude", "include"))
            yield from _choice(f"{where}.within", quota.within, ("all", "category"))
            if quota.grade not in grades:
                yield Problem(
                    f"{where}.grade", f"'{quota.grade}' is not an overall grade ({', '.join(grades)})"
                )
                continue
            if (quota.share is None) == (quota.count is None):
                yield Problem(where, "give the limit as 'share' (0.3 or \"30%\") or as 'count', not both")
            if quota.share is not None and not 0 < quota.share <= 1:
                yield Problem(
                    f"{where}.share", f"must be more than 0 and at most 1 (got {_show(quota.share)})"
                )
            if quota.count is not None and quota.count < 0:
                yield Problem(f"{where}.count", f"must be >= 0 (got {quota.count})")
            overflow = quota.overflow
            if overflow is not None:
                if overflow not in grades:
                    yield Problem(
                        f"{where}.overflow", f"'{overflow}' is not an overall grade ({', '.join(grades)})"
                    )
                elif grades.index(overflow) <= grades.index(quota.grade):
                    yield Problem(f"{where}.overflow", f"'{overflow}' is not below '{quota.grade}'")
            elif grades.index(quota.grade) == len(grades) - 1:
                yield Problem(
                    f"{where}.overflow", f"'{quota.grade}' is the lowest grade; name the overflow grade"
                )

    def _check_total_formula(self) -> Iterator[Problem]:
        """A total formula reads subtotals, results and data; it cannot read the 总分 it gives."""
        formula = self.total_formula
        if formula is None:
            return
        if self.normalize:
            yield Problem(
                "total_formula",
                "a total formula and normalize (折算) both say how the total is made; keep one",
            )
        if "总分" in formula.variables:
            yield Problem(
                "total_formula",
                "the total formula gives 总分 and cannot read it; add up the groups' subtotals "
                "(<组>得分) instead",
            )
        if formula.population_calls:
            yield Problem("total_formula", "a total formula cannot take values over all units (max_of …)")
        codes = {ind.code: ind for ind in self._leaves}
        for name in sorted(formula.variables):
            match = _INDICATOR_NAME.fullmatch(name)
            if match is not None and match.group(1) not in codes:
                close = difflib.get_close_matches(match.group(1), list(codes), n=1)
                hint = f"; did you mean 指标{close[0]}{match.group(2)}?" if close else ""
                yield Problem(
                    "total_formula", f"'{name}' names no indicator (no code '{match.group(1)}'){hint}"
                )

    def _check_cap_total(self, i: int, cap: GradeCap) -> Iterator[Problem]:
        """A cap's ``max_total`` lies within the total's limits, and a demotion can move a grade."""
        if cap.max_total is not None:
            top = max((self.total, *self.totals.values()))
            if cap.max_total > top and self.cap_total:
                yield Problem(
                    f"caps[{i}].max_total",
                    f"{_show(cap.max_total)} is above full marks ({_show(top)}); it would never limit",
                )
            if cap.max_total < 0 and self.floor_total:
                yield Problem(f"caps[{i}].max_total", f"must be >= 0 (got {_show(cap.max_total)})")
        if cap.demote and len(self.grades) < 2:
            yield Problem(f"caps[{i}].demote", "there is no lower grade to move to")

    @staticmethod
    def _check_cycles(path: str, ind: Indicator) -> Iterator[Problem]:
        # Depth-first, with an explicit stack: 2,800 chained steps must neither
        # recurse 2,800 frames deep nor copy the trail at every step.
        by_target = {step_target(s): s for s in ind.steps}
        graph = {target: step_reads(step) & by_target.keys() for target, step in by_target.items()}
        for cycle in cycles(graph):
            yield Problem(f"{path}.steps", f"steps depend on each other in a cycle: {' → '.join(cycle)}")


def _check_aggregate(path: str, group: Group) -> Iterator[Problem]:
    """A group's mean: a known kind, with places where its value is irrational."""
    yield from _choice(f"{path}.aggregate", group.aggregate, ("sum", "geometric", "harmonic"))
    if group.aggregate == "geometric" and group.places is None:
        yield Problem(
            f"{path}.places",
            f"group '{group.name}': a weighted geometric mean is generally irrational; give 'places', "
            "the decimal places its subtotal is rounded to (e.g. places = 4)",
        )
    if group.places is not None and group.aggregate == "sum":
        yield Problem(
            f"{path}.places",
            f"group '{group.name}' adds its parts up exactly; 'places' is for aggregate = "
            "'geometric' or 'harmonic' (round_scores and round_total round sums)",
        )


# ---------------------------------------------------------------------------
# Rules that read other results (指标1得分, 指标2·超额点数)
# ---------------------------------------------------------------------------

_RESULT_LIKE: Final = re.compile(r"指标([0-9A-Za-z][0-9A-Za-z.\-]*?)(得分率|得分|·.+)")


def is_result_name(name: str) -> bool:
    """Whether a name reads another indicator's result (指标1得分, 指标1得分率, 指标2·超额点数).

    In a valid scheme every such name is one (validation refuses the others), so
    it is never read from the data.
    """
    return name.startswith("指标") and _RESULT_LIKE.fullmatch(name) is not None


def result_names(indicators: Sequence[Indicator]) -> dict[str, tuple[str, str | None]]:
    """The names by which rules read other indicators' results, each with (code, step).

    ``指标<code>得分`` and ``指标<code>得分率`` are an indicator's score and its
    share of its full points (step ``None``); ``指标<code>·<step>`` is the value
    of one of its steps.
    """
    out: dict[str, tuple[str, str | None]] = {}
    for ind in indicators:
        out[f"指标{ind.code}得分"] = (ind.code, None)
        out[f"指标{ind.code}得分率"] = (ind.code, None)
        for step in ind.steps:
            out[f"指标{ind.code}·{step_target(step)}"] = (ind.code, step_target(step))
    return out


def _step_closure(ind: Indicator, target: str) -> list[Step]:
    by_target = {step_target(s): s for s in ind.steps}
    seen: set[str] = set()
    todo = [target]
    found: list[Step] = []
    while todo:
        name = todo.pop()
        if name in seen or name not in by_target:
            continue
        seen.add(name)
        found.append(by_target[name])
        todo.extend(step_reads(by_target[name]))
    return found


def _steps_reaching(ind: Indicator, names: Mapping[str, object]) -> set[str]:
    """The indicator's steps that read one of *names*, directly or through other steps.

    One walk over the steps, so that checking each value over all units (a chain of
    2,800 steps with 700 max_of() calls) does not follow the chain once per call.
    """
    readers: dict[str, set[str]] = {}
    todo: list[str] = []
    for step in ind.steps:
        target, reads = step_target(step), step_reads(step)
        for name in reads:
            readers.setdefault(name, set()).add(target)
        if any(name in names for name in reads):
            todo.append(target)
    found: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(readers.get(name, ()))
    return found


def step_result_reads(ind: Indicator, target: str, known: Mapping[str, object]) -> frozenset[str]:
    """The other results the steps behind ``target`` read (for ``指标<code>·<target>``)."""
    reads: set[str] = set()
    for step in _step_closure(ind, target):
        reads |= step_reads(step)
    return frozenset(n for n in reads if n in known)


def cycles(graph: Mapping[str, Iterable[str]]) -> Iterator[list[str]]:
    """Each cycle of a dependency graph once, as ``[a, b, …, a]`` (nodes in sorted order).

    Depth-first with an explicit stack: 2,800 chained steps must neither
    recurse 2,800 frames deep nor copy the trail at every step.

    >>> list(cycles({"a": ["b"], "b": ["a"], "c": ["a"]}))
    [['a', 'b', 'a']]
    """
    state: dict[str, int] = {}  # 1 visiting, 2 done
    reported: set[frozenset[str]] = set()
    for start in graph:
        if start in state:
            continue
        state[start] = 1
        trail = [start]
        stack = [iter(sorted(graph[start]))]
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                stack.pop()
                state[trail.pop()] = 2
                continue
            if dep not in graph or state.get(dep) == 2:
                continue
            if state.get(dep) == 1:
                cycle = [*trail[trail.index(dep) :], dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield cycle
                continue
            state[dep] = 1
            trail.append(dep)
            stack.append(iter(sorted(graph[dep])))


def indicator_reads(ind: Indicator) -> frozenset[str]:
    """Every name the indicator's rules read that its own steps do not compute (nor 分值)."""
    targets = {step_target(s) for s in ind.steps}
    reads: set[str] = set()
    for step in ind.steps:
        reads |= step_reads(step)
    if ind.scale is not None:
        reads |= ind.scale.variables
    if ind.value is not None:
        reads.add(ind.value)
    if ind.score is not None:
        reads |= ind.score.variables
    for policy in ind.policies:
        when = getattr(policy, "when", None)
        if isinstance(when, Formula):
            reads |= when.variables
        if isinstance(policy, Adjust):
            reads |= policy.reads
    return frozenset(reads - targets - {"分值"})


def _indicator_result_reads(ind: Indicator, known: Mapping[str, object]) -> frozenset[str]:
    return frozenset(n for n in indicator_reads(ind) if n in known)


def _result_graph(indicators: Sequence[Indicator]) -> tuple[dict[str, set[str]], dict[str, frozenset[str]]]:
    """Per indicator code, the codes whose scores must be known first; and what each reads."""
    known = result_names(indicators)
    by_code = {ind.code: ind for ind in indicators}
    reads = {ind.code: _indicator_result_reads(ind, known) for ind in indicators}
    graph: dict[str, set[str]] = {}
    for ind in indicators:
        needs: set[str] = set()
        todo = list(reads[ind.code])
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            code, step = known[name]
            if step is None:
                needs.add(code)
            else:  # a step is worked out on demand from what it reads
                todo.extend(step_result_reads(by_code[code], step, known))
        needs.discard(ind.code)  # reading its own result is reported on its own
        graph[ind.code] = needs
    return graph, reads


def result_order(indicators: Sequence[Indicator]) -> tuple[int, ...] | None:
    """The order to score indicators in so that each comes after the results it reads.

    ``None`` when no rule reads another indicator's result (the published
    order then). The scheme's validation has refused cycles.
    """
    graph, reads = _result_graph(indicators)
    if not any(reads.values()):
        return None
    index = {ind.code: k for k, ind in enumerate(indicators)}
    done: list[int] = []
    state: dict[str, int] = {}
    for ind in indicators:
        if ind.code in state:
            continue
        state[ind.code] = 1
        stack = [(ind.code, iter(sorted(graph[ind.code], key=index.__getitem__)))]
        while stack:
            code, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                state[code] = 2
                done.append(index[code])
            elif dep not in state:
                state[dep] = 1
                stack.append((dep, iter(sorted(graph[dep], key=index.__getitem__))))
    return tuple(done)


def _check_result_reads(leaves: Sequence[tuple[str, Indicator]]) -> Iterator[Problem]:
    """Names of other results must exist, may not feed values over all units, and may not form a cycle."""
    indicators = [ind for _, ind in leaves]
    known = result_names(indicators)
    codes = {ind.code: ind for ind in indicators}
    for path, ind in leaves:
        for name in sorted(indicator_reads(ind)):
            if name in known:
                code, step = known[name]
                if code == ind.code:
                    yield Problem(
                        path,
                        f"{ind.label} reads its own result '{name}'"
                        + (f"; read its step as '{step}'" if step is not None else ""),
                    )
                elif step is not None and any(
                    isinstance(s, PeerRatio | Rank) or (isinstance(s, Formula) and s.population_calls)
                    for s in _step_closure(codes[code], step)
                ):
                    yield Problem(
                        path,
                        f"'{name}' is worked out over all units (a rank, a peer ratio, max_of …) and cannot "
                        f"be read from another indicator; read 指标{code}得分 instead",
                    )
                continue
            match = _RESULT_LIKE.fullmatch(name)
            if match is None:
                continue
            code, what = match.group(1), match.group(2)
            if code not in codes:
                close = difflib.get_close_matches(code, list(codes), n=1)
                hint = f"; did you mean 指标{close[0]}{what}?" if close else ""
                yield Problem(path, f"'{name}' names no indicator (no code '{code}'){hint}")
            elif what.startswith("·"):
                steps = [step_target(s) for s in codes[code].steps]
                close = difflib.get_close_matches(what[1:], steps, n=1)
                hint = f"; did you mean 指标{code}·{close[0]}?" if close else ""
                shown = f" (its steps: {', '.join(steps)})" if steps else " (it has no steps)"
                yield Problem(
                    path, f"'{name}': indicator {codes[code].label} has no step '{what[1:]}'{shown}{hint}"
                )
        # Values over all units are taken before any unit is scored: they cannot read results.
        population: list[tuple[str, frozenset[str]]] = []
        for k, own in enumerate(ind.steps):
            if isinstance(own, PeerRatio | Rank):
                population.append((f"{path}.steps[{k}]", frozenset(own.reads)))
            elif isinstance(own, Formula):
                for call in own.population_calls:
                    population.append((f"{path}.steps[{k}]", call.argument.variables))
        if ind.score is not None:
            for call in ind.score.population_calls:
                population.append((f"{path}.score", call.argument.variables))
        reaching = _steps_reaching(ind, known) if population else set()
        for where, names in population:
            if known.keys().isdisjoint(names) and reaching.isdisjoint(names):
                continue
            reached: set[str] = set(names)
            for name in names:
                for needed in _step_closure(ind, name):
                    reached |= step_reads(needed)
            bad = sorted(n for n in reached if n in known)
            if bad:
                yield Problem(
                    where,
                    f"a value over all units (a rank, a peer ratio, max_of …) cannot read another "
                    f"indicator's result ({', '.join(bad)}): those are worked out unit by unit, later",
                )
    graph, _ = _result_graph(indicators)
    paths = {ind.code: path for path, ind in leaves}
    for cycle in cycles(graph):
        yield Problem(
            paths[cycle[0]],
            "indicators read each other's results in a cycle: "
            + " → ".join(codes[c].label for c in cycle)
            + "; read a step (指标<code>·<step>) where a score is not needed",
        )


_INDICATOR_NAME: Final = re.compile(r"指标([0-9A-Za-z][0-9A-Za-z.\-]*?)(得分率|得分|等次)")


def _choice(path: str, value: object, options: Sequence[str]) -> Iterator[Problem]:
    """A setting with a fixed set of values: anything else is a problem, with a did-you-mean."""
    if isinstance(value, str) and value in options:
        return
    close = difflib.get_close_matches(str(value), list(options), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    yield Problem(path, f"must be one of {', '.join(repr(o) for o in options)} (got {value!r}){hint}")


def _check_population(path: str, ind: Indicator) -> Iterator[Problem]:
    """A value over all units must not depend on another value over all units.

    Population values (max_of …, peer ratios, ranks) are computed in one pass
    over the units before scoring; an argument that needs another population
    value first would need a second pass.
    """
    population_targets = {
        step_target(s)
        for s in ind.steps
        if isinstance(s, PeerRatio | Rank) or (isinstance(s, Formula) and s.population_calls)
    }

    # Whether each step reads, directly or through other steps, a population
    # value: worked out once, in dependency order (not again for every formula).
    reaches: dict[str, bool] = {}
    for step in ordered_steps(ind):
        reaches[step_target(step)] = any(
            n in population_targets or reaches.get(n, False) for n in step_reads(step)
        )

    def depends(names: Iterable[str]) -> bool:
        return any(n in population_targets or reaches.get(n, False) for n in names)

    formulas: list[tuple[str, Formula]] = [
        (f"{path}.steps[{k}]", s) for k, s in enumerate(ind.steps) if isinstance(s, Formula)
    ]
    if ind.score is not None:
        formulas.append((f"{path}.score", ind.score))
    for k, policy in enumerate(ind.policies):
        when = getattr(policy, "when", None)
        if isinstance(when, Formula):
            formulas.append((f"{path}.policies[{k}].when", when))
    for where, formula in formulas:
        for call in formula.population_calls:
            if depends(call.argument.variables):
                yield Problem(where, f"{call.key} reads a value that is itself taken over all units")
    for k, step in enumerate(ind.steps):
        if isinstance(step, PeerRatio | Rank) and depends(step.reads):
            yield Problem(
                f"{path}.steps[{k}]", f"'{step.target}' reads a value that is itself taken over all units"
            )


def _rebuild_scheme(fields: dict[str, object]) -> Scheme:
    return Scheme(**fields)  # type: ignore[arg-type]


def ordered_steps(ind: Indicator) -> list[Step]:
    """The indicator's steps in an order where each comes after what it reads."""
    by_target = {step_target(s): s for s in ind.steps}
    done: list[Step] = []
    seen: set[str] = set()
    # Depth-first with an explicit stack, so a long chain of steps cannot exhaust the recursion limit.
    for step in ind.steps:
        start = step_target(step)
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(sorted(step_reads(by_target[start]))))]
        while stack:
            name, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                done.append(by_target[name])
            elif dep not in seen and dep in by_target:
                seen.add(dep)
                stack.append((dep, iter(sorted(step_reads(by_target[dep])))))
    return done


def _show(value: Number | int) -> str:
    shown = exact(as_fraction(value))
    return str(shown) if isinstance(shown, Decimal) else f"{float(shown):.4g}"


def _score_scale(
    scores: Mapping[str, tuple[Number, Number]],
    full: Number,
    variable: str = "得分",
    *,
    domain: tuple[Number | None, Number | None] | None = None,
) -> GradeScale:
    """A threshold scale over 0..full from the grades' score intervals (scaled to full)."""
    ordered = sorted(scores.items(), key=lambda kv: as_fraction(kv[1][0]), reverse=True)
    factor = as_fraction(full) / 100
    bands = []
    q = f"「{variable}」"
    for i, (name, (lo, _hi)) in enumerate(ordered):
        low = _show(as_fraction(lo) * factor)
        if i == 0:
            text = f"{q}>={low}"
        else:
            prev_low = _show(as_fraction(ordered[i - 1][1][0]) * factor)
            text = f"{low}<={q}<{prev_low}" if i < len(ordered) - 1 else f"{q}<{prev_low}"
        bands.append(GradeBand(name=name, conditions=[text], score=(lo, _hi)))
    return GradeScale(bands=bands, scoring="midpoint", domain=domain or (Decimal(0), full))


def group_paths(scheme: Scheme) -> Sequence[tuple[Group, tuple[Indicator, ...]]]:
    """Every group with its leaves, in order."""
    return [(node, tuple(node.indicators())) for _, node in scheme.paths() if isinstance(node, Group)]
