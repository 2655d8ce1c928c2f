"""The validation of a whole scheme, as the mixin :class:`SchemeChecks` that ``Scheme`` inherits.

Each ``_check_*`` method yields every :class:`Problem` it finds, with its path;
building a ``Scheme`` runs them and raises one :class:`SchemeError` for all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal

from .._errors import Problem
from .._numbers import Number, as_fraction
from .._todo import Todo
from ..formula.language import Formula, normalize_name
from ..grading.scale import DEFAULT_SCORES, GradeBand, GradeScale
from .history import HistoryName, check_history
from .overall import Flag, GradeCap, Quota, RollUp
from .policies import Adjust, Default, NotApplicable, Veto, ZeroWhen
from .reads import (
    _check_missing_names,
    _check_population,
    _check_result_reads,
    _check_step_cycles,
    check_rule_step_reads,
    check_step_read,
    check_word_part,
    indicator_reads,
    inputs_of,
    is_result_name,
)
from .steps import Part, PeerRatio, Rank, step_target
from .tree import Group, Indicator, _show

_INDICATOR_NAME: Final = re.compile(r"指标([0-9A-Za-z][0-9A-Za-z.\-]*?)(得分率|得分|等次)")


class SchemeChecks:
    """The ``_check_*`` methods of :class:`~perfrules.Scheme`, which reads its own fields through them."""

    __slots__ = ()

    # The scheme's fields and state the checks read (declared here for the type checker).
    name: str
    groups: tuple[Group, ...]
    basis: Literal["percent", "points"]
    total: Number
    totals: Mapping[str, Number]
    categories: tuple[str, ...]
    scores: Mapping[str, tuple[Number, Number]] | None
    overall: GradeScale | None
    caps: tuple[GradeCap, ...]
    quotas: tuple[Quota, ...]
    periods: Literal["mean", "sum", "last"]
    period_grades: bool
    policies: tuple[Veto | Adjust, ...]
    cap_total: bool
    floor_total: bool
    normalize: bool
    language: Literal["zh", "en"]
    rank_within: Literal["all", "category"]
    todo: tuple[Todo, ...]
    total_formula: Formula | None
    flags: tuple[Flag, ...]
    parameters: Mapping[str, Mapping[str, Number]]
    roll_up: RollUp | None
    history: Mapping[str, HistoryName]
    _score_scale: GradeScale | None
    _overall_scale: GradeScale | None
    _leaves: tuple[Indicator, ...]

    if TYPE_CHECKING:

        def indicators(self) -> tuple[Indicator, ...]: ...
        def paths(self) -> Iterator[tuple[str, Group | Indicator]]: ...
        def total_for(self, category: str | None) -> Number: ...
        def overall_names(self) -> frozenset[str]: ...
        def graded_reads(self) -> frozenset[str]: ...
        def weight_columns(self) -> tuple[str | None, ...]: ...
        @property
        def grades(self) -> tuple[str, ...]: ...

    def _check_roll_up(self) -> Iterator[Problem]:
        roll_up = self.roll_up
        if roll_up is None:
            return
        if not roll_up.parent:
            yield Problem("roll_up.parent", "name the data column that names each unit's parent (上级单位)")
        if roll_up.weight is not None and roll_up.weight == roll_up.parent:
            yield Problem(
                "roll_up.weight",
                f"'{roll_up.weight}' is the parent column too; name the column of weights (人口), "
                "or leave out 'weight' for the plain mean",
            )
        for ind in self.indicators():
            if roll_up.parent in {ind.inputs.get(n, n) for n in inputs_of(ind)}:
                yield Problem(
                    "roll_up.parent",
                    f"'{roll_up.parent}' names each unit's parent, but indicator {ind.label} reads it "
                    "as data; name another column for the parent",
                )

    def _check(self) -> Iterator[Problem]:
        yield from _choice("basis", self.basis, ("percent", "points"))
        yield from _choice("periods", self.periods, ("mean", "sum", "last"))
        yield from _choice("rank_within", self.rank_within, ("all", "category"))
        yield from _choice("language", self.language, ("zh", "en"))
        yield from self._check_roll_up()
        for i, veto_or_adjust in enumerate(self.policies):
            if isinstance(veto_or_adjust, Veto):
                yield from _choice(f"policies[{i}].effect", veto_or_adjust.effect, ("zero", "lowest_grade"))
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
        names = {ind.code for _, ind in leaves} | {normalize_name(ind.name) for _, ind in leaves}
        yield from self._check_per_category(leaves)
        yield from self._check_period_grades(leaves)
        for category in self.weight_columns():
            yield from self._check_weights(category)
        yield from self._check_weight_from(leaves)
        for path, ind in leaves:
            yield from self._check_indicator(path, ind, names)
        yield from _check_result_reads(leaves)
        rules: list[tuple[str, Iterable[str]]] = [
            (f"policies[{i}]", p.when.variables if isinstance(p, Veto) else p.reads)
            for i, p in enumerate(self.policies)
        ]
        if self.total_formula is not None:
            rules.append(("total_formula", self.total_formula.variables))
        yield from check_rule_step_reads(leaves, rules)
        for path, node in self.paths():
            if isinstance(node, Group) and not node.children:
                yield Problem(path, f"group '{node.name}' has no indicators")
            if isinstance(node, Group):
                yield from _check_aggregate(path, node)
                if node.weight is not None and node.weight <= 0:
                    yield Problem(
                        f"{path}.weight", f"a group's weight must be more than 0 (got {_show(node.weight)})"
                    )
                elif node.weight is not None and not any(
                    i.weight or any(i.weights.values()) for i in node.indicators()
                ):
                    yield Problem(
                        f"{path}.weight",
                        f"group '{node.name}' has a weight but its indicators weigh nothing to share it out",
                    )

    def _check_period_grades(self, leaves: Sequence[tuple[str, Indicator]]) -> Iterator[Problem]:
        """A grade per period needs period scores, and a total that is their weighted sum."""
        if not self.period_grades:
            return
        if not any(ind.frequency not in (None, "yearly") for _, ind in leaves):
            yield Problem(
                "period_grades",
                "no indicator is reported by period: give the indicators reported by quarter or month "
                "a 'frequency' (季度, 月度 …)",
            )
        if self.periods == "sum":
            yield Problem(
                "period_grades",
                'with periods = "sum" the periods\' data are added up and scored once, so there are no '
                'period scores to grade; use periods = "mean" (or "last")',
            )
        if self.total_formula is not None:
            yield Problem(
                "period_grades", "a total formula makes the year's total only; it has no period totals"
            )
        for path, node in self.paths():
            if isinstance(node, Group) and node.aggregate != "sum":
                yield Problem(
                    "period_grades",
                    f"group '{node.name}' takes a {node.aggregate} mean; period totals are weighted "
                    f"sums only ({path}.aggregate)",
                )

    def _check_per_category(self, leaves: Sequence[tuple[str, Indicator]]) -> Iterator[Problem]:
        """``totals`` and each indicator's ``fulls`` name declared categories and are more than 0."""
        tables: list[tuple[str, Mapping[str, Number]]] = [("totals", self.totals)]
        tables += [(f"{path}.fulls", ind.fulls) for path, ind in leaves]
        for where, table in tables:
            if table and not self.categories:
                yield Problem(
                    where,
                    f"'{where.rsplit('.', 1)[-1]}' gives values per unit category, but the scheme has no "
                    "'categories'; declare them, or give one value",
                )
                continue
            for key, value in table.items():
                if key not in self.categories:
                    close = difflib.get_close_matches(key, self.categories, n=1, cutoff=0.3)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    yield Problem(
                        f"{where}.{key}",
                        f"unknown category '{key}' (categories: {', '.join(self.categories)}){hint}",
                    )
                elif value <= 0:
                    yield Problem(f"{where}.{key}", f"must be more than 0 (got {_show(value)})")

    def _check_weights(self, category: str | None) -> Iterator[Problem]:
        column = f"weights[{category}]" if category else "weights"
        first = self.weight_columns()[0]
        known = frozenset(self.categories)
        leaves = self.indicators()
        if any(t.about == "weight" for t in self.todo) or any(
            t.about == "weight" for i in leaves for t in i.todo
        ):
            return  # a draft whose weights are still to be written: its todos say so
        total = sum((as_fraction(i.weight_for(category)) for i in leaves), start=as_fraction(0))
        unit = "%" if self.basis == "percent" else "分"
        full = self.total_for(category)
        from_data = [i for i in leaves if i.weight_from is not None]
        if from_data:
            # Weights read per unit (weight_from): each unit's weights are checked when it is scored.
            if total > as_fraction(full):
                yield Problem(
                    column,
                    f"the fixed indicator weights add up to {_show(total)}{unit}, more than "
                    f"{_show(full)}{unit}"
                    + (f" for category '{category}'" if category else "")
                    + f", before the weights read per unit ({from_data[0].label}: weight_from)",
                )
        elif total != as_fraction(full):
            yield Problem(
                column,
                f"indicator weights add up to {_show(total)}{unit}, not {_show(full)}{unit}"
                + (f" for category '{category}'" if category else "")
                + (
                    f" (its full marks: totals.{category})"
                    if category is not None and category in self.totals
                    else f"; if '{category}' units have full marks of their own, give totals.{category} = "
                    f"{_show(total)}"
                    if category is not None and total > 0
                    else ""
                ),
            )
        for path, node in self.paths():
            if not isinstance(node, Group):
                continue
            declared = node.declared_for(category)
            if declared is None:
                continue
            read = next((i for i in node.indicators() if i.weight_from is not None), None)
            if read is not None:
                if category == first:
                    yield Problem(
                        f"{path}.declared",
                        f"group '{node.name}' declares a subtotal, but the weight of {read.label} is read "
                        f'per unit (weight_from = "{read.weight_from}"); leave the subtotal out',
                    )
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
                if category == first:  # once, not once per category
                    for key in node.weights:
                        if known and key not in known:
                            yield Problem(
                                f"{path}.weights",
                                f"unknown category '{key}' (categories: {', '.join(self.categories)})",
                            )
                w = node.weight_for(category)
                if w < 0:
                    yield Problem(f"{path}.weight", f"weight {_show(w)} is negative")
        return

    def _check_weight_from(self, leaves: Sequence[tuple[str, Indicator]]) -> Iterator[Problem]:
        """Weights read per unit: one column per indicator, holding nothing but the weight."""
        if not any(ind.weight_from is not None for _, ind in leaves):
            return
        inputs: dict[str, str] = {}
        for _, ind in leaves:
            for name in indicator_reads(ind):
                inputs.setdefault(ind.inputs.get(name, name), ind.label)
        computed = self.overall_names()
        columns: dict[str, str] = {}
        for path, ind in leaves:
            column = ind.weight_from
            if column is None:
                continue
            where = f"{path}.weight_from"
            if ind.weight is not None or ind.weights:
                yield Problem(
                    where,
                    "the weight is read per unit from the data; leave out 'weight' and 'weights' "
                    "(or give the weight and leave out 'weight_from')",
                )
            if self.basis == "points" and ind.full is None and not ind.fulls:
                yield Problem(
                    where,
                    "in a points scheme an indicator whose points are read per unit needs 'full': the "
                    "points its own score is reported out of (it counts score / full × the unit's points)",
                )
            if column in columns:
                yield Problem(where, f"column '{column}' is already indicator {columns[column]}'s weight")
            columns.setdefault(column, ind.label)
            if column in inputs:
                yield Problem(
                    where,
                    f"column '{column}' is read by the rules of indicator {inputs[column]}; a weight column "
                    "holds only the unit's weight (name the weight column apart)",
                )
            elif column in computed or is_result_name(column):
                yield Problem(where, f"'{column}' is a result scoring computes, not a data column")
        for path, node in self.paths():
            if isinstance(node, Group) and node.weight is not None:
                read = next((i for i in node.indicators() if i.weight_from is not None), None)
                if read is not None:
                    yield Problem(
                        f"{path}.weight",
                        f"group '{node.name}' has a weight to share out, but the weight of {read.label} "
                        "is read per unit (weight_from); give the group no weight",
                    )

    def _check_indicator(self, path: str, ind: Indicator, names: set[str]) -> Iterator[Problem]:
        targets: dict[str, int] = {}
        for k, step in enumerate(ind.steps):
            target = step_target(step)
            if target in targets:
                yield Problem(
                    f"{path}.steps[{k}]", f"'{target}' is computed twice (also steps[{targets[target]}])"
                )
            targets.setdefault(target, k)
            if isinstance(step, Part) and step.scale.is_categorical:
                yield from check_word_part(f"{path}.steps[{k}]", step, target, targets)
            if isinstance(step, Part) and step.scale.effective_scoring == "none":
                yield Problem(
                    f"{path}.steps[{k}].scale", "a part's scale must give scores (not scoring='none')"
                )
            if isinstance(step, Rank):
                yield from _choice(f"{path}.steps[{k}].order", step.order, ("desc", "asc"))
                yield from _choice(f"{path}.steps[{k}].within", step.within, ("all", "category"))
                yield from _choice(f"{path}.steps[{k}].ties", step.ties, ("min", "average", "dense"))
                yield from _choice(f"{path}.steps[{k}].vacated", step.vacated, ("pass_down", "lapse"))
                if step.vacated != "pass_down" and step.when is None:
                    yield Problem(
                        f"{path}.steps[{k}].vacated",
                        "only a rank with 'when' leaves places vacant: add the condition units must meet",
                    )
            if isinstance(step, PeerRatio):
                yield from _choice(f"{path}.steps[{k}].within", step.within, ("all", "category"))
                if not isinstance(step.pooled, bool):
                    yield Problem(f"{path}.steps[{k}].pooled", f"must be true or false (got {step.pooled!r})")
        yield from _choice(f"{path}.within", ind.within, ("all", "category"))
        if isinstance(ind.max_score, Decimal | int) and ind.max_score < 0:
            yield Problem(f"{path}.max_score", f"must be >= 0 (got {_show(ind.max_score)})")
        if ind.min_score != "none" and ind.max_score not in (None, "none") and ind.min_score > ind.max_score:  # type: ignore[operator]
            yield Problem(
                f"{path}.min_score",
                f"is above max_score ({_show(ind.min_score)} > {_show(ind.max_score)})",  # type: ignore[arg-type]
            )
        if ind.full is not None and ind.full <= 0:
            yield Problem(f"{path}.full", f"must be more than 0 (got {_show(ind.full)})")
        if ind.scale is not None and ind.scale.effective_scoring == "none":
            yield Problem(f"{path}.scale", "an indicator's scale must give scores (not scoring='none')")
        yield from _check_population(path, ind)
        yield from _check_step_cycles(path, ind)
        if ind.scale is None and ind.score is None and not ind.todo:
            yield Problem(
                path, f"indicator {ind.label} has no way to be scored: give it a scale or a score formula"
            )
        if ind.scale is not None and ind.score is not None:
            yield Problem(path, f"indicator {ind.label} has both a scale and a score formula; keep one")
        if ind.score is not None and ind.score.gives_truth:  # (every unit's score would be that error)
            yield Problem(
                f"{path}.score", f"the score formula of {ind.label} gives a truth value, not a score"
            )
        if ind.scale is not None:
            for i, band in enumerate(ind.scale.bands):
                # The scale's own `scores`, when it was given some, count as much as the scheme's.
                own = ind.scale.scores if dict(ind.scale.scores) != dict(DEFAULT_SCORES) else {}
                known = {**(self.scores or {}), **own}
                if band.name not in known and band.score is None and band.points is None:
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
                elif policy.to in (ind.code, normalize_name(ind.name)):
                    yield Problem(f"{where}.to", "an indicator cannot move its weight to itself")
            if isinstance(policy, NotApplicable) and isinstance(policy.missing, tuple):
                yield from _check_missing_names(f"{where}.missing", ind, policy.missing)
            if isinstance(policy, Default):
                grades = ind.scale.bands if ind.scale is not None else self._score_bands()
                if policy.grade is None:
                    if isinstance(policy.score, str):
                        yield Problem(
                            f"{where}.grade", f"a default needs a grade, or a score as a number ({ind.label})"
                        )
                elif policy.grade not in {b.name for b in grades}:
                    shown = ", ".join(b.name for b in grades) or "it has no grades; give a score instead"
                    yield Problem(
                        f"{where}.grade",
                        f"default grade '{policy.grade}' is not a grade of {ind.label} ({shown})",
                    )
                if isinstance(policy.score, str):
                    yield from _choice(f"{where}.score", policy.score, ("midpoint", "top", "bottom"))
            if isinstance(policy, ZeroWhen) and policy.target is not None and policy.target not in targets:
                yield Problem(f"{where}.target", f"no step computes '{policy.target}' in {ind.label}")
            if isinstance(policy, Veto):
                yield from _choice(f"{where}.effect", policy.effect, ("zero", "lowest_grade"))

    def _score_bands(self) -> tuple[GradeBand, ...]:
        return tuple(GradeBand(name=name, conditions=["得分>=0"]) for name in self.scores or {})

    def _check_overall_names(self) -> Iterator[Problem]:
        """Names like 指标12等次 or 指标1·完成率 in overall conditions, caps and flags must name an indicator
        (and step) that has them: computed, not data, a typo or a grade never given could only fail every
        unit when scored; say so now (a step over all units too: check_rule_step_reads)."""
        conditions: list[tuple[str, Formula]] = [
            (f"caps[{i}].when", cap.when) for i, cap in enumerate(self.caps)
        ] + [(f"flags[{i}].when", flag.when) for i, flag in enumerate(self.flags)]
        if self.overall is not None:
            for i, band in enumerate(self.overall.bands):
                conditions += [(f"overall.bands[{i}]", c) for c in band.conditions]
        codes = {ind.code: ind for ind in self._leaves}
        leaves = [("", ind) for ind in self._leaves]  # (the total formula's: with the policies, above)
        yield from check_rule_step_reads(leaves, [(path, c.variables) for path, c in conditions])
        if self.total_formula is not None:
            conditions.append(("total_formula", self.total_formula))
        for path, condition in conditions:
            for name in sorted(condition.variables):
                yield from check_step_read(path, name, codes)  # (指标1·完成率: a step of indicator 1)
                if path == "total_formula":
                    continue  # (its other names are checked with the formula: _check_total_formula)
                match = _INDICATOR_NAME.fullmatch(name)
                if match is None:
                    continue
                code, what = match.group(1), match.group(2)
                ind = codes.get(code)
                if ind is None:
                    close = difflib.get_close_matches(code, list(codes), n=1)
                    hint = f"; did you mean 指标{close[0]}{what}?" if close else ""
                    yield Problem(path, f"'{name}' names no indicator (no code '{code}'){hint}")
                elif what == "等次" and ind.scale is None and self._score_scale is None:
                    yield Problem(
                        path,
                        f"'{name}': indicator {ind.label} has no grades (give the scheme 'scores', "
                        "or read its 得分 or 得分率 instead)",
                    )

    def _check_parameters(self) -> Iterator[Problem]:
        """Every per-unit constant is read by something (a misspelt name would never be used)."""
        reads: set[str] = set()
        for ind in self._leaves:
            reads |= {ind.inputs.get(n, n) for n in inputs_of(ind)}
            if ind.weight_from is not None:  # a weight per unit, read from the table
                reads.add(ind.weight_from)
        for policy in self.policies:
            reads |= policy.when.variables if isinstance(policy, Veto) else policy.reads
        reads |= self.graded_reads()
        for name in self.parameters:
            if name not in reads:
                close = difflib.get_close_matches(name, sorted(reads), n=1, cutoff=0.4)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                yield Problem(f"parameters.{name}", f"no formula or condition reads '{name}'{hint}")
        yield from check_history(self.history, self.parameters, reads)

    def _check_overall(self) -> Iterator[Problem]:
        """Caps and quotas name grades of the overall grading, which must exist for them."""
        yield from self._check_parameters()
        yield from self._check_overall_names()
        grades = list(self.grades)
        grading_caps = [c for c in self.caps if c.grade is not None or c.demote]
        if (grading_caps or self.quotas) and not grades:
            yield Problem("overall", "caps and quotas need an overall grading (give 'overall' or 'scores')")
            return
        for i, cap in enumerate(self.caps):
            yield from self._check_cap_total(i, cap)
            if cap.grade is not None and cap.grade not in grades:
                yield Problem(
                    f"caps[{i}].grade", f"'{cap.grade}' is not an overall grade ({', '.join(grades)})"
                )
        for i, quota in enumerate(self.quotas):
            where = f"quotas[{i}]"
            yield from _choice(f"{where}.rounding", quota.rounding, ("floor", "ceil", "round"))
            yield from _choice(f"{where}.ties", quota.ties, ("exclude", "include"))
            yield from _choice(f"{where}.within", quota.within, ("all", "category"))
            if quota.grade not in grades:
                yield Problem(
                    f"{where}.grade", f"'{quota.grade}' is not an overall grade ({', '.join(grades)})"
                )
                continue
            if (quota.share is None) == (quota.count is None):
                yield Problem(where, "give the limit as 'share' (0.3 or \"30%\") or as 'count', not both")
            if quota.share is not None and not 0 < quota.share <= 1:
                yield Problem(
                    f"{where}.share", f"must be more than 0 and at most 1 (got {_show(quota.share)})"
                )
            if quota.count is not None and quota.count < 0:
                yield Problem(f"{where}.count", f"must be >= 0 (got {quota.count})")
            overflow = quota.overflow
            if overflow is not None:
                if overflow not in grades:
                    yield Problem(
                        f"{where}.overflow", f"'{overflow}' is not an overall grade ({', '.join(grades)})"
                    )
                elif grades.index(overflow) <= grades.index(quota.grade):
                    yield Problem(f"{where}.overflow", f"'{overflow}' is not below '{quota.grade}'")
            elif grades.index(quota.grade) == len(grades) - 1:
                yield Problem(
                    f"{where}.overflow", f"'{quota.grade}' is the lowest grade; name the overflow grade"
                )

    def _check_total_formula(self) -> Iterator[Problem]:
        """A total formula reads subtotals, results and data; it cannot read the 总分 it gives."""
        formula = self.total_formula
        if formula is None:
            return
        if self.normalize:
            yield Problem(
                "total_formula",
                "a total formula and normalize (折算) both say how the total is made; keep one",
            )
        if "总分" in formula.variables:
            yield Problem(
                "total_formula",
                "the total formula gives 总分 and cannot read it; add up the groups' subtotals "
                "(<组>得分) instead",
            )
        if formula.population_calls:
            yield Problem("total_formula", "a total formula cannot take values over all units (max_of …)")
        codes = {ind.code: ind for ind in self._leaves}
        for name in sorted(formula.variables):
            match = _INDICATOR_NAME.fullmatch(name)
            if match is not None and match.group(1) not in codes:
                close = difflib.get_close_matches(match.group(1), list(codes), n=1)
                hint = f"; did you mean 指标{close[0]}{match.group(2)}?" if close else ""
                yield Problem(
                    "total_formula", f"'{name}' names no indicator (no code '{match.group(1)}'){hint}"
                )

    def _check_cap_total(self, i: int, cap: GradeCap) -> Iterator[Problem]:
        """A cap's ``max_total`` lies within the total's limits, and a demotion can move a grade."""
        if cap.max_total is not None:
            top = max((self.total, *self.totals.values()))
            if cap.max_total > top and self.cap_total:
                yield Problem(
                    f"caps[{i}].max_total",
                    f"{_show(cap.max_total)} is above full marks ({_show(top)}); it would never limit",
                )
            if cap.max_total < 0 and self.floor_total:
                yield Problem(f"caps[{i}].max_total", f"must be >= 0 (got {_show(cap.max_total)})")
        if cap.demote and len(self.grades) < 2:
            yield Problem(f"caps[{i}].demote", "there is no lower grade to move to")


def _check_aggregate(path: str, group: Group) -> Iterator[Problem]:
    """A group's mean: a known kind, with places where its value is irrational."""
    yield from _choice(f"{path}.aggregate", group.aggregate, ("sum", "geometric", "harmonic"))
    if group.aggregate == "geometric" and group.places is None:
        yield Problem(
            f"{path}.places",
            f"group '{group.name}': a weighted geometric mean is generally irrational; give 'places', "
            "the decimal places its subtotal is rounded to (e.g. places = 4)",
        )
    if group.places is not None and group.aggregate == "sum":
        yield Problem(
            f"{path}.places",
            f"group '{group.name}' adds its parts up exactly; 'places' is for aggregate = "
            "'geometric' or 'harmonic' (round_scores and round_total round sums)",
        )


def _choice(path: str, value: object, options: Sequence[str]) -> Iterator[Problem]:
    """A setting with a fixed set of values: anything else is a problem, with a did-you-mean."""
    if isinstance(value, str) and value in options:
        return
    close = difflib.get_close_matches(str(value), list(options), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    yield Problem(path, f"must be one of {', '.join(repr(o) for o in options)} (got {value!r}){hint}")
