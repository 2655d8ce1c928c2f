"""Rules that read other results (指标1得分, 指标2·步骤) and a total formula over group subtotals and data.

The recipe docs/examples/cookbook/read-results.toml is worked by hand in its test;
validation refuses cycles, unknown names and values over all units that would read results.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfrules import SchemeError, Unit, dumps, evaluate, load, load_units, loads, names_read
from perfrules.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "cookbook" / "read-results"


def _results():
    scheme = load(EXAMPLE.with_suffix(".toml"))
    return scheme, {
        r.unit: r for r in evaluate(scheme, load_units(EXAMPLE.with_suffix(".csv"), scheme=scheme))
    }


def test_the_recipe_gives_the_hand_worked_totals():
    """甲: 30×1.12=33.6, 30×0.9=27, 40×0.9=36; (60.6+36)×1.05+1−0.5 = 101.93, +min(12×0.5, 3) = 104.93.

    乙: 利润 15 < 18 holds 经济增加值 33 at 18; 指标1得分 15 < 18 so 40×0.8×90% = 28.8;
    (33+28.8)×1.1+0−2 = 65.98. 丙: both 12 (below 18, kept); 40×0.7×90% = 25.2; 49.2×1 = 49.2.
    """
    _, results = _results()
    assert {u: r.total for u, r in results.items()} == {
        "甲": Decimal("104.93"),
        "乙": Decimal("65.98"),
        "丙": Decimal("49.2"),
    }
    scores = {u: [i.score for i in r.indicators] for u, r in results.items()}
    assert scores == {
        "甲": [Decimal("33.6"), Decimal(27), Decimal(36)],
        "乙": [Decimal(15), Decimal(18), Decimal("28.8")],
        "丙": [Decimal(12), Decimal(12), Decimal("25.2")],
    }
    events = [e.message for e in results["甲"].events]
    assert any("(60.6+36)×1.05+1−0.5 = 101.93" in m for m in events), events
    assert any("指标1·超额点数 12" in m and "3分" in m for m in events), events


def test_totals_only_agrees_with_explained():
    scheme, results = _results()
    lean = evaluate(scheme, load_units(EXAMPLE.with_suffix(".csv"), scheme=scheme), explained=False)
    assert {r.unit: r.total for r in lean} == {u: r.total for u, r in results.items()}


def test_the_recipe_round_trips_through_toml_and_json():
    scheme = load(EXAMPLE.with_suffix(".toml"))
    assert loads(dumps(scheme)) == scheme
    assert loads(dumps(scheme, format="json"), format="json") == scheme


def test_names_read_leaves_out_what_the_scheme_computes():
    """指标1·原始得分, 指标1得分 and the groups' 得分 are computed; the total formula's data are read."""
    scheme = load(EXAMPLE.with_suffix(".toml"))
    assert names_read(scheme) == {
        "利润总额",
        "利润目标",
        "经济增加值",
        "经济增加值目标",
        "评价得分",
        "经营难度系数",
        "奖励分",
        "考核扣分",
    }


_TWO = """
name = "t"
basis = "points"
total = 20
groups = [{ name = "g" }]
[[indicators]]
code = "1"
name = "甲项"
group = "g"
weight = 10
steps = ["原始分=x"]
score = "A1"
[[indicators]]
code = "2"
name = "乙项"
group = "g"
weight = 10
score = "A2"
"""


def _problems(text: str) -> dict[str, str]:
    with pytest.raises(SchemeError) as info:
        loads(text, format="toml")
    return {p.path: p.message for p in info.value.problems}


def test_a_cycle_is_refused_naming_the_indicators():
    found = _problems(_TWO.replace('"A1"', '"min(x, 指标2得分)"').replace('"A2"', '"指标1得分率×10"'))
    assert "indicators[0]" in found, found
    assert "cycle: 1 甲项 → 2 乙项 → 1 甲项" in found["indicators[0]"]


def test_reading_steps_both_ways_is_no_cycle():
    """Each reads the other's step (not its score): both are scored, whatever the order."""
    text = _TWO.replace('"A1"', '"if(指标2·原始分<5, 5, 原始分)"').replace('"A2"', '"指标1·原始分"')
    text = text.replace('score = "指标1·原始分"', 'steps = ["原始分=y"]\nscore = "min(原始分, 指标1·原始分)"')
    scheme = loads(text, format="toml")
    (result,) = evaluate(scheme, [Unit(name="u", data={"x": 8, "y": 3})])
    assert [i.score for i in result.indicators] == [Decimal(5), Decimal(3)]


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ('"指标1·原始值"', "has no step '原始值' (its steps: 原始分); did you mean 指标1·原始分?"),
        ('"指标9得分"', "'指标9得分' names no indicator (no code '9')"),
        ('"指标2得分"', "reads its own result '指标2得分'"),
        ('"指标1得分/max_of(指标1得分)×10"', "cannot read another indicator's result (指标1得分)"),
    ],
)
def test_misread_names_are_refused_with_a_hint(score, message):
    found = _problems(_TWO.replace('"A2"', score).replace('"A1"', '"x"'))
    assert "indicators[1]" in found or "indicators[1].score" in found, found
    assert any(message in m for m in found.values()), found


