"""``eventstudy`` attacked as a new user would: every mistake is one line and exit 1, usage is exit 2.

Data come from the bundled set (``data: {source: bundled}``), so nothing touches the network; the
cases fail before a report is written, which keeps them fast.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from eventstudy.cli import app

runner = CliRunner()

GOOD = "study: x\ndata: {source: bundled}\nevents: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA, AMD]}\n"


def _invoke(tmp_path, command: str, text: str | None = None, *extra: str):
    cfg = tmp_path / "c.yaml"
    if text is not None:
        cfg.write_text(text, encoding="utf-8")
    args = [command, str(cfg), *extra]
    if command == "run" and "-o" not in extra:
        args += ["-o", str(tmp_path / "reports")]
    return runner.invoke(app, args)


def _one_line_error(result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip() and not ln.startswith("warning:")]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    for text in expected:
        assert text in lines[0], result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("groups:", "grups:"), ("c.yaml: line 4: unknown key 'grups'", "'groups'")),
        (GOOD + "estimation_window: -250\n", ("line 5", "estimation_window")),
        (GOOD.replace("2025-01-27", "2025-02-30"), ("line 3", "events.0.date")),
        (GOOD.replace("2025-01-27", "2099-01-27"), ("2099-01-27 is in the future",)),
        (GOOD.replace("study: x", "study: ../../etc"), ("line 1", "key 'study'")),
        (GOOD.replace("study: x", "study: /abs/path"), ("key 'study'",)),
        (GOOD.replace("[NVDA, AMD]", "[NVDA, 'A/B C']"), ("line 4", "'A/B C'")),
        (GOOD + "model: markt\n", ("key 'model'", "'markt'")),
        ("study: x\n", ("missing required key 'events'",)),
        ("\x00\x01binary", ("invalid YAML",)),
    ],
)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_config_mistakes_are_one_line(tmp_path, command, text, expected):
    _one_line_error(_invoke(tmp_path, command, text), *expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a weekend with non_trading_day: error
        (GOOD.replace("source: bundled", "source: bundled, non_trading_day: error")
         .replace("2025-01-27", "2025-01-25"), ("2025-01-25 is not a XNYS session",)),
        # before the data: every security-event lacks estimation returns
        (GOOD.replace("2025-01-27", "2023-02-01"), ("every security-event was skipped", "e:NVDA")),
        # before the data (calendars cover 1980 since C16): the message names both ranges
        (GOOD.replace("2025-01-27", "1980-02-01"),
         ("the bundled data set covers 2023-01-03..2026-08-03, not the 1979-01-29..1980-02-05",)),
        (GOOD.replace("[NVDA, AMD]", "[NVDA, NOSUCHTICKER]"), ("NOSUCHTICKER",)),
        (GOOD.replace("groups:", "market: nvda\ngroups:"), ("market NVDA is also listed",)),
        (GOOD.replace("events: [{id: e, date: 2025-01-27}]", "events: missing.csv"),
         ("missing.csv: no such events file",)),
    ],
)
def test_run_time_mistakes_are_one_line(tmp_path, text, expected):
    result = _invoke(tmp_path, "run", text)
    _one_line_error(result, *expected)
    assert not (tmp_path / "reports" / "x").exists()


def test_bad_events_csv_row_is_one_line(tmp_path):
    (tmp_path / "ev.csv").write_text("event_id,ticker,date\ne1,NVDA,2025-01-27\ne2,AMD,27/01/2025\n")
    text = GOOD.replace("events: [{id: e, date: 2025-01-27}]", "events: ev.csv")
    for command in ("validate", "run"):
        _one_line_error(_invoke(tmp_path, command, text), "ev.csv: line 3: bad date '27/01/2025'")


def test_output_folder_that_is_a_file(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    result = _invoke(tmp_path, "run", GOOD, "-o", str(tmp_path / "afile" / "reports"))
    _one_line_error(result, "afile")


def test_someone_elses_folder_is_never_replaced(tmp_path):
    mine = tmp_path / "reports" / "x"
    mine.mkdir(parents=True)
    (mine / "thesis.docx").write_text("two years of work")
    result = _invoke(tmp_path, "run", GOOD)
    _one_line_error(result, "is not an eventstudy report", "left alone")
    assert (mine / "thesis.docx").read_text() == "two years of work"
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["x"]  # no temp left


def test_unexpected_error_is_one_line_and_debug_shows_it(tmp_path, monkeypatch):
    from eventstudy import study

    def boom(self):  # a bug, not a user mistake
        raise RuntimeError("internal boom")

    monkeypatch.setattr(study.EventStudy, "fit", boom)
    _one_line_error(_invoke(tmp_path, "run", GOOD), "unexpected RuntimeError: internal boom",
                    "--debug")
    result = _invoke(tmp_path, "run", None, "--debug")
    assert isinstance(result.exception, RuntimeError)


@pytest.mark.parametrize("args", [
    [], ["bogus"], ["run"], ["validate"], ["run", "c.yaml", "-o"], ["validate", "c.yaml", "--nope"],
])
def test_usage_errors_exit_2(args):
    assert runner.invoke(app, args).exit_code == 2


def test_validate_checks_bundled_tickers_and_shows_warnings(tmp_path):
    """`validate` said ok to tickers missing from the bundle (``run`` then failed) and printed
    warnings as Python's two-line source dumps; now: one error line, and ``warning:`` lines."""
    text = GOOD.replace("[{id: e, date: 2025-01-27}]",
                        "[{id: e, date: 2025-01-27, tickers: [XOM, QQQQ]}]")
    _one_line_error(_invoke(tmp_path, "validate", text.replace("AMD]", "ZZZQ]")),
                    "not in the bundled data set: ['ZZZQ', 'QQQQ']")
    result = _invoke(tmp_path, "validate", GOOD.replace("[NVDA, AMD]", "[NVDA, nvda, AMD]"))
    assert result.exit_code == 0, result.output
    assert "warning: 1 duplicate ticker dropped: ['nvda']" in result.output
    assert "normalize_tickers" not in result.output  # no source line of the warning


