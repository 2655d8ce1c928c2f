"""Tests for schemes and the scoring engine, with totals worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from perfrules import (
    Default,
    GradeScale,
    Group,
    Indicator,
    NotApplicable,
    Scheme,
    SchemeError,
    Unit,
    evaluate,
)
from seed_schemes import (
    BASELINE,
    DISTRICT_BASELINE,
    XIAMEN_BASELINE,
    shenzhen_departments,
    shenzhen_districts,
    xiamen,
    xiamen_field,
)

D = Decimal

# ---------------------------------------------------------------------------
# Shenzhen 2010, city departments (table 1)
# ---------------------------------------------------------------------------

# Every unit starts from BASELINE (see seed_schemes.py for each indicator's
# score). With the 委 weights the baseline contributions are
#   1 25.5 (85×30%)  2 3.4  3 4.25  4 4.2 (中 70×6%)  5 3.4  6 2.55  7 1.75
#   8 1.7  9 2.7  10 1.8  11 1.7  12 2.55  13 1.9  14 1.8  15 5.28  16 1.8
#   17 2.55  18 5  19 2  20 2  21 3.4  22 4  23 1.7            = 86.93
# (15–20 are the scores their data sources report, a stand-in: 88, 90, 85,
# 100, 100, 100.)
SZ_UNITS = [
    # A: the baseline.                                                   86.93 良
    Unit(name="市甲委", category="委", data=BASELINE),
    # B (局): no approvals (行政审批事项数=0) → 5 and 6 do not apply and their
    # 4%+3% move to 1 (权重调整至公共服务白皮书): 1 weighs 37%. All 20 white-paper
    # tasks on time → 优 100 → 37. No investment plan (投资计划下达额=0 → x/0)
    # → 默认为"良"区中值 85 → 3.4 as before.
    # 86.93 − 25.5 − 3.4 − 2.55 + 37 =                                  92.48 优
    Unit(
        name="市乙局",
        category="局",
        data={
            **BASELINE,
            "行政审批事项数": 0,
            "白皮书任务完成数": 20,
            "投资计划下达额": 0,
            "当期财政实际拨款额": 0,
        },
    ),
    # C (办): the 办 column (2, 5–8 weigh 0; 1 35%, 9–11 4%, 12 5% …) gives the
    # baseline 29.75+3.4+4.2+3.6+3.6+3.4+4.25+3.8+3.6+5.28+1.8+2.55+5+2+2+3.4+4+1.7
    # = 87.33. No 督办事项 → 默认"良" 85 (unchanged). 市纪委 reports 80 for
    # 18 廉政状况 (the stand-in takes the reported score) → 4 instead of 5. 86.33 良
    Unit(
        name="市丙办",
        category="办",
        data={**BASELINE, "督办事项数": 0, "廉政状况得分": 80},
    ),
    # D: declares 7 and 8 not applicable (无行政执法职能) → their 2%+2% move to
    # 1: 85 × 34% = 28.9. A verified complaint zeroes 互动性 for 该月 — but D
    # gives the whole year in one row, so rule 9's (2) cannot be applied to a
    # month and is not applied to the year (the trail notes it): 9 stays 90 → 2.7.
    # 86.93 − 25.5 − 1.75 − 1.7 + 28.9 =                                  86.88
    # No built-in has a veto (the old stand-in vetoed 19 on a major accident,
    # which no source states): 86.88 is in 良's 80–90.                    86.88 良
    Unit(
        name="市丁委",
        category="委",
        not_applicable=["7", "8"],
        data={**BASELINE, "互动性核实投诉数": 1},
    ),
    # E: 9 is reported monthly: January 90; February has 6 completeness
    # anomalies → 完整性 0 → 81 → 中 [75, 85), 6/10 of the way → 72; mean 81
    # → 2.43 (−0.27). 4: reform 优 (6) with a central and a provincial award
    # (3+2): 6×0.6+5×0.4 = 5.6; innovation 合格 (2) with a central and a city
    # promotion (3+1): 2×0.4+4×0.6 = 3.2; 5.6×0.6+3.2×0.4 = 4.64 → 良 85 → 5.1
    # (+0.9). 21: 130 per 10 staff against (5×100+130)/60 = 10.5 → 123.8% → 差
    # 30 → 1.2 (−2.2); everyone else is at 10/10.5 = 95.2% → 良 as before.
    # 86.93 − 0.27 + 0.9 − 2.2 =                                          85.36 良
    Unit(
        name="市戊委",
        category="委",
        data={
            **BASELINE,
            "年度改革任务完成情况": "优",
            "中央级表彰数": 1,
            "省级表彰数": 1,
            "中央级推广数": 1,
            "市级推广数": 1,
            "公用经费支出": 130,
        },
        periods={"1月": {"完整性异常信息条数": 0}, "2月": {"完整性异常信息条数": 6}},
    ),
    # F: the white-paper task count is missing and 1 has no default: an error
    # for F naming indicator 1 and the field; everyone else is still scored.
    Unit(name="市己局", category="局", data={k: v for k, v in BASELINE.items() if k != "白皮书任务总数"}),
]

SZ_EXPECTED = {
    "市甲委": (D("86.93"), "良", 2, 1),
    "市乙局": (D("92.48"), "优", 1, 1),
    "市丙办": (D("86.33"), "良", 4, 1),
    "市丁委": (D("86.88"), "良", 3, 2),
    "市戊委": (D("85.36"), "良", 5, 3),
}


@pytest.fixture(scope="module")
def sz() -> object:
    return evaluate(shenzhen_departments(), SZ_UNITS)


@pytest.mark.parametrize("unit", list(SZ_EXPECTED))
def test_shenzhen_departments_totals(sz, unit):
    """Each sample unit's total, grade and ranks are the ones worked out by hand above."""
    result = sz.unit(unit)
    assert result.errors == ()
    assert (result.total, result.grade, result.rank, result.category_rank) == SZ_EXPECTED[unit]


