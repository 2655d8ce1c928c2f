"""Results: what scoring returns, and its views (explanations, tables, records, data frames, workbooks).

The result types (:mod:`.model`) do not import their views; importing this
package registers each view under a name, and the types' methods
(``UnitResult.explain()``, ``Evaluation.to_dataframe()`` …) look them up.

Internal: the public API is :mod:`perfrules`; these modules may change.
"""

from .display import evaluation_html, records, unit_html
from .explain import explain_unit
from .frame import evaluation_frame, indicators_frame, unit_frame
from .model import VIEWS
from .workbook import write_workbook

VIEWS.update(
    explain_unit=explain_unit,
    unit_html=unit_html,
    evaluation_html=evaluation_html,
    records=records,
    unit_frame=unit_frame,
    evaluation_frame=evaluation_frame,
    indicators_frame=indicators_frame,
    write_workbook=write_workbook,
)
