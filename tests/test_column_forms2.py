"""More forms the column program compiles that it once left to the per-unit program (issue 17).

Each test writes a small scheme in one form (with boundary values and blank cells in its data),
checks that the plan compiles (``program_of`` is not None), that every unit the column program
scores has the per-unit program's outcome (:func:`perfrules.scoring.unit.score_unit`: total, grade,
scores, errors, events …), that the units named are the ones it sends back, and that every path
(the API with and without explanations, the command line's JSON and CSV) agrees. Hand-worked
numbers pin what the two programs agree on.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from column_cases import SCORES_FOUR, compile_case, first_bands, work_head
from oracle import score_unit
from perfrules.scoring.colpop import batch_population
from test_column_failures import _key
from test_differential import assert_paths_agree

_HEAD = work_head("列形式二", categories=True)


def _both(
    tmp_path: Path, body: str, data: str, *, sent_back: tuple[str, ...] = (), head: str = _HEAD
) -> dict[str, tuple[Any, Any, list[Any], list[str]]]:
    """Per unit: (total, grade, scores, error messages), after checking that the plan of the scheme
    *head* + *body* compiles, that the column program scores every unit but *sent_back* with the
    per-unit program's outcome, and that every path agrees."""
    text = head + body
    case = compile_case(tmp_path, text, data)
    plan, units = case.plan, case.units
    population = batch_population(plan, units) if plan.has_population else {}
    fast = case.program.run(units, population)
    slow = [score_unit(plan, u, population.get(u.name, {}), detail=False) for u in units]
    sent = tuple(u.name for u, o in zip(units, fast, strict=True) if o is None)
    assert sent == sent_back, f"sent to the per-unit program: {sent}"
    for f, s in zip(fast, slow, strict=True):
        if f is not None:
            assert _key(f) == _key(s), f.unit.name
    assert_paths_agree(case.scheme, case.scheme_path, case.data_path)
    return {s.unit.name: (s.total, s.grade, list(s.scores), [e.message for e in s.errors]) for s in slow}


def _d(*values: str | int) -> list[Decimal]:
    return [Decimal(v) for v in values]


# -- 1. conditions reading 分值 -----------------------------------------------------------------------

_FULL = """
[[indicators]]
code = "1"
name = "完成率"
group = "工作"
weight = 60
fulls = { "甲" = 50, "乙" = 40 }
steps = ["完成率=完成数/任务数×100"]
scale = { rule = "优：完成率≥95；良：85≤完成率<95；中：60≤完成率<85；差：完成率<60", domain = [0, 100] }
policies = [{ type = "default", grade = "良", when = "任务数<分值" }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
fulls = { "甲" = 40, "乙" = 30 }
score = "分值×好评数/评价数"
policies = [{ type = "not_applicable", when = "评价数<分值" }]
"""


def test_conditions_that_read_the_full_points(tmp_path: Path) -> None:
    """``分值`` in a ``default … when`` and a not-applicable condition is the row's category's full
    points. 一 (甲): 任务数 50 is not below 50, 45/50 = 90% is 良, 80 + 5/10 × 10 = 85, 42.5 of 50;
    评价数 40 is not below 40: 40 × 4/40 = 4. 二 (乙): 任务数 39 < 40, the default (the midpoint
    of 良, 85% of 40 = 34); 评价数 29 < 30, not applicable. 三 (甲): 评价数 blank, the indicator's
    error (worded by its own step)."""
    data = "单位,类别,完成数,任务数,好评数,评价数\n一,甲,45,50,4,40\n二,乙,1,39,3,29\n三,甲,45,50,,\n"
    got = _both(tmp_path, _FULL, data)
    assert got["一"][2] == _d("42.5", 4)
    assert got["二"][2] == [Decimal(34), None]
    assert got["三"][3] == ["no value for '评价数' in formula '评价数<分值'"]


# -- 2. bare names and if(…) as conditions ------------------------------------------------------------

_TRUTHS = """
[[indicators]]
code = "1"
name = "完成率"
group = "工作"
weight = 60
steps = ["完成率=完成数/任务数×100"]
scale = { rule = "优：完成率≥95；良：85≤完成率<95；中：60≤完成率<85；差：完成率<60", domain = [0, 100] }
policies = [
    { type = "default", grade = "良", when = "if(类型=1, 任务数<=20, 任务数<10)" },
    { type = "default", grade = "中", when = "标志" },
]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
score = "分值×好评数/评价数"
policies = [{ type = "not_applicable", when = "评价数=0 or 免评" }]
"""


