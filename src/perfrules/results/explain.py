"""Explanations: one unit's whole scoring trail in plain language (中文 or English).

Built on demand from a :class:`~perfrules.UnitResult`: every group with its
weight and subtotal, every indicator with its data, each formula with the
numbers put in, its grade, its score in the scheme's units (分 in a points
scheme: “扣10分，扣完为止，得0分（满分20分）”), every policy that fired, and
the unit-level events (vetoes, caps, rounding, quotas).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

from .._words import Words, num, pct
from ..grading.scale import GradeResult
from ..scheme.units import Computation

if TYPE_CHECKING:
    from .model import GroupResult, IndicatorResult, UnitResult


@runtime_checkable
class IndicatorLike(Protocol):
    """What explanations need of an indicator result (no import of the result types at run time)."""

    code: str


__all__ = ["STAND_IN_MARK", "explain_unit"]

STAND_IN_MARK = ("示例规则（原文未给出）", "stand-in (not in the source)")
"""How explanations mark a rule that is a stand-in, not the published one."""


def _explain_grading(grading: GradeResult, words: Words, unit: str) -> str:
    if grading.condition is None and grading.scoring == "points":
        return words(
            f"等次“{grading.grade}”对应 {num(grading.score)}{unit}",
            f"grade '{grading.grade}' is worth {num(grading.score)}",
        )
    if grading.interval is not None:
        place = words(
            f"落在“{grading.grade}”档 {grading.interval}", f"falls in '{grading.grade}' {grading.interval}"
        )
        lo, hi = grading.score_interval or (Decimal(0), Decimal(0))
        if grading.scoring == "interpolate" and grading.position is not None:
            how = words(
                f"位于该档 {pct(grading.position)} 处，按线性插值在 {num(lo)}–{num(hi)} 之间得 {num(grading.score)}",
                f"{pct(grading.position)} of the way through the band, interpolated on "
                f"{num(lo)}–{num(hi)}: {num(grading.score)}",
            )
        elif grading.scoring == "interpolate" and grading.interval.is_point:
            how = words(
                f"单值档取该等次上限 {num(grading.score)}",
                f"a single-value band scores the top of its interval: {num(grading.score)}",
            )
        elif grading.scoring == "interpolate":
            how = words(
                f"两端均为较差等次的最优档，取该等次上限 {num(grading.score)}",
                f"the best band of a two-sided scale scores the top of its interval: {num(grading.score)}",
            )
        elif grading.scoring == "points":
            how = words(f"得 {num(grading.score)}{unit}", f"worth {num(grading.score)}")
        else:
            how = words(
                f"取区中值 {num(grading.score)}（{num(lo)}–{num(hi)}）",
                f"scores the midpoint {num(grading.score)} of {num(lo)}–{num(hi)}",
            )
        return f"{place}，{how}" if words.zh else f"{place}; {how}"
    cond = grading.condition.expression if grading.condition is not None else ""
    text = words(f"条件“{cond}”成立，评为“{grading.grade}”", f"'{cond}' holds: '{grading.grade}'")
    if len(grading.matched) > 1:
        text += words(
            f"（同时满足 {'、'.join(grading.matched)}，按规则取“{grading.grade}”）",
            f" ({', '.join(grading.matched)} all hold; the policy picks '{grading.grade}')",
        )
    if grading.score is None:
        return text
    return text + words(f"，得 {num(grading.score)}", f"; score {num(grading.score)}")


def _show(value: object, words: Words | None = None) -> str:
    """A value as the trail prints it: exact numbers tidy, truth values in words (是/否, yes/no), never a repr."""
    if isinstance(value, bool):
        if words is None:
            return "是" if value else "否"
        return words("是" if value else "否", "yes" if value else "no")
    if value is None:
        return "—"
    if isinstance(value, Decimal | Fraction | int):
        return num(value)
    return str(value)


def explain_unit(result: UnitResult) -> str:
    """The whole trail of one unit's result, as lines of text."""
    words = Words(result.language)
    unit = words.points if result.points else ""
    lines: list[str] = []
    category = ""
    if result.category:
        category = f"（{result.category}）" if words.zh else f" ({result.category})"
    if result.total is not None:
        grade = (
            words(f"，等次“{result.grade}”", f", grade '{result.grade}'") if result.grade is not None else ""
        )
        if result.flags:
            grade += words(f"（{'、'.join(result.flags)}）", f" ({', '.join(result.flags)})")
        if result.rank_within == "category" and result.category and result.category_rank is not None:
            # 分类评估: the rank that counts is the one within the category.
            place = words(
                f"在“{result.category}”类中排名第 {result.category_rank} 名（总排名第 {result.rank} 名）",
                f"rank {result.category_rank} in category '{result.category}' (overall {result.rank})",
            )
        elif result.rank is not None and result.level:
            # [roll_up]: a parent is ranked among the parents of its level.
            place = words(
                f"在上级单位（第 {result.level} 级）中排名第 {result.rank} 名",
                f"rank {result.rank} among the level-{result.level} parents",
            )
        elif result.rank is not None:
            place = words(f"排名第 {result.rank} 名", f"rank {result.rank}")
        else:
            place = ""
        sep = words("，", ", ") if place else ""
        lines.append(
            words(
                f"{result.unit}{category}：总分 {num(result.total)}{unit}{grade}{sep}{place}",
                f"{result.unit}{category}: total {num(result.total)}{grade}{sep}{place}",
            )
        )
    else:
        lines.append(
            words(f"{result.unit}{category}：未能计分", f"{result.unit}{category}: could not be scored")
        )
    if result.stand_in:
        lines.append(
            words(f"  ※ {STAND_IN_MARK[0]}：{result.stand_in}", f"  ※ {STAND_IN_MARK[1]}: {result.stand_in}")
        )
    for error in result.errors:
        lines.append(words(f"  ✗ 错误：{error}", f"  ✗ error: {error}"))
    missing = result.trail_missing
    if missing is not None:  # the column program's record does not explain this unit (colexplain)
        lines.append(
            words(
                f"  ※ 逐项计算过程无法给出（总分等次照常）：{missing}",
                f"  ※ the step-by-step trail is not available (the total and grade stand): {missing}",
            )
        )
    for period in result.periods:
        # A grade per period beside the year's (each period's scores added up as the year's are).
        grade = "" if period.grade is None else words(f"，等次“{period.grade}”", f", grade '{period.grade}'")
        lines.append(
            words(
                f"  {period.period}：总分 {num(period.total)}{unit}{grade}",
                f"  {period.period}: total {num(period.total)}{grade}",
            )
        )
        lines.extend(f"      · {event}" for event in period.events)
    trail: dict[str, list[GroupResult]] = {}

    def note_groups(group: GroupResult, path: list[GroupResult]) -> None:
        for child in group.children:
            if isinstance(child, IndicatorLike):
                trail[child.code] = path
            else:
                sub = cast("GroupResult", child)
                note_groups(sub, [*path, sub])

    for top in result.groups:
        note_groups(top, [top])
    opened: set[int] = set()

    def indent(start: int, depth: int) -> None:
        lines[start:] = ["  " * depth + line for line in lines[start:]]

    for ind in result.indicators:
        for depth, group in enumerate(trail.get(ind.code, [])):
            if id(group) in opened:
                continue
            opened.add(id(group))
            declared = (
                ""
                if group.declared is None
                else words(f"，规定 {num(group.declared)}{unit}", f", declared {num(group.declared)}")
            )
            lines.append(
                "  " * depth
                + words(
                    f"【{group.name}】{'分值' if result.points else '权重'} {num(group.weight)}{unit}{declared}，"
                    f"得分 {num(group.contribution)}{unit}",
                    f"[{group.name}] {'points' if result.points else 'weight'} {num(group.weight)}{declared}, "
                    f"subtotal {num(group.contribution)}",
                )
            )
        first_line = len(lines)
        _explain_indicator(ind, result, words, unit, lines)
        indent(first_line, len(trail.get(ind.code, [])))
    for event in result.events:
        lines.append(f"* {event}")
    return "\n".join(lines)


