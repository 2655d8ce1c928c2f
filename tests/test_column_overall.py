"""The column program's overall grading that reads more than the total, held to the per-unit program's.

Overall grading on a group's 得分率, an indicator's 得分率, data columns and
conditions, grade caps (等次最高为…, 降一等次), limits on the total (总分不超过…)
and flags (不能评先) run the overall code once per distinct input
(:mod:`perfrules.scoring.coloverall`); these tests hold every path to the per-unit
program's results, with the worked numbers of the examples.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import oracle
from perfrules import evaluate, load
from perfrules.cli.main import main
from perfrules.files.data import load_units
from perfrules.pipeline.stream import cell_number
from perfrules.results.past import with_previous
from perfrules.results.periodcols import period_heads, period_labels, period_values
from perfrules.scoring.batch import score_batch
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_periods import cases as period_cases
from test_column_program import _COLUMN_SETTINGS, _both_ways, _data_csv, _key, _q, _run_columns

_ROOT = Path(__file__).resolve().parent.parent
_EXPECTED = json.loads((_ROOT / "docs/examples/mechanics/expected.json").read_text(encoding="utf-8"))

_GRADES = ("优秀", "良好", "合格", "不合格")


@st.composite
def overall_cases(draw: st.DrawFn) -> tuple[str, str]:
    """A points scheme of two groups whose overall grading reads more than the total, and data."""
    count = draw(st.integers(2, 4))
    weights = [draw(st.sampled_from([10, 20, 25, 30, Decimal("12.5")])) for _ in range(count)]
    total = sum(weights)
    units = [f"单位{i}" for i in range(draw(st.integers(1, 12)))]
    lines = ['name = "等次读取"', 'basis = "points"', f"total = {total}"]
    if draw(st.booleans()):
        lines.append(f"round_total = {draw(st.integers(0, 1))}")
    lines.append('groups = [{ name = "业务" }, { name = "党建" }]')
    share = draw(st.sampled_from(["60%", "80%", "0.75"]))
    read = draw(st.sampled_from(["业务得分率", "党建得分率", "指标1得分率", "业务得分", "事故"]))
    cut = total * Decimal(draw(st.sampled_from(["0.6", "0.8", "0.9"])))
    if draw(st.booleans()):
        lines += ["[overall]", 'policy = "first"']
        lines += ["[[overall.bands]]", 'name = "优秀"', f'conditions = ["总分>={cut} and {read}>={share}"]']
        lines += ["[[overall.bands]]", 'name = "良好"', f'conditions = ["总分>={cut}"]']
        lines += ["[[overall.bands]]", 'name = "合格"', f'conditions = ["总分>={total / 2}"]']
        lines += ["[[overall.bands]]", 'name = "不合格"', f'conditions = ["总分<{total / 2}"]']
    else:
        half = total / 2
        lines += ["[overall]", f'rule = "优秀：总分>={cut}；良好：{half}<=总分<{cut}；不合格：总分<{half}"']
    for _ in range(draw(st.integers(0, 3))):
        what = draw(st.sampled_from(["grade", "demote", "max_total"]))
        when = draw(st.sampled_from([f"{read}<{share}", "事故>0", "min(业务得分率, 党建得分率)<60%"]))
        lines += ["[[caps]]", f"when = {_q(when)}"]
        if what == "grade":
            lines.append('grade = "良好"')
        elif what == "demote":
            lines.append(f"demote = {draw(st.integers(1, 2))}")
        else:
            lines.append(f"max_total = {cut - 1}")
    for label in draw(st.lists(st.sampled_from(["不能评先", "黄牌警告"]), max_size=2, unique=True)):
        when = draw(st.sampled_from(["事故>0", f"{read}<{share}", "指标2得分>5"]))
        lines += ["[[flags]]", f"label = {_q(label)}", f"when = {_q(when)}"]
    columns: dict[str, list[str]] = {}
    for k in range(1, count + 1):
        weight = weights[k - 1]
        lines += [
            "[[indicators]]",
            f'code = "{k}"',
            f'name = "指标{k}"',
            f'group = "{"业务" if k % 2 else "党建"}"',
            f"weight = {weight}",
            f'score = "值{k}"',
        ]
        if k > 2 and draw(st.integers(0, 3)) == 0:
            lines.append(f"applies_to = [{_q(draw(st.sampled_from(units)))}]")
        near = [weight * Decimal(p) / 100 for p in (0, 50, 60, 75, 80, 90, 100)]
        cells = st.sampled_from([*[str(v) for v in near] * 3, "", "7.5", "约五分"])
        columns[f"值{k}"] = [draw(cells) for _ in units]
    columns["事故"] = [draw(st.sampled_from(["0", "0", "0", "1", "2", "", "0"])) for _ in units]
    return "\n".join(lines) + "\n", _data_csv(units, columns)


def _agree(folder: Path, text: str, data: str) -> tuple[list[Any], list[Any], Any]:
    """Both programs give the same outcomes (flags too), and the streamed command line's CSV (with
    its 标记 column where the scheme has flags) the per-unit program's cells. Returns (fast, slow, scheme)."""
    fast, slow, scheme, scheme_path, data_path = _both_ways(folder, text, data)
    assert [(*_key(o), o.flags, o.periods) for o in fast] == [(*_key(o), o.flags, o.periods) for o in slow]
    by_name = {o.unit.name: o for o in slow}
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", str(scheme_path), str(data_path), "--format", "csv"], out=out, err=err) in (0, 1)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert len(rows) == len(slow) + 1
    # Each period's total and grade (period_grades) come before the indicator scores.
    labels = period_labels(o.periods for o in slow)
    after = 6 if scheme.flags else 5
    first = after + 2 * len(labels)
    assert rows[0][after:first] == period_heads(labels, zh=scheme.language == "zh")
    for row in rows[1:]:
        o = by_name[row[1]]
        assert row[0] == ("" if o.rank is None else str(o.rank))
        assert row[3:5] == ["" if o.total is None else cell_number(o.total), o.grade or ""]
        if scheme.flags:
            assert row[5] == "、".join(o.flags)
        cells = period_values(o.periods, labels)
        assert row[after:first] == [
            "" if v is None else (cell_number(v) if k % 2 == 0 else str(v)) for k, v in enumerate(cells)
        ]
        if not o.errors:
            assert row[first:-1] == ["" if v is None else cell_number(v) for v in o.scores]
    return fast, slow, scheme


