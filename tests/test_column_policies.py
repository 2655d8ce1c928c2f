"""Indicator policies and steps in the column program, against the per-unit program.

``default … when`` (the condition checked before the steps: where it holds the
indicator takes its default score, whatever its steps would have said),
``not_applicable`` (by a condition, or declared by the unit; the weight moves),
``zero`` rules on a step's value (per period, or on any row), steps with
``clamp``/``min``/``max``, and an ``inputs`` mapping, over values given for
the year or per period. These tests generate conditions —
comparisons on and beside their boundaries, chains, ``and``/``or``/``not`` —
and data that makes them hold, fail, divide by 0, leave the scale's domain,
or be blank or unreadable; the column program, the per-unit program and the
streamed command line must give the same totals, grades, ranks, indicator
scores, errors and events.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from perfrules import evaluate, loads
from perfrules.files.data import load_units
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_periods import _data
from test_column_program import _COLUMN_SETTINGS, _agree, _run_columns

_LABELS = ["一季度", "二季度", "三季度"]


def _condition(draw: st.DrawFn, k: int) -> str:
    done, plan = f"完成{k}", f"计划{k}"
    atoms = [
        f"{plan}=0",
        f"{plan}≠0",
        f"{done}>{plan}",
        f"{done}/{plan}≥0.9",
        f"0<{done}<3",
        f"{plan}≤3",
        f"{done}×2-1>={plan}",
        f"标记{k}=1",
    ]
    first = draw(st.sampled_from(atoms))
    shape = draw(st.sampled_from(["one", "one", "and", "or", "not"]))
    if shape == "one":
        return first
    if shape == "not":
        return f"not ({first})"
    return f"{first} {shape} {draw(st.sampled_from(atoms))}"


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme of graded rates with ``default … when`` policies, and data around the conditions."""
    count = draw(st.integers(1, 3))
    periodic = draw(st.booleans())
    weights = {1: [100], 2: [50, 50], 3: [40, 35, 25]}[count]
    lines = ['name = "默认"', "total = 100", 'groups = [{ name = "组" }]']
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 2))}")
    columns: list[str] = ["不适用"]
    for k in range(1, count + 1):
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"']
        lines.append(f"weight = {weights[k - 1]}")
        if periodic:
            lines.append('frequency = "quarterly"')
        na = ""
        if draw(st.integers(0, 2)) == 0:
            # Not applicable where a condition holds (or declared), its weight to another indicator or spread.
            to = draw(st.sampled_from([None, *(str(j) for j in range(1, count + 1) if j != k)]))
            when = draw(st.sampled_from([f', when = "{_condition(draw, k)}"', ""]))
            target = f', to = "{to}"' if to else ""
            na = f'{{ type = "not_applicable"{when}{target} }}'
        if draw(st.integers(0, 2)) == 0:
            # A score formula over parts, each a value graded by a scale of its own (Shenzhen 6).
            rules = [
                '{ rule = "优：实现率≥90；良：80≤实现率<90；中：60≤实现率<80；差：实现率<60", domain = [0, 100] }',
                '{ rule = "优：实现率≥87.5；良：66.6≤实现率<87.5；差：实现率<66.6", domain = [0, 100], scoring = "midpoint" }',
                '{ rule = "实现率≥90，计6分；60≤实现率<90，计3分；实现率<60，计0分" }',
            ]
            first, second = (draw(st.sampled_from(rules)) for _ in range(2))
            score = draw(st.sampled_from([f"(甲分{k}+乙分{k})/2", f"甲分{k}×0.5+乙分{k}×2-标记{k}×10"]))
            lines.append(f'score = "{score}"')
            lines.append(
                f'steps = ["基{k}=完成{k}/计划{k}×100", '
                f'{{ type = "part", target = "甲分{k}", of = "基{k}", scale = {first} }}, '
                f'{{ type = "part", target = "乙分{k}", of = "报分{k}", scale = {second} }}]'
            )
            zero = draw(st.sampled_from(["", f'{{ type = "zero", target = "甲分{k}", when = "标记{k}=1" }}']))
            lines.append(f"policies = [{', '.join(p for p in (na, zero) if p)}]")
            columns += [f"报分{k}", f"完成{k}", f"计划{k}", f"标记{k}"]
            continue
        if draw(st.integers(0, 2)) == 0:
            # A reported score graded through the indicator's own name for it (an inputs mapping).
            lines.append(f"policies = [{na}]")
            lines += [
                "[indicators.inputs]",
                f'"得分" = "报分{k}"',
                "[indicators.scale]",
                'rule = "优：得分≥90；良：80≤得分<90；中：60≤得分<80；差：得分<60"',
                'scoring = "midpoint"',
            ]
            columns += [f"报分{k}", f"完成{k}", f"计划{k}", f"标记{k}"]
            continue
        # The rate through a second step: as it is, held within 0–100 by clamp(), or by min()/max().
        shape = draw(
            st.sampled_from(
                [f"基{k}", f"clamp(基{k}×1.1-标记{k}×20, 0, 95)", f"max(min(基{k}, 100), 标记{k})"]
            )
        )
        lines.append(f'steps = ["基{k}=完成{k}/计划{k}×100", "率{k}={shape}"]')
        policies = []
        for _ in range(draw(st.integers(1, 2))):
            given = draw(
                st.sampled_from(
                    [
                        'grade = "良"',
                        'grade = "优", score = 95',
                        'grade = "中", score = "top"',
                        "score = 33.5",
                    ]
                )
            )
            policies.append(f'{{ type = "default", {given}, when = "{_condition(draw, k)}" }}')
        if draw(st.booleans()):
            policies.append('{ type = "default", grade = "差" }')  # no data: left to the per-unit program
        if na:
            policies.append(na)
        for _ in range(draw(st.integers(0, 2))):
            # A step's value zeroed where a condition holds, for each period only or on any row.
            target = draw(st.sampled_from([f"基{k}", f"率{k}"]))
            per_period = draw(st.booleans())
            policies.append(
                f'{{ type = "zero", target = "{target}", when = "{_condition(draw, k)}", '
                f"per_period = {str(per_period).lower()} }}"
            )
        lines.append(f"policies = [{', '.join(policies)}]")
        cut = draw(st.sampled_from(["90", "87.5", "66.6"]))
        lines += [
            "[indicators.scale]",
            f'rule = "优：率{k}≥{cut}；良：60≤率{k}<{cut}；中：30≤率{k}<60；差：率{k}<30"',
            "domain = [0, 100]",
            f'scoring = "{draw(st.sampled_from(["midpoint", "interpolate"]))}"',
        ]
        columns += [f"完成{k}", f"计划{k}", f"标记{k}"]
    values = {
        "完成": st.sampled_from(["0", "1", "2", "3", "4", "7", "9", "10", "12", "", "约五"]),
        "计划": st.sampled_from(["0", "0", "3", "4", "7", "9", "10", "", "约五"]),
        "标记": st.sampled_from(["0", "1", "1", "", "是"]),
        "报分": st.sampled_from(["59.999", "60", "80", "89.5", "90", "100", "", "优"]),
        "不适": st.sampled_from(["", "", "", "1", "2", "指标1", "1、2", "3", "9"]),
    }
    rows: list[list[str]] = []
    for u in range(draw(st.integers(1, 10))):
        labels = draw(st.lists(st.sampled_from(_LABELS), unique=True, max_size=3)) if periodic else []
        rows.append([f"单位{u}", "", *(draw(values[c[:2]]) for c in columns)])
        for label in labels:
            rows.append(
                [
                    f"单位{u}",
                    label,
                    *(draw(values[c[:2]]) if c != "不适用" and draw(st.booleans()) else "" for c in columns),
                ]
            )
    return "\n".join(lines) + "\n", _data(rows, columns, False)


