"""Not-applicable conditions with a cell that is not a plain number they may not read, in the column program.

The per-unit program reads an indicator's ``not_applicable`` rules in turn on
the unit's data (:meth:`~perfrules.scoring.compiled.CompiledIndicator.applicability`):
the first rule that holds decides, and each condition is read left to right up
to what decides it (``and``/``or``, the branch of ``if`` taken). A blank cell
it reaches is the indicator's error ("no value for …"); one it does not reach
changes nothing. The column program used to mark every unit with such a cell
anywhere in the conditions (and the step targets a condition names, 名次分1 or
比值1, are never data: always blank), and the units whose rules never reach
it went to the per-unit program. Now it follows the conditions as the per-unit
program reads them (:class:`perfrules.scoring.colapplies.Stops`): those units
are scored by the columns, the others get the indicator's error, worded by its
own step — the same totals, grades, errors and explanations, in evaluate()
and on the command line.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from oracle import score_unit
from perfrules import evaluate, loads
from perfrules.files.data import load_units
from perfrules.scheme.units import Unit
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of, score_columns
from test_column_program import _COLUMN_SETTINGS, _both_ways, _data_csv, _key, _q, _streamed_cells_match
from test_column_record import _compare

_RANKED = """
name = "名次不适用"
basis = "points"
total = 20
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 10
steps = [{ type = "rank", target = "名次分1", of = "值1", points = { "1" = 10, "2" = 5 } }]
score = "名次分1"
policies = [{ type = "not_applicable", when = "不适用1=1 and 名次分1>=5" }]
[[indicators]]
code = "2"
name = "乙"
group = "组"
weight = 10
score = "值2"
"""

# A and B never read 名次分1 (不适用1 is 0: ``and`` stops there); C does (no value: 甲's error),
# and so does D's blank 不适用1, read first.
_RANKED_DATA = "单位,不适用1,值1,值2\nA,0,7,8\nB,0,9,6.5\nC,1,3,4\nD,,5,9\n"

_PEERS = """
name = "比值不适用"
basis = "points"
total = 10
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "甲"
group = "组"
weight = 10
steps = [{ type = "peer_ratio", target = "比值1", numerator = "支出1", denominator = "人数1", pooled = true, within = "all" }]
score = "min(分值, 分值×比值1/2)"
policies = [{ type = "not_applicable", when = "不适用1=1 and 比值1>=1" }]
"""

_PEERS_DATA = "单位,不适用1,支出1,人数1\nA,0,3,2\nB,1,1,2\nC,0,2.5,4\n"


def _scored(text: str, data: str, folder: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The units of *data* by the column program (None: sent back) and by the per-unit program."""
    path = folder / "data.csv"
    path.write_text(data, encoding="utf-8")
    scheme = loads(text, format="toml")
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    units = load_units(path, scheme=scheme)
    population = batch_population(plan, units) if plan.has_population else {}
    fast = score_columns(plan, units, population)
    slow = [score_unit(plan, u, population.get(u.name, {}), detail=False) for u in units]
    return {u.name: o for u, o in zip(units, fast, strict=True)}, {
        u.name: o for u, o in zip(units, slow, strict=True)
    }


def _same(fast: Any, slow: Any) -> None:
    assert fast is not None  # the column program's outcome, not sent back
    assert (fast.total, fast.grade, [str(e) for e in fast.errors]) == (
        slow.total,
        slow.grade,
        [str(e) for e in slow.errors],
    )


def test_a_rank_target_the_rule_does_not_reach(tmp_path):
    """B's 9 is first in 值1 (10 points), A's 7 second (5): both scored by the columns. C and D reach
    a blank: 甲's error, worded as the per-unit program words it."""
    fast, slow = _scored(_RANKED, _RANKED_DATA, tmp_path)
    for name in "ABCD":
        _same(fast[name], slow[name])
    assert fast["A"].total == Fraction(13)  # (5 + 8) / 20 × 20
    assert fast["B"].total == Fraction(33, 2)  # 10 + 6.5
    assert "no value for '名次分1'" in str(fast["C"].errors[0])
    assert "no value for '不适用1'" in str(fast["D"].errors[0])


def test_a_peer_ratio_target_the_rule_does_not_reach(tmp_path):
    """A and C (不适用1 = 0) are scored by the columns; B reaches 比值1: its error."""
    fast, slow = _scored(_PEERS, _PEERS_DATA, tmp_path)
    for name in "ABC":
        _same(fast[name], slow[name])
    assert fast["A"].total is not None and fast["C"].total is not None
    assert fast["B"].errors and "比值1" in str(fast["B"].errors[0])


