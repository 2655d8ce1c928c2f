"""Grading text as schemes print it: 含 marks, one-point bands, ± bands, points by condition, English bands."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import GradeBand, GradeScale, SchemeError, Unit, evaluate, loads


def grades(scale: GradeScale, values: list[str]) -> list[str]:
    return [scale.grade(Decimal(v)).grade for v in values]


def test_inclusion_marks_after_a_phrase_decide_the_boundary():
    """95分以上（含95分）/ 85分以上95分以下（不含95分）: 95 is 优, 94.99 良, 85 良, 84.99 中."""
    scale = GradeScale.parse(
        "优：95分以上（含95分）；良：85分以上95分以下（不含95分）；"
        "中：60分以上85分以下（不含85分）；差：60分以下（不含60分）",
        scoring="none",
    )
    assert grades(scale, ["100", "95", "94.99", "85", "84.99", "60", "59.99", "0"]) == [
        "优", "优", "良", "良", "中", "中", "差", "差",
    ]  # fmt: skip
    assert scale.notes == ()  # the marks leave no shared point to settle


def test_a_marked_range_end_is_in_and_the_unmarked_end_follows_the_neighbours():
    """90（含）-100: 90 is in; 100 is in too, since no other band has it. 80（含）-90 stops short of 90."""
    scale = GradeScale.parse(
        "优秀：90（含）-100；良好：80（含）-90；合格：60（含）-80；不合格：60以下（不含60）",
        domain=(0, 100),
        scoring="none",
    )
    assert grades(scale, ["100", "90", "89.9", "80", "79.9", "60", "59.9", "0"]) == [
        "优秀", "优秀", "良好", "良好", "合格", "合格", "不合格", "不合格",
    ]  # fmt: skip
    assert [str(iv) for iv in scale.intervals("优秀")] == ["[90, 100]"]
    assert [str(iv) for iv in scale.intervals("良好")] == ["[80, 90)"]


def test_percent_ranges_with_marks_at_either_end():
    """80%(含)-90% puts 80% in and 90% out; 0-10%(含) puts 10% in (and 0, which no other band has)."""
    higher = GradeScale.parse(
        "优：90%(含)-100%；良：80%(含)-90%；差：80%以下(不含)", domain=(0, 1), scoring="none"
    )
    assert grades(higher, ["1", "0.9", "0.8999", "0.8", "0.7999"]) == ["优", "优", "良", "良", "差"]
    lower = GradeScale.parse("优：0-10%(含)；良：10%-20%(含)；差：超过20%", domain=(0, 1), scoring="none")
    assert grades(lower, ["0", "0.1", "0.1001", "0.2", "0.2001", "1"]) == ["优", "优", "良", "良", "差", "差"]


def test_percent_after_the_second_number_belongs_to_both():
    """20-30%: the range is 20%–30%, not 20–0.3."""
    scale = GradeScale.parse(
        "优：30%以上(不含)；良：20-30%；差：20%以下(不含)", domain=(0, 1), scoring="none"
    )
    assert [str(iv) for iv in scale.intervals("良")] == ["[0.2, 0.3]"]
    assert grades(scale, ["0.3", "0.2", "0.1999"]) == ["良", "良", "差"]


def test_equals_zero_is_a_one_point_band():
    """=0 is the single value 0; 0-5 then keeps 0 for the better band (with a note)."""
    scale = GradeScale.parse("优：=0；良：0-5起；差：5起以上(不含)", domain=(0, None), scoring="none")
    assert scale.intervals("优")[0].is_point
    assert grades(scale, ["0", "1", "5", "6"]) == ["优", "良", "良", "差"]
    assert scale.counts == frozenset({"得分"})  # 起 counts items


def test_symmetric_deviation_bands():
    """±30%(含)以内 / ±30%-±40%(含) / 超过±40%: the same grade on both sides of 0."""
    scale = GradeScale.parse("优：±30%(含)以内；良：±30%-±40%(含)；差：超过±40%", scoring="midpoint")
    values = ["0", "0.3", "-0.3", "0.3001", "-0.3001", "0.4", "-0.4", "0.4001", "-0.4001", "-5"]
    assert grades(scale, values) == ["优", "优", "优", "良", "良", "良", "良", "差", "差", "差"]
    assert [str(iv) for iv in scale.intervals("良")] == ["[-0.4, -0.3)", "(0.3, 0.4]"]
    assert scale.grade(Decimal("-0.35")).score == Decimal(85)  # 区中值 of 良 80–90


def test_points_by_condition_without_grade_names():
    """≥90%，计5分；80%（含）-90%，计4分；70%(含)-80%，计2分；70%以下，计0分: points are the score."""
    scale = GradeScale.parse(
        "≥90%，计5分；80%（含）-90%，计4分；70%(含)-80%，计2分；70%以下(不含70%)，计0分", domain=(0, None)
    )
    assert scale.effective_scoring == "points"
    scores = [scale.grade(Decimal(v)).score for v in ["1.2", "0.9", "0.85", "0.8", "0.7", "0.6999"]]
    assert scores == [Decimal(5), Decimal(5), Decimal(4), Decimal(4), Decimal(2), Decimal(0)]
    assert scale.grade(Decimal("0.95")).grade == ">=90%"
    # entries separated by commas, and 的得N分
    commas = GradeScale.parse("≥90%计5分，80%（含）-90%计4分，80%以下(不含)计0分", domain=(0, None))
    assert [b.points for b in commas.bands] == [Decimal(5), Decimal(4), Decimal(0)]
    named = GradeScale.parse("完成率达到100%的得10分；完成率90%（含）-100%的得8分；完成率不足90%的得0分")
    assert named.variable == "完成率"
    assert [named.grade(Decimal(v)).score for v in ["1", "0.9", "0.8999"]] == [10, 8, 0]


def test_english_band_text():
    """90 or above / 60 to below 90 / below 60, with English grade names."""
    scale = GradeScale.parse(
        "Excellent: 90 or above; Good: 60 to below 90; Poor: below 60", domain=(0, 100), scoring="none"
    )
    assert grades(scale, ["90", "89.99", "60", "59.99"]) == ["Excellent", "Good", "Good", "Poor"]
    assert [b.name for b in scale.bands] == ["Excellent", "Good", "Poor"]
    worded = GradeScale.parse(
        "A: at least 90; B: 75 to 89.99; C: less than 75", domain=(0, 100), gaps="lower", scoring="none"
    )
    assert grades(worded, ["90", "89.995", "75", "74"]) == ["A", "B", "B", "C"]


def test_an_unreadable_phrase_says_what_is_not_understood():
    """Not 'unknown function 95以上 … quote it': the part the reader stopped at, and what it reads."""
    with pytest.raises(SchemeError) as info:
        GradeScale.parse("优：95分以上（含）尚可；良：95分以下（不含）")
    (problem,) = info.value.problems
    assert problem.path == "bands[0].conditions[0]"
    assert "'尚可' after '95分以上(含)' is not understood" in problem.message
    assert "90(含)-100" in problem.message
    assert "function" not in problem.message
    with pytest.raises(SchemeError, match=r"'\(含96分\)' .* it names 96, which no end of the band has"):
        GradeScale.parse("优：95分以上(含96分)；良：95分以下(不含95分)")


def test_formulas_still_go_to_the_formula_parser():
    """Conditions that are formulas keep the formula errors (with a caret) and meanings."""
    scale = GradeScale.parse("优：min(a,b)>=90；良：min(a,b)<90", scoring="none")
    assert scale.grade({"a": 95, "b": 91}).grade == "优"
    # a name, a comparison, then 'and'/'or': formulas, not phrases left half read
    joined = GradeScale.parse("优：a>=90 and b>=90；差：a<90 or b<90", scoring="none")
    assert [c.expression for b in joined.bands for c in b.conditions] == [
        "a >= 90 and b >= 90",
        "a < 90 or b < 90",
    ]
    outer = GradeScale.parse("优：1<=x<=3；差：x<1 or x>3", scoring="none")
    assert outer.classify(5) == "差" and outer.classify(2) == "优"
    with pytest.raises(SchemeError, match=r"\^"):
        GradeScale.parse("优：x>=$90；良：x<90")


def test_a_scales_own_scores_are_its_grades_intervals_in_a_scheme():
    """The documented `scores` key of a scale gives its grades their intervals (好 80–100, 差 0–80)."""
    scheme = loads(
        """
