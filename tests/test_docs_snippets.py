"""Every snippet in the README and the docs runs: Python blocks execute, `perfrules` commands exit as stated.

Doctest blocks (``>>>``) run through pytest's ``--doctest-glob``; the cookbook's
commands have their own test (test_cookbook.py). This covers the rest: each
page's ``python`` blocks run in order in one namespace, and each ``perfrules``
line of its ``console``/``sh`` blocks runs through the CLI, in a scratch folder
that holds the repository's ``docs/`` and ``benchmarks/``, after the commands
above it on its page that write a file it names (``-o``). A command must exit 0, or with
the code its trailing comment states, as in the cookbook (``# exit code 1: …``).
A block the suite cannot run (it needs a cluster, or it is a synopsis with
placeholders) is preceded on the page by ``<!-- not run: reason -->``, so a
skip is visible where the block is.
"""

from __future__ import annotations

import io
import os
import re
import shlex
from pathlib import Path

import pytest

from perfrules.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# The cookbook's commands and schemes are checked line by line in test_cookbook.py.
PAGES = [p for p in PAGES if p.name != "cookbook.md"]

_BLOCK = re.compile(
    r"^(?P<before>(?:<!-- not run: [^>]*-->\n)?)```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S
)
_SHELL = {"console", "sh", "bash", "shell"}
# `benchmarks/scale.py --make-data SCHEME N FILE` makes a large file; the test makes a small one.
_MAKE_DATA = re.compile(r"benchmarks/scale\.py --make-data (\S+) (\d+) (\S+)")
_SMALL = 300
_EXIT = re.compile(r"#.*\bexit code (\d+)")


def _blocks(page: Path) -> list[tuple[int, str, str, bool]]:
    text = page.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start("lang")) + 1, m.group("lang"), m.group("body"), bool(m.group("before")))
        for m in _BLOCK.finditer(text)
    ]


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _runs(lang: str, body: str, skip: bool) -> bool:
    """A Python block this test runs: not marked, and not a doctest (those run under --doctest-glob)."""
    return lang == "python" and not skip and not body.lstrip().startswith(">>>")


def _python_pages() -> list[Path]:
    return [p for p in PAGES if any(_runs(*block[1:]) for block in _blocks(p))]


def _commands() -> list[tuple[str, int, str, int]]:
    """Every command line of a shell block that runs perfrules or makes data for it, with the exit code it states."""
    found = []
    for page in PAGES:
        for line, lang, body, skip in _blocks(page):
            if lang not in _SHELL or skip:
                continue
            for k, row in enumerate(body.splitlines()):
                command = row.removeprefix("$ ").strip()
                command = command.removeprefix(".venv/bin/")
                if command.startswith("perfrules ") or _MAKE_DATA.search(command):
                    stated = _EXIT.search(command)
                    found.append((_name(page), line + k + 1, command, int(stated.group(1)) if stated else 0))
    return found


COMMANDS = _commands()


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder that sees the repository's docs/ and benchmarks/, and keeps what commands write."""
    (tmp_path / "docs").symlink_to(ROOT / "docs", target_is_directory=True)
    (tmp_path / "benchmarks").symlink_to(ROOT / "benchmarks", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(os.environ, "NO_COLOR", "1")
    return tmp_path


def _make_small_data(match: re.Match[str]) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("scale_benchmark", ROOT / "benchmarks" / "scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_data(match.group(1), min(int(match.group(2)), _SMALL), Path(match.group(3)))


def _run(command: str, folder: Path) -> tuple[int, str]:
    made = _MAKE_DATA.search(command)
    if made:
        _make_small_data(made)
        return 0, ""
    args = shlex.split(command, comments=True)[1:]
    target = None
    if ">" in args:
        at = args.index(">")
        args, target = args[:at], args[at + 1]
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    if target is not None:
        (folder / target).write_text(out.getvalue(), encoding="utf-8")
    return code, err.getvalue()


def _writes(command: str) -> str | None:
    """The file a command writes (``-o FILE``, or the data file ``--make-data`` makes)."""
    made = _MAKE_DATA.search(command)
    if made:
        return made.group(3)
    args = shlex.split(command, comments=True)
    return args[args.index("-o") + 1] if "-o" in args[:-1] else None


def _makers(page: str, line: int, command: str) -> list[str]:
    """The commands above *command* on its page that write a file it names, and those their commands name, in order.

    Only these run before it: rerunning every earlier command that writes a
    file (a --jobs 0 run, a 200-run sensitivity) made each later command pay
    for all of them.
    """
    names = set(shlex.split(command, comments=True))
    found = []
    for earlier_page, earlier_line, earlier, _ in reversed(COMMANDS):
        if earlier_page != page or earlier_line >= line:
            continue
        written = _writes(earlier)
        if written is not None and written in names:
            found.append(earlier)
            names |= set(shlex.split(earlier, comments=True))
    return found[::-1]


def test_a_command_runs_after_the_commands_that_make_its_files():
    """README: scoring big.csv needs the --make-data line above it, and nothing else above it."""
    readme = [(page, line, command) for page, line, command, _ in COMMANDS if page == "README.md"]
    scoring = next(c for c in readme if "big.csv --format" in c[2])
    assert [_writes(c) for c in _makers(*scoring)] == ["big.csv"]
    validate = next(c for c in readme if " validate " in c[2])
    assert _makers(*validate) == []


def test_the_pages_have_snippets():
    """The collectors found the pages' Python blocks and commands (a broken pattern would find none)."""
    assert len(_python_pages()) >= 3
    assert len(COMMANDS) >= 20
    assert any(stated != 0 for *_, stated in COMMANDS)


@pytest.mark.parametrize("page", _python_pages(), ids=_name)
def test_python_blocks_run(page: Path, scratch: Path):
    """A page's Python blocks run in order, each seeing what the ones before it defined; tests they define pass."""
    namespace: dict[str, object] = {"__name__": "__snippet__"}
    for line, lang, body, skip in _blocks(page):
        if not _runs(lang, body, skip):
            continue
        code = compile(body, f"{_name(page)}:{line}", "exec")
        exec(code, namespace)
    # A block that shows how to write a test defines it: run it too.
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()


def test_make_data_writes_a_file_the_sample_scheme_scores(scratch: Path):
    """The README's way to a large file works (at a small size here)."""
    code, err = _run("python benchmarks/scale.py --make-data xiamen-xiangan-2020 100000 big.csv", scratch)
    assert code == 0
    assert (scratch / "big.csv").read_text(encoding="utf-8").count("\n") > _SMALL
    code, err = _run("perfrules score xiamen-xiangan-2020 big.csv --format csv -o out.csv", scratch)
    assert code == 0, err
    assert (scratch / "out.csv").read_text(encoding="utf-8-sig").count("\n") == _SMALL + 1


@pytest.mark.parametrize(
    ("page", "line", "command", "stated"), COMMANDS, ids=[f"{c[0]}:{c[1]}" for c in COMMANDS]
)
def test_commands_run(page: str, line: int, command: str, stated: int, scratch: Path):
    """Each command exits as its page states (0 unless said), after the commands above it that make its files."""
    for earlier in _makers(page, line, command):
        _run(earlier, scratch)
    code, err = _run(command, scratch)
    assert code == stated, f"{page}:{line}: `{command}` exited {code}, not {stated}: {err}"
