"""Forms the column program took last: other indicators' steps read, and vetoes per period.

- Rules that read another indicator's steps (``指标1·原始得分``; a part graded by
  its own scale too), from an indicator's score formula, a scheme-wide
  adjustment (``per = "指标1·超额点数"``) or the total formula
  (:mod:`perfrules.scoring.colstepreads`).
- Vetoes of indicators reported per period, which the per-unit program decides
  on the unit's year row (:mod:`perfrules.scoring.colperiodvetoes`).

Each form is generated with data on and beside its boundaries (a rate just under
60% of its target, a divisor of 0, blank and unreadable cells, a period row whose
veto cell differs from the year's); the column program, the per-unit program and
the streamed command line must give the same totals, grades, ranks, scores,
errors and notes. ``cookbook/read-results`` is scored alike on every path, with
figures worked by hand.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
from hypothesis import event, given
from hypothesis import strategies as st

import oracle
from perfrules import Unit, evaluate, load
from perfrules import testing as prst
from perfrules.cli.main import main
from perfrules.files.data import load_units
from perfrules.pipeline.stream import cell_number
from perfrules.scoring.batch import score_batch
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_program import _COLUMN_SETTINGS, _agree, _both_ways, _data_csv, _key, _q, _run_columns

_DOCS = Path(__file__).resolve().parent.parent / "docs" / "examples"
_ODD = ["", "约五", "1e1"]


# -- other indicators' steps ----------------------------------------------------------------


@st.composite
def step_cases(draw: st.DrawFn) -> tuple[str, str]:
    """A points scheme whose rules read other indicators' steps, and CSV data for it."""
    categories = draw(st.sampled_from([(), ("甲类", "乙类")]))
    count = draw(st.integers(2, 3))
    units = [f"单位{i}" for i in range(draw(st.integers(1, 10)))]
    weights = [draw(st.sampled_from([20, 30, 40, 25])) for _ in range(count)]
    total = sum(weights)
    lines = ['name = "读取步骤"', 'basis = "points"', f"total = {total}", "cap_total = false"]
    if categories:  # 乙类's weights are 3/5 of 甲类's: full marks of its own
        lines.append(f"categories = [{', '.join(map(_q, categories))}]")
        lines.append(f'totals = {{ "甲类" = {total}, "乙类" = {sum(w // 5 * 3 for w in weights)} }}')
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 2))}")
    formula = draw(st.sampled_from([None, "plain", "step"]))
    if formula == "plain":
        lines.append('total_formula = "(组一得分+组二得分)×系数"')
    elif formula == "step":
        lines.append('total_formula = "组一得分+组二得分+指标1·基本1/10"')
    lines.append('groups = [{ name = "组一" }, { name = "组二" }]')
    columns: dict[str, list[str]] = {}
    rate = st.sampled_from(["59.9", "60", "60.1", "100", "112", "0", "45", "90"])
    goal = st.sampled_from(["100"] * 6 + ["50", "50", "0"])
    for k in range(1, count + 1):
        lines += [
            "[[indicators]]",
            f'code = "{k}"',
            f'name = "指标{k}"',
            f'group = "{"组一" if k % 2 else "组二"}"',
        ]
        if categories:
            lines.append(f'weights = {{ "甲类" = {weights[k - 1]}, "乙类" = {weights[k - 1] // 5 * 3} }}')
        else:
            lines.append(f"weight = {weights[k - 1]}")
        lines.append(f"max_score = {weights[k - 1] * 2}")
        mapped = draw(st.booleans())
        done = f"报完成{k}" if mapped else f"完成{k}"
        if mapped:
            lines.append(f'inputs = {{ "完成{k}" = "{done}" }}')
        steps = [
            _q(f"原始{k}=分值×完成{k}/目标{k}"),
            _q(f"基本{k}=分值×60%"),
            _q(f"超点{k}=max(0, floor((完成{k}/目标{k}-1)/1%))"),
            _q(f"率{k}=完成{k}/目标{k}"),
            f'{{ type = "part", target = "档{k}", of = "率{k}", '
            f'scale = {{ rule = "优：率≥0.9；良：0.6≤率<0.9；差：率<0.6", domain = [0, 2] }} }}',
        ]
        lines.append(f"steps = [{', '.join(steps)}]")
        j = draw(st.sampled_from([i for i in range(1, count + 1) if i != k]))
        score = draw(
            st.sampled_from(
                [
                    f"if(指标{j}·原始{j}<指标{j}·基本{j}, min(原始{k}, 基本{k}), 原始{k})",
                    f"原始{k}+指标{j}·档{j}",
                    f"原始{k}",
                    f"min(原始{k}, 指标{j}·率{j}×分值)",
                ]
                + ([f"if(指标{k - 1}得分<{weights[k - 2] // 2}, 原始{k}×90%, 原始{k})"] if k > 1 else [])
            )
        )
        lines.append(f"score = {_q(score)}")
        odd = st.sampled_from(_ODD)
        columns[done] = [draw(odd if draw(st.integers(0, 9)) == 0 else rate) for _ in units]
        columns[f"目标{k}"] = [draw(goal) for _ in units]
    if formula == "plain":
        columns["系数"] = [draw(st.sampled_from(["1", "1.05", "0.9", ""])) for _ in units]
    if draw(st.booleans()):
        lines += [
            "[[policies]]",
            'type = "adjust"',
            'per = "指标1·超点1"',
            "points = 0.5",
            f"cap = {draw(st.sampled_from([3, 6]))}",
        ]
    kinds = [draw(st.sampled_from([*categories, ""])) for _ in units] if categories else None
    return "\n".join(lines) + "\n", _data_csv(units, columns, kinds)


