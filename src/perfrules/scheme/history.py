"""Values per unit that join its data: last year's results (``[history]``) and ``parameters``.

Last year's results as values rules read (``[history]``): 上年名次, 上年得分, 上年等次.

A scheme declares names (:class:`HistoryName`) and what of an earlier run's
result each one is: the unit's rank, rank within its category, total, grade or
one indicator's score. An earlier run is a :class:`PastResults` — read from a
results file ``perfrules score`` wrote (:func:`perfrules.read_results`) or made
from an :class:`~perfrules.Evaluation` — matched to this year's units by name.
:func:`history_values` gives one unit's values; scoring adds them to the unit's
data as it adds the scheme's per-unit ``parameters`` (the unit's own data
wins), so every way of scoring reads them the same way.

A unit the earlier run does not list gets the name's declared ``default``, or
no value at all: then whatever reads the name meets a missing input (an error
for the unit, a ``default`` policy, or ``not_applicable`` with ``missing``) —
never a silent 0.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Literal

import attrs

from .._errors import Problem
from .._frozen import FrozenDict
from .._numbers import Number, exact, to_number
from ..formula.language import normalize_name
from .fields import _name
from .units import Unit

__all__ = [
    "HISTORY_FIELDS",
    "HistoryName",
    "PastResults",
    "PastUnit",
    "check_history",
    "history_sources",
    "history_table",
    "history_values",
    "join_per_unit",
    "note_previous",
    "parameters_table",
    "previous_results",
    "previous_words",
    "shown_field",
]

HistoryField = Literal["rank", "category_rank", "total", "grade", "score"]
HISTORY_FIELDS: tuple[str, ...] = ("rank", "category_rank", "total", "grade", "score")

_SHOWN = {
    "rank": ("排名", "rank"),
    "category_rank": ("类别内排名", "rank in category"),
    "total": ("总分", "total"),
    "grade": ("等次", "grade"),
    "score": ("得分", "score"),
}


def shown_field(field: str, indicator: str | None, zh: bool) -> str:
    """A history field as an explanation names it: ``排名``, ``指标1得分``.

    >>> shown_field("score", "1", True), shown_field("rank", None, False)
    ('指标1得分', 'rank')
    """
    if field == "score":
        return f"指标{indicator}得分" if zh else f"indicator {indicator}'s score"
    return _SHOWN[field][0 if zh else 1]


def _optional_code(value: object) -> str | None:
    return None if value is None else normalize_name(str(value))


def _default(value: object) -> Number | str | None:
    if value is None or isinstance(value, str):
        return value
    return to_number(value, name="default")


@attrs.frozen(kw_only=True)
class HistoryName:
    """A name rules read from an earlier run's result of the same unit (``[history."上年名次"]``).

    Attributes:
        field: ``rank`` (排名), ``category_rank`` (类别内排名), ``total`` (总分),
            ``grade`` (等次, as text: a categorical scale or ``part`` reads it),
            or ``score`` (one indicator's score; give ``indicator``).
        indicator: the indicator's code in the earlier run, with ``score``.
        default: the value a unit the earlier run does not list takes (a
            number, or a grade's name); ``None``: such a unit has no value.

    >>> HistoryName(field="score", indicator="1").indicator
    '1'
    """

    field: HistoryField
    indicator: str | None = attrs.field(default=None, converter=_optional_code)
    default: Number | str | None = attrs.field(default=None, converter=_default)


def _scores(value: Mapping[str, Number]) -> Mapping[str, Number]:
    return FrozenDict({normalize_name(str(k)): v for k, v in value.items()})


@attrs.frozen(kw_only=True)
class PastUnit:
    """One unit's result in an earlier run.

    Attributes:
        rank: its overall rank (None when it was not ranked).
        category_rank: its rank within its category, when the run gave one.
        total: its total (None when it could not be scored).
        grade: its overall grade.
        category: its category.
        scores: each indicator's score by code.
    """

    rank: int | None = None
    category_rank: int | None = None
    total: Number | None = None
    grade: str | None = None
    category: str | None = None
    scores: Mapping[str, Number] = attrs.field(factory=FrozenDict, converter=_scores)

    def value(self, name: HistoryName) -> Number | str | None:
        """What *name* reads from this result (None when the result has no such value)."""
        if name.field == "score":
            return self.scores.get(name.indicator or "")
        found: Number | str | None = getattr(self, name.field)
        return found


def _names(value: Mapping[str, str]) -> Mapping[str, str]:
    return FrozenDict({str(k): str(v) for k, v in value.items()})


def _units(value: Mapping[str, PastUnit]) -> Mapping[str, PastUnit]:
    return FrozenDict({normalize_name(str(k)): v for k, v in value.items()})


@attrs.frozen(kw_only=True)
class PastResults:
    """An earlier run's results by unit name (last year's 排名, 总分, 等次, scores).

    Read one from a results file with :func:`perfrules.read_results`, or
    make one from an evaluation with :meth:`PastResults.of`.

    Attributes:
        units: each unit's result, by its name.
        source: where the results came from (a file name), for explanations.
        label: a short label for the run (``2024``); by default the file's stem.
        indicators: the indicators' names by code, where the results give them.
        language: ``zh`` or ``en``: the language of the run's scheme, where known.

    >>> past = PastResults(units={"甲县": PastUnit(rank=3, total=88)}, source="2024.csv")
    >>> past.units["甲县"].rank
    3
    """

    units: Mapping[str, PastUnit] = attrs.field(converter=_units)
    source: str = ""
    label: str = ""
    indicators: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=_names)
    language: str = "zh"

    @classmethod
    def of(cls, evaluation: object, *, source: str = "", label: str = "") -> PastResults:
        """The results of an :class:`~perfrules.Evaluation` (or any iterable of unit results).

        >>> from perfrules import evaluate, load, sample_units
        >>> ev = evaluate(load("shenzhen-2010-departments"), sample_units("shenzhen-2010-departments"))
        >>> PastResults.of(ev).units[ev.ranking()[0].unit].rank
        1
        """
        units: dict[str, PastUnit] = {}
        scheme = getattr(evaluation, "scheme", None)
        names = {i.code: i.name for i in scheme.indicators()} if scheme is not None else {}
        language = getattr(scheme, "language", "zh")
        for r in evaluation:  # type: ignore[attr-defined]
            scores = {i.code: i.score for i in r.indicators if i.score is not None}
            units[r.unit] = PastUnit(
                rank=r.rank,
                category_rank=r.category_rank,
                total=r.total,
                grade=r.grade,
                category=r.category,
                scores=scores,
            )
        return cls(units=units, source=source, label=label, indicators=names, language=language)


def history_values(
    history: Mapping[str, HistoryName], previous: PastResults, unit: str, zh: bool
) -> tuple[dict[str, Number | str], dict[str, str]]:
    """One unit's history values, and for each the explanation of where it came from.

    A name the earlier run gives no value for takes its ``default`` (said so
    in the explanation), or is left out.
    """
    values: dict[str, Number | str] = {}
    why: dict[str, str] = {}
    found = previous.units.get(unit)
    where = previous_words(previous, zh)
    for name, spec in history.items():
        field = shown_field(spec.field, spec.indicator, zh)
        got = None if found is None else found.value(spec)
        if got is not None:
            values[name] = got
            why[name] = (
                f"{name}={_text(got)}，取自{where}中本单位的{field}"
                if zh
                else f"{name}={_text(got)}, the unit's {field} in {where}"
            )
        elif spec.default is not None:
            values[name] = spec.default
            missing = "中没有本单位" if found is None else f"中没有本单位的{field}"
            why[name] = (
                f"{name}={_text(spec.default)}：{where}{missing}，按方案默认值"
                if zh
                else f"{name}={_text(spec.default)}: {where} has no {field} for the unit; "
                "the scheme's default"
            )
    return values, why


def previous_words(previous: PastResults, zh: bool) -> str:
    """How explanations name the earlier results: ``上年结果“2024.csv”``.

    >>> previous_words(PastResults(units={}, source="2024.csv"), True)
    '上年结果“2024.csv”'
    """
    if zh:
        return f"上年结果“{previous.source}”" if previous.source else "上年结果"
    return f"the previous results '{previous.source}'" if previous.source else "the previous results"


def _text(value: Number | str) -> str:
    return value if isinstance(value, str) else str(exact(value))


def parameters_table(value: object) -> Mapping[str, Mapping[str, Number]]:
    """``parameters``: per-unit constants by name — ``{"难度系数": {"甲县": 1.1, "乙县": 1.0}}``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"'parameters' must map each name to its values by unit (got {type(value).__name__})")
    out: dict[str, Mapping[str, Number]] = {}
    for name, by_unit in value.items():
        if not isinstance(by_unit, Mapping):
            raise TypeError(
                f"parameters.{name} must map unit names to numbers (got {type(by_unit).__name__})"
            )
        out[_name(name)] = FrozenDict(
            {str(unit).strip(): to_number(v, name=f"parameters.{name}.{unit}") for unit, v in by_unit.items()}
        )
    return FrozenDict(out)


