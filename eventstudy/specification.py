"""What a study is: its security-events, groups, windows, model and test options, as frozen records.

:class:`StudySpec` holds the specification of a study (what to estimate) and :class:`FitOptions` the
choices of inference (which tests, under which conventions). Both are built once, validated, and
handed to :mod:`eventstudy.estimation` and to the results, which never read the study object again.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from eventstudy._typing import EVENT_TIMES, Window
from eventstudy.exceptions import EventWindowOverlapWarning, SpecificationError, name_list
from eventstudy.models import NormalReturnModel
from eventstudy.statistics.battery import ADJUST_METHODS, DEFAULT_TESTS, check_test_names
from eventstudy.statistics.conventions import Conventions, get_conventions
from eventstudy.windows import check_windows, window_length

__all__ = [
    "EVENT_COLUMNS", "OTHER_GROUP", "StudySpec", "FitOptions", "events_frame", "build_groups",
    "pools_events", "BACKEND_OPTIONS", "check_backend_options", "fit_options",
]

EVENT_COLUMNS = ("event_id", "ticker", "date")
OTHER_GROUP = "other"
"""Group of the security-events in no named group (listed after the named groups, before the
universe), so nothing fitted drops out of the CAAR and the tests."""


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


def events_frame(events: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Validate security-events and return them as a fresh frame.

    Parameters
    ----------
    events : pandas.DataFrame or list of dict
        Columns event_id, ticker, date (calendar date) and optionally label, time
        ('before_open', 'during', 'after_close') and group.

    Returns
    -------
    pandas.DataFrame
        event_id (str), ticker (str), date (tz-naive midnight Timestamp), label, time, group; index
        0..N-1.

    Raises
    ------
    SpecificationError
        For a missing column, no events, a bad date or time, or (event_id, ticker) given twice.

    Warns
    -----
    EventWindowOverlapWarning
        When the same security and date appear under two event ids (counted twice in averages).
    """
    frame = pd.DataFrame(events).copy()
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise SpecificationError(
            f"events need columns {list(EVENT_COLUMNS)}; missing {missing} "
            f"(got {list(frame.columns)})"
        )
    if frame.empty:
        raise SpecificationError("events is empty: give at least one event")
    frame["event_id"] = frame["event_id"].astype(str)
    frame["ticker"] = frame["ticker"].astype(str)
    dates = pd.to_datetime(frame["date"].astype(str), errors="coerce", format="mixed")
    bad = dates.isna()
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise SpecificationError(
            f"event {row['event_id']} ({row['ticker']}): bad date {row['date']!r}")
    frame["date"] = pd.DatetimeIndex(dates).tz_localize(None).normalize()
    if "label" not in frame.columns:
        frame["label"] = ""
    frame["time"] = (frame["time"].fillna("").astype(str).str.strip().str.lower()
                     if "time" in frame.columns else "")
    frame["group"] = (frame["group"].fillna("").astype(str).str.strip()
                      if "group" in frame.columns else "")
    bad_time = ~frame["time"].isin(EVENT_TIMES)
    if bad_time.any():
        row = frame.loc[bad_time].iloc[0]
        raise SpecificationError(f"event {row['event_id']} ({row['ticker']}): time "
                                 f"{row['time']!r} is not one of {list(EVENT_TIMES[1:])}")
    dup = frame.duplicated(["event_id", "ticker"])
    if dup.any():
        row = frame.loc[dup].iloc[0]
        raise SpecificationError(
            f"event {row['event_id']} lists ticker {row['ticker']} twice; (event_id, ticker) "
            "must be unique"
        )
    same = frame.duplicated(["ticker", "date"], keep=False)
    if same.any():  # one security-event under two ids: counted twice in every AAR and CAAR
        rows = frame.loc[same].sort_values(["ticker", "date"]).head(2)
        warnings.warn(
            f"events {' and '.join(rows['event_id'])} both hold {rows['ticker'].iat[0]} on "
            f"{cast(pd.Timestamp, rows['date'].iat[0]).date()}: the same security-event counts "
            f"twice in the averages ({int(same.sum())} such rows)",
            EventWindowOverlapWarning,
            stacklevel=3,
        )
    return frame.reset_index(drop=True)


