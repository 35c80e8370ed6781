"""The command line: run, validate, help, version and one-line errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.reporting.export import REPORT_FILES

runner = CliRunner()


@pytest.fixture(scope="module")
def report(tmp_path_factory, repo):
    out = tmp_path_factory.mktemp("reports")
    result = runner.invoke(app, ["run", str(repo / "configs" / "deepseek_2025.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out / "deepseek_2025", result.output


def test_run_writes_every_file(report):
    folder, _ = report
    for name in REPORT_FILES:
        assert (folder / name).stat().st_size > 0, name


def test_run_prints_headline_and_report_path(report):
    folder, output = report
    assert "AI hardware" in output and "CAAR[+0,+5]" in output
    assert str(folder / "report.pdf") in output


def test_report_pdf_pages_and_text(report):
    from pypdf import PdfReader

    pdf = PdfReader(report[0] / "report.pdf")
    assert len(pdf.pages) >= 2
    text = pdf.pages[0].extract_text()
    assert "DeepSeek overtakes ChatGPT" in text
    assert pdf.metadata.title == "DeepSeek overtakes ChatGPT in the US App Store"


def test_tables_have_stable_columns(report):
    import pandas as pd

    folder, _ = report
    assert list(pd.read_csv(folder / "ar.csv").columns)[:10] == [
        "event_id", "ticker", "group", "date", "tau", "ret", "normal_ret", "ar", "t", "p_value"]
    assert list(pd.read_csv(folder / "car.csv").columns) == [
        "event_id", "ticker", "group", "tau_start", "tau_end", "car", "t", "p_value"]
    # the headline test's statistic and p-value, named (the cross-sectional t's, unnamed, read as
    # p = 0.001 where the report's stars say p = 0.078); event_id added (issue 11)
    assert list(pd.read_csv(folder / "caar.csv").columns) == [
        "group", "tau_start", "tau_end", "n", "caar", "test", "statistic", "p_value", "event_id"]


def test_validate_ok(repo):
    result = runner.invoke(app, ["validate", str(repo / "configs" / "deepseek_2025.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


@pytest.mark.parametrize("command", [[], ["run"], ["validate"]])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output
    if command:
        assert "Example: eventstudy" in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("eventstudy ")


def test_missing_config_is_one_line_error(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope.yaml"), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "no such config file" in result.output


def test_unknown_key_names_file_and_suggests(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("study: x\nevents: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA]}\n"
                   "estimaton_window: [-100, -11]\n")
    result = runner.invoke(app, ["validate", str(cfg)])
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "estimaton_window" in result.output
    assert "did you mean 'estimation_window'" in result.output


def test_ticker_missing_from_bundle_exits_1(tmp_path):
    cfg = tmp_path / "nope.yaml"
    cfg.write_text("study: x\ndata: {source: bundled}\nevents: [{id: e, date: 2025-01-27}]\n"
                   "groups: {a: [NVDA, NOSUCHTICKER]}\n")
    result = runner.invoke(app, ["run", str(cfg), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "NOSUCHTICKER" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [["run"], ["validate"], ["fetch"], ["cache", "clear"]])
def test_help_shows_no_bool_type_nor_braces(command):
    result = runner.invoke(app, [*command, "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "{" not in result.output
    if command != ["cache", "clear"]:
        assert f"eventstudy {command[0]} [OPTIONS] STUDY.yaml" in result.output


def test_output_dir_that_is_a_file_is_named_before_the_fit(repo, tmp_path, monkeypatch):
    afile = tmp_path / "afile"
    afile.write_text("notes\n")

    def no_fit(*args, **kwargs):
        raise AssertionError("the study was fitted before the output folder was checked")

    monkeypatch.setattr("eventstudy.study.EventStudy.fit", no_fit)
    result = runner.invoke(app, ["run", str(repo / "configs" / "deepseek_2025.yaml"),
                                 "-o", str(afile)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert f"{afile} is a file, not a folder" in result.output
    assert "--output-dir" in result.output and "File exists" not in result.output
    assert afile.read_text() == "notes\n"


def test_validate_counts_are_singular_for_one(tmp_path):
    cfg = tmp_path / "one.yaml"
    cfg.write_text("study: one\ndata: {source: bundled}\nevents: [{id: e, date: 2025-01-27}]\n"
                   "groups: {a: [NVDA]}\n")
    result = runner.invoke(app, ["validate", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "1 event, 1 security in 1 group," in result.output
    assert "securities" not in result.output and "group(s)" not in result.output


def test_run_says_one_security_event(tmp_path):
    cfg = tmp_path / "one.yaml"
    cfg.write_text("study: one\ndata: {source: bundled}\nmarket: ^GSPC\n"
                   "events: [{id: e, date: 2025-01-27}]\ngroups: {a: [NVDA]}\n"
                   "estimation_window: [-120, -11]\nevent_windows: [[0, 0]]\n")
    result = runner.invoke(app, ["run", str(cfg), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "1 security-event fitted, 0 skipped" in result.output


def test_console_script_exit_keeps_output_and_status(tmp_path, repo):
    """The console script ends a successful run at once (os._exit, no teardown), nothing lost.

    What it printed to a pipe still arrives whole, the report is complete, status 0; a failing
    run still exits 1 with its one-line error, the usual way; main() called in a process of the
    caller's returns to it (SystemExit), as before.
    """
    import subprocess
    import sys

    code = ("import atexit; atexit.register(print, 'teardown ran'); "
            "from eventstudy.cli import console; console()")
    ok = subprocess.run(
        [sys.executable, "-c", code, "run", str(repo / "configs" / "deepseek_2025.yaml"),
         "-o", str(tmp_path), "--formats", "csv", "--no-figures"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.rstrip().splitlines()[-1] == f"Report: {tmp_path / 'deepseek_2025'}"
    assert "teardown ran" not in ok.stdout  # ended at once, after the last line
    assert "CAAR[+0,+5]" in ok.stdout and "warning:" in ok.stderr
    assert (tmp_path / "deepseek_2025" / "caar.csv").stat().st_size > 0
    bad = subprocess.run([sys.executable, "-c", code, "run", str(tmp_path / "missing.yaml")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert bad.returncode == 1 and "missing.yaml" in bad.stderr
    assert "teardown ran" in bad.stdout  # a failure exits the usual way
    inside = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom eventstudy.cli import main\n"
         "sys.argv = ['eventstudy', 'validate', sys.argv[1]]\n"
         "try:\n    main()\nexcept SystemExit as e:\n    print('returned', e.code)\n",
         str(repo / "configs" / "deepseek_2025.yaml")],
        capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert inside.stdout.rstrip().splitlines()[-1] == "returned 0", inside.stdout + inside.stderr


@pytest.mark.parametrize("formats", [[""], [" "], [","], ["csv", ""]])
def test_blank_formats_is_a_usage_error_naming_the_choices(tmp_path, repo, formats):
    # '' used to be read as "every format" and wrote the whole report
    args = [a for f in formats for a in ("--formats", f)]
    result = runner.invoke(app, ["run", str(repo / "configs" / "deepseek_2025.yaml"),
                                 "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output  # a usage error, like an unknown format
    text = " ".join(line.strip(" │╭╮╰╯─") for line in result.output.splitlines())
    assert "Invalid value for --formats:" in text and "names no format" in text
    assert "(choose from csv, parquet, xlsx, latex, md, html, pdf or all;" in text
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # stopped before loading or writing anything


def test_run_prints_claims_with_the_labels_the_report_uses(report):
    """The console's claims say "S&P 500 members", not the ids "sp500", "ai_hardware+power"."""
    _, output = report
    claims = output[output.index("Claims (verdicts first"):output.index("security-events fitted")]
    assert "152 of 503 S&P 500 members" in claims
    assert "concentrated in AI hardware and power" in claims
    assert "ai_hardware+power" not in claims and "sp500 members" not in claims
