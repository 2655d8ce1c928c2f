"""Readers of other indicators' results where a result cannot be read, in the column program.

The per-unit program reads an indicator's results (指标1得分, 指标1得分率, 指标1·率) before it asks
anything else of it (:func:`perfrules.scoring.indstep.indicator_step`); where one cannot be read (the
read indicator does not apply, is not assessed or failed, its full points are 0, the step divides by
0) the reader does not apply where its rules say so on the unit's data alone — ``不适用2=1 or …``
holding before the result is reached — and elsewhere the reader's error is the read's. The column
program decides the same per unit (:mod:`perfrules.scoring.colresults`,
:mod:`perfrules.scoring.colabsent`) where it used to send every such unit to the per-unit program
(a read indicator that does not apply, full points of 0, a step read by a not-applicable rule or by
the total's rules that it could not work out). Hand-made cases pin each of those; generated schemes
and data compare everything with the per-unit program, with no unit sent back.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from perfrules import evaluate, load, load_units, loads
from perfrules.scheme.units import Unit
from perfrules.scoring.colresults import ABSENT
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_failures import _indicator
from test_column_program import _COLUMN_SETTINGS, _data_csv, _q
from test_column_record import _compare
from test_column_total_errors import _both

_HEAD = 'name = "读取结果"\nbasis = "points"\ntotal = {total}\ngroups = [{{ name = "组" }}]\n'


def _scheme(total: int, *indicators: str, top: str = "") -> str:
    return top + _HEAD.format(total=total) + "\n".join(indicators) + "\n"


def _checked(tmp_path: Path, text: str, data: str) -> tuple[list[Any], dict[str, Any]]:
    """Both programs (no unit sent back, every field the same, every path agreeing), the explanations
    from the column program's record, and evaluate()'s results by unit."""
    fast, _ = _both(tmp_path, text, data)
    scheme = load(tmp_path / "s.toml")
    units = list(load_units(tmp_path / "d.csv", scheme=scheme))
    assert set(_compare(scheme, units)) == {"record"}
    return fast, {r.unit: r for r in evaluate(scheme, units)}


def _errors(outcome: Any) -> list[tuple[str | None, str]]:
    return [(e.indicator, e.message) for e in outcome.errors]


_NO_SCORE = (
    "'指标1得分': indicator 1 指标1 has no score for this unit (it does not apply, or could not be scored)"
)


def test_a_rule_that_does_not_reach_the_result_of_an_indicator_that_does_not_apply(tmp_path):
    """指标1 applies to A only. 指标2's rule reads 不适用2 first: B (1) does not apply without reading
    指标1得分 (its 60 points move to 指标1 — which does not apply either: total 0); C (0) reads on and
    has 指标2's error. A: 4 < 5, so 指标2 does not apply; 指标3 reads 指标1得分 in its score
    (min(8, 4) = 4) and applies to A only: (4 + 4) × 110/50 = 17.6; B has no error for it."""
    text = _scheme(
        110,
        _indicator("1", 40, 'score = "值1"', 'applies_to = ["A"]'),
        _indicator(
            "2",
            60,
            'score = "值2"',
            'policies = [{ type = "not_applicable", when = "不适用2=1 or 指标1得分<5", reason = "不考核" }]',
        ),
        _indicator("3", 10, 'score = "min(值3, 指标1得分)"', 'applies_to = ["A", "X"]'),
    )
    data = "单位,值1,值2,值3,不适用2\nA,4,50,8,0\nB,4,50,8,1\nC,4,50,8,0\n"
    fast, results = _checked(tmp_path, text, data)
    a, b, c = fast
    assert (a.total, _errors(a)) == (Decimal("17.6"), [])
    assert a.scores == [Decimal(4), None, Decimal(4)]
    assert b.errors == [] and b.scores == [None, None, None] and b.total == 0
    assert _errors(c) == [("2", _NO_SCORE)] and c.total is None
    assert "不考核" in results["B"].explain()


def test_a_later_rule_holds_after_and_stops_short(tmp_path):
    """``不适用2=1 and 指标1得分<5`` does not hold where 不适用2 is 0, without reading 指标1得分; the next
    rule, 值2<0, then decides: B (−1) does not apply, C (5) has 指标2's error."""
    text = _scheme(
        100,
        _indicator("1", 40, 'score = "值1"', 'applies_to = ["A"]'),
        _indicator(
            "2",
            60,
            'score = "max(值2, 0)"',
            'policies = [{ type = "not_applicable", when = "不适用2=1 and 指标1得分<5" },'
            ' { type = "not_applicable", when = "值2<0", reason = "无此项" }]',
        ),
    )
    data = "单位,值1,值2,不适用2\nA,30,50,0\nB,30,-1,0\nC,30,5,0\nD,30,5,1\n"
    fast, results = _checked(tmp_path, text, data)
    assert (fast[0].total, fast[1].total) == (Decimal(80), Decimal(0))
    assert fast[1].errors == [] and "无此项" in results["B"].explain()
    assert _errors(fast[2]) == [("2", _NO_SCORE)] and _errors(fast[3]) == [("2", _NO_SCORE)]


