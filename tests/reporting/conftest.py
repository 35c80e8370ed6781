"""Fixtures of the reporting tests.

The DeepSeek study is fitted once in this process; the example notebook is executed once in a fresh
kernel, and the report it writes (``res.to_report`` in its last cell, redirected to a temporary
folder) is the report the file and PDF tests read: one report for both, to keep the suite fast.
"""

from __future__ import annotations

import json
import sys

import pytest

from eventstudy import EventStudy

REPORT_LINE = 'REPORT_DIR = ROOT / "reports" / "deepseek_2025"'


@pytest.fixture(scope="session")
def deepseek(repo):
    """Results of configs/deepseek_2025.yaml on the bundled data."""
    return EventStudy.from_yaml(repo / "configs" / "deepseek_2025.yaml").fit()


@pytest.fixture(scope="session")
def global_res(repo):
    """configs/deepseek_global.yaml: ENR.DE's day-0 return runs from the 23 January close."""
    with pytest.warns(Warning):
        return EventStudy.from_yaml(repo / "configs" / "deepseek_global.yaml").fit()


@pytest.fixture(scope="session")
def nvda(repo):
    """configs/nvda_earnings.yaml: five events, pooled."""
    with pytest.warns(Warning):
        return EventStudy.from_yaml(repo / "configs" / "nvda_earnings.yaml").fit()


@pytest.fixture(scope="session")
def notebook(repo, tmp_path_factory):
    """examples/deepseek_2025.ipynb executed offline in a kernel of this interpreter."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(repo / "examples" / "deepseek_2025.ipynb", as_version=4)
    out = tmp_path_factory.mktemp("notebook") / "deepseek_2025"
    cells = [c for c in nb.cells if c.cell_type == "code" and REPORT_LINE in c.source]
    assert len(cells) == 1, "the notebook's report cell changed: update REPORT_LINE"
    cells[0].source = cells[0].source.replace(REPORT_LINE, f"REPORT_DIR = Path({str(out)!r})")
    # a kernel spec naming this interpreter, so the kernel sees the package under test
    kernels = tmp_path_factory.mktemp("jupyter") / "kernels" / "eventstudy-test"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "eventstudy test", "language": "python"}))
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(kernels.parent.parent))
    mp.delenv("MPLBACKEND", raising=False)  # the inline backend, so figures are cell outputs
    try:
        NotebookClient(nb, timeout=300, kernel_name="eventstudy-test",
                       resources={"metadata": {"path": str(repo / "examples")}}).execute()
    finally:
        mp.undo()
    return nb, out


@pytest.fixture(scope="session")
def report(notebook):
    """The DeepSeek report folder written by the notebook's ``res.to_report`` cell."""
    return notebook[1]
