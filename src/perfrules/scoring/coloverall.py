"""Overall grading that reads more than the total, for a batch's columns: once per distinct input.

A scheme's overall grading may read more than 总分: a group's 得分 and 得分率,
an indicator's 得分 and 得分率, data columns, conditions on any of these
(``conditions`` bands), grade caps (``等次最高为…``, ``demote``), limits on the
total (``max_total``: 总分不超过C级最高限) and flags beside the grade (不能评先).
The per-unit program decides all of these with :mod:`~perfrules.scoring.overall`
(``overall_scope``, ``limit_total``, ``grade_total``, ``raise_flags``). The
column program runs that same code, once per DISTINCT input — the unit's
category and pattern of applicable indicators (and its own weights, read with
``weight_from``), its total, the scores the grading reads and the data cells it
reads — and gives each unit of that input
the total, grade, events and flags it gave. No rule is written twice.

A unit whose input the grading cannot take (a condition that fails to work out,
a group whose indicator does not apply) is left out here: it gets the error the
per-unit program's code gives it (:mod:`~perfrules.scoring.coltotalerrors`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._errors import PerfrulesError
from .._intcols import numpy
from .._numbers import as_fraction, exact
from ..scheme.units import PolicyEvent, Unit
from .colblank import BLANK
from .colindgrades import graded_indicators
from .collookup import NOT_A_WORD, key_value, word_key
from .coltruth import Held, TruthColumn, held
from .outcome import weighting
from .overall import grade_total, limit_total, overall_scope, raise_flags
from .plan import Plan, score_names

__all__ = ["RichGrading", "overall_words", "rich_grading"]

# What one distinct input gave: the total (exact), the grade, the events and the flags.
Found = tuple[Any, str | None, tuple[PolicyEvent, ...], tuple[str, ...]]


class RichGrading:
    """What a plan's rich overall grading reads, worked out once (see the module's docstring).

    Attributes:
        data: the data columns the grading, caps and flags read.
        indicators: the positions of the indicators whose scores they read (directly or by group).
    """

    def __init__(self, plan: Plan, unsupported: type[Exception], words: Sequence[str] = ()) -> None:
        scheme = plan.scheme
        reads = set(scheme.graded_reads())
        computed = scheme.overall_names()
        self.plan = plan
        self.data: tuple[str, ...] = tuple(sorted(reads - computed))
        needed: set[int] = set()
        # Indicators' grades (指标3等次, 评为优的指标数): the indicator's own code per input (colindgrades).
        self.graded = graded_indicators(plan, reads & computed, words, unsupported, population=True)
        if self.graded is not None:  # (the scope has a grade only beside its indicator's score)
            needed |= set(self.graded.which)
        sources = _sources(plan)
        for name in reads & computed:
            needed |= sources[name]
        self.indicators: tuple[int, ...] = tuple(sorted(needed))
        # The data cells whose blanks are no value (colblank): those read, and the year cells of the
        # graded indicators reported per period (colindgrades).
        # The columns of words among them: each cell's word as the unit's data holds it (as it is to
        # the grading's own code, which says what it says of a word: a scale's levels read it).
        self.words = frozenset(self.data) & frozenset(words)
        self.cells = (
            *(n for n in self.data if n not in self.words),
            *(self.graded.blank_reads if self.graded is not None else ()),
        )
        self.flags = bool(scheme.flags)

    def run(
        self,
        scored: Any,
        cols: dict[str, Any],
        categories: Sequence[str | None],
        ok: Any,
        columns: Any = None,
        periods: Any = None,
        unread: Collection[str] = (),
    ) -> Any:
        """Grade the units *ok* marks of *scored* (:class:`~perfrules.scoring.colscored.Scored`);
        *columns*: the data columns with where each cell is a plain number (for indicators' grades);
        *periods*: each unit's periods' data (for indicators reported per period: colindgrades);
        *unread*: the columns of words the caller did not give (where the grading reads one: no unit).

        Returns which units it graded, of *ok* (the others go back to the per-unit program); sets
        ``scored.found`` (per unit, its :data:`Found` or None) and limits totals in place.
        """
        np = numpy()
        n = len(ok)
        if self.words & set(unread):  # words the caller did not give (a scale's levels read every one
            return np.zeros(n, dtype=bool)  # given, reached or not): the per-unit program grades them
        grades: dict[int, list[str | None]] = {}
        if self.graded is not None:
            by_period: dict[int, Any] = {}  # (each period's grades of indicators reported per period)
            grades, graded_here = self.graded.run(
                columns, categories, scored.applicable, ok, cols, periods, by_period
            )
            ok = ok & graded_here
            scored.graded = grades  # (what a grade per period reads too: colgrades)
            scored.period_graded = by_period
        for name in self.words:  # a value there that cannot be keyed (no word, no number): left unscored
            ok = ok & np.fromiter((word_key(v) is not NOT_A_WORD for v in cols[name]), dtype=bool, count=n)
        rows = np.flatnonzero(ok).tolist()
        held = scored.small if scored.small is not None else scored.totals
        parts: list[list[Any]] = [
            [categories[i] for i in rows],
            [bytes(r) for r in np.packbits(scored.applicable[rows], axis=1)] if rows else [],
            held[rows].tolist(),
            scored.denominators[rows].tolist(),
            [scored.base(i) for i in rows],  # the unit's own weights (weight_from), else None
        ]
        parts += [scored.scores[k][rows].tolist() for k in self.indicators]
        parts += [  # (None: a blank cell, no value)
            [word_key(v) for v in cols[name][rows].tolist()]
            if name in self.words
            else _cells(cols, name, rows)
            for name in self.data
        ]
        parts += [[grades[k][i] for i in rows] for k in grades]
        if scored.means is not None:  # subtotals by a geometric or harmonic mean (colmeans), by group
            parts.append([_items(scored.means[i]) for i in rows])
        # (0: words, and a step's values where truth values may be among them: each as it is)
        dens = [
            0 if name in self.words or isinstance(cols[name], TruthColumn) else cols[name].den
            for name in self.data
        ]
        found: dict[tuple[Any, ...], Found | None] = {}
        results: list[Found | None] = [None] * n
        graded = np.zeros(n, dtype=bool)
        limited = []
        for i, key in zip(rows, zip(*parts, strict=True), strict=True):
            if key in found:
                got = found[key]
            else:
                got = found[key] = self._grade(key, scored, dens)
            if got is not None:
                results[i] = got
                graded[i] = True
                if got[0] is not None:
                    limited.append(i)
        if limited:  # 总分不超过…: the limited total is the unit's (graded and ranked so)
            _limit(scored, limited, results)
        scored.found = results
        return graded

    def _grade(self, key: tuple[Any, ...], scored: Any, dens: Sequence[int]) -> Found | None:
        """The overall code run for one distinct input (None: the per-unit program grades it)."""
        plan = self.plan
        category, pattern, num, den, base = key[:5]
        np = numpy()
        count = len(plan.indicators)
        bits = np.unpackbits(np.frombuffer(pattern, dtype=np.uint8))[:count].tolist()
        applicable = [bool(a) for a in bits]
        use = weighting(plan, category, applicable, base)
        scores: list[Any] = [None] * count
        contributions: list[Any] = [None] * count
        at = 5
        for k in self.indicators:
            if applicable[k]:
                scores[k] = exact(Fraction(key[at], scored.den))
                contributions[k] = use.contribution(k, scores[k])
            at += 1
        data = {
            name: exact(Fraction(v, d)) if d else v.value if isinstance(v, Held) else key_value(v)
            for name, v, d in zip(self.data, key[at:], dens, strict=False)
            if v is not None
        }
        graded: list[str | None] = [None] * count
        subtotals = dict(key[-1]) if scored.means is not None else None
        if self.graded is not None:
            first = at + len(self.data)
            for k, grade in zip(self.graded.which, key[first : first + len(self.graded.which)], strict=True):
                graded[k] = grade
        unit = Unit(name="", category=category, data=data)
        total = exact(Fraction(num, den))
        events: list[PolicyEvent] = []
        try:
            scope = overall_scope(plan, unit, total, use.weights, contributions, scores, graded, subtotals)
            final = limit_total(plan, total, scope, events) if plan.limits_total else total
            grade = grade_total(plan, final, scope, events, category)
            flags = raise_flags(plan, scope, events) if self.flags else ()
        except PerfrulesError:
            return None
        return (None if final is total else final, grade, tuple(events), flags)


def _items(found: Any) -> tuple[tuple[str, Any], ...]:
    """A unit's subtotals by a mean (its :data:`perfrules.scoring.colmeans.Found`), as a key's part."""
    return () if found is None else tuple(sorted(found[1].items()))


def _cells(cols: Mapping[str, Any], name: str, rows: list[int]) -> list[Any]:
    """The numerators of data column *name* at *rows*, None where the cell is blank (:data:`BLANK`)."""
    col = cols[name]
    if isinstance(col, TruthColumn):  # a step's values, truth values among them (coltruth)
        every = held(col)
        return [every[i] for i in rows]
    found: list[Any] = col.num[rows].tolist()
    gap = cols.get(BLANK, {}).get(name)
    if gap is None or not gap[rows].any():
        return found
    return [None if g else v for v, g in zip(found, gap[rows].tolist(), strict=True)]


def _limit(scored: Any, limited: list[int], results: list[Found | None]) -> None:
    """Put the limited totals (``max_total``) in the batch's total columns."""
    totals = scored.totals  # Python integers: a limit's denominator may differ
    for i in limited:
        value = as_fraction(results[i][0])  # type: ignore[index]
        totals[i], scored.denominators[i] = value.numerator, value.denominator
    scored.small = None


def _sources(plan: Plan) -> dict[str, frozenset[int]]:
    """Per name overall grading may read besides the data (``Scheme.overall_names``), the indicators
    whose scores may give its value, as :func:`~perfrules.scoring.overall.overall_scope` names them:
    a group's 得分 and 得分率 (its leaves), an indicator's (that one); none for 总分 and the indicators'
    grades and counts (``colindgrades`` reads those). A name two of them spell (a group named 指标1)
    reads the scores of both."""
    found: dict[str, frozenset[int]] = dict.fromkeys(plan.scheme.overall_names(), frozenset())

    for name, _, leaves, _ in score_names(plan):
        found[name] = found.get(name, frozenset()) | frozenset(leaves)
    return found


def rich_grading(plan: Plan, unsupported: type[Exception], words: Sequence[str] = ()) -> RichGrading | None:
    """The plan's rich overall grading for the column program (None: grading reads only the total);
    *words* are the columns the program reads as words (the grading's code is given their words)."""
    if not plan.rich_overall:
        return None
    return RichGrading(plan, unsupported, words)


def overall_words(plan: Plan, words: Sequence[str], numbers: Collection[str]) -> tuple[str, ...]:
    """The columns the column program reads as words: *words* (those the indicators read as words) and
    the data columns the overall scale reads by its ``levels`` (审计结论 >= 较好; not those of *numbers*,
    which indicators read as numbers), as the data readers keep them (words, numbers among them too)."""
    scale = plan.scheme.overall_scale
    if scale is None or scale.is_categorical or not scale.levels:
        return tuple(words)
    return tuple(sorted({*words, *(scale.variables - plan.scheme.overall_names() - set(numbers))}))
