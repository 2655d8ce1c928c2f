"""Rank steps of every form over columns: ``inputs`` mappings, not-applicable rules, ``分值``, parts.

A rank step whose indicator reads its data through an ``inputs`` mapping, has
not-applicable rules (a ``when`` on the data or on ``分值``, a ``missing``
rule), or ranks a value a formula step works out from ``分值`` or a ``part``
grades, is ranked over the batch's columns once per batch
(:mod:`perfrules.scoring.colrank`, :mod:`perfrules.scoring.colpop`): a unit its
indicator's rules leave out enters no rank, as the per-unit program's
:func:`~perfrules.scoring.population.population_values` leaves it out. The
generated data has ties written differently, blanks, values on the
not-applicable conditions' boundaries and cells that are no number. The
population over columns must be the one worked out unit by unit, entry for
entry; totals, grades, ranks, scores, errors, events and explanations the
per-unit program's; the streamed command line the same again.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from perfrules import loads
from perfrules.files.data import load_units
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.colsteps import BatchPopulation
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of
from test_column_program import _COLUMN_SETTINGS, _both_ways, _data_csv, _key, _q, _streamed_cells_match
from test_column_ranks import _same_population
from test_column_record import _compare

_VALUES = [
    "12.5",
    "12.50",
    "12.5000000000000000000",
    "15",
    "8",
    "8.0",
    "7.9",
    "3",
    "0",
    "-2.25",
    "90",
    "89.9",
]
_ODD = ["", "约五分"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A scheme of rank steps of the forms above, and CSV data for it."""
    categories = draw(st.sampled_from([(), ("甲类", "乙类")]))
    units = [f"单位{i}" for i in range(draw(st.integers(1, 12)))]
    count = draw(st.integers(1, 3))
    lines = ['name = "名次形式"', 'basis = "points"', f"total = {10 * count}", "cap_total = false"]
    if categories:
        lines.append(f"categories = [{', '.join(map(_q, categories))}]")
    second = Fraction(0)  # 乙类's full marks (its own 分值 per indicator)
    at = len(lines)
    lines.append('groups = [{ name = "组" }]')
    columns: dict[str, list[str]] = {}
    for k in range(1, count + 1):
        of, field, gate, base = f"值{k}", f"产值{k}", f"门{k}", f"基{k}"
        lines += ["[[indicators]]", f'code = "{k}"', f'name = "排名{k}"', 'group = "组"']
        if categories and draw(st.booleans()):  # 分值 per category
            own = draw(st.sampled_from(["5", "7.5"]))
            lines.append(f'weights = {{ "甲类" = 10, "乙类" = {own} }}')
            second += Fraction(own)
        else:
            lines.append("weight = 10")
            second += 10
        lines += ['max_score = "none"', 'min_score = "none"']
        mapped = draw(st.booleans())
        if mapped:  # the rule's name reads another column
            lines.append(f'inputs = {{ "{of}" = "{field}" }}')
        form = draw(st.sampled_from(["plain", "full", "part", "max"]))
        ranked = {"plain": of, "full": f"率{k}", "part": f"档{k}", "max": of}[form]
        points = draw(st.booleans())
        target = "加分" if points else "名次"
        if form == "max":  # a population function beside the rank (its part left out the same way)
            lines.append(f'score = "{base}+{of}/max_of({of})×5+{target}"')
        else:
            lines.append(f'score = "{base}+加分"' if points else 'score = "10-(名次-1)×2"')
        rank = ['type = "rank"', f"target = {_q(target)}", f"of = {_q(ranked)}"]
        rank.append(f"order = {_q(draw(st.sampled_from(['desc', 'asc'])))}")
        rank.append(f"ties = {_q(draw(st.sampled_from(['min', 'average', 'dense'])))}")
        if categories and draw(st.booleans()):
            rank.append('within = "category"')
        if points:
            rank.append('points = { "1" = 3, "2" = 2, "3" = "0.5" }')
            if draw(st.booleans()):
                rank.append('bottom_points = { "1" = -1 }')
        if draw(st.booleans()):
            rank.append(f"when = {_q(draw(st.sampled_from([gate + '>=8', of + '<分值'])))}")
            rank.append(f"vacated = {_q(draw(st.sampled_from(['pass_down', 'lapse'])))}")
        steps = []
        if form == "full":
            steps.append(_q(f"{ranked}={of}/分值"))
        elif form == "part":
            steps.append(
                f'{{ type = "part", target = "{ranked}", of = "{of}", '
                f'scale = {{ rule = "优：{of}≥12.5；良：8≤{of}<12.5；差：{of}<8", scoring = "midpoint" }} }}'
            )
        lines.append(f"steps = [{', '.join([*steps, '{ ' + ', '.join(rank) + ' }'])}]")
        rules = []
        for rule in draw(
            st.lists(st.sampled_from(["gate", "full", "missing", "missing-of"]), max_size=2, unique=True)
        ):
            if rule == "gate":
                rules.append(f'{{ type = "not_applicable", when = "{gate}<8", reason = "门槛未达" }}')
            elif rule == "full":
                rules.append(f'{{ type = "not_applicable", when = "{of}>=分值×1.5" }}')
            elif rule == "missing":
                rules.append('{ type = "not_applicable", missing = true }')
            else:
                rules.append(f'{{ type = "not_applicable", missing = ["{of}"] }}')
        if rules:
            lines.append(f"policies = [{', '.join(rules)}]")
        odd = draw(st.sampled_from([0, 0, 1]))
        value = st.sampled_from(_VALUES + _ODD * odd)
        cells = [draw(value) for _ in units]
        columns[field if mapped else of] = cells
        if mapped and draw(st.booleans()):  # a column of the local name's own: not read
            columns[of] = [draw(st.sampled_from(_VALUES)) for _ in units]
        columns[gate] = [draw(st.sampled_from(["7.9", "8", "8.00", "9", "", "12.5"])) for _ in units]
        columns[base] = [draw(st.sampled_from(["5", "7.5", "0", "-1"])) for _ in units]
    if categories and second != 10 * count:
        lines.insert(at, f'totals = {{ "乙类" = {float(second)} }}')
    kinds = [draw(st.sampled_from([*categories, categories[0]])) for _ in units] if categories else None
    return "\n".join(lines) + "\n", _data_csv(units, columns, kinds)


