"""Units above units ([roll_up]): a parent's total is the (weighted) mean of its sub-units' totals.

Hand-worked from docs/examples/cookbook/sub-units.*: 经济 × 60% + 民生 × 40% per county,
then each city by 常住人口.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import (
    DataError,
    Quota,
    RollUp,
    SchemeError,
    Unit,
    dumps,
    evaluate,
    load,
    load_units,
    loads,
)
from perfrules.cli.main import main
from perfrules.files.data import units_from_json

ROOT = Path(__file__).resolve().parent.parent
SCHEME = ROOT / "docs" / "examples" / "cookbook" / "sub-units.toml"
DATA = ROOT / "docs" / "examples" / "cookbook" / "sub-units.csv"

_HEAD = """
name = "市县"
groups = [{ name = "综合" }]
"""
_BASE = """
[[indicators]]
code = "1"
name = "得分"
group = "综合"
weight = 100
score = "得分"
"""


def _scheme(roll_up: str = 'parent = "上级单位"\nweight = "人口"', extra: str = ""):
    return loads(f"{_HEAD}{extra}\n[roll_up]\n{roll_up}\n{_BASE}", format="toml")


def _unit(name: str, parent: str | None = None, **data: object) -> Unit:
    if parent is not None:
        data["上级单位"] = parent
    return Unit(name=name, data=data)


def test_the_cookbook_cities_are_the_population_weighted_means_of_their_counties():
    scheme = load(SCHEME)
    evaluation = evaluate(scheme, load_units(DATA, scheme=scheme))
    got = {r.unit: (r.total, r.grade, r.rank, r.level) for r in evaluation}
    # Counties: 甲一区 90×0.6+80×0.4 = 86; 甲二区 42+34 = 76; 乙一县 48+36 = 84; 乙二县 57+30 = 87; 乙三县 36+28 = 64.
    # 甲市 (86×60 + 76×40) / 100 = 82; 乙市 (84×30 + 87×50 + 64×20) / 100 = 81.5.
    assert got == {
        "甲市": (Decimal(82), "良", 1, 1),
        "乙市": (Decimal("81.5"), "良", 2, 1),
        "甲一区": (Decimal(86), "良", 2, 0),
        "甲二区": (Decimal(76), "中", 4, 0),
        "乙一县": (Decimal(84), "良", 3, 0),
        "乙二县": (Decimal(87), "良", 1, 0),
        "乙三县": (Decimal(64), "中", 5, 0),
    }
    # The top level first, each level from its best rank down.
    assert [r.unit for r in evaluation.ranking()] == [
        "甲市",
        "乙市",
        "乙二县",
        "甲一区",
        "乙一县",
        "甲二区",
        "乙三县",
    ]


def test_a_parents_explanation_shows_each_sub_unit_its_weight_and_the_mean():
    scheme = load(SCHEME)
    text = evaluate(scheme, load_units(DATA, scheme=scheme)).explain("乙市")
    assert text.splitlines() == [
        "乙市：总分 81.5，等次“良”，在上级单位（第 1 级）中排名第 2 名",
        "* 下级单位 乙一县：总分 84，权重（常住人口）30",
        "* 下级单位 乙二县：总分 87，权重（常住人口）50",
        "* 下级单位 乙三县：总分 64，权重（常住人口）20",
        "* 加权平均：(84×30 + 87×50 + 64×20) ÷ 100 = 81.5",
    ]


def test_without_a_weight_column_the_plain_mean_and_it_stays_exact():
    scheme = _scheme('parent = "上级单位"')
    units = [
        _unit("市"),
        _unit("一县", "市", 得分=80),
        _unit("二县", "市", 得分=80),
        _unit("三县", "市", 得分=81),
    ]
    result = evaluate(scheme, units).unit("市")
    assert result.total == Fraction(241, 3)  # (80 + 80 + 81) / 3, not a rounded decimal
    assert result.grade == "良"
    assert result.events[-1].message == "平均：(80 + 80 + 81) ÷ 3 = ≈80.3333"


def test_round_total_rounds_a_parents_mean_too():
    scheme = _scheme('parent = "上级单位"', extra="round_total = 2")
    units = [
        _unit("市"),
        _unit("一县", "市", 得分=80),
        _unit("二县", "市", 得分=80),
        _unit("三县", "市", 得分=81),
    ]
    result = evaluate(scheme, units).unit("市")
    assert result.total == Decimal("80.33")
    assert [e.kind for e in result.events][-1] == "rounded"


def test_a_province_from_its_cities_is_level_two_and_ranks_among_its_level():
    scheme = _scheme()
    units = [
        _unit("省"),
        _unit("甲市", "省", 人口=1),
        _unit("乙市", "省", 人口=3),
        _unit("甲一县", "甲市", 人口=1, 得分=60),
        _unit("甲二县", "甲市", 人口=1, 得分=80),  # 甲市 70
        _unit("乙一县", "乙市", 人口=1, 得分=90),  # 乙市 90
        _unit("独立县", None, 得分=100),  # no parent: a unit of level 0 like the counties
    ]
    evaluation = evaluate(scheme, units)
    got = {r.unit: (r.total, r.rank, r.level) for r in evaluation}
    assert got["甲市"] == (Decimal(70), 2, 1)
    assert got["乙市"] == (Decimal(90), 1, 1)
    assert got["省"] == (Decimal(85), 1, 2)  # (70×1 + 90×3) / 4
    assert got["独立县"] == (Decimal(100), 1, 0)
    assert got["乙一县"][1:] == (2, 0)


def test_quotas_apply_within_each_level():
    scheme = _scheme('parent = "上级单位"')
    scheme = loads(
        dumps(scheme, format="toml").replace("[roll_up]", '[[quotas]]\ngrade = "优"\ncount = 1\n\n[roll_up]'),
        format="toml",
    )
    assert scheme.quotas == (Quota(grade="优", count=1),)
    units = [
        _unit("甲市"),
        _unit("乙市"),
        _unit("甲县", "甲市", 得分=95),
        _unit("乙县", "乙市", 得分=92),
    ]
    grades = {r.unit: r.grade for r in evaluate(scheme, units)}
    # One 优 among the cities and one among the counties, not one over all four.
    assert grades == {"甲市": "优", "乙市": "良", "甲县": "优", "乙县": "良"}


def test_a_parent_whose_sub_unit_failed_is_not_scored_and_names_it():
    scheme = _scheme()
    units = [_unit("市"), _unit("一县", "市", 人口=1, 得分=80), _unit("二县", "市", 人口=1)]
    evaluation = evaluate(scheme, units)
    assert evaluation.unit("一县").total == Decimal(80)
    parent = evaluation.unit("市")
    assert parent.total is None and parent.rank is None
    assert [e.message for e in parent.errors] == [
        "sub-unit '二县' was not scored (see its own errors), so the mean for '市' cannot be taken"
    ]


def test_a_missing_or_bad_weight_is_an_error_on_the_parent_naming_the_sub_unit():
    scheme = _scheme()
    units = [
        _unit("甲市"),
        _unit("甲县", "甲市", 得分=80),
        _unit("乙市"),
        _unit("乙县", "乙市", 人口=0, 得分=80),
    ]
    evaluation = evaluate(scheme, units)
    first = evaluation.unit("甲市").errors[0]
    assert (first.field, first.message) == (
        "人口",
        "sub-unit '甲县' has no weight in column '人口'; give its weight (人口)",
    )
    assert "a weight is above 0" in evaluation.unit("乙市").errors[0].message
    assert evaluation.unit("甲县").total == Decimal(80)  # the sub-units keep their results


def test_a_parent_with_indicator_data_of_its_own_is_an_error():
    scheme = _scheme()
    units = [_unit("市", 得分=70), _unit("县", "市", 人口=1, 得分=80)]
    error = evaluate(scheme, units).unit("市").errors[0]
    assert "parent '市' has data of its own (得分)" in error.message


def test_a_tree_that_is_not_a_tree_is_refused_with_rows_and_hints(tmp_path):
    scheme = _scheme()
    data = tmp_path / "d.csv"
    data.write_text(
        "单位,上级单位,人口,得分\n甲市,,,\n甲一区,甲巿,1,90\n甲二区,甲二区,1,80\n乙市,丙市,,\n丙市,乙市,,\n",
        encoding="utf-8",
    )
    units = load_units(data, scheme=scheme)
    with pytest.raises(DataError) as caught:
        evaluate(scheme, units)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        (
            f"{data} row 3, column '上级单位'",
            "no unit '甲巿' in the data; did you mean '甲市'? every parent needs a row of its own "
            "(its name, and its category if any)",
        ),
        (
            f"{data} row 4, column '上级单位'",
            "unit '甲二区' names itself as its parent; leave the cell empty for a unit with no parent, "
            "or name the unit above it",
        ),
        (
            f"{data} row 5, column '上级单位'",
            "units name each other as parents in a cycle (乙市 → 丙市 → 乙市); "
            "the unit at the top leaves its parent cell empty",
        ),
    ]


@pytest.mark.parametrize(
    ("roll_up", "path", "message"),
    [
        ('parent = "上级单位"\nweight = "上级单位"', "roll_up.weight", "is the parent column too"),
        ('parent = "得分"', "roll_up.parent", "indicator 1 得分 reads it as data"),
        ('parent = "上级单位"\nwieght = "人口"', "roll_up.wieght", "did you mean 'weight'?"),
        ('weight = "人口"', "roll_up.parent", "required"),
    ],
)
def test_a_misused_roll_up_is_refused_with_its_path(roll_up, path, message):
    with pytest.raises(SchemeError) as caught:
        _scheme(roll_up)
    found = [p for p in caught.value.problems if p.path == path]
    assert found, caught.value
    assert message in found[0].message


def test_the_setting_survives_writing_the_scheme_out():
    scheme = load(SCHEME)
    assert scheme.roll_up == RollUp(parent="上级单位", weight="常住人口")
    again = loads(dumps(scheme, format="toml"), format="toml")
    assert again.roll_up == scheme.roll_up
    assert loads(dumps(scheme, format="json"), format="json").roll_up == scheme.roll_up


def test_json_data_names_parents_in_the_same_column():
    scheme = _scheme()
    units = units_from_json(
        [
            {"name": "市"},
            {"name": "一县", "data": {"上级单位": "市", "人口": 1, "得分": 70}},
            {"name": "二县", "data": {"上级单位": "市", "人口": 4, "得分": 95}},
        ]
    )
    assert evaluate(scheme, units).unit("市").total == Decimal(90)  # (70 + 95×4) / 5


def test_the_command_line_scores_parents_and_shows_the_level():
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", str(SCHEME), str(DATA), "--format", "csv"], out=out, err=err) == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert lines[0] == "排名,单位,类别,总分,等次,层级,1 经济发展,2 社会民生,错误"
    assert lines[1:3] == ["1,甲市,,82,良,1,,,", "2,乙市,,81.5,良,1,,,"]
    assert lines[3] == "1,乙二县,,87,良,0,95,75,"
    out = io.StringIO()
    assert main(["score", str(SCHEME), str(DATA), "--format", "json"], out=out, err=err) == 0
    records = {u["unit"]: u for u in json.loads(out.getvalue())["units"]}
    assert (records["乙市"]["level"], records["乙市"]["total"]) == (1, 81.5)
    assert records["乙市"]["events"][-1]["kind"] == "roll_up"


@pytest.mark.parametrize("chunk_size", [1, 2, 100])
def test_totals_in_chunks_give_the_parents_as_evaluate_does(chunk_size):
    from perfrules.pipeline.parallel import score_totals

    scheme = load(SCHEME)
    units = load_units(DATA, scheme=scheme)
    expected = evaluate(scheme, units)
    got = score_totals(scheme, units, jobs=1, chunk_size=chunk_size)
    assert [(r.unit, r.total, r.grade, r.rank, r.level) for r in got.ranking()] == [
        (r.unit, r.total, r.grade, r.rank, r.level) for r in expected.ranking()
    ]
    assert got.ranking()[1].total == Decimal("81.5")


def test_paths_that_score_units_apart_refuse_the_scheme():
    from perfrules.pipeline.stream import score_file

    scheme = load(SCHEME)
    with pytest.raises(ValueError, match=r"has \[roll_up\]\); score it with perfrules.evaluate\(\)"):
        score_file(scheme, DATA)
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    import perfrules.dask

    frame = dd.from_pandas(pd.read_csv(DATA, dtype=str), npartitions=1)
    with pytest.raises(ValueError, match=r"perfrules\.evaluate\(\)"):
        perfrules.dask.evaluate(scheme, frame)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 100), st.integers(1, 1000)),
        min_size=1,
        max_size=6,
    )
)
def test_a_parent_is_the_exact_weighted_mean_and_lies_between_its_sub_units(subs):
    scheme = _scheme()
    units = [_unit("市")] + [_unit(f"县{k}", "市", 人口=w, 得分=s) for k, (s, w) in enumerate(subs)]
    total = evaluate(scheme, units).unit("市").total
    assert total is not None
    expected = Fraction(sum(s * w for s, w in subs), sum(w for _, w in subs))
    assert Fraction(total) == expected
    assert min(s for s, _ in subs) <= total <= max(s for s, _ in subs)


def test_a_parents_grading_reads_its_total_and_a_cap_on_indicator_results_is_an_error_with_a_hint():
    scheme = loads(
        _HEAD
        + """
