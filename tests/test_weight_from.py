"""Weights read per unit from a data column (``weight_from``): the cookbook recipe's hand-worked
numbers, the unit's errors when its weights do not add up, weight that moves, points schemes,
categories, misuse caught by validate, and properties."""

from __future__ import annotations

import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import (
    SchemeError,
    Unit,
    evaluate,
    load,
    load_units,
    loads,
    names_read,
    reweight,
    scheme_json_schema,
    scheme_to_mapping,
)
from perfrules.cli.main import main
from perfrules.files.inputs import input_fields
from perfrules.scoring import outcome as _outcome
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of

ROOT = Path(__file__).resolve().parent.parent
COOKBOOK = ROOT / "docs" / "examples" / "cookbook"

_PERCENT = """
name = "申报权重"
total = 100
groups = [{ name = "综合考核" }]
[[indicators]]
code = "1"
name = "经济发展"
group = "综合考核"
weight = 50
score = "经济得分"
[[indicators]]
code = "2"
name = "特色指标"
group = "综合考核"
weight_from = "特色指标权重"
score = "特色得分"
[[indicators]]
code = "3"
name = "自选指标"
group = "综合考核"
weight_from = "自选指标权重"
score = "自选得分"
"""


def _unit(name: str, special: object, own: object, **more: object) -> Unit:
    data = {"经济得分": Decimal(80), "特色得分": Decimal(90), "自选得分": Decimal(70)}
    if special is not None:
        data["特色指标权重"] = special  # type: ignore[assignment]
    if own is not None:
        data["自选指标权重"] = own  # type: ignore[assignment]
    return Unit(name=name, data=data, **more)  # type: ignore[arg-type]


def _by_unit(scheme, units):
    result = evaluate(scheme, units)
    return {r.unit: r for r in result.results}, {e.unit: e for e in result.errors}


def test_the_recipe_gives_the_hand_worked_totals():
    """甲县 20/30 → 79; 乙县 30/20 → 81; 丙县 30/15 (95) is its own error; 丁县's 自选 weight moves."""
    scheme = load(COOKBOOK / "weights-from-data.toml")
    result = evaluate(scheme, load_units(COOKBOOK / "weights-from-data.csv", scheme=scheme))
    got = {r.unit: r for r in result.results}
    assert got["甲县"].total == Decimal(79)  # 40 + 18 + 21
    assert got["乙县"].total == Decimal(81)  # 40 + 27 + 14
    assert got["丁县"].total == Decimal("83.75")  # 80 × 62.5% + 90 × 37.5%
    assert got["丙县"].total is None
    (error,) = result.errors
    assert (error.unit, error.indicator, error.field) == ("丙县", "2", "特色指标权重")
    assert "add up to 95%, not 100%" in error.message
    # The other units keep their results and ranks.
    assert [got[u].rank for u in ("丁县", "乙县", "甲县")] == [1, 2, 3]


def test_the_unit_weights_and_where_they_came_from_are_explained():
    scheme = load(COOKBOOK / "weights-from-data.toml")
    result = evaluate(scheme, load_units(COOKBOOK / "weights-from-data.csv", scheme=scheme))
    first = {i.code: i for i in result.unit("甲县").indicators}
    assert [first[c].base_weight for c in "123"] == [50, 20, 30]
    assert [first[c].contribution for c in "123"] == [40, 18, 21]
    notes = [e for e in first["2"].events if e.kind == "weight_from"]
    assert [e.message for e in notes] == ["本单位权重 20，读自数据“特色指标权重”"]
    assert not [e for e in first["1"].events if e.kind == "weight_from"]
    moved = {i.code: i for i in result.unit("丁县").indicators}
    assert [moved[c].base_weight for c in "123"] == [50, 30, 20]
    assert [moved[c].weight for c in "123"] == [Decimal("62.5"), Decimal("37.5"), 0]
    assert "读自数据“自选指标权重”" in result.explain("丁县")


@pytest.mark.parametrize(
    ("special", "own", "field", "words"),
    [
        (None, Decimal(30), "特色指标权重", "the data has no '特色指标权重'"),
        (Decimal(20), "三十", "自选指标权重", "is not a number"),
        (Decimal(60), Decimal(-10), "自选指标权重", "is negative"),
        (Decimal(20), Decimal(20), "特色指标权重", "add up to 90%, not 100%"),
        (Decimal(30), Decimal(30), "特色指标权重", "add up to 110%, not 100%"),
    ],
)
def test_a_missing_odd_or_wrong_weight_is_that_units_error(special, own, field, words):
    scheme = loads(_PERCENT, format="toml")
    got, errors = _by_unit(scheme, [_unit("甲", special, own), _unit("乙", Decimal(20), Decimal(30))])
    assert got["甲"].total is None
    assert errors["甲"].field == field
    assert errors["甲"].indicator == ("2" if field == "特色指标权重" else "3")
    assert words in errors["甲"].message
    assert got["乙"].total == Decimal(79)


