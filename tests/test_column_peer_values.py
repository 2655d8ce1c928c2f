"""Peer-ratio values worked out over a batch's columns (scoring.colpeervalues) against the per-unit
way (``population.resolve`` over ``population.observe``): the same values, unit for unit, on the
bundled Shenzhen sample and on generated data."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import Group, Indicator, Scheme, Unit, load, sample_units
from perfrules._intcols import from_records, numpy
from perfrules.scheme.steps import PeerRatio
from perfrules.scoring.colpeers import peer_blocks, peer_reads
from perfrules.scoring.colpeervalues import PeerObservations, PeerValues, batch_peer_values
from perfrules.scoring.colsteps import population_column
from perfrules.scoring.plan import plan_of
from perfrules.scoring.population import observe, population_values


def _by_columns(scheme: Scheme, units: list[Unit], without: frozenset[str] = frozenset()) -> PeerValues:
    """The units' peer values as the range reader works them out: the units whose cells are plain
    numbers or blank as columns, every other one observed one by one."""
    plan = plan_of(scheme)
    reads = peer_reads(plan)
    assert reads is not None
    scored = [u for u in units if not u.problems]
    np = numpy()
    parsed = from_records([u.data for u in scored], reads)
    columns = {
        name: (col, plain, np.array([u.data.get(name) is None for u in scored], dtype=bool))
        for name, (col, plain) in parsed.items()
    }
    blocks, rest = peer_blocks(
        plan,
        [u.name for u in scored],
        [u.category for u in scored],
        columns,
        [frozenset(u.not_applicable) for u in scored],
        [u.periods or None for u in scored],
    )
    observed = PeerObservations(plan)
    observed.add(blocks, observe(plan.indicators, [scored[i] for i in rest]))
    observed.names = [u.name for u in units]
    return observed.values(without)


def _same(scheme: Scheme, units: list[Unit], without: frozenset[str] = frozenset()) -> int:
    """Check the two ways agree (tables and columns); the number of values compared."""
    plan = plan_of(scheme)
    expected = population_values(plan.indicators, [u for u in units if u.name not in without])
    found = _by_columns(scheme, units, without)
    names = [u.name for u in units]
    if not without:  # evaluate's way (the same, from the units themselves)
        api = batch_peer_values(plan, units)
        assert api is not None
        assert {n: dict(api[n]) for n in names} == {n: dict(found[n]) for n in names}
    assert sorted(found) == sorted(names)
    count = 0
    for name in names:
        assert dict(found[name]) == dict(expected.get(name, {})), name
        count += len(found[name])
    for ind in plan.indicators:
        for step in ind.peer_steps:
            col, present = found.column_of(ind.code, step.target, names)
            want, has = population_column(
                [expected.get(n, {}).get((ind.code, step.target, None)) for n in names]
            )
            assert present.tolist() == has.tolist()
            got = [Fraction(int(x), col.den) for x in col.num.tolist()]
            assert got == [Fraction(int(x), want.den) for x in want.num.tolist()]
    return count


def test_shenzhen_sample() -> None:
    scheme = load("shenzhen-2010-departments")
    units = list(sample_units("shenzhen-2010-departments"))
    assert _same(scheme, units) > 0
    assert _same(scheme, units, frozenset({units[0].name})) > 0


def _scheme() -> Scheme:
    def one(code: str, step: PeerRatio) -> Indicator:
        return Indicator(code=code, name=f"指标{code}", weight=50, steps=[step], score=f"{step.target}×10")

    ratios = PeerRatio(target="水平乙", numerator="支出", denominator="面积", pooled=False, within="category")
    children = [one("1", PeerRatio(target="水平甲", numerator="支出", denominator="人数")), one("2", ratios)]
    return Scheme(name="同级比较", groups=[Group(name="全部", children=children)])


_cells = st.one_of(
    st.none(),
    st.integers(min_value=-3, max_value=40),
    st.decimals(min_value=-5, max_value=10**6, places=3, allow_nan=False),
    st.sampled_from(["多", Decimal("1E+3"), 10**25]),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_cells, _cells, _cells, st.sampled_from(["委", "局", None])),
        min_size=1,
        max_size=12,
    ),
    st.integers(min_value=0, max_value=12),
)
def test_generated(rows: list[tuple[Any, Any, Any, str | None]], leave: int) -> None:
    units = []
    for k, (spend, staff, area, category) in enumerate(rows):
        data = {
            name: v
            for name, v in (("支出", spend), ("人数", staff), ("面积", area))
            if v is not None or k % 2
        }
        units.append(Unit(name=f"单位{k}", category=category, data=data))
    without = frozenset({units[leave].name}) if leave < len(units) else frozenset()
    _same(_scheme(), units, without)


def test_hand_worked() -> None:
    """Pooled over every unit: p = (100 + 300 + 7) / (2 + 2 + 0) = 407/4, so 50 / p = 200/407 and
    150 / p = 600/407; the mean of ratios within a category: 委's ratios 100/4 and 300/2, mean 87.5,
    so 25 / 87.5 = 2/7 and 150 / 87.5 = 12/7."""
    units = [
        Unit(name="甲", category="委", data={"支出": 100, "人数": 2, "面积": 4}),
        Unit(name="乙", category="委", data={"支出": 300, "人数": 2, "面积": 2}),
        Unit(name="丙", category="局", data={"支出": 7, "人数": 0, "面积": 0}),
    ]
    found = batch_peer_values(plan_of(_scheme()), units)
    assert found is not None
    assert dict(found["甲"]) == {
        ("1", "水平甲", None): Fraction(200, 407),
        ("2", "水平乙", None): Fraction(2, 7),
    }
    assert dict(found["乙"]) == {
        ("1", "水平甲", None): Fraction(600, 407),
        ("2", "水平乙", None): Fraction(12, 7),
    }
    # 丙 puts its figures into the pooled sums, but has no ratio of its own (a divisor of 0).
    assert dict(found["丙"]) == {}
    col, present = found.column_of("1", "水平甲", ["丙", "甲", "乙"])
    assert present.tolist() == [False, True, True]
    assert [Fraction(int(x), col.den) for x in col.num.tolist()][1:] == [
        Fraction(200, 407),
        Fraction(600, 407),
    ]
