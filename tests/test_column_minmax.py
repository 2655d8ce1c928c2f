"""Min-max-normalised indices scored as columns: the same exact totals, scores and ranks as the per-unit program.

Each score ``(x − min_of(x)) / (max_of(x) − min_of(x)) × 100`` has its own
denominator; the column program folds each weight into its column's factor
and forms the totals' dot products in 16-bit pieces
(:mod:`perfrules.scoring.coldot`). These tests hold that to the per-unit
program, to the streamed command line, and to totals worked out by hand with
``Fraction``, on data of up to 16 significant digits, with weights of every
kind and ties between units whose cells differ.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules._intcols import SAFE, IntColumn, from_records, from_values, numpy
from perfrules.scoring.coldot import CommonScores, weighted_sums
from test_column_program import (
    _COLUMN_SETTINGS,
    _both_ways,
    _data_csv,
    _key,
    _q,
    _streamed_cells_match,
)


@st.composite
def _value(draw: st.DrawFn) -> Decimal:
    """A number of 1–16 significant digits at any of its places, now and then negative."""
    digits = draw(st.integers(1, 16))
    mantissa = draw(st.integers(10 ** (digits - 1), 10**digits - 1))
    value = Decimal(mantissa).scaleb(-draw(st.integers(0, digits - 1)))
    return -value if draw(st.integers(0, 5)) == 0 else value


@st.composite
def indices(draw: st.DrawFn) -> tuple[str, str, dict[str, Fraction], str, str]:
    """A min-max index (pillars, sub-pillars, indicators) and its data: (scheme, CSV, expected
    totals by hand, and two units whose totals tie though two of their cells are swapped)."""
    pillars = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    subs = [f"分项{p}-{s}" for p, size in enumerate(pillars) for s in range(size)]
    count = draw(st.integers(max(2, len(subs)), max(2, len(subs)) + 4))  # every sub-pillar has one
    lines = ['name = "指数"', "groups = ["]
    for p, size in enumerate(pillars):
        lines.append(f'  {{ name = "支柱{p}" }},')
        lines += [f'  {{ name = "分项{p}-{s}", parent = "支柱{p}" }},' for s in range(size)]
    lines.append("]")
    weights = [
        Fraction(draw(st.integers(1, 40)), draw(st.sampled_from([1, 2, 3, 7, 9, 40]))) for _ in range(count)
    ]
    lower = [draw(st.booleans()) for _ in range(count)]  # lower is better
    # Indicators 1 and 2 are twins (same weight, way and range): swapping their cells keeps the total.
    weights[1], lower[1] = weights[0], lower[0]
    lines.insert(1, f'total = "{sum(weights)}"')
    names = [f"单位{i}" for i in range(draw(st.integers(1, 10)))]
    columns: dict[str, list[Decimal]] = {}
    for k in range(count):
        x = f"x{k}"
        group = subs[k] if k < len(subs) else draw(st.sampled_from(subs))
        shown = "min_of" if draw(st.booleans()) else "max_of"
        form = (
            f"(max_of({x})-{x})/(max_of({x})-min_of({x}))×100"
            if lower[k]
            else f"({x}-min_of({x}))/(max_of({x})-{shown}({x})+{shown}({x})-min_of({x}))×100"
        )
        lines += ["[[indicators]]", f'code = "{k + 1}"', f'name = "指标{k + 1}"', f"group = {_q(group)}"]
        lines += [f'weight = "{weights[k]}"', f'score = "{form}"']
        columns[x] = [draw(_value()) for _ in names]
    # Two end units hold the twins' common least and greatest values; 乙 is 甲 with the twins' cells swapped.
    twins = columns["x0"] + columns["x1"]
    low, high = min(twins), max(twins)
    if low == high:
        high = low + 1
    for x, values in columns.items():
        ends = [low, high] if x in ("x0", "x1") else [draw(_value()), draw(_value())]
        first = values[0]
        values += [*ends, first, {"x0": columns["x1"][0], "x1": columns["x0"][0]}.get(x, first)]
    names += ["端低", "端高", "甲", "乙"]
    expected = {}
    for i, name in enumerate(names):
        total = Fraction(0)
        for k, (x, values) in enumerate(columns.items()):
            lo, hi = min(values), max(values)
            if lo == hi:
                total = None
                break
            x, lo, hi = Fraction(values[i]), Fraction(lo), Fraction(hi)
            total += weights[k] * ((hi - x) if lower[k] else (x - lo)) / (hi - lo)
        if total is not None:
            expected[name] = total
    data = _data_csv(names, {x: [str(v) for v in values] for x, values in columns.items()})
    return "\n".join(lines) + "\n", data, expected, "甲", "乙"


@given(case=indices())
@_COLUMN_SETTINGS
def test_min_max_indices_score_as_the_per_unit_program(tmp_path_factory, case):
    text, data, expected, one, other = case
    fast, slow, _, scheme_path, data_path = _both_ways(tmp_path_factory.mktemp("minmax"), text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    by_name = {o.unit.name: o for o in fast}
    # The totals are exact: what Fraction arithmetic gives by hand.
    assert {n: Fraction(by_name[n].total) for n in expected} == expected
    # Twins' cells swapped: a tie, ranked alike, though the cells differ.
    if one in expected:
        assert by_name[one].total == by_name[other].total
        assert by_name[one].rank == by_name[other].rank is not None
    _streamed_cells_match(scheme_path, data_path, slow)


def test_an_index_with_scores_over_unlike_denominators_is_scored_as_columns(tmp_path):
    """A hand-worked case: scores over 3 and 7, weights 1/2 and 3/2 (total 2)."""
    text = "\n".join(
        [
            'name = "指数"',
            "total = 2",
            'groups = [{ name = "支柱" }, { name = "分项", parent = "支柱" }]',
            "[[indicators]]",
            'code = "1"',
            'name = "甲"',
            'group = "分项"',
            'weight = "1/2"',
            'score = "(a-min_of(a))/(max_of(a)-min_of(a))×100"',
            "[[indicators]]",
            'code = "2"',
            'name = "乙"',
            'group = "分项"',
            'weight = "3/2"',
            'score = "(max_of(b)-b)/(max_of(b)-min_of(b))×100"',
        ]
    )
    data = _data_csv(["一", "二", "三"], {"a": ["0", "1", "3"], "b": ["0", "7", "2"]})
    fast, slow, *_ = _both_ways(tmp_path, text + "\n", data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    # 一: 1/2·0 + 3/2·1 = 3/2; 二: 1/2·1/3 + 3/2·0 = 1/6; 三: 1/2·1 + 3/2·5/7 = 11/7.
    assert {o.unit.name: Fraction(o.total) for o in fast} == {
        "一": Fraction(3, 2),
        "二": Fraction(1, 6),
        "三": Fraction(11, 7),
    }
    assert [o.rank for o in fast] == [2, 3, 1]
    assert [[Fraction(s) for s in o.scores] for o in fast][1] == [Fraction(100, 3), 0]


# -- the dot product in pieces -----------------------------------------------------------------

_NUMERATORS = st.one_of(
    st.integers(-(2**15), 2**15),
    st.integers(-(2**62) + 1, 2**62 - 1),
    st.integers(-(2**300), 2**300),
)


@st.composite
def _columns(draw: st.DrawFn) -> tuple[list[IntColumn], list[int], Any]:
    np = numpy()
    n = draw(st.integers(0, 12))
    columns, factors = [], []
    for _ in range(draw(st.integers(0, 6))):
        values = draw(st.lists(_NUMERATORS, min_size=n, max_size=n))
        bound = max(map(abs, values), default=0) * draw(st.sampled_from([1, 1, 5, 2**70]))
        fits = all(abs(v) < SAFE for v in values) and draw(st.booleans())
        num = np.array(values, dtype=np.int64) if fits else np.array([*values, None], dtype=object)[:n]
        columns.append(IntColumn(num, draw(st.integers(1, 9)), bound))
        factors.append(draw(st.one_of(st.integers(-3, 3), st.integers(-(2**4000), 2**4000))))
    if columns and draw(st.booleans()):
        return columns, factors, None  # every row
    rows = np.array(sorted(draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=n))), dtype=np.int64)
    return columns, factors, rows[rows < n]


@given(case=_columns())
@settings(max_examples=300, deadline=None)
def test_weighted_sums_are_the_exact_dot_products(case):
    columns, factors, rows = case
    got, fits = weighted_sums(columns, factors, rows)
    at = range(len(columns[0].num)) if rows is None else rows.tolist()
    want = [sum(int(c.num[i]) * f for c, f in zip(columns, factors, strict=True)) for i in at]
    assert (got.tolist() if fits else got) == want
    if fits:
        assert got.dtype == numpy().int64


def test_scores_over_their_common_denominator_are_made_when_read():
    np = numpy()
    scores = CommonScores(
        [IntColumn(np.array([1, -2]), 3, 2), IntColumn(np.array([5, 0]), 2**70, 5)], 3 * 2**70
    )
    assert scores._made == {}
    assert scores[-1].tolist() == [15, 0]
    assert list(scores._made) == [1]
    assert [c.tolist() for c in scores] == [[2**70, -(2**71)], [15, 0]]
    assert [c.tolist() for c in scores[:1]] == [[2**70, -(2**71)]]


# -- reading the batch's records ---------------------------------------------------------------

_CELLS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(-(10**45), 10**45),
    st.sampled_from([None, "95", 1.5, True]),
)


@given(
    records=st.lists(
        st.dictionaries(st.sampled_from(["x", "y", "z"]), _CELLS, min_size=0, max_size=3), max_size=8
    )
)
@settings(max_examples=200, deadline=None)
def test_columns_from_records_are_the_columns_from_values(records):
    names = ["x", "y", "z"]
    got = from_records(records, names)
    assert list(got) == names
    for name in names:
        col, plain = got[name]
        want_col, want_plain = from_values([r.get(name) for r in records])
        assert plain.tolist() == want_plain.tolist()
        assert col.den == want_col.den and col.bound == want_col.bound
        assert col.num.tolist() == want_col.num.tolist()
        assert [Fraction(int(v), col.den) for v in col.num[plain].tolist()] == [
            Fraction(r[name]) for r, p in zip(records, plain.tolist(), strict=True) if p
        ]


def test_cells_whose_common_denominator_is_past_int64_are_exact():
    """5.016277981465E-7 (over 2·10**18) beside 0.0000810934912006844 (over 2.5·10**18): their common
    denominator, 10**19, is past int64; the column once stopped with an OverflowError."""
    values = [None, Decimal("5.016277981465E-7"), Decimal("0.0000810934912006844")]
    col, plain = from_records([{"x": v} for v in values], ["x"])["x"]
    assert plain.tolist() == [False, True, True]
    assert col.den == 10**19
    assert [Fraction(int(v), col.den) for v in col.num[plain].tolist()] == [Fraction(v) for v in values[1:]]


def test_an_infinite_value_fails_its_own_unit_only():
    """``Decimal("Infinity")`` in a batch's data once stopped the whole column read."""
    from perfrules import Unit, evaluate, loads

    scheme = loads(
        'name = "t"\ntotal = 100\ngroups = [{ name = "组" }]\n'
        '[[indicators]]\ncode = "1"\nname = "甲"\ngroup = "组"\nweight = 100\nscore = "x"\n',
        format="toml",
    )
    units = [Unit(name="一", data={"x": Decimal("Infinity")}), Unit(name="二", data={"x": Decimal("87.5")})]
    results = {r.unit: r for r in evaluate(scheme, units, explained=False)}
    assert results["二"].total == Decimal("87.5") and results["二"].rank == 1
    assert results["一"].total is None
    assert [e.message for e in results["一"].errors] == ["Infinity is not a finite number in formula 'x'"]


