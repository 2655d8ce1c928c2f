"""The command line's languages: English by default, Chinese under a Chinese locale (gettext catalogs)."""

from __future__ import annotations

import argparse
import gettext
import importlib.util
import io
import os
import re
from pathlib import Path

import pytest

from perfrules.cli.i18n import LOCALE_DIR, language
from perfrules.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("i18n_catalog", ROOT / "tools" / "i18n_catalog.py")
assert _spec is not None and _spec.loader is not None
catalog = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalog)

PO = Path(LOCALE_DIR) / "zh_CN" / "LC_MESSAGES" / "perfrules.po"
LOCALE_VARIABLES = ("PERFRULES_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def run(monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> tuple[int, str, str]:
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


# --- the catalog -------------------------------------------------------------


def test_the_shipped_mo_is_compiled_from_the_po():
    """perfrules.mo is exactly what tools/i18n_catalog.py makes of perfrules.po (run it after editing)."""
    entries = catalog.read_po(PO.read_text(encoding="utf-8"))
    assert PO.with_suffix(".mo").read_bytes() == catalog.compile_mo(entries)


def test_every_marked_string_has_a_chinese_translation():
    """Every string the CLI marks, and argparse's, is translated; the catalog holds nothing else."""
    entries = catalog.read_po(PO.read_text(encoding="utf-8"))
    wanted = [*catalog.ARGPARSE, *(k for path in catalog.MARKED_IN for k in catalog.marked(path))]
    assert len(wanted) > 100
    untranslated = [k for k in wanted if not entries.get(k) or not all(entries[k])]
    assert untranslated == []
    assert sorted(map(str, set(entries) - set(wanted) - {""})) == []


def _fields(text: str) -> list[str]:
    return sorted(re.findall(r"\{\w*\}|%\(\w+\)[sr]|%[sr]", text))


def test_translations_keep_every_placeholder():
    """A translation has the same {fields} and %-conversions as its msgid (else formatting fails or drops a value)."""
    entries = catalog.read_po(PO.read_text(encoding="utf-8"))
    for key, value in entries.items():
        msgid = key[0] if isinstance(key, tuple) else key
        for text in value if isinstance(value, list) else [value]:
            assert _fields(text) == _fields(msgid), (msgid, text)
            assert "\n" not in msgid or text.count("\n") >= 1, msgid


def test_marking_an_f_string_is_refused(tmp_path):
    """_() of an f-string has no fixed msgid: the extractor refuses it instead of missing it."""
    module = tmp_path / "m.py"
    module.write_text('x = 1\n_(f"value {x}")\n', encoding="utf-8")
    with pytest.raises(ValueError, match="f-string"):
        catalog.marked(module)


def test_the_catalog_loads_as_gettext_reads_it():
    """gettext (as argparse uses it) reads the shipped catalog."""
    translations = gettext.translation("perfrules", LOCALE_DIR, languages=["zh_CN"])
    assert translations.gettext("usage: ") == "用法："
    assert translations.ngettext("expected %s argument", "expected %s arguments", 2) == "需要 %s 个值"


# --- which language ----------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
        ({"LANGUAGE": "zh_CN:en", "LC_ALL": "C"}, "zh"),
        ({"LANGUAGE": "", "LANG": "zh_CN.UTF-8"}, "zh"),
        ({"PERFRULES_LANG": "zh", "LANG": "C"}, "zh"),
        ({"PERFRULES_LANG": "en", "LANGUAGE": "zh_CN", "LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_language_follows_posix_precedence_and_the_override(env, expected):
    assert language(env) == expected


# --- the command line in both languages ------------------------------------------


def test_english_by_default(monkeypatch):
    """With no locale set, usage errors and hints are English, argparse's words too."""
    code, out, err = run(monkeypatch, "score")
    assert code == 2 and out == ""
    assert err == (
        "perfrules: error: the following arguments are required: scheme, data\n"
        "hint: run 'perfrules score --help'\n"
    )


def test_usage_errors_in_chinese(monkeypatch):
    """Under a Chinese locale the framing, argparse's message and the hint are Chinese."""
    code, out, err = run(monkeypatch, "score", LANG="zh_CN.UTF-8")
    assert code == 2 and out == ""
    assert (
        err == "perfrules：错误：缺少必需的参数：scheme, data\n提示：运行 'perfrules score --help' 查看用法\n"
    )
    code, _, err = run(monkeypatch, "demo", "--scheme", "nope", LANG="zh_CN.UTF-8")
    assert code == 2
    assert err.startswith(
        "perfrules：错误：参数 --scheme：无效的选择：'nope'（可选：'shenzhen-2010-departments'"
    )
    code, _, err = run(monkeypatch, "score", "--jobs", "x", "a", "b", LANGUAGE="zh_CN", LANG="C")
    assert code == 2
    assert "参数 --jobs：应为 0（全部核心）或 1 到 1024 之间的进程数，而不是“x”" in err


def test_help_in_chinese_has_no_english_left(monkeypatch):
    """--help of the program and of every command: argparse's headings, descriptions, options, epilogs."""
    english = [
        k for path in catalog.MARKED_IN for k in catalog.marked(path) if isinstance(k, str) and len(k) > 12
    ]
    commands = [
        "demo", "schemes", "validate", "check", "schema", "completion", "score",
        "explain", "whatif", "import", "table", "template", "sensitivity",
    ]  # fmt: skip
    for args in [["--help"], *([c, "--help"] for c in commands)]:
        code, out, _ = run(monkeypatch, *args, LC_ALL="zh_CN.UTF-8")
        assert code == 0
        assert out.startswith("用法：perfrules"), out
        assert ("位置参数" in out) == (args[0] not in ("demo", "schemes", "schema")), args
        assert "选项" in out and "显示本帮助并退出" in out
        for phrase in ("usage:", "options:", "show this help", "positional arguments", "example"):
            assert phrase not in out, (args, phrase)
        assert [e for e in english if e.split("\n")[0] in out] == [], args
    _, out, _ = run(monkeypatch, "score", "--help", LC_ALL="zh_CN.UTF-8")
    assert "为各单位计分，输出总分、等次和排名。" in out
    assert "输出格式（默认：table）；jsonl" in out
    assert "示例：\n  perfrules score shenzhen-2010-departments sample" in out


def test_help_in_english(monkeypatch):
    code, out, _ = run(monkeypatch, "score", "--help", LANG="en_US.UTF-8")
    assert code == 0 and out.startswith("usage: perfrules score")
    assert "Score units and print the totals, grades and ranks." in out
    assert "examples:\n  perfrules score" in out
    assert "用法" not in out


def test_validate_and_check_in_chinese(monkeypatch):
    """validate's ok, note and stand-in lines; check's problem heading; a missing data file."""
    code, out, _ = run(monkeypatch, "validate", "xiamen-xiangan-2020", PERFRULES_LANG="zh")
    assert code == 0
    assert re.match(r"通过：\S+——\d+ 项指标，\d+ 个分组\n", out), out
    assert "替代规则：" in out and "stand-in:" not in out
    code, _, err = run(monkeypatch, "check", "shenzhen-2010-departments", "缺少.csv", PERFRULES_LANG="zh")
    assert code == 2
    assert err == (
        "perfrules：错误：数据文件“缺少.csv”不存在\n提示：请给出 CSV、Excel（.xlsx）或 JSON 文件\n"
    )


def test_scheme_problems_are_framed_in_chinese(monkeypatch, tmp_path):
    """A scheme's problems: the heading and hint are Chinese; the problems are the library's words."""
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "坏"\nbogus = 1\n', encoding="utf-8")
    code, _, err = run(monkeypatch, "score", str(bad), "sample", LANG="zh_CN.UTF-8")
    assert code in (1, 2)
    first, *rest = err.splitlines()
    assert first.startswith("perfrules：错误："), err
    assert "个问题" in first or code == 2
    assert rest[-1].startswith("提示："), err
    code, _, err = run(monkeypatch, "score", str(bad), "sample", LANG="en_US.UTF-8")
    assert err.startswith("perfrules: error: ") and "\nhint: " in err


def test_units_not_scored_in_chinese(monkeypatch, tmp_path):
    """The closing line and the table's heading for units that could not be scored."""
    sample = ROOT / "src" / "perfrules" / "schemes" / "shenzhen_2010_departments.csv"
    data = tmp_path / "data.csv"
    # 市甲委 loses its white-paper task count (the cell after 19)
    data.write_text(sample.read_text(encoding="utf-8").replace("市甲委,委,,,19,20,", "市甲委,委,,,19,,", 1))
    code, out, err = run(monkeypatch, "score", "shenzhen-2010-departments", str(data), LANG="zh_CN.UTF-8")
    assert code == 1
    assert "\n\n未能计分：\n  " in out
    assert err.endswith("perfrules：1 个单位未能计分\n"), err
    code, out, err = run(monkeypatch, "score", "shenzhen-2010-departments", str(data), LANG="C")
    assert err.endswith("perfrules: 1 unit(s) could not be scored\n"), err


def test_main_restores_gettext_and_the_environment(monkeypatch):
    """After a Chinese run, argparse outside perfrules speaks as before and LANGUAGE is as it was."""
    run(monkeypatch, "score", LANG="zh_CN.UTF-8")
    assert "LANGUAGE" not in os.environ
    assert gettext.textdomain() == "messages"
    assert argparse.ArgumentParser(prog="x").format_usage() == "usage: x [-h]\n"
    run(monkeypatch, "score", PERFRULES_LANG="zh", LANGUAGE="en_GB")
    assert os.environ["LANGUAGE"] == "en_GB"


def test_a_missing_catalog_means_english(monkeypatch, tmp_path):
    """A broken install without the compiled catalog speaks English rather than failing."""
    import perfrules.cli.i18n as i18n

    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    code, _, err = run(monkeypatch, "score", LANG="zh_CN.UTF-8")
    assert code == 2 and err.startswith("perfrules: error: the following arguments are required")


def test_chinese_help_fits_the_terminal(monkeypatch):
    """Option texts wrap by display width (a Chinese character takes two columns), English as argparse does."""
    from perfrules.results.display import display_width

    monkeypatch.setenv("COLUMNS", "80")
    for lang in ("LANG=zh_CN.UTF-8", "LANG=C"):
        name, value = lang.split("=")
        _, out, _ = run(monkeypatch, "score", "--help", **{name: value})
        options = out.split("\n\n")[2:4]  # the positional and optional arguments
        assert all(display_width(line) <= 80 for block in options for line in block.splitlines()), out
    _, out, _ = run(monkeypatch, "score", "--help", LANG="zh_CN.UTF-8")
    assert "data                  单位数据（.csv、.xlsx、.json）；'-' 表示从标准输入读取\n" in out
