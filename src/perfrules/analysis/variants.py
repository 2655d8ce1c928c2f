"""Variant schemes for the uncertainty analysis: shifted boundaries, policies' alternatives, group means.

:func:`perfrules.sensitivity` varies more than weights. Each variant here is
the scheme as published with one setting changed — built with
``attrs.evolve`` on the scheme's own objects (a scale's bands, a policy, a
group's ``aggregate``, the scheme's ``normalize`` or ``caps``), so it is
checked like any scheme and scored by the same compiled plan. Nothing here
scores: a variant is data, and :func:`perfrules.evaluate` runs it.

- **Boundaries** (:func:`with_boundaries`): every boundary between two
  bands of a threshold scale moves by the same δ, in the scale's own units (a
  boundary written ``90%`` moves by δ %, one written ``90`` or ``90分`` by δ),
  so the bands keep their widths and order. The ends of the scale's domain
  and one-point bands (``=100%``) stay where they are.
- **Policies** (:func:`with_policy`): the alternatives the scheme model has
  as settings — see :data:`POLICY_CHOICES`.
- **Aggregates** (:func:`with_aggregate`): a group's ``sum``, ``geometric``
  or ``harmonic`` mean of its parts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal, cast

import attrs

from .._numbers import Number, as_fraction, exact, round_half_up
from ..formula.language import Formula
from ..formula.tree import BoolOp, Chain, Compare, Name, Node, Num, Percent, Unary, show
from ..grading.bands import MatchPolicy, _number_constant
from ..grading.scale import GradeScale
from ..scheme.model import Scheme
from ..scheme.policies import Default, NotApplicable, Veto
from ..scheme.tree import Group, Indicator

__all__ = [
    "AGGREGATES",
    "DEFAULT_SCORES",
    "MEAN_PLACES",
    "OVERALL",
    "POLICY_CHOICES",
    "aggregate_groups",
    "boundary_limit",
    "group_label",
    "policy_choices",
    "shift_scale",
    "shiftable_scales",
    "with_aggregate",
    "with_boundaries",
    "with_default_score",
    "with_policy",
]

Aggregate = Literal["sum", "geometric", "harmonic"]

OVERALL: Final = "overall"
"""The name of the overall grading among the scales whose boundaries move."""

DEFAULT_SCORES: Final = ("bottom", "midpoint", "top")
"""The alternatives of a default's score within its grade (R4: 默认为"良"区中值)."""

AGGREGATES: Final = ("sum", "geometric", "harmonic")
"""The means a group's parts can make its subtotal with (``Group.aggregate``)."""

MEAN_PLACES: Final = 6
"""Decimal places of a group's subtotal when a variant makes it a geometric mean and the group sets none."""

POLICY_CHOICES: Final[Mapping[str, str]] = {
    "default-score": "the score a 'no data' default gives within its grade: bottom, midpoint, top",
    "not-applicable": (
        "where a not-applicable indicator's weight goes: receiver (to the indicator the scheme names, "
        "else over its group), group (over its group), scheme (折算: over the whole scheme)"
    ),
    "grade-match": (
        "scales that take the lowest (就低不就高) or the highest grade of several criteria: lowest, highest"
    ),
    "caps": "the [[caps]] on the overall grade and total: apply, drop (the grading of the total alone)",
    "veto": "what a veto does: zero (the total becomes 0), lowest_grade (the lowest overall grade)",
}
"""The policy factors :func:`perfrules.sensitivity` can vary, with what their alternatives are."""


# ---------------------------------------------------------------------------
# The tree, rebuilt with some nodes changed
# ---------------------------------------------------------------------------


def _mapped(
    scheme: Scheme,
    indicator: Callable[[Indicator], Indicator] | None = None,
    group: Callable[[str, Group], Group] | None = None,
) -> tuple[Group, ...]:
    """The scheme's groups with *indicator* applied to every leaf and *group* to every group (by path)."""

    def walk(path: str, node: Group | Indicator) -> Group | Indicator:
        if isinstance(node, Indicator):
            return node if indicator is None else indicator(node)
        children = tuple(walk(f"{path}.children[{i}]", child) for i, child in enumerate(node.children))
        if any(a is not b for a, b in zip(children, node.children, strict=True)):
            # A group's weight, if it has one, rescales its children again: they
            # already add up to it, so nothing changes.
            node = attrs.evolve(node, children=children)
        return node if group is None else group(path, node)

    out = []
    for i, top in enumerate(scheme.groups):
        new = walk(f"groups[{i}]", top)
        assert isinstance(new, Group)
        out.append(new)
    return tuple(out)


