"""Scheme-level rules on a batch's totals as column steps: vetoes, 折算, bonuses, floor, cap, rounding.

The column program (:mod:`perfrules.scoring.program`) works each unit's
weighted sum out as an integer over a denominator. The per-unit program then
finishes the total (:func:`perfrules.scoring.overall.finish_total`): 折算 over
the applicable points (``normalize``), the scheme-wide adjustments
(``Adjust``: 加分项, 扣分项), a zeroing veto, the floor at 0, the cap at full
marks and ``round_total``; a veto (``Veto``) drops the grade to the lowest
and ranks the unit after the others. :class:`TotalRules` does the same over
the whole batch:

- a policy's decision is made by the policy's own code, once per DISTINCT
  input: ``Veto.when.evaluate`` and :func:`~perfrules.scoring.policies.adjustment`
  run on each distinct tuple of the values the policy reads (each a data
  column of plain numbers); the unit's note is the one that code gives;
- 折算 and the adjustments are integer column arithmetic over the units'
  denominators (exact, Python integers);
- the floor, the cap and rounding are worked out by
  :func:`~perfrules.scoring.overall.bound_total` itself, for the units
  where the columns show one of them changes the total (the rest keep it).

A unit where a value a policy reads is not a plain number (nor a word, in a
column of words: the policy's code reads the word as the per-unit program's
does), or where a policy's code raises (a missing value, a cap formula that fails), is left out
here: :mod:`~perfrules.scoring.coltotalerrors` gives it the error the per-unit
program's code gives it (or, where there is none, the per-unit program scores it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._errors import PerfrulesError
from .._intcols import IntColumn, as_objects, numpy
from .._numbers import as_fraction, exact
from ..scheme.policies import Adjust, Veto
from ..scheme.units import PolicyEvent
from .colformula import TotalFormula
from .collimits import within_full
from .coltruth import Held, TruthColumn, held
from .overall import bound_total, marks_event, normalize_event, veto_event
from .plan import Plan
from .policies import adjust_event, adjustment

__all__ = ["TotalRules", "Totals", "distinct_inputs"]


class Totals:
    """A batch's finished totals (``num[i] / den[i]``, object arrays of Python integers), the units
    the program still scores, each unit's notes (by position) and which units a veto sank."""

    __slots__ = ("den", "events", "num", "ok", "vetoed")

    def __init__(
        self, num: Any, den: Any, ok: Any, events: dict[int, list[PolicyEvent]], vetoed: Any
    ) -> None:
        self.num = num
        self.den = den
        self.ok = ok
        self.events = events
        self.vetoed = vetoed


