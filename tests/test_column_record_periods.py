"""Explanations of units with period rows from the column program's record, against the per-unit program.

An indicator reported per period is scored by the column program on each
period row a unit gives (:mod:`perfrules.scoring.colperiods`), and the record
keeps those rows as scored (or, with ``periods = "sum"``, the summed inputs):
a unit's explanation reads each period's value, grade and score from them
and makes the year by the indicator's own combining code — the same
:class:`~perfrules.scheme.units.PeriodResult` per period, mean, last period
or sum, and events as :func:`perfrules.scoring.unit.score_unit` with
``detail=True`` gives. The generated schemes are the column tests' schemes
with periods (reported scores and graded rates, population values and ranks
per period, ``periods = "sum"``, zero rules and adjustments per period, a
grade per period): every unit the column program scores is explained by the
record, and its indicator results, groups, text and JSON are the per-unit
program's (``test_column_record._compare``).
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
from hypothesis import event, given

import perfrules
from oracle import score_unit
from perfrules import evaluate, load
from perfrules.files.data import load_units
from perfrules.scoring.colexplain import RECORDED, explain_unit, explainer_of
from perfrules.scoring.colrecord import KEEP, Explaining
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_overall import period_grade_cases, plain_period_cases
from test_column_periods import cases as period_cases
from test_column_points import cases as points_cases
from test_column_program import _COLUMN_SETTINGS, _write
from test_column_ranks import period_cases as population_period_cases
from test_column_record import _SENT_BACK, _compare

_ERRORED = "a unit with an indicator's error"  # (colfailures: the per-unit program explains it)
COOKBOOK = Path(__file__).resolve().parent.parent / "docs" / "examples" / "cookbook"


def _recorded(folder: Any, text: str, data: str) -> None:
    """Every unit the column program scores is explained by the record, as the per-unit program
    explains it; units with period rows among them are counted."""
    path = _write(folder, text)
    (folder / "data.csv").write_text(data, encoding="utf-8")
    scheme = load(path)
    units = list(load_units(folder / "data.csv", scheme=scheme))
    paths: dict[str, str] = {}
    by = _compare(scheme, units, paths=paths)
    assert set(by) <= {RECORDED, _SENT_BACK, _ERRORED}, by
    for unit in units:
        if unit.periods:
            event(f"a unit with period rows explained by: {paths[unit.name]}")


@given(case=period_cases())
@_COLUMN_SETTINGS
def test_values_per_period_explained_from_the_record(tmp_path_factory, case):
    _recorded(tmp_path_factory.mktemp("periods"), *case)


@given(case=period_cases().map(lambda c: (re.sub(r'periods = "\w+"', 'periods = "sum"', c[0]), c[1])))
@_COLUMN_SETTINGS
def test_values_added_up_over_periods_explained_from_the_record(tmp_path_factory, case):
    _recorded(tmp_path_factory.mktemp("sum"), *case)


@given(case=population_period_cases())
@_COLUMN_SETTINGS
def test_population_values_per_period_explained_from_the_record(tmp_path_factory, case):
    _recorded(tmp_path_factory.mktemp("population"), *case)


@given(case=points_cases())
@_COLUMN_SETTINGS
def test_point_mechanics_per_period_explained_from_the_record(tmp_path_factory, case):
    _recorded(tmp_path_factory.mktemp("points"), *case)


@given(case=period_grade_cases())
@_COLUMN_SETTINGS
def test_a_grade_per_period_explained_from_the_record(tmp_path_factory, case):
    _recorded(tmp_path_factory.mktemp("grades"), *case)


@given(case=plain_period_cases())
@_COLUMN_SETTINGS
def test_reported_scores_per_quarter_explained_from_the_record(tmp_path_factory, case):
    _recorded(tmp_path_factory.mktemp("quarters"), *case)


def _by_unit(scheme: Any, units: list[Any]) -> dict[str, str]:
    paths: dict[str, str] = {}
    _compare(scheme, units, paths=paths)
    return paths


def test_the_docs_examples_with_periods_are_explained_from_the_record():
    """The built-in Shenzhen schemes' sample units with period rows (2 of the departments', 1 of the
    districts') and every unit of the cookbook's ``period-grades`` (a grade per quarter)."""
    for name, with_periods in (("shenzhen-2010-departments", 2), ("shenzhen-2010-districts", 1)):
        units = list(perfrules.sample_units(name))
        paths = _by_unit(load(name), units)
        periodic = [u.name for u in units if u.periods]
        assert len(periodic) == with_periods
        assert all(paths[u] == RECORDED for u in periodic), paths
    scheme = load(COOKBOOK / "period-grades.toml")
    units = list(load_units(COOKBOOK / "period-grades.csv", scheme=scheme))
    assert all(u.periods for u in units)
    assert set(_by_unit(scheme, units).values()) == {RECORDED}


def test_each_period_is_the_per_unit_programs():
    """The record's outcome of each indicator of a period-grades unit, field for field against
    ``score_unit(detail=True)``: each period's value, grade, score, inputs, computations and grading,
    the year's score, grade and events."""
    scheme = load(COOKBOOK / "period-grades.toml")
    units = list(load_units(COOKBOOK / "period-grades.csv", scheme=scheme))
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None
    record, _ = Explaining(program, units, {}).record(0)
    explainer = explainer_of(plan, program)
    checked = 0
    for i, unit in enumerate(units):
        found, by = explain_unit(explainer, record, i)
        assert by == RECORDED and found is not None
        want = score_unit(plan, unit, {}, detail=True).indicators
        assert want is not None
        for mine, theirs in zip(found, want, strict=True):
            a, b = mine.scored, theirs.scored
            assert (a is None) == (b is None)
            if a is None or b is None:
                continue
            assert a.periods == b.periods
            assert (a.score, a.grade, a.value, a.events, a.computations) == (
                b.score,
                b.grade,
                b.value,
                b.events,
                b.computations,
            )
            assert (a.combined, a.inputs) == (b.combined, b.inputs)
            checked += len(a.periods) > 1
    assert checked


