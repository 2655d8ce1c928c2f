"""A unit's total and overall grade: weights that move, 折算, bonuses, vetoes, caps, rounding.

Given every indicator's score for one unit, this works out the weight each
indicator actually carries (R5: the weight of one that does not apply moves),
the total (optionally 折算 over the applicable points, R25), scheme-wide
adjustments, vetoes (一票否决), the full-marks cap, rounding (R23), and the
overall grade with its caps (等次最高为合格, R22). Groups that take a mean
of their parts' shares are in ``means``; quotas and ranks need the whole batch
and live in ``population``/``batch``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from .._numbers import Number, as_fraction, exact, round_half_up, tidy_decimal
from .._words import Words, num
from ..scheme.policies import Adjust, Veto
from ..scheme.units import PeriodResult, PeriodTotal, PolicyEvent, Unit
from .plan import GroupPlan, Plan
from .policies import adjust_event, adjustment

__all__ = [
    "bound_total",
    "finish_total",
    "formula_total",
    "grade_total",
    "group_totals",
    "limit_total",
    "marks_event",
    "normalize_event",
    "overall_scope",
    "period_totals",
    "raise_flags",
    "redistribute",
    "veto_event",
]


def redistribute(
    plan: Plan, base: Sequence[Fraction], applicable: Sequence[bool]
) -> tuple[list[Fraction], dict[int, list[PolicyEvent]]]:
    """Move the weight of indicators that do not apply (R5)."""
    words = plan.words
    weights = list(base)
    events: dict[int, list[PolicyEvent]] = {}
    for k, ind in enumerate(plan.indicators):
        if applicable[k] or base[k] == 0:
            continue
        moving = weights[k]
        weights[k] = Fraction(0)
        receiver = plan.receivers.get(k)
        if receiver is not None and applicable[receiver]:
            weights[receiver] += moving
            other = plan.indicators[receiver]
            _note(
                events,
                k,
                "not_applicable",
                words(
                    f"权重 {num(moving)} 调整至 {other.label}",
                    f"its weight {num(moving)} moves to {other.label}",
                ),
            )
            _note(
                events,
                receiver,
                "weight_in",
                words(
                    f"承接 {ind.label} 调整来的权重 {num(moving)}",
                    f"receives the weight {num(moving)} of {ind.label}",
                ),
            )
            continue
        siblings = [s for s in plan.siblings.get(k, ()) if s != k and applicable[s] and weights[s] > 0]
        in_group = bool(siblings)
        if not siblings:
            siblings = [s for s in range(len(weights)) if s != k and applicable[s] and weights[s] > 0]
        share_base = sum((weights[s] for s in siblings), Fraction(0))
        if share_base == 0:
            continue
        for s in siblings:
            weights[s] += moving * weights[s] / share_base
            _note(
                events,
                s,
                "weight_in",
                words(
                    f"按比例承接 {ind.label} 的权重",
                    f"receives a proportional share of the weight of {ind.label}",
                ),
            )
        _note(
            events,
            k,
            "not_applicable",
            words(
                f"权重 {num(moving)} 按比例分配给同组其他指标",
                f"its weight {num(moving)} is spread over the other indicators of its group in proportion",
            )
            if in_group
            else words(
                f"本组没有其他适用指标：权重 {num(moving)} 按比例分配给其余 {len(siblings)} 个适用指标",
                f"no other indicator of its group applies: its weight {num(moving)} is spread over "
                f"the other {len(siblings)} applicable indicators in proportion",
            ),
        )
    return weights, events


def _note(events: dict[int, list[PolicyEvent]], k: int, kind: str, message: str) -> None:
    """Add the event *kind* worded *message* to indicator *k*'s events."""
    events.setdefault(k, []).append(PolicyEvent(kind=kind, message=message))


