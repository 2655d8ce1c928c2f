"""Whole steps and open limits: unclamped scores, totals below 0 or above full marks, caps that are formulas."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import (
    Adjust,
    Group,
    Indicator,
    Scheme,
    SchemeError,
    Unit,
    evaluate,
    load,
    load_units,
    loads,
    scheme_json_schema,
    scheme_to_mapping,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "cookbook" / "open-limits"


def _by_unit():
    scheme = load(EXAMPLE.with_suffix(".toml"))
    result = evaluate(scheme, load_units(EXAMPLE.with_suffix(".csv"), scheme=scheme))
    return {r.unit: r for r in result.results}


def test_the_open_limits_recipe_gives_the_hand_worked_totals():
    """60×(x−50)/(90−50) unclamped, plus 40×min(增速/目标, 1) and 0.25分 per whole point over target, capped by tier.

    甲 52.5 + 40 + floor(2.5)=2 × 0.25 = 93; 乙 67.5 + 40 + 8 × 0.25 = 109.5 (tier cap 2 reached, not passed);
    丙 −15 + 40 = 25; 丁 −30 + 10 = −20; 戊 60 + 40 + min(20 × 0.25, 3) = 103.
    """
    units = _by_unit()
    totals = {name: r.total for name, r in units.items()}
    assert totals == {
        "甲": Decimal(93),
        "乙": Decimal("109.5"),
        "丙": Decimal(25),
        "丁": Decimal(-20),
        "戊": Decimal(103),
    }
    frontier = {name: r.indicators[0].score for name, r in units.items()}
    assert frontier == {
        "甲": Decimal("52.5"),
        "乙": Decimal("67.5"),
        "丙": Decimal(-15),
        "丁": Decimal(-30),
        "戊": Decimal(60),
    }
    # (15% − 7%) / 1% is exactly 8 whole points: never 7 from binary rounding
    assert units["乙"].indicators[1].values["超额点数"] == 8
    assert units["戊"].indicators[1].score == Decimal(43)
    assert not any(e.kind == "capped" for r in units.values() for e in r.events)
    assert [r.rank for r in sorted(units.values(), key=lambda r: r.rank)] == [1, 2, 3, 4, 5]


def test_limits_are_data_and_round_trip():
    """max_score/min_score "none", a formula cap and floor_total come back from scheme_to_mapping."""
    scheme = load(EXAMPLE.with_suffix(".toml"))
    data = scheme_to_mapping(scheme)
    assert data["floor_total"] is False and data["cap_total"] is False
    first, second = data["indicators"]
    assert first["max_score"] == "none" and first["min_score"] == "none"
    assert second["max_score"] == "none" and "min_score" not in second
    assert second["policies"][0]["cap"] == "if(目标增速>=8%, 3, 2)"
    props = scheme_json_schema()["$defs"]["indicator"]["properties"]
    assert {"const": "none"} in props["min_score"]["anyOf"]


def _one(**fields):
    ind = Indicator(code="1", name="指标", weight=10, score="得分", **fields)
    return Scheme(name="t", basis="points", total=10, groups=[Group(name="g", children=[ind])])


@settings(max_examples=120, deadline=None)
@given(
    raw=st.decimals(-50, 50, places=2),
    low=st.one_of(st.just("none"), st.decimals(-20, 5, places=1)),
    high=st.one_of(st.just("none"), st.none(), st.decimals(5, 30, places=1)),
)
def test_a_score_is_kept_within_its_limits_and_no_further(raw, low, high):
    """The score is the formula's value clamped to [min_score, max_score]; an open end clamps nothing."""
    scheme = _one(min_score=low, max_score=high)
    (result,) = evaluate(scheme, [Unit(name="甲", data={"得分": raw})], explained=True).results
    value = Fraction(raw)
    if low != "none":
        value = max(value, Fraction(low))
    upper = Fraction(10) if high is None else None if high == "none" else Fraction(high)
    if upper is not None:
        value = min(value, upper)
    assert Fraction(result.indicators[0].score) == value
    assert any(e.kind == "capped" for e in result.indicators[0].events) == (value != Fraction(raw))


