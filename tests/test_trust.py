"""Hostile inputs end in a clear error (exit 1 or 2), never an internal one (exit 3)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
import perfrules.cli.analysis_commands
import perfrules.cli.score_commands
from cli_run import run
from perfrules import Formula, NumberTooLargeError, SchemeError, Unit, evaluate, load, loads
from perfrules.cli.main import main

ROOT = Path(__file__).resolve().parent.parent

SMALL = """\
format = "perfrules-scheme/1"
name = "小方案"
total = 100
groups = [{ name = "组" }]

[[indicators]]
code = "1"
name = "完成率"
group = "组"
weight = 100
steps = ["完成率=完成数/总数×100"]
score = "完成率"
"""


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("单位,完成数,总数\n甲,5,10\n乙,7,10\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Scheme files: encodings, long numbers, deep groups
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            SMALL.encode("gbk"),
            "not UTF-8: byte 0xb7 (line 2, column 11) starts no UTF-8 character; it reads as GBK",
        ),
        (b'name = "\xff\xfe\xfa"\n', "not UTF-8: byte 0xff (line 1, column 9)"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\xd0\x10", "the file is not text: it holds NUL bytes"),
        (b'name = "x"\x00\n', "the file is not text: it holds a NUL character (line 1)"),
    ],
    ids=["gbk", "invalid-utf8", "binary", "nul"],
)
def test_scheme_files_in_other_encodings_are_refused_with_the_place(tmp_path, data, message):
    """A scheme file that is not UTF-8 text is an invalid scheme file (exit 1) naming the byte."""
    path = tmp_path / "s.toml"
    path.write_bytes(data)
    code, _, err = run("validate", str(path))
    assert code == 1, err
    assert f"invalid scheme file {path}: 1 problem" in err and message in err


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_scheme_files_with_a_byte_order_mark_are_read(tmp_path, codec):
    """UTF-16 and UTF-32 with their byte-order mark (as Notepad saves) are unambiguous, so they are read."""
    path = tmp_path / "s.toml"
    data = SMALL.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    assert load(path).name == "小方案"


def test_utf16_without_its_mark_is_refused(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(SMALL.encode("utf-16-le"))
    code, _, err = run("validate", str(path))
    assert code == 1 and "UTF-16 needs its byte-order mark" in err


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_5000_digit_number_in_a_scheme_file_is_a_problem(tmp_path, suffix):
    """Python refuses to read ints of more than 4300 digits; the file gets a clear problem, exit 1."""
    path = tmp_path / f"s{suffix}"
    if suffix == ".toml":
        path.write_text(SMALL.replace("total = 100", "total = " + "9" * 5000), encoding="utf-8")
    else:
        path.write_text('{"name": "x", "total": ' + "9" * 5000 + "}", encoding="utf-8")
    code, _, err = run("validate", str(path))
    assert code == 1, err
    assert "holds a number too long to read" in err and "internal" not in err


def _nested(levels: int) -> str:
    groups = ['  { name = "g0" },'] + [
        f'  {{ name = "g{i}", parent = "g{i - 1}" }},' for i in range(1, levels)
    ]
    return (
        'format = "perfrules-scheme/1"\nname = "深"\ntotal = 100\ngroups = [\n'
        + "\n".join(groups)
        + f'\n]\n[[indicators]]\ncode = "1"\nname = "a"\ngroup = "g{levels - 1}"\nweight = 100\nscore = "a"\n'
    )


def test_groups_nested_500_deep_are_a_problem_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(_nested(600), encoding="utf-8")
    code, _, err = run("validate", str(path))
    assert code == 1, err
    assert "groups[50].parent: groups are nested more than 50 levels deep (group 'g50')" in err


def test_groups_nested_50_deep_are_still_read():
    assert len(list(loads(_nested(50)).paths())) == 51


# ---------------------------------------------------------------------------
# Numbers: tiny exponents and huge integers fail fast, per unit
# ---------------------------------------------------------------------------


def test_a_tiny_decimal_in_a_formula_is_refused_fast():
    """Decimal('1E-99999999') used to be turned into a Fraction with a 100-million-digit denominator."""
    started = time.perf_counter()
    with pytest.raises(NumberTooLargeError, match="more decimal places than perfrules computes with"):
        Formula.parse("a+1").evaluate({"a": Decimal("1E-99999999")})
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("1E-99999999"), "1E-99999999 has more decimal places"),
        (10**5000, "-bit integer is outside the limits"),
        (Decimal("1E+99999999"), "outside the limits"),
    ],
    ids=["tiny-decimal", "huge-int", "huge-decimal"],
)
def test_extreme_numbers_in_unit_data_fail_that_unit_only(value, message):
    """One unit's extreme value is its error; the other unit is still scored."""
    scheme = loads(SMALL)
    started = time.perf_counter()
    evaluation = evaluate(
        scheme,
        [
            Unit(name="甲", data={"完成数": value, "总数": 10}),
            Unit(name="乙", data={"完成数": 5, "总数": 10}),
        ],
    )
    assert time.perf_counter() - started < 5
    assert evaluation.unit("乙").total == 50
    bad = evaluation.unit("甲")
    assert bad.total is None and message in str(bad.errors[0])


