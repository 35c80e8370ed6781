"""Where the caches live: ``$EVENTSTUDY_CACHE_DIR``, a study's ``data.cache_dir``, the user cache.

Its own module so that both caches can use it: the price cache (:mod:`eventstudy.data.cache`,
which reads the calendars to tell closed sessions) and the calendar cache
(:mod:`eventstudy.data.calendar`), without an import cycle between them.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "ENV_VAR"]

ENV_VAR = "EVENTSTUDY_CACHE_DIR"


def cache_dir(configured: str | Path | None = None) -> Path:
    """Return the cache folder: ``$EVENTSTUDY_CACHE_DIR``, else ``configured``, else the user cache.

    Parameters
    ----------
    configured : str or pathlib.Path, optional
        ``data.cache_dir`` of a study (already resolved against the config's folder).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    if configured is not None:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("eventstudy", appauthor=False))
