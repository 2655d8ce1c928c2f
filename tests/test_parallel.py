"""perfrules score --jobs N: several processes, the same output as one."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_run import run as _run
from perfrules import evaluate, load, sample_units, schemes
from perfrules.files.data import load_units
from perfrules.pipeline import parallel as _parallel
from perfrules.pipeline.parallel import job_count, score_totals

MECHANICS = Path(__file__).resolve().parent.parent / "docs" / "examples" / "mechanics"


def _batches():
    for name in schemes():
        yield name, load(name), sample_units(name)
    for path in [*sorted(MECHANICS.glob("*.toml")), *sorted((MECHANICS.parent / "cookbook").glob("*.toml"))]:
        scheme = load(path)
        yield path.stem, scheme, load_units(path.with_suffix(".csv"), scheme=scheme)


@pytest.mark.parametrize("chunk_size", [1, 3])
def test_totals_match_evaluate_chunk_by_chunk(chunk_size):
    for name, scheme, units in _batches():
        expected = evaluate(scheme, units)
        got = score_totals(scheme, units, jobs=1, chunk_size=chunk_size)
        assert len(got) == len(expected)
        for g, r in zip(got, expected, strict=True):
            assert (g.unit, g.category, g.total, g.grade, g.rank, g.category_rank, g.vetoed, g.errors) == (
                r.unit,
                r.category,
                r.total,
                r.grade,
                r.rank,
                r.category_rank,
                r.vetoed,
                r.errors,
            ), name
            assert type(g.total) is type(r.total)
            assert [(i.code, i.score) for i in g.indicators] == [(i.code, i.score) for i in r.indicators]
        assert [r.unit for r in got.ranking()] == [r.unit for r in expected.ranking()]


@pytest.mark.parametrize(
    ("scheme", "data"),
    [
        ("shenzhen-2010-departments", "sample"),
        (str(MECHANICS / "m05-rank-points.toml"), str(MECHANICS / "m05-rank-points.csv")),
        (str(MECHANICS / "m06-grade-quota.toml"), str(MECHANICS / "m06-grade-quota.csv")),
        (str(MECHANICS / "m08-veto-effects.toml"), str(MECHANICS / "m08-veto-effects.csv")),
    ],
)
def test_two_processes_print_the_same_bytes_as_one(monkeypatch, scheme, data):
    # Chunks of 2 units, so that even the small examples go through the worker pool.
    monkeypatch.setattr(_parallel, "CHUNK_SIZE", 2)
    for fmt in ("table", "csv", "json"):
        one = _run("score", scheme, data, "--format", fmt, "--jobs", "1")
        two = _run("score", scheme, data, "--format", fmt, "--jobs", "2")
        assert one == two, fmt


def test_the_output_file_is_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(_parallel, "CHUNK_SIZE", 3)
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert _run("score", "shenzhen-2010-districts", "sample", "--format", "csv", "-o", str(one))[0] == 0
    assert (
        _run("score", "shenzhen-2010-districts", "sample", "--format", "csv", "-o", str(two), "--jobs", "0")[
            0
        ]
        == 0
    )
    assert one.read_bytes() == two.read_bytes()


def test_jobs_must_be_a_count():
    code, _, err = _run("score", "shenzhen-2010-departments", "sample", "--jobs", "-1")
    assert code == 2
    assert "--jobs" in err
    assert _run("score", "shenzhen-2010-departments", "sample", "--jobs", "two")[0] == 2
    assert job_count(0) >= 1
    assert job_count(3) == 3
    with pytest.raises(ValueError):
        job_count(-2)


def test_units_are_checked_as_evaluate_checks_them():
    scheme = load("shenzhen-2010-departments")
    units = sample_units("shenzhen-2010-departments")
    with pytest.raises(ValueError, match="two units are named"):
        score_totals(scheme, [*units, units[0]], jobs=1)
    with pytest.raises(ValueError, match="chunk_size"):
        score_totals(scheme, units, jobs=1, chunk_size=0)


def test_totals_keep_the_units_events_in_one_process_and_two():
    """score_totals keeps each unit's events (a capped total, a lowered grade, a quota), as evaluate.

    grade-effects: 丙 scores 58 + 37 = 95 but had a major accident, so its total is capped at
    79 (C级最高限); 乙 scores 52 + 36 = 88 (B级) and a minor accident lowers it one grade to C级.
    """
    cookbook = MECHANICS.parent / "cookbook" / "grade-effects"
    scheme = load(cookbook.with_suffix(".toml"))
    units = load_units(cookbook.with_suffix(".csv"), scheme=scheme)
    expected = {r.unit: r.events for r in evaluate(scheme, units)}
    for jobs in (1, 2):
        got = {r.unit: r.events for r in score_totals(scheme, units, jobs=jobs, chunk_size=2)}
        assert got == expected, jobs
        bing = got["丙"]
        assert bing[0].kind == "capped"
        assert "总分 95分 不超过 79分，按 79分 计" in bing[0].message
        assert [e.kind for e in got["乙"]][:2] == ["grade", "grade_cap"]
    # Events the batch adds at the end (a grade quota) are kept too.
    for name, scheme, units in _batches():
        expected = {r.unit: r.events for r in evaluate(scheme, units)}
        assert {r.unit: r.events for r in score_totals(scheme, units, jobs=1, chunk_size=1)} == expected, name
