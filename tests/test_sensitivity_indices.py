"""Tests for what sensitivity varies beyond indicator weights, its Sobol' indices (SALib), --jobs and the chart."""

from __future__ import annotations

import json
from fractions import Fraction

import attrs
import pytest

from cli_run import run
from perfrules import (
    Group,
    Indicator,
    InputIndex,
    Scheme,
    Unit,
    evaluate,
    load,
    sample_units,
    sensitivity,
)
from perfrules.analysis.reweight import weight_table
from perfrules.analysis.sensitivity_runs import Variation, base_samples, varied
from perfrules.analysis.variants import with_default_score

# Two top-level groups of two indicators each, every weight 25.
TWO = Scheme(
    name="两组",
    groups=[
        Group(
            name="甲组",
            declared=50,
            children=[
                Indicator(code="a1", name="甲一", score="a1", weight=25),
                Indicator(code="a2", name="甲二", score="a2", weight=25),
            ],
        ),
        Group(
            name="乙组",
            declared=50,
            children=[
                Indicator(code="b1", name="乙一", score="b1", weight=25),
                Indicator(code="b2", name="乙二", score="b2", weight=25),
            ],
        ),
    ],
)

# Tied as published; 甲 is ahead exactly when 甲组 weighs more than 乙组.
BETWEEN = [
    Unit(name="甲", data={"a1": 100, "a2": 100, "b1": 0, "b2": 0}),
    Unit(name="乙", data={"a1": 0, "a2": 0, "b1": 100, "b2": 100}),
]
# The same scores in 乙组: only the weights inside 甲组 can reorder them (甲 is 1st as published).
INSIDE = [
    Unit(name="甲", data={"a1": 90, "a2": 70, "b1": 80, "b2": 80}),
    Unit(name="乙", data={"a1": 72, "a2": 86, "b1": 80, "b2": 80}),
]


def test_group_factors_move_weight_between_groups_exactly():
    """Group factors 3/2 and 1/2: 甲组 75 and 乙组 25 (total 100 kept), declared subtotals follow."""
    changed = varied(TWO, weight_table(TWO), Variation(groups={0: Fraction(3, 2), 1: Fraction(1, 2)}))
    weights = {ind.code: ind.weight for ind in changed.indicators()}
    assert weights == {
        "a1": Fraction(75, 2),
        "a2": Fraction(75, 2),
        "b1": Fraction(25, 2),
        "b2": Fraction(25, 2),
    }
    assert [g.declared for g in changed.groups] == [75, 25]
    # Indicator factors first (a1 doubled, scaled back inside 甲组), then the groups.
    both = varied(
        TWO,
        weight_table(TWO),
        Variation(weights={"a1": Fraction(2)}, groups={0: Fraction(3, 2), 1: Fraction(1, 2)}),
    )
    assert {i.code: i.weight for i in both.indicators()}["a1"] == 50  # 2/3 of 甲组's 75


def test_group_spread_moves_ranks_that_indicator_weights_cannot():
    """Units that differ only between groups never move with indicator weights, and do with group weights."""
    units = [*BETWEEN[:1], Unit(name="乙", data={"a1": 0, "a2": 0, "b1": 99, "b2": 99})]
    still = sensitivity(TWO, units, runs=20, seed=1, weight_spread=0.5)
    assert [(u.rank_low, u.rank_high) for u in still.units] == [(1, 1), (2, 2)]
    moved = sensitivity(TWO, units, runs=20, seed=1, weight_spread=0.5, group_spread=0.5)
    assert [(u.rank_low, u.rank_high) for u in moved.units] == [(1, 2), (1, 2)]
    assert moved.group_spread == Fraction(1, 2) and moved.to_records()["group_spread"] == 0.5


def test_base_samples_is_the_smallest_power_of_two():
    assert [base_samples(r, 2) for r in (1, 32, 33, 512, 513)] == [8, 8, 16, 128, 256]


def test_indices_of_a_tie_that_only_the_group_weights_break():
    """Rank of 甲 = 1 + [u乙 > u甲]: S1 = 1/3 and ST = 2/3 for each group, within the bootstrap intervals.

    For Y = [u2 > u1] with u1, u2 uniform: Var Y = 1/4, E[Y | u1] = 1 − u1 has
    variance 1/12, so S1 = 1/3 for each, and ST = 1 − S1(other) = 2/3.
    """
    result = sensitivity(TWO, BETWEEN, runs=256, seed=5, weight_spread=0, group_spread=0.2, indices=True)
    assert result.inputs == ("group:甲组", "group:乙组")
    assert result.runs == 64 * (2 + 2)
    first = result.unit("甲")
    assert first.indices is not None and len(first.indices) == 2
    for index in first.indices:
        assert abs(index.first - 1 / 3) <= index.first_conf, index
        assert abs(index.total - 2 / 3) <= index.total_conf, index
        assert index.first_conf < 0.3 and index.total_conf < 0.3  # informative intervals
    assert first.driver in {"group:甲组", "group:乙组"}
    # One of the two is always 2nd: the mean rank shift is always 1/2, nothing to attribute.
    assert result.indices is None


def test_indices_of_a_difference_inside_one_group():
    """Units that differ only inside 甲组: the weights of a1 and a2 carry it all, groups and 乙组 nothing."""
    result = sensitivity(TWO, INSIDE, runs=64, seed=3, weight_spread=0.3, group_spread=0.3, indices=True)
    records = {i.input: i for i in result.unit("乙").indices or ()}
    for name in ("weight:b1", "weight:b2", "group:甲组", "group:乙组"):
        assert (records[name].first, records[name].total) == (0, 0)
    assert records["weight:a1"].total > 0.3 and records["weight:a2"].total > 0.3
    assert result.indices is not None and isinstance(result.indices[0], InputIndex)
    assert result.unit("乙").driver in {"weight:a1", "weight:a2"}
    table = result.indices_table()
    assert "weight:a1" in table and "group:甲组" not in table  # inputs without effect are left out


