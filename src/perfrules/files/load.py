"""Schemes read from scheme files (TOML, JSON) or plain data, and the built-in schemes and sample units.

A scheme file is data a person edits by hand; it never runs code. What it may hold is declared once,
in :mod:`perfrules.files.schemefile`: the reader here checks files against that declaration, which also
gives the JSON Schema and the key reference. Loading collects every problem with its path into the file
(``indicators[12].scale: …``) and raises them together. :mod:`perfrules.files.dump` writes a file that
loads back to an equal scheme.
"""

from __future__ import annotations

import difflib
import functools
import json
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any, Final, Literal

from .._builtin import BUILTIN
from .._errors import DataError, PerfrulesError, Problem, SchemeError
from .._numbers import to_number
from ..formula.language import normalize_name
from ..scheme.model import Scheme
from ..scheme.tree import Group, Indicator
from .data import UnitList, units_from_csv
from .filespec import Reader, read_number
from .scheme_encoding import decode_scheme_file
from .schemefile import FORMAT, SCHEME_FILE
from .schemefile_rules import build_scale

__all__ = [
    "MAX_FILE_BYTES",
    "DataError",
    "load",
    "loads",
    "sample_units",
    "scheme_from_mapping",
    "schemes",
]

MAX_FILE_BYTES: Final = 5 * 2**20
"""Largest scheme or data file perfrules reads (5 MiB)."""

_MAX_DEPTH: Final = 24
MAX_GROUP_DEPTH: Final = 50  # levels of groups in a scheme file; published schemes have 2 to 4
_FORMAT = Literal["toml", "json"]


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

# Numbers in data files are read the way scheme files write them ("30%", "1/3").
_read_number = read_number


def scheme_from_mapping(data: object) -> Scheme:
    """Build a scheme from plain data (a parsed TOML or JSON file).

    Every key is checked against the declaration of the format (the one
    ``perfrules schema`` prints): unknown keys and misspelt settings are
    problems with a did-you-mean, booleans must be booleans and numbers lie
    in their range. The scheme's ``notes`` point into the data too.

    Raises:
        SchemeError: every problem, each with its path into the data
            (``indicators[12].steps[0].order``).

    >>> scheme_from_mapping({"name": "x", "groups": [{"name": "g"}],
    ...     "indicators": [{"code": "1", "name": "a", "group": "g", "weight": 100, "score": "a"}]}).total
    Decimal('100')
    >>> scheme_from_mapping({"name": "x", "groups": [], "indicators": [], "cap_totl": False})
    Traceback (most recent call last):
    perfrules.SchemeError: invalid scheme file: 1 problem
      - unknown key 'cap_totl'; did you mean 'cap_total'? @ cap_totl
    """
    r = Reader()
    _check_depth(r, data, "", 0)
    if r.problems:
        raise SchemeError(r.problems, title="invalid scheme file")
    if isinstance(data, Mapping) and not data:
        raise SchemeError([Problem("", "the file is empty")], title="invalid scheme file")
    top = SCHEME_FILE.read(r, data, "", partial=True)
    if isinstance(data, Mapping) and "format" in data and data["format"] != FORMAT:
        r.problems = [p for p in r.problems if p.path != "format"]
        r.problem("format", f"unknown format {data['format']!r}; this perfrules reads '{FORMAT}'")
    if top is None:
        raise SchemeError(r.problems, title="invalid scheme file")
    return _build_scheme(r, top)


