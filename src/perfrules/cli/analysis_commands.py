"""The commands that analyse a scheme's results: ``whatif`` and ``sensitivity`` (with its chart).

Imported, with the library, only when one of them runs (see ``perfrules.cli.main``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .._writers import csv_lines, json_text
from ..analysis.sensitivity import Sensitivity, sensitivity
from ..analysis.whatif import WhatIf, whatif
from ..results.display import (
    format_table,
    json_number,
    marked,
    number,
    stand_in_legend,
)
from ..results.model import UnitResult, evaluate
from ..scheme.model import Scheme
from .base import EXIT_OK, EXIT_PROBLEMS, UsageError, emit
from .history import load_scheme as _scheme
from .i18n import _
from .output import _error_lines, _not_scored, _Progress
from .reading import _one_unit, _units


def _cmd_whatif(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scheme = _scheme(args.scheme, args.previous)
    units = _units(scheme, args.data, args.scheme, args.category, err, args.sheet)
    evaluation = evaluate(scheme, units)
    name = _one_unit(evaluation, args.unit)
    current = evaluation.unit(name)
    if not current.ok:
        err.write(
            _("perfrules: error: {message}").format(
                message=_("'{name}' cannot be scored, so there is nothing to improve from").format(name=name)
            )
            + "\n"
        )
        for line in _error_lines(evaluation):
            err.write(line + "\n")
        return EXIT_PROBLEMS
    options = whatif(scheme, units, name)
    if args.format == "json":
        emit(
            json_text(_whatif_record(current, options), indent=2) + "\n",
            args.output,
            out,
        )
        return EXIT_OK
    emit(_whatif_text(scheme, args.scheme, current, options), args.output, out)
    return EXIT_OK


def _whatif_record(current: UnitResult, options: Sequence[WhatIf]) -> dict[str, object]:
    """whatif's findings as plain data (``--format json``), numbers as score's JSON writes them."""
    stand_ins = {i.code for i in current.indicators if i.stand_in}
    return {
        "unit": current.unit,
        "total": json_number(current.total),
        "grade": current.grade,
        "stand_in": current.stand_in or None,
        "options": [
            {
                "indicator": w.indicator,
                "name": w.name,
                "grade": w.grade,
                "target": w.target,
                "field": w.field,
                "current": json_number(w.current),
                "needed": json_number(w.needed),
                "change": json_number(w.change),
                "score": json_number(w.score),
                "total": json_number(w.total),
                "total_change": json_number(w.total_change),
                "stand_in": w.indicator in stand_ins,
            }
            for w in options
        ],
    }


def _whatif_text(scheme: Scheme, source: str, current: UnitResult, options: Sequence[WhatIf]) -> str:
    """whatif's findings as a heading and a table."""
    name = current.unit
    zh = scheme.language == "zh"
    lines: list[str] = []
    if current.grade is None:
        lines.append(
            f"{name}：总分 {number(current.total)}" if zh else f"{name}: total {number(current.total)}"
        )
    else:
        grade = marked(f"等次“{current.grade}”" if zh else f"grade {current.grade}", bool(current.stand_in))
        lines.append(
            f"{name}：总分 {number(current.total)}，{grade}"
            if zh
            else f"{name}: total {number(current.total)}, {grade}"
        )
    if not options:
        lines.append(
            "没有可以通过单项数据提升等次的指标。"
            if zh
            else "No single input change moves an indicator up a grade."
        )
        return "\n".join(lines) + "\n"
    headers = (
        ["指标", "等次", "数据项", "现值", "需达到", "变化", "总分变化"]
        if zh
        else ["indicator", "grade", "input", "now", "needed", "change", "total change"]
    )
    stand_ins = {i.code for i in current.indicators if i.stand_in}
    rows = [
        [
            marked(f"{w.indicator} {w.name}", w.indicator in stand_ins),
            f"{w.grade}→{w.target}",
            w.field,
            number(w.current, 4),
            number(w.needed, 4),
            ("+" if w.change > 0 else "") + number(w.change, 4),
            "—"
            if w.total_change is None
            else ("+" if w.total_change > 0 else "") + number(w.total_change, 4),
        ]
        for w in options
    ]
    lines.append(format_table(headers, rows, ["left", "left", "left", "right", "right", "right", "right"]))
    legend = stand_in_legend(scheme, source)
    if legend:
        lines.extend(["", legend])
    return "\n".join(lines) + "\n"