# ---------------------------------------------------------------------------
# Boundaries
# ---------------------------------------------------------------------------


def shiftable_scales(scheme: Scheme) -> dict[str, GradeScale]:
    """The threshold scales whose boundaries can move: ``overall`` and indicator code → its scale.

    A threshold scale grades one measured value by intervals (R1, R2); scales
    on several values or on categories have no boundaries to move. A scale
    qualifies when it has at least one boundary between bands (not an end of
    its domain, not a one-point band).
    """
    found: dict[str, GradeScale] = {}
    overall = scheme.overall_scale
    if overall is not None and overall.is_threshold and _movable(overall):
        found[OVERALL] = overall
    for ind in scheme.indicators():
        if ind.scale is not None and ind.scale.is_threshold and _movable(ind.scale):
            found[ind.code] = ind.scale
    return found


def _fixed(scale: GradeScale) -> set[Fraction]:
    """Values that stay: the ends of the domain and every one-point band."""
    fixed: set[Fraction] = set()
    if scale.domain is not None:
        fixed |= {as_fraction(end) for end in (scale.domain.lo, scale.domain.hi) if end is not None}
    for band in scale.bands:
        fixed |= {
            as_fraction(iv.lo) for iv in scale.intervals(band.name) if iv.is_point and iv.lo is not None
        }
    return fixed


def _constants(node: Node) -> Iterable[tuple[Node, Fraction, Fraction]]:
    """Each constant a comparison compares with: the node, its value, and its unit (1/100 for ``x%``)."""
    if isinstance(node, BoolOp):
        for operand in node.operands:
            yield from _constants(operand)
    elif isinstance(node, Compare):
        for operand in (node.first, *(right for _, right in node.rest)):
            if isinstance(operand, Name):
                continue
            value = _number_constant(operand)
            if value is not None:
                unit = Fraction(1, 100) if isinstance(operand, Percent) else Fraction(1)
                yield operand, as_fraction(value), unit


def _movable(scale: GradeScale) -> bool:
    fixed = _fixed(scale)
    return any(
        value not in fixed
        for band in scale.bands
        for condition in band.conditions
        for _, value, _ in _constants(condition.tree)
    )


def boundary_limit(scale: GradeScale) -> Fraction | None:
    """The shift (in the scale's units) a boundary may not reach: its distance to the nearest fixed value.

    None when nothing stays (a scale open at both ends without one-point bands).
    """
    fixed = _fixed(scale)
    if not fixed:
        return None
    limits = [
        min(abs(value - f) for f in fixed) / unit
        for band in scale.bands
        for condition in band.conditions
        for _, value, unit in _constants(condition.tree)
        if value not in fixed
    ]
    return min(limits) if limits else None


def _constant_node(value: Fraction, percent: bool) -> Node:
    shown = value * 100 if percent else value
    number = exact(abs(shown))
    node: Node = (
        Num(number)
        if isinstance(number, Decimal)
        # a boundary written as a fraction (1/3), moved: kept exact as one
        else Chain(Num(Decimal(abs(shown).numerator)), (("/", Num(Decimal(abs(shown).denominator))),))
    )
    if percent:
        node = Percent(node)
    return Unary("-", node) if shown < 0 else node


def _shift_tree(node: Node, fixed: set[Fraction], delta: Fraction, quantum: Fraction | None) -> Node:
    if isinstance(node, BoolOp):
        return BoolOp(node.op, tuple(_shift_tree(o, fixed, delta, quantum) for o in node.operands))
    if not isinstance(node, Compare):
        return node

    def moved(operand: Node) -> Node:
        if isinstance(operand, Name):
            return operand
        value = _number_constant(operand)
        if value is None or as_fraction(value) in fixed:
            return operand
        unit = Fraction(1, 100) if isinstance(operand, Percent) else Fraction(1)
        step = delta * unit
        if quantum is not None:
            step = as_fraction(round_half_up(step / quantum, 0)) * quantum
        return _constant_node(as_fraction(value) + step, isinstance(operand, Percent))

    return Compare(moved(node.first), tuple((op, moved(right)) for op, right in node.rest))


def _quantum(scale: GradeScale) -> Fraction | None:
    """The step values come in: whole counts (1), or the rounding of ``precision`` (10⁻ᵖ); None: any."""
    if scale.variable is not None and scale.variable in scale.counts:
        return Fraction(1)
    if scale.precision is not None:
        return Fraction(1, 10**scale.precision)
    return None


