"""``manifest.json``: what produced a report, so a run can be reproduced and two runs compared.

Package versions, a SHA-256 of the input data, the resolved config, timings and a SHA-256 of every
output file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = ["build_manifest", "data_hash", "file_hash", "PACKAGES"]

PACKAGES = ("market-eventstudy", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pyarrow",
            "exchange_calendars", "pydantic", "PyYAML", "yfinance", "openpyxl", "tabulate")


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def data_hash(frame: pd.DataFrame) -> str:
    """Return the SHA-256 (hex) of a frame's values, index and column names.

    Equal frames give equal hashes across runs and machines (``pandas.util.hash_pandas_object`` is
    deterministic); a changed price, date or ticker changes the hash.
    """
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, frame.columns)).encode())
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return h.hexdigest()


def file_hash(path: Path) -> str:
    """Return the SHA-256 (hex) of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _input_data(res: EventStudyResults) -> dict[str, Any]:
    md = res.provenance
    prices = md.prices
    if isinstance(prices, pd.DataFrame):
        what, frame = "price levels (sessions x tickers, market included)", prices
    else:
        frame = pd.concat({"returns": res.returns, "market": res.market}, axis=1)
        what = "returns and paired market returns (sessions x securities)"
    sources = md.sources
    return {
        "what": what,
        "sha256": data_hash(frame),
        "shape": list(frame.shape),
        "first_date": str(pd.Timestamp(frame.index[0]).date()) if len(frame) else None,
        "last_date": str(pd.Timestamp(frame.index[-1]).date()) if len(frame) else None,
        "source": md.source,
        "vintage": md.vintage,
        "adjusted": md.adjusted,
        "series_by_source": (pd.Series(sources).value_counts().to_dict()
                             if sources else None),
        # the security-events as given (from the config or an events CSV), before anchoring
        "events": {"n": int(len(res.spec.events)),
                   "sha256": data_hash(res.spec.events.astype(str).reset_index(drop=True))},
    }


def build_manifest(res: EventStudyResults, *, config_yaml: str, folder: Path,
                   timings: dict[str, float]) -> dict[str, Any]:
    """Return the manifest of a report folder.

    Parameters
    ----------
    res : EventStudyResults
    config_yaml : str
        The resolved config (every default filled in), as written to config.resolved.yaml.
    folder : pathlib.Path
        The folder holding the outputs written so far; each file gets its SHA-256.
    timings : dict of str to float
        Seconds per report stage.

    Returns
    -------
    dict
        Keys: study, title, created_utc, argv, platform, versions, input_data, config (YAML text),
        results (security-events fitted and skipped), timings_s, outputs (path -> SHA-256).
    """
    outputs = {p.relative_to(folder).as_posix(): file_hash(p)
               for p in sorted(folder.rglob("*")) if p.is_file()}
    md = res.provenance
    return {
        "study": md.study,
        "title": md.title,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "argv": list(sys.argv),
        "platform": platform.platform(),
        "versions": _versions(),
        "input_data": _input_data(res),
        "config": config_yaml,
        "results": {"security_events": int(len(res.events)), "skipped": int(len(res.dropped)),
                    "groups": list(res.groups)},
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "outputs": outputs,
    }
