"""perfrules agrees with the hand-written exact scorer of the weighted-41 benchmark workload.

The workload lives in ``shared/bench/weighted-41`` beside the repository (or
``$PERFRULES_SHARED``); without it these tests are skipped. The adversarial
units sit on grade boundaries (cells and totals), tie exactly through other
cells, and carry more digits than a float holds.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_weighted41", ROOT / "benchmarks" / "weighted41.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()
SHARED = bench.shared_dir()
pytestmark = pytest.mark.skipif(
    not (bench.workload(SHARED) / "scheme.toml").exists(),
    reason=f"the weighted-41 workload is not under {SHARED} (set PERFRULES_SHARED)",
)


def test_adversarial_units_match_the_hand_written_scorer(tmp_path: Path) -> None:
    """2,000 adversarial units: every total, grade and rank equal on evaluate (both ways) and the CLI."""
    data = bench.generate(SHARED, "adversarial", 2000, tmp_path / "adversarial.csv")
    assert bench.mismatches(SHARED, data) == []


def test_a_changed_total_is_caught(tmp_path: Path) -> None:
    """The comparison can fail: a unit whose cell is changed after scoring by hand is reported."""
    from decimal import Decimal

    from perfrules import evaluate, load, load_units

    hw = bench.handwritten(SHARED)
    scheme = load(bench.workload(SHARED) / "scheme.toml")
    data = bench.generate(SHARED, "adversarial", 40, tmp_path / "a.csv")
    units = load_units(data, scheme=scheme)
    fields = bench.scheme_fields(scheme)
    expected = hw.make_xiamen(fields)(units)
    got = evaluate(scheme, units, explained=False).results
    assert [r.total * 10 for r in got] == [e[0] for e in expected]
    assert [r.grade for r in got] == [e[1] for e in expected]
    assert [r.rank for r in got] == [e[2] for e in expected]
    first = units[0]
    changed = type(first)(name=first.name, data={**first.data, fields[0]: Decimal(first.data[fields[0]]) - 1})
    assert hw.make_xiamen(fields)([changed])[0][0] != expected[0][0]
