"""A new user's mistakes in a study YAML: each ends in one ConfigError naming file, line and key.

Every case here was found by attacking ``eventstudy validate`` with a broken copy of a config; before
the fix some gave a traceback (an impossible date), a silently different config (a key given twice,
YAML 1.1 octal tickers) or a message without a line or with pydantic's internal union tags.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from eventstudy.config import load_config, safe_load_yaml
from eventstudy.exceptions import ConfigError

BASE = "study: x\nevents: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA, AMD]}\n"


def _load(tmp_path, text: str, name: str = "c.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_config(p)


def _error(tmp_path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # wrong type: file, line, key and the value
        (BASE + "estimation_window: [-250, x]\n",
         "c.yaml: line 4: key 'estimation_window.1': Input should be a valid integer"),
        # misspelt key inside a nested mapping: the hint comes from that mapping's keys
        ("study: x\ndata:\n  sorce: bundled\nevents: [{id: e, date: 2025-01-27}]\n"
         "groups: {a: [NVDA]}\n",
         "c.yaml: line 3: unknown key 'data.sorce' (did you mean 'source'?)"),
        ("study: x\nevents:\n  - {id: e, dat: 2025-01-27}\ngroups: {a: [NVDA]}\n",
         "c.yaml: line 3: unknown key 'events.0.dat' (did you mean 'date'?)"),
        ("study: x\ngroups: {a: [NVDA]}\n", "c.yaml: line 1: missing required key 'events'"),
        # an impossible date used to escape as a bare ValueError traceback from PyYAML
        ("study: x\nevents:\n  - id: e\n    date: 2025-02-30\ngroups: {a: [NVDA]}\n",
         "c.yaml: line 4: key 'events.0.date': Input should be a valid date"),
        ("study: x\nevents:\n  - id: e\n    date: 2099-02-03\ngroups: {a: [NVDA]}\n",
         "c.yaml: line 4: key 'events.0.date': 2099-02-03 is in the future"),
        ("study: x\nevents: [{id: e, date: 2025-01-27}]\ngroups:\n  a: [NVDA, 'NV DA']\n",
         "c.yaml: line 4: key 'groups.a.1': ticker 'NV DA' is not a valid Yahoo symbol"),
        ("study: x\ndata: {calendar: XNYZ}\nevents: [{id: e, date: 2025-01-27}]\n"
         "groups: {a: [NVDA]}\n",
         "c.yaml: line 2: key 'data.calendar': unknown exchange calendar 'XNYZ'"),
        (BASE + "min_estimation_obs: 100000\n",
         "c.yaml: line 4: key 'min_estimation_obs': 100000 exceeds the estimation window length 240"),
        # a key given twice: YAML keeps the last one silently, we refuse
        (BASE + "study: y\n", "c.yaml: line 4: invalid YAML: key 'study' is given twice"),
        # a mapping where a list belongs: no pydantic union tag ('events.list') in the key
        ("study: x\nevents: {id: e, date: 2025-01-27}\ngroups: {a: [NVDA]}\n",
         "c.yaml: line 2: key 'events': Input should be a valid list"),
        ("study: x\nevents: []\ngroups: {a: [NVDA]}\n", "c.yaml: line 2: key 'events': events is empty"),
        (BASE + "event_windows: [[5, 0]]\n", "c.yaml: line 4: key 'event_windows': event window [5, 0] is reversed"),
        ("study: ../../etc\nevents: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA]}\n",
         "c.yaml: line 1: key 'study': use letters, digits"),
        (BASE + "base_dir: /etc\n", "c.yaml: line 4: unknown key 'base_dir'"),
        ("- study\n- x\n", "c.yaml: a study config is a YAML mapping"),
        ("", "c.yaml: a study config is a YAML mapping"),
        ("study: x\n\tevents: 1\n", "c.yaml: line 2: invalid YAML"),
    ],
)
def test_config_mistake_names_file_line_key(tmp_path, text, expected):
    assert expected in _error(tmp_path, text)


def test_model_level_error_does_not_dump_the_whole_config(tmp_path):
    msg = _error(tmp_path, BASE + "gap: 99999999999999999999999999\n")
    assert "key 'estimation_window': estimation window must end before the event window" in msg
    assert "base_dir" not in msg and "got {" not in msg
    assert msg.count("\n") == 0


def test_yaml_11_traps_numbers_stay_text():
    data = safe_load_yaml("groups: {hk: [0700, 0005]}\nid: 0123\nt: 1:30\nw: [-250, -11]\nx: 1.5\n")
    assert data["groups"]["hk"] == ["0700", "0005"]  # YAML 1.1 read these as octal 448 and 5
    assert data["id"] == "0123" and data["t"] == "1:30"  # not 83, not 90 (base 60)
    assert data["w"] == [-250, -11] and data["x"] == 1.5


def test_numeric_ids_and_tickers_become_strings(tmp_path):
    cfg = _load(tmp_path, "study: 2025\nevents: [{id: 1, date: 2025-01-27}]\n"
                          "groups: {a: [0700.HK, 5]}\n")
    assert cfg.study == "2025" and cfg.events[0].id == "1"
    assert cfg.groups["a"] == ["0700.HK", "5"]


@pytest.mark.parametrize("doc", [
    "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
    "a: &a [*a]\n",
    "[" * 5000 + "]" * 5000,
])
def test_alias_bombs_and_deep_nesting_fail_fast(doc):
    # CPU time, not wall time: a blow-up shows in either, but the deep nesting takes ~1-4 s of wall
    # time when other processes load the machine (CI runs two suites at once on 2 cores)
    t0 = time.process_time()
    with pytest.raises(ConfigError, match="YAML"):
        safe_load_yaml(doc)
    assert time.process_time() - t0 < 5


def test_bom_is_accepted_and_binary_is_refused(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load_config(p).study == "x"
    p.write_bytes(b"\xff\xfe\x00junk\x80")
    with pytest.raises(ConfigError, match="bom.yaml: not a UTF-8 text file"):
        load_config(p)
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path)  # a folder


def test_events_csv_is_relative_to_the_config_not_the_cwd(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ev.csv").write_text("event_id,ticker,date\ne1,NVDA,2025-01-27\n")
    cfg = _load(tmp_path / "sub", "study: x\nevents: ev.csv\ngroups: {a: [NVDA]}\n")
    monkeypatch.chdir(tmp_path)
    assert cfg.events_path == tmp_path / "sub" / "ev.csv"
    assert cfg.events_path.is_file()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_device_as_config_or_events_fails_at_once(tmp_path):
    """`eventstudy validate /dev/zero` used to hang (read_text never returns) and fill the memory."""
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="/dev/zero: cannot read config .*too large"):
        load_config("/dev/zero")
    cfg = _load(tmp_path, "study: x\nevents: /dev/zero\ngroups: {a: [NVDA]}\n")
    from eventstudy.inputs import read_events_csv

    with pytest.raises(ConfigError, match="/dev/zero: cannot read events CSV .*too large"):
        read_events_csv(cfg.events_path)
    assert time.perf_counter() - t0 < 10


def test_config_through_a_pipe_is_read(tmp_path):
    """A bounded read still accepts pipes (``eventstudy validate <(generate_config)``)."""
    import os
    import threading

    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(BASE))
    writer.start()
    assert load_config(fifo).study == "x"
    writer.join(5)


def test_unquoted_dates_where_text_belongs_stay_text(tmp_path):
    """YAML 1.1 turns 2025-01-27 into a date object: an id, study or label like that was refused."""
    cfg = _load(tmp_path, "study: 2025-01-27\ntitle: 2025-01-27\n"
                          "events: [{id: 2025-01-27, date: 2025-01-27, label: 2025-01-27}]\n"
                          "groups: {a: [NVDA]}\n")
    assert cfg.study == cfg.title == cfg.events[0].id == cfg.events[0].label == "2025-01-27"
    assert cfg.events[0].date == dt.date(2025, 1, 27)
    again = tmp_path / "again.yaml"
    again.write_text(cfg.to_yaml())
    assert load_config(again).events[0].date == dt.date(2025, 1, 27)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("{test: market_wide}", "{tset: market_wide}",
         "key 'claims.0.tests.0': missing 'test' ('tset' misspelt?)"),
        ("{test: market_wide}", "{test: markt_wide}",
         "'test' 'markt_wide' is not one of ['market_wide', 'breadth', 'concentration', "
         "'persistence', 'comparison'] (did you mean 'market_wide'?)"),
        ("claim: DeepSeek is the biggest", "clam: DeepSeek is the biggest",
         "unknown key 'claims.0.clam' (did you mean 'claim'?)"),
    ],
)
def test_claim_mistakes_in_the_main_config(tmp_path, repo, old, new, expected):
    """Pydantic said "Unable to extract tag using discriminator 'test'" for a misspelt test key."""
    text = (repo / "configs" / "deepseek_2025.yaml").read_text()
    assert old in text
    msg = _error(tmp_path, text.replace(old, new, 1))
    assert expected in msg
    assert "c.yaml: line " in msg


def test_one_event_window_without_its_outer_list(tmp_path):
    """`event_windows: [0, 5]` gave two lines of "Input should be a valid tuple (got 0)"."""
    msg = _error(tmp_path, BASE + "event_windows: [0, 5]\nmodel: x\n")
    lines = msg.splitlines()
    assert lines[0].endswith("c.yaml: line 4: key 'event_windows': a list of [start, end] "
                             "windows, e.g. [[0, 5]] (got [0, 5])")
    assert len(lines) == 2 and "key 'model'" in lines[1]
    msg = _error(tmp_path, BASE + "event_windows: [[0, 5], [x, 1]]\nmodel: x\n")
    assert "key 'event_windows.1.0'" in msg  # nested windows still report their own errors


def test_home_in_paths_is_expanded(tmp_path, monkeypatch):
    """`events: ~/events.csv` was read as <config folder>/~/events.csv."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cfg = _load(tmp_path, "study: x\nevents: ~/events.csv\ngroups: {a: [NVDA]}\n")
    assert cfg.events_path == tmp_path / "home" / "events.csv"