def test_contributions_add_up_to_the_total(sz):
    """The total is the sum of the indicators' contributions (no built-in has a veto)."""
    for result in sz:
        if result.total is not None:
            assert sum(i.contribution or 0 for i in result.indicators) == result.total


def test_weights_actually_used_still_sum_to_100(sz):
    """Redistribution moves weight; it never creates or loses any."""
    for result in sz:
        if result.ok:
            assert sum(i.weight for i in result.indicators) == 100


def test_bad_unit_is_an_error_and_the_others_are_scored(sz):
    """F's missing field is reported with the indicator and the field; F gets no total or rank."""
    f = sz.unit("市己局")
    assert f.total is None and f.rank is None
    (error,) = f.errors
    assert (error.indicator, error.field) == ("1", "白皮书任务总数")
    assert "白皮书任务总数" in str(error)
    assert f.indicator("2").score == 85  # the rest of F's indicators are still there
    assert len([r for r in sz if r.ok]) == 5
    assert sz.ranking()[-1].unit == "市己局"


def test_weight_moves_to_the_named_indicator(sz):
    """无行政审批事项: 5 and 6 give their weight to 1, and the trail says so."""
    b = sz.unit("市乙局")
    assert (b.indicator("5").applicable, b.indicator("5").weight) == (False, 0)
    assert b.indicator("1").weight == 37
    assert any(e.kind == "weight_in" for e in b.indicator("1").events)
    assert any("调整至 1 公共服务白皮书" in str(e) for e in b.indicator("6").events)


def test_default_grade_when_a_denominator_is_zero(sz):
    """R4: no investment plan → 默认为"良"区中值, with the published reason in the trail."""
    two = sz.unit("市乙局").indicator("2")
    assert (two.grade, two.score) == ("良", 85)
    (event,) = [e for e in two.events if e.kind == "default"]
    assert "区中值" in str(event) and "没有政府投资项目" in str(event)


def test_category_weight_zero_means_not_assessed(sz):
    """办 units are not assessed on 2 and 5–8 (weight 0 in the 办 column)."""
    c = sz.unit("市丙办")
    for code in ("2", "5", "6", "7", "8"):
        result = c.indicator(code)
        assert not result.applicable and result.weight == 0
        assert result.events[0].kind == "not_assessed"
    assert c.indicator("1").weight == 35


def test_stand_in_takes_the_reported_score(sz):
    """18 has no published rule: it takes 市纪委's reported 80, no deduction of ours."""
    eighteen = sz.unit("市丙办").indicator("18")
    assert eighteen.score == 80 and eighteen.contribution == 4
    assert not any(e.kind == "adjust" for e in eighteen.events)


def test_a_month_rule_does_not_zero_a_year_given_in_one_row(sz):
    """Rule 9's 该月 zeroing needs a month's row: a complaint in a year row zeroes nothing and the trail says why."""
    d = sz.unit("市丁委")
    nine = d.indicator("9")
    assert nine.values["互动性计分"] == 90 and nine.values["信息公开得分"] == 90
    assert nine.score == D("90")
    assert not any(e.kind == "zero" for e in nine.events)
    (note,) = [e for e in nine.events if e.kind == "note"]
    assert "互动性核实投诉数>0" in note.message and "全年一行" in note.message and "未计 0 分" in note.message
    assert not any(e.kind == "veto" for e in d.events)
    assert d.grade == "良" and d.total == D("86.88")


def test_a_complaint_zeroes_only_its_month():
    """A verified complaint in 2月 zeroes 2月's 互动性 (30%) only: 1月 90, 2月 90×70% = 63 → 差 50.4; mean 70.2."""
    unit = Unit(
        name="甲",
        category="委",
        data=BASELINE,
        periods={"1月": {"互动性核实投诉数": 0}, "2月": {"互动性核实投诉数": 1}},
    )
    nine = evaluate(shenzhen_departments(), [unit]).unit("甲").indicator("9")
    assert [(p.period, p.score) for p in nine.periods] == [("1月", 90), ("2月", D("50.4"))]
    assert nine.score == D("70.2")
    (zero,) = [e for e in nine.events if e.kind == "zero"]
    assert zero.message.startswith("2月：“互动性核实投诉数>0”成立，互动性计分 计 0 分（原为 90）")


def test_both_rules_on_one_part_are_in_the_trail():
    """More than 5 互动性 anomalies and a complaint in the same month: both rules are shown, the part is 0 once."""
    unit = Unit(
        name="甲",
        category="委",
        data=BASELINE,
        periods={"1月": {"互动性异常信息条数": 6, "互动性核实投诉数": 1}},
    )
    nine = evaluate(shenzhen_departments(), [unit]).unit("甲").indicator("9")
    zeros = [e.message for e in nine.events if e.kind == "zero"]
    assert len(zeros) == 2
    assert "互动性异常信息条数>5" in zeros[0] and "原为 90" in zeros[0]
    assert "互动性核实投诉数>0" in zeros[1] and "已因“互动性异常信息条数>5”计 0 分" in zeros[1]
    assert nine.periods[0].score == D("50.4")


PARTS9 = ["完整性", "及时性", "准确性", "互动性", "便利性", "公众满意度"]


