"""A group's weight as one number (Group.weight): in the file, in the model and in reweight."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from perfrules import SchemeError, dumps, evaluate, load, load_units, loads, reweight

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "cookbook" / "group-weight"


def test_the_shares_are_scaled_to_the_pillar_weight():
    """1:3 of 40 → 10 and 30; three equal shares of 60 → 20 each; 甲 9 + 24 + 42 = 75, 乙 6 + 30 + 54 = 90."""
    scheme = load(EXAMPLE.with_suffix(".toml"))
    assert [i.weight for i in scheme.indicators()] == [10, 30, 20, 20, 20]
    results = evaluate(scheme, load_units(EXAMPLE.with_suffix(".csv"), scheme=scheme))
    assert {r.unit: r.total for r in results} == {"甲": Decimal(75), "乙": Decimal(90)}
    assert loads(dumps(scheme)) == scheme
    assert loads(dumps(scheme, format="json"), format="json") == scheme


def test_reweighting_a_pillar_as_one_number():
    scheme = load(EXAMPLE.with_suffix(".toml"))
    moved = reweight(scheme, {"经济发展": 50}, rebalance=True)
    assert [i.weight for i in moved.indicators()] == [
        Decimal("12.5"),
        Decimal("37.5"),
        Fraction(50, 3),
        Fraction(50, 3),
        Fraction(50, 3),
    ]
    assert [g.weight for g in moved.groups] == [50, 50]
    assert loads(dumps(moved)) == moved
    # 甲 12.5×0.9 + 37.5×0.8 + 50/3×2.1 = 11.25 + 30 + 35 = 76.25
    results = evaluate(moved, load_units(EXAMPLE.with_suffix(".csv"), scheme=moved))
    assert {r.unit: r.total for r in results}["甲"] == Decimal("76.25")
    both = reweight(scheme, {"经济发展": 30, "社会民生": 70})
    assert [i.weight for i in both.indicators()] == [
        Decimal("7.5"),
        Decimal("22.5"),
        Fraction(70, 3),
        Fraction(70, 3),
        Fraction(70, 3),
    ]


def test_a_pillar_change_that_breaks_the_total_is_refused():
    scheme = load(EXAMPLE.with_suffix(".toml"))
    with pytest.raises(SchemeError) as info:
        reweight(scheme, {"经济发展": 50})
    assert "add up to 110%, not 100%" in str(info.value)
    with pytest.raises(ValueError, match="two calls"):
        reweight(scheme, {"经济发展": 50, "1": 3})


def test_a_pillar_weight_with_no_shares_below_is_refused():
    text = (
        (EXAMPLE.with_suffix(".toml"))
        .read_text(encoding="utf-8")
        .replace('weight = 1\nscore = "a"', 'weight = 0\nscore = "a"')
    )
    text = text.replace('weight = 3\nscore = "b"', 'weight = 0\nscore = "b"')
    with pytest.raises(SchemeError) as info:
        loads(text)
    found = {p.path: p.message for p in info.value.problems}
    assert any(p.endswith(".weight") and "weigh nothing" in m for p, m in found.items()), found
