"""What the column program's hand-made tests share: a case written to files, scored by the column
program and by the per-unit program (the tests' oracle) and compared field by field, a run of the
column program that keeps its record, and the scheme texts several tests start from.

Each helper here was written again, word for word, in several ``test_column_*`` files; the files
that used it import it from here (under the name they used), so what each test checks is unchanged.
The scheme texts are built from the pieces below only where the result is the same text, letter for
letter; what a test is about stays written out in the test.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from oracle import score_unit
from perfrules import load, load_units, loads
from perfrules.scoring.batch import batch_tree
from perfrules.scoring.colpop import batch_population
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of, score_columns
from test_differential import assert_paths_agree

# The grades of a 100-point scheme in four bands (a ``[scores]`` table, after a blank line).
SCORES_FOUR = """
[scores]
"优" = [90, 100]
"良" = [80, 90]
"中" = [60, 80]
"差" = [0, 60]
"""


def work_head(name: str, *, categories: bool = False, versioned: bool = True) -> str:
    """The head of a 100-point scheme *name* (with the file format's version, with the categories 甲
    and 乙) of one group, 工作, graded in four bands (:data:`SCORES_FOUR`)."""
    lines = ["", *(['format = "perfrules-scheme/1"'] if versioned else []), f'name = "{name}"']
    lines += ['basis = "points"', "total = 100"]
    if categories:
        lines.append('categories = ["甲", "乙"]')
    return "\n".join([*lines, 'groups = [{ name = "工作" }]', ""]) + SCORES_FOUR


def first_indicator_head(name: str, *settings: str) -> str:
    """A 100-point scheme *name* (with the *settings* lines) of one group, 组1, up to the weight (60)
    of its 指标1 (code 1): the lines of 指标1's own follow."""
    lines = [
        "",
        f'name = "{name}"',
        'basis = "points"',
        "total = 100",
        *settings,
        'groups = [{ name = "组1" }]',
    ]
    return "\n".join(
        [*lines, "[[indicators]]", 'code = "1"', 'name = "指标1"', 'group = "组1"', "weight = 60", ""]
    )


def second_indicator(group: str = "组1") -> str:
    """The ``[[indicators]]`` table of 指标2 (code 2) in *group*: weight 40, scored by the column 值2."""
    return f'[[indicators]]\ncode = "2"\nname = "指标2"\ngroup = "{group}"\nweight = 40\nscore = "值2"\n'


def first_bands(best: str, good: str, low: str) -> str:
    """An ``[overall]`` table grading by the first band whose condition holds: 优 on *best*, 良 on
    *good*, 差 on *low*."""
    return first_band_of(("优", best), ("良", good), ("差", low))


def first_band_of(*bands: tuple[str, str]) -> str:
    """An ``[overall]`` table grading by the first of the *bands* (name, condition) that holds."""
    lines = ["[overall]", 'policy = "first"']
    for name, condition in bands:
        lines += ["[[overall.bands]]", f'name = "{name}"', f'conditions = ["{condition}"]']
    return "\n".join(lines) + "\n"


def write_case(
    folder: Path, text: str, data: str, names: tuple[str, str] = ("s.toml", "d.csv")
) -> tuple[Path, Path]:
    """The scheme *text* and the CSV *data* written into *folder* (under *names*): their paths."""
    scheme_path, data_path = folder / names[0], folder / names[1]
    scheme_path.write_text(text, encoding="utf-8")
    data_path.write_text(data, encoding="utf-8")
    return scheme_path, data_path


def indicator(code: str, weight: int, *lines: str) -> str:
    """An ``[[indicators]]`` table of the group 组: 指标<code> of *weight*, then *lines*."""
    return "\n".join(
        [
            "[[indicators]]",
            f'code = "{code}"',
            f'name = "指标{code}"',
            'group = "组"',
            f"weight = {weight}",
            *lines,
        ]
    )


def outcome_key(o: Any) -> tuple[Any, ...]:
    """Every field of an outcome the two programs give (the errors' places but their file's name; the
    weights where the unit has errors: the column program keeps a scored unit's in its columns)."""
    return (
        o.unit.name,
        o.total,
        o.grade,
        o.vetoed,
        [(e.unit, e.indicator, e.field, e.message, e.error) for e in o.errors],
        [(e.kind, e.message) for e in o.events],
        o.scores,
        o.weights if o.errors else None,
        o.flags,
        o.periods,
        o.subtotals,
    )


