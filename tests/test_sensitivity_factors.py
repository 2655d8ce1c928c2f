"""Tests for sensitivity's further factors: band boundaries, policies' alternatives and groups' means.

Every variant is a scheme built with attrs.evolve and scored by evaluate; the
small schemes here are worked by hand.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_run import run
from perfrules import (
    GradeScale,
    Group,
    Indicator,
    NotApplicable,
    Scheme,
    Unit,
    evaluate,
    load,
    load_units,
    sensitivity,
)
from perfrules.analysis.reweight import weight_table
from perfrules.analysis.sensitivity_runs import Variation, varied
from perfrules.analysis.variants import (
    POLICY_CHOICES,
    boundary_limit,
    policy_choices,
    shift_scale,
    shiftable_scales,
    with_aggregate,
    with_boundaries,
    with_policy,
)
from perfrules.cli.main import SENSITIVITY_POLICIES


def ranks(scheme: Scheme, units: list[Unit]) -> dict[str, int | None]:
    return {r.unit: r.rank for r in evaluate(scheme, units).results}


def grades(scheme: Scheme, units: list[Unit]) -> dict[str, str | None]:
    return {r.unit: r.grade for r in evaluate(scheme, units).results}


# ---------------------------------------------------------------------------
# Band boundaries
# ---------------------------------------------------------------------------

# A percent scheme whose total is the one indicator's score: the overall grade
# is perfrules' default (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below).
ONE = Scheme(
    name="一项",
    groups=[Group(name="组", children=[Indicator(code="1", name="得分", score="得分", weight=100)])],
)
TOTALS = [
    Unit(name="甲", data={"得分": Decimal("89.5")}),  # 良, 0.5 below 优
    Unit(name="乙", data={"得分": Decimal("95")}),  # 优, 5 above its boundary
    Unit(name="丙", data={"得分": Decimal("80.4")}),  # 良, 0.4 above 中
]


def test_a_boundary_shift_of_one_flips_the_grades_near_a_boundary_only():
    """Overall boundaries −1: 甲's 89.5 reaches 优 (89); +1: 丙's 80.4 falls to 中 (81); 乙 stays 优."""
    assert grades(ONE, TOTALS) == {"甲": "良", "乙": "优", "丙": "良"}
    assert grades(with_boundaries(ONE, {"overall": -1}), TOTALS) == {"甲": "优", "乙": "优", "丙": "良"}
    assert grades(with_boundaries(ONE, {"overall": 1}), TOTALS) == {"甲": "良", "乙": "优", "丙": "中"}
    shifted = with_boundaries(ONE, {"overall": 1}).overall_scale
    assert shifted is not None and shifted.boundaries == (0, 61, 81, 91, 100)  # 0 and 100 stay


def test_monte_carlo_grade_changes_and_intervals_from_boundary_shifts():
    """δ uniform on [−1, 1]: 甲 is 优 when δ ≤ −0.5 (a quarter of runs), 丙 is 中 when δ > 0.4 (30%)."""
    result = sensitivity(ONE, TOTALS, runs=200, seed=3, weight_spread=0, boundary_shift=1)
    assert result.boundary_scales == ("overall",)  # a formula score has no scale of its own
    first, second, third = (result.unit(name) for name in "甲乙丙")
    assert second.grade_changes == 0 and (second.grade_best, second.grade_worst) == ("优", "优")
    assert first.grade_changes is not None and 0.18 < first.grade_changes < 0.32
    assert (first.grade_best, first.grade_worst) == ("优", "良")
    assert third.grade_changes is not None and 0.22 < third.grade_changes < 0.38
    assert (third.grade_best, third.grade_worst) == ("良", "中")
    assert first.grades["优"] == first.grade_changes  # the only other grade it got
    # Grades do not move ranks.
    assert all(u.rank_low == u.rank_high == u.rank for u in result.units)
    record = result.to_records()
    assert record["boundary_shift"] == 1 and record["boundary_scales"] == ["overall"]
    stable = next(u for u in record["units"] if u["unit"] == "乙")
    assert stable["grade_changes"] == 0 and stable["grade_best"] == stable["grade_worst"] == "优"


# An indicator graded by a percentage: its boundaries move in percentage points.
RATE = GradeScale.parse(
    "优：完成率≥90%；良：80%≤完成率<90%；差：完成率<80%", domain=(0, 1), scoring="midpoint"
)
GRADED = Scheme(
    name="完成率",
    groups=[
        Group(
            name="组",
            children=[
                Indicator(code="1", name="完成", scale=RATE, weight=50),
                Indicator(code="2", name="其他", score="其他", weight=50),
            ],
        )
    ],
)
RATES = [
    Unit(name="甲", data={"完成率": Decimal("0.895"), "其他": 90}),  # 良 (85): total 87.5
    Unit(name="乙", data={"完成率": Decimal("0.95"), "其他": 82}),  # 优 (95): total 88.5
]


def test_a_percentage_boundary_moves_in_percentage_points_and_can_change_a_rank():
    """−1 point: 90% → 89%, 甲's 89.5% is 优 (95) and 甲 overtakes 乙; +1: 91%, nothing changes."""
    assert shift_scale(RATE, -1).boundaries == (0, Decimal("0.79"), Decimal("0.89"), 1)
    assert boundary_limit(RATE) == 10  # 80% is 80 points from 0%, 90% 10 from 100%
    assert ranks(GRADED, RATES) == {"甲": 2, "乙": 1}
    assert ranks(with_boundaries(GRADED, {"1": -1}), RATES) == {"甲": 1, "乙": 2}
    assert ranks(with_boundaries(GRADED, {"1": 1}), RATES) == {"甲": 2, "乙": 1}
    result = sensitivity(
        GRADED, RATES, runs=40, seed=1, weight_spread=0, boundary_shift=1, boundary_scales="1"
    )
    assert result.boundary_scales == ("1",)
    assert set(result.unit("甲").ranks) == {1, 2}


