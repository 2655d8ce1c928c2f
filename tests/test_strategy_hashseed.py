"""perfrules.testing draws the same examples whatever PYTHONHASHSEED is: a failure found on one
machine replays on another (no draw may follow a set's iteration order)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

_DRAW = """
import hashlib
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from perfrules import load, scheme_to_mapping
import perfrules.testing as prst

found = []
departments = load("shenzhen-2010-departments")  # its graded inputs come from sets of names


def draws(strategy, show, count=12):
    @seed(20261206)
    @settings(max_examples=count, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(example):
        found.append(show(example))

    run()


draws(prst.units(departments), lambda us: repr([(u.name, u.category, sorted(u.data.items())) for u in us]))
draws(prst.unit_data(load("xiamen-xiangan-2020")), lambda d: repr(sorted(d.items())))
draws(prst.schemes().flatmap(lambda s: st.tuples(st.just(s), prst.units(s, max_size=2))),
      lambda p: repr((scheme_to_mapping(p[0]), [sorted(u.data.items()) for u in p[1]])), 8)
draws(prst.formula_texts(), repr)
draws(prst.threshold_scales(), lambda s: repr(s.boundaries))
print(hashlib.sha256("\\n".join(found).encode()).hexdigest(), len(found))
"""


def _draw(hashseed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hashseed, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", _DRAW], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_draws_do_not_depend_on_the_hash_seed():
    first = _draw("1")
    assert first.split()[1] == str(12 + 12 + 8 + 12 + 12)
    assert _draw("2") == first  # another seed orders sets otherwise: one more run is enough to see it
