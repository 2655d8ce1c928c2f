"""Hypothesis strategies for testing code that uses perfrules.

Ship these in your own property tests, e.g. "every value gets exactly one
grade" or "a formula survives a round trip through its text"::

    from hypothesis import given
    from perfrules import testing as prst

    @given(prst.formulas(names=["完成数", "总数"]))
    def test_round_trip(formula):
        assert Formula.parse(str(formula)) == formula

The project's own tests use them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from ._testing_data import _EPSILONS, _as_value, _known, _left_out, _measure, _place, graded_name
from .formula.language import Formula
from .formula.tree import BoolOp, Call, Chain, Compare, Name, Node, Num, Percent, Power, Unary, show
from .grading.scale import DEFAULT_SCORES, GradeBand, GradeScale
from .scheme.model import Scheme
from .scheme.policies import Adjust, Default, NotApplicable, Veto, ZeroWhen
from .scheme.tree import Group, Indicator
from .scheme.units import Unit

__all__ = [
    "DEFAULT_NAMES",
    "boundary_values",
    "exact_numbers",
    "formula_texts",
    "formulas",
    "input_values",
    "schemes",
    "threshold_scales",
    "unit_data",
    "units",
    "values_in",
]

DEFAULT_NAMES: tuple[str, ...] = (
    "完成数",
    "总数",
    "得分",
    "政府投资项目(A类)完成率",
    "GDP产出",
    "x",
)
"""Names the strategies use when none are given; one needs quoting."""


def exact_numbers(
    *, min_value: int = -1000, max_value: int = 1000, places: int = 4
) -> st.SearchStrategy[Decimal | Fraction]:
    """Exact numbers as perfrules returns them: short Decimals and small Fractions."""
    decimals = st.decimals(
        min_value=min_value, max_value=max_value, places=places, allow_nan=False, allow_infinity=False
    )
    fractions = st.fractions(min_value=min_value, max_value=max_value, max_denominator=1000)
    return st.one_of(decimals, fractions)


def input_values() -> st.SearchStrategy[Any]:
    """Anything a caller might put in a values mapping, valid or not."""
    return st.one_of(
        st.integers(),
        st.floats(),
        st.decimals(),
        st.fractions(),
        st.booleans(),
        st.none(),
        st.text(max_size=5),
    )


def _literal() -> st.SearchStrategy[Node]:
    return st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False).map(
        lambda d: Num(d)
    )


def _number_trees(names: Sequence[str]) -> st.SearchStrategy[Node]:
    leaves = st.one_of(_literal(), st.sampled_from([Name(n) for n in names]))

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        ops_add = st.sampled_from(["+", "-"])
        ops_mul = st.sampled_from(["*", "/"])
        small_exponent = st.integers(min_value=0, max_value=3).map(lambda n: Num(Decimal(n)))
        return st.one_of(
            st.builds(Percent, children),
            st.builds(lambda op, x: Unary(op, x), st.sampled_from(["-", "+"]), children),
            st.builds(Power, children, small_exponent),
            st.builds(
                lambda first, rest: Chain(first, tuple(rest)),
                children,
                st.lists(st.tuples(ops_add, children), min_size=1, max_size=3),
            ),
            st.builds(
                lambda first, rest: Chain(first, tuple(rest)),
                children,
                st.lists(st.tuples(ops_mul, children), min_size=1, max_size=3),
            ),
            st.builds(
                lambda f, args: Call(f, tuple(args)),
                st.sampled_from(["min", "max", "sum", "avg"]),
                st.lists(children, min_size=1, max_size=3),
            ),
            st.builds(lambda x: Call("abs", (x,)), children),
            st.builds(lambda x, lo, hi: Call("clamp", (x, lo, hi)), children, children, children),
        )

    return st.recursive(leaves, extend, max_leaves=8)


def _condition_trees(names: Sequence[str]) -> st.SearchStrategy[Node]:
    numbers = _number_trees(names)
    compare_ops = st.sampled_from(["<", "<=", ">", ">=", "=", "!="])
    comparisons = st.builds(
        lambda first, rest: Compare(first, tuple(rest)),
        numbers,
        st.lists(st.tuples(compare_ops, numbers), min_size=1, max_size=2),
    )

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        return st.one_of(
            st.builds(lambda x: Unary("not", x), children),
            st.builds(
                lambda op, xs: BoolOp(op, tuple(xs)),
                st.sampled_from(["and", "or"]),
                st.lists(children, min_size=2, max_size=3),
            ),
        )

    return st.recursive(comparisons, extend, max_leaves=4)


def formula_texts(
    names: Sequence[str] = DEFAULT_NAMES, *, conditions: bool = False
) -> st.SearchStrategy[str]:
    """Valid formula texts over *names* (arithmetic, or conditions if asked)."""
    trees = _condition_trees(names) if conditions else _number_trees(names)
    return trees.map(show)


def formulas(names: Sequence[str] = DEFAULT_NAMES, *, conditions: bool = False) -> st.SearchStrategy[Formula]:
    """Parsed formulas over *names*; with ``conditions=True``, truth-valued ones."""
    parse = Formula.parse_condition if conditions else Formula.parse
    return formula_texts(names, conditions=conditions).map(parse)


# ---------------------------------------------------------------------------
# Grade scales
# ---------------------------------------------------------------------------

_GRADES: tuple[str, ...] = ("优", "良", "中", "差")


@st.composite
def threshold_scales(
    draw: st.DrawFn,
    *,
    variable: str = "x",
    grades: Sequence[str] = _GRADES,
    min_bands: int = 2,
) -> GradeScale:
    """Valid one-variable threshold scales, written as the seeds write them.

    The domain is ``[0, top]``; boundaries are distinct short decimals; each
    boundary belongs to the band above or below it at random; larger values
    are better or worse at random; the best band is sometimes a single value
    at the domain's best end (like ``完成率=100%``). The extreme bands are
    written open-ended (``x<80``) and closed by the domain, as in the seeds.
    """
    count = draw(st.integers(min_value=min_bands, max_value=len(grades)))
    names = list(grades[:count])
    top = draw(st.sampled_from([Decimal(1), Decimal(100), Decimal(120)]))
    higher_is_better = draw(st.booleans())
    point_band = count >= 2 and draw(st.booleans())
    regular = count - 1 if point_band else count
    quantum = top / 1000
    cuts = sorted(
        draw(
            st.lists(
                st.integers(min_value=1, max_value=999),
                min_size=regular - 1,
                max_size=regular - 1,
                unique=True,
            )
        )
    )
    points = [Decimal(c) * quantum for c in cuts]
    # upper[k]: boundary k belongs to the band above it (written "b ≤ x")
    upper = [draw(st.booleans()) for _ in points]
    q = f"「{variable}」"
    # (low, low closed, high, high closed) from low to high; None is open-ended
    segments: list[tuple[Decimal | None, bool, Decimal | None, bool]] = []
    for k in range(regular):
        lo = points[k - 1] if k > 0 else None
        hi = points[k] if k < regular - 1 else None
        segments.append((lo, k > 0 and upper[k - 1], hi, k < regular - 1 and not upper[k]))
    if point_band:
        if higher_is_better:  # the best value is the top of the domain
            lo, lo_closed, _, _ = segments[-1]
            segments[-1] = (lo, lo_closed, top, False)
        else:  # the best value is 0
            _, _, hi, hi_closed = segments[0]
            segments[0] = (Decimal(0), False, hi, hi_closed)

    def text(segment: tuple[Decimal | None, bool, Decimal | None, bool]) -> str:
        lo, lo_closed, hi, hi_closed = segment
        if lo is None and hi is None:
            return f"{q}>=0"
        left = f"{lo}{'<=' if lo_closed else '<'}" if lo is not None else ""
        right = f"{'<=' if hi_closed else '<'}{hi}" if hi is not None else ""
        return f"{left}{q}{right}"

    texts = [text(seg) for seg in segments]
    if point_band:
        if higher_is_better:
            texts.append(f"{q}={top}")
        else:
            texts.insert(0, f"{q}=0")
    ordered = texts[::-1] if higher_is_better else texts
    bands = [GradeBand(name=n, conditions=[t]) for n, t in zip(names, ordered, strict=True)]
    return GradeScale(bands=bands, domain=(0, top))


def values_in(scale: GradeScale, grade: str) -> st.SearchStrategy[Decimal | Fraction]:
    """Exact values that a threshold scale gives *grade* to."""
    strategies = []
    for iv in scale.intervals(grade):
        if iv.is_point:
            assert iv.lo is not None
            strategies.append(st.just(iv.lo))
            continue
        lo = Fraction(iv.lo) if iv.lo is not None else Fraction(-(10**6))
        hi = Fraction(iv.hi) if iv.hi is not None else Fraction(10**6)
        inner: st.SearchStrategy[Decimal | Fraction] = st.fractions(
            min_value=lo, max_value=hi, max_denominator=10**4
        ).filter(iv.__contains__)
        strategies.append(inner)
    return st.one_of(strategies)


def boundary_values(
    scale: GradeScale, *, epsilon: Fraction = Fraction(1, 10**9)
) -> st.SearchStrategy[Fraction]:
    """Values exactly on each boundary of a threshold scale, and just either side of it."""
    candidates = sorted({Fraction(b) + d for b in scale.boundaries for d in (-epsilon, Fraction(0), epsilon)})
    domain = scale.domain
    if domain is not None:
        candidates = [c for c in candidates if c in domain]
    return st.sampled_from(candidates)


# ---------------------------------------------------------------------------
# Schemes
# ---------------------------------------------------------------------------


@st.composite
def schemes(draw: st.DrawFn, *, max_groups: int = 3, max_indicators: int = 4) -> Scheme:
    """Valid points schemes: groups of indicators scored by a formula or a threshold scale.

    Weights are whole points; the total is their sum, and groups sometimes
    declare their subtotal. Indicators get random steps (a measure formula),
    scales from :func:`threshold_scales`, and policies (``Default``,
    ``Adjust``, ``NotApplicable``, ``ZeroWhen``, ``Veto``).
    """
    groups: list[Group] = []
    code = 0
    total = 0
    for g in range(draw(st.integers(min_value=1, max_value=max_groups))):
        leaves: list[Indicator] = []
        for _ in range(draw(st.integers(min_value=1, max_value=max_indicators))):
            code += 1
            weight = draw(st.integers(min_value=1, max_value=50))
            value = f"值{code}"
            policies: list[Any] = []
            if draw(st.booleans()):
                scale = draw(threshold_scales(variable=value))
                score = None
                if draw(st.booleans()):
                    policies.append(Default(grade=draw(st.sampled_from([b.name for b in scale.bands]))))
            else:
                scale = None
                score = f"clamp({value}, 0, 100)"
            if draw(st.booleans()):
                policies.append(
                    Adjust(
                        per=f"扣分项{code}",
                        points=-draw(st.integers(1, 10)),
                        cap=draw(st.none() | st.integers(1, 30)),
                    )
                )
            if draw(st.booleans()):
                policies.append(NotApplicable(when=f"不适用{code}=1"))
            if draw(st.booleans()):
                policies.append(ZeroWhen(when=f"违规{code}>0"))
            if draw(st.booleans()):
                policies.append(
                    Veto(when=f"否决{code}>0", effect=draw(st.sampled_from(["zero", "lowest_grade"])))
                )
            leaves.append(
                Indicator(
                    code=str(code),
                    name=f"指标{code}",
                    definition=draw(st.sampled_from(["", "指标释义。"])),
                    frequency=draw(st.sampled_from([None, "月度", "季度", "年度"])),
                    metadata=draw(st.sampled_from([{}, {"责任科室": "局办", "责任人": "张三"}])),
                    steps=[f"{value}=原始{code}×{draw(st.sampled_from(['1', '0.5', '100%']))}"],
                    scale=scale,
                    score=score,
                    weight=weight,
                    policies=policies,
                )
            )
            total += weight
        declared = sum(int(i.weight or 0) for i in leaves) if draw(st.booleans()) else None
        groups.append(Group(name=f"组{g + 1}", declared=declared, children=leaves))
    # Points schemes give no grades unless asked: these grade their
    # indicators with the usual score intervals (优 90–100 … of each one's points).
    return Scheme(name="生成的方案", groups=groups, basis="points", total=total, scores=DEFAULT_SCORES)


# ---------------------------------------------------------------------------
# Unit data for a given scheme (what the scheme reads: _testing_data)
# ---------------------------------------------------------------------------


@st.composite
def unit_data(draw: st.DrawFn, scheme: Scheme, *, missing: float = 0.05) -> dict[str, object]:
    """One unit's data for *scheme*: every input it reads, values clustered on and around grade boundaries.

    Numeric inputs are drawn from the numbers the scheme's grading rules name
    (each boundary, and just either side of it) and ordinary values; then one
    graded indicator is aimed at a boundary: holding its other inputs, one
    input it reads is solved for so that the graded value lands exactly on a
    boundary or a hair either side (for values that are affine in that
    input, such as ``完成数/总数×100%`` in ``完成数``). Graded inputs (良好,
    合格 …) are drawn from their labels. With probability *missing* an input
    is left out, so defaults for missing data are exercised too.

    Args:
        scheme: the scheme whose inputs to fill.
        missing: the chance that any one input is left out.

    Returns:
        A strategy for a mapping of input name to value (``Decimal``,
        ``Fraction`` or a label), ready for ``Unit(data=…)``.

    Example::

        @given(prst.units(load("shenzhen-2010-departments")))
        def test_totals_stay_in_range(units):
            for r in evaluate(scheme, units):
                assert r.total is None or 0 <= r.total <= 100
    """
    known = _known(scheme)
    labels, ranges, divisors, numeric = known.labels, known.ranges, known.divisors, known.numeric
    # At most one input left out per unit, so that most units are scored.
    absent = None
    if (numeric or labels) and draw(_left_out(missing)):
        absent = draw(st.sampled_from([*numeric, *labels]))
    data: dict[str, object] = {}
    for name in numeric:
        if name == absent:
            continue
        lo, hi = ranges[name]
        if name in divisors and not draw(_left_out(missing)):
            lo = max(lo, Fraction(1))  # a divisor is 0 now and then, not every other unit
        data[name] = _as_value(draw(known.values(lo, hi)))
    for name, choices in labels.items():
        if name == absent:
            continue
        data[name] = draw(st.sampled_from(choices))
    # A graded value outside its scale's domain (a rate over 100%) makes the unit fail:
    # bring it inside through one of its inputs.
    for ind in scheme.indicators():
        scale, measured_as = ind.scale, graded_name(ind)
        if scale is None or measured_as is None or scale.domain is None or not scale.boundaries:
            continue
        measured = _measure(ind, measured_as, data)
        if measured is None or measured in scale.domain:
            continue
        goal = Fraction(draw(st.sampled_from(scale.boundaries)))
        for pivot in known.pivots[ind.code]:
            placed = _place(ind, measured_as, pivot, goal, data)
            if placed is not None and ranges[pivot][0] <= placed <= ranges[pivot][1]:
                data[pivot] = _as_value(placed)
                break
    graded = [
        ind
        for ind in scheme.indicators()
        if ind.scale is not None and graded_name(ind) is not None and ind.scale.boundaries
    ]
    if graded:
        ind = draw(st.sampled_from(graded))
        graded_as = graded_name(ind)
        assert ind.scale is not None and graded_as is not None
        pivots = known.pivots[ind.code]
        if pivots:
            pivot = draw(st.sampled_from(pivots))
            goal = Fraction(draw(st.sampled_from(ind.scale.boundaries))) + draw(st.sampled_from(_EPSILONS))
            if ind.scale.domain is not None and goal not in ind.scale.domain:
                goal = Fraction(draw(st.sampled_from(ind.scale.boundaries)))
            placed = _place(ind, graded_as, pivot, goal, data)
            lo, hi = ranges[pivot]
            if placed is not None and lo <= placed <= hi and not (pivot in divisors and placed == 0):
                data[pivot] = _as_value(placed)
    return data


@st.composite
def units(draw: st.DrawFn, scheme: Scheme, *, min_size: int = 1, max_size: int = 8) -> list[Unit]:
    """Units for *scheme* with :func:`unit_data`: distinct names, a category each when it has categories.

    Args:
        scheme: the scheme the units are scored under.
        min_size: the fewest units.
        max_size: the most units.

    Returns:
        A strategy for a list of :class:`~perfrules.Unit` ready for
        :func:`perfrules.evaluate`.
    """
    count = draw(st.integers(min_value=min_size, max_value=max_size))
    categories = list(scheme.categories)
    return [
        Unit(
            name=f"单位{k + 1}",
            category=draw(st.sampled_from(categories)) if categories else None,
            data=draw(unit_data(scheme)),
        )
        for k in range(count)
    ]
