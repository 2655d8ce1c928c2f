"""An indicator's steps as column steps: formulas, and parts graded by scales of their own.

The per-unit program runs an indicator's steps in order on one unit's scope
(:meth:`~perfrules.scoring.indicator.IndicatorPlan._score_once`): a formula
step computes its target; a ``part`` step grades a value by the part's own
scale and its target is the grade's score — as the scale gives it, never
multiplied into the indicator's points (:func:`_grade_part`); after each
step, the ``zero`` rules on its target (:mod:`perfrules.scoring.colzero`).
Over columns each step is a column of the batch's scope: a formula by the
program's compiler, a part on a threshold scale of one value by
:func:`perfrules.scoring.colscale.grade_column` (band decisions by
cross-multiplication; a value outside every band leaves its unit to the
per-unit program, which reports it), a part on a word scale or on several
values by :mod:`perfrules.scoring.collookup` (each distinct input graded once
by the part's scale); a peer ratio (the unit's ratio against its peers'
pooled ratio) is the batch's population value for the unit, worked out
once per batch by :mod:`perfrules.scoring.population` and handed in as a
column. A rank step (a unit's place, or its points by place) is such a population value too: the
batch's ranks come in as a column (:mod:`perfrules.scoring.colrank` works them out over columns).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .._intcols import numpy
from ..formula.language import Formula
from ..scheme.policies import Default, NotApplicable, ZeroWhen
from ..scheme.reads import FULL_NAME
from ..scheme.steps import Part, PeerRatio, Rank, step_target
from .colblank import PART_BLANK, leave_steps
from .colfuncs import compile_value
from .collevels import PART_LACKING, graded_lookups, level_word, levels_part, record_graded
from .collookup import compile_lookup, scale_inputs
from .colreach import STEPS_LEFT
from .colscale import grade_column, pieces
from .colsteps import DIVISIONS, POPULATION_PREFIX, SEND_BACK, ZERO_DIVISOR, on_scope, send_back
from .coltruth import TruthColumn, as_number
from .colzero import compile_zero_rules, zeroed
from .indicator import IndicatorPlan

__all__ = ["MARK_TRAIL", "compile_part", "compile_scored", "compile_steps", "peer_column", "peer_columns"]

_ONE = Fraction(1)

MARK_TRAIL = "\0marks after each step"
"""Where the batch's columns may hold a list: :func:`compile_steps` appends the rows marked under
:data:`~perfrules.scoring.colsteps.SEND_BACK` after each step (and its zero rules), and those that
divided by 0 under :data:`~perfrules.scoring.colsteps.ZERO_DIVISOR` (each None: none yet), in order,
so that a default for no data tells the marks made before a step from those after it
(:mod:`~perfrules.scoring.coldefaults`)."""


def compile_part(part: Part, unsupported: type[Exception], lacking: bool = False) -> tuple[Any, set[str]]:
    """A function of the scope's columns giving the part's scores, and the names it grades. (The
    scheme's checks refuse a part's scale without scores, ``scoring = "none"``, and a word scale
    without ``of``.) *lacking*: a part graded by a scale with levels over several values
    (:func:`~perfrules.scoring.collevels.levels_part`) of an indicator with a default for no data
    leaves the rows where its conditions reach no value to that default, where the scope says so
    (:data:`~perfrules.scoring.collevels.PART_LACKING`: :func:`_lacking`).

    Raises:
        unsupported: a threshold scale :func:`~perfrules.scoring.colscale.pieces` cannot cut.
    """
    scale = part.scale
    if scale.is_categorical or not scale.is_threshold or len(scale.variables) != 1 or scale.levels:
        # Words, or several values (or none: conditions that read no value grade every row alike):
        # each distinct input graded once by the part's scale (collookup).
        if not scale.is_categorical and part.of is not None and len(scale.variables) != 1:
            # The per-unit program grades the scope by the scale's own values, once ``of`` is there
            # (_grade_part): ``of`` is read (a unit without it is that step's error), not graded.
            names, text = scale_inputs(scale, None)
            fn = compile_lookup(names, text, lambda v: _score(scale.grade(v)), **_no_value(lacking))
            return _lacking(fn, part.target) if lacking else fn, {*names, part.of}
        names, text = scale_inputs(scale, part.of)
        of = part.of
        if scale.is_categorical:
            assert of is not None
            return compile_lookup(names, text, lambda v: _score(scale.grade(v[of]))), {of}
        if of is not None:
            (variable,) = scale.variables
            return compile_lookup(
                [of], {of} if scale.levels else set(), lambda v: _score(scale.grade({variable: v[of]}))
            ), {of}
        fn = compile_lookup(names, text, lambda v: _score(scale.grade(v)), **_no_value(lacking))
        return _lacking(fn, part.target) if lacking else fn, set(names)
    (variable,) = scale.variables
    name = part.of if part.of is not None else variable
    try:
        cut = pieces(scale, _ONE)
    except ValueError as exc:
        raise unsupported(f"part {part.target}: {exc}") from None
    precision = scale.precision

    def run(scope: dict[str, Any], n: int) -> Any:  # (a truth value graded: the step's error there)
        return grade_column(as_number(scope[name], scope), cut, precision, scope)

    return run, {name}


_NO_VALUE = "\0part no value"  # (where a part's lookup leaves the rows it found no value in, and their names)


def _no_value(lacking: bool) -> dict[str, Any]:
    """The lookup's arguments that leave the rows without a value under :data:`_NO_VALUE` (*lacking*)."""
    return (
        {"no_value": (_NO_VALUE, lambda name, values: True), "named": _NO_VALUE + " names"} if lacking else {}
    )