def test_bare_names_and_if_as_conditions(tmp_path: Path) -> None:
    """A bare name is a number, not a truth value: as a policy's whole condition it never holds (标志
    = 1 takes no default); where ``or`` reaches it (评价数 ≠ 0) it is the per-unit program's error,
    which the column program gives those units too (the not-applicable rule's indicator's error). ``if(类型=1, 任务数≤20, 任务数<10)`` picks its condition per row: 二's
    类型 1 and 任务数 20 take the default 良 (85% of 60 = 51) on the boundary; 三's 类型 2 and 任务数
    15 do not (9/15 = 60% is 中, 60 × 60% = 36); 评价数 0 makes 指标2 not applicable (40 → 60 points:
    36 × 100/60 = 60)."""
    data = (
        "单位,类别,完成数,任务数,好评数,评价数,类型,标志,免评\n"
        "一,甲,45,50,3,40,1,1,1\n二,乙,9,20,3,0,1,0,0\n三,甲,9,15,3,0,2,1,1\n四,甲,9,15,3,4,2,0,1\n"
    )
    got = _both(tmp_path, _TRUTHS, data)
    assert got["二"][:3] == (Decimal(85), "良", [Decimal(51), None])
    assert got["三"][:3] == (Decimal(60), "中", [Decimal(36), None])
    assert got["一"][3] == [
        "1 (number) used where a truth value (condition) is needed in formula '评价数=0 or 免评'"
    ]


# -- 3. powers --------------------------------------------------------------------------------------

_POWERS = """
[[indicators]]
code = "1"
name = "平方"
group = "工作"
weight = 60
score = "分值×(完成数/任务数)^2"
policies = [{ type = "default", score = 10 }]

[[indicators]]
code = "2"
name = "倒数"
group = "工作"
weight = 40
score = "min(分值, 分值×好评数^-1 + x^0)"
"""


def test_powers(tmp_path: Path) -> None:
    """``(完成数/任务数)^2``: 45/50 → 0.81 × 60 = 48.6; 任务数 0 divides by 0, the default 10.
    ``好评数^-1``: 3 → 40/3 + 1 (``x^0`` is 1, 0^0 too); 0.5 → 80 + 1, held to 40 by ``min``; 0 is a
    division by 0, the indicator's error; −4 → −10 + 1 = −9, held to 0."""
    data = "单位,类别,完成数,任务数,好评数,x\n一,甲,45,50,3,0\n二,乙,30,45,0.5,2\n三,甲,1,0,2,1\n四,甲,1,3,0,1\n五,乙,-2,3,-4,1\n"
    got = _both(tmp_path, _POWERS, data)
    assert got["一"][2] == [Decimal("48.6"), Fraction(43, 3)]
    assert got["二"][2] == [Fraction(80, 3), Decimal(40)]
    assert got["三"][2] == _d(10, 21)
    assert got["四"][3] == [
        "division by zero in 'min(分值, 分值×好评数^-1 + x^0)': '-1' is 0 (with x=1, 分值=40, 好评数=0)"
    ]
    assert got["五"][2] == [Fraction(80, 3), Decimal(0)]


def test_powers_past_the_limits(tmp_path: Path) -> None:
    """``x^64`` and ``y^-64``: 1.5^-64 is within the limits; 1000^64 and 0.00001^-64 are past 10^50
    (the per-unit program's error, worded for the indicator); a 230-bit base to the 64th is refused
    before it is worked out (the power is checked row by row: 二's error, worded by its indicator's
    step); 一's x shares the column's denominator of 10^69, whose 64th power is past 8192 bits, but
    its own 1^64 is not: the columns keep that denominator and score 一."""
    body = """
[[indicators]]
code = "1"
name = "幂"
group = "工作"
weight = 60
score = "min(分值, x^64)"

[[indicators]]
code = "2"
name = "负幂"
group = "工作"
weight = 40
score = "min(分值, y^-64)"
"""
    data = (
        "单位,类别,x,y\n一,甲,1,1.5\n"
        "二,乙,0.123456789012345678901234567890123456789012345678901234567890123456789,3\n"
        "三,甲,1000,0\n四,甲,2,0.00001\n"
    )
    got = _both(tmp_path, body, data)
    assert got["一"][2] == [Decimal(1), Fraction(2**64, 3**64)]
    assert got["二"][3][0].startswith("the power ^64 of a 230-bit number would exceed 8192 bits")
    assert got["四"][2][0] == Decimal(60)


# -- 4. a division by a literal 0 ---------------------------------------------------------------------

