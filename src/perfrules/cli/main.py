"""The ``perfrules`` command's parser and entry point: every command's options, exit codes and errors.

Only the modules of ``perfrules.cli`` print.

Exit codes (docs/reference/cli.md):

- 0: done;
- 1: problems found — an invalid scheme or data file, or units that could not
  be scored (their results are still printed);
- 2: a usage mistake — unknown command or option, a file that does not exist,
  a unit that is not in the data;
- 3: an internal error (a bug in perfrules): one line on stderr, and
  ``--debug`` to see the traceback;
- 130: interrupted (Ctrl-C).

The parser lives here and imports only the standard library's light modules
and the command line's language (``perfrules.cli.i18n``); the handlers live in
``score_commands``, ``scheme_commands`` and ``analysis_commands``, imported
when a command runs, so that ``--help``,
``--version`` and usage mistakes never load the library.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterator, Sequence

from .._builtin import BUILTIN
from .._version import __version__
from .base import EXIT_INTERNAL, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError
from .history import COMPARE_EPILOG, add_compare, add_previous, cmd_compare
from .i18n import N_, HelpFormatter, _, language, ngettext, speaking

# typing.TYPE_CHECKING without importing typing (as in perfrules/__init__.py):
# the parser's start-up loads no more than it needs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TextIO

DEMO_SCHEME = "shenzhen-2010-departments"


class _OutputFailed(Exception):
    """Standard output is closed, or stopped taking the results (a broken pipe, a full disk)."""

    def __init__(self, cause: OSError | None) -> None:
        super().__init__(cause)
        self.cause = cause


class _StandardOutput(io.TextIOBase):
    """Standard output whose failures become one clear error, not an internal one."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        if self.stream is None:
            raise _OutputFailed(None)
        try:
            return self.stream.write(text)
        except OSError as exc:
            raise _OutputFailed(exc) from None
        except ValueError:  # "I/O operation on closed file"
            raise _OutputFailed(None) from None

    def flush(self) -> None:
        if self.stream is None:
            return
        try:
            self.stream.flush()
        except OSError as exc:
            raise _OutputFailed(exc) from None
        except ValueError:
            raise _OutputFailed(None) from None

    def isatty(self) -> bool:
        try:
            return self.stream is not None and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def writable(self) -> bool:
        return True


def _text(stream: _StandardOutput) -> TextIO:
    """The stream typed as the text stream it stands in for (typing.cast, without importing typing)."""
    return stream  # type: ignore[return-value]


