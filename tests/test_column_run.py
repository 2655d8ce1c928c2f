"""Results kept as columns up to the output (``perfrules.pipeline.colrun``): the bytes the outcomes give.

A file the range reader takes, for a scheme the column program compiles, is scored into columns:
no outcome per unit, the CSV lines' tails spilled to disk, one sort for ranks and one for the order
by name. Every output format must be byte for byte what the row-by-row stream writes (an outcome
per unit, ranked by ``finish_batch``), in one process and in two, and what ``evaluate`` writes; and
memory must not grow by more than a few numbers per unit.
"""

from __future__ import annotations

import io
import tracemalloc
from fractions import Fraction
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfrules import evaluate, load_units, loads
from perfrules.cli.main import main
from perfrules.cli.output import _csv_text
from perfrules.files import csvcolumns
from perfrules.pipeline.colrun import ColumnRun
from perfrules.pipeline.stream import score_file
from test_column_program import _EXAMPLES, cases
from test_stream_csvcolumns import ONE, _row_reader, messy

FORMATS = ("csv", "jsonl", "table")


def _outputs(
    scheme_path: Path, data: Path, out: Path, *, jobs: str = "1", rows: bool = False
) -> dict[str, bytes]:
    """Each format's output file (and the exit code and stderr) for the file."""
    found: dict[str, bytes] = {}
    for fmt in FORMATS:
        target = out / f"out.{fmt}"
        err = io.StringIO()
        args = ["score", str(scheme_path), str(data), "--format", fmt, "-o", str(target), "--jobs", jobs]
        if rows:
            with _row_reader():
                code = main(args, out=io.StringIO(), err=err)
        else:
            code = main(args, out=io.StringIO(), err=err)
        found[fmt] = target.read_bytes() if target.exists() else b""
        found[fmt + " exit"] = f"{code} {err.getvalue()}".encode()
        target.unlink(missing_ok=True)
    return found


