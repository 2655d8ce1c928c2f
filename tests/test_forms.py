"""Published forms written as scheme data: missing data as not applicable, bonus items by matter, grade
effects beside the band scale, per-unit parameters — each with its cookbook recipe's hand-worked numbers."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import (
    Group,
    Indicator,
    NotApplicable,
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
COOKBOOK = ROOT / "docs" / "examples" / "cookbook"


def _results(stem: str):
    scheme = load((COOKBOOK / stem).with_suffix(".toml"))
    result = evaluate(scheme, load_units((COOKBOOK / stem).with_suffix(".csv"), scheme=scheme))
    return {r.unit: r for r in result.results}


# -- 10. missing data as not applicable -------------------------------------------------------


def test_the_missing_data_recipe_gives_the_hand_worked_totals():
    """Weights 40/30/30; a missing indicator's weight is spread over the others in proportion.

    甲 all three: 100×40% + 80×30% + 80×30% = 88. 乙 no 专利: 100×4/7 + 30×3/7 = 70.
    丙 no 新产品: 60×4/7 + 60×3/7 = 60. 丁 no 研发: 40×1/2 + 50×1/2 = 45.
    """
    units = _results("missing-data")
    assert {n: r.total for n, r in units.items()} == {
        "甲": Decimal(88),
        "乙": Decimal(70),
        "丙": Decimal(60),
        "丁": Decimal(45),
    }
    yi = units["乙"].indicators
    assert [i.applicable for i in yi] == [True, False, True]
    assert yi[0].weight == Fraction(400, 7)
    assert "数据缺失，不参与计算" in units["乙"].explain()


def _scheme(missing: object, default: bool = False) -> Scheme:
    policies: list = [NotApplicable(missing=missing)]
    return Scheme(
        name="t",
        groups=[
            Group(
                name="g",
                children=[
                    Indicator(code="1", name="a", weight=50, score="x", policies=policies),
                    Indicator(code="2", name="b", weight=50, score="y"),
                ],
            )
        ],
    )


def test_missing_names_only_the_inputs_it_lists():
    """missing = ["x"]: a blank x moves the weight; with missing = true any input does the same."""
    listed = _scheme(["x"])
    result = evaluate(listed, [Unit(name="甲", data={"y": 60}), Unit(name="乙", data={"x": 80, "y": 60})])
    assert [r.total for r in result.results] == [Decimal(60), Decimal(70)]


def test_without_the_setting_a_missing_input_is_still_an_error():
    scheme = _scheme(False)
    result = evaluate(scheme, [Unit(name="甲", data={"y": 60})])
    assert result.results[0].total is None
    assert [(e.indicator, e.field, e.error) for e in result.errors] == [("1", "x", "MissingValueError")]


def test_validate_names_a_missing_input_the_indicator_does_not_read():
    text = (COOKBOOK / "missing-data.toml").read_text(encoding="utf-8")
    bad = text.replace("missing = true", 'missing = ["研发强度"]', 1)
    with pytest.raises(SchemeError) as caught:
        loads(bad)
    message = str(caught.value)
    assert "indicators[0].policies[0].missing" in message
    assert "did you mean '研发投入强度'" in message
    with pytest.raises(SchemeError, match=r"policies\[0\]\.missing"):
        loads(text.replace("missing = true", 'missing = "yes"', 1))


def test_missing_is_in_the_json_schema_and_round_trips():
    defs = scheme_json_schema()["$defs"]
    assert "missing" in defs["policy.not_applicable"]["properties"]
    scheme = load(COOKBOOK / "missing-data.toml")
    again = scheme_to_mapping(scheme)
    assert again["indicators"][0]["policies"][0]["missing"] is True


@settings(max_examples=40, deadline=None)
@given(
    x=st.one_of(st.none(), st.integers(0, 100)),
    y=st.integers(0, 100),
    wa=st.integers(1, 9),
)
def test_a_missing_indicator_leaves_the_others_weighted_as_if_it_were_absent(x, y, wa):
    """With x blank the total is y's score alone (its weight takes everything); with x it is the weighted sum."""
    scheme = Scheme(
        name="t",
        groups=[
            Group(
                name="g",
                children=[
                    Indicator(
                        code="1", name="a", weight=wa * 10, score="x", policies=[NotApplicable(missing=True)]
                    ),
                    Indicator(code="2", name="b", weight=100 - wa * 10, score="y"),
                ],
            )
        ],
    )
    data = {"y": y} if x is None else {"x": x, "y": y}
    total = evaluate(scheme, [Unit(name="甲", data=data)]).results[0].total
    expected = Fraction(y) if x is None else (Fraction(x) * wa * 10 + Fraction(y) * (100 - wa * 10)) / 100
    assert Fraction(total) == expected
