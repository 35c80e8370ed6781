"""``EventStudy``: validates events and returns, fits the normal-return model, computes ARs and CARs."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import ModelName, NonTradingDayPolicy, Window
from eventstudy._warning_log import WarningLog, merge_warnings
from eventstudy.exceptions import (
    ConfigError,
    DataQualityError,
    DataShapeError,
    DataUnavailableError,
    EstimationError,
    EventDateShiftedWarning,
    EventWindowOverlapWarning,
    InsufficientEstimationDataWarning,
    MissingReturnsWarning,
    beta_not_identifiable_msg,
    insufficient_estimation_msg,
    name_list,
    zero_variance_msg,
)
from eventstudy.models import NormalReturnModel, fit_batch, get_model
from eventstudy.statistics.battery import (
    ADJUST_METHODS,
    DEFAULT_TESTS,
    check_test_names,
)
from eventstudy.statistics.conventions import Conventions, get_conventions
from eventstudy.statistics.parametric import forecast_error_variance, t_pvalue
from eventstudy.windows import check_windows, span, taus, window_length

logger = logging.getLogger(__name__)

__all__ = ["EventStudy"]

EVENT_COLUMNS = ("event_id", "ticker", "date")
OTHER_GROUP = "other"
"""Group of the security-events in no named group (listed after the named groups, before the
universe), so nothing fitted drops out of the CAAR and the tests."""


def _events_frame(events: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(events).copy()
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"events need columns {list(EVENT_COLUMNS)}; missing {missing} "
            f"(got {list(frame.columns)})"
        )
    if frame.empty:
        raise ConfigError("events is empty: give at least one event")
    frame["event_id"] = frame["event_id"].astype(str)
    frame["ticker"] = frame["ticker"].astype(str)
    dates = pd.to_datetime(frame["date"].astype(str), errors="coerce", format="mixed")
    bad = dates.isna()
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise ConfigError(f"event {row['event_id']} ({row['ticker']}): bad date {row['date']!r}")
    frame["date"] = pd.DatetimeIndex(dates).tz_localize(None).normalize()
    if "label" not in frame.columns:
        frame["label"] = ""
    from eventstudy.inputs import EVENT_TIMES

    frame["time"] = (frame["time"].fillna("").astype(str).str.strip().str.lower()
                     if "time" in frame.columns else "")
    frame["group"] = (frame["group"].fillna("").astype(str).str.strip()
                      if "group" in frame.columns else "")
    bad_time = ~frame["time"].isin(EVENT_TIMES)
    if bad_time.any():
        row = frame.loc[bad_time].iloc[0]
        raise ConfigError(f"event {row['event_id']} ({row['ticker']}): time {row['time']!r} is not "
                          f"one of {list(EVENT_TIMES[1:])}")
    dup = frame.duplicated(["event_id", "ticker"])
    if dup.any():
        row = frame.loc[dup].iloc[0]
        raise ConfigError(
            f"event {row['event_id']} lists ticker {row['ticker']} twice; (event_id, ticker) "
            "must be unique"
        )
    same = frame.duplicated(["ticker", "date"], keep=False)
    if same.any():  # one security-event under two ids: counted twice in every AAR and CAAR
        rows = frame.loc[same].sort_values(["ticker", "date"]).head(2)
        warnings.warn(
            f"events {' and '.join(rows['event_id'])} both hold {rows['ticker'].iat[0]} on "
            f"{rows['date'].iat[0].date()}: the same security-event counts twice in the averages "
            f"({int(same.sum())} such rows)",
            EventWindowOverlapWarning,
            stacklevel=3,
        )
    return frame.reset_index(drop=True)


def _check_finite(frame: pd.DataFrame, what: str) -> None:
    """Raise DataQualityError at the first +/-inf (a zero price upstream; case C20a)."""
    values = frame.to_numpy(dtype="float64")
    bad = np.isinf(values)
    if bad.any():
        r, c = (int(a[0]) for a in np.nonzero(bad))
        raise DataQualityError(
            f"non-finite {what} {values[r, c]} for {frame.columns[c]} on "
            f"{pd.Timestamp(frame.index[r]).date()} (a zero or negative price?); fix the data"
        )


def _config_regression(config: Any) -> dict[str, Any] | None:
    """The config's ``regression`` as EventStudy's argument (its ``data`` CSV read, keys as text)."""
    spec = config.regression
    if spec is None:
        return None
    out: dict[str, Any] = {"x": list(spec.x), "window": spec.window, "cov_type": spec.cov_type}
    if spec.data is not None:
        path = config.resolve_path(spec.data)
        try:
            out["data"] = pd.read_csv(path, dtype={"event_id": str, "ticker": str})
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: cannot read regression data ({exc})") from None
    return out


def _config_factors(config: Any) -> pd.DataFrame | None:
    """Read the config's ``factors`` files (Ken French layout), paths relative to the config."""
    if not config.factors:
        return None
    from eventstudy.data.french import read_french

    paths = [config.resolve_path(p) for p in config.factors]
    frame = read_french(*paths)
    frame.attrs["files"] = [Path(p).name for p in paths]  # named when they miss an event window
    return frame


