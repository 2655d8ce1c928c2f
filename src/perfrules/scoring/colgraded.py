"""Indicators graded by a word scale or a scale over several values, as a column step.

The per-unit program grades such an indicator
(:meth:`~perfrules.scoring.indicator.IndicatorPlan._grade`) on the scope after
its steps: a word scale grades the value named by ``value`` (审计结论: 好 →
95分), a scale of conditions grades the values its conditions read; the
score is the grade's points as printed, or its score (midpoint …) in the
indicator's own units. Over columns the steps run as the indicator's other
column steps do (:mod:`perfrules.scoring.colparts`) and the grading is a
lookup of each distinct input, graded once by the scale itself
(:mod:`perfrules.scoring.collookup`).

:func:`text_inputs` names the data columns such scales read as words: the
column program reads them as text, not numbers, as the data readers do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._intcols import IntColumn, numpy
from .._numbers import as_fraction
from ..scheme.reads import FULL_NAME
from ..scheme.steps import Part
from .colblank import (
    bands_read,
    first_graded,
    leave_steps,
    takes_no_value,
    unnamed,
)
from .collevels import graded_lookups, record_graded
from .collookup import compile_lookup, scale_inputs
from .colscale import kept, value_why
from .colsteps import CATEGORY, SEND_BACK, ZERO_DIVISOR, on_scope, send_back
from .indicator import IndicatorPlan

__all__ = ["GRADED_BLANK", "compile_looked_up", "number_inputs", "text_inputs"]

GRADED_BLANK = "\0graded blank"
"""Where a batch's columns hold the rows a word scale found no word to grade in, or a scale with levels
graded first no value (a bool array), for an indicator with a default for no data:
:func:`~perfrules.scoring.coldefaults.with_defaults` takes them where nothing stops the unit first
(colreach, :func:`~perfrules.scoring.colblank.first_graded`), and sends the others back."""


def text_inputs(ind: IndicatorPlan) -> set[str]:
    """The data names the indicator's scale and parts read as words (through its ``inputs`` mapping):
    not its steps' values, which a scale with levels reads as the numbers they are."""
    found: set[str] = set()
    if ind.ind.scale is not None:
        found |= scale_inputs(ind.ind.scale, ind.ind.value)[1]
    for step in ind.steps:
        if isinstance(step, Part):
            text = scale_inputs(step.scale, step.of)[1]
            if (
                step.of is not None
                and step.scale.levels
                and not step.scale.is_categorical
                and len(step.scale.variables) == 1
            ):
                text = {step.of}
            found |= text
    return {ind.ind.inputs.get(name, name) for name in found - ind.targets}


def number_inputs(ind: IndicatorPlan, not_applicable: bool = True) -> set[str]:
    """The names the indicator's formulas, conditions and threshold scales read (as numbers, through
    ``inputs``); without *not_applicable*, those its not-applicable conditions read only."""
    found: set[str] = set()
    skip = set() if not_applicable else {id(p.when) for p in ind.not_applicable if p.when is not None}
    for formula in ind._formulas():  # steps, the score formula, policies' conditions
        if id(formula) not in skip:
            found |= formula.variables
    scales = [(ind.ind.scale, ind.ind.value)] if ind.ind.scale is not None else []
    scales += [(step.scale, step.of) for step in ind.steps if isinstance(step, Part)]
    for scale, of in scales:  # threshold scales grade numbers
        if not scale.is_categorical and not scale.levels:
            found |= set(scale.variables) | ({of} if of is not None else set())
    return {ind.ind.inputs.get(name, name) for name in found}


