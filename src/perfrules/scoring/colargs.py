"""Population calls' arguments as column steps, over the formula steps they read (``max_of(增长率)``).

The per-unit program works out what a unit puts into ``max_of(x)`` …
(:func:`perfrules.scoring.population.observe`) on the scope
:meth:`~perfrules.scoring.indicator.IndicatorPlan.prerequisites` gives: the
unit's data with the indicator's steps the argument reads run on it (only
those, in order, without the zero rules on steps); a unit where a step or the
argument cannot be worked out puts nothing in. Over columns
(:mod:`perfrules.scoring.colpop`) the argument runs on the batch's columns
(through the indicator's ``inputs`` mapping, as ``env`` reads the data) with
those same steps run first, each compiled by the program's own compiler (a
``part`` grading one number by a threshold scale too, as a rank's value is
read: :mod:`~perfrules.scoring.colrank`), and ``分值`` the full points of each
row's category, as ``prerequisites`` gives them; a row a step cannot keep
exactly (a divisor of 0, a value past the limits) is marked under
:data:`~perfrules.scoring.colsteps.SEND_BACK`, and the batch's population takes
that unit's part one by one, the per-unit way.

A part over words (or a scale with levels) grades each unit's cell as it is:
the batch's columns hold those data columns as words too (under :data:`WORDS`,
:func:`~perfrules.scoring.collookup.text_column`), and the part's own scale
grades each distinct word once (:func:`~perfrules.scoring.collookup.compile_lookup`);
a part over several values grades each distinct combination of them so. A
cell the scale cannot grade (a blank word, a word not in the scale) is a row
the argument cannot work out: that unit puts nothing in, as ``observe`` skips
it. A step's truth value in the argument is such a row too (``observe`` puts
no truth value in: :mod:`~perfrules.scoring.coltruth`). (A peer ratio, a rank
or a step with population values of its own are refused by the scheme's
checks: :func:`argument_why` says which.)
"""

from __future__ import annotations

from typing import Any

from ..formula.language import Formula
from ..scheme.reads import FULL_NAME
from ..scheme.steps import Part, step_target
from .colapplies import mapped, mapped_reads
from .colfull import full_column, fulls_of
from .colfuncs import compile_value
from .collookup import scale_inputs
from .colparts import compile_part
from .colsteps import SEND_BACK
from .indicator import IndicatorPlan

__all__ = ["WORDS", "argument_why", "compile_arguments"]

WORDS = "\0argument words\0"
"""Where the batch's columns hold a data column as words (a part over words grades them), before its name."""


def _needed(ind: IndicatorPlan, names: set[str]) -> list[Any]:
    """The indicator's steps (in order) that the names read, directly or through other steps."""
    needed = ind._closure(names)
    return [step for step in ind.steps if step_target(step) in needed]


def argument_why(ind: IndicatorPlan) -> str | None:
    """Why an argument of the indicator's population calls does not compile (None: they all do)."""
    for call in ind.population_calls:
        for step in _needed(ind, set(call.argument.variables)):
            if isinstance(step, Part):
                continue
            if not isinstance(step, Formula):
                return f"indicator {ind.code}: a population value of a {type(step).__name__} step's value"
            if step.population_calls:
                return f"indicator {ind.code}: a population value of a step with population values"
    return None


def compile_arguments(
    ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception]
) -> list[tuple[str, str, Any, tuple[str, ...], tuple[str, ...]]]:
    """Each population call's argument of the indicator compiled by *compile_node*, over the formula
    steps it reads: (key, function, column function, the data names it reads as numbers, and those it
    reads as words: a part's over words, given to the argument under :data:`WORDS` + name).

    Raises:
        unsupported: a form :func:`argument_why` names, or a formula that does not compile.
    """
    why = argument_why(ind)
    if why is not None:
        raise unsupported(why)
    found = []
    for call in ind.population_calls:
        steps = _needed(ind, set(call.argument.variables))
        targets = {step_target(s) for s in steps}
        reads = set(call.argument.variables)
        compiled = []
        words: set[str] = set()  # the names read as words (a part over words or levels: collookup)
        for step in steps:
            if isinstance(step, Part):
                fn, graded = compile_part(step, unsupported)
                compiled.append((step_target(step), fn))
                reads |= graded
                words |= scale_inputs(step.scale, step.of)[1] - targets
            else:
                compiled.append((step_target(step), compile_value(step.tree, compile_node, unsupported)))
                reads |= step.variables
        fulls = fulls_of(ind) if FULL_NAME in reads else None
        argument = _over(compiled, compile_node(call.argument.tree), fulls)
        # (Through the indicator's ``inputs`` mapping: local names read their data columns.)
        fields = tuple(sorted(mapped_reads(ind, words)))
        found.append(
            (
                call.key,
                call.function,
                _worded(mapped(ind, argument), fields),
                tuple(sorted(mapped_reads(ind, reads - targets - words - {FULL_NAME}))),
                fields,
            )
        )
    return found


def _worded(argument: Any, fields: tuple[str, ...]) -> Any:
    """*argument* with the data columns *fields* its words (the batch's columns under :data:`WORDS`)."""
    if not fields:
        return argument

    def run(cols: dict[str, Any], n: int) -> Any:
        scope = {**cols, **{field: cols[WORDS + field] for field in fields}}
        found = argument(scope, n)
        if SEND_BACK in scope:
            cols[SEND_BACK] = scope[SEND_BACK]
        return found

    return run


def _over(steps: list[tuple[str, Any]], argument: Any, fulls: list[Any] | None) -> Any:
    """*argument* run on the batch's columns with *steps* run first (the units they send back marked
    on the batch's columns), and ``分值`` the full points of each row's category where *fulls* (per
    category) is given."""
    if not steps and fulls is None:
        return argument

    def run(cols: dict[str, Any], n: int) -> Any:
        scope = dict(cols)
        if fulls is not None:
            scope[FULL_NAME] = full_column(fulls, cols, n)
        for target, fn in steps:
            scope[target] = fn(scope, n)
        found = argument(scope, n)
        if SEND_BACK in scope:
            cols[SEND_BACK] = scope[SEND_BACK]
        return found

    return run
