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

A unit any of whose periods the program cannot take (a cell that is not a
plain number, a value outside a scale's domain, a divisor of 0) goes to the
per-unit program whole, and so does a unit with periods of an indicator
with peer ratios (their values per period are the per-unit program's).
``periods = "sum"`` (the periods' inputs added up first) and population
functions (``max_of`` …) of indicators reported per period are not compiled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, from_values, numpy, round_half_up_column
from .._numbers import as_fraction
from .collookup import text_column
from .colsteps import SEND_BACK, send_back
from .colzero import PERIOD_ROWS
from .indicator import IndicatorPlan

__all__ = ["PeriodData", "period_why", "periods_of", "score_indicators"]

# Per unit of a batch: its periods' data by label, or None for a unit without periods (a period's
# blank cell reads the unit's year value from the batch's columns).
PeriodData = Sequence[Mapping[str, Mapping[str, object]] | None]
_Limits = Mapping[Any, Sequence[tuple[Any, Any]]]  # per category key: each indicator's (lower, upper)


def period_why(ind: IndicatorPlan) -> str | None:
    """Why the indicator's values per period do not compile (None: they do, or it has none)."""
    if not ind.periodic:
        return None
    if ind.scheme.periods == "sum":
        return f"indicator {ind.code}: values per period added up before scoring (periods = 'sum')"
    if ind.population_calls:
        return f"indicator {ind.code}: population values (max_of …) per period"
    return None


def _labels(ind: IndicatorPlan, periods: Mapping[str, Mapping[str, object]]) -> list[str]:
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
    given: Mapping[str, tuple[Any, Any]],
) -> tuple[list[IntColumn], dict[int, Any]]:
    """Each indicator's raw score column for the batch, and per periodic indicator the units it
    scored from their periods (whose year cells it does not read).

    *fns* are the indicators' compiled column steps; *cat* each unit's category
    index into *keys* (the scheme's categories, or ``(None,)``); *limits* the
    indicators' lower and upper limits per category key; *places* the
    scheme's ``round_scores``; *applicable* (units × indicators) where each
    indicator is scored at all — what its step says about other units does not
    send them to the per-unit program; *text* the columns of words; *given* the batch's
    year columns as the program was given them (each with which cells are plain, or words):
    a period row's cell left blank reads the year's there.
    """
    np = numpy()
    raw: list[IntColumn] = []
    per_period: dict[int, Any] = {}
    reporting = _reporting(periods) if periods is not None else {}
    for k, (fn, ind) in enumerate(zip(fns, indicators, strict=True)):
        runs = _runs(ind, periods, reporting) if periods is not None and ind.periodic else None
        earlier = cols.pop(SEND_BACK, None)
        year = fn(cols, n)
        marks = cols.pop(SEND_BACK, None)
        if marks is not None:
            marks = marks & applicable[:, k]
            if runs is not None:
                marks &= ~runs[1]  # those units' year cells are not what the indicator reads
        for m in (earlier, marks):
            if m is not None:
                send_back(cols, m)
        if runs is not None and ind.peer_steps:
            # Peer ratios per period are the per-unit program's (units with such periods go to it).
            send_back(cols, runs[1] & applicable[:, k])
            runs = None
        if runs is None:
            raw.append(year)
            continue
        owner, has, labels = runs
        assert periods is not None
        rows, row_ok = _period_columns(reads_of[k], labels, periods, text, given)
        scores = fn(rows, len(owner))
        bad = ~row_ok
        if SEND_BACK in rows:
            bad |= rows[SEND_BACK]
        if bad.any():
            send_back(cols, np.bincount(owner[bad], minlength=n).astype(bool) & applicable[:, k])
        scores = _limited(scores, cat[owner], keys, [per[k] for per in limits.values()])
        if places is not None:
            scores = IntColumn(
                round_half_up_column(scores.num, scores.den, places),
                10**places,
                scores.bound * 10**places // scores.den + 1,
            )
        raw.append(_merged(year, _combined(scores, owner, n), has))
        per_period[k] = has
    return raw, per_period


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
        for label in _labels(ind, given):
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
) -> tuple[dict[str, Any], Any]:
    """The columns *names* over the period rows (a period's value, else the unit's row of the *year*
    columns, each cell as the program reads it there), and which rows have every cell a plain
    number (or a word)."""
    np = numpy()
    out: dict[str, Any] = {}
    ok = np.ones(len(runs), dtype=bool)
    owner = np.fromiter((i for i, _ in runs), dtype=np.int64, count=len(runs))
    rows = [periods[i][label] for i, label in runs]  # type: ignore[index]
    for name in names:
        values = [row.get(name, _GAP) for row in rows]
        col, plain = _with_year(name, values, owner, name in text, year)
        out[name] = col
        ok &= plain
    out[PERIOD_ROWS] = True  # per-period rules act on these rows (colzero)
    return out, ok


_GAP = object()  # a name a period row gives no value for (its year's is read)


def _with_year(
    name: str, values: list[object], owner: Any, words: bool, year: Mapping[str, tuple[Any, Any]]
) -> tuple[Any, Any]:
    """One period column: each row's own value, or where it has none its unit's year value (and
    which rows are plain: numbers, or words)."""
    np = numpy()
    given = year.get(name)
    if words:
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
