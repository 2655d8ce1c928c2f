"""Units kept as columns, as a data file's reader found them, each ``Unit`` made only when read.

A data file of many units is read into columns once (:mod:`perfrules.files.colload`):
the units' names and categories, each numeric input column parsed from its
cells' text into an exact integer column (:class:`perfrules._intcols.IntColumn`),
and which units the column program may take as they stand (one row, no
problem, period or declared not-applicable indicator, every cell a number
or empty: a cell such as ``87.5分`` read into the column by the per-cell
reader, its note kept in ``notes``). :class:`UnitColumns` holds that; :class:`LazyUnits` is the
sequence of units over it that :func:`perfrules.load_units` returns
(:class:`perfrules.UnitList`): a unit is made from its cells, by the reader
that made it before, the first time it is read, and kept.

``evaluate`` scores such a sequence from the columns directly
(:mod:`perfrules.scoring.colbatch`); the units it cannot score there are made
and scored one by one, as every unit of a plain list is.

A list subclass cannot be lazy safely (C code reads a list's items without
calling any of its methods: ``str.join``, slice assignment, NumPy), so
:class:`LazyUnits` is a :class:`~collections.abc.MutableSequence` with a
list's methods, equal to a list of the same units.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from typing import Any, SupportsIndex, overload

from .._intcols import IntColumn, numpy
from .units import Unit

__all__ = ["LazyUnits", "UnitColumns"]


class UnitColumns:
    """A batch of units as columns, with the way to make each one as a ``Unit``.

    Attributes:
        names: each unit's name (normalised, unique).
        categories: each unit's category as its ``Unit`` has it (None for none).
        columns: each numeric input column, parsed: ``(IntColumn, plain)``,
            *plain* a NumPy bool array (False for an empty or not plain cell).
        ok: which units the column program may take as they stand (a NumPy
            bool array): every other unit is made and scored one by one.
        notes: per unit (by position) that the program may take, the notes its
            cells were read with (``'87.5分' read as 87.5``), as its ``Unit`` has them.
    """

    __slots__ = ("_made", "_make", "_origin", "_origins", "categories", "columns", "names", "notes", "ok")

    def __init__(
        self,
        names: list[str],
        categories: list[str | None],
        columns: dict[str, tuple[IntColumn, Any]],
        ok: Any,
        make: Callable[[int], Unit],
        origin: Callable[[int], str],
        notes: dict[int, list[Any]] | None = None,
        origins: Callable[[Sequence[int]], list[str]] | None = None,
    ) -> None:
        self.names = names
        self.notes = notes or {}
        self.categories = categories
        self.columns = columns
        self.ok = ok
        self._make = make
        self._origin = origin
        self._origins = origins
        self._made: dict[int, Unit] = {}

    def __len__(self) -> int:
        return len(self.names)

    def unit(self, i: int) -> Unit:
        """The *i*-th unit, made from its cells when first asked for (the same object after)."""
        made = self._made.get(i)
        if made is None:
            made = self._made[i] = self._make(i)
        return made

    def origin(self, i: int) -> str:
        """Where the *i*-th unit's data came from (``data.csv row 4``), without making the unit."""
        return self._origin(i)

    def origins(self, rows: Sequence[int]) -> list[str]:
        """:meth:`origin` of each of *rows*, at once."""
        if self._origins is not None:
            return self._origins(rows)
        return list(map(self._origin, rows))

    def take(self, name: str, rows: Any) -> tuple[IntColumn, Any]:
        """Column *name* of the units at *rows* (a NumPy index array; None: every unit, in order,
        the column itself), and which cells are plain.

        A column the file does not have, or holds as text, has no plain cell.
        """
        np = numpy()
        found = self.columns.get(name)
        if found is None:
            n = len(self.names) if rows is None else len(rows)
            return IntColumn(np.zeros(n, dtype=np.int64), 1, 0), np.zeros(n, dtype=bool)
        col, plain = found
        if rows is None:
            return col, plain
        return IntColumn(col.num[rows], col.den, col.bound), plain[rows]


