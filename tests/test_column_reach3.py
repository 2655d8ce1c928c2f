"""Blank cells an indicator's formulas never read, and a crossed ``clamp()`` beside a blank, in columns.

The per-unit program (tests/oracle.py) stops an indicator's formulas at the first thing it cannot
work out, in its order of evaluation: a blank cell read only in the branch of ``if()`` not taken is
no error, also where the branch's condition reads a step's value or a zero rule sits on a step
(followed over the steps' values), and a ``clamp()`` whose bounds are crossed raises only once its
arguments are worked out — a blank among them (or a division by 0 before it) comes first, which a
default for no data takes. Each test checks that the column program scores every unit as the
per-unit program does (none left unscored) and that every path (``evaluate`` with and without
explanations, the command line) agrees.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from perfrules import load, load_units
from test_column_forms2 import _both as _checked
from test_column_record import RECORDED, _compare

_HEAD = """
name = "可及"
basis = "points"
total = 100
groups = [{ name = "组1" }]

[scores]
"优" = [90, 100]
"差" = [0, 90]
"""


def _both(tmp_path: Path, text: str, data: str, *, head: str) -> dict[str, tuple[object, ...]]:
    """Every unit scored by the columns as the oracle scores it, every path agreeing, and every unit
    explained from the column program's record as the oracle explains it."""
    found = _checked(tmp_path, text, data, head=head)
    (tmp_path / "s.toml").write_text(head + text, encoding="utf-8")
    (tmp_path / "d.csv").write_text(data, encoding="utf-8")
    scheme = load(tmp_path / "s.toml")
    units = list(load_units(tmp_path / "d.csv", scheme=scheme))
    assert _compare(scheme, units)[RECORDED] == len(units)
    return found


def _indicator(body: str) -> str:
    return f'\n[[indicators]]\ncode = "1"\nname = "完成"\ngroup = "组1"\nweight = 100\n{body}'


# 甲 on the boundary (率 = 1: the branch not taken), 乙 below it, 丙 past it with 加分 blank (the
# indicator's error), 丁 past it with 加分 given, 戊 and 己 nothing done.
_BONUS = "单位,完成数,计划数,加分\n甲,10,10,\n乙,2,10,\n丙,12,10,\n丁,12,10,5\n戊,0,10,3\n己,0,10,\n"
_STEPS = 'steps = ["率 = 完成数/计划数", "超 = if(率 > 1, 加分, 0)"]\nscore = "率*50 + 超"\n'
_MISSING = "no value for '加分' in formula '超 = if(率 > 1, 加分, 0)'; did you mean '分值'?"


def _totals(found: dict[str, tuple[object, ...]]) -> list[object]:
    return [found[u][0] for u in "甲乙丙丁戊己"]


def test_a_blank_read_in_the_branch_not_taken_of_a_condition_on_a_step_is_no_error(tmp_path: Path) -> None:
    """超 = if(率 > 1, 加分, 0): 甲 (率 1) 50, 乙 10, 己 0 although 加分 is blank; 丙 reads it (its error)."""
    found = _both(tmp_path, _indicator(_STEPS), _BONUS, head=_HEAD)
    assert _totals(found) == [Decimal(50), Decimal(10), None, Decimal(65), Decimal(0), Decimal(0)]
    assert found["丙"][3] == [_MISSING]


def test_a_blank_not_read_beside_a_zero_rule_on_a_step(tmp_path: Path) -> None:
    """A zero rule on 率 (完成数 < 1) and one on 超 reading 率: worked out before the branch is chosen
    (己: 率 zeroed, 0); 甲, 乙 and 己 scored although 加分 is blank."""
    zero = 'policies = [{ type = "zero", target = "率", when = "完成数 < 1" }]\n'
    found = _both(tmp_path, _indicator(_STEPS + zero), _BONUS, head=_HEAD)
    assert _totals(found) == [Decimal(50), Decimal(10), None, Decimal(65), Decimal(0), Decimal(0)]
    assert found["丙"][3] == [_MISSING]
    zero = 'policies = [{ type = "zero", target = "超", when = "率 < 0.5" }]\n'
    found = _both(tmp_path, _indicator(_STEPS + zero), _BONUS, head=_HEAD)
    assert _totals(found) == [Decimal(50), Decimal(10), None, Decimal(65), Decimal(0), Decimal(0)]


def test_a_blank_not_read_beside_a_zero_rule_on_the_indicator(tmp_path: Path) -> None:
    """A zero rule on the indicator (完成数 < 1): 戊 and 己 0, 甲 and 乙 scored, 丙 its error."""
    zero = 'policies = [{ type = "zero", when = "完成数 < 1" }]\n'
    found = _both(tmp_path, _indicator(_STEPS + zero), _BONUS, head=_HEAD)
    assert _totals(found) == [Decimal(50), Decimal(10), None, Decimal(65), Decimal(0), Decimal(0)]


