"""A word ``part`` whose ``of`` is a step's number (``档=a+1``, then a part graded by words over 档).

A step's value is always a number, never a word: the scheme's check refuses such a part, naming
the step. Before, the column program stopped the whole run with a ``TypeError`` (its lookup read
the step's integer column as words); the lookup now takes such a column as no words at all.
"""

from __future__ import annotations

import pytest

from perfrules import SchemeError, loads
from perfrules._intcols import IntColumn, numpy
from perfrules.scoring.collookup import compile_lookup
from perfrules.scoring.colsteps import SEND_BACK

_SCHEME = """
name = "词档"
total = 100
groups = [{ name = "组" }]
[[indicators]]
code = "1"
name = "指标1"
group = "组"
weight = 100
steps = ["档=a+1", { type = "part", target = "评价分", scale = { rule = "优—6分;良—4分;差—0分" }, of = "档" }]
score = "评价分/6×100"
"""


def test_a_word_part_over_a_steps_number_is_refused_by_the_schemes_check() -> None:
    with pytest.raises(SchemeError) as caught:
        loads(_SCHEME, format="toml")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        (
            "indicators[0].steps[1]",
            "categorical part '评价分' grades words, but '档' is the number steps[0] computes (a step's "
            "value is never a word): grade it with a scale of conditions",
        )
    ]


def test_the_lookup_takes_a_number_column_as_no_words() -> None:
    """Every row is sent back (the per-unit program words the scale's refusal), none is graded."""
    np = numpy()
    grade = {"优": 6, "良": 4}.__getitem__
    lookup = compile_lookup(["档"], {"档"}, lambda values: grade(values["档"]))
    scope = {"档": IntColumn(np.array([1, 2]), 1, 2)}
    col = lookup(scope, 2)
    assert col.num.tolist() == [0, 0]
    assert scope[SEND_BACK].tolist() == [True, True]
