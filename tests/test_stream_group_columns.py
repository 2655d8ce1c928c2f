"""Units with period rows and 不适用 lists read straight into the column program, against the per-cell reader.

The streamed command line reads the units whose cells the per-cell reader
would read without a word (:mod:`perfrules.files.group_columns`) into the
column program's columns — their periods and declared indicators included —
and observes their part in the peer ratios off the parsed columns
(:mod:`perfrules.scoring.colpeers`). These tests take the built-in Shenzhen
departments sample (periods by month and quarter, 不适用 lists, the peer
ratio), copy its units many times and spoil cells, periods, categories and
lists the way real files do; the command line's output and messages must be
those it gives when every unit is read by the per-cell reader, byte for byte.
"""

from __future__ import annotations

import csv
import io
import os
import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_run import run
from perfrules import load
from perfrules.files import group_columns
from perfrules.files.unit_groups import stream_groups, unit_of
from perfrules.pipeline import chunk, popchunk, rangepass
from perfrules.pipeline.chunk import with_category
from perfrules.pipeline.stream import population_fields
from perfrules.scoring.plan import plan_of
from perfrules.scoring.population import observe

_EXAMPLES = int(os.environ.get("DIFF_EXAMPLES", "40"))
_SAMPLE = (
    Path(__file__).resolve().parent.parent / "src" / "perfrules" / "schemes" / "shenzhen_2010_departments.csv"
)
_SCHEME = "shenzhen-2010-departments"
# What a spoilt cell holds: plain numbers on and beside the scales' cuts, blanks, no-data texts,
# numbers read with a note, words, text that is no number at all.
_CELLS = [
    "",
    "",
    "0",
    "1",
    "5",
    "-3",
    "100",
    "120",
    "0.5",
    "—",
    "N/A",
    "19件",
    "1,234",
    " 5",
    "abc",
    "良好",
    "1e3",
]
_LISTS = ["", "7、8", "5", "21", "99", "7，8", "公共服务白皮书", " 6 "]


def _sample() -> tuple[list[str], list[list[list[str]]]]:
    with _SAMPLE.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    groups: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        groups.setdefault(row[0], []).append(row)
    return rows[0], list(groups.values())


def _copies(template: list[list[list[str]]], copies: int) -> list[list[list[str]]]:
    """*copies* units, the sample's (*template*) in turn, each renamed with its number."""
    return [
        [[f"{rows[0][0]}{i}", *row[1:]] for row in rows]
        for i in range(copies)
        for rows in [template[i % len(template)]]
    ]


def _spoilt(seed: int, copies: int, spoil: int, apart: bool) -> str:
    """The sample's units *copies* times, renamed, with *spoil* changes made at random."""
    header, template = _sample()
    rnd = random.Random(seed)
    units = _copies(template, copies)
    for _ in range(spoil):
        rows = rnd.choice(units)
        row = rnd.choice(rows)
        what = rnd.randrange(6)
        if what == 0:  # a period row's cell, or the year's
            row[rnd.randrange(4, max(5, len(row)))] = rnd.choice(_CELLS) if len(row) > 4 else row[-1]
        elif what == 1:  # a 不适用 list
            row[3] = rnd.choice(_LISTS)
        elif what == 2:  # a period given twice, a second year row, a period of its own
            row[2] = rnd.choice(["", "1月", "一季度", "3月", " 2月 "])
        elif what == 3:  # a category on one row only, or another one
            row[1] = rnd.choice(["", "委", "局", "办", "处"])
        elif what == 4 and len(row) > 5:  # a row too short
            del row[rnd.randrange(5, len(row)) :]
        else:  # the year's row after its periods
            rows.append(rows.pop(0))
    lines = [row for rows in units for row in rows]
    if apart:
        rnd.shuffle(lines)  # units whose rows are apart are gathered again
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()


def _per_cell(monkeypatch: Any) -> None:
    """Every unit read by the per-cell reader: no group taken as columns, no peer observed off them."""
    monkeypatch.setattr(chunk, "group_cells", lambda *a: group_columns.GroupCells())
    monkeypatch.setattr(popchunk, "peer_reads", lambda *a: None)
    monkeypatch.setattr(rangepass, "csv_passes", lambda *a: None)  # no file read in byte ranges


