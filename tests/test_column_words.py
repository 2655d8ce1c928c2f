"""Word scales and scales over several values in the column program, against the per-unit program.

Each distinct input is graded once by the scale itself (:mod:`perfrules.scoring.collookup`):
word scales on a reported word (审计结论), word parts feeding formula steps (Shenzhen 4), scales of
conditions over words with levels (Shenzhen 11) and over several numbers with the lowest grade
winning and a default (Shenzhen 12). These tests take those published forms, give units every
word of the scales, unknown words, blanks and numbers on the cuts, with and without period rows;
the column program, the per-unit program and the streamed command line must agree.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from perfrules import loads
from perfrules.files.data import load_units
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_periods import _data
from test_column_program import _COLUMN_SETTINGS, _agree, _run_columns

_AUDIT = """
value = "审计结论"
[indicators.scale]
rule = "好—95分;较好—85分;一般—70分;差—40分"
"""
_REFORM = """
steps = [
    { type = "part", target = "改革得分", scale = { rule = "优—6分;良—4分;合格—2分;不合格—0分" }, of = "改革情况" },
    "总得分=改革得分×0.6+表彰数×0.4",
]
[indicators.scale]
rule = "优:总得分≥6;良:4≤总得分<6;中:2≤总得分<4;差:总得分<2。"
scoring = "midpoint"
"""
_MOTIONS = """
[[indicators.scale.bands]]
name = "优"
conditions = ["count(签收 == 良好, 答复 == 良好, 满意 == 良好) == 3"]
[[indicators.scale.bands]]
name = "良"
conditions = ["min(签收, 答复, 满意) >= 合格 and count(签收 == 良好, 答复 == 良好, 满意 == 良好) == 2"]
[[indicators.scale.bands]]
name = "中"
conditions = ["min(签收, 答复, 满意) >= 合格 and count(签收 == 良好, 答复 == 良好, 满意 == 良好) < 2"]
[[indicators.scale.bands]]
name = "差"
conditions = ["min(签收, 答复, 满意) < 合格"]
[indicators.scale.levels]
"良好" = 2
"合格" = 1
"不合格" = 0
"""
_SUPERVISION = '''
policies = [{ type = "default", grade = "良", when = "督办事项数=0" }]
[indicators.scale]
rule = """
优:答复率=100%,或完成率≥90%;良:90%≤答复率<100%,或85%≤完成率<90%,或没有被督查催办事项;中:85%≤答复率<90%,或80%≤完成率<85%,或1宗≤被督查催办事项≤3宗
差:答复率<85%,或完成率<80%,或被督查催办事项>3宗。"""
policy = "lowest"
'''
_FORMS = {"audit": _AUDIT, "reform": _REFORM, "motions": _MOTIONS, "supervision": _SUPERVISION}
_CELLS = {
    "审计结论": ["好", "较好", "一般", "差", "很好", ""],
    "改革情况": ["优", "良", "合格", "不合格", "", "甲"],
    "表彰数": ["0", "1", "2", "5", "", "十"],
    "签收": ["良好", "合格", "不合格", "", "优秀"],
    "答复": ["良好", "合格", "不合格"],
    "满意": ["良好", "合格", "不合格", ""],
    "督办事项数": ["0", "3", "10", ""],
    "答复率": ["1", "0.95", "0.9", "0.85", "0.8499", "0.5", ""],
    "完成率": ["0.9", "0.87", "0.85", "0.8", "0.79", "1.2"],
    "被督查催办事项": ["0", "1", "3", "4", ""],
}


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    forms = draw(st.lists(st.sampled_from(sorted(_FORMS)), min_size=1, max_size=4, unique=True))
    periodic = draw(st.booleans())
    weights = [100 // len(forms)] * len(forms)
    weights[0] += 100 - sum(weights)
    lines = ['name = "词"', "total = 100", 'groups = [{ name = "组" }]']
    for k, form in enumerate(forms, start=1):
        lines += [
            "[[indicators]]",
            f'code = "{k}"',
            f'name = "指标{k}"',
            'group = "组"',
            f"weight = {weights[k - 1]}",
        ]
        if periodic and form in ("supervision", "reform"):
            lines.append('frequency = "quarterly"')
        lines.append(_FORMS[form].strip())
    columns = sorted(_CELLS)
    rows: list[list[str]] = []
    for u in range(draw(st.integers(1, 12))):
        rows.append([f"单位{u}", "", *(draw(st.sampled_from(_CELLS[c])) for c in columns)])
        if periodic:
            for label in draw(st.lists(st.sampled_from(["一季度", "二季度"]), unique=True, max_size=2)):
                rows.append(
                    [
                        f"单位{u}",
                        label,
                        *(draw(st.sampled_from(_CELLS[c])) if draw(st.booleans()) else "" for c in columns),
                    ]
                )
    return "\n".join(lines) + "\n", _data(rows, columns, False)


@given(case=cases())
@_COLUMN_SETTINGS
def test_words_and_scales_over_several_values_score_as_the_per_unit_program(tmp_path_factory, case):
    _agree(tmp_path_factory.mktemp("words"), *case)


def test_words_by_hand(tmp_path):
    # 审计结论 较好 is 85; 签收/答复/满意 良好, 良好, 合格 is 良 (two 良好, none below 合格): its midpoint 85.
    # A word the scale lacks (很好) is the indicator's error, worded by its own step (colfailures).
    text = (
        'name = "词"\ntotal = 100\ngroups = [{ name = "组" }]\n'
        '[[indicators]]\ncode = "1"\nname = "审计"\ngroup = "组"\nweight = 50\n'
        + _AUDIT
        + '[[indicators]]\ncode = "2"\nname = "建议"\ngroup = "组"\nweight = 50\n'
        + _MOTIONS
    )
    scheme = loads(text, format="toml")
    found = _run_columns(
        scheme, tmp_path, "单位,审计结论,签收,答复,满意\n甲,较好,良好,良好,合格\n乙,很好,良好,良好,良好\n"
    )
    assert found[0] is not None and found[0].total == Decimal(85)
    assert found[1] is not None and found[1].total is None
    assert [e.indicator for e in found[1].errors] == ["1"] and "很好" in found[1].errors[0].message


def test_a_word_column_read_as_a_number_too_compiles():
    # Its readers' errors, row by row (colwordnums; worked through in test_column_forms3).
    text = (
        'name = "词"\ntotal = 100\ngroups = [{ name = "组" }]\n'
        '[[indicators]]\ncode = "1"\nname = "审计"\ngroup = "组"\nweight = 50\n'
        + _AUDIT
        + '[[indicators]]\ncode = "2"\nname = "数"\ngroup = "组"\nweight = 50\nscore = "审计结论"\n'
    )
    plan = plan_of(loads(text, format="toml"))
    assert program_of(plan) is not None, plan.program_why


def test_a_word_scale_through_evaluate_from_a_file(tmp_path):
    # evaluate() on a file's units hands the program its numeric columns as read; the words are read
    # by the per-unit program there: 甲 95×0.5 + 80×0.5 = 87.5, 乙 40×0.5 + 90×0.5 = 65.
    from perfrules import evaluate

    text = (
        'name = "词"\ntotal = 100\ngroups = [{ name = "组" }]\n'
        '[[indicators]]\ncode = "1"\nname = "审计"\ngroup = "组"\nweight = 50\n'
        + _AUDIT
        + '[[indicators]]\ncode = "2"\nname = "数"\ngroup = "组"\nweight = 50\nscore = "x"\n'
    )
    scheme = loads(text, format="toml")
    data = tmp_path / "d.csv"
    data.write_text("单位,审计结论,x\n甲,好,80\n乙,差,90\n", encoding="utf-8")
    result = evaluate(scheme, load_units(data, scheme=scheme), explained=False)
    assert [(u.unit, u.total) for u in result] == [("甲", Decimal("87.5")), ("乙", Decimal(65))]
