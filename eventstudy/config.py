"""Study configuration: a frozen, validated record that mirrors ``EventStudy`` one-to-one.

A study YAML file holds exactly these keys (unknown keys are rejected with a close-match hint)::

    study: deepseek_2025                  # id, used for reports/<study>/
    title: DeepSeek overtakes ChatGPT in the US App Store
    data: {source: auto, returns: simple} # auto = bundled data first, then yfinance
    market: ^GSPC
    events:                               # or a CSV path with columns event_id,ticker,date[,label]
      - {id: app_store, date: 2025-01-27, label: DeepSeek's app tops the US App Store}
    groups: {ai_hardware: [NVDA, AVGO], power: [VST, CEG]}
    universe: sp500                       # optional: all S&P 500 members as one more group
    estimation_window: [-250, -11]
    event_windows: [[0, 0], [-1, 1], [0, 5]]
    model: market
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, overload

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from eventstudy._identifiers import ID_PATTERN, Identifier
from eventstudy._paths import read_text_limited
from eventstudy._typing import ModelName, Window
from eventstudy.claims.spec import ClaimSpec, check_claims
from eventstudy.data.calendar import calendar_names
from eventstudy.data.dates import not_in_future
from eventstudy.exceptions import ConfigError
from eventstudy.specification import BACKEND_OPTIONS

__all__ = [
    "StudyConfig", "EventSpec", "DataSpec", "BenchmarkSpec", "load_config", "safe_load_yaml",
]



_FACTOR_MODELS = {
    "ff3": ("Fama-French 3 factor", "Mkt-RF, SMB, HML, RF", "F-F_Research_Data_Factors_daily.CSV"),
    "carhart": ("Carhart 4 factor", "Mkt-RF, SMB, HML, Mom, RF",
                "F-F_Research_Data_Factors_daily.CSV, F-F_Momentum_Factor_daily.CSV"),
    "ff5": ("Fama-French 5 factor", "Mkt-RF, SMB, HML, RMW, CMA, RF",
            "F-F_Research_Data_5_Factors_2x3_daily.CSV"),
}
"""Factor model key -> (name, the factor columns it needs, Ken French files that hold them)."""


class _StrictYAMLLoader(yaml.SafeLoader):
    """A safe loader with YAML 1.2 scalars and no duplicate keys.

    YAML 1.1 traps it avoids: ON, NO, YES, OFF stay strings (tickers); 0700 and 012 stay strings
    (no octal: Hong Kong codes, event ids); 1:30 stays a string (no base-60); dates stay strings
    (``id: 2025-01-27`` is an id; date fields parse them, and report 2025-02-30 with key and line).
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Construct a mapping, refusing a key given twice (YAML would keep the last silently)."""
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key '{key_node.value}' is given twice", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        """Keep a date as its text.

        Validation parses it where a date belongs (and names the key and line of an impossible one,
        2025-02-30); an id or label such as 2025-01-27 stays text.
        """
        return self.construct_scalar(node)


_YAML12 = {
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    "tag:yaml.org,2002:int": (r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    "tag:yaml.org,2002:float": (
        r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
}
_StrictYAMLLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in _YAML12]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, (_rx, _first) in _YAML12.items():
    _StrictYAMLLoader.add_implicit_resolver(_tag, re.compile(_rx), list(_first))
_StrictYAMLLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _StrictYAMLLoader.construct_yaml_timestamp
)


_MAX_VALUES = 200_000
_MAX_CONFIG_BYTES = 2_000_000


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Count the values a node tree expands to with aliases followed (a "billion laughs" guard)."""
    key = id(node)
    if key in memo:
        if memo[key] < 0:  # an alias to an enclosing node: a recursive structure
            return _MAX_VALUES + 1
        return memo[key]
    memo[key] = -1
    size = 1
    if isinstance(node, yaml.SequenceNode):
        children: list[yaml.Node] = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    else:
        children = []
    for child in children:
        size += _expanded_size(child, memo)
        if size > _MAX_VALUES:
            break
    memo[key] = size
    return size


