"""On-disk cache of downloaded prices: one Parquet file per (symbol, adjustment, interval).

Location: ``$EVENTSTUDY_CACHE_DIR``, else ``data.cache_dir`` of the study, else the platform's user
cache folder (``platformdirs.user_cache_dir("eventstudy")``, e.g. ``~/.cache/eventstudy`` on Linux).
Each file stores the closes (and split and dividend columns) with, in its Parquet metadata, the date
ranges that were fetched and when; a session that has not closed yet is never stored. Files are
written to a temporary name and renamed into place (atomic on POSIX and Windows).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, unquote

import pandas as pd

from eventstudy.data._cachedir import ENV_VAR, cache_dir
from eventstudy.data.calendar import exchange_for_symbol, last_closed_session

__all__ = ["PriceCache", "cache_dir", "ENV_VAR"]

_META_KEY = b"eventstudy"
_COLUMNS = ("close", "split", "dividend")


def _merge_ranges(ranges: Iterable[tuple[pd.Timestamp, pd.Timestamp]]
                  ) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    out: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + pd.Timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _rebase(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame | None:
    """Return the cached rows on the adjustment basis of a new fetch, or None to drop them.

    Adjusted closes are re-based by yfinance whenever a dividend or split occurs: every earlier
    close is multiplied by one factor. Rows fetched before such an event differ from a new fetch by
    that factor; merging them unscaled would put a spurious return at the seam. The factor is read
    from the dates both fetches hold; when they hold none, or the ratio is not one constant (to
    1e-6), the old rows cannot be reconciled and are dropped (the new fetch replaces them). One
    shared date that differs cannot show that the factor is constant: the old rows are dropped
    too (case C42: replaced, never stitched on an unverified factor).
    """
    both = old["close"].reindex(new.index)
    ratio = (new["close"] / both).dropna()
    if ratio.empty:
        return None
    factor = float(ratio.median())
    if (ratio / factor - 1.0).abs().max() > 1e-6:
        return None
    if len(ratio) < 2 and abs(factor - 1.0) > 1e-6:
        return None
    out = old.copy()
    if abs(factor - 1.0) > 1e-12:
        out["close"] = out["close"] * factor
    return out


class PriceCache:
    """Daily prices cached on disk, keyed by symbol, adjustment and interval.

    Parameters
    ----------
    root : str or pathlib.Path, optional
        The cache folder (default :func:`cache_dir`).
    interval : str, default '1d'
    now : callable, optional
        Returns the current tz-aware time (tests pin it); decides which sessions have closed.
    """

    def __init__(self, root: str | Path | None = None, interval: str = "1d",
                 now: object = None) -> None:
        self.root = Path(root) if root is not None else cache_dir()
        self.interval = interval
        self._now = now

    def path(self, symbol: str, adjusted: bool) -> Path:
        """Return the file of one key, e.g. ``%5EGSPC.adj.1d.parquet`` for ^GSPC adjusted."""
        return self.root / f"{quote(symbol, safe='')}.{'adj' if adjusted else 'raw'}." \
                           f"{self.interval}.parquet"

    def _read(self, symbol: str, adjusted: bool) -> tuple[pd.DataFrame, dict] | None:
        import pyarrow.parquet as pq

        p = self.path(symbol, adjusted)
        if not p.exists():
            return None
        try:
            table = pq.read_table(p)
            meta = json.loads((table.schema.metadata or {}).get(_META_KEY, b"{}"))
            frame = table.to_pandas()
            frame.index = pd.DatetimeIndex(frame.index, name="date")
            # the shape put() writes; anything else (another tool's file, a hand edit) is a miss
            meta["ranges"] = [[pd.Timestamp(a).strftime("%Y-%m-%d"),
                               pd.Timestamp(b).strftime("%Y-%m-%d")] for a, b in meta["ranges"]]
            if not set(_COLUMNS) <= set(frame.columns):
                return None
        except Exception:  # a damaged file is a cache miss; it is rewritten on the next fetch
            return None
        return frame, meta

    def ranges(self, symbol: str, adjusted: bool) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """Return the inclusive date ranges fetched for a key (merged)."""
        got = self._read(symbol, adjusted)
        if got is None:
            return []
        return [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in got[1].get("ranges", [])]

    def get(self, symbol: str, adjusted: bool, start: pd.Timestamp, end: pd.Timestamp
            ) -> tuple[pd.DataFrame, str] | None:
        """Return (prices ``start..end``, fetch time) when a fetched range covers them, else None.

        The frame has columns close, split, dividend indexed by session date.
        """
        got = self._read(symbol, adjusted)
        if got is None:
            return None
        frame, meta = got
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        for a, b in meta.get("ranges", []):
            if pd.Timestamp(a) <= start and pd.Timestamp(b) >= end:
                return frame.loc[start:end], str(meta.get("fetched_at", "unknown"))
        return None

    def put(self, symbol: str, adjusted: bool, frame: pd.DataFrame, start: pd.Timestamp,
            end: pd.Timestamp, *, source: str = "yfinance") -> Path:
        """Merge fetched prices ``start..end`` into the cache; return the file.

        Rows after the last closed session of the symbol's exchange are dropped and the stored range
        ends there, so an unfinished session is fetched again next time. New rows replace cached
        rows of the same date; older rows are rescaled to the new fetch's adjustment basis, or
        dropped when the two fetches share no date to compare (see ``_rebase``).
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        now = self._now() if callable(self._now) else None  # type: ignore[operator]
        last = last_closed_session(exchange_for_symbol(symbol), now)
        start, end = pd.Timestamp(start), min(pd.Timestamp(end), last)
        new = frame.reindex(columns=list(_COLUMNS)).loc[:last]
        new["split"] = new["split"].fillna(0.0)
        new["dividend"] = new["dividend"].fillna(0.0)
        old = self._read(symbol, adjusted)
        ranges = [(start, end)] if start <= end else []
        kept = _rebase(old[0], new) if old is not None else None
        if old is not None and kept is not None:
            merged = pd.concat([kept, new])
            new = merged[~merged.index.duplicated(keep="last")].sort_index()
            ranges += [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in old[1].get("ranges", [])]
        new.index = pd.DatetimeIndex(new.index, name="date")
        fetched = pd.Timestamp(now) if now is not None else pd.Timestamp.now(tz="UTC")
        # real UTC: a New York time was stored as it was, labelled UTC (issue 13)
        fetched = (fetched.tz_localize("UTC") if fetched.tzinfo is None
                   else fetched.tz_convert("UTC"))
        meta = {
            "symbol": symbol, "adjusted": adjusted, "interval": self.interval, "source": source,
            "ranges": [[a.strftime("%Y-%m-%d"), b.strftime("%Y-%m-%d")]
                       for a, b in _merge_ranges(ranges)],
            "fetched_at": fetched.strftime("%Y-%m-%d %H:%M UTC"),
        }
        table = pa.Table.from_pandas(new.astype("float64"), preserve_index=True)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               _META_KEY: json.dumps(meta).encode()})
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.path(symbol, adjusted)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.root)
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def entries(self) -> pd.DataFrame:
        """Return one row per cached key.

        Returns
        -------
        pandas.DataFrame
            Columns symbol, adjusted, interval, rows, first, last, ranges, fetched_at, bytes, file.
        """
        rows = []
        if self.root.is_dir():
            for p in sorted(self.root.glob("*.parquet")):
                parts = p.name.rsplit(".", 3)
                if len(parts) != 4:
                    continue
                symbol, adjusted = unquote(parts[0]), parts[1] == "adj"
                got = self._read(symbol, adjusted)
                if got is None:
                    rows.append((symbol, adjusted, parts[2], 0, None, None, "unreadable", "",
                                 p.stat().st_size, str(p)))
                    continue
                frame, meta = got
                rows.append((symbol, adjusted, parts[2], len(frame),
                             frame.index.min().date() if len(frame) else None,
                             frame.index.max().date() if len(frame) else None,
                             "; ".join(f"{a}..{b}" for a, b in meta.get("ranges", [])),
                             meta.get("fetched_at", ""), p.stat().st_size, str(p)))
        return pd.DataFrame(rows, columns=["symbol", "adjusted", "interval", "rows", "first",
                                           "last", "ranges", "fetched_at", "bytes", "file"])

    def clear(self, symbols: Iterable[str] | None = None) -> int:
        """Delete cached files (all, or those of ``symbols``); return how many were removed."""
        if not self.root.is_dir():
            return 0
        wanted = None if symbols is None else {quote(s, safe="") for s in symbols}
        n = 0
        for p in self.root.glob("*.parquet"):
            if not _is_cache_file(p):  # --cache-dir pointed at someone's data: leave it alone
                continue
            if wanted is None or p.name.rsplit(".", 3)[0] in wanted:
                p.unlink(missing_ok=True)
                n += 1
        for p in self.root.glob(".*.parquet.*.tmp"):  # left by a killed writer
            p.unlink(missing_ok=True)
        return n


def _is_cache_file(path: Path) -> bool:
    """Return True for a file this cache wrote.

    That is SYMBOL.adj|raw.INTERVAL.parquet holding the cache's metadata key (or damaged beyond
    reading, as a killed writer leaves it).
    """
    import pyarrow.parquet as pq

    parts = path.name.rsplit(".", 3)
    if len(parts) != 4 or parts[1] not in ("adj", "raw"):
        return False
    try:
        return _META_KEY in (pq.read_schema(path).metadata or {})
    except Exception:  # unreadable: a damaged cache file under a cache file's name
        return True
