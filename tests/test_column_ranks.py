"""Rank steps in the column program: the same places, points, totals and grades on every path.

Rank steps (R14, R21) compile into the column program: a unit's place (``名次``)
or its points by place (``排名加分``) comes in as a column of the batch's
population values, worked out over columns with one sort per rank
(:mod:`perfrules.scoring.colrank`). These tests generate schemes with ranks —
points from the top and the bottom, ``ties`` min / average / dense, ascending
and descending, ``when`` gates with places passed down or lapsed, ``within =
"category"``, ``applies_to``, a rank of what a formula step computes, a grade
from the rank — and data full of ties: equal values written differently
(``12.5``, ``12.50``, and ``12.5`` with more places than the columns read, so
that unit is read one by one and must still tie), values a hair apart, numbers
beyond 64-bit integers, blank and unreadable cells. The population over columns
must be the one worked out unit by unit, entry for entry; the column program's
outcomes the per-unit program's; the streamed command line the same again.
"""

from __future__ import annotations

import csv
import io
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

import test_column_periods
from perfrules import evaluate, load, loads
from perfrules._numbers import exact
from perfrules.files.data import load_units
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.colsteps import BatchPopulation
from perfrules.scoring.plan import plan_of
from perfrules.scoring.population import population_values
from perfrules.scoring.program import program_of
from test_column_program import (
    _COLUMN_SETTINGS,
    _agree,
    _both_ways,
    _data_csv,
    _key,
    _q,
    _streamed_cells_match,
)
from test_differential import assert_paths_agree

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"