_BY_ZERO = """
[[indicators]]
code = "1"
name = "默认"
group = "工作"
weight = 50
score = "if(x>0, 分值, 分值/0)"
policies = [{ type = "default", score = 10 }]

[[indicators]]
code = "2"
name = "错误"
group = "工作"
weight = 40
score = "if(y>0, 分值, y/0)"

[[indicators]]
code = "3"
name = "总是"
group = "工作"
weight = 10
score = "1/0"
policies = [{ type = "default", score = 5 }]
"""


def test_a_division_by_a_literal_zero(tmp_path: Path) -> None:
    """Where ``if`` takes ``分值/0`` the default for no data (10) scores; where it takes ``y/0`` it is
    the indicator's error; where it takes the other branch, its division is never worked out (x = 1,
    y = 1: 50 + 40 + 5 = 95). ``1/0`` divides by 0 on every row: its default, 5."""
    data = "单位,类别,x,y\n一,甲,1,1\n二,乙,0,3\n三,甲,1,0\n"
    got = _both(tmp_path, _BY_ZERO, data)
    assert got["一"][:3] == (Decimal(95), "优", _d(50, 40, 5))
    assert got["二"][:3] == (Decimal(55), "差", _d(10, 40, 5))
    assert got["三"][3] == ["division by zero in 'if(y>0, 分值, y/0)': '0' is 0 (with y=0, 分值=40)"]


# -- 5. a word scale without value --------------------------------------------------------------------

_UNNAMED = """
[[indicators]]
code = "1"
name = "审计"
group = "工作"
weight = 60
scale = { bands = [{ name = "优" }, { name = "良" }, { name = "中" }, { name = "差" }] }
policies = [{ type = "default", grade = "中" }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
scale = { bands = [{ name = "优" }, { name = "良" }, { name = "中" }, { name = "差" }] }
"""


def test_a_word_scale_without_value(tmp_path: Path) -> None:
    """No value names what the scale grades: every unit lacks it, so 指标1 takes its default for no
    data (中's midpoint, 70% of 60 = 42) and 指标2 is every unit's error."""
    data = "单位,类别,审计,日常\n一,甲,优,良\n二,乙,,\n"
    got = _both(tmp_path, _UNNAMED, data)
    assert got["一"][2] == [Decimal(42), None]
    assert got["二"][3] == got["一"][3] != []


# -- 5. a scale over several values given 'of' --------------------------------------------------------

_SEVERAL_OF = """
[[indicators]]
code = "1"
name = "综合"
group = "工作"
weight = 60
steps = [
    "a=完成数/任务数×100",
    "b=好评数",
    { type = "part", target = "质量分", of = "a", scale = { rule = "优：a≥90 and b≥90；良：a≥80 and b≥80；中：a≥60；差：a<60", policy = "highest" } },
]
score = "质量分×分值/100"

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
score = "x"
"""


def test_a_scale_over_several_values_given_of(tmp_path: Path) -> None:
    """A part's scale reads a and b though ``of`` names a: the per-unit program grades the scope (a
    and b) once a is there. 一: 90 and 90 on the boundary, 优 (95: 57 of 60); 四: b 79.9 misses 良, 中
    (70: 42); 三: a 50, 差 (30: 18); 二: 好评数 blank, the indicator's error."""
    data = "单位,类别,x,完成数,任务数,好评数\n一,甲,1,90,100,90\n二,乙,0,85,100,\n三,乙,0,50,100,95\n四,甲,0,80,100,79.9\n"
    got = _both(tmp_path, _SEVERAL_OF, data)
    assert [got[u][2][0] for u in ("一", "三", "四")] == _d(57, 18, 42)
    assert got["二"][3] == ["no value for '好评数' in formula 'b=好评数'"]


# -- 6. a step that reads other indicators' scores, read by another rule --------------------------------

_STEP_READS_SCORE = """
[[indicators]]
code = "1"
name = "综合"
group = "工作"
weight = 50
steps = ["a=完成数/任务数×100"]
scale = { rule = "优：a≥95；良：85≤a<95；中：60≤a<85；差：a<60", domain = [0, 100] }

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 30
steps = ["b=x×2", "c=指标1得分/2+b"]
score = "min(c, 分值)"

[[indicators]]
code = "3"
name = "其他"
group = "工作"
weight = 20
score = "min(指标2·c/2, 分值)"
"""


