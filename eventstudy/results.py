"""``EventStudyResults``: the frozen outputs of ``EventStudy.fit``.

Results are built from one immutable snapshot (the :class:`~eventstudy.estimation.Estimate`, the
:class:`~eventstudy.specification.StudySpec` and :class:`~eventstudy.specification.FitOptions` used, the
:class:`~eventstudy.provenance.Provenance` and the return panel); they never read the study object, so
changing or deleting the study after ``fit()`` changes nothing. Every AR/CAR variance and t statistic
comes from the variance engine, :class:`~eventstudy.statistics.panel.TestPanel`, under the study's
conventions. Values computed on first use are cached; they depend only on the snapshot.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Window
from eventstudy.estimation import Clustering, Estimate
from eventstudy.exceptions import SpecificationError, name_list
from eventstudy.provenance import Provenance
from eventstudy.specification import FitOptions, StudySpec
from eventstudy.statistics import TestResult
from eventstudy.statistics.panel import TestPanel, build_panel
from eventstudy.statistics.parametric import cross_sectional_t

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from statsmodels.iolib.summary2 import Summary

__all__ = ["EventStudyResults", "ClaimsReport", "CLAIM_COLUMNS"]

CLAIM_COLUMNS = ["claim_id", "claim", "test", "metric", "value", "p_value", "verdict"]
"""Columns of ``res.claims``."""


class ClaimsReport(Protocol):
    """What results need of an evaluation of claims (:class:`eventstudy.claims.ClaimsEvaluation`)."""

    def __len__(self) -> int:
        """Return the number of claims."""

    def to_frame(self) -> pd.DataFrame:
        """Return one row per claim and metric (:data:`CLAIM_COLUMNS`)."""

    def verdicts(self) -> pd.DataFrame:
        """Return one row per claim test with its verdict and one-line reason."""

    def text(self) -> str:
        """Return the verdicts as text."""


@dataclass(frozen=True, eq=False)
class EventStudyResults:
    """Results of an event study: ARs, CARs, AAR/CAAR per group and their tests.

    Security-events are keyed by (event_id, ticker); tau counts sessions relative to day 0. Returns
    and abnormal returns are decimals. Created by :meth:`EventStudy.fit`; not meant to be built by
    hand.

    Attributes
    ----------
    spec : StudySpec
        The specification fitted (events, groups, windows, model).
    options : FitOptions
        Tests, conventions, p-value adjustment and bootstrap settings.
    estimate : Estimate
        Fitted model and event-window arrays of the fitted security-events.
    provenance : Provenance
        Where the data came from, data-quality findings, notes and the run's warnings.
    returns : pandas.DataFrame
        (n_sessions, n_securities) the return panel fitted (a snapshot).
    market : pandas.DataFrame
        (n_sessions, n_securities) the market return paired with each security (a snapshot).
    regression_spec : dict or None
        The study's cross-sectional regression of CARs (``x``, ``window``, ``cov_type``, ``data``).
    claim_results : ClaimsReport or None
        The study's claims evaluated on these results (see :mod:`eventstudy.claims`).
    """

    spec: StudySpec
    options: FitOptions
    estimate: Estimate
    provenance: Provenance
    returns: pd.DataFrame = field(repr=False)
    market: pd.DataFrame = field(repr=False)
    regression_spec: Mapping[str, Any] | None = None
    claim_results: ClaimsReport | None = None

    def with_claims(self, evaluation: ClaimsReport) -> EventStudyResults:
        """Return these results with ``evaluation`` attached (cached values carried over)."""
        new = replace(self, claim_results=evaluation)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _FIELDS})
        return new

    def with_provenance(self, provenance: Provenance) -> EventStudyResults:
        """Return these results with ``provenance`` (cached values carried over)."""
        new = replace(self, provenance=provenance)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _FIELDS})
        return new

    # ------------------------------------------------------------------ settings
    @property
    def metadata(self) -> Mapping[str, Any]:
        """Read-only mapping view of :attr:`provenance` (the keys of earlier versions)."""
        return self.provenance.as_mapping()

    @property
    def event_windows(self) -> list[Window]:
        """The event windows, inclusive (t1, t2) in sessions."""
        return list(self.spec.event_windows)

    @property
    def estimation_window(self) -> Window:
        """The estimation window, inclusive (T0, T1) in sessions."""
        return self.spec.estimation_window

    @property
    def model_name(self) -> str:
        """Key of the normal-return model (e.g. ``'market'``)."""
        return self.spec.model.name

    @property
    def dropped(self) -> pd.DataFrame:
        """Security-events excluded from the study, with the reason (event_id, ticker, reason)."""
        return self.estimate.dropped

    @property
    def shifted(self) -> pd.DataFrame:
        """Events whose date was not a session: event_id, date, anchored_date."""
        return self.estimate.shifted

    @property
    def clustering(self) -> Clustering:
        """How the fitted security-events share their day 0 (case C23)."""
        return self.estimate.clustering

    @property
    def _tau(self) -> np.ndarray:
        return self.estimate.evt_tau

    @property
    def _ar(self) -> Float64Array:
        return self.estimate.ar

    # ------------------------------------------------------------------ keys and groups
    @cached_property
    def events(self) -> pd.DataFrame:
        """Security-events in the results: event_id, ticker, group, date, day0 (anchored), label."""
        ev = self.spec.events.loc[self.estimate.keep].reset_index(drop=True)
        own = ev.pop("group") if "group" in ev.columns else pd.Series("", index=ev.index)
        by_ticker = ev["ticker"].map(self.spec.primary_group()).fillna(
            self.spec.other_group or "other")
        ev.insert(2, "group", own.where(own != "", by_ticker))
        i0 = int(np.flatnonzero(self._tau == 0)[0]) if (self._tau == 0).any() else 0
        ev["day0"] = pd.DatetimeIndex(self.estimate.dates[:, i0])
        return ev

    @cached_property
    def _columns(self) -> pd.MultiIndex:
        return pd.MultiIndex.from_frame(self.events[["event_id", "ticker"]])

    def _members(self, group: str) -> np.ndarray:
        return self.spec.members(group, self.events["ticker"].to_numpy(), self.estimate.keep)

    def group_members(self, group: str) -> list[str]:
        """Return the tickers of ``group`` (in config order).

        Raises
        ------
        SpecificationError
            For an unknown group.
        """
        if group not in self.spec.groups:
            raise SpecificationError(f"unknown group {group!r}; groups: {self.groups}")
        return list(self.spec.groups[group])

    @property
    def groups(self) -> list[str]:
        """Group names, in config order: named groups, ``other`` (securities in no group, when
        there are any), then the universe."""
        return list(self.spec.groups)

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
        if self.spec.missing_returns != "skip":
            return np.cumsum(self._ar, axis=1)
        started = np.cumsum(np.isfinite(self._ar), axis=1) > 0
        return np.where(started, np.nancumsum(self._ar, axis=1), np.nan)

    @cached_property
    def car(self) -> pd.DataFrame:
        """(n_tau, n_events) CAR from the first tau of the widest event window up to each tau."""
        return pd.DataFrame(
            self._cum_ar.T, index=pd.Index(self._tau, name="tau"), columns=self._columns
        )

    def _car_stats(self, window: Window) -> tuple[Float64Array, Float64Array, Float64Array]:
        """CAR, its t statistic and p-value over ``window`` from the variance engine."""
        from eventstudy.statistics.parametric import t_pvalue

        car = self.panel.car(window)
        t = self.panel.scar(window)
        return car, t, t_pvalue(t, self.panel.df)

    def car_window(self, t1: int, t2: int) -> pd.Series:
        """Return CAR[t1, t2] per security-event (Series indexed by (event_id, ticker)).

        Raises
        ------
        SpecificationError
            When the window is reversed or not inside the event windows.
        """
        return pd.Series(self.panel.car((t1, t2)), index=self._columns, name=f"car[{t1},{t2}]")

    @property
    def sar(self) -> pd.DataFrame:
        """(n_tau, n_events) standardised ARs, AR / sqrt(Var(AR)) under the study's conventions
        (Patell 1976); index tau, columns (event_id, ticker). Equal to ar.csv's ``t``."""
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
        return pd.DataFrame(self.estimate.fit.params, index=self._columns,
                            columns=list(self.spec.model.param_names))

    @cached_property
    def sigma(self) -> pd.Series:
        """Residual standard deviation of the estimation window per security-event (decimal)."""
        return pd.Series(self.estimate.fit.sigma, index=self._columns, name="sigma")

    @cached_property
    def nobs(self) -> pd.Series:
        """Valid estimation-window returns per security-event."""
        return pd.Series(self.estimate.fit.nobs.astype(int), index=self._columns, name="nobs")

    # ------------------------------------------------------------------ tidy tables
    def to_frame(self) -> pd.DataFrame:
        """Return one tidy row per security-event and event-window session.

        Returns
        -------
        pandas.DataFrame
            Columns event_id, ticker, group, date, tau, ret, normal_ret, ar, t, p_value, car; ``t``
            is AR / sqrt(Var(AR)) under the study's conventions (the forecast-error variance of
            MacKinlay 1997 by default; :attr:`sar`) against t(df), ``car`` cumulates AR from the
            first tau of the widest event window.
        """
        n, w = self._ar.shape
        ev = self.events
        est = self.estimate
        return pd.DataFrame(
            {
                "event_id": np.repeat(ev["event_id"].to_numpy(), w),
                "ticker": np.repeat(ev["ticker"].to_numpy(), w),
                "group": np.repeat(ev["group"].to_numpy(), w),
                "date": pd.DatetimeIndex(est.dates.ravel()).strftime("%Y-%m-%d"),
                "tau": np.tile(self._tau, n),
                "ret": est.ret.ravel(),
                "normal_ret": est.normal.ravel(),
                "ar": self._ar.ravel(),
                "t": self.panel.sar.ravel(),
                "p_value": self.panel.sar_pvalue.ravel(),
                "car": self._cum_ar.ravel(),
            }
        )

    def car_table(self) -> pd.DataFrame:
        """Return CAR per security-event and event window with t and p-value.

        Returns
        -------
        pandas.DataFrame
            Columns event_id, ticker, group, tau_start, tau_end, car, t, p_value (and n_days under
            ``missing_returns: skip``). ``t`` = CAR / sqrt(Var(CAR)) with the variance of
            ``conventions.car_variance`` (default the exact sigma^2 (L + s'(X'X)^{-1}s), MacKinlay
            1997, eq. 12-14), against t(n - k).
        """
        frames = []
        ev = self.events[["event_id", "ticker", "group"]]
        for w in self.event_windows:
            car, t, p = self._car_stats(w)
            f = ev.copy()
            f["tau_start"], f["tau_end"] = w
            f["car"], f["t"], f["p_value"] = car, t, p
            if self.spec.missing_returns == "skip":
                f["n_days"] = self.panel.n_days(w)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def bhar_table(self) -> pd.DataFrame:
        """Return the BHAR per security-event and event window with its t statistic.

        Returns
        -------
        pandas.DataFrame
            Columns event_id, ticker, group, tau_start, tau_end, bhar, t, p_value: BHAR =
            prod(1 + R) - prod(1 + normal return) (Barber and Lyon 1997), t = BHAR / sqrt(Var(CAR))
            from the variance engine (:meth:`TestPanel.bhar_t`, Lyon, Barber and Tsai 1999)
            against t(n - k).
        """
        from eventstudy.statistics.parametric import t_pvalue

        frames = []
        ev = self.events[["event_id", "ticker", "group"]]
        for w in self.event_windows:
            t = self.panel.bhar_t(w)
            f = ev.copy()
            f["tau_start"], f["tau_end"] = w
            f["bhar"], f["t"], f["p_value"] = self.panel.bhar(w), t, t_pvalue(t, self.panel.df)
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
            car = self.panel.car(w)
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

    def caar_path(self, ci: float = 0.95, *, uniform: bool = False, n_boot: int = 999,
                  seed: int = 0) -> pd.DataFrame:
        """Return the CAAR path of each group with a confidence band.

        Parameters
        ----------
        ci : float, default 0.95
            Coverage of the band, CAAR +/- t_{(1+ci)/2, n-1} s / sqrt(n), with s the cross-sectional
            standard deviation of CAR up to tau.
        uniform : bool, default False
            Also return the sup-t band covering the whole path with probability ``ci``
            (:func:`eventstudy.statistics.robust.caar_bands`, Montiel Olea and Plagborg-Moller
            2019), from ``n_boot`` multiplier draws seeded with ``seed``.

        Returns
        -------
        pandas.DataFrame
            Long: group, tau, caar, lower, upper, n (and lower_uniform, upper_uniform).
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
            frame = pd.DataFrame({"group": g, "tau": self._tau, "caar": mean,
                                  "lower": mean - half, "upper": mean + half, "n": n})
            if uniform:
                from eventstudy.statistics.robust import caar_bands

                bands = caar_bands(sub, ci, n_boot=n_boot, seed=seed)
                frame["lower_uniform"] = bands["lower_uniform"]
                frame["upper_uniform"] = bands["upper_uniform"]
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def caar(self) -> pd.DataFrame:
        """(n_tau, n_groups) CAAR from the first tau of the widest event window."""
        return self.caar_path().pivot(index="tau", columns="group", values="caar")[self.groups]

    # ------------------------------------------------------------------ data paths
    def price_levels(self) -> pd.DataFrame:
        """Return price levels by session (columns: tickers and the market).

        The prices as loaded (:attr:`Provenance.prices`) or, for a study built from returns, the
        returns compounded from 1 (``exp(cumsum)`` for log returns); the market column is then
        ``market``.
        """
        prices = self.provenance.prices
        if isinstance(prices, pd.DataFrame):
            return prices
        mkt = self.market.bfill(axis=1).iloc[:, 0].rename("market")
        both = pd.concat([self.returns, mkt], axis=1)
        if self.provenance.returns == "log":
            return np.exp(both.cumsum())
        return (1 + both).cumprod()

    # ------------------------------------------------------------------ tests
    @cached_property
    def panel(self) -> TestPanel:
        """The security-events' abnormal returns as a :class:`~eventstudy.statistics.TestPanel`:
        the variance engine (estimation residuals, event-window ARs, standardisation under the
        study's conventions)."""
        est = self.estimate
        x_all, valid_all = est.est_all if est.est_all is not None else (None, None)
        return build_panel(
            fit=est.fit, ar_evt=est.ar, tau=est.evt_tau, x_evt=est.x_evt,
            est_day=est.est_day, evt_day=est.evt_day, ret_evt=est.ret, normal_evt=est.normal,
            conventions=self.options.conventions, x_est_all=x_all, valid_est_all=valid_all,
            missing_returns=self.spec.missing_returns, kind=self.provenance.returns,
            labels=self.events["group"].to_numpy(), market_column=self._market_column,
        )

    @property
    def _market_column(self) -> int | None:
        """Column of the market return in the model's design [1, inputs...], None without one."""
        m = self.spec.model
        inputs = list(getattr(m, "inputs", ()))
        return 1 + inputs.index(m.market_input) if m.market_input in inputs else None

    @cached_property
    def tests(self) -> pd.DataFrame:
        """One row per group x event window x test: group, tau_start, tau_end, test, statistic,
        p_value, n (and p_value_adjusted when the study sets ``p_adjust``).

        The tests are the study's ``tests`` (default :data:`~eventstudy.statistics.battery.
        DEFAULT_TESTS`) under its ``conventions``; see the README section "What it computes".
        """
        from eventstudy.statistics.battery import adjust_pvalues, run_tests

        groups = {g: self._members(g) for g in self.groups}
        table = run_tests(self.panel, self.event_windows, groups, list(self.options.tests),
                          bootstrap=self.options.bootstrap)
        if self.options.p_adjust:
            table = adjust_pvalues(table, self.options.p_adjust)
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
        spec = self.regression_spec
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
        self.group_members(group)
        self.panel.window_slice(window)
        r = run_test(self.panel.subset(self._members(group)), name, window,
                     **self.options.bootstrap)
        return TestResult(r.test, r.stat, r.pvalue, r.dist, r.nobs,
                          null_hypothesis=f"{r.null_hypothesis} for {group}",
                          alternative_hypothesis=r.alternative_hypothesis)

    # ------------------------------------------------------------------ claims
    @property
    def claims(self) -> pd.DataFrame:
        """Verdicts of the study's claims and the numbers behind them (empty without claims).

        Columns claim_id, claim, test, metric, value, p_value, verdict: each claim's own verdict row
        first (test ``claim``), then one row per metric of each test, carrying the test's verdict
        (supported, not supported or inconclusive).
        """
        if self.claim_results is None:
            return pd.DataFrame(columns=CLAIM_COLUMNS)
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
        SpecificationError
            (a ValueError) When ``tickers`` names a security that is not in the results.
        """
        from eventstudy.reporting.plots import plot_car

        if tickers is not None:
            have = set(self.events["ticker"])
            unknown = [t for t in dict.fromkeys(tickers) if t not in have]
            if unknown:
                raise SpecificationError(f"plot_car: no security-event for ticker(s) {name_list(unknown)} "
                                  f"in these results; tickers: {name_list(sorted(have))}")

        return plot_car(self, ax=ax, tickers=tickers)

    def to_report(self, output_dir: str | Path) -> Path:
        """Write tables, summary and PDF report to ``output_dir``; see
        :func:`eventstudy.reporting.export.write_report`."""
        from eventstudy.reporting.export import write_report

        return write_report(self, output_dir)


_FIELDS = {"spec", "options", "estimate", "provenance", "returns", "market", "regression_spec",
           "claim_results"}