def history_table(value: object) -> Mapping[str, HistoryName]:
    """``history``: names read from an earlier run's results — ``{"上年名次": HistoryName(field="rank")}``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"'history' must map each name to what it reads (got {type(value).__name__})")
    out: dict[str, HistoryName] = {}
    for name, spec in value.items():
        if isinstance(spec, Mapping):
            spec = HistoryName(**spec)
        if not isinstance(spec, HistoryName):
            raise TypeError(f"history.{name} must be a HistoryName (got {type(spec).__name__})")
        out[_name(name)] = spec
    return FrozenDict(out)


def previous_results(value: object) -> PastResults | None:
    """A scheme's ``previous``: PastResults or None."""
    if value is not None and not isinstance(value, PastResults):
        raise TypeError(f"'previous' must be PastResults (got {type(value).__name__})")
    return value


def join_per_unit(
    unit: Unit,
    parameters: Mapping[str, Mapping[str, Number]],
    history: Mapping[str, HistoryName],
    previous: PastResults | None,
    zh: bool,
) -> Unit:
    """The unit with its per-unit constants (``parameters``) and history values among its data.

    A value the unit's own data gives for the same name is kept (the data
    file overrides the scheme's table, or last year's results, for that
    unit). With neither the unit is returned as it is.
    """
    if not parameters and previous is None:
        return unit
    extra: dict[str, object] = {
        name: by_unit[unit.name]
        for name, by_unit in parameters.items()
        if unit.name in by_unit and unit.data.get(name) is None
    }
    if previous is not None:
        found, _ = history_values(history, previous, unit.name, zh)
        extra.update((k, v) for k, v in found.items() if unit.data.get(k) is None)
    return attrs.evolve(unit, data={**unit.data, **extra}) if extra else unit