class _Given:
    """A caller's ``int`` put into a :class:`LazyUnits` (whose own ``int`` items are its columns' rows)."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value


def _put(value: Any) -> Any:
    return _Given(value) if type(value) is int else value


class LazyUnits(MutableSequence[Unit]):
    """A sequence of units that behaves as a list, each unit made from its columns when read.

    It has a list's methods (``append``, ``extend``, ``insert``, ``pop``,
    ``remove``, ``sort``, ``reverse``, ``index``, ``count``, ``copy``, ``+``,
    slices) and is equal to a list, or another such sequence, of the same
    units in the same order. A slice, ``copy()`` and ``+`` give a plain list,
    as a list subclass's do.
    """

    def __init__(self, units: Iterable[Unit] = ()) -> None:
        # Each item: a Unit, or the position of a unit of self._columns not made yet.
        self._items: list[Any] = list(map(_put, units))
        self._columns: UnitColumns | None = None

    @classmethod
    def _kept(cls, columns: UnitColumns) -> Any:
        made = cls.__new__(cls)
        LazyUnits.__init__(made)
        made._items = list(range(len(columns)))
        made._columns = columns
        return made

    def _unit(self, item: Any) -> Unit:
        if type(item) is int and self._columns is not None:
            return self._columns.unit(item)
        if type(item) is _Given:
            return item.value  # type: ignore[return-value]
        return item  # type: ignore[no-any-return]

    def kept(self) -> tuple[UnitColumns | None, list[int | None], list[Any]]:
        """The columns, and per position: the unit's row in the columns (None for an item put
        there), and the item put there (None for a unit of the columns not made yet)."""
        columns = self._columns
        if columns is not None and self._items == list(range(len(columns))):  # as read: every unit kept
            return columns, list(range(len(columns))), [None] * len(columns)
        rows: list[int | None] = []
        items: list[Any] = []
        for item in self._items:
            kept = type(item) is int and columns is not None
            rows.append(item if kept else None)
            items.append(None if kept else item.value if type(item) is _Given else item)
        return columns, rows, items

    # --- the sequence ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: SupportsIndex) -> Unit: ...

    @overload
    def __getitem__(self, index: slice) -> list[Unit]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> Unit | list[Unit]:
        if isinstance(index, slice):
            return [self._unit(item) for item in self._items[index]]
        return self._unit(self._items[index])

    def __iter__(self) -> Iterator[Unit]:
        for item in self._items:
            yield self._unit(item)

    def __reversed__(self) -> Iterator[Unit]:
        for item in reversed(self._items):
            yield self._unit(item)

    @overload
    def __setitem__(self, index: SupportsIndex, value: Unit) -> None: ...

    @overload
    def __setitem__(self, index: slice, value: Iterable[Unit]) -> None: ...

    def __setitem__(self, index: Any, value: Any) -> None:
        self._items[index] = list(map(_put, value)) if isinstance(index, slice) else _put(value)

    def __delitem__(self, index: SupportsIndex | slice) -> None:
        del self._items[index]

    def insert(self, index: SupportsIndex, value: Unit) -> None:
        self._items.insert(index, _put(value))

    def append(self, value: Unit) -> None:
        self._items.append(_put(value))

    def extend(self, values: Iterable[Unit]) -> None:
        self._items.extend(list(map(_put, values)))

    def clear(self) -> None:
        self._items.clear()

    def reverse(self) -> None:
        self._items.reverse()

    def sort(self, *, key: Callable[[Unit], Any] | None = None, reverse: bool = False) -> None:
        """Sort in place, as ``list.sort`` does (stable)."""
        units = list(self)
        units.sort(key=key, reverse=reverse)
        self._items = list(map(_put, units))

    def copy(self) -> list[Unit]:
        """The units as a plain list."""
        return list(self)

    def __contains__(self, value: object) -> bool:
        return any(unit is value or unit == value for unit in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyUnits):
            if other._columns is self._columns and other._items == self._items:
                return True
            return list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Sequence[Unit]) -> list[Unit]:
        if not isinstance(other, list | LazyUnits):
            return NotImplemented
        return [*self, *other]

    def __radd__(self, other: Sequence[Unit]) -> list[Unit]:
        if not isinstance(other, list):
            return NotImplemented
        return [*other, *self]

    def __iadd__(self, values: Iterable[Unit]) -> LazyUnits:
        self.extend(values)
        return self

    def __mul__(self, times: SupportsIndex) -> list[Unit]:
        return list(self) * times

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return repr(list(self))
