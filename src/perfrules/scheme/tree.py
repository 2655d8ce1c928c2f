"""The indicator tree as frozen data: :class:`Indicator` (三级指标) and :class:`Group` (一级/二级指标).

Each field's converter checks and normalises what it is given (names, numbers,
per-category weights), so a tree that exists holds well-formed values; whether
the tree adds up is the scheme's check (:mod:`perfrules.scheme.checks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from .._frozen import FrozenDict
from .._numbers import Number, as_fraction, exact, to_number
from .._todo import Todo, to_todos
from ..formula.language import Formula, normalize_name
from ..grading.scale import GradeScale
from .fields import (
    FREQUENCIES,
    Frequency,
    _label,
    _name,
    _number,
    _optional_formula,
    _optional_name,
    _optional_number,
)
from .policies import Policy, _to_policies
from .steps import Step, _to_steps


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


def _places(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"decimal places must be a whole number 0–10 (got {value!r})")
    return value


def _show(value: Number | int) -> str:
    shown = exact(as_fraction(value))
    return str(shown) if isinstance(shown, Decimal) else f"{float(shown):.4g}"