@attrs.frozen
class Compiled:
    """A scheme read from its text whose plan compiles, written to files with its data, and the
    units read from the data file."""

    scheme: Any
    plan: Any
    program: Any
    scheme_path: Path
    data_path: Path
    units: Any


def compile_case(folder: Path, text: str, data: str) -> Compiled:
    """The scheme *text* (TOML) read, its plan compiled (the column program takes it), and the case
    written to ``scheme.toml`` and ``data.csv`` in *folder*, its units read as ``load_units`` reads."""
    scheme = loads(text, format="toml")
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None, plan.program_why
    scheme_path, data_path = write_case(folder, text, data, ("scheme.toml", "data.csv"))
    return Compiled(scheme, plan, program, scheme_path, data_path, load_units(data_path, scheme=scheme))


@attrs.frozen
class Both:
    """A case scored by both programs: the column program's outcomes (*fast*, None: sent back) and
    the per-unit program's (*slow*), with what they were scored from."""

    scheme: Any
    units: list[Any]
    fast: list[Any]
    slow: list[Any]


def score_both(
    folder: Path,
    text: str,
    data: str,
    *,
    key: Callable[[Any], Any] = outcome_key,
    sent_back: bool = False,
) -> Both:
    """The case written to ``s.toml`` and ``d.csv`` in *folder* and scored by both programs on the same
    batch: the plan compiles, the column program sends no unit back (unless *sent_back*), each unit
    it scores has the per-unit program's outcome (the same *key*), and the paths (API explained and
    not, CLI CSV and JSON) agree."""
    scheme_path, data_path = write_case(folder, text, data)
    scheme = load(scheme_path)
    plan = plan_of(scheme)
    assert program_of(plan) is not None, plan.program_why
    units = list(load_units(data_path, scheme=scheme))
    population = batch_population(plan, units) if plan.has_population else {}
    fast = score_columns(plan, units, population)
    slow = [score_unit(plan, u, population.get(u.name, {}), detail=False) for u in units]
    if not sent_back:
        assert all(f is not None for f in fast), [
            u.name for u, f in zip(units, fast, strict=True) if f is None
        ]
    for f, s in zip(fast, slow, strict=True):
        if f is not None:
            assert key(f) == key(s)
    assert_paths_agree(scheme, scheme_path, data_path)
    return Both(scheme, units, fast, slow)


@attrs.frozen
class Recorded:
    """A generated case run by the column program with its record: the plan, the units it scored
    (a roll_up's parents left out), their population values, the outcomes and the record's
    ``scored``."""

    plan: Any
    units: list[Any]
    population: dict[str, Any]
    fast: list[Any]
    scored: Any

    def per_unit(self, i: int) -> Any:
        """The per-unit program's outcome of the *i*-th unit."""
        unit = self.units[i]
        return score_unit(self.plan, unit, self.population.get(unit.name, {}), detail=False)


def recorded_run(text: str, data: str) -> Recorded | None:
    """The case (a generated scheme and its data) run by the column program, keeping its record; None
    where the plan does not compile or the batch is a roll_up the data breaks (the batch's error)."""
    scheme_path, data_path = write_case(Path(tempfile.mkdtemp()), text, data)
    scheme = load(scheme_path)
    units = list(load_units(data_path, scheme=scheme))
    plan = plan_of(scheme)
    program = program_of(plan)
    if program is None:
        return None
    try:
        tree = batch_tree(plan, units)
    except Exception:  # a roll_up the data breaks: the batch's error, not a unit's
        return None
    scored_units = list(units) if tree is None else list(tree.scored)
    population = batch_population(plan, scored_units) if plan.has_population else {}
    record: dict[str, Any] = {}
    fast = program.run(scored_units, population, record=record)
    return Recorded(plan, scored_units, population, fast, record["scored"])


def is_prime(p: int) -> bool:
    """Whether *p* is prime (Miller–Rabin with the bases that decide every number below 3.3·10**24)."""
    d, r = p - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41):
        x = pow(a, d, p)
        if x in (1, p - 1):
            continue
        for _ in range(r - 1):
            x = x * x % p
            if x == p - 1:
                break
        else:
            return False
    return True
