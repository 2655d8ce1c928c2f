"""Importing published tables: perfrules.import_table and `perfrules import`.

The fixtures in tests/fixtures/tables are the seeds' tables rebuilt as a user
copies them into Word and Excel (merged group cells, a second header row for
委/局/办, the 评估标准 text of the Shenzhen seed); see make_tables.py there.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from cli_run import run
from perfrules import Todo, dumps, evaluate, load, loads, sample_units
from perfrules._errors import DataError, SchemeError
from perfrules.files.dump import scheme_to_mapping
from perfrules.files.import_table import import_table, parse_columns
from perfrules.files.load import scheme_from_mapping
from perfrules.scheme.tree import Group

pytest.importorskip("openpyxl")
TABLES = Path(__file__).resolve().parent / "fixtures" / "tables"


def formats() -> list[str]:
    found = ["xlsx"]
    try:
        import docx  # noqa: F401

        found.append("docx")
    except ImportError:  # pragma: no cover - depends on the environment
        pass
    return found


def tree(scheme):
    """Each indicator's code with the names of the groups above it."""

    def walk(group, above):
        for child in group.children:
            if isinstance(child, Group):
                yield from walk(child, (*above, group.name))
            else:
                yield child.code, (*above, group.name)

    return dict(item for g in scheme.groups for item in walk(g, ()))


def groups(scheme):
    return [
        (name, node.declared)
        for name, node in ((n.name, n) for _, n in scheme.paths())
        if isinstance(node, Group)
    ]


@pytest.mark.parametrize("ext", formats())
def test_the_xiamen_table_imports_as_the_built_in_scheme(ext):
    imported = import_table(TABLES / f"xiamen_xiangan_2020.{ext}")
    draft, builtin = imported.scheme, load("xiamen-xiangan-2020")
    assert (draft.basis, draft.total) == ("points", Decimal(1000))
    assert tree(draft) == tree(builtin)
    assert groups(draft) == groups(builtin)  # 差异化指标(420分) → declared 420 …
    for got, want in zip(draft.indicators(), builtin.indicators(), strict=True):
        assert (got.code, got.name, got.weight, got.source, dict(got.metadata)) == (
            want.code,
            want.name,
            want.weight,
            want.source,
            dict(want.metadata),
        )
    # The table has no scoring rules: one todo per indicator, with its row.
    assert (imported.read, imported.left) == (0, 41)
    todos = draft.todos()
    assert [whose for whose, _ in todos] == [i.label for i in draft.indicators()]
    assert todos[0][1] == Todo(about="scale", row=2, note="the table gives no scoring rule")


@pytest.mark.parametrize("ext", formats())
def test_the_shenzhen_table_imports_with_weights_per_category_and_its_rules(ext):
    imported = import_table(TABLES / f"shenzhen_2010_departments.{ext}")
    draft, builtin = imported.scheme, load("shenzhen-2010-departments")
    assert draft.categories == ("委", "局", "办")
    assert tree(draft) == tree(builtin)
    assert groups(draft) == groups(builtin)  # 行政业绩(45%) → declared 45
    for got, want in zip(draft.indicators(), builtin.indicators(), strict=True):
        assert (got.code, got.name, dict(got.weights), got.source, got.frequency) == (
            want.code,
            want.name,
            dict(want.weights),
            want.source,
            want.frequency,
        )
    by_code = {i.code: i for i in draft.indicators()}
    # The grading texts read are the built-in scheme's, word for word.
    for code in ("1", "2", "3", "4", "5", "7", "8", "9", "10", "12"):
        assert by_code[code].scale is not None
        assert by_code[code].scale.source == builtin.indicator(code).scale.source, code
    assert by_code["12"].scale.policy == "lowest"  # 以就低不就高原则计分
    assert by_code["1"].scale.domain == builtin.indicator("1").scale.domain  # % bands: a rate 0–1
    assert [str(s) for s in by_code["1"].steps] == [str(s) for s in builtin.indicator("1").steps]
    # 没有…的，默认为“良”区中值; …权重调整至公共服务白皮书.
    default = by_code["2"].policies[0]
    assert (default.grade, default.score, default.when) == ("良", "midpoint", None)
    moves = by_code["5"].policies[0]
    assert moves.to == "1" and moves.reason.endswith("权重调整至公共服务白皮书")
    # Parts graded on their own (行政审批网上实现率) and their average as the score.
    assert [s.target for s in by_code["6"].steps] == [
        "网上申请行政审批实现率得分",
        "网上查询行政审批实现率得分",
        "在线处理行政许可实现率得分",
    ]
    assert (
        by_code["6"].score.text
        == "(网上申请行政审批实现率得分+网上查询行政审批实现率得分+在线处理行政许可实现率得分)/3"
    )
    assert (
        by_code["7"].value == "行政执法结案率"
    )  # the bands grade 结案率; the formula computes 行政执法结案率
    # What was not read is kept, with its row and column.
    assert (imported.read, imported.left) == (35, 29)
    todos = draft.todos()
    assert all(t.row is not None and t.column == "评估标准" for _, t in todos)
    assert ("11 人大建议办理", "scale") in [(w, t.about) for w, t in todos]
    assert sum(w.startswith(("13 ", "14 ", "23 ")) for w, _ in todos) == 3  # the seed stops in rule 13


