"""The perfrules scheme file (``perfrules-scheme/1``), declared once.

Every table of the file and every key it may hold is listed here with its
kind, range, default and a one-line description. The reader (``load``), the
JSON Schema (:func:`scheme_json_schema`, ``perfrules schema``) and the key
reference in ``docs/reference/scheme-files.md`` all come from this one
declaration, so they cannot drift apart.
"""

from __future__ import annotations

import codecs
from typing import Any, Final

from .._errors import Problem, SchemeError
from .._todo import Todo
from ..grading.scale import GradeBand, GradeScale
from ..scheme.model import (
    FREQUENCIES,
    Adjust,
    Default,
    Flag,
    GradeCap,
    NotApplicable,
    Part,
    PeerRatio,
    Quota,
    Rank,
    RollUp,
    Veto,
    ZeroWhen,
)
from .filespec import (
    MISSING,
    AnyOf,
    Boolean,
    Choice,
    Const,
    Field,
    FormulaText,
    ListOf,
    MapOf,
    Num,
    Obj,
    ObjectSpec,
    Tagged,
    Text,
    Whole,
    json_schema,
    reference_markdown,
)

__all__ = [
    "FORMAT",
    "OVERALL",
    "SCHEME_FILE",
    "build_scale",
    "decode_scheme_file",
    "scheme_json_schema",
    "scheme_reference",
]

FORMAT: Final = "perfrules-scheme/1"

_WITHIN: Final = Choice(("all", "category"))
_PAIR: Final = ListOf(Num(), min_items=2, max_items=2)
_REASON: Final = Field("reason", Text(), "the published wording, shown in explanations", default="")


_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS: Final = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def _refuse(where: str, message: str) -> SchemeError:
    return SchemeError([Problem("", message)], title=f"invalid scheme file {where}")


