"""``round_total`` on full marks that are not a multiple of its step (total = 12.5, whole points):
a total rounded up past full marks takes the most within them (12), with a note — never a total
outside the overall grading's domain (13 > 12.5, which failed the unit)."""

from __future__ import annotations

import io
from decimal import Decimal

from perfrules import Unit, evaluate, loads
from perfrules.cli.main import main
from perfrules.pipeline.parallel import score_totals

SCHEME = """
name = "满分12.5"
basis = "points"
total = 12.5
round_total = 0
[overall]
rule = "优：10分以上；良：8分以上不足10分；差：不足8分"
[[groups]]
name = "g"
[[indicators]]
code = "1"
name = "a"
group = "g"
weight = 7.5
score = "a"
[[indicators]]
code = "2"
name = "b"
group = "g"
weight = 5
score = "b"
"""

# 甲 7.5 + 5 = 12.5 (full marks) → 13 past them → 12; 乙 7 + 5 = 12 stays; 丙 4.5 + 5 = 9.5 → 10 (优);
# 丁 7.5 + 4.9 = 12.4 → 12.
DATA = {"甲": (7.5, 5), "乙": (7, 5), "丙": (4.5, 5), "丁": (7.5, 4.9)}
EXPECTED = {
    "甲": (Decimal(12), "优"),
    "乙": (Decimal(12), "优"),
    "丙": (Decimal(10), "优"),
    "丁": (Decimal(12), "优"),
}


def _units() -> list[Unit]:
    return [Unit(name=n, data={"a": Decimal(str(a)), "b": Decimal(str(b))}) for n, (a, b) in DATA.items()]


def test_full_marks_round_within_them_with_a_note():
    scheme = loads(SCHEME, format="toml")
    results = {r.unit: r for r in evaluate(scheme, _units())}
    assert {u: (r.total, r.grade) for u, r in results.items()} == EXPECTED
    assert all(r.ok for r in results.values())
    note = [e.message for e in results["甲"].events if e.kind == "rounded"]
    assert note == ["总分 12.5 四舍五入保留 0 位小数为 13，超过满分 12.5分，按满分内的 12分 计"]
    assert [e.message for e in results["丁"].events if e.kind == "rounded"] == [
        "总分 12.4 四舍五入保留 0 位小数为 12"
    ]
    for unit in _units():  # alone (per-unit program) and totals only: the same
        alone = evaluate(scheme, [unit]).results[0]
        assert (alone.total, alone.grade, alone.events) == (
            results[unit.name].total,
            results[unit.name].grade,
            results[unit.name].events,
        )
    totals = {r.unit: (r.total, r.grade) for r in score_totals(scheme, _units(), jobs=1)}
    assert totals == EXPECTED


def test_the_command_line_gives_the_same(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text(SCHEME, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("单位,a,b\n" + "".join(f"{n},{a},{b}\n" for n, (a, b) in DATA.items()), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", str(toml), str(data), "--format", "csv"], out=out, err=err) == 0, err.getvalue()
    assert "1,甲,,12,优,7.5,5," in out.getvalue()
    out = io.StringIO()
    assert main(["score", str(toml), str(data), "--format", "json"], out=out, err=io.StringIO()) == 0
    assert "按满分内的 12分 计" in out.getvalue()
