"""Arithmetic the column program used to send to the per-unit program, now worked out by the columns.

Issue 17 ("one engine"): each scheme and data below had units the column program sent back, and each
now gets its outcome from the columns — the per-unit program's total, grade and errors, worded as it
words them — on every path (the API with and without explanations, the command line's JSON and CSV):

- divisors too many and unlike for one denominator (``colsteps.divide``): the batch is scored in
  smaller batches, each over its own denominator;
- a denominator the batch's values share that is past ``LIMITS.max_bits`` while each unit's value is
  within it (a division, a power by a column): kept; a unit whose own value is past it gets the
  indicator's ``NumberTooLargeError``;
- a not-applicable rule whose condition divides by 0, or works out a number past the limits: the
  indicator's error, worded by its own step.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import perfrules._numbers as numbers
from column_cases import compile_case
from column_cases import is_prime as _prime
from oracle import score_unit
from perfrules import Limits, evaluate, load_units
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.colsteps import MAX_LCM_BITS
from perfrules.scoring.population import population_values
from test_column_sendback import _per_unit_count, _streamed
from test_differential import assert_paths_agree

_HEAD = """
name = "算术"
basis = "points"
total = 10
groups = [{ name = "组" }]
"""


def _indicator(code: str, body: str, weight: int = 10) -> str:
    return f'[[indicators]]\ncode = "{code}"\nname = "指标{code}"\ngroup = "组"\nweight = {weight}\n{body}\n'


def _outcome(o: Any) -> tuple[Any, ...]:
    return (o.total, o.grade, [(e.indicator, e.error, e.message) for e in o.errors])


def _both(tmp_path: Path, text: str, data: str) -> list[Any]:
    """The column program's outcomes for *data*: every unit's (none sent back), each the per-unit
    program's; and every path agrees."""
    case = compile_case(tmp_path, text, data)
    scheme, plan, units = case.scheme, case.plan, case.units
    scheme_path, data_path = case.scheme_path, case.data_path
    population = batch_population(plan, units) if plan.has_population else {}
    fast = case.program.run(units, population)
    sent = [u.name for u, o in zip(units, fast, strict=True) if o is None]
    assert not sent, f"sent to the per-unit program: {sent}"
    # (the population values gathered over columns are the per-unit way's, unit for unit)
    own = population_values(plan.indicators, units) if plan.has_population else {}
    assert {u.name: dict(population.get(u.name, {})) for u in units} == {
        u.name: dict(own.get(u.name, {})) for u in units
    }
    slow = [score_unit(plan, u, own.get(u.name, {}), detail=False) for u in units]
    assert [_outcome(o) for o in fast] == [_outcome(o) for o in slow]
    assert_paths_agree(scheme, scheme_path, data_path)
    # evaluate() on kept columns and the streamed command line leave no unit to the per-unit program
    with _per_unit_count() as count:
        evaluate(scheme, load_units(data_path, scheme=scheme), explained=False)
    code, _, err, streamed = _streamed(scheme_path, data_path, "csv")
    assert code in (0, 1), err
    assert (count[0], streamed) == (0, 0)
    return fast


def _primes(count: int) -> list[int]:
    """The first *count* primes above 2**40 (41 bits each)."""
    found: list[int] = []
    p = 2**40 + 1
    while len(found) < count:
        if _prime(p):
            found.append(p)
        p += 2
    return found


def test_divisors_too_unlike_for_one_denominator_are_scored_in_smaller_batches(tmp_path):
    """40 units dividing by 40 unlike 41-bit primes (their common multiple some 1,640 bits, past
    MAX_LCM_BITS) and 30 dividing by 4: each unit's exact share, 完成/计划 × 10 held at 10, by the
    columns (the program scores halves of the batch, each over its own denominator)."""
    primes = _primes(40)
    assert sum(p.bit_length() for p in primes) > MAX_LCM_BITS
    rows = [f"U{i},{i + 1},{p}" for i, p in enumerate(primes)] + [f"V{i},{i % 5},4" for i in range(30)]
    text = _HEAD + _indicator("1", 'score = "min(完成/计划×10, 10)"')
    fast = _both(tmp_path, text, "单位,完成,计划\n" + "\n".join(rows) + "\n")
    assert [o.total for o in fast[:3]] == [Fraction(10 * (i + 1), p) for i, p in enumerate(primes[:3])]
    assert [o.total for o in fast[40:46]] == [Decimal(x) for x in ("0", "2.5", "5", "7.5", "10", "0")]


