"""Ranks as schemes use them: ties, ranks over the units meeting a condition, and vacated places."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import Group, Indicator, Rank, Scheme, SchemeError, Unit, evaluate, load, load_units, loads

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "cookbook" / "rank-gated"


def test_the_gated_rank_recipe_gives_the_hand_worked_points():
    """GDP增速 among the four units at 8 or more: 乙 1st (3), 甲/丁 share 2nd–3rd ((2+1)/2 = 1.5), 丙 4th (0).

    收入增速 among all six: 戊 1st (2), 乙 2nd — but 95% of target, so its 1 point lapses; 丁 3rd gets nothing.
    """
    scheme = load(EXAMPLE.with_suffix(".toml"))
    result = evaluate(scheme, load_units(EXAMPLE.with_suffix(".csv"), scheme=scheme))
    got = {r.unit: [i.score for i in r.indicators] for r in result.results}
    assert got == {
        "甲": [Decimal("1.5"), Decimal(0)],
        "乙": [Decimal(3), Decimal(0)],
        "丙": [Decimal(0), Decimal(0)],
        "丁": [Decimal("1.5"), Decimal(0)],
        "戊": [Decimal(0), Decimal(2)],
        "己": [Decimal(0), Decimal(0)],
    }
    assert {r.unit: r.rank for r in result.results} == {"乙": 1, "戊": 2, "甲": 3, "丁": 3, "丙": 5, "己": 5}


def test_passing_a_vacated_place_down_instead_gives_it_to_the_next_unit():
    """The same 收入增速 rule with vacated = "pass_down": 丁 moves up to 2nd and gets 1."""
    text = (
        EXAMPLE.with_suffix(".toml")
        .read_text(encoding="utf-8")
        .replace('vacated = "lapse"', 'vacated = "pass_down"')
    )
    scheme = loads(text)
    result = evaluate(scheme, load_units(EXAMPLE.with_suffix(".csv"), scheme=scheme))
    second = {r.unit: r.indicators[1].score for r in result.results}
    assert second == {"甲": 0, "乙": 0, "丙": 0, "丁": 1, "戊": 2, "己": 0}


def _scheme(**rank):
    placed = Indicator(
        code="1",
        name="名次",
        weight=1,
        score="名次",
        max_score="none",
        min_score="none",
        steps=[Rank(target="名次", of="x", **rank)],
    )
    points = Indicator(
        code="2",
        name="加分",
        weight=1,
        score="加分",
        max_score="none",
        min_score="none",
        steps=[Rank(target="加分", of="x", points={1: 5, 2: 3, 3: 1}, bottom_points={1: -2, 2: -1}, **rank)],
    )
    return Scheme(
        name="t",
        basis="points",
        total=2,
        cap_total=False,
        floor_total=False,
        groups=[Group(name="g", children=[placed, points])],
    )


def _reference(values, eligible, *, ties, order, vacated):
    """Places and points by the definitions, one unit at a time (no sorting, no bisection)."""
    points, bottom_points = {1: 5, 2: 3, 3: 1}, {1: -2, 2: -1}
    counted = [v for v, ok in zip(values, eligible, strict=True) if ok or vacated == "lapse"]
    out = []
    for mine, ok in zip(values, eligible, strict=True):
        if not ok:
            out.append((None, Fraction(0)))
            continue

        def better(a, b):
            return a > b if order == "desc" else a < b

        above = sum(1 for v in counted if better(v, mine))
        below = sum(1 for v in counted if better(mine, v))
        tied = sum(1 for v in counted if v == mine)
        if ties == "dense":
            top = 1 + len({v for v in counted if better(v, mine)})
            end = 1 + len({v for v in counted if better(mine, v)})
            out.append((Fraction(top), Fraction(points.get(top, 0) + bottom_points.get(end, 0))))
        elif ties == "min":
            out.append(
                (Fraction(above + 1), Fraction(points.get(above + 1, 0) + bottom_points.get(below + 1, 0)))
            )
        else:
            span = range(above + 1, above + 1 + tied)
            ends = range(below + 1, below + 1 + tied)
            share = Fraction(
                sum(points.get(p, 0) for p in span) + sum(bottom_points.get(p, 0) for p in ends), tied
            )
            out.append((Fraction(above + 1) + Fraction(tied - 1, 2), share))
    return out


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=1, max_size=9),
    ties=st.sampled_from(["min", "average", "dense"]),
    order=st.sampled_from(["desc", "asc"]),
    gated=st.booleans(),
    vacated=st.sampled_from(["pass_down", "lapse"]),
)
def test_ranks_and_points_match_their_definitions_with_ties_and_conditions(rows, ties, order, gated, vacated):
    """Every unit's place and points equal the definitions worked out unit by unit."""
    if not gated:
        rows = [(v, True) for v, _ in rows]
        vacated = "pass_down"
    rank = {"ties": ties, "order": order, "vacated": vacated}
    if gated:
        rank["when"] = "ok=1"
    units = [Unit(name=f"u{i}", data={"x": v, "ok": int(ok)}) for i, (v, ok) in enumerate(rows)]
    result = evaluate(_scheme(**rank), units)
    expected = _reference(
        [v for v, _ in rows], [ok for _, ok in rows], ties=ties, order=order, vacated=vacated
    )
    for unit, (place, points) in zip(result.results, expected, strict=True):
        placed, earned = unit.indicators
        if place is None:
            assert placed.error is not None and "not ranked" in str(placed.error)
        else:
            assert Fraction(placed.score) == place
        assert Fraction(earned.score) == points


