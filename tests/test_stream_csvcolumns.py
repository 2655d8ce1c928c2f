"""The CSV file read in byte ranges and scored as columns: the same results and errors as the row reader.

:func:`perfrules.files.csvcolumns.open_csv` takes a UTF-8 file whose data rows hold no quote or lone
carriage return; :mod:`perfrules.pipeline.csvpass` scores it range by range. Every file here is scored
both ways — in ranges (small ones, so that units run across them) and by the row-by-row stream the
file would get without the range reader — and the outcomes, notes and errors must be equal.
"""

from __future__ import annotations

import codecs
import csv
import io
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import DataError, loads
from perfrules._intcols import from_text_columns, numpy
from perfrules.cli.main import main
from perfrules.files import csvcolumns
from perfrules.files.csvcolumns import open_csv, plain_decimals, read_range
from perfrules.files.tables import iter_rows
from perfrules.pipeline.stream import score_file
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_program import _COLUMN_SETTINGS, cases

WEIGHTED = Path("/work/shared/bench/weighted-41")
ONE = """name = "一项"
basis = "points"
total = 10
groups = [{ name = "组一" }]
[[indicators]]
code = "1"
name = "得分"
group = "组一"
weight = 10
score = "得分"
"""


@contextmanager
def _row_reader() -> Any:
    """Score files as the row-by-row stream does (the range reader declines every file)."""
    with mock.patch.object(csvcolumns, "open_csv", lambda path, block=None, lazy=False: None):
        yield


def _run(
    scheme: Any, path: Path, *, block: int | None = None, rows: bool = False, category: str | None = None
) -> Any:
    """What scoring the file gives: each outcome (ranked) and the notes, or the file error's text."""
    try:
        with mock.patch.object(csvcolumns, "BLOCK", block or csvcolumns.BLOCK):
            if rows:
                with _row_reader():
                    run = score_file(scheme, path, category=category)
            else:
                run = score_file(scheme, path, category=category)
    except DataError as exc:
        return ("error", str(exc))
    return (
        [
            (
                o.rank,
                o.category_rank,
                o.unit.name,
                o.unit.category,
                o.unit.origin,
                o.total,
                o.shown_total,
                o.grade,
                o.rendered,
                [str(e) for e in o.errors],
                [str(e) for e in o.events],
            )
            for o in run.ranking()
        ],
        [str(n) for n in run.notes],
    )


@st.composite
def messy(draw: st.DrawFn, data: str) -> tuple[bytes, bool | None]:
    """The case's CSV data as a user's file may hold it: rows repeated (together or apart, other
    values), blank and comma-only lines, rows with too few or too many cells, spaces around cells,
    a nameless row, an unnamed column, quotes, CRLF or lone CR, a byte-order mark, GB18030.
    Also whether the range reader must take it (None: it may or not)."""
    records = list(csv.reader(io.StringIO(data)))
    header, rows = records[0], records[1:]
    width = len(header)
    lines = [",".join(header)]
    takes: bool | None = True
    if draw(st.integers(0, 5)) == 0:
        lines[0] += ","  # an unnamed column: blank cells are dropped, data under it is a file error
    body: list[list[str]] = [list(r) for r in rows]
    for _ in range(draw(st.integers(0, 4))):
        if not body:
            break
        kind = draw(st.sampled_from(["again", "next", "blank", "commas", "short", "long", "space", "noname"]))
        at = draw(st.integers(0, len(body) - 1))
        row = list(body[at])
        if kind == "again":
            row[1:] = [draw(st.sampled_from(["1", "50", ""])) for _ in row[1:]]
            body.insert(draw(st.integers(0, len(body))), row)
        elif kind == "next":
            body.insert(at + 1, row)
        elif kind == "blank":
            body.insert(at, [])
        elif kind == "commas":
            body.insert(at, [""] * width)
        elif kind == "short":
            body[at] = row[: max(1, width - 1)]
        elif kind == "long":
            body[at] = [*row, draw(st.sampled_from(["", "9"]))]
        elif kind == "space":
            body[at] = [f" {c}\u3000" if draw(st.booleans()) else c for c in row]
        else:
            body[at] = ["", *row[1:]] if draw(st.booleans()) else ["\u200b", *row[1:]]
    lines += [",".join(r) for r in body]
    for _ in range(draw(st.integers(0, 2)) if len(lines) > 1 else 0):
        k = draw(st.integers(1, len(lines) - 1))
        inside = draw(st.sampled_from(["", "\n", '""', "\r\n", ","]))
        # Quoted cells, a break or quote in one (quotes put together so may leave a cell open at the
        # end of the file, which only the whole-file reader reads: either reader may then be used).
        lines[k] = '"' + lines[k].replace(",", inside + '","', 1) + '"'
        takes = takes and None
    for _ in range(draw(st.integers(0, 1)) if len(lines) > 1 else 0):
        k = draw(st.integers(1, len(lines) - 1))
        lines[k] = lines[k].replace(",", '5",', 1)  # a quote inside an unquoted cell is a character
        takes = takes and None
    ends = draw(st.booleans())
    text = "\n".join(lines) + ("\n" if ends else "")
    if len(lines) == 1 and not ends:
        takes = False
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    if ending != "\n":
        text = text.replace("\n", ending)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030"]))
    if encoding == "gb18030" and not text.isascii():
        takes = None if takes else False
    raw = text.encode("gb18030" if encoding == "gb18030" else encoding, errors="replace")
    return raw, takes