def _silence_stdout() -> None:
    """Point failed standard output at the null device, so that Python's own flush at exit is quiet."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        target = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        if null != target:  # a closed descriptor is the one os.open reuses
            os.dup2(null, target)
            os.close(null)


def _cmd_completion(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import shtab  # only this command needs it

    parser = build_parser()
    # Files for SCHEME and DATA (a built-in scheme's name or 'sample' is typed as it is).
    for action in _positionals(parser):
        if action.dest in ("scheme", "data"):
            action.complete = shtab.FILE  # type: ignore[attr-defined]
    out.write(shtab.complete(parser, shell=args.shell))
    return EXIT_OK


def _positionals(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _positionals(sub)
        elif not action.option_strings:
            yield action


# ---------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------

_EPILOG = {
    "demo": N_("example:\n  perfrules demo\n  perfrules demo --scheme xiamen-xiangan-2020"),
    "schemes": N_("example:\n  perfrules schemes"),
    "validate": N_(
        "examples:\n  perfrules validate my-scheme.toml\n  perfrules validate shenzhen-2010-districts\n"
        "  perfrules validate my-scheme.toml 填报表.xlsx   (the scheme, then the data: see 'check')"
    ),
    "check": N_(
        "examples:\n  perfrules check shenzhen-2010-departments 填报表.xlsx\n"
        "  perfrules check my-scheme.toml data.csv --units 单位名单.txt"
    ),
    "schema": N_("example:\n  perfrules schema > perfrules-scheme.schema.json"),
    "completion": N_(
        "examples:\n  perfrules completion bash > ~/.local/share/bash-completion/completions/perfrules\n"
        "  perfrules completion zsh > ~/.zfunc/_perfrules   # with fpath+=~/.zfunc before compinit"
    ),
    "score": N_(
        "examples:\n  perfrules score shenzhen-2010-departments sample\n"
        "  perfrules score my-scheme.toml data.csv --format json -o results.json\n"
        "  perfrules score shenzhen-2010-departments data.csv --category 委 --format csv -o 结果.csv\n"
        "  perfrules score shenzhen-2010-departments sample -o 结果.xlsx"
    ),
    "template": N_(
        "examples:\n  perfrules template xiamen-xiangan-2020 -o 填报表.xlsx\n"
        "  perfrules template shenzhen-2010-departments --units 去年数据.csv -o 填报表.xlsx\n"
        "  perfrules template my-scheme.toml --unit 甲局 --unit 乙局 -o 填报表.xlsx"
    ),
    "import": N_(
        "examples:\n  perfrules import 指标体系.docx -o draft.toml\n"
        "  perfrules import 考核表.xlsx --table 2 --columns 考评办法=rule -o draft.toml\n\n"
        "Roles for --columns: group, name, code, points, weight, definition, rule, source,\n"
        "metadata, frequency, ignore. Then 'perfrules validate draft.toml' lists what is left."
    ),
    "table": N_(
        "examples:\n  perfrules table shenzhen-2010-departments -o 指标体系.docx\n"
        "  perfrules table my-scheme.toml -o 指标体系.xlsx\n\n"
        "'perfrules import' reads the table back."
    ),
    "explain": N_("example:\n  perfrules explain shenzhen-2010-departments sample --unit 市乙局"),
    "compare": COMPARE_EPILOG,
    "whatif": N_("example:\n  perfrules whatif shenzhen-2010-departments sample --unit 市甲委"),
    "sensitivity": N_(
        "examples:\n  perfrules sensitivity xiamen-xiangan-2020 sample --runs 200 --seed 7\n"
        "  perfrules sensitivity my-scheme.toml data.csv --weight-spread 0.3 --format json -o ranks.json\n\n"
        "Each run scales every weight by a random factor in [1-X, 1+X] (X = --weight-spread),\n"
        "rescales each group back to its subtotal, and scores the units again. The interval\n"
        "is the 5th to 95th percentile of a unit's rank over the runs (nearest-rank).\n"
        "Group weights (--group-spread), band boundaries (--boundary-shift), the policies'\n"
        "alternatives (--vary-policy) and group means (--vary-aggregate) can vary too;\n"
        "--indices estimates each factor's share of the variance (Sobol')."
    ),
}

SENSITIVITY_POLICIES = ("default-score", "not-applicable", "grade-match", "caps", "veto")
"""The policies ``sensitivity --vary-policy`` takes (``perfrules.analysis.variants.POLICY_CHOICES``)."""

_SCHEME_HELP = N_("a scheme file (.toml, .json) or a built-in scheme name (see 'perfrules schemes')")
_DATA_HELP = N_(
    "unit data (.csv, .xlsx, .json), '-' for CSV or JSON on standard input, "
    "or 'sample' for a built-in scheme's sample units"
)


_MAX_JOBS = 1024


def _jobs(text: str) -> int:
    try:
        jobs = int(text) if len(text) <= 20 else -1
    except ValueError:
        jobs = -1
    if not 0 <= jobs <= _MAX_JOBS:
        raise argparse.ArgumentTypeError(
            _("expected 0 (all cores) or a number of processes from 1 to {most}, not '{text}'").format(
                most=_MAX_JOBS, text=text[:40]
            )
        )
    return jobs


class _Parser(argparse.ArgumentParser):
    """argparse, but usage mistakes become one line and a hint (exit 2), never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, _("run '{command} --help'").format(command=self.prog))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = _Parser(
        prog="perfrules",
        description=_(
            "Government performance-evaluation schemes (绩效评估指标体系) as data: check, score, explain."
        ),
        epilog=_(
            "exit codes: 0 done; 1 problems found (invalid scheme or data, units not scored); "
            "2 usage mistake; 3 internal error; 130 interrupted"
        ),
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"perfrules {__version__}",
        help=_("show program's version number and exit"),  # Python 3.11's argparse does not translate it
    )
    parser.add_argument("--debug", action="store_true", help=_("show the traceback of an internal error"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, handler: str) -> argparse.ArgumentParser:
        help_text = _(help_text)
        sub = commands.add_parser(
            name,
            help=help_text,
            description=_("{text}.").format(text=help_text[0].upper() + help_text[1:]),
            epilog=_(_EPILOG[name]),
            formatter_class=HelpFormatter,
        )
        sub.set_defaults(handler=handler)  # a name: see _handler
        # --debug after the command too; SUPPRESS keeps the sub-parser from resetting it.
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return sub

    demo = command(
        "demo", N_("score a built-in scheme on its sample data and print the ranking"), "_cmd_demo"
    )
    demo.add_argument(
        "--scheme", default=DEMO_SCHEME, choices=tuple(BUILTIN), help=_("which built-in scheme")
    )
    command("schemes", N_("list the built-in schemes"), "_cmd_schemes")
    validate = command("validate", N_("check a scheme and list every problem with its path"), "_cmd_validate")
    validate.add_argument("scheme", help=_(_SCHEME_HELP))
    check = command(
        "check", N_("check unit data against a scheme before scoring: every problem at once"), "_cmd_check"
    )
    check.add_argument("scheme", help=_(_SCHEME_HELP))
    for sub in (validate, check):
        sub.add_argument(
            "data", nargs="?" if sub is validate else None, help=_("unit data (.csv, .xlsx, .json)")
        )
        sub.add_argument("--sheet", help=_("the sheet to read in an Excel workbook (default: the first)"))
        sub.add_argument(
            "--units", metavar="LIST", help=_("the expected units: a data file, 'sample' or a .txt list")
        )
        add_previous(sub)
    command("schema", N_("print the JSON Schema of scheme files, for editors"), "_cmd_schema")
    completion = command(
        "completion", N_("print a shell completion script (bash, zsh, fish, tcsh)"), "_cmd_completion"
    )
    completion.add_argument("shell", choices=["bash", "zsh", "fish", "tcsh"], help=_("the shell"))
    for name, help_text, handler in (
        ("score", N_("score units and print the totals, grades and ranks"), "_cmd_score"),
        ("explain", N_("show one unit's full scoring trail in plain language"), "_cmd_explain"),
        (
            "whatif",
            N_("for one unit, how much each input must change to reach the next grade"),
            "_cmd_whatif",
        ),
    ):
        sub = command(name, help_text, handler)
        sub.add_argument("scheme", help=_(_SCHEME_HELP))
        sub.add_argument("data", help=_(_DATA_HELP))
        sub.add_argument("--category", help=_("category (委/局/办 …) for units whose data gives none"))
        sub.add_argument("--sheet", help=_("a workbook's sheet to read (default: the first visible)"))
        add_previous(sub)
        if name == "score":
            sub.add_argument(
                "--format",
                choices=["table", "csv", "json", "jsonl", "xlsx"],
                default="table",
                help=_(
                    "output format (default: table); jsonl: one JSON object per unit and line; "
                    "-o FILE.xlsx always writes an Excel workbook"
                ),
            )
            sub.add_argument(
                "-o", "--output", help=_("write to this file instead of standard output ('-': it)")
            )
            sub.add_argument(
                "--jobs",
                type=_jobs,
                default=1,
                metavar="N",
                help=_(
                    "read and score a CSV file or workbook in N processes (0: all cores; default: 1); "
                    "the output is the same"
                ),
            )
        else:
            sub.add_argument("--unit", required=True, help=_("the unit's name"))
            sub.add_argument(
                "--format",
                choices=["text", "json"] if name == "explain" else ["table", "json"],
                default="text" if name == "explain" else "table",
                help=_("output format (default: %(default)s); json: as score's --format json writes the unit")
                if name == "explain"
                else _(
                    "output format (default: %(default)s); json: as score's --format json, "
                    "with each input's needed value"
                ),
            )
            sub.add_argument(
                "-o", "--output", help=_("write to this file instead of standard output ('-': it)")
            )
    add_compare(command)
    imp = command(
        "import",
        N_("read a published indicator table (.docx, .xlsx, CSV) into a draft scheme"),
        "_cmd_import",
    )
    imp.add_argument(
        "table_file", metavar="TABLE", help=_("the table: a Word document, a workbook or a CSV file")
    )
    imp.add_argument(
        "-o", "--output", help=_("the draft scheme file to write (.toml); default: standard output")
    )
    imp.add_argument(
        "--table", metavar="N|SHEET", help=_("which table of the document, or sheet of the workbook")
    )
    imp.add_argument(
        "--columns", metavar="MAP", help=_("roles of headers not recognised: 表头=role,… (see the docs)")
    )
    imp.add_argument("--name", help=_("the scheme's name (default: the file's name)"))
    tab = command(
        "table",
        N_("publish a scheme as the familiar table (.docx, .xlsx) for review and sign-off"),
        "_cmd_table",
    )
    tab.add_argument("scheme", help=_(_SCHEME_HELP))
    tab.add_argument("-o", "--output", required=True, help=_("the table to write: 指标体系.docx or .xlsx"))
    tpl = command("template", N_("write the data-entry workbook (填报表) units fill in"), "_cmd_template")
    tpl.add_argument("scheme", help=_(_SCHEME_HELP))
    tpl.add_argument("-o", "--output", required=True, help=_("the workbook to write (.xlsx)"))
    tpl.add_argument(
        "--units", metavar="DATA", help=_("pre-fill the units (and categories) of a data file, or 'sample'")
    )
    tpl.add_argument("--unit", action="append", metavar="NAME", help=_("pre-fill a unit's name (repeatable)"))
    tpl.add_argument(
        "--not-applicable",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=_("include the 不适用 column (default: when the scheme or the units use it)"),
    )
    sens = command(
        "sensitivity",
        N_("how far each unit's rank depends on the weights (random reweighting, Monte Carlo)"),
        "_cmd_sensitivity",
    )
    sens.add_argument("scheme", help=_(_SCHEME_HELP))
    sens.add_argument("data", help=_(_DATA_HELP))
    sens.add_argument("--category", help=_("category (委/局/办 …) for units whose data gives none"))
    sens.add_argument("--sheet", help=_("a workbook's sheet to read (default: the first visible)"))
    sens.add_argument("--runs", type=int, default=200, help=_("how many random weightings (default: 200)"))
    sens.add_argument("--seed", type=int, help=_("random seed, for a result that can be repeated"))
    sens.add_argument(
        "--weight-spread",
        default="0.2",
        metavar="X",
        help=_("scale each weight by a factor in [1-X, 1+X], 0 <= X < 1 (default: 0.2)"),
    )
    sens.add_argument(
        "--group-spread",
        default="0",
        metavar="Y",
        help=_("also scale each top-level group's weight by a factor in [1-Y, 1+Y] (default: 0)"),
    )
    sens.add_argument(
        "--vary-default-score",
        action="store_true",
        help=_("also vary the score that 'no data' defaults give within their grade (bottom, midpoint, top)"),
    )
    sens.add_argument(
        "--boundary-shift",
        default="0",
        metavar="D",
        help=_(
            "also move the boundaries between grade bands by up to ±D, in each scale's own units "
            "(分, or percentage points for a boundary written with %%) (default: 0)"
        ),
    )
    sens.add_argument(
        "--boundary-scales",
        default="all",
        metavar="WHICH",
        help=_(
            "whose boundaries --boundary-shift moves, separated by commas: all, overall, indicators, "
            "indicator codes, and -CODE to leave one out (default: all)"
        ),
    )
    sens.add_argument(
        "--vary-policy",
        action="append",
        choices=SENSITIVITY_POLICIES,
        metavar="POLICY",
        help=_(
            "also vary a policy between its alternatives (repeatable): default-score, not-applicable, "
            "grade-match, caps, veto"
        ),
    )
    sens.add_argument(
        "--vary-aggregate",
        nargs="?",
        const="all",
        metavar="GROUPS",
        help=_(
            "also vary groups' means (sum, geometric, harmonic): every group of two or more parts, "
            "or the groups named, separated by commas"
        ),
    )
    sens.add_argument(
        "--indices",
        action="store_true",
        help=_(
            "Sobol' indices (first order, total effect) of each uncertain input: needs "
            "pip install 'perfrules[sensitivity]'"
        ),
    )
    sens.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help=_("score the runs in N processes (0: all cores; default: 1); the result is the same"),
    )
    sens.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help=_("output format (default: table)"),
    )
    sens.add_argument(
        "-o",
        "--output",
        help=_(
            "write to this file instead of standard output ('-': it); a .png, .svg or .pdf file gets "
            "the rank-interval chart (needs perfrules[plot]) and the output goes to standard output"
        ),
    )
    return parser


