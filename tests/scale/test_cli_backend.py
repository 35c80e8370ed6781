"""``backend: chunked`` in a study file: the run writes the tables as Parquet (issue 17)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.config import load_config

runner = CliRunner()


def test_run_with_chunked_backend_writes_parquet(tmp_path):
    """The CLI runs a bundled study on the chunked backend and writes its Parquet tables."""
    cfg = tmp_path / "big.yaml"
    cfg.write_text("study: big\ndata: {source: bundled}\nmarket: ^GSPC\n"
                   "events: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA, AAPL, MSFT]}\n"
                   "estimation_window: [-120, -11]\nevent_windows: [[0, 0], [-1, 1]]\n"
                   "backend: chunked\nchunk_size: 2\nworkers: 2\n")
    result = runner.invoke(app, ["run", str(cfg), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "3 security-events fitted, 0 skipped (chunked" in result.output
    tests = pd.read_parquet(tmp_path / "out" / "big" / "tests.parquet")
    assert set(tests["test"]) >= {"t", "bmp", "kolari_pynnonen"}
    assert not list((tmp_path / "out" / "big").glob("*.csv"))


@pytest.mark.parametrize(("body", "message"), [
    ("backend: chunked\nworkers: 0\n", "workers"),  # a whole number of threads, at least 1
    ("backend: spark\n", "chunked"),  # an unknown backend names the choices
])
def test_backend_keys_are_checked(tmp_path, body, message):
    """``workers`` and ``backend`` are config errors naming the key or the choices."""
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("study: bad\nevents: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA]}\n" + body)
    with pytest.raises(Exception, match=message):
        load_config(cfg)