@pytest.mark.parametrize(
    ("anomalies", "value", "grade", "score"),
    [
        # More than 5 互动性 anomalies zero that part (30%); the other five parts
        # at 100 give 100×(10%+20%+15%+15%+10%) = 70 → 差 [0, 75), 70/75 of the
        # way through 差's 0–60 → 56.
        (6, 70, "差", 56),
        # Five is not "超过5条": nothing is zeroed, 100 → 优 [90, 100] at its top → 100.
        (5, 100, "优", 100),
    ],
)
def test_every_zeroing_rule_of_9_applies(anomalies, value, grade, score):
    """9 has seven zeroing rules, two on 互动性; the anomaly rule fires although the complaint rule does not."""
    data = {
        **BASELINE,
        **{f"{p}得分": 100 for p in PARTS9},
        **{f"{p}异常信息条数": 0 for p in PARTS9},
        "互动性异常信息条数": anomalies,
        "互动性核实投诉数": 0,
    }
    month = {k: v for k, v in data.items() if "异常信息条数" in k or k == "互动性核实投诉数"}
    nine = (
        evaluate(shenzhen_departments(), [Unit(name="甲", category="委", data=data, periods={"1月": month})])
        .unit("甲")
        .indicator("9")
    )
    assert (nine.values["信息公开得分"], nine.grade, nine.score) == (value, grade, score)


def test_periods_are_combined_by_the_mean(sz):
    """E's monthly 9: January 90, February 72 → 81."""
    nine = sz.unit("市戊委").indicator("9")
    assert [(p.period, p.score) for p in nine.periods] == [("1月", 90), ("2月", 72)]
    assert nine.score == 81
    assert any(e.kind == "period" for e in nine.events)


def test_peer_ratio_uses_the_pooled_figure(sz):
    """21: per-capita spending against Σspending/Σstaff over all units (10.5)."""
    assert sz.unit("市戊委").indicator("21").values["人均公用经费支出水平"] == Fraction(13 * 2, 21)  # 13/10.5
    assert sz.unit("市甲委").indicator("21").grade == "良"
    assert sz.unit("市戊委").indicator("21").grade == "差"


def test_composite_score_with_bonuses(sz):
    """4 (R7): categorical sub-scores and per-award bonuses, then bands on 总得分."""
    four = sz.unit("市戊委").indicator("4")
    assert four.values["重大改革得分"] == D("5.6")
    assert four.values["工作创新得分"] == D("3.2")
    assert four.values["总得分"] == D("4.64")
    assert (four.grade, four.score) == ("良", 85)


def test_explanation_tells_the_whole_story(sz):
    """explain() gives the trail in Chinese: values, bands, interpolation, policies."""
    text = sz.explain("市乙局")
    # 分类评估: the rank within 局 first, the overall rank after it.
    assert text.startswith("市乙局（局）：总分 92.48，等次“优”，在“局”类中排名第 1 名（总排名第 1 名）")
    assert "白皮书任务按时完成率 = (白皮书任务完成数÷白皮书任务总数)×100% = (20÷20)×100% = 1" in text
    assert "默认为“良”区中值" in text
    assert "权重 4 调整至 1 公共服务白皮书" in text
    d = sz.explain("市丁委")
    assert "一票否决" not in d and "互动性计分" in d
    assert "“互动性核实投诉数>0”成立，但该规则按报送期（当月）适用" in d
    assert (
        "※ 示例规则（原文未给出）：原文未给出评分规则：得分取数据采集单位（市法制办）评定的分数（0至100）"
        in d
    )
    a = sz.explain("市甲委")
    assert "位于该档 75% 处，按线性插值在 80–90 之间得 87.5" in a


def test_progress_callback_reports_every_unit():
    """evaluate() reports progress through a callback, never by printing."""
    seen = []
    evaluate(
        shenzhen_departments(),
        SZ_UNITS[:2],
        progress=lambda done, total, name: seen.append((done, total, name)),
    )
    assert seen == [(1, 2, "市甲委"), (2, 2, "市乙局")]


# ---------------------------------------------------------------------------
# Shenzhen 2010, districts (table 2)
# ---------------------------------------------------------------------------

