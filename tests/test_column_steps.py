"""Division by a column and population values in the column program, against the per-unit program.

The column program (:mod:`perfrules.scoring.program`, steps in :mod:`perfrules.scoring.colsteps`)
compiles score formulas that divide by a column (``完成数/计划数×100``) and
read population values (``max_of`` …, min-max normalisation), gathering the
population over columns once per batch. These tests generate such schemes
(``within = "category"``, ``applies_to``, overall grading) with data on and
around the awkward values — divisors of 0 and negative ones, blank and
unreadable cells, equal values (a range of 0), numbers beyond 64-bit
integers — and hold the two programs to the same totals, grades, ranks,
scores, errors and events, through ``evaluate`` and the streamed command line.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

import oracle
from column_cases import is_prime as _prime
from perfrules import evaluate, loads
from perfrules._intcols import from_values
from perfrules.files.data import load_units
from perfrules.scoring.batch import score_batch
from perfrules.scoring.colpop import gather
from perfrules.scoring.colsteps import MAX_LCM_BITS
from perfrules.scoring.plan import plan_of
from perfrules.scoring.population import population_values
from perfrules.scoring.program import program_of
from test_column_program import (
    _COLUMN_SETTINGS,
    _both_ways,
    _data_csv,
    _key,
    _outcomes,
    _q,
    _streamed_cells_match,
)

_FORMS = [
    "{a}/{b}×100",
    "{a}/{b}",
    "({a}-{b})/{b}×10",
    "{a}/({a}+{b})×100",
    "({a}-min_of({a}))/(max_of({a})-min_of({a}))×100",
    "(max_of({a})-{a})/(max_of({a})-min_of({a}))×{full}",
    "{a}/max_of({a})×{full}",
    "{a}-mean_of({a})+50",
    "{a}/sum_of({b})×100",
    "count_of({a})+{a}",
    "{a}÷3",
]

_ODD = ["", "0", "-0", "95%", "约五分", "123456789012345678901", "87.1234567890123"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme whose formulas divide by columns or read population values, and CSV data for it."""
    categories = draw(st.sampled_from([(), ("甲类", "乙类")]))
    count = draw(st.integers(1, 4))
    units = [f"单位{i}" for i in range(draw(st.integers(1, 10)))]
    weights = [draw(st.sampled_from([1, 2, 3, 5, Decimal("2.5")])) for _ in range(count)]
    total = sum(weights)
    lines = ['name = "列步骤"', f"total = {total}", 'groups = [{ name = "组" }]']
    if categories:
        lines.append(f"categories = [{', '.join(map(_q, categories))}]")
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 2))}")
    if draw(st.booleans()):
        cut = total * Decimal(draw(st.sampled_from(["0.5", "0.6", "0.9"])))
        lines += ["[overall]", f'rule = "优：总分>={cut}；差：总分<{cut}"']
    columns: dict[str, list[str]] = {}
    for k in range(1, count + 1):
        a, b = f"值{k}", f"量{k}"
        form = draw(st.sampled_from(_FORMS)).format(a=a, b=b, full=100)
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"']
        lines.append(f"weight = {weights[k - 1]}")
        if categories and "_of(" in form and draw(st.booleans()):
            lines.append('within = "category"')
        if draw(st.integers(0, 4)) == 0:
            members = draw(st.lists(st.sampled_from(units), min_size=1, max_size=3))
            lines.append(f"applies_to = [{', '.join(map(_q, members))}]")
        if draw(st.booleans()):
            lines.append('max_score = "none"')
        lines.append(f'score = "{form}"')
        plain = st.sampled_from(["0", "1", "3", "7", "19", "20", "-4", "12.5", "99.99", "100", "0.3"])
        cells = st.one_of(plain, plain, plain, st.sampled_from(_ODD))
        columns[a] = [draw(cells) for _ in units]
        columns[b] = [draw(cells) for _ in units]
    kinds = [draw(st.sampled_from([*categories, categories[0], ""])) for _ in units] if categories else None
    return "\n".join(lines) + "\n", _data_csv(units, columns, kinds)


@given(case=cases())
@_COLUMN_SETTINGS
# 0 divided by a count past 64 bits: the quotient's denominator reduced by itself overflowed int64.
@example(
    case=(
        'name = "列步骤"\ntotal = 1\ngroups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\nname = "指标1"\n'
        'group = "组"\nweight = 1\napplies_to = ["单位0"]\nscore = "值1/量1×100"\n',
        "单位,值1,量1\r\n单位0,0,123456789012345678901\r\n",
    )
)
def test_division_and_population_steps_score_as_the_per_unit_program(tmp_path_factory, case):
    fast, slow, scheme, scheme_path, data_path = _both_ways(tmp_path_factory.mktemp("steps"), *case)
    plan = plan_of(scheme)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    # The population gathered over columns is the one gathered unit by unit.
    units = load_units(data_path, scheme=scheme)
    program = program_of(plan)
    assert program is not None
    if plan.has_population:
        gathered = gather(program, units)
        want = population_values(plan.indicators, units)
        assert {u.name: dict(gathered[u.name]) for u in units} == want
    # The streamed command line: its own population pass, then columns from the cells' text.
    _streamed_cells_match(scheme_path, data_path, slow)


