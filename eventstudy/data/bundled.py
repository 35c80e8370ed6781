"""The data set shipped inside the package (see ``eventstudy.datasets``)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from eventstudy import datasets
from eventstudy.data.base import PriceData, PriceSource
from eventstudy.exceptions import DataUnavailableError, name_list

__all__ = ["BundledSource", "VIX", "VIX_SOURCE"]

VIX = "^VIX"  # the CBOE Volatility Index the bundle ships beside the prices (datasets.vix)
VIX_SOURCE = "bundled (CBOE VIX history, vix_close.csv)"


class BundledSource(PriceSource):
    """Adjusted closes bundled with the package (Yahoo Finance via yfinance, vintage 2026-08).

    Members renamed since January 2025 are found under their old symbol too (FI -> FISV,
    PARA -> PSKY, BK -> BNY); the returned column keeps the symbol that was asked for. ``^VIX``
    comes from the CBOE file the bundle ships (:func:`eventstudy.datasets.vix`, 2022 onwards), so
    a study with ``context: [^VIX]`` never asks Yahoo for it.
    """

    name = "bundled"

    def available(self, tickers: Sequence[str]) -> list[str]:
        """Return the subset of ``tickers`` the bundle holds (directly or through an alias)."""
        columns = set(datasets.load().columns) | set(datasets.international_tickers()) | {VIX}
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
        if VIX in tickers:
            return self._with_vix(tickers, start, end)
        intl = set(datasets.international_tickers())
        if intl.intersection(tickers):
            return self._with_international(tickers, start, end, intl)
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
                f"not in the bundled data set: {name_list(missing)} (it holds 584 US series "
                f"and {name_list(datasets.international_tickers(), brackets=False)}, "
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

    def _with_vix(self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp
                  ) -> PriceData:
        """Return the closes of ``tickers`` with ``^VIX`` from the CBOE file, on their rows.

        With other tickers the VIX is put on their rows (NaN where CBOE has none); alone it keeps
        the NYSE sessions of the file.
        """
        vix = datasets.vix().loc[pd.Timestamp(start):pd.Timestamp(end)]
        if vix.empty:
            raise DataUnavailableError(
                f"the bundled VIX ({datasets.vix().index[0].date()} onwards) holds no row in "
                f"{pd.Timestamp(start).date()}..{pd.Timestamp(end).date()}", missing=[VIX])
        others = [t for t in tickers if t != VIX]
        if not others:
            return PriceData(close=vix.to_frame(), adjusted=True, source={VIX: VIX_SOURCE},
                             vintage=datasets.VINTAGE)
        part = self.get_prices(others, start, end)
        close = part.close.assign(**{VIX: vix.reindex(part.close.index)})[list(tickers)]
        return PriceData(close=close, adjusted=True, source={**part.source, VIX: VIX_SOURCE},
                         vintage=part.vintage, notes=part.notes, volume=part.volume)

    def _with_international(self, tickers: Sequence[str], start: pd.Timestamp,
                            end: pd.Timestamp, intl: set[str]) -> PriceData:
        """Return closes of US and international tickers on the dates any of them has a row.

        A security has NaN on the dates its exchange was closed; the volume of the international
        series is returned for the filler-row screen.
        """
        us = [t for t in tickers if t not in intl]
        world = [t for t in tickers if t in intl]
        close, volume = datasets.load_international(world)
        parts = [close]
        notes: tuple[str, ...] = ()
        source: dict[str, str] = {}
        if us:
            part = self.get_prices(us, start, end)
            parts.insert(0, part.close)
            notes, source = part.notes, dict(part.source)
        both = pd.concat(parts, axis=1, sort=True).loc[start:end, list(tickers)]
        if both.empty:
            raise DataUnavailableError(
                f"the bundled international series hold no row in {pd.Timestamp(start).date()}.."
                f"{pd.Timestamp(end).date()} (for {name_list(world, brackets=False)})")
        srcs = datasets.sources()
        source.update({t: f"bundled ({srcs.get(t, 'shared/data/international')})" for t in world})
        return PriceData(
            close=both,
            adjusted=True,
            source=source,
            vintage=datasets.VINTAGE,
            notes=notes,
            volume=volume.reindex(both.index),
        )
