"""Claim specifications: a statement in plain words and the tests that would support or refute it.

The same records serve the ``claims:`` key of a study YAML file and the ``claims=`` argument of
:class:`~eventstudy.EventStudy`. Every threshold that turns a number into a verdict is a field here,
with its default documented, so a report can always say why a verdict came out as it did::

    claims:
      - id: market_risk
        claim: The news is the biggest risk for the stock market
        by: A. Commentator             # optional: who made the claim
        date: 2025-01-27               # optional: when
        event: app_store               # optional when the study has one event
        tests:
          - {test: market_wide}
          - {test: breadth}
          - {test: concentration, groups: [ai_hardware], expect: not_concentrated}
          - {test: persistence, measure: market}
          - {test: comparison, dates: [2024-08-05, {date: 2025-04-04, label: tariffs}]}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from eventstudy._identifiers import Identifier
from eventstudy._typing import Window
from eventstudy.data.dates import not_in_future
from eventstudy.exceptions import ConfigError

__all__ = [
    "ClaimSpec",
    "ClaimTestSpec",
    "MarketWideTest",
    "BreadthTest",
    "ConcentrationTest",
    "PersistenceTest",
    "ComparisonTest",
    "ComparisonDate",
    "check_claims",
    "parse_claims",
]


Alpha = Annotated[float, Field(gt=0.0, lt=1.0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _WindowMixin(_Frozen):
    window: Window = (0, 0)

    @field_validator("window")
    @classmethod
    def _window(cls, v: Window) -> Window:
        if v[0] > v[1]:
            raise ValueError(f"window {list(v)} is reversed (start > end)")
        return v


class MarketWideTest(_WindowMixin):
    """The market's move against its own history.

    The day-0 (or ``window``) market return is scaled by the standard deviation of the market's
    daily returns over the study's estimation window (z) and ranked among all sessions of the
    ``lookback_years`` before day 0. Finding ``extreme`` when |z| >= ``z_threshold`` in the claim's
    direction *and* the move lies in the ``percentile`` tail of the lookback; ``ordinary`` when
    neither holds; otherwise unclear (inconclusive).
    """

    test: Literal["market_wide"] = "market_wide"
    expect: Literal["extreme", "ordinary"] = "extreme"
    z_threshold: float = Field(1.96, gt=0.0)
    percentile: Alpha = 0.05
    lookback_years: int = Field(2, ge=1, le=50)
    n_worst: int = Field(5, ge=0, le=50)


class BreadthTest(_Frozen):
    """How many members of a universe moved with the event on day 0.

    Finding ``broad`` when the share of members whose return moved in the claim's direction is at
    least ``min_share`` and the generalized sign test rejects at ``alpha``; ``narrow`` when fewer
    than half of the members moved that way; otherwise unclear.
    """

    test: Literal["breadth"] = "breadth"
    expect: Literal["broad", "narrow"] = "broad"
    universe: str | None = None
    min_share: float = Field(0.6, gt=0.5, le=1.0)
    alpha: Alpha = 0.05


class ConcentrationTest(_WindowMixin):
    """CAAR of an exposed group against the rest of the universe over ``window``.

    Finding ``concentrated`` when the exposed group's CARs lie beyond the rest's in the claim's
    direction and both the Welch t test and the Mann-Whitney test reject at ``alpha``;
    ``not_concentrated`` when neither rejects or the difference has the other sign; otherwise
    unclear.

    ``market_caps`` (optional; the bundled data have none): market capitalisations before the event,
    as a mapping ticker -> cap or a CSV file (columns ticker, market_cap; relative to the study
    file). With them the test also reports the exposed group's contribution to the cap-weighted move
    of the universe (a proxy of the index move).
    """

    test: Literal["concentration"] = "concentration"
    expect: Literal["concentrated", "not_concentrated"] = "concentrated"
    groups: list[str] = Field(min_length=1)
    universe: str | None = None
    alpha: Alpha = 0.05
    market_caps: dict[str, Annotated[float, Field(gt=0.0)]] | Path | None = None


class PersistenceTest(_Frozen):
    """Did the day-0 move last? [0,0] against [0,+k] for each k of ``horizons``.

    ``measure: caar`` uses the CAARs of ``groups`` (default: the universe); ``measure: market`` the
    market's cumulative return. The share reversed at horizon k is 1 - X[0,k] / X[0,0]. Finding
    ``reversed`` when the share reversed at the longest horizon is at least ``reversal_threshold``
    and X[+1,+k] is significantly (``alpha``) of the opposite sign; ``persistent`` when the share is
    below the threshold and X[+1,+k] is not significantly opposite; otherwise unclear.
    """

    test: Literal["persistence"] = "persistence"
    expect: Literal["persistent", "reversed"] = "persistent"
    measure: Literal["caar", "market"] = "caar"
    groups: list[str] | None = None
    universe: str | None = None
    horizons: list[Annotated[int, Field(ge=1)]] = Field(default_factory=lambda: [5, 20],
                                                         min_length=1)
    reversal_threshold: float = Field(0.5, gt=0.0)
    alpha: Alpha = 0.05

    @field_validator("horizons")
    @classmethod
    def _horizons(cls, v: list[int]) -> list[int]:
        return sorted(set(v))


class ComparisonDate(_Frozen):
    """A date to compare the event's market move with, and an optional label."""

    date: dt.date
    label: str = ""


