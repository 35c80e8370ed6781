"""The example notebook runs offline and shows the study's headline numbers."""

from __future__ import annotations

import re

import pytest


def _stream(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if o.output_type == "stream" and o.name == "stdout")


def test_notebook_is_committed_without_outputs(repo):
    import nbformat

    nb = nbformat.read(repo / "examples" / "deepseek_2025.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_notebook_runs_without_errors(notebook):
    nb, _ = notebook
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors, errors[0]["evalue"] if errors else ""


def test_notebook_shows_nvda_move(notebook):
    text = _stream(notebook[0])
    # published close-to-close move of NVDA on 2025-01-27 (shared/data/README.md)
    assert "NVDA return on 2025-01-27: -16.97%" in text


def test_notebook_headline_numbers_equal_the_library(notebook, deepseek):
    text = _stream(notebook[0])
    caar = deepseek.caar_table().query("tau_start == 0 and tau_end == 0").set_index("group")
    shown = dict(re.findall(r"AAR\[0\] (\w+): (-?\d+\.\d+)%", text))
    assert set(shown) == set(deepseek.groups)
    for group, value in shown.items():
        assert float(value) == pytest.approx(caar.loc[group, "caar"] * 100, abs=0.005)
    ar0 = deepseek.to_frame().query("ticker == 'NVDA' and tau == 0")["ar"].iloc[0]
    assert f"NVDA abnormal return on day 0: {ar0:.2%}" in text


def test_notebook_displays_results_as_html_and_figures(notebook):
    nb, _ = notebook
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("Event study: DeepSeek overtakes ChatGPT" in h for h in html)
    figures = [o for o in outputs if "<Figure" in o.get("data", {}).get("text/plain", "")]
    assert len(figures) >= 3
