"""Exact totals from the column program's integer columns, made for a whole denominator at once.

A total worked out over columns is a numerator over a denominator shared by
its group of units. :func:`exact_values` gives each as
:func:`perfrules._numbers.exact` would: a Decimal where it is a finite decimal
(written as text for the whole column at once, then read), else a Fraction
made from the numerator and denominator reduced by one vectorised gcd
(:func:`perfrules._intcols.coprime_fractions`), so that no unit's total goes
through ``Fraction``'s own normalisation.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from .._intcols import SAFE as _SAFE
from .._intcols import coprime_fractions, numpy
from .._numbers import EXACT_CONTEXT, exact
from .._textcols import format_matrix

__all__ = ["exact_values", "placed"]


def placed(values: list[Any], order: Any) -> list[Any]:
    """The list whose item ``order[k]`` is ``values[k]`` (*order*: a permutation)."""
    np = numpy()
    column = np.empty(len(values), dtype=object)
    column[order] = np.fromiter(values, dtype=object, count=len(values))
    return column.tolist()  # type: ignore[no-any-return]


def exact_values(numerators: Any, den: int) -> list[Any]:
    """Each ``numerator / den`` (*numerators*: a list, or an int64 array) as
    :func:`perfrules._numbers.exact` gives it: a Decimal where it is a finite decimal (made from its
    digits), else a Fraction."""
    twos, fives, rest = _two_five(den)
    if rest != 1:
        return _exact_ratios(numerators, den)
    if not isinstance(numerators, list):
        numerators = numerators.tolist()
    places = max(twos, fives)
    if numerators and places <= 18 and max(map(abs, numerators)) * 10**places < _SAFE:
        texts = _decimal_texts(numpy().array(numerators, dtype=numpy().int64), den, places)
        if texts is not None:
            return list(map(Decimal, texts))
    scale = 10**places
    by = scale // den
    out: list[Any] = []
    for t in numerators:
        v = t * by
        if v.bit_length() > 3 * EXACT_CONTEXT.prec and len(str(abs(v))) > EXACT_CONTEXT.prec:
            # too many digits for a Decimal: exact() keeps a Fraction
            out.append(exact(Fraction(t, den)))
            continue
        if not v % scale:
            out.append(Decimal(v // scale))
            continue
        whole, part = divmod(abs(v), scale)
        out.append(Decimal(f"{'-' if v < 0 else ''}{whole}.{part:0{places}d}".rstrip("0")))
    return out


def _two_five(den: int) -> tuple[int, int, int]:
    """*den* as ``2**twos × 5**fives × rest``."""
    twos = (den & -den).bit_length() - 1
    rest = den >> twos
    fives = 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    return twos, fives, rest


def _decimal_texts(numerators: Any, den: int, places: int) -> list[str] | None:
    """The texts of int64 ``numerators / den`` (den divides ``10**places``), trailing zeros dropped."""
    shown = numpy().ones((len(numerators), 1), dtype=bool)
    return format_matrix(numerators.reshape(-1, 1), den, shown, places)


def _exact_ratios(numerators: Any, den: int) -> list[Any]:
    """:func:`exact_values` where *den* has prime factors other than 2 and 5: each ratio reduced and
    tested for a finite decimal on the whole column at once; a Fraction made (without a gcd of its
    own) only where it is none, and the finite decimals written as texts at once."""
    np = numpy()
    if isinstance(numerators, list):
        if not numerators or den >= _SAFE or max(map(abs, numerators)) >= _SAFE:
            return _long_ratios(numerators, den)
        numerators = np.array(numerators, dtype=np.int64)
    elif not len(numerators) or den >= _SAFE:
        return _long_ratios(numerators.tolist(), den)
    t = numerators
    g = np.gcd(t, den)
    top, reduced = t // g, den // g
    rest = reduced
    for p in (2, 5):
        while True:
            divides = rest % p == 0
            if not divides.any():
                break
            rest = np.where(divides, rest // p, rest)
    finite = rest == 1
    if not finite.any():
        return coprime_fractions(top.tolist(), reduced.tolist())
    # The finite decimals: over 10**places, where 2**twos × 5**fives of den divides 10**places.
    twos, fives, _ = _two_five(den)
    places = max(twos, fives)
    part = top[finite]
    scale = 10**places
    if places > 18 or int(np.abs(part).max()) * scale >= _SAFE:
        return [exact(f) for f in coprime_fractions(top.tolist(), reduced.tolist())]
    texts = _decimal_texts(part * (scale // reduced[finite]), scale, places)
    out = np.empty(len(t), dtype=object)
    if texts is None:  # past the layout's 64-bit room: each value made as exact() makes it
        out[finite] = np.fromiter(
            (exact(f) for f in coprime_fractions(part.tolist(), reduced[finite].tolist())),
            dtype=object,
            count=len(part),
        )
    else:
        out[finite] = np.fromiter(map(Decimal, texts), dtype=object, count=len(texts))
    other = ~finite
    out[other] = np.fromiter(
        coprime_fractions(top[other].tolist(), reduced[other].tolist()), dtype=object, count=int(other.sum())
    )
    return out.tolist()  # type: ignore[no-any-return]


def _long_ratios(numerators: list[int], den: int) -> list[Any]:
    """:func:`exact_values` of Python integers over a long *den* with prime factors other than 2 and 5:
    a ratio is a finite decimal only where those other factors divide its numerator (one remainder
    each); the others are the reduced Fractions as they are, with no search for a decimal."""
    rest = _two_five(den)[2]
    return [exact(Fraction(t, den)) if not t % rest else Fraction(t, den) for t in numerators]
