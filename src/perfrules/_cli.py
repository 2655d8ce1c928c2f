"""The ``perfrules`` command line. Only this module prints.

Exit codes (docs/reference/cli.md):

- 0: done;
- 1: problems found — an invalid scheme or data file, or units that could not
  be scored (their results are still printed);
- 2: a usage mistake — unknown command or option, a file that does not exist,
  a unit that is not in the data.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from ._display import display_width, format_table, number, records
from ._errors import PerfrulesError, Problem, SchemeError
from ._files import DataError, load, load_units, sample_units, schemes
from ._parallel import Totals, score_totals
from ._results import Evaluation, evaluate
from ._scheme import Scheme
from ._unit import Unit
from ._whatif import whatif

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

DEMO_SCHEME = "shenzhen-2010-departments"
_PROGRESS_FROM = 20  # units; fewer finish before a bar is worth drawing


class UsageError(Exception):
    """A mistake in how the command was called: one line, and a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


# ---------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------


def _colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


_ANSI = {0: "32", 1: "36", 2: "33", 3: "31"}


def _paint(text: str, grade: str | None, grades: Sequence[str], on: bool) -> str:
    if not on or grade is None or grade not in grades:
        return text
    index = round(grades.index(grade) * 3 / max(len(grades) - 1, 1))
    return f"\033[{_ANSI.get(index, '0')}m{text}\033[0m"


