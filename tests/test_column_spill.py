"""The spill file that forked workers write a column run's lines to (``perfrules.pipeline.spill``).

With ``--jobs`` above 1 on Linux, a worker writes its range's CSV lines to the run's spill file
itself and sends back where they are; ranges then lie in the file in the order workers wrote them,
not the file's. The run must read every line where it was written, so the output is byte for byte
that of one process.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
from unittest import mock

import pytest

from perfrules import loads
from perfrules.cli.main import main
from perfrules.cli.score_commands import _ColumnLines
from perfrules.files import csvcolumns
from perfrules.files.csvcolumns import open_csv
from perfrules.pipeline import colrun, csvpass
from perfrules.pipeline.allocator import keep_freed_memory
from perfrules.pipeline.colrun import ColumnRun, _Collected
from perfrules.pipeline.forked import run_forked
from perfrules.pipeline.parallel import worker_context
from perfrules.pipeline.spill import Spill
from perfrules.pipeline.stream import score_file
from test_column_run import _names_file
from test_stream_csvcolumns import ONE

forks = pytest.mark.skipif(
    worker_context().get_start_method() != "fork", reason="a spill is shared only with forked workers"
)


def _framed(process: int, k: int) -> bytes:
    """A piece of data that says who wrote it, of a length of its own."""
    body = f"{process}:{k}:" + "x" * ((process * 37 + k * 11) % 300)
    return f"<{body}>".encode()


@forks
def test_forked_processes_put_their_bytes_apart_and_leave_no_gap():
    spill = Spill(shared=True)
    try:

        def writer(process: int):
            return lambda: [spill.put(_framed(process, k)) for k in range(200)] and None

        run_forked([writer(p) for p in range(3)])
        data = os.pread(spill.fd, 1 << 20, 0)
        pieces = data[1:-1].split(b"><")
        assert sorted(pieces) == sorted(_framed(p, k)[1:-1] for p in range(3) for k in range(200))
        assert len(data) == sum(len(_framed(p, k)) for p in range(3) for k in range(200))
        assert spill.put(b"next") == len(data)  # the counter every process moved
    finally:
        spill.close()


def test_a_spill_not_shared_puts_its_bytes_one_after_the_other():
    spill = Spill()
    try:
        assert not spill.shared
        assert [spill.put(b"abc"), spill.put(b""), spill.put(b"de")] == [0, 3, 3]
        assert os.pread(spill.fd, 10, 0) == b"abcde"
    finally:
        spill.close()


def _lines(run: ColumnRun) -> bytes:
    """The run's CSV lines, as the command line writes them."""
    lines = _ColumnLines(run._scheme, run)
    return b"".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in lines)


@forks
def test_ranges_written_out_of_turn_are_read_where_they_lie(tmp_path):
    """The ranges' lines written to the spill last range first, as a worker that finishes early
    writes them: the run reads them in the ranges' order all the same (names, ties, units apart,
    quoted names kept as outcomes), and gives what one process gives."""
    scheme = loads(ONE, format="toml")
    path = tmp_path / "data.csv"
    _names_file(path)
    with mock.patch.object(csvcolumns, "BLOCK", 256):
        layout = open_csv(path)
        assert layout is not None and len(layout.ranges) > 10
        with score_file(scheme, path) as one:
            expected = _lines(one)
            names = list(one.names())
        collected = _Collected(shared=True)
        setup = csvpass._Setup(scheme, layout.path, layout.raw_header, layout.header_row, None)
        csvpass._start_worker(
            scheme, layout.path, layout.raw_header, layout.header_row, None, collected.spill
        )
        try:
            blocks = [csvpass._work_block(*span) for span in reversed(layout.ranges)][::-1]
        finally:
            csvpass._start_worker(scheme, layout.path, layout.raw_header, layout.header_row, None)
        kept = [b.fast for b in blocks if b.fast is not None and len(b.fast.groups)]
        assert all(f.tails == b"" and f.at is not None for f in kept)
        assert [f.at for f in kept] == sorted((f.at for f in kept), reverse=True)
        for block in blocks:
            collected.add(block)
        with collected.finish(setup, layout, 1000) as run:
            assert _lines(run) == expected
            assert list(run.names()) == names


@forks
def test_forked_workers_send_where_their_lines_are_not_the_lines(tmp_path):
    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(ONE, encoding="utf-8")
    path = tmp_path / "data.csv"
    _names_file(path)
    sent: list[tuple[bytes, int | None]] = []
    real = _Collected.add

    def spy(self, block):
        if block.fast is not None:
            sent.append((block.fast.tails, block.fast.at))
        real(self, block)

    outputs = {}
    codes: list[int] = []
    methods: list[str] = []  # how the run's workers were started (threads alive in the test process: spawn)
    real_context = colrun.worker_context

    def context():
        found = real_context()
        methods.append(found.get_start_method())
        return found

    for jobs in ("1", "2"):
        target = tmp_path / f"out{jobs}.csv"
        args = ["score", str(scheme_path), str(path), "--format", "csv", "-o", str(target), "--jobs", jobs]
        with (
            mock.patch.object(csvcolumns, "BLOCK", 512),
            mock.patch.object(_Collected, "add", spy),
            mock.patch.object(colrun, "worker_context", context),
        ):
            codes.append(main(args, out=io.StringIO(), err=io.StringIO()))
        outputs[jobs] = target.read_bytes()
        if jobs == "1":
            assert sent and all(tails and at is None for tails, at in sent)
            sent.clear()
    assert len(sent) > 5 and methods
    if methods[-1] == "fork":  # (the case this test is for: a process running no other thread)
        assert all(tails == b"" and at is not None for tails, at in sent)
    else:  # (spawned workers send their lines back, as the next test pins)
        assert all(tails and at is None for tails, at in sent)
    assert outputs["1"] == outputs["2"] and outputs["1"].count(b"\n") == 409
    assert codes[0] == codes[1]


def test_workers_started_by_spawn_send_their_lines(tmp_path):
    """Where the workers are not forked (a spill shared all the same), the spill is not theirs: the
    lines come back in the blocks, and this process writes them."""
    scheme = loads(ONE, format="toml")
    path = tmp_path / "data.csv"
    _names_file(path)
    with mock.patch.object(csvcolumns, "BLOCK", 512), score_file(scheme, path) as one:
        expected = _lines(one)
    spawn = multiprocessing.get_context("spawn")
    sent: list[int | None] = []
    real = _Collected.add

    def spy(self, block):
        if block.fast is not None:
            sent.append(block.fast.at)
        real(self, block)

    with (
        mock.patch.object(csvcolumns, "BLOCK", 512),
        mock.patch("perfrules.pipeline.parallel.worker_context", return_value=spawn),
        mock.patch.object(_Collected, "add", spy),
        score_file(scheme, path, jobs=2) as two,
    ):
        assert two._collected.spill.shared == (worker_context().get_start_method() == "fork")
        assert _lines(two) == expected
    assert len(sent) > 1 and sent == [None] * len(sent)


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's allocator")
def test_freed_memory_is_kept_once_set():
    if not os.confstr("CS_GNU_LIBC_VERSION"):
        pytest.skip("not glibc")
    assert keep_freed_memory() and keep_freed_memory()
