r"""Abnormal trading volume around events (Ajinkya and Jain 1989; Campbell and Wasley 1996).

Volume is transformed to log(1 + V) (shares) or, with shares outstanding, to Campbell and Wasley's
log turnover; a market model of the security's volume measure on a market volume measure is fitted
over the estimation window with the same batched OLS as returns
(:func:`eventstudy.models.fit_batch`), and the abnormal volume of each event day is the measure less
its prediction. The cross-sectional tests are those of returns (:mod:`eventstudy.statistics`), run
on a :class:`~eventstudy.statistics.TestPanel` of abnormal log volume.

Volume-specific choices
-----------------------
- A day with zero or missing volume has no log volume: it is left out of the fit (never log(0), and
  never log(1 + 0) = 0 counted as an observation). A security whose volume is zero or missing on
  too many estimation days, or on every event-window day, is skipped with the reason; indices on
  Yahoo report a volume of 0, so an index is skipped, never fitted.
- The default market volume is the equal-weighted mean of the securities' own measure each day
  (Campbell and Wasley 1996's equal-weighted volume index); a Series or the name of a column (e.g.
  ``"SPY"``) gives another.
- Tests: ``t``, ``patell``, ``bmp``, ``kolari_pynnonen``, ``crude_dependence``, ``corrado_rank``,
  ``generalized_sign`` and ``sign`` apply as for returns (log volume is close to normal, Ajinkya
  and Jain 1989; Campbell and Wasley 1996 find the rank test best specified for Nasdaq volume).
  Buy-and-hold tests (``skewness_adjusted_t``) are refused: compounding log volume means nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Window
from eventstudy.eventtime import EventArrays, event_arrays
from eventstudy.exceptions import (
    ConfigError,
    DataQualityError,
    DataShapeError,
    EstimationError,
    InsufficientEstimationDataWarning,
    name_list,
)
from eventstudy.models import MarketModel, fit_batch
from eventstudy.statistics._result import TestResult
from eventstudy.statistics.battery import TEST_COLUMNS, run_test
from eventstudy.statistics.conventions import Conventions, get_conventions
from eventstudy.statistics.panel import TestPanel, build_panel
from eventstudy.windows import window_length

__all__ = ["VOLUME_TESTS", "TURNOVER_CONSTANT", "volume_measure", "abnormal_volume",
           "AbnormalVolumeResults", "read_volume"]

VOLUME_TESTS: tuple[str, ...] = ("t", "patell", "bmp", "kolari_pynnonen", "crude_dependence",
                                 "corrado_rank", "generalized_sign", "sign")
"""Tests of :mod:`eventstudy.statistics.battery` that apply to abnormal log volume."""

TURNOVER_CONSTANT = 0.000255
"""Campbell and Wasley (1996)'s constant added to turnover in percent before the log."""


def _read_one(path: Path, ticker: str | None) -> pd.DataFrame:
    """One file as a wide (date x ticker) volume frame."""
    if path.suffix.lower() == ".parquet":
        raw = pd.read_parquet(path)
        if isinstance(raw.index, pd.DatetimeIndex):
            raw = raw.reset_index()
    else:
        import gzip

        opener: Any = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig") as fh:
            head = [fh.readline() for _ in range(2)]
        if head[0].lower().startswith("price,") and head[1].lower().startswith("ticker,"):
            # yfinance download: (Price, Ticker) header lines, then a 'Date' line
            raw = pd.read_csv(path, header=[0, 1], skiprows=[2], encoding="utf-8-sig")
            vol = raw.loc[:, [c for c in raw.columns if str(c[0]).lower() == "volume"]]
            vol.columns = [str(c[1]) for c in vol.columns]
            vol.insert(0, "date", raw.iloc[:, 0])
            raw = vol
        else:
            raw = pd.read_csv(path, encoding="utf-8-sig")
    cols = {str(c).strip().lower(): c for c in raw.columns}
    date_col = cols.get("date") or cols.get("datetime") or raw.columns[0]
    dates = pd.to_datetime(raw[date_col].astype(str).str[:10], errors="coerce")
    if "volume" in cols:
        tick = raw[cols["ticker"]].astype(str) if "ticker" in cols else None
        if tick is None:
            name = ticker or path.stem
            frame = pd.DataFrame({"date": dates, "ticker": name, "volume": raw[cols["volume"]]})
        else:
            frame = pd.DataFrame({"date": dates, "ticker": tick, "volume": raw[cols["volume"]]})
    else:  # wide: a date column and one column per ticker
        frame = raw.drop(columns=[date_col]).assign(date=dates).melt(
            id_vars="date", var_name="ticker", value_name="volume")
    frame = frame.loc[frame["date"].notna()]  # junk lines (a stray ',UNH,' row) have no date
    values = pd.to_numeric(frame["volume"], errors="coerce")
    bad = values.isna() & frame["volume"].notna() & (frame["volume"].astype(str).str.strip() != "")
    if bad.any():
        r = frame.loc[bad].iloc[0]
        raise DataQualityError(f"{path}: volume {r['volume']!r} for {r['ticker']} on "
                               f"{r['date'].date()} is not a number")
    frame = frame.assign(volume=values)
    dup = frame.duplicated(["date", "ticker"])
    if dup.any():
        r = frame.loc[dup].iloc[0]
        raise DataQualityError(f"{path}: two volume rows for {r['ticker']} on {r['date'].date()}")
    return frame.pivot(index="date", columns="ticker", values="volume")


