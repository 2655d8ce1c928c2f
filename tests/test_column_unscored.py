"""Units the column program once left unscored, now scored in columns as the oracle scores them.

Each case was found by the differential tests once the tests' oracle hooks were gone: the column
program is the only engine, so a unit it leaves unscored gets ``NotScoredError``. Each is pinned
here with its exact outcome, and the columns must equal the oracle (tests/oracle.py) on every path.
"""

from __future__ import annotations

from decimal import Decimal

from perfrules import evaluate, loads
from perfrules.files.data import load_units
from test_column_program import _both_ways, _key

_STEP_READS = 'name = "读取步骤"\nbasis = "points"\ntotal = 60\ncap_total = false\ngroups = [{ name = "组一" }, { name = "组二" }]\n[[indicators]]\ncode = "1"\nname = "指标1"\ngroup = "组一"\nweight = 20\nmax_score = 40\nsteps = ["原始1=分值×完成1/目标1", "基本1=分值×60%", "超点1=max(0, floor((完成1/目标1-1)/1%))", "率1=完成1/目标1", { type = "part", target = "档1", of = "率1", scale = { rule = "优：率≥0.9；良：0.6≤率<0.9；差：率<0.6", domain = [0, 2] } }]\nscore = "if(指标2·原始2<指标2·基本2, min(原始1, 基本1), 原始1)"\n[[indicators]]\ncode = "2"\nname = "指标2"\ngroup = "组二"\nweight = 20\nmax_score = 40\nsteps = ["原始2=分值×完成2/目标2", "基本2=分值×60%", "超点2=max(0, floor((完成2/目标2-1)/1%))", "率2=完成2/目标2", { type = "part", target = "档2", of = "率2", scale = { rule = "优：率≥0.9；良：0.6≤率<0.9；差：率<0.6", domain = [0, 2] } }]\nscore = "if(指标3·原始3<指标3·基本3, min(原始2, 基本2), 原始2)"\n[[indicators]]\ncode = "3"\nname = "指标3"\ngroup = "组一"\nweight = 20\nmax_score = 40\nsteps = ["原始3=分值×完成3/目标3", "基本3=分值×60%", "超点3=max(0, floor((完成3/目标3-1)/1%))", "率3=完成3/目标3", { type = "part", target = "档3", of = "率3", scale = { rule = "优：率≥0.9；良：0.6≤率<0.9；差：率<0.6", domain = [0, 2] } }]\nscore = "if(指标1·原始1<指标1·基本1, min(原始3, 基本3), 原始3)"\n'

_VETO_OR = 'name = "总分规则"\nbasis = "points"\ntotal = 20\nfloor_total = false\ngroups = [{ name = "组" }]\n[[policies]]\ntype = "veto"\nwhen = "事故=1 or 违纪>0"\neffect = "zero"\n[[indicators]]\ncode = "1"\nname = "指标1"\ngroup = "组"\nweight = 10\nmax_score = "none"\nmin_score = "none"\nscore = "值1"\n[[indicators]]\ncode = "2"\nname = "指标2"\ngroup = "组"\nweight = 10\nmax_score = "none"\nmin_score = "none"\nscore = "值2"\n'

_PERIOD_VETO_POPULATION = 'name = "生成的方案"\nbasis = "points"\ntotal = 3\nperiods = "mean"\n[scores]\n"优" = [90, 100]\n"良" = [80, 90]\n"中" = [60, 80]\n"差" = [0, 60]\n[[groups]]\nname = "组1"\n[[groups]]\nname = "组2"\n[[indicators]]\ncode = "1"\nname = "指标1"\ngroup = "组1"\nweight = 1\nfrequency = "季度"\nvalue = "结论1"\nscale = { rule = "好—1分;较好—0.8分;一般—0.6分;差—0分" }\npolicies = [{ type = "default", score = 0, when = "结论1 = 1" }, { type = "veto", when = "否决1>mean_of(否决1)", effect = "zero" }]\n[[indicators]]\ncode = "2"\nname = "指标2"\ngroup = "组1"\nweight = 1\nscore = "值2"\n[[indicators]]\ncode = "3"\nname = "指标3"\ngroup = "组2"\nweight = 1\nscore = "值3"\n'

