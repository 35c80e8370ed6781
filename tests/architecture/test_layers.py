"""The package's import graph: one-way layers (import-linter contracts in pyproject) and no cycle.

Issue 10 ("One core, one answer"): module- and function-level imports and type-only imports all count.
The only upward references allowed are the thin convenience methods of the results (plot_*, summary,
to_report, _repr_html_), which import reporting inside the method.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_UP = {("eventstudy.results", "eventstudy.reporting")}


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("eventstudy", include_external_packages=False)


def _allowed(importer: str, imported: str) -> bool:
    return any(importer == a and (imported == b or imported.startswith(b + "."))
               for a, b in ALLOWED_UP)


def test_no_import_cycle_between_modules():
    """No module reaches itself through imports (package __init__ re-exports excluded)."""
    graph = _graph()
    modules = sorted(m for m in graph.modules if not m.endswith("__init__"))
    edges = {m: {d for d in graph.find_modules_directly_imported_by(m)
                 if not _allowed(m, d) and d in graph.modules}
             for m in modules}
    packages = {m for m in graph.modules if graph.find_children(m)}

    def deps(m: str) -> set[str]:  # a package import means its __init__, which re-exports
        return {d for d in edges.get(m, set()) if d not in packages}

    cycles = []
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in deps(m):
            if state.get(d) == 1:
                cycles.append(path[path.index(d):] + [d] if d in path else [m, d])
            elif d not in state:
                visit(d, [*path, d])
        state[m] = 2

    for m in modules:
        if m not in state:
            visit(m, [m])
    assert not cycles, f"import cycles: {cycles[:3]}"


def test_results_reach_reporting_only_from_inside_methods():
    """The allowed upward imports are function-level, never at module level."""
    text = (ROOT / "eventstudy" / "results.py").read_text()
    top = [line for line in text.splitlines() if line.startswith(("from ", "import "))]
    assert not [line for line in top if "reporting" in line or "claims" in line]


@pytest.mark.skipif(not (Path(sys.executable).parent / "lint-imports").exists(),
                    reason="import-linter not installed (pip install -e '.[dev]')")
def test_import_contracts_hold():
    """lint-imports (the contracts in pyproject.toml) passes, as CI runs it."""
    out = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-2000:]


def test_model_names_are_registered_once():
    """``ModelName`` (the config's and the API's type) lists exactly the registered models."""
    from typing import get_args

    from eventstudy._typing import ModelName
    from eventstudy.models import MODELS

    assert set(get_args(ModelName)) == set(MODELS)


def test_every_test_has_its_paper():
    """Reports cite a paper for every test they can show: one reference per key of TESTS."""
    from eventstudy.statistics.battery import TEST_REFERENCES, TESTS

    assert set(TEST_REFERENCES) == set(TESTS)
