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
           "lower_first", "index_label", "BUNDLED_NAMES", "TEST_LABELS", "test_label",
           "market_label", "event_label", "event_order", "label_ids"]

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
    "ASML": "ASML Holding",
}

#: Names readers know the tests by (column headers and notes of the reports); the keys are the
#: test keys of :mod:`eventstudy.statistics.battery` and of the volume and volatility tests.
TEST_LABELS = {
    "t": "t test", "brown_warner_1980": "Brown-Warner (1980)",
    "crude_dependence": "crude dependence", "lamb": "Lamb", "patell": "Patell",
    "adjusted_patell": "adjusted Patell", "bmp": "BMP", "kolari_pynnonen": "Kolari-Pynn\u00f6nen",
    "calendar_time": "calendar-time", "skewness_adjusted_t": "skewness-adjusted t",
    "bootstrap_t": "bootstrap t", "sign": "sign", "generalized_sign": "generalized sign",
    "corrado_sign": "Corrado sign", "corrado_rank": "Corrado rank",
    "modified_rank": "modified rank",
    "wilcoxon": "Wilcoxon", "grank": "GRANK", "placebo_dates": "placebo dates",
    "ibragimov_mueller": "Ibragimov-M\u00fcller", "pre_event": "pre-event",
    "variance_ratio": "variance ratio",
}

_WORDS = {"ai": "AI", "etf": "ETF", "etfs": "ETFs", "us": "US", "sp500": "S&P 500",
          "ndx": "Nasdaq 100", "gpu": "GPU", "gpus": "GPUs", "eu": "EU", "uk": "UK", "ipo": "IPO"}
_SUFFIX = re.compile(r"(,? (Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.?|plc|Ltd\.?|"
                     r"Holdings|Group|Technologies|Technology|Systems|Energy|Platforms|"
                     r"Class [A-C])|\s*\(.*?\))+$")
MAX_NAME = 16
_AMP_NAME = 20  # "Johnson & Johnson": a name joined by "&" is kept whole up to this length


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
    """Return ``label`` for the middle of a sentence ("Power" -> "power", "AI hardware" kept).

    A company's name ("Nvidia", "Meta Platforms") keeps its capital.
    """
    if label in _company_names():
        return label
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


@functools.lru_cache(maxsize=1)
def _company_names() -> frozenset[str]:
    """Every short and full company name of the bundle (names keep their capital)."""
    full = set(_names().values()) | set(BUNDLED_NAMES.values())
    return frozenset(full | {short_name(t) for t in (*_names(), *BUNDLED_NAMES)} - {""})


def short_name(ticker: str) -> str:
    """Return the short company name of ``ticker`` from the bundle ('' when it has none).

    Legal suffixes and words such as "Platforms" or "Energy" are dropped ("Nvidia Corporation"
    -> "Nvidia"), unless that leaves the ticker itself ("Meta Platforms", "NRG Energy" kept); a
    name joined by "&" stays whole when short enough ("Johnson & Johnson").
    """
    if ticker in BUNDLED_NAMES:
        return BUNDLED_NAMES[ticker]
    full = _names().get(ticker, "")
    name = _SUFFIX.sub("", full).strip() or full
    if name.upper() == ticker.upper() and full:  # "Meta" for META says nothing: keep the word
        name = re.sub(r"(,? (Inc\.?|Incorporated|Corporation|Corp\.?|plc|Ltd\.?|Class [A-C])|"
                      r"\s*\(.*?\))+$", "", full).strip() or full
    if len(name) <= MAX_NAME or (" & " in name and len(name) <= _AMP_NAME):
        return name
    words = name.split()
    while len(words) > 1 and (len(" ".join(words)) > MAX_NAME
                              or words[-1].lower() in ("&", "and", "of", "the")):
        words.pop()  # whole words: "Advanced Micro", "Johnson" (not "Johnson &")
    return " ".join(words)[:MAX_NAME]


