"""Grading scales on indicators as a column step: band decisions by cross-multiplication.

An indicator graded by a threshold scale (its bands intervals of one value: a
data column, or a score formula's column) is scored by the column program as
:func:`perfrules.grading.decide.grade_threshold` scores one value: the value is
rounded half up to the scale's ``precision`` if it has one, the first piece of
the scale (in :attr:`GradeScale.cuts` order) whose interval holds it decides the
band — a value ``v = num/D`` against a boundary ``a/b`` is compared as
``num × b`` against ``a × D``, so a value exactly on a cut gets the published
grade — and the band gives its points, the midpoint of its score interval, or
the score placed linearly in the interval (``c₁ × v + c₀``, exact over one
denominator). Values outside every piece (outside the domain) are marked in
the batch's columns under :data:`~perfrules.scoring.colsteps.SEND_BACK`: the
per-unit program scores those units and reports the error.

An indicator's default for no data (a ``default`` policy without ``when``)
may stay: it fires only where an input is blank, unreadable or missing (the
program leaves those units to the per-unit program), or a divisor is 0 (those
rows take the default: :mod:`perfrules.scoring.coldefaults`).
Where the indicator's full points differ by category (``fulls``), a score
from the scale's score range becomes the indicator's points by each
category's factor (``full ÷ full_score``, as the per-unit program's
:meth:`~perfrules.scoring.compiled.IndicatorPlan.scale_factor`): each category
has its own pieces' coefficients, and each row takes its category's (the
category codes under :data:`~perfrules.scoring.colsteps.CATEGORY`).
Values reported per period are graded per period
(:mod:`perfrules.scoring.colperiods`). Scales that grade several values,
categorical (word) scales and other policies are not compiled here
(:func:`compile_graded` says which; :mod:`perfrules.scoring.colgraded` takes
the first two).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy, round_half_up_column
from .._numbers import as_fraction
from ..formula.language import Formula
from ..grading.scale import GradeScale
from ..scheme.policies import Adjust, Default, NotApplicable, Veto, ZeroWhen
from ..scheme.steps import Part, PeerRatio, Rank
from .colblank import leave_steps
from .colsteps import CATEGORY, SEND_BACK, ZERO_DIVISOR, send_back
from .coltruth import as_number
from .indicator import IndicatorPlan

__all__ = [
    "compile_graded",
    "compile_scale",
    "grade_column",
    "grades",
    "kept",
    "limits",
    "pieces",
    "scale_why",
    "value_why",
]

# One piece of a scale: (lo, lo_closed, hi, hi_closed, slope, intercept) with the score
# ``slope × value + intercept`` in the indicator's own units.
_Piece = tuple[Fraction | None, bool, Fraction | None, bool, Fraction, Fraction]


def scale_why(ind: IndicatorPlan, categories: tuple[str, ...] | None) -> str | None:
    """Why the indicator's grading scale does not compile (None: it does)."""
    scale = ind.ind.scale
    assert scale is not None
    if scale.is_categorical:
        return "a categorical (word) grading scale"
    if not scale.is_threshold:
        return "a grading scale of conditions over several values"
    if scale.levels:
        return "a grading scale with levels"
    return None


def value_why(ind: IndicatorPlan) -> str | None:
    """Why the value a compilable scale grades is not a column the program computes (None: it is)."""
    # A default for no data fires only where an input is blank, unreadable or missing, or a divisor
    # is 0: the program leaves every such unit to the per-unit program, so it may stay.
    # Defaults with a condition are worked out before the steps (perfrules.scoring.coldefaults), where an
    # indicator applies beside (perfrules.scoring.colapplies).
    # Zero rules on the indicator, adjustments and vetoes are perfrules.scoring.colpoints' (scale_mechanics).
    # (Defaults: the first without ``when`` is the default for no data; the per-unit program reads
    # no other.)
    others = [
        p for p in ind.ind.policies if not isinstance(p, Default | NotApplicable | ZeroWhen | Adjust | Veto)
    ]
    if others:
        kinds = ", ".join(sorted({type(p).__name__ for p in others}))
        return f"a grading scale with policies ({kinds})"
    # Peer ratios and ranks are the batch's population values, handed in as columns (colparts).
    steps = sorted(
        {type(s).__name__ for s in ind.steps if not isinstance(s, Formula | Part | PeerRatio | Rank)}
    )
    if steps:
        return f"a grading scale on a value computed by a step other than a formula ({', '.join(steps)})"
    return None


def _pieces(ind: IndicatorPlan, categories: tuple[str, ...] | None) -> list[list[_Piece]]:
    """Each category's pieces: each piece's interval and its score as a linear function of the value
    (what _score_in gives), in the category's units; one list where every category shares them (or
    the scheme has no categories)."""
    assert ind.ind.scale is not None
    factors = [ind.scale_factor(c) for c in (categories or (None,))]
    if len(set(factors)) == 1:
        factors = factors[:1]
    return [pieces(ind.ind.scale, factor) for factor in factors]