def test_a_denominator_past_the_bits_that_no_unit_has_alone(tmp_path, monkeypatch):
    """With fractions held to 100 bits: 1/(b·c) for five pairs of 20-bit primes has a common
    denominator of some 200 bits, each unit's own 40: every unit is scored. 1/(b·c) for 21-digit b
    and c is past 100 bits for that unit alone: its indicator's NumberTooLargeError, as the per-unit
    program words it."""
    monkeypatch.setattr(numbers, "LIMITS", Limits(max_bits=100))
    p = [
        1_000_003,
        1_000_033,
        1_000_037,
        1_000_039,
        1_000_081,
        1_000_099,
        1_000_117,
        1_000_121,
        1_000_133,
        1_000_151,
    ]
    rows = [f"U{i},1,{p[2 * i]},{p[2 * i + 1]}" for i in range(5)]
    rows += ["W,2,1,1", "Z,1,100000000000000000003,100000000000000000009"]
    text = _HEAD + _indicator("1", 'score = "min(a/b/c, 10)"')
    fast = _both(tmp_path, text, "单位,a,b,c\n" + "\n".join(rows) + "\n")
    assert fast[0].total == Fraction(1, p[0] * p[1])
    assert fast[5].total == Decimal(2)
    assert [(e.indicator, e.error) for e in fast[6].errors] == [("1", "NumberTooLargeError")]


def test_powers_by_a_column_over_a_denominator_past_the_bits(tmp_path, monkeypatch):
    """``x ^ e`` with e a column: 1.1^-7, 3^2, 0.5^-1 over one denominator of 1.000003^7's (past 100
    bits with 10^6·7 = 140 bits), which is that unit's own error; the others are scored."""
    monkeypatch.setattr(numbers, "LIMITS", Limits(max_bits=100))
    text = _HEAD + _indicator("1", 'score = "min(x^e, 10)"')
    fast = _both(tmp_path, text, "单位,x,e\nA,1.000003,7\nB,1.1,-7\nC,3,2\nD,0.5,-1\n")
    assert [(e.indicator, e.error) for e in fast[0].errors] == [("1", "NumberTooLargeError")]
    assert [o.total for o in fast[1:]] == [Fraction(10**7, 19487171), Decimal(9), Decimal(2)]


@pytest.mark.parametrize(
    ("when", "data", "error"),
    [
        ("a/b>1", "单位,x,a,b\nA,5,3,2\nB,5,1,0\nC,5,1,2\n", "DivisionByZeroError"),
        ("a^30>1", "单位,x,a,b\nA,5,2,1\nB,5,100000000000,1\nC,5,1,1\n", "NumberTooLargeError"),
    ],
)
def test_a_not_applicable_condition_the_columns_cannot_work_out(tmp_path, when, data, error):
    """A not-applicable condition dividing by 0, or past the number limits, on unit B: the indicator's
    error, worded by its own step; A's condition holds (指标1 does not apply, 指标2's 5 counts for all
    10 points), C's does not (5 + 5)."""
    text = _HEAD.replace("total = 10", "total = 20")
    text += _indicator("1", f'score = "x"\npolicies = [{{ type = "not_applicable", when = "{when}" }}]')
    text += _indicator("2", 'score = "x"')
    fast = _both(tmp_path, text, data)
    assert [o.total for o in (fast[0], fast[2])] == [Decimal(10), Decimal(10)]
    assert [(e.indicator, e.error) for e in fast[1].errors] == [("1", error)]


_SHORT = "单位,x,a,b,c\nA,5,1,4,4\nB,5,1,0,0\nC,5,3,4,4\nD,5,1,1,0\n"