@given(case=overall_cases())
@_COLUMN_SETTINGS
def test_overall_grading_that_reads_more_is_the_per_unit_programs(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("overall")
    _, _, scheme = _agree(folder, *case)
    found = _run_columns(scheme, folder, case[1])
    sent = sum(o is None for o in found)
    event(
        f"units sent to the per-unit program: {'none' if not sent else 'all' if sent == len(found) else 'some'}"
    )


def _paths_agree(scheme_path: Path, data_path: Path) -> list[list[str]]:
    """Every path gives the same results: the batch with and without the column program, evaluate
    explained and not, and the command line's table, CSV, JSON and --jobs 2. Returns the CSV rows."""
    scheme = load(scheme_path)
    units = load_units(data_path, scheme=scheme)
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    assert all(o is not None for o in program_of(plan).run(units))  # type: ignore[union-attr]

    def key(o: Any) -> tuple[Any, ...]:
        return (o.unit.name, o.total, o.grade, o.rank, o.flags, [e.message for e in o.events])

    fast, _ = score_batch(plan, units)
    slow, _ = oracle.score_batch(plan, units)
    assert [key(o) for o in fast] == [key(o) for o in slow]
    for explained in (False, True):
        found = evaluate(scheme, units, explained=explained)
        assert [
            (r.unit, r.total, r.grade, r.rank, r.flags, [e.message for e in r.events]) for r in found.results
        ] == [(o.unit.name, o.total, o.grade, o.rank, o.flags, [e.message for e in o.events]) for o in slow]
    outputs = {}
    for args in (["--format", "csv"], ["--format", "csv", "--jobs", "2"], ["--format", "json"], []):
        out, err = io.StringIO(), io.StringIO()
        assert main(["score", str(scheme_path), str(data_path), *args], out=out, err=err) == 0, err.getvalue()
        outputs[" ".join(args)] = out.getvalue()
    assert outputs["--format csv"] == outputs["--format csv --jobs 2"]
    rows = list(csv.reader(io.StringIO(outputs["--format csv"].lstrip("\ufeff"))))
    by_name = {o.unit.name: o for o in slow}
    for row in rows[1:]:
        o = by_name[row[1]]
        assert row[3:5] == [str(o.total), o.grade or ""]
    listed = json.loads(outputs["--format json"])["units"]
    assert {
        r["unit"]: (r["grade"], r.get("flags", []), [e["message"] for e in r["events"]]) for r in listed
    } == {o.unit.name: (o.grade, list(o.flags), [e.message for e in o.events]) for o in slow}
    for o in slow:
        assert o.unit.name in outputs[""]
    return rows


def test_grade_effects_example_is_scored_as_columns_on_every_path():
    folder = _ROOT / "docs/examples/cookbook"
    rows = _paths_agree(folder / "grade-effects.toml", folder / "grade-effects.csv")
    # Hand-worked: 丙 95 → 79 (重大事故: 不超过C级最高限); 乙 88 B级 → C级 (一般事故: 降一等次);
    # 己 90 → 79, C级 → D级; 丁 73 C级 → D级, 黄牌 (利润得分率 45/60 < 80%).
    got = {r[1]: (r[3], r[4], r[5]) for r in rows[1:]}
    assert got == {
        "甲": ("93", "A级", ""),
        "乙": ("88", "C级", "不能评先"),
        "丙": ("79", "C级", "不能评先"),
        "己": ("79", "D级", "不能评先"),
        "丁": ("73", "D级", "不能评先、黄牌警告"),
        "戊": ("65", "D级", "不能评先、黄牌警告"),
    }


def test_group_conditions_example_gives_the_mechanics_numbers(tmp_path):
    example = _ROOT / "docs/examples/mechanics/m07-group-conditions"
    text = example.with_suffix(".toml").read_text(encoding="utf-8")
    scheme_path = tmp_path / "m07.toml"
    if program_of(plan_of(load(example.with_suffix(".toml")))) is None:
        # 分值 (full points) in the score formulas is another form; the grading is this one's.
        text = text.replace("分值×业务完成率", "60×业务完成率").replace("分值×党建完成率", "40×党建完成率")
    scheme_path.write_text(text, encoding="utf-8")
    rows = _paths_agree(scheme_path, example.with_suffix(".csv"))
    got = {r[1]: {"total": r[3], "grade": r[4]} for r in rows[1:]}
    assert got == _EXPECTED["m07-group-conditions"]


@pytest.mark.parametrize("cells", [("100", "55"), ("59.5", "100")])
def test_a_condition_that_cannot_be_worked_out_is_the_units_error(tmp_path, cells):
    """A group whose indicator does not apply has no 得分率: the unit's error, as the per-unit program
    words it (coltotalerrors)."""
    text = (
        'name = "示例"\nbasis = "points"\ntotal = 100\n'
        'groups = [{ name = "甲组" }, { name = "乙组" }]\n'
        '[overall]\npolicy = "first"\n'
        '[[overall.bands]]\nname = "优"\nconditions = ["乙组得分率>=80%"]\n'
        '[[overall.bands]]\nname = "差"\nconditions = ["总分>=0"]\n'
        '[[indicators]]\ncode = "1"\nname = "一"\ngroup = "甲组"\nweight = 60\nscore = "值1"\n'
        '[[indicators]]\ncode = "2"\nname = "二"\ngroup = "乙组"\nweight = 40\nscore = "值2"\n'
        'applies_to = ["A"]\n'
    )
    _, slow, scheme = _agree(tmp_path, text, _data_csv(["A", "B"], {"值1": list(cells), "值2": ["30", "40"]}))
    found = _run_columns(scheme, tmp_path, _data_csv(["A", "B"], {"值1": list(cells), "值2": ["30", "40"]}))
    assert found[0] is not None and found[0].grade == "差"  # 30/40 < 80%
    assert found[1] is not None and found[1].total is None  # B: 乙组 does not apply to it
    assert [e.message for e in found[1].errors] == [e.message for e in slow[1].errors]
    assert found[1].errors[0].message.startswith("no value for '乙组得分率'")


@st.composite
def mean_cases(draw: st.DrawFn) -> tuple[str, str]:
    """A points scheme with groups that take a geometric or harmonic mean, and data."""
    units = [f"单位{i}" for i in range(draw(st.integers(1, 10)))]
    groups = []
    for g in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["geometric", "harmonic", "sum"]))
        places = (
            draw(st.sampled_from([0, 1, 2, 4])) if how == "geometric" else draw(st.sampled_from([None, 2]))
        )
        groups.append((f"组{g}", how, places))
    items = []
    for name, how, places in groups:
        item = f"{{ name = {_q(name)}"
        if how != "sum":
            item += f', aggregate = "{how}"'
        if places is not None and how != "sum":
            item += f", places = {places}"
        items.append(item + " }")
    lines = ['name = "平均"', 'basis = "points"', "total = 100", f"groups = [{', '.join(items)}]"]
    if draw(st.booleans()):
        lines.append(f"round_total = {draw(st.integers(0, 2))}")
    if draw(st.booleans()):
        lines += ["[overall]", 'rule = "优：总分>=80；良：60<=总分<80；差：总分<60"']
    count = draw(st.integers(len(groups), 5))
    weights = [Decimal(100) / count] * count if 100 % count == 0 else [Decimal(20)] * 4 + [Decimal(20)]
    count = len(weights) if 100 % count else count
    columns: dict[str, list[str]] = {}
    for k in range(1, count + 1):
        weight = weights[k - 1]
        group = groups[(k - 1) % len(groups)][0]
        lines += [
            "[[indicators]]",
            f'code = "{k}"',
            f'name = "指标{k}"',
            f"group = {_q(group)}",
            f"weight = {weight}",
            f'score = "值{k}"',
        ]
        if draw(st.integers(0, 4)) == 0:
            lines.append(f"applies_to = [{_q(draw(st.sampled_from(units)))}]")
        near = [weight * Decimal(p) / 100 for p in (0, 25, 50, 64, 81, 90, 100)]
        cells = st.sampled_from([*[str(v.normalize()) for v in near] * 3, "", "0.001", "-1"])
        columns[f"值{k}"] = [draw(cells) for _ in units]
    return "\n".join(lines) + "\n", _data_csv(units, columns)


