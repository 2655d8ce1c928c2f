"""A table of a scheme file declared by its keys: fields, alternatives, and the model object it builds.

An :class:`ObjectSpec` lists its :class:`Field` s, which keys are alternatives
(``rule`` or ``bands``), and how to build the model object; :class:`Obj` and
:class:`Tagged` are the kinds of value that hold such a table (a union picked by
its ``type`` key). :func:`to_mapping` writes a model object back by its spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .filespec import (
    MISSING,
    Kind,
    Reader,
    _hint,
    _key_path,
    _shown,
)

__all__ = [
    "Field",
    "Obj",
    "ObjectSpec",
    "Tagged",
    "to_mapping",
]


@attrs.frozen
class Obj(Kind):
    """A table with a fixed set of keys (an :class:`ObjectSpec`)."""

    spec: ObjectSpec

    def read(self, r: Reader, value: object, path: str) -> Any:
        return self.spec.read(r, value, path)

    def accepts(self, value: object) -> bool:
        return isinstance(value, Mapping)

    def schema(self) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{self.spec.name}"}

    def describe(self) -> str:
        return f"[{self.spec.name}](#{self.spec.name.replace('.', '')})"


@attrs.frozen
class Tagged(Kind):
    """A table whose ``type`` key picks its spec (a step or a policy)."""

    name: str
    variants: tuple[ObjectSpec, ...]
    tag: str = "type"
    label: str = ""

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(v.tag for v in self.variants if v.tag is not None)

    def read(self, r: Reader, value: object, path: str) -> Any:
        if not isinstance(value, Mapping):
            r.problem(path, f"must be a table (got {_shown(value)})")
            return None
        if self.tag not in value:
            r.problem(_key_path(path, self.tag), f"is required: one of {', '.join(map(repr, self.tags))}")
            return None
        tag = value[self.tag]
        if not isinstance(tag, str) or tag not in self.tags:
            options = ", ".join(repr(t) for t in self.tags)
            r.problem(
                _key_path(path, self.tag),
                f"unknown {self.label or self.name} type {_shown(tag)}; use one of {options}"
                f"{_hint(tag, self.tags)}",
            )
            return None
        (spec,) = (v for v in self.variants if v.tag == tag)
        return spec.read(r, value, path)

    def accepts(self, value: object) -> bool:
        return isinstance(value, Mapping)

    def schema(self) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{self.name}"}

    def describe(self) -> str:
        return f"[{self.name}](#{self.name}) (by `{self.tag}`)"

    def definition(self) -> dict[str, Any]:
        """The union in JSON Schema: the tag picks the variant (clear errors in editors)."""
        return {
            "type": "object",
            "required": [self.tag],
            "properties": {self.tag: {"enum": list(self.tags)}},
            "allOf": [
                {
                    "if": {"properties": {self.tag: {"const": v.tag}}, "required": [self.tag]},
                    "then": {"$ref": f"#/$defs/{v.name}"},
                }
                for v in self.variants
            ],
        }


@attrs.frozen
class Field:
    """One key of a table: its kind, whether it is required, its default and a one-line description."""

    name: str
    kind: Kind
    doc: str
    required: bool = False
    default: Any = MISSING

    def schema(self) -> dict[str, Any]:
        """The key's JSON Schema, with its description and default."""
        out = dict(self.kind.schema())
        out["description"] = self.doc
        if self.default is not MISSING and isinstance(self.default, str | bool | int):
            out["default"] = self.default
        return out


