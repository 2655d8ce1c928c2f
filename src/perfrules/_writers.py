"""Writing results: files that are never half-written or destroyed, CSV that spreadsheets do not execute.

An output path is one of two kinds. A regular file (or a new name) is
*replaced*: the data goes to a temporary file beside it, which is moved into
place only once it is complete, so a failed run leaves the old file as it was.
Anything else — ``/dev/null``, ``/dev/full``, ``/dev/stdout``, a terminal, a
FIFO, a file that is one of this process's standard streams — is *written to*
as it is, the way ``>`` does: replacing a device with a regular file would
break it for every later user (as root, for the whole machine), and a FIFO's
reader would never see the data. A read-only regular file is refused. Every
error names the target, never the hidden temporary file.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Final, Literal, cast

__all__ = [
    "Figure",
    "csv_lines",
    "escape_csv_text",
    "json_members",
    "json_text",
    "open_output",
    "output_kind",
    "replace_atomically",
    "write_atomic",
]

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_SYSTEM_TREES: Final = ("/dev/", "/proc/", "/sys/")


def _named(exc: OSError, target: Path) -> OSError:
    """The same error, naming *target* (not a temporary file or a folder)."""
    if exc.errno is None:
        return OSError(f"{exc}: {target}")
    return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(target))


def _is_std_stream(info: os.stat_result) -> bool:
    for fd in (0, 1, 2):
        try:
            if os.path.samestat(info, os.fstat(fd)):
                return True
        except OSError:
            continue
    return False


def output_kind(target: str | Path) -> Literal["replace", "write"]:
    """How an output path is written: ``"replace"`` (atomically) or ``"write"`` (straight, as ``>`` does).

    A regular file that is writable, or a name that does not exist yet, is
    replaced. A device, FIFO, socket, anything under ``/dev``, ``/proc`` or
    ``/sys``, and a file that is this process's standard input, output or
    error (``/dev/stdout`` redirected to a file) is written to as it is.

    Raises:
        PermissionError: a read-only regular file (it is not replaced, even
            by root, who could).
        IsADirectoryError: a folder.

    >>> output_kind("/dev/null")
    'write'
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     output_kind(Path(folder, "new.csv"))
    'replace'
    """
    path = Path(target)
    absolute = os.path.abspath(path)
    if absolute.startswith(_SYSTEM_TREES) or os.path.realpath(path).startswith(_SYSTEM_TREES):
        return "write"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "replace"
    except OSError as exc:
        raise _named(exc, path) from None
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if not stat.S_ISREG(info.st_mode) or _is_std_stream(info):
        return "write"
    if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "the file is read-only, so it is not replaced", str(path))
    return "replace"


@contextlib.contextmanager
def _replacing(target: Path) -> Iterator[str]:
    """A temporary file beside the real *target*; moved over it when the block ends without an error."""
    real = Path(os.path.realpath(target))  # a symbolic link stays a link: its file is replaced
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    except OSError as exc:
        raise _named(exc, target) from None
    os.close(handle)
    try:
        yield temp
        if real.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp, real.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise _named(exc, target) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def open_output(
    target: str | Path, *, encoding: str | None = "utf-8", newline: str | None = ""
) -> Iterator[IO[str]]:
    """A text stream that writes *target* safely (see :func:`output_kind`).

    A regular file is replaced only when the block ends without an error,
    and then with everything written (flushed and ``fsync``-ed); on any
    failure, ``KeyboardInterrupt`` included, it keeps its bytes and no
    temporary file is left. Anything else is written to as it is. Errors
    are ``OSError`` naming *target*.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with open_output(Path(folder, "out.csv")) as stream:
    ...         _ = stream.write("单位,总分\\n")
    ...     Path(folder, "out.csv").read_text(encoding="utf-8"), os.listdir(folder)
    ('单位,总分\\n', ['out.csv'])
    """
    path = Path(target)
    if output_kind(path) == "write":
        try:
            with open(path, "w", encoding=encoding, newline=newline) as stream:
                yield stream
        except OSError as exc:
            raise _named(exc, path) from None
        return
    with _replacing(path) as temp, open(temp, "w", encoding=encoding, newline=newline) as stream:
        yield stream
        stream.flush()
        os.fsync(stream.fileno())


def write_atomic(path: str | Path, data: bytes | str, *, encoding: str = "utf-8") -> None:
    """Write a file so that it is either complete or untouched (see :func:`output_kind`).

    The data goes to a temporary file in the target's folder (so the rename
    stays on one file system), is flushed and ``fsync``-ed, and only then
    replaces the target with ``os.replace`` (atomic on POSIX and Windows).
    On any failure, including ``KeyboardInterrupt``, the temporary file is
    removed and an existing target keeps its bytes. Devices, FIFOs and
    standard streams are written to as they are, never replaced.

    Args:
        path: the file to write.
        data: bytes, or text to encode with *encoding*.
        encoding: for text (``utf-8-sig`` writes the BOM Excel looks for).

    Raises:
        OSError: naming *path*: the folder is missing or not writable, the
            file is read-only, the disk is full …
        UnicodeEncodeError: *data* cannot be encoded with *encoding*.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder, "out.csv")
    ...     write_atomic(target, "单位,总分\\n")
    ...     target.read_text(encoding="utf-8"), os.listdir(folder)
    ('单位,总分\\n', ['out.csv'])
    """
    payload = data.encode(encoding) if isinstance(data, str) else data

    def save(temp: str) -> None:
        with open(temp, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())

    replace_atomically(Path(path), save)


def replace_atomically(target: Path, save: Callable[[str], object]) -> None:
    """Have ``save(temp_path)`` write a temporary file beside *target*, then move it into place.

    The temporary file is in the target's folder (so the rename stays on one
    file system); an existing target keeps its permissions, a new one gets
    the usual ones (mkstemp creates 0600). On any failure the temporary file
    is removed and the target is untouched. A target that is not a regular
    file (a device, a FIFO, a standard stream) is not replaced: the data is
    saved to a private temporary file and then copied into it.
    """
    if output_kind(target) == "write":
        with tempfile.TemporaryDirectory() as folder:
            temp = os.path.join(folder, target.name or "output")
            try:
                save(temp)
                with open(temp, "rb") as source, open(target, "wb") as sink:
                    while chunk := source.read(1 << 20):
                        sink.write(chunk)
            except OSError as exc:
                raise _named(exc, target) from None
        return
    with _replacing(target) as temp:
        save(temp)


def escape_csv_text(cell: str) -> str:
    """Text for a CSV cell that a spreadsheet will show, not run.

    Spreadsheets run a cell that begins with ``=``, ``+``, ``-`` or ``@``
    as a formula (CSV injection: ``=HYPERLINK(…)`` in a unit's name becomes
    a live link), and tab or carriage return can start one too. Such text
    gets a leading ``'``, which Excel and LibreOffice hide and read as
    "this is text". Only text goes through here: numbers (a negative total)
    are written as they are.

    >>> escape_csv_text('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> escape_csv_text("市甲委"), escape_csv_text("")
    ('市甲委', '')
    """
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


class Figure(str):
    """A number already written as text (``"-3.5"``): a CSV cell that is never escaped."""

    __slots__ = ()


class FigureRun(str):
    """Several numbers already written as CSV cells (``"87.5,90,,100"``): written as they are.

    The command line keeps a unit's indicator scores as one such line of
    cells; writing it whole spares splitting and checking every cell again.
    """

    __slots__ = ()


def csv_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV lines for the rows, one at a time, as every CSV output of perfrules writes them.

    Text cells go through :func:`escape_csv_text` (a unit named
    ``=HYPERLINK(…)`` must not become a live formula in a spreadsheet);
    numbers — ``int``, ``Decimal``, ``float``, or text marked as a
    :class:`Figure` — are written as they are, so a negative total stays a
    number; ``None`` is an empty cell.

    A :class:`FigureRun` is several number cells written as they are.

    >>> "".join(csv_lines([["单位", "总分"], ["=1+1", Figure("-2.5")], ["乙", None]]))
    "单位,总分\\n'=1+1,-2.5\\n乙,\\n"
    >>> "".join(csv_lines([["甲", FigureRun("1,,2.5"), "a,b"]]))
    '甲,1,,2.5,"a,b"\\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def cells(part: Sequence[object]) -> str:
        if len(part) == 1 and (part[0] is None or part[0] == ""):
            return ""  # one empty cell (the writer would quote it, as a row of its own)
        writer.writerow(
            [
                ""
                if cell is None
                else escape_csv_text(cell)
                if isinstance(cell, str) and not isinstance(cell, Figure)
                else cell
                for cell in part
            ]
        )
        text = buffer.getvalue()[:-1]
        buffer.seek(0)
        buffer.truncate()
        return text

    for row in rows:
        line = _plain_line(row)
        if line is not None:
            yield line
            continue
        runs = [k for k, cell in enumerate(row) if type(cell) is FigureRun]
        if not runs:
            yield cells(row) + "\n" if len(row) != 1 else _one_cell(row[0], cells)
            continue
        pieces = []
        start = 0
        for k in runs:
            if k > start:
                pieces.append(cells(row[start:k]))
            pieces.append(str(row[k]))
            start = k + 1
        if start < len(row):
            pieces.append(cells(row[start:]))
        yield ",".join(pieces) + "\n"


# Text the csv module writes as it stands (no delimiter, quote or line break in it).
_QUOTED = re.compile('[,"\r\n]')


def _plain_line(row: Sequence[object]) -> str | None:
    """The row's CSV line where no cell needs the csv module (integers, figures, text without a
    delimiter, quote or line break, ``None``): the text it would write; else None."""
    if len(row) < 2:
        return None
    parts: list[str] = []
    for cell in row:
        kind = type(cell)
        if kind is FigureRun:
            parts.append(cast(str, cell))
        elif kind is str or kind is Figure:
            text = escape_csv_text(cast(str, cell)) if kind is str else cast(str, cell)
            if _QUOTED.search(text):
                return None
            parts.append(text)
        elif cell is None:
            parts.append("")
        elif kind is int:
            parts.append(str(cell))
        else:
            return None
    return ",".join(parts) + "\n"


def _one_cell(cell: object, cells: Callable[[Sequence[object]], str]) -> str:
    """A row of one cell, as the csv module writes it (an empty one quoted, so that it is a row)."""
    return '""\n' if cell is None or cell == "" else cells([cell]) + "\n"


# A Decimal in a JSON record (digits a float does not hold: _numbers.json_value) is written as this
# marker and its digits in a string, then the string is replaced by the bare digits. The marker
# starts with a NUL, which json.dumps escapes, and holds a token drawn for the process: no text of
# the data can put it there.
_EXACT_MARK: Final = "\0perfrules-" + os.urandom(8).hex() + ":"
_EXACT_SEEN: Final = json.dumps(_EXACT_MARK)[1:-1]
_EXACT_TEXT: Final = re.compile('"' + re.escape(_EXACT_SEEN) + r'(-?[0-9]+(?:\.[0-9]+)?)"')


def _exact_number(value: object) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        return _EXACT_MARK + format(value, "f")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def json_text(value: object, *, indent: int | None = None) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent)``, with each Decimal written as a
    JSON number of its own digits (every digit: a float would round them).

    >>> json_text({"total": Decimal("12995451474983755673789.473684"), "rank": 1})
    '{"total": 12995451474983755673789.473684, "rank": 1}'
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, default=_exact_number)
    return _EXACT_TEXT.sub(r"\1", text) if _EXACT_SEEN in text else text


def json_members(record: dict[str, object], keys: Iterable[str] | None = None) -> list[str]:
    """The members of a JSON object as ``json.dumps(record, ensure_ascii=False, indent=2)`` writes them.

    Each member is ``"key": value`` with its lines as they stand in that
    text (two spaces in, nested values deeper); joined with ``",\\n"``
    between ``"{\\n"`` and ``"\\n}"`` they give the text back. Members
    worked out at different times can so be put together into one object
    without parsing anything again. *keys* picks some members, in the
    record's order (default: all).

    >>> record = {"unit": "市甲委", "ranks": [1, 2]}
    >>> members = json_members(record)
    >>> members
    ['  "unit": "市甲委"', '  "ranks": [\\n    1,\\n    2\\n  ]']
    >>> "{\\n" + ",\\n".join(members) + "\\n}" == json.dumps(record, ensure_ascii=False, indent=2)
    True
    """
    wanted = None if keys is None else set(keys)
    return [
        "  " + json.dumps(key, ensure_ascii=False) + ": " + json_text(value, indent=2).replace("\n", "\n  ")
        for key, value in record.items()
        if wanted is None or key in wanted
    ]
