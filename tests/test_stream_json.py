"""`score --format json` from a file, scored as a stream: the same document, byte for byte, as in memory.

Each unit is explained as it is scored and its groups and indicators spill to
a temporary file; ranks, quota-moved grades and quota events are written at
the end. The document must be the one `evaluate()` on the loaded units gives
(``_json_chunks``), whatever the number of processes and the chunk size, with
units not scored, rows apart and population steps.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from cli_run import run as _run
from perfrules import evaluate, load, load_units
from perfrules.cli.output import _json_chunks, _json_document, _streamed_records
from perfrules.pipeline.stream import SPILLED, _Spill, score_file
from perfrules.results.display import unit_records

ROOT = Path(__file__).resolve().parent.parent
MECHANICS = ROOT / "docs" / "examples" / "mechanics"
BUILTIN = ROOT / "src" / "perfrules" / "schemes"

CASES = [
    ("shenzhen-2010-departments", BUILTIN / "shenzhen_2010_departments.csv"),
    ("xiamen-xiangan-2020", BUILTIN / "xiamen_xiangan_2020.csv"),
    *((str(p.with_suffix(".toml")), p) for p in sorted(MECHANICS.glob("m*.csv"))),
    *((str(p.with_suffix(".toml")), p) for p in sorted((MECHANICS.parent / "cookbook").glob("*.csv"))),
]

# A points scheme with a population step (the best 招商引资额) and a quota on 优: what only the end
# of a run settles (ranks, grades moved by the quota, its events) is patched into spilled records.
QUOTA = """\
format = "perfrules-scheme/1"
name = "名额示例"
basis = "points"
total = 100
groups = [{ name = "考核指标" }]

[[indicators]]
code = "1"
name = "招商引资"
group = "考核指标"
weight = 60
score = "分值×招商引资额÷最高值(招商引资额)"

[[indicators]]
code = "2"
name = "日常工作"
group = "考核指标"
weight = 40
score = "日常得分"

[overall]
rule = "总分90分及以上为优秀，80分及以上不满90分为良好，60分及以上不满80分为合格，不满60分为不合格"

[[quotas]]
grade = "优秀"
share = "50%"
rounding = "floor"
overflow = "良好"
"""
# Sums: 甲 60+40 = 100, 乙 57+38 = 95, 丙 54+37 = 91, 戊 30+30 = 60. 丁's 日常得分 is unreadable: it
# is not scored, so its 400 is not the best 招商引资额 (read in a first pass, which reads only the
# population's columns, then dropped: a third pass). Four units scored: 50% of them, 2, may be 优秀.
ROWS = "单位,招商引资额,日常得分\n甲,200,40\n乙,190,38\n丁,400,x\n丙,180,37\n戊,100,30\n"


def _in_memory(scheme_source: str | Path, data: Path) -> str:
    scheme = load(scheme_source)
    return "".join(_json_chunks(evaluate(scheme, load_units(data, scheme=scheme))))


def _streamed(scheme_source: str | Path, data: Path, **options: int) -> str:
    scheme = load(scheme_source)
    with score_file(scheme, data, explained=True, **options) as run:
        return "".join(_json_document(scheme.name, _streamed_records(scheme, run)))


@pytest.fixture
def quota_files(tmp_path: Path) -> tuple[Path, Path]:
    scheme = tmp_path / "quota.toml"
    scheme.write_text(QUOTA, encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text(ROWS, encoding="utf-8")
    return scheme, data


@pytest.mark.parametrize(("scheme_source", "data"), CASES, ids=[Path(d).stem for _, d in CASES])
def test_streamed_json_equals_the_loaded_one(scheme_source, data, tmp_path):
    """`score --format json -o FILE` on a CSV file (streamed) writes what the loaded units give, byte for byte."""
    target = tmp_path / "out.json"
    code, out, _ = _run("score", scheme_source, str(data), "--format", "json", "-o", str(target))
    assert code in (0, 1) and out == ""
    assert target.read_text(encoding="utf-8") == _in_memory(scheme_source, data)


@pytest.mark.parametrize("chunk_size", [1, 2, 1000])
def test_small_chunks_give_the_same_document(chunk_size):
    for scheme_source, data in CASES[:2]:
        assert _streamed(scheme_source, data, chunk_size=chunk_size) == _in_memory(scheme_source, data)


def test_a_quota_and_a_unit_not_scored_are_settled_at_the_end(quota_files):
    """The quota moves 丙 (91) from 优秀 to 良好 once every unit is scored: grade, event and ranks are the
    in-memory ones; 丁 (unreadable) comes last with its error, as in memory without indicators."""
    scheme, data = quota_files
    expected = _in_memory(scheme, data)
    code, out, err = _run("score", str(scheme), str(data), "--format", "json")
    assert code == 1 and "1 unit(s) could not be scored" in err
    assert out == expected + "\n"
    assert _streamed(scheme, data, chunk_size=1) == expected
    units = json.loads(out)["units"]
    assert [(u["unit"], u["rank"], u["grade"], u["total"]) for u in units] == [
        ("甲", 1, "优秀", 100),
        ("乙", 2, "优秀", 95),
        ("丙", 3, "良好", 91),
        ("戊", 4, "合格", 60),
        ("丁", None, None, None),
    ]
    assert [e["kind"] for e in units[2]["events"]] == ["quota"]
    assert units[4]["ok"] is False and "'x'" in units[4]["errors"][0]["message"]
    assert units[4]["indicators"] == [] and units[0]["indicators"][0]["score"] == 60


def test_two_processes_write_the_same_bytes(quota_files, tmp_path):
    """--jobs 2 (chunks in worker processes, members spilled from there) writes what one process writes."""
    scheme, data = quota_files
    expected = _in_memory(scheme, data)
    assert _streamed(scheme, data, jobs=2, chunk_size=1) == expected
    sample = BUILTIN / "shenzhen_2010_departments.csv"
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    _run("score", "shenzhen-2010-departments", str(sample), "--format", "json", "-o", str(one))
    _run("score", "shenzhen-2010-departments", str(sample), "--format", "json", "-o", str(two), "--jobs", "2")
    assert two.read_bytes() == one.read_bytes()


def test_rows_apart_are_gathered_as_loading_does(tmp_path):
    """甲's rows are apart (a unit not scored: two rows without a period); its record is the loaded one."""
    scheme = MECHANICS / "m06-grade-quota.toml"
    data = tmp_path / "split.csv"
    data.write_text("单位,得分\n甲,95\n乙,85\n丙,91\n甲,90\n", encoding="utf-8")
    expected = _in_memory(scheme, data)
    assert "two rows without a period" in expected
    for options in ({}, {"chunk_size": 1}, {"chunk_size": 1, "jobs": 2}):
        assert _streamed(scheme, data, **options) == expected, options


