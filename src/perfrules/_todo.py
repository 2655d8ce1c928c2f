"""What an imported draft could not read: the original text, kept where it belongs.

``perfrules import`` reads a published table into a scheme. A scoring cell
it cannot read (a sentence no reader understands), or a weight the table
does not give, is not guessed: it stays in the draft as a :class:`Todo` on
the indicator (or the scheme) it belongs to, with its table row and column.
``perfrules validate`` lists every todo and exits 1 while any remains, and
scoring a scheme with todos is refused, naming them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

__all__ = ["Todo", "to_todos"]


@attrs.frozen(kw_only=True)
class Todo:
    """A part of a draft scheme still to be written by hand.

    Attributes:
        about: what it belongs to: ``scale`` (the grading rule), ``steps``,
            ``policy``, ``score``, ``weight``, ``group`` ….
        text: the original text of the table cell (empty when the table
            gives nothing there).
        row: the table row it came from (1-based, as a spreadsheet counts),
            if known.
        column: the table column's header, if known.
        note: why it was not read.

    >>> print(Todo(about="policy", text="发生重大事故的，酌情扣分", row=7, column="评分标准"))
    row 7, column '评分标准': policy: 发生重大事故的，酌情扣分
    """

    about: str
    text: str = ""
    row: int | None = None
    column: str = ""
    note: str = ""

    @property
    def place(self) -> str:
        """``row 7, column '评分标准'`` (what is known of it)."""
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = " ".join(line.strip() for line in self.text.splitlines() if line.strip())
        shown = text if text else f"({self.note})" if self.note else "(nothing given)"
        return f"{self.place + ': ' if self.place else ''}{self.about}: {shown}"


def to_todos(value: object) -> tuple[Todo, ...]:
    """Todos from a list of :class:`Todo` or of tables with the same keys."""
    if value is None:
        return ()
    if isinstance(value, Todo | Mapping):
        value = (value,)
    if not isinstance(value, Iterable) or isinstance(value, str):
        raise TypeError(f"'todo' must be a list of todos (got {value!r})")
    out: list[Todo] = []
    for item in value:
        if isinstance(item, Todo):
            out.append(item)
        elif isinstance(item, Mapping):
            fields: dict[str, Any] = dict(item)
            out.append(Todo(**fields))
        else:
            raise TypeError(f"a todo must be a Todo or a table (got {item!r})")
    return tuple(out)
