"""Inputs and outputs at a million security-events: long Parquet returns, events, chunked Parquet.

:func:`read_long_returns` reads a long file (one row per date and ticker) by column and row group
with pyarrow, only the tickers and dates asked for, and scatters the values by integer codes into
one float64 matrix of the sessions x securities read (no pivot, no per-ticker loop);
:func:`read_events` reads a million events from Parquet or CSV with pyarrow's readers;
:func:`write_results` writes the results as Parquet (CSV only when asked) into a temporary folder
renamed into place at the end, so an interrupted run leaves no partial outputs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataShapeError

__all__ = ["read_long_returns", "read_events", "write_results"]


def read_long_returns(
    path: str | Path,
    *,
    value: str = "return",
    tickers: Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    date_column: str = "date",
    ticker_column: str = "ticker",
) -> pd.DataFrame:
    """Read daily returns (or prices) from a long Parquet file or folder of files.

    Parameters
    ----------
    path : str or Path
        A Parquet file or a folder of Parquet files (a pyarrow dataset), with columns date,
        ticker and ``value``.
    value : str, default 'return'
        The column to read: decimal returns, or prices when the column is ``'price'``,
        ``'close'`` or ``'adj_close'`` (then simple returns p_t / p_{t-1} - 1 between a ticker's
        consecutive rows).
    tickers : sequence of str, optional
        Read only these (a filter pushed down to the row groups).
    start, end : date-like, optional
        Read only the dates in [start, end] (pushed down to the row groups, so a file sorted by
        date reads only the row groups it needs).
    date_column, ticker_column : str

    Returns
    -------
    pandas.DataFrame
        Sessions (the dates in the file) x tickers, float64, NaN where a ticker has no row.

    Raises
    ------
    DataShapeError
        When a column is missing or a (date, ticker) pair appears twice.
    """
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(path), format="parquet")
    names = set(dataset.schema.names)
    missing = [c for c in (date_column, ticker_column, value) if c not in names]
    if missing:
        raise DataShapeError(f"{path}: no column(s) {missing} (have {sorted(names)})")
    flt = None
    if tickers is not None:
        flt = pc.field(ticker_column).isin(list(tickers))
    for bound, op in ((start, "ge"), (end, "le")):
        if bound is not None:
            cond = getattr(pc.field(date_column), f"__{op}__")(pd.Timestamp(bound).to_pydatetime())
            flt = cond if flt is None else flt & cond
    table = dataset.to_table(columns=[date_column, ticker_column, value], filter=flt)
    dates = table.column(date_column).to_numpy()
    tick = pc.dictionary_encode(table.column(ticker_column)).combine_chunks()
    codes = tick.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    names_t = np.asarray(tick.dictionary.to_pylist(), dtype=object)
    vals = table.column(value).to_numpy().astype("float64")
    sessions, d_idx = np.unique(dates, return_inverse=True)
    if value in ("price", "close", "adj_close"):
        order = np.lexsort((d_idx, codes))
        p = vals[order]
        same = np.r_[False, codes[order][1:] == codes[order][:-1]]
        ret = np.full(len(p), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            ret[1:] = p[1:] / p[:-1] - 1.0
        ret[~same] = np.nan
        vals = np.empty_like(ret)
        vals[order] = ret
    flat = d_idx * len(names_t) + codes
    if len(flat) and np.bincount(flat, minlength=len(sessions) * len(names_t)).max() > 1:
        raise DataShapeError(f"{path}: a (date, ticker) pair appears more than once")
    mat = np.full((len(sessions), len(names_t)), np.nan)
    mat.reshape(-1)[flat] = vals
    order_t = np.argsort(names_t.astype(str))
    return pd.DataFrame(mat[:, order_t], index=pd.DatetimeIndex(sessions, name="date"),
                        columns=pd.Index(names_t[order_t].astype(str), name="ticker"))


def read_events(path: str | Path) -> pd.DataFrame:
    """Read security-events (event_id, ticker, date, ...) from a Parquet or CSV file.

    pyarrow's multithreaded readers: a million rows in about a second. ``event_id`` and
    ``ticker`` are read as strings.
    """
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        frame = pq.read_table(path).to_pandas()
    else:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        opts = pacsv.ConvertOptions(column_types={"event_id": pa.string(),
                                                  "ticker": pa.string()})
        frame = pacsv.read_csv(path, convert_options=opts).to_pandas()
    for c in ("event_id", "ticker"):
        if c in frame.columns:
            frame[c] = frame[c].astype(str)
    return frame


def _write_parquet(frame: pd.DataFrame, path: Path, rows_per_group: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pq.ParquetWriter(path, table.schema) as writer:
        for a in range(0, max(len(frame), 1), rows_per_group):
            writer.write_table(table.slice(a, rows_per_group))


def write_results(res: Any, directory: str | Path, *, csv: bool = False,
                  overwrite: bool = False, rows_per_group: int = 100_000,
                  files: Mapping[str, str] | None = None) -> Path:
    """Write the tables of ``res`` into ``directory`` as Parquet, CSV too when asked.

    Files: tests, aar, caar, events (one row per fitted security-event, in row groups of
    ``rows_per_group``) and dropped, ``.parquet`` (and ``.csv`` with ``csv=True``). Everything is
    written into a temporary folder beside ``directory`` and renamed into place at the end: an
    interrupted run leaves the previous outputs (or none), never a partial set.

    Parameters
    ----------
    res : LargeStudyResults
        (typed ``Any`` here: the results import this module, not the other way round)
    directory : str or Path
    csv : bool, default False
        Also write CSVs (slow and large at a million rows; off by default).
    overwrite : bool, default False
        Replace an existing ``directory``.
    rows_per_group : int, default 100000
        Parquet row-group size of the events table.
    files : mapping of str to str, optional
        Text files written beside the tables (``eventstudy run`` adds ``config.resolved.yaml``,
        which records what ran and marks the folder as a report that a later run may replace).

    Returns
    -------
    Path
        ``directory``.

    Raises
    ------
    FileExistsError
        When ``directory`` exists and ``overwrite`` is false.
    """
    target = Path(directory)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    old: Path | None = None  # the previous results, moved aside during the swap
    try:
        tables = {"tests": res.tests, "aar": res.aar, "caar": res.caar, "events": res.events,
                  "dropped": res.dropped}
        for name, frame in tables.items():
            _write_parquet(frame, tmp / f"{name}.parquet", rows_per_group)
            if csv:
                frame.to_csv(tmp / f"{name}.csv", index=False)
        for name, text in (files or {}).items():  # e.g. config.resolved.yaml: what ran
            (tmp / name).write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o755)  # mkdtemp's 0700 would hide the results from colleagues
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
            old = None
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and (old / target.name).exists() and not target.exists():
            os.replace(old / target.name, target)  # interrupted half-way: put the old one back
            shutil.rmtree(old, ignore_errors=True)
        raise
    return target
