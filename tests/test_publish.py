"""Publishing a scheme as the familiar table (perfrules table) and reading it back (perfrules import)."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_run import run
from perfrules import evaluate, load, sample_units, schemes
from perfrules.files.import_table import import_table
from perfrules.files.inputs import scheme_inputs
from perfrules.files.publish import write_table
from perfrules.scheme.tree import Group
from perfrules.scheme.units import Unit
from perfrules.testing import schemes as generated_schemes

pytest.importorskip("openpyxl")


def formats() -> list[str]:
    try:
        import docx  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        return ["xlsx"]
    return ["xlsx", "docx"]


def round_trip(scheme, ext: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, f"指标体系.{ext}")
        write_table(scheme, path)
        return import_table(path)


def shape(scheme, *, rules: bool = True):
    """What the table carries: the tree with declared subtotals, and each indicator's fields.

    With *rules*, the published rule text of each scale too (generated scales have none: their
    bands are written out, and the property compares what they do).
    """

    def walk(group, above):
        yield ("group", (*above, group.name), group.declared)
        for child in group.children:
            if isinstance(child, Group):
                yield from walk(child, (*above, group.name))
            else:
                yield (
                    "indicator",
                    (*above, group.name),
                    child.code,
                    child.name,
                    child.weight_for(None) if not scheme.categories else tuple(child.weights.items()),
                    child.source,
                    child.frequency,
                    child.definition,
                    tuple(sorted(child.metadata.items())),
                    child.stand_in,
                    child.scale.source if rules and child.scale is not None and child.scale.source else None,
                )

    return [item for g in scheme.groups for item in walk(g, ())]


@pytest.mark.parametrize("ext", formats())
@pytest.mark.parametrize("name", schemes())
def test_built_in_schemes_come_back_field_by_field(name, ext):
    scheme = load(name)
    imported = round_trip(scheme, ext)
    assert shape(imported.scheme) == shape(scheme)
    assert (
        imported.scheme.name,
        imported.scheme.basis,
        imported.scheme.total,
        imported.scheme.categories,
    ) == (
        scheme.name,
        scheme.basis,
        scheme.total,
        scheme.categories,
    )


@pytest.mark.parametrize("ext", formats())
def test_the_xiamen_table_scores_the_sample_as_the_built_in(ext):
    scheme = load("xiamen-xiangan-2020")
    imported = round_trip(scheme, ext)
    assert (imported.read, imported.left) == (41, 0)
    units = sample_units("xiamen-xiangan-2020")
    got, want = evaluate(imported.scheme, units), evaluate(scheme, units)
    assert [(r.unit, r.total, r.grade, r.rank) for r in got.ranking()] == [
        (r.unit, r.total, r.grade, r.rank) for r in want.ranking()
    ]


def test_what_the_table_cannot_carry_comes_back_as_todos():
    imported = round_trip(load("shenzhen-2010-departments"), "xlsx")
    assert (imported.read, imported.left) == (75, 3)
    assert [w for w, _ in imported.scheme.todos()] == [
        "11 人大建议办理",
        "13 政协提案办理",
        "21 部门人均公用经费支出水平",
    ]


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scheme=generated_schemes(), data=st.data())
def test_import_of_table_gives_back_the_scheme(scheme, data):
    imported = round_trip(scheme, "xlsx")
    draft = imported.scheme
    # Field by field where the table carries the field …
    assert shape(draft, rules=False) == shape(scheme, rules=False)
    assert (draft.basis, draft.total) == (scheme.basis, scheme.total)
    # … every rule of a generated scheme is read back (none is left as a todo) …
    assert draft.todos() == ()
    # … and the same totals and grades on any data.
    fields = sorted(scheme_inputs(scheme))
    assert sorted(scheme_inputs(draft)) == fields
    values = st.one_of(st.integers(0, 130).map(Decimal), st.decimals(0, 130, places=2))
    units = [
        Unit(name=f"单位{k}", data={f: data.draw(values) for f in fields if data.draw(st.integers(0, 9)) > 0})
        for k in range(3)
    ]
    got, want = evaluate(draft, units), evaluate(scheme, units)
    assert [(r.unit, r.total, r.grade, r.rank) for r in got.ranking()] == [
        (r.unit, r.total, r.grade, r.rank) for r in want.ranking()
    ]


def test_cli_table(tmp_path):
    path = tmp_path / "指标体系.xlsx"
    code, out, _ = run("table", "shenzhen-2010-departments", "-o", str(path))
    assert code == 0 and "23 indicators" in out
    code, _, err = run("table", "shenzhen-2010-departments", "-o", str(tmp_path / "t.pdf"))
    assert code == 2 and ".docx or .xlsx" in err
