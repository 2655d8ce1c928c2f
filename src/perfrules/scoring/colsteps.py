"""Column steps beyond plain arithmetic: division by a column, population values as columns.

The column program (:mod:`perfrules.scoring.program`) runs a score formula over
whole columns of exact numbers (:class:`perfrules._intcols.IntColumn`, each
value ``num[i] / den``). This module holds the steps that need more than one
shared denominator known in advance:

- :func:`divide`: ``x ÷ d`` where *d* is a column (``完成数/计划数×100``, or
  ``(x − min_of(x)) / (max_of(x) − min_of(x))``). Each unit's quotient is
  ``a·D2 / (D1·b)``; the column keeps the exact quotients over one
  denominator ``D1·L``, with ``L`` the least common multiple of the divisors
  ``|b|`` the batch holds. Where the divisors are many and unlike, ``L``
  would grow without bound: past :data:`MAX_LCM_BITS` the program scores the
  batch in smaller batches, each over its own ``L`` (:class:`Regroup`; a
  batch of one unit keeps its one divisor whatever its size). A unit dividing
  by 0 is marked: its indicator's error (worded by its own step), or the
  default for no data where one takes it (:data:`ZERO_DIVISOR`). A value whose
  reduced fraction is past ``LIMITS.max_bits`` is marked likewise
  (:func:`within_bits`: the per-unit program's ``NumberTooLargeError``); a
  denominator only the batch's values share past it is kept.
- :func:`population_names`: a formula's population calls (``max_of(x)`` …)
  read as columns of the values worked out once for the batch (see
  :mod:`perfrules.scoring.population`), and :func:`population_column` building such
  a column from each unit's value.

A unit whose value cannot be worked out here is never approximated: it is
marked in the batch's columns under :data:`SEND_BACK`; within an indicator's
step that mark is the indicator's error for the unit, worded by its own step
(:mod:`~perfrules.scoring.colfailures`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from typing import Any

from .. import _numbers
from .._intcols import SAFE, IntColumn, as_objects, from_records, numpy
from .._numbers import Number, as_fraction
from ..formula.tree import (
    POPULATION_FUNCTIONS,
    BoolOp,
    Call,
    Chain,
    Compare,
    Name,
    Node,
    Percent,
    Power,
    Unary,
    show,
)
from ..scheme.reads import FULL_NAME
from .indicator import IndicatorPlan

__all__ = [
    "CATEGORY",
    "MAX_LCM_BITS",
    "POPULATION_ABSENT",
    "POPULATION_PREFIX",
    "Regroup",
    "SEND_BACK",
    "ZERO_DIVISOR",
    "DIVISIONS",
    "batch_columns",
    "divide",
    "divisors",
    "gcd_all",
    "only_population",
    "population_columns",
    "population_column",
    "population_names",
    "send_back",
    "shown",
    "totals_within_limits",
    "within_bits",
]

CATEGORY = "\0category"
"""Where a batch's columns hold each row's category as an index into the scheme's categories."""

SEND_BACK = "\0too large"
"""Where a batch's columns mark the units whose values the columns cannot work out (a bool array):
within an indicator's step, its error there (colfailures words it by the step)."""

ZERO_DIVISOR = "\0divided by zero"
"""Where a batch's columns collect the rows that divide by 0 (a bool array, updated in place so that
copies of the scope share it), when a default for no data takes them
(:mod:`perfrules.scoring.coldefaults`); without it such rows are marked (:data:`SEND_BACK`)."""

DIVISIONS = "\0divisions recorded"
"""Where a recording run keeps, in the order worked out, each division by a column (its divisor as
shown, and where it is 0) and, before each step, the step's target (absent in the normal path)."""

POPULATION_PREFIX = "\0population\0"
"""Prefix of the column names under which population values are handed to a formula."""

POPULATION_ABSENT = "\0population absent"
"""Where a batch's columns hold, per population column, the units without a value (bool arrays)."""

