"""Explanations as a view of the column program's record: each indicator's outcome built from its columns.

A unit's explanation (``UnitResult.indicators``, ``explain()``, JSON output) is
made of :class:`~perfrules.scoring.outcome.IndicatorOutcome` records, each with
the :class:`~perfrules.scoring.compiled.Scored` record of what scoring the
indicator found. For the forms below they are built from what the column
program recorded for the unit (:class:`~perfrules.scoring.colrecord.Record`):
whether each indicator applies (the program's applicability column), each
step's value (its step columns), the value graded and the score before and
after limits and rounding (its value columns), which ``default … when`` fired
(the policy's compiled condition over the record's columns), and the weight and
contribution by the plan's :class:`~perfrules.scoring.outcome.Weighting` of the
unit's pattern. The words around those decisions come from the rules' own code
on the recorded values: a formula shown with its numbers, the scale's
:class:`~perfrules.grading.scale.GradeResult` of the recorded value (once per
distinct value), the policy's event (``apply_default``, ``bound``,
``round_score``), the reason an indicator does not apply. The score built so
is checked against the program's: a unit where they differ is explained by
the per-unit program instead (:data:`DISAGREE`; the tests hold it at none).

Values reported per period are read from the record's view of the rows the
program scored (:meth:`~perfrules.scoring.colrecord.Record.view`): each
period row as a row of its own (its period's population values, its per-period
zero rules), then the year made by the indicator's own code
(``IndicatorPlan.combined``: the mean or the last period, with each period's
:class:`~perfrules.scheme.units.PeriodResult`; ``summed`` over the columns of
the summed inputs for ``periods = "sum"``). A score that is one data column is
built once per distinct cell and category and shared by the units with it
(what the program held is a function of the two), with its contribution per
weighting.

Forms recorded: everything the column program compiles — score formulas of
data columns, values reported per period (mean, last, sum), steps (formulas,
``part``, peer ratios and ranks, with the batch's population values),
population calls (``max_of`` …), 分值, ``inputs`` mappings, scales of one
value, of several values, of words or with levels, ``default … when`` and the
default for no data (also where a division by 0 took it), zero rules on a
step or the indicator, adjustments and vetoes, not-applicable rules,
``applies_to``, indicators declared not applicable, weights of 0 per category
or read from the data, weight that moves, limits, ``round_scores``, group
means (the run's subtotals), history values and parameters, and reads of other
indicators' results; units with an indicator's error (the failed indicator's
error as its own step worded it, :mod:`~perfrules.scoring.colexplainfailed`)
and units refused before scoring (no indicator explained).
:func:`explainer_of` names a plan's form that is not
(:attr:`Explainer.why`), and :func:`explain_unit` names why a unit is not
(a unit the program sends back): those go to the per-unit program, whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import partial
from typing import Any

import attrs

from .._errors import DivisionByZeroError, MissingValueError, NumberTooLargeError
from .._numbers import Number, as_fraction, exact, to_number
from ..formula.language import Formula, Value
from ..formula.tree import Name
from ..grading.scale import GradeResult
from ..scheme.history import note_previous
from ..scheme.model import with_parameters
from ..scheme.reads import FULL_NAME
from ..scheme.steps import Rank, step_target
from ..scheme.units import Computation, PolicyEvent, Unit, UnitError
from .colblank import REACHED, TAKEN, blank_value
from .colexplainfailed import failed_parts
from .colexplainform import Form
from .colfailures import Failed
from .colnodes import Unsupported as _Unsupported
from .colperiods import PeriodRows, Summed
from .colrecord import Columns, Record
from .colresults import ABSENT
from .colsteps import DIVISIONS, ZERO_DIVISOR
from .colwordconds import conditioned_of
from .colzero import ZERO_TRAIL
from .compiled import Scored
from .indicator import IndicatorPlan
from .outcome import IndicatorOutcome, indicator_outcomes, not_assessed
from .outcome import weighting as pattern_weighting
from .plan import Plan
from .policies import adjust, apply_default, bound, round_score
from .program import ColumnProgram

__all__ = ["DISAGREE", "FAILED", "RECORDED", "Explainer", "explain_unit", "explainer_of"]

RECORDED = "record"
"""How a unit explained from the column program's record is marked (else: why not)."""

DISAGREE = "the record and the rule's own words disagree"
"""Why a unit whose built score differs from the program's went to the per-unit program."""

FAILED = "a unit with an indicator's error its record does not say"
"""Why a unit with an indicator's error went to the per-unit program (its row does not say which failed)."""

