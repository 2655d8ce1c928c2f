"""Tests for perfrules.plot: the charts show what the results say."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex

from perfrules import (
    evaluate,
    load,
    plot,
    sample_units,
)
from perfrules.results.display import grade_colour


@pytest.fixture(scope="module")
def result():
    return evaluate(load("shenzhen-2010-departments"), sample_units("shenzhen-2010-departments"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_a_cjk_font_is_used():
    """Chinese labels render with a CJK font (the test extra installs Noto Sans CJK)."""
    family = plot.cjk_font()
    assert family is not None and "CJK" in family
    assert matplotlib.rcParams["font.sans-serif"][0] == family


def test_the_plot_extra_brings_a_cjk_font_where_the_machine_has_none(monkeypatch, result, tmp_path):
    """With no CJK font installed on the machine, the plot extra's font package is registered: no warning, no tofu."""
    import warnings
    from importlib.metadata import requires

    from matplotlib import font_manager

    extra = [r for r in requires("perfrules") or [] if r.replace('"', "'").endswith("extra == 'plot'")]
    assert any(r.lower().startswith("cvttf-notosanscjk-regular") for r in extra), extra
    system = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name and "Han" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", system)
    monkeypatch.setattr(plot, "_state", {})
    monkeypatch.setitem(matplotlib.rcParams, "font.sans-serif", ["DejaVu Sans"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "Glyph … missing from font" would fail here
        family = plot.cjk_font()
        assert family is not None and "CJK" in family
        ax = plot.totals(result)
        ax.figure.savefig(tmp_path / "totals.png")


def test_totals_bars_follow_the_ranking_and_grades(result, tmp_path):
    """One bar per scored unit, best first, coloured by grade; the PNG is written."""
    ax = plot.totals(result)
    bars = ax.patches
    ranking = [r for r in result.ranking() if r.total is not None]
    assert [t.get_text() for t in ax.get_xticklabels()] == [r.unit for r in ranking]
    assert [round(b.get_height(), 3) for b in bars] == [round(float(r.total), 3) for r in ranking]
    grades = [b.name for b in result.scheme.overall_scale.bands]
    assert [to_hex(b.get_facecolor()) for b in bars] == [grade_colour(grades, r.grade) for r in ranking]
    path = tmp_path / "totals.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 10_000


def test_contributions_show_weight_and_contribution(result):
    """Two bars per indicator: the weight used and the contribution (0 where not applicable)."""
    unit = result.unit("市乙局")
    ax = plot.contributions(unit)
    assert len(ax.patches) == 2 * len(unit.indicators)
    widths = [round(p.get_width(), 4) for p in ax.patches]
    assert widths[0] == 37  # 1 weighs 37% after 5 and 6 moved their weight to it
    assert widths[len(unit.indicators)] == 37  # and scored 100: contributes all of it
    assert widths[4] == 0  # 5 does not apply to 市乙局


def test_grade_distribution_counts_units(result):
    """The bars count units per grade."""
    ax = plot.grade_distribution(result)
    counts = {
        t.get_text(): round(p.get_height()) for t, p in zip(ax.get_xticklabels(), ax.patches, strict=True)
    }
    # 市乙局 92.48 优; the other seven 85.36–89.07 良 (市丁委 is no longer vetoed to 差)
    assert counts == {"优": 1, "良": 7, "中": 0, "差": 0}


def test_html_and_dataframes(result):
    """Results render as HTML in notebooks and convert to DataFrames."""
    html = result._repr_html_()
    assert html.startswith("<table>") and "市乙局" in html and "92.48" in html
    frame = result.to_dataframe()
    assert list(frame.index[:2]) == ["市乙局", "市庚委"] and frame.loc["市乙局", "total"] == 92.48
    long = result.indicators_dataframe()
    assert len(long) == 8 * 23
    assert "公共服务白皮书" in result.unit("市乙局")._repr_html_()
    assert (
        repr(result) == "Evaluation(scheme='深圳市2010年度市政府工作部门绩效评估指标体系', units=8, scored=8)"
    )


def test_rank_intervals_draws_bar_median_and_nominal(tmp_path):
    """One row per unit in nominal order: a 5%–95% bar, a median dot and a nominal-rank marker."""
    from perfrules import sensitivity

    analysis = sensitivity(
        load("xiamen-xiangan-2020"), sample_units("xiamen-xiangan-2020"), runs=12, seed=7, weight_spread=0.3
    )
    ax = plot.rank_intervals(analysis)
    assert [t.get_text() for t in ax.get_yticklabels()] == [u.unit for u in analysis.units]
    (bars,) = ax.collections[:1]
    segments = [[tuple(p) for p in s] for s in bars.get_segments()]
    assert segments == [[(u.rank_low, i), (u.rank_high, i)] for i, u in enumerate(analysis.units)]
    medians, nominal = ax.collections[1], ax.collections[2]
    assert [tuple(o) for o in medians.get_offsets()] == [
        (u.rank_median, i) for i, u in enumerate(analysis.units)
    ]
    assert [tuple(o) for o in nominal.get_offsets()] == [(u.rank, i) for i, u in enumerate(analysis.units)]
    assert "名次" in ax.get_xlabel()
    path = tmp_path / "ranks.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 10_000
