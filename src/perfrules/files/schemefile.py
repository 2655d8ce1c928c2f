"""The perfrules scheme file (``perfrules-scheme/1``) declared once: its tree of groups and indicators.

Every table of the file and every key it may hold is listed here (the tables of
rules — scales, steps, policies — in :mod:`perfrules.files.schemefile_rules`) with its
kind, range, default and a one-line description. The reader (``load``), the
JSON Schema (:func:`scheme_json_schema`, ``perfrules schema``) and the key
reference in ``docs/reference/scheme-files.md`` all come from this one
declaration, so they cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Final

from ..scheme.fields import FREQUENCIES
from ..scheme.overall import Flag, GradeCap, Quota, RollUp
from .filespec import AnyOf, Boolean, Choice, Const, FormulaText, ListOf, MapOf, Num, Text, Whole
from .per_unit import HISTORY_FIELD, PARAMETERS_FIELD
from .schemefile_rules import (
    _PAIR,
    _REASON,
    _TODO_FIELD,
    _WITHIN,
    OVERALL,
    POLICY,
    SCALE,
    SCHEME_POLICY,
    STEP,
)
from .spec_docs import json_schema, reference_markdown
from .spec_tables import Field, Obj, ObjectSpec

__all__ = [
    "FORMAT",
    "SCHEME_FILE",
    "scheme_json_schema",
    "scheme_reference",
]

FORMAT: Final = "perfrules-scheme/1"

# ---------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------

_CODE: Final = AnyOf((Text(), Whole(0, 10**9)))

GROUP: Final = ObjectSpec(
    "group",
    "A group of indicators (一级/二级指标); groups nest by `parent`.",
    (
        Field("name", Text(), "the group's name, unique", required=True),
        Field("parent", Text(), "the enclosing group's name; none for a top group"),
        Field("code", _CODE, "an optional code", default=""),
        Field("declared", Num(minimum=0), "the published subtotal, checked against its indicators"),
        Field(
            "declared_by_category",
            MapOf(Num(minimum=0), key_doc="category"),
            "a published subtotal per category",
        ),
        Field(
            "weight",
            Num(minimum=0, exclusive_minimum=True),
            "the group's weight as one number: the weights below it are shares, scaled exactly "
            "to add up to it",
        ),
        Field(
            "aggregate",
            Choice(("sum", "geometric", "harmonic")),
            "how its parts make its subtotal: the weighted `sum`, or the weighted `geometric` or "
            "`harmonic` mean of their shares of their points, times the group's weight",
            default="sum",
        ),
        Field(
            "places",
            Whole(0, 10),
            "decimal places the subtotal of a `geometric` (required: the mean is generally irrational) "
            "or `harmonic` group is rounded to, half up, as the trail shows",
        ),
    ),
)

INDICATOR: Final = ObjectSpec(
    "indicator",
    "A leaf of the scheme (三级指标): data, rules, weight and policies. Give `scale` or `score` "
    "(a draft with `todo` may have neither).",
    (
        Field("code", _CODE, "the 序号, unique in the scheme", required=True),
        Field("name", Text(), "the indicator's name", required=True),
        Field("group", Text(), "the name of the group it belongs to", required=True),
        Field("definition", Text(), "指标释义", default=""),
        Field("source", Text(), "who reports the data (数据采集单位)", default=""),
        Field("frequency", Choice(tuple(FREQUENCIES)), "how often data is reported"),
        Field("weight", Num(minimum=0), 'percent (`basis = "percent"`) or points'),
        Field(
            "weights",
            MapOf(Num(minimum=0), key_doc="category"),
            "weight per unit category; 0 = not assessed for that category",
        ),
        Field(
            "weight_from",
            Text(),
            "the data column each unit's weight is read from (自选指标权重), instead of `weight`; "
            "a unit's weights must add up to its full marks",
        ),
        Field("applies_to", ListOf(Text()), "the units it applies to (others: not applicable)"),
        Field("inputs", MapOf(Text()), "`{ name in the rules = data field }`"),
        Field(
            "steps",
            ListOf(AnyOf((FormulaText("assignment"), STEP))),
            "how measured values are computed: formulas `目标=表达式`, or step tables",
        ),
        Field("value", Text(), "the measured value the scale grades, when not the scale's own"),
        Field("scale", Obj(SCALE), "the grading rule"),
        Field("score", FormulaText(), "a score formula instead of a scale (0 to `full_score`)"),
        Field("metadata", MapOf(Text()), "anything else to keep: 责任科室, 责任人 …"),
        Field("policies", ListOf(POLICY), "defaults, redistribution, zeroing, adjustments, vetoes"),
        Field(
            "max_score",
            AnyOf((Const("none", "none"), Num(minimum=0))),
            'the most it can earn when bonuses pass its full points; `"none"`: no upper limit',
        ),
        Field(
            "min_score",
            AnyOf((Const("none", "none"), Num())),
            'the least it can score (扣完为止 at 0); below 0 to let it go negative; `"none"`: no lower limit',
            default=0,
        ),
        Field(
            "full",
            Num(minimum=0),
            "its own full points when they differ from its weight (score / full × weight)",
        ),
        Field(
            "fulls",
            MapOf(Num(minimum=0, exclusive_minimum=True), key_doc="category"),
            "`full` per unit category, overriding it: `{ 委 = 30, 办 = 35 }`",
        ),
        Field("within", _WITHIN, "whose values population functions (max_of …) take", default="all"),
        Field("stand_in", Text(), "non-empty when the rule is a stand-in: what it does", default=""),
        _TODO_FIELD,
    ),
    alternatives=(("scale",), ("score",)),
    unless="todo",
)

CAP: Final = ObjectSpec(
    "cap",
    "A condition's limit on the overall grade or the total (等次最高为合格, 降一等次, 总分不超过C级最高限).",
    (
        Field("when", FormulaText("condition"), "the condition", required=True),
        Field("grade", Text(), "the best overall grade the unit may then get"),
        _REASON,
        Field("demote", Whole(0, 10), "降一等次: move the grade this many grades down", default=0),
        Field("max_total", Num(), "the total may then be at most this (总分不超过C级最高限)"),
    ),
    build=lambda d: GradeCap(**d),
)

FLAG: Final = ObjectSpec(
    "flag",
    "A label beside the grade when a condition holds (不能评先, 黄牌); the grade stays as it is.",
    (
        Field("label", Text(), "the label shown beside the grade (不能评先)", required=True),
        Field("when", FormulaText("condition"), "the condition (what caps read)", required=True),
        _REASON,
    ),
    build=lambda d: Flag(**d),
)

ROLL_UP: Final = ObjectSpec(
    "roll_up",
    "Units above units: a parent's total is the mean of its sub-units' totals (a city from its "
    "counties), in the same run. A parent has no indicator data of its own.",
    (
        Field(
            "parent",
            Text(),
            "the data column naming each sub-unit's parent unit (上级单位); every parent has a row of "
            "its own (its name, category and, for a parent of parents, its parent and weight)",
            required=True,
        ),
        Field(
            "weight",
            Text(),
            "the data column of each sub-unit's weight in its parent's mean (人口); "
            "leave it out for the plain mean",
        ),
    ),
    build=lambda d: RollUp(**d),
)

QUOTA: Final = ObjectSpec(
    "quota",
    "A limit on how many units may get a grade (优秀不超过30%). Give `share` or `count`.",
    (
        Field("grade", Text(), "the limited overall grade", required=True),
        Field(
            "share", Num(minimum=0, maximum=1, exclusive_minimum=True), 'the limit as a share (0.3 or "30%")'
        ),
        Field("count", Whole(0, 10**9), "the limit as a number of units"),
        Field("rounding", Choice(("floor", "ceil", "round")), "how a share becomes a count", default="floor"),
        Field("ties", Choice(("exclude", "include")), "units tied at the limit's edge", default="exclude"),
        Field("overflow", Text(), "the grade the others take; by default the next grade down"),
        Field("within", _WITHIN, "count all units together, or each category apart", default="all"),
        _REASON,
    ),
    alternatives=(("share",), ("count",)),
    build=lambda d: Quota(**d),
)

STAND_INS: Final = ObjectSpec(
    "stand_ins",
    "Stand-ins for mechanisms the source does not state: what the scheme does instead.",
    (
        Field("periods", Text(), "how period (quarterly, monthly) results make the year's"),
        Field("not_applicable", Text(), "what happens when a unit declares an indicator not applicable"),
    ),
)

SCHEME_FILE: Final = ObjectSpec(
    "scheme",
    "A perfrules scheme file (指标体系).",
    (
        Field("format", Choice((FORMAT,)), "the file format", default=FORMAT),
        Field("name", Text(), "the scheme's title", required=True),
        Field("year", Text(), "free text", default=""),
        Field("source", Text(), "free text: where the scheme is published", default=""),
        Field("basis", Choice(("percent", "points")), "weights are percentages or points", default="percent"),
        Field("total", Num(minimum=0, exclusive_minimum=True), "full marks (100, 1000 …)", default=100),
        Field("categories", ListOf(Text()), "unit categories with their own weight columns"),
        Field(
            "totals",
            MapOf(Num(minimum=0, exclusive_minimum=True), key_doc="category"),
            "full marks per unit category, overriding `total` (分类考核): `{ 委 = 100, 办 = 110 }`; "
            "each category's weights add up to its own, and its totals are capped and graded on it",
        ),
        Field(
            "full_score",
            Num(minimum=0, exclusive_minimum=True),
            "the top of the grades' score intervals",
            default=100,
        ),
        Field("periods", Choice(("mean", "sum", "last")), "how period results make the year", default="mean"),
        Field(
            "period_grades",
            Boolean(),
            "每期评定等次: each period's total and grade beside the year's (a quarter's grade); "
            "needs indicators reported by period and `periods` `mean` or `last`",
            default=False,
        ),
        Field("language", Choice(("zh", "en")), "the language of explanations", default="zh"),
        Field(
            "scores",
            AnyOf((Const(False), MapOf(_PAIR, key_doc="grade"))),
            "grade → `[low, high]` score interval; `false` for none (percent schemes: 优 90–100 …)",
        ),
        Field(
            "overall",
            Obj(OVERALL),
            "the grading of the unit's total (default: `scores` as shares of `total`)",
        ),
        Field("policies", ListOf(SCHEME_POLICY), "scheme-wide vetoes and adjustments of the total"),
        Field("groups", ListOf(Obj(GROUP)), "the groups, flat: each names its `parent`", required=True),
        Field(
            "indicators",
            ListOf(Obj(INDICATOR)),
            "the indicators, flat: each names its `group`",
            required=True,
        ),
        Field("round_total", Whole(0, 10), "round the total half up to this many places"),
        Field("round_scores", Whole(0, 10), "round each indicator's score likewise"),
        Field("cap_total", Boolean(), "keep the total within full marks", default=True),
        Field(
            "floor_total",
            Boolean(),
            "keep the total at 0 or above (`false`: it may go below 0)",
            default=True,
        ),
        Field("normalize", Boolean(), "折算: score over the applicable indicators' points", default=False),
        Field(
            "total_formula",
            FormulaText(),
            "the total as a formula over the groups' `<组>得分`, the indicators' `指标<code>得分` and the "
            "data, instead of the weighted sum: `(P得分+E得分+C得分)×经营难度系数+奖励分-考核扣分`",
        ),
        Field("caps", ListOf(Obj(CAP)), "ceilings on the overall grade, grades down, limits on the total"),
        Field("flags", ListOf(Obj(FLAG)), "labels beside the grade (不能评先, 黄牌)"),
        PARAMETERS_FIELD,
        HISTORY_FIELD,
        Field("quotas", ListOf(Obj(QUOTA)), "limits on how many units get a grade"),
        Field(
            "roll_up",
            Obj(ROLL_UP),
            "a parent unit's total as the (weighted) mean of its sub-units' totals, ranked among its level",
        ),
        Field("stand_in", Text(), "non-empty when a scheme-wide reading is a stand-in", default=""),
        Field(
            "stand_ins",
            Obj(STAND_INS),
            "stand-ins for mechanisms the source leaves open, shown on every result they touch",
        ),
        Field(
            "rank_within",
            _WITHIN,
            "`category`: 分类评估 — rank and show units within their category (tables, explain, workbook)",
            default="all",
        ),
        _TODO_FIELD,
    ),
)


def scheme_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of scheme files, for editors and other tools.

    It comes from the same declaration as the reader, so a file the schema
    rejects for a key or a setting, ``load`` rejects too. Save it with
    ``perfrules schema > perfrules-scheme.schema.json`` and point an editor
    at it (docs/reference/scheme-files.md).

    Returns:
        The schema as plain data (``json.dumps`` it to save it).

    >>> schema = scheme_json_schema()
    >>> schema["$schema"], schema["additionalProperties"]
    ('https://json-schema.org/draft/2020-12/schema', False)
    >>> schema["$defs"]["step.rank"]["properties"]["order"]["enum"]
    ['desc', 'asc']
    """
    return json_schema(SCHEME_FILE, title=f"perfrules scheme file ({FORMAT})")


def scheme_reference() -> str:
    """The key reference of scheme files as Markdown (embedded in docs/reference/scheme-files.md)."""
    return reference_markdown(SCHEME_FILE)
