"""Tests for the formula language (perfrules.Formula)."""

from __future__ import annotations

import contextlib
import re
import time
import tracemalloc
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfrules
from perfrules import (
    DivisionByZeroError,
    Formula,
    FormulaSyntaxError,
    InvalidValueError,
    MissingValueError,
    NumberTooLargeError,
    PerfrulesError,
    normalize_name,
)
from perfrules import testing as prst

D = Decimal
F = Fraction

# ---------------------------------------------------------------------------
# The seeds' own formulas, with values worked out by hand
# ---------------------------------------------------------------------------

# Shenzhen indicator 7's and 8's denominators carry a bracketed note that is
# part of the name as published; callers pass the known names.
CASE_7 = "法定期限内应当处理的案件数(行政处罚案件)"
CASE_8_NUM = "法定期限内经行政复议、行政诉讼后引起相关执法案件结果发生改变的案件数"
CASE_8_DEN = "法定期限内实际立案数(行政处罚案件)"

SEED_FORMULAS = [
    pytest.param(
        "总得分=重大改革得分×0.6+工作创新得分×0.4",
        {"重大改革得分": 6, "工作创新得分": 4},
        D("5.2"),  # 6×0.6 + 4×0.4 = 3.6 + 1.6
        id="sz4-total",
    ),
    pytest.param(
        "重大改革得分=年度改革任务完成情况得分×0.6+受表彰情况得分×0.4",
        {"年度改革任务完成情况得分": 4, "受表彰情况得分": 5},
        D("4.4"),  # 良 (4) ×0.6 = 2.4; one 省级 (2) + one 中央级 (3) = 5, ×0.4 = 2.0
        id="sz4-reform",
    ),
    pytest.param(
        "工作创新得分=工作创新效果得分×0.4+认定或推广得分×0.6",
        {"工作创新效果得分": 2, "认定或推广得分": 1},
        D("1.4"),  # 合格 (2) ×0.4 = 0.8; one 市级 (1) ×0.6 = 0.6
        id="sz4-innovation",
    ),
    pytest.param(
        "白皮书任务按时完成率=(白皮书任务完成数/白皮书任务总数)×100%",
        {"白皮书任务完成数": 29, "白皮书任务总数": 30},
        F(29, 30),  # 29/30 × 100% = 29/30 (96.67%), not a terminating decimal
        id="sz1-rate",
    ),
    pytest.param(
        "投资完成率=(当期财政实际拨款额/投资计划下达额)×100%",
        {"当期财政实际拨款额": D("4500.5"), "投资计划下达额": 5000},
        D("0.9001"),  # 4500.5/5000 = 0.9001 → 90.01%
        id="sz2-investment",
    ),
    pytest.param(
        "目标任务完成率=(目标任务实际完成数/目标任务总数)×100%",
        {"目标任务实际完成数": 8, "目标任务总数": 10},
        D("0.8"),
        id="sz3-targets",
    ),
    pytest.param(
        "行政审批网上实现率得分=(网上申请行政审批实现率得分+网上查询行政审批实现率得分+在线处理行政许可实现率得分)/3",
        {
            "网上申请行政审批实现率得分": 95,
            "网上查询行政审批实现率得分": 85,
            "在线处理行政许可实现率得分": 90,
        },
        D(90),  # (95+85+90)/3 = 270/3
        id="sz6-average",
    ),
    pytest.param(
        "信息安全评价=信息安全风险评估项评分×60%+信息安全等级保护项评分×40%-信息安全事件项评分",
        {"信息安全风险评估项评分": 80, "信息安全等级保护项评分": 70, "信息安全事件项评分": 5},
        D(71),  # 80×0.6 + 70×0.4 − 5 = 48 + 28 − 5
        id="sz10-security",
    ),
]


@pytest.mark.parametrize(("text", "values", "expected"), SEED_FORMULAS)
def test_seed_formulas_evaluate_to_hand_worked_numbers(text, values, expected):
    """Each seed formula gives the number worked out by hand, exactly and in canonical form."""
    result = Formula.parse(text).evaluate(values)
    assert result == expected
    assert type(result) is type(expected)
    assert str(result) == str(expected)