_CAP_ON_A_PARAMETER_WORD = 'name = "生成的方案"\nbasis = "points"\ntotal = 4\nparameters = { "结论1" = { "单位1" = 2, "单位2" = 1 } }\nperiods = "mean"\n[scores]\n"优" = [90, 100]\n"良" = [80, 90]\n"中" = [60, 80]\n"差" = [0, 60]\n[[groups]]\nname = "组1"\n[[groups]]\nname = "组2"\n[[indicators]]\ncode = "1"\nname = "指标1"\ngroup = "组1"\nweight = 1\nfrequency = "季度"\nvalue = "结论1"\nscale = { rule = "好—1分;较好—0.8分;一般—0.6分;差—0分" }\npolicies = [{ type = "adjust", items = { "国家级1" = 2, "省级1" = 1 }, matters = { "事项1" = ["国家级1", "省级1"] } }, { type = "veto", when = "否决1>0", effect = "zero" }]\n[[indicators]]\ncode = "2"\nname = "指标2"\ngroup = "组1"\nweight = 1\nscore = "值2"\npolicies = [{ type = "adjust", per = "扣分2", points = -1, cap = 3 }]\n[[indicators]]\ncode = "3"\nname = "指标3"\ngroup = "组2"\nweight = 1\nscore = "值3"\npolicies = [{ type = "zero", when = "违规3>0" }, { type = "adjust", items = { "国家级3" = 2, "省级3" = 1 }, matters = { "事项3" = ["国家级3", "省级3"] } }, { type = "veto", when = "否决3>0", effect = "zero" }]\n[[indicators]]\ncode = "4"\nname = "指标4"\ngroup = "组2"\nweight_from = "分值4"\nfull = 1\nscore = "值4"\npolicies = [{ type = "zero", when = "违规4>0" }]\n[[caps]]\nwhen = "事故>0 and 结论1 = 0"\ngrade = "良"\n'

_PERIOD_GRADES_ON_A_BLANK = 'name = "生成的方案"\nbasis = "points"\ntotal = 1\ncategories = ["甲类", "乙类"]\nperiods = "mean"\nperiod_grades = true\n[[groups]]\nname = "组1"\n[[indicators]]\ncode = "1"\nname = "指标1"\ngroup = "组1"\nweights = { "甲类" = 1, "乙类" = 1 }\nfrequency = "季度"\nscore = "值1"\n[overall]\npolicy = "first"\n[[overall.bands]]\nname = "优"\nconditions = ["总分>=0.9 and 门槛=1"]\n[[overall.bands]]\nname = "良"\nconditions = ["总分>=0.8"]\n[[overall.bands]]\nname = "中"\nconditions = ["总分>=0.6"]\n[[overall.bands]]\nname = "差"\nconditions = ["总分>=0"]\n'


def _agree(tmp_path, text: str, data: str) -> None:
    """The column program's outcomes are the oracle's (totals, grades, errors and their wording)."""
    fast, slow, *_ = _both_ways(tmp_path, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]


def _evaluate(tmp_path, text: str, data: str):
    path = tmp_path / "data.csv"
    path.write_text(data, encoding="utf-8")
    scheme = loads(text, format="toml")
    return evaluate(scheme, load_units(path, scheme=scheme))


def test_a_step_read_of_a_failed_indicator_does_not_fail_its_reader(tmp_path):
    """指标3 reads 指标1·原始1, which 单位3's blank 完成1 stops: 指标1 and 指标3 fail with that error.
    指标2 reads 指标3·原始3, a step worked out on its own (完成3 = 59.9): it is scored, not failed."""
    data = "单位,完成1,目标1,完成2,目标2,完成3,目标3\n单位3,,100,1e1,100,59.9,100\n单位4,80,100,95,100,59.9,100\n"
    _agree(tmp_path, _STEP_READS, data)
    result = _evaluate(tmp_path, _STEP_READS, data)
    first = result.results[[r.unit for r in result.results].index("单位3")]
    assert [(e.indicator, e.field) for e in first.errors] == [("1", "完成1"), ("3", "完成1")]
    assert first.total is None
    # 分值 20 each. 单位4: 原始1 = 20 × 80/100 = 16 ≥ 基本 12 (as 指标3 reads it), 原始2 = 19;
    # 原始3 = 20 × 59.9/100 = 11.98 < 12, so 指标2 = min(原始2, 基本2) = 12; 指标1 reads 原始2 = 19 ≥ 12: 16.
    second = result.results[[r.unit for r in result.results].index("单位4")]
    assert second.errors == ()
    assert {i.code: i.score for i in second.indicators} == {
        "1": Decimal("16"),
        "2": Decimal("12"),
        "3": Decimal("11.98"),
    }