def shift_scale(scale: GradeScale, delta: Number) -> GradeScale:
    """The threshold scale with every boundary between its bands moved by *delta*, in its own units.

    A boundary written as a percentage (``90%``) moves by *delta* percent,
    any other by *delta*. The ends of the domain and one-point bands stay.
    A scale whose values are whole counts, or rounded by ``precision``, moves
    by whole steps of those (the shift is rounded half up to them), so that
    no value falls between two bands.

    >>> scale = GradeScale.parse("优：得分≥90；良：80≤得分<90；差：得分<80", domain=(0, 100))
    >>> shift_scale(scale, 2).boundaries
    (Decimal('0'), Decimal('82'), Decimal('92'), Decimal('100'))
    """
    shift = as_fraction(delta)
    if shift == 0:
        return scale
    fixed = _fixed(scale)
    quantum = _quantum(scale)
    bands = []
    for band in scale.bands:
        conditions = []
        for condition in band.conditions:
            tree = _shift_tree(condition.tree, fixed, shift, quantum)
            conditions.append(
                condition if tree == condition.tree else Formula(text=show(tree), target=None, tree=tree)
            )
        bands.append(attrs.evolve(band, conditions=conditions))
    return attrs.evolve(scale, bands=bands, source=None)


def with_boundaries(scheme: Scheme, shifts: Mapping[str, Number]) -> Scheme:
    """The scheme with the boundaries of some scales moved: ``overall`` or an indicator code → δ.

    See :func:`shift_scale`. The overall grading as a scheme derives it from
    its ``scores`` becomes an explicit ``overall`` with the moved boundaries.
    """
    moving = {key: delta for key, delta in shifts.items() if delta != 0}
    if not moving:
        return scheme
    codes = {key for key in moving if key != OVERALL}

    def indicator(ind: Indicator) -> Indicator:
        if ind.code not in codes or ind.scale is None:
            return ind
        return attrs.evolve(ind, scale=shift_scale(ind.scale, moving[ind.code]))

    changes: dict[str, Any] = {}
    if codes:
        changes["groups"] = _mapped(scheme, indicator=indicator)
    if OVERALL in moving and scheme.overall_scale is not None:
        changes["overall"] = shift_scale(scheme.overall_scale, moving[OVERALL])
    return attrs.evolve(scheme, **changes) if changes else scheme


# ---------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------


def _na_policies(scheme: Scheme) -> list[NotApplicable]:
    return [p for ind in scheme.indicators() for p in ind.policies if isinstance(p, NotApplicable)]


def _vetoes(scheme: Scheme) -> list[Veto]:
    found = [p for p in scheme.policies if isinstance(p, Veto)]
    return found + [p for ind in scheme.indicators() for p in ind.policies if isinstance(p, Veto)]


def _matching_scales(scheme: Scheme) -> bool:
    scales = [ind.scale for ind in scheme.indicators() if ind.scale is not None]
    if scheme.overall is not None:
        scales.append(scheme.overall)
    return any(s.policy in ("lowest", "highest") for s in scales)


def policy_choices(scheme: Scheme, name: str) -> tuple[str, ...]:
    """The alternatives of policy *name* this scheme has (empty: it has nothing to vary there).

    Raises:
        ValueError: an unknown policy name (the message lists the known ones).
    """
    if name not in POLICY_CHOICES:
        raise ValueError(f"no policy '{name}' to vary (the policies: {', '.join(POLICY_CHOICES)})")
    if name == "default-score":
        has = any(
            isinstance(p, Default) and p.score in DEFAULT_SCORES
            for ind in scheme.indicators()
            for p in ind.policies
        )
        return DEFAULT_SCORES if has else ()
    if name == "not-applicable":
        receiver = ("receiver",) if any(p.to is not None for p in _na_policies(scheme)) else ()
        return (*receiver, "group", "scheme")
    if name == "grade-match":
        return ("lowest", "highest") if _matching_scales(scheme) else ()
    if name == "caps":
        return ("apply", "drop") if scheme.caps else ()
    return ("zero", "lowest_grade") if _vetoes(scheme) else ()


def with_default_score(scheme: Scheme, score: str) -> Scheme:
    """The scheme with every default that names a score within its grade giving *score* instead."""

    def swap(ind: Indicator) -> Indicator:
        if not any(isinstance(p, Default) and p.score in DEFAULT_SCORES for p in ind.policies):
            return ind
        policies = tuple(
            attrs.evolve(p, score=score) if isinstance(p, Default) and p.score in DEFAULT_SCORES else p
            for p in ind.policies
        )
        return attrs.evolve(ind, policies=policies)

    return attrs.evolve(scheme, groups=_mapped(scheme, indicator=swap))