def test_enforcement_rate_with_bracketed_names():
    """Shenzhen 7: 〔1-未处理/应处理(行政处罚案件)〕×100% with the bracket kept in the name."""
    text = f"行政执法结案率=〔1-未在法定期限内作相关处理的案件数/{CASE_7}〕×100%"
    f = Formula.parse(text, names=["未在法定期限内作相关处理的案件数", CASE_7])
    assert f.variables == {"未在法定期限内作相关处理的案件数", CASE_7}
    # 2 of 200 cases late: (1 − 2/200) × 100% = 0.99 → 结案率 99%, the 优 boundary.
    assert f.evaluate({"未在法定期限内作相关处理的案件数": 2, CASE_7: 200}) == D("0.99")


def test_error_rate_with_names_holding_chinese_punctuation():
    """Shenzhen 8: a numerator name containing 、 and a bracketed denominator."""
    text = f"行政执法错案率=〔{CASE_8_NUM}/{CASE_8_DEN}〕×100%"
    f = Formula.parse(text, names=[CASE_8_NUM, CASE_8_DEN])
    # 1 changed case out of 80: 1/80 = 0.0125 → 1.25%, inside 中 (1% < x ≤ 3%).
    assert f.evaluate({CASE_8_NUM: 1, CASE_8_DEN: 80}) == D("0.0125")


SEED_CONDITIONS = [
    # (condition, value of the one variable, expected truth)
    ("白皮书任务按时完成率=100%", D(1), True),
    ("白皮书任务按时完成率=100%", F(29, 30), False),
    ("90%≤白皮书任务按时完成率<100%", F(29, 30), True),
    ("90%≤白皮书任务按时完成率<100%", D("0.9"), True),
    ("90%≤白皮书任务按时完成率<100%", D(1), False),
    ("80%≤白皮书任务按时完成率<90%", D("0.9"), False),
    ("白皮书任务按时完成率<80%", F(79, 100), True),
    ("得分≥103", 103, True),
    ("100≤得分<103", D("102.99"), True),
    ("95≤得分<100", 100, False),
    ("得分<95", D("94.9"), True),
    ("错案率=0", 0, True),
    ("0<错案率≤1%", D("0.01"), True),
    ("1%<错案率≤3%", D("0.01"), False),
    ("错案率>3%", D("0.0301"), True),
    ("90≤得分≤100", 100, True),
    ("实现率≥90%", D("0.9"), True),
    ("70%≤实现率<90%", D("0.7"), True),
    ("结案率≥99%", D("0.99"), True),
    ("98%≤结案率<99%", D("0.985"), True),
    ("75≤信息安全评价≤100", 75, True),
    ("信息安全评价<25", 25, False),
    ("督办事项规定时限内完成率≥90%", D("0.9"), True),
    ("85%≤督办事项规定时限内完成率<90%", D("0.85"), True),
    ("总得分≥6", D("5.2"), False),
    ("4≤总得分<6", D("5.2"), True),
    ("2≤总得分<4", 4, False),
]


@pytest.mark.parametrize(
    ("text", "value", "expected"), SEED_CONDITIONS, ids=[f"{c[0]}@{c[1]}" for c in SEED_CONDITIONS]
)
def test_seed_conditions(text, value, expected):
    """Every grading condition in the Shenzhen seed reads and decides as printed."""
    cond = Formula.parse_condition(text)
    (name,) = cond.variables
    assert cond.evaluate({name: value}) is expected


def test_count_range_condition_with_counts():
    """Shenzhen 12: 1≤被督查催办事项≤3 (the seed writes 宗 after the numbers)."""
    cond = Formula.parse_condition("1≤被督查催办事项≤3")
    assert [cond.evaluate({"被督查催办事项": n}) for n in (0, 1, 3, 4)] == [False, True, True, False]


