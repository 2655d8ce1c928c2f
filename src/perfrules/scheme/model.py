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
from typing import Any, Final, Literal

import attrs

from .._errors import Problem, SchemeError
from .._frozen import FrozenDict
from .._numbers import Number, as_fraction, to_number
from .._todo import Todo, to_todos
from ..formula.language import Formula, normalize_name
from ..grading.scale import DEFAULT_SCORES, GradeBand, GradeScale
from .checks import SchemeChecks
from .fields import _name, _number, _optional_formula
from .history import (
    HistoryName,
    PastResults,
    history_table,
    join_per_unit,
    parameters_table,
    previous_results,
)
from .overall import Flag, GradeCap, Quota, RollUp
from .policies import Adjust, Veto, _to_policies
from .steps import Part
from .tree import Group, Indicator, _places, _show, _totals
from .units import Unit

__all__ = ["STAND_IN_MECHANISMS", "Scheme", "group_paths", "with_parameters"]

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


def with_parameters(scheme: Scheme, unit: Unit) -> Unit:
    """The unit with the scheme's per-unit constants (``parameters``) and ``history`` values among its data.

    A value the unit's own data gives for the same name is kept (see :func:`join_per_unit`).
    """
    return join_per_unit(unit, scheme.parameters, scheme.history, scheme.previous, scheme.language == "zh")


def _default_scores(self: Scheme) -> Mapping[str, tuple[Number, Number]] | None:
    # Percent schemes grade indicators by score intervals (优 90–100 …); a points
    # scheme's indicators earn 分 and have no grade unless the scheme gives one.
    return FrozenDict(DEFAULT_SCORES) if self.basis == "percent" else None


def _optional_scores(value: object) -> Mapping[str, tuple[Number, Number]] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"'scores' must map grade names to (low, high) pairs (got {type(value).__name__})")
    out = {}
    for key, pair in value.items():
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise TypeError(f"'scores[{key}]' must be a (low, high) pair (got {pair!r})")
        low, high = (to_number(v, name=f"scores[{key}]") for v in pair)
        out[_name(key)] = (low, high)
    return FrozenDict(out)


STAND_IN_MECHANISMS: Final = ("periods", "not_applicable")
"""The mechanisms a scheme's ``stand_ins`` may mark."""


def _stand_ins(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"'stand_ins' must map mechanisms to texts (got {type(value).__name__})")
    for key, text in value.items():
        if key not in STAND_IN_MECHANISMS:
            close = difflib.get_close_matches(str(key), STAND_IN_MECHANISMS, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(
                f"'stand_ins' has no mechanism '{key}' (only {', '.join(STAND_IN_MECHANISMS)}){hint}"
            )
        if not isinstance(text, str):
            raise TypeError(f"stand_ins.{key} must be text (got {type(text).__name__})")
    return FrozenDict({k: v for k, v in value.items() if v})


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"must be true or false (got {value!r} of type {type(value).__name__})")
    return value


def _caps(value: object) -> tuple[GradeCap, ...]:
    items: tuple[Any, ...] = tuple(value) if isinstance(value, Iterable) else (value,)
    for item in items:
        if not isinstance(item, GradeCap):
            raise TypeError(f"'caps' must hold GradeCap objects (got {type(item).__name__})")
    return items


def _flags(value: object) -> tuple[Flag, ...]:
    items: tuple[Any, ...] = tuple(value) if isinstance(value, Iterable) else (value,)
    for item in items:
        if not isinstance(item, Flag):
            raise TypeError(f"'flags' must hold Flag objects (got {type(item).__name__})")
    return items


def _roll_up(value: object) -> RollUp | None:
    if value is not None and not isinstance(value, RollUp):
        raise TypeError(f"'roll_up' must be a RollUp (got {type(value).__name__})")
    return value


def _quotas(value: object) -> tuple[Quota, ...]:
    items: tuple[Any, ...] = tuple(value) if isinstance(value, Iterable) else (value,)
    for item in items:
        if not isinstance(item, Quota):
            raise TypeError(f"'quotas' must hold Quota objects (got {type(item).__name__})")
    return items


