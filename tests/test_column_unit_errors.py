"""Units whose error is decided before any indicator is scored, taken by the column program.

A cell of the unit's file that could not be read (约五分), a category the scheme does not weigh by
(or none), weights read from the unit's data (``weight_from``) that are missing or do not make its
full marks: the column program gives such a unit the outcome the per-unit program gives it —
the same errors and events, no scores, no total, no grade — by the same rule
(:mod:`perfrules.scoring.uniterrors`), and every path (API with and without explanations, CLI
CSV and JSON, ``--jobs 2``) agrees. A code declared not applicable that the scheme lacks, alone,
leaves the unit to be scored beside its error (the per-unit program's).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import oracle
from oracle import score_unit
from perfrules import evaluate, load_units, loads
from perfrules.pipeline.chunk import score_chunk_here
from perfrules.scoring.batch import score_chunk
from perfrules.scoring.colalone import TALLY
from perfrules.scoring.colshare import column_share
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of, score_columns
from test_differential import assert_paths_agree
from test_weight_from import _PERCENT

_CATEGORIES = """
name = "分类考核"
total = 100
categories = ["甲类", "乙类"]
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "经济"
group = "组"
weights = { "甲类" = 60, "乙类" = 40 }
score = "值1"
[[indicators]]
code = "2"
name = "民生"
group = "组"
weights = { "甲类" = 40, "乙类" = 60 }
score = "值2"
"""

# 甲 84 (80×0.6 + 90×0.4); 乙 an unknown category; 丙 none; 丁 a cell that is not a number;
# 戊 87.5分 read as 87.5 (a note) and 约五分 (its error: the note is among its events);
# 己 87.5分 (a note) in an unknown category; 庚 (乙类) 87.5×0.4 + 90×0.6 = 89.
_CATEGORY_DATA = (
    "单位,类别,值1,值2\n"
    "甲,甲类,80,90\n"
    "乙,丙类,80,90\n"
    "丙,,80,90\n"
    "丁,乙类,约五分,90\n"
    "戊,乙类,87.5分,约五分\n"
    "己,丙类,87.5分,90\n"
    "庚,乙类,87.5分,90\n"
)

_WEIGHTS = _PERCENT  # weights read per unit (weight_from), as test_weight_from has them

# 甲县 80×0.5 + 90×0.2 + 70×0.3 = 79; 乙县 no 特色指标权重; 丙县 weights of 95; 丁县 the same,
# and a code declared not applicable the scheme lacks (its error first); 戊县 only that code (scored,
# with its error: the per-unit program's); 己县 a weight that is not a number.
_WEIGHT_DATA = (
    "单位,经济得分,特色得分,自选得分,特色指标权重,自选指标权重,不适用\n"
    "甲县,80,90,70,20,30,\n"
    "乙县,80,90,70,,30,\n"
    "丙县,80,90,70,30,15,\n"
    "丁县,80,90,70,30,15,9\n"
    "戊县,80,90,70,20,30,9\n"
    "己县,80,90,70,二十,30,\n"
)


def _files(tmp_path: Path, scheme_text: str, data: str) -> tuple[Any, Path, Path]:
    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(scheme_text, encoding="utf-8")
    data_path = tmp_path / "data.csv"
    data_path.write_text(data, encoding="utf-8")
    return loads(scheme_text, format="toml"), scheme_path, data_path


def _fields(o: Any) -> tuple[Any, ...]:
    """What an outcome holds, field by field (the unit by name: its data may be joined otherwise)."""
    return (
        o.unit.name,
        o.unit.category,
        o.unit.origin,
        o.errors,
        [(e.kind, e.message) for e in o.events],
        o.scores,
        o.weights,
        o.total,
        o.grade,
        o.vetoed,
        o.flags,
        o.periods,
        o.subtotals,
        o.indicators,
        o.rank,
        o.category_rank,
        o.level,
        o.rendered,
        o.shown_total,
    )


_CASES = [
    pytest.param(_CATEGORIES, _CATEGORY_DATA, [1, 2, 3, 4, 5], [], id="category-and-cells"),
    # 戊县 declares 指标9 not applicable, which the scheme lacks, and nothing else is wrong: it is
    # scored, and that error stands instead of its total (colfailures), as in the per-unit program.
    pytest.param(_WEIGHTS, _WEIGHT_DATA, [1, 2, 3, 5], [4], id="weights-read"),
]


@pytest.mark.parametrize(("text", "data", "refused", "declared"), _CASES)
def test_the_column_program_gives_the_per_unit_programs_outcome(tmp_path, text, data, refused, declared):
    """Each refused unit's outcome from the column program equals the per-unit program's, field by
    field, with and without output cells; before, score_columns gave None for them. So does a unit
    scored with only an unknown code declared not applicable (*declared*), with its scores."""
    scheme, _, data_path = _files(tmp_path, text, data)
    plan = plan_of(scheme)
    units = list(load_units(data_path, scheme=scheme))
    assert program_of(plan) is not None
    slow = [score_unit(plan, u, {}, detail=False) for u in units]
    for rendered in (False, True):
        found = score_columns(plan, units, rendered=rendered)
        taken = [i for i, o in enumerate(found) if o is not None and o.errors]
        assert taken == sorted(refused + declared)
        assert [i for i, o in enumerate(found) if o is None] == []
        for i in refused + declared:
            assert _fields(found[i]) == _fields(slow[i])
            assert found[i].errors and found[i].total is None
            assert (found[i].scores == []) is (i in refused)
        for i, o in enumerate(found):
            if o is not None and not o.errors:
                assert (o.total, o.grade) == (slow[i].total, slow[i].grade)
                assert rendered or o.scores == slow[i].scores
    # Output cells as the streamed paths keep them (compact): the same line for either program.
    here = score_chunk_here(scheme, units, {})
    assert [(o.unit.name, o.errors) for o in here] == [(o.unit.name, o.errors) for o in slow]
    assert [here[i].shown_total for i in refused] == [None] * len(refused)
    chunk = score_chunk(plan, units, {})  # as --jobs workers and Dask score a chunk
    assert [_fields(chunk[i]) for i in refused] == [_fields(slow[i]) for i in refused]
    # perfrules validate counts them as the column program's.
    share = column_share(plan, units)
    assert (share.columns, share.unscored) == (len(units), 0)


@pytest.mark.parametrize(("text", "data", "refused", "sent"), _CASES)
def test_every_path_agrees(tmp_path, text, data, refused, sent):
    """API explained and totals-only, CLI JSON, CSV in one process and two: the same answers."""
    scheme, scheme_path, data_path = _files(tmp_path, text, data)
    result = assert_paths_agree(scheme, scheme_path, data_path, jobs=("1", "2"))
    rows = list(result)
    for i in refused:
        r = rows[i]
        assert r.errors and r.total is None and r.grade is None and r.rank is None
        assert r.indicators == () and r.groups == ()
        assert r._explained_by == "record"  # no need of the per-unit program to explain it
    for i in sent:
        assert rows[i].errors and rows[i].indicators  # scored beside its error


@pytest.mark.parametrize(("text", "data", "refused", "sent"), _CASES)
def test_kept_columns_score_alone_only_the_units_left_unscored_in_the_batch(
    tmp_path, text, data, refused, sent
):
    """evaluate on load_units' columns: the refused units' results are the per-unit program's (the
    oracle's); only the units the batch leaves unscored are scored again alone."""
    scheme, _, data_path = _files(tmp_path, text, data)
    before = TALLY.alone
    fast = evaluate(scheme, load_units(data_path, scheme=scheme), explained=False)
    assert TALLY.alone - before == len(sent)  # (each scored alone by the same program: colalone)
    slow = oracle.evaluate(scheme, list(load_units(data_path, scheme=scheme)))
    assert [(r.unit, r.total, r.grade, r.rank, r.errors, r.events) for r in fast] == [
        (r.unit, r.total, r.grade, r.rank, r.errors, r.events) for r in slow
    ]