def _lacking(fn: Any, target: str) -> Any:
    """A part's lookup (*fn*) whose rows without a value (:func:`_no_value`) are left under the scope's
    ``PART_BLANK`` and, with their names, ``PART_LACKING`` (both filled in place: the default for no
    data decides them); where the scope has neither, they are sent back (that step's error)."""

    def run(scope: dict[str, Any], n: int) -> Any:
        col = fn(scope, n)
        rows = scope.pop(_NO_VALUE, None)
        names = scope.pop(_NO_VALUE + " names", None)
        if rows is None:
            return col
        held, found = scope.get(PART_BLANK), scope.get(PART_LACKING)
        if held is None or found is None:
            send_back(scope, rows)
        else:
            held |= rows
            found[target] = names
        return col

    return run


def peer_column(code: str, target: str) -> str:
    """The column under which the batch's peer ratios of indicator *code*'s step *target* come in
    (the program's population columns, :func:`perfrules.scoring.colsteps.population_columns`)."""
    return f"{POPULATION_PREFIX}{code}\0{target}"


def peer_columns(ind: IndicatorPlan) -> dict[str, str]:
    """The indicator's peer-ratio and rank columns, each with its population key (the step's target)."""
    return {peer_column(ind.code, s.target): s.target for s in ind.peer_steps}


def _score(result: Any) -> Any:
    if result.score is None:
        raise ValueError("the scale gives no score")
    return result.score


def compile_steps(
    ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception], *, full_points: bool = False
) -> tuple[Any, set[str], set[str]]:
    """A function of the batch's columns giving the scope after the indicator's steps (the columns and
    each step's target), the data names the steps read, and the targets. With *full_points* the
    columns hold ``分值`` (:mod:`perfrules.scoring.colpoints`), and steps may read it.

    Raises:
        unsupported: a step this does not compile, saying which (the indicator named).
    """
    steps: list[tuple[str, Any]] = []
    reads: set[str] = set()
    targets: set[str] = set()
    zero_rules, zero_reads = compile_zero_rules(ind, compile_node, unsupported)
    levels = {place for place, _ in graded_lookups(ind)}  # (parts graded by a scale with levels)
    for k, step in enumerate(ind.steps):
        target = step_target(step)
        try:
            if isinstance(step, Formula):
                if FULL_NAME in step.variables and not full_points:
                    raise unsupported("a step that reads the full points")
                steps.append((target, compile_value(step.tree, compile_node, unsupported)))
                names = set(step.variables)
            elif isinstance(step, Part):
                fn, graded = compile_part(
                    step, unsupported, ind.no_data is not None and levels_part(step)
                )  # (a truth value graded: its error there)
                if step.of is not None and (step.scale.is_categorical or level_word(step)):  # (a blank word)
                    fn = _words_part(fn, step.of)
                if k in levels:  # (the rows it graded: its words stop nothing there, colblank)
                    fn = record_graded(fn, ind.code, k, (SEND_BACK, PART_BLANK))
                steps.append((target, fn))
                names = graded
            elif isinstance(step, PeerRatio | Rank):  # the batch's population values, as a column
                column = peer_column(ind.code, target)
                steps.append((target, lambda scope, n, column=column: scope[column]))
                names = set()
            else:
                raise unsupported(f"a {type(step).__name__} step")
        except unsupported as exc:
            raise unsupported(f"indicator {ind.code}'s step {target}: {exc}") from None
        reads |= (names | zero_reads.get(target, set())) - targets
        targets.add(target)

    def run(cols: dict[str, Any], n: int) -> dict[str, Any]:
        scope = dict(cols)
        trail = scope.get(DIVISIONS)
        marks = scope.get(MARK_TRAIL)
        for target, fn in steps:
            if trail is not None:  # a recording run: which step the divisions after this are in
                trail.append(target)
            scope[target] = zeroed(zero_rules, target, fn(scope, n), scope, n)
            if marks is not None:  # (the divisions by 0 so far: the array is shared, so a copy)
                zero = scope.get(ZERO_DIVISOR)
                marks.append((scope.get(SEND_BACK), None if zero is None else zero.copy()))
        if SEND_BACK in scope:
            cols[SEND_BACK] = scope[SEND_BACK]
        return scope

    return run, reads, targets


