"""The market-value lens: dollar changes and contributions to a cap-weighted index move.

Abnormal returns weight every security equally; a cap-weighted index does not. This module answers
the questions a newsroom asks of an index move: how much market value did each security lose, how
many percentage points of the index move does each security (and each group) explain, and what would
the index have done without a group. Pure functions of price levels and share counts.

The contribution of member i to the index return over a window is w_i r_i, with the weight taken at
the close before the window, w_i = q_i P_i(-1) / sum_j q_j P_j(-1) (q_i the index share count), so
that sum_i w_i r_i is the return of the cap-weighted index of those members (S&P Dow Jones Indices,
*Index Mathematics Methodology*, 2024, section "Market Capitalization Weighted Indices"). The
reconstruction differs from the published index by the share counts' vintage and float adjustments:
the gap is reported, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from eventstudy._typing import Window
from eventstudy.exceptions import DataUnavailableError, SpecificationError

__all__ = ["IndexMove", "index_move", "check_market_values", "MEMBER_COLUMNS",
           "cap_weighted_returns", "equal_weighted_returns"]

MEMBER_COLUMNS = ["ticker", "weight", "ret", "contribution", "market_value_before",
                  "dollar_change"]
"""Columns of :attr:`IndexMove.members`."""


_CLOSE_COLUMN = re.compile(r"^close_\d{4}_\d{2}_\d{2}$")


def check_market_values(table: pd.DataFrame, where: str = "market values") -> pd.DataFrame:
    """Validate a table of share counts or market capitalisations.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by ticker, with at least one of ``shares_held`` (index share count, for weights),
        ``shares_outstanding`` (total shares, for dollar values) and ``market_cap`` (US dollars at
        the close before the event, used for both when shares are absent).
    where : str
        Named in messages (a file name).

    Returns
    -------
    pandas.DataFrame
        The same rows with float columns.

    Raises
    ------
    SpecificationError
        When no usable column is present, or a share count or cap is zero or negative (naming the
        ticker).
    """
    cols = [c for c in ("shares_held", "shares_outstanding", "market_cap") if c in table.columns]
    if not cols:
        raise SpecificationError(f"{where}: need a column shares_held, shares_outstanding or "
                                 f"market_cap (got {list(table.columns)})")
    if not len(table):
        raise SpecificationError(f"{where}: no rows")
    if "shares_outstanding" in cols and "market_cap" in cols:
        raise SpecificationError(f"{where}: give shares_outstanding or market_cap, not both (the "
                                 "two would give different weights and dollar values)")
    out = table.copy()
    checked = [*cols, *(c for c in out.columns if _CLOSE_COLUMN.match(str(c)))]
    for c in checked:
        raw = out[c]
        num = pd.to_numeric(raw, errors="coerce").astype("float64")
        # a cell that is there but is not a number (or is infinite, 0 or negative) is an error;
        # only the closes and total shares may be empty (BRK-B's total shares are not published)
        blank = raw.isna() | (raw.astype(str).str.strip() == "")
        if c in ("shares_held", "market_cap") and blank.any():
            t = out.index[blank.to_numpy()][0]
            raise SpecificationError(f"{where}: {c} of {t} is empty")
        bad = out.index[(~blank & ~(np.isfinite(num) & (num > 0))).to_numpy()]
        if len(bad):
            raise SpecificationError(f"{where}: {c} of {bad[0]} is {raw.loc[bad[0]]!s}; share "
                                     "counts, caps and closes must be positive numbers")
        out[c] = num
    if out.index.has_duplicates:
        raise SpecificationError(f"{where}: ticker {out.index[out.index.duplicated()][0]} is "
                                 "listed twice")
    return out


@dataclass(frozen=True)
class IndexMove:
    """A cap-weighted index move over a window and what each member contributed.

    Attributes
    ----------
    window : tuple of int
        Inclusive (t1, t2) in sessions around day 0; returns run from the close of t1 - 1.
    day0 : pandas.Timestamp
    date_before, date_end : pandas.Timestamp
        Sessions of the closes the returns run between (t1 - 1 and t2).
    index_return : float
        The index's (the market's) own return over the window, decimal; NaN without its prices.
    members : pandas.DataFrame
        One row per member with prices and a weight: ticker, weight (decimal, sums to 1), ret
        (decimal), contribution (w_i r_i, decimal of the index), market_value_before (US dollars,
        NaN without a total share count or cap), dollar_change (US dollars).
    missing : tuple of str
        Members of the share table without prices over the window (left out, never counted as 0).
    """

    window: Window
    day0: pd.Timestamp
    date_before: pd.Timestamp
    date_end: pd.Timestamp
    index_return: float
    members: pd.DataFrame = field(repr=False)
    missing: tuple[str, ...] = ()

    @property
    def reconstructed(self) -> float:
        """Sum of w_i r_i: the cap-weighted return of the members with data (decimal)."""
        return float(self.members["contribution"].sum())

    @property
    def gap(self) -> float:
        """Reconstruction minus the index's own return (decimal)."""
        return self.reconstructed - self.index_return

    def group(self, tickers: Sequence[str]) -> dict[str, float]:
        """Summarise a group of members.

        Returns
        -------
        dict
            ``n`` (members with data), ``weight`` (their index weight), ``contribution`` (decimal of
            the index), ``share_of_move`` (contribution / reconstructed move), ``dollar_change`` (US
            dollars, over members with a dollar value), ``without`` (the cap-weighted return of the
            other members: the index without the group) and ``equal_weighted`` (the group's mean
            return).
        """
        m = self.members
        inside = m["ticker"].isin(list(tickers)).to_numpy()
        nan = float("nan")
        if not inside.any():  # no member of the index: nothing to say, never a contribution of 0
            return {"n": 0.0, "weight": nan, "contribution": nan, "share_of_move": nan,
                    "dollar_change": nan, "without": nan, "equal_weighted": nan}
        # numpy, not frame masks: the report asks for every group, window and event (24 calls)
        weight, contribution, ret, dollars = (
            m[c].to_numpy(dtype="float64")
            for c in ("weight", "contribution", "ret", "dollar_change"))
        total = self.reconstructed
        w_rest = float(np.nansum(weight[~inside]))  # NaN-skipping sums, as pandas' sum
        g_contribution = float(np.nansum(contribution[inside]))
        g_dollars = dollars[inside]
        return {
            "n": float(inside.sum()),
            "weight": float(np.nansum(weight[inside])),
            "contribution": g_contribution,
            # no share of a move that did not happen (|move| below 1e-12, round-off)
            "share_of_move": g_contribution / total if abs(total) > 1e-12 else nan,
            # NaN when no member has a dollar value (pandas' sum(min_count=1))
            "dollar_change": (float(np.nansum(g_dollars)) if np.isfinite(g_dollars).any()
                              else nan),
            "without": (float(np.nansum(contribution[~inside])) / w_rest if w_rest > 0
                        else nan),
            "equal_weighted": float(np.nanmean(ret[inside])) if np.isfinite(
                ret[inside]).any() else nan,
        }


