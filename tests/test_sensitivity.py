"""Tests for sensitivity (Monte-Carlo rank intervals) and perturb, and the CLI command."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_run import run
from perfrules import (
    Group,
    Indicator,
    Scheme,
    Sensitivity,
    Unit,
    UnitSensitivity,
    load,
    sample_units,
    sensitivity,
)
from perfrules.analysis.sensitivity import perturb
from test_reweight import _subtotals as _group_sums

XIAMEN = load("xiamen-xiangan-2020")
XIAMEN_UNITS = sample_units("xiamen-xiangan-2020")
SHENZHEN = load("shenzhen-2010-departments")


# A small scheme where containment is provable: two indicators of equal
# weight, so a run's weights are (50+t, 50−t) with t symmetric about 0, and
# units whose mean score and score gap (甲−乙) fall together. With t > 0 no
# unit passes another (the better unit also gains more), so in about half
# the runs every unit has its nominal rank; only t < 0 reorders them.
SMALL = Scheme(
    name="小方案",
    groups=[
        Group(
            name="组",
            declared=100,
            children=[
                Indicator(code="a", name="甲", score="甲分", weight=50),
                Indicator(code="b", name="乙", score="乙分", weight=50),
            ],
        )
    ],
)
SMALL_UNITS = [
    Unit(name="一", data={"甲分": 92, "乙分": 84}),
    Unit(name="二", data={"甲分": 87, "乙分": 85}),
    Unit(name="三", data={"甲分": 84, "乙分": 86}),
    Unit(name="四", data={"甲分": 80, "乙分": 88}),
]


def test_same_seed_same_result_and_the_seed_is_kept():
    """A seed fixes the draws; without one, the drawn seed is recorded and repeats the result."""
    first = sensitivity(XIAMEN, XIAMEN_UNITS, runs=12, seed=3)
    again = sensitivity(XIAMEN, XIAMEN_UNITS, runs=12, seed=3)
    assert first.to_records() == again.to_records()
    assert [u.ranks for u in first.units] == [u.ranks for u in again.units]
    unseeded = sensitivity(SMALL, SMALL_UNITS, runs=10, weight_spread=0.5)
    assert sensitivity(SMALL, SMALL_UNITS, runs=10, weight_spread=0.5, seed=unseeded.seed) == unseeded


def test_zero_spread_fixes_every_rank():
    """weight_spread=0: every run is the published weighting, so every interval is the nominal rank."""
    result = sensitivity(XIAMEN, XIAMEN_UNITS, runs=3, seed=1, weight_spread=0)
    for u in result.units:
        assert u.rank_low == u.rank_high == u.rank_median == u.rank and u.width == 1
        assert (u.grade is None or u.grades[u.grade] == 1) and set(u.ranks) == {u.rank}


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0, 0.05, 0.2, 0.5, 0.9]))
def test_nominal_rank_lies_in_its_interval(seed, spread):
    """Property (on SMALL, where it is provable): low ≤ nominal ≤ high, low ≤ median ≤ high, shares add to 1."""
    result = sensitivity(SMALL, SMALL_UNITS, runs=40, seed=seed, weight_spread=spread)
    for u in result.units:
        assert u.rank_low is not None and u.rank_high is not None and u.rank_median is not None
        assert u.rank_low <= u.rank <= u.rank_high
        assert u.rank_low <= u.rank_median <= u.rank_high
        assert sum(u.grades.values()) == 1 and all(isinstance(s, Fraction) for s in u.grades.values())
        assert len(u.ranks) == 40


def test_percentiles_are_nearest_rank():
    """5th/95th percentiles and the median are ranks that happened (nearest-rank method)."""
    result = sensitivity(SMALL, SMALL_UNITS, runs=20, seed=11, weight_spread=0.9)
    for u in result.units:
        ordered = sorted(u.ranks)
        assert (u.rank_low, u.rank_median, u.rank_high) == (ordered[0], ordered[9], ordered[18])


_SUMS = {"xiamen": _group_sums(XIAMEN), "shenzhen": _group_sums(SHENZHEN)}


@settings(max_examples=40, deadline=None)
@given(
    which=st.sampled_from(["xiamen", "shenzhen"]),
    factors=st.lists(st.floats(0.05, 1.95), min_size=41, max_size=41),
)
def test_perturbed_schemes_keep_every_subtotal_exactly(which, factors):
    """Property: renormalised weights keep the total and every group's (declared) subtotal, exactly."""
    scheme = XIAMEN if which == "xiamen" else SHENZHEN
    codes = [i.code for i in scheme.indicators()]
    changed = perturb(scheme, dict(zip(codes, factors, strict=False)))
    assert _group_sums(changed) == _SUMS[which]
    for col in changed.weight_columns():
        total = sum((Fraction(i.weight_for(col)) for i in changed.indicators()), Fraction(0))
        assert total == changed.total
        assert all(i.weight_for(col) >= 0 for i in changed.indicators())
        assert not any(isinstance(i.weight_for(col), float) for i in changed.indicators())