@given(case=cases(), data=st.data(), block=st.sampled_from([48, 200, 1 << 21]))
@_COLUMN_SETTINGS
def test_ranges_read_and_score_as_the_row_reader(tmp_path_factory, case, data, block):
    text, csv_text = case
    scheme = loads(text, format="toml")
    assert program_of(plan_of(scheme)) is not None
    raw, takes = data.draw(messy(csv_text))
    path = tmp_path_factory.mktemp("ranges") / "data.csv"
    path.write_bytes(raw)
    found = open_csv(path, block)
    if takes is not None and "\r" not in raw.decode("utf-8", errors="replace").split("\n")[0]:
        assert (found is not None) == takes
    category = data.draw(st.sampled_from([None, "甲类"]))  # --category for units whose rows give none
    assert _run(scheme, path, block=block, category=category) == _run(
        scheme, path, rows=True, category=category
    )


_CELLS = st.one_of(
    st.from_regex(r"-?[0-9]{1,20}(\.[0-9]{0,14})?", fullmatch=True),
    st.sampled_from(
        ["", " ", "-", ".5", "5.", "1e3", "95%", "１２", "--1", "1.2.3", "+1", " 7", "7 ", "-0", "0.0"]
    ),
    st.text(alphabet="0123456789.-x ", max_size=22),
)


@given(st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=30))
@settings(deadline=None)
def test_plain_decimals_are_the_text_readers(tmp_path_factory, rows):
    """Cells parsed from the bytes are those ``from_text_columns`` reads from their text."""
    path = tmp_path_factory.mktemp("cells") / "cells.csv"
    path.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    chunk = read_range(path, 0, path.stat().st_size, 2, 3)
    picked = numpy().arange(len(chunk.lines))
    got = plain_decimals(chunk, picked, [0, 1, 2])
    expected = from_text_columns([[r[c] for r in rows] for c in range(3)])
    for (col, plain), (want, want_plain) in zip(got, expected, strict=True):
        assert plain.tolist() == want_plain.tolist()
        assert col.den == want.den and col.bound == want.bound
        assert col.num.tolist() == want.num.tolist()


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("单位,得分\n甲局,90\n".encode("gbk"), "not UTF-8"),
        ("单位,得分\n甲局,90\n".encode("utf-16"), "UTF-16"),
        (codecs.BOM_UTF8 * 2 + "单位,得分\n甲,90\n".encode(), "two byte-order marks"),
        ("单位,得分\n甲,9\x000\n".encode(), "a NUL character"),
        ("单位,得分".encode(), "no line end after the header"),
        ('单位,得分\n甲,"90\n'.encode(), "a quote left open at the end"),
        (("单位,得分\n甲," + "9" * 140_000 + "\n").encode(), "a cell longer than the csv module takes"),
        ("单位,得分\r甲,90\r".encode(), "lines ended by carriage returns alone"),
        (b"", "empty"),
    ],
)
def test_files_the_range_reader_declines(tmp_path, raw, why):
    path = tmp_path / "data.csv"
    path.write_bytes(raw)
    assert open_csv(path) is None, why


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ('单位,得分\n甲,"90"\n乙,80\n'.encode(), False),
        ("单位,得分\n甲,90\r乙,80\n".encode(), False),
        ("单位,得分\r\n甲,90\r\n".encode(), True),
        ('单位,得分\n"甲\n局",90\n乙,80\n丙,70\n'.encode(), False),
    ],
)
def test_ranges_with_quotes_or_lone_carriage_returns_are_the_csv_modules(tmp_path, raw, plain):
    path = tmp_path / "data.csv"
    path.write_bytes(raw)
    found = open_csv(path, 12)
    assert found is not None
    assert all(r[3] for r in found.ranges) == plain
    for start, end, _, is_plain in found.ranges:
        assert raw[end - 1 : end] in (b"\n", b"\r")  # a range ends where a record ends
        if is_plain:
            assert b'"' not in raw[start:end] and raw[start:end].count(b"\r") == raw[start:end].count(b"\r\n")
    chunks = [read_range(path, *r[:3], 2, r[3]) for r in found.ranges]
    _, rows = iter_rows(path)
    numbers = [n for c in chunks for n in c.numbers.tolist()]
    assert [r.number for r in rows] == numbers


