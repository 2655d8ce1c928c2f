"""The cookbook (docs/howto/cookbook.md) stays true: its schemes load, its commands run and print what it shows."""

from __future__ import annotations

import io
import os
import re
import shlex
import tomllib
from pathlib import Path

import pytest

from perfrules import loads
from perfrules.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
COOKBOOK = ROOT / "docs" / "howto" / "cookbook.md"
TEXT = COOKBOOK.read_text(encoding="utf-8")
EXAMPLES = sorted((ROOT / "docs" / "examples" / "mechanics").glob("m*.toml")) + sorted(
    (ROOT / "docs" / "examples" / "cookbook").glob("*.toml")
)

_BLOCK = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S)


def _blocks(lang: str) -> list[tuple[int, str]]:
    """Each fenced block of a language, with the line it starts on."""
    return [
        (TEXT.count("\n", 0, m.start()) + 1, m.group("body"))
        for m in _BLOCK.finditer(TEXT)
        if m.group("lang") == lang
    ]


def _complete(body: str) -> bool:
    data = tomllib.loads(body)
    return {"name", "groups", "indicators"} <= data.keys()


TOML = _blocks("toml")
SCHEMES = [(line, body) for line, body in TOML if _complete(body)]


def _commands() -> list[tuple[int, list[str], int, list[str]]]:
    """Every `$ perfrules …` line: its arguments, the exit code the page states, and the lines shown after it."""
    found = []
    for line, body in _blocks("console"):
        current: list | None = None
        for k, row in enumerate(body.splitlines()):
            if row.startswith("$ "):
                if current is not None:
                    found.append(tuple(current))
                command, _, comment = row[2:].partition("#")
                args = shlex.split(command)
                assert args[0] == "perfrules", row
                code = re.search(r"exit code (\d+)", comment)
                current = [line + k + 1, args[1:], int(code.group(1)) if code else 0, []]
            elif current is not None:
                current[3].append(row)
        if current is not None:
            found.append(tuple(current))
    return found


COMMANDS = _commands()


def test_the_page_has_schemes_and_commands():
    """The parsers below found what they should: the thirteen mechanics and more, and many commands."""
    assert len(SCHEMES) >= 14
    assert len(COMMANDS) >= 25


@pytest.mark.parametrize(("line", "body"), SCHEMES, ids=[f"line{line}" for line, _ in SCHEMES])
def test_every_complete_scheme_loads(line, body):
    """A TOML block with name, groups and indicators is a scheme perfrules accepts."""
    loads(body)


@pytest.mark.parametrize(("line", "body"), TOML, ids=[f"line{line}" for line, _ in TOML])
def test_every_toml_block_is_valid_toml(line, body):
    """Fragments copied from scheme files are TOML too."""
    tomllib.loads(body)


@pytest.mark.parametrize(
    ("line", "args", "code", "shown"), COMMANDS, ids=[f"line{c[0]}-{c[1][0]}" for c in COMMANDS]
)
def test_every_command_runs_and_prints_what_is_shown(line, args, code, shown, monkeypatch):
    """Each command exits as the page says, and every line shown under it is a line of the real output."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setitem(os.environ, "NO_COLOR", "1")
    out, err = io.StringIO(), io.StringIO()
    got = main(args, out=out, err=err)
    assert got == code, err.getvalue()
    actual = {row.strip() for row in (out.getvalue() + err.getvalue()).splitlines()}
    for row in shown:
        if row.strip() in ("", "…"):
            continue
        assert row.strip() in actual, f"line {line}: {row.strip()!r} is not in the output of {args}"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_is_linked_and_shown_as_it_is(path):
    """Each example scheme and its data are linked from the cookbook, and its body appears verbatim."""
    relative = path.relative_to(ROOT / "docs").as_posix()
    assert f"(../{relative})" in TEXT
    assert f"(../{relative[:-5]}.csv)" in TEXT
    text = path.read_text(encoding="utf-8")
    body = text[text.index("format = ") :].rstrip("\n")
    assert any(block.rstrip("\n") == body for _, block in TOML), f"{path.name} is not shown as it is"


def test_links_stay_inside_docs():
    """Relative links point at files that exist under docs/ (mkdocs --strict refuses the others)."""
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", TEXT):
        if "://" in target:
            continue
        resolved = (COOKBOOK.parent / target).resolve()
        assert resolved.is_relative_to(ROOT / "docs"), target
        assert resolved.exists(), target
