"""The ``perfrules`` command line. Only this module prints.

Exit codes (docs/reference/cli.md):

- 0: done;
- 1: problems found — an invalid scheme or data file, or units that could not
  be scored (their results are still printed);
- 2: a usage mistake — unknown command or option, a file that does not exist,
  a unit that is not in the data;
- 3: an internal error (a bug in perfrules): one line on stderr, and
  ``--debug`` to see the traceback.
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
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from . import __version__
from ._display import display_width, format_table, number, records
from ._errors import PerfrulesError, Problem, SchemeError
from ._files import DataError, load, load_units, sample_units, schemes
from ._numbers import Number
from ._parallel import Totals
from ._results import Evaluation, evaluate
from ._scheme import Scheme
from ._sensitivity import Sensitivity, sensitivity
from ._stream import cell_number
from ._unit import Unit
from ._whatif import whatif
from ._writers import escape_csv_text, write_atomic

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

DEMO_SCHEME = "shenzhen-2010-departments"
_PROGRESS_FROM = 20  # units; fewer finish before a bar is worth drawing
_MAX_NOTES = 20  # reading notes printed before the results


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


def _units(
    scheme: Scheme,
    source: str,
    scheme_source: str,
    category: str | None,
    err: TextIO,
    sheet: str | None = None,
) -> list[Unit]:
    if source == "sample":
        if sheet is not None:
            raise UsageError("--sheet is only for Excel workbooks (.xlsx)", "leave out --sheet for 'sample'")
        if scheme_source not in schemes():
            raise UsageError("'sample' data exists only for the built-in schemes", "run 'perfrules schemes'")
        units = sample_units(scheme_source)
    else:
        if not Path(source).exists():
            raise UsageError(
                f"no data file '{source}'",
                "give a CSV, Excel (.xlsx) or JSON file, or 'sample' for a built-in scheme",
            )
        if sheet is not None and Path(source).suffix.lower() not in (".xlsx", ".xlsm"):
            raise UsageError(
                "--sheet is only for Excel workbooks (.xlsx)", "leave out --sheet for CSV or JSON"
            )
        units = load_units(source, scheme=scheme, sheet=sheet)
    # What was read generously, or left out, is said once, before the results;
    # a long list is cut short (every unit's notes stay in its result's events).
    notes = [*units.notes, *(n for u in units for n in u.notes)]
    for note in notes[:_MAX_NOTES]:
        err.write(f"note: {source}, {note.path}: {note.message}\n")
    if len(notes) > _MAX_NOTES:
        err.write(f"note: ... and {len(notes) - _MAX_NOTES} more (see the units' 'note' events)\n")
    if category is not None:
        import attrs

        return [u if u.category else attrs.evolve(u, category=category) for u in units]
    return units


def _evaluate(scheme: Scheme, units: list[Unit], err: TextIO) -> Evaluation:
    return evaluate(scheme, units, progress=_Progress(len(units), err))


def _ranking_table(evaluation: Evaluation | Totals, colour: bool) -> str:
    rows = [(r.rank, r.unit, r.category, r.total, r.grade, r.ok) for r in evaluation.ranking()]
    return _table_of(evaluation.scheme, rows, colour)


def _table_of(
    scheme: Scheme,
    ranked: Sequence[tuple[int | None, str, str | None, Number | None, str | None, bool]],
    colour: bool,
) -> str:
    zh = scheme.language == "zh"
    grades = list(scheme.grades)
    headers = (
        ["排名", "单位", "类别", "总分", "等次"] if zh else ["rank", "unit", "category", "total", "grade"]
    )
    rows = []
    for rank, unit, category, total, grade, ok in ranked:
        shown = grade or ("—" if ok else ("未计分" if zh else "not scored"))
        rows.append([str(rank or "—"), unit, category or "", number(total), shown])
    table = format_table(headers, rows, ["right", "left", "left", "right", "left"])
    if colour:
        lines = table.splitlines()
        for i, (_, _, _, _, grade, _) in enumerate(ranked):
            lines[i + 2] = _paint(lines[i + 2], grade, grades, True)
        table = "\n".join(lines)
    return table


_HEAD_ZH = ["排名", "单位", "类别", "总分", "等次"]
_HEAD_EN = ["rank", "unit", "category", "total", "grade"]


def _streamable(args: argparse.Namespace) -> bool:
    """Whether score can read the data as a stream: CSV or table output from a CSV or workbook file."""
    if args.format not in ("csv", "table") or args.data == "sample":
        return False
    return Path(args.data).suffix.lower() in (".csv", ".txt", ".xlsx", ".xlsm")


def _score_streamed(args: argparse.Namespace, scheme: Scheme, out: TextIO, err: TextIO) -> int:
    """score for large files: units are read, scored and let go one chunk at a time."""
    from ._stream import score_file

    if not Path(args.data).exists():
        raise UsageError(
            f"no data file '{args.data}'", "give a CSV or JSON file, or 'sample' for a built-in scheme"
        )
    if args.sheet is not None and Path(args.data).suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError("--sheet is only for Excel workbooks (.xlsx)", "leave out --sheet for CSV or JSON")
    progress = _StreamProgress(err)
    run = score_file(
        scheme, args.data, sheet=args.sheet, category=args.category, progress=progress, jobs=args.jobs
    )
    progress.done()
    notes = [*(f"{n.path}: {n.message}" for n in run.notes)]
    notes += [str(e) for o in run.outcomes for e in o.events if e.kind == "note"]
    for note in notes[:_MAX_NOTES]:
        err.write(f"note: {args.data}, {note}\n")
    if len(notes) > _MAX_NOTES:
        err.write(f"note: ... and {len(notes) - _MAX_NOTES} more (see the units' 'note' events)\n")
    ranked = run.ranking()
    zh = scheme.language == "zh"
    failed = [e for o in ranked for e in o.errors]
    if args.format == "csv":
        indicators = scheme.indicators()
        blank = "," * (len(indicators) - 1)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        head = (
            ["排名", "单位", "类别", "总分", "等次"] if zh else ["rank", "unit", "category", "total", "grade"]
        )
        writer.writerow(
            [*head, *(escape_csv_text(f"{i.code} {i.name}") for i in indicators), "错误" if zh else "errors"]
        )
        for o in ranked:
            writer.writerow(
                [
                    o.rank or "",
                    escape_csv_text(o.unit.name),
                    escape_csv_text(o.unit.category or ""),
                    cell_number(o.total),
                    escape_csv_text(o.grade or ""),
                    *(o.rendered or blank).split(","),
                    escape_csv_text("; ".join(str(e) for e in o.errors)),
                ]
            )
        _emit(buffer.getvalue(), args.output, out, bom=True)
    else:
        colour = args.output is None and _colour(out)
        rows = [(o.rank, o.unit.name, o.unit.category, o.total, o.grade, not o.errors) for o in ranked]
        text = _table_of(scheme, rows, colour)
        if failed:
            text += "\n\n" + ("未能计分：" if zh else "could not be scored:") + "\n"
            text += "\n".join(f"  {e}" for e in failed)
        _emit(text, args.output, out)
    if failed:
        err.write(f"perfrules: {len({e.unit for e in failed})} unit(s) could not be scored\n")
        return EXIT_PROBLEMS
    return EXIT_OK


class _StreamProgress:
    """Units scored so far, on one line of stderr, only in a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.on = stream.isatty()
        self.shown = False

    def __call__(self, done: int, unit: str) -> None:
        if self.on:
            name = unit[:12]
            self.stream.write(f"\r{done} units scored  {name}{' ' * (24 - display_width(name))}")
            self.stream.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 50 + "\r")
            self.stream.flush()