def read_volume(*paths: str | Path, ticker: str | None = None) -> pd.DataFrame:
    """Read daily share volume from local files with a volume column.

    Parameters
    ----------
    *paths : str or pathlib.Path
        CSV or Parquet files, each one of: long (``date, ticker, ..., volume``, e.g.
        ``us_daily_ohlcv.csv.gz``), one security (``Date, Open, ..., Volume``, yfinance's
        ``Ticker.history()``; dates with a time-zone suffix are read as their local date), a
        yfinance download with its two-line (Price, Ticker) header, or wide (a date column and
        one column per ticker). A UTF-8 byte-order mark is accepted.
    ticker : str, optional
        The symbol of a one-security file without a ticker column (default: the file name stem).

    Returns
    -------
    pandas.DataFrame
        (n_sessions, n_tickers) volume as float64 indexed by date (``DatetimeIndex`` named
        ``date``), the files joined on dates (NaN where a file has no row).

    Raises
    ------
    DataQualityError
        For a non-numeric volume or two rows of one ticker and date (names the file, ticker and
        date), or a ticker in two files.
    """
    frames = [_read_one(Path(p), ticker) for p in paths]
    seen: dict[str, str] = {}
    for p, f in zip(paths, frames, strict=True):
        for t in f.columns:
            if t in seen:
                raise DataQualityError(f"{t} has volume in both {seen[t]} and {p}")
            seen[str(t)] = str(p)
    out = pd.concat(frames, axis=1).sort_index().astype("float64")
    out.index = pd.DatetimeIndex(out.index, name="date")
    out.columns.name = None
    return out


def _check_volume(frame: pd.DataFrame, what: str) -> None:
    """Raise DataQualityError at the first negative or infinite volume, naming ticker and date."""
    v = frame.to_numpy(dtype="float64")
    bad = (v < 0) | np.isinf(v)
    if bad.any():
        r, c = (int(a[0]) for a in np.nonzero(bad))
        raise DataQualityError(
            f"{what}: volume {v[r, c]} for {frame.columns[c]} on "
            f"{pd.Timestamp(frame.index[r]).date()} is negative or infinite; fix the data")


