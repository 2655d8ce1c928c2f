"""Reweighting: what-if changes to a scheme's weights, and how the ranking moves.

A :class:`~perfrules.Scheme` that exists is valid, so a reweighted scheme is
built — and checked — like any other: the weights of every category column
must still add up to the scheme's total, and every group's declared subtotal
must still match its indicators. :func:`reweight` either keeps the change as
given (and lets that check fail loudly) or, with ``rebalance=True``, scales the
other indicators of the same group so that nothing else moves.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from .._errors import Problem, SchemeError, expect_scheme
from .._numbers import Number, as_fraction, exact, round_half_up, to_number
from ..formula.language import normalize_name
from ..results.model import Evaluation, UnitResult, evaluate
from ..scheme.model import Scheme
from ..scheme.tree import Group, Indicator
from ..scheme.units import Unit

__all__ = ["compare", "compare_schemes", "reweight"]

Column = str | None
"""A weight column: a unit category, or ``None`` for schemes without categories."""

WeightTable = dict[str, dict[Column, Fraction]]
"""Indicator code → column → the weight used for that column."""


# ---------------------------------------------------------------------------
# Shared with _sensitivity: the weights as a table, and back into a scheme
# ---------------------------------------------------------------------------


def weight_table(scheme: Scheme) -> WeightTable:
    """Every indicator's weight in every column the scheme checks, as exact fractions."""
    columns = scheme.weight_columns()
    return {
        ind.code: {col: as_fraction(ind.weight_for(col)) for col in columns} for ind in scheme.indicators()
    }


def sibling_sets(scheme: Scheme) -> list[tuple[str, Group, tuple[str, ...]]]:
    """Each group (path, group) with the codes of the indicators directly under it.

    Weights move only among these: scaling the direct leaves of a group so
    their sum is unchanged keeps that group's subtotal, hence every subtotal
    above it and the scheme's total, without touching any sub-group.
    """
    sets = []
    for path, node in scheme.paths():
        if isinstance(node, Group):
            codes = tuple(c.code for c in node.children if isinstance(c, Indicator))
            if codes:
                sets.append((path, node, codes))
    return sets


def rebuild(
    scheme: Scheme,
    table: WeightTable,
    subtotals: Mapping[str, Mapping[Column, Fraction]] | None = None,
    resized: frozenset[str] = frozenset(),
) -> Scheme:
    """The scheme with the weights of *table* (only the indicators whose weights differ are rebuilt).

    *subtotals* (group path → column → subtotal) gives the groups that
    declare a subtotal their new one, for a change that moves weight between
    groups. A group given its weight as one number (``Group.weight``) takes
    the new sum of its indicators as that number; the groups named in
    *resized* (changed as a whole) take it as their declared subtotal too.

    Raises:
        SchemeError: the new weights break a total or a declared subtotal.
    """
    before = weight_table(scheme)
    columns = scheme.weight_columns()
    replaced: dict[str, Indicator] = {}
    points = scheme.basis == "points"
    for ind in scheme.indicators():
        new = table[ind.code]
        if all(new[col] == before[ind.code][col] for col in columns):
            continue
        # In a points scheme an indicator's points are also the scale of its
        # score (得分 in 分 out of its 分值): a new weight must change what the
        # score counts for, not the scale it was awarded on, so the old points
        # stay as its full points.
        full = ind.weight if points and ind.full is None and not ind.weights and ind.weight else ind.full
        if columns == (None,):
            replaced[ind.code] = attrs.evolve(ind, weight=exact(new[None]), full=full)
            continue
        values = {col: exact(new[col]) for col in columns if col is not None}
        if not ind.weights and len(set(values.values())) == 1:
            # One weight for every category stays one weight, as it was written.
            replaced[ind.code] = attrs.evolve(ind, weight=next(iter(values.values())), full=full)
        else:
            # Per category likewise: the old points of each changed column stay its full points.
            fulls = dict(ind.fulls)
            if points and ind.full is None:
                for col, value in values.items():
                    old = ind.weight_for(col)
                    if value != old and old and col not in fulls:
                        fulls[col] = old
            replaced[ind.code] = attrs.evolve(ind, weights={**ind.weights, **values}, fulls=fulls)
    if not replaced:
        return scheme

    def swap(node: Group | Indicator, path: str) -> Group | Indicator:
        if isinstance(node, Indicator):
            return replaced.get(node.code, node)
        children = tuple(swap(child, f"{path}.children[{i}]") for i, child in enumerate(node.children))
        changes: dict[str, object] = {}
        new = (subtotals or {}).get(path)
        if new is not None and (node.declared is not None or node.declared_by_category):
            changes.update(_declared(node, new, columns))
        if node.weight is not None or node.name in resized:
            # The group's one number follows its indicators (it would otherwise scale them back).
            sums = {
                sum((as_fraction(table[i.code][col]) for i in node.indicators()), Fraction(0))
                for col in columns
            }
            weight = exact(next(iter(sums))) if len(sums) == 1 else None
            if node.weight is not None:
                changes["weight"] = weight
            if node.name in resized and node.declared is not None:
                changes["declared"] = weight
        return attrs.evolve(node, children=children, **changes)  # type: ignore[arg-type]

    groups = []
    for i, group in enumerate(scheme.groups):
        swapped = swap(group, f"groups[{i}]")
        assert isinstance(swapped, Group)
        groups.append(swapped)
    return attrs.evolve(scheme, groups=tuple(groups))


