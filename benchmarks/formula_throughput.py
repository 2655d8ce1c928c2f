"""Formula throughput: a parsed perfrules formula against two baselines.

Evaluates ``a×0.6+b×0.4`` over 100,000 records and prints records per second,
each as a ratio to the hand-written exact-Decimal loop measured in the same
run (machines are noisy; only ratios compare across runs).

    python benchmarks/formula_throughput.py [--records N] [--repeat K]

Baselines:
- hand-written loop: ``Decimal(a)*Decimal("0.6") + Decimal(b)*Decimal("0.4")``,
  the fastest exact code a person would write for this one formula;
- simpleeval re-parsing the text for every record (binary floats, not exact),
  what a naive use of a safe evaluator costs.

Target (issue 2): perfrules at least 0.5× the hand-written loop.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal

from perfrules import Formula


def _best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--simpleeval-records",
        type=int,
        default=20_000,
        help="records for the (slow) simpleeval baseline; rates are per second anyway",
    )
    args = parser.parse_args(argv)

    rng = random.Random(2010)
    records = [{"a": rng.randint(0, 100), "b": rng.randint(0, 100)} for _ in range(args.records)]
    formula = Formula.parse("总得分=a×0.6+b×0.4")
    six, four = Decimal("0.6"), Decimal("0.4")

    def hand_written() -> list[Decimal]:
        return [Decimal(r["a"]) * six + Decimal(r["b"]) * four for r in records]

    def perfrules_evaluate() -> list[object]:
        evaluate = formula.evaluate
        return [evaluate(r) for r in records]

    # Same answers before timing anything.
    assert hand_written() == perfrules_evaluate(), "perfrules disagrees with the exact loop"

    rows = [
        ("hand-written exact Decimal loop", len(records), _best_of(args.repeat, hand_written)),
        ("perfrules Formula.evaluate (parsed once)", len(records), _best_of(args.repeat, perfrules_evaluate)),
    ]
    try:
        from simpleeval import simple_eval
    except ImportError:
        print(
            "simpleeval is not installed (pip install -e '.[test]'); skipping that baseline", file=sys.stderr
        )
    else:
        subset = records[: args.simpleeval_records]

        def simpleeval_reparse() -> list[object]:
            return [simple_eval("a*0.6+b*0.4", names=r) for r in subset]

        rows.append(
            (
                "simpleeval, re-parsing each record (floats)",
                len(subset),
                _best_of(max(1, args.repeat // 2), simpleeval_reparse),
            )
        )

    base_rate = rows[0][1] / rows[0][2]
    print(f"{'method':<46}{'records/s':>14}{'× hand loop':>14}")
    for name, count, seconds in rows:
        rate = count / seconds
        print(f"{name:<46}{rate:>14,.0f}{rate / base_rate:>13.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