# ---------------------------------------------------------------------------
# The API called with something that is not a scheme
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("shenzhen-2010-departments", "perfrules.load('shenzhen-2010-departments')"),
        (None, "not None; pass perfrules.load(name_or_path)"),
        (b"name = 'x'", "not bytes; pass perfrules.loads(data.decode('utf-8'))"),
    ],
    ids=["builtin-name", "none", "bytes"],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda s: perfrules.evaluate(s, []),
        lambda s: perfrules.sensitivity(s, [], runs=1),
        lambda s: perfrules.whatif(s, [], "甲"),
        lambda s: perfrules.dumps(s),
        lambda s: perfrules.scheme_to_mapping(s),
        lambda s: perfrules.reweight(s, {}),
    ],
    ids=["evaluate", "sensitivity", "whatif", "dumps", "scheme_to_mapping", "reweight"],
)
def test_a_scheme_argument_that_is_not_a_scheme_says_what_to_pass(call, value, message):
    with pytest.raises(TypeError, match="needs a Scheme") as caught:
        call(value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: perfrules.loads(b"name = 'x'"), "decode bytes first"),
        (lambda: perfrules.loads(None), "not NoneType"),
        (lambda: perfrules.load(None), "needs a file's path or a built-in scheme's name, not NoneType"),
        (lambda: perfrules.load(b"x.toml"), "not bytes"),
    ],
    ids=["loads-bytes", "loads-none", "load-none", "load-bytes"],
)
def test_load_and_loads_say_what_they_take(call, message):
    with pytest.raises(TypeError, match=message):
        call()


# ---------------------------------------------------------------------------
# The command line: --jobs, closed or broken standard output, Ctrl-C
# ---------------------------------------------------------------------------


def test_a_huge_jobs_number_is_a_usage_error(data):
    code, _, err = run("score", small_path(data), str(data), "--jobs", "99999999999999999999")
    assert code == 2
    assert "--jobs: expected 0 (all cores) or a number of processes from 1 to 1024" in err


def small_path(data: Path) -> str:
    path = data.parent / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return str(path)