BACKEND_OPTIONS: dict[str, tuple[str, ...]] = {
    "chunk_size": ("chunked", "dask"), "memory_budget": ("chunked", "dask"),
    "workers": ("chunked",), "scheduler": ("dask",)}
"""The backends that use each backend option; the others refuse it (fit() and study files)."""


def check_backend_options(backend: str, chunk_size: Any, memory_budget: Any,
                          workers: Any) -> None:
    """Check the options of :meth:`EventStudy.fit` that choose and size the backend.

    Parameters
    ----------
    backend : str
        'memory', 'chunked' or 'dask'.
    chunk_size, workers : int or None
        Whole numbers of at least 1 (not bool); ``workers`` for 'chunked' only, ``chunk_size``
        for 'chunked' and 'dask'.
    memory_budget : float or None
        Bytes, finite and positive; for 'chunked' and 'dask'.

    Raises
    ------
    SpecificationError
        Naming the argument and its value.
    """
    import math
    import numbers

    if backend not in ("memory", "chunked", "dask"):
        raise SpecificationError(f"backend must be 'memory', 'chunked' or 'dask', not {backend!r}")
    values = {"chunk_size": chunk_size, "memory_budget": memory_budget, "workers": workers}
    for name, value in values.items():
        if value is None:
            continue
        uses = BACKEND_OPTIONS[name]
        if backend not in uses:
            raise SpecificationError(f"{name} applies only to backend {' or '.join(uses)} "
                                     f"(backend is {backend!r})")
        if name == "memory_budget":
            ok = (isinstance(value, numbers.Real) and not isinstance(value, bool)
                  and math.isfinite(float(value)) and float(value) > 0)
            if not ok:
                raise SpecificationError(f"memory_budget must be a positive number of bytes, "
                                         f"not {value!r}")
        elif not (isinstance(value, numbers.Integral) and not isinstance(value, bool)
                  and int(value) >= 1):
            raise SpecificationError(f"{name} must be a whole number of at least 1, not {value!r}")


def pools_events(pool_events: bool | None, events: pd.DataFrame) -> bool:
    """Whether a study's tables average across events (one unit) rather than per event.

    Parameters
    ----------
    pool_events : bool or None
        True pools, False reports each event; None (auto) pools when every event holds a single
        security (many firm-level events, e.g. earnings) and reports each event separately when
        events hold several securities (market news such as 3 and 9 April 2025, whose moves must
        not be averaged). A study of one event is the same either way.
    events : pandas.DataFrame
        The security-events, with columns ``event_id`` and ``ticker``.

    Returns
    -------
    bool
    """
    if pool_events is not None:
        return bool(pool_events)
    per_event = events.groupby("event_id", sort=False)["ticker"].nunique()
    return bool((per_event <= 1).all())


