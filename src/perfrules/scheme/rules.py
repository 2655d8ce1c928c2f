"""The rule forms of a scheme, as data: steps that compute values and policies for exceptions.

Steps are measure formulas (R3), :class:`Part` (a value graded by its own
scale, R7/R8/R9), :class:`PeerRatio` (R13) and :class:`Rank` (R14, R21: the
rank, or points by rank). Policies are :class:`Default` (R4),
:class:`NotApplicable` (R5, R17), :class:`ZeroWhen` (R9), :class:`Adjust`
(bonuses and deductions in the indicator's own units, R19) and :class:`Veto`
(一票否决); :class:`GradeCap` and :class:`Quota` condition the overall grade
(R22). ``_scheme`` puts them in indicators and schemes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, Literal, TypeAlias

import attrs

from .._errors import Problem, SchemeError
from .._frozen import FrozenDict
from .._numbers import Number, as_fraction, exact, to_number
from ..formula.language import Formula, normalize_name
from ..grading.scale import GradeScale

__all__ = [
    "FREQUENCIES",
    "Adjust",
    "Default",
    "Frequency",
    "GradeCap",
    "NotApplicable",
    "Part",
    "PeerRatio",
    "Policy",
    "Quota",
    "Rank",
    "RollUp",
    "Step",
    "Veto",
    "ZeroWhen",
    "step_reads",
    "step_target",
]

Frequency: TypeAlias = Literal["monthly", "bimonthly", "quarterly", "half-yearly", "yearly"]

FREQUENCIES: Final[Mapping[str, Frequency]] = {
    "月度": "monthly",
    "双月": "bimonthly",
    "季度": "quarterly",
    "半年": "half-yearly",
    "年度": "yearly",
    "monthly": "monthly",
    "bimonthly": "bimonthly",
    "quarterly": "quarterly",
    "half-yearly": "half-yearly",
    "yearly": "yearly",
}
"""Reporting frequencies (报送频度), by their Chinese and English names."""


def _name(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a name must be text (got {value!r} of type {type(value).__name__})")
    return normalize_name(value)


def _label(value: object) -> str:
    """A name shown to people: kept as published (full-width brackets and all), spaces tidied.

    Matching (by ``Scheme.indicator``, ``NotApplicable.to``, a unit's 不适用 list)
    uses the normalised form, so 「（」 and 「(」 still find each other.
    """
    if not isinstance(value, str):
        raise TypeError(f"a name must be text (got {value!r} of type {type(value).__name__})")
    return " ".join(value.split())


def _optional_name(value: object) -> str | None:
    return None if value is None else _name(value)


def _condition(value: object) -> Formula:
    if isinstance(value, Formula):
        return value
    if isinstance(value, str):
        return Formula.parse_condition(value)
    raise TypeError(f"a condition must be a Formula or text (got {value!r} of type {type(value).__name__})")


def _optional_condition(value: object) -> Formula | None:
    return None if value is None else _condition(value)


def _assignment(value: object) -> Formula:
    formula = Formula.parse(value) if isinstance(value, str) else value
    if not isinstance(formula, Formula):
        raise TypeError(f"a measure must be a Formula or text (got {value!r} of type {type(value).__name__})")
    if formula.target is None:
        raise ValueError(f"a measure must assign a name, as in 完成率=完成数/总数 (got '{formula.text}')")
    return formula


def _number(value: object) -> Number:
    return to_number(value, name="weight")


def _optional_number(value: object) -> Number | None:
    return None if value is None else _number(value)


def _optional_formula(value: object) -> Formula | None:
    if value is None or isinstance(value, Formula):
        return value
    if isinstance(value, str):
        return Formula.parse(value)
    raise TypeError(
        f"a score formula must be a Formula or text (got {value!r} of type {type(value).__name__})"
    )


# ---------------------------------------------------------------------------
# Steps: how values are computed
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Part:
    """A value graded by a scale of its own; the step's value is the score.

    Shenzhen 6 averages three rates, each with its own bands; Shenzhen 4's
    年度改革任务完成情况 (优—6分 …) is a categorical part.

    Attributes:
        target: the name the score is stored under (网上申请得分).
        scale: the part's grading rule.
        of: the input or measure to grade; by default the scale's own variable
            (categorical scales need it: the input holding the category).
    """

    target: str = attrs.field(converter=_name)
    scale: GradeScale
    of: str | None = attrs.field(default=None, converter=_optional_name)

    @property
    def reads(self) -> frozenset[str]:
        """The names this step needs."""
        if self.of is not None:
            return frozenset({self.of})
        return self.scale.variables


@attrs.frozen(kw_only=True)
class PeerRatio:
    """A unit's ratio against the same ratio over its peers (R13).

    ``target = (numerator/denominator of the unit) / (the same over all units)``.
    With ``pooled`` (the default) the peers' figure is ``Σnumerator/Σdenominator``
    — 同期本级所有部门人均公用经费支出数, the spending of all departments over
    all their staff; otherwise it is the mean of the units' own ratios.

    Attributes:
        target: the name the ratio is stored under.
        numerator, denominator: inputs or measures.
        pooled: pool the peers' totals (True) or average their ratios.
        within: ``all`` units evaluated together, or only those of the unit's
            ``category``.
    """

    target: str = attrs.field(converter=_name)
    numerator: str = attrs.field(converter=_name)
    denominator: str = attrs.field(converter=_name)
    pooled: bool = True
    within: Literal["all", "category"] = "all"

    @property
    def reads(self) -> frozenset[str]:
        """The names this step needs."""
        return frozenset({self.numerator, self.denominator})


def _rank_table(value: object, what: str) -> Mapping[int, Number]:
    if value is None:
        return FrozenDict()
    if not isinstance(value, Mapping):
        raise TypeError(f"'{what}' must map ranks to points (got {type(value).__name__})")
    out: dict[int, Number] = {}
    for key, points in value.items():
        try:
            place = int(str(key).strip())
        except ValueError:
            raise ValueError(f"'{what}' keys are ranks 1, 2, 3 … (got {key!r})") from None
        if place < 1:
            raise ValueError(f"'{what}' keys are ranks from 1 (got {key!r})")
        out[place] = to_number(points, name=f"{what}[{key}]")
    return FrozenDict(out)


def _top_table(value: object) -> Mapping[int, Number]:
    return _rank_table(value, "points")


def _bottom_table(value: object) -> Mapping[int, Number]:
    return _rank_table(value, "bottom_points")


@attrs.frozen(kw_only=True)
class Rank:
    """A unit's rank among its peers by a value (R14, 名次评分): 1 is the best.

    Ties share the best rank they span (1, 2, 2, 4) unless ``ties`` says
    otherwise: ``average`` gives tied units the mean of the places they span
    (1, 2.5, 2.5, 4) and ``dense`` counts distinct values (1, 2, 2, 3).

    With ``points`` (and/or ``bottom_points``) the step gives points by rank
    instead of the rank itself (R21, 排名加减分): ``points={1: 3, 2: 2, 3: 1}``
    is 第1名加3分…; ``bottom_points={1: -1}`` is 最后1名扣1分, counted from the
    bottom with ties sharing that end's better place (two units tied last are
    both 最后1名). Under ``average`` tied units share the mean of the points of
    the places they span. A unit whose rank earns nothing gets 0.

    With ``when``, only units for which the condition holds are placed (增速
    低于8%的不参与排名): the others get no rank (points steps give them 0). A
    place such a unit would have held ``pass_down`` to the next units (the
    default: they are ranked among the units that qualify), or — with
    ``vacated = "lapse"`` — every unit keeps its place among all units and the
    lost place's points are given to no one.

    Attributes:
        target: the name the rank (or the points) is stored under.
        of: the input or measure to rank by.
        order: ``desc`` when larger is better, ``asc`` when smaller is.
        within: ``all`` or ``category``.
        points: points for the top ranks, ``{rank: points}``.
        bottom_points: points for the bottom ranks, ``{place from the bottom: points}``.
        ties: ``min`` (the default), ``average`` or ``dense``.
        when: the condition a unit must meet to be placed, or ``None``.
        vacated: ``pass_down`` (the default) or ``lapse``: what happens to the
            place of a unit that does not meet ``when``.

    >>> Rank(target="名次", of="增速", ties="average", when="增速>=8%").reads == {"增速"}
    True
    """

    target: str = attrs.field(converter=_name)
    of: str = attrs.field(converter=_name)
    order: Literal["desc", "asc"] = "desc"
    within: Literal["all", "category"] = "all"
    points: Mapping[int, Number] = attrs.field(factory=FrozenDict, converter=_top_table)
    bottom_points: Mapping[int, Number] = attrs.field(factory=FrozenDict, converter=_bottom_table)
    ties: Literal["min", "average", "dense"] = "min"
    when: Formula | None = attrs.field(default=None, converter=_optional_condition)
    vacated: Literal["pass_down", "lapse"] = "pass_down"

    @property
    def gives_points(self) -> bool:
        """Whether the step gives points by rank rather than the rank."""
        return bool(self.points or self.bottom_points)

    @property
    def reads(self) -> frozenset[str]:
        """The names this step needs (the ranked value and what ``when`` reads)."""
        return frozenset({self.of}) | (self.when.variables if self.when is not None else frozenset())


Step: TypeAlias = Formula | Part | PeerRatio | Rank
"""One way of computing a value: a measure formula, a graded part, a peer ratio or a rank."""


def step_target(step: Step) -> str:
    """The name a step defines."""
    if isinstance(step, Formula):
        assert step.target is not None
        return normalize_name(step.target)
    return step.target


def step_reads(step: Step) -> frozenset[str]:
    """The names a step reads."""
    return step.variables if isinstance(step, Formula) else step.reads


def _to_steps(value: object) -> tuple[Step, ...]:
    if isinstance(value, str | Formula | Part | PeerRatio | Rank):
        value = (value,)
    if not isinstance(value, Iterable):
        raise TypeError(f"'steps' must be a sequence (got {type(value).__name__})")
    out: list[Step] = []
    for item in value:
        if isinstance(item, Part | PeerRatio | Rank):
            out.append(item)
        else:
            out.append(_assignment(item))
    return tuple(out)


# ---------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------


def _default_score(value: object) -> Any:
    return value if isinstance(value, str) else to_number(value, name="score")


def _name_tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise TypeError(f"expected a list of input names (got {type(value).__name__})")
    return tuple(normalize_name(str(v)) for v in value)


@attrs.frozen(kw_only=True)
class Default:
    """No data → a default grade (R4): 默认为"良"区中值, 当期没有行政处罚案件的，默认为"优".

    Fires when ``when`` holds on the unit's data, or — without ``when`` — when
    the indicator cannot be computed because an input is missing or a
    denominator is zero.

    Attributes:
        grade: the grade given; may be omitted when ``score`` is a number
            (points schemes: 默认得满分), and the grade then follows the score.
        score: ``midpoint`` (区中值, the default), ``top``, ``bottom``, or a
            number in the indicator's own units (分 in points schemes).
        when: the condition; ``None`` means "no data".
        reason: the published wording, shown in explanations.
        note: why the score is what it is when the published text does not
            say (shown in explanations): e.g. the text says 默认为"优" but not
            which score within 优.
        missing: without ``when``, the inputs whose absence is the case the
            rule names (没有政府投资项目(A类)的 → 投资计划下达额): the default
            fires when one of these is missing or a denominator is zero, and
            any other missing input is an error, not a default. Empty: any
            missing input.
    """

    grade: str | None = attrs.field(default=None, converter=_optional_name)
    score: Literal["midpoint", "top", "bottom"] | Number = attrs.field(
        default="midpoint", converter=_default_score
    )
    when: Formula | None = attrs.field(default=None, converter=_optional_condition)
    reason: str = ""
    note: str = ""
    missing: tuple[str, ...] = attrs.field(default=(), converter=_name_tuple)


def _missing_inputs(value: object) -> bool | tuple[str, ...]:
    """``missing`` of ``NotApplicable``: true/false, or the inputs whose absence is the case."""
    if isinstance(value, bool):
        return value
    names = _name_tuple(value)
    if not names:
        raise ValueError("'missing' lists no input; give true (any input) or the inputs' names")
    return names


@attrs.frozen(kw_only=True)
class NotApplicable:
    """The indicator does not apply to a unit; its weight moves (R5, R17).

    It does not apply when ``when`` holds on the unit's data, when one of the
    ``missing`` inputs has no value (数据缺失的指标不参与计算，其权重按比例分配),
    when the unit lists the indicator in ``Unit.not_applicable``, or when the
    unit is not in the indicator's ``applies_to``.

    Attributes:
        when: the condition (``无行政审批事项`` → ``行政审批事项数=0``), or ``None``.
        to: the code or name of the indicator that receives the weight
            (权重调整至公共服务白皮书); ``None`` spreads it over the applicable
            siblings in proportion to their weights.
        reason: the published wording.
        missing: missing data as published: ``True`` — the indicator does not
            apply when any input it reads has no value; a list of inputs —
            when one of those has no value. An input is missing when the data
            has no value for it (a blank cell), in the year's row and in every
            period's row. ``False`` (the default): a missing input is not a
            reason (a ``Default`` or an error decides).

    >>> NotApplicable(missing=True, reason="数据缺失").missing
    True
    >>> NotApplicable(missing="R&D经费").missing
    ('R&D经费',)
    """

    when: Formula | None = attrs.field(default=None, converter=_optional_condition)
    to: str | None = attrs.field(default=None, converter=_optional_name)
    reason: str = ""
    missing: bool | tuple[str, ...] = attrs.field(default=False, converter=_missing_inputs)


@attrs.frozen(kw_only=True)
class ZeroWhen:
    """A value scores 0 when a condition holds (R9).

    Attributes:
        when: the condition (``完整性异常条数>5``).
        target: the step whose value becomes 0 (a part's score), or ``None``
            for the indicator's score.
        reason: the published wording.
        per_period: the rule is stated for one period (当月, 该月): it applies
            to a period's row only. Data given for the whole year in one row
            is not zeroed by it; the trail notes that the rule could not be
            applied.
    """

    when: Formula = attrs.field(converter=_condition)
    target: str | None = attrs.field(default=None, converter=_optional_name)
    reason: str = ""
    per_period: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))


def _items(value: object) -> Mapping[str, Number]:
    if value is None:
        return FrozenDict()
    if not isinstance(value, Mapping):
        raise TypeError(f"'items' must map counted inputs to points per item (got {type(value).__name__})")
    return FrozenDict({_name(k): to_number(v, name=f"items[{k}]") for k, v in value.items()})


def _cap(value: object) -> Number | Formula | None:
    """A cap: a number (最多扣3分), or a formula giving one (奖励分上限 by the tier a target falls in)."""
    if value is None or isinstance(value, Formula):
        return value
    if isinstance(value, str):
        try:
            return to_number(Decimal(value.strip()), name="cap")
        except ArithmeticError:
            return Formula.parse(value)
    return to_number(value, name="cap")


def _matters(value: object) -> Mapping[str, tuple[str, ...]]:
    if value is None:
        return FrozenDict()
    if not isinstance(value, Mapping):
        raise TypeError(f"'matters' must map each matter to its items (got {type(value).__name__})")
    return FrozenDict({_name(k): _name_tuple(v) for k, v in value.items()})


@attrs.frozen(kw_only=True)
class Adjust:
    """Points added or taken per counted item (加分 / 扣分), with a cap.

    ``score += Σ count × points`` over the items; the adjustment as a whole is
    limited to ``cap`` in size (最多扣3分, 加分合计最高5分). Points are in the
    indicator's own units — 分 in a points scheme, as the rule prints them.
    After every adjustment the score stays within 0 (扣完为止) and the
    indicator's ``max_score`` (its full points unless the rule allows more).
    A scheme-wide ``Adjust`` changes the unit's total instead.

    Attributes:
        per: the input or measure that counts the items (one kind of item).
        points: points per item; negative for deductions.
        items: several kinds of item adding up under one cap:
            ``{"国家级表彰": 2, "省级表彰": 1}``. Give ``per``/``points`` or ``items``.
        cap: the largest adjustment in size, or ``None``; at least 0. A
            formula (``if(目标档次=1, 3, 2)``, ``分值×20%``) is worked out on
            the unit's values, the indicator's steps and ``分值``.
        reason: the published wording.
        matters: 同一事项按最高级别计一次 — items that are levels of one
            matter: ``{"文明城市": ["全国文明城市", "省级文明城市"]}``. Of a
            matter's items the unit has (count above 0), only the one with the
            most points in size counts, and once, whatever the counts. Items in
            no matter count as usual. Needs ``items``; the items of a matter
            all add or all deduct.

    >>> Adjust(per="一般事故", points=-5).terms
    (('一般事故', Decimal('-5')),)
    >>> Adjust(items={"国家级": 3, "省级": 2}, matters={"文明城市": ["国家级", "省级"]}).matter_of
    {'国家级': '文明城市', '省级': '文明城市'}
    """

    per: str | None = attrs.field(default=None, converter=_optional_name)
    points: Number | None = attrs.field(default=None, converter=_optional_number)
    items: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=_items)
    cap: Number | Formula | None = attrs.field(default=None, converter=_cap)
    reason: str = ""
    matters: Mapping[str, tuple[str, ...]] = attrs.field(factory=FrozenDict, converter=_matters)

    def __attrs_post_init__(self) -> None:
        if self.matters:
            self._check_matters()
        single = self.per is not None or self.points is not None
        if single and (self.per is None or self.points is None):
            raise ValueError("an adjustment needs both 'per' (what is counted) and 'points' (per item)")
        if single == bool(self.items):
            raise ValueError(
                "give an adjustment either 'per' and 'points', or 'items' (not both, not neither)"
            )
        if isinstance(self.cap, Formula) and self.cap.is_condition:
            raise ValueError(
                f"'cap' must be a number or a formula giving one (got the condition '{self.cap.text}')"
            )
        if self.cap is not None and not isinstance(self.cap, Formula) and self.cap < 0:
            raise ValueError(
                f"'cap' is a size and must be >= 0 (got cap={self.cap}); the sign comes from 'points'"
            )

    def _check_matters(self) -> None:
        problems: list[Problem] = []
        if not self.items:
            problems.append(Problem("matters", "matters group 'items'; give the levels as items first"))
        seen: dict[str, str] = {}
        for matter, names in self.matters.items():
            if len(names) < 2:
                problems.append(
                    Problem(f"matters.{matter}", "a matter needs at least two items (its levels)")
                )
            for name in names:
                if self.items and name not in self.items:
                    close = difflib.get_close_matches(name, list(self.items), n=1, cutoff=0.4)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    problems.append(Problem(f"matters.{matter}", f"'{name}' is not one of the items{hint}"))
                elif name in seen:
                    problems.append(
                        Problem(f"matters.{matter}", f"'{name}' is already in the matter '{seen[name]}'")
                    )
                seen[name] = matter
            signs = {self.items[n] > 0 for n in names if self.items.get(n)}
            if len(signs) > 1:
                problems.append(
                    Problem(f"matters.{matter}", "a matter's items must all add or all deduct points")
                )
        if problems:
            raise SchemeError(problems, title="invalid adjustment")

    @property
    def matter_of(self) -> dict[str, str]:
        """Each item that is a level of a matter, with its matter."""
        return {name: matter for matter, names in self.matters.items() for name in names}

    @property
    def terms(self) -> tuple[tuple[str, Number], ...]:
        """Each counted input with its points per item."""
        if self.per is not None and self.points is not None:
            return ((self.per, self.points),)
        return tuple(self.items.items())

    @property
    def reads(self) -> frozenset[str]:
        """The inputs it counts (and those its cap formula reads)."""
        counted = frozenset(name for name, _ in self.terms)
        return counted | self.cap.variables if isinstance(self.cap, Formula) else counted


@attrs.frozen(kw_only=True)
class Veto:
    """一票否决: one event sinks the unit.

    Attributes:
        when: the condition on the unit's data.
        effect: ``zero`` sets the unit's total to 0 (弄虚作假的，总分计0分);
            ``lowest_grade`` keeps the total but forces the lowest grade. Either
            way the grade is the lowest and the unit ranks after every unit
            that was not vetoed (排名列于未被否决的单位之后).
        reason: the published wording.
    """

    when: Formula = attrs.field(converter=_condition)
    effect: Literal["zero", "lowest_grade"] = "zero"
    reason: str = ""


def _demote(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"'demote' must be a whole number of grades, 0 or more (got {value!r})")
    return value


@attrs.frozen(kw_only=True)
class GradeCap:
    """Limits on the grade or the total (等次最高为合格, 降一等次, 总分不超过C级最高限).

    The condition reads what overall grading reads (see ``Scheme``): 总分,
    each group's 得分 and 得分率, each indicator's 得分/得分率/等次 as
    ``指标<code>得分`` …, and the unit's data. Give one or more effects;
    caps apply in the order given, ``max_total`` before any grade.

    Attributes:
        when: the condition (``min(业务工作得分率, 党建工作得分率)<60%``).
        grade: the best grade the unit may then get.
        demote: 降一等次 — move the grade this many grades down (the lowest
            grade stays the lowest).
        max_total: the total may then be at most this (总分不超过C级最高限 →
            the top of C); the lower total is reported, graded and ranked.
        reason: the published wording.

    >>> GradeCap(when="重大事故>0", demote=1).demote
    1
    """

    when: Formula = attrs.field(converter=_condition)
    grade: str | None = attrs.field(default=None, converter=_optional_name)
    reason: str = ""
    demote: int = attrs.field(default=0, converter=_demote)
    max_total: Number | None = attrs.field(default=None, converter=_optional_number)

    def __attrs_post_init__(self) -> None:
        if self.grade is None and not self.demote and self.max_total is None:
            raise ValueError(
                "a cap needs an effect: 'grade' (a ceiling), 'demote' (grades down) or 'max_total'"
            )


@attrs.frozen(kw_only=True)
class Flag:
    """A label beside the grade when a condition holds (不能评先, 黄牌警告); the grade stays as it is.

    The condition reads what caps read (总分, groups' and indicators' scores,
    the unit's data), with the final total. Every output shows the unit's
    labels beside its grade: JSON, CSV, the table and explanations.

    Attributes:
        label: the label shown (``不能评先``).
        when: the condition (``安全事故>0``).
        reason: the published wording, shown in explanations.

    >>> Flag(label="黄牌", when="整改未完成数>0").label
    '黄牌'
    """

    label: str = attrs.field(converter=_label)
    when: Formula = attrs.field(converter=_condition)
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.label:
            raise ValueError("a flag needs a label (the text shown beside the grade)")


def _share(value: object) -> Number | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("%", "％")):
            return exact(as_fraction(to_number(Decimal(text.rstrip("%％")), name="share")) / 100)
        return to_number(Decimal(text), name="share")
    return to_number(value, name="share")


def _optional_count(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"'count' must be a whole number (got {value!r})")
    return value


@attrs.frozen(kw_only=True)
class Quota:
    """A limit on how many units may get a grade (优秀等次不超过30%).

    Applied after every unit is scored: the units holding ``grade`` keep it in
    order of total (best first) up to the limit; the rest take ``overflow``.

    Attributes:
        grade: the limited grade.
        share: the limit as a share of the units scored together (0.3 for
            30%); or
        count: the limit as a number of units.
        rounding: how a share becomes a number of units: ``floor`` (向下取整,
            the default), ``ceil`` or ``round`` (四舍五入).
        ties: units tied on total at the limit's edge: ``exclude`` (the
            default) gives them all the overflow grade, so the limit is never
            exceeded; ``include`` lets them all keep the grade (the trail says
            the quota was exceeded).
        overflow: the grade the others take; by default the next grade down.
        within: ``all`` units scored together, or each ``category`` apart.
        reason: the published wording.
    """

    grade: str = attrs.field(converter=_name)
    share: Number | None = attrs.field(default=None, converter=_share)
    count: int | None = attrs.field(default=None, converter=_optional_count)
    rounding: Literal["floor", "ceil", "round"] = "floor"
    ties: Literal["exclude", "include"] = "exclude"
    overflow: str | None = attrs.field(default=None, converter=_optional_name)
    within: Literal["all", "category"] = "all"
    reason: str = ""


@attrs.frozen(kw_only=True)
class RollUp:
    """Units above units: a parent's total is the mean of its sub-units' totals (a city from its counties).

    A unit whose data names a parent in the ``parent`` column is a sub-unit;
    a unit named so is a parent, with no indicator data of its own (its row
    gives its name, category and, for a parent of parents, its own parent and
    weight). After every sub-unit is scored, each parent's total is the
    weighted mean of its sub-units' totals, by the ``weight`` column, or
    their plain mean without one; it is graded by the scheme's overall
    grading, and ranked (and given quotas) among the units of its level.
    A parent whose sub-unit was not scored is not scored either.

    Attributes:
        parent: the data column naming a unit's parent (上级单位).
        weight: the data column of a sub-unit's weight in its parent's mean
            (人口, 常住人口); ``None`` for the plain mean.

    >>> RollUp(parent="上级单位", weight="人口").weight
    '人口'
    """

    parent: str = attrs.field(converter=_name)
    weight: str | None = attrs.field(default=None, converter=_optional_name)


Policy: TypeAlias = Default | NotApplicable | ZeroWhen | Adjust | Veto
"""A rule about exceptions: defaults, redistribution, zeroing, bonuses and deductions, vetoes."""

_POLICY_TYPES: Final = (Default, NotApplicable, ZeroWhen, Adjust, Veto)


def _to_policies(value: object) -> tuple[Policy, ...]:
    if isinstance(value, _POLICY_TYPES):
        value = (value,)
    if not isinstance(value, Iterable):
        raise TypeError(f"'policies' must be a sequence (got {type(value).__name__})")
    items = tuple(value)
    for item in items:
        if not isinstance(item, _POLICY_TYPES):
            raise TypeError(
                f"a policy must be Default, NotApplicable, ZeroWhen, Adjust or Veto "
                f"(got {item!r} of type {type(item).__name__})"
            )
    return items
