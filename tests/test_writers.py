"""Tests for output files: never half-written, never executed by a spreadsheet, and no tracebacks from the CLI."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfrules._cli
import perfrules._writers
from perfrules._cli import main
from perfrules._writers import escape_csv_text, write_atomic

OLD = "旧的结果\n".encode("utf-8-sig")
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "perfrules" / "schemes" / "xiamen_xiangan_2020.csv"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def old_file(tmp_path):
    path = tmp_path / "结果.csv"
    path.write_bytes(OLD)
    return path


# ---------------------------------------------------------------------------
# write_atomic
# ---------------------------------------------------------------------------


def test_write_atomic_writes_text_and_bytes(tmp_path):
    """Text is encoded as asked (with Excel's BOM for utf-8-sig); bytes are written as they are."""
    write_atomic(tmp_path / "a.csv", "单位\n", encoding="utf-8-sig")
    write_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.csv").read_bytes() == "单位\n".encode("utf-8-sig")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "b.bin"]


@pytest.mark.parametrize(
    "failure", [OSError("disk full"), KeyboardInterrupt()], ids=["oserror", "keyboard-interrupt"]
)
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(old_file, monkeypatch, failure):
    """If anything fails before the rename, the target keeps its bytes and the temp file is gone."""

    def fail(fd: int) -> None:
        raise failure

    monkeypatch.setattr(perfrules._writers.os, "fsync", fail)
    with pytest.raises(type(failure)):
        write_atomic(old_file, "新的结果\n" * 1000)
    assert old_file.read_bytes() == OLD
    assert os.listdir(old_file.parent) == [old_file.name]


def test_unencodable_text_leaves_the_old_file(old_file):
    """An encoding error happens before anything is written."""
    with pytest.raises(UnicodeEncodeError):
        write_atomic(old_file, "单位", encoding="ascii")
    assert old_file.read_bytes() == OLD


def test_existing_permissions_are_kept(old_file):
    """Replacing a file keeps its mode (the temporary file would otherwise be private)."""
    os.chmod(old_file, 0o644)
    write_atomic(old_file, "x")
    assert old_file.stat().st_mode & 0o777 == 0o644


# ---------------------------------------------------------------------------
# escape_csv_text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("市甲委", "市甲委"),
        ("a=b", "a=b"),
        ("", ""),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "cr", "chinese", "inner-equals", "empty"],
)
def test_csv_text_that_could_run_as_a_formula_is_escaped(text, escaped):
    """Text that a spreadsheet would run gets a leading apostrophe; other text is unchanged."""
    assert escape_csv_text(text) == escaped


@given(st.text())
def test_escaped_text_never_starts_a_formula(text):
    """Whatever the text, the escaped cell does not start with a formula character, and loses nothing."""
    escaped = escape_csv_text(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert escaped in (text, "'" + text)


def test_unit_names_are_escaped_in_csv_and_exact_in_json(tmp_path):
    """A unit named =HYPERLINK(...) is text in the CSV output and exact in JSON."""
    name = '=HYPERLINK("http://x")'
    header, first = SAMPLE.read_text(encoding="utf-8").splitlines()[:2]
    data = tmp_path / "d.csv"
    with data.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([next(csv.reader([header])), [name, *next(csv.reader([first]))[1:]]])
    code, out, _ = run("score", "xiamen-xiangan-2020", str(data), "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1][1] == "'" + name
    assert rows[1][3].replace(".", "").isdigit()  # numbers are never escaped
    code, out, _ = run("score", "xiamen-xiangan-2020", str(data), "--format", "json")
    assert json.loads(out)["units"][0]["unit"] == name


# ---------------------------------------------------------------------------
# perfrules score -o: the old file survives a failed run
# ---------------------------------------------------------------------------


def test_a_scheme_error_leaves_the_output_file_alone(old_file, tmp_path):
    """A run that fails before scoring does not touch -o FILE."""
    scheme = tmp_path / "bad.toml"
    scheme.write_text('name = "x"\nweight = \n', encoding="utf-8")
    code, _, err = run("score", str(scheme), "sample", "-o", str(old_file))
    assert code in (1, 2) and "Traceback" not in err
    assert old_file.read_bytes() == OLD


def test_a_data_error_leaves_the_output_file_alone(old_file, tmp_path):
    """A data file refused as a whole does not touch -o FILE."""
    data = tmp_path / "d.csv"
    data.write_text("单位,a,a\n甲,1,2\n", encoding="utf-8")
    code, _, _ = run("score", "xiamen-xiangan-2020", str(data), "--format", "csv", "-o", str(old_file))
    assert code == 1 and old_file.read_bytes() == OLD


def test_a_write_that_fails_midway_leaves_the_output_file_alone(old_file, monkeypatch):
    """If writing fails, the CLI reports it (no traceback) and -o FILE keeps its bytes."""

    def fail(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(perfrules._writers.os, "fsync", fail)
    code, _, err = run("score", "xiamen-xiangan-2020", "sample", "--format", "csv", "-o", str(old_file))
    assert code == 2 and "No space left on device" in err and "Traceback" not in err
    assert old_file.read_bytes() == OLD
    assert os.listdir(old_file.parent) == [old_file.name]


def test_a_successful_run_replaces_the_output_file(old_file):
    """The output file is written whole, with Excel's BOM for CSV."""
    code, _, _ = run("score", "xiamen-xiangan-2020", "sample", "--format", "csv", "-o", str(old_file))
    assert code == 0
    assert old_file.read_bytes().startswith("排名,单位".encode("utf-8-sig"))


# ---------------------------------------------------------------------------
# No traceback from the CLI
# ---------------------------------------------------------------------------


@pytest.fixture
def broken_score(monkeypatch):
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something\nunexpected")

    monkeypatch.setattr(perfrules._cli, "evaluate", boom)


def test_an_internal_error_is_one_line_and_exit_3(broken_score):
    """An unexpected exception prints one line and a hint, and exits 3."""
    code, out, err = run("whatif", "xiamen-xiangan-2020", "sample", "--unit", "局办")
    assert code == 3 and out == ""
    assert err == (
        "perfrules: internal error: RuntimeError: something unexpected\n"
        "hint: run again with --debug for the details\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--debug", "whatif", "xiamen-xiangan-2020", "sample", "--unit", "局办"],
        ["whatif", "xiamen-xiangan-2020", "sample", "--unit", "局办", "--debug"],
    ],
    ids=["before-the-command", "after-the-command"],
)
def test_debug_shows_the_traceback(broken_score, args):
    """--debug, before or after the command, lets the exception through."""
    with pytest.raises(RuntimeError, match="something"):
        run(*args)


def test_exit_code_3_is_documented():
    """The CLI reference lists exit code 3."""
    doc = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    assert "| 3 |" in doc and "--debug" in doc
