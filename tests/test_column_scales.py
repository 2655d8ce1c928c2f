"""Grading scales on indicators in the column program, against the per-unit program.

The column program grades an indicator's value (a data column, or a rate a
formula step computes) by its threshold scale with band decisions by
cross-multiplication (:mod:`perfrules.scoring.colscale`). These tests
generate scales — random cuts with many decimal places, 含 on either side of
each cut, larger or smaller values better, points per band, midpoints, interpolation within a band, rounding
to a precision — and data exactly on, just above and just below every cut
(as decimals, and as repeating fractions a division step gives), outside the
domain, blank and unreadable; the column program, the per-unit program and
the streamed command line must give the same grades, scores, totals, ranks,
errors and events.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import event, given
from hypothesis import strategies as st

from perfrules import evaluate, loads
from perfrules.files.data import load_units
from perfrules.scheme.units import Unit
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_program import (
    _COLUMN_SETTINGS,
    _both_ways,
    _data_csv,
    _key,
    _q,
    _streamed_cells_match,
)

_GRADES = ["优", "良", "中", "差"]
_TINY = Decimal("1e-13")


def _rule(
    var: str, cuts: list[Decimal], upper_closed: list[bool], points: list[int] | None, lower_better: bool
) -> str:
    """A threshold rule over *var*, best band first (larger is better, or smaller where
    *lower_better*); cut i is 含 in the band above it where upper_closed[i]."""
    bands = len(cuts) + 1
    conds = []
    for b in range(bands):  # band b lies between cuts[bands-2-b] (below) and cuts[bands-1-b] (above)
        hi = bands - 1 - b
        lo = hi - 1
        parts = []
        if lo >= 0:
            parts.append(f"{cuts[lo]:f}{'≤' if upper_closed[lo] else '<'}{var}")
        if hi < len(cuts):
            op = "<" if upper_closed[hi] else "≤"
            parts = [f"{parts[0]}{op}{cuts[hi]:f}"] if parts else [f"{var}{op}{cuts[hi]:f}"]
        elif lo >= 0:
            parts = [f"{var}{'≥' if upper_closed[lo] else '>'}{cuts[lo]:f}"]
        conds.append(parts[0])
    if lower_better:
        conds.reverse()
    entries = [
        f"{cond}，计{points[b]}分" if points is not None else f"{_GRADES[b]}：{cond}"
        for b, cond in enumerate(conds)
    ]
    return "；".join(entries)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme whose indicators are graded by generated scales, and CSV data on and around every cut."""
    points_basis = draw(st.booleans())
    count = draw(st.integers(1, 3))
    units = [f"单位{i}" for i in range(draw(st.integers(1, 14)))]
    weights = [draw(st.sampled_from([1, 2, 5, 10, Decimal("2.5")])) for _ in range(count)]
    total = sum(weights)
    lines = [
        'name = "列分级"',
        f'basis = "{"points" if points_basis else "percent"}"',
        f"total = {total}",
        'groups = [{ name = "组" }]',
    ]
    # Categories that weigh every indicator alike: a scale's factor is then a category's, not none's.
    categories = ["甲类", "乙类"] if draw(st.integers(0, 3)) == 0 else None
    if categories is not None:
        lines.insert(3, 'categories = ["甲类", "乙类"]')
    if draw(st.booleans()):
        lines.append(f"round_scores = {draw(st.integers(0, 3))}")
    if draw(st.booleans()):
        cut = total * Decimal(draw(st.sampled_from(["0.5", "0.6", "0.85"])))
        lines += ["[overall]", f'rule = "优：总分>={cut}；差：总分<{cut}"']
    columns: dict[str, list[str]] = {}
    for k in range(1, count + 1):
        places = draw(st.integers(0, 12))
        raw = sorted(set(draw(st.lists(st.integers(1, 99 * 10**places), min_size=1, max_size=3))))
        cuts = [Decimal(c).scaleb(-places) for c in raw]
        upper_closed = [draw(st.booleans()) for _ in cuts]
        scoring = draw(st.sampled_from(["points", "midpoint", "interpolate", "interpolate"]))
        if scoring == "points":
            points = sorted(
                draw(st.lists(st.integers(0, 10), min_size=len(cuts) + 1, max_size=len(cuts) + 1))
            )
            points.reverse()
        else:
            points = None
        divided = draw(st.booleans())
        var = f"率{k}" if divided else f"值{k}"
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "指标{k}"', 'group = "组"']
        if categories is not None:
            lines.append(f'weights = {{ "甲类" = {weights[k - 1]}, "乙类" = {weights[k - 1]} }}')
        else:
            lines.append(f"weight = {weights[k - 1]}")
        if draw(st.integers(0, 4)) == 0:
            members = draw(st.lists(st.sampled_from(units), min_size=1, max_size=3))
            lines.append(f"applies_to = [{', '.join(map(_q, members))}]")
        if divided:
            lines.append(f'steps = ["率{k}=完成{k}/计划{k}×100"]')
        default = draw(st.integers(0, 3)) == 0
        rule_var = var
        if draw(st.integers(0, 3)) == 0:
            lines.append(f'value = "{var}"')  # the scale's own name for the value differs
            rule_var = "得分"
        lines += [
            "[indicators.scale]",
            f'rule = "{_rule(rule_var, cuts, upper_closed, points, draw(st.booleans()))}"',
            "domain = [0, 100]",
        ]
        if default:
            # No data (a blank cell, a divisor of 0) → the midpoint of 良, or 1 point (before the scale's table).
            given = 'grade = "良"' if points is None else "score = 1"
            lines.insert(len(lines) - 3, f'policies = [{{ type = "default", {given} }}]')
        if scoring == "midpoint":
            lines.append('scoring = "midpoint"')
        if points is None:
            # Each grade's score interval, some of them a single value (the band then scores its top).
            spans = []
            for grade in _GRADES[: len(cuts) + 1]:
                lo, hi = sorted(draw(st.lists(st.integers(0, 100), min_size=2, max_size=2)))
                spans.append(f'"{grade}" = [{lo}, {hi}]')
            lines.append(f"scores = {{ {', '.join(spans)} }}")
        if draw(st.integers(0, 4)) == 0:
            lines.append(f"precision = {draw(st.integers(0, 3))}")
        near = [c + d for c in cuts for d in (0, _TINY, -_TINY)]
        if divided:
            # 完成/计划×100 on a cut, and a repeating fraction just beside it.
            def cell_pair(target: Decimal) -> tuple[str, str]:
                plan = draw(st.sampled_from([3, 7, 9, 100, 6]))
                done = target * plan / 100
                if draw(st.booleans()):
                    done += Decimal(draw(st.sampled_from([1, -1]))) * _TINY
                return f"{done:f}", str(plan)

            plain = st.sampled_from([*near, Decimal(0), Decimal(100), Decimal(101), Decimal(-1)])
            pairs = []
            for _ in units:
                if draw(st.integers(0, 9)) == 0:
                    pairs.append(draw(st.sampled_from([("", "5"), ("3", "0"), ("约五分", "3"), ("5", "")])))
                else:
                    pairs.append(cell_pair(draw(plain)))
            columns[f"完成{k}"] = [p[0] for p in pairs]
            columns[f"计划{k}"] = [p[1] for p in pairs]
        else:
            plain = st.sampled_from([f"{v:f}" for v in near] + ["0", "100", "100.0000001", "-0.5"])
            cells = st.one_of(plain, plain, plain, plain, st.sampled_from(["", "95%", "约五分", "-0"]))
            columns[var] = [draw(cells) for _ in units]
    given_categories = [draw(st.sampled_from(categories)) for _ in units] if categories is not None else None
    return "\n".join(lines) + "\n", _data_csv(units, columns, given_categories)


