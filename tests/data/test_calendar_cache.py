"""The on-disk calendar cache: the same sessions as a fresh build, no exchange_calendars when warm.

Every test runs in the empty cache folder tests/conftest.py gives it (``$EVENTSTUDY_CACHE_DIR``) and
calls the uncached loader (``calendar._load``), so the in-process memo never hides the file.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import calendar as cal
from eventstudy.data.cache import cache_dir
from eventstudy.exceptions import ConfigError

ROOT = Path(__file__).resolve().parents[2]
CASES = [("XNYS", cal.DEFAULT_START), ("XLON", cal.DEFAULT_START),
         ("XNYS", pd.Timestamp("1980-01-01"))]  # the last: a study before 1990 (case C16)


@pytest.fixture(autouse=True)
def _fresh_memo():
    """Forget the names read in other tests (each test has its own cache folder)."""
    cal._catalogue.cache_clear()
    yield
    cal._catalogue.cache_clear()


def _files() -> list[Path]:
    return sorted((cache_dir() / "calendars").glob("*.npz"))


def _no_build(*args):
    raise AssertionError("built although the cache file holds this calendar")


def _assert_same(a: cal.Sessions, b: cal.Sessions) -> None:
    for field in ("session_nanos", "open_nanos", "close_nanos"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    assert (a.name, a.tz, a.weekmask) == (b.name, b.tz, b.weekmask)
    pd.testing.assert_index_equal(a.sessions, b.sessions, exact=True)
    assert a.sessions.freq == b.sessions.freq
    pd.testing.assert_index_equal(a.closes, b.closes, exact=True)


@pytest.mark.parametrize(("name", "start"), CASES)
def test_cached_calendar_equals_a_fresh_build_and_exchange_calendars(name, start, monkeypatch):
    """Built, stored and read back: the same sessions, opens, closes and frequency."""
    import exchange_calendars as xcals

    fresh = cal._from_exchange_calendars(name, start)
    assert _files() == []
    first = cal._load(name, start)  # built and stored
    assert len(_files()) == 1
    monkeypatch.setattr(cal, "_from_exchange_calendars", _no_build)
    cached = cal._load(name, start)  # read back
    _assert_same(fresh, first)
    _assert_same(fresh, cached)
    # and what the package read from exchange_calendars before the cache
    x = xcals.get_calendar(name, start=start)
    # (values and dtype: the frequency is an equivalent custom business day, see below)
    assert cached.sessions.equals(x.sessions) and cached.sessions.dtype == x.sessions.dtype
    closes = pd.DatetimeIndex(x.closes)
    assert cached.closes.equals(closes) and cached.closes.dtype == closes.dtype
    assert cached.first_session == x.first_session and cached.last_session == x.last_session
    assert cached.tz == str(x.tz)
    day = x.sessions[len(x.sessions) // 2]
    assert cached.session_open(day) == x.session_open(day)
    assert cached.session_close(day) == x.session_close(day)
    # the frequency steps over holidays as exchange_calendars' does (XNYS 2025-01-09: Carter's
    # funeral; Christmas, New Year)
    a, b = pd.Timestamp("2024-12-01"), pd.Timestamp("2025-02-01")
    assert cached.sessions_in_range(a, b).freqstr == "C"
    assert cached.sessions_in_range(a, b).shift(1).equals(x.sessions_in_range(a, b).shift(1))


def test_first_rules_and_names_from_the_cache_equal_exchange_calendars(monkeypatch):
    """The names and first rules read without exchange_calendars equal its own."""
    import exchange_calendars as xcals

    built = cal._catalogue()  # from exchange_calendars, stored
    assert (cache_dir() / "calendars" / f"names.xcals-{cal._xcals_version()}.json").is_file()
    cal._catalogue.cache_clear()
    monkeypatch.setitem(sys.modules, "exchange_calendars", None)  # an import would fail
    read = cal._catalogue()
    monkeypatch.undo()
    assert read == built
    utils = xcals.calendar_utils
    assert set(read[0]) == {*utils._default_calendar_factories, *utils._default_calendar_aliases}
    for name in ("XNYS", "XLON", "XBOM", "XSHG", "XTKS", "BSE"):
        b = utils._default_calendar_factories[xcals.resolve_alias(name)].bound_min()
        assert read[1][name] == (None if b is None else pd.Timestamp(b).tz_localize(None))
    assert read[1]["XBOM"] == pd.Timestamp("1997-01-01") and read[1]["XNYS"] is None


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "unsorted", "other key"])
def test_damaged_calendar_file_is_rebuilt_with_the_same_answer(damage):
    """A file that cannot be trusted is not read; the calendar is rebuilt and the file rewritten."""
    fresh = cal._load("XNYS", cal.DEFAULT_START)
    (path,) = _files()
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a readable file whose content must not be trusted
        with np.load(path) as f:
            arrays = {k: f[k] for k in f.files}
        if damage == "unsorted":
            arrays["sessions"] = arrays["sessions"][::-1].copy()
        else:
            arrays["meta"] = np.array(json.dumps({**json.loads(str(arrays["meta"][()])),
                                                  "start": "1980-01-01T00:00:00"}))
        with path.open("wb") as fh:
            np.savez(fh, **arrays)
    key = cal._key("XNYS", cal.DEFAULT_START, cal._xcals_version(), cal._build_day())
    assert cal._read_sessions(path, "XNYS", key) is None  # not trusted
    again = cal._load("XNYS", cal.DEFAULT_START)
    _assert_same(fresh, again)
    got = cal._read_sessions(path, "XNYS", key)  # the file was rewritten
    assert got is not None
    _assert_same(fresh, got)
    names = f"names.xcals-{cal._xcals_version()}.json"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, names]  # no temporary file


def test_unwritable_cache_folder_still_gives_the_calendar(tmp_path, monkeypatch):
    """A cache folder that cannot be made costs the build, not the run."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # a cache folder that cannot be created (even for root, unlike chmod)
    monkeypatch.setenv("EVENTSTUDY_CACHE_DIR", str(blocker / "cache"))
    fresh = cal._from_exchange_calendars("XETR", cal.DEFAULT_START)
    got = cal._load("XETR", cal.DEFAULT_START)
    _assert_same(fresh, got)
    assert "XETR" in cal.calendar_names()
    assert blocker.read_text() == "not a folder"