MAX_LCM_BITS = 1024
"""The most bits the common multiple of a division's divisors may take in a batch of more than one
unit (see :func:`divide`)."""


def on_scope(fn: Any, scope: dict[str, Any], cols: dict[str, Any], n: int) -> Any:
    """``fn(scope, n)`` on *scope* (the batch's columns with an indicator's own names added), the
    units it sends back marked on the batch's columns *cols* too."""
    out = fn(scope, n)
    if SEND_BACK in scope:
        cols[SEND_BACK] = scope[SEND_BACK]
    return out


def send_back(cols: dict[str, Any], rows: Any) -> None:
    """Mark *rows* (a bool array) as units whose values the columns cannot work out (:data:`SEND_BACK`)."""
    if rows.any():
        cols[SEND_BACK] = rows if SEND_BACK not in cols else cols[SEND_BACK] | rows


def _fits(bound: int) -> bool:
    return bound < SAFE


class Regroup(Exception):
    """Raised by :func:`divide` in a batch whose divisors are too many and unlike for one denominator
    (:data:`MAX_LCM_BITS`) under ``divisors("regroup")``: the program scores the batch's units in smaller
    batches instead (:meth:`perfrules.scoring.program.ColumnProgram.run`)."""


# How a division by a column treats divisors whose common multiple would pass MAX_LCM_BITS: "regroup"
# (raise Regroup), "exact" (one denominator whatever its size: a batch of one unit, a recording run),
# or None (the most frequent kept, the units with others sent back: a caller scoring columns it was given).
_DIVISORS: ContextVar[str | None] = ContextVar("perfrules_divisors", default=None)


@contextmanager
def divisors(mode: str) -> Iterator[None]:
    """Within the block, divisions by a column take divisors too many and unlike for one denominator
    as *mode* says: ``"regroup"`` (:class:`Regroup` is raised) or ``"exact"`` (every one is kept)."""
    token = _DIVISORS.set(mode)
    try:
        yield
    finally:
        _DIVISORS.reset(token)


def _common_multiple(counts: Counter[int]) -> tuple[int, set[int]]:
    """The common multiple of the divisors kept, and those divisors: every one within
    :data:`MAX_LCM_BITS` (or whatever their size, while dividing exactly); else, while regrouping,
    :class:`Regroup`; else the most frequent while they stay within it (the first always)."""
    lcm = 1
    kept: set[int] = set()
    mode = _DIVISORS.get()
    for value, _ in counts.most_common():
        candidate = math.lcm(lcm, int(value))
        if candidate.bit_length() > MAX_LCM_BITS and kept and mode != "exact":
            if mode == "regroup":
                raise Regroup
            continue
        lcm = candidate
        kept.add(int(value))
    return lcm, kept