def veto_event(policy: Veto, where: str, words: Words) -> PolicyEvent:
    effect = {
        "zero": words("总分计 0 分，等次为最低等次", "the total is set to 0 and the grade to the lowest"),
        "lowest_grade": words(
            "等次定为最低等次，得分照常计算，排名列于未被否决的单位之后",
            "the grade drops to the lowest; the total stands; ranked after every unit not vetoed",
        ),
    }[policy.effect]
    reason = policy.reason or policy.when.text
    return PolicyEvent(
        kind="veto",
        message=words(f"一票否决（{where}：{reason}）：{effect}", f"veto ({where}: {reason}): {effect}"),
    )


def formula_total(plan: Plan, scope: Mapping[str, object], events: list[PolicyEvent]) -> Fraction:
    """The total by the scheme's total formula (over subtotals, results and data), with its trail."""
    formula = plan.scheme.total_formula
    assert formula is not None
    words = plan.words
    value = formula.evaluate(scope)
    if isinstance(value, bool):
        from .._errors import InvalidValueError

        raise InvalidValueError(f"the total formula '{formula.text}' gave a truth value")
    total = as_fraction(value)
    shown = formula.show_with(scope, chinese=words.zh)
    events.append(
        PolicyEvent(
            kind="total_formula",
            message=words(
                f"总分按公式计算：{formula.text} = {shown} = {num(total)}",
                f"the total by its formula: {formula.text} = {shown} = {num(total)}",
            ),
        )
    )
    return total


def finish_total(
    plan: Plan,
    unit: Unit,
    total: Fraction,
    *,
    earned: Fraction,
    possible: Fraction,
    zeroed: bool,
    events: list[PolicyEvent],
    results: Mapping[str, object] | None = None,
) -> Number:
    """From the sum of contributions to the reported total.

    In order: 折算 (when the scheme normalises), scheme-wide adjustments,
    a zeroing veto, the floor at 0 and the cap at full marks (unless the
    scheme lets the total pass it), and rounding (四舍五入). ``results`` are the
    indicators' results the scheme-wide adjustments read (指标1得分, 指标2·超额点数).
    """
    scheme = plan.scheme
    words = plan.words
    unit_word = words.points if scheme.basis == "points" else ""
    full_marks = plan.full_marks_for(unit.category)
    if full_marks is not plan.full_marks:
        # 分类考核: say which full marks this unit's total is capped, normalised and graded on.
        events.append(marks_event(plan, unit.category, full_marks))
    if scheme.normalize and possible != full_marks:
        total = Fraction(0) if possible == 0 else earned / possible * full_marks
        events.append(normalize_event(plan, earned, possible, full_marks, total))
    for policy in scheme.policies:
        if isinstance(policy, Adjust):
            scope = unit.data if not results else {**unit.data, **results}
            change, parts = adjustment(policy, scope, "the scheme's adjustment", words, unit_word)
            if parts:
                total += change
                events.append(adjust_event(policy, change, parts, words, unit_word))
    if zeroed:
        total = Fraction(0)
    return bound_total(plan, total, full_marks, events, unit_word)


def marks_event(plan: Plan, category: str | None, full_marks: Fraction) -> PolicyEvent:
    """The note of a unit whose category has full marks of its own (分类考核)."""
    words = plan.words
    unit_word = words.points if plan.scheme.basis == "points" else ""
    return PolicyEvent(
        kind="full_marks",
        message=words(
            f"“{category}”类单位满分 {num(full_marks)}{unit_word}",
            f"category '{category}' has full marks of {num(full_marks)}",
        ),
    )


def normalize_event(
    plan: Plan, earned: Fraction, possible: Fraction, full_marks: Fraction, total: Fraction
) -> PolicyEvent:
    """The note of 折算: what the unit earned over the applicable points, times full marks."""
    words = plan.words
    return PolicyEvent(
        kind="normalize",
        message=words(
            f"折算：实得分之和 {num(earned)} ÷ 适用指标分值之和 {num(possible)} × {num(full_marks)}"
            f" = {num(total)}",
            f"normalised: earned {num(earned)} ÷ applicable points {num(possible)} × "
            f"{num(full_marks)} = {num(total)}",
        ),
    )


