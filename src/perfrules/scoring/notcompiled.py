"""The scheme error of a plan whose form the column program does not compile.

:func:`~perfrules.scoring.program.program_of` raises it; its words name the form
(``Plan.program_why``), in the scheme's language.
"""

from __future__ import annotations

from .._errors import Problem, SchemeError
from .plan import Plan

__all__ = ["not_compiled"]


def not_compiled(plan: Plan) -> SchemeError:
    """The scheme error of a plan whose form the column program does not compile (``program_why``)."""
    why = plan.program_why or "?"
    words = plan.words
    return SchemeError(
        [
            Problem(
                "",
                words(
                    f"列式程序尚不能计分此写法：{why}",
                    f"the column program cannot score this form yet: {why}",
                ),
            )
        ],
        title=words(
            f"“{plan.scheme.name}”用到列式程序尚不能计分的写法",
            f"'{plan.scheme.name}' uses a form the column program cannot score yet",
        ),
    )