def test_tied_units_share_places_as_the_setting_says():
    """95, 90, 90, 80: min 1, 2, 2, 4; average 1, 2.5, 2.5, 4; dense 1, 2, 2, 3."""
    units = [Unit(name=n, data={"x": v, "ok": 1}) for n, v in zip("甲乙丙丁", [95, 90, 90, 80], strict=True)]
    for ties, places in {
        "min": [1, 2, 2, 4],
        "average": [1, Decimal("2.5"), Decimal("2.5"), 4],
        "dense": [1, 2, 2, 3],
    }.items():
        result = evaluate(_scheme(ties=ties), units)
        assert [r.indicators[0].score for r in result.results] == places, ties
    # points: 5/3/1 from the top, −2/−1 from the bottom; the tied pair spans places 2–3 from either
    # end, so each gets (3 + 1) / 2 − (1 + 0) / 2 = 1.5
    result = evaluate(_scheme(ties="average"), units)
    assert [r.indicators[1].score for r in result.results] == [5, Decimal("1.5"), Decimal("1.5"), -2]


def test_a_unit_left_unplaced_says_why():
    """A plain rank has no value for a unit `when` leaves out: the error names the condition."""
    units = [Unit(name="甲", data={"x": 5, "ok": 1}), Unit(name="乙", data={"x": 9, "ok": 0})]
    result = evaluate(_scheme(when="ok=1"), units)
    assert result.results[0].indicators[0].score == 1
    error = str(result.results[1].indicators[0].error)
    assert "not ranked" in error and "ok=1" in error


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ('vacated = "lapse"', 'vacated = "lapsed"', "indicators[1].steps[0].vacated", "lapse"),
        ('ties = "average"', 'ties = "mean"', "indicators[0].steps[0].ties", "average"),
        ('when = "GDP增速>=8"', 'when = "GDP增速>="', "indicators[0].steps[0].when", "^"),
        ('when = "收入完成率>=100%"', "", "indicators[1].steps[0].vacated", "only a rank with 'when'"),
    ],
)
def test_validate_names_the_place_of_a_misused_rank_setting(old, new, path, message):
    """A misspelt choice, a broken condition, and a vacated place with no condition to vacate it."""
    text = EXAMPLE.with_suffix(".toml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(SchemeError) as info:
        loads(text.replace(old, new, 1))
    found = {p.path: p.message for p in info.value.problems}
    assert path in found and message in found[path], found
