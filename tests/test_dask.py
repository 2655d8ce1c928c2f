"""perfrules.dask: the same totals, grades and ranks as evaluate(), partition by partition."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from perfrules import DataError, evaluate, load, sample_units, schemes
from perfrules.files.data import load_units
from perfrules.files.load import _builtin_file

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")
pd = pytest.importorskip("pandas")

from perfrules import dask as perfrules_dask  # noqa: E402

MECHANICS = Path(__file__).resolve().parent.parent / "docs" / "examples" / "mechanics"


def _cases() -> list[tuple[str, str]]:
    cases = [(name, "builtin") for name in schemes()]
    cases += [(path.stem, "mechanics") for path in sorted(MECHANICS.glob("*.toml"))]
    # A scheme with [roll_up] needs every unit at once: the Dask path refuses it (tests/test_roll_up.py).
    cases += [
        (path.stem, "cookbook")
        for path in sorted((MECHANICS.parent / "cookbook").glob("*.toml"))
        if load(path).roll_up is None
    ]
    return cases


def _load(name: str, kind: str):
    if kind == "builtin":
        return load(name), _builtin_file(name, ".csv"), sample_units(name)
    path = (MECHANICS if kind == "mechanics" else MECHANICS.parent / kind) / f"{name}.toml"
    scheme = load(path)
    csv = path.with_suffix(".csv")
    return scheme, csv.read_text(encoding="utf-8-sig"), load_units(csv, scheme=scheme)


def _partitioned(frame, k: int):
    """k partitions, each unit's rows (one per period) kept together, units interleaved."""
    column = frame.columns[0]
    names = list(dict.fromkeys(frame[column]))
    groups = [names[i::k] for i in range(k) if names[i::k]]
    return dd.concat([dd.from_pandas(frame[frame[column].isin(g)], npartitions=1) for g in groups])


def _compute(result):
    with dask.config.set(scheduler="synchronous"):
        return result.compute()


def _assert_same(scheme, table, units) -> None:
    expected = evaluate(scheme, units)
    rows = {row["unit"]: row for row in table.to_dict("records")}
    assert len(rows) == len(table) == len(expected)
    for r in expected:
        got = rows[r.unit]
        assert got["total"] == r.total and type(got["total"]) is type(r.total), r.unit
        assert got["grade"] == r.grade, r.unit
        assert (None if pd.isna(got["rank"]) else got["rank"]) == r.rank, r.unit
        assert (None if pd.isna(got["category_rank"]) else got["category_rank"]) == r.category_rank
        assert got["vetoed"] == r.vetoed
        if scheme.flags:
            assert got["flags"] == "、".join(r.flags), r.unit
        assert bool(got["errors"]) == bool(r.errors)
        assert got["events"] == "; ".join(str(e) for e in r.events), r.unit
        for i in r.indicators:
            assert got[f"{i.code} {i.name}"] == i.score, (r.unit, i.code)


@pytest.mark.parametrize(("name", "kind"), _cases())
def test_identical_to_evaluate_over_several_partitions(name, kind):
    scheme, text, units = _load(name, kind)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for k in (1, 3):
        table = _compute(perfrules_dask.evaluate(scheme, _partitioned(frame, k), split_every=2))
        assert list(table.columns) == perfrules_dask.result_columns(scheme)
        _assert_same(scheme, table, units)


def test_events_are_kept_a_capped_total_and_a_quota():
    """The events column: grade-effects' 丙 scores 58 + 37 = 95, capped at 79 (a major accident);
    m06's quota events, which only the whole batch decides, reach the unit's row too."""
    scheme, text, _ = _load("grade-effects", "cookbook")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    table = _compute(perfrules_dask.evaluate(scheme, _partitioned(frame, 3))).set_index("unit")
    assert table.loc["丙", "total"] == 79
    assert table.loc["丙", "events"].startswith(
        "发生重大安全生产责任事故，考核得分不超过C级最高限：总分 95分 不超过 79分，按 79分 计"
    )
    scheme, text, units = _load("m06-grade-quota", "mechanics")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    table = _compute(perfrules_dask.evaluate(scheme, _partitioned(frame, 3))).set_index("unit")
    quota = {r.unit: [str(e) for e in r.events if e.kind == "quota"] for r in evaluate(scheme, units)}
    assert any(quota.values())
    for unit, texts in quota.items():
        for text in texts:
            assert text in table.loc[unit, "events"], unit


def test_numeric_columns_are_read_by_their_repr():
    # pandas parses the numbers as floats and ints; the totals are still exact.
    scheme, text, units = _load("m03-peer-max-min", "mechanics")
    frame = pd.read_csv(io.StringIO(text))
    assert frame.dtypes.iloc[2] == "float64"
    table = _compute(perfrules_dask.evaluate(scheme, dd.from_pandas(frame, npartitions=2)))
    _assert_same(scheme, table, units)
    assert str(table.set_index("unit").loc["丙", "total"]) == "56/3"


def test_the_unit_column_may_be_the_index():
    scheme, text, units = _load("m05-rank-points", "mechanics")
    frame = pd.read_csv(io.StringIO(text), dtype=str).set_index("单位")
    table = _compute(perfrules_dask.evaluate(scheme, dd.from_pandas(frame, npartitions=2)))
    _assert_same(scheme, table, units)
    assert list(table.index) == list(table["unit"])


def test_unreadable_cells_are_recorded_on_their_unit():
    scheme, text, _ = _load("m06-grade-quota", "mechanics")
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    frame.loc[frame["单位"] == "庚", "得分"] = "五十五"
    table = _compute(perfrules_dask.evaluate(scheme, dd.from_pandas(frame, npartitions=3))).set_index("unit")
    assert table.loc["庚", "total"] is None
    assert "'五十五' is not a number" in table.loc["庚", "errors"]
    assert pd.isna(table.loc["庚", "rank"])
    # The others are scored as if 庚 were not there.
    others = [u for u in load_units(MECHANICS / "m06-grade-quota.csv", scheme=scheme) if u.name != "庚"]
    for r in evaluate(scheme, others):
        assert (table.loc[r.unit, "total"], table.loc[r.unit, "grade"], table.loc[r.unit, "rank"]) == (
            r.total,
            r.grade,
            r.rank,
        )


def test_column_problems_are_raised_at_once():
    scheme, text, _ = _load("m06-grade-quota", "mechanics")
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    with pytest.raises(DataError, match="no indicator of the scheme reads '得份'"):
        perfrules_dask.evaluate(scheme, dd.from_pandas(frame.rename(columns={"得分": "得份"}), npartitions=1))
    with pytest.raises(DataError, match="no unit column"):
        perfrules_dask.evaluate(scheme, dd.from_pandas(frame.rename(columns={"单位": "x"}), npartitions=1))


def test_a_unit_split_over_partitions_is_refused():
    scheme = load("shenzhen-2010-departments")
    frame = pd.read_csv(io.StringIO(_builtin_file("shenzhen-2010-departments", ".csv")), dtype=str)
    # 市戊委 has three rows (the year's and two periods), the 5th to the 7th.
    parts = dd.concat(
        [dd.from_pandas(frame.iloc[:5], npartitions=1), dd.from_pandas(frame.iloc[5:], npartitions=1)]
    )
    result = perfrules_dask.evaluate(scheme, parts)
    with pytest.raises(ValueError, match="more than one partition"):
        _compute(result)


def test_import_perfrules_does_not_import_dask():
    code = "import sys, perfrules; sys.exit('dask' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
