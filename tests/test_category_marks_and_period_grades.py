"""Full marks per category (分类考核: ``totals``, ``fulls``) and a grade per period beside the year's
(``period_grades``) — each with its cookbook recipe's hand-worked numbers, misuse caught by validate,
and properties."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import (
    Group,
    Indicator,
    PeriodTotal,
    Scheme,
    SchemeError,
    Unit,
    evaluate,
    load,
    load_units,
    loads,
    reweight,
    scheme_json_schema,
    scheme_to_mapping,
)
from perfrules.cli.main import main
from test_forms import _results

ROOT = Path(__file__).resolve().parent.parent
COOKBOOK = ROOT / "docs" / "examples" / "cookbook"
_SHARES = {"优": (90, 100), "良": (80, 90), "中": (60, 80), "差": (0, 60)}


def _json(stem: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "score",
            str((COOKBOOK / stem).with_suffix(".toml")),
            str((COOKBOOK / stem).with_suffix(".csv")),
            "--format",
            "json",
        ],
        out=out,
        err=err,
    )
    assert code == 0, err.getvalue()
    return {u["unit"]: u for u in json.loads(out.getvalue(), parse_float=Decimal)["units"]}


# -- full marks per category -------------------------------------------------------------------


def test_the_category_recipe_gives_the_hand_worked_totals_and_grades():
    """委 out of 100, 办 out of 110; 督查 on a 50-point (委) or 40-point (办) sheet, worth 30 or 35.

    甲委 45÷50×30 + 90%×70 = 27 + 63 = 90 (90%, 优); 乙委 24 + 56 = 80 (良);
    丙办 36÷40×35 + 90%×65 + 9 = 31.5 + 58.5 + 9 = 99 (90%, 优); 丁办 31.5 + 52 + 10 = 93.5 (85%, 良);
    戊办 17.5 + 39 + 5 = 61.5 (55.9%, 差).
    """
    units = _results("category-full-marks")
    assert {n: (r.total, r.grade, r.full_marks) for n, r in units.items()} == {
        "甲委": (Decimal(90), "优", Decimal(100)),
        "乙委": (Decimal(80), "良", Decimal(100)),
        "丙办": (Decimal(99), "优", Decimal(110)),
        "丁办": (Decimal("93.5"), "良", Decimal(110)),
        "戊办": (Decimal("61.5"), "差", Decimal(110)),
    }
    ding = units["丁办"].indicators
    assert [(i.score, i.full, i.weight, i.contribution) for i in ding] == [
        (Decimal(36), Decimal(40), Decimal(35), Decimal("31.5")),
        (Decimal(52), Decimal(65), Decimal(65), Decimal(52)),
        (Decimal(10), Decimal(10), Decimal(10), Decimal(10)),
    ]
    assert units["甲委"].indicators[0].full == Decimal(50)
    text = units["丁办"].explain()
    assert "“办”类单位满分 110分" in text and "得 36分（满分 40分）" in text
    assert "满分 110" not in units["甲委"].explain()
    marks = {n: u["full_marks"] for n, u in _json("category-full-marks").items()}
    assert marks == {"甲委": 100, "乙委": 100, "丙办": 110, "丁办": 110, "戊办": 110}


def test_a_category_total_is_capped_and_normalised_on_its_own_full_marks():
    """A bonus lifts 办 to 112 of 110 → 110; 委's cap stays 100. 折算 scales to each category's marks."""
    scheme = Scheme(
        name="t",
        basis="points",
        total=100,
        categories=["委", "办"],
        totals={"办": 110},
        cap_total=True,
        groups=[
            Group(
                name="g",
                children=[
                    Indicator(
                        code="1", name="a", weights={"委": 100, "办": 100}, score="a", max_score="none"
                    ),
                    Indicator(code="2", name="b", weights={"委": 0, "办": 10}, score="b"),
                ],
            )
        ],
    )
    result = evaluate(
        scheme,
        [
            Unit(name="办一", category="办", data={"a": 102, "b": 10}),
            Unit(name="委一", category="委", data={"a": 102}),
        ],
    )
    assert [r.total for r in result.results] == [Decimal(110), Decimal(100)]
    assert any("按满分 110分 计" in e.message for e in result.results[0].events)
    normalised = Scheme(
        name="t",
        basis="points",
        total=100,
        categories=["委", "办"],
        totals={"办": 110},
        normalize=True,
        groups=[
            Group(
                name="g",
                children=[
                    Indicator(code="1", name="a", weights={"委": 60, "办": 60}, score="a"),
                    Indicator(
                        code="2", name="b", weights={"委": 40, "办": 50}, score="b", applies_to=["委一"]
                    ),
                ],
            )
        ],
    )
    result = evaluate(normalised, [Unit(name="办一", category="办", data={"a": 30})])
    # 30 of the 60 applicable points, scaled to 办's 110: 55.
    assert result.results[0].total == Decimal(55)


def test_validate_catches_misused_category_marks():
    text = (COOKBOOK / "category-full-marks.toml").read_text(encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        loads(text.replace('totals = { "办" = 110 }', 'totals = { "办公" = 110 }'))
    paths = {p.path: p.message for p in caught.value.problems}
    assert paths["totals.办公"] == "unknown category '办公' (categories: 委, 办); did you mean '办'?"
    assert paths["weights[办]"].endswith("if '办' units have full marks of their own, give totals.办 = 110")
    with pytest.raises(SchemeError) as caught:
        loads(text.replace('fulls = { "委" = 50, "办" = 40 }', 'fulls = { "委" = 50, "半" = 40 }'))
    assert [p.path for p in caught.value.problems] == ["indicators[0].fulls.半"]
    with pytest.raises(SchemeError) as caught:
        loads(text.replace('totals = { "办" = 110 }', 'totals = { "办" = 120 }'))
    [problem] = caught.value.problems
    assert problem.path == "weights[办]"
    assert problem.message == (
        "indicator weights add up to 110分, not 120分 for category '办' (its full marks: totals.办)"
    )
    with pytest.raises(SchemeError, match=r"must be > 0 .* @ totals\.办|totals\.办: must be > 0"):
        loads(text.replace('totals = { "办" = 110 }', 'totals = { "办" = 0 }'))
    # The Python API checks alike: totals without categories.
    with pytest.raises(SchemeError, match="the scheme has no 'categories'") as caught:
        Scheme(
            name="t",
            basis="points",
            totals={"办": 100},
            groups=[Group(name="g", children=[Indicator(code="1", name="a", weight=100, score="a")])],
        )
    assert caught.value.problems[0].path == "totals"


def test_the_category_keys_are_in_the_json_schema_and_round_trip():
    schema = scheme_json_schema()
    assert "totals" in schema["properties"]
    assert "fulls" in schema["$defs"]["indicator"]["properties"]
    scheme = load(COOKBOOK / "category-full-marks.toml")
    again = scheme_to_mapping(scheme)
    assert again["totals"] == {"办": 110}
    assert again["indicators"][0]["fulls"] == {"委": 50, "办": 40}
    assert loads(json.dumps(again, ensure_ascii=False), format="json") == scheme


def test_reweighting_a_category_keeps_its_old_points_as_the_scale_of_the_score():
    """办's 重点 35 → 45 and 日常 65 → 55: 36 of the 40-point sheet counts 36÷40×45; 52 of 65 counts 52÷65×55."""
    scheme = load(COOKBOOK / "category-full-marks.toml")
    moved = reweight(scheme, {"1": 45, "2": 55}, category="办")
    assert moved.indicator("1").fulls == {"委": Decimal(50), "办": Decimal(40)}
    assert moved.indicator("2").fulls == {"办": Decimal(65)}
    unit = Unit(
        name="丁办", category="办", data={"督查得分": 36, "日常得分率": Decimal("0.8"), "窗口得分": 10}
    )
    result = evaluate(moved, [unit]).results[0]
    assert result.total == Decimal("40.5") + Decimal(44) + Decimal(10)