# ---------------------------------------------------------------------------
# Exactness
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6×0.6+4×0.4", D("5.2")),
        ("57/100×100", D(57)),
        ("0.1+0.2", D("0.3")),
        ("1/3×3", D(1)),
        ("1/3", F(1, 3)),
        ("100%", D(1)),
        ("2^-2", D("0.25")),
        ("-(2^2)", D(-4)),
        ("-2^2", D(-4)),
        ("(-2)^2", D(4)),
        ("round(2.5)", D(3)),
        ("round(-2.5)", D(-3)),
        ("round(0.125, 2)", D("0.13")),
        ("avg(1, 2, 4)", F(7, 3)),
        ("abs(-1.50)", D("1.5")),
        ("clamp(120, 0, 100)", D(100)),
        ("min(3, 1/3)", F(1, 3)),
        ("count(1<2, 2<1, 3=3)", D(2)),
        ("if(1>2, 10, 20)", D(20)),
        ("sum(0.5, 0.25, 0.25)", D(1)),
        ("1.10×10", D(11)),
    ],
)
def test_exact_arithmetic(text, expected):
    """Arithmetic matches the arithmetic on paper, in canonical form."""
    result = Formula.parse(text).evaluate({})
    assert result == expected
    assert str(result) == str(expected)


def test_float_inputs_are_read_by_their_repr():
    """0.57 given as a float means 57/100, so ×100 is exactly 57."""
    assert Formula.parse("x×100").evaluate({"x": 0.57}) == 57
    assert Formula.parse("x+y").evaluate({"x": 0.1, "y": 0.2}) == D("0.3")


@given(a=st.integers(min_value=0, max_value=10**6), b=st.integers(min_value=1, max_value=10**6))
def test_rate_against_percent_boundaries_is_exact(a, b):
    """(a/b)×100% compared with 80%, 90%, 100% agrees with exact fractions."""
    rate = Formula.parse("(a/b)×100%")
    value = rate.evaluate({"a": a, "b": b})
    assert value == F(a, b)
    for percent in (80, 90, 100):
        bound = F(percent, 100)
        for op, expected in (("<", F(a, b) < bound), ("=", F(a, b) == bound), (">=", F(a, b) >= bound)):
            cond = Formula.parse_condition(f"(a/b)×100% {op} {percent}%")
            assert cond.evaluate({"a": a, "b": b}) is expected


@given(
    a=st.integers(min_value=-(10**12), max_value=10**12),
    b=st.integers(min_value=-(10**12), max_value=10**12),
    c=st.integers(min_value=-(10**12), max_value=10**12),
)
def test_weighted_sum_fast_path_matches_fractions(a, b, c):
    """The integer fast path for weighted sums gives the exact Fraction result."""
    f = Formula.parse("a×0.6+b×0.45-c+1.5")
    expected = F(a) * F(3, 5) + F(b) * F(9, 20) - c + F(3, 2)
    assert f.evaluate({"a": a, "b": b, "c": c}) == expected
    # the same with Decimal and Fraction inputs (the general path)
    assert f.evaluate({"a": D(a), "b": F(b), "c": c}) == expected


@given(prst.formulas(names=["a", "b", "c"]), st.fixed_dictionaries({k: prst.exact_numbers() for k in "abc"}))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_results_are_exact_and_canonical(formula, values):
    """Results are Decimals when the exact value terminates, Fractions otherwise, never floats."""
    try:
        result = formula.evaluate(values)
    except (DivisionByZeroError, NumberTooLargeError, InvalidValueError):
        return  # x/0, a size limit, or an empty clamp() range
    assert type(result) in (Decimal, Fraction)
    if type(result) is Fraction:
        den = result.denominator
        while den % 2 == 0:
            den //= 2
        while den % 5 == 0:
            den //= 5
        assert den != 1, "a terminating value must come back as a Decimal"
    else:
        _, digits, exponent = result.as_tuple()
        assert isinstance(exponent, int)
        assert exponent <= 0 or result == 0, result
        if exponent < 0:
            assert digits[-1] != 0, f"trailing zero in {result}"


# ---------------------------------------------------------------------------
# Differential test: simpleeval with Fractions is an exact oracle for + − × ÷
# ---------------------------------------------------------------------------

simpleeval = pytest.importorskip("simpleeval")


@st.composite
def _ascii_arithmetic(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(["a", "b", "c", "1", "2", "0.5", "3"]))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({draw(_ascii_arithmetic(depth - 1))}{op}{draw(_ascii_arithmetic(depth - 1))})"


