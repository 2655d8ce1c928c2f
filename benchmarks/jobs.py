"""``perfrules score --jobs 1`` against ``--jobs 2`` end to end, on weighted-41 units, in interleaved pairs.

Issue 17's target: on 1,000,000 units, ``--jobs 2`` at least 1.6× ``--jobs 1``. Run from the
repository::

    python benchmarks/jobs.py                          # 1,000,000 units, 3 pairs
    python benchmarks/jobs.py --units 100000 --pairs 2
    python benchmarks/jobs.py --data units.csv         # a file already made
    python benchmarks/jobs.py --against ../main/src    # this code and another, pairs interleaved

Each pair runs ``perfrules score SCHEME DATA --format csv -o FILE --jobs 1`` and then ``--jobs 2``
(with ``--against``, the other code's pair right after this code's), and prints each run's seconds,
CPU seconds (user and system, the workers' included) and peak resident memory (the largest
process), the pair's ratio, and the load average before and after: the machines are shared, so
only ratios measured in the same pair mean much. The two outputs of every pair must be the same
bytes, or the script exits 1. ``shared/`` is found as ``benchmarks/weighted41.py`` finds it.

Linux with autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``) shares the CPU
between sessions, not processes: while other sessions keep both cores busy, ``--jobs 2`` gets no
more CPU than ``--jobs 1`` and the wall ratio says little; compare the CPU seconds then.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from weighted41 import ROOT, generate, shared_dir, workload

_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "seconds = time.perf_counter() - start\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(seconds, use.ru_utime + use.ru_stime, use.ru_maxrss, done.returncode)\n"
    "sys.stderr.write(done.stderr)\n"
)


def run(src: Path, scheme: Path, data: Path, out: Path, jobs: int) -> tuple[float, float, float]:
    """Seconds, CPU seconds and peak resident MiB of one ``perfrules score`` with the code in *src*."""
    command = [sys.executable, "-m", "perfrules", "score", str(scheme), str(data), "--format", "csv",
               "-o", str(out), "--jobs", str(jobs)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, env=env)
    seconds, cpu, kib, code = done.stdout.split()
    if code not in ("0", "1"):  # 1: some units not scored, which the output lists
        raise SystemExit(f"perfrules score --jobs {jobs} failed ({code}): {done.stderr}")
    return float(seconds), float(cpu), int(kib) / 1024


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", help="the shared/ directory (default: $PERFRULES_SHARED or ../shared)")
    ap.add_argument("--units", type=int, default=1_000_000, help="units to generate (default 1,000,000)")
    ap.add_argument("--data", type=Path, help="a weighted-41 CSV file to use instead of generating one")
    ap.add_argument("--pairs", type=int, default=3, help="pairs of runs (default 3)")
    ap.add_argument("--against", type=Path, help="another source tree (its src/) to run in the same pairs")
    args = ap.parse_args(argv)
    shared = shared_dir(args.shared)
    scheme = workload(shared) / "scheme.toml"
    if not scheme.exists():
        print(
            f"no weighted-41 workload under {shared} (give --shared or set PERFRULES_SHARED)", file=sys.stderr
        )
        return 2
    trees = [("this", ROOT / "src")] + ([("against", args.against.resolve())] if args.against else [])
    different = 0
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or generate(shared, "generate", args.units, Path(tmp) / "units.csv")
        print(f"{data}: perfrules score --format csv, --jobs 1 then --jobs 2; load average {load_average()}")
        for pair in range(1, args.pairs + 1):
            for label, src in trees:
                outs = [Path(tmp) / f"out{jobs}.csv" for jobs in (1, 2)]
                (s1, c1, m1), (s2, c2, m2) = (
                    run(src, scheme, data, o, j) for o, j in zip(outs, (1, 2), strict=True)
                )
                same = filecmp.cmp(outs[0], outs[1], shallow=False)
                different += not same
                print(
                    f"pair {pair} {label:7s} jobs 1 {s1:6.2f} s (cpu {c1:6.2f}, {m1:4.0f} MiB)  "
                    f"jobs 2 {s2:6.2f} s (cpu {c2:6.2f}, {m2:4.0f} MiB)  {s1 / s2:5.2f}×"
                    f"{'' if same else '  OUTPUTS DIFFER'}  load {load_average()}"
                )
                for o in outs:
                    o.unlink()
    return 1 if different else 0


if __name__ == "__main__":
    raise SystemExit(main())
