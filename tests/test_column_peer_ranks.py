"""Peer ratios beside rank steps over columns (the Shenzhen districts scheme), and peer ratios over
columns in the row stream (workbooks): the values ``population.resolve`` gives, unit for unit, and
the outputs ``evaluate()`` gives."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import evaluate, load, load_units, sample_units
from perfrules.cli.main import main
from perfrules.cli.output import _csv_text
from perfrules.pipeline.stream import _population_pass
from perfrules.scheme.steps import PeerRatio, Rank
from perfrules.scoring.colpeervalues import PeerValues, batch_peer_values
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.colsteps import population_column
from perfrules.scoring.plan import plan_of
from perfrules.scoring.population import observe, population_values, resolve, summarize

BUILTIN = Path(__file__).resolve().parent.parent / "src" / "perfrules" / "schemes"
DISTRICTS = "shenzhen-2010-districts"
# The columns the districts scheme's peer ratios and ranks read.
_READS = (
    "教科文卫体支出",
    "社会保障和就业支出",
    "常住人口",
    "环保投入",
    "辖区面积",
    "刑事警情报警数",
    "辖区总人口",
)
_READS += ("每平方公里GDP产出增长率",)


def _same(units: list[Any]) -> int:
    """The districts' population values over columns equal the per-unit way's; the number compared."""
    plan = plan_of(load(DISTRICTS))
    found = batch_population(plan, units)
    assert isinstance(found, PeerValues) and found.ranked  # peer ratios and ranks, both over columns
    expected = population_values(plan.indicators, units)
    names = [u.name for u in units]
    count = 0
    for name in names:
        assert dict(found[name]) == dict(expected.get(name, {})), name
        count += len(found[name])
    for ind in plan.indicators:
        for step in ind.peer_steps:
            assert isinstance(step, PeerRatio | Rank)
            col, present = found.column_of(ind.code, step.target, names)
            want, has = population_column(
                [expected.get(n, {}).get((ind.code, step.target, None)) for n in names]
            )
            assert present.tolist() == has.tolist(), step.target
            got = [Fraction(int(x), col.den) for x in col.num.tolist()]
            assert got == [Fraction(int(x), want.den) for x in want.num.tolist()], step.target
    return count


def test_districts_sample() -> None:
    """Every sample district has its two spending levels, two environment levels and two ranks."""
    units = list(sample_units(DISTRICTS))
    assert _same(units) >= 6 * len(units)


_cells = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=60),
    st.decimals(min_value=-5, max_value=10**5, places=2, allow_nan=False),
    st.sampled_from(["多", 0, 10**22]),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(_cells, min_size=len(_READS), max_size=len(_READS)), min_size=1, max_size=10))
def test_districts_generated(rows: list[list[Any]]) -> None:
    """Generated districts (sample units with their peer and rank cells replaced: blanks, zeros, words,
    huge numbers) get the per-unit way's values."""
    base = list(sample_units(DISTRICTS))
    units = []
    for k, cells in enumerate(rows):
        unit = base[k % len(base)]
        data = {**unit.data, **dict(zip(_READS, cells, strict=True))}
        units.append(attrs.evolve(unit, name=f"区{k}", data={n: v for n, v in data.items() if v is not None}))
    _same(units)


def _workbook(source: Path, target: Path, *, apart: bool = False) -> Path:
    """The CSV file's rows as a workbook (numbers as numbers); with *apart*, the first data row moved
    to the end (its unit's rows apart)."""
    import openpyxl

    with source.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    if apart:
        rows.append(rows.pop(1))
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([_number(c) for c in row])
    book.save(target)
    return target


def _number(cell: str) -> object:
    try:
        value = Decimal(cell)
    except ArithmeticError:
        return cell or None
    return int(value) if value == value.to_integral_value() and "." not in cell else float(cell)


def _cli_csv(scheme: str, data: Path, target: Path) -> str:
    main(
        ["score", scheme, str(data), "--format", "csv", "-o", str(target)],
        out=io.StringIO(),
        err=io.StringIO(),
    )
    return target.read_text(encoding="utf-8-sig")


def test_districts_workbook(tmp_path: Path) -> None:
    """The districts (peer ratios and ranks) from a workbook: evaluate()'s output, byte for byte."""
    book = _workbook(BUILTIN / "shenzhen_2010_districts.csv", tmp_path / "d.xlsx", apart=True)
    scheme = load(DISTRICTS)
    expected = _csv_text(evaluate(scheme, load_units(book, scheme=scheme)))
    assert _cli_csv(DISTRICTS, book, tmp_path / "out.csv") == expected


def test_row_stream_keeps_peer_columns(tmp_path: Path) -> None:
    """A workbook is read as a row stream: its units' peer-ratio parts stay columns (no unit observed
    one by one), and the output is evaluate()'s, byte for byte, with a unit's rows apart too."""
    name = "shenzhen-2010-departments"
    scheme = load(name)
    for apart in (False, True):
        book = _workbook(BUILTIN / "shenzhen_2010_departments.csv", tmp_path / f"d{apart}.xlsx", apart=apart)
        observed = _population_pass(scheme, book, None, None, 1, 3)
        assert observed.peers is not None and observed.peers.blocks
        units = load_units(book, scheme=scheme)
        assert observed.peers.loose == []  # every unit's part read as columns, once
        assert sorted(n for b in observed.peers.blocks for n in b.names) == sorted(u.name for u in units)
        expected = _csv_text(evaluate(scheme, units))
        assert _cli_csv(name, book, tmp_path / "out.csv") == expected


def test_partition_values_with_the_whole_summary() -> None:
    """Dask's partitions: a part of the units, given the whole population's summary, gets its peer
    values over columns, the ones ``resolve`` gives it from the same summary (not its own part's)."""
    scheme = load("shenzhen-2010-departments")
    plan = plan_of(scheme)
    units = list(sample_units("shenzhen-2010-departments"))
    whole = summarize(observe(plan.indicators, units))
    for part in (units[:3], units[3:], units[::2]):
        names = [u.name for u in part]
        found = batch_peer_values(plan, part, summary=whole)
        assert isinstance(found, PeerValues)
        expected = resolve(plan.indicators, whole, observe(plan.indicators, part), names)
        assert {n: dict(found[n]) for n in names} == {n: dict(expected[n]) for n in names}
        alone = batch_peer_values(plan, part)
        assert alone is not None
        assert {n: dict(alone[n]) for n in names} != {n: dict(expected[n]) for n in names}
