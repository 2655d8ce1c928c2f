"""Indicator point mechanics in the column program, against the per-unit program.

Score formulas that read ``分值`` (the indicator's full points, per category),
``adjust`` policies (deductions and bonuses per counted item, several items,
matters counted once at their highest level, caps as numbers or formulas),
``zero`` rules on the whole indicator (per period, or on any row), vetoes on
an indicator (the units where one fires go to the per-unit program, which
writes the note), ``default … when`` beside all of these, population values
(``max_of`` …) beside policies, and open limits (``max_score``/``min_score``)
— over values given for the year or per period, with categories whose full
points differ. The data sits on and around the rules' boundaries and holds
cells the program must send back; the column program, the per-unit program
and the streamed command line must give the same totals, grades, ranks,
indicator scores, errors and events. Then each docs example these forms
make compile is scored alike on every path, with the mechanics' figures.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from perfrules import evaluate, load, loads
from perfrules.cli.main import main
from perfrules.files.data import load_units
from perfrules.pipeline.stream import cell_number
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_periods import _data
from test_column_program import (
    _COLUMN_SETTINGS,
    _agree,
    _both_ways,
    _key,
    _run_columns,
    _streamed_cells_match,
)

_LABELS = ["一季度", "二季度", "三季度"]
_DOCS = Path(__file__).resolve().parent.parent / "docs" / "examples"


def _adjust(draw: st.DrawFn, k: int, *, steps: bool) -> str:
    """An ``adjust`` policy of indicator *k* (reading the step 超额k only where *steps*)."""
    cap = draw(
        st.sampled_from(["", "", ", cap = 3", ", cap = 0.5", ', cap = "分值×20%"', f', cap = "计划{k}-1"'])
    )
    form = draw(st.sampled_from(["per", "items", "matters", *(["step"] if steps else [])]))
    if form == "per":
        points = draw(st.sampled_from(["-0.5", "-2", "1", "0.25"]))
        return f'{{ type = "adjust", per = "扣{k}", points = {points}{cap} }}'
    if form == "step":
        return f'{{ type = "adjust", per = "超额{k}", points = 0.5{cap} }}'
    sign = draw(st.sampled_from(["-", ""]))
    items = f'items = {{ "甲事{k}" = {sign}1, "乙事{k}" = {sign}2.5, "丙事{k}" = {sign}1.5, "丁事{k}" = {sign}2.5 }}'
    if form == "items":
        return f'{{ type = "adjust", {items}{cap} }}'
    # The matter's items out of the order of their points, two of them equal (the first listed counts).
    matters = f'matters = {{ "同事{k}" = ["丙事{k}", "乙事{k}", "丁事{k}"] }}'
    return f'{{ type = "adjust", {items}, {matters}{cap} }}'


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A points scheme of formula indicators with point mechanics, and data around their rules."""
    count = draw(st.integers(1, 3))
    categories = draw(st.booleans())
    periodic = draw(st.integers(0, 3)) == 0
    weights = [draw(st.sampled_from([5, 10, 20])) for _ in range(count)]
    second = weights[::-1]  # the second category's full points differ where the weights do
    total = sum(weights)
    lines = ['name = "计分"', 'basis = "points"', f"total = {total}", 'groups = [{ name = "组" }]']
    if categories:
        lines.append('categories = ["甲类", "乙类"]')
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 2))}")
    if draw(st.booleans()):
        lines.append("cap_total = false")
    columns: list[str] = []
    for k in range(1, count + 1):
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"']
        if categories:
            lines.append(f'weights = {{ "甲类" = {weights[k - 1]}, "乙类" = {second[k - 1]} }}')
        else:
            lines.append(f"weight = {weights[k - 1]}")
        if periodic:
            lines.append('frequency = "quarterly"')
        population = not periodic and draw(st.integers(0, 3)) == 0
        score = draw(
            st.sampled_from(
                [
                    "分值",
                    f"分值×完成{k}/计划{k}",
                    f"分值-扣{k}×0.5",
                    f"报分{k}",
                    f"分值×min(完成{k}/计划{k}, 100%)",
                    f"分值×min(完成{k}/计划{k}, 100%)+超额{k}",
                    f"分值×min(完成{k}/计划{k}, 1)+floor((完成{k}-计划{k})/3)×0.5",
                    f"if(计划{k}>=4, 分值-扣{k}, round(分值×完成{k}/计划{k}, 1))",
                    f"ceil(完成{k}/计划{k}×10)/10×分值+trunc((报分{k}-5)/2)",
                    f"avg(完成{k}, 报分{k}, 扣{k}/3)×分值/10",
                ]
                + (
                    [
                        f"分值×完成{k}÷max_of(完成{k})",
                        f"6+(完成{k}-min_of(完成{k}))÷(max_of(完成{k})-min_of(完成{k}))×4",
                    ]
                    if population
                    else []
                )
            )
        )
        rank = draw(st.integers(0, 3)) == 0
        if rank:
            # A rank step read by the score formula: the place (Shenzhen districts 12), or points by rank.
            order = draw(st.sampled_from(["asc", "desc"]))
            ties = draw(st.sampled_from(["min", "average", "dense"]))
            when = draw(st.sampled_from(["", f', when = "计划{k}>=3"']))
            given = draw(st.sampled_from(["", ', points = { "1" = 3, "2" = 1.5 }']))
            lines.append(
                f'steps = [{{ type = "rank", target = "名次{k}", of = "完成{k}", order = "{order}", '
                f'ties = "{ties}"{when}{given} }}]'
            )
            score = f"报分{k}+名次{k}" if given else f"分值-(名次{k}-1)×0.5"
        scale = not rank and not population and not categories and draw(st.integers(0, 3)) == 0
        steps = not rank and not scale and ("超额" in score or draw(st.booleans()))
        if steps:
            lines.append(f'steps = ["超额{k}=max(完成{k}-计划{k}, 0)"]')
        if scale:
            # Graded by a scale instead: its zero rules, adjustments and vetoes wrap the grading.
            lines.append(f'steps = ["率{k}=完成{k}/计划{k}×100"]')
            rule = draw(
                st.sampled_from(
                    [
                        f"率{k}≥90，计6分；60≤率{k}<90，计3分；率{k}<60，计0分",
                        f"率{k}≥100，计5分；60≤率{k}<100，计2.5分；率{k}<60，计0分",
                    ]
                )
            )
            lines.append(f'scale = {{ rule = "{rule}", domain = [0, 200] }}')
        else:
            lines.append(f'score = "{score}"')
        limit = draw(st.sampled_from(["", "", 'max_score = "none"', "max_score = 30", 'min_score = "none"']))
        if limit:
            lines.append(limit)
        policies = []
        default = draw(st.integers(0, 3)) == 0
        if default:
            when = f"max_of(完成{k})=min_of(完成{k})" if "max_of" in score else f"计划{k}=0"
            policies.append(
                f'{{ type = "default", score = {draw(st.sampled_from(["0", "1.5"]))}, when = "{when}" }}'
            )
        if draw(st.integers(0, 3)) == 0:
            policies.append('{ type = "default", score = 1 }')  # no data, or a division by 0
            default = True
        for _ in range(draw(st.integers(0, 2))):
            policies.append(_adjust(draw, k, steps=steps and not default))
        if draw(st.integers(0, 2)) == 0:
            per_period = draw(st.booleans())
            policies.append(
                f'{{ type = "zero", when = "标记{k}=1", per_period = {str(per_period).lower()} }}'
            )
        if not periodic and draw(st.integers(0, 2)) == 0:
            effect = draw(st.sampled_from(["zero", "lowest_grade"]))
            policies.append(f'{{ type = "veto", when = "标记{k}=2", effect = "{effect}" }}')
        if draw(st.integers(0, 4)) == 0:
            policies.append(f'{{ type = "not_applicable", when = "标记{k}=3" }}')
        lines.append(f"policies = [{', '.join(policies)}]")
        columns += [
            f"完成{k}",
            f"计划{k}",
            f"扣{k}",
            f"甲事{k}",
            f"乙事{k}",
            f"丙事{k}",
            f"丁事{k}",
            f"标记{k}",
            f"报分{k}",
        ]
    if draw(st.booleans()):
        cut = Fraction(total) * Fraction(draw(st.sampled_from([6, 8, 9])), 10)
        lines += ["[overall]", f'rule = "优：总分>={float(cut)}；差：总分<{float(cut)}"']
    # Cells the program sends back (blank, unreadable, not plain) in some cases only: the others
    # are scored as columns whole.
    odd = ["", "约五", "1e3", "一"] if draw(st.integers(0, 2)) == 0 else []
    values = {
        "完成": st.sampled_from(["0", "1", "3", "4", "7", "9", "10", "12", *odd]),
        "计划": st.sampled_from(["0", "1", "3", "4", "10", *odd]),
        "扣": st.sampled_from(["0", "0", "1", "3", "7", "40", "2.5", "-1", *odd]),
        "甲事": st.sampled_from(["0", "0", "1", "2"]),
        "乙事": st.sampled_from(["0", "0", "1", "3", *odd]),
        "丙事": st.sampled_from(["0", "1"]),
        "丁事": st.sampled_from(["0", "2"]),
        "标记": st.sampled_from(["0", "0", "0", "1", "2", "3", *odd]),
        "报分": st.sampled_from(["0", "4.5", "5", "10", "12", "20.5", "-1", *odd]),
    }
    rows: list[list[str]] = []
    for u in range(draw(st.integers(1, 10))):
        kind = [draw(st.sampled_from(["甲类", "乙类", "甲类", "丙类"]))] if categories else []
        labels = draw(st.lists(st.sampled_from(_LABELS), unique=True, max_size=3)) if periodic else []
        rows.append([f"单位{u}", *kind, "", *(draw(values[c[:-1]]) for c in columns)])
        for label in labels:
            rows.append(
                [
                    f"单位{u}",
                    *kind,
                    label,
                    *(draw(values[c[:-1]]) if draw(st.booleans()) else "" for c in columns),
                ]
            )
    return "\n".join(lines) + "\n", _data(rows, columns, categories)


