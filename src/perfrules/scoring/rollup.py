"""Units above units: a parent's total as the mean of its sub-units' totals (``[roll_up]``).

A step after a batch's units are scored (see :func:`~perfrules.scoring.batch.score_batch`):
the units' tree is read from the data first (:func:`unit_tree`, which refuses
a unit naming itself, a cycle and an unknown parent), the units that are no
one's parent are scored as usual, and then each level of parents in turn gets
the (weighted) mean of its sub-units' totals, graded by the scheme's overall
grading and ranked among its own level. Per-unit scoring is untouched.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from .._errors import DataError, PerfrulesError, Problem
from .._numbers import as_fraction, exact, round_half_up, tidy_decimal
from .._words import num
from ..formula.language import normalize_name
from ..scheme.model import Scheme
from ..scheme.overall import RollUp
from ..scheme.units import PolicyEvent, Unit, UnitError
from .outcome import UnitOutcome, unit_error
from .overall import grade_total, overall_scope
from .plan import Plan

__all__ = ["UnitTree", "refuse_roll_up", "roll_up_level", "unit_tree"]


@attrs.frozen
class UnitTree:
    """The units of a batch as a tree: who is whose parent, and the parents level by level.

    Attributes:
        scored: the units scored from their data (no one's parent), in the data's order.
        levels: the parents, level 1 (parents of scored units only) first;
            a parent's level is one above its highest sub-unit's.
        children: each parent's sub-units' names, in the data's order.
    """

    scored: tuple[Unit, ...]
    levels: tuple[tuple[Unit, ...], ...]
    children: Mapping[str, tuple[str, ...]]


def refuse_roll_up(scheme: Scheme, where: str) -> None:
    """Refuse a scheme with ``roll_up`` on a path that scores units apart (streams, chunks, partitions).

    Raises:
        ValueError: the scheme has ``roll_up``; the message names the paths that score it.
    """
    if scheme.roll_up is not None:
        raise ValueError(
            f"{where} scores units apart, so it cannot work out parents from their sub-units "
            f"(the scheme '{scheme.name}' has [roll_up]); score it with perfrules.evaluate() "
            "(the command line's score does so for such schemes)"
        )


def _where(unit: Unit, column: str) -> str:
    return f"{unit.origin or 'unit ' + repr(unit.name)}, column '{column}'"


def parent_of(roll_up: RollUp, unit: Unit) -> str | None:
    """The parent *unit* names in the parent column (None when the cell is empty or absent)."""
    value = unit.data.get(roll_up.parent)
    if value is None:
        return None
    name = normalize_name(str(value))
    return name or None


def unit_tree(roll_up: RollUp, units: Sequence[Unit]) -> UnitTree:
    """The batch's units as a tree, from each unit's parent column.

    Raises:
        DataError: a unit names itself as its parent, units name each other
            in a cycle, or a unit names a parent that has no row of its own;
            each problem names the unit's row and the column, with a hint.

    >>> from perfrules import RollUp, Unit
    >>> tree = unit_tree(RollUp(parent="上级单位"), [
    ...     Unit(name="甲市", data={}),
    ...     Unit(name="甲县", data={"上级单位": "甲市", "得分": 1}),
    ...     Unit(name="乙县", data={"上级单位": "甲市", "得分": 2})])
    >>> [u.name for u in tree.scored], [[u.name for u in level] for level in tree.levels]
    (['甲县', '乙县'], [['甲市']])
    """
    by_name = {u.name: u for u in units}
    column = roll_up.parent
    problems: list[Problem] = []
    parent: dict[str, str] = {}
    for unit in units:
        above = parent_of(roll_up, unit)
        if above is None:
            continue
        if above == unit.name:
            problems.append(
                Problem(
                    _where(unit, column),
                    f"unit '{unit.name}' names itself as its parent; leave the cell empty for a unit "
                    "with no parent, or name the unit above it",
                )
            )
        elif above not in by_name:
            close = difflib.get_close_matches(above, list(by_name), n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(
                Problem(
                    _where(unit, column),
                    f"no unit '{above}' in the data; {hint}every parent needs a row of its own "
                    "(its name, and its category if any)",
                )
            )
        else:
            parent[unit.name] = above
    reported: set[str] = set()
    for unit in units:
        trail = [unit.name]
        while trail[-1] in parent and trail[-1] not in reported:
            nxt = parent[trail[-1]]
            if nxt in trail:
                cycle = [*trail[trail.index(nxt) :], nxt]
                reported.update(cycle)
                problems.append(
                    Problem(
                        _where(by_name[nxt], column),
                        f"units name each other as parents in a cycle ({' → '.join(cycle)}); "
                        "the unit at the top leaves its parent cell empty",
                    )
                )
                break
            trail.append(nxt)
    if problems:
        raise DataError(problems, title=f"the units' parents (column '{column}') do not make a tree")
    children: dict[str, list[str]] = {}
    for unit in units:
        if unit.name in parent:
            children.setdefault(parent[unit.name], []).append(unit.name)
    level: dict[str, int] = {}

    def height(name: str) -> int:
        if name not in level:
            level[name] = 1 + max((height(c) for c in children[name]), default=-1) if name in children else 0
        return level[name]

    for unit in units:
        height(unit.name)
    top = max(level.values(), default=0)
    return UnitTree(
        scored=tuple(u for u in units if level[u.name] == 0),
        levels=tuple(tuple(u for u in units if level[u.name] == k) for k in range(1, top + 1)),
        children={k: tuple(v) for k, v in children.items()},
    )


def _weight(roll_up: RollUp, unit: Unit) -> Fraction | str:
    """A sub-unit's weight in its parent's mean, or why it has none."""
    column = roll_up.weight
    if column is None:
        return Fraction(1)
    value = unit.data.get(column)
    if value is None:
        return f"sub-unit '{unit.name}' has no weight in column '{column}'; give its weight ({column})"
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction):
        return f"sub-unit '{unit.name}' has a weight that is not a number in column '{column}' ({value!r})"
    weight = as_fraction(value)
    if weight <= 0:
        return f"sub-unit '{unit.name}' has the weight {num(value)} in column '{column}'; a weight is above 0"
    return weight


def roll_up_level(
    plan: Plan, tree: UnitTree, parents: Sequence[Unit], done: Mapping[str, UnitOutcome], level: int
) -> list[UnitOutcome]:
    """The outcomes of one level of parents, from their sub-units' outcomes in *done* (not yet ranked)."""
    roll_up = plan.scheme.roll_up
    assert roll_up is not None
    return [
        _parent(plan, roll_up, unit, [done[c] for c in tree.children[unit.name]], level) for unit in parents
    ]


def _parent(plan: Plan, roll_up: RollUp, unit: Unit, subs: Sequence[UnitOutcome], level: int) -> UnitOutcome:
    words = plan.words
    out = UnitOutcome(unit)
    out.level = level
    errors: list[UnitError] = [*unit.problems]

    def fail(message: str, field: str | None = None) -> None:
        errors.append(
            UnitError(
                unit=unit.name,
                indicator=None,
                field=field,
                message=message,
                error="DataError",
                origin=unit.origin,
            )
        )

    own = sorted(k for k in unit.data if k not in (roll_up.parent, roll_up.weight))
    if own or unit.periods or unit.not_applicable:
        shown = ", ".join(own) or words("期间或不适用", "periods or not applicable")
        fail(
            f"parent '{unit.name}' has data of its own ({shown}); a parent's total is the mean of its "
            "sub-units', so its row gives only its name, category, parent and weight"
        )
    terms: list[tuple[UnitOutcome, Fraction]] = []
    for sub in subs:
        weight = _weight(roll_up, sub.unit)
        if isinstance(weight, str):
            fail(weight, roll_up.weight)
        elif sub.total is None:
            fail(
                f"sub-unit '{sub.unit.name}' was not scored (see its own errors), so the mean for "
                f"'{unit.name}' cannot be taken"
            )
        else:
            terms.append((sub, weight))
    if errors:
        out.errors = errors
        return out
    weights = sum((w for _, w in terms), Fraction(0))
    mean = sum((as_fraction(s.total) * w for s, w in terms if s.total is not None), Fraction(0)) / weights
    events: list[PolicyEvent] = []
    weighted = roll_up.weight is not None
    for sub, w in terms:
        events.append(
            PolicyEvent(
                kind="roll_up",
                message=words(
                    f"下级单位 {sub.unit.name}：总分 {num(sub.total)}"
                    + (f"，权重（{roll_up.weight}）{num(w)}" if weighted else ""),
                    f"sub-unit {sub.unit.name}: total {num(sub.total)}"
                    + (f", weight ({roll_up.weight}) {num(w)}" if weighted else ""),
                ),
            )
        )
    if weighted:
        shown = " + ".join(f"{num(s.total)}×{num(w)}" for s, w in terms)
        text = words(
            f"加权平均：({shown}) ÷ {num(weights)} = {num(mean)}",
            f"weighted mean: ({shown}) / {num(weights)} = {num(mean)}",
        )
    else:
        shown = " + ".join(num(s.total) for s, _ in terms)
        text = words(
            f"平均：({shown}) ÷ {len(terms)} = {num(mean)}", f"mean: ({shown}) / {len(terms)} = {num(mean)}"
        )
    events.append(PolicyEvent(kind="roll_up", message=text))
    total = exact(mean)
    places = plan.scheme.round_total
    if places is not None:
        rounded = tidy_decimal(round_half_up(total, places))
        if rounded != total:
            events.append(
                PolicyEvent(
                    kind="rounded",
                    message=words(
                        f"总分 {num(total)} 四舍五入保留 {places} 位小数为 {num(rounded)}",
                        f"the total {num(total)} rounded half up to {places} places: {num(rounded)}",
                    ),
                )
            )
        total = rounded
    try:
        scope = None
        if plan.rich_overall:
            n = len(plan.indicators)
            scope = overall_scope(plan, unit, total, [Fraction(0)] * n, [None] * n, [None] * n, [None] * n)
        out.grade = grade_total(plan, total, scope, events, unit.category)
    except PerfrulesError as exc:
        error = unit_error(unit, None, exc)
        hint = (
            "; a parent has no indicator results or data of its own: its grading, caps and flags "
            "may read 总分 and its own row only"
        )
        out.errors = [attrs.evolve(error, message=error.message + hint)]
        out.events = events
        return out
    out.total = total
    out.events = events
    return out
