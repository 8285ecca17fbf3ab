"""The "You said, we did" PDF for members: what was said in a period and what was done.

Names nobody. A member's feedback is shown under a pseudonym that holds only
within one edition (Member A, Member B... in order of first appearance), so
members can see their points were heard without being identified. Feedback
given anonymously is only ever "Anonymous": it never shares a pseudonym with the
same member's other points (that would link them). Stakeholders are "a partner
organisation". Quotes are left out: the summary is what members read.

Marked OFFICIAL (it names nobody); every page carries the marking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from sqlalchemy import select

from db.enums import FeedbackSource, FeedbackStatus
from db.models import FeedbackItem, FeedbackTheme, Meeting, Theme
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting import pdf, xlsx
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

MARKING = "OFFICIAL"
S = FeedbackStatus


@dataclass(frozen=True)
class MemberItem:
    """One line of the report, already without names."""

    ref: str
    summary: str
    themes: list[str]
    source: str
    received_on: dt.date
    status: str
    we_did: str


@dataclass
class ReportResult:
    path: Path
    items: int
    pages: int


def pseudonym(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA..."""
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"Member {letters}"


def _we_did(item, status: FeedbackStatus, today: dt.date | None = None) -> str:
    """What members read under "We did". A due date is only promised while it is ahead:
    one that has passed is not repeated back to members as if it still held."""
    today = today or clock.today()
    due_on = item.response_due_on
    ahead = due_on is not None and due_on >= today
    if status is S.NOT_ACTIONED or (status is S.REPORTED_BACK and item.not_actioned_reason):
        return f"We could not do this: {item.not_actioned_reason}"
    if status in (S.ACTIONED, S.REPORTED_BACK):
        return item.response or "Done."
    if status is S.RESPONSE_AGREED:
        when = f" (due by {uk_date(due_on)})" if ahead else (" (taking longer than we planned)" if due_on else "")
        return f"Agreed, under way{when}: {item.response}" if item.response else f"Agreed, under way{when}."
    if ahead:
        return f"We are considering this. We will tell you what happens by {uk_date(due_on)}."
    if due_on is not None:
        return "We are still considering this: it is taking longer than we planned, and we will tell you what happens."
    return "We are considering this."


def member_items(ctx: AppContext, date_from: dt.date, date_to: dt.date) -> list[MemberItem]:
    """The items received in the period, in date order, as members will read them."""
    require(ctx, Perm.READ)
    if date_to < date_from:
        raise ValidationError(f"The period ends ({uk_date(date_to)}) before it starts ({uk_date(date_from)}).")
    with unit_of_work(ctx, readonly=True) as s:
        rows = s.execute(
            select(FeedbackItem, Meeting.title)
            .outerjoin(Meeting, Meeting.id == FeedbackItem.meeting_id)
            .where(FeedbackItem.received_on >= date_from, FeedbackItem.received_on <= date_to)
            .order_by(FeedbackItem.received_on, FeedbackItem.id)
        ).all()
        ids = [r[0].id for r in rows]
        themes: dict[int, list[str]] = {}
        if ids:
            for fid, name in s.execute(
                select(FeedbackTheme.feedback_id, Theme.name).join(Theme, Theme.id == FeedbackTheme.theme_id)
                .where(FeedbackTheme.feedback_id.in_(ids)).order_by(Theme.name)
            ):
                themes.setdefault(fid, []).append(name)
        letters: dict[int, str] = {}
        out = []
        for item, mtitle in rows:
            status = FeedbackStatus(item.status)
            kind = FeedbackSource(item.source_kind)
            if item.anonymous or kind is FeedbackSource.ANONYMOUS:
                who = "Anonymous"
            elif item.person_id is not None:
                who = letters.setdefault(item.person_id, pseudonym(len(letters)))
            elif kind is FeedbackSource.STAKEHOLDER:
                who = "A partner organisation"
            elif kind is FeedbackSource.WRITTEN_SUBMISSION:
                who = "A written submission"
            else:
                who = "The group"
            source = f"{who}, at {mtitle}" if mtitle else who
            out.append(MemberItem(f"{len(out) + 1}", item.summary, themes.get(item.id, []), source,
                                  item.received_on, status.value, _we_did(item, status)))
    return out


