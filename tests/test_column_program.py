"""The column program against the per-unit program: the same totals, grades, ranks, scores and errors.

A scheme whose forms compile (:mod:`perfrules.scoring.program`) is scored column by
column; every unit the program does not take goes to the per-unit program.
These tests generate such schemes — weights per category (0 for some),
``applies_to``, score formulas of data columns with ``+ - × ÷ %``, limits,
``round_scores``, ``round_total``, capped and floored totals, overall grading
of the total, quotas — and data on and around their boundaries, with cells
the program must send back (blank, ``95%``, ``1e3``, full-width digits, more
places than it keeps, numbers too large for 64-bit integers). The reference
is the same scheme with the column program switched off.
"""

from __future__ import annotations

import csv
import io
import json
import os
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import oracle
from perfrules import PerfrulesError, evaluate, loads
from perfrules import testing as prst
from perfrules._intcols import format_column, numpy
from perfrules._numbers import exact
from perfrules.cli.main import main
from perfrules.files.data import load_units
from perfrules.pipeline.stream import cell_number
from perfrules.scoring.batch import score_batch
from perfrules.scoring.colexact import exact_values as _exact_values
from perfrules.scoring.colscale import grades as _grades
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of

_EXAMPLES = int(os.environ.get("DIFF_EXAMPLES", "40"))
# The differential tests' settings (every column test file uses these).
_COLUMN_SETTINGS = settings(
    max_examples=_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


_ODD_CELLS = ["", "95%", "1e3", "１２", "87.1234567890123", "123456789012345678901", "-0", "7.", "约五分"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme file the column program compiles, and CSV data for it."""
    categories = draw(st.sampled_from([(), ("甲类", "乙类")]))
    points_basis = draw(st.booleans())
    count = draw(st.integers(1, 6))
    units = [f"单位{i}" for i in range(draw(st.integers(1, 12)))]
    weights = [
        draw(st.sampled_from([1, 2, 3, 5, 7, 10, 12, Decimal("2.5"), Decimal("0.3")])) for _ in range(count)
    ]
    total = sum(weights)
    lines = [
        'name = "列程序"',
        f'basis = "{"points" if points_basis else "percent"}"',
        f"total = {total}",
    ]
    if categories:
        lines.append(f"categories = [{', '.join(map(_q, categories))}]")
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 2))}")
    if draw(st.booleans()):
        lines.append(f"round_total = {draw(st.integers(0, 2))}")
    if draw(st.booleans()):
        lines.append("cap_total = false")
    # The second category's weights: the same total, one indicator's weight moved to the next (0: not assessed).
    second = list(weights)
    if count > 1 and draw(st.booleans()):
        j = draw(st.integers(0, count - 1))
        second[(j + 1) % count] += second[j]
        second[j] = 0
    overall = draw(st.booleans())
    lines += [
        'groups = [{ name = "组一" }, { name = "组二" }]' if count > 1 else 'groups = [{ name = "组一" }]'
    ]
    if overall:
        cut = total * Decimal(draw(st.sampled_from(["0.6", "0.8", "0.9"])))
        lines += ["[overall]", f'rule = "优：总分>={cut}；差：总分<{cut}"']
    columns: dict[str, list[str]] = {}
    for k in range(1, count + 1):
        weight = weights[k - 1]
        full = weight if points_basis else 100
        a, b = f"值{k}", f"量{k}"
        form = draw(
            st.sampled_from(
                [
                    f"{a}",
                    f"{a}",
                    f"{a}×2",
                    f"{a}÷3",
                    f"({a}+{b})/2",
                    f"{a}-{b}",
                    f"{a}%×{full}",
                    f"-{a}+{full}",
                ]
            )
        )
        lines += [
            "[[indicators]]",
            f'code = "{k}"',
            f'name = "指标{k}"',
            f'group = "{"组一" if k % 2 else "组二"}"',
        ]
        if categories:
            lines.append(f'weights = {{ "甲类" = {weight}, "乙类" = {second[k - 1]} }}')
        else:
            lines.append(f"weight = {weight}")
        if points_basis is False and draw(st.integers(0, 3)) == 0:
            lines.append(f"full = {draw(st.sampled_from([10, 20]))}")
        if draw(st.integers(0, 3)) == 0:
            lines.append(
                f"applies_to = [{', '.join(map(_q, draw(st.lists(st.sampled_from(units), min_size=1, max_size=3))))}]"
            )
        limit = draw(st.sampled_from([None, "none", "min"]))
        if limit == "none":
            lines.append('max_score = "none"')
        elif limit == "min":
            lines.append('min_score = "none"')
        lines.append(f'score = "{form}"')
        near = [Fraction(full) * Fraction(p, 100) for p in (0, 33, 60, 80, 90, 100, 101)]
        plain = [
            str(Decimal(v.numerator) / Decimal(v.denominator))
            for v in near
            if v.denominator in (1, 2, 4, 5, 10)
        ]
        cells = st.one_of(
            st.sampled_from([*plain, "0", "12.5", "-3", "99.99"]),
            st.sampled_from(_ODD_CELLS),
        )
        columns[a] = [draw(cells) for _ in units]
        columns[b] = [draw(cells) for _ in units]
    kinds = [draw(st.sampled_from([*categories, categories[0], ""])) for _ in units] if categories else None
    return "\n".join(lines) + "\n", _data_csv(units, columns, kinds)


def _data_csv(units: list[str], columns: dict[str, list[str]], categories: list[str] | None = None) -> str:
    """A data file of these units: 单位, 类别 when given, then the columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位", *(["类别"] if categories is not None else []), *columns])
    for i, name in enumerate(units):
        writer.writerow(
            [name, *([categories[i]] if categories is not None else []), *(columns[c][i] for c in columns)]
        )
    return out.getvalue()


def _both_ways(folder: Any, text: str, data: str) -> tuple[list[Any], list[Any], Any, Any, Any]:
    """The case written to files and scored by the column program and by the per-unit program
    (which must have compiled): (fast, slow, scheme, scheme path, data path)."""
    scheme_path, data_path = folder / "scheme.toml", folder / "data.csv"
    scheme_path.write_text(text, encoding="utf-8")
    data_path.write_text(data, encoding="utf-8")
    fast, scheme = _outcomes(text, data_path, program=True)
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    slow, _ = _outcomes(text, data_path, program=False)
    return fast, slow, scheme, scheme_path, data_path


def _agree(folder: Any, text: str, data: str, *, periods: bool = False) -> tuple[list[Any], list[Any], Any]:
    """:func:`_both_ways`, then the two programs' outcomes are the same, the streamed command line's
    cells are the per-unit program's, and whether the column program scored any unit (of those
    with period rows, with *periods*) is a hypothesis event. Returns (fast, slow, scheme)."""
    fast, slow, scheme, scheme_path, data_path = _both_ways(folder, text, data)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    units = load_units(data_path, scheme=scheme)
    found = program_of(plan_of(scheme)).run(units)  # type: ignore[union-attr]
    taken = sum(o is not None for o, u in zip(found, units, strict=True) if u.periods or not periods)
    kind = "units with periods" if periods else "units"
    event(f"{kind} the column program scored: {'none' if not taken else 'some'}")
    _streamed_cells_match(scheme_path, data_path, slow)
    return fast, slow, scheme


def _run_columns(scheme: Any, folder: Any, text: str) -> list[Any]:
    """The column program's outcomes (None: sent to the per-unit program) for the CSV *text*, loaded
    as ``load_units`` loads a file."""
    data = folder / "d.csv"
    data.write_text(text, encoding="utf-8")
    return program_of(plan_of(scheme)).run(load_units(data, scheme=scheme))  # type: ignore[union-attr]


def _streamed_cells_match(scheme_path: Any, data_path: Any, slow: list[Any]) -> None:
    """The streamed command line's CSV gives the per-unit program's ranks, totals, grades and scores."""
    by_name = {o.unit.name: o for o in slow}
    out, err = io.StringIO(), io.StringIO()
    code = main(["score", str(scheme_path), str(data_path), "--format", "csv"], out=out, err=err)
    assert code in (0, 1), err.getvalue()
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert len(rows) == len(slow) + 1
    for row in rows[1:]:
        o = by_name[row[1]]
        assert row[0] == ("" if o.rank is None else str(o.rank))
        assert row[3:5] == ["" if o.total is None else cell_number(o.total), o.grade or ""]
        if not o.errors:
            assert row[5:-1] == ["" if s is None else cell_number(s) for s in o.scores]


def _outcomes(text: str, data_path: Any, *, program: bool) -> tuple[list[Any], Any]:
    scheme = loads(text, format="toml")
    plan = plan_of(scheme)
    units = load_units(data_path, scheme=scheme)
    outcomes, _ = score_batch(plan, units) if program else oracle.score_batch(plan, units)
    return outcomes, scheme


def _key(o: Any) -> tuple[Any, ...]:
    return (
        o.unit.name,
        o.total,
        o.grade,
        o.rank,
        o.category_rank,
        [None if s is None else Fraction(s) for s in o.scores] if not o.errors else None,
        [(e.indicator, e.field, e.message) for e in o.errors],
        [e.message for e in o.events],
    )


@given(case=cases())
@_COLUMN_SETTINGS
def test_the_column_program_scores_as_the_per_unit_program(tmp_path_factory, case):
    fast, slow, _, scheme_path, data_path = _both_ways(tmp_path_factory.mktemp("columns"), *case)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    # The streamed command line reads plain cells as columns: the same cells as the per-unit program.
    _streamed_cells_match(scheme_path, data_path, slow)


def _write(folder: Any, text: str) -> Any:
    path = folder / "scheme.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_most_units_of_an_ordinary_file_are_scored_as_columns(tmp_path):
    """The program takes the units whose cells are plain numbers (a test that it runs at all)."""
    text = "\n".join(
        [
            'name = "列程序"',
            "total = 100",
            'groups = [{ name = "组" }]',
            "[[indicators]]",
            'code = "1"',
            'name = "甲"',
            'group = "组"',
            "weight = 60",
            'score = "值1"',
            "[[indicators]]",
            'code = "2"',
            'name = "乙"',
            'group = "组"',
            "weight = 40",
            'score = "值2÷2"',
        ]
    )
    scheme = loads(text, format="toml")
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None
    data = tmp_path / "d.csv"
    data.write_text("单位,值1,值2\nA,90,180\nB,95%,100\nC,,100\nD,87.5,199\n", encoding="utf-8")
    units = load_units(data, scheme=scheme)
    scored = program.run(units)
    # C's cell is blank: 甲's error (worded by its own step: colfailures). B's 95% was read as 0.95.
    assert [o is not None for o in scored] == [True, True, True, True]
    assert scored[2] is not None and [e.field for e in scored[2].errors] == ["值1"]
    assert scored[2].scores == [None, Decimal(50)]
    # A: 90 × 0.6 + 90 × 0.4 = 90; B: 0.95 × 0.6 + 50 × 0.4 = 20.57; C: none; D: 52.5 + 39.8 = 92.3
    assert [o.total for o in scored if o is not None] == [
        Decimal(90),
        Decimal("20.57"),
        None,
        Decimal("92.3"),
    ]
    assert scored[3] is not None and scored[3].scores == [Decimal("87.5"), Decimal("99.5")]
    result = evaluate(scheme, units, explained=False)
    assert [e.field for e in result.unit("C").errors] == ["值1"]
    # From the file's text too, B's 95% is read into the column (files/colcells); C goes to the per-unit program.
    code = main(
        ["score", str(_write(tmp_path, text)), str(data), "--format", "csv"],
        out=io.StringIO(),
        err=io.StringIO(),
    )
    assert code == 1  # C has an error


@given(
    scale=prst.threshold_scales(),
    values=st.lists(st.integers(-50, 3000), min_size=1, max_size=20),
    den=st.sampled_from([1, 3, 7, 10, 16, 100, 250]),
    precision=st.sampled_from([None, 0, 1]),
)
@settings(max_examples=200, deadline=None)
def test_grades_at_once_are_the_scales_grades(scale, values, den, precision):
    """The program grades a batch of exact totals by comparing integers; classify_number grades one."""
    if precision is not None:
        scale = attrs.evolve(scale, precision=precision)
    found = _grades(scale, numpy().array(values, dtype=object), den)
    for value, grade in zip(values, found, strict=True):
        number = exact(Fraction(value, den))
        try:
            expected = scale.classify_number(number)
        except PerfrulesError:
            assert grade is None  # outside the domain: the scale says so, not the batch
            continue
        assert grade == expected, (value, den)


@given(values=st.lists(st.integers(-(10**20), 10**20), min_size=1, max_size=10), den=st.integers(1, 10**6))
def test_exact_values_and_cells_of_totals_at_once(values, den):
    """Totals made from their digits are what exact() gives; their cells are what cell_number gives."""
    assert _exact_values(values, den) == [exact(Fraction(v, den)) for v in values]
    shown = format_column(numpy().array(values, dtype=object), den, numpy().ones(len(values), dtype=bool))
    assert shown == [cell_number(exact(Fraction(v, den))) for v in values]


def test_values_past_the_number_limits_are_the_per_unit_programs_error(tmp_path):
    """A product past 10**50 stops the indicator's own step with its error: the column program, which
    cannot hold it, takes that error from the step (colfailures), as the per-unit program reports it."""
    text = "\n".join(
        [
            'name = "大数"',
            'basis = "points"',
            "total = 10",
            'groups = [{ name = "组" }]',
            "[[indicators]]",
            'code = "1"',
            'name = "积"',
            'group = "组"',
            "weight = 10",
            'score = "甲×乙×丙×丁"',
        ]
    )
    data = tmp_path / "d.csv"
    big = "100000000000000"  # 10**14: a plain cell; four of them make 10**56
    data.write_text(f"单位,甲,乙,丙,丁\nA,{big},{big},{big},{big}\nB,1,2,3,1\n", encoding="utf-8")
    fast, scheme = _outcomes(text, data, program=True)
    slow, _ = _outcomes(text, data, program=False)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    assert [e.error for e in fast[0].errors] == ["NumberTooLargeError"]
    assert fast[1].total == Decimal(6)
    program = program_of(plan_of(scheme))
    assert program is not None
    found = program.run(load_units(data, scheme=scheme))
    assert found[0] is not None and [(e.indicator, e.error) for e in found[0].errors] == [
        ("1", "NumberTooLargeError")
    ]
