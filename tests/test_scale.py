"""Tests for grade bands and grade scales (perfrules.GradeScale)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfrules import (
    EvaluationError,
    Formula,
    GradeBand,
    GradeScale,
    Interval,
    InvalidValueError,
    MissingValueError,
    SchemeError,
)
from perfrules import testing as prst

D = Decimal
F = Fraction

# The Shenzhen 2010 seed text of rule 1 exactly as the scraped file lays it
# out: one cell per line, blank lines between, 说明 after the bands.
SZ1_TEXT = """优:

白皮书任务按时完成率=100%;

良:

90%≤白皮书任务按时完成率<100%;

中:

80%≤白皮书任务按时完成率<90%;

差:

白皮书任务按时完成率<80%。

说明:

(1)白皮书任务按时完成率=(白皮书任务完成数/白皮书任务总数)×100%;
"""

SZ2_TEXT = "优:投资完成率=100%;良:90%≤投资完成率<100%;中:80%≤投资完成率<90%;差:投资完成率<80%。"
SZ4_TEXT = "优:总得分≥6;良:4≤总得分<6;中:2≤总得分<4;差:总得分<2。"
SZ4_POINTS = "优—6分;良—4分;合格—2分;不合格—0分"
SZ5_TEXT = "优:\n得分≥103;\n良:\n100≤得分<103;\n中:\n95≤得分<100;\n差:\n得分<95。"
SZ6_APPLY = "优:实现率≥90%;良:80%≤实现率<90%;中:60%≤实现率<80%;差:实现率<60%。"
SZ6_QUERY = "优:实现率=100%;良:90%≤实现率<100%;中:70%≤实现率<90%;差:实现率<70%。"
SZ7_TEXT = "优:结案率≥99%;良:98%≤结案率<99%;中:97%≤结案率<98%;差:结案率<97%。"
SZ8_TEXT = "优:错案率=0;良:0<错案率≤1%;中:1%<错案率≤3%;差:错案率>3%。"
SZ9_TEXT = "优:90≤得分≤100;良:85≤得分<90;中:75≤得分<85;差:得分<75。"
SZ10_TEXT = "优:75≤信息安全评价≤100;良:50≤信息安全评价<75;中:25≤信息安全评价<50;差:信息安全评价<25。"
SZ12_TEXT = """优:

督办事项规定时限内答复率=100%,或督办事项规定时限内完成率≥90%;

良:

90%≤督办事项规定时限内答复率<100%,或85%≤督办事项规定时限内完成率<90%,或没有被督查催办事项;

中:

85%≤督办事项规定时限内答复率<90%,或80%≤督办事项规定时限内完成率<85%,或1宗≤被督查催办事项≤3宗

差:

督办事项规定时限内答复率<85%,或督办事项规定时限内完成率<80%,或被督查催办事项>3宗。
"""

RATE = (0, 1)  # rates run from 0% to 100%


# ---------------------------------------------------------------------------
# R1: threshold bands, mixed boundaries, percentages and plain numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "grade", "score"),
    [
        (D(1), "优", D(100)),  # =100% is a single value: top of 90–100
        (F(29, 30), "良", F(260, 3)),  # 29/30 is 2/3 of the way from 90% to 100%: 80 + 2/3×10
        (D("0.95"), "良", D(85)),  # halfway through [90%, 100%): 85
        (D("0.9"), "良", D(80)),  # exactly 90% is 良 (90%≤rate), at the bottom of 80–90
        (F(899, 1000), "中", D("79.8")),  # 89.9%: 99/100 of [80%, 90%) → 60 + 0.99×20
        (D("0.8"), "中", D(60)),
        (D("0.4"), "差", D(30)),  # 40% is halfway through [0, 80%): 30 of 0–60
        (D(0), "差", D(0)),
    ],
)
def test_shenzhen_1_from_the_seed_text(value, grade, score):
    """Rule 1, parsed from the seed's own layout, grades and scores as worked out by hand."""
    scale = GradeScale.parse(SZ1_TEXT, domain=RATE)
    result = scale.grade(value)
    assert (result.grade, result.score) == (grade, score)
    assert result.scoring == "interpolate"


