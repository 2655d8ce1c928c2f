"""What the command line's parser and its commands share: exit codes and the usage error.

A module of its own, importing nothing, so that ``perfrules.cli.main`` (the parser,
loaded for ``--help``) and ``perfrules.cli.commands`` (the handlers, loaded when a
command runs) both use it and neither imports the other at its top.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class UsageError(Exception):
    """A mistake in how the command was called: one line, and a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint
