"""The example notebook runs from top to bottom (so it cannot rot)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "docs" / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_without_errors(path):
    """Every cell of the notebook runs, and the ranking it shows is the sample's."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "<table>" in html and "市乙局" in html
    assert sum(1 for o in outputs if "image/png" in o.get("data", {})) >= 3


def test_there_is_a_notebook():
    """docs/notebooks holds the example notebook."""
    assert [p.name for p in NOTEBOOKS] == ["explore-shenzhen.ipynb"]