@given(case=mean_cases())
@_COLUMN_SETTINGS
def test_group_means_are_the_per_unit_programs(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("means")
    fast, slow, scheme = _agree(folder, *case)
    assert [o.subtotals for o in fast] == [o.subtotals for o in slow]
    found = _run_columns(scheme, folder, case[1])
    sent = sum(o is None for o in found)
    event(
        f"units sent to the per-unit program: {'none' if not sent else 'all' if sent == len(found) else 'some'}"
    )


def test_group_means_example_is_scored_as_columns_on_every_path(tmp_path):
    example = _ROOT / "docs/examples/cookbook/group-means.toml"
    text = example.read_text(encoding="utf-8")
    if program_of(plan_of(load(example))) is None:
        # 分值 (full points) in the score formulas is another form; the means are this one's.
        for name, points in (("健康", 30), ("教育", 30), ("城乡", 10), ("区域", 10)):
            text = text.replace(f"分值×{name}指数", f"{points}×{name}指数")
        text = text.replace("分值×满意率", "20×满意率")
    scheme_path = tmp_path / "means.toml"
    scheme_path.write_text(text, encoding="utf-8")
    rows = _paths_agree(scheme_path, example.with_suffix(".csv"))
    # Hand-worked: 甲 60×√(0.81×1)=54, 20×2/(1/0.5+1/1)=13.33, 20×0.75=15 → 82.33;
    # 丙 60×√(0.64×0.5)=33.94 (√0.32 = 0.5657), 服务均衡 0 (a share of 0), 10 → 43.94.
    assert {r[1]: r[3] for r in rows[1:]} == {"甲": "82.33", "乙": "66", "丙": "43.94", "丁": "62"}


@st.composite
def result_cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme whose indicators read other indicators' scores and shares (in any order), and data."""
    count = draw(st.integers(2, 4))
    weights = [draw(st.sampled_from([10, 20, 30, Decimal("12.5")])) for _ in range(count)]
    points = draw(st.booleans())
    units = [f"单位{i}" for i in range(draw(st.integers(1, 10)))]
    lines = ['name = "读结果"', f'basis = "{"points" if points else "percent"}"', f"total = {sum(weights)}"]
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 2))}")
    lines.append('groups = [{ name = "组" }]')
    # Indicator k reads only indicators after it in this order (no cycles); the published order differs.
    order = draw(st.permutations(range(1, count + 1)))
    columns: dict[str, list[str]] = {}
    for at, k in enumerate(order):
        weight = weights[k - 1]
        earlier = order[:at]
        form = f"值{k}"
        if earlier:
            j = draw(st.sampled_from(earlier))
            form = draw(
                st.sampled_from(
                    [
                        f"值{k}+指标{j}得分×0.5",
                        f"min(值{k}, 指标{j}得分率×{weight if points else 100})",
                        f"值{k}×指标{j}得分率",
                        f"指标{j}得分-值{k}",
                    ]
                )
            )
        lines += [
            "[[indicators]]",
            f'code = "{k}"',
            f'name = "指标{k}"',
            'group = "组"',
            f"weight = {weight}",
        ]
        lines.append(f'score = "{form}"')
        if draw(st.integers(0, 4)) == 0:
            lines.append(f"applies_to = [{_q(draw(st.sampled_from(units)))}]")
        if draw(st.integers(0, 4)) == 0:
            lines.append('min_score = "none"')
        full = weight if points else 100
        near = [Decimal(full) * Decimal(p) / 100 for p in (0, 33, 50, 60, 100, 120)]
        cells = st.sampled_from([*[str(v.normalize()) for v in near] * 3, "", "-5", "约五分"])
        columns[f"值{k}"] = [draw(cells) for _ in units]
    return "\n".join(lines) + "\n", _data_csv(units, dict(sorted(columns.items())))


