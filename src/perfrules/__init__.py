"""perfrules: government performance-evaluation schemes as data.

Parse the formulas and grading rules of a published scheme (绩效评估指标体系),
check them, and compute exact scores that explain themselves.

>>> from perfrules import Formula
>>> Formula.parse("总得分=重大改革得分×0.6+工作创新得分×0.4").evaluate(
...     {"重大改革得分": 6, "工作创新得分": 4})
Decimal('5.2')
"""

from ._version import __version__

# typing.TYPE_CHECKING without importing typing (a fifth of a second on a busy
# machine, in which Ctrl-C would end the command line with a traceback).
TYPE_CHECKING = False
if TYPE_CHECKING:  # what type checkers and documentation tools read; at run time names load on first use
    from typing import Any

    from ._check import DataCheck, check_data
    from ._compare_results import ComparisonRow, ResultsComparison, compare_results
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
    from ._import_table import ImportedTable, import_table
    from ._inputs import InputField, input_fields
    from ._numbers import LIMITS, Limits, Number, round_half_up, to_number
    from ._past import HistoryName, PastResults, PastUnit
    from ._past_files import read_results
    from ._plan import names_read
    from ._publish import write_table
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
        Flag,
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
        RollUp,
        Scheme,
        Step,
        Veto,
        ZeroWhen,
    )
    from ._schemefile import scheme_json_schema
    from ._sensitivity import Sensitivity, UnitSensitivity, sensitivity
    from ._sensitivity_runs import InputIndex
    from ._tables import NO_DATA, CellProblem, CellValue, NoData, read_cell
    from ._template import write_template
    from ._todo import Todo
    from ._unit import Computation, PeriodResult, PeriodTotal, PolicyEvent, Unit, UnitError
    from ._whatif import WhatIf, whatif

__all__ = [
    "Adjust",
    "CellProblem",
    "CellValue",
    "ComparisonRow",
    "Computation",
    "DEFAULT_SCORES",
    "DataCheck",
    "DataError",
    "Default",
    "DefinitionError",
    "DivisionByZeroError",
    "Evaluation",
    "EvaluationError",
    "FREQUENCIES",
    "FUNCTIONS",
    "FUNCTION_ALIASES",
    "Flag",
    "Formula",
    "FormulaSyntaxError",
    "Frequency",
    "GradeBand",
    "GradeCap",
    "GradeResult",
    "GradeScale",
    "Group",
    "GroupResult",
    "HistoryName",
    "ImportedTable",
    "Indicator",
    "IndicatorResult",
    "InputField",
    "InputIndex",
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
    "PastResults",
    "PastUnit",
    "PeerRatio",
    "PerfrulesError",
    "PeriodResult",
    "PeriodTotal",
    "Policy",
    "PolicyEvent",
    "PopulationCall",
    "Problem",
    "Quota",
    "Rank",
    "ResultsComparison",
    "RollUp",
    "Scheme",
    "SchemeError",
    "Scoring",
    "Sensitivity",
    "Step",
    "Todo",
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
    "check_data",
    "compare",
    "compare_results",
    "compare_schemes",
    "dump",
    "dumps",
    "evaluate",
    "import_table",
    "input_fields",
    "load",
    "load_units",
    "loads",
    "names_read",
    "normalize_name",
    "read_cell",
    "read_results",
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
    "write_table",
    "write_template",
    "write_workbook",
]

# `import perfrules` stays cheap (the command line's --help, scripts that use
# one function): each public name is imported from its module on first use.
_LAZY: dict[str, str] = {
    "ComparisonRow": "._compare_results",
    "ResultsComparison": "._compare_results",
    "compare_results": "._compare_results",
    "HistoryName": "._past",
    "PastResults": "._past",
    "PastUnit": "._past",
    "read_results": "._past_files",
    "Adjust": "._scheme",
    "CellProblem": "._tables",
    "CellValue": "._tables",
    "Computation": "._unit",
    "DEFAULT_SCORES": "._scale",
    "DataCheck": "._check",
    "DataError": "._errors",
    "Default": "._scheme",
    "DefinitionError": "._errors",
    "DivisionByZeroError": "._errors",
    "Evaluation": "._results",
    "EvaluationError": "._errors",
    "FREQUENCIES": "._scheme",
    "FUNCTIONS": "._formula",
    "FUNCTION_ALIASES": "._formula",
    "Formula": "._formula",
    "FormulaSyntaxError": "._errors",
    "Frequency": "._scheme",
    "GradeBand": "._scale",
    "Flag": "._scheme",
    "GradeCap": "._scheme",
    "GradeResult": "._scale",
    "GradeScale": "._scale",
    "Group": "._scheme",
    "GroupResult": "._results",
    "ImportedTable": "._import_table",
    "Indicator": "._scheme",
    "IndicatorResult": "._results",
    "InputField": "._inputs",
    "InputIndex": "._sensitivity_runs",
    "Interval": "._scale",
    "InvalidValueError": "._errors",
    "LIMITS": "._numbers",
    "Limits": "._numbers",
    "MatchPolicy": "._scale",
    "MissingValueError": "._errors",
    "NO_DATA": "._tables",
    "NoData": "._tables",
    "NotApplicable": "._scheme",
    "Number": "._numbers",
    "NumberTooLargeError": "._errors",
    "POPULATION_FUNCTIONS": "._formula",
    "Part": "._scheme",
    "PeerRatio": "._scheme",
    "PerfrulesError": "._errors",
    "PeriodResult": "._unit",
    "PeriodTotal": "._unit",
    "Policy": "._scheme",
    "PolicyEvent": "._unit",
    "PopulationCall": "._formula",
    "Problem": "._errors",
    "Quota": "._scheme",
    "Rank": "._scheme",
    "RollUp": "._scheme",
    "Scheme": "._scheme",
    "SchemeError": "._errors",
    "Scoring": "._scale",
    "Sensitivity": "._sensitivity",
    "Step": "._scheme",
    "Todo": "._todo",
    "Unit": "._unit",
    "UnitError": "._unit",
    "UnitList": "._data",
    "UnitResult": "._results",
    "UnitSensitivity": "._sensitivity",
    "Value": "._formula",
    "Veto": "._scheme",
    "WhatIf": "._whatif",
    "ZeroWhen": "._scheme",
    "check_data": "._check",
    "compare": "._reweight",
    "compare_schemes": "._reweight",
    "dump": "._files",
    "dumps": "._files",
    "evaluate": "._results",
    "import_table": "._import_table",
    "input_fields": "._inputs",
    "load": "._files",
    "load_units": "._files",
    "loads": "._files",
    "names_read": "._plan",
    "normalize_name": "._formula",
    "read_cell": "._tables",
    "reweight": "._reweight",
    "round_half_up": "._numbers",
    "sample_units": "._files",
    "scheme_from_mapping": "._files",
    "scheme_json_schema": "._schemefile",
    "scheme_to_mapping": "._files",
    "schemes": "._files",
    "sensitivity": "._sensitivity",
    "to_number": "._numbers",
    "units_from_csv": "._files",
    "units_from_json": "._data",
    "whatif": "._whatif",
    "write_table": "._publish",
    "write_template": "._template",
    "write_workbook": "._excel",
}


del TYPE_CHECKING


def __getattr__(name: str) -> "Any":
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'perfrules' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
