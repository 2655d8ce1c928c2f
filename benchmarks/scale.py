"""Scale: per-unit cost, large CSV files through the command line, --jobs, and import time.

Run from the repository (after ``pip install -e .``)::

    python benchmarks/scale.py            # the issue's sizes: 100,000 Xiamen units, 20,000 Shenzhen units
    python benchmarks/scale.py --quick    # a tenth of that, for a quick look
    python benchmarks/scale.py --make-data xiamen-xiangan-2020 100000 big.csv   # only write a data file

Every figure is reported beside a baseline measured in the same run, because
the machines are noisy: per-unit cost against a hand-written exact scorer of
the Xiamen scheme (kept below, and checked to agree with perfrules), ``--jobs
2`` against ``--jobs 1``, 20k units against 5k, ``import perfrules`` against
``python -c pass``. Peak memory is the largest resident size of the command.
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from perfrules import Unit, evaluate, load, load_units, sample_units
from perfrules.scoring.batch import score_units

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "perfrules" / "schemes"


def make_data(scheme: str, units: int, target: Path, *, valid: bool = True) -> Path:
    """A CSV of *units* made-up units: the sample units, renamed, their numbers nudged down a little.

    Each number is nudged on its own, so a count can fall below the count it is a share of (a rate
    past 100%, outside its scale): with *valid* (the default) such a unit keeps its sample's
    numbers instead, so the data is what a year's reports look like (about half the units failed
    before). The units that fail are found by scoring the file once.
    """
    with (SAMPLES / f"{scheme.replace('-', '_')}.csv").open(encoding="utf-8-sig") as sample:
        rows = list(csv.reader(sample))
    header, body = rows[0], rows[1:]
    groups: dict[str, list[list[str]]] = {}
    for row in body:
        groups.setdefault(row[0], []).append(row)
    template = list(groups.values())

    def write(keep: set[str]) -> None:
        rnd = random.Random(42)
        with target.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for i in range(units):
                for row in template[i % len(template)]:
                    out = [f"{row[0]}{i}", *row[1:]]
                    for j in range(1, len(out)):
                        cell = out[j]
                        if header[j] != "不适用" and cell.isdigit() and int(cell) > 2:
                            nudged = str(int(cell) - rnd.randint(0, 3))
                            out[j] = cell if out[0] in keep else nudged
                    writer.writerow(out)

    write(set())
    if valid:
        found = evaluate(load(scheme), load_units(target, scheme=load(scheme)), explained=False)
        failed = {r.unit for r in found.results if r.errors}
        if failed:
            write(failed)
    return target


def hand_scorer(points: list[Decimal], columns: list[str]):  # type: ignore[no-untyped-def]
    """Xiamen by hand: each indicator's reported points, capped at its 分值, added up exactly."""

    def total(data: dict[str, object]) -> Decimal:
        result = Decimal(0)
        for column, full in zip(columns, points, strict=True):
            value = data[column]
            assert isinstance(value, Decimal)
            result += value if value <= full else full
        return result

    return total


def per_unit(repeat: int) -> None:
    scheme = load("xiamen-xiangan-2020")
    columns = [next(iter(i.score.variables)) for i in scheme.indicators() if i.score is not None]
    points = [Decimal(i.weight) for i in scheme.indicators()]  # type: ignore[arg-type]
    base = [u for u in sample_units("xiamen-xiangan-2020") if not u.not_applicable]
    rnd = random.Random(7)
    units = [
        Unit(name=f"单位{k}", data={c: u.data[c] - rnd.randint(0, 2) for c in columns})
        for k, u in enumerate(base * 250)
    ]
    hand = hand_scorer(points, columns)
    expected = [hand(dict(u.data)) for u in units]
    got = [o.total for o in score_units(scheme, units)]
    assert got == expected, "perfrules and the hand-written scorer disagree"

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    t_hand = best(lambda: [hand(dict(u.data)) for u in units])
    t_lean = best(lambda: score_units(scheme, units))
    t_full = best(lambda: [r.indicators for r in evaluate(scheme, units).results])
    n = len(units)
    print(f"per unit, {n} Xiamen units (best of {repeat}):")
    print(f"  hand-written exact scorer  {t_hand / n * 1e6:8.1f} µs/unit  (baseline)")
    print(
        f"  perfrules, totals only     {t_lean / n * 1e6:8.1f} µs/unit  speed {t_hand / t_lean:.2f}× the baseline"
    )
    print(
        f"  perfrules, explained       {t_full / n * 1e6:8.1f} µs/unit  speed {t_hand / t_full:.3f}× the baseline"
    )


def cli(scheme: str, data: Path, jobs: int) -> tuple[float, float]:
    """Seconds and peak resident MiB of `perfrules score SCHEME DATA --format csv -o …`."""
    out = data.with_suffix(f".jobs{jobs}.out.csv")
    command = [sys.executable, "-m", "perfrules", "score", scheme, str(data), "--format", "csv", "-o", str(out),
               "--jobs", str(jobs)]  # fmt: skip
    # A fresh parent per run, so that the peak it reports (the largest of the
    # command and its workers, KiB on Linux) is this run's alone.
    measure = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
        "sys.stderr.write(done.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, *command], capture_output=True, text=True, check=True
    )
    seconds, peak, code = done.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(done.stderr)
    return float(seconds), int(peak) / 1024


def import_time(repeat: int) -> None:
    def best(code: str) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - start)
        return min(times)

    bare, ours = best("pass"), best("import perfrules")
    print(f"import: python -c pass {bare * 1000:.0f} ms (baseline), import perfrules {ours * 1000:.0f} ms "
          f"= {ours / bare:.2f}× the baseline")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument(
        "--make-data",
        nargs=3,
        metavar=("SCHEME", "UNITS", "FILE"),
        help="only write a CSV of UNITS made-up units of a built-in scheme (from its sample) to FILE",
    )
    args = parser.parse_args()
    if args.make_data:
        scheme, count, target = args.make_data
        make_data(scheme, int(count), Path(target))
        return
    scale = 10 if args.quick else 1
    per_unit(repeat=3)
    import_time(repeat=7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = make_data("xiamen-xiangan-2020", 100_000 // scale, folder / "xiamen.csv")
        small = make_data("xiamen-xiangan-2020", 10_000 // scale, folder / "xiamen-small.csv")
        for label, data in ((f"{10_000 // scale:,}", small), (f"{100_000 // scale:,}", big)):
            t1, m1 = cli("xiamen-xiangan-2020", data, 1)
            t2, _ = cli("xiamen-xiangan-2020", data, 2)
            print(f"Xiamen, {label} units, CSV in → CSV out: --jobs 1 {t1:.1f} s (peak {m1:.0f} MiB), "
                  f"--jobs 2 {t2:.1f} s = {t1 / t2:.2f}× faster")  # fmt: skip
        s5 = make_data("shenzhen-2010-departments", 5_000 // scale, folder / "sz5.csv")
        s20 = make_data("shenzhen-2010-departments", 20_000 // scale, folder / "sz20.csv")
        t5, _ = cli("shenzhen-2010-departments", s5, 1)
        t20, _ = cli("shenzhen-2010-departments", s20, 1)
        t20j, _ = cli("shenzhen-2010-departments", s20, 2)
        print(f"Shenzhen departments (peer ratio, rank): {5_000 // scale:,} units {t5:.1f} s, "
              f"{20_000 // scale:,} units {t20:.1f} s (--jobs 2: {t20j:.1f} s); "
              f"time(20k)/time(5k) = {t20 / t5:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