def compile_scored(
    ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception], leave: bool = False
) -> tuple[Any, set[str]]:
    """The column step of an indicator whose score formula reads what its steps compute (Shenzhen 6:
    ``(网上申请得分+网上查询得分+在线处理得分)/3``), and the data names it reads. The program holds
    the score within the indicator's limits afterwards, as ``bound`` does.

    Raises:
        unsupported: a policy other than not-applicable rules, zero rules on a step's value and a
            default for no data; vetoes; population values; a step or formula this does not compile.
    """
    formula = ind.ind.score
    assert formula is not None
    # Defaults: the first without ``when`` is the default for no data; the per-unit program reads no
    # other (and those with ``when`` go to colpoints, as zero rules on the indicator, adjustments and
    # vetoes do: colpoints.takes).
    others = [
        p
        for p in ind.ind.policies
        if not isinstance(p, Default | NotApplicable)
        and not (isinstance(p, ZeroWhen) and p.target is not None)
    ]
    if others:
        kinds = ", ".join(sorted({type(p).__name__ for p in others}))
        raise unsupported(f"indicator {ind.code}: a score formula with policies ({kinds})")
    if ind.vetoes or ind.population_calls or FULL_NAME in formula.variables:
        raise unsupported(
            f"indicator {ind.code}: a score formula with vetoes, population values or full points"
        )
    run_steps, reads, targets = compile_steps(ind, compile_node, unsupported)
    try:
        score = compile_node(formula.tree)
    except unsupported as exc:
        raise unsupported(f"indicator {ind.code}'s formula: {exc}") from None
    reads |= set(formula.variables) - targets

    left = STEPS_LEFT + ind.code if ind.steps and ind.no_data is None and not ind.periodic else None

    def run(cols: dict[str, Any], n: int) -> Any:
        scope = run_steps(cols, n)
        if leave:  # (colreach follows the formulas over the steps' values: coldefaults takes them)
            leave_steps(ind, scope, cols)
        elif left is not None:  # (and so does colreach.Unread, without a default for no data)
            cols[left] = {k: v for k, v in scope.items() if k not in (SEND_BACK, ZERO_DIVISOR)}
        return on_scope(score, scope, cols, n)

    return run, reads


def _words_part(fn: Any, of: str) -> Any:
    """A ``part`` over words (*fn*: its lookup, grading the word *of*) whose rows without a word are left
    under ``colblank.PART_BLANK`` rather than sent back, where the scope has it (see there). Where *of*
    holds a step's value that is a truth value (coltruth), no row holds a blank word: *fn* grades each
    as it is (the scale refuses a truth value: that step's error)."""

    def run(scope: dict[str, Any], n: int) -> Any:
        if isinstance(scope.get(of), TruthColumn):
            return fn(scope, n)
        held = scope.get(PART_BLANK)
        before = scope.get(SEND_BACK)
        col = fn(scope, n)
        after = scope.get(SEND_BACK)
        if held is None or after is None or after is before:
            return col
        np = numpy()
        none = np.array([v is None for v in scope[of]], dtype=bool) & (
            after if before is None else after & ~before
        )
        held |= none  # in place: every copy of the scope shares it
        scope[SEND_BACK] = after & ~none
        return col

    return run