def _with_indicator_policies(
    scheme: Scheme, kind: type, change: Callable[[Any], Any], **scheme_changes: Any
) -> Scheme:
    def swap(ind: Indicator) -> Indicator:
        if not any(isinstance(p, kind) for p in ind.policies):
            return ind
        return attrs.evolve(
            ind, policies=tuple(change(p) if isinstance(p, kind) else p for p in ind.policies)
        )

    return attrs.evolve(scheme, groups=_mapped(scheme, indicator=swap), **scheme_changes)


def with_policy(scheme: Scheme, name: str, choice: str) -> Scheme:
    """The scheme with policy *name* (see :data:`POLICY_CHOICES`) set to *choice*.

    The choice that is the scheme's own gives an equal scheme.

    Raises:
        ValueError: a name or choice this scheme does not have.
    """
    choices = policy_choices(scheme, name)
    if choice not in choices:
        raise ValueError(
            f"policy '{name}' of scheme '{scheme.name}' has no alternative '{choice}'"
            + (f" (it has: {', '.join(choices)})" if choices else " (it has nothing to vary there)")
        )
    if name == "default-score":
        return with_default_score(scheme, choice)
    if name == "not-applicable":
        if choice == "scheme":
            return scheme if scheme.normalize else attrs.evolve(scheme, normalize=True)
        if choice == "receiver":
            return attrs.evolve(scheme, normalize=False) if scheme.normalize else scheme
        return _with_indicator_policies(
            scheme, NotApplicable, lambda p: attrs.evolve(p, to=None), normalize=False
        )
    if name == "grade-match":

        def matched(scale: GradeScale | None) -> GradeScale | None:
            if scale is None or scale.policy not in ("lowest", "highest") or scale.policy == choice:
                return scale
            return attrs.evolve(scale, policy=cast(MatchPolicy, choice))

        def rescale(ind: Indicator) -> Indicator:
            scale = matched(ind.scale)
            return ind if scale is ind.scale else attrs.evolve(ind, scale=scale)

        return attrs.evolve(
            scheme, groups=_mapped(scheme, indicator=rescale), overall=matched(scheme.overall)
        )
    if name == "caps":
        return scheme if choice == "apply" else attrs.evolve(scheme, caps=())

    def effect(policy: Veto) -> Veto:
        wanted = cast(Literal["zero", "lowest_grade"], choice)
        return policy if policy.effect == wanted else attrs.evolve(policy, effect=wanted)

    policies = tuple(effect(p) if isinstance(p, Veto) else p for p in scheme.policies)
    return _with_indicator_policies(scheme, Veto, effect, policies=policies)


# ---------------------------------------------------------------------------
# Group means
# ---------------------------------------------------------------------------


def aggregate_groups(scheme: Scheme) -> dict[str, str]:
    """Every group with two or more parts (whose mean can differ from their sum): path → label."""
    groups = [
        (path, node) for path, node in scheme.paths() if isinstance(node, Group) and len(node.children) > 1
    ]
    names = [g.name for _, g in groups]
    return {path: group_label(path, g, names) for path, g in groups}


def group_label(path: str, group: Group, names: Sequence[str]) -> str:
    """A group's name, or its path when two groups share the name."""
    return group.name if names.count(group.name) == 1 else f"{group.name}@{path}"


def with_aggregate(scheme: Scheme, path: str, aggregate: str) -> Scheme:
    """The scheme with the group at *path* making its subtotal by *aggregate* (sum, geometric, harmonic).

    A geometric mean is rounded to the group's ``places``, or to
    :data:`MEAN_PLACES` when it sets none; a sum has no places.

    Raises:
        ValueError: an unknown aggregate, or no group at *path*.
    """
    if aggregate not in AGGREGATES:
        raise ValueError(f"no aggregate '{aggregate}' (the aggregates: {', '.join(AGGREGATES)})")
    if not any(p == path and isinstance(node, Group) for p, node in scheme.paths()):
        raise ValueError(f"scheme '{scheme.name}' has no group at {path}")

    def change(where: str, group: Group) -> Group:
        if where != path or group.aggregate == aggregate:
            return group
        places = None if aggregate == "sum" else group.places
        if aggregate == "geometric" and places is None:
            places = MEAN_PLACES
        return attrs.evolve(group, aggregate=cast(Aggregate, aggregate), places=places)

    return attrs.evolve(scheme, groups=_mapped(scheme, group=change))