def bound_total(
    plan: Plan, total: Fraction, full_marks: Fraction, events: list[PolicyEvent], unit_word: str
) -> Number:
    """The floor at 0 and the cap at full marks (unless the scheme lets the total pass them), then rounding."""
    scheme = plan.scheme
    words = plan.words
    if total < 0 and scheme.floor_total:
        events.append(
            PolicyEvent(
                kind="capped",
                message=words(
                    f"总分 {num(total)} 低于 0，按 0 计", f"the total {num(total)} is below 0; 0 is used"
                ),
            )
        )
        total = Fraction(0)
    if scheme.cap_total and total > full_marks:
        events.append(
            PolicyEvent(
                kind="capped",
                message=words(
                    f"总分 {num(total)}{unit_word} 超过满分，按满分 {num(full_marks)}{unit_word} 计",
                    f"the total {num(total)} is above full marks; {num(full_marks)} is used",
                ),
            )
        )
        total = full_marks
    final = exact(total)
    places = scheme.round_total
    if places is not None:
        rounded = tidy_decimal(round_half_up(final, places))
        if scheme.cap_total and rounded > full_marks:
            # Full marks that are not a multiple of the rounding step (12.5 to whole points): a total
            # rounded up past them takes the largest value within them at that step (12), as the note says.
            scale = 10**places
            within = exact(Fraction(math.floor(full_marks * scale), scale))
            events.append(
                PolicyEvent(
                    kind="rounded",
                    message=words(
                        f"总分 {num(final)} 四舍五入保留 {places} 位小数为 {num(rounded)}，超过满分 "
                        f"{num(full_marks)}{unit_word}，按满分内的 {num(within)}{unit_word} 计",
                        f"the total {num(final)} rounded half up to {places} places is {num(rounded)}, "
                        f"above full marks ({num(full_marks)}); {num(within)}, the most within them, is used",
                    ),
                )
            )
            return within
        if rounded != final:
            events.append(
                PolicyEvent(
                    kind="rounded",
                    message=words(
                        f"总分 {num(final)} 四舍五入保留 {places} 位小数为 {num(rounded)}",
                        f"the total {num(final)} rounded half up to {places} places: {num(rounded)}",
                    ),
                )
            )
        final = rounded
    return final


def period_totals(
    plan: Plan,
    unit: Unit,
    periods: Sequence[Sequence[PeriodResult]],
    scores: Sequence[Number | None],
    grades: Sequence[str | None],
    weights: Sequence[Fraction],
    contribution: Callable[[int, Number], Number],
    possible: Fraction,
    results: Mapping[str, object] | None = None,
) -> tuple[PeriodTotal, ...]:
    """Each period's total and grade, beside the year's (see :class:`~perfrules.PeriodTotal`).

    *periods* holds each indicator's period results (empty for one scored on
    the year), *scores* and *grades* its year's; *contribution* turns indicator
    ``k``'s score into what it adds to the total, with the weights the year uses.
    *results* are the other indicators' steps the grading reads (指标1·完成率), the
    year's: a step read is worked out on the unit's year row, in every period.
    """
    scheme = plan.scheme
    if scheme.total_formula is not None or plan.aggregated:
        return ()  # the total is not a sum of contributions: no period totals
    given = {p.period for found in periods for p in found}
    labels = [label for label in unit.periods if label in given]
    words = plan.words
    unit_word = words.points if scheme.basis == "points" else ""
    category = unit.category
    full_marks = plan.full_marks_for(category)
    out = []
    for label in labels:
        own_scores, own_grades = list(scores), list(grades)
        for k, found in enumerate(periods):
            for p in found:
                if p.period == label:
                    own_scores[k], own_grades[k] = p.score, p.grade
        contributions: list[Number | None] = [
            None if v is None else contribution(k, v) for k, v in enumerate(own_scores)
        ]
        total = sum((as_fraction(c) for c in contributions if c is not None), Fraction(0))
        events: list[PolicyEvent] = []
        if scheme.normalize and possible != full_marks:
            total = Fraction(0) if possible == 0 else total / possible * full_marks
        final = bound_total(plan, total, full_marks, events, unit_word)
        scope = None
        if plan.rich_overall:
            data = {**unit.data, **unit.periods[label]}
            scope = overall_scope(
                plan, attrs.evolve(unit, data=data), final, weights, contributions, own_scores, own_grades
            )
            if results:
                scope.update((name, v) for name, v in results.items() if plan.results[name][1] is not None)
            if plan.limits_total:
                final = limit_total(plan, final, scope, events)
        grade = grade_total(plan, final, scope, events, category)
        out.append(PeriodTotal(period=label, total=final, grade=grade, events=tuple(events)))
    return tuple(out)


