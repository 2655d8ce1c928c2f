"""Groups that take a geometric or harmonic mean, for a batch's columns: once per distinct input.

A group with ``aggregate = "geometric"`` or ``"harmonic"`` has a subtotal that is
a weighted mean of its parts' shares, not a weighted sum; the per-unit program
works it out with :func:`perfrules.scoring.means.aggregated_total` (a geometric
mean's rounding decided exactly). The column program runs that same function,
once per distinct input — the unit's category, its pattern of applicable
indicators and its indicators' scores — and gives each unit of that input the
total, the subtotals and the events it gave. No rule is written twice.

A unit whose input the function refuses (a share below 0, a total past the
number limits) gets that error as the per-unit program words it
(:mod:`~perfrules.scoring.coltotalerrors`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from .._errors import PerfrulesError
from .._intcols import numpy
from .._numbers import Number, check_fraction, exact
from ..scheme.units import PolicyEvent, Unit
from .means import aggregated_total
from .outcome import weighting
from .plan import Plan

__all__ = ["GroupMeans", "group_means", "total_columns"]

# What one distinct input gave: the total, the subtotals by group name, the events.
Found = tuple[Fraction, dict[str, Number], tuple[PolicyEvent, ...]]


class GroupMeans:
    """A plan's groups that take a mean, for the column program (see the module's docstring)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def run(
        self, scores: Sequence[Any], den: int, applicable: Any, categories: Sequence[str | None], ok: Any
    ) -> tuple[list[Found | None], Any]:
        """Per unit, what the means gave (None where *ok* is False or the function refused it), and
        which units they gave a total for.

        *scores* are the indicators' score columns (numerators over *den*), *applicable* which
        indicators apply to which unit.
        """
        np = numpy()
        n = len(ok)
        rows = np.flatnonzero(ok).tolist()
        parts: list[list[Any]] = [
            [categories[i] for i in rows],
            [bytes(r) for r in np.packbits(applicable[rows], axis=1)] if rows else [],
        ]
        parts += [col[rows].tolist() for col in scores]
        found: dict[tuple[Any, ...], Found | None] = {}
        results: list[Found | None] = [None] * n
        done = np.zeros(n, dtype=bool)
        for i, key in zip(rows, zip(*parts, strict=True), strict=True):
            if key in found:
                got = found[key]
            else:
                got = found[key] = self._mean(key, den)
            if got is not None:
                results[i] = got
                done[i] = True
        return results, done

    def _mean(self, key: tuple[Any, ...], den: int) -> Found | None:
        """The means' code run for one distinct input (None: the per-unit program scores it)."""
        np = numpy()
        plan = self.plan
        category, pattern = key[:2]
        count = len(plan.indicators)
        bits = np.unpackbits(np.frombuffer(pattern, dtype=np.uint8))[:count].tolist()
        applicable = [bool(a) for a in bits]
        weights = weighting(plan, category, applicable).weights
        scores = [exact(Fraction(v, den)) if applicable[k] else None for k, v in enumerate(key[2:])]
        events: list[PolicyEvent] = []
        unit = Unit(name="", category=category)
        try:
            total, subtotals = aggregated_total(plan, unit, weights, scores, events)
            total = Fraction(check_fraction(total))
        except PerfrulesError:
            return None
        return total, subtotals, tuple(events)


def group_means(plan: Plan) -> GroupMeans | None:
    """The plan's group means for the column program (None: every group adds up its parts)."""
    return GroupMeans(plan) if plan.aggregated else None


def total_columns(found: Sequence[Found | None]) -> tuple[Any, Any]:
    """The totals the means gave, as numerators and denominators (object arrays; 0 / 1 where none)."""
    np = numpy()
    totals = np.array([0 if f is None else f[0].numerator for f in found] + [None], dtype=object)[:-1]
    dens = np.array([1 if f is None else f[0].denominator for f in found] + [None], dtype=object)[:-1]
    return totals, dens
