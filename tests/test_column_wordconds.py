"""A word scale whose own rules read the words it grades as numbers, in the column program.

指标1 grades 审计结论 by its word scale (好 95, 较好 85, 一般 70, 差 40), and its own ``default … when``,
zero rules or vetoes read 审计结论 as a number (``审计结论 = 1``). The per-unit program raises where such
a condition gets to a cell that is not a plain number — a word (``'好' (str) is not a number``; a file's
``1`` is text too) or a blank — and only there: ``and``/``or`` decided before it, a ``default … when``
after one that held, a zero rule after one that held or where a default took the unit, an ``if`` branch
not taken read nothing. The column program once marked every unit of such an indicator as its error and
left the units whose step raised nothing unscored (``NotScoredError``); it reads the words as numbers
in those conditions now (:mod:`perfrules.scoring.colwordconds`). Each case: no unit left unscored,
each outcome the per-unit program's field by field, the API (explained from the record and not) and
the command line agree; the tests pin the scores and errors.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from column_cases import score_both
from oracle import score_unit
from perfrules import Unit, loads
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of, score_columns
from test_column_record import RECORDED, _compare

_HEAD = """
name = "词条件"
total = 100
groups = [{ name = "组" }]

[[indicators]]
code = "1"
name = "审计"
group = "组"
weight = 50
value = "审计结论"
%s
[indicators.scale]
rule = "好—95分;较好—85分;一般—70分;差—40分"

[[indicators]]
code = "2"
name = "其他"
group = "组"
weight = 50
score = "值3"
"""

# 甲 好 (值2 3), 乙 blank (4), 丙 8 (5, no word of the scale), 丁 一般 (2, no 值3), 戊 差 (0), 己 1 (0),
# 庚 较好 (6).
_DATA = "单位,审计结论,值2,值3\n甲,好,3,90\n乙,,4,80\n丙,8,5,70\n丁,一般,2,\n戊,差,0,88\n己,1,0,50\n庚,较好,6,60\n"

_FORMS = {
    "default": '{ type = "default", score = 10, when = "审计结论 = 1" }',
    "default and": '{ type = "default", score = 10, when = "值2 > 3 and 审计结论 = 1" }',
    "default or": '{ type = "default", score = 10, when = "值2 < 3 or 审计结论 = 1" }',
    "two defaults": '{ type = "default", score = 10, when = "值2 = 0" }, '
    '{ type = "default", score = 20, when = "审计结论 = 1" }',
    "default if": '{ type = "default", score = 10, when = "if(值2 > 3, 审计结论 = 1, 值2 = 0)" }',
    "default full points": '{ type = "default", score = 10, when = "分值 < 3 and 审计结论 = 1" }',
    "zero": '{ type = "zero", when = "审计结论 = 1" }',
    "zero and": '{ type = "zero", when = "值2 > 3 and 审计结论 > 1" }',
    "two zeros": '{ type = "zero", when = "值2 = 0" }, { type = "zero", when = "审计结论 = 1" }',
    "default then zero": '{ type = "default", score = 10, when = "值2 = 0" }, '
    '{ type = "zero", when = "审计结论 > 1" }',
    "veto": '{ type = "veto", when = "审计结论 = 1" }',
    "veto and": '{ type = "veto", when = "值2 > 3 and 审计结论 = 1" }',
    "default beside a veto": '{ type = "default", score = 10, when = "值2 = 0" }, '
    '{ type = "veto", when = "值2 < 4 or 审计结论 > 1" }',
    "not applicable first": '{ type = "not_applicable", when = "值2 = 0" }, '
    '{ type = "zero", when = "审计结论 = 1" }',
}


def _scheme(form: str) -> str:
    return _HEAD % f"policies = [{_FORMS[form]}]"


def _agree(tmp_path: Path, form: str, data: str = _DATA) -> list[Any]:
    """The column program's outcomes: none left unscored, each the per-unit program's; every path
    agrees, and every unit scored without error is explained from the record as the oracle explains it."""
    found = score_both(tmp_path, _scheme(form), data)
    by = _compare(found.scheme, found.units)
    assert by[RECORDED] >= sum(1 for f in found.fast if not f.errors), by
    return found.fast


def _word(word: str, formula: str) -> str:
    return f"审计结论='{word}' (str) is not a number; give an int, float, Decimal or Fraction in formula '{formula}'"


def _blank(formula: str) -> str:
    return f"no value for '审计结论' in formula '{formula}'"


_NO_CATEGORY = "no value for '审计结论' in formula 'the category of 1 审计'"
_NO_3 = "no value for '值3' in formula '值3'"


def _errors(outcome: Any) -> list[tuple[str | None, str]]:
    return [(e.indicator, e.message.replace("; did you mean '值2'?", "")) for e in outcome.errors]


@pytest.mark.parametrize("form", sorted(_FORMS))
def test_each_form_scores_as_the_per_unit_program(tmp_path: Path, form: str) -> None:
    """Every form: no unit left unscored, every path the per-unit program's outcome."""
    fast = _agree(tmp_path, form)
    assert len(fast) == 7


