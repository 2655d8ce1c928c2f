"""Writing results: files that are never half-written, CSV that spreadsheets do not execute."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

__all__ = ["escape_csv_text", "replace_atomically", "write_atomic"]

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def write_atomic(path: str | Path, data: bytes | str, *, encoding: str = "utf-8") -> None:
    """Write a file so that it is either complete or untouched.

    The data goes to a temporary file in the target's folder (so the rename
    stays on one file system), is flushed and ``fsync``-ed, and only then
    replaces the target with ``os.replace`` (atomic on POSIX and Windows).
    On any failure, including ``KeyboardInterrupt``, the temporary file is
    removed and an existing target keeps its bytes.

    Args:
        path: the file to write.
        data: bytes, or text to encode with *encoding*.
        encoding: for text (``utf-8-sig`` writes the BOM Excel looks for).

    Raises:
        OSError: the folder is missing or not writable, the disk is full …
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
    is removed and the target is untouched.
    """
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        save(temp)
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


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