def build_groups(
    events: pd.DataFrame,
    groups: Mapping[str, Sequence[str]] | None,
    universe: str | None = None,
) -> tuple[dict[str, tuple[str, ...]], dict[str, np.ndarray], str | None, list[str]]:
    """Resolve the study's groups.

    Parameters
    ----------
    events : pandas.DataFrame
        Output of :func:`events_frame`.
    groups : mapping of str to list of str, optional
        Named groups of tickers; default one group ``all`` of every event ticker.
    universe : str, optional
        Name of the universe group (listed last; ``other`` goes before it).

    Returns
    -------
    groups : dict of str to tuple of str
        Group -> member tickers present in the events, in order: named groups, groups of the events'
        ``group`` column, ``other`` (event securities in no named group) and the universe.
    event_groups : dict of str to ndarray of bool
        Groups defined by security-event rather than by ticker (the events' ``group`` column and
        ``other``): a read-only (N,) mask over the events.
    other_group : str or None
        Name of the ``other`` group (``ungrouped`` when a group is called ``other``), or None.
    notes : list of str
        A note naming the ``other`` group's members, when there is one.

    Raises
    ------
    SpecificationError
        When a group is named both in ``groups`` and in the events' group column.
    """
    # drop_duplicates keeps the first-seen order, as dict.fromkeys, without iterating a million
    # Arrow strings in Python (7 s at 1,000,000 security-events)
    tickers = events["ticker"].drop_duplicates().tolist()
    given = groups is not None
    if groups is None:
        groups = {"all": tickers}
    known = set(tickers)
    out: dict[str, list[str]] = {str(g): [t for t in dict.fromkeys(m) if t in known]
                                 for g, m in groups.items()}
    event_groups: dict[str, np.ndarray] = {}
    for g in events["group"].drop_duplicates().tolist():
        if not g:
            continue
        if given and g in out:
            raise SpecificationError(f"group {g!r} is defined both in groups and in the events' "
                                     "group column; use one or the other")
        mask = (events["group"] == g).to_numpy()
        event_groups[g] = mask
        out[g] = events.loc[mask, "ticker"].drop_duplicates().tolist()
    named = {t for g, m in out.items() if g not in event_groups for t in m}
    mask = ((events["group"] == "") & ~events["ticker"].isin(named)).to_numpy()
    other: str | None = None
    notes: list[str] = []
    if mask.any():
        other = OTHER_GROUP if OTHER_GROUP not in out else "ungrouped"
        members = events.loc[mask, "ticker"].drop_duplicates().tolist()
        items = list(out.items())
        at = next((i for i, (g, _) in enumerate(items) if g == universe), len(items))
        items.insert(at, (other, members))
        out = dict(items)
        event_groups[other] = mask
        notes.append(f"group {other}: {len(members)} securities in no named group "
                     f"({name_list(members, 5, brackets=False)}), reported as one more group")
    return ({g: tuple(m) for g, m in out.items()},
            {g: _readonly(m) for g, m in event_groups.items()}, other, notes)


@dataclass(frozen=True)
class StudySpec:
    """The specification of an event study, validated and frozen.

    Attributes
    ----------
    events : pandas.DataFrame
        (N,) security-events as :func:`events_frame` returns them (treat as read-only).
    groups : dict of str to tuple of str
        Group -> tickers, in report order (see :func:`build_groups`).
    event_groups : dict of str to ndarray of bool
        Groups defined by security-event: read-only (N,) masks over ``events``.
    other_group : str or None
    estimation_window : tuple of int
        Inclusive (T0, T1) in sessions relative to day 0.
    event_windows : tuple of tuple of int
        Inclusive (t1, t2) windows.
    model : NormalReturnModel
    min_estimation_obs : int
    gap : int
    non_trading_day : {'next', 'previous', 'error'}
    calendar : str
    exclude_other_events : bool
    missing_returns : {'nan', 'skip'}
    universe : str or None
    confounders : tuple of (pandas.Timestamp, str)
        Dated events other than the studied one (date, label): one inside an event window is
        warned about and listed (``res.confounders``).
    """

    events: pd.DataFrame = field(repr=False)
    groups: dict[str, tuple[str, ...]]
    event_groups: dict[str, np.ndarray] = field(repr=False)
    other_group: str | None
    estimation_window: Window
    event_windows: tuple[Window, ...]
    model: NormalReturnModel
    min_estimation_obs: int
    gap: int = 0
    non_trading_day: str = "next"
    calendar: str = "XNYS"
    exclude_other_events: bool = True
    missing_returns: str = "nan"
    universe: str | None = None
    confounders: tuple[tuple[pd.Timestamp, str], ...] = ()

    def __post_init__(self) -> None:
        try:
            check_windows(self.estimation_window, list(self.event_windows), gap=self.gap)
        except SpecificationError as exc:  # a ConfigError from the shared check: not a file here
            raise SpecificationError(str(exc)) from None
        L_est = window_length(self.estimation_window)
        if self.min_estimation_obs > L_est:
            raise SpecificationError(
                f"min_estimation_obs {self.min_estimation_obs} exceeds the estimation window "
                f"length {L_est}"
            )
        k = len(self.model.param_names) if self.model.fixed_params is None else 1
        if self.min_estimation_obs <= k:
            raise SpecificationError(
                f"min_estimation_obs must exceed {k} for the {self.model.name} model")
        if self.missing_returns not in ("nan", "skip"):
            raise SpecificationError(
                f"missing_returns must be 'nan' or 'skip', not {self.missing_returns!r}")
        if self.non_trading_day not in ("next", "previous", "error"):
            raise SpecificationError("non_trading_day must be 'next', 'previous' or 'error', "
                                     f"not {self.non_trading_day!r}")

    def members(self, group: str, tickers: np.ndarray, keep: np.ndarray) -> np.ndarray:
        """Return the (n_fitted,) mask of the fitted security-events (``keep``) in ``group``.

        Parameters
        ----------
        group : str
        tickers : ndarray of str
            (n_fitted,) ticker of each fitted security-event.
        keep : ndarray of bool
            (N,) which of :attr:`events` were fitted.
        """
        if group in self.event_groups:
            return np.asarray(self.event_groups[group][keep])
        return np.isin(tickers, list(self.groups[group]))

    def primary_group(self) -> dict[str, str]:
        """Ticker -> the first named (ticker) group it belongs to."""
        primary: dict[str, str] = {}
        for g, members in self.groups.items():
            if g in self.event_groups:
                continue
            for t in members:
                primary.setdefault(t, g)
        return primary


