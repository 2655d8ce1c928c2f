"""What is not scored enters no population step, and a unit's rows are gathered alike on every path.

A small points scheme with a population function (分值×x÷最高值(x)) and a
pooled peer ratio, quarterly, is scored through every path — ``evaluate``
(explained and totals only), ``score_totals`` in two processes, the command
line's JSON, its streamed CSV with one and two processes (and one unit per
chunk), and Dask — on files whose rows are in period order, that give a unit
twice, whose unit's rows are apart, or with an unreadable cell. Every path
must give the same totals, grades, ranks and errors, and those equal the
numbers worked out by hand below.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfrules import evaluate, load, load_units
from perfrules.cli.main import main
from perfrules.cli.output import _json_chunks, _json_document, _streamed_records
from perfrules.pipeline.parallel import score_totals
from perfrules.pipeline.stream import cell_number, score_file

SCHEME = """\
format = "perfrules-scheme/1"
name = "同业比较示例"
basis = "points"
total = 20
groups = [{ name = "考核指标" }]

[[indicators]]
code = "1"
name = "招商引资额"
group = "考核指标"
weight = 10
frequency = "季度"
score = "分值×招商引资额÷最高值(招商引资额)"

[[indicators]]
code = "2"
name = "人均支出"
group = "考核指标"
weight = 10
frequency = "季度"
score = "分值÷支出水平"

[[indicators.steps]]
type = "peer_ratio"
target = "支出水平"
numerator = "支出"
denominator = "人数"
"""

HEAD = "单位,期间,招商引资额,支出,人数\n"
Q1 = {"甲": "甲,Q1,100,30,10\n", "乙": "乙,Q1,50,20,10\n", "丙": "丙,Q1,200,10,10\n"}
Q2 = {"甲": "甲,Q2,150,40,10\n", "乙": "乙,Q2,300,20,10\n", "丙": "丙,Q2,75,30,10\n"}

# 丁's numbers would change everyone's: the largest 招商引资额, the most spending per head.
DING_Q1, DING_Q2 = "丁,Q1,400,90,10\n", "丁,Q2,600,90,10\n"

# Hand-worked, over 甲乙丙 alone.
# Indicator 1, 10×x÷max(x) per quarter, averaged: Q1 max 200, Q2 max 300:
#   甲 (5 + 5)/2 = 5; 乙 (2.5 + 10)/2 = 6.25; 丙 (10 + 2.5)/2 = 6.25.
# Indicator 2, 10÷(own 支出/人数 ÷ pooled Σ支出/Σ人数), kept within 10:
#   Q1 pooled 60/30 = 2: 甲 3/2 → 20/3; 乙 1 → 10; 丙 1/2 → 20, kept at 10.
#   Q2 pooled 90/30 = 3: 甲 4/3 → 7.5; 乙 2/3 → 10; 丙 1 → 10.
#   甲 (20/3 + 15/2)/2 = 85/12; 乙 10; 丙 10.
# Totals: 甲 5 + 85/12 = 145/12; 乙 and 丙 16.25 (tied first); 甲 third.
THREE = {"甲": (Fraction(145, 12), 3), "乙": (Fraction(65, 4), 1), "丙": (Fraction(65, 4), 1)}


def _block(extra_first: str = "", extra_last: str = "") -> str:
    """Each unit's rows together."""
    return HEAD + extra_first + "".join(Q1[u] + Q2[u] for u in "甲乙丙") + extra_last


def _period_order(extra_first: str = "", extra_last: str = "") -> str:
    """All units' Q1 rows, then all Q2 rows."""
    return HEAD + extra_first + "".join(Q1.values()) + "".join(Q2.values()) + extra_last


# ---------------------------------------------------------------------------
# Every path, as (unit → total, rank, error fields)
# ---------------------------------------------------------------------------

Result = dict[str, tuple[str, int | None, tuple[str, ...]]]


def _cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue()


