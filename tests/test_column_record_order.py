"""Units read in an order the evaluation was told (its ranking) are recorded together, as they are read.

JSON output, tables and workbooks read an evaluation's units in ranking order:
a few of them, spread over a big batch. Each is recorded with the units read
after it in that order (:meth:`perfrules.scoring.colrecord.Explaining.expect`,
told by ``Evaluation.ranking()``), so reading them runs the column program once
per block of units read rather than once per unit; the explanations are those
of the block path (the unit and its neighbours in the batch) and of the per-unit
program.
"""

from __future__ import annotations

from typing import Any

import attrs

import oracle
import perfrules
from perfrules import evaluate, load
from perfrules.scoring.colexplain import RECORDED, explain_unit, explainer_of
from perfrules.scoring.colrecord import Explaining
from perfrules.scoring.plan import plan_of
from perfrules.scoring.program import program_of

_NAME = "xiamen-xiangan-2020"


def _many(copies: int) -> tuple[Any, list[Any]]:
    scheme = load(_NAME)
    units = list(perfrules.sample_units(_NAME))
    return scheme, [attrs.evolve(u, name=f"{u.name}{j}") for j in range(copies) for u in units]


def _counted(monkeypatch: Any, program: Any) -> list[list[str]]:
    runs: list[list[str]] = []
    real = program.run

    def counted(batch: Any, *args: Any, **kwargs: Any) -> Any:
        runs.append([u.name for u in batch])
        return real(batch, *args, **kwargs)

    monkeypatch.setattr(program, "run", counted)
    return runs


def _seen(o: Any) -> Any:
    s = o.scored
    return None if s is None else (s.score, s.value, s.grade, s.computations, s.events, o.contribution)


def test_units_read_in_the_order_told_are_recorded_with_the_units_read_next(monkeypatch):
    _, many = _many(12)  # 96 units
    scheme = load(_NAME)
    plan = plan_of(scheme)
    program = program_of(plan)
    assert program is not None
    explainer = explainer_of(plan, program)
    order = sorted(range(len(many)), key=lambda i: (i * 37) % len(many))  # scattered over the batch
    runs = _counted(monkeypatch, program)
    told = Explaining(program, many, {}, block=16)
    told.expect(order)
    found = {}
    for i in order[:40]:  # the first 40 in that order: the first's block, then 3 of the units read
        record, row = told.record(i)
        found[i], by = explain_unit(explainer, record, row)
        assert by == RECORDED
    assert [len(r) for r in runs] == [16] * 4  # the first ask (none before it): its neighbours
    assert runs[0] == [u.name for u in many[:16]] and order[0] == 0
    place = {many[i].name: j for j, i in enumerate(order)}
    for run in runs[1:]:  # then the units read next, in that order
        lo = place[run[0]]
        assert run == [many[i].name for i in order[lo : lo + 16]]
    # The same units in the batch's order, blocks of neighbours: the same explanations.
    runs.clear()
    plain = Explaining(program, many, {}, block=16)
    for i in sorted(found):
        record, row = plain.record(i)
        again, _ = explain_unit(explainer, record, row)
        assert [_seen(o) for o in again] == [_seen(o) for o in found[i]]
    assert all(len(r) == 16 for r in runs)
    # Asked out of the order told: its neighbours in the batch.
    runs.clear()
    told.record(order[90])
    start = order[90] - order[90] % 16
    assert runs == [[u.name for u in many[start : start + 16]]]


def test_the_first_units_of_the_ranking_of_a_big_batch_are_explained_in_few_runs(monkeypatch):
    """Reading the first 100 units of the ranking of 640 runs the program on the first's neighbours,
    then on two blocks of the units read next (64 each), each unit explained from the record as the per-unit program explains it."""
    scheme, many = _many(80)
    evaluation = evaluate(scheme, many)
    program = program_of(plan_of(evaluation.scheme))
    runs = _counted(monkeypatch, program)
    ranked = evaluation.ranking()[:100]
    shown = {r.unit: (r.indicators, r.explain()) for r in ranked}
    assert [len(r) for r in runs] == [64, 64, 64]
    order = [r.unit for r in evaluation.ranking()]
    for run in runs[1:]:  # the first's neighbours, then the units read next in ranking order
        lo = order.index(run[0])
        assert run == order[lo : lo + 64]
    assert {r._explained_by for r in ranked} == {RECORDED}
    slow = oracle.evaluate(scheme, many)  # the per-unit program
    for r in slow.ranking()[:100]:
        assert (r.indicators, r.explain()) == shown[r.unit]