def security_label(ticker: str) -> str:
    """Return "NVDA Nvidia": the ticker and its short name where the bundle has it.

    A name that starts with the ticker as a word, as written, is printed alone ("NRG Energy",
    "ASML Holding", not "NRG NRG Energy"): the ticker stays visible in it. "Meta Platforms"
    does not show META, so it keeps the ticker ("META Meta Platforms").
    """
    name = short_name(ticker)
    if not name or name.upper() in (ticker, ticker.lstrip("^")):
        return ticker
    if name.split()[0] == ticker:
        return name
    return f"{ticker} {name}"


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


def test_label(name: str) -> str:
    """Return the name readers know a test by ("kolari_pynnonen" -> "Kolari-Pynnönen")."""
    return TEST_LABELS.get(name, name.replace("_", " "))


def _joined(labels: list[str]) -> str:
    """Join labels as a sentence does: "AI hardware and power", "A, b and c"."""
    parts = [labels[0], *(lower_first(x) for x in labels[1:])]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def label_ids(text: str, res: EventStudyResults) -> str:
    """Return ``text`` with the group ids of ``res`` written as their labels.

    For text made elsewhere (claim reasons, benchmark names): "ai_hardware+power" -> "AI hardware
    and power", "sp500 members" and "sp500" -> "S&P 500 members". Only ids a reader would not
    take for a word are replaced (those with an underscore or a digit, and groups joined by "+").
    """
    labels = group_labels(res)

    def joined(m: re.Match[str]) -> str:
        ids = m.group(0).split("+")
        if not all(i in labels for i in ids):
            return m.group(0)
        return _joined([labels[i] for i in ids])

    ids = "|".join(re.escape(g) for g in sorted(labels, key=len, reverse=True))
    if not ids:
        return text
    text = re.sub(rf"(?<![\w.^])(?:{ids})(?:\+(?:{ids}))+(?![\w])", joined, text)
    for g in sorted(labels, key=len, reverse=True):
        if not re.search(r"[_\d]", g) or labels[g] == g:
            continue
        label = labels[g]
        if label.endswith(" members"):  # "sp500 members" -> "S&P 500 members", not "... members"
            text = re.sub(rf"(?<![\w.^]){re.escape(g)} members(?![\w])", label, text)
        text = re.sub(rf"(?<![\w.^]){re.escape(g)}(?![\w])", label, text)
    return text


def market_label(res: EventStudyResults) -> str:
    """Return the study's market as readers know it.

    "^GSPC (S&P 500)"; a benchmark built from the securities with its groups' labels ("cap-weighted
    ex ai_hardware+power" -> "cap-weighted, without AI hardware and power").
    """
    market = str(res.provenance.market)
    m = re.fullmatch(r"((?:cap|equal)-weighted) ex (.+)", market)
    if m:
        labels = group_labels(res)
        names = [labels.get(g, g) for g in m.group(2).split("+")]
        return f"{m.group(1)}, without {_joined(names)}"
    name = BUNDLED_NAMES.get(market)
    return f"{market} ({name})" if name else market


def event_order(res: EventStudyResults) -> list[str]:
    """Return the event ids of ``res`` by date (day 0, then the date given), then by id."""
    ev = res.events
    if not len(ev):
        return []
    first = ev.groupby("event_id", sort=False)["day0"].min()
    return [str(e) for e in sorted(first.index, key=lambda e: (pd.Timestamp(first[e]), str(e)))]


def event_label(res: EventStudyResults, event_id: str) -> str:
    """Return "q4_fy24 (day 0 22 February 2024)": an event with its day 0 in words."""
    ev = res.events
    days = pd.DatetimeIndex(ev.loc[ev["event_id"] == event_id, "day0"]).dropna()
    if not len(days):
        return str(event_id)
    d = days.min()
    return f"{event_id} (day 0 {d.day} {d.strftime('%B %Y')})"