@given(case=cases())
@_COLUMN_SETTINGS
def test_defaults_with_conditions_score_as_the_per_unit_program(tmp_path_factory, case):
    _agree(tmp_path_factory.mktemp("defaults"), *case)


_HAND = """
name = "默认"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "完成率"
group = "组"
weight = 100
steps = ["完成率=完成数/任务数×100"]
policies = [{ type = "default", grade = "良", when = "任务数=0" }]
[indicators.scale]
rule = "优：完成率≥90；良：80≤完成率<90；差：完成率<80"
domain = [0, 100]
"""


def test_a_default_by_hand(tmp_path):
    # 甲 has no tasks: the default fires before 完成数/任务数 divides by 0 — 良's midpoint, 85.
    # 乙 completes more than its tasks (120%, outside the domain): the indicator's error, worded by its
    # own step (colfailures) as the per-unit program words it.
    # 丙: 90% scores 优 at the bottom of its interval, 90.
    scheme = loads(_HAND, format="toml")
    found = _run_columns(scheme, tmp_path, "单位,完成数,任务数\n甲,0,0\n乙,12,10\n丙,9,10\n")
    assert found[0] is not None and found[0].total == Decimal(85)
    assert found[1] is not None and found[1].total is None
    assert [(e.indicator, e.error) for e in found[1].errors] == [("1", "EvaluationError")]
    assert found[2] is not None and found[2].total == Decimal(90)  # 90% is 优 at its bottom, 90