def divide(x: IntColumn, d: IntColumn, cols: dict[str, Any]) -> IntColumn:
    """``x ÷ d`` per unit, exactly, over one denominator (see the module's docstring).

    >>> np = numpy()
    >>> cols = {}
    >>> q = divide(IntColumn(np.array([19, 20, 7]), 1, 20), IntColumn(np.array([20, 20, 0]), 1, 20), cols)
    >>> [str(Fraction(n, q.den)) for n in q.num.tolist()[:2]], cols[SEND_BACK].tolist()
    (['19/20', '1'], [False, False, True])
    """
    np = numpy()
    n = len(d.num)
    b = d.num
    zero = b == 0
    if ZERO_DIVISOR in cols:  # a default for no data takes these rows (coldefaults)
        found = cols[ZERO_DIVISOR]
        found |= zero  # in place: every copy of the scope shares the one array
    else:
        send_back(cols, zero)
    magnitude = abs(b) if b.dtype != object else abs(b).astype(object)
    if zero.any():
        magnitude = np.where(zero, 1, magnitude)
    if n and magnitude.dtype != object and bool((magnitude == magnitude[0]).all()):
        counts = Counter({int(magnitude[0]): n})  # one divisor for the batch (max_of(x) − min_of(x))
    else:
        counts = Counter(magnitude.tolist())
    lcm, kept = _common_multiple(counts)
    if len(kept) < len(counts):
        others = np.array([int(v) not in kept for v in magnitude.tolist()], dtype=bool)
        send_back(cols, others)
        magnitude = np.where(others, 1, magnitude)
    # a/D1 ÷ b/D2 = a·D2·(L/|b|)·sign(b) / (D1·L); the factors D2·L/|b| are as few as the divisors,
    # so what they share with the denominator is taken out once.
    den = x.den * lcm
    common = math.gcd(den, *(d.den * (lcm // v) for v in kept))
    den //= common
    # The largest factor is that of the smallest divisor kept.
    bound = x.bound * (d.den * (lcm // min(kept)) // common) if kept else 0
    if len(kept) == 1 and len(counts) == 1:  # one factor for every unit
        (only,) = kept
        factor = d.den * (lcm // only) // common
        small = _fits(bound) and _fits(factor) and x.num.dtype != object  # (bound is 0 for a column of 0s)
        num = (x.num if small else as_objects(x.num)) * factor
    elif _fits(bound) and _fits(d.den * lcm) and x.num.dtype != object and magnitude.dtype != object:
        per = (lcm // magnitude.astype(np.int64)) * d.den // common
        num = x.num * per
    else:
        per = (lcm // as_objects(magnitude)) * d.den // common
        num = as_objects(x.num) * per
    if n and bool((b < 0).any()):
        num = np.where(b < 0, -num, num)
    if zero.any():  # no quotient there (the indicator's error, or a default): 0 for later steps
        num = np.where(zero, 0, num)
    return within_bits(IntColumn(num, den, bound), cols)


def within_bits(col: IntColumn, cols: dict[str, Any]) -> IntColumn:
    """The column, with the rows whose value, reduced, is past ``LIMITS.max_bits`` marked (the per-unit
    program's error there: it checks each value it works out, :func:`perfrules._numbers.check_fraction`).
    A denominator past them that the batch's values share, each row's own within them, is no error:
    the column keeps it (Python integers)."""
    bits = _numbers.LIMITS.max_bits
    den = col.den
    if den.bit_length() <= bits and col.bound.bit_length() <= bits:
        return col
    np = numpy()
    past = np.zeros(len(col.num), dtype=bool)
    for i, v in enumerate(col.num.tolist()):
        v = int(v)
        if v.bit_length() > bits or den.bit_length() > bits:
            g = math.gcd(v, den)
            past[i] = (v // g).bit_length() > bits or (den // g).bit_length() > bits
    send_back(cols, past)
    return col


def population_names(node: Node, code: str) -> tuple[Node, dict[str, str]]:
    """*node* with each population call read as a name, and those names with the calls' keys.

    The name is :data:`POPULATION_PREFIX`, the indicator's code and the call's
    canonical text (its key in :mod:`perfrules.scoring.population`'s tables): a
    call's value depends on the indicator (its ``within``), so two
    indicators' ``max_of(x)`` are two columns.

    >>> from perfrules import Formula
    >>> tree, names = population_names(Formula.parse("x/max_of(x)").tree, "3")
    >>> list(names.values())
    ['max_of(x)']
    """
    names: dict[str, str] = {}

    def walk(n: Node) -> Node:
        if isinstance(n, Call) and n.func in POPULATION_FUNCTIONS:
            key = show(n)
            name = f"{POPULATION_PREFIX}{code}\0{key}"
            names[name] = key
            return Name(name)
        if isinstance(n, Call):
            return Call(n.func, tuple(walk(a) for a in n.args))
        if isinstance(n, Chain | Compare):
            return type(n)(walk(n.first), tuple((op, walk(o)) for op, o in n.rest))
        if isinstance(n, Unary):
            return Unary(n.op, walk(n.operand))
        if isinstance(n, Percent):
            return Percent(walk(n.operand))
        if isinstance(n, Power):
            return Power(walk(n.base), walk(n.exponent))
        if isinstance(n, BoolOp):
            return BoolOp(n.op, tuple(walk(o) for o in n.operands))
        return n

    return walk(node), names


_POPULATION_SHOWN = re.compile("「" + POPULATION_PREFIX + "[^\0]*\0(.*?)」")


def shown(node: Node) -> str:
    """*node* as the formula's own text shows it: a population call read as a name
    (:func:`population_names`) shown as the call it is.

    >>> from perfrules import Formula
    >>> shown(population_names(Formula.parse("x/(max_of(x)-min_of(x))").tree, "2")[0])
    'x/(max_of(x) - min_of(x))'
    """
    return _POPULATION_SHOWN.sub(lambda m: m.group(1), show(node))


def population_column(values: Sequence[object]) -> tuple[IntColumn, Any]:
    """A column of population values (one per unit, None where the unit has none); and where present.

    The values are mostly few and shared (one per batch, or per category):
    each value object is made exact once (found by identity: a peer ratio's
    values, one per unit, are not hashed).

    >>> from decimal import Decimal
    >>> col, present = population_column([Decimal("2.5"), None, Fraction(1, 3)])
    >>> col.num.tolist(), col.den, present.tolist()
    ([15, 0, 2], 6, [True, False, True])
    """
    np = numpy()
    n = len(values)
    present = np.array([v is not None for v in values], dtype=bool)
    distinct: dict[int, Fraction] = {}
    for v in values:
        if v is not None and id(v) not in distinct:
            distinct[id(v)] = as_fraction(v)  # type: ignore[arg-type]
    den = math.lcm(*{f.denominator for f in distinct.values()}) if distinct else 1
    numerators: Mapping[int, int] = {k: f.numerator * (den // f.denominator) for k, f in distinct.items()}
    bound = max((abs(x) for x in numerators.values()), default=0)
    if len(set(numerators.values())) == 1:
        only = next(iter(numerators.values()))
        if bound < SAFE:
            num = np.where(present, only, 0).astype(np.int64)
        else:
            num = np.zeros(n, dtype=object)
            num[present] = only
        return IntColumn(num, den, bound), present
    num = np.array(
        [numerators[id(v)] if v is not None else 0 for v in values],
        dtype=np.int64 if bound < SAFE else object,
    )
    return IntColumn(num, den, bound), present


# -- population values worked out over columns ------------------------------------------------

# A call's slot: (indicator code, call key, group) — the group is the unit's category for
# ``within = "category"``, else None (as in perfrules.scoring.population's slots).
CallSlot = tuple[str, str, str | None]


class BatchPopulation(Mapping[str, Mapping[tuple[str, str, str | None], Number]]):
    """The batch's population values (``max_of`` …) per unit, as
    :func:`perfrules.scoring.population.population_values` gives them, made from the batch's
    summary when a unit's table is first read.

    The column program reads whole columns of them at once (:meth:`column`).
    """

    def __init__(
        self,
        names: Sequence[str],
        groups: Mapping[tuple[str, str], Sequence[str | None]],
        observed: Mapping[tuple[str, str], Any],
        shared: Mapping[CallSlot, Number],
    ) -> None:
        self.names = names
        self._row = {name: i for i, name in enumerate(names)}
        self._groups = groups
        self._observed = observed
        self._shared = shared
        # The batch's data columns as the program read them (reused when it scores the same units).
        self.columns: dict[str, Any] = {}
        # Rank steps' values over the batch, per (code, target) (perfrules.scoring.colrank.RankColumn),
        # and the tables of the units whose values per period were worked out one by one.
        self.ranked: dict[tuple[str, str], Any] = {}
        self.tables: Mapping[str, Mapping[tuple[str, str, str | None], Number]] = {}
        self.of: object = None  # the sequence of units those columns are of

    def column_of(self, code: str, key: str, names: Sequence[str]) -> tuple[IntColumn, Any]:
        """:func:`population_column` of the call (or rank) *key* of indicator *code* for *names*."""
        ranked = self.ranked.get((code, key))
        if ranked is not None:
            if names is self.names:
                return ranked.column()  # type: ignore[no-any-return]
            rows = [self._row.get(name, -1) for name in names]
            return ranked.column(numpy().array(rows, dtype=numpy().int64))  # type: ignore[no-any-return]
        groups = self._groups[(code, key)]
        if names is self.names and not any(groups):
            # The batch itself, one value for all: a constant column where observed.
            value = self._shared.get((code, key, None))
            present = self._observed[(code, key)] & (value is not None)
            f = as_fraction(value) if value is not None else Fraction(0)
            np = numpy()
            if abs(f.numerator) < SAFE:
                num = np.where(present, f.numerator, 0).astype(np.int64)
            else:
                num = np.zeros(len(present), dtype=object)
                num[present] = f.numerator
            return IntColumn(num, f.denominator, abs(f.numerator)), present
        return population_column(self.column(code, key, names))

    def column(self, code: str, key: str, names: Sequence[str]) -> list[object]:
        """The value of the call *key* of indicator *code* for each of *names* (None where it has none)."""
        groups = self._groups[(code, key)]
        observed = self._observed[(code, key)]
        shared = self._shared
        row = self._row
        out: list[object] = []
        for name in names:
            i = row.get(name)
            out.append(None if i is None or not observed[i] else shared.get((code, key, groups[i])))
        return out

    def __getitem__(self, name: str) -> Mapping[tuple[str, str, str | None], Number]:
        i = self._row[name]
        table: dict[tuple[str, str, str | None], Number] = {}
        for (code, key), observed in self._observed.items():
            if observed[i]:
                value = self._shared.get((code, key, self._groups[(code, key)][i]))
                if value is not None:
                    table[(code, key, None)] = value
        for ranked in self.ranked.values():
            table.update(ranked.entries(i))
        if name in self.tables:
            table.update(self.tables[name])
        return table

    def __iter__(self) -> Any:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


def column_summary(col: IntColumn, rows: Any) -> tuple[Fraction, Fraction, Fraction, int] | None:
    """(max, min, sum, count) of the column's values at *rows* (a bool array), exactly; None for none."""
    np = numpy()
    if not rows.any():
        return None
    num = col.num[rows]
    den = col.den
    if num.dtype != object and col.bound * len(num) < SAFE:
        total = int(num.sum())
    else:
        total = sum(as_objects(num).tolist())
    return (
        Fraction(int(num.max()), den),
        Fraction(int(num.min()), den),
        Fraction(total, den),
        int(np.count_nonzero(rows)),
    )


def merge_call(
    a: tuple[Fraction, Fraction, Fraction, int] | None, b: tuple[Fraction, Fraction, Fraction, int] | None
) -> tuple[Fraction, Fraction, Fraction, int] | None:
    """Two (max, min, sum, count) summaries as one (None: no observation)."""
    if a is None:
        return b
    if b is None:
        return a
    return (max(a[0], b[0]), min(a[1], b[1]), a[2] + b[2], a[3] + b[3])


def call_value(function: str, summary: tuple[Fraction, Fraction, Fraction, int]) -> Fraction:
    """What a population function gives over a summary (as :mod:`perfrules.scoring.population` does)."""
    high, low, total, count = summary
    if function == "max_of":
        return high
    if function == "min_of":
        return low
    if function == "sum_of":
        return total
    if function == "count_of":
        return Fraction(count)
    return total / count


def totals_within_limits(totals: Any, denominators: Any, ok: Any) -> Any:
    """*ok* without the units whose total ``totals[i] / denominators[i]``, reduced, is past
    ``perfrules.LIMITS`` (the per-unit program fails those units, naming where the total outgrew them).

    Only totals over a denominator or with a numerator wider than ``max_bits`` are looked at one by one.
    """
    np = numpy()
    limits = _numbers.LIMITS
    bits = limits.max_bits
    rows = np.flatnonzero(ok)
    if not len(rows):
        return ok
    wide = [
        i
        for i, t, q in zip(rows.tolist(), totals[rows].tolist(), denominators[rows].tolist(), strict=True)
        if int(q).bit_length() > bits or int(t).bit_length() > bits
    ]
    if not wide:
        return ok
    ok = ok.copy()
    top = 10**limits.max_digits
    for i in wide:
        f = Fraction(int(totals[i]), int(denominators[i]))
        if (
            f.numerator.bit_length() > bits
            or f.denominator.bit_length() > bits
            or abs(f.numerator) >= top * f.denominator
        ):
            ok[i] = False
    return ok


def gcd_all(values: Any, start: int = 0) -> int:
    """The gcd of Python integers (and *start*): a candidate from a few, checked against all at once
    (C loops). A denominator as *start* makes the candidate small from the first.

    >>> np = numpy()
    >>> gcd_all(np.array([12, 18, 2**70 * 3], dtype=object)), gcd_all(np.array([12, 18], dtype=object), 4)
    (6, 2)
    """
    g = start
    for v in values[:8].tolist():
        g = math.gcd(g, v)
    if g == 0:  # the first few are 0: one by one
        for v in values.tolist():
            g = math.gcd(g, v)
            if g == 1:
                break
        return g
    while g > 1:
        off = numpy().flatnonzero((values % g) != 0)
        if not len(off):
            return g
        g = math.gcd(g, int(values[int(off[0])]))
    return g


def only_population(ind: IndicatorPlan) -> bool:
    """Whether the indicator is one score formula that reads population values beside data columns
    (what :attr:`IndicatorPlan.direct` is but for the population calls)."""
    formula = ind.ind.score
    return (
        formula is not None
        and bool(ind.population_calls)
        and not ind.steps
        and not ind.ind.policies
        and not ind.ind.inputs
        and FULL_NAME not in formula.variables
    )


_NONE: Mapping[tuple[str, str, str | None], Any] = {}


def batch_columns(
    units: Sequence[Any], reads: Sequence[str], population: Any
) -> tuple[Sequence[str], dict[str, Any]]:
    """The units' names and the data columns *reads* (with which cells are plain), read from their
    data, or taken from the :class:`BatchPopulation` gathered over the same units."""
    mine = isinstance(population, BatchPopulation) and population.of is units
    known = population.columns if mine else {}
    read = from_records([u.data for u in units], [name for name in reads if name not in known])
    columns = {name: known[name] if name in known else read[name] for name in reads}
    return (population.names if mine else [u.name for u in units]), columns


def population_columns(
    indicators: Sequence[IndicatorPlan],
    calls: Sequence[Mapping[str, str]],
    names: Sequence[str],
    population: Any,
    cols: dict[str, Any],
) -> Any:
    """Put each indicator's population values among the batch's columns (under the names
    :func:`population_names` gave its calls); return which units have all of them, per indicator
    (units × indicators: a value an indicator does not apply to is not needed)."""
    np = numpy()
    ok = np.ones((len(names), len(indicators)), dtype=bool)
    batch = isinstance(population, BatchPopulation)
    tables = [population.get(name, _NONE) for name in names] if population and not batch else []
    for k, (ind, own) in enumerate(zip(indicators, calls, strict=True)):
        for column, key in own.items():
            if batch:
                cols[column], present = population.column_of(ind.code, key, names)
            else:
                given = [t.get((ind.code, key, None)) for t in tables] if tables else [None] * len(names)
                cols[column], present = population_column(given)
            ok[:, k] &= present
            cols.setdefault(POPULATION_ABSENT, {})[column] = ~present  # (followed by colreach)
    return ok