class TotalRules:
    """The scheme's rules on the total, compiled for columns (see the module's docstring)."""

    def __init__(self, plan: Plan, text_reads: Sequence[str], unsupported: type[Exception]) -> None:
        scheme = plan.scheme
        # Other indicators' results a policy or the total formula reads: an indicator's score and rate
        # (指标1得分, 指标1得分率) are columns made here; a step's value (指标2·超额点数) comes among the
        # data columns (colstepreads).
        self.plan = plan
        self.vetoes = tuple(p for p in scheme.policies if isinstance(p, Veto))
        self.adjusts = tuple(p for p in scheme.policies if isinstance(p, Adjust))
        reads: set[str] = set()
        for veto in self.vetoes:
            reads |= veto.when.variables
        for adjust in self.adjusts:
            reads |= adjust.reads
        # The total formula (colformula): the weighted sum replaced by the formula's value.
        formula = scheme.total_formula is not None
        self.formula = TotalFormula(plan, unsupported, text_reads) if formula else None
        if self.formula is not None:
            reads |= self.formula.reads
        # The year cells whose blanks are no value for the indicators per period whose grades it reads.
        self.graded = self.formula.graded if self.formula is not None else None
        self.blank_reads: tuple[str, ...] = self.graded.blank_reads if self.graded is not None else ()
        # The results the policies read, as columns of the scores (see _results).
        self.results = tuple(sorted(n for n in reads & plan.total_reads if plan.results[n][1] is None))
        # (columns of words are the program's text_reads: handed to the policies' code as words)
        self.reads = frozenset(reads - plan.results.keys() - set(text_reads))
        self.normalize = bool(scheme.normalize)
        # Whether a rule besides the floor and the cap can change a total or leave a note (the program
        # applies those two only where a total passes them).
        self.active = bool(
            scheme.policies
            or scheme.normalize
            or scheme.round_total is not None
            or plan.category_marks
            or self.formula is not None
        )
        # Per category with full marks of its own (its position in the scheme's categories): its note.
        self.marks_notes = {
            c: marks_event(plan, key, plan.full_marks_for(key))
            for c, key in enumerate(scheme.categories)
            if plan.full_marks_for(key) is not plan.full_marks
        }
        words = plan.words
        self.unit_word = words.points if scheme.basis == "points" else ""
        self.veto_events = tuple(veto_event(v, words("本单位", "the unit"), words) for v in self.vetoes)

    def bites(self, held: Any, denominators: Any, ok: Any, keys: Sequence[str], cat: Any) -> bool:
        """Whether the floor at 0 or the cap at full marks changes one of the totals
        ``held / denominators`` the program scores (*ok*); *cat*: each unit's category's position."""
        plan = self.plan
        scheme = plan.scheme
        if scheme.floor_total and bool((ok & (held < 0).astype(bool)).any()):
            return True
        if not scheme.cap_total:
            return False
        for c, key in enumerate(keys or (None,)):
            rows = ok & (cat == c) if keys else ok
            if not within_full(held[rows], denominators[rows], plan.full_marks_for(key)).all():
                return True
        return False

    def apply(
        self,
        num: Any,
        den: Any,
        ok: Any,
        columns: Mapping[str, tuple[Any, Any]],
        cat: Any,
        patterns: Sequence[tuple[Any, Any]],
        scored: Any,
        fired: Any = None,
        cols: Mapping[str, Any] | None = None,
        periods: Sequence[Any] | None = None,
    ) -> Totals:
        """Finish the totals ``num / den`` (object arrays) of the units where *ok*.

        Args:
            num: each unit's weighted sum's numerator (Python integers).
            den: its denominator.
            ok: which units the program scores so far.
            columns: the data columns (with which cells are plain numbers), as the program reads them.
            cat: each unit's category's position in the scheme's categories (0 without categories).
            patterns: per pattern of applicable indicators, its rows and its ``Weighting``.
            scored: the batch's scores (``colscored.Scored``), which a total formula reads.
            fired: the indicator vetoes that fired (:class:`~perfrules.scoring.colvetoes.Fired`;
                their notes come before the scheme-wide vetoes', as in the per-unit program).
            cols: the batch's columns with the population values and results the program worked out
                (what an indicator whose grade a total formula reads may read).
            periods: each unit's periods' data (None: a unit without, or a batch without), which an
                indicator reported per period whose grade a total formula reads is graded on.
        """
        np = numpy()
        plan = self.plan
        scheme = plan.scheme
        n = len(num)
        num, den, ok = num.copy(), den.copy(), ok.copy()
        if self.results:
            columns = {**columns, **self._results(scored, cat)}
        events: dict[int, list[PolicyEvent]] = {}
        keys = scheme.categories or (None,)
        fulls = [self.plan.full_marks_for(k) for k in keys]
        fulls = [fulls[c] for c in cat.tolist()] if scheme.categories else fulls * n
        vetoed = np.zeros(n, dtype=bool) if fired is None else fired.vetoed & ok
        zeroed = np.zeros(n, dtype=bool) if fired is None else fired.zeroed & ok
        if fired is not None:
            events.update((i, list(notes)) for i, notes in fired.events.items() if ok[i])
        for veto, note in zip(self.vetoes, self.veto_events, strict=True):
            found, failed = self._decided(veto.when.variables, columns, ok, n, veto.when.evaluate)
            ok &= ~failed
            fired = np.fromiter((f is True for f in found), dtype=bool, count=n) & ok
            vetoed |= fired
            if veto.effect == "zero":
                zeroed |= fired
            for i in np.flatnonzero(fired).tolist():
                events.setdefault(i, []).append(note)
        if self.formula is not None:
            self.formula.apply(num, den, ok, columns, cat, patterns, scored, events, cols, periods)
        for c, note in self.marks_notes.items():  # 分类考核: the full marks of the unit's category
            for i in np.flatnonzero(ok & (cat == c)).tolist():
                events.setdefault(i, []).append(note)
        if self.normalize:
            self._normalize(num, den, ok, fulls, [(r, w.possible) for r, w in patterns], events)
        for policy in self.adjusts:
            self._adjust(policy, num, den, ok, columns, events)
        num[zeroed] = 0
        self._bound(num, den, ok, fulls, events)
        if scheme.round_total is not None:
            scale = 10**scheme.round_total  # every total is now a multiple of 10**-places
            num[:] = num * scale // den
            den[:] = scale
            if scheme.cap_total and plan.overall is not None:
                # Full marks rounded up (12.5 to 13) would pass full marks: the per-unit program
                # takes the most within them (12) and notes it, for that unit.
                ok &= ~_above(num, den, fulls)
        return Totals(num, den, ok, events, vetoed)

    def _results(self, scored: Any, cat: Any) -> dict[str, tuple[IntColumn, Any]]:
        """The results the policies read as columns (with where they exist): an indicator's score
        where it applies, its rate (score ÷ its full points for the unit's category) where those are
        not 0 — as the per-unit program's results (``unit._results``) give them."""
        np = numpy()
        plan = self.plan
        keys = plan.scheme.categories or (None,)
        out: dict[str, tuple[IntColumn, Any]] = {}
        for name in self.results:
            k = plan.index[plan.results[name][0]]
            col = scored.scores.columns[k]
            has = scored.applicable[:, k].copy()
            if not name.endswith("得分率"):
                out[name] = (col, has)
                continue
            fulls = [as_fraction(plan.indicators[k].full(c)) for c in keys]
            common = math.lcm(*(f.numerator for f in fulls if f))
            at = cat if plan.scheme.categories else np.zeros(len(cat), dtype=np.int64)
            # score ÷ (p/q) over den × common: numerator × q × (common / p).
            by = np.array([f.denominator * (common // f.numerator) if f else 0 for f in fulls], dtype=object)
            has &= np.array([bool(f) for f in fulls], dtype=bool)[at]
            num = as_objects(col.num) * by[at]
            out[name] = (IntColumn(num, col.den * common, col.bound * max(by.tolist())), has)
        return out

    def _decided(
        self, names: frozenset[str], columns: Mapping[str, tuple[Any, Any]], ok: Any, n: int, decide: Any
    ) -> tuple[list[Any], Any]:
        """``decide(scope)`` per unit (None where not run), run once per distinct input, and the units
        it cannot be run for (the policy's code raised there: a blank cell it reaches, …; or a result
        it reads is not there: the per-unit program reads those before the rules, and its error is the
        read's)."""
        np = numpy()
        index, scopes, _ = distinct_inputs(sorted(names), columns, n)
        unread = np.zeros(n, dtype=bool)
        for name in names & self.plan.results.keys():
            unread |= ~columns[name][1]
        found: list[Any] = [None] * len(scopes)
        failed_keys = np.zeros(len(scopes), dtype=bool)
        for j in np.unique(index[ok]).tolist():
            try:
                found[j] = decide(scopes[j])
            except PerfrulesError:
                failed_keys[j] = True
        failed = failed_keys[index] | unread
        return [found[j] for j in index.tolist()], failed

    def _normalize(
        self,
        num: Any,
        den: Any,
        ok: Any,
        fulls: Sequence[Fraction],
        possible: Sequence[tuple[Any, Fraction]],
        events: dict[int, list[PolicyEvent]],
    ) -> None:
        """折算: ``earned / possible × full marks`` where a pattern's points are not the full marks."""
        plan = self.plan
        for rows, points in possible:
            if not len(rows):
                continue
            full = fulls[int(rows[0])]
            if points == full:
                continue
            at = rows[ok[rows]]
            if not len(at):
                continue
            before = num[at], den[at]
            if points == 0:
                num[at] = 0
            else:
                factor = full / points
                num[at] = num[at] * factor.numerator
                den[at] = den[at] * factor.denominator
            for i, a, b in zip(at.tolist(), before[0].tolist(), before[1].tolist(), strict=True):
                total = Fraction(int(num[i]), int(den[i]))
                note = normalize_event(plan, Fraction(a, b), points, full, total)
                events.setdefault(i, []).append(note)

    def _adjust(
        self,
        policy: Adjust,
        num: Any,
        den: Any,
        ok: Any,
        columns: Mapping[str, tuple[Any, Any]],
        events: dict[int, list[PolicyEvent]],
    ) -> None:
        """A scheme-wide adjustment: each distinct input's change and note by the policy's own code."""
        np = numpy()
        plan = self.plan
        words, unit_word = plan.words, self.unit_word

        def decide(scope: dict[str, object]) -> tuple[Fraction, PolicyEvent | None]:
            change, parts = adjustment(policy, scope, "the scheme's adjustment", words, unit_word)
            if not parts:
                return Fraction(0), None
            return change, adjust_event(policy, change, parts, words, unit_word)

        found, failed = self._decided(policy.reads, columns, ok, len(num), decide)
        ok &= ~failed
        at = np.flatnonzero(ok).tolist()
        if not at:
            return
        changes = [found[i] for i in at]
        scale = math.lcm(*(c[0].denominator for c in changes))
        moved = [i for i, (change, note) in zip(at, changes, strict=True) if note is not None]
        if not moved:
            return
        rows = np.array(moved, dtype=np.int64)
        step = np.array([int(found[i][0] * scale) for i in moved], dtype=object)
        num[rows] = num[rows] * scale + step * den[rows]
        den[rows] = den[rows] * scale
        for i in moved:
            events.setdefault(i, []).append(found[i][1])

    def _bound(
        self, num: Any, den: Any, ok: Any, fulls: Sequence[Fraction], events: dict[int, list[PolicyEvent]]
    ) -> None:
        """The floor, the cap and rounding by :func:`bound_total`, for the units where one bites."""
        np = numpy()
        scheme = self.plan.scheme
        bites = np.zeros(len(num), dtype=bool)
        if scheme.floor_total:
            bites |= (num < 0).astype(bool)
        if scheme.cap_total:
            bites |= _above(num, den, fulls)
        if scheme.round_total is not None:
            bites |= (num * 10**scheme.round_total % den != 0).astype(bool)
        for i in np.flatnonzero(bites & ok).tolist():
            found: list[PolicyEvent] = []
            final = as_fraction(
                bound_total(self.plan, Fraction(int(num[i]), int(den[i])), fulls[i], found, self.unit_word)
            )
            d = int(den[i])
            if (final * d).denominator == 1:
                num[i] = int(final * d)
            else:
                num[i], den[i] = final.numerator, final.denominator
            if found:
                events.setdefault(i, []).extend(found)


def _above(num: Any, den: Any, fulls: Sequence[Fraction]) -> Any:
    """Which totals ``num / den`` are above their full marks."""
    np = numpy()
    top_num = np.array([f.numerator for f in fulls], dtype=object)
    top_den = np.array([f.denominator for f in fulls], dtype=object)
    return (num * top_den > den * top_num).astype(bool)


def distinct_inputs(
    names: Sequence[str], columns: Mapping[str, tuple[Any, Any]], n: int
) -> tuple[Any, list[dict[str, object]], Any]:
    """Each unit's position among the distinct tuples of the named columns' values, each distinct
    tuple as a scope of exact numbers (as the unit's data holds them), and which units' cells are
    all plain numbers.

    A cell that is not a plain number (blank, or a value the API handed in) is absent from its
    scope, as it is from the unit's data: the code run on such a scope raises where it reaches the
    name and decides without it where it does not (``事故=1 or 违纪>0`` with 违纪 blank). A column of
    words (the words as the units' data holds them, an object array:
    :func:`~perfrules.scoring.collookup.text_column`) gives its words as they are: the code run on the
    scope says what it says of a word (as the per-unit program's code does: a word read as a number
    is an error, a word an ``and`` or ``if`` does not reach is not read). A unit whose cell there is
    no word is not plain."""
    np = numpy()
    plain = np.ones(n, dtype=bool)
    cols: list[Any] = []
    fines: list[Any] = []
    for name in names:
        col, fine = columns[name]
        cols.append(col)
        fines.append(fine)
        plain &= fine
    if not cols:
        return np.zeros(n, dtype=np.int64), [{}], plain
    words = [not isinstance(c, IntColumn) for c in cols]
    if not any(words) and all(c.num.dtype != object for c in cols):
        nums = [np.where(f, c.num, 0) for c, f in zip(cols, fines, strict=True)]
        matrix = np.stack([*nums, *(f.astype(np.int64) for f in fines)], axis=1)
        keys, index = np.unique(matrix, axis=0, return_inverse=True)
        m = len(cols)
        rows = [tuple(v if row[m + i] else None for i, v in enumerate(row[:m])) for row in keys.tolist()]
    else:
        seen: dict[tuple[object, ...], int] = {}
        parts = [_cells(c, f, w) for c, f, w in zip(cols, fines, words, strict=True)]
        index = np.fromiter(
            (seen.setdefault(key, len(seen)) for key in zip(*parts, strict=True)), dtype=np.int64, count=n
        )
        rows = list(seen)
    scopes: list[dict[str, object]] = [
        {
            name: (v.value if isinstance(v, Held) else v) if w else exact(Fraction(int(v), c.den))
            for name, v, c, w in zip(names, row, cols, words, strict=True)
            if v is not None
        }
        for row in rows
    ]
    return np.asarray(index).reshape(-1), scopes, plain


def _cells(col: Any, fine: Any, words: bool) -> list[Any]:
    """A column's cells as keys of distinct inputs (None: no value): numerators where plain, words
    where a column of words, and a step's values where it may hold a truth value (coltruth: each a
    :class:`~perfrules.scoring.coltruth.Held`, as the per-unit program holds it)."""
    if isinstance(col, TruthColumn):
        return [v if ok else None for v, ok in zip(held(col), fine.tolist(), strict=True)]
    if words:
        return [v if isinstance(v, str) else None for v in col.tolist()]
    return [v if ok else None for v, ok in zip(col.num.tolist(), fine.tolist(), strict=True)]
