"""What the command line's parser and its commands share: exit codes, the usage error, the output.

A module of its own, importing nothing at its top, so that ``perfrules.cli.main`` (the parser,
loaded for ``--help``) and the modules of commands (the handlers, loaded when a
command runs) both use it and neither imports the other at its top.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported for --help (see tests/test_startup.py)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TextIO

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class UsageError(Exception):
    """A mistake in how the command was called: one line, and a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def emit(text: str | Iterable[str | bytes], output: str | None, out: TextIO, *, bom: bool = False) -> None:
    """Write the output, whole or in pieces, to standard output or to the file ``-o`` names.

    A piece may be bytes, already UTF-8: written to a file as they are (no
    decoding and encoding again). Called only once the results are complete;
    a regular file is replaced whole or not at all (a failed run leaves an
    earlier output file as it was), anything else (``/dev/null``, a FIFO …)
    is written to, never replaced (see ``perfrules._writers.output_kind``).
    """
    from .._writers import open_output

    chunks = [text] if isinstance(text, str) else text
    if output is None:
        last = ""
        for chunk in chunks:
            piece = chunk if isinstance(chunk, str) else chunk.decode("utf-8")
            out.write(piece)
            last = piece or last
        if not last.endswith("\n"):
            out.write("\n")
        return
    with open_output(output, encoding="utf-8-sig" if bom else "utf-8") as stream:
        texts = 0
        for chunk in chunks:
            if isinstance(chunk, str) or not texts:  # the first piece is text: the byte order mark
                texts += stream.write(chunk if isinstance(chunk, str) else chunk.decode("utf-8"))
            elif chunk:
                stream.flush()  # the text before it goes first
                stream.buffer.write(chunk)  # type: ignore[attr-defined]