@given(case=result_cases())
@_COLUMN_SETTINGS
def test_rules_that_read_results_are_the_per_unit_programs(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("results")
    _, _, scheme = _agree(folder, *case)
    found = _run_columns(scheme, folder, case[1])
    sent = sum(o is None for o in found)
    event(
        f"units sent to the per-unit program: {'none' if not sent else 'all' if sent == len(found) else 'some'}"
    )


def test_a_rule_reading_a_result_that_does_not_apply_is_the_readers_error(tmp_path):
    text = (
        'name = "示例"\nbasis = "points"\ntotal = 100\ngroups = [{ name = "组" }]\n'
        '[[indicators]]\ncode = "1"\nname = "一"\ngroup = "组"\nweight = 40\nscore = "值1"\n'
        'applies_to = ["A"]\n'
        '[[indicators]]\ncode = "2"\nname = "二"\ngroup = "组"\nweight = 60\n'
        'score = "min(值2, 指标1得分率×60)"\n'
    )
    data = _data_csv(["A", "B"], {"值1": ["30", "30"], "值2": ["60", "60"]})
    _, slow, scheme = _agree(tmp_path, text, data)
    found = _run_columns(scheme, tmp_path, data)
    assert found[0] is not None and found[0].total == 75  # 30 + min(60, 30/40×60 = 45)
    # B: indicator 1 has no score for it, the reader's error as the per-unit program words it
    assert found[1] is not None and found[1].total is None
    assert [(e.indicator, e.message) for e in found[1].errors] == [
        (e.indicator, e.message) for e in slow[1].errors
    ]
    assert [e.message for e in found[1].errors] == [
        "'指标1得分率': indicator 1 一 has no score for this unit (it does not apply, or could not be scored)"
    ]


@st.composite
def period_grade_cases(draw: st.DrawFn) -> tuple[str, str]:
    """Indicators reported per period (test_column_periods' schemes) with a grade per period."""
    text, data = draw(period_cases().filter(lambda case: "frequency" in case[0]))
    head = ["period_grades = true"]
    if draw(st.booleans()):
        head.append(f"round_total = {draw(st.integers(0, 1))}")
    if "[overall]" not in text:
        head.append('[overall]\nrule = "优：总分>=80；良：60≤总分<80；差：总分<60"')
    first, rest = text.split("\n", 1)
    top, _, indicators = rest.partition("[[indicators]]")
    if "[overall]" in top:  # keep the settings above the scheme's own [overall] table
        settings_part, _, overall = top.partition("[overall]")
        top = (
            settings_part
            + "\n".join(h for h in head if not h.startswith("[overall]"))
            + "\n[overall]"
            + overall
        )
    else:
        top = top + "\n".join(head) + "\n"
    return f"{first}\n{top}[[indicators]]{indicators}", data


@given(case=period_grade_cases())
@_COLUMN_SETTINGS
def test_a_grade_per_period_is_the_per_unit_programs(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("grades")
    _, slow, scheme = _agree(folder, *case)
    found = _run_columns(scheme, folder, case[1])
    taken = [o for o, s in zip(found, slow, strict=True) if o is not None and s.periods]
    event(f"units with period grades the column program scored: {'some' if taken else 'none'}")


def test_period_grades_example_is_scored_as_columns_on_every_path(tmp_path):
    example = _ROOT / "docs/examples/cookbook/period-grades.toml"
    text = example.read_text(encoding="utf-8")
    if program_of(plan_of(load(example))) is None:
        # 分值 (full points) in the score formulas is another form; the period grades are this one's.
        text = text.replace("分值×min(完成率, 1)", "50×min(完成率, 1)").replace(
            "分值-5×事故数", "20-5×事故数"
        )
    scheme_path = tmp_path / "grades.toml"
    scheme_path.write_text(text, encoding="utf-8")
    _paths_agree(scheme_path, example.with_suffix(".csv"))
    scheme = load(scheme_path)
    units = load_units(example.with_suffix(".csv"), scheme=scheme)
    found = {o.unit.name: o for o in program_of(plan_of(scheme)).run(units)}  # type: ignore[union-attr, misc]
    # Hand-worked, 甲: 一季度 50 + 27 + 20 = 97 优秀; 四季度 50×0.8 + 21 + 20 = 81 良好; the year 91.75.
    assert [(p.period, str(p.total), p.grade) for p in found["甲"].periods] == [
        ("一季度", "97", "优秀"),
        ("二季度", "89", "良好"),
        ("三季度", "100", "优秀"),
        ("四季度", "81", "良好"),
    ]
    assert str(found["甲"].total) == "91.75"


@st.composite
def plain_period_cases(draw: st.DrawFn) -> tuple[str, str]:
    """Reported scores per quarter, mostly plain numbers within the limits, with a grade per period."""
    count = draw(st.integers(1, 3))
    weights = [draw(st.sampled_from([20, 30, 50])) for _ in range(count)]
    mode = draw(st.sampled_from(["mean", "last"]))
    lines = ['name = "季度"', 'basis = "points"', f"total = {sum(weights)}", f'periods = "{mode}"']
    lines += ["period_grades = true", 'groups = [{ name = "组" }]']
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 1))}")
    if draw(st.booleans()):
        lines.append(f"round_total = {draw(st.integers(0, 1))}")
    cut = sum(weights) * Decimal("0.8")
    lines += ["[overall]", f'rule = "优：总分>={cut}；良：{cut / 2}≤总分<{cut}；差：总分<{cut / 2}"']
    for k in range(1, count + 1):
        lines += [
            "[[indicators]]",
            f'code = "{k}"',
            f'name = "指标{k}"',
            'group = "组"',
            f"weight = {weights[k - 1]}",
        ]
        lines.append(f'score = "值{k}"')
        if k == 1 or draw(st.booleans()):
            lines.append('frequency = "季度"')
    values = st.sampled_from(["0", "10", "12.5", "15", "20", "19.95", "8.25", "", "25"])
    rows: list[list[str]] = []
    for u in range(draw(st.integers(1, 8))):
        labels = draw(
            st.lists(st.sampled_from(["一季度", "二季度", "三季度", "四季度"]), unique=True, max_size=4)
        )
        rows.append([f"单位{u}", "", *(draw(values) for _ in range(count))])
        for label in labels:
            rows.append([f"单位{u}", label, *(draw(values) for _ in range(count))])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位", "期间", *(f"值{k}" for k in range(1, count + 1))])
    writer.writerows(rows)
    return "\n".join(lines) + "\n", out.getvalue()


