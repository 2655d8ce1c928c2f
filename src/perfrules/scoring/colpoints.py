"""A score formula with its point mechanics as a column step: 分值, zero rules, adjustments, vetoes.

The per-unit program scores a formula indicator
(:meth:`~perfrules.scoring.indicator.IndicatorPlan._score_once`, then
:func:`~perfrules.scoring.policies.adjust`) on a scope of the unit's data,
``分值`` (the indicator's full points for the unit's category) and its
population values (``max_of`` …): the first ``default … when`` that holds
gives the default score and nothing else runs; else the steps run, then the
score formula, held within the indicator's limits (``bound``); a ``zero``
rule on the indicator that holds makes it 0 (a rule per period only on a
period's row); a division by 0 or missing input inside the steps or the
formula takes the default for no data. Then the adjustments add their
bonuses and deductions (:mod:`perfrules.scoring.coladjust`) and the score is
held within the limits again (扣完为止). A veto on the indicator that fires
changes the unit's grade and total and leaves a note.

Over columns the same happens to whole columns: ``分值`` is a column of
each row's full points (by the category codes the program puts among the
batch's columns under :data:`CATEGORY`), population calls, peer ratios and
ranks are the batch's population columns
(:func:`perfrules.scoring.colsteps.population_names`, :mod:`perfrules.scoring.colparts`),
conditions are truth columns (:mod:`perfrules.scoring.colconds`), defaults
are :mod:`perfrules.scoring.coldefaults`'. Where a veto fires is recorded for
the batch (:mod:`perfrules.scoring.colvetoes`): its note, and its effect on the
total and grade, as the per-unit program gives them.

An adjustment or veto reading a step's value beside a default is the
indicator's error on a row a default took where the rule gets to that value
(a default gives no step values: the per-unit program reports the rule's
missing value), followed per row as the per-unit program evaluates it
(:func:`~perfrules.scoring.colreach.reaching`: ``or`` stops at the operand that
holds, a cap is worked out only where an item counted). A default score outside the indicator's
limits, and a zero rule's 0 below ``min_score``, are kept as they are
(:func:`free_defaults`), per period too. The vetoes of
an indicator reported per period are decided on the year's row
(:mod:`perfrules.scoring.colperiodvetoes`), with the step values this step
leaves (:func:`perfrules.scoring.colvetoes.leave`), ``分值`` and the year's
population values beside them. Not compiled (:func:`points_why` says which):
population calls whose argument reads a part over words or several values
(:func:`perfrules.scoring.colargs.argument_why`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from .._intcols import SAFE, IntColumn, as_objects, numpy
from .._numbers import as_fraction
from ..formula.language import Formula
from ..scheme.reads import FULL_NAME
from ..scheme.steps import step_target
from . import colvetoes
from .coladjust import adjust_reads, compile_adjusts, over, total
from .colargs import argument_why
from .colblank import REACHED, TAKEN
from .colconds import compile_condition
from .coldefaults import STEPS_RAN, with_defaults
from .colfull import category_of, full_column
from .colparts import compile_steps, peer_columns
from .colreach import STEPS_LEFT, reaching
from .colsteps import CATEGORY, POPULATION_PREFIX, SEND_BACK, ZERO_DIVISOR, population_names, send_back
from .colzero import PERIOD_ROWS
from .indicator import IndicatorPlan
from .policies import default_score

__all__ = [
    "CATEGORY",
    "compile_points",
    "defaulted_key",
    "free_defaults",
    "full_column",
    "points_why",
    "scale_mechanics",
    "scale_scope_key",
    "takes",
]

_SCOPE = "\0scope of "  # where a run leaves the scope after an indicator's steps (its code appended)
_DEFAULTED = "\0defaulted "  # where its defaults mark the rows they took (defaulted_key)


def takes(ind: IndicatorPlan) -> bool:
    """Whether the indicator is a score formula with a form only this module compiles."""
    formula = ind.ind.score
    if formula is None or ind.ind.scale is not None:
        return False
    reads_full = any(FULL_NAME in f.variables for f in ind._formulas()) or any(
        isinstance(p.cap, Formula) and FULL_NAME in p.cap.variables for p in ind.adjusts
    )
    return bool(
        ind.adjusts
        or ind.vetoes
        or ind.zero_indicator
        or ind.defaults_when
        or reads_full
        or ind.population_calls
        or bool(ind.peer_steps)
    )


def points_why(ind: IndicatorPlan, categories: Sequence[str] | None) -> str | None:
    """Why the indicator's formula and point mechanics do not compile here (None: they do)."""
    return argument_why(ind)  # (a step's value: over the steps it reads, colargs)