# Values ranked: ties written differently, one with more places than the columns read (a tie all
# the same), a hair above 12.5, past 64 bits, and cells that are no number.
_VALUES = [
    "12.5",
    "12.50",
    "12.5000000000000000000",
    "12.5000000000000000001",
    "15",
    "8",
    "8.0",
    "7.9",
    "3",
    "0",
    "-2.25",
    "123456789012345678901",
    "123456789012345678901.5",
]
_ODD = ["", "约五分", "95%"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme of rank steps and CSV data for it."""
    categories = draw(st.sampled_from([(), ("甲类", "乙类")]))
    units = [f"单位{i}" for i in range(draw(st.integers(1, 14)))]
    count = draw(st.integers(1, 3))
    forms = [draw(st.sampled_from(["points", "points", "place", "grade"])) for _ in range(count)]
    basis = "percent" if "grade" in forms else "points"  # grades' score intervals are percent
    lines = ['name = "名次列"', f'basis = "{basis}"', f"total = {10 * count}", "cap_total = false"]
    if categories:
        lines.append(f"categories = [{', '.join(map(_q, categories))}]")
    lines.append('groups = [{ name = "组" }]')
    columns: dict[str, list[str]] = {}
    for k in range(1, count + 1):
        of, gate, base, den = f"值{k}", f"门{k}", f"基{k}", f"分母{k}"
        form = forms[k - 1]
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "排名{k}"', 'group = "组"', "weight = 10"]
        if draw(st.integers(0, 4)) == 0:
            lines.append(
                f"applies_to = [{', '.join(map(_q, draw(st.lists(st.sampled_from(units), min_size=1, max_size=4))))}]"
            )
        target = "加分" if form == "points" else "名次"
        ranked = of
        if draw(st.integers(0, 3)) == 0:  # the rank of what a formula step computes
            ranked = f"率{k}"
        if form == "points":
            lines += ['max_score = "none"', 'min_score = "none"', f'score = "{base}+加分"']
        elif form == "place":
            lines += ['min_score = "none"', 'score = "10-(名次-1)×2"']
        rank = [f"type = {_q('rank')}", f"target = {_q(target)}", f"of = {_q(ranked)}"]
        rank.append(f"order = {_q(draw(st.sampled_from(['desc', 'asc'])))}")
        rank.append(f"ties = {_q(draw(st.sampled_from(['min', 'average', 'dense'])))}")
        if categories and draw(st.booleans()):
            rank.append('within = "category"')
        if form == "points":
            top = draw(st.lists(st.sampled_from([3, 2, 1, "0.5", -1]), min_size=0, max_size=4))
            bottom = draw(st.lists(st.sampled_from([-1, -2, "-0.5"]), min_size=0 if top else 1, max_size=2))
            if top:
                rank.append("points = { " + ", ".join(f'"{i}" = {p}' for i, p in enumerate(top, 1)) + " }")
            if bottom:
                rank.append(
                    "bottom_points = { " + ", ".join(f'"{i}" = {p}' for i, p in enumerate(bottom, 1)) + " }"
                )
        if draw(st.booleans()):
            rank.append(f"when = {_q(gate + '>=8')}")
            rank.append(f"vacated = {_q(draw(st.sampled_from(['pass_down', 'lapse'])))}")
        steps = [_q(f"{ranked}={of}/{den}")] if ranked != of else []
        lines.append(f"steps = [{', '.join([*steps, '{ ' + ', '.join(rank) + ' }'])}]")
        if form == "grade":
            lines += [
                "[indicators.scale]",
                'rule = "优：名次=1；良：2≤名次≤3；中：名次=4；差：名次≥5"',
                'scoring = "midpoint"',
                "precision = 0",
                'domain = [1, ""]',
            ]
        odd = draw(st.sampled_from([0, 0, 1]))  # now and then, cells that are no number
        value = st.sampled_from(_VALUES + _ODD * odd)
        columns[of] = [draw(value) for _ in units]
        columns[gate] = [draw(st.sampled_from(["7.9", "8", "8.00", "9", "100%", "", "12.5"])) for _ in units]
        columns[base] = [draw(st.sampled_from(["5", "7.5", "0", "-1", *["", "约五分"] * odd])) for _ in units]
        columns[den] = [draw(st.sampled_from(["1", "2", "3", "0", "7"])) for _ in units]
    kinds = [draw(st.sampled_from([*categories, categories[0], ""])) for _ in units] if categories else None
    return "\n".join(lines) + "\n", _data_csv(units, columns, kinds)


def _as_fractions(table: object) -> dict[object, Fraction]:
    return {key: Fraction(value) for key, value in dict(table).items()}  # type: ignore[call-overload]


def _same_population(scheme: object, data_path: Path, *, record: bool = False) -> BatchPopulation | None:
    """The batch's population values over columns equal those worked out unit by unit (every entry:
    values, places, unplaced marks); returns them (None when they are not gathered over columns)."""
    plan = plan_of(scheme)  # type: ignore[arg-type]
    units = load_units(data_path, scheme=scheme)  # type: ignore[arg-type]
    gathered = batch_population(plan, units)
    want = population_values(plan.indicators, units)
    assert {u.name: _as_fractions(gathered[u.name]) for u in units} == {
        u.name: _as_fractions(want[u.name]) for u in units
    }
    if not isinstance(gathered, BatchPopulation):
        return None
    program = program_of(plan)
    assert program is not None
    found = program.run(units, gathered)
    taken = sum(o is not None for o in found)
    if record:
        event(
            f"units the column program scored: {'none' if not taken else 'all' if taken == len(units) else 'some'}"
        )
    return gathered


@given(case=cases())
@_COLUMN_SETTINGS
@example(  # two units tied at 12.5, one read as a column and one (with 19 places) one by one
    case=(
        'name = "名次列"\nbasis = "points"\ntotal = 10\ngroups = [{ name = "组" }]\n[[indicators]]\n'
        'code = "1"\nname = "排名1"\ngroup = "组"\nweight = 10\nscore = "加分"\n[[indicators.steps]]\n'
        'type = "rank"\ntarget = "加分"\nof = "值1"\nties = "average"\npoints = { "1" = 3, "2" = 2 }\n',
        "单位,值1\r\n甲,12.5\r\n乙,12.5000000000000000000\r\n丙,3\r\n",
    )
)
def test_rank_steps_score_as_the_per_unit_program(tmp_path_factory, case):
    fast, slow, scheme, scheme_path, data_path = _both_ways(tmp_path_factory.mktemp("ranks"), *case)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    _same_population(scheme, data_path, record=True)
    # The streamed command line: its own population pass over the file, then the chunks as columns.
    _streamed_cells_match(scheme_path, data_path, slow)


def test_a_tie_across_columns_and_units_read_one_by_one(tmp_path):
    """甲 and 乙 tie at 12.5 (乙's cell has more places than the columns read); 丁 is a hair above."""
    text = (
        'name = "名次列"\nbasis = "points"\ntotal = 10\ngroups = [{ name = "组" }]\n[[indicators]]\n'
        'code = "1"\nname = "排名1"\ngroup = "组"\nweight = 10\nscore = "加分"\n[[indicators.steps]]\n'
        'type = "rank"\ntarget = "加分"\nof = "值1"\nties = "average"\npoints = { "1" = 3, "2" = 2, "3" = 1 }\n'
    )
    data = "单位,值1\n甲,12.5\n乙,12.5000000000000000000\n丙,3\n丁,12.5000000000000000001\n"
    fast, slow, scheme, _, data_path = _both_ways(tmp_path, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    # 丁 first (3); 甲 and 乙 share places 2 and 3: (2 + 1) / 2 = 1.5 each; 丙 fourth: 0.
    assert {o.unit.name: Fraction(o.total) for o in fast} == {
        "甲": Fraction(3, 2),
        "乙": Fraction(3, 2),
        "丙": 0,
        "丁": 3,
    }
    gathered = _same_population(scheme, data_path)
    assert gathered is not None
    assert gathered["乙"][("1", "加分·名次", None)] == exact(Fraction(5, 2))


def test_a_large_batch_is_ranked_once_over_columns(tmp_path):
    """3,000 units, most read as columns, values past 64 bits among them: the same entries as unit
    by unit, and every unit scored by the column program."""
    text = (
        'name = "名次列"\nbasis = "points"\ntotal = 10\ncap_total = false\ncategories = ["甲类", "乙类"]\n'
        'groups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\nname = "排名1"\ngroup = "组"\n'
        'weight = 10\nmax_score = "none"\nmin_score = "none"\nscore = "基础+加分"\n[[indicators.steps]]\n'
        'type = "rank"\ntarget = "加分"\nof = "值"\nties = "average"\nwithin = "category"\n'
        'points = { "1" = 3, "2" = 2, "3" = 1 }\nbottom_points = { "1" = -1 }\nwhen = "值>=0"\n'
        'vacated = "lapse"\n[[indicators]]\ncode = "2"\nname = "排名2"\ngroup = "组"\nweight = 0\n'
        'min_score = "none"\nscore = "10-名次/1000"\n[[indicators.steps]]\ntype = "rank"\ntarget = "名次"\n'
        'of = "值"\norder = "asc"\nties = "dense"\n'
    )
    rows = []
    for i in range(3000):
        value = (i * 7919) % 1013 - 50
        cell = f"{value}.25" if i % 5 else str(value)
        if i % 997 == 0:
            cell = f"{value}123456789012345678901"
        rows.append(f"单位{i},{'甲类' if i % 3 else '乙类'},{i % 11},{cell}")
    data = "单位,类别,基础,值\n" + "\n".join(rows) + "\n"
    scheme = loads(text, format="toml")
    path = tmp_path / "d.csv"
    path.write_text(data, encoding="utf-8")
    gathered = _same_population(scheme, path)
    assert gathered is not None
    units = load_units(path, scheme=scheme)
    program = program_of(plan_of(scheme))
    assert program is not None
    assert all(o is not None for o in program.run(units, gathered))


# -- the examples ------------------------------------------------------------------------------

_RANK_EXAMPLES = [
    EXAMPLES / "mechanics" / "m05-rank-points.toml",
    EXAMPLES / "cookbook" / "rank-gated.toml",
    EXAMPLES / "cookbook" / "rank-grade.toml",
]

# Hand-worked: rank-gated (GDP增速≥8 ranked, ties average: 乙 3, 甲 丁 (2+1)/2; 收入增速 with places
# lapsed: 戊 first 2, 乙's second place lapses); rank-grade (乙 1st 优 95, 甲 丁 2nd 良 85, 丙 中 70, 戊 差 30).
_BY_HAND = {
    "rank-gated": {"甲": "1.5", "乙": "3", "丙": "0", "丁": "1.5", "戊": "2", "己": "0"},
    "rank-grade": {"甲": "85", "乙": "95", "丙": "70", "丁": "85", "戊": "30"},
}


def _expected(stem: str) -> dict[str, Fraction]:
    if stem in _BY_HAND:
        return {k: Fraction(v) for k, v in _BY_HAND[stem].items()}
    found = json.loads((EXAMPLES / "mechanics" / "expected.json").read_text(encoding="utf-8"))[stem]
    return {k: Fraction(v["total"]) for k, v in found.items()}


@pytest.mark.parametrize("scheme_path", _RANK_EXAMPLES, ids=lambda p: p.stem)
def test_the_rank_examples_are_scored_as_columns_on_every_path(scheme_path):
    scheme = load(scheme_path)
    data_path = scheme_path.with_suffix(".csv")
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None, plan.program_why
    units = load_units(data_path, scheme=scheme)
    population = batch_population(plan, units)
    assert isinstance(population, BatchPopulation)  # ranked over columns
    assert all(o is not None for o in program.run(units, population))
    # API explained and not, JSON, CSV streamed in one process and two: the same, and as worked out.
    full = assert_paths_agree(scheme, scheme_path, data_path, jobs=("1", "2"))
    assert {r.unit: Fraction(r.total) for r in full} == _expected(scheme_path.stem)
    lean = evaluate(scheme, units, explained=False)
    assert {r.unit: Fraction(r.total) for r in lean} == _expected(scheme_path.stem)


def test_points_by_place_are_explained_with_the_place(tmp_path):
    """The explanation (the per-unit program on one unit, with the batch's ranks over columns) names the place."""
    path = EXAMPLES / "mechanics" / "m05-rank-points.toml"
    scheme = load(path)
    results = {r.unit: r for r in evaluate(scheme, load_units(path.with_suffix(".csv"), scheme=scheme))}
    shown = results["乙"].explain()
    assert "第1名" in shown
    assert "第2名" in results["甲"].explain() and "第2名" in results["丁"].explain()


def test_ranks_over_the_whole_file_whatever_the_chunks(tmp_path):
    """A file read in chunks of 7 units (in one process and two) and in Dask partitions: every unit's
    rank points are over the whole file, as ``evaluate`` gives them."""
    text = (
        'name = "名次列"\nbasis = "points"\ntotal = 10\ncap_total = false\ngroups = [{ name = "组" }]\n'
        '[[indicators]]\ncode = "1"\nname = "排名1"\ngroup = "组"\nweight = 10\nmax_score = "none"\n'
        'min_score = "none"\nscore = "基础+加分"\nsteps = [{ type = "rank", target = "加分", of = "值", '
        'ties = "average", points = { "1" = 3, "2" = 2, "3" = 1 }, bottom_points = { "1" = -1, "2" = -0.5 }, '
        'when = "值>=0" }]\n'
    )
    rows = [f"单位{i},{i % 4},{(i * 37) % 101 - 3}" for i in range(300)]
    rows[5] = "单位5,2,100.0000000000000000000"  # read one by one (more places than the columns read)
    data = tmp_path / "d.csv"
    data.write_text("单位,基础,值\n" + "\n".join(rows) + "\n", encoding="utf-8")
    scheme = loads(text, format="toml")
    units = load_units(data, scheme=scheme)
    want = {r.unit: (r.total, r.rank) for r in evaluate(scheme, units, explained=False)}
    assert want["单位5"][0] == 2 + 3  # 基础 2, first place (100 is the largest value): 3 points
    from perfrules.pipeline.stream import score_file

    for jobs in (1, 2):
        run = score_file(scheme, data, jobs=jobs, chunk_size=7)
        assert {o.unit.name: (o.total, o.rank) for o in run.outcomes} == want, jobs
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    import dask

    from perfrules import dask as perfrules_dask

    frame = pd.read_csv(data, dtype=str, keep_default_na=False)
    parts = dd.from_pandas(frame, npartitions=4)
    with dask.config.set(scheduler="synchronous"):
        table = perfrules_dask.evaluate(scheme, parts).compute()
    assert {row["unit"]: (row["total"], row["rank"]) for row in table.to_dict("records")} == want


# -- population values per period ----------------------------------------------------------------

_LABELS = ["1季度", "2季度", "3季度"]


@st.composite
def period_cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme whose indicators reported per period read the population (ranks, points by rank,
    peer ratios, ``max_of`` …), and units with and without period rows."""
    count = draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["mean", "last", "sum"]))
    lines = ['name = "分期名次"', 'basis = "points"', f"total = {10 * count}", "cap_total = false"]
    lines += ['groups = [{ name = "组" }]', f'periods = "{mode}"']
    cells: dict[str, st.SearchStrategy[str]] = {}
    for k in range(1, count + 1):
        form = draw(st.sampled_from(["rank", "points", "peer", "max", "mean"]))
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"', "weight = 10"]
        lines += ['max_score = "none"', 'min_score = "none"']
        if draw(st.integers(0, 3)):
            lines.append(f'frequency = "{draw(st.sampled_from(["quarterly", "monthly"]))}"')
        v, q = f"值{k}", f"量{k}"
        if form == "rank":
            ties = draw(st.sampled_from(["min", "average", "dense"]))
            lines += [
                'score = "10-(名次-1)×2"',
                f'steps = [{{ type = "rank", target = "名次", of = "{v}", ties = "{ties}" }}]',
            ]
        elif form == "points":
            lines += [
                f'score = "加分+{q}"',
                f'steps = [{{ type = "rank", target = "加分", of = "{v}", ties = "average", '
                'points = { "1" = 3, "2" = 1 }, bottom_points = { "1" = -1 } }]',
            ]
        elif form == "peer":
            pooled = draw(st.booleans())
            lines += [
                'score = "水平×5"',
                f'steps = [{{ type = "peer_ratio", target = "水平", numerator = "{v}", denominator = "{q}", '
                f"pooled = {'true' if pooled else 'false'} }}]",
            ]
        elif form == "max":
            lines.append(f'score = "{v}/max_of({v})×10"')
        else:
            lines.append(f'score = "{v}-mean_of({v})+{q}"')
        plain = ["1", "2", "2.0", "3.5", "0", "-1", "12.5", "12.5000000000000000000"]
        cells[v] = st.sampled_from(plain * 4 + ["", "约五分"])
        cells[q] = st.sampled_from(["1", "2", "4", "0", "", "7.5"])
    columns = sorted(cells)
    rows: list[list[str]] = []
    for u in range(draw(st.integers(1, 8))):
        labels = draw(st.lists(st.sampled_from(_LABELS), unique=True, max_size=3))
        if draw(st.integers(0, 2)) > 0 or not labels:
            rows.append([f"单位{u}", "", *(draw(cells[c]) for c in columns)])
        for label in labels:
            rows.append(
                [f"单位{u}", label, *(draw(cells[c]) if draw(st.integers(0, 3)) else "" for c in columns)]
            )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位", "期间", *columns])
    writer.writerows(rows)
    return "\n".join(lines) + "\n", out.getvalue()


@given(case=period_cases())
@_COLUMN_SETTINGS
def test_population_values_per_period_score_as_the_per_unit_program(tmp_path_factory, case):
    fast, slow, scheme, scheme_path, data_path = _both_ways(tmp_path_factory.mktemp("periods"), *case)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    plan = plan_of(scheme)
    units = load_units(data_path, scheme=scheme)
    population = batch_population(plan, units)
    program = program_of(plan)
    assert program is not None
    found = program.run(units, population)
    taken = sum(o is not None for o, u in zip(found, units, strict=True) if u.periods)
    event(f"units with periods the column program scored: {'none' if not taken else 'some'}")
    want = population_values(plan.indicators, units)
    assert {u.name: _as_fractions(population[u.name]) for u in units} == {
        u.name: _as_fractions(want[u.name]) for u in units
    }
    _streamed_cells_match(scheme_path, data_path, slow)


# -- periods = "sum" ------------------------------------------------------------------------------


def _summed(case: tuple[str, str]) -> tuple[str, str]:
    text, data = case
    return re.sub(r'periods = "\w+"', 'periods = "sum"', text), data


@given(case=test_column_periods.cases().map(_summed))
@_COLUMN_SETTINGS
def test_values_added_up_over_periods_score_as_the_per_unit_program(tmp_path_factory, case):
    """``periods = "sum"``: reported scores and graded rates per period (tests/test_column_periods.py's
    schemes), each unit's period values added up and scored once."""
    _agree(tmp_path_factory.mktemp("sum"), *case, periods=True)


def test_values_added_up_by_hand(tmp_path):
    """完成数 3 + 4 of 计划数 5 + 5 (the year's 计划数 unused): 70% → 良 by interpolation; a unit
    without periods is scored on its year's row; one whose period cell is unreadable gets that
    error, known before any indicator is scored (uniterrors)."""
    text = (
        'name = "合计"\ntotal = 100\nperiods = "sum"\ngroups = [{ name = "组" }]\n[[indicators]]\n'
        'code = "1"\nname = "完成率"\ngroup = "组"\nweight = 100\nfrequency = "quarterly"\n'
        'steps = ["完成率=完成数/计划数×100"]\n[indicators.scale]\n'
        'rule = "优：完成率≥90；良：60≤完成率<90；差：完成率<60"\ndomain = [0, 100]\nscoring = "interpolate"\n'
    )
    data = (
        "单位,期间,完成数,计划数\n甲,,0,99\n甲,1季度,3,5\n甲,2季度,4,5\n乙,,9,10\n"
        "丙,1季度,1,2\n丙,2季度,约五,2\n"
    )
    fast, slow, scheme, scheme_path, data_path = _both_ways(tmp_path, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    _streamed_cells_match(scheme_path, data_path, slow)
    units = load_units(data_path, scheme=scheme)
    found = program_of(plan_of(scheme)).run(units)  # type: ignore[union-attr]
    assert [o is not None and not o.errors for o in found] == [True, True, False]
    assert found[2] is not None and found[2].errors == slow[2].errors
    by_name = {o.unit.name: o for o in fast}
    # 良 spans 60–90 of the rate and 80–90 of the score: 70 → 80 + (70 − 60)/30 × 10.
    assert Fraction(by_name["甲"].total) == Fraction(80) + Fraction(10, 3)
    assert Fraction(by_name["乙"].total) == 90 + Fraction(0)  # 90% → 优's lowest score, 90
    assert by_name["丙"].errors
