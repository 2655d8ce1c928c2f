"""A word scale with a default for no data, scored from ``Unit`` objects through the API.

The only data column whose blank cell a default takes is a column of words; checking the units'
cells for values the columns do not hold then had no numeric column to look at, and ``evaluate()``
stopped with a ``TypeError``. The column-failure tests' generated schemes found it.
"""

from __future__ import annotations

from decimal import Decimal

from perfrules import Unit, evaluate, loads

_SCHEME = """
name = "词默认"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "3"
name = "指标3"
group = "组"
weight = 100
value = "评价3"
scale = { rule = "优—100分;良—60分;差—0分" }
policies = [{ type = "default", score = 50 }]
"""


def test_a_word_scale_with_a_default_scores_units_given_through_the_api() -> None:
    """甲 优 → 100; 乙 has no word → the default's 50; 丙 良 → 60 (ranks 1, 3, 2)."""
    scheme = loads(_SCHEME, format="toml")
    units = [
        Unit(name="甲", data={"评价3": "优"}),
        Unit(name="乙", data={}),
        Unit(name="丙", data={"评价3": "良"}),
    ]
    for explained in (False, True):
        found = {r.unit: (r.total, r.rank) for r in evaluate(scheme, units, explained=explained).results}
        assert found == {"甲": (Decimal(100), 1), "乙": (Decimal(50), 3), "丙": (Decimal(60), 2)}
