"""The package's layout shows its layers: each folder is one, imports only point up the list, no cycles.

A reader who starts at the top of ``LAYERS`` never meets a name defined further down: every
import (at a module's top, inside a function or under ``TYPE_CHECKING``) goes to a module of the
same layer or of one listed before it, and no group of modules imports itself round.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "perfrules"
pytestmark = pytest.mark.skipif(not PACKAGE.is_dir(), reason="needs the source tree")

# The layers, from the first a reader needs to the last; a module may import only from its own
# layer or one before it. Top-level modules are named here; a folder is its own layer.
LAYERS: list[tuple[str, ...]] = [
    (
        "_version",
        "_errors",
        "_numbers",
        "_frozen",
        "_words",
        "_todo",
        "_intcols",
        "_textcols",
        "_builtin",
        "_writers",
    ),
    ("formula",),
    ("grading",),
    ("scheme",),
    ("scoring",),
    ("results",),
    ("files",),
    ("pipeline",),
    ("analysis",),
    ("dask", "plot", "testing", "_testing_data"),
    ("cli",),
    ("__init__", "__main__"),
]
MAX_LINES = 600


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in PACKAGE.rglob("*.py")}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imports(name: str) -> set[str]:
    """Every module of the package that ``name`` imports, anywhere in its text."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    here = name if _is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            submodules = {f"{module}.{alias.name}" for alias in node.names} & MODULES.keys()
            found.update(submodules or {module})
    return {m for m in found if m in MODULES and m != name}


def _layer(name: str) -> int:
    parts = name.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    for index, members in enumerate(LAYERS):
        if key in members:
            return index
    raise AssertionError(f"{name} is in no layer of tests/test_layout.py: add it to LAYERS")


GRAPH = {name: _imports(name) for name in MODULES}


def test_every_module_belongs_to_a_layer():
    for name in MODULES:
        _layer(name)


def test_imports_only_point_to_the_same_layer_or_an_earlier_one():
    upward = sorted(
        f"{name} imports {dep}"
        for name, deps in GRAPH.items()
        for dep in deps
        if dep != "perfrules" and _layer(dep) > _layer(name)
    )
    assert upward == []


def test_nothing_but_the_top_imports_the_package_itself():
    """``perfrules/__init__.py`` is the public face; a module inside never goes through it."""
    assert sorted(name for name, deps in GRAPH.items() if "perfrules" in deps) == []


def test_no_import_cycles_at_any_level():
    state: dict[str, int] = {}
    trail: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        state[module] = 1
        trail.append(module)
        for dep in sorted(GRAPH[module]):
            if state.get(dep) == 1:
                found.append([*trail[trail.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        trail.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert found == []


def test_the_cycle_check_sees_imports_inside_functions(tmp_path, monkeypatch):
    """The graph counts a lazy import in a function body, which the old check skipped."""
    assert "perfrules.cli.score_commands" in GRAPH["perfrules.cli.main"]  # imported inside main()


def test_every_module_says_its_one_job():
    """Each module opens with a docstring whose first line is one sentence."""
    missing = []
    for name, path in MODULES.items():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not doc or not doc.splitlines()[0].rstrip().endswith((".", "）", ")")):
            missing.append(name)
    assert missing == []


def test_no_module_is_over_the_size_limit():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_architecture_page_lists_every_module_as_its_docstring_says():
    """docs/explanation/architecture.md lists the modules from their docstrings (tools/module_map.py)."""
    tool = PACKAGE.parent.parent / "tools" / "module_map.py"
    spec = importlib.util.spec_from_file_location("module_map", tool)
    assert spec is not None and spec.loader is not None
    module_map = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module_map)
    current = module_map.PAGE.read_text(encoding="utf-8")
    assert module_map.page_text(LAYERS) == current, "run: python tools/module_map.py"
    # Read as Markdown: a docstring's Sphinx role shows as code, never as ":class:`~perfrules.X`",
    # and each group of top-level modules is named as the page's sections name it.
    listed = current.partition(module_map.START)[2].partition(module_map.END)[0]
    assert "`PastResults`" in listed and re.search(r":[a-z]+:`", listed) is None
    titles = re.findall(r"^\*\*(.+)\*\*$", listed, flags=re.MULTILINE)
    assert len(titles) == len(set(titles)), titles


def test_module_docstrings_name_no_module_that_is_gone():
    """A docstring's reference to a private module (``perfrules._past``) points at one that exists."""
    for name, path in MODULES.items():
        for target in re.findall(r"perfrules\.(_[a-z][a-z_]*)\b", path.read_text(encoding="utf-8")):
            assert f"perfrules.{target}" in MODULES, f"{name} names perfrules.{target}, which is gone"
