"""Date texts of events and price files: explicit formats, Excel serials, ambiguity named.

ISO dates (``2024-03-15``) need no option. Other forms are read only when the study says how:
``date_format: '%d.%m.%Y'`` (any :func:`datetime.datetime.strptime` format) or
``excel_dates: true`` (integers such as 45366 counted in days from 1899-12-30, Excel's epoch on
Windows). A date such as ``03/05/2024`` is never guessed: the error gives both readings and the
option that settles them.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

__all__ = ["EXCEL_EPOCH", "excel_serial", "ambiguity", "parse_with_format", "date_hint",
           "not_in_future"]

#: Day 0 of Excel's 1900 date system as Excel counts it (its 1900-02-29 bug absorbed).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Serials of 1900-03-01..2100-12-31: five-digit day counts (a YYYYMMDD is eight digits).
_SERIAL = re.compile(r"^\s*(\d{2,5})(?:\.0+)?\s*$")
_SLASH = re.compile(r"^\s*(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})\s*$")


def not_in_future(value: dt.date | None, why: str) -> dt.date | None:
    """Return ``value``, or raise ValueError (``"<date> is in the future: <why>"``) past today.

    The one check behind the event, confounder and claim dates of a study file.
    """
    if value is not None and value > dt.date.today():
        raise ValueError(f"{value} is in the future: {why}")
    return value


def excel_serial(text: str) -> pd.Timestamp | None:
    """Return the date of an Excel serial day number (``'45366'`` -> 2024-03-15), else None."""
    m = _SERIAL.match(str(text))
    if not m:
        return None
    n = int(m.group(1))
    if n < 61:  # before 1900-03-01 Excel's count is off by its phantom 1900-02-29
        return None
    return EXCEL_EPOCH + pd.Timedelta(days=n)


def _reading(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def ambiguity(text: str) -> tuple[dt.date | None, dt.date | None] | None:
    """Return (day-first reading, month-first reading) of a date like ``03/05/2024``, else None.

    A reading that is not a valid date is None (``15/03/2024`` has no month-first reading).
    """
    m = _SLASH.match(str(text))
    if not m:
        return None
    a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
    if len(m.group(4)) == 2:
        y += 2000
    del sep
    return _reading(y, b, a), _reading(y, a, b)


def date_hint(text: str) -> str:
    """Say how to read a date text that is not ISO: both readings and the option to set."""
    found = ambiguity(text)
    if found is not None:
        sep = re.search(r"[/.\-]", text)
        s = sep.group(0) if sep else "/"
        day_first, month_first = found
        fmt_d, fmt_m = f"%d{s}%m{s}%Y", f"%m{s}%d{s}%Y"
        if len(text.strip().split(s)[-1]) == 2:
            fmt_d, fmt_m = fmt_d.replace("%Y", "%y"), fmt_m.replace("%Y", "%y")
        if day_first and month_first and day_first != month_first:
            return (f"bad date {text!r}: ambiguous: {day_first:%d %B %Y} (day first) or "
                    f"{month_first:%B %d, %Y} (month first); set date_format: '{fmt_d}' or "
                    f"'{fmt_m}' (or write YYYY-MM-DD)")
        only = fmt_d if day_first else fmt_m
        return (f"bad date {text!r}: not ISO; set date_format: '{only}' to read it "
                "(or write YYYY-MM-DD)")
    if excel_serial(text) is not None:
        return (f"bad date {text!r}: an Excel serial date ({excel_serial(text):%Y-%m-%d})? "
                "set excel_dates: true to read it as one (or write YYYY-MM-DD)")
    return f"bad date {text!r} (use YYYY-MM-DD); or set date_format:, e.g. '%d.%m.%Y'"


def parse_with_format(text: str, date_format: str) -> pd.Timestamp | None:
    """Parse ``text`` with a strptime format; None when it does not match."""
    try:
        return pd.Timestamp(dt.datetime.strptime(str(text).strip(), date_format)).normalize()
    except ValueError:
        return None
