"""Cells of ``Unit`` objects that hold a value their column does not: the readers' indicators' errors.

A batch of ``Unit`` objects (``evaluate()`` given Python values) may hold a
cell that is neither a plain number nor blank: text (``'87.5分'``, ``'—'``), a
``bool``, a number ``to_number`` refuses (``nan``, an infinity, past the limits;
a ``float`` or a ``Fraction`` it reads is in the column: :func:`perfrules._intcols.from_values`).
The column holds no value there, and
three column steps would otherwise take such a cell for something it is not:
a per-unit parameter's table value stands in for a cell that is not plain
(:mod:`~perfrules.scoring.colparams`), a ``missing`` rule reads it as blank
(:mod:`~perfrules.scoring.colmissing`), and so does a default for no data
(:mod:`~perfrules.scoring.colblank`). The per-unit program reads the cell as
the unit gives it: the value is there (the table's does not stand in, the
``missing`` rule does not hold, the default for no data does not take it),
and a rule that reads it either refuses it (``'87.5分' (str) is not a
number``: the indicator's error) or reads it as a number (a ``float`` by its
shortest repr).

So each such cell marks every indicator that reads its column as one the
columns cannot work out for that unit (:class:`~perfrules.scoring.colfailures.Failures`):
its own step then runs on the unit, and where it raises the unit has that
error, worded by the per-unit program's code; where it does not (a branch of
``if`` that does not read the cell), colfailures leaves the unit unscored, never
a score from here. A ``bool`` in a column only indicators' formulas and
conditions and the rules on the total read (:func:`truth_fields`) is no such
cell: :func:`truths` hands it to them as the truth value it is (a condition
reads it; where a number is needed, the indicator's step words the error), as
the per-unit program reads it.
A column only the rules on the unit's own total read (overall grading, flags,
caps, the rules on the total: no indicator) leaves the unit's total to
coltotalerrors, which runs the per-unit program's code on it (its error); one
that other indicators' steps read by rules read still sends the unit to the
per-unit program.

``None`` itself handed in (:meth:`Doubted.nones`) is blank to a ``missing``
rule, as the per-unit program has it, but no blank a default for no data
takes: a formula or a scale reads it and refuses it (``值=None (NoneType) is
not a number``), so its readers are marked the same way.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from .._intcols import numpy
from ..formula.language import Formula
from ..scheme.policies import Adjust
from ..scheme.steps import step_reads
from .coltruth import TruthColumn
from .plan import Plan

__all__ = ["Doubted", "held", "put", "truth_fields", "truths", "with_truths"]


def held(
    units: Sequence[Any], columns: Mapping[str, tuple[Any, Any]], fields: Iterable[str]
) -> dict[str, Any]:
    """Per data column of *fields* among *columns*, which of the batch's ``Unit`` objects hold a value
    there that the column does not (not plain, not blank either: a bool array); only the columns where
    some unit does."""
    np = numpy()
    out: dict[str, Any] = {}
    for name in fields:
        given = columns.get(name)
        if given is None:
            continue
        rows = np.flatnonzero(~given[1]).tolist()
        found = [i for i in rows if units[i].data.get(name) is not None]
        if found:
            mark = np.zeros(len(units), dtype=bool)
            mark[found] = True
            out[name] = mark
    return out


class Doubted:
    """The data columns whose cells a column step would take for blank or for a table's value, and the
    indicators that read each (see the module's docstring)."""

    def __init__(
        self,
        plan: Plan,
        fields: Iterable[str],
        beyond: Collection[str],
        stepped: Collection[str] = (),
        reads_of: Sequence[Iterable[str]] = (),
    ) -> None:
        self.fields = sorted(set(fields))
        # Per column, the indicators that read it (none: it is also read by read steps, *stepped*). One
        # the rules on the total or overall grading read too (*beyond*) marks them all the same: where
        # one of them fails, the unit has no total, and the scheme's vetoes word their own errors
        # (colfailures); where none applies, the unit's total's error (coltotalerrors: :meth:`mark`).
        self.readers = {
            name: []
            if name in stepped
            else [k for k, ind in enumerate(plan.indicators) if name in ind.fields]
            for name in self.fields
        }
        self.shared = frozenset(name for name in self.fields if name in beyond and self.readers[name])
        # Of those read beside them, the ones only rules on the unit's own total read (overall grading,
        # the rules on the total), no indicator (*reads_of*: the columns each reads): the total's error
        # (coltotalerrors); the others (read steps read them: a rank over the batch) send the unit to the
        # per-unit program.
        read = set().union(*reads_of, *(ind.fields for ind in plan.indicators))
        self.totals_only = frozenset(
            name for name in self.fields if name in beyond and name not in stepped and name not in read
        )

    @classmethod
    def of(cls, program: Any, blank_cells: Iterable[str]) -> Doubted | None:
        """The columns of a column program (*program*, compiled that far: its ``params``, ``missing``,
        ``blanks``, ``rules``, ``rich`` and ``steps``) whose cells a parameter's table, a ``missing``
        rule or a default for no data would take for another; besides the indicators, overall grading
        (*blank_cells* among its reads), the rules on the total and read steps read theirs. None: none."""
        params, rich, steps = program.params, program.rich, program.steps
        fields = {
            *(params.tables if params else ()),
            *program.missing.every,
            *program.blanks.number_fields,
            *(name for name in (rich.data if rich else ()) if name not in program.text_reads),
        }
        stepped = steps.reads if steps else ()
        beyond = {*blank_cells, *program.rules.reads, *(rich.data if rich else ()), *stepped}
        return cls(program.plan, fields, beyond, stepped, program.reads_of) if fields else None

    def find(
        self,
        units: Sequence[Any],
        columns: Mapping[str, tuple[Any, Any]],
        ok: Any,
        kept: Collection[str] = (),
        later: Any = None,
    ) -> dict[str, Any]:
        """Per column, the units whose cell marks its readers (:meth:`mark`); a unit whose such cell no
        indicator reads, or one read beside them, is left to the per-unit program (*ok*, in place), but
        in the columns of *kept* (the inputs only steps or a word scale's default read: colblank, whose
        cells that are neither plain nor blank the program holds as such), and in those only the rules on
        the unit's own total read: those units are marked in *later* (in place; None: left as the others),
        for the program to take out once its indicators are worked out (their total's error:
        coltotalerrors, which runs the per-unit program's code on the unit)."""
        found = held(units, columns, self.fields)
        for name in [name for name in found if not self.readers[name] and name not in kept]:
            rows = found.pop(name)
            if later is not None and name in self.totals_only:
                later |= rows
            else:
                ok &= ~rows
        return found

    def nones(
        self,
        units: Sequence[Any],
        columns: Mapping[str, tuple[Any, Any]],
        ok: Any,
        later: Any,
        kept: Collection[str] = (),
    ) -> dict[str, Any]:
        """Per column, the ``Unit`` objects that hold None itself there (the API handed it in), whose
        readers it marks (:meth:`mark`). A ``missing`` rule takes None for no value (the column holds it
        as blank), but a formula, a scale or overall grading reads it as a value that is not a number
        (``to_number``: the reader's error), and a default for no data does not take it. Where only the
        rules on the unit's total read the column, the unit is marked in *later* (its total's error:
        coltotalerrors); where read steps read it, it goes to the per-unit program (*ok*, in place). The
        columns of *kept* (inputs only steps or a word scale's default read: colblank) hold None as blank,
        as that default's ``missing`` names take it."""
        np = numpy()
        out: dict[str, Any] = {}
        for name in self.fields:
            given = columns.get(name)
            if given is None or name in kept:
                continue
            rows = [
                i
                for i in np.flatnonzero(~given[1]).tolist()
                if name in units[i].data and units[i].data[name] is None
            ]
            if not rows:
                continue
            mark = np.zeros(len(units), dtype=bool)
            mark[rows] = True
            if self.readers[name]:
                out[name] = mark
            elif name in self.totals_only:
                later |= mark
            else:
                ok &= ~mark
        return out

    def mark(self, found: Mapping[str, Any], mark: Any, applicable: Any) -> Any:
        """Mark (*mark*: ``Failures.mark``) each indicator that reads a column of *found* on its rows,
        where it applies (*applicable*, units × indicators, after the not-applicable rules: a ``missing``
        rule takes such a cell for a value, as the per-unit program does). Returns the units none of
        whose readers of a column the rules on the total read too applies (a bool array): only those
        rules read the cell, and the unit's total is its error (coltotalerrors), as for a column no
        indicator reads."""
        left = numpy().zeros(len(applicable), dtype=bool)
        for name, rows in found.items():
            some = numpy().zeros(len(applicable), dtype=bool)
            for k in self.readers[name]:
                mark(k, rows & applicable[:, k])
                some |= applicable[:, k]
            if name in self.shared:
                left |= rows & ~some
        return left


def truth_fields(program: Any, blank_cells: Iterable[str]) -> frozenset[str]:
    """The data columns of a column program (*program*, compiled that far) that only indicators' own
    formulas and conditions and the rules on the total read, whose ``bool`` cells :func:`truths` hands
    them as truth values (:func:`put`, :func:`with_truths`): not those overall grading (*blank_cells*),
    read steps, vetoes per period or weights read per unit read, nor an input only steps or a word
    scale's default read (colblank). A parameter's table stands in where the unit gives no value; a
    bool is one (:func:`truths`)."""
    rich, steps, vetoes, own = program.rich, program.steps, program.vetoes, program.own
    beyond = {
        *blank_cells,
        *(rich.data if rich else ()),
        *(steps.reads if steps else ()),
        *(vetoes.reads if vetoes else ()),
        *(own.reads if own else ()),
        *program.blanks.steps_only,
        *program.text_reads,
    }
    read: set[str] = set(program.rules.reads)  # (the total's rules: run on each distinct input's values)
    for ind in program.plan.indicators:
        formulas = ind._formulas()
        read |= {name for f in formulas for name in f.variables}
        # (read otherwise: a scale's value, an adjustment's count, a step that is no formula, a
        # population call over the batch, an input renamed: as they are)
        beyond |= {*(ind.ind.scale.variables if ind.ind.scale else ()), *ind.ind.inputs.values()}
        beyond |= {ind.ind.value} if ind.ind.value is not None else set()
        beyond.update(*(p.reads for p in ind.ind.policies if isinstance(p, Adjust)))
        beyond.update(*(step_reads(s) for s in ind.ind.steps if not isinstance(s, Formula)))
        beyond.update(*(c.argument.variables for f in formulas for c in f.population_calls))
    return frozenset(name for name in program.reads if name in read and name not in beyond)


def truths(
    units: Sequence[Any],
    columns: dict[str, tuple[Any, Any]],
    fields: Iterable[str],
) -> dict[str, tuple[Any, Any]]:
    """The columns of *fields* (:func:`truth_fields`) whose cells that are neither plain nor blank
    include a ``bool``, as the indicators' formulas and conditions read them: per column, which truth
    value each row holds and which rows hold one (:func:`put`: a
    :class:`~perfrules.scoring.coltruth.TruthColumn`, the number elsewhere), as the per-unit program
    reads the cell. A condition reads it as it is (``if(标志, 10, 0)``, a policy's ``when``); where a
    number is needed ``as_number`` marks it (the indicator's own step words the error). Such a cell
    counts as given (plain in *columns*, in place, before :meth:`Doubted.find` looks for others): no
    ``missing`` rule, parameter's table or default for no data takes it, as none does in the per-unit
    program."""
    np = numpy()
    out: dict[str, tuple[Any, Any]] = {}
    for name, rows in held(units, columns, fields).items():
        at = [i for i in np.flatnonzero(rows).tolist() if type(units[i].data[name]) is bool]
        if not at:
            continue
        truth = np.zeros(len(units), dtype=bool)
        truth[at] = True
        holds = np.zeros(len(units), dtype=bool)
        holds[at] = [units[i].data[name] for i in at]
        col, plain = columns[name]
        out[name] = (holds, truth)
        columns[name] = (col, plain | truth)
    return out


def put(cols: dict[str, Any], bools: Mapping[str, tuple[Any, Any]] | None) -> None:
    """Each column of *bools* (:func:`truths`) among the batch's columns *cols* (in place, once a
    parameter's table has stood in for its blank cells) as a truth column."""
    for name, (holds, truth) in (bools or {}).items():
        cols[name] = TruthColumn(holds, truth, cols[name])


def with_truths(
    columns: Mapping[str, tuple[Any, Any]], bools: Mapping[str, tuple[Any, Any]] | None
) -> Mapping[str, tuple[Any, Any]]:
    """*columns* with each column of *bools* (:func:`truths`) as a truth column, for the rules on the
    total (coltotalrules: each distinct input's values as the per-unit program holds them, a bool
    among them)."""
    if not bools:
        return columns
    out = dict(columns)
    for name, (holds, truth) in bools.items():
        col, plain = columns[name]
        out[name] = (TruthColumn(holds, truth, col), plain)
    return out
