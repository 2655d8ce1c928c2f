"""Explanations from the column program's record against the per-unit program's, field for field.

A unit's explanation is a view of what the column program recorded when it
ran again on the unit's block with the batch's population values
(:mod:`perfrules.scoring.colrecord`, :mod:`perfrules.scoring.colexplain`). For
every built-in scheme, every docs example and generated schemes and data (the
column tests' strategies: formulas, scales on and around their cuts, defaults,
not-applicable rules, weights of 0 per category, limits, rounding), every unit
the record explains must have the per-unit program's indicator results,
groups, explanation text and JSON record. Which path explained each unit is
counted, and the record must explain the built-ins and examples whose forms
it records.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import oracle
import perfrules
from perfrules import evaluate, load, loads
from perfrules.cli.main import main
from perfrules.files.data import load_units
from perfrules.results.display import unit_records
from perfrules.scoring.colexplain import DISAGREE, RECORDED, explain_unit, explainer_of
from perfrules.scoring.colrecord import Explaining, Record
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_points import cases as points_cases
from test_column_policies import cases as policy_cases
from test_column_program import _COLUMN_SETTINGS, _write
from test_column_program import cases as formula_cases
from test_column_ranks import cases as rank_cases
from test_column_scales import cases as scale_cases
from test_column_sendback import missing_cases, odd_cases
from test_column_steps import cases as step_cases
from test_column_totalrules import cases as total_rule_cases

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
# The weighted-41 workload (shared/bench beside the repository, or $PERFRULES_SHARED), as
# tests/test_weighted41.py finds it; its test is skipped without it.
BENCH = Path(os.environ.get("PERFRULES_SHARED") or ROOT.parent / "shared") / "bench" / "weighted-41"


def _examples() -> list[tuple[Path, Path]]:
    """Every example scheme under docs/examples with its data (same stem, or example-data.csv)."""
    found = []
    for scheme in sorted(EXAMPLES.rglob("*.toml")):
        data = scheme.with_suffix(".csv")
        if not data.exists():
            data = scheme.parent / "example-data.csv"
        if data.exists():
            found.append((scheme, data))
    return found


def _compare(
    scheme: Any, units: list[Any], previous: Any = None, paths: dict[str, str] | None = None
) -> collections.Counter[str]:
    """Each unit explained (the record where it can), against the per-unit program on the same
    batch (and last year's results *previous*); returns how many units each path explained (and
    puts each unit's path in *paths*)."""
    fast = evaluate(scheme, units, previous=previous)
    by: collections.Counter[str] = collections.Counter()
    shown = {}
    for r in fast.results:
        if r.level:
            continue
        shown[r.unit] = (r.indicators, r.groups, r.explain(), unit_records(r), r._explained_by)
        by[r._explained_by] += 1
        if paths is not None:
            paths[r.unit] = r._explained_by
    slow = oracle.evaluate(fast.scheme, units)  # the per-unit program (fast.scheme: with last year's)
    for r in slow.results:
        if r.level:
            continue
        indicators, groups, text, records, path = shown[r.unit]
        if path != RECORDED:
            continue
        assert indicators == r.indicators, r.unit
        assert groups == r.groups, r.unit
        assert text == r.explain(), r.unit
        assert records == unit_records(r), r.unit
    assert not by[DISAGREE]
    return by


_SENT_BACK = "a unit the column program left unscored in its batch"


def _expect(name: str, by: collections.Counter[str]) -> None:
    """Every unit of every built-in's sample and every example's data is explained by the record: the
    column program sends none back (the last were cookbook/last-year's, a default beside a rank step,
    and shenzhen-2010-districts' 宝安区, a default naming 投资计划下达额 on a scale after a step)."""
    assert set(by) == {RECORDED}, (name, by)


@pytest.mark.parametrize("name", perfrules.schemes())
def test_builtin_explanations_from_the_record_are_the_per_unit_programs(name):
    _expect(name, _compare(load(name), list(perfrules.sample_units(name))))


@pytest.mark.parametrize(("scheme_path", "data_path"), _examples(), ids=lambda p: p.stem)
def test_example_explanations_from_the_record_are_the_per_unit_programs(scheme_path, data_path):
    scheme = load(scheme_path)
    _expect(scheme_path.stem, _compare(scheme, list(load_units(data_path, scheme=scheme))))


def _generated(folder: Any, text: str, data: str) -> None:
    path = _write(folder, text)
    data_path = folder / "data.csv"
    data_path.write_text(data, encoding="utf-8")
    scheme = load(path)
    by = _compare(scheme, list(load_units(data_path, scheme=scheme)))
    for path_taken in by:
        event(f"explained by: {'record' if path_taken == RECORDED else 'per-unit: ' + path_taken}")


@given(case=formula_cases())
@_COLUMN_SETTINGS
def test_formulas_explained_from_the_record(tmp_path_factory, case):
    _generated(tmp_path_factory.mktemp("record"), *case)


@given(case=scale_cases())
@_COLUMN_SETTINGS
def test_scales_explained_from_the_record(tmp_path_factory, case):
    _generated(tmp_path_factory.mktemp("record"), *case)


@given(case=policy_cases())
@_COLUMN_SETTINGS
def test_policies_explained_from_the_record(tmp_path_factory, case):
    _generated(tmp_path_factory.mktemp("record"), *case)


@given(case=step_cases())
@_COLUMN_SETTINGS
def test_steps_and_population_values_explained_from_the_record(tmp_path_factory, case):
    _generated(tmp_path_factory.mktemp("record"), *case)


@given(case=points_cases())
@_COLUMN_SETTINGS
def test_points_mechanics_explained_from_the_record(tmp_path_factory, case):
    _generated(tmp_path_factory.mktemp("record"), *case)


def test_a_default_for_a_division_by_a_population_value_of_0_names_the_call(tmp_path):
    """max_of(完成2) is 0 (every unit's 完成2 is 0): the default's note names the call as written,
    on the record's view as on the per-unit program's (it once showed the program's own column name)."""
    text = (
        'name = "计分"\nbasis = "points"\ntotal = 5\ngroups = [{ name = "组" }]\n[[indicators]]\n'
        'code = "2"\nname = "指标2"\ngroup = "组"\nweight = 5\nscore = "分值×完成2÷max_of(完成2)"\n'
        'policies = [{ type = "default", score = 1 }]\n'
    )
    scheme = loads(text, format="toml")
    (tmp_path / "d.csv").write_text("单位,完成2\n单位0,0\n单位1,0\n", encoding="utf-8")
    result = evaluate(scheme, load_units(tmp_path / "d.csv", scheme=scheme)).unit("单位0")
    (event,) = result.indicators[0].events
    assert result._explained_by == "record"
    assert event.message == "无数据（“max_of(完成2)”= 0），按规定默认得 1分"


@given(case=rank_cases())
@_COLUMN_SETTINGS
def test_ranks_explained_from_the_record(tmp_path_factory, case):
    _generated(tmp_path_factory.mktemp("record"), *case)


@given(case=total_rule_cases())
@_COLUMN_SETTINGS
def test_rules_on_the_total_explained_from_the_record(tmp_path_factory, case):
    _generated(tmp_path_factory.mktemp("record"), *case)


@given(case=odd_cases())
@_COLUMN_SETTINGS
def test_cells_as_people_write_them_explained_from_the_record(tmp_path_factory, case):
    text, _, odd = case
    _generated(tmp_path_factory.mktemp("record"), text, odd)


@given(case=missing_cases())
@_COLUMN_SETTINGS
def test_blanks_under_missing_rules_explained_from_the_record(tmp_path_factory, case):
    text, data, _ = case
    _generated(tmp_path_factory.mktemp("record"), text, data)


def test_last_years_results_explained_from_the_record(tmp_path):
    folder = EXAMPLES / "cookbook"
    previous = tmp_path / "2024.csv"
    _cli(
        [
            "score",
            str(folder / "last-year.toml"),
            str(folder / "last-year" / "2024-data.csv"),
            "--format",
            "csv",
            "-o",
            str(previous),
        ]
    )
    scheme = load(folder / "last-year.toml")
    by = _compare(scheme, list(load_units(folder / "last-year.csv", scheme=scheme)), previous)
    assert set(by) == {RECORDED}, by


_READS = """
name = "读取结果"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "利润"
group = "组"
weight = 40
score = "利润得分"
[[indicators]]
code = "2"
name = "经济增加值"
group = "组"
weight = 60
steps = ["加成=指标1得分率×10"]
score = "增加值得分+加成"
policies = [{ type = "zero", when = "指标1得分<%s" }]
"""


@given(
    cut=st.sampled_from(["0", "30", "60.5"]),
    rows=st.lists(
        st.tuples(
            st.sampled_from(["0", "30", "60.50", "87.5", "100", "87.50"]), st.sampled_from(["50", "92.25"])
        ),
        min_size=1,
        max_size=6,
    ),
)
@_COLUMN_SETTINGS
def test_reads_of_other_indicators_results_explained_from_the_record(tmp_path_factory, cut, rows):
    folder = tmp_path_factory.mktemp("reads")
    data = "单位,利润得分,增加值得分\n" + "".join(f"单位{i},{a},{b}\n" for i, (a, b) in enumerate(rows))
    scheme_text = _READS % cut
    assert program_of(plan_of(loads(scheme_text, format="toml"))) is not None
    _generated(folder, scheme_text, data)


@pytest.mark.skipif(not (BENCH / "scheme.toml").exists(), reason=f"no weighted-41 workload at {BENCH}")
def test_the_weighted_41_bench_is_explained_from_the_record():
    scheme = load(BENCH / "scheme.toml")
    units = list(load_units(BENCH / "sample.csv", scheme=scheme))
    by = _compare(scheme, units)
    assert by == {RECORDED: len(units)}
    # Units kept as columns (load_units given to evaluate as it is): the same explanations, recorded.
    kept = evaluate(scheme, load_units(BENCH / "sample.csv", scheme=scheme))
    listed = evaluate(scheme, units)
    for a, b in zip(kept.results, listed.results, strict=True):
        assert (a.indicators, a.groups, a.explain()) == (b.indicators, b.groups, b.explain())
        assert a._explained_by == RECORDED


def test_a_block_is_recorded_once_and_each_unit_read_from_it():
    name = "xiamen-xiangan-2020"
    scheme = load(name)
    units = list(perfrules.sample_units(name))
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None
    explaining = Explaining(program, units, {}, block=3)
    first, row = explaining.record(4)
    assert row == 1 and first.n == 3 and [u.name for u in first.units] == [u.name for u in units[3:6]]
    assert explaining.record(5)[0] is first  # the same block: not run again
    explainer = explainer_of(plan, program)
    found, by = explain_unit(explainer, first, row)
    assert by == RECORDED and found is not None
    # The indicators' scores are the column program's (what it held for the unit), and the weights
    # add up to the scheme's total.
    assert [o.scored.score for o in found if o.scored] == [
        Record.number(first.held[k], row) for k, o in enumerate(found) if o.scored
    ]


def _cli(args: list[str]) -> str:
    import io

    out, err = io.StringIO(), io.StringIO()
    assert main(args, out=out, err=err) == 0, err.getvalue()
    return out.getvalue()


def test_json_output_and_the_explain_command_are_the_per_unit_programs(monkeypatch):
    """The command line's JSON and ``explain`` (made from the record's view) are what they are with
    the per-unit program explaining every unit."""
    name = "xiamen-xiangan-2020"
    args_json = ["score", name, "sample", "--format", "json"]
    args_explain = ["explain", name, "sample", "--unit", "区财政局"]
    recorded = _cli(args_json), _cli(args_explain)
    paths: collections.Counter[str] = collections.Counter()
    real = explain_unit

    def counted(*args: Any) -> Any:
        found = real(*args)
        paths[found[1]] += 1
        return found

    monkeypatch.setattr("perfrules.results.model.explain_unit", counted)
    assert (_cli(args_json), _cli(args_explain)) == recorded
    assert paths == {RECORDED: 9}  # 8 units in JSON, 1 explained
    # The per-unit program (the oracle) explains the unit in the same words.
    slow = oracle.evaluate(load(name), list(perfrules.sample_units(name)))
    assert slow.explain("区财政局").strip() in recorded[1]
    assert "区财政局" in recorded[1] and '"indicators"' in recorded[0]