# DISTRICT_BASELINE contributions (one weight column):
#   1 17  2 2.55  3 1.7  4 3.5  5 1.7  6 1.7  7 1.6  8 2.55  9 5  10 4  11 2
#   12 (rank)  13 3.8  14 1.7  15 1.7  16 1.7  17 1.6  18 1.7  19–21 4.8
#   22 4.8  23 1.6  24 (rank)  25–28 6.4  29 2.4  30 2.4  31 2  32 1.6
#   = 81.5 before 12 and 24. (Every indicator of table 2 is a stand-in: 7, 9–11,
#   17–23, 25–32 take the reported score — 100 for 9–11 and 31, 85 for 18, 80
#   for the rest.)
# 12 ranks the alarm rate per 辖区总人口 (20 everywhere), lowest first (R14):
# 10–50 alarms → ranks 1..5 → 100, 95, 90, 85, 80 → ×2% = 2, 1.9, 1.8, 1.7, 1.6.
# 24 ranks GDP growth, highest first: 南山 12% > 福田 10% > 宝安 8% > 罗湖 6% >
# 盐田 4% → 2, 1.9, 1.8, 1.7, 1.6.
# 5 (R13): 南山 spends 150 per 10 residents on 教科文卫体, the others 100:
# the city-wide figure is (4×100+150)/50 = 11 → 南山 15/11 = 136% → 优 95 →
# 1.9 (+0.2); the others 10/11 = 90.9% → 中 70 → 1.4 (−0.3).
DISTRICT_UNITS = [
    # 81.5 + 2 + 1.9 − 0.3 =                                          85.1 良
    Unit(name="福田区", data={**DISTRICT_BASELINE, "刑事警情报警数": 10, "每平方公里GDP产出增长率": 0.10}),
    # 市卫生人口计生委 reports 50 for 31 食品安全事故 → 1 (−1):
    # 81.5 + 1.9 + 1.7 − 0.3 − 1 =                                    83.8 良
    Unit(
        name="罗湖区",
        data={
            **DISTRICT_BASELINE,
            "刑事警情报警数": 20,
            "每平方公里GDP产出增长率": 0.06,
            "食品安全事故得分": 50,
        },
    ),
    # 81.5 + 1.8 + 2 + 0.2 =                                          85.5 良
    Unit(
        name="南山区",
        data={
            **DISTRICT_BASELINE,
            "刑事警情报警数": 30,
            "每平方公里GDP产出增长率": 0.12,
            "教科文卫体支出": 150,
        },
    ),
    # 13: 16 deaths against a limit of 10 → 160% → 差 (>100%), midpoint 30 →
    # 1.2 (−2.6); no veto (the old stand-in zeroed the total, no source says so).
    # Alarm rank 4 → 1.7, GDP rank 5 → 1.6:
    # 81.5 + 1.7 + 1.6 − 0.3 − 2.6 =                                  81.9 良
    Unit(
        name="盐田区",
        data={**DISTRICT_BASELINE, "刑事警情报警数": 40, "每平方公里GDP产出增长率": 0.04, "死亡人数": 16},
    ),
    # No investment data at all (2 defaults to 良 85 on missing data) and no
    # special tasks (3 defaults to 良 85): unchanged.
    # 81.5 + 1.6 + 1.8 − 0.3 =                                        84.6 良
    Unit(
        name="宝安区",
        data={
            **{
                k: v
                for k, v in DISTRICT_BASELINE.items()
                if k not in ("当期财政实际拨款额", "投资计划下达额")
            },
            "目标任务总数": 0,
            "刑事警情报警数": 50,
            "每平方公里GDP产出增长率": 0.08,
        },
    ),
]
DISTRICT_EXPECTED = {
    "南山区": (D("85.5"), "良", 1),
    "福田区": (D("85.1"), "良", 2),
    "宝安区": (D("84.6"), "良", 3),
    "罗湖区": (D("83.8"), "良", 4),
    "盐田区": (D("81.9"), "良", 5),
}


@pytest.fixture(scope="module")
def districts() -> object:
    return evaluate(shenzhen_districts(), DISTRICT_UNITS)


@pytest.mark.parametrize("unit", list(DISTRICT_EXPECTED))
def test_shenzhen_districts_totals(districts, unit):
    """Each district's total, grade and rank are the ones worked out by hand above."""
    result = districts.unit(unit)
    assert result.errors == ()
    assert (result.total, result.grade, result.rank) == DISTRICT_EXPECTED[unit]


def test_district_ranks_and_peer_ratios(districts):
    """12 and 24 rank the districts; 5 compares each with the city-wide figure."""
    assert [districts.unit(n).indicator("12").values["警情名次"] for n in ("福田区", "罗湖区", "南山区")] == [
        1,
        2,
        3,
    ]
    assert districts.unit("南山区").indicator("24").score == 100
    assert districts.unit("南山区").indicator("5").values["教科文卫体人均支出水平"] == Fraction(15, 11)
    assert districts.unit("福田区").indicator("5").grade == "中"
    # 14 averages two pooled ratios (per resident and per km²), both 1 here
    assert districts.unit("福田区").indicator("14").values["环保投入支出水平"] == 1


def test_district_alarm_rate_is_per_total_population(districts):
    """12 is 刑事警情报警数/辖区总人口, as its definition says (not per 常住人口)."""
    assert districts.unit("福田区").indicator("12").values["刑事警情报警发生率"] == D("0.5")  # 10/20


def test_district_total_is_the_sum_of_its_indicators(districts):
    """盐田区: no veto; 13 is 差 and the total is what its indicators add up to."""
    result = districts.unit("盐田区")
    thirteen = result.indicator("13")
    assert (thirteen.grade, thirteen.score, thirteen.contribution) == ("差", 30, D("1.2"))
    assert result.total == sum(i.contribution for i in result.indicators) == D("81.9")
    assert not any(e.kind == "veto" for e in result.events)


def test_missing_data_default_and_reported_score(districts):
    """宝安区 has no investment data (table 1's 默认为"良", borrowed); 罗湖区's reported 31."""
    assert districts.unit("宝安区").indicator("2").grade == "良"
    assert any(e.kind == "default" for e in districts.unit("宝安区").indicator("2").events)
    assert districts.unit("罗湖区").indicator("31").score == 50


# ---------------------------------------------------------------------------
# Xiamen Xiang'an 2020 (1000 points)
# ---------------------------------------------------------------------------