_MEMO = 4096  # grading results kept per scale (distinct values)
_SCORE = "\0score"  # in the record of divisions: those after it are the score formula's
_ONCE = object()  # no memo: a scale of several values, or with levels


class Explainer:
    """A plan's indicators as views of the record (:attr:`why`: the form that is not, or None)."""

    def __init__(self, plan: Plan, numbers: Mapping[int, frozenset[str]] | None = None) -> None:
        self.plan = plan
        self.forms: list[Form] = []
        self.why: str | None = None
        self.shares: dict[tuple[Any, ...], Any] = {}  # contributions (_contribution)
        # The ids of the Scored records shared by units (_direct) whose indicator reads only the cell
        # they were made of, and the views made of them, kept by the results' layer (the same record,
        # weights and contribution give the same result).
        self.shared: set[int] = set()
        self.views: dict[Any, Any] = {}
        scheme = plan.scheme
        try:
            found = numbers or {}
            self.forms = [
                Form(ind, scheme.categories, found.get(k, frozenset()))
                for k, ind in enumerate(plan.indicators)
            ]
        except _Unsupported as exc:
            self.why = str(exc)
        for form in self.forms:
            form.shared = self.shared


def explainer_of(plan: Plan, program: ColumnProgram) -> Explainer:
    """The plan's explainer, made once and kept on its column program."""
    found: Explainer | None = getattr(program, "explainer", None)
    if found is None:
        found = Explainer(plan, {**program.blanks.numbers, **conditioned_of(plan)})  # (colwordconds)
        program.explainer = found  # type: ignore[attr-defined]
    return found


def explain_unit(explainer: Explainer, record: Record, i: int) -> tuple[list[IndicatorOutcome] | None, str]:
    """Row *i* of *record* explained: its indicators' outcomes and :data:`RECORDED`, or None and why not."""
    plan = explainer.plan
    if explainer.why is not None:
        return None, explainer.why
    done = record.outcomes[i]
    if done is None:
        return None, "a unit the column program left unscored in its batch"
    errored = record.errored.get(i)
    if errored is not None and not isinstance(errored, Failed):
        return [], RECORDED  # refused before any indicator is scored (uniterrors): none explained
    unit = record.units[i]
    scheme = plan.scheme
    sources: dict[str, str] = {}
    if scheme.history or scheme.parameters:  # the unit's data as its rules read it, and where from
        unit, sources = note_previous(record.given[i], scheme.history, scheme.previous, plan.words.zh, True)
        unit = with_parameters(scheme, unit)
    failed: dict[int, UnitError] = {}
    first: dict[int, PolicyEvent] = {}
    applicable = record.kept("applicable", record.applicable.tolist)[i]
    if errored is not None:  # an indicator's error (colfailures): its own step's, the others recorded
        parts = failed_parts(plan, errored, unit, record.population.get(unit.name, {}))
        if parts is None:
            return None, FAILED
        failed, first = parts
        applicable = [a or k in failed for k, a in enumerate(applicable)]  # (a failed one still applies)
    category = unit.category
    base = plan.weights_for(category)
    own = None
    if record.own is not None:  # weights read from the unit's data (weight_from), as the program read them
        wid, owns = record.own
        base = own = owns[int(wid[i])]
    weighed = bool(plan.scheme.categories)
    scored: list[Scored | None] = [None] * len(applicable)
    for k, ind in enumerate(plan.indicators):
        if weighed and base[k] == 0:
            if applicable[k]:
                return None, DISAGREE
            first[k] = not_assessed(plan.words, category)
            continue
        if k in failed:
            continue
        if k in first:  # it reads a failed indicator's result: it does not apply (colexplainfailed)
            if applicable[k]:
                return None, DISAGREE
            continue
        scoring = unit
        reads = plan.result_reads[k]  # other indicators' results, as the program put them among the columns
        if reads and not any(record.cols[ABSENT][name][i] for name in reads):  # (one absent: none read)
            extra = {name: record.value(record.cols[name], i) for name in sorted(reads)}
            scoring = attrs.evolve(unit, data={**unit.data, **extra})
        reason = ind.applicability(scoring) if unit.not_applicable or not ind.always_applies else None
        if (reason is None) != applicable[k]:
            return None, DISAGREE
        if reason is not None:
            first[k] = reason
            continue
        found = _indicator(explainer.forms[k], ind, record, k, i, scoring)
        if isinstance(found, str):
            return None, found
        scored[k] = found
    weighting = pattern_weighting(plan, category if weighed else None, applicable, own)
    shared = explainer.shared
    try:
        contributions = [
            None
            if s is None
            else _contribution(explainer, weighting, k, s.score)
            if id(s) in shared
            else weighting.contribution(k, s.score)
            for k, s in enumerate(scored)
        ]
    except NumberTooLargeError:  # (the per-unit program words a contribution past the bounds)
        return None, DISAGREE
    record.explained += 1
    made = indicator_outcomes
    outcomes = made(plan, unit, applicable, scored, weighting, contributions, failed, first, base, sources)
    return outcomes, RECORDED


