"""Rank sensitivity: how far each unit's rank depends on the weights (Monte Carlo).

The question a published ranking invites is whether 3rd place would still be
3rd had the weights been set a little differently. Like the uncertainty
analysis of the JRC's COINr and COIN Tool, :func:`sensitivity` scores the
units again under many randomly perturbed weightings and reports, for each
unit, the interval its rank stays in (5th to 95th percentile), the median rank
and how often it received each grade.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

import attrs

from .._errors import expect_scheme
from .._numbers import as_fraction, exact, round_half_up, tidy_decimal, to_number
from ..formula.language import normalize_name
from ..pipeline.parallel import job_count
from ..results.model import evaluate
from ..scheme.model import Scheme
from ..scheme.tree import Group
from ..scheme.units import Unit
from .reweight import rebuild, sibling_sets, weight_table
from .sensitivity_result import Sensitivity, _summary, _tally
from .sensitivity_runs import (
    InputIndex,
    Variation,
    analyse,
    design,
    discrete,
    renormalised,
    run_variations,
    salib,
)
from .variants import (
    AGGREGATES,
    DEFAULT_SCORES,
    OVERALL,
    POLICY_CHOICES,
    aggregate_groups,
    boundary_limit,
    policy_choices,
    shiftable_scales,
)

# Sensitivity, the type sensitivity() returns, is named here too for callers of the function.
__all__ = ["Sensitivity", "perturb", "sensitivity"]


def perturb(scheme: Scheme, factors: Mapping[str, object]) -> Scheme:
    """The scheme with each indicator's weights scaled by a factor, then renormalised exactly.

    Every weight column of indicator *code* is multiplied by ``factors[code]``
    (1 when absent); then, in each column, the indicators directly under each
    group are scaled together so that their sum is what it was. So every
    group's subtotal — declared or not — and the scheme's total hold exactly,
    and the result is a valid scheme. A group with a single indicator keeps
    its weight whatever the factor; weights of 0 stay 0.

    Args:
        scheme: the scheme.
        factors: indicator code → a positive factor (read exactly; floats by their repr).

    Returns:
        The perturbed scheme (the same object when nothing changes).

    Raises:
        KeyError: an unknown indicator code.
        ValueError: a factor is not positive.

    >>> from perfrules import load
    >>> xiamen = load("xiamen-xiangan-2020")
    >>> changed = perturb(xiamen, {"1": 2})       # 1 doubles, then 差异化指标 is scaled back to 420
    >>> changed.indicator("1").weight, changed.indicator("2").weight
    (Decimal('56'), Decimal('28'))
    """
    expect_scheme(scheme, Scheme, "perturb()")
    table = weight_table(scheme)
    exact_factors: dict[str, Fraction] = {}
    for code, value in factors.items():
        if code not in table:
            scheme.indicator(code)  # raises KeyError with close codes
            code = scheme.indicator(code).code
        factor = as_fraction(to_number(value, name=f"factor of '{code}'"))
        if factor <= 0:
            raise ValueError(f"factor of '{code}' must be positive (got {value!r})")
        exact_factors[code] = factor
    return rebuild(scheme, renormalised(scheme, table, exact_factors))


def sensitivity(
    scheme: Scheme,
    units: Iterable[Unit],
    *,
    runs: int = 200,
    seed: int | None = None,
    weight_spread: object = 0.2,
    group_spread: object = 0,
    vary_default_score: bool = False,
    boundary_shift: object = 0,
    boundary_scales: str | Iterable[str] = "all",
    vary_policies: Iterable[str] = (),
    vary_aggregate: bool | Iterable[str] = False,
    indices: bool = False,
    jobs: int = 1,
    progress: Callable[[int, int, str], None] | None = None,
) -> Sensitivity:
    """How far each unit's rank and grade depend on the scheme's judgements: Monte-Carlo uncertainty.

    Two uncertainties can vary, each scaled by a factor drawn uniformly:

    - **indicator weights** (``weight_spread`` X): every indicator's weight
      (all its category columns alike) is scaled by a factor in [1−X, 1+X]
      and renormalised exactly (see :func:`perturb`): in every column the
      indicators directly under each group are scaled back to their sum, so
      the group subtotals, the declared subtotals and the total all hold. A
      group with one indicator cannot shift weight inside itself.
    - **group weights** (``group_spread`` Y): every top-level group's weight
      (all the indicators under it together) is scaled by a factor in
      [1−Y, 1+Y], then every weight column is scaled back to its total; the
      groups' declared subtotals follow. A scheme with one top-level group
      has nothing to vary here.

    and these judgements besides:

    - **band boundaries** (``boundary_shift`` d): each chosen threshold
      scale (``boundary_scales``: ``"all"``, ``"overall"``, ``"indicators"``,
      or a list of indicator codes and ``"overall"``) has all its
      boundaries between bands moved by one δ drawn uniformly from [−d, d],
      in the scale's own units (a boundary written ``90%`` by δ %, one
      written ``90`` or ``90分`` by δ); the ends of its domain and one-point
      bands (``=100%``) stay. One δ per scale keeps the bands' widths and
      order, so every run's scale is valid. A scale of whole counts, or
      with ``precision``, moves by whole steps of its values.
    - **policies' alternatives** (``vary_policies``, any of
      ``default-score``, ``not-applicable``, ``grade-match``, ``caps``,
      ``veto``; their alternatives are listed in the sensitivity how-to): each is a
      discrete factor; every run picks one of the scheme's alternatives,
      each equally likely. ``vary_default_score=True`` is
      ``vary_policies=["default-score"]``: every default that names
      ``midpoint``, ``top`` or ``bottom`` takes one of the three, the same in
      all of them.
    - **group means** (``vary_aggregate``: True for every group with two or
      more parts, or the groups' names): each group's ``aggregate`` is a
      discrete factor — ``sum``, ``geometric`` or ``harmonic`` — of its own.

    Each run builds the varied scheme with ``attrs.evolve`` (valid, checked
    like any scheme) and scores every unit with it through the same engine
    as :func:`perfrules.evaluate`; each unit's rank and overall grade are
    recorded. A variant that only discrete choices make is built and
    compiled once, then reused.

    Reported per unit: the nominal rank (the scheme as published),
    ``rank_low`` and ``rank_high`` — the 5th and 95th percentiles of its rank
    over the runs, by the nearest-rank method (each is a rank that happened;
    the low end is the better rank) — the median rank, the share of runs in
    each grade, the share of runs whose grade differs from the nominal one
    (``grade_changes``) and the grade interval (``grade_best`` to
    ``grade_worst``, the same percentiles of the grade's place). The
    interval describes where the rank *usually* falls; a unit balanced on a
    knife edge (say, tied with two others that any change of weights
    separates, one above it and one below) can have its nominal rank
    outside it.

    With ``indices=True`` (needs SALib: ``pip install 'perfrules[sensitivity]'``)
    every factor that can move is an uncertain input on [0, 1]:
    ``weight:<code>`` per indicator with siblings and ``group:<name>`` per
    top-level group (factor 1−X+2X·u), ``boundary:<scale>`` per scale
    (δ = d·(2u−1)), ``policy:<name>`` per policy and ``aggregate:<group>``
    per group. A discrete input with k alternatives takes the alternative
    ⌊k·u⌋ (u in the first k-th of [0, 1]: the first, …), the usual way to
    give SALib's continuous design a discrete factor. The runs are
    Saltelli's design from a scrambled Sobol' sequence: N·(D+2) runs for D
    inputs, N the smallest power of two (at least 8) that gives ``runs`` or
    more. Besides the rank intervals over those runs, the result gives
    variance-based (Sobol') indices — first order and total effect, each
    with a 95% bootstrap interval — of two targets: each unit's rank
    (``unit.indices``; ``unit.driver`` is the input with the largest total
    effect) and the mean rank shift, the mean over scored units of
    |rank − nominal rank| (``result.indices``).

    The draws are reproducible. Without indices: for each run one factor per
    indicator in the scheme's order, then (when ``group_spread`` > 0) one per
    top-level group, then the default score, then one δ per scale, one
    choice per other policy (in the order given) and one mean per group,
    from ``random.Random(seed)``, each float read exactly by its repr. With
    indices: the Sobol' sequence scrambled and the bootstrap drawn with
    ``seed``. The same seed gives the same result, with any ``jobs``;
    nothing varied gives every unit the interval [nominal, nominal].

    Args:
        scheme: the scheme as published.
        units: the units.
        runs: how many varied schemes to score (1 or more; with indices, the
            least number of runs of the design).
        seed: the random seed; by default one is drawn from the system and
            recorded in the result.
        weight_spread: X, with 0 ≤ X < 1 (0.2 means ±20%).
        group_spread: Y, with 0 ≤ Y < 1 (default 0: group weights as published).
        vary_default_score: also vary the score "no data" defaults give
            within their grade (bottom, midpoint, top).
        boundary_shift: d ≥ 0, in each scale's own units (default 0: the
            boundaries as published).
        boundary_scales: whose boundaries move (default ``"all"``).
        vary_policies: the policies whose alternatives to vary.
        vary_aggregate: vary groups' means (True: every group with two or
            more parts; or the groups' names).
        indices: also estimate the Sobol' indices (SALib).
        jobs: worker processes for the runs (0: every usable core); the
            result is the same as with 1.
        progress: called as ``progress(done, runs, label)`` after each run
            (after each chunk of runs with ``jobs`` > 1).

    Returns:
        The per-unit intervals and grade shares (and indices).

    Raises:
        ValueError: ``runs`` < 1, a spread outside [0, 1), a negative
            boundary shift or one that reaches a boundary that stays (the
            message names the scale and the largest shift it allows),
            ``jobs`` < 0, two units share a name, ``indices=True`` with
            nothing that varies, an unknown policy, scale or group, or a
            policy or boundary factor the scheme has nothing to vary for.
        ImportError: ``indices=True`` without SALib installed.

    >>> from perfrules import load, sample_units
    >>> result = sensitivity(load("xiamen-xiangan-2020"), sample_units("xiamen-xiangan-2020"),
    ...                      runs=20, seed=7)
    >>> first = result.units[0]
    >>> first.unit, first.rank, first.rank_low <= first.rank <= first.rank_high
    ('区文旅局', 1, True)
    """
    expect_scheme(scheme, Scheme, "perfrules.sensitivity()")
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ValueError(f"'runs' must be a whole number of at least 1 (got {runs!r})")
    spread = _spread(weight_spread, "weight_spread")
    group = _spread(group_spread, "group_spread")
    workers = job_count(jobs)
    if indices:
        salib()  # before anything is scored: a missing extra is said at once
    policy_names = _policy_names(vary_policies)
    if vary_default_score and "default-score" not in policy_names:
        policy_names.insert(0, "default-score")
    vary_default = "default-score" in policy_names
    if vary_default and not policy_choices(scheme, "default-score"):
        raise ValueError(
            'vary_default_score=True needs a "no data" default that gives a score within its grade '
            "(midpoint, top or bottom); this scheme has none"
        )
    shift, scales = _boundaries(scheme, boundary_shift, boundary_scales)
    policies = {name: policy_choices(scheme, name) for name in policy_names if name != "default-score"}
    for name, choices in policies.items():
        if not choices:
            raise ValueError(f"vary_policies: scheme '{scheme.name}' has nothing to vary for policy '{name}'")
    groups_varied = _aggregates(scheme, vary_aggregate)
    discrete_factors: list[tuple[str, str, str, tuple[str, ...]]] = [
        *(("policy", name, f"policy:{name}", choices) for name, choices in policies.items()),
        *(("aggregate", path, f"aggregate:{label}", AGGREGATES) for path, label in groups_varied.items()),
    ]
    for kind, key, _, choices in discrete_factors:  # each alternative alone must make a valid scheme
        for choice in choices:
            discrete(scheme, [(kind, key, choice)])
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    unit_list = list(units)
    nominal = evaluate(scheme, unit_list)
    codes = [ind.code for ind in scheme.indicators()]
    tops = range(len(scheme.groups)) if group > 0 else range(0)
    names: tuple[str, ...] = ()
    variations: list[Variation] = []
    if indices:
        movable = {c for _, _, cs in sibling_sets(scheme) if len(cs) > 1 for c in cs} if spread > 0 else set()
        weight_inputs = [c for c in codes if c in movable]
        group_inputs = list(tops) if len(scheme.groups) > 1 else []
        names = (
            *(f"weight:{c}" for c in weight_inputs),
            *(f"group:{scheme.groups[i].name}" for i in group_inputs),
            *(["policy:default-score"] if vary_default else []),
            *(f"boundary:{key}" for key in scales),
            *(name for _, _, name, _ in discrete_factors),
        )
        if not names:
            raise ValueError(
                "indices=True needs something that varies: a weight_spread with a group of two or more "
                "indicators, a group_spread with two or more top-level groups, a boundary_shift, "
                "vary_default_score, vary_policies or vary_aggregate"
            )
        for point in design(names, runs, seed):
            coordinates = iter(point)
            weights = {c: 1 - spread + 2 * spread * next(coordinates) for c in weight_inputs}
            group_factors = {i: 1 - group + 2 * group * next(coordinates) for i in group_inputs}
            chosen = (
                [("policy", "default-score", _pick(DEFAULT_SCORES, next(coordinates)))]
                if vary_default
                else []
            )
            shifts = tuple((key, shift * (2 * next(coordinates) - 1)) for key in scales)
            chosen += [
                (kind, key, _pick(choices, next(coordinates))) for kind, key, _, choices in discrete_factors
            ]
            variations.append(
                Variation(weights=weights, groups=group_factors, choices=tuple(chosen), shifts=shifts)
            )
    else:
        rng = random.Random(seed)
        low, high = float(1 - spread), float(1 + spread)
        glow, ghigh = float(1 - group), float(1 + group)
        for _ in range(runs):
            # The factors are drawn before anything is scored, always in the
            # same order, so a seed means the same variants whatever the data.
            factors = {code: as_fraction(to_number(rng.uniform(low, high))) for code in codes}
            group_factors = {i: as_fraction(to_number(rng.uniform(glow, ghigh))) for i in tops}
            chosen = [("policy", "default-score", rng.choice(DEFAULT_SCORES))] if vary_default else []
            shifts = tuple(
                (key, as_fraction(to_number(rng.uniform(float(-shift), float(shift))))) for key in scales
            )
            chosen += [(kind, key, rng.choice(choices)) for kind, key, _, choices in discrete_factors]
            variations.append(
                Variation(weights=factors, groups=group_factors, choices=tuple(chosen), shifts=shifts)
            )
    outcomes = run_variations(scheme, unit_list, variations, jobs=workers, progress=progress)
    ranks, grades = _tally(nominal, outcomes)
    unit_indices: dict[str, tuple[InputIndex, ...] | None] = {}
    shift_indices: tuple[InputIndex, ...] | None = None
    if indices:
        nominal_ranks = {r.unit: r.rank for r in nominal.results if r.rank is not None}
        for name, history in ranks.items():
            if len(history) == len(outcomes):
                unit_indices[name] = analyse(names, [float(r) for r in history], seed)
        if ranks and all(len(h) == len(outcomes) for h in ranks.values()):
            shifts_of_runs = [
                float(sum(Fraction(abs(h[run] - nominal_ranks[n])) for n, h in ranks.items()) / len(ranks))
                for run in range(len(outcomes))
            ]
            shift_indices = analyse(names, shifts_of_runs, seed)
    alternatives = {
        **({"policy:default-score": DEFAULT_SCORES} if vary_default else {}),
        **{name: choices for _, _, name, choices in discrete_factors},
    }
    return Sensitivity(
        scheme=scheme,
        runs=len(outcomes),
        seed=seed,
        weight_spread=exact(spread),
        group_spread=exact(group),
        vary_default_score=vary_default,
        boundary_shift=exact(shift),
        boundary_scales=tuple(scales),
        alternatives=alternatives,
        inputs=names,
        indices=shift_indices,
        units=tuple(
            attrs.evolve(_summary(result, ranks, grades, nominal), indices=unit_indices.get(result.unit))
            for result in nominal.ranking()
        ),
    )


def _pick(choices: Sequence[str], u: Fraction) -> str:
    """The alternative for a design coordinate u in [0, 1]: the k-th of k equal parts of the interval.

    >>> _pick(("bottom", "midpoint", "top"), Fraction(1, 2)), _pick(("a", "b"), Fraction(1))
    ('midpoint', 'b')
    """
    return choices[min(int(u * len(choices)), len(choices) - 1)]


def _policy_names(value: Iterable[str]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    names: list[str] = []
    for name in value:
        if name not in POLICY_CHOICES:
            close = difflib.get_close_matches(str(name), list(POLICY_CHOICES), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(
                f"vary_policies: no policy '{name}' (the policies: {', '.join(POLICY_CHOICES)}){hint}"
            )
        if name not in names:
            names.append(name)
    return names


def _boundaries(scheme: Scheme, value: object, which: str | Iterable[str]) -> tuple[Fraction, list[str]]:
    """The boundary shift d and the scales it moves (``overall``, indicator codes), checked.

    *which* is read item by item: ``all``, ``indicators``, ``overall`` or an
    indicator's code or name adds scales, ``-<code>`` (or ``-overall``)
    takes one out again: ``["all", "-7"]``.
    """
    shift = as_fraction(to_number(value, name="boundary_shift"))
    if shift < 0:
        raise ValueError(f"boundary_shift must be 0 or more (got {value!r})")
    if shift == 0:
        return shift, []
    scales = shiftable_scales(scheme)
    keys: list[str] = []
    for item in [which] if isinstance(which, str) else list(which):
        text = str(item).strip()
        dropping = text.startswith("-")
        text = text[1:].strip() if dropping else text
        if text == "all":
            named = list(scales)
        elif text == "indicators":
            named = [k for k in scales if k != OVERALL]
        else:
            key = OVERALL if text == OVERALL else scheme.indicator(text).code  # KeyError names close codes
            if key not in scales:
                raise ValueError(
                    f"boundary_scales: {'the overall grading' if key == OVERALL else 'indicator ' + key} "
                    "has no threshold scale with a boundary that can move (only scales grading one value "
                    "by intervals have them)"
                )
            named = [key]
        keys = (
            [k for k in keys if k not in named] if dropping else [*keys, *(k for k in named if k not in keys)]
        )
    if not keys:
        raise ValueError(
            f"boundary_shift: scheme '{scheme.name}' has no threshold scale with boundaries to move "
            f"among boundary_scales {which!r}"
        )
    narrow = [
        (key, limit) for key in keys if (limit := boundary_limit(scales[key])) is not None and shift >= limit
    ]
    if narrow:
        shown = "; ".join(
            f"{'the overall grading' if key == OVERALL else 'indicator ' + scheme.indicator(key).label} "
            f"allows a shift below {_shown(limit)}"
            for key, limit in narrow
        )
        raise ValueError(
            f"boundary_shift {_shown(shift)} would move a boundary onto or past a value that stays (the end "
            f"of its scale's domain or a one-point band): {shown}; give a smaller shift, or leave those "
            f"scales out (boundary_scales {','.join(['all', *('-' + key for key, _ in narrow)])})"
        )
    return shift, keys


def _shown(value: Fraction) -> str:
    return str(tidy_decimal(round_half_up(value, 6)))


def _aggregates(scheme: Scheme, value: bool | Iterable[str]) -> dict[str, str]:
    """The groups whose means vary: path → the name their input carries."""
    if value is False:
        return {}
    available = aggregate_groups(scheme)
    if value is True:
        if not available:
            raise ValueError(f"vary_aggregate: scheme '{scheme.name}' has no group of two or more parts")
        return available
    if isinstance(value, str):
        value = [value]
    chosen: dict[str, str] = {}
    paths = dict(scheme.paths())
    for name in value:
        wanted = normalize_name(str(name))
        found = [p for p, label in available.items() if wanted in (label, normalize_name(paths[p].name))]
        if not found:
            groups = [
                p
                for p, node in paths.items()
                if isinstance(node, Group) and normalize_name(node.name) == wanted
            ]
            if groups:
                raise ValueError(f"vary_aggregate: group '{name}' has one part, so its mean is its part")
            close = difflib.get_close_matches(wanted, list(available.values()), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"vary_aggregate: no group '{name}' of two or more parts{hint}")
        for path in found:
            chosen[path] = available[path]
    return chosen


def _spread(value: object, name: str) -> Fraction:
    spread = as_fraction(to_number(value, name=name))
    if not 0 <= spread < 1:
        raise ValueError(f"'{name}' must be at least 0 and less than 1 (got {value!r})")
    return spread