def test_the_draft_file_round_trips_and_is_refused_for_scoring(tmp_path):
    imported = import_table(TABLES / "shenzhen_2010_departments.xlsx")
    text = imported.toml()
    assert text.startswith("# Draft imported from ") and "Read 35 rule(s); 29 todo(s) left" in text
    again = loads(text)
    assert again == imported.scheme and again.todos() == imported.scheme.todos()
    with pytest.raises(SchemeError, match="draft with 29 todo"):
        evaluate(again, sample_units("shenzhen-2010-departments"))


def test_a_draft_with_its_todos_written_scores_like_the_built_in():
    # Give each indicator of the imported Xiamen draft the built-in's stand-in rule and drop its todo:
    # the tree, points and subtotals read from the table then score the sample exactly as the built-in does.
    imported = import_table(TABLES / "xiamen_xiangan_2020.xlsx")
    builtin = load("xiamen-xiangan-2020")
    data = scheme_to_mapping(imported.scheme)
    for entry in data["indicators"]:
        del entry["todo"]
        entry["score"] = builtin.indicator(entry["code"]).score.text
    done = scheme_from_mapping(data)
    assert done.todos() == ()
    units = sample_units("xiamen-xiangan-2020")
    got, want = evaluate(done, units), evaluate(builtin, units)
    assert [(r.unit, r.total, r.rank) for r in got.ranking()] == [
        (r.unit, r.total, r.rank) for r in want.ranking()
    ]


def test_phrases_read_from_a_csv_table(tmp_path):
    table = tmp_path / "考核表.csv"
    table.write_text(
        "一级指标,序号,考核指标,分值,评分细则,牵头单位\n"
        "党建工作(40分),1,党风廉政建设,20,每发现一起违纪问题扣5分，最多扣20分,纪委\n"
        ",2,意识形态,20,发生重大意识形态事件的，一票否决,宣传部\n"
        '业务工作(60分),3,重点任务,30,"优:完成率≥95%;良:90%≤完成率<95%;中:80%≤完成率<90%;差:完成率<80%。\n'
        '说明：(1)完成率=完成数/任务数×100%",办公室\n'
        ",4,创新加分,30,每获得一项省级表彰加2分，最高加6分,办公室\n"
        "注：各项指标由牵头单位评分。,,,,,\n",
        encoding="utf-8",
    )
    imported = import_table(table)
    s = imported.scheme
    assert (s.basis, s.total, groups(s)) == ("points", Decimal(100), [("党建工作", 40), ("业务工作", 60)])
    deduct = s.indicator("1").policies[0]
    assert (deduct.terms, deduct.cap) == ((("发现违纪问题", Decimal(-5)),), Decimal(20))
    assert s.indicator("1").score.text == "分值"  # deductions from the full points
    veto = s.indicator("2").policies[0]
    assert (veto.when.text, veto.effect) == ("「发生重大意识形态事件」>0", "lowest_grade")
    bonus = s.indicator("4").policies[0]
    assert (bonus.terms, bonus.cap, s.indicator("4").score.text) == (
        (("获得省级表彰", Decimal(2)),),
        Decimal(6),
        "0",
    )
    # 3's bands and formula are read, but a points scheme's grades need points the table does not give.
    three = s.indicator("3")
    assert three.metadata == {"牵头单位": "办公室"}
    assert (imported.read, imported.left) == (3, 3)
    assert [(w, t.about, t.row) for w, t in s.todos()] == [
        ("(scheme)", "note", 6),
        ("2 意识形态", "scale", 3),  # a veto alone does not say what the indicator scores
        ("3 重点任务", "scale", 4),
    ]
    assert s.todos()[2][1].note == "read, but grade '优' has no score interval"
    assert "完成率=完成数/任务数×100%" in s.todos()[2][1].text