@settings(max_examples=60, deadline=None)
@given(
    score=st.integers(0, 120),
    full=st.integers(50, 150),
)
def test_a_category_is_graded_on_the_share_of_its_own_full_marks(score, full):
    """The default grading of a category with its own full marks is the [scores] intervals as shares of them."""
    score = min(score, full)
    scheme = Scheme(
        name="t",
        basis="points",
        total=100,
        categories=["甲", "乙"],
        totals={"乙": full},
        scores=_SHARES,
        groups=[
            Group(
                name="g", children=[Indicator(code="1", name="a", weights={"甲": 100, "乙": full}, score="a")]
            )
        ],
    )
    result = evaluate(scheme, [Unit(name="u", category="乙", data={"a": score})]).results[0]
    share = Fraction(score, full) * 100
    expected = next(g for g, (lo, _) in _SHARES.items() if share >= lo)
    assert (result.total, result.grade, result.full_marks) == (Decimal(score), expected, Decimal(full))


# -- a grade per period --------------------------------------------------------------------------


def test_the_period_recipe_gives_the_hand_worked_quarters_and_year():
    """50×min(完成率,1) + 项目得分 + (20 − 5×事故数) a quarter; the year is the mean of the quarters.

    甲 97, 89, 100, 81 → year 91.75; 乙 (an accident: 15) 68, 76, 60, 84 → 72; 丙 100, 100, 60, 100 → 90.
    """
    units = _results("period-grades")
    got = {n: [(p.period, p.total, p.grade) for p in r.periods] for n, r in units.items()}
    quarters = ("一季度", "二季度", "三季度", "四季度")
    assert got == {
        "甲": list(
            zip(quarters, map(Decimal, (97, 89, 100, 81)), ("优秀", "良好", "优秀", "良好"), strict=True)
        ),
        "乙": list(
            zip(quarters, map(Decimal, (68, 76, 60, 84)), ("合格", "合格", "合格", "良好"), strict=True)
        ),
        "丙": list(
            zip(quarters, map(Decimal, (100, 100, 60, 100)), ("优秀", "优秀", "合格", "优秀"), strict=True)
        ),
    }
    assert {n: (r.total, r.grade) for n, r in units.items()} == {
        "甲": (Decimal("91.75"), "优秀"),
        "乙": (Decimal(72), "合格"),
        "丙": (Decimal(90), "优秀"),
    }
    assert all(isinstance(p, PeriodTotal) for p in units["甲"].periods)
    assert "  三季度：总分 60分，等次“合格”" in units["丙"].explain().splitlines()
    bing = _json("period-grades")["丙"]["periods"]
    assert [(p["period"], p["total"], p["grade"]) for p in bing] == [
        ("一季度", 100, "优秀"),
        ("二季度", 100, "优秀"),
        ("三季度", 60, "合格"),
        ("四季度", 100, "优秀"),
    ]


