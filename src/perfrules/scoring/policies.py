"""The policies that change an indicator's score: defaults, adjustments, limits, rounding, zero-rule notes.

Each works on a :class:`~perfrules.scoring.compiled.CompiledIndicator` and the
:class:`~perfrules.scoring.compiled.Scored` record of one unit, in the
indicator's own units, and says in an event what it did. :func:`adjustment`
and :func:`adjust_event` serve the scheme-wide adjustments of the total too.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from .._errors import InvalidValueError, MissingValueError
from .._numbers import Number, as_fraction, exact, round_half_up, tidy_decimal, to_number
from .._words import Words, num
from ..formula.language import Formula, Value
from ..scheme.policies import Adjust, Default
from ..scheme.reads import FULL_NAME
from ..scheme.units import PolicyEvent, Unit
from .compiled import CompiledIndicator, Scored, _close

__all__ = [
    "adjust",
    "adjust_event",
    "adjustment",
    "apply_default",
    "bound",
    "default_score",
    "not_per_period",
    "round_score",
]


def not_per_period(plan: CompiledIndicator, condition: str, target: str, why: str, unit: Unit) -> PolicyEvent:
    """The note for a per-period rule whose condition holds on data given for the whole year."""
    words = plan.words
    if plan.periodic and plan.scheme.periods == "sum" and unit.periods and plan.period_labels(unit):
        # periods = "sum": the periods' data were added up, so no month is scored on its own.
        return PolicyEvent(
            kind="note",
            message=words(
                f"“{condition}”在相加后的数据上成立，但该规则按报送期（当月）适用{why}，"
                f"而本体系将各报送期数据相加后计分：{target} 未计 0 分",
                f"'{condition}' holds on the summed data, but the rule applies to one period's data "
                f"and the scheme adds the periods up: {target} is not zeroed",
            ),
        )
    return PolicyEvent(
        kind="note",
        message=words(
            f"“{condition}”成立，但该规则按报送期（当月）适用{why}，而本单位的数据是全年一行："
            f"{target} 未计 0 分；请按月报送（期间列）以适用该规则",
            f"'{condition}' holds, but the rule applies to one period's data and the unit gives the "
            f"whole year in one row: {target} is not zeroed; give the data per period to apply it",
        ),
    )


def bound(plan: CompiledIndicator, scored: Scored, category: str | None, raw: Number) -> None:
    """Keep a formula's score within 0 and the indicator's ceiling, saying so when it bites."""
    upper, lower = plan.upper(category), plan.lower()
    value = as_fraction(raw)
    if (lower is not None and value < lower) or (upper is not None and value > upper):
        words = plan.words
        capped = value if lower is None else max(value, lower)
        capped = capped if upper is None else min(capped, upper)
        unit = words.points if plan.points else ""
        span = f"{'-∞' if lower is None else num(lower)}–{'∞' if upper is None else num(upper)}"
        scored.events.append(
            PolicyEvent(
                kind="capped",
                message=words(
                    f"得分 {num(raw)}{unit} 超出 {span}{unit}，按 {num(capped)}{unit} 计",
                    f"score {num(raw)} is outside {span}; {num(capped)} is used",
                ),
            )
        )
        scored.score = exact(capped)


def apply_default(
    plan: CompiledIndicator, policy: Default, category: str | None, why: str, values: Mapping[str, Value]
) -> Scored:
    words = plan.words
    score = default_score(plan, policy, category)
    unit = words.points if plan.points else ""
    grade = policy.grade if policy.grade is not None else plan.grade_of_score(score, category)
    if isinstance(policy.score, str):
        how = {
            "midpoint": words("区中值", "the midpoint of its score interval"),
            "top": words("区间上限", "the top of its score interval"),
            "bottom": words("区间下限", "the bottom of its score interval"),
        }[policy.score]
        gives = words(
            f"默认为“{grade}”{how}，得 {num(score)}{unit}",
            f"defaults to '{grade}' at {how}: {num(score)}",
        )
    elif policy.grade is not None:
        gives = words(f"默认为“{grade}”，得 {num(score)}{unit}", f"defaults to '{grade}': {num(score)}")
    else:
        gives = words(f"默认得 {num(score)}{unit}", f"defaults to {num(score)}")
    extra = [t for t in (policy.reason, policy.note) if t]
    tail = ""
    if extra:
        tail = words(f"（{'；'.join(extra)}）", f" ({'; '.join(extra)})")
    message = words(f"{why}，按规定{gives}{tail}", f"{why}, so it {gives}{tail}")
    return Scored(
        value=None,
        grade=grade,
        score=score,
        values=dict(values),
        events=[PolicyEvent(kind="default", message=message)],
    )


def default_score(plan: CompiledIndicator, policy: Default, category: str | None) -> Number:
    if not isinstance(policy.score, str):
        return policy.score
    scale = plan.ind.scale if plan.ind.scale is not None else plan.scheme.score_scale
    assert scale is not None and policy.grade is not None
    if policy.score == "midpoint":
        value = scale.midpoint(policy.grade)
        if scale.effective_scoring == "points" and scale.band(policy.grade).points is not None:
            return value
    else:
        low, high = scale.score_interval(policy.grade)
        value = high if policy.score == "top" else low
    factor = plan.scale_factor(category)
    return value if factor == 1 else exact(as_fraction(value) * factor)


def adjust(
    plan: CompiledIndicator, scored: Scored, env: Mapping[str, object], category: str | None, detail: bool
) -> Scored:
    """Bonuses and deductions in the indicator's own units, then the floor and ceiling."""
    if not plan.adjusts:
        return round_score(plan, scored)
    words = plan.words
    unit = words.points if plan.points else ""
    score = as_fraction(scored.score)
    before = score
    scope = {**env, **scored.values, FULL_NAME: plan.full(category)}
    changed = False
    for policy in plan.adjusts:
        change, parts = adjustment(policy, scope, f"the adjustment of {plan.label}", words, unit)
        if not parts:
            continue
        changed = True
        score += change
        scored.events.append(adjust_event(policy, change, parts, words, unit))
    if not changed:
        return round_score(plan, scored)
    upper, lower = plan.upper(category), plan.lower()
    full_text = num(plan.full(category))
    if lower == 0 and score <= 0 < before:
        # 扣完为止: deductions stop at zero, whether they reach it exactly or pass it.
        shown = f"调整后为 {num(score)}{unit}，" if score < 0 else ""
        scored.events.append(
            PolicyEvent(
                kind="capped" if score < 0 else "adjusted",
                message=words(
                    f"{shown}扣完为止，得 0{unit}（满分 {full_text}{unit}）",
                    f"after adjustments {num(score)}; deductions stop at zero: 0 (full points {full_text})",
                ),
            )
        )
        score = Fraction(0)
    elif (lower is not None and score < lower) or (upper is not None and score > upper):
        below = lower is not None and score < lower
        bound = lower if below else upper
        assert bound is not None
        span = f"{'-∞' if lower is None else num(lower)}–{'∞' if upper is None else num(upper)}"
        scored.events.append(
            PolicyEvent(
                kind="capped",
                message=words(
                    f"调整后为 {num(score)}{unit}，"
                    + (
                        ("扣完为止" if lower == 0 else f"最低 {num(bound)}{unit}")
                        if below
                        else f"以 {num(bound)}{unit} 为限"
                    )
                    + f"，得 {num(bound)}{unit}（满分 {full_text}{unit}）",
                    f"after adjustments the score is {num(score)}; it stays within {span}: "
                    f"{num(bound)} (full points {full_text})",
                ),
            )
        )
        score = bound
    else:
        scored.events.append(
            PolicyEvent(
                kind="adjusted",
                message=words(
                    f"{num(before)}{unit} 调整后得 {num(score)}{unit}（满分 {num(plan.full(category))}{unit}）",
                    f"{num(before)} becomes {num(score)} after adjustments",
                ),
            )
        )
    scored.score = exact(score)
    if plan.ind.scale is None or not plan.ind.scale.is_categorical:
        scored.grade = plan.grade_of_score(scored.score, category)
    return round_score(plan, scored)