def test_shifts_keep_whole_steps_and_stop_short_of_fixed_values():
    """precision 0: a shift rounds to whole points; a shift that reaches a domain end is refused, by name."""
    whole = GradeScale.parse("优：得分≥90；良：80≤得分<90；差：得分<80", domain=(0, 100), precision=0)
    assert shift_scale(whole, Decimal("0.4")).boundaries == whole.boundaries
    assert shift_scale(whole, Decimal("0.6")).boundaries == (0, 81, 91, 100)
    thirds = GradeScale.parse("优：得分≥1/3；差：得分<1/3", domain=(0, 1))
    assert shift_scale(thirds, Decimal("0.1")).boundaries == (0, Fraction(13, 30), 1)  # exact, not rounded
    with pytest.raises(ValueError, match=r"overall grading allows a shift below 10.*-overall"):
        sensitivity(ONE, TOTALS, runs=2, boundary_shift=10)
    with pytest.raises(ValueError, match="has no threshold scale with boundaries to move"):
        sensitivity(ONE, TOTALS, runs=2, boundary_shift=1, boundary_scales="indicators")
    with pytest.raises(KeyError, match="no indicator '9'"):
        sensitivity(ONE, TOTALS, runs=2, boundary_shift=1, boundary_scales=["9"])
    # "all" then "-1": every scale but indicator 1's.
    assert set(shiftable_scales(GRADED)) == {"overall", "1"}
    result = sensitivity(GRADED, RATES, runs=2, seed=1, boundary_shift=1, boundary_scales=["all", "-1"])
    assert result.boundary_scales == ("overall",)


# ---------------------------------------------------------------------------
# Policies' alternatives
# ---------------------------------------------------------------------------

