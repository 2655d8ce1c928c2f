"""The worked mechanics of points schemes: every example scheme reproduces its expected results."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_run import run
from perfrules import (
    Adjust,
    GradeScale,
    Group,
    Indicator,
    Quota,
    Scheme,
    SchemeError,
    Unit,
    evaluate,
    load,
    load_units,
    round_half_up,
)

HERE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "mechanics"
EXPECTED = {
    k: v for k, v in json.loads((HERE / "expected.json").read_text(encoding="utf-8")).items() if k[0] == "m"
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_reproduces_expected_results(name):
    """`perfrules score <example> <its data> --format json` gives exactly the expected totals, grades and ranks."""
    code, out, err = run("score", str(HERE / f"{name}.toml"), str(HERE / f"{name}.csv"), "--format", "json")
    assert code == 0, err
    units = {u["unit"]: u for u in json.loads(out)["units"]}
    assert set(units) == set(EXPECTED[name])
    evaluation = evaluate(load(HERE / f"{name}.toml"), load_units(HERE / f"{name}.csv"))
    for unit, want in EXPECTED[name].items():
        exact_total = evaluation.unit(unit).total
        assert Fraction(exact_total) == Fraction(want["total"]), (unit, exact_total)
        assert abs(Fraction(str(units[unit]["total"])) - Fraction(want["total"])) <= Fraction(1, 10**6)
        for key in ("grade", "rank"):
            if key in want:
                assert units[unit][key] == want[key], (unit, key)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_validates(name):
    """Each example scheme passes `perfrules validate`."""
    code, out, _ = run("validate", str(HERE / f"{name}.toml"))
    assert code == 0 and out.startswith("ok:")


def test_deductions_are_explained_in_points():
    """丙's explanation speaks in 分: each deduction, the floor (扣完为止) and the cap (最多扣3分)."""
    code, out, _ = run(
        "explain", str(HERE / "m01-deductions.toml"), str(HERE / "m01-deductions.csv"), "--unit", "丙"
    )
    assert code == 0
    assert "丙：总分 7分" in out
    assert "1 安全生产：得 0分（满分 20分）" in out
    assert "一般事故 2 × 5分 = 扣10分；较大事故 1 × 10分 = 扣10分，共扣 20分" in out
    assert "扣完为止，得 0分（满分 20分）" in out
    assert "迟报次数 9 × 0.5分 = 扣4.5分；扣分以 3分 为限，共扣 3分" in out
    assert "2 信息报送：得 7分（满分 10分）" in out


def test_explanations_show_formulas_with_numbers():
    """A peer formula is shown with the unit's own numbers and the population's in place."""
    evaluation = evaluate(load(HERE / "m03-peer-max-min.toml"), load_units(HERE / "m03-peer-max-min.csv"))
    text = evaluation.explain("乙")
    assert "6+(80−50)÷(110−50)×4 = 8" in text


def test_whole_point_bands_need_the_rounding(tmp_path):
    """m11's dash bands leave gaps without 取整, and validation says where."""
    text = (HERE / "m11-dash-bands.toml").read_text(encoding="utf-8").replace("round_total = 0", "")
    path = tmp_path / "m11.toml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run("validate", str(path))
    assert code == 1
    assert "between '良好' and '优秀' (e.g. 89.5)" in err


def test_shared_boundary_point_is_noted():
    """m10's 90 is printed in two bands: it goes to 优秀, and validate says so."""
    _, out, _ = run("validate", str(HERE / "m10-phrase-bands.toml"))
    assert "note: overall: 90 is printed in both '优秀' and '良好'; it goes to the better grade '优秀'" in out


def test_a_capped_total_is_visible():
    """With the default cap, a bonus above full marks is capped and the trail says so."""
    text = (HERE / "m02-bonus-above-full.toml").read_text(encoding="utf-8").replace("cap_total = false", "")
    from perfrules import loads

    scheme = loads(text)
    result = evaluate(scheme, load_units(HERE / "m02-bonus-above-full.csv")).unit("乙")
    assert result.total == 100
    assert any("超过满分，按满分 100分 计" in str(e) for e in result.events)


def test_vetoed_units_rank_after_the_others():
    """一票否决 forces the lowest grade and ranks the unit after every unit not vetoed."""
    evaluation = evaluate(load(HERE / "m08-veto-effects.toml"), load_units(HERE / "m08-veto-effects.csv"))
    assert [r.unit for r in evaluation.ranking()] == ["乙", "丁", "甲", "丙"]
    assert evaluation.unit("甲").vetoed and evaluation.unit("甲").total == 95


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


def _points_scheme(*, cap: int | None, points: Decimal) -> Scheme:
    ind = Indicator(
        code="1",
        name="安全生产",
        weight=20,
        score="分值",
        policies=[Adjust(per="事故", points=points, cap=cap)],
    )
    return Scheme(name="扣分", groups=[Group(name="组", children=[ind])], basis="points", total=20)


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=50),
    points=st.decimals(min_value=Decimal("-25"), max_value=Decimal("-0.5"), places=1),
    cap=st.none() | st.integers(min_value=0, max_value=30),
)
def test_deductions_never_go_below_the_floor(count, points, cap):
    """However many items are deducted, an indicator stays within 0 and its 分值, and a cap is respected."""
    scheme = _points_scheme(cap=cap, points=points)
    result = evaluate(scheme, [Unit(name="甲", data={"事故": count})]).unit("甲")
    score = result.indicators[0].score
    assert 0 <= score <= 20
    taken = min(Fraction(count) * -Fraction(points), Fraction(cap) if cap is not None else Fraction(10**9))
    assert score == max(Fraction(20) - taken, Fraction(0))


