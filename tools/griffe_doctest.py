"""A griffe extension for the docs site: doctest examples become code blocks.

The docstrings put runnable examples (``>>> ...`` and the expected output)
straight into the text, as pytest's ``--doctest-modules`` wants them. Markdown
would read ``>`` as a block quote and ``[...][:3]`` as a link, so this wraps
each example (from its first ``>>>`` line to the next blank line) in a
fenced ``pycon`` block before mkdocstrings renders it. Sphinx roles
(``:func:`totals```) become inline code, since Markdown has no roles. The
source files are not touched.

mkdocs.yml loads it: ``extensions: [tools/griffe_doctest.py:DoctestFences]``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|meth|attr|mod|data|exc|obj):`~?([^`]+)`")


def plain_roles(text: str) -> str:
    """*text* with Sphinx cross-reference roles turned into inline code.

    >>> plain_roles("Draws with :func:`totals` and :meth:`~Formula.parse`.")
    'Draws with `totals` and `Formula.parse`.'
    """
    return _ROLE.sub(r"`\1`", text)


def fence_doctests(text: str) -> str:
    """*text* with every doctest example wrapped in a fenced ``pycon`` block.

    >>> fence_doctests("Adds.\\n\\n>>> 1 + 1\\n2\\n\\nDone.").splitlines()
    ['Adds.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    """
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if not stripped.startswith(">>>"):
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(stripped)]
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip():
            out.append(lines[i])
            i += 1
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctest examples (and plain the roles) of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the docstring of each module, class, function and attribute."""
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(fence_doctests(obj.docstring.value))
