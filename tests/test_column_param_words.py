"""A per-unit parameter for a column of words beside population values (``max_of``).

Gathering the batch's population values joins the parameters into the columns it reads; it
reads no words, so a parameter table for a word column must not be looked for there (it stopped
``evaluate()`` with a ``KeyError``). The differential strategy found it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from perfrules import load
from test_differential import assert_paths_agree

_SCHEME = """
name = "参数词"
total = 100
parameters = { "结论2" = { "单位2" = 1 } }
groups = [{ name = "组" }]
[[indicators]]
code = "2"
name = "指标2"
group = "组"
weight = 60
value = "结论2"
scale = { rule = "好—60分;差—0分" }
[[indicators]]
code = "3"
name = "指标3"
group = "组"
weight = 40
steps = ["最好3=max_of(值3)"]
score = "分值×值3/最好3"
"""


def test_a_parameter_for_a_word_column_beside_max_of_scores_on_every_path(tmp_path: Path) -> None:
    """单位1: 好 (60) and 2/4 of 100 → 0.6×60 + 0.4×50 = 56; 单位3: 差 (0) and 1/4 → 10; 单位2's blank
    word takes the parameter's 1, which the word scale refuses (its error, not a crash); max_of(值3)
    is 4, 单位2's own."""
    scheme_path, data_path = tmp_path / "s.toml", tmp_path / "d.csv"
    scheme_path.write_text(_SCHEME, encoding="utf-8")
    data_path.write_text("单位,结论2,值3\n单位1,好,2\n单位2,,4\n单位3,差,1\n", encoding="utf-8")
    full = assert_paths_agree(load(scheme_path), scheme_path, data_path)
    by_unit = {r.unit: r for r in full}
    assert (by_unit["单位1"].total, by_unit["单位1"].rank) == (Decimal(56), 1)
    assert (by_unit["单位3"].total, by_unit["单位3"].rank) == (Decimal(10), 2)
    assert by_unit["单位2"].total is None
    assert [(e.indicator, "expected one of 好, 差" in e.message) for e in by_unit["单位2"].errors] == [
        ("2", True)
    ]