_CLAMP_DATA = "单位,完成数,计划数\n甲,10,10\n乙,9,0\n丙,,10\n丁,,0\n"
_DEFAULT = 'policies = [{ type = "default", score = 30 }]\n'


def test_a_blank_argument_of_a_crossed_clamp_comes_first(tmp_path: Path) -> None:
    """clamp(完成数, 5, 1): a blank 完成数 is read before the bounds are checked: the default (丙, 丁:
    30); the others the clamp's error. So with the blank the upper bound (clamp(1, 20, 完成数): 甲's
    10 and 乙's 9 below 20)."""
    for score, bounds in (
        ("clamp(完成数, 5, 1)*10", "5 is above upper bound 1"),
        ("clamp(1, 20, 完成数)", "20 is above upper bound 10"),
    ):
        text = _indicator(f'score = "{score}"\n{_DEFAULT}')
        found = _both(tmp_path, text, _CLAMP_DATA, head=_HEAD)
        assert [found[u][0] for u in "甲乙丙丁"] == [None, None, Decimal(30), Decimal(30)]
        assert found["甲"][3] == [f"clamp(): lower bound {bounds} in formula '{score}'"]


def test_a_crossed_clamp_before_a_blank_is_the_indicators_error(tmp_path: Path) -> None:
    """clamp(10, 5, 1) + 完成数: the clamp raises before 完成数 is read — the error for 丙 and 丁 too;
    完成数/计划数 + clamp(…): a division by 0 first is the default's (乙), a blank too (丙, 丁)."""
    text = _indicator(f'score = "clamp(10, 5, 1) + 完成数"\n{_DEFAULT}')
    found = _both(tmp_path, text, _CLAMP_DATA, head=_HEAD)
    assert [found[u][0] for u in "甲乙丙丁"] == [None, None, None, None]
    text = _indicator(f'score = "完成数/计划数 + clamp(10, 5, 1)"\n{_DEFAULT}')
    found = _both(tmp_path, text, _CLAMP_DATA, head=_HEAD)
    assert [found[u][0] for u in "甲乙丙丁"] == [None, Decimal(30), Decimal(30), Decimal(30)]


def test_a_crossed_clamp_in_the_branch_not_taken_beside_a_default(tmp_path: Path) -> None:
    """if(计划数 > 0, clamp(完成数, 5, 1), 20): 乙 (计划数 0) takes 20, never the clamp; 丙 and 丁's
    blank 完成数: 丁 never reads it (20), 丙 reads it before the bounds (30); 甲 the clamp's error."""
    text = _indicator(f'score = "if(计划数 > 0, clamp(完成数, 5, 1), 20)"\n{_DEFAULT}')
    found = _both(tmp_path, text, _CLAMP_DATA, head=_HEAD)
    assert [found[u][0] for u in "甲乙丙丁"] == [None, Decimal(20), Decimal(30), Decimal(20)]


_VETO_DATA = "单位,完成数,计划数\n甲,10,10\n乙,1,10\n丙,,10\n丁,5,0\n戊,1,0\n己,0,\n"


def test_a_veto_reading_a_step_worked_out_before_a_division_by_0_the_default_took(tmp_path: Path) -> None:
    """基 = 完成数×2, then 率 = 基/计划数: 丁 and 戊 divide by 0 in the second step (the default), but 基
    was worked out, so the veto 基 < 3 reads it — 丁 (基 10) keeps 30, 戊 (基 2) is vetoed to 0; 己's
    blank 计划数 likewise (基 0: 0); 丙's blank 完成数 leaves no 基: the veto's error."""
    text = _indicator(
        'steps = ["基 = 完成数*2", "率 = 基/计划数"]\nscore = "率*50"\n'
        'policies = [{ type = "default", score = 30 }, { type = "veto", when = "基 < 3" }]\n'
    )
    found = _both(tmp_path, text, _VETO_DATA, head=_HEAD)
    assert _totals(found) == [Decimal(100), Decimal(0), None, Decimal(30), Decimal(0), Decimal(0)]
    assert found["丙"][3] == ["no value for '基' in formula '基 < 3'"]
    # A veto reading the step that divided by 0 reads nothing there: the veto's error (丁, 戊).
    text = text.replace('when = "基 < 3"', 'when = "率 < 0.3"')
    found = _both(tmp_path, text, _VETO_DATA, head=_HEAD)
    assert _totals(found) == [Decimal(100), Decimal(0), None, None, None, None]
    assert found["丁"][3] == ["no value for '率' in formula '率 < 0.3'"]
