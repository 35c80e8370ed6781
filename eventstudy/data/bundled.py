"""The data set shipped inside the package (see ``eventstudy.datasets``)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from eventstudy import datasets
from eventstudy.data.base import PriceData, PriceSource
from eventstudy.exceptions import DataUnavailableError, name_list

__all__ = ["BundledSource"]


class BundledSource(PriceSource):
    """Adjusted closes bundled with the package (Yahoo Finance via yfinance, vintage 2026-08).

    Members renamed since January 2025 are found under their old symbol too (FI -> FISV,
    PARA -> PSKY, BK -> BNY); the returned column keeps the symbol that was asked for.
    """

    name = "bundled"

    def available(self, tickers: Sequence[str]) -> list[str]:
        """Return the subset of ``tickers`` the bundle holds (directly or through an alias)."""
        columns = set(datasets.load().columns)
        aliases = datasets.ticker_aliases()
        return [t for t in tickers if t in columns or aliases.get(t) in columns]

    def get_prices(
        self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp
    ) -> PriceData:
        """Return bundled closes; see :meth:`PriceSource.get_prices`.

        Raises
        ------
        DataUnavailableError
            For tickers the bundle does not hold, and for a range with no row in the bundle
            (2023-01-03..2026-08-03), naming both ranges.
        """
        frame = datasets.load()
        aliases = datasets.ticker_aliases()
        srcs = datasets.sources()
        notes: list[str] = []
        resolved: dict[str, str] = {}
        missing: list[str] = []
        for t in tickers:
            if t in frame.columns:
                resolved[t] = t
            elif aliases.get(t) in frame.columns:
                resolved[t] = aliases[t]
                notes.append(f"{t}: bundled under its current symbol {aliases[t]}")
            else:
                missing.append(t)
        if missing:
            raise DataUnavailableError(
                f"not in the bundled data set: {name_list(missing)} (it holds 584 US series, "
                f"{frame.index[0].date()}..{frame.index[-1].date()}); use data.source: yfinance "
                "or auto to download them", missing=missing
            )
        first, last = frame.index[0], frame.index[-1]
        if pd.Timestamp(end) < first or pd.Timestamp(start) > last:  # not a row in common
            raise DataUnavailableError(
                f"the bundled data set covers {first.date()}..{last.date()}, not the "
                f"{pd.Timestamp(start).date()}..{pd.Timestamp(end).date()} the windows need "
                f"(for {name_list(list(resolved), brackets=False)}); use data.source: auto or "
                "yfinance to download them"
            )
        close = frame.loc[start:end, list(resolved.values())]
        close.columns = pd.Index(list(resolved), name=None)
        source = {t: f"bundled ({srcs.get(s, 'unknown')})" for t, s in resolved.items()}
        return PriceData(
            close=close,
            adjusted=True,
            source=source,
            vintage=datasets.VINTAGE,
            notes=tuple(notes),
        )
