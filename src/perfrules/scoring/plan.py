"""A scheme compiled for scoring: built once per scheme, then only run.

The plan holds each indicator's :class:`~perfrules.scoring.indicator.IndicatorPlan`,
the tree of groups as index lists, each leaf's siblings (for weight that
moves), and each category's weights as exact fractions, so that scoring a
unit does no tree walking or name lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from .._errors import Problem, SchemeError
from .._numbers import Number, as_fraction, exact
from .._words import Words
from ..formula.text import normalize_name
from ..grading.scale import GradeScale
from ..scheme.model import Scheme
from ..scheme.policies import Veto
from ..scheme.reads import indicator_reads, inputs_of, result_names, result_order
from ..scheme.tree import Group, Indicator
from .indicator import IndicatorPlan

__all__ = ["GroupPlan", "Plan", "names_read", "plan_of", "score_names"]

_ONE = Decimal(1)


def _reads(scheme: Scheme) -> frozenset[str]:
    """Every data name any part of the scheme reads (see :func:`names_read`)."""
    names: set[str] = set()
    # Other indicators' results (指标1得分, 指标2·超额点数) are computed, not data.
    results = result_names(scheme.indicators())
    for ind in scheme.indicators():
        # An indicator reads its own local names through its ``inputs`` mapping; what its
        # steps compute (a rate, a rank) is not read from the data.
        names |= {ind.inputs.get(n, n) for n in inputs_of(ind) if n not in results}
        if ind.weight_from is not None:  # the unit's weight for it (weight_from)
            names.add(ind.weight_from)
    for policy in scheme.policies:
        names |= policy.when.variables if isinstance(policy, Veto) else policy.reads - results.keys()
    if scheme.total_formula is not None:
        names |= scheme.total_formula.variables - scheme.overall_names() - results.keys()
    # Overall grading and caps read the unit's data beside what scoring
    # computes (总分, 指标1得分, <组>得分率 …), which no data column supplies.
    graded: set[str] = set()
    for cap in scheme.caps:
        graded |= cap.when.variables
    for flag in scheme.flags:
        graded |= flag.when.variables
    overall = scheme.overall_scale
    if overall is not None:
        graded |= overall.variables
    # Other indicators' steps they read (指标1·完成率) are computed too.
    names |= graded - scheme.overall_names() - results.keys()
    if scheme.roll_up is not None:  # a sub-unit's parent and its weight in the parent's mean
        names.add(scheme.roll_up.parent)
        if scheme.roll_up.weight is not None:
            names.add(scheme.roll_up.weight)
    return frozenset(names)


class GroupPlan:
    """A group of the tree: its name, declared subtotals, and the indicators below it."""

    __slots__ = ("children", "group", "leaves", "name")

    def __init__(self, group: Group, index: Mapping[str, int]) -> None:
        self.group = group
        self.name = group.name
        self.children: tuple[GroupPlan | int, ...] = tuple(
            GroupPlan(c, index) if isinstance(c, Group) else index[c.code] for c in group.children
        )
        self.leaves: tuple[int, ...] = tuple(index[i.code] for i in group.indicators())


class Plan:
    """Everything scoring needs about a scheme, worked out once."""

    def __init__(self, scheme: Scheme) -> None:
        todos = scheme.todos()
        if todos:
            # A draft from `perfrules import`: what it could not read is not guessed at.
            raise SchemeError(
                [Problem(whose, f"todo: {todo}") for whose, todo in todos],
                title=f"'{scheme.name}' is a draft with {len(todos)} todo(s) to write before it can score",
            )
        self.scheme = scheme
        self.words = Words(scheme.language)
        self.reads = _reads(scheme)
        leaves = scheme.indicators()
        self.indicators: tuple[IndicatorPlan, ...] = tuple(
            IndicatorPlan(scheme, i, self.words) for i in leaves
        )
        self.index = {ind.code: k for k, ind in enumerate(leaves)}
        by_name = {normalize_name(ind.name): k for k, ind in enumerate(leaves)}
        self.lookup = {**by_name, **self.index}
        self.groups = tuple(GroupPlan(g, self.index) for g in scheme.groups)
        siblings: dict[int, tuple[int, ...]] = {}
        for _, node in scheme.paths():
            if isinstance(node, Group):
                direct = tuple(self.index[c.code] for c in node.children if isinstance(c, Indicator))
                for k in direct:
                    siblings[k] = direct
        self.siblings = siblings
        columns = scheme.categories or (None,)
        self.weights: dict[str | None, tuple[Fraction, ...]] = {
            c: tuple(as_fraction(i.weight_for(c)) for i in leaves) for c in columns
        }
        # Indicators whose weight each unit's data gives (weight_from): (index, column).
        self.weight_from: tuple[tuple[int, str], ...] = tuple(
            (k, i.weight_from) for k, i in enumerate(leaves) if i.weight_from is not None
        )
        self.full_marks = as_fraction(scheme.total)
        # 分类考核: a category's own full marks (``totals``), where they differ from ``total``.
        self.category_marks: dict[str, Fraction] = {
            c: as_fraction(t) for c, t in scheme.totals.items() if t != scheme.total
        }
        # score × factor is an indicator's contribution: weight / full points,
        # kept as the Decimal 1 for points schemes (factor 1) so that adding
        # up a unit's total is a chain of exact Decimal additions.
        self.factors: dict[str | None, tuple[Number, ...]] = {}
        self.weight_numbers: dict[str | None, tuple[Number, ...]] = {}
        for c in columns:
            row: list[Number] = []
            for k, ind in enumerate(self.indicators):
                full = as_fraction(ind.full(c))
                factor = exact(self.weights[c][k] / full) if full else Decimal(0)
                row.append(_ONE if factor == 1 else factor)
            self.factors[c] = tuple(row)
            self.weight_numbers[c] = tuple(exact(w) for w in self.weights[c])
        self.has_population = any(p.has_population for p in self.indicators)
        # 每期评定等次: results carry each period's total and grade (indicators reported by period).
        self.periodic = scheme.period_grades and any(p.periodic for p in self.indicators)
        # Rules that read other indicators' results: the names each reads, and the order to score in.
        self.results = result_names(leaves)
        self.result_order = result_order(leaves)
        self.result_reads: tuple[frozenset[str], ...] = tuple(
            indicator_reads(p.ind) & self.results.keys() for p in self.indicators
        )
        later: set[str] = set()
        for policy in scheme.policies:
            later |= policy.when.variables if isinstance(policy, Veto) else policy.reads
        if scheme.total_formula is not None:
            later |= scheme.total_formula.variables
        graded = scheme.graded_reads()
        # Overall grading, caps and flags read indicators' scores from the overall scope
        # (overall_scope); the steps they read (指标1·完成率) are worked out as the other rules' are.
        later |= {name for name in graded & self.results.keys() if self.results[name][1] is not None}
        # What scheme-wide adjustments, vetoes, the total formula, overall grading, caps and flags
        # read of the indicators' results: worked out once per unit, whichever rules read them.
        self.total_reads = frozenset(later & self.results.keys())
        overall = scheme.overall_scale
        self.overall = overall
        # Overall grading that reads more than the total needs the unit's
        # group scores and data: worked out only for such schemes.
        self.limits_total = any(cap.max_total is not None for cap in scheme.caps)  # 总分不超过…
        self.rich_overall = (
            bool(scheme.caps)
            or bool(scheme.flags)
            or (overall is not None and (overall.variable != "总分" or overall.levels != {}))
        )
        # Groups that take a weighted geometric or harmonic mean (the total is then worked out by group).
        self.aggregated = any(
            isinstance(node, Group) and node.aggregate != "sum" for _, node in scheme.paths()
        )
        # The column program compiled from this plan (perfrules.scoring.program), when first asked for:
        # None until then, False when a form of the scheme does not compile (program_why says which).
        self.program: object = None
        self.program_why: str | None = None
        # Weights per category and pattern of applicable indicators, filled in by scoring (see _batch).
        # With weights read per unit (weight_from), the unit's weights are part of the key.
        self.weightings: dict[tuple[str | None, tuple[bool, ...], tuple[Fraction, ...] | None], object] = {}
        # Per category, each indicator's (data column, ceiling) when its score is that column as
        # reported, for every unit (see _batch); filled in by scoring.
        self.readers: dict[str | None, tuple[tuple[str, Number] | None, ...]] = {}
        self.no_readers: tuple[None, ...] = (None,) * len(self.indicators)
        self.receivers = {
            k: self.lookup.get(p.moves_to) if p.moves_to is not None else None
            for k, p in enumerate(self.indicators)
        }

    def full_marks_for(self, category: str | None) -> Fraction:
        """Full marks of a unit of this category (``Scheme.totals``, else ``total``)."""
        if category is not None and self.category_marks:
            return self.category_marks.get(normalize_name(category), self.full_marks)
        return self.full_marks

    def overall_for(self, category: str | None) -> GradeScale | None:
        """The grading of a total of a unit of this category (see ``Scheme.overall_scale_for``)."""
        return self.overall if not self.category_marks else self.scheme.overall_scale_for(category)

    def weights_for(self, category: str | None) -> tuple[Fraction, ...]:
        key = category if self.scheme.categories else None
        return self.weights[key]

    def factors_for(self, category: str | None) -> tuple[Number, ...]:
        return self.factors[category if self.scheme.categories else None]

    def weight_numbers_for(self, category: str | None) -> tuple[Number, ...]:
        return self.weight_numbers[category if self.scheme.categories else None]


def score_names(plan: Plan) -> list[tuple[str, GroupPlan | None, tuple[int, ...], bool]]:
    """Each name of a group's or an indicator's score or rate that rules read (``组1得分``,
    ``组1得分率``, ``指标1得分``, ``指标1得分率``), groups first, depth first: the group (None: an
    indicator), the positions of the indicators it adds up, and whether it is the rate."""
    found: list[tuple[str, GroupPlan | None, tuple[int, ...], bool]] = []

    def walk(group: GroupPlan) -> None:
        name = normalize_name(group.name)
        found.extend((f"{name}{suffix}", group, tuple(group.leaves), rate) for suffix, rate in _SUFFIXES)
        for child in group.children:
            if isinstance(child, GroupPlan):
                walk(child)

    for group in plan.groups:
        walk(group)
    for k, ind in enumerate(plan.indicators):
        found.extend((f"指标{ind.code}{suffix}", None, (k,), rate) for suffix, rate in _SUFFIXES)
    return found


_SUFFIXES = (("得分", False), ("得分率", True))


def names_read(scheme: Scheme) -> frozenset[str]:
    """Every name a scheme reads from a unit's data, from every place that reads.

    Indicators (their formulas, steps, values, scales and policies, through
    their ``inputs`` mappings, and the columns weights are read from),
    scheme-wide vetoes and adjustments, caps and the overall grading's
    conditions all count. Names the scheme computes do
    not: what an indicator's steps compute (a rate, a rank), and what overall
    grading reads beside the data (总分, ``指标<code>得分``, ``<组>得分率`` …), and
    other indicators' results that rules read (``指标2·超额点数``).
    The data readers keep exactly these columns (and note the others as left
    out); it is worked out once, with the scheme's compiled plan.

    >>> from perfrules import loads
    >>> scheme = loads('''
    ... name = "示例"
    ... groups = [{ name = "组" }]
    ... [[indicators]]
    ... code = "1"
    ... name = "完成率"
    ... group = "组"
    ... weight = 100
    ... score = "完成数/任务数×100"
    ... [[caps]]
    ... when = "事故数>0 or 总分<60"
    ... grade = "良"
    ... ''', format="toml")
    >>> sorted(names_read(scheme))
    ['事故数', '任务数', '完成数']
    """
    if scheme.todos():
        # A draft cannot be compiled for scoring, but its data can be checked and collected.
        return _reads(scheme)
    return plan_of(scheme).reads


def plan_of(scheme: Scheme) -> Plan:
    """The scheme's plan, compiled the first time it is asked for and kept with the scheme."""
    plan = scheme._compiled
    if isinstance(plan, Plan):
        return plan
    plan = Plan(scheme)
    object.__setattr__(scheme, "_compiled", plan)
    return plan
