"""What the command line's parser and its commands share: exit codes, the usage error, the output.

A module of its own, importing nothing at its top, so that ``perfrules.cli.main`` (the parser,
loaded for ``--help``) and the modules of commands (the handlers, loaded when a
command runs) both use it and neither imports the other at its top.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported for --help (see tests/test_startup.py)
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, Protocol, TextIO

    class Placed(Protocol):
        """A piece of output that writes itself at a place in a file (positioned writes, maybe
        from several processes at once), or gives its text as pieces."""

        def write_at(self, fd: int, at: int) -> int:
            """Write the piece from byte *at* of the file *fd*; the bytes written."""

        def __iter__(self) -> Iterator[str | bytes]:
            """The piece as text or UTF-8 bytes, in order."""


EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class UsageError(Exception):
    """A mistake in how the command was called: one line, and a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def emit(
    text: str | Iterable[str | bytes | Placed], output: str | None, out: TextIO, *, bom: bool = False
) -> None:
    """Write the output, whole or in pieces, to standard output or to the file ``-o`` names.

    A piece may be bytes, already UTF-8: written to a file as they are (no
    decoding and encoding again); or a :class:`Placed` piece, which writes
    itself at its place in a file that can seek (else gives its pieces).
    Called only once the results are complete; a regular file is replaced
    whole or not at all (a failed run leaves an earlier output file as it
    was), anything else (``/dev/null``, a FIFO …) is written to, never
    replaced (see ``perfrules._writers.output_kind``).
    """
    from .._writers import open_output

    chunks = [text] if isinstance(text, str) else text
    if output is None:
        last = ""
        for piece in _pieces(chunks):
            line = piece if isinstance(piece, str) else piece.decode("utf-8")
            out.write(line)
            last = line or last
        if not last.endswith("\n"):
            out.write("\n")
        return
    with open_output(output, encoding="utf-8-sig" if bom else "utf-8") as stream:
        texts = 0
        for chunk in chunks:
            if not isinstance(chunk, (str, bytes)) and texts:
                stream.flush()  # the text before it goes first
                buffer: Any = stream.buffer  # type: ignore[attr-defined]
                if buffer.seekable():
                    at = buffer.tell()
                    buffer.seek(at + chunk.write_at(buffer.fileno(), at))
                    continue
            for piece in _pieces([chunk]):
                if isinstance(piece, str) or not texts:  # the first piece is text: the byte order mark
                    texts += stream.write(piece if isinstance(piece, str) else piece.decode("utf-8"))
                elif piece:
                    stream.flush()  # the text before it goes first
                    stream.buffer.write(piece)  # type: ignore[attr-defined]


def _pieces(chunks: Iterable[str | bytes | Placed]) -> Iterator[str | bytes]:
    """The chunks' text and bytes, a :class:`Placed` piece's pieces in its place."""
    for chunk in chunks:
        if isinstance(chunk, (str, bytes)):
            yield chunk
        else:
            yield from chunk