def test_columns_mapping_and_a_weight_left_as_todo(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(
        "类别,项目名称,占比,考评办法\n甲类,指标一,60%,90分以上为优，80分以上90分以下为良，不足80分为差\n"
        "甲类,指标二,,90分以上为优秀，不足90分为一般\n",
        encoding="utf-8",
    )
    imported = import_table(table, columns="项目名称=name, 占比=weight, 考评办法=rule")
    s = imported.scheme
    assert [(i.name, i.weight) for i in s.indicators()] == [("指标一", 60), ("指标二", None)]
    assert s.indicator("1").scale.effective_scoring == "midpoint" and imported.read == 1
    whose = [(w, t.about, t.row, t.column) for w, t in s.todos()]
    assert whose == [
        ("1 指标一", "scale", 2, "考评办法"),  # read, each grade at its midpoint: the todo says so
        ("2 指标二", "weight", 3, "占比"),
        ("2 指标二", "scale", 3, "考评办法"),
    ]
    assert "grade '优秀' has no score interval" in s.todos()[2][1].note
    with pytest.raises(ValueError, match="HEADER=ROLE"):
        parse_columns("占比=weights")


def test_cli_import_then_validate(tmp_path):
    draft = tmp_path / "draft.toml"
    code, _, err = run("import", str(TABLES / "xiamen_xiangan_2020.xlsx"), "-o", str(draft))
    assert code == 0 and "41 indicators; read 0 rule(s), 41 todo(s) left" in err
    code, _, err = run("validate", str(draft))
    assert code == 1 and err.startswith("draft: xiamen_xiangan_2020 — 41 todos to write\n")
    assert (
        "  todo: 1 根据厦翔委〔2020〕8号文件及区委工作要点任务分解进行评估: row 2: scale: (the table gives no scoring rule)"
        in err
    )
    code, _, err = run("score", str(draft), "sample")
    assert code == 2  # 'sample' is only for built-in schemes
    data = tmp_path / "d.csv"
    data.write_text("单位,改革创新得分\n甲局,20\n", encoding="utf-8")
    code, _, err = run("score", str(draft), str(data))
    assert code == 1 and "is a draft with 41 todo(s)" in err
    assert run("import", str(tmp_path / "none.docx"))[0] == 2
    assert run("import", str(draft), "--columns", "x")[0] == 2


def test_the_todo_key_is_in_the_schema():
    from perfrules import scheme_json_schema

    schema = scheme_json_schema()
    assert "todo" in schema["properties"] and "todo" in schema["$defs"]["indicator"]["properties"]
    assert schema["$defs"]["todo"]["required"] == ["about"]
    assert attrs.fields_dict(Todo)["row"].default is None
    assert "todo" in dumps(import_table(TABLES / "xiamen_xiangan_2020.xlsx").scheme)


def test_choosing_the_sheet_or_table(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active["A1"] = "本表为考核指标"
    first = book.create_sheet("部门")
    for row in (["序号", "指标名称", "分值"], [1, "甲", 60], [2, "乙", 40]):
        first.append(row)
    second = book.create_sheet("镇街")
    for row in (["序号", "考核项目", "权重"], [1, "丙", "100%"]):
        second.append(row)
    path = tmp_path / "两张表.xlsx"
    book.save(path)
    # By default the sheet with the best header; or by name or number.
    assert [i.name for i in import_table(path).scheme.indicators()] == ["甲", "乙"]
    assert [i.name for i in import_table(path, table="镇街").scheme.indicators()] == ["丙"]
    assert import_table(path, table=3).scheme.basis == "percent"
    with pytest.raises(DataError, match="no sheet '村居'"):
        import_table(path, table="村居")
    code, _, err = run("import", str(path), "--table", "3")
    assert code == 0 and "sheet '镇街'" in err