def test_a_quoted_header_with_a_line_break_is_read_and_the_rows_numbered(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes('\n,,\n单位,"得\n分"\n甲,90\n\n乙,80'.encode())
    found = open_csv(path)
    assert found is not None
    assert found.header == ("单位", "得 分") and found.header_row == 3
    chunks = [read_range(path, *span[:3], 2, span[3]) for span in found.ranges]
    assert [c.numbers.tolist() for c in chunks] == [[4, 5], [6]]  # records, as the row reader counts them
    assert [c.lines.tolist() for c in chunks] == [[0], [0]]  # the blank line is not a row of cells
    _, rows = iter_rows(path)
    assert [r.number for r in rows] == [4, 6]


@pytest.mark.parametrize(
    "raw",
    [
        "单位,得分,得分\n甲,1,2\n",  # two columns of one name
        "得分\n1\n",  # no unit column
        "单位,得分,\n甲,1,x\n",  # data under a column without a name
        "单位,得分\n甲,1\n,2\n",  # a row that names no unit
        "单位,得分\n甲,1\n\u200b,2\n",  # ... once its name is normalised
    ],
)
def test_file_errors_are_the_row_readers(tmp_path, raw):
    scheme = loads(ONE, format="toml")
    path = tmp_path / "data.csv"
    path.write_text(raw, encoding="utf-8")
    fast = _run(scheme, path, block=8)
    assert fast[0] == "error"
    assert fast == _run(scheme, path, rows=True)


def test_units_run_across_ranges_and_apart_are_gathered_whole(tmp_path):
    scheme = loads(ONE, format="toml")
    lines = ["单位,期间,得分"] + [f"单位{i},,{i % 10}" for i in range(40)]
    lines[10:10] = ["单位8,,5"]  # the same unit on two rows in a row
    lines += ["单位3,,7", "单位30,一季度,5"]  # apart; a period row
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    slow = _run(scheme, path, rows=True)
    for block in (16, 64, 1 << 21):
        assert _run(scheme, path, block=block) == slow
    errors = {row[2]: row[9] for row in slow[0]}
    assert errors["单位8"] and errors["单位3"] and not errors["单位4"]


@pytest.mark.skipif(not WEIGHTED.is_dir(), reason="needs the benchmark workload")
def test_jobs_give_the_bytes_one_process_gives(tmp_path):
    """``--jobs 2`` (workers reading their own ranges), ``--jobs 1`` and the row reader write one file."""
    import subprocess
    import sys

    data = tmp_path / "data.csv"
    subprocess.run([sys.executable, str(WEIGHTED / "generate.py"), "3000", str(data)], check=True)
    first = data.read_text(encoding="utf-8").split("\n")[-2].split(",")[0]
    with data.open("a", encoding="utf-8") as f:
        f.write(f"{first},1,2\n")  # a unit given twice, with a short row
    outputs = []
    for jobs, rows in (("1", True), ("1", False), ("2", False)):
        target = tmp_path / f"out{jobs}{rows}.csv"
        args = ["score", str(WEIGHTED / "scheme.toml"), str(data), "--format", "csv", "-o", str(target)]
        with mock.patch.object(csvcolumns, "BLOCK", 50_000):
            if rows:
                with _row_reader():
                    main([*args, "--jobs", jobs], out=io.StringIO(), err=io.StringIO())
            else:
                main([*args, "--jobs", jobs], out=io.StringIO(), err=io.StringIO())
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0].splitlines()) == 3001  # the header and each unit once


