"""perfrules.testing's unit strategies: they fill what a scheme reads and land on its boundaries."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from perfrules import PerfrulesError, evaluate, load, schemes
from perfrules import testing as prst
from perfrules.scoring.plan import plan_of

ROOT = Path(__file__).resolve().parent.parent
# The built-ins, and mechanics with population steps, deductions, vetoes and categorical inputs.
EXAMPLES = [
    ROOT / "docs" / "examples" / "mechanics" / f"{name}.toml"
    for name in ("m01-deductions", "m04-share-of-best", "m05-rank-points", "m08-veto-effects")
]
SCHEMES = [*schemes(), *(str(p) for p in EXAMPLES)]


def _fields(scheme) -> set[str]:
    return set().union(*(p.fields for p in plan_of(scheme).indicators))


@pytest.mark.parametrize("name", SCHEMES, ids=lambda n: Path(n).stem)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_units_read_as_scored_units(name, data):
    """Every unit drawn is scored or fails with perfrules' own errors naming where; the rest score."""
    scheme = load(name)
    units = data.draw(prst.units(scheme, max_size=4))
    assert len({u.name for u in units}) == len(units)
    assert set().union(*(u.data.keys() for u in units)) <= _fields(scheme) | {
        n for p in scheme.policies for n in getattr(p, "reads", ())
    } | {n for p in scheme.policies if hasattr(p, "when") for n in p.when.variables}
    for result in evaluate(scheme, units, explained=False):
        if result.total is None:
            assert result.errors and all(e.indicator or e.field for e in result.errors)


@pytest.mark.parametrize("name", schemes())
def test_a_drawn_unit_fills_every_input_of_a_built_in(name):
    """With nothing left out, a unit's data names every input the scheme's indicators read."""
    scheme = load(name)
    data = find(prst.unit_data(scheme, missing=0), lambda d: True, settings=settings(phases=[Phase.generate]))
    assert set(data) == _fields(scheme)


def test_graded_values_land_exactly_on_printed_boundaries():
    """Drawn data reaches a rate exactly on a printed boundary through whole-looking inputs (90% = 完成数/总数)."""
    scheme = load("shenzhen-2010-departments")
    boundaries = {Fraction(b) for b in scheme.indicator("1").scale.boundaries}

    def on_boundary(data):
        try:
            rate = Fraction(data["白皮书任务完成数"]) / Fraction(data["白皮书任务总数"])
        except (KeyError, ZeroDivisionError):
            return False
        return rate in boundaries and 0 < rate < 1

    found = find(
        prst.unit_data(scheme),
        on_boundary,
        settings=settings(max_examples=500, database=None, phases=[Phase.generate]),
    )
    assert Fraction(found["白皮书任务完成数"]) / Fraction(found["白皮书任务总数"]) in {
        Fraction(8, 10),
        Fraction(9, 10),
    }


def test_graded_inputs_come_from_their_labels():
    """An input graded as a category (良好/合格/不合格, 好/较好…) takes one of its labels."""
    scheme = load("shenzhen-2010-departments")
    data = find(prst.unit_data(scheme, missing=0), lambda d: True, settings=settings(phases=[Phase.generate]))
    assert data["审计结论"] in {"好", "较好", "一般", "差"}
    assert data["按时签收评定"] in {"良好", "合格", "不合格"}


def test_only_perfrules_errors_escape_scoring_drawn_units():
    """Scoring drawn units never raises: problems stay on the units."""
    scheme = load("shenzhen-2010-districts")

    @settings(max_examples=5, deadline=None)
    @given(prst.units(scheme, max_size=3))
    def run(units):
        try:
            evaluate(scheme, units)
        except PerfrulesError as exc:  # pragma: no cover - a failure, reported by pytest
            pytest.fail(f"scoring raised {exc!r}")

    run()
