"""``summary.md``: the summary tables of a results object as GitHub-flavoured Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventstudy.reporting.summary import format_frame, summary_sections

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = ["summary_markdown", "data_statement"]


def data_statement(res: EventStudyResults) -> str:
    """Return the sentence stating which source, vintage and adjustment served the prices."""
    md = res.provenance
    return (f"Prices: {md.source}, vintage {md.vintage}, "
            f"adjusted for splits and dividends: {str(md.adjusted).lower()}. "
            f"Returns: {md.returns}.")


def summary_markdown(res: EventStudyResults) -> str:
    """Return summary.md.

    Title, description, every table of :func:`~eventstudy.reporting.summary.summary_sections`, then
    the data statement.
    """
    from tabulate import tabulate

    md = res.provenance
    lines = [f"# {md.title or md.study}", ""]
    if md.description:
        lines += [str(md.description), ""]
    for sec in summary_sections(res):
        lines += [f"## {sec.title}", ""]
        if sec.key == "settings":
            lines += [f"- **{k}:** {v}" for k, v in sec.table.itertuples(index=False)]
        else:
            lines.append(tabulate(format_frame(sec.table), headers="keys", tablefmt="github",
                                  showindex=False, disable_numparse=True))
        lines.append("")
        if sec.note:
            lines += [sec.note, ""]
    lines += ["## Data", "", data_statement(res), ""]
    lines += [f"- {note}" for note in md.notes]
    return "\n".join(lines).rstrip() + "\n"
