"""``EventStudyResults``: the frozen outputs of ``EventStudy.fit``.

Results are built from one immutable snapshot (the :class:`~eventstudy.estimation.Estimate`, the
:class:`~eventstudy.specification.StudySpec` and :class:`~eventstudy.specification.FitOptions` used,
the :class:`~eventstudy.provenance.Provenance` and the return panel); they never read the study
object, so changing or deleting the study after ``fit()`` changes nothing. Every AR/CAR variance and
t statistic comes from the variance engine, :class:`~eventstudy.statistics.panel.TestPanel`, under
the study's conventions. Values computed on first use are cached; they depend only on the snapshot.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import pandas as pd

from eventstudy._frozen import frozen_cache
from eventstudy._typing import Float64Array, Window
from eventstudy.estimation import Clustering, Estimate
from eventstudy.exceptions import DataUnavailableError, SpecificationError, name_list
from eventstudy.provenance import Provenance
from eventstudy.specification import FitOptions, StudySpec, pools_events
from eventstudy.statistics import TestResult
from eventstudy.statistics.panel import TestPanel, build_panel
from eventstudy.statistics.parametric import cross_sectional_t, kp_widening
from eventstudy.statistics.variance import t_quantile
from eventstudy.valuation import IndexMove, index_move

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from statsmodels.iolib.summary2 import Summary

__all__ = ["EventStudyResults", "ClaimsReport", "CLAIM_COLUMNS", "POOLED"]

POOLED = "pooled"
"""``event_id`` of table rows that average across several events (``pool_events``)."""

CLAIM_COLUMNS = ["claim_id", "claim", "test", "metric", "value", "p_value", "verdict"]
"""Columns of ``res.claims``."""


class ClaimsReport(Protocol):
    """What results need of an evaluation of claims.

    See :class:`eventstudy.claims.ClaimsEvaluation`.
    """

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
    market_values : pandas.DataFrame or None
        Share counts or caps by ticker for the market-value lens (:meth:`index_move`).
    context : pandas.DataFrame or None
        Levels of context series by session (e.g. ^IXIC, ^SOX, ^VIX) for :meth:`context_moves`.
    sectors : pandas.Series or None
        Ticker -> sector (GICS for the bundled S&P 500) for :meth:`sector_table`.
    """

    spec: StudySpec
    options: FitOptions
    estimate: Estimate
    provenance: Provenance
    returns: pd.DataFrame = field(repr=False)
    market: pd.DataFrame = field(repr=False)
    regression_spec: Mapping[str, Any] | None = None
    claim_results: ClaimsReport | None = None
    market_values: pd.DataFrame | None = field(default=None, repr=False)
    context: pd.DataFrame | None = field(default=None, repr=False)
    sectors: pd.Series | None = field(default=None, repr=False)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def with_tables(self, **frames: pd.DataFrame) -> EventStudyResults:
        """Return these results with further tables (``abnormal_volume``, ...) attached.

        Written by the report as ``<name>.csv``; see :mod:`eventstudy.reactions`.
        """
        new = replace(self, tables={**self.tables, **frames})
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _FIELDS})
        return new

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
        """Security-events excluded from the study, with the reason (event_id, ticker, reason).

        Those left out while loading (no price data, a data-quality error of the security:
        ``provenance.excluded``) come first, then those the estimation skipped.
        """
        if not self.provenance.excluded:
            return self.estimate.dropped
        before = pd.DataFrame(list(self.provenance.excluded),
                              columns=["event_id", "ticker", "reason"])
        return pd.concat([before, self.estimate.dropped], ignore_index=True)

    @property
    def shifted(self) -> pd.DataFrame:
        """Events whose date was not a session: event_id, date, anchored_date."""
        return self.estimate.shifted

    @property
    def confounders(self) -> pd.DataFrame:
        """Confounding events inside an event window.

        Columns event_id, tau_start, tau_end, date, tau, label (from ``confounders:``; empty
        without).
        """
        return self.estimate.confounders

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
    @frozen_cache
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

    def _members(self, group: str, event_id: str | None = None) -> np.ndarray:
        """Return the (n_fitted,) mask of ``group``.

        Within the security-events of ``event_id`` when given (a unit of :attr:`event_units`
        other than 'pooled').
        """
        key = (group, event_id if event_id != POOLED else None)
        if key not in self._member_masks:  # the tables ask for each mask many times
            mask = self.spec.members(group, self._event_keys["ticker"], self.estimate.keep)
            if key[1] is not None:
                mask = mask & (self._event_keys["event_id"] == event_id)
            self._member_masks[key] = mask
        return self._member_masks[key].copy()

    @cached_property
    def _member_masks(self) -> dict[tuple[str, str | None], np.ndarray]:
        return {}

    @cached_property
    def _event_keys(self) -> dict[str, np.ndarray]:
        """Ticker and event_id of each fitted security-event as arrays (:attr:`events` copies)."""
        ev = self.events
        return {"ticker": ev["ticker"].to_numpy(), "event_id": ev["event_id"].to_numpy()}

    @property
    def pooled(self) -> bool:
        """Whether the tables average across events (one unit) rather than per event.

        ``options.pool_events``: True pools, False reports each event; None (auto) pools when every
        event holds a single security (many firm-level events, e.g. earnings) and reports each
        event separately when events hold several securities (market news such as 3 and 9 April
        2025, whose moves must not be averaged). A study of one event is the same either way.
        """
        return pools_events(self.options.pool_events, self.events)

    @frozen_cache
    def event_units(self) -> list[str]:
        """The event_id values of the tables.

        One per event, or the only event's id, or ``'pooled'`` when several events are averaged
        together (see :attr:`pooled`).
        """
        ids = list(dict.fromkeys(self.events["event_id"]))
        if len(ids) == 1:
            return ids
        return [POOLED] if self.pooled else ids

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
        """Group names, in config order.

        Named groups, ``other`` (securities in no group, when there are any), then the universe.
        """
        return list(self.spec.groups)

    # ------------------------------------------------------------------ per security-event
    @frozen_cache
    def ar(self) -> pd.DataFrame:
        """(n_tau, n_events) abnormal returns, index tau, columns (event_id, ticker)."""
        return pd.DataFrame(self._ar.T, index=pd.Index(self._tau, name="tau"),
                            columns=self._columns)

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

    @frozen_cache
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
        """(n_tau, n_events) standardised ARs, AR / sqrt(Var(AR)).

        Standardised under the study's conventions (Patell 1976); index tau, columns
        (event_id, ticker). Equal to ar.csv's ``t``.
        """
        return pd.DataFrame(self.panel.sar.T, index=pd.Index(self._tau, name="tau"),
                            columns=self._columns)

    def bhar_window(self, t1: int, t2: int) -> pd.Series:
        """Return the buy-and-hold abnormal return over [t1, t2] per security-event.

        prod(1 + R) - prod(1 + normal return) (Barber and Lyon 1997); NaN if a day is missing.
        """
        from eventstudy.statistics.parametric import bhar

        return pd.Series(bhar(self.panel, (t1, t2)), index=self._columns, name=f"bhar[{t1},{t2}]")

    @frozen_cache
    def params(self) -> pd.DataFrame:
        """Normal-return model coefficients per security-event.

        Alpha, beta for the market model.
        """
        return pd.DataFrame(self.estimate.fit.params, index=self._columns,
                            columns=list(self.spec.model.param_names))

    @frozen_cache
    def sigma(self) -> pd.Series:
        """Residual standard deviation of the estimation window per security-event (decimal)."""
        return pd.Series(self.estimate.fit.sigma, index=self._columns, name="sigma")

    @frozen_cache
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
            Columns group, tau_start, tau_end, n, caar, t, p_value, event_id. ``n`` counts
            security-events with a complete CAR; t = CAAR / (s / sqrt(n)) against t(n - 1).
            ``event_id`` is the event of the row, or ``'pooled'`` for an average across events
            (:attr:`event_units`).
        """
        return self._caar_table.copy()

    @cached_property
    def _caar_table(self) -> pd.DataFrame:
        rows = []
        for e in self.event_units:
            for w in self.event_windows:
                car = self.panel.car(w)
                for g in self.groups:
                    mean, t, p, n = cross_sectional_t(car[self._members(g, e)])
                    rows.append((g, w[0], w[1], int(n), float(mean), float(t), float(p), e))
        return pd.DataFrame(rows, columns=["group", "tau_start", "tau_end", "n", "caar", "t",
                                           "p_value", "event_id"])

    def _by_unit(self, values: dict[tuple[str, str], Float64Array]) -> pd.DataFrame:
        """Columns by group (one unit), or by (event_id, group) when events are reported apart."""
        frame = pd.DataFrame(values, index=pd.Index(self._tau, name="tau"))
        if len(self.event_units) == 1:
            frame.columns = [g for _, g in values]
        else:
            frame.columns = pd.MultiIndex.from_tuples(list(values), names=["event_id", "group"])
        return frame

    @frozen_cache
    def aar(self) -> pd.DataFrame:
        """(n_tau, n_groups) average abnormal return per group.

        Columns (event_id, group) when events are reported apart (:attr:`event_units`).
        """
        return self._by_unit({(e, g): cross_sectional_t(self._ar[self._members(g, e)], axis=0)[0]
                              for e in self.event_units for g in self.groups})

    def caar_path(self, ci: float = 0.95, *, uniform: bool = False, n_boot: int = 999,
                  seed: int = 0, cross_correlation: bool = False) -> pd.DataFrame:
        r"""Return the CAAR path of each group with a confidence band.

        Parameters
        ----------
        ci : float, default 0.95
            Coverage of the band, CAAR +/- t_{(1+ci)/2, n-1} s / sqrt(n), with s the cross-sectional
            standard deviation of CAR up to tau and n the security-events with a CAR there.
        uniform : bool, default False
            Also return the sup-t band covering the whole path with probability ``ci``
            (:func:`eventstudy.statistics.robust.caar_bands`, Montiel Olea and Plagborg-Moller
            2019), from ``n_boot`` multiplier draws seeded with ``seed``.
        cross_correlation : bool, default False
            Widen the bands for the cross-correlation of security-events that share day 0, as
            Kolari and Pynnonen (2010) adjust a test: the half-width times
            :math:`\sqrt{(1 + (n - 1)\bar r) / (1 - \bar r)}`, with r-bar the average
            estimation-residual correlation of the group's security-events
            (:attr:`~eventstudy.statistics.TestPanel.residual_correlation`). The band then agrees
            with the Kolari-Pynnonen test where that test stars the headline; NaN where
            1 + (n - 1) r-bar is not positive.

        Returns
        -------
        pandas.DataFrame
            Long: group, tau, caar, lower, upper, n, event_id (see :attr:`event_units`);
            with ``uniform``, also lower_uniform and upper_uniform.

        References
        ----------
        .. [1] Kolari, J. W., Pynnonen, S. (2010). Event study testing with cross-sectional
           correlation of abnormal returns. RFS 23(11), 3996-4025.
        """
        cum = self._cum_ar
        frames = []
        for e, g in [(e, g) for e in self.event_units for g in self.groups]:
            members = self._members(g, e)
            sub = cum[members]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean, _, _, n = cross_sectional_t(sub, axis=0)
                sd = (np.nanstd(sub, axis=0, ddof=1) if len(sub) > 1
                      else np.full(len(self._tau), np.nan))
                widen = (kp_widening(self.panel.subset(members).residual_correlation, n)
                         if cross_correlation else np.ones(len(self._tau)))
                half = t_quantile(0.5 + ci / 2, n - 1) * sd / np.sqrt(n) * widen
            frame = pd.DataFrame({"group": g, "tau": self._tau, "caar": mean,
                                  "lower": mean - half, "upper": mean + half, "n": n,
                                  "event_id": e})
            if uniform:
                from eventstudy.statistics.robust import caar_bands

                bands = caar_bands(sub, ci, n_boot=n_boot, seed=seed)
                frame["lower_uniform"] = mean - (mean - bands["lower_uniform"]) * widen
                frame["upper_uniform"] = mean + (bands["upper_uniform"] - mean) * widen
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    @frozen_cache
    def caar(self) -> pd.DataFrame:
        """(n_tau, n_groups) CAAR from the first tau of the widest event window.

        Columns (event_id, group) when events are reported apart.
        """
        path = self.caar_path()
        return self._by_unit({(str(e), str(g)): sub["caar"].to_numpy()
                              for (e, g), sub in path.groupby(["event_id", "group"], sort=False)})

    # ------------------------------------------------------------------ the headline
    @property
    def headline_test(self) -> str:
        """Key of the test that stars the headline CAARs (``options.headline_test`` resolved).

        ``'auto'`` gives ``'kolari_pynnonen'`` when security-events of different securities share
        day 0 (their ARs are cross-correlated: t, Patell and BMP overstate significance, case C44),
        else ``'t'``.
        """
        name = self.options.headline_test
        if name != "auto":
            return name
        return "kolari_pynnonen" if self.clustering.n_sharing > 0 else "t"

    @cached_property
    def _headline(self) -> pd.DataFrame:
        caar = self._caar_table
        name = self.headline_test
        rows = []
        r: Any  # a row of caar_table (pandas-stubs types the fields as any scalar)
        for r in caar.itertuples(index=False):
            w = (int(r.tau_start), int(r.tau_end))
            if r.n > 0:
                res = self.test(name, window=w, group=str(r.group), event_id=str(r.event_id))
                stat, p = res.stat, res.pvalue
            else:
                stat = p = float("nan")
            rows.append((r.group, w[0], w[1], int(r.n), float(r.caar), name, stat, p,
                         r.event_id))
        return pd.DataFrame(rows, columns=["group", "tau_start", "tau_end", "n", "caar", "test",
                                           "statistic", "p_value", "event_id"])

    def headline(self) -> pd.DataFrame:
        """Return the headline: CAAR per group and event window with the headline test.

        Returns
        -------
        pandas.DataFrame
            Columns group, tau_start, tau_end, n, caar (decimal), test (:attr:`headline_test`),
            statistic, p_value. The statistic and p-value are those of ``tests.csv`` and
            :meth:`test` for the same test, group and window (one computation).
        """
        return self._headline.copy()

    # ------------------------------------------------------------------ the market-value lens
    def _day0(self, event_id: str | None) -> tuple[str, pd.Timestamp]:
        ev = self.events
        ids = list(dict.fromkeys(ev["event_id"]))
        if event_id is None:
            event_id = ids[0]
        if event_id not in ids:
            raise SpecificationError(f"unknown event {event_id!r}; events: {ids[:10]}")
        return event_id, pd.Timestamp(ev.loc[ev["event_id"] == event_id, "day0"].iloc[0])

    def index_move(self, window: Window = (0, 0), event_id: str | None = None) -> IndexMove:
        """Decompose the cap-weighted index move over ``window`` around an event's day 0.

        Parameters
        ----------
        window : tuple of int, default (0, 0)
            Inclusive (t1, t2); returns run from the close of t1 - 1 to the close of t2.
        event_id : str, optional
            Default: the first event.

        Returns
        -------
        IndexMove
            Each member's weight, return, contribution w_i r_i and dollar change, the index's own
            move and the reconstruction gap; see :func:`eventstudy.valuation.index_move`.

        Raises
        ------
        SpecificationError
            Without market values (``market_values=`` or the study file's ``market_values:``), or
            for an unknown event.
        """
        if self.market_values is None:
            raise SpecificationError(
                "no market values: pass market_values= (shares or caps by ticker) to EventStudy, "
                "or set market_values: in the study file (sp500 for the bundled share counts)")
        eid, day0 = self._day0(event_id)
        key = (eid, int(window[0]), int(window[1]))
        # computed once per event and window (the report, the claims and the tables each ask
        # for the day-0 lens); every caller gets its own copy of the members
        moves = self.__dict__.setdefault("_index_moves", {})
        if key not in moves:
            levels = self.price_levels()
            _, market = self._index_levels()
            moves[key] = index_move(levels, market, self.market_values, day0, key[1:],
                                    prices=isinstance(self.provenance.prices, pd.DataFrame))
        return replace(moves[key], members=moves[key].members.copy())

    def index_contributions(self) -> pd.DataFrame:
        """Return the index move per event and event window, and each group's part of it.

        Returns
        -------
        pandas.DataFrame
            One row per event, window and group (group ``index`` first: all members with data):
            event_id, tau_start, tau_end, group, n, weight, contribution (decimal of the index),
            share_of_move, dollar_change (US dollars), index_without_group (the cap-weighted
            return of the other members), equal_weighted (the group's mean return),
            index_return (the index's own move), reconstructed (sum w_i r_i), gap.
        """
        rows = []
        for eid in dict.fromkeys(self.events["event_id"]):
            for w in self.event_windows:
                mv = self.index_move(w, eid)
                base = {"event_id": eid, "tau_start": w[0], "tau_end": w[1],
                        "index_return": mv.index_return, "reconstructed": mv.reconstructed,
                        "gap": mv.gap}
                everyone = mv.group(list(mv.members["ticker"]))
                rows.append({**base, "group": "index", **everyone})
                for g in self.groups:
                    rows.append({**base, "group": g, **mv.group(list(self.spec.groups[g]))})
        out = pd.DataFrame(rows).rename(columns={"without": "index_without_group"})
        out["n"] = out["n"].astype("int64")  # members with data: a count
        return out[["event_id", "tau_start", "tau_end", "group", "n", "weight", "contribution",
                    "share_of_move", "dollar_change", "index_without_group", "equal_weighted",
                    "index_return", "reconstructed", "gap"]]

    def market_value_table(self) -> pd.DataFrame:
        """Return each index member's weight, return, contribution and dollar change.

        Returns
        -------
        pandas.DataFrame
            One row per event, event window and member with data: event_id, tau_start, tau_end,
            ticker, group (its first named group, else ''), weight, ret, contribution,
            market_value_before, dollar_change (see :class:`eventstudy.valuation.IndexMove`).
        """
        primary = self.spec.primary_group()
        frames = []
        for eid in dict.fromkeys(self.events["event_id"]):
            for w in self.event_windows:
                m = self.index_move(w, eid).members
                m.insert(0, "event_id", eid)
                m.insert(1, "tau_start", w[0])
                m.insert(2, "tau_end", w[1])
                m.insert(4, "group", m["ticker"].map(primary).fillna(""))
                frames.append(m)
        return pd.concat(frames, ignore_index=True)

    # ------------------------------------------------------------------ context of the move
    @property
    def index_name(self) -> str:
        """The published index the market-value lens compares its members with.

        The study's market, or, when the market is built from the securities
        (``market: {weighting: cap, exclude: [...]}``), the S&P 500 (^GSPC) when it is among the
        context series, else a label saying there is none.
        """
        return self._index_levels()[0]

    def _index_levels(self) -> tuple[str, pd.Series | None]:
        if not self.provenance.market_built:
            return self.provenance.market, self._market_levels()
        if self.context is not None and "^GSPC" in self.context.columns:
            return "^GSPC", self.context["^GSPC"].reindex(self.price_levels().index)
        return "no published index", None

    def _market_levels(self) -> pd.Series | None:
        levels = self.price_levels()
        mcol = self.provenance.market if self.provenance.market in levels.columns else "market"
        return levels[mcol] if mcol in levels.columns else None

    def context_moves(self, window: Window = (0, 0), event_id: str | None = None
                      ) -> pd.DataFrame:
        """Return the moves of the market and the context series over ``window``.

        Parameters
        ----------
        window : tuple of int, default (0, 0)
            Inclusive (t1, t2); the move runs from the close of t1 - 1 to the close of t2.
        event_id : str, optional
            Default: the first event.

        Returns
        -------
        pandas.DataFrame
            One row per series (the market first, then :attr:`context` in order): series,
            date_before, date_end, level_before, level_end, ret (decimal change of the level; for
            the VIX, the change of the index in percent of its level).
        """
        _, day0 = self._day0(event_id)
        # a market built from the securities has no level a reader knows (it starts at 1)
        frames = ({} if self.provenance.market_built
                  else {self.provenance.market: self._market_levels()})
        if self.context is not None:
            frames.update({str(c): self.context[c] for c in self.context.columns})
        rows = []
        for name, s in frames.items():
            if s is None:
                continue
            s = s.dropna()
            if day0 not in s.index:
                rows.append((name, pd.NaT, pd.NaT, np.nan, np.nan, np.nan))
                continue
            p0 = int(cast(int, s.index.get_loc(day0)))  # a unique index: one position
            lo, hi = p0 + int(window[0]) - 1, p0 + int(window[1])
            if lo < 0 or hi >= len(s):
                rows.append((name, pd.NaT, pd.NaT, np.nan, np.nan, np.nan))
                continue
            a, b = float(s.iloc[lo]), float(s.iloc[hi])
            rows.append((name, s.index[lo], s.index[hi], a, b, b / a - 1.0))
        return pd.DataFrame(rows, columns=["series", "date_before", "date_end", "level_before",
                                           "level_end", "ret"])

    def recovery_table(self, event_id: str | None = None) -> pd.DataFrame:
        """Return how fast the market, each group and each named security regained day -1's close.

        Groups are equal-weighted: the mean of their members' prices relative to day -1. Context
        series are included (for the VIX a 'recovery' is its return below the pre-event level).
        Each series is searched up to the last session of the widest event window (tau = its
        end), so ``last_date``/``ret_end`` are where it stood then.

        A series measured from a close before day -1 (day -1 has no close on its exchange)
        says so in ``base_date``; a market, group or context series that cannot be measured
        (no close on day 0 or before it) is a row with ``missing`` saying why and no numbers.

        Returns
        -------
        pandas.DataFrame
            Columns kind (market, group, security, context), name, recovered, sessions, date,
            drawdown (decimal, before the recovery), drawdown_date, last_date, ret_end
            (the return to last_date's close), base_date (the session of the close it is measured
            from: for a group, its members' earliest), missing ("" when measured, else why not),
            event_id; see :func:`eventstudy.recovery.recovery`.
        """
        from eventstudy.recovery import Recovery, recovery

        eid, day0 = self._day0(event_id)
        # searched up to the last session of the widest event window, as its heading says
        hi = max(int(w[1]) for w in self.spec.event_windows)
        sessions = self.returns.index
        if day0 in sessions:
            end = sessions[min(int(cast(int, sessions.get_loc(day0))) + hi, len(sessions) - 1)]
        else:
            end = sessions[-1]
        levels = self.price_levels().loc[:end]
        rows: list[tuple[str, Recovery]] = []
        missing: list[tuple[str, str, str]] = []  # kind, name, why
        market = self._market_levels()
        if market is not None:
            market = market.loc[:end]
            try:
                rows.append(("market", recovery(market, day0, self.provenance.market)))
            except DataUnavailableError as err:
                missing.append(("market", str(self.provenance.market), str(err)))
        p0 = int(cast(int, levels.index.get_loc(day0))) if day0 in levels.index else None
        ev = self.events[self.events["event_id"] == eid]
        own_day0 = dict(zip(ev["ticker"], pd.to_datetime(ev["day0"]), strict=True))
        named = [g for g in self.groups if g != self.spec.universe]
        for g in self.groups:
            members = [t for t in self.spec.groups[g] if t in levels.columns]
            if p0 is None or p0 == 0 or not members:
                continue
            # each member against its last close before day 0 (a missing day -1 close, e.g. a
            # filler row or a home holiday, takes the close before it, as recovery() does)
            base = levels[members].iloc[:p0].ffill().iloc[-1]
            rel = levels[members].div(base).mean(axis=1, skipna=True)
            rel.iloc[p0 - 1] = 1.0
            since = [levels[m].iloc[:p0].last_valid_index() for m in members]
            try:
                rec = recovery(rel.iloc[p0 - 1:], day0, g)
            except DataUnavailableError:  # no member with a close on day 0 (its own calendar)
                others = sorted({own_day0[m] for m in members if m in own_day0} - {day0})
                missing.append(("group", g, f"no member has a close on day 0 ({day0.date()})"
                                + (f"; its own day 0 is {', '.join(str(d.date()) for d in others)}"
                                   if others else "")))
                continue
            known = [pd.Timestamp(cast(str, d)) for d in since if d is not None]
            rows.append(("group", replace(rec, base_date=min(known) if known else None)))
        for t in dict.fromkeys(t for g in named for t in self.spec.groups[g]):
            if t in levels.columns and levels[t].notna().any():
                try:
                    rows.append(("security", recovery(levels[t], day0, t)))
                except Exception:  # noqa: BLE001 - a security without a close around day 0
                    continue
        if self.context is not None:
            for c in self.context.columns:
                if c == "^VIX":  # a fear gauge 'recovers' by falling back: not the same question
                    continue
                try:
                    rows.append(("context", recovery(self.context[c].loc[:end], day0, str(c))))
                except Exception as err:  # noqa: BLE001 - no close around day 0
                    missing.append(("context", str(c), str(err).removeprefix("recovery: ")))
                    continue
        out = pd.DataFrame([{"kind": k, **r.__dict__, "missing": ""} for k, r in rows]
                           + [{"kind": k, "name": n, "missing": why} for k, n, why in missing])
        return out.drop(columns=["day0", "level_before"]).assign(event_id=eid)

    def sector_table(self, event_id: str | None = None) -> pd.DataFrame:
        """Return day-0 returns and ARs by sector of the universe (GICS for the S&P 500).

        Returns
        -------
        pandas.DataFrame
            One row per sector, sorted by cap-weighted return: sector, n, fell (members with a
            negative day-0 return), ret_equal (equal-weighted day-0 return), ar_mean (mean day-0
            AR), ret_cap (cap-weighted day-0 return, with market values) and contribution (to the
            index move, decimal of the index; with market values).

        Raises
        ------
        SpecificationError
            Without sectors (``universe: sp500`` gives the bundled GICS sectors).
        """
        if self.sectors is None:
            raise SpecificationError("no sectors: sector_table needs the universe's sectors "
                                     "(universe: sp500, or sectors= given to EventStudy)")
        eid, _ = self._day0(event_id)
        f = self.to_frame().query("tau == 0 and event_id == @eid")
        f = f.drop_duplicates("ticker").set_index("ticker")
        f = f[f.index.isin(self.sectors.index)]
        f = f.assign(sector=self.sectors.reindex(f.index))
        table = f.groupby("sector").agg(n=("ret", "size"),
                                        fell=("ret", lambda r: int((r < 0).sum())),
                                        ret_equal=("ret", "mean"), ar_mean=("ar", "mean"))
        table["ret_cap"] = np.nan
        table["contribution"] = np.nan
        if self.market_values is not None:
            m = self.index_move((0, 0), eid).members.set_index("ticker")
            m = m.assign(sector=self.sectors.reindex(m.index))
            g = m.groupby("sector")
            table["contribution"] = g["contribution"].sum().reindex(table.index)
            table["ret_cap"] = (g["contribution"].sum() / g["weight"].sum()).reindex(table.index)
        key = table["ret_cap"].fillna(table["ret_equal"])
        return table.loc[key.sort_values().index].reset_index()

    def top_members(self, n: int = 10, by: str = "ret", event_id: str | None = None
                    ) -> pd.DataFrame:
        """Return the ``n`` lowest and ``n`` highest members of the universe on day 0.

        Parameters
        ----------
        n : int, default 10
        by : {'ret', 'ar', 'contribution', 'dollar_change'}, default 'ret'
            Day-0 return, abnormal return, contribution to the index move or dollar change (the
            last two need market values).

        Returns
        -------
        pandas.DataFrame
            Columns ticker, group, ret, ar, contribution, dollar_change, rank ('bottom'/'top').
        """
        if by not in ("ret", "ar", "contribution", "dollar_change"):
            raise SpecificationError(f"top_members: by must be ret, ar, contribution or "
                                     f"dollar_change, not {by!r}")
        eid, _ = self._day0(event_id)
        f = self.to_frame().query("tau == 0 and event_id == @eid").drop_duplicates("ticker")
        f = f.set_index("ticker")[["group", "ret", "ar"]]
        if self.market_values is not None:
            m = self.index_move((0, 0), eid).members.set_index("ticker")
            f = f.join(m[["contribution", "dollar_change"]], how="left")
        else:
            if by in ("contribution", "dollar_change"):
                raise SpecificationError(f"top_members(by={by!r}) needs market values")
            f = f.assign(contribution=np.nan, dollar_change=np.nan)
        f = f.dropna(subset=[by]).sort_values(by)
        low, high = f.head(n).assign(rank="bottom"), f.tail(n).iloc[::-1].assign(rank="top")
        return pd.concat([low, high]).reset_index()

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
            return cast(pd.DataFrame, np.exp(both.cumsum()))  # a ufunc keeps the frame
        return (1 + both).cumprod()

    # ------------------------------------------------------------------ tests
    @cached_property
    def panel(self) -> TestPanel:
        """The security-events' abnormal returns as a :class:`~eventstudy.statistics.TestPanel`.

        The variance engine: estimation residuals, event-window ARs, standardisation under the
        study's conventions.
        """
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

    @frozen_cache
    def tests(self) -> pd.DataFrame:
        """One row per group x event window x test.

        Columns group, tau_start, tau_end, test, statistic, p_value, n (and p_value_adjusted
        when the study sets ``p_adjust``).

        The tests are the study's ``tests`` (default :data:`~eventstudy.statistics.battery.
        DEFAULT_TESTS`) under its ``conventions``; see the README section "What it computes".
        """
        from eventstudy.statistics.battery import adjust_pvalues, run_tests

        frames = []
        for e in self.event_units:
            groups = {g: self._members(g, e) for g in self.groups}
            table = run_tests(self.panel, self.event_windows, groups, list(self.options.tests),
                              bootstrap=self.options.bootstrap)
            if self.options.p_adjust:
                table = adjust_pvalues(table, self.options.p_adjust)
            frames.append(table.assign(event_id=e))
        return pd.concat(frames, ignore_index=True)

    def car_regression(
        self,
        x: list[str],
        *,
        data: pd.DataFrame | None = None,
        window: Window | None = None,
        cov_type: str = "HC1",
    ) -> Any:
        """Regress CAR over ``window`` on characteristics.

        See :func:`eventstudy.statistics.regression.car_regression`.

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
        """The study's ``regression`` (config key or ``EventStudy(regression=)``), fitted.

        None without one.
        """
        spec = self.regression_spec
        if not spec:
            return None
        return self.car_regression(list(spec["x"]), data=spec.get("data"),
                                   window=spec.get("window"),
                                   cov_type=spec.get("cov_type") or "HC1")

    def test(self, name: str = "t", window: Window = (0, 0), group: str | None = None,
             event_id: str | None = None) -> TestResult:
        """Return one test of CAAR = 0 over ``window`` for one group.

        Parameters
        ----------
        name : str
            A key of :data:`eventstudy.statistics.battery.TESTS` ('t', 'patell', 'bmp',
            'kolari_pynnonen', 'corrado_rank', 'generalized_sign', ...), whether or not the study
            lists it in ``tests``.
        window : tuple of int
            Inclusive tau window inside the event windows.
        group : str, optional
            One of :attr:`groups`. Required when the study has more than one group (a test is of
            one group: the first one was answered silently before); default the only group.
            :attr:`tests` holds every group.
        event_id : str, optional
            One event of :attr:`event_units`; default the only unit, or all security-events.

        Returns
        -------
        TestResult
            The statistic, p-value, distribution and N; the null hypothesis names the group.

        Raises
        ------
        ValueError
            (:class:`SpecificationError`) For an unknown test, an unknown group, no group with
            more than one group (naming the groups), or a window outside the event windows.
        """
        from eventstudy.statistics.battery import run_test

        if group is None:
            if len(self.groups) > 1:
                raise SpecificationError(
                    f"test {name!r}: these results have {len(self.groups)} groups; name one "
                    f"with group= ({', '.join(map(repr, self.groups))}), or read res.tests "
                    "for every group")
            group = self.groups[0]
        self.group_members(group)
        self.panel.window_slice(window)
        if event_id is None and len(self.event_units) == 1:
            event_id = self.event_units[0]
        if event_id is not None and event_id not in self.event_units:
            raise SpecificationError(f"event_id {event_id!r} is not a unit of these results; "
                                     f"units: {self.event_units[:10]}")
        r = run_test(self.panel.subset(self._members(group, event_id)), name, window,
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
    def plot_caar(self, ax: Any = None, *, ci: float = 0.90,
                  groups: list[str] | None = None) -> Figure:
        """Plot CAAR paths per group with a ``ci`` band (for the groups significant at 1 - ci).

        See :func:`eventstudy.reporting.plots.plot_caar`.
        """
        from eventstudy.reporting.plots import plot_caar

        return plot_caar(self, ax=ax, ci=ci, groups=groups)

    def plot_ar(self, ax: Any = None, *, tau: int = 0) -> Figure:
        """Bar chart of AR(tau) of the named securities.

        See :func:`eventstudy.reporting.plots.plot_ar`.
        """
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
                raise SpecificationError(f"plot_car: no security-event for ticker(s) "
                                         f"{name_list(unknown)} in these results; tickers: "
                                         f"{name_list(sorted(have))}")

        return plot_car(self, ax=ax, tickers=tickers)

    def to_report(self, output_dir: str | Path) -> Path:
        """Write tables, summary and PDF report to ``output_dir``.

        See :func:`eventstudy.reporting.export.write_report`.
        """
        from eventstudy.reporting.export import write_report

        return write_report(self, output_dir)


_FIELDS = {"spec", "options", "estimate", "provenance", "returns", "market", "regression_spec",
           "claim_results", "market_values", "context", "sectors", "tables"}
