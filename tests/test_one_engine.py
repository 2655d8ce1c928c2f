"""One engine: every path grades alike, and the readers keep every column the scheme reads.

Each case runs the same scheme and data through the API (explained and
totals-only) and the command line (table, CSV, ``--jobs 2``, JSON), from
CSV, JSON and workbook data, and compares grades and totals with hand-worked
figures.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cli_run import run
from column_cases import first_band_of
from perfrules import evaluate, load, names_read
from perfrules.files.data import load_units

# Two reported scores of 5 points each; the overall grade reads something other than the total.
_HEAD = """
name = "一引擎测试"
basis = "points"
total = 10
[[groups]]
name = "业务"
[[groups]]
name = "党建"
[[indicators]]
code = "1"
name = "甲项"
group = "业务"
weight = 5
score = "甲分"
[[indicators]]
code = "2"
name = "乙项"
group = "党建"
weight = 5
score = "乙分"
"""


def _good_or_bad(good: str, bad: str) -> str:
    """Overall grading by the first band that holds: 好 on *good*, 差 on *bad*."""
    return "\n" + first_band_of(("好", good), ("差", bad))


# 好 when indicator 1 scored at least 4, whatever the total.
INDICATOR_SCORE = _HEAD + _good_or_bad("指标1得分>=4", "指标1得分<4")

# 好 when the group 业务 earned at least 80% of its points.
GROUP_RATE = _HEAD + _good_or_bad("业务得分率>=80%", "业务得分率<80%")

# 好 needs the total and a data column 达标 (read by nothing else); 事故 (read only by a cap) caps it.
DATA_AND_TOTAL = (
    _HEAD
    + _good_or_bad("总分>=8 and 达标=1", "总分>=0")
    + """[[caps]]
when = "事故>0"
grade = "差"
"""
)

# The same without the cap: overall grading alone reads a data column and 总分.
DATA_AND_TOTAL_ONLY = DATA_AND_TOTAL[: DATA_AND_TOTAL.index("[[caps]]")]

DATA = "单位,甲分,乙分,达标,事故\n甲,3,5,1,0\n乙,5,5,1,0\n丙,5,5,0,0\n丁,5,5,1,1\n戊,4,3,1,0\n"

# Hand-worked: unit → (total, grade) for each scheme.
EXPECTED = {
    # 甲 totals 8 but indicator 1 scored 3: 差 (the total alone would say nothing).
    "indicator": {"甲": (8, "差"), "乙": (10, "好"), "丙": (10, "好"), "丁": (10, "好"), "戊": (7, "好")},
    # 业务 is indicator 1 alone: 3/5 = 60% → 差, 4/5 = 80% → 好 (on the boundary).
    "group": {"甲": (8, "差"), "乙": (10, "好"), "丙": (10, "好"), "丁": (10, "好"), "戊": (7, "好")},
    # 丙 has 达标=0 → 差; 丁 has an accident → capped at 差; 戊 totals 7 < 8 → 差.
    "data": {"甲": (8, "好"), "乙": (10, "好"), "丙": (10, "差"), "丁": (10, "差"), "戊": (7, "差")},
    "data-only": {"甲": (8, "好"), "乙": (10, "好"), "丙": (10, "差"), "丁": (10, "好"), "戊": (7, "差")},
}
SCHEMES = {
    "indicator": INDICATOR_SCORE,
    "group": GROUP_RATE,
    "data": DATA_AND_TOTAL,
    "data-only": DATA_AND_TOTAL_ONLY,
}


def _files(tmp_path: Path, kind: str) -> tuple[Path, Path]:
    scheme = tmp_path / f"{kind}.toml"
    scheme.write_text(SCHEMES[kind], encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text(DATA, encoding="utf-8")
    return scheme, data


def _from_csv_output(text: str) -> dict[str, tuple[int, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(not r["错误"] for r in rows), text
    return {r["单位"]: (int(r["总分"]), r["等次"]) for r in rows}


def _from_table_output(text: str) -> dict[str, tuple[int, str]]:
    found = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0].isdigit():
            found[parts[1]] = (int(parts[2]), parts[3])
    return found


def _from_json_output(text: str) -> dict[str, tuple[int, str]]:
    return {u["unit"]: (int(u["total"]), u["grade"]) for u in json.loads(text)["units"]}


@pytest.mark.parametrize("kind", sorted(SCHEMES))
def test_every_path_grades_alike_when_overall_reads_more_than_the_total(tmp_path, kind):
    scheme_path, data = _files(tmp_path, kind)
    expected = EXPECTED[kind]
    scheme = load(scheme_path)
    units = load_units(data, scheme=scheme)
    for explained in (True, False):
        got = {r.unit: (r.total, r.grade) for r in evaluate(scheme, units, explained=explained)}
        assert got == expected, f"explained={explained}"
    code, out, err = run("score", str(scheme_path), str(data))
    assert code == 0, err
    assert _from_table_output(out) == expected
    for jobs in ("1", "2"):
        code, out, err = run("score", str(scheme_path), str(data), "--format", "csv", "--jobs", jobs)
        assert code == 0, err
        assert _from_csv_output(out) == expected, f"--jobs {jobs}"
    code, out, err = run("score", str(scheme_path), str(data), "--format", "json")
    assert code == 0, err
    assert _from_json_output(out) == expected


def test_the_totals_only_path_records_which_condition_decided(tmp_path):
    scheme_path, data = _files(tmp_path, "indicator")
    scheme = load(scheme_path)
    units = load_units(data, scheme=scheme)
    full = {r.unit: [e.message for e in r.events] for r in evaluate(scheme, units)}
    lean = {r.unit: [e.message for e in r.events] for r in evaluate(scheme, units, explained=False)}
    assert full == lean
    assert any("指标1得分 < 4" in m for m in lean["甲"])


# -- the columns the scheme reads -------------------------------------------------------------


def test_names_read_come_from_every_place_that_reads(tmp_path):
    scheme_path, _ = _files(tmp_path, "data")
    scheme = load(scheme_path)
    # 达标 is read only by the overall grading, 事故 only by a cap; 总分 is computed, never data.
    assert names_read(scheme) == {"甲分", "乙分", "达标", "事故"}
    assert names_read(load(_files(tmp_path, "group")[0])) == {"甲分", "乙分"}


def test_names_read_include_scheme_policies_and_indicator_inputs():
    text = (
        _HEAD.replace('score = "乙分"', 'score = "本项分"\ninputs = { "本项分" = "乙分" }')
        + """