@attrs.frozen
class ObjectSpec:
    """A table with fixed keys.

    Attributes:
        name: the name in the JSON Schema's ``$defs`` and in the reference.
        doc: a one-line description.
        fields: its keys.
        alternatives: key sets of which exactly one must be given in full
            (``(("rule",), ("bands",))``; ``(("per", "points"), ("items",))``).
        requires: a key that may only come with others (``variable`` needs ``rule``).
        build: makes the model object from the checked values; ``None`` keeps the checked dict.
        tag: the ``type`` value of a union variant.
    """

    name: str
    doc: str
    fields: tuple[Field, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()
    requires: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    build: Callable[[dict[str, Any]], Any] | None = None
    tag: str | None = None
    unless: str | None = None  # a key whose presence lifts `alternatives` (a draft's `todo`)

    def field(self, name: str) -> Field:
        """The field called *name*."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key the table may have."""
        return (*(("type",) if self.tag is not None else ()), *(f.name for f in self.fields))

    def read(self, r: Reader, value: object, path: str, *, partial: bool = False) -> Any:
        """Check a table against the spec; build it when it is clean.

        With *partial*, give back the keys that read cleanly even when others did
        not (the top of a file, so later checks still run on the good parts).
        """
        if not isinstance(value, Mapping):
            r.problem(path or "(top)", f"must be a table (got {_shown(value)})")
            return None
        before = len(r.problems)
        keys = self.keys
        for key in value:
            if key not in keys:
                r.problem(_key_path(path, key), f"unknown key '{key}'{_hint(key, keys, 0.6)}")
        out: dict[str, Any] = {}
        for f in self.fields:
            if f.name in value:
                ok, out[f.name] = r.clean(f.kind, value[f.name], _key_path(path, f.name))
                if not ok and partial and not isinstance(out[f.name], list):
                    del out[f.name]  # a list keeps its good items (None for the others)
            elif f.required:
                r.problem(_key_path(path, f.name), "is required")
        self._check_alternatives(r, value, path)
        for key, needs in self.requires.items():
            missing = [n for n in needs if n not in value]
            if key in value and missing:
                r.problem(_key_path(path, key), f"only goes with {' and '.join(map(repr, missing))}")
        if len(r.problems) != before and not partial:
            return None
        if self.build is None:
            return out
        return r.attempt(path, lambda: self.build(out))  # type: ignore[misc]

    def _check_alternatives(self, r: Reader, value: Mapping[str, Any], path: str) -> None:
        if not self.alternatives:
            return
        if self.unless is not None and self.unless in value:
            return
        shown = " or ".join(" and ".join(f"'{k}'" for k in alt) for alt in self.alternatives)
        given = [alt for alt in self.alternatives if any(k in value for k in alt)]
        if not given:
            r.problem(path or "(top)", f"needs {shown}")
        elif len(given) > 1:
            r.problem(path or "(top)", f"give either {shown}, not both")
        else:
            missing = [k for k in given[0] if k not in value]
            if missing:
                r.problem(path or "(top)", f"needs {' and '.join(repr(k) for k in given[0])} together")

    def schema(self) -> dict[str, Any]:
        """The table in JSON Schema: known keys only (``additionalProperties: false``)."""
        properties = {f.name: f.schema() for f in self.fields}
        if self.tag is not None:
            properties = {"type": {"const": self.tag, "description": self.doc}, **properties}
        out: dict[str, Any] = {
            "type": "object",
            "description": self.doc,
            "properties": properties,
            "additionalProperties": False,
        }
        required = [*(["type"] if self.tag is not None else []), *(f.name for f in self.fields if f.required)]
        if required:
            out["required"] = required
        if self.alternatives and self.unless is not None:
            out["if"] = {"not": {"required": [self.unless]}}
            out["then"] = {"oneOf": [{"required": list(alt)} for alt in self.alternatives]}
        elif self.alternatives:
            out["oneOf"] = [{"required": list(alt)} for alt in self.alternatives]
        if self.requires:
            out["dependentRequired"] = {k: list(v) for k, v in self.requires.items()}
        return out


def to_mapping(spec: ObjectSpec, obj: object, plain: Callable[[object], Any]) -> dict[str, Any]:
    """Write a model object by its spec: each field's attribute, leaving out defaults and empty values."""
    out: dict[str, Any] = {} if spec.tag is None else {"type": spec.tag}
    for f in spec.fields:
        value = getattr(obj, f.name)
        is_default = type(value) is type(f.default) and value == f.default
        if value is None or is_default:
            continue
        if isinstance(value, Mapping | tuple | frozenset) and not value:
            continue
        out[f.name] = plain(value)
    return out