def _indicator(form: Form, ind: IndicatorPlan, record: Record, k: int, i: int, unit: Unit) -> Scored | str:
    """What scoring indicator *k* found for row *i* of *record* (*unit*), its periods too: each period
    row the program scored read from the record's view of them and combined into the year by the
    indicator's own code (``IndicatorPlan.combined``, ``summed``), as the per-unit program does."""
    if not (ind.periodic and unit.periods):
        return _scored(form, ind, record, k, i, unit, ind.direct)
    runs = ind.runs(unit)  # the rule's own: the periods the indicator is scored on, with their inputs
    if len(runs) == 1 and runs[0][0] is None:  # the year's row, or the periods' inputs added up
        env = runs[0][1]
        view = record.view(k) if isinstance(record.periods.get(k), Summed) else None
        if view is None:
            return _scored(form, ind, record, k, i, unit, False)
        found = _scored(form, ind, view, k, i, attrs.evolve(unit, data=env), False)
        return found if isinstance(found, str) else ind.summed(found, unit, env)
    rows, view = record.periods.get(k), record.view(k)
    if not isinstance(rows, PeriodRows) or view is None:
        return DISAGREE
    periods: list[tuple[str | None, Any, Scored]] = []
    for label, env in runs:
        assert label is not None
        j = rows.row(i, label)
        if j is None:
            return DISAGREE
        found = _scored(form, ind, view, k, j, attrs.evolve(unit, data=env), False, label)
        if isinstance(found, str):
            return found
        periods.append((label, env, found))
    return _checked(ind.combined(periods, unit, True), record, k, i)