[[policies]]
type = "veto"
when = "违纪>0"
effect = "lowest_grade"
[[policies]]
type = "adjust"
per = "表彰数"
points = 1
"""
    )
    from perfrules import loads

    scheme = loads(text, format="toml")
    assert names_read(scheme) == {"甲分", "乙分", "违纪", "表彰数"}


def _json_data() -> str:
    units = []
    for row in csv.DictReader(io.StringIO(DATA)):
        name = row.pop("单位")
        units.append({"name": name, "data": {k: int(v) for k, v in row.items()}})
    return json.dumps({"units": units}, ensure_ascii=False)


def _workbook(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for i, row in enumerate(csv.reader(io.StringIO(DATA))):
        sheet.append(row if i == 0 else [row[0], *map(int, row[1:])])
    book.save(path)


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_columns_read_only_by_overall_grading_or_caps_are_kept(tmp_path, fmt):
    scheme_path, data = _files(tmp_path, "data")
    if fmt == "json":
        data = tmp_path / "data.json"
        data.write_text(_json_data(), encoding="utf-8")
    elif fmt == "xlsx":
        data = tmp_path / "data.xlsx"
        _workbook(data)
    scheme = load(scheme_path)
    units = load_units(data, scheme=scheme)
    assert not getattr(units, "notes", ())  # no column is "left out of scoring"
    assert {u.name: (u.data["达标"], u.data["事故"]) for u in units}["丁"] == (1, 1)
    expected = EXPECTED["data"]
    assert {r.unit: (r.total, r.grade) for r in evaluate(scheme, units)} == expected
    # The streamed reader (table and CSV output) and JSON output read the file themselves.
    for jobs in ("1", "2"):
        code, out, err = run("score", str(scheme_path), str(data), "--format", "csv", "--jobs", jobs)
        assert code == 0 and "left out" not in err, err
        assert _from_csv_output(out) == expected
    code, out, err = run("score", str(scheme_path), str(data), "--format", "json")
    assert code == 0 and "left out" not in err, err
    assert _from_json_output(out) == expected


def test_columns_no_part_reads_are_still_left_out_with_a_note(tmp_path):
    scheme_path, data = _files(tmp_path, "group")  # reads neither 达标 nor 事故
    code, _, err = run("score", str(scheme_path), str(data), "--format", "csv")
    assert code == 0
    assert "column '达标'" in err and "column '事故'" in err and "left out of scoring" in err


def test_dask_keeps_columns_read_only_by_overall_grading(tmp_path):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    from perfrules import dask as perfrules_dask

    scheme_path, _ = _files(tmp_path, "data")
    frame = pd.read_csv(io.StringIO(DATA), dtype=str)
    with dask.config.set(scheduler="synchronous"):
        table = perfrules_dask.evaluate(load(scheme_path), dd.from_pandas(frame, npartitions=2)).compute()
    got = {row["unit"]: (int(row["total"]), row["grade"]) for row in table.to_dict("records")}
    assert got == EXPECTED["data"]


# -- number bounds: per unit, and wide enough for a real composite index ---------------------


def _index(seed: int = 17, units: int = 51):
    """A JRC ASEM-shaped index: 49 min-max-normalised indicators, 8 sub-pillars, 2 pillars, equal weights.

    Four levels (indicator, sub-pillar, pillar, index); every weight is the
    product of equal shares (100 / 2 / 5 / 7 …), and the data has 6–16
    significant digits at varying decimal places, as real statistics do.
    """
    import random
    from decimal import Decimal
    from fractions import Fraction

    from perfrules import Group, Indicator, Scheme, Unit

    rng = random.Random(seed)
    pillars = [[5, 6, 7, 5, 7], [6, 7, 6]]
    groups, weights = [], {}
    code = 0
    for p, subs in enumerate(pillars):
        children = []
        for s, size in enumerate(subs):
            leaves = []
            for _ in range(size):
                code += 1
                weights[code] = Fraction(100, len(pillars) * len(subs) * size)
                x = f"x{code}"
                # Half the indicators count against the unit (lower is better).
                score = (
                    f"({x}-min_of({x}))/(max_of({x})-min_of({x}))×100"
                    if code % 2
                    else f"(max_of({x})-{x})/(max_of({x})-min_of({x}))×100"
                )
                leaves.append(
                    Indicator(code=str(code), name=f"指标{code}", weight=weights[code], score=score)
                )
            children.append(Group(name=f"分项{p + 1}-{s + 1}", children=leaves))
        groups.append(Group(name=f"支柱{p + 1}", children=children))
    data = []
    for u in range(units):
        row = {}
        for c in weights:
            digits = rng.randint(6, 16)
            value = Decimal(rng.randrange(10 ** (digits - 1), 10**digits)).scaleb(-rng.randint(0, digits - 1))
            row[f"x{c}"] = value
        data.append(Unit(name=f"国{u + 1:02d}", data=row))
    return Scheme(name="指数", groups=groups), data, weights


def test_a_min_max_index_of_49_indicators_scores_exactly_by_default():
    from fractions import Fraction

    scheme, units, weights = _index()
    lows = {c: min(Fraction(u.data[f"x{c}"]) for u in units) for c in weights}
    highs = {c: max(Fraction(u.data[f"x{c}"]) for u in units) for c in weights}

    def expected(unit) -> Fraction:
        total = Fraction(0)
        for c, w in weights.items():
            x = Fraction(unit.data[f"x{c}"])
            share = (x - lows[c]) if c % 2 else (highs[c] - x)
            total += w * share / (highs[c] - lows[c])
        return total

    want = {u.name: expected(u) for u in units}
    # The exact sums are far beyond the old 1024-bit bound.
    assert max(t.denominator.bit_length() for t in want.values()) > 2048
    order = sorted(want, key=lambda n: -want[n])
    for explained in (True, False):
        evaluation = evaluate(scheme, units, explained=explained)
        assert not [r for r in evaluation if r.errors], explained
        assert {r.unit: Fraction(r.total) for r in evaluation} == want
        assert [r.unit for r in sorted(evaluation, key=lambda r: r.rank)] == order
        assert sorted(r.rank for r in evaluation) == list(range(1, len(units) + 1))


def test_the_index_scores_exactly_through_the_command_line(tmp_path):
    from fractions import Fraction

    from perfrules import dumps
    from perfrules.pipeline.stream import cell_number

    scheme, units, _ = _index(units=12)
    scheme_path = tmp_path / "index.toml"
    scheme_path.write_text(dumps(scheme, format="toml"), encoding="utf-8")
    names = sorted(units[0].data)
    lines = [",".join(["单位", *names])] + [
        ",".join([u.name, *(str(u.data[n]) for n in names)]) for u in units
    ]
    data = tmp_path / "index.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    want = {r.unit: (cell_number(r.total), r.rank) for r in evaluate(scheme, units, explained=False)}
    assert max(Fraction(r.total).denominator.bit_length() for r in evaluate(scheme, units)) > 1024
    code, out, err = run("score", str(scheme_path), str(data), "--format", "csv")
    assert code == 0, err
    assert {
        r["单位"]: (r["总分"], int(r["排名"])) for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
    } == want


def test_a_total_beyond_the_bounds_fails_its_own_unit_only(tmp_path, monkeypatch):
    import perfrules._numbers as numbers
    from perfrules import Limits

    # Three thirds; 甲's shares have 19-digit denominators, so its exact total needs about 190 bits.
    text = """