def _declared(group: Group, new: Mapping[Column, Fraction], columns: tuple[Column, ...]) -> dict[str, Any]:
    """A group's declared subtotal(s) set to *new*, written as the group wrote them where they allow."""
    if columns == (None,):
        return {"declared": exact(new[None])}
    values = {col: exact(new[col]) for col in columns if col is not None}
    if not group.declared_by_category and len(set(values.values())) == 1:
        return {"declared": next(iter(values.values()))}
    declared = group.declared
    return {"declared": declared, "declared_by_category": values}


def _column(scheme: Scheme, category: str | None) -> tuple[Column, ...]:
    if category is None:
        return scheme.weight_columns()
    wanted = normalize_name(category)
    if not scheme.categories:
        raise ValueError(f"scheme '{scheme.name}' has no categories; leave out category=")
    if wanted not in scheme.categories:
        close = difflib.get_close_matches(wanted, scheme.categories, n=3, cutoff=0.3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(
            f"no category '{category}' in scheme '{scheme.name}' "
            f"(categories: {', '.join(scheme.categories)}){hint}"
        )
    return (wanted,)


def reweight(
    scheme: Scheme,
    changes: Mapping[str, object],
    *,
    category: str | None = None,
    rebalance: bool = False,
) -> Scheme:
    """A copy of *scheme* with some indicators' weights (or points) changed.

    The new scheme is built, hence validated, like any other. Without
    ``rebalance`` the change is taken as given, so it must keep every total:
    moving 4 points from one indicator to another of the same declared group
    is fine; changing a single weight is not, and raises the ``SchemeError``
    that lists each total and subtotal it breaks. With ``rebalance=True`` the
    *other* indicators directly in the same (innermost) group are scaled in
    proportion to their weights — exactly, with fractions — so that group's
    subtotal, every declared subtotal above it and the scheme's total stay as
    they were. Declared subtotals are never changed.

    Args:
        scheme: the scheme to start from.
        changes: indicator code or name → the new weight (percent or points,
            as the scheme's ``basis``); read exactly with :func:`perfrules.to_number`.
            Or a group's name → its new weight as one number: its indicators
            are scaled in proportion (and, with ``rebalance``, the indicators of
            its sibling groups, so the total stays); the group's declared
            subtotal follows. Groups and indicators are changed in separate calls.
        category: change only this category's column (``Indicator.weights[category]``);
            by default every column the scheme checks gets the new weight.
        rebalance: scale the other indicators of the same group to keep its subtotal.

    Returns:
        The new scheme. Weights are exact: Decimal when they terminate, else Fraction.

    Raises:
        KeyError: an unknown indicator or category (close names are suggested).
        ValueError: two keys name the same indicator, ``category`` is given
            for a scheme without categories, or an indicator's weight is read
            per unit from the data (``weight_from``).
        SchemeError: the new weights break a total or a declared subtotal, or
            (with ``rebalance``) a group has no other weight to absorb a change.

    >>> from perfrules import load
    >>> xiamen = load("xiamen-xiangan-2020")
    >>> moved = reweight(xiamen, {"1": 40, "2": 20})          # 10 points from 2 to 1
    >>> moved.indicator("1").weight, moved.indicator("2").weight
    (Decimal('40'), Decimal('20'))
    >>> bigger = reweight(xiamen, {"1": 69}, rebalance=True)   # the rest of 差异化指标 shrinks by 10%
    >>> bigger.indicator("2").weight, bigger.indicator("8").weight, bigger.groups[0].declared
    (Decimal('27'), Decimal('36'), Decimal('420'))
    >>> reweight(xiamen, {"1": 69})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfrules.SchemeError: reweighting breaks scheme '...' (rebalance=True rescales the rest): 2 problems
      - indicator weights add up to 1039分, not 1000分 @ weights
      - group '差异化指标' declares 420分 but its indicators add up to 459分 @ groups[0].declared
    """
    expect_scheme(scheme, Scheme, "perfrules.reweight()")
    columns = _column(scheme, category)
    wanted: dict[str, Fraction] = {}
    keys: dict[str, str] = {}
    groups = {
        normalize_name(node.name): (path, node) for path, node in scheme.paths() if isinstance(node, Group)
    }
    whole = {k: v for k, v in changes.items() if normalize_name(k) in groups and _not_indicator(scheme, k)}
    if whole:
        return _reweight_groups(
            scheme,
            whole,
            {k: v for k, v in changes.items() if k not in whole},
            columns,
            groups,
            rebalance=rebalance,
        )
    for key, value in changes.items():
        ind = scheme.indicator(key)
        if ind.code in keys:
            raise ValueError(f"'{key}' and '{keys[ind.code]}' both name indicator {ind.label}")
        keys[ind.code] = key
        if ind.weight_from is not None:
            raise ValueError(
                f"indicator {ind.label} has no weight to change: each unit's is read from its data "
                f"('{ind.weight_from}', weight_from)"
            )
        wanted[ind.code] = as_fraction(to_number(value, name=f"weight of '{key}'"))
    table = weight_table(scheme)
    for code, value in wanted.items():
        for col in columns:
            table[code][col] = value
    if rebalance:
        problems = list(_rebalance(scheme, table, wanted, columns))
        if problems:
            raise SchemeError(problems, title=f"cannot rebalance scheme '{scheme.name}'")
    try:
        return rebuild(scheme, table)
    except SchemeError as exc:
        if rebalance:
            raise
        raise SchemeError(
            exc.problems,
            title=f"reweighting breaks scheme '{scheme.name}' (rebalance=True rescales the rest)",
        ) from None


def _not_indicator(scheme: Scheme, key: str) -> bool:
    try:
        scheme.indicator(key)
    except KeyError:
        return True
    return False


def _reweight_groups(
    scheme: Scheme,
    whole: Mapping[str, object],
    rest: Mapping[str, object],
    columns: tuple[Column, ...],
    groups: Mapping[str, tuple[str, Group]],
    *,
    rebalance: bool,
) -> Scheme:
    """Groups changed as one number: their indicators scaled in proportion (rebalance: siblings too)."""
    if rest:
        raise ValueError(
            f"change groups ({', '.join(whole)}) and indicators ({', '.join(rest)}) in two calls, "
            "so that each keeps its meaning"
        )
    table = weight_table(scheme)
    resized: set[str] = set()
    problems: list[Problem] = []
    parents: dict[str, Group | None] = {}
    for _, node in scheme.paths():
        if isinstance(node, Group):
            for child in node.children:
                if isinstance(child, Group):
                    parents[normalize_name(child.name)] = node
    for key, value in whole.items():
        path, group = groups[normalize_name(key)]
        new = as_fraction(to_number(value, name=f"weight of '{key}'"))
        codes = [i.code for i in group.indicators()]
        resized.add(group.name)
        for col in columns:
            old = sum((table[c][col] for c in codes), Fraction(0))
            if old == 0:
                problems.append(Problem(path, f"group '{group.name}' weighs nothing to scale"))
                continue
            for c in codes:
                table[c][col] = table[c][col] * new / old
            if not rebalance:
                continue
            parent = parents.get(normalize_name(group.name))
            siblings = parent.children if parent is not None else scheme.groups
            others = [
                leaf.code
                for child in siblings
                if child is not group
                for leaf in (child.indicators() if isinstance(child, Group) else (child,))
            ]
            spread = sum((table[c][col] for c in others), Fraction(0))
            if spread == 0:
                problems.append(
                    Problem(path, f"group '{group.name}' has no sibling with a weight to rebalance")
                )
                continue
            factor = (spread - (new - old)) / spread
            if factor < 0:
                problems.append(
                    Problem(path, f"the change is more than the siblings of group '{group.name}' weigh")
                )
                continue
            for c in others:
                table[c][col] = table[c][col] * factor
            resized.update(
                child.name for child in siblings if isinstance(child, Group) and child is not group
            )
    if problems:
        raise SchemeError(problems, title=f"cannot reweight the groups of scheme '{scheme.name}'")
    try:
        return rebuild(scheme, table, resized=frozenset(resized))
    except SchemeError as exc:
        raise SchemeError(
            exc.problems,
            title=f"reweighting breaks scheme '{scheme.name}' (rebalance=True rescales the sibling groups)",
        ) from None


def _rebalance(
    scheme: Scheme, table: WeightTable, wanted: Mapping[str, Fraction], columns: tuple[Column, ...]
) -> Iterable[Problem]:
    """Scale the unchanged siblings of each changed indicator so each group keeps its subtotal."""
    before = weight_table(scheme)
    for path, group, codes in sibling_sets(scheme):
        changed = [c for c in codes if c in wanted]
        if not changed:
            continue
        others = [c for c in codes if c not in wanted]
        for col in columns:
            where = f"{path}.weights[{col}]" if col else path
            named = f"group '{group.name}'" + (f" for category '{col}'" if col else "")
            subtotal = sum((before[c][col] for c in codes), Fraction(0))
            left = subtotal - sum((table[c][col] for c in changed), Fraction(0))
            spread = sum((before[c][col] for c in others), Fraction(0))
            if left == spread:
                continue
            if left < 0:
                yield Problem(where, f"the changes add up to more than the {_show(subtotal)} of {named}")
            elif spread == 0:
                yield Problem(
                    where,
                    f"{named} has no other indicator with a weight to keep its {_show(subtotal)} "
                    "(change an indicator of another group as well, without rebalance)",
                )
            else:
                factor = left / spread
                for c in others:
                    table[c][col] = before[c][col] * factor


def _show(value: Fraction) -> str:
    shown = exact(value)
    return str(shown) if not isinstance(shown, Fraction) else str(round_half_up(shown, 4))


# ---------------------------------------------------------------------------
# Comparing two evaluations
# ---------------------------------------------------------------------------


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("comparing needs pandas: pip install 'perfrules[pandas]'") from None
    return pandas


def _float(value: Number | None) -> float | None:
    return None if value is None else float(round_half_up(value, 6))


def compare(before: Evaluation, after: Evaluation) -> Any:
    """How each unit's total, rank and grade moved between two evaluations.

    Args:
        before: the evaluation to start from (usually the published scheme).
        after: the evaluation to compare with (a reweighted scheme, new data …).

    Returns:
        A pandas DataFrame indexed by unit, in the order of ``before``'s ranking
        (units only in ``after`` last), with columns ``total_before``,
        ``total_after`` (floats rounded to 6 places), ``rank_before``,
        ``rank_after``, ``rank_change`` (nullable integers; positive = moved
        up, e.g. from 3rd to 1st is +2), ``grade_before``, ``grade_after`` and
        ``grade_changed``. A unit that could not be scored has no total or rank.

    Raises:
        ImportError: pandas is not installed (``pip install 'perfrules[pandas]'``).

    >>> from perfrules import load, sample_units
    >>> xiamen = load("xiamen-xiangan-2020")
    >>> moved = reweight(xiamen, {"1": 50, "2": 10})
    >>> table = compare_schemes(xiamen, moved, sample_units("xiamen-xiangan-2020"))
    >>> table.loc["区发改局", ["rank_before", "rank_after", "rank_change"]].tolist()
    [3, 2, 1]
    """
    pandas = _pandas()
    first = {r.unit: r for r in before.results}
    second = {r.unit: r for r in after.results}
    names = [r.unit for r in before.ranking()] + [r.unit for r in after.ranking() if r.unit not in first]

    def field(result: UnitResult | None, name: str) -> Any:
        return None if result is None else getattr(result, name)

    rows = []
    for name in names:
        a, b = first.get(name), second.get(name)
        rank_a, rank_b = field(a, "rank"), field(b, "rank")
        grade_a, grade_b = field(a, "grade"), field(b, "grade")
        rows.append(
            {
                "unit": name,
                "total_before": _float(field(a, "total")),
                "total_after": _float(field(b, "total")),
                "rank_before": rank_a,
                "rank_after": rank_b,
                "rank_change": None if rank_a is None or rank_b is None else rank_a - rank_b,
                "grade_before": grade_a,
                "grade_after": grade_b,
                "grade_changed": grade_a != grade_b,
            }
        )
    frame = pandas.DataFrame(rows).set_index("unit")
    for column in ("rank_before", "rank_after", "rank_change"):
        frame[column] = frame[column].astype("Int64")
    return frame


def compare_schemes(before: Scheme, after: Scheme, units: Iterable[Unit]) -> Any:
    """Score the same units under two schemes and :func:`compare` the results.

    Args:
        before: the first scheme.
        after: the second scheme.
        units: the units, scored under both.

    Returns:
        The DataFrame of :func:`compare`.
    """
    expect_scheme(after, Scheme, "perfrules.compare_schemes()")
    expect_scheme(before, Scheme, "perfrules.compare_schemes()")
    unit_list = list(units)
    return compare(evaluate(before, unit_list), evaluate(after, unit_list))
