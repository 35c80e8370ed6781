"""Fuzzing the options of issue 13: aliases, event_columns, date_format, excel_dates, data.unit_switch,
data.interval, data.currency, quality_errors: skip, and the bad-bar screen.

As in test_fuzz_inputs: only EventStudyError subclasses may escape, never another exception or a
hang; where the result is defined, it is checked (a bad bar never survives the screen).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import assume, given
from hypothesis import strategies as st

from eventstudy.config import StudyConfig, load_config
from eventstudy.data.dates import ambiguity, date_hint, excel_serial
from eventstudy.data.files import parse_dates
from eventstudy.data.quality import BAD_BAR_REVERT, BAD_BAR_SIZE, QualityLog, screen_prices
from eventstudy.exceptions import EventStudyError
from eventstudy.inputs import read_events_csv

from .fuzzing import FUZZ, NASTY_TEXT


def _only_our_errors(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kwargs)
        except EventStudyError:
            return None


_text = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=10))
_formats = st.one_of(st.sampled_from(["%d.%m.%Y", "%m/%d/%Y", "%d/%m/%y", "%Y%m%d", "%%", "%Q",
                                      "", "%Y-%m-%d %H:%M", "%d %B %Y"]), _text)
_option_values = st.one_of(_text, st.booleans(), st.none(), st.integers(-10**6, 10**6),
                           st.dictionaries(_text, _text, max_size=3),
                           st.lists(_text, max_size=3))


@FUZZ
@given(aliases=_option_values, columns=_option_values, date_format=_option_values,
       excel=_option_values, unit_switch=_option_values, interval=_option_values,
       currency=_option_values, quality=_option_values)
def test_fuzz_new_config_options(tmp_path_factory, aliases, columns, date_format, excel,
                                 unit_switch, interval, currency, quality):
    import yaml

    raw = {"study": "f", "events": [{"id": "e", "date": "2025-01-27"}],
           "groups": {"g": ["NVDA"]}, "aliases": aliases, "event_columns": columns,
           "date_format": date_format, "excel_dates": excel,
           "data": {"source": "bundled", "unit_switch": unit_switch, "interval": interval,
                    "currency": currency, "quality_errors": quality}}
    p = tmp_path_factory.mktemp("cfg") / "c.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    cfg = _only_our_errors(load_config, p)
    if cfg is not None:
        assert isinstance(cfg, StudyConfig)
        assert cfg.data.interval == "1d"  # nothing else is ever accepted
        assert cfg.data.unit_switch in ("error", "rescale")


_dates = st.one_of(
    st.dates(min_value=pd.Timestamp("1990-01-01").date(),
             max_value=pd.Timestamp("2025-12-31").date()).flatmap(lambda d: st.sampled_from([
                 d.isoformat(), d.strftime("%d.%m.%Y"), d.strftime("%m/%d/%Y"),
                 d.strftime("%d/%m/%y"), str((pd.Timestamp(d) - pd.Timestamp("1899-12-30")).days),
             ])),
    _text)


@FUZZ
@given(dates=st.lists(_dates, min_size=1, max_size=4), date_format=st.one_of(st.none(), _formats),
       excel=st.booleans(),
       header=st.sampled_from(["event_id,ticker,date", "id,symbol,event_date", "a,b,c"]),
       columns=st.one_of(st.none(), st.just({"event_id": "id", "ticker": "symbol",
                                             "date": "event_date"}),
                         st.dictionaries(st.sampled_from(["event_id", "ticker", "date"]), _text,
                                         max_size=3)))
def test_fuzz_events_csv_options(tmp_path_factory, dates, date_format, excel, header, columns):
    body = "".join(f"e{i},NVDA,{d.replace(',', ' ')}\n" for i, d in enumerate(dates))
    p = tmp_path_factory.mktemp("ev") / "events.csv"
    p.write_text(f"{header}\n{body}", encoding="utf-8")
    frame = _only_our_errors(read_events_csv, p, columns=columns, date_format=date_format,
                             excel_dates=excel)
    if frame is not None:
        assert frame["date"].notna().all()
        assert (frame["date"] == frame["date"].dt.normalize()).all()


@FUZZ
@given(texts=st.lists(_dates, min_size=1, max_size=5), date_format=st.one_of(st.none(), _formats),
       excel=st.booleans())
def test_fuzz_price_file_dates_with_options(texts, date_format, excel):
    got = _only_our_errors(parse_dates, pd.Series(texts), label="p.csv",
                           date_format=date_format, excel_dates=excel)
    if got is not None:
        assert len(got) == len(texts) and got.notna().all()


@FUZZ
@given(text=_dates)
def test_fuzz_date_hints_never_crash(text):
    assert isinstance(date_hint(text), str)
    found = ambiguity(text)
    assert found is None or len(found) == 2
    serial = excel_serial(text)
    assert serial is None or serial >= pd.Timestamp("1900-03-01")


@FUZZ
@given(seed=st.integers(0, 2**16), k=st.integers(1, 3), sign=st.sampled_from([1, -1]),
       noise=st.floats(-0.09, 0.09), back=st.floats(-0.12, 0.12), at=st.integers(3, 40),
       rescale=st.booleans())
def test_fuzz_bad_bars_never_survive_the_screen(seed, k, sign, noise, back, at, rescale):
    rng = np.random.default_rng(seed)
    p = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, 60)))
    p[at] = p[at] * 10.0 ** (sign * k) * np.exp(noise)  # a slip of ~10^k, +-9%
    p[at + 1] = p[at - 1] * np.exp(back)  # back near the pre-spike level
    assume(abs(np.log(p[at + 2] / p[at + 1])) < 0.2)
    close = pd.DataFrame({"X": p}, index=pd.bdate_range("2024-01-01", periods=60))
    log = QualityLog()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = screen_prices(close, log=log, unit_switch="rescale" if rescale else "error")
    v = out["X"].dropna().to_numpy()
    lr = np.log(v[1:-1] / v[:-2])
    rev = np.log(v[2:] / v[:-2])
    assert not ((np.abs(lr) >= BAD_BAR_SIZE) & (np.abs(rev) <= BAD_BAR_REVERT)).any()
    assert not (np.abs(lr) >= BAD_BAR_SIZE).any()
    found = log.frame()
    assert found["check"].isin(["bad_bar_repaired", "bad_bar_excluded"]).sum() == 1
    assert str(found.loc[found["check"].str.startswith("bad_bar"), "date"].iat[0]) \
        == str(close.index[at].date())
    # every return left is plausible: the slip is gone, repaired or excluded
    r = np.diff(np.log(v))
    assert np.abs(r).max() < np.log(2.0)