def test_a_read_step_that_reads_a_score(tmp_path: Path) -> None:
    """指标3 reads 指标2's step c, which reads 指标1得分: c is worked out once 指标1 is scored. 一:
    90% is 良, 85% of 50 = 42.5; c = 21.25 + 2 = 23.25 (指标2); 指标3 = 11.625. 三: 40% is 差, 40/60 ×
    60% = 40% of 50 = 20; c = 10 + 40 = 50, held to 30 and to 20. 四: 任务数 0, 指标1 cannot be
    scored: the column program gives 四 the per-unit program's errors (指标1's division by 0; 指标2's
    step c and 指标3, which reads c, name 指标1得分)."""
    data = "单位,类别,x,完成数,任务数\n一,甲,1,90,100\n二,乙,4,60,100\n三,乙,20,40,100\n四,乙,,40,0\n"
    got = _both(tmp_path, _STEP_READS_SCORE, data)
    assert got["一"][:3] == (Decimal("77.375"), "中", _d("42.5", "23.25", "11.625"))
    assert got["三"][2] == _d(20, 30, 20)
    assert got["四"][:3] == (None, None, [None, None, None])
    assert got["四"][3][0].startswith("division by zero")
    assert [m.split(":")[0] for m in got["四"][3][1:]] == ["'指标1得分'", "'指标1得分'"]


_ZERO_ON_STEP = """
[[indicators]]
code = "1"
name = "综合"
group = "工作"
weight = 60
steps = ["a=完成数/任务数×分值"]
score = "a"
policies = [{ type = "zero", target = "a", when = "完成数<分值" }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
steps = ["b=x×2"]
scale = { rule = "优：b≥9；良：6≤b<9；中：3≤b<6；差：b<3", domain = [0, 100] }
policies = [{ type = "zero", target = "b", when = "x<max_of(x)/4" }]
"""


def test_zero_rules_on_steps_that_read_the_full_points_and_population_values(tmp_path: Path) -> None:
    """``完成数<分值`` zeroes a (分值 60): 一's 90 keeps 90/100 × 60 = 54, 二's 60 on the boundary keeps
    36, 三's 50 takes 0. ``x<max_of(x)/4`` (max 20: 5) zeroes b: 一 (1) and 二 (4) score 0 for b, 差
    by the scale (0/3 × 60% = 0); 三's b = 40 is 优, 90 + (40 − 9)/(100 − 9) × 10 of 100, × 40%."""
    data = "单位,类别,x,完成数,任务数\n一,甲,1,90,100\n二,乙,4,60,100\n三,乙,20,50,100\n"
    got = _both(tmp_path, _ZERO_ON_STEP, data)
    assert [got[u][2] for u in ("一", "二", "三")] == [_d(54, 0), _d(36, 0), [0, Fraction(3400, 91)]]


# -- 7. a default score outside the limits --------------------------------------------------------------

_FREE_DEFAULTS = """
[[indicators]]
code = "1"
name = "综合"
group = "工作"
weight = 60
score = "完成数/任务数×分值"
policies = [{ type = "default", score = 70 }, { type = "default", score = -5, when = "完成数<0" }]

[[indicators]]
code = "2"
name = "日常"
group = "工作"
weight = 40
score = "x×10"
policies = [{ type = "default", score = 50, when = "x=0" }, { type = "adjust", per = "加分项", points = 2 }]
"""


def test_default_scores_outside_the_limits(tmp_path: Path) -> None:
    """A default is kept as it is, past the limits (70 of 60 points where 任务数 is 0, −5 where 完成数
    < 0, 50 of 40 where x = 0), while a worked-out score is held (x = 4: 40) and so is a default that
    an adjustment changes (50 + 2, held to 40). The total is capped at 100 with its note."""
    data = (
        "单位,类别,x,完成数,任务数,加分项\n一,甲,1,90,100,0\n二,乙,4,60,0,1\n三,乙,20,-50,100,0\n"
        "四,甲,0,1,1,0\n五,甲,0,1,1,1\n"
    )
    got = _both(tmp_path, _FREE_DEFAULTS, data)
    assert [got[u][2] for u in ("一", "二", "三", "四", "五")] == [
        _d(54, 10),
        _d(70, 40),
        _d(-5, 40),
        _d(60, 50),
        _d(60, 40),
    ]
    assert [got[u][0] for u in ("二", "三", "四")] == _d(100, 35, 100)


# -- 8. overall grading reading a subtotal of a group mean ----------------------------------------------

_MEAN_GRADED = (
    """
format = "perfrules-scheme/1"
name = "平均"
basis = "points"
total = 100
groups = [{ name = "甲组", aggregate = "geometric", places = 2 }, { name = "乙组" }]

"""
    + first_bands("总分>=80 and 甲组得分率>=85%", "总分>=60", "总分>=0")
    + """
[[indicators]]
code = "1"
name = "一"
group = "甲组"
weight = 30
score = "a"

[[indicators]]
code = "2"
name = "二"
group = "甲组"
weight = 30
score = "b"

[[indicators]]
code = "3"
name = "三"
group = "乙组"
weight = 40
score = "c"
"""
)


