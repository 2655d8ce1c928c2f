"""Command-line conventions: '-' for standard input, --format json and -o on explain and whatif,
NO_COLOR as no-color.org says, progress bars with rate and time left, shell completion."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perfrules.cli.main import main
from perfrules.cli.output import _colour

ROOT = Path(__file__).resolve().parent.parent
SCHEME = str(ROOT / "docs" / "examples" / "example-scheme.toml")
DATA = ROOT / "docs" / "examples" / "example-data.csv"


def run(args, *, stdin: bytes | None = None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# -- '-' is standard input --------------------------------------------------------------


def test_data_from_standard_input_scores_as_the_file_does(monkeypatch):
    """`score SCHEME -` reads CSV from standard input: the same table as the file gives."""
    _, from_file, _ = run(["score", SCHEME, str(DATA), "--format", "csv"])
    code, from_stdin, err = run(
        ["score", SCHEME, "-", "--format", "csv"], stdin=DATA.read_bytes(), monkeypatch=monkeypatch
    )
    assert code == 0, err
    assert from_stdin == from_file
    assert "示例交通局,局,97,优" in from_stdin


def test_standard_input_in_gbk_and_as_json(monkeypatch):
    """Standard input is decoded as files are (GBK from Excel on Chinese Windows), and JSON is recognised."""
    text = DATA.read_text(encoding="utf-8-sig")
    code, gbk, err = run(
        ["score", SCHEME, "-", "--format", "csv"], stdin=text.encode("gb18030"), monkeypatch=monkeypatch
    )
    assert code == 0, err
    assert "示例交通局,局,97,优" in gbk
    units = {
        "units": [{"name": "甲局", "category": "局", "data": {"白皮书任务完成数": 20, "白皮书任务总数": 20}}]
    }
    code, out, err = run(
        ["score", SCHEME, "-", "--format", "json"], stdin=json.dumps(units).encode(), monkeypatch=monkeypatch
    )
    assert '"unit": "甲局"' in out


def test_a_bad_cell_on_standard_input_names_standard_input(monkeypatch):
    """Errors about piped data say where it came from, not a temporary file."""
    text = "单位,类别,白皮书任务完成数,白皮书任务总数\n甲局,局,abc,20\n"
    code, out, err = run(
        ["score", SCHEME, "-", "--format", "csv"], stdin=text.encode(), monkeypatch=monkeypatch
    )
    assert code == 1
    assert "standard input row 2" in out + err


def test_a_workbook_on_standard_input_is_a_usage_error(monkeypatch):
    """A workbook needs its file name (a zip cannot be streamed through a pipe): exit 2 with a hint."""
    code, _, err = run(["score", SCHEME, "-"], stdin=b"PK\x03\x04rest", monkeypatch=monkeypatch)
    assert code == 2
    assert "workbook cannot be read from standard input" in err


# -- explain and whatif: --format json, -o ----------------------------------------------


def test_explain_as_json_is_the_unit_of_score_json():
    """`explain --format json` writes the unit's record exactly as `score --format json` holds it."""
    code, out, _ = run(
        ["explain", "shenzhen-2010-departments", "sample", "--unit", "市乙局", "--format", "json"]
    )
    assert code == 0
    _, whole, _ = run(["score", "shenzhen-2010-departments", "sample", "--format", "json"])
    units = {u["unit"]: u for u in json.loads(whole)["units"]}
    assert json.loads(out) == units["市乙局"]