@given(case=cases())
@_COLUMN_SETTINGS
def test_point_mechanics_score_as_the_per_unit_program(tmp_path_factory, case):
    _, slow, _ = _agree(tmp_path_factory.mktemp("points"), *case)
    event(f"units vetoed: {'some' if any(o.vetoed for o in slow) else 'none'}")


_PERIODS = """
name = "分期扣分"
basis = "points"
total = 10
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "安全"
group = "组"
weight = 10
frequency = "quarterly"
score = "分值-扣分"
policies = [
    { type = "zero", when = "事故=1", per_period = true, reason = "当季发生事故的，该季得0分" },
    { type = "adjust", per = "迟报", points = -1, cap = 2 },
]
"""


def test_a_zero_rule_per_period_and_an_adjustment_per_period_by_hand(tmp_path):
    # 甲: 一季度 10−1 = 9, less 2 late (−2) = 7; 二季度 an accident: 0, less 3 late capped at 2 → 0
    # (扣完为止); the year is their mean, 3.5. 乙 gives one row for the year: the per-period rule
    # does not zero it (a note instead), 10−0 = 10, less 1 late = 9.
    data = "单位,期间,扣分,事故,迟报\n甲,一季度,1,0,2\n甲,二季度,0,1,3\n乙,,0,1,1\n"
    scheme = loads(_PERIODS, format="toml")
    found = _run_columns(scheme, tmp_path, data)
    assert [str(o.total) for o in found] == ["3.5", "9"]
    slow = evaluate(scheme, load_units(tmp_path / "d.csv", scheme=scheme), explained=True)
    assert [str(r.total) for r in slow] == ["3.5", "9"]
    _same(tmp_path, _PERIODS, data)