def test_overall_grading_reads_a_subtotal_of_a_group_mean(tmp_path: Path) -> None:
    """甲组's subtotal is the weighted geometric mean of its shares × 60, to 2 places: 三's 0.85 and
    0.85 give 51, a share of 85% on the boundary, 优 (91); 六's 1 and 0.5 give √0.5 × 60 = 42.43,
    total 82.43 but a share of 70.7%: 良; 五's share 0 gives 0: 40, 差; 四's blank a: its error."""
    data = "单位,a,b,c\n一,30,24,40\n二,27,27,40\n三,25.5,25.5,40\n四,,3,4\n五,0,30,40\n六,30,15,40\n"
    got = _both(tmp_path, "", data, head=_MEAN_GRADED)
    assert {u: got[u][:2] for u in ("三", "五", "六")} == {
        "三": (Decimal(91), "优"),
        "五": (Decimal(40), "差"),
        "六": (Decimal("82.43"), "良"),
    }
    assert got["四"][3] == ["no value for 'a' in formula 'a'"]


# -- 9. overall grading by indicators' grades ---------------------------------------------------------

_GRADED_HEAD = (
    """
format = "perfrules-scheme/1"
name = "等次"
basis = "points"
total = 100
groups = [{ name = "组" }]
"""
    + SCORES_FOUR
    + "\n"
    + first_bands("评为优的指标数>=2", "指标3等次<=2", "总分>=0")
)

_GRADED_PEERS = """
[[indicators]]
code = "1"
name = "人均"
group = "组"
weight = 30
steps = [{ type = "peer_ratio", target = "比值", numerator = "支出", denominator = "人数", pooled = true, within = "all" }]
score = "min(分值, 分值×比值/2)"

[[indicators]]
code = "2"
name = "排名"
group = "组"
weight = 30
steps = [{ type = "rank", target = "名次", of = "完成", order = "desc", ties = "min" }]
score = "分值-(名次-1)×2"

[[indicators]]
code = "3"
name = "联动"
group = "组"
weight = 40
score = "min(分值, 指标1得分×4/3 + x)"
"""


def test_overall_grading_by_grades_of_peer_rank_and_result_reading_indicators(tmp_path: Path) -> None:
    """Indicators' grades by their own scoring, of a peer ratio (支出/人数 against the pooled 300/3 =
    100), a rank and a result read (指标1得分). 甲: ratio 2, 30 of 30 (优); 1st, 30 (优); 30 × 4/3 + 0 =
    40 (优): 评为优的指标数 3, 优. 乙: ratio 1, 15 (50%: 差); 2nd, 28 (93.3%: 优); 20 + 15 = 35 (87.5%:
    良, 指标3等次 2): one 优, 良. 丙: ratio 0, 0 (差); 3rd, 26 (86.7%: 良); 0 + 10 = 10 (差, 等次 4): 差."""
    data = "单位,支出,人数,完成,x\n甲,200,1,9,0\n乙,100,1,8,15\n丙,0,1,7,10\n"
    got = _both(tmp_path, _GRADED_PEERS, data, head=_GRADED_HEAD)
    assert {u: got[u][:3] for u in got} == {
        "甲": (Decimal(100), "优", _d(30, 30, 40)),
        "乙": (Decimal(78), "良", _d(15, 28, 35)),
        "丙": (Decimal(36), "差", _d(0, 26, 10)),
    }


_GRADED_OWN = """
[[indicators]]
code = "1"
name = "业务"
group = "组"
weight_from = "分值1"
full = 100
score = "值1"

[[indicators]]
code = "2"
name = "党建"
group = "组"
weight_from = "分值2"
full = 100
score = "值2"

[[indicators]]
code = "3"
name = "其他"
group = "组"
weight = 0
full = 100
score = "值2"
"""


def test_overall_grading_by_grades_with_weights_read_per_unit(tmp_path: Path) -> None:
    """Each unit's own weights (weight_from); the grades are its indicators' own. 甲 (70, 30): 95
    and 92 are 优 (2 of them): 优; 乙 (50, 50): 95 and 85: 90, 指标3 (85) 良: 良."""
    data = "单位,分值1,分值2,值1,值2\n甲,70,30,95,92\n乙,50,50,95,85\n"
    got = _both(tmp_path, _GRADED_OWN, data, head=_GRADED_HEAD)
    assert {u: got[u][:2] for u in got} == {"甲": (Decimal("94.1"), "优"), "乙": (Decimal(90), "良")}
