"""Study config: validation messages, YAML 1.1 traps, window rules (cases C22a, C22c)."""

from __future__ import annotations

import pytest

from eventstudy.config import StudyConfig, load_config, safe_load_yaml
from eventstudy.exceptions import ConfigError
from eventstudy.windows import window_length


def _cfg(**kw):
    base = {"study": "x", "events": [{"id": "e", "date": "2025-01-27"}], "groups": {"a": ["NVDA"]}}
    return StudyConfig.model_validate({**base, **kw})


def test_yaml_tickers_on_no_yes_stay_strings():
    data = safe_load_yaml("groups: {g: [ON, NO, YES, OFF]}\nflag: true\n")
    assert data["groups"]["g"] == ["ON", "NO", "YES", "OFF"]
    assert data["flag"] is True


def test_yaml_refuses_python_objects():
    with pytest.raises(ConfigError):
        safe_load_yaml("x: !!python/object/apply:os.system ['echo hi']")


def test_c22a_estimation_window_overlapping_event_window(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("study: x\nevents: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA]}\n"
                 "estimation_window: [-120, 0]\nevent_windows: [[-5, 5]]\n")
    with pytest.raises(ConfigError, match=r"estimation window must end before the event window "
                                          r"starts \(0 >= -5\)"):
        load_config(p)


def test_c22c_inclusive_window_length():
    assert window_length((-130, -11)) == 120


def test_reversed_window_rejected():
    with pytest.raises(ValueError, match="reversed"):
        _cfg(event_windows=[[5, 0]])


def test_resolved_yaml_round_trips(tmp_path):
    cfg = _cfg()
    p = tmp_path / "r.yaml"
    p.write_text(cfg.to_yaml())
    again = load_config(p)
    assert again.model_dump(exclude={"base_dir"}) == cfg.model_dump(exclude={"base_dir"})


def test_bad_yaml_names_line(tmp_path):
    p = tmp_path / "broken.yaml"
    p.write_text("study: x\nevents: [\n")
    with pytest.raises(ConfigError, match=r"broken.yaml: line \d+"):
        load_config(p)


def test_group_label_form_loads_and_reaches_the_charts(tmp_path):
    """``groups: {nvda: {label: Nvidia, tickers: [NVDA]}}`` was documented but refused by the
    config ("Input should be a valid list"); the label now reaches the resolved config and the
    reader labels, and a mistyped key is named."""
    from eventstudy.config import load_config

    f = tmp_path / "s.yaml"
    f.write_text("study: s\nevents: [{id: e, date: 2025-01-27}]\n"
                 "groups: {nvda: {label: Nvidia, tickers: [NVDA]}, peers: [AMD, MU]}\n")
    cfg = load_config(f)
    assert cfg.groups == {"nvda": ["NVDA"], "peers": ["AMD", "MU"]}
    assert cfg.group_labels == {"nvda": "Nvidia"}
    again = tmp_path / "again.yaml"
    again.write_text(cfg.to_yaml())  # config.resolved.yaml loads back to the same config
    assert load_config(again).group_labels == {"nvda": "Nvidia"}
    from eventstudy.reporting.labels import _parse_labels  # what the charts read back

    assert dict(_parse_labels(cfg.to_yaml())) == {"nvda": "Nvidia"}
    f.write_text("study: s\nevents: [{id: e, date: 2025-01-27}]\n"
                 "groups: {nvda: {label: Nvidia, ticker: [NVDA]}}\n")
    with pytest.raises(ConfigError, match=r"line 3: key 'groups': group 'nvda'.*not keys \['ticker'\]"):
        load_config(f)
    f.write_text("study: s\nevents: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA]}\n"
                 "group_labels: {b: Bee}\n")
    with pytest.raises(ConfigError, match=r"line 4: key 'group_labels': \['b'\] name no group"):
        load_config(f)


@pytest.mark.parametrize(("model", "needs"), [
    ("ff3", "Mkt-RF, SMB, HML, RF"), ("carhart", "Mkt-RF, SMB, HML, Mom, RF"),
    ("ff5", "Mkt-RF, SMB, HML, RMW, CMA, RF")])
def test_factor_model_without_factors_names_the_model_key_and_the_fix(tmp_path, model, needs):
    # it blamed "line 1: key 'factors'", a key the file does not have
    from typer.testing import CliRunner

    from eventstudy.cli import app

    p = tmp_path / "ff.yaml"
    p.write_text("study: x\ndata: {source: bundled}\nevents: [{id: e, date: 2025-01-27}]\n"
                 f"groups: {{a: [NVDA]}}\nmodel: {model}\n")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    msg = str(err.value)
    assert msg.startswith(f"{p}: line 5: key 'model': '{model}' (")
    assert f"needs Ken French's daily factors ({needs})" in msg
    assert "no factors: file; add factors: [F-F_" in msg and "key 'factors'" not in msg
    for command in ("run", "validate"):
        result = CliRunner().invoke(app, [command, str(p), "-o", str(tmp_path / "out")]
                                    if command == "run" else [command, str(p)])
        assert result.exit_code == 1, result.output
        assert result.output == f"error: {msg}\n"  # one line, no traceback
    assert not (tmp_path / "out").exists()