def _error_lines(evaluation: Evaluation | Totals) -> list[str]:
    return [f"  {e}" for e in evaluation.errors]


def _csv_text(evaluation: Evaluation | Totals) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    indicators = evaluation.scheme.indicators()
    zh = evaluation.scheme.language == "zh"
    head = ["排名", "单位", "类别", "总分", "等次"] if zh else ["rank", "unit", "category", "total", "grade"]
    # Text cells go through escape_csv_text (a unit named =HYPERLINK(...) must not
    # become a live formula in a spreadsheet); numbers are written as they are.
    writer.writerow(
        [
            *head,
            *(escape_csv_text(f"{i.code} {i.name}") for i in indicators),
            "错误" if zh else "errors",
        ]
    )
    for r in evaluation.ranking():
        scores = {i.code: i.score for i in r.indicators}
        writer.writerow(
            [
                r.rank or "",
                escape_csv_text(r.unit),
                escape_csv_text(r.category or ""),
                "" if r.total is None else number(r.total, 6),
                escape_csv_text(r.grade or ""),
                *("" if scores.get(i.code) is None else number(scores[i.code], 6) for i in indicators),
                escape_csv_text("; ".join(str(e) for e in r.errors)),
            ]
        )
    return out.getvalue()


def _emit(text: str, output: str | None, out: TextIO, *, bom: bool = False) -> None:
    if output is None:
        out.write(text if text.endswith("\n") else text + "\n")
        return
    # Called only once the results are complete; the file is replaced whole or
    # not at all, so a failed run leaves an earlier output file as it was.
    write_atomic(output, text, encoding="utf-8-sig" if bom else "utf-8")


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


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ._check import check_data

    scheme = _scheme(args.scheme)
    if not Path(args.data).exists():
        raise UsageError(f"no data file '{args.data}'", "give a CSV, Excel (.xlsx) or JSON file")
    expected = None
    if args.units is not None:
        if Path(args.units).suffix.lower() == ".txt":
            from ._tables import read_text  # UTF-8 (with or without BOM), UTF-16 or GBK, as for data

            text = read_text(Path(args.units).read_bytes(), args.units)
            expected = [line.strip() for line in text.splitlines()]
            expected = [name for name in expected if name]
        else:
            expected = [u.name for u in _units(scheme, args.units, args.scheme, None, io.StringIO())]
    found = check_data(scheme, args.data, sheet=args.sheet, expected=expected)
    if found.problems:
        count = len(found.problems)
        err.write(f"{args.data}: {count} problem{'s' if count != 1 else ''}\n")
        for problem in found.problems:
            err.write(f"  {problem.path}: {problem.message}\n")
        return EXIT_PROBLEMS
    out.write(f"ok: {args.data} — {len(found.units)} units, {len(found.columns)} input columns\n")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if getattr(args, "data", None) is not None:
        code = _cmd_validate(argparse.Namespace(scheme=args.scheme, data=None), out, err)
        return code if code != EXIT_OK else _cmd_check(args, out, err)
    try:
        scheme = _scheme(args.scheme)
    except SchemeError as exc:
        err.write(f"{exc.title}: {len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}\n")
        for problem in exc.problems:
            err.write(f"  {problem.path or '(file)'}: {problem.message}\n")
        return EXIT_PROBLEMS
    todos = scheme.todos()
    if todos:
        # An imported draft: valid as far as it goes, but not finished.
        err.write(f"draft: {scheme.name} — {len(todos)} todo{'s' if len(todos) != 1 else ''} to write\n")
        for whose, todo in todos:
            err.write(f"  todo: {whose}: {todo}\n")
        return EXIT_PROBLEMS
    out.write(
        f"ok: {scheme.name} — {len(scheme.indicators())} indicators, "
        f"{len(list(scheme.paths())) - len(scheme.indicators())} groups\n"
    )
    for note in scheme.notes:
        out.write(f"note: {note.path or '(scheme)'}: {note.message}\n")
    return EXIT_OK


