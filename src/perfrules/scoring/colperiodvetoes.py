"""Vetoes of indicators reported per period, decided on each unit's year row for a batch's columns.

An indicator reported per period (a ``frequency``) is scored by the per-unit
program on each period a unit reports; its vetoes are then decided once, on
the unit's year data (:meth:`~perfrules.scoring.compiled.CompiledIndicator.veto_fired`:
the year's data through the indicator's ``inputs``, with its step values
beside it) — not on a period's values. The column program scores such an
indicator over period rows (:mod:`perfrules.scoring.colperiods`), where its
compiled vetoes see the period's values; so this module decides the vetoes
again where the per-unit program does: each condition compiled by
:func:`perfrules.scoring.colconds.compile_condition` and run over the batch's
year columns. Where one fires, it is recorded as the indicator's vetoes that
fire (:func:`perfrules.scoring.colvetoes.record`, in place of what the
indicator's own step recorded), so that :func:`~perfrules.scoring.colvetoes.take`
gives the unit the veto's note and effect as it does for any indicator's veto.
A unit where a condition reaches a cell that is not a plain number (as the
per-unit program reads it: ``and``/``or`` stop at the operand that decides,
:func:`~perfrules.scoring.colconds.compile_condition`'s *raising*), or cannot
be worked out, is left to the indicator's own step (its error, by
:mod:`~perfrules.scoring.colfailures`); the indicator's column step does not
read the cells only its vetoes read. A veto that reads a step's value
(完成率<50) reads, as the per-unit program's does, the values of the unit's
last period row the indicator was scored on (``IndicatorPlan.combined`` keeps
them), of the summed inputs with ``periods = "sum"``, or of the year's row for
a unit without periods: the indicator's column step leaves its step columns
(:func:`perfrules.scoring.colvetoes.leave`) and :mod:`~perfrules.scoring.colperiods`
takes each unit's row of them. A default gives no step values: the rows a
default took go to the indicator's own step (:data:`~perfrules.scoring.colvetoes.DEFAULTED`).

``分值`` is the indicator's full points for the unit's category
(:func:`perfrules.scoring.colfull.with_full`), and a population value
(``max_of(率1)`` …) the year's, as ``veto_fired`` reads them: the batch's
population columns of period ``None`` (:func:`perfrules.scoring.colsteps.population_columns`),
pooled among the units scored on their year's row (with ``periods = "sum"``,
on their sums). A unit scored on its periods with the mean or the last period
has no such value: the per-unit program's condition raises there, so where a
veto reaches a population value the unit lacks, the indicator's own step words
the error (``扣分>分值 or 率1<max_of(率1)`` does not reach it where 扣分 > 分值).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from .._intcols import numpy
from ..formula.language import POPULATION_FUNCTIONS
from ..formula.tree import Call, Name, Node, children
from ..scheme.reads import FULL_NAME
from .colapplies import mapped, mapped_reads
from .colconds import compile_condition
from .colfull import with_full
from .colsteps import SEND_BACK, ZERO_DIVISOR, population_names
from .colvetoes import DEFAULTED, STEPS, record
from .indicator import IndicatorPlan
from .plan import Plan

__all__ = ["PeriodVetoes", "period_vetoes"]


class PeriodVetoes:
    """The vetoes of a plan's indicators reported per period (see the module's docstring)."""

    def __init__(self, plan: Plan, compile_node: Any, unsupported: type[Exception]) -> None:
        # Per indicator with such vetoes: its position, its conditions compiled, the data columns they read.
        self.checks: list[tuple[int, list[Any], frozenset[str]]] = []
        # Per indicator with such vetoes: the population columns its conditions read.
        self.pooled: dict[int, set[str]] = {}
        for k, ind in enumerate(plan.indicators):
            if not (ind.periodic and ind.vetoes):
                continue
            conditions = []
            reads: set[str] = set()
            pooled = self.pooled.setdefault(k, set())

            def with_population(node: Any, code: str = ind.code, pooled: set[str] = pooled) -> Any:
                tree, calls = population_names(node, code)  # (the year's: colsteps)
                pooled.update(calls)
                return compile_node(tree)

            for veto in ind.vetoes:
                try:
                    condition = compile_condition(
                        veto.when.tree, with_population, unsupported, raising=partial(_raising, ind)
                    )
                except unsupported as exc:
                    raise unsupported(f"indicator {ind.code}'s veto '{veto.when.text}': {exc}") from None
                conditions.append(mapped(ind, with_full(condition, ind, veto.when.variables)))
                # (a step's value: the step's columns; 分值: the row's category's full points)
                reads |= veto.when.variables - ind.targets - {FULL_NAME}
            self.checks.append((k, conditions, frozenset(mapped_reads(ind, reads))))
        self.reads = frozenset().union(*(r for _, _, r in self.checks))
        self.codes = [ind.code for ind in plan.indicators]

    def run(
        self,
        cols: dict[str, Any],
        columns: Mapping[str, tuple[Any, Any]],
        applicable: Any,
        present: Any = None,
    ) -> Any:
        """Record on *cols* where each veto fires on the year's row (``colvetoes.FIRED``); return,
        per unit and indicator, where a condition reaches a cell that is not a plain number or a
        population value that is not among the year's (*present*, units × indicators:
        ``colsteps.population_columns``), or cannot be worked out — and the indicator applies: those
        go to the indicator's own step, whose error is the per-unit program's."""
        np = numpy()
        n = len(applicable)
        failed = np.zeros(applicable.shape, dtype=bool)
        steps = cols.pop(STEPS, {})  # each unit's step values its vetoes read (colperiods)
        scope = {name: col for name, col in cols.items() if name != SEND_BACK and name != ZERO_DIVISOR}
        plain = {name: columns[name][1] for name in self.reads}
        for k, conditions, _ in self.checks:
            bad = np.zeros(n, dtype=bool)
            # (a condition that cannot be worked out, or reaches what the per-unit program raises on,
            # marks the rows here, not the batch)
            own = {**scope, **steps.get(self.codes[k], {}), _PLAIN: plain}
            if present is not None:
                own[_ABSENT] = ~present[:, k]
            took = own.pop(DEFAULTED, None)  # the rows a default took: no step values (the step's error)
            if took is not None:
                bad |= took
            if not self.pooled[k] <= own.keys():
                # (population values the batch does not gather for the indicator: its column step fails
                # every row, colwordnums.failing; so does its own step, which words the error)
                failed[:, k] = applicable[:, k]
                record(cols, self.codes[k], [np.zeros(n, dtype=bool) for _ in conditions])
                continue
            fired = [np.asarray(condition(own, n), dtype=bool) for condition in conditions]
            if SEND_BACK in own:
                bad |= own[SEND_BACK]
            record(cols, self.codes[k], [f & ~bad for f in fired])
            failed[:, k] = bad & applicable[:, k]
        return failed


_PLAIN = "\0plain cells"  # (among a veto's columns: per data column, which year cells are plain numbers)
_ABSENT = "\0absent population values"  # (and the rows without the year's population values)


def _raising(ind: IndicatorPlan, node: Node) -> Any:
    """A function of a veto's columns giving the rows where the per-unit program raises on *node* (a
    comparison or value of its condition): a data cell it reads that is not a plain number (no value,
    or not a number), or a population value the unit lacks; None where it reads neither. A step's
    value and ``分值`` are always there (a default's rows, without step values, are the step's)."""
    names: set[str] = set()
    pooled = _walk(node, names)
    fields = sorted(mapped_reads(ind, names - ind.targets - {FULL_NAME}))
    if not fields and not pooled:
        return None

    def run(cols: dict[str, Any], n: int) -> Any:
        np = numpy()
        rows = np.zeros(n, dtype=bool)
        for name in fields:
            rows |= ~cols[_PLAIN][name]
        if pooled and _ABSENT in cols:
            rows |= cols[_ABSENT]
        return rows

    return run


def _walk(node: Node, names: set[str]) -> bool:
    """Put in *names* the names *node* reads outside population functions; whether it calls one."""
    if isinstance(node, Name):
        names.add(node.name)
        return False
    if isinstance(node, Call) and node.func in POPULATION_FUNCTIONS:
        return True
    found = False
    for child in children(node):
        found |= _walk(child, names)
    return found


def period_vetoes(plan: Plan, compile_node: Any, unsupported: type[Exception]) -> PeriodVetoes | None:
    """The plan's vetoes on indicators reported per period, compiled (None: there are none)."""
    found = PeriodVetoes(plan, compile_node, unsupported)
    return found if found.checks else None
