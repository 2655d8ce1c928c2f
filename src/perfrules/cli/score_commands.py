"""The commands that score: ``demo``, ``schemes``, ``score`` (whole or streamed) and ``explain``.

Only the modules of ``perfrules.cli`` print; these handlers, and with them the
library, are imported only when a command runs (see ``perfrules.cli.main``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .._writers import Figure, FigureRun, csv_lines, json_text
from ..files.load import load, sample_units, schemes
from ..pipeline.stream import StreamedRun, cell_number
from ..results.display import (
    format_table,
    number,
    unit_records,
)
from ..results.model import Evaluation, UnitResult, evaluate
from ..results.periodcols import period_labels
from ..scheme.model import Scheme
from ..scheme.units import Unit
from ..scoring.outcome import UnitOutcome
from .base import EXIT_OK, EXIT_PROBLEMS, UsageError, emit
from .history import load_scheme as _scheme
from .history import previous_notes
from .i18n import _
from .output import (
    _colour,
    _csv_head,
    _csv_legend,
    _csv_lines,
    _error_lines,
    _figure,
    _flag_cells,
    _json_chunks,
    _json_document,
    _jsonl_line,
    _not_scored,
    _period_cells,
    _Progress,
    _ranking_table,
    _streamed_records,
    _StreamProgress,
    _table_of,
)
from .reading import _MAX_NOTES, _more_notes, _one_unit, _units

if TYPE_CHECKING:
    from ..pipeline.colrun import ColumnRun


def _evaluate(scheme: Scheme, units: Sequence[Unit], err: TextIO) -> Evaluation:
    return evaluate(scheme, units, progress=_Progress(len(units), err))


def _streamable(args: argparse.Namespace) -> bool:
    """Whether score can read the data as a stream: any output but a workbook, from a CSV or workbook file."""
    if args.format not in ("csv", "json", "jsonl", "table") or args.data == "sample":
        return False
    return Path(args.data).suffix.lower() in (".csv", ".txt", ".xlsx", ".xlsm")


def _score_streamed(args: argparse.Namespace, scheme: Scheme, out: TextIO, err: TextIO) -> int:
    """score for large files: units are read, scored and let go one chunk at a time."""
    from ..pipeline.allocator import keep_freed_memory
    from ..pipeline.stream import score_file

    keep_freed_memory()  # this process scores ranges one after the other (pipeline.allocator)

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
    from ..pipeline.colrun import ColumnRun

    outcomes = run.others() if isinstance(run, ColumnRun) else run.outcomes
    # Each period's total and grade (period_grades): the periods of the data, in their order.
    labels = period_labels(o.periods for o in outcomes)
    # A run kept as columns makes an outcome per unit only when its table is written.
    columns = run if isinstance(run, ColumnRun) and args.format in ("csv", "jsonl") and not labels else None
    notes = [*(f"{n.path}: {n.message}" for n in run.notes)]
    notes += [str(e) for o in outcomes for e in o.events if e.kind == "note"]
    for note in notes[:_MAX_NOTES]:
        err.write(_("note: {text}").format(text=f"{args.data}, {note}") + "\n")
    if len(notes) > _MAX_NOTES:
        err.write(_more_notes(len(notes) - _MAX_NOTES))
    names = run.names() if isinstance(run, ColumnRun) else (o.unit.name for o in outcomes)
    previous_notes(scheme, names, err)
    ranked = columns.ranked_others() if columns is not None else run.ranking()
    zh = scheme.language == "zh"
    failed = [e for o in ranked for e in o.errors]
    if columns is not None:
        lines = _column_csv(scheme, columns) if args.format == "csv" else _column_jsonl(scheme, columns)
        emit(lines, args.output, out, bom=args.format == "csv")
        if args.format == "csv":
            _csv_legend(scheme, args.scheme, err)
    elif args.format == "csv":
        emit(_streamed_csv(scheme, ranked, labels=labels), args.output, out, bom=True)
        _csv_legend(scheme, args.scheme, err)
    elif args.format == "json":
        emit(_json_document(scheme.name, _streamed_records(scheme, run)), args.output, out)
    elif args.format == "jsonl":
        codes = [i.code for i in scheme.indicators()]
        emit((_outcome_jsonl(scheme, codes, o) for o in ranked), args.output, out)
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
                o.periods,
            )
            for o in ranked
        ]
        text = _table_of(scheme, rows, colour, args.scheme, labels)
        if failed:
            text += "\n\n" + ("未能计分：" if zh else _("could not be scored:")) + "\n"
            text += "\n".join(f"  {e}" for e in failed)
        emit(text, args.output, out)
    if failed:
        err.write(_not_scored(len({e.unit for e in failed})))
        return EXIT_PROBLEMS
    return EXIT_OK


def _streamed_csv(
    scheme: Scheme, ranked: Sequence[UnitOutcome], *, head: bool = True, labels: Sequence[str] = ()
) -> Iterator[str]:
    """A streamed score's CSV lines, in blocks of units: a block whose text cells need neither quotes
    nor an escape (checked at once) is written a format per unit (the lines ``csv_lines`` writes for
    them), any other unit by ``csv_lines``. *labels*: the periods whose totals and grades it shows."""
    import re

    from .._writers import _FORMULA_STARTS

    # A cell that needs quotes, or one that starts (after the separator \x00) like a formula.
    unsafe = re.compile('[,"\r\n]|(?:^|\x00)[' + re.escape("".join(_FORMULA_STARTS)) + "]").search
    blank = "," * (len(scheme.indicators()) - 1)
    if head:
        yield from csv_lines([_csv_head(scheme, labels)])
    for at in range(0, len(ranked), 4096):
        units = ranked[at : at + 4096]
        names = [o.unit.name for o in units]
        categories = [o.unit.category or "" for o in units]
        grades = [o.grade or "" for o in units]
        plain = not scheme.flags and not labels and not any(o.errors for o in units)
        if plain and not unsafe("\x00".join([*names, *categories, *grades])):
            yield "".join(
                f"{'' if o.rank is None else o.rank},{name},{category},"
                f"{o.shown_total or cell_number(o.total)},{grade},{o.rendered or blank},\n"
                for o, name, category, grade in zip(units, names, categories, grades, strict=True)
            )
            continue
        rows = (
            [
                o.rank,
                o.unit.name,
                o.unit.category,
                Figure(o.shown_total or cell_number(o.total)),
                o.grade,
                *_flag_cells(scheme, o.flags),
                *_period_cells(o.periods, labels, _period_figure),
                FigureRun(o.rendered or blank),
                "; ".join(str(e) for e in o.errors),
            ]
            for o in units
        )
        yield "".join(csv_lines(rows))


def _period_figure(total: object) -> Figure | None:
    """A period's total as a streamed CSV writes a total (``cell_number``)."""
    return None if total is None else Figure(cell_number(total))  # type: ignore[arg-type]


