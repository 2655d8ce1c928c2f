"""Tests for the shape of the public API."""

from __future__ import annotations

import importlib.metadata
import pickle
import types

import perfrules


def test_all_is_sorted_and_complete():
    """__all__ is sorted, and lists exactly the public names of the package."""
    assert list(perfrules.__all__) == sorted(perfrules.__all__)
    # Submodules (perfrules.testing, perfrules.plot) are imported on demand, not exported.
    public = {
        n
        for n in dir(perfrules)
        if not n.startswith("_") and not isinstance(getattr(perfrules, n), types.ModuleType)
    }
    assert public | {"__version__"} == set(perfrules.__all__)


def test_version_matches_the_installed_metadata():
    """__version__ is the version the package was installed with."""
    assert perfrules.__version__ == importlib.metadata.version("perfrules")


def test_py_typed_is_shipped():
    """The package declares its type hints (PEP 561)."""
    from importlib.resources import files

    assert files("perfrules").joinpath("py.typed").is_file()


def test_errors_survive_pickling():
    """Errors cross process boundaries (batch work with multiprocessing) intact."""
    try:
        perfrules.Formula.parse("a+$")
    except perfrules.FormulaSyntaxError as exc:
        again = pickle.loads(pickle.dumps(exc))
        assert str(again) == str(exc)
        assert again.position == exc.position
    err = perfrules.SchemeError([perfrules.Problem("indicators[3].formula", "bad")])
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


def test_import_is_cheap_and_loads_no_heavy_module():
    """`import perfrules` and `perfrules --help` load no pandas, matplotlib, openpyxl or dask; names load on use."""
    import subprocess
    import sys

    code = (
        "import sys, io, perfrules\n"
        "assert 'attr' not in sys.modules and 'perfrules.formula.language' not in sys.modules, 'eager import'\n"
        "from perfrules.cli.main import main\n"
        "main(['--help'], out=io.StringIO())\n"
        "heavy = [m for m in ('pandas', 'matplotlib', 'openpyxl', 'dask', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert perfrules.Formula.parse('1+1').evaluate({}) == 2\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_results_and_schemes_are_immutable_and_pickle_equal():
    """A validated scheme, its formulas and scales, and an evaluation's results cannot be changed, and pickle equal."""
    import pytest

    scheme = perfrules.load("shenzhen-2010-departments")
    evaluation = perfrules.evaluate(scheme, perfrules.sample_units("shenzhen-2010-departments"))
    again = pickle.loads(pickle.dumps(evaluation))
    assert again.results == evaluation.results and again.scheme == scheme
    assert pickle.loads(pickle.dumps(scheme.indicator("1").scale)) == scheme.indicator("1").scale
    with pytest.raises(TypeError):
        scheme.indicator("1").weights["委"] = 1000  # type: ignore[index]
    with pytest.raises(TypeError):
        evaluation.results[0].indicators[0].inputs["白皮书任务完成数"] = 0  # type: ignore[index]
    with pytest.raises(AttributeError):
        evaluation.results[0].total = 0  # type: ignore[misc]