@given(case=cases())
@_COLUMN_SETTINGS
def test_scales_on_indicators_score_as_the_per_unit_program(tmp_path_factory, case):
    fast, slow, scheme, scheme_path, data_path = _both_ways(tmp_path_factory.mktemp("scales"), *case)
    plan = plan_of(scheme)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    units = load_units(data_path, scheme=scheme)
    taken = sum(o is not None for o in program_of(plan).run(units))  # type: ignore[union-attr]
    event(
        f"units the column program scored: {'none' if not taken else 'all' if taken == len(units) else 'some'}"
    )
    # The indicator scores of the explained results (the per-unit program run on each unit).
    result = evaluate(scheme, units)
    codes = [ind.code for ind in plan.indicators]
    for o in slow:
        if not o.errors:
            got = result.unit(o.unit.name)
            shown = {r.code: r.score for r in got.indicators}
            want = [None if s is None else Fraction(s) for s in o.scores]
            assert [None if s is None else Fraction(s) for s in map(shown.get, codes)] == want
    # The streamed command line reads the cells' text into columns.
    _streamed_cells_match(scheme_path, data_path, slow)


_HAND = """
name = "分级"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "完成率"
group = "组"
weight = 60
steps = ["完成率=完成数/计划数×100"]
policies = [{ type = "default", grade = "良" }]
[indicators.scale]
rule = "优：完成率≥90；良：80≤完成率<90；中：60≤完成率<80；差：完成率<60"
domain = [0, 100]
[[indicators]]
code = "2"
name = "满意度"
group = "组"
weight = 40
[indicators.scale]
rule = "满意度>95，计100分；85<满意度≤95，计80分；满意度≤85，计50分"
domain = [0, 100]
"""