@pytest.mark.parametrize(
    ("body", "totals"),
    [
        ('score = "x"\npolicies = [{ type = "veto", when = "b=0 or a/c<0.5", effect = "zero" }]', (0, 0, 5)),
        ('score = "x"\npolicies = [{ type = "zero", when = "b=0 or a/c<0.5" }]', (0, 0, 5)),
        ('score = "x"\npolicies = [{ type = "default", score = 3, when = "b=0 or a/c<0.5" }]', (3, 3, 5)),
        ('score = "if(b=0 or a/c<0.5, 1, 2)"', (1, 1, 2)),
        ('score = "if(0<b<a/c×20, 1, 2)"', (1, 2, 1)),
        ('score = "x"\npolicies = [{ type = "not_applicable", when = "b>0 and a/c>0.5" }]', (5, 5, 0)),
    ],
)
def test_a_division_by_0_the_per_unit_program_does_not_reach(tmp_path, body, totals):
    """``or``/``and`` stop at the operand that decides, a chain at the first comparison that fails: B
    (b = 0, c = 0) never divides by c, and is scored; D (b = 1, c = 0) does, its indicator's
    DivisionByZeroError (a veto, a zero rule, a default's condition, an ``if`` in the formula, a
    not-applicable rule)."""
    fast = _both(tmp_path, _HEAD + _indicator("1", body), _SHORT)
    assert tuple(None if o.total is None else int(o.total) for o in fast[:3]) == totals
    assert [(e.indicator, e.error) for e in fast[3].errors] == [("1", "DivisionByZeroError")]
    assert not fast[1].errors


_RATE = 'steps = ["率=完成/计划"]\nscore = "率×10"\n'


@pytest.mark.parametrize(
    ("policies", "data", "totals", "message"),
    [
        (
            '[{ type = "default", score = 4, when = "计划=0" }, '
            '{ type = "veto", when = "否决>0 or 率<0.5", effect = "zero" }]',
            "单位,完成,计划,否决\nA,5,10,0\nB,3,0,1\nC,3,0,0\n",
            (5, 0),
            "no value for '率' in formula '否决>0 or 率<0.5'",
        ),
        (
            '[{ type = "default", score = 4 }, { type = "adjust", per = "扣", points = -1, cap = "率×10" }]',
            "单位,完成,计划,扣\nA,4,10,1\nB,3,0,0\nC,3,0,1\n",
            (3, 4),
            "no value for '率' in formula '率×10'",
        ),
    ],
)
def test_a_default_beside_rules_that_read_a_step_value(tmp_path, policies, data, totals, message):
    """A default gives no step values: a veto or an adjustment's cap that reads 率 is the indicator's
    error where a default took the row and the rule gets to 率 (C), and not where it does not: B's
    veto holds on 否决 before reading 率 (the default 4, vetoed to 0); B counts no 扣, so the cap is
    never worked out (the default for no data, 4). A is scored from its rate, as before."""
    fast = _both(tmp_path, _HEAD + _indicator("1", _RATE + f"policies = {policies}"), data)
    assert tuple(int(o.total) for o in fast[:2]) == totals
    assert [(e.indicator, e.error, e.message.endswith(message)) for e in fast[2].errors] == [
        ("1", "MissingValueError", True)
    ]


@pytest.mark.parametrize(
    ("score", "totals"),
    [
        ("if(a/b>1, 10, 5)", (10, 3, 5)),
        ("count(a/b>1, a>0)×2", (4, 3, 2)),
        ("if(b>0 and a/b>1, 10, 5)", (10, 5, 5)),
        ("if(0<b<a/b×2, 10, 5)", (10, 5, 5)),
    ],
)
def test_a_condition_in_a_formula_dividing_by_0_beside_a_default_for_no_data(tmp_path, score, totals):
    """A condition in the score formula divides by 0 on B (b = 0): the default for no data (3), as the
    per-unit program takes a division by 0 anywhere in the formula — except where ``and`` or the chain
    stops before the division (5)."""
    body = f'score = "{score}"\npolicies = [{{ type = "default", score = 3 }}]'
    fast = _both(tmp_path, _HEAD + _indicator("1", body), "单位,a,b\nA,4,2\nB,1,0\nC,1,2\n")
    assert tuple(int(o.total) for o in fast) == totals


