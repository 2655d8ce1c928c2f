"""One indicator's rules as the explainer reads the record: compiled as the column program compiles them.

:class:`Form` is what :mod:`~perfrules.scoring.colexplain` explains each indicator by: its steps, score
formula, zero rules and default conditions compiled over the record's columns (population calls read
as the batch's columns, ``分值`` per category, the columns of words it reads as numbers read so, as
:mod:`~perfrules.scoring.colwordnums` reads them), and what it keeps of its grading.
"""

from __future__ import annotations

from typing import Any

from .._numbers import as_fraction
from ..grading.scale import GradeResult
from ..scheme.reads import FULL_NAME
from .colblank import as_numbers
from .colconds import compile_condition
from .colnodes import Unsupported as _Unsupported
from .colnodes import compile_node as _compile
from .colparts import compile_steps
from .colpoints import full_column
from .colsteps import DIVISIONS, population_names
from .colzero import ZERO_TRAIL
from .compiled import Scored
from .indicator import IndicatorPlan

__all__ = ["Form"]


class Form:
    """How one indicator's outcome is built from the record: its steps, score formula and default
    conditions compiled as the program compiles them (population calls read as the batch's columns)."""

    __slots__ = (
        "calls",
        "code",
        "defaults",
        "direct",
        "fulls",
        "grades",
        "mapping",
        "numbers",
        "run_steps",
        "score_fn",
        "shared",
        "zeros",
    )

    def __init__(
        self, ind: IndicatorPlan, categories: tuple[str, ...] | None, numbers: frozenset[str] = frozenset()
    ) -> None:
        if ind.ind.scale is None and ind.ind.score is None:  # (no form the record explains yet)
            raise _Unsupported(f"indicator {ind.code}: no score formula and no scale")
        code = self.code = ind.code
        self.numbers = numbers  # the columns of words it reads as numbers, as the program does (colwordnums)

        def with_population(node: Any) -> Any:
            return _compile(population_names(node, code)[0])

        self.run_steps: Any = _no_steps
        self.score_fn: Any = None
        self.defaults: list[tuple[Any, Any]] = []
        self.grades: dict[tuple[str, str], GradeResult] = {}
        self.direct: dict[tuple[Any, ...], Scored] = {}  # a score of one data column, per distinct cell
        self.shared: set[int] = set()  # the ids of those (the explainer's set)
        self.mapping = dict(ind.ind.inputs)
        self.fulls = [as_fraction(ind.full(c)) for c in (categories or (None,))]
        self.calls = tuple(call.key for call in ind.population_calls)
        self.zeros: list[Any] = []
        try:
            if ind.steps:
                self.run_steps = compile_steps(ind, with_population, _Unsupported, full_points=True)[0]
            if ind.ind.score is not None:
                self.score_fn = with_population(ind.ind.score.tree)
            # The zero rules on the indicator, worked out on the scope after the steps.
            rules = ind.zero_indicator
            self.zeros = [compile_condition(r.when.tree, with_population, _Unsupported) for r in rules]
            for policy in ind.defaults_when:
                assert policy.when is not None
                condition = compile_condition(policy.when.tree, with_population, _Unsupported)
                self.defaults.append((policy, condition))
        except _Unsupported as exc:
            raise _Unsupported(f"indicator {ind.code}: {exc}") from None

    def prepared(self, cols: dict[str, Any], n: int) -> dict[str, Any]:
        """The columns the indicator reads: its local names bound to their data columns, and 分值."""
        scope = dict(cols)
        for name in self.numbers:  # (as colwordnums.reading reads them: where the columns hold them)
            if name in cols:
                scope[name] = as_numbers(cols[name])[0]
        for local, field in self.mapping.items():
            if field in cols:
                scope[local] = cols[field]
        scope[FULL_NAME] = full_column(self.fulls, cols, n)
        scope[ZERO_TRAIL] = {}  # each step's value before its zero rules, and where each held (colzero)
        scope[DIVISIONS] = []  # each division by a column in order, and where its divisor is 0 (colnodes)
        return scope

    def scope(self, cols: dict[str, Any], n: int) -> dict[str, Any]:
        """The columns after the indicator's steps."""
        return self.run_steps(self.prepared(cols, n), n)  # type: ignore[no-any-return]


def _no_steps(cols: dict[str, Any], n: int) -> dict[str, Any]:
    return cols
