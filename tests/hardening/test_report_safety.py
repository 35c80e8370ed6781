"""Outputs never cost a user their work: atomic report folders, safe names, byte-identical tables."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventstudy._paths import check_replaceable_report, child_path, safe_name
from eventstudy.exceptions import EventStudyError, ReportError

SMALL_STUDY = """
import sys, warnings
from pathlib import Path
from eventstudy.config import StudyConfig
from eventstudy.data import BundledSource
from eventstudy.reporting.export import report_tables
from eventstudy.study import EventStudy

cfg = StudyConfig.model_validate({
    "study": "det", "data": {"source": "bundled"},
    "events": [{"id": "e1", "date": "2025-01-27"}, {"id": "e2", "date": "2024-08-05"}],
    "groups": {"chips": ["NVDA", "AMD", "AVGO"], "power": ["VST", "CEG"]},
    "event_windows": [[0, 0], [-1, 1], [0, 5]], "estimation_window": [-200, -11]})
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    res = EventStudy.from_config(cfg, source=BundledSource()).fit()
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
for name, frame in report_tables(res).items():
    frame.to_csv(out / f"{name}.csv", index=False)
"""


def _small_result():
    namespace: dict = {}
    exec(SMALL_STUDY.split("out = Path")[0], namespace)  # the same study, in this process
    return namespace["res"]


@pytest.fixture(scope="module")
def result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _small_result()


def _previous_report(parent: Path) -> Path:
    folder = parent / "det"
    folder.mkdir(parents=True)
    (folder / "config.resolved.yaml").write_text("study: det\n")
    (folder / "ar.csv").write_text("yesterday's numbers\n")
    return folder


def _snapshot(parent: Path) -> dict[str, bytes]:
    return {str(p.relative_to(parent)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(parent.rglob("*"))}


@pytest.mark.parametrize("fault", ["interrupt_in_excel", "error_in_pdf"])
def test_failed_or_interrupted_run_leaves_previous_report_intact(tmp_path, monkeypatch, result,
                                                                 fault):
    from eventstudy.reporting import export, pdf

    previous = _previous_report(tmp_path)
    before = _snapshot(tmp_path)
    if fault == "interrupt_in_excel":  # after the CSV tables are written
        def stop(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(export, "_write_excel", stop)
        expected: type[BaseException] = KeyboardInterrupt
    else:
        def broken(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(pdf, "start_pdf", broken)
        expected = OSError
    with pytest.raises(expected):
        export.write_report(result, previous)
    assert _snapshot(tmp_path) == before  # same files, same bytes, no temporary folder left


@pytest.mark.skipif(sys.platform == "win32", reason="forked workers are POSIX only")
def test_interrupt_kills_the_workers_before_removing_the_folder(tmp_path, monkeypatch, result):
    """A forked worker still writing into the temporary folder while the interrupted run removed it
    made the removal fail half-way, and the folder stayed (CI, 2026-12-03). The run now kills its
    workers first. The fake worker writes a file every millisecond for five seconds."""
    import time

    from eventstudy.reporting import export, pdf

    def busy_excel(sheets, path):
        for i in range(5000):
            try:
                (path.parent / f"part{i}").write_text("x")
            except OSError:
                return
            time.sleep(0.001)

    class Interrupted:  # the report PDF's job, interrupted when the run waits for it
        def finish(self):
            time.sleep(0.3)  # the worker is writing by now
            raise KeyboardInterrupt

        def stop(self):
            pass

    previous = _previous_report(tmp_path)
    before = _snapshot(tmp_path)
    monkeypatch.setattr(export, "_write_excel", busy_excel)
    monkeypatch.setattr(pdf, "start_pdf", lambda *args: Interrupted())
    with pytest.raises(KeyboardInterrupt):
        export.write_report(result, previous)
    time.sleep(0.2)  # a surviving worker would go on writing here
    assert _snapshot(tmp_path) == before


class _FakePdf:  # the real PDF takes seconds and is not under test here
    def __init__(self, res, path, figures):
        self.path, self.figures = path, figures

    def finish(self):
        self.path.write_bytes(b"%PDF")
        (self.figures / "caar_paths.png").write_bytes(b"png")
        return [self.figures / "caar_paths.png"]

    def stop(self):
        pass


def test_report_replaces_previous_and_tables_are_byte_identical_across_processes(tmp_path, result,
                                                                                   monkeypatch):
    """Two fresh interpreters with different hash seeds write the same CSV bytes, and so does
    write_report over an earlier report (which it replaces without leaving anything behind)."""
    from eventstudy.reporting import pdf
    from eventstudy.reporting.export import write_report

    monkeypatch.setattr(pdf, "start_pdf", _FakePdf)

    procs = [subprocess.Popen([sys.executable, "-c", SMALL_STUDY, str(tmp_path / f"run{seed}")],
                              env={**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "Agg"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for seed in ("1", "2")]  # in parallel: each is an import and a fit
    assert [proc.wait(timeout=120) for proc in procs] == [0, 0]
    runs = [{p.name: p.read_bytes() for p in sorted((tmp_path / f"run{seed}").glob("*.csv"))}
            for seed in ("1", "2")]
    assert set(runs[0]) >= {"ar.csv", "car.csv", "caar.csv", "tests.csv", "diagnostics.csv"}
    assert runs[0] == runs[1]

    reports = tmp_path / "reports"
    _previous_report(reports)
    folder = write_report(result, reports / "det")
    assert sorted(p.name for p in reports.iterdir()) == ["det"]  # no .old or temporary folder
    for name, data in runs[0].items():
        assert (folder / name).read_bytes() == data, name


def test_cli_interrupt_exits_130_and_keeps_reports(tmp_path, monkeypatch):
    from eventstudy import study
    from eventstudy.cli import app

    previous = _previous_report(tmp_path)
    before = _snapshot(tmp_path)

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(study.EventStudy, "fit", interrupted)
    cfg = tmp_path / "det.yaml"
    cfg.write_text("study: det\ndata: {source: bundled}\nevents: [{id: e, date: 2025-01-27}]\n"
                   "groups: {a: [NVDA]}\n")
    before[cfg.name] = cfg.read_bytes()
    result = CliRunner().invoke(app, ["run", str(cfg), "-o", str(tmp_path)])
    assert result.exit_code == 130
    assert "interrupted" in result.output and "Traceback" not in result.output
    assert _snapshot(tmp_path) == before and previous.is_dir()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("../../etc", "etc"), ("/abs/path", "abs_path"), ("a/b\\c", "a_b_c"), ("..", "unnamed"),
     (".hidden", "hidden"), ("", "unnamed"), ("CON", "_CON"), ("nul.txt", "_nul.txt"),
     ("com1", "_com1"), ("x\x00y", "x_y"), ("e 1:2", "e_1_2"), ("^GSPC", "^GSPC"),
     ("BRK-B", "BRK-B"), ("EURUSD=X", "EURUSD=X"), ("Ｆｕｌｌ", "Full"), ("a" * 300, "a" * 100)],
)
def test_safe_name(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["../../x", "/etc/passwd", "..", "a/../../b", "C:\\Windows", "~"])
def test_child_path_stays_under_parent(tmp_path, name):
    path = child_path(tmp_path / "out", name)
    assert path.parent == tmp_path / "out"
    assert path.resolve().is_relative_to((tmp_path / "out").resolve())


def test_child_path_refuses_a_symlink_out(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "study").symlink_to(tmp_path)
    with pytest.raises(ReportError, match="outside the output folder"):
        child_path(tmp_path / "out", "study")


def test_only_reports_and_empty_folders_are_replaceable(tmp_path):
    check_replaceable_report(tmp_path / "new")  # nothing there yet
    (tmp_path / "empty").mkdir()
    check_replaceable_report(tmp_path / "empty")
    check_replaceable_report(_previous_report(tmp_path))
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "notes.txt").write_text("mine")
    (tmp_path / "file").write_text("mine")
    for target in ("work", "file"):
        with pytest.raises(ReportError, match="left alone") as info:
            check_replaceable_report(tmp_path / target)
        assert isinstance(info.value, EventStudyError)


def test_failed_final_swap_puts_the_previous_report_back(tmp_path, monkeypatch, result):
    """If moving the new report in fails after the old one was moved aside (a concurrent run took
    the name, Ctrl-C between the two renames), the old one returns under its name."""
    from eventstudy.reporting import export, pdf

    monkeypatch.setattr(pdf, "start_pdf", _FakePdf)
    previous = _previous_report(tmp_path)
    before = _snapshot(tmp_path)
    real_rename = Path.rename
    refused = []

    def rename(self, target):
        if Path(target) == previous and self.name.startswith(".det.") and "old" not in self.name:
            refused.append(self)
            raise OSError(39, "Directory not empty", str(target))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError, match="Directory not empty"):
        export.write_report(result, previous)
    assert refused  # the failure came from the swap itself
    assert _snapshot(tmp_path) == before


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("moment", ["folder", "workers"])
def test_sigterm_during_the_report_keeps_the_previous_one(tmp_path, moment):
    """A killed run (SIGTERM: CI timeout, `kill`) unwinds like Ctrl-C: no half report, no temporary
    folder, the previous report untouched. The signal is sent once the temporary folder exists, or
    once the forked chart workers write into it: a worker that went on writing while the folder was
    removed left it behind (CI, 2026-12-03), so the run now kills its workers first."""
    import signal
    import time

    previous = _previous_report(tmp_path)
    cfg = tmp_path / "det.yaml"
    cfg.write_text("study: det\ndata: {source: bundled}\nevents: [{id: e, date: 2025-01-27}]\n"
                   "groups: {a: [NVDA, AMD]}\n")
    before = _snapshot(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "eventstudy", "run", str(cfg), "-o",
                             str(tmp_path)], env={**os.environ, "MPLBACKEND": "Agg"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120

    def started() -> bool:
        folders = [p for p in tmp_path.iterdir() if p.name.startswith(".det.")]
        if moment == "folder" or not folders:
            return bool(folders)
        return any((folders[0] / ".report.parts").glob("charts*.pdf"))

    while not started():
        assert proc.poll() is None and time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert _snapshot(tmp_path) == before and previous.is_dir()


def test_dollar_signs_in_user_text_are_printed_as_written(tmp_path, result):
    """A title or description with two '$' was typeset as TeX math in the PDF ("$NVDA and $AMD
    fell" lost its dollar signs and went italic; an unbalanced '\\frac{' could fail the report)."""
    from pypdf import PdfReader

    from eventstudy.reporting.pdf import write_pdf

    result = result.with_provenance(replace(result.provenance, title="$NVDA and $AMD fell",
                                            description="costs $x^2$ and \\frac{a"))
    (tmp_path / "figures").mkdir()
    write_pdf(result, tmp_path / "report.pdf", tmp_path / "figures")
    text = PdfReader(tmp_path / "report.pdf").pages[0].extract_text()
    assert "$NVDA and $AMD fell" in text
    assert "costs $x^2$ and \\frac{a" in text


_ARMED: list[bool] = []  # the at-fork hook below fires only while a test arms it


def _signal_while_forking() -> None:
    if _ARMED:
        import signal

        os.kill(os.getpid(), signal.SIGTERM)


@pytest.mark.skipif(sys.platform == "win32", reason="forked workers are POSIX only")
def test_a_sigterm_during_the_fork_of_a_worker_is_not_lost():
    """A SIGTERM that arrived while a report worker was forked ran the CLI's handler inside
    logging's at-fork hook, where Python ignores the handler's KeyboardInterrupt: the run went on
    and exited 0 (seen in this file's SIGTERM test). background() defers the signal during the
    fork, raises it after, and stops the new worker."""
    import signal
    import time

    from eventstudy.reporting.workers import background

    if not _ARMED and not getattr(_signal_while_forking, "registered", False):
        os.register_at_fork(after_in_parent=_signal_while_forking)
        _signal_while_forking.registered = True  # type: ignore[attr-defined]

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    _ARMED.append(True)
    try:
        with pytest.raises(KeyboardInterrupt):
            background(time.sleep, 30)
    finally:
        _ARMED.clear()
        signal.signal(signal.SIGTERM, previous)
    import multiprocessing

    assert not [p for p in multiprocessing.active_children() if p.is_alive()]


@pytest.mark.skipif(sys.platform == "win32", reason="forked workers are POSIX only")
def test_stopping_the_chart_worker_stops_the_worker_it_forked(tmp_path, monkeypatch):
    """The run starts one chart worker, which forks the second once matplotlib is loaded (so it
    is not imported twice). Killing the first (an interrupted run) must kill the second too, or
    it goes on writing into the folder being removed: workers lead their own process group."""
    import time

    from eventstudy.reporting import pdf, workers

    def busy(res, part, bundle, figures_dir):  # a chart part that writes a file every ms
        for i in range(5000):
            (bundle.parent / f"{bundle.name}-{i}").write_text("x")
            time.sleep(0.001)
        return []

    monkeypatch.setattr(pdf, "_render_charts", busy)
    out = tmp_path / "parts"
    out.mkdir()
    job = workers.background(pdf._render_parts, None, [["a"], ["b"]], [out / "c0", out / "c1"],
                             None)
    assert job is not None
    deadline = time.monotonic() + 30
    while not ({p.name[:2] for p in out.iterdir()} >= {"c0", "c1"}):  # both are writing
        assert time.monotonic() < deadline, "the two chart workers never started"
        time.sleep(0.01)
    workers.stop_workers([job[0]])
    time.sleep(0.1)
    written = set(os.listdir(out))
    time.sleep(0.3)  # a surviving second worker would write about 300 more files here
    assert set(os.listdir(out)) == written
    assert not workers._LIVE


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
def test_a_folder_the_system_refuses_is_named_not_the_temporary_one(result):
    """-o /sys/kernel failed with '/sys/kernel/.deepseek_2025.9b8f5fcf9405: Operation not
    permitted', a folder the user never named; now the report and the refusing folder."""
    from eventstudy.reporting.export import write_report

    with pytest.raises(ReportError, match=r"cannot write the report /sys/kernel/det(:| )") as e:
        write_report(result, "/sys/kernel/det", formats=("csv",))
    assert "/sys/kernel/." not in str(e.value)


def test_an_unwritable_output_folder_fails_before_the_fit(tmp_path, monkeypatch):
    """A folder this user cannot write in is named at once, before any work (root may write
    anywhere, so the permission check is simulated)."""
    from eventstudy.reporting import export

    real = os.access
    monkeypatch.setattr(export.os, "access",
                        lambda p, mode: False if Path(p) == tmp_path else real(p, mode))
    with pytest.raises(ReportError, match=rf"{tmp_path} is not writable by this user"):
        export.check_output_folder(tmp_path / "study")
