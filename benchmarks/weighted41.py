"""weighted-41: perfrules against the hand-written exact scorer, measured in the same run.

The workload is ``shared/bench/weighted-41`` (41 weighted indicators in five
groups, two that apply only to some units, weight that moves when they do
not). Run from the repository::

    python benchmarks/weighted41.py                    # 10,000 units (API and CLI), 100,000 through the CLI
    python benchmarks/weighted41.py --units 2000 --cli-units 2000   # a quick look
    python benchmarks/weighted41.py --shared /path/to/shared

``shared/`` is found with ``--shared``, else ``$PERFRULES_SHARED``, else
``../shared`` beside the repository. The script generates the units with the
workload's ``generate.py`` and ``adversarial.py``, then times, in one run:

- the hand-written scorer (``handwritten.py``) on units already read: the
  baseline for the scoring step; and from the CSV (the csv module, a Decimal
  per cell, then the scorer): the baseline end to end;
- ``evaluate(scheme, units)`` explained and with ``explained=False``;
- ``load_units(csv) + evaluate(..., explained=False)``: CSV to ranked results
  through the Python API;
- ``perfrules score scheme.toml data.csv --format csv -o FILE`` (seconds and
  peak resident memory).

Every figure is printed as a ratio against the baseline of the same run (the
machines are shared and noisy). Last it checks that perfrules and the
hand-written scorer agree on every adversarial unit (totals, grades, ranks;
the scorer's totals are 10× the scheme's), through the API (exact totals) and
the CLI (totals at 6 places), and exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def shared_dir(given: str | None = None) -> Path:
    """Where ``shared/`` is: the option, else ``$PERFRULES_SHARED``, else ``../shared`` beside the repo."""
    if given:
        return Path(given)
    env = os.environ.get("PERFRULES_SHARED")
    return Path(env) if env else ROOT.parent / "shared"


def workload(shared: Path) -> Path:
    return shared / "bench" / "weighted-41"


def handwritten(shared: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("w41_handwritten", workload(shared) / "handwritten.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(shared: Path, kind: str, n: int, target: Path) -> Path:
    """N units made by the workload's generate.py or adversarial.py."""
    script = workload(shared) / f"{kind}.py"
    subprocess.run([sys.executable, str(script), str(n), str(target)], check=True)
    return target


def scheme_fields(scheme: Any) -> list[str]:
    """The 41 data fields in indicator order, as perfrules names them (each score reads one)."""
    return [next(iter(i.score.variables)) for i in scheme.indicators()]


class _Row:
    __slots__ = ("data", "name")

    def __init__(self, name: str, data: dict[str, Decimal]) -> None:
        self.name = name
        self.data = data