def test_full_disk_leaves_no_partial_file_and_the_calendar_works(monkeypatch):
    """A write that fails (full disk) leaves no temporary file and the built calendar is used."""
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    fresh = cal._from_exchange_calendars("XNYS", cal.DEFAULT_START)
    monkeypatch.setattr(cal.os, "replace", full)
    got = cal._load("XNYS", cal.DEFAULT_START)
    _assert_same(fresh, got)
    folder = cache_dir() / "calendars"
    assert list(folder.iterdir()) == []  # temporary files removed, nothing half-written


def test_read_only_cache_folder_is_read_and_not_required_for_new_calendars(monkeypatch):
    """A read-only folder: its stored calendar is read, a new one is built without storing."""
    fresh = cal._load("XNYS", cal.DEFAULT_START)
    london = cal._from_exchange_calendars("XLON", cal.DEFAULT_START)
    folder = cache_dir() / "calendars"
    folder.chmod(0o555)  # (root writes anyway: the unwritable folder is tested above)
    try:
        _assert_same(london, cal._load("XLON", cal.DEFAULT_START))
        monkeypatch.setattr(cal, "_from_exchange_calendars", _no_build)
        _assert_same(fresh, cal._load("XNYS", cal.DEFAULT_START))
    finally:
        folder.chmod(0o755)


def _planted(name: str, start: pd.Timestamp) -> cal.Sessions:
    """Store the first ten sessions of ``name`` under today's key: recognisably not a build."""
    real = cal._from_exchange_calendars(name, start)
    fake = cal.Sessions(name=name, tz=real.tz, weekmask=real.weekmask,
                        session_nanos=real.session_nanos[:10], open_nanos=real.open_nanos[:10],
                        close_nanos=real.close_nanos[:10])
    release, day = cal._xcals_version(), cal._build_day()
    cal._write_sessions(cal._sessions_file(name, start, release, day), fake,
                        cal._key(name, start, release, day))
    return real


@pytest.mark.parametrize("change", ["exchange_calendars release", "build day"])
def test_file_of_another_release_or_day_is_not_reused(change, monkeypatch):
    """A planted file is read under its own key and ignored under another release or day."""
    real = _planted("XNYS", cal.DEFAULT_START)
    assert len(cal._load("XNYS", cal.DEFAULT_START).session_nanos) == 10  # today's key: reused
    if change == "build day":
        monkeypatch.setattr(cal, "_build_day", lambda: dt.date.today() + dt.timedelta(days=1))
    else:
        monkeypatch.setattr(cal, "_xcals_version", lambda: "0.0.1")
    _assert_same(real, cal._load("XNYS", cal.DEFAULT_START))


def test_files_of_earlier_days_are_removed_when_a_new_day_is_stored(monkeypatch):
    """Storing today's build removes the same calendar's earlier days, not other calendars'."""
    old_day = dt.date.today() - dt.timedelta(days=3)
    release = cal._xcals_version()
    ses = cal._from_exchange_calendars("XNYS", cal.DEFAULT_START)
    for day in (old_day, dt.date.today()):
        cal._write_sessions(cal._sessions_file("XNYS", cal.DEFAULT_START, release, day), ses,
                            cal._key("XNYS", cal.DEFAULT_START, release, day))
    other = cal._sessions_file("XLON", cal.DEFAULT_START, release, old_day)
    cal._write_sessions(other, ses, cal._key("XLON", cal.DEFAULT_START, release, old_day))
    assert [p.name for p in _files()] == [
        other.name, cal._sessions_file("XNYS", cal.DEFAULT_START, release, dt.date.today()).name]