@given(
    _ascii_arithmetic(), st.fixed_dictionaries({k: st.fractions(-50, 50, max_denominator=20) for k in "abc"})
)
def test_agrees_with_simpleeval_on_fractions(text, values):
    """On plain arithmetic, perfrules equals simpleeval evaluating with Fractions."""
    # simpleeval divides int literals in binary floating point, so every
    # literal becomes a name bound to a Fraction for the oracle.
    literals = {"0.5": "half", "1": "one", "2": "two", "3": "three"}
    oracle_text = re.sub(r"0\.5|\d", lambda m: literals[m.group()], text)
    oracle_names = {**values, "half": F(1, 2), "one": F(1), "two": F(2), "three": F(3)}
    try:
        expected = simpleeval.simple_eval(oracle_text, names=oracle_names, functions={})
    except ZeroDivisionError:
        with pytest.raises(DivisionByZeroError):
            Formula.parse(text).evaluate(values)
        return
    assert Formula.parse(text).evaluate(values) == F(expected)


# ---------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------


@given(prst.formulas())
def test_str_round_trips(formula):
    """str(formula) parses back to an equal formula (and prints the same again)."""
    again = Formula.parse(str(formula))
    assert again == formula
    assert str(again) == str(formula)


@given(prst.formulas(conditions=True))
def test_condition_str_round_trips(formula):
    """Conditions round-trip through str() too, with = printed as == ."""
    assert Formula.parse_condition(str(formula)) == formula
    assert Formula.parse(str(formula)).tree == formula.tree


@pytest.mark.parametrize(
    "text",
    [
        "总得分=重大改革得分×0.6+工作创新得分×0.4",
        "行政执法结案率=〔1-a/b〕×100%",
        "「政府投资项目(A类)完成率」>=90% and not x=1",
        "a-(b-c)",
        "a/(b×c)",
        "(a/b)×100%",
        "2^3^2",
        "(2^3)^2",
        "not (a<1 or b<1)",
        "if(总数=0, 0, 完成数/总数)",
    ],
)
def test_seed_style_round_trips(text):
    """Published-style formulas keep their meaning and structure through str()."""
    f = Formula.parse(text)
    assert Formula.parse(str(f)) == f


def test_spellings_compare_equal():
    """Full-width, Chinese and ASCII spellings give equal formulas."""
    assert Formula.parse("ａ×０．６＋ｂ÷２") == Formula.parse("a*0.6+b/2")
    assert Formula.parse("〔a−b〕×100％") == Formula.parse("(a-b)*100%")
    assert Formula.parse_condition("a≥1") == Formula.parse_condition("a >= 1")
    assert hash(Formula.parse("a+b")) == hash(Formula.parse("a + b"))


def test_power_is_right_associative_and_binds_tighter_than_minus():
    """2^3^2 is 2^9 and -2^2 is -(2^2), as on paper."""
    assert Formula.parse("2^3^2").evaluate({}) == 512
    assert Formula.parse("-2^2").evaluate({}) == -4


# ---------------------------------------------------------------------------
# Assignment and equality
# ---------------------------------------------------------------------------


def test_assignment_versus_equality():
    """A leading name= is an assignment; = elsewhere, and in conditions, is equality."""
    assign = Formula.parse("完成率=100%")
    assert assign.target == "完成率"
    assert assign.evaluate({}) == 1
    assert not assign.is_condition
    cond = Formula.parse_condition("完成率=100%")
    assert cond.target is None and cond.is_condition
    nested = Formula.parse("达标=完成率=100%")
    assert nested.target == "达标"
    assert nested.evaluate({"完成率": 1}) is True
    inside = Formula.parse("a>1 and 完成率=100%")
    assert inside.target is None and inside.is_condition


def test_condition_must_be_a_truth_value():
    """parse_condition refuses plain arithmetic."""
    with pytest.raises(FormulaSyntaxError, match="condition"):
        Formula.parse_condition("a+1")


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def test_quoted_names():
    """「…」 and backticks quote names that contain operator characters."""
    f = Formula.parse("「政府投资项目(A类)完成率」×2 + `x-y`")
    assert f.variables == {"政府投资项目(A类)完成率", "x-y"}
    assert f.evaluate({"政府投资项目(A类)完成率": D("0.5"), "x-y": 1}) == 2


