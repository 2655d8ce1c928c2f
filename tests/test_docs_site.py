"""The documentation site (mkdocs.yml) builds in strict mode and documents the API."""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import perfrules

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "reference" / "api"

needs_source = pytest.mark.skipif(not (ROOT / "mkdocs.yml").exists(), reason="needs the source tree")


@needs_source
def test_every_public_name_has_an_api_entry():
    """Each name in perfrules.__all__ is rendered by a `::: perfrules.NAME` directive."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in API.glob("*.md"))
    documented = set(re.findall(r"^::: perfrules\.(\w+)$", text, flags=re.MULTILINE))
    assert set(perfrules.__all__) - {"__version__"} <= documented
    assert {"testing", "plot"} <= documented


@needs_source
def test_doctest_fences_wrap_examples_in_code_blocks():
    """The griffe extension turns `>>>` examples into fenced pycon blocks, and roles into code."""
    pytest.importorskip("griffe")
    spec = importlib.util.spec_from_file_location("griffe_doctest", ROOT / "tools" / "griffe_doctest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "Units.\n\n>>> [u for u in x][:3]\n['a']\n\nAttributes:\n    x: y\n"
    assert module.fence_doctests(text) == (
        "Units.\n\n```pycon\n>>> [u for u in x][:3]\n['a']\n```\n\nAttributes:\n    x: y"
    )
    assert module.plain_roles("see :func:`totals`") == "see `totals`"
    assert doctest.testmod(module).failed == 0


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The site, built once for this module's tests (about 20 s)."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    pytest.importorskip("material")
    pytest.importorskip("mkdocs_jupyter")
    site = tmp_path_factory.mktemp("docs") / "site"
    env = {
        **os.environ,
        # tests/test_notebook.py executes the notebook already; rendering it unexecuted saves ~10 s.
        "PERFRULES_DOCS_EXECUTE": "false",
        "NO_MKDOCS_2_WARNING": "1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return site, result


@needs_source
@pytest.mark.xdist_group("docs_site")  # one build for both tests that read it
def test_site_builds_strict_and_documents_the_api(built):
    """`mkdocs build --strict` exits 0 offline, and the API pages show the main entry points."""
    site, result = built
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr

    def page(*parts: str) -> str:
        return (site.joinpath(*parts) / "index.html").read_text(encoding="utf-8")

    formulas, grading, evaluation = (
        page("reference", "api", p) for p in ("formulas", "grading", "evaluation")
    )
    assert 'id="perfrules.Formula"' in formulas and "Formula.parse" in formulas
    assert 'id="perfrules.GradeScale"' in grading
    assert 'id="perfrules.evaluate"' in evaluation
    # Doctest examples render as code, not as nested block quotes; no Sphinx roles show.
    assert "<blockquote>" not in evaluation
    for html in (site / "reference" / "api").rglob("*.html"):
        assert not re.search(r":(func|class|meth):", html.read_text(encoding="utf-8")), html
    # Every page of the nav was built, the notebook and the Chinese quick start included.
    assert "探索深圳市2010年度" in page("notebooks", "explore-shenzhen")
    assert "快速入门" in page("quickstart.zh")
    # Offline: no web fonts, no stylesheets or scripts from other hosts.
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text, html
        assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', text), html
    # Nothing was written into the source tree.
    assert not (ROOT / ".cache").exists()


@needs_source
@pytest.mark.xdist_group("docs_site")
def test_search_finds_chinese_words(built):
    """The search index holds Chinese cut into words: 功效系数 is a token of the pages that use it.

    Without segmentation a Chinese sentence is one token, and a search for a
    word inside it finds nothing. The index is split as the browser splits it,
    by the separator the site configures.
    """
    pytest.importorskip("jieba")
    import json

    site, result = built
    assert result.returncode == 0, result.stdout + result.stderr
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])

    def pages_with(word: str) -> set[str]:
        return {
            entry["location"].split("#")[0]
            for entry in index["docs"]
            if word in separator.split(entry["title"] + " " + entry["text"])
        }

    assert {"quickstart.zh/", "howto/cookbook/"} <= pages_with("功效系数")
    # Words jieba knows itself, and the domain's terms it would otherwise cut apart.
    assert "quickstart.zh/" in pages_with("指标体系")
    assert "quickstart.zh/" in pages_with("就低不就高")
    assert "quickstart.zh/" in pages_with("扣完为止")
    # English words are still split as before.
    assert "reference/cli/" in pages_with("gettext")