# The units are the district's departments; every one is assessed on all 41
# indicators (责任科室 is not applicability, R18) unless its data says one does
# not apply. XIAMEN_BASELINE gives each indicator 90% of its points: 900 of
# 1000. Each indicator's score is the points its data source awarded (a
# stand-in), in 分; the scheme has no overall grades.
XIAMEN_UNITS = [
    # 1 awarded its full 30 (+3):                                        903
    Unit(
        name="区文旅局",
        data={**XIAMEN_BASELINE, xiamen_field("根据厦翔委〔2020〕8号文件及区委工作要点任务分解进行评估"): 30},
    ),
    # declares 6 not applicable: its 30 points spread over the other 390 of
    # 差异化指标 in proportion (×420/390 = ×14/13); 1 awarded 30:
    # 差异化 (351 + 3) × 14/13 = 4956/13, + 共同性 522 = 11742/13 ≈ 903.23
    Unit(
        name="区发改局",
        not_applicable=["6"],
        data={**XIAMEN_BASELINE, xiamen_field("根据厦翔委〔2020〕8号文件及区委工作要点任务分解进行评估"): 30},
    ),
    # 6 awarded 18 of 30 (−9):                                           891
    Unit(name="区财政局", data={**XIAMEN_BASELINE, xiamen_field("市对区绩效指标得分情况"): 18}),
    # 39 awarded 0 of 20 (−18):                                          882
    Unit(name="区教育局", data={**XIAMEN_BASELINE, xiamen_field("落实全面从严治党主体责任"): 0}),
    # 23 awarded 14 of 20 (−4); 22 reported as 35 of 30 is kept to 30 (+3): 899
    Unit(
        name="区卫健局",
        data={
            **XIAMEN_BASELINE,
            xiamen_field("政府信息公开、电子政务、政务公开"): 14,
            xiamen_field("依法行政成效"): 35,
        },
    ),
]
XIAMEN_EXPECTED = {
    "区发改局": (Fraction(11742, 13), None, 1),
    "区文旅局": (D(903), None, 2),
    "区卫健局": (D(899), None, 3),
    "区财政局": (D(891), None, 4),
    "区教育局": (D(882), None, 5),
}


@pytest.fixture(scope="module")
def xm() -> object:
    return evaluate(xiamen(), XIAMEN_UNITS)


@pytest.mark.parametrize("unit", list(XIAMEN_EXPECTED))
def test_xiamen_totals(xm, unit):
    """Each unit's points total, grade and rank are the ones worked out by hand above."""
    result = xm.unit(unit)
    assert result.errors == ()
    assert (result.total, result.grade, result.rank) == XIAMEN_EXPECTED[unit]


def test_xiamen_declared_subtotals_hold():
    """R16: 差异化 420, 共同性 580 = 科学 140 + 依法 110 + 高效 270 + 廉洁 60."""
    scheme = xiamen()
    assert scheme.basis == "points" and scheme.total == 1000
    subtotals = {g.name: g.declared for _, g in scheme.paths() if isinstance(g, Group)}
    assert subtotals == {
        "差异化指标": 420,
        "共同性指标": 580,
        "科学": 140,
        "依法": 110,
        "高效": 270,
        "廉洁": 60,
    }


def test_xiamen_wrong_declared_subtotal_is_reported():
    """Changing one indicator's points breaks its group's declared subtotal, by path."""
    import attrs

    scheme = xiamen()
    bad_groups = list(scheme.groups)
    first = bad_groups[0]
    bad_groups[0] = attrs.evolve(
        first, children=(attrs.evolve(first.children[0], weight=35), *first.children[1:])
    )
    with pytest.raises(SchemeError) as info:
        attrs.evolve(scheme, groups=bad_groups)
    messages = [str(p) for p in info.value.problems]
    assert any(
        "declares 420分 but its indicators add up to 425分" in m and "groups[0].declared" in m
        for m in messages
    )
    assert any("add up to 1005分, not 1000分" in m for m in messages)


def test_xiamen_metadata_is_kept_and_is_not_applicability(xm):
    """R18: data source, 责任科室 and 责任人 stay with the indicator; they limit nothing."""
    six = xiamen().indicator("6")
    assert six.source == "区效能督查办"
    assert six.metadata["责任科室"] == "旅游中心、执法大队"
    assert six.metadata["责任人"] == "许文跃、许福清"
    assert six.applies_to is None
    assert xm.unit("区文旅局").indicator("6").applicable
    assert not xm.unit("区发改局").indicator("6").applicable
    assert xm.unit("区发改局").indicator("1").weight == Fraction(420, 13)


def test_xiamen_every_department_is_assessed_on_all_41(xm):
    """区文旅局: 41 indicators, 1000 points possible, nothing redistributed."""
    result = xm.unit("区文旅局")
    assert len(result.indicators) == 41 and all(i.applicable for i in result.indicators)
    assert all(i.weight == i.full for i in result.indicators)
    assert sum(i.weight for i in result.indicators) == 1000


def test_xiamen_scores_are_points_capped_at_the_full_points(xm):
    """22 reported as 35 of 30 points counts 30, and the trail says so."""
    twenty_two = xm.unit("区卫健局").indicator("22")
    assert (twenty_two.score, twenty_two.contribution) == (30, 30)
    assert twenty_two.events


# ---------------------------------------------------------------------------
# Scheme validation
# ---------------------------------------------------------------------------


def _leaf(code: str, weight: int, **kw: object) -> Indicator:
    return Indicator(code=code, name=f"指标{code}", score="得分", weight=weight, **kw)  # type: ignore[arg-type]


def test_validation_collects_every_problem_with_its_path():
    """Weights, subtotals, codes, names, cycles and unscorable indicators, all at once."""
    with pytest.raises(SchemeError) as info:
        Scheme(
            name="坏方案",
            groups=[
                Group(
                    name="甲",
                    declared=50,
                    children=[
                        _leaf("1", 30),
                        _leaf("1", 30),
                        Indicator(code="3", name="无评分", weight=20),
                        Indicator(
                            code="4",
                            name="循环",
                            weight=10,
                            steps=["a=b+1", "b=a+1"],
                            score="a",
                            policies=[NotApplicable(to="公共服务白皮书"), Default(grade="极好")],
                        ),
                    ],
                )
            ],
        )
    problems = {(p.path, p.message.split(" (")[0].split(":")[0]) for p in info.value.problems}
    paths = {p.path for p in info.value.problems}
    messages = " | ".join(str(p) for p in info.value.problems)
    assert "weights" in paths and "add up to 90%, not 100%" in messages
    assert "groups[0].declared" in paths and "declares 50% but its indicators add up to 90%" in messages
    assert "groups[0].children[1].code" in paths
    assert "groups[0].children[2]" in paths and "no way to be scored" in messages
    assert "cycle: a → b → a" in messages or "cycle: b → a → b" in messages
    assert "groups[0].children[3].policies[0].to" in paths
    assert "default grade '极好'" in messages
    assert len(problems) >= 7


