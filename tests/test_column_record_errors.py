"""Units with errors explained from the column program's record, as the per-unit program explains them.

A unit with an indicator's error (a blank input without a policy, a word not
in a scale, a reader of a failed indicator's result …) is explained from the
record: the failed indicator's error is what its own step raised when the
column program scored the batch (:mod:`perfrules.scoring.colfailures`), the
other indicators are the record's view (:mod:`perfrules.scoring.colexplain`).
A unit refused before scoring (:mod:`perfrules.scoring.uniterrors`) has no
indicator to explain. Either way ``_explained_by`` is the record's mark and the
explanation — indicator results, groups, text, JSON record — is the per-unit
program's (``score_unit(detail=True)``), field for field.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from perfrules import evaluate, load_units, loads
from perfrules.scoring.colexplain import RECORDED, explain_unit, explainer_of
from perfrules.scoring.colfailures import Failed
from perfrules.scoring.colrecord import Record
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_program import _COLUMN_SETTINGS
from test_column_record import _compare
from test_column_unit_errors import _CATEGORIES, _CATEGORY_DATA, _WEIGHT_DATA, _WEIGHTS

_RULE = "优—6分;良—4分;合格—2分;不合格—0分"

# 指标1 a data column; 指标2 a word graded by a scale (a word not in it: its error); 指标3 reads
# 指标1's score (fails with it, or does not apply where 不适用3 = 1); 指标4 an adjustment that reads
# 扣分4 (blank: its error) and a veto.
_SCHEME = f"""
name = "错误说明"
basis = "points"
total = 100
groups = [{{ name = "组" }}]
[overall]
rule = "优：总分>=90；良：60<=总分<90；差：总分<60"
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 40
full = 100
score = "值1"
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight = 20
steps = [{{ type = "part", target = "评价分2", scale = {{ rule = "{_RULE}" }}, of = "评价2" }}]
score = "分值×评价分2/6"
[[indicators]]
code = "3"
name = "指标3"
group = "组"
weight = 20
score = "min(分值, 指标1得分×2/5)"
policies = [{{ type = "not_applicable", when = "不适用3=1" }}]
[[indicators]]
code = "4"
name = "指标4"
group = "组"
weight = 20
score = "值4"
policies = [
  {{ type = "adjust", per = "扣分4", points = -1, cap = 3 }},
  {{ type = "veto", when = "扣分4>2", effect = "lowest_grade" }},
]
"""

_HEAD = "单位,值1,评价2,不适用3,值4,扣分4\n"

# 甲 scored; 乙 指标1 blank (指标3 fails with it); 丙 the same, 指标3 not applicable; 丁 a word not in
# 指标2's scale; 戊 扣分4 blank; 己 every error at once; 庚 a veto beside 指标1's error.
_DATA = _HEAD + (
    "甲,80,优,0,15,1\n"
    "乙,,良,0,15,0\n"
    "丙,,良,1,15,0\n"
    "丁,70,很好,0,12,0\n"
    "戊,90,合格,1,16,\n"
    "己,,很好,0,10,\n"
    "庚,,优,0,18,3\n"
)


def _explained(tmp_path, text: str, data: str) -> object:
    (tmp_path / "d.csv").write_text(data, encoding="utf-8")
    scheme = loads(text, format="toml")
    assert program_of(plan_of(scheme)) is not None
    return _compare(scheme, list(load_units(tmp_path / "d.csv", scheme=scheme)))


def test_units_with_an_indicators_error_are_explained_from_the_record(tmp_path):
    by = _explained(tmp_path, _SCHEME, _DATA)
    assert by == {RECORDED: 7}, by
    scheme = loads(_SCHEME, format="toml")
    evaluation = evaluate(scheme, load_units(tmp_path / "d.csv", scheme=scheme))
    # 丙: 指标1's error; 指标3 does not apply (its rule says so; it reads no score); 指标2 and 指标4
    # from the record: 良 is 4 of 6, 20 × 4/6 = 40/3; 15 as given.
    c = evaluation.unit("丙")
    assert [e.indicator for e in c.errors] == ["1"]
    first, second, third, fourth = c.indicators
    assert first.error is not None and first.error.error == "MissingValueError" and first.score is None
    assert second.error is None and second.score == Fraction(40, 3)
    assert not third.applicable and third.error is None
    assert fourth.score == Decimal(15)
    assert c._explained_by == RECORDED
    # 乙: 指标3 reads 指标1's missing score: its error too, in the indicators' order.
    b = evaluation.unit("乙")
    assert [i.code for i in b.indicators if i.error is not None] == ["1", "3"]
    assert "has no score for this unit" in b.indicator("3").error.message
    # 己: three indicators failed, one not: 指标3 (reads 指标1) fails as well.
    assert [e.indicator for e in evaluation.unit("己").errors] == ["1", "2", "3", "4"]


def test_the_failed_indicators_error_is_the_one_its_step_recorded(tmp_path):
    """explain_unit on the record itself: the failed indicator's error is the Failed row's (what
    indicator_step raised when the batch was scored), not worked out again."""
    (tmp_path / "d.csv").write_text(_DATA, encoding="utf-8")
    scheme = loads(_SCHEME, format="toml")
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None
    units = list(load_units(tmp_path / "d.csv", scheme=scheme))
    record = Record(program, units, {})
    row = record.errored[3]  # 丁: a word not in 指标2's scale
    assert isinstance(row, Failed)
    found, by = explain_unit(explainer_of(plan, program), record, 3)
    assert by == RECORDED and found is not None
    assert found[1].error is row.errors[0] and "no grade '很好' in this scale" in row.errors[0].message
    assert [o.scored.score for o in found if o.scored] == [Decimal(70), Decimal(20), Decimal(12)]


def test_units_refused_before_scoring_are_explained_from_the_record(tmp_path):
    """Unknown categories, cells that are not numbers, weights read that are refused: no indicator
    explained, by the record (and a code declared not applicable that the scheme lacks: its error beside
    every indicator's result, by the record)."""
    by = _explained(tmp_path, _CATEGORIES, _CATEGORY_DATA)
    assert by == {RECORDED: 7}, by
    by = _explained(tmp_path, _WEIGHTS, _WEIGHT_DATA)
    assert by == {RECORDED: 6}, by
    scheme = loads(_WEIGHTS, format="toml")
    evaluation = evaluate(scheme, load_units(tmp_path / "d.csv", scheme=scheme))
    declared = evaluation.unit("戊县")
    assert declared.errors and declared.errors[0].field == "not_applicable"
    assert all(i.score is not None for i in declared.indicators)
    assert evaluation.unit("乙县").indicators == ()


_CELLS = st.tuples(
    st.sampled_from(["", "0", "60", "87.5", "100"]),
    st.sampled_from(["", "优", "合格", "很好"]),
    st.sampled_from(["", "0", "1"]),
    st.sampled_from(["", "12", "20"]),
    st.sampled_from(["", "0", "2", "5"]),
)


@given(rows=st.lists(_CELLS, min_size=1, max_size=8))
@_COLUMN_SETTINGS
def test_generated_units_with_errors_are_explained_from_the_record(tmp_path_factory, rows):
    data = _HEAD + "".join(f"单位{i}," + ",".join(cells) + "\n" for i, cells in enumerate(rows))
    by = _explained(tmp_path_factory.mktemp("errors"), _SCHEME, data)
    assert set(by) == {RECORDED}, by
