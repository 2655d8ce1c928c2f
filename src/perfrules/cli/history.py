"""The command line and last year's results: ``--previous`` for score, explain and whatif; ``compare``.

The parser (:mod:`perfrules.cli.main`) adds the options with :func:`add_previous` and
:func:`add_compare` without importing the library; the handlers import it when they run.
"""

from __future__ import annotations

import argparse

from .base import EXIT_OK, UsageError, emit
from .i18n import N_, _

TYPE_CHECKING = False  # typing is not imported for --help (see tests/test_startup.py)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, TextIO

    from ..scheme.model import Scheme

__all__ = ["COMPARE_EPILOG", "add_compare", "add_previous", "cmd_compare", "load_scheme", "previous_notes"]

_MAX_SHOWN = 20  # unit names listed in the note of units last year's results lack

COMPARE_EPILOG = N_(
    "examples:\n  perfrules compare 2024.csv 2025.csv\n"
    "  perfrules compare 2023.json 2024.json 2025.json --format csv -o 三年对比.csv"
)


def add_previous(sub: argparse.ArgumentParser) -> None:
    """``--previous RESULTS`` (score, explain, whatif, validate, check)."""
    sub.add_argument(
        "--previous",
        metavar="RESULTS",
        help=_(
            "last year's results (a CSV, JSON or JSON Lines file perfrules score wrote) "
            "for the names the scheme's [history] declares"
        ),
    )


def add_compare(command: Callable[[str, str, str], argparse.ArgumentParser]) -> None:
    """The ``compare`` command's arguments (*command* makes the sub-parser)."""
    comp = command(
        "compare",
        N_("put two or more results files of the same units side by side: ranks, totals, grades, changes"),
        "_cmd_compare",
    )
    comp.add_argument(
        "results",
        nargs="+",
        metavar="RESULTS",
        help=_("results files perfrules score wrote (CSV, JSON, JSON Lines), oldest first"),
    )
    comp.add_argument(
        "--label",
        action="append",
        metavar="LABEL",
        help=_("a label per file, in order (default: each file's name without its suffix)"),
    )
    comp.add_argument(
        "--format", choices=["table", "csv"], default="table", help=_("output format (default: table)")
    )
    comp.add_argument("-o", "--output", help=_("write to this file instead of standard output ('-': it)"))


def load_scheme(source: str, previous: str | None = None) -> Scheme:
    """The scheme a command names, with last year's results when ``--previous`` gives them."""
    from pathlib import Path

    from ..files.load import load
    from ..results.past import with_previous

    try:
        scheme = load(source)
    except FileNotFoundError as exc:
        raise UsageError(str(exc), _("run 'perfrules schemes' to list the built-in schemes")) from None
    if previous is None:
        return scheme
    if not scheme.history:
        raise UsageError(
            _("the scheme declares no [history] names: nothing reads --previous"),
            _('declare them, e.g. [history."上年名次"] with field = "rank", or leave out --previous'),
        )
    if not Path(previous).exists():
        raise UsageError(
            _("no results file '{name}'").format(name=previous),
            _("give a file perfrules score wrote with --format csv, json or jsonl"),
        )
    return with_previous(scheme, previous)


def previous_notes(scheme: Scheme, names: Iterable[str], err: TextIO) -> None:
    """Units in last year's results that the data does not have, said once (a renamed unit, say).

    Units of the data that last year's results lack get a note each from scoring itself.
    """
    if scheme.previous is None:
        return
    named = set(names)
    gone = [name for name in scheme.previous.units if name not in named]
    if gone:  # a unit renamed since last year would otherwise drop out without a word
        shown = ", ".join(gone[:_MAX_SHOWN]) + (" …" if len(gone) > _MAX_SHOWN else "")
        text = _("{source} lists units the data does not have: {units}").format(
            source=scheme.previous.source, units=shown
        )
        err.write(_("note: {text}").format(text=text) + "\n")


def cmd_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``perfrules compare``: results files side by side, as a table or CSV."""
    from pathlib import Path

    from .._writers import csv_lines
    from ..analysis.compare_results import compare_results
    from ..results.display import format_table

    if len(args.results) < 2:
        raise UsageError(
            _("compare needs two results files or more"), _("give last year's and this year's results")
        )
    for name in args.results:
        if not Path(name).exists():
            raise UsageError(
                _("no results file '{name}'").format(name=name),
                _("give a file perfrules score wrote with --format csv, json or jsonl"),
            )
    if args.label is not None and len(args.label) != len(args.results):
        raise UsageError(
            _("{labels} labels for {files} files").format(labels=len(args.label), files=len(args.results)),
            _("give --label once per results file, in order"),
        )
    comparison = compare_results(*args.results, labels=args.label)
    for note in comparison.notes:
        err.write(_("note: {text}").format(text=note) + "\n")
    heads = comparison.heads()
    if args.format == "csv":
        cells = [[_cell(c, csv=True) for c in row] for row in comparison.table_rows(signed=False)]
        emit(csv_lines([heads, *cells]), args.output, out, bom=True)
    else:
        year = ["right", "right", "left"] if comparison.graded else ["right", "right"]
        change = ["right", "right", "left", "left"] if comparison.graded else ["right", "right", "left"]
        aligns = ["left", "left", *(year * len(comparison.labels)), *change]
        rows = [[_cell(c) for c in row] for row in comparison.table_rows()]
        emit(format_table(heads, rows, aligns) + "\n", args.output, out)
    return EXIT_OK


def _cell(value: object, *, csv: bool = False) -> Any:
    """A table's text, or a CSV cell (numbers as figures)."""
    from decimal import Decimal
    from fractions import Fraction

    from .._writers import Figure
    from ..results.display import number

    if value is None:
        return None if csv else "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return Figure(str(value)) if csv else str(value)
    if isinstance(value, Decimal | Fraction):
        return Figure(number(value, 6)) if csv else number(value)
    return str(value)
