"""The scheme file's tables of rules, declared: grade scales, steps, policies and an import's todos.

Each is an :class:`~perfrules.files.spec_tables.ObjectSpec` (or a union of
them) that :mod:`perfrules.files.schemefile` puts in its tree of groups and
indicators.
"""

from __future__ import annotations

from typing import Any, Final

from .._todo import Todo
from ..grading.scale import GradeBand, GradeScale
from ..scheme.policies import Adjust, Default, NotApplicable, Veto, ZeroWhen
from ..scheme.steps import Part, PeerRatio, Rank
from .filespec import MISSING, AnyOf, Boolean, Choice, Const, FormulaText, ListOf, MapOf, Num, Text, Whole
from .spec_tables import Field, Obj, ObjectSpec, Tagged

__all__ = [
    "ADJUST",
    "BAND",
    "DEFAULT",
    "NOT_APPLICABLE",
    "OVERALL",
    "PART",
    "PEER_RATIO",
    "POLICY",
    "RANK",
    "SCALE",
    "SCHEME_POLICY",
    "STEP",
    "TODO",
    "VETO",
    "ZERO",
    "build_scale",
]

_WITHIN: Final = Choice(("all", "category"))
_PAIR: Final = ListOf(Num(), min_items=2, max_items=2)
_REASON: Final = Field("reason", Text(), "the published wording, shown in explanations", default="")


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