def test_shenzhen_1_condition_that_decided_is_reported():
    """The result names the band's condition as published."""
    result = GradeScale.parse(SZ1_TEXT, domain=RATE).grade(D("0.9"))
    assert result.condition == Formula.parse_condition("90%≤白皮书任务按时完成率<100%")
    assert "90%" in result.detail or "0.9" in result.detail


# Rates cannot pass 100%, and rules 9 and 10 top out at 100 points; rules 4
# and 5 are open at both ends.
DOMAINS = {
    SZ2_TEXT: RATE,
    SZ6_APPLY: RATE,
    SZ6_QUERY: RATE,
    SZ7_TEXT: RATE,
    SZ9_TEXT: (0, 100),
    SZ10_TEXT: (0, 100),
}


@pytest.mark.parametrize(
    ("text", "value", "grade"),
    [
        (SZ2_TEXT, D("0.9001"), "良"),
        (SZ2_TEXT, D("0.7999"), "差"),
        (SZ5_TEXT, 103, "优"),
        (SZ5_TEXT, D("102.99"), "良"),
        (SZ5_TEXT, 100, "良"),
        (SZ5_TEXT, 95, "中"),
        (SZ5_TEXT, D("94.99"), "差"),
        (SZ6_APPLY, D("0.9"), "优"),
        (SZ6_QUERY, D("0.9"), "良"),  # the 网上查询 rate needs exactly 100% for 优
        (SZ6_QUERY, D("0.7"), "中"),
        (SZ7_TEXT, D("0.99"), "优"),
        (SZ7_TEXT, D("0.985"), "良"),
        (SZ7_TEXT, D("0.97"), "中"),
        (SZ7_TEXT, D("0.9699"), "差"),
        (SZ9_TEXT, 90, "优"),
        (SZ9_TEXT, D("89.9"), "良"),
        (SZ9_TEXT, 75, "中"),
        (SZ10_TEXT, 75, "优"),
        (SZ10_TEXT, 25, "中"),
        (SZ10_TEXT, D("24.5"), "差"),
        (SZ4_TEXT, D("5.2"), "良"),
        (SZ4_TEXT, 6, "优"),
        (SZ4_TEXT, 2, "中"),
    ],
    ids=lambda v: str(v)[:12],
)
def test_seed_threshold_rules_parse_from_text(text, value, grade):
    """Every pure threshold rule of the seed parses as printed and puts boundaries where written."""
    scale = GradeScale.parse(text, scoring="midpoint", domain=DOMAINS.get(text))
    assert scale.is_threshold
    assert scale.grade(value).grade == grade


def test_shenzhen_5_open_ended_bands_need_a_rule_to_interpolate():
    """得分≥103 has no top: interpolation is refused when built, midpoint or a domain works."""
    with pytest.raises(SchemeError) as info:
        GradeScale.parse(SZ5_TEXT)
    messages = [p.message for p in info.value.problems]
    assert any("'优'" in m and "open-ended" in m for m in messages)
    assert any("'差'" in m and "open-ended" in m for m in messages)
    assert GradeScale.parse(SZ5_TEXT, scoring="midpoint").grade(104).score == 95
    # With a declared domain of 0–110: 104 is 1/7 of the way from 103 to 110 → 90 + 10/7
    scored = GradeScale.parse(SZ5_TEXT, domain=(0, 110)).grade(104)
    assert scored.score == F(90) + F(10, 7)