def test_a_mean_of_quarters_by_hand(tmp_path):
    """完成率 per quarter, 3/5 = 60% and 4/5 = 80%, graded 良 ([60, 90), scores 80–90) by
    interpolation: 60 is the band's floor, 80 分; 80 is 2/3 of the way, 80 + 10 × 2/3 = 86⅔ 分; the year
    the mean (80 + 86⅔) / 2 = 83⅓ 分: explained from the record, both quarters shown."""
    text = (
        'name = "季度"\ntotal = 100\ngroups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\n'
        'name = "完成率"\ngroup = "组"\nweight = 100\nfrequency = "quarterly"\n'
        'steps = ["完成率=完成数/计划数×100"]\n[indicators.scale]\n'
        'rule = "优：完成率≥90；良：60≤完成率<90；差：完成率<60"\ndomain = [0, 100]\nscoring = "interpolate"\n'
    )
    path = _write(tmp_path, text)
    (tmp_path / "data.csv").write_text(
        "单位,期间,完成数,计划数\n甲,1季度,3,5\n甲,2季度,4,5\n", encoding="utf-8"
    )
    scheme = load(path)
    result = evaluate(scheme, list(load_units(tmp_path / "data.csv", scheme=scheme))).results[0]
    indicator = result.indicators[0]
    assert result._explained_by == RECORDED
    assert [(p.period, p.value, p.grade, p.score) for p in indicator.periods] == [
        ("1季度", 60, "良", 80),
        ("2季度", 80, "良", Fraction(260, 3)),
    ]
    assert indicator.score == Fraction(250, 3) == result.total
    assert "2 个报送期得分（1季度 80、2季度 ≈86.6667）取平均" in result.explain()


def _seen(o: Any) -> Any:
    s = o.scored
    return None if s is None else (s.score, s.value, s.grade, s.computations, s.events, o.contribution)


def test_a_wide_reader_records_each_block_once(monkeypatch):
    """Reading every unit in an order of its own (as ranking order is): each block is recorded once,
    kept until its units have been read and then let go; with room for fewer blocks, the ones
    recorded first go and are recorded again when read. The explanations are the same either way."""
    name = "xiamen-xiangan-2020"
    scheme = load(name)
    units = list(perfrules.sample_units(name))
    many = [attrs.evolve(u, name=f"{u.name}{j}") for j in range(40) for u in units]
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None
    explainer = explainer_of(plan, program)
    runs: list[int] = []
    real = program.run

    def counted(batch: Any, *args: Any, **kwargs: Any) -> Any:
        runs.append(len(batch))
        return real(batch, *args, **kwargs)

    monkeypatch.setattr(program, "run", counted)
    order = sorted(range(len(many)), key=lambda i: (i * 37) % len(many))  # every unit, scattered
    seen: dict[int, Any] = {}
    for keep in (KEEP, 3):
        runs.clear()
        wide = Explaining(program, many, {}, block=16, keep=keep)
        for i in order:
            record, row = wide.record(i)
            found, by = explain_unit(explainer, record, row)
            assert by == RECORDED and found is not None
            assert seen.setdefault(i, [_seen(o) for o in found]) == [_seen(o) for o in found]
        assert not wide._records  # each block let go once its units were read
        if keep == KEEP:
            assert runs == [16] * (len(many) // 16)  # each block once
        else:
            assert len(runs) > len(many) // 16
    one = Explaining(program, many, {})
    for i in range(len(many)):  # in order, blocks of 64
        record, row = one.record(i)
        found, _ = explain_unit(explainer, record, row)
        assert found is not None
        assert seen[i] == [_seen(o) for o in found]


def test_period_grades_beside_rich_overall_grading_explained_from_the_record(tmp_path):
    """tests/test_column_period_grades.py's scheme (a grade per quarter under caps, bands, flags):
    every unit with quarters is explained from the record, as the per-unit program explains it."""
    from test_column_period_grades import _DATA, _SCHEME

    path = _write(tmp_path, _SCHEME)
    (tmp_path / "data.csv").write_text(_DATA, encoding="utf-8")
    scheme = load(path)
    units = list(load_units(tmp_path / "data.csv", scheme=scheme))
    paths = _by_unit(scheme, units)
    assert [paths[u.name] for u in units if u.periods] == [RECORDED] * 3
