"""The scheme's rules on the total in the column program, against the per-unit program.

Scheme-wide vetoes (``zero``, ``lowest_grade``) and adjustments (加分项/扣分项:
``per``/``points`` or ``items``, a cap of a number or a formula, ``matters``),
折算 (``normalize``) over the applicable points, and the floor at 0, the cap at
full marks and ``round_total`` — generated with data on and beside their
boundaries (a count that makes an adjustment reach its cap exactly, a total
one cent above full marks, blank and unreadable counts): the column program,
the per-unit program and the streamed command line give the same totals,
grades, ranks, scores, errors and notes. The worked examples that use these
forms are scored alike on every path, with the mechanics' expected figures.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from perfrules import evaluate, load, loads
from perfrules.cli.main import main
from perfrules.files.data import load_units
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_program import _COLUMN_SETTINGS, _agree, _both_ways, _key, _run_columns

_DOCS = Path(__file__).resolve().parent.parent / "docs" / "examples"
_ODD = ["", "约2项", "1e1", "２"]


def _veto(draw: st.DrawFn) -> list[str]:
    when = draw(
        st.sampled_from(
            [
                "事故>0",
                "事故>=2",
                "事故=1 or 违纪>0",
                "not (违纪=0)",
                "事故+违纪>2",
                "违纪>0 and 事故=0",
                "指标1得分<7.5",  # other indicators' results: a score, a rate of its full points
                "指标1得分率>=0.9 and 事故>0",
            ]
        )
    )
    effect = draw(st.sampled_from(["zero", "lowest_grade"]))
    reason = draw(st.sampled_from(["", "发生重大事故的，实行一票否决"]))
    lines = ["[[policies]]", 'type = "veto"', f'when = "{when}"', f'effect = "{effect}"']
    return lines + ([f'reason = "{reason}"'] if reason else [])


def _adjust(draw: st.DrawFn) -> list[str]:
    lines = ["[[policies]]", 'type = "adjust"']
    shape = draw(st.sampled_from(["per", "items", "matters"]))
    sign = draw(st.sampled_from([1, 1, -1]))
    if shape == "per":
        points = draw(st.sampled_from(["0.5", "1", "2", "1.25"]))
        lines += ['per = "表彰"', f"points = {'-' if sign < 0 else ''}{points}"]
    elif shape == "items":
        lines.append(
            f'items = {{ "国家级" = {2 * sign}, "省级" = {sign}, "市级" = {Decimal("0.5") * sign} }}'
        )
    else:
        lines += [
            f'items = {{ "国家级" = {2 * sign}, "省级" = {sign}, "市级" = {Decimal("0.5") * sign} }}',
            'matters = { "文明城市" = ["国家级", "省级"] }',
        ]
    cap = draw(
        st.sampled_from([None, None, "3", "2.5", "0", '"if(表彰>2, 2, 1)"', '"if(指标1得分率>=0.9, 3, 1)"'])
    )
    if cap is not None and not (cap.startswith('"if(表彰') and shape != "per"):
        lines.append(f"cap = {cap}")
    if draw(st.booleans()):
        lines.append('reason = "加分合计最高3分"')
    return lines


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A points scheme with rules on its total (see the module's docstring), and CSV data for it."""
    count = draw(st.integers(1, 4))
    weights = [draw(st.sampled_from([10, 20, 25, 30, Decimal("12.5")])) for _ in range(count)]
    total = sum(weights)
    categories = draw(st.booleans())
    normalize = draw(st.booleans())
    lines = ['name = "总分规则"', 'basis = "points"', f"total = {total}"]
    # 分类考核: 乙类 units may have full marks of their own (indicator 1 weighs 10 more for them).
    own_marks = categories and draw(st.booleans())
    if categories:
        lines.append('categories = ["甲类", "乙类"]')
    if own_marks:
        lines.append(f'totals = {{ "乙类" = {total + 10} }}')
    if normalize:
        lines.append("normalize = true")
    if draw(st.booleans()):
        lines.append("cap_total = false")
    if draw(st.integers(0, 3)) == 0:
        lines.append("floor_total = false")
    if draw(st.booleans()):
        lines.append(f"round_total = {draw(st.integers(0, 2))}")
    lines.append('groups = [{ name = "组" }]')
    if draw(st.booleans()):
        cut = total * Decimal(draw(st.sampled_from(["0.6", "0.9", "1"])))
        lines += ["[overall]", f'rule = "优：总分>={cut}；良：总分<{cut}"']
    for _ in range(draw(st.integers(0, 3))):
        lines += draw(st.sampled_from([_veto, _adjust]))(draw)
    units = [f"单位{i}" for i in range(draw(st.integers(1, 10)))]
    declared = normalize and count > 1 and draw(st.booleans())
    columns: dict[str, list[str]] = {}
    for k, weight in enumerate(weights, start=1):
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"']
        if categories:
            lines.append(
                f'weights = {{ "甲类" = {weight}, "乙类" = {weight + (10 if own_marks and k == 1 else 0)} }}'
            )
        else:
            lines.append(f"weight = {weight}")
        if draw(st.integers(0, 3)) == 0:
            lines.append('max_score = "none"')
        if draw(st.integers(0, 4)) == 0:
            lines.append('min_score = "none"')
        lines.append(f'score = "值{k}"')
        near = [str(weight), str(weight + Decimal("0.01")), "0", "-1", str(weight * Decimal("0.9")), "7.5"]
        columns[f"值{k}"] = [draw(st.sampled_from(near)) for _ in units]
    for name in ("事故", "违纪", "表彰", "国家级", "省级", "市级"):
        columns[name] = [
            draw(st.sampled_from(_ODD if draw(st.integers(0, 11)) == 0 else ["0", "0", "1", "2", "3", "5"]))
            for _ in units
        ]
    head = ["单位", *(["类别"] if categories else []), *(["不适用"] if declared else []), *columns]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    for i, name in enumerate(units):
        row = [name]
        if categories:
            row.append(draw(st.sampled_from(["甲类", "乙类"])))
        if declared:
            row.append(draw(st.sampled_from(["", "", "1", "2", "1,2"])))
        writer.writerow(row + [columns[c][i] for c in columns])
    return "\n".join(lines) + "\n", out.getvalue()


