"""What a scheme reads from unit data, and aiming a value at a grade boundary, for ``perfrules.testing``.

:func:`perfrules.testing.unit_data` draws one unit's data for a scheme; the
work that does not depend on the draw lives here: which inputs the scheme
reads (graded ones with their labels, numeric ones with a range, the ones
something divides by), the numbers on and beside its grade boundaries, and
solving one input so that a graded value lands exactly on a boundary. It is
worked out once per scheme (:func:`_known`) so that drawing many units stays
fast, with the same values, so replayed failures do not change.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from fractions import Fraction

from hypothesis import strategies as st

from .formula.language import Formula
from .formula.tree import Chain, Name, Node
from .grading.scale import GradeScale
from .scheme.model import Scheme
from .scheme.reads import renamed_variable
from .scheme.steps import Part, PeerRatio
from .scheme.tree import Indicator
from .scoring.plan import names_read
from .scoring.plan import plan_of as _plan_of

_EPSILONS = (
    Fraction(-1, 100),
    Fraction(-1, 10**6),
    Fraction(0),
    Fraction(1, 10**6),
    Fraction(1, 100),
)


_TOP = Fraction(100)


@functools.lru_cache(maxsize=32)
def _left_out(chance: float) -> st.SearchStrategy[bool]:
    """True with about *chance* (shrinking towards False: a value present)."""
    cut = round(chance * 1000)
    return st.integers(min_value=0, max_value=999).map(lambda k: k >= 1000 - cut)


def _as_value(number: Fraction) -> Decimal | Fraction:
    """An exact number as a data cell holds it: a Decimal when it terminates, else the Fraction."""
    denominator = number.denominator
    while denominator % 2 == 0:
        denominator //= 2
    while denominator % 5 == 0:
        denominator //= 5
    if denominator != 1:
        return number
    return Decimal(number.numerator) / Decimal(number.denominator)


def _divisors(node: Node) -> set[str]:
    """Names that a formula divides by (directly: ``a/总数``)."""
    found: set[str] = set()
    if isinstance(node, Chain):
        for op, operand in node.rest:
            if op == "/" and isinstance(operand, Name):
                found.add(operand.name)
    for value in getattr(node, "__attrs_attrs__", ()):
        child = getattr(node, value.name)
        items = child if isinstance(child, tuple) else (child,)
        for item in items:
            for part in item if isinstance(item, tuple) else (item,):
                if isinstance(part, Node):
                    found |= _divisors(part)
    return found


def _domain_range(scale: GradeScale) -> tuple[Fraction, Fraction]:
    assert scale.domain is not None
    lo, hi = scale.domain.lo, scale.domain.hi
    return (Fraction(lo) if lo is not None else Fraction(0), Fraction(hi) if hi is not None else _TOP)


def _reads(
    scheme: Scheme,
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[Fraction, Fraction]], frozenset[str]]:
    """The inputs a scheme reads from data: graded ones with their labels, numeric ones with a range.

    A reported score ranges over its indicator's points; a value graded as
    it is, over its scale's domain; anything else over 0–100. The third
    item names the inputs something divides by.
    """
    labels: dict[str, tuple[str, ...]] = {}
    ranges: dict[str, tuple[Fraction, Fraction]] = {}
    divisors: set[str] = set()
    plan = _plan_of(scheme)
    columns = scheme.categories or (None,)
    for p in plan.indicators:
        ind = p.ind
        scale = ind.scale
        fields = set(p.fields)
        graded = [(scale, ind.value)] if scale is not None else []
        for step in ind.steps:
            if isinstance(step, Formula):
                divisors |= _divisors(step.tree)
            elif isinstance(step, Part):
                graded.append((step.scale, step.of))
                measured = step.of if step.of is not None else step.scale.variable
                if measured in fields and step.scale.domain is not None:
                    ranges[measured] = _domain_range(step.scale)
            elif isinstance(step, PeerRatio):
                divisors |= {step.numerator, step.denominator}
        for rule, name in graded:
            if rule.is_categorical and name is not None:
                labels[name] = tuple(b.name for b in rule.bands)
            # Sorted: a set's order follows PYTHONHASHSEED, and draws must not.
            for level_name in sorted(rule.variables & fields) if rule.levels else ():
                labels[level_name] = tuple(rule.levels)
        for name in sorted(fields):
            ranges.setdefault(name, (Fraction(0), _TOP))
        if ind.score is not None:
            divisors |= _divisors(ind.score.tree)
            if isinstance(ind.score.tree, Name) and ind.score.tree.name in fields:
                top = max(Fraction(p.ceiling(c)) for c in columns)
                ranges[ind.score.tree.name] = (Fraction(0), top)
        measured_name = graded_name(ind)
        if scale is not None and measured_name in fields and scale.domain is not None:
            ranges[measured_name] = _domain_range(scale)
    for policy in scheme.policies:
        names = set(getattr(policy, "reads", ()))
        when = getattr(policy, "when", None)
        if isinstance(when, Formula):
            names |= when.variables
        for name in sorted(names):
            ranges.setdefault(name, (Fraction(0), _TOP))
    # Whatever else the scheme reads (overall grading, caps): an everyday number.
    for name in sorted(names_read(scheme)):
        ranges.setdefault(name, (Fraction(0), _TOP))
    for name in labels:
        ranges.pop(name, None)
    return labels, ranges, frozenset(divisors & set(ranges))


def graded_name(ind: Indicator) -> str | None:
    """The name whose value the indicator's threshold scale grades: its ``value`` where that renames the
    scale's measured name, else that name (None: no threshold scale)."""
    if ind.scale is None:
        return None
    return ind.value if renamed_variable(ind) is not None else ind.scale.variable