def test_a_division_by_a_result_not_reached(tmp_path):
    """``不适用2=1 or 值2/指标1得分>5``: B (指标1 does not apply; its column holds 0 there) does not
    apply by 不适用2 before the division; C divides by the result it lacks: 指标2's error. A: 50/4 >
    5, so 指标2 does not apply (4 × 100/40 = 10)."""
    text = _scheme(
        100,
        _indicator("1", 40, 'score = "值1"', 'applies_to = ["A"]'),
        _indicator(
            "2",
            60,
            'score = "值2"',
            'policies = [{ type = "not_applicable", when = "不适用2=1 or 值2/指标1得分>5" }]',
        ),
    )
    fast, _ = _checked(tmp_path, text, "单位,值1,值2,不适用2\nA,4,50,0\nB,0,50,1\nC,0,50,0\n")
    assert [o.total for o in fast] == [Decimal(10), Decimal(0), None]
    assert fast[1].errors == [] and _errors(fast[2]) == [("2", _NO_SCORE)]


def test_a_share_of_no_points(tmp_path):
    """指标1 weighs 0 (no categories: it is scored, with full points of 0): its share cannot be read.
    A's 不适用2 is 1 (指标2 does not apply); B reads 指标1得分率: 指标2's error."""
    text = _scheme(
        40,
        _indicator("1", 0, 'score = "值1"'),
        _indicator(
            "2",
            40,
            'score = "值2"',
            'policies = [{ type = "not_applicable", when = "不适用2=1 or 指标1得分率<0.5" }]',
        ),
    )
    fast, _ = _checked(tmp_path, text, "单位,值1,值2,不适用2\nA,5,40,1\nB,0,40,0\n")
    assert fast[0].errors == [] and fast[0].total == 0
    assert _errors(fast[1]) == [("2", "'指标1得分率': indicator 1 指标1 has no points for this unit")]


def test_a_share_per_category_with_none(tmp_path):
    """指标1 weighs 0 for 乙类 (not assessed there: no score, full points of 0); 指标2 reads its share
    in its score: 乙类's units have its error, 甲类's are scored (30/40 × 60 = 45, + 30)."""
    text = _scheme(
        100,
        _indicator("1", 40, 'weights = { "甲类" = 40, "乙类" = 0 }', 'score = "值1"'),
        _indicator("2", 60, 'score = "min(值2, 指标1得分率×60)"'),
    ).replace("total = 100\n", 'total = 100\ncategories = ["甲类", "乙类"]\ntotals = { "乙类" = 60 }\n')
    data = "单位,类别,值1,值2\nA,甲类,30,60\nB,乙类,30,60\n"
    fast, _ = _checked(tmp_path, text, data)
    assert fast[0].total == 75 and fast[1].total is None
    assert [e.indicator for e in fast[1].errors] == ["2"]
    assert "has no score" in fast[1].errors[0].message


_STEP = _indicator(
    "1",
    40,
    'steps = ["率=值1/目标1"]',
    'score = "率*40"',
    'policies = [{ type = "not_applicable", when = "目标1=0" }]',
)


