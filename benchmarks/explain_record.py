"""Explaining units after a large evaluation: the column program's record against the per-unit program.

The workload is ``shared/bench/weighted-41`` (see ``weighted41.py``). Run from the repository::

    python benchmarks/explain_record.py                  # 100,000 units, 20 explained, 2,000 read
    python benchmarks/explain_record.py --units 20000 --read 1000

It generates the units with the workload's ``generate.py``, runs ``evaluate``
on them, then times, in one run and both ways — explanations from the column
program's record (what ``evaluate`` does now) and from the per-unit program
(the path kept for forms the record does not explain):

- ``explain()`` of 20 units spread over the batch (target ≤ 1 s);
- reading every indicator of ``--read`` units in order (ms per unit), from the middle of the batch;
- the same for the first ``--read`` units in ranking order (as JSON output and tables read them:
  units spread over the whole batch).

Each figure is printed with the ratio per-unit / record (above 1: the record is faster).
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
    import perfrules.results.model as model
    from perfrules.files.data import load_units

    here = workload(shared_dir(args.shared))
    scheme = perfrules.load(here / "scheme.toml")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "units.csv"
        subprocess.run([sys.executable, str(here / "generate.py"), str(args.units), str(data)], check=True)
        units = list(load_units(data, scheme=scheme))
    real = model.program_of
    figures: dict[str, dict[str, float]] = {}
    for way in ("record", "per-unit"):
        model.program_of = real if way == "record" else (lambda plan: None)  # type: ignore[assignment]
        try:
            start = time.perf_counter()
            evaluation = _results(scheme, units)
            scored = time.perf_counter() - start
            results = evaluation.results
            step = max(1, len(results) // args.explain)
            picked = [results[i] for i in range(0, len(results), step)][: args.explain]
            explain = _timed(lambda picked=picked: [r.explain() for r in picked])
            by = {r._explained_by for r in picked}
            later = results[len(results) // 2 :][: args.read]
            read = _timed(lambda later=later: [r.indicators for r in later])
            ranked = evaluation.ranking()[: args.read]
            by_rank = _timed(lambda ranked=ranked: [r.indicators for r in ranked])
            figures[way] = {
                "evaluate": scored,
                "explain": explain,
                "read": read / args.read * 1000,
                "ranked": by_rank / args.read * 1000,
            }
            print(
                f"{way:9s} evaluate {scored:6.2f} s; explain() of {len(picked)} units {explain:6.3f} s; "
                f"reading indicators {figures[way]['read']:6.3f} ms/unit, in ranking order "
                f"{figures[way]['ranked']:6.3f} ms/unit  (explained by {sorted(by)})"
            )
        finally:
            model.program_of = real
    rec, slow = figures["record"], figures["per-unit"]
    print(
        f"ratio per-unit/record: explain() of {args.explain} {slow['explain'] / rec['explain']:.2f}×, "
        f"reading indicators {slow['read'] / rec['read']:.2f}×, in ranking order {slow['ranked'] / rec['ranked']:.2f}×"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
