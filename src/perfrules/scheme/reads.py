"""What an indicator's rules read: its inputs, its steps in order, and the results of other indicators.

Rules may read other indicators' results (指标1得分, 指标2·超额点数): the names
they may use, the order that scores each indicator after what it reads, and the
checks that such reads exist, form no cycle and feed no value over all units.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final

from .._errors import Problem
from ..formula.language import Formula
from .policies import Adjust
from .steps import Part, PeerRatio, Rank, Step, step_closure, step_reads, step_target
from .tree import Indicator

FULL_NAME: Final = "分值"
"""Inside an indicator's formulas, its own full points."""


def inputs_of(ind: Indicator) -> frozenset[str]:
    """Names the indicator reads from data (not computed by its own steps, nor other indicators' results)."""
    return frozenset(n for n in indicator_reads(ind) if not is_result_name(n))


_RESULT_LIKE: Final = re.compile(r"指标([0-9A-Za-z][0-9A-Za-z.\-]*?)(得分率|得分|·.+)")


def is_result_name(name: str) -> bool:
    """Whether a name reads another indicator's result (指标1得分, 指标1得分率, 指标2·超额点数).

    In a valid scheme every such name is one (validation refuses the others), so
    it is never read from the data.
    """
    return name.startswith("指标") and _RESULT_LIKE.fullmatch(name) is not None


def result_names(indicators: Sequence[Indicator]) -> dict[str, tuple[str, str | None]]:
    """The names by which rules read other indicators' results, each with (code, step).

    ``指标<code>得分`` and ``指标<code>得分率`` are an indicator's score and its
    share of its full points (step ``None``); ``指标<code>·<step>`` is the value
    of one of its steps.
    """
    out: dict[str, tuple[str, str | None]] = {}
    for ind in indicators:
        out[f"指标{ind.code}得分"] = (ind.code, None)
        out[f"指标{ind.code}得分率"] = (ind.code, None)
        for step in ind.steps:
            out[f"指标{ind.code}·{step_target(step)}"] = (ind.code, step_target(step))
    return out


def _step_closure(ind: Indicator, target: str) -> list[Step]:
    return step_closure(ind.steps, [target])


def _steps_reaching(ind: Indicator, names: Mapping[str, object]) -> set[str]:
    """The indicator's steps that read one of *names*, directly or through other steps.

    One walk over the steps, so that checking each value over all units (a chain of
    2,800 steps with 700 max_of() calls) does not follow the chain once per call.
    """
    readers: dict[str, set[str]] = {}
    todo: list[str] = []
    for step in ind.steps:
        target, reads = step_target(step), step_reads(step)
        for name in reads:
            readers.setdefault(name, set()).add(target)
        if any(name in names for name in reads):
            todo.append(target)
    found: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(readers.get(name, ()))
    return found


def step_result_reads(ind: Indicator, target: str, known: Mapping[str, object]) -> frozenset[str]:
    """The other results the steps behind ``target`` read (for ``指标<code>·<target>``)."""
    reads: set[str] = set()
    for step in _step_closure(ind, target):
        reads |= step_reads(step)
    return frozenset(n for n in reads if n in known)