class _Progress:
    """A one-line progress bar on stderr, only in a terminal and only for long runs."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.stream = stream
        self.on = stream.isatty() and total >= _PROGRESS_FROM

    def __call__(self, done: int, total: int, unit: str) -> None:
        if not self.on:
            return
        filled = int(30 * done / total)
        name = unit[:12]
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {name}{' ' * (24 - display_width(name))}"
        )
        if done == total:
            self.stream.write("\r" + " " * 70 + "\r")
        self.stream.flush()


def _scheme(source: str) -> Scheme:
    try:
        return load(source)
    except FileNotFoundError as exc:
        raise UsageError(str(exc), "run 'perfrules schemes' to list the built-in schemes") from None


def _units(scheme: Scheme, source: str, scheme_source: str, category: str | None) -> list[Unit]:
    if source == "sample":
        if scheme_source not in schemes():
            raise UsageError("'sample' data exists only for the built-in schemes", "run 'perfrules schemes'")
        units = sample_units(scheme_source)
    else:
        if not Path(source).exists():
            raise UsageError(
                f"no data file '{source}'", "give a CSV or JSON file, or 'sample' for a built-in scheme"
            )
        units = load_units(source, scheme=scheme)
    if category is not None:
        import attrs

        units = [u if u.category else attrs.evolve(u, category=category) for u in units]
    return units


def _evaluate(scheme: Scheme, units: list[Unit], err: TextIO) -> Evaluation:
    return evaluate(scheme, units, progress=_Progress(len(units), err))


def _ranking_table(evaluation: Evaluation | Totals, colour: bool) -> str:
    zh = evaluation.scheme.language == "zh"
    grades = list(evaluation.scheme.grades)
    headers = (
        ["排名", "单位", "类别", "总分", "等次"] if zh else ["rank", "unit", "category", "total", "grade"]
    )
    rows = []
    for r in evaluation.ranking():
        grade = r.grade or ("—" if r.ok else ("未计分" if zh else "not scored"))
        rows.append([str(r.rank or "—"), r.unit, r.category or "", number(r.total), grade])
    table = format_table(headers, rows, ["right", "left", "left", "right", "left"])
    if colour:
        lines = table.splitlines()
        for i, held in enumerate([r.grade for r in evaluation.ranking()]):
            lines[i + 2] = _paint(lines[i + 2], held, grades, True)
        table = "\n".join(lines)
    return table


def _error_lines(evaluation: Evaluation | Totals) -> list[str]:
    return [f"  {e}" for e in evaluation.errors]


def _csv_text(evaluation: Evaluation | Totals) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    indicators = evaluation.scheme.indicators()
    zh = evaluation.scheme.language == "zh"
    head = ["排名", "单位", "类别", "总分", "等次"] if zh else ["rank", "unit", "category", "total", "grade"]
    writer.writerow([*head, *(f"{i.code} {i.name}" for i in indicators), "错误" if zh else "errors"])
    for r in evaluation.ranking():
        scores = {i.code: i.score for i in r.indicators}
        writer.writerow(
            [
                r.rank or "",
                r.unit,
                r.category or "",
                "" if r.total is None else number(r.total, 6),
                r.grade or "",
                *("" if scores.get(i.code) is None else number(scores[i.code], 6) for i in indicators),
                "; ".join(str(e) for e in r.errors),
            ]
        )
    return out.getvalue()


def _emit(text: str, output: str | None, out: TextIO, *, bom: bool = False) -> None:
    if output is None:
        out.write(text if text.endswith("\n") else text + "\n")
        return
    Path(output).write_text(text, encoding="utf-8-sig" if bom else "utf-8")


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    name = args.scheme
    scheme = _scheme(name)
    evaluation = _evaluate(scheme, sample_units(name), err)
    out.write(f"{scheme.name}\n")
    out.write(
        f"（示例数据：{len(evaluation)} 个虚构单位；"
        f"perfrules explain {name} sample --unit 单位名 查看计分过程）\n\n"
    )
    out.write(_ranking_table(evaluation, _colour(out)) + "\n")
    return EXIT_OK if not evaluation.errors else EXIT_PROBLEMS


def _cmd_schemes(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    rows = []
    for name in schemes():
        scheme = load(name)
        rows.append(
            [
                name,
                scheme.name,
                str(len(scheme.indicators())),
                f"{number(scheme.total)}{'%' if scheme.basis == 'percent' else '分'}",
            ]
        )
    out.write(
        format_table(["name", "scheme", "indicators", "total"], rows, ["left", "left", "right", "right"])
        + "\n"
    )
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        scheme = _scheme(args.scheme)
    except SchemeError as exc:
        err.write(f"{exc.title}: {len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}\n")
        for problem in exc.problems:
            err.write(f"  {problem.path or '(file)'}: {problem.message}\n")
        return EXIT_PROBLEMS
    out.write(
        f"ok: {scheme.name} — {len(scheme.indicators())} indicators, "
        f"{len(list(scheme.paths())) - len(scheme.indicators())} groups\n"
    )
    for note in scheme.notes:
        out.write(f"note: {note.path or '(scheme)'}: {note.message}\n")
    return EXIT_OK


def _cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scheme = _scheme(args.scheme)
    units = _units(scheme, args.data, args.scheme, args.category)
    evaluation: Evaluation | Totals
    if args.jobs != 1 and args.format != "json":
        # Totals only, scored in several processes (JSON explains every unit: one process).
        evaluation = score_totals(scheme, units, jobs=args.jobs, progress=_Progress(len(units), err))
    else:
        evaluation = _evaluate(scheme, units, err)
    if args.format == "json":
        assert isinstance(evaluation, Evaluation)
        _emit(json.dumps(records(evaluation), ensure_ascii=False, indent=2), args.output, out)
    elif args.format == "csv":
        _emit(_csv_text(evaluation), args.output, out, bom=True)
    else:
        colour = args.output is None and _colour(out)
        text = _ranking_table(evaluation, colour)
        if evaluation.errors:
            text += "\n\n" + ("未能计分：" if scheme.language == "zh" else "could not be scored:") + "\n"
            text += "\n".join(_error_lines(evaluation))
        _emit(text, args.output, out)
    if evaluation.errors:
        err.write(f"perfrules: {len({e.unit for e in evaluation.errors})} unit(s) could not be scored\n")
        return EXIT_PROBLEMS
    return EXIT_OK


def _one_unit(evaluation: Evaluation, name: str) -> str:
    try:
        return evaluation.unit(name).unit
    except KeyError as exc:
        raise UsageError(
            str(exc.args[0]), "the units are: " + ", ".join(r.unit for r in evaluation)
        ) from None


def _cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scheme = _scheme(args.scheme)
    evaluation = _evaluate(scheme, _units(scheme, args.data, args.scheme, args.category), err)
    result = evaluation.unit(_one_unit(evaluation, args.unit))
    out.write(result.explain() + "\n")
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def _cmd_whatif(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scheme = _scheme(args.scheme)
    units = _units(scheme, args.data, args.scheme, args.category)
    evaluation = evaluate(scheme, units)
    name = _one_unit(evaluation, args.unit)
    current = evaluation.unit(name)
    if not current.ok:
        err.write(f"perfrules: error: '{name}' cannot be scored, so there is nothing to improve from\n")
        for line in _error_lines(evaluation):
            err.write(line + "\n")
        return EXIT_PROBLEMS
    options = whatif(scheme, units, name)
    zh = scheme.language == "zh"
    out.write(
        f"{name}：总分 {number(current.total)}，等次“{current.grade}”\n"
        if zh
        else f"{name}: total {number(current.total)}, grade {current.grade}\n"
    )
    if not options:
        out.write(
            "没有可以通过单项数据提升等次的指标。\n"
            if zh
            else "No single input change moves an indicator up a grade.\n"
        )
        return EXIT_OK
    headers = (
        ["指标", "等次", "数据项", "现值", "需达到", "变化", "总分变化"]
        if zh
        else ["indicator", "grade", "input", "now", "needed", "change", "total change"]
    )
    rows = [
        [
            f"{w.indicator} {w.name}",
            f"{w.grade}→{w.target}",
            w.field,
            number(w.current, 4),
            number(w.needed, 4),
            ("+" if w.change > 0 else "") + number(w.change, 4),
            "—"
            if w.total_change is None
            else ("+" if w.total_change > 0 else "") + number(w.total_change, 4),
        ]
        for w in options
    ]
    out.write(
        format_table(headers, rows, ["left", "left", "left", "right", "right", "right", "right"]) + "\n"
    )
    return EXIT_OK


# ---------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------

_EPILOG = {
    "demo": "example:\n  perfrules demo\n  perfrules demo --scheme xiamen-xiangan-2020",
    "schemes": "example:\n  perfrules schemes",
    "validate": "example:\n  perfrules validate my-scheme.toml\n  perfrules validate shenzhen-2010-districts",
    "score": (
        "examples:\n  perfrules score shenzhen-2010-departments sample\n"
        "  perfrules score my-scheme.toml data.csv --format json -o results.json\n"
        "  perfrules score shenzhen-2010-departments data.csv --category 委 --format csv -o 结果.csv"
    ),
    "explain": "example:\n  perfrules explain shenzhen-2010-departments sample --unit 市乙局",
    "whatif": "example:\n  perfrules whatif shenzhen-2010-departments sample --unit 市甲委",
}

_SCHEME_HELP = "a scheme file (.toml, .json) or a built-in scheme name (see 'perfrules schemes')"
_DATA_HELP = "unit data (.csv, .json), or 'sample' for a built-in scheme's sample units"


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (all cores) or a positive number, not '{text}'")
    return jobs


class _Parser(argparse.ArgumentParser):
    """argparse, but usage mistakes become one line and a hint (exit 2), never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, f"run '{self.prog} --help'")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = _Parser(
        prog="perfrules",
        description="Government performance-evaluation schemes (绩效评估指标体系) as data: "
        "check, score, explain.",
        epilog="exit codes: 0 done; 1 problems found (invalid scheme or data, units not scored); "
        "2 usage mistake",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"perfrules {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            epilog=_EPILOG[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(handler=handler)
        return sub

    demo = command("demo", "score a built-in scheme on its sample data and print the ranking", _cmd_demo)
    demo.add_argument("--scheme", default=DEMO_SCHEME, choices=schemes(), help="which built-in scheme")
    command("schemes", "list the built-in schemes", _cmd_schemes)
    validate = command("validate", "check a scheme and list every problem with its path", _cmd_validate)
    validate.add_argument("scheme", help=_SCHEME_HELP)
    for name, help_text, handler in (
        ("score", "score units and print the totals, grades and ranks", _cmd_score),
        ("explain", "show one unit's full scoring trail in plain language", _cmd_explain),
        ("whatif", "for one unit, how much each input must change to reach the next grade", _cmd_whatif),
    ):
        sub = command(name, help_text, handler)
        sub.add_argument("scheme", help=_SCHEME_HELP)
        sub.add_argument("data", help=_DATA_HELP)
        sub.add_argument("--category", help="category (委/局/办 …) for units whose data gives none")
        if name == "score":
            sub.add_argument(
                "--format",
                choices=["table", "csv", "json"],
                default="table",
                help="output format (default: table)",
            )
            sub.add_argument("-o", "--output", help="write to this file instead of standard output")
            sub.add_argument(
                "--jobs",
                type=_jobs,
                default=1,
                metavar="N",
                help="score table and CSV output in N processes (0: all cores; default: 1); "
                "JSON output, which explains every unit, is always scored in one process",
            )
        else:
            sub.add_argument("--unit", required=True, help="the unit's name")
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        try:
            with contextlib.redirect_stdout(out):  # --help and --version print
                args = parser.parse_args(argv)
        except SystemExit as exc:
            return int(exc.code or 0)
        if getattr(args, "handler", None) is None:
            parser.print_help(out)
            return EXIT_USAGE
        return int(args.handler(args, out, err))
    except UsageError as exc:
        err.write(f"perfrules: error: {exc}\n")
        if exc.hint:
            err.write(f"hint: {exc.hint}\n")
        return EXIT_USAGE
    except (SchemeError, DataError) as exc:
        problems: Sequence[Problem] = exc.problems
        err.write(
            f"perfrules: error: {exc.title}: {len(problems)} problem{'s' if len(problems) != 1 else ''}\n"
        )
        for problem in problems:
            err.write(f"  {problem.path or '(file)'}: {problem.message}\n")
        err.write("hint: fix the file and run again; 'perfrules validate SCHEME' checks a scheme alone\n")
        return EXIT_PROBLEMS
    except PerfrulesError as exc:
        err.write(f"perfrules: error: {exc}\n")
        return EXIT_PROBLEMS
    except OSError as exc:
        err.write(f"perfrules: error: {exc.strerror or exc}: {exc.filename or ''}\n".replace(": \n", "\n"))
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover - interactive
        err.write("\nperfrules: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