def _target(name: str, words: Words) -> str:
    """A computed name as the trail shows it: the score formula's 得分 is "score" in English."""
    return name if words.zh or name != "得分" else "score"


def _data_line(inputs: Mapping[str, object], words: Words) -> str:
    sep = "，" if words.zh else ", "
    shown = sep.join(f"{k}={_show(v, words)}" for k, v in inputs.items())
    return words(f"数据：{shown}", f"data: {shown}")


def _computation_lines(computations: Sequence[Computation], words: Words) -> list[str]:
    lines = []
    for c in computations:
        shown = _show(c.value, words)
        middle = f" = {c.substituted}" if c.substituted not in (c.formula, shown) else ""
        target = _target(c.target, words)
        lines.append(
            words(
                f"计算：{target} = {c.formula}{middle} = {shown}",
                f"computed: {target} = {c.formula}{middle} = {shown}",
            )
        )
    return lines


def _grade_and_score(grade: str | None, score: object, words: Words, unit: str) -> str:
    """ "等次“优”，得分 100" — or only the score when there is no grade."""
    if grade is None:
        return words(f"得分 {_show(score)}{unit}", f"score {_show(score)}")
    return words(f"等次“{grade}”，得分 {_show(score)}{unit}", f"grade '{grade}', score {_show(score)}")


