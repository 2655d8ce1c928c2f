"""Not-applicable rules that read other indicators' results, in the column program.

``when = "指标1得分<6"`` (or ``指标1得分率``, or a step ``指标1·率``, alone or
beside the unit's data) decides whether an indicator applies once the results it
reads are known: the per-unit program scores the indicators in dependency order
and asks whether a reader applies after it has read the results before it
(:func:`perfrules.scoring.indstep.indicator_step`). The column program works the
rule out over the batch's columns as soon as the last result it reads is among
them, before the reader is scored (:mod:`perfrules.scoring.colresults`). The
generated data has values on the rules' boundaries, blanks (a read indicator
that fails; a blank cell the rule itself reads), cells that are no number and
read indicators that do not apply; totals, grades, ranks, scores, errors,
events and explanations must be the per-unit program's, and so must the
streamed command line's cells.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import event, example, given
from hypothesis import strategies as st

from perfrules import evaluate, loads
from perfrules.files.data import load_units
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_program import _COLUMN_SETTINGS, _both_ways, _data_csv, _key, _q, _streamed_cells_match
from test_column_record import _compare

_CONDITIONS = [
    "指标1得分<6",
    "指标1得分<=6",
    "指标1得分率>=0.8",
    "指标1·率<0.5",
    "门<8 or 指标1得分<6",
    "门>=8 and 指标1得分<6",
    "指标1得分>=分值×0.9",
]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """Indicator 1 scored from data; indicator 2 (and maybe 3) not applicable by a rule reading its result."""
    categories = draw(st.sampled_from([(), ("甲类", "乙类")]))
    units = [f"单位{i}" for i in range(draw(st.integers(1, 10)))]
    three = draw(st.booleans())
    count = 3 if three else 2
    lines = ['name = "读取结果不适用"', 'basis = "points"', f"total = {10 * count}"]
    if categories:
        lines.append(f"categories = [{', '.join(map(_q, categories))}]")
    if draw(st.booleans()):
        lines.append("round_scores = 1")
    lines.append('groups = [{ name = "组" }]')
    # Indicator 1: 值1 over 目标1, held within 0 and 10 (a rate step others may read).
    lines += ["[[indicators]]", 'code = "1"', 'name = "甲"', 'group = "组"', "weight = 10"]
    lines += ['steps = ["率=值1/目标1"]', 'score = "分值×率"']
    if draw(st.booleans()):  # a rule of its own: indicator 1 may not apply (readers decided per unit)
        lines.append('policies = [{ type = "not_applicable", when = "目标1=0" }]')
    # Indicator 2: not applicable by a rule that reads indicator 1's result.
    lines += ["[[indicators]]", 'code = "2"', 'name = "乙"', 'group = "组"', "weight = 10"]
    lines.append(f'score = "{draw(st.sampled_from(["值2", "值2+指标1得分/10"]))}"')
    rules = [f'{{ type = "not_applicable", when = {_q(draw(st.sampled_from(_CONDITIONS)))} }}']
    if draw(st.booleans()):
        rules.insert(
            draw(st.integers(0, 1)), '{ type = "not_applicable", when = "值2<0", reason = "无此项" }'
        )
    if three and draw(st.booleans()):
        rules.append('{ type = "not_applicable", to = "3", when = "值2=99" }')
    lines.append(f"policies = [{', '.join(rules)}]")
    if three:  # indicator 3 reads indicator 2's score (its error where 2 does not apply) or only data
        lines += ["[[indicators]]", 'code = "3"', 'name = "丙"', 'group = "组"', "weight = 10"]
        lines.append(f'score = "{draw(st.sampled_from(["值3", "min(值3, 指标2得分)"]))}"')
        if draw(st.booleans()):
            lines.append(
                f'policies = [{{ type = "not_applicable", when = "指标1得分率<{draw(st.sampled_from(["0.5", "0.6"]))}" }}]'
            )
    odd = draw(st.sampled_from([0, 0, 1]))
    extra = ["", "约五分"] * odd
    columns = {
        "值1": [draw(st.sampled_from(["6", "6.0", "5.9", "8", "9", "10", "12", "0", *extra])) for _ in units],
        "目标1": [draw(st.sampled_from(["10", "10", "10", "8", "0", *extra])) for _ in units],
        "值2": [draw(st.sampled_from(["5", "7.5", "-1", "99", "10", *extra])) for _ in units],
        "门": [draw(st.sampled_from(["7.9", "8", "9", *extra])) for _ in units],
    }
    if three:
        columns["值3"] = [draw(st.sampled_from(["3", "10", "6.5", *extra])) for _ in units]
    kinds = [draw(st.sampled_from([*categories, categories[0]])) for _ in units] if categories else None
    return "\n".join(lines) + "\n", _data_csv(units, columns, kinds)


_HAND = (
    'name = "读取结果不适用"\nbasis = "points"\ntotal = 20\ngroups = [{ name = "组" }]\n'
    '[[indicators]]\ncode = "1"\nname = "甲"\ngroup = "组"\nweight = 10\nscore = "值1"\n'
    '[[indicators]]\ncode = "2"\nname = "乙"\ngroup = "组"\nweight = 10\nscore = "值2"\n'
    'policies = [{ type = "not_applicable", when = "指标1得分<6", reason = "基础未达标" }]\n'
)
_HAND_DATA = "单位,值1,值2\nA,6,8\nB,5.9,8\nC,12,4\nD,,8\n"


@given(case=cases())
@_COLUMN_SETTINGS
@example(case=(_HAND, _HAND_DATA))
def test_rules_reading_results_score_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("naresults")
    fast, slow, scheme, scheme_path, data_path = _both_ways(folder, *case)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    units = load_units(data_path, scheme=scheme)
    found = program_of(plan_of(scheme)).run(units)  # type: ignore[union-attr]
    taken = sum(o is not None for o in found)
    event(
        f"units the column program scored: {'none' if not taken else 'all' if taken == len(units) else 'some'}"
    )
    _compare(scheme, list(units))
    _streamed_cells_match(scheme_path, data_path, slow)


def test_a_rule_reading_a_score_on_its_boundary(tmp_path):
    """指标1得分 6 is not below 6: 乙 applies for A (6 + 8); B's 5.9 is: 乙 does not apply and its
    weight moves to 甲 (5.9 × 2); C 12 is held at 10 (10 + 4); D's blank 值1 is 甲's error."""
    fast, slow, scheme, _, data_path = _both_ways(tmp_path, _HAND, _HAND_DATA)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None, plan.program_why
    units = load_units(data_path, scheme=scheme)
    found = program.run(units)
    assert all(o is not None for o in found)  # every unit by the column program, D's error too
    by = {o.unit.name: o for o in fast}
    assert {name: Fraction(by[name].total) for name in "ABC"} == {"A": 14, "B": Fraction(118, 10), "C": 14}
    assert by["B"].scores[1] is None and by["D"].errors and by["D"].errors[0].indicator == "1"
    results = {r.unit: r for r in evaluate(scheme, units)}
    assert "基础未达标" in results["B"].explain()


def test_the_rule_no_longer_stops_the_scheme():
    scheme = loads(_HAND, format="toml")
    plan = plan_of(scheme)
    assert program_of(plan) is not None and plan.program_why is None
