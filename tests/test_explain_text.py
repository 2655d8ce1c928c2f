"""Explanations speak the scheme's language and never print Python (None, repr) — issue 20, item 15."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import oracle
from perfrules import (
    Group,
    Indicator,
    Scheme,
    Unit,
    evaluate,
    load,
    load_units,
    sample_units,
    schemes,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "docs" / "examples").rglob("*.toml") if p.with_suffix(".csv").exists())
D = Decimal


def _in(scheme: Scheme, language: str) -> Scheme:
    return scheme if scheme.language == language else attrs.evolve(scheme, language=language)


def _cases() -> list[tuple[str, Scheme, list[Unit]]]:
    cases: list[tuple[str, Scheme, list[Unit]]] = []
    for path in EXAMPLES:
        scheme = load(path)
        cases.append(
            (str(path.relative_to(ROOT)), scheme, list(load_units(path.with_suffix(".csv"), scheme=scheme)))
        )
    for name in schemes():
        cases.append((name, load(name), list(sample_units(name))))
    return cases


CASES = _cases()


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("label", "scheme", "units"), CASES, ids=[c[0] for c in CASES])
def test_no_explanation_prints_none(label, scheme, units, language):
    """Every unit of every example and built-in, explained in Chinese and in English: no None, True or False."""
    evaluation = evaluate(_in(scheme, language), units)
    assert len(evaluation) > 0
    for result in evaluation:
        text = result.explain()
        assert "None" not in text, (label, result.unit)
        assert "True" not in text and "False" not in text, (label, result.unit)
        if language == "en":
            # Formula lines name the score "score", not the Chinese label 得分.
            assert not any(line.strip().startswith("computed: 得分") for line in text.splitlines())


def _reported(frequency: str | None = "季度") -> Scheme:
    """A points scheme without grades: the score is the reported 得分 x."""
    ind = Indicator(code="1", name="上报分", weight=10, score="x", frequency=frequency)
    return Scheme(name="无等次", basis="points", total=10, groups=[Group(name="组", children=[ind])])


@pytest.mark.parametrize("language", ["zh", "en"])
def test_period_rows_of_a_scale_without_grades(language):
    """Two quarters scoring 2 and 8 average to 5: each quarter shows its own x, no grade, and no 'x = 8' for 5."""
    unit = Unit(name="甲", periods={"一季度": {"x": 2}, "二季度": {"x": 8}})
    result = evaluate(_in(_reported(), language), [unit]).unit("甲")
    assert result.indicator("1").score == 5
    text = result.explain()
    assert "None" not in text
    lines = text.splitlines()
    head = next(line for line in lines if line.lstrip().startswith("- 1 "))
    assert ("得 5分" if language == "zh" else ": 5 of 10 points") in head
    if language == "zh":
        assert "    · 一季度：" in text and "    · 二季度：" in text
        assert "数据：x=2" in text and "数据：x=8" in text
        assert "计算：得分 = x = 2" in text and "计算：得分 = x = 8" in text
        assert "→ 得分 2分" in text and "→ 得分 8分" in text
        # The year's score is the mean, not the last quarter's computation.
        assert not any(line.strip() == "· 计算：得分 = x = 8" for line in lines)
        assert "2 个报送期得分（一季度 2、二季度 8）取平均，得 5 分" in text
    else:
        assert "computed: score = x = 2" in text and "computed: score = x = 8" in text
        assert "得分" not in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_percent_scheme_without_grades_says_no_grade(language):
    """scores=false: indicators have no grade, and the explanation does not invent one."""
    ind = Indicator(code="1", name="上报分", weight=100, score="x")
    scheme = Scheme(name="无等次", scores=None, groups=[Group(name="组", children=[ind])], language=language)
    text = evaluate(scheme, [Unit(name="甲", data={"x": 70})]).unit("甲").explain()
    assert "None" not in text
    head = next(line for line in text.splitlines() if line.lstrip().startswith("- 1 "))
    assert head.endswith(
        "：得分 70，权重 100，贡献 70" if language == "zh" else ": score 70, weight 100, contribution 70"
    )


def test_the_last_period_rule_says_which_period_and_shows_only_it():
    """periods = "last": the trail shows the last period's data and says the earlier ones are not used."""
    scheme = attrs.evolve(_reported(), periods="last")
    unit = Unit(name="甲", periods={"一季度": {"x": 2}, "二季度": {"x": 8}})
    result = evaluate(scheme, [unit]).unit("甲")
    assert result.indicator("1").score == 8
    text = result.explain()
    assert "数据：x=2" not in text and "数据：x=8" in text
    assert "取最后一个报送期（二季度）的结果，之前 1 个报送期不计" in text


def test_summed_periods_show_the_sums_not_the_year_row():
    """periods = "sum": the data line is the periods' sum, and the trail names the periods added."""
    scheme = attrs.evolve(_reported(), periods="sum")
    unit = Unit(name="甲", data={"x": 1}, periods={"一季度": {"x": 2}, "二季度": {"x": 3}})
    result = evaluate(scheme, [unit]).unit("甲")
    assert result.indicator("1").score == 5
    text = result.explain()
    assert "数据：x=5" in text and "数据：x=1" not in text
    assert "2 个报送期（一季度、二季度）的数据相加后计分" in text


@pytest.mark.parametrize(("language", "yes"), [("zh", "是"), ("en", "yes")])
def test_truth_values_are_words_not_python(language, yes):
    """A condition step prints 是/否 (yes/no), in its own line and where it is put into a formula."""
    ind = Indicator(code="1", name="达标分", weight=100, steps=["达标=x>=5"], score="if(达标, 100, 60)")
    scheme = Scheme(name="s", groups=[Group(name="g", children=[ind])], language=language)
    # (A step giving a truth value does not compile to the column program yet: the per-unit program's
    # words, which the column program's explanations are held to once it does.)
    text = oracle.evaluate(scheme, [Unit(name="u", data={"x": 6})]).explain("u")
    assert "True" not in text and "False" not in text
    assert f"达标 = x>=5 = 6>=5 = {yes}" in text and f"if({yes}, 100, 60) = 100" in text
