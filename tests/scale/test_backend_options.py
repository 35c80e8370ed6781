"""The large backends refuse what they cannot honour, name bad options, and write a report folder.

Review findings of 2026-12-03: ``backend: chunked`` silently pooled named groups into one group
``all`` and ``pool_events: false`` events into one average; ``fit(workers="two")`` raised a bare
ValueError and ``workers=2.5``/``chunk_size=0``/``memory_budget=0`` passed silently; the Parquet
folder was private (0700), carried no ``config.resolved.yaml`` and was not put back when the swap
was interrupted.
"""

from __future__ import annotations

import os
import stat
import warnings

import pytest
from typer.testing import CliRunner

from eventstudy import EventStudy
from eventstudy.cli import app
from eventstudy.config import load_config
from eventstudy.exceptions import EventStudyWarning, SpecificationError

WINDOWS = [(0, 0), (-1, 1)]
runner = CliRunner()


def _study(data, **kw) -> EventStudy:
    events, ret, m = data
    return EventStudy(events, ret, m, estimation_window=(-250, -11), event_windows=WINDOWS,
                      min_estimation_obs=120, **kw)


def test_named_groups_are_refused_not_pooled(study_data):
    events, _, _ = study_data
    tickers = sorted(events["ticker"].unique())
    study = _study(study_data, groups={"a": tickers[:2], "b": tickers[2:4]})
    with pytest.raises(SpecificationError, match=r"groups \(a, b, other\) are not available"):
        study.fit(backend="chunked")


def test_pool_events_false_is_refused_and_auto_pooling_is_said(study_data):
    study = _study(study_data)
    with pytest.raises(SpecificationError, match="pool_events is false"):
        study.fit(backend="chunked", pool_events=False)
    # the fixture's events hold several securities each: auto reports them apart in memory
    assert not study.fit().pooled
    with pytest.warns(EventStudyWarning, match="average all .* events together"):
        study.fit(backend="chunked")
    with warnings.catch_warnings():
        warnings.simplefilter("error", EventStudyWarning)
        warnings.filterwarnings("ignore", message=".*(share their day 0|skipped|estimation)")
        study.fit(backend="chunked", pool_events=True)  # said explicitly: no warning


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"workers": "two"}, "workers must be a whole number of at least 1, not 'two'"),
    ({"workers": 2.5}, "workers must be a whole number"),
    ({"workers": True}, "workers must be a whole number"),
    ({"workers": 0}, "workers must be a whole number"),
    ({"chunk_size": 0}, "chunk_size must be a whole number"),
    ({"chunk_size": 2.5}, "chunk_size must be a whole number"),
    ({"memory_budget": float("nan")}, "memory_budget must be a positive number"),
    ({"memory_budget": 0}, "memory_budget must be a positive number"),
    ({"backend": "chunky"}, "backend must be 'memory', 'chunked' or 'dask'"),
    ({"backend": "memory", "workers": 2}, "workers applies only to backend chunked"),
    ({"backend": "memory", "chunk_size": 5}, "chunk_size applies only to backend chunked or dask"),
    ({"backend": "dask", "workers": 2}, "workers applies only to backend chunked"),
])
def test_fit_names_a_bad_backend_option(study_data, kwargs, message):
    kwargs = {"backend": "chunked", **kwargs}
    with pytest.raises(SpecificationError, match=message):
        _study(study_data).fit(**kwargs)


@pytest.mark.parametrize(("body", "message"), [
    ("backend: chunked\nworkers: true\n", "workers"),
    ("backend: memory\nworkers: 2\n", "line 5: key 'workers': applies only to backend: chunked"),
    ("chunk_size: 100\n", "line 4: key 'chunk_size': applies only to backend: chunked or dask"),
    ("backend: chunked\nscheduler: tcp://host:8786\n", "key 'scheduler': applies only to backend: dask"),
])
def test_study_file_names_a_bad_backend_option(tmp_path, body, message):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("study: bad\nevents: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA]}\n"
                   + body)
    with pytest.raises(Exception, match=message):
        load_config(cfg)


def _config(tmp_path, backend: str) -> str:
    cfg = tmp_path / f"{backend}.yaml"
    cfg.write_text("study: big\ndata: {source: bundled}\nmarket: ^GSPC\n"
                   "events: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA, AAPL, MSFT]}\n"
                   "estimation_window: [-120, -11]\nevent_windows: [[0, 0]]\n"
                   f"backend: {backend}\n")
    return str(cfg)


def test_chunked_folder_is_readable_records_what_ran_and_is_a_report(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", _config(tmp_path, "chunked"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    folder = out / "big"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o755
    assert "backend: chunked" in (folder / "config.resolved.yaml").read_text()
    # a later full run replaces it (it is a report folder), and the reverse too
    result = runner.invoke(app, ["run", _config(tmp_path, "memory"), "-o", str(out),
                                 "--formats", "csv"])
    assert result.exit_code == 0, result.output
    assert (folder / "car.csv").exists() and not (folder / "tests.parquet").exists()


def test_chunked_run_leaves_someone_elses_folder_alone(tmp_path):
    folder = tmp_path / "out" / "big"
    folder.mkdir(parents=True)
    (folder / "thesis.tex").write_text("my work")
    result = runner.invoke(app, ["run", _config(tmp_path, "chunked"), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0 and "not an eventstudy report" in result.output
    assert (folder / "thesis.tex").read_text() == "my work"


def test_interrupted_swap_puts_the_previous_results_back(study_data, tmp_path, monkeypatch):
    import eventstudy.scale.io as sio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = _study(study_data).fit(backend="chunked", pool_events=True)
    target = res.write(tmp_path / "r")
    before = sorted(p.name for p in target.iterdir())
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the new folder into place: interrupted
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(sio.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        res.write(target, overwrite=True)
    monkeypatch.setattr(sio.os, "replace", real)
    assert sorted(p.name for p in target.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no temporary folder left


def test_implausible_abnormal_return_is_warned_as_in_memory(study_data):
    """A +500% day-0 return was warned about in memory and passed silently when chunked."""
    events, ret, m = study_data
    ret = ret.copy()
    row = events.iloc[0]
    day0 = ret.index[ret.index.searchsorted(row["date"])]
    ret.loc[day0, row["ticker"]] = 5.0
    study = _study((events, ret, m), pool_events=True)
    expected = f"implausible abnormal return \\+.* for {row['event_id']}:{row['ticker']} on {day0.date()}"
    with pytest.warns(EventStudyWarning, match=expected):
        study.fit()
    with pytest.warns(EventStudyWarning, match=expected):
        study.fit(backend="chunked", workers=2, chunk_size=50)