def _load_yaml_nodes(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML safely; return the data and the node tree (for line numbers)."""
    loader = None
    try:
        loader = _StrictYAMLLoader(text)
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > _MAX_VALUES:
            raise ConfigError(f"{source}: YAML expands to more than {_MAX_VALUES} values "
                              "(anchors and aliases nested too deep?)")
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.reader.ReaderError as exc:  # a control character or bad byte: no line mark
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(f"{source}: line {line}: invalid YAML: character "
                          f"{exc.character!r} is not allowed") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).replace("\n", " ")
        raise ConfigError(f"{source}:{where}: invalid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{source}: invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def safe_load_yaml(text: str, *, source: str = "<string>") -> Any:
    """Parse YAML without constructing objects, with YAML 1.2 scalars and no duplicate keys.

    Raises
    ------
    ConfigError
        On a syntax error or a repeated key, naming ``source`` and the line.
    """
    return _load_yaml_nodes(text, source)[0]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True
    )


def _valid_ticker(v: str) -> str:
    from eventstudy.data.symbols import normalize_ticker

    normalize_ticker(v)  # raises ConfigError (a ValueError) naming the symbol
    return v


Ticker = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_valid_ticker)]


class EventSpec(_Frozen):
    """One event: an id, a date and optionally the tickers it concerns.

    The tickers default to all of the study.
    """

    id: Identifier
    date: dt.date
    label: str = ""
    tickers: list[Ticker] | None = None
    time: Literal["before_open", "during", "after_close"] | None = None
    """When the news came out: ``after_close`` makes the next session day 0."""

    @field_validator("date")
    @classmethod
    def _date(cls, v: dt.date) -> dt.date | None:
        return not_in_future(v, "no prices exist for it yet")


class BenchmarkSpec(_Frozen):
    """A market built from the study's own securities instead of a published index.

    ``market: equal_weighted`` is ``{weighting: equal}``; ``market: {weighting: cap, exclude:
    [ai_hardware, power]}`` is the cap-weighted index of the share table's members
    (``market_values``, the bundled S&P 500 share counts with ``universe: sp500``) without those
    groups: a benchmark that does not contain the event's own move.
    """

    weighting: Literal["cap", "equal"]
    exclude: list[str] = Field(default_factory=list)
    """Groups whose securities are left out of the benchmark."""

    @property
    def name(self) -> str:
        """Name the benchmark in tables and reports (``cap-weighted ex ai_hardware+power``)."""
        base = "cap-weighted" if self.weighting == "cap" else "equal-weighted"
        return f"{base} ex {'+'.join(self.exclude)}" if self.exclude else base


def _market_shorthand(value: Any) -> Any:
    if value in ("equal_weighted", "cap_weighted"):
        return {"weighting": str(value).split("_")[0]}
    return value


class ConfounderSpec(_Frozen):
    """Another dated event that may move prices inside an event window (warned about)."""

    date: dt.date
    label: str = ""

    @field_validator("date")
    @classmethod
    def _date(cls, v: dt.date) -> dt.date | None:
        return not_in_future(v, "a confounder is news that happened")


def _exchange_code(v: str) -> str:
    names = calendar_names()
    if v not in names:
        close = difflib.get_close_matches(v.upper(), names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else " (e.g. XNYS, XETR, XTKS)"
        raise ValueError(f"unknown exchange {v!r}{hint}")
    return v


Exchange = Annotated[str, AfterValidator(_exchange_code)]


class MarketMap(_Frozen):
    """Benchmarks per security (``market:`` as a mapping).

    The most specific entry wins: ``by_ticker``, then ``by_group`` (the first group listing the
    security), then ``by_exchange`` (the security's exchange from its symbol suffix or
    ``exchanges:``), then ``default``.
    """

    default: Ticker | None = None
    by_exchange: dict[Exchange, Ticker] = Field(default_factory=dict)
    by_group: dict[str, Ticker] = Field(default_factory=dict)
    by_ticker: dict[Ticker, Ticker] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _some(self) -> MarketMap:
        if self.default is None and not (self.by_exchange or self.by_group or self.by_ticker):
            raise ValueError("give default and/or by_exchange, by_group, by_ticker")
        return self

    def symbols(self) -> list[str]:
        """Every benchmark named, default first."""
        from eventstudy.data.symbols import normalize_ticker

        named = [self.default, *self.by_exchange.values(), *self.by_group.values(),
                 *self.by_ticker.values()]
        return list(dict.fromkeys(normalize_ticker(t) for t in named if t is not None))


def _market_kind(value: Any) -> str:
    """Tell the three forms of ``market:`` apart, so an error names the one that was meant."""
    if isinstance(value, BenchmarkSpec):
        return "built"
    if isinstance(value, MarketMap):
        return "per_security"
    if isinstance(value, dict):
        return "built" if {"weighting", "exclude"} & set(value) else "per_security"
    return "ticker"


class DataSpec(_Frozen):
    """Where prices come from and how returns are computed."""

    source: Literal["auto", "bundled", "yfinance", "file"] = "auto"
    path: Path | None = None  # a price file or folder, relative to the config (file or auto)
    price_field: Literal["adj_close", "close"] = "adj_close"  # adjusted or raw closes
    returns: Literal["simple", "log"] = "simple"
    calendar: str = "auto"  # auto: the market's exchange from its symbol (XNYS for ^GSPC)
    non_trading_day: Literal["next", "previous", "error"] = "next"
    cache_dir: Path | None = None  # default: the user cache folder; $EVENTSTUDY_CACHE_DIR wins
    offline: bool = False  # never download (also --offline)
    # what a quality-screen error (split-like jump, unit switch, implausible jump) of one security
    # does: skip (default) excludes that security's events with the reason and goes on (an error
    # of the market, or of every security, still stops the study); raise stops; warn keeps the data
    quality_errors: Literal["raise", "warn", "skip"] = "skip"
    # a x100 / x0.01 price change that stays (pence vs pounds): error, or rescale the earlier
    # prices to the later unit (with a warning naming ticker and date)
    unit_switch: Literal["error", "rescale"] = "error"
    # the bar interval: daily only (event time counts exchange sessions; Yahoo keeps intraday
    # bars for 60 days, hourly for 730, too short for a 250-session estimation window)
    interval: str = "1d"
    # currency and unit of prices read from files (e.g. USD, GBp for pence); from yfinance's
    # metadata when downloaded
    currency: str | None = Field(default=None, max_length=8)

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: str) -> str:
        if v.strip().lower() not in ("1d", "d", "daily", "1day"):
            raise ValueError(
                f"interval {v!r} is not supported: only daily bars (1d); event time counts "
                "exchange sessions, and Yahoo keeps intraday bars for 60 days (hourly for 730), "
                "too short for an estimation window of 250 sessions")
        return "1d"

    @model_validator(mode="after")
    def _source_path(self) -> DataSpec:
        if self.source == "file" and self.path is None:
            raise ValueError("source: file needs path: a price file or folder")
        if self.path is not None and self.source not in ("file", "auto"):
            raise ValueError(f"path is read with source: file or auto (source is {self.source})")
        return self

    @field_validator("calendar")
    @classmethod
    def _calendar(cls, v: str) -> str:
        if v == "auto":
            return v
        names = calendar_names()
        if v not in names:
            close = difflib.get_close_matches(v.upper(), names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (e.g. XNYS, XLON, XETR)"
            raise ValueError(f"unknown exchange calendar {v!r}{hint}")
        return v


def _events_kind(value: Any) -> str:
    return "path" if isinstance(value, str | Path) else "list"


def _default_tests() -> tuple[str, ...]:
    from eventstudy.statistics.battery import DEFAULT_TESTS

    return DEFAULT_TESTS


class RegressionSpec(_Frozen):
    """A cross-sectional regression of CARs on characteristics (``res.regression``)."""

    x: list[str] = Field(min_length=1)
    window: Window | None = None
    data: Path | None = None
    """CSV with event_id and/or ticker and the x columns; without it, x may name the model's
    parameters (alpha, beta, ...), sigma or nobs."""
    cov_type: Literal["HC0", "HC1", "HC2", "HC3", "nonrobust"] = "HC1"


class BootstrapSpec(_Frozen):
    """Replications and seed of the ``bootstrap_t`` test."""

    n_boot: Annotated[int, Field(ge=99)] = 999
    seed: int = 0


class StudyConfig(_Frozen):
    """A validated study configuration (keys as in the YAML file and the ``EventStudy`` call)."""

    study: str
    title: str = ""
    description: str = ""
    data: DataSpec = DataSpec()
    market: Annotated[
        Annotated[Ticker, Tag("ticker")] | Annotated[BenchmarkSpec, Tag("built")]
        | Annotated[MarketMap, Tag("per_security")],
        Discriminator(_market_kind), BeforeValidator(_market_shorthand),
    ] = "^GSPC"
    exchanges: dict[Ticker, Exchange] = Field(default_factory=dict)
    """Exchange calendar per security where its symbol suffix does not tell (or to override it)."""
    events: Annotated[
        Annotated[list[EventSpec], Tag("list")] | Annotated[Path, Tag("path")],
        Discriminator(_events_kind),
    ]
    groups: dict[str, list[Ticker]] = Field(default_factory=dict)
    group_labels: dict[str, str] = Field(default_factory=dict)
    """Reader label of a group (charts, tables): ``groups: {power: {label: Power producers,
    tickers: [VST, CEG]}}`` in a study file; a group without one is named from its id."""
    universe: Literal["sp500"] | None = None
    market_values: Literal["sp500"] | Path | None = None
    context: list[Ticker] = Field(default_factory=list)
    confounders: list[ConfounderSpec] = Field(default_factory=list)
    estimation_window: Window = (-250, -11)
    event_windows: list[Window] = Field(default_factory=lambda: [(0, 0), (-1, 1)])
    gap: int = Field(0, ge=0)
    model: ModelName = "market"
    min_estimation_obs: int | None = Field(None, ge=2)
    tests: list[str] = Field(default_factory=lambda: list(_default_tests()))
    conventions: str | dict[str, Any] = "eventstudy"
    p_adjust: Literal["holm", "fdr_bh"] | None = None
    headline_test: str = "auto"
    pool_events: bool | None = None
    bootstrap: BootstrapSpec = BootstrapSpec()
    factors: list[Path] | None = None
    regression: RegressionSpec | None = None
    exclude_other_events: bool = True
    missing_returns: Literal["nan", "skip"] = "nan"
    # label -> data symbol, e.g. {FB: META}: events and groups keep the label, prices come from the
    # symbol; reports show both
    aliases: dict[Ticker, Ticker] = Field(default_factory=dict)
    # events CSV: its column names for event_id, ticker, date, ... ({ticker: symbol,
    # date: event_date}) and the date format of events and price files ('%d.%m.%Y'; ISO by default)
    event_columns: dict[Literal["event_id", "ticker", "date", "label", "time", "group"], str] = \
        Field(default_factory=dict)
    date_format: str | None = Field(None, max_length=40)
    # read integer dates such as 45366 as Excel serial dates (days since 1899-12-30)
    excel_dates: bool = False
    # Large studies (README): 'chunked' in bounded memory, 'dask' on a cluster; both write the
    # tables as Parquet instead of the full report.
    backend: Literal["memory", "chunked", "dask"] = "memory"
    chunk_size: int | None = Field(None, ge=1, strict=True)
    # threads for backend: chunked (None: the CPUs, <= 4)
    workers: int | None = Field(None, ge=1, strict=True)
    scheduler: str | None = None  # Dask scheduler address for backend: dask (None: local cluster)
    claims: list[ClaimSpec] = Field(default_factory=list)  # see eventstudy.claims.spec
    abnormal_volume: bool = False  # abnormal_volume.csv: CAAV per group (bundled volume)
    abnormal_volatility: Literal["market", "garch"] | None = None  # abnormal_volatility.csv
    base_dir: Path | None = Field(None, exclude=True)

    @field_validator("study")
    @classmethod
    def _study(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError("use letters, digits, '_', '-' or '.' (at most 64), "
                             "e.g. deepseek_2025")
        return v

    @field_validator("tests")
    @classmethod
    def _tests(cls, v: list[str]) -> list[str]:
        from eventstudy.statistics.battery import check_test_names

        return check_test_names(v)

    @field_validator("headline_test")
    @classmethod
    def _headline_test(cls, v: str) -> str:
        from eventstudy.statistics.battery import check_test_names

        if v != "auto":
            check_test_names([v])
        return v

    @field_validator("conventions")
    @classmethod
    def _conventions(cls, v: str | dict[str, Any]) -> str | dict[str, Any]:
        from eventstudy.statistics.conventions import get_conventions

        get_conventions(v)
        return v

    @model_validator(mode="before")
    @classmethod
    def _labelled_groups(cls, data: Any) -> Any:
        """Split ``groups: {name: {label: ..., tickers: [...]}}`` into groups and group_labels."""
        if not isinstance(data, dict) or not isinstance(data.get("groups"), dict):
            return data
        if not any(isinstance(v, dict) for v in data["groups"].values()):
            return data
        groups: dict[Any, Any] = {}
        labels = dict(data.get("group_labels") or {})
        for name, v in data["groups"].items():
            if not isinstance(v, dict):
                groups[name] = v
                continue
            unknown = sorted(set(map(str, v)) - {"label", "tickers"})
            if unknown or "tickers" not in v:
                raise ValueError(
                    f"groups: group {name!r} is a list of tickers or {{label: ..., tickers: "
                    f"[...]}}" + (f", not keys {unknown}" if unknown else ", without tickers"))
            groups[name] = v["tickers"]
            if v.get("label") is not None:
                labels[name] = str(v["label"])
        return {**data, "groups": groups, "group_labels": labels}

    @field_validator("groups")
    @classmethod
    def _groups(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, members in v.items():
            if not ID_PATTERN.match(str(name)):
                raise ValueError(f"group name {name!r}: use letters, digits, '_', '-' or '.'")
            if not members:
                raise ValueError(f"group {name!r} is empty")
        return v

    @model_validator(mode="after")
    def _check(self) -> StudyConfig:
        from eventstudy.windows import check_windows, window_length

        # Errors name their key as "key: message"; _format_errors turns that into key and line.
        try:
            check_windows(self.estimation_window, self.event_windows, gap=self.gap)
        except ConfigError as exc:
            key = "event_windows" if str(exc).startswith("event window") else "estimation_window"
            raise ValueError(f"{key}: {exc}") from None
        for key in ("chunk_size", "workers", "scheduler"):
            uses = BACKEND_OPTIONS[key]
            if getattr(self, key) is not None and self.backend not in uses:
                raise ValueError(f"{key}: applies only to backend: {' or '.join(uses)} (backend "
                                 f"is {self.backend}); remove it or change the backend")
        n_est = window_length(self.estimation_window)
        if self.min_estimation_obs is not None and self.min_estimation_obs > n_est:
            raise ValueError(f"min_estimation_obs: {self.min_estimation_obs} exceeds the "
                             f"estimation window length {n_est}")
        if isinstance(self.events, list):
            if not self.events:
                raise ValueError("events: events is empty: give at least one event")
            ids = [e.id for e in self.events]
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"events: event ids must be unique; repeated: {dup}")
            if not self.groups and self.universe is None and any(
                e.tickers is None for e in self.events
            ):
                raise ValueError("groups: no securities: give groups, universe or tickers "
                                 "per event")
        if isinstance(self.market, MarketMap):
            unknown = sorted(set(self.market.by_group) - set(self.groups))
            if unknown:
                raise ValueError(f"market: by_group names no group of the study: {unknown} "
                                 f"(groups: {sorted(self.groups)})")
        unlabelled = sorted(set(self.group_labels) - set(self.groups))
        if unlabelled:
            raise ValueError(f"group_labels: {unlabelled} name no group of the study (groups: "
                             f"{sorted(self.groups)})")
        if self.universe is not None and self.universe in self.groups:
            raise ValueError(f"groups: group {self.universe!r} has the name of the universe "
                             f"(universe: {self.universe}), which is its own group of all its "
                             "members; rename the group")
        if isinstance(self.market, BenchmarkSpec):
            unknown = [g for g in self.market.exclude if g not in self.groups]
            if unknown:
                raise ValueError(f"market: exclude names no group: {unknown} (groups: "
                                 f"{sorted(self.groups)})")
            if self.universe is None:
                raise ValueError("market: a benchmark built from the securities needs a universe "
                                 "to build it from (universe: sp500); built from the study's own "
                                 "securities, their abnormal returns would average to zero")
        if self.market_values == "sp500" and self.universe != "sp500":
            raise ValueError("market_values: sp500 weighs the S&P 500 members, so it needs "
                             "universe: sp500 (or give a file of share counts for your universe)")
        if self.model in _FACTOR_MODELS and not self.factors:
            # named by the key the user wrote (model), not by the factors: key they did not
            label, columns, files = _FACTOR_MODELS[self.model]
            raise ValueError(f"model: {self.model!r} ({label}) needs Ken French's daily factors "
                             f"({columns}) and the study gives no factors: file; add factors: "
                             f"[{files}] (French's daily CSV files as published, paths relative "
                             "to the study file), or choose a model without factors (market)")
        if self.claims:
            try:
                check_claims(
                    self.claims, groups=[*self.groups, *filter(None, [self.universe])],
                    event_ids=([e.id for e in self.events] if isinstance(self.events, list)
                               else None),
                    event_windows=self.event_windows,
                )
            except ConfigError as exc:
                raise ValueError(f"claims: {exc}") from None
        return self

    @property
    def market_symbols(self) -> list[str]:
        """Every published index the study names as a benchmark (none for a built benchmark)."""
        from eventstudy.data.symbols import normalize_ticker

        if isinstance(self.market, MarketMap):
            return self.market.symbols()
        if isinstance(self.market, BenchmarkSpec):
            return []
        return [normalize_ticker(self.market)]

    @property
    def events_path(self) -> Path | None:
        """The events CSV, resolved against the config file's folder (None for inline events)."""
        if isinstance(self.events, list):
            return None
        return self.resolve_path(Path(self.events))  # ~ expanded, like data.path

    @overload
    def resolve_path(self, path: Path) -> Path: ...
    @overload
    def resolve_path(self, path: None) -> None: ...
    def resolve_path(self, path: Path | None) -> Path | None:
        """Resolve a path key (``data.path``, ``data.cache_dir``) against the config's folder."""
        if path is None:
            return None
        path = Path(path).expanduser()
        return path if path.is_absolute() or self.base_dir is None else self.base_dir / path

    def to_yaml(self) -> str:
        """Return the configuration as YAML with every default filled in.

        As written to ``config.resolved.yaml``.
        """
        data = self.model_dump(mode="json", exclude={"base_dir"})
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """Return the model that holds the last key of ``loc``.

    Walks lists, unions and nested models.
    """

    def models_in(ann: Any) -> list[type[BaseModel]]:
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return [ann]
        return [m for arg in get_args(ann) for m in models_in(arg)]

    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        found = models_in(field.annotation) if field is not None else []
        if found:
            model = found[0]
    return model


def _hint(loc: tuple[Any, ...]) -> str:
    """Return ' (did you mean X?)' for a misspelt key, from the keys its model allows."""
    fields = list(_model_at(StudyConfig, loc).model_fields)
    match = difflib.get_close_matches(str(loc[-1]), [f for f in fields if f != "base_dir"], n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _user_loc(raw: Any, loc: tuple[Any, ...], kind: str) -> tuple[Any, ...]:
    """Drop pydantic's union tags from an error location, keeping the keys the user wrote."""
    out: list[Any] = []
    node = raw
    for i, part in enumerate(loc):
        last = i == len(loc) - 1 and kind in ("missing", "extra_forbidden")
        if isinstance(node, dict) and (part in node or last):
            out.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
    return tuple(out)


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Return the 1-based line of the deepest YAML node on the path ``loc`` (keys and indices)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    line, node = key_node.start_mark.line + 1, value_node
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _short(value: Any, limit: int = 60) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_errors(exc: ValidationError, source: str, raw: Any = None,
                   node: yaml.Node | None = None) -> str:
    """One line per problem.

    File, line, key, what is wrong and, for a misspelt key, a close match.
    """
    lines = []
    flat = raw.get("event_windows") if isinstance(raw, dict) else None
    flat_window = (isinstance(flat, list) and len(flat) == 2
                   and all(isinstance(v, int) for v in flat))
    if flat_window:  # event_windows: [0, 5] -- one window written without its outer list
        lines.append(f"{source}: line {_line_of(node, ('event_windows',))}: key 'event_windows': "
                     f"a list of [start, end] windows, e.g. [{flat}] (got {flat})")
    for err in exc.errors():
        loc = tuple(err["loc"])
        if flat_window and loc[:1] == ("event_windows",):
            continue
        loc = _user_loc(raw, loc, err["type"]) if raw is not None else loc
        msg = err["msg"].removeprefix("Value error, ")
        if not loc:  # a model-level check: its message starts with the key at fault
            head, _, rest = msg.partition(": ")
            if head in StudyConfig.model_fields:
                loc, msg = (head,), rest
        line = _line_of(node, loc)
        where = f"{source}: line {line}" if line is not None else source
        key = ".".join(str(p) for p in loc)
        if err["type"] == "union_tag_not_found":  # a mapping without its kind key ('test: ...')
            kind = str(err.get("ctx", {}).get("discriminator", "")).strip("'")
            given = [str(k) for k in err["input"]] if isinstance(err["input"], dict) else []
            close = difflib.get_close_matches(kind, given, n=1)
            lines.append(f"{where}: key '{key}': missing '{kind}'"
                         + (f" ({close[0]!r} misspelt?)" if close else ""))
        elif err["type"] == "union_tag_invalid":
            ctx = err.get("ctx", {})
            tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
            close = difflib.get_close_matches(str(ctx.get("tag")), tags, n=1)
            lines.append(f"{where}: key '{key}': {ctx.get('discriminator', '')} "
                         f"{ctx.get('tag')!r} is not one of {tags}"
                         + (f" (did you mean {close[0]!r}?)" if close else ""))
        elif err["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key '{key}'{_hint(loc)}")
        elif err["type"] == "missing":
            lines.append(f"{where}: missing required key '{key}'")
        elif err["type"] in ("model_type", "model_attributes_type", "dict_type") and not key:
            lines.append(f"{where}: {msg} (got {_short(err.get('input'))})")
        elif not err["loc"]:
            lines.append(f"{where}: key '{key}': {msg}" if key else f"{where}: {msg}")
        else:
            lines.append(f"{where}: key '{key}': {msg} (got {_short(err.get('input'))})")
    return "\n".join(lines)


def load_config(path: str | Path) -> StudyConfig:
    """Read and validate a study YAML file.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file. Relative paths inside it (an events CSV) are resolved against its folder.

    Returns
    -------
    StudyConfig

    Raises
    ------
    ConfigError
        When the file is missing or unreadable, is not valid YAML, or a key is unknown, missing or
        has a bad value; the message names the file and key.
    """
    p = Path(path)
    try:
        text = read_text_limited(p, _MAX_CONFIG_BYTES, what="a study config (put events in a CSV)")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such config file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not a UTF-8 text file (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config ({exc.strerror or exc})") from None
    raw, node = _load_yaml_nodes(text, str(p))
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: a study config is a YAML mapping of keys (study, events, ...)")
    if "base_dir" in raw:
        raise ConfigError(f"{p}: line {_line_of(node, ('base_dir',))}: unknown key 'base_dir'")
    try:
        return StudyConfig.model_validate({**raw, "base_dir": p.resolve().parent})
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, str(p), raw, node)) from None
    except ConfigError as exc:
        raise ConfigError(f"{p}: {exc}") from None