# a1 names b1 as the receiver of its weight when it does not apply.
NA = Scheme(
    name="不适用",
    basis="points",
    groups=[
        Group(
            name="甲组",
            children=[
                Indicator(code="a1", name="甲一", score="a1", weight=25, policies=[NotApplicable(to="b1")]),
                Indicator(code="a2", name="甲二", score="a2", weight=25),
            ],
        ),
        Group(name="乙组", children=[Indicator(code="b1", name="乙一", score="b1", weight=50)]),
    ],
)
NA_UNITS = [
    # a1 does not apply: receiver 25 + 75×0.6 = 70; group 50 + 50×0.6 = 80; scheme (25+30)/75×100 = 73⅓.
    Unit(name="甲", data={"a2": 25, "b1": 30}, not_applicable=["a1"]),
    Unit(name="乙", data={"a1": 18.75, "a2": 18.75, "b1": 37.5}),  # 75 under every alternative
]


def test_the_not_applicable_alternatives_are_the_scheme_models_settings():
    """receiver (as published), group (to=None), scheme (normalize=True): 甲 is first only under 'group'."""
    assert policy_choices(NA, "not-applicable") == ("receiver", "group", "scheme")
    totals = {
        choice: {
            r.unit: r.total for r in evaluate(with_policy(NA, "not-applicable", choice), NA_UNITS).results
        }
        for choice in ("receiver", "group", "scheme")
    }
    assert totals["receiver"] == {"甲": 70, "乙": 75}
    assert totals["group"] == {"甲": 80, "乙": 75}
    assert totals["scheme"]["甲"] == Fraction(220, 3)
    assert with_policy(NA, "not-applicable", "receiver") == NA  # the published choice is the scheme itself
    result = sensitivity(NA, NA_UNITS, runs=30, seed=4, weight_spread=0, vary_policies=["not-applicable"])
    first = result.unit("甲")
    assert first.rank == 2 and set(first.ranks) == {1, 2}
    assert result.alternatives == {"policy:not-applicable": ("receiver", "group", "scheme")}
    # Without a named receiver there are two alternatives only.
    plain = with_policy(NA, "not-applicable", "group")
    assert policy_choices(plain, "not-applicable") == ("group", "scheme")


def test_caps_and_grade_match_alternatives_change_grades():
    """m07: dropping the cap gives the unit whose 党建 share is below 60% its grade by the total alone."""
    m07 = load("docs/examples/mechanics/m07-group-conditions.toml")
    assert policy_choices(m07, "caps") == ("apply", "drop")
    assert policy_choices(m07, "grade-match") == ()  # its overall grading takes the first band that holds
    capped = Unit(name="丁", data={"业务完成率": 1, "党建完成率": Decimal("0.5")})  # 60 + 20 = 80, 党建 50%
    assert grades(m07, [capped]) == {"丁": "合格"}
    assert grades(with_policy(m07, "caps", "drop"), [capped]) == {"丁": "良好"}
    shenzhen = load("shenzhen-2010-departments")  # rule 12 takes the lowest grade of its criteria
    assert policy_choices(shenzhen, "grade-match") == ("lowest", "highest")
    highest = with_policy(shenzhen, "grade-match", "highest")
    assert highest.indicator("12").scale is not None and highest.indicator("12").scale.policy == "highest"
    with pytest.raises(ValueError, match="nothing to vary"):
        sensitivity(NA, NA_UNITS, runs=2, vary_policies=["caps"])
    with pytest.raises(ValueError, match="did you mean 'caps'"):
        sensitivity(NA, NA_UNITS, runs=2, vary_policies=["cap"])


def test_the_veto_alternatives_set_every_veto_alike():
    """m08: as 'zero' 甲's veto takes its total to 0 as well; as 'lowest_grade' 丙 keeps its 92 (ranked last)."""
    m08 = load("docs/examples/mechanics/m08-veto-effects.toml")
    units = load_units("docs/examples/mechanics/m08-veto-effects.csv")
    assert policy_choices(m08, "veto") == ("zero", "lowest_grade")
    totals = {
        choice: {r.unit: r.total for r in evaluate(with_policy(m08, "veto", choice), units).results}
        for choice in ("zero", "lowest_grade")
    }
    assert totals["zero"] == {"甲": 0, "乙": 85, "丙": 0, "丁": 78}
    assert totals["lowest_grade"] == {"甲": 95, "乙": 85, "丙": 92, "丁": 78}
    assert grades(with_policy(m08, "veto", "zero"), units)["甲"] == "不合格"


