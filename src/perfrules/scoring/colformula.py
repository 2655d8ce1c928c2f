"""A total formula (``total_formula``) over a batch: what it reads as columns, its value per distinct input.

A scheme may give its total as a formula over group subtotals, indicator
scores and data (``总得分=重大改革得分×0.6+工作创新得分×0.4``). The per-unit
program works it out with :func:`~perfrules.scoring.overall.formula_total` on
the unit's scope (:func:`~perfrules.scoring.overall.overall_scope`): a
group's 得分 is what its applicable indicators contributed (weights moved
within the group; absent only where none applies) and its 得分率 that over
the group's weight; an
indicator's 得分 is its score and its 得分率 that over its full points.

:class:`TotalFormula` makes each name the formula reads a column of exact
values over the batch — a group's subtotal is the dot product of its
indicators' score columns with the weights of the unit's pattern of applicable
indicators (:func:`~perfrules.scoring.coldot.weighted_sums`), exactly as the
weighted total is — and then runs ``formula_total`` itself once per DISTINCT
tuple of those values: the total and its note are the per-unit program's.
A unit where a name is missing or not worked out here (an indicator that
does not apply, a group none of whose members applies — but a group that takes
a mean, whose code gives it a subtotal all the same —, a cell that is not a
plain number) or where the formula fails is left to the per-unit program's
code for its total's error (:mod:`~perfrules.scoring.coltotalerrors`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from .._errors import PerfrulesError
from .._intcols import IntColumn, numpy
from .._numbers import as_fraction, check_fraction, exact
from ..scheme.units import PolicyEvent
from .coldot import weighted_sums
from .colindgrades import grade_values, graded_indicators
from .coltruth import Held, TruthColumn, held
from .overall import formula_total
from .plan import Plan, score_names

__all__ = ["TotalFormula"]

# What a name the formula reads is: ("data", column), ("group", leaves, rate, name), ("ind", position, rate).
_Source = tuple[Any, ...]


class TotalFormula:
    """The scheme's total formula, compiled for columns (see the module's docstring)."""

    def __init__(self, plan: Plan, unsupported: type[Exception], text_reads: Sequence[str] = ()) -> None:
        scheme = plan.scheme
        formula = scheme.total_formula
        assert formula is not None
        computed: dict[str, _Source] = {}
        for name, group, leaves, rate in score_names(plan):
            if group is not None:
                computed[name] = ("group", group.leaves, rate, group.name)
            else:
                computed[name] = ("ind", leaves[0], rate)
        names = scheme.overall_names()
        self.plan = plan
        self.sources: dict[str, _Source] = {}
        for name in sorted(formula.variables):
            if name in computed:
                self.sources[name] = computed[name]
            elif name.endswith("等次") or (name.startswith("评为") and name.endswith("的指标数")):
                self.sources[name] = ("grade", name)  # indicators' grades (colindgrades)
            else:
                # (The rest of the names overall grading reads is 总分, which the scheme's checks
                # refuse in the formula that gives it.)
                assert name not in names, name
                self.sources[name] = ("data", name)
        self.reads = frozenset(s[1] for s in self.sources.values() if s[0] == "data")
        grades = {s[1] for s in self.sources.values() if s[0] == "grade"}
        # (indicators reading population values or other results too: given the program's columns)
        self.graded = graded_indicators(plan, grades, text_reads, unsupported, True) if grades else None

    def apply(
        self,
        num: Any,
        den: Any,
        ok: Any,
        columns: Mapping[str, tuple[Any, Any]],
        cat: Any,
        patterns: Sequence[tuple[Any, Any]],
        scored: Any,
        events: dict[int, list[PolicyEvent]],
        cols: Mapping[str, Any] | None = None,
        periods: Sequence[Any] | None = None,
    ) -> None:
        """Replace the totals ``num / den`` of the units where *ok* by the formula's (in place),
        leaving its note; *patterns*: each pattern's rows and weighting; *scored*: the scores; *cols*:
        the batch's columns (population values and results an indicator whose grade is read reads, and
        the blank cells of its year row); *periods*: each unit's periods' data (an indicator reported
        per period is graded on them: :mod:`~perfrules.scoring.colindgrades`)."""
        np = numpy()
        values: dict[str, tuple[list[Any], Any]] = {}  # per name: numerators, and a denominator (or one each)
        if self.graded is not None:  # the indicators' grades, by their own code (colindgrades)
            keys = self.plan.scheme.categories
            categories = [keys[c] for c in cat.tolist()] if keys else [None] * len(cat)
            grades, done = self.graded.run(columns, categories, scored.applicable, ok, cols, periods)
            ok &= done
            for name, source in self.sources.items():
                if source[0] == "grade":
                    values[name] = (grade_values(self.plan, name, grades, ok), 1)
        for name, source in self.sources.items():
            if source[0] == "grade":
                continue
            values[name] = self._column(source, columns, cat, patterns, scored, ok)
        rows = np.flatnonzero(ok).tolist()
        decided: dict[tuple[Fraction | str | Held, ...], tuple[Fraction, PolicyEvent] | None] = {}
        undecided = (Fraction(0), PolicyEvent(kind="note", message=""))  # a key not seen yet
        names = list(values)
        for i in rows:
            key = tuple(_value(values[v], i) for v in names)
            found = decided.get(key, undecided)
            if found is undecided:
                found = decided[key] = self._decide(dict(zip(names, key, strict=True)))
            if found is None:
                ok[i] = False
                continue
            total, note = found
            num[i], den[i] = total.numerator, total.denominator
            events.setdefault(i, []).append(note)

    def _decide(self, scope: dict[str, Fraction | str | Held]) -> tuple[Fraction, PolicyEvent] | None:
        """The total and its note by :func:`formula_total` on one distinct input (None: it fails there;
        a word is given as it is, as the unit's data holds it)."""
        notes: list[PolicyEvent] = []
        given = {
            k: v.value if isinstance(v, Held) else v if isinstance(v, str) else exact(v)
            for k, v in scope.items()
        }
        try:
            total = as_fraction(check_fraction(formula_total(self.plan, given, notes)))
        except PerfrulesError:
            return None
        return total, notes[0]

    def _column(
        self,
        source: _Source,
        columns: Mapping[str, tuple[Any, Any]],
        cat: Any,
        patterns: Sequence[tuple[Any, Any]],
        scored: Any,
        ok: Any,
    ) -> tuple[list[Any], Any]:
        """A name's values as numerators and a denominator (an int, or one per unit); *ok* loses the
        units where the name has no value (the per-unit program's scope lacks it there)."""
        np = numpy()
        plan = self.plan
        kind = source[0]
        if kind == "data":
            col, plain = columns[source[1]]
            ok &= plain
            if isinstance(col, TruthColumn):  # a step's values, truth values among them (coltruth)
                return held(col), None
            if not isinstance(col, IntColumn):  # words (collookup.text_column): each as it is
                return col.tolist(), None
            return col.num.tolist(), col.den
        applicable = scored.applicable
        own = scored.scores.columns
        if kind == "ind":
            k, rate = source[1], source[2]
            ok &= applicable[:, k]
            col = own[k]
            if not rate:
                return col.num.tolist(), col.den
            keys = plan.scheme.categories or (None,)
            fulls = [as_fraction(plan.indicators[k].full(c)) for c in keys]
            per = [fulls[c] for c in cat.tolist()] if plan.scheme.categories else fulls * len(cat)
            ok &= np.array([bool(f) for f in per], dtype=bool)
            over = [col.den * f.numerator if f else 1 for f in per]
            return [v * f.denominator for v, f in zip(col.num.tolist(), per, strict=True)], over
        leaves, rate = source[1], source[2]
        # (what its members that apply add: none, no value; but the subtotal a mean gives, 0 or not)
        lacking = ~applicable[:, list(leaves)].any(axis=1)
        nums = [0] * len(cat)
        dens: list[int] = [1] * len(cat)
        common = scored.den
        for rows, weighting in patterns:
            factors = [
                int(x) * (common // c.den) if x is not None and k in leaves else 0
                for k, (x, c) in enumerate(zip(weighting.numerators, own, strict=True))
            ]
            sums, _ = weighted_sums(own, factors, rows)
            q = common * weighting.denominator
            if rate:
                weight = sum((weighting.weights[k] for k in leaves), Fraction(0))
                if not weight:
                    ok[rows] = False
                    continue
                q = q * weight.numerator
                sums = [int(s) * weight.denominator for s in sums]
            for i, s in zip(rows.tolist(), sums.tolist() if hasattr(sums, "tolist") else sums, strict=True):
                nums[i], dens[i] = int(s), q
        if scored.means is not None:  # a group that takes a mean: its subtotal is the mean's (colmeans)
            _from_means(leaves, source[3], rate, nums, dens, ok, patterns, scored.means, lacking)
        ok &= ~lacking
        return nums, dens


def _value(values: tuple[list[Any], Any], i: int) -> Fraction | str | Held:
    """Unit *i*'s value of a name (numerators, and a denominator or one per unit; None: words)."""
    found, den = values
    if den is None:
        return found[i]  # type: ignore[no-any-return]
    return Fraction(found[i], den if isinstance(den, int) else den[i])


def _from_means(
    leaves: Sequence[int],
    group: str,
    rate: bool,
    nums: list[int],
    dens: list[int],
    ok: Any,
    patterns: Sequence[tuple[Any, Any]],
    means: Sequence[Any],
    lacking: Any,
) -> None:
    """The group's subtotal (and 得分率: over the weight its indicators carry) where the group means gave
    one (:func:`~perfrules.scoring.overall.overall_scope` reads it so, though none of its members
    applies: *lacking* loses those units), in place."""
    for rows, weighting in patterns:
        for i in rows.tolist():
            found = means[i]
            if not ok[i] or found is None or group not in found[1]:
                continue
            value = as_fraction(found[1][group])
            if rate:
                weight = sum((weighting.weights[k] for k in leaves), Fraction(0))
                if not weight:
                    ok[i] = False
                    continue
                value = value / weight
            nums[i], dens[i] = value.numerator, value.denominator
            lacking[i] = False
