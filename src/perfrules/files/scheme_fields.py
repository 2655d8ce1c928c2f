"""The data fields a scheme reads, and which of them hold text (categories) rather than numbers."""

from __future__ import annotations

from ..grading.scale import GradeScale
from ..scheme.model import Scheme
from ..scheme.steps import Part, step_target
from ..scoring.plan import names_read

__all__: list[str] = []  # helpers of the data readers, private to the package


def _text_fields(scheme: Scheme) -> set[str]:
    """Data fields that hold categories (良好, 优 …) rather than numbers."""
    fields: set[str] = set()

    def scale_fields(scale: GradeScale, of: str | None) -> set[str]:
        if scale.is_categorical:
            return {of} if of else set()
        return set(scale.variables) if scale.levels else set()

    for ind in scheme.indicators():
        if ind.scale is not None:
            found = scale_fields(ind.scale, ind.value)
            fields |= {ind.inputs.get(f, f) for f in found}
        for step in ind.steps:
            if isinstance(step, Part):
                fields |= {ind.inputs.get(f, f) for f in scale_fields(step.scale, step.of)}
    overall = scheme.overall_scale
    if overall is not None and not overall.is_categorical:
        fields |= scale_fields(overall, None) - scheme.overall_names()
    if scheme.roll_up is not None:
        fields.add(scheme.roll_up.parent)  # names a unit (渝中区 → 重庆市)
    return fields


def _computed_by(scheme: Scheme) -> dict[str, str]:
    """Names the scheme's steps compute, each with the label of the (first) indicator computing it."""
    found: dict[str, str] = {}
    for ind in scheme.indicators():
        for step in ind.steps:
            found.setdefault(step_target(step), ind.label)
    return found


def _known_fields(scheme: Scheme) -> set[str]:
    """The data names the scheme reads anywhere (indicators, policies, caps, overall grading)."""
    return set(names_read(scheme))
