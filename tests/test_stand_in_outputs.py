"""Stand-ins are visible in every output, and 分类评估 ranks within category (issue 20, items 1 and 5)."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import attrs
import pytest

from cli_run import run
from perfrules import Group, Indicator, Scheme, SchemeError, Unit, evaluate, load, sample_units

SZ = "shenzhen-2010-departments"
XM = "xiamen-xiangan-2020"


def test_json_has_stand_in_fields_on_indicators_and_on_the_overall_grade():
    """--format json: each indicator's stand_in (null when the rule is published), the unit's for its grade."""
    code, out, _ = run("score", SZ, "sample", "--format", "json")
    assert code == 0
    units = {u["unit"]: u for u in json.loads(out)["units"]}
    first = units["市甲委"]
    assert first["stand_in"].startswith("原文未给出总分等次和各等次的分数区间")
    indicators = {i["code"]: i for i in first["indicators"]}
    assert indicators["1"]["stand_in"] is None  # rule 1 is the seed's own
    assert (
        indicators["15"]["stand_in"]
        == "原文未给出评分规则：得分取数据采集单位（市法制办）评定的分数（0至100）"
    )
    # 市戊委 gives 9 by month: the averaging of the months is the periods stand-in, on that unit only.
    nine = {i["code"]: i for i in units["市戊委"]["indicators"]}["9"]
    assert (
        nine["stand_in"] == "原文未给出按季度、月度报送的结果如何得出年度结果：年度得分取各报送期得分的平均数"
    )
    assert indicators["9"]["stand_in"] is None


def test_xiamen_has_no_overall_stand_in_and_marks_a_declared_not_applicable():
    """Xiamen grades no total (stand_in null at unit level); 区财政局's declared 6 carries the not-applicable stand-in."""
    code, out, _ = run("score", XM, "sample", "--format", "json")
    assert code == 0
    units = {u["unit"]: u for u in json.loads(out)["units"]}
    finance = units["区财政局"]
    assert finance["stand_in"] is None and finance["grade"] is None
    six = {i["code"]: i for i in finance["indicators"]}["6"]
    assert not six["applicable"]
    assert six["stand_in"].startswith("原文未规定被评估单位申报指标不适用时如何处理")
    other = {i["code"]: i for i in units["区文旅局"]["indicators"]}["6"]
    assert other["stand_in"] == "原文未给出评分规则：得分取数据采集单位（区效能督查办）评定的分数（0至30分）"


@pytest.mark.parametrize("command", [("score", SZ, "sample"), ("demo", "--scheme", SZ)])
def test_tables_mark_the_total_and_grade_and_end_with_a_legend(command):
    """score and demo tables: ※ on 总分 and 等次, and the legend naming what is a stand-in."""
    code, out, _ = run(*command)
    assert code == 0
    assert "总分※" in out and "等次※" in out
    legend = out.strip().splitlines()[-1]
    assert legend == (
        "※ 示例规则（原文未给出）：总分等次及各等次的分数区间；指标 13–23 的评分规则；"
        "按季度、月度报送时年度结果的合成；申报指标不适用时的权重分配。"
        f"逐条见 perfrules validate {SZ}"
    )


def test_a_scheme_without_stand_ins_has_no_marks(tmp_path):
    """A user's scheme with published rules only: no ※, no legend."""
    root = Path(__file__).resolve().parent.parent / "docs" / "examples"
    code, out, _ = run("score", str(root / "example-scheme.toml"), str(root / "example-data.csv"))
    assert code == 0 and "※" not in out


@pytest.mark.parametrize("streamed", [True, False])
def test_csv_headers_mark_stand_ins_and_the_legend_goes_to_stderr(tmp_path, streamed):
    """CSV: ※ after each stand-in indicator's column name and the total; the legend is a note on stderr."""
    if streamed:
        data = (
            Path(__file__).resolve().parent.parent
            / "src"
            / "perfrules"
            / "schemes"
            / "shenzhen_2010_departments.csv"
        )
        code, out, err = run("score", SZ, str(data), "--format", "csv")
    else:
        code, out, err = run("score", SZ, "sample", "--format", "csv")
    assert code == 0
    head = next(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert head[3:5] == ["总分※", "等次※"]
    assert (
        "12 政府督查事项" in head
        and "13 政协提案办理※" in head
        and "23 财政、财务收支的真实合法与效益※" in head
    )
    assert "note: ※ 示例规则（原文未给出）：" in err


def test_validate_lists_every_stand_in():
    """perfrules validate: the scheme-wide stand-in, each mechanism's, and each indicator's, one line each."""
    code, out, _ = run("validate", SZ)
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("stand-in: ")]
    assert len(lines) == 1 + 2 + 11  # overall grading, periods, not applicable, indicators 13–23
    assert lines[0].startswith("stand-in: 总分等次: 原文未给出总分等次")
    assert lines[1].startswith("stand-in: 报送期合成: 原文未给出按季度、月度报送的结果")
    assert lines[-1].startswith("stand-in: 23 财政、财务收支的真实合法与效益: 原文未给出评估标准")


def test_whatif_marks_stand_in_rows_and_the_grade():
    """whatif: the grade head and the rows of stand-in indicators carry ※, with the legend at the end."""
    code, out, _ = run("whatif", SZ, "sample", "--unit", "市甲委")
    assert code == 0
    assert out.startswith("市甲委：总分 86.93，等次“良”※\n")
    rows = out.splitlines()
    assert any(r.startswith("15 法治政府建设※") for r in rows)
    assert any(r.startswith("1 公共服务白皮书 ") for r in rows)
    assert rows[-1].startswith("※ 示例规则（原文未给出）")


