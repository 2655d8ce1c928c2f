"""Units the column program used to send to the per-unit program, now taken as columns.

Issue 17 ("one engine"): every unit the column program sends back is a gap.
These tests close them one form at a time and hold the program to the
per-unit program's answers on every path (the API with and without
explanations, kept columns, the streamed command line's table and CSV, one
process and two):

- cells that are not plain decimals (``87.5分``, ``95%``, full-width digits,
  ``19件``, ``—``): read by the per-cell reader once per distinct text into
  the column (:mod:`perfrules.files.colcells`); a cell it rejects (``无``)
  still fails only its unit, with the per-unit program's message;
- vetoes on an indicator that fire (:mod:`perfrules.scoring.colvetoes`).

Each differential test counts the units the per-unit program scored: data
with odd cells sends no more units there than the same data written plainly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

import oracle
from cli_run import run
from perfrules import evaluate, load_units, loads
from perfrules.scoring.colalone import TALLY
from perfrules.scoring.colshare import ColumnShare, column_share
from perfrules.scoring.plan import plan_of
from test_column_points import cases as points_cases
from test_column_program import _COLUMN_SETTINGS, _EXAMPLES, _agree, _run_columns, cases

# Each example runs every path (the command line several times): half the column tests' count.
_SETTINGS = settings(_COLUMN_SETTINGS, max_examples=max(10, _EXAMPLES // 2))

_FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def _result_key(r: Any) -> tuple[Any, ...]:
    return (
        r.unit,
        r.total,
        r.grade,
        r.rank,
        r.category_rank,
        r.vetoed,
        [(e.indicator, e.field, e.message) for e in r.errors],
        [(e.kind, e.message) for e in r.events],
    )


def _said(errors: Any) -> list[tuple[Any, ...]]:
    """The errors as they read, wherever their data came from (the same rows of another file)."""
    return [(e.unit, e.indicator, e.field, e.message, e.error) for e in errors]


@contextmanager
def _per_unit_count() -> Iterator[list[int]]:
    """How many units the column program leaves unscored in their batch inside the block (each is
    then scored alone: :mod:`perfrules.scoring.colalone`), from kept columns or a batch of ``Unit``
    objects — in the streamed CSV pass too, in this process."""
    count = [0]
    before = TALLY.alone
    try:
        yield count
    finally:
        count[0] = TALLY.alone - before


def _evaluated(text: str, data: Any, *, program: bool, explained: bool = False) -> tuple[list[Any], int]:
    """``evaluate`` on the file as ``load_units`` reads it (kept columns), or the per-unit program's
    results (the oracle: *program* False), and how many units the column program left unscored in
    their batch."""
    scheme = loads(text, format="toml")
    with _per_unit_count() as count:
        units = load_units(data, scheme=scheme)
        result = (
            evaluate(scheme, units, explained=explained) if program else oracle.evaluate(scheme, list(units))
        )
        keys = [_result_key(r) for r in result]
    return keys, count[0]


def _streamed(scheme_path: Any, data_path: Any, fmt: str, jobs: int = 1) -> tuple[int, str, str, int]:
    """The streamed command line's output, and how many units the per-unit program scored (in
    this process: with one job)."""
    with _per_unit_count() as count:
        code, out, err = run("score", str(scheme_path), str(data_path), "--format", fmt, "--jobs", str(jobs))
    return code, out, err, count[0]


# -- cells that are not plain decimals ----------------------------------------------------------


def _odd(draw: st.DrawFn, cell: str) -> str:
    """*cell* written another way the per-cell reader reads as the same number (or "no data")."""
    stripped = cell.strip()
    if not stripped:
        return draw(st.sampled_from(["", "—", "N/A", "-", " "]))
    try:
        value = Decimal(stripped)
    except ArithmeticError:
        return cell  # a cell that was odd already (约五分, 95% …): as it is
    if not value.is_finite() or "e" in stripped.lower() or len(stripped) > 18:
        return cell
    kinds = ["plain", "分", "件", "full", "percent", "spaced"]
    kind = draw(st.sampled_from(kinds))
    if kind == "分" or kind == "件":
        return f"{stripped}{kind}"
    if kind == "full":
        return stripped.translate(_FULL_WIDTH)
    if kind == "percent":
        return f"{format(value * 100, 'f')}%"
    if kind == "spaced":
        return f" {stripped} "
    return cell


@st.composite
def odd_cases(draw: st.DrawFn) -> tuple[str, str, str]:
    """A scheme the column program compiles, its data, and the same data with cells written as
    people write them (``87.5分``, full-width digits, ``95%`` for 0.95, ``—`` for no data)."""
    text, data = draw(cases())
    rows = list(csv.reader(io.StringIO(data)))
    header = rows[0]
    first = 2 if header[1] == "类别" else 1
    odd_rows = [header] + [[*row[:first], *(_odd(draw, c) for c in row[first:])] for row in rows[1:]]
    out = io.StringIO()
    csv.writer(out).writerows(odd_rows)
    return text, data, out.getvalue()


def _write(folder: Any, name: str, text: str) -> Any:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@given(case=odd_cases(), two=st.integers(0, 3))
@_SETTINGS
def test_cells_written_as_people_write_them_are_taken_as_columns(tmp_path_factory, case, two):
    text, plain_data, odd_data = case
    folder = tmp_path_factory.mktemp("odd")
    # The Unit path: the column program and the per-unit program agree, and the streamed CSV too;
    # the per-unit program scores only the units it finds an error in (a blank …; 约五分 is an error
    # known before scoring: the column program gives it).
    _, slow_units, scheme = _agree(folder, text, odd_data)
    taken = _run_columns(scheme, folder, odd_data)
    # ... and the column program takes every unit without errors; a unit with errors it takes has the
    # per-unit program's errors (an indicator's error, worded by its own step: colfailures).
    assert all(o is not None for o, s in zip(taken, slow_units, strict=True) if not s.errors)
    for o, s in zip(taken, slow_units, strict=True):
        if o is not None:
            said = [(e.indicator, e.field, e.message) for e in o.errors]
            assert (said, o.total) == ([(e.indicator, e.field, e.message) for e in s.errors], s.total)
    plain_path = _write(folder, "plain.csv", plain_data)
    odd_path = _write(folder, "odd.csv", odd_data)
    scheme_path = _write(folder, "scheme.toml", text)
    # Kept columns (evaluate on load_units): the per-unit program's answers, notes included ...
    fast, sent = _evaluated(text, odd_path, program=True)
    slow, _ = _evaluated(text, odd_path, program=False)
    assert fast == slow
    # ... and no more units sent to it than when the same numbers are written plainly.
    plain, plain_sent = _evaluated(text, plain_path, program=True)
    assert sent == plain_sent
    assert [k[:5] + k[6:7] for k in fast] == [k[:5] + k[6:7] for k in plain]
    event(f"units with odd cells taken as columns: {'some' if len(fast) > sent else 'none'}")
    # The streamed command line: the same count; one process or two (in some examples: processes
    # are slow to start) write the same.
    code, out, err, streamed_sent = _streamed(scheme_path, odd_path, "csv")
    assert streamed_sent == _streamed(scheme_path, plain_path, "csv")[3]
    if not two:
        assert (code, out, err) == _streamed(scheme_path, odd_path, "csv", jobs=2)[:3]
    assert _streamed(scheme_path, odd_path, "table")[3] == streamed_sent
    # Every note of the per-unit program's units is said, as the per-unit program says it (up to
    # the number of notes the command line shows).
    said = [line for line in err.splitlines() if line.startswith("note: ") and ".csv, row " in line]
    notes = [f"note: {odd_path}, {m}" for key in slow for kind, m in key[7] if kind == "note"]
    assert said == notes[: len(said)]
    if "more (see the units' 'note' events)" not in err:
        assert said == notes


_BAND = """
name = "边界"
total = 100
groups = [{ name = "组" }]
[overall]
rule = "优：总分>=87.5；良：60<=总分<87.5；差：总分<60"
[[indicators]]
code = "1"
name = "得分"
group = "组"
weight = 100
score = "值"
"""


def test_a_cell_with_a_count_word_on_a_band_boundary_gets_the_boundarys_grade(tmp_path):
    """87.5分 is 87.5: on the boundary of 优 (>= 87.5), so 优; ８７．４９ (full-width) is 87.49: 良;
    87.5% is 0.875: 差. — is no data (an error of the indicator, worded by its own step: colfailures),
    无 is not a number (the unit's error, found before scoring: uniterrors)."""
    scheme_path = _write(tmp_path, "scheme.toml", _BAND)
    data = _write(tmp_path, "d.csv", "单位,值\n甲,87.5分\n乙,８７．４９\n丙,87.5%\n丁,—\n戊,无\n己,87.5\n")
    scheme = loads(_BAND, format="toml")
    taken = _run_columns(scheme, tmp_path, data.read_text(encoding="utf-8"))
    assert [o is not None for o in taken] == [True, True, True, True, True, True]
    assert [(e.indicator, e.field) for e in taken[3].errors] == [("1", "值")]
    assert [(e.indicator, e.field) for e in taken[4].errors] == [(None, "值")]
    keys, sent = _evaluated(_BAND, data, program=True)
    slow, _ = _evaluated(_BAND, data, program=False)
    assert keys == slow
    assert sent == 0
    by_name = {k[0]: k for k in keys}
    assert [(by_name[u][1], by_name[u][2]) for u in "甲乙丙己"] == [
        (Decimal("87.5"), "优"),
        (Decimal("87.49"), "良"),
        (Decimal("0.875"), "差"),
        (Decimal("87.5"), "优"),
    ]
    assert by_name["甲"][7] == [("note", "row 2, column '值': '87.5分' read as 87.5")]
    assert by_name["戊"][6] == [
        (None, "值", "'无' is not a number; write 0 if it means none, or leave the cell empty for no data")
    ]
    # Explained, the same answers (the explanation re-runs the plan on each unit).
    explained, _ = _evaluated(_BAND, data, program=True, explained=True)
    assert explained == slow
    for fmt in ("csv", "table"):
        code, out, err, streamed_sent = _streamed(scheme_path, data, fmt)
        assert code == 1 and streamed_sent == 0  # (丁's and 戊's errors are the column program's)
        assert (code, out, err) == _streamed(scheme_path, data, fmt, jobs=2)[:3]
        assert err.startswith(f"note: {data}, row 2, column '值': '87.5分' read as 87.5\n")
    code, out, _, _ = _streamed(scheme_path, data, "csv")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert [r[:5] for r in rows[1:5]] == [  # (a tie listed by name)
        ["1", "己", "", "87.5", "优"],
        ["1", "甲", "", "87.5", "优"],
        ["3", "乙", "", "87.49", "良"],
        ["4", "丙", "", "0.875", "差"],
    ]
    code, out, _, _ = _streamed(scheme_path, data, "json")
    found = {u["unit"]: (u["total"], u["grade"], u["events"]) for u in __import__("json").loads(out)["units"]}
    assert found["甲"] == (
        87.5,
        "优",
        [{"kind": "note", "message": "row 2, column '值': '87.5分' read as 87.5"}],
    )


def test_thousands_separators_in_a_quoted_cell_are_read_as_columns(tmp_path):
    """A CSV with quotes is read row by row first, then as columns: "1,234" is 1234 with its note."""
    text = _BAND.replace('score = "值"', 'score = "值÷20"')
    data = _write(tmp_path, "d.csv", '单位,值\n甲,"1,750"\n乙,1749\n丙,"1,000件"\n丁,"1,00"\n')
    keys, sent = _evaluated(text, data, program=True)
    slow, _ = _evaluated(text, data, program=False)
    assert keys == slow
    assert sent == 0  # (丁: "1,00" is not a number, not in groups of three: uniterrors words it)
    assert [(k[0], k[1], k[2]) for k in keys[:3]] == [
        ("甲", Decimal("87.5"), "优"),
        ("乙", Decimal("87.45"), "良"),
        ("丙", Decimal(50), "差"),
    ]
    assert keys[0][7] == [("note", "row 2, column '值': '1,750' read as 1750")]
    assert keys[2][7] == [("note", "row 4, column '值': '1,000件' read as 1000")]
    assert keys[3][6] == [(None, "值", "'1,00' is not a number")]


# -- vetoes on an indicator that fire ---------------------------------------------------------


def _never(text: str) -> str:
    """The scheme with each veto on an indicator made one that never fires (reading the same cells)."""
    return re.sub(r'(type = "veto", when = "标记\d+)=2"', r'\1=99"', text)


@given(case=points_cases())
@_SETTINGS
def test_units_an_indicators_veto_sinks_are_taken_as_columns(tmp_path_factory, case):
    text, data = case
    folder = tmp_path_factory.mktemp("vetoes")
    _, slow, scheme = _agree(folder, text, data)
    found = _run_columns(scheme, folder, data)
    quiet = _run_columns(loads(_never(text), format="toml"), folder, data)
    # Whether a veto fires does not decide whether the column program takes the unit.
    assert [o is not None for o in found] == [o is not None for o in quiet]
    vetoed = [o is not None for o, s in zip(found, slow, strict=True) if s.vetoed]
    event(f"vetoed units taken as columns: {'some' if any(vetoed) else 'none'}")
    path = _write(folder, "data.csv", data)
    fast_keys, sent = _evaluated(text, path, program=True)
    assert fast_keys == _evaluated(text, path, program=False)[0]
    assert sent == _evaluated(_never(text), path, program=True)[1]


_VETOES = """
name = "否决"
total = 100
groups = [{ name = "组" }]
policies = [{ type = "veto", when = "投诉>=3", effect = "lowest_grade", reason = "投诉过多" }]
[overall]
rule = "优：总分>=90；良：60<=总分<90；差：总分<60"
[[indicators]]
code = "1"
name = "安全"
group = "组"
weight = 60
score = "值1"
policies = [{ type = "veto", when = "事故>0", effect = "zero", reason = "发生事故" }]
[[indicators]]
code = "2"
name = "服务"
group = "组"
weight = 40
score = "值2"
"""


def test_an_indicators_veto_and_a_scheme_wide_veto_by_hand(tmp_path):
    """甲: 95×0.6 + 90×0.4 = 93 优. 乙: 100, but 事故 zeroes it: 0 差. 丙: 90, but 投诉 ≥ 3: 90 差.
    丁: both: 0 差, the indicator's note first. 戊: 70×0.6 + 50×0.4 = 62 良. The vetoed rank last."""
    data = (
        "单位,值1,值2,事故,投诉\n甲,95,90,0,0\n乙,100,100,1,0\n丙,90,90,0,3\n丁,100,100,2,5\n戊,70,50,0,0\n"
    )
    scheme = loads(_VETOES, format="toml")
    found = _run_columns(scheme, tmp_path, data)
    assert [(str(o.total), o.grade, o.vetoed) for o in found] == [
        ("93", "优", False),
        ("0", "差", True),
        ("90", "差", True),
        ("0", "差", True),
        ("62", "良", False),
    ]
    indicator = "一票否决（1 安全：发生事故）：总分计 0 分，等次为最低等次"
    scheme_wide = "一票否决（本单位：投诉过多）：等次定为最低等次，得分照常计算，排名列于未被否决的单位之后"
    assert [e.message for e in found[3].events] == [indicator, scheme_wide]
    path = tmp_path / "d.csv"
    keys, sent = _evaluated(_VETOES, path, program=True)
    assert sent == 0
    assert keys == _evaluated(_VETOES, path, program=False)[0]
    assert keys == _evaluated(_VETOES, path, program=True, explained=True)[0]
    assert [(k[0], k[3]) for k in keys if not k[5]] == [("甲", 1), ("戊", 2)]
    assert all(k[3] > 2 for k in keys if k[5])
    scheme_path = _write(tmp_path, "scheme.toml", _VETOES)
    for fmt in ("csv", "table"):
        code, out, err, streamed_sent = _streamed(scheme_path, path, fmt)
        assert (code, streamed_sent) == (0, 0)
        assert (code, out, err) == _streamed(scheme_path, path, fmt, jobs=2)[:3]
    rows = list(csv.reader(io.StringIO(_streamed(scheme_path, path, "csv")[1].lstrip("\ufeff"))))
    assert [r[:5] for r in rows[1:3]] == [["1", "甲", "", "93", "优"], ["2", "戊", "", "62", "良"]]
    assert {r[1]: r[3:5] for r in rows[3:]} == {"乙": ["0", "差"], "丙": ["90", "差"], "丁": ["0", "差"]}


# -- a blank input under a missing rule ---------------------------------------------------------


@st.composite
def missing_cases(draw: st.DrawFn) -> tuple[str, str, str]:
    """A scheme of :func:`cases` with a ``missing`` rule (every input, or the first) on some of its
    indicators, its data with more blank cells, and the scheme without the rules."""
    text, data = draw(cases())
    parts = text.split("[[indicators]]")
    ruled = [parts[0]]
    for part in parts[1:]:
        code = re.search(r'code = "(\d+)"', part)
        assert code is not None
        if draw(st.booleans()):
            named = draw(st.sampled_from(["true", f'["值{code.group(1)}"]']))
            part = part.rstrip("\n") + f'\npolicies = [{{ type = "not_applicable", missing = {named} }}]\n'
        ruled.append(part)
    rows = list(csv.reader(io.StringIO(data)))
    first = 2 if rows[0][1] == "类别" else 1
    blanked = [rows[0]] + [
        [*row[:first], *("" if draw(st.integers(0, 3)) == 0 else c for c in row[first:])] for row in rows[1:]
    ]
    out = io.StringIO()
    csv.writer(out).writerows(blanked)
    return "[[indicators]]".join(ruled), out.getvalue(), text


@given(case=missing_cases())
@_SETTINGS
def test_blank_inputs_under_a_missing_rule_are_taken_as_columns(tmp_path_factory, case):
    text, data, without = case
    folder = tmp_path_factory.mktemp("missing")
    _, slow, scheme = _agree(folder, text, data)
    found = _run_columns(scheme, folder, data)
    plain = _run_columns(loads(without, format="toml"), folder, data)
    # A rule that makes an indicator not apply where its input is blank sends no unit back that
    # the scheme without it takes (a blank input there is the per-unit program's error).
    assert all(f is not None for f, p in zip(found, plain, strict=True) if p is not None)
    # In these schemes, the per-unit program now scores only units it finds an error in (and the column
    # program takes those whose only errors are an indicator's: colfailures).
    assert all(f is not None for f, s in zip(found, slow, strict=True) if not s.errors)
    extra = sum(f is not None and p is None for f, p in zip(found, plain, strict=True))
    event(f"units with a blank input taken as columns: {'some' if extra else 'none'}")
    path = _write(folder, "data.csv", data)
    fast_keys, sent = _evaluated(text, path, program=True)
    assert fast_keys == _evaluated(text, path, program=False)[0]
    assert sent == sum(f is None for f in found)
    scheme_path = _write(folder, "scheme.toml", text)
    assert _streamed(scheme_path, path, "csv")[3] == sent


_MISSING = """
name = "缺失"
total = 100
groups = [{ name = "组" }]
[overall]
rule = "优：总分>=90；良：60<=总分<90；差：总分<60"
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 60
score = "甲值"
policies = [{ type = "not_applicable", missing = true, reason = "未报数据" }]
[[indicators]]
code = "2"
name = "乙"
group = "组"
weight = 40
score = "乙值"
"""


def test_a_blank_input_under_a_missing_rule_by_hand(tmp_path):
    """甲: 95×0.6 + 80×0.4 = 89 良. 乙's 甲值 is blank (—): 甲 does not apply, its weight moves to 乙:
    90 优 (on the boundary). 丙's 乙值 is blank: no rule, 乙's error (worded by 乙's own step). 丁's 甲值
    is 无: not a number, the unit's error found before scoring (uniterrors)."""
    data = "单位,甲值,乙值\n甲,95,80\n乙,—,90\n丙,80,\n丁,无,70\n"
    scheme = loads(_MISSING, format="toml")
    found = _run_columns(scheme, tmp_path, data)
    assert [(str(o.total), o.grade) if o is not None else None for o in found] == [
        ("89", "良"),
        ("90", "优"),
        ("None", None),
        ("None", None),
    ]
    assert [(e.indicator, e.field, e.message) for e in found[2].errors] == [
        ("2", "乙值", "no value for '乙值' in formula '乙值'; did you mean '甲值'?")
    ]
    assert found[2].scores == [Decimal(80), None]
    path = tmp_path / "d.csv"
    keys, sent = _evaluated(_MISSING, path, program=True)
    assert sent == 0
    assert keys == _evaluated(_MISSING, path, program=False)[0]
    assert keys == _evaluated(_MISSING, path, program=True, explained=True)[0]
    scheme_path = _write(tmp_path, "scheme.toml", _MISSING)
    for fmt in ("csv", "table"):
        code, out, err, streamed_sent = _streamed(scheme_path, path, fmt)
        assert (code, streamed_sent) == (1, 0)
        assert (code, out, err) == _streamed(scheme_path, path, fmt, jobs=2)[:3]
    rows = list(csv.reader(io.StringIO(_streamed(scheme_path, path, "csv")[1].lstrip("\ufeff"))))
    assert [r[:7] for r in rows[1:3]] == [
        ["1", "乙", "", "90", "优", "", "90"],
        ["2", "甲", "", "89", "良", "95", "80"],
    ]
    explained = evaluate(scheme, load_units(path, scheme=scheme))
    assert [e.message for e in explained.unit("乙").indicators[0].events][:1] == ["不适用：未报数据"]


# -- how many units went to the per-unit program, and why ---------------------------------------


def test_validate_with_data_says_how_many_units_the_column_program_takes(tmp_path):
    """Every unit as columns: 丁 (—: no data, no policy for it) with the indicator's error, worded by its
    own step; 戊 (无, not a number) with the error found before scoring."""
    scheme_path = _write(tmp_path, "scheme.toml", _BAND)
    data = _write(tmp_path, "d.csv", "单位,值\n甲,87.5分\n乙,８７．４９\n丙,87.5%\n丁,—\n戊,无\n己,87.5\n")
    code, out, _ = run("validate", str(scheme_path), str(data))
    assert code == 1  # (丁 and 戊 are the data's problems)
    assert (
        "scoring: 6 of 6 units as columns; 0 the column program cannot score yet (each with an error that says so)"
    ) in out.splitlines()
    scheme = loads(_VETOES, format="toml")
    rows = "单位,值1,值2,事故,投诉\n甲,95,90,0,0\n乙,100,100,1,0\n"
    assert column_share(plan_of(scheme), load_units(_write(tmp_path, "v.csv", rows), scheme=scheme)) == (
        ColumnShare(columns=2, unscored=0)
    )
    # A scale grading a step giving a truth value (refused once): every unit as columns, the scale's
    # error (naming the truth value) where the step holds one; a scheme whose form the columns do not
    # compile is refused: test_column_removal.py.
    second = '\n[[indicators]]\ncode = "2"\nname = "二"\ngroup = "组"\nweight = 0\n'
    second += 'steps = ["达标 = 值 > 1"]\nvalue = "达标"\n'
    second += 'scale = { rule = "优：达标≥90；良：达标<90", scoring = "midpoint" }\n'
    scheme = loads(_BAND + second, format="toml")
    assert column_share(plan_of(scheme), load_units(data, scheme=scheme)) == ColumnShare(
        columns=6, unscored=0
    )
    found = evaluate(scheme, load_units(data, scheme=scheme))
    assert [e.message for e in found.unit("甲").errors] == ["达标=True (bool) is a truth value, not a number"]
    code, out, _ = run("validate", str(_write(tmp_path, "truth.toml", _BAND + second)), str(data))
    assert code == 1 and "scoring: 6 of 6 units as columns; 0 the column program cannot score yet" in out


_PERIODIC_MISSING = """name = "季度缺失"
basis = "points"
total = 1
periods = "mean"
[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]
[[groups]]
name = "组1"
[[indicators]]
code = "1"
name = "指标1"
group = "组1"
weight = 1
frequency = "季度"
value = "率1"
scale = { bands = [{ name = "优", conditions = ["「率1」=0"] }, { name = "良", conditions = ["0<「率1」"] }], domain = [0, 1] }
policies = [{ type = "not_applicable", missing = true }]
"""


def test_a_blank_year_cell_of_an_indicator_reported_per_period_is_not_missing(tmp_path):
    """Hand-worked: 单位2's year row leaves 率1 blank but its 一季度 row gives 0 (优, 1 分), so the
    missing rule does not hold; 单位1 gives 率1 nowhere, so indicator 1 does not apply and its total
    is 0. Every path ranks 单位2 first with 1 分 (a blank year cell once made 单位2 not applicable on
    the columns, found by test_differential)."""
    scheme_path = _write(tmp_path, "s.toml", _PERIODIC_MISSING)
    data_path = _write(tmp_path, "d.csv", "单位,期间,率1\n单位1,,\n单位2,,\n单位2,一季度,0\n")
    for explained in (True, False):
        keys, _ = _evaluated(_PERIODIC_MISSING, data_path, program=True, explained=explained)
        assert [(k[0], k[1]) for k in keys] == [("单位1", Decimal(0)), ("单位2", Decimal(1))]
    for jobs in (1, 2):
        code, out, err, _ = _streamed(scheme_path, data_path, "csv", jobs)
        rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
        assert code == 0, err
        assert [row[:5] for row in rows[1:]] == [["1", "单位2", "", "1", "优"], ["2", "单位1", "", "0", "差"]]