def volume_measure(
    volume: pd.DataFrame, shares_outstanding: pd.Series | pd.DataFrame | None = None
) -> pd.DataFrame:
    r"""Return the volume measure: log(1 + V), or log turnover with shares outstanding.

    Parameters
    ----------
    volume : pandas.DataFrame
        (n_sessions, n_securities) daily share volume (raw counts, not split-adjusted is fine as
        long as shares outstanding are on the same basis), indexed by session date.
    shares_outstanding : pandas.Series or pandas.DataFrame, optional
        Shares outstanding per security (a Series by ticker) or per session and security (a frame
        like ``volume``). A security without it has no measure (NaN), so a study skips it.

    Returns
    -------
    pandas.DataFrame
        Same shape; NaN where the volume is zero or missing (no trade, or an index on Yahoo).

    Raises
    ------
    DataQualityError
        For a negative or infinite volume, or non-positive shares outstanding (names ticker and
        date).

    Notes
    -----
    .. math:: v_{it} = \log(1 + V_{it}) \quad\text{or}\quad
       v_{it} = \log\left(100\,\frac{V_{it}}{S_{it}} + 0.000255\right)

    the second being Campbell and Wasley (1996, eq. 1), turnover in percent; the log makes daily
    volume close to normal (Ajinkya and Jain 1989).

    References
    ----------
    .. [1] Ajinkya, B. B., Jain, P. C. (1989). The behavior of daily stock market trading volume.
       Journal of Accounting and Economics 11(4), 331-359.
    .. [2] Campbell, C. J., Wasley, C. E. (1996). Measuring abnormal daily trading volume for
       samples of NYSE/ASE and NASDAQ securities using parametric and nonparametric test
       statistics. Review of Quantitative Finance and Accounting 6(3), 309-326.
    """
    _check_volume(volume, "volume")
    v = volume.astype("float64").where(volume > 0)
    if shares_outstanding is None:
        return cast(pd.DataFrame, np.log1p(v))  # a ufunc keeps the frame
    if isinstance(shares_outstanding, pd.Series):
        s = pd.DataFrame(np.broadcast_to(
            shares_outstanding.reindex(volume.columns).to_numpy(dtype="float64"), volume.shape),
            index=volume.index, columns=volume.columns)
    else:
        s = shares_outstanding.reindex(index=volume.index, columns=volume.columns).astype("float64")
    bad = s.to_numpy() <= 0
    if bad.any():
        r, c = (int(a[0]) for a in np.nonzero(bad))
        raise DataQualityError(f"shares outstanding of {volume.columns[c]} on "
                               f"{pd.Timestamp(volume.index[r]).date()} is not positive")
    return cast(pd.DataFrame, np.log(100.0 * v / s + TURNOVER_CONSTANT))  # a ufunc keeps the frame


def _market_measure(
    market_volume: pd.Series | str | None, volume: pd.DataFrame, measure: pd.DataFrame,
    shares_outstanding: Any,
) -> tuple[pd.Series, str]:
    if market_volume is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return measure.mean(axis=1, skipna=True), "equal-weighted mean of the securities"
    if isinstance(market_volume, str):
        if market_volume not in volume.columns:
            raise DataShapeError(f"market_volume {market_volume!r} is not a column of volume")
        name = market_volume
        m = measure[market_volume]
    elif isinstance(market_volume, pd.Series):
        name = str(market_volume.name or "market")
        frame = market_volume.to_frame(name)
        if shares_outstanding is not None:
            raise ConfigError("with shares_outstanding, give market_volume as a column name or "
                              "None (a market turnover needs the market's shares outstanding)")
        m = volume_measure(frame)[name]
    else:
        raise DataShapeError("market_volume must be None, a column name or a Series")
    if not np.isfinite(m.to_numpy(dtype="float64")).any():
        raise DataShapeError(
            f"market volume {name} is zero or missing on every day (Yahoo reports 0 for indices "
            "such as ^GSPC): use an ETF's volume (e.g. SPY) or market_volume=None")
    return m, name


@dataclass(frozen=True)
class AbnormalVolumeResults:
    """Abnormal log volume of N security-events and its cross-sectional tests (frozen).

    Attributes
    ----------
    measure : str
        'log_volume' (log(1 + V)) or 'log_turnover'.
    market : str
        What the market volume measure is.
    estimation_window, event_windows : tuple of int, list of tuple of int
    events : pandas.DataFrame
        The fitted security-events: event_id, ticker, date, day0.
    volume : pandas.DataFrame
        (L, N) event-window volume measure, index tau, columns (event_id, ticker).
    normal : pandas.DataFrame
        (L, N) its market-model prediction.
    av : pandas.DataFrame
        (L, N) abnormal volume, measure - normal (log points: 0.69 means twice the normal volume).
    cav : pandas.DataFrame
        (L, N) cumulative abnormal volume from the first tau of the widest window.
    aav, caav : pandas.Series
        Average abnormal volume by tau over the security-events present, and its cumulative sum.
    cav_table : pandas.DataFrame
        One row per security-event x window: event_id, ticker, tau_start, tau_end, cav, scav
        (CAV standardised by its forecast-error standard deviation).
    params : pandas.DataFrame
        Per security-event (index event_id, ticker): alpha, beta, sigma, nobs.
    tests : pandas.DataFrame
        Columns group, tau_start, tau_end, test, statistic, p_value, n (group 'all').
    dropped : pandas.DataFrame
        Security-events skipped: event_id, ticker, reason.
    panel : TestPanel
        The abnormal log volume as a test panel (for :meth:`test` and further tests).
    """

    measure: str
    market: str
    estimation_window: Window
    event_windows: list[Window]
    events: pd.DataFrame
    volume: pd.DataFrame
    normal: pd.DataFrame
    av: pd.DataFrame
    cav: pd.DataFrame
    aav: pd.Series
    caav: pd.Series
    cav_table: pd.DataFrame
    params: pd.DataFrame
    tests: pd.DataFrame
    dropped: pd.DataFrame
    panel: TestPanel = field(repr=False, compare=False)

    def test(self, name: str = "t", window: Window = (0, 0)) -> TestResult:
        """Run one of :data:`VOLUME_TESTS` on the abnormal volume over an inclusive tau window.

        Raises
        ------
        ConfigError
            For a test that does not apply to volume, or a window outside the event windows.
        """
        _check_volume_tests([name])
        return run_test(self.panel, name, window)

    def to_frame(self) -> pd.DataFrame:
        """Return one long, tidy row per security-event x tau.

        Columns event_id, ticker, tau, measure, normal, av, cav.
        """
        out = []
        for name, frame in (("measure", self.volume), ("normal", self.normal), ("av", self.av),
                            ("cav", self.cav)):
            s = cast(pd.Series, frame.stack(["event_id", "ticker"], future_stack=True)).rename(name)
            out.append(s)
        tidy = pd.concat(out, axis=1).reset_index()
        return tidy[["event_id", "ticker", "tau", "measure", "normal", "av", "cav"]]


