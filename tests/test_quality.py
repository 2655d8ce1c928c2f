"""Static checks run as tests, so the one test command also keeps the code clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the source tree")
def test_mypy_strict_passes():
    """The package type-checks under mypy --strict (as configured in pyproject.toml)."""
    pytest.importorskip("mypy")
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the source tree")
def test_ruff_passes():
    """ruff finds nothing in the sources, tests and benchmarks."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = _run(ruff, "check", "src", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not (ROOT / ".ci" / "run").exists(), reason="needs the source tree")
def test_the_readme_test_command_is_what_ci_runs():
    """The README's quick start and .ci/run run the one command: install the test extra, pytest on every core."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ci.replace("pip install -q ", "pip install ") in readme.splitlines()
    assert ci.endswith(".venv/bin/python -m pytest -n auto --dist loadgroup")