def _handler(name: str) -> Callable[[argparse.Namespace, TextIO, TextIO], int]:
    """The function that runs a command, by the name ``build_parser`` registered.

    ``completion`` describes the parser itself and runs here, ``compare`` is in
    ``perfrules.cli.history``; every other command is in one module of commands,
    imported now (with it, the part of the library that command needs).
    """
    if name == "_cmd_completion":
        return _cmd_completion
    if name == "_cmd_compare":
        return cmd_compare
    if name in ("_cmd_whatif", "_cmd_sensitivity"):
        from . import analysis_commands as commands
    elif name in ("_cmd_demo", "_cmd_schemes", "_cmd_score", "_cmd_explain"):
        from . import score_commands as commands  # type: ignore[no-redef]
    else:
        from . import scheme_commands as commands  # type: ignore[no-redef]
    handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = getattr(commands, name)
    return handler


class _LibraryErrors:
    """``perfrules._errors``, imported when an exception is matched against its classes (never for --help)."""

    def __getattr__(self, name: str) -> Any:
        from .. import _errors

        return getattr(_errors, name)


_errors = _LibraryErrors()


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    # Python sets sys.stdout to None when standard output was closed (>&-).
    stdout = _text(_StandardOutput(out or sys.stdout))
    # English, or Chinese under a Chinese locale or PERFRULES_LANG=zh (perfrules.cli.i18n).
    with speaking(language()):
        return _main(argv, stdout, err or sys.stderr or _text(_StandardOutput(None)))


