"""Reading results files ``perfrules score`` wrote, as :class:`~perfrules.PastResults`.

``read_results`` reads what ``perfrules score`` writes with ``--format csv``
(Chinese or English headers, the indicators' columns as ``<code> <name>``),
``--format json`` and ``--format jsonl``: each unit's rank, category rank,
total, grade and indicator scores, by unit name. A file that is not such a
results file is refused with what is missing, never read half.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from .._errors import DataError, Problem
from .._numbers import Number, to_number
from ..formula.language import normalize_name
from ..scheme.history import PastResults, PastUnit, shown_field
from ..scheme.model import Scheme

__all__ = ["past_results", "read_results", "with_previous"]

STAND_IN_SIGN = "※"  # the mark score writes beside a head resting on a stand-in (as results.display does)

# Result columns of score's CSV output, in either language, and what each holds.
_HEADS: Mapping[str, str] = {
    "排名": "rank",
    "rank": "rank",
    "类别内排名": "category_rank",
    "rank in category": "category_rank",
    "单位": "unit",
    "unit": "unit",
    "类别": "category",
    "category": "category",
    "总分": "total",
    "total": "total",
    "等次": "grade",
    "grade": "grade",
    "标记": "flags",
    "flags": "flags",
    "层级": "level",
    "level": "level",
    "错误": "errors",
    "errors": "errors",
}


def read_results(path: str | os.PathLike[str], *, label: str | None = None) -> PastResults:
    """Read a results file ``perfrules score`` wrote (CSV, JSON or JSON Lines).

    Args:
        path: the file (``.csv``, ``.json``, ``.jsonl``).
        label: a short name for the run (``2024``); the file's stem by default.

    Returns:
        Each unit's rank, category rank, total, grade and indicator scores.

    Raises:
        DataError: the file is not a results file (no 单位 column, a unit
            listed twice, a total that is not a number …), naming the place.
        FileNotFoundError: there is no such file.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> text = "排名,单位,类别,总分,等次,1 基础工作,错误\\n1,甲,,92,,92,\\n"
    >>> _ = (folder / "2024.csv").write_text(text, encoding="utf-8")
    >>> past = read_results(folder / "2024.csv")
    >>> past.label, past.units["甲"].rank, past.units["甲"].scores["1"]
    ('2024', 1, Decimal('92'))
    """
    p = Path(path)
    origin = p.name
    text = _decoded(p.read_bytes(), origin)
    suffix = p.suffix.lower()
    names: dict[str, str] = {}
    if suffix == ".jsonl":
        units = _from_records(_json_lines(text, origin), origin, names)
        zh = _chinese(text)
    elif suffix == ".json" or text.lstrip("\ufeff \t\r\n")[:1] == "{":
        data = _json(text, origin)
        if not isinstance(data, Mapping) or not isinstance(data.get("units"), list):
            raise DataError(
                [
                    Problem(
                        "",
                        "not a results file: a JSON results file has a 'units' list "
                        "(perfrules score --format json)",
                    )
                ],
                title=f"cannot read {origin}",
            )
        units = _from_records(data["units"], origin, names)
        zh = _chinese(str(data.get("scheme", ""))) or _chinese(text)
    else:
        units = _from_csv(text, origin, names)
        zh = "单位" in text.split("\n", 1)[0]
    return PastResults(
        units=units,
        source=origin,
        label=p.stem if label is None else label,
        indicators=names,
        language="zh" if zh else "en",
    )


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def past_results(value: object) -> PastResults:
    """*value* as :class:`PastResults`: itself, an evaluation's results, or a results file's path.

    >>> past_results(PastResults(units={})).units
    FrozenDict({})
    """
    if isinstance(value, PastResults):
        return value
    if isinstance(value, str | os.PathLike):
        return read_results(value)
    scheme = getattr(value, "scheme", None)
    if isinstance(scheme, Scheme):  # an Evaluation
        return PastResults.of(value, label=scheme.year)
    raise TypeError(
        "previous results must be PastResults, an Evaluation or a results file's path "
        f"(got {type(value).__name__})"
    )


def with_previous(scheme: Scheme, previous: object) -> Scheme:
    """The scheme with last year's results (see :func:`past_results`) for its ``history`` names.

    Raises:
        ValueError: the scheme declares no ``history`` names (nothing would read them).
        DataError: a results file that cannot be read.
    """
    if not scheme.history:
        raise ValueError(
            f"the scheme '{scheme.name}' declares no [history] names: nothing reads previous results"
        )
    past = past_results(previous)
    _check_fits(scheme, past)
    return attrs.evolve(scheme, previous=past)


def _check_fits(scheme: Scheme, past: PastResults) -> None:
    """Refuse results that hold nothing a ``[history]`` name reads (another scheme's, a bare file).

    Each unit would otherwise meet the name as missing data, and a ``default`` policy would
    quietly score every unit as if none had taken part last year.
    """
    if not past.units:
        return
    problems = []
    for name, wanted in scheme.history.items():
        if any(unit.value(wanted) is not None for unit in past.units.values()):
            continue
        what = shown_field(wanted.field, wanted.indicator, zh=False)
        if wanted.field == "score":
            codes = sorted(set(past.indicators) | {c for u in past.units.values() for c in u.scores})
            given = f"they give the scores of {', '.join(codes)}" if codes else "they give no scores"
            hint = f"{given}; is the file another scheme's, or the code '{wanted.indicator}' wrong?"
        else:
            hint = "is the file another scheme's, or written without that column?"
        problems.append(
            Problem(f"history.{name}", f"no unit in the results {past.source or ''} has its {what} ({hint})")
        )
    if problems:
        raise DataError(problems, title=f"last year's results do not fit the scheme '{scheme.name}'")


def _decoded(data: bytes, origin: str) -> str:
    """A results file's text: UTF-8 (with or without a BOM, as perfrules writes it), else GB18030."""
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise DataError([Problem("", "neither UTF-8 nor GB18030 text")], title=f"cannot read {origin}")


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each given once: a second 'rank' would silently win."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key '{key}' is given twice in one object")
        out[key] = value
    return out


