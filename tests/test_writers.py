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

import perfrules._writers
import perfrules.cli.analysis_commands
from cli_run import run
from perfrules._writers import escape_csv_text, write_atomic

OLD = "旧的结果\n".encode("utf-8-sig")
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "perfrules" / "schemes" / "xiamen_xiangan_2020.csv"


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

    monkeypatch.setattr(perfrules.cli.analysis_commands, "evaluate", boom)


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


# ---------------------------------------------------------------------------
# -o never destroys: devices, FIFOs and standard streams are written to, not replaced
# ---------------------------------------------------------------------------


def test_device_paths_and_new_or_regular_files_are_told_apart(tmp_path):
    """Only regular files (and new names) are replaced; anything under /dev or /proc is written to."""
    from perfrules._writers import output_kind

    regular = tmp_path / "a.csv"
    regular.write_text("x", encoding="utf-8")
    assert output_kind(regular) == "replace"
    assert output_kind(tmp_path / "new.csv") == "replace"
    # Only asked, never written: the real devices are shared by the whole machine.
    for device in ("/dev/null", "/dev/full", "/dev/stdout", "/proc/self/fd/1"):
        assert output_kind(device) == "write"
    with pytest.raises(IsADirectoryError):
        output_kind(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_written_to_and_stays_a_fifo(tmp_path):
    """-o FIFO: the reader gets the results and the FIFO is still a FIFO afterwards."""
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, _, err = run("score", "xiamen-xiangan-2020", "sample", "--format", "csv", "-o", str(fifo))
    reader.join(timeout=30)
    assert code == 0, err
    assert received and received[0].startswith("排名,单位".encode("utf-8-sig"))
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["pipe"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a device node needs root")
def test_a_character_device_is_written_to_not_replaced(tmp_path):
    """A device node of our own (a second null device in a temporary folder) stays a device."""
    import stat

    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    code, _, err = run("score", "xiamen-xiangan-2020", "sample", "--format", "csv", "-o", str(device))
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["null"]


def test_a_full_device_gives_an_error_that_names_it(tmp_path, monkeypatch):
    """Writing straight to a device that is full (as /dev/full) is an error naming the target."""
    target = tmp_path / "full"
    monkeypatch.setattr(perfrules._writers, "output_kind", lambda path: "write")
    real_open = open

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    def fake_open(path, *args, **kwargs):
        return Full() if Path(path) == target else real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    code, _, err = run("score", "xiamen-xiangan-2020", "sample", "--format", "csv", "-o", str(target))
    assert code == 2
    assert err == f"perfrules: error: {target}: No space left on device\n"


def test_a_read_only_file_is_refused_and_kept(old_file):
    """A read-only file is not replaced, even by a user (root) who could; the error names it."""
    os.chmod(old_file, 0o444)
    code, _, err = run("score", "xiamen-xiangan-2020", "sample", "--format", "csv", "-o", str(old_file))
    assert code == 2
    assert err == f"perfrules: error: {old_file}: the file is read-only, so it is not replaced\n"
    assert old_file.read_bytes() == OLD
    assert os.stat(old_file).st_mode & 0o777 == 0o444


def test_errors_name_the_target_never_the_temporary_file(tmp_path, monkeypatch):
    """A folder that cannot take the temporary file: the error names -o's file."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".out.csv.x1y2.tmp"))

    monkeypatch.setattr(perfrules._writers.tempfile, "mkstemp", refuse)
    target = tmp_path / "out.csv"
    code, _, err = run("score", "xiamen-xiangan-2020", "sample", "-o", str(target))
    assert code == 2
    assert err == f"perfrules: error: {target}: Permission denied\n"
    assert ".tmp" not in err


def test_a_symbolic_link_stays_a_link_and_its_file_is_replaced(old_file):
    """-o LINK replaces the file the link points to; the link itself is kept."""
    link = old_file.parent / "link.csv"
    link.symlink_to(old_file.name)
    code, _, _ = run("score", "xiamen-xiangan-2020", "sample", "--format", "csv", "-o", str(link))
    assert code == 0 and link.is_symlink()
    assert old_file.read_bytes().startswith("排名,单位".encode("utf-8-sig"))


def test_a_file_that_is_standard_output_is_written_to_not_replaced(tmp_path):
    """-o /dev/stdout with stdout redirected to a file: that file gets the results, in place."""
    import subprocess
    import sys

    target = tmp_path / "redirected.txt"
    with target.open("wb") as stream:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "perfrules",
                "score",
                "xiamen-xiangan-2020",
                "sample",
                "-o",
                "/dev/stdout",
            ],
            stdout=stream,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert "区文旅局" in target.read_text(encoding="utf-8")
    assert Path("/dev/stdout").is_symlink()


def test_dash_means_standard_output(tmp_path, monkeypatch):
    """-o - writes to standard output, not to a file named '-'."""
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("score", "xiamen-xiangan-2020", "sample", "--format", "csv", "-o", "-")
    assert code == 0 and out.startswith("排名,单位")
    assert os.listdir(tmp_path) == []
