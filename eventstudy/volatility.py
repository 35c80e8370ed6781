r"""GARCH-standardised abnormal returns and abnormal volatility around events.

- :func:`garch_abnormal_returns`: the market model with GARCH(1,1) errors
  (:class:`~eventstudy.models.garch.MarketGarchModel`, via the optional ``arch`` package), its
  abnormal returns standardised by the conditional variance forecast for each event day (Savickas
  2003), and the return tests (t, Patell, BMP, rank, ...) run on that standardised panel.
- :func:`abnormal_volatility`: the ratio of each event day's squared abnormal return to the variance
  the model expects, sigma^2 (1 + x'(X'X)^{-1}x) for the OLS market model or the GARCH forecast
  h_t (EventStudyTools' AVyC idea; Bialkowski et al. 2008), with the tests valid for squared
  residuals (:mod:`eventstudy.statistics.volatility`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Window
from eventstudy.eventtime import EventArrays, event_arrays
from eventstudy.exceptions import (
    ConfigError,
    EstimationError,
    InsufficientEstimationDataWarning,
    name_list,
)
from eventstudy.models import MarketModel, fit_batch
from eventstudy.models.garch import GarchBatchFit, MarketGarchModel, forecast_variance
from eventstudy.statistics._result import TestResult
from eventstudy.statistics.battery import TEST_COLUMNS, TESTS, run_test
from eventstudy.statistics.conventions import Conventions, get_conventions
from eventstudy.statistics.panel import TestPanel, build_panel
from eventstudy.statistics.volatility import check_volatility_tests, variance_ratio
from eventstudy.windows import window_length

__all__ = ["garch_abnormal_returns", "GarchResults", "abnormal_volatility",
           "AbnormalVolatilityResults"]


def _columns(arr: EventArrays) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(arr.events[["event_id", "ticker"]])


def _frame(values: Float64Array, arr: EventArrays) -> pd.DataFrame:
    return pd.DataFrame(values.T, index=pd.Index(arr.evt_tau, name="tau"), columns=_columns(arr))


def _skips(arr: EventArrays, min_obs: int) -> dict[int, str]:
    """Reasons to skip security-events: too few estimation returns, constant series, no event AR."""
    keys, T = arr.keys, arr.y_est.shape[1]
    nobs = arr.valid.sum(axis=1)
    reasons = {int(i): f"{keys[i]} skipped: {int(nobs[i])} of {T} estimation returns (< {min_obs})"
               for i in np.flatnonzero(nobs < min_obs)}
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(np.where(arr.valid, arr.y_est, np.nan), axis=1)
        msd = np.nanstd(np.where(arr.valid, arr.m_est, np.nan), axis=1)
    for i in np.flatnonzero(~(sd > 1e-6)):
        reasons.setdefault(int(i), f"{keys[i]} skipped: stock return has zero variance in the "
                           "estimation window (stale/suspended prices?)")
    for i in np.flatnonzero(~(msd > 1e-6)):
        reasons.setdefault(int(i), f"{keys[i]} skipped: market return has zero variance in the "
                           "estimation window")
    for i in np.flatnonzero(~(np.isfinite(arr.y_evt) & np.isfinite(arr.m_evt)).any(axis=1)):
        reasons.setdefault(int(i), f"{keys[i]} skipped: no return in the event window")
    return reasons


def _prepare(
    events: Any, returns: pd.DataFrame, market: pd.Series | pd.DataFrame, estimation_window: Window,
    event_windows: Sequence[Window], min_estimation_obs: int | None, what: str,
) -> tuple[EventArrays, pd.DataFrame]:
    arr = event_arrays(events, returns, market, estimation_window=estimation_window,
                       event_windows=event_windows, what="returns")
    L_est = window_length(estimation_window)
    min_obs = (int(min_estimation_obs) if min_estimation_obs is not None
               else max(-(-L_est // 2), 10))
    reasons = _skips(arr, min_obs)
    return _drop(arr, reasons, what)


def _drop(arr: EventArrays, reasons: dict[int, str], what: str) -> tuple[EventArrays, pd.DataFrame]:
    keep = np.ones(len(arr.events), dtype=bool)
    keep[list(reasons)] = False
    if reasons:
        warnings.warn(f"{what}: {len(reasons)} security-event(s) skipped: "
                      + name_list(list(reasons.values()), 3, brackets=False),
                      InsufficientEstimationDataWarning, stacklevel=3)
    if not keep.any():
        raise EstimationError(f"{what}: every security-event was skipped: "
                              + "; ".join(list(reasons.values())[:5]))
    dropped = pd.DataFrame([(arr.events["event_id"].iat[i], arr.events["ticker"].iat[i], r)
                            for i, r in sorted(reasons.items())],
                           columns=["event_id", "ticker", "reason"])
    return arr.take(keep), dropped


@dataclass(frozen=True)
class _GarchFit:
    arr: EventArrays
    fit: GarchBatchFit
    normal: Float64Array
    ar: Float64Array
    h_evt: Float64Array
    z_est: Float64Array
    z_evt: Float64Array
    dropped: pd.DataFrame


def _garch_fit(
    events: Any, returns: pd.DataFrame, market: pd.Series | pd.DataFrame, estimation_window: Window,
    event_windows: Sequence[Window], min_estimation_obs: int | None, what: str,
) -> _GarchFit:
    arr, dropped = _prepare(events, returns, market, estimation_window, event_windows,
                            min_estimation_obs, what)
    model = MarketGarchModel()
    fit = model.estimate(arr.y_est, arr.m_est, arr.valid)
    failed = {int(i): f"{arr.keys[i]} skipped: the GARCH(1,1) fit failed"
              for i in np.flatnonzero(~np.isfinite(fit.params).all(axis=1))}
    if failed:
        keep = np.ones(len(arr.events), dtype=bool)
        keep[list(failed)] = False
        arr, more = _drop(arr, failed, what)
        dropped = pd.concat([dropped, more], ignore_index=True)
        parts: dict[str, Any] = {f.name: None if getattr(fit, f.name) is None
                                 else getattr(fit, f.name)[keep] for f in fields(fit)}
        fit = GarchBatchFit(**parts)
    assert fit.last_day is not None and fit.cond_var is not None
    rows = np.arange(len(arr.events))
    last_pos = arr.est_day[rows, np.clip(fit.last_day, 0, None)]
    steps = arr.evt_day - last_pos[:, None]
    h_evt = forecast_variance(fit, steps)
    normal = np.einsum("etk,ek->et", model.regressors(arr.m_evt), fit.params)
    ar = arr.y_evt - normal
    with np.errstate(invalid="ignore", divide="ignore"):
        z_est = fit.resid / np.sqrt(fit.cond_var)
        z_evt = ar / np.sqrt(h_evt)
    return _GarchFit(arr, fit, normal, ar, h_evt, z_est, z_evt, dropped)


def _standardised_panel(
    g: _GarchFit, values_est: Float64Array, values_evt: Float64Array, df: Float64Array,
    conventions: Conventions,
) -> TestPanel:
    """Return a TestPanel of values already standardised (variance 1, no forecast-error term)."""
    arr = g.arr
    n = len(arr.events)
    return TestPanel(
        ar_est=values_est, ar_evt=values_evt, tau=arr.evt_tau, sigma2=np.ones(n), nobs=g.fit.nobs,
        df=df, x_evt=MarketGarchModel().regressors(arr.m_evt), A=np.zeros((n, 2, 2)),
        est_day=np.where(np.isfinite(values_est), arr.est_day, -1), evt_day=arr.evt_day,
        ret_evt=arr.y_evt, normal_evt=g.normal,
        conventions=replace(conventions, forecast_error=False))


def _tests_table(panel: TestPanel, windows: Sequence[Window], names: Sequence[str],
                 extra: Mapping[str, Any] | None = None) -> pd.DataFrame:
    rows = []
    for w in windows:
        for name in names:
            r = extra[name](panel, w) if extra and name in extra else run_test(panel, name, w)
            rows.append(("all", int(w[0]), int(w[1]), name, r.stat, r.pvalue, r.nobs))
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


@dataclass(frozen=True)
class GarchResults:
    """Abnormal returns of the market model with GARCH(1,1) errors (frozen).

    Attributes
    ----------
    events : pandas.DataFrame
        Fitted security-events: event_id, ticker, date, day0.
    ar : pandas.DataFrame
        (L, N) abnormal returns, decimals, index tau, columns (event_id, ticker).
    cond_var : pandas.DataFrame
        (L, N) conditional variance forecast h_t for each event day from the end of the estimation
        window (decimals squared).
    sar : pandas.DataFrame
        (L, N) AR / sqrt(h_t).
    car : pandas.DataFrame
        (L, N) cumulative abnormal returns from the first tau.
    params : pandas.DataFrame
        Per security-event: alpha, beta (mean), omega, alpha1, beta1 (variance), persistence
        (alpha1 + beta1), converged, nobs.
    tests : pandas.DataFrame
        Columns group, tau_start, tau_end, test, statistic, p_value, n, on the standardised panel.
    dropped : pandas.DataFrame
        Skipped security-events with the reason.
    panel : TestPanel
        GARCH-standardised ARs (sigma 1, no forecast-error term) for further tests.
    """

    events: pd.DataFrame
    ar: pd.DataFrame
    cond_var: pd.DataFrame
    sar: pd.DataFrame
    car: pd.DataFrame
    params: pd.DataFrame
    tests: pd.DataFrame
    dropped: pd.DataFrame
    panel: TestPanel = field(repr=False, compare=False)

    def test(self, name: str = "bmp", window: Window = (0, 0)) -> TestResult:
        """Run a return test (a key of :data:`eventstudy.statistics.TESTS`) on the SARs.

        On the standardised panel ``t`` and ``bmp`` coincide (both test the mean SCAR).
        """
        return run_test(self.panel, name, window)


def garch_abnormal_returns(
    events: pd.DataFrame | Sequence[Mapping[str, Any]],
    returns: pd.DataFrame,
    market: pd.Series | pd.DataFrame,
    *,
    estimation_window: Window = (-250, -11),
    event_windows: Sequence[Window] = ((0, 0), (-1, 1)),
    tests: Sequence[str] = ("t", "patell", "bmp", "corrado_rank"),
    min_estimation_obs: int | None = None,
    conventions: str | Conventions | Mapping[str, Any] | None = None,
) -> GarchResults:
    r"""Estimate abnormal returns with the GARCH(1,1) market model, standardised by h_t.

    Parameters
    ----------
    events : pandas.DataFrame or list of dict
        Columns event_id, ticker (a column of ``returns``), date.
    returns : pandas.DataFrame
        (n_sessions, n_securities) decimal returns indexed by sorted session dates.
    market : pandas.Series or pandas.DataFrame
        Market returns on the same index.
    estimation_window : tuple of int, default (-250, -11)
    event_windows : sequence of tuple of int, default ((0, 0), (-1, 1))
    tests : sequence of str, default ('t', 'patell', 'bmp', 'corrado_rank')
        Keys of :data:`eventstudy.statistics.TESTS`.
    min_estimation_obs : int, optional
        Fewest valid estimation returns (default half the window, at least 10).
    conventions : str, Conventions or dict, optional
        As for :class:`~eventstudy.EventStudy`; the forecast-error correction is off (the
        standardisation is by h_t).

    Returns
    -------
    GarchResults

    Raises
    ------
    ImportError
        When ``arch`` is not installed (names the ``garch`` extra).
    ConfigError
        For an unknown test.
    EstimationError
        When every security-event is skipped.

    Notes
    -----
    Mean and variance equation as :class:`~eventstudy.models.garch.MarketGarchModel`. With T the
    last valid estimation day, the event day tau is s = pos(tau) - pos(T) sessions ahead, and

    .. math:: SAR_{i\tau} = \frac{AR_{i\tau}}{\sqrt{E_T[h_{i,T+s}]}}

    (Savickas 2003, who uses the conditional variance in a BMP-type test). The tests then treat
    SAR as a unit-variance AR: Patell's df_i / (df_i - 2) uses df_i = M_i - 5.

    References
    ----------
    .. [1] Bollerslev, T. (1986). Journal of Econometrics 31(3), 307-327.
    .. [2] Savickas, R. (2003). Event-induced volatility and tests for abnormal performance.
       Journal of Financial Research 26(2), 165-178.
    .. [3] Boehmer, E., Musumeci, J., Poulsen, A. B. (1991). JFE 30(2), 253-272.
    """
    unknown = [t for t in tests if t not in TESTS]
    if unknown:
        raise ConfigError(f"unknown test(s) {unknown}; choose from {sorted(TESTS)}")
    conv = get_conventions(dict(conventions) if isinstance(conventions, Mapping) else conventions)
    g = _garch_fit(events, returns, market, estimation_window, event_windows, min_estimation_obs,
                   "GARCH abnormal returns")
    panel = _standardised_panel(g, g.z_est, g.z_evt, g.fit.nobs - 5.0, conv)
    windows = [(int(a), int(b)) for a, b in event_windows]
    fit = g.fit
    assert fit.garch_params is not None and fit.converged is not None
    params = pd.DataFrame({
        "alpha": fit.params[:, 0], "beta": fit.params[:, 1], "omega": fit.garch_params[:, 0],
        "alpha1": fit.garch_params[:, 1], "beta1": fit.garch_params[:, 2],
        "persistence": fit.garch_params[:, 1] + fit.garch_params[:, 2],
        "converged": fit.converged, "nobs": fit.nobs.astype(int)}, index=_columns(g.arr))
    return GarchResults(
        events=g.arr.events, ar=_frame(g.ar, g.arr), cond_var=_frame(g.h_evt, g.arr),
        sar=_frame(g.z_evt, g.arr), car=_frame(np.cumsum(g.ar, axis=1), g.arr), params=params,
        tests=_tests_table(panel, windows, list(tests)), dropped=g.dropped, panel=panel)


@dataclass(frozen=True)
class AbnormalVolatilityResults:
    """Abnormal volatility: squared abnormal returns over their expected variance (frozen).

    Attributes
    ----------
    variance : {'market', 'garch'}
        The expected variance: OLS market model or GARCH(1,1) forecast.
    events : pandas.DataFrame
        Fitted security-events: event_id, ticker, date, day0.
    ratio : pandas.DataFrame
        (L, N) r = AR^2 / E[variance] per event day, index tau, columns (event_id, ticker); 1 is
        normal volatility, 4 a two-standard-deviation move.
    mean_ratio : pandas.Series
        Cross-sectional mean of r by tau (EventStudyTools' AVyC idea).
    window_table : pandas.DataFrame
        One row per security-event x window: event_id, ticker, tau_start, tau_end, mean_ratio.
    tests : pandas.DataFrame
        Columns group, tau_start, tau_end, test, statistic, p_value, n.
    dropped : pandas.DataFrame
        Skipped security-events with the reason.
    panel : TestPanel
        r - 1 as the panel's abnormal values (estimation window: the same ratio of the residuals).
    """

    variance: str
    events: pd.DataFrame
    ratio: pd.DataFrame
    mean_ratio: pd.Series
    window_table: pd.DataFrame
    tests: pd.DataFrame
    dropped: pd.DataFrame
    panel: TestPanel = field(repr=False, compare=False)

    def test(self, name: str = "t", window: Window = (0, 0)) -> TestResult:
        """Run one of :data:`~eventstudy.statistics.volatility.VOLATILITY_TESTS`.

        Raises
        ------
        ConfigError
            For a sign-flip bootstrap or a test that assumes symmetric ARs.
        """
        check_volatility_tests([name])
        if name == "variance_ratio":
            return variance_ratio(self.panel, window)
        return run_test(self.panel, name, window)


def abnormal_volatility(
    events: pd.DataFrame | Sequence[Mapping[str, Any]],
    returns: pd.DataFrame,
    market: pd.Series | pd.DataFrame,
    *,
    variance: Literal["market", "garch"] = "market",
    estimation_window: Window = (-250, -11),
    event_windows: Sequence[Window] = ((0, 0), (-1, 1)),
    tests: Sequence[str] = ("t", "variance_ratio", "corrado_rank"),
    min_estimation_obs: int | None = None,
    conventions: str | Conventions | Mapping[str, Any] | None = None,
) -> AbnormalVolatilityResults:
    r"""Measure abnormal volatility: squared ARs relative to the variance the model expects.

    Parameters
    ----------
    events : pandas.DataFrame or list of dict
        Columns event_id, ticker (a column of ``returns``), date.
    returns : pandas.DataFrame
        (n_sessions, n_securities) decimal returns indexed by sorted session dates.
    market : pandas.Series or pandas.DataFrame
        Market returns on the same index.
    variance : {'market', 'garch'}, default 'market'
        ``'market'``: the OLS market model's forecast-error variance sigma^2 (1 + x'(X'X)^{-1}x)
        (no extra dependency); ``'garch'``: the GARCH(1,1) forecast h_t (needs ``arch``).
    estimation_window : tuple of int, default (-250, -11)
    event_windows : sequence of tuple of int, default ((0, 0), (-1, 1))
    tests : sequence of str, default ('t', 'variance_ratio', 'corrado_rank')
        Keys of :data:`~eventstudy.statistics.volatility.VOLATILITY_TESTS`.
    min_estimation_obs : int, optional
        Fewest valid estimation returns (default half the window, at least 10).
    conventions : str, Conventions or dict, optional
        As for :class:`~eventstudy.EventStudy` (the sigma denominator of ``'market'``).

    Returns
    -------
    AbnormalVolatilityResults

    Raises
    ------
    ConfigError
        For a sign-flip bootstrap (refused: squared residuals are not symmetric), a test that
        assumes symmetric ARs, or an unknown ``variance``.
    ImportError
        With ``variance='garch'`` and no ``arch`` (names the extra).
    EstimationError
        When every security-event is skipped.

    Notes
    -----
    .. math:: r_{i\tau} = \frac{AR_{i\tau}^2}{E[\sigma^2_{i\tau}]},\qquad
       \bar r_\tau = \frac{1}{N}\sum_i r_{i\tau}

    E[r] = 1 under H0 (df/(df - 2) with an estimated sigma). The ``t`` test is the cross-sectional
    t of sum_tau (r - 1) over the window; ``variance_ratio`` the pooled z of
    :func:`~eventstudy.statistics.volatility.variance_ratio`; ``corrado_rank`` and
    ``generalized_sign`` rank and sign r - 1 among the estimation days' e_t^2 / E[sigma_t^2] - 1.

    References
    ----------
    .. [1] Beaver, W. H. (1968). JAR 6 (Supplement), 67-92.
    .. [2] Bialkowski, J., Gottschalk, K., Wisniewski, T. P. (2008). Stock market volatility around
       national elections. Journal of Banking and Finance 32(9), 1941-1953.
    .. [3] Bollerslev, T. (1986). Journal of Econometrics 31(3), 307-327.
    .. [4] Corrado, C. J. (1989). JFE 23(2), 385-395.
    """
    names = check_volatility_tests(tests)
    if variance not in ("market", "garch"):
        raise ConfigError(f"variance must be 'market' or 'garch', not {variance!r}")
    conv = get_conventions(dict(conventions) if isinstance(conventions, Mapping) else conventions)
    what = "abnormal volatility"
    if variance == "garch":
        g = _garch_fit(events, returns, market, estimation_window, event_windows,
                       min_estimation_obs, what)
        arr, dropped = g.arr, g.dropped
        r_est, r_evt = g.z_est**2, g.z_evt**2
        df = np.full(len(arr.events), np.inf)
        panel = _standardised_panel(g, r_est - 1.0, r_evt - 1.0, df, conv)
    else:
        arr, dropped = _prepare(events, returns, market, estimation_window, event_windows,
                                min_estimation_obs, what)
        model = MarketModel()
        fit = fit_batch(model, arr.y_est, arr.m_est, arr.valid)
        x_evt = model.regressors(arr.m_evt)
        normal = np.einsum("etk,ek->et", x_evt, fit.params)
        base = build_panel(fit=fit, ar_evt=arr.y_evt - normal, tau=arr.evt_tau, x_evt=x_evt,
                           est_day=arr.est_day, evt_day=arr.evt_day, ret_evt=arr.y_evt,
                           normal_evt=normal, conventions=conv)
        r_evt = base.sar**2  # one standardisation: the panel's forecast-error SAR
        with np.errstate(invalid="ignore", divide="ignore"):
            r_est = base.ar_est**2 / base.sigma2[:, None]
        panel = replace(base, ar_est=r_est - 1.0, ar_evt=r_evt - 1.0, sigma2=np.ones(base.n),
                        A=np.zeros_like(base.A),
                        conventions=replace(base.conventions, forecast_error=False))
    windows = [(int(a), int(b)) for a, b in event_windows]
    rows = []
    ids, tickers = arr.events["event_id"].tolist(), arr.events["ticker"].tolist()
    for w in windows:
        sl = panel.window_slice(w)
        m = r_evt[:, sl].mean(axis=1)
        rows += [(ids[i], tickers[i], w[0], w[1], m[i]) for i in range(len(m))]
    with np.errstate(invalid="ignore", divide="ignore"):
        n_t = np.isfinite(r_evt).sum(axis=0)
        mean_ratio = np.where(n_t > 0, np.nansum(r_evt, axis=0) / n_t, np.nan)
    return AbnormalVolatilityResults(
        variance=variance, events=arr.events, ratio=_frame(r_evt, arr),
        mean_ratio=pd.Series(mean_ratio, index=pd.Index(arr.evt_tau, name="tau"),
                             name="mean_ratio"),
        window_table=pd.DataFrame(rows, columns=["event_id", "ticker", "tau_start", "tau_end",
                                                 "mean_ratio"]),
        tests=_tests_table(panel, windows, names, {"variance_ratio": variance_ratio}),
        dropped=dropped, panel=panel)
