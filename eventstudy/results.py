"""``EventStudyResults``: read-only, lazily computed outputs of ``EventStudy.fit``."""

from __future__ import annotations

import warnings
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Window
from eventstudy.exceptions import ConfigError, name_list
from eventstudy.models import BatchFit
from eventstudy.statistics import TestResult
from eventstudy.statistics.parametric import car_variance, cross_sectional_t, t_pvalue

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from statsmodels.iolib.summary2 import Summary

    from eventstudy.claims.evaluate import ClaimsEvaluation
    from eventstudy.statistics.panel import TestPanel
    from eventstudy.study import EventStudy

__all__ = ["EventStudyResults"]


class EventStudyResults:
    """Results of an event study: ARs, CARs, AAR/CAAR per group and their tests.

    Security-events are keyed by (event_id, ticker); tau counts sessions relative to day 0. Returns
    and abnormal returns are decimals. Created by :meth:`EventStudy.fit`; not meant to be built by hand.
    """

    def __init__(
        self,
        *,
        study: EventStudy,
        keep: np.ndarray,
        fit: BatchFit,
        evt_tau: np.ndarray,
        dates: np.ndarray,
        ret: Float64Array,
        normal: Float64Array,
        ar: Float64Array,
        t_ar: Float64Array,
        p_ar: Float64Array,
        market: Float64Array,
        est_day: np.ndarray | None = None,
        evt_day: np.ndarray | None = None,
        est_all: tuple[Float64Array, np.ndarray] | None = None,
        dropped: pd.DataFrame,
        shifted: pd.DataFrame,
    ) -> None:
        self.study = study
        self._keep = keep
        self._fit = fit
        self._tau = evt_tau
        self._dates = np.asarray(dates).reshape(ar.shape)
        self._ret = ret
        self._normal = normal
        self._ar = ar
        self._t_ar = t_ar
        self._p_ar = p_ar
        self._market = market
        self._est_day = est_day
        self._evt_day = evt_day
        self._est_all = est_all
        self.dropped = dropped
        """Security-events excluded from the study, with the reason (event_id, ticker, reason)."""
        self.shifted = shifted
        """Events whose date was not a session: event_id, date, anchored_date."""
        self.metadata: dict[str, Any] = dict(study.metadata)
        self.event_windows: list[Window] = list(study.event_windows)
        self.estimation_window: Window = study.estimation_window
        self.model_name: str = study.model.name

    # ------------------------------------------------------------------ keys and groups
    @cached_property
    def events(self) -> pd.DataFrame:
        """Security-events in the results: event_id, ticker, group, date, day0 (anchored), label."""
        ev = self.study.events.loc[self._keep].reset_index(drop=True)
        primary: dict[str, str] = {}
        for g, members in self.study.groups.items():
            if g in self.study.event_groups:
                continue
            for t in members:
                primary.setdefault(t, g)
        own = ev.pop("group") if "group" in ev.columns else pd.Series("", index=ev.index)
        by_ticker = ev["ticker"].map(primary).fillna(self.study.other_group or "other")
        ev.insert(2, "group", own.where(own != "", by_ticker))
        i0 = int(np.flatnonzero(self._tau == 0)[0]) if (self._tau == 0).any() else 0
        ev["day0"] = pd.DatetimeIndex(self._dates[:, i0])
        return ev

    @cached_property
    def _columns(self) -> pd.MultiIndex:
        return pd.MultiIndex.from_frame(self.events[["event_id", "ticker"]])

    def _members(self, group: str) -> np.ndarray:
        if group in self.study.event_groups:
            return self.study.event_groups[group][self._keep]
        tickers = set(self.study.groups[group])
        return self.events["ticker"].isin(tickers).to_numpy()

    @property
    def groups(self) -> list[str]:
        """Group names, in config order: named groups, ``other`` (securities in no group, when
        there are any), then the universe."""
        return list(self.study.groups)

    # ------------------------------------------------------------------ per security-event
    @cached_property
    def ar(self) -> pd.DataFrame:
        """(n_tau, n_events) abnormal returns, index tau, columns (event_id, ticker)."""
        return pd.DataFrame(self._ar.T, index=pd.Index(self._tau, name="tau"), columns=self._columns)

    @cached_property
    def _cum_ar(self) -> Float64Array:
        """(n_events, n_tau) AR cumulated from the first tau of the widest event window.

        A missing AR makes the rest NaN; under ``missing_returns: skip`` it adds nothing (NaN
        only before the first available day), so the last value equals CAR over the whole span
        in ``car_table`` (case C20b).
        """
        if self.study.missing_returns != "skip":
            return np.cumsum(self._ar, axis=1)
        started = np.cumsum(np.isfinite(self._ar), axis=1) > 0
        return np.where(started, np.nancumsum(self._ar, axis=1), np.nan)

    @cached_property
    def car(self) -> pd.DataFrame:
        """(n_tau, n_events) CAR from the first tau of the widest event window up to each tau."""
        return pd.DataFrame(
            self._cum_ar.T, index=pd.Index(self._tau, name="tau"), columns=self._columns
        )

    def _window_slice(self, window: Window) -> slice:
        t1, t2 = int(window[0]), int(window[1])
        if t1 > t2 or t1 < self._tau[0] or t2 > self._tau[-1]:
            raise ConfigError(
                f"window {list(window)} is not inside the event windows "
                f"[{self._tau[0]}, {self._tau[-1]}]"
            )
        return slice(t1 - int(self._tau[0]), t2 - int(self._tau[0]) + 1)

    def _car_stats(self, window: Window) -> tuple[Float64Array, Float64Array, Float64Array]:
        sl = self._window_slice(window)
        car = self._ar[:, sl].sum(axis=1)  # a NaN AR makes the CAR NaN, never a partial sum (C20b)
        days = None
        if self.study.missing_returns == "skip":  # sum the available days; n_days says how many
            days = np.isfinite(self._ar[:, sl])
            car = np.where(days.any(axis=1), np.nansum(self._ar[:, sl], axis=1), np.nan)
        x = self.study.model.regressors(self._market[:, sl])
        var = car_variance(self._fit.sigma2, self._fit.xtx_inv, x, days)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = car / np.sqrt(var)
        return car, t, t_pvalue(t, self._fit.df)

    def car_window(self, t1: int, t2: int) -> pd.Series:
        """Return CAR[t1, t2] per security-event (Series indexed by (event_id, ticker))."""
        return pd.Series(self._car_stats((t1, t2))[0], index=self._columns, name=f"car[{t1},{t2}]")

    @property
    def sar(self) -> pd.DataFrame:
        """(n_tau, n_events) standardised ARs, AR / sqrt(sigma^2 (1 + x'(X'X)^{-1}x)) under the
        study's conventions (Patell 1976); index tau, columns (event_id, ticker)."""
        return pd.DataFrame(self.panel.sar.T, index=pd.Index(self._tau, name="tau"),
                            columns=self._columns)

    def bhar_window(self, t1: int, t2: int) -> pd.Series:
        """Return the buy-and-hold abnormal return over [t1, t2] per security-event:
        prod(1 + R) - prod(1 + normal return) (Barber and Lyon 1997); NaN if a day is missing."""
        from eventstudy.statistics.parametric import bhar

        return pd.Series(bhar(self.panel, (t1, t2)), index=self._columns, name=f"bhar[{t1},{t2}]")

    @cached_property
    def params(self) -> pd.DataFrame:
        """Normal-return model coefficients per security-event (alpha, beta for the market model)."""
        return pd.DataFrame(
            self._fit.params, index=self._columns, columns=list(self.study.model.param_names)
        )

    @cached_property
    def sigma(self) -> pd.Series:
        """Residual standard deviation of the estimation window per security-event (decimal)."""
        return pd.Series(self._fit.sigma, index=self._columns, name="sigma")

    @cached_property
    def nobs(self) -> pd.Series:
        """Valid estimation-window returns per security-event."""
        return pd.Series(self._fit.nobs.astype(int), index=self._columns, name="nobs")

    # ------------------------------------------------------------------ tidy tables
    def to_frame(self) -> pd.DataFrame:
        """Return one tidy row per security-event and event-window session.

        Returns
        -------
        pandas.DataFrame
            Columns event_id, ticker, group, date, tau, ret, normal_ret, ar, t, p_value, car; ``t`` and
            ``p_value`` test AR = 0 with the forecast-error-corrected variance (MacKinlay 1997), ``car``
            cumulates AR from the first tau of the widest event window.
        """
        n, w = self._ar.shape
        ev = self.events
        return pd.DataFrame(
            {
                "event_id": np.repeat(ev["event_id"].to_numpy(), w),
                "ticker": np.repeat(ev["ticker"].to_numpy(), w),
                "group": np.repeat(ev["group"].to_numpy(), w),
                "date": pd.DatetimeIndex(self._dates.ravel()).strftime("%Y-%m-%d"),
                "tau": np.tile(self._tau, n),
                "ret": self._ret.ravel(),
                "normal_ret": self._normal.ravel(),
                "ar": self._ar.ravel(),
                "t": self._t_ar.ravel(),
                "p_value": self._p_ar.ravel(),
                "car": self._cum_ar.ravel(),
            }
        )

    def car_table(self) -> pd.DataFrame:
        """Return CAR per security-event and event window with t and p-value.

        Returns
        -------
        pandas.DataFrame
            Columns event_id, ticker, group, tau_start, tau_end, car, t, p_value. ``t`` uses the exact
            CAR variance sigma^2 (L + s'(X'X)^{-1}s) (MacKinlay 1997, eq. 12-14), against t(n - k).
        """
        frames = []
        ev = self.events[["event_id", "ticker", "group"]]
        for w in self.event_windows:
            car, t, p = self._car_stats(w)
            f = ev.copy()
            f["tau_start"], f["tau_end"] = w
            f["car"], f["t"], f["p_value"] = car, t, p
            if self.study.missing_returns == "skip":
                f["n_days"] = np.isfinite(self._ar[:, self._window_slice(w)]).sum(axis=1)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def caar_table(self) -> pd.DataFrame:
        """Return CAAR per group and event window with the cross-sectional t test.

        Returns
        -------
        pandas.DataFrame
            Columns group, tau_start, tau_end, n, caar, t, p_value. ``n`` counts security-events with a
            complete CAR; t = CAAR / (s / sqrt(n)) against t(n - 1).
        """
        rows = []
        for w in self.event_windows:
            car = self._car_stats(w)[0]
            for g in self.groups:
                mean, t, p, n = cross_sectional_t(car[self._members(g)])
                rows.append((g, w[0], w[1], int(n), float(mean), float(t), float(p)))
        return pd.DataFrame(rows, columns=["group", "tau_start", "tau_end", "n", "caar", "t", "p_value"])

    @cached_property
    def aar(self) -> pd.DataFrame:
        """(n_tau, n_groups) average abnormal return per group."""
        return pd.DataFrame(
            {g: cross_sectional_t(self._ar[self._members(g)], axis=0)[0] for g in self.groups},
            index=pd.Index(self._tau, name="tau"),
        )

    def caar_path(self, ci: float = 0.95) -> pd.DataFrame:
        """Return the CAAR path of each group with a confidence band.

        Parameters
        ----------
        ci : float, default 0.95
            Coverage of the band, CAAR +/- t_{(1+ci)/2, n-1} s / sqrt(n), with s the cross-sectional
            standard deviation of CAR up to tau.

        Returns
        -------
        pandas.DataFrame
            Long: group, tau, caar, lower, upper, n.
        """
        from scipy import stats

        cum = self._cum_ar
        frames = []
        for g in self.groups:
            sub = cum[self._members(g)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean, _, _, n = cross_sectional_t(sub, axis=0)
                sd = np.nanstd(sub, axis=0, ddof=1) if len(sub) > 1 else np.full(len(self._tau), np.nan)
                half = stats.t.ppf(0.5 + ci / 2, n - 1) * sd / np.sqrt(n)
            frames.append(pd.DataFrame({"group": g, "tau": self._tau, "caar": mean,
                                        "lower": mean - half, "upper": mean + half, "n": n}))
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def caar(self) -> pd.DataFrame:
        """(n_tau, n_groups) CAAR from the first tau of the widest event window."""
        return self.caar_path().pivot(index="tau", columns="group", values="caar")[self.groups]

    # ------------------------------------------------------------------ tests
    @cached_property
    def panel(self) -> TestPanel:
        """The security-events' abnormal returns as a :class:`~eventstudy.statistics.TestPanel`
        (estimation residuals, event-window ARs, standardisation under the study's conventions)."""
        from eventstudy.statistics.panel import build_panel

        n, L = self._ar.shape
        x_all, valid_all = self._est_all if self._est_all is not None else (None, None)
        return build_panel(
            fit=self._fit, ar_evt=self._ar, tau=self._tau,
            x_evt=self.study.model.regressors(self._market),
            est_day=(self._est_day if self._est_day is not None
                     else np.full(self._fit.resid.shape, -1, dtype=np.int64)),
            evt_day=(self._evt_day if self._evt_day is not None
                     else np.full((n, L), -1, dtype=np.int64)),
            ret_evt=self._ret, normal_evt=self._normal, conventions=self.study.conventions,
            x_est_all=x_all, valid_est_all=valid_all, missing_returns=self.study.missing_returns,
        )

    @cached_property
    def tests(self) -> pd.DataFrame:
        """One row per group x event window x test: group, tau_start, tau_end, test, statistic,
        p_value, n (and p_value_adjusted when the study sets ``p_adjust``).

        The tests are the study's ``tests`` (default :data:`~eventstudy.statistics.battery.
        DEFAULT_TESTS`) under its ``conventions``; see the README section "What it computes".
        """
        from eventstudy.statistics.battery import adjust_pvalues, run_tests

        groups = {g: self._members(g) for g in self.groups}
        table = run_tests(self.panel, self.event_windows, groups, self.study.tests,
                          bootstrap=self.study.bootstrap)
        if self.study.p_adjust:
            table = adjust_pvalues(table, self.study.p_adjust)
        return table

    def car_regression(
        self,
        x: list[str],
        *,
        data: pd.DataFrame | None = None,
        window: Window | None = None,
        cov_type: str = "HC1",
    ) -> Any:
        """Regress CAR over ``window`` on characteristics; see
        :func:`eventstudy.statistics.regression.car_regression`.

        Parameters
        ----------
        x : list of str
            Regressors: columns of ``data`` or per-event fit quantities (the model's parameters such
            as ``alpha`` and ``beta``, ``sigma``, ``nobs``).
        data : pandas.DataFrame, optional
            Characteristics keyed by ``event_id`` and/or ``ticker``.
        window : tuple of int, optional
            Default: the first event window.
        cov_type : {'HC1', 'HC0', 'HC2', 'HC3', 'nonrobust'}, default 'HC1'

        Returns
        -------
        statsmodels RegressionResultsWrapper
        """
        from eventstudy.statistics.regression import car_regression

        win: Window = ((int(window[0]), int(window[1])) if window is not None
                       else self.event_windows[0])
        chars = pd.concat([self.params, self.sigma, self.nobs], axis=1).reset_index()
        if data is not None:
            extra = data.reset_index() if any(
                n in ("event_id", "ticker") for n in data.index.names) else data.copy()
            keys = [k for k in ("event_id", "ticker") if k in extra.columns]
            for k in keys:
                extra[k] = extra[k].astype(str)
            new_cols = [c for c in extra.columns if c not in chars.columns]
            chars = chars.merge(extra[[*keys, *new_cols]], on=keys, how="left") if keys else chars
        return car_regression(self.car_window(win[0], win[1]), chars, x,
                              cov_type=cov_type)  # type: ignore[arg-type]

    @cached_property
    def regression(self) -> Any:
        """The study's ``regression`` (config key or ``EventStudy(regression=)``), fitted; None
        without one."""
        spec = self.study.regression
        if not spec:
            return None
        return self.car_regression(list(spec["x"]), data=spec.get("data"),
                                   window=spec.get("window"),
                                   cov_type=spec.get("cov_type") or "HC1")

    def test(self, name: str = "t", window: Window = (0, 0), group: str | None = None) -> TestResult:
        """Return one test of CAAR = 0 over ``window`` for ``group`` (default: the first group).

        Parameters
        ----------
        name : str
            A key of :data:`eventstudy.statistics.battery.TESTS` ('t', 'patell', 'bmp',
            'kolari_pynnonen', 'corrado_rank', 'generalized_sign', ...), whether or not the study
            lists it in ``tests``.
        window : tuple of int
            Inclusive tau window inside the event windows.
        group : str, optional

        Raises
        ------
        ValueError
            For an unknown test, group or a window outside the event windows.
        """
        from eventstudy.statistics.battery import run_test

        group = group or self.groups[0]
        if group not in self.study.groups:
            raise ConfigError(f"unknown group {group!r}; groups: {self.groups}")
        self._window_slice(window)
        r = run_test(self.panel.subset(self._members(group)), name, window, **self.study.bootstrap)
        return TestResult(r.test, r.stat, r.pvalue, r.dist, r.nobs,
                          null_hypothesis=f"{r.null_hypothesis} for {group}",
                          alternative_hypothesis=r.alternative_hypothesis)

    # ------------------------------------------------------------------ claims
    @cached_property
    def claim_results(self) -> ClaimsEvaluation:
        """The study's claims tested on these results: verdicts, one-line reasons, context tables;
        see :func:`eventstudy.claims.evaluate_claims`."""
        from eventstudy.claims import evaluate_claims

        return evaluate_claims(self)

    @property
    def claims(self) -> pd.DataFrame:
        """Verdicts of the study's claims and the numbers behind them (empty without claims).

        Columns claim_id, claim, test, metric, value, p_value, verdict: each claim's own verdict row
        first (test ``claim``), then one row per metric of each test, carrying the test's verdict
        (supported, not supported or inconclusive).
        """
        return self.claim_results.to_frame()

    # ------------------------------------------------------------------ display
    def summary(self) -> Summary:
        """Return a statsmodels ``Summary`` with the study settings and the CAAR table."""
        from eventstudy.reporting.summary import build_summary

        return build_summary(self)

    def __str__(self) -> str:
        return self.summary().as_text()

    def __repr__(self) -> str:
        return f"{self.summary().as_text()}\n{type(self).__name__}, id: {hex(id(self))}"

    def _repr_html_(self) -> str:
        from eventstudy.reporting.html import repr_html

        return repr_html(self)

    # ------------------------------------------------------------------ plots and reports
    def plot_caar(self, ax: Any = None, *, ci: float = 0.95, groups: list[str] | None = None) -> Figure:
        """Plot CAAR paths per group with a ``ci`` band; see :func:`eventstudy.reporting.plots.plot_caar`."""
        from eventstudy.reporting.plots import plot_caar

        return plot_caar(self, ax=ax, ci=ci, groups=groups)

    def plot_ar(self, ax: Any = None, *, tau: int = 0) -> Figure:
        """Bar chart of AR(tau) of the named securities; see :func:`eventstudy.reporting.plots.plot_ar`."""
        from eventstudy.reporting.plots import plot_ar

        return plot_ar(self, ax=ax, tau=tau)

    def plot_car(self, ax: Any = None, *, tickers: list[str] | None = None) -> Figure:
        """Plot CAR paths of securities; see :func:`eventstudy.reporting.plots.plot_car`.

        Raises
        ------
        ConfigError
            (a ValueError) When ``tickers`` names a security that is not in the results.
        """
        from eventstudy.reporting.plots import plot_car

        if tickers is not None:
            have = set(self.events["ticker"])
            unknown = [t for t in dict.fromkeys(tickers) if t not in have]
            if unknown:
                raise ConfigError(f"plot_car: no security-event for ticker(s) {name_list(unknown)} "
                                  f"in these results; tickers: {name_list(sorted(have))}")

        return plot_car(self, ax=ax, tickers=tickers)

    def to_report(self, output_dir: str | Path) -> Path:
        """Write tables, summary and PDF report to ``output_dir``; see
        :func:`eventstudy.reporting.export.write_report`."""
        from eventstudy.reporting.export import write_report

        return write_report(self, output_dir)
