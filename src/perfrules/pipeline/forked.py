"""Running a few calls at once, each but the first in a forked copy of this process.

What writes the two halves of a ranked output at once
(:meth:`perfrules.pipeline.colrun.ColumnRun.write_ranked_csv`): a forked copy has every column
the parent holds without a copy or a pickle, and writes its part of the file with positioned
writes. Forked only where :func:`~perfrules.pipeline.parallel.worker_context` forks (Linux, no
thread but the main one); elsewhere the calls run here, one after the other.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection

from .parallel import worker_context

__all__ = ["run_forked"]


def run_forked(calls: Sequence[Callable[[], None]]) -> None:
    """Run ``calls[0]()`` in this process and every other call in a forked child at the same time;
    return once all have finished.

    Raises:
        BaseException: the first error of a call (this process's own first), once every child has
            ended; a child that ended without saying how is a ``RuntimeError``.
    """
    if len(calls) < 2 or worker_context().get_start_method() != "fork":
        for call in calls:
            call()
        return
    for stream in (sys.stdout, sys.stderr):  # (a child leaves nothing of this process's to flush)
        with contextlib.suppress(Exception):
            stream.flush()
    context = multiprocessing.get_context("fork")
    children = []
    error: BaseException | None = None
    try:
        for call in calls[1:]:
            here, there = context.Pipe(duplex=False)
            child = context.Process(target=_child, args=(call, there), daemon=True)
            child.start()
            there.close()
            children.append((child, here))
        calls[0]()
    except BaseException as exc:
        error = exc
    for child, here in children:
        found: BaseException | None
        try:
            found = here.recv()
        except EOFError:
            child.join()
            found = RuntimeError(
                f"a process writing part of the output ended early (exit code {child.exitcode})"
            )
        here.close()
        child.join()
        if error is None and found is not None:
            error = found
    if error is not None:
        raise error


def _child(call: Callable[[], None], conn: Connection) -> None:
    """In a forked child: run *call*, and send None, or the error that stopped it."""
    try:
        call()
        conn.send(None)
    except BaseException as exc:
        try:
            conn.send(exc)
        except Exception:  # an error that cannot be pickled: its text
            conn.send(RuntimeError(repr(exc)))
    finally:
        conn.close()