def _paths(scheme_path: Path, data: Path, *, processes: bool = False, dask: bool = True) -> dict[str, Result]:
    """Each path's results; *processes* adds the paths that start worker processes (slower)."""
    scheme = load(scheme_path)
    units = load_units(data, scheme=scheme)
    found: dict[str, Result] = {}
    for explained in (True, False):
        evaluation = evaluate(scheme, units, explained=explained)
        found[f"evaluate explained={explained}"] = {
            r.unit: (cell_number(r.total), r.rank, tuple(str(e) for e in r.errors)) for r in evaluation
        }
    if processes:
        totals = score_totals(scheme, units, jobs=2, chunk_size=1)
        found["score_totals jobs=2"] = {
            r.unit: (cell_number(r.total), r.rank, tuple(str(e) for e in r.errors)) for r in totals
        }
    code, out = _cli("score", str(scheme_path), str(data), "--format", "json")
    assert code in (0, 1)
    # Streamed from the file, the document is the loaded units' one, byte for byte.
    assert out == "".join(_json_chunks(evaluate(scheme, units))) + "\n"
    found["cli json"] = {
        u["unit"]: (
            cell_number(None if u["total"] is None else Decimal(str(u["total"]))),
            u["rank"],
            tuple(str(e["message"]) if isinstance(e, dict) else str(e) for e in u["errors"]),
        )
        for u in json.loads(out)["units"]
    }
    for jobs in ("1", "2") if processes else ("1",):
        code, out = _cli("score", str(scheme_path), str(data), "--format", "csv", "--jobs", jobs)
        rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))[1:]
        assert code == (1 if any(r[-1] for r in rows) else 0)
        found[f"cli csv --jobs {jobs}"] = {
            r[1]: (r[3], int(r[0]) if r[0] else None, tuple(e for e in r[-1].split("; ") if e)) for r in rows
        }
    for jobs in (1, 2) if processes else (1,):
        run = score_file(scheme, data, jobs=jobs, chunk_size=1)
        found[f"score_file jobs={jobs} chunk_size=1"] = {
            o.unit.name: (cell_number(o.total), o.rank, tuple(str(e) for e in o.errors)) for o in run.outcomes
        }
    if not dask:
        return found
    try:
        import dask.dataframe as dd
        import pandas as pd
    except ImportError:  # pragma: no cover - the dask extra is not installed
        return found
    from perfrules import dask as perfrules_dask

    frame = pd.read_csv(data, dtype=str, keep_default_na=False)
    table = perfrules_dask.evaluate(scheme, dd.from_pandas(frame, npartitions=1)).compute()
    found["dask"] = {
        row.unit: (
            cell_number(row.total),
            None if pd.isna(row.rank) else int(row.rank),
            tuple(e for e in row.errors.split("; ") if e),
        )
        for row in table.itertuples()
    }
    return found


def _agree(found: dict[str, Result]) -> Result:
    """Every path's totals and ranks equal; every path names the same units as failing."""
    first_name, first = next(iter(found.items()))
    for name, result in found.items():
        numbers = {u: (t, r) for u, (t, r, _) in result.items()}
        assert numbers == {u: (t, r) for u, (t, r, _) in first.items()}, f"{name} differs from {first_name}"
        failing = sorted(u for u, (_, _, e) in result.items() if e)
        assert failing == sorted(u for u, (_, _, e) in first.items() if e), name
    return first


def _expect(result: Result, expected: dict[str, tuple[Fraction, int]], failing: dict[str, str]) -> None:
    assert {u: (t, r) for u, (t, r, _) in result.items() if u not in failing} == {
        u: (cell_number(total), rank) for u, (total, rank) in expected.items()
    }
    for unit, message in failing.items():
        total, rank, errors = result[unit]
        assert (total, rank) == ("", None)
        assert any(message in e for e in errors), errors


@pytest.fixture
def scheme_path(tmp_path: Path) -> Path:
    path = tmp_path / "scheme.toml"
    path.write_text(SCHEME, encoding="utf-8")
    return path


