"""``EventStudy``: holds and validates a study's data and specification.

``fit()`` composes the steps.

The model -> fit -> results pattern of statsmodels and linearmodels. The constructor validates the
data (returns, market, factors) and builds the frozen :class:`~eventstudy.specification.StudySpec`;
:meth:`EventStudy.fit` runs :func:`eventstudy.estimation.estimate`, wraps the estimate in frozen
:class:`~eventstudy.results.EventStudyResults` and evaluates the study's claims on them. Results
never read the study again.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, overload

import numpy as np
import pandas as pd

from eventstudy._typing import ModelName, NonTradingDayPolicy, Window
from eventstudy._warning_log import WarningLog, merge_warnings
from eventstudy.claims import ClaimSpec, check_claims, parse_claims
from eventstudy.claims.evaluate import evaluate_claims
from eventstudy.estimation import FactorData, estimate, factor_data
from eventstudy.eventtime import OwnSessions
from eventstudy.exceptions import (
    ConfigError,
    DataQualityError,
    DataShapeError,
    EventStudyWarning,
    SpecificationError,
)
from eventstudy.models import NormalReturnModel, get_model
from eventstudy.provenance import Provenance
from eventstudy.reactions import volatility_table, volume_table
from eventstudy.results import EventStudyResults
from eventstudy.scale.chunked import LargeStudyResults
from eventstudy.specification import (
    OTHER_GROUP,
    FitOptions,
    StudySpec,
    build_groups,
    check_backend_options,
    events_frame,
    fit_options,
)
from eventstudy.valuation import check_market_values
from eventstudy.windows import window_length

if TYPE_CHECKING:
    from eventstudy.config import StudyConfig
    from eventstudy.data import PriceSource

logger = logging.getLogger(__name__)

__all__ = ["EventStudy", "OTHER_GROUP"]


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


def _provenance(metadata: Mapping[str, Any] | Provenance | None, calendar: str) -> Provenance:
    """Return a Provenance from a record, or from a mapping of its field names (earlier API)."""
    if isinstance(metadata, Provenance):
        return metadata
    known = {f.name for f in fields(Provenance)}
    kw = {k: v for k, v in dict(metadata or {}).items() if k in known}
    kw.setdefault("calendar", calendar)
    for key in ("notes", "warnings"):
        if key in kw:
            kw[key] = tuple(kw[key])
    return Provenance(**kw)


RETURN_KINDS = ("simple", "log")


def _naive_dates(frame: Any) -> Any:
    """Return ``frame`` on tz-naive dates: a tz-aware index keeps its wall-clock date (C35).

    ``2025-01-27 00:00:00+00:00`` and ``2025-01-27 00:00:00-05:00`` are both the session of
    2025-01-27; converting the first to New York time would shift it to the 26th (case C11).
    """
    idx = getattr(frame, "index", None)
    if isinstance(idx, pd.DatetimeIndex) and idx.tz is not None:
        frame = frame.copy()
        frame.index = idx.tz_localize(None).normalize()
    return frame


def _return_kind(returns: pd.DataFrame, market: pd.Series | pd.DataFrame,
                 metadata: Mapping[str, Any] | Provenance | None) -> str | None:
    """Return the kind of returns recorded in ``attrs['returns']`` (and ``metadata``), checked.

    Raises
    ------
    SpecificationError
        When the security and market returns, or they and ``metadata['returns']``, disagree (a log
        return stock against a simple-return index would compare unlike numbers).
    """
    said: dict[str, str] = {}
    for what, frame in (("returns", returns), ("market", market)):
        kind = getattr(frame, "attrs", {}).get("returns")
        if kind is not None:
            if kind not in RETURN_KINDS:
                raise SpecificationError(f"{what}.attrs['returns'] must be 'simple' or 'log', "
                                         f"not {kind!r}")
            said[f"{what}.attrs['returns']"] = str(kind)
    if isinstance(metadata, Provenance):
        if said:
            said["metadata returns"] = metadata.returns
    elif metadata is not None and "returns" in metadata:
        said["metadata['returns']"] = str(metadata["returns"])
    if len(set(said.values())) > 1:
        listed = ", ".join(f"{k} = {v!r}" for k, v in said.items())
        raise SpecificationError(
            f"returns of different kinds: {listed}; compute all of them one way "
            "(EventStudy.from_prices does it from prices)")
    return next(iter(said.values()), None)


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
        Market returns: a Series on the same index, or a frame shaped like ``returns`` that gives
        the market return paired with each security (see
        :func:`eventstudy.returns.aligned_returns`).
    groups : mapping of str to list of str, optional
        Named groups of tickers whose AAR and CAAR are reported. Default: one group ``all``.
        Security-events in no group form one more group, ``other`` (``ungrouped`` when a group is
        called ``other``), listed before the universe (``provenance.universe``).
    estimation_window : tuple of int, default (-250, -11)
        Inclusive (T0, T1) in sessions relative to day 0.
    event_windows : sequence of tuple of int, default ((0, 0), (-1, 1))
        Inclusive (t1, t2) windows over which CARs are reported.
    model : str or NormalReturnModel, default 'market'
        A key of :data:`eventstudy.models.MODELS` or a model instance.
    min_estimation_obs : int, optional
        Fewest valid estimation-window returns a security-event needs; default half the window
        length, rounded up (case C19).
    gap : int, default 0
        Sessions required between the estimation window and the first event window.
    non_trading_day : {'next', 'previous', 'error'}, default 'next'
        Anchoring of event dates that are not sessions (case C15).
    calendar : str, default 'XNYS'
        Exchange calendar named in messages.
    metadata : Provenance or mapping, optional
        Provenance (study id, title, data source, vintage, adjustment) carried to the results; a
        mapping of :class:`~eventstudy.provenance.Provenance` field names is accepted.
    tests, conventions, p_adjust, bootstrap, headline_test, pool_events : optional
        Defaults of the same arguments of :meth:`fit`.
    factors : pandas.DataFrame, optional
        Daily factor returns (decimals) indexed by date, with Ken French's column names (Mkt-RF,
        SMB, HML, RMW, CMA, Mom, RF), for the models 'ff3', 'carhart' and 'ff5'; see
        :func:`eventstudy.data.french.read_french`.
    regression : dict, optional
        A cross-sectional regression of CARs for ``res.regression``: ``x`` (regressors), ``window``
        (default the first event window), ``cov_type`` (default 'HC1') and ``data`` (a frame of
        characteristics keyed by event_id and/or ticker); see
        :meth:`EventStudyResults.car_regression`.
    exclude_other_events : bool, default True
        Leave the sessions of another event window of the same security out of an estimation
        window (case C22b); False keeps them in the fit. Either way a warning reports the overlap.
    missing_returns : {'nan', 'skip'}, default 'nan'
        A missing event-window AR makes the CAR NaN ('nan', case C20b), or the CAR sums the
        available days and ``car_table`` gains ``n_days`` ('skip').
    claims : list of ClaimSpec or dict, optional
        Default of :meth:`fit`'s ``claims``.
    market_history : pandas.Series, optional
        The market's own daily returns (decimals) by session date: the market moments of
        ``conventions.market_moments='all'`` and the market-based claim tests read it. Default:
        ``market`` when it is a Series.
    market_values : pandas.DataFrame, optional
        Share counts or caps indexed by ticker (columns ``shares_held``, ``shares_outstanding``,
        ``market_cap``; see :func:`eventstudy.valuation.check_market_values`) for the market-value
        lens (``res.index_move()``); the bundled S&P 500 counts are
        :func:`eventstudy.datasets.index_shares`.
    confounders : list of dict, optional
        Other dated events (``date``, ``label``): one inside an event window is warned about and
        listed in ``res.confounders``.
    context : pandas.DataFrame, optional
        Levels of context series (e.g. ^IXIC, ^SOX, ^VIX) by session, for
        ``res.context_moves()`` and ``res.recovery_table()``.
    sectors : pandas.Series, optional
        Ticker -> sector, for ``res.sector_table()``.
    sessions : pandas.DataFrame, optional
        A study across exchanges: booleans shaped like ``returns``, True where the row is a
        session of the security's own exchange. Day 0 then anchors on each security's exchange and
        tau counts its own sessions (AAR and CAAR average securities at the same tau, whatever
        their calendar dates); ``market`` must then be a frame (each security's own benchmark).
        Default: tau counts every row of ``returns``.
    exchanges : mapping of str to str, optional
        Ticker -> exchange calendar code, named in messages about ``sessions`` (default 'own').
    abnormal_volume : bool, default False
        Attach ``res.tables["abnormal_volume"]``: CAAV per group and window from the bundled
        volume (:func:`eventstudy.reactions.volume_table`).
    abnormal_volatility : {'market', 'garch'}, optional
        Attach ``res.tables["abnormal_volatility"]``
        (:func:`eventstudy.reactions.volatility_table`).

    Raises
    ------
    SpecificationError
        For malformed events, windows, groups or options (a ValueError).
    DataShapeError
        When returns or market are not shaped as described, or an event names an unknown ticker.
    DataQualityError
        When returns hold +/-inf.

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
        metadata: Mapping[str, Any] | Provenance | None = None,
        tests: Sequence[str] | None = None,
        conventions: Any = None,
        p_adjust: str | None = None,
        bootstrap: Mapping[str, Any] | None = None,
        headline_test: str | None = None,
        pool_events: bool | None = None,
        factors: pd.DataFrame | None = None,
        regression: Mapping[str, Any] | None = None,
        exclude_other_events: bool = True,
        missing_returns: str = "nan",
        claims: Sequence[ClaimSpec | Mapping[str, Any]] | None = None,
        market_history: pd.Series | None = None,
        market_values: pd.DataFrame | None = None,
        confounders: Sequence[Mapping[str, Any]] | None = None,
        context: pd.DataFrame | None = None,
        sectors: pd.Series | None = None,
        sessions: pd.DataFrame | None = None,
        exchanges: Mapping[str, str] | None = None,
        abnormal_volume: bool = False,
        abnormal_volatility: str | None = None,
    ) -> None:
        self._warnings = WarningLog()
        with self._warnings.capture():
            events_df = events_frame(events)
        if market_history is None and isinstance(market, pd.Series):
            market_history = _naive_dates(market.astype("float64"))
        self.market_history: pd.Series | None = market_history
        kind = _return_kind(returns, market, metadata)
        self.returns, self.market = self._check_data(returns, market)
        unknown = sorted(set(events_df["ticker"].unique()) - set(self.returns.columns))
        if unknown:
            raise DataShapeError(f"events name tickers with no returns column: {unknown}")
        prov = _provenance(metadata, calendar)
        if kind is not None and prov.returns != kind:
            prov = replace(prov, returns=kind)
        model_ = get_model(model)
        est_w: Window = (int(estimation_window[0]), int(estimation_window[1]))
        groups_, event_groups, other, notes = build_groups(events_df, groups, prov.universe)
        for note in notes:
            logger.info(note)
        self.spec = StudySpec(
            events=events_df, groups=groups_, event_groups=event_groups, other_group=other,
            estimation_window=est_w,
            event_windows=tuple((int(a), int(b)) for a, b in event_windows),
            model=model_,
            min_estimation_obs=(int(min_estimation_obs) if min_estimation_obs is not None
                                else -(-window_length(est_w) // 2)),
            gap=int(gap), non_trading_day=str(non_trading_day), calendar=calendar,
            exclude_other_events=bool(exclude_other_events), missing_returns=str(missing_returns),
            universe=prov.universe,
            confounders=tuple((pd.Timestamp(c["date"]).normalize(), str(c.get("label", "")))
                              for c in (confounders or [])),
        )
        self.provenance = prov.with_notes(*notes)
        self.options: FitOptions = fit_options(tests, conventions, p_adjust, bootstrap,
                                               headline_test, pool_events)
        self.factors: FactorData | None = factor_data(
            model_, factors, cast(pd.DatetimeIndex, self.returns.index))  # checked above
        self.regression = dict(regression) if regression else None
        self.market_values = (check_market_values(market_values, "market_values")
                              if market_values is not None else None)
        if context is not None:
            bad = [str(c) for c in context.columns
                   if (pd.to_numeric(context[c], errors="coerce").dropna() <= 0).any()]
            if bad:
                raise SpecificationError(
                    f"context: {', '.join(bad)} hold values <= 0; context takes price levels "
                    "(index points, the VIX), not returns")
        self.context = context.copy() if context is not None else None
        self.sectors = sectors.astype(str) if sectors is not None else None
        self.sessions: OwnSessions | None = None
        if sessions is not None:
            mask = sessions.reindex(index=self.returns.index, columns=self.returns.columns)
            if mask.isna().to_numpy().any():
                raise DataShapeError("sessions must cover every row and column of returns")
            ex = dict(exchanges or {})
            self.sessions = OwnSessions.from_mask(
                mask.astype(bool), [ex.get(t, "own") for t in self.returns.columns])
        if abnormal_volatility not in (None, "market", "garch"):
            raise SpecificationError(f"abnormal_volatility must be market, garch or None, not "
                                     f"{abnormal_volatility!r}")
        self.abnormal_volume = bool(abnormal_volume)
        self.abnormal_volatility = abnormal_volatility
        self.claims: list[ClaimSpec] = parse_claims(list(claims) if claims else None)
        check_claims(self.claims, groups={g: list(m) for g, m in groups_.items()},
                     event_ids=events_df["event_id"].drop_duplicates(),
                     event_windows=list(self.spec.event_windows))

    @staticmethod
    def _check_data(returns: pd.DataFrame, market: pd.Series | pd.DataFrame
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        if not isinstance(returns, pd.DataFrame) or not isinstance(returns.index, pd.DatetimeIndex):
            raise DataShapeError("returns must be a DataFrame indexed by session dates")
        returns = _naive_dates(returns)
        market = _naive_dates(market)
        if not returns.index.is_monotonic_increasing or returns.index.has_duplicates:
            raise DataShapeError("returns index must be sorted session dates without duplicates")
        rets = returns.astype("float64").copy()
        _check_finite(rets, "return")
        if isinstance(market, pd.Series):
            m = market.reindex(returns.index).to_numpy(dtype="float64")
            frame = pd.DataFrame(np.repeat(m[:, None], returns.shape[1], axis=1),
                                 index=returns.index, columns=returns.columns)
        elif isinstance(market, pd.DataFrame):
            frame = market.reindex(index=returns.index, columns=returns.columns).astype("float64")
        else:
            raise DataShapeError("market must be a Series or a DataFrame of market returns")
        _check_finite(frame, "market return")
        return rets, frame

    # ------------------------------------------------------------------ the specification
    @property
    def events(self) -> pd.DataFrame:
        """The security-events as validated (event_id, ticker, date, label, time, group)."""
        return self.spec.events

    @property
    def groups(self) -> dict[str, list[str]]:
        """Group -> tickers, in report order."""
        return {g: list(m) for g, m in self.spec.groups.items()}

    @property
    def model(self) -> NormalReturnModel:
        """The normal-return model."""
        return self.spec.model

    @property
    def estimation_window(self) -> Window:
        """Inclusive (T0, T1) in sessions."""
        return self.spec.estimation_window

    @property
    def event_windows(self) -> list[Window]:
        """Inclusive (t1, t2) windows."""
        return list(self.spec.event_windows)

    @property
    def metadata(self) -> Mapping[str, Any]:
        """Read-only view of :attr:`provenance`."""
        return self.provenance.as_mapping()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_config(cls, config: StudyConfig, *, source: PriceSource | None = None) -> EventStudy:
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
        try:
            study = cls(
                inputs.events, inputs.returns, inputs.market,
                groups=inputs.groups,
                estimation_window=config.estimation_window,
                event_windows=config.event_windows,
                model=config.model,
                min_estimation_obs=config.min_estimation_obs,
                gap=config.gap,
                non_trading_day=config.data.non_trading_day,
                calendar=inputs.provenance.calendar,
                metadata=inputs.provenance,
                claims=config.claims,
                market_history=inputs.market_history,
                tests=config.tests,
                conventions=config.conventions,
                p_adjust=config.p_adjust,
                bootstrap=config.bootstrap.model_dump(),
                headline_test=config.headline_test,
                pool_events=config.pool_events,
                factors=inputs.factors,
                regression=inputs.regression,
                market_values=inputs.market_values,
                context=inputs.context,
                confounders=[c.model_dump() for c in config.confounders],
                sectors=inputs.sectors,
                exclude_other_events=config.exclude_other_events,
                missing_returns=config.missing_returns,
                sessions=inputs.sessions,
                exchanges=inputs.exchanges,
                abnormal_volume=config.abnormal_volume,
                abnormal_volatility=config.abnormal_volatility,
            )
        except ConfigError:
            raise
        except SpecificationError as exc:  # the same mistake, made in the study file
            raise ConfigError(f"study {config.study} ({config.base_dir}): {exc}") from None
        study._warnings.items = merge_warnings(log.items, study._warnings.items)
        return study

    @classmethod
    def from_prices(
        cls,
        events: pd.DataFrame | Sequence[Mapping[str, Any]],
        prices: pd.DataFrame,
        market_prices: pd.Series,
        *,
        returns: str = "simple",
        quality_errors: str = "skip",
        unit_switch: str = "error",
        **kwargs: Any,
    ) -> EventStudy:
        """Build a study from price levels, with the one return rule of the pipeline.

        Parameters
        ----------
        events : pandas.DataFrame or list of dict
            As for :class:`EventStudy`.
        prices : pandas.DataFrame
            (n_dates, n_securities) closes (adjusted for splits and dividends) by date.
        market_prices : pandas.Series
            The market index level or price by date.
        returns : {'simple', 'log'}, default 'simple'
            Return type; the result records it, and BHARs compound it correctly.
        quality_errors : {'skip', 'raise', 'warn'}, default 'skip'
            The prices pass the data-quality screen of the pipeline (bad bars repaired or
            excluded, each day listed in ``provenance.quality``); a security with an error of its
            own (unit switch, unrecorded split) is excluded with the reason ('skip'), stops the
            study ('raise') or is kept with a warning ('warn').
        unit_switch : {'error', 'rescale'}, default 'error'
            As ``data.unit_switch`` of a study file.
        **kwargs
            Any other argument of :class:`EventStudy` (not ``metadata['returns']``, set here).

        Returns
        -------
        EventStudy

        Raises
        ------
        SpecificationError
            For an unknown return type or option.
        DataShapeError
            When prices or market prices are not indexed by dates.
        DataQualityError
            For a data-quality error of the market, or of every security, or any under 'raise'.

        Notes
        -----
        Returns are taken between consecutive dates on which both the security and the market
        have a price (:func:`eventstudy.returns.aligned_returns`): a missing close gives no
        return, and the next return spans both sessions; it is never a 0% day (case C29).
        """
        from eventstudy.returns import aligned_returns

        if returns not in RETURN_KINDS:
            raise SpecificationError(f"returns must be 'simple' or 'log', not {returns!r}")
        for what, frame in (("prices", prices), ("market_prices", market_prices)):
            if not isinstance(getattr(frame, "index", None), pd.DatetimeIndex):
                raise DataShapeError(f"{what} must be indexed by dates (a DatetimeIndex)")
        from eventstudy.data.base import sanitize_prices
        from eventstudy.data.quality import QualityLog, screen_prices

        if quality_errors not in ("raise", "warn", "skip"):
            raise SpecificationError("quality_errors must be 'raise', 'warn' or 'skip', not "
                                     f"{quality_errors!r}")
        if unit_switch not in ("error", "rescale"):
            raise SpecificationError(f"unit_switch must be 'error' or 'rescale', not "
                                     f"{unit_switch!r}")
        prices, market_prices = _naive_dates(prices), _naive_dates(market_prices)
        name = str(market_prices.name or "market")
        if name in prices.columns:
            raise DataShapeError(f"market {name} is also a column of prices")
        index = prices.index.union(market_prices.index)
        both = prices.reindex(index).assign(**{name: market_prices.reindex(index)})
        quality = QualityLog()
        log = WarningLog()
        with log.capture():  # the screen's findings are listed in provenance.warnings too
            both = sanitize_prices(both.astype("float64"), label="prices", log=quality)
            both = screen_prices(both, log=quality,
                                 unit_switch=unit_switch)  # type: ignore[arg-type]
            ev = events_frame(events)
            gone: dict[str, str] = {}
            if quality_errors == "warn":
                quality.downgrade_errors()
            elif quality_errors == "skip":
                gone = quality.skip_errors(keep={name}, among=set(ev["ticker"]))
            quality.raise_errors()
            excluded = tuple((str(e.event_id), str(e.ticker), gone[str(e.ticker)])
                             for e in ev.itertuples() if e.ticker in gone)
            for event_id, ticker, reason in excluded:
                warnings.warn(f"{ticker} (event {event_id}) excluded: {reason}",
                              EventStudyWarning, stacklevel=3)
        ev = ev.loc[~ev["ticker"].isin(list(gone))]
        both = both.drop(columns=list(gone)).loc[lambda f: f[name].notna()]
        px, mk = both.drop(columns=[name]), both[name]
        r, rm = aligned_returns(px, mk, kind=returns)  # type: ignore[arg-type]
        meta = kwargs.pop("metadata", None)
        prov = _provenance(meta, str(kwargs.get("calendar", "XNYS")))
        prov = replace(prov, returns=returns, prices=both, quality=quality.frame(),
                       excluded=excluded)
        study = cls(ev, r.iloc[1:], rm.iloc[1:], metadata=prov, **kwargs)
        study._warnings.items = merge_warnings(log.items, study._warnings.items)
        return study

    @classmethod
    def from_yaml(cls, path: str | Path, *, source: PriceSource | None = None) -> EventStudy:
        """Build a study from a YAML config file; see :func:`eventstudy.config.load_config`."""
        from eventstudy.config import load_config

        return cls.from_config(load_config(path), source=source)

    # ------------------------------------------------------------------ fitting
    @overload
    def fit(
        self,
        *,
        tests: Sequence[str] | None = None,
        conventions: Any = None,
        p_adjust: str | None = None,
        bootstrap: Mapping[str, Any] | None = None,
        headline_test: str | None = None,
        pool_events: bool | None = None,
        backend: Literal["memory"] = "memory",
    ) -> EventStudyResults: ...

    @overload
    def fit(
        self,
        *,
        tests: Sequence[str] | None = None,
        conventions: Any = None,
        p_adjust: str | None = None,
        bootstrap: Mapping[str, Any] | None = None,
        headline_test: str | None = None,
        pool_events: bool | None = None,
        backend: Literal["chunked", "dask"],
        client: Any = None,
        chunk_size: int | None = None,
        memory_budget: float | None = None,
        workers: int | None = None,
    ) -> LargeStudyResults: ...

    def fit(
        self,
        *,
        tests: Sequence[str] | None = None,
        conventions: Any = None,
        p_adjust: str | None = None,
        bootstrap: Mapping[str, Any] | None = None,
        headline_test: str | None = None,
        pool_events: bool | None = None,
        backend: str = "memory",
        client: Any = None,
        chunk_size: int | None = None,
        memory_budget: float | None = None,
        workers: int | None = None,
    ) -> EventStudyResults | LargeStudyResults:
        """Estimate the normal-return model per security-event; return ARs, CARs and tests.

        Parameters
        ----------
        tests, conventions, p_adjust, bootstrap : optional
            Override the study's inference options for this fit (see :class:`EventStudy`); the
            estimation does not depend on them.
        headline_test : str, optional
            The test that stars the headline CAARs: ``'auto'`` (Kolari-Pynnonen when
            security-events share day 0, else the cross-sectional t) or a test key.
        pool_events : bool, optional
            Average the tables across events (True) or report each event (False); default: pool
            when every event holds one security, else report each event.
        backend : {'memory', 'chunked', 'dask'}, default 'memory'
            'memory': everything at once, the full results. 'chunked': security-events in chunks
            of whole day-0 clusters with bounded memory, the tests from merged sufficient
            statistics (the same numbers; README "Large studies"). 'dask': the same chunks as
            tasks on the Dask cluster of ``client`` (extra ``[distributed]``).
        client : distributed.Client, optional
            For ``backend='dask'``; default: the current client, else a local cluster.
        chunk_size : int, optional
            Security-events per chunk for 'chunked' and 'dask' (default from ``memory_budget``).
        memory_budget : float, optional
            Bytes of working arrays of the chunks fitted at once (default 1e9); on the chunked
            backend each of the ``workers`` chunks in flight gets its share, so the peak does not
            grow with the threads.
        workers : int, optional
            Threads fitting chunks at once on the chunked backend; default: the CPUs this process
            may use, at most 4 (:func:`eventstudy.scale.default_workers`); 1 for one thread. The
            numbers do not depend on it.

        Returns
        -------
        EventStudyResults or LargeStudyResults
            Frozen results; the study's claims evaluated on them (``res.claims``). The chunked
            and Dask backends return :class:`~eventstudy.scale.LargeStudyResults` (tests over
            every fitted security-event, AAR, CAAR, per-event CARs, skipped events).

        Raises
        ------
        DataUnavailableError
            When the data end before an event window does, or start after an event; when no
            security-event has a return in the event window, or none has a complete CAR over any
            event window (the message names the missing returns, or the factor file and its last
            date).
        EstimationError
            When every security-event was skipped (the message gives the reasons).
        SpecificationError
            For an unknown test, conventions key or p-value adjustment; a backend option that is
            not a whole number (``chunk_size``, ``workers``) or positive (``memory_budget``), or
            that the chosen backend does not use.

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
        are listed, once each, in ``res.provenance.warnings``.
        """
        options = self.options
        if any(v is not None for v in (tests, conventions, p_adjust, bootstrap, headline_test,
                                       pool_events)):
            o = self.options
            options = fit_options(
                tests if tests is not None else o.tests,
                conventions if conventions is not None else o.conventions,
                p_adjust if p_adjust is not None else o.p_adjust,
                bootstrap if bootstrap is not None else o.bootstrap,
                headline_test if headline_test is not None else o.headline_test,
                pool_events if pool_events is not None else o.pool_events)
        check_backend_options(backend, chunk_size, memory_budget, workers)
        if backend != "memory":
            return self._fit_large(options, backend, client, chunk_size, memory_budget, workers)
        log = WarningLog()
        with log.capture():
            est = estimate(self.spec, self.returns, self.market, market_own=self.market_history,
                           factors=self.factors,
                           market_moments=options.conventions.market_moments,
                           sessions=self.sessions)
            res = EventStudyResults(
                spec=self.spec, options=options, estimate=est,
                provenance=self.provenance,
                returns=self.returns.copy(), market=self.market.copy(),
                regression_spec=dict(self.regression) if self.regression else None,
                market_values=self.market_values,
                context=self.context,
                sectors=self.sectors,
            )
            history = self.market_history.copy() if self.market_history is not None else None
            evaluation = evaluate_claims(res, self.claims, history,
                                         base_dir=self.provenance.base_dir)
            extra: dict[str, pd.DataFrame] = {}
            if self.abnormal_volume:
                extra["abnormal_volume"] = volume_table(res)
            if self.abnormal_volatility is not None:
                extra["abnormal_volatility"] = volatility_table(
                    res, cast(Literal["market", "garch"], self.abnormal_volatility))
            res = res.with_tables(**extra)
        prov = self.provenance.with_warnings(merge_warnings(self._warnings.items, log.items))
        return res.with_provenance(prov).with_claims(evaluation)

    def _fit_large(self, options: FitOptions, backend: str, client: Any,
                   chunk_size: int | None, memory_budget: float | None,
                   workers: int | None) -> LargeStudyResults:
        from eventstudy.scale import DEFAULT_MEMORY_BUDGET, fit_chunked, fit_dask, prepare

        ctx = prepare(self.spec, self.returns, self.market, options, factors=self.factors,
                      kind=self.provenance.returns, sessions=self.sessions)
        budget = memory_budget if memory_budget is not None else DEFAULT_MEMORY_BUDGET
        if backend == "dask":
            return cast(LargeStudyResults, fit_dask(ctx, client=client, chunk_size=chunk_size,
                                                    memory_budget=budget))
        return fit_chunked(ctx, chunk_size=chunk_size, memory_budget=budget, workers=workers)

    def __repr__(self) -> str:
        return (
            f"EventStudy({len(self.spec.events)} security-events, model={self.spec.model.name!r}, "
            f"estimation_window={self.spec.estimation_window}, "
            f"event_windows={list(self.spec.event_windows)})"
        )
