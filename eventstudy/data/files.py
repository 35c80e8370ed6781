"""Prices from local files: CSV or Parquet, long or wide, one file or a folder of per-ticker files.

Layouts recognised (column names are matched case-insensitively):

- **long**: ``date, ticker, close`` (also ``symbol``; ``adj close``/``adj_close``; extra columns
  such as open/high/low/volume are ignored);
- **wide**: ``date`` then one price column per ticker;
- **one series**: ``Date, Open, High, Low, Close, ...`` (``Ticker.history()`` output) with the
  ticker taken from the file name (``NVDA.csv`` or ``anything_NVDA.csv``);
- what people save from yfinance: the 3-line header of a (Price, Ticker) MultiIndex
  (``Price,...`` / ``Ticker,...`` / ``Date,,,``), a stray ``,UNH,`` second line, a UTF-8 byte-order
  mark, dates with a time-zone suffix (``2025-01-27 00:00:00-05:00``: the wall-clock date is kept,
  never converted, case C11), and ``Dividends`` / ``Stock Splits`` columns.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from eventstudy.data.adjust import adjust_prices
from eventstudy.data.base import PriceData, PriceSource, sanitize_prices
from eventstudy.data.dates import date_hint, excel_serial
from eventstudy.data.symbols import normalize_ticker
from eventstudy.exceptions import DataShapeError, DataUnavailableError, name_list

logger = logging.getLogger(__name__)

__all__ = ["FileSource", "read_price_file", "SUFFIXES"]

SUFFIXES = (".csv", ".csv.gz", ".txt", ".parquet", ".pq")
_DATE_NAMES = ("date", "datetime", "timestamp", "time", "day", "unnamed: 0", "index", "")
_TICKER_NAMES = ("ticker", "symbol", "permno_ticker", "tic")
_ADJ_NAMES = ("adj close", "adj_close", "adjclose", "adjusted close", "adjusted_close",
              "adjusted", "close_adj")
_CLOSE_NAMES = ("close", "price", "prc", "last", "close_raw", "raw_close")
_SPLIT_NAMES = ("stock splits", "stock_splits", "stock_split", "splits", "split")
_DIV_NAMES = ("dividends", "dividend", "divs", "div")
_FIELD_NAMES = set(_ADJ_NAMES + _CLOSE_NAMES + _SPLIT_NAMES + _DIV_NAMES) | {
    "open", "high", "low", "volume", "capital gains", "repaired?"}
_ISO = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
_YMD = re.compile(r"^\s*(\d{8})(?:\.0)?\s*$")
_SLASH = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})\s*$")


def _is_price_file(p: Path) -> bool:
    return p.is_file() and any(p.name.lower().endswith(s) for s in SUFFIXES)


def parse_dates(values: pd.Series | pd.Index, *, label: str, date_format: str | None = None,
                excel_dates: bool = False) -> pd.DatetimeIndex:
    """Return the wall-clock session dates of date strings, dropping any time-zone suffix (C11).

    Accepts ISO dates with or without a time and offset (``2025-01-27``,
    ``2025-01-27 00:00:00-05:00``), ``YYYYMMDD`` and datetime values; with ``date_format``
    (a strptime format, ``date_format:`` of the study) the dates in that format; with
    ``excel_dates`` integers as Excel serial dates (days from 1899-12-30); D/M/Y or M/D/Y
    when some day exceeds 12; other strings are parsed by pandas and rejected when that fails.

    Raises
    ------
    DataShapeError
        Naming ``label`` and the first value that is not a date.
    """
    if isinstance(values, pd.DatetimeIndex):
        idx = values.tz_localize(None) if values.tz is not None else values
        return pd.DatetimeIndex(idx).normalize()
    if pd.api.types.is_datetime64_any_dtype(values):
        idx = pd.DatetimeIndex(values)
        return (idx.tz_localize(None) if idx.tz is not None else idx).normalize()
    text = pd.Series(values, dtype="object").astype(str)
    if date_format is not None:
        parsed = pd.to_datetime(text.str.strip(), format=date_format, errors="coerce")
        if parsed.notna().all():
            return pd.DatetimeIndex(parsed).normalize()
    if excel_dates:
        serial = pd.Series([excel_serial(t) for t in text], index=text.index, dtype="object")
        if serial.notna().all():
            return pd.DatetimeIndex(pd.to_datetime(serial)).normalize()
    if len(text) and text.str.len().eq(10).all():  # fast path: plain YYYY-MM-DD
        fast = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        if fast.notna().all():
            return pd.DatetimeIndex(fast)
    iso = text.str.extract(_ISO, expand=False)
    ymd = text.str.extract(_YMD, expand=False)
    out = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    out = out.fillna(pd.to_datetime(ymd, format="%Y%m%d", errors="coerce"))
    rest = out.isna() & iso.isna() & ymd.isna()
    if rest.any():
        try:
            out[rest] = _slash_dates(text[rest], label)
        except (TypeError, ValueError) as exc:  # mixed time zones or naive/aware mixes
            if isinstance(exc, DataShapeError):
                raise
            i = int(np.flatnonzero(rest.to_numpy())[0])
            raise DataShapeError(f"{label}: {text.iat[i]!r} (row {i + 1}) is not a date") from None
    bad = out.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataShapeError(f"{label}: {text.iat[i]!r} (row {i + 1}) is not a date")
    return pd.DatetimeIndex(out).normalize()


def _slash_dates(text: pd.Series, label: str) -> pd.Series:
    """Parse D/M/Y or M/D/Y dates, refusing to guess when the file does not tell which."""
    parts = text.str.extract(_SLASH)
    if parts.isna().any(axis=None):
        return pd.to_datetime(text, errors="coerce", format="mixed")
    a, b = parts[0].astype(int), parts[1].astype(int)
    day_first, month_first = bool((a > 12).any()), bool((b > 12).any())
    if day_first and month_first:
        raise DataShapeError(f"{label}: dates mix day/month and month/day order "
                             f"({text.iat[int((a > 12).to_numpy().argmax())]!r} and "
                             f"{text.iat[int((b > 12).to_numpy().argmax())]!r})")
    if not day_first and not month_first:
        readings = date_hint(str(text.iat[0])).split(": ambiguous: ", 1)[-1]
        raise DataShapeError(f"{label}: ambiguous dates such as {text.iat[0]!r} (day/month or "
                             f"month/day?): {readings}")
    year = parts[2].astype(int)
    year = year.where(year >= 100, year + 2000)
    day, month = (a, b) if day_first else (b, a)
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}),
                          errors="coerce")


def _read_raw(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file into a frame with a ``date`` column and string/number columns."""
    name = path.name.lower()
    if not name.endswith(SUFFIXES):
        raise DataShapeError(f"{path}: unsupported file type {path.suffix!r}; save the prices as "
                             "CSV or Parquet")
    if name.endswith((".parquet", ".pq")):
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise DataShapeError(f"{path}: cannot read Parquet file ({exc})") from None
        if isinstance(frame.index, pd.DatetimeIndex) or frame.index.name is not None:
            frame = frame.reset_index()
        if isinstance(frame.columns, pd.MultiIndex):
            return frame
        frame.columns = [str(c) for c in frame.columns]
        return frame
    try:
        # pandas-stubs do not declare pandas.io.common; get_handle is what read_csv itself uses
        opener = pd.io.common.get_handle(  # type: ignore[attr-defined]
            path, "r", compression="infer", encoding="utf-8-sig")
        with opener as handle:
            text = handle.handle.read()
    except UnicodeDecodeError as exc:
        raise DataShapeError(f"{path}: not a UTF-8 text file (byte {exc.start})") from None
    except OSError as exc:
        raise DataShapeError(f"{path}: cannot read ({exc})") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DataShapeError(f"{path}: the file is empty")
    first = [c.strip().lower() for c in lines[0].split(",")]
    second = lines[1].split(",") if len(lines) > 1 else []
    if first[0] == "price" and second and second[0].strip().lower() == "ticker":
        # yf.download(...).to_csv(): (Price, Ticker) header, then a "Date,,,," line
        skip = 3 if len(lines) > 2 and lines[2].split(",")[0].strip().lower() == "date" else 2
        try:
            header = pd.MultiIndex.from_arrays(
                [lines[0].split(","), lines[1].split(",")], names=["Price", "Ticker"])
            frame = pd.read_csv(io.StringIO("\n".join(lines[skip:])), header=None, dtype=str)
            frame.columns = header[: frame.shape[1]]
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            # rows longer than the header, or the two header lines of different lengths
            raise DataShapeError(f"{path}: damaged yfinance download layout ({exc})") from None
        return frame
    if first[0] == "ticker" and second and second[0].strip().lower() == "price":
        raise DataShapeError(f"{path}: (Ticker, Price) header: save with group_by='column'")
    sep, decimal = ",", "."
    if lines[0].count(";") > lines[0].count(","):  # a European spreadsheet export
        sep = ";"
        decimal = "," if re.search(r"\d,\d", "\n".join(lines[1:6])) else "."
    elif lines[0].count("\t") > lines[0].count(","):
        sep = "\t"
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, decimal=decimal, keep_default_na=False,
                            na_values=["", "NaN", "nan", "NA", "null", "None"])
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataShapeError(f"{path}: cannot parse CSV ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    low = {c.lower().strip(): c for c in columns}
    for n in names:
        if n in low:
            return low[n]
    return None


def _ticker_from_name(path: Path, wanted: Sequence[str]) -> str:
    stem = path.name
    for s in SUFFIXES:
        if stem.lower().endswith(s):
            stem = stem[: -len(s)]
            break
    candidates = [stem, stem.rsplit("_", 1)[-1]]
    for c in candidates:
        try:
            t = normalize_ticker(c)
        except Exception:
            continue
        if t in wanted or ("^" + t) in wanted:
            return t if t in wanted else "^" + t
    try:
        return normalize_ticker(candidates[-1])
    except Exception:
        raise DataShapeError(f"{path}: cannot tell the ticker from the file name; name it "
                             "TICKER.csv or add a ticker column") from None


def read_price_file(
    path: str | Path, *, tickers: Sequence[str] = (), price_field: str = "adj_close",
    date_format: str | None = None, excel_dates: bool = False,
) -> tuple[dict[str, pd.DataFrame], list[str], bool]:
    """Read one price file of any supported layout.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv``, ``.csv.gz``, ``.txt`` or ``.parquet`` file.
    tickers : sequence of str
        Tickers wanted; used to name a one-series file (``..._NVDA.csv``).
    price_field : {'adj_close', 'close'}
        ``adj_close``: an adjusted-close column when there is one; otherwise total-return prices
        from close and dividend columns (not from yfinance's ``Dividends`` column: a
        ``Ticker.history()`` file's Close is already adjusted by default); otherwise the close
        column as given (yfinance saves adjusted closes by default). ``close``: the close column,
        raw.

    Returns
    -------
    series : dict of str to pandas.DataFrame
        Ticker -> frame indexed by session date (tz dropped), columns ``close``, ``split`` and
        ``dividend`` (0 = none). Duplicate dates are kept here (sanitised later).
    notes : list of str
        Decisions taken (column used, adjustment).
    adjusted : bool
        Whether the closes are adjusted for dividends.

    Raises
    ------
    DataShapeError
        When the file cannot be read or has no date or price column; the message names the file.
    """
    path = Path(path)
    raw = _read_raw(path)
    notes: list[str] = []
    if isinstance(raw.columns, pd.MultiIndex):  # yfinance (Price, Ticker) header
        from eventstudy.data.yahoo import extract_actions, extract_close

        dates = parse_dates(raw.iloc[:, 0], label=str(path), date_format=date_format,
                            excel_dates=excel_dates)
        body = raw.iloc[:, 1:].set_axis(dates, axis=0)
        names = list(dict.fromkeys(str(t) for t in body.columns.get_level_values(1)))
        out = {}
        fields = set(map(str, body.columns.get_level_values(0)))
        field = "Adj Close" if price_field == "adj_close" and "Adj Close" in fields else "Close"
        for t in names:
            split, div = extract_actions(body, t)
            out[normalize_ticker(t)] = pd.DataFrame({
                "close": extract_close(body, t, field),
                "split": split if split is not None else 0.0,
                "dividend": div if div is not None else 0.0,
            })
        notes.append(f"{path.name}: yfinance download layout, column {field!r}")
        return out, notes, price_field == "adj_close"

    cols = list(raw.columns)
    date_col = _find(cols, _DATE_NAMES) or cols[0]
    if date_col.lower().strip() in _FIELD_NAMES:
        raise DataShapeError(f"{path}: no date column (the first column is {date_col!r}); "
                             "add one named 'date'")
    tcol = _find(cols, _TICKER_NAMES)
    adj = _find(cols, _ADJ_NAMES)
    close = _find(cols, _CLOSE_NAMES)
    split_col, div_col = _find(cols, _SPLIT_NAMES), _find(cols, _DIV_NAMES)
    frame = raw
    if tcol is not None:
        # a stray second line such as ",UNH," (yfinance's ticker row saved as data): no date
        blank = frame[date_col].isna() | (frame[date_col].astype(str).str.strip() == "")
        if blank.any():
            notes.append(f"{path.name}: {int(blank.sum())} row(s) without a date skipped")
            frame = frame.loc[~blank]
    elif len(frame) and str(frame[date_col].iat[0]).strip() in ("", "nan", "None"):
        notes.append(f"{path.name}: second header line skipped")
        frame = frame.iloc[1:]
    dates = parse_dates(frame[date_col], label=f"{path}: column {date_col!r}",
                        date_format=date_format, excel_dates=excel_dates)
    if adj is None and close is None:
        # wide: every other column is a ticker
        value_cols = [c for c in cols if c not in (date_col, tcol)
                      and c.lower().strip() not in _FIELD_NAMES]
        if not value_cols:
            raise DataShapeError(f"{path}: no price column (close, adj close, or one column per "
                                 f"ticker) in {cols}")
        out = {}
        for c in value_cols:
            out[normalize_ticker(c)] = pd.DataFrame(
                {"close": _numbers(frame[c], path, c).to_numpy(), "split": 0.0, "dividend": 0.0},
                index=dates)
        notes.append(f"{path.name}: wide layout, {len(out)} tickers; prices taken as given")
        return out, notes, price_field == "adj_close"
    use = adj if (price_field == "adj_close" and adj is not None) else (close or adj or "")
    values = pd.DataFrame({
        "close": _numbers(frame[use], path, use).to_numpy(),
        "split": _numbers(frame[split_col], path, split_col).fillna(0.0).to_numpy()
        if split_col else 0.0,
        "dividend": _numbers(frame[div_col], path, div_col).fillna(0.0).to_numpy()
        if div_col else 0.0,
    }, index=dates)
    if tcol is not None:
        keys = frame[tcol].astype(str).str.strip()
        canon = {k: normalize_ticker(k) for k in keys.unique()}
        wanted = set(tickers)
        groups = {}
        for k, rows in values.groupby(keys.map(canon).to_numpy(), sort=False):
            # every ticker is listed (for messages); only wanted ones keep their rows
            groups[str(k)] = rows if (not wanted or k in wanted) else rows.iloc[:0]
    else:
        named = _ticker_from_name(path, tickers)
        groups = {named: values}
        notes.append(f"{path.name}: one series without a ticker column, read as {named} "
                     "(from the file name)")
    total_return = (price_field == "adj_close" and adj is None and div_col is not None
                    and div_col != "Dividends")
    if total_return:  # a raw close with its dividends: build total-return prices (C02b)
        for t, g in groups.items():
            g = _one_row_per_date(g, t, path.name)
            g["close"] = adjust_prices(g["close"], dividends=g["dividend"], splits=g["split"])
            g["split"] = 0.0
            groups[t] = g
        notes.append(f"{path.name}: total-return prices from {use!r} and {div_col!r}")
    elif price_field == "adj_close" and adj is None:
        notes.append(f"{path.name}: no adjusted-close column; {use!r} taken as adjusted "
                     "(yfinance's default), but a recorded split its prices still show is "
                     "applied (quality log); set data.price_field: close if it holds raw closes")
    else:
        notes.append(f"{path.name}: column {use!r}")
    return groups, notes, price_field == "adj_close"


def _one_row_per_date(frame: pd.DataFrame, ticker: str, label: str) -> pd.DataFrame:
    """Sort one ticker's rows and keep one per date.

    C13: the last non-NaN close, with the warning of :func:`sanitize_prices`; the largest split
    and dividend of the date.
    """
    if not frame.index.has_duplicates and frame.index.is_monotonic_increasing:
        return frame
    clean = sanitize_prices(frame[["close"]].rename(columns={"close": ticker}), label=label)
    acts = frame[["split", "dividend"]].groupby(level=0).max()
    return acts.reindex(clean.index).fillna(0.0).assign(close=clean[ticker])


def _numbers(col: pd.Series, path: Path, name: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(col):
        return col.astype("float64")
    out = pd.to_numeric(col, errors="coerce")
    bad = out.isna() & col.notna() & (col.astype(str).str.strip() != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataShapeError(f"{path}: column {name!r}: {col.iat[i]!r} (row {i + 2}) is not a "
                             "number")
    return out.astype("float64")


def _has_closes(frame: pd.DataFrame) -> bool:
    """Whether a ticker's frame from :func:`read_price_file` holds at least one close."""
    return bool(pd.to_numeric(frame["close"], errors="coerce").notna().any())


class FileSource(PriceSource):
    """Prices from a local file or a folder of files (``data: {source: file, path: ...}``).

    Parameters
    ----------
    path : str or pathlib.Path
        A file (any layout of :func:`read_price_file`) or a folder of them (one ticker per file,
        or several; every file with a known suffix is read).
    price_field : {'adj_close', 'close'}, default 'adj_close'
    date_format : str, optional
        strptime format of the dates (``'%d.%m.%Y'``); ISO dates need none.
    excel_dates : bool, default False
        Read integer dates as Excel serial dates.

    Raises
    ------
    DataUnavailableError
        When the path does not exist or a ticker is in no file.
    """

    name = "file"

    def __init__(self, path: str | Path, price_field: str = "adj_close", *,
                 date_format: str | None = None, excel_dates: bool = False) -> None:
        self.path = Path(path)
        self.price_field = price_field
        self.date_format = date_format
        self.excel_dates = excel_dates
        self._read: dict[tuple[Path, float, tuple[str, ...]], tuple] = {}

    def _read_file(self, f: Path, tickers: list[str]) -> tuple:
        key = (f, f.stat().st_mtime, tuple(sorted(tickers)))
        if key not in self._read:
            self._read = {key: read_price_file(f, tickers=tickers, price_field=self.price_field,
                                               date_format=self.date_format,
                                               excel_dates=self.excel_dates)}
        return self._read[key]

    def files(self) -> list[Path]:
        """Return the price files read (the file itself, or the folder's files sorted by name)."""
        if self.path.is_dir():
            found = sorted(p for p in self.path.iterdir() if _is_price_file(p))
            if not found:
                raise DataUnavailableError(
                    f"{self.path}: no price files ({', '.join(SUFFIXES)}) in this folder")
            return found
        if not self.path.exists():
            raise DataUnavailableError(f"{self.path}: no such price file or folder")
        if not self.path.is_file():  # a device such as /dev/zero would be read forever
            raise DataUnavailableError(f"{self.path}: not a regular file or folder")
        return [self.path]

    def _held(self, tickers: list[str]) -> tuple[set[str], dict[str, Path]]:
        """Tickers with at least one close in the files, and those listed with none (and where).

        A column (or a ticker's rows) whose every close is empty is no data: yfinance saves a
        failed download as such an all-NaN block (cases C03, C46), so it is not a series to fit.
        """
        held: set[str] = set()
        blank: dict[str, Path] = {}
        for f in self.files():
            for t, frame in self._read_file(f, tickers)[0].items():
                if _has_closes(frame):
                    held.add(t)
                else:
                    blank.setdefault(t, f)
        return held, {t: f for t, f in blank.items() if t not in held}

    def available(self, tickers: Sequence[str]) -> list[str]:
        """Return the subset of ``tickers`` the files hold prices for (in the given order).

        A ticker the files list with every close empty (an all-NaN block) is not held: see
        :meth:`blank`.
        """
        return self.holding(tickers)[0]

    def holding(self, tickers: Sequence[str]) -> tuple[list[str], dict[str, Path]]:
        """Return :meth:`available` and :meth:`blank` of ``tickers`` from one read of the files.

        Parameters
        ----------
        tickers : sequence of str

        Returns
        -------
        list of str
            The tickers the files hold prices for, in the given order.
        dict of str to pathlib.Path
            The tickers they list without a single close, with the file listing each.
        """
        tickers = list(tickers)
        held, blank = self._held(tickers)
        return ([t for t in tickers if t in held],
                {t: blank[t] for t in tickers if t in blank})

    def blank(self, tickers: Sequence[str]) -> dict[str, Path]:
        """Return the tickers the files list without a single close, with the file listing each.

        Parameters
        ----------
        tickers : sequence of str

        Returns
        -------
        dict of str to pathlib.Path
            In the order of ``tickers``: a header (or rows) for the ticker, every close empty.
        """
        return self.holding(tickers)[1]

    def get_prices(
        self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp
    ) -> PriceData:
        """Return closes from the files; see :meth:`PriceSource.get_prices`."""
        tickers = list(tickers)
        found: dict[str, tuple[pd.DataFrame, Path]] = {}
        notes: list[str] = []
        adjusted = True
        by_name = False  # a one-series file named after its ticker
        for f in self.files():
            series, file_notes, adj = self._read_file(f, tickers)
            by_name |= any(n.endswith("(from the file name)") for n in file_notes)
            adjusted &= adj
            if any(t in tickers for t in series):
                notes += file_notes
            for t, frame in series.items():
                if not _has_closes(frame):
                    continue  # an all-NaN block is no data (C03, C46): see blank()
                if t in found and t in tickers:
                    raise DataShapeError(f"{t} is in two files: {found[t][1]} and {f}")
                found[t] = (frame, f)
        blank = {t: f for t, f in self.blank(tickers).items() if t not in found}
        if blank:
            raise DataUnavailableError(
                "; ".join(f"{f}: no prices for {t}: the file lists {t} but every close is empty "
                          "(an all-NaN block, as a failed download saves it, is no data)"
                          for t, f in blank.items()), missing=list(blank))
        missing = [t for t in tickers if t not in found]
        if missing:
            have = sorted(found)
            raise DataUnavailableError(
                f"{self.path}: no prices for {name_list(missing)} "
                f"(the file{'s hold' if len(have) != 1 else ' holds'}: "
                f"{have[:12]}{' ...' if len(have) > 12 else ''})"
                + ("; a file with one series and no ticker column is named after its ticker: "
                   "NVDA.csv or prices_NVDA.csv" if by_name else ""), missing=missing)
        parts: dict[str, pd.DataFrame] = {}
        for t in tickers:
            frame, f = found[t]
            parts[t] = _one_row_per_date(frame, t, f.name)
        # one wide frame per field, filled by position (pandas' unstack costs seconds for
        # thousands of tickers)
        dates = np.unique(np.concatenate([p.index.to_numpy("datetime64[ns]")
                                          for p in parts.values()]))
        index = pd.DatetimeIndex(dates, name="date")
        wide = {}
        for k in ("close", "split", "dividend"):
            values = np.full((len(dates), len(tickers)), np.nan)
            for j, t in enumerate(tickers):
                p = parts[t]
                values[np.searchsorted(dates, p.index.to_numpy("datetime64[ns]")), j] = \
                    pd.to_numeric(p[k], errors="coerce").to_numpy(dtype="float64")
            wide[k] = pd.DataFrame(values, index=index, columns=pd.Index(tickers))
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        close = sanitize_prices(wide["close"], label=self.path.name).loc[start:end]
        index = cast(pd.DatetimeIndex, close.index)
        mtime = max(found[t][1].stat().st_mtime for t in tickers)
        vintage = pd.Timestamp(mtime, unit="s").strftime("%Y-%m-%d")
        return PriceData(
            close=close,
            adjusted=adjusted,
            source={t: f"file {found[t][1]}" for t in tickers},
            vintage=f"file modified {vintage}",
            notes=tuple(notes),
            splits=wide["split"].reindex(index).fillna(0.0),
            dividends=wide["dividend"].reindex(index).fillna(0.0),
        )
