"""Fuzz tests: for arbitrary input, only perfrules' own errors escape, and batches never break."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from perfrules import (
    PerfrulesError,
    SchemeError,
    Unit,
    evaluate,
    load,
    scheme_from_mapping,
    units_from_csv,
)
from perfrules import testing as prst

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

KEYS = ["name", "groups", "indicators", "basis", "total", "categories", "scores", "policies", "overall"]
INDICATOR_KEYS = [
    "code",
    "name",
    "group",
    "weight",
    "weights",
    "steps",
    "scale",
    "score",
    "policies",
    "value",
]


@st.composite
def scheme_like(draw):
    """Data shaped roughly like a scheme file, with anything in the values."""
    indicators = draw(
        st.lists(st.dictionaries(st.sampled_from(INDICATOR_KEYS), json_values, max_size=6), max_size=3)
    )
    top = draw(st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6))
    top.setdefault("name", "x")
    top["groups"] = draw(st.sampled_from([[{"name": "组"}], top.get("groups", [])]))
    top["indicators"] = [{"group": "组", **i} for i in indicators]
    return top


@given(st.one_of(json_values, scheme_like()))
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_only_scheme_errors_escape_loading(data):
    """Any data handed to scheme_from_mapping builds a scheme or raises SchemeError."""
    with contextlib.suppress(SchemeError):
        scheme_from_mapping(data)


@given(
    st.dictionaries(
        st.sampled_from(["rule", "bands", "domain", "policy", "scoring", "levels", "gaps"]), json_values
    )
)
@settings(max_examples=300)
def test_only_scheme_errors_escape_for_scales(scale):
    """A scheme whose one scale holds anything is built or refused with SchemeError."""
    data = {
        "name": "x",
        "groups": [{"name": "组"}],
        "indicators": [{"code": "1", "name": "甲", "group": "组", "weight": 100, "scale": scale}],
    }
    with contextlib.suppress(SchemeError):
        scheme_from_mapping(data)


DEPARTMENTS = load("shenzhen-2010-departments")
FIELDS = sorted(
    {k for u in [*__import__("perfrules").sample_units("shenzhen-2010-departments")] for k in u.data}
)


@given(
    st.lists(
        st.dictionaries(st.sampled_from(FIELDS), prst.input_values(), max_size=12),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["委", "局", "办", "处", None]),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A divisor column whose factor passes 64 bits over a column of 0s (the column program overflowed).
@example(
    [
        {
            "中央级推广数": None,
            "中央级表彰数": None,
            "互动性异常信息条数": False,
            "项目预算数": Decimal("9.3132274202E-10"),
        }
    ],
    None,
)
@example([{"法定期限内实际立案数": 92233720368547759}], "委")  # a column of 0s over a denominator past int64
def test_evaluate_never_raises_on_bad_unit_data(datas, category):
    """However bad the data, evaluate returns a result per unit; problems are UnitErrors."""
    units = [Unit(name=f"单位{i}", category=category, data=d) for i, d in enumerate(datas)]
    result = evaluate(DEPARTMENTS, units)
    assert len(result) == len(units)
    for unit in result:
        assert (unit.total is None) == (not unit.ok)


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_only_data_errors_escape_csv(text):
    """Arbitrary text read as CSV gives units or a DataError."""
    with contextlib.suppress(PerfrulesError):
        units_from_csv(text, scheme=DEPARTMENTS)


RULE_ALPHABET = "优良中差合格不：:；;，,或—-0123456789.%≥≤<>=x分以上下没有不满 \n说明"


@given(st.one_of(st.text(max_size=80), st.text(alphabet=RULE_ALPHABET, max_size=80)))
@settings(max_examples=500)
def test_only_perfrules_errors_escape_scale_parsing(text):
    """Any rule text parses into a scale or raises a perfrules error."""
    from perfrules import GradeScale

    with contextlib.suppress(PerfrulesError):
        GradeScale.parse(text, scoring="midpoint")


CELLS = st.one_of(
    st.sampled_from(
        ["", "—", "N/A", "19件", "1,234", "0/0", "无", "95%", "1e999999999%", "-3", "abc", "12.5"]
    ),
    st.text(max_size=6),
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scheme=prst.schemes(max_groups=2, max_indicators=3), data=st.data())
def test_scheme_file_and_data_text_through_load_validate_score(scheme, data):
    """A random scheme written as a file, and random cells for its fields: only perfrules errors escape.

    The file is read back and scored on a CSV whose every cell is drawn from
    what analysts' files really hold; whatever the cells, the batch finishes
    and each unit either scores or carries its errors.
    """
    from perfrules import dumps, loads
    from perfrules.scheme.reads import inputs_of

    loaded = loads(dumps(scheme))
    fields = sorted({f for ind in loaded.indicators() for f in inputs_of(ind)})
    rows = data.draw(
        st.lists(st.lists(CELLS, min_size=len(fields), max_size=len(fields)), min_size=1, max_size=4)
    )
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["单位", *fields])
    for i, row in enumerate(rows):
        writer.writerow([f"单位{i}", *row])
    try:
        units = units_from_csv(buffer.getvalue(), scheme=loaded)
    except PerfrulesError:
        return
    evaluation = evaluate(loaded, units)
    assert len(evaluation) == len(units)
    for result in evaluation:
        assert result.ok == (result.total is not None)
