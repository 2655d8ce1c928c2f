"""``Unit`` objects whose cells hold Python numbers the columns used to leave to the per-unit program.

``evaluate(scheme, [Unit(name=..., data={...})])`` may be given a ``float`` (``87.5``), a
``Fraction``, an ``int`` (or a subclass), a NumPy ``float64``, ``None`` itself. The per-unit program
reads a number by :func:`perfrules._numbers.to_number` (a float by its shortest repr: ``0.57`` is
57/100); the columns now read such a cell the same way, once per distinct value
(:func:`perfrules._intcols.from_values`), into the integer column. Where ``to_number`` refuses the
value (``nan``, an infinity, a float past the limits, a ``numpy.int64``), the cell stays neither plain
nor blank and the indicator that reads it has its own step's error; a rule on the total reading it, the
total's error (coltotalerrors). A weight read per unit (``weight_from``) is refused as a float, as the
per-unit program refuses it; ``None`` itself is no blank a default for no data takes (the readers refuse
it), but a ``missing`` rule takes it for no value. The per-unit program is the oracle.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from column_cases import first_bands
from oracle import score_unit
from perfrules import evaluate, loads
from perfrules.scheme.units import Unit
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of, score_columns
from test_column_program import _COLUMN_SETTINGS
from test_column_record import _compare

_SCHEME = (
    """
name = "单位的值"
basis = "points"
total = 40
[scores]
"优" = [90, 100]
"良" = [75, 90]
"差" = [0, 75]
[[groups]]
name = "组"
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 10
score = "min(分值, 分值×值1/目标1)"
policies = [{ type = "not_applicable", missing = ["目标1"] }, { type = "zero", when = "违规1>0" }]
[[indicators]]
code = "2"
name = "乙"
group = "组"
weight = 10
value = "率2"
scale = { rule = "优：率2≥0.9；差：率2<0.9", domain = [0, 1], scores = { "优" = [8, 10], "差" = [0, 8] } }
policies = [{ type = "default", score = 2 }]
[[indicators]]
code = "3"
name = "丙"
group = "组"
weight = 10
score = "值3"
policies = [{ type = "not_applicable", when = "不适用3=1" }, { type = "adjust", per = "扣分3", points = -1, cap = 3 }]
[[indicators]]
code = "4"
name = "丁"
group = "组"
weight_from = "分值4"
full = 10
score = "min(分值, 值4)"
"""
    + first_bands("总分>=36", "总分>=30", "总分>=0")
    + """[[flags]]
label = "不能评先"
when = "事故>0"
"""
)

_NAMES = ["值1", "目标1", "违规1", "率2", "值3", "不适用3", "扣分3", "值4", "事故"]

# Numbers as a caller hands them in: floats that are no binary fraction (0.1, 57/100×100), tiny, huge,
# negative; what ``to_number`` refuses (nan, inf, past the limits, bool, numpy.int64); None itself.
_NUMBERS = [
    0.1,
    87.5,
    1e-07,
    57 / 100 * 100,
    0.57,
    2.5,
    -3.25,
    9.0,
    1e16,
    Fraction(1, 3),
    Fraction(9, 10),
    Decimal("0.9"),
    Decimal(6),
    4,
    0,
    1,
    np.float64(0.95),
    np.float64(7.5),
]
_REFUSED = [float("nan"), float("inf"), float("-inf"), 1e300, -1e60, np.int64(3), None]


def _units(rows: list[dict[str, Any]]) -> list[Unit]:
    return [Unit(name=f"单位{i}", data=data) for i, data in enumerate(rows)]


def _check(units: list[Unit]) -> None:
    """The columns' outcome of each unit, field by field, is the per-unit program's (none left
    unscored, a unit holding a bool neither); evaluate() agrees, explained or not."""
    scheme = loads(_SCHEME, format="toml")
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    fast = score_columns(plan, units, {})
    for unit, found in zip(units, fast, strict=True):
        slow = score_unit(plan, unit, {}, detail=False)
        assert found is not None, unit.data  # (a bool too: coldoubt.truths)
        assert (found.total, found.grade, [str(e) for e in found.errors], found.flags) == (
            slow.total,
            slow.grade,
            [str(e) for e in slow.errors],
            slow.flags,
        ), unit.data
        assert found.scores == slow.scores, unit.data
    _compare(scheme, units)  # explanations from the record: the per-unit program's
    by = {r.unit: r for r in evaluate(scheme, units)}
    for unit in units:
        slow = score_unit(plan, unit, {}, detail=False)
        assert (by[unit.name].total, by[unit.name].grade, [str(e) for e in by[unit.name].errors]) == (
            slow.total,
            slow.grade,
            [str(e) for e in slow.errors],
        )


_BASE: dict[str, Any] = {
    "值1": Decimal(6),
    "目标1": Decimal(8),
    "违规1": 0,
    "率2": Decimal("0.95"),
    "值3": Decimal(7),
    "不适用3": 0,
    "扣分3": 0,
    "分值4": Decimal(10),
    "值4": Decimal(9),
    "事故": 0,
}


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(_NAMES),
            st.one_of(st.sampled_from(_NUMBERS), st.sampled_from(_REFUSED), st.booleans()),
            max_size=5,
        ),
        min_size=1,
        max_size=5,
    )
)
@_COLUMN_SETTINGS
@example([{"值1": 87.5, "目标1": 100.0, "率2": 0.9, "值3": 57 / 100 * 100}, {"值1": 1e-07, "值3": 0.1}])
@example([{"值1": float("nan")}, {"率2": float("inf")}, {"事故": 1e300}, {"值3": np.int64(3)}])
@example([{"目标1": None}, {"值1": None}, {"率2": None}, {"事故": None}, {"扣分3": 2.0}])
def test_python_numbers_read_as_the_per_unit_program_reads_them(rows):
    _check(_units([{**_BASE, **row} for row in rows]))


def test_floats_are_read_by_their_shortest_repr():
    """87.5 of 100 → 8.75 of 10 (甲), 1/3 of 0.5 → 20/3; 0.9 is on 乙's boundary; 57/100×100 is
    57.00000000000001 as to_number reads it; 1e-07 is 1E-7 exactly (丙): the columns give the per-unit
    program's numbers, not a binary float's."""
    units = _units(
        [
            {**_BASE, "值1": 87.5, "目标1": 100.0, "率2": 0.9, "值3": 57 / 100 * 100, "值4": 2.5},
            {**_BASE, "值1": Fraction(1, 3), "目标1": np.float64(0.5), "值3": 1e-07, "扣分4": 1.0},
        ]
    )
    plan = plan_of(loads(_SCHEME, format="toml"))
    fast = score_columns(plan, units, {})
    assert all(f is not None for f in fast)
    assert fast[0].scores[0] == Decimal("8.75")  # type: ignore[union-attr]
    assert fast[0].scores[3] == Decimal("2.5")  # type: ignore[union-attr]
    assert fast[1].scores[0] == Fraction(20, 3)  # type: ignore[union-attr]
    assert fast[1].scores[2] == Decimal("1E-7")  # type: ignore[union-attr]
    _check(units)


def test_refused_numbers_are_their_readers_errors():
    """nan in a formula, inf in a scale, a float past the limits in the flag's rule: the per-unit
    program's words, from the columns (an indicator's error; the total's for the flag)."""
    units = _units(
        [
            {**_BASE, "值1": float("nan")},
            {**_BASE, "率2": float("inf")},
            {**_BASE, "事故": 1e300},
            {**_BASE, "分值4": 10.0},
        ]
    )
    plan = plan_of(loads(_SCHEME, format="toml"))
    fast = score_columns(plan, units, {})
    assert all(f is not None for f in fast)
    words = [[str(e) for e in f.errors] for f in fast]  # type: ignore[union-attr]
    assert "值1=nan (float) is not a finite number" in words[0][0]
    assert "率2=inf (float) is not a finite number" in words[1][0]
    assert "number 1E+300 is outside the limits" in words[2][0] and fast[2].errors[0].indicator is None  # type: ignore[union-attr]
    assert "the weight of indicator 4 丁 in '分值4' is not a number (got 10.0)" in words[3][0]
    _check(units)