def _column_csv(scheme: Scheme, run: ColumnRun) -> Iterator[str | bytes | _ColumnLines]:
    """The CSV lines of a run kept as columns: the head, then the units' lines (:class:`_ColumnLines`)."""
    yield from csv_lines([_csv_head(scheme)])
    yield _ColumnLines(scheme, run)


class _ColumnLines:
    """The units' CSV lines of a run kept as columns, in ranking order: a unit's rank and the tail
    of its line written when it was scored, or (for a unit kept as an outcome) the line
    ``_streamed_csv`` writes. Written at their place in a file (``ColumnRun.write_ranked_csv``:
    in two processes at once with ``--jobs`` above 1), or read as blocks (UTF-8 bytes for a block
    of lines all kept as columns)."""

    def __init__(self, scheme: Scheme, run: ColumnRun) -> None:
        self.scheme = scheme
        self.run = run

    def write_at(self, fd: int, at: int) -> int:
        return self.run.write_ranked_csv(fd, at, self._other_line)

    def _other_line(self, outcome: UnitOutcome) -> bytes:
        return "".join(_streamed_csv(self.scheme, [outcome], head=False)).encode("utf-8")

    def __iter__(self) -> Iterator[str | bytes]:
        for block in self.run.ranked_csv():
            if isinstance(block, bytes):
                yield block
                continue
            yield "".join(
                f"{'' if entry[0] is None else entry[0]},{entry[1]}"
                if isinstance(entry, tuple)
                else "".join(_streamed_csv(self.scheme, [entry], head=False))
                for entry in block
            )