def test_a_population_value_over_divisors_too_unlike_and_a_division_by_0(tmp_path, monkeypatch):
    """max_of(完成/计划) over 30 unlike 41-bit primes (worked out in pieces, each over its own
    denominator), Z dividing by 0 (it puts nothing in, and its own score is its indicator's error) and
    Y's 1/1, the largest: each unit's 10 × rate / max, as the per-unit program gives it — every unit's
    part gathered over columns (none put in one by one by the per-unit way, population.observe)."""
    import perfrules.scoring.colpop as colpop

    one_by_one: list[str] = []

    def observed(plans: Any, units: Any) -> Any:
        one_by_one.extend(u.name for u in units)
        return colpop_observe(plans, units)

    colpop_observe = colpop.observe
    monkeypatch.setattr(colpop, "observe", observed)
    primes = _primes(30)
    rows = [f"U{i},{i + 1},{p}" for i, p in enumerate(primes)] + ["Z,5,0", "Y,1,1"]
    text = _HEAD + _indicator("1", 'score = "10×(完成/计划)/max_of(完成/计划)"')
    fast = _both(tmp_path, text, "单位,完成,计划\n" + "\n".join(rows) + "\n")
    assert one_by_one == []
    assert [o.total for o in fast[:2]] == [Fraction(10, primes[0]), Fraction(20, primes[1])]
    assert [(e.indicator, e.error) for e in fast[30].errors] == [("1", "DivisionByZeroError")]
    assert fast[31].total == Decimal(10)


def test_a_not_applicable_rule_over_divisors_too_unlike_beside_a_population_value(tmp_path):
    """The not-applicable rule 完成/计划 < 2/2**40 divides by 30 unlike 41-bit primes: no unit's rule
    raises, so each takes part in max_of(完成) unless its rule holds (U0's 1/p and U1's 2/p do)."""
    primes = _primes(30)
    rows = [f"U{i},{i + 1},{p}" for i, p in enumerate(primes)] + ["Y,500,1"]
    body = 'score = "10×完成/max_of(完成)"\npolicies = [{ type = "not_applicable", when = "完成/计划<2/1099511627776" }]'
    text = _HEAD.replace("total = 10", "total = 20") + _indicator("1", body) + _indicator("2", 'score = "10"')
    fast = _both(tmp_path, text, "单位,完成,计划\n" + "\n".join(rows) + "\n")
    assert [o.scores[0] for o in fast[:3]] == [None, None, Fraction(3, 50)]
    assert fast[-1].scores[0] == Decimal(10)


def test_a_zero_rule_that_divides_by_0_where_the_default_for_no_data_took_the_row(tmp_path):
    """B divides by 0 in the score formula: the default for no data (3), and the zero rule, which would
    divide by 0 too, is never worked out there (the per-unit program returns the default before its
    zero rules); C's zero rule holds (2/0.5 > 2), A's does not (a/b × 2 = 2)."""
    body = 'score = "a/b×2"\npolicies = [{ type = "default", score = 3 }, { type = "zero", when = "1>2 or 2/b>2" }]'
    fast = _both(tmp_path, _HEAD + _indicator("1", body), "单位,a,b\nA,4,4\nB,1,0\nC,1,0.5\n")
    assert [o.total for o in fast] == [Decimal(2), Decimal(3), Decimal(0)]


def test_a_step_whose_if_divides_by_0_beside_the_default_for_no_data(tmp_path):
    """r = if(a/c > 1, if(b = 1 or a > 2, d + 2, a + d), 1) divides by 0 on B (c = 0) in the condition:
    the default for no data (3), as the per-unit program gives it (the inner ``or``, followed for the
    blanks the default would take, marks nothing of its own); A takes d + 2 = 6, C 1."""
    body = 'steps = ["r=if(a/c>1, if(b=1 or a>2, d+2, a+d), 1)"]\nscore = "r"\npolicies = [{ type = "default", score = 3 }]'
    fast = _both(tmp_path, _HEAD + _indicator("1", body), "单位,a,b,c,d\nA,4,1,2,4\nB,1,0.5,0,7\nC,1,2,2,1\n")
    assert [o.total for o in fast] == [Decimal(6), Decimal(3), Decimal(1)]
