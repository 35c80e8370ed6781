"""Declared dependency ranges hold (issue 18).

``.ci/constraints-min.txt`` pins every lower bound of ``pyproject.toml``; CI runs the suite once at
the newest releases and once at those pins. These tests keep the two files in step (editing one
without regenerating the other fails here), keep ``[dev]`` a superset of the user-facing extras so
that the README's test command installs everything the suite needs, and keep ``.ci/run`` running
the README's test command.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("min_constraints",
                                                  REPO / "scripts" / "min_constraints.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("min_constraints", module)
    spec.loader.exec_module(module)
    return module


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_constraints_file_is_in_sync_with_pyproject():
    mc = _script()
    assert (REPO / ".ci" / "constraints-min.txt").read_text(encoding="utf-8") == mc.render(), (
        ".ci/constraints-min.txt is out of date: run python scripts/min_constraints.py")


def test_every_runtime_dependency_is_pinned_at_its_lower_bound():
    pins = dict(line.split("==") for line in
                (REPO / ".ci" / "constraints-min.txt").read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#"))
    for req in _project()["dependencies"]:
        r = Requirement(req)
        lower = [s.version for s in r.specifier if s.operator == ">="]
        assert lower, f"{req}: a dependency needs a '>=' lower bound"
        assert pins[r.name.lower().replace("_", "-")] == lower[0], req


def test_an_edited_bound_makes_the_check_fail(tmp_path):
    mc = _script()
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    bumped = re.sub(r'"pandas>=[0-9.]+"', '"pandas>=2.3.0"', text)
    assert bumped != text
    edited = tmp_path / "pyproject.toml"
    edited.write_text(bumped, encoding="utf-8")
    assert "pandas==2.3.0\n" in mc.render(edited)
    out = tmp_path / "constraints-min.txt"
    out.write_text(mc.render(), encoding="utf-8")
    assert mc.in_sync(REPO / "pyproject.toml", out)
    assert not mc.in_sync(edited, out)  # pyproject edited, constraints not regenerated
    out.write_text(mc.render().replace("pandas==", "pandas==9"), encoding="utf-8")
    assert not mc.in_sync(REPO / "pyproject.toml", out)  # constraints edited by hand


@pytest.mark.parametrize("req", ["numpy", "pandas<3", "dask[distributed]==2024.8.0",
                                 "scipy>=1.13,>=1.14"])
def test_a_requirement_without_one_lower_bound_is_refused(req):
    with pytest.raises(ValueError, match="lower"):
        _script().lower_bound(req)


def test_dev_extra_installs_every_other_extra():
    extras = _project()["optional-dependencies"]
    dev = {Requirement(r).name: str(Requirement(r)) for r in extras["dev"]}
    for name, reqs in extras.items():
        for req in reqs:
            r = Requirement(req)
            assert dev.get(r.name) == str(r), f"[dev] lacks {req} of [{name}]"
    for tool in ("pytest", "hypothesis", "nbclient", "nbformat", "ipykernel", "import-linter",
                 "ruff", "mypy", "pandas-stubs", "arch", "dask"):
        assert tool in dev, f"[dev] lacks {tool}"


def test_installed_releases_satisfy_the_declared_bounds():
    for req in _project()["dependencies"]:
        r = Requirement(req)
        installed = Version(metadata.version(r.name))
        assert installed in r.specifier, f"{r.name} {installed} is outside {r.specifier}"


def test_ci_runs_the_readme_test_command_and_the_minimums():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.search(r"```bash\n(.*?)\n```", readme, re.S)
    assert commands is not None
    setup, tests = commands.group(1).splitlines()[:2]
    assert "eventstudy run configs/deepseek_2025.yaml" in setup
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    # .ci/run runs the README's test command's steps in order (the gates and the background
    # install of the minimums go between its install and its pytest)
    at = 0
    for step in tests.split(" && "):
        found = ci.find(step, at)
        assert found >= 0, f".ci/run does not run {step!r} of the README's test command"
        at = found + len(step)
    assert "-c .ci/constraints-min.txt" in ci
    assert re.search(r"requires-python = \">=3\.11\"",
                     (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "Python 3.11" in readme