def _explain_indicator(
    ind: IndicatorResult, result: UnitResult, words: Words, unit: str, lines: list[str]
) -> None:
    head = f"- {ind.code} {ind.name}"
    mark = (
        words(f"    · ※ {STAND_IN_MARK[0]}：{ind.stand_in}", f"    · ※ {STAND_IN_MARK[1]}: {ind.stand_in}")
        if ind.stand_in
        else ""
    )
    if not ind.applicable:
        lines.append(head + words("：不计分", ": not scored"))
        if mark:
            lines.append(mark)
        lines.extend(f"    · {event}" for event in ind.events)
        return
    if ind.error is not None:
        lines.append(head + words(f"：错误——{ind.error.message}", f": error — {ind.error.message}"))
        return
    grade_zh = f"，等次“{ind.grade}”" if ind.grade is not None else ""
    grade_en = f", grade '{ind.grade}'" if ind.grade is not None else ""
    if result.points:
        moved = ind.weight != ind.full
        tail = words(
            f"，按分值 {num(ind.weight)} 计 {num(ind.contribution)}分" if moved else "",
            f", counted on {num(ind.weight)} points: {num(ind.contribution)}" if moved else "",
        )
        lines.append(
            head
            + words(
                f"：得 {num(ind.score)}分（满分 {num(ind.full)}分）{grade_zh}{tail}",
                f": {num(ind.score)} of {num(ind.full)} points{grade_en}{tail}",
            )
        )
    else:
        lines.append(
            head
            + words(
                f"：{grade_zh.lstrip('，')}{'，' if grade_zh else ''}得分 {num(ind.score)}，权重 {num(ind.weight)}，"
                f"贡献 {num(ind.contribution)}",
                f": {grade_en.lstrip(', ')}{', ' if grade_en else ''}score {num(ind.score)}, "
                f"weight {num(ind.weight)}, contribution {num(ind.contribution)}",
            )
        )
    if mark:
        lines.append(mark)
    if ind.inputs:
        lines.append("    · " + _data_line(ind.inputs, words))
    if ind.periods:
        # The periods actually used, each with its own data, formulas and grade;
        # the year row's values and the last period's formulas are not the indicator's.
        for period in ind.periods:
            lines.append(f"    · {period.period}：" if words.zh else f"    · {period.period}:")
            if period.inputs:
                lines.append("        " + _data_line(period.inputs, words))
            lines.extend("        " + line for line in _computation_lines(period.computations, words))
            if period.grading is not None:
                lines.append("        " + _explain_grading(period.grading, words, unit))
            lines.append("        → " + _grade_and_score(period.grade, period.score, words, unit))
    else:
        computed = {c.target for c in ind.computations}
        lines.extend("    · " + line for line in _computation_lines(ind.computations, words))
        for name, computed_value in ind.values.items():
            if name not in computed:
                shown = _show(computed_value, words)
                target = _target(name, words)
                lines.append(words(f"    · 计算：{target} = {shown}", f"    · computed: {target} = {shown}"))
        if ind.grading is not None:
            lines.append(f"    · {_explain_grading(ind.grading, words, unit)}")
    lines.extend(f"    · {event}" for event in ind.events)
