"""The scheme file's keys for values per unit, ``[parameters]`` and ``[history]``: declared, and written back.

Declared here for :data:`perfrules.files.schemefile.SCHEME_FILE` (reader, JSON Schema and
key reference), with how a scheme writes them back (:func:`per_unit_tables`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from ..scheme.history import HISTORY_FIELDS, HistoryName
from ..scheme.model import Scheme
from .filespec import AnyOf, Choice, MapOf, Num, Text
from .spec_tables import Field, Obj, ObjectSpec, to_mapping

__all__ = ["HISTORY", "HISTORY_FIELD", "PARAMETERS_FIELD", "per_unit_tables"]

HISTORY: Final = ObjectSpec(
    "history",
    "A name rules read from an earlier run's result of the same unit (上年名次, 上年得分, 上年等次), "
    "given at run time (`perfrules score … --previous last-year.csv`); "
    "without one, the unit's data gives it.",
    (
        Field(
            "field",
            Choice(HISTORY_FIELDS),
            "what of the earlier result: `rank`, `category_rank`, `total`, `grade` (its name, as text) "
            "or `score` (one indicator's; give `indicator`)",
            required=True,
        ),
        Field("indicator", Text(), 'the indicator\'s code in the earlier results, with `field = "score"`'),
        Field(
            "default",
            AnyOf((Num(), Text())),
            "the value of a unit the earlier results do not list (explained as the default); "
            "without it such a unit has no value and the reading rule's missing-data handling applies",
        ),
    ),
    build=lambda d: HistoryName(**d),
)

PARAMETERS_FIELD: Final = Field(
    "parameters",
    MapOf(MapOf(Num(), key_doc="unit"), key_doc="name"),
    "per-unit constants formulas read as data (难度系数, targets by county): "
    '`[parameters."难度系数"]` then `"甲县" = 1.1`; a unit\'s own data overrides them',
)

HISTORY_FIELD: Final = Field(
    "history",
    MapOf(Obj(HISTORY), key_doc="name"),
    'names read from last year\'s results of the same unit: `[history."上年名次"]` then `field = "rank"`',
)


def per_unit_tables(scheme: Scheme, plain: Callable[[object], Any]) -> dict[str, Any]:
    """The scheme's ``parameters`` and ``history`` as a file writes them (empty ones left out)."""
    out: dict[str, Any] = {}
    if scheme.parameters:
        out["parameters"] = {k: {u: plain(v) for u, v in by.items()} for k, by in scheme.parameters.items()}
    if scheme.history:
        out["history"] = {k: to_mapping(HISTORY, v, plain) for k, v in scheme.history.items()}
    return out
