"""An indicator the column program's columns cannot work out for a unit is that unit's error, worded by
the indicator's own step (scoring/colfailures): the same outcome as the per-unit program's, on every path.

Each kind of error has a hand-made scheme and CSV; the generated schemes of the differential tests show
that every unit so marked gets its error from the step (never sent back because the step did not raise).
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings

from column_cases import indicator as _indicator
from column_cases import outcome_key as _key
from column_cases import recorded_run, score_both
from perfrules.scoring.colfailures import Failed
from test_differential import cases

_HEAD = """
name = "失败"
basis = "points"
total = 100
groups = [{ name = "组" }]
[overall]
rule = "优：总分>=90；良：60<=总分<90；差：总分<60"
"""


def _both(tmp_path: Path, scheme_text: str, data: str) -> tuple[list[Any], list[Any], Any]:
    """The column program's outcomes (None: sent back) and the per-unit program's, for the same batch;
    the paths agree on the files too."""
    found = score_both(tmp_path, scheme_text, data, sent_back=True)
    return found.fast, found.slow, found.scheme


def test_a_blank_input_without_a_policy(tmp_path):
    """乙's 值2 is blank: 指标2's error; 指标1 keeps its score (80 of 100), no total. 甲: 80/100 × 60 +
    50/100 × 40 = 48 + 20 = 68 良."""
    text = _HEAD + "\n".join(
        [
            _indicator("1", 60, "full = 100", 'score = "值1"'),
            _indicator("2", 40, "full = 100", 'score = "值2"'),
        ]
    )
    fast, _, _ = _both(tmp_path, text, "单位,值1,值2\n甲,80,50\n乙,80,\n")
    assert fast[0] is not None and (fast[0].total, fast[0].grade) == (Decimal(68), "良")
    assert fast[1] is not None and fast[1].total is None and fast[1].grade is None
    assert [(e.indicator, e.field, e.error) for e in fast[1].errors] == [("2", "值2", "MissingValueError")]
    assert fast[1].errors[0].message.startswith("no value for '值2' in formula '值2'")
    assert fast[1].scores == [Decimal(80), None]


def test_a_veto_and_a_blank_in_one_unit(tmp_path):
    """丙: 指标1's veto fires (its note stays, as the per-unit program gives it) and 指标2's input is
    blank: one error, one veto note, no total; 指标1's score is kept."""
    text = _HEAD + "\n".join(
        [
            _indicator(
                "1",
                60,
                'score = "值1"',
                'policies = [{ type = "veto", when = "事故1>0", effect = "lowest_grade" }]',
            ),
            _indicator("2", 40, 'score = "值2"'),
        ]
    )
    fast, _, _ = _both(tmp_path, text, "单位,值1,值2,事故1\n甲,50,30,0\n丙,50,,1\n")
    assert fast[1] is not None and [e.indicator for e in fast[1].errors] == ["2"]
    assert [e.kind for e in fast[1].events] == ["veto"]
    assert fast[1].vetoed is False and fast[1].total is None
    assert fast[1].scores == [Decimal(50), None]


def test_a_word_not_in_a_scale(tmp_path):
    """乙 says 很好: no grade of that name (指标1's error, by its own step)."""
    rule = "优—6分;良—4分;合格—2分;不合格—0分"
    text = _HEAD + "\n".join(
        [
            _indicator(
                "1",
                60,
                f'steps = [{{ type = "part", target = "评价分1", scale = {{ rule = "{rule}" }}, of = "评价1" }}]',
                'score = "分值×评价分1/6"',
            ),
            _indicator("2", 40, 'score = "值2"'),
        ]
    )
    fast, _, _ = _both(tmp_path, text, "单位,评价1,值2\n甲,优,40\n乙,很好,30\n")
    assert fast[0] is not None and fast[0].total == Decimal(100)
    assert fast[1] is not None and [e.indicator for e in fast[1].errors] == ["1"]
    assert "no grade '很好' in this scale" in fast[1].errors[0].message
    assert fast[1].scores == [None, Decimal(30)]