def test_declared_subtotals_and_category_weights_of_the_seed_hold():
    """Shenzhen table 1: every column sums to 100% and the groups are 45/25/20/10."""
    scheme = shenzhen_departments()
    for category in ("委", "局", "办"):
        assert sum(i.weight_for(category) for i in scheme.indicators()) == 100
        assert [sum(i.weight_for(category) for i in g.indicators()) for g in scheme.groups] == [
            45,
            25,
            20,
            10,
        ]


def test_unknown_category_is_an_error_for_that_unit_only():
    """A unit with a category the scheme does not weigh is reported; others are scored."""
    result = evaluate(shenzhen_departments(), [Unit(name="甲", category="处", data=BASELINE), SZ_UNITS[0]])
    assert "unknown category '处'" in str(result.unit("甲").errors[0])
    assert result.unit("市甲委").total == D("86.93")


def test_units_must_have_distinct_names():
    """Two units with one name are refused before anything is scored."""
    with pytest.raises(ValueError, match="two units are named '甲'"):
        evaluate(shenzhen_departments(), [Unit(name="甲", category="委"), Unit(name="甲", category="委")])


def test_proportional_redistribution_over_siblings():
    """Without a named target, a non-applicable weight spreads over its group in proportion."""
    scheme = Scheme(
        name="比例",
        groups=[
            Group(
                name="组",
                children=[
                    _leaf("1", 50),
                    _leaf("2", 30, applies_to=["乙"]),
                    _leaf("3", 20),
                ],
            )
        ],
    )
    # 甲: 2 does not apply; its 30 splits 50:20 → 1 weighs 50+30×5/7 = 500/7, 3 weighs 20+30×2/7 = 200/7.
    # Scores 80 and 100 → 0.8×500/7 + 1.0×200/7 = 400/7 + 200/7 = 600/7.
    result = evaluate(scheme, [Unit(name="甲", data={"得分": 80})]).unit("甲")
    assert result.indicator("1").weight == Fraction(500, 7)
    assert result.indicator("3").weight == Fraction(200, 7)
    assert result.indicator("2").weight == 0
    # every indicator reads 得分=80 here: 0.8 × (500/7 + 200/7) = 80
    assert result.total == 80


def test_score_formula_results_are_kept_in_range():
    """A score formula above the full score is capped, and the trail says so."""
    scheme = Scheme(name="封顶", groups=[Group(name="组", children=[_leaf("1", 100)])])
    result = evaluate(scheme, [Unit(name="甲", data={"得分": 120})]).unit("甲")
    assert result.total == 100
    assert any(e.kind == "capped" for e in result.indicator("1").events)


def test_overall_grade_scale_can_be_set():
    """The overall grading is a setting of the scheme."""
    overall = GradeScale.parse(
        "优秀：总分≥95；合格：60≤总分<95；不合格：总分<60",
        domain=(0, 100),
        scoring="midpoint",
        scores={"优秀": (95, 100), "合格": (60, 95), "不合格": (0, 60)},
    )
    scheme = Scheme(name="总评", groups=[Group(name="组", children=[_leaf("1", 100)])], overall=overall)
    assert evaluate(scheme, [Unit(name="甲", data={"得分": 96})]).unit("甲").grade == "优秀"


# ---------------------------------------------------------------------------
# Settings and rule forms the seed schemes do not exercise
# ---------------------------------------------------------------------------

RATE_SCALE = GradeScale.parse(
    "优：完成率=100%；良：90%≤完成率<100%；中：80%≤完成率<90%；差：完成率<80%", domain=(0, 1)
)


def _rate_scheme(periods: str) -> Scheme:
    rate = Indicator(
        code="1", name="完成率", frequency="季度", steps=["完成率=完成数/总数"], scale=RATE_SCALE, weight=100
    )
    return Scheme(name="期间", groups=[Group(name="组", children=[rate])], periods=periods)  # type: ignore[arg-type]


QUARTERS = {
    "一季度": {"完成数": 5, "总数": 5},
    "二季度": {"完成数": 4, "总数": 5},
    "三季度": {"完成数": 9, "总数": 10},
}


@pytest.mark.parametrize(
    ("periods", "total"),
    [
        # mean of the period scores: 100 (5/5), 60 (4/5 = 80%, bottom of 中), 80 (9/10 = 90%, bottom of 良)
        ("mean", D(80)),
        # sum the period inputs: 18/20 = 90% → bottom of 良 → 80
        ("sum", D(80)),
        # the last period only: 9/10 → 80
        ("last", D(80)),
    ],
)
def test_period_rules(periods, total):
    """Period results become the year's by the scheme's rule: mean, sum or last."""
    result = evaluate(_rate_scheme(periods), [Unit(name="甲", periods=QUARTERS)]).unit("甲")
    assert result.total == total
    one = result.indicator("1")
    if periods == "mean":
        assert [p.score for p in one.periods] == [100, 60, 80]
    if periods == "sum":
        assert one.values["完成率"] == D("0.9")