def pieces(scale: GradeScale, factor: Fraction) -> list[_Piece]:
    """The pieces of a threshold scale whose scores (not its band points) are multiplied by *factor*."""
    scoring = scale.effective_scoring
    out: list[_Piece] = []
    for band, iv, direction in scale.pieces:
        lo = None if iv.lo is None else as_fraction(iv.lo)
        hi = None if iv.hi is None else as_fraction(iv.hi)
        slope = Fraction(0)
        if scoring == "points" or (band.points is not None and scoring == "interpolate"):
            assert band.points is not None
            intercept = as_fraction(band.points)  # points: in the indicator's own units, no factor
        elif scoring == "midpoint":
            intercept = as_fraction(scale.midpoint(band.name)) * factor
        else:
            low, high = (as_fraction(x) for x in scale.score_interval(band.name))
            if iv.is_point or direction is None:
                intercept = high * factor
            else:
                if lo is None or hi is None:
                    raise ValueError(f"band {band.name} is open-ended")  # the checks close it by the domain
                # low + (v − lo)/(hi − lo) × (high − low), or from the top when smaller is better.
                slope = (high - low) / (hi - lo)
                if direction:
                    intercept = low - slope * lo
                else:
                    slope, intercept = -slope, low + slope * hi
                slope, intercept = slope * factor, intercept * factor
        out.append((lo, iv.lo_closed, hi, iv.hi_closed, slope, intercept))
    return out


def compile_scale(ind: IndicatorPlan, value: Any, categories: tuple[str, ...] | None) -> Any:
    """A function of the batch's columns giving the indicator's scores by its scale.

    *value* is a compiled function of the columns giving the graded value
    (a data column, or a formula's column); *categories*: the scheme's.
    """
    scale = ind.ind.scale
    assert scale is not None
    first, *others = _pieces(ind, categories)
    precision = scale.precision

    def run(cols: dict[str, Any], n: int) -> IntColumn:
        return grade_column(value(cols, n), first, precision, cols, others)

    return run


def grade_column(
    col: IntColumn,
    pieces: list[_Piece],
    precision: int | None,
    cols: dict[str, Any],
    per_category: list[list[_Piece]] | None = None,
) -> IntColumn:
    """The scores of a value column by a scale's pieces (see the module's docstring).

    With *per_category* (the pieces of the scheme's second, third … category; the same intervals,
    other scores), *pieces* are the first category's and each row takes its category's scores.
    """
    np = numpy()
    num, den, bound = col.num, col.den, col.bound
    if precision is not None:
        num = round_half_up_column(num, den, precision)
        bound, den = bound * 10**precision // den + 1, 10**precision
    n = len(num)
    sets = [pieces, *(per_category or ())]
    # One denominator E for every piece's score: slope/den × num + intercept, numerators integers.
    out_den = 1
    for *_, slope, intercept in (p for own in sets for p in own):
        out_den = math.lcm(out_den, (slope / den).denominator, intercept.denominator)
    coefficients = [
        [(int(slope / den * out_den), int(intercept * out_den)) for *_, slope, intercept in own]
        for own in sets
    ]
    flat = [c for own in coefficients for c in own]
    out_bound = max((abs(a) * bound + abs(b) for a, b in flat), default=0)
    wide = (
        out_bound >= SAFE
        or num.dtype == object
        or any(abs(a) >= SAFE or abs(b) >= SAFE for a, b in flat)  # a factor past 64 bits
    )
    out = np.zeros(n, dtype=object if wide else np.int64)
    left = np.ones(n, dtype=bool)
    category = cols[CATEGORY] if len(sets) > 1 else None
    cuts = [(lo, lo_closed, hi, hi_closed) for lo, lo_closed, hi, hi_closed, *_ in pieces]
    for k, hits in _bands(num, den, bound, cuts, left):
        for j, own in enumerate(coefficients):
            rows = hits if category is None else hits & (category == j)
            a, b = own[k]
            part = num[rows] if not wide else as_objects(num[rows])
            out[rows] = part * a + b if a else b
            if category is None:
                break
    if left.any():
        send_back(cols, left)  # outside every band (the domain): the per-unit program reports it
    return IntColumn(out, out_den, out_bound)


