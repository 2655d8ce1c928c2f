"""The default for no data over columns: a row whose steps or score formula reach a blank input takes
the indicator's default, as the per-unit program does (scoring/colreach, coldefaults); a blank its
evaluation does not reach (the branch of ``if`` not taken) is no default; a blank cell a zero rule reads
is the indicator's error unless the default took the row first. Each scheme is hand-worked; no unit is
sent back, each outcome is the per-unit program's, and the paths (API, CLI CSV and JSON) agree."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from oracle import score_unit
from perfrules import load, load_units
from perfrules.scoring.colexplain import RECORDED
from perfrules.scoring.plan import plan_of
from test_column_record import _compare
from test_column_total_errors import _both as _paths

_HEAD = """
format = "perfrules-scheme/1"
name = "缺省"
basis = "points"
total = 20
groups = [{ name = "g" }]
"""

_SECOND = """
[[indicators]]
code = "2"
name = "指标2"
group = "g"
weight = 10
score = "值2"
"""


def _both(tmp_path: Path, scheme_text: str, data: str) -> tuple[list[object], list[object]]:
    """test_column_total_errors' comparison, and every unit explained from the column program's record
    as the per-unit program explains it."""
    found = _paths(tmp_path, scheme_text, data)
    scheme = load(tmp_path / "s.toml")
    by = _compare(scheme, list(load_units(tmp_path / "d.csv", scheme=scheme)))
    assert set(by) == {RECORDED}, by
    return found


def _first(body: str) -> str:
    return _HEAD + '[[indicators]]\ncode = "1"\nname = "指标1"\ngroup = "g"\nweight = 10\n' + body + _SECOND


def _events(outcome: object, tmp: Path, scheme_text: str, unit: str) -> list[str]:
    """The messages of the events the per-unit program (with explanations) gives *unit*'s 指标1."""
    path = tmp / "e.toml"
    path.write_text(scheme_text, encoding="utf-8")
    scheme = load(path)
    units = {u.name: u for u in load_units(tmp / "d.csv", scheme=scheme)}
    found = score_unit(plan_of(scheme), units[unit], {}, detail=True)
    return [e.message for e in found.indicators[0].events]


def _totals(fast: list[object]) -> list[object]:
    return [(f.total, f.scores) for f in fast]  # type: ignore[attr-defined]


def test_a_formula_indicator_takes_its_default_where_its_input_is_blank(tmp_path):
    """乙's 完成率 is blank: 指标1 takes 6, total 6 + 4 = 10; 甲 5 + 3 = 8; 丙's 值2 is blank and 指标2
    has no default: its error (指标1 9 kept)."""
    text = _first('score = "分值×完成率"\npolicies = [{ type = "default", score = 6 }]\n')
    fast, _ = _both(tmp_path, text, "单位,完成率,值2\n甲,0.5,3\n乙,,4\n丙,0.9,\n")
    assert _totals(fast) == [
        (Decimal(8), [Decimal(5), Decimal(3)]),
        (Decimal(10), [Decimal(6), Decimal(4)]),
        (None, [Decimal(9), None]),
    ]
    assert [e.error for e in fast[2].errors] == ["MissingValueError"]
    assert _events(fast[1], tmp_path, text, "乙")[0].startswith("缺少数据“完成率”")


def test_a_step_indicator_takes_its_default_where_a_step_reads_a_blank(tmp_path):
    """完成率 = 完成数/计划数 (a step), score 分值×完成率: 乙's 计划数 is blank (default 6, 6 + 4 = 10);
    丙's 完成数 blank too; 甲: 8/10 of 10 = 8, 8 + 3 = 11."""
    text = _first(
        'steps = ["完成率=完成数/计划数"]\nscore = "分值×完成率"\npolicies = [{ type = "default", score = 6 }]\n'
    )
    fast, _ = _both(tmp_path, text, "单位,完成数,计划数,值2\n甲,8,10,3\n乙,8,,4\n丙,,10,1\n")
    assert _totals(fast) == [
        (Decimal(11), [Decimal(8), Decimal(3)]),
        (Decimal(10), [Decimal(6), Decimal(4)]),
        (Decimal(7), [Decimal(6), Decimal(1)]),
    ]
    assert _events(fast[1], tmp_path, text, "乙")[0].startswith("缺少数据“计划数”")


