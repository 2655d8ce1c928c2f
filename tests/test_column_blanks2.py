"""Blank cells and cells that are not numbers where an indicator's default for no data and other rules
meet: the columns score each unit as the per-unit program (the oracle) does, none left unscored.

1. ``if(标志, 10, 值)`` with a default for no data, 标志 blank: the per-unit program stops at reading
   标志 (no value) before it asks for a truth value, and the default takes the indicator; without a
   default, the blank is the indicator's error (no value for 标志).
2. ``None``, text or an empty string handed in through ``Unit.data`` in a column that an indicator
   with a default for no data reads and a rule on the total reads too (a scheme-wide veto, an
   adjustment's count, a cap): the indicator's error (the cell is not a number; a default does not
   take it), and the veto's own error beside it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from oracle import score_unit
from perfrules import evaluate, load, load_units, loads
from perfrules.scheme.units import Unit
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of, score_columns
from test_column_record import _compare

_HEAD = """
name = "空值"
basis = "points"
total = 20
groups = [{ name = "g" }]
"""


def _indicator(code: int, body: str) -> str:
    return f'\n[[indicators]]\ncode = "{code}"\nname = "指标{code}"\ngroup = "g"\nweight = 10\n{body}'


def _check(scheme: Any, units: list[Unit]) -> list[Any]:
    """Every unit scored by the columns, as the oracle scores it; evaluate() agrees, explained (from
    the record) or not. Returns the columns' outcomes."""
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    fast = score_columns(plan, units, {})
    for unit, found in zip(units, fast, strict=True):
        slow = score_unit(plan, unit, {}, detail=False)
        assert found is not None, unit.data
        assert (found.total, found.scores, [str(e) for e in found.errors], found.flags) == (
            slow.total,
            slow.scores,
            [str(e) for e in slow.errors],
            slow.flags,
        ), unit.data
    _compare(scheme, units)
    by = {r.unit: r for r in evaluate(scheme, units)}
    for unit, found in zip(units, fast, strict=True):
        assert (by[unit.name].total, [str(e) for e in by[unit.name].errors]) == (
            found.total,
            [str(e) for e in found.errors],
        )
    return fast


def test_a_blank_condition_of_if_takes_the_indicators_default(tmp_path: Path) -> None:
    """乙's 标志 is blank: 指标1 takes its default 3 (3 + 4 = 7); 指标2 (no default) has its error,
    no value for 标志. 甲's and 丙's 标志 are numbers, no truth values: both indicators' errors."""
    text = (
        _HEAD
        + _indicator(1, 'score = "if(标志, 10, 值)"\npolicies = [{ type = "default", score = 3 }]\n')
        + _indicator(2, 'score = "if(标志, 10, 值2)"\n')
    )
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    (tmp_path / "d.csv").write_text("单位,标志,值,值2\n甲,1,5,3\n乙,,4,4\n丙,0,6,2\n", encoding="utf-8")
    scheme = load(tmp_path / "s.toml")
    fast = _check(scheme, list(load_units(tmp_path / "d.csv", scheme=scheme)))
    assert fast[1].scores == [Decimal(3), None]
    assert [str(e) for e in fast[1].errors] == [
        "unit '乙' (" + str(tmp_path / "d.csv") + " row 3), indicator 2, field '标志': "
        "no value for '标志' in formula 'if(标志, 10, 值2)'"
    ]
    assert [e.error for e in fast[0].errors] == ["InvalidValueError", "InvalidValueError"]


def test_a_blank_truth_value_takes_the_default_beside_given_ones() -> None:
    """Truth values handed in: True 10, False 值 (7), no 标志 the default 3; 指标2 reads 值2 (4)."""
    text = (
        _HEAD
        + _indicator(1, 'score = "if(标志, 10, 值)"\npolicies = [{ type = "default", score = 3 }]\n')
        + _indicator(2, 'score = "值2"\n')
    )
    units = [
        Unit(name="甲", data={"标志": True, "值": Decimal(5), "值2": Decimal(4)}),
        Unit(name="乙", data={"值": Decimal(5), "值2": Decimal(4)}),
        Unit(name="丙", data={"标志": False, "值": Decimal(7), "值2": Decimal(4)}),
    ]
    fast = _check(loads(text, format="toml"), units)
    assert [o.total for o in fast] == [Decimal(14), Decimal(7), Decimal(11)]


_RULES = {
    "veto": '[[policies]]\ntype = "veto"\nwhen = "事故>0"\neffect = "zero"\n',
    "adjust": '[[policies]]\ntype = "adjust"\nper = "事故"\npoints = -1\n',
    "cap": '[[policies]]\ntype = "adjust"\nper = "值"\npoints = 1\ncap = "if(事故 > 0, 1, 3)"\n',
}


def _shared(rule: str) -> str:
    return (
        _HEAD
        + _RULES[rule]
        + _indicator(1, 'score = "事故"\npolicies = [{ type = "default", score = 3 }]\n')
        + _indicator(2, 'score = "值2"\n')
    )


def test_a_cell_that_is_no_number_read_by_a_default_and_the_totals_rules_is_the_indicators_error() -> None:
    """事故 None, 'abc' or '' (read by 指标1, which has a default, and by a veto, an adjustment or a
    cap): 指标1's error (not a number; the default does not take it), 指标2 3, no total; the veto
    words its own error beside it. 事故 0 and 1 score as numbers."""
    cells: list[Any] = [Decimal(0), None, "abc", "", Decimal(1)]
    for rule in _RULES:
        units = [
            Unit(name=f"单位{i}", data={"事故": v, "值2": Decimal(3), "值": Decimal(2)})
            for i, v in enumerate(cells)
        ]
        fast = _check(loads(_shared(rule), format="toml"), units)
        for found in fast[1:4]:
            assert found.total is None
            assert found.scores == [None, Decimal(3)]
            assert "is not a number" in str(found.errors[0])
            assert len(found.errors) == (2 if rule == "veto" else 1), rule
        assert fast[0].scores == [Decimal(0), Decimal(3)]
        assert fast[4].scores == [Decimal(1), Decimal(3)]


def test_a_cell_that_is_no_number_whose_reader_does_not_apply_is_scored() -> None:
    """Where 指标1 (reading 事故) does not apply (标记 > 0), 事故 None is read by the veto alone: the
    total's error, as the per-unit program words it."""
    text = (
        _HEAD
        + _RULES["veto"]
        + _indicator(
            1,
            'score = "事故"\npolicies = [{ type = "default", score = 3 }, '
            '{ type = "not_applicable", when = "标记 > 0" }]\n',
        )
        + _indicator(2, 'score = "值2"\n')
    )
    units = [
        Unit(name="甲", data={"事故": None, "标记": Decimal(0), "值2": Decimal(3)}),
        Unit(name="乙", data={"事故": None, "标记": Decimal(1), "值2": Decimal(3)}),
        Unit(name="丙", data={"事故": Decimal(0), "标记": Decimal(1), "值2": Decimal(3)}),
    ]
    fast = _check(loads(text, format="toml"), units)
    assert fast[0].scores == [None, Decimal(3)]
    assert fast[1].total is None
    assert fast[2].total == Decimal(6)
