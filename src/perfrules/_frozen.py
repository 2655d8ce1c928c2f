"""An immutable, hashable, picklable mapping for the fields of frozen value objects.

``types.MappingProxyType`` cannot be pickled, and a plain ``dict`` can be
changed behind a frozen object's back (``scheme.indicators()[0].weights["委"] =
1000`` would leave a validated scheme inconsistent). ``FrozenDict`` is a
``dict`` whose changing methods raise, so reading it costs what reading a dict
costs (formulas look values up in it for every unit), and it pickles and
compares like a dict.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

__all__ = ["FrozenDict"]

K = TypeVar("K")
V = TypeVar("V")


def _read_only(*_: Any, **__: Any) -> NoReturn:
    raise TypeError("this mapping is read-only (build a new object with attrs.evolve)")


class FrozenDict(dict[K, V]):
    """A read-only dict; equal to any mapping with the same items.

    >>> d = FrozenDict({"委": 30})
    >>> d["委"], d == {"委": 30}
    (30, True)
    >>> d["委"] = 1000
    Traceback (most recent call last):
    ...
    TypeError: this mapping is read-only (build a new object with attrs.evolve)
    """

    __slots__ = ()

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __copy__(self) -> FrozenDict[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[K, V]:
        return self