def test_known_names_match_longest_first():
    """With names=, the longest known name wins and brackets need no quotes."""
    names = ["完成率", "政府投资项目(A类)完成率", "政府投资项目"]
    f = Formula.parse("政府投资项目(A类)完成率>=90% and 完成率<1", names=names)
    assert f.variables == {"政府投资项目(A类)完成率", "完成率"}


def test_known_names_do_not_split_longer_words():
    """A known name is not matched inside a longer plain name."""
    with pytest.raises(FormulaSyntaxError, match="unknown name '任务完成数'") as info:
        Formula.parse("任务完成数/总数", names=["完成数", "总数", "任务数"])
    assert "完成数" in info.value.suggestions


def test_unknown_name_with_suggestions_and_caret():
    """An unknown name names itself, suggests close names and points at itself."""
    with pytest.raises(FormulaSyntaxError) as info:
        Formula.parse("白皮书任务完成数/白皮书任务数", names=["白皮书任务完成数", "白皮书任务总数"])
    err = info.value
    assert err.suggestions[0] == "白皮书任务总数"
    assert err.position == len("白皮书任务完成数/")
    assert "unknown name '白皮书任务数'" in str(err)
    assert "did you mean: '白皮书任务总数'" in str(err)


def test_values_are_found_under_normalised_names():
    """A value keyed by a full-width spelling is found (NFKC on both sides)."""
    f = Formula.parse("「政府投资项目（Ａ类）完成率」×100")
    assert f.variables == {"政府投资项目(A类)完成率"}
    assert f.evaluate({"政府投资项目（Ａ类）完成率": D("0.9")}) == 90
    assert normalize_name(" Ｇ Ｄ Ｐ  产出 ") == "G D P 产出"


def test_names_may_start_with_digits():
    """2020年任务数 is a name; 100% and 2×x are numbers."""
    f = Formula.parse("2020年任务数×2+100%")
    assert f.variables == {"2020年任务数"}
    assert f.evaluate({"2020年任务数": 3}) == 7


def test_missing_value_suggests_close_keys():
    """A missing input names itself and the close keys that were given."""
    f = Formula.parse("白皮书任务完成数/白皮书任务总数")
    with pytest.raises(MissingValueError) as info:
        f.evaluate({"白皮书任务完成数": 1, "白皮书任务数": 2})
    assert info.value.name == "白皮书任务总数"
    assert info.value.suggestions[0] == "白皮书任务数"
    assert isinstance(info.value, LookupError)
    assert str(info.value).startswith("no value for '白皮书任务总数'")


# ---------------------------------------------------------------------------
# Syntax errors point at the offending character
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("a+$b", 2, "unexpected character '$'"),
        ("总得分=重大改革得分×", 11, "ends where a value"),
        ("(a+b", 0, "'(' is never closed"),
        ("a+b)", 3, "unmatched ')'"),
        ("a b", 2, "expected an operator"),
        ("a××b", 2, "power is written x^n"),
        ("a**b", 2, "power is written x^n"),
        ("a.b", 1, "unexpected character '.'"),
        ("__import__('os')", 11, "unexpected character"),
        ("a if b else c", 2, "expected an operator"),
        ("[1, 2]", 0, "unexpected character '['"),
        ("lambda: 1", 6, "unexpected character ':'"),
        ("a=1; b=2", 3, "unexpected character ';'"),
        ("1+(a<b)", 2, "must be a number"),
        ("not 3", 0, "must be a truth value"),
        ("a and 3", 6, "must be a truth value"),
        ("2^0.5", 2, "whole number"),
        ("2^100", 2, "whole number"),
        ("foo(1)", 0, "unknown function 'foo'"),
        ("政府投资项目(A类)完成率", 0, "quote it as 「…」"),
        ("mni(1, 2)", 0, "unknown function 'mni'"),
        ("clamp(1, 2)", 0, "clamp() takes 3 arguments"),
        ("round(1, a)", 9, "places must be"),
        ("if(1, 2, 3)", 3, "condition of if()"),
        ("5%%", 2, "'%%' is not allowed"),
        ("1.2.3", 3, "two decimal points"),
        ("「abc", 0, "not closed"),
        ("", 0, "empty formula"),
        ("   ", 0, "empty formula"),
        ("a=", 2, "expected an expression after 'a='"),
        ("a 」", 2, "closing 」"),
    ],
)
def test_syntax_errors_point_at_the_place(text, position, fragment):
    """Each syntax error says what is wrong and puts the caret under it."""
    with pytest.raises(FormulaSyntaxError) as info:
        Formula.parse(text)
    err = info.value
    assert fragment in str(err)
    assert err.position == position
    assert err.text == text
    assert isinstance(err, ValueError)