@given(case=step_cases())
@_COLUMN_SETTINGS
def test_reads_of_other_indicators_steps_score_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("stepreads")
    _, slow, scheme = _agree(folder, *case)
    kept = evaluate(scheme, load_units(folder / "data.csv", scheme=scheme), explained=False)
    assert [(r.unit, r.total, r.grade, r.rank, [e.message for e in r.events]) for r in kept] == [
        (o.unit.name, o.total, o.grade, o.rank, [e.message for e in o.events]) for o in slow
    ]
    found = [o for o in _run_columns(scheme, folder, case[1]) if o is not None]
    if any(e.kind == "adjust" for o in found for e in o.events):
        event("the column program added points per another indicator's step")
    if any(o.errors for o in slow):
        event("the per-unit program reported an error")


# -- vetoes on indicators reported per period ------------------------------------------------


@st.composite
def veto_cases(draw: st.DrawFn) -> tuple[str, str]:
    """Indicators reported per period with vetoes, and units with and without period rows whose veto
    cells differ from the year's."""
    count = draw(st.integers(1, 3))
    categories = draw(st.booleans())
    mode = draw(st.sampled_from(["mean", "last", "sum"]))
    lines = ['name = "分期否决"', "total = 100", 'groups = [{ name = "组" }]', f'periods = "{mode}"']
    if categories:
        lines.append('categories = ["甲类", "乙类"]')
    if draw(st.booleans()):
        lines += ["[overall]", 'rule = "优：总分>=85；良：70≤总分<85；差：总分<70"']
    shares = [draw(st.sampled_from([10, 20, 30])) for _ in range(count - 1)]
    shares.append(100 - sum(shares))
    cells: dict[str, st.SearchStrategy[str]] = {}
    for k in range(1, count + 1):
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"']
        lines.append(f'frequency = "{draw(st.sampled_from(["monthly", "quarterly"]))}"')
        lines.append(f"weight = {shares[k - 1]}")
        mapped = draw(st.booleans())
        if mapped:
            lines.append(f'inputs = {{ "否决{k}" = "事故{k}" }}')
        effect = draw(st.sampled_from(["zero", "lowest_grade"]))
        when = draw(st.sampled_from([f"否决{k}>0", f"否决{k}>=2", f"否决{k}>0 and 值{k}<60"]))
        if "值" in when and draw(st.booleans()):
            when = f"否决{k}>0"
        policies = [f'{{ type = "veto", when = {_q(when)}, effect = "{effect}" }}']
        if draw(st.booleans()):
            policies.append(f'{{ type = "zero", when = "违规{k}>0" }}')
            cells[f"违规{k}"] = st.sampled_from(["0", "0", "1", ""])
        if draw(st.booleans()):
            lines.append(f'steps = ["率{k}=完成{k}/计划{k}×100"]')
            lines += [
                f"policies = [{', '.join(policies)}]",
                "[indicators.scale]",
                f'rule = "优：率{k}≥90；良：60≤率{k}<90；差：率{k}<60"',
                "domain = [0, 100]",
            ]
            cells[f"完成{k}"] = st.sampled_from(["0", "5", "6", "9", "6", "9", "", "11"])
            cells[f"计划{k}"] = st.sampled_from(["10", "9", "10", "9", "0", ""])
            cells[f"值{k}"] = st.sampled_from(["50", "60", "70"])
        else:
            lines.append(f'score = "值{k}"')
            lines.append(f"policies = [{', '.join(policies)}]")
            cells[f"值{k}"] = st.sampled_from(
                ["59.9", "60", "87.5", "100", "101", "59.9", "60", "", "约五分"]
            )
        cells[f"事故{k}" if mapped else f"否决{k}"] = st.sampled_from(["0"] * 6 + ["1", "2", "", "约"])
    columns = sorted(cells)
    rows: list[list[str]] = []
    for u in range(draw(st.integers(1, 8))):
        head = [f"单位{u}", *([draw(st.sampled_from(["甲类", "乙类"]))] if categories else [])]
        labels = draw(st.lists(st.sampled_from(["1月", "2月", "3月"]), unique=True, max_size=3))
        if draw(st.integers(0, 3)) > 0 or not labels:
            rows.append([*head, "", *(draw(cells[c]) for c in columns)])
        for label in labels:
            rows.append([*head, label, *(draw(cells[c]) if draw(st.integers(0, 2)) else "" for c in columns)])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位", *(["类别"] if categories else []), "期间", *columns])
    writer.writerows(rows)
    return "\n".join(lines) + "\n", out.getvalue()