@settings(max_examples=80, deadline=None)
@given(count=st.integers(0, 40), tier=st.sampled_from([1, 2, 3]))
def test_a_formula_cap_limits_the_adjustment_to_its_value(count, tier):
    """加分 = min(count × 0.5, cap by tier): tier 1 → 3, tier 2 → 2, else 1."""
    ind = Indicator(
        code="1",
        name="指标",
        weight=10,
        score="5",
        max_score="none",
        policies=[Adjust(per="项数", points=Decimal("0.5"), cap="if(档次=1, 3, if(档次=2, 2, 1))")],
    )
    scheme = Scheme(
        name="t", basis="points", total=10, cap_total=False, groups=[Group(name="g", children=[ind])]
    )
    (result,) = evaluate(scheme, [Unit(name="甲", data={"项数": count, "档次": tier})]).results
    cap = {1: 3, 2: 2, 3: 1}[tier]
    assert result.total == 5 + min(Fraction(count, 2), cap)


def test_a_total_below_zero_is_floored_unless_the_scheme_says_otherwise():
    """扣分 past 0 for the whole unit: 0 with floor_total (the default), −3 without."""
    text = """
format = "perfrules-scheme/1"
name = "t"
basis = "points"
total = 10
{floor}
groups = [{{ name = "g" }}]
[[indicators]]
code = "1"
name = "x"
group = "g"
weight = 10
score = "得分"
[[policies]]
type = "adjust"
per = "事故"
points = -5
"""
    unit = [Unit(name="甲", data={"得分": 2, "事故": 1})]
    (kept,) = evaluate(loads(text.format(floor="")), unit).results
    (open_,) = evaluate(loads(text.format(floor="floor_total = false")), unit).results
    assert kept.total == 0 and any(e.kind == "capped" for e in kept.events)
    assert open_.total == -3 and not any(e.kind == "capped" for e in open_.events)


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ('max_score = "none"', "indicators[0].max_score", "must be 'none'"),
        ('cap = "if(目标增速>=8%, 3, 2)"', "indicators[1].policies[0].cap", "never closed"),
        ('cap = "if(目标增速>=8%, 3, 2)"', "indicators[1].policies[0]", "must be a number or a formula"),
        ("floor_total = false", "floor_total", "true or false"),
    ],
)
def test_validate_names_the_place_of_a_misused_limit(change, path, message):
    """A misspelt "none", a broken cap formula, a condition as a cap, a non-boolean floor_total."""
    text = EXAMPLE.with_suffix(".toml").read_text(encoding="utf-8")
    bad = {
        "indicators[0].max_score": 'max_score = "nothing"',
        "indicators[1].policies[0].cap": 'cap = "if(目标增速>=8%, 3"',
        "indicators[1].policies[0]": 'cap = "目标增速>=8%"',
        "floor_total": 'floor_total = "no"',
    }[path]
    assert change in text
    with pytest.raises(SchemeError) as info:
        loads(text.replace(change, bad, 1))
    found = {p.path: p.message for p in info.value.problems}
    assert path in found and message in found[path], found


@pytest.mark.parametrize("name", ["printed-bands", "open-limits", "rank-gated"])
def test_the_new_recipes_round_trip_through_toml_and_json(name):
    """Limits, formula caps, rank settings and printed rules are written back and read as the same scheme."""
    from perfrules import dumps

    scheme = load(ROOT / "docs" / "examples" / "cookbook" / f"{name}.toml")
    assert loads(dumps(scheme)) == scheme
    assert loads(dumps(scheme, format="json"), format="json") == scheme


def test_a_scheme_wide_adjustment_may_have_a_formula_cap():
    """奖励分 per award, capped at 3 for 一类 units and 2 for the others; the cap reads the unit's data."""
    text = """
format = "perfrules-scheme/1"
name = "t"
basis = "points"
total = 10
cap_total = false
groups = [{ name = "g" }]
[[indicators]]
code = "1"
name = "x"
group = "g"
weight = 10
score = "得分"
[[policies]]
type = "adjust"
per = "获奖数"
points = 1
cap = "if(类别代码=1, 3, 2)"
reason = "奖励分"
"""
    units = [
        Unit(name="甲", data={"得分": 8, "获奖数": 5, "类别代码": 1}),
        Unit(name="乙", data={"得分": 8, "获奖数": 5, "类别代码": 2}),
        Unit(name="丙", data={"得分": 8, "获奖数": 1, "类别代码": 2}),
    ]
    result = evaluate(loads(text), units)
    assert [r.total for r in result.results] == [11, 10, 9]
    assert any("if(类别代码=1, 3, 2)" in e.message for e in result.results[0].events)
