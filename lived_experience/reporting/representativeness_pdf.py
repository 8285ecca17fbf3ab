"""The representativeness report as a PDF (``export-representativeness``, Reports > Export PDF).

Marked OFFICIAL: it names nobody and every small number is suppressed. Each
characteristic has a table (applicants per window, over all windows, members,
and the LLR population) and a bar chart beside it, then the channel tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_datetime
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting import pdf
from lived_experience.reporting.charts import bar_chart
from lived_experience.reporting.representativeness import (
    ALL,
    MEMBERS,
    RepresentativenessReport,
    TopicTable,
    build_report,
)
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

MARKING = "OFFICIAL"
TITLE = "Representativeness of the Victims and Lived Experience Group"


@dataclass
class PdfResult:
    path: Path
    pages: int | None = None


def export_representativeness(ctx: AppContext, output: Path, *, window_id: int | None = None,
                              progress: Callable[[int, int], None] | None = None) -> PdfResult:
    require(ctx, Perm.EQUALITY_READ, entity="equality_monitoring")
    require(ctx, Perm.EXPORT, entity="equality_monitoring")
    output = Path(output)
    if output.suffix.lower() != ".pdf":
        raise UserError("The report must be saved as a .pdf file (for example representativeness.pdf).")
    if output.is_dir():
        raise UserError(f"{output} is a folder: give the file a name.")
    report = build_report(ctx, window_id, audit_view=False)
    if progress:
        progress(1, 3)
    story = story_for(report)
    if progress:
        progress(2, 3)
    info = pdf.DocInfo(TITLE, "Applicants and members compared with the population of LLR", ctx.actor.display_name,
                       MARKING)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        pdf.build(output, story, info)
    except OSError as exc:
        raise UserError(f"The report could not be written to {output}: {exc.strerror}.") from None
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "export", entity="equality_monitoring",
                     detail=f"representativeness report to {audit.where(output)}"
                            + (f", window {window_id}" if window_id else ""))
    if progress:
        progress(3, 3)
    return PdfResult(output)


def _populations(report: RepresentativenessReport):
    """The columns: the chosen window (or every window), all windows, members."""
    windows = [report.chosen] if report.window_id is not None else report.windows
    return windows, report.all_windows, report.members


def story_for(report: RepresentativenessReport) -> list:
    st = pdf.styles()
    small = pdf.styles().small
    story: list = [
        pdf.para(TITLE, st.title),
        pdf.para("Applicants and members compared with the population of Leicester, Leicestershire and Rutland "
                 "(Census 2021). Nobody is named; small numbers are suppressed.", st.body),
        pdf.para(f"Produced {uk_datetime(report.generated_at)}.", st.small),
    ]
    windows, all_pop, members = _populations(report)
    who = report.chosen.label if report.window_id is not None else "every recruitment window"
    story.append(pdf.para(
        f"Applicants: {who} ({report.chosen.total_text} counted); all windows together: {all_pop.total_text}; "
        f"members now: {members.total_text}.", st.body))
    story.append(pdf.para("How to read this report", st.h2))
    for note in report.notes:
        story.append(pdf.para(note, st.body))
    for table in report.tables:
        story.append(CondPageBreak(90 * mm))
        story.extend(_topic_section(report, table, st, small))
    story.append(CondPageBreak(80 * mm))
    story.append(pdf.para("Which recruitment channels reached which groups", st.h2))
    story.append(pdf.para(
        "Applicants over all windows, by how they heard about the group (rows) and each characteristic "
        "(columns). The same suppression applies: these tables and the ones above cannot be combined to "
        "work out a hidden count.", st.body))
    for table in report.tables:
        story.append(KeepTogether(_channel_section(table, st)))
    story.append(Spacer(1, 6 * mm))
    story.append(pdf.para("End of report", st.h3))
    return story


def _window_heading(report: RepresentativenessReport, index: int) -> str:
    return "This window" if report.window_id is not None else f"W{index + 1}"


def _compact_styles(st):
    from reportlab.lib.styles import ParagraphStyle

    head = ParagraphStyle("compact_head", parent=st.cell_bold, fontSize=st.size * 0.78, leading=st.size * 0.98)
    body = ParagraphStyle("compact", parent=st.cell, fontSize=st.size * 0.78, leading=st.size * 0.98)
    return head, body


def _compact(rows: list[list[str]], st) -> list[list]:
    """Table cells in a smaller type, so that several columns of numbers fit across A4."""
    from reportlab.lib.styles import ParagraphStyle

    head, body = _compact_styles(st)
    # The counts are right-aligned, so that their digits line up; the group names are not.
    head_r = ParagraphStyle("compact_head_r", parent=head, alignment=2)
    body_r = ParagraphStyle("compact_r", parent=body, alignment=2)
    return [[pdf.para(_keep_number(v), (head, head_r)[c > 0] if r == 0 else (body, body_r)[c > 0])
             for c, v in enumerate(row)] for r, row in enumerate(rows)]


def _keep_number(text: str) -> str:
    """"fewer than 5" may wrap after "fewer", never leave the 5 alone on a line."""
    return text.replace(" than 5", " than\u00a05")


PAD = 8 + 2  # the table's left and right cell padding, and a little air


def _fitted_widths(rows: list[list[str]], st, *, first_min: float, total: float = 174 * mm) -> list[float]:
    """Column widths for a table of counts: every column at least as wide as its longest word (a
    heading breaks between words, never inside one), as wide as its longest value ("fewer than 5" on
    one line) where the page allows, and the first column (the group names) taking the rest."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    head, body = _compact_styles(st)

    def width(text: str, style) -> float:
        return stringWidth(text, style.fontName, style.fontSize)

    def longest_word(text: str, style) -> float:
        return max((width(w, style) for w in _keep_number(text).split(" ")), default=0)

    least, most = [], []
    for c in range(1, len(rows[0])):
        words = max([longest_word(rows[0][c], head)] + [longest_word(r[c], body) for r in rows[1:]])
        whole = max([longest_word(rows[0][c], head)] + [width(r[c], body) for r in rows[1:]])
        least.append(words + PAD)
        most.append(max(whole, words) + PAD)
    room = total - first_min
    if sum(most) <= room:
        others = most
    elif sum(least) >= room:
        others = least
    else:  # between the two: every column gives up the same share of what it could lose
        share = (sum(most) - room) / (sum(most) - sum(least))
        others = [m - (m - lo) * share for m, lo in zip(most, least, strict=True)]
    return [max(total - sum(others), first_min)] + others


