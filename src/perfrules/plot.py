"""Plots of evaluation results, with matplotlib (``pip install 'perfrules[plot]'``).

The charts that analysts ask for first:

- :func:`totals` — each unit's total, in ranking order, coloured by grade;
- :func:`contributions` — what each indicator contributed to one unit's total,
  against its weight;
- :func:`grade_distribution` — how many units got each grade;
- :func:`rank_intervals` — how far each unit's rank moves when the weights do
  (the result of :func:`perfrules.sensitivity`).

Each draws on the ``ax`` you give (or a new figure) and returns the axes.
Chinese labels need a CJK font: the first time a chart is drawn, perfrules
puts the first CJK font it finds (Noto Sans CJK, Source Han Sans, WenQuanYi,
SimHei, Microsoft YaHei, PingFang …) at the front of matplotlib's
``font.sans-serif`` list, and warns once if there is none.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._numbers import round_half_up
from .analysis.sensitivity_result import Sensitivity
from .results.display import grade_colour, number
from .results.model import Evaluation, UnitResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["contributions", "grade_distribution", "rank_intervals", "totals"]

_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
)
_state: dict[str, str | None] = {}


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'perfrules[plot]'") from None
    return plt


def cjk_font() -> str | None:
    """The CJK font family perfrules uses for labels, or None when there is none.

    Looks among the fonts matplotlib knows, then in the ``cvttf_NotoSansCJK_Regular``
    package if it is installed; registers the family at the front of
    ``font.sans-serif`` so that Chinese text renders.
    """
    if "family" in _state:
        return _state["family"]
    import matplotlib
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    family = next((name for name in _CJK_FAMILIES if name in known), None)
    if family is None:
        try:
            import cvttf_NotoSansCJK_Regular as packaged
        except ImportError:
            packaged = None
        if packaged is not None:
            path = packaged.get_TTF_path()
            font_manager.fontManager.addfont(path)
            family = font_manager.FontProperties(fname=path).get_name()
    _state["family"] = family
    if family is None:
        warnings.warn(
            "no CJK font found: Chinese labels will not render; install one "
            "(e.g. Noto Sans CJK) for matplotlib",
            stacklevel=3,
        )
        return None
    current = list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.sans-serif"] = [family, *[f for f in current if f != family]]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    plt = _pyplot()
    cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _zh(evaluation_language: str, zh: str, en: str) -> str:
    return zh if evaluation_language == "zh" else en


def totals(evaluation: Evaluation, *, ax: Axes | None = None) -> Axes:
    """Each unit's total, best first, coloured by its overall grade.

    Units that could not be scored are left out (they have no total).
    """
    scored = [r for r in evaluation.ranking() if r.total is not None]
    ax = _axes(ax, (max(6.0, 0.7 * len(scored) + 2), 4.5))
    grades = list(evaluation.scheme.grades)
    lang = evaluation.scheme.language
    names = [r.unit for r in scored]
    values = [float(round_half_up(r.total, 4)) for r in scored if r.total is not None]
    colours = [grade_colour(grades, r.grade) for r in scored]
    bars = ax.bar(names, values, color=colours)
    for bar, result in zip(bars, scored, strict=True):
        ax.annotate(
            f"{number(result.total)}\n{result.grade}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    seen = {r.grade for r in scored}
    handles = [_patch(grade_colour(grades, g), g) for g in grades if g in seen]
    if handles:
        ax.legend(handles=handles, title=_zh(lang, "等次", "grade"), loc="lower right")
    ax.set_ylabel(_zh(lang, "总分", "total"))
    ax.set_ylim(0, float(evaluation.scheme.total) * 1.12)
    ax.set_title(evaluation.scheme.name, fontsize=10)
    ax.tick_params(axis="x", labelrotation=30)
    return ax


def _patch(colour: str, label: str) -> Any:
    from matplotlib.patches import Patch

    return Patch(color=colour, label=label)


def contributions(result: UnitResult, *, ax: Axes | None = None) -> Axes:
    """What each indicator contributed to one unit's total, drawn over its weight.

    The pale bar is the weight actually used (after redistribution); the dark
    bar the contribution, ``score / full score × weight``. Indicators that do
    not apply show no bars.
    """
    items = list(result.indicators)
    ax = _axes(ax, (7.0, max(3.0, 0.32 * len(items) + 1)))
    lang = result.language
    labels = [f"{i.code} {i.name}" for i in items]
    weights = [float(round_half_up(i.weight, 4)) for i in items]
    parts = [0.0 if i.contribution is None else float(round_half_up(i.contribution, 4)) for i in items]
    positions = list(range(len(items)))
    ax.barh(positions, weights, color="#d0d7de", label=_zh(lang, "权重", "weight"))
    ax.barh(
        positions,
        parts,
        color=grade_colour(list(result.grades), result.grade),
        label=_zh(lang, "贡献", "contribution"),
    )
    ax.set_yticks(positions, labels, fontsize=8)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    title = f"{result.unit}：{number(result.total)} {result.grade or ''}"
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(_zh(lang, "分值", "points"))
    return ax


def grade_distribution(evaluation: Evaluation, *, ax: Axes | None = None) -> Axes:
    """How many units got each overall grade (units with errors are counted apart)."""
    ax = _axes(ax, (5.0, 3.5))
    grades = list(evaluation.scheme.grades)
    lang = evaluation.scheme.language
    counts = [sum(1 for r in evaluation if r.grade == g) for g in grades]
    labels: Sequence[str] = grades
    failed = sum(1 for r in evaluation if not r.ok)
    colours = [grade_colour(grades, g) for g in grades]
    if failed:
        labels = [*grades, _zh(lang, "未计分", "not scored")]
        counts = [*counts, failed]
        colours = [*colours, "#57606a"]
    bars = ax.bar(labels, counts, color=colours)
    for bar, count in zip(bars, counts, strict=True):
        ax.annotate(
            str(count), (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom"
        )
    ax.set_ylabel(_zh(lang, "单位数", "units"))
    ax.set_title(_zh(lang, "等次分布", "grade distribution"), fontsize=10)
    ax.set_ylim(0, max([*counts, 1]) * 1.2)
    return ax


def rank_intervals(sensitivity: Sensitivity, *, ax: Axes | None = None) -> Axes:
    """Each unit's rank interval under random weights, as COINr draws it.

    One row per unit, from the best nominal rank down: a bar from the 5th to
    the 95th percentile of its rank (``rank_low`` to ``rank_high``), a dot at
    the median rank and a diamond at the nominal rank (the weights as
    published). Rank 1 is on the left. Units that could not be scored are
    left out.

    Args:
        sensitivity: the result of :func:`perfrules.sensitivity`.
        ax: the axes to draw on; by default a new figure.

    Returns:
        The axes.
    """
    scored = [u for u in sensitivity.units if u.rank is not None and u.rank_low is not None]
    ax = _axes(ax, (6.5, max(3.0, 0.42 * len(scored) + 1.2)))
    lang = sensitivity.scheme.language
    rows = list(range(len(scored)))
    lows = [float(u.rank_low or 0) for u in scored]
    highs = [float(u.rank_high or 0) for u in scored]
    ax.hlines(
        rows, lows, highs, colors="#8fb8de", linewidth=7, label=_zh(lang, "5%–95% 名次区间", "rank 5%–95%")
    )
    ax.scatter(
        [float(u.rank_median or 0) for u in scored],
        rows,
        color="#0969da",
        s=36,
        zorder=3,
        label=_zh(lang, "中位名次", "median rank"),
    )
    ax.scatter(
        [float(u.rank or 0) for u in scored],
        rows,
        marker="D",
        facecolors="none",
        edgecolors="#cf222e",
        s=64,
        zorder=4,
        label=_zh(lang, "公布权重下的名次", "nominal rank"),
    )
    ax.set_yticks(rows, [u.unit for u in scored], fontsize=9)
    ax.invert_yaxis()
    count = max([*highs, float(len(sensitivity.units)), 1.0])
    ax.set_xlim(0.5, count + 0.5)
    ax.set_xticks(range(1, int(count) + 1))
    ax.set_xlabel(_zh(lang, "名次（1 为最好）", "rank (1 is best)"))
    ax.grid(axis="x", color="#eaeef2")
    ax.set_axisbelow(True)
    # Below the axes: inside, it would hide the last units' markers.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8, frameon=False)
    spread = number(sensitivity.weight_spread * 100, 1)
    group = number(sensitivity.group_spread * 100, 1) if sensitivity.group_spread else None
    ax.set_title(
        _zh(
            lang,
            f"{sensitivity.scheme.name}\n权重 ±{spread}%"
            + (f"，一级指标组 ±{group}%" if group else "")
            + f"，{sensitivity.runs} 次",
            f"{sensitivity.scheme.name}\nweights ±{spread}%"
            + (f", top-level groups ±{group}%" if group else "")
            + f", {sensitivity.runs} runs",
        ),
        fontsize=10,
    )
    return ax