def test_standard_output_and_dash(quota_files, tmp_path):
    """Standard output and `-o -` get the document and a closing line break; a file gets the document."""
    scheme, data = quota_files
    target = tmp_path / "out.json"
    _, to_file, _ = _run("score", str(scheme), str(data), "--format", "json", "-o", str(target))
    _, plain, _ = _run("score", str(scheme), str(data), "--format", "json")
    _, dash, _ = _run("score", str(scheme), str(data), "--format", "json", "-o", "-")
    assert to_file == ""
    assert plain == dash == target.read_text(encoding="utf-8") + "\n"


def test_an_empty_file_gives_no_units(tmp_path):
    data = tmp_path / "empty.csv"
    data.write_text("单位,得分\n", encoding="utf-8")
    scheme = MECHANICS / "m06-grade-quota.toml"
    code, out, _ = _run("score", str(scheme), str(data), "--format", "json")
    assert code == 0 and json.loads(out)["units"] == []
    assert out == _in_memory(scheme, data) + "\n"


def test_a_failed_run_keeps_the_old_file_and_leaves_no_spill(quota_files, tmp_path, monkeypatch):
    """Reading the spill fails half way: the earlier output keeps its bytes, and no file is left over."""
    scheme, data = quota_files
    spills = tmp_path / "spills"
    spills.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spills))
    target = tmp_path / "out.json"
    target.write_text("earlier results", encoding="utf-8")
    calls = []

    def failing(self, span):
        calls.append(span)
        if len(calls) == 3:
            raise OSError(5, "Input/output error")
        return original(self, span)

    original = _Spill.read
    monkeypatch.setattr(_Spill, "read", failing)
    code, _, err = _run("score", str(scheme), str(data), "--format", "json", "-o", str(target))
    assert code != 0 and "Input/output error" in err
    assert target.read_text(encoding="utf-8") == "earlier results"
    assert sorted(os.listdir(tmp_path)) == ["data.csv", "out.json", "quota.toml", "spills"]
    assert os.listdir(spills) == []


def test_the_run_keeps_no_explained_results(quota_files):
    """The run's outcomes hold no data and no indicator results; the members are in the spill file."""
    scheme, data = quota_files
    with score_file(load(scheme), data, explained=True, chunk_size=2) as run:
        assert not any(hasattr(o.unit, "data") for o in run.outcomes)
        assert all(o.indicators is None and o.scores == [] and o.rendered == "" for o in run.outcomes)
        first, spilled = next(run.explained())
        assert first.unit.name == "甲" and spilled.startswith('  "groups": [')
    with pytest.raises(ValueError, match="without explanations"):
        next(run.explained())


def test_the_spilled_members_are_together_and_last():
    """The spilled members follow each other in a unit's record (they are put back as one piece)."""
    from perfrules import sample_units

    scheme = load("xiamen-xiangan-2020")
    keys = list(unit_records(evaluate(scheme, sample_units("xiamen-xiangan-2020")).results[0]))
    start = keys.index(SPILLED[0])
    assert keys[start : start + len(SPILLED)] == list(SPILLED)