@given(case=cases(), data=st.data(), block=st.sampled_from([48, 200, 1 << 21]))
@settings(
    max_examples=max(_EXAMPLES // 2, 10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_every_format_is_the_row_streams_bytes(tmp_path_factory, case, data, block):
    text, csv_text = case
    raw, _ = data.draw(messy(csv_text))
    folder = tmp_path_factory.mktemp("colrun")
    scheme_path = folder / "scheme.toml"
    scheme_path.write_text(text, encoding="utf-8")
    path = folder / "data.csv"
    path.write_bytes(raw)
    with mock.patch.object(csvcolumns, "BLOCK", block):
        columns = _outputs(scheme_path, path, folder)
    assert columns == _outputs(scheme_path, path, folder, rows=True)


@given(case=cases(), block=st.sampled_from([48, 200]))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_two_processes_write_the_bytes_of_one_and_of_evaluate(tmp_path_factory, case, block):
    text, csv_text = case
    scheme = loads(text, format="toml")
    folder = tmp_path_factory.mktemp("colrun2")
    scheme_path = folder / "scheme.toml"
    scheme_path.write_text(text, encoding="utf-8")
    path = folder / "data.csv"
    path.write_text(csv_text, encoding="utf-8")
    with mock.patch.object(csvcolumns, "BLOCK", block):
        one = _outputs(scheme_path, path, folder)
        two = _outputs(scheme_path, path, folder, jobs="2")
    assert one == two
    assert one["csv"].decode("utf-8-sig") == _csv_text(evaluate(scheme, load_units(path, scheme=scheme)))


def _names_file(path: Path) -> list[str]:
    """Units with many ties, names past the byte keys' length (equal in their first 64 bytes, or a
    prefix of another), names the CSV writer quotes or escapes, and a unit whose rows are apart."""
    long = "很长的单位名称" * 4  # 84 bytes of UTF-8
    names = [f"单位{i:05d}" for i in range(400)]
    names += [long + "甲", long + "乙", long, long + "甲甲", "=1+1", "甲,乙", "-丙", " 丁"]
    lines = ["单位,得分", *(f"{n},{i % 7}" for i, n in enumerate(names))]
    lines.insert(150, "单位00399,3")  # given again, apart: gathered whole (its two rows)
    path.write_text("\n".join(lines).replace("甲,乙,", '"甲,乙",') + "\n", encoding="utf-8")
    return names


@pytest.mark.parametrize("block", [64, 1 << 21])
def test_names_ties_and_units_apart_are_written_as_the_outcomes_give_them(tmp_path, block):
    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(ONE, encoding="utf-8")
    path = tmp_path / "data.csv"
    _names_file(path)
    with mock.patch.object(csvcolumns, "BLOCK", block):
        columns = _outputs(scheme_path, path, tmp_path)
        run = score_file(loads(ONE, format="toml"), path)
    assert isinstance(run, ColumnRun) == (csvcolumns.open_csv(path) is not None)
    rows = _outputs(scheme_path, path, tmp_path, rows=True)
    assert columns == rows
    lines = columns["csv"].decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 408  # the unit given twice is one unit
    assert lines[1].startswith("1,") and lines[2].startswith("1,")  # ties share the rank


@pytest.mark.parametrize("block", [64, 1 << 21])
def test_the_run_gives_every_unit_as_an_outcome_when_asked(tmp_path, block):
    """``score_file``'s run, read as outcomes (``ranking()``), is what the row stream gives."""
    scheme = loads(ONE, format="toml")
    path = tmp_path / "data.csv"
    _names_file(path)

    def seen(run):
        return [
            (
                o.rank,
                o.category_rank,
                o.unit.name,
                o.unit.category,
                o.unit.origin,
                o.total,
                o.grade,
                o.rendered,
            )
            for o in run.ranking()
        ]

    with mock.patch.object(csvcolumns, "BLOCK", block), score_file(scheme, path) as run:
        found = seen(run)
    with _row_reader():
        assert found == seen(score_file(scheme, path))


def _peak(tmp_path: Path, units: int) -> int:
    """The most memory Python held (tracemalloc, NumPy's arrays too) while scoring *units* units of
    a one-indicator scheme from a CSV file to a CSV file."""
    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(ONE, encoding="utf-8")
    data = tmp_path / f"data{units}.csv"
    data.write_text("单位,得分\n" + "".join(f"单位{i},{i % 97}.5\n" for i in range(units)), encoding="utf-8")
    target = tmp_path / "out.csv"
    args = ["score", str(scheme_path), str(data), "--format", "csv", "-o", str(target)]
    main(args, out=io.StringIO(), err=io.StringIO())  # compiled and imported before it is measured
    tracemalloc.start()
    try:
        main(args, out=io.StringIO(), err=io.StringIO())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_grows_by_a_few_numbers_per_unit(tmp_path):
    """Between 20,000 and 80,000 units the peak grows by less than 200 bytes a unit (an outcome
    object per unit, as the row stream keeps, is about a kilobyte)."""
    with mock.patch.object(csvcolumns, "BLOCK", 1 << 18):
        small, large = _peak(tmp_path, 20_000), _peak(tmp_path, 80_000)
    assert (large - small) / 60_000 < 200, (small, large)


_CAPPED = """name = "满分封顶"
basis = "points"
total = 2
groups = [{ name = "组一" }, { name = "组二" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组一"
weight = 1
max_score = "none"
score = "值1"
[[indicators]]
code = "2"
name = "指标2"
group = "组二"
weight = 1
score = "值2"
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_total_capped_at_full_marks_keeps_its_note_on_every_output(tmp_path, jobs):
    """单位8's 12.5 is capped at the full 2 分 by the rules on the total, which note it: such a unit is
    an outcome, not a kept line, so JSON Lines and explanations say so as the row stream does (a
    hypothesis run found the note dropped, the total right)."""
    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(_CAPPED, encoding="utf-8")
    path = tmp_path / "data.csv"
    rows = [f"单位{i},0,0" for i in range(8)] + ["单位8,12.5,0"]
    path.write_text("单位,值1,值2\n" + "\n".join(rows), encoding="utf-8")  # no line break at the end
    with mock.patch.object(csvcolumns, "BLOCK", 48):
        columns = _outputs(scheme_path, path, tmp_path, jobs=jobs)
        run = score_file(loads(_CAPPED, format="toml"), path)
    assert columns == _outputs(scheme_path, path, tmp_path, rows=True)
    (top,) = [o for o in run.ranking() if o.unit.name == "单位8"]
    assert str(top.total) == "2"
    assert [e.message for e in top.events] == ["总分 12.5分 超过满分，按满分 2分 计"]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("size", [1, 7, 100, 16384])
def test_lines_written_at_their_place_are_the_blocks_bytes(tmp_path, jobs, size):
    """``write_ranked_csv`` (each line's place worked out first; with two jobs, the second half
    written by a forked copy) writes the bytes the blocks give, outcomes and quoted names among them."""
    from perfrules.cli.score_commands import _ColumnLines
    from perfrules.pipeline import colrun

    scheme = loads(ONE, format="toml")
    path = tmp_path / "data.csv"
    _names_file(path)
    target = tmp_path / "out.csv"
    splits: list[int] = []
    real = colrun.run_forked

    def spy(calls):
        splits.append(len(calls))
        real(calls)

    with score_file(scheme, path, jobs=jobs) as run, mock.patch.object(colrun, "run_forked", spy):
        assert isinstance(run, ColumnRun) and run.jobs == jobs
        lines = _ColumnLines(scheme, run)
        expected = b"".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in lines)
        with target.open("wb") as stream:
            stream.write(b"head\n")
            stream.flush()
            written = run.write_ranked_csv(stream.fileno(), 5, lines._other_line, size=size)
    assert splits == [2 if jobs == 2 and size < 409 else 1]
    assert written == len(expected) and expected.count(b"\n") == 408
    assert target.read_bytes() == b"head\n" + expected
    assert b'"\xe7\x94\xb2,\xe4\xb9\x99"' in expected  # the quoted name, an outcome's line


def test_a_part_written_in_a_forked_copy_that_fails_leaves_the_output_as_it_was(tmp_path):
    """An error in the forked copy stops the run (its text kept), and the output file keeps its bytes."""
    import os

    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(ONE, encoding="utf-8")
    path = tmp_path / "data.csv"
    path.write_text("单位,得分\n" + "".join(f"单位{i},{i % 97}.5\n" for i in range(40_000)), encoding="utf-8")
    target = tmp_path / "out.csv"
    target.write_bytes(b"before")
    parent = os.getpid()
    real = ColumnRun._write_part

    def failing(self, *args):
        if os.getpid() != parent:
            raise OSError(28, "No space left on device")
        real(self, *args)

    args = ["score", str(scheme_path), str(path), "--format", "csv", "-o", str(target), "--jobs", "2"]
    err = io.StringIO()
    with mock.patch.object(ColumnRun, "_write_part", failing):
        code = main(args, out=io.StringIO(), err=err)
    assert code != 0 and "No space left on device" in err.getvalue()
    assert target.read_bytes() == b"before"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("out")] == ["out.csv"]
    main(args, out=io.StringIO(), err=io.StringIO())
    one = tmp_path / "one.csv"
    main([*args[:-3], str(one), "--jobs", "1"], out=io.StringIO(), err=io.StringIO())
    assert target.read_bytes() == one.read_bytes() and one.read_bytes().count(b"\n") == 40_001


@given(totals=st.lists(st.integers(0, 6), max_size=60), big=st.booleans())
@settings(max_examples=60, deadline=None)
def test_one_sort_gives_the_ranks_and_the_ranking_order_ties_as_given(totals, big):
    """``TotalColumn.ranked`` (integers, or floats settled by the fractions when they do not fit in
    int64): the ranks, and the stable sort by rank of the units as given."""
    import numpy as np

    from perfrules.scoring.coltotals import TotalColumn

    n = len(totals)
    scale = 3**41 if big else 1  # numerators past int64: the floats' path
    num = np.array([t * scale + (t % 2) for t in totals], dtype=object if big else np.int64)
    den = np.array([3 * scale] * n, dtype=object)
    ranks, order = TotalColumn(num, den).ranked()
    exact = [Fraction(int(a), int(b)) for a, b in zip(num.tolist(), den.tolist(), strict=True)]
    assert ranks.tolist() == [1 + sum(x > v for x in exact) for v in exact]
    assert order.tolist() == sorted(range(n), key=lambda i: (ranks[i], i))
