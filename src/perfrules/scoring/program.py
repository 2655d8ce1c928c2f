"""The plan as a column program: a batch's totals worked out over integer columns.

A scheme's plan (:mod:`perfrules.scoring.plan`) compiles, where its forms allow, into
a program that scores a whole batch at once: each data column the indicators
read becomes a column of integers over one denominator (exact: 87.5 is 875
over 10), each score formula runs over those columns, the weights of each
category and pattern of applicable indicators become integer coefficients
over a shared denominator (the plan's ``Weighting``), and a unit's total is
one integer dot product over that denominator. Columns whose values could
outgrow 64-bit integers move to Python integers first: the same program,
never a wrapped-around number.

It is the plan's totals-only scoring, run column-wise, and the library's one
engine: a unit it leaves unscored in a batch is scored alone by the same program,
else given an error that says so (:mod:`~perfrules.scoring.colalone`); a scheme
with a form it does not compile is refused (:func:`program_of`). A unit refused before
any indicator is scored (cells its file could not read, a category the scheme
lacks, weights read that are refused) gets its errors here, by the same rule
(:mod:`~perfrules.scoring.uniterrors`; ``Scored.errors``); so does one with an
indicator its columns cannot work out (a blank input without a policy for it, a
value outside a scale's domain …), worded by that indicator's own step
(:mod:`~perfrules.scoring.colfailures`); and so does one whose total a rule
cannot finish (a cap or overall band reading a result or cell the unit lacks, a
total past the number limits), worded by the rules' own code
(:mod:`~perfrules.scoring.coltotalerrors`, :mod:`~perfrules.scoring.unittotal`).
Other units' explanations are a view of what this program records when it runs
again on them (``run(…, record=…)``: :mod:`~perfrules.scoring.colrecord`,
:mod:`~perfrules.scoring.colexplain`).
A veto on an indicator that fires (:mod:`~perfrules.scoring.colvetoes`) and a
blank input under a ``missing`` rule (:mod:`~perfrules.scoring.colmissing`)
are taken here; :mod:`~perfrules.scoring.colshare` counts a batch's units
each way. The differential tests hold the two to the same answers on every path.

What compiles (:func:`program_of` raises a scheme error, and :attr:`Plan.program_why`
says why, otherwise): each indicator's form, by
:mod:`perfrules.scoring.colindicators` — a score formula of data columns,
numbers, ``+ - × ÷``, ``^`` (``colpower``), ``%``, unary minus, ``clamp``/``min``/``max``/``abs``/
``sum``/``floor``/``round``/``if`` … and population functions, ``分值`` (``colfull``), zero
rules on the indicator, adjustments and vetoes (:mod:`~perfrules.scoring.colpoints`);
grading scales of one value
(:mod:`~perfrules.scoring.colscale`), of words or of several values
(:mod:`~perfrules.scoring.colgraded`); formula, ``part``, peer-ratio and rank steps
(:mod:`~perfrules.scoring.colparts`, ranks over columns by :mod:`~perfrules.scoring.colrank`);
``default`` and ``zero`` policies, not-applicable rules (``missing`` too) and ``inputs`` mappings; values
reported per period, their population values and ``periods = "sum"``
(:mod:`~perfrules.scoring.colperiods`); reads of other indicators' scores
(:mod:`~perfrules.scoring.colresults`) and of their steps (``colstepreads``) — with
weights per category, ``applies_to`` and weight that moves by the scheme's rule; vetoes
of indicators reported per period, on the year's row (``colperiodvetoes``); rich overall
grading (indicators' grades, for a total formula too: ``colindgrades``), group means and a grade per period by
the per-unit code once per distinct input (``coloverall``, ``colmeans``, ``colgrades``);
history values joined to the units first (``colhistory``); ``weight_from``
(``colweights``), ``parameters`` (``colparams``) and the rules on the total
(``coltotalrules``: scheme-wide policies, 折算, a total formula, full marks per category,
floor, cap, rounding, with their notes — beside group means and period grades too).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import partial
from itertools import chain
from typing import Any

from .. import _numbers
from .._intcols import IntColumn as _Col
from .._intcols import format_rows, gc_paused, numpy
from ..scheme.units import Unit, note_events
from . import colapplies, colindicators, collimits, collookup, colperiods, colreach, colsteps, colvetoes
from .colblank import Blanks
from .coldot import CommonScores, weighted_sums
from .coldoubt import Doubted, held, put, truth_fields, truths, with_truths
from .colfailures import Failures, failed_rows, outcome_of
from .colgrades import period_grades
from .colhistory import joined
from .colindgrades import TABLES, population_table, tabled
from .colmeans import group_means, total_columns
from .colmissing import MissingRules
from .colnodes import Unsupported as _Unsupported
from .colnodes import compile_node as _compile
from .coloverall import overall_words, rich_grading
from .colparams import Parameters
from .colperiodvetoes import period_vetoes
from .colpoints import CATEGORY
from .colrank import compile_ranks
from .colread import mark_lacking
from .colresults import na_now, ordered, result_reads
from .colscored import Scored
from .colstepreads import step_reads_of, total_unread
from .coltotalerrors import total_rows
from .coltotalrules import TotalRules
from .colweights import ReadWeights
from .compiled import Population
from .notcompiled import not_compiled
from .outcome import UnitOutcome, weighting
from .plan import Plan
from .uniterrors import refused_rows

__all__ = ["ColumnProgram", "Scored", "not_compiled", "program_of", "score_columns"]  # (Scored: colscored's)

# NumPy, bound when a program is first compiled (``import perfrules`` stays light).
np: Any = None
_Pop = Mapping[str, Population] | None  # per unit name, its population values (max_of …)


_TOO_LARGE = colsteps.SEND_BACK  # where the batch's columns mark units they leave unscored (colalone)


class ColumnProgram:
    """A plan compiled to run over columns (see the module's docstring)."""

    def __init__(self, plan: Plan) -> None:
        scheme = plan.scheme
        self.plan = plan
        global np
        np = numpy()
        found = colindicators.Indicators(plan, _compile, _Unsupported)
        self.fns = found.fns
        self.population = found.population
        self.na_rules = found.na_rules
        self.arguments = found.arguments
        self.peers = found.peers
        # Rank steps over columns (None: the batch's population values are worked out unit by unit).
        self.ranks = compile_ranks(plan, _compile, _Unsupported)
        self.text_reads = overall_words(plan, found.text_reads, found.reads)  # (with overall levels')
        self.stops = colapplies.stops_of(self, _compile, _Unsupported)  # where its conditions stop (reach)
        self.missing = MissingRules(plan, self.text_reads, self.stops)  # blank inputs under a missing rule
        # Overall grading that reads more than the total, groups that take a mean, a grade per period:
        # each run once per distinct input (coloverall, colmeans, colgrades).
        self.rich, self.means = rich_grading(plan, _Unsupported, self.text_reads), group_means(plan)
        self.grades = period_grades(plan, self.rich)
        # 指标1得分 …, and the rules that read them (colresults)
        self.results = result_reads(plan, found.na_rules, _compile, _Unsupported, found.words)
        self.steps = step_reads_of(
            plan, {*plan.total_reads, *chain(*plan.result_reads)}, _compile, _Unsupported, self.results
        )
        computed = self.results.names if self.results is not None else frozenset()
        self.reads_of = [tuple(n for n in names if n not in computed) for names in found.reads_of]
        # The scheme's rules on the total (coltotalrules), weights read per unit (colweights).
        self.rules = TotalRules(plan, self.text_reads, _Unsupported)
        self.own = ReadWeights(plan) if plan.weight_from else None
        # Blank values a default for no data takes, and blank cells overall grading reads, or the grades of
        # indicators per period a total formula reads (no value there, not 0: colblank, colindgrades).
        blank_cells = (*(self.rich.cells if self.rich is not None else ()), *self.rules.blank_reads)
        self.unread = colreach.Unread(plan, _compile, _Unsupported)  # … and cells no formula reads (colreach)
        self.blanks = Blanks(plan, self.text_reads, blank_cells, self.unread, found.numbers)
        # Whether indicators per period with population values have their grades read: each unit's table.
        self.tables = tabled(self.rich.graded if self.rich is not None else None, self.rules.graded)
        data = {*found.reads, *(self.rich.data if self.rich is not None else ()), *self.rules.reads}
        data |= self.steps.reads if self.steps is not None else set()  # what read steps read (colstepreads)
        self.vetoes = period_vetoes(plan, _compile, _Unsupported)  # on indicators per period: the year's row
        data |= self.vetoes.reads if self.vetoes is not None else set()  # (the year cells they read)
        # Not data: other indicators' results (指标1·完成率), columns of words (read as words: text_reads).
        data -= {*computed, *self.text_reads, *plan.results.keys()}
        self.reads = tuple(sorted(data | (self.own.reads if self.own else set())))
        self.params = Parameters.of(plan, self.reads, self.text_reads, _Unsupported)  # colparams
        self.doubted = Doubted.of(self, blank_cells)  # cells of Unit objects the columns do not hold
        self.truth_fields = truth_fields(self, blank_cells)  # (bools there: truth values, coldoubt)
        # Per category key: each indicator's lower and upper limit (None: none).
        keys = scheme.categories or (None,)
        self.limits = found.limits(keys)
        # Indicators that apply only to named units (applies_to), and the weights that are 0 per category.
        self.only_for = [
            (k, frozenset(ind.ind.applies_to))
            for k, ind in enumerate(plan.indicators)
            if ind.ind.applies_to is not None
        ]
        # Per category, the indicators of weight 0 (not assessed; weights read per unit: colweights).
        skip = dict(plan.weight_from) if scheme.categories else range(len(plan.indicators))
        self.unassessed = {
            c: [k for k, w in enumerate(plan.weights_for(c)) if w == 0 and k not in skip] for c in keys
        }

    def run(
        self,
        units: Sequence[Unit],
        population: _Pop = None,
        *,
        rendered: bool = False,
        record: dict[str, Any] | None = None,
    ) -> list[UnitOutcome | None]:
        """Each unit's totals-only outcome (None: left unscored in this batch, see colalone);
        *population*: see score.

        With *rendered*, each outcome also gets its indicator scores and total as output cells
        (``rendered``, ``shown_total``: what the command line writes), made for the batch at once.
        *record* (a dict) keeps the columns the steps worked out, for explanations (colrecord).

        A batch whose divisors are too many and unlike for one denominator (colsteps.divide) is scored
        as two halves, each the same way; a single unit, or a recording run, divides over one
        denominator whatever its size.
        """
        if record is not None or len(units) <= 1:
            with colsteps.divisors("exact"):
                return self._run(units, population, rendered=rendered, record=record)
        try:
            with colsteps.divisors("regroup"):
                return self._run(units, population, rendered=rendered)
        except colsteps.Regroup:
            given = list(units)
            half = len(given) // 2
            first = self.run(given[:half], population, rendered=rendered)
            return [*first, *self.run(given[half:], population, rendered=rendered)]

    def _run(
        self,
        units: Sequence[Unit],
        population: _Pop = None,
        *,
        rendered: bool = False,
        record: dict[str, Any] | None = None,
    ) -> list[UnitOutcome | None]:
        """:meth:`run` on one batch."""
        n = len(units)
        if not n:
            return []
        given, units = units, joined(self.plan, units)  # last year's results (history) joined
        with gc_paused():
            ok = np.array([not u.problems for u in units], dtype=bool)
            read = ok.copy() if not ok.all() else None  # units whose cells were all read (else: refused)
            names, columns = colsteps.batch_columns(units, self.reads, population)
            unweighed = self.own.unread(units, columns) if self.own is not None else None
            periods = colperiods.periods_of(units)
            # (bools a condition reads as such: coldoubt)
            bools = truths(units, columns, self.truth_fields) if periods is None else None
            later = np.zeros(n, dtype=bool)  # units whose total's rules read a cell the columns do not hold
            doubted = (
                self.doubted.find(units, columns, ok, self.blanks.steps_only, later) if self.doubted else {}
            )
            odd = {name: doubted[name] for name in self.blanks.steps_only if name in doubted} or None
            nones = (
                self.doubted.nones(units, columns, ok, later, self.blanks.steps_only) if self.doubted else {}
            )
            kept = self.blanks.none_kept  # (a None handed in there is no blank: collookup.NONE_GIVEN)
            for name in self.text_reads:
                columns[name] = collookup.words_given(units, name, name in kept)
            # (cells holding a value the column does not, in the year's row of units with periods)
            year_held = held(units, columns, self.reads) if periods is not None else None
            declared = [u.not_applicable for u in units] if any(u.not_applicable for u in units) else None
            scored = self.score(
                names,
                [u.category for u in units],
                columns,
                ok,
                population=population,
                periods=periods,
                declared=declared,
                record=record,
                odd=odd,
                doubted=doubted,
                unweighed=unweighed,
                nones=nones,
                year_held=year_held,
                bools=bools,
                unfinished=later,
            )
            refused_rows(scored, given, read)  # errors decided before any indicator is scored (uniterrors)
            failed_rows(scored, given, population)  # an indicator's error, by its own step (colfailures)
            total_rows(scored, given, population)  # the total's error, by the per-unit code (coltotalerrors)
            if record is not None:
                record.update(units=units, scored=scored)
            out: list[UnitOutcome | None] = [None] * n
            for i, found in scored.errors.items():  # the units scored with errors: no total
                out[i] = outcome_of(found)
            rows = scored.rows()
            totals, grades, shown = scored.finish(rows)
            lines = format_rows(scored.scores, scored.den, scored.applicable) if rendered and rows else None
            for j, (i, total, grade) in enumerate(zip(rows, totals, grades, strict=True)):
                unit = units[i]
                outcome = UnitOutcome(unit)
                if lines is not None:
                    outcome.rendered, outcome.shown_total = lines[i], shown[j]
                else:
                    outcome.scores_later(partial(scored.unit_scores, i))
                outcome.total, outcome.grade = total, grade
                if unit.notes:
                    outcome.events = note_events(unit)
                scored.dress(i, outcome)
                out[i] = outcome
        return out

    def score(
        self,
        names: Sequence[str],
        categories: Sequence[str | None],
        columns: dict[str, tuple[_Col, Any]],
        ok: Any,
        *,
        population: _Pop = None,
        periods: colperiods.PeriodData | None = None,
        declared: Sequence[frozenset[str]] | None = None,
        record: dict[str, Any] | None = None,
        odd: Mapping[str, Any] | None = None,
        doubted: Mapping[str, Any] | None = None,
        unweighed: Any = None,
        nones: Mapping[str, Any] | None = None,
        year_held: Mapping[str, Any] | None = None,
        bools: Mapping[str, Any] | None = None,
        unfinished: Any = None,
    ) -> Scored:
        """Score a batch given as columns.

        Args:
            names: the units' names.
            categories: their categories.
            columns: each data column the program reads, with which of its
                cells are plain numbers (``text_reads``: words, see ``collookup.text_column``).
            ok: which units the program may score at all.
            population: per unit name, its population values (``max_of`` …); see ``colsteps``.
            periods: per unit, its year's data and periods' data where it has periods (``colperiods``).
            declared: per unit, the indicators it declares not applicable (``Unit.not_applicable``).
            record: where to keep the columns each step worked out (None: kept nowhere).
            odd: per input only the steps or the default of a word scale without value read
                (``colblank.Blanks.steps_only``), its cells neither plain nor blank (None: none).
            doubted: per data column, the units whose cell holds a value the column does not (coldoubt).
            unweighed: the units whose weight cell (``weight_from``) the weights' reader refuses though
                the column holds its number (``ReadWeights.unread``; None: none).
            nones: per data column, the units whose cell holds None itself (coldoubt: its readers are
                marked, as a value that is not a number; a ``missing`` rule takes it for no value).
            year_held: per data column, the units with periods whose year's cell holds a value the column
                does not (``coldoubt.held``): a period row without its own value reads it, so an
                indicator scored per period that reads the column is marked there too.
            bools: per data column, its cells holding a ``bool`` as truth values (``coldoubt.truths``).
            unfinished: the units whose total the columns do not finish, once their indicators are worked
                out: a cell only the rules on their total read (or no indicator that applies) holds a
                value the columns do not (coldoubt); their total's error is the per-unit program's
                (coltotalerrors).

        Returns:
            The scores and totals, with the units scored here marked.
        """
        plan = self.plan
        scheme = plan.scheme
        n = len(names)
        keys = scheme.categories
        ok = ok.copy()
        level = np.zeros(n, dtype=bool)  # units refused for what is decided before any indicator is scored
        cat = np.zeros(n, dtype=np.int64)
        if keys:
            code = {c: i for i, c in enumerate(keys)}
            for i, c in enumerate(categories):
                found = code.get(c) if c is not None else None
                if found is None:
                    ok[i] = False  # uniterrors says what is wrong with the category
                    level[i] = True
                else:
                    cat[i] = found
        unread = set()  # words not given as text: the per-unit program reads those units
        for name in self.text_reads:
            given = columns.get(name)
            if given is None or isinstance(given[0], _Col):
                columns = {**columns, name: collookup.text_column([None] * n)}
                unread.add(name)
        if self.params is not None:  # per-unit parameters where the data gives none (colparams)
            columns = self.params.joined(names, columns)
        cols: dict[str, Any] = {name: col for name, (col, _) in columns.items()}
        put(cols, bools)  # bools a condition reads as truth values (coldoubt.truths)
        cols[CATEGORY] = cat  # 分值 and limits per category (colpoints)
        self.blanks.put(cols, columns, unread, odd)  # blank cells a default for no data takes (colblank)
        present = None  # per unit and indicator: whether its population values are there
        if any(self.population):
            present = colsteps.population_columns(plan.indicators, self.population, names, population, cols)
        if self.tables and population:  # (colindgrades: every period's values of a graded indicator)
            cols[TABLES] = partial(population_table, population, names)
        count = len(plan.indicators)
        fails = Failures(n, count)  # per unit and indicator: what the columns cannot work out (colfailures)
        # Applicability: applies_to, and weights of 0 for a category.
        applicable = np.ones((n, count), dtype=bool)
        for k, members in self.only_for:
            applicable[:, k] = np.fromiter(map(members.__contains__, names), dtype=bool, count=n)
        if keys:
            for c, missing in self.unassessed.items():
                if missing:
                    rows = cat == keys.index(c)
                    for k in missing:
                        applicable[rows, k] = False
        if self.own is not None:  # weights each unit reads (weight_from; 0 for a category: not assessed)
            wid, owns, refused = self.own.read(columns, ok, cat, applicable)
            if record is not None:
                record["own"] = (wid, owns)  # each unit's weights read from its data (colrecord)
            fails.own = (wid, owns)
            if unweighed is not None:
                refused = refused | unweighed
            ok &= ~refused
            level |= refused
        if declared is not None:
            listed, unknown = colapplies.declared(plan.lookup, plan.indicators, declared)
            applicable &= ~listed
            fails.undeclared = unknown  # scored, then refused a total beside those errors (colfailures)
            level |= unknown  # (with weights read per unit refused, say so first: uniterrors)
        start = applicable.copy()  # (a unit's indicator that applies to it by name and weight)
        for k, holds, names_k in self.na_rules:  # (those reading results: once they are read)
            names_k = na_now(self.results, k, holds, names_k, cols, applicable)
            gone = self.missing.blank(k, names_k, columns, applicable, periods, unread, doubted)
            colapplies.unread(self.stops.get(k), *gone, columns, cols, start[:, k], partial(fails.mark, k))
            fails.mark(k, colapplies.raised(cols, plan.indicators[k], n) & start[:, k])  # (words raised)
        if doubted and self.doubted:  # a cell holding what its column does not (coldoubt)
            unfinished |= self.doubted.mark(doubted, fails.mark, applicable)
        if nones and self.doubted:  # None itself: no blank a default takes (coldoubt)
            unfinished |= self.doubted.mark(nones, fails.mark, applicable)
        if self.steps is not None:  # other indicators' steps that rules read (colstepreads)
            columns = self.steps.run(cols, columns, n)
        places = scheme.round_scores
        kept: dict[int, Any] | None = {} if self.grades is not None else None  # period rows (colgrades)
        hold = partial(collimits.held, self.limits, keys=keys, cat=cat, places=places)  # (held, rounded)
        raw, per_period = colperiods.score_indicators(
            self.fns,
            plan.indicators,
            self.reads_of,
            cols,
            n,
            periods,
            cat,
            keys or (None,),
            self.limits,
            scheme.round_scores,
            applicable,
            frozenset(self.text_reads),
            partial(colperiods.population_rows, plan.indicators, self.population, names, population),
            {name: plain for name, (_, plain) in columns.items()},
            *ordered(self.results, cols, applicable, hold, start, fails),
            kept,
            columns,
            fails.mark,
            None if record is None else record.setdefault("periods", {}),  # period rows (colrecord)
            plan.result_reads,
            self.unread.unstopped,
        )
        if self.vetoes is not None:  # vetoes of indicators reported per period, on the year's row
            for k, rows in enumerate(self.vetoes.run(cols, columns, applicable, present).T):
                fails.mark(k, rows)
        fails.peek_vetoes(cols)
        fired, ok = colvetoes.take(plan, cols, applicable, ok)  # indicator vetoes that fire (colvetoes)
        if present is not None:  # a population value is needed where its indicator applies (colread)
            mark_lacking(
                plan, self.population, present, per_period, applicable, cols, self.blanks, fails.mark
            )
        for k, _, _ in self.na_rules:  # (rules that read results ran with the indicators: colresults)
            fails.mark(k, colapplies.raised(cols, plan.indicators[k], n) & start[:, k])
        if _TOO_LARGE in cols:
            ok &= ~cols[_TOO_LARGE]
        # Each score held within its limits (over its own denominator, and the limits'), or rounded.
        own = [hold(k, col) for k, col in enumerate(raw)]
        if record is not None:  # what explanations read (colrecord): references, nothing copied
            record.update(cols=cols, raw=raw, held=own, applicable=applicable, columns=columns)
        den = 10**places if places is not None else math.lcm(*(c.den for c in own)) if own else 1
        # A cell that is not a plain number matters only where its indicator applies.
        everywhere = applicable.all(axis=0).tolist()
        for k, names_k in enumerate(self.reads_of):
            elsewhere = per_period.get(k)  # units whose indicator k is scored from their periods
            for name in names_k:
                plain = self.blanks.plain(k, name, columns[name][1], cols)  # (a blank its default took …)
                if elsewhere is not None:
                    odd_year = year_held.get(name) if year_held is not None else None
                    plain = plain | (elsewhere if odd_year is None else elsewhere & ~odd_year)
                if not plain.all():
                    fails.mark(k, ~plain if everywhere[k] else ~plain & applicable[:, k])
        ok = fails.split(ok)  # units only an indicator's failure keeps from a total (colfailures)
        fails.whole = ok.copy()  # (those the rules on the total then drop are asked about: coltotalerrors)
        if unfinished is not None and unfinished.any():
            ok &= ~unfinished
        unworked = total_unread(plan, cols)  # steps the total's rules read, not worked out (colstepreads)
        if unworked is not None:
            ok &= ~unworked
        # One pattern of applicable indicators per unit: the units grouped by category and pattern.
        varying = [k for k in range(count) if not applicable[:, k].all()]
        pattern = cat * (1 << len(varying))
        for bit, k in enumerate(varying):
            pattern += applicable[:, k].astype(np.int64) << bit
        if self.own is not None:  # and by the weights each unit reads (weight_from)
            pattern = pattern * len(owns) + wid
        totals: Any = None  # the totals as Python integers, once one does not fit in int64
        small: Any = np.zeros(n, dtype=np.int64)  # the totals as int64, while every one fits
        denominators = np.ones(n, dtype=object)
        wide = np.zeros(n, dtype=bool)  # units whose total could be past LIMITS.max_bits
        bits = _numbers.LIMITS.max_bits  # read when scoring (tests and callers may set other limits)
        patterns = np.unique(pattern[ok]).tolist()
        possible = []  # per pattern: its rows and weighting (折算, a total formula: coltotalrules)
        whole = len(patterns) == 1 and bool(ok.all())  # one pattern for every unit: no rows to pick
        for p in patterns:
            rows = np.arange(n) if whole else np.flatnonzero((pattern == p) & ok)
            first = int(rows[0])
            category = keys[int(cat[first])] if keys else None
            mine = owns[int(wid[first])] if self.own is not None else None
            weights = weighting(plan, category, applicable[first].tolist(), mine)
            possible.append((rows, weights))
            # Each weight folded into its column's factor to the common denominator.
            factors = [
                int(x) * (den // c.den) if x is not None else 0
                for x, c in zip(weights.numerators, own, strict=True)
            ]
            sums, fits = weighted_sums(own, factors, None if whole else rows)
            if fits and totals is None:
                small[rows] = sums
            else:
                if totals is None:
                    totals, small = small.astype(object), None
                totals[rows] = sums.tolist() if fits else sums
            q = den * weights.denominator
            denominators[rows] = q
            if max(q, sum(c.bound * abs(f) for c, f in zip(own, factors, strict=True))) >> bits:
                wide[rows] = True
        means, common = None, CommonScores(own, den)
        if self.means is not None:  # groups that take a mean: their code once per distinct input
            means, done = self.means.run(common, den, applicable, categories, ok)
            ok &= done
            (totals, denominators), small = total_columns(means), None
            wide[:] = False  # (the means' totals are checked against the limits there)
        if wide.any():  # totals past LIMITS.max_bits: checked as the per-unit program checks them
            big = totals if totals is not None else small.astype(object)
            ok = (ok & ~wide) | colsteps.totals_within_limits(big, denominators, ok & wide)
        scored = Scored(self, common, den, applicable, totals, denominators, ok, small)
        scored.level, scored.failures = level, fails
        scored.means, scored.own = means, ((wid, owns) if self.own is not None else None)
        held = small if small is not None else totals
        if (
            fired is not None
            or self.rules.active
            or self.rules.bites(held, denominators, scored.ok, keys, cat)
        ):
            scored.finish_rules(
                with_truths(columns, bools), cat, possible, fired, cols, periods
            )  # (coldoubt)
        if self.rich is not None:  # (those it grades, of scored.ok: words not given, none)
            scored.ok = scored.ok & self.rich.run(
                scored, cols, categories, scored.ok, columns, periods, unread
            )
        if self.grades is not None and kept is not None:  # each period's total and grade (colgrades)
            scored.periods, done = self.grades.run(scored, categories, periods, kept, cols)
            scored.ok = scored.ok & done
        return scored


def program_of(plan: Plan) -> ColumnProgram:
    """The plan's column program, compiled once.

    Raises:
        SchemeError: a form of the scheme the column program does not compile (``Plan.program_why``
            names the indicator and the form): the scheme is refused, as no other program scores it.
    """
    found = plan.program
    if found is None:
        try:
            found = ColumnProgram(plan)
        except _Unsupported as exc:
            found = False
            plan.program_why = str(exc)
        plan.program = found
    if not isinstance(found, ColumnProgram):
        raise not_compiled(plan)
    return found


def score_columns(
    plan: Plan, units: Sequence[Unit], population: _Pop = None, *, rendered: bool = False
) -> list[UnitOutcome | None]:
    """Totals-only outcomes by the column program; None where it leaves a unit unscored in this batch
    (:mod:`~perfrules.scoring.colalone` runs it again on that unit alone; *rendered*: see
    :meth:`ColumnProgram.run`).

    Raises:
        SchemeError: the scheme's form does not compile (see :func:`program_of`).
    """
    return program_of(plan).run(units, population, rendered=rendered)
