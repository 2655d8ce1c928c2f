"""A temporary file that this process and its forked workers append to, each write at a place of its own.

Each write takes its place from a counter the processes share, then writes there with a
positioned write.

A column run (:mod:`perfrules.pipeline.colrun`) keeps each scored unit's CSV line in such a file.
With ``--jobs`` above 1 on Linux, the worker that scored a range writes the range's lines
itself (:func:`perfrules.pipeline.csvpass._work_block`) and sends back only where they are,
instead of sending the lines through a pipe for this process to write. A range's lines lie
together in the file; ranges lie in the order they were written, which is not the file's order
when workers finish out of turn: what reads the file gets each range's place.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from typing import Any

__all__ = ["Spill"]


class Spill:
    """The file (deleted when closed) and the next free byte.

    A spill made with *shared* keeps its counter in memory shared with the processes forked from
    this one (made before they are forked): each :meth:`put` takes its bytes' place under the
    counter's lock, so writes from several processes never overlap and leave no gap.
    """

    def __init__(self, *, shared: bool = False) -> None:
        self.file = tempfile.TemporaryFile(prefix="perfrules-", suffix=".lines")  # noqa: SIM115 (closed by close)
        self.fd = self.file.fileno()
        self._next: Any = multiprocessing.get_context("fork").Value("q", 0) if shared else None
        self._end = 0  # the next free byte, when not shared

    @property
    def shared(self) -> bool:
        return self._next is not None

    def put(self, data: bytes) -> int:
        """Write *data* at the next free place; returns where it starts."""
        if self._next is None:
            at = self._end
            self._end += len(data)
        else:
            with self._next.get_lock():
                at = int(self._next.value)
                self._next.value = at + len(data)
        view = memoryview(data)
        start = at
        while view:  # a positioned write may write less than asked
            done = os.pwrite(self.fd, view, at)
            view, at = view[done:], at + done
        return start

    def close(self) -> None:
        self.file.close()