def _cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "perfrules", *args],
        capture_output=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_closed_standard_output_is_a_clear_error(data):
    """perfrules score … >&- : Python starts with sys.stdout None."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, os; os.close(1); from perfrules.__main__ import run; run()",
            "score",
            small_path(data),
            str(data),
        ],
        stderr=subprocess.PIPE,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 2
    assert (
        done.stderr.decode()
        == "perfrules: error: standard output is closed\nhint: write to a file with -o FILE\n"
    )


def test_standard_output_that_fails_is_a_clear_error(data):
    """A full disk or a broken pipe on standard output: one line, exit 2, no traceback."""

    class Failing(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    code = main(["score", small_path(data), str(data)], out=Failing(), err=err)
    assert code == 2
    assert err.getvalue().startswith("perfrules: error: standard output was closed before all the results")


def test_a_broken_pipe_ends_quietly_with_exit_2(tmp_path):
    """perfrules score … | head -1 on many units: no traceback, not even Python's at exit."""
    rows = ["单位,完成数,总数", *(f"单位{i},{i % 10},10" for i in range(3000))]
    data = tmp_path / "d.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    scheme = small_path(data)
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    done = subprocess.run(
        [sys.executable, "-m", "perfrules", "score", scheme, str(data), "--format", "csv"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert reader.stdin is not None
    reader.stdin.close()
    reader.wait()
    assert done.returncode == 2, done.stderr
    assert b"Traceback" not in done.stderr and b"broken pipe" in done.stderr


def test_ctrl_c_while_running_is_exit_130_without_a_traceback(data, monkeypatch):
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(perfrules.cli.analysis_commands, "evaluate", interrupted)
    code, _, err = run("whatif", small_path(data), str(data), "--unit", "甲")
    assert code == 130 and err == "\nperfrules: interrupted\n"


def test_ctrl_c_while_perfrules_is_still_loading_is_exit_130_without_a_traceback():
    """The console script imports the command line inside a guard (perfrules.__main__.run)."""
    script = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'perfrules.cli.main':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from perfrules.__main__ import run\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 130
    assert done.stderr == b"\nperfrules: interrupted\n"


def test_the_console_script_runs_the_guarded_entry_point():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'perfrules = "perfrules.__main__:run"' in text


def test_a_full_disk_while_writing_a_workbook_keeps_the_old_file(tmp_path, monkeypatch):
    """-o out.xlsx on a full disk: exit 2, an error naming out.xlsx, the old file as it was."""
    pytest.importorskip("openpyxl")
    import openpyxl.workbook.workbook

    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old workbook")

    def full(self: object, filename: str) -> None:
        Path(filename).write_bytes(b"half")
        raise OSError(28, "No space left on device", filename)

    monkeypatch.setattr(openpyxl.workbook.workbook.Workbook, "save", full)
    code, _, err = run("score", "xiamen-xiangan-2020", "sample", "-o", str(target))
    assert code == 2
    assert err == f"perfrules: error: {target}: No space left on device\n"
    assert target.read_bytes() == b"old workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


# ---------------------------------------------------------------------------
# JSON output, whole and as JSON Lines
# ---------------------------------------------------------------------------


def test_json_written_unit_by_unit_is_what_json_dumps_gives():
    from perfrules.results.display import records

    name = "xiamen-xiangan-2020"
    evaluation = evaluate(load(name), perfrules.sample_units(name))
    code, out, _ = run("score", name, "sample", "--format", "json")
    assert code == 0
    assert out == json.dumps(records(evaluation), ensure_ascii=False, indent=2) + "\n"


def test_json_of_no_units_is_valid(tmp_path):
    data = tmp_path / "d.json"
    data.write_text("[]", encoding="utf-8")
    code, out, err = run("score", "xiamen-xiangan-2020", str(data), "--format", "json")
    if code == 0:
        assert json.loads(out)["units"] == []
    else:
        assert code in (1, 2) and "internal" not in err


def test_json_lines_hold_the_csv_rows_and_agree_streamed_or_in_memory():
    """--format jsonl: a CSV file is read as a stream, 'sample' in memory; the lines are the same,
    and each holds what the CSV row holds."""
    name = "xiamen-xiangan-2020"
    sample = ROOT / "src" / "perfrules" / "schemes" / "xiamen_xiangan_2020.csv"
    code, streamed, _ = run("score", name, str(sample), "--format", "jsonl")
    assert code == 0
    _, in_memory, _ = run("score", name, "sample", "--format", "jsonl")
    assert streamed == in_memory
    _, table, _ = run("score", name, str(sample), "--format", "csv")
    rows = list(csv.reader(io.StringIO(table)))[1:]
    records = [json.loads(line) for line in streamed.splitlines()]
    assert len(records) == len(rows) == 8
    for record, row in zip(records, rows, strict=True):
        assert [str(record["rank"]), record["unit"], record["total"]] == [row[0], row[1], json.loads(row[3])]
        scores = [json.dumps(v) if v is not None else "" for v in record["scores"].values()]
        assert scores == row[5:-1]


def test_json_lines_of_units_that_cannot_be_scored(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("单位,完成数,总数\n甲,x,10\n乙,5,10\n", encoding="utf-8")
    code, out, _ = run("score", small_path(data), str(data), "--format", "jsonl")
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert first == {
        "rank": 1, "unit": "乙", "category": None, "total": 50, "grade": "差", "scores": {"1": 50}, "errors": []
    }  # fmt: skip
    assert second["rank"] is None and second["scores"] == {"1": None} and "完成数" in second["errors"][0]


# ---------------------------------------------------------------------------
# sensitivity writes and reads as score does
# ---------------------------------------------------------------------------


def test_sensitivity_csv_escapes_text_that_a_spreadsheet_would_run(tmp_path):
    sample = ROOT / "src" / "perfrules" / "schemes" / "xiamen_xiangan_2020.csv"
    rows = list(csv.reader(io.StringIO(sample.read_text(encoding="utf-8"))))
    rows[1][0] = '=HYPERLINK("http://x")'
    data = tmp_path / "d.csv"
    with data.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    code, out, _ = run(
        "sensitivity", "xiamen-xiangan-2020", str(data), "--runs", "3", "--seed", "1", "--format", "csv"
    )
    assert code == 0
    cells = [row[1] for row in csv.reader(io.StringIO(out))]
    assert '\'=HYPERLINK("http://x")' in cells and '=HYPERLINK("http://x")' not in cells
    shares = next(csv.reader(io.StringIO(out.splitlines()[1])))
    assert shares[0].isdigit()  # numbers are not escaped


def test_sensitivity_reads_a_workbook_as_score_does(tmp_path):
    """Both read units with the same function: the same units, from the same sheet."""
    openpyxl = pytest.importorskip("openpyxl")
    sample = ROOT / "src" / "perfrules" / "schemes" / "xiamen_xiangan_2020.csv"
    rows = list(csv.reader(io.StringIO(sample.read_text(encoding="utf-8"))))
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "草稿"
    for row in [rows[0], *([f"草稿{r[0]}", *r[1:]] for r in rows[1:])]:
        hidden.append(row)
    hidden.sheet_state = "hidden"
    visible = book.create_sheet("数据")
    for row in rows:
        visible.append(row)
    path = tmp_path / "d.xlsx"
    book.save(path)
    _, scored, _ = run("score", "xiamen-xiangan-2020", str(path), "--format", "json")
    code, ranked, _ = run(
        "sensitivity", "xiamen-xiangan-2020", str(path), "--runs", "2", "--seed", "1", "--format", "json"
    )
    assert code == 0
    assert sorted(u["unit"] for u in json.loads(ranked)["units"]) == sorted(
        u["unit"] for u in json.loads(scored)["units"]
    )
    assert (
        perfrules.cli.analysis_commands._units is perfrules.cli.score_commands._units
    )  # one reader for both commands


# ---------------------------------------------------------------------------
# Bounded validation: linear in the file's size, with limits that say so
# ---------------------------------------------------------------------------


def _one_indicator(extra: str) -> str:
    return (
        'format = "perfrules-scheme/1"\nname = "大方案"\ntotal = 100\ngroups = [{ name = "组" }]\n'
        '[[indicators]]\ncode = "1"\nname = "完成率"\ngroup = "组"\nweight = 100\n' + extra
    )


def test_a_rule_text_beyond_the_limit_is_one_clear_problem_at_once():
    """A 4 MB grading rule used to take 19 s and 578 MB; now the length is checked first."""
    rule = "优:" + ",或".join(f"完成率={i}" for i in range(30_000)) + ";良:完成率<0"
    started = time.perf_counter()
    with pytest.raises(SchemeError) as caught:
        loads(_one_indicator(f'[indicators.scale]\nrule = "{rule}"\n'))
    assert time.perf_counter() - started < 5
    assert [str(p) for p in caught.value.problems] == [
        f"is {len(rule)} characters long; the limit is 20000 @ indicators[0].scale.rule"
    ]


def test_a_long_condition_is_refused_without_reading_every_cut_of_it():
    """A 20,000-character condition: 'formula is too long', fast, with a short caret line."""
    rule = "优:" + "或".join(f"完成率={i}" for i in range(1_500)) + ";良:完成率<0"
    started = time.perf_counter()
    with pytest.raises(SchemeError) as caught:
        loads(_one_indicator(f'[indicators.scale]\nrule = "{rule}"\n'))
    assert time.perf_counter() - started < 5
    message = str(caught.value.problems[0])
    assert "formula is too long" in message
    assert max(len(line) for line in message.splitlines()) < 300


def test_caret_lines_show_a_window_of_a_long_line():
    from perfrules._errors import caret_lines

    shown = caret_lines("a" * 10_000 + "$" + "b" * 10_000, 10_000)
    line, caret = shown.splitlines()
    assert line == "    …" + "a" * 60 + "$" + "b" * 59 + "…"
    assert caret.index("^") == line.index("$")


def test_many_categories_and_indicators_validate_in_linear_time():
    """Each indicator's category keys used to be checked once per category against a tuple (cubic)."""
    cats = [f"类{i}" for i in range(150)]
    text = [
        'format = "perfrules-scheme/1"\nname = "大方案"\ntotal = 200',
        "categories = [" + ",".join(f'"{c}"' for c in cats) + "]",
        'groups = [{ name = "组" }]',
    ]
    for j in range(200):
        text += [
            "[[indicators]]",
            f'code = "{j + 1}"',
            f'name = "指标{j + 1}"',
            'group = "组"',
            f'score = "x{j}"',
        ]
        text += ["[indicators.weights]", *(f'"{c}" = 1' for c in cats)]
    started = time.perf_counter()
    scheme = loads("\n".join(text) + "\n")
    assert time.perf_counter() - started < 8  # about 1 s; the cubic check took 14 s
    assert len(scheme.indicators()) == 200 and len(scheme.categories) == 150


def test_2800_chained_steps_in_any_order_validate_and_score():
    """Steps listed last-first: ordering and the cycle check used to recurse once per step."""
    n = 2_800
    steps = [f"s{i}=s{i + 1}+1" for i in range(n - 1)] + [f"s{n - 1}=a"]
    scheme = loads(_one_indicator("steps = [" + ",".join(f'"{s}"' for s in steps) + ']\nscore = "s0"\n'))
    evaluation = evaluate(scheme, [Unit(name="甲", data={"a": 1})])
    assert evaluation.unit("甲").indicators[0].value == n  # s0 = a + 2799


def test_a_step_cycle_in_a_long_chain_is_still_found():
    n = 1_500
    steps = [f"s{i}=s{i + 1}+1" for i in range(n - 1)] + [f"s{n - 1}=s0+a"]
    with pytest.raises(SchemeError, match="steps depend on each other in a cycle: s0 → s1 → s2"):
        loads(_one_indicator("steps = [" + ",".join(f'"{s}"' for s in steps) + ']\nscore = "s0"\n'))


def test_population_checks_walk_a_long_chain_once():
    """Whether a max_of() argument depends on a population value is worked out once per step."""
    n = 2_800
    steps = [
        "x0=a0",
        *(f"x{i}=x{i - 1}+a{i}" for i in range(1, n)),
        *(f"p{i}=max_of(x{i})" for i in range(0, n, 4)),
    ]
    started = time.perf_counter()
    loads(_one_indicator("steps = [" + ",".join(f'"{s}"' for s in steps) + ']\nscore = "p0"\n'))
    assert time.perf_counter() - started < 10


def test_extreme_numbers_in_a_data_file_fail_their_units_only(tmp_path):
    """A 5,000-digit cell and 1E-99999999 in a CSV: two units not scored (exit 1), the third scored."""
    data = tmp_path / "d.csv"
    data.write_text(f"单位,完成数,总数\n甲,{'9' * 5000},10\n乙,1E-99999999,10\n丙,5,10\n", encoding="utf-8")
    started = time.perf_counter()
    code, out, err = run("score", small_path(data), str(data), "--format", "csv")
    assert time.perf_counter() - started < 10
    assert code == 1 and "2 unit(s) could not be scored" in err
    rows = list(csv.reader(io.StringIO(out)))
    assert [r[1] for r in rows[1:]] == ["丙", "甲", "乙"] and rows[1][3] == "50"
