"""Exact numbers: what perfrules computes with and how it shows them.

Every number perfrules returns is exact. It is a :class:`decimal.Decimal` when
the exact value has a finite decimal expansion (the usual case: 5.2, 57,
0.9666…is *not* one) and a :class:`fractions.Fraction` otherwise (29/30). The
two compare exactly with each other and with ``int``; floats given as input are
read by their shortest ``repr`` (``0.57`` is 57/100, not the binary double).
For display use :func:`round_half_up` (四舍五入), never banker's rounding.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeAlias, cast

import attrs

from ._errors import InvalidValueError, NumberTooLargeError

__all__ = [
    "LIMITS",
    "Limits",
    "Number",
    "as_fraction",
    "exact",
    "round_half_up",
    "tidy_decimal",
    "to_number",
]

Number: TypeAlias = Decimal | Fraction
"""An exact number: ``Decimal`` when it has a finite decimal expansion, else ``Fraction``."""


@attrs.frozen(kw_only=True)
class Limits:
    """The bounds that keep every formula's time and memory small.

    Attributes:
        max_text: longest formula text, in characters.
        max_depth: deepest nesting of a formula's tree (parentheses, unary
            signs, function calls, powers).
        max_nodes: most operators, operands and calls in one formula.
        max_digits: numbers must be smaller than ``10**max_digits`` in
            magnitude, at every step of a computation.
        max_bits: an exact fraction's numerator and denominator must fit in
            this many bits — a unit's total included, so that the exact sum
            of about 50 min-max-normalised indicators of many-digit data
            (each share with its own denominator) still fits. A unit whose
            numbers outgrow it fails alone, naming the indicator.
        max_exponent: largest ``|n|`` in ``x^n``; *n* must be a whole number.
    """

    max_text: int = 2000
    max_depth: int = 40
    max_nodes: int = 500
    max_digits: int = 50
    max_bits: int = 8192
    max_exponent: int = 64


LIMITS: Final = Limits()

_TRAPS = [
    decimal.Inexact,
    decimal.Overflow,
    decimal.InvalidOperation,
    decimal.DivisionByZero,
    decimal.Subnormal,
    decimal.Underflow,
    decimal.Clamped,
]

# Arithmetic on Decimals runs in this context: any result that is not exact
# raises Inexact, and the caller redoes that step with Fractions. Precision is
# generous so that the fast path covers everyday numbers.
EXACT_CONTEXT: Final = decimal.Context(
    prec=LIMITS.max_digits + 30,
    rounding=decimal.ROUND_HALF_UP,
    Emax=LIMITS.max_digits - 1,
    Emin=-(LIMITS.max_digits + 30),
    traps=_TRAPS,
)

_ONE: Final = Decimal(1)


def _too_large(value: object) -> NumberTooLargeError:
    if (
        isinstance(value, int | Fraction)
        and max(abs(value.numerator).bit_length(), value.denominator.bit_length()) > 4096
    ):
        # Described by size: digits this many help no one (and may not be printable at all).
        text = (
            f"a {abs(value.numerator).bit_length()}-bit integer"
            if value.denominator == 1
            else f"a fraction of {abs(value.numerator).bit_length()} bits over "
            f"{value.denominator.bit_length()} bits"
        )
    else:
        try:
            text = str(value)
        except ValueError:  # an int beyond Python's 4300-digit limit for text
            whole = as_fraction(cast(Fraction, value))
            bits = max(abs(whole.numerator).bit_length(), whole.denominator.bit_length())
            text = f"of about {bits * 30103 // 100000 + 1} digits"
        if len(text) > 60:
            text = text[:57] + "..."
    if isinstance(value, Decimal) and value and value.adjusted() < LIMITS.max_digits:
        return NumberTooLargeError(
            f"number {text} has more decimal places than perfrules computes with exactly "
            f"(at most {-EXACT_CONTEXT.Emin})"
        )
    return NumberTooLargeError(
        f"number {text} is outside the limits (|x| < 10^{LIMITS.max_digits}, "
        f"fractions within {LIMITS.max_bits} bits)"
    )


_MAX_MAGNITUDE_INT: Final = 10**LIMITS.max_digits


def check_fraction(value: Fraction) -> Fraction:
    """Return *value* when it is within the limits; raise ``NumberTooLargeError`` if not."""
    num, den = value.numerator, value.denominator
    # Integer comparisons: |num/den| < 10^k  ⇔  |num| < 10^k · den (den > 0).
    if (
        num.bit_length() > LIMITS.max_bits
        or den.bit_length() > LIMITS.max_bits
        or abs(num) >= _MAX_MAGNITUDE_INT * den
    ):
        raise _too_large(value)
    return value


def check_decimal(value: Decimal) -> Decimal:
    """Return a finite *value* within the limits; raise otherwise."""
    if not value.is_finite():
        raise InvalidValueError(f"{value} is not a finite number")
    if not value:
        return Decimal(0)
    if value.adjusted() >= LIMITS.max_digits:
        raise _too_large(value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < EXACT_CONTEXT.Emin:
        raise _too_large(value)  # more decimal places than exact arithmetic keeps
    if len(value.as_tuple().digits) > EXACT_CONTEXT.prec:
        check_fraction(Fraction(value))
    return value


def to_number(value: object, *, name: str = "value") -> Number:
    """Read an input as an exact number.

    ``int``, ``Decimal`` and ``Fraction`` are taken as they are; a ``float`` is
    read by its shortest repr, so ``0.57`` means exactly 57/100. ``bool``,
    strings, ``nan`` and infinities are refused: they are almost always a
    mistake in the data, not a number.

    Args:
        value: the input.
        name: what the value is, for the error message.

    Returns:
        A Decimal or Fraction equal to the value as written.

    Raises:
        InvalidValueError: *value* is not a finite real number.
        NumberTooLargeError: *value* is outside ``perfrules.LIMITS``.

    >>> to_number(0.57) * 100
    Decimal('57.00')
    """
    if isinstance(value, bool):
        raise InvalidValueError(f"{name}={value!r} (bool) is a truth value, not a number")
    if isinstance(value, Decimal):
        return check_decimal(Decimal(value) if type(value) is not Decimal else value)
    if isinstance(value, int):
        if abs(value) >= 10**LIMITS.max_digits:
            raise _too_large(value)
        return Decimal(int(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidValueError(f"{name}={value!r} (float) is not a finite number")
        return check_decimal(Decimal(repr(float(value))))
    if isinstance(value, Fraction):
        return exact(check_fraction(Fraction(value)))
    raise InvalidValueError(
        f"{name}={value!r} ({type(value).__name__}) is not a number; give an int, float, Decimal or Fraction"
    )


def ratio_read(value: object, seen: dict[Any, tuple[int, int] | None]) -> tuple[int, int] | None:
    """*value* as :func:`to_number` reads it (a ``float``, a ``Fraction``, a NumPy ``float64`` …), as an
    integer ratio; None where that refuses it (``None``, text, a ``bool``, ``nan``, past the limits).
    *seen* keeps each distinct value's ratio (by type and value), so each is read once.

    >>> ratio_read(0.57, {}), ratio_read(float("nan"), {}), ratio_read(True, {})
    ((57, 100), None, None)
    """
    if value is None or isinstance(value, str | bool):
        return None
    key: Any = None
    try:
        key = (type(value), value)
        if key in seen:
            return seen[key]
    except TypeError:  # (unhashable: read on its own)
        key = None
    try:
        ratio: tuple[int, int] | None = to_number(value).as_integer_ratio()
    except (InvalidValueError, NumberTooLargeError):
        ratio = None
    if key is not None:
        seen[key] = ratio
    return ratio


_PRIME = 2**61 - 1


def _five_power(n: int) -> int | None:
    """k where ``n == 5**k`` (n > 0), else None: the few k that n's length allows are tried modulo a
    prime first, so a number that is no power of 5 costs one remainder, not a division per factor 5."""
    bits = n.bit_length()
    if bits <= 128:  # a few divisions
        k = 0
        while n % 5 == 0:
            n //= 5
            k += 1
        return k if n == 1 else None
    residue = n % _PRIME
    # 2.321 < log2(5) < 2.322: 5**k has between (bits − 1) / 2.322 and bits / 2.321 as exponent.
    low = max(0, (bits - 1) * 1000 // 2322 - 1)
    candidate = pow(5, low, _PRIME)
    for k in range(low, bits * 1000 // 2321 + 2):
        if candidate == residue and 5**k == n:
            return k
        candidate = candidate * 5 % _PRIME
    return None


def _decimal_of_fraction(value: Fraction) -> Decimal | None:
    """The exact Decimal for *value*, or None when its expansion does not end."""
    den = value.denominator
    twos = (den & -den).bit_length() - 1
    den >>= twos
    # What is left must be a power of 5: the one with den's length is found, not divided out.
    fives = _five_power(den)
    if fives is None:
        return None
    places = max(twos, fives)
    scaled = value.numerator * (10**places) // value.denominator
    if abs(scaled).bit_length() > 4 * EXACT_CONTEXT.prec or len(str(abs(scaled))) > EXACT_CONTEXT.prec:
        return None  # e.g. 1/2^200: exact as a Fraction, too long as a Decimal
    return Decimal(scaled).scaleb(-places, EXACT_CONTEXT)


def exact(value: Number) -> Number:
    """Return the canonical form of an exact number.

    A Fraction with a finite decimal expansion becomes that Decimal; a
    Decimal loses trailing zeros after the point (``57.00`` → ``57``).

    >>> exact(Fraction(26, 5))
    Decimal('5.2')
    >>> exact(Decimal("57.00"))
    Decimal('57')
    >>> exact(Fraction(29, 30))
    Fraction(29, 30)
    """
    if type(value) is Fraction:
        as_dec = _decimal_of_fraction(value)
        if as_dec is None:
            return value
        value = as_dec
    return tidy_decimal(cast(Decimal, value))


_ZERO_DECIMAL = Decimal(0)


def tidy_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros after the point and any positive exponent.

    ``57.00`` → ``57``, ``47.40`` → ``47.4``, ``0E-7`` → ``0``, ``1E+2`` → ``100``.
    The text test first is cheaper than ``as_tuple()`` on the common case,
    where there is nothing to do; evaluation calls this once per result.

    >>> tidy_decimal(Decimal("47.40")), tidy_decimal(Decimal("1E+2"))
    (Decimal('47.4'), Decimal('100'))
    """
    text = str(value)
    if "E" not in text and (text[-1] != "0" or "." not in text) and text != "-0":
        return value
    if not value:
        return _ZERO_DECIMAL  # 0E-7, -0.0 and -0 alike
    try:
        whole = value.to_integral_value()
        if whole == value:
            return whole.quantize(_ONE, context=EXACT_CONTEXT)
        return value.normalize(EXACT_CONTEXT)
    except decimal.DecimalException:
        return value  # beyond what the exact context holds: keep it as it is


