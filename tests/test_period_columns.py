"""Each period's total and grade (``period_grades``) in every output of ``score``: table, CSV,
JSON Lines and workbook, streamed or loaded whole, in one process or two — the same cells."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from perfrules import evaluate, load, load_units
from perfrules.cli.main import main
from perfrules.cli.output import _csv_text
from perfrules.files import csvcolumns

COOKBOOK = Path(__file__).resolve().parent.parent / "docs" / "examples" / "cookbook"
SCHEME = COOKBOOK / "period-grades.toml"
DATA = COOKBOOK / "period-grades.csv"

# 甲: 一季度 50×min(100%, 1) + 27 + (20 − 5×0) = 97 (优秀); 二季度 50×90% + 24 + 20 = 89 (良好);
# 三季度 50 + 30 + 20 = 100 (优秀); 四季度 81 (良好); the year 91.75 (优秀), as the recipe works out.
HEAD = [
    "一季度总分",
    "一季度等次",
    "二季度总分",
    "二季度等次",
    "三季度总分",
    "三季度等次",
    "四季度总分",
    "四季度等次",
]
JIA = ["97", "优秀", "89", "良好", "100", "优秀", "81", "良好"]


def _run(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), out=out, err=err) == 0, err.getvalue()
    return out.getvalue()


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_has_each_periods_total_and_grade_after_the_grade():
    rows = _csv_rows(_run("score", str(SCHEME), str(DATA), "--format", "csv"))
    assert rows[0][:5] == ["排名", "单位", "类别", "总分", "等次"]
    assert rows[0][5:13] == HEAD
    assert rows[0][13] == "1 经济运行"
    jia = next(r for r in rows if r[1] == "甲")
    assert jia[3:5] == ["91.75", "优秀"]
    assert jia[5:13] == JIA


def test_every_output_gives_the_same_period_cells(tmp_path):
    scheme = load(SCHEME)
    whole = _csv_text(evaluate(scheme, load_units(DATA, scheme=scheme)))
    streamed = _run("score", str(SCHEME), str(DATA), "--format", "csv")
    assert streamed.lstrip("\ufeff") == whole
    # The table: the same heads and cells, in columns.
    table = _run("score", str(SCHEME), str(DATA)).splitlines()
    assert table[0].split()[5:13] == HEAD
    assert next(line for line in table if "甲" in line).split()[4:12] == JIA
    # JSON Lines: a periods list, as --format json has it.
    lines = [
        json.loads(line) for line in _run("score", str(SCHEME), str(DATA), "--format", "jsonl").splitlines()
    ]
    jia = next(r for r in lines if r["unit"] == "甲")
    assert [(p["period"], p["total"], p["grade"]) for p in jia["periods"]] == [
        ("一季度", 97, "优秀"),
        ("二季度", 89, "良好"),
        ("三季度", 100, "优秀"),
        ("四季度", 81, "良好"),
    ]
    document = json.loads(_run("score", str(SCHEME), str(DATA), "--format", "json"))
    for record in document["units"]:
        mine = next(r for r in lines if r["unit"] == record["unit"])
        assert [(p["period"], p["total"], p["grade"]) for p in record["periods"]] == [
            (p["period"], p["total"], p["grade"]) for p in mine["periods"]
        ]
    # The workbook's results sheet.
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "结果.xlsx"
    _run("score", str(SCHEME), str(DATA), "-o", str(book))
    sheet = openpyxl.load_workbook(book).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][5:13] == HEAD
    jia_row = next(r for r in rows if r[1] == "甲")
    assert [str(c) for c in jia_row[5:13]] == JIA


def test_two_processes_keep_the_periods(tmp_path, monkeypatch):
    """600 units read in ranges of 8 KiB (a unit's rows may straddle two): --jobs 2 writes what
    --jobs 1 and the whole batch write."""
    monkeypatch.setattr(csvcolumns, "BLOCK", 8192)  # (the workers are forked: they read it too)
    lines = ["单位,期间,完成率,项目得分,事故数"]
    for k in range(600):
        lines.append(f"u{k},,,,{k % 3}")
        for q, label in enumerate(["一季度", "二季度", "三季度", "四季度"]):
            lines.append(f"u{k},{label},{80 + (k + q) % 21}%,{(k * 7 + q) % 31},")
    data = tmp_path / "many.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    layout = csvcolumns.open_csv(data)
    assert layout is not None and len(layout.ranges) > 4
    scheme = load(SCHEME)
    whole = _csv_text(evaluate(scheme, load_units(data, scheme=scheme)))
    for fmt in ("csv", "jsonl", "table"):
        one = _run("score", str(SCHEME), str(data), "--format", fmt, "--jobs", "1")
        assert _run("score", str(SCHEME), str(data), "--format", fmt, "--jobs", "2") == one, fmt
        if fmt == "csv":
            assert one.lstrip("\ufeff") == whole
            assert _csv_rows(one)[0][5:13] == HEAD
    # u0: 一季度 50×80% + 0 + 20 = 60 (合格).
    u0 = next(r for r in _csv_rows(whole) if r[1] == "u0")
    assert u0[5:7] == ["60", "合格"]


def test_a_scheme_without_period_grades_has_no_period_columns():
    text = _run("score", "shenzhen-2010-departments", "sample", "--format", "csv")
    assert not any("季度" in h for h in _csv_rows(text)[0])
    assert "periods" not in json.loads(
        _run("score", "shenzhen-2010-departments", "sample", "--format", "jsonl").splitlines()[0]
    )


def test_a_results_file_with_period_columns_reads_back(tmp_path):
    """read_results (and --previous) skip the period columns, in Chinese and in English heads."""
    from perfrules import read_results

    english = tmp_path / "en.toml"
    text = SCHEME.read_text(encoding="utf-8")
    english.write_text(
        text.replace('format = "perfrules-scheme/1"', 'format = "perfrules-scheme/1"\nlanguage = "en"'),
        encoding="utf-8",
    )
    for scheme, heads in ((SCHEME, HEAD[:2]), (english, ["一季度 total", "一季度 grade"])):
        out = tmp_path / f"{scheme.stem}.csv"
        _run("score", str(scheme), str(DATA), "--format", "csv", "-o", str(out))
        assert _csv_rows(out.read_text(encoding="utf-8-sig"))[0][5:7] == heads
        past = read_results(out)
        jia = past.units["甲"]
        assert (str(jia.total), jia.grade) == ("91.75", "优秀")
        assert {code: str(v) for code, v in jia.scores.items()} == {"1": "46.25", "2": "25.5", "3": "20"}