def _sensitivity_csv(result: Sensitivity) -> Iterator[str]:
    """The CSV lines of sensitivity's output, written as score's are (text escaped, numbers as they are)."""
    head = ["rank", "unit", "category", "rank_low", "rank_high", "rank_median", *result.grade_names]
    graded = ["grade_changes", "grade_best", "grade_worst"] if result.grade_names else []
    driver = ["driver"] if result.inputs else []  # with --indices: the input that moves the rank most
    rows: list[Sequence[object]] = [head + graded + driver]
    rows += (
        [
            record["rank"],
            record["unit"],
            record["category"],
            record["rank_low"],
            record["rank_high"],
            record["rank_median"],
            *(record["grades"].get(g) for g in result.grade_names),
            *(record[key] for key in graded),
            *([record.get("driver")] if driver else []),
        ]
        for record in result.to_records()["units"]
    )
    return csv_lines(rows)


_CHART_SUFFIXES = (".png", ".svg", ".pdf")


def _spread_option(text: str, option: str, hint: str) -> Decimal:
    try:
        spread = Decimal(text)
    except ArithmeticError:
        spread = Decimal("NaN")
    if not spread.is_finite() or not 0 <= spread < 1:
        raise UsageError(
            _("{option} must be a number from 0 up to (not including) 1 (got {value})").format(
                option=option, value=text
            ),
            hint,
        )
    return spread


_SENSITIVITY_OPTIONS = (
    ("vary_policies", "--vary-policy"),
    ("vary_aggregate", "--vary-aggregate"),
    ("boundary_shift", "--boundary-shift"),
    ("boundary_scales", "--boundary-scales"),
)
"""The API's names at the start of sensitivity's errors, and the options they are on the command line."""


_SPREAD_OPTIONS = (
    ("weight_spread", "--weight-spread"),
    ("group_spread", "--group-spread"),
    ("vary_default_score", "--vary-default-score"),
)


def _shift_option(text: str) -> Decimal:
    try:
        shift = Decimal(text)
    except ArithmeticError:
        shift = Decimal("NaN")
    if not shift.is_finite() or shift < 0:
        raise UsageError(
            _("--boundary-shift must be a number, 0 or more (got {value})").format(value=text),
            _("2 moves each scale's boundaries by up to 2 of its units (分, or percentage points)"),
        )
    return shift


def _names(text: str) -> list[str]:
    """The names in a comma-separated list (full-width commas too)."""
    return [name.strip() for name in text.replace("，", ",").split(",") if name.strip()]


