"""The layered source behind ``data.source: auto`` and ``yfinance``: cache, bundle, then Yahoo."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import pandas as pd

from eventstudy import datasets
from eventstudy.data.base import PriceData, PriceSource
from eventstudy.data.bundled import BundledSource
from eventstudy.data.cache import PriceCache
from eventstudy.data.files import FileSource
from eventstudy.data.yahoo import YahooSource
from eventstudy.exceptions import DataUnavailableError, EventStudyWarning, name_list

logger = logging.getLogger(__name__)

__all__ = ["AutoSource"]

#: Per-ticker source notes kept (a study downloading thousands of tickers lists the first ones).
MAX_SOURCE_NOTES = 50


class AutoSource(PriceSource):
    """Serve each ticker from a local file, else the cache, else the bundle, else yfinance.

    Parameters
    ----------
    cache : PriceCache, optional
        The download cache (default: :func:`eventstudy.data.cache.cache_dir`).
    yahoo : YahooSource, optional
        The downloader (tests inject one with a recorded ``download``).
    bundled : bool, default True
        Use the bundled data set (``data.source: auto``); False for ``data.source: yfinance``.
    offline : bool, default False
        Never download: a ticker neither cached nor bundled raises one ``DataUnavailableError``
        listing every such ticker.
    refresh : bool, default False
        Ignore the cache and the bundle and download every ticker again (the cache is updated).
    adjusted : bool, default True
        Adjusted closes (``auto_adjust=True``) or raw closes; the bundle holds adjusted closes only.
    files : FileSource, optional
        The user's own price file or folder (``data.path`` with ``source: auto``): the tickers it
        holds come from it, always (neither ``--refresh`` nor ``--offline`` changes that). A
        ticker it lists with every close empty (an all-NaN block) is served by the next layer,
        with a warning naming the file and ticker.
    """

    name = "auto"

    def __init__(
        self,
        cache: PriceCache | None = None,
        yahoo: YahooSource | None = None,
        *,
        bundled: bool = True,
        offline: bool = False,
        refresh: bool = False,
        adjusted: bool = True,
        files: FileSource | None = None,
    ) -> None:
        if offline and refresh:
            raise DataUnavailableError("--offline and --refresh exclude each other: refresh "
                                       "downloads again")
        self.cache = cache if cache is not None else PriceCache()
        self.yahoo = yahoo if yahoo is not None else YahooSource(adjusted=adjusted)
        self.bundled = BundledSource() if bundled and adjusted else None
        self.offline = offline
        self.refresh = refresh
        self.adjusted = adjusted
        self.files = files
        self.name = "auto" if bundled else "yfinance"

    def _bundle_covers(self, start: pd.Timestamp, end: pd.Timestamp) -> bool:
        idx = datasets.load().index
        return bool(idx[0] <= start and idx[-1] >= end)

    def _raw_hint(self, rest: list[str], start: pd.Timestamp, end: pd.Timestamp) -> str:
        """Say why bundled tickers were not served: raw closes (``price_field: close``)."""
        if self.adjusted or self.refresh or self.name != "auto" or not self._bundle_covers(
                start, end):
            return ""
        have = BundledSource().available(rest)
        if not have:
            return ""
        return (f"; the bundled data set holds adjusted closes only, so price_field: close must "
                f"download {name_list(have, brackets=False)} (or use price_field: adj_close)")

    def get_prices(
        self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp
    ) -> PriceData:
        """Return closes layer by layer; see :meth:`PriceSource.get_prices`.

        Raises
        ------
        DataUnavailableError
            Offline, for tickers neither cached nor bundled (one message listing all of them);
            online, as :meth:`YahooSource.get_prices`.

        Warns
        -----
        EventStudyWarning
            For each ticker the user's file lists without a single close (served by the next
            layer instead).
        """
        tickers = list(tickers)
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        frames: dict[str, pd.DataFrame] = {}
        closes: dict[str, pd.Series] = {}  # bundled tickers: a close, no corporate actions
        volumes: dict[str, pd.Series] = {}
        source: dict[str, str] = {}
        vintages: list[str] = []
        notes: list[str] = []
        rest = list(tickers)
        if self.files is not None:
            have, blank = self.files.holding(rest)  # one read of the files for both
            for t, listed_in in blank.items():
                # as if the file did not list it: the next layer serves it (README, Data)
                warnings.warn(f"{listed_in}: no prices for {t}: the file lists {t} but every "
                              "close is empty (an all-NaN block is no data); served from the "
                              "next source (cache, bundle or yfinance) instead",
                              EventStudyWarning, stacklevel=2)
            if have:
                part = self.files.get_prices(have, start, end)
                for t in have:
                    frames[t] = pd.DataFrame({"close": part.close[t],
                                              "split": part.splits[t],  # type: ignore[index]
                                              "dividend": part.dividends[t]})  # type: ignore[index]
                source.update(part.source)
                vintages.append(part.vintage)
                notes += part.notes
                rest = [t for t in rest if t not in have]
        if not self.refresh:
            for t in list(rest):
                hit = self.cache.get(t, self.adjusted, start, end)
                if hit is not None:
                    frames[t] = hit[0]
                    source[t] = f"cache (yfinance, fetched {hit[1]})"
                    vintages.append(hit[1][:10])
                    rest.remove(t)
            if self.bundled is not None and rest and self._bundle_covers(start, end):
                have = self.bundled.available(rest)
                if have:
                    part = self.bundled.get_prices(have, start, end)
                    for t in have:  # closes only: no splits or dividends (adjusted closes)
                        closes[t] = part.close[t]
                        if part.volume is not None and t in part.volume.columns:
                            volumes[t] = part.volume[t]  # the filler-row screen reads it
                    source.update(part.source)
                    vintages.append(part.vintage)
                    notes += part.notes
                    rest = [t for t in rest if t not in have]
        if rest and self.offline:
            where = [f"the cache ({self.cache.root})"]
            if self.files is not None:
                where.insert(0, f"{self.files.path}")
            if self.bundled is not None:
                b = datasets.load().index
                where.append(f"the bundled data set ({b[0].date()}..{b[-1].date()})")
            raise DataUnavailableError(
                f"offline: no local prices for {name_list(rest)} in {start.date()}..{end.date()}: "
                f"not in "
                f"{' nor '.join(where)}; run once without --offline (or eventstudy fetch) to "
                "download and cache them" + self._raw_hint(rest, start, end), missing=rest
            )  # not delisted=True: not downloaded yet is no reason to exclude a security (C46)
        if rest:
            try:
                part = self.yahoo.get_prices(rest, start, end)
            except DataUnavailableError as exc:
                hint = self._raw_hint(rest, start, end)
                if not hint:
                    raise
                raise DataUnavailableError(f"{exc}{hint}", missing=exc.missing,
                                           delisted=exc.delisted) from exc
            for t in rest:
                f = pd.DataFrame({
                    "close": part.close[t],
                    "split": part.splits[t] if part.splits is not None else 0.0,
                    "dividend": part.dividends[t] if part.dividends is not None else 0.0,
                })
                frames[t] = f
                try:
                    self.cache.put(t, self.adjusted, f, start, end)
                except OSError as exc:  # a read-only or full disk must not cost the run
                    logger.warning("cache not written for %s (%s)", t, exc)
                    notes.append(f"cache not written for {t}: {exc}")
            source.update(part.source)
            vintages.append(part.vintage)
            notes += part.notes
        close = pd.concat({t: closes[t] if t in closes else frames[t]["close"] for t in tickers},
                          axis=1)
        close.index = pd.DatetimeIndex(close.index, name="date")
        # splits and dividends: 0.0 for a bundled ticker on every session (one frame, not one
        # frame per ticker: 500 DataFrames cost 0.3 s)
        acted = [t for t in tickers if t not in closes]
        acts = {k: (pd.concat({t: frames[t][k] for t in acted}, axis=1)
                    .reindex(index=close.index, columns=close.columns).fillna(0.0) if acted
                    else pd.DataFrame(0.0, index=close.index, columns=close.columns))
                for k in ("split", "dividend")}
        kinds = [s.split(" ")[0] for s in source.values()]
        bundle = f" (vintage {datasets.VINTAGE})" if "bundled" in kinds else ""
        notes.insert(0, "prices: " + ", ".join(
            f"{kinds.count(k)} from {k}{bundle if k == 'bundled' else ''}"
            for k in ("file", "cache", "bundled", "yfinance") if k in kinds))
        # the source and fetch time of every ticker not from the bundle (its vintage is above)
        notes[1:1] = [f"{t}: {source[t]}" for t in tickers
                      if not source[t].startswith(("bundled", "file"))][:MAX_SOURCE_NOTES]
        return PriceData(
            close=close,
            adjusted=self.adjusted,
            source=source,
            vintage=", ".join(dict.fromkeys(vintages)),
            notes=tuple(notes),
            splits=acts["split"],
            dividends=acts["dividend"],
            volume=(pd.DataFrame(volumes).reindex(close.index) if volumes else None),
        )