def test_the_cli_lists_the_policies_the_library_varies():
    assert tuple(POLICY_CHOICES) == SENSITIVITY_POLICIES


# ---------------------------------------------------------------------------
# Groups' means
# ---------------------------------------------------------------------------

MEANS = Scheme(
    name="均值",
    basis="points",
    groups=[
        Group(
            name="综合",
            children=[
                Indicator(code="1", name="一", score="一", weight=50),
                Indicator(code="2", name="二", score="二", weight=50),
            ],
        )
    ],
)
UNEVEN = [
    Unit(
        name="甲", data={"一": 50, "二": 20}
    ),  # shares 1 and 0.4: sum 70, geometric √0.4×100 ≈ 63.2, harmonic 57.1
    Unit(name="乙", data={"一": 33, "二": 33}),  # 66 under every mean
]


def test_a_geometric_mean_reverses_a_known_order():
    assert ranks(MEANS, UNEVEN) == {"甲": 1, "乙": 2}
    geometric = with_aggregate(MEANS, "groups[0]", "geometric")
    assert geometric.groups[0].places == 6  # a geometric mean is rounded; the group gave no places
    assert {r.unit: r.total for r in evaluate(geometric, UNEVEN).results}["甲"] == Decimal("63.245553")
    assert ranks(geometric, UNEVEN) == {"甲": 2, "乙": 1}
    assert ranks(with_aggregate(MEANS, "groups[0]", "harmonic"), UNEVEN) == {"甲": 2, "乙": 1}
    assert with_aggregate(geometric, "groups[0]", "sum").groups[0].places is None
    result = sensitivity(MEANS, UNEVEN, runs=30, seed=2, weight_spread=0, vary_aggregate=True)
    assert result.alternatives == {"aggregate:综合": ("sum", "geometric", "harmonic")}
    assert set(result.unit("甲").ranks) == {1, 2}
    with pytest.raises(ValueError, match="no group '总和'"):
        sensitivity(MEANS, UNEVEN, runs=2, vary_aggregate=["总和"])


def test_variants_made_by_the_same_choices_are_built_once():
    """The cache gives the second run with the same choices the very scheme (and compiled plan) of the first."""
    cache: dict[tuple[tuple[str, str, str], ...], Scheme] = {}
    choice = (("aggregate", "groups[0]", "geometric"),)
    table = weight_table(MEANS)
    first = varied(MEANS, table, Variation(choices=choice), cache)
    assert varied(MEANS, table, Variation(choices=choice), cache) is first
    assert list(cache) == [choice]


# ---------------------------------------------------------------------------
# Sobol' indices with discrete factors, and the command line
# ---------------------------------------------------------------------------


def test_indices_take_discrete_factors_as_a_uniform_split_into_choices():
    """One input, the group's mean: it explains all of 甲's rank (S1 = ST = 1 within their intervals)."""
    result = sensitivity(MEANS, UNEVEN, runs=48, seed=6, weight_spread=0, vary_aggregate=True, indices=True)
    assert result.inputs == ("aggregate:综合",)
    first = result.unit("甲")
    assert first.driver == "aggregate:综合"
    (index,) = first.indices or ()
    assert abs(index.first - 1) <= max(index.first_conf, 0.05)
    assert abs(index.total - 1) <= max(index.total_conf, 0.05)
    # sum for u < 1/3, so 甲 is first in about a third of the runs
    share = Fraction(first.ranks.count(1), len(first.ranks))
    assert Fraction(1, 5) < share < Fraction(1, 2)