name = "界限"
[[groups]]
name = "组"
"""
    for i in (1, 2, 3):
        text += (
            f'[[indicators]]\ncode = "{i}"\nname = "项{i}"\ngroup = "组"\nweight = {34 if i == 1 else 33}\n'
        )
        text += f'score = "a{i}/b{i}×100"\n'
    scheme_path = tmp_path / "s.toml"
    scheme_path.write_text(text, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text(
        "单位,a1,b1,a2,b2,a3,b3\n"
        "甲,1,1234567891234567891,1,1234567891234567893,1,1234567891234567897\n"
        "乙,1,2,1,4,3,4\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(numbers, "LIMITS", Limits(max_bits=128))
    scheme = load(scheme_path)
    units = load_units(data, scheme=scheme)
    for explained in (True, False):
        by_unit = {r.unit: r for r in evaluate(scheme, units, explained=explained)}
        assert by_unit["乙"].total == 34 * 0.5 + 33 * 0.25 + 33 * 0.75 and by_unit["乙"].rank == 1
        (error,) = by_unit["甲"].errors
        assert (error.unit, error.error) == ("甲", "NumberTooLargeError")
        assert error.indicator in ("2", "3") and "round_scores" in error.message
        assert by_unit["甲"].total is None and by_unit["甲"].rank is None
    code, out, err = run("score", str(scheme_path), str(data), "--format", "csv")
    assert code == 1 and "1,乙,,50," in out, err
    assert "indicator 2" in out or "indicator 3" in out
    assert "outgrows the number bounds" in out
    code, out, err = run("score", str(scheme_path), str(data), "--format", "json")
    units_out = {u["unit"]: u for u in json.loads(out)["units"]}
    assert code == 1 and units_out["乙"]["total"] == 50
    (error,) = units_out["甲"]["errors"]
    assert error["indicator"] in ("2", "3") and "outgrows the number bounds" in error["message"]


# A rank by a rate the scheme computes (a column named like it must not be read).
_RANKED_BY_A_STEP = """
name = "名次"
[[groups]]
name = "组"
[[indicators]]
code = "1"
name = "发生率"
group = "组"
weight = 100
steps = ["发生率=案件数/人口", { type = "rank", target = "名次", of = "发生率", order = "asc" }]
score = "100-(名次-1)×10"
"""


def test_what_a_step_computes_is_not_read_from_the_data(tmp_path):
    """A column named like a step's result (a rate the scheme computes) is left out, on every path alike."""
    scheme_path = tmp_path / "s.toml"
    scheme_path.write_text(_RANKED_BY_A_STEP, encoding="utf-8")
    data = tmp_path / "d.csv"
    # The 发生率 column contradicts the rates computed (0.1, 0.2, 0.3): the computed ones rank.
    data.write_text("单位,案件数,人口,发生率\n甲,1,10,9\n乙,2,10,1\n丙,3,10,5\n", encoding="utf-8")
    scheme = load(scheme_path)
    assert names_read(scheme) == {"案件数", "人口"}
    expected = {"甲": (100, 1), "乙": (90, 2), "丙": (80, 3)}
    units = load_units(data, scheme=scheme)
    (note,) = units.notes
    assert note.path == "column '发生率'" and "indicator 1 发生率 computes '发生率'" in note.message
    for explained in (True, False):
        assert {r.unit: (r.total, r.rank) for r in evaluate(scheme, units, explained=explained)} == expected
    code, out, err = run("score", str(scheme_path), str(data), "--format", "csv")
    assert code == 0 and "column '发生率'" in err
    assert {
        r["单位"]: (int(r["总分"]), int(r["排名"])) for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
    } == expected


def test_population_steps_read_what_the_units_own_steps_compute():
    """Units given as objects with a value named like a step's result: ranks use the computed value, as scores do."""
    from perfrules import Unit, loads

    scheme = loads(_RANKED_BY_A_STEP, format="toml")
    given = [("甲", 1, 9), ("乙", 2, 1), ("丙", 3, 5)]
    units = [Unit(name=n, data={"案件数": a, "人口": 10, "发生率": r}) for n, a, r in given]
    for explained in (True, False):
        got = {r.unit: (r.total, r.rank) for r in evaluate(scheme, units, explained=explained)}
        assert got == {"甲": (100, 1), "乙": (90, 2), "丙": (80, 3)}