def json_value(value: Decimal) -> int | float | Decimal:
    """*value* (a shown number, already rounded) as JSON output carries it, with every digit.

    A whole number is an int; a float where the float's shortest text is
    these very digits (``96.67``); otherwise the Decimal itself, for digits a
    float does not hold (``12995451474983755673789.473684``), which the JSON
    writers write as they stand (:func:`perfrules._writers.json_text`).

    >>> json_value(Decimal("57")), json_value(Decimal("96.67"))
    (57, 96.67)
    >>> json_value(Decimal("12995451474983755673789.473684"))
    Decimal('12995451474983755673789.473684')
    """
    if value == value.to_integral_value():
        return int(value)
    near = float(value)
    return near if Decimal(repr(near)) == value else value


def as_fraction(value: Number | int) -> Fraction:
    """Return *value* as a Fraction (exactly)."""
    return value if isinstance(value, Fraction) else Fraction(value)


_WIDE = decimal.Context(prec=200)  # 600 bits: 180 digits and more


def round_half_up(value: Number | int, places: int = 2) -> Decimal:
    """Round for display the way people do by hand (四舍五入).

    Halves round away from zero, never to even: 2.5 → 3, 0.125 → 0.13.

    Args:
        value: an exact number (or int).
        places: digits after the decimal point (0 or more).

    Returns:
        A Decimal with exactly *places* digits after the point.

    >>> round_half_up(Decimal("2.5"), 0)
    Decimal('3')
    >>> round_half_up(Fraction(29, 30) * 100, 2)
    Decimal('96.67')
    """
    if places < 0:
        raise ValueError(f"'places' must be >= 0 (got places={places})")
    quantum = Decimal(1).scaleb(-places)
    frac = as_fraction(value)
    scaled = frac * 10**places
    whole = abs(scaled.numerator) * 2 + scaled.denominator
    rounded = whole // (2 * scaled.denominator)
    if scaled < 0:
        rounded = -rounded
    # Exact at any size: the context holds every digit (scaleb in the default 28-digit context
    # rounded a 29-digit result: 12995451474983755673789.473684 became …789.47368).
    bits = rounded.bit_length()
    context = _WIDE if bits < 600 else decimal.Context(prec=bits // 3 + 2)
    return Decimal(rounded).scaleb(-places, context=context).quantize(quantum, context=context)