def hand_from_csv(hw: ModuleType, path: Path) -> list[Any]:
    """The baseline end to end: read the CSV (a Decimal per cell), then score by hand."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        fields = header[1:]
        units = [_Row(row[0], dict(zip(fields, map(Decimal, row[1:]), strict=True))) for row in reader]
    return hw.make_xiamen(fields)(units)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cli_run(scheme: Path, data: Path, out: Path, jobs: int = 1) -> tuple[float, float]:
    """Seconds and peak resident MiB of ``perfrules score … --format csv -o OUT``."""
    command = [sys.executable, "-m", "perfrules", "score", str(scheme), str(data), "--format", "csv",
               "-o", str(out), "--jobs", str(jobs)]  # fmt: skip
    measure = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
        "sys.stderr.write(done.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", measure, *command], capture_output=True, text=True, env=env)
    seconds, kib, code = done.stdout.split()
    if code != "0":
        raise SystemExit(f"perfrules score failed ({code}): {done.stderr}")
    return float(seconds), int(kib) / 1024


def mismatches(shared: Path, path: Path, *, cli: bool = True, limit: int = 5) -> list[str]:
    """Every way perfrules and handwritten.py disagree on the units in *path* (empty: none)."""
    from perfrules import evaluate, load, load_units, round_half_up

    hw = handwritten(shared)
    scheme = load(workload(shared) / "scheme.toml")
    units = load_units(path, scheme=scheme)
    expected = hw.make_xiamen(scheme_fields(scheme))(units)
    problems: list[str] = []

    def compare(how: str, got: Sequence[tuple[str, Any, str | None, int | None]], places: int | None) -> None:
        for unit, (want_total, want_grade, want_rank, _, _), (name, total, grade, rank) in zip(
            units, expected, got, strict=True
        ):
            if total is None:
                same_total = False
            elif places is None:
                same_total = total * 10 == want_total
            else:
                same_total = Decimal(total) == round_half_up(Fraction(want_total) / 10, places)
            if name != unit.name or not same_total or grade != want_grade or rank != want_rank:
                problems.append(
                    f"{how}: {unit.name}: perfrules {total} {grade} rank {rank}; "
                    f"by hand {want_total}/10 {want_grade} rank {want_rank}"
                )
                if len(problems) >= limit:
                    return

    for explained in (True, False):
        results = evaluate(scheme, units, explained=explained).results
        compare(
            f"evaluate(explained={explained})", [(r.unit, r.total, r.grade, r.rank) for r in results], None
        )
    if cli:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.csv"
            cli_run(workload(shared) / "scheme.toml", path, out)
            with out.open(encoding="utf-8-sig", newline="") as f:
                rows = list(csv.reader(f))[1:]
        by_name = {row[1]: row for row in rows}
        got = []
        for unit in units:
            row = by_name.get(unit.name)
            if row is None:
                got.append((unit.name, None, None, None))
            else:
                got.append((unit.name, Decimal(row[3]), row[4], int(row[0])))
        # The CLI's CSV shows totals at 6 places (四舍五入), the hand-written totals are exact.
        compare("perfrules score --format csv", got, 6)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", help="the shared/ directory (default: $PERFRULES_SHARED or ../shared)")
    ap.add_argument("--units", type=int, default=10_000, help="units for the API figures (default 10,000)")
    ap.add_argument(
        "--cli-units", default="10000,100000", help="comma-separated sizes for the CLI (default 10000,100000)"
    )
    ap.add_argument(
        "--adversarial", type=int, default=20_000, help="adversarial units to check (default 20,000)"
    )
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    args = ap.parse_args(argv)
    shared = shared_dir(args.shared)
    if not (workload(shared) / "scheme.toml").exists():
        print(
            f"no weighted-41 workload under {shared} (give --shared or set PERFRULES_SHARED)", file=sys.stderr
        )
        return 2
    sys.path.insert(0, str(ROOT / "src"))
    from perfrules import evaluate, load, load_units
    from perfrules._intcols import from_values, numpy
    from perfrules.scoring.plan import plan_of
    from perfrules.scoring.program import program_of

    hw = handwritten(shared)
    scheme_path = workload(shared) / "scheme.toml"
    scheme = load(scheme_path)
    with tempfile.TemporaryDirectory() as tmp:
        data = generate(shared, "generate", args.units, Path(tmp) / "units.csv")
        units = load_units(data, scheme=scheme)
        score_by_hand = hw.make_xiamen(scheme_fields(scheme))
        n = len(units)
        repeat = args.repeat
        cases: dict[str, Callable[[], object]] = {
            "hand": lambda: score_by_hand(units),
            "hand_csv": lambda: hand_from_csv(hw, data),
            "lean": lambda: evaluate(scheme, units, explained=False),
            "full": lambda: evaluate(scheme, units),
            "api": lambda: evaluate(scheme, load_units(data, scheme=scheme), explained=False),
            "every": lambda: [r.indicators for r in evaluate(scheme, units).results],
            # The same, then every unit's result read (results are made when first read).
            "api_read": lambda: evaluate(scheme, load_units(data, scheme=scheme), explained=False).ranking(),
        }
        # Round robin, best of each: the machine's load changes during a run, and every case
        # should meet the same moments of it.
        times = {name: float("inf") for name in cases}
        for _ in range(repeat):
            for name, fn in cases.items():
                times[name] = min(times[name], best(fn, 1))
        t_hand, t_hand_csv, t_lean, t_full, t_api, t_every, t_api_read = (times[k] for k in cases)
        # The column program's scoring step, on columns already read (as the hand-written scorer's
        # step is on units already read): scores, totals, grades and ranks of the whole batch.
        plan = plan_of(scheme)
        program = program_of(plan)  # (a form it does not compile is a SchemeError)
        t_step = float("nan")
        unscored = n
        if program is not None:
            ok = numpy().ones(n, dtype=bool)
            datas = [u.data for u in units]
            columns = {name: from_values([d.get(name) for d in datas]) for name in program.reads}
            names = [u.name for u in units]
            categories = [u.category for u in units]

            def step() -> object:
                scored = program.score(names, categories, columns, ok)
                totals = scored.totals_of(scored.rows())  # exact, kept as integers
                scored.grades_of(totals)
                return totals.ranks()

            # The step is ~10 ms a batch, where one scheduler tick shows: the best of at least 10 runs.
            t_step = min(best(step, 1) for _ in range(max(repeat, 10)))
            unscored = sum(o is None for o in program.run(units))
        evaluation = evaluate(scheme, units)
        chosen = evaluation.results[:: max(1, n // 20)][:20]
        start = time.perf_counter()
        for result in chosen:
            result.explain()
        t_explain = time.perf_counter() - start
        print(f"weighted-41, {n:,} units (best of {repeat}; ratios are speed against the baseline):")
        print(f"  hand-written scorer, scoring step      {t_hand / n * 1e6:8.1f} µs/unit  baseline")
        print(
            f"  hand-written scorer, CSV → results     {t_hand_csv / n * 1e6:8.1f} µs/unit  baseline end to end"
        )
        print(
            f"  column program, scoring step           {t_step / n * 1e6:8.2f} µs/unit  {t_hand / t_step:6.2f}×"
            f"  ({unscored:,} of {n:,} units left unscored in the batch)"
        )
        print(
            f"  evaluate(explained=False)              {t_lean / n * 1e6:8.1f} µs/unit  {t_hand / t_lean:6.3f}×"
        )
        print(
            f"  evaluate() (explained)                 {t_full / n * 1e6:8.1f} µs/unit  {t_hand / t_full:6.3f}×"
        )
        print(
            f"  evaluate(), every unit's indicators read {t_every / n * 1e6:8.1f} µs/unit  {t_hand / t_every:6.3f}×"
        )
        print(f"  explain() of 20 units after evaluate()  {t_explain:8.3f} s for the 20")
        print(
            f"  load_units + evaluate(explained=False) {t_api / n * 1e6:8.1f} µs/unit  "
            f"{t_hand_csv / t_api:6.3f}× (end to end)"
        )
        print(
            f"  the same, then every result read       {t_api_read / n * 1e6:8.1f} µs/unit  "
            f"{t_hand_csv / t_api_read:6.3f}× (ranking())"
        )
        for size in (int(s) for s in args.cli_units.split(",") if s.strip()):
            big = generate(shared, "generate", size, Path(tmp) / f"cli{size}.csv")
            t_hand_big = best(lambda big=big: hand_from_csv(hw, big), 1)  # type: ignore[misc]
            seconds, mib = cli_run(scheme_path, big, Path(tmp) / f"cli{size}.out.csv")
            print(
                f"  CLI score --format csv, {size:>9,} units  {seconds:7.2f} s, peak {mib:6.0f} MiB  "
                f"{t_hand_big / seconds:6.3f}× the hand-written scorer from the CSV ({t_hand_big:.2f} s)"
            )
        adversarial = generate(shared, "adversarial", args.adversarial, Path(tmp) / "adversarial.csv")
        problems = mismatches(shared, adversarial)
    print(f"adversarial, {args.adversarial:,} units: {len(problems)} mismatches with handwritten.py")
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
