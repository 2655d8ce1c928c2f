"""What a scheme reads from unit data, described for the people who supply it.

:func:`input_fields` lists every data field a scheme reads, in the order its
indicators first read them, with what the scheme itself says about each: the
indicators that read it, their published definitions and data sources, the
values it may take (a scale's ``domain``, an indicator score's 0 to full
points, whole counts) and, for graded inputs, the grades or levels it may
hold (良好/合格/不合格). The data-entry workbook (:func:`write_template`) and
the data check (:func:`check_data`) are both built on it, so they agree with
each other and with scoring.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from .._numbers import Number
from ..formula.language import Formula
from ..formula.tree import Name
from ..grading.scale import GradeScale
from ..scheme.model import Scheme
from ..scheme.policies import Veto
from ..scheme.reads import inputs_of
from ..scheme.steps import Part, step_reads, step_target
from ..scheme.tree import Indicator
from .scheme_fields import _known_fields, _text_fields

__all__ = ["InputField", "input_fields", "scheme_inputs"]


def scheme_inputs(scheme: Scheme) -> frozenset[str]:
    """Every data field name the scheme reads (the one place that decides it).

    The names each indicator reads from data (not those its own steps
    compute), under the data field its ``inputs`` maps them to, and the
    names the scheme's own policies read. Every such name is one the data
    reader reads, so a template, a data check and scoring agree on it.

    >>> from perfrules import load
    >>> sorted(scheme_inputs(load("shenzhen-2010-departments")))[:2]
    ['中央级推广数', '中央级表彰数']
    """
    names: set[str] = set()
    for ind in scheme.indicators():
        targets = {step_target(s) for s in ind.steps}
        names |= {ind.inputs.get(n, n) for n in inputs_of(ind)} - targets
        if ind.weight_from is not None:  # the unit's own weight for it
            names.add(ind.weight_from)
    for policy in scheme.policies:
        names |= policy.when.variables if isinstance(policy, Veto) else policy.reads
    if scheme.total_formula is not None:  # its data (经营难度系数 …), not the subtotals it reads
        names |= scheme.total_formula.variables - scheme.overall_names()
    if scheme.roll_up is not None:  # a sub-unit's parent, and its weight in the parent's mean
        names |= {scheme.roll_up.parent, scheme.roll_up.weight or scheme.roll_up.parent}
    # The scheme's per-unit constants (parameters) are not asked of the data, nor
    # last year's results (history: given with --previous, or a column the data may add).
    return frozenset((names & _known_fields(scheme)) - scheme.parameters.keys() - scheme.history.keys())


@attrs.frozen(kw_only=True)
class InputField:
    """One data field a scheme reads, as the data-entry workbook describes it.

    Attributes:
        name: the field (the column header units fill in).
        indicators: the indicators that read it, as ``"code name"``.
        definitions: the published definitions (指标释义) of those indicators.
        sources: who reports it (数据采集单位), from those indicators.
        uses: the scheme's formulas and rules that read it, as published.
        kind: ``"grade"`` for a field that holds a grade or level (良好,
            合格 …), ``"number"`` otherwise.
        choices: for a graded field, the values it may hold, best first.
        low, high: the smallest and largest values the scheme accepts
            (``None``: not bounded on that side).
        whole: only whole numbers (counts: 件, 项 …).
        measure: the unit of measure, in words (比率, 分, 个 …); empty when the
            scheme does not say.
    """

    name: str
    indicators: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    kind: Literal["number", "grade"] = "number"
    choices: tuple[str, ...] = ()
    low: Number | None = None
    high: Number | None = None
    whole: bool = False
    measure: str = ""

    def allows(self, value: object) -> bool:
        """Whether a read value is within the field's bounds and choices.

        >>> InputField(name="完成率", low=Decimal(0), high=Decimal(1)).allows(Decimal("1.2"))
        False
        """
        if self.kind == "grade":
            return not self.choices or str(value).strip() in self.choices
        if not isinstance(value, Decimal | int):
            return True
        if self.low is not None and value < self.low:
            return False
        if self.high is not None and value > self.high:
            return False
        return not (self.whole and value != int(value))

    def bounds_text(self) -> str:
        """The bounds in words (Chinese, as the workbook and data messages speak).

        >>> InputField(name="得分", low=Decimal(0), high=Decimal(30)).bounds_text()
        '0 至 30'
        """
        if self.low is not None and self.high is not None:
            return f"{_show(self.low)} 至 {_show(self.high)}"
        if self.low is not None:
            return f"不小于 {_show(self.low)}"
        if self.high is not None:
            return f"不大于 {_show(self.high)}"
        return ""


def _show(value: Number) -> str:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Found:
    """What is learnt about one field while the indicators are walked (mutable)."""

    def __init__(self) -> None:
        self.indicators: list[str] = []
        self.definitions: list[str] = []
        self.sources: list[str] = []
        self.uses: list[str] = []
        self.choices: tuple[str, ...] = ()
        self.low: Number | None = None
        self.high: Number | None = None
        self.whole = False
        self.rate = False
        self.points = False

    def bound(self, low: Number | None, high: Number | None) -> None:
        if low is not None and (self.low is None or low > self.low):
            self.low = low
        if high is not None and (self.high is None or high < self.high):
            self.high = high


def _add(items: list[str], value: str) -> None:
    if value and value not in items:
        items.append(value)


def _scales(ind: Indicator) -> Iterator[tuple[GradeScale, str | None]]:
    """The indicator's scales with the name each grades (None: its own variables)."""
    if ind.scale is not None:
        yield ind.scale, ind.value
    for step in ind.steps:
        if isinstance(step, Part):
            yield step.scale, step.of