def _scored(
    form: Form,
    ind: IndicatorPlan,
    record: Columns,
    k: int,
    i: int,
    unit: Unit,
    direct: bool,
    period: str | None = None,
) -> Scored | str:
    """What scoring indicator *k* found for row *i* (*unit*, its data as its rules read it; *period*:
    the period row's label), from the record (a string: why it cannot say); *direct*: as the
    per-unit program's direct path shows a score formula of data columns."""
    category = unit.category
    words = ind.words
    zh = words.zh
    formula = ind.ind.score
    if direct:  # one score formula of data columns (as the per-unit program's direct path shows it)
        return _direct(form, ind, record, k, i, unit)
    env = ind.env(unit.data)
    scale = ind.ind.scale
    scope: dict[str, object] = dict(env)
    scope[FULL_NAME] = ind.full(category)
    mine = record.population.get(unit.name, {})
    for key in form.calls:  # the batch's population values the program read (max_of …)
        if (form.code, key, period) in mine:
            scope[key] = mine[(form.code, key, period)]
    for j, (policy, condition) in enumerate(form.defaults):  # the first whose condition holds, before steps
        if record.kept((k, j), partial(_holds, condition, form, record))[i]:
            assert policy.when is not None
            why = words(f"条件“{policy.when.text}”成立", f"'{policy.when.text}' holds")
            return _checked(
                adjust(ind, apply_default(ind, policy, category, why, {}), env, category, True), record, k, i
            )
    columns = record.scope(k, form.scope)
    if form.score_fn is not None and scale is None:
        raw_col = record.kept((k, "score"), partial(_scored_column, form, columns, record.n))
    reached = columns.get(TAKEN, {}).get(REACHED + ind.code)  # a blank its formulas reach (colreach)
    if reached is not None and reached.taken[i]:
        found = reached.default(i, category, columns, Record.number)
        return _checked(adjust(ind, found, env, category, True), record, k, i)
    # The default for no data took this row (coldefaults): its words.
    if record.kept((k, "divided by 0"), columns[ZERO_DIVISOR].tolist)[i]:
        taken = _no_data(ind, columns, i, env, category)
        return taken if isinstance(taken, str) else _checked(taken, record, k, i)
    blank = blank_value(ind)  # or its blank value (colblank): the per-unit program's words for it
    if blank is not None and ind.code in columns.get(TAKEN, ()) and columns[TAKEN][ind.code][i]:
        found = ind.no_data_default(MissingValueError(blank[0], ""), category, {})
        return _checked(adjust(ind, found, env, category, True), record, k, i)
    values: dict[str, Value] = {}
    events: list[PolicyEvent] = []
    computations: list[Computation] = []
    for step in ind.steps:
        target = step_target(step)
        value = record.value(columns[target], i)
        rules = ind.zero_by_target.get(target, ())
        worked = value
        if rules:  # the value before the step's zero rules, and where each held (recorded by colzero)
            before, holds = columns[ZERO_TRAIL][target]
            worked = record.value(before, i)
        if isinstance(step, Rank) and step.gives_points:
            computations.append(
                ind.rank_points(step, mine.get((form.code, target + "·名次", period)), worked)
            )
        elif isinstance(step, Formula):  # what the step worked out, before its zero rules
            computations.append(
                Computation(
                    target=target,
                    formula=ind._text(step),
                    substituted=step.show_with(scope, chinese=zh),
                    value=worked,
                )
            )
        if rules:
            held = [rule for rule, where in zip(rules, holds, strict=True) if where[i]]
            if ind.step_zeroed(held, target, worked, period, unit, events) != value:
                return DISAGREE
        values[target] = value
        scope[target] = value
    grading: GradeResult | None = None
    grade: str | None
    if scale is not None:  # as the per-unit program grades (IndicatorPlan._grade), by the scale's own code
        measured: Value | None = None
        try:
            if scale.is_categorical:
                word = ind.ind.value
                if word is None or word not in scope:  # no value to grade
                    raise MissingValueError(word or ind.code, "")
                grading = _graded(form, scale, scope[word], lambda: scale.grade(scope[word]))
            else:
                graded_on: dict[str, object] = scope
                named, variable = ind.ind.value, scale.variable
                if named is not None and variable is not None and named != variable:
                    if named not in scope:  # (the lookup sent the unit back: no value to grade)
                        return "a renamed value missing"
                    graded_on = {**scope, variable: scope[named]}
                if variable is not None:
                    measured = _as_value(graded_on.get(variable))
                once = graded_on.get(variable) if variable is not None and not scale.levels else _ONCE
                grading = _graded(form, scale, once, lambda: scale.grade(graded_on, explain=True))
        except MissingValueError as exc:  # no value to grade (a word, a level): the default for no data's
            if ind.no_data is None:
                return "a scale's value missing"
            found = ind.no_data_default(exc, category, values)
            return _checked(adjust(ind, found, env, category, True), record, k, i)
        score: Number | None = grading.score
        assert score is not None
        if grading.scoring != "points":
            factor = ind.scale_factor(category)
            if factor != 1:
                score = exact(as_fraction(score) * factor)
        grade = grading.grade
    else:
        assert formula is not None
        raw = record.value(raw_col, i)
        computations.append(
            Computation(
                target="得分",
                formula=ind._text(formula),
                substituted=formula.show_with(scope, chinese=zh),
                value=raw,
            )
        )
        holder = Scored(value=raw, grade=None, score=raw, events=events)
        if ind.scheme.round_scores is not None or raw != record.value(record.held[k], i):
            bound(ind, holder, category, raw)
        measured, grade, score = raw, ind.grade_of_score(holder.score, category), holder.score
    if form.zeros:  # the zero rules on the indicator that hold on the scope after the steps
        held = [
            rule
            for j, rule in enumerate(ind.zero_indicator)
            if record.kept((k, "zero", j), partial(_holds_on, form.zeros[j], columns, record.n))[i]
        ]
        score, grade = ind.indicator_zeroed(held, score, grade, period, unit, events)
    done = Scored(
        value=measured,
        grade=grade,
        score=score,
        grading=grading,
        values=values,
        events=events,
        computations=computations,
    )
    return _checked(adjust(ind, done, env, category, True), record, k, i)


def _contribution(explainer: Explainer, weighting: Any, k: int, score: Number) -> Number:
    """``weighting.contribution(k, score)`` of a score that units share (:func:`_direct`), worked out
    once per weighting, indicator and score (told apart by identity: kept with the contribution)."""
    key = (weighting, k, id(score))
    found = explainer.shares.get(key)
    if found is None:
        if len(explainer.shares) >= 4 * _MEMO:
            explainer.shares.clear()
        found = explainer.shares[key] = (weighting.contribution(k, score), score)
    return found[0]  # type: ignore[no-any-return]