def test_indices_name_every_kind_of_new_factor_in_order():
    result = sensitivity(
        GRADED,
        RATES,
        runs=16,
        seed=1,
        weight_spread=0,
        boundary_shift=1,
        vary_policies=["not-applicable"],
        vary_aggregate=True,
        indices=True,
    )
    assert result.inputs == ("boundary:overall", "boundary:1", "policy:not-applicable", "aggregate:组")


def test_the_command_line_varies_boundaries_policies_and_means():
    code, out, err = run(
        "sensitivity",
        "shenzhen-2010-departments",
        "sample",
        "--weight-spread",
        "0",
        "--boundary-shift",
        "2",
        "--boundary-scales",
        "overall",
        "--vary-policy",
        "grade-match",
        "--vary-aggregate",
        "行政效率",
        "--runs",
        "12",
        "--seed",
        "3",
        "--format",
        "json",
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["boundary_shift"] == 2 and record["boundary_scales"] == ["overall"]
    assert record["alternatives"] == {
        "policy:grade-match": ["lowest", "highest"],
        "aggregate:行政效率": ["sum", "geometric", "harmonic"],
    }
    assert {"grade_changes", "grade_best", "grade_worst"} <= set(record["units"][0])


def test_command_line_mistakes_name_the_options():
    code, _, err = run("sensitivity", "xiamen-xiangan-2020", "sample", "--boundary-shift", "-1")
    assert code == 2 and "--boundary-shift must be a number, 0 or more" in err
    code, _, err = run("sensitivity", "xiamen-xiangan-2020", "sample", "--vary-policy", "caps", "--runs", "2")
    assert code == 2 and "--vary-policy: scheme" in err and "nothing to vary for policy 'caps'" in err
    code, _, err = run(
        "sensitivity", "xiamen-xiangan-2020", "sample", "--vary-aggregate", "没有这组", "--runs", "2"
    )
    assert code == 2 and "--vary-aggregate: no group '没有这组'" in err


def test_jobs_give_the_same_result_with_the_new_factors():
    """The variants are rebuilt in each worker process (and cached there): the records are those of one process."""
    options = dict(
        runs=40,
        seed=8,
        weight_spread=0.2,
        boundary_shift=1,
        vary_policies=["not-applicable"],
        vary_aggregate=True,
    )
    one = sensitivity(GRADED, RATES, **options)
    two = sensitivity(GRADED, RATES, jobs=2, **options)
    assert two.to_records() == one.to_records()
    assert [u.ranks for u in two.units] == [u.ranks for u in one.units]
    assert len(set(one.unit("甲").ranks)) == 2  # something moved


@given(
    cuts=st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=4, unique=True),
    delta=st.decimals(min_value=-5, max_value=5, places=2),
)
@settings(max_examples=40, deadline=None)
def test_a_shift_within_the_limit_moves_every_inner_boundary_by_exactly_delta(cuts, delta):
    """Any bands on 0–100: a shift short of the limit is valid, moves each cut by δ, keeps 0 and 100."""
    cuts = sorted(cuts, reverse=True)
    names = ["优", "良", "中", "差", "劣"][: len(cuts) + 1]
    bands = [f"{names[0]}：得分≥{cuts[0]}"]
    bands += [f"{names[i + 1]}：{cuts[i + 1]}≤得分<{cuts[i]}" for i in range(len(cuts) - 1)]
    bands.append(f"{names[len(cuts)]}：得分<{cuts[-1]}")
    scale = GradeScale.parse("；".join(bands), domain=(0, 100), scoring="none")
    limit = boundary_limit(scale)
    assert limit == min(min(c, 100 - c) for c in cuts)
    if abs(delta) >= limit:
        return
    moved = shift_scale(scale, delta)
    assert moved.boundaries == (0, *sorted(Decimal(c) + delta for c in cuts), 100)
    assert [b.name for b in moved.bands] == names