def test_indices_need_something_that_varies():
    with pytest.raises(ValueError, match="needs something that varies"):
        sensitivity(TWO, INSIDE, runs=8, seed=1, weight_spread=0, indices=True)
    code, _, err = run("sensitivity", "xiamen-xiangan-2020", "sample", "--weight-spread", "0", "--indices")
    assert code == 2 and "--group-spread" in err


def test_jobs_give_the_same_result_as_one_process():
    """--jobs 2 sends chunks of runs to two processes: the records are the same as in one."""
    one = sensitivity(TWO, INSIDE, runs=40, seed=9, weight_spread=0.3, group_spread=0.3)
    two = sensitivity(TWO, INSIDE, runs=40, seed=9, weight_spread=0.3, group_spread=0.3, jobs=2)
    assert two.to_records() == one.to_records()
    assert [u.ranks for u in two.units] == [u.ranks for u in one.units]


def test_cli_indices_json_is_byte_identical_for_a_seed_and_with_jobs():
    args = ("sensitivity", "xiamen-xiangan-2020", "sample", "--runs", "40", "--seed", "7")
    args += ("--weight-spread", "0", "--group-spread", "0.3", "--indices", "--format", "json")
    code, out, err = run(*args)
    assert code == 0 and err == ""
    assert run(*args)[1] == out
    assert run(*args, "--jobs", "2")[1] == out
    data = json.loads(out)
    assert data["inputs"] == ["group:差异化指标", "group:共同性指标"] and data["runs"] == 64
    assert {"input", "first", "first_conf", "total", "total_conf"} == set(data["rank_shift_indices"][0])
    moved = [u for u in data["units"] if u["rank_low"] != u["rank_high"]]
    assert moved and all(u["driver"].startswith("group:") for u in moved)


def test_cli_chart_and_csv_driver(tmp_path):
    """-o chart.png draws the rank-interval chart (the table still goes to standard output)."""
    pytest.importorskip("matplotlib")
    chart = tmp_path / "chart.png"
    code, out, _ = run(
        "sensitivity", "xiamen-xiangan-2020", "sample", "--runs", "5", "--seed", "1", "-o", str(chart)
    )
    assert code == 0 and "名次区间(5%–95%)" in out
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    target = tmp_path / "ranks.csv"
    args = ("--group-spread", "0.3", "--indices", "--format", "csv", "-o", str(target))
    code, _, _ = run(
        "sensitivity",
        "xiamen-xiangan-2020",
        "sample",
        "--runs",
        "8",
        "--seed",
        "1",
        "--weight-spread",
        "0",
        *args,
    )
    assert code == 0
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(",driver") and len(lines) == 9


def _shenzhen_without_investment(name: str) -> tuple[Scheme, list[Unit]]:
    """Shenzhen's sample with one unit lacking its investment data, so its 政府投资项目 default (良区中值) fires."""
    scheme = load("shenzhen-2010-departments")
    units = []
    for unit in sample_units("shenzhen-2010-departments"):
        if unit.name == name:
            gone = ("投资计划下达额", "当期财政实际拨款额")
            unit = attrs.evolve(unit, data={k: v for k, v in unit.data.items() if k not in gone})
        units.append(unit)
    return scheme, units


def test_the_default_score_alternatives_move_a_unit_that_has_no_data():
    """市丁委 without investment data: 5th at the bottom of 良, 4th at its midpoint, 3rd at its top."""
    scheme, units = _shenzhen_without_investment("市丁委")
    expected = {"bottom": 5, "midpoint": 4, "top": 3}
    for score, rank in expected.items():
        result = evaluate(with_default_score(scheme, score), units)
        assert next(r.rank for r in result.results if r.unit == "市丁委") == rank
    ranks = sensitivity(scheme, units, runs=24, seed=2, weight_spread=0, vary_default_score=True)
    fourth = ranks.unit("市丁委")
    assert fourth.rank == 4 and set(fourth.ranks) == {3, 4, 5}
    assert ranks.to_records()["vary_default_score"] is True
    with pytest.raises(ValueError, match="has none"):
        sensitivity(TWO, INSIDE, runs=2, vary_default_score=True)


def test_a_single_uncertain_input_explains_everything():
    """With only the default score varying, S1 ≈ ST ≈ 1 for 市丁委's rank, within the bootstrap intervals."""
    scheme, units = _shenzhen_without_investment("市丁委")
    result = sensitivity(
        scheme, units, runs=96, seed=4, weight_spread=0, vary_default_score=True, indices=True
    )
    assert result.inputs == ("policy:default-score",) and result.runs == 32 * 3
    (index,) = result.unit("市丁委").indices or ()
    assert abs(index.first - 1) <= index.first_conf and abs(index.total - 1) <= index.total_conf
    assert result.unit("市丁委").driver == "policy:default-score"
    assert result.unit("市乙局").indices is None  # 1st whatever the default gives


def test_cli_vary_default_score_needs_such_defaults():
    code, _, err = run("sensitivity", "xiamen-xiangan-2020", "sample", "--vary-default-score", "--runs", "2")
    assert code == 2 and "--vary-default-score" in err
