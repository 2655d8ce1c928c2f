"""``True``/``False`` handed in through ``Unit.data`` where a condition reads the column.

``evaluate(scheme, [Unit(name=..., data={"标志": True, ...})])``: the per-unit program reads such a cell
as the truth value it is where a condition reads it (``if(标志, 10, 0)``, ``and``/``or``/``not``, a
policy's ``when``: a default, not-applicable, zero or veto rule), and refuses it where a number is
needed (arithmetic, a comparison: the indicator's error). The columns hand such a column to the
indicators' compiled formulas as a truth column (:func:`perfrules.scoring.coldoubt.truths`) and score
those units as the per-unit program (the oracle) does: none is left unscored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from oracle import score_unit
from perfrules import evaluate, loads
from perfrules.scheme.units import Unit
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of, score_columns
from test_column_program import _COLUMN_SETTINGS
from test_column_record import _compare


def _indicator(code: int, body: str) -> str:
    return f'\n[[indicators]]\ncode = "{code}"\nname = "指标{code}"\ngroup = "组1"\nweight = 10\n{body}'


_SCHEME = (
    """
name = "真值数据"
basis = "points"
total = 80
groups = [{ name = "组1" }]

[scores]
"优" = [90, 100]
"差" = [0, 90]
"""
    + _indicator(1, 'score = "if(标志1, 10, 值)"\n')
    + _indicator(2, 'score = "if(标志2 and 值 > 5, 10, 5)"\n')
    + _indicator(3, 'score = "if(not 标志3 or 值 > 5, 10, 5)"\n')
    + _indicator(4, 'steps = ["s = if(标志4, 9, 值)"]\nscore = "s"\n')
    + _indicator(5, 'score = "值"\npolicies = [{ type = "default", score = 3, when = "标志5" }]\n')
    + _indicator(6, 'score = "值"\npolicies = [{ type = "not_applicable", when = "标志6" }]\n')
    + _indicator(7, 'score = "值"\npolicies = [{ type = "zero", when = "标志7" }]\n')
    + _indicator(8, 'score = "值"\npolicies = [{ type = "veto", when = "标志8" }]\n')
)
_FLAGS = [f"标志{k}" for k in range(1, 9)]
_NUMBERS = [Decimal(7), Decimal(3)]


def _units(rows: list[dict[str, Any]]) -> list[Unit]:
    return [Unit(name=f"单位{i}", data=data) for i, data in enumerate(rows)]


def _check(text: str, units: list[Unit]) -> list[Any]:
    """Every unit scored by the columns (none left unscored), field by field as the per-unit program
    scores it; evaluate() agrees, explained (from the record) or not. Returns the columns' outcomes."""
    scheme = loads(text, format="toml")
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    fast = score_columns(plan, units, {})
    for unit, found in zip(units, fast, strict=True):
        slow = score_unit(plan, unit, {}, detail=False)
        assert found is not None, unit.data
        assert (found.total, found.grade, [str(e) for e in found.errors], found.flags) == (
            slow.total,
            slow.grade,
            [str(e) for e in slow.errors],
            slow.flags,
        ), unit.data
        assert found.scores == slow.scores, unit.data
    _compare(scheme, units)
    by = {r.unit: r for r in evaluate(scheme, units)}
    for unit in units:
        slow = score_unit(plan, unit, {}, detail=False)
        assert (by[unit.name].total, by[unit.name].grade, [str(e) for e in by[unit.name].errors]) == (
            slow.total,
            slow.grade,
            [str(e) for e in slow.errors],
        )
    return fast


def test_bools_read_by_conditions_are_scored_as_truth_values():
    """甲 (every flag True, 值 7): 10, 10 (True and 7 > 5), 10 (7 > 5), 9, the default's 3, not
    applicable, 0 (the zero rule), 7 vetoed: total 0. 乙 (False, 3): 3, 5, 10 (not False), 3, 3, 3, 3, 3:
    33. 丙 (True, 3): 10, 5, 5, 9, 3, n/a, 0, 3 vetoed: 0."""
    flags = dict.fromkeys(_FLAGS, True)
    off = dict.fromkeys(_FLAGS, False)
    units = _units([{**flags, "值": Decimal(7)}, {**off, "值": Decimal(3)}, {**flags, "值": Decimal(3)}])
    fast = _check(_SCHEME, units)
    assert fast[0].scores == [10, 10, 10, 9, 3, None, 0, 7]
    assert fast[1].scores == [3, 5, 10, 3, 3, 3, 3, 3]
    assert fast[2].scores == [10, 5, 5, 9, 3, None, 0, 3]
    assert [o.total for o in fast] == [0, 33, 0]