def _both(path: Path, *extra: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    args = ["score", _SCHEME, str(path), "--format", "csv", *extra]
    fast = run(*args)
    with pytest.MonkeyPatch.context() as mp:
        _per_cell(mp)
        slow = run(*args)
    return fast, slow


@given(
    seed=st.integers(0, 10**6),
    copies=st.integers(1, 40),
    spoil=st.integers(0, 25),
    apart=st.booleans(),
)
@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_streamed_output_is_the_per_cell_readers(tmp_path_factory, seed, copies, spoil, apart):
    path = tmp_path_factory.mktemp("sz") / "d.csv"
    path.write_text(_spoilt(seed, copies, spoil, apart), encoding="utf-8")
    fast, slow = _both(path)
    assert fast == slow


def test_the_sample_scores_as_columns_and_as_before(tmp_path, monkeypatch):
    # Every sample unit is plain: the columns take them all, the units with periods
    # (市戊委: two months, 市庚委: four quarters) and with a 不适用 list (市丁委: 7、8) too.
    template = _sample()[1]
    reader, groups = stream_groups(_SAMPLE, scheme=load(_SCHEME))
    gathered = list(groups)
    taken = group_columns.group_cells(reader, gathered, None)
    assert len(taken.taken) == len(gathered) == len(template)
    assert taken.declared is not None and taken.declared[3] == frozenset({"7", "8"})
    assert taken.periods is not None
    by_label = taken.periods[5]
    assert by_label is not None and list(by_label) == ["一季度", "二季度", "三季度", "四季度"]
    assert by_label["一季度"] == {"白皮书任务完成数": Decimal(5), "白皮书任务总数": Decimal(5)}
    assert taken.periods[0] is None
    assert reader.rows_origin(taken.numbers[5]).endswith("rows 9, 10, 11, 12, 13")
    copy = tmp_path / "s.csv"
    copy.write_bytes(_SAMPLE.read_bytes())
    fast, slow = _both(copy)
    assert fast == slow and fast[0] == 0


def test_a_spoilt_period_cell_gets_the_readers_message(tmp_path):
    # 市庚委's second quarter says 4件: the per-cell reader reads it with a note, so the unit is
    # not taken as columns; 市戊委's second month says abc: the reader's error names the row and column.
    text = _SAMPLE.read_text(encoding="utf-8-sig")
    text = text.replace("市庚委,委,二季度,,4,5", "市庚委,委,二季度,,4件,5")
    lines = text.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("市戊委,委,2月"))
    cells = lines[at].split(",")
    column = next(k for k, c in enumerate(cells) if k > 3 and c)
    cells[column] = "abc"
    lines[at] = ",".join(cells)
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reader, groups = stream_groups(path, scheme=load(_SCHEME))
    gathered = list(groups)
    taken = group_columns.group_cells(reader, gathered, None)
    left = {gathered[g][0] for g in range(len(gathered)) if g not in taken.taken}
    assert left == {"市庚委", "市戊委"}
    fast, slow = _both(path)
    assert fast == slow
    assert "abc" in fast[1] + fast[2]


def test_peer_parts_off_the_columns_are_observes(tmp_path):
    # 20 copies of the sample, spoilt: the peer ratio's parts read off the columns, with the
    # per-cell reader's for the rest, are the ones observe() gives for every unit.
    path = tmp_path / "d.csv"
    path.write_text(_spoilt(7, 20, 30, False), encoding="utf-8")
    scheme = load(_SCHEME)
    plan = plan_of(scheme)
    only = population_fields(plan)
    reader, groups = stream_groups(path, scheme=scheme, only=only)
    gathered = list(groups)
    found = popchunk.observe_groups(scheme, reader, gathered, None)
    units = [with_category(unit_of(reader, g), None) for g in gathered]
    expected = observe(plan.indicators, units)
    assert sorted(found, key=repr) == sorted(expected, key=repr)
    assert len(expected) > 10
    # The sample's: the pooled peer ratio's parts are 市甲委's 公用经费支出 and 在编人数 as they stand.
    reader, groups = stream_groups(_SAMPLE, scheme=scheme, only=only)
    first = popchunk.observe_groups(scheme, reader, list(groups), None)[0]
    assert first == (
        "市甲委",
        ("pooled", "21", "人均公用经费支出水平", None, None),
        (Fraction(100), Fraction(10)),
    )


def test_two_jobs_give_one_jobs_output(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(_spoilt(3, 60, 20, True), encoding="utf-8")
    args = ["score", _SCHEME, str(path), "--format", "csv"]
    assert run(*args, "--jobs", "2") == run(*args)


def test_a_workbooks_cells_are_read_as_before():
    # A workbook's cells are numbers and dates, not text: such a unit is read by the per-cell
    # reader, with the same output and messages (and no warning about comparing them).
    book = Path(__file__).resolve().parent.parent / "docs" / "examples" / "tables" / "returned.xlsx"
    fast, slow = _both(book)
    assert fast == slow and fast[0] == 1