def test_without_the_setting_there_are_no_period_grades():
    text = (COOKBOOK / "period-grades.toml").read_text(encoding="utf-8")
    scheme = loads(text.replace("period_grades = true", "period_grades = false"))
    result = evaluate(scheme, load_units(COOKBOOK / "period-grades.csv", scheme=scheme))
    assert all(r.periods == () for r in result.results)
    assert [r.total for r in result.results] == [Decimal("91.75"), Decimal(72), Decimal(90)]
    assert _json("category-full-marks")["甲委"]["periods"] == []


def test_period_totals_are_capped_rounded_and_capped_by_caps_like_the_years():
    """A quarter above full marks is capped; round_total rounds it; a max_total cap limits it, then grades."""
    scheme = loads(
        """
name = "t"
basis = "points"
total = 100
round_total = 0
period_grades = true
groups = [{ name = "g" }]

[overall]
rule = "优：90分以上；良：80分以上不足90分；差：不足80分"

[[indicators]]
code = "1"
name = "a"
group = "g"
weight = 100
max_score = 110
frequency = "季度"
score = "a"

[[caps]]
when = "事故>0"
max_total = 85
reason = "发生事故，得分不超过85分"
""",
        format="toml",
    )
    unit = Unit(
        name="甲",
        data={"事故": 0},
        periods={"一季度": {"a": 105}, "二季度": {"a": Decimal("89.5")}, "三季度": {"a": 95, "事故": 1}},
    )
    [result] = evaluate(scheme, [unit]).results
    assert [(p.period, p.total, p.grade) for p in result.periods] == [
        ("一季度", Decimal(100), "优"),
        ("二季度", Decimal(90), "优"),
        ("三季度", Decimal(85), "良"),
    ]
    # Each period's trail: the cap at full marks, rounding, the cap's limit (then the grade it decided).
    assert [e.kind for e in result.periods[0].events] == ["capped", "grade"]
    assert [e.kind for e in result.periods[1].events] == ["rounded", "grade"]
    assert (
        result.periods[2].events[0].message == "发生事故，得分不超过85分：总分 95分 不超过 85分，按 85分 计"
    )
    # The year: (105 + 89.5 + 95) / 3 = 96.5 → 97 (capped at 100 first: it is not above).
    assert (result.total, result.grade) == (Decimal(97), "优")


def test_validate_catches_misused_period_grades():
    text = (COOKBOOK / "period-grades.toml").read_text(encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        loads(text.replace('periods = "mean"', 'periods = "sum"'))
    [problem] = caught.value.problems
    assert problem.path == "period_grades" and 'periods = "sum"' in problem.message
    with pytest.raises(SchemeError) as caught:
        loads(text.replace('frequency = "季度"\n', ""))
    [problem] = caught.value.problems
    assert problem.path == "period_grades" and "give the indicators reported" in problem.message
    with pytest.raises(SchemeError) as caught:
        loads(text.replace("period_grades = true", 'period_grades = "yes"'))
    assert caught.value.problems[0].path == "period_grades"
    assert "period_grades" in scheme_json_schema()["properties"]
    assert scheme_to_mapping(load(COOKBOOK / "period-grades.toml"))["period_grades"] is True


@settings(max_examples=60, deadline=None)
@given(
    quarters=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 30)), min_size=1, max_size=4),
    yearly=st.integers(0, 20),
)
def test_the_year_is_the_mean_of_the_period_totals_and_each_period_is_graded_by_the_bands(quarters, yearly):
    """With every period reported and nothing on the total, the year's total is the mean of the periods'."""
    scheme = load(COOKBOOK / "period-grades.toml")
    labels = ["一季度", "二季度", "三季度", "四季度"][: len(quarters)]
    unit = Unit(
        name="甲",
        data={"事故数": Fraction(20 - yearly, 5)},
        periods={
            label: {"完成率": Fraction(a, 50), "项目得分": b}
            for label, (a, b) in zip(labels, quarters, strict=True)
        },
    )
    [result] = evaluate(scheme, [unit]).results
    totals = [Fraction(a + b + yearly) for a, b in quarters]
    assert [Fraction(p.total) for p in result.periods] == totals
    assert Fraction(result.total) == sum(totals) / len(totals)
    bands = {"优秀": 90, "良好": 80, "合格": 60, "不合格": 0}
    for p in result.periods:
        assert p.grade == next(g for g, lo in bands.items() if p.total >= lo)
