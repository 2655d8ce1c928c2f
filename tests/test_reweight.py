"""Tests for reweight, compare and compare_schemes."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import (
    Group,
    Indicator,
    Scheme,
    SchemeError,
    Unit,
    compare,
    compare_schemes,
    evaluate,
    load,
    reweight,
)

SHENZHEN = load("shenzhen-2010-departments")
XIAMEN = load("xiamen-xiangan-2020")


def _subtotals(scheme: Scheme) -> dict[tuple[str, str | None], Fraction]:
    """Every group's sum of weights, per column."""
    return {
        (path, col): sum((Fraction(i.weight_for(col)) for i in node.indicators()), Fraction(0))
        for path, node in scheme.paths()
        if isinstance(node, Group)
        for col in scheme.weight_columns()
    }


def _declared_hold(scheme: Scheme) -> bool:
    for col in scheme.weight_columns():
        for _, node in scheme.paths():
            if isinstance(node, Group) and node.declared_for(col) is not None:
                got = sum((Fraction(i.weight_for(col)) for i in node.indicators()), Fraction(0))
                if got != node.declared_for(col):
                    return False
        if sum((Fraction(i.weight_for(col)) for i in scheme.indicators()), Fraction(0)) != scheme.total:
            return False
    return True


def test_reweight_by_code_and_by_name():
    """Indicators are named by code or by name; moving points inside a declared group stays valid."""
    by_code = reweight(XIAMEN, {"5": 40, "6": 20})
    by_name = reweight(XIAMEN, {"改革创新": 40, "市对区绩效指标得分情况": 20})
    assert by_code == by_name
    assert by_code.indicator("5").weight == 40 and by_code.indicator("6").weight == 20
    # In a points scheme the old points stay the scale the score was awarded on.
    assert by_code.indicator("5").full == 30
    assert by_code.groups[0].declared == 420
    assert XIAMEN.indicator("5").weight == 30  # the original is untouched


def test_reweight_a_category_column():
    """category= changes one column only; the other categories keep their weights."""
    changed = reweight(SHENZHEN, {"1": 26, "4": 10}, category="委")
    assert changed.indicator("1").weights == {"委": 26, "局": 30, "办": 35}
    assert changed.indicator("4").weights == {"委": 10, "局": 6, "办": 6}
    # Without category=, every column gets the new weight (and the total breaks for 办: 35 → 26).
    with pytest.raises(SchemeError, match="办"):
        reweight(SHENZHEN, {"1": 26, "4": 10})


def test_unknown_keys_suggest_close_names():
    """Unknown indicators and categories raise KeyError with a did-you-mean."""
    with pytest.raises(KeyError, match="did you mean '公共服务白皮书'"):
        reweight(SHENZHEN, {"公共服务白皮": 30})
    with pytest.raises(KeyError, match="did you mean '委'"):
        reweight(SHENZHEN, {"1": 30}, category="委员")
    with pytest.raises(ValueError, match="no categories"):
        reweight(XIAMEN, {"1": 30}, category="委")
    with pytest.raises(ValueError, match="both name indicator 5"):
        reweight(XIAMEN, {"5": 30, "改革创新": 30})


def test_an_unbalanced_change_lists_every_broken_total():
    """Changing one weight alone breaks the total and the declared subtotal: both are listed."""
    with pytest.raises(SchemeError) as info:
        reweight(XIAMEN, {"1": 69})
    assert "rebalance=True" in info.value.title
    assert [p.path for p in info.value.problems] == ["weights", "groups[0].declared"]


def test_rebalance_scales_the_siblings_exactly():
    """rebalance=True scales the rest of the innermost group: 差异化指标 keeps its 420, exactly."""
    changed = reweight(XIAMEN, {"1": 69}, rebalance=True)
    assert changed.indicator("1").weight == 69
    assert changed.indicator("2").weight == 27 and changed.indicator("8").weight == 36  # × 351/390
    assert _subtotals(changed) == _subtotals(XIAMEN)
    odd = reweight(SHENZHEN, {"2": 8}, category="委", rebalance=True)
    assert odd.indicator("1").weights["委"] == Fraction(186, 7)  # 30 × 31/35, not rounded
    assert odd.indicator("1").weights["局"] == 30
    assert _subtotals(odd) == _subtotals(SHENZHEN)