def test_sum_adds_fields_missing_from_the_first_period():
    """A field reported from the second period on is summed too, not overwritten."""
    periods = {
        "一季度": {"完成数": 5},
        "二季度": {"完成数": 4, "总数": 5},
        "三季度": {"完成数": 9, "总数": 15},
    }
    result = evaluate(_rate_scheme("sum"), [Unit(name="甲", periods=periods)]).unit("甲")
    assert result.indicator("1").values["完成率"] == D("0.9")  # 18 / 20


def test_peer_ratio_mean_of_ratios_and_within_category():
    """pooled=False compares with the mean of the units' ratios; within='category' with same-category units."""
    from perfrules import PeerRatio

    units = [
        Unit(name="A", category="甲", data={"支出": 10, "人数": 1}),
        Unit(name="B", category="甲", data={"支出": 30, "人数": 1}),
        Unit(name="C", category="乙", data={"支出": 100, "人数": 10}),
    ]
    ind_weights = {"甲": 100, "乙": 100}
    scheme = Scheme(
        name="同行",
        categories=["甲", "乙"],
        groups=[
            Group(
                name="组",
                children=[
                    Indicator(
                        code="1",
                        name="水平",
                        steps=[
                            PeerRatio(
                                target="值",
                                numerator="支出",
                                denominator="人数",
                                pooled=False,
                                within="category",
                            )
                        ],
                        score="「值」×50",
                        weights=ind_weights,
                    )
                ],
            )
        ],
    )
    result = evaluate(scheme, units)
    # 甲: ratios 10 and 30, mean 20 → A 0.5, B 1.5; 乙: C alone → 1
    assert result.unit("A").indicator("1").values["值"] == D("0.5")
    assert result.unit("B").indicator("1").values["值"] == D("1.5")
    assert result.unit("C").indicator("1").values["值"] == 1


def test_rank_within_category_and_ties():
    """Ties share the best rank they span; within='category' ranks each category apart."""
    from perfrules import Rank

    scheme = Scheme(
        name="名次",
        categories=["甲", "乙"],
        groups=[
            Group(
                name="组",
                children=[
                    Indicator(
                        code="1",
                        name="名次",
                        steps=[Rank(target="名次", of="增长率", within="category")],
                        score="100-(名次-1)×10",
                        weights={"甲": 100, "乙": 100},
                    )
                ],
            )
        ],
    )
    units = [
        Unit(name="A", category="甲", data={"增长率": 5}),
        Unit(name="B", category="甲", data={"增长率": 5}),
        Unit(name="C", category="甲", data={"增长率": 3}),
        Unit(name="D", category="乙", data={"增长率": 1}),
    ]
    result = evaluate(scheme, units)
    assert [result.unit(n).indicator("1").values["名次"] for n in "ABCD"] == [1, 1, 3, 1]
    assert [result.unit(n).total for n in "ABCD"] == [100, 100, 80, 100]
    assert result.unit("D").category_rank == 1 and result.unit("C").rank == 4


def test_adjustment_cap_and_default_top_score():
    """A bonus is limited by its cap; Default(score='top') gives the top of the grade's interval."""
    from perfrules import Adjust

    scheme = Scheme(
        name="调整",
        groups=[
            Group(
                name="组",
                children=[
                    Indicator(
                        code="1",
                        name="加分",
                        score="得分",
                        weight=50,
                        policies=[Adjust(per="表彰数", points=3, cap=5)],
                    ),
                    Indicator(
                        code="2",
                        name="默认",
                        steps=["完成率=完成数/总数"],
                        scale=RATE_SCALE,
                        weight=50,
                        policies=[Default(grade="良", score="top")],
                    ),
                ],
            )
        ],
    )
    result = evaluate(scheme, [Unit(name="甲", data={"得分": 80, "表彰数": 4, "完成数": 0, "总数": 0})]).unit(
        "甲"
    )
    assert result.indicator("1").score == 85  # 4 × 3 = 12, capped at 5
    assert result.indicator("2").score == 90  # 良's interval is 80–90
    assert result.total == D("87.5")


def test_weight_target_that_does_not_apply_falls_back_to_siblings():
    """When the named receiver does not apply either, the weight spreads over the group."""
    scheme = Scheme(
        name="级联",
        groups=[
            Group(
                name="组",
                children=[
                    _leaf("1", 40, applies_to=["乙"]),
                    _leaf("2", 30, policies=[NotApplicable(when="无=1", to="1")]),
                    _leaf("3", 30),
                ],
            )
        ],
    )
    result = evaluate(scheme, [Unit(name="甲", data={"得分": 70, "无": 1})]).unit("甲")
    assert [i.weight for i in result.indicators] == [0, 0, 100]
    assert result.total == 70


def test_explanations_in_english():
    """A scheme with language='en' explains itself in English."""
    import attrs

    scheme = attrs.evolve(shenzhen_departments(), language="en")
    text = evaluate(scheme, SZ_UNITS[:2]).explain("市乙局")
    assert text.startswith("市乙局 (局): total 92.48, grade '优', rank 1")
    assert "its weight 4 moves to 1 公共服务白皮书" in text
    assert "defaults to '良' at the midpoint of its score interval: 85" in text


def test_results_form_a_tree_with_group_subtotals(sz):
    """UnitResult.groups mirrors the scheme's groups, with weights used and subtotals."""
    a = sz.unit("市甲委")
    performance, *_ = a.groups
    # 行政业绩 for the baseline: 25.5 + 3.4 + 4.25 + 4.2 = 37.35 of 45
    assert (performance.name, performance.declared, performance.weight, performance.contribution) == (
        "行政业绩",
        45,
        45,
        D("37.35"),
    )
    assert [g.name for g in performance.children] == ["重点工作", "改革创新"]
    assert sum(g.contribution for g in a.groups) == a.total
    # 市乙局: 7 points moved from 行政效率 (5, 6) to 行政业绩 (1)
    b = sz.unit("市乙局")
    assert [g.weight for g in b.groups] == [52, 18, 20, 10]
    assert [i.code for i in b.groups[0].indicators()] == ["1", "2", "3", "4"]
    text = b.explain()
    assert "【行政业绩】权重 52，规定 45，得分 48.85" in text