def _scale_to_raw(levels: pd.DataFrame, table: pd.DataFrame, prices: bool = True) -> pd.Series:
    """Factor turning (adjusted) levels into the unadjusted closes of the share table's date.

    With ``prices=False`` (levels compounded from returns, starting at 1) a level says nothing of
    the price, so the table must give a close on a session of the levels; members without one get
    NaN (left out and named), never a weight from a level of 1.
    """
    factor = pd.Series(1.0 if prices else np.nan, index=table.index)
    ref_cols = [c for c in table.columns if _CLOSE_COLUMN.match(str(c))]
    if not ref_cols:
        if prices or ("market_cap" in table.columns and "shares_held" not in table.columns):
            return factor
        raise SpecificationError(
            "market values: the study was built from returns, so the prices behind the weights "
            "are unknown; give market_cap, or a close_YYYY_MM_DD column with the unadjusted close "
            "of a session of the returns")
    col = ref_cols[0]
    ref_date = pd.Timestamp(col.removeprefix("close_").replace("_", "-"))
    if ref_date not in levels.index:
        if prices:
            return factor
        raise SpecificationError(
            f"market values: {col} is not a session of the returns "
            f"({levels.index[0].date()}..{levels.index[-1].date()}): the study was built from "
            "returns, so the weights need a close on one of its sessions")
    have = table.index.intersection(levels.columns)
    adj = levels.loc[ref_date, have.tolist()]
    ratio = table.loc[have, col] / adj
    factor.loc[have] = ratio.where(np.isfinite(ratio) & (ratio > 0), 1.0 if prices else np.nan)
    return factor


