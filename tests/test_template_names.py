"""``perfrules template --units NAMES.txt``: a list of unit names, one a line, as ``check --units``
takes it (UTF-8 with a BOM or GBK too, blank lines skipped)."""

from __future__ import annotations

import pytest

from cli_run import run as _run

openpyxl = pytest.importorskip("openpyxl")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_txt_list_of_names_fills_the_template(tmp_path, encoding):
    names = tmp_path / "单位名单.txt"
    names.write_bytes("市甲委\n\n  市乙局  \n".encode(encoding))
    book = tmp_path / "填报表.xlsx"
    code, out, err = _run(
        "template", "shenzhen-2010-departments", "--units", str(names), "--unit", "市丙办", "-o", str(book)
    )
    assert code == 0, err
    assert "3 unit(s)" in out
    sheet = openpyxl.load_workbook(book).worksheets[0]
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == ["市甲委", "市乙局", "市丙办"]


def test_a_missing_list_is_a_usage_error(tmp_path):
    code, _, err = _run(
        "template",
        "shenzhen-2010-departments",
        "--units",
        str(tmp_path / "无.txt"),
        "-o",
        str(tmp_path / "t.xlsx"),
    )
    assert code == 2 and "无.txt" in err