def test_a_value_outside_a_scales_domain(tmp_path):
    """乙's 率1 is 120, outside [0, 100]: 指标1's error."""
    text = (
        _HEAD
        + '[scores]\n"优" = [90, 100]\n"良" = [60, 90]\n"差" = [0, 60]\n'
        + "\n".join(
            [
                _indicator(
                    "1",
                    60,
                    'value = "率1"',
                    'scale = { bands = [{ name = "优", conditions = ["率1>=90"] }, '
                    '{ name = "差", conditions = ["率1<90"] }], domain = [0, 100] }',
                ),
                _indicator("2", 40, 'score = "值2"'),
            ]
        )
    )
    fast, _, _ = _both(tmp_path, text, "单位,率1,值2\n甲,95,40\n乙,120,30\n丙,50,20\n")
    assert [o is not None for o in fast] == [True, True, True]
    assert fast[1] is not None and [e.indicator for e in fast[1].errors] == ["1"]
    assert fast[1].total is None and fast[1].scores == [None, Decimal(30)]


def test_a_division_by_a_population_value_of_zero(tmp_path):
    """Every 值1 is 0: max_of(值1) is 0 and 分值×值1/max_of(值1) divides by it, for each unit."""
    text = _HEAD + "\n".join(
        [_indicator("1", 60, 'score = "分值×值1/max_of(值1)"'), _indicator("2", 40, 'score = "值2"')]
    )
    fast, _, _ = _both(tmp_path, text, "单位,值1,值2\n甲,0,40\n乙,0,30\n")
    for o in fast:
        assert o is not None and [(e.indicator, e.error) for e in o.errors] == [("1", "DivisionByZeroError")]
        assert "division by zero" in o.errors[0].message


def test_a_peer_value_the_unit_lacks(tmp_path):
    """乙 has no 支出1: its peer ratio cannot be worked out (指标1's error); 甲 and 丙 are scored."""
    text = _HEAD + "\n".join(
        [
            _indicator(
                "1",
                60,
                'steps = [{ type = "peer_ratio", target = "比值1", numerator = "支出1", '
                'denominator = "人数1", pooled = true, within = "all" }]',
                'score = "min(分值, 分值×比值1/2)"',
            ),
            _indicator("2", 40, 'score = "值2"'),
        ]
    )
    fast, slow, _ = _both(tmp_path, text, "单位,支出1,人数1,值2\n甲,10,2,40\n乙,,2,30\n丙,4,4,20\n")
    assert slow[1].errors and slow[1].errors[0].indicator == "1"
    assert fast[1] is not None and _key(fast[1]) == _key(slow[1])
    assert fast[0] is not None and fast[0].total is not None


def test_a_condition_of_not_applicable_that_reads_a_blank(tmp_path):
    """乙's 不适用1 is blank: whether 指标1 applies cannot be worked out (its error)."""
    text = _HEAD + "\n".join(
        [
            _indicator(
                "1", 60, 'score = "值1"', 'policies = [{ type = "not_applicable", when = "不适用1=1" }]'
            ),
            _indicator("2", 40, 'score = "值2"'),
        ]
    )
    fast, _, _ = _both(tmp_path, text, "单位,值1,值2,不适用1\n甲,50,40,0\n乙,50,30,\n丙,50,20,1\n")
    assert fast[1] is not None and [(e.indicator, e.field) for e in fast[1].errors] == [("1", "不适用1")]
    # 丙: 指标1 does not apply, its weight moves to 指标2: 20 of 40 is 50 of 100.
    assert fast[2] is not None and fast[2].total == Decimal(50)
    assert fast[1].scores == [None, Decimal(30)]


def test_an_adjustment_that_reads_a_blank(tmp_path):
    """乙's 扣分1 is blank: 指标1's adjustment cannot be made (its error)."""
    text = _HEAD + "\n".join(
        [
            _indicator(
                "1",
                60,
                'score = "值1"',
                'policies = [{ type = "adjust", per = "扣分1", points = -1, cap = 3 }]',
            ),
            _indicator("2", 40, 'score = "值2"'),
        ]
    )
    fast, _, _ = _both(tmp_path, text, "单位,值1,值2,扣分1\n甲,50,40,1\n乙,50,30,\n")
    assert fast[0] is not None and fast[0].total == Decimal(89)
    assert fast[1] is not None and [e.indicator for e in fast[1].errors] == ["1"]
    assert fast[1].scores == [None, Decimal(30)]