def _column_jsonl(scheme: Scheme, run: ColumnRun) -> Iterator[str]:
    """The JSON Lines of a run kept as columns (as ``_write_streamed`` writes each unit's)."""
    codes = [i.code for i in scheme.indicators()]
    for block in run.ranked_blocks():
        for entry in block:
            if isinstance(entry, tuple):
                name, category, shown, grade, *cells = entry[1][:-2].split(",")
                scores = zip(codes, cells, strict=True)
                yield _jsonl_line(entry[0], name, category or None, shown, grade or None, scores, ())
            else:
                yield _outcome_jsonl(scheme, codes, entry)


def _outcome_jsonl(scheme: Scheme, codes: list[str], o: UnitOutcome) -> str:
    """A unit's line of ``--format jsonl`` from its compact outcome."""
    return _jsonl_line(
        o.rank,
        o.unit.name,
        o.unit.category,
        o.shown_total or cell_number(o.total),
        o.grade,
        zip(codes, (o.rendered or "," * (len(codes) - 1)).split(","), strict=True),
        o.errors,
        o.flags if scheme.flags else None,
        o.periods if scheme.period_grades else None,
    )


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


def _cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    workbook = _wants_workbook(args)
    scheme = _scheme(args.scheme, args.previous)
    # Parents from their sub-units ([roll_up]) need every unit at once: not streamed.
    if not workbook and scheme.roll_up is None and _streamable(args):
        return _score_streamed(args, scheme, out, err)
    units = _units(scheme, args.data, args.scheme, args.category, err, args.sheet)
    previous_notes(scheme, (u.name for u in units), err)
    evaluation = _evaluate(scheme, units, err)
    if workbook:
        _write_workbook(evaluation, args.output)
    elif args.format == "json":
        emit(_json_chunks(evaluation), args.output, out)
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
                r.periods if scheme.period_grades else None,
            )

        emit(map(line, evaluation.ranking()), args.output, out)
    elif args.format == "csv":
        emit(_csv_lines(evaluation), args.output, out, bom=True)
        _csv_legend(scheme, args.scheme, err)
    else:
        colour = args.output is None and _colour(out)
        text = _ranking_table(evaluation, colour, args.scheme)
        if evaluation.errors:
            text += "\n\n" + ("未能计分：" if scheme.language == "zh" else _("could not be scored:")) + "\n"
            text += "\n".join(_error_lines(evaluation))
        emit(text, args.output, out)
    if evaluation.errors:
        err.write(_not_scored(len({e.unit for e in evaluation.errors})))
        return EXIT_PROBLEMS
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scheme = _scheme(args.scheme, args.previous)
    evaluation = _evaluate(
        scheme, _units(scheme, args.data, args.scheme, args.category, err, args.sheet), err
    )
    result = evaluation.unit(_one_unit(evaluation, args.unit))
    if args.format == "json":
        # Explained one unit at a time and let go: memory stays that of the totals.
        text = json_text(unit_records(result._explained_once()), indent=2) + "\n"
    else:
        text = result.explain() + "\n"
    emit(text, args.output, out)
    return EXIT_OK if result.ok else EXIT_PROBLEMS