def test_a_default_after_and_reads_the_word_only_where_the_first_operand_holds(tmp_path: Path) -> None:
    """``值2 > 3 and 审计结论 = 1``: 甲 (3), 丁 (2), 戊 (0), 己 (0) never read the word: graded (95, 70, 40;
    己's 1 is no word of the scale); 乙 (4) reads a blank, 丙 (5) 8 and 庚 (6) 较好, words: their errors."""
    fast = _agree(tmp_path, "default and")
    formula = "值2 > 3 and 审计结论 = 1"
    assert [_errors(o) for o in fast] == [
        [],
        [("1", _blank(formula))],
        [("1", _word("8", formula))],
        [("2", _NO_3)],
        [],
        [("1", "no grade '1' in this scale (grades: 好, 较好, 一般, 差)")],
        [("1", _word("较好", formula))],
    ]
    assert [o.scores[0] for o in fast] == [Decimal(95), None, None, Decimal(70), Decimal(40), None, None]
    assert [o.total for o in fast] == [Decimal("92.5"), None, None, None, Decimal(64), None, None]


def test_a_second_default_is_read_only_where_the_first_did_not_hold(tmp_path: Path) -> None:
    """``值2 = 0`` takes 戊 and 己 (10 points); the others read ``审计结论 = 1`` and raise on their word."""
    fast = _agree(tmp_path, "two defaults")
    formula = "审计结论 = 1"
    assert [_errors(o) for o in fast] == [
        [("1", _word("好", formula))],
        [("1", _blank(formula))],
        [("1", _word("8", formula))],
        [("1", _word("一般", formula)), ("2", _NO_3)],
        [],
        [],
        [("1", _word("较好", formula))],
    ]
    assert [o.scores[0] for o in fast][4:6] == [Decimal(10), Decimal(10)]
    assert [o.total for o in fast][4:6] == [Decimal(49), Decimal(30)]


def test_a_zero_rule_after_a_default_that_took_the_unit_is_not_read(tmp_path: Path) -> None:
    """戊 and 己 (值2 = 0) take the default: the zero rule on the word is never read there; elsewhere it
    is, after the grading (丙's 8 is no word of the scale: that error first; 乙's blank word too)."""
    fast = _agree(tmp_path, "default then zero")
    formula = "审计结论 > 1"
    assert [_errors(o) for o in fast] == [
        [("1", _word("好", formula))],
        [("1", _NO_CATEGORY)],
        [("1", "no grade '8' in this scale (grades: 好, 较好, 一般, 差)")],
        [("1", _word("一般", formula)), ("2", _NO_3)],
        [],
        [],
        [("1", _word("较好", formula))],
    ]
    assert [o.total for o in fast][4:6] == [Decimal(49), Decimal(30)]


def test_a_veto_read_where_its_first_operand_does_not_decide(tmp_path: Path) -> None:
    """``值2 < 4 or 审计结论 > 1`` fires for 甲 (3), 丁 (2), 戊 and 己 (0) without reading the word (the
    default took 戊 and 己 first: 10 points, vetoed all the same: total 0); 乙 (4) and 丙 (5) would read
    it, but the grading before the veto raises first (乙's blank word, 丙's 8); 庚 (6) reads 较好."""
    fast = _agree(tmp_path, "default beside a veto")
    formula = "值2 < 4 or 审计结论 > 1"
    assert [_errors(o) for o in fast] == [
        [],
        [("1", _NO_CATEGORY)],
        [("1", "no grade '8' in this scale (grades: 好, 较好, 一般, 差)")],
        [("2", _NO_3)],
        [],
        [],
        [("1", _word("较好", formula))],
    ]
    assert [o.scores[0] for o in fast] == [
        Decimal(95),
        None,
        None,
        Decimal(70),
        Decimal(10),
        Decimal(10),
        None,
    ]
    assert [o.vetoed for o in fast] == [True, False, False, False, True, True, False]
    assert [o.total for o in fast] == [Decimal(0), None, None, None, Decimal(0), Decimal(0), None]


def test_units_the_api_hands_numbers_in_the_column_of_words() -> None:
    """Through the API a number in 审计结论 is read as the number it is by the rules (and is no word of
    the scale); every unit is the per-unit program's outcome, none left unscored."""
    given: list[object] = ["好", "差", "", "1", None, Decimal(1), 1, Decimal(2), 1.5]
    for form in ("default and", "two zeros", "veto and", "default if"):
        plan = plan_of(loads(_scheme(form)))
        assert program_of(plan) is not None, plan.program_why
        units = []
        for value in given:
            for other in (Decimal(0), Decimal(4)):
                data: dict[str, object] = {"值2": other, "值3": Decimal(60)}
                if value is not None:
                    data["审计结论"] = value
                units.append(Unit(name=f"u{len(units)}", data=data))
        fast = score_columns(plan, units, {})
        slow = [score_unit(plan, u, {}, detail=False) for u in units]
        assert all(f is not None for f in fast), form
        for f, s in zip(fast, slow, strict=True):
            assert f is not None
            assert (f.total, f.scores, _errors(f)) == (s.total, s.scores, _errors(s)), form
        assert any(s.total is not None for s in slow) and any(s.errors for s in slow)
