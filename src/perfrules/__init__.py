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
    from .analysis.reweight import compare, compare_schemes, reweight
    from .analysis.sensitivity import sensitivity
    from .analysis.sensitivity_result import Sensitivity, UnitSensitivity
    from .analysis.sensitivity_runs import InputIndex
    from .analysis.whatif import WhatIf, whatif
    from .files.data import UnitList, load_units, units_from_csv, units_from_json
    from .files.import_table import ImportedTable, import_table
    from .files.inputs import InputField, input_fields
    from .files.load import (
        dump,
        dumps,
        load,
        loads,
        sample_units,
        scheme_from_mapping,
        scheme_to_mapping,
        schemes,
    )
    from .files.publish import write_table
    from .files.schemefile import scheme_json_schema
    from .files.tables import NO_DATA, CellProblem, CellValue, NoData, read_cell
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
    from .results.workbook import write_workbook
    from .scheme.model import (
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
    from .scheme.units import Computation, PeriodResult, PeriodTotal, PolicyEvent, Unit, UnitError
    from .scoring.plan import names_read

__all__ = [
    "Adjust",
    "CellProblem",
    "CellValue",
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
    "Adjust": ".scheme.model",
    "CellProblem": ".files.tables",
    "CellValue": ".files.tables",
    "Computation": ".scheme.units",
    "DEFAULT_SCORES": ".grading.scale",
    "DataCheck": ".analysis.check",
    "DataError": "._errors",
    "Default": ".scheme.model",
    "DefinitionError": "._errors",
    "DivisionByZeroError": "._errors",
    "Evaluation": ".results.model",
    "EvaluationError": "._errors",
    "FREQUENCIES": ".scheme.model",
    "FUNCTIONS": ".formula.language",
    "FUNCTION_ALIASES": ".formula.language",
    "Formula": ".formula.language",
    "FormulaSyntaxError": "._errors",
    "Frequency": ".scheme.model",
    "GradeBand": ".grading.scale",
    "Flag": ".scheme.model",
    "GradeCap": ".scheme.model",
    "GradeResult": ".grading.scale",
    "GradeScale": ".grading.scale",
    "Group": ".scheme.model",
    "GroupResult": ".results.model",
    "ImportedTable": ".files.import_table",
    "Indicator": ".scheme.model",
    "IndicatorResult": ".results.model",
    "InputField": ".files.inputs",
    "InputIndex": ".analysis.sensitivity_runs",
    "Interval": ".grading.scale",
    "InvalidValueError": "._errors",
    "LIMITS": "._numbers",
    "Limits": "._numbers",
    "MatchPolicy": ".grading.scale",
    "MissingValueError": "._errors",
    "NO_DATA": ".files.tables",
    "NoData": ".files.tables",
    "NotApplicable": ".scheme.model",
    "Number": "._numbers",
    "NumberTooLargeError": "._errors",
    "POPULATION_FUNCTIONS": ".formula.language",
    "Part": ".scheme.model",
    "PeerRatio": ".scheme.model",
    "PerfrulesError": "._errors",
    "PeriodResult": ".scheme.units",
    "PeriodTotal": ".scheme.units",
    "Policy": ".scheme.model",
    "PolicyEvent": ".scheme.units",
    "PopulationCall": ".formula.language",
    "Problem": "._errors",
    "Quota": ".scheme.model",
    "Rank": ".scheme.model",
    "RollUp": ".scheme.model",
    "Scheme": ".scheme.model",
    "SchemeError": "._errors",
    "Scoring": ".grading.scale",
    "Sensitivity": ".analysis.sensitivity_result",
    "Step": ".scheme.model",
    "Todo": "._todo",
    "Unit": ".scheme.units",
    "UnitError": ".scheme.units",
    "UnitList": ".files.data",
    "UnitResult": ".results.model",
    "UnitSensitivity": ".analysis.sensitivity_result",
    "Value": ".formula.language",
    "Veto": ".scheme.model",
    "WhatIf": ".analysis.whatif",
    "ZeroWhen": ".scheme.model",
    "check_data": ".analysis.check",
    "compare": ".analysis.reweight",
    "compare_schemes": ".analysis.reweight",
    "dump": ".files.load",
    "dumps": ".files.load",
    "evaluate": ".results.model",
    "import_table": ".files.import_table",
    "input_fields": ".files.inputs",
    "load": ".files.load",
    "load_units": ".files.data",
    "loads": ".files.load",
    "names_read": ".scoring.plan",
    "normalize_name": ".formula.language",
    "read_cell": ".files.tables",
    "reweight": ".analysis.reweight",
    "round_half_up": "._numbers",
    "sample_units": ".files.load",
    "scheme_from_mapping": ".files.load",
    "scheme_json_schema": ".files.schemefile",
    "scheme_to_mapping": ".files.load",
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