def cycles(graph: Mapping[str, Iterable[str]]) -> Iterator[list[str]]:
    """Each cycle of a dependency graph once, as ``[a, b, …, a]`` (nodes in sorted order).

    Depth-first with an explicit stack: 2,800 chained steps must neither
    recurse 2,800 frames deep nor copy the trail at every step.

    >>> list(cycles({"a": ["b"], "b": ["a"], "c": ["a"]}))
    [['a', 'b', 'a']]
    """
    state: dict[str, int] = {}  # 1 visiting, 2 done
    reported: set[frozenset[str]] = set()
    for start in graph:
        if start in state:
            continue
        state[start] = 1
        trail = [start]
        stack = [iter(sorted(graph[start]))]
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                stack.pop()
                state[trail.pop()] = 2
                continue
            if dep not in graph or state.get(dep) == 2:
                continue
            if state.get(dep) == 1:
                cycle = [*trail[trail.index(dep) :], dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield cycle
                continue
            state[dep] = 1
            trail.append(dep)
            stack.append(iter(sorted(graph[dep])))


def indicator_reads(ind: Indicator) -> frozenset[str]:
    """Every name the indicator's rules read that its own steps do not compute (nor 分值)."""
    targets = {step_target(s) for s in ind.steps}
    reads: set[str] = set()
    for step in ind.steps:
        reads |= step_reads(step)
    if ind.scale is not None:
        reads |= ind.scale.variables - {renamed_variable(ind)}
    if ind.value is not None:
        reads.add(ind.value)
    if ind.score is not None:
        reads |= ind.score.variables
    for policy in ind.policies:
        when = getattr(policy, "when", None)
        if isinstance(when, Formula):
            reads |= when.variables
        if isinstance(policy, Adjust):
            reads |= policy.reads
    return frozenset(reads - targets - {"分值"})


def renamed_variable(ind: Indicator) -> str | None:
    """The measured name of the indicator's threshold scale that its ``value`` renames (the scale's
    ``x`` graded as ``率1``), or None. Scoring grades the scale with ``x`` given the value's number, so
    ``x`` is not read from the data (unless another rule reads it): the data name is the value's."""
    scale = ind.scale
    if scale is None or ind.value is None or scale.variable is None or scale.variable == ind.value:
        return None
    return scale.variable


def _indicator_result_reads(ind: Indicator, known: Mapping[str, object]) -> frozenset[str]:
    return frozenset(n for n in indicator_reads(ind) if n in known)


def _result_graph(indicators: Sequence[Indicator]) -> tuple[dict[str, set[str]], dict[str, frozenset[str]]]:
    """Per indicator code, the codes whose scores must be known first; and what each reads."""
    known = result_names(indicators)
    by_code = {ind.code: ind for ind in indicators}
    reads = {ind.code: _indicator_result_reads(ind, known) for ind in indicators}
    graph: dict[str, set[str]] = {}
    for ind in indicators:
        needs: set[str] = set()
        todo = list(reads[ind.code])
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            code, step = known[name]
            if step is None:
                needs.add(code)
            else:  # a step is worked out on demand from what it reads
                todo.extend(step_result_reads(by_code[code], step, known))
        needs.discard(ind.code)  # reading its own result is reported on its own
        graph[ind.code] = needs
    return graph, reads


def result_order(indicators: Sequence[Indicator]) -> tuple[int, ...] | None:
    """The order to score indicators in so that each comes after the results it reads.

    ``None`` when no rule reads another indicator's result (the published
    order then). The scheme's validation has refused cycles.
    """
    graph, reads = _result_graph(indicators)
    if not any(reads.values()):
        return None
    index = {ind.code: k for k, ind in enumerate(indicators)}
    done: list[int] = []
    state: dict[str, int] = {}
    for ind in indicators:
        if ind.code in state:
            continue
        state[ind.code] = 1
        stack = [(ind.code, iter(sorted(graph[ind.code], key=index.__getitem__)))]
        while stack:
            code, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                state[code] = 2
                done.append(index[code])
            elif dep not in state:
                state[dep] = 1
                stack.append((dep, iter(sorted(graph[dep], key=index.__getitem__))))
    return tuple(done)


def _over_all_units(ind: Indicator, step: str) -> bool:
    """Whether the value of *ind*'s step *step* is worked out over all units (a rank, a peer ratio,
    max_of … behind it): it exists only while *ind* is scored, not on demand."""
    return any(
        isinstance(s, PeerRatio | Rank) or (isinstance(s, Formula) and s.population_calls)
        for s in _step_closure(ind, step)
    )


def check_rule_step_reads(
    leaves: Sequence[tuple[str, Indicator]], rules: Sequence[tuple[str, Iterable[str]]]
) -> Iterator[Problem]:
    """Scheme-wide rules (*rules*: where, the names each reads — policies, the total formula) may not
    read a step worked out over all units: a step is worked out on demand from the unit's data, and
    such a one cannot be (the value is there only while its indicator is scored)."""
    indicators = [ind for _, ind in leaves]
    known = result_names(indicators)
    codes = {ind.code: ind for ind in indicators}
    for where, names in rules:
        for name in sorted(names):
            code, step = known.get(name, ("", None))
            if step is not None and _over_all_units(codes[code], step):
                yield Problem(
                    where,
                    f"'{name}' is worked out over all units (a rank, a peer ratio, max_of …) and cannot "
                    f"be read by a scheme-wide rule; read 指标{code}得分 instead",
                )


def _check_result_reads(leaves: Sequence[tuple[str, Indicator]]) -> Iterator[Problem]:
    """Names of other results must exist, may not feed values over all units, and may not form a cycle."""
    indicators = [ind for _, ind in leaves]
    known = result_names(indicators)
    codes = {ind.code: ind for ind in indicators}
    for path, ind in leaves:
        for name in sorted(indicator_reads(ind)):
            if name in known:
                code, step = known[name]
                if code == ind.code:
                    yield Problem(
                        path,
                        f"{ind.label} reads its own result '{name}'"
                        + (f"; read its step as '{step}'" if step is not None else ""),
                    )
                elif step is not None and _over_all_units(codes[code], step):
                    yield Problem(
                        path,
                        f"'{name}' is worked out over all units (a rank, a peer ratio, max_of …) and cannot "
                        f"be read from another indicator; read 指标{code}得分 instead",
                    )
                continue
            match = _RESULT_LIKE.fullmatch(name)
            if match is None:
                continue
            code, what = match.group(1), match.group(2)
            if code not in codes:
                close = difflib.get_close_matches(code, list(codes), n=1)
                hint = f"; did you mean 指标{close[0]}{what}?" if close else ""
                yield Problem(path, f"'{name}' names no indicator (no code '{code}'){hint}")
            elif what.startswith("·"):
                steps = [step_target(s) for s in codes[code].steps]
                close = difflib.get_close_matches(what[1:], steps, n=1)
                hint = f"; did you mean 指标{code}·{close[0]}?" if close else ""
                shown = f" (its steps: {', '.join(steps)})" if steps else " (it has no steps)"
                yield Problem(
                    path, f"'{name}': indicator {codes[code].label} has no step '{what[1:]}'{shown}{hint}"
                )
        # Values over all units are taken before any unit is scored: they cannot read results.
        population: list[tuple[str, frozenset[str]]] = []
        for k, own in enumerate(ind.steps):
            if isinstance(own, PeerRatio | Rank):
                population.append((f"{path}.steps[{k}]", frozenset(own.reads)))
            elif isinstance(own, Formula):
                for call in own.population_calls:
                    population.append((f"{path}.steps[{k}]", call.argument.variables))
        if ind.score is not None:
            for call in ind.score.population_calls:
                population.append((f"{path}.score", call.argument.variables))
        reaching = _steps_reaching(ind, known) if population else set()
        for where, names in population:
            if known.keys().isdisjoint(names) and reaching.isdisjoint(names):
                continue
            reached: set[str] = set(names)
            for name in names:
                for needed in _step_closure(ind, name):
                    reached |= step_reads(needed)
            bad = sorted(n for n in reached if n in known)
            if bad:
                yield Problem(
                    where,
                    f"a value over all units (a rank, a peer ratio, max_of …) cannot read another "
                    f"indicator's result ({', '.join(bad)}): those are worked out unit by unit, later",
                )
    graph, _ = _result_graph(indicators)
    paths = {ind.code: path for path, ind in leaves}
    for cycle in cycles(graph):
        yield Problem(
            paths[cycle[0]],
            "indicators read each other's results in a cycle: "
            + " → ".join(codes[c].label for c in cycle)
            + "; read a step (指标<code>·<step>) where a score is not needed",
        )


def check_word_part(where: str, step: Part, target: str, targets: Mapping[str, int]) -> Iterator[Problem]:
    """A part graded by words (*step*, computing *target*): its ``of`` names the input to grade, a
    column of words — never a number an earlier step computes (in *targets*, by its place)."""
    if step.of is None:
        yield Problem(where, f"categorical part '{target}' needs 'of' (the input to grade)")
    elif step.of in targets:
        yield Problem(
            where,
            f"categorical part '{target}' grades words, but '{step.of}' is the number "
            f"steps[{targets[step.of]}] computes (a step's value is never a word): grade it with a "
            "scale of conditions",
        )


def check_step_read(path: str, name: str, codes: Mapping[str, Indicator]) -> Iterator[Problem]:
    """A rule on the total (a cap, a flag, an overall band, the total formula) reading
    ``指标<code>·<step>``: the indicator and its step must exist (that the step is not a value over all
    units, :func:`check_rule_step_reads` says)."""
    match = _RESULT_LIKE.fullmatch(name)
    if match is None or not match.group(2).startswith("·"):
        return
    code, step = match.group(1), match.group(2)[1:]
    ind = codes.get(code)
    if ind is None:
        close = difflib.get_close_matches(code, list(codes), n=1)
        hint = f"; did you mean 指标{close[0]}·{step}?" if close else ""
        yield Problem(path, f"'{name}' names no indicator (no code '{code}'){hint}")
        return
    steps = [step_target(s) for s in ind.steps]
    if step not in steps:
        close = difflib.get_close_matches(step, steps, n=1)
        hint = f"; did you mean 指标{code}·{close[0]}?" if close else ""
        shown = f" (its steps: {', '.join(steps)})" if steps else " (it has no steps)"
        yield Problem(path, f"'{name}': indicator {ind.label} has no step '{step}'{shown}{hint}")


def ordered_steps(ind: Indicator) -> list[Step]:
    """The indicator's steps in an order where each comes after what it reads."""
    by_target = {step_target(s): s for s in ind.steps}
    done: list[Step] = []
    seen: set[str] = set()
    # Depth-first with an explicit stack, so a long chain of steps cannot exhaust the recursion limit.
    for step in ind.steps:
        start = step_target(step)
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(sorted(step_reads(by_target[start]))))]
        while stack:
            name, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                done.append(by_target[name])
            elif dep not in seen and dep in by_target:
                seen.add(dep)
                stack.append((dep, iter(sorted(step_reads(by_target[dep])))))
    return done