def _cmd_template(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ._template import write_template

    if Path(args.output).suffix.lower() != ".xlsx":
        raise UsageError(f"the template is an Excel workbook: '{args.output}' does not end in .xlsx")
    scheme = _scheme(args.scheme)
    units: list[Unit | str] = []
    if args.units is not None:
        units += _units(scheme, args.units, args.scheme, None, err)
    units += args.unit or []
    try:
        write_template(scheme, args.output, units=units, not_applicable=args.not_applicable)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    out.write(f"wrote {args.output}: {len({getattr(u, 'name', u) for u in units})} unit(s)\n")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ._import_table import import_table, parse_columns

    if not Path(args.table_file).exists():
        raise UsageError(f"no file '{args.table_file}'", "give a Word (.docx), Excel (.xlsx) or CSV table")
    try:
        columns = parse_columns(args.columns or "")
    except ValueError as exc:
        raise UsageError(str(exc), "e.g. --columns 考评办法=rule,牵头处室=metadata") from None
    table: str | int | None = args.table
    if isinstance(table, str) and table.isdigit():
        table = int(table)
    try:
        imported = import_table(args.table_file, table=table, columns=columns, name=args.name)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    _emit(imported.toml(), args.output, out)
    where = f"wrote {args.output}" if args.output else "the draft is above"
    err.write(
        f"{imported.source}: {len(imported.scheme.indicators())} indicators; read {imported.read} rule(s), "
        f"{imported.left} todo(s) left; {where}\n"
    )
    if imported.left:
        err.write("hint: 'perfrules validate DRAFT' lists the todos with their table row and column\n")
    return EXIT_OK


def _cmd_table(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ._publish import write_table

    if Path(args.output).suffix.lower() not in (".docx", ".xlsx"):
        raise UsageError(f"the table is written as .docx or .xlsx, not '{args.output}'")
    scheme = _scheme(args.scheme)
    try:
        write_table(scheme, args.output)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    todos = len(scheme.todos())
    out.write(
        f"wrote {args.output}: {len(scheme.indicators())} indicators"
        + (f", {todos} todo(s) marked" if todos else "")
        + "\n"
    )
    return EXIT_OK


def _wants_workbook(args: argparse.Namespace) -> bool:
    """Whether ``score`` writes an Excel workbook.

    It does for ``-o FILE.xlsx`` whatever ``--format`` says (JSON text in a
    .xlsx file would only be a broken workbook), and for ``--format xlsx``.
    """
    if args.format == "xlsx" and args.output is None:
        raise UsageError("--format xlsx writes a file", "add -o FILE.xlsx")
    return args.format == "xlsx" or (args.output is not None and Path(args.output).suffix.lower() == ".xlsx")


def _write_workbook(evaluation: Evaluation, output: str) -> None:
    """Write the workbook (atomically: an existing file is replaced only once the new one is complete)."""
    from ._excel import write_workbook

    try:
        write_workbook(evaluation, output)
    except ImportError as exc:
        raise UsageError(str(exc), "or write --format csv, which Excel also opens") from None


def _cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ._schemefile import scheme_json_schema

    out.write(json.dumps(scheme_json_schema(), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    workbook = _wants_workbook(args)
    scheme = _scheme(args.scheme)
    if not workbook and _streamable(args):
        return _score_streamed(args, scheme, out, err)
    units = _units(scheme, args.data, args.scheme, args.category, err, args.sheet)
    evaluation = _evaluate(scheme, units, err)
    if workbook:
        _write_workbook(evaluation, args.output)
    elif args.format == "json":
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
    evaluation = _evaluate(
        scheme, _units(scheme, args.data, args.scheme, args.category, err, args.sheet), err
    )
    result = evaluation.unit(_one_unit(evaluation, args.unit))
    out.write(result.explain() + "\n")
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def _cmd_whatif(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scheme = _scheme(args.scheme)
    units = _units(scheme, args.data, args.scheme, args.category, err, args.sheet)
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


def _sensitivity_csv(result: Sensitivity) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rank", "unit", "category", "rank_low", "rank_high", "rank_median", *result.grade_names])
    for record in result.to_records()["units"]:
        writer.writerow(
            [
                "" if value is None else value
                for value in (
                    record["rank"],
                    record["unit"],
                    record["category"],
                    record["rank_low"],
                    record["rank_high"],
                    record["rank_median"],
                    *(record["grades"].get(g) for g in result.grade_names),
                )
            ]
        )
    return out.getvalue()


def _cmd_sensitivity(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.runs < 1:
        raise UsageError(f"--runs must be at least 1 (got {args.runs})")
    try:
        spread = Decimal(args.weight_spread)
    except ArithmeticError:
        spread = Decimal("NaN")
    if not spread.is_finite() or not 0 <= spread < 1:
        raise UsageError(
            f"--weight-spread must be a number from 0 up to (not including) 1 (got {args.weight_spread})",
            "0.2 scales each weight by a factor between 0.8 and 1.2",
        )
    scheme = _scheme(args.scheme)
    units = _units(scheme, args.data, args.scheme, args.category, err, args.sheet)
    result = sensitivity(
        scheme,
        units,
        runs=args.runs,
        seed=args.seed,
        weight_spread=spread,
        progress=_Progress(args.runs, err),
    )
    failed = [u.unit for u in result.units if not u.scored]
    if args.format == "json":
        _emit(json.dumps(result.to_records(), ensure_ascii=False, indent=2), args.output, out)
    elif args.format == "csv":
        _emit(_sensitivity_csv(result), args.output, out, bom=True)
    else:
        zh = scheme.language == "zh"
        bounds = f"[{1 - spread}, {1 + spread}]"
        head = (
            f"{result.runs} 次随机权重（各权重 ×{bounds}，种子 {result.seed}）"
            if zh
            else f"{result.runs} runs, each weight ×{bounds}, seed {result.seed}"
        )
        head = f"{scheme.name}\n{head}\n"
        _emit(head + "\n" + result.table(), args.output, out)
    if failed:
        err.write(f"perfrules: {len(failed)} unit(s) could not be scored: {', '.join(failed)}\n")
        return EXIT_PROBLEMS
    return EXIT_OK


# ---------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------

_EPILOG = {
    "demo": "example:\n  perfrules demo\n  perfrules demo --scheme xiamen-xiangan-2020",
    "schemes": "example:\n  perfrules schemes",
    "validate": (
        "examples:\n  perfrules validate my-scheme.toml\n  perfrules validate shenzhen-2010-districts\n"
        "  perfrules validate my-scheme.toml 填报表.xlsx   (the scheme, then the data: see 'check')"
    ),
    "check": (
        "examples:\n  perfrules check shenzhen-2010-departments 填报表.xlsx\n"
        "  perfrules check my-scheme.toml data.csv --units 单位名单.txt"
    ),
    "schema": "example:\n  perfrules schema > perfrules-scheme.schema.json",
    "score": (
        "examples:\n  perfrules score shenzhen-2010-departments sample\n"
        "  perfrules score my-scheme.toml data.csv --format json -o results.json\n"
        "  perfrules score shenzhen-2010-departments data.csv --category 委 --format csv -o 结果.csv\n"
        "  perfrules score shenzhen-2010-departments sample -o 结果.xlsx"
    ),
    "template": (
        "examples:\n  perfrules template xiamen-xiangan-2020 -o 填报表.xlsx\n"
        "  perfrules template shenzhen-2010-departments --units 去年数据.csv -o 填报表.xlsx\n"
        "  perfrules template my-scheme.toml --unit 甲局 --unit 乙局 -o 填报表.xlsx"
    ),
    "import": (
        "examples:\n  perfrules import 指标体系.docx -o draft.toml\n"
        "  perfrules import 考核表.xlsx --table 2 --columns 考评办法=rule -o draft.toml\n\n"
        "Roles for --columns: group, name, code, points, weight, definition, rule, source,\n"
        "metadata, frequency, ignore. Then 'perfrules validate draft.toml' lists what is left."
    ),
    "table": (
        "examples:\n  perfrules table shenzhen-2010-departments -o 指标体系.docx\n"
        "  perfrules table my-scheme.toml -o 指标体系.xlsx\n\n"
        "'perfrules import' reads the table back."
    ),
    "explain": "example:\n  perfrules explain shenzhen-2010-departments sample --unit 市乙局",
    "whatif": "example:\n  perfrules whatif shenzhen-2010-departments sample --unit 市甲委",
    "sensitivity": (
        "examples:\n  perfrules sensitivity xiamen-xiangan-2020 sample --runs 200 --seed 7\n"
        "  perfrules sensitivity my-scheme.toml data.csv --weight-spread 0.3 --format json -o ranks.json\n\n"
        "Each run scales every weight by a random factor in [1-X, 1+X] (X = --weight-spread),\n"
        "rescales each group back to its subtotal, and scores the units again. The interval\n"
        "is the 5th to 95th percentile of a unit's rank over the runs (nearest-rank)."
    ),
}

_SCHEME_HELP = "a scheme file (.toml, .json) or a built-in scheme name (see 'perfrules schemes')"
_DATA_HELP = "unit data (.csv, .xlsx, .json), or 'sample' for a built-in scheme's sample units"


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
        "2 usage mistake; 3 internal error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"perfrules {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
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
        # --debug after the command too; SUPPRESS keeps the sub-parser from resetting it.
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return sub

    demo = command("demo", "score a built-in scheme on its sample data and print the ranking", _cmd_demo)
    demo.add_argument("--scheme", default=DEMO_SCHEME, choices=schemes(), help="which built-in scheme")
    command("schemes", "list the built-in schemes", _cmd_schemes)
    validate = command("validate", "check a scheme and list every problem with its path", _cmd_validate)
    validate.add_argument("scheme", help=_SCHEME_HELP)
    check = command(
        "check", "check unit data against a scheme before scoring: every problem at once", _cmd_check
    )
    check.add_argument("scheme", help=_SCHEME_HELP)
    for sub in (validate, check):
        sub.add_argument(
            "data", nargs="?" if sub is validate else None, help="unit data (.csv, .xlsx, .json)"
        )
        sub.add_argument("--sheet", help="the sheet to read in an Excel workbook (default: the first)")
        sub.add_argument(
            "--units", metavar="LIST", help="the expected units: a data file, 'sample' or a .txt list"
        )
    command("schema", "print the JSON Schema of scheme files, for editors", _cmd_schema)
    for name, help_text, handler in (
        ("score", "score units and print the totals, grades and ranks", _cmd_score),
        ("explain", "show one unit's full scoring trail in plain language", _cmd_explain),
        ("whatif", "for one unit, how much each input must change to reach the next grade", _cmd_whatif),
    ):
        sub = command(name, help_text, handler)
        sub.add_argument("scheme", help=_SCHEME_HELP)
        sub.add_argument("data", help=_DATA_HELP)
        sub.add_argument("--category", help="category (委/局/办 …) for units whose data gives none")
        sub.add_argument("--sheet", help="the sheet to read in an Excel workbook (default: the first)")
        if name == "score":
            sub.add_argument(
                "--format",
                choices=["table", "csv", "json", "xlsx"],
                default="table",
                help="output format (default: table); -o FILE.xlsx always writes an Excel workbook",
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
    imp = command(
        "import", "read a published indicator table (.docx, .xlsx, CSV) into a draft scheme", _cmd_import
    )
    imp.add_argument(
        "table_file", metavar="TABLE", help="the table: a Word document, a workbook or a CSV file"
    )
    imp.add_argument(
        "-o", "--output", help="the draft scheme file to write (.toml); default: standard output"
    )
    imp.add_argument(
        "--table", metavar="N|SHEET", help="which table of the document, or sheet of the workbook"
    )
    imp.add_argument(
        "--columns", metavar="MAP", help="roles of headers not recognised: 表头=role,… (see the docs)"
    )
    imp.add_argument("--name", help="the scheme's name (default: the file's name)")
    tab = command(
        "table", "publish a scheme as the familiar table (.docx, .xlsx) for review and sign-off", _cmd_table
    )
    tab.add_argument("scheme", help=_SCHEME_HELP)
    tab.add_argument("-o", "--output", required=True, help="the table to write: 指标体系.docx or .xlsx")
    tpl = command("template", "write the data-entry workbook (填报表) units fill in", _cmd_template)
    tpl.add_argument("scheme", help=_SCHEME_HELP)
    tpl.add_argument("-o", "--output", required=True, help="the workbook to write (.xlsx)")
    tpl.add_argument(
        "--units", metavar="DATA", help="pre-fill the units (and categories) of a data file, or 'sample'"
    )
    tpl.add_argument("--unit", action="append", metavar="NAME", help="pre-fill a unit's name (repeatable)")
    tpl.add_argument(
        "--not-applicable",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="include the 不适用 column (default: when the scheme or the units use it)",
    )
    sens = command(
        "sensitivity",
        "how far each unit's rank depends on the weights (random reweighting, Monte Carlo)",
        _cmd_sensitivity,
    )
    sens.add_argument("scheme", help=_SCHEME_HELP)
    sens.add_argument("data", help=_DATA_HELP)
    sens.add_argument("--category", help="category (委/局/办 …) for units whose data gives none")
    sens.add_argument("--sheet", help="the sheet to read in an Excel workbook (default: the first)")
    sens.add_argument("--runs", type=int, default=200, help="how many random weightings (default: 200)")
    sens.add_argument("--seed", type=int, help="random seed, for a result that can be repeated")
    sens.add_argument(
        "--weight-spread",
        default="0.2",
        metavar="X",
        help="scale each weight by a factor in [1-X, 1+X], 0 <= X < 1 (default: 0.2)",
    )
    sens.add_argument(
        "--format", choices=["table", "csv", "json"], default="table", help="output format (default: table)"
    )
    sens.add_argument("-o", "--output", help="write to this file instead of standard output")
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
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
    except Exception as exc:
        # A bug in perfrules, not in the user's files: one line, never a traceback,
        # unless asked for with --debug.
        if args is not None and getattr(args, "debug", False):
            raise
        message = " ".join(str(exc).split())
        if len(message) > 300:
            message = message[:297] + "..."
        err.write(f"perfrules: internal error: {type(exc).__name__}: {message}\n")
        err.write("hint: run again with --debug for the details\n")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
