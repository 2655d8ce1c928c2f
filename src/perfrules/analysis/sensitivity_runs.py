"""The runs of :func:`perfrules.sensitivity`: varied schemes, scored in one or more processes; Sobol' indices.

Every run is the scheme as published with some weights changed, and perhaps
a policy's alternative, a group's mean or a scale's boundaries (built with
``attrs.evolve`` through :func:`~perfrules.analysis.reweight.rebuild` and
:mod:`perfrules.analysis.variants`, so checked like any scheme), scored by
:func:`perfrules.evaluate` — the one engine. A variant made by discrete
choices alone is built, and its plan compiled, once per process. Runs
are independent, so ``jobs`` > 1 sends chunks of them to worker processes and
puts the outcomes back in run order: the same runs give the same result
whatever the number of processes.

The variance-based indices use SALib (the ``sensitivity`` extra): its Sobol'
sequence (Saltelli's scheme) picks the runs and its estimators (Jansen's for
the total effect, Saltelli 2010's for the first order) with bootstrap
confidence intervals attribute the variance of each unit's rank to the
uncertain inputs.
"""

from __future__ import annotations

import math
import multiprocessing
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from typing import Any

import attrs

from .._numbers import as_fraction, to_number
from ..results.model import evaluate
from ..scheme.model import Scheme
from ..scheme.tree import Group
from ..scheme.units import Unit
from .reweight import Column, WeightTable, rebuild, sibling_sets, weight_table
from .variants import with_aggregate, with_boundaries, with_policy

__all__ = [
    "InputIndex",
    "Outcome",
    "Variation",
    "analyse",
    "base_samples",
    "design",
    "discrete",
    "renormalised",
    "run_variations",
    "salib",
    "varied",
]


@attrs.frozen(kw_only=True)
class Variation:
    """One run's changes to the scheme as published.

    Attributes:
        weights: indicator code → factor (absent: 1).
        groups: top-level group index → factor (absent: 1).
        choices: the discrete factors' choices, each ``(kind, key, choice)``:
            ``("policy", "default-score", "top")``, ``("aggregate", "groups[0]", "geometric")``
            (see :mod:`perfrules.analysis.variants`).
        shifts: ``(scale, δ)``: the boundaries of the overall grading
            (``overall``) or of an indicator's scale (its code) move by δ.
    """

    weights: Mapping[str, Fraction] = attrs.field(factory=dict)
    groups: Mapping[int, Fraction] = attrs.field(factory=dict)
    choices: tuple[tuple[str, str, str], ...] = ()
    shifts: tuple[tuple[str, Fraction], ...] = ()


Outcome = tuple[tuple[int | None, str | None], ...]
"""One run's (rank, grade) of each unit, in the order the units were given."""

_CHUNK = 16
"""Runs sent to a worker process at a time."""

_CACHE = 256
"""Variant schemes (with their compiled plans) kept per process, by their discrete choices."""


@attrs.frozen(kw_only=True)
class InputIndex:
    """The Sobol' indices of one uncertain input for one target (a unit's rank, or the mean rank shift).

    Estimates (floats), each with the half-width of its 95% bootstrap
    confidence interval.

    Attributes:
        input: the uncertain input: ``weight:<code>`` (an indicator's weight),
            ``group:<name>`` (a top-level group's weight), ``policy:default-score``
            (the score "no data" defaults give within their grade),
            ``boundary:<scale>`` (the shift of a scale's band boundaries:
            ``overall`` or an indicator's code), ``policy:<name>`` (a policy's
            alternatives), ``aggregate:<group>`` (a group's mean).
        first: the first-order index S1: the share of the target's variance
            this input explains alone.
        first_conf: the half-width of S1's confidence interval.
        total: the total-effect index ST: the share explained by this input
            with all its interactions (ST ≥ S1 up to estimation error).
        total_conf: the half-width of ST's confidence interval.
    """

    input: str
    first: float
    first_conf: float
    total: float
    total_conf: float

    def to_record(self) -> dict[str, Any]:
        """Plain data, rounded to 4 places, as ``perfrules sensitivity --format json`` writes."""
        return {
            "input": self.input,
            "first": round(self.first, 4),
            "first_conf": round(self.first_conf, 4),
            "total": round(self.total, 4),
            "total_conf": round(self.total_conf, 4),
        }


def salib() -> tuple[Any, Any]:
    """SALib's Sobol' sampler and analyser, imported when first needed.

    Raises:
        ImportError: SALib is not installed; the message names the extra.
    """
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("variance-based indices need SALib: pip install 'perfrules[sensitivity]'") from None
    return sample, analyze


def renormalised(scheme: Scheme, table: WeightTable, factors: Mapping[str, Fraction]) -> WeightTable:
    """*table* with each indicator scaled by its factor, each set of siblings scaled back to its sum."""
    columns = scheme.weight_columns()
    out: WeightTable = {code: dict(row) for code, row in table.items()}
    for _, _, codes in sibling_sets(scheme):
        if len(codes) < 2:
            continue  # the group's one indicator keeps the group's subtotal
        for col in columns:
            subtotal = sum((table[c][col] for c in codes), Fraction(0))
            scaled = {c: table[c][col] * factors.get(c, Fraction(1)) for c in codes}
            spread = sum(scaled.values(), Fraction(0))
            if spread == 0 or spread == subtotal:
                for c in codes:
                    out[c][col] = scaled[c]
                continue
            ratio = subtotal / spread
            for c in codes:
                out[c][col] = scaled[c] * ratio
    return out


def discrete(scheme: Scheme, choices: Sequence[tuple[str, str, str]]) -> Scheme:
    """The scheme with the discrete choices of one run: policies' alternatives and groups' means."""
    for kind, key, choice in choices:
        scheme = with_policy(scheme, key, choice) if kind == "policy" else with_aggregate(scheme, key, choice)
    return scheme


def varied(
    scheme: Scheme,
    table: WeightTable,
    variation: Variation,
    cache: dict[tuple[tuple[str, str, str], ...], Scheme] | None = None,
) -> Scheme:
    """The scheme with one run's changes applied, exactly.

    First the discrete choices (:func:`discrete`; the variant is taken from
    *cache* when an earlier run made the same choices, so its plan is
    compiled once), then the boundary shifts
    (:func:`~perfrules.analysis.variants.with_boundaries`). Then each indicator's
    factor, with its siblings scaled back to their sum (:func:`renormalised`);
    then every indicator under top-level group *i* is scaled by that group's
    factor and, in every weight column, all weights are scaled together back
    to the column's total. Groups that declare a subtotal get their new one,
    so the result is a valid scheme. None of the discrete choices or shifts
    changes a weight, so *table* (the published scheme's weights) holds for
    the variant too.
    """
    if variation.choices:
        base = None if cache is None else cache.get(variation.choices)
        if base is None:
            base = discrete(scheme, variation.choices)
            if cache is not None:
                if len(cache) >= _CACHE:
                    del cache[next(iter(cache))]
                cache[variation.choices] = base
        scheme = base
    scheme = with_boundaries(scheme, dict(variation.shifts))
    factors, group_factors = variation.weights, variation.groups
    weights = renormalised(scheme, table, factors)
    if all(f == 1 for f in group_factors.values()):
        return rebuild(scheme, weights)
    columns = scheme.weight_columns()
    for index, factor in group_factors.items():
        for ind in scheme.groups[index].indicators():
            row = weights[ind.code]
            for col in columns:
                row[col] *= factor
    for col in columns:
        before = sum((row[col] for row in table.values()), Fraction(0))
        after = sum((row[col] for row in weights.values()), Fraction(0))
        if after:
            for row in weights.values():
                row[col] *= before / after
    subtotals: dict[str, dict[Column, Fraction]] = {}
    for path, node in scheme.paths():
        if isinstance(node, Group):
            codes = [ind.code for ind in node.indicators()]
            subtotals[path] = {col: sum((weights[c][col] for c in codes), Fraction(0)) for col in columns}
    return rebuild(scheme, weights, subtotals)


# ---------------------------------------------------------------------------
# Running: in this process, or in worker processes (spawned)
# ---------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start(scheme: Scheme, units: Sequence[Unit]) -> None:
    _WORKER["scheme"] = scheme
    _WORKER["units"] = units
    _WORKER["table"] = weight_table(scheme)
    _WORKER["cache"] = {}


def _score(
    scheme: Scheme,
    units: Sequence[Unit],
    table: WeightTable,
    variations: Sequence[Variation],
    cache: dict[tuple[tuple[str, str, str], ...], Scheme],
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for variation in variations:
        evaluation = evaluate(varied(scheme, table, variation, cache), units, explained=False)
        outcomes.append(tuple((r.rank, r.grade) for r in evaluation.results))
    return outcomes


def _run(variations: Sequence[Variation]) -> list[Outcome]:
    """In a worker process: score a chunk with the scheme and units its initializer received."""
    return _score(_WORKER["scheme"], _WORKER["units"], _WORKER["table"], variations, _WORKER["cache"])


def run_variations(
    scheme: Scheme,
    units: Sequence[Unit],
    variations: Sequence[Variation],
    *,
    jobs: int = 1,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Outcome]:
    """Score the units under each variation; the outcomes in the variations' order.

    With ``jobs`` > 1 the runs go to that many worker processes (``spawn``)
    in chunks; the outcomes are the same as in one process.
    """
    total = len(variations)
    done = 0
    outcomes: list[Outcome] = []
    if jobs <= 1 or total <= _CHUNK:
        table = weight_table(scheme)
        cache: dict[tuple[tuple[str, str, str], ...], Scheme] = {}
        for variation in variations:
            outcomes.extend(_score(scheme, units, table, [variation], cache))
            done += 1
            if progress is not None:
                progress(done, total, f"run {done}")
        return outcomes
    chunks = [variations[i : i + _CHUNK] for i in range(0, total, _CHUNK)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        mp_context=context,
        initializer=_start,
        initargs=(scheme, tuple(units)),
    ) as pool:
        for chunk, result in zip(chunks, pool.map(_run, chunks), strict=True):
            outcomes.extend(result)
            done += len(chunk)
            if progress is not None:
                progress(done, total, f"run {done}")
    return outcomes


# ---------------------------------------------------------------------------
# Sobol' design and indices (SALib)
# ---------------------------------------------------------------------------


def base_samples(runs: int, inputs: int) -> int:
    """The smallest power of two N (at least 8) with N·(inputs + 2) ≥ *runs*: the Saltelli design's base size.

    >>> base_samples(200, 3), base_samples(10, 1)
    (64, 8)
    """
    n = 8
    while n * (inputs + 2) < runs:
        n *= 2
    return n


def design(names: Sequence[str], runs: int, seed: int) -> list[tuple[Fraction, ...]]:
    """Saltelli's design for these inputs on [0, 1]: N·(D + 2) points, each coordinate read exactly.

    N is :func:`base_samples`; the Sobol' sequence is scrambled with *seed*.
    """
    sample, _ = salib()
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    n = base_samples(runs, len(names))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's advice on skip_values; the design is as documented
        points = sample.sample(problem, n, calc_second_order=False, seed=seed)
    return [tuple(as_fraction(to_number(float(x))) for x in row) for row in points]


def analyse(names: Sequence[str], values: Sequence[float], seed: int) -> tuple[InputIndex, ...] | None:
    """The first-order and total indices of each input for one target over the design's runs.

    None when the target never changed (there is no variance to attribute),
    or changed too seldom for an estimate.
    """
    if len(set(values)) < 2:
        return None
    _, analyze = salib()
    import numpy

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = analyze.analyze(
            problem,
            numpy.asarray(values, dtype=float),
            calc_second_order=False,
            num_resamples=200,
            conf_level=0.95,
            seed=seed,
        )
    estimates = [found[key][i] for key in ("S1", "S1_conf", "ST", "ST_conf") for i in range(len(names))]
    if not all(math.isfinite(float(x)) for x in estimates):
        return None  # no variance among the design's base runs (it showed only in the mixed ones)
    return tuple(
        InputIndex(
            input=name,
            first=float(found["S1"][i]),
            first_conf=float(found["S1_conf"][i]),
            total=float(found["ST"][i]),
            total_conf=float(found["ST_conf"][i]),
        )
        for i, name in enumerate(names)
    )
