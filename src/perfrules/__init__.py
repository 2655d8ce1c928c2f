"""perfrules: government performance-evaluation schemes as data.

Parse the formulas and grading rules of a published scheme (绩效评估指标体系),
check them, and compute exact scores that explain themselves.

>>> from perfrules import Formula
>>> Formula.parse("总得分=重大改革得分×0.6+工作创新得分×0.4").evaluate(
...     {"重大改革得分": 6, "工作创新得分": 4})
Decimal('5.2')
"""

from ._data import UnitList, units_from_json
from ._engine import (
    Evaluation,
    GroupResult,
    IndicatorResult,
    PeriodResult,
    PolicyEvent,
    Unit,
    UnitError,
    UnitResult,
    evaluate,
)
from ._errors import (
    DataError,
    DefinitionError,
    DivisionByZeroError,
    EvaluationError,
    FormulaSyntaxError,
    InvalidValueError,
    MissingValueError,
    NumberTooLargeError,
    PerfrulesError,
    Problem,
    SchemeError,
)
from ._files import (
    dump,
    dumps,
    load,
    load_units,
    loads,
    sample_units,
    scheme_from_mapping,
    scheme_to_mapping,
    schemes,
    units_from_csv,
)
from ._formula import FUNCTIONS, Formula, Value, normalize_name
from ._numbers import LIMITS, Limits, Number, round_half_up, to_number
from ._scale import (
    DEFAULT_SCORES,
    GradeBand,
    GradeResult,
    GradeScale,
    Interval,
    MatchPolicy,
    Scoring,
)
from ._scheme import (
    FREQUENCIES,
    Adjust,
    Default,
    Frequency,
    Group,
    Indicator,
    NotApplicable,
    Part,
    PeerRatio,
    Policy,
    Rank,
    Scheme,
    Step,
    Veto,
    ZeroWhen,
)
from ._tables import NO_DATA, CellProblem, CellValue, NoData, read_cell
from ._version import __version__
from ._whatif import WhatIf, whatif

__all__ = [
    "Adjust",
    "CellProblem",
    "CellValue",
    "DEFAULT_SCORES",
    "DataError",
    "Default",
    "DefinitionError",
    "DivisionByZeroError",
    "Evaluation",
    "EvaluationError",
    "FREQUENCIES",
    "FUNCTIONS",
    "Formula",
    "FormulaSyntaxError",
    "Frequency",
    "GradeBand",
    "GradeResult",
    "GradeScale",
    "Group",
    "GroupResult",
    "Indicator",
    "IndicatorResult",
    "Interval",
    "InvalidValueError",
    "LIMITS",
    "Limits",
    "MatchPolicy",
    "MissingValueError",
    "NO_DATA",
    "NoData",
    "NotApplicable",
    "Number",
    "NumberTooLargeError",
    "Part",
    "PeerRatio",
    "PerfrulesError",
    "PeriodResult",
    "Policy",
    "PolicyEvent",
    "Problem",
    "Rank",
    "Scheme",
    "SchemeError",
    "Scoring",
    "Step",
    "Unit",
    "UnitError",
    "UnitList",
    "UnitResult",
    "Value",
    "Veto",
    "WhatIf",
    "ZeroWhen",
    "__version__",
    "dump",
    "dumps",
    "evaluate",
    "load",
    "load_units",
    "loads",
    "normalize_name",
    "read_cell",
    "round_half_up",
    "sample_units",
    "scheme_from_mapping",
    "scheme_to_mapping",
    "schemes",
    "to_number",
    "units_from_csv",
    "units_from_json",
    "whatif",
]

# Tracebacks name errors by their public path (perfrules.FormulaSyntaxError,
# not perfrules._errors.FormulaSyntaxError). Only exceptions: renaming other
# classes would hide their methods' doctests from the doctest finder.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and issubclass(_obj, BaseException):
        _obj.__module__ = __name__
del _name, _obj