# -- exact totals over long denominators -------------------------------------------------------


@given(
    numerator=st.integers(-(10**40), 10**40),
    twos=st.integers(0, 60),
    fives=st.integers(0, 60),
    rest=st.sampled_from([1, 1, 3, 7, 2**61 - 1, 5**3 * 3, 10**200 + 1]),
)
@settings(max_examples=300, deadline=None)
def test_a_fraction_is_a_decimal_exactly_where_its_expansion_ends(numerator, twos, fives, rest):
    from perfrules._numbers import EXACT_CONTEXT, exact

    value = Fraction(numerator, 2**twos * 5**fives * rest)
    got = exact(value)
    reduced = value.denominator
    while reduced % 2 == 0:
        reduced //= 2
    while reduced % 5 == 0:
        reduced //= 5
    places = max(twos, fives)
    short = len(str(abs(value.numerator * 10**places // value.denominator))) <= EXACT_CONTEXT.prec
    assert isinstance(got, Decimal) == (reduced == 1 and short)
    assert Fraction(got) == value


@given(
    numerators=st.lists(st.integers(-(2**140), 2**140), max_size=12),
    twos=st.integers(0, 30),
    fives=st.integers(0, 30),
    rest=st.sampled_from([3, 7 * 11, 2**61 - 1, 3**40, 10**100 + 1]),
    multiples=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_totals_over_long_denominators_are_what_exact_makes_them(numerators, twos, fives, rest, multiples):
    from perfrules._numbers import exact
    from perfrules.scoring.colexact import exact_values

    den = 2**twos * 5**fives * rest
    if multiples:  # some totals are finite decimals after all
        numerators = [t * rest for t in numerators]
    got = exact_values(list(numerators), den)
    want = [exact(Fraction(t, den)) for t in numerators]
    assert got == want
    assert [type(v) for v in got] == [type(v) for v in want]