# ---------------------------------------------------------------------------
# R2: lower is better
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "grade", "score"),
    [
        (0, "优", D(100)),  # 错案率=0 is the best single value
        (D("0.005"), "良", D(85)),  # half of (0, 1%]
        (D("0.01"), "良", D(80)),  # 1% is still 良 (≤1%), at the worst end
        (D("0.0101"), "中", D("79.9")),  # just above 1%: 0.01/2 of (1%, 3%] → 80 − 0.005×20
        (D("0.02"), "中", D(70)),
        (D("0.03"), "中", D(60)),
        (D("0.515"), "差", D(30)),  # halfway through (3%, 100%]
        (D(1), "差", D(0)),
    ],
)
def test_shenzhen_8_lower_is_better(value, grade, score):
    """Rule 8's error rate: lower values get better grades and higher scores."""
    scale = GradeScale.parse(SZ8_TEXT, domain=RATE)
    assert scale.higher_is_better is False
    result = scale.grade(value)
    assert (result.grade, result.score) == (grade, score)


# ---------------------------------------------------------------------------
# R7: categorical grades → points
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("category", "points"), [("优", 6), ("良", 4), ("合格", 2), ("不合格", 0)])
def test_shenzhen_4_categorical_points(category, points):
    """年度改革任务完成情况得分: 优—6分；良—4分；合格—2分；不合格—0分."""
    scale = GradeScale.parse(SZ4_POINTS)
    assert scale.is_categorical
    result = scale.grade(category)
    assert result.score == points
    assert result.scoring == "points"


def test_categorical_scale_refuses_unknown_categories():
    """A category that is not a band is an error that lists the grades."""
    scale = GradeScale.parse(SZ4_POINTS)
    with pytest.raises(InvalidValueError, match="合格"):
        scale.grade("较好")
    with pytest.raises(InvalidValueError, match="category"):
        scale.grade(6)


# ---------------------------------------------------------------------------
# R11: grades decided by categorical sub-assessments, as data
# ---------------------------------------------------------------------------

GOOD3 = "count(签收=良好, 答复=良好, 满意度=良好)"
R11 = GradeScale(
    bands=[
        GradeBand(name="优", conditions=[f"{GOOD3}=3"]),
        GradeBand(name="良", conditions=[f"min(签收, 答复, 满意度)>=合格 and {GOOD3}=2"]),
        GradeBand(name="中", conditions=[f"min(签收, 答复, 满意度)>=合格 and {GOOD3}<2"]),
        GradeBand(name="差", conditions=["min(签收, 答复, 满意度)<合格"]),
    ],
    levels=["良好", "合格", "不合格"],
)


@pytest.mark.parametrize(
    ("assessments", "grade"),
    [
        (("良好", "良好", "良好"), "优"),
        (("良好", "合格", "良好"), "良"),
        (("良好", "合格", "合格"), "中"),
        (("合格", "合格", "合格"), "中"),
        (("良好", "良好", "不合格"), "差"),
        (("不合格", "不合格", "不合格"), "差"),
    ],
)
def test_shenzhen_11_sub_assessments(assessments, grade):
    """Rule 11 (and 13): three 良好/合格/不合格 assessments decide the grade."""
    result = R11.grade(dict(zip(["签收", "答复", "满意度"], assessments, strict=True)))
    assert result.grade == grade
    assert result.score == R11.midpoint(grade)
    assert R11.variables == {"签收", "答复", "满意度"}


def test_levels_refuse_unknown_labels():
    """A sub-assessment that is not a level names the levels."""
    with pytest.raises(InvalidValueError, match="良好, 合格, 不合格"):
        R11.grade({"签收": "优秀", "答复": "良好", "满意度": "良好"})


@given(st.lists(st.sampled_from(["良好", "合格", "不合格"]), min_size=3, max_size=3))
def test_shenzhen_11_every_combination_gets_exactly_one_grade(assessments):
    """Under the exclusive policy, every combination of assessments matches exactly one band."""
    result = R11.grade(dict(zip(["签收", "答复", "满意度"], assessments, strict=True)))
    assert result.matched == (result.grade,)


# ---------------------------------------------------------------------------
# R12: several conditions per grade, lowest grade wins
# ---------------------------------------------------------------------------

REPLY, DONE, CHASED = "督办事项规定时限内答复率", "督办事项规定时限内完成率", "被督查催办事项"


