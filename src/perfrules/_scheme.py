"""Schemes (指标体系): the indicator tree, weights, steps and policies, as data.

Everything a published scheme says is held in frozen attrs objects:

- :class:`Indicator` — a leaf (三级指标): code (序号), name, definition (指标释义),
  data source, reporting frequency, free metadata (责任科室, 责任人 …), the steps
  that compute its measured value, its grade scale (or a score formula), its
  weight (percent or points, per unit category) and its policies.
- :class:`Group` — a level-1 or level-2 group, with an optional declared
  subtotal (差异化指标 420分).
- :class:`Scheme` — the tree, the unit categories, the score settings and the
  scheme-wide policies. A ``Scheme`` that exists is valid: building one runs
  every check and reports every problem with its path.

Steps are the rule forms that compute values: measure formulas (R3),
:class:`Part` (a value graded by its own scale, R7/R8/R9), :class:`PeerRatio`
(R13) and :class:`Rank` (R14). Policies are :class:`Default` (R4),
:class:`NotApplicable` (R5, R17), :class:`ZeroWhen` (R9), :class:`Adjust`
(bonuses and deductions, R7) and :class:`Veto` (一票否决).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Final, Literal, TypeAlias

import attrs

from ._errors import Problem, SchemeError
from ._formula import Formula, normalize_name
from ._numbers import Number, as_fraction, exact, to_number
from ._scale import DEFAULT_SCORES, GradeBand, GradeScale

__all__ = [
    "FREQUENCIES",
    "Adjust",
    "Default",
    "Frequency",
    "Group",
    "Indicator",
    "NotApplicable",
    "Part",
    "PeerRatio",
    "Policy",
    "Rank",
    "Scheme",
    "Step",
    "Veto",
    "ZeroWhen",
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


@attrs.frozen(kw_only=True)
class Rank:
    """A unit's rank among its peers by a value (R14, 名次评分): 1 is the best.

    Ties share the best rank they span (1, 2, 2, 4).

    Attributes:
        target: the name the rank is stored under.
        of: the input or measure to rank by.
        order: ``desc`` when larger is better, ``asc`` when smaller is.
        within: ``all`` or ``category``.
    """

    target: str = attrs.field(converter=_name)
    of: str = attrs.field(converter=_name)
    order: Literal["desc", "asc"] = "desc"
    within: Literal["all", "category"] = "all"

    @property
    def reads(self) -> frozenset[str]:
        """The names this step needs."""
        return frozenset({self.of})


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


@attrs.frozen(kw_only=True)
class Default:
    """No data → a default grade (R4): 默认为"良"区中值, 当期没有行政处罚案件的，默认为"优".

    Fires when ``when`` holds on the unit's data, or — without ``when`` — when
    the indicator cannot be computed because an input is missing or a
    denominator is zero.

    Attributes:
        grade: the grade given.
        score: ``midpoint`` (区中值, the default), ``top``, ``bottom``, or a number.
        when: the condition; ``None`` means "no data".
        reason: the published wording, shown in explanations.
    """

    grade: str = attrs.field(converter=_name)
    score: Literal["midpoint", "top", "bottom"] | Number = "midpoint"
    when: Formula | None = attrs.field(default=None, converter=_optional_condition)
    reason: str = ""


@attrs.frozen(kw_only=True)
class NotApplicable:
    """The indicator does not apply to a unit; its weight moves (R5, R17).

    It does not apply when ``when`` holds on the unit's data, when the unit
    lists the indicator in ``Unit.not_applicable``, or when the unit is not
    in the indicator's ``applies_to``.

    Attributes:
        when: the condition (``无行政审批事项`` → ``行政审批事项数=0``), or ``None``.
        to: the code or name of the indicator that receives the weight
            (权重调整至公共服务白皮书); ``None`` spreads it over the applicable
            siblings in proportion to their weights.
        reason: the published wording.
    """

    when: Formula | None = attrs.field(default=None, converter=_optional_condition)
    to: str | None = attrs.field(default=None, converter=_optional_name)
    reason: str = ""


@attrs.frozen(kw_only=True)
class ZeroWhen:
    """A value scores 0 when a condition holds (R9).

    Attributes:
        when: the condition (``完整性异常条数>5``).
        target: the step whose value becomes 0 (a part's score), or ``None``
            for the indicator's score.
        reason: the published wording.
    """

    when: Formula = attrs.field(converter=_condition)
    target: str | None = attrs.field(default=None, converter=_optional_name)
    reason: str = ""


@attrs.frozen(kw_only=True)
class Adjust:
    """Points added or taken per counted item (加分 / 扣分), with a cap.

    ``score += count × points``; the total adjustment is limited to ``cap`` in
    size, and the final score stays within ``[0, full score]`` — a deduction
    stops at zero (扣完为止).

    Attributes:
        per: the input or measure that counts the items.
        points: points per item; negative for deductions.
        cap: the largest total adjustment (in size), or ``None``.
        reason: the published wording.
    """

    per: str = attrs.field(converter=_name)
    points: Number = attrs.field(converter=_number)
    cap: Number | None = attrs.field(default=None, converter=_optional_number)
    reason: str = ""


@attrs.frozen(kw_only=True)
class Veto:
    """一票否决: one event sinks the unit.

    Attributes:
        when: the condition on the unit's data.
        effect: ``zero`` sets the unit's total to 0; ``lowest_grade`` keeps the
            total but forces the unit's overall grade to the lowest.
        reason: the published wording.
    """

    when: Formula = attrs.field(converter=_condition)
    effect: Literal["zero", "lowest_grade"] = "zero"
    reason: str = ""


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


# ---------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------


def _weights(value: object) -> Mapping[str, Number]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'weights' must map categories to numbers (got {type(value).__name__})")
    return {_name(k): _number(v) for k, v in value.items()}


def _frequency(value: object) -> Frequency | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip() in FREQUENCIES:
        return FREQUENCIES[value.strip()]
    raise ValueError(
        f"unknown reporting frequency {value!r}; use one of {', '.join(sorted(set(FREQUENCIES)))}"
    )


def _strings(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'metadata' must be a mapping of text (got {type(value).__name__})")
    return {str(k): str(v) for k, v in value.items()}


def _units(value: object) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise TypeError(f"'applies_to' must be a list of unit names (got {type(value).__name__})")
    return frozenset(_name(v) for v in value)


def _inputs(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'inputs' must map names in the rules to data fields (got {type(value).__name__})")
    return {_name(k): _name(v) for k, v in value.items()}


@attrs.frozen(kw_only=True)
class Indicator:
    """A leaf of the scheme (三级指标): data, rules, weight and policies.

    Attributes:
        code: the number in the published table (序号), unique in the scheme.
        name: the indicator's name.
        definition: the published definition (指标释义).
        source: who reports the data (数据采集、报送责任单位).
        frequency: how often data is reported (月度 … 年度).
        metadata: anything else to keep (责任科室, 责任人 …).
        inputs: names used in the rules → data fields, when two indicators'
            rules use the same word (Shenzhen 5 and 9 both grade ``得分``).
        steps: how the measured values are computed, in any order.
        value: the measured value the scale grades; by default the scale's
            own variable.
        scale: the grading rule.
        score: a formula for the score itself (0 to the scheme's full score),
            for indicators scored without a scale (Shenzhen 6's average).
        weight: percent (schemes with ``basis="percent"``) or points.
        weights: weight per unit category (委/局/办), overriding ``weight``;
            0 means "not assessed for this category".
        applies_to: the units it applies to (Xiamen 6, 22); ``None`` for all.
        policies: defaults, redistribution, zeroing, adjustments, vetoes.
    """

    code: str = attrs.field(converter=_name)
    name: str = attrs.field(converter=_name)
    definition: str = ""
    source: str = ""
    frequency: Frequency | None = attrs.field(default=None, converter=_frequency)
    metadata: Mapping[str, str] = attrs.field(factory=dict, converter=_strings)
    inputs: Mapping[str, str] = attrs.field(factory=dict, converter=_inputs)
    steps: tuple[Step, ...] = attrs.field(default=(), converter=_to_steps)
    value: str | None = attrs.field(default=None, converter=_optional_name)
    scale: GradeScale | None = None
    score: Formula | None = attrs.field(
        default=None,
        converter=_optional_formula,
    )
    weight: Number | None = attrs.field(default=None, converter=_optional_number)
    weights: Mapping[str, Number] = attrs.field(factory=dict, converter=_weights)
    applies_to: frozenset[str] | None = attrs.field(default=None, converter=_units)
    policies: tuple[Policy, ...] = attrs.field(default=(), converter=_to_policies)

    def weight_for(self, category: str | None) -> Number:
        """The weight for a unit category (its own column, else ``weight``, else 0)."""
        if category is not None:
            key = normalize_name(category)
            if key in self.weights:
                return self.weights[key]
        if self.weight is not None:
            return self.weight
        return Decimal(0)

    @property
    def label(self) -> str:
        """``code name``, as messages name the indicator."""
        return f"{self.code} {self.name}"


def _children(value: object) -> tuple[Group | Indicator, ...]:
    if not isinstance(value, Iterable):
        raise TypeError(f"'children' must be a sequence (got {type(value).__name__})")
    items = tuple(value)
    for item in items:
        if not isinstance(item, Group | Indicator):
            raise TypeError(
                f"a group holds groups and indicators (got {item!r} of type {type(item).__name__})"
            )
    return items


@attrs.frozen(kw_only=True)
class Group:
    """A level-1 or level-2 group of indicators (一级/二级指标).

    Attributes:
        name: the group's name (行政业绩, 差异化指标 …).
        children: groups and indicators.
        declared: the subtotal the published table declares (45%, 420分), checked
            against its leaves for every category; ``None`` when not declared.
        declared_by_category: a declared subtotal per category, when they differ.
        code: an optional code.
    """

    name: str = attrs.field(converter=_name)
    children: tuple[Group | Indicator, ...] = attrs.field(default=(), converter=_children)
    declared: Number | None = attrs.field(default=None, converter=_optional_number)
    declared_by_category: Mapping[str, Number] = attrs.field(factory=dict, converter=_weights)
    code: str = ""

    def indicators(self) -> Iterator[Indicator]:
        """Every leaf below this group, in order."""
        for child in self.children:
            if isinstance(child, Indicator):
                yield child
            else:
                yield from child.indicators()

    def declared_for(self, category: str | None) -> Number | None:
        """The declared subtotal for a category."""
        if category is not None and normalize_name(category) in self.declared_by_category:
            return self.declared_by_category[normalize_name(category)]
        return self.declared


# ---------------------------------------------------------------------------
# The scheme
# ---------------------------------------------------------------------------


def _scheme_policies(value: object) -> tuple[Veto | Adjust, ...]:
    items = _to_policies(value)
    for item in items:
        if not isinstance(item, Veto | Adjust):
            raise TypeError(f"scheme-wide policies are Veto and Adjust (got {type(item).__name__})")
    return items  # type: ignore[return-value]


def _groups(value: Iterable[Group]) -> tuple[Group, ...]:
    return tuple(value)


def _categories(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise TypeError(f"'categories' must be a list of names (got {type(value).__name__})")
    return tuple(_name(v) for v in value)


@attrs.frozen(kw_only=True, repr=False)
class Scheme:
    """A whole evaluation scheme (指标体系) for one year.

    Attributes:
        name: the scheme's title.
        groups: the top of the tree (一级指标 groups).
        basis: ``percent`` (weights are percentages summing to ``total``) or
            ``points`` (分值 summing to ``total``).
        total: the full marks: 100 for percent schemes, e.g. 1000 for Xiamen.
        categories: unit categories with their own weight columns (委, 局, 办);
            empty when every unit is weighted alike.
        full_score: the score of a perfect indicator (100): an indicator's
            contribution is ``score / full_score × weight``.
        scores: score interval of each grade (``DEFAULT_SCORES``); also used to
            find the grade of an indicator scored by a formula.
        overall: the grading of a unit's total; by default the ``scores``
            intervals applied to the total as a share of ``total``.
        periods: how period results make the year's (R15): ``mean`` of the
            period scores (the default), ``sum`` the period inputs and evaluate
            once, or ``last``.
        policies: scheme-wide vetoes and adjustments of the total.
        language: ``zh`` or ``en``, for explanations.
        year, source: free text kept with the scheme.
    """

    name: str
    groups: tuple[Group, ...] = attrs.field(converter=_groups)
    basis: Literal["percent", "points"] = "percent"
    total: Number = attrs.field(default=Decimal(100), converter=_number)
    categories: tuple[str, ...] = attrs.field(default=(), converter=_categories)
    full_score: Number = attrs.field(default=Decimal(100), converter=_number)
    scores: Mapping[str, tuple[Number, Number]] = attrs.field(factory=lambda: dict(DEFAULT_SCORES))
    overall: GradeScale | None = None
    periods: Literal["mean", "sum", "last"] = "mean"
    policies: tuple[Veto | Adjust, ...] = attrs.field(default=(), converter=_scheme_policies)
    language: Literal["zh", "en"] = "zh"
    year: str = ""
    source: str = ""
    _score_scale: GradeScale = attrs.field(init=False, repr=False, eq=False)
    _overall_scale: GradeScale = attrs.field(init=False, repr=False, eq=False)
    _leaves: tuple[Indicator, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self, "_leaves", tuple(i for g in self.groups if isinstance(g, Group) for i in g.indicators())
        )
        problems = list(self._check())
        if problems:
            raise SchemeError(problems, title=f"invalid scheme '{self.name}'")
        object.__setattr__(self, "_score_scale", _score_scale(self.scores, self.full_score))
        object.__setattr__(
            self, "_overall_scale", self.overall or _score_scale(self.scores, self.total, "总分")
        )

    def __repr__(self) -> str:
        unit = "%" if self.basis == "percent" else "分"
        return f"Scheme(name={self.name!r}, indicators={len(self._leaves)}, total={self.total}{unit})"

    # -- navigation -----------------------------------------------------
    def indicators(self) -> tuple[Indicator, ...]:
        """Every leaf, in the published order."""
        return self._leaves

    def indicator(self, key: str) -> Indicator:
        """The indicator with this code or name.

        Raises:
            KeyError: none matches; the message suggests close codes and names.
        """
        wanted = normalize_name(key)
        for ind in self.indicators():
            if wanted in (ind.code, ind.name):
                return ind
        options = [i.code for i in self.indicators()] + [i.name for i in self.indicators()]
        close = difflib.get_close_matches(wanted, options, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"no indicator '{key}' in scheme '{self.name}'{hint}")

    def paths(self) -> Iterator[tuple[str, Group | Indicator]]:
        """Every group and indicator with its path (``groups[0].children[2]``)."""

        def walk(prefix: str, node: Group | Indicator) -> Iterator[tuple[str, Group | Indicator]]:
            yield prefix, node
            if isinstance(node, Group):
                for i, child in enumerate(node.children):
                    yield from walk(f"{prefix}.children[{i}]", child)

        for i, group in enumerate(self.groups):
            yield from walk(f"groups[{i}]", group)

    @property
    def score_scale(self) -> GradeScale:
        """The grades of an indicator score (0 to ``full_score``)."""
        return self._score_scale

    @property
    def overall_scale(self) -> GradeScale:
        """The grades of a unit's total."""
        return self._overall_scale

    def weight_columns(self) -> tuple[str | None, ...]:
        """The categories whose weights are checked (``(None,)`` without categories)."""
        return self.categories or (None,)

    # -- validation -----------------------------------------------------
    def _check(self) -> Iterator[Problem]:
        if self.basis not in ("percent", "points"):
            yield Problem("basis", f"must be 'percent' or 'points' (got {self.basis!r})")
        if self.periods not in ("mean", "sum", "last"):
            yield Problem("periods", f"must be 'mean', 'sum' or 'last' (got {self.periods!r})")
        if not self.groups:
            yield Problem("groups", "a scheme needs at least one group")
            return
        for i, group in enumerate(self.groups):
            if not isinstance(group, Group):
                yield Problem(f"groups[{i}]", f"must be a Group (got {type(group).__name__})")
                return
        leaves = [(p, n) for p, n in self.paths() if isinstance(n, Indicator)]
        codes: dict[str, str] = {}
        for path, ind in leaves:
            if ind.code in codes:
                yield Problem(f"{path}.code", f"code '{ind.code}' is used twice (also {codes[ind.code]})")
            codes.setdefault(ind.code, path)
        names = {ind.code for _, ind in leaves} | {ind.name for _, ind in leaves}
        for category in self.weight_columns():
            yield from self._check_weights(category)
        for path, ind in leaves:
            yield from self._check_indicator(path, ind, names)
        for path, node in self.paths():
            if isinstance(node, Group) and not node.children:
                yield Problem(path, f"group '{node.name}' has no indicators")

    def _check_weights(self, category: str | None) -> Iterator[Problem]:
        column = f"weights[{category}]" if category else "weights"
        leaves = self.indicators()
        total = sum((as_fraction(i.weight_for(category)) for i in leaves), start=as_fraction(0))
        unit = "%" if self.basis == "percent" else "分"
        if total != as_fraction(self.total):
            yield Problem(
                column,
                f"indicator weights add up to {_show(total)}{unit}, not {_show(self.total)}{unit}"
                + (f" for category '{category}'" if category else ""),
            )
        for path, node in self.paths():
            if not isinstance(node, Group):
                continue
            declared = node.declared_for(category)
            if declared is None:
                continue
            got = sum((as_fraction(i.weight_for(category)) for i in node.indicators()), start=as_fraction(0))
            if got != as_fraction(declared):
                yield Problem(
                    f"{path}.declared",
                    f"group '{node.name}' declares {_show(declared)}{unit} but its indicators add up "
                    f"to {_show(got)}{unit}" + (f" for category '{category}'" if category else ""),
                )
        for path, node in self.paths():
            if isinstance(node, Indicator):
                for key in node.weights:
                    if self.categories and key not in self.categories:
                        yield Problem(
                            f"{path}.weights",
                            f"unknown category '{key}' (categories: {', '.join(self.categories)})",
                        )
                w = node.weight_for(category)
                if w < 0:
                    yield Problem(f"{path}.weight", f"weight {_show(w)} is negative")
        return

    def _check_indicator(self, path: str, ind: Indicator, names: set[str]) -> Iterator[Problem]:
        targets: dict[str, int] = {}
        for k, step in enumerate(ind.steps):
            target = step_target(step)
            if target in targets:
                yield Problem(
                    f"{path}.steps[{k}]", f"'{target}' is computed twice (also steps[{targets[target]}])"
                )
            targets.setdefault(target, k)
            if isinstance(step, Part) and step.scale.is_categorical and step.of is None:
                yield Problem(
                    f"{path}.steps[{k}]", f"categorical part '{target}' needs 'of' (the input to grade)"
                )
        yield from self._check_cycles(path, ind)
        if ind.scale is None and ind.score is None:
            yield Problem(
                path, f"indicator {ind.label} has no way to be scored: give it a scale or a score formula"
            )
        if ind.scale is not None and ind.score is not None:
            yield Problem(path, f"indicator {ind.label} has both a scale and a score formula; keep one")
        if ind.scale is not None:
            for i, band in enumerate(ind.scale.bands):
                if band.name not in self.scores and band.score is None and band.points is None:
                    yield Problem(f"{path}.scale.bands[{i}]", f"grade '{band.name}' has no score interval")
        if ind.value is not None and ind.scale is not None and len(ind.scale.variables) > 1:
            yield Problem(
                f"{path}.value",
                f"'value' maps one measured value onto the scale, but the scale reads "
                f"{', '.join(sorted(ind.scale.variables))}",
            )
        for k, policy in enumerate(ind.policies):
            where = f"{path}.policies[{k}]"
            if isinstance(policy, NotApplicable) and policy.to is not None:
                if policy.to not in names:
                    close = difflib.get_close_matches(policy.to, sorted(names), n=3, cutoff=0.4)
                    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                    yield Problem(f"{where}.to", f"no indicator '{policy.to}' to move the weight to{hint}")
                elif policy.to in (ind.code, ind.name):
                    yield Problem(f"{where}.to", "an indicator cannot move its weight to itself")
            if isinstance(policy, Default):
                grades = ind.scale.bands if ind.scale is not None else self._score_bands()
                if policy.grade not in {b.name for b in grades}:
                    yield Problem(
                        f"{where}.grade",
                        f"default grade '{policy.grade}' is not a grade of {ind.label} "
                        f"({', '.join(b.name for b in grades)})",
                    )
                if isinstance(policy.score, str) and policy.score not in ("midpoint", "top", "bottom"):
                    yield Problem(
                        f"{where}.score",
                        f"must be 'midpoint', 'top', 'bottom' or a number (got {policy.score!r})",
                    )
            if isinstance(policy, ZeroWhen) and policy.target is not None and policy.target not in targets:
                yield Problem(f"{where}.target", f"no step computes '{policy.target}' in {ind.label}")
            if isinstance(policy, Veto) and policy.effect not in ("zero", "lowest_grade"):
                yield Problem(f"{where}.effect", f"must be 'zero' or 'lowest_grade' (got {policy.effect!r})")

    def _score_bands(self) -> tuple[GradeBand, ...]:
        return tuple(GradeBand(name=name, conditions=["得分>=0"]) for name in self.scores)

    @staticmethod
    def _check_cycles(path: str, ind: Indicator) -> Iterator[Problem]:
        by_target = {step_target(s): s for s in ind.steps}
        state: dict[str, int] = {}  # 1 visiting, 2 done
        reported: set[frozenset[str]] = set()

        def visit(name: str, trail: list[str]) -> Iterator[Problem]:
            if state.get(name) == 2 or name not in by_target:
                return
            if state.get(name) == 1:
                cycle = [*trail[trail.index(name) :], name]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield Problem(
                        f"{path}.steps", f"steps depend on each other in a cycle: {' → '.join(cycle)}"
                    )
                return
            state[name] = 1
            for dep in sorted(step_reads(by_target[name])):
                yield from visit(dep, [*trail, name])
            state[name] = 2

        for target in by_target:
            yield from visit(target, [])


def ordered_steps(ind: Indicator) -> list[Step]:
    """The indicator's steps in an order where each comes after what it reads."""
    by_target = {step_target(s): s for s in ind.steps}
    done: list[Step] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in by_target:
            return
        seen.add(name)
        for dep in sorted(step_reads(by_target[name])):
            visit(dep)
        done.append(by_target[name])

    for step in ind.steps:
        visit(step_target(step))
    return done


def _show(value: Number | int) -> str:
    shown = exact(as_fraction(value))
    return str(shown) if isinstance(shown, Decimal) else f"{float(shown):.4g}"


def _score_scale(
    scores: Mapping[str, tuple[Number, Number]], full: Number, variable: str = "得分"
) -> GradeScale:
    """A threshold scale over 0..full from the grades' score intervals (scaled to full)."""
    ordered = sorted(scores.items(), key=lambda kv: as_fraction(kv[1][0]), reverse=True)
    factor = as_fraction(full) / 100
    bands = []
    q = f"「{variable}」"
    for i, (name, (lo, _hi)) in enumerate(ordered):
        low = _show(as_fraction(lo) * factor)
        if i == 0:
            text = f"{q}>={low}"
        else:
            prev_low = _show(as_fraction(ordered[i - 1][1][0]) * factor)
            text = f"{low}<={q}<{prev_low}" if i < len(ordered) - 1 else f"{q}<{prev_low}"
        bands.append(GradeBand(name=name, conditions=[text], score=(lo, _hi)))
    return GradeScale(bands=bands, scoring="midpoint", domain=(0, full))


def group_paths(scheme: Scheme) -> Sequence[tuple[Group, tuple[Indicator, ...]]]:
    """Every group with its leaves, in order."""
    return [(node, tuple(node.indicators())) for _, node in scheme.paths() if isinstance(node, Group)]
