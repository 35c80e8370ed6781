"""Ken French's daily factor files, in the layout he publishes them.

The files (``F-F_Research_Data_Factors_daily.CSV``, ``F-F_Research_Data_5_Factors_2x3_daily.CSV``,
``F-F_Momentum_Factor_daily.CSV``) have a free-text preamble, a header line whose first field is
empty (``,Mkt-RF,SMB,HML,RF``), ``YYYYMMDD`` dates, values in **percent**, CRLF line ends, missing
values as -99.99 or -999, and a copyright footer. Copies whose dates were rewritten as
``YYYY-MM-DD`` under a ``Date`` header are read the same way. Values are returned as decimals.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataShapeError

__all__ = ["read_french"]

_DATE = re.compile(r"^\s*(\d{8}|\d{4}-\d{2}-\d{2})\s*$")
_MISSING = (-99.99, -999.0)
#: The data vintage in the preamble (C43). French's files say "This file was created by using the
#: 202601 CRSP database."; the case file and older copies say "created using the 202504 CRSP
#: database". Any "<YYYYMM> CRSP" (also "YYYY-MM", "YYYY/MM") after a creation verb is read, so a
#: reworded preamble ("constructed with the 202601 CRSP data") keeps its vintage.
_VINTAGE = re.compile(
    r"\b(?:created|constructed|built|generated|made|prepared|produced)\b[^.]{0,60}?"
    r"\b((?:19|20)\d{2})[-/]?(0[1-9]|1[0-2])\s+CRSP\b", re.IGNORECASE)
#: Fallback when no creation verb precedes it: "... 202601 CRSP database ...".
_VINTAGE_BARE = re.compile(r"\b((?:19|20)\d{2})[-/]?(0[1-9]|1[0-2])\s+CRSP\b", re.IGNORECASE)


def _vintage(preamble: str) -> str:
    """Return the CRSP vintage ``'YYYYMM'`` a factor file's preamble states, else 'not stated'."""
    text = " ".join(preamble.split())  # a sentence broken over CRLF lines reads as one
    found = _VINTAGE.search(text) or _VINTAGE_BARE.search(text)
    return found.group(1) + found.group(2) if found else "not stated"


def _read_one(path: Path) -> pd.DataFrame:
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError as exc:
        raise DataShapeError(f"{path}: cannot read factor file ({exc})") from None
    header_at = None
    for i, line in enumerate(lines[:-1]):
        fields = [f.strip() for f in line.split(",")]
        nxt = lines[i + 1].split(",")[0]
        if len(fields) > 1 and fields[0].lower() in ("", "date") and _DATE.match(nxt):
            header_at = i
            break
    if header_at is None:
        raise DataShapeError(
            f"{path}: no factor table found (expected a header like ',Mkt-RF,SMB,HML,RF' followed "
            "by YYYYMMDD rows, as in Ken French's daily files)"
        )
    columns = [c.strip() for c in lines[header_at].split(",")[1:]]
    dates, rows = [], []
    for n, line in enumerate(lines[header_at + 1:], start=header_at + 2):
        fields = line.split(",")
        if not _DATE.match(fields[0]):
            break  # blank line before the footer (or a following annual section)
        if len(fields) != len(columns) + 1:
            raise DataShapeError(
                f"{path}: line {n}: {len(fields) - 1} values for {len(columns)} columns {columns}"
            )
        try:
            rows.append([float(v) for v in fields[1:]])
        except ValueError:
            raise DataShapeError(f"{path}: line {n}: not a number in {line.strip()!r}") from None
        dates.append(fields[0].strip())
    fmt = "%Y%m%d" if len(dates[0]) == 8 else "%Y-%m-%d"
    try:
        index = pd.DatetimeIndex(pd.to_datetime(dates, format=fmt), name="date")
    except ValueError as exc:
        raise DataShapeError(f"{path}: bad date ({exc})") from None
    values = np.asarray(rows, dtype="float64")
    values[np.isin(values, _MISSING)] = np.nan
    frame = pd.DataFrame(values / 100.0, index=index, columns=columns)
    vintage = _vintage(" ".join(lines[:header_at]))
    if frame.index.has_duplicates:
        d = frame.index[frame.index.duplicated()][0]
        raise DataShapeError(f"{path}: date {d.date()} appears twice")
    frame = frame.sort_index()
    frame.attrs["vintage"] = vintage
    return frame


def read_french(*paths: str | Path) -> pd.DataFrame:
    """Read one or more Ken French daily factor files into one frame of decimal returns.

    Parameters
    ----------
    *paths : str or pathlib.Path
        Files in French's layout (preamble, ``,Mkt-RF,...`` header, ``YYYYMMDD`` or ``YYYY-MM-DD``
        dates, percent values, footer). Several files are joined on the date (e.g. the 5-factor file
        and the momentum file); a column present in more than one file is taken from the first.

    Returns
    -------
    pandas.DataFrame
        Indexed by date (``DatetimeIndex`` named ``date``), columns as in the files (``Mkt-RF``,
        ``SMB``, ``HML``, ``RMW``, ``CMA``, ``RF``, ``Mom``), decimal daily returns (percent / 100);
        missing values (-99.99, -999) are NaN. Note FF3's SMB differs from FF5's SMB: read the file
        of the model you fit first. ``attrs['vintages']`` lists each file's CRSP vintage from its
        preamble (``'202504'``, or ``'not stated'``).

    Raises
    ------
    DataShapeError
        When a file is unreadable or not in this layout; the message names the file and line.

    Examples
    --------
    >>> f = read_french("F-F_Research_Data_5_Factors_2x3_daily.CSV")  # doctest: +SKIP
    >>> f.loc["2025-01-27", "Mkt-RF"]  # doctest: +SKIP
    -0.0149
    """
    if not paths:
        raise DataShapeError("read_french needs at least one file")
    frame: pd.DataFrame | None = None
    vintages: list[str] = []
    for p in paths:
        one = _read_one(Path(p))
        vintages.append(str(one.attrs.get("vintage", "not stated")))
        if frame is None:
            frame = one
        else:
            new = [c for c in one.columns if c not in frame.columns]
            frame = frame.join(one[new], how="outer")
    assert frame is not None
    frame.columns.name = None
    frame.attrs = {"vintages": vintages}
    return frame