@attrs.frozen(kw_only=True, repr=False)
class Scheme(SchemeChecks):
    """A whole evaluation scheme (指标体系) for one year.

    Attributes:
        name: the scheme's title.
        groups: the top of the tree (一级指标 groups).
        basis: ``percent`` (weights are percentages summing to ``total``) or
            ``points`` (分值 summing to ``total``). In a points scheme every
            indicator scores in its own 分: score formulas, deductions and
            bonuses speak in 分, and an indicator's full points are its 分值.
        total: the full marks: 100 for percent schemes, e.g. 1000 for Xiamen.
        totals: full marks per unit category, overriding ``total`` (分类考核:
            委 units out of 100, 办 units out of 110); each category's weights
            add up to its own total, and its total is capped, normalised and
            graded (default grading: ``scores`` as shares) on its own full marks.
        categories: unit categories with their own weight columns (委, 局, 办);
            empty when every unit is weighted alike.
        full_score: the top of the grades' score intervals (100): in a percent
            scheme an indicator scores 0–``full_score`` and contributes
            ``score / full_score × weight``; in a points scheme a grade's
            interval is read as a share of the indicator's points.
        scores: score interval of each grade (``DEFAULT_SCORES`` for percent
            schemes; none for points schemes unless given); also used to find
            the grade of an indicator scored by a formula.
        overall: the grading of a unit's total (variable ``总分``); by default
            the ``scores`` intervals applied to the total as a share of
            ``total`` (no overall grade when there are no ``scores``). Its
            conditions may read 总分, each group's ``<组>得分`` and
            ``<组>得分率`` (share of its points), each indicator's
            ``指标<code>得分``, ``指标<code>得分率`` and ``指标<code>等次`` (the
            grade's place, 1 for the best), ``评为<等次>的指标数``, and the unit's data.
        caps: ceilings on the overall grade (等次最高为合格), grades down
            (降一等次) and limits on the total.
        flags: labels shown beside the grade when their condition holds
            (不能评先, 黄牌); they do not change the grade.
        parameters: per-unit constants that formulas read as data (难度系数,
            targets by county): ``{"难度系数": {"甲县": 1.1}}``; a unit's own
            data overrides them (see :func:`with_parameters`).
        history: names that rules read from an earlier run's result of the
            same unit (上年名次, 上年得分, 上年等次): ``{"上年名次":
            HistoryName(field="rank")}``. Without ``previous`` they are read
            from the unit's data like any input.
        previous: the earlier run's results those names read (set by
            ``evaluate(..., previous=...)``; never written to a scheme file).
        quotas: limits on how many units get a grade (优秀不超过30%).
        periods: how period results make the year's (R15): ``mean`` of the
            period scores (the default), ``sum`` the period inputs and evaluate
            once, or ``last``.
        period_grades: 每期评定等次 — results carry each period's total and
            grade beside the year's (a quarter's grade), when indicators are
            reported by period (:class:`~perfrules.PeriodTotal`).
        policies: scheme-wide vetoes and adjustments of the total.
        round_total: round the total half up (四舍五入) to this many decimal
            places before grading and ranking; the rounded total is reported.
        round_scores: round each indicator's score likewise before it is added.
        cap_total: keep the total within full marks (the default; the trail
            says when it caps); ``False`` lets bonuses lift it above (总分可超过100分).
        floor_total: keep the total at 0 or above (the default); ``False`` lets
            deductions and unclamped scores take it below 0 (总分可为负).
        normalize: 折算 — the total is what the applicable indicators earned
            over the points they could earn, times ``total``, instead of moving
            the weight of indicators that do not apply.
        language: ``zh`` or ``en``, for explanations.
        year, source: free text kept with the scheme.
        stand_in: non-empty when a scheme-wide reading is not in the source
            (e.g. its overall grading): what the stand-in is. Explanations show it.
        stand_ins: stand-ins for mechanisms the source leaves open, by
            mechanism: ``periods`` (how period results make the year's) and
            ``not_applicable`` (what happens when a unit declares an
            indicator not applicable). Every indicator result that went
            through the mechanism carries the text as a stand-in.
        rank_within: ``all`` (one ranking) or ``category`` (分类评估: results
            are ranked and shown within each unit category; both ranks are
            always computed).
        total_formula: the unit's total as a formula over the groups'
            subtotals (``<组>得分``, ``<组>得分率``), the indicators' results
            (``指标<code>得分`` …) and the unit's data, instead of the weighted
            sum: ``(P得分+E得分+C得分)×经营难度系数+奖励分-考核扣分``.
            Scheme-wide adjustments, the floor, the cap and rounding then
            apply to what it gives.
        roll_up: units above units (:class:`RollUp`): a parent's total is
            the mean of its sub-units' totals (a city from its counties),
            worked out in the same run; ``None`` when no unit has a parent.
    """

    name: str
    groups: tuple[Group, ...] = attrs.field(converter=_groups)
    basis: Literal["percent", "points"] = "percent"
    total: Number = attrs.field(default=Decimal(100), converter=_number)
    totals: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=_totals)
    categories: tuple[str, ...] = attrs.field(default=(), converter=_categories)
    full_score: Number = attrs.field(default=Decimal(100), converter=_number)
    scores: Mapping[str, tuple[Number, Number]] | None = attrs.field(
        default=attrs.Factory(_default_scores, takes_self=True), converter=_optional_scores
    )
    overall: GradeScale | None = None
    caps: tuple[GradeCap, ...] = attrs.field(default=(), converter=_caps)
    quotas: tuple[Quota, ...] = attrs.field(default=(), converter=_quotas)
    periods: Literal["mean", "sum", "last"] = "mean"
    period_grades: bool = attrs.field(default=False, converter=_flag)
    policies: tuple[Veto | Adjust, ...] = attrs.field(default=(), converter=_scheme_policies)
    round_total: int | None = attrs.field(default=None, converter=_places)
    round_scores: int | None = attrs.field(default=None, converter=_places)
    cap_total: bool = attrs.field(default=True, converter=_flag)
    floor_total: bool = attrs.field(default=True, converter=_flag)
    normalize: bool = attrs.field(default=False, converter=_flag)
    language: Literal["zh", "en"] = "zh"
    year: str = ""
    source: str = ""
    stand_in: str = ""
    stand_ins: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=_stand_ins)
    rank_within: Literal["all", "category"] = "all"
    todo: tuple[Todo, ...] = attrs.field(default=(), converter=to_todos)
    total_formula: Formula | None = attrs.field(default=None, converter=_optional_formula)
    flags: tuple[Flag, ...] = attrs.field(default=(), converter=_flags)
    parameters: Mapping[str, Mapping[str, Number]] = attrs.field(
        factory=FrozenDict, converter=parameters_table
    )
    roll_up: RollUp | None = attrs.field(default=None, converter=_roll_up)
    history: Mapping[str, HistoryName] = attrs.field(factory=FrozenDict, converter=history_table)
    previous: PastResults | None = attrs.field(default=None, converter=previous_results)
    _score_scale: GradeScale | None = attrs.field(init=False, repr=False, eq=False)
    _overall_scale: GradeScale | None = attrs.field(init=False, repr=False, eq=False)
    _overall_scales: Mapping[str, GradeScale] = attrs.field(init=False, repr=False, eq=False)
    _grade_names: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    _leaves: tuple[Indicator, ...] = attrs.field(init=False, repr=False, eq=False)
    _notes: tuple[Problem, ...] = attrs.field(init=False, repr=False, eq=False)
    # The compiled plan, built by the scoring layer the first time it is needed.
    _compiled: object = attrs.field(init=False, repr=False, eq=False, default=None)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self, "_leaves", tuple(i for g in self.groups if isinstance(g, Group) for i in g.indicators())
        )
        problems = list(self._check())
        if problems:
            raise SchemeError(problems, title=f"invalid scheme '{self.name}'")
        score_scale = None if self.scores is None else _score_scale(self.scores, self.full_score)
        object.__setattr__(self, "_score_scale", score_scale)
        overall = self.overall
        if overall is None and self.scores is not None:
            overall = _score_scale(
                self.scores,
                self.total,
                "总分",
                domain=(Decimal(0) if self.floor_total else None, self.total if self.cap_total else None),
            )
        object.__setattr__(self, "_overall_scale", overall)
        names = () if overall is None else tuple(b.name for b in overall.bands)
        object.__setattr__(self, "_grade_names", names)
        # 分类考核: the default grading (``scores`` as shares of full marks) on each category's own total.
        own: dict[str, GradeScale] = {}
        if self.overall is None and self.scores is not None:
            for category, full in self.totals.items():
                if full != self.total and full > 0:
                    own[category] = _score_scale(
                        self.scores,
                        full,
                        "总分",
                        domain=(Decimal(0) if self.floor_total else None, full if self.cap_total else None),
                    )
        object.__setattr__(self, "_overall_scales", FrozenDict(own))
        later = list(self._check_overall()) + list(self._check_total_formula())
        if later:
            raise SchemeError(later, title=f"invalid scheme '{self.name}'")
        object.__setattr__(self, "_notes", tuple(self._collect_notes()))

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt (and so checked and compiled) on the other side: the compiled
        # plan holds closures that cannot be pickled.
        fields = {a.name: getattr(self, a.name) for a in attrs.fields(Scheme) if a.init}
        return (_rebuild_scheme, (fields,))

    def __repr__(self) -> str:
        unit = "%" if self.basis == "percent" else "分"
        return f"Scheme(name={self.name!r}, indicators={len(self._leaves)}, total={self.total}{unit})"

    @property
    def notes(self) -> tuple[Problem, ...]:
        """What validation noticed that is not an error, each with its path.

        A boundary point two printed bands share (it goes to the better grade),
        a grade no input can reach (Shenzhen rule 12's 优 under 就低不就高).
        Paths are tree paths (``groups[0].children[2].scale``); for a scheme
        read from a file (``load``, ``loads``, ``scheme_from_mapping``) they
        point into the file, as problems do (``indicators[7].scale``).
        """
        return self._notes

    def _relocate_notes(self, notes: Sequence[Problem]) -> None:
        """Give the notes other paths (the loader points them into the file)."""
        object.__setattr__(self, "_notes", tuple(notes))

    def _collect_notes(self) -> Iterator[Problem]:
        for path, node in self.paths():
            if isinstance(node, Indicator):
                if node.scale is not None:
                    for note in node.scale.notes:
                        yield Problem(f"{path}.scale", f"{node.label}: {note}")
                for k, step in enumerate(node.steps):
                    if isinstance(step, Part):
                        for note in step.scale.notes:
                            yield Problem(f"{path}.steps[{k}].scale", f"{node.label}, {step.target}: {note}")
        if self.overall is not None:
            for note in self.overall.notes:
                yield Problem("overall", note)

    # -- navigation -----------------------------------------------------
    def indicators(self) -> tuple[Indicator, ...]:
        """Every leaf, in the published order."""
        return self._leaves

    def todos(self) -> tuple[tuple[str, Todo], ...]:
        """Every todo of a draft (:class:`Todo`), with whose it is: ``(scheme)`` or the indicator."""
        found = [("(scheme)", t) for t in self.todo]
        found += [(ind.label, t) for ind in self._leaves for t in ind.todo]
        return tuple(found)

    def indicator(self, key: str) -> Indicator:
        """The indicator with this code or name.

        Raises:
            KeyError: none matches; the message suggests close codes and names.
        """
        wanted = normalize_name(key)
        for ind in self.indicators():
            if wanted in (ind.code, normalize_name(ind.name)):
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
    def score_scale(self) -> GradeScale | None:
        """The grades of an indicator score (0 to ``full_score``), if the scheme has ``scores``."""
        return self._score_scale

    @property
    def overall_scale(self) -> GradeScale | None:
        """The grades of a unit's total (None when the scheme grades no total)."""
        return self._overall_scale

    def graded_reads(self) -> frozenset[str]:
        """The names the rules that grade a unit's total read: caps, flags and the overall scale."""
        found = set().union(*(c.when.variables for c in self.caps), *(f.when.variables for f in self.flags))
        return frozenset(found | (self._overall_scale.variables if self._overall_scale else set()))

    def overall_scale_for(self, category: str | None) -> GradeScale | None:
        """The grades of a total of a unit of this category (its own full marks, see ``totals``)."""
        if category is not None and self._overall_scales:
            found = self._overall_scales.get(normalize_name(category))
            if found is not None:
                return found
        return self._overall_scale

    def total_for(self, category: str | None) -> Number:
        """Full marks for a unit category (``totals``, else ``total``).

        >>> s = Scheme(name="s", basis="points", total=100, categories=["委", "办"], totals={"办": 110},
        ...     groups=[Group(name="g", children=[Indicator(code="1", name="a", score="a",
        ...     weights={"委": 100, "办": 110})])])
        >>> s.total_for("办"), s.total_for("委")
        (Decimal('110'), Decimal('100'))
        """
        if category is not None and self.totals:
            key = normalize_name(category)
            if key in self.totals:
                return self.totals[key]
        return self.total

    @property
    def grades(self) -> tuple[str, ...]:
        """The overall grades, best first (empty when the scheme grades no total)."""
        return self._grade_names

    def overall_names(self) -> frozenset[str]:
        """The names overall grading, caps and quotas may read besides the unit's data."""
        names = {"总分"}
        for _, node in self.paths():
            if isinstance(node, Group):
                names |= {f"{normalize_name(node.name)}得分", f"{normalize_name(node.name)}得分率"}
        for ind in self._leaves:
            names |= {f"指标{ind.code}得分", f"指标{ind.code}得分率", f"指标{ind.code}等次"}
        for grade in {b.name for ind in self._leaves if ind.scale for b in ind.scale.bands} | set(
            self.scores or ()
        ):
            names.add(f"评为{grade}的指标数")
        return frozenset(names)

    def weight_columns(self) -> tuple[str | None, ...]:
        """The categories whose weights are checked (``(None,)`` without categories)."""
        return self.categories or (None,)


def _rebuild_scheme(fields: dict[str, object]) -> Scheme:
    return Scheme(**fields)  # type: ignore[arg-type]


def _score_scale(
    scores: Mapping[str, tuple[Number, Number]],
    full: Number,
    variable: str = "得分",
    *,
    domain: tuple[Number | None, Number | None] | None = None,
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
    return GradeScale(bands=bands, scoring="midpoint", domain=domain or (Decimal(0), full))


def group_paths(scheme: Scheme) -> Sequence[tuple[Group, tuple[Indicator, ...]]]:
    """Every group with its leaves, in order."""
    return [(node, tuple(node.indicators())) for _, node in scheme.paths() if isinstance(node, Group)]