def _lower_first(title: str) -> str:
    """'Disability (Equality Act 2010)' reads 'disability (Equality Act 2010)' inside a sentence."""
    return title[:1].lower() + title[1:]


def _topic_section(report: RepresentativenessReport, table: TopicTable, st, small) -> list:
    windows, all_pop, members = _populations(report)
    header = (["Group"] + [_window_heading(report, i) for i in range(len(windows))]
              + ["All windows", "%", "Members now", "%", "LLR %"])
    rows = [header]
    for cat in table.topic.categories:
        row = [cat.label]
        for w in windows:
            row.append(table.figure(w.key, cat.key).text)
        a = table.figure(ALL, cat.key)
        m = table.figure(MEMBERS, cat.key)
        row += [a.text, a.percent_text, m.text, m.percent_text,
                "" if cat.census is None else f"{cat.census:.1f}%"]
        rows.append(row)
    rows.append(["Everyone counted"] + [w.total_text for w in windows]
                + [all_pop.total_text, "100%" if all_pop.total else "", members.total_text,
                   "100%" if members.total else "", "100%"])
    total_w = 174 * mm
    key = "; ".join(f"{_window_heading(report, i)}: {w.label} ({w.total_text} applicants)"
                    for i, w in enumerate(windows))
    head = [pdf.para(table.topic.title, st.h2), pdf.para(table.topic.census_note, small),
            *[pdf.para(why, st.cell_bold) for why in table.withheld],
            pdf.para(key, small),
            pdf.table(_compact(rows, st), st, widths=_fitted_widths(rows, st, first_min=34 * mm)),
            pdf.para("LLR %: the share of the population of Leicester, Leicestershire and Rutland in the 2021 "
                     "Census.", small)]
    chosen = report.chosen
    cats = list(table.topic.categories)
    series = [
        (f"Applicants: {chosen.label}", [table.figure(chosen.key, c.key).percent for c in cats]),
        ("Members now", [table.figure(MEMBERS, c.key).percent for c in cats]),
        ("LLR population", [c.census for c in cats]),
    ]
    chart = bar_chart([c.heading for c in cats], series, width=total_w,
                      title=f"{table.topic.title}: percentages (no bar where the count is not shown)")
    return [KeepTogether(head), Spacer(1, 3 * mm), chart]


def _channel_section(table: TopicTable, st) -> list:
    cats = list(table.topic.categories)
    header = ["Channel", "Everyone"] + [c.heading for c in cats]
    rows = [header]
    for ch, label in table.channels:
        rows.append([label, table.channel_totals[ch].text] + [table.channel_figures[(ch, c.key)].text for c in cats])
    if len(rows) == 1:
        rows.append(["No applicants yet", ""] + [""] * len(cats))
    return [pdf.para(f"Channels by {_lower_first(table.topic.title)}", st.h3),
            pdf.table(_compact(rows, st), st, widths=_fitted_widths(rows, st, first_min=30 * mm))]
