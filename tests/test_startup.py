"""Start-up stays cheap: `import perfrules` and the command line's help load none of the library's machinery.

Wall time on a shared machine is too noisy to assert; what a start-up
imports is not, and it is what the time follows (benchmarks/startup.py gives
the figures). Each check runs in a fresh interpreter and compares its modules
with those of a bare one, so that whatever the environment itself loads
(site hooks, coverage) is not counted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

import perfrules
from perfrules.cli.main import build_parser

SRC = str(Path(perfrules.__file__).resolve().parent.parent)  # the perfrules these tests import

# Work a start-up does not need: attrs classes of the scheme model, Decimal
# contexts, TOML and JSON parsing, typing, paths, the optional extras, and
# the test strategies.
HEAVY = (
    "attr",
    "attrs",
    "decimal",
    "_decimal",
    "fractions",
    "tomllib",
    "tomli_w",
    "json",
    "typing",
    "pathlib",
    "tempfile",
    "csv",
    "tqdm",
    "hypothesis",
    "pandas",
    "numpy",
    "openpyxl",
    "docx",
    "matplotlib",
    "dask",
    "shtab",
)

# What the command line may load to show its help: the package, its entry
# point and version, the parser's module, what it shares with the commands,
# its language (gettext catalogs) and the built-in schemes' names. Never
# the modules of commands (perfrules.cli.score_commands …): the handlers, and with them the library.
CLI_MODULES = {
    "perfrules",
    "perfrules.__main__",
    "perfrules.cli",
    "perfrules.cli.main",
    "perfrules.cli.base",
    "perfrules.cli.history",  # --previous and compare: options only, the library when they run
    "perfrules.cli.i18n",
    "perfrules._version",
    "perfrules._builtin",
}


def _modules(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (with this perfrules on its path)."""
    probe = "\nimport sys as _sys\n_sys.__stdout__.write(' '.join(sorted(_sys.modules)))\n"
    path = "import sys; sys.path.insert(0, " + repr(SRC) + ")\n"
    done = subprocess.run(
        [sys.executable, "-c", path + code + probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.fixture(scope="module")
def bare() -> set[str]:
    """The modules of an interpreter that imported nothing."""
    return _modules("pass")


def _added(code: str, bare: set[str]) -> set[str]:
    return _modules(code) - bare


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def _commands() -> dict[str, argparse.ArgumentParser]:
    """The command line's commands and their parsers."""
    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


def test_import_perfrules_loads_only_the_package(bare):
    added = _added("import perfrules", bare)
    assert {m for m in added if m.startswith("perfrules")} == {"perfrules", "perfrules._version"}
    assert _heavy(added) == []


def test_a_public_name_loads_its_module_on_first_use(bare):
    added = _added("import perfrules\nperfrules.Formula", bare)
    assert "perfrules.formula.language" in added and "attr" in added  # the lazy names do load what they need


def _help_code(*argvs: list[str]) -> str:
    """Run the console script's entry point (perfrules.__main__:run) once per argv, output discarded."""
    return (
        "import io, contextlib, sys\n"
        "from perfrules.__main__ import run\n"
        f"for argv in {list(argvs)!r}:\n"
        "    sys.argv = ['perfrules', *argv]\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        run()\n"
    )


def test_help_and_version_load_no_library_module(bare):
    added = _added(_help_code(["--help"], ["--version"], []), bare)
    assert {m for m in added if m.startswith("perfrules")} <= CLI_MODULES
    assert _heavy(added) == []


def test_every_command_s_help_loads_no_library_module(bare):
    commands = sorted(_commands())
    assert {"demo", "score", "sensitivity", "explain"} <= set(commands)
    added = _added(_help_code(*([name, "--help"] for name in commands)), bare)
    assert {m for m in added if m.startswith("perfrules")} <= CLI_MODULES
    assert _heavy(added) == []


def test_a_usage_mistake_is_reported_without_loading_the_library(bare):
    """A misspelt command or option is answered from the parser alone (exit 2, one line and a hint)."""
    code = _help_code(["scroe"], ["demo", "--scheme", "nope"], ["score", "--format", "xml", "a", "b"])
    added = _added(code, bare)
    assert {m for m in added if m.startswith("perfrules")} <= CLI_MODULES
    assert _heavy(added) == []


def test_demo_offers_exactly_the_built_in_schemes():
    """demo's --scheme choices come from the same list as schemes(), without loading it."""
    from perfrules import schemes

    (action,) = [a for a in _commands()["demo"]._actions if "--scheme" in a.option_strings]
    assert tuple(action.choices) == schemes()
    assert action.default in schemes()


def test_running_a_command_still_loads_what_it_needs(bare):
    """The imports moved into the commands: a command that runs has the library, and works."""
    code = _help_code(["schemes"])
    added = _added(code, bare)
    assert {
        "perfrules.cli.score_commands",
        "perfrules.files.load",
        "perfrules.scheme.model",
        "perfrules.results.display",
    } <= added


def test_a_command_loads_only_its_own_group_of_commands(bare):
    """validate and demo run without the analysis commands (sensitivity, what-if) or their modules."""
    added = _added(_help_code(["validate", "xiamen-xiangan-2020"], ["demo"]), bare)
    assert {"perfrules.cli.scheme_commands", "perfrules.cli.score_commands"} <= added
    assert not {m for m in added if m.startswith(("perfrules.analysis", "perfrules.cli.analysis_commands"))}
    whatif = ["whatif", "xiamen-xiangan-2020", "sample", "--unit", "区文旅局"]
    assert "perfrules.cli.analysis_commands" in _added(_help_code(whatif), bare)
