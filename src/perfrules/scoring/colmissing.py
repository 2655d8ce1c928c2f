"""A blank input under a ``missing`` not-applicable rule, over columns: the indicator does not apply.

The per-unit program's ``missing`` rule (数据缺失的不参与计算: ``{ type =
"not_applicable", missing = true }``, or naming the inputs) holds where an input
it names has no value, in the year's row nor any period's
(:meth:`~perfrules.scoring.compiled.CompiledIndicator.applicability`); the
indicator is then not scored and its weight moves as the scheme says.

Over columns a cell that is not a plain number is either blank or something
the column holds no value for. Each way the program is given columns keeps
those apart: the streamed CSV pass and kept columns leave a unit whose cell
holds something unread out of the batch (:mod:`perfrules.files.colcells`);
in a batch of ``Unit`` objects such a cell (a value the column could not
hold) marks the indicators that read it, whose own steps then say what it is
(:mod:`~perfrules.scoring.coldoubt`). So, for the units the program scores, a
cell that is not plain is blank, and :meth:`MissingRules.blank` makes the
indicator not applicable there instead of sending the unit back. For an
indicator reported per period the input is there where the year's cell or a
row of a period the indicator is scored on gives it (with ``periods =
"last"`` the last such period only, as the per-unit program's runs read); in
a column of words, where the cell holds anything. A parameter is there where
the unit's data or the scheme's table gives it (the program joins them first:
:mod:`~perfrules.scoring.colparams`, as the per-unit program does). The rules
are read in turn (:class:`~perfrules.scoring.colapplies.Stops`), so a name a
``when`` condition of the indicator also reads makes it not apply where blank
too: a condition read before the ``missing`` rule stops at the blank (the
indicator's error), one read after it is not read there. Where the conditions'
reach is not certain (words, population values, other indicators' results), or
for a history name, such a name is read as the conditions read it: a blank cell
marks the indicator, whose own step says what it is.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from .._intcols import numpy
from .colapplies import Stops, mapped_reads
from .collookup import NONE_GIVEN
from .colperiods import PeriodData, period_labels
from .indicator import IndicatorPlan
from .plan import Plan

__all__ = ["MissingRules"]


class MissingRules:
    """Per indicator with a ``missing`` rule, the data columns whose blank cell makes it not apply."""

    def __init__(
        self, plan: Plan, text_reads: Sequence[str], stops: Mapping[int, Stops] | None = None
    ) -> None:
        scheme = plan.scheme
        ordered = {k for k, found in (stops or {}).items() if found.missing}
        other = set(scheme.history)  # (parameters are joined into the columns first: colparams)
        self.words = frozenset(text_reads)  # columns of words: blank where the cell holds no word either
        self.names: dict[int, frozenset[str]] = {}
        # Per indicator whose rules are read in turn, a missing rule among them (*stops*: where they
        # stop), the names its conditions read too (their cells' reads are followed: not plain, they stop).
        self.read: dict[int, frozenset[str]] = {}
        self.periodic: dict[int, IndicatorPlan] = {}  # those reported per period: their period rows read
        for k, ind in enumerate(plan.indicators):
            named: set[str] = set()
            conditions: set[str] = set()
            for policy in ind.not_applicable:
                if policy.missing:
                    names = policy.missing if isinstance(policy.missing, tuple) else ind.sorted_inputs
                    named |= mapped_reads(ind, set(names))
                if policy.when is not None:
                    conditions |= mapped_reads(ind, set(policy.when.variables))
            only = frozenset(named - other if k in ordered else named - conditions - other)
            if k in ordered:
                self.read[k] = frozenset(only & conditions)
            if only:
                self.names[k] = only
                if ind.periodic:  # its inputs may be in period rows, though the year's row is blank
                    self.periodic[k] = ind
        self.every = frozenset().union(*self.names.values()) - self.words

    def blank(
        self,
        k: int,
        names: Sequence[str],
        columns: dict[str, tuple[Any, Any]],
        applicable: Any,
        periods: PeriodData | None = None,
        unread: Collection[str] = (),
        held: Mapping[str, Any] | None = None,
    ) -> tuple[list[str], dict[str, Any]]:
        """Indicator *k* made not applicable (in *applicable*) where an input its rule names is blank
        (for an indicator reported per period, in the year's row and the rows of the periods it is
        scored on: *periods*, :func:`~perfrules.scoring.colperiods.periods_of`); returns the others of
        *names* (its rules' reads), whose cells must be plain numbers — but columns of words (a
        condition reading one is decided with its blanks: :mod:`~perfrules.scoring.colapplies`).
        *unread*: columns of words the program was not given as words (not blank: the indicator's
        step reads them). *held*: per data column, the cells holding a value the column does not
        (``Unit`` objects: :mod:`~perfrules.scoring.coldoubt`), there as the per-unit program reads them.
        Also returns, per input its rule names, where it has no value (the rules after it are not read
        there: :class:`~perfrules.scoring.colapplies.Stops`).

        An indicator whose rules are read in turn (``ordered``) is made not applicable where an input
        its ``missing`` rule names is blank though a condition reads it too: where a condition before
        that rule reads the cell, the rules stop there (the indicator's error, whatever applies)."""
        own = self.names.get(k)
        absent: dict[str, Any] = {}
        if own is None:
            return [name for name in names if name not in self.words], absent
        ind = self.periodic.get(k)
        np = numpy()
        for name in own:
            given = columns.get(name)
            if given is None:  # (no such column: blank)
                there: Any = False
            elif name in unread:
                there = True
            elif name in self.words:  # a value there that is not a word: the indicator's step says so
                there = np.array([v is not None and v is not NONE_GIVEN for v in given[0]], dtype=bool)
            else:
                there = given[1] if held is None or name not in held else given[1] | held[name]
            if ind is not None and periods is not None:
                there = _in_periods(ind, name, periods, there)
            applicable[:, k] &= there
            absent[name] = ~there if isinstance(there, np.ndarray) else np.full(len(applicable), not there)
        read = self.read.get(k, frozenset())
        return [
            name for name in names if (name not in own or name in read) and name not in self.words
        ], absent


def _in_periods(ind: IndicatorPlan, name: str, periods: PeriodData, there: Any) -> Any:
    """Which units give a value for *name* (a bool array): in a row of a period *ind* is scored on, the
    period's own value (None handed in there is none), else the year's (*there*: per unit, or one for
    all); the year's where the unit has no such row. With ``periods = "sum"`` the periods that give
    *name* are added up instead: one gives the value it gives, two or more a sum (where one is None,
    that sum is the indicator's error: its step raises)."""
    np = numpy()
    year = np.broadcast_to(np.asarray(there, dtype=bool), (len(periods),))
    found = year.copy()
    summed = ind.scheme.periods == "sum"
    for i, given in enumerate(periods):
        labels = period_labels(ind, given) if given is not None else ()
        rows = [given[label] for label in labels]  # type: ignore[index]
        if summed:
            rows = [row for row in rows if name in row]
            if len(rows) > 1:
                found[i] = True
                continue
        if rows:
            found[i] = any(row[name] is not None if name in row else bool(year[i]) for row in rows)
    return found
