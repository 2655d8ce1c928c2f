"""Tests for the perfrules command line, through its entry point."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli_run import run
from perfrules.results.display import display_width

SAMPLE_CSV = (
    Path(__file__).resolve().parent.parent / "src" / "perfrules" / "schemes" / "shenzhen_2010_departments.csv"
)


def test_demo_prints_the_ranking_of_the_sample_units():
    """perfrules demo scores the Shenzhen department sample and ranks it."""
    code, out, err = run("demo")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "深圳市2010年度市政府工作部门绩效评估指标体系"
    assert "1  市乙局  局    92.48  优" in out
    assert "\033[" not in out  # no colour when not a terminal


def test_table_columns_line_up_by_display_width():
    """Every row of the ranking table puts the total at the same display column."""
    _, out, _ = run("demo", "--scheme", "xiamen-xiangan-2020")
    rows = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    ends = {display_width(line[: line.index(line.split()[3]) + len(line.split()[3])]) for line in rows}
    assert len(rows) == 8 and len(ends) == 1


def test_schemes_lists_the_built_ins():
    """perfrules schemes lists names, titles, indicator counts and totals."""
    code, out, _ = run("schemes")
    assert code == 0
    assert "xiamen-xiangan-2020" in out and "1000分" in out and "41" in out


def test_validate_ok_and_problems(tmp_path):
    """validate exits 0 for a good scheme and 1 with every problem and its path for a bad one."""
    code, out, _ = run("validate", "shenzhen-2010-districts")
    assert code == 0 and out.startswith("ok: 深圳市2010年度区政府")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "坏"\ngroups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\nname = "甲"\ngroup = "组"\nweight = 90\nscore = "得分×"\n',
        encoding="utf-8",
    )
    code, out, err = run("validate", str(bad))
    assert code == 1
    assert "indicators[0]" in err and "^" in err
    assert "Traceback" not in err


def test_validate_shows_the_notes_of_a_valid_scheme():
    """Rule 12 as printed (就低不就高 with 或没有被督查催办事项 under 良) can never give 优: validate says so."""
    code, out, _ = run("validate", "shenzhen-2010-departments")
    assert code == 0
    assert "12 政府督查事项: grade '优' can never be given" in out


def test_validate_takes_schemes_the_column_program_compiles(tmp_path):
    """validate passes schemes the column program (the one engine) compiles, with no line on how they
    are scored; one it does not compile is a problem (tests/test_column_removal.py)."""
    code, out, _ = run("validate", "xiamen-xiangan-2020")
    assert code == 0
    assert out.startswith("ok: ") and not any(x.startswith("scoring:") for x in out.splitlines())
    # A grade per period beside a grade cap is scored as columns too.
    head = 'name = "分期"\nbasis = "percent"\nperiod_grades = true\ngroups = [{ name = "组" }]\n'
    head += '[[indicators]]\ncode = "1"\nname = "甲"\ngroup = "组"\nweight = 100\nfrequency = "quarterly"\n'
    periods = tmp_path / "periods.toml"
    periods.write_text(head + 'score = "甲得分"\n[[caps]]\nwhen = "事故>0"\ngrade = "良"\n', encoding="utf-8")
    code, out, err = run("validate", str(periods))
    assert code == 0, err
    assert out.startswith("ok: 分期")
    # A step whose value is a truth value is scored by the columns too (coltruth) …
    truth = tmp_path / "truth.toml"
    steps = 'steps = ["达标 = 甲得分 >= 60"]\nscore = "if(达标, 100, 50)"\n'
    truth.write_text(head + steps, encoding="utf-8")
    code, out, err = run("validate", str(truth))
    assert code == 0, err
    assert out.startswith("ok: 分期")
    # … and with a zero rule on that value (the number 0 in its place, as the oracle has it).
    zeroed = 'policies = [{ type = "zero", target = "达标", when = "甲得分 < 10" }]\n'
    truth.write_text(head + steps + zeroed, encoding="utf-8")
    code, out, err = run("validate", str(truth))
    assert code == 0, err
    assert out.startswith("ok: 分期")
    # A veto reading the full points (分值) on an indicator per period is scored by the columns.
    vetoed = tmp_path / "vetoed.toml"
    vetoed.write_text(
        head + 'score = "甲得分"\n'
        'policies = [{ type = "veto", when = "甲得分>分值×0.9", effect = "lowest_grade" }]\n',
        encoding="utf-8",
    )
    code, out, err = run("validate", str(vetoed))
    assert code == 0, err
    assert out.startswith("ok: 分期")


def test_score_json_lists_units_indicators_and_errors(tmp_path):
    """score --format json gives per-unit totals, grades, ranks, indicator details and errors."""
    data = tmp_path / "data.csv"
    text = SAMPLE_CSV.read_text(encoding="utf-8")
    # break one unit: drop 市甲委's white-paper task count (the cell after 19)
    text = text.replace("市甲委,委,,,19,20,", "市甲委,委,,,19,,", 1)
    data.write_text(text, encoding="utf-8")
    code, out, err = run("score", "shenzhen-2010-departments", str(data), "--format", "json")
    assert code == 1 and "1 unit(s) could not be scored" in err
    result = json.loads(out)
    units = {u["unit"]: u for u in result["units"]}
    assert units["市乙局"]["total"] == 92.48 and units["市乙局"]["rank"] == 1
    first = units["市乙局"]["indicators"][0]
    assert {"code", "name", "value", "grade", "score", "weight", "contribution"} <= first.keys()
    assert first["weight"] == 37
    assert units["市甲委"]["total"] is None
    assert units["市甲委"]["errors"][0] == {
        "indicator": "1",
        "field": "白皮书任务总数",
        "message": units["市甲委"]["errors"][0]["message"],
        "origin": f"{data} row 2",  # units read from CSV remember their row
    }


def test_score_csv_to_a_file_opens_in_excel(tmp_path):
    """score --format csv -o writes UTF-8 with a BOM, one row per unit with indicator scores."""
    target = tmp_path / "结果.csv"
    code, out, _ = run("score", "xiamen-xiangan-2020", "sample", "--format", "csv", "-o", str(target))
    assert code == 0 and out == ""
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    # Xiamen's 41 rules are stand-ins (总分※); it grades no total, so 等次 has no mark.
    assert rows[0][:5] == ["排名", "单位", "类别", "总分※", "等次"]
    # the Xiamen sample's first unit: 900 + 3 + 4 + 4 − 3 (tests/test_files.py)
    assert rows[1][1] == "区文旅局" and rows[1][3] == "908"
    assert len(rows) == 9


def test_score_category_fills_missing_categories(tmp_path):
    """--category gives units without one a category (Shenzhen weighs by 委/局/办)."""
    data = tmp_path / "d.csv"
    lines = SAMPLE_CSV.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:] if line.startswith("市甲委,")]
    without = [[c for i, c in enumerate(r) if head[i] != "类别"] for r in rows]
    data.write_text(
        "\n".join([",".join(h for h in head if h != "类别"), *(",".join(r) for r in without)]) + "\n",
        encoding="utf-8",
    )
    code, _, err = run("score", "shenzhen-2010-departments", str(data))
    assert code == 1 and "could not be scored" in err
    code, out, _ = run("score", "shenzhen-2010-departments", str(data), "--category", "委")
    assert code == 0 and "86.93" in out


def test_explain_gives_the_trail():
    """explain prints the unit's trail in Chinese."""
    code, out, _ = run("explain", "shenzhen-2010-departments", "sample", "--unit", "市乙局")
    assert code == 0
    assert out.startswith("市乙局（局）：总分 92.48")
    assert "调整至 1 公共服务白皮书" in out


