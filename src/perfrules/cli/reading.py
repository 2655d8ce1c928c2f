"""What the commands read: a scheme by name or file, and units from a file, ``sample`` or standard input."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ..files.data import UnitList, load_units, units_from_csv, units_from_json
from ..files.encoding import read_text
from ..files.jsonfile import parse_json
from ..files.load import sample_units, schemes
from ..results.model import Evaluation
from ..scheme.model import Scheme
from ..scheme.units import Unit
from .base import UsageError
from .i18n import _

_MAX_NOTES = 20  # reading notes printed before the results


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
) -> Sequence[Unit]:
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


def _one_unit(evaluation: Evaluation, name: str) -> str:
    try:
        return evaluation.unit(name).unit
    except KeyError as exc:
        raise UsageError(
            str(exc.args[0]), _("the units are: {names}").format(names=", ".join(r.unit for r in evaluation))
        ) from None
