"""Execute examples/deepseek_2025.ipynb in place (offline), so the committed outputs are current.

Run from the repository root after a change that moves the study's numbers or texts::

    .venv/bin/python scripts/execute_notebook.py

tests/reporting/test_notebook.py fails while the committed outputs are stale.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Execute the notebook with a kernel of this interpreter and write it back."""
    path = ROOT / "examples" / "deepseek_2025.ipynb"
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        kernels = Path(tmp) / "kernels" / "eventstudy-run"
        kernels.mkdir(parents=True)
        (kernels / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3", "language": "python"}))
        os.environ["JUPYTER_PATH"] = tmp
        os.environ.pop("MPLBACKEND", None)
        NotebookClient(nb, timeout=600, kernel_name="eventstudy-run",
                       resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


if __name__ == "__main__":
    main()
