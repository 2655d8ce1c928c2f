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
    from ._numbers import LIMITS, Limits, Number, round_half_up, to_number
    from ._todo import Todo
    from .analysis.check import DataCheck, check_data
    from .analysis.compare_results import ComparisonRow, ResultsComparison, compare_results
    from .analysis.reweight import compare, compare_schemes, reweight
    from .analysis.sensitivity import sensitivity
    from .analysis.sensitivity_result import Sensitivity, UnitSensitivity
    from .analysis.sensitivity_runs import InputIndex
    from .analysis.whatif import WhatIf, whatif
    from .files.cells import NO_DATA, CellProblem, CellValue, NoData, read_cell
    from .files.data import UnitList, load_units, units_from_csv, units_from_json
    from .files.dump import dump, dumps, scheme_to_mapping
    from .files.import_table import ImportedTable, import_table
    from .files.inputs import InputField, input_fields
    from .files.load import load, loads, sample_units, scheme_from_mapping, schemes
    from .files.publish import write_table
    from .files.schemefile import scheme_json_schema
    from .files.template import write_template
    from .formula.language import (
        FUNCTION_ALIASES,
        FUNCTIONS,
        POPULATION_FUNCTIONS,
        Formula,
        PopulationCall,
        Value,
        normalize_name,
    )
    from .grading.scale import (
        DEFAULT_SCORES,
        GradeBand,
        GradeResult,
        GradeScale,
        Interval,
        MatchPolicy,
        Scoring,
    )
    from .results.model import Evaluation, GroupResult, IndicatorResult, UnitResult, evaluate
    from .results.past import read_results
    from .results.workbook import write_workbook
    from .scheme.fields import FREQUENCIES, Frequency
    from .scheme.history import HistoryName, PastResults, PastUnit
    from .scheme.model import Scheme
    from .scheme.overall import Flag, GradeCap, Quota, RollUp
    from .scheme.policies import Adjust, Default, NotApplicable, Policy, Veto, ZeroWhen
    from .scheme.steps import Part, PeerRatio, Rank, Step
    from .scheme.tree import Group, Indicator
    from .scheme.units import Computation, PeriodResult, PeriodTotal, PolicyEvent, Unit, UnitError
    from .scoring.plan import names_read

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
    "Adjust": ".scheme.policies",
    "CellProblem": ".files.cells",
    "CellValue": ".files.cells",
    "ComparisonRow": ".analysis.compare_results",
    "Computation": ".scheme.units",
    "DEFAULT_SCORES": ".grading.scale",
    "DataCheck": ".analysis.check",
    "DataError": "._errors",
    "Default": ".scheme.policies",
    "DefinitionError": "._errors",
    "DivisionByZeroError": "._errors",
    "Evaluation": ".results.model",
    "EvaluationError": "._errors",
    "FREQUENCIES": ".scheme.fields",
    "FUNCTIONS": ".formula.language",
    "FUNCTION_ALIASES": ".formula.language",
    "Flag": ".scheme.overall",
    "Formula": ".formula.language",
    "FormulaSyntaxError": "._errors",
    "Frequency": ".scheme.fields",
    "GradeBand": ".grading.scale",
    "GradeCap": ".scheme.overall",
    "GradeResult": ".grading.scale",
    "GradeScale": ".grading.scale",
    "Group": ".scheme.tree",
    "GroupResult": ".results.model",
    "HistoryName": ".scheme.history",
    "ImportedTable": ".files.import_table",
    "Indicator": ".scheme.tree",
    "IndicatorResult": ".results.model",
    "InputField": ".files.inputs",
    "InputIndex": ".analysis.sensitivity_runs",
    "Interval": ".grading.scale",
    "InvalidValueError": "._errors",
    "LIMITS": "._numbers",
    "Limits": "._numbers",
    "MatchPolicy": ".grading.scale",
    "MissingValueError": "._errors",
    "NO_DATA": ".files.cells",
    "NoData": ".files.cells",
    "NotApplicable": ".scheme.policies",
    "Number": "._numbers",
    "NumberTooLargeError": "._errors",
    "POPULATION_FUNCTIONS": ".formula.language",
    "Part": ".scheme.steps",
    "PastResults": ".scheme.history",
    "PastUnit": ".scheme.history",
    "PeerRatio": ".scheme.steps",
    "PerfrulesError": "._errors",
    "PeriodResult": ".scheme.units",
    "PeriodTotal": ".scheme.units",
    "Policy": ".scheme.policies",
    "PolicyEvent": ".scheme.units",
    "PopulationCall": ".formula.language",
    "Problem": "._errors",
    "Quota": ".scheme.overall",
    "Rank": ".scheme.steps",
    "ResultsComparison": ".analysis.compare_results",
    "RollUp": ".scheme.overall",
    "Scheme": ".scheme.model",
    "SchemeError": "._errors",
    "Scoring": ".grading.scale",
    "Sensitivity": ".analysis.sensitivity_result",
    "Step": ".scheme.steps",
    "Todo": "._todo",
    "Unit": ".scheme.units",
    "UnitError": ".scheme.units",
    "UnitList": ".files.data",
    "UnitResult": ".results.model",
    "UnitSensitivity": ".analysis.sensitivity_result",
    "Value": ".formula.language",
    "Veto": ".scheme.policies",
    "WhatIf": ".analysis.whatif",
    "ZeroWhen": ".scheme.policies",
    "check_data": ".analysis.check",
    "compare": ".analysis.reweight",
    "compare_results": ".analysis.compare_results",
    "compare_schemes": ".analysis.reweight",
    "dump": ".files.dump",
    "dumps": ".files.dump",
    "evaluate": ".results.model",
    "import_table": ".files.import_table",
    "input_fields": ".files.inputs",
    "load": ".files.load",
    "load_units": ".files.data",
    "loads": ".files.load",
    "names_read": ".scoring.plan",
    "normalize_name": ".formula.language",
    "read_cell": ".files.cells",
    "read_results": ".results.past",
    "reweight": ".analysis.reweight",
    "round_half_up": "._numbers",
    "sample_units": ".files.load",
    "scheme_from_mapping": ".files.load",
    "scheme_json_schema": ".files.schemefile",
    "scheme_to_mapping": ".files.dump",
    "schemes": ".files.load",
    "sensitivity": ".analysis.sensitivity",
    "to_number": "._numbers",
    "units_from_csv": ".files.data",
    "units_from_json": ".files.data",
    "whatif": ".analysis.whatif",
    "write_table": ".files.publish",
    "write_template": ".files.template",
    "write_workbook": ".results.workbook",
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