def test_a_step_a_rule_reads_that_divides_by_0(tmp_path):
    """指标1·率 divides by 目标1: 0 for B and C (指标1 does not apply there). B's 不适用2 is 1: 指标2
    does not apply before its rule reads the step; C reads it: 指标2's error is the division's. A
    reads 0.5, not below 0.5 (20 + 50); D's 1 is not either (40 + 50)."""
    text = _scheme(
        100,
        _STEP,
        _indicator(
            "2",
            60,
            'score = "值2"',
            'policies = [{ type = "not_applicable", when = "不适用2=1 or 指标1·率<0.5" }]',
        ),
    )
    data = "单位,值1,目标1,值2,不适用2\nA,1,2,50,0\nB,1,0,50,1\nC,1,0,50,0\nD,1,1,50,0\n"
    fast, _ = _checked(tmp_path, text, data)
    assert [o.total for o in fast] == [Decimal(70), Decimal(0), None, Decimal(90)]
    division = "division by zero in '率=值1/目标1': '目标1' is 0 (with 值1=1, 目标1=0)"
    assert _errors(fast[2]) == [("2", division)]


def test_a_step_the_total_reads_that_divides_by_0(tmp_path):
    """The total formula reads 指标1·率: where 目标1 is 0 (指标1 does not apply, 指标2 scores) the
    total's error is the division's; elsewhere 值2 + 率."""
    text = _scheme(
        100, _STEP, _indicator("2", 60, 'score = "值2"'), top='total_formula = "指标2得分 + 指标1·率"\n'
    )
    fast, _ = _checked(tmp_path, text, "单位,值1,目标1,值2\nA,1,2,50\nB,1,0,50\n")
    assert fast[0].total == Decimal("50.5")
    assert _errors(fast[1]) == [
        (None, "division by zero in '率=值1/目标1': '目标1' is 0 (with 值1=1, 目标1=0)")
    ]
    assert fast[1].scores == [None, Decimal(50)]


def test_the_batch_says_where_each_result_is_absent():
    """The program leaves, per result read, the units it cannot be read for (explanations read it)."""
    text = _scheme(
        100,
        _indicator("1", 40, 'score = "值1"', 'applies_to = ["A"]'),
        _indicator("2", 60, 'score = "min(值2, 指标1得分)"', 'applies_to = ["A", "B"]'),
    )
    scheme = loads(text, format="toml")
    program = program_of(plan_of(scheme))
    assert program is not None
    record: dict[str, Any] = {}
    units = [Unit(name=n, data={"值1": Decimal(3), "值2": Decimal(9)}) for n in "ABC"]
    found = program.run(units, record=record)
    assert record["cols"][ABSENT]["指标1得分"].tolist() == [False, True, True]
    assert [o is not None for o in found] == [True, True, True]
    assert [_errors(o) for o in found] == [[], [("2", _NO_SCORE)], []]  # (C: 指标2 does not apply)


def test_a_rule_over_words_beside_one_reading_a_result(tmp_path):
    """指标2's first rule reads the words of 评价1 as a number: its error for every unit, as the per-unit
    program gives it (the column program scored 指标2 without a word when another of its rules read a
    result: the words' error was looked for before those rules ran)."""
    text = _scheme(
        100,
        _indicator("1", 40, 'value = "评价1"', 'scale = { rule = "优—40分;良—32分;差—0分" }'),
        _indicator(
            "2",
            60,
            'score = "值2"',
            'policies = [{ type = "not_applicable", when = "评价1 = 1" },'
            ' { type = "not_applicable", when = "指标1得分<5" }]',
        ),
    )
    fast, _ = _checked(tmp_path, text, "单位,评价1,值2\nA,优,50\nB,良,40\n")
    assert [o.total for o in fast] == [None, None]
    assert _errors(fast[0]) == [
        (
            "2",
            "评价1='优' (str) is not a number; give an int, float, Decimal or Fraction in formula '评价1 = 1'",
        )
    ]
    assert fast[1].scores == [Decimal(32), None]


