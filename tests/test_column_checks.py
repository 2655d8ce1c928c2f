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

from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from perfrules import evaluate, loads
from perfrules.files.data import load_units
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of, score_columns
from perfrules.scoring.unit import score_unit
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