def test_none_itself_is_no_blank_a_default_takes():
    """乙's default for no data takes a blank 率2, not None handed in (its scale refuses it); 甲's
    ``missing`` rule takes None for no value (not applicable); None in the flag's 事故 is the total's error."""
    units = _units([{**_BASE, "率2": None}, {**_BASE, "目标1": None}, {**_BASE, "事故": None}])
    no_rate = {k: v for k, v in _BASE.items() if k != "率2"}
    units.append(Unit(name="单位3", data=no_rate))
    plan = plan_of(loads(_SCHEME, format="toml"))
    fast = score_columns(plan, units, {})
    assert all(f is not None for f in fast)
    assert [e.indicator for e in fast[0].errors] == ["2"]  # type: ignore[union-attr]
    assert "率2=None (NoneType)" in str(fast[0].errors[0])  # type: ignore[union-attr]
    assert fast[1].total is not None and fast[1].scores[0] is None  # type: ignore[union-attr]
    assert fast[2].total is None and fast[2].errors[0].indicator is None  # type: ignore[union-attr]
    assert fast[3].scores[1] == 2  # type: ignore[union-attr]  # the default took the blank
    _check(units)


_PERIODS = """
name = "季度"
basis = "points"
total = 10
periods = "mean"
[[groups]]
name = "组"
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 10
frequency = "季度"
score = "min(分值, 值1)"
policies = [{ type = "zero", when = "违规1>0" }]
"""


def test_period_rows_with_python_numbers():
    """A float in a period's row is read as the year's cells are; None there is the formula's error; a
    refused year cell a period row reads (违规1=nan) is the indicator's error, as the per-unit program has."""
    scheme = loads(_PERIODS, format="toml")
    plan = plan_of(scheme)
    units = [
        Unit(
            name="一", data={"违规1": 0}, periods={"一季度": {"值1": 7.5}, "二季度": {"值1": Fraction(17, 2)}}
        ),
        Unit(name="二", data={"违规1": 0}, periods={"一季度": {"值1": 6.0}, "二季度": {"值1": None}}),
        Unit(name="三", data={"违规1": float("nan")}, periods={"一季度": {"值1": 6.0}}),
    ]
    fast = score_columns(plan, units, {})
    slow = [score_unit(plan, u, {}, detail=False) for u in units]
    assert all(f is not None for f in fast)
    for f, s in zip(fast, slow, strict=True):
        assert (f.total, [str(e) for e in f.errors]) == (s.total, [str(e) for e in s.errors])  # type: ignore[union-attr]
    assert fast[0].total == 8  # type: ignore[union-attr]  # (7.5 + 8.5) / 2
    assert "值1=None (NoneType) is not a number" in str(fast[1].errors[0])  # type: ignore[union-attr]
    assert "违规1=nan (float) is not a finite number" in str(fast[2].errors[0])  # type: ignore[union-attr]
    _compare(scheme, units)