def test_evaluate_and_the_command_line_agree(tmp_path):
    for i, (text, data) in enumerate([(_RANKED, _RANKED_DATA), (_PEERS, _PEERS_DATA)]):
        folder = tmp_path / str(i)
        folder.mkdir()
        fast, slow, scheme, scheme_path, data_path = _both_ways(folder, text, data)
        assert [_key(o) for o in fast] == [_key(o) for o in slow]
        _streamed_cells_match(scheme_path, data_path, slow)
        units = load_units(data_path, scheme=scheme)
        _compare(scheme, list(units))
        by = {r.unit: r for r in evaluate(scheme, units)}
        assert [by[o.unit.name].total for o in slow] == [o.total for o in slow]


_RULES = [
    "门=1",
    "门=1 or 缺>0",
    "门=0 and 缺>0",
    "if(选=1, 甲值>5, 乙值>5)",
    "甲值>5 and 乙值<=2",
    "门<1<=选",
    "缺/门>1",
]


@st.composite
def _cases(draw: st.DrawFn) -> tuple[str, str]:
    """One or two not-applicable rules over cells that may be blank (or '—'), in turn."""
    rules = draw(st.lists(st.sampled_from(_RULES), min_size=1, max_size=2))
    policies = ", ".join(f'{{ type = "not_applicable", when = {_q(r)} }}' for r in rules)
    text = "\n".join(
        [
            'name = "条件不适用"',
            'basis = "points"',
            "total = 20",
            'groups = [{ name = "组" }]',
            "[[indicators]]",
            'code = "1"',
            'name = "甲"',
            'group = "组"',
            "weight = 10",
            'score = "值"',
            f"policies = [{policies}]",
            "[[indicators]]",
            'code = "2"',
            'name = "乙"',
            'group = "组"',
            "weight = 10",
            'score = "值"',
        ]
    )
    units = [f"单位{i}" for i in range(draw(st.integers(1, 8)))]
    cell = st.sampled_from(["", "", "—", "0", "1", "3", "6"])
    columns = {name: [draw(cell) for _ in units] for name in ("门", "选", "甲值", "乙值", "缺")}
    columns["值"] = [draw(st.sampled_from(["4", "7.5", "10"])) for _ in units]
    return text, _data_csv(units, columns)


@given(case=_cases())
@_COLUMN_SETTINGS
def test_conditions_score_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("checks")
    fast, slow = _scored(*case, folder)
    for name in fast:
        if fast[name] is not None:
            _same(fast[name], slow[name])
    # Only a division by 0 sends a unit back here (the condition's own column step).
    text = case[0]
    if "缺/门" not in text:
        assert all(o is not None for o in fast.values())
    fast_b, slow_b, *_ = _both_ways(folder, *case)
    assert [_key(o) for o in fast_b] == [_key(o) for o in slow_b]


# Units given as Python values (evaluate() with dicts): a cell that is text or a bool is neither a
# plain number nor blank. A parameter's table value does not stand in for it, a
# ``missing`` rule does not hold on it, a default for no data does not take it: the indicators that read
# it have their own steps' errors (coldoubt); a bool is read as a truth value (coldoubt.truths).
# A float or a Fraction is read into the column as the per-unit program reads it (test_column_floats).
_VALUES = [None, None, Decimal("7.5"), 3, Decimal("0"), "87.5分", "—", "", 6.25, Fraction(1, 3), True]

_FORMS = {
    "parameter": (
        'parameters = { "目标" = { "单位0" = 8, "单位2" = 5 } }',
        'score = "min(分值, 分值×值/目标)"',
        "",
    ),
    "missing": ("", 'score = "值+目标"', 'policies = [{ type = "not_applicable", missing = true }]'),
    "default": (
        "",
        'scale = { rule = "优：值≥6；差：值<6", domain = [0, 10], scores = { "优" = [8, 10], "差" = [0, 8] } }',
        'policies = [{ type = "default", score = 2 }]',
    ),
}


def _scheme(form: str) -> str:
    head, score, policies = _FORMS[form]
    lines = ['name = "单位值"', 'basis = "points"', "total = 20", head, 'groups = [{ name = "组" }]']
    lines += ["[[indicators]]", 'code = "1"', 'name = "甲"', 'group = "组"', "weight = 10", score, policies]
    lines += ["[[indicators]]", 'code = "2"', 'name = "乙"', 'group = "组"', "weight = 10", 'score = "乙值"']
    return "\n".join(line for line in lines if line)