def test_caret_stands_under_the_character_after_chinese_text():
    """The caret is aligned by display width: CJK characters take two columns."""
    with pytest.raises(FormulaSyntaxError) as info:
        Formula.parse("总得分=改革得分$0.6")
    lines = str(info.value).splitlines()
    formula_line, caret_line = lines[1], lines[2]
    assert formula_line == "    总得分=改革得分$0.6"
    # 总得分 (6 columns) + '=' (1) + 改革得分 (8) = 15 columns before '$'
    assert caret_line == "    " + " " * 15 + "^"


def test_non_text_formula_is_a_perfrules_error():
    """Passing a non-string formula is a clear error, not an AttributeError."""
    with pytest.raises(FormulaSyntaxError, match="must be text"):
        Formula.parse(42)  # type: ignore[arg-type]


def test_is_valid():
    """Formula.is_valid answers without raising."""
    assert Formula.is_valid("a×0.6+b×0.4")
    assert not Formula.is_valid("a×")
    assert not Formula.is_valid("x", names=["y"])


# ---------------------------------------------------------------------------
# Evaluation errors
# ---------------------------------------------------------------------------


def test_division_by_zero_names_formula_divisor_and_values():
    """Division by zero is its own error with the formula, the divisor and the inputs."""
    f = Formula.parse("白皮书任务按时完成率=(白皮书任务完成数/白皮书任务总数)×100%")
    with pytest.raises(DivisionByZeroError) as info:
        f.evaluate({"白皮书任务完成数": 0, "白皮书任务总数": 0, "unrelated": 1})
    err = info.value
    assert err.divisor == "白皮书任务总数"
    assert err.values == {"白皮书任务完成数": 0, "白皮书任务总数": 0}
    assert err.formula == f.text
    assert isinstance(err, ZeroDivisionError)
    assert "division by zero" in str(err)


def test_conditional_avoids_division_by_zero():
    """if() evaluates only the branch it takes."""
    f = Formula.parse("if(总数=0, 1, 完成数/总数)")
    assert f.evaluate({"总数": 0, "完成数": 0}) == 1


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), -float("inf"), D("NaN"), D("Infinity"), D("sNaN"), "12", None, [1], 1j],
    ids=repr,
)
def test_bad_values_are_refused(value):
    """nan, inf, text and other non-numbers never pass silently."""
    with pytest.raises(InvalidValueError) as info:
        Formula.parse("x×2").evaluate({"x": value})
    assert "x" in str(info.value)


def test_truth_values_and_numbers_do_not_mix():
    """A bool input cannot be used as a number, nor a number as a condition."""
    with pytest.raises(InvalidValueError, match="truth value"):
        Formula.parse("x+1").evaluate({"x": True})
    with pytest.raises(InvalidValueError, match="truth value"):
        Formula.parse("x and y").evaluate({"x": True, "y": 1})
    assert Formula.parse("x and not y").evaluate({"x": True, "y": False}) is True


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("x×x", {"x": 10**30}),
        ("x", {"x": 10**50}),
        ("x^64", {"x": 4000000}),
        ("x^y", {"x": 2, "y": 10**6}),
        ("1/x", {"x": D("1E-60")}),
    ],
)
def test_numbers_beyond_the_limits_are_errors(text, values):
    """Results outside perfrules.LIMITS raise instead of growing without bound."""
    with pytest.raises((NumberTooLargeError, InvalidValueError)):
        Formula.parse(text).evaluate(values)


