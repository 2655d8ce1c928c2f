"""Scheme throughput: evaluate() on many units against the bare arithmetic.

Builds a 41-indicator points scheme shaped like Xiamen 2020 (each indicator
scored by a 0–100 assessment, 1000 points in all) and scores N synthetic
units two ways, in the same run:

- baseline: a hand-written exact-Decimal loop that computes each unit's
  total, Σ score × points / 100 — the arithmetic alone;
- perfrules: evaluate(scheme, units), which also checks every input, keeps
  each indicator's result and trail, grades and ranks.

    python benchmarks/scheme_throughput.py [--units N] [--repeat K]

Prints units per second and perfrules' rate as a ratio to the baseline's
(only ratios compare across machines).
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal

from perfrules import Group, Indicator, Scheme, Unit, evaluate


def build(units: int, seed: int = 2020) -> tuple[Scheme, list[Unit], list[int]]:
    # Xiamen 2020's 分值 by 序号: 差异化 1–14, then 科学, 依法, 高效, 廉洁
    points = (
        [30] * 7
        + [40, 30, 20, 40, 20, 40, 20]
        + [20] * 7
        + [30, 20, 20, 20, 20]
        + [30]
        + [20] * 6
        + [30, 30]
        + [20] * 3
        + [20] * 3
    )
    assert len(points) == 41 and sum(points) == 1000
    leaves = [
        Indicator(code=str(i + 1), name=f"指标{i + 1}", score=f"得分{i + 1}", weight=p)
        for i, p in enumerate(points)
    ]
    scheme = Scheme(name="基准方案", groups=[Group(name="全部", children=leaves)], basis="points", total=1000)
    rng = random.Random(seed)
    data = [
        Unit(name=f"单位{n}", data={f"得分{i + 1}": rng.randint(60, 100) for i in range(41)})
        for n in range(units)
    ]
    return scheme, data, points


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    scheme, units, points = build(args.units)
    weights = [(f"得分{i + 1}", Decimal(p) / 100) for i, p in enumerate(points)]

    def baseline() -> list[Decimal]:
        return [sum((Decimal(u.data[key]) * w for key, w in weights), Decimal(0)) for u in units]

    def engine() -> list[object]:
        return [r.total for r in evaluate(scheme, units)]

    assert baseline() == engine(), "perfrules disagrees with the hand-written totals"
    rows = []
    for name, fn in (("hand-written Decimal totals", baseline), ("perfrules evaluate()", engine)):
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        rows.append((name, len(units) / best))
    base = rows[0][1]
    print(f"{'method':<32}{'units/s':>12}{'× baseline':>13}")
    for name, rate in rows:
        print(f"{name:<32}{rate:>12,.0f}{rate / base:>12.3f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