@given(case=veto_cases())
@_COLUMN_SETTINGS
def test_vetoes_per_period_score_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("periodvetoes")
    _, slow, _ = _agree(folder, *case, periods=True)
    if any(e.kind == "veto" for o in slow for e in o.events):
        event("a veto fired")


def test_a_veto_per_period_is_decided_on_the_year_row(tmp_path):
    """The per-unit program reads a veto's cell from the year's row, not a period's: 乙's March row
    says 否决 = 1 but its year row 0 (not vetoed: (90 + 100) / 2 = 95); 甲's year row says 1 (vetoed:
    0 points, 差); 丁 has no year row, so no 否决 to read."""
    text = """
name = "分期否决"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "完成率"
group = "组"
weight = 100
frequency = "monthly"
score = "值"
policies = [{ type = "veto", when = "否决>0", effect = "zero" }]
[overall]
rule = "优：总分>=85；差：总分<85"
"""
    data = (
        "单位,期间,值,否决\n甲,,,1\n甲,1月,90,\n甲,2月,80,\n乙,,,0\n乙,1月,90,\n乙,3月,100,1\n"
        "丙,,,0\n丙,1月,86,\n丁,1月,86,0\n"
    )
    fast, slow, scheme, *_ = _both_ways(tmp_path, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    got = {o.unit.name: (o.total, o.grade) for o in fast}
    assert got == {
        "甲": (Decimal(0), "差"),
        "乙": (Decimal(95), "优"),
        "丙": (Decimal(86), "优"),
        "丁": (None, None),  # no year row: the veto's 否决 is missing (the per-unit program's error)
    }
    assert "否决" in fast[3].errors[0].message
    taken = _run_columns(scheme, tmp_path, data)
    # Every unit is the column program's: 甲's veto (its note, 0 points) and 丁's error (worded by the
    # indicator's own step) too.
    assert [o is not None for o in taken] == [True, True, True, True]
    assert (taken[0].total, taken[0].vetoed, [e.kind for e in taken[0].events]) == (
        Decimal(0),
        True,
        ["veto"],
    )
    assert taken[3].total is None and "否决" in taken[3].errors[0].message


# -- overall grading and total formulas that read indicators' grades --------------------------


@st.composite
def grade_cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme whose overall grading, caps, flags and total formula read indicators' grades and counts
    of grades, and CSV data whose values sit on and beside the indicators' grade boundaries."""
    count = draw(st.integers(1, 4))
    categories = draw(st.booleans())
    lines = ['name = "指标等次"', "total = 100", 'groups = [{ name = "组" }]']
    lines.append('scores = { "优" = [90, 100], "良" = [80, 90], "中" = [60, 80], "差" = [0, 60] }')
    if categories:
        lines.append('categories = ["甲类", "乙类"]')
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 1))}")
    if draw(st.booleans()):  # a total formula that reads the grades too
        i = draw(st.integers(1, count))
        lines.append(f'total_formula = "组得分+评为优的指标数-指标{i}等次+评为差的指标数×2"')
    shares = [draw(st.sampled_from([10, 20, 30])) for _ in range(count - 1)]
    shares.append(100 - sum(shares))
    second = list(shares)
    if count > 1 and draw(st.booleans()):  # 乙类 does not assess indicator 1: its weight moves to 2
        second[1] += second[0]
        second[0] = 0
    columns: dict[str, st.SearchStrategy[str]] = {}
    near = st.sampled_from(["59.9", "60", "79.99", "80", "89.9", "90", "100", "45", "85", "101"])
    for k in range(1, count + 1):
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"']
        if categories:
            lines.append(f'weights = {{ "甲类" = {shares[k - 1]}, "乙类" = {second[k - 1]} }}')
        else:
            lines.append(f"weight = {shares[k - 1]}")
        form = draw(st.sampled_from(["reported", "scale", "words"]))
        policies = []
        if draw(st.integers(0, 2)) == 0:
            policies.append(f'{{ type = "zero", when = "违规{k}>0" }}')
            columns[f"违规{k}"] = st.sampled_from(["0", "0", "0", "1"])
        if form == "reported":
            lines.append(f'score = "值{k}"')
            columns[f"值{k}"] = st.one_of(near, near, near, st.sampled_from(["", "约五分"]))
        elif form == "scale":
            lines.append(f'steps = ["率{k}=完成{k}/计划{k}×100"]')
            columns[f"完成{k}"] = st.sampled_from(["6", "8", "9", "10", "5", "0", "", "7"])
            columns[f"计划{k}"] = st.sampled_from(["10", "10", "10", "9", "0"])
        else:
            lines.append(f'value = "结论{k}"')
            columns[f"结论{k}"] = st.sampled_from(["好", "较好", "一般", "差", "好", "", "未知"])
        if policies:
            lines.append(f"policies = [{', '.join(policies)}]")
        if form == "scale":
            lines += [
                "[indicators.scale]",
                f'rule = "优：率{k}≥90；良：80≤率{k}<90；中：60≤率{k}<80；差：率{k}<60"',
                "domain = [0, 100]",
                f'scoring = "{draw(st.sampled_from(["midpoint", "interpolate"]))}"',
            ]
        elif form == "words":
            lines += ["[indicators.scale]", 'rule = "好—95分;较好—85分;一般—70分;差—40分"']
    j = draw(st.integers(1, count))
    best = draw(
        st.sampled_from(["评为差的指标数=0", f"指标{j}等次=1", "评为优的指标数>=1", "评为好的指标数>=1"])
    )
    lines += ["[overall]", 'policy = "first"']
    for name, condition in (
        ("优", f"总分>=85 and {best}"),
        ("良", f"总分>=70 and 指标{j}等次<=2"),
        ("中", "总分>=60"),
        ("差", "总分>=0"),
    ):
        lines += ["[[overall.bands]]", f'name = "{name}"', f"conditions = [{_q(condition)}]"]
    if draw(st.booleans()):
        cap = draw(st.sampled_from(['grade = "良"', "demote = 1"]))
        lines += ["[[caps]]", f'when = "指标{draw(st.integers(1, count))}等次>=3"', cap]
    if draw(st.booleans()):
        lines += ["[[flags]]", 'label = "不能评先"', 'when = "评为差的指标数>=2"']
    names = sorted(columns)
    units = [f"单位{i}" for i in range(draw(st.integers(1, 10)))]
    data = {name: [draw(columns[name]) for _ in units] for name in names}
    kinds = [draw(st.sampled_from(["甲类", "乙类"])) for _ in units] if categories else None
    return "\n".join(lines) + "\n", _data_csv(units, data, kinds)


