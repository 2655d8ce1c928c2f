"""The command line's commands: one handler per command, and the output helpers they share.

``perfrules.cli.main`` builds the parser and registers each handler by its name;
this module, and with it the library, is imported only when a command runs, so
that ``perfrules --help`` and usage mistakes start fast (see
docs/explanation/performance.md, "Start-up"). Only this module and
``perfrules.cli.main`` print.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .._errors import SchemeError
from .._numbers import Number
from .._writers import Figure, FigureRun, csv_lines, json_members, open_output
from ..analysis.sensitivity import Sensitivity, sensitivity
from ..analysis.whatif import WhatIf, whatif
from ..files.data import UnitList, load_units, units_from_csv, units_from_json
from ..files.load import load, sample_units, schemes
from ..files.tables import parse_json, read_text
from ..pipeline.parallel import Totals
from ..pipeline.stream import SPILLED, StreamedRun, cell_number
from ..results.display import (
    format_table,
    json_number,
    marked,
    number,
    stand_in_legend,
    stand_in_list,
    unit_records,
)
from ..results.model import Evaluation, UnitResult, evaluate, unit_result
from ..scheme.model import Scheme
from ..scheme.units import Unit
from .base import EXIT_OK, EXIT_PROBLEMS, UsageError
from .i18n import N_, _, ngettext

_PROGRESS_FROM = 20  # units; fewer finish before a bar is worth drawing
_MAX_NOTES = 20  # reading notes printed before the results


# ---------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------


def _colour(stream: TextIO) -> bool:
    # no-color.org: NO_COLOR set to a non-empty value turns colour off; an empty value does not.
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


_ANSI = {0: "32", 1: "36", 2: "33", 3: "31"}


def _paint(text: str, grade: str | None, grades: Sequence[str], on: bool) -> str:
    if not on or grade is None or grade not in grades:
        return text
    index = round(grades.index(grade) * 3 / max(len(grades) - 1, 1))
    return f"\033[{_ANSI.get(index, '0')}m{text}\033[0m"


class _Progress:
    """A progress bar on stderr with the rate and the time left (tqdm), only in a terminal and for long runs.

    Called as ``progress(done, total, unit_name)`` by evaluate and sensitivity;
    the bar closes itself when ``done`` reaches ``total``.
    """

    def __init__(self, total: int, stream: TextIO, *, what: str = N_("units")) -> None:
        self.bar: Any = None
        if stream.isatty() and total >= _PROGRESS_FROM:
            self.bar = _bar(stream, total, what)

    def __call__(self, done: int, total: int, unit: str) -> None:
        if self.bar is None:
            return
        self.bar.set_postfix_str(unit[:12], refresh=False)
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()
            self.bar = None


def _bar(stream: TextIO, total: int | None, what: str) -> Any:
    from tqdm import tqdm  # imported only when a bar is drawn: the command line starts faster

    return tqdm(
        total=total,
        file=stream,
        unit=f" {_(what)}",
        leave=False,
        dynamic_ncols=True,
        mininterval=0.2,
        ascii=os.environ.get("TERM") == "dumb",
    )


def _scheme(source: str) -> Scheme:
    try:
        return load(source)
    except FileNotFoundError as exc:
        raise UsageError(str(exc), _("run 'perfrules schemes' to list the built-in schemes")) from None


_STDIN = "standard input"


def _stdin_units(scheme: Scheme, sheet: str | None) -> UnitList:
    """Units from standard input (DATA given as ``-``): CSV in any encoding the files may have, or JSON."""
    if sheet is not None:
        raise UsageError(_("--sheet is only for Excel workbooks (.xlsx)"), _("leave out --sheet for '-'"))
    stream = sys.stdin
    if stream is None:
        raise UsageError(_("standard input is closed"), _("give the data file's name instead of '-'"))
    data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8")
    if data.startswith(b"PK\x03\x04"):
        raise UsageError(
            _("an Excel workbook cannot be read from standard input"),
            _("give the workbook's file name instead of '-'"),
        )
    text = read_text(data, _STDIN)
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        return units_from_json(parse_json(text, _STDIN), origin=_STDIN)
    return units_from_csv(text, scheme=scheme, origin=_STDIN)


def _units(
    scheme: Scheme,
    source: str,
    scheme_source: str,
    category: str | None,
    err: TextIO,
    sheet: str | None = None,
) -> list[Unit]:
    if source == "-":
        units = _stdin_units(scheme, sheet)
    elif source == "sample":
        if sheet is not None:
            raise UsageError(
                _("--sheet is only for Excel workbooks (.xlsx)"), _("leave out --sheet for 'sample'")
            )
        if scheme_source not in schemes():
            raise UsageError(
                _("'sample' data exists only for the built-in schemes"), _("run 'perfrules schemes'")
            )
        units = sample_units(scheme_source)
    else:
        if not Path(source).exists():
            raise UsageError(
                _("no data file '{name}'").format(name=source),
                _("give a CSV, Excel (.xlsx) or JSON file, or 'sample' for a built-in scheme"),
            )
        if sheet is not None and Path(source).suffix.lower() not in (".xlsx", ".xlsm"):
            raise UsageError(
                _("--sheet is only for Excel workbooks (.xlsx)"), _("leave out --sheet for CSV or JSON")
            )
        units = load_units(source, scheme=scheme, sheet=sheet)
    # What was read generously, or left out, is said once, before the results;
    # a long list is cut short (every unit's notes stay in its result's events).
    notes = [*units.notes, *(n for u in units for n in u.notes)]
    for note in notes[:_MAX_NOTES]:
        err.write(_("note: {text}").format(text=f"{source}, {note.path}: {note.message}") + "\n")
    if len(notes) > _MAX_NOTES:
        err.write(_more_notes(len(notes) - _MAX_NOTES))
    if category is not None:
        import attrs

        return [u if u.category else attrs.evolve(u, category=category) for u in units]
    return units


def _more_notes(count: int) -> str:
    return _("note: ... and {count} more (see the units' 'note' events)").format(count=count) + "\n"


def _evaluate(scheme: Scheme, units: list[Unit], err: TextIO) -> Evaluation:
    return evaluate(scheme, units, progress=_Progress(len(units), err))


_Ranked = tuple[
    int | None, str, str | None, Number | None, str | None, bool, int | None, tuple[str, ...], int
]


def _flag_cells(scheme: Scheme, flags: Sequence[str]) -> list[str]:
    """The 标记 cell beside the grade (不能评先、黄牌) — only for schemes that have flags."""
    return ["、".join(flags)] if scheme.flags else []


def _level_cells(scheme: Scheme, level: int) -> list[str]:
    """The 层级 cell (0: scored from its data, 1: a parent of such units …) — only with [roll_up]."""
    return [str(level)] if scheme.roll_up is not None else []


def _ranking_table(evaluation: Evaluation | Totals, colour: bool, source: str = "") -> str:
    rows = [
        (r.rank, r.unit, r.category, r.total, r.grade, r.ok, r.category_rank, r.flags, getattr(r, "level", 0))
        for r in evaluation.ranking()
    ]
    return _table_of(evaluation.scheme, rows, colour, source)


def _by_category(scheme: Scheme, ranked: Sequence[_Ranked]) -> list[_Ranked]:
    """分类评估: units grouped by category (in the scheme's order), each group by its own ranks."""
    order = {c: k for k, c in enumerate(scheme.categories)}

    def key(row: _Ranked) -> tuple[int, str, int, int]:
        category, own = row[2], row[6]
        return (order.get(category or "", len(order)), category or "", own is None, own or 0)

    return sorted(ranked, key=key)


def _result_heads(scheme: Scheme) -> list[str]:
    """rank, unit, category, total, grade — the total and grade marked ※ when they rest on stand-ins."""
    zh = scheme.language == "zh"
    heads = ["排名", "单位", "类别", "总分", "等次"] if zh else ["rank", "unit", "category", "total", "grade"]
    rules = bool(scheme.stand_in or scheme.stand_ins or any(i.stand_in for i in scheme.indicators()))
    heads[3] = marked(heads[3], rules)
    heads[4] = marked(heads[4], bool(scheme.stand_in))
    if scheme.rank_within == "category":
        heads[0] = "类别内排名" if zh else "rank in category"
    if scheme.flags:
        heads.append("标记" if zh else "flags")
    if scheme.roll_up is not None:
        heads.append("层级" if zh else "level")
    return heads


def _table_of(scheme: Scheme, ranked: Sequence[_Ranked], colour: bool, source: str = "") -> str:
    zh = scheme.language == "zh"
    grades = list(scheme.grades)
    headers = _result_heads(scheme)
    within = scheme.rank_within == "category"
    if within:
        ranked = _by_category(scheme, ranked)
        headers.append("总排名" if zh else "overall rank")
    rows = []
    for rank, unit, category, total, grade, ok, own, flags, level in ranked:
        shown = grade or ("—" if ok else ("未计分" if zh else "not scored"))
        row = [str((own if within else rank) or "—"), unit, category or "", number(total), shown]
        row += _flag_cells(scheme, flags) + _level_cells(scheme, level)
        rows.append([*row, str(rank or "—")] if within else row)
    aligns = ["right", "left", "left", "right", "left", *(["left"] if scheme.flags else [])]
    aligns += ["right"] if scheme.roll_up is not None else []
    aligns += ["right"] if within else []
    table = format_table(headers, rows, aligns)
    if colour:
        lines = table.splitlines()
        for i, entry in enumerate(ranked):
            lines[i + 2] = _paint(lines[i + 2], entry[4], grades, True)
        table = "\n".join(lines)
    legend = stand_in_legend(scheme, source or None)
    return f"{table}\n\n{legend}" if legend else table


_HEAD_ZH = ["排名", "单位", "类别", "总分", "等次"]
_HEAD_EN = ["rank", "unit", "category", "total", "grade"]


def _streamable(args: argparse.Namespace) -> bool:
    """Whether score can read the data as a stream: any output but a workbook, from a CSV or workbook file."""
    if args.format not in ("csv", "json", "jsonl", "table") or args.data == "sample":
        return False
    return Path(args.data).suffix.lower() in (".csv", ".txt", ".xlsx", ".xlsm")


def _score_streamed(args: argparse.Namespace, scheme: Scheme, out: TextIO, err: TextIO) -> int:
    """score for large files: units are read, scored and let go one chunk at a time."""
    from ..pipeline.stream import score_file

    if not Path(args.data).exists():
        raise UsageError(
            _("no data file '{name}'").format(name=args.data),
            _("give a CSV or JSON file, or 'sample' for a built-in scheme"),
        )
    if args.sheet is not None and Path(args.data).suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(
            _("--sheet is only for Excel workbooks (.xlsx)"), _("leave out --sheet for CSV or JSON")
        )
    progress = _StreamProgress(err)
    explained = args.format == "json"
    run = score_file(
        scheme,
        args.data,
        sheet=args.sheet,
        category=args.category,
        progress=progress,
        jobs=args.jobs,
        explained=explained,
    )
    progress.done()
    with run:
        return _write_streamed(args, scheme, run, out, err)


def _write_streamed(
    args: argparse.Namespace, scheme: Scheme, run: StreamedRun, out: TextIO, err: TextIO
) -> int:
    """The output of a streamed score: notes on stderr, then the results in the format asked for."""
    notes = [*(f"{n.path}: {n.message}" for n in run.notes)]
    notes += [str(e) for o in run.outcomes for e in o.events if e.kind == "note"]
    for note in notes[:_MAX_NOTES]:
        err.write(_("note: {text}").format(text=f"{args.data}, {note}") + "\n")
    if len(notes) > _MAX_NOTES:
        err.write(_more_notes(len(notes) - _MAX_NOTES))
    ranked = run.ranking()
    zh = scheme.language == "zh"
    failed = [e for o in ranked for e in o.errors]
    if args.format == "csv":
        indicators = scheme.indicators()
        blank = "," * (len(indicators) - 1)
        lines: list[Sequence[object]] = [_csv_head(scheme)]
        lines += (
            [
                o.rank,
                o.unit.name,
                o.unit.category,
                Figure(o.shown_total or cell_number(o.total)),
                o.grade,
                *_flag_cells(scheme, o.flags),
                FigureRun(o.rendered or blank),
                "; ".join(str(e) for e in o.errors),
            ]
            for o in ranked
        )
        _emit(csv_lines(lines), args.output, out, bom=True)
        _csv_legend(scheme, args.scheme, err)
    elif args.format == "json":
        _emit(_json_document(scheme.name, _streamed_records(scheme, run)), args.output, out)
    elif args.format == "jsonl":
        codes = [i.code for i in scheme.indicators()]
        blank = "," * (len(codes) - 1)
        _emit(
            (
                _jsonl_line(
                    o.rank,
                    o.unit.name,
                    o.unit.category,
                    o.shown_total or cell_number(o.total),
                    o.grade,
                    zip(codes, (o.rendered or blank).split(","), strict=True),
                    o.errors,
                    o.flags if scheme.flags else None,
                )
                for o in ranked
            ),
            args.output,
            out,
        )
    else:
        colour = args.output is None and _colour(out)
        rows = [
            (
                o.rank,
                o.unit.name,
                o.unit.category,
                o.total,
                o.grade,
                not o.errors,
                o.category_rank,
                o.flags,
                0,
            )
            for o in ranked
        ]
        text = _table_of(scheme, rows, colour, args.scheme)
        if failed:
            text += "\n\n" + ("未能计分：" if zh else _("could not be scored:")) + "\n"
            text += "\n".join(f"  {e}" for e in failed)
        _emit(text, args.output, out)
    if failed:
        err.write(_not_scored(len({e.unit for e in failed})))
        return EXIT_PROBLEMS
    return EXIT_OK


class _StreamProgress:
    """Units scored so far and the rate (tqdm), on one line of stderr, only in a terminal.

    A stream's length is not known in advance, so the bar counts and shows
    units per second rather than the time left.
    """

    def __init__(self, stream: TextIO) -> None:
        self.bar: Any = _bar(stream, None, N_("units")) if stream.isatty() else None

    def __call__(self, done: int, unit: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(unit[:12], refresh=False)
            self.bar.update(done - self.bar.n)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _not_scored(count: int, names: str = "") -> str:
    """The closing line on stderr when units could not be scored."""
    if names:
        text = _("perfrules: {count} unit(s) could not be scored: {names}")
    else:
        text = _("perfrules: {count} unit(s) could not be scored")
    return text.format(count=count, names=names) + "\n"


def _error_lines(evaluation: Evaluation | Totals) -> list[str]:
    return [f"  {e}" for e in evaluation.errors]


def _json_chunks(evaluation: Evaluation) -> Iterator[str]:
    """``json.dumps(records(evaluation), indent=2)``, written one unit at a time (never one huge string)."""
    # Explained one unit at a time and let go: memory stays that of the totals.
    texts = (
        json.dumps(unit_records(result._explained_once()), ensure_ascii=False, indent=2)
        for result in evaluation.ranking()
    )
    return _json_document(evaluation.scheme.name, texts)


def _json_document(scheme_name: str, records: Iterable[str]) -> Iterator[str]:
    """The JSON document of score's output, ``{"scheme": …, "units": [records]}`` as
    ``json.dumps(…, indent=2)`` writes it, from each unit's record as that writes it alone."""
    name = json.dumps(scheme_name, ensure_ascii=False)
    yield f'{{\n  "scheme": {name},\n  "units": ['
    first = True
    for text in records:
        # JSON text holds no raw line breaks inside strings, so lines can be indented one by one.
        yield ("\n" if first else ",\n") + "\n".join("    " + line for line in text.split("\n"))
        first = False
    yield "]\n}" if first else "\n  ]\n}"


def _streamed_records(scheme: Scheme, run: StreamedRun) -> Iterator[str]:
    """Each unit's JSON record, in ranking order, as ``json.dumps(unit_records(…), indent=2)`` writes it.

    The members that need the unit's explanation were written when it was
    scored (see ``perfrules.pipeline.stream.SPILLED``); the others — rank, category
    rank, grade and events, which quotas and ranking settle only at the end —
    are written now, from the unit's compact outcome, by the same
    ``unit_records``.
    """
    for outcome, spilled in run.explained():
        head = unit_records(unit_result(scheme, outcome))
        members = [
            spilled if key == SPILLED[0] else member
            for key, member in zip(head, json_members(head), strict=True)
            if key == SPILLED[0] or key not in SPILLED
        ]
        yield "{\n" + ",\n".join(members) + "\n}"


def _json_cell(text: str) -> int | float | None:
    """A number cell of CSV output as JSON writes numbers (as ``--format json`` does)."""
    if not text:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _jsonl_line(
    rank: int | None,
    unit: str,
    category: str | None,
    total: str,
    grade: str | None,
    scores: Iterable[tuple[str, str]],
    errors: Iterable[object],
    flags: Sequence[str] | None = None,
) -> str:
    """One unit of ``--format jsonl``: what a CSV row holds, as one JSON object on one line."""
    record: dict[str, object] = {
        "rank": rank,
        "unit": unit,
        "category": category,
        "total": _json_cell(total),
        "grade": grade,
        **({"flags": list(flags)} if flags is not None else {}),
        "scores": {code: _json_cell(text) for code, text in scores},
        "errors": [str(e) for e in errors],
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def _figure(value: Number | None) -> Figure | None:
    return None if value is None else Figure(number(value, 6))


def _csv_legend(scheme: Scheme, source: str, err: TextIO) -> None:
    """A CSV has no room for a legend: what ※ in its header marks goes to stderr, as a note."""
    legend = stand_in_legend(scheme, source)
    if legend:
        err.write(_("note: {text}").format(text=legend) + "\n")


def _csv_head(scheme: Scheme) -> list[str]:
    """The CSV header: the result columns, each indicator (※ when its rule is a stand-in), errors.

    The ranks are the overall ones; a scheme ranked within category keeps them
    (the 类别 column sorts the rows into categories in a spreadsheet).
    """
    zh = scheme.language == "zh"
    heads = _result_heads(scheme)
    heads[0] = "排名" if zh else "rank"
    return [
        *heads,
        *(marked(f"{i.code} {i.name}", bool(i.stand_in)) for i in scheme.indicators()),
        "错误" if zh else "errors",
    ]


def _csv_text(evaluation: Evaluation | Totals) -> str:
    """Score's CSV output (text escaped by csv_lines, numbers as they are)."""
    return "".join(_csv_lines(evaluation))


def _csv_lines(evaluation: Evaluation | Totals) -> Iterator[str]:
    """The CSV lines of score's output, one at a time."""
    indicators = evaluation.scheme.indicators()
    yield from csv_lines([_csv_head(evaluation.scheme)])
    for r in evaluation.ranking():
        scores = {i.code: i.score for i in r.indicators}
        yield from csv_lines(
            [
                [
                    r.rank,
                    r.unit,
                    r.category,
                    _figure(r.total),
                    r.grade,
                    *_flag_cells(evaluation.scheme, r.flags),
                    *_level_cells(evaluation.scheme, getattr(r, "level", 0)),
                    *(
                        None if scores.get(i.code) is None else Figure(number(scores[i.code], 6))
                        for i in indicators
                    ),
                    "; ".join(str(e) for e in r.errors),
                ]
            ]
        )


def _emit(text: str | Iterable[str], output: str | None, out: TextIO, *, bom: bool = False) -> None:
    """Write the output, whole or in pieces, to standard output or to the file ``-o`` names.

    Called only once the results are complete; a regular file is replaced
    whole or not at all (a failed run leaves an earlier output file as it
    was), anything else (``/dev/null``, a FIFO …) is written to, never
    replaced (see ``perfrules._writers.output_kind``).
    """
    chunks = [text] if isinstance(text, str) else text
    if output is None:
        last = ""
        for chunk in chunks:
            out.write(chunk)
            last = chunk or last
        if not last.endswith("\n"):
            out.write("\n")
        return
    with open_output(output, encoding="utf-8-sig" if bom else "utf-8") as stream:
        for chunk in chunks:
            stream.write(chunk)


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
    out.write(_ranking_table(evaluation, _colour(out), name) + "\n")
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
        format_table(
            [_("name"), _("scheme"), _("indicators"), _("total")], rows, ["left", "left", "right", "right"]
        )
        + "\n"
    )
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..analysis.check import check_data

    scheme = _scheme(args.scheme)
    if not Path(args.data).exists():
        raise UsageError(
            _("no data file '{name}'").format(name=args.data), _("give a CSV, Excel (.xlsx) or JSON file")
        )
    expected = None
    if args.units is not None:
        if Path(args.units).suffix.lower() == ".txt":
            from ..files.tables import read_text  # UTF-8 (with or without BOM), UTF-16 or GBK, as for data

            text = read_text(Path(args.units).read_bytes(), args.units)
            expected = [line.strip() for line in text.splitlines()]
            expected = [name for name in expected if name]
        else:
            expected = [u.name for u in _units(scheme, args.units, args.scheme, None, io.StringIO())]
    found = check_data(scheme, args.data, sheet=args.sheet, expected=expected)
    if found.problems:
        count = len(found.problems)
        err.write(
            ngettext("{what}: {count} problem", "{what}: {count} problems", count).format(
                what=args.data, count=count
            )
            + "\n"
        )
        for problem in found.problems:
            err.write(f"  {problem.path}: {problem.message}\n")
        return EXIT_PROBLEMS
    out.write(
        _("ok: {data} — {units} units, {columns} input columns").format(
            data=args.data, units=len(found.units), columns=len(found.columns)
        )
        + "\n"
    )
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if getattr(args, "data", None) is not None:
        code = _cmd_validate(argparse.Namespace(scheme=args.scheme, data=None), out, err)
        return code if code != EXIT_OK else _cmd_check(args, out, err)
    try:
        scheme = _scheme(args.scheme)
    except SchemeError as exc:
        count = len(exc.problems)
        err.write(
            ngettext("{what}: {count} problem", "{what}: {count} problems", count).format(
                what=exc.title, count=count
            )
            + "\n"
        )
        for problem in exc.problems:
            err.write(f"  {problem.path or _('(file)')}: {problem.message}\n")
        return EXIT_PROBLEMS
    todos = scheme.todos()
    if todos:
        # An imported draft: valid as far as it goes, but not finished.
        err.write(
            ngettext(
                "draft: {name} — {count} todo to write", "draft: {name} — {count} todos to write", len(todos)
            ).format(name=scheme.name, count=len(todos))
            + "\n"
        )
        for whose, todo in todos:
            err.write("  " + _("todo: {where}: {what}").format(where=whose, what=todo) + "\n")
        return EXIT_PROBLEMS
    out.write(
        _("ok: {name} — {indicators} indicators, {groups} groups").format(
            name=scheme.name,
            indicators=len(scheme.indicators()),
            groups=len(list(scheme.paths())) - len(scheme.indicators()),
        )
        + "\n"
    )
    for note in scheme.notes:
        out.write(_("note: {text}").format(text=f"{note.path or _('(scheme)')}: {note.message}") + "\n")
    for where, what in stand_in_list(scheme):
        out.write(_("stand-in: {where}: {what}").format(where=where, what=what) + "\n")
    return EXIT_OK


def _cmd_template(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..files.template import write_template

    if Path(args.output).suffix.lower() != ".xlsx":
        raise UsageError(
            _("the template is an Excel workbook: '{name}' does not end in .xlsx").format(name=args.output)
        )
    scheme = _scheme(args.scheme)
    units: list[Unit | str] = []
    if args.units is not None:
        units += _units(scheme, args.units, args.scheme, None, err)
    units += args.unit or []
    try:
        write_template(scheme, args.output, units=units, not_applicable=args.not_applicable)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    count = len({getattr(u, "name", u) for u in units})
    out.write(_("wrote {name}: {count} unit(s)").format(name=args.output, count=count) + "\n")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..files.import_table import import_table, parse_columns

    if not Path(args.table_file).exists():
        raise UsageError(
            _("no file '{name}'").format(name=args.table_file),
            _("give a Word (.docx), Excel (.xlsx) or CSV table"),
        )
    try:
        columns = parse_columns(args.columns or "")
    except ValueError as exc:
        raise UsageError(str(exc), _("e.g. --columns 考评办法=rule,牵头处室=metadata")) from None
    table: str | int | None = args.table
    if isinstance(table, str) and table.isdigit():
        table = int(table)
    try:
        imported = import_table(args.table_file, table=table, columns=columns, name=args.name)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    _emit(imported.toml(), args.output, out)
    where = _("wrote {name}").format(name=args.output) if args.output else _("the draft is above")
    err.write(
        _("{source}: {indicators} indicators; read {read} rule(s), {left} todo(s) left; {where}").format(
            source=imported.source,
            indicators=len(imported.scheme.indicators()),
            read=imported.read,
            left=imported.left,
            where=where,
        )
        + "\n"
    )
    if imported.left:
        err.write(
            _("hint: {text}").format(
                text=_("'perfrules validate DRAFT' lists the todos with their table row and column")
            )
            + "\n"
        )
    return EXIT_OK


def _cmd_table(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..files.publish import write_table

    if Path(args.output).suffix.lower() not in (".docx", ".xlsx"):
        raise UsageError(_("the table is written as .docx or .xlsx, not '{name}'").format(name=args.output))
    scheme = _scheme(args.scheme)
    try:
        write_table(scheme, args.output)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    todos = len(scheme.todos())
    wrote = _("wrote {name}: {count} indicators").format(name=args.output, count=len(scheme.indicators()))
    out.write(wrote + (_(", {count} todo(s) marked").format(count=todos) if todos else "") + "\n")
    return EXIT_OK


def _wants_workbook(args: argparse.Namespace) -> bool:
    """Whether ``score`` writes an Excel workbook.

    It does for ``-o FILE.xlsx`` whatever ``--format`` says (JSON text in a
    .xlsx file would only be a broken workbook), and for ``--format xlsx``.
    """
    if args.format == "xlsx" and args.output is None:
        raise UsageError(_("--format xlsx writes a file"), _("add -o FILE.xlsx"))
    return args.format == "xlsx" or (args.output is not None and Path(args.output).suffix.lower() == ".xlsx")


def _write_workbook(evaluation: Evaluation, output: str) -> None:
    """Write the workbook (atomically: an existing file is replaced only once the new one is complete)."""
    from ..results.workbook import write_workbook

    try:
        write_workbook(evaluation, output)
    except ImportError as exc:
        raise UsageError(str(exc), _("or write --format csv, which Excel also opens")) from None


def _cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..files.schemefile import scheme_json_schema

    out.write(json.dumps(scheme_json_schema(), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    workbook = _wants_workbook(args)
    scheme = _scheme(args.scheme)
    # Parents from their sub-units ([roll_up]) need every unit at once: not streamed.
    if not workbook and scheme.roll_up is None and _streamable(args):
        return _score_streamed(args, scheme, out, err)
    units = _units(scheme, args.data, args.scheme, args.category, err, args.sheet)
    evaluation = _evaluate(scheme, units, err)
    if workbook:
        _write_workbook(evaluation, args.output)
    elif args.format == "json":
        _emit(_json_chunks(evaluation), args.output, out)
    elif args.format == "jsonl":
        codes = [i.code for i in scheme.indicators()]

        def line(r: UnitResult) -> str:
            scores = {i.code: i.score for i in r.indicators}
            cells = ((code, _figure(scores.get(code)) or "") for code in codes)
            return _jsonl_line(
                r.rank,
                r.unit,
                r.category,
                _figure(r.total) or "",
                r.grade,
                cells,
                r.errors,
                r.flags if scheme.flags else None,
            )

        _emit(map(line, evaluation.ranking()), args.output, out)
    elif args.format == "csv":
        _emit(_csv_lines(evaluation), args.output, out, bom=True)
        _csv_legend(scheme, args.scheme, err)
    else:
        colour = args.output is None and _colour(out)
        text = _ranking_table(evaluation, colour, args.scheme)
        if evaluation.errors:
            text += "\n\n" + ("未能计分：" if scheme.language == "zh" else _("could not be scored:")) + "\n"
            text += "\n".join(_error_lines(evaluation))
        _emit(text, args.output, out)
    if evaluation.errors:
        err.write(_not_scored(len({e.unit for e in evaluation.errors})))
        return EXIT_PROBLEMS
    return EXIT_OK


def _one_unit(evaluation: Evaluation, name: str) -> str:
    try:
        return evaluation.unit(name).unit
    except KeyError as exc:
        raise UsageError(
            str(exc.args[0]), _("the units are: {names}").format(names=", ".join(r.unit for r in evaluation))
        ) from None


def _cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scheme = _scheme(args.scheme)
    evaluation = _evaluate(
        scheme, _units(scheme, args.data, args.scheme, args.category, err, args.sheet), err
    )
    result = evaluation.unit(_one_unit(evaluation, args.unit))
    if args.format == "json":
        # Explained one unit at a time and let go: memory stays that of the totals.
        text = json.dumps(unit_records(result._explained_once()), ensure_ascii=False, indent=2) + "\n"
    else:
        text = result.explain() + "\n"
    _emit(text, args.output, out)
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def _cmd_whatif(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scheme = _scheme(args.scheme)
    units = _units(scheme, args.data, args.scheme, args.category, err, args.sheet)
    evaluation = evaluate(scheme, units)
    name = _one_unit(evaluation, args.unit)
    current = evaluation.unit(name)
    if not current.ok:
        err.write(
            _("perfrules: error: {message}").format(
                message=_("'{name}' cannot be scored, so there is nothing to improve from").format(name=name)
            )
            + "\n"
        )
        for line in _error_lines(evaluation):
            err.write(line + "\n")
        return EXIT_PROBLEMS
    options = whatif(scheme, units, name)
    if args.format == "json":
        _emit(
            json.dumps(_whatif_record(current, options), ensure_ascii=False, indent=2) + "\n",
            args.output,
            out,
        )
        return EXIT_OK
    _emit(_whatif_text(scheme, args.scheme, current, options), args.output, out)
    return EXIT_OK


def _whatif_record(current: UnitResult, options: Sequence[WhatIf]) -> dict[str, object]:
    """whatif's findings as plain data (``--format json``), numbers as score's JSON writes them."""
    stand_ins = {i.code for i in current.indicators if i.stand_in}
    return {
        "unit": current.unit,
        "total": json_number(current.total),
        "grade": current.grade,
        "stand_in": current.stand_in or None,
        "options": [
            {
                "indicator": w.indicator,
                "name": w.name,
                "grade": w.grade,
                "target": w.target,
                "field": w.field,
                "current": json_number(w.current),
                "needed": json_number(w.needed),
                "change": json_number(w.change),
                "score": json_number(w.score),
                "total": json_number(w.total),
                "total_change": json_number(w.total_change),
                "stand_in": w.indicator in stand_ins,
            }
            for w in options
        ],
    }


def _whatif_text(scheme: Scheme, source: str, current: UnitResult, options: Sequence[WhatIf]) -> str:
    """whatif's findings as a heading and a table."""
    name = current.unit
    zh = scheme.language == "zh"
    lines: list[str] = []
    if current.grade is None:
        lines.append(
            f"{name}：总分 {number(current.total)}" if zh else f"{name}: total {number(current.total)}"
        )
    else:
        grade = marked(f"等次“{current.grade}”" if zh else f"grade {current.grade}", bool(current.stand_in))
        lines.append(
            f"{name}：总分 {number(current.total)}，{grade}"
            if zh
            else f"{name}: total {number(current.total)}, {grade}"
        )
    if not options:
        lines.append(
            "没有可以通过单项数据提升等次的指标。"
            if zh
            else "No single input change moves an indicator up a grade."
        )
        return "\n".join(lines) + "\n"
    headers = (
        ["指标", "等次", "数据项", "现值", "需达到", "变化", "总分变化"]
        if zh
        else ["indicator", "grade", "input", "now", "needed", "change", "total change"]
    )
    stand_ins = {i.code for i in current.indicators if i.stand_in}
    rows = [
        [
            marked(f"{w.indicator} {w.name}", w.indicator in stand_ins),
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
    lines.append(format_table(headers, rows, ["left", "left", "left", "right", "right", "right", "right"]))
    legend = stand_in_legend(scheme, source)
    if legend:
        lines.extend(["", legend])
    return "\n".join(lines) + "\n"


def _sensitivity_csv(result: Sensitivity) -> Iterator[str]:
    """The CSV lines of sensitivity's output, written as score's are (text escaped, numbers as they are)."""
    head = ["rank", "unit", "category", "rank_low", "rank_high", "rank_median", *result.grade_names]
    graded = ["grade_changes", "grade_best", "grade_worst"] if result.grade_names else []
    driver = ["driver"] if result.inputs else []  # with --indices: the input that moves the rank most
    rows: list[Sequence[object]] = [head + graded + driver]
    rows += (
        [
            record["rank"],
            record["unit"],
            record["category"],
            record["rank_low"],
            record["rank_high"],
            record["rank_median"],
            *(record["grades"].get(g) for g in result.grade_names),
            *(record[key] for key in graded),
            *([record.get("driver")] if driver else []),
        ]
        for record in result.to_records()["units"]
    )
    return csv_lines(rows)


_CHART_SUFFIXES = (".png", ".svg", ".pdf")


def _spread_option(text: str, option: str, hint: str) -> Decimal:
    try:
        spread = Decimal(text)
    except ArithmeticError:
        spread = Decimal("NaN")
    if not spread.is_finite() or not 0 <= spread < 1:
        raise UsageError(
            _("{option} must be a number from 0 up to (not including) 1 (got {value})").format(
                option=option, value=text
            ),
            hint,
        )
    return spread


_SENSITIVITY_OPTIONS = (
    ("vary_policies", "--vary-policy"),
    ("vary_aggregate", "--vary-aggregate"),
    ("boundary_shift", "--boundary-shift"),
    ("boundary_scales", "--boundary-scales"),
)
"""The API's names at the start of sensitivity's errors, and the options they are on the command line."""

_SPREAD_OPTIONS = (
    ("weight_spread", "--weight-spread"),
    ("group_spread", "--group-spread"),
    ("vary_default_score", "--vary-default-score"),
)


def _shift_option(text: str) -> Decimal:
    try:
        shift = Decimal(text)
    except ArithmeticError:
        shift = Decimal("NaN")
    if not shift.is_finite() or shift < 0:
        raise UsageError(
            _("--boundary-shift must be a number, 0 or more (got {value})").format(value=text),
            _("2 moves each scale's boundaries by up to 2 of its units (分, or percentage points)"),
        )
    return shift


def _names(text: str) -> list[str]:
    """The names in a comma-separated list (full-width commas too)."""
    return [name.strip() for name in text.replace("，", ",").split(",") if name.strip()]


def _cmd_sensitivity(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.runs < 1:
        raise UsageError(_("--runs must be at least 1 (got {runs})").format(runs=args.runs))
    spread = _spread_option(
        args.weight_spread, "--weight-spread", _("0.2 scales each weight by a factor between 0.8 and 1.2")
    )
    group = _spread_option(
        args.group_spread,
        "--group-spread",
        _("0.2 scales each top-level group by a factor between 0.8 and 1.2"),
    )
    shift = _shift_option(args.boundary_shift)
    boundary_scales = _names(args.boundary_scales)
    aggregates: bool | list[str] = (
        False
        if args.vary_aggregate is None
        else True
        if args.vary_aggregate.strip() == "all"
        else _names(args.vary_aggregate)
    )
    chart = args.output is not None and Path(args.output).suffix.lower() in _CHART_SUFFIXES
    try:  # the optional packages are checked before anything is scored
        if chart:
            from .. import plot

            plot._pyplot()
        if args.indices:
            from ..analysis.sensitivity_runs import salib

            salib()
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    scheme = _scheme(args.scheme)
    units = _units(scheme, args.data, args.scheme, args.category, err, args.sheet)
    try:
        result = sensitivity(
            scheme,
            units,
            runs=args.runs,
            seed=args.seed,
            weight_spread=spread,
            group_spread=group,
            vary_default_score=args.vary_default_score,
            boundary_shift=shift,
            boundary_scales=boundary_scales,
            vary_policies=args.vary_policy or (),
            vary_aggregate=aggregates,
            indices=args.indices,
            jobs=args.jobs,
            progress=_runs_progress(err),
        )
    except KeyError as exc:  # a code in --boundary-scales that names no indicator
        raise UsageError(f"--boundary-scales: {exc.args[0]}") from None
    except ValueError as exc:
        message = str(exc)
        if message.startswith(tuple(word for word, _ in _SENSITIVITY_OPTIONS)):
            for word, option in _SENSITIVITY_OPTIONS:
                message = message.replace(word, option)
            raise UsageError(message) from None
        if "vary_default_score=True needs" in str(exc):
            raise UsageError(str(exc).replace("vary_default_score=True", "--vary-default-score")) from None
        if "indices=True needs" in str(exc):
            message = str(exc).replace("indices=True", "--indices")
            for word, option in (*_SENSITIVITY_OPTIONS, *_SPREAD_OPTIONS):
                message = message.replace(word, option)
            raise UsageError(
                message,
                _("give --weight-spread or --group-spread a value above 0"),
            ) from None
        raise
    output = None if chart else args.output
    if chart:
        _write_chart(result, Path(args.output))
    failed = [u.unit for u in result.units if not u.scored]
    if args.format == "json":
        _emit(json.dumps(result.to_records(), ensure_ascii=False, indent=2), output, out)
    elif args.format == "csv":
        _emit(_sensitivity_csv(result), output, out, bom=True)
    else:
        zh = scheme.language == "zh"
        bounds = f"[{1 - spread}, {1 + spread}]"
        head = (
            f"{result.runs} 次随机权重（各权重 ×{bounds}，种子 {result.seed}）"
            if zh
            else f"{result.runs} runs, each weight ×{bounds}, seed {result.seed}"
        )
        if group:
            groups = f"[{1 - group}, {1 + group}]"
            head += f"，各一级指标组 ×{groups}" if zh else f", each top-level group ×{groups}"
        if result.vary_default_score:
            head += "，无数据默认分取下限/中值/上限" if zh else ", no-data defaults bottom/midpoint/top"
        if result.boundary_scales:
            head += (
                f"，{len(result.boundary_scales)} 个评分标准的等次界限 ±{result.boundary_shift}"
                if zh
                else f", the band boundaries of {len(result.boundary_scales)} scales ±{result.boundary_shift}"
            )
        others = [name for name in result.alternatives if name != "policy:default-score"]
        if others:
            head += ("，" if zh else ", ") + ", ".join(
                f"{name} ({'/'.join(result.alternatives[name])})" for name in others
            )
        head = f"{scheme.name}\n{head}\n"
        legend = stand_in_legend(scheme, args.scheme)
        indices = f"\n\n{result.indices_table()}" if result.inputs else ""
        _emit(head + "\n" + result.table() + indices + (f"\n\n{legend}" if legend else ""), output, out)
    if failed:
        err.write(_not_scored(len(failed), ", ".join(failed)))
        return EXIT_PROBLEMS
    return EXIT_OK


def _runs_progress(err: TextIO) -> Callable[[int, int, str], None]:
    """A progress bar for sensitivity's runs, sized by the first report (the design may add runs)."""
    bars: list[_Progress] = []

    def progress(done: int, total: int, label: str) -> None:
        if not bars:
            bars.append(_Progress(total, err, what="runs"))
        bars[0](done, total, label)

    return progress


def _write_chart(result: Sensitivity, target: Path) -> None:
    """The rank-interval chart (perfrules.plot.rank_intervals); *target* is replaced only when complete."""
    from .. import plot
    from .._writers import replace_atomically

    pyplot = plot._pyplot()
    ax = plot.rank_intervals(result)
    figure: Any = ax.figure
    kind = target.suffix[1:].lower()
    try:
        replace_atomically(
            target, lambda temp: figure.savefig(temp, format=kind, dpi=150, bbox_inches="tight")
        )
    finally:
        pyplot.close(figure)
