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
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eventstudy._typing import Window
from eventstudy.exceptions import ConfigError

__all__ = ["StudyConfig", "EventSpec", "DataSpec", "load_config", "safe_load_yaml"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class _StrictYAMLLoader(yaml.SafeLoader):
    """A safe loader with YAML 1.2 booleans: only true/false, so tickers ON, NO, YES stay strings."""


_StrictYAMLLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictYAMLLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def safe_load_yaml(text: str, *, source: str = "<string>") -> Any:
    """Parse YAML without constructing objects and with YAML 1.2 booleans.

    Raises
    ------
    ConfigError
        On a syntax error, naming ``source`` and the line.
    """
    try:
        return yaml.load(text, Loader=_StrictYAMLLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source}:{where}: invalid YAML: {problem}") from None


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Ticker = Annotated[str, Field(min_length=1, max_length=32)]


class EventSpec(_Frozen):
    """One event: an id, a date and optionally the tickers it concerns (default: all of the study)."""

    id: str
    date: dt.date
    label: str = ""
    tickers: list[Ticker] | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("use letters, digits, '_', '-' or '.' (at most 64)")
        return v


class DataSpec(_Frozen):
    """Where prices come from and how returns are computed."""

    source: Literal["auto", "bundled", "yfinance"] = "auto"
    returns: Literal["simple", "log"] = "simple"
    calendar: str = "XNYS"
    non_trading_day: Literal["next", "previous", "error"] = "next"


class StudyConfig(_Frozen):
    """A validated study configuration (keys as in the YAML file and the ``EventStudy`` call)."""

    study: str
    title: str = ""
    description: str = ""
    data: DataSpec = DataSpec()
    market: Ticker = "^GSPC"
    events: list[EventSpec] | Path
    groups: dict[str, list[Ticker]] = Field(default_factory=dict)
    universe: Literal["sp500"] | None = None
    estimation_window: Window = (-250, -11)
    event_windows: list[Window] = Field(default_factory=lambda: [(0, 0), (-1, 1)])
    gap: int = Field(0, ge=0)
    model: Literal["market", "market_adjusted", "constant_mean"] = "market"
    min_estimation_obs: int | None = Field(None, ge=2)
    base_dir: Path | None = Field(None, exclude=True)

    @field_validator("study")
    @classmethod
    def _study(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("use letters, digits, '_', '-' or '.' (at most 64), e.g. deepseek_2025")
        return v

    @field_validator("groups")
    @classmethod
    def _groups(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, members in v.items():
            if not _ID.match(str(name)):
                raise ValueError(f"group name {name!r}: use letters, digits, '_', '-' or '.'")
            if not members:
                raise ValueError(f"group {name!r} is empty")
        return v

    @model_validator(mode="after")
    def _check(self) -> StudyConfig:
        from eventstudy.windows import check_windows

        check_windows(self.estimation_window, self.event_windows, gap=self.gap)
        if isinstance(self.events, list):
            if not self.events:
                raise ValueError("events is empty: give at least one event")
            ids = [e.id for e in self.events]
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"event ids must be unique; repeated: {dup}")
            if not self.groups and self.universe is None and any(
                e.tickers is None for e in self.events
            ):
                raise ValueError("no securities: give groups, universe or tickers per event")
        return self

    @property
    def events_path(self) -> Path | None:
        """The events CSV, resolved against the config file's folder (None for inline events)."""
        if isinstance(self.events, list):
            return None
        path = Path(self.events)
        return path if path.is_absolute() or self.base_dir is None else self.base_dir / path

    def to_yaml(self) -> str:
        """Return the configuration as YAML with every default filled in (``config.resolved.yaml``)."""
        data = self.model_dump(mode="json", exclude={"base_dir"})
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _hint(loc: tuple[Any, ...], model: type[BaseModel]) -> str:
    """Return ' (did you mean X?)' for a misspelt key, walking nested models."""
    fields: dict[str, Any] = dict(model.model_fields)
    for part in loc[:-1]:
        ann = fields.get(str(part))
        sub = getattr(ann, "annotation", None) if ann is not None else None
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            fields = dict(sub.model_fields)
    match = difflib.get_close_matches(str(loc[-1]), list(fields), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _format_errors(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key '{key}'{_hint(loc, StudyConfig)}")
        elif err["type"] == "missing":
            lines.append(f"{source}: missing required key '{key}'")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{source}: key '{key}': {msg} (got {err.get('input')!r})")
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
        When the file is missing or unreadable, is not valid YAML, or a key is unknown, missing or has
        a bad value; the message names the file and key.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read config ({exc})") from None
    raw = safe_load_yaml(text, source=str(p))
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: a study config is a YAML mapping of keys (study, events, ...)")
    try:
        return StudyConfig.model_validate({**raw, "base_dir": p.resolve().parent})
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, str(p))) from None
    except ConfigError as exc:
        raise ConfigError(f"{p}: {exc}") from None