def _json(text: str, origin: str) -> object:
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_once)
    except (ValueError, RecursionError) as exc:
        raise DataError([Problem("", f"not valid JSON ({exc})")], title=f"cannot read {origin}") from None


def _json_lines(text: str, origin: str) -> list[Any]:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            out.append(_json(line, f"{origin} line {n}"))
    return out


def _number(value: object, where: str, problems: list[Problem]) -> Number | None:
    """A number of a results file: a JSON number, or a cell's text (``92``, ``69.2``, ``-3``)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, str):
            value = Decimal(value.strip().replace("−", "-"))
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ArithmeticError
        if isinstance(value, Decimal) and not value.is_finite():
            raise ArithmeticError
        return to_number(value)
    except (ValueError, ArithmeticError, InvalidOperation):
        problems.append(Problem(where, f"is not a number (got {value!r})"))
        return None


def _rank(value: object, where: str, problems: list[Problem]) -> int | None:
    found = _number(value, where, problems)
    if found is None:
        return None
    if found != int(found) or found < 1:
        problems.append(Problem(where, f"a rank is a whole number from 1 (got {found})"))
        return None
    return int(found)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _add(units: dict[str, PastUnit], name: str, unit: PastUnit, where: str, problems: list[Problem]) -> None:
    if name in units:
        problems.append(Problem(where, f"unit '{name}' is listed twice"))
    units[name] = unit


def _from_records(records: Iterable[Any], origin: str, names: dict[str, str]) -> dict[str, PastUnit]:
    units: dict[str, PastUnit] = {}
    problems: list[Problem] = []
    for n, record in enumerate(records, start=1):
        where = f"unit {n}"
        if not isinstance(record, Mapping) or not _text(record.get("unit")):
            problems.append(Problem(where, "has no 'unit' (not a results file of perfrules score)"))
            continue
        name = normalize_name(str(record["unit"]))
        scores: dict[str, Number] = {}
        if isinstance(record.get("indicators"), list):
            for item in record["indicators"]:
                if isinstance(item, Mapping) and item.get("code") is not None:
                    if item.get("name"):
                        names.setdefault(str(item["code"]), str(item["name"]))
                    got = _number(item.get("score"), f"{where}, indicator {item['code']}", problems)
                    if got is not None:
                        scores[str(item["code"])] = got
        elif isinstance(record.get("scores"), Mapping):
            for code, value in record["scores"].items():
                got = _number(value, f"{where}, indicator {code}", problems)
                if got is not None:
                    scores[str(code)] = got
        unit = PastUnit(
            rank=_rank(record.get("rank"), f"{where}, rank", problems),
            category_rank=_rank(record.get("category_rank"), f"{where}, category_rank", problems),
            total=_number(record.get("total"), f"{where}, total", problems),
            grade=_text(record.get("grade")),
            category=_text(record.get("category")),
            scores=scores,
        )
        _add(units, name, unit, where, problems)
    if problems:
        raise DataError(problems, title=f"cannot read the results in {origin}")
    return units


def _twice(first: str, head: str, k: int, what: str) -> Problem:
    """A column that holds what an earlier one holds: which of them is meant is not known."""
    return Problem(
        f"header, column {k + 1}",
        f"columns '{first}' and '{head}' both hold {what}; keep one of them "
        "(a results file of perfrules score has each column once)",
    )


def _from_csv(text: str, origin: str, names: dict[str, str]) -> dict[str, PastUnit]:
    rows = list(csv.reader(text.lstrip("\ufeff").splitlines()))
    if not rows:
        raise DataError([Problem("", "the file is empty")], title=f"cannot read the results in {origin}")
    heads = [h.strip().removesuffix(STAND_IN_SIGN) for h in rows[0]]
    roles: dict[str, int] = {}
    codes: dict[int, str] = {}
    twice: list[Problem] = []
    # Each period's total and grade (period_grades): '一季度总分' has no space; 'Q1 total' and
    # 'Q1 grade' stand side by side, and are not an indicator's score.
    periods = {h.removesuffix(" total") for h in heads if h.endswith(" total")}
    periods &= {h.removesuffix(" grade") for h in heads if h.endswith(" grade")}
    for k, head in enumerate(heads):
        role = _HEADS.get(head)
        if head.rpartition(" ")[0] in periods and head.endswith((" total", " grade")):
            continue
        if role is not None:
            if role in roles:  # 排名 and rank, or 总分 twice: which one is meant is not known
                twice.append(_twice(heads[roles[role]], head, k, f"the {role.replace('_', ' ')}"))
            roles.setdefault(role, k)
        elif " " in head:
            code, label = head.split(" ", 1)
            first = next((j for j, c in codes.items() if c == code), None)
            if first is not None:
                twice.append(_twice(heads[first], head, k, f"indicator {code}'s score"))
                continue
            codes[k], names[code] = code, label
    if twice:
        raise DataError(twice, title=f"cannot read the results in {origin}")
    if "unit" not in roles:
        said = (
            # The aligned table score prints: its heads are one cell, apart by spaces.
            "this is the table perfrules score prints, not a results file; write one with "
            "--format csv, json or jsonl (perfrules score … --format csv -o 2024.csv)"
            if any(_HEADS.get(word) == "unit" for word in " ".join(rows[0]).split()[1:2])
            else f"no 单位 (unit) column; a results file of perfrules score --format csv starts "
            f"排名,单位,类别,总分,等次 (got {','.join(heads[:6])})"
        )
        raise DataError([Problem("header", said)], title=f"cannot read the results in {origin}")
    units: dict[str, PastUnit] = {}
    problems: list[Problem] = []

    def cell(row: list[str], role: str) -> str | None:
        k = roles.get(role)
        return row[k] if k is not None and k < len(row) else None

    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"row {n}"
        name = _text(cell(row, "unit"))
        if name is None:
            problems.append(Problem(where, "has no unit name"))
            continue
        scores = {}
        for k, code in codes.items():
            got = _number(row[k] if k < len(row) else None, f"{where}, column '{heads[k]}'", problems)
            if got is not None:
                scores[code] = got
        unit = PastUnit(
            rank=_rank(cell(row, "rank"), f"{where}, column '{heads[roles.get('rank', 0)]}'", problems),
            category_rank=_rank(cell(row, "category_rank"), f"{where}, rank in category", problems),
            total=_number(cell(row, "total"), f"{where}, column '{heads[roles.get('total', 0)]}'", problems),
            grade=_text(cell(row, "grade")),
            category=_text(cell(row, "category")),
            scores=scores,
        )
        _add(units, normalize_name(name), unit, where, problems)
    if problems:
        raise DataError(problems, title=f"cannot read the results in {origin}")
    return units