def test_shenzhen_12_parses_or_conditions_and_phrases():
    """或 joins conditions; 没有X means X=0 and 宗 after numbers is dropped."""
    scale = GradeScale.parse(SZ12_TEXT, policy="lowest")
    assert [len(b.conditions) for b in scale.bands] == [2, 3, 3, 3]
    assert scale.band("良").conditions[2] == Formula.parse_condition(f"{CHASED}=0")
    assert scale.band("中").conditions[2] == Formula.parse_condition(f"1<={CHASED}<=3")


@pytest.mark.parametrize(
    ("policy", "values", "grade", "matched"),
    [
        # reply 100% (优) but completion 82% (中) and no chasing (良): lowest → 中
        ("lowest", {REPLY: 1, DONE: D("0.82"), CHASED: 0}, "中", ("优", "良", "中")),
        ("highest", {REPLY: 1, DONE: D("0.82"), CHASED: 0}, "优", ("优", "良", "中")),
        ("first", {REPLY: 1, DONE: D("0.82"), CHASED: 0}, "优", ("优",)),
        # 4 chasing items is 差 whatever the rates
        ("lowest", {REPLY: 1, DONE: 1, CHASED: 4}, "差", ("优", "差")),
        ("lowest", {REPLY: D("0.95"), DONE: D("0.87"), CHASED: 0}, "良", ("良",)),
    ],
)
def test_shenzhen_12_match_policies(policy, values, grade, matched):
    """就低不就高 takes the worst grade that holds; highest and first are the alternatives."""
    scale = GradeScale.parse(SZ12_TEXT, policy=policy)
    result = scale.grade(values)
    assert result.grade == grade
    assert result.matched == matched
    assert result.score == scale.midpoint(grade)
    if len(matched) > 1 and policy == "lowest":
        assert "就低不就高" in result.detail


def test_exclusive_policy_refuses_several_grades_at_evaluation():
    """A multi-value scale under 'exclusive' reports an ambiguous value, naming the grades."""
    scale = GradeScale.parse(SZ12_TEXT)
    with pytest.raises(EvaluationError, match="优, 良, 中 all hold"):
        scale.grade({REPLY: 1, DONE: D("0.82"), CHASED: 0})


def test_no_grade_holds_is_an_error():
    """When no band's conditions hold, the values are named."""
    scale = GradeScale(bands=[GradeBand(name="优", conditions=["a>1 and b>1"])])
    with pytest.raises(EvaluationError, match="a=0"):
        scale.grade({"a": 0, "b": 0})


def test_missing_value_reaches_the_caller():
    """A missing input is the formula's MissingValueError with its suggestion."""
    scale = GradeScale.parse(SZ7_TEXT, domain=RATE)
    with pytest.raises(MissingValueError, match="结案率"):
        scale.grade({"结案": 1})


# ---------------------------------------------------------------------------
# Checks when a scale is built
# ---------------------------------------------------------------------------


def test_gap_between_whole_number_bands_is_found():
    """80-89 and 90以上 leave 89.5 ungraded: the error names both bands and a value."""
    text = "优：90分以上；良：80-89分；中：60-79分；差：不满60分"
    with pytest.raises(SchemeError) as info:
        GradeScale.parse(text, scoring="midpoint")
    messages = " | ".join(p.message for p in info.value.problems)
    assert "between '良' and '优' (e.g. 89.5)" in messages
    assert "between '中' and '良' (e.g. 79.5)" in messages


@pytest.mark.parametrize(("gaps", "grade"), [("lower", "良"), ("upper", "优")])
def test_whole_number_bands_close_their_gaps_as_declared(gaps, grade):
    """gaps='lower' gives 89.5 to 80-89; gaps='upper' gives it to 90以上."""
    scale = GradeScale.parse(
        "优：90分以上；良：80-89分；中：60-79分；差：不满60分", scoring="midpoint", gaps=gaps
    )
    result = scale.grade(D("89.5"))
    assert result.grade == grade
    assert result.condition is None if grade == ("良" if gaps == "lower" else "优") else True
    assert scale.grade(89).grade == "良" and scale.grade(90).grade == "优"


