"""Names readers know: human group labels, tickers with short company names, event dates in words.

Group labels come from the study file when a ``groups:`` entry carries one
(``ai_hardware: {label: AI hardware, tickers: [...]}``), else from the group's id with the usual
acronyms restored (``ai_hardware`` -> "AI hardware", ``sp500`` -> "S&P 500"). Company names come
from the bundled S&P 500 constituents file (``security`` column), shortened, and for the indices
and non-US series the bundle ships from :data:`BUNDLED_NAMES`; other securities are shown by
ticker alone.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = ["group_label", "group_labels", "security_label", "short_name", "event_date_text",
           "lower_first", "index_label", "BUNDLED_NAMES"]

#: Names of the indices and non-US securities of the bundled data set (market/, international/),
#: of the US indices studies name as markets or context, and of the bundled US series of the
#: shipped studies that the S&P 500 constituents file does not name.
BUNDLED_NAMES = {
    "^GSPC": "S&P 500", "^IXIC": "Nasdaq Composite", "^NDX": "Nasdaq-100",
    "^SOX": "PHLX Semiconductor", "^VIX": "VIX", "^DJI": "Dow Jones", "^RUT": "Russell 2000",
    "^N225": "Nikkei 225", "^GDAXI": "DAX", "^FCHI": "CAC 40", "^TWII": "Taiex",
    "^FTSE": "FTSE 100", "^STOXX50E": "Euro Stoxx 50", "^HSI": "Hang Seng",
    "2330.TW": "TSMC", "6857.T": "Advantest", "8035.T": "Tokyo Electron",
    "9984.T": "SoftBank Group", "ENR.DE": "Siemens Energy", "SU.PA": "Schneider Electric",
    # US series of the shipped studies outside the S&P 500 constituents file
    "TSM": "TSMC (ADR)", "ARM": "Arm Holdings", "MRVL": "Marvell", "TLN": "Talen Energy",
    "VRT": "Vertiv", "QQQ": "Nasdaq-100 ETF", "SMH": "VanEck Semi ETF", "SOXX": "iShares Semi ETF",
}

_WORDS = {"ai": "AI", "etf": "ETF", "etfs": "ETFs", "us": "US", "sp500": "S&P 500",
          "ndx": "Nasdaq 100", "gpu": "GPU", "gpus": "GPUs", "eu": "EU", "uk": "UK", "ipo": "IPO"}
_SUFFIX = re.compile(r"(,? (Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.?|plc|Ltd\.?|"
                     r"Holdings|Group|Technologies|Technology|Systems|Energy|Platforms|"
                     r"Class [A-C])|\s*\(.*?\))+$")
MAX_NAME = 16


def _from_config(res: EventStudyResults) -> dict[str, str]:
    yaml_text = res.provenance.config_yaml
    if not yaml_text or "label" not in yaml_text:
        return {}
    return dict(_parse_labels(yaml_text))


@functools.lru_cache(maxsize=8)
def _parse_labels(yaml_text: str) -> tuple[tuple[str, str], ...]:
    import yaml


    try:
        data = yaml.safe_load(yaml_text) or {}
    except yaml.YAMLError:  # pragma: no cover - the config was parsed once already
        return ()
    # the resolved config holds group_labels (StudyConfig splits a {label, tickers} group)
    labels = {str(g): str(v["label"]) for g, v in (data.get("groups") or {}).items()
              if isinstance(v, dict) and v.get("label")}
    labels.update({str(g): str(v) for g, v in (data.get("group_labels") or {}).items()})
    return tuple(labels.items())


def _pretty(group: str) -> str:
    words = [_WORDS.get(w.lower(), w.lower()) for w in re.split(r"[_\s]+", group) if w]
    text = " ".join(words) or group
    return text[:1].upper() + text[1:]


def group_labels(res: EventStudyResults) -> dict[str, str]:
    """Return the label of each group of ``res`` (the universe group as "<label> members")."""
    given = _from_config(res)
    out = {}
    for g in res.groups:
        label = given.get(g) or _pretty(g)
        if g == res.provenance.universe and g not in given:
            label = f"{label} members"
        out[g] = label
    return out


def group_label(res: EventStudyResults, group: str) -> str:
    """Return the human label of ``group`` (its id when it is not a group of ``res``)."""
    return group_labels(res).get(group, group)


def lower_first(label: str) -> str:
    """Return ``label`` for the middle of a sentence ("Power" -> "power", "AI hardware" kept)."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    from importlib.resources import files

    try:
        text = files("eventstudy.datasets").joinpath("sp500_constituents.csv")
        frame = pd.read_csv(str(text), usecols=["symbol", "yahoo", "security"], dtype=str)
    except (OSError, ValueError):  # pragma: no cover - the file ships with the package
        return {}
    out = {}
    for sym, yahoo, name in frame.itertuples(index=False, name=None):
        out[str(yahoo)] = out[str(sym)] = str(name)
    return out


def short_name(ticker: str) -> str:
    """Return the short company name of ``ticker`` from the bundle ('' when it has none)."""
    if ticker in BUNDLED_NAMES:
        return BUNDLED_NAMES[ticker]
    name = _names().get(ticker, "")
    name = _SUFFIX.sub("", name).strip() or name
    if len(name) <= MAX_NAME:
        return name
    words = name.split()
    while len(words) > 1 and (len(" ".join(words)) > MAX_NAME
                              or words[-1].lower() in ("&", "and", "of", "the")):
        words.pop()  # whole words: "Advanced Micro", "Johnson" (not "Johnson &")
    return " ".join(words)[:MAX_NAME]


def security_label(ticker: str) -> str:
    """Return "NVDA Nvidia": the ticker and its short name where the bundle has it."""
    name = short_name(ticker)
    return (f"{ticker} {name}" if name and name.upper() not in (ticker, ticker.lstrip("^"))
            else ticker)


def index_label(symbol: str) -> str:
    """Return the name readers know an index by ("S&P 500" for ^GSPC), else the symbol."""
    return BUNDLED_NAMES.get(symbol, symbol)


def event_date_text(res: EventStudyResults) -> str:
    """Return the event's day 0 in words ("27 January 2025"; "day 0" for several dates)."""
    days = pd.DatetimeIndex(res.events["day0"]).dropna().unique()
    if len(days) == 1:
        d = days[0]
        return f"{d.day} {d.strftime('%B %Y')}"
    return "day 0"