_APPLIES = """
name = "适用"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "白皮书"
group = "组"
weight = 60
score = "白皮书得分"
[[indicators]]
code = "2"
name = "审批"
group = "组"
weight = 40
policies = [{ type = "not_applicable", when = "审批事项数=0", to = "1" }]
[indicators.inputs]
"得分" = "审批绩效得分"
[indicators.scale]
rule = "优：得分≥103；良：100≤得分<103；差：得分<100"
scoring = "midpoint"
"""


def test_not_applicable_and_an_inputs_mapping_by_hand(tmp_path):
    # 甲: 审批绩效得分 103 is 优 (midpoint 95): 80×0.6 + 95×0.4 = 86.
    # 乙 has no 审批事项: indicator 2 does not apply and its weight moves to 1: 80.
    # 丙 declares 2 not applicable (its blank 审批绩效得分 is then not read): 70.
    # 丁 declares an indicator the scheme lacks: the per-unit program reports it.
    scheme = loads(_APPLIES, format="toml")
    found = _run_columns(
        scheme,
        tmp_path,
        "单位,不适用,白皮书得分,审批事项数,审批绩效得分\n甲,,80,5,103\n乙,,80,0,\n丙,审批,70,5,\n丁,9,70,5,100\n",
    )
    assert [None if o is None else o.total for o in found] == [Decimal(86), Decimal(80), Decimal(70), None]


def test_clamp_min_max_by_hand(tmp_path):
    # clamp(x, 10, 90) holds x within 10–90; max(min(y, 80), 20) within 20–80; the score is their mean.
    scheme = loads(
        'name = "限"\ntotal = 100\ngroups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\nname = "a"\n'
        'group = "组"\nweight = 100\nscore = "(clamp(x, 10, 90) + max(min(y, 80), 20))/2"\n',
        format="toml",
    )
    found = _run_columns(scheme, tmp_path, "单位,x,y\n甲,5,95\n乙,90,20\n丙,95,50\n丁,50.5,19.5\n")
    assert [o.total for o in found] == [Decimal(45), Decimal(55), Decimal(70), Decimal("35.25")]  # type: ignore[union-attr]


def test_a_default_for_no_data_takes_a_division_by_zero_only_when_nothing_failed_before(tmp_path):
    # 甲 divides by 0: no data, 良's midpoint 85. 乙 fails earlier (clamp's lower bound above its upper
    # bound) and then divides by 0: the per-unit program stops at the first and reports it, no default.
    scheme = loads(
        'name = "无"\ntotal = 100\ngroups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\nname = "a"\n'
        'group = "组"\nweight = 100\nsteps = ["限=clamp(x, 下限, 100)", "率=完成/计划×100+限×0"]\n'
        'policies = [{ type = "default", grade = "良" }]\n'
        '[indicators.scale]\nrule = "优：率≥90；良：80≤率<90；差：率<80"\ndomain = [0, 100]\n',
        format="toml",
    )
    data = tmp_path / "d.csv"
    data.write_text("单位,x,下限,完成,计划\n甲,50,0,3,0\n乙,50,101,3,0\n丙,50,0,9,10\n", encoding="utf-8")
    units = load_units(data, scheme=scheme)
    found = program_of(plan_of(scheme)).run(units)  # type: ignore[union-attr]
    assert [None if o is None else o.total for o in found] == [Decimal(85), None, Decimal(90)]
    assert evaluate(scheme, units).unit("乙").errors[0].error == "InvalidValueError"