def test_rebalance_needs_somewhere_to_put_the_weight():
    """A group with one indicator, or changes bigger than the group, cannot be rebalanced."""
    with pytest.raises(SchemeError, match="no other indicator"):
        reweight(SHENZHEN, {"4": 5}, category="办", rebalance=True)
    with pytest.raises(SchemeError, match="more than the 420"):
        reweight(XIAMEN, {"1": 300, "2": 200}, rebalance=True)


_MOVABLE = [i.code for i in XIAMEN.indicators() if i.code not in {"1"}]


@settings(max_examples=30, deadline=None)
@given(
    code=st.sampled_from(_MOVABLE),
    value=st.fractions(min_value=0, max_value=60, max_denominator=12),  # 60: Xiamen's smallest group
    category=st.sampled_from(["委", "局", "办", None]),
)
def test_rebalance_keeps_every_declared_subtotal(code, value, category):
    """Property: any rebalanced change keeps every group's subtotal, declared or not, and the total."""
    xiamen = reweight(XIAMEN, {code: value}, rebalance=True)
    assert xiamen.indicator(code).weight == value
    assert _subtotals(xiamen) == _subtotals(XIAMEN) and _declared_hold(xiamen)
    target = "1" if category is None else "3"
    try:
        shenzhen = reweight(SHENZHEN, {target: value / 4}, category=category, rebalance=True)
    except SchemeError:
        return  # more than the group holds
    assert _subtotals(shenzhen) == _subtotals(SHENZHEN) and _declared_hold(shenzhen)


def _tiny(a: int = 50, b: int = 50) -> Scheme:
    return Scheme(
        name="小方案",
        groups=[
            Group(
                name="组",
                declared=100,
                children=[
                    Indicator(code="a", name="甲", score="甲分", weight=a),
                    Indicator(code="b", name="乙", score="乙分", weight=b),
                ],
            )
        ],
    )


UNITS = [
    Unit(name="X", data={"甲分": 100, "乙分": 60}),
    Unit(name="Y", data={"甲分": 70, "乙分": 86}),
    Unit(name="Z", data={"甲分": 90, "乙分": 90}),
]


def test_compare_by_hand():
    """50/50 → 20/80: X 80 → 68 (2nd → 3rd, 良 → 中); Y 78 → 82.8 (3rd → 2nd, 中 → 良); Z stays 90 优."""
    pytest.importorskip("pandas")
    after = reweight(_tiny(), {"a": 20, "b": 80})
    assert after == _tiny(20, 80)
    table = compare_schemes(_tiny(), after, UNITS)
    assert list(table.index) == ["Z", "X", "Y"]  # the first evaluation's ranking
    assert table["total_before"].tolist() == [90, 80, 78]
    assert table["total_after"].tolist() == [90, 68, 82.8]
    assert table["rank_before"].tolist() == [1, 2, 3]
    assert table["rank_after"].tolist() == [1, 3, 2]
    assert table["rank_change"].tolist() == [0, -1, 1]
    assert table["grade_before"].tolist() == ["优", "良", "中"]
    assert table["grade_after"].tolist() == ["优", "中", "良"]
    assert table["grade_changed"].tolist() == [False, True, True]


def test_compare_keeps_units_that_were_not_scored():
    """A unit without data has no total or rank on either side (nullable, not NaN floats)."""
    pytest.importorskip("pandas")
    units = [*UNITS, Unit(name="W", data={"甲分": 90})]
    table = compare(evaluate(_tiny(), units), evaluate(_tiny(20, 80), units))
    assert table.loc["W", "total_before"] is None or table["total_before"].isna()["W"]
    assert table["rank_change"].isna()["W"] and str(table["rank_change"].dtype) == "Int64"
    assert not table.loc["W", "grade_changed"]


def test_weights_stay_exact_numbers():
    """Weights come back as Decimal when they terminate and Fraction when not."""
    changed = reweight(XIAMEN, {"1": 0.5}, rebalance=True)
    assert changed.indicator("1").weight == Decimal("0.5")
    assert isinstance(changed.indicator("2").weight, Fraction | Decimal)
    assert all(not isinstance(i.weight, float) for i in changed.indicators())