def _cmd_sensitivity(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.runs < 1:
        raise UsageError(_("--runs must be at least 1 (got {runs})").format(runs=args.runs))
    spread = _spread_option(
        args.weight_spread, "--weight-spread", _("0.2 scales each weight by a factor between 0.8 and 1.2")
    )
    group = _spread_option(
        args.group_spread,
        "--group-spread",
        _("0.2 scales each top-level group by a factor between 0.8 and 1.2"),
    )
    shift = _shift_option(args.boundary_shift)
    boundary_scales = _names(args.boundary_scales)
    aggregates: bool | list[str] = (
        False
        if args.vary_aggregate is None
        else True
        if args.vary_aggregate.strip() == "all"
        else _names(args.vary_aggregate)
    )
    chart = args.output is not None and Path(args.output).suffix.lower() in _CHART_SUFFIXES
    try:  # the optional packages are checked before anything is scored
        if chart:
            from .. import plot

            plot._pyplot()
        if args.indices:
            from ..analysis.sensitivity_runs import salib

            salib()
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    scheme = _scheme(args.scheme)
    units = _units(scheme, args.data, args.scheme, args.category, err, args.sheet)
    try:
        result = sensitivity(
            scheme,
            units,
            runs=args.runs,
            seed=args.seed,
            weight_spread=spread,
            group_spread=group,
            vary_default_score=args.vary_default_score,
            boundary_shift=shift,
            boundary_scales=boundary_scales,
            vary_policies=args.vary_policy or (),
            vary_aggregate=aggregates,
            indices=args.indices,
            jobs=args.jobs,
            progress=_runs_progress(err),
        )
    except KeyError as exc:  # a code in --boundary-scales that names no indicator
        raise UsageError(f"--boundary-scales: {exc.args[0]}") from None
    except ValueError as exc:
        message = str(exc)
        if message.startswith(tuple(word for word, _ in _SENSITIVITY_OPTIONS)):
            for word, option in _SENSITIVITY_OPTIONS:
                message = message.replace(word, option)
            raise UsageError(message) from None
        if "vary_default_score=True needs" in str(exc):
            raise UsageError(str(exc).replace("vary_default_score=True", "--vary-default-score")) from None
        if "indices=True needs" in str(exc):
            message = str(exc).replace("indices=True", "--indices")
            for word, option in (*_SENSITIVITY_OPTIONS, *_SPREAD_OPTIONS):
                message = message.replace(word, option)
            raise UsageError(
                message,
                _("give --weight-spread or --group-spread a value above 0"),
            ) from None
        raise
    output = None if chart else args.output
    if chart:
        _write_chart(result, Path(args.output))
    failed = [u.unit for u in result.units if not u.scored]
    if args.format == "json":
        emit(json_text(result.to_records(), indent=2), output, out)
    elif args.format == "csv":
        emit(_sensitivity_csv(result), output, out, bom=True)
    else:
        zh = scheme.language == "zh"
        bounds = f"[{1 - spread}, {1 + spread}]"
        head = (
            f"{result.runs} 次随机权重（各权重 ×{bounds}，种子 {result.seed}）"
            if zh
            else f"{result.runs} runs, each weight ×{bounds}, seed {result.seed}"
        )
        if group:
            groups = f"[{1 - group}, {1 + group}]"
            head += f"，各一级指标组 ×{groups}" if zh else f", each top-level group ×{groups}"
        if result.vary_default_score:
            head += "，无数据默认分取下限/中值/上限" if zh else ", no-data defaults bottom/midpoint/top"
        if result.boundary_scales:
            head += (
                f"，{len(result.boundary_scales)} 个评分标准的等次界限 ±{result.boundary_shift}"
                if zh
                else f", the band boundaries of {len(result.boundary_scales)} scales ±{result.boundary_shift}"
            )
        others = [name for name in result.alternatives if name != "policy:default-score"]
        if others:
            head += ("，" if zh else ", ") + ", ".join(
                f"{name} ({'/'.join(result.alternatives[name])})" for name in others
            )
        head = f"{scheme.name}\n{head}\n"
        legend = stand_in_legend(scheme, args.scheme)
        indices = f"\n\n{result.indices_table()}" if result.inputs else ""
        emit(head + "\n" + result.table() + indices + (f"\n\n{legend}" if legend else ""), output, out)
    if failed:
        err.write(_not_scored(len(failed), ", ".join(failed)))
        return EXIT_PROBLEMS
    return EXIT_OK


def _runs_progress(err: TextIO) -> Callable[[int, int, str], None]:
    """A progress bar for sensitivity's runs, sized by the first report (the design may add runs)."""
    bars: list[_Progress] = []

    def progress(done: int, total: int, label: str) -> None:
        if not bars:
            bars.append(_Progress(total, err, what="runs"))
        bars[0](done, total, label)

    return progress


def _write_chart(result: Sensitivity, target: Path) -> None:
    """The rank-interval chart (perfrules.plot.rank_intervals); *target* is replaced only when complete."""
    from .. import plot
    from .._writers import replace_atomically

    pyplot = plot._pyplot()
    ax = plot.rank_intervals(result)
    figure: Any = ax.figure
    kind = target.suffix[1:].lower()
    try:
        replace_atomically(
            target, lambda temp: figure.savefig(temp, format=kind, dpi=150, bbox_inches="tight")
        )
    finally:
        pyplot.close(figure)
