"""Population calls' arguments as column steps, over the formula steps they read (``max_of(增长率)``).

The per-unit program works out what a unit puts into ``max_of(x)`` …
(:func:`perfrules.scoring.population.observe`) on the scope
:meth:`~perfrules.scoring.indicator.IndicatorPlan.prerequisites` gives: the
unit's data with the indicator's steps the argument reads run on it (only
those, in order, without the zero rules on steps); a unit where a step or the
argument cannot be worked out puts nothing in. Over columns
(:mod:`perfrules.scoring.colpop`) the argument runs on the batch's columns
(through the indicator's ``inputs`` mapping, as ``env`` reads the data) with
those same steps run first, each compiled by the program's own compiler;
a row a step cannot keep exactly (a divisor of 0, a value past the limits) is
marked under :data:`~perfrules.scoring.colsteps.SEND_BACK`, and the batch's
population takes that unit's part one by one, the per-unit way.

Only formula steps are run so: an argument that reads a part, a peer ratio or
a rank, a step with population values of its own, or the full points
(``分值``) does not compile (:func:`argument_why` says which).
"""

from __future__ import annotations

from typing import Any

from ..formula.language import Formula
from ..scheme.reads import FULL_NAME
from ..scheme.steps import step_target
from .colapplies import mapped, mapped_reads
from .colsteps import SEND_BACK
from .indicator import IndicatorPlan

__all__ = ["argument_why", "compile_arguments"]


def _needed(ind: IndicatorPlan, names: set[str]) -> list[Any]:
    """The indicator's steps (in order) that the names read, directly or through other steps."""
    needed = ind._closure(names)
    return [step for step in ind.steps if step_target(step) in needed]


def argument_why(ind: IndicatorPlan) -> str | None:
    """Why an argument of the indicator's population calls does not compile (None: they all do)."""
    for call in ind.population_calls:
        names = set(call.argument.variables)
        steps = _needed(ind, names)
        if FULL_NAME in names or any(isinstance(s, Formula) and FULL_NAME in s.variables for s in steps):
            return f"indicator {ind.code}: a population value of the full points"
        for step in steps:
            if not isinstance(step, Formula):
                return f"indicator {ind.code}: a population value of a {type(step).__name__} step's value"
            if step.population_calls:
                return f"indicator {ind.code}: a population value of a step with population values"
    return None


def compile_arguments(
    ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception]
) -> list[tuple[str, str, Any, tuple[str, ...]]]:
    """Each population call's argument of the indicator compiled by *compile_node*, over the formula
    steps it reads: (key, function, column function, the data names it reads).

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
        for step in steps:
            compiled.append((step_target(step), compile_node(step.tree)))
            reads |= step.variables
        argument = _over(compiled, compile_node(call.argument.tree))
        # (Through the indicator's ``inputs`` mapping: local names read their data columns.)
        found.append(
            (
                call.key,
                call.function,
                mapped(ind, argument),
                tuple(sorted(mapped_reads(ind, reads - targets))),
            )
        )
    return found


def _over(steps: list[tuple[str, Any]], argument: Any) -> Any:
    """*argument* run on the batch's columns with *steps* run first (the units they send back marked
    on the batch's columns)."""
    if not steps:
        return argument

    def run(cols: dict[str, Any], n: int) -> Any:
        scope = dict(cols)
        for target, fn in steps:
            scope[target] = fn(scope, n)
        found = argument(scope, n)
        if SEND_BACK in scope:
            cols[SEND_BACK] = scope[SEND_BACK]
        return found

    return run