def test_a_bool_beside_numbers_text_and_none_in_one_column():
    """In one column: 甲's True is a truth value (10), 乙's False reads 值 (3); 丙's number 1 and 丁's
    text are no truth value (the indicator's error, as the oracle words it); 戊's None itself, too."""
    text = _SCHEME.split("\n[[indicators]]")[0].replace("total = 80", "total = 10") + _indicator(
        1, 'score = "if(标志1, 10, 值)"\n'
    )
    units = _units(
        [
            {"标志1": True, "值": Decimal(3)},
            {"标志1": False, "值": Decimal(3)},
            {"标志1": 1, "值": Decimal(3)},
            {"标志1": "是", "值": Decimal(3)},
            {"标志1": None, "值": Decimal(3)},
        ]
    )
    fast = _check(text, units)
    assert [o.total for o in fast] == [10, 3, None, None, None]
    assert [str(e) for e in fast[2].errors] == [
        "unit '单位2', indicator 1: 1 (number) used where a truth value (condition) is needed in formula "
        "'if(标志1, 10, 值)'"
    ]
    assert [str(e) for e in fast[3].errors] == [
        "unit '单位3', indicator 1: 标志1='是' (str) is not a number; give an int, float, Decimal or "
        "Fraction in formula 'if(标志1, 10, 值)'"
    ]


def test_a_bool_read_as_a_number_keeps_the_indicators_error():
    """``标志 + 值`` and ``标志 > 0``: the per-unit program refuses the truth value (the indicator's
    error, naming it); the columns give that error, and score the units without a bool."""
    head = _SCHEME.split("\n[[indicators]]")[0].replace("total = 80", "total = 20")
    text = head + _indicator(1, 'score = "标志1 + 值"\n') + _indicator(2, 'score = "if(标志2 > 0, 10, 5)"\n')
    units = _units(
        [{"标志1": True, "标志2": False, "值": Decimal(3)}, {"标志1": 1, "标志2": 1, "值": Decimal(3)}]
    )
    fast = _check(text, units)
    assert [str(e) for e in fast[0].errors] == [
        "unit '单位0', indicator 1: True (truth value) used where a number is needed in formula '标志1 + 值'",
        "unit '单位0', indicator 2: a truth value cannot be compared as a number in formula "
        "'if(标志2 > 0, 10, 5)'",
    ]
    assert fast[1].total == 14


def test_a_parameters_table_does_not_stand_in_for_a_bool():
    """``parameters = { 标志1 = { 单位0 = 1, 单位1 = 0 } }``: 单位0's own True is read (10), not the table's
    1; 单位1 gives none, so the table's 0 stands in, a number as a condition (the indicator's error);
    单位2's own False reads 值 (3)."""
    head = _SCHEME.split("\n[[indicators]]")[0].replace("total = 80", "total = 10")
    head = head.replace("groups = [", 'parameters = { "标志1" = { "单位0" = 1, "单位1" = 0 } }\ngroups = [')
    text = head + _indicator(1, 'score = "if(标志1, 10, 值)"\n')
    units = _units(
        [{"标志1": True, "值": Decimal(3)}, {"值": Decimal(3)}, {"标志1": False, "值": Decimal(3)}]
    )
    fast = _check(text, units)
    assert [o.total for o in fast] == [10, None, 3]
    assert [str(e) for e in fast[1].errors] == [
        "unit '单位1', indicator 1: 0 (number) used where a truth value (condition) is needed in formula "
        "'if(标志1, 10, 值)'"
    ]


def test_a_bool_the_rules_on_the_total_read():
    """A scheme-wide veto ``when = "标志1"`` (zero): 单位0's True vetoes its total to 0, 单位1's False
    leaves 值 (7); 单位2 without the flag has the rule's error; 单位3's number 1 is not vetoed (5), as
    the oracle has it. The same with an indicator's ``if(标志1, 10, 值)`` reading the flag as well."""
    head = _SCHEME.split("\n[[indicators]]")[0].replace("total = 80", "total = 10")
    veto = '\n[[policies]]\ntype = "veto"\nwhen = "标志1"\neffect = "zero"\n'
    head = head.replace("\n[scores]", veto + "\n[scores]")
    units = _units(
        [
            {"标志1": True, "值": Decimal(7)},
            {"标志1": False, "值": Decimal(7)},
            {"值": Decimal(3)},
            {"标志1": 1, "值": Decimal(5)},
        ]
    )
    fast = _check(head + _indicator(1, 'score = "值"\n'), units)
    assert [o.total for o in fast] == [0, 7, None, 5]
    assert [str(e) for e in fast[2].errors] == [
        "unit '单位2', field '标志1': no value for '标志1' in formula '标志1'"
    ]
    assert fast[0].vetoed and not fast[1].vetoed
    fast = _check(head + _indicator(1, 'score = "if(标志1, 10, 值)"\n'), units)
    assert [o.total for o in fast[:2]] == [0, 7]
    # (beside a default for no data: 单位0 and 单位1's bools are no blank it takes)
    text = head + _indicator(1, 'score = "if(标志1, 10, 值)"\npolicies = [{ type = "default", score = 3 }]\n')
    fast = _check(text, [units[0], units[1], units[3]])
    assert [o.total for o in fast] == [0, 7, None]


@given(
    st.lists(
        st.fixed_dictionaries(
            {"值": st.sampled_from(_NUMBERS)},
            optional={name: st.sampled_from([True, False]) for name in _FLAGS},
        ),
        min_size=1,
        max_size=5,
    )
)
@_COLUMN_SETTINGS
@example([{"值": Decimal(7), "标志1": True}, {"值": Decimal(3), "标志1": False}])
def test_bools_anywhere_a_condition_reads_them_match_the_oracle(rows):
    _check(_SCHEME, _units(rows))