@given(case=plain_period_cases())
@_COLUMN_SETTINGS
def test_plain_period_grades_are_the_per_unit_programs(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("quarters")
    _, slow, scheme = _agree(folder, *case)
    found = _run_columns(scheme, folder, case[1])
    taken = [o for o, s in zip(found, slow, strict=True) if o is not None and s.periods]
    event(f"units with period grades the column program scored: {'some' if taken else 'none'}")


@st.composite
def history_cases(draw: st.DrawFn) -> tuple[str, str, str]:
    """A scheme reading last year's total, rank or an indicator's score (history), last year's data
    and this year's (some units new, some giving the value themselves)."""
    field = draw(st.sampled_from(['field = "total"', 'field = "rank"', 'field = "score"\nindicator = "1"']))
    lines = ['name = "上年"', 'basis = "points"', "total = 100", 'groups = [{ name = "组" }]']
    lines += ['[history."上年值"]', field]
    lines += [
        "[[indicators]]",
        'code = "1"',
        'name = "实绩"',
        'group = "组"',
        "weight = 80",
        'score = "实绩"',
    ]
    form = draw(
        st.sampled_from(["clamp((实绩-上年值)×2, 0, 20)", "clamp(上年值, 0, 20)", "20-clamp(上年值, 0, 20)"])
    )
    lines += [
        "[[indicators]]",
        'code = "2"',
        'name = "进步"',
        'group = "组"',
        "weight = 20",
        f'score = "{form}"',
    ]
    names = [f"单位{i}" for i in range(draw(st.integers(1, 8)))]
    values = st.sampled_from(["0", "40", "60", "62.5", "80", "", "约五分"])
    plain = st.sampled_from(["0", "40", "60", "62.5", "80"])  # last year: every unit has a result
    last = _data_csv(names, {"实绩": [draw(plain) for _ in names], "上年值": ["0" for _ in names]})
    now_names = [n for n in names if draw(st.integers(0, 4))] + (["新单位"] if draw(st.booleans()) else [])
    own = [draw(st.sampled_from(["", "", "", "15", "60"])) for _ in now_names]
    now = _data_csv(now_names, {"实绩": [draw(values) for _ in now_names], "上年值": own})
    return "\n".join(lines) + "\n", last, now


@given(case=history_cases())
@_COLUMN_SETTINGS
def test_values_from_last_years_results_are_the_per_unit_programs(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("history")
    text, last, now = case
    scheme_path, last_path, now_path, past = (
        folder / n for n in ("s.toml", "last.csv", "now.csv", "past.csv")
    )
    scheme_path.write_text(text, encoding="utf-8")
    last_path.write_text(last, encoding="utf-8")
    now_path.write_text(now, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(
        ["score", str(scheme_path), str(last_path), "--format", "csv", "-o", str(past)], out=out, err=err
    ) in (0, 1)
    scheme = with_previous(load(scheme_path), past)
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    units = load_units(now_path, scheme=scheme)
    found = program_of(plan).run(units)  # type: ignore[union-attr]
    event(f"units the column program scored: {'some' if any(o is not None for o in found) else 'none'}")
    fast, _ = score_batch(plan, units)
    slow, _ = oracle.score_batch(plan, units)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    by_name = {o.unit.name: o for o in slow}
    for args in (["--format", "csv"], ["--format", "csv", "--jobs", "2"]):
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["score", str(scheme_path), str(now_path), "--previous", str(past), *args], out=out, err=err
        )
        assert code in (0, 1), err.getvalue()
        for row in list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))[1:]:
            o = by_name[row[1]]
            assert row[3:5] == ["" if o.total is None else cell_number(o.total), o.grade or ""]
