"""Published forms written as scheme data: missing data as not applicable, bonus items by matter, grade
effects beside the band scale, per-unit parameters — each with its cookbook recipe's hand-worked numbers."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import (
    Adjust,
    Group,
    Indicator,
    NotApplicable,
    Scheme,
    SchemeError,
    Unit,
    evaluate,
    load,
    load_units,
    loads,
    scheme_json_schema,
    scheme_to_mapping,
)
from perfrules.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
COOKBOOK = ROOT / "docs" / "examples" / "cookbook"


def _results(stem: str):
    scheme = load((COOKBOOK / stem).with_suffix(".toml"))
    result = evaluate(scheme, load_units((COOKBOOK / stem).with_suffix(".csv"), scheme=scheme))
    return {r.unit: r for r in result.results}


# -- 10. missing data as not applicable -------------------------------------------------------


def test_the_missing_data_recipe_gives_the_hand_worked_totals():
    """Weights 40/30/30; a missing indicator's weight is spread over the others in proportion.

    甲 all three: 100×40% + 80×30% + 80×30% = 88. 乙 no 专利: 100×4/7 + 30×3/7 = 70.
    丙 no 新产品: 60×4/7 + 60×3/7 = 60. 丁 no 研发: 40×1/2 + 50×1/2 = 45.
    """
    units = _results("missing-data")
    assert {n: r.total for n, r in units.items()} == {
        "甲": Decimal(88),
        "乙": Decimal(70),
        "丙": Decimal(60),
        "丁": Decimal(45),
    }
    yi = units["乙"].indicators
    assert [i.applicable for i in yi] == [True, False, True]
    assert yi[0].weight == Fraction(400, 7)
    assert "数据缺失，不参与计算" in units["乙"].explain()


def _scheme(missing: object, default: bool = False) -> Scheme:
    policies: list = [NotApplicable(missing=missing)]
    return Scheme(
        name="t",
        groups=[
            Group(
                name="g",
                children=[
                    Indicator(code="1", name="a", weight=50, score="x", policies=policies),
                    Indicator(code="2", name="b", weight=50, score="y"),
                ],
            )
        ],
    )


def test_missing_names_only_the_inputs_it_lists():
    """missing = ["x"]: a blank x moves the weight; with missing = true any input does the same."""
    listed = _scheme(["x"])
    result = evaluate(listed, [Unit(name="甲", data={"y": 60}), Unit(name="乙", data={"x": 80, "y": 60})])
    assert [r.total for r in result.results] == [Decimal(60), Decimal(70)]


def test_without_the_setting_a_missing_input_is_still_an_error():
    scheme = _scheme(False)
    result = evaluate(scheme, [Unit(name="甲", data={"y": 60})])
    assert result.results[0].total is None
    assert [(e.indicator, e.field, e.error) for e in result.errors] == [("1", "x", "MissingValueError")]


def test_validate_names_a_missing_input_the_indicator_does_not_read():
    text = (COOKBOOK / "missing-data.toml").read_text(encoding="utf-8")
    bad = text.replace("missing = true", 'missing = ["研发强度"]', 1)
    with pytest.raises(SchemeError) as caught:
        loads(bad)
    message = str(caught.value)
    assert "indicators[0].policies[0].missing" in message
    assert "did you mean '研发投入强度'" in message
    with pytest.raises(SchemeError, match=r"policies\[0\]\.missing"):
        loads(text.replace("missing = true", 'missing = "yes"', 1))


def test_missing_is_in_the_json_schema_and_round_trips():
    defs = scheme_json_schema()["$defs"]
    assert "missing" in defs["policy.not_applicable"]["properties"]
    scheme = load(COOKBOOK / "missing-data.toml")
    again = scheme_to_mapping(scheme)
    assert again["indicators"][0]["policies"][0]["missing"] is True


@settings(max_examples=40, deadline=None)
@given(
    x=st.one_of(st.none(), st.integers(0, 100)),
    y=st.integers(0, 100),
    wa=st.integers(1, 9),
)
def test_a_missing_indicator_leaves_the_others_weighted_as_if_it_were_absent(x, y, wa):
    """With x blank the total is y's score alone (its weight takes everything); with x it is the weighted sum."""
    scheme = Scheme(
        name="t",
        groups=[
            Group(
                name="g",
                children=[
                    Indicator(
                        code="1", name="a", weight=wa * 10, score="x", policies=[NotApplicable(missing=True)]
                    ),
                    Indicator(code="2", name="b", weight=100 - wa * 10, score="y"),
                ],
            )
        ],
    )
    data = {"y": y} if x is None else {"x": x, "y": y}
    total = evaluate(scheme, [Unit(name="甲", data=data)]).results[0].total
    expected = Fraction(y) if x is None else (Fraction(x) * wa * 10 + Fraction(y) * (100 - wa * 10)) / 100
    assert Fraction(total) == expected