def test_output_dir_with_home_is_expanded(tmp_path, monkeypatch):
    """`-o "~/reports"` (quoted, so the shell leaves ~ alone) made a folder named '~'."""
    from eventstudy import pipeline, study

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(study.EventStudy, "fit", lambda self: None)
    seen = []

    def record(res, folder):
        seen.append(folder)
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "write_report", record)  # the pipeline writes the report
    result = _invoke(tmp_path, "run", GOOD, "-o", "~/reports")
    assert result.exit_code == 130
    assert seen == [tmp_path / "home" / "reports" / "x"]


def test_missing_universe_is_one_readable_line(tmp_path):
    """A file source without the 503 S&P 500 members printed all 502 missing names in one 3.6 kB
    line; now the first ten and how many more."""
    (tmp_path / "small.csv").write_text(
        "date,NVDA,^GSPC\n2025-01-24,142.6,6101.24\n2025-01-27,118.4,6012.28\n")
    text = ("study: x\ndata: {source: file, path: small.csv}\nevents: [{id: e, date: 2025-01-27}]\n"
            "universe: sp500\n")
    result = _invoke(tmp_path, "run", text)
    _one_line_error(result, "small.csv: no prices for ['MMM', ", " and 492 more")
    assert len(result.output) < 400


def test_name_list():
    from eventstudy.exceptions import name_list

    assert name_list(["A", "B"]) == "['A', 'B']"
    assert name_list([f"T{i}" for i in range(12)], limit=3) == "['T0', 'T1', 'T2'] and 9 more"
    assert name_list(["A", "B", "C"], limit=2, brackets=False) == "A, B and 1 more"
