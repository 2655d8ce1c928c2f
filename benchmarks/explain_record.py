"""Explaining units after a large evaluation, from the column program's record.

The workload is ``shared/bench/weighted-41`` (see ``weighted41.py``). Run from the repository::

    python benchmarks/explain_record.py                  # 100,000 units, 20 explained, 2,000 read
    python benchmarks/explain_record.py --units 20000 --read 1000

It generates the units with the workload's ``generate.py``, runs ``evaluate``
on them, then times explanations, which are a view of the column program's
record (the column program is the only engine; the per-unit program these
figures were once compared with is the tests' oracle now):

- ``explain()`` of 20 units spread over the batch (target ≤ 1 s);
- reading every indicator of ``--read`` units in order (ms per unit), from the middle of the batch;
- the same for the first ``--read`` units in ranking order (as JSON output and tables read them:
  units spread over the whole batch).

Each figure is printed beside ``evaluate``'s own time in the same run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from weighted41 import shared_dir, workload  # noqa: E402


def _results(scheme: Any, units: list[Any]) -> Any:
    import perfrules

    return perfrules.evaluate(scheme, units)


def _timed(work: Any) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--explain", type=int, default=20)
    parser.add_argument("--read", type=int, default=2000)
    parser.add_argument("--shared")
    args = parser.parse_args(argv)
    import perfrules
    from perfrules.files.data import load_units

    here = workload(shared_dir(args.shared))
    scheme = perfrules.load(here / "scheme.toml")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "units.csv"
        subprocess.run([sys.executable, str(here / "generate.py"), str(args.units), str(data)], check=True)
        units = list(load_units(data, scheme=scheme))
    start = time.perf_counter()
    evaluation = _results(scheme, units)
    scored = time.perf_counter() - start
    results = evaluation.results
    step = max(1, len(results) // args.explain)
    picked = [results[i] for i in range(0, len(results), step)][: args.explain]
    explain = _timed(lambda: [r.explain() for r in picked])
    missing = sum(r.trail_missing is not None for r in picked)
    later = results[len(results) // 2 :][: args.read]
    read = _timed(lambda: [r.indicators for r in later]) / args.read * 1000
    ranked = evaluation.ranking()[: args.read]
    by_rank = _timed(lambda: [r.indicators for r in ranked]) / args.read * 1000
    print(
        f"{len(units):,} units: evaluate {scored:6.2f} s; explain() of {len(picked)} units {explain:6.3f} s "
        f"({explain / scored:.3f}× evaluate; target ≤ 1 s: {'met' if explain <= 1 else 'NOT met'}; "
        f"{missing} without a trail); reading indicators {read:6.3f} ms/unit, in ranking order {by_rank:6.3f} ms/unit"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