def test_a_streamed_run_lists_ranks_ties_by_name_then_the_units_not_ranked():
    from perfrules.pipeline.chunk import LightUnit
    from perfrules.pipeline.stream import StreamedRun
    from perfrules.scoring.outcome import UnitOutcome

    outcomes = []
    for name, rank in [("丁", 2), ("戊", None), ("丙", 1), ("乙", 2), ("甲", None), ("庚", 3), ("己", 1)]:
        o = UnitOutcome(LightUnit(name, None, "f.csv"))  # type: ignore[arg-type]
        o.rank = rank
        outcomes.append(o)
    ranked = [o.unit.name for o in StreamedRun(outcomes, ()).ranking()]
    assert ranked == [*sorted(["丙", "己"]), *sorted(["丁", "乙"]), "庚", "戊", "甲"]


@pytest.mark.parametrize("block", [8, 1 << 21])
def test_names_a_spreadsheet_would_run_or_split_are_written_as_the_loaded_file_writes_them(tmp_path, block):
    from perfrules import evaluate, load_units
    from perfrules.cli.output import _csv_text

    scheme = loads(ONE, format="toml")
    names = ["甲局", "=1+1", "+乙局", "-丙", "@丁", "戊 局"] + [f"单位{i}" for i in range(400)]
    lines = ["单位,得分", *(f"{n},{i % 11}" for i, n in enumerate(names))]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + '\n"己,局",5\n', encoding="utf-8")  # a quoted name: the row reader
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")  # read in ranges
    quoted, unquoted = open_csv(path), open_csv(plain)
    assert quoted is not None and unquoted is not None
    assert not quoted.ranges[-1][3] and unquoted.ranges[-1][3]
    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(ONE, encoding="utf-8")
    for data in (path, plain):
        expected = _csv_text(evaluate(scheme, load_units(data, scheme=scheme)))
        target = tmp_path / "out.csv"
        with mock.patch.object(csvcolumns, "BLOCK", block):
            args = ["score", str(scheme_path), str(data), "--format", "csv", "-o", str(target)]
            main(args, out=io.StringIO(), err=io.StringIO())
        assert target.read_text(encoding="utf-8-sig") == expected


def _ranked_names(pairs: list[tuple[str, int | None]]) -> list[str]:
    from perfrules.pipeline.chunk import LightUnit
    from perfrules.pipeline.stream import StreamedRun
    from perfrules.scoring.outcome import UnitOutcome

    outcomes = []
    for name, rank in pairs:
        o = UnitOutcome(LightUnit(name, None, "f.csv"))  # type: ignore[arg-type]
        o.rank = rank
        outcomes.append(o)
    return [o.unit.name for o in StreamedRun(outcomes, ()).ranking()]


def _by_rank_and_name(pairs: list[tuple[str, int | None]]) -> list[str]:
    return [n for r, n in sorted((r, n) for n, r in pairs if r is not None)] + [
        n for n, r in pairs if r is None
    ]


@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=3), st.one_of(st.none(), st.integers(1, 40))), max_size=400
    )
)
@settings(deadline=None)
def test_a_streamed_run_ranks_as_sorting_by_rank_and_name(pairs):
    pairs = list(dict(pairs).items())  # one unit per name
    assert _ranked_names(pairs) == _by_rank_and_name(pairs)


def test_many_ties_are_settled_by_name_as_a_few_are():
    import random

    rng = random.Random(17)
    pairs = [(f"单位{rng.randrange(10**6)}-{i}", rng.choice([None, *range(1, 300)])) for i in range(3000)]
    assert _ranked_names(pairs) == _by_rank_and_name(pairs)