def _check_volume_tests(names: Sequence[str]) -> list[str]:
    bad = [n for n in names if n not in VOLUME_TESTS]
    if bad:
        raise ConfigError(f"test(s) {bad} do not apply to abnormal volume; choose from "
                          f"{list(VOLUME_TESTS)} (buy-and-hold tests compound log volume)")
    return list(names)


def _skip_reasons(arr: EventArrays, min_obs: int) -> dict[int, str]:
    keys = arr.keys
    tick = arr.events["ticker"].to_numpy()
    T = arr.y_est.shape[1]
    nobs = arr.valid.sum(axis=1)
    reasons: dict[int, str] = {}
    y_ok = np.isfinite(arr.y_est).sum(axis=1)
    for i in np.flatnonzero(nobs < min_obs):
        if y_ok[i] < min_obs:
            reasons[int(i)] = (f"{keys[i]} skipped: {tick[i]} volume is zero or missing on "
                               f"{T - int(y_ok[i])} of {T} estimation days (needs {min_obs} with "
                               "trades; an index on Yahoo reports 0)")
        else:
            reasons[int(i)] = (f"{keys[i]} skipped: market volume is missing on {T - int(nobs[i])}"
                               f" of {T} estimation days (needs {min_obs})")
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN row: sd NaN, skipped below
        sd = np.nanstd(np.where(arr.valid, arr.y_est, np.nan), axis=1)
        msd = np.nanstd(np.where(arr.valid, arr.m_est, np.nan), axis=1)
    for i in np.flatnonzero(~(sd > 1e-12)):
        reasons.setdefault(int(i), f"{keys[i]} skipped: {tick[i]} volume is constant over the "
                           "estimation window (a stale series?)")
    for i in np.flatnonzero(~(msd > 1e-12)):
        reasons.setdefault(int(i), f"{keys[i]} skipped: market volume is constant over the "
                           "estimation window")
    none = ~(np.isfinite(arr.y_evt) & np.isfinite(arr.m_evt)).any(axis=1)
    for i in np.flatnonzero(none):
        reasons.setdefault(int(i), f"{keys[i]} skipped: {tick[i]} volume is zero or missing on "
                           f"every event-window day ({pd.Timestamp(arr.dates[i, 0]).date()}.."
                           f"{pd.Timestamp(arr.dates[i, -1]).date()})")
    return reasons