def compile_graded(
    ind: IndicatorPlan,
    categories: tuple[str, ...] | None,
    compile_node: Any,
    unsupported: type[Exception],
    compile_steps: Any,
    scope_key: str | None = None,
) -> tuple[Any, set[str]]:
    """The column step of an indicator graded by a scale, and the data columns it reads.

    *compile_node* compiles a formula's tree to a function of the columns
    (the program's own compiler), *compile_steps* the indicator's steps
    (:func:`perfrules.scoring.colparts.compile_steps`); the value graded is a
    data column or what the indicator's steps compute. With *scope_key*, the
    scope after the steps is left among the columns under it (see :func:`kept`).

    Raises:
        unsupported: a form this does not compile, saying which (the indicator named).
    """
    scale = ind.ind.scale
    assert scale is not None
    why = scale_why(ind, categories)
    if why is None:
        why = value_why(ind)
    if why is not None:
        raise unsupported(f"indicator {ind.code}: {why}")
    name = ind.ind.value if ind.ind.value is not None else scale.variable
    assert name is not None
    run_steps, reads, targets = compile_steps(ind, compile_node, unsupported)
    if name not in targets:
        reads.add(name)

    def value(cols: dict[str, Any], n: int) -> IntColumn:
        if not targets:
            return cols[name]  # type: ignore[no-any-return]
        scope = run_steps(cols, n)
        kept(scope, cols, scope_key)
        leave_steps(ind, scope, cols)  # (colreach follows the formulas over the steps' values)
        return as_number(scope[name], cols)  # (a step's truth value graded: the indicator's error)

    try:
        return compile_scale(ind, value, categories), reads
    except ValueError as exc:
        raise unsupported(f"indicator {ind.code}: {exc}") from None


def kept(scope: dict[str, Any], cols: dict[str, Any], key: str | None) -> None:
    """Leave *scope* (after an indicator's steps) among *cols* under *key* (if any) for its zero
    rules, adjustments and vetoes (:func:`perfrules.scoring.colpoints.scale_mechanics`), without the
    rows its steps marked: those are on *cols* already."""
    if key is not None:
        cols[key] = {k: v for k, v in scope.items() if k not in (SEND_BACK, ZERO_DIVISOR)}


def _bands(num: Any, den: int, bound: int, cuts: Any, left: Any) -> Any:
    """For each band (in order) the rows of ``num / den`` it holds that no earlier band took, as
    ``(index, rows)``; *left* (updated) keeps the rows no band holds. ``num/den`` against a boundary
    ``p/q`` is compared as ``num × q`` against ``p × den``, in 64 bits where that fits."""
    np = numpy()
    for k, (lo, lo_closed, hi, hi_closed) in enumerate(cuts):
        hits = left.copy()
        for limit, closed, low in ((lo, lo_closed, True), (hi, hi_closed, False)):
            if limit is None:
                continue
            f = as_fraction(limit)
            p, q = f.numerator, f.denominator
            fits = bound * q < SAFE and abs(p) * den < SAFE and num.dtype != object
            lhs, rhs = (num if fits else as_objects(num)) * q, p * den
            beyond = (lhs < rhs) if low else (lhs > rhs)
            hits &= ~np.asarray(beyond | ((lhs == rhs) & (not closed)), dtype=bool)
        if hits.any():
            yield k, hits
        left &= ~hits
        if not left.any():
            return


def grades(scale: GradeScale, numerators: Any, den: int) -> list[str | None]:
    """The grades of ``numerators / den`` by a threshold scale's bands, compared exactly at once;
    None where no band holds (the scale then says what is wrong) or the scale has no bands."""
    return band_names(scale)[band_index(scale, numerators, den)].tolist()  # type: ignore[no-any-return]


def band_names(scale: GradeScale) -> Any:
    """The names of a threshold scale's bands in order, then None (an object array): indexed by
    :func:`band_index`, they give the grades."""
    return numpy().array([c[0] for c in scale.cuts] + [None], dtype=object)


def band_index(scale: GradeScale, numerators: Any, den: int) -> Any:
    """Which band of a threshold scale holds each ``numerators / den`` (int64; the number of bands
    where none holds it, or the scale has no bands), compared exactly at once."""
    np = numpy()
    n = len(numerators)
    cuts = scale.cuts
    band = np.full(n, len(cuts), dtype=np.int64)
    if not cuts:
        return band
    t, bound = numerators, SAFE
    if scale.precision is not None:
        # Values are rounded half up to the scale's precision first (as classify_number does).
        t, den = round_half_up_column(as_objects(t), den, scale.precision), 10**scale.precision
    elif t.dtype != object:  # compared in 64 bits where the products fit (see _bands)
        bound = int(np.abs(t).max(initial=0)) + 1
    left = np.ones(n, dtype=bool)
    for k, hits in _bands(t, den, bound, [c[1:] for c in cuts], left):
        band[hits] = k
    return band


def limits(ind: IndicatorPlan, category: str | None) -> tuple[Any, Any]:
    """The lower and upper limit the program holds the indicator's scores in (none for a scale's
    score: the per-unit program does not bound it either)."""
    if ind.ind.scale is not None:
        return None, None
    return ind.lower(), ind.upper(category)
