"""Shenzhen-shaped CSV files read in byte ranges for both passes, against the per-cell reader.

A scheme with population steps (the Shenzhen departments' peer ratio, ranks)
over a CSV file is read range by range (:mod:`perfrules.pipeline.rangepass`):
each unit's lines gathered at once, its year cells parsed from the bytes, its
period lines and 不适用 lists read column by column
(:mod:`perfrules.pipeline.rangegroups`). These tests generate such files —
period lines in any order, units split or given twice, blank, spaced and
non-plain cells, quoted cells, CRLF line ends, ranges of a few hundred bytes
so that units run on from one range into the next, and the first pass keeping
none of what it read — and ask for the command line's output, in every
format and with two jobs, to be the bytes it gives when every unit is read by
the per-cell reader.
"""

from __future__ import annotations

import csv
import io
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_run import run
from perfrules import DataError, load
from perfrules.files import csvcolumns, group_columns
from perfrules.files.csvcolumns import open_csv, read_range
from perfrules.files.unit_groups import stream_groups
from perfrules.pipeline import chunk, popchunk, rangepass
from perfrules.pipeline.rangegroups import range_groups
from test_stream_group_columns import _copies, _sample

_SAMPLE = (
    Path(__file__).resolve().parent.parent / "src" / "perfrules" / "schemes" / "shenzhen_2010_departments.csv"
)
_SCHEME = "shenzhen-2010-departments"
# Each example runs the command line four times: half the differential tests' count (DIFF_EXAMPLES).
_SETTINGS = settings(
    max_examples=max(1, int(os.environ.get("DIFF_EXAMPLES", "40")) // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# What a spoilt cell holds: plain numbers, blanks and spaces (a full-width one too), no-data
# texts, numbers the reader reads with a note, words, text that is no number, a quoted comma.
_CELLS = ["", "", "0", "5", "-3", "100", "0.5", " ", "\t", "\u3000", " 5", "5 ", "—", "N/A", "19件",
          "abc", "良好", "1e3", "95%", "007", "1,234"]  # fmt: skip
_LISTS = ["", "7、8", "5", "21", "99", "7，8", "公共服务白皮书", " 6 ", " "]
_PERIODS = ["", "1月", "一季度", "3月", " 2月 ", "2月", "二季度", "\u3000"]
_CATEGORIES = ["", "委", "局", "办", "处", " 局"]


@st.composite
def _files(draw: Any) -> tuple[str, bool]:
    """A Shenzhen-shaped CSV text (the sample's units copied, renamed and spoilt), and whether
    its lines end in CRLF."""
    header, template = _sample()
    seed = draw(st.integers(0, 10**6))
    copies = draw(st.integers(1, 30))
    spoil = draw(st.integers(0, 30))
    rnd = random.Random(seed)
    units = _copies(template, copies)
    for _ in range(spoil):
        rows = rnd.choice(units)
        row = rnd.choice(rows)
        what = rnd.randrange(9)
        if what == 0:  # a period line's cell, or the year's
            row[rnd.randrange(4, len(row))] = rnd.choice(_CELLS)
        elif what == 1:
            row[3] = rnd.choice(_LISTS)
        elif what == 2:  # a period given twice, a second year line, a period of its own
            row[2] = rnd.choice(_PERIODS)
        elif what == 3:
            row[1] = rnd.choice(_CATEGORIES)
        elif what == 4 and len(row) > 5:  # a line too short, or too long
            del row[rnd.randrange(5, len(row)) :]
        elif what == 5:
            row.append(rnd.choice(["", "1"]))
        elif what == 6:  # period lines in any order
            rnd.shuffle(rows)
        elif what == 7:  # a unit given twice (its lines apart), or a blank name
            units.append([list(r) for r in rows] if rnd.random() < 0.8 else [["", *row[1:]]])
        else:  # an empty line
            rows.insert(rnd.randrange(len(rows) + 1), [""] * len(header))
    lines = [row for rows in units for row in rows]
    if draw(st.booleans()):
        rnd.shuffle(lines)  # every unit's lines apart
    crlf = draw(st.booleans())
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if crlf else "\n").writerows([header, *lines])
    return out.getvalue(), crlf


def _per_cell(mp: pytest.MonkeyPatch) -> None:
    """Every unit read by the per-cell reader, from the file's rows."""
    mp.setattr(rangepass, "csv_passes", lambda *a: None)
    mp.setattr(chunk, "group_cells", lambda *a: group_columns.GroupCells())
    mp.setattr(popchunk, "peer_reads", lambda *a: None)


def _runs(path: Path, formats: list[list[str]], block: int, held: int) -> None:
    for extra in formats:
        args = ["score", _SCHEME, str(path), *extra]
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(csvcolumns, "BLOCK", block)
            mp.setattr(rangepass, "HELD_UNITS", held)
            fast = run(*args)
        with pytest.MonkeyPatch.context() as mp:
            _per_cell(mp)
            slow = run(*args)
        assert fast == slow, extra


@given(made=_files(), block=st.sampled_from([300, 2000, 1 << 21]), held=st.sampled_from([0, 7, 50_000]))
@_SETTINGS
def test_ranges_give_the_per_cell_readers_output(tmp_path_factory, made, block, held):
    text, _ = made
    path = tmp_path_factory.mktemp("sz") / "d.csv"
    path.write_bytes(text.encode("utf-8"))
    _runs(path, [["--format", "csv"], ["--format", "table"]], block, held)


@given(made=_files())
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_json_and_two_jobs_too(tmp_path_factory, made):
    text, _ = made
    path = tmp_path_factory.mktemp("sz") / "d.csv"
    path.write_bytes(text.encode("utf-8"))
    _runs(path, [["--format", "json"], ["--format", "csv", "--jobs", "2"]], 700, 5)


@given(made=_files(), block=st.sampled_from([300, 1 << 21]))
@_SETTINGS
def test_groups_taken_are_group_cells(tmp_path_factory, made, block):
    # What the range reader takes of a unit — periods, 不适用 lists, category, rows — is what
    # group_cells takes of the same unit's rows.
    text, _ = made
    path = tmp_path_factory.mktemp("sz") / "d.csv"
    path.write_bytes(text.encode("utf-8"))
    scheme = load(_SCHEME)
    layout = open_csv(path, block)
    if layout is None:
        return
    passes = rangepass.csv_passes(scheme, layout)
    assert passes is not None
    reader, groups = stream_groups(path, scheme=scheme)
    try:
        whole = list(groups)
    except DataError:  # a line names no unit: the file is refused (as the command line tests show)
        return
    expected = group_columns.group_cells(reader, whole, "委")
    by_name = {
        whole[g][0]: (
            expected.categories[k],
            expected.numbers[k],
            expected.periods[k] if expected.periods else None,
            expected.declared[k] if expected.declared else frozenset(),
        )
        for k, g in enumerate(expected.taken)
        if not whole[g][2]
    }
    seen: dict[str, int] = {}
    got: dict[str, tuple[Any, ...]] = {}
    quoted: set[str] = set()
    for start, end, first, plain in layout.ranges:
        found = range_groups(
            read_range(path, start, end, first, passes.where.width, plain), passes.where, "委"
        )
        passes.reader.problems.clear()
        for name in found.names:
            seen[name] = seen.get(name, 0) + 1
            if not plain:  # a range with a quoted cell: every line read by the per-cell reader
                quoted.add(name)
        cells = found.cells
        for k, g in enumerate(cells.taken):
            got[found.names[g]] = (
                cells.categories[k],
                cells.numbers[k],
                cells.periods[k] if cells.periods else None,
                cells.declared[k] if cells.declared else frozenset(),
            )
    once = {name for name, count in seen.items() if count == 1}
    mine = {n: v for n, v in got.items() if n in once}
    assert mine == {n: by_name.get(n) for n in mine}
    # Every unit group_cells takes, the range reader takes too, but for a unit met apart, in a
    # range with a quoted cell, or with a line of more cells than the header (blank ones).
    left = set(by_name) - set(got) - quoted
    assert all(n not in once or _has_long_line(text, n) for n in left)


def _has_long_line(text: str, name: str) -> bool:
    width = len(text.splitlines()[0].split(","))
    return any(len(line.split(",")) > width for line in text.splitlines() if line.startswith(f"{name},"))


def test_a_unit_running_on_into_the_next_range(tmp_path):
    # 200-byte ranges cut the sample's units with periods (市庚委: a year line and four quarters)
    # between ranges: such a unit is gathered again from the whole file, and scored as before.
    path = tmp_path / "s.csv"
    path.write_bytes(_SAMPLE.read_bytes())
    layout = open_csv(path, 200)
    assert layout is not None and len(layout.ranges) > 5
    _runs(path, [["--format", "csv"]], 200, 0)
    code, out, _ = run("score", _SCHEME, str(path), "--format", "csv")
    assert code == 0 and "市庚委" in out


def test_the_sample_is_read_once(tmp_path, monkeypatch):
    # The sample's eight units, periods and 不适用 lists included, are all taken as columns,
    # and the first pass's reading serves the scoring pass: each range is read once.
    path = tmp_path / "s.csv"
    path.write_bytes(_SAMPLE.read_bytes())
    reads: list[int] = []
    real = rangepass.read_range

    def counted(*args: Any) -> Any:
        reads.append(args[1])
        return real(*args)

    monkeypatch.setattr(rangepass, "read_range", counted)
    taken: list[int] = []
    real_take = rangepass._Read.__init__

    def noted(self: Any, passes: Any, groups: Any) -> None:
        real_take(self, passes, groups)
        taken.append(len(self.cells.taken))

    monkeypatch.setattr(rangepass._Read, "__init__", noted)
    code, out, err = run("score", _SCHEME, str(path), "--format", "csv")
    assert code == 0, err
    assert len(reads) == 1 and taken == [8]
    with pytest.MonkeyPatch.context() as mp:
        _per_cell(mp)
        assert run("score", _SCHEME, str(path), "--format", "csv") == (code, out, err)


def test_a_bad_cell_fails_its_unit_only(tmp_path):
    # 市丙办's year line says 19件 under 白皮书任务完成数 (read with a note) and 市乙局's says abc:
    # 市乙局 alone is not scored, with the per-cell reader's message; the others' numbers are
    # those of the per-cell reader (市乙局 takes no part in the peer ratio).
    text = _SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    header = text[0].split(",")
    column = header.index("公用经费支出")
    for k, line in enumerate(text):
        cells = line.split(",")
        if cells[0] == "市乙局" and not cells[2]:
            cells[column] = "abc"
        if cells[0] == "市丙办" and not cells[2]:
            cells[header.index("白皮书任务完成数")] = "19件"
        text[k] = ",".join(cells)
    path = tmp_path / "d.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, out, err = run("score", _SCHEME, str(path), "--format", "csv")
    assert code == 1
    assert "abc" in out and sum("市乙局" in line for line in out.splitlines()) == 1
    with pytest.MonkeyPatch.context() as mp:
        _per_cell(mp)
        assert run("score", _SCHEME, str(path), "--format", "csv") == (code, out, err)