def test_whatif_shows_the_changes_that_reach_the_next_grade():
    """whatif lists, per indicator below 优, the input change and its effect on the total."""
    code, out, _ = run("whatif", "shenzhen-2010-departments", "sample", "--unit", "市甲委")
    assert code == 0
    # 1: one more of 20 tasks on time → 100% → 优: the score 85 → 100 is +15 × 30% = +4.5
    assert any(
        "1 公共服务白皮书" in line and "白皮书任务完成数" in line and "+4.5" in line
        for line in out.splitlines()
    )
    # 5: 行政审批绩效得分 101.5 → 103 (优 starts at 103): 85 → 95 is +10 × 4% = +0.4
    assert any("行政审批绩效得分" in line and "103" in line and "+0.4" in line for line in out.splitlines())


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("score", "no-such-scheme", "sample"), "no scheme file 'no-such-scheme'"),
        (("score", "shenzhen-2010-departments", "missing.csv"), "no data file 'missing.csv'"),
        (("explain", "shenzhen-2010-departments", "sample", "--unit", "市甲"), "did you mean '市甲委'"),
        (("bogus",), "invalid choice: 'bogus'"),
        (("score", "shenzhen-2010-departments"), "the following arguments are required: data"),
        (("score", "shenzhen-2010-departments", "sample", "--format", "xml"), "invalid choice: 'xml'"),
    ],
)
def test_usage_mistakes_are_one_line_and_a_hint(args, fragment):
    """User mistakes exit 2 with one error line and a hint, never a traceback."""
    code, _, err = run(*args)
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("perfrules: error: ") and fragment in lines[0]
    assert lines[1].startswith("hint: ")
    assert len(lines) == 2


def test_bad_data_file_lists_rows_and_columns(tmp_path):
    """A bad cell fails its unit (exit 1) naming row, column and text; an unread column is a note."""
    data = tmp_path / "d.csv"
    data.write_text("单位,白皮书任务完成数,乱写\n甲,十九,1\n", encoding="utf-8")
    code, out, err = run("score", "shenzhen-2010-departments", str(data))
    assert code == 1
    assert f"unit '甲' ({data} row 2), field '白皮书任务完成数': '十九' is not a number" in out
    assert f"note: {data}, column '乱写': no indicator of the scheme reads it" in err
    assert "Traceback" not in err


def test_help_on_every_command_has_an_example():
    """--help works for every command and shows an example."""
    for command in ("demo", "schemes", "validate", "score", "explain", "whatif"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "example" in out, command
    code, out, _ = run("--help")
    assert code == 0 and "exit codes" in out


def test_no_command_prints_help_and_exits_2():
    """Running perfrules alone shows the help."""
    code, out, _ = run()
    assert code == 2 and "COMMAND" in out


def test_console_entry_point_runs():
    """python -m perfrules runs the same main, in a pipe (no colour)."""
    done = subprocess.run(
        [sys.executable, "-m", "perfrules", "demo"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0
    assert "市乙局" in done.stdout and "\033[" not in done.stdout
