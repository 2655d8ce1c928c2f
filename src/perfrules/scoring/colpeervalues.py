"""Peer-ratio values (R13) of a batch worked out over columns, once per batch.

A peer ratio puts each unit's value beside its peers': ``(a / b) / p``, with
``p`` the peers' pooled ratio ``Σa / Σb`` or the mean of their ratios. Where
a batch's parts in its peer ratios were read off its columns
(:func:`perfrules.scoring.colpeers.peer_blocks`), the sums are taken over
the columns, and every unit's value is made as a column too: numerators and
denominators as integer arrays, reduced by their gcd at once. The column
program reads those columns straight (:meth:`PeerValues.column_of`); a unit's
table of values, ``{(code, target, period): value}``, is made only when it is
asked for (an explanation, a unit scored by the per-unit program). Units whose
part was observed one by one (:func:`perfrules.scoring.population.observe`)
are summed in too, and their tables are :func:`~perfrules.scoring.population.resolve`'s.

The values are those :func:`perfrules.scoring.population.resolve` gives for
the same observations, unit for unit (``tests/test_column_peer_values.py``).
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any, cast

from .._intcols import SAFE, IntColumn, _common, as_objects, from_records, numpy
from .._numbers import Number, exact
from ..scheme.units import Unit
from .colpeers import PeerBlock, peer_blocks, peer_reads
from .colsteps import BatchPopulation
from .plan import Plan
from .population import (
    Observation,
    Slot,
    Summary,
    fraction_sum,
    merge_summaries,
    observe,
    resolve,
    summarize,
)

__all__ = ["PeerObservations", "PeerValues", "batch_peer_values"]

_StepKey = tuple[str, str]  # (indicator code, step target)
_ZERO = Fraction(0)
_PEER_KINDS = ("pooled", "ratios")


def batch_peer_values(
    plan: Plan, units: Sequence[Unit], *, ranks: bool = False, summary: Summary | None = None
) -> PeerValues | None:
    """The peer values of a batch of units (``evaluate``), over their data's columns where the
    scheme's population steps are peer ratios :func:`~perfrules.scoring.colpeers.peer_reads` can
    read (None: they are not). A unit whose cells are not plain numbers or blank, or whose periods
    report a peer ratio's indicator, puts its part in one by one
    (:func:`~perfrules.scoring.population.observe`: it also leaves out units that are not scored).
    With *ranks*, the scheme's rank steps are the caller's (:meth:`PeerValues.join`). With
    *summary*, the units are a part of the population and *summary* is the whole population's
    (:func:`~perfrules.scoring.population.summarize`, merged over the parts: Dask's partitions).
    """
    reads = peer_reads(plan, ranks=ranks)
    if reads is None:
        return None
    np = numpy()
    clean = [u for u in units if not u.problems]  # (observe leaves the others out)
    datas = [u.data for u in clean]
    parsed = from_records(datas, reads)
    columns = {
        name: (col, plain, np.fromiter((d.get(name) is None for d in datas), dtype=bool, count=len(datas)))
        for name, (col, plain) in parsed.items()
    }
    blocks, rest = peer_blocks(
        plan,
        [u.name for u in clean],
        [u.category for u in clean],
        columns,
        [u.not_applicable for u in clean],
        [u.periods or None for u in clean],
    )
    observed = PeerObservations(plan)
    loose = observe(plan.indicators, [clean[i] for i in rest])
    observed.add(blocks, [o for o in loose if o[1][0] in _PEER_KINDS] if ranks else loose)
    observed.names = [u.name for u in units]
    if summary is not None:
        return PeerValues(plan, observed.blocks, observed.loose, observed.names, summary)
    return observed.values()


class PeerObservations:
    """What a batch's units put into its peer ratios: blocks of columns, and observations made one by
    one; with the batch's names (every unit gets a table, empty without values)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.blocks: list[PeerBlock] = []
        self.loose: list[Observation] = []
        self.names: list[str] = []

    def add(self, blocks: Sequence[PeerBlock], loose: Sequence[Observation]) -> None:
        """Put in a part of the batch's parts."""
        self.blocks.extend(blocks)
        self.loose.extend(loose)

    def drop(self, names: Container[str]) -> None:
        """Let go of the parts of *names* (units observed again, or scored by no one)."""
        np = numpy()
        kept = []
        for block in self.blocks:
            keep = np.fromiter((n not in names for n in block.names), dtype=bool, count=len(block.names))
            if keep.all():
                kept.append(block)
            elif keep.any():
                kept.append(_subset(block, keep))
        self.blocks = kept
        self.loose = [o for o in self.loose if o[0] not in names]

    @property
    def participants(self) -> set[str]:
        """The units that put a part in."""
        found = {o[0] for o in self.loose}
        for block in self.blocks:
            found.update(block.names)
        return found

    def values(self, without: set[str] | frozenset[str] = frozenset()) -> PeerValues:
        """Each unit's peer values, over the units that took part except *without*."""
        if without:
            kept = PeerObservations(self.plan)
            kept.add(self.blocks, self.loose)
            kept.drop(without)
            return PeerValues(self.plan, kept.blocks, kept.loose, self.names)
        return PeerValues(self.plan, self.blocks, self.loose, self.names)


def _subset(block: PeerBlock, keep: Any) -> PeerBlock:
    new = object.__new__(PeerBlock)
    at = numpy().flatnonzero(keep).tolist()
    new.kind, new.code, new.target, new.grouped = block.kind, block.code, block.target, block.grouped
    new.rows = [block.rows[k] for k in at]
    new.names = [block.names[k] for k in at]
    new.categories = [block.categories[k] for k in at]
    new.a, new.a_den, new.b, new.b_den = block.a[at], block.a_den, block.b[at], block.b_den
    return new


class PeerValues(BatchPopulation):
    """The batch's peer values: per step, every unit's value as reduced integer columns; per unit, its
    table of values made when it is read (a :class:`BatchPopulation` to the column program)."""

    def __init__(
        self,
        plan: Plan,
        blocks: Sequence[PeerBlock],
        loose: Sequence[Observation],
        names: Sequence[str],
        whole: Summary | None = None,
    ) -> None:
        super().__init__(names, {}, {}, {})
        # The population's summary: the parts', or *whole* where they are a part of the population.
        summary = merge_summaries(_summary(blocks), summarize(loose)) if whole is None else whole
        shared = {
            slot: _peer(aggregate) for slot, aggregate in summary.items() if slot[0] in ("pooled", "ratios")
        }
        self._steps: dict[_StepKey, _Step] = {}
        for block in blocks:
            key = (block.code, block.target)
            self._steps.setdefault(key, _Step()).add(block, shared)
        for step in self._steps.values():
            step.close()
        if loose:
            wanted = list(dict.fromkeys(o[0] for o in loose))
            self.tables = resolve(plan.indicators, summary, loose, wanted)

    def join(self, ranked: BatchPopulation) -> None:
        """Take in the batch's rank steps, worked out over its columns
        (:func:`perfrules.scoring.colpop.gather`, over the same units)."""
        self.ranked = ranked.ranked
        if ranked.tables:
            tables = {name: dict(table) for name, table in self.tables.items()}
            for name, table in ranked.tables.items():
                tables.setdefault(name, {}).update(table)
            self.tables = tables
        self.columns, self.of = ranked.columns, ranked.of

    def column_of(self, code: str, key: str, names: Sequence[str]) -> tuple[IntColumn, Any]:
        """The values of step *key* of indicator *code* for *names*, as a column; and which units have one."""
        if (code, key) in self.ranked:
            return super().column_of(code, key, names)
        np = numpy()
        n = len(names)
        step = self._steps.get((code, key))
        if step is None:
            num, den, present = (
                np.zeros(n, dtype=np.int64),
                np.ones(n, dtype=np.int64),
                np.zeros(n, dtype=bool),
            )
        else:
            rows = np.fromiter(map(step.row.get, names, [-1] * n), dtype=np.int64, count=n)
            found = rows >= 0
            rows[~found] = 0
            present = found & step.valid[rows]
            num = np.where(present, step.num[rows], 0)
            den = np.where(present, step.den[rows], 1)
        # Units observed one by one (their parts were not plain columns) give theirs from their tables.
        at = (code, key, None)
        loose = [(i, t[at]) for i, t in enumerate(map(self.tables.get, names)) if t and at in t]
        if loose:
            num, den = as_objects(num).copy(), as_objects(den).copy()
            for i, value in loose:
                f = Fraction(value)
                num[i], den[i], present[i] = f.numerator, f.denominator, True
        return _common(num, den), present

    def __getitem__(self, name: str) -> Mapping[tuple[str, str, str | None], Number]:
        if name not in self._row:
            raise KeyError(name)
        table: dict[tuple[str, str, str | None], Number] = {}
        for (code, key), step in self._steps.items():
            i = step.row.get(name)
            if i is not None and step.valid[i]:
                table[(code, key, None)] = exact(Fraction(int(step.num[i]), int(step.den[i])))
        for ranked in self.ranked.values():
            table.update(ranked.entries(self._row[name]))
        given = self.tables.get(name)
        if given:
            table.update(given)
        return table

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


def _sum(values: Any) -> int:
    """The exact sum of an integer array."""
    if values.dtype != object and len(values) and int(numpy().abs(values).max()) * len(values) < SAFE:
        return int(values.sum())
    return int(sum(as_objects(values).tolist()))


def _groups(block: PeerBlock) -> list[tuple[str | None, Any]]:
    """The block's units by their group in the slot: (group, which of the block's units)."""
    if not block.grouped:
        return [(None, None)]
    np = numpy()
    cats = block.categories
    return [
        (g, np.fromiter((c == g for c in cats), dtype=bool, count=len(cats))) for g in dict.fromkeys(cats)
    ]


def _summary(blocks: Sequence[PeerBlock]) -> Summary:
    """The blocks' partial aggregates, as :func:`perfrules.scoring.population.summarize` makes them."""
    np = numpy()
    parts: dict[Slot, list[tuple[Fraction, Fraction]]] = {}
    counts: dict[Slot, int] = {}
    for block in blocks:
        for group, rows in _groups(block):
            slot: Slot = (block.kind, block.code, block.target, None, group)
            a = block.a if rows is None else block.a[rows]
            b = block.b if rows is None else block.b[rows]
            if block.kind == "pooled":
                part = (Fraction(_sum(a), block.a_den), Fraction(_sum(b), block.b_den))
            else:  # Σ a/b over b ≠ 0 = (b_den / a_den) · Σ over each distinct B of (Σ A) / B
                nonzero = b != 0
                a, b = a[nonzero], b[nonzero]
                counts[slot] = counts.get(slot, 0) + len(b)
                ratios = _ZERO
                if len(b):
                    order = np.argsort(b, kind="stable")
                    a, b = a[order], b[order]
                    starts = np.flatnonzero(np.concatenate(([True], b[1:] != b[:-1])))
                    sums = np.add.reduceat(as_objects(a), starts).tolist()
                    bs = b[starts].tolist()
                    ratios = fraction_sum([Fraction(x, y) for x, y in zip(sums, bs, strict=True)])
                part = (ratios * block.b_den / block.a_den, _ZERO)
            parts.setdefault(slot, []).append(part)
    summary: Summary = {}
    for slot, found in parts.items():
        first = fraction_sum([x for x, _ in found])
        if slot[0] == "pooled":
            summary[slot] = (first, fraction_sum([y for _, y in found]))
        else:
            summary[slot] = (first, counts[slot])
    return summary


def _peer(aggregate: object) -> Fraction | None:
    """The value a slot's units are put beside: ``Σa / Σb`` (pooled) or ``Σ(a/b) / count``
    (as ``population._shared`` gives it; None where the divisor is 0)."""
    first, second = cast("tuple[Fraction, Fraction | int]", aggregate)
    return None if second == 0 else first / second


def _largest(values: Any) -> int:
    np = numpy()
    return int(np.abs(values).max()) if values.dtype != object else max(map(abs, values.tolist()))


class _Step:
    """One step's values over the batch: per unit (by name) a row of ``num / den`` (reduced, den > 0)
    and whether it has a value."""

    def __init__(self) -> None:
        self.row: dict[str, int] = {}
        self._parts: list[tuple[Any, Any, Any]] = []
        self.num: Any = None
        self.den: Any = None
        self.valid: Any = None

    def add(self, block: PeerBlock, shared: Mapping[Slot, Fraction | None]) -> None:
        """Put in the values of the block's units."""
        np = numpy()
        m = len(block.names)
        base = len(self.row)
        self.row.update(zip(block.names, range(base, base + m), strict=True))
        num, den = np.zeros(m, dtype=np.int64), np.ones(m, dtype=np.int64)
        valid = np.zeros(m, dtype=bool)
        for group, rows in _groups(block):
            p = shared.get((block.kind, block.code, block.target, None, group))
            if p is None or p == 0:
                continue
            at = (np.ones(m, dtype=bool) if rows is None else rows) & (block.b != 0)
            if not at.any():
                continue
            # (a / a_den) / (b / b_den) / p = a·k / (b·k'), with k / k' = b_den·p.den / (a_den·p.num)
            k = Fraction(block.b_den * p.denominator, block.a_den * p.numerator)
            a, b = block.a[at], block.b[at]
            if (
                a.dtype == object
                or b.dtype == object
                or _largest(a) * abs(k.numerator) >= SAFE
                or _largest(b) * k.denominator >= SAFE
            ):
                a, b, num, den = as_objects(a), as_objects(b), as_objects(num), as_objects(den)
            top, bottom = a * k.numerator, b * k.denominator
            negative = bottom < 0
            top, bottom = np.where(negative, -top, top), np.where(negative, -bottom, bottom)
            g = np.gcd(top, bottom)
            num[at], den[at], valid[at] = top // g, bottom // g, True
        self._parts.append((num, den, valid))

    def close(self) -> None:
        """The parts as one column each (Python integers where a part needed them)."""
        np = numpy()
        self.num = np.concatenate([p[0] for p in self._parts])
        self.den = np.concatenate([p[1] for p in self._parts])
        self.valid = np.concatenate([p[2] for p in self._parts])
        self._parts = []