def test_band_decisions_by_hand(tmp_path):
    """Hand-worked: 9/10 = 90 is 优 at its bottom, 90; 8/9 = 88.8… is 良 at 88.8…;
    95 is 80 points (95 is 含 in the band below), 95.0000001 is 100; 101 is outside the domain (the
    indicator's error, worded by its own step: colfailures);
    a plan of 0 is no data (the default, 良's midpoint, also in the column program)."""
    data = tmp_path / "d.csv"
    data.write_text(
        "单位,完成数,计划数,满意度\n甲,9,10,95\n乙,8,9,95.0000001\n丙,1,2,85\n丁,1,1,101\n戊,0,0,90\n",
        encoding="utf-8",
    )
    scheme = loads(_HAND, format="toml")
    program = program_of(plan_of(scheme))
    assert program is not None, plan_of(scheme).program_why
    units = load_units(data, scheme=scheme)
    outcomes = program.run(units)
    assert [o is not None for o in outcomes] == [True, True, True, True, True]
    assert outcomes[3] is not None and outcomes[3].total is None
    assert [(e.indicator, e.error) for e in outcomes[3].errors] == [("2", "EvaluationError")]
    assert outcomes[0] is not None and outcomes[0].total == Decimal(86)  # 90 × 0.6 + 80 × 0.4
    # 良 80–90 over 80–90: 800/9 scores 800/9; × 0.6 + 100 × 0.4 = 160/3 + 40
    assert outcomes[1] is not None and outcomes[1].total == Fraction(160, 3) + 40
    # 50 is 差 (0–60 over 0–60: 50); 85 → 50 points: 30 + 20
    assert outcomes[2] is not None and outcomes[2].total == Decimal(50)
    result = evaluate(scheme, units)
    assert [i.grade for i in result.unit("甲").indicators] == ["优", "85<满意度<=95"]
    assert [e.error for e in result.unit("丁").errors] == ["EvaluationError"]
    # 戊 plans 0: no data, so 良's midpoint 85 (× 0.6); 90 → 80 points (× 0.4)
    assert result.unit("戊").total == Decimal(83)
    assert outcomes[4] is not None and outcomes[4].total == Decimal(83)


def test_a_scale_in_a_scheme_with_categories_scores_by_a_category_factor(tmp_path):
    """Hand-worked: total 1 分 by points, each category weighing indicator 1 at 1; 优 (率 ≤ 0.001)
    scores 90–100 and 良 90–80, smaller rates better. 0 → 100 → 1 分; 0.0005 → 95 → 0.95 分;
    0.001 → 90 → 0.9 分; 0.5 → 80 + 0.5/0.999 × 10 = 85.005… → 4246/4995 分. The column program once
    took the scale's factor of no category (0 分) and gave every unit 0."""
    scheme = loads(
        'name = "类别的分级"\nbasis = "points"\ntotal = 1\ncategories = ["甲类", "乙类"]\n'
        '[scores]\n"优" = [90, 100]\n"良" = [80, 90]\n"中" = [60, 80]\n"差" = [0, 60]\n'
        '[[groups]]\nname = "组1"\n[[indicators]]\ncode = "1"\nname = "指标1"\ngroup = "组1"\nweights = { "甲类" = 1, "乙类" = 1 }\nvalue = "率1"\n'
        'scale = { bands = [{ name = "优", conditions = ["「率1」<=0.001"] }, '
        '{ name = "良", conditions = ["0.001<「率1」"] }], domain = [0, 1] }\n',
        format="toml",
    )
    data = tmp_path / "d.csv"
    data.write_text(
        "单位,类别,率1\n甲,甲类,0\n乙,乙类,0.0005\n丙,甲类,0.001\n丁,乙类,0.5\n", encoding="utf-8"
    )
    program = program_of(plan_of(scheme))
    assert program is not None, plan_of(scheme).program_why
    units = load_units(data, scheme=scheme)
    expected = [Decimal(1), Decimal("0.95"), Decimal("0.9"), Fraction(4246, 4995)]
    assert [o.total if o is not None else None for o in program.run(units)] == expected
    for explained in (True, False):
        assert [r.total for r in evaluate(scheme, units, explained=explained)] == expected


def test_a_scale_grading_a_truth_step_is_the_indicators_error_where_it_holds_one():
    """A scale grading a step whose value is a truth value (refused once) compiles: the per-unit
    program's scale refuses a truth value, so each unit has that error, naming True or False, in
    every path (a truth step the scale does not grade: test_column_truth.py; a truth step graded
    where it holds a number: test_column_truth2.py; a scheme whose form the columns do not compile
    is refused: test_column_removal.py)."""
    text = (
        'name = "s"\ntotal = 100\nperiods = "sum"\ngroups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\n'
        'name = "a"\ngroup = "组"\nweight = 100\nsteps = ["达标 = x > 1"]\nvalue = "达标"\n'
        'scale = { rule = "优：达标≥90；良：达标<90", scoring = "midpoint" }\n'
    )
    scheme = loads(text, format="toml")
    plan = plan_of(scheme)
    assert program_of(plan) is not None and plan.program_why is None
    units = [Unit(name="甲", data={"x": 2}), Unit(name="乙", data={"x": 1})]
    for explained in (True, False):
        found = evaluate(scheme, units, explained=explained)
        assert [(r.total, [e.message for e in r.errors]) for r in found] == [
            (None, ["达标=True (bool) is a truth value, not a number"]),
            (None, ["达标=False (bool) is a truth value, not a number"]),
        ]
