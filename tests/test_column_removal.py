"""The column program is the one engine: the per-unit program is only the tests' oracle.

Issue 17: no library path scores a unit by the per-unit program any more
(``tests/oracle.py`` keeps it, for the tests). What takes its place:

- a unit the column program leaves unscored in its batch is scored again alone by the
  same program (:mod:`perfrules.scoring.colalone`), and one it cannot score even alone
  gets an error of its own that says so, in the scheme's language; the other units are
  unaffected, and ``perfrules validate SCHEME DATA`` counts it;
- a scheme whose form the column program does not compile is refused as a scheme error
  naming the indicator and the form (``perfrules validate`` reports it);
- a unit the column program's record does not explain keeps its total and grade, and its
  explanation says that the step-by-step trail is not available and why.

No scheme the generated cases draw is left unscored today, so the units left
unscored are made here by holding the program back from chosen units
(``ColumnProgram.run`` giving None for them), the way a form it sends back would.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest

import oracle
from perfrules import SchemeError, evaluate, load_units, loads
from perfrules.cli.main import main
from perfrules.results import model
from perfrules.scoring import program as program_module
from perfrules.scoring.colalone import NOT_SCORED, TALLY
from perfrules.scoring.colexplain import FAILED
from perfrules.scoring.colnodes import Unsupported
from perfrules.scoring.colshare import ColumnShare, column_share
from perfrules.scoring.plan import plan_of

_SCHEME = """
name = "{name}"
language = "{language}"
total = 100
groups = [{{ name = "组" }}]
[overall]
rule = "优：总分>=87.5；良：60<=总分<87.5；差：总分<60"
[[indicators]]
code = "1"
name = "完成率"
group = "组"
weight = 60
score = "完成数/任务数×100"
[[indicators]]
code = "2"
name = "满意度"
group = "组"
weight = 40
score = "满意度"
"""

_DATA = "单位,完成数,任务数,满意度\n甲,9,10,95\n乙,7,8,80\n丙,3,4,60\n丁,1,3,100\n"


def _scheme(language: str = "zh") -> Any:
    return loads(_SCHEME.format(name="单一引擎", language=language), format="toml")


def _files(tmp_path: Any, language: str = "zh") -> tuple[Any, Any]:
    scheme_path = tmp_path / "scheme.toml"
    scheme_path.write_text(_SCHEME.format(name="单一引擎", language=language), encoding="utf-8")
    data_path = tmp_path / "data.csv"
    data_path.write_text(_DATA, encoding="utf-8")
    return scheme_path, data_path


@contextmanager
def _held_back(names: set[str], *, alone_too: bool) -> Iterator[None]:
    """ColumnProgram._run gives None for the units named (in a batch of more than one unit, or
    *alone_too*), as for a unit whose columns it cannot work out."""
    real = program_module.ColumnProgram._run

    def run(self: Any, units: Any, *args: Any, **kwargs: Any) -> Any:
        found = real(self, units, *args, **kwargs)
        if len(units) > 1 or alone_too:
            found = [None if u.name in names else o for u, o in zip(units, found, strict=True)]
        return found

    with mock.patch.object(program_module.ColumnProgram, "_run", run):
        yield


def _key(r: Any) -> tuple[Any, ...]:
    return (r.unit, r.total, r.grade, r.rank, [str(e) for e in r.errors], [e.message for e in r.events])


def test_a_unit_left_unscored_in_its_batch_is_scored_alone_by_the_same_program(tmp_path):
    """乙 held back in the batch only: scored alone, with the batch's answer; nothing is refused."""
    _, data_path = _files(tmp_path)
    scheme = _scheme()
    want = [_key(r) for r in evaluate(scheme, list(load_units(data_path, scheme=scheme)))]
    assert want == [_key(r) for r in oracle.evaluate(scheme, list(load_units(data_path, scheme=scheme)))]
    assert want[1][1] == Decimal("84.5")  # 7/8×100×0.6 + 80×0.4 = 52.5 + 32
    for explained in (False, True):
        before = (TALLY.alone, TALLY.unscored)
        with _held_back({"乙"}, alone_too=False):
            found = evaluate(scheme, list(load_units(data_path, scheme=scheme)), explained=explained)
            assert [_key(r) for r in found] == want
        assert (TALLY.alone - before[0], TALLY.unscored - before[1]) == (1, 0)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh", "列式程序尚不能计分该单位：其数据中有列式程序算不出的值（单独计分亦然），未给出总分"),
        (
            "en",
            "the column program cannot score this unit yet: its data hold a value the columns cannot "
            "work out (scored alone too), so it has no total",
        ),
    ],
)
def test_a_unit_the_program_cannot_score_alone_gets_an_error_of_its_own(
    tmp_path, monkeypatch, language, message
):
    """乙 held back alone too: its error names it and says why, in the scheme's language; no total,
    grade or rank; the other units' totals, grades and ranks among themselves are unchanged."""
    scheme_path, data_path = _files(tmp_path, language)
    scheme = loads(scheme_path.read_text(encoding="utf-8"), format="toml")
    plain = {r.unit: r for r in evaluate(scheme, list(load_units(data_path, scheme=scheme)))}
    before = TALLY.unscored
    with _held_back({"乙"}, alone_too=True):
        units = list(load_units(data_path, scheme=scheme))
        found = {r.unit: r for r in evaluate(scheme, units)}
        assert column_share(plan_of(scheme), units) == ColumnShare(columns=3, unscored=1)
    assert TALLY.unscored - before == 2  # (evaluate, then column_share)
    refused = found["乙"]
    assert (refused.total, refused.grade, refused.rank) == (None, None, None)
    assert [(e.unit, e.indicator, e.field, e.message, e.error) for e in refused.errors] == [
        ("乙", None, None, message, NOT_SCORED)
    ]
    assert str(refused.errors[0]).startswith("unit '乙' (")  # named, with where its data came from
    assert [(r.total, r.grade) for n, r in found.items() if n != "乙"] == [
        (plain[n].total, plain[n].grade) for n in found if n != "乙"
    ]
    assert [found[n].rank for n in ("甲", "丙", "丁")] == [1, 2, 3]
    # perfrules validate with the data counts it.
    with _held_back({"乙"}, alone_too=True):
        out, err = io.StringIO(), io.StringIO()
        main(["validate", str(scheme_path), str(data_path)], out=out, err=err)
    assert (
        "scoring: 3 of 4 units as columns; 1 the column program cannot score yet (each with an error that says so)"
    ) in out.getvalue().splitlines()


