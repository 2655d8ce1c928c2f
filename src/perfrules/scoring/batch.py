"""Scoring a batch of units: population values first, each unit, then quotas and ranks.

``score_units`` is the one scoring loop behind ``evaluate``, the command
line's output and the Dask and multi-process paths. It records only what totals,
grades, ranks and indicator scores need, by the plan's column program
(:mod:`perfrules.scoring.program`), the one engine: a unit it leaves unscored in
the batch is scored alone, else given an error of its own
(:mod:`~perfrules.scoring.colalone`). A unit's explanation is a view of what the
column program records when it runs again on the unit (:mod:`perfrules.scoring.colexplain`).
One unit's bad data is recorded on that unit and never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

from ..scheme.model import Scheme
from ..scheme.units import PolicyEvent, Unit
from .colalone import settled
from .colpop import batch_population
from .compiled import Population
from .outcome import UnitOutcome
from .plan import Plan, plan_of
from .population import apply_quota, rank_positions
from .program import score_columns
from .rollup import UnitTree, roll_up_level, unit_tree

__all__ = [
    "batch_tree",
    "check_units",
    "finish_batch",
    "finish_levels",
    "score_batch",
    "score_chunk",
    "score_units",
]


def score_units(
    scheme: Scheme,
    units: Sequence[Unit],
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[UnitOutcome]:
    """Score a batch: population values once, every unit, then quotas and ranks.

    Raises:
        SchemeError: a form of the scheme the column program does not compile.
    """
    return score_batch(plan_of(scheme), units, progress=progress)[0]


def score_batch(
    plan: Plan,
    units: Sequence[Unit],
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[list[UnitOutcome], Mapping[str, Population]]:
    """:func:`score_units`, also giving the batch's population values per unit (to explain units later).

    With the scheme's ``roll_up``, the units that are no one's parent are
    scored (population values over them alone), then each level of parents
    gets the mean of its sub-units' totals; each level has its own quotas and
    ranks. The outcomes keep the units' order.
    """
    tree = batch_tree(plan, units)
    scored = list(units) if tree is None else list(tree.scored)
    population = batch_population(plan, scored) if plan.has_population else {}
    outcomes = score_chunk(plan, scored, population, progress=progress)
    return finish_levels(plan, tree, outcomes, units), population


def batch_tree(plan: Plan, units: Sequence[Unit]) -> UnitTree | None:
    """The units as a tree of parents and sub-units, with the scheme's ``roll_up`` (else None).

    Raises:
        DataError: a unit names itself, a cycle, or a parent with no row (see :func:`unit_tree`).
    """
    roll_up = plan.scheme.roll_up
    return unit_tree(roll_up, units) if roll_up is not None else None


def finish_levels(
    plan: Plan, tree: UnitTree | None, outcomes: list[UnitOutcome], units: Sequence[Unit]
) -> list[UnitOutcome]:
    """:func:`finish_batch` over the scored units, then each level of parents in turn (``roll_up``).

    *outcomes* are those of ``tree.scored`` (of every unit without a tree);
    the parents' are worked out from them, level by level, each level with
    its own quotas and ranks. Returns every outcome in the order of *units*.
    """
    finish_batch(plan, outcomes)
    if tree is None:
        return outcomes
    done = {o.unit.name: o for o in outcomes}
    for level, parents in enumerate(tree.levels, start=1):
        found = roll_up_level(plan, tree, parents, done, level)
        finish_batch(plan, found)
        done.update((o.unit.name, o) for o in found)
    return [done[u.name] for u in units]


def score_chunk(
    plan: Plan,
    units: Sequence[Unit],
    population: Mapping[str, Population],
    *,
    progress: Callable[[int, int, str], None] | None = None,
    rendered: bool = False,
) -> list[UnitOutcome]:
    """Score some of the units scored together, given their population values (no quotas, no ranks).

    Args:
        plan: the scheme's plan.
        units: the units to score (a part of the batch is fine).
        population: per unit name, its population values over the whole batch.
        progress: called as ``progress(done, total, unit_name)`` after each unit.
        rendered: give the units the column program scores their output cells at once
            (see :meth:`~perfrules.scoring.program.ColumnProgram.run`).

    Returns:
        One outcome per unit, in order; :func:`finish_batch` over the whole
        batch's outcomes applies quotas and ranks.
    """
    # The column program's totals; a unit it leaves unscored in the batch, scored alone (colalone).
    outcomes = settled(
        plan, score_columns(plan, units, population, rendered=rendered), units.__getitem__, population
    )
    if progress is not None:
        for done, unit in enumerate(units, start=1):
            progress(done, len(units), unit.name)
    return outcomes


def finish_batch(plan: Plan, outcomes: Sequence[UnitOutcome]) -> None:
    """Quotas, then ranks (overall and per category), over the units scored together."""
    scored = [o for o in outcomes if o.total is not None]
    scheme = plan.scheme
    words = plan.words
    grades = scheme.grades
    for quota in scheme.quotas:
        overflow = quota.overflow or grades[grades.index(quota.grade) + 1]
        pools: dict[str | None, list[UnitOutcome]] = {}
        for o in scored:
            pools.setdefault(o.unit.category if quota.within == "category" else None, []).append(o)
        for members in pools.values():
            moved, exceeded = apply_quota(
                quota, members, lambda o: o.grade, lambda o: o.total if o.total is not None else Decimal(0)
            )
            reason = quota.reason or words("等次比例控制", "grade quota")
            for o in moved:
                o.grade = overflow
                o.events.append(
                    PolicyEvent(
                        kind="quota",
                        message=words(
                            f"{reason}：“{quota.grade}”名额已满，按总分排序降为“{overflow}”",
                            f"{reason}: the places for '{quota.grade}' are taken by higher totals; '{overflow}'",
                        ),
                    )
                )
            if exceeded:
                for o in members:
                    if o.grade == quota.grade:
                        o.events.append(
                            PolicyEvent(
                                kind="quota",
                                message=words(
                                    f"{reason}：名额边界处总分并列，并列单位均保留“{quota.grade}”，超出名额",
                                    f"{reason}: units tied at the limit all keep '{quota.grade}'; the quota is exceeded",
                                ),
                            )
                        )
    _rank(scored, lambda o: None, overall=True)
    if scheme.categories or any(o.unit.category for o in scored):
        _rank(scored, lambda o: o.unit.category, overall=False)


def _rank(scored: Sequence[UnitOutcome], key: Callable[[UnitOutcome], str | None], *, overall: bool) -> None:
    """Ranks with ties sharing the better rank; vetoed units after every unit not vetoed."""
    pools: dict[str | None, list[UnitOutcome]] = {}
    for o in scored:
        pools.setdefault(key(o), []).append(o)
    for members in pools.values():
        clean = [o for o in members if not o.vetoed]
        vetoed = [o for o in members if o.vetoed]
        ranks = rank_positions([o.total for o in clean if o.total is not None])
        after = rank_positions([o.total for o in vetoed if o.total is not None])
        for o, r in zip(clean, ranks, strict=True):
            _set_rank(o, r, overall)
        for o, r in zip(vetoed, after, strict=True):
            _set_rank(o, len(clean) + r, overall)


def _set_rank(o: UnitOutcome, rank: int, overall: bool) -> None:
    if overall:
        o.rank = rank
    else:
        o.category_rank = rank


def check_units(units: Iterable[Unit]) -> list[Unit]:
    """The units as a list, refusing non-units and duplicate names."""
    unit_list = list(units)
    seen: set[str] = set()
    for unit in unit_list:
        if not isinstance(unit, Unit):
            raise TypeError(f"units must be Unit objects (got {unit!r} of type {type(unit).__name__})")
        if unit.name in seen:
            raise ValueError(f"two units are named '{unit.name}'")
        seen.add(unit.name)
    return unit_list
