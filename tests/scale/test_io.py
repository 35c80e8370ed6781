"""Large inputs and outputs: long Parquet returns, events from CSV/Parquet, atomic outputs."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.scale import io
from tests.scale.conftest import WINDOWS


def _long(ret: pd.DataFrame) -> pd.DataFrame:
    long = ret.rename_axis("date").reset_index().melt(id_vars="date", var_name="ticker",
                                                      value_name="return")
    return long.dropna().sample(frac=1.0, random_state=0)  # any row order


def test_long_parquet_returns_equal_the_wide_frame(study_data, tmp_path):
    """Returns scattered from a long file equal the wide frame they came from."""
    _, ret, _ = study_data
    path = tmp_path / "long.parquet"
    _long(ret).to_parquet(path, row_group_size=5_000)
    got = io.read_long_returns(path)
    want = ret.loc[:, sorted(ret.columns)]
    want = want.loc[want.notna().any(axis=1)]
    pd.testing.assert_frame_equal(got, want, check_names=False, check_freq=False,
                                  check_index_type=False)
    part = io.read_long_returns(path, tickers=["S003", "S010"], start=ret.index[100],
                                end=ret.index[199])
    assert list(part.columns) == ["S003", "S010"] and len(part) == 100


def test_long_parquet_prices(tmp_path):
    """Prices become simple returns between a ticker's consecutive rows."""
    idx = pd.bdate_range("2024-01-01", periods=4)
    frame = pd.DataFrame({"date": list(idx) * 2, "ticker": ["A"] * 4 + ["B"] * 4,
                          "close": [10.0, 11.0, 12.1, 12.1, 5.0, 4.0, 5.0, 5.5]})
    frame.iloc[::-1].to_parquet(tmp_path / "p.parquet")
    got = io.read_long_returns(tmp_path / "p.parquet", value="close")
    np.testing.assert_allclose(got["A"].to_numpy()[1:], [0.1, 0.1, 0.0])
    np.testing.assert_allclose(got["B"].to_numpy()[1:], [-0.2, 0.25, 0.1])
    assert np.isnan(got.iloc[0]).all()


def test_duplicate_rows_are_refused(tmp_path):
    """A (date, ticker) given twice is an error, never a silent overwrite."""
    d = pd.Timestamp("2024-01-02")
    pd.DataFrame({"date": [d, d], "ticker": ["A", "A"], "return": [0.1, 0.2]}).to_parquet(
        tmp_path / "d.parquet")
    with pytest.raises(Exception, match="more than once"):
        io.read_long_returns(tmp_path / "d.parquet")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_read_events(study_data, tmp_path, suffix):
    """Events read back as strings and dates, from CSV or Parquet."""
    events, _, _ = study_data
    path = tmp_path / f"events{suffix}"
    if suffix == ".csv":
        events.assign(ticker="0" + events["ticker"]).to_csv(path, index=False)
    else:
        events.assign(ticker="0" + events["ticker"]).to_parquet(path)
    got = io.read_events(path)
    assert got["ticker"].iloc[0].startswith("0S")  # a string, never a number
    np.testing.assert_array_equal(pd.to_datetime(got["date"]).to_numpy("datetime64[D]"),
                                  pd.to_datetime(events["date"]).to_numpy("datetime64[D]"))


def _results(study_data):
    events, ret, m = study_data
    study = EventStudy(events, ret, m, estimation_window=(-250, -11), event_windows=WINDOWS,
                       min_estimation_obs=120)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return study.fit(backend="chunked", chunk_size=10)


def test_outputs_written_atomically(study_data, tmp_path, monkeypatch):
    """Parquet always, CSV when asked; an interrupted write leaves no partial folder."""
    res = _results(study_data)
    out = res.write(tmp_path / "out", csv=True)
    assert {p.name for p in out.iterdir()} >= {"tests.parquet", "events.parquet", "tests.csv"}
    back = pd.read_parquet(out / "events.parquet")
    assert len(back) == res.nobs
    with pytest.raises(FileExistsError):
        res.write(tmp_path / "out")

    calls = {"n": 0}
    real = io._write_parquet

    def dies(frame, path, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(frame, path, rows)

    monkeypatch.setattr(io, "_write_parquet", dies)
    with pytest.raises(KeyboardInterrupt):
        res.write(tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
    calls["n"] = 0
    with pytest.raises(KeyboardInterrupt):
        res.write(tmp_path / "out", overwrite=True)
    assert (tmp_path / "out" / "tests.csv").exists()  # the previous outputs are untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left