def test_a_veto_decided_before_its_blank_operand_fires(tmp_path):
    """``事故=1 or 违纪>0`` with 事故 = 1 and 违纪 blank: the ``or`` is decided before 违纪 is read, the
    veto fires and the total is 0; with 事故 = 0 the blank is reached: the total's error."""
    data = "单位,值1,值2,事故,违纪\n甲,10,10,1,\n乙,10,10,0,\n丙,10,10,0,0\n"
    _agree(tmp_path, _VETO_OR, data)
    result = _evaluate(tmp_path, _VETO_OR, data)
    by = {r.unit: r for r in result.results}
    assert by["甲"].total == 0 and by["甲"].errors == ()
    assert by["乙"].total is None and [e.field for e in by["乙"].errors] == ["违纪"]
    assert by["丙"].total == 20


def test_a_veto_per_period_reading_a_population_value_of_an_indicator_that_fails_every_row(tmp_path):
    """指标1's words are read as a number by its default (``结论1 = 1``), so it fails on every row;
    its veto reads ``mean_of(否决1)``, which the batch does not gather for it: each unit has 指标1's
    error (before: a KeyError stopped the whole run)."""
    data = "单位,期间,值2,值3,否决1,结论1\n单位1,,5,0,0,好\n单位2,,5,0,0,好\n"
    _agree(tmp_path, _PERIOD_VETO_POPULATION, data)
    result = _evaluate(tmp_path, _PERIOD_VETO_POPULATION, data)
    assert [(r.unit, [e.indicator for e in r.errors]) for r in result.results] == [
        ("单位1", ["1"]),
        ("单位2", ["1"]),
    ]
    assert "is not a number" in result.results[0].errors[0].message


def test_a_cap_reading_a_word_column_filled_by_a_parameter_number(tmp_path):
    """单位1's year row takes 结论1 = 2 from the scheme's parameters (its quarter says 好); the cap
    ``事故>0 and 结论1 = 0`` stops at 事故 = 0, so the number is never compared: 单位1 is scored."""
    data = (
        "单位,期间,事故,值2,值3,值4,分值4,否决1,否决3,国家级1,国家级3,扣分2,省级1,省级3,结论1,违规3,违规4\n"
        "单位1,,0,0,0,0,1,0,0,0,0,0,0,0,,0,0\n"
        "单位1,一季度,,,,,,,,,,,,,好,,\n"
        "单位2,,,0,0,0,1,0,0,0,0,0,0,0,好,0,0\n"
    )
    _agree(tmp_path, _CAP_ON_A_PARAMETER_WORD, data)
    result = _evaluate(tmp_path, _CAP_ON_A_PARAMETER_WORD, data)
    by = {r.unit: r for r in result.results}
    assert (by["单位1"].total, by["单位1"].grade, by["单位1"].errors) == (1, "差", ())
    assert [e.field for e in by["单位2"].errors] == ["事故"]


def test_a_grade_per_period_that_reaches_a_blank_cell_is_the_units_error(tmp_path):
    """With a grade per period, 单位1's second quarter totals 0.9, so ``总分>=0.9 and 门槛=1`` reaches
    its blank 门槛: the unit's error, after the year's grade (mean 0.45: 差), as the oracle gives it."""
    data = "单位,类别,期间,值1,门槛\n单位1,甲类,,,\n单位1,甲类,一季度,0,\n单位1,甲类,二季度,0.9,\n单位3,甲类,,,1\n单位3,甲类,一季度,0.95,\n"
    _agree(tmp_path, _PERIOD_GRADES_ON_A_BLANK, data)
    result = _evaluate(tmp_path, _PERIOD_GRADES_ON_A_BLANK, data)
    by = {r.unit: r for r in result.results}
    assert by["单位1"].total is None
    assert [(e.field, e.message) for e in by["单位1"].errors] == [
        ("门槛", "no value for '门槛' in formula '总分>=0.9 and 门槛=1'")
    ]
    assert (by["单位3"].total, by["单位3"].grade) == (Decimal("0.95"), "优")
    assert [(p.period, p.total, p.grade) for p in by["单位3"].periods] == [("一季度", Decimal("0.95"), "优")]
