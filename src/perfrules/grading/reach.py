"""Grades no input can reach: a check run when a conditions-based scale is built.

Interval conditions give the same outcome everywhere between two boundaries,
so trying one value on every boundary, between each pair and beyond both ends
(and each level of a categorical input) covers every case. A grade that no
such value gives, under the scale's match policy, is noted (Shenzhen rule 12's
优 under 就低不就高).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Mapping, Sequence
from fractions import Fraction
from typing import Final

from .._errors import EvaluationError
from .._numbers import as_fraction
from ..formula.tree import Compare, Name, Node, children
from .bands import GradeBand, _number_constant

__all__ = ["reachability"]

# ---------------------------------------------------------------------------
# Grades no input can reach
# ---------------------------------------------------------------------------

_MAX_COMBINATIONS: Final = 20_000


def _comparison_constants(node: Node, out: dict[str, set[Fraction]]) -> None:
    """Constants each name is compared with, anywhere in a condition."""
    if isinstance(node, Compare):
        left = node.first
        for _, right in node.rest:
            for a, b in ((left, right), (right, left)):
                if isinstance(a, Name) and (const := _number_constant(b)) is not None:
                    out.setdefault(a.name, set()).add(as_fraction(const))
            left = right
    for child in children(node):
        _comparison_constants(child, out)


def _candidates(bounds: set[Fraction], count: bool) -> list[Fraction]:
    """Values on and between every boundary, and beyond both ends: one per cell of the line."""
    ordered = sorted(bounds)
    values = {ordered[0] - 1, ordered[-1] + 1, *ordered}
    values |= {(a + b) / 2 for a, b in itertools.pairwise(ordered)}
    if count:
        values = {Fraction(int(v)) for v in values} | {Fraction(int(v)) + 1 for v in values}
        values = {v for v in values if v >= 0} | {Fraction(0)}
    return sorted(values)


def reachability(
    bands: Sequence[GradeBand],
    *,
    variables: Collection[str],
    levels: Collection[str],
    counts: Collection[str],
    policy: str,
    as_mapping: Callable[[object], Mapping[str, object]],
) -> list[str]:
    """Grades that no combination of inputs can give (checked on every cell of the inputs' line).

    A scale's parts are passed in (its bands, the names its conditions read,
    the levels of a categorical input, the names that are counts, its match
    policy, and how it turns inputs into the values its conditions read).
    The outcome of interval conditions is constant between boundaries, so one
    value per boundary, per gap between boundaries and beyond the ends covers
    every case; categorical inputs take each level.
    """
    variables = sorted(variables)
    if not variables:
        return []
    constants: dict[str, set[Fraction]] = {}
    for band in bands:
        for cond in band.conditions:
            _comparison_constants(cond.tree, constants)
    options: list[list[object]] = []
    for name in variables:
        if levels:
            options.append(list(dict.fromkeys(levels)))
        elif name in constants:
            options.append(list(_candidates(constants[name], name in counts)))
        else:
            return []  # a value we cannot enumerate: say nothing rather than guess
    size = 1
    for values in options:
        size *= len(values)
    if size > _MAX_COMBINATIONS:
        return []
    reached: set[int] = set()
    tried = 0
    for combo in itertools.product(*options):
        inputs = dict(zip(variables, combo, strict=True))
        try:
            mapping = as_mapping(inputs)
            held = [
                rank
                for rank, band in enumerate(bands)
                if any(c.evaluate(mapping) is True for c in band.conditions)
            ]
        except (EvaluationError, TypeError):
            continue
        tried += 1
        if not held:
            continue
        if policy == "exclusive":
            if len(held) == 1:
                reached.add(held[0])
        elif policy == "lowest":
            reached.add(held[-1])
        else:
            reached.add(held[0])
    if not tried:
        return []
    notes = []
    why = {
        "lowest": "whenever its conditions hold, a lower grade's conditions hold too, "
        "and the lowest grade wins (就低不就高)",
        "first": "whenever its conditions hold, an earlier grade's conditions hold too",
        "highest": "whenever its conditions hold, a better grade's conditions hold too",
        "exclusive": "its conditions never hold alone",
    }[policy]
    for rank, band in enumerate(bands):
        if rank not in reached:
            notes.append(f"grade '{band.name}' can never be given: {why}")
    return notes