@given(case=cases())
@_COLUMN_SETTINGS
def test_rules_on_the_total_score_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("totalrules")
    _, slow, scheme = _agree(folder, *case)
    # The API reads a file's units as columns (colbatch): the same outcomes again.
    kept = evaluate(scheme, load_units(folder / "data.csv", scheme=scheme), explained=False)
    assert [(r.unit, r.total, r.grade, r.rank, [e.message for e in r.events]) for r in kept] == [
        (o.unit.name, o.total, o.grade, o.rank, [e.message for e in o.events]) for o in slow
    ]
    # The notes the column program itself made (on the units it scored).
    found = [o for o in _run_columns(scheme, folder, case[1]) if o is not None]
    kinds = {e.kind for o in found for e in o.events}
    if "指标1得分" in case[0] and any(e.kind in ("veto", "adjust") for o in found for e in o.events):
        event("the column program decided a policy reading an indicator's result")
    for kind in ("veto", "adjust", "normalize", "capped", "rounded", "full_marks"):
        if kind in kinds:
            event(f"the column program made a '{kind}' note")
    if any(o.vetoed for o in found):
        event("the column program ranked a vetoed unit")
    if any(o.errors for o in slow):
        event("the per-unit program reported an error")


# -- by hand ---------------------------------------------------------------------------------