def test_a_value_over_all_units_cannot_read_a_result_through_steps():
    """max_of(b) where b reads a, and a reads 指标1得分: found through the chain of steps."""
    text = _TWO.replace('score = "A2"', 'steps = ["a=指标1得分", "b=a+1", "c=y"]\nscore = "A2"')
    found = _problems(text.replace('"A2"', '"b/max_of(b)×10"').replace('"A1"', '"x"'))
    assert any("cannot read another indicator's result (指标1得分)" in m for m in found.values()), found
    # max_of() over a step that reads data only is fine beside it.
    scheme = loads(text.replace('"A2"', '"b+c/max_of(c)"').replace('"A1"', '"x"'), format="toml")
    assert [ind.code for ind in scheme.indicators()] == ["1", "2"]


@pytest.mark.parametrize(
    ("step", "rule", "where"),
    [
        (
            '{ type = "rank", target = "名次", of = "x" }, "原始分=名次×2"',
            'total_formula = "g得分+指标1·原始分"',
            "total_formula",
        ),
        (
            '"原始分=x/max_of(x)"',
            '[[policies]]\ntype = "adjust"\nper = "指标1·原始分"\npoints = 0.5',
            "policies[0]",
        ),
        (
            '{ type = "peer_ratio", target = "原始分", numerator = "x", denominator = "y" }',
            '[[policies]]\ntype = "veto"\nwhen = "指标1·原始分<0.5"\neffect = "zero"',
            "policies[0]",
        ),
    ],
)
def test_a_scheme_wide_rule_cannot_read_a_step_over_all_units(step, rule, where):
    """A total formula, adjustment or veto reading a step behind which there is a rank, a peer ratio or
    max_of …: such a step's value is there only while its indicator is scored (worked out on demand,
    it failed every unit, or raised a KeyError for a peer ratio read directly), so it is refused."""
    text = (
        _TWO.replace('steps = ["原始分=x"]', f"steps = [{step}]")
        .replace('"A1"', '"x"')
        .replace('"A2"', '"y"')
    )
    if rule.startswith("total_formula"):
        text = rule + "\n" + text
    else:
        text += rule + "\n"
    found = _problems(text)
    assert "worked out over all units" in found.get(where, ""), found
    assert "read 指标1得分 instead" in found[where]
    # A step of data only is read by such a rule as before.
    plain = _TWO.replace('"A1"', '"x"').replace('"A2"', '"y"')
    scheme = loads(('total_formula = "g得分+指标1·原始分"\n' + plain), format="toml")
    (result,) = evaluate(scheme, [Unit(name="u", data={"x": 8, "y": 3})])
    assert result.total == Decimal(8 + 3 + 8)


