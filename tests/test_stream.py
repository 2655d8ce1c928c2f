"""Scoring files as a stream: the same results as loading them whole, with the units let go."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from perfrules import evaluate, load, load_units, schemes
from perfrules.cli.main import main
from perfrules.cli.output import _csv_text
from perfrules.pipeline.stream import cell_number, score_file

ROOT = Path(__file__).resolve().parent.parent
MECHANICS = ROOT / "docs" / "examples" / "mechanics"
BUILTIN = ROOT / "src" / "perfrules" / "schemes"

CASES = [
    *((name, BUILTIN / f"{name.replace('-', '_')}.csv") for name in schemes()),
    *((str(p.with_suffix(".toml")), p) for p in sorted(MECHANICS.glob("m*.csv"))),
    *((str(p.with_suffix(".toml")), p) for p in sorted((MECHANICS.parent / "cookbook").glob("*.csv"))),
]


@pytest.mark.parametrize(("scheme_source", "data"), CASES, ids=[Path(d).stem for _, d in CASES])
def test_streamed_csv_equals_the_loaded_one(scheme_source, data, tmp_path):
    """`score --format csv` on a file (streamed) writes what scoring the loaded units gives, byte for byte."""
    scheme = load(scheme_source)
    expected = _csv_text(evaluate(scheme, load_units(data, scheme=scheme)))
    target = tmp_path / "out.csv"
    main(
        ["score", scheme_source, str(data), "--format", "csv", "-o", str(target)],
        out=io.StringIO(),
        err=io.StringIO(),
    )
    assert target.read_text(encoding="utf-8-sig") == expected


def test_streamed_units_keep_no_data():
    """After scoring, each outcome keeps its unit's name and category, not its data or explained result."""
    scheme = load("shenzhen-2010-departments")
    run = score_file(scheme, BUILTIN / "shenzhen_2010_departments.csv", chunk_size=3)
    assert not any(hasattr(o.unit, "data") for o in run.outcomes)
    assert {o.unit.name for o in run.outcomes} >= {"市甲委", "市乙局"}
    assert all(o.indicators is None and o.scores == [] and o.rendered is not None for o in run.outcomes)
    assert [o.rank for o in run.ranking()][:3] == [1, 2, 3]


def test_a_unit_whose_rows_are_apart_is_gathered_as_loading_does(tmp_path):
    """A unit's rows need not be together: 甲 named twice, apart, is one unit with two rows without a
    period, not scored, as load_units reads it; 乙 is ranked alone."""
    data = tmp_path / "split.csv"
    data.write_text("单位,得分\n甲,95\n乙,85\n甲,90\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["score", str(MECHANICS / "m06-grade-quota.toml"), str(data)], out=out, err=err)
    assert code == 1
    assert "two rows without a period (rows 2, 4)" in out.getvalue()
    assert "   1  乙            85  良好" in out.getvalue()
    assert "the rows of" not in out.getvalue()


def test_cell_numbers_round_half_up():
    """Output cells are rounded half up to 6 places; short Decimals pass through untouched."""
    from decimal import Decimal
    from fractions import Fraction

    assert cell_number(Decimal("1.0000005")) == "1.000001"
    assert cell_number(Fraction(56, 3)) == "18.666667"
    assert cell_number(Decimal("90.0")) == "90"
    assert cell_number(None) == ""
