"""The ``perfrules`` command line. Only this module prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from ._errors import PerfrulesError
from ._formula import Formula
from ._numbers import round_half_up

# Exit codes, documented in docs/reference/cli.md.
EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

_DEMO_FORMULAS: tuple[tuple[str, dict[str, object]], ...] = (
    ("总得分=重大改革得分×0.6+工作创新得分×0.4", {"重大改革得分": 6, "工作创新得分": 4}),
    (
        "白皮书任务按时完成率=(白皮书任务完成数/白皮书任务总数)×100%",
        {"白皮书任务完成数": 29, "白皮书任务总数": 30},
    ),
    (
        "行政执法结案率=〔1-未在法定期限内作相关处理的案件数/法定期限内应当处理的案件数〕×100%",
        {"未在法定期限内作相关处理的案件数": 2, "法定期限内应当处理的案件数": 200},
    ),
    (
        "信息安全评价=信息安全风险评估项评分×60%+信息安全等级保护项评分×40%-信息安全事件项评分",
        {"信息安全风险评估项评分": 80, "信息安全等级保护项评分": 70, "信息安全事件项评分": 5},
    ),
)


def _demo(args: argparse.Namespace) -> int:
    print("perfrules demo: formulas from the Shenzhen 2010 scheme, evaluated exactly\n")
    for text, values in _DEMO_FORMULAS:
        formula = Formula.parse(text)
        result = formula.evaluate(values)
        inputs = ", ".join(f"{k}={v}" for k, v in values.items())
        print(f"  {text}")
        print(f"    with {inputs}")
        print(f"    → {formula.target} = {result} (≈ {round_half_up(result, 4)})\n")
    condition = Formula.parse_condition("90%≤白皮书任务按时完成率<100%")
    rate = Formula.parse(_DEMO_FORMULAS[1][0]).evaluate(_DEMO_FORMULAS[1][1])
    verdict = condition.evaluate({"白皮书任务按时完成率": rate})
    print(f"  {condition.text} with rate {rate} → {verdict} (良)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(
        prog="perfrules",
        description="Government performance-evaluation schemes as data: check, score, explain.",
    )
    parser.add_argument("--version", action="version", version=f"perfrules {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="show perfrules at work on a built-in example",
        description="Show perfrules at work on a built-in example.",
        epilog="example: perfrules demo",
    )
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except PerfrulesError as exc:
        print(f"perfrules: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