def _direct(form: Form, ind: IndicatorPlan, record: Columns, k: int, i: int, unit: Unit) -> Scored | str:
    """What the per-unit program's direct path finds for a score formula of data columns, on row *i*:
    the program's value (before limits), its computation, and what the limits and rounding did. For a
    score that is one data column, once per distinct cell and category (the same for every unit with
    them: what the program held is a function of the two), shared by those units."""
    formula = ind.ind.score
    assert formula is not None
    category = unit.category
    key: tuple[Any, ...] | None = None
    tree = formula.tree
    name = tree.name if isinstance(tree, Name) else None
    if name is not None:  # the program's value is the cell's, as the cell's text says it
        given = unit.data.get(name)
        key = (category, type(given), str(given))
        kept = form.direct.get(key)
        if kept is not None:
            return kept
    raw = record.value(record.raw[k], i)  # the program's value column, before limits
    found = Scored(value=raw, grade=None, score=raw)
    found.computations.append(
        Computation(
            target="得分",
            formula=ind._text(formula),
            substituted=formula.show_with(unit.data, chinese=ind.words.zh),
            value=raw,
        )
    )
    done: Scored | str
    if ind.scheme.round_scores is None and record.unchanged(k)[i]:
        found.grade = ind.grade_of_score(raw, category)  # the program kept the value as it was
        done = found
    else:
        bound(ind, found, category, raw)  # the program held the score within its limits: the words
        found.grade = ind.grade_of_score(found.score, category)
        done = _checked(round_score(ind, found), record, k, i)
    if key is not None and not isinstance(done, str):
        if len(form.direct) >= _MEMO:
            form.direct.clear()
        form.direct[key] = done
        if ind.sorted_inputs == (name,) and not ind.ind.inputs:  # its inputs are the cell's
            shared = form.shared
            if len(shared) >= 64 * _MEMO:
                shared.clear()
            shared.add(id(done))
    return done


def _checked(found: Scored, record: Columns, k: int, i: int) -> Scored | str:
    """*found*, if its score is what the program held for the row (else :data:`DISAGREE`)."""
    return found if found.score == record.value(record.held[k], i) else DISAGREE


def _scored_column(form: Form, columns: dict[str, Any], n: int) -> Any:
    """The score formula's column over the scope after the steps (its divisions marked as the score's)."""
    columns[DIVISIONS].append(_SCORE)
    return form.score_fn(columns, n)


def _no_data(
    ind: IndicatorPlan, columns: dict[str, Any], i: int, env: Any, category: str | None
) -> Scored | str:
    """The default for no data on row *i*, which divided by 0: the first division the record marks
    there names the divisor, and the steps before it keep their values (as the per-unit program stops)."""
    if ind.no_data is None:
        return DISAGREE
    current = None
    for entry in columns[DIVISIONS]:
        if isinstance(entry, str):
            current = entry
            continue
        shown, where = entry
        if where[i]:
            break
    else:
        return DISAGREE
    values: dict[str, Value] = {}
    if current != _SCORE:
        for step in ind.steps:
            target = step_target(step)
            if target == current:
                break
            values[target] = Record.number(columns[target], i)
    else:
        values = {step_target(step): Record.number(columns[step_target(step)], i) for step in ind.steps}
    text = ind.ind.score.text if ind.ind.score is not None else ""
    found = ind.no_data_default(DivisionByZeroError(text, shown, {}), category, values)
    return adjust(ind, found, env, category, True)


def _holds_on(condition: Any, columns: dict[str, Any], n: int) -> list[bool]:
    """Where a compiled condition holds over *columns*, as a list."""
    return condition(columns, n).tolist()  # type: ignore[no-any-return]


def _holds(condition: Any, form: Form, record: Columns) -> Any:
    """Where a compiled condition holds over the record's columns as the indicator reads them."""
    return condition(form.prepared(record.cols, record.n), record.n).tolist()


def _graded(form: Form, scale: Any, value: object, work: Any) -> GradeResult:
    """The scale's own result (*work*) for the recorded *value*, worked out once per distinct value
    (every time for scales of several values or with levels: *value* is ``_ONCE``)."""
    if value is _ONCE:
        return work()  # type: ignore[no-any-return]
    key = (type(value).__name__, str(value))
    found = form.grades.get(key)
    if found is None:
        if len(form.grades) >= _MEMO:
            form.grades.clear()
        found = form.grades[key] = work()
    return found


def _as_value(value: object) -> Value | None:
    if isinstance(value, bool | Fraction) or type(value).__name__ == "Decimal":
        return value  # type: ignore[return-value]
    if isinstance(value, int | float):
        return to_number(value)
    return None