def _same(folder: Path, text: str, data: str) -> None:
    """The column program, the per-unit program and the streamed command line agree (outside hypothesis)."""
    fast, slow, _, scheme_path, data_path = _both_ways(folder, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    _streamed_cells_match(scheme_path, data_path, slow)


# The docs examples whose forms compile here, and how many of their units the column program scores.
_COMPILED = {
    "mechanics/m01-deductions.toml": 4,
    "mechanics/m03-peer-max-min.toml": 3,
    "mechanics/m04-share-of-best.toml": 3,
    "mechanics/m13-indicator-bonus.toml": 3,
    "example-scheme.toml": 2,
    "cookbook/open-limits.toml": 5,
    "cookbook/missing-data.toml": 4,  # a blank cell under the missing rule too (colmissing)
    "mechanics/m05-rank-points.toml": 5,
    "cookbook/rank-gated.toml": 6,
}


def _cli(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    assert code == 0, err.getvalue()
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(_COMPILED))
def test_each_example_is_scored_alike_on_every_path(name):
    path = _DOCS / name
    data = path.with_suffix(".csv") if path.with_suffix(".csv").exists() else _DOCS / "example-data.csv"
    scheme = load(path)
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    units = load_units(data, scheme=scheme)
    found = program_of(plan).run(units, batch_population(plan, units))  # type: ignore[union-attr]
    assert sum(o is not None for o in found) == _COMPILED[name]
    explained = {r.unit: (r.total, r.grade, r.rank) for r in evaluate(scheme, units, explained=True)}
    assert {r.unit: (r.total, r.grade, r.rank) for r in evaluate(scheme, units)} == explained
    expected = json.loads((_DOCS / "mechanics" / "expected.json").read_text(encoding="utf-8"))
    for unit, want in expected.get(path.stem, {}).items():
        assert Fraction(explained[unit][0]) == Fraction(want["total"]), unit
    # The command line's cells: the totals as output shows them, the grades and ranks.
    shown = {
        unit: (cell_number(total), grade or "", str(rank)) for unit, (total, grade, rank) in explained.items()
    }
    for jobs in ("1", "2"):
        text = _cli("score", str(path), str(data), "--format", "csv", "--jobs", jobs).lstrip("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {r["单位"]: (r["总分"], r["等次"], r["排名"]) for r in rows} == shown, f"--jobs {jobs}"
    units_json = json.loads(_cli("score", str(path), str(data), "--format", "json"))["units"]
    assert {
        u["unit"]: (cell_number(Decimal(str(u["total"]))), u["grade"] or "", str(u["rank"]))
        for u in units_json
    } == shown
    # The table: rank, unit and the total to two places.
    lines = [line.split() for line in _cli("score", str(path), str(data)).splitlines()[2:]]
    table = {parts[1]: (parts[0], Fraction(parts[-2])) for parts in lines}
    for unit, (total, _, rank) in explained.items():
        assert table[unit][0] == str(rank)
        assert abs(table[unit][1] - Fraction(total)) <= Fraction(1, 200), unit


def test_shenzhen_districts_compiles_whole_and_scores_as_the_per_unit_program(tmp_path):
    # Indicators 12 and 24 score a rank's place (100−(名次−1)×5): the place comes in as a column.
    schemes = _DOCS.parent.parent / "src" / "perfrules" / "schemes"
    text = (schemes / "shenzhen_2010_districts.toml").read_text(encoding="utf-8")
    data = (schemes / "shenzhen_2010_districts.csv").read_text(encoding="utf-8-sig")
    scheme = load("shenzhen-2010-districts")
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    units = load_units(schemes / "shenzhen_2010_districts.csv", scheme=scheme)
    found = program_of(plan).run(units, batch_population(plan, units))  # type: ignore[union-attr]
    # Every unit: 宝安区's blank 投资计划下达额 takes its default over columns too (colreach).
    assert None not in found
    _same(tmp_path, text, data)
    # 南山区 first at 85.5 (the built-in's sample, as the command line prints it).
    lines = _cli("score", "shenzhen-2010-districts", str(schemes / "shenzhen_2010_districts.csv"))
    assert lines.splitlines()[2].split()[:3] == ["1", "南山区", "85.5"]


_VETO = """
name = "否决"
basis = "points"
total = 20
groups = [{ name = "组" }]
[overall]
rule = "好：总分>=15；差：总分<15"
[[indicators]]
code = "1"
name = "安全生产"
group = "组"
weight = 10
score = "分值"
policies = [
    { type = "adjust", items = { "一般事故" = -2, "较大事故" = -5 }, cap = "分值×60%" },
    { type = "veto", when = "重大事故>0", effect = "lowest_grade", reason = "发生重大事故" },
]
[[indicators]]
code = "2"
name = "服务"
group = "组"
weight = 10
score = "服务得分"
"""


def test_adjustments_and_a_veto_by_hand(tmp_path):
    # 甲: 10 − 2×1 = 8, +9 → 17 好. 乙: 10 − (2×2 + 5) = 1, but the cap is 60% of 10: 10 − 6 = 4,
    # +10 → 14 差. 丙: 10 − 0 + 10 = 20, but the veto fires: 差, with the veto's note (the column
    # program takes it: colvetoes).
    data = "单位,一般事故,较大事故,重大事故,服务得分\n甲,1,0,0,9\n乙,2,1,0,10\n丙,0,0,1,10\n"
    scheme = loads(_VETO, format="toml")
    found = _run_columns(scheme, tmp_path, data)
    assert [(str(o.total), o.grade, o.vetoed) for o in found] == [
        ("17", "好", False),
        ("14", "差", False),
        ("20", "差", True),
    ]
    assert [e.kind for e in found[2].events] == ["veto"]
    result = evaluate(scheme, load_units(tmp_path / "d.csv", scheme=scheme))
    assert [(str(r.total), r.grade) for r in result] == [("17", "好"), ("14", "差"), ("20", "差")]
    assert any("发生重大事故" in e.message for e in result.unit("丙").events)
    _same(tmp_path, _VETO, data)


_MISSING = """
name = "缺失"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 60
score = "min(100, 甲值)"
policies = [{ type = "not_applicable", missing = true }]
[[indicators]]
code = "2"
name = "乙"
group = "组"
weight = 40
score = "乙值"
"""


def test_a_missing_rule_by_hand(tmp_path):
    # 甲 gives both: 90×0.6 + 80×0.4 = 86, as columns. 乙's 甲值 is blank: 甲 does not apply and its
    # weight moves to 乙 (80), as columns too (colmissing). 丙's 甲值 is a word: its error, known
    # before any indicator is scored (the column program gives it).
    data = "单位,甲值,乙值\n甲,90,80\n乙,,80\n丙,约九十,80\n"
    scheme = loads(_MISSING, format="toml")
    found = _run_columns(scheme, tmp_path, data)
    assert [str(o.total) for o in found] == ["86", "80", "None"]
    assert [e.message for e in found[2].errors] == ["'约九十' is not a number"]
    result = evaluate(scheme, load_units(tmp_path / "d.csv", scheme=scheme))
    assert [str(r.total) if r.total is not None else None for r in result] == ["86", "80", None]
    _same(tmp_path, _MISSING, data)