def test_caller_values_are_not_mutated():
    """evaluate reads the mapping and leaves it as it was (a read-only mapping works)."""
    values = {"ａ": 1, "b": 2.5}
    frozen = MappingProxyType(values)
    assert Formula.parse("a+b").evaluate(frozen) == D("3.5")
    assert values == {"ａ": 1, "b": 2.5}


# ---------------------------------------------------------------------------
# Safety: bounded time and memory, only perfrules errors escape
# ---------------------------------------------------------------------------

ADVERSARIAL = [
    "4000000^4000000",
    "9" * 1999,
    "(" * 1000 + "1" + ")" * 1000,
    "-" * 1999 + "1",
    "1+" * 999 + "1",
    "a" * 2001,
    "max(" * 300 + "1" + ")" * 300,
    "2^64^64",
    "not " * 400 + "1<2",
    "「" + "x" * 1990,
    "x" + "×x" * 400,
    "99999999999999999999999999999999999999999999999999^64",
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: t[:20])
def test_adversarial_formulas_are_bounded(text):
    """Hostile formulas fail (or finish) within 1 s and 100 MB."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        formula = Formula.parse(text)
        formula.evaluate(dict.fromkeys(formula.variables, 10**40))
    except PerfrulesError:
        pass
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 100 * 2**20


def test_long_sums_are_allowed_within_the_limits():
    """Long flat sums do not count as nesting: 300 terms evaluate."""
    text = "+".join(f"x{i}" for i in range(300))
    f = Formula.parse(text)
    assert f.evaluate({f"x{i}": i for i in range(300)}) == sum(range(300))


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_only_perfrules_errors_escape_parse(text):
    """For any text, parse succeeds or raises a perfrules error."""
    try:
        Formula.parse(text)
        Formula.parse_condition(text)
    except PerfrulesError:
        pass


_ALPHABET = "ab01.+-×÷*/^%()（）〔〕=<>≤≥≠,，!「」` andornotifminmaxroundclampcountavgsumabs完成率"


@given(
    st.text(alphabet=_ALPHABET, max_size=40),
    st.dictionaries(st.sampled_from(["a", "b", "完成率", "x"]), prst.input_values()),
)
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
def test_only_perfrules_errors_escape_evaluate(text, values):
    """Formula-like text and arbitrary values: only perfrules errors escape."""
    try:
        formula = Formula.parse(text)
    except PerfrulesError:
        return
    with contextlib.suppress(PerfrulesError):
        formula.evaluate(values)


def test_public_errors_share_one_root():
    """Every public exception class derives from PerfrulesError."""
    for name in perfrules.__all__:
        obj = getattr(perfrules, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, PerfrulesError), name


# -- whole steps and the function reference ---------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("floor(2.5)", Decimal(2)),
        ("floor(-2.5)", Decimal(-3)),
        ("ceil(2.1)", Decimal(3)),
        ("ceil(-2.5)", Decimal(-2)),
        ("trunc(2.9)", Decimal(2)),
        ("trunc(-2.9)", Decimal(-2)),
        ("TRUNC(7)", Decimal(7)),
        # 每超1个百分点加0.5分: 增长8.6% over a 目标 of 5% is 3 whole points → 1.5分
        ("floor((8.6%-5%)/1%)*0.5", Decimal("1.5")),
        # exact arithmetic: 0.3/0.1 is 3, not 2.9999…
        ("floor(0.3/0.1)", Decimal(3)),
        ("trunc((4.6%-5%)/0.1%)", Decimal(-4)),
    ],
)
def test_whole_steps(text, expected):
    """floor, ceil and trunc give whole numbers exactly, on both sides of 0."""
    assert Formula.parse(text).evaluate({}) == expected


def test_every_function_the_parser_knows_is_in_the_formula_reference():
    """docs/reference/formula-language.md names each function and each Chinese alias."""
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "reference" / "formula-language.md").read_text(
        encoding="utf-8"
    )
    missing = [f for f in perfrules.FUNCTIONS if f"`{f}(" not in page]
    missing += [a for a in perfrules.FUNCTION_ALIASES if f"`{a}`" not in page]
    assert not missing, f"not in the formula reference: {missing}"