@settings(max_examples=60, deadline=None)
@given(
    totals=st.lists(st.integers(min_value=85, max_value=100), min_size=1, max_size=12),
    share=st.sampled_from(["10%", "30%", "50%", "100%"]),
    rounding=st.sampled_from(["floor", "ceil", "round"]),
)
def test_a_quota_is_never_exceeded(totals, share, rounding):
    """With ties excluded, no more units keep the limited grade than the quota allows."""
    scheme = Scheme(
        name="比例",
        groups=[Group(name="组", children=[Indicator(code="1", name="综合", weight=100, score="得分")])],
        basis="points",
        total=100,
        overall=GradeScale.parse(
            "90分及以上为优秀，不满90分为良好", variable="总分", scoring="none", domain=(0, 100)
        ),
        quotas=[Quota(grade="优秀", share=share, rounding=rounding)],
    )
    units = [Unit(name=f"单位{i}", data={"得分": t}) for i, t in enumerate(totals)]
    results = evaluate(scheme, units)
    from perfrules.scoring.population import quota_limit

    limit = quota_limit(scheme.quotas[0], len(units))
    winners = [r for r in results if r.grade == "优秀"]
    assert len(winners) <= limit
    # the best totals keep the grade: nobody below a loser of the quota keeps it
    losers = [r.total for r in results if r.grade == "良好" and r.total >= 90]
    assert all(w.total > max(losers) for w in winners) if losers else True


@settings(max_examples=100, deadline=None)
@given(
    whole=st.integers(min_value=-(10**6), max_value=10**6),
    places=st.integers(min_value=0, max_value=6),
)
def test_rounding_is_half_up_at_every_place(whole, places):
    """A value exactly halfway rounds away from zero at any number of places (四舍五入, never to even)."""
    halfway = (Fraction(whole) + Fraction(1, 2)) / 10**places
    rounded = round_half_up(halfway, places)
    expected = Fraction(whole + (1 if whole >= 0 else 0), 10**places)
    assert Fraction(rounded) == expected


_PHRASES = st.sampled_from(["以上", "及以上"])


@settings(max_examples=80, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=4, unique=True),
    style=st.sampled_from(["满/不满", "以上/以下", "以上/不满"]),
)
def test_phrase_bands_cover_their_domain(cuts, style):
    """Bands printed with 以上/以下/满/不满 cover 0–100 with no gap or overlap once shared points go up."""
    cuts = sorted(cuts, reverse=True)
    grades = ["一等", "二等", "三等", "四等", "五等"][: len(cuts) + 1]
    entries = [f"{cuts[0]}分以上为{grades[0]}"]
    for upper, lower, grade in zip(cuts, cuts[1:], grades[1:], strict=False):
        if style == "满/不满":
            entries.append(f"满{lower}分不满{upper}分为{grade}")
        elif style == "以上/以下":
            entries.append(f"{lower}分以上{upper}分以下为{grade}")
        else:
            entries.append(f"{lower}分以上不满{upper}分为{grade}")
    entries.append(f"不足{cuts[-1]}分为{grades[len(cuts)]}")
    scale = GradeScale.parse("，".join(entries), scoring="none", domain=(0, 100))
    for value in range(0, 101):
        for v in (Fraction(value), Fraction(value) - Fraction(1, 100)):
            if 0 <= v <= 100:
                got = scale.classify(v)
                expected = next((g for c, g in zip(cuts, grades, strict=False) if v >= c), grades[len(cuts)])
                assert got == expected, (v, entries)


def test_invalid_quota_is_refused():
    """A quota on a grade the overall grading lacks is a scheme problem."""
    with pytest.raises(SchemeError, match="not an overall grade"):
        Scheme(
            name="比例",
            groups=[Group(name="组", children=[Indicator(code="1", name="综合", weight=100, score="得分")])],
            basis="points",
            total=100,
            overall=GradeScale.parse(
                "90分及以上为优秀，不满90分为良好", variable="总分", scoring="none", domain=(0, 100)
            ),
            quotas=[Quota(grade="卓越", share="30%")],
        )


def test_round_scores_rounds_the_mean_of_periods():
    """round_scores rounds an indicator's final score, also when it is the mean of its periods."""
    ind = Indicator(code="1", name="月度得分", weight=100, score="得分", frequency="monthly")
    scheme = Scheme(
        name="取整", groups=[Group(name="组", children=[ind])], basis="points", total=100, round_scores=0
    )
    unit = Unit(name="甲", periods={"1月": {"得分": 90}, "2月": {"得分": 91}})
    result = evaluate(scheme, [unit]).unit("甲")
    # (90 + 91) / 2 = 90.5 → 91 (四舍五入)
    assert result.indicators[0].score == 91 and result.total == 91


def test_overall_names_of_indicators_are_checked_when_the_scheme_is_built():
    """指标<code>… in a cap or band must name an indicator (with a did-you-mean) that has what is read."""
    text = (HERE / "m07-group-conditions.toml").read_text(encoding="utf-8")
    from perfrules import loads

    with pytest.raises(SchemeError, match="'指标3得分率' names no indicator"):
        loads(text.replace("min(业务工作得分率, 党建工作得分率)<60%", "指标3得分率<60%"))
    with pytest.raises(SchemeError, match="has no grades"):
        loads(text.replace("min(业务工作得分率, 党建工作得分率)<60%", "指标1等次>=3"))
    assert loads(text.replace("min(业务工作得分率, 党建工作得分率)<60%", "指标2得分率<60%"))
