"""What a file scored as a stream gives: the compact outcomes of its units, ranked, and where to read them.

:class:`StreamedRun` holds one compact outcome per unit (see
:mod:`perfrules.pipeline.stream`) and, for ``--format json``, the spill file of
the units' explained JSON members; :func:`ranked_positions` is the order in
which every streamed output lists units.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator

from .._errors import Problem
from .._intcols import numpy
from ..scoring.outcome import UnitOutcome

__all__ = ["Span", "StreamedRun", "ranked_positions"]


class StreamedRun:
    """The compact results of scoring a file: one outcome per unit, ranked, without the units' data.

    A run scored with ``explained=True`` also holds each unit's spilled JSON
    members (see :data:`SPILLED`), read back by :meth:`explained`; call
    :meth:`close` (or use the run as a context manager) to let the spill
    file go.
    """

    def __init__(
        self,
        outcomes: list[UnitOutcome],
        notes: tuple[Problem, ...],
        spill: _Spill | None = None,
        spans: array[int] | None = None,
    ) -> None:
        self.outcomes = outcomes
        self.notes = notes
        self._spill = spill
        self._spans = spans

    def ranking(self) -> list[UnitOutcome]:
        """Scored units from the best rank down (ties by name), then units with errors in file order."""
        return [self.outcomes[k] for k in self._ranked()]

    def _ranked(self) -> list[int]:
        outcomes = self.outcomes
        return ranked_positions([o.rank for o in outcomes], lambda k: outcomes[k].unit.name)

    def explained(self) -> Iterator[tuple[UnitOutcome, str]]:
        """Each outcome in :meth:`ranking` order with its spilled JSON members (joined by ``",\\n"``).

        Raises:
            ValueError: the run was not scored with ``explained=True``, or is closed.
        """
        spill, spans = self._spill, self._spans
        if spill is None or spans is None:
            raise ValueError("the run was scored without explanations (score_file(..., explained=True))")
        for k in self._ranked():
            yield self.outcomes[k], spill.read((spans[2 * k], spans[2 * k + 1]))

    def close(self) -> None:
        """Let the spill file go (it is deleted); the compact outcomes stay."""
        if self._spill is not None:
            self._spill.close()
        self._spill = self._spans = None

    def __enter__(self) -> StreamedRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def failed(self) -> list[UnitOutcome]:
        return [o for o in self.outcomes if o.errors]


def ranked_positions(ranks: list[int | None], name_of: Callable[[int], str]) -> list[int]:
    """The places of units with *ranks* in ranking order: ranked units from the best rank down (units
    that share a rank by name, ``name_of(place)``), then units without a rank in their order.

    >>> ranked_positions([2, None, 1, 2], "dcba".__getitem__)
    [2, 3, 0, 1]
    """
    unranked = ranks.count(None)
    scored = [k for k, rank in enumerate(ranks) if rank is not None] if unranked else list(range(len(ranks)))
    if scored:
        np = numpy()
        if unranked:
            by_rank = np.fromiter((ranks[k] for k in scored), dtype=np.int64, count=len(scored))
        else:
            by_rank = np.fromiter(ranks, dtype=np.int64, count=len(ranks))
        order = np.argsort(by_rank, kind="stable")
        ordered = by_rank[order]
        placed = order if not unranked else np.array(scored, dtype=np.int64)[order]
        # Units that share a rank are listed by name: the tied units sorted by name once, then
        # (stably) by rank, put back where their ranks are.
        bounds = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
        shared = np.flatnonzero(np.diff(bounds) > 1)
        if len(shared):
            starts, ends = bounds[shared], bounds[shared + 1]
            lengths = ends - starts
            at = np.arange(int(lengths.sum())) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
            members = placed[at].tolist()
            by_name = sorted(range(len(members)), key=lambda i: name_of(members[i]))
            again = np.array(by_name, dtype=np.int64)[np.argsort(ordered[at][by_name], kind="stable")]
            placed = placed.copy()
            placed[at] = np.array(members, dtype=np.int64)[again]
        scored = placed.tolist()
    if unranked:
        scored += (k for k, rank in enumerate(ranks) if rank is None)
    return scored


Span = tuple[int, int]


class _Spill:
    """A temporary file of compressed texts, read back by place; deleted when closed or when the process ends.

    It is made where :mod:`tempfile` makes files (``TMPDIR``); compressed, a
    unit's explained members take about an eighth of what they take in the
    output.
    """

    def __init__(self) -> None:
        import tempfile

        self.file = tempfile.TemporaryFile(prefix="perfrules-", suffix=".spill")  # noqa: SIM115 (closed by close())
        self.end = 0

    def add(self, blob: bytes) -> Span:
        self.file.seek(self.end)
        self.file.write(blob)
        start, self.end = self.end, self.end + len(blob)
        return start, len(blob)

    def read(self, span: Span) -> str:
        import zlib

        self.file.seek(span[0])
        return zlib.decompress(self.file.read(span[1])).decode("utf-8")

    def close(self) -> None:
        self.file.close()
