"""A scheme written as a scheme file (TOML or JSON) that loads back to an equal scheme.

Each model object is written by its spec in :mod:`perfrules.files.schemefile`
(the same declaration the reader checks against), leaving out defaults and
empty values, so that a written file is as short as a hand-written one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, Literal

import tomli_w

from .._errors import expect_scheme
from .._numbers import Number, exact
from .._todo import Todo
from ..formula.language import Formula
from ..grading.scale import DEFAULT_SCORES, GradeScale
from ..scheme.model import Scheme
from ..scheme.overall import Flag, GradeCap, Quota, RollUp
from ..scheme.policies import Adjust, Default, NotApplicable, Veto, ZeroWhen
from ..scheme.steps import Part, PeerRatio, Rank, Step
from ..scheme.tree import Group, Indicator
from .per_unit import per_unit_tables
from .schemefile import CAP, FLAG, QUOTA, ROLL_UP
from .schemefile_rules import ADJUST, DEFAULT, NOT_APPLICABLE, PART, PEER_RATIO, RANK, VETO, ZERO
from .spec_tables import to_mapping

__all__ = [
    "dump",
    "dumps",
    "scheme_to_mapping",
]

_FORMAT = Literal["toml", "json"]


def _plain_number(value: Number | int) -> int | Decimal | str:
    shown = exact(Fraction(value))
    if isinstance(shown, Fraction):
        return f"{shown.numerator}/{shown.denominator}"
    if shown == shown.to_integral_value() and abs(shown) < 10**15:
        return int(shown)
    return shown


def _scale_to_mapping(scale: GradeScale) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if scale.source is not None:
        out["rule"] = scale.source.strip()
        if scale.source_variable != "得分":
            out["variable"] = scale.source_variable
    else:
        bands = []
        for band in scale.bands:
            entry: dict[str, Any] = {"name": band.name}
            if band.conditions:
                entry["conditions"] = [c.expression for c in band.conditions]
            if band.points is not None:
                entry["points"] = _plain_number(band.points)
            if band.score is not None:
                entry["score"] = [_plain_number(v) for v in band.score]
            bands.append(entry)
        out["bands"] = bands
    if scale.policy != "exclusive":
        out["policy"] = scale.policy
    if scale.scoring is not None:
        out["scoring"] = scale.scoring
    if dict(scale.scores) != dict(DEFAULT_SCORES):
        out["scores"] = {k: [_plain_number(a), _plain_number(b)] for k, (a, b) in scale.scores.items()}
    if scale.domain is not None:
        out["domain"] = [
            None if scale.domain.lo is None else _plain_number(scale.domain.lo),
            None if scale.domain.hi is None else _plain_number(scale.domain.hi),
        ]
    if scale.gaps != "error":
        out["gaps"] = scale.gaps
    if scale.levels:
        out["levels"] = {k: _plain_number(v) for k, v in scale.levels.items()}
    if scale.precision is not None:
        out["precision"] = scale.precision
    return out


def _plain(value: object) -> Any:
    """A model value as a file writes it."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, GradeScale):
        return _scale_to_mapping(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return _plain_number(value)  # type: ignore[arg-type]


_SPEC_OF: Final = {
    Part: PART,
    PeerRatio: PEER_RATIO,
    Rank: RANK,
    Default: DEFAULT,
    NotApplicable: NOT_APPLICABLE,
    ZeroWhen: ZERO,
    Adjust: ADJUST,
    Veto: VETO,
    GradeCap: CAP,
    Flag: FLAG,
    Quota: QUOTA,
    RollUp: ROLL_UP,
}


def _object_to_mapping(obj: object) -> dict[str, Any]:
    """Steps, policies, caps and quotas, written by their declaration (defaults left out)."""
    return to_mapping(_SPEC_OF[type(obj)], obj, _plain)


def _step_to_mapping(step: Step) -> str | dict[str, Any]:
    return step.text if isinstance(step, Formula) else _object_to_mapping(step)


def _indicator_to_mapping(ind: Indicator, group: str) -> dict[str, Any]:
    out: dict[str, Any] = {"code": ind.code, "name": ind.name, "group": group}
    for key in ("definition", "source"):
        if getattr(ind, key):
            out[key] = getattr(ind, key)
    if ind.frequency is not None:
        out["frequency"] = ind.frequency
    if ind.weight is not None:
        out["weight"] = _plain_number(ind.weight)
    if ind.weights:
        out["weights"] = {k: _plain_number(v) for k, v in ind.weights.items()}
    if ind.weight_from is not None:
        out["weight_from"] = ind.weight_from
    if ind.applies_to is not None:
        out["applies_to"] = sorted(ind.applies_to)
    if ind.inputs:
        out["inputs"] = dict(ind.inputs)
    if ind.steps:
        out["steps"] = [_step_to_mapping(s) for s in ind.steps]
    if ind.value is not None:
        out["value"] = ind.value
    if ind.score is not None:
        out["score"] = ind.score.text
    if ind.metadata:
        out["metadata"] = dict(ind.metadata)
    if ind.scale is not None:
        out["scale"] = _scale_to_mapping(ind.scale)
    if ind.policies:
        out["policies"] = [_object_to_mapping(p) for p in ind.policies]
    if ind.max_score is not None:
        out["max_score"] = "none" if ind.max_score == "none" else _plain_number(ind.max_score)
    if ind.min_score != 0:
        out["min_score"] = "none" if ind.min_score == "none" else _plain_number(ind.min_score)
    if ind.full is not None:
        out["full"] = _plain_number(ind.full)
    if ind.fulls:
        out["fulls"] = {k: _plain_number(v) for k, v in ind.fulls.items()}
    if ind.within != "all":
        out["within"] = ind.within
    if ind.stand_in:
        out["stand_in"] = ind.stand_in
    if ind.todo:
        out["todo"] = [_todo_to_mapping(t) for t in ind.todo]
    return out


def _todo_to_mapping(todo: Todo) -> dict[str, Any]:
    out: dict[str, Any] = {"about": todo.about}
    if todo.text:
        out["text"] = todo.text
    if todo.row is not None:
        out["row"] = todo.row
    for key in ("column", "note"):
        if getattr(todo, key):
            out[key] = getattr(todo, key)
    return out


def scheme_to_mapping(scheme: Scheme) -> dict[str, Any]:
    """The scheme as plain data (what ``dump`` writes).

    Groups and indicators are flat lists: each group names its ``parent``,
    each indicator its ``group``, so a person can edit the file without
    deep nesting.
    """
    expect_scheme(scheme, Scheme, "perfrules.scheme_to_mapping()")
    out: dict[str, Any] = {"format": "perfrules-scheme/1", "name": scheme.name}
    for key in ("year", "source"):
        if getattr(scheme, key):
            out[key] = getattr(scheme, key)
    out["basis"] = scheme.basis
    out["total"] = _plain_number(scheme.total)
    if scheme.categories:
        out["categories"] = list(scheme.categories)
    if scheme.totals:
        out["totals"] = {k: _plain_number(v) for k, v in scheme.totals.items()}
    if scheme.full_score != 100:
        out["full_score"] = _plain_number(scheme.full_score)
    if scheme.periods != "mean":
        out["periods"] = scheme.periods
    if scheme.period_grades:
        out["period_grades"] = True
    if scheme.language != "zh":
        out["language"] = scheme.language
    default_scores = dict(DEFAULT_SCORES) if scheme.basis == "percent" else None
    if (None if scheme.scores is None else dict(scheme.scores)) != default_scores:
        out["scores"] = (
            False
            if scheme.scores is None
            else {k: [_plain_number(a), _plain_number(b)] for k, (a, b) in scheme.scores.items()}
        )
    if scheme.overall is not None:
        overall = _scale_to_mapping(scheme.overall)
        if overall.get("variable") == "总分":
            del overall["variable"]
        if overall.get("scoring") == "none":
            del overall["scoring"]
        if overall.get("precision") == scheme.round_total:
            overall.pop("precision", None)
        out["overall"] = overall
    for key in ("round_total", "round_scores"):
        if getattr(scheme, key) is not None:
            out[key] = getattr(scheme, key)
    if not scheme.cap_total:
        out["cap_total"] = False
    if not scheme.floor_total:
        out["floor_total"] = False
    if scheme.normalize:
        out["normalize"] = True
    if scheme.total_formula is not None:
        out["total_formula"] = scheme.total_formula.text
    if scheme.stand_in:
        out["stand_in"] = scheme.stand_in
    if scheme.stand_ins:
        out["stand_ins"] = dict(scheme.stand_ins)
    if scheme.rank_within != "all":
        out["rank_within"] = scheme.rank_within
    if scheme.todo:
        out["todo"] = [_todo_to_mapping(t) for t in scheme.todo]
    if scheme.caps:
        out["caps"] = [_object_to_mapping(c) for c in scheme.caps]
    out.update(per_unit_tables(scheme, _plain))
    if scheme.flags:
        out["flags"] = [_object_to_mapping(f) for f in scheme.flags]
    if scheme.quotas:
        out["quotas"] = [_object_to_mapping(q) for q in scheme.quotas]
    if scheme.roll_up is not None:
        out["roll_up"] = _object_to_mapping(scheme.roll_up)
    if scheme.policies:
        out["policies"] = [_object_to_mapping(p) for p in scheme.policies]
    groups: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []

    def walk(group: Group, parent: str | None) -> None:
        entry: dict[str, Any] = {"name": group.name}
        if parent is not None:
            entry["parent"] = parent
        if group.code:
            entry["code"] = group.code
        if group.declared is not None:
            entry["declared"] = _plain_number(group.declared)
        if group.declared_by_category:
            entry["declared_by_category"] = {
                k: _plain_number(v) for k, v in group.declared_by_category.items()
            }
        if group.weight is not None:
            entry["weight"] = _plain_number(group.weight)
        if group.aggregate != "sum":
            entry["aggregate"] = group.aggregate
        if group.places is not None:
            entry["places"] = group.places
        groups.append(entry)
        for child in group.children:
            if isinstance(child, Group):
                walk(child, group.name)
            else:
                indicators.append(_indicator_to_mapping(child, group.name))

    for group in scheme.groups:
        walk(group, None)
    out["groups"] = groups
    out["indicators"] = indicators
    return out


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return ["" if v is None else _drop_none(v) for v in value]
    return value


def dumps(scheme: Scheme, *, format: _FORMAT = "toml") -> str:
    """Write a scheme as TOML (the default) or JSON text.

    >>> from perfrules import load
    >>> text = dumps(load("shenzhen-2010-departments"))
    >>> text.splitlines()[0]
    'format = "perfrules-scheme/1"'
    """
    expect_scheme(scheme, Scheme, "perfrules.dumps()")
    data = scheme_to_mapping(scheme)
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n"
    if format != "toml":
        raise ValueError(f"format must be 'toml' or 'json' (got {format!r})")
    return tomli_w.dumps(_drop_none(data), multiline_strings=True)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def dump(scheme: Scheme, path: str | Path, *, format: _FORMAT | None = None) -> None:
    """Write a scheme to a file; the format follows the suffix (``.toml``, ``.json``)."""
    expect_scheme(scheme, Scheme, "perfrules.dump()")
    target = Path(path)
    fmt = format or ("json" if target.suffix.lower() == ".json" else "toml")
    target.write_text(dumps(scheme, format=fmt), encoding="utf-8")