def _build_scheme(r: Reader, top: dict[str, Any]) -> Scheme:
    """Assemble the tree from the checked file and build the scheme; model problems get file paths."""
    groups: dict[str, dict[str, Any]] = {}
    group_paths: dict[str, str] = {}
    for i, g in enumerate(top.get("groups") or []):
        path = f"groups[{i}]"
        if g is None:
            continue
        name = normalize_name(g["name"])
        if name in groups:
            r.problem(f"{path}.name", f"group '{name}' is defined twice (also {group_paths[name]})")
            continue
        groups[name] = g
        group_paths[name] = path
    children: dict[str | None, list[tuple[str, Any]]] = {}
    for name, g in groups.items():
        parent = g.get("parent")
        parent_key = None if parent is None else normalize_name(parent)
        if parent_key is not None and parent_key not in groups:
            hint = _did_you_mean(parent_key, groups)
            r.problem(f"{group_paths[name]}.parent", f"no group '{parent}'{hint}")
            continue
        children.setdefault(parent_key, []).append(("group", name))
    indicator_paths: dict[int, str] = {}
    for i, data in enumerate(top.get("indicators") or []):
        path = f"indicators[{i}]"
        if data is None:
            continue
        key = normalize_name(data["group"])
        if key not in groups:
            r.problem(f"{path}.group", f"no group '{data['group']}'{_did_you_mean(key, groups)}")
            continue
        fields = {k: v for k, v in data.items() if k != "group"}
        fields["code"] = str(fields["code"])
        ind = r.attempt(path, functools.partial(Indicator, **fields))
        if ind is not None:
            indicator_paths[id(ind)] = path
            children.setdefault(key, []).append(("indicator", ind))

    def build(name: str, trail: tuple[str, ...]) -> Group:
        if name in trail:
            raise ValueError(f"groups contain each other: {' → '.join((*trail, name))}")
        g = groups[name]
        kids = [
            build(item, (*trail, name)) if kind == "group" else item for kind, item in children.get(name, [])
        ]
        return Group(
            name=" ".join(str(g["name"]).split()),  # as published; matched by its normalised form
            code=str(g.get("code", "")),
            children=kids,
            declared=g.get("declared"),
            declared_by_category=g.get("declared_by_category", {}),
            weight=g.get("weight"),
            aggregate=g.get("aggregate", "sum"),
            places=g.get("places"),
        )

    _check_group_depth(r, children, group_paths)
    if r.problems:
        raise SchemeError(r.problems, title="invalid scheme file")
    tops = [
        r.attempt(group_paths[name], functools.partial(build, name, ())) for _, name in children.get(None, [])
    ]
    settings = {k: v for k, v in top.items() if k not in ("format", "groups", "indicators", "overall")}
    if "overall" in top:
        # The overall grading reads 总分 and gives grades only, for totals from
        # 0 to full marks (or beyond, when bonuses may lift them); whole-point
        # bands are read on the totals' rounding.
        full = top.get("total", 100)
        if isinstance(top.get("totals"), Mapping) and top["totals"]:
            # 分类考核: totals up to the largest category's full marks can occur.
            full = max([full, *top["totals"].values()], key=to_number)
        defaults: dict[str, Any] = {
            "variable": "总分",
            "scoring": "none",
            "domain": (
                0 if top.get("floor_total", True) else None,
                full if top.get("cap_total", True) else None,
            ),
        }
        if "round_total" in top:
            defaults["precision"] = top["round_total"]
        settings["overall"] = r.attempt("overall", lambda: build_scale(top["overall"], defaults))
    if r.problems:
        raise SchemeError(r.problems, title="invalid scheme file")
    try:
        scheme = Scheme(groups=[g for g in tops if g is not None], **settings)
    except SchemeError as exc:
        problems = _file_paths(exc.problems, tops, indicator_paths, group_paths)
        raise SchemeError(problems, title="invalid scheme file") from None
    except (PerfrulesError, TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as exc:
        raise SchemeError(
            [Problem("", str(exc) or type(exc).__name__)], title="invalid scheme file"
        ) from None
    scheme._relocate_notes(_file_paths(scheme.notes, tops, indicator_paths, group_paths))
    return scheme


def _check_group_depth(
    r: Reader, children: Mapping[str | None, list[tuple[str, Any]]], group_paths: Mapping[str, str]
) -> None:
    """Groups nested deeper than any published scheme are a problem (and building them would recurse)."""
    seen: set[str] = set()
    todo = [(name, 1) for kind, name in children.get(None, []) if kind == "group"]
    while todo:
        name, level = todo.pop()
        if level > MAX_GROUP_DEPTH:
            r.problem(
                f"{group_paths[name]}.parent",
                f"groups are nested more than {MAX_GROUP_DEPTH} levels deep (group '{name}')",
            )
            return
        seen.add(name)
        todo.extend(
            (kid, level + 1) for kind, kid in children.get(name, []) if kind == "group" and kid not in seen
        )


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _file_paths(
    problems: Sequence[Problem],
    tops: Sequence[Group | None],
    indicators: Mapping[int, str],
    groups: Mapping[str, str],
) -> list[Problem]:
    """Rewrite tree paths (``groups[0].children[2].code``) as paths into the file (``indicators[7].code``).

    *indicators* maps ``id()`` of each built indicator to its file path, so two
    indicators with the same (wrong) code still point at their own entries.
    """
    where: dict[str, str] = {}

    def walk(prefix: str, node: Group | Indicator) -> None:
        if isinstance(node, Indicator):
            if id(node) in indicators:
                where[prefix] = indicators[id(node)]
            return
        if normalize_name(node.name) in groups:
            where[prefix] = groups[normalize_name(node.name)]
        for i, child in enumerate(node.children):
            walk(f"{prefix}.children[{i}]", child)

    for i, group in enumerate(g for g in tops if g is not None):
        walk(f"groups[{i}]", group)
    out = []
    for problem in problems:
        path = problem.path
        best = max((k for k in where if path == k or path.startswith(k + ".")), key=len, default=None)
        if best is not None:
            path = where[best] + path[len(best) :]
        out.append(Problem(path, problem.message))
    return out


def _check_depth(r: Reader, value: object, path: str, depth: int) -> None:
    if depth > _MAX_DEPTH:
        r.problem(path or "(top)", f"nested more than {_MAX_DEPTH} levels deep")
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            _check_depth(r, v, f"{path}.{k}" if path else str(k), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_depth(r, v, f"{path}[{i}]", depth + 1)


def _parse_text(text: str, format: _FORMAT, where: str) -> object:
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise SchemeError(
            [Problem("", f"{where} is larger than {MAX_FILE_BYTES} bytes")], title="invalid scheme file"
        )
    try:
        if format == "json":
            return json.loads(text, parse_float=Decimal)
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(
            [Problem("", f"{where} is not valid TOML: {exc}")], title="invalid scheme file"
        ) from None
    except json.JSONDecodeError as exc:
        raise SchemeError(
            [Problem("", f"{where} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")],
            title="invalid scheme file",
        ) from None
    except RecursionError:
        raise SchemeError(
            [Problem("", f"{where} is nested too deeply")], title="invalid scheme file"
        ) from None
    except ValueError as exc:  # an integer longer than Python reads (4300 digits)
        raise SchemeError(
            [Problem("", f"{where} holds a number too long to read ({exc}".split(";")[0] + ")")],
            title="invalid scheme file",
        ) from None


def loads(text: str, *, format: _FORMAT = "toml") -> Scheme:
    """Read a scheme from TOML (the default) or JSON text."""
    if not isinstance(text, str):
        hint = (
            "decode bytes first: loads(data.decode('utf-8'))"
            if isinstance(text, bytes | bytearray)
            else "for a file use perfrules.load(path)"
        )
        raise TypeError(f"loads() needs the text of a scheme file (str), not {type(text).__name__}; {hint}")
    return scheme_from_mapping(_parse_text(text, format, "the text"))


_BUILTIN: Final = BUILTIN  # one list, also read by the command line without loading this module


def schemes() -> tuple[str, ...]:
    """The names of the built-in schemes, for ``load(name)``.

    >>> schemes()
    ('shenzhen-2010-departments', 'shenzhen-2010-districts', 'xiamen-xiangan-2020')
    """
    return tuple(_BUILTIN)


def _builtin_file(name: str, suffix: str) -> str:
    stem = _BUILTIN[name]
    return resources.files("perfrules").joinpath("schemes", f"{stem}{suffix}").read_text(encoding="utf-8")


@functools.cache
def _load_builtin(name: str) -> Scheme:
    return loads(_builtin_file(name, ".toml"))


def load(source: str | Path) -> Scheme:
    """Load a scheme from a TOML or JSON file, or a built-in scheme by name.

    Args:
        source: a path (``.toml`` or ``.json``), or one of ``schemes()``.

    Raises:
        SchemeError: the file has problems; all of them are listed with their
            paths into the file.
        FileNotFoundError: no such file (and no built-in scheme of that name).

    A built-in scheme is read once per process: schemes are immutable, so
    each call gives the same object.

    >>> load("xiamen-xiangan-2020").total
    Decimal('1000')
    >>> load("xiamen-xiangan-2020") is load("xiamen-xiangan-2020")
    True
    """
    if isinstance(source, str) and source in _BUILTIN:
        return _load_builtin(source)
    if not isinstance(source, str | PathLike):
        raise TypeError(
            f"load() needs a file's path or a built-in scheme's name, not {type(source).__name__}"
            + ("; for a file's content use perfrules.loads(text)" if isinstance(source, bytes) else "")
        )
    path = Path(source)
    if not path.exists():
        close = difflib.get_close_matches(str(source), list(_BUILTIN), n=1)
        hint = (
            f"; did you mean the built-in scheme '{close[0]}'?"
            if close
            else f"; built-in schemes: {', '.join(_BUILTIN)}"
        )
        raise FileNotFoundError(f"no scheme file '{source}'{hint}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SchemeError(
            [Problem("", f"{path} is larger than {MAX_FILE_BYTES} bytes")], title="invalid scheme file"
        )
    text = decode_scheme_file(path.read_bytes(), str(path))
    fmt: _FORMAT = "json" if path.suffix.lower() == ".json" else "toml"
    try:
        return scheme_from_mapping(_parse_text(text, fmt, str(path)))
    except SchemeError as exc:
        raise SchemeError(exc.problems, title=f"invalid scheme file {path}") from None


def sample_units(name: str) -> UnitList:
    """The sample units shipped with a built-in scheme (made up, but plausible).

    >>> [u.name for u in sample_units("xiamen-xiangan-2020")][:3]
    ['区文旅局', '区发改局', '区财政局']
    """
    if name not in _BUILTIN:
        raise KeyError(f"no built-in scheme '{name}'; built-in schemes: {', '.join(_BUILTIN)}")
    return units_from_csv(_builtin_file(name, ".csv"), scheme=load(name), origin=f"{name} sample data")