def decode_scheme_file(data: bytes, where: str) -> str:
    """The text of a scheme file: UTF-8 (with or without a BOM), or UTF-16/32 with a BOM.

    Anything else is refused, naming the file and the first byte that is not
    UTF-8 — never guessed: a GBK file read as another encoding would give
    indicators garbled names, and a binary file is not a scheme.

    Raises:
        SchemeError: the bytes are not text in one of those encodings.

    >>> decode_scheme_file('name = "方案"'.encode("utf-16"), "a.toml")
    'name = "方案"'
    >>> decode_scheme_file('name = "方案"'.encode("gbk"), "a.toml")
    Traceback (most recent call last):
    perfrules.SchemeError: invalid scheme file a.toml: 1 problem
      - the file is not UTF-8: byte 0xb7 (line 1, column 9) starts no UTF-8 character; \
it reads as GBK/GB18030 — save it as UTF-8 (in Excel or Notepad: "Save as", encoding UTF-8)
    """
    for boms, codec in ((_UTF32_BOMS, "utf-32"), (_UTF16_BOMS, "utf-16")):
        if data.startswith(boms):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise _refuse(
                    where, f"the file starts like {codec.upper()} but byte {exc.start} is not"
                ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        place = f"byte 0x{data[exc.start]:02x} (line {line}, column {column})"
        if b"\x00" in data[:4096]:
            raise _refuse(
                where,
                f"the file is not text: it holds NUL bytes and {place} is not UTF-8 "
                "(a scheme file is UTF-8 text, .toml or .json; UTF-16 needs its byte-order mark)",
            ) from None
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            guess = ""
        else:
            guess = "; it reads as GBK/GB18030"
        raise _refuse(
            where,
            f"the file is not UTF-8: {place} starts no UTF-8 character{guess} — save it as UTF-8 "
            '(in Excel or Notepad: "Save as", encoding UTF-8)',
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise _refuse(where, f"the file is not text: it holds a NUL character (line {line})")
    return text


def _strip_tag(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "type"}


# ---------------------------------------------------------------------------
# Scales
# ---------------------------------------------------------------------------


def build_scale(data: dict[str, Any], defaults: dict[str, Any] | None = None) -> GradeScale:
    """A grade scale from a checked ``scale`` (or ``overall``) table, over *defaults*."""
    settings: dict[str, Any] = dict(defaults or {})
    variable = settings.pop("variable", "得分")
    for key in ("policy", "scoring", "scores", "gaps", "levels", "precision"):
        if key in data:
            settings[key] = data[key]
    if "domain" in data:
        settings["domain"] = tuple(data["domain"])
    if "rule" in data:
        return GradeScale.parse(data["rule"], variable=data.get("variable", variable), **settings)
    return GradeScale(bands=data["bands"], **settings)


BAND: Final = ObjectSpec(
    "band",
    "One grade of a scale given as data.",
    (
        Field("name", Text(), "the grade (优, 良, 合格 …)", required=True),
        Field(
            "conditions", ListOf(FormulaText("condition")), "when the band applies; several mean any of them"
        ),
        Field("points", Num(), "a fixed score for this grade (优—6分)"),
        Field("score", _PAIR, "this grade's score interval, overriding the scale's `scores`"),
    ),
    build=lambda d: GradeBand(**d),
)

_LEVELS: Final = AnyOf((ListOf(Text()), MapOf(Num(), key_doc="label")))


def _scale_fields(*, overall: bool) -> tuple[Field, ...]:
    return (
        Field("rule", Text(), "the published rule text (优：…；良：…)"),
        Field(
            "variable",
            Text(),
            "the measured value for phrases that name none (90分以上); only with `rule`",
            default="总分" if overall else "得分",
        ),
        Field("bands", ListOf(Obj(BAND), min_items=1), "the grades as data, best first, instead of `rule`"),
        Field(
            "policy",
            Choice(("exclusive", "first", "lowest", "highest")),
            "which grade wins when several hold (`lowest` is 就低不就高)",
            default="exclusive",
        ),
        Field(
            "scoring",
            Choice(("interpolate", "midpoint", "points", "none")),
            "how a grade becomes a score"
            + (" (`none`: grades only)" if overall else "; by default by what the scale gives"),
            default="none" if overall else MISSING,
        ),
        Field("scores", MapOf(_PAIR, key_doc="grade"), "score interval of each grade (优 = [90, 100])"),
        Field(
            "domain",
            ListOf(AnyOf((Num(), Const(""), Const(None))), min_items=2, max_items=2),
            'the values that can occur, `[low, high]`; `""` for an open end'
            + (' (default `[0, total]`, or `[0, ""]` when `cap_total = false`)' if overall else ""),
        ),
        Field("gaps", Choice(("error", "lower", "upper")), "values between printed bands", default="error"),
        Field("levels", _LEVELS, "categorical levels: a best-first list, or `{ label = number }`"),
        Field(
            "precision",
            Whole(0, 10),
            "decimal places values are rounded to before grading"
            + (" (default: `round_total`)" if overall else ""),
        ),
    )


SCALE: Final = ObjectSpec(
    "scale",
    "A grading rule: the published `rule` text, or `bands`.",
    _scale_fields(overall=False),
    alternatives=(("rule",), ("bands",)),
    requires={"variable": ("rule",)},
    build=build_scale,
)

OVERALL: Final = ObjectSpec(
    "overall",
    "The grading of a unit's total (reads `总分`, gives grades only unless `scoring` says otherwise).",
    _scale_fields(overall=True),
    alternatives=(("rule",), ("bands",)),
    requires={"variable": ("rule",)},
)

# ---------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------

_RANKS: Final = MapOf(Num(), key_pattern=r"^[1-9][0-9]*$", key_doc="rank (1, 2, 3 …)")

PART: Final = ObjectSpec(
    "step.part",
    "A value graded by a scale of its own; the step's value is the score.",
    (
        Field("target", Text(), "the name the score is stored under", required=True),
        Field("scale", Obj(SCALE), "the part's grading rule", required=True),
        Field("of", Text(), "the input or measure to grade (categorical scales need it)"),
    ),
    build=lambda d: Part(**_strip_tag(d)),
    tag="part",
)
PEER_RATIO: Final = ObjectSpec(
    "step.peer_ratio",
    "A unit's ratio against the same ratio over its peers.",
    (
        Field("target", Text(), "the name the ratio is stored under", required=True),
        Field("numerator", Text(), "an input or measure", required=True),
        Field("denominator", Text(), "an input or measure", required=True),
        Field("pooled", Boolean(), "pool the peers' totals (true) or average their ratios", default=True),
        Field("within", _WITHIN, "peers: all units scored together, or the unit's category", default="all"),
    ),
    build=lambda d: PeerRatio(**_strip_tag(d)),
    tag="peer_ratio",
)
RANK: Final = ObjectSpec(
    "step.rank",
    "A unit's rank among its peers (1 is the best), or points by rank.",
    (
        Field("target", Text(), "the name the rank (or the points) is stored under", required=True),
        Field("of", Text(), "the input or measure to rank by", required=True),
        Field(
            "order", Choice(("desc", "asc")), "`desc`: larger is better; `asc`: smaller is", default="desc"
        ),
        Field("within", _WITHIN, "rank among all units, or within the unit's category", default="all"),
        Field("points", _RANKS, 'points for the top ranks (第1名加3分: `{ "1" = 3 }`)'),
        Field("bottom_points", _RANKS, 'points counted from the bottom (最后1名扣1分: `{ "1" = -1 }`)'),
        Field(
            "ties",
            Choice(("min", "average", "dense")),
            "tied units share the best place (1, 2, 2, 4), the mean (1, 2.5, 2.5, 4) or dense (1, 2, 2, 3)",
            default="min",
        ),
        Field("when", FormulaText("condition"), "only units for which it holds are placed (增速>=8%)"),
        Field(
            "vacated",
            Choice(("pass_down", "lapse")),
            "the place of a unit `when` leaves out: the next units move up, or its points go to no one",
            default="pass_down",
        ),
    ),
    build=lambda d: Rank(**_strip_tag(d)),
    tag="rank",
)
STEP: Final = Tagged("step", (PART, PEER_RATIO, RANK))

# ---------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------

DEFAULT: Final = ObjectSpec(
    "policy.default",
    "No data (or `when` holds) → a default grade or score.",
    (
        Field("grade", Text(), "the grade given (may be left out when `score` is a number)"),
        Field(
            "score",
            AnyOf((Choice(("midpoint", "top", "bottom")), Num())),
            "where in the grade's interval, or a number in the indicator's own units",
            default="midpoint",
        ),
        Field("when", FormulaText("condition"), 'the condition; none means "no data"'),
        Field("note", Text(), "why the score is what it is when the text does not say", default=""),
        _REASON,
        Field(
            "missing",
            ListOf(Text()),
            "without `when`: the inputs whose absence is the rule's case; another missing input is an error",
        ),
    ),
    build=lambda d: Default(**_strip_tag(d)),
    tag="default",
)
NOT_APPLICABLE: Final = ObjectSpec(
    "policy.not_applicable",
    "The indicator does not apply; its weight moves.",
    (
        Field("when", FormulaText("condition"), "the condition (行政审批事项数=0)"),
        Field("to", Text(), "the code or name of the indicator that receives the weight; none = spread it"),
        _REASON,
        Field(
            "missing",
            AnyOf((Boolean(), ListOf(Text()))),
            "missing data makes it not applicable: `true` (any input it reads) or the inputs' names",
            default=False,
        ),
    ),
    build=lambda d: NotApplicable(**_strip_tag(d)),
    tag="not_applicable",
)
ZERO: Final = ObjectSpec(
    "policy.zero",
    "A value scores 0 when a condition holds.",
    (
        Field("when", FormulaText("condition"), "the condition", required=True),
        Field("target", Text(), "the step whose value becomes 0; none = the indicator's score"),
        _REASON,
        Field(
            "per_period",
            Boolean(),
            "the rule is stated per period (当月/该月): it zeroes a period's row, never a whole year's",
            default=False,
        ),
    ),
    build=lambda d: ZeroWhen(**_strip_tag(d)),
    tag="zero",
)
ADJUST: Final = ObjectSpec(
    "policy.adjust",
    "Points added or taken per counted item (加分/扣分), with a cap.",
    (
        Field("per", Text(), "the input or measure that counts the items"),
        Field("points", Num(), "points per item; negative to deduct"),
        Field("items", MapOf(Num(), key_doc="counted input"), "several kinds of item: `{ input = points }`"),
        Field(
            "cap",
            AnyOf((FormulaText(), Num(minimum=0))),
            "the largest adjustment in size (最多扣3分 → 3), or a formula giving it (`if(档次=1, 3, 2)`)",
        ),
        _REASON,
        Field(
            "matters",
            MapOf(ListOf(Text()), key_doc="matter"),
            '同一事项按最高级别计一次: `{ "文明城市" = ["全国文明城市", "省级文明城市"] }` — of a matter\'s '
            "items only the one with the most points counts, once",
        ),
    ),
    alternatives=(("per", "points"), ("items",)),
    build=lambda d: Adjust(**_strip_tag(d)),
    tag="adjust",
)
VETO: Final = ObjectSpec(
    "policy.veto",
    "一票否决: one event sinks the unit.",
    (
        Field("when", FormulaText("condition"), "the condition on the unit's data", required=True),
        Field(
            "effect",
            Choice(("zero", "lowest_grade")),
            "`zero`: the total becomes 0; `lowest_grade`: keep the total, force the lowest grade",
            default="zero",
        ),
        _REASON,
    ),
    build=lambda d: Veto(**_strip_tag(d)),
    tag="veto",
)
POLICY: Final = Tagged("policy", (DEFAULT, NOT_APPLICABLE, ZERO, ADJUST, VETO))
SCHEME_POLICY: Final = Tagged("scheme_policy", (ADJUST, VETO), label="scheme-wide policy")

# ---------------------------------------------------------------------------
# Drafts: what an import could not read
# ---------------------------------------------------------------------------

TODO: Final = ObjectSpec(
    "todo",
    "A part of an imported draft still to be written by hand: the table's original text and where it was.",
    (
        Field(
            "about",
            Text(),
            "what it belongs to: `scale`, `steps`, `policy`, `score`, `weight`, `group` …",
            required=True,
        ),
        Field("text", Text(), "the original text of the table cell", default=""),
        Field("row", Whole(1, 10**9), "the table row it came from"),
        Field("column", Text(), "the table column's header", default=""),
        Field("note", Text(), "why it was not read", default=""),
    ),
    build=lambda d: Todo(**d),
)
_TODO_FIELD: Final = Field(
    "todo",
    ListOf(Obj(TODO)),
    "what an imported draft could not read; validate lists them, scoring is refused while any remain",
)

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
        Field(
            "parameters",
            MapOf(MapOf(Num(), key_doc="unit"), key_doc="name"),
            "per-unit constants formulas read as data (难度系数, targets by county): "
            '`[parameters."难度系数"]` then `"甲县" = 1.1`; a unit\'s own data overrides them',
        ),
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