def group_totals(
    group: GroupPlan, weights: Sequence[Fraction], contributions: Sequence[Number | None]
) -> tuple[Fraction, Fraction | None]:
    """A group's weight used and what its indicators that apply contributed (None when none does).

    An indicator that does not apply has no contribution (None); its weight has
    moved as the scheme's not-applicable policy moves it — within the group, to
    its siblings, by default — so the group's score is its other indicators'
    contributions, and its 得分率 is over the weight the group now carries. (A
    unit with an indicator that failed has no total, so no scope is made.)
    """
    weight = sum((weights[k] for k in group.leaves), Fraction(0))
    parts = [as_fraction(p) for p in (contributions[k] for k in group.leaves) if p is not None]
    if not parts:
        return weight, None
    return weight, sum(parts, Fraction(0))


def overall_scope(
    plan: Plan,
    unit: Unit,
    total: Number,
    weights: Sequence[Fraction],
    contributions: Sequence[Number | None],
    scores: Sequence[Number | None],
    grades: Sequence[str | None],
    subtotals: Mapping[str, Number] | None = None,
) -> dict[str, object]:
    """What overall grading and caps may read: data, 总分, groups' and indicators' scores."""
    scope: dict[str, object] = dict(unit.data)

    def walk(group: GroupPlan) -> None:
        from ..formula.language import normalize_name

        weight, got = group_totals(group, weights, contributions)
        if subtotals and group.name in subtotals:
            got = as_fraction(subtotals[group.name])
        name = normalize_name(group.name)
        if got is not None:
            scope[f"{name}得分"] = exact(got)
            if weight:
                scope[f"{name}得分率"] = exact(got / weight)
        for child in group.children:
            if isinstance(child, GroupPlan):
                walk(child)

    for group in plan.groups:
        walk(group)
    counts: dict[str, int] = {}
    for k, ind in enumerate(plan.indicators):
        score = scores[k]
        if score is None:
            continue
        scope[f"指标{ind.code}得分"] = score
        full = ind.full(unit.category)
        if full:
            scope[f"指标{ind.code}得分率"] = exact(as_fraction(score) / as_fraction(full))
        grade = grades[k]
        if grade is not None:
            counts[grade] = counts.get(grade, 0) + 1
            scale = ind.ind.scale if ind.ind.scale is not None else plan.scheme.score_scale
            if scale is not None:
                names = [b.name for b in scale.bands]
                if grade in names:
                    scope[f"指标{ind.code}等次"] = Decimal(names.index(grade) + 1)
    for grade in plan.scheme.overall_names():
        if grade.startswith("评为") and grade.endswith("的指标数"):
            scope[grade] = Decimal(counts.get(grade[2:-4], 0))
    scope["总分"] = total
    return scope