def test_a_population_step_is_not_read_across():
    text = _TWO.replace('steps = ["原始分=x"]', 'steps = ["原始分=x/max_of(x)"]')
    found = _problems(text.replace('"A2"', '"指标1·原始分"').replace('"A1"', '"x"'))
    assert any("worked out over all units" in m for m in found.values()), found


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('total_formula = "总分×1.1"', "cannot read it"),
        ('total_formula = "g得分"\nnormalize = true', "keep one"),
        ('total_formula = "指标3得分+g得分"', "'指标3得分' names no indicator"),
    ],
)
def test_a_total_formula_is_checked(setting, message):
    found = _problems(setting + "\n" + _TWO.replace('"A1"', '"x"').replace('"A2"', '"y"'))
    assert any(message in m for p, m in found.items() if p == "total_formula"), found


def test_validate_names_the_place(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(_TWO.replace('"A1"', '"指标2得分"').replace('"A2"', '"指标1得分"'), encoding="utf-8")
    code = main(["validate", str(path)])
    err = capsys.readouterr()
    assert code != 0
    assert "indicators[0]" in err.out + err.err and "cycle" in err.out + err.err


def test_a_result_that_is_missing_fails_only_the_indicator_that_reads_it():
    """乙项 reads 甲项's score; 甲项 is declared not applicable, so 乙项 cannot be scored for that unit."""
    scheme = loads(_TWO.replace('"A1"', '"x"').replace('"A2"', '"指标1得分"'), format="toml")
    (good, bad) = evaluate(
        scheme, [Unit(name="u", data={"x": 4}), Unit(name="v", data={"x": 4}, not_applicable={"1"})]
    )
    assert good.total == Decimal(8)
    assert [(e.indicator, "甲项 has no score" in e.message) for e in bad.errors] == [("2", True)]


def test_the_order_comes_from_the_dependencies_not_the_file():
    """The reader is listed first; its source is still scored before it."""
    text = _TWO.replace('"A1"', '"指标2得分+1"').replace('"A2"', '"y"')
    scheme = loads(text, format="toml")
    (result,) = evaluate(scheme, [Unit(name="u", data={"x": 0, "y": 6})], explained=False)
    assert result.total == Decimal(13)


@settings(max_examples=60, deadline=None)
@given(
    profit=st.integers(0, 200),
    eva=st.integers(0, 200),
    mark=st.integers(0, 100),
    factor=st.decimals("0.8", "1.2", places=2),
    bonus=st.integers(0, 3),
    minus=st.integers(0, 3),
)
def test_the_recipe_follows_its_rules_for_any_data(profit, eva, mark, factor, bonus, minus):
    """Worked again with fractions: held at 基本分, 90% when 利润 is below it, the formula, the capped bonus."""
    scheme = load(EXAMPLE.with_suffix(".toml"))
    data = {
        "利润总额": profit,
        "利润目标": 100,
        "经济增加值": eva,
        "经济增加值目标": 50,
        "评价得分": mark,
        "经营难度系数": factor,
        "奖励分": bonus,
        "考核扣分": minus,
    }
    raw1, raw2 = Fraction(30 * profit, 100), Fraction(30 * eva, 50)
    s1 = min(raw1, 18) if raw2 < 18 else raw1
    s2 = min(raw2, 18) if raw1 < 18 else raw2
    s1, s2 = min(s1, 36), min(s2, 36)
    s3 = Fraction(40 * mark, 100) * (Fraction(9, 10) if s1 < 18 else 1)
    over = max(0, (profit - 100) // 1) if profit >= 100 else 0
    total = (s1 + s2 + s3) * Fraction(factor) + bonus - minus + min(Fraction(over, 2), 3)
    for explained in (True, False):
        (result,) = evaluate(scheme, [Unit(name="u", data=data)], explained=explained)
        assert Fraction(result.total) == max(total, 0), (explained, result.errors)


def test_the_data_template_asks_for_the_data_and_not_the_results():
    """The fields a template lists are names_read: the total formula's data in, 指标1得分 and 指标1·… out."""
    from perfrules.files.inputs import scheme_inputs

    scheme = load(EXAMPLE.with_suffix(".toml"))
    assert scheme_inputs(scheme) == names_read(scheme)