format = "perfrules-scheme/1"
name = "t"
basis = "points"
total = 10
groups = [{ name = "g" }]
[[indicators]]
code = "1"
name = "x"
group = "g"
weight = 10
[indicators.scale]
rule = "好：90分以上；差：不足90分"
domain = [0, 100]
scores = { "好" = [80, 100], "差" = [0, 80] }
"""
    )
    result = evaluate(scheme, [Unit(name="甲", data={"得分": 95}), Unit(name="乙", data={"得分": 45})])
    # 95 is halfway up 好 [90, 100] → 90 of 100 → 9 of 10分; 45 is halfway up 差 [0, 90) → 40 → 4分.
    assert [u.total for u in result.results] == [Decimal(9), Decimal(4)]


def test_an_open_band_with_points_scores_its_points_under_interpolation():
    """The error says 'give the band fixed points': a band that has them scores them, the others interpolate."""
    scale = GradeScale(
        bands=[
            GradeBand(name="优", conditions=["x>=90"], points=100),
            GradeBand(name="良", conditions=["60<=x<90"]),
            GradeBand(name="差", conditions=["x<60"], points=0),
        ],
        scoring="interpolate",
    )
    assert scale.grade(Decimal(120)).score == Decimal(100)
    assert scale.grade(Decimal(75)).score == Decimal(85)  # halfway up 良 [60, 90) → 80 + 5
    assert scale.grade(Decimal(-3)).score == Decimal(0)
    assert scale.grade(Decimal(120)).scoring == "points"


# -- properties -----------------------------------------------------------


@st.composite
def printed_scales(draw):
    """Increasing boundaries with a random way of printing each, and the band each boundary belongs to."""
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=1, max_size=5)))
    styles = draw(st.lists(st.sampled_from(["upper", "lower"]), min_size=len(cuts), max_size=len(cuts)))
    names = ["甲", "乙", "丙", "丁", "戊", "己"][: len(cuts) + 1]
    ends = [0, *cuts, 100]
    entries = []
    owner = {}  # boundary → index of the band (low to high) the text gives it
    for k in range(len(ends) - 1):
        lo, hi = ends[k], ends[k + 1]
        lo_in = k == 0 or styles[k - 1] == "upper"
        hi_in = k == len(ends) - 2 or styles[k] == "lower"
        form = draw(st.sampled_from(["marks", "phrases"]))
        if form == "marks" and lo_in and not hi_in:
            text = f"{lo}(含)-{hi}"
        elif form == "marks" and hi_in and not lo_in:
            text = f"{lo}-{hi}(含)"
        else:
            low = f"{lo}以上" + ("" if lo_in else "(不含)")
            high = f"{hi}以下" + ("" if hi_in else f"(不含{hi})")
            text = low + high
        entries.append(text)
        if k > 0:
            owner[lo] = k if lo_in else k - 1
    # best first: the highest band is the best
    rule = "；".join(f"{names[k]}：{entries[k]}" for k in reversed(range(len(entries))))
    return rule, cuts, owner, names[: len(entries)]


@settings(max_examples=150, deadline=None)
@given(printed_scales(), st.lists(st.fractions(0, 100), max_size=10))
def test_printed_bands_partition_the_range_and_boundaries_go_where_printed(case, values):
    rule, cuts, owner, names = case
    # exclusive policy and gaps='error': building the scale proves there is no gap and no overlap
    scale = GradeScale.parse(rule, domain=(0, 100), scoring="none")
    for cut in cuts:
        assert scale.classify(cut) == names[owner[cut]], (rule, cut)
    ends = [0, *cuts, 100]
    for value in values:
        k = next(i for i in range(len(ends) - 1) if value <= ends[i + 1])
        expected = names[owner[value]] if value in owner else names[k]
        assert scale.classify(Fraction(value)) == expected, (rule, value)


def test_the_printed_bands_recipe_gives_the_hand_worked_scores():
    """docs/examples/cookbook/printed-bands: each boundary scores as its printed band says."""
    from pathlib import Path

    from perfrules import load, load_units

    base = Path(__file__).resolve().parent.parent / "docs" / "examples" / "cookbook" / "printed-bands"
    scheme = load(base.with_suffix(".toml"))
    result = evaluate(scheme, load_units(base.with_suffix(".csv"), scheme=scheme))
    got = {r.unit: ([i.score for i in r.indicators], r.total, r.grade) for r in result.results}
    assert got == {
        "甲": ([Decimal(50), Decimal(50)], Decimal(100), "优秀"),  # 95%; −10% is inside ±10%（含）
        "乙": ([Decimal(50), Decimal(30)], Decimal(80), "良好"),  # 90% is ≥90%; 10.5% is past ±10%; 80（含）
        "丙": ([Decimal(40), Decimal(30)], Decimal(70), "合格"),  # 80%（含）; −20% is inside ±20%（含）
        "丁": ([Decimal(20), Decimal(0)], Decimal(20), "不合格"),  # 70% goes to 70%（含）-80%; 25% > 20%
        "戊": ([Decimal(40), Decimal(50)], Decimal(90), "优秀"),  # 89.9% < 90%; 0 deviation; 90（含）
        "己": ([Decimal(0), Decimal(0)], Decimal(0), "不合格"),  # 65% < 70%; −20.1% is past ±20%
    }


def test_english_points_by_condition():
    """90 or above: 5 points; 60 to below 90: 3 points; below 60: 0 points."""
    scale = GradeScale.parse("90 or above: 5 points; 60 to below 90: 3 points; below 60: 0 points")
    assert [s for s in (scale.grade(Decimal(v)).score for v in ["90", "89.9", "60", "59.9"])] == [
        Decimal(5),
        Decimal(3),
        Decimal(3),
        Decimal(0),
    ]


@settings(max_examples=100, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 99), min_size=2, max_size=2, unique=True).map(sorted),
    value=st.fractions(-2, 2),
)
def test_symmetric_bands_grade_a_deviation_and_its_opposite_alike(cuts, value):
    """±a%(含)以内 / ±a%-±b%(含) / 超过±b%: x and −x get the same grade, and the 含 ends are in."""
    a, b = cuts
    scale = GradeScale.parse(f"优：±{a}%(含)以内；良：±{a}%-±{b}%(含)；差：超过±{b}%", scoring="none")
    assert scale.classify(value) == scale.classify(-value)
    size = abs(value)
    expected = "优" if size <= Fraction(a, 100) else "良" if size <= Fraction(b, 100) else "差"
    assert scale.classify(value) == expected