@given(case=grade_cases())
@_COLUMN_SETTINGS
def test_grading_on_indicators_grades_scores_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("indgrades")
    fast, slow, scheme, scheme_path, data_path = _both_ways(folder, *case)
    assert [(_key(o), o.flags) for o in fast] == [(_key(o), o.flags) for o in slow]
    # The streamed command line (with a 标记 column for the flags): the per-unit program's cells.
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", str(scheme_path), str(data_path), "--format", "csv"], out=out, err=err) in (0, 1)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert {r["单位"]: (r["排名"], r["总分"], r["等次"], r.get("标记", "")) for r in rows} == {
        o.unit.name: (
            "" if o.rank is None else str(o.rank),
            "" if o.total is None else cell_number(o.total),
            o.grade or "",
            "、".join(o.flags) if "标记" in rows[0] else "",
        )
        for o in slow
    }
    kept = evaluate(scheme, load_units(folder / "data.csv", scheme=scheme), explained=False)
    assert [(r.unit, r.total, r.grade, r.rank, r.flags, [e.message for e in r.events]) for r in kept] == [
        (o.unit.name, o.total, o.grade, o.rank, o.flags, [e.message for e in o.events]) for o in slow
    ]
    found = [o for o in _run_columns(scheme, folder, case[1]) if o is not None]
    event(f"units the column program scored: {'some' if found else 'none'}")
    if any(o.grade == "优" for o in found):
        event("the column program graded a unit 优 on its indicators' grades")
    if any(e.kind == "total_formula" for o in found for e in o.events):
        event("the column program made a total by a formula reading indicators' grades")
    if any(e.kind == "grade_cap" for o in found for e in o.events):
        event("the column program capped a grade on an indicator's grade")


