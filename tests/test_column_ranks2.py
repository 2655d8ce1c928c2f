"""Units the column program once left unscored, found by the rank-form and rules-on-the-total tests.

Each case is small and written by hand: the column program scores every unit in its batch (no unit
left for ``colalone``), each outcome is the per-unit program's (tests/oracle.py) field by field, the
explanations are its too, and the API (explained and not) and the command line (CSV and JSON)
agree. Hand-worked numbers pin what they agree on.

- A ``missing`` rule (数据缺失的不参与计算) read before a ``when`` condition that reads the same
  input: where the input is blank the indicator does not apply; the condition after it is never
  read there (its blank, or a division by 0, is no error). A condition read first still raises.
- A total formula reading the subtotal of a group that takes a mean, though none of its members
  applies: the mean's code gives that subtotal (0), as the per-unit program's scope reads it.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from perfrules.files.data import load_units
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import score_columns
from test_column_program import _both_ways, _key, _streamed_cells_match
from test_column_record import _compare
from test_differential import assert_paths_agree


def _same(tmp_path: Path, text: str, data: str) -> list[Any]:
    """The batch scored by the column program and by the per-unit program: every unit scored in its
    batch, the same outcomes, explanations and paths. Returns the library's outcomes."""
    fast, slow, scheme, scheme_path, data_path = _both_ways(tmp_path, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    plan = plan_of(scheme)
    units = list(load_units(data_path, scheme=scheme))
    population = batch_population(plan, units) if plan.has_population else {}
    found = score_columns(plan, units, population)
    assert all(o is not None for o in found), [u.name for u, o in zip(units, found, strict=True) if o is None]
    _compare(scheme, units)
    _streamed_cells_match(scheme_path, data_path, slow)
    assert_paths_agree(scheme, scheme_path, data_path)
    return fast


def _rank(policies: str) -> str:
    return (
        'name = "名次缺失"\nbasis = "points"\ntotal = 10\ncap_total = false\ngroups = [{ name = "组" }]\n'
        '[[indicators]]\ncode = "1"\nname = "排名1"\ngroup = "组"\nweight = 10\nmax_score = "none"\n'
        'min_score = "none"\nscore = "10-(名次-1)×2"\n'
        'steps = [{ type = "rank", target = "名次", of = "值", ties = "min" }]\n'
        f"policies = [{policies}]\n"
    )


_GATE = '{ type = "not_applicable", when = "门<8", reason = "门槛未达" }'
_DATA = "单位,值,门\n甲,12.5,9\n乙,12.5,8\n丙,7,\n丁,3,7.9\n戊,,9\n"


def test_a_missing_rule_before_a_condition_on_the_same_blank_input(tmp_path: Path) -> None:
    """``missing = true`` first: 丙's 门 and 戊's 值 are blank, so neither applies (the condition
    ``门<8`` is not read there); 丁's 门 7.9 < 8: not applicable either. 甲 and 乙 tie first: 10 each;
    丙, 丁 and 戊 have no score (total 0)."""
    fast = _same(tmp_path, _rank(f'{{ type = "not_applicable", missing = true }}, {_GATE}'), _DATA)
    assert [(o.unit.name, o.total, o.scores[0]) for o in fast] == [
        ("甲", Decimal(10), 10),
        ("乙", Decimal(10), 10),
        ("丙", Decimal(0), None),
        ("丁", Decimal(0), None),
        ("戊", Decimal(0), None),
    ]
    assert not any(o.errors for o in fast)


def test_a_condition_before_a_missing_rule_reads_the_blank_and_raises(tmp_path: Path) -> None:
    """The same rules the other way round: ``门<8`` is read first, so 丙's blank 门 is its error; 戊's
    门 (9) is not below 8, and its blank 值 makes the ``missing`` rule hold: not applicable."""
    fast = _same(tmp_path, _rank(f'{_GATE}, {{ type = "not_applicable", missing = true }}'), _DATA)
    by = {o.unit.name: o for o in fast}
    assert (by["甲"].total, by["乙"].total, by["丁"].total, by["戊"].total) == (10, 10, 0, 0)
    (error,) = by["丙"].errors
    assert (error.indicator, by["丙"].total) == ("1", None)
    assert "门" in error.message


def test_a_missing_rule_before_a_condition_on_the_full_points(tmp_path: Path) -> None:
    """``值>=分值×1.5`` after ``missing = true``: the only unit's 值 is blank, so the indicator does not
    apply (no rank of a blank value asked for): total 0."""
    text = _rank(
        '{ type = "not_applicable", missing = true }, { type = "not_applicable", when = "值>=分值×1.5" }'
    )
    fast = _same(tmp_path, text, "单位,值,门\n甲,,7.9\n")
    assert (fast[0].total, fast[0].scores, fast[0].errors) == (Decimal(0), [None], [])


_DIVIDED = """
name = "缺失与除零"
basis = "points"
total = 10
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 10
score = "值"
policies = [{ type = "not_applicable", missing = ["值"] }, { type = "not_applicable", when = "门/基>1" }]
"""


def test_a_missing_rule_before_a_condition_dividing_by_0(tmp_path: Path) -> None:
    """甲's 值 is blank: not applicable before ``门/基>1`` divides by its 基 of 0 (no error); 乙's 值
    is there, so the condition is read and divides by 0: its error. 丙: 9/3 > 1, not applicable;
    丁: all blank, not applicable; 戊: 9/10 ≤ 1, scored 5."""
    fast = _same(tmp_path, _DIVIDED, "单位,值,门,基\n甲,,9,0\n乙,5,9,0\n丙,5,9,3\n丁,,,\n戊,5,9,10\n")
    by = {o.unit.name: o for o in fast}
    assert [(n, by[n].total) for n in ("甲", "丙", "丁", "戊")] == [
        ("甲", 0),
        ("丙", 0),
        ("丁", 0),
        ("戊", 5),
    ]
    assert not by["甲"].errors and not by["丁"].errors
    (error,) = by["乙"].errors
    assert (error.indicator, error.field, error.error) == ("1", "基", "DivisionByZeroError")


_MEAN_FORMULA = """
name = "总分规则"
basis = "points"
total = 20
total_formula = "组一得分+组二得分×系数"
groups = [{ name = "组一", aggregate = "geometric", places = 2 }, { name = "组二" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组一"
weight = 10
score = "分值×率1"
policies = [{ type = "not_applicable", when = "不适用1=1" }]
[[indicators]]
code = "2"
name = "指标2"
group = "组二"
weight = 10
score = "分值×率2"
[[policies]]
type = "adjust"
per = "加分"
points = 1.5
cap = 3
[[policies]]
type = "veto"
when = "事故>0"
effect = "zero"
"""


def test_a_total_formula_reading_a_mean_group_none_of_whose_members_applies(tmp_path: Path) -> None:
    """组一's only indicator does not apply to 甲 and 乙: the geometric mean of nothing is 0, and the
    formula reads 组一得分 = 0 (the per-unit program's note says so). 甲: 指标2 scores 10×0.5 = 5 and
    carries 指标1's weight too, so 组二得分 = 10: 0 + 10×1 = 10; 乙: 0 + 0 + 1.5 (one 加分); 丙: its
    indicator applies, (0.64^1)×10 = 6.4, 6.4 + 10×0.25×2 = 11.4."""
    data = "单位,不适用1,事故,加分,率1,率2,系数\n甲,1,0,0,0,0.5,1\n乙,1,0,1,0,0,1\n丙,0,0,0,0.64,0.25,2\n"
    fast = _same(tmp_path, _MEAN_FORMULA, data)
    assert [(o.unit.name, o.total) for o in fast] == [
        ("甲", Decimal(10)),
        ("乙", Decimal("1.5")),
        ("丙", Decimal("11.4")),
    ]
    notes = [e.message for e in fast[0].events]
    assert "总分按公式计算：组一得分+组二得分×系数 = 0+10×1 = 10" in notes
    assert fast[0].scores == [None, Fraction(5)]