class EventStudy:
    """A market-reaction event study: normal-return model, abnormal returns and their tests.

    Parameters
    ----------
    events : pandas.DataFrame or list of dict
        One row per security-event with columns ``event_id`` (str), ``ticker`` (a column of
        ``returns``), ``date`` (the event date, a calendar date) and optionally ``label`` and
        ``time`` ('before_open', 'during' or 'after_close'; after the close, day 0 is the next
        session) and ``group`` (a group of security-events, reported like the named groups).
        (event_id, ticker) must be unique; a security may appear in several events.
    returns : pandas.DataFrame
        (n_sessions, n_securities) decimal returns indexed by session date (sorted, unique,
        tz-naive ``DatetimeIndex``). Event time tau counts rows of this index.
    market : pandas.Series or pandas.DataFrame
        Market returns: a Series on the same index, or a frame shaped like ``returns`` that gives the
        market return paired with each security (see :func:`eventstudy.returns.aligned_returns`).
    groups : mapping of str to list of str, optional
        Named groups of tickers whose AAR and CAAR are reported. Default: one group ``all``.
        Security-events in no group form one more group, :data:`OTHER_GROUP` (``other``; or
        ``ungrouped`` when a group is called ``other``), listed before the universe (the group
        named by ``metadata["universe"]``), so none drops out of the CAAR and the tests.
    estimation_window : tuple of int, default (-250, -11)
        Inclusive (T0, T1) in sessions relative to day 0.
    event_windows : sequence of tuple of int, default ((0, 0), (-1, 1))
        Inclusive (t1, t2) windows over which CARs are reported.
    model : {'market', 'market_adjusted', 'constant_mean'} or NormalReturnModel, default 'market'
    min_estimation_obs : int, optional
        Fewest valid estimation-window returns a security-event needs; default half the window
        length, rounded up (case C19).
    gap : int, default 0
        Sessions required between the estimation window and the first event window.
    missing_returns : {'nan', 'skip'}, default 'nan'
        A missing event-window AR makes the CAR NaN ('nan', case C20b), or the CAR sums the
        available days and ``car_table`` gains ``n_days`` ('skip').
    exclude_other_events : bool, default True
        Leave the sessions of another event window of the same security out of an estimation
        window (case C22b); False keeps them in the fit. Either way a warning reports the overlap.
    non_trading_day : {'next', 'previous', 'error'}, default 'next'
        Anchoring of event dates that are not sessions (case C15).
    calendar : str, default 'XNYS'
        Exchange calendar named in messages.
    metadata : dict, optional
        Provenance (study id, title, data source, vintage, adjustment) carried to the results.
    tests : list of str, optional
        Cross-sectional tests for ``res.tests`` and ``tests.csv`` (keys of
        :data:`eventstudy.statistics.battery.TESTS`); default
        :data:`~eventstudy.statistics.battery.DEFAULT_TESTS`.
    conventions : str, Conventions or dict, optional
        Choices where tools disagree (sigma denominator, forecast-error correction, market moments,
        ...): a preset ``'eventstudy'`` (default) or ``'estudy2'``, or a mapping of fields; see
        :class:`~eventstudy.statistics.conventions.Conventions`.
    p_adjust : {'holm', 'fdr_bh'}, optional
        Adjust each test's p-values across the event windows (adds ``p_value_adjusted``).
    bootstrap : dict, optional
        ``n_boot`` (default 999) and ``seed`` (default 0) of the ``bootstrap_t`` test.
    regression : dict, optional
        A cross-sectional regression of CARs for ``res.regression``: ``x`` (regressors), ``window``
        (default the first event window), ``cov_type`` (default 'HC1') and ``data`` (a frame of
        characteristics keyed by event_id and/or ticker); see :meth:`EventStudyResults.car_regression`.
    factors : pandas.DataFrame, optional
        Daily factor returns (decimals) indexed by date, with Ken French's column names (Mkt-RF,
        SMB, HML, RMW, CMA, Mom, RF), for the models 'ff3', 'carhart' and 'ff5'; see
        :func:`eventstudy.data.french.read_french`.
    claims : list of ClaimSpec or dict, optional
        Claims to test against the results (``res.claims``); see :mod:`eventstudy.claims.spec`.
    market_history : pandas.Series, optional
        The market's own daily returns (decimals) by session date, for the market-based claim tests
        (a lookback before each event, comparison dates). Default: ``market`` when it is a Series.

    Raises
    ------
    ConfigError
        For malformed events or windows.
    DataShapeError
        When returns or market are not shaped as described, or an event names an unknown ticker.

    Examples
    --------
    >>> from eventstudy import EventStudy
    >>> study = EventStudy.from_yaml("configs/deepseek_2025.yaml")  # doctest: +SKIP
    >>> res = study.fit()  # doctest: +SKIP
    """

    def __init__(
        self,
        events: pd.DataFrame | Sequence[Mapping[str, Any]],
        returns: pd.DataFrame,
        market: pd.Series | pd.DataFrame,
        *,
        groups: Mapping[str, Sequence[str]] | None = None,
        estimation_window: Window = (-250, -11),
        event_windows: Sequence[Window] = ((0, 0), (-1, 1)),
        model: ModelName | NormalReturnModel = "market",
        min_estimation_obs: int | None = None,
        gap: int = 0,
        non_trading_day: NonTradingDayPolicy = "next",
        calendar: str = "XNYS",
        metadata: Mapping[str, Any] | None = None,
        tests: Sequence[str] | None = None,
        conventions: str | Conventions | Mapping[str, Any] | None = None,
        p_adjust: str | None = None,
        bootstrap: Mapping[str, Any] | None = None,
        factors: pd.DataFrame | None = None,
        regression: Mapping[str, Any] | None = None,
        exclude_other_events: bool = True,
        missing_returns: str = "nan",
        claims: Sequence[Any] | None = None,
        market_history: pd.Series | None = None,
    ) -> None:
        self._warnings = WarningLog()
        with self._warnings.capture():
            self.events = _events_frame(events)
        if market_history is None and isinstance(market, pd.Series):
            market_history = market
        self.market_history = market_history
        if not isinstance(returns, pd.DataFrame) or not isinstance(returns.index, pd.DatetimeIndex):
            raise DataShapeError("returns must be a DataFrame indexed by session dates")
        if not returns.index.is_monotonic_increasing or returns.index.has_duplicates:
            raise DataShapeError("returns index must be sorted session dates without duplicates")
        self.returns = returns.astype("float64")
        _check_finite(self.returns, "return")
        if isinstance(market, pd.Series):
            if not market.index.equals(returns.index):
                market = market.reindex(returns.index)
            market = pd.DataFrame(
                np.repeat(market.to_numpy(dtype="float64")[:, None], returns.shape[1], axis=1),
                index=returns.index,
                columns=returns.columns,
            )
        elif isinstance(market, pd.DataFrame):
            market = market.reindex(index=returns.index, columns=returns.columns)
        else:
            raise DataShapeError("market must be a Series or a DataFrame of market returns")
        self.market = market.astype("float64")
        _check_finite(self.market, "market return")
        unknown = sorted(set(self.events["ticker"]) - set(returns.columns))
        if unknown:
            raise DataShapeError(f"events name tickers with no returns column: {unknown}")
        self.estimation_window: Window = (int(estimation_window[0]), int(estimation_window[1]))
        self.event_windows: list[Window] = [(int(a), int(b)) for a, b in event_windows]
        self.gap = int(gap)
        check_windows(self.estimation_window, self.event_windows, gap=self.gap)
        self.model = get_model(model)
        L_est = window_length(self.estimation_window)
        self.min_estimation_obs = (
            int(min_estimation_obs) if min_estimation_obs is not None else -(-L_est // 2)
        )
        if self.min_estimation_obs > L_est:
            raise ConfigError(
                f"min_estimation_obs {self.min_estimation_obs} exceeds the estimation window "
                f"length {L_est}"
            )
        k = len(self.model.param_names) if self.model.fixed_params is None else 1
        if self.min_estimation_obs <= k:
            raise ConfigError(f"min_estimation_obs must exceed {k} for the {self.model.name} model")
        tickers = list(dict.fromkeys(self.events["ticker"]))
        if groups is None:
            groups = {"all": tickers}
        known = set(tickers)  # built once: a set per member was quadratic in the tickers
        self.groups = {str(g): [t for t in dict.fromkeys(m) if t in known]
                       for g, m in groups.items()}
        # Groups named in the events' own ``group`` column hold those security-events (not tickers).
        self.event_groups: dict[str, np.ndarray] = {}
        for g in dict.fromkeys(self.events["group"]):
            if not g:
                continue
            if g in self.groups and groups is not None and g in groups:
                raise ConfigError(f"group {g!r} is defined both in groups and in the events' group "
                                  "column; use one or the other")
            mask = (self.events["group"] == g).to_numpy()
            self.event_groups[g] = mask
            self.groups[g] = list(dict.fromkeys(self.events.loc[mask, "ticker"]))
        self.non_trading_day = non_trading_day
        self.calendar = calendar
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.other_group = self._add_other_group()
        try:
            self.tests = check_test_names(list(tests) if tests is not None else DEFAULT_TESTS)
            self.conventions = get_conventions(
                dict(conventions) if isinstance(conventions, Mapping) else conventions
            )
            if p_adjust is not None and p_adjust not in ADJUST_METHODS:
                raise ConfigError(f"p_adjust must be one of {list(ADJUST_METHODS)}, not {p_adjust!r}")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        self.p_adjust = p_adjust
        self.bootstrap = {"n_boot": 999, "seed": 0, **dict(bootstrap or {})}
        self.factors = self._check_factors(factors)
        self.regression = dict(regression) if regression else None
        self.exclude_other_events = bool(exclude_other_events)
        if missing_returns not in ("nan", "skip"):
            raise ConfigError(f"missing_returns must be 'nan' or 'skip', not {missing_returns!r}")
        self.missing_returns = missing_returns
        from eventstudy.claims import check_claims, parse_claims

        self.claims = parse_claims(claims)
        check_claims(self.claims, groups=self.groups, event_ids=self.events["event_id"],
                     event_windows=self.event_windows)

    def _add_other_group(self) -> str | None:
        """Put the security-events in no named group into group ``other`` (after the named
        groups, before the universe), so none drops out of the CAAR and the tests; return its
        name (``ungrouped`` when a group is already called ``other``), or None."""
        named = {t for g, m in self.groups.items() if g not in self.event_groups for t in m}
        mask = ((self.events["group"] == "") & ~self.events["ticker"].isin(named)).to_numpy()
        if not mask.any():
            return None
        name = OTHER_GROUP if OTHER_GROUP not in self.groups else "ungrouped"
        members = list(dict.fromkeys(self.events.loc[mask, "ticker"]))
        items = list(self.groups.items())
        universe = self.metadata.get("universe")
        at = next((i for i, (g, _) in enumerate(items) if g == universe), len(items))
        items.insert(at, (name, members))
        self.groups = dict(items)
        self.event_groups[name] = mask
        note = (f"group {name}: {len(members)} securities in no named group "
                f"({name_list(members, 5, brackets=False)}), reported as one more group")
        self.metadata["notes"] = [*self.metadata.get("notes", []), note]
        logger.info(note)
        return name

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_config(cls, config: Any, *, source: Any = None) -> EventStudy:
        """Build a study from a :class:`~eventstudy.config.StudyConfig`, loading prices.

        Parameters
        ----------
        config : StudyConfig
        source : PriceSource, optional
            Overrides ``config.data.source`` (tests inject recorded data here).

        Raises
        ------
        ConfigError, DataUnavailableError, DataQualityError
        """
        from eventstudy.inputs import load_study_inputs

        log = WarningLog()
        with log.capture():
            inputs = load_study_inputs(config, source=source)
            factors = _config_factors(config)
        study = cls(
            inputs.events,
            inputs.returns,
            inputs.market,
            groups=inputs.groups,
            estimation_window=config.estimation_window,
            event_windows=config.event_windows,
            model=config.model,
            min_estimation_obs=config.min_estimation_obs,
            gap=config.gap,
            non_trading_day=config.data.non_trading_day,
            calendar=inputs.metadata["calendar"],
            metadata=inputs.metadata,
            claims=config.claims,
            market_history=inputs.market_history,
            tests=config.tests,
            conventions=config.conventions,
            p_adjust=config.p_adjust,
            bootstrap=config.bootstrap.model_dump(),
            factors=factors,
            regression=_config_regression(config),
            exclude_other_events=config.exclude_other_events,
            missing_returns=config.missing_returns,
        )
        study._warnings.items = merge_warnings(log.items, study._warnings.items)
        return study

    @classmethod
    def from_yaml(cls, path: str | Path, *, source: Any = None) -> EventStudy:
        """Build a study from a YAML config file; see :func:`eventstudy.config.load_config`."""
        from eventstudy.config import load_config

        return cls.from_config(load_config(path), source=source)

    # ------------------------------------------------------------------ fitting
    def _anchor(self) -> tuple[np.ndarray, pd.DataFrame]:
        from eventstudy.data.calendar import anchor_dates, is_session

        index = self.returns.index
        dates = pd.DatetimeIndex(self.events["date"])
        keys = (self.events["event_id"] + ":" + self.events["ticker"]).tolist()
        pos = anchor_dates(dates, index, self.non_trading_day, calendar=self.calendar, labels=keys)
        # News after the close moves prices in the next session: day 0 is the first row after the date.
        after = (self.events["time"] == "after_close").to_numpy()
        if after.any():
            pos = np.asarray(pos).copy()
            pos[after] = np.searchsorted(index.values, dates[after].values, side="right")
            late = np.flatnonzero(after & (pos >= len(index)))
            if len(late):
                raise DataUnavailableError(
                    f"event {keys[late[0]]} (after_close): no session after "
                    f"{dates[late[0]].date()} in the data (last {index[-1].date()})"
                )
        anchored = index[pos]
        moved = np.flatnonzero((anchored != dates) & ~after)
        rows = []
        for i in moved:
            d = dates[i]
            try:
                exchange_session = is_session(self.calendar, d)
            except Exception:  # calendar range or name: only used for this check
                exchange_session = False
            if exchange_session:
                raise DataUnavailableError(
                    f"event {keys[i]}: {d.date()} is a {self.calendar} session but the data has no "
                    "row for it (missing market or security prices)"
                )
            rows.append((self.events["event_id"].iat[i], d.date(), anchored[i].date()))
        shifted = pd.DataFrame(rows, columns=["event_id", "date", "anchored_date"]).drop_duplicates()
        for r in shifted.itertuples():
            msg = (f"event {r.event_id}: {r.date} is not a {self.calendar} session; day 0 is "
                   f"{r.anchored_date} (non_trading_day: {self.non_trading_day})")
            warnings.warn(msg, EventDateShiftedWarning, stacklevel=4)
            logger.info(msg)
        return pos, shifted

    def fit(self) -> Any:
        """Estimate the normal-return model per security-event and compute ARs, CARs and tests.

        Returns
        -------
        EventStudyResults

        Raises
        ------
        DataUnavailableError
            When the data end before an event window does, or start after an event; when no
            security-event has a return in the event window, or none has a complete CAR over any
            event window (the message names the missing returns, or the factor file and its last
            date).
        EstimationError
            When every security-event was skipped (the message gives the reasons).

        Warns
        -----
        InsufficientEstimationDataWarning
            For security-events skipped for too few estimation returns or zero variance.
        MissingReturnsWarning
            When event-window returns are missing (those CARs are NaN, never a partial sum), or a
            security-event has none and is skipped.

        Notes
        -----
        The :class:`~eventstudy.exceptions.EventStudyWarning` s raised while loading and fitting
        are listed, once each, in ``res.metadata["warnings"]`` (dicts ``category``, ``message``).
        """
        log = WarningLog()
        with log.capture():
            res = self._fit()
        res.metadata["warnings"] = merge_warnings(self._warnings.items, log.items)
        return res

    def _fit(self) -> Any:
        from eventstudy.results import EventStudyResults

        index = self.returns.index
        n_rows = len(index)
        pos0, shifted = self._anchor()
        col = self.returns.columns.get_indexer(self.events["ticker"])
        est_tau = taus(self.estimation_window)
        evt_window = span(self.event_windows)
        evt_tau = taus(evt_window)

        last_needed = pos0.max() + evt_window[1]
        if last_needed >= n_rows:
            late = int(np.argmax(pos0))
            raise DataUnavailableError(
                f"event {self.events['event_id'].iat[late]} needs {evt_window[1]} sessions after "
                f"{index[pos0[late]].date()} but the data end {index[-1].date()}"
            )

        R = self.returns.to_numpy()
        M = self._model_inputs()
        # Securities as rows, so that each security-event's window is one contiguous run of memory
        # (the gathers dominate the fit at 100,000 security-events).
        RT = np.ascontiguousarray(R.T)
        MT = np.ascontiguousarray(np.swapaxes(M, 0, 1))

        def gather(mat: np.ndarray, positions: np.ndarray) -> np.ndarray:
            ok = (positions >= 0) & (positions < n_rows)
            out = mat[col[:, None], np.clip(positions, 0, n_rows - 1)]
            return np.where(ok[..., None] if out.ndim == 3 else ok, out, np.nan)

        est_pos = pos0[:, None] + est_tau[None, :]
        y_est, m_est = gather(RT, est_pos), gather(MT, est_pos)
        valid = np.isfinite(y_est) & (
            np.isfinite(m_est).all(axis=-1) if m_est.ndim == 3 else np.isfinite(m_est)
        )
        overlap = self._other_event_days(pos0, est_pos)
        if self.exclude_other_events:
            valid &= ~overlap

        keys = (self.events["event_id"] + ":" + self.events["ticker"]).to_numpy()
        nobs = valid.sum(axis=1)
        L_est = len(est_tau)
        reasons: dict[int, str] = {}
        for i in np.flatnonzero(nobs < self.min_estimation_obs):
            reasons[int(i)] = insufficient_estimation_msg.format(
                key=keys[i], n=int(nobs[i]), L=L_est, min_obs=self.min_estimation_obs
            )

        def masked_var(x: np.ndarray) -> np.ndarray:
            n = np.maximum(valid.sum(axis=1), 1)
            xm = np.where(valid, x, 0.0)
            mean = xm.sum(axis=1) / n
            return (np.where(valid, x - mean[:, None], 0.0) ** 2).sum(axis=1) / n

        scale = 1e-12  # returns are decimals: a variance below (1e-6)^2 is a constant series
        for i in np.flatnonzero(masked_var(y_est) < scale):
            reasons.setdefault(int(i), zero_variance_msg.format(key=keys[i]))
        if self.model.market_input is not None:
            m_id = (m_est[..., self.model.inputs.index(self.model.market_input)]
                    if m_est.ndim == 3 else m_est)
            for i in np.flatnonzero(masked_var(m_id) < scale):
                reasons.setdefault(int(i), beta_not_identifiable_msg.format(key=keys[i]))

        # A security-event with no abnormal return in the event window (delisted, suspended, or
        # factors that end before it) is skipped, never counted as fitted with empty results.
        evt_all = pos0[:, None] + evt_tau[None, :]
        m_all = gather(MT, evt_all)
        has_ar = (np.isfinite(gather(RT, evt_all))
                  & np.isfinite(self.model.regressors(m_all)).all(axis=-1)
                  & np.isfinite(self.model.offset(m_all)))
        no_ar = [int(j) for j in np.flatnonzero(~has_ar.any(axis=1)) if int(j) not in reasons]
        for j in no_ar:
            reasons[j] = f"{keys[j]} skipped: " + self._missing_cause(evt_all[j], col[j])

        keep = np.ones(len(keys), dtype=bool)
        keep[list(reasons)] = False
        for j, msg in reasons.items():
            warnings.warn(msg, MissingReturnsWarning if j in no_ar
                          else InsufficientEstimationDataWarning, stacklevel=3)
        if not keep.any():
            if len(no_ar) == len(keys):
                raise DataUnavailableError(
                    "no security-event has a return in the event window: "
                    + "; ".join(list(reasons.values())[:3]))
            raise EstimationError(
                "every security-event was skipped: " + "; ".join(list(reasons.values())[:5])
                + self._factor_coverage()
            )
        self._warn_clustering(pos0, keep)

        fit = fit_batch(self.model, y_est[keep], m_est[keep], valid[keep])

        evt_pos = pos0[keep][:, None] + evt_tau[None, :]
        col_keep = col[keep]
        y_evt = np.where(evt_pos >= 0, RT[col_keep[:, None], np.clip(evt_pos, 0, n_rows - 1)], np.nan)
        m_evt = MT[col_keep[:, None], np.clip(evt_pos, 0, n_rows - 1)]
        m_evt = np.where((evt_pos >= 0)[..., None] if m_evt.ndim == 3 else evt_pos >= 0, m_evt, np.nan)
        X_evt = self.model.regressors(m_evt)
        normal = np.einsum("etk,ek->et", X_evt, fit.params) + self.model.offset(m_evt)
        ar = y_evt - normal
        var_ar = forecast_error_variance(fit.sigma2, fit.xtx_inv, X_evt)
        with np.errstate(invalid="ignore", divide="ignore"):
            t_ar = ar / np.sqrt(var_ar)
        p_ar = t_pvalue(t_ar, fit.df[:, None])

        self._check_some_car(ar, evt_pos, col_keep, keys[keep])
        n_missing = int(np.isnan(ar).sum())
        if n_missing:
            per_event = np.isnan(ar).sum(axis=1)
            rows = np.flatnonzero(per_event)
            bad = keys[keep][rows]
            examples = ", ".join(f"{k}: {int(c)} of {ar.shape[1]}"
                                 for k, c in zip(bad[:3], per_event[rows[:3]], strict=True))
            warnings.warn(
                f"{n_missing} event-window returns missing for {len(bad)} security-events "
                f"(e.g. {examples} event-window returns missing); "
                + ("their CARs sum the available days (missing_returns: skip, n_days)"
                   if self.missing_returns == "skip" else
                   "their CARs over windows with a gap are NaN, never a partial sum, and they "
                   "drop out of those windows' tests"),
                MissingReturnsWarning,
                stacklevel=3,
            )

        return EventStudyResults(
            study=self,
            keep=keep,
            fit=fit,
            evt_tau=evt_tau,
            dates=index.to_numpy()[np.clip(evt_pos, 0, n_rows - 1)],
            ret=y_evt,
            normal=normal,
            ar=ar,
            t_ar=t_ar,
            p_ar=p_ar,
            market=m_evt,
            est_day=np.where(valid[keep], est_pos[keep], -1),
            evt_day=evt_pos,
            est_all=self._all_market_days(m_est[keep], est_pos[keep], pos0[keep]),
            dropped=pd.DataFrame(
                [(self.events["event_id"].iat[i], self.events["ticker"].iat[i], r)
                 for i, r in sorted(reasons.items())],
                columns=["event_id", "ticker", "reason"],
            ),
            shifted=shifted,
        )

    def _missing_cause(self, positions: np.ndarray, col: int) -> str:
        """Say why a security-event has no abnormal return on the sessions ``positions``:
        no price of its own (the last one dated), or no market or factor return (the factor
        files and their last date named)."""
        index = self.returns.index
        n_rows = len(index)
        inside = positions[(positions >= 0) & (positions < n_rows)]
        if not len(inside):
            return "the event window is outside the data"
        lo, hi = index[inside[0]].date(), index[inside[-1]].date()
        where = f"{lo}..{hi}" if len(inside) > 1 else f"{lo}"
        ticker = self.returns.columns[col]
        if self.returns.iloc[inside, col].isna().all():
            last = self.returns.iloc[:, col].last_valid_index()
            when = ("no return at all in the data" if last is None else
                    f"its last return is on {last.date()} (delisted?)"
                    if last < index[inside[0]] else "a missing or suspended price")
            return f"no {ticker} return on {where} (event window): {when}"
        if (self._factor_files is not None and self.factors is not None
                and self.factors.iloc[inside].isna().any(axis=1).all()):
            files = ", ".join(self._factor_files) or "the factor returns"
            last = self._factor_last
            return (f"no factor returns on {where} (event window): {files} "
                    + (f"ends {last.date()}" if last is not None else "has no rows")
                    + " (a newer file from Ken French's data library covers it)")
        return f"no market return for {ticker} on {where} (event window)"

    def _factor_coverage(self) -> str:
        """'; factor returns: FILE cover FIRST..LAST' for models on factors (else ''), for errors
        about missing estimation or event-window data."""
        if self._factor_files is None:
            return ""
        files = ", ".join(self._factor_files) or "the factor returns"
        if self._factor_first is None or self._factor_last is None:
            return f"; factor returns: {files} has no complete row"
        return (f"; factor returns: {files} cover {self._factor_first.date()}.."
                f"{self._factor_last.date()}")

    def _check_some_car(self, ar: np.ndarray, evt_pos: np.ndarray, col: np.ndarray,
                        keys: np.ndarray) -> None:
        """Raise when no security-event has a CAR over any event window: every CAAR would be
        n/a and the report empty (a missing day 0 under ``missing_returns: nan``)."""
        ok = np.isfinite(ar)
        for w in self.event_windows:
            lo = span(self.event_windows)[0]
            sl = slice(w[0] - lo, w[1] - lo + 1)
            done = ok[:, sl].any(axis=1) if self.missing_returns == "skip" else ok[:, sl].all(axis=1)
            if done.any():
                return
        gaps = "; ".join(f"{keys[r]}: " + self._missing_cause(evt_pos[r][~ok[r]], int(col[r]))
                         for r in range(min(len(keys), 3)))
        raise DataUnavailableError(
            f"no security-event has a complete CAR over any event window "
            f"{[list(w) for w in self.event_windows]}, so every CAAR would be n/a: {gaps}"
            + ("; missing_returns: skip sums the available days" if self.missing_returns == "nan"
               else ""))

    def _all_market_days(
        self, m_est: np.ndarray, est_pos: np.ndarray, pos0: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Design and mask over every estimation day with a market return (``market_moments='all'``)."""
        if self.conventions.market_moments != "all":
            return None
        ok = (np.isfinite(m_est).all(axis=-1) if m_est.ndim == 3 else np.isfinite(m_est))
        ok &= est_pos >= 0
        return self.model.regressors(np.where(ok[..., None] if m_est.ndim == 3 else ok, m_est, 0.0)), ok

    def _check_factors(self, factors: pd.DataFrame | None) -> pd.DataFrame | None:
        """Validate factor returns against the model's inputs (Ken French column names)."""
        from eventstudy.models.factor import FACTOR_COLUMNS

        needed = [FACTOR_COLUMNS[n] for n in self.model.inputs if n in FACTOR_COLUMNS]
        self._factor_files: list[str] | None = None  # set when the model uses factors
        self._factor_last: pd.Timestamp | None = None
        self._factor_first: pd.Timestamp | None = None
        if not needed:
            return factors
        if factors is None:
            raise ConfigError(
                f"model {self.model.name!r} needs factor returns {needed}: pass factors= (e.g. "
                "eventstudy.data.french.read_french(path)) or set 'factors:' in the config"
            )
        missing = [c for c in needed if c not in factors.columns]
        if missing:
            raise DataShapeError(
                f"factor returns lack column(s) {missing} for model {self.model.name!r} "
                f"(have {list(factors.columns)})"
            )
        f = factors[needed].astype("float64")
        f.index = pd.DatetimeIndex(f.index).tz_localize(None).normalize()
        self._factor_files = [str(p) for p in factors.attrs.get("files", [])]
        full = f.dropna().index
        self._factor_first = full.min() if len(full) else None
        self._factor_last = full.max() if len(full) else None
        return f.reindex(self.returns.index)

    def _model_inputs(self) -> np.ndarray:
        """Return the model's inputs on the returns grid: (rows, securities) for the market alone,
        (rows, securities, n_inputs) otherwise, in ``model.inputs`` order."""
        from eventstudy.models.factor import FACTOR_COLUMNS

        if self.model.inputs == ("market",):
            return self.market.to_numpy()
        shape = self.returns.shape
        layers = []
        for name in self.model.inputs:
            if name == "market":
                layers.append(self.market.to_numpy())
            elif name == "market_lag":
                layers.append(self.market.shift(1).to_numpy())
            elif name == "market_lead":
                layers.append(self.market.shift(-1).to_numpy())
            elif name in FACTOR_COLUMNS and self.factors is not None:
                col = self.factors[FACTOR_COLUMNS[name]].to_numpy(dtype="float64")
                layers.append(np.broadcast_to(col[:, None], shape))
            else:
                raise ConfigError(f"model {self.model.name!r}: no data for input {name!r}")
        return np.stack(layers, axis=-1)

    def _warn_clustering(self, pos0: np.ndarray, keep: np.ndarray) -> None:
        """Warn when fitted security-events (``keep``) of different securities share day 0
        (case C23)."""
        tick = self.events["ticker"].to_numpy()[keep]
        pos0 = pos0[keep]
        order = np.lexsort((tick, pos0))
        p, t = pos0[order], tick[order]
        same_day = np.flatnonzero((p[1:] == p[:-1]) & (t[1:] != t[:-1]))
        if not len(same_day):
            return
        _, inv, cnt = np.unique(pos0, return_inverse=True, return_counts=True)
        a, b = order[same_day[0]], order[same_day[0] + 1]
        ids = self.events["event_id"].to_numpy()[keep]
        msg = (
            f"{int((cnt[inv] > 1).sum())} security-events share their day 0 with another (e.g. "
            f"{ids[a]}:{tick[a]} and {ids[b]}:{tick[b]} on {self.returns.index[pos0[a]].date()}): "
            "their abnormal returns are cross-correlated, so t, patell and bmp overstate "
            "significance; kolari_pynnonen and adjusted_patell adjust for it (or use a "
            "calendar-time portfolio)"
        )
        warnings.warn(msg, EventWindowOverlapWarning, stacklevel=4)
        logger.info(msg)

    def _other_event_days(self, pos0: np.ndarray, est_pos: np.ndarray) -> np.ndarray:
        """Mark estimation days that fall in another event window of the same security (C22b).

        Vectorised: per security, a count of the event windows covering each session (a
        difference array), looked up at every estimation day.
        """
        n_rows = len(self.returns.index)
        codes, uniq = pd.factorize(self.events["ticker"])
        lo, hi = span(self.event_windows)
        diff = np.zeros((n_rows + 1, len(uniq)), dtype=np.int32)
        np.add.at(diff, (np.clip(pos0 + lo, 0, n_rows), codes), 1)
        np.add.at(diff, (np.clip(pos0 + hi + 1, 0, n_rows), codes), -1)
        cover = np.cumsum(diff, axis=0)[:n_rows]
        inside = (est_pos >= 0) & (est_pos < n_rows)
        out = inside & (cover[np.clip(est_pos, 0, n_rows - 1), codes[:, None]] > 0)
        hit = np.flatnonzero(out.any(axis=1))
        if len(hit):
            i = hit[0]
            p = est_pos[i][out[i]][0]
            j = np.flatnonzero((codes == codes[i]) & (pos0 + lo <= p) & (pos0 + hi >= p))[0]
            ids, tick = self.events["event_id"], self.events["ticker"]
            msg = (
                f"{len(hit)} security-events have another event of the same security inside their "
                "estimation window; those sessions are "
                + ("left out of the fit" if self.exclude_other_events else
                   "kept in the fit (exclude_other_events: false)")
                + " (e.g. event "
                f"{ids.iat[i]} ({tick.iat[i]}): {int(out[i].sum())} sessions of event "
                f"{ids.iat[j]}'s window)"
            )
            warnings.warn(msg, EventWindowOverlapWarning, stacklevel=4)
            logger.info(msg)
        return out

    def __repr__(self) -> str:
        return (
            f"EventStudy({len(self.events)} security-events, model={self.model.name!r}, "
            f"estimation_window={self.estimation_window}, event_windows={self.event_windows})"
        )
