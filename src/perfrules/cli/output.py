"""How the commands write results: colours, progress bars, the ranking table, CSV, JSON and JSON Lines."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TextIO

from .._numbers import Number, json_value
from .._writers import Figure, csv_lines, json_members, json_text
from ..pipeline.parallel import Totals
from ..pipeline.stream import SPILLED, StreamedRun
from ..results.display import (
    format_table,
    marked,
    number,
    stand_in_legend,
    unit_records,
)
from ..results.model import Evaluation, unit_result
from ..results.periodcols import period_heads, period_labels, period_values
from ..scheme.model import Scheme
from ..scheme.units import PeriodTotal
from .i18n import N_, _

_PROGRESS_FROM = 20  # units; fewer finish before a bar is worth drawing


def _colour(stream: TextIO) -> bool:
    # no-color.org: NO_COLOR set to a non-empty value turns colour off; an empty value does not.
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


_ANSI = {0: "32", 1: "36", 2: "33", 3: "31"}


def _paint(text: str, grade: str | None, grades: Sequence[str], on: bool) -> str:
    if not on or grade is None or grade not in grades:
        return text
    index = round(grades.index(grade) * 3 / max(len(grades) - 1, 1))
    return f"\033[{_ANSI.get(index, '0')}m{text}\033[0m"


class _Progress:
    """A progress bar on stderr with the rate and the time left (tqdm), only in a terminal and for long runs.

    Called as ``progress(done, total, unit_name)`` by evaluate and sensitivity;
    the bar closes itself when ``done`` reaches ``total``.
    """

    def __init__(self, total: int, stream: TextIO, *, what: str = N_("units")) -> None:
        self.bar: Any = None
        if stream.isatty() and total >= _PROGRESS_FROM:
            self.bar = _bar(stream, total, what)

    def __call__(self, done: int, total: int, unit: str) -> None:
        if self.bar is None:
            return
        self.bar.set_postfix_str(unit[:12], refresh=False)
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()
            self.bar = None


def _bar(stream: TextIO, total: int | None, what: str) -> Any:
    from tqdm import tqdm  # imported only when a bar is drawn: the command line starts faster

    return tqdm(
        total=total,
        file=stream,
        unit=f" {_(what)}",
        leave=False,
        dynamic_ncols=True,
        mininterval=0.2,
        ascii=os.environ.get("TERM") == "dumb",
    )


# rank, unit, category, total, grade, ok, category rank, flags, level, each period's total and grade
_Ranked = tuple[
    int | None,
    str,
    str | None,
    Number | None,
    str | None,
    bool,
    int | None,
    tuple[str, ...],
    int,
    tuple[PeriodTotal, ...],
]


def _flag_cells(scheme: Scheme, flags: Sequence[str]) -> list[str]:
    """The 标记 cell beside the grade (不能评先、黄牌) — only for schemes that have flags."""
    return ["、".join(flags)] if scheme.flags else []


def _level_cells(scheme: Scheme, level: int) -> list[str]:
    """The 层级 cell (0: scored from its data, 1: a parent of such units …) — only with [roll_up]."""
    return [str(level)] if scheme.roll_up is not None else []


def _ranking_table(evaluation: Evaluation | Totals, colour: bool, source: str = "") -> str:
    rows = [
        (
            r.rank,
            r.unit,
            r.category,
            r.total,
            r.grade,
            r.ok,
            r.category_rank,
            r.flags,
            getattr(r, "level", 0),
            getattr(r, "periods", ()),
        )
        for r in evaluation.ranking()
    ]
    labels = period_labels(getattr(r, "periods", ()) for r in evaluation.results)
    return _table_of(evaluation.scheme, rows, colour, source, labels)


def _by_category(scheme: Scheme, ranked: Sequence[_Ranked]) -> list[_Ranked]:
    """分类评估: units grouped by category (in the scheme's order), each group by its own ranks."""
    order = {c: k for k, c in enumerate(scheme.categories)}

    def key(row: _Ranked) -> tuple[int, str, int, int]:
        category, own = row[2], row[6]
        return (order.get(category or "", len(order)), category or "", own is None, own or 0)

    return sorted(ranked, key=key)


def _result_heads(scheme: Scheme) -> list[str]:
    """rank, unit, category, total, grade — the total and grade marked ※ when they rest on stand-ins."""
    zh = scheme.language == "zh"
    heads = ["排名", "单位", "类别", "总分", "等次"] if zh else ["rank", "unit", "category", "total", "grade"]
    rules = bool(scheme.stand_in or scheme.stand_ins or any(i.stand_in for i in scheme.indicators()))
    heads[3] = marked(heads[3], rules)
    heads[4] = marked(heads[4], bool(scheme.stand_in))
    if scheme.rank_within == "category":
        heads[0] = "类别内排名" if zh else "rank in category"
    if scheme.flags:
        heads.append("标记" if zh else "flags")
    if scheme.roll_up is not None:
        heads.append("层级" if zh else "level")
    return heads


def _period_cells(periods: Sequence[PeriodTotal], labels: Sequence[str], shown: Any) -> list[Any]:
    """A unit's cells under the period columns (results.periodcols), totals written by *shown*."""
    cells = period_values(periods, labels)
    return [shown(c) if k % 2 == 0 else c for k, c in enumerate(cells)]


def _table_of(
    scheme: Scheme, ranked: Sequence[_Ranked], colour: bool, source: str = "", labels: Sequence[str] = ()
) -> str:
    """The ranking table; *labels*: the periods whose totals and grades it shows (period_grades)."""
    zh = scheme.language == "zh"
    grades = list(scheme.grades)
    headers = _result_heads(scheme) + period_heads(labels, zh=zh)
    within = scheme.rank_within == "category"
    if within:
        ranked = _by_category(scheme, ranked)
        headers.append("总排名" if zh else "overall rank")
    rows = []
    for rank, unit, category, total, grade, ok, own, flags, level, periods in ranked:
        shown = grade or ("—" if ok else ("未计分" if zh else "not scored"))
        row = [str((own if within else rank) or "—"), unit, category or "", number(total), shown]
        row += _flag_cells(scheme, flags) + _level_cells(scheme, level)
        row += [c or "" for c in _period_cells(periods, labels, lambda t: "" if t is None else number(t))]
        rows.append([*row, str(rank or "—")] if within else row)
    aligns = ["right", "left", "left", "right", "left", *(["left"] if scheme.flags else [])]
    aligns += ["right"] if scheme.roll_up is not None else []
    aligns += ["right", "left"] * len(labels)
    aligns += ["right"] if within else []
    table = format_table(headers, rows, aligns)
    if colour:
        lines = table.splitlines()
        for i, entry in enumerate(ranked):
            lines[i + 2] = _paint(lines[i + 2], entry[4], grades, True)
        table = "\n".join(lines)
    legend = stand_in_legend(scheme, source or None)
    return f"{table}\n\n{legend}" if legend else table


_HEAD_ZH = ["排名", "单位", "类别", "总分", "等次"]


_HEAD_EN = ["rank", "unit", "category", "total", "grade"]


class _StreamProgress:
    """Units scored so far and the rate (tqdm), on one line of stderr, only in a terminal.

    A stream's length is not known in advance, so the bar counts and shows
    units per second rather than the time left.
    """

    def __init__(self, stream: TextIO) -> None:
        self.bar: Any = _bar(stream, None, N_("units")) if stream.isatty() else None

    def __call__(self, done: int, unit: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(unit[:12], refresh=False)
            self.bar.update(done - self.bar.n)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _not_scored(count: int, names: str = "") -> str:
    """The closing line on stderr when units could not be scored."""
    if names:
        text = _("perfrules: {count} unit(s) could not be scored: {names}")
    else:
        text = _("perfrules: {count} unit(s) could not be scored")
    return text.format(count=count, names=names) + "\n"


def _error_lines(evaluation: Evaluation | Totals) -> list[str]:
    return [f"  {e}" for e in evaluation.errors]


def _json_chunks(evaluation: Evaluation) -> Iterator[str]:
    """``json.dumps(records(evaluation), indent=2)``, written one unit at a time (never one huge string)."""
    # Explained one unit at a time and let go: memory stays that of the totals.
    texts = (json_text(unit_records(result._explained_once()), indent=2) for result in evaluation.ranking())
    return _json_document(evaluation.scheme.name, texts)


def _json_document(scheme_name: str, records: Iterable[str]) -> Iterator[str]:
    """The JSON document of score's output, ``{"scheme": …, "units": [records]}`` as
    ``json.dumps(…, indent=2)`` writes it, from each unit's record as that writes it alone."""
    name = json.dumps(scheme_name, ensure_ascii=False)
    yield f'{{\n  "scheme": {name},\n  "units": ['
    first = True
    for text in records:
        # JSON text holds no raw line breaks inside strings, so lines can be indented one by one.
        yield ("\n" if first else ",\n") + "\n".join("    " + line for line in text.split("\n"))
        first = False
    yield "]\n}" if first else "\n  ]\n}"


def _streamed_records(scheme: Scheme, run: StreamedRun) -> Iterator[str]:
    """Each unit's JSON record, in ranking order, as ``json.dumps(unit_records(…), indent=2)`` writes it.

    The members that need the unit's explanation were written when it was
    scored (see ``perfrules.pipeline.stream.SPILLED``); the others — rank, category
    rank, grade and events, which quotas and ranking settle only at the end —
    are written now, from the unit's compact outcome, by the same
    ``unit_records``.
    """
    for outcome, spilled in run.explained():
        head = unit_records(unit_result(scheme, outcome))
        members = [
            spilled if key == SPILLED[0] else member
            for key, member in zip(head, json_members(head), strict=True)
            if key == SPILLED[0] or key not in SPILLED
        ]
        yield "{\n" + ",\n".join(members) + "\n}"


def _json_cell(text: str) -> int | float | Decimal | None:
    """A number cell of CSV output as JSON writes numbers (as ``--format json`` does)."""
    if not text:
        return None
    return json_value(Decimal(text))


def _jsonl_line(
    rank: int | None,
    unit: str,
    category: str | None,
    total: str,
    grade: str | None,
    scores: Iterable[tuple[str, str]],
    errors: Iterable[object],
    flags: Sequence[str] | None = None,
    periods: Sequence[PeriodTotal] | None = None,
) -> str:
    """One unit of ``--format jsonl``: what a CSV row holds, as one JSON object on one line.

    *periods* (a scheme with ``period_grades``): each period's total and grade, as ``periods``.
    """
    record: dict[str, object] = {
        "rank": rank,
        "unit": unit,
        "category": category,
        "total": _json_cell(total),
        "grade": grade,
        **({"flags": list(flags)} if flags is not None else {}),
        **(
            {
                "periods": [
                    {"period": p.period, "total": _json_cell(number(p.total, 6)), "grade": p.grade}
                    for p in periods
                ]
            }
            if periods is not None
            else {}
        ),
        "scores": {code: _json_cell(text) for code, text in scores},
        "errors": [str(e) for e in errors],
    }
    return json_text(record) + "\n"


def _figure(value: Number | None) -> Figure | None:
    return None if value is None else Figure(number(value, 6))


def _csv_legend(scheme: Scheme, source: str, err: TextIO) -> None:
    """A CSV has no room for a legend: what ※ in its header marks goes to stderr, as a note."""
    legend = stand_in_legend(scheme, source)
    if legend:
        err.write(_("note: {text}").format(text=legend) + "\n")


def _csv_head(scheme: Scheme, labels: Sequence[str] = ()) -> list[str]:
    """The CSV header: the result columns, each period's total and grade (*labels*: period_grades),
    each indicator (※ when its rule is a stand-in), errors.

    The ranks are the overall ones; a scheme ranked within category keeps them
    (the 类别 column sorts the rows into categories in a spreadsheet).
    """
    zh = scheme.language == "zh"
    heads = _result_heads(scheme)
    heads[0] = "排名" if zh else "rank"
    return [
        *heads,
        *period_heads(labels, zh=zh),
        *(marked(f"{i.code} {i.name}", bool(i.stand_in)) for i in scheme.indicators()),
        "错误" if zh else "errors",
    ]


def _csv_text(evaluation: Evaluation | Totals) -> str:
    """Score's CSV output (text escaped by csv_lines, numbers as they are)."""
    return "".join(_csv_lines(evaluation))


def _csv_lines(evaluation: Evaluation | Totals) -> Iterator[str]:
    """The CSV lines of score's output, one at a time."""
    indicators = evaluation.scheme.indicators()
    labels = period_labels(getattr(r, "periods", ()) for r in evaluation.results)
    yield from csv_lines([_csv_head(evaluation.scheme, labels)])
    for r in evaluation.ranking():
        scores = {i.code: i.score for i in r.indicators}
        yield from csv_lines(
            [
                [
                    r.rank,
                    r.unit,
                    r.category,
                    _figure(r.total),
                    r.grade,
                    *_flag_cells(evaluation.scheme, r.flags),
                    *_level_cells(evaluation.scheme, getattr(r, "level", 0)),
                    *_period_cells(getattr(r, "periods", ()), labels, _figure),
                    *(
                        None if scores.get(i.code) is None else Figure(number(scores[i.code], 6))
                        for i in indicators
                    ),
                    "; ".join(str(e) for e in r.errors),
                ]
            ]
        )