def _measure(ind: Indicator, target: str, data: dict[str, object]) -> Fraction | None:
    """The value *target* takes for one unit's data, through the indicator's own formula steps (or None)."""
    scope: dict[str, object] = dict(data)
    for local, field in ind.inputs.items():
        if field in data:
            scope[local] = data[field]
    for step in ind.steps:
        if not isinstance(step, Formula) or step.target is None:
            return None
        try:
            scope[step.target] = step.evaluate(scope)
        except Exception:  # a missing name, a zero divisor: this draw cannot be placed
            return None
        if step.target == target:
            break
    value = scope.get(target)
    if isinstance(value, Decimal | Fraction | int) and not isinstance(value, bool):
        return Fraction(value)
    return None


def _place(
    ind: Indicator, target: str, pivot: str, goal: Fraction, data: dict[str, object]
) -> Fraction | None:
    """The value of *pivot* that puts *target* exactly at *goal*, when *target* is affine in *pivot*."""
    points = []
    for k in (0, 1, 2):
        points.append(_measure(ind, target, {**data, pivot: Decimal(k)}))
    f0, f1, f2 = points
    if f0 is None or f1 is None or f2 is None or f1 == f0 or f2 - f1 != f1 - f0:
        return None
    x = (goal - f0) / (f1 - f0)
    check = _measure(ind, target, {**data, pivot: _as_value(x)})
    return x if check == goal else None


class _Known:
    """What unit_data() draws from for one scheme, worked out once rather than for every unit.

    The same values as working it out per unit, so draws (and replayed
    failures) do not change.
    """

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.labels, self.ranges, self.divisors = _reads(scheme)
        self.numeric = sorted(self.ranges)
        self.boundaries = sorted(
            {
                Fraction(b)
                for ind in scheme.indicators()
                if ind.scale is not None
                for b in ind.scale.boundaries
            }
        )
        plan = _plan_of(scheme)
        self.pivots = {p.ind.code: sorted(set(p.fields) & set(self.numeric)) for p in plan.indicators}
        self._values: dict[tuple[Fraction, Fraction], st.SearchStrategy[Fraction]] = {}

    def values(self, lo: Fraction, hi: Fraction) -> st.SearchStrategy[Fraction]:
        """Numbers in [lo, hi]: on and beside the scheme's boundaries, the ends, the middle, any."""
        found = self._values.get((lo, hi))
        if found is None:
            inside = [b + e for b in self.boundaries for e in _EPSILONS if lo <= b + e <= hi]
            ordinary = st.sampled_from(sorted({lo, hi, (lo + hi) / 2})) | st.fractions(
                min_value=lo, max_value=hi, max_denominator=100
            )
            found = self._values[(lo, hi)] = st.sampled_from(inside) | ordinary if inside else ordinary
        return found


_KNOWN: dict[int, _Known] = {}


def _known(scheme: Scheme) -> _Known:
    """The scheme's _Known, kept for the last few schemes (by identity: schemes are immutable)."""
    found = _KNOWN.get(id(scheme))
    if found is None or found.scheme is not scheme:
        if len(_KNOWN) >= 16:
            _KNOWN.pop(next(iter(_KNOWN)))
        found = _KNOWN[id(scheme)] = _Known(scheme)
    return found
