"""The data-entry workbook: perfrules.write_template and `perfrules template`."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from cli_run import run
from perfrules import evaluate, input_fields, load, load_units, sample_units, schemes, write_template
from perfrules.files.inputs import scheme_inputs
from perfrules.files.load import _builtin_file

openpyxl = pytest.importorskip("openpyxl")


def typed(text: str) -> object:
    """A CSV cell as a person types it into Excel: numbers become numbers, the rest stays text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def fill_from_sample(path: Path, name: str) -> None:
    """Type the built-in scheme's sample data into its template, as a unit's clerk would.

    The template has a row per unit and per period of the unit (pre-filled
    from the sample's units): each record goes into its row.
    """
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    period = header.index("期间") + 1 if "期间" in header else None
    row_of = {
        (sheet.cell(row=r, column=1).value, sheet.cell(row=r, column=period).value if period else None): r
        for r in range(2, sheet.max_row + 1)
    }
    for record in csv.DictReader(io.StringIO(_builtin_file(name, ".csv"))):
        r = row_of.pop((record["单位"], record.get("期间") or None))
        for c, column in enumerate(header, start=1):
            if record.get(column):
                sheet.cell(row=r, column=c).value = typed(record[column])
    assert not row_of  # every pre-filled row was filled
    book.save(path)


@pytest.mark.parametrize("name", schemes())
def test_a_template_filled_with_the_sample_scores_like_the_sample(tmp_path, name):
    scheme = load(name)
    path = tmp_path / "填报表.xlsx"
    write_template(scheme, path, units=sample_units(name))
    fill_from_sample(path, name)
    units = load_units(path, scheme=scheme)
    assert units.notes == ()  # every column is one the scheme reads
    got, want = evaluate(scheme, units), evaluate(scheme, sample_units(name))
    assert [(r.unit, r.rank, r.total, r.grade) for r in got.ranking()] == [
        (r.unit, r.rank, r.total, r.grade) for r in want.ranking()
    ]
    for a, b in zip(got.ranking(), want.ranking(), strict=True):
        assert [(i.code, i.score, i.grade) for i in a.indicators] == [
            (i.code, i.score, i.grade) for i in b.indicators
        ]
    # And through the command line, with no --sheet.
    code, out, _ = run("score", name, str(path), "--format", "csv")
    assert code == run("score", name, "sample", "--format", "csv")[0]
    assert out == run("score", name, "sample", "--format", "csv")[1]


@pytest.mark.parametrize("name", schemes())
def test_the_header_holds_the_unit_columns_then_every_input(tmp_path, name):
    scheme = load(name)
    path = tmp_path / "t.xlsx"
    write_template(scheme, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["填报表", "填报说明", "数据项"]
    header = [c.value for c in book.worksheets[0][1]]
    special = ["单位"]
    special += ["类别"] if scheme.categories else []
    special += ["期间"] if any(i.frequency not in (None, "yearly") for i in scheme.indicators()) else []
    special += ["不适用"] if name != "shenzhen-2010-districts" else []
    assert header[: len(special)] == special
    assert header[len(special) :] == [f.name for f in input_fields(scheme)]
    assert set(header[len(special) :]) == scheme_inputs(scheme)
    assert book.worksheets[0].max_row == 1  # no units given: the header only


def test_input_columns_carry_definition_measure_source_in_their_comments(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(load("shenzhen-2010-departments"), path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cells = {c.value: c for c in sheet[1]}
    rate = cells["网上申请行政审批实现率"].comment.text
    assert "6 行政审批网上实现率" in rate
    assert "计量单位：比率" in rate and "取值范围：0 至 1" in rate and "数据来源：市科工贸信委" in rate
    first = cells["白皮书任务完成数"].comment.text
    assert "释义：指各单位完成年初制定并向社会公布的公共服务白皮书工作任务计划的情况" in first
    assert "用于：白皮书任务按时完成率=(白皮书任务完成数/白皮书任务总数)×100%" in first
    assert "可选值：良好、合格、不合格" in cells["按时签收评定"].comment.text
    assert "7、8" in cells["不适用"].comment.text


def test_data_validation_follows_the_schemes_bounds_and_grades(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(load("shenzhen-2010-departments"), path, units=["市甲委"])
    sheet = openpyxl.load_workbook(path).worksheets[0]
    column = {c.value: c.column_letter for c in sheet[1]}
    rules = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    graded = rules[column["按时签收评定"] + "2"]
    assert (graded.type, graded.formula1) == ("list", '"良好,合格,不合格"')
    category = rules[column["类别"] + "2"]
    assert category.formula1 == '"委,局,办"'
    score = rules[column["法治政府考评得分"] + "2"]
    assert (score.type, score.operator, score.formula1, score.formula2) == ("decimal", "between", "0", "100")
    count = rules[column["被督查催办事项"] + "2"]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert column["白皮书任务完成数"] + "2" not in rules  # the scheme does not bound it: nothing invented
    assert str(score.sqref).endswith("1000")


def test_points_schemes_bound_each_score_by_its_points():
    fields = {f.name: f for f in input_fields(load("xiamen-xiangan-2020"))}
    assert fields["2020年度主要经济指标评估情况得分"].high == Decimal(40)
    assert fields["2020年人才工作完成情况得分"].high == Decimal(20)
    assert fields["2020年人才工作完成情况得分"].allows(Decimal(20))
    assert not fields["2020年人才工作完成情况得分"].allows(Decimal("20.5"))


def test_units_prefill_names_and_categories(tmp_path):
    path = tmp_path / "t.xlsx"
    name = "shenzhen-2010-departments"
    write_template(load(name), path, units=sample_units(name))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = [(r[0].value, r[1].value, r[2].value) for r in sheet.iter_rows(min_row=2)]
    want = []
    for u in sample_units(name):
        want += [(u.name, u.category, None), *((u.name, u.category, p) for p in u.periods)]
    assert rows == want
    assert ("市庚委", "委", "四季度") in rows


def test_text_is_never_a_formula(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(load("xiamen-xiangan-2020"), path, units=['=HYPERLINK("http://x")'])
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == '=HYPERLINK("http://x")'


def test_cli_template(tmp_path):
    path = tmp_path / "填报表.xlsx"
    code, out, _ = run(
        "template", "xiamen-xiangan-2020", "--units", "sample", "--unit", "新单位", "-o", str(path)
    )
    assert code == 0 and "9 unit(s)" in out
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [r[0].value for r in sheet.iter_rows(min_row=2)][-2:] == ["区人社局", "新单位"]
    code, _, err = run("template", "xiamen-xiangan-2020", "-o", str(tmp_path / "t.csv"))
    assert code == 2 and ".xlsx" in err
    code, _, _ = run("template", "shenzhen-2010-districts", "--no-not-applicable", "-o", str(path))
    assert "不适用" not in [c.value for c in openpyxl.load_workbook(path).worksheets[0][1]]
