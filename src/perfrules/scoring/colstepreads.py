"""Rules that read other indicators' steps (``指标1·原始得分``), as columns of the batch.

A rule may read the value of one of another indicator's steps
(``指标<code>·<step>``). The per-unit program works such a value out on demand
(the tests' oracle, ``tests/oracle.py``): the read indicator's own steps that
the value depends on, run in their order on the unit's data (through the
indicator's ``inputs``) with ``分值`` its full points for the unit's category —
the raw step values, no zero rules, whether or not the indicator applies.

The column program does the same over the batch: each read step's closure is
compiled by the program's compiler (formula steps) and
:func:`perfrules.scoring.colparts.compile_part` (parts graded by their own
scale), run once per batch before the indicators are scored, and its target
column is put among the batch's columns under the name the rules read (a
step's truth value as it is: :mod:`~perfrules.scoring.coltruth`). A unit
whose value cannot be worked out there (a cell not a plain number, a division
by 0, a value outside a part's bands, a result it reads in turn that is not
there) is left under the batch's :data:`~perfrules.scoring.colresults.ABSENT`
(per read name, a bool array): each indicator reading it is decided there as
the per-unit program decides a reader whose reads fail
(:meth:`~perfrules.scoring.colresults.ResultReads.decide`: it does not apply,
or its own step words the read step's error), and a unit whose total's rules
read it has the total's error (:func:`total_unread`:
:mod:`~perfrules.scoring.coltotalerrors` words it). A step that
reads other indicators' scores in turn (``指标1得分``) is worked out as soon
as the scores it reads are among the batch's columns
(:mod:`perfrules.scoring.colresults` puts each there once scored, in the order
the per-unit program scores in). Steps whose values come from the population
(peer ratios, ranks, ``max_of`` …) are read by no valid scheme: the scheme's
check refuses such a read from an indicator's rules and from scheme-wide ones
(a total formula, adjustments, vetoes; :func:`perfrules.scheme.reads.check_rule_step_reads`),
the value being there only while its indicator is scored. A step of an
indicator reported per period is worked out on the unit's year row too, as the
per-unit program works it out (its periods are not read). A step
that reads other indicators' steps in turn (``指标2·c`` reading ``指标1·b``) has
those worked out first, in the same way, each once per batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._intcols import numpy
from ..formula.language import Formula
from ..scheme.reads import FULL_NAME, step_result_reads
from ..scheme.steps import Part, step_closure, step_target
from .colfull import full_column, fulls_of
from .colfuncs import compile_value
from .colparts import compile_part
from .colreach import reaching
from .colresults import ABSENT, ResultReads
from .colsteps import SEND_BACK, ZERO_DIVISOR
from .plan import Plan

__all__ = ["StepReads", "step_reads_of", "total_unread"]

_PENDING = "\0step reads pending"  # per run: the read steps waiting for the scores they read
_UNPLAIN = "\0step reads unplain"  # (in a step's scope: per name it reads, where the cell is not plain)


class _Read:
    """One read step: its compiled closure, the data columns it reads and ``分值`` per category."""

    __slots__ = ("follows", "fulls", "inputs", "needs", "reads", "steps", "target")

    def __init__(
        self,
        target: str,
        steps: list[tuple[str, Any]],
        reads: frozenset[str],
        inputs: Mapping[str, str],
        fulls: list[Fraction] | None,
        needs: frozenset[str] = frozenset(),
        follows: Sequence[tuple[Any, frozenset[str]]] = (),
    ) -> None:
        self.target = target
        self.steps = steps
        self.reads = reads
        self.inputs = inputs
        self.fulls = fulls
        self.needs = needs  # the other indicators' scores it reads (指标1得分)
        # Per step: where it stops at a cell that is not a plain number (colreach.reaching; None: not
        # followed, any such cell it reads stops it), and the names it reads.
        self.follows = follows


class StepReads:
    """The steps of other indicators that a plan's rules read (see the module's docstring)."""

    def __init__(
        self,
        plan: Plan,
        names: set[str],
        compile_node: Any,
        unsupported: type[Exception],
        results: ResultReads | None = None,
    ) -> None:
        self.read: dict[str, _Read] = {}
        for name in _in_order(plan, names):
            code, target = plan.results[name]
            assert target is not None
            ind = plan.indicators[plan.index[code]]
            needs = step_result_reads(ind.ind, target, plan.results)
            if results is None and any(plan.results[r][1] is None for r in needs):
                raise unsupported(f"rules read a step that reads other indicators' scores ({name})")
            needed = {step_target(s) for s in step_closure(ind.steps, [target])}
            steps: list[tuple[str, Any]] = []
            reads: set[str] = set()
            targets: set[str] = set()
            follows: list[tuple[Any, frozenset[str]]] = []
            for step in ind.steps:
                own = step_target(step)
                if own not in needed:
                    continue
                try:
                    if isinstance(step, Formula):
                        if step.population_calls:
                            raise unsupported("population values")
                        steps.append((own, compile_value(step.tree, compile_node, unsupported)))
                        reads |= step.variables - targets
                        follows.append(
                            (reaching(step.tree, _UNPLAIN, compile_node, unsupported), step.variables)
                        )
                    elif isinstance(step, Part):
                        fn, graded = compile_part(step, unsupported)
                        steps.append((own, fn))
                        reads |= graded - targets
                        follows.append((None, frozenset(graded)))
                    else:  # a peer ratio or rank: not worked out on demand
                        raise unsupported(f"a {type(step).__name__} step")
                except unsupported as exc:
                    raise unsupported(f"rules read {name}, whose step {own}: {exc}") from None
                targets.add(own)
            fulls = fulls_of(ind) if FULL_NAME in reads else None
            mapping = dict(ind.ind.inputs)
            data = frozenset(mapping.get(r, r) for r in reads - {FULL_NAME} - needs)
            self.read[name] = _Read(target, steps, data, mapping, fulls, needs, follows)
        self.reads = frozenset().union(*(r.reads for r in self.read.values()))
        if results is not None and any(r.needs for r in self.read.values()):
            results.after.append(self._ready)  # once the scores they read are published

    def run(
        self, cols: dict[str, Any], columns: Mapping[str, tuple[Any, Any]], n: int
    ) -> dict[str, tuple[Any, Any]]:
        """Each read step's column put among *cols* (and *columns*, with where it is a number); the
        units where one cannot be worked out left on *cols* (:data:`~perfrules.scoring.colresults.ABSENT`)."""
        cols.setdefault(ABSENT, {})
        out = dict(columns)
        pending = {}
        for name, read in self.read.items():  # (a step read after the steps it reads: _in_order)
            if any(need not in cols for need in read.needs):  # a score, or a step waiting for one
                pending[name] = read
            else:
                self._one(name, read, cols, out, n)
        if pending:
            cols[_PENDING] = (out, pending)
        return out

    def _ready(self, cols: dict[str, Any], n: int) -> None:
        """Work out the read steps whose scores they read are now among *cols* (colresults)."""
        found = cols.get(_PENDING)
        if found is None:
            return
        out, pending = found
        for name, read in list(pending.items()):
            if all(need in cols for need in read.needs):
                self._one(name, read, cols, out, n)
                del pending[name]

    @staticmethod
    def _one(name: str, read: _Read, cols: dict[str, Any], out: dict[str, Any], n: int) -> None:
        """One read step's column among *cols* and *out* (with where it is worked out: not where a
        result it reads in turn is absent)."""
        absent = cols[ABSENT]
        scope = {k: v for k, v in cols.items() if k not in (SEND_BACK, ZERO_DIVISOR)}
        for local, field in read.inputs.items():
            if field in cols:
                scope[local] = cols[field]
        if read.fulls is not None:
            scope[FULL_NAME] = full_column(read.fulls, cols, n)
        for target, fn in read.steps:
            scope[target] = fn(scope, n)
        bad = _stopped(read, scope, out, n)
        for need in read.needs:
            bad = bad | absent[need]
        if SEND_BACK in scope:
            bad = bad | scope[SEND_BACK]
        absent[name] = bad
        cols[name] = scope[read.target]
        out[name] = (cols[name], ~bad)


def _stopped(read: _Read, scope: dict[str, Any], out: Mapping[str, tuple[Any, Any]], n: int) -> Any:
    """The rows where *read*'s steps (worked out in *scope*) stop at a cell that is not a plain number
    (*out*: the data columns with where each cell is one): where a step reads it, as the per-unit
    program does (not in the branch of ``if`` not taken: :func:`~perfrules.scoring.colreach.reaching`),
    or, for a step whose reach is not followed, wherever it reads one; or where a step divides by 0
    or which comes first is not known."""
    np = numpy()
    unplain = {}  # per name the steps read: where its cell is not a plain number (steps' values: none)
    for field in read.reads:
        unplain[field] = ~out[field][1]
    for local, field in read.inputs.items():
        if field in unplain:
            unplain[local] = unplain[field]
    none = np.zeros(n, dtype=bool)
    bad = none.copy()
    for reach, names in read.follows:
        if reach is None:
            for name in names:
                bad |= unplain.get(name, none)
            continue
        given = {name: unplain.get(name, none) for name in names}
        own = {k: v for k, v in scope.items() if k not in (SEND_BACK, ZERO_DIVISOR)}
        bad |= reach({**own, _UNPLAIN: given}, n)
    return bad


def total_unread(plan: Plan, cols: dict[str, Any]) -> Any:
    """The units whose total's rules read a step the batch's columns *cols* could not work out (a bool
    array; None: none): the per-unit program reads the results the total's rules name before them, and
    the unit's error is the read's (:mod:`~perfrules.scoring.coltotalerrors` words it)."""
    absent = cols.get(ABSENT, {})
    found = None
    for name in plan.total_reads & absent.keys():
        if plan.results[name][1] is not None:
            found = absent[name] if found is None else found | absent[name]
    return found


def _in_order(plan: Plan, names: set[str]) -> list[str]:
    """The step reads among *names* and the other steps they read in turn (``指标2·c`` reading
    ``指标1·b``), each after the steps it reads (the names cannot read each other in a cycle: the
    scheme's check refuses one)."""
    order: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        code, target = plan.results[name]
        assert target is not None
        ind = plan.indicators[plan.index[code]].ind
        for need in sorted(step_result_reads(ind, target, plan.results)):
            if plan.results[need][1] is not None:
                visit(need)
        order.append(name)

    for name in sorted(names):
        visit(name)
    return order


def step_reads_of(
    plan: Plan,
    names: set[str],
    compile_node: Any,
    unsupported: type[Exception],
    results: ResultReads | None = None,
) -> StepReads | None:
    """The step reads among *names* (result names), compiled (None: there are none); with *results*
    (the plan's reads of scores), read steps that read scores too."""
    steps = {name for name in names if plan.results[name][1] is not None}
    return StepReads(plan, steps, compile_node, unsupported, results) if steps else None
