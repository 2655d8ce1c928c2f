"""The scheme-file declaration said to editors and people: its JSON Schema and its key reference."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .filespec import (
    MISSING,
    AnyOf,
    Kind,
    ListOf,
    MapOf,
    _shown,
)
from .spec_tables import Obj, ObjectSpec, Tagged

__all__ = [
    "json_schema",
    "reference_markdown",
]


def _walk_specs(top: ObjectSpec) -> Iterator[ObjectSpec | Tagged]:
    """Every object spec and union reachable from *top*, each once, in reading order."""
    seen: set[str] = set()

    def kinds(kind: Kind) -> Iterator[ObjectSpec | Tagged]:
        if isinstance(kind, Obj):
            yield from visit(kind.spec)
        elif isinstance(kind, Tagged):
            if kind.name not in seen:
                seen.add(kind.name)
                yield kind
                for v in kind.variants:
                    yield from visit(v)
        elif isinstance(kind, ListOf):
            yield from kinds(kind.item)
        elif isinstance(kind, MapOf):
            yield from kinds(kind.value)
        elif isinstance(kind, AnyOf):
            for option in kind.options:
                yield from kinds(option)

    def visit(spec: ObjectSpec) -> Iterator[ObjectSpec | Tagged]:
        if spec.name in seen:
            return
        seen.add(spec.name)
        yield spec
        for f in spec.fields:
            yield from kinds(f.kind)

    yield from visit(top)


def json_schema(top: ObjectSpec, *, title: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a file whose top level is *top*."""
    defs: dict[str, Any] = {}
    for spec in _walk_specs(top):
        if spec is top:
            continue
        defs[spec.name] = spec.definition() if isinstance(spec, Tagged) else spec.schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **top.schema(),
        "$defs": defs,
    }


def reference_markdown(top: ObjectSpec) -> str:
    """Every table of the format with its keys, as Markdown (the scheme-files reference embeds it)."""
    parts: list[str] = []
    for spec in _walk_specs(top):
        if isinstance(spec, Tagged):
            variants = ", ".join(f"[`{v.tag}`](#{v.name.replace('.', '')})" for v in spec.variants)
            parts.append(f"#### {spec.name}\n\nA table whose `type` is one of {variants}.\n")
            continue
        lines = [f"#### {spec.name}", "", spec.doc]
        if spec.tag is not None:
            lines[-1] += f' `type = "{spec.tag}"`.'
        if spec.alternatives:
            shown = " or ".join(" and ".join(f"`{k}`" for k in alt) for alt in spec.alternatives)
            lines[-1] += f" Give {shown}."
        lines += ["", "| key | value | default | meaning |", "|---|---|---|---|"]
        for f in spec.fields:
            if f.required:
                default = "required"
            elif f.default is MISSING:
                default = "—"
            else:
                default = f"`{_shown(f.default)}`".replace("'", '"')
            lines.append(f"| `{f.name}` | {f.kind.describe()} | {default} | {f.doc} |")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
