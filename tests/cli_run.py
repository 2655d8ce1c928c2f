"""The command line run in the tests' own process, as the tests of many files run it."""

from __future__ import annotations

import io

from perfrules.cli.main import main


def run(*args: str) -> tuple[int, str, str]:
    """``perfrules *args*``: its exit code, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()