def history_sources(
    history: Mapping[str, HistoryName], previous: PastResults | None, unit: Unit, zh: bool
) -> dict[str, str]:
    """Where each history value of *unit* (as given to scoring) comes from, for explanations.

    A name the unit's own data gives is the data's (no line: the data line
    shows it); the others come from *previous* or the name's declared default.
    """
    if previous is None:
        return {}
    _, why = history_values(history, previous, unit.name, zh)
    return {k: v for k, v in why.items() if unit.data.get(k) is None}


def check_history(
    history: Mapping[str, HistoryName], parameters: Mapping[str, object], reads: set[str]
) -> Iterator[Problem]:
    """Each ``history`` name is read, is not also a parameter, and names what it reads in full."""
    for name, spec in history.items():
        path = f"history.{name}"
        if spec.field not in HISTORY_FIELDS:
            options = ", ".join(repr(f) for f in HISTORY_FIELDS)
            yield Problem(f"{path}.field", f"unknown field {spec.field!r}; use one of {options}")
        elif spec.field == "score" and spec.indicator is None:
            yield Problem(
                f"{path}.indicator", '`field = "score"` needs the indicator\'s code (`indicator = "1"`)'
            )
        elif spec.field != "score" and spec.indicator is not None:
            yield Problem(
                f"{path}.indicator",
                f'only `field = "score"` reads an indicator (this name reads the {spec.field})',
            )
        if name in parameters:
            yield Problem(path, f"'{name}' is also a per-unit parameter; keep one")
        if spec.field == "grade" and spec.default is not None and not isinstance(spec.default, str):
            yield Problem(f"{path}.default", "a grade's default is a grade's name (`default = \"合格\"`)")
        if spec.field != "grade" and isinstance(spec.default, str):
            yield Problem(f"{path}.default", f"the {spec.field} is a number: give a number")
        if name not in reads:
            close = difflib.get_close_matches(name, sorted(reads), n=1, cutoff=0.4)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            yield Problem(path, f"no formula or condition reads '{name}'{hint}")


def note_previous(
    unit: Unit, history: Mapping[str, HistoryName], previous: PastResults | None, zh: bool, detail: bool
) -> tuple[Unit, dict[str, str]]:
    """The unit with a note when *previous* does not list it, and (with *detail*) its history sources."""
    if previous is None:
        return unit, {}
    if unit.name not in previous.units:
        # Said on the unit, whatever its rules make of it (a default, or a missing value).
        where = previous_words(previous, zh)
        said = f"{where}中没有本单位" if zh else f"{where} has no result for this unit"
        unit = attrs.evolve(unit, notes=(*unit.notes, Problem(unit.name, said)))
    else:
        # The unit's own data wins over last year's results; said where the two disagree.
        past, where = previous.units[unit.name], previous_words(previous, zh)
        overridden = []
        for name, wanted in history.items():
            given, earlier = unit.data.get(name), past.value(wanted)
            if given is not None and earlier is not None and given != earlier:
                shown = _text(to_number(given)) if isinstance(given, int | float) else str(given)
                overridden.append(
                    f"本单位数据中的{name}={shown}优先，不取{where}中的{_text(earlier)}"
                    if zh
                    else f"the unit's data gives {name}={shown}, not {_text(earlier)} from {where}"
                )
        if overridden:
            notes = (Problem(unit.name, said) for said in overridden)
            unit = attrs.evolve(unit, notes=(*unit.notes, *notes))
    return unit, history_sources(history, previous, unit, zh) if detail else {}