def round_score(plan: CompiledIndicator, scored: Scored) -> Scored:
    places = plan.scheme.round_scores
    if places is None:
        return scored
    rounded = tidy_decimal(round_half_up(scored.score, places))
    if rounded != scored.score:
        words = plan.words
        scored.events.append(
            PolicyEvent(
                kind="rounded",
                message=words(
                    f"得分 {num(scored.score)} 四舍五入保留 {places} 位小数为 {num(rounded)}",
                    f"score {num(scored.score)} rounded half up to {places} places: {num(rounded)}",
                ),
            )
        )
        scored.score = rounded
    return scored


def adjustment(
    policy: Adjust, scope: Mapping[str, object], where: str, words: Words, unit: str
) -> tuple[Fraction, list[str]]:
    """The change an adjustment makes and a phrase per counted item (none when nothing counted)."""
    total = Fraction(0)
    parts: list[str] = []
    counts: dict[str, Fraction] = {}
    for name, _ in policy.terms:
        if name not in scope:
            raise MissingValueError(name, where, _close(name, scope))
        counts[name] = as_fraction(to_number(scope[name], name=name))
    matter_of = policy.matter_of if policy.matters else {}
    for name, points in policy.terms:
        count = counts[name]
        if not count:
            continue
        matter = matter_of.get(name)
        if matter is not None:
            # 同一事项按最高级别计一次: only the matter's biggest item the unit has counts, once.
            held = [(n, p) for n, p in policy.terms if matter_of.get(n) == matter and counts[n]]
            top = max(held, key=lambda item: abs(as_fraction(item[1])))
            if top[0] != name:
                continue
            change = as_fraction(points)
            others = [n for n, _ in held if n != name]
            parts.append(
                words(
                    f"同一事项「{matter}」按最高级别计一次：{name} {'加' if change > 0 else '扣'}{num(abs(change))}{unit}"
                    + (f"（{'、'.join(others)} 不另计）" if others else ""),
                    f"one matter '{matter}' counted once at its highest level: {name} {num(change)}"
                    + (f" ({', '.join(others)} not counted)" if others else ""),
                )
            )
            total += change
            continue
        change = count * as_fraction(points)
        total += change
        parts.append(
            words(
                f"{name} {num(count)} × {num(abs(as_fraction(points)))}{unit} = {'加' if change > 0 else '扣'}{num(abs(change))}{unit}",
                f"{name} {num(count)} × {num(points)} = {num(change)}",
            )
        )
    cap = policy.cap
    if isinstance(cap, Formula) and parts:
        found = cap.evaluate(scope)
        if isinstance(found, bool) or as_fraction(found) < 0:
            raise InvalidValueError(f"the cap '{cap.text}' of {where} gave {found!r}; a cap is a number >= 0")
        cap = found
    if cap is not None and not isinstance(cap, Formula) and abs(total) > as_fraction(cap):
        total = as_fraction(cap) if total > 0 else -as_fraction(cap)
        printed = policy.cap.text if isinstance(policy.cap, Formula) else ""
        parts.append(
            words(
                f"{'加' if total > 0 else '扣'}分以 {num(cap)}{unit}"
                + (f"（{printed}）" if printed else "")
                + " 为限",
                f"capped at {num(cap)}" + (f" ({printed})" if printed else ""),
            )
        )
    return total, parts


def adjust_event(policy: Adjust, change: Fraction, parts: list[str], words: Words, unit: str) -> PolicyEvent:
    label = policy.reason or "、".join(name for name, _ in policy.terms)
    verb = words("加" if change > 0 else "扣", "adds" if change > 0 else "takes")
    return PolicyEvent(
        kind="adjust",
        message=words(
            f"{'；'.join(parts)}，共{verb} {num(abs(change))}{unit}（{label}）",
            f"{'; '.join(parts)}: {verb} {num(abs(change))} ({label})",
        ),
    )
