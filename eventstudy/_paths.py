"""Safe paths: output names built from untrusted text, and bounded reads of user files.

A name such as ``../../etc``, ``/tmp/x``, ``a/b``, ``CON`` or ``.hidden`` must never write outside
the output folder, overwrite a hidden file or hit a reserved Windows device name; a config path such
as ``/dev/zero`` or a huge file must fail at once, never hang or fill the memory.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from eventstudy.exceptions import ReportError

__all__ = ["safe_name", "child_path", "check_replaceable_report", "read_text_limited"]

REPORT_MARKER = "config.resolved.yaml"
"""Every report folder holds this file; a folder without it is never replaced."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._^=-]+")
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{i}" for dev in ("COM", "LPT") for i in "0123456789¹²³"}
)
MAX_NAME = 100


def safe_name(name: object, *, default: str = "unnamed") -> str:
    """Return ``name`` as one portable path component.

    Parameters
    ----------
    name : object
        Text from a config or data (a study id, ticker, group); converted with ``str``.
    default : str, default 'unnamed'
        Used when nothing printable is left.

    Returns
    -------
    str
        Letters, digits and ``. _ ^ = -`` only (runs of anything else, path separators included,
        become one ``_``); no leading or trailing dot or underscore (so never ``.``, ``..`` or a
        hidden file); ``_`` prefixed to a reserved Windows device name (``CON``, ``nul.txt``,
        ``COM1``); at most 100 characters. Yahoo symbols such as ``^GSPC``, ``BRK-B`` and
        ``EURUSD=X`` are kept.
    """
    text = unicodedata.normalize("NFKC", str(name))
    text = _UNSAFE.sub("_", text).strip("._")
    text = text[:MAX_NAME].rstrip("._") or default
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = f"_{text}"
    return text


def child_path(parent: str | Path, name: object) -> Path:
    """Return ``parent / safe_name(name)``, checked to stay inside ``parent``.

    Parameters
    ----------
    parent : str or pathlib.Path
        The output folder chosen by the user (trusted; may not exist yet).
    name : object
        An untrusted name, see :func:`safe_name`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ReportError
        When the result would resolve outside ``parent`` (a symbolic link named like the output).
    """
    base = Path(parent)
    path = base / safe_name(name)
    if not path.resolve().is_relative_to(base.resolve()):
        raise ReportError(f"{path} resolves to {path.resolve()}, outside the output folder {base}")
    return path


def check_replaceable_report(folder: str | Path) -> None:
    """Refuse to replace anything at ``folder`` but an earlier eventstudy report or an empty folder.

    Parameters
    ----------
    folder : str or pathlib.Path
        Where a report is about to be written (and an existing one moved aside and deleted).

    Raises
    ------
    ReportError
        When ``folder`` is a file, or a non-empty folder without ``config.resolved.yaml``: someone's
        own work, which a report must never delete.
    """
    path = Path(folder)
    if not path.exists() and not path.is_symlink():
        return
    if path.is_symlink() or not path.is_dir():
        raise ReportError(f"{path} exists and is not a report folder; it is left alone (choose "
                          "another --output-dir or study id)")
    try:
        empty = next(path.iterdir(), None) is None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read the existing folder ({exc.strerror})") from None
    if not empty and not (path / REPORT_MARKER).is_file():
        raise ReportError(f"{path} exists and is not an eventstudy report (no {REPORT_MARKER}); "
                          "it is left alone: choose another --output-dir or study id, or remove it")


def read_text_limited(path: str | Path, limit: int, *, what: str = "file") -> str:
    """Read a UTF-8 text file (a byte-order mark is dropped), refusing more than ``limit`` bytes.

    Reads at most ``limit + 1`` bytes, so an endless device (``/dev/zero``) or a pipe fails at once
    instead of hanging; pipes and process substitutions (``<(...)``) still work.

    Parameters
    ----------
    path : str or pathlib.Path
    limit : int
        Largest accepted size in bytes.
    what : str
        Names the file in messages ("config", "events CSV").

    Returns
    -------
    str

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist (callers word it: "no such config file").
    UnicodeDecodeError
        When the bytes are not UTF-8.
    OSError
        When the file cannot be read (a folder, no permission), or it is larger than ``limit``
        (``errno.EFBIG``).
    """
    import errno

    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit:,} bytes, too large for {what}", str(path))
    return data.decode("utf-8-sig")