def _same(folder: Path, text: str, data: str) -> list[object]:
    """The column program's outcomes (those it sends back scored by the per-unit program): the same
    as the per-unit program's."""
    fast, slow, *_ = _both_ways(folder, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    return fast


_BONUS = """
name = "加分"
basis = "points"
total = 100
cap_total = false
groups = [{ name = "组" }]
[[policies]]
type = "adjust"
items = { "国家级" = 2, "省级" = 1 }
cap = 5
[[policies]]
type = "veto"
when = "事故>0"
effect = "lowest_grade"
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 100
score = "得分"
[overall]
rule = "优：总分>=90；差：总分<90"
"""


def test_bonuses_and_a_veto_by_hand(tmp_path):
    """94 + 2×2 + 1 = 99 (优); 90 + 5 capped = 95 → a veto makes it 差; a blank count: the per-unit
    program's error, given by the column program too; one distinct input decided once."""
    data = "单位,得分,国家级,省级,事故\n甲,94,2,1,0\n乙,90,3,0,1\n丙,90,,1,0\n丁,94,2,1,0\n"
    fast: list[Any] = _same(tmp_path, _BONUS, data)
    got = {o.unit.name: (o.total, o.grade, o.rank) for o in fast}
    assert got["甲"] == (Decimal(99), "优", 1) and got["丁"] == (Decimal(99), "优", 1)
    assert got["乙"] == (Decimal(95), "差", 3)  # vetoed: the lowest grade, ranked after the others
    assert got["丙"][0] is None and fast[2].errors
    scheme = loads(_BONUS, format="toml")
    found = _run_columns(scheme, tmp_path, data)
    assert [o is not None for o in found] == [True, True, True, True]  # 丙: its error (coltotalerrors)
    assert [e.message for e in found[2].errors] == [e.message for e in fast[2].errors]
    assert [e.kind for e in found[1].events] == ["veto", "adjust"] and found[1].vetoed
    assert "加分以 5分 为限" in found[1].events[1].message


def test_a_total_capped_and_rounded_by_hand(tmp_path):
    """101.005 capped at 100 with a note; 99.995 rounded half up to 100 (round_total = 2 … 0)."""
    text = """
name = "封顶"
basis = "points"
total = 100
round_total = 1
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 100
max_score = "none"
min_score = "none"
score = "得分"
"""
    data = "单位,得分\n甲,101.005\n乙,99.96\n丙,-3\n丁,88.8\n"
    fast: list[Any] = _same(tmp_path, text, data)
    assert [o.total for o in fast] == [Decimal(100), Decimal(100), Decimal(0), Decimal("88.8")]
    found = _run_columns(loads(text, format="toml"), tmp_path, data)
    assert all(o is not None for o in found)
    assert [[e.kind for e in o.events] for o in found] == [["capped"], ["rounded"], ["capped"], []]  # type: ignore[union-attr]


# -- the worked examples -----------------------------------------------------------------------

_COMPILED = [
    "mechanics/m08-veto-effects",
    "mechanics/m12-normalize-applicable",
    "cookbook/bonus-matters",
    "cookbook/weights-from-data",
]
_EXPECTED = json.loads((_DOCS / "mechanics" / "expected.json").read_text(encoding="utf-8"))
# bonus-matters by hand: 甲 90 + 2 (文明城市 once, at 国家级); 乙 85 + 1 + 1 + 2×0.5 = 88;
# 丙 80 + 2 + 2 + 0.5 = 84.5 → capped at 3: 83; 丁 88; 戊 75 + 1 (省级 twice, counted once) = 76.
# weights-from-data: 甲县 80×50% + 90×20% + 70×30% = 79; 乙县 40 + 27 + 14 = 81; 丁县 declares 3 not
# applicable: its 20 spread over 1 and 2 in proportion, 80×50/80 + 90×30/80 = 83.75.
_BY_HAND = {
    "bonus-matters": {"甲": "92", "乙": "88", "丙": "83", "丁": "88", "戊": "76"},
    "weights-from-data": {"甲县": "79", "乙县": "81", "丁县": "83.75"},
}


def _run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    # (score exits 1 when a unit could not be scored: weights-from-data's 丙县)
    assert main(list(args), out=out, err=err) in ((0, 1) if args[0] == "score" else (0,)), err.getvalue()
    return out.getvalue()


@pytest.mark.parametrize("name", _COMPILED)
def test_the_examples_compile_and_every_path_agrees(name):
    scheme_path, data_path = _DOCS / f"{name}.toml", _DOCS / f"{name}.csv"
    scheme = load(scheme_path)
    assert program_of(plan_of(scheme)) is not None, plan_of(scheme).program_why
    assert _run("validate", str(scheme_path)).startswith("ok: ")  # (the column program compiles it)
    units = load_units(data_path, scheme=scheme)
    taken = program_of(plan_of(scheme)).run(units)  # type: ignore[union-attr]
    # Every unit is scored as columns; 丙县's weights read add up to 95: its error, known before any
    # indicator is scored (the column program gives it).
    assert [u.name for u, o in zip(units, taken, strict=True) if o is None or o.errors] == (
        ["丙县"] if "weights" in name else []
    )
    short = name.split("/")[1]
    want = _EXPECTED.get(short) or {u: {"total": t} for u, t in _BY_HAND[short].items()}
    results = {}
    for explained in (True, False):
        found = evaluate(scheme, units, explained=explained)
        results[explained] = {
            r.unit: (
                None if r.total is None else Fraction(r.total),
                r.grade,
                r.rank,
                [e.message for e in r.events],
            )
            for r in found
        }
    assert results[True] == results[False]
    for unit, expected in want.items():
        total, grade, rank, _ = results[False][unit]
        assert total == Fraction(expected["total"]), unit
        assert grade == expected.get("grade", grade) and rank == expected.get("rank", rank), unit
    cells = {u: ("" if r[2] is None else str(r[2]), r[1] or "") for u, r in results[False].items()}
    totals = {u: r[0] for u, r in results[False].items() if r[0] is not None}
    for jobs in ("1", "2"):
        out = _run("score", str(scheme_path), str(data_path), "--format", "csv", "--jobs", jobs)
        rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
        assert {r["单位"]: (r["排名"], r["等次"]) for r in rows} == cells
        assert {r["单位"] for r in rows if r["总分"]} == set(totals)
        for r in rows:
            if r["总分"]:
                assert abs(Fraction(r["总分"]) - totals[r["单位"]]) <= Fraction(1, 10**6)
    out = _run("score", str(scheme_path), str(data_path), "--format", "json")
    for u in json.loads(out)["units"]:
        if u["total"] is not None:
            assert abs(Fraction(str(u["total"])) - totals[u["unit"]]) <= Fraction(1, 10**6)
        assert ("" if u["rank"] is None else str(u["rank"]), u["grade"] or "") == cells[u["unit"]]
    table = _run("score", str(scheme_path), str(data_path))
    assert all(unit in table for unit in want)


# -- weights read per unit (weight_from) ------------------------------------------------------


@st.composite
def weight_cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme whose indicators 2… read their weight from the data, and data whose weights make up
    the full marks, or miss them, or are blank, negative or unreadable."""
    count = draw(st.integers(2, 4))
    points = draw(st.booleans())
    lines = ['name = "申报权重"', f'basis = "{"points" if points else "percent"}"', "total = 100"]
    categories = draw(st.booleans())  # a category: a weight read as 0 is then "not assessed"
    if categories:
        lines.append('categories = ["县", "区"]')
    if draw(st.booleans()):
        lines.append("round_total = 1")
    lines.append('groups = [{ name = "组" }]')
    if draw(st.booleans()):
        lines += ["[overall]", 'rule = "优：总分>=80；良：总分<80"']
    fixed = draw(st.sampled_from([40, 50, Decimal("62.5")]))
    reads = list(range(2, count + 1))
    for k in range(1, count + 1):
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"']
        if k in reads:
            lines.append(f'weight_from = "权重{k}"\nfull = 100')
        elif categories:
            lines.append(f'weights = {{ "县" = {fixed}, "区" = {fixed} }}')
        else:
            lines.append(f"weight = {fixed}")
        lines.append(f'score = "值{k}"')
    units = [f"县{i}" for i in range(draw(st.integers(1, 10)))]
    rest = 100 - fixed
    columns: dict[str, list[str]] = {f"值{k}": [] for k in range(1, count + 1)}
    columns.update({f"权重{k}": [] for k in reads})
    for _ in units:
        # The weights read: a split of the rest (sometimes off by one, blank, negative or a word).
        cuts = sorted(
            draw(st.lists(st.integers(0, int(rest)), min_size=len(reads) - 1, max_size=len(reads) - 1))
        )
        split = [b - a for a, b in zip([0, *cuts], [*cuts, int(rest)], strict=True)]
        split[-1] += rest - int(rest)
        if draw(st.integers(0, 5)) == 0:
            split[0] += draw(st.sampled_from([1, -1, Decimal("0.5")]))
        for k, w in zip(reads, split, strict=True):
            columns[f"权重{k}"].append(
                draw(st.sampled_from(["", "-5", "约20"])) if draw(st.integers(0, 9)) == 0 else str(w)
            )
        for k in range(1, count + 1):
            full = 100
            columns[f"值{k}"].append(
                draw(st.sampled_from(["0", "60", "79.9", "80", "100", str(full), "33.3"]))
            )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位", *(["类别"] if categories else []), *columns])
    for i, name in enumerate(units):
        kind = [draw(st.sampled_from(["县", "区"]))] if categories else []
        writer.writerow([name, *kind, *(columns[c][i] for c in columns)])
    return "\n".join(lines) + "\n", out.getvalue()


@given(case=weight_cases())
@_COLUMN_SETTINGS
def test_weights_read_per_unit_score_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("weightfrom")
    _, slow, scheme = _agree(folder, *case)
    kept = evaluate(scheme, load_units(folder / "data.csv", scheme=scheme), explained=False)
    assert [(r.unit, r.total, r.grade, r.rank) for r in kept] == [
        (o.unit.name, o.total, o.grade, o.rank) for o in slow
    ]
    if any(o.errors and o.errors[0].field and o.errors[0].field.startswith("权重") for o in slow):
        event("the per-unit program refused a unit's weights")
    rows = list(csv.DictReader(io.StringIO(case[1])))
    if "categories" in case[0] and any(v == "0" for r in rows for k, v in r.items() if k.startswith("权重")):
        event("a weight read as 0 with categories (not assessed)")


def test_the_weights_example_by_hand(tmp_path):
    """weights-from-data: 甲县 80×50% + 90×20% + 70×30% = 79; 丁县 declares 3 not applicable, its 20
    spread over 1 and 2 in proportion: 80×50/80 + 90×30/80 = 83.75; 丙县's weights make 95: refused."""
    name = "cookbook/weights-from-data"
    text = (_DOCS / f"{name}.toml").read_text(encoding="utf-8")
    fast: list[Any] = _same(tmp_path, text, (_DOCS / f"{name}.csv").read_text(encoding="utf-8"))
    assert {o.unit.name: o.total for o in fast} == {
        "甲县": Decimal(79),
        "乙县": Decimal(81),
        "丙县": None,
        "丁县": Decimal("83.75"),
    }
    found = _run_columns(
        loads(text, format="toml"), tmp_path, (_DOCS / f"{name}.csv").read_text(encoding="utf-8")
    )
    assert [o is not None and not o.errors for o in found] == [True, True, False, True]
    assert found[2] is not None and found[2].errors[0].message.startswith("the unit's weights add up to 95")


# -- per-unit parameters -----------------------------------------------------------------------


@st.composite
def parameter_cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme whose formulas (and a veto, an adjustment) read per-unit parameters, some units
    missing from a table, and data that gives some of the same values itself (or a blank or a word)."""
    units = [f"县{i}" for i in range(draw(st.integers(1, 8)))]
    lines = ['name = "参数"', 'basis = "points"', "total = 100", 'groups = [{ name = "组" }]']
    for name, values in (("难度系数", ["1", "1.1", "1.25", "0.9"]), ("目标", ["7%", "6", "0", "8.5"])):
        lines.append(f'[parameters."{name}"]')
        for u in units:
            if draw(st.integers(0, 5)):
                lines.append(f'"{u}" = {json.dumps(draw(st.sampled_from(values)))}')
    if draw(st.booleans()):
        lines += ["[[policies]]", 'type = "veto"', 'when = "难度系数<1"', 'effect = "zero"']
    if draw(st.booleans()):
        lines += ["[[policies]]", 'type = "adjust"', 'per = "目标"', "points = 0.5", "cap = 2"]
    lines += [
        "[[indicators]]",
        'code = "1"',
        'name = "增长"',
        'group = "组"',
        "weight = 60",
        'score = "60×min(增速/目标, 1.2)/1.2×难度系数"',
        "[[indicators]]",
        'code = "2"',
        'name = "民生"',
        'group = "组"',
        "weight = 40",
        'score = "民生得分×难度系数"',
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    own = draw(st.booleans())  # the data has a 难度系数 column of its own
    writer.writerow(["单位", "增速", "民生得分", *(["难度系数"] if own else [])])
    for u in units:
        row = [u, draw(st.sampled_from(["7", "6.3", "0", "9"])), draw(st.sampled_from(["30", "36.5", "40"]))]
        if own:
            row.append(draw(st.sampled_from(["", "", "1", "1.2", "约1"])))
        writer.writerow(row)
    return "\n".join(lines) + "\n", out.getvalue()


@given(case=parameter_cases())
@_COLUMN_SETTINGS
def test_per_unit_parameters_score_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("parameters")
    _, slow, scheme = _agree(folder, *case)
    kept = evaluate(scheme, load_units(folder / "data.csv", scheme=scheme), explained=False)
    assert [(r.unit, r.total, r.grade, r.rank, [e.message for e in r.events]) for r in kept] == [
        (o.unit.name, o.total, o.grade, o.rank, [e.message for e in o.events]) for o in slow
    ]
    if any(o.errors for o in slow):
        event("the per-unit program reported an error")


def test_the_parameters_example_by_hand(tmp_path):
    """The cookbook's parameters, with 分值 written out (60). 甲县 grows 7% against 7%: 60 × 1/1.2 = 50,
    and 30: 80. 乙县 6.6% against 6%: 60 × 1.1/1.2 × 1.1 = 60.5, held at 60,
    and 32 × 1.1 = 35.2: 95.2. 丙县's own
    难度系数 in the data (1) overrides the table's 1.2: 50 + 40 = 90. 丁县 has none, anywhere."""
    text = (_DOCS / "cookbook" / "parameters.toml").read_text(encoding="utf-8").replace("分值×", "60×")
    data = "单位,增速,民生得分,难度系数\n甲县,0.07,30,\n乙县,0.066,32,\n丙县,0.08,40,1\n丁县,0.08,40,\n"
    fast: list[Any] = _same(tmp_path, text, data)
    assert [o.total for o in fast] == [Decimal(80), Decimal("95.2"), Decimal(90), None]
    assert fast[3].errors  # 丁县 has no 难度系数, in the data or the scheme
    found = _run_columns(loads(text, format="toml"), tmp_path, data)
    # (丁县's error is its indicator's, worded by the indicator's own step: colfailures)
    assert [o is not None and not o.errors for o in found] == [True, True, True, False]
    assert found[3] is not None and [e.message for e in found[3].errors] == [
        e.message for e in fast[3].errors
    ]


# -- a total formula ---------------------------------------------------------------------------


@st.composite
def formula_cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme whose total is a formula over group subtotals and rates, indicator scores and rates
    and data (a 系数, a bonus), with indicators that do not apply to some units, and other rules on
    the total beside it."""
    points = draw(st.booleans())
    lines = [
        'name = "总分公式"',
        f'basis = "{"points" if points else "percent"}"',
        "total = 100",
        "cap_total = false" if draw(st.booleans()) else "cap_total = true",
    ]
    if draw(st.booleans()):
        lines.append(f"round_total = {draw(st.integers(0, 2))}")
    terms = draw(
        st.lists(
            st.sampled_from(
                [
                    "基本得分×系数",
                    "管理得分",
                    "基本得分率×50",
                    "指标1得分",
                    "指标2得分率×10",
                    "奖励分",
                    "-扣分",
                    "管理得分÷3",
                    "指标3得分×0.4",
                ]
            ),
            min_size=1,
            max_size=4,
        )
    )
    formula = "+".join(terms).replace("+-", "-")
    lines.append(f'total_formula = "{formula}"')
    lines.append('groups = [{ name = "基本" }, { name = "管理" }]')
    if draw(st.booleans()):
        lines += ["[overall]", 'rule = "优：总分>=90；良：总分<90"']
    if draw(st.booleans()):
        lines += ["[[policies]]", 'type = "veto"', 'when = "扣分>3"', 'effect = "lowest_grade"']
    units = [f"单位{i}" for i in range(draw(st.integers(1, 8)))]
    weights = [30, 30, 40]
    for k, (group, weight) in enumerate(zip(["基本", "基本", "管理"], weights, strict=True), start=1):
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', f'group = "{group}"']
        lines.append(f"weight = {weight}")
        if k == 2 and draw(st.booleans()):
            lines.append(f'applies_to = ["{units[0]}"]')
        lines.append(f'score = "值{k}"')
    columns = {f"值{k}": [] for k in range(1, 4)} | {"系数": [], "奖励分": [], "扣分": []}
    for _ in units:
        for k, weight in enumerate(weights, start=1):
            full = weight if points else 100
            columns[f"值{k}"].append(
                draw(st.sampled_from(["0", str(full), str(full * Decimal("0.85")), "7"]))
            )
        columns["系数"].append(draw(st.sampled_from(["1", "1.05", "0.95", "", "约1"])))
        columns["奖励分"].append(draw(st.sampled_from(["0", "1.5", "2"])))
        columns["扣分"].append(draw(st.sampled_from(["0", "1", "4"])))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位", *columns])
    for i, name in enumerate(units):
        writer.writerow([name, *(columns[c][i] for c in columns)])
    return "\n".join(lines) + "\n", out.getvalue()


@given(case=formula_cases())
@_COLUMN_SETTINGS
def test_a_total_formula_scores_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("formula")
    _, slow, scheme = _agree(folder, *case)
    kept = evaluate(scheme, load_units(folder / "data.csv", scheme=scheme), explained=False)
    assert [(r.unit, r.total, r.grade, r.rank, [e.message for e in r.events]) for r in kept] == [
        (o.unit.name, o.total, o.grade, o.rank, [e.message for e in o.events]) for o in slow
    ]
    found = [o for o in _run_columns(scheme, folder, case[1]) if o is not None]
    if any(e.kind == "total_formula" for o in found for e in o.events):
        event("the column program made a 'total_formula' note")


def test_a_total_formula_by_hand(tmp_path):
    """(基本得分 + 管理得分) × 系数 + 奖励分: 甲 (24 + 18 + 36) × 1.05 + 2 = 83.9. 乙's 指标2 does not
    apply: its 30 move to 指标1 within 基本, so 基本得分 = 25/30 × 60 = 50 and the total (50 + 40) × 1
    + 0 = 90 — the column program's too (基本得分 is what 甲项 adds); 丙 (no 系数) has its error
    from the column program, worded by the per-unit program's code (coltotalerrors)."""
    text = """
name = "总分公式"
basis = "points"
total = 100
cap_total = false
total_formula = "(基本得分+管理得分)×系数+奖励分"
groups = [{ name = "基本" }, { name = "管理" }]
[[indicators]]
code = "1"
name = "甲项"
group = "基本"
weight = 30
score = "值1"
[[indicators]]
code = "2"
name = "乙项"
group = "基本"
weight = 30
applies_to = ["甲"]
score = "值2"
[[indicators]]
code = "3"
name = "丙项"
group = "管理"
weight = 40
score = "值3"
"""
    data = "单位,值1,值2,值3,系数,奖励分\n甲,24,18,36,1.05,2\n乙,25,0,40,1,0\n丙,25,0,40,,0\n"
    fast: list[Any] = _same(tmp_path, text, data)
    assert fast[0].total == Decimal("83.9") and fast[1].total == Decimal(90) and fast[2].errors
    assert not fast[1].errors and fast[2].errors[0].field == "系数"
    found = _run_columns(loads(text, format="toml"), tmp_path, data)
    assert [o is not None for o in found] == [True, True, True]
    assert found[1].total == Decimal(90)  # type: ignore[union-attr]
    assert [e.message for e in found[2].errors] == [e.message for e in fast[2].errors]  # type: ignore[union-attr]
    assert found[0].events[0].kind == "total_formula"  # type: ignore[union-attr]
