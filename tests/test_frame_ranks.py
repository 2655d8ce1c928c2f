"""``Evaluation.to_dataframe``: ranks are whole numbers (pandas' nullable Int64), <NA> where a unit
has none — never floats that a missing rank forced on the whole column."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfrules import Unit, evaluate, load, load_units

pd = pytest.importorskip("pandas")

M05 = Path(__file__).resolve().parent.parent / "docs" / "examples" / "mechanics" / "m05-rank-points"


def test_ranks_are_nullable_integers():
    scheme = load(M05.with_suffix(".toml"))
    units = [*load_units(M05.with_suffix(".csv"), scheme=scheme), Unit(name="缺数据", data={})]
    evaluation = evaluate(scheme, units)
    frame = evaluation.to_dataframe()
    assert str(frame["rank"].dtype) == "Int64"
    assert str(frame["category_rank"].dtype) == "Int64"
    assert frame.loc["缺数据", "rank"] is pd.NA
    assert frame["category_rank"].isna().all()  # no categories: no category ranks
    # 甲 92 is first (m05's README); every scored unit's rank is the int evaluate gives.
    assert frame.loc["甲", "rank"] == 1
    for r in evaluation:
        if r.rank is not None:
            assert int(frame.loc[r.unit, "rank"]) == r.rank
    assert frame.loc["甲", "total"] == 92.0


def test_an_empty_evaluation_has_the_columns():
    frame = evaluate(load(M05.with_suffix(".toml")), []).to_dataframe()
    assert list(frame.columns) == [
        "category",
        "rank",
        "category_rank",
        "total",
        "grade",
        "errors",
        "stand_in",
    ]
    assert str(frame["rank"].dtype) == "Int64"