def test_overlap_is_found():
    """Two bands covering the same values are an error under the exclusive policy."""
    with pytest.raises(SchemeError, match="'良' and '优' overlap"):
        GradeScale.parse("优：x≥90；良：x≥80；中：x<80", scoring="midpoint")
    # ...but fine when the scale says how to choose
    scale = GradeScale.parse("优：x≥90；良：x≥80；中：x<80", scoring="midpoint", policy="first")
    assert scale.grade(95).grade == "优"


def test_chinese_以下_includes_the_number_and_a_shared_point_goes_to_the_better_grade():
    """60分以下 includes 60 (包括本数), so 60 is printed in 良 and 差: the better grade gets it, with a note."""
    scale = GradeScale.parse("优：70分以上；良：60-69分；差：60分以下", scoring="midpoint", gaps="lower")
    assert scale.classify(60) == "良"
    assert scale.classify(Decimal("59.99")) == "差"
    assert scale.notes == ("60 is printed in both '良' and '差'; it goes to the better grade '良'",)


def test_a_wider_overlap_is_still_an_error():
    """Bands that share more than one boundary point overlap: reported, not guessed."""
    with pytest.raises(SchemeError, match="overlap"):
        GradeScale.parse("优：70分以上；良：60-75分；差：60分以下", scoring="midpoint", gaps="lower")


def test_out_of_order_bands_are_found():
    """Bands must be listed best first, moving one way."""
    with pytest.raises(SchemeError, match="out of order"):
        GradeScale.parse("优：x<60；良：x>=90；中：60<=x<90", scoring="midpoint")


def test_unreachable_band_is_found():
    """A band whose conditions cover no value is named."""
    with pytest.raises(SchemeError, match=r"band '良' .* covers no value"):
        GradeScale.parse("优：x≥90；良：90<x<80；中：x<90", scoring="midpoint")
    with pytest.raises(SchemeError, match="covers no value within the domain"):
        GradeScale.parse("优：x≥90；良：x>200；中：x<90", scoring="midpoint", domain=(0, 100))


def test_every_problem_is_reported_at_once():
    """A scale with several problems lists all of them."""
    with pytest.raises(SchemeError) as info:
        GradeScale(
            bands=[
                GradeBand(name="优", conditions=["x>=90"]),
                GradeBand(name="良", conditions=["80<=x<89"]),
                GradeBand(name="中", conditions=["x<80"]),
                GradeBand(name="其他", conditions=["x<80"]),
            ],
            policy="first",
        )
    assert len(info.value.problems) >= 2


def test_categorical_grades_without_points_or_scores():
    """A grade name with no default score interval and no points cannot be scored."""
    with pytest.raises(SchemeError, match="'合格' has no score interval"):
        GradeScale.parse("良好：x>=80；合格：60<=x<80；不合格：x<60", scoring="midpoint")
    scale = GradeScale.parse(
        "良好：x>=80；合格：60<=x<80；不合格：x<60",
        scoring="midpoint",
        scores={"良好": (80, 100), "合格": (60, 80), "不合格": (0, 60)},
    )
    assert scale.grade(70).score == 70


def test_duplicate_grades_and_bad_settings():
    """Duplicate grade names and unknown policies are reported with their paths."""
    with pytest.raises(SchemeError) as info:
        GradeScale(
            bands=[GradeBand(name="优", conditions=["x>=1"]), GradeBand(name="优", conditions=["x<1"])],
            policy="random",  # type: ignore[arg-type]
            scoring="midpoint",
        )
    paths = {p.path for p in info.value.problems}
    assert {"bands[1]", "policy"} <= paths


