"""Indicators reported per period as a column step: each period's row scored, the year made by the rule.

An indicator with a ``frequency`` (monthly, quarterly …) is scored by the
per-unit program (:meth:`perfrules.scoring.indicator.IndicatorPlan.score`) on
each period of a unit that gives data for it: the period's values over the
year's row (a blank period cell falls back to the year's value), the score
held within the indicator's limits and rounded (``round_scores``) per period,
then the year's score is the exact mean of the periods' scores (``periods =
"mean"``, rounded again), or the last period's (``"last"``). The column
program does the same over columns: every (unit, period) pair that reports
the indicator becomes one row of a batch of its own, the indicator's compiled
column step runs over those rows, and each unit's rows are combined into the
year — the mean as ``Σ scores × (L / count) / (D × L)`` with ``L`` the least
common multiple of the batch's period counts, exact. A unit without such
periods is scored on its year's row, as before.

Population values (``max_of`` …, peer ratios, ranks) of an indicator
reported per period are worked out per period, among the units' rows of
that period (:mod:`perfrules.scoring.population`): each period row reads its
own (:func:`population_rows`). A unit any of whose periods the program
cannot take (a cell that is not a plain number, a value outside a scale's
domain, a divisor of 0, a population value it lacks) is the indicator's error
for that unit, worded by the indicator's own step
(:mod:`~perfrules.scoring.colfailures`, which gives the unit to the per-unit
program only where that step does not raise). With ``periods = "sum"`` the
inputs a unit's period rows give are added up (exactly, per unit at once) and the indicator is scored once on
those sums, the year's value standing in where no period gives one — as the
per-unit program's :meth:`~perfrules.scoring.compiled.CompiledIndicator.runs` does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, from_values, numpy, round_half_up_column
from .._numbers import as_fraction
from .colblank import (
    BLANK,
    TAKEN,
    UNPLAIN,
    WORDS_UNREAD,
    lacking,
    stopping,
    unnamed,
)
from .collookup import NONE_GIVEN, text_column
from .colpoints import CATEGORY
from .colsteps import POPULATION_ABSENT, SEND_BACK, population_column
from .coltruth import TruthColumn, as_truth
from .colvetoes import DEFAULTED, STEPS, step_reads
from .colzero import PERIOD_ROWS
from .indicator import IndicatorPlan

__all__ = [
    "PeriodData",
    "PeriodRows",
    "Summed",
    "period_labels",
    "periods_of",
    "population_rows",
    "score_indicators",
]

# Per unit of a batch: its periods' data by label, or None for a unit without periods (a period's
# blank cell reads the unit's year value from the batch's columns).
PeriodData = Sequence[Mapping[str, Mapping[str, object]] | None]
_Limits = Mapping[Any, Sequence[tuple[Any, Any]]]  # per category key: each indicator's (lower, upper)


def period_labels(ind: IndicatorPlan, periods: Mapping[str, Mapping[str, object]]) -> list[str]:
    """The periods the per-unit program scores the indicator on (:meth:`IndicatorPlan.runs`)."""
    fields = ind.fields
    labels = [label for label, values in periods.items() if fields & values.keys()]
    return labels[-1:] if ind.scheme.periods == "last" else labels


def score_indicators(
    fns: Sequence[Any],
    indicators: Sequence[IndicatorPlan],
    reads_of: Sequence[tuple[str, ...]],
    cols: dict[str, Any],
    n: int,
    periods: PeriodData | None,
    cat: Any,
    keys: Sequence[Any],
    limits: _Limits,
    places: int | None,
    applicable: Any,
    text: frozenset[str],
    population: Callable[[int, Sequence[tuple[int, str]]], tuple[dict[str, Any], Any]],
    plain: Mapping[str, Any],
    order: Sequence[int] | None,
    publish: Any,
    kept: dict[int, Any] | None,
    given: Mapping[str, tuple[Any, Any]],
    blame: Callable[[int, Any], None],
    recorded: dict[int, Any] | None = None,
    results_of: Sequence[Collection[str]] | None = None,
    unstopped: Callable[[int, dict[str, Any], dict[str, Any], int], dict[str, Any]] | None = None,
) -> tuple[list[IntColumn], dict[int, Any]]:
    """Each indicator's raw score column for the batch, and per periodic indicator the units it
    scored from their periods (whose year cells it does not read).

    *fns* are the indicators' compiled column steps; *cat* each unit's category
    index into *keys* (the scheme's categories, or ``(None,)``); *limits* the
    indicators' lower and upper limits per category key; *places* the
    scheme's ``round_scores``; *applicable* (units × indicators) where each
    indicator is scored at all — what its step says about other units does not
    send them to the per-unit program; *text* the columns of words; *population*
    ``population(k, rows)`` the population values of indicator *k* on period rows
    (:func:`population_rows`: a row without them is the indicator's error); *plain*
    which year cells of each column are plain numbers (read with ``periods = "sum"``); *order*
    the order to score in (``Plan.result_order``: rules that read other indicators' results),
    *publish* called with each indicator's position and year column once scored
    (:mod:`~perfrules.scoring.colresults`; result reads and periods do not compile together);
    *kept*, where given, gets each periodic indicator's period rows and their held scores
    (:mod:`~perfrules.scoring.colgrades`); *given* the batch's year columns as the program was
    given them (each with which cells are plain, or words): a period row's cell left blank reads
    the year's there; *blame* is called as ``blame(k, rows)`` with the units indicator *k*'s own
    columns could not work out, on their year's row or a period's (:mod:`~perfrules.scoring.colfailures`
    words its error by the indicator's own step). *recorded*, where given (explanations:
    :mod:`~perfrules.scoring.colrecord`), gets per periodic indicator what it was scored on: with
    ``periods = "sum"`` the columns of the summed inputs (:class:`Summed`), else its period rows
    (:class:`PeriodRows`). *results_of*, per indicator, the other indicators' results its rules
    read (``Plan.result_reads``): a period row reads its unit's (the year's score, as the per-unit
    program's period rows read the year's data). *unstopped*, where given, is
    ``unstopped(k, gaps, scope, n)``: the cells not plain numbers (per name, rows of *scope*) that stop
    indicator *k*, those its formulas do not read left out (:meth:`~perfrules.scoring.colreach.Unread.
    unstopped`).
    """
    np = numpy()
    raw: list[IntColumn] = [None] * len(fns)  # type: ignore[list-item]  # (each filled in below)
    per_period: dict[int, Any] = {}
    steps: dict[str, dict[str, Any]] = {}  # the step values vetoes per period read, per unit (colvetoes)
    reporting = _reporting(periods) if periods is not None else {}
    for k in order if order is not None else range(len(fns)):
        fn, ind = fns[k], indicators[k]
        runs = _runs(ind, periods, reporting) if periods is not None and ind.periodic else None
        asks = bool(step_reads(ind))  # (its step values, left by its step: colvetoes.leave)
        if runs is not None:  # None itself in a period's row: read as a value that is no number
            blame(k, _nones(reads_of[k], periods, n) & applicable[:, k])
        if runs is not None and ind.scheme.periods == "sum":
            # The periods' inputs added up, then scored once as the year's (the units' own rows).
            earlier = cols.pop(SEND_BACK, None)
            assert periods is not None
            scope, bad, gaps = _summed(reads_of[k], runs, periods, cols, plain, text)
            if asks:
                scope[STEPS] = {}
            raw[k] = fn(scope, n)
            if asks:  # each unit's from the summed inputs (the year's row where no period gives any)
                steps[ind.code] = scope[STEPS][ind.code]
            if unstopped is not None:  # (a cell its formulas do not read: colreach)
                gaps = unstopped(k, gaps, scope, n)
            bad |= stopping(gaps, ind, scope, n)
            if recorded is not None:
                recorded[k] = Summed(scope)
            marks = scope.get(SEND_BACK)
            if earlier is not None:  # (the marks of the steps before, put back as they were)
                cols[SEND_BACK] = earlier
            blame(k, bad & applicable[:, k])
            if marks is not None:
                blame(k, marks & applicable[:, k])
            per_period[k] = runs[1]
            if publish is not None:  # the year's score, for the rules that read it
                publish(k, raw[k])
            continue
        earlier = cols.pop(SEND_BACK, None)
        if asks:
            cols[STEPS] = {}
        year = fn(cols, n)
        if asks:
            steps[ind.code] = cols.pop(STEPS)[ind.code]
        marks = cols.pop(SEND_BACK, None)
        if marks is not None:
            marks = marks & applicable[:, k]
            if runs is not None:
                marks &= ~runs[1]  # those units' year cells are not what the indicator reads
        if earlier is not None:  # (the marks of the steps before, put back as they were)
            cols[SEND_BACK] = earlier
        if marks is not None:
            blame(k, marks)
        if runs is None:
            raw[k] = year
            if publish is not None:
                publish(k, year)
            continue
        owner, has, labels = runs
        assert periods is not None
        rows, gaps = _period_columns(reads_of[k], labels, periods, text, given, cols.get(WORDS_UNREAD, ()))
        row_ok = np.ones(len(labels), dtype=bool)
        rows[CATEGORY] = cat[owner]  # each period row's category (colpoints: 分值 and limits)
        if WORDS_UNREAD in cols:  # (a period row without a word of its own reads the year's)
            rows[WORDS_UNREAD] = cols[WORDS_UNREAD]
        for name in results_of[k] if results_of is not None else ():  # (colresults, colstepreads)
            if isinstance(cols.get(name), IntColumn):
                rows[name] = IntColumn(cols[name].num[owner], cols[name].den, cols[name].bound)
        if ind.has_population:  # each period row's own population values (peers' rows of that period)
            found, present = population(k, labels)
            rows.update(found)
        if asks:
            rows[STEPS] = {}
        scores = fn(rows, len(owner))
        if asks:  # a unit's last period row's (the per-unit program's mean keeps the last's values)
            steps[ind.code] = last_rows(rows.pop(STEPS)[ind.code], steps[ind.code], owner, has)
        if ind.has_population:  # a value the row lacks, but where a default took the row first (colblank)
            row_ok &= ~lacking(ind.code, ~present, rows, unnamed(ind))
        if unstopped is not None:  # (a cell its formulas do not read: colreach)
            rows[UNPLAIN] = {name: gap for name, gap in gaps.items() if name not in text}
            gaps = unstopped(k, gaps, rows, len(labels))
        row_ok &= ~stopping(gaps, ind, rows, len(labels))
        before = scores
        bad = ~row_ok
        if SEND_BACK in rows:
            bad |= rows[SEND_BACK]
        if bad.any():
            blame(k, np.bincount(owner[bad], minlength=n).astype(bool) & applicable[:, k])
        scores = _limited(scores, cat[owner], keys, [per[k] for per in limits.values()])
        if places is not None:
            scores = IntColumn(
                round_half_up_column(scores.num, scores.den, places),
                10**places,
                scores.bound * 10**places // scores.den + 1,
            )
        if kept is not None:
            kept[k] = (labels, scores)
        if recorded is not None:
            recorded[k] = PeriodRows(rows, labels, before, scores)
        raw[k] = _merged(year, _combined(scores, owner, n), has)
        per_period[k] = has
        if publish is not None:
            publish(k, raw[k])
    if steps:
        cols[STEPS] = steps
    return raw, per_period


def last_rows(found: Mapping[str, Any], year: Mapping[str, Any], owner: Any, has: Any) -> dict[str, Any]:
    """Per name, the column of each unit's last period row in *found* (period rows grouped by unit,
    *owner*), and of its row in *year* for a unit without such rows (*has*: the units with)."""
    np = numpy()
    n = len(has)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    last = np.zeros(n, dtype=np.int64)
    last[owner[starts]] = np.r_[starts[1:], len(owner)] - 1
    out: dict[str, Any] = {}
    for name, col in found.items():
        other = year.get(name)
        if isinstance(col, IntColumn) and isinstance(other, IntColumn):
            out[name] = _merged(other, IntColumn(col.num[last], col.den, col.bound), has)
        elif isinstance(col, TruthColumn) or isinstance(other, TruthColumn):  # a step's truth value
            mine, theirs = as_truth(col, len(owner)), as_truth(other, n)
            value = mine.value
            out[name] = TruthColumn(
                np.where(has, mine.holds[last], theirs.holds),
                np.where(has, mine.truth[last], theirs.truth),
                _merged(theirs.value, IntColumn(value.num[last], value.den, value.bound), has),
            )
        elif name == DEFAULTED or other is None:  # (the rows a default took: none where no default)
            out[name] = np.where(has, np.asarray(col)[last], False if other is None else other)
        else:
            out[name] = np.where(has, np.asarray(col, dtype=object)[last], np.asarray(other, dtype=object))
    return out


class Summed:
    """What an indicator with ``periods = "sum"`` was scored on: the batch's columns with its inputs
    the sums of each unit's period values (a unit's row is its year's where no period gives one)."""

    __slots__ = ("cols",)

    def __init__(self, cols: dict[str, Any]) -> None:
        self.cols = cols


class PeriodRows:
    """An indicator's batch of period rows as scored: their columns (each row's period values over
    its unit's year row, category and population values), which (unit, period label) each row is,
    and the rows' scores before and after the limits and rounding."""

    __slots__ = ("at", "cols", "held", "labels", "raw")

    def __init__(self, cols: dict[str, Any], labels: list[tuple[int, str]], raw: IntColumn, held: IntColumn):
        self.cols = cols
        self.labels = labels
        self.raw = raw
        self.held = held
        self.at: dict[tuple[int, str], int] | None = None

    def row(self, unit: int, label: str) -> int | None:
        """The row of the unit at position *unit* for the period *label* (None: it has none)."""
        if self.at is None:
            self.at = {key: j for j, key in enumerate(self.labels)}
        return self.at.get((unit, label))


def _summed(
    names: Sequence[str],
    runs: tuple[Any, Any, list[tuple[int, str]]],
    periods: PeriodData,
    cols: dict[str, Any],
    plain: Mapping[str, Any],
    text: frozenset[str],
) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """The batch's columns with each of *names* the sum of the values a unit's period rows give
    (``periods = "sum"``; the year's value where no period gives one), and the units the columns
    cannot take (a period cell that is not a plain number, words), and per name the units whose year cell
    read is not a plain number (blank, where a default for no data may take them: :func:`_stopping`)."""
    np = numpy()
    owner, has, rows = runs
    n = len(has)
    scope = dict(cols)
    scope[BLANK] = dict(cols.get(BLANK, {}))  # (the year's blank cells, and the sums' where none is given)
    unplain = scope[UNPLAIN] = {}
    bad = np.zeros(n, dtype=bool)
    gaps: dict[str, Any] = {}
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    units = owner[starts]
    most = int(np.bincount(owner).max())
    for name in names:
        if name in text:  # words are not added up (two periods' words: the per-unit program says so);
            # one period's word is the unit's
            words = [periods[i][label].get(name) for i, label in rows]  # type: ignore[index]
            given = np.array([v is not None for v in words], dtype=bool)
            bad |= np.bincount(owner[given], minlength=n) > 1
            column = np.array(cols[name], dtype=object)
            for j in np.flatnonzero(given).tolist():
                column[owner[j]] = words[j]
            scope[name] = column
            continue
        values = [periods[i][label].get(name) for i, label in rows]  # type: ignore[index]
        given = np.array([v is not None for v in values], dtype=bool)
        col, ok = from_values(values)
        bad[owner[given & ~ok]] = True
        wide = col.num.dtype == object or col.bound * most >= SAFE
        num = np.where(given, as_objects(col.num) if wide else col.num, 0)
        summed = np.zeros(n, dtype=object if wide else np.int64)
        summed[units] = np.add.reduceat(num, starts)
        some = np.zeros(n, dtype=bool)
        some[units] = np.logical_or.reduceat(given, starts)
        year_plain = plain.get(name)
        if year_plain is not None:  # the year's value is read where no period gives one
            gaps[name] = has & ~some & ~year_plain
            scope[BLANK][name] = ~some & ~year_plain
            unplain[name] = ~some & ~year_plain  # (the cells read that are not plain numbers: colreach)
        scope[name] = _merged(cols[name], IntColumn(summed, col.den, col.bound * most), some)
    return scope, bad, gaps


def _nones(names: Sequence[str], periods: Any, n: int) -> Any:
    """Which units hold None itself (a ``Unit`` handed to the API) for one of *names* in a period's row:
    a ``missing`` rule takes it for no value, but the indicator's formulas and scales read it, and
    refuse it as a value that is not a number (its own step words that error: colfailures)."""
    np = numpy()
    found = np.zeros(n, dtype=bool)
    for i, given in enumerate(periods):
        if given is not None:
            found[i] = any(row.get(name, 0) is None for row in given.values() for name in names)
    return found


def population_rows(
    indicators: Sequence[IndicatorPlan],
    calls: Sequence[Mapping[str, str]],
    names: Sequence[str],
    population: Any,
    k: int,
    rows: Sequence[tuple[int, str]],
) -> tuple[dict[str, Any], Any]:
    """The population values (``max_of`` …, peer ratios, ranks) of indicator *k* on period rows
    ``(unit, period label)``, as columns under the names *calls* gives them (and per column the rows
    without a value, under :data:`~perfrules.scoring.colsteps.POPULATION_ABSENT`: colreach follows
    them), and which rows have all of them: each row's value is its unit's for that period
    (``population[name][(code, key, label)]``), worked out among the units' rows of the same period."""
    np = numpy()
    ind = indicators[k]
    present = np.ones(len(rows), dtype=bool)
    tables = [population.get(names[i], _NONE) for i, _ in rows] if population else [_NONE] * len(rows)
    out: dict[str, Any] = {}
    absent: dict[str, Any] = {}
    for column, key in calls[k].items():
        given = [t.get((ind.code, key, label)) for t, (_, label) in zip(tables, rows, strict=True)]
        out[column], has = population_column(given)
        absent[column] = ~has
        present &= has
    if absent:
        out[POPULATION_ABSENT] = absent
    return out, present


_NONE: Mapping[Any, Any] = {}


def _reporting(periods: PeriodData) -> dict[str, list[int]]:
    """Per data column, the units (in order) one of whose periods gives a value for it."""
    found: dict[str, list[int]] = {}
    for i, given in enumerate(periods):
        if given is not None:
            for name in {name for values in given.values() for name in values}:
                found.setdefault(name, []).append(i)
    return found


def _runs(
    ind: IndicatorPlan, periods: PeriodData, reporting: Mapping[str, list[int]]
) -> tuple[Any, Any, list[tuple[int, str]]] | None:
    """For each (unit, period) row the indicator is scored on: the unit's position (grouped by unit,
    in the periods' order); which units have such rows; and the rows as (unit, period label).
    None when no unit has. *reporting*: :func:`_reporting` of *periods*."""
    np = numpy()
    owner: list[int] = []
    runs: list[tuple[int, str]] = []
    units = sorted({i for name in ind.fields if name in reporting for i in reporting[name]})
    for i in units:
        given = periods[i]
        assert given is not None
        for label in period_labels(ind, given):
            owner.append(i)
            runs.append((i, label))
    if not owner:
        return None
    has = np.zeros(len(periods), dtype=bool)
    at = np.array(owner, dtype=np.int64)
    has[at] = True
    return at, has, runs


def _period_columns(
    names: Sequence[str],
    runs: Sequence[tuple[int, str]],
    periods: PeriodData,
    text: frozenset[str],
    year: Mapping[str, tuple[Any, Any]],
    unread: Collection[str] = (),
) -> tuple[dict[str, Any], Any]:
    """The columns *names* over the period rows (a period's value, else the unit's row of the *year*
    columns, each cell as the program reads it there), and per name the rows whose cell is not a
    plain number (nor a word). Among the columns, each column's blank cells (:mod:`~perfrules.
    scoring.colblank`: the period gives nothing and the year's cell is blank; a column of words: no
    word or other value there, as on the year's row, but for those not given as words, *unread*)."""
    np = numpy()
    out: dict[str, Any] = {BLANK: {}, TAKEN: {}}
    gaps: dict[str, Any] = {}
    owner = np.fromiter((i for i, _ in runs), dtype=np.int64, count=len(runs))
    rows = [periods[i][label] for i, label in runs]  # type: ignore[index]
    for name in names:
        values = [row.get(name, _GAP) for row in rows]
        col, plain = _with_year(name, values, owner, name in text, year)
        out[name] = col
        gaps[name] = ~plain
        if name in text:
            out[BLANK][name] = np.array([v is None and name not in unread for v in col], dtype=bool)
        else:
            none = np.array([v is _GAP or v is None for v in values], dtype=bool)
            given = year.get(name)
            out[BLANK][name] = none & ~given[1][owner] if given is not None else none
    out[PERIOD_ROWS] = True  # per-period rules act on these rows (colzero)
    return out, gaps


_GAP = object()  # a name a period row gives no value for (its year's is read)


def _with_year(
    name: str, values: list[object], owner: Any, words: bool, year: Mapping[str, tuple[Any, Any]]
) -> tuple[Any, Any]:
    """One period column: each row's own value, or where it has none its unit's year value (and
    which rows are plain: numbers, or words)."""
    np = numpy()
    given = year.get(name)
    if words:  # (a None the period gives itself is read, no blank: collookup.NONE_GIVEN)
        values = [NONE_GIVEN if v is None else v for v in values]
        if given is None:
            return text_column([None if v is _GAP else v for v in values])
        col = given[0]
        return text_column([col[o] if v is _GAP else v for v, o in zip(values, owner.tolist(), strict=True)])
    at = [j for j, v in enumerate(values) if v is not _GAP]
    if len(at) == len(values):
        return from_values(values)
    own, own_plain = from_values([values[j] for j in at])
    if given is None or not isinstance(given[0], IntColumn):
        plain = np.zeros(len(values), dtype=bool)
        plain[at] = own_plain
        num = np.zeros(len(values), dtype=own.num.dtype)
        num[at] = own.num
        return IntColumn(num, own.den, own.bound), plain
    col, year_plain = given
    has = np.zeros(len(values), dtype=bool)
    has[at] = True
    num = np.zeros(len(values), dtype=own.num.dtype)
    num[at] = own.num
    plain = year_plain[owner]
    plain[at] = own_plain
    return _merged(
        IntColumn(col.num[owner], col.den, col.bound), IntColumn(num, own.den, own.bound), has
    ), plain


def _limited(col: IntColumn, cat: Any, keys: Sequence[Any], per_key: Sequence[tuple[Any, Any]]) -> IntColumn:
    """The period scores held within the indicator's limits for each row's category (as ``bound`` does)."""
    np = numpy()
    limits = [
        (as_fraction(lo) if lo is not None else None, as_fraction(hi) if hi is not None else None)
        for lo, hi in per_key
    ]
    dens = [f.denominator for pair in limits for f in pair if f is not None]
    if not dens:
        return col
    den = math.lcm(col.den, *dens)
    factor = den // col.den
    bound = col.bound * factor
    for pair in limits:
        for f in pair:
            if f is not None:
                bound = max(bound, abs(f.numerator) * (den // f.denominator))
    num = col.num if bound < SAFE and col.num.dtype != object else as_objects(col.num)
    num = num * factor if factor != 1 else num.copy()
    for c, (lo, hi) in enumerate(limits):
        rows = cat == c if len(keys) > 1 else np.ones(len(num), dtype=bool)
        for f, low in ((lo, True), (hi, False)):
            if f is None:
                continue
            value = f.numerator * (den // f.denominator)
            beyond = np.asarray((num < value) if low else (num > value), dtype=bool) & rows
            num[beyond] = value
    return IntColumn(num, den, bound)


def _combined(scores: IntColumn, owner: Any, n: int) -> IntColumn:
    """Each unit's year from its period rows (grouped by unit): their exact mean, or the last one."""
    np = numpy()
    counts = np.bincount(owner, minlength=n)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    units = owner[starts]
    distinct = sorted(set(counts[units].tolist()))
    lcm = math.lcm(*distinct)
    bound = scores.bound * lcm
    wide = bound * max(distinct) >= SAFE or scores.num.dtype == object
    num = as_objects(scores.num) if wide else scores.num
    sums = np.add.reduceat(num, starts) if len(num) else num
    out = np.zeros(n, dtype=object if wide else np.int64)
    out[units] = sums * (lcm // counts[units]).astype(object if wide else np.int64)
    return IntColumn(out, scores.den * lcm, bound)


def _merged(year: IntColumn, periods: IntColumn, has: Any) -> IntColumn:
    """The units at *has* from *periods*, the others from *year*, over one denominator."""
    np = numpy()
    den = math.lcm(year.den, periods.den)
    fy, fp = den // year.den, den // periods.den
    bound = max(year.bound * fy, periods.bound * fp)
    wide = bound >= SAFE or year.num.dtype == object or periods.num.dtype == object

    def scaled(col: IntColumn, factor: int) -> Any:
        num = as_objects(col.num) if wide else col.num
        return num * factor if factor != 1 else num

    return IntColumn(np.where(has, scaled(periods, fp), scaled(year, fy)), den, bound)


def periods_of(units: Sequence[Any]) -> PeriodData | None:
    """Each unit's periods where it has some (None for the batch when none has)."""
    found = [u.periods or None for u in units]
    return found if any(found) else None
