"""Indicators reported per period in the column program, against the per-unit program.

The column program scores an indicator with a ``frequency`` on each period
row a unit gives for it (a blank period cell falls back to the year's row),
holds each period's score within its limits, rounds it (``round_scores``), and
makes the year by the scheme's ``periods`` rule — the exact mean, or the last
period (:mod:`perfrules.scoring.colperiods`). These tests generate schemes
with reported scores and graded rates per period, and units with none to
four period rows whose cells sit on and beside the scales' cuts, blank,
unreadable, past the limits, or a divisor of 0; the column program, the
per-unit program and the streamed command line must give the same totals,
grades, ranks, indicator scores, errors and events.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from perfrules import load, loads
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_program import _COLUMN_SETTINGS, _agree, _run_columns

_TINY = Decimal("1e-9")
_LABELS = ["1月", "2月", "3月", "4月"]


def _data(rows: list[list[str]], columns: list[str], categories: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位", *(["类别"] if categories else []), "期间", *columns])
    writer.writerows(rows)
    return out.getvalue()


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme of indicators reported per period, and units with and without period rows."""
    count = draw(st.integers(1, 3))
    categories = draw(st.booleans())
    mode = draw(st.sampled_from(["mean", "mean", "last"]))
    lines = ['name = "分期"', "total = 100", 'groups = [{ name = "组" }]', f'periods = "{mode}"']
    if categories:
        lines.append('categories = ["甲类", "乙类"]')
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 2))}")
    if draw(st.booleans()):
        lines += ["[overall]", 'rule = "优：总分>=85；良：70≤总分<85；差：总分<70"']
    cells: dict[str, st.SearchStrategy[str]] = {}
    # Weights per category adding up to 100 (some 0: the indicator is not assessed for that category).
    shares = {c: [draw(st.sampled_from([0, 10, 20, 30])) for _ in range(count - 1)] for c in ("甲类", "乙类")}
    for row in shares.values():
        row.append(100 - sum(row))
    for k in range(1, count + 1):
        frequency = draw(st.sampled_from(["monthly", "quarterly", "monthly", None]))
        kind = draw(st.sampled_from(["reported", "rate"]))
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"']
        if frequency is not None:
            lines.append(f'frequency = "{frequency}"')
        if categories:
            lines.append(
                f'weights = {{ "甲类" = {shares["甲类"][k - 1]}, "乙类" = {shares["乙类"][k - 1]} }}'
            )
        else:
            lines.append(f"weight = {shares['甲类'][k - 1]}")
        if kind == "reported":
            lines.append(
                f'score = "值{k}"' if draw(st.booleans()) else f'score = "值{k}×0.5+值{k}×0.5+加{k}"'
            )
            near = [Decimal(c) + d for c in (0, 60, 87.5, 100) for d in (0, _TINY, -_TINY)]
            plain = st.sampled_from([f"{v:f}" for v in near] + ["33.3", "101", "120", "-2", "-20", "7"])
            cells[f"值{k}"] = st.one_of(plain, plain, plain, st.sampled_from(["", "", "约五分"]))
            cells[f"加{k}"] = st.sampled_from(["0", "0", "1", "", "0.25"])
        else:
            lines.append(f'steps = ["率{k}=完成{k}/计划{k}×100"]')
            cut = draw(st.sampled_from(["90", "87.5", "66.6"]))
            lines += [
                "[indicators.scale]",
                f'rule = "优：率{k}≥{cut}；良：60≤率{k}<{cut}；差：率{k}<60"',
                "domain = [0, 100]",
            ]
            lines.append(f'scoring = "{draw(st.sampled_from(["midpoint", "interpolate"]))}"')
            cells[f"完成{k}"] = st.sampled_from(["0", "1", "2", "3", "5", "6", "7", "9", "", "11"])
            cells[f"计划{k}"] = st.sampled_from(["3", "6", "7", "9", "10", "0", "", "约五"])
    columns = sorted(cells)
    rows: list[list[str]] = []
    for u in range(draw(st.integers(1, 10))):
        name = f"单位{u}"
        head = [name, *([draw(st.sampled_from(["甲类", "乙类"]))] if categories else [])]
        labels = draw(st.lists(st.sampled_from(_LABELS), unique=True, max_size=4))
        year = draw(st.integers(0, 2)) > 0 or not labels  # a unit may give periods only
        if year:
            rows.append([*head, "", *(draw(cells[c]) for c in columns)])
        for label in labels:
            # A period row gives some columns, the others blank (the year's value is used).
            rows.append([*head, label, *(draw(cells[c]) if draw(st.integers(0, 3)) else "" for c in columns)])
    return "\n".join(lines) + "\n", _data(rows, columns, categories)


@given(case=cases())
@_COLUMN_SETTINGS
def test_values_per_period_score_as_the_per_unit_program(tmp_path_factory, case):
    _agree(tmp_path_factory.mktemp("periods"), *case, periods=True)


_HAND = """
name = "分期"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "完成率"
group = "组"
weight = 60
frequency = "quarterly"
steps = ["完成率=完成数/计划数×100"]
[indicators.scale]
rule = "优：完成率≥90；良：80≤完成率<90；差：完成率<80"
domain = [0, 100]
scoring = "interpolate"
[[indicators]]
code = "2"
name = "评分"
group = "组"
weight = 40
frequency = "monthly"
score = "评分"
"""


def test_a_mean_of_periods_by_hand(tmp_path):
    # 甲: quarters 9/10 (90 → 优's bottom, 90) and 8/10 (80 → 良's bottom, 80): 1 is (90+80)/2 = 85;
    # months 评分 100 and 95 (the second month's blank 计划数 is the year's 10): 2 is 97.5.
    # Total 85×0.6 + 97.5×0.4 = 51 + 39 = 90.
    scheme = loads(_HAND, format="toml")
    found = _run_columns(
        scheme,
        tmp_path,
        "单位,期间,完成数,计划数,评分\n甲,,,10,\n甲,一季度,9,10,\n甲,二季度,8,,\n甲,1月,,,100\n甲,2月,,,95\n"
        "乙,,7,10,70\n丙,,9,10,\n丙,1月,,,120\n丙,2月,,,80\n",
    )
    assert [o is not None for o in found] == [True, True, True]
    assert found[0].total == Decimal(90)  # type: ignore[union-attr]
    assert [float(s) for s in found[0].scores] == [85.0, 97.5]  # type: ignore[union-attr]
    # 丙's months are held within 0–100 each (120 → 100), then averaged: (100 + 80)/2 = 90, not 100.
    assert [float(s) for s in found[2].scores] == [90.0, 90.0]  # type: ignore[union-attr]


def test_shenzhen_compiles_to_a_column_program():
    """The built-in Shenzhen departments scheme (values per period, defaults, not-applicable rules, zero
    rules per month, parts, clamp, word scales, scales over several values, the peer ratio) compiles."""
    plan = plan_of(load("shenzhen-2010-departments"))
    assert program_of(plan) is not None, plan.program_why
