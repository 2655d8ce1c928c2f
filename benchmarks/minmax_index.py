"""A min-max-normalised composite index, exact: the column program against baselines in the same run.

The workload (issue 17, target b): 10,000 units, 49 indicators each
normalised over the batch, ``(x − min_of(x)) / (max_of(x) − min_of(x)) × 100``
(half of them the other way round), weighted up a 4-level tree (indicator,
8 sub-pillars, 2 pillars, the index) — the shape of the JRC ASEM index that
``tests/test_one_engine.py`` scores. Every total is exact (a fraction whose
denominator has thousands of bits).

Cases, each timed in the same run (round robin, best of ``--repeat``):

- ``column``: ``evaluate(scheme, units, explained=False)`` — the column
  program (population values gathered over columns, scores, totals, grades
  and ranks);
- ``per-unit``: the per-unit program (the tests' oracle, ``tests/oracle.py``: the
  library's old engine) on the same scheme, on ``--baseline-units`` units (it is
  slow), with its cost per unit scaled to the batch;
- ``exact-loop``: a hand-written exact scorer of this one scheme (``Fraction``,
  no checks, no ranks) — what exactness costs at least, written plainly;
- ``float-loop``: the same with floats (not exact: the lower bound of a
  plain Python loop).

``--digits`` chooses the data: ``6`` (six significant digits, as published
statistics mostly are) or ``wide`` (6–16 significant digits at varying
decimal places, as the test uses). The machine is shared: read the ratios, or
time with ``--clock cpu`` (the process's CPU time, which other work on the
machine disturbs less than the wall clock; set ``OPENBLAS_NUM_THREADS=1`` so
that it is one core's time).

    python benchmarks/minmax_index.py [--units 10000] [--digits 6|wide] [--repeat 3] [--clock wall|cpu]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))  # the oracle (per-unit program)

import oracle
from perfrules import Group, Indicator, Scheme, Unit, evaluate
from perfrules.scoring.colpop import gather
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of

PILLARS = [[5, 6, 7, 5, 7], [6, 7, 6]]


def build(units: int, digits: str, seed: int = 17) -> tuple[Scheme, list[Unit], dict[int, Fraction]]:
    """The index scheme, its units and each indicator's weight."""
    rng = random.Random(seed)
    groups, weights = [], {}
    code = 0
    for p, subs in enumerate(PILLARS):
        children = []
        for s, size in enumerate(subs):
            leaves = []
            for _ in range(size):
                code += 1
                weights[code] = Fraction(100, len(PILLARS) * len(subs) * size)
                x = f"x{code}"
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
            n = 6 if digits == "6" else rng.randint(6, 16)
            value = Decimal(rng.randrange(10 ** (n - 1), 10**n)).scaleb(-rng.randint(0, n - 1))
            row[f"x{c}"] = value
        data.append(Unit(name=f"国{u + 1:05d}", data=row))
    return Scheme(name="指数", groups=groups), data, weights


def exact_loop(units: list[Unit], weights: dict[int, Fraction]) -> list[Fraction]:
    columns = {c: [Fraction(u.data[f"x{c}"]) for u in units] for c in weights}
    lows = {c: min(v) for c, v in columns.items()}
    highs = {c: max(v) for c, v in columns.items()}
    totals = [Fraction(0)] * len(units)
    for c, w in weights.items():
        lo, span = lows[c], highs[c] - lows[c]
        for i, x in enumerate(columns[c]):
            totals[i] += w * ((x - lo) if c % 2 else (highs[c] - x)) / span
    return totals


def float_loop(units: list[Unit], weights: dict[int, Fraction]) -> list[float]:
    columns = {c: [float(u.data[f"x{c}"]) for u in units] for c in weights}
    totals = [0.0] * len(units)
    for c, w in weights.items():
        values = columns[c]
        lo, hi = min(values), max(values)
        span, fw = hi - lo, float(w)
        for i, x in enumerate(values):
            totals[i] += fw * ((x - lo) if c % 2 else (hi - x)) / span
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--baseline-units", type=int, default=1_000)
    parser.add_argument("--digits", choices=["6", "wide"], default="6")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = parser.parse_args()
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    scheme, units, weights = build(args.units, args.digits)
    small_scheme, small_units, _ = build(args.baseline_units, args.digits)

    def column() -> object:
        return evaluate(scheme, units, explained=False)

    def per_unit() -> object:
        return oracle.score_units(small_scheme, small_units)

    cases = {
        "column": (column, args.units),
        "per-unit": (per_unit, args.baseline_units),
        "exact-loop": (lambda: exact_loop(units, weights), args.units),
        "float-loop": (lambda: float_loop(units, weights), args.units),
    }
    best = {name: float("inf") for name in cases}
    for _ in range(args.repeat):
        for name, (fn, _n) in cases.items():
            start = clock()
            fn()
            best[name] = min(best[name], clock() - start)
    # The column program's totals are the exact loop's (a check, not a timing).
    got = {r.unit: Fraction(r.total) for r in column()}
    want = exact_loop(units, weights)
    assert all(got[u.name] == w for u, w in zip(units, want, strict=True)), "totals differ"
    program = program_of(plan_of(scheme))
    fallback = sum(o is None for o in program.run(units, gather(program, units)))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{args.units} units, 49 indicators, data: {args.digits} digits; {args.clock} clock; "
        f"load average {load:.1f}"
    )
    print(f"units the column program left unscored in the batch: {fallback}")
    scaled = {name: t * args.units / n for name, (t, n) in ((k, (best[k], cases[k][1])) for k in cases)}
    for name in cases:
        n = cases[name][1]
        note = f" (measured on {n} units, scaled)" if n != args.units else ""
        print(
            f"{name:11s} {scaled[name]:8.3f} s for {args.units} units{note}; "
            f"column program is {scaled[name] / scaled['column']:.2f}× its speed"
        )


if __name__ == "__main__":
    main()
