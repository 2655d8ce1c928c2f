"""Groups that take a weighted geometric or harmonic mean (aggregate, places), worked by hand.

The recipe docs/examples/cookbook/group-means.toml is checked figure by figure; the
geometric mean's rounding is exact at a boundary; validation names the place.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import SchemeError, Unit, dumps, evaluate, load, load_units, loads

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "cookbook" / "group-means"


def _results(explained: bool = True):
    scheme = load(EXAMPLE.with_suffix(".toml"))
    units = load_units(EXAMPLE.with_suffix(".csv"), scheme=scheme)
    return {r.unit: r for r in evaluate(scheme, units, explained=explained)}


def test_the_recipe_gives_the_hand_worked_totals():
    """甲 60×√(0.81×1)=54, 20×2/(1/0.5+1/1)=13.33, 15 → 82.33; 乙 30+16+20=66;
    丙 60×√(0.64×0.5)=33.941…→33.94, a zero share makes the harmonic mean 0, 10 → 43.94;
    丁 60×√(0.9×0.4)=36, 20×2/(1+4)=8, 18 → 62."""
    results = _results()
    assert {u: r.total for u, r in results.items()} == {
        "甲": Decimal("82.33"),
        "乙": Decimal(66),
        "丙": Decimal("43.94"),
        "丁": Decimal(62),
    }
    groups = {u: [g.contribution for g in r.groups] for u, r in results.items()}
    assert groups["甲"] == [Decimal(54), Decimal("13.33"), Decimal(15)]
    assert groups["丙"] == [Decimal("33.94"), Decimal(0), Decimal(10)]
    lean = _results(explained=False)
    assert {u: r.total for u, r in lean.items()} == {u: r.total for u, r in results.items()}
    events = [e.message for e in results["丙"].events]
    assert any("几何平均" in m and "保留 2 位小数" in m and "33.94" in m for m in events), events


def test_the_recipe_round_trips():
    scheme = load(EXAMPLE.with_suffix(".toml"))
    assert loads(dumps(scheme)) == scheme
    assert loads(dumps(scheme, format="json"), format="json") == scheme


def _one_group(how: str, places: int | None, weights: tuple[int, int] = (50, 50)) -> str:
    extra = f", places = {places}" if places is not None else ""
    return f"""
name = "t"
basis = "points"
total = {sum(weights)}
groups = [{{ name = "g", aggregate = "{how}"{extra} }}]
[[indicators]]
code = "1"
name = "a"
group = "g"
weight = {weights[0]}
score = "分值×x"
[[indicators]]
code = "2"
name = "b"
group = "g"
weight = {weights[1]}
score = "分值×y"
"""


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ("0.0152399025", Decimal("12.35")),  # √x × 100 = 12.345 exactly: half up
        ("0.0152399024", Decimal("12.34")),  # a hair below the boundary
    ],
)
def test_a_geometric_mean_on_a_rounding_boundary_is_rounded_exactly(x, expected):
    scheme = loads(_one_group("geometric", 2), format="toml")
    for explained in (True, False):
        (r,) = evaluate(scheme, [Unit(name="u", data={"x": Decimal(x), "y": 1})], explained=explained)
        assert r.total == expected


def test_a_harmonic_mean_without_places_stays_an_exact_fraction():
    """100 × 2 / (1/(1/3) + 1/1) = 50; with shares 1/2 and 1: 100 × 2/3 = 200/3, not a rounded float."""
    scheme = loads(_one_group("harmonic", None), format="toml")
    (r,) = evaluate(scheme, [Unit(name="u", data={"x": Decimal("0.5"), "y": 1})])
    assert r.total == Fraction(200, 3)


def test_a_part_that_does_not_apply_takes_no_part():
    """b does not apply: its weight moves to a, and the mean is a's share alone: 100 × 0.64 = 64."""
    scheme = loads(_one_group("geometric", 2), format="toml")
    (r,) = evaluate(scheme, [Unit(name="u", data={"x": Decimal("0.64")}, not_applicable={"2"})])
    assert r.total == Decimal(64)


def test_the_overall_grading_reads_the_mean_as_the_groups_score():
    text = _one_group("geometric", 2) + '[overall]\nrule = "g得分>=60为好；g得分<60为差"\n'
    scheme = loads(text, format="toml")
    # arithmetic (0.36+1)/2 = 68% would be 好; the geometric mean √0.36 = 60% is 好 only just
    results = evaluate(
        scheme,
        [
            Unit(name="u", data={"x": Decimal("0.36"), "y": 1}),
            Unit(name="v", data={"x": Decimal("0.35"), "y": 1}),
        ],
    )
    assert [(r.total, r.grade) for r in results] == [(Decimal(60), "好"), (Decimal("59.16"), "差")]


@pytest.mark.parametrize(
    ("group", "path", "message"),
    [
        ('{ name = "g", aggregate = "geometric" }', "groups[0].places", "generally irrational"),
        ('{ name = "g", places = 2 }', "groups[0].places", "adds its parts up exactly"),
        ('{ name = "g", aggregate = "geometrc", places = 2 }', "groups[0].aggregate", "geometric"),
    ],
)
def test_misuse_is_refused_with_a_path(group, path, message):
    text = _one_group("sum", None).replace('[{ name = "g", aggregate = "sum" }]', f"[{group}]")
    with pytest.raises(SchemeError) as info:
        loads(text, format="toml")
    found = {p.path: p.message for p in info.value.problems}
    assert path in found and message in found[path], found


_SHARE = st.fractions(min_value=0, max_value=1, max_denominator=50)


@settings(max_examples=60, deadline=None)
@given(x=_SHARE, y=_SHARE, w=st.integers(1, 99))
def test_harmonic_at_most_geometric_at_most_arithmetic(x, y, w):
    """HM ≤ GM ≤ AM for any shares and weights (the geometric mean within its rounding), on both paths."""
    data = {"x": x, "y": y}
    totals = {}
    for how, places in (("harmonic", None), ("geometric", 6), ("sum", None)):
        scheme = loads(_one_group(how, places, (w, 100 - w)), format="toml")
        (full,) = evaluate(scheme, [Unit(name="u", data=data)])
        (lean,) = evaluate(scheme, [Unit(name="u", data=data)], explained=False)
        assert full.total == lean.total
        totals[how] = Fraction(full.total)
    half = Fraction(1, 2 * 10**6)
    assert totals["harmonic"] <= totals["geometric"] + half
    assert totals["geometric"] <= totals["sum"] + half
    assert totals["sum"] == w * x + (100 - w) * y


@pytest.mark.parametrize("digits", [14, 16, 17, 26, 60])  # 14, 17 and 26 fall below 12.345
def test_the_rounding_is_decided_exactly_whatever_the_approximation(monkeypatch, digits):
    """With few digits the approximation of √0.0152399025 × 100 = 12.345 may fall either side; the exact check decides."""
    from perfrules.scoring import means as _means

    monkeypatch.setattr(_means, "_DIGITS", digits)
    pairs = [(Fraction(50), Fraction("0.0152399025")), (Fraction(50), Fraction(1))]
    assert _means._geometric(pairs, Fraction(100), 2) == Decimal("12.35")
    below = [(Fraction(50), Fraction("0.0152399024")), (Fraction(50), Fraction(1))]
    assert _means._geometric(below, Fraction(100), 2) == Decimal("12.34")
