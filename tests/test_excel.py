"""Excel workbooks: perfrules.write_workbook and `perfrules score … -o FILE.xlsx`."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import attrs
import pytest

from cli_run import run
from perfrules import evaluate, load, sample_units, write_workbook
from perfrules.results.display import display_width

openpyxl = pytest.importorskip("openpyxl")

NAME = "shenzhen-2010-departments"
SAMPLE_CSV = (
    Path(__file__).resolve().parent.parent / "src" / "perfrules" / "schemes" / "shenzhen_2010_departments.csv"
)
HYPERLINK = '=HYPERLINK("http://x")'


def sample_with(tmp_path: Path, renames: dict[str, str], blank: tuple[str, str] | None = None) -> Path:
    """The sample data with some units renamed (and optionally one field of one unit emptied)."""
    rows = list(csv.reader(io.StringIO(SAMPLE_CSV.read_text(encoding="utf-8-sig"))))
    for row in rows[1:]:
        if blank is not None and row[0] == blank[0]:
            row[rows[0].index(blank[1])] = ""
        row[0] = renames.get(row[0], row[0])
    path = tmp_path / "data.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory):
    """The workbook the CLI writes for the Shenzhen department sample, and the JSON of the same run."""
    path = tmp_path_factory.mktemp("xlsx") / "结果.xlsx"
    code, out, err = run("score", NAME, "sample", "-o", str(path))
    assert (code, out, err) == (0, "", "")
    code, out, _ = run("score", NAME, "sample", "--format", "json")
    assert code == 0
    return openpyxl.load_workbook(path), json.loads(out)


def test_the_results_sheet_ranks_every_unit_with_number_cells(sample_book):
    """Header, one row per unit ranked within its category (分类评估), totals as numbers equal to the JSON totals."""
    book, records = sample_book
    assert book.sheetnames == ["结果", "错误与说明", "指标体系"]
    ws = book["结果"]
    header = [c.value for c in ws[1]]
    # ※: the total and the grade rest on stand-ins (the legend is under the table).
    assert header[:5] == ["类别内排名", "单位", "类别", "总分※", "等次※"]
    assert header[5] == "1 公共服务白皮书" and header[-1] == "总排名" and len(header) == 5 + 23 + 1
    assert header[5 + 12] == "13 政协提案办理※" and header[5 + 11] == "12 政府督查事项"
    units = records["units"]
    assert ws.max_row == 1 + len(units) + 2
    assert ws.cell(row=ws.max_row, column=1).value.startswith(
        "※ 示例规则（原文未给出）：总分等次及各等次的分数区间；指标 13–23"
    )
    rows = list(ws.iter_rows(min_row=2, max_row=1 + len(units)))
    # 委, 局, 办 in the scheme's order, each by its own ranks.
    order = sorted(units, key=lambda u: ("委局办".index(u["category"]), u["category_rank"]))
    assert [r[1].value for r in rows] == [u["unit"] for u in order]
    for row, unit in zip(rows, order, strict=True):
        rank, name, category, total, grade = row[:5]
        assert (rank.value, name.value, category.value, grade.value, row[-1].value) == (
            unit["category_rank"],
            unit["unit"],
            unit["category"],
            unit["grade"],
            unit["rank"],
        )
        assert total.data_type == "n" and isinstance(total.value, int | float)
        assert total.value == pytest.approx(unit["total"], abs=1e-6)
        scores = {i["code"]: i["score"] for i in unit["indicators"]}
        for cell, head in zip(row[5:-1], header[5:-1], strict=True):
            expected = scores[head.split()[0]]
            assert cell.value == (None if expected is None else pytest.approx(expected, abs=1e-6))


def test_the_results_sheet_is_frozen_bold_filtered_and_wide_enough(sample_book):
    """The header row is frozen and bold, filtered, and columns fit Chinese text."""
    ws = sample_book[0]["结果"]
    assert ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1])
    assert ws.auto_filter.ref == f"A1:AC{ws.max_row - 2}"
    # "2 政府投资项目(A类)完成率" takes 25 columns: its 10 Chinese characters count twice.
    assert display_width(ws["G1"].value) == 25
    assert ws.column_dimensions["G"].width == 25 + 2
    assert ws.column_dimensions["B"].width == display_width("市乙局") + 2
    assert ws["D2"].number_format == "0.00"


def test_the_notes_sheet_lists_the_policies_that_fired(sample_book):
    """Sheet 2: unit, origin, indicator, field, kind, message — defaults, vetoes, periods …"""
    ws = sample_book[0]["错误与说明"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("单位", "来源", "指标", "数据项", "类型", "说明")
    kinds = {(r[0], r[4]) for r in rows[1:]}
    assert ("市乙局", "默认") in kinds and ("市丁委", "说明") in kinds and ("市庚委", "分期合并") in kinds
    # 市庚委 gives 1 by quarter: the averaging of its quarters is a stand-in of its own.
    assert ("市庚委", "示例规则（原文未给出）") in kinds
    assert ws.freeze_panes == "A2"


def test_the_scheme_sheet_describes_groups_indicators_and_weights(sample_book):
    """Sheet 3: the tree with weights per category, declared subtotals, and the basis and total."""
    ws = sample_book[0]["指标体系"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "层级",
        "序号",
        "名称",
        "所属分组",
        "权重%（委）",
        "权重%（局）",
        "权重%（办）",
        "示例规则（原文未给出）",
    )
    assert ("一级指标", None, "行政业绩", None, 45, 45, 45, None) in rows
    assert ("指标", "2", "政府投资项目(A类)完成率", "行政业绩 / 重点工作", 4, 4, 0, None) in rows
    fifteen = next(r for r in rows if r[1] == "15")
    assert fifteen[-1] == "原文未给出评分规则：得分取数据采集单位（市法制办）评定的分数（0至100）"
    assert ("合计", None, None, None, 100, 100, 100, None) in rows
    about = {r[0]: r[1] for r in rows if r[0] in ("计分方式", "满分", "单位类别")}
    assert about == {"计分方式": "权重（百分比，合计 100%）", "满分": 100, "单位类别": "委、局、办"}


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    """Spreadsheet injection: unit names starting with = + - @ are text cells, never formulas."""
    names = {"市甲委": HYPERLINK, "市乙局": "+1+2", "市丙办": "-3", "市丁委": "@SUM(A1)"}
    data = sample_with(tmp_path, names)
    path = tmp_path / "out.xlsx"
    code, _, err = run("score", NAME, str(data), "-o", str(path))
    assert code == 0, err
    cells = {c.value: c for c in openpyxl.load_workbook(path)["结果"]["B"][1:]}
    for name in names.values():
        assert cells[name].data_type == "s", name
        assert cells[name].quotePrefix, name
    # No formula anywhere in the XML: the name is an inline string.
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<f[ >]", sheet)
    assert '<is><t>=HYPERLINK("http://x")</t></is>' in sheet.replace("&quot;", '"')


def test_a_unit_that_cannot_be_scored_has_empty_cells_and_an_error_row(tmp_path):
    """Empty total, grade and rank where a unit failed; its error is on sheet 2 with its row."""
    data = sample_with(tmp_path, {}, blank=("市乙局", "白皮书任务总数"))
    path = tmp_path / "out.xlsx"
    code, _, err = run("score", NAME, str(data), "-o", str(path))
    assert code == 1 and "could not be scored" in err
    book = openpyxl.load_workbook(path)
    ws = book["结果"]
    # 市乙局 is the last of its category (局), unranked; the other 局 keeps its rank 1.
    failed = next([c.value for c in row] for row in ws.iter_rows(min_row=2) if row[1].value == "市乙局")
    assert failed[0] is None and failed[3] is None and failed[4] is None and failed[-1] is None
    bureaus = [(row[0].value, row[1].value) for row in ws.iter_rows(min_row=2) if row[2].value == "局"]
    assert bureaus == [(1, "市辛局"), (None, "市乙局")]
    errors = [r for r in book["错误与说明"].iter_rows(values_only=True) if r[4] == "错误"]
    assert len(errors) == 1
    unit, origin, indicator, field, _, message = errors[0]
    assert (unit, indicator, field) == ("市乙局", "1 公共服务白皮书", "白皮书任务总数")
    assert "row" in origin and message


def test_format_xlsx_needs_an_output_file_and_ignores_the_suffix(tmp_path):
    """--format xlsx without -o is a usage mistake; with -o any name gets a workbook."""
    code, _, err = run("score", NAME, "sample", "--format", "xlsx")
    assert code == 2 and "-o FILE.xlsx" in err
    path = tmp_path / "results.bin"
    assert run("score", NAME, "sample", "--format", "xlsx", "-o", str(path))[0] == 0
    with path.open("rb") as f:  # openpyxl opens a path only by its suffix
        assert openpyxl.load_workbook(f).sheetnames[0] == "结果"
    # The suffix decides even against --format.
    path = tmp_path / "RESULTS.XLSX"
    assert run("score", NAME, "sample", "--format", "json", "-o", str(path))[0] == 0
    assert openpyxl.load_workbook(path).sheetnames[0] == "结果"


def test_a_failed_write_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    """The workbook goes to a temporary file first: a failure keeps the old file byte for byte."""
    path = tmp_path / "结果.xlsx"
    assert run("score", NAME, "sample", "-o", str(path))[0] == 0
    before = path.read_bytes()

    def broken_save(self, filename):
        Path(filename).write_bytes(b"half a workbook")
        raise OSError(28, "No space left on device", str(filename))

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    code, _, err = run("score", NAME, "sample", "-o", str(path))
    assert code == 2 and "No space left on device" in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["结果.xlsx"]  # no temporary file left


def test_english_schemes_get_english_sheets(tmp_path):
    """A scheme with language "en" labels the sheets and headers in English."""
    scheme = attrs.evolve(load(NAME), language="en")
    path = tmp_path / "results.xlsx"
    write_workbook(evaluate(scheme, sample_units(NAME)), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Results", "Errors and notes", "Scheme"]
    assert [c.value for c in book["Results"][1]][:5] == [
        "rank in category",
        "unit",
        "category",
        "total※",
        "grade※",
    ]
    assert [c.value for c in book["Errors and notes"][1]][4] == "kind"
    assert [c.value for c in book["Scheme"][1]][4] == "weight % (委)"


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    """The temporary file is private; the workbook that replaces nothing is not."""
    path = tmp_path / "new.xlsx"
    write_workbook(evaluate(load(NAME), sample_units(NAME)), path)
    assert path.stat().st_mode & 0o644 == 0o644


def test_control_characters_and_leading_tabs_are_safe(tmp_path):
    """Names with a leading tab or CR stay text; characters XML cannot hold become U+FFFD."""
    evaluation = evaluate(load(NAME), sample_units(NAME))
    names = ["\tTAB", "\rCR", "bad\x01name"]
    results = [attrs.evolve(r, unit=n) for r, n in zip(evaluation.results, names, strict=False)]
    evaluation = attrs.evolve(evaluation, results=(*results, *evaluation.results[3:]))
    path = tmp_path / "out.xlsx"
    write_workbook(evaluation, path)
    cells = {c.value: c for c in openpyxl.load_workbook(path)["结果"]["B"][1:]}
    assert cells["\tTAB"].data_type == "s" and cells["\tTAB"].quotePrefix
    assert "bad\ufffdname" in cells