_RATE = """
name = "完成率"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "任务完成率"
group = "组"
weight = 60
score = "完成数/计划数×100"
[[indicators]]
code = "2"
name = "相对水平"
group = "组"
weight = 40
score = "(产出-min_of(产出))/(max_of(产出)-min_of(产出))×100"
[overall]
rule = "优：总分>=90；良：80<=总分<90；差：总分<80"
"""


def test_a_rate_and_a_min_max_score_by_hand(tmp_path):
    """Hand-worked: 19/20 = 95%; 产出 4 in 2–10 is 25%; totals 57 + 10 = 67 …; a plan of 0 is the unit's error."""
    data = tmp_path / "d.csv"
    data.write_text(
        "单位,完成数,计划数,产出\n甲,19,20,4\n乙,9,9,10\n丙,1,3,2\n丁,5,0,6\n",
        encoding="utf-8",
    )
    scheme = loads(_RATE, format="toml")
    program = program_of(plan_of(scheme))
    assert program is not None, plan_of(scheme).program_why
    units = load_units(data, scheme=scheme)
    result = evaluate(scheme, units, explained=False)
    # 甲: 95 × 0.6 + 25 × 0.4 = 67; 乙: 100 × 0.6 + 100 × 0.4 = 100; 丙: 100/3 × 0.6 + 0 = 20
    assert result.unit("甲").total == Decimal(67)
    assert (result.unit("乙").total, result.unit("乙").grade) == (Decimal(100), "优")
    assert result.unit("丙").total == Decimal(20)
    assert Fraction(evaluate(scheme, units).unit("丙").indicators[0].score) == Fraction(100, 3)
    # 丁 divides by 0: its indicator's error, worded by the indicator's own step (colfailures) as the
    # per-unit program words it; 丁 still takes part in max_of/min_of (its 产出 is read).
    assert [e.error for e in result.unit("丁").errors] == ["DivisionByZeroError"]
    found = program.run(units, gather(program, units))
    assert [o is not None and not o.errors for o in found] == [True, True, True, False]
    assert found[3] is not None and [(e.indicator, e.error) for e in found[3].errors] == [
        ("1", "DivisionByZeroError")
    ]


def test_many_unlike_divisors_are_scored_in_smaller_batches(tmp_path):
    """Divisors whose common multiple would pass MAX_LCM_BITS: the batch is scored in smaller batches,
    each over its own denominator, every unit by the column program as the per-unit program scores it."""
    text = _RATE.split('[[indicators]]\ncode = "2"')[0].replace("weight = 60", "weight = 100")
    text += '[overall]\nrule = "优：总分>=90；差：总分<90"\n'
    primes = [p for p in range(2**40, 2**40 + 4000) if all(p % q for q in range(2, 1100)) and _prime(p)][:30]
    assert sum(p.bit_length() for p in primes) > MAX_LCM_BITS
    lines = ["单位,完成数,计划数"] + [f"U{i},{p - 1},{p}" for i, p in enumerate(primes)]
    lines += [f"V{i},1,2" for i in range(5)]
    data = tmp_path / "d.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, scheme = _outcomes(text, data, program=True)
    slow, _ = _outcomes(text, data, program=False)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    program = program_of(plan_of(scheme))
    assert program is not None
    taken = program.run(load_units(data, scheme=scheme))
    assert all(o is not None and not o.errors for o in taken)  # none sent back
    assert [o.total for o in taken[:2]] == [Fraction((p - 1) * 100, p) for p in primes[:2]]
    assert fast[0].total == Fraction((primes[0] - 1) * 100, primes[0])


def test_values_beyond_64_bits_are_read_exactly():
    """A column of a 15-digit value beside one of 12 places is over 10**12: beyond int64, kept exact."""
    values = [Decimal("255618602395488.9"), Decimal("8923809722.123456789012"), Decimal("10") ** 30, 7]
    col, plain = from_values(values)
    assert plain.tolist() == [True, True, True, True]
    assert [Fraction(int(n), col.den) for n in col.num] == [Fraction(v) for v in values]


def test_the_min_max_index_is_scored_as_columns():
    """The ASEM-shaped index of tests/test_one_engine.py: every unit scored by the column program."""
    from test_one_engine import _index

    scheme, units, _ = _index(units=40)
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None, plan.program_why
    population = gather(program, units)
    assert all(o is not None for o in program.run(units, population))
    fast, _ = score_batch(plan, units)
    slow, _ = oracle.score_batch(plan, units)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