def test_unknown_calendar_names_give_the_same_errors():
    """An unknown code raises the ConfigError it raised before the cache, suggestion included."""
    for name, hint in [("XNYZ", " (did you mean 'XNZE'?)"), ("nyse", " (did you mean 'NYSE'?)"),
                       ("QQQQ", " (e.g. XNYS, XETR, XLON)")]:
        with pytest.raises(ConfigError) as err:
            cal._load(name, cal.DEFAULT_START)
        assert str(err.value) == f"unknown exchange calendar {name!r}{hint}"
    assert _files() == []


# --- in a fresh interpreter: a warm cache spares exchange_calendars -----------------------------

_RUN = """\
import json, sys
from eventstudy.cli import app  # in this process: the exit code is returned
try:
    code = app(sys.argv[1:], prog_name="eventstudy", standalone_mode=False) or 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "xcals": sorted(
    m for m in sys.modules if m.split(".")[0] == "exchange_calendars")}))
"""


def _python(code: str, *args: str, cwd: Path) -> dict:
    env = {**os.environ, "EVENTSTUDY_CACHE_DIR": str(cache_dir())}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         cwd=cwd, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_run_with_a_warm_calendar_cache_does_not_import_exchange_calendars(tmp_path):
    """The global study: five exchanges' calendars, their trading hours, ``by_exchange`` names."""
    args = ("run", str(ROOT / "configs" / "deepseek_global.yaml"), "-o", str(tmp_path / "out"),
            "--offline", "--formats", "csv", "--no-figures")
    cold = _python(_RUN, *args, cwd=tmp_path)
    assert cold["exit"] == 0 and "exchange_calendars" in cold["xcals"]  # built: imported
    assert {p.name.split(".")[0] for p in _files()} == {"XNYS", "XTKS", "XETR", "XPAR", "XTAI"}
    before = (tmp_path / "out" / "deepseek_global" / "car.csv").read_bytes()
    warm = _python(_RUN, *args, cwd=tmp_path)
    assert warm == {"exit": 0, "xcals": []}
    assert (tmp_path / "out" / "deepseek_global" / "car.csv").read_bytes() == before


_CHECK_NAMES = """\
import json, sys
from eventstudy.config import load_config
from eventstudy.data.calendar import first_session, sessions
from eventstudy.exceptions import ConfigError
out = []
for i, (key, value) in enumerate([("data", "{calendar: XNYZ}"), ("data", "{calendar: qqqq}"),
                                  ("data", "{calendar: NYSE}"), ("exchanges", "{NVDA: XNYZ}"),
                                  ("exchanges", "{NVDA: QQQQ}"), ("exchanges", "{NVDA: XETR}")]):
    with open(f"c{i}.yaml", "w") as fh:
        fh.write(f"study: x\\n{key}: {value}\\nevents: [{{id: e, date: 2025-01-27}}]\\n"
                 "groups: {a: [NVDA]}\\n")
    try:
        load_config(f"c{i}.yaml")
        out.append("ok")
    except ConfigError as exc:
        out.append(str(exc))
for bad in ("XNYZ", "QQQQ"):
    for call in (lambda: sessions(bad, "2024-01-01", "2024-02-01"), lambda: first_session(bad)):
        try:
            call()
            out.append("ok")
        except ConfigError as exc:
            out.append(str(exc))
out.append(str(first_session("XBOM").date()))
print(json.dumps({"messages": out, "xcals": "exchange_calendars" in sys.modules}))
"""


def test_calendar_names_are_checked_from_the_cache_with_the_same_messages(tmp_path):
    """Config and calendar errors from the stored names equal those before the cache."""
    cal._catalogue()  # the names stored, as by an earlier run
    got = _python(_CHECK_NAMES, cwd=tmp_path)
    assert got["xcals"] is False
    assert got["messages"] == [
        "c0.yaml: line 2: key 'data.calendar': unknown exchange calendar 'XNYZ' (did you mean "
        "'XNZE'?) (got 'XNYZ')",
        "c1.yaml: line 2: key 'data.calendar': unknown exchange calendar 'qqqq' (e.g. XNYS, XLON, "
        "XETR) (got 'qqqq')",
        "ok",
        "c3.yaml: line 2: key 'exchanges.NVDA': unknown exchange 'XNYZ' (did you mean 'XNZE'?) "
        "(got 'XNYZ')",
        "c4.yaml: line 2: key 'exchanges.NVDA': unknown exchange 'QQQQ' (e.g. XNYS, XETR, XTKS) "
        "(got 'QQQQ')",
        "ok",
        *["unknown exchange calendar 'XNYZ' (did you mean 'XNZE'?)"] * 2,
        *["unknown exchange calendar 'QQQQ' (e.g. XNYS, XETR, XLON)"] * 2,
        "1997-01-01",
    ]