def test_a_default_naming_its_inputs_takes_only_their_absence(tmp_path):
    """The default names 项目数: 乙 (项目数 blank) takes 0; 丙's 完成数 is blank but 项目数 is given,
    so that is a gap in the data, 指标1's error; 甲: 分值×完成数/项目数 = 10×3/4 = 7.5."""
    text = _first(
        'score = "分值×完成数/项目数"\npolicies = [{ type = "default", score = 0, missing = ["项目数"] }]\n'
    )
    fast, _ = _both(tmp_path, text, "单位,完成数,项目数,值2\n甲,3,4,3\n乙,,,4\n丙,,5,1\n")
    assert _totals(fast)[:2] == [
        (Decimal("10.5"), [Decimal("7.5"), Decimal(3)]),
        (Decimal(4), [Decimal(0), Decimal(4)]),
    ]
    assert fast[2].total is None
    assert [(e.indicator, e.error) for e in fast[2].errors] == [("1", "MissingValueError")]


def test_a_blank_cell_a_zero_rule_reads(tmp_path):
    """A zero rule reads 事故: where the formula reaches a blank first (乙) the default took the row and
    the rule is not read; where the formula is worked out (丙), a blank 事故 is 指标1's error; 甲:
    事故 = 1 zeroes 指标1 (0 + 3); 丁: 10×0.8 = 8, 8 + 1 = 9."""
    text = _first(
        'score = "分值×完成率"\n'
        'policies = [{ type = "default", score = 6 }, { type = "zero", when = "事故>0" }]\n'
    )
    fast, _ = _both(tmp_path, text, "单位,完成率,事故,值2\n甲,0.5,1,3\n乙,,,4\n丙,0.9,,1\n丁,0.8,0,1\n")
    assert _totals(fast) == [
        (Decimal(3), [Decimal(0), Decimal(3)]),
        (Decimal(10), [Decimal(6), Decimal(4)]),
        (None, [None, Decimal(1)]),
        (Decimal(9), [Decimal(8), Decimal(1)]),
    ]
    assert [(e.indicator, e.error) for e in fast[2].errors] == [("1", "MissingValueError")]


def test_if_reaches_only_the_branch_it_takes(tmp_path):
    """分值×if(开关>0, 完成率, 备用): 甲 (开关 1, 备用 blank, not read) 10×0.5 = 5, no default; 乙 reads
    its blank 完成率: 6; 丙 (开关 0) reads 备用 = 0.2: 2; 丁 (开关 0, 备用 blank): 6; 戊's blank 开关 is
    the condition's blank: 6."""
    text = _first('score = "分值×if(开关>0, 完成率, 备用)"\npolicies = [{ type = "default", score = 6 }]\n')
    data = "单位,开关,完成率,备用,值2\n甲,1,0.5,,3\n乙,1,,0.2,4\n丙,0,,0.2,1\n丁,0,0.3,,1\n戊,,0.3,0.2,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert [f.scores[0] for f in fast] == [Decimal(5), Decimal(6), Decimal(2), Decimal(6), Decimal(6)]
    assert [f.total for f in fast] == [Decimal(8), Decimal(10), Decimal(3), Decimal(7), Decimal(7)]
    assert _events(fast[0], tmp_path, text, "甲") == []
    assert _events(fast[3], tmp_path, text, "丁")[0].startswith("缺少数据“备用”")


def test_and_stops_at_the_operand_that_decides(tmp_path):
    """if(甲项>0 and 乙项>0 and 丙项>0, 10, 4): 甲 (甲项 0: the rest not read) 4; 乙 (乙项 blank, read)
    the default 6; 丙 (丙项 blank, read) 6; 丁 (乙项 0: 丙项 not read) 4; 戊 10."""
    text = _first(
        'score = "if(甲项>0 and 乙项>0 and 丙项>0, 10, 4)"\npolicies = [{ type = "default", score = 6 }]\n'
    )
    data = "单位,甲项,乙项,丙项,值2\n甲,0,,,3\n乙,1,,,4\n丙,1,1,,1\n丁,1,0,,1\n戊,1,1,1,1\n"
    fast, _ = _both(tmp_path, text, data)
    assert [f.scores[0] for f in fast] == [Decimal(4), Decimal(6), Decimal(6), Decimal(4), Decimal(10)]
