"""The commands about schemes and their data: validate, check, import, table, template and schema.

Imported, with the library, only when one of them runs (see ``perfrules.cli.main``).
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import TextIO

from .._errors import SchemeError
from ..results.display import (
    stand_in_list,
)
from ..scheme.model import Scheme
from ..scheme.units import Unit
from ..scoring.plan import plan_of
from ..scoring.program import program_of
from .base import EXIT_OK, EXIT_PROBLEMS, UsageError, emit
from .history import load_scheme as _scheme
from .i18n import _, ngettext
from .reading import _units


def _is_name_list(path: str) -> bool:
    """Whether ``--units`` names a list of unit names, one a line (a ``.txt`` file), not a data file."""
    return Path(path).suffix.lower() == ".txt"


def _name_list(path: str) -> list[str]:
    """The unit names of a ``.txt`` list, one a line (blank lines skipped), read as data files are."""
    from ..files.encoding import read_text  # UTF-8 (with or without BOM), UTF-16 or GBK, as for data

    if not Path(path).is_file():
        raise UsageError(_("no file '{name}'").format(name=path))
    text = read_text(Path(path).read_bytes(), path)
    return [name for name in (line.strip() for line in text.splitlines()) if name]


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..analysis.check import check_data

    scheme = _scheme(args.scheme, args.previous)
    if not Path(args.data).exists():
        raise UsageError(
            _("no data file '{name}'").format(name=args.data), _("give a CSV, Excel (.xlsx) or JSON file")
        )
    expected = None
    if args.units is not None:
        if _is_name_list(args.units):
            expected = _name_list(args.units)
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
        if found.units:
            _share(scheme, args, out)
        return EXIT_PROBLEMS
    out.write(
        _("ok: {data} — {units} units, {columns} input columns").format(
            data=args.data, units=len(found.units), columns=len(found.columns)
        )
        + "\n"
    )
    if found.units:
        _share(scheme, args, out)
    return EXIT_OK


def _share(scheme: Scheme, args: argparse.Namespace, out: TextIO) -> None:
    """How many of the data's units the column program scores, and how many it cannot score yet."""
    from ..files.data import load_units
    from ..scoring.colshare import column_share

    share = column_share(plan_of(scheme), load_units(args.data, scheme=scheme, sheet=args.sheet))
    total = share.columns + share.unscored
    out.write(
        _(
            "scoring: {columns} of {total} units as columns; "
            "{unscored} the column program cannot score yet (each with an error that says so)"
        ).format(columns=share.columns, total=total, unscored=share.unscored)
        + "\n"
    )


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if getattr(args, "data", None) is not None:
        code = _cmd_validate(
            argparse.Namespace(scheme=args.scheme, data=None, previous=args.previous), out, err
        )
        return code if code != EXIT_OK else _cmd_check(args, out, err)
    try:
        scheme = _scheme(args.scheme, args.previous)
        if not scheme.todos():
            program_of(plan_of(scheme))  # a form the column program does not compile is refused here
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
    if args.units is not None and _is_name_list(args.units):
        units += _name_list(args.units)
    elif args.units is not None:
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
    emit(imported.toml(), args.output, out)
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


def _cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..files.schemefile import scheme_json_schema

    out.write(json.dumps(scheme_json_schema(), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK
