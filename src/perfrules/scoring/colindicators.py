"""Each indicator of a plan compiled to a column step, and the data columns the steps read.

The column program (:mod:`perfrules.scoring.program`) asks this module for
each indicator's column step, by its form: a grading scale of one value
(:mod:`~perfrules.scoring.colscale`), a word scale or a scale over several
values (:mod:`~perfrules.scoring.colgraded`), a score formula over what the
indicator's steps compute (:mod:`~perfrules.scoring.colparts`), or one score
formula of data columns and population values; then its ``default … when``
policies (:mod:`~perfrules.scoring.coldefaults`), ``inputs`` mapping and
not-applicable rules (:mod:`~perfrules.scoring.colapplies`). A form none of
these takes raises the program's *unsupported* exception, naming the
indicator (``Plan.program_why``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._numbers import as_fraction
from ..scheme.reads import FULL_NAME
from . import (
    colapplies,
    colargs,
    coldefaults,
    colgraded,
    colparts,
    colpoints,
    colscale,
    colsteps,
    colwordconds,
    colwordnums,
)
from .indicator import IndicatorPlan
from .plan import Plan

__all__ = ["Indicators"]


class Indicators:
    """A plan's indicators as column steps (see the module's docstring)."""

    def __init__(self, plan: Plan, compile_node: Any, unsupported: type[Exception]) -> None:
        scheme = plan.scheme
        self.plan = plan
        fns = []
        reads: set[str] = set()
        self.reads_of: list[tuple[str, ...]] = []
        self.population: list[dict[str, str]] = []
        # Per indicator with not_applicable policies: (its position, where they hold, what they read).
        self.na_rules: list[tuple[int, Any, tuple[str, ...]]] = []
        self.arguments: list[tuple[IndicatorPlan, str, str, Any, tuple[str, ...], tuple[str, ...]]] = []
        # The indicators whose steps hold their scores within the limits themselves (a default outside
        # them is kept as it is: colpoints.free_defaults): the program holds none of theirs.
        self.own_limits: set[int] = set()
        # Columns of words (graded by word scales, or scales with levels) are read as text.
        words = set().union(*(colgraded.text_inputs(ind) for ind in plan.indicators))
        self.words = frozenset(words)
        conditioned: set[int] = set()  # (indicators whose rules read the words they grade: colwordconds)
        for k, ind in enumerate(plan.indicators):
            scale = ind.ind.scale
            if scale is not None:  # graded by a scale (colscale): bands by cross-multiplication
                # Steps reading population values (x/max_of(x)) read them as the batch's columns.
                steps_node, calls = self._population(ind, compile_node, unsupported)
                kept = colpoints.scale_scope_key(ind)  # the scope after its steps, for its rules
                if scale.is_categorical or not scale.is_threshold or scale.levels:
                    # Words, or several values: each distinct input graded by the scale once (colgraded).
                    fn, graded = colgraded.compile_looked_up(
                        ind, scheme.categories, steps_node, _steps_with_full, unsupported, kept
                    )
                else:
                    fn, graded = colscale.compile_graded(
                        ind, scheme.categories, steps_node, unsupported, _steps_with_full, kept
                    )
                worded = colwordconds.conditions_reading(plan, k, words)
                if worded:  # (its rules read the words it grades as numbers: colwordconds)
                    conditioned.add(k)
                    fn = colwordconds.keeping(fn, worded)
                # Zero rules on the indicator after the grading, adjustments and vetoes after the defaults.
                zeroed, finished, rules = colpoints.scale_mechanics(
                    ind, scheme.categories, compile_node, unsupported, steps_node
                )
                fn, conditions = coldefaults.with_defaults(  # (a condition may read max_of …, too)
                    ind,
                    zeroed(fn),
                    scheme.categories,
                    steps_node,
                    unsupported,
                    colpoints.defaulted_key(ind),
                    True,
                )
                fn = colapplies.mapped(ind, finished(fn))  # the inputs mapping: local names read data columns
                if worded:
                    fn = colwordconds.conditioned(fn, ind, worded, compile_node, unsupported)
                graded = colapplies.mapped_reads(ind, graded | conditions | rules)
                self._not_applicable(ind, k, compile_node, unsupported)
                fns.append(fn)
                self.population.append(calls)  # peer ratios, max_of …: population values
                reads |= graded
                self.reads_of.append(tuple(sorted(graded)))
                continue
            formula = ind.ind.score
            if formula is not None and (colpoints.takes(ind) or not self._plain(ind)):
                # 分值, zero rules, adjustments, vetoes, population values beside policies (colpoints).
                fn, names, calls = colpoints.compile_points(ind, scheme.categories, compile_node, unsupported)
                if colpoints.free_defaults(ind, scheme.categories):
                    self.own_limits.add(k)
                fns.append(colapplies.mapped(ind, fn))
                self.population.append(calls)
                self.arguments += [
                    (ind, *a) for a in colargs.compile_arguments(ind, compile_node, unsupported)
                ]
                names = colapplies.mapped_reads(ind, names)
                reads |= names
                self.reads_of.append(tuple(sorted(names)))
                self._not_applicable(ind, k, compile_node, unsupported)
                continue
            if formula is not None and ind.steps and not ind.population_calls:
                # A score formula over what the indicator's steps compute (colparts).
                defaulted = ind.no_data is not None and not colpoints.free_defaults(ind, scheme.categories)
                fn, names = colparts.compile_scored(ind, compile_node, unsupported, defaulted)
                if defaulted:
                    # The default for no data: on a division by 0, or a blank input the steps reach.
                    fn, _ = coldefaults.with_defaults(
                        ind, fn, scheme.categories, compile_node, unsupported, steps=True
                    )
                fns.append(colapplies.mapped(ind, fn))
                self.population.append(colparts.peer_columns(ind))  # peer ratios and ranks
                names = colapplies.mapped_reads(ind, names)
                reads |= names
                self.reads_of.append(tuple(sorted(names)))
                self._not_applicable(ind, k, compile_node, unsupported)
                continue
            if formula is None:
                raise unsupported(f"indicator {ind.code} is not one score formula of data columns")
            tree, calls = colsteps.population_names(formula.tree, ind.code)
            try:
                fns.append(compile_node(tree))
                self.arguments += [
                    (ind, *a) for a in colargs.compile_arguments(ind, compile_node, unsupported)
                ]
            except unsupported as exc:
                raise unsupported(f"indicator {ind.code}'s formula: {exc}") from None
            self.population.append(calls)
            reads |= formula.variables
            self.reads_of.append(tuple(sorted(formula.variables)))
        self.fns = fns
        # Peer ratios come from the population values worked out unit by unit (population.py).
        self.peers = any(ind.peer_steps for ind in plan.indicators)
        for _, _, condition_reads in self.na_rules:
            reads |= set(condition_reads)
        # (a not-applicable condition reading words is decided by its own code: colapplies)
        arithmetic = set().union(*(colgraded.number_inputs(ind, False) for ind in plan.indicators))
        # A word column read as a number too: its readers read its cells as numbers (a word is no plain
        # number: the reader's error where it reads one), or every row is the reader's error (colwordnums).
        self.numbers: dict[int, frozenset[str]] = {}
        for k, names in colwordnums.words_as_numbers(plan, words & arithmetic).items():
            if k in conditioned:
                continue
            if colwordnums.reads_as_numbers(plan, k, names):
                fns[k] = colwordnums.reading(fns[k], names)
                self.numbers[k] = frozenset(names)
                continue
            fns[k] = colwordnums.failing
            # (its step reads no population columns; its values are still gathered: the per-unit step
            # that words its error reads them, as the per-unit program does)
            self.population[k] = {}
        self.text_reads = tuple(sorted(reads & words))
        self.reads = tuple(sorted(reads - words))

    def limits(self, keys: Sequence[str | None]) -> dict[str | None, list[tuple[Any, Any]]]:
        """Per category key, each indicator's lower and upper limit that the program holds its scores
        in (None: none; none for a scale's score, nor for a step that holds its own)."""
        indicators = self.plan.indicators
        return {
            c: [
                (None, None) if k in self.own_limits else colscale.limits(ind, c)
                for k, ind in enumerate(indicators)
            ]
            for c in keys
        }

    def _population(
        self, ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception]
    ) -> tuple[Any, dict[str, str]]:
        """For an indicator graded by a scale: the compiler of its steps (population calls read as the
        batch's columns) and its population columns (each with its key); its calls' arguments are
        added to those the batch's population is gathered from (colargs)."""
        calls = colparts.peer_columns(ind)
        if not ind.population_calls:
            return compile_node, calls
        code = ind.code
        self.arguments += [(ind, *a) for a in colargs.compile_arguments(ind, compile_node, unsupported)]
        calls.update({f"{colsteps.POPULATION_PREFIX}{code}\0{c.key}": c.key for c in ind.population_calls})

        def steps_node(node: Any) -> Any:
            return compile_node(colsteps.population_names(node, code)[0])

        return steps_node, calls

    @staticmethod
    def _plain(ind: IndicatorPlan) -> bool:
        """Whether the indicator is a score formula of steps (colparts), or of data columns and
        population values without policies."""
        if ind.steps and not ind.population_calls:
            return True
        return (ind.direct or colsteps.only_population(ind)) and not ind.ind.inputs and not ind.not_applicable

    def _not_applicable(
        self, ind: IndicatorPlan, k: int, compile_node: Any, unsupported: type[Exception]
    ) -> None:
        found = colapplies.compile_not_applicable(ind, compile_node, unsupported, self.words)
        if found is not None:
            self.na_rules.append((k, found[0], tuple(sorted(found[1]))))


def _steps_with_full(
    ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception]
) -> tuple[Any, set[str], set[str]]:
    """:func:`perfrules.scoring.colparts.compile_steps` for an indicator graded by a scale, its steps
    reading ``分值`` (the indicator's full points for each row's category) as the per-unit program's
    scope gives it."""
    run, reads, targets = colparts.compile_steps(ind, compile_node, unsupported, full_points=True)
    if FULL_NAME not in reads:
        return run, reads, targets
    keys = ind.scheme.categories or (None,)
    fulls = [as_fraction(ind.full(c)) for c in keys]

    def with_full(cols: dict[str, Any], n: int) -> dict[str, Any]:
        given = {**cols, FULL_NAME: colpoints.full_column(fulls, cols, n)}
        scope: dict[str, Any] = run(given, n)
        if colsteps.SEND_BACK in given:
            cols[colsteps.SEND_BACK] = given[colsteps.SEND_BACK]
        return scope

    return with_full, reads - {FULL_NAME}, targets