# -- rules on the total beside group means, a grade per period or a total formula -------------


@st.composite
def total_cases(draw: st.DrawFn) -> tuple[str, str]:
    """Points schemes with 折算, scheme-wide adjustments and vetoes, a total formula or full marks per
    category, together with groups that take a mean or a grade per period; data on the boundaries."""
    beside = draw(st.sampled_from(["means", "periods", "formula"]))
    count = draw(st.integers(2, 4))
    categories = draw(st.booleans())
    weights = [draw(st.sampled_from([10, 20, 25, 30])) for _ in range(count)]
    total = sum(weights)
    lines = ['name = "总分规则"', 'basis = "points"', f"total = {total}"]
    if categories:
        second = [w // 5 * 4 for w in weights]
        lines.append('categories = ["甲类", "乙类"]')
        if draw(st.booleans()):  # 乙类 has full marks of its own
            lines.append(f'totals = {{ "甲类" = {total}, "乙类" = {sum(second)} }}')
        else:
            second = list(weights)
    rules = draw(
        st.lists(st.sampled_from(["normalize", "adjust", "veto", "formula"]), unique=True, min_size=1)
    )
    if beside == "formula" and "formula" not in rules:
        rules.append("formula")
    if beside == "periods" and "formula" in rules:  # (a total formula has no period totals: refused)
        rules.remove("formula")
        rules = rules or ["normalize"]
    if "formula" in rules and "normalize" in rules:  # (a scheme refuses both: they both make the total)
        rules.remove("normalize" if beside == "formula" or draw(st.booleans()) else "formula")
    if "normalize" in rules:
        lines.append("normalize = true")
    if draw(st.booleans()):
        lines.append("cap_total = false")
    if draw(st.booleans()):
        lines.append(f"round_total = {draw(st.integers(0, 2))}")
    if "formula" in rules:
        formula = draw(
            st.sampled_from(
                [
                    "组一得分+组二得分×系数",
                    "(组一得分率+组二得分率)/2×组一得分率×100",
                    "组一得分+组二得分+奖励",
                ]
            )
        )
        lines.append(f"total_formula = {_q(formula)}")
    if beside == "periods":
        lines += ['periods = "mean"', "period_grades = true"]
    one = '{ name = "组一" }'
    if beside == "means":
        one = f'{{ name = "组一", aggregate = "{draw(st.sampled_from(["geometric", "harmonic"]))}", places = 2 }}'
    lines.append(f'groups = [{one}, {{ name = "组二" }}]')
    columns: dict[str, st.SearchStrategy[str]] = {}
    for k in range(1, count + 1):
        full = weights[k - 1]
        lines += [
            "[[indicators]]",
            f'code = "{k}"',
            f'name = "指标{k}"',
            f'group = "{"组一" if k <= 2 else "组二"}"',
        ]
        if k == count and count == 2:
            lines[-1] = 'group = "组二"'
        if categories:
            lines.append(f'weights = {{ "甲类" = {full}, "乙类" = {second[k - 1]} }}')
        else:
            lines.append(f"weight = {full}")
        if beside == "periods" and (k == 1 or draw(st.booleans())):
            lines.append('frequency = "quarterly"')
        lines.append(f'score = "分值×率{k}"')
        if draw(st.integers(0, 2)) == 0:
            lines.append(f'policies = [{{ type = "not_applicable", when = "不适用{k}=1" }}]')
            columns[f"不适用{k}"] = st.sampled_from(["0", "0", "1"])
        columns[f"率{k}"] = st.sampled_from(["0", "0.5", "0.6", "0.8", "0.9", "1", "0.95", "0.999", "", "约"])
    if "adjust" in rules:
        lines += ["[[policies]]", 'type = "adjust"', 'per = "加分"', "points = 1.5", "cap = 3"]
        columns["加分"] = st.sampled_from(["0", "1", "2", "3", ""])
    if "veto" in rules:
        effect = draw(st.sampled_from(["zero", "lowest_grade"]))
        lines += ["[[policies]]", 'type = "veto"', 'when = "事故>0"', f'effect = "{effect}"']
        columns["事故"] = st.sampled_from(["0", "0", "0", "1", ""])
    if "formula" in rules:
        columns["系数"] = st.sampled_from(["1", "1.1", "0.9"])
        columns["奖励"] = st.sampled_from(["0", "2", "-1"])
    if draw(st.booleans()):
        lines += [
            "[overall]",
            f'rule = "优：总分>={total * 9 // 10}；良：{total * 6 // 10}≤总分<{total * 9 // 10}；差：总分<{total * 6 // 10}"',
        ]
    names = sorted(columns)
    rows: list[list[str]] = []
    for u in range(draw(st.integers(1, 8))):
        head = [f"单位{u}", *([draw(st.sampled_from(["甲类", "乙类"]))] if categories else [])]
        labels = (
            draw(st.lists(st.sampled_from(["一季度", "二季度"]), unique=True)) if beside == "periods" else []
        )
        rows.append([*head, "", *(draw(columns[c]) for c in names)])
        for label in labels:
            rows.append([*head, label, *(draw(columns[c]) if c.startswith("率") else "" for c in names)])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位", *(["类别"] if categories else []), "期间", *names])
    writer.writerows(rows)
    return "\n".join(lines) + "\n", out.getvalue()


def _streamed_with_periods(scheme_path: Path, data_path: Path, slow: list[Any]) -> None:
    """The streamed command line's CSV (with each period's 总分 and 等次 columns) gives the per-unit
    program's ranks, totals, grades, period totals and scores."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", str(scheme_path), str(data_path), "--format", "csv"], out=out, err=err) in (0, 1)
    rows = {r["单位"]: r for r in csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff")))}
    assert set(rows) == {o.unit.name for o in slow}
    for o in slow:
        row = rows[o.unit.name]
        assert (row["排名"], row["总分"], row["等次"]) == (
            "" if o.rank is None else str(o.rank),
            "" if o.total is None else cell_number(o.total),
            o.grade or "",
        )
        for p in o.periods:
            assert (row[f"{p.period}总分"], row[f"{p.period}等次"]) == (cell_number(p.total), p.grade or "")
        if not o.errors:
            scores = [v for k, v in row.items() if k[:1].isdigit()]
            assert scores == ["" if v is None else cell_number(v) for v in o.scores]


@given(case=total_cases())
@_COLUMN_SETTINGS
def test_rules_on_the_total_beside_means_periods_and_formulas_score_as_the_per_unit_program(
    tmp_path_factory, case
):
    folder = tmp_path_factory.mktemp("totalgaps")
    if "period_grades" not in case[0]:
        _, slow, scheme = _agree(folder, *case)
    else:  # the command line's CSV has each period's total and grade beside the year's
        fast, slow, scheme, scheme_path, data_path = _both_ways(folder, *case)
        assert [_key(o) for o in fast] == [_key(o) for o in slow]
        _streamed_with_periods(scheme_path, data_path, slow)
    kept = evaluate(scheme, load_units(folder / "data.csv", scheme=scheme), explained=False)
    assert [(r.unit, r.total, r.grade, r.rank, [e.message for e in r.events]) for r in kept] == [
        (o.unit.name, o.total, o.grade, o.rank, [e.message for e in o.events]) for o in slow
    ]
    assert [[(p.period, p.total, p.grade) for p in r.periods] for r in kept] == [
        [(p.period, p.total, p.grade) for p in o.periods] for o in slow
    ]
    found = [o for o in _run_columns(scheme, folder, case[1]) if o is not None]
    for kind in ("normalize", "adjust", "veto", "total_formula", "full_marks"):
        if any(e.kind == kind for o in found for e in o.events):
            event(f"the column program made a '{kind}' note")
    if "aggregate" in case[0] and any(
        e.kind in ("total_formula", "normalize") for o in found for e in o.events
    ):
        event("the column program finished a total made by group means")


# -- the schemes perfrules.testing generates ---------------------------------------------------


@st.composite
def _generated(draw: st.DrawFn) -> tuple[Any, list[Unit]]:
    """A scheme from :func:`perfrules.testing.schemes` (indicators reported monthly or quarterly, with
    vetoes …) and its units, some with period rows whose values (and veto cells) differ from the year's."""
    scheme = draw(prst.schemes(max_groups=2, max_indicators=3))
    units = draw(prst.units(scheme, max_size=6))
    out = []
    for unit in units:
        periods: dict[str, dict[str, object]] = {}
        labels = st.lists(st.sampled_from(["1月", "2月", "3月"]), unique=True, max_size=3)
        for label in draw(labels) if unit.data else ():
            periods[label] = {
                name: draw(st.sampled_from([Decimal(0), Decimal(1), Decimal("0.6"), Decimal(90)]))
                for name in draw(st.lists(st.sampled_from(sorted(unit.data)), unique=True, max_size=4))
            }
        out.append(attrs.evolve(unit, periods=periods))
    return scheme, out


@given(case=_generated())
@_COLUMN_SETTINGS
def test_generated_schemes_compile_and_score_as_the_per_unit_program(case):
    scheme, units = case
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    fast, _ = score_batch(plan, units)
    slow, _ = oracle.score_batch(plan, units)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    taken = program_of(plan).run(units)  # type: ignore[union-attr]
    event(f"units the column program scored: {'some' if any(o is not None for o in taken) else 'none'}")
    if any(o is not None and u.periods for o, u in zip(taken, units, strict=True)):
        event("the column program scored a unit with period rows")


# -- cookbook/read-results on every path -----------------------------------------------------

# By hand (利润目标 100, 经济增加值目标 50; 分值 30, 30, 40):
# 甲: 原始1 = 30×112/100 = 33.6, 原始2 = 30×45/50 = 27, both at or above 基本分 18: 33.6 and 27;
#     指标3 = 40×90% = 36 (指标1得分 ≥ 18); (60.6 + 36)×1.05 + 1 − 0.5 = 101.93; 超额点数 12 × 0.5 = 6,
#     capped at 3: 104.93.
# 乙: 原始1 = 15, 原始2 = 33; 指标2 held at 基本分 18 (指标1·原始得分 15 < 18); 指标3 = 40×80%×90% = 28.8;
#     (33 + 28.8)×1.1 + 0 − 2 = 65.98.
# 丙: 原始1 = 12, 原始2 = 12 (both under 18, min(12, 18) = 12); 指标3 = 40×70%×90% = 25.2; 49.2.
_READ_RESULTS = {
    "甲": (Fraction("104.93"), 1, [Fraction("33.6"), Fraction(27), Fraction(36)]),
    "乙": (Fraction("65.98"), 2, [Fraction(15), Fraction(18), Fraction("28.8")]),
    "丙": (Fraction("49.2"), 3, [Fraction(12), Fraction(12), Fraction("25.2")]),
}


def _run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(list(args), out=out, err=err) == 0, err.getvalue()
    return out.getvalue()


def test_read_results_compiles_and_every_path_gives_the_hand_worked_figures() -> None:
    scheme_path = _DOCS / "cookbook" / "read-results.toml"
    data_path = _DOCS / "cookbook" / "read-results.csv"
    scheme = load(scheme_path)
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    assert _run("validate", str(scheme_path)).startswith("ok: ")  # (the column program compiles it)
    units = load_units(data_path, scheme=scheme)
    taken = program_of(plan).run(units)  # type: ignore[union-attr]
    assert all(o is not None for o in taken)  # every unit scored as columns
    assert {o.unit.name: Fraction(o.total) for o in taken if o is not None} == {
        u: t for u, (t, _, _) in _READ_RESULTS.items()
    }
    assert [e.kind for e in taken[0].events] == ["total_formula", "adjust"]  # type: ignore[union-attr]
    results: dict[bool, Any] = {}
    for explained in (True, False):
        results[explained] = {
            r.unit: (
                Fraction(r.total),
                r.rank,
                [Fraction(s.score) for s in r.indicators] if explained else None,
                [e.message for e in r.events],
            )
            for r in evaluate(scheme, units, explained=explained)
        }
    for unit, (total, rank, scores) in _READ_RESULTS.items():
        assert results[True][unit][:3] == (total, rank, scores)
        assert results[False][unit][:2] == (total, rank)
        assert results[False][unit][3] == results[True][unit][3]
    assert "加 3分" in results[False]["甲"][3][1]
    for jobs in ("1", "2"):
        out = _run("score", str(scheme_path), str(data_path), "--format", "csv", "--jobs", jobs)
        rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
        assert {r["单位"]: (Fraction(r["总分"]), int(r["排名"])) for r in rows} == {
            u: (t, rank) for u, (t, rank, _) in _READ_RESULTS.items()
        }
    out = json.loads(_run("score", str(scheme_path), str(data_path), "--format", "json"))
    assert {u["unit"]: (Fraction(str(u["total"])), u["rank"]) for u in out["units"]} == {
        u: (t, rank) for u, (t, rank, _) in _READ_RESULTS.items()
    }
    table = _run("score", str(scheme_path), str(data_path))
    assert "104.93" in table and "65.98" in table and "49.2" in table
