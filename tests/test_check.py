"""Checking unit data before scoring: perfrules.check_data, `perfrules check` and `validate SCHEME DATA`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_run import run
from perfrules import check_data, load, loads, sample_units, schemes
from perfrules.files.load import _builtin_file

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
SCHEME = (EXAMPLES / "example-scheme.toml").read_text(encoding="utf-8")
DATA = (EXAMPLES / "example-data.csv").read_text(encoding="utf-8")


def messages(found) -> list[str]:
    return [str(p) for p in found.problems]


@pytest.mark.parametrize("name", schemes())
def test_the_sample_data_is_clean(tmp_path, name):
    path = tmp_path / "data.csv"
    path.write_text(_builtin_file(name, ".csv"), encoding="utf-8")
    found = check_data(load(name), path, expected=[u.name for u in sample_units(name)])
    assert found.ok, messages(found)
    assert len(found.units) == len(sample_units(name))
    code, out, _ = run("check", name, str(path), "--units", "sample")
    assert (code, out.startswith("ok:")) == (0, True)


def test_a_misspelt_name_in_a_grading_rule_is_found_before_scoring(tmp_path):
    # The rule reads 完成律; the step computes 完成率: the scheme alone validates,
    # and scoring would fail every unit.
    text = SCHEME.replace(
        "优：白皮书任务按时完成率=100%；良：90%≤白皮书任务按时完成率<100%",
        "优：白皮书任务按时完成律=100%；良：90%≤白皮书任务按时完成律<100%",
    )
    scheme_file = tmp_path / "scheme.toml"
    scheme_file.write_text(text, encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text(DATA, encoding="utf-8")
    assert run("validate", str(scheme_file))[0] == 0
    found = check_data(loads(text), data)
    assert messages(found)[0] == (
        "missing: the scheme reads it (1 公共服务白皮书); the scheme computes '白皮书任务按时完成率' "
        "— is the name misspelt in the scheme? @ column '白皮书任务按时完成律'"
    )
    code, _, err = run("validate", str(scheme_file), str(data))
    assert code == 1 and "白皮书任务按时完成律" in err


def test_every_problem_at_once(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(
        "单位,类别,期间,不适用,白皮书任务完成数,白皮书任务总数,目标任务实际完成数,目标任务总数,"
        "行政审批事项数,网上申请实现率,网上查询实现率,违纪人数,重大违纪案件数,违计人数\n"
        "示例发展委,委,,,19,20,0,0,8,1.5,1,1,0,3\n"
        "示例交通局,厅,,9,20,20,9,10,0,,,abc,0,\n"
        "示例水务局,,,,20,20,9,10,3,0.9,0.95,0,0,\n",
        encoding="utf-8",
    )
    found = check_data(loads(SCHEME), data, expected=["示例发展委", "示例交通局", "示例水务局", "示例财政局"])
    assert messages(found) == [
        "not read by the scheme (did you mean '违纪人数'?) @ column '违计人数'",
        f"1.5 is out of bounds: the scheme allows 0 至 1 @ unit '示例发展委' ({data} row 2), field '网上申请实现率'",
        f"'abc' is not a number @ unit '示例交通局' ({data} row 3), field '违纪人数'",
        f"unknown category '厅'; the scheme's are 委、局 @ unit '示例交通局' ({data} row 3)",
        f"'9' is not an indicator's code or name @ unit '示例交通局' ({data} row 3), field '不适用'",
        f"no category; the scheme's are 委、局 @ unit '示例水务局' ({data} row 4)",
        "expected, but not in the data @ unit '示例财政局'",
    ]
    code, _, err = run("check", str(EXAMPLES / "example-scheme.toml"), str(data))
    assert code == 1 and err.startswith(f"{data}: 6 problems\n")


def test_grades_not_in_the_scale_and_scoring_problems(tmp_path):
    name = "shenzhen-2010-departments"
    text = _builtin_file(name, ".csv").replace("良好,良好,合格", "优秀,良好,合格", 1)
    lines = text.splitlines()
    header = lines[0].split(",")
    row = lines[2].split(",")  # 市乙局: no 审计结论 and no default for it
    row[header.index("审计结论")] = ""
    lines[2] = ",".join(row)
    data = tmp_path / "data.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = messages(check_data(load(name), data))
    assert found == [
        f"'优秀' is not one of 良好、合格、不合格 @ unit '市甲委' ({data} row 2), field '按时签收评定'",
        f"no value for '审计结论' in formula 'the category of 23 财政、财务收支的真实合法与效益' @ "
        f"unit '市乙局' ({data} row 3), field '审计结论', indicator 23",
    ]


def test_points_above_an_indicators_points_are_out_of_bounds(tmp_path):
    name = "xiamen-xiangan-2020"
    text = _builtin_file(name, ".csv")
    data = tmp_path / "data.csv"
    data.write_text(text.replace("区文旅局,,30,", "区文旅局,,31,", 1), encoding="utf-8")
    assert messages(check_data(load(name), data)) == [
        f"31 is out of bounds: the scheme allows 0 至 30 @ unit '区文旅局' ({data} row 2), "
        "field '根据厦翔委(2020)8号文件及区委工作要点任务分解进行评估得分'"
    ]


def test_an_unreadable_file_is_reported_not_raised(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("名称,得分\n甲,1\n", encoding="utf-8")
    found = check_data(load("xiamen-xiangan-2020"), data)
    assert not found.ok and "no unit column" in messages(found)[0]
    data_json = tmp_path / "data.json"
    data_json.write_text(json.dumps([{"name": "甲", "data": {"改革创新得分": 40}}]), encoding="utf-8")
    found = check_data(load("xiamen-xiangan-2020"), data_json)
    assert "40 is out of bounds: the scheme allows 0 至 30" in " ".join(messages(found))
    assert sum("missing: the scheme reads it" in m for m in messages(found)) == 40


def test_cli_check_expected_units_from_a_text_list(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(DATA, encoding="utf-8")
    names = tmp_path / "单位名单.txt"
    names.write_text("示例发展委\n示例交通厅\n", encoding="utf-8")
    code, _, err = run("check", str(EXAMPLES / "example-scheme.toml"), str(data), "--units", str(names))
    assert code == 1
    assert "unit '示例交通厅': expected, but not in the data" in err
    assert "unit '示例交通局': not in the list of expected units (did you mean '示例交通厅'?)" in err
    assert run("check", "xiamen-xiangan-2020", str(tmp_path / "none.csv"))[0] == 2


def test_data_for_a_draft_is_checked_without_scoring(tmp_path):
    text = SCHEME.replace(
        'name = "廉政状况"', 'name = "廉政状况"\ntodo = [{ about = "policy", text = "酌情扣分" }]'
    )
    data = tmp_path / "data.csv"
    data.write_text(DATA, encoding="utf-8")
    found = check_data(loads(text), data)
    assert messages(found) == ["a draft with 1 todo(s): what scoring would report is not checked @ (scheme)"]