def _check_population(path: str, ind: Indicator) -> Iterator[Problem]:
    """A value over all units must not depend on another value over all units.

    Population values (max_of …, peer ratios, ranks) are computed in one pass
    over the units before scoring; an argument that needs another population
    value first would need a second pass.
    """
    population_targets = {
        step_target(s)
        for s in ind.steps
        if isinstance(s, PeerRatio | Rank) or (isinstance(s, Formula) and s.population_calls)
    }

    # Whether each step reads, directly or through other steps, a population
    # value: worked out once, in dependency order (not again for every formula).
    reaches: dict[str, bool] = {}
    for step in ordered_steps(ind):
        reaches[step_target(step)] = any(
            n in population_targets or reaches.get(n, False) for n in step_reads(step)
        )

    def depends(names: Iterable[str]) -> bool:
        return any(n in population_targets or reaches.get(n, False) for n in names)

    formulas: list[tuple[str, Formula]] = [
        (f"{path}.steps[{k}]", s) for k, s in enumerate(ind.steps) if isinstance(s, Formula)
    ]
    if ind.score is not None:
        formulas.append((f"{path}.score", ind.score))
    for k, policy in enumerate(ind.policies):
        when = getattr(policy, "when", None)
        if isinstance(when, Formula):
            formulas.append((f"{path}.policies[{k}].when", when))
    for where, formula in formulas:
        for call in formula.population_calls:
            if depends(call.argument.variables):
                yield Problem(where, f"{call.key} reads a value that is itself taken over all units")
    for k, step in enumerate(ind.steps):
        if isinstance(step, PeerRatio | Rank) and depends(step.reads):
            yield Problem(
                f"{path}.steps[{k}]", f"'{step.target}' reads a value that is itself taken over all units"
            )


def _check_missing_names(path: str, ind: Indicator, names: tuple[str, ...]) -> Iterator[Problem]:
    """``NotApplicable.missing`` names inputs the indicator reads (a typo would never fire)."""
    reads = inputs_of(ind) | frozenset(ind.inputs)
    for name in names:
        if name not in reads:
            close = difflib.get_close_matches(name, sorted(reads), n=3, cutoff=0.4)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            yield Problem(
                path, f"'{name}' is not an input {ind.label} reads, so its absence cannot be seen{hint}"
            )


def _check_step_cycles(path: str, ind: Indicator) -> Iterator[Problem]:
    """An indicator's steps may not read each other round."""
    # Depth-first, with an explicit stack: 2,800 chained steps must neither
    # recurse 2,800 frames deep nor copy the trail at every step.
    by_target = {step_target(s): s for s in ind.steps}
    graph = {target: step_reads(step) & by_target.keys() for target, step in by_target.items()}
    for cycle in cycles(graph):
        yield Problem(f"{path}.steps", f"steps depend on each other in a cycle: {' → '.join(cycle)}")
