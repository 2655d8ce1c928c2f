"""How ``--jobs`` starts its workers and feeds them: forked or spawned, each range sent as soon as
it is found while the rest of the file is still checked; the bytes of one process either way."""

from __future__ import annotations

import io
import multiprocessing
import sys
import threading
from pathlib import Path
from unittest import mock

import pytest

from perfrules.cli.main import main
from perfrules.files import csvcolumns
from perfrules.files.csvcolumns import NotInRanges, open_csv
from perfrules.pipeline import parallel as _parallel
from test_column_run import _names_file, _outputs
from test_stream_csvcolumns import ONE


def test_workers_are_forked_only_where_no_other_thread_runs():
    expected = "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"
    assert _parallel.worker_context().get_start_method() == expected
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _parallel.worker_context().get_start_method() == "spawn"
    finally:
        stop.set()
        other.join()


def _files(tmp_path: Path) -> tuple[Path, Path]:
    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(ONE, encoding="utf-8")
    path = tmp_path / "data.csv"
    _names_file(path)  # ties, long names, names the CSV writer quotes, a unit whose rows are apart
    return scheme_path, path


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_forked_or_spawned_workers_write_the_bytes_of_one_process(tmp_path, monkeypatch, method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    started: list[str] = []

    def context() -> multiprocessing.context.BaseContext:
        started.append(method)
        return multiprocessing.get_context(method)

    monkeypatch.setattr(_parallel, "worker_context", context)
    scheme_path, path = _files(tmp_path)
    with mock.patch.object(csvcolumns, "BLOCK", 200):
        one = _outputs(scheme_path, path, tmp_path)
        assert not started
        two = _outputs(scheme_path, path, tmp_path, jobs="2")
    assert started  # the workers were started that way
    assert one == two
    assert one["csv"].count(b"\n") == 1 + 408


def test_the_csv_printed_is_the_csv_written(tmp_path):
    """Blocks of lines go to a file as the UTF-8 bytes they are, and to standard output as text."""
    scheme_path, path = _files(tmp_path)
    written = _outputs(scheme_path, path, tmp_path, jobs="2")["csv"]
    out = io.StringIO()
    main(["score", str(scheme_path), str(path), "--format", "csv", "--jobs", "2"], out=out, err=io.StringIO())
    assert written.startswith(b"\xef\xbb\xbf")
    assert out.getvalue() == written.decode("utf-8-sig")


@pytest.mark.parametrize("bad", [b"\xff", b"\x00"])
def test_a_file_found_late_not_to_be_read_in_ranges_is_read_as_by_one_process(tmp_path, bad):
    """Workers start on the first ranges while the rest is checked: a byte that is not UTF-8 (or a NUL)
    far into the file sends it to the row reader all the same, with the same output and messages."""
    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(ONE, encoding="utf-8")
    path = tmp_path / "data.csv"
    lines = [f"单位{i:04d},{i % 11}".encode() for i in range(600)]
    lines[550] = "单位0550".encode() + bad + b",3"
    path.write_bytes("单位,得分\n".encode() + b"\n".join(lines) + b"\n")
    with mock.patch.object(csvcolumns, "BLOCK", 256):
        assert open_csv(path) is None
        lazy = open_csv(path, lazy=True)
        assert lazy is not None
        spans = lazy.each_range()
        assert next(spans)[0] == len("单位,得分\n".encode())  # the first range, before the rest is read
        with pytest.raises(NotInRanges):
            list(spans)
        one = _outputs(scheme_path, path, tmp_path)
        two = _outputs(scheme_path, path, tmp_path, jobs="2")
    assert one == two
    if bad == b"\xff":  # refused by the row reader, which names the encodings it tried
        assert b"cannot read as UTF-8" in one["csv exit"]


def test_ranges_found_lazily_are_the_ranges_found_at_once(tmp_path):
    _, path = _files(tmp_path)
    with mock.patch.object(csvcolumns, "BLOCK", 200):
        eager, lazy = open_csv(path), open_csv(path, lazy=True)
        assert eager is not None and lazy is not None
        assert lazy.ranges == []
        assert list(lazy.each_range()) == eager.ranges == lazy.ranges
        assert list(lazy.each_range()) == eager.ranges  # found once, then read from the list
    assert len(eager.ranges) > 10