_RULES = [
    "不适用2=1 or 指标1得分<5",
    "不适用2=1 and 指标1得分<5",
    "指标1得分<5 or 不适用2=1",
    "if(不适用2=1, 分值>0, 指标1得分<5)",
    "不适用2=1 or 2<指标1得分<5",
    "不适用2=1 or 量2/(指标1得分+1)>5",
    "量2/门2>4 or 指标1得分<5",
    "不适用2=1 or 指标1得分率<0.5",
    "不适用2=1 or 指标1·率<0.5",
    "不适用2=0 or 指标1得分>=分值×0.9",
]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """Indicator 1 (a rate step, maybe applying to some units or by a rule of its own, or failing on a
    blank); indicator 2 reading its results in not-applicable rules, in turn, and its score; maybe
    indicator 3 reading 2's score; maybe the total formula reading 1's step."""
    units = [f"单位{i}" for i in range(draw(st.integers(1, 8)))]
    categories = draw(st.booleans())
    lines1 = ['steps = ["率=值1/目标1"]', 'score = "min(率×10, 10)"']
    if draw(st.booleans()):
        lines1.append(f"applies_to = [{', '.join(_q(u) for u in units if draw(st.booleans()))}]")
    if draw(st.booleans()):
        lines1.append('policies = [{ type = "not_applicable", when = "目标1=0" }]')
    unassessed = categories and draw(st.booleans())
    if unassessed:  # (not assessed for 乙类: the category's total is the others')
        lines1.append('weights = { "甲类" = 10, "乙类" = 0 }')
    rules = [
        f'{{ type = "not_applicable", when = {_q(rule)} }}'
        for rule in draw(st.lists(st.sampled_from(_RULES), min_size=1, max_size=2, unique=True))
    ]
    if draw(st.booleans()):
        rules.insert(
            draw(st.integers(0, len(rules))), '{ type = "not_applicable", when = "量2<0", reason = "无此项" }'
        )
    if draw(st.booleans()):
        rules.insert(draw(st.integers(0, len(rules))), '{ type = "not_applicable", missing = ["基2"] }')
    score2 = draw(st.sampled_from(["max(值2, 0×基2)", "max(值2, 0×基2) + 指标1得分/10"]))
    lines2 = [f'score = "{score2}"', f"policies = [{', '.join(rules)}]"]
    if draw(st.booleans()):
        lines2.append(f"applies_to = [{', '.join(_q(u) for u in units if draw(st.booleans()))}]")
    indicators = [_indicator("1", 10, *lines1), _indicator("2", 10, *lines2)]
    if draw(st.booleans()):
        when = draw(st.sampled_from(["不适用3=1 or 指标2得分<5", "指标2得分率<0.5"]))
        indicators.append(
            _indicator(
                "3",
                10,
                f'score = "{draw(st.sampled_from(["值3", "min(值3, 指标2得分)"]))}"',
                f'policies = [{{ type = "not_applicable", when = {_q(when)} }}]',
            )
        )
    top = 'total_formula = "指标1得分 + 指标2得分 + 指标1·率"\n' if draw(st.integers(0, 3)) == 0 else ""
    text = _scheme(10 * len(indicators), *indicators, top=top)
    if categories:
        totals = f'totals = {{ "乙类" = {10 * len(indicators) - 10} }}\n' if unassessed else ""
        text = text.replace("groups = [", f'categories = ["甲类", "乙类"]\n{totals}groups = [', 1)

    def column(values: list[str]) -> list[str]:
        return [draw(st.sampled_from(values)) for _ in units]

    columns = {
        "值1": column(["5", "3", "10", "0", ""]),
        "目标1": column(["10", "10", "4", "0"]),
        "值2": column(["6", "4.5", "-1", "10", ""]),
        "量2": column(["6", "-1", "10"]),
        "门2": column(["1", "2"]),
        "基2": column(["1", "1", ""]),
        "不适用2": column(["0", "0", "1"]),
        "值3": column(["3", "8"]),
        "不适用3": column(["0", "1"]),
    }
    declared = column(["", "", "", "2", "1"])
    if any(declared):
        columns["不适用"] = declared
    kinds = [draw(st.sampled_from(["甲类", "乙类"])) for _ in units] if categories else None
    return text, _data_csv(units, columns, kinds)


@given(case=cases())
@_COLUMN_SETTINGS
def test_readers_of_absent_results_score_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("reach")
    _checked(folder, *case)