class ComparisonTest(_Frozen):
    """The event's day-0 market move ranked against the market's move on other named dates.

    Finding ``largest`` when the event ranks within the first ``max_rank`` moves in the claim's
    direction (1 = the largest fall for a ``down`` claim); ``not_largest`` otherwise.
    """

    test: Literal["comparison"] = "comparison"
    expect: Literal["largest", "not_largest"] = "largest"
    dates: list[ComparisonDate] = Field(min_length=1)
    max_rank: int = Field(1, ge=1)
    include_after: bool = False
    """Count named dates after the claim's date in the rank (hindsight); default: listed, marked
    'after the claim', not counted."""
    lookback_years: float = Field(2.0, gt=0)
    """Also rank day 0 among every session of this many years before it (no hindsight)."""

    @field_validator("dates", mode="before")
    @classmethod
    def _dates(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [d if isinstance(d, dict | ComparisonDate) else {"date": d} for d in v]
        return v


ClaimTestSpec = Annotated[
    MarketWideTest | BreadthTest | ConcentrationTest | PersistenceTest | ComparisonTest,
    Field(discriminator="test"),
]


class ClaimSpec(_Frozen):
    """A claim about an event and the tests that check it.

    Attributes
    ----------
    id : str
        Short id (letters, digits, '_', '-', '.'), the ``claim_id`` of ``claims.csv``.
    claim : str
        The statement in plain words.
    by, date : optional
        Who made the claim and when.
    event : str, optional
        The event id the claim is about; may be left out when the study has one event.
    direction : {'down', 'up'}, default 'down'
        The direction of the move the claim is about (a sell-off is ``down``).
    rule : {'all', 'majority'}, default 'all'
        How test verdicts combine. ``all``: supported when every test is supported, not supported
        when any test is not supported, inconclusive otherwise. ``majority``: supported (not
        supported) when more than half of the tests are supported (not supported), else
        inconclusive.
    tests : list
        One or more of ``market_wide``, ``breadth``, ``concentration``, ``persistence``,
        ``comparison``.
    """

    id: Identifier
    claim: str = Field(min_length=1)
    by: str = ""
    date: dt.date | None = None
    event: str | None = None
    direction: Literal["down", "up"] = "down"
    rule: Literal["all", "majority"] = "all"
    tests: list[ClaimTestSpec] = Field(min_length=1)

    @field_validator("date")
    @classmethod
    def _not_future(cls, v: dt.date | None) -> dt.date | None:
        return not_in_future(v, "a claim is dated when it was made")

    @model_validator(mode="after")
    def _dates_differ(self) -> ClaimSpec:
        for t in self.tests:
            if isinstance(t, ComparisonTest):
                days = [d.date for d in t.dates]
                if len(set(days)) != len(days):
                    raise ValueError(f"claim {self.id}: comparison dates repeat")
        return self


def _windows_needed(test: Any) -> list[Window]:
    """Event-time windows whose CARs a test reads from the study's results."""
    if isinstance(test, ConcentrationTest):
        return [test.window]
    if isinstance(test, PersistenceTest) and test.measure == "caar":
        return [(0, max(test.horizons))]
    return []


def check_claims(
    claims: Sequence[ClaimSpec],
    *,
    groups: Iterable[str],
    event_ids: Iterable[str] | None,
    event_windows: Sequence[Window],
) -> None:
    """Check claims against the study they belong to.

    Parameters
    ----------
    claims : sequence of ClaimSpec
    groups : iterable of str
        Group names of the study (the universe included, e.g. ``sp500``).
    event_ids : iterable of str, optional
        Event ids of the study; None when not known yet (events in a CSV file).
    event_windows : sequence of tuple of int
        The study's event windows; CARs a claim test reads must lie inside their span.

    Raises
    ------
    ConfigError
        On repeated claim ids, an unknown group or event, an ambiguous event, or a window outside
        the event windows; the message names the claim and test (``claims[0].tests[2]``).
    """
    from eventstudy.windows import span

    names = set(groups)
    ids = [c.id for c in claims]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ConfigError(f"claims: ids must be unique; repeated: {dup}")
    lo, hi = span(event_windows)
    events = list(dict.fromkeys(event_ids)) if event_ids is not None else None
    for i, c in enumerate(claims):
        where = f"claims[{i}] ({c.id})"
        if events is not None:
            if c.event is None and len(events) > 1:
                raise ConfigError(f"{where}: the study has {len(events)} events; set event: to one "
                                  f"of {events[:10]}")
            if c.event is not None and c.event not in events:
                raise ConfigError(f"{where}: unknown event {c.event!r}; events: {events[:10]}")
        for j, t in enumerate(c.tests):
            at = f"{where}.tests[{j}] ({t.test})"
            referenced = [*(getattr(t, "groups", None) or []),
                          *filter(None, [getattr(t, "universe", None)])]
            unknown = [g for g in referenced if g not in names]
            if unknown:
                raise ConfigError(f"{at}: unknown group(s) {unknown}; groups: {sorted(names)}")
            for w in _windows_needed(t):
                if w[0] < lo or w[1] > hi:
                    raise ConfigError(f"{at}: needs CARs over {list(w)}, outside the event windows "
                                      f"[{lo}, {hi}]; add it to event_windows")


def parse_claims(claims: Sequence[ClaimSpec | Mapping[str, Any]] | None) -> list[ClaimSpec]:
    """Validate claims given as ``ClaimSpec`` records or plain dicts (the API's ``claims=``).

    Raises
    ------
    ConfigError
        When a claim has an unknown key or a bad value; the message names the claim and key.
    """
    from pydantic import ValidationError

    out: list[ClaimSpec] = []
    for i, c in enumerate(claims or []):
        if isinstance(c, ClaimSpec):
            out.append(c)
            continue
        try:
            out.append(ClaimSpec.model_validate(c))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            raise ConfigError(f"claims[{i}]: key '{key}': {err['msg']}") from None
    return out
