"""evaluate() explains a unit when it is read: the same plan run again, equal to scoring in detail."""

from __future__ import annotations

import pickle
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import oracle
import perfrules
from perfrules import testing as prst
from perfrules._numbers import as_fraction
from perfrules.results.model import _explained_parts
from perfrules.scoring.plan import plan_of

SCHEMES = ["shenzhen-2010-departments", "xiamen-xiangan-2020"]


@pytest.mark.parametrize("name", SCHEMES)
def test_explanations_read_later_equal_the_detailed_run(name: str) -> None:
    """Indicators and groups (population steps included) equal those of scoring the batch in detail."""
    scheme = perfrules.load(name)
    units = perfrules.sample_units(name)
    evaluation = perfrules.evaluate(scheme, units)
    detailed = oracle.score_units(scheme, list(units), detail=True)
    plan = plan_of(scheme)
    for result, outcome in zip(evaluation.results, detailed, strict=True):
        indicators, groups = _explained_parts(plan, outcome)
        assert result.indicators == indicators
        assert result.groups == groups
        assert (result.total, result.grade, result.rank, result.events) == (
            outcome.total,
            outcome.grade,
            outcome.rank,
            tuple(outcome.events),
        )


def test_a_result_pickles_explained_and_compares_equal_before_and_after_reading() -> None:
    """Pickling sends the explanation along; equality reads it on both sides."""
    name = "shenzhen-2010-departments"
    scheme = perfrules.load(name)
    units = perfrules.sample_units(name)
    first = perfrules.evaluate(scheme, units).results[0]
    second = perfrules.evaluate(scheme, units).results[0]
    again = pickle.loads(pickle.dumps(first))
    assert again == first == second
    assert again.indicators and again.indicators == second.indicators
    assert first.explain() == again.explain()


def test_totals_only_results_have_no_indicators() -> None:
    scheme = perfrules.load("shenzhen-2010-departments")
    results = perfrules.evaluate(scheme, perfrules.sample_units("shenzhen-2010-departments"), explained=False)
    assert all(r.indicators == () and r.groups == () for r in results)
    assert any(r.total is not None for r in results)


OVERALL_READS_AN_INDICATOR = """
format = "perfrules-scheme/1"
name = "总体等次看单项"
basis = "points"
total = 10
groups = [{ name = "组" }]

[overall]
policy = "first"

[[overall.bands]]
name = "好"
conditions = ["指标1得分>=4"]

[[overall.bands]]
name = "差"
conditions = ["指标1得分<4"]

[[indicators]]
code = "1"
name = "甲项"
group = "组"
weight = 5
score = "甲项得分"

[[indicators]]
code = "2"
name = "乙项"
group = "组"
weight = 5
score = "乙项得分"
"""


def test_totals_only_grading_reads_what_overall_reads() -> None:
    """A scheme of reported scores graded on one indicator's score: every path grades it so."""
    from decimal import Decimal

    scheme = perfrules.loads(OVERALL_READS_AN_INDICATOR)
    units = [perfrules.Unit(name="甲", data={"甲项得分": Decimal(3), "乙项得分": Decimal(5)})]
    explained = perfrules.evaluate(scheme, units).results[0]
    totals = perfrules.evaluate(scheme, units, explained=False).results[0]
    assert explained.total == totals.total == Decimal(8)
    assert explained.grade == totals.grade == "差"


@st.composite
def _scheme_and_units(draw: st.DrawFn) -> tuple[perfrules.Scheme, list[perfrules.Unit]]:
    from decimal import Decimal

    scheme = draw(prst.schemes(max_groups=3, max_indicators=4))
    scores = st.sampled_from([Decimal(v) for v in ("0", "59.9", "60", "80", "89.99", "90", "100", "120")])
    rates = st.sampled_from([Decimal(v) for v in ("0", "0.3", "0.5", "0.6", "0.8", "0.9", "0.95", "1")])
    units = []
    for n in range(draw(st.integers(min_value=1, max_value=5))):
        data: dict[str, object] = {}
        for ind in scheme.indicators():
            code = ind.code
            if draw(st.integers(0, 19)) > 0:  # now and then a value is missing: that unit fails
                data[f"原始{code}"] = draw(rates if ind.scale is not None else scores)
            data[f"扣分项{code}"] = draw(st.sampled_from([0, 0, 1, 3]))
            data[f"不适用{code}"] = draw(st.sampled_from([0, 0, 1]))  # its weight moves
            data[f"违规{code}"] = draw(st.sampled_from([0] * 9 + [1]))
            data[f"否决{code}"] = draw(st.sampled_from([0] * 19 + [1]))
        units.append(perfrules.Unit(name=f"单位{n}", data=data))
    return scheme, units


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scheme_and_units())
def test_totals_and_explanations_agree_on_generated_schemes(case: tuple[perfrules.Scheme, list]) -> None:
    """Weights that move, defaults, adjustments, vetoes, errors: the batch's totals are the detailed ones."""
    scheme, units = case
    totals = perfrules.evaluate(scheme, units, explained=False).results
    explained = perfrules.evaluate(scheme, units).results
    detailed = oracle.score_units(scheme, units, detail=True)
    plan = plan_of(scheme)
    for lean, lazy, outcome in zip(totals, explained, detailed, strict=True):
        assert (lean.total, lean.grade, lean.rank, lean.errors) == (
            outcome.total,
            outcome.grade,
            outcome.rank,
            tuple(outcome.errors),
        )
        assert (lazy.total, lazy.grade, lazy.rank, lazy.events) == (
            outcome.total,
            outcome.grade,
            outcome.rank,
            tuple(outcome.events),
        )
        indicators, _ = _explained_parts(plan, outcome)
        assert lazy.indicators == indicators
        if lazy.total is not None and not lazy.vetoed and not scheme.policies:
            contributed = sum(
                (as_fraction(i.contribution) for i in lazy.indicators if i.contribution is not None),
                Fraction(0),
            )
            adjusted = any(e.kind == "capped" for e in lazy.events)
            if not adjusted:
                assert as_fraction(lazy.total) == max(contributed, Fraction(0))


def test_writing_units_one_at_a_time_does_not_keep_their_explanations() -> None:
    """JSON output explains each unit once and lets it go: the batch's results stay unexplained."""
    scheme = perfrules.load("shenzhen-2010-departments")
    evaluation = perfrules.evaluate(scheme, perfrules.sample_units("shenzhen-2010-departments"))
    first = evaluation.ranking()[0]
    once = first._explained_once()
    assert first._detail is not None  # still lazy: nothing kept on the batch's result
    assert once._detail is None and once.indicators
    assert once == first  # the same result, explained (equality explains the other side)