def test_weight_moves_to_a_named_indicator_and_normalize_uses_the_units_weights():
    to = _PERCENT.replace(
        'score = "自选得分"',
        'score = "自选得分"\npolicies = [{ type = "not_applicable", missing = true, to = "2" }]',
    )
    scheme = loads(to, format="toml")
    unit = _unit("甲", Decimal(20), Decimal(30))
    got, _ = _by_unit(scheme, [Unit(name="甲", data={k: v for k, v in unit.data.items() if k != "自选得分"})])
    # 自选's 30 moves to 特色: 80 × 50% + 90 × 50% = 85.
    assert got["甲"].total == Decimal(85)
    normalized = loads(
        _PERCENT.replace("total = 100", "total = 100\nnormalize = true").replace(
            'score = "自选得分"',
            'score = "自选得分"\npolicies = [{ type = "not_applicable", missing = true }]',
        ),
        format="toml",
    )
    got, _ = _by_unit(
        normalized, [Unit(name="甲", data={k: v for k, v in unit.data.items() if k != "自选得分"})]
    )
    # 折算: (80 × 50% + 90 × 20%) / 70% = 58 / 0.7 = 82.857…
    assert got["甲"].total == Fraction(580, 7)


def test_a_points_scheme_reads_the_units_points_and_scores_on_full():
    """Points: 特色指标 reported out of 100 and worth the unit's own 20 or 30 分."""
    scheme = loads(
        """
name = "分值申报"
basis = "points"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "共性指标"
group = "组"
weight = 70
score = "共性得分"
[[indicators]]
code = "2"
name = "特色指标"
group = "组"
weight_from = "特色分值"
full = 100
score = "特色得分率×100"
[[indicators]]
code = "3"
name = "加分"
group = "组"
weight_from = "加分分值"
full = 10
score = "加分得分"
""",
        format="toml",
    )
    units = [
        Unit(
            name="甲",
            data={
                "共性得分": Decimal(63),
                "特色分值": Decimal(20),
                "特色得分率": Decimal("0.9"),
                "加分分值": Decimal(10),
                "加分得分": Decimal(5),
            },
        ),
        Unit(
            name="乙",
            data={
                "共性得分": Decimal(63),
                "特色分值": Decimal(30),
                "特色得分率": Decimal("0.9"),
                "加分分值": Decimal(0),
                "加分得分": Decimal(5),
            },
        ),
    ]
    got, errors = _by_unit(scheme, units)
    assert not errors
    # 甲: 63 + 90/100 × 20 + 5/10 × 10 = 63 + 18 + 5 = 86; 乙: 63 + 27 + 0 = 90.
    assert got["甲"].total == Decimal(86)
    assert got["乙"].total == Decimal(90)
    notes = [e.message for e in got["甲"].indicator("2").events if e.kind == "weight_from"]
    assert notes == ["本单位分值 20分，读自数据“特色分值”"]


def test_categories_full_marks_and_not_assessed():
    scheme = loads(
        """
name = "分类"
basis = "points"
total = 100
categories = ["委", "办"]
totals = { "办" = 110 }
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "共性"
group = "组"
weights = { "委" = 60, "办" = 70 }
full = 100
score = "共性得分"
[[indicators]]
code = "2"
name = "自选"
group = "组"
weight_from = "自选分值"
full = 100
score = "自选得分"
""",
        format="toml",
    )
    data = {"共性得分": Decimal(90), "自选得分": Decimal(50)}
    got, errors = _by_unit(
        scheme,
        [
            Unit(name="委1", category="委", data={**data, "自选分值": Decimal(40)}),
            Unit(name="办1", category="办", data={**data, "自选分值": Decimal(40)}),
            Unit(name="办2", category="办", data={**data, "自选分值": Decimal(30)}),
        ],
    )
    assert got["委1"].total == Decimal(74)  # 54 + 20
    assert got["办1"].total == Decimal(83)  # 63 + 20, of 110
    assert errors["办2"].message.startswith("the unit's weights add up to 100分, not 110分")


def test_weights_may_come_from_the_schemes_parameters():
    text = _PERCENT.replace(
        'groups = [{ name = "综合考核" }]',
        'groups = [{ name = "综合考核" }]\n[parameters."特色指标权重"]\n"甲" = 20\n"乙" = 30\n'
        '[parameters."自选指标权重"]\n"甲" = 30\n"乙" = 20\n',
    )
    got, errors = _by_unit(loads(text, format="toml"), [_unit("甲", None, None), _unit("乙", None, None)])
    assert not errors
    assert (got["甲"].total, got["乙"].total) == (Decimal(79), Decimal(81))


def test_the_weight_column_is_read_kept_and_the_column_program_reads_it():
    scheme = loads(_PERCENT, format="toml")
    assert {"特色指标权重", "自选指标权重"} <= names_read(scheme)
    program = program_of(plan_of(scheme))  # each distinct reading checked by unit_weights (colweights)
    assert program is not None and {"特色指标权重", "自选指标权重"} <= set(program.reads)