def _main(argv: Sequence[str] | None, out: TextIO, err: TextIO) -> int:
    parser = build_parser()
    args: argparse.Namespace | None = None
    try:
        try:
            with contextlib.redirect_stdout(out):  # --help and --version print
                args = parser.parse_args(argv)
        except SystemExit as exc:
            return int(exc.code or 0)
        if getattr(args, "handler", None) is None:
            parser.print_help(out)
            return EXIT_USAGE
        if getattr(args, "output", None) == "-":
            args.output = None  # -o - is standard output
        code = int(_handler(args.handler)(args, out, err))
        out.flush()
        return code
    except _OutputFailed as exc:
        _silence_stdout()
        cause = exc.cause
        if cause is None or cause.errno == errno.EBADF:
            reason = _("standard output is closed")
        elif cause.errno == errno.EPIPE:
            reason = _("standard output was closed before all the results were written (broken pipe)")
        else:
            reason = _("cannot write to standard output: {reason}").format(reason=cause.strerror or cause)
        _fail(err, reason, _("write to a file with -o FILE"))
        return EXIT_USAGE
    except UsageError as exc:
        _fail(err, str(exc), exc.hint)
        return EXIT_USAGE
    except (_errors.SchemeError, _errors.DataError) as exc:
        problems = exc.problems
        count = len(problems)
        heading = ngettext("{what}: {count} problem", "{what}: {count} problems", count)
        err.write(
            _("perfrules: error: {message}").format(message=heading.format(what=exc.title, count=count))
        )
        err.write("\n")
        for problem in problems:
            err.write(f"  {problem.path or _('(file)')}: {problem.message}\n")
        if isinstance(exc, _errors.SchemeError):
            hint = _("fix the file and run again; 'perfrules validate SCHEME' checks a scheme alone")
        else:
            hint = _("fix the data file and run again; 'perfrules check SCHEME DATA' checks unit data alone")
        err.write(_("hint: {text}").format(text=hint) + "\n")
        return EXIT_PROBLEMS
    except _errors.PerfrulesError as exc:
        _fail(err, str(exc))
        return EXIT_PROBLEMS
    except OSError as exc:
        if exc.filename is not None:
            _fail(err, f"{exc.filename}: {exc.strerror or exc}")
        else:
            _fail(err, str(exc.strerror or exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("\n" + _("perfrules: interrupted") + "\n")
        return 130
    except Exception as exc:
        # A bug in perfrules, not in the user's files: one line, never a traceback,
        # unless asked for with --debug.
        if args is not None and getattr(args, "debug", False):
            raise
        message = " ".join(str(exc).split())
        if len(message) > 300:
            message = message[:297] + "..."
        err.write(
            _("perfrules: internal error: {message}").format(message=f"{type(exc).__name__}: {message}")
        )
        err.write("\n" + _("hint: {text}").format(text=_("run again with --debug for the details")) + "\n")
        return EXIT_INTERNAL


def _fail(err: TextIO, message: str, hint: str = "") -> None:
    """``perfrules: error: MESSAGE`` and ``hint: HINT`` on stderr, framed in the command line's language."""
    err.write(_("perfrules: error: {message}").format(message=message) + "\n")
    if hint:
        err.write(_("hint: {text}").format(text=hint) + "\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
