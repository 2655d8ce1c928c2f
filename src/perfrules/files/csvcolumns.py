"""A UTF-8 CSV file read in byte ranges, each range split into lines and cells at once with NumPy.

:func:`open_csv` checks a file once, a block at a time (memory stays flat):
its bytes are UTF-8 without NUL characters; it reads the header as
:func:`~perfrules.files.tables.iter_rows` reads it (the same column rules and
errors) and finds split points at record ends, with each range's first record
number. A range whose lines are each one CSV record (no quote character, no
carriage return outside a CRLF line end) is *plain*; any other range is
counted, and later read, by the csv module, and ends where a record ends
(a quoted cell with line breaks in it is never cut). A file that is not such
a file gives None: read it with :func:`~perfrules.files.tables.iter_rows`,
which then reads it, or refuses it, exactly as ever. Opened with
``lazy=True``, only the header is read at once and the ranges are found as
:meth:`CsvFile.each_range` is iterated (work on the first ranges can start
while the rest of the file is checked); a file that turns out not to be
such a file then raises :class:`NotInRanges` from the iteration.

:func:`read_range` reads one range (in any process) into a :class:`CsvRange`:
the lines with exactly the header's number of cells as a matrix of cell
offsets into the range's bytes (no Python object per row or cell), and every
other line as the :class:`~perfrules.files.tables.Row` the table reader makes
of it. :func:`plain_decimals` parses columns of cells into exact
:class:`~perfrules._intcols.IntColumn` at once, taking exactly the cells
:func:`~perfrules._intcols.from_texts` takes.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from .._intcols import IntColumn, numpy, plain_columns
from .cells import _blank
from .tables import Row, _Columns

__all__ = [
    "BLOCK",
    "CsvFile",
    "CsvRange",
    "NotInRanges",
    "open_csv",
    "plain_decimals",
    "read_range",
    "split_lines",
]

BLOCK: Final = 1 << 21
"""Bytes of a range (about 13,000 rows of 41 numbers): a range is read, parsed and scored at once."""

_HEADER_LIMIT: Final = 1 << 20  # bytes in which the header must end for a file to be read in ranges


Span = tuple[int, int, int, bool]


class NotInRanges(Exception):
    """A file opened with ``open_csv(..., lazy=True)`` is, past its first ranges, not one read in
    ranges (where :func:`open_csv` gives None): read it with the whole-file reader instead."""


class CsvFile:
    """What :func:`open_csv` found: the header, and the file's data cut into line-aligned ranges.

    Attributes:
        path, origin: the file, and its name in messages.
        header: the column names, as :func:`~perfrules.files.tables.iter_rows` gives them.
        raw_header: the header record's cells as written; header_row its record number.
        ranges: ``(start, end, first record number, plain)`` of each range of data lines;
            *plain* when each of its lines is one record (no quote, no lone carriage return).
            Of a file opened with ``lazy=True``, the ranges found so far (see :meth:`each_range`).
    """

    def __init__(
        self,
        path: Path,
        raw_header: tuple[str, ...],
        header_row: int,
        ranges: list[Span],
        rest: Iterator[Span] | None = None,
    ) -> None:
        self.path = path
        self.origin = str(path)
        self.raw_header = raw_header
        self.header_row = header_row
        self.columns = _Columns(raw_header, self.origin, header_row)
        self.header = self.columns.header
        self.ranges = ranges
        self._rest = rest

    def each_range(self) -> Iterator[Span]:
        """Every range in file order; of a file opened with ``lazy=True``, each found as it is asked for.

        Raises:
            NotInRanges: the file is not one read in ranges after all.
        """
        k = 0
        while k < len(self.ranges):
            yield self.ranges[k]
            k += 1
        if self._rest is not None:
            for span in self._rest:
                self.ranges.append(span)
                yield span
            self._rest = None

    def check_rest(self) -> None:
        """Find the ranges not yet found (see :meth:`each_range`).

        Raises:
            NotInRanges: the file is not one read in ranges after all.
        """
        for _ in self.each_range():
            pass


def open_csv(path: str | Path, block: int | None = None, *, lazy: bool = False) -> CsvFile | None:
    """Check a CSV file and read its header (see the module's docstring); None when it is not read in ranges.

    With *lazy*, only the header is checked here; the rest of the file is
    checked as :meth:`CsvFile.each_range` finds its ranges.

    Raises:
        DataError: the header breaks a column rule (as ``iter_rows`` raises it).
    """
    block = block or BLOCK
    target = Path(path)
    with target.open("rb") as f:
        head = f.read(_HEADER_LIMIT)
        start = 0
        if head.startswith(codecs.BOM_UTF8):
            start = len(codecs.BOM_UTF8)
            if head.startswith(codecs.BOM_UTF8, start):
                return None  # two marks: the whole-file reader drops both
        elif head[:4] in (b"PK\x03\x04",) or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None
        found = _header(head, start)
        if found is None:
            return None
    raw, number, data_start = found
    spans = _ranges(target, data_start, number + 1, block)
    if lazy:
        return CsvFile(target, raw, number, [], spans)
    try:
        ranges = list(spans)
    except NotInRanges:
        return None
    return CsvFile(target, raw, number, ranges)


def _ranges(target: Path, offset: int, row: int, block: int) -> Iterator[Span]:
    """The line-aligned ranges of the data from byte *offset* on (*row*: the first record's number).

    Raises:
        NotInRanges: the file is not one read in ranges.
    """
    with target.open("rb") as f:
        f.seek(offset)
        carry = b""
        while True:
            data = f.read(block)
            piece = carry + data
            final = not data
            if final and not piece:
                break
            cut = len(piece) if final else piece.rfind(b"\n") + 1
            if not cut:
                carry = piece
                continue
            part = piece[:cut]
            counted = _records(part, final)
            if counted is None:
                raise NotInRanges(str(target))
            if isinstance(counted, int):
                carry = piece  # a quoted cell runs on into the next block
                continue
            records, plain = counted
            yield offset, offset + cut, row, plain
            offset += cut
            row += records
            carry = piece[cut:]
            if final:
                break


def _records(part: bytes, final: bool) -> tuple[int, bool] | int | None:
    """How many CSV records the bytes of whole lines hold, and whether each line is one record
    (no quote, no lone carriage return); -1 when a quoted cell runs on past them; None when the
    file is left to the whole-file reader (not UTF-8, a NUL, a cell longer than the csv module takes)."""
    if b"\x00" in part:
        return None
    try:
        text = part.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if b'"' not in part and (b"\r" not in part or _crlf_only(part)):
        np = numpy()
        ends = np.flatnonzero(np.frombuffer(part, dtype=np.uint8) == 10)
        if len(ends) and int(np.diff(ends, prepend=-1).max()) > csv.field_size_limit():
            return None  # a cell may be longer than the csv module takes: its error is the reader's
        if len(part) - (int(ends[-1]) + 1 if len(ends) else 0) > csv.field_size_limit():
            return None
        return len(ends) + (not part.endswith(b"\n")), True
    # The csv module counts the records; a record of its own after them says none is left open.
    end = "\x00\n" if part.endswith((b"\n", b"\r")) else "\n\x00\n"
    try:
        records = list(csv.reader(io.StringIO(text + end, newline="")))
    except csv.Error:
        return None
    if not records or records[-1] != ["\x00"]:
        return None if final else -1
    return len(records) - 1, False


def _crlf_only(part: bytes) -> bool:
    """Whether every carriage return in *part* starts a CRLF (none is a line break of its own)."""
    return part.count(b"\r") == part.count(b"\r\n") and not part.endswith(b"\r")


def _header(head: bytes, start: int) -> tuple[tuple[str, ...], int, int] | None:
    """The header record's cells, its record number and where the data begins; None when unsure.

    Blank records above the header are skipped, as the table reader skips them;
    each line read here must be exactly one CSV record (a quoted cell may
    hold line breaks).
    """
    number = 0
    pos = start
    while True:
        end = pos
        while True:
            nl = head.find(b"\n", end)
            if nl < 0:
                return None
            end = nl + 1
            if head.count(b'"', pos, end) % 2 == 0:
                break
        try:
            text = head[pos:end].decode("utf-8")
        except UnicodeDecodeError:
            return None
        if "\x00" in text:
            return None
        try:
            records = list(csv.reader(io.StringIO(text + "\x00\n", newline="")))
        except csv.Error:
            return None
        if len(records) != 2 or records[1] != ["\x00"]:
            return None
        number += 1
        pos = end
        if not all(_blank(c) for c in records[0]):
            return tuple(records[0]), number, end


class CsvRange:
    """One range of a file's data lines, read (see :func:`read_range`); a range that is not plain
    has only :attr:`numbers` and :attr:`records`.

    Attributes:
        data: the range's bytes, lines ending in ``\\n`` (CRLF made LF).
        numbers: the record number of each line (a NumPy int64 array).
        regular: per line, whether it has exactly the header's number of cells.
        starts, ends: for the regular lines, in order, each cell's offsets in
            :attr:`data` (NumPy int64 arrays, lines by columns).
        lines: the positions (in all lines) of the regular lines.
    """

    def __init__(self, data: bytes, numbers: Any, regular: Any, starts: Any, ends: Any, lines: Any) -> None:
        self.data = data
        self.numbers = numbers
        self.regular = regular
        self.starts = starts
        self.ends = ends
        self.lines = lines
        self.records: list[list[str]] | None = None  # a range read by the csv module: its records
        self._ends: Any = None  # where each line ends (worked out when first needed)
        self._counts: Any = None  # see _filled_counts

    def texts(self, rows: Any, column: int) -> list[str]:
        """The text of a column's cells on the regular lines at *rows* (positions among them)."""
        np = numpy()
        starts = self.starts[rows, column]
        if not len(starts):
            return []
        # Each cell with the separator after it, gathered at once; the separators made line ends.
        sizes = self.ends[rows, column] - starts + 1
        bounds = np.cumsum(sizes)
        index = np.arange(int(bounds[-1]), dtype=np.int64) + np.repeat(starts - (bounds - sizes), sizes)
        gathered = np.frombuffer(self.data, dtype=np.uint8).take(index)
        gathered[bounds - 1] = 10
        texts: list[str] = gathered.tobytes().decode("utf-8").split("\n")[:-1]
        return texts

    def filled(self, rows: Any, column: int) -> Any:
        """Whether each cell at *rows* holds more than spaces and tabs (a NumPy bool array)."""
        counts = self._filled_counts()
        return (counts[self.ends[rows, column]] - counts[self.starts[rows, column]]) > 0

    def _filled_counts(self) -> Any:
        """How many bytes before each offset are neither a space nor a tab (worked out once)."""
        found = self._counts
        if found is None:
            np = numpy()
            a = np.frombuffer(self.data, dtype=np.uint8)
            # (int32 where the range allows: half the memory touched for a range of 2 MiB)
            found = np.zeros(len(a) + 1, dtype=np.int32 if len(a) < 2**31 - 1 else np.int64)
            np.cumsum((a != 32) & (a != 9), out=found[1:])
            self._counts = found
        return found

    def row(self, line: int, columns: _Columns) -> Row | None:
        """The line at *line* (among all lines) as the table reader makes it (None for an empty row)."""
        ends = self._line_ends()
        start = int(ends[line - 1]) + 1 if line else 0
        text = self.data[start : int(ends[line])].decode("utf-8")
        return columns.row(int(self.numbers[line]), text.split(","), pad=False)

    def _line_ends(self) -> Any:
        np = numpy()
        found = self._ends
        if found is None:
            found = np.flatnonzero(np.frombuffer(self.data, dtype=np.uint8) == 10)
            self._ends = found
        return found


def read_range(
    path: str | Path, start: int, end: int, first: int, width: int, plain: bool = True
) -> CsvRange:
    """Read the data lines in ``[start, end)`` of a file :func:`open_csv` took, *first* the first one's
    record number, *width* the header's number of cells (with unnamed columns). A range that is not
    *plain* is read by the csv module: its records are in :attr:`CsvRange.records`, and it has no
    regular lines."""
    np = numpy()
    with Path(path).open("rb") as f:
        f.seek(start)
        data = f.read(end - start)
    if not plain:
        records = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        none = np.zeros(0, dtype=np.int64)
        found = CsvRange(
            b"", np.arange(first, first + len(records), dtype=np.int64), none.astype(bool), none, none, none
        )
        found.records = records
        return found
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if not data.endswith(b"\n"):
        data += b"\n"
    return split_lines(data, first, width)


def split_lines(data: bytes, first: int, width: int) -> CsvRange:
    """Unquoted CSV lines, each ended by ``\\n``, cut into cells at once: a :class:`CsvRange` of
    *data*, *first* the first line's record number, *width* the cells a regular line has.

    >>> found = split_lines(b"a,1\\nb\\nc,2.5\\n", 2, 2)
    >>> found.regular.tolist(), found.lines.tolist(), found.starts.tolist(), found.ends.tolist()
    ([True, False, True], [0, 2], [[0, 2], [6, 8]], [[1, 3], [7, 11]])
    """
    np = numpy()
    a = np.frombuffer(data, dtype=np.uint8)
    # Every comma and line end, in order (no sort); a line's commas are those before its end.
    separators = np.flatnonzero((a == 44) | (a == 10))
    is_end = a.take(separators) == 10
    at_end = np.flatnonzero(is_end)
    line_ends = separators[at_end]
    n = len(line_ends)
    numbers = np.arange(first, first + n, dtype=np.int64)
    commas = np.diff(at_end, prepend=-1) - 1
    line_starts = np.concatenate(([0], line_ends[:-1] + 1))
    regular = (commas == width - 1) & (line_ends > line_starts)
    lines = np.flatnonzero(regular)
    if len(lines) != n:
        separators = separators[np.repeat(regular, commas + 1)]
    ends = separators.reshape(len(lines), width)
    starts = np.empty_like(ends)
    starts[:, 0] = line_starts[lines]
    starts[:, 1:] = ends[:, :-1] + 1
    found = CsvRange(data, numbers, regular, starts, ends, lines)
    found._ends = line_ends
    return found


def plain_decimals(chunk: CsvRange, rows: Any, columns: Sequence[int]) -> list[tuple[IntColumn, Any]]:
    """Columns of cells parsed as plain decimals at once: for each column, its values over one
    ``10**scale`` and which cells are plain — exactly as :func:`~perfrules._intcols.from_text_columns`
    reads the same cells' text (both are :func:`~perfrules._intcols.plain_columns`)."""
    np = numpy()
    if not len(columns) or not len(rows):
        return [(IntColumn(np.zeros(0, dtype=np.int64), 1, 0), np.zeros(0, dtype=bool)) for _ in columns]
    first, count = int(columns[0]), len(columns)
    if list(columns) == list(range(first, first + count)) and _every_line(rows, len(chunk.starts)):
        # Every line, a run of columns (the common case): sliced, not gathered cell by cell.
        starts = np.ascontiguousarray(chunk.starts[:, first : first + count])
        lengths = chunk.ends[:, first : first + count] - starts
    else:
        at = np.ix_(rows, np.asarray(columns, dtype=np.int64))
        starts = chunk.starts[at]
        lengths = chunk.ends[at] - starts
    return plain_columns(np.frombuffer(chunk.data, dtype=np.uint8), starts.T, lengths.T)


def _every_line(rows: Any, n: int) -> bool:
    """Whether *rows* (positions among the regular lines) is every one of *n* in order."""
    np = numpy()
    rows = np.asarray(rows)
    return len(rows) == n and bool((rows == np.arange(n)).all())