def test_an_indicator_reading_a_failed_indicators_score_fails_too(tmp_path):
    """指标2 reads 指标1得分; 乙's 值1 is blank, so 指标1 fails and 指标2 has no score to read: two
    errors, in the indicators' order, as the per-unit program gives them."""
    text = _HEAD + "\n".join(
        [
            _indicator("1", 60, 'score = "值1"'),
            _indicator("2", 40, 'score = "min(分值, 指标1得分×2/3)"'),
        ]
    )
    fast, slow, _ = _both(tmp_path, text, "单位,值1\n甲,60\n乙,\n")
    assert fast[0] is not None and fast[0].total == Decimal(100)
    assert fast[1] is not None and [e.indicator for e in fast[1].errors] == ["1", "2"]
    assert "has no score for this unit" in fast[1].errors[1].message
    assert _key(fast[1]) == _key(slow[1])


def test_a_scheme_veto_still_runs_for_a_unit_with_an_error(tmp_path):
    """The scheme's veto reads 事故: it fires for 乙 beside 指标1's error (its note), and its blank 事故
    is a second error for 丙."""
    text = (
        _HEAD
        + '[[policies]]\ntype = "veto"\nwhen = "事故>0"\neffect = "lowest_grade"\n'
        + "\n".join([_indicator("1", 60, 'score = "值1"'), _indicator("2", 40, 'score = "值2"')])
    )
    fast, _, _ = _both(tmp_path, text, "单位,值1,值2,事故\n甲,50,40,0\n乙,,30,1\n丙,,30,\n")
    assert fast[1] is not None and [e.kind for e in fast[1].events] == ["veto"]
    assert [e.indicator for e in fast[1].errors] == ["1"]
    assert fast[2] is not None and [(e.indicator, e.field) for e in fast[2].errors] == [
        ("1", "值1"),
        (None, "事故"),
    ]


_CORPUS = settings(
    max_examples=int(os.environ.get("DIFF_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@given(case=cases())
@_CORPUS
def test_every_unit_marked_on_the_generated_schemes_gets_its_error_from_the_step(case):
    """On the differential tests' generated schemes and data, each unit the columns mark with an
    indicator's failure either has it confirmed by the indicator's own step, and then its outcome is
    the per-unit program's field by field, or goes back to the per-unit program because one of its
    marks is no error at all: the per-unit program reports no error for that indicator (a mark for
    what the columns cannot hold: a blank under a default the columns do not take there, an indicator
    reported per period under a ``missing`` rule …). So the step never fails to raise where the
    per-unit program words an error."""
    run = recorded_run(*case)
    if run is None:
        return
    fast, plan, scored = run.fast, run.plan, run.scored
    failures = scored.failures
    if failures is None or failures.candidates is None:
        return
    for i in failures.candidates.nonzero()[0].tolist():
        slow = run.per_unit(i)
        if isinstance(scored.errors.get(i), Failed):
            event("a marked unit: its error taken from the step")
            assert fast[i] is not None and _key(fast[i]) == _key(slow)
        else:
            event("a marked unit: sent back (the step did not raise)")
            assert fast[i] is None
            failed = {e.indicator for e in slow.errors}
            marked = [plan.indicators[k].code for k in failures.mask[i].nonzero()[0].tolist()]
            assert any(code not in failed for code in marked), run.units[i].name


def test_a_code_declared_not_applicable_that_the_scheme_lacks(tmp_path):
    """乙 declares 指标9 not applicable, which the scheme lacks: its error, beside its scores (80, 50)
    and 指标1's veto note, no total; 丙 declares 指标2 not applicable as well: its weight moves, and
    指标1 alone (80 of 60) is scored, no total either. 甲: 80/100 × 60 + 50/100 × 40 = 68 良."""
    text = _HEAD + "\n".join(
        [
            _indicator(
                "1",
                60,
                "full = 100",
                'score = "值1"',
                'policies = [{ type = "veto", when = "事故1>0", effect = "lowest_grade" }]',
            ),
            _indicator("2", 40, "full = 100", 'score = "值2"'),
        ]
    )
    data = "单位,值1,值2,事故1,不适用\n甲,80,50,0,\n乙,80,50,1,9\n丙,80,50,0,9、2\n"
    fast, _, _ = _both(tmp_path, text, data)
    assert all(o is not None for o in fast)  # the column program's, every one
    assert (fast[0].total, fast[0].grade) == (Decimal(68), "良")
    for o in fast[1:]:
        assert o.total is None and o.grade is None
        assert [(e.indicator, e.field, e.message) for e in o.errors] == [
            ("9", "not_applicable", "no indicator '9' in the scheme")
        ]
    assert [e.kind for e in fast[1].events] == ["veto"] and fast[1].scores == [Decimal(80), Decimal(50)]
    assert fast[2].scores == [Decimal(80), None]