def free_defaults(ind: IndicatorPlan, categories: Sequence[str] | None) -> bool:
    """Whether a score the indicator's rules give is outside its limits for some category — a default
    score, or the 0 of a zero rule (below ``min_score``): the per-unit program keeps a default as it
    is (:func:`~perfrules.scoring.policies.apply_default`) and a zero rule's 0 after it held the
    formula's score, so this module's step holds the scores it works out itself (the formula's before
    the zero rules, an adjusted one after them) and the program holds none."""
    lower = ind.lower()
    if ind.zero_indicator:
        uppers = [ind.upper(c) for c in categories or (None,)]
        if (lower is not None and lower > 0) or any(u is not None and u < 0 for u in uppers):
            return True
    for policy in (*ind.defaults_when, *((ind.no_data,) if ind.no_data is not None else ())):
        for c in categories or (None,):
            score = as_fraction(default_score(ind, policy, c))
            upper = ind.upper(c)
            if (lower is not None and score < lower) or (upper is not None and score > upper):
                return True
    return False


def _held(col: IntColumn, lower: Fraction | None, uppers: Sequence[Fraction | None], cat: Any) -> IntColumn:
    """*col* held within *lower* and each row's category's upper limit (as ``bound`` holds a score)."""
    np = numpy()
    limits = [f for f in (lower, *uppers) if f is not None]
    if not limits:
        return col
    den = math.lcm(col.den, *(f.denominator for f in limits))
    factor = den // col.den
    bound = max(col.bound * factor, *(abs(f.numerator) * (den // f.denominator) for f in limits))
    num = col.num if bound < SAFE and col.num.dtype != object else as_objects(col.num)
    num = num * factor if factor != 1 else num
    if lower is not None:
        low = lower.numerator * (den // lower.denominator)
        num = np.where(num < low, low, num)
    if len(set(uppers)) == 1:
        hi = uppers[0]
        if hi is not None:
            top = hi.numerator * (den // hi.denominator)
            num = np.where(num > top, top, num)
    else:
        for c, hi in enumerate(uppers):
            if hi is not None:
                top = hi.numerator * (den // hi.denominator)
                num = np.where((cat == c) & (num > top), top, num)
    return IntColumn(num, den, bound)


def _carry(scope: dict[str, Any], cols: dict[str, Any]) -> None:
    """The units *scope* sends back and the vetoes it found firing, marked on the batch columns *cols*."""
    if SEND_BACK in scope and scope is not cols:
        send_back(cols, scope[SEND_BACK])
    colvetoes.carry(scope, cols)


def _zeroed(rules: Sequence[tuple[Any, bool]], col: IntColumn, scope: dict[str, Any], n: int) -> IntColumn:
    """*col* with 0 where a zero rule on the indicator holds on *scope* (a rule per period only on a
    batch of period rows); the conditions are worked out outside the default for no data."""
    np = numpy()
    own = {k: v for k, v in scope.items() if k != ZERO_DIVISOR and k != SEND_BACK}
    holds = np.zeros(n, dtype=bool)
    for condition, per_period in rules:
        found = condition(own, n)
        if not per_period or PERIOD_ROWS in scope:
            holds |= found
    zero = scope.get(ZERO_DIVISOR)
    if zero is not None and SEND_BACK in own:  # (a row the default for no data took, dividing by 0
        own[SEND_BACK] = own[SEND_BACK] & ~zero  # in the steps or formula, never gets to the zero rules)
    _carry(own, scope)
    if not holds.any():
        return col
    num = col.num.copy()
    num[holds] = 0
    return IntColumn(num, col.den, col.bound)


def _finished(
    col: IntColumn,
    scope: dict[str, Any],
    n: int,
    adjusts: Any,
    vetoes: Sequence[Any],
    limits: tuple[Fraction | None, Sequence[Fraction | None]],
    code: str,
) -> IntColumn:
    """*col* adjusted (and held within *limits* where an adjustment counted something), and where
    each veto of indicator *code* fires recorded (:func:`perfrules.scoring.colvetoes.record`)."""
    np = numpy()
    if adjusts is not None:
        change, counted = adjusts(scope, n)
        if counted.any():
            held = _held(total([col, change], n), *limits, category_of(scope, n))
            a, b, den, bound = over(held, col)
            col = IntColumn(np.where(counted, a, b), den, bound)
    if vetoes:  # where each fires: its note and effect on the total (colvetoes)
        colvetoes.record(scope, code, [np.asarray(condition(scope, n), dtype=bool) for condition in vetoes])
    return col


def compile_points(
    ind: IndicatorPlan, categories: Sequence[str] | None, compile_node: Any, unsupported: type[Exception]
) -> tuple[Any, set[str], dict[str, str]]:
    """The indicator's column step (see the module's docstring), the data names it reads, and its
    population columns (each with its population key).

    Raises:
        unsupported: a form :func:`points_why` names, or a step, formula or condition that does not compile.
    """
    why = points_why(ind, categories)
    if why is not None:
        raise unsupported(why)
    code = ind.code
    formula = ind.ind.score
    assert formula is not None
    keys = categories or (None,)

    def with_population(node: Any) -> Any:
        return compile_node(population_names(node, code)[0])

    calls = {f"{POPULATION_PREFIX}{code}\0{call.key}": call.key for call in ind.population_calls}
    calls.update(peer_columns(ind))
    fulls = [as_fraction(ind.full(c)) for c in keys]
    limits = (ind.lower(), [ind.upper(c) for c in keys])
    run_steps, reads, targets = compile_steps(ind, with_population, unsupported, full_points=True)
    try:
        score = with_population(formula.tree)
        zero_rules, vetoes, adjusts = _rules(ind, with_population, compile_node, unsupported)
    except unsupported as exc:
        raise unsupported(f"indicator {code}'s formula or rule: {exc}") from None
    reads |= formula.variables | _rule_reads(ind, data=True)
    reads -= targets | {FULL_NAME}
    scope_key = _SCOPE + code

    def graded(cols: dict[str, Any], n: int) -> IntColumn:
        """The steps and the score formula, held within the limits, then the zero rules."""
        scope = run_steps({**cols, FULL_NAME: full_column(fulls, cols, n)}, n)
        cols[scope_key] = scope
        col = _held(score(scope, n), *limits, category_of(cols, n))
        if zero_rules:
            col = _zeroed(zero_rules, col, scope, n)
        _carry(scope, cols)
        scope.pop(SEND_BACK, None)  # carried: the default decides which of them go back
        scope.pop(ZERO_DIVISOR, None)  # the default for no data reaches no further than this
        return col

    fired = defaulted_key(ind)
    defaulted, conditions = with_defaults(
        ind, graded, categories, with_population, unsupported, fired, scope_key
    )
    reads |= conditions
    reading = _reading_steps(ind, with_population, unsupported) if fired is not None else None
    left = STEPS_LEFT + code if ind.steps and ind.no_data is None and not ind.periodic else None

    def run(cols: dict[str, Any], n: int) -> IntColumn:
        col: IntColumn = defaulted(cols, n)
        # (rules read step values a default does not give; the default runs the steps for every row)
        took = _took(cols, ind, fired, reading, cols[scope_key], n)
        scope = cols.pop(scope_key)
        if left is not None:  # (where its formulas stop, over the steps' values: colreach.Unread)
            cols[left] = {k: v for k, v in scope.items() if k not in (SEND_BACK, ZERO_DIVISOR)}
        colvetoes.leave(cols, ind, scope, took)  # step values vetoes per period read (colperiodvetoes)
        col = _finished(col, scope, n, adjusts, vetoes, limits, ind.code)
        _carry(scope, cols)
        return col

    return run, reads, calls


def _took(
    cols: dict[str, Any],
    ind: IndicatorPlan,
    key: str | None,
    reading: Any = None,
    scope: dict[str, Any] | None = None,
    n: int = 0,
) -> Any:
    """The rows the indicator's defaults took (under *key*), where rules read step values a default
    does not give: marked where they read one (*reading*, :func:`_reading_steps`, over the step's
    *scope*: the per-unit program's error there; every such row without it), or given back where only
    its vetoes per period read them (decided on the year's row: :func:`perfrules.scoring.colvetoes.
    leave`). None: none to give. The default for no data keeps the values of the steps worked out
    before the formula that reached a blank (colreach: :meth:`~perfrules.scoring.colreach.Reached.ran`)."""
    if key is None:
        return None
    took = cols.pop(key)
    divided = cols.pop(STEPS_RAN + ind.code, None)  # (rows taken on a division by 0: coldefaults)
    if ind.periodic and not adjust_reads(ind) & ind.targets:
        return took
    if reading is not None and scope is not None and took.any():
        reached = cols.get(TAKEN, {}).get(REACHED + ind.code)
        ran = reached.ran() if reached is not None else numpy().zeros(n, dtype=int)
        if divided is not None:  # (and the steps worked out before the one that divided by 0)
            ran = numpy().maximum(ran, divided)
        absent = {step_target(step): took & ~(ran > j) for j, step in enumerate(ind.steps)}
        took = took & reading(scope, absent, n)
    send_back(cols, took)
    return None


_ABSENT = "\0step values absent"  # (where _reading_steps puts, per step target, the rows that lack it)


class _Absent(dict[str, Any]):
    """Per name, the rows that lack its value: the step targets given, none for any other name."""

    def __init__(self, given: dict[str, Any], n: int) -> None:
        super().__init__(given)
        self.n = n

    def __missing__(self, name: str) -> Any:
        return numpy().zeros(self.n, dtype=bool)


def _reading_steps(ind: IndicatorPlan, compile_node: Any, unsupported: type[Exception]) -> Any:
    """A function ``(scope, absent, n)`` giving the rows where the indicator's adjustments or vetoes
    read a step's value *absent* says a row lacks (per step target, the rows a default took without
    it) — the per-unit program's error there (``adjust``: every item it counts, then its cap where it
    counted one; each veto's condition as far as it is evaluated: :func:`~perfrules.scoring.colreach.
    reaching`). None where
    that is not followed (an item that is a step's value, a rule on population values, an indicator
    reported per period): every row a default took is marked."""
    targets = ind.targets
    if ind.periodic or any(name in targets for p in ind.adjusts for name, _ in p.terms):
        return None
    parts: list[tuple[Any, Any]] = []  # (the items whose count lets the rule be read, or None; its reach)
    for p in ind.adjusts:
        if isinstance(p.cap, Formula) and p.cap.variables & targets:
            parts.append(
                ([name for name, _ in p.terms], reaching(p.cap.tree, _ABSENT, compile_node, unsupported))
            )
    for v in ind.vetoes:
        if v.when.variables & targets:
            parts.append((None, reaching(v.when.tree, _ABSENT, compile_node, unsupported)))
    if any(fn is None for _, fn in parts):
        return None

    def run(scope: dict[str, Any], absent: dict[str, Any], n: int) -> Any:
        np = numpy()
        own = {k: v for k, v in scope.items() if k not in (SEND_BACK, ZERO_DIVISOR)}
        own[_ABSENT] = _Absent({name: absent[name] for name in targets}, n)
        found = np.zeros(n, dtype=bool)
        for items, fn in parts:
            rows = fn(dict(own), n)
            if items is not None:  # (a cap is worked out where the rule counted an item)
                rows = rows & np.logical_or.reduce([np.asarray(scope[i].num != 0, dtype=bool) for i in items])
            found |= rows
        return found

    return run


def _rules(
    ind: IndicatorPlan, with_population: Any, compile_node: Any, unsupported: type[Exception]
) -> tuple[list[tuple[Any, bool]], list[Any], Any]:
    """The indicator's zero rules (with their per-period flags), vetoes and adjustments compiled."""
    zero_rules = [
        (compile_condition(rule.when.tree, with_population, unsupported), rule.per_period)
        for rule in ind.zero_indicator
    ]
    # (An indicator reported per period has its vetoes decided on the year's row: colperiodvetoes.)
    vetoes = [
        compile_condition(v.when.tree, with_population, unsupported) for v in ind.vetoes if not ind.periodic
    ]
    adjusts = compile_adjusts(ind, compile_node, unsupported) if ind.adjusts else None
    return zero_rules, vetoes, adjusts


def _rule_reads(ind: IndicatorPlan, data: bool = False) -> set[str]:
    """The names the indicator's zero rules, vetoes and adjustments read (*data*: those its column step
    reads, without its vetoes per period's: colperiodvetoes reads those on the year's row)."""
    found = adjust_reads(ind)
    for when in _conditions(ind):
        if not (data and ind.periodic and any(when is v.when for v in ind.vetoes)):
            found |= when.variables
    return found


def _conditions(ind: IndicatorPlan) -> list[Formula]:
    """The conditions of the indicator's zero rules and vetoes."""
    return [p.when for p in ind.zero_indicator] + [p.when for p in ind.vetoes]


def scale_scope_key(ind: IndicatorPlan) -> str | None:
    """Where the column step of an indicator graded by a scale leaves the scope after its steps for its
    zero rules, adjustments and vetoes (None: they read no step's value)."""
    return _SCOPE + ind.code if _rule_reads(ind) & ind.targets else None


def defaulted_key(ind: IndicatorPlan) -> str | None:
    """Where the indicator's defaults mark the rows they took (:func:`~perfrules.scoring.coldefaults.
    with_defaults`) when its adjustments or vetoes read a step's value: a default gives no step values
    (the per-unit program reports the rule's missing value), so those rows go back to it. None: no
    such rule beside a default."""
    defaults = ind.defaults_when or ind.no_data is not None
    reads = adjust_reads(ind) | {name for v in ind.vetoes for name in v.when.variables}
    return _DEFAULTED + ind.code if defaults and reads & ind.targets else None


def scale_mechanics(
    ind: IndicatorPlan,
    categories: Sequence[str] | None,
    compile_node: Any,
    unsupported: type[Exception],
    with_population: Any = None,
) -> tuple[Any, Any, set[str]]:
    """For an indicator graded by a scale: a wrapper putting its zero rules after the grading (a zero
    rule gives 0, the scale's lowest band), one putting its adjustments and vetoes after its
    defaults, and the data names they read. Rules reading a step's value (完成率<50) read the scope
    the scale's column step leaves under :func:`scale_scope_key`; zero rules and vetoes reading
    population values (``值 < mean_of(值)``) read them as the batch's columns (*with_population*
    compiles them so, as the indicator's steps: the per-unit program's scope holds them there).

    Raises:
        unsupported: a condition or cap that does not compile.
    """
    keys = categories or (None,)
    fulls = [as_fraction(ind.full(c)) for c in keys]
    limits = (ind.lower(), [ind.upper(c) for c in keys])
    try:
        zero_rules, vetoes, adjusts = _rules(ind, with_population or compile_node, compile_node, unsupported)
    except unsupported as exc:
        raise unsupported(f"indicator {ind.code}'s rule: {exc}") from None

    key = scale_scope_key(ind)  # (the scale's column step leaves the scope after its steps there)
    fired = defaulted_key(ind)  # (its defaults mark the rows they took there)
    reading = (
        _reading_steps(ind, compile_node, unsupported) if fired is not None and key is not None else None
    )
    leaves = bool(colvetoes.step_reads(ind))  # step values its vetoes per period read (colperiodvetoes)
    last_zeroed = adjusts is None and not vetoes and not leaves

    def scoped(cols: dict[str, Any], n: int, last: bool) -> dict[str, Any]:
        base = cols if key is None else cols.pop(key) if last else cols[key]
        return {**base, FULL_NAME: full_column(fulls, cols, n)} if FULL_NAME not in base else dict(base)

    def zeroed(step: Any) -> Any:
        if not zero_rules:
            return step

        def run(cols: dict[str, Any], n: int) -> IntColumn:
            col = step(cols, n)
            scope = scoped(cols, n, last_zeroed)
            col = _zeroed(zero_rules, col, scope, n)
            _carry(scope, cols)
            return col

        return run

    def finished(step: Any) -> Any:
        if adjusts is None and not vetoes and not leaves:
            return step

        def run(cols: dict[str, Any], n: int) -> IntColumn:
            col = step(cols, n)
            took = _took(cols, ind, fired, reading, scoped(cols, n, False), n)  # (see compile_points)
            scope = scoped(cols, n, True)
            colvetoes.leave(cols, ind, scope, took)
            col = _finished(col, scope, n, adjusts, vetoes, limits, ind.code)
            _carry(scope, cols)
            return col

        return run

    return zeroed, finished, _rule_reads(ind, data=True) - {FULL_NAME} - ind.targets