def _full(scheme: Scheme, ind: Indicator) -> Number:
    """The most an indicator's own score can be: its full points (the largest over categories)."""

    def full(category: str | None) -> Number:
        own = ind.full_for(category)
        if own is not None:
            return own
        return ind.weight_for(category) if scheme.basis == "points" else scheme.full_score

    return max(full(c) for c in scheme.categories or (None,))


def input_fields(scheme: Scheme) -> tuple[InputField, ...]:
    """Every data field the scheme reads, described from the scheme itself.

    Fields come in the order the indicators (then the scheme's own policies)
    first read them. What a field may hold is taken only from what the
    scheme states: a scale's ``domain`` for the value it grades directly,
    0 to the indicator's full points for a score read as it is (``score =
    "「…得分」"``), whole numbers from 0 for counts, and the levels or grades
    of a graded field. A field the scheme does not bound has ``low`` and
    ``high`` of ``None``.

    >>> from perfrules import load
    >>> fields = {f.name: f for f in input_fields(load("shenzhen-2010-departments"))}
    >>> fields["按时签收评定"].choices
    ('良好', '合格', '不合格')
    >>> f = fields["法治政府考评得分"]
    >>> (f.low, f.high, f.measure)
    (Decimal('0'), Decimal('100'), '分')
    """
    known = scheme_inputs(scheme)
    text = _text_fields(scheme)
    found: dict[str, _Found] = {}

    def entry(field: str) -> _Found:
        return found.setdefault(field, _Found())

    for ind in scheme.indicators():
        reads = sorted(inputs_of(ind), key=lambda n: _first_use(ind, n))
        for local in reads:
            field = ind.inputs.get(local, local)
            if field not in known:
                continue
            f = entry(field)
            _add(f.indicators, ind.label)
            _add(f.definitions, ind.definition)
            _add(f.sources, ind.source)
            for step in ind.steps:
                if isinstance(step, Formula) and local in step.variables:
                    _add(f.uses, step.text)
            if ind.score is not None and local in ind.score.variables:
                if isinstance(ind.score.tree, Name):
                    f.bound(Decimal(0), _full(scheme, ind))
                    f.points = True
                else:
                    _add(f.uses, ind.score.text)
        for scale, of in _scales(ind):
            graded = {of} if of is not None else set(scale.variables)
            for local in graded:
                field = ind.inputs.get(local, local)
                if field not in known:
                    continue
                f = entry(field)
                if scale.source:
                    _add(f.uses, scale.source)
                if scale.is_categorical:
                    f.choices = f.choices or tuple(b.name for b in scale.bands)
                    continue
                if scale.levels:
                    levels = sorted(scale.levels.items(), key=lambda kv: -kv[1])
                    f.choices = f.choices or tuple(k for k, _ in levels)
                    continue
                if scale.domain is not None:
                    f.bound(scale.domain.lo, scale.domain.hi)
                    if scale.domain.lo == 0 and scale.domain.hi == 1:
                        f.rate = True
                if local in scale.counts:
                    f.whole = True
                    f.bound(Decimal(0), None)
        for step in ind.steps:
            for local in step_reads(step):
                field = ind.inputs.get(local, local)
                if field in known:
                    _add(entry(field).indicators, ind.label)
        if ind.weight_from is not None and ind.weight_from in known:
            # The unit's own weight (points) for the indicator: 0 to the full marks.
            f = entry(ind.weight_from)
            _add(f.indicators, ind.label)
            points = scheme.basis == "points"
            zh = scheme.language == "zh"
            _add(
                f.uses,
                ("本单位分值" if points else "本单位权重")
                if zh
                else ("the unit's points" if points else "the unit's weight"),
            )
            f.bound(Decimal(0), max((scheme.total, *scheme.totals.values())))
            f.points = points
    for policy in scheme.policies:
        policy_reads = policy.when.variables if isinstance(policy, Veto) else policy.reads
        for field in sorted(policy_reads):
            if field in known:
                f = entry(field)
                _add(f.uses, policy.reason or getattr(getattr(policy, "when", None), "text", "") or "")
    out = []
    for field in [*found, *sorted(known - found.keys())]:
        f = found.get(field) or _Found()
        grade = field in text
        measure = (
            "等次"
            if grade
            else "比率"
            if f.rate
            else "分"
            if f.points or field.endswith(("得分", "评分"))
            else "个"
            if f.whole
            else ""
        )
        out.append(
            InputField(
                name=field,
                indicators=tuple(f.indicators),
                definitions=tuple(f.definitions),
                sources=tuple(f.sources),
                uses=tuple(f.uses),
                kind="grade" if grade else "number",
                choices=f.choices if grade else (),
                low=None if grade else f.low,
                high=None if grade else f.high,
                whole=f.whole and not grade,
                measure=measure,
            )
        )
    return tuple(out)


def _first_use(ind: Indicator, name: str) -> tuple[int, str]:
    """Where a name is first read in the indicator's published steps (to order the columns)."""
    for i, step in enumerate(ind.steps):
        if isinstance(step, Formula) and step.text and name in step.text:
            return (i, f"{step.text.index(name):05d}")
    return (len(ind.steps), name)