def test_the_errors_are_the_per_unit_programs_words(tmp_path):
    """What each kind of error says, and the events that come with it."""
    scheme, _, data_path = _files(tmp_path, _CATEGORIES, _CATEGORY_DATA)
    result = {r.unit: r for r in evaluate(scheme, load_units(data_path, scheme=scheme), explained=False)}
    assert result["甲"].total == Decimal(84) and result["庚"].total == Decimal(89)
    assert [e.message for e in result["乙"].errors] == [
        "unknown category '丙类'; the scheme weighs by 甲类, 乙类"
    ]
    assert [e.message for e in result["丙"].errors] == ["the unit needs a category (甲类, 乙类)"]
    assert [(e.field, e.message) for e in result["丁"].errors] == [("值1", "'约五分' is not a number")]
    assert [e.kind for e in result["戊"].events] == ["note"]  # 87.5分 read as 87.5
    # An unknown category keeps the unit's reading notes too (87.5分 read as 87.5), as the other refusals do.
    assert [e.kind for e in result["己"].events] == ["note"]
    scheme, _, data_path = _files(tmp_path, _WEIGHTS, _WEIGHT_DATA)
    result = {r.unit: r for r in evaluate(scheme, load_units(data_path, scheme=scheme), explained=False)}
    assert result["甲县"].total == Decimal(79)
    assert [e.message for e in result["乙县"].errors] == [
        "no weight for indicator 2 特色指标: the data has no '特色指标权重'"
    ]
    assert [(e.indicator, e.field) for e in result["丁县"].errors] == [
        ("9", "not_applicable"),
        ("2", "特色指标权重"),
    ]
    assert result["丙县"].errors[0].message.startswith("the unit's weights add up to 95%, not 100%")
    assert [(e.indicator, e.field) for e in result["戊县"].errors] == [("9", "not_applicable")]