# -- 7. bonus items counted once per matter, at the highest level ------------------------------


def test_the_bonus_matters_recipe_gives_the_hand_worked_totals():
    """国家级 2分, 省级 1分 per matter, once; 市级 0.5分 each; 3分 at most.

    甲 90 + 2 (文明城市: 国家级 and 省级 → 国家级 once) = 92; 乙 85 + 1 + 1 + 2×0.5 = 88;
    丙 80 + min(2 + 2 + 0.5, 3) = 83; 丁 88; 戊 75 + 1 (two 省级 awards for one matter: once) = 76.
    """
    units = _results("bonus-matters")
    assert {n: r.total for n, r in units.items()} == {
        "甲": Decimal(92),
        "乙": Decimal(88),
        "丙": Decimal(83),
        "丁": Decimal(88),
        "戊": Decimal(76),
    }
    assert (
        "同一事项「文明城市」按最高级别计一次：文明城市国家级 加2分（文明城市省级 不另计）"
        in units["甲"].explain()
    )


def test_validate_names_a_matter_item_that_is_not_an_item():
    text = (COOKBOOK / "bonus-matters.toml").read_text(encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        loads(text.replace('"文明城市省级"]', '"文明城市市级"]'))
    [problem] = caught.value.problems
    assert problem.path == "policies[0].matters.文明城市"
    assert problem.message == "'文明城市市级' is not one of the items; did you mean '文明城市省级'?"
    with pytest.raises(
        SchemeError,
        match=r"a matter's items must all add or all deduct points @ policies\[0\]\.matters\.卫生城市",
    ):
        loads(text.replace('"卫生城市省级" = 1,', '"卫生城市省级" = -1,'))
    with pytest.raises(SchemeError, match="matters group 'items'"):
        Adjust(per="x", points=1, matters={"m": ["x", "y"]})


_LEVELS = {"国家级": Fraction(3), "省级": Fraction(2), "市级": Fraction(1)}


@settings(max_examples=60, deadline=None)
@given(
    counts=st.fixed_dictionaries({k: st.integers(0, 3) for k in _LEVELS}),
    sign=st.sampled_from([1, -1]),
)
def test_a_matter_counts_its_biggest_level_once(counts, sign):
    """Whatever the counts, a matter adds the points of its biggest level held, once (0 when none is held)."""
    policy = Adjust(
        items={k: sign * v for k, v in _LEVELS.items()}, matters={"事项": list(_LEVELS)}, reason="r"
    )
    scheme = Scheme(
        name="t",
        basis="points",
        total=10,
        groups=[
            Group(name="g", children=[Indicator(code="1", name="a", weight=10, score="5", policies=[policy])])
        ],
    )
    total = evaluate(scheme, [Unit(name="甲", data=dict(counts))]).results[0].total
    held = [v for k, v in _LEVELS.items() if counts[k]]
    assert Fraction(total) == max(0, min(10, 5 + sign * (max(held) if held else 0)))


# -- 6. grade effects beside the bands -----------------------------------------------------


def test_the_grade_effects_recipe_gives_the_hand_worked_grades():
    """Bands A 90—100, B 80—89, C 70—79, D under 70; 一般事故 → one grade down; 重大事故 → total at most 79.

    甲 93 A. 乙 88 B, down one: C. 丙 95 limited to 79: C (and ranked with 79). 丁 73 C → D.
    戊 65 D stays D (the lowest). 己 90 limited to 79 (C), then down one: D.
    """
    units = _results("grade-effects")
    assert {n: (r.total, r.grade) for n, r in units.items()} == {
        "甲": (Decimal(93), "A级"),
        "乙": (Decimal(88), "C级"),
        "丙": (Decimal(79), "C级"),
        "丁": (Decimal(73), "D级"),
        "戊": (Decimal(65), "D级"),
        "己": (Decimal(79), "D级"),
    }
    assert units["丙"].rank == units["己"].rank == 3
    text = units["己"].explain()
    assert "总分 90分 不超过 79分，按 79分 计" in text
    assert "等次由“C级”降为“D级”" in text


def test_validate_catches_cap_misuse():
    text = (COOKBOOK / "grade-effects.toml").read_text(encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        loads(text.replace("max_total = 79 ", "max_total = 120 "))
    [problem] = caught.value.problems
    assert problem.path == "caps[0].max_total"
    assert "above full marks (100)" in problem.message
    with pytest.raises(SchemeError) as caught:
        loads(text.replace("demote = 1 ", "demote = -1 "))
    assert caught.value.problems[0].path == "caps[1].demote"
    with pytest.raises(SchemeError) as caught:
        loads(text.replace("demote = 1 ", ""))
    [problem] = caught.value.problems
    assert problem.path == "caps[1]"
    assert "a cap needs an effect" in problem.message


def test_the_cap_keys_are_in_the_json_schema():
    props = scheme_json_schema()["$defs"]["cap"]["properties"]
    assert {"demote", "max_total", "grade"} <= props.keys()
    again = scheme_to_mapping(load(COOKBOOK / "grade-effects.toml"))
    assert again["caps"][0]["max_total"] == 79
    assert again["caps"][1]["demote"] == 1


@settings(max_examples=60, deadline=None)
@given(score=st.integers(0, 100), demote=st.integers(0, 3), limit=st.one_of(st.none(), st.integers(0, 100)))
def test_demotion_and_a_total_limit_agree_with_the_bands(score, demote, limit):
    """The grade is the band of min(total, limit), moved `demote` grades down and no lower than the lowest."""
    grades = ["优", "良", "中", "差"]
    scheme = loads(
        'format = "perfrules-scheme/1"\nname = "t"\nbasis = "points"\ntotal = 100\ngroups = [{ name = "g" }]\n'
        '[overall]\nrule = "90分以上为优，80分以上不足90分为良，60分以上不足80分为中，不足60分为差"\n'
        '[[indicators]]\ncode = "1"\nname = "a"\ngroup = "g"\nweight = 100\nscore = "x"\n'
        + (
            f'[[caps]]\nwhen = "事故>0"\ndemote = {demote}\n'
            + (f"max_total = {limit}\n" if limit is not None else "")
            if demote or limit is not None
            else ""
        )
    )
    result = evaluate(scheme, [Unit(name="甲", data={"x": score, "事故": 1})]).results[0]
    total = score if limit is None else min(score, limit)
    band = 0 if total >= 90 else 1 if total >= 80 else 2 if total >= 60 else 3
    assert result.total == total
    assert result.grade == grades[min(3, band + demote)]


def test_flags_sit_beside_the_grade_in_every_output(tmp_path):
    """不能评先 for any accident, 黄牌警告 under 80% on 利润总额 (丁 45/60, 戊 40/60); grades unchanged."""
    units = _results("grade-effects")
    assert {n: r.flags for n, r in units.items()} == {
        "甲": (),
        "乙": ("不能评先",),
        "丙": ("不能评先",),
        "丁": ("不能评先", "黄牌警告"),
        "戊": ("不能评先", "黄牌警告"),
        "己": ("不能评先",),
    }
    assert (
        units["丁"].explain().splitlines()[0] == "丁：总分 73分，等次“D级”（不能评先、黄牌警告），排名第 5 名"
    )
    scheme_path, data_path = (str((COOKBOOK / "grade-effects").with_suffix(s)) for s in (".toml", ".csv"))
    csv_text = _cli_output("score", scheme_path, data_path, "--format", "csv")
    assert csv_text.splitlines()[0].startswith("排名,单位,类别,总分,等次,标记,")
    assert "5,丁,,73,D级,不能评先、黄牌警告,45,28," in csv_text
    json_text = _cli_output("score", scheme_path, data_path, "--format", "json")
    by_unit = {u["unit"]: u for u in json.loads(json_text)["units"]}
    assert by_unit["丁"]["flags"] == ["不能评先", "黄牌警告"]
    assert by_unit["甲"]["flags"] == []
    lines = _cli_output("score", scheme_path, data_path, "--format", "jsonl").splitlines()
    assert json.loads(lines[4])["flags"] == ["不能评先", "黄牌警告"]
    totals = evaluate(load(scheme_path), load_units(data_path), explained=False)
    assert {r.unit: r.flags for r in totals.results} == {n: r.flags for n, r in units.items()}


def test_validate_refuses_a_flag_without_a_label():
    text = (COOKBOOK / "grade-effects.toml").read_text(encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        loads(text.replace('label = "黄牌警告"', 'label = ""'))
    [problem] = caught.value.problems
    assert problem.path == "flags[1]"
    assert "needs a label" in problem.message
    with pytest.raises(SchemeError, match=r"flags\[1\]\.when"):
        loads(text.replace('when = "指标1得分率<80%"', 'when = "指标9得分率<80%"'))


def _cli_output(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(list(args), out=out, err=err) == 0, err.getvalue()
    return out.getvalue()


# -- 5. per-unit constants in the scheme -------------------------------------------------------


def test_the_parameters_recipe_gives_the_hand_worked_totals():
    """60×min(增速/目标, 1.2)/1.2×难度系数 + 民生得分×难度系数, with 目标 and 难度系数 from the scheme.

    甲县 min(8.4/7, 1.2) = 1.2 → 60 × 1.0 = 60, 36 × 1.0 = 36: 96. 乙县 6/6 = 1 → 50 × 1.1 = 55,
    30 × 1.1 = 33: 88. 丙县 4/8 = 0.5 → 25 × 1.2 = 30, 25 × 1.2 = 30: 60.
    """
    units = _results("parameters")
    assert {n: r.total for n, r in units.items()} == {"甲县": 96, "乙县": 88, "丙县": 60}
    assert [i.score for i in units["乙县"].indicators] == [Decimal(55), Decimal(33)]
    assert "难度系数=1.2" in units["丙县"].explain()
    totals = evaluate(
        load(COOKBOOK / "parameters.toml"), load_units(COOKBOOK / "parameters.csv"), explained=False
    )
    assert {r.unit: r.total for r in totals.results} == {n: r.total for n, r in units.items()}


def test_a_units_own_value_overrides_the_schemes_and_an_unlisted_unit_is_an_error():
    scheme = load(COOKBOOK / "parameters.toml")
    data = {"增速": Decimal("0.06"), "民生得分": Decimal(30)}
    result = evaluate(
        scheme,
        [
            Unit(name="乙县", data={**data, "难度系数": Decimal(1)}),  # the data's own 难度系数: 50 + 30
            Unit(name="丁县", data=data),  # not in the scheme's tables
        ],
    )
    by_unit = {r.unit: r for r in result.results}
    assert by_unit["乙县"].total == 80
    assert by_unit["丁县"].total is None
    assert {e.field for e in by_unit["丁县"].errors} == {"目标增速", "难度系数"}


def test_validate_names_a_parameter_nothing_reads_and_a_value_that_is_not_a_number():
    text = (COOKBOOK / "parameters.toml").read_text(encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        loads(text.replace('[parameters."目标增速"]', '[parameters."目标增長"]'))
    [problem] = caught.value.problems
    assert problem.path == "parameters.目标增長"
    assert problem.message == "no formula or condition reads '目标增長'; did you mean '目标增速'?"
    with pytest.raises(SchemeError) as caught:
        loads(text.replace('"丙县" = 1.2', '"丙县" = "高"'))
    assert caught.value.problems[0].path == "parameters.难度系数.丙县"


def test_parameters_round_trip_and_are_not_asked_of_the_data():
    from perfrules.files.inputs import scheme_inputs

    scheme = load(COOKBOOK / "parameters.toml")
    assert scheme_inputs(scheme) == {"增速", "民生得分"}
    mapping = scheme_to_mapping(scheme)
    assert loads(json.dumps(mapping, default=str), format="json").parameters == scheme.parameters
    assert "parameters" in scheme_json_schema()["properties"]