def abnormal_volume(
    events: pd.DataFrame | Sequence[Mapping[str, Any]],
    volume: pd.DataFrame,
    market_volume: pd.Series | str | None = None,
    *,
    estimation_window: Window = (-250, -11),
    event_windows: Sequence[Window] = ((0, 0), (-1, 1)),
    shares_outstanding: pd.Series | pd.DataFrame | None = None,
    tests: Sequence[str] = ("t", "bmp", "corrado_rank"),
    min_estimation_obs: int | None = None,
    conventions: str | Conventions | Mapping[str, Any] | None = None,
) -> AbnormalVolumeResults:
    r"""Estimate abnormal trading volume with a market model of log volume.

    Parameters
    ----------
    events : pandas.DataFrame or list of dict
        One row per security-event: event_id, ticker (a column of ``volume``), date (a session, or
        the next session is day 0).
    volume : pandas.DataFrame
        (n_sessions, n_securities) daily share volume indexed by sorted session dates (e.g.
        :func:`eventstudy.datasets.load_volume`). Zero or NaN means no trade that day.
    market_volume : pandas.Series, str or None, default None
        Market volume (raw shares, e.g. SPY's) by session, the name of a ``volume`` column, or None
        for the equal-weighted mean of the securities' measure (Campbell and Wasley 1996).
    estimation_window : tuple of int, default (-250, -11)
        Inclusive (T0, T1) in sessions relative to day 0.
    event_windows : sequence of tuple of int, default ((0, 0), (-1, 1))
        Inclusive windows of the cumulative abnormal volume and its tests.
    shares_outstanding : pandas.Series or pandas.DataFrame, optional
        Use log turnover instead of log(1 + V); see :func:`volume_measure`.
    tests : sequence of str, default ('t', 'bmp', 'corrado_rank')
        Keys of :data:`VOLUME_TESTS`.
    min_estimation_obs : int, optional
        Fewest estimation days with volume (default half the window, rounded up, at least 3).
    conventions : str, Conventions or dict, optional
        As for :class:`~eventstudy.EventStudy` (sigma denominator, forecast-error correction).

    Returns
    -------
    AbnormalVolumeResults

    Raises
    ------
    ConfigError
        For a test that does not apply to volume, malformed events or windows.
    DataQualityError
        For a negative or infinite volume (names ticker and date).
    DataShapeError, DataUnavailableError
        For unknown tickers, a market volume that is 0 everywhere, or dates outside the data.
    EstimationError
        When every security-event is skipped (the reasons are listed).

    Warns
    -----
    InsufficientEstimationDataWarning
        Once, listing the skipped security-events and why.

    Notes
    -----
    With v_it the volume measure and v_mt the market's,

    .. math:: v_{it} = \alpha_i + \beta_i v_{mt} + \epsilon_{it}, \qquad
       AV_{it} = v_{it} - \hat\alpha_i - \hat\beta_i v_{mt}, \qquad
       CAV_i(t_1, t_2) = \sum_{t=t_1}^{t_2} AV_{it}

    fitted by OLS over the estimation window (Ajinkya and Jain 1989, Campbell and Wasley 1996's
    market model of log turnover). AV is in log points: exp(AV) - 1 is the volume in excess of
    normal. Standardisation and tests are those of returns (MacKinlay 1997; Boehmer et al. 1991;
    Corrado 1989).

    References
    ----------
    .. [1] Ajinkya, B. B., Jain, P. C. (1989). The behavior of daily stock market trading volume.
       Journal of Accounting and Economics 11(4), 331-359.
    .. [2] Campbell, C. J., Wasley, C. E. (1996). Measuring abnormal daily trading volume for
       samples of NYSE/ASE and NASDAQ securities using parametric and nonparametric test
       statistics. Review of Quantitative Finance and Accounting 6(3), 309-326.
    .. [3] Boehmer, E., Musumeci, J., Poulsen, A. B. (1991). JFE 30(2), 253-272.
    .. [4] Corrado, C. J. (1989). JFE 23(2), 385-395.

    Examples
    --------
    >>> from eventstudy.datasets import load_volume
    >>> from eventstudy.volume import abnormal_volume
    >>> res = abnormal_volume([{"event_id": "deepseek", "ticker": "NVDA", "date": "2025-01-27"}],
    ...                       load_volume(["NVDA", "AMD", "AVGO", "MSFT"]), event_windows=[(0, 0)])
    >>> print(f"{res.av.loc[0].iloc[0]:.2f}")  # doctest: +SKIP
    """
    names = _check_volume_tests(tests)
    conv = get_conventions(dict(conventions) if isinstance(conventions, Mapping) else conventions)
    measure = volume_measure(volume, shares_outstanding)
    m, market_name = _market_measure(market_volume, volume, measure, shares_outstanding)
    arr = event_arrays(events, measure, m, estimation_window=estimation_window,
                       event_windows=event_windows, what="volume")
    L_est = window_length(estimation_window)
    min_obs = (int(min_estimation_obs) if min_estimation_obs is not None
               else max(-(-L_est // 2), 3))
    if min_obs <= 2:
        raise ConfigError("min_estimation_obs must exceed 2 for the market model of volume")
    reasons = _skip_reasons(arr, min_obs)
    keep = np.ones(len(arr.events), dtype=bool)
    keep[list(reasons)] = False
    if reasons:
        warnings.warn(f"abnormal volume: {len(reasons)} security-event(s) skipped: "
                      + name_list(list(reasons.values()), 3, brackets=False),
                      InsufficientEstimationDataWarning, stacklevel=2)
    if not keep.any():
        raise EstimationError("abnormal volume: every security-event was skipped: "
                              + "; ".join(list(reasons.values())[:5]))
    dropped = pd.DataFrame(
        [(arr.events["event_id"].iat[i], arr.events["ticker"].iat[i], r)
         for i, r in sorted(reasons.items())], columns=["event_id", "ticker", "reason"])
    arr = arr.take(keep)
    model = MarketModel()
    fit = fit_batch(model, arr.y_est, arr.m_est, arr.valid)
    x_evt = model.regressors(arr.m_evt)
    normal = np.einsum("etk,ek->et", x_evt, fit.params)
    av = arr.y_evt - normal
    panel = build_panel(fit=fit, ar_evt=av, tau=arr.evt_tau, x_evt=x_evt, est_day=arr.est_day,
                        evt_day=arr.evt_day, ret_evt=arr.y_evt, normal_evt=normal,
                        conventions=conv)
    return _volume_results(arr, fit, panel, normal, names, dropped, conv, measure_name=(
        "log_volume" if shares_outstanding is None else "log_turnover"), market=market_name,
        estimation_window=estimation_window, event_windows=event_windows)


def _frame(values: Float64Array, arr: EventArrays) -> pd.DataFrame:
    cols = pd.MultiIndex.from_frame(arr.events[["event_id", "ticker"]])
    return pd.DataFrame(values.T, index=pd.Index(arr.evt_tau, name="tau"), columns=cols)


def _volume_results(
    arr: EventArrays, fit: Any, panel: TestPanel, normal: Float64Array, names: list[str],
    dropped: pd.DataFrame, conv: Conventions, *, measure_name: str, market: str,
    estimation_window: Window, event_windows: Sequence[Window],
) -> AbnormalVolumeResults:
    av = panel.ar_evt
    windows = [(int(a), int(b)) for a, b in event_windows]
    rows = []
    ids, tickers = arr.events["event_id"].tolist(), arr.events["ticker"].tolist()
    for w in windows:
        cav, scav = panel.car(w), panel.scar(w)
        rows += [(ids[i], tickers[i], w[0], w[1], cav[i], scav[i]) for i in range(panel.n)]
    cav_table = pd.DataFrame(rows, columns=["event_id", "ticker", "tau_start", "tau_end", "cav",
                                            "scav"])
    test_rows = []
    for w in windows:
        for name in names:
            r = run_test(panel, name, w)
            test_rows.append(("all", w[0], w[1], name, r.stat, r.pvalue, r.nobs))
    with np.errstate(invalid="ignore", divide="ignore"):
        n_t = np.isfinite(av).sum(axis=0)
        aav = np.where(n_t > 0, np.nansum(av, axis=0) / n_t, np.nan)
    idx = pd.MultiIndex.from_frame(arr.events[["event_id", "ticker"]])
    params = pd.DataFrame({"alpha": fit.params[:, 0], "beta": fit.params[:, 1],
                           "sigma": np.sqrt(panel.sigma2), "nobs": fit.nobs.astype(int)},
                          index=idx)
    tau = pd.Index(arr.evt_tau, name="tau")
    return AbnormalVolumeResults(
        measure=measure_name, market=market,
        estimation_window=(int(estimation_window[0]), int(estimation_window[1])),
        event_windows=windows, events=arr.events, volume=_frame(arr.y_evt, arr),
        normal=_frame(normal, arr), av=_frame(av, arr), cav=_frame(np.cumsum(av, axis=1), arr),
        aav=pd.Series(aav, index=tau, name="aav"),
        caav=pd.Series(np.cumsum(aav), index=tau, name="caav"), cav_table=cav_table,
        params=params, tests=pd.DataFrame(test_rows, columns=TEST_COLUMNS), dropped=dropped,
        panel=panel)