def test_perturb_keeps_the_proportions_of_the_factors():
    """Within a group, weights move in proportion to weight × factor; single-indicator groups never move."""
    changed = perturb(SHENZHEN, {"1": 2, "4": 3})
    assert changed.indicator("1").weights["委"] == Fraction(30 * 2 * 39, 30 * 2 + 4 + 5)
    assert changed.indicator("4").weights == SHENZHEN.indicator("4").weights
    with pytest.raises(ValueError, match="positive"):
        perturb(SHENZHEN, {"1": 0})
    with pytest.raises(KeyError, match="did you mean"):
        perturb(SHENZHEN, {"公共服务白皮": 2})


def test_units_that_cannot_be_scored_have_no_ranks():
    """A unit with missing data is reported, with no ranks and no grade shares."""
    units = [*SMALL_UNITS, Unit(name="缺", data={"甲分": 90})]
    result = sensitivity(SMALL, units, runs=5, seed=1)
    missing = result.unit("缺")
    assert result.units[-1] is missing and not missing.scored
    assert (missing.rank, missing.rank_low, missing.rank_high, missing.rank_median) == (None,) * 4
    assert missing.grades == {} and missing.width is None
    assert result.to_records()["units"][-1]["rank_low"] is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"runs": 0}, "'runs' must be a whole number of at least 1"),
        ({"runs": 2.5}, "'runs'"),
        ({"weight_spread": 1}, "less than 1"),
        ({"weight_spread": -0.1}, "at least 0"),
    ],
)
def test_arguments_are_checked(kwargs, message):
    """Bad runs or spreads raise ValueError before anything is scored."""
    with pytest.raises(ValueError, match=message):
        sensitivity(SMALL, SMALL_UNITS, **kwargs)


def test_records_dataframe_and_html():
    """The result converts to plain records, a DataFrame and an HTML table."""
    result = sensitivity(SMALL, SMALL_UNITS, runs=8, seed=2, weight_spread=0.5)
    assert isinstance(result, Sensitivity) and isinstance(result.units[0], UnitSensitivity)
    records = result.to_records()
    assert set(records) == {"scheme", "runs", "seed", "weight_spread", "group_spread", "units"}
    assert records["weight_spread"] == 0.5 and records["seed"] == 2
    assert list(records["units"][0]["grades"]) == ["优", "良", "中", "差"]
    pytest.importorskip("pandas")
    frame = result.to_dataframe()
    assert list(frame.index) == ["一", "二", "三", "四"] and frame.loc["一", "rank"] == 1
    assert "<table>" in result._repr_html_()


def test_cli_json_shape_and_reproducibility():
    """perfrules sensitivity --format json: the documented shape, byte-identical for a seed."""
    args = ("sensitivity", "xiamen-xiangan-2020", "sample", "--runs", "10", "--seed", "7", "--format", "json")
    code, out, err = run(*args)
    assert code == 0 and err == ""
    assert run(*args)[1] == out
    data = json.loads(out)
    assert (data["runs"], data["seed"], data["weight_spread"]) == (10, 7, 0.2)
    assert len(data["units"]) == 8
    for unit in data["units"]:
        assert {"unit", "rank", "rank_low", "rank_high", "rank_median", "grades"} <= set(unit)
        assert unit["rank_low"] <= unit["rank"] <= unit["rank_high"]
        # Xiamen grades no total (its source gives no grading), so there are no grade shares.
        assert unit["grades"] == {}


def test_cli_table_csv_and_usage_errors(tmp_path):
    """The table lines up, CSV has one row per unit, and bad options are usage errors (exit 2)."""
    code, out, _ = run("sensitivity", "xiamen-xiangan-2020", "sample", "--runs", "2", "--seed", "1")
    assert code == 0 and "名次区间(5%–95%)" in out and "种子 1" in out
    target = tmp_path / "ranks.csv"
    run("sensitivity", "xiamen-xiangan-2020", "sample", "--runs", "2", "--format", "csv", "-o", str(target))
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "rank,unit,category,rank_low,rank_high,rank_median" and len(lines) == 9
    code, _, err = run("sensitivity", "xiamen-xiangan-2020", "sample", "--weight-spread", "1.5")
    assert code == 2 and "--weight-spread" in err
    code, _, err = run("sensitivity", "xiamen-xiangan-2020", "sample", "--runs", "0")
    assert code == 2 and "--runs" in err


@pytest.mark.slow
def test_the_xiamen_command_of_the_docs():
    """The documented command: every nominal rank inside its interval, and some ranks really move."""
    code, out, _ = run(
        "sensitivity", "xiamen-xiangan-2020", "sample", "--runs", "200", "--seed", "7", "--format", "json"
    )
    assert code == 0
    units = json.loads(out)["units"]
    assert all(u["rank_low"] <= u["rank"] <= u["rank_high"] for u in units)
    assert any(u["rank_high"] > u["rank_low"] for u in units)
    # 区文旅局 (908) and 区财政局 (strong on other indicators) swap places under some weightings.
    assert [(u["unit"], u["rank_low"], u["rank_high"]) for u in units[:2]] == [
        ("区文旅局", 1, 2),
        ("区财政局", 1, 3),
    ]
