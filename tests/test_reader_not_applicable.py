"""A rule that reads another indicator's score, in an indicator that does not apply to the unit:
the reader is not applicable, and the score it would read not being there is no error."""

from __future__ import annotations

import io
from decimal import Decimal

from perfrules import Unit, evaluate, loads
from perfrules.cli.main import main
from perfrules.pipeline.parallel import score_totals

SCHEME = """
name = "读取得分"
basis = "points"
total = 100
[[groups]]
name = "g"
[[indicators]]
code = "1"
name = "a"
group = "g"
weight = 40
score = "a"
[[indicators]]
code = "2"
name = "b"
group = "g"
weight = 20
score = "if(指标1得分<20, 分值×b/100×90%, 分值×b/100)"
{extra}
[[indicators]]
code = "3"
name = "c"
group = "g"
weight = 40
score = "c"
"""

# 甲: 30 + 20×80/100 + 30 = 76. 乙: neither 1 nor 2 applies; their 60 move within g to 3:
# 30/40 × 100 = 75. 丙: 1 does not apply, but 2 does and reads 指标1得分: an error for 丙 alone.
UNITS = [
    Unit(name="甲", data={"a": 30, "b": 80, "c": 30}),
    Unit(name="乙", data={"c": 30}, not_applicable=("1", "2")),
    Unit(name="丙", data={"b": 80, "c": 30}, not_applicable=("1",)),
]


def _check(scheme) -> None:
    results = {r.unit: r for r in evaluate(scheme, UNITS)}
    assert results["甲"].total == Decimal(76)
    assert (results["乙"].total, results["乙"].errors) == (Decimal(75), ())
    assert [i.applicable for i in results["乙"].indicators] == [False, False, True]
    assert results["丙"].total is None
    assert results["丙"].errors[0].indicator == "2"
    assert "指标1得分" in results["丙"].errors[0].message
    for unit in UNITS:  # alone, and totals only: the same
        assert evaluate(scheme, [unit]).results[0].total == results[unit.name].total
    assert {r.unit: r.total for r in score_totals(scheme, UNITS, jobs=1)} == {
        u: r.total for u, r in results.items()
    }


def test_a_declared_not_applicable_reader_reads_nothing():
    _check(loads(SCHEME.format(extra=""), format="toml"))


def test_a_reader_not_applicable_by_its_own_condition_reads_nothing():
    # 乙 declares only 1; 2 does not apply by its condition on the data (无b业务 = 1).
    extra = 'policies = [{ type = "not_applicable", when = "无b业务==1" }]'
    scheme = loads(SCHEME.format(extra=extra), format="toml")
    units = [
        Unit(name="甲", data={"a": 30, "b": 80, "c": 30, "无b业务": 0}),
        Unit(name="乙", data={"c": 30, "无b业务": 1}, not_applicable=("1",)),
    ]
    assert [(r.total, r.errors) for r in evaluate(scheme, units)] == [(Decimal(76), ()), (Decimal(75), ())]


def test_the_command_line_scores_it_the_same(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text(SCHEME.format(extra=""), encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("单位,a,b,c,不适用\n甲,30,80,30,\n乙,,,30,1、2\n", encoding="utf-8")
    for fmt in ("csv", "jsonl", "table"):
        out, err = io.StringIO(), io.StringIO()
        assert main(["score", str(toml), str(data), "--format", fmt], out=out, err=err) == 0, err.getvalue()
        assert "75" in out.getvalue(), fmt
    out = io.StringIO()
    main(["score", str(toml), str(data), "--format", "csv"], out=out, err=io.StringIO())
    assert "\n2,乙,,75,,,,30,\n" in out.getvalue()