@given(
    form=st.sampled_from(sorted(_FORMS)),
    cells=st.lists(
        st.tuples(st.sampled_from(_VALUES), st.sampled_from(_VALUES), st.sampled_from([Decimal(4), 9])),
        min_size=1,
        max_size=6,
    ),
)
@_COLUMN_SETTINGS
@example(form="parameter", cells=[(Decimal(6), "87.5分", 9), (Decimal(6), "8", 9)])
@example(form="missing", cells=[("—", Decimal(1), 9), (None, "87.5分", 9)])
@example(form="default", cells=[("87.5分", None, 9), ("", None, 9), (None, None, 9)])
def test_unit_objects_with_python_values(form, cells):
    scheme = loads(_scheme(form), format="toml")
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    units = []
    for i, (value, target, other) in enumerate(cells):
        data = {"乙值": other}
        if value is not None:
            data["值"] = value
        if target is not None and (form != "parameter" or i % 2):  # (a parameter: beside the table's)
            data["目标"] = target
        units.append(Unit(name=f"单位{i}", data=data))
    population = batch_population(plan, units) if plan.has_population else {}
    fast = score_columns(plan, units, population)
    for unit, found in zip(units, fast, strict=True):
        slow = score_unit(plan, unit, population.get(unit.name, {}), detail=False)
        assert found is not None, (unit.data, slow.errors)  # (a bool too: coldoubt.truths)
        _same(found, slow)
    _compare(scheme, units)  # (explanations from the record where it has them: the per-unit program's)
    by = {r.unit: r for r in evaluate(scheme, units)}
    for unit in units:
        slow = score_unit(plan, unit, population.get(unit.name, {}), detail=False)
        assert (by[unit.name].total, [str(e) for e in by[unit.name].errors]) == (
            slow.total,
            [str(e) for e in slow.errors],
        )


def test_a_text_cell_is_the_readers_error_in_the_columns():
    """A parameter's own cell, a cell a ``missing`` rule names and one a default for no data would take
    where blank: each '87.5分' is 甲's error (the per-unit program's words), from the column program;
    where the ``missing`` rule's other input is blank, 甲 does not apply and the unit is scored."""
    for form, data, words in [
        ("parameter", {"值": Decimal(6), "目标": "87.5分"}, "目标='87.5分' (str) is not a number"),
        ("missing", {"值": "87.5分", "目标": Decimal(1)}, "值='87.5分' (str) is not a number"),
        ("default", {"值": "87.5分"}, "值='87.5分' (str) is not a number"),
    ]:
        scheme = loads(_scheme(form), format="toml")
        plan = plan_of(scheme)
        units = [
            Unit(name="单位0", data={**data, "乙值": 9}),
            Unit(name="单位1", data={"目标": "87.5分", "乙值": 9}),
        ]
        fast = score_columns(plan, units, {})
        slow = [score_unit(plan, u, {}, detail=False) for u in units]
        _same(fast[0], slow[0])
        assert [e.indicator for e in fast[0].errors] == ["1"] and words in str(fast[0].errors[0])
        if form == "missing":  # (值 blank: not applicable; 乙 alone, 9 of 10 → 18 of 20)
            _same(fast[1], slow[1])
            assert fast[1].total == 18 and not fast[1].errors


_STEPPED = """
name = "名次与缺省"
basis = "points"
total = 5
groups = [{{ name = "组" }}]
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 5
{frequency}
steps = [{before}{step}]
score = "min(分值, 报分1+{target})"
policies = [{{ type = "default", score = 1 }}]
"""

_STEPS = {
    "名次1": '{ type = "rank", target = "名次1", of = "完成1", points = { "1" = 3, "2" = 1.5 } }',
    "比值1": '{ type = "peer_ratio", target = "比值1", numerator = "完成1", denominator = "人数1", pooled = true, within = "all" }',
}


def test_a_peer_step_the_unit_lacks_is_its_error_before_the_default(tmp_path):
    """The per-unit program runs the steps first: a unit without a rank or peer ratio (单位0: no 完成1;
    单位2: a ratio over 0 people) has that step's error, though the score formula after it reaches a
    blank 报分1 (the default for no data took those units over columns, without a word). A formula
    step before it that reaches a blank (前1) takes the default first. 单位1 is scored."""
    data = "单位,完成1,人数1,报分1,前1\n单位0,,2,,\n单位1,3,2,1,1\n单位2,1,0,,1\n"
    for (target, step), frequency, before in [
        (pair, frequency, before)
        for pair in _STEPS.items()
        for frequency in ("", 'frequency = "quarterly"')
        for before in ("", '"前=前1×2", ')
    ]:
        text = _STEPPED.format(frequency=frequency, before=before, step=step, target=target)
        fast, slow = _scored(text, data, tmp_path)
        for name in fast:
            _same(fast[name], slow[name])
        assert not fast["单位1"].errors
        lacking = ["单位0", "单位2"] if target == "比值1" else ["单位0"]
        for name in lacking:
            if before and name == "单位0":  # (前1 blank: the default, 1)
                assert fast[name].total == 1 and not fast[name].errors
            else:
                assert f"'{target}' could not be computed" in str(fast[name].errors[0])
        fast_b, slow_b, *_ = _both_ways(tmp_path, text, data)
        assert [_key(o) for o in fast_b] == [_key(o) for o in slow_b]