def _index_caps(t: pd.DataFrame, raw: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Index capitalisation of each member at unadjusted closes ``raw``.

    ``raw`` is by ticker or sessions x tickers: index shares x close, else the given cap, else
    total shares x close.
    """
    if "shares_held" in t.columns and t["shares_held"].notna().all():
        return raw * t["shares_held"]
    if "market_cap" in t.columns and t["market_cap"].notna().all():
        if isinstance(raw, pd.DataFrame):
            return raw.notna() * t["market_cap"]  # a fixed cap: constant weights
        return t["market_cap"].astype("float64")
    return raw * t.get("shares_outstanding", pd.Series(np.nan, index=t.index))


def cap_weighted_returns(levels: pd.DataFrame, table: pd.DataFrame,
                         exclude: Sequence[str] = ()) -> pd.Series:
    """Daily returns of the cap-weighted index of the share table's members, less ``exclude``.

    The return from session t-1 to t is sum_i w_i,t-1 r_i,t with w_i,t-1 = q_i P_i,t-1 / sum_j q_j
    P_j,t-1 over the members priced at both closes (the weighting of :func:`index_move`, so its
    ``reconstructed`` and ``group(...)["without"]`` on a one-day window equal this series on that
    day). Between rebalancings a capitalisation-weighted index is exactly this (S&P Dow Jones
    Indices, *Index Mathematics Methodology*, 2024); the share counts are held at their vintage.
    A benchmark that leaves out the securities an event hit removes the event's own move from the
    "normal" return of everything else (MacKinlay 1997, section 4.1, on the choice of market).

    Parameters
    ----------
    levels : pandas.DataFrame
        (n_sessions, n_tickers) price levels by session (adjusted closes; scaled to the share
        table's ``close_YYYY_MM_DD`` column when it has one).
    table : pandas.DataFrame
        Share counts or caps by ticker (see :func:`check_market_values`).
    exclude : sequence of str
        Tickers left out of the index.

    Returns
    -------
    pandas.Series
        Decimal returns by session (the first session is NaN: no previous close), named
        ``cap_weighted``.

    Raises
    ------
    DataUnavailableError
        When no member is left with prices.
    """
    drop = set(exclude)
    tickers = [t for t in table.index if t in levels.columns and t not in drop]
    if not tickers:
        raise DataUnavailableError("cap-weighted benchmark: no member of the share table with "
                                   "prices is left")
    lv = levels[tickers].astype("float64")
    lv = lv.where(lv > 0)
    caps = _index_caps(table.loc[tickers], lv * _scale_to_raw(levels, table).loc[tickers])
    prev = cast(pd.DataFrame, caps).shift(1)
    ret = lv / lv.shift(1) - 1.0
    ok = prev.notna() & ret.notna()
    num = (prev * ret).where(ok).sum(axis=1, min_count=1)
    den = prev.where(ok).sum(axis=1, min_count=1)
    return (num / den).rename("cap_weighted")


def equal_weighted_returns(levels: pd.DataFrame, members: Sequence[str]) -> pd.Series:
    """Daily returns of the equal-weighted portfolio of ``members`` (rebalanced every session).

    The mean of the members' simple returns from t-1 to t over those priced at both closes: the
    equal-weighted market index of Brown and Warner (1980, 1985), which weights the small firms of
    a cross-section as the abnormal returns do.

    Parameters
    ----------
    levels : pandas.DataFrame
        (n_sessions, n_tickers) price levels by session.
    members : sequence of str
        Tickers averaged (those without a column are ignored).

    Returns
    -------
    pandas.Series
        Decimal returns by session (the first is NaN), named ``equal_weighted``.

    Raises
    ------
    DataUnavailableError
        When no member has prices.
    """
    have = [t for t in members if t in levels.columns]
    if not have:
        raise DataUnavailableError("equal-weighted benchmark: none of its members has prices")
    lv = levels[have].astype("float64")
    lv = lv.where(lv > 0)
    return (lv / lv.shift(1) - 1.0).mean(axis=1).rename("equal_weighted")


def index_move(
    levels: pd.DataFrame,
    market: pd.Series | None,
    table: pd.DataFrame,
    day0: pd.Timestamp,
    window: Window = (0, 0),
    *,
    prices: bool = True,
) -> IndexMove:
    """Decompose a cap-weighted index move over ``window`` into its members' contributions.

    Parameters
    ----------
    levels : pandas.DataFrame
        (n_sessions, n_tickers) price levels by session (adjusted closes are fine: returns use
        ratios; dollar values are scaled to the share table's unadjusted close when it has one,
        a column ``close_YYYY_MM_DD``).
    market : pandas.Series, optional
        The index's own levels on the same sessions (for :attr:`IndexMove.index_return`).
    table : pandas.DataFrame
        Share counts or caps by ticker (see :func:`check_market_values`).
    day0 : pandas.Timestamp
        The event's day 0 (a session of ``levels``).
    window : tuple of int, default (0, 0)
        Inclusive (t1, t2); the return runs from the close of t1 - 1 to the close of t2.
    prices : bool, default True
        Whether ``levels`` are prices (False: returns compounded from 1, whose levels carry no
        price, so the weights need the table's close or caps; see ``_scale_to_raw``).

    Returns
    -------
    IndexMove

    Raises
    ------
    DataUnavailableError
        When day 0 is not a session of ``levels`` or the window runs outside the data.
    SpecificationError
        With ``prices=False`` when the table gives neither caps nor a close on a session of
        ``levels``.
    """
    t1, t2 = int(window[0]), int(window[1])
    idx = levels.index
    if day0 not in idx:
        raise DataUnavailableError(f"market values: day 0 {pd.Timestamp(day0).date()} is not a "
                                   "session of the prices")
    p0 = int(cast(int, idx.get_loc(day0)))  # a unique index: one position
    lo, hi = p0 + t1 - 1, p0 + t2
    if lo < 0 or hi >= len(idx):
        raise DataUnavailableError(f"market values: the window {[t1, t2]} around "
                                   f"{pd.Timestamp(day0).date()} runs outside the prices "
                                   f"({idx[0].date()}..{idx[-1].date()})")
    tickers = [t for t in table.index if t in levels.columns]
    before = levels.iloc[lo][tickers].astype("float64")
    end = levels.iloc[hi][tickers].astype("float64")
    scale = _scale_to_raw(levels, table, prices).loc[tickers]
    ok = (before > 0) & (end > 0) & (scale.notna() | ("market_cap" in table.columns))
    have = [t for t in tickers if bool(ok[t])]
    kept = set(have)
    missing = tuple(t for t in table.index if t not in kept)
    t = table.loc[have]
    raw_before = before[have] * scale.loc[have]
    ret = end[have] / before[have] - 1.0
    cap_index = _index_caps(t, raw_before)
    weight = cap_index / cap_index.sum()
    if "shares_outstanding" in t.columns:
        mv = t["shares_outstanding"] * raw_before
    else:
        mv = pd.Series(np.nan, index=t.index)
    if "market_cap" in t.columns:
        mv = mv.fillna(t["market_cap"])
    members = pd.DataFrame({
        "ticker": have, "weight": weight.to_numpy(), "ret": ret.to_numpy(),
        "contribution": (weight * ret).to_numpy(), "market_value_before": mv.to_numpy(),
        "dollar_change": (mv * ret).to_numpy(),
    }, columns=MEMBER_COLUMNS)
    idx_ret = float("nan")
    if market is not None:
        m = market.reindex(idx).astype("float64")
        idx_ret = float(m.iloc[hi] / m.iloc[lo] - 1.0)
    return IndexMove((t1, t2), pd.Timestamp(day0), idx[lo], idx[hi], idx_ret, members, missing)