def test_no_case_default_gives_95_and_says_why():
    """7: 当期没有行政处罚案件的，默认为"优" — 95 (middle of 优's 90–100), with the reason and the note, not 区中值."""
    data = {**BASELINE, "未在法定期限内作相关处理的案件数": 0, "法定期限内应当处理的案件数": 0}
    seven = (
        evaluate(shenzhen_departments(), [Unit(name="甲", category="委", data=data)])
        .unit("甲")
        .indicator("7")
    )
    # 95 × 2% = 1.9 (the baseline's 良 87.5 gave 1.75)
    assert (seven.grade, seven.score, seven.contribution) == ("优", 95, D("1.9"))
    (event,) = [str(e) for e in seven.events if e.kind == "default"]
    assert "默认为“优”，得 95" in event and "当期没有行政处罚案件的,默认为“优”" in event
    assert "未说明取优档内哪一分数" in event and "区中值" not in event


def test_totals_only_evaluation_agrees_with_the_explained_one():
    """evaluate(..., explained=False) gives the same totals, grades and ranks, without indicator results."""
    from perfrules import load, sample_units

    for name in ("shenzhen-2010-departments", "shenzhen-2010-districts", "xiamen-xiangan-2020"):
        scheme, units = load(name), sample_units(name)
        full, lean = evaluate(scheme, units), evaluate(scheme, units, explained=False)
        assert [(r.unit, r.total, r.grade, r.rank, r.category_rank) for r in full] == [
            (r.unit, r.total, r.grade, r.rank, r.category_rank) for r in lean
        ]
        assert all(r.indicators == () for r in lean)


# ---------------------------------------------------------------------------
# Defaults as the seed words them (issue 20, item 3)
# ---------------------------------------------------------------------------


def _two(data: dict[str, object]) -> object:
    unit = Unit(name="甲", category="委", data={**BASELINE, **data})
    return evaluate(shenzhen_departments(), [unit]).unit("甲")


@pytest.mark.parametrize(
    ("zeroed", "blank"),
    [
        (("投资计划下达额", "当期财政实际拨款额"), ()),  # no investment plan: no A-class projects
        ((), ("投资计划下达额", "当期财政实际拨款额")),  # both cells blank
        ((), ("投资计划下达额",)),  # no plan given at all
    ],
)
def test_rule_2_default_fires_for_a_unit_without_projects(zeroed, blank):
    """没有政府投资项目(A类)的 → 良 区中值 85, with the note saying how 'no projects' is read."""
    data = {k: (0 if k in zeroed else v) for k, v in BASELINE.items() if k not in blank}
    two = (
        evaluate(shenzhen_departments(), [Unit(name="甲", category="委", data=data)])
        .unit("甲")
        .indicator("2")
    )
    assert (two.grade, two.score) == ("良", 85)
    (default,) = [e for e in two.events if e.kind == "default"]
    assert "没有政府投资项目(A类)的" in default.message and "投资计划下达额（空或为0）" in default.message


def test_rule_2_default_does_not_fire_for_a_blank_cell_of_a_unit_with_projects():
    """A unit with an investment plan that leaves 当期财政实际拨款额 blank: an error naming the field, not 良."""
    unit = Unit(
        name="甲", category="委", data={k: v for k, v in BASELINE.items() if k != "当期财政实际拨款额"}
    )
    result = evaluate(shenzhen_departments(), [unit]).unit("甲")
    (error,) = result.errors
    assert (error.indicator, error.field) == ("2", "当期财政实际拨款额")
    assert result.indicator("2").grade is None


def test_rule_8_default_is_for_no_error_cases_not_for_no_cases():
    """当期没有行政过错案件的 → 优 (95, our reading, noted); cases but an error → the rate is graded."""
    none_wrong = _two({"结果发生改变的案件数": 0, "法定期限内实际立案数": 200}).indicator("8")
    assert (none_wrong.grade, none_wrong.score) == ("优", 95)
    (default,) = [e for e in none_wrong.events if e.kind == "default"]
    assert "当期没有行政过错案件的" in default.message and "不是没有案件" in default.message
    # One changed case in 200: 0.5% → 良 (0, 1%], half way → 85 — no default.
    one_wrong = _two({"结果发生改变的案件数": 1, "法定期限内实际立案数": 200}).indicator("8")
    assert (one_wrong.grade, one_wrong.score) == ("良", 85)
    assert not any(e.kind == "default" for e in one_wrong.events)


def test_a_month_rule_on_summed_periods_says_so():
    """periods = "sum": the months are added up, so rule 9's 该月 zeroing cannot apply; the note says why."""
    import attrs

    scheme = attrs.evolve(shenzhen_departments(), periods="sum")
    unit = Unit(
        name="甲",
        category="委",
        data=BASELINE,
        periods={"1月": {"互动性核实投诉数": 0}, "2月": {"互动性核实投诉数": 1}},
    )
    nine = evaluate(scheme, [unit]).unit("甲").indicator("9")
    assert nine.score == 90 and not any(e.kind == "zero" for e in nine.events)
    (note,) = [e.message for e in nine.events if e.kind == "note"]
    assert note.startswith("“互动性核实投诉数>0”在相加后的数据上成立") and "未计 0 分" in note