@dataclass(frozen=True)
class FitOptions:
    """Choices of inference: the tests run, their conventions, p-value adjustment, bootstrap.

    Attributes
    ----------
    tests : tuple of str
        Keys of :data:`eventstudy.statistics.battery.TESTS`.
    conventions : Conventions
    p_adjust : {'holm', 'fdr_bh'} or None
    n_boot : int
    seed : int
    headline_test : str
        Test whose p-values star the headline CAARs: ``'auto'`` (default) is Kolari-Pynnonen's
        adjusted BMP when security-events of different securities share day 0 (robust to their
        cross-correlation, case C44) and the cross-sectional t otherwise; or a key of ``TESTS``.
    pool_events : bool or None
        Average across events (True), report each event apart (False), or None (auto): pool when
        every event holds one security (firm-level events), else report each event.
    """

    tests: tuple[str, ...] = tuple(DEFAULT_TESTS)
    conventions: Conventions = field(default_factory=Conventions)
    p_adjust: str | None = None
    n_boot: int = 999
    seed: int = 0
    headline_test: str = "auto"
    pool_events: bool | None = None

    @property
    def bootstrap(self) -> dict[str, int]:
        """Keyword arguments of the bootstrap test (``n_boot``, ``seed``)."""
        return {"n_boot": self.n_boot, "seed": self.seed}


def fit_options(
    tests: Sequence[str] | None = None,
    conventions: str | Conventions | Mapping[str, Any] | None = None,
    p_adjust: str | None = None,
    bootstrap: Mapping[str, Any] | None = None,
    headline_test: str | None = None,
    pool_events: bool | None = None,
) -> FitOptions:
    """Validate inference options and return them as :class:`FitOptions`.

    Raises
    ------
    SpecificationError
        For an unknown test, conventions preset or key, or p-value adjustment.
    """
    try:
        names = check_test_names(list(tests) if tests is not None else DEFAULT_TESTS)
        conv = get_conventions(dict(conventions) if isinstance(conventions, Mapping)
                               else conventions)
    except ValueError as exc:
        raise SpecificationError(str(exc)) from None
    if p_adjust is not None and p_adjust not in ADJUST_METHODS:
        raise SpecificationError(
            f"p_adjust must be one of {list(ADJUST_METHODS)}, not {p_adjust!r}")
    boot = {"n_boot": 999, "seed": 0, **dict(bootstrap or {})}
    unknown = sorted(set(boot) - {"n_boot", "seed"})
    if unknown:
        raise SpecificationError(f"unknown bootstrap key(s) {unknown}; known: ['n_boot', 'seed']")
    head = "auto" if headline_test is None else str(headline_test)
    if head != "auto":
        try:
            check_test_names([head])
        except ValueError as exc:
            raise SpecificationError(f"headline_test: {exc} (or 'auto')") from None
    return FitOptions(tuple(names), conv, p_adjust, int(boot["n_boot"]), int(boot["seed"]),
                      head, None if pool_events is None else bool(pool_events))
