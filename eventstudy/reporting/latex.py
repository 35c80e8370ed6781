r"""LaTeX tables (booktabs) ready for a paper: ``latex/<table>.tex``, each a ``table`` float.

Needs ``\usepackage{booktabs}`` in the preamble. Numbers are decimals (4 places) as in the CSV
files, except the headline table, which states CAAR in percent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from eventstudy.reporting.summary import (
    format_frame,
    headline_note,
    headline_table,
    tests_note,
    tests_table,
)

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = ["to_booktabs", "latex_tables"]

_ESCAPE = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
           "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _tex(text: object) -> str:
    return "".join(_ESCAPE.get(ch, ch) for ch in str(text))


def _cell(text: object) -> str:
    """Escape a cell; the leading minus of a number becomes a typeset minus (``$-$``)."""
    s = _tex(text)
    return "$-$" + s[1:] if len(s) > 1 and s[0] == "-" and (s[1].isdigit() or s[1] == ".") else s


def to_booktabs(frame: pd.DataFrame, *, caption: str, label: str, note: str = "",
                index: bool = False) -> str:
    r"""Render ``frame`` as a booktabs ``table`` float.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells are formatted with :func:`~eventstudy.reporting.summary.format_number`.
    caption, label : str
        ``\caption`` text and ``\label`` key (``tab:<label>``).
    note : str, optional
        A footnote line under the table.
    index : bool, default False
        Include the index as the first column.
    """
    body = format_frame(frame.reset_index() if index else frame)
    first_text = [not pd.to_numeric(body[c], errors="coerce").notna().all() for c in body.columns]
    align = "".join("l" if i == 0 or (t and c in ("group", "ticker", "event_id", "window"))
                    else "r" for i, (c, t) in enumerate(zip(body.columns, first_text, strict=True)))
    lines = [
        r"\begin{table}[htbp]", r"\centering", rf"\caption{{{_tex(caption)}}}",
        rf"\label{{tab:{label}}}", rf"\begin{{tabular}}{{{align}}}", r"\toprule",
        " & ".join(_tex(c) for c in body.columns) + r" \\", r"\midrule",
    ]
    lines += [" & ".join(_cell(v) for v in row) + r" \\" for row in body.itertuples(index=False)]
    lines += [r"\bottomrule", r"\end{tabular}"]
    if note:
        lines += [r"\par\smallskip", rf"{{\footnotesize {_tex(note)}}}"]
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def latex_tables(res: EventStudyResults) -> dict[str, str]:
    """Return file name -> LaTeX source of the headline, CAAR and test-statistic tables."""
    title = str(res.provenance.title or res.provenance.study)
    caar = res.caar_table()
    return {
        "headline.tex": to_booktabs(
            headline_table(res), index=True, label="headline",
            caption=f"{title}: CAAR by group and event window (percent)",
            note=headline_note(res)),
        "caar.tex": to_booktabs(
            caar, label="caar", caption=f"{title}: CAAR by group and event window (decimals)",
            note="t = CAAR / (s / sqrt(n)) against t(n - 1)."),
        "tests.tex": to_booktabs(
            tests_table(res), label="tests", caption=f"{title}: test statistics",
            note=tests_note(res)),
    }