def test_whatif_without_an_overall_grade_says_no_none(tmp_path):
    """A scheme that grades no total: the head gives the total only, never 等次“None”."""
    code, out, _ = run("whatif", XM, "sample", "--unit", "区人社局")
    assert code == 0
    assert out.startswith("区人社局：总分 895\n") and "None" not in out


def test_sensitivity_table_ends_with_the_legend():
    code, out, _ = run("sensitivity", SZ, "sample", "--runs", "3")
    assert code == 0 and out.strip().splitlines()[-1].startswith("※ 示例规则（原文未给出）")


# ---------------------------------------------------------------------------
# 分类评估
# ---------------------------------------------------------------------------


def test_score_ranks_within_category_when_the_scheme_says_so():
    """Shenzhen departments: 分类评估 — the table groups 委, 局, 办 and ranks within each; the overall rank follows."""
    code, out, _ = run("score", SZ, "sample")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["类别内排名", "单位", "类别", "总分※", "等次※", "总排名"]
    rows = [line.split() for line in lines[2:10]]
    assert [(r[0], r[1], r[2], r[-1]) for r in rows] == [
        ("1", "市庚委", "委", "2"),
        ("2", "市甲委", "委", "3"),
        ("3", "市丁委", "委", "4"),
        ("4", "市戊委", "委", "8"),
        ("1", "市乙局", "局", "1"),
        ("2", "市辛局", "局", "7"),
        ("1", "市壬办", "办", "5"),
        ("2", "市丙办", "办", "6"),
    ]


def test_one_ranking_when_the_scheme_does_not_say_so():
    """The same units under rank_within = "all": one ranking, no 总排名 column, plain 排名 in explain."""
    scheme = attrs.evolve(load(SZ), rank_within="all")
    result = evaluate(scheme, sample_units(SZ))
    assert "排名第 1 名" in result.explain("市乙局") and "类中排名" not in result.explain("市乙局")
    assert [r.unit for r in result.ranking()][:2] == ["市乙局", "市庚委"]


def test_rank_within_is_a_checked_scheme_setting():
    """rank_within takes all or category; anything else is a scheme error with a suggestion."""
    ind = Indicator(code="1", name="甲", weight=100, score="x")
    with pytest.raises(SchemeError, match=r"'all', 'category'.*rank_within"):
        Scheme(name="s", groups=[Group(name="g", children=[ind])], rank_within="categroy")  # type: ignore[arg-type]
    scheme = Scheme(
        name="s",
        categories=["A", "B"],
        groups=[Group(name="g", children=[attrs.evolve(ind, weight=None, weights={"A": 100, "B": 100})])],
        rank_within="category",
    )
    units = [
        Unit(name=n, category=c, data={"x": x})
        for n, c, x in [("a1", "A", 50), ("b1", "B", 70), ("a2", "A", 90)]
    ]
    text = evaluate(scheme, units).explain("a1")
    assert text.startswith("a1（A）：总分 50") and "在“A”类中排名第 2 名（总排名第 3 名）" in text


def test_streamed_and_in_memory_tables_are_the_same():
    """score on a CSV file (streamed, also with --jobs) prints the same category-ranked table as on the sample."""
    data = (
        Path(__file__).resolve().parent.parent
        / "src"
        / "perfrules"
        / "schemes"
        / "shenzhen_2010_departments.csv"
    )
    expected = run("score", SZ, "sample")[1]
    assert run("score", SZ, str(data))[1] == expected
    assert run("score", SZ, str(data), "--jobs", "2")[1] == expected


def test_a_lone_indicator_says_where_its_weight_went():
    """Shenzhen 15 is alone in 依法行政: declared not applicable, its 6 goes to the other 22 applicable indicators."""
    units = list(sample_units(SZ))
    first = attrs.evolve(units[0], not_applicable=["15"])
    result = evaluate(load(SZ), [first, *units[1:]]).unit(first.name)
    fifteen = result.indicator("15")
    messages = [e.message for e in fifteen.events]
    assert "本组没有其他适用指标：权重 6 按比例分配给其余 22 个适用指标" in messages
    assert not any("同组其他指标" in m for m in messages)
    assert fifteen.stand_in.startswith("原文只规定第5–8项不适用时")
    assert sum(Fraction(i.weight) for i in result.indicators) == 100
    # 5 declared not applicable follows the published rule (to 1): no stand-in for it.
    fifth = evaluate(load(SZ), [attrs.evolve(units[0], not_applicable=["5"])]).unit(first.name).indicator("5")
    assert fifth.stand_in == "" and any("调整至 1 公共服务白皮书" in e.message for e in fifth.events)


def test_dataframes_and_html_carry_the_stand_ins():
    """Notebooks: the DataFrames have stand_in columns, the HTML tables ※ and a legend."""
    pandas = pytest.importorskip("pandas")
    result = evaluate(load(SZ), sample_units(SZ))
    frame = result.to_dataframe()
    assert (
        frame.loc["市乙局", "stand_in"].startswith("原文未给出总分等次")
        and frame.loc["市乙局", "category_rank"] == 1
    )
    long = result.indicators_dataframe()
    first = long[long.unit == "市甲委"].set_index("code")  # a published rule: no stand-in (NaN in pandas)
    assert pandas.isna(first.loc["1", "stand_in"]) and first.loc["15", "stand_in"].startswith(
        "原文未给出评分规则"
    )
    html = result._repr_html_()
    assert "总分※" in html and "<tfoot>" in html and "示例规则（原文未给出）" in html
    assert "法治政府建设※" in result.unit("市甲委")._repr_html_()