def _file(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_hand_worked_numbers_on_every_path(scheme_path, tmp_path):
    """The baseline: each unit's rows together, every path gives the hand-worked totals and ranks."""
    found = _paths(scheme_path, _file(tmp_path, _block()))
    _expect(_agree(found), THREE, {})
    evaluation = evaluate(load(scheme_path), load_units(tmp_path / "data.csv"))
    assert {r.unit: r.total for r in evaluation} == {u: t for u, (t, _) in THREE.items()}


def test_rows_in_period_order_are_gathered_per_unit(scheme_path, tmp_path):
    """All units' Q1 rows then all Q2 rows: each unit is scored on both quarters, on every path
    (in two processes too); 丁, whose Q1 cell cannot be read, takes no part."""
    text = _period_order("丁,Q1,abc,90,10\n", DING_Q2)
    found = _paths(scheme_path, _file(tmp_path, text), processes=True)
    _expect(_agree(found), THREE, {"丁": "'abc' is not a number"})


def test_rows_in_period_order_spill_to_disk(scheme_path, tmp_path, monkeypatch):
    """With many units gathered again, the rows go to disk in sorted runs; the results do not change."""
    from perfrules.files import unit_groups as _groups

    monkeypatch.setattr(_groups, "_RUN_ROWS", 2)
    scheme = load(scheme_path)
    data = _file(tmp_path, _period_order())
    run = score_file(scheme, data, chunk_size=2)
    assert {o.unit.name: (o.total, o.rank) for o in run.outcomes} == THREE
    assert [o.unit.name for o in run.outcomes] == ["甲", "乙", "丙"]  # the file's order, as load_units gives


@pytest.mark.parametrize("layout", [_block, _period_order])
def test_a_unit_given_twice_takes_no_part(scheme_path, tmp_path, layout):
    """丁's Q1 twice: 丁 is not scored, and the others' totals are those without 丁."""
    data = _file(tmp_path, layout(DING_Q1 + DING_Q1 + DING_Q2))
    _expect(_agree(_paths(scheme_path, data)), THREE, {"丁": "period 'Q1' is given twice"})


def test_a_unit_given_twice_apart_takes_no_part(scheme_path, tmp_path):
    """丁's Q1 at the top and again at the bottom: gathered as one unit that is not scored."""
    data = _file(tmp_path, _block(DING_Q1 + DING_Q2, DING_Q1))
    _expect(_agree(_paths(scheme_path, data)), THREE, {"丁": "period 'Q1' is given twice"})


def test_two_rows_without_a_period_apart(scheme_path, tmp_path):
    """A unit named twice without periods, apart: one unit, not scored, out of every population step."""
    data = _file(tmp_path, _block("丁,,400,90,10\n", "丁,,600,90,10\n"))
    _expect(_agree(_paths(scheme_path, data)), THREE, {"丁": "two rows without a period"})


def test_a_unit_whose_rows_are_apart_is_scored_whole(scheme_path, tmp_path):
    """丁's Q1 at the top, its Q2 at the bottom: one unit of two quarters, scored and counted by everyone.

    Worked by hand over 甲乙丙丁, 丁 with Q1 400, 20, 10 and Q2 600, 30, 10:
    indicator 1, Q1 max 400, Q2 max 600: 甲 (2.5 + 2.5)/2 = 2.5; 乙 (1.25 + 5)/2 = 3.125;
    丙 (5 + 1.25)/2 = 3.125; 丁 10. Indicator 2, Q1 pooled 80/40 = 2, Q2 pooled 120/40 = 3:
    甲 (20/3 + 7.5)/2 = 85/12, the others 10. Totals: 丁 20, 乙 and 丙 13.125, 甲 2.5 + 85/12 = 115/12.
    """
    data = _file(tmp_path, _block("丁,Q1,400,20,10\n", "丁,Q2,600,30,10\n"))
    expected = {
        "丁": (Fraction(20), 1),
        "乙": (Fraction(105, 8), 2),
        "丙": (Fraction(105, 8), 2),
        "甲": (Fraction(115, 12), 4),
    }
    _expect(_agree(_paths(scheme_path, data)), expected, {})
    run = score_file(load(scheme_path), data)
    assert [o.unit.name for o in run.outcomes] == ["丁", "甲", "乙", "丙"]
    assert not any(o.errors for o in run.outcomes)


@pytest.mark.parametrize("layout", [_block, _period_order])
def test_a_unit_with_an_unreadable_cell_takes_no_part(scheme_path, tmp_path, layout):
    """丁's Q1 招商引资额 cannot be read: 丁 is not scored, and none of its numbers (Q2's 600, its
    spending) enters the maximum or the pooled ratio: the others' totals are those without 丁."""
    data = _file(tmp_path, layout("丁,Q1,abc,90,10\n" + DING_Q2))
    _expect(
        _agree(_paths(scheme_path, data)),
        THREE,
        {"丁": "'abc' is not a number"},
    )


def test_a_unit_outside_the_categories_takes_no_part():
    """A unit not scored for its category (or an unknown 不适用 code) enters no population step."""
    from perfrules import Unit

    scheme = load(Path(__file__).resolve().parent.parent / "docs/examples/mechanics/m04-share-of-best.toml")
    units = [
        Unit(name="甲", data={"招商引资额": 50, "信访积案数": 2}),
        Unit(name="乙", data={"招商引资额": 100, "信访积案数": 4}),
        Unit(name="丙", data={"招商引资额": 400, "信访积案数": 1}, not_applicable=["9"]),
    ]
    evaluation = evaluate(scheme, units)
    # Without 丙: max 100, min 2. 甲 10×50/100 + 10×2/2 = 15; 乙 10 + 5 = 15.
    assert [(r.unit, r.total, r.rank) for r in evaluation] == [
        ("甲", 15, 1),
        ("乙", 15, 1),
        ("丙", None, None),
    ]


def test_a_workbook_in_period_order_is_gathered_per_unit(scheme_path, tmp_path):
    """The same in a workbook (read as a stream by `score`): each unit scored on both quarters."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for line in _period_order(DING_Q1, DING_Q1).splitlines():
        sheet.append([int(c) if c.isdigit() else c for c in line.split(",")])
    path = tmp_path / "data.xlsx"
    book.save(path)
    _expect(_agree(_paths(scheme_path, path, dask=False)), THREE, {"丁": "period 'Q1' is given twice"})


RANKED = """\
format = "perfrules-scheme/1"
name = "排名加减分示例"
basis = "points"
total = 110
cap_total = false
groups = [{ name = "考核指标" }]

[[indicators]]
code = "1"
name = "基础工作"
group = "考核指标"
weight = 100
max_score = 103
score = "基础得分+排名加分"

[[indicators.steps]]
type = "rank"
target = "排名加分"
of = "GDP增速"
order = "desc"
points = { "1" = 3, "2" = 2, "3" = 1 }
bottom_points = { "1" = -1 }

[[indicators]]
code = "2"
name = "日常工作"
group = "考核指标"
weight = 10
score = "日常得分"
"""


def test_an_unreadable_cell_outside_the_population_columns(tmp_path):
    """乙's 日常得分 cannot be read, its GDP增速 can: 乙 is not scored and is not ranked among the others.

    The streamed path's first pass reads only the columns of indicator 1 (the rank's), so it
    finds 乙 readable there; the rule must hold anyway. m05's points: 1st +3, 2nd +2, 3rd +1,
    last −1, plus 10 for 日常工作. Without 乙: 甲 and 丁 tie 1st (12.5, +3): 103 and 98; 丙 3rd
    (8.0, +1): 102; 戊 last (−1): 89. (Counting 乙 would give 甲 102, 丙 101, 丁 97.)
    """
    scheme_path = _file(tmp_path, RANKED, "ranked.toml")
    rows = ["甲,90,12.5,10", "乙,88,15.0,8十8", "丙,91,8.0,10", "丁,85,12.5,10", "戊,80,3.0,10"]
    data = _file(tmp_path, "单位,基础得分,GDP增速,日常得分\n" + "\n".join(rows) + "\n")
    expected = {
        "甲": (Fraction(103), 1),
        "丙": (Fraction(102), 2),
        "丁": (Fraction(98), 3),
        "戊": (Fraction(89), 4),
    }
    _expect(_agree(_paths(scheme_path, data)), expected, {"乙": "'8十8'"})


ROWS = [
    *Q1.values(),
    *Q2.values(),
    "丁,Q1,400,20,10\n",
    "丁,Q2,600,30,10\n",
    "甲,Q3,10,10,10\n",
    "乙,,1,1,1\n",
    "戊,Q1,7,1,1\n",
]


@given(
    order=st.permutations(range(len(ROWS))), repeats=st.lists(st.sampled_from(range(len(ROWS))), max_size=2)
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_row_order_gives_the_loaded_results(tmp_path, order, repeats):
    """Rows in any order, some given twice: the streamed results (spilling to disk) are evaluate()'s."""
    from perfrules.files import unit_groups as _groups

    scheme = load(_file(tmp_path, SCHEME, "scheme.toml"))
    data = _file(tmp_path, HEAD + "".join(ROWS[i] for i in [*order, *repeats]))
    expected = evaluate(scheme, load_units(data, scheme=scheme), explained=False)
    saved = _groups._RUN_ROWS
    _groups._RUN_ROWS = 3
    try:
        run = score_file(scheme, data, chunk_size=2)
        with score_file(scheme, data, chunk_size=2, explained=True) as explained:
            document = "".join(_json_document(scheme.name, _streamed_records(scheme, explained)))
    finally:
        _groups._RUN_ROWS = saved
    assert [(o.unit.name, o.total, o.grade, o.rank, [str(e) for e in o.errors]) for o in run.outcomes] == [
        (r.unit, r.total, r.grade, r.rank, [str(e) for e in r.errors]) for r in expected
    ]
    assert document == "".join(_json_chunks(evaluate(scheme, load_units(data, scheme=scheme))))


def test_dask_refuses_two_columns_that_read_as_one():
    """`完成数` and `完成数 ` name one input: a data frame with both is refused, as a CSV with both is."""
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    from perfrules import DataError
    from perfrules import dask as perfrules_dask

    scheme = load(Path(__file__).resolve().parent.parent / "docs/examples/mechanics/m04-share-of-best.toml")
    frame = pd.DataFrame({"单位": ["甲"], "招商引资额": ["1"], "招商引资额 ": ["2"], "信访积案数": ["1"]})
    with pytest.raises(DataError, match="once normalised"):
        perfrules_dask.evaluate(scheme, dd.from_pandas(frame, npartitions=1))