def test_unreadable_rule_text_reports_every_entry():
    """Each bad entry of a rule's text is reported with its path and caret."""
    with pytest.raises(SchemeError) as info:
        GradeScale.parse("优：x>=$90；良：x<<3；中：")
    paths = [p.path for p in info.value.problems]
    assert paths == ["bands[0].conditions[0]", "bands[1].conditions[0]", "bands[2]"]
    assert "^" in info.value.problems[0].message


def test_values_outside_the_domain_are_refused():
    """A rate of 105% is not graded as 优 on a 0–100% scale."""
    with pytest.raises(EvaluationError, match="outside the scale's domain"):
        GradeScale.parse(SZ1_TEXT, domain=RATE).grade(D("1.05"))


def test_scale_text_round_trips():
    """str(scale) parses back to an equal scale."""
    for text, domain in ((SZ1_TEXT, RATE), (SZ8_TEXT, RATE), (SZ4_POINTS, None), (SZ12_TEXT, None)):
        scale = GradeScale.parse(text, policy="lowest", scoring="midpoint", domain=domain)
        assert GradeScale.parse(str(scale), policy="lowest", scoring="midpoint", domain=domain) == scale


def test_intervals_and_boundaries():
    """Threshold scales expose each grade's values and the boundaries."""
    scale = GradeScale.parse(SZ1_TEXT, domain=RATE)
    assert scale.intervals("良") == (Interval(lo=D("0.9"), lo_closed=True, hi=D(1), hi_closed=False),)
    assert scale.boundaries == (0, D("0.8"), D("0.9"), 1)
    assert scale.variable == "白皮书任务按时完成率"


# ---------------------------------------------------------------------------
# Properties, with the strategies users get from perfrules.testing
# ---------------------------------------------------------------------------

PROPERTY = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.data())
def test_every_value_in_the_domain_gets_exactly_one_grade(data):
    """Each value in the domain lies in exactly one band's intervals, the one grade() returns."""
    scale = data.draw(prst.threshold_scales())
    value = data.draw(st.one_of(prst.boundary_values(scale), st.fractions(0, scale.domain.hi)))
    result = scale.grade(value)
    holders = [b.name for b in scale.bands if any(value in iv for iv in scale.intervals(b.name))]
    assert holders == [result.grade]


@PROPERTY
@given(st.data())
def test_boundaries_are_inclusive_or_exclusive_exactly_as_written(data):
    """On and beside every boundary, a band's written condition holds exactly when the grade is that band."""
    scale = data.draw(prst.threshold_scales())
    value = data.draw(prst.boundary_values(scale))
    result = scale.grade(value)
    for band in scale.bands:
        holds = any(c.evaluate({scale.variable: value}) for c in band.conditions)
        assert holds == (band.name == result.grade), (band.name, value)


@PROPERTY
@given(st.data())
def test_grades_and_scores_are_monotone(data):
    """For one-variable scales, better values never get worse grades or lower scores."""
    scale = data.draw(prst.threshold_scales())
    top = scale.domain.hi
    a = data.draw(st.fractions(0, top))
    b = data.draw(st.fractions(0, top))
    lo, hi = sorted([a, b])
    r_lo, r_hi = scale.grade(lo), scale.grade(hi)
    if scale.higher_is_better:
        assert r_hi.rank <= r_lo.rank
        assert r_hi.score >= r_lo.score
    else:
        assert r_hi.rank >= r_lo.rank
        assert r_hi.score <= r_lo.score


@PROPERTY
@given(st.data())
def test_scores_stay_inside_the_grades_interval(data):
    """A value's score lies in its grade's score interval."""
    scale = data.draw(prst.threshold_scales())
    grade = data.draw(st.sampled_from([b.name for b in scale.bands]))
    value = data.draw(prst.values_in(scale, grade))
    result = scale.grade(value)
    assert result.grade == grade
    low, high = scale.score_interval(grade)
    assert low <= result.score <= high


@PROPERTY
@given(prst.threshold_scales())
def test_generated_scales_round_trip_through_text(scale):
    """A scale printed with str() parses back to the same scale."""
    assert GradeScale.parse(str(scale), domain=(0, scale.domain.hi)) == scale