def test_the_key_round_trips_and_is_in_the_json_schema():
    scheme = loads(_PERCENT, format="toml")
    mapping = scheme_to_mapping(scheme)
    assert [i.get("weight_from") for i in mapping["indicators"]] == [None, "特色指标权重", "自选指标权重"]
    assert "weight_from" in scheme_json_schema()["$defs"]["indicator"]["properties"]


@pytest.mark.parametrize(
    ("old", "new", "where", "words"),
    [
        (
            'weight_from = "特色指标权重"',
            'weight_from = "特色指标权重"\nweight = 20',
            "weight_from",
            "leave out 'weight'",
        ),
        (
            'weight_from = "自选指标权重"',
            'weight_from = "特色指标权重"',
            "weight_from",
            "already indicator 2",
        ),
        (
            'weight_from = "自选指标权重"',
            'weight_from = "经济得分"',
            "weight_from",
            "read by the rules of indicator 1",
        ),
        (
            'weight_from = "自选指标权重"',
            'weight_from = "指标1得分"',
            "weight_from",
            "a result scoring computes",
        ),
        ("weight = 50", "weight = 120", "weights", "more than 100%"),
        (
            'groups = [{ name = "综合考核" }]',
            'groups = [{ name = "综合考核", declared = 100 }]',
            "declared",
            "leave the subtotal out",
        ),
        (
            'groups = [{ name = "综合考核" }]',
            'groups = [{ name = "综合考核", weight = 100 }]',
            "weight",
            "give the group no weight",
        ),
    ],
)
def test_validate_refuses_misuse(old, new, where, words):
    with pytest.raises(SchemeError) as caught:
        loads(_PERCENT.replace(old, new, 1), format="toml")
    text = str(caught.value)
    assert words in text, text
    assert where in text


def test_a_points_indicator_with_weights_from_data_needs_full():
    with pytest.raises(SchemeError, match="needs 'full'"):
        loads(_PERCENT.replace("total = 100", 'basis = "points"\ntotal = 100'), format="toml")


def test_the_weighting_memo_stays_bounded(monkeypatch):
    monkeypatch.setattr(_outcome, "_MAX_PATTERNS", 3)
    scheme = loads(_PERCENT, format="toml")
    units = [_unit(f"县{w}", Decimal(w), Decimal(50 - w)) for w in range(0, 51, 5)]
    got, errors = _by_unit(scheme, units)
    assert not errors
    assert len(plan_of(scheme).weightings) <= 3
    for w in range(0, 51, 5):
        assert got[f"县{w}"].total == Decimal(40) + Decimal(90 * w + 70 * (50 - w)) / 100


@settings(max_examples=40, deadline=None)
@given(
    special=st.integers(min_value=0, max_value=50),
    scores=st.tuples(*(st.integers(min_value=0, max_value=100) for _ in range(3))),
)
def test_the_total_is_the_hand_formula_with_the_units_own_weights(special, scores):
    """Total = Σ score × weight / 100 with the unit's weights, with or without explanations."""
    scheme = loads(_PERCENT, format="toml")
    a, b, c = scores
    unit = Unit(
        name="甲",
        data={
            "经济得分": Decimal(a),
            "特色得分": Decimal(b),
            "自选得分": Decimal(c),
            "特色指标权重": Decimal(special),
            "自选指标权重": Decimal(50 - special),
        },
    )
    result = evaluate(scheme, [unit])
    expected = Decimal(a * 50 + b * special + c * (50 - special)) / 100
    assert result.results[0].total == expected
    assert sum(i.contribution for i in result.results[0].indicators) == expected


def test_check_reads_the_weight_columns_and_the_template_asks_for_them():
    """`perfrules check` does not call a weight column unread; input_fields (the 填报表) lists it, 0 to 100."""
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["check", str(COOKBOOK / "weights-from-data.toml"), str(COOKBOOK / "weights-from-data.csv")],
        out=out,
        err=err,
    )
    text = out.getvalue() + err.getvalue()
    assert code == 1
    assert "not read by the scheme" not in text
    assert "add up to 95%, not 100%" in text
    fields = {f.name: f for f in input_fields(load(COOKBOOK / "weights-from-data.toml"))}
    weight = fields["特色指标权重"]
    assert (weight.indicators, weight.low, weight.high) == (("2 特色指标",), 0, 100)


def test_the_published_table_says_the_weight_is_declared_per_unit(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "table.xlsx"
    out, err = io.StringIO(), io.StringIO()
    code = main(["table", str(COOKBOOK / "weights-from-data.toml"), "-o", str(target)], out=out, err=err)
    assert code == 0, err.getvalue()
    cells = {c for row in openpyxl.load_workbook(target).active.iter_rows(values_only=True) for c in row}
    assert {"50%", "各单位申报（特色指标权重）", "各单位申报（自选指标权重）"} <= cells


def test_reweight_refuses_a_weight_read_per_unit():
    scheme = loads(_PERCENT, format="toml")
    with pytest.raises(ValueError, match="each unit's is read from its data"):
        reweight(scheme, {"2": 30})