SECTIONS = [
    ("What changed", "Things we did because of what you told us.",
     lambda i: i.status in (S.ACTIONED.value,) or (i.status == S.REPORTED_BACK.value
                                                     and not i.we_did.startswith("We could not"))),
    ("What we could not do, and why", "Things we looked at carefully but could not do, with the reason.",
     lambda i: i.status == S.NOT_ACTIONED.value or (i.status == S.REPORTED_BACK.value
                                                     and i.we_did.startswith("We could not"))),
    ("Still being worked on", "Things we are still considering or have agreed to do.",
     lambda i: i.status in (S.NEW.value, S.UNDER_CONSIDERATION.value, S.RESPONSE_AGREED.value)),
]


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def write_you_said_we_did(ctx: AppContext, output: Path, date_from: dt.date, date_to: dt.date, *,
                          large_print: bool = False,
                          progress: Callable[[int, int], None] | None = None) -> ReportResult:
    require(ctx, Perm.EXPORT, entity="feedback_item")
    output = xlsx.check_output(Path(output), ".pdf", "you-said-we-did.pdf")
    items = member_items(ctx, date_from, date_to)
    st = pdf.styles(large_print)
    period = f"{uk_date(date_from)} to {uk_date(date_to)}"
    story: list = [
        pdf.para("You said, we did", st.title),
        pdf.para(f"Victims and Lived Experience Group: feedback received {period}", st.h2),
        pdf.para("This is what members of the group told the Office of the Police and Crime Commissioner for "
                 "Leicester, Leicestershire and Rutland, and what we did about it. Nobody is named. A member's "
                 "points are shown as Member A, Member B and so on; the letters are different in every edition. "
                 "Feedback given anonymously is shown only as 'Anonymous'.", st.body),
    ]
    summary_rows = [["", "Items"], ["Feedback received in the period", str(len(items))]]
    for title, _intro, test in SECTIONS:
        summary_rows.append([title, str(sum(1 for i in items if test(i)))])
    story.append(pdf.table(summary_rows, st, widths=[120 * mm, 30 * mm]))
    if not items:
        story.append(pdf.para(f"No feedback was received between {uk_date(date_from)} and {uk_date(date_to)}.",
                              st.note))
    width = 174 * mm
    for title, intro, test in SECTIONS:
        chosen = [i for i in items if test(i)]
        if not chosen:
            continue
        story.append(pdf.para(f"{title} ({len(chosen)})", st.h2))
        story.append(pdf.para(intro, st.body))
        rows = [["", "You said", "We did"]]
        for i in chosen:
            said = pdf.rich(
                f"{pdf.text(i.summary)}<br/><font size='{st.size * 0.85:.1f}' color='#444444'>"
                f"{pdf.text(i.source)}; {uk_date(i.received_on)}"
                + (f"<br/>Themes: {pdf.text(', '.join(i.themes))}" if i.themes else "")
                + "</font>", st.cell)
            rows.append([i.ref, said, pdf.para(i.we_did, st.cell)])
        story.append(pdf.table(rows, st, widths=[0.07 * width, 0.50 * width, 0.43 * width]))
    info = pdf.DocInfo(title="You said, we did", subject=f"Feedback from the Victims and Lived Experience Group, {period}",
                       author="Office of the Police and Crime Commissioner for Leicester, Leicestershire and Rutland",
                       marking=MARKING, large_print=large_print)
    try:
        pdf.build(output, story, info, progress=progress)
    except OSError as exc:
        raise UserError(f"The PDF could not be written to {output}: it is read-only or open in another program "
                        f"({exc.strerror}).") from None
    pages = page_count(output)
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "export", entity="feedback_item",
                     detail=f"you said, we did {period}: {len(items)} items, {pages} pages to {audit.where(output)}")
    if progress:
        progress(1, 1)
    return ReportResult(output, len(items), pages)
