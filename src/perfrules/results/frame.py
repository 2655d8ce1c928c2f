"""Results as pandas DataFrames (the ``pandas`` extra); pandas is imported only when asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._numbers import Number, round_half_up

if TYPE_CHECKING:
    from .model import Evaluation, IndicatorResult, UnitResult

__all__ = ["evaluation_frame", "indicators_frame", "unit_frame"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("this needs pandas: pip install 'perfrules[pandas]'") from None
    return pandas


def _float(value: Number | None) -> float | None:
    """Exact numbers as floats for DataFrames (rounded half up to 6 places first)."""
    if value is None:
        return None
    return float(round_half_up(value, 6))


def _indicator_row(result: IndicatorResult) -> dict[str, object]:
    return {
        "code": result.code,
        "indicator": result.name,
        "applicable": result.applicable,
        "grade": result.grade,
        "score": _float(result.score),
        "full": _float(result.full),
        "weight": _float(result.weight),
        "contribution": _float(result.contribution),
        "stand_in": result.stand_in or None,
    }


def unit_frame(result: UnitResult) -> Any:
    """One unit's indicators, one row each, indexed by code."""
    return _pandas().DataFrame([_indicator_row(i) for i in result.indicators]).set_index("code")


def evaluation_frame(evaluation: Evaluation) -> Any:
    """One row per unit (rank, category rank, total, grade, errors, stand-in), in ranking order.

    Ranks are pandas' nullable ``Int64`` (``<NA>`` for a unit not ranked: not
    scored, or no categories), never floats.
    """
    heads = ["unit", "category", "rank", "category_rank", "total", "grade", "errors", "stand_in"]
    if evaluation.scheme.roll_up is not None:
        heads.append("level")
    rows = [
        {
            "unit": r.unit,
            "category": r.category,
            "rank": r.rank,
            "category_rank": r.category_rank,
            "total": _float(r.total),
            "grade": r.grade,
            "errors": "; ".join(str(e) for e in r.errors),
            # The overall grade's stand-in (None when the grading is published).
            "stand_in": r.stand_in or None,
            # With [roll_up]: 0 for a unit scored from its data, 1 for a parent of such units …
            **({"level": r.level} if evaluation.scheme.roll_up is not None else {}),
        }
        for r in evaluation.ranking()
    ]
    frame = _pandas().DataFrame(rows, columns=heads)
    frame = frame.astype({"rank": "Int64", "category_rank": "Int64", "total": "float64"})
    return frame.set_index("unit")


def indicators_frame(evaluation: Evaluation) -> Any:
    """One row per unit and indicator (long form)."""
    return _pandas().DataFrame(
        [{"unit": r.unit, **_indicator_row(i)} for r in evaluation.results for i in r.indicators]
    )
