"""Exact totals made for a whole denominator at once (``perfrules.scoring.colexact``).

The column program writes a group's totals as numerators over one shared
denominator; these tests hold the values it makes from them to what
``exact(Fraction(n, d))`` gives, type included (a Decimal where the value is a
finite decimal, else a Fraction in lowest terms), for denominators with and
without factors other than 2 and 5, int64 and Python-integer numerators, and
denominators past 64 bits; and the program's totals, grades and ranks to the
per-unit program's on a batch of exact ties with several denominators.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

import oracle
from perfrules import evaluate, loads
from perfrules._intcols import SAFE, coprime_fractions, numpy
from perfrules._numbers import exact
from perfrules.scheme.units import Unit
from perfrules.scoring.colexact import exact_values, placed
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of


def _same(found: list[object], expected: list[object]) -> None:
    assert [type(v) for v in found] == [type(v) for v in expected]
    assert found == expected
    for f, e in zip(found, expected, strict=True):
        if isinstance(e, Fraction):
            assert (f.numerator, f.denominator) == (e.numerator, e.denominator)  # type: ignore[attr-defined]
        else:
            assert str(f) == str(e)  # the same digits, trailing zeros dropped


denominators = st.one_of(
    st.integers(1, 10**6),
    st.builds(
        lambda a, b, c: 2**a * 5**b * c, st.integers(0, 8), st.integers(0, 8), st.sampled_from([3, 7, 13, 39])
    ),
    st.integers(SAFE, 2**200),  # past 64 bits: the exact per-value path
)


@given(values=st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=30), den=denominators)
def test_exact_values_of_an_int64_column_are_exact(values, den):
    """From an int64 array as from a list: each value what exact() makes of numerator / den."""
    expected = [exact(Fraction(v, den)) for v in values]
    _same(exact_values(numpy().array(values, dtype=numpy().int64), den), expected)
    _same(exact_values(list(values), den), expected)


@given(values=st.lists(st.integers(-(2**120), 2**120), min_size=1, max_size=10), den=denominators)
@example(values=[3], den=2**114)  # 3/2**114 has more digits than a Decimal holds: exact() keeps a Fraction
def test_exact_values_of_huge_numerators_are_exact(values, den):
    """Python integers past int64 (the program keeps totals below perfrules.LIMITS, 10**50)."""
    _same(exact_values(values, den), [exact(Fraction(v, den)) for v in values])


def test_exact_values_of_thirds_mix_decimals_and_fractions():
    """Over 39 (3 × 13): 13/39 is the fraction 1/3, 39/39 the Decimal 1, 0 the Decimal 0."""
    found = exact_values(numpy().array([13, 39, 0, -26, 78, 5], dtype=numpy().int64), 39)
    _same(found, [Fraction(1, 3), Decimal(1), Decimal(0), Fraction(-2, 3), Decimal(2), Fraction(5, 39)])


@given(pairs=st.lists(st.tuples(st.integers(-(10**30), 10**30), st.integers(1, 10**30)), max_size=20))
def test_coprime_fractions_are_the_fractions(pairs):
    reduced = [(Fraction(n, d).numerator, Fraction(n, d).denominator) for n, d in pairs]
    made = coprime_fractions([n for n, _ in reduced], [d for _, d in reduced])
    expected = [Fraction(n, d) for n, d in pairs]
    assert made == expected
    assert [hash(m) for m in made] == [hash(e) for e in expected]
    assert [str(m) for m in made] == [str(e) for e in expected]


@given(st.permutations(list(range(12))))
def test_placed_puts_each_value_at_its_position(order):
    values = [f"v{k}" for k in range(12)]
    out = placed(values, numpy().array(order, dtype=numpy().int64))
    assert [out[p] for p in order] == values


_SCHEME = """
name = "并列"
groups = [{ name = "甲组", weight = 60 }, { name = "乙组", weight = 40 }]
[[indicators]]
code = "1"
name = "一"
group = "甲组"
weight = 20
score = "a"
[[indicators]]
code = "2"
name = "二"
group = "甲组"
weight = 20
score = "b"
applies_to = ["单位1", "单位2", "单位3", "单位4", "单位5", "单位6"]
[[indicators]]
code = "3"
name = "三"
group = "乙组"
weight = 7
score = "c ÷ 3"
[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]
"""


def test_totals_grades_and_ranks_with_ties_over_several_denominators():
    """Weight that moves (thirds, sevenths) gives each pattern of units its own denominator; the
    program's exact totals, grades and ranks are the per-unit program's, ties and boundaries included."""
    scheme = loads(_SCHEME, format="toml")
    rows = []
    for k in range(1, 41):
        a, b, c = Decimal(60 + k % 5 * 10), Decimal(100 - k % 4 * 10), Decimal(240 - k % 7 * 10)
        rows.append(Unit(name=f"单位{k}", data={"a": a, "b": b, "c": c}))
    assert program_of(plan_of(scheme)) is not None, plan_of(scheme).program_why
    fast = evaluate(scheme, rows, explained=False).results
    slow = oracle.evaluate(loads(_SCHEME, format="toml"), list(rows)).results
    assert [(r.unit, r.total, type(r.total), r.grade, r.rank) for r in fast] == [
        (r.unit, r.total, type(r.total), r.grade, r.rank) for r in slow
    ]
    totals = [r.total for r in fast]
    assert any(isinstance(t, Fraction) for t in totals) and any(isinstance(t, Decimal) for t in totals)
    assert len(set(totals)) < len(totals)  # exact ties, ranked as ties
    assert any(t == 80 for t in totals) and all(r.grade == "良" for r in fast if r.total == 80)