def test_a_scheme_whose_form_does_not_compile_is_refused_naming_the_indicator_and_form(tmp_path):
    """No other program scores it: evaluate, the streamed command line and validate all refuse it."""
    scheme_path, data_path = _files(tmp_path, "en")
    why = "indicator 2: a form held back by this test"

    def refuse(self: Any, plan: Any) -> None:
        raise Unsupported(why)

    with mock.patch.object(program_module.ColumnProgram, "__init__", refuse):
        scheme = loads(scheme_path.read_text(encoding="utf-8"), format="toml")
        with pytest.raises(SchemeError) as caught:
            evaluate(scheme, list(load_units(data_path, scheme=scheme)))
        assert [p.message for p in caught.value.problems] == [
            f"the column program cannot score this form yet: {why}"
        ]
        assert plan_of(scheme).program_why == why
        out, err = io.StringIO(), io.StringIO()
        assert main(["validate", str(scheme_path)], out=out, err=err) == 1
        assert f"the column program cannot score this form yet: {why}" in err.getvalue()
        assert "ok:" not in out.getvalue()
        out, err = io.StringIO(), io.StringIO()
        assert main(["score", str(scheme_path), str(data_path), "--format", "csv"], out=out, err=err) != 0
        assert why in err.getvalue()


def test_a_unit_its_record_does_not_explain_keeps_its_total_and_says_why_it_has_no_trail(
    tmp_path, monkeypatch
):
    """The record's explanation held back for 乙 (as for an indicator's error its record does not
    say): its total, grade and rank stand, its indicators are not made up by other code, and its
    explanation says plainly that the trail is not available, and why."""
    _, data_path = _files(tmp_path)
    scheme = _scheme()
    units = list(load_units(data_path, scheme=scheme))

    def explain_unit(explainer: Any, record: Any, row: int) -> Any:
        found = original(explainer, record, row)
        return (None, FAILED) if record.units[row].name == "乙" else found

    original = model.explain_unit
    with mock.patch.object(model, "explain_unit", explain_unit):
        result = evaluate(scheme, units)
        second = result.unit("乙")
        assert (second.total, second.grade, second.rank) == (Decimal("84.5"), "良", 2)
        assert second.indicators == () and second.groups == ()
        assert second.trail_missing == FAILED
        text = second.explain()
        assert text.splitlines()[0] == "乙：总分 84.5，等次“良”，排名第 2 名"
        first = result.unit("甲")
        assert first.trail_missing is None and len(first.indicators) == 2

    assert f"  ※ 逐项计算过程无法给出（总分等次照常）：{FAILED}" in text.splitlines()
    assert evaluate(scheme, units, explained=False).unit("乙").trail_missing is None