[roll_up]
parent = "上级单位"

[[caps]]
when = "总分 < 85"
grade = "中"
"""
        + _BASE,
        format="toml",
    )
    evaluation = evaluate(scheme, [_unit("市"), _unit("县", "市", 得分=82)])
    assert (evaluation.unit("市").total, evaluation.unit("市").grade) == (Decimal(82), "中")  # 良, capped
    capped = loads(
        _HEAD
        + '\n[roll_up]\nparent = "上级单位"\n\n[[caps]]\nwhen = "指标1得分 < 50"\ngrade = "差"\n'
        + _BASE,
        format="toml",
    )
    parent = evaluate(capped, [_unit("市"), _unit("县", "市", 得分=82)]).unit("市")
    assert parent.total is None
    assert parent.errors[0].message.startswith("no value for '指标1得分'")
    assert parent.errors[0].message.endswith("may read 总分 and its own row only")


def test_the_workbook_and_the_data_frame_show_the_level(tmp_path):
    pytest.importorskip("openpyxl")
    pytest.importorskip("pandas")
    import openpyxl

    scheme = load(SCHEME)
    evaluation = evaluate(scheme, load_units(DATA, scheme=scheme))
    frame = evaluation.to_dataframe()
    assert frame.loc["乙市", "level"] == 1 and frame.loc["乙三县", "level"] == 0
    path = tmp_path / "out.xlsx"
    evaluation.to_excel(path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(max_row=3)]
    level = rows[0].index("层级")
    assert [rows[1][1], rows[1][level]] == ["甲市", 1]
