"""Scheme files (TOML, JSON) and the built-in schemes; unit data files are in ``_data``.

A scheme file is data a person edits by hand; it never runs code. Loading
collects every problem with its path into the file (``indicators[12].scale:
…``) and raises them together. ``dump`` writes a file that loads back to an
equal scheme.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import tomli_w

from ._errors import DataError, PerfrulesError, Problem, SchemeError
from ._formula import Formula, normalize_name
from ._numbers import Number, exact, to_number
from ._scale import DEFAULT_SCORES, GradeBand, GradeScale
from ._scheme import (
    Adjust,
    Default,
    GradeCap,
    Group,
    Indicator,
    NotApplicable,
    Part,
    PeerRatio,
    Policy,
    Quota,
    Rank,
    Scheme,
    Step,
    Veto,
    ZeroWhen,
)

__all__ = [
    "MAX_FILE_BYTES",
    "DataError",
    "dump",
    "dumps",
    "load",
    "load_units",
    "loads",
    "sample_units",
    "scheme_from_mapping",
    "scheme_to_mapping",
    "schemes",
    "units_from_csv",
    "units_from_json",
]

MAX_FILE_BYTES: Final = 5 * 2**20
"""Largest scheme file perfrules reads (5 MiB); data files have no such limit."""

_MAX_DEPTH: Final = 24
_MAX_ITEMS: Final = 5000
_FORMAT = Literal["toml", "json"]


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


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


def _step_to_mapping(step: Step) -> str | dict[str, Any]:
    if isinstance(step, Formula):
        return step.text
    if isinstance(step, Part):
        out: dict[str, Any] = {"type": "part", "target": step.target, "scale": _scale_to_mapping(step.scale)}
        if step.of is not None:
            out["of"] = step.of
        return out
    if isinstance(step, PeerRatio):
        out = {"type": "peer_ratio", "target": step.target, "numerator": step.numerator}
        out["denominator"] = step.denominator
        if not step.pooled:
            out["pooled"] = False
        if step.within != "all":
            out["within"] = step.within
        return out
    out = {"type": "rank", "target": step.target, "of": step.of}
    if step.order != "desc":
        out["order"] = step.order
    if step.within != "all":
        out["within"] = step.within
    if step.points:
        out["points"] = {str(k): _plain_number(v) for k, v in step.points.items()}
    if step.bottom_points:
        out["bottom_points"] = {str(k): _plain_number(v) for k, v in step.bottom_points.items()}
    return out


def _policy_to_mapping(policy: Policy) -> dict[str, Any]:
    out: dict[str, Any]
    if isinstance(policy, Default):
        out = {"type": "default"}
        if policy.grade is not None:
            out["grade"] = policy.grade
        if policy.score != "midpoint":
            out["score"] = policy.score if isinstance(policy.score, str) else _plain_number(policy.score)
        if policy.when is not None:
            out["when"] = policy.when.text
        if policy.note:
            out["note"] = policy.note
    elif isinstance(policy, NotApplicable):
        out = {"type": "not_applicable"}
        if policy.when is not None:
            out["when"] = policy.when.text
        if policy.to is not None:
            out["to"] = policy.to
    elif isinstance(policy, ZeroWhen):
        out = {"type": "zero", "when": policy.when.text}
        if policy.target is not None:
            out["target"] = policy.target
    elif isinstance(policy, Adjust):
        out = {"type": "adjust"}
        if policy.per is not None and policy.points is not None:
            out["per"] = policy.per
            out["points"] = _plain_number(policy.points)
        else:
            out["items"] = {k: _plain_number(v) for k, v in policy.items.items()}
        if policy.cap is not None:
            out["cap"] = _plain_number(policy.cap)
    else:
        out = {"type": "veto", "when": policy.when.text}
        if policy.effect != "zero":
            out["effect"] = policy.effect
    if policy.reason:
        out["reason"] = policy.reason
    return out


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
        out["policies"] = [_policy_to_mapping(p) for p in ind.policies]
    if ind.max_score is not None:
        out["max_score"] = _plain_number(ind.max_score)
    if ind.within != "all":
        out["within"] = ind.within
    if ind.stand_in:
        out["stand_in"] = ind.stand_in
    return out


def scheme_to_mapping(scheme: Scheme) -> dict[str, Any]:
    """The scheme as plain data (what ``dump`` writes).

    Groups and indicators are flat lists: each group names its ``parent``,
    each indicator its ``group``, so a person can edit the file without
    deep nesting.
    """
    out: dict[str, Any] = {"format": "perfrules-scheme/1", "name": scheme.name}
    for key in ("year", "source"):
        if getattr(scheme, key):
            out[key] = getattr(scheme, key)
    out["basis"] = scheme.basis
    out["total"] = _plain_number(scheme.total)
    if scheme.categories:
        out["categories"] = list(scheme.categories)
    if scheme.full_score != 100:
        out["full_score"] = _plain_number(scheme.full_score)
    if scheme.periods != "mean":
        out["periods"] = scheme.periods
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
    if scheme.normalize:
        out["normalize"] = True
    if scheme.stand_in:
        out["stand_in"] = scheme.stand_in
    if scheme.caps:
        out["caps"] = [
            {"when": c.when.text, "grade": c.grade, **({"reason": c.reason} if c.reason else {})}
            for c in scheme.caps
        ]
    if scheme.quotas:
        out["quotas"] = [_quota_to_mapping(q) for q in scheme.quotas]
    if scheme.policies:
        out["policies"] = [_policy_to_mapping(p) for p in scheme.policies]
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


def _quota_to_mapping(quota: Quota) -> dict[str, Any]:
    out: dict[str, Any] = {"grade": quota.grade}
    if quota.share is not None:
        out["share"] = _plain_number(quota.share)
    if quota.count is not None:
        out["count"] = quota.count
    for key, default in (("rounding", "floor"), ("ties", "exclude"), ("within", "all")):
        if getattr(quota, key) != default:
            out[key] = getattr(quota, key)
    if quota.overflow is not None:
        out["overflow"] = quota.overflow
    if quota.reason:
        out["reason"] = quota.reason
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
    target = Path(path)
    fmt = format or ("json" if target.suffix.lower() == ".json" else "toml")
    target.write_text(dumps(scheme, format=fmt), encoding="utf-8")


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

_T = TypeVar("_T")


class _Reader:
    """Builds objects from plain data, collecting problems with their paths."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def attempt(self, path: str, build: Callable[[], _T]) -> _T | None:
        try:
            return build()
        except SchemeError as exc:
            for p in exc.problems:
                self.problem(f"{path}.{p.path}" if p.path else path, p.message)
        except (PerfrulesError, TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as exc:
            # Whatever a builder makes of hand-written data, it becomes a
            # problem at this path; nothing else escapes loading.
            message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
            self.problem(path, message or type(exc).__name__)
        return None

    def table(
        self, value: object, path: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.problem(path, f"must be a table (got {type(value).__name__})")
            return {}
        allowed_set = set(allowed)
        for key in value:
            if key not in allowed_set:
                import difflib

                close = difflib.get_close_matches(str(key), sorted(allowed_set), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.problem(f"{path}.{key}", f"unknown key '{key}'{hint}")
        for key in required:
            if key not in value:
                self.problem(f"{path}.{key}", "is required")
        return dict(value)

    def text(self, value: object, path: str) -> str | None:
        if not isinstance(value, str):
            self.problem(path, f"must be text (got {value!r})")
            return None
        return value

    def number(self, value: object, path: str) -> Number | None:
        return self.attempt(path, lambda: _read_number(value))

    def list(self, value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.problem(path, f"must be a list (got {type(value).__name__})")
            return []
        if len(value) > _MAX_ITEMS:
            self.problem(path, f"has {len(value)} items; the limit is {_MAX_ITEMS}")
            return []
        return value


_FRACTION: Final = re.compile(r"^\s*(-?\d+)\s*/\s*(\d+)\s*$")


def _enum(r: _Reader, value: object, path: str, choices: Sequence[str]) -> bool:
    """A setting with a fixed set of values; anything else is a problem with a did-you-mean."""
    if isinstance(value, str) and value in choices:
        return True
    import difflib

    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    r.problem(path, f"must be one of {', '.join(repr(c) for c in choices)} (got {value!r}){hint}")
    return False


def _whole(r: _Reader, value: object, path: str, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        r.problem(path, f"must be a whole number from {low} to {high} (got {value!r})")
        return None
    return value


def _read_number(value: object) -> Number:
    if isinstance(value, bool):
        raise TypeError(f"expected a number (got {value!r})")
    if isinstance(value, str):
        text = normalize_name(value)
        if m := _FRACTION.match(text):
            return exact(Fraction(int(m.group(1)), int(m.group(2))))
        percent = text.endswith("%")
        try:
            number = Decimal(text[:-1] if percent else text)
        except InvalidOperation:
            raise ValueError(f"expected a number (got {value!r})") from None
        return to_number(number.scaleb(-2) if percent else number)
    return to_number(value)


def _scale_from(
    r: _Reader, value: object, path: str, defaults: Mapping[str, Any] | None = None
) -> GradeScale | None:
    keys = (
        "rule", "variable", "bands", "policy", "scoring", "scores", "domain", "gaps", "levels", "precision",
    )  # fmt: skip
    data = r.table(value, path, keys)
    if not data:
        return None
    settings: dict[str, Any] = dict(defaults or {})
    for key in ("policy", "scoring", "gaps"):
        if key in data:
            settings[key] = data[key]
            choices = {
                "policy": ("exclusive", "first", "lowest", "highest"),
                "scoring": ("interpolate", "midpoint", "points", "none"),
                "gaps": ("error", "lower", "upper"),
            }[key]
            _enum(r, data[key], f"{path}.{key}", choices)
    if "precision" in data:
        settings["precision"] = _whole(r, data["precision"], f"{path}.precision", 0, 10)
    if "scores" in data:
        scores = r.table(
            data["scores"],
            f"{path}.scores",
            [str(k) for k in data["scores"]] if isinstance(data["scores"], Mapping) else [],
        )
        settings["scores"] = {
            k: [r.number(x, f"{path}.scores.{k}") for x in r.list(v, f"{path}.scores.{k}")]
            for k, v in scores.items()
        }
    if "domain" in data:
        ends = r.list(data["domain"], f"{path}.domain")
        settings["domain"] = tuple(None if e in (None, "") else r.number(e, f"{path}.domain") for e in ends)
    if "levels" in data:
        levels = data["levels"]
        settings["levels"] = (
            levels
            if isinstance(levels, list)
            else {
                k: r.number(v, f"{path}.levels.{k}")
                for k, v in r.table(levels, f"{path}.levels", list(levels)).items()
            }
            if isinstance(levels, Mapping)
            else levels
        )
    if "rule" in data and "bands" in data:
        r.problem(path, "give either 'rule' (the published text) or 'bands', not both")
        return None
    if "rule" in data:
        rule = r.text(data["rule"], f"{path}.rule")
        variable = data.get("variable", settings.pop("variable", "得分"))
        if rule is None:
            return None
        return r.attempt(path, lambda: GradeScale.parse(rule, variable=variable, **settings))
    settings.pop("variable", None)
    if "bands" not in data:
        r.problem(path, "needs 'rule' (the published text) or 'bands'")
        return None
    bands = []
    for i, raw in enumerate(r.list(data["bands"], f"{path}.bands")):
        where = f"{path}.bands[{i}]"
        band = r.table(raw, where, ("name", "conditions", "points", "score"), required=("name",))
        if "name" not in band:
            continue
        built = r.attempt(where, functools.partial(_band_from, band))
        if built is not None:
            bands.append(built)
    if len(bands) != len(r.list(data["bands"], f"{path}.bands")):
        return None
    return r.attempt(path, lambda: GradeScale(bands=bands, **settings))


def _band_from(band: Mapping[str, Any]) -> GradeBand:
    return GradeBand(
        name=band["name"],
        conditions=band.get("conditions", ()),
        points=None if "points" not in band else _read_number(band["points"]),
        score=None if "score" not in band else tuple(_read_number(x) for x in band["score"]),
    )


def _step_from(r: _Reader, value: object, path: str) -> Step | None:
    if isinstance(value, str):
        return r.attempt(path, lambda: _checked_assignment(value))
    data = r.table(
        value,
        path,
        (
            "type", "target", "scale", "of", "numerator", "denominator", "pooled", "within", "order",
            "points", "bottom_points",
        ),
        ("type", "target"),
    )  # fmt: skip
    if "pooled" in data and not isinstance(data["pooled"], bool):
        r.problem(f"{path}.pooled", f"must be true or false (got {data['pooled']!r})")
        return None
    for key, choices in (("within", ("all", "category")), ("order", ("desc", "asc"))):
        if key in data and not _enum(r, data[key], f"{path}.{key}", choices):
            return None
    kind = data.get("type")
    if kind == "part":
        scale = _scale_from(r, data.get("scale"), f"{path}.scale")
        if scale is None:
            return None
        return r.attempt(path, lambda: Part(target=data["target"], scale=scale, of=data.get("of")))
    if kind == "peer_ratio":
        return r.attempt(
            path,
            lambda: PeerRatio(
                target=data["target"],
                numerator=data["numerator"],
                denominator=data["denominator"],
                pooled=bool(data.get("pooled", True)),
                within=data.get("within", "all"),
            ),
        )
    if kind == "rank":
        return r.attempt(
            path,
            lambda: Rank(
                target=data["target"],
                of=data["of"],
                order=data.get("order", "desc"),
                within=data.get("within", "all"),
                points={k: _read_number(v) for k, v in data.get("points", {}).items()},
                bottom_points={k: _read_number(v) for k, v in data.get("bottom_points", {}).items()},
            ),
        )
    if kind is not None:
        r.problem(
            f"{path}.type",
            f"unknown step type {kind!r}; use 'part', 'peer_ratio' or 'rank' (or a formula text)",
        )
    return None


def _checked_assignment(text: str) -> Formula:
    formula = Formula.parse(text)
    if formula.target is None:
        raise ValueError(f"a step must assign a name, as in 完成率=完成数/总数 (got '{text}')")
    return formula


_POLICY_KEYS: Final = {
    "default": ("grade", "score", "when", "note"),
    "not_applicable": ("when", "to"),
    "zero": ("when", "target"),
    "adjust": ("per", "points", "items", "cap"),
    "veto": ("when", "effect"),
}


def _default_score(value: object) -> Literal["midpoint", "top", "bottom"] | Number:
    if value == "midpoint":
        return "midpoint"
    if value == "top":
        return "top"
    if value == "bottom":
        return "bottom"
    return _read_number(value)


def _policy_from(r: _Reader, value: object, path: str) -> Policy | None:
    if not isinstance(value, Mapping):
        r.problem(path, f"must be a table (got {type(value).__name__})")
        return None
    kind = value.get("type")
    if kind not in _POLICY_KEYS:
        r.problem(f"{path}.type", f"unknown policy type {kind!r}; use one of {', '.join(_POLICY_KEYS)}")
        return None
    data = r.table(value, path, ("type", "reason", *_POLICY_KEYS[kind]))
    reason = data.get("reason", "")
    if kind == "default":
        score = data.get("score", "midpoint")
        return r.attempt(
            path,
            lambda: Default(
                grade=data.get("grade"),
                score=_default_score(score),
                when=data.get("when"),
                reason=reason,
                note=data.get("note", ""),
            ),
        )
    if kind == "not_applicable":
        return r.attempt(path, lambda: NotApplicable(when=data.get("when"), to=data.get("to"), reason=reason))
    if kind == "zero":
        return r.attempt(path, lambda: ZeroWhen(when=data["when"], target=data.get("target"), reason=reason))
    if kind == "adjust":
        return r.attempt(
            path,
            lambda: Adjust(
                per=data.get("per"),
                points=None if "points" not in data else _read_number(data["points"]),
                items={k: _read_number(v) for k, v in data.get("items", {}).items()},
                cap=None if "cap" not in data else _read_number(data["cap"]),
                reason=reason,
            ),
        )
    if "effect" in data and not _enum(r, data["effect"], f"{path}.effect", ("zero", "lowest_grade")):
        return None
    return r.attempt(path, lambda: Veto(when=data["when"], effect=data.get("effect", "zero"), reason=reason))


_INDICATOR_KEYS: Final = (
    "code", "name", "group", "definition", "source", "frequency", "weight", "weights", "applies_to",
    "inputs", "steps", "value", "score", "metadata", "scale", "policies", "max_score", "within", "stand_in",
)  # fmt: skip


def _indicator_from(r: _Reader, value: object, path: str) -> tuple[str, Indicator] | None:
    data = r.table(value, path, _INDICATOR_KEYS, ("code", "name", "group"))
    if not {"code", "name", "group"} <= data.keys():
        return None
    steps = [
        s
        for i, raw in enumerate(r.list(data.get("steps", []), f"{path}.steps"))
        if (s := _step_from(r, raw, f"{path}.steps[{i}]")) is not None
    ]
    policies = [
        p
        for i, raw in enumerate(r.list(data.get("policies", []), f"{path}.policies"))
        if (p := _policy_from(r, raw, f"{path}.policies[{i}]")) is not None
    ]
    scale = _scale_from(r, data["scale"], f"{path}.scale") if "scale" in data else None
    weights = {}
    if "weights" in data:
        raw_weights = data["weights"]
        if isinstance(raw_weights, Mapping):
            weights = {k: r.number(v, f"{path}.weights.{k}") for k, v in raw_weights.items()}
        else:
            r.problem(f"{path}.weights", "must be a table of category = weight")
    built = r.attempt(
        path,
        lambda: Indicator(
            code=str(data["code"]),
            name=data["name"],
            definition=data.get("definition", ""),
            source=data.get("source", ""),
            frequency=data.get("frequency"),
            metadata=data.get("metadata", {}),
            inputs=data.get("inputs", {}),
            steps=steps,
            value=data.get("value"),
            scale=scale,
            score=data.get("score"),
            weight=None if "weight" not in data else _read_number(data["weight"]),
            weights=weights,
            applies_to=data.get("applies_to"),
            policies=policies,
            max_score=None if "max_score" not in data else _read_number(data["max_score"]),
            within=data.get("within", "all"),
            stand_in=data.get("stand_in", ""),
        ),
    )
    if built is None:
        return None
    return str(data["group"]), built


_SCHEME_KEYS: Final = (
    "format", "name", "year", "source", "basis", "total", "categories", "full_score", "periods",
    "language", "scores", "overall", "policies", "groups", "indicators", "round_total", "round_scores",
    "cap_total", "normalize", "caps", "quotas", "stand_in",
)  # fmt: skip


def scheme_from_mapping(data: object) -> Scheme:
    """Build a scheme from plain data (a parsed TOML or JSON file).

    Raises:
        SchemeError: every problem, each with its path into the data
            (``indicators[12].scale.rule``).
    """
    r = _Reader()
    _check_depth(r, data, "", 0)
    if r.problems:
        raise SchemeError(r.problems, title="invalid scheme file")
    top = r.table(data, "", _SCHEME_KEYS, ("name", "groups", "indicators"))
    if not top:
        raise SchemeError(r.problems or [Problem("", "the file is empty")], title="invalid scheme file")
    if top.get("format", "perfrules-scheme/1") != "perfrules-scheme/1":
        r.problem("format", f"unknown format {top['format']!r}; this perfrules reads 'perfrules-scheme/1'")
    group_rows = r.list(top.get("groups", []), "groups")
    groups: dict[str, dict[str, Any]] = {}
    group_paths: dict[str, str] = {}
    for i, raw in enumerate(group_rows):
        path = f"groups[{i}]"
        g = r.table(raw, path, ("name", "parent", "code", "declared", "declared_by_category"), ("name",))
        if "name" not in g:
            continue
        name = normalize_name(str(g["name"]))
        if name in groups:
            r.problem(f"{path}.name", f"group '{name}' is defined twice (also {group_paths[name]})")
            continue
        groups[name] = g
        group_paths[name] = path
    children: dict[str | None, list[tuple[str, Any]]] = {}
    for name, g in groups.items():
        parent = g.get("parent")
        parent_key = None if parent is None else normalize_name(str(parent))
        if parent_key is not None and parent_key not in groups:
            r.problem(f"{group_paths[name]}.parent", f"no group '{parent}'")
            continue
        children.setdefault(parent_key, []).append(("group", name))
    indicator_paths: dict[int, str] = {}
    for i, raw in enumerate(r.list(top.get("indicators", []), "indicators")):
        path = f"indicators[{i}]"
        found = _indicator_from(r, raw, path)
        if found is None:
            continue
        group, ind = found
        key = normalize_name(group)
        if key not in groups:
            import difflib

            close = difflib.get_close_matches(key, list(groups), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            r.problem(f"{path}.group", f"no group '{group}'{hint}")
            continue
        indicator_paths[id(ind)] = path
        children.setdefault(key, []).append(("indicator", ind))

    def build(name: str, trail: tuple[str, ...]) -> Group:
        if name in trail:
            raise ValueError(f"groups contain each other: {' → '.join((*trail, name))}")
        g = groups[name]
        kids: list[Group | Indicator] = []
        for kind, item in children.get(name, []):
            kids.append(build(item, (*trail, name)) if kind == "group" else item)
        declared = g.get("declared")
        by_category = g.get("declared_by_category", {})
        return Group(
            name=name,
            code=str(g.get("code", "")),
            children=kids,
            declared=None if declared is None else _read_number(declared),
            declared_by_category={k: _read_number(v) for k, v in by_category.items()},
        )

    tops = [
        r.attempt(group_paths[name], functools.partial(build, name, ()))
        for kind, name in children.get(None, [])
    ]
    overall = None
    if "overall" in top:
        # The overall grading reads 总分 and gives grades only, for totals from
        # 0 to full marks (or beyond, when bonuses may lift them); whole-point
        # bands are read on the totals' rounding.
        cap_total = top.get("cap_total", True)
        full = r.number(top.get("total", 100), "total")
        overall_defaults: dict[str, Any] = {
            "variable": "总分",
            "scoring": "none",
            "domain": (0, full if cap_total is not False else None),
        }
        if isinstance(top.get("round_total"), int) and not isinstance(top.get("round_total"), bool):
            overall_defaults["precision"] = top["round_total"]
        overall = _scale_from(r, top["overall"], "overall", overall_defaults)
    policies = [
        p
        for i, raw in enumerate(r.list(top.get("policies", []), "policies"))
        if (p := _policy_from(r, raw, f"policies[{i}]")) is not None
    ]
    scores: dict[str, Any] | bool | None = None
    if "scores" in top:
        raw_scores = top["scores"]
        if raw_scores is False:
            scores = False
        elif isinstance(raw_scores, Mapping):
            scores = {
                k: tuple(r.number(x, f"scores.{k}") for x in r.list(v, f"scores.{k}"))
                for k, v in raw_scores.items()
            }
        else:
            r.problem("scores", "must be a table of grade = [low, high]")
    if r.problems:
        raise SchemeError(r.problems, title="invalid scheme file")
    settings: dict[str, Any] = {}
    for key in ("year", "source", "basis", "periods", "language", "stand_in"):
        if key in top:
            text = r.text(top[key], key)
            if text is not None:
                settings[key] = text
    for key in ("round_total", "round_scores"):
        if key in top:
            settings[key] = _whole(r, top[key], key, 0, 10)
    for key in ("cap_total", "normalize"):
        if key in top:
            if isinstance(top[key], bool):
                settings[key] = top[key]
            else:
                r.problem(key, f"must be true or false (got {top[key]!r})")
    caps = []
    for i, raw in enumerate(r.list(top.get("caps", []), "caps")):
        cap = r.table(raw, f"caps[{i}]", ("when", "grade", "reason"), ("when", "grade"))
        if {"when", "grade"} <= cap.keys():
            built_cap = r.attempt(f"caps[{i}]", functools.partial(GradeCap, **cap))
            if built_cap is not None:
                caps.append(built_cap)
    quotas = []
    for i, raw in enumerate(r.list(top.get("quotas", []), "quotas")):
        where = f"quotas[{i}]"
        quota = r.table(
            raw,
            where,
            ("grade", "share", "count", "rounding", "ties", "overflow", "within", "reason"),
            ("grade",),
        )
        for key, choices in (
            ("rounding", ("floor", "ceil", "round")),
            ("ties", ("exclude", "include")),
            ("within", ("all", "category")),
        ):
            if key in quota:
                _enum(r, quota[key], f"{where}.{key}", choices)
        if "grade" in quota:
            built_quota = r.attempt(where, functools.partial(Quota, **quota))
            if built_quota is not None:
                quotas.append(built_quota)
    if caps:
        settings["caps"] = caps
    if quotas:
        settings["quotas"] = quotas
    for key in ("total", "full_score"):
        if key in top:
            settings[key] = r.number(top[key], key)
    if "categories" in top:
        settings["categories"] = top["categories"]
    if scores is False:
        settings["scores"] = None
    elif scores is not None:
        settings["scores"] = scores
    if r.problems:
        raise SchemeError(r.problems, title="invalid scheme file")
    try:
        return Scheme(
            name=str(top["name"]),
            groups=[g for g in tops if g is not None],
            overall=overall,
            policies=policies,
            **settings,
        )
    except SchemeError as exc:
        problems = _file_paths(exc.problems, tops, indicator_paths, group_paths)
        raise SchemeError(problems, title="invalid scheme file") from None
    except (PerfrulesError, TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as exc:
        raise SchemeError(
            [Problem("", str(exc) or type(exc).__name__)], title="invalid scheme file"
        ) from None


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
        if node.name in groups:
            where[prefix] = groups[node.name]
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


def _check_depth(r: _Reader, value: object, path: str, depth: int) -> None:
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


def loads(text: str, *, format: _FORMAT = "toml") -> Scheme:
    """Read a scheme from TOML (the default) or JSON text."""
    return scheme_from_mapping(_parse_text(text, format, "the text"))


_BUILTIN: Final = {
    "shenzhen-2010-departments": "shenzhen_2010_departments",
    "shenzhen-2010-districts": "shenzhen_2010_districts",
    "xiamen-xiangan-2020": "xiamen_xiangan_2020",
}


def schemes() -> tuple[str, ...]:
    """The names of the built-in schemes, for ``load(name)``.

    >>> schemes()
    ('shenzhen-2010-departments', 'shenzhen-2010-districts', 'xiamen-xiangan-2020')
    """
    return tuple(_BUILTIN)


def _builtin_file(name: str, suffix: str) -> str:
    stem = _BUILTIN[name]
    return resources.files("perfrules").joinpath("schemes", f"{stem}{suffix}").read_text(encoding="utf-8")


def load(source: str | Path) -> Scheme:
    """Load a scheme from a TOML or JSON file, or a built-in scheme by name.

    Args:
        source: a path (``.toml`` or ``.json``), or one of ``schemes()``.

    Raises:
        SchemeError: the file has problems; all of them are listed with their
            paths into the file.
        FileNotFoundError: no such file (and no built-in scheme of that name).

    >>> load("xiamen-xiangan-2020").total
    Decimal('1000')
    """
    if isinstance(source, str) and source in _BUILTIN:
        return loads(_builtin_file(source, ".toml"))
    path = Path(source)
    if not path.exists():
        import difflib

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
    text = path.read_text(encoding="utf-8-sig")
    fmt: _FORMAT = "json" if path.suffix.lower() == ".json" else "toml"
    try:
        return scheme_from_mapping(_parse_text(text, fmt, str(path)))
    except SchemeError as exc:
        raise SchemeError(exc.problems, title=f"invalid scheme file {path}") from None


# ---------------------------------------------------------------------------
# Unit data: moved to perfrules._data (CSV, Excel, JSON; one bad cell costs one
# unit). Re-exported here so that existing imports keep working.
# ---------------------------------------------------------------------------

from ._data import load_units, sample_units, units_from_csv, units_from_json  # noqa: E402