def test_explain_and_whatif_write_files(tmp_path):
    """-o writes the explanation and the whatif table to a file, nothing to standard output."""
    target = tmp_path / "trail.txt"
    code, out, _ = run(
        ["explain", "shenzhen-2010-departments", "sample", "--unit", "市乙局", "-o", str(target)]
    )
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("市乙局（局）：总分 92.48")
    target = tmp_path / "whatif.json"
    code, out, _ = run(
        [
            "whatif",
            "shenzhen-2010-departments",
            "sample",
            "--unit",
            "市甲委",
            "--format",
            "json",
            "-o",
            str(target),
        ]
    )
    assert code == 0 and out == ""
    record = json.loads(target.read_text(encoding="utf-8"))
    assert record["unit"] == "市甲委" and record["grade"] == "良"
    first = record["options"][0]
    # 白皮书任务完成数 from 19 to 20 makes indicator 1 优 (worked in the tutorial): +1, and the total rises.
    assert (first["indicator"], first["field"], first["current"], first["needed"], first["change"]) == (
        "1",
        "白皮书任务完成数",
        19,
        20,
        1,
    )
    assert first["total"] == pytest.approx(record["total"] + first["total_change"])


# -- NO_COLOR -----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "colour"), [(None, True), ("", True), ("1", False), ("0", False)])
def test_no_color_only_when_set_to_a_non_empty_value(monkeypatch, value, colour):
    """no-color.org: NO_COLOR present and not empty turns colour off; empty is as if unset."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    if value is not None:
        monkeypatch.setenv("NO_COLOR", value)
    assert _colour(_Terminal()) is colour


# -- progress --------------------------------------------------------------------------


def test_a_long_run_in_a_terminal_shows_rate_and_time_left(tmp_path):
    """On a terminal, evaluating many units draws a bar with the count, the rate and the time left;
    a file read as a stream (its length unknown) draws the count and the rate."""
    pytest.importorskip("openpyxl")
    rows = DATA.read_text(encoding="utf-8-sig").splitlines()
    lines = [rows[0]] + [row.replace("示例", f"示例{k}", 1) for k in range(15) for row in rows[1:]]
    (tmp_path / "many.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = io.StringIO(), _Terminal()
    # A workbook is written from the units loaded whole: their number is known.
    code = main(
        ["score", SCHEME, str(tmp_path / "many.csv"), "-o", str(tmp_path / "many.xlsx")], out=out, err=err
    )
    assert code == 0
    shown = err.getvalue()
    assert "/30 [" in shown and "units/s" in shown and "<" in shown  # n/30 [elapsed<left, rate]
    err = _Terminal()
    code = main(
        ["score", SCHEME, str(tmp_path / "many.csv"), "--format", "json", "-o", str(tmp_path / "many.json")],
        out=out,
        err=err,
    )
    assert code == 0
    shown = err.getvalue()
    assert " units [" in shown and "units/s" in shown and "/30" not in shown  # n units [elapsed, rate]


def test_no_bar_when_stderr_is_not_a_terminal():
    """Piped or redirected stderr gets no progress bar."""
    code, _, err = run(["score", "shenzhen-2010-departments", "sample", "--format", "json"])
    assert code == 0 and "units/s" not in err


# -- completion ----------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "tcsh"])
def test_completion_scripts_name_the_commands(shell):
    """`perfrules completion SHELL` prints a script that knows the sub-commands (and, but in tcsh, their options)."""
    code, out, _ = run(["completion", shell])
    assert code == 0
    for word in (
        "score",
        "explain",
        "whatif",
        "sensitivity",
        *(() if shell == "tcsh" else ("--format", "--jobs")),
    ):
        assert word in out


@pytest.mark.skipif(not os.path.exists("/bin/bash"), reason="needs bash")
def test_bash_completion_completes_a_sub_command_and_an_option():
    """Sourced in bash, the script completes `perfrules sc` and `perfrules score a b --fo`."""
    _, script, _ = run(["completion", "bash"])
    probe = (
        'COMP_WORDS=(perfrules sc); COMP_CWORD=1; _shtab_perfrules; echo "${COMPREPLY[@]}";'
        'COMP_WORDS=(perfrules score a b --fo); COMP_CWORD=4; _shtab_perfrules; echo "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", script + "\n" + probe], capture_output=True, text=True, check=True)
    first, second = done.stdout.splitlines()
    assert set(first.split()) == {"schemes", "schema", "score"}
    assert second.split() == ["--format"]