def _ranked_over_columns(scheme: object, data_path: object) -> None:
    plan = plan_of(scheme)  # type: ignore[arg-type]
    program = program_of(plan)
    assert program is not None, plan.program_why
    assert program.ranks is not None  # every rank step compiles over columns
    units = load_units(data_path, scheme=scheme)  # type: ignore[arg-type]
    assert isinstance(batch_population(plan, units), BatchPopulation)


_HAND = (
    'name = "名次形式"\nbasis = "points"\ntotal = 10\ncap_total = false\ngroups = [{ name = "组" }]\n'
    '[[indicators]]\ncode = "1"\nname = "排名1"\ngroup = "组"\nweight = 10\nmax_score = "none"\n'
    'inputs = { "值" = "产值" }\nscore = "加分"\n'
    'steps = [{ type = "rank", target = "加分", of = "值", ties = "average", points = { "1" = 3, "2" = 2 } }]\n'
    'policies = [{ type = "not_applicable", when = "门<8" }]\n'
)


@given(case=cases())
@_COLUMN_SETTINGS
@example(case=(_HAND, "单位,产值,门\n甲,12.5,9\n乙,12.50,8\n丙,99,7.9\n丁,3,8\n"))
def test_rank_forms_score_as_the_per_unit_program(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("rankforms")
    fast, slow, scheme, scheme_path, data_path = _both_ways(folder, *case)
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    _ranked_over_columns(scheme, data_path)
    _same_population(scheme, data_path)
    _compare(scheme, list(load_units(data_path, scheme=scheme)))
    _streamed_cells_match(scheme_path, data_path, slow)


def test_a_unit_not_applicable_takes_no_place(tmp_path):
    """丙's 产值 (99) would be first, but its 门 (7.9) is below 8: not applicable, not ranked. 甲 and
    乙 tie at 12.5 (first and second: (3 + 2) / 2 each); 丁 third: 0."""
    fast, slow, scheme, _, data_path = _both_ways(
        tmp_path, _HAND, "单位,产值,门\n甲,12.5,9\n乙,12.50,8\n丙,99,7.9\n丁,3,8\n"
    )
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    assert {o.unit.name: o.scores[0] for o in fast} == {
        "甲": Fraction(5, 2),
        "乙": Fraction(5, 2),
        "丙": None,
        "丁": 0,
    }
    _ranked_over_columns(scheme, data_path)
    _same_population(scheme, data_path)


def test_rank_of_a_value_read_through_the_full_points(tmp_path):
    """率 = 值 / 分值, 分值 10 for 甲类 and 5 for 乙类: A 6/10, B 4/5, C 2/5 → B, A, C."""
    text = (
        'name = "名次形式"\nbasis = "points"\ntotal = 10\ncap_total = false\ncategories = ["甲类", "乙类"]\ntotals = { "乙类" = 5 }\n'
        'groups = [{ name = "组" }]\n[[indicators]]\ncode = "1"\nname = "排名1"\ngroup = "组"\n'
        'weights = { "甲类" = 10, "乙类" = 5 }\nmin_score = "none"\nscore = "分值-名次"\n'
        'steps = ["率=值/分值", { type = "rank", target = "名次", of = "率" }]\n'
    )
    scheme = loads(text, format="toml")
    assert program_of(plan_of(scheme)).ranks is not None  # type: ignore[union-attr]
    fast, slow, _, _, data_path = _both_ways(tmp_path, text, "单位,类别,值\nA,甲类,6\nB,乙类,4\nC,乙类,2\n")
    assert [_key(o) for o in fast] == [_key(o) for o in slow]
    assert {o.unit.name: o.scores[0] for o in fast} == {"A": 8, "B": 4, "C": 2}
    _same_population(scheme, data_path)