def compile_looked_up(
    ind: IndicatorPlan,
    categories: Sequence[str] | None,
    compile_node: Any,
    compile_steps: Any,
    unsupported: type[Exception],
    scope_key: str | None = None,
) -> tuple[Any, set[str]]:
    """The column step of an indicator graded by a word scale or a scale of conditions, and the names
    it reads (*compile_steps* compiles its steps: :func:`perfrules.scoring.colparts.compile_steps`;
    with *scope_key*, the scope after them is left among the columns:
    :func:`~perfrules.scoring.colscale.kept`).

    Raises:
        unsupported: policies other than those compiled beside (defaults, not applicable, zero rules
            on a step's value), vetoes, population values, or a step this does not compile.
    """
    scale = ind.ind.scale
    assert scale is not None
    # (An indicator's scale gives scores: the scheme's checks refuse ``scoring = "none"`` there.)
    why = value_why(ind)
    if why is not None:
        raise unsupported(f"indicator {ind.code}: {why}")
    # A score from the scale's range becomes the indicator's points by the row's category's factor.
    factors = [ind.scale_factor(c) for c in (categories or (None,))]
    codes = [CATEGORY] if len(set(factors)) > 1 else []
    key = ind.ind.value
    renamed: dict[str, str] = {}  # the value graded, by the name the scale reads it by
    if scale.is_categorical:
        if key is None:
            return _unnamed(ind, compile_node, compile_steps, unsupported, scope_key)
        names, text = [key], {key}
    elif key is not None and scale.variable is not None and key != scale.variable:
        # A threshold scale with levels on a value renamed for it: the per-unit program grades the
        # scope with the scale's variable given the value's (_grade); the value is a number, as the
        # data readers read it (they read the scale's own variable as words, not the value).
        names, text, renamed = [key], set(), {key: scale.variable}
    else:
        names, text = scale_inputs(scale, None)

    def grade(values: Any) -> Any:
        values = dict(values)
        factor = factors[values.pop(CATEGORY, 0)]
        if renamed:
            values = {renamed[name]: v for name, v in values.items()}
        result = scale.grade(values[key] if scale.is_categorical else values)
        if result.score is None:
            raise ValueError("the scale gives no score")
        return (
            result.score if result.scoring == "points" or factor == 1 else as_fraction(result.score) * factor
        )

    run_steps, reads, targets = (
        compile_steps(ind, compile_node, unsupported) if ind.steps else (None, set(), set())
    )
    # A scale with levels graded first, with a default for no data: the rows where it finds no word are
    # left to the default (GRADED_BLANK), which takes those the per-unit program's takes (colblank).
    first = not scale.is_categorical and first_graded(ind) is not None
    no_value = (GRADED_BLANK, takes_no_value(ind)) if first else None
    lookup = compile_lookup(names, text, grade, codes, no_value)
    reads |= set(names) - targets

    # A scale of conditions with a default for no data: the rows its lookup refuses are left to the
    # default (GRADED_BLANK), which takes those whose conditions reach a blank first (colreach: the
    # lookup graded the blank as 0), and sends the others back.
    refused = ind.no_data is not None and bands_read(ind) is not None

    # A scale with levels: the rows it grades read no blank cell it did not reach (colblank.graded_only).
    place = len(ind.steps)
    if any(at == place for at, _ in graded_lookups(ind)):
        lookup = record_graded(lookup, ind.code, place, (SEND_BACK, GRADED_BLANK))

    def run(cols: dict[str, Any], n: int) -> Any:
        if run_steps is None:
            before = cols.get(SEND_BACK)
            col = lookup(cols, n)
        else:
            scope = run_steps(cols, n)
            kept(scope, cols, scope_key)
            leave_steps(ind, scope, cols)  # (colreach follows the formulas over the steps' values)
            before = cols.get(SEND_BACK)
            col = on_scope(lookup, scope, cols, n)
            if scope.get(GRADED_BLANK) is not None:  # (rows its lookup found no value in: the default's)
                cols[GRADED_BLANK] = scope[GRADED_BLANK]
        after = cols.get(SEND_BACK)
        if refused and after is not None and after is not before:
            cols[GRADED_BLANK] = after if before is None else after & ~before
            cols[SEND_BACK] = after & ~cols[GRADED_BLANK]
        return col

    if not scale.is_categorical or ind.no_data is None:
        return run, reads
    assert key is not None

    def blank_words(cols: dict[str, Any], n: int) -> Any:
        """The rows the lookup sends back because the value to grade is blank are left under
        GRADED_BLANK instead: the default for no data decides them (coldefaults)."""
        before = cols.get(SEND_BACK)
        col = run(cols, n)
        after = cols.get(SEND_BACK)
        if after is None or after is before:
            return col
        words = cols.get(key)
        if words is None:
            return col
        np = numpy()
        new = after if before is None else after & ~before
        none = np.array([v is None for v in words], dtype=bool) & new
        if none.any():
            cols[GRADED_BLANK] = none
            cols[SEND_BACK] = after & ~none
        return col

    return blank_words, reads


def _unnamed(
    ind: IndicatorPlan,
    compile_node: Any,
    compile_steps: Any,
    unsupported: type[Exception],
    scope_key: str | None,
) -> tuple[Any, set[str]]:
    """A word scale without ``value``: the per-unit program finds no value to grade for any unit (a
    missing input, :meth:`~perfrules.scoring.indicator.IndicatorPlan._grade`), after the steps. Every
    row is the default for no data's where the indicator has one and it takes the row (as a division
    by 0 is: :mod:`~perfrules.scoring.coldefaults`; a default naming its inputs takes it where one of
    them is blank, or where it names the code: :class:`~perfrules.scoring.colblank.Unnamed`), else the
    indicator's error (its step raises: marked for it). A row whose steps stop at a blank input is
    marked by the program for its own step to decide, but where that default takes it."""
    found = unnamed(ind)  # (None: no default for no data)
    run_steps, reads, _ = compile_steps(ind, compile_node, unsupported) if ind.steps else (None, set(), set())

    def run(cols: dict[str, Any], n: int) -> Any:
        np = numpy()
        if run_steps is not None:
            scope = run_steps(cols, n)
            kept(scope, cols, scope_key)
            if SEND_BACK in scope:
                send_back(cols, scope[SEND_BACK])
        zero = cols.get(ZERO_DIVISOR)
        if zero is None:  # (no default for no data: the indicator's error on every row)
            send_back(cols, np.ones(n, dtype=bool))
        else:
            takes = found.takes(cols, n) | found.code if found is not None else np.ones(n, dtype=bool)
            send_back(cols, ~takes & ~zero)  # (no value to grade, and the default does not take it)
            zero |= takes  # in place: every copy of the scope shares it
        return IntColumn(np.zeros(n, dtype=np.int64), 1, 0)

    return run, reads | (
        set(ind.no_data.missing) - ind.targets - {FULL_NAME} if ind.no_data is not None else set()
    )
