"""perfrules: government performance-evaluation schemes as data.

Parse the formulas and grading rules of a published scheme (绩效评估指标体系),
check them, and compute exact scores that explain themselves.

>>> from perfrules import Formula
>>> Formula.parse("总得分=重大改革得分×0.6+工作创新得分×0.4").evaluate(
...     {"重大改革得分": 6, "工作创新得分": 4})
Decimal('5.2')
"""

from ._data import UnitList, units_from_json
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
from ._excel import write_workbook
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
from ._formula import (
    FUNCTION_ALIASES,
    FUNCTIONS,
    POPULATION_FUNCTIONS,
    Formula,
    PopulationCall,
    Value,
    normalize_name,
)
from ._numbers import LIMITS, Limits, Number, round_half_up, to_number
from ._results import Evaluation, GroupResult, IndicatorResult, UnitResult, evaluate
from ._reweight import compare, compare_schemes, reweight
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
    GradeCap,
    Group,
    Indicator,
    NotApplicable,
    Part,
    PeerRatio,
    Policy,
    Quota,
    Rank,
    Scheme,
    Step,
    Veto,
    ZeroWhen,
)
from ._schemefile import scheme_json_schema
from ._sensitivity import Sensitivity, UnitSensitivity, sensitivity
from ._tables import NO_DATA, CellProblem, CellValue, NoData, read_cell
from ._unit import Computation, PeriodResult, PolicyEvent, Unit, UnitError
from ._version import __version__
from ._whatif import WhatIf, whatif

__all__ = [
    "Adjust",
    "CellProblem",
    "CellValue",
    "Computation",
    "DEFAULT_SCORES",
    "DataError",
    "Default",
    "DefinitionError",
    "DivisionByZeroError",
    "Evaluation",
    "EvaluationError",
    "FREQUENCIES",
    "FUNCTIONS",
    "FUNCTION_ALIASES",
    "Formula",
    "FormulaSyntaxError",
    "Frequency",
    "GradeBand",
    "GradeCap",
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
    "POPULATION_FUNCTIONS",
    "Part",
    "PeerRatio",
    "PerfrulesError",
    "PeriodResult",
    "Policy",
    "PolicyEvent",
    "PopulationCall",
    "Problem",
    "Quota",
    "Rank",
    "Scheme",
    "SchemeError",
    "Scoring",
    "Sensitivity",
    "Step",
    "Unit",
    "UnitError",
    "UnitList",
    "UnitResult",
    "UnitSensitivity",
    "Value",
    "Veto",
    "WhatIf",
    "ZeroWhen",
    "__version__",
    "compare",
    "compare_schemes",
    "dump",
    "dumps",
    "evaluate",
    "load",
    "load_units",
    "loads",
    "normalize_name",
    "read_cell",
    "reweight",
    "round_half_up",
    "sample_units",
    "scheme_from_mapping",
    "scheme_json_schema",
    "scheme_to_mapping",
    "schemes",
    "sensitivity",
    "to_number",
    "units_from_csv",
    "units_from_json",
    "whatif",
    "write_workbook",
]

# Tracebacks name errors by their public path (perfrules.FormulaSyntaxError,
# not perfrules._errors.FormulaSyntaxError). Only exceptions: renaming other
# classes would hide their methods' doctests from the doctest finder.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and issubclass(_obj, BaseException):
        _obj.__module__ = __name__
del _name, _obj