def grade_total(
    plan: Plan,
    total: Number,
    scope: Mapping[str, object] | None,
    events: list[PolicyEvent],
    category: str | None = None,
) -> str | None:
    """The overall grade from the total (and, for rich grading, the scope), then the caps.

    ``category`` is the unit's: a category with its own full marks has its own default grading.
    """
    scale = plan.overall_for(category)
    if scale is None:
        return None
    words = plan.words
    if scope is None:
        grade = scale.classify_number(total)  # the total is exact and within the limits already
    else:
        # Grading that reads more than the total says which condition decided it.
        graded = scale.grade(scope)
        grade = graded.grade
        if graded.condition is not None:
            events.append(
                PolicyEvent(
                    kind="grade",
                    message=words(
                        f"总体等次：条件“{graded.condition.expression}”成立，评为“{grade}”",
                        f"overall grade: '{graded.condition.expression}' holds, so '{grade}'",
                    ),
                )
            )
    grades = plan.scheme.grades
    for cap in plan.scheme.caps:
        assert scope is not None
        if (cap.grade is None and not cap.demote) or cap.when.evaluate(scope) is not True:
            continue
        reason = cap.reason or cap.when.text
        if cap.demote and grade in grades:
            lower = grades[min(len(grades) - 1, grades.index(grade) + cap.demote)]
            if lower != grade:
                events.append(
                    PolicyEvent(
                        kind="grade_cap",
                        message=words(
                            f"{reason}：等次由“{grade}”降为“{lower}”"
                            if cap.reason
                            else f"{reason}：降{_chinese_count(cap.demote)}等次，由“{grade}”降为“{lower}”",
                            f"{reason}: {cap.demote} grade(s) down, from '{grade}' to '{lower}'",
                        ),
                    )
                )
                grade = lower
        if cap.grade is not None and grades.index(grade) < grades.index(cap.grade):
            events.append(
                PolicyEvent(
                    kind="grade_cap",
                    message=words(
                        f"{reason}：等次最高为“{cap.grade}”（原为“{grade}”）",
                        f"{reason}: the grade can be at best '{cap.grade}' (was '{grade}')",
                    ),
                )
            )
            grade = cap.grade
    return grade


def raise_flags(plan: Plan, scope: Mapping[str, object], events: list[PolicyEvent]) -> tuple[str, ...]:
    """The labels whose condition holds (不能评先, 黄牌), in the scheme's order; the grade is untouched."""
    words = plan.words
    labels: list[str] = []
    for flag in plan.scheme.flags:
        if flag.when.evaluate(scope) is True and flag.label not in labels:
            labels.append(flag.label)
            reason = flag.reason or flag.when.text
            events.append(
                PolicyEvent(
                    kind="flag",
                    message=words(f"{reason}：标记“{flag.label}”", f"{reason}: flagged '{flag.label}'"),
                )
            )
    return tuple(labels)


def _chinese_count(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def limit_total(plan: Plan, total: Number, scope: dict[str, object], events: list[PolicyEvent]) -> Number:
    """Caps with ``max_total`` (总分不超过C级最高限): the total at most their limit when they hold.

    Runs before the total is graded and ranked; ``scope`` (what caps read)
    takes the limited 总分, so grading sees the total that is reported.
    """
    words = plan.words
    unit_word = words.points if plan.scheme.basis == "points" else ""
    for cap in plan.scheme.caps:
        if cap.max_total is None or total <= cap.max_total:
            continue
        if cap.when.evaluate(scope) is True:
            reason = cap.reason or cap.when.text
            events.append(
                PolicyEvent(
                    kind="capped",
                    message=words(
                        f"{reason}：总分 {num(total)}{unit_word} 不超过 {num(cap.max_total)}{unit_word}，"
                        f"按 {num(cap.max_total)}{unit_word} 计",
                        f"{reason}: the total {num(total)} may be at most {num(cap.max_total)}; "
                        f"{num(cap.max_total)} is used",
                    ),
                )
            )
            total = cap.max_total
            scope["总分"] = total
    return total
