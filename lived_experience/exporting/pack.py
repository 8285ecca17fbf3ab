"""The meeting pack: one PDF sent out before a meeting.

Cover (meeting, date and time in UK time, venue or link, protective marking and
handling instruction), contents, the agenda with timings and content notes, who
is invited, access arrangements, actions still open from earlier meetings,
"you said, we did", any decisions and actions of this meeting, then the attached
papers.

Rules the pack keeps:
- The marking (the meeting's own, else the office setting; OFFICIAL-SENSITIVE by
  default because the pack names members) and its handling line are in the
  header and footer of every page, appended papers included, and every page says
  "Page X of Y" counting the papers' pages.
- Appended papers are drawn onto pages the pack itself laid out (a page of the
  paper's size carrying the marking and page number), their content scaled just
  enough to clear the header and footer. Links and form fields inside a paper are
  not carried over.
- Every piece of user text is escaped (``pdf.text``); nothing in the data is markup.
- Pseudonymised, members are "Member A, Member B..." and any member's name that
  appears in free text (titles, notes, actions, feedback) is replaced; a paper
  whose text names a member is left out, and the pack says so.
- "You said, we did" never names anyone and never shows where feedback came from.
- Members' access needs appear only as counts of arrangements to make, never
  against a name, whatever the edition.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.platypus import Flowable
from sqlalchemy import select

from db.enums import (
    Attendance,
    FeedbackStatus,
    InvitationResponse,
    MeetingStatus,
    MeetingType,
    OrganisationKind,
    ParticipationMode,
)
from db.models import (
    AgendaPaper,
    CommissionedService,
    FeedbackItem,
    FeedbackService,
    Invitation,
    Meeting,
    MembershipTerm,
    Organisation,
    OrganisationContact,
    Person,
    StaffUser,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date, uk_datetime, uk_time
from lived_experience.core.uow import get_or_404, unit_of_work
from lived_experience.exporting.files import check_output
from lived_experience.meetings import timing
from lived_experience.meetings.agenda import (
    agenda_rows,
    open_actions_before,
    previous_meetings_query,
)
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import load as load_settings

log = logging.getLogger(__name__)

AUTHOR = "Office of the Police and Crime Commissioner for Leicester, Leicestershire and Rutland"
WITHHELD = "[name withheld]"
CONTENT_NOTE_ADVICE = ("You can step out of this item or skip it, with no need to explain. "
                       "Tell the organiser if you would like support before or after.")


# -- the data the pack is made from (plain values: no session is open while it is built) --------
@dataclass(frozen=True)
class PackPaper:
    id: int
    item_position: int
    title: str
    file_name: str
    content: bytes
    page_count: int | None


@dataclass(frozen=True)
class PackAgendaItem:
    position: int
    starts_at: dt.datetime
    title: str
    presenter: str | None
    minutes: int | None
    content_note: str | None
    service: str | None
    cycle: str | None
    papers: list[str]


@dataclass(frozen=True)
class PackInvitee:
    kind: str  # member | stakeholder
    name: str
    role: str | None  # a stakeholder's job title
    organisation: str | None
    organisation_kind: str | None
    response: str
    attendance: str | None
    participation_mode: str | None
    person_id: int | None = None  # a member's: orders the pseudonyms (never printed)


@dataclass(frozen=True)
class PackAction:
    description: str
    owner: str | None
    due_on: dt.date | None
    status: str
    meeting_title: str
    meeting_starts_at: dt.datetime


@dataclass(frozen=True)
class PackFeedback:
    summary: str
    response: str | None
    not_actioned_reason: str | None
    status: str
    received_on: dt.date
    services: list[str]


@dataclass
class PackData:
    meeting_id: int
    title: str
    meeting_type: str
    programme: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    cancelled_reason: str | None
    organiser: str | None
    venue_name: str | None
    venue_address: str | None
    venue_postcode: str | None
    venue_features: list[str]
    venue_parking: str | None
    venue_transport: str | None
    online_link: str | None
    arrangements: str | None
    description: str | None
    marking: str
    agenda: list[PackAgendaItem]
    invitees: list[PackInvitee]
    access_summary: list[str]
    open_actions: list[PackAction]
    this_meeting_actions: list[PackAction]
    decisions: list[str]
    feedback: list[PackFeedback]
    papers: list[PackPaper]
    member_names: list[tuple[str, ...]] = field(default_factory=list)  # for redaction: (full, first, last, ...)
    produced_by: str = ""
    quiet: list = field(default_factory=list)  # QuietHold: invited members who must not be sent the pack today


@dataclass
class PackResult:
    path: Path
    pages: int
    marking: str
    papers_included: int
    papers_left_out: list[str]
    pseudonymised: bool
    large_print: bool
    do_not_send: list = field(default_factory=list)  # QuietHold: invited members in a quiet period today

    @property
    def quiet_message(self) -> str | None:
        """The line that tells whoever sends the pack whom to leave out (None when nobody)."""
        if not self.do_not_send:
            return None
        n = len(self.do_not_send)
        return (f"Do not send the pack to {n} invited member{'s' if n != 1 else ''} in a quiet period: "
                + "; ".join(h.text for h in self.do_not_send) + ".")


# -- gathering ---------------------------------------------------------------------------------------
def gather(ctx: AppContext, meeting_id: int) -> PackData:
    """Everything the pack prints, read in one unit of work."""
    with unit_of_work(ctx, readonly=True) as s:
        m = get_or_404(s, Meeting, meeting_id, "meeting")
        settings = load_settings(ctx)
        marking = m.protective_marking or settings.protective_marking
        items = agenda_rows(s, m)
        papers: list[PackPaper] = []
        for item in items:
            for p in item.papers:
                row = s.get(AgendaPaper, p.id)
                papers.append(PackPaper(p.id, item.position, p.title, p.file_name, bytes(row.content), p.page_count))
        agenda = [PackAgendaItem(i.position, i.starts_at, i.title, i.presenter, i.minutes, i.content_note, i.service,
                                 i.cycle, [p.title for p in i.papers]) for i in items]

        invitees: list[PackInvitee] = []
        person_ids: list[int] = []
        for inv, first, last, preferred in s.execute(
                select(Invitation, Person.first_name, Person.last_name, Person.preferred_name)
                .join(Person, Person.id == Invitation.person_id)
                .where(Invitation.meeting_id == m.id)):
            person_ids.append(inv.person_id)
            invitees.append(PackInvitee("member", f"{preferred or first} {last}".strip(), None, None, None,
                                        inv.response, inv.attendance, inv.participation_mode, inv.person_id))
        for inv, contact, role, org, kind in s.execute(
                select(Invitation, OrganisationContact.name, OrganisationContact.job_title, Organisation.name,
                       Organisation.kind)
                .join(OrganisationContact, OrganisationContact.id == Invitation.contact_id)
                .join(Organisation, Organisation.id == OrganisationContact.organisation_id)
                .where(Invitation.meeting_id == m.id)):
            invitees.append(PackInvitee("stakeholder", contact, role, org, kind, inv.response, inv.attendance,
                                        inv.participation_mode))
        invitees.sort(key=lambda x: (x.kind != "member", (x.organisation or "").casefold(), x.name.casefold()))

        # Members' access needs, as counts only.
        access: list[str] = []
        if person_ids:
            needs = list(s.execute(select(Person.needs_bsl, Person.interpreter_language, Person.accessibility_needs,
                                          Person.support_person).where(Person.id.in_(person_ids))))
            bsl = sum(1 for n in needs if n.needs_bsl)
            languages: dict[str, int] = {}
            for n in needs:
                if n.interpreter_language and n.interpreter_language.strip():
                    key = n.interpreter_language.strip().capitalize()
                    languages[key] = languages.get(key, 0) + 1
            support = sum(1 for n in needs if n.support_person)
            other = sum(1 for n in needs if n.accessibility_needs and n.accessibility_needs.strip())
            if bsl:
                access.append(f"British Sign Language interpreter: needed by {_people(bsl)}.")
            for lang, n in sorted(languages.items()):
                access.append(f"Interpreter ({lang}): needed by {_people(n)}.")
            if support:
                access.append(f"A support person may come with {_people(support)}.")
            if other:
                access.append(f"Other access needs are recorded for {_people(other)}: the organiser has the details "
                              "and will make the arrangements.")

        prev = previous_meetings_query(m)
        open_actions = [PackAction(a.description, a.owner_name, a.due_on, a.status, a.meeting_title,
                                   a.meeting_starts_at) for a in open_actions_before(s, m)]
        from db.models import MeetingAction, MeetingDecision

        this_actions = [PackAction(a.description, a.owner_name, a.due_on, a.status, m.title, m.starts_at)
                        for a in s.scalars(select(MeetingAction).where(MeetingAction.meeting_id == m.id)
                                           .order_by(MeetingAction.id))]
        decisions = list(s.scalars(select(MeetingDecision.text).where(MeetingDecision.meeting_id == m.id)
                                   .order_by(MeetingDecision.id)))

        # "You said, we did": feedback from earlier meetings (same programme) that has an answer.
        answered = [FeedbackStatus.RESPONSE_AGREED.value, FeedbackStatus.ACTIONED.value,
                    FeedbackStatus.NOT_ACTIONED.value, FeedbackStatus.REPORTED_BACK.value]
        fb_rows = list(s.execute(
            select(FeedbackItem.id, FeedbackItem.summary, FeedbackItem.response, FeedbackItem.not_actioned_reason,
                   FeedbackItem.status, FeedbackItem.received_on)
            .where(FeedbackItem.meeting_id.in_(prev),
                   (FeedbackItem.response.is_not(None)) | (FeedbackItem.status.in_(answered)))
            .order_by(FeedbackItem.received_on, FeedbackItem.id)))
        services: dict[int, list[str]] = {}
        if fb_rows:
            for fid, name in s.execute(
                    select(FeedbackService.feedback_id, CommissionedService.name)
                    .join(CommissionedService, CommissionedService.id == FeedbackService.service_id)
                    .where(FeedbackService.feedback_id.in_([r.id for r in fb_rows]))
                    .order_by(CommissionedService.name)):
                services.setdefault(fid, []).append(name)
        feedback = [PackFeedback(r.summary, r.response, r.not_actioned_reason, r.status, r.received_on,
                                 services.get(r.id, [])) for r in fb_rows
                    if (r.response and r.response.strip()) or (r.not_actioned_reason and r.not_actioned_reason.strip())]

        # Every member's name (and everyone invited), so free text can be cleaned when pseudonymised.
        names_q = select(Person.first_name, Person.last_name, Person.preferred_name).where(
            Person.anonymised_at.is_(None),
            Person.id.in_(select(MembershipTerm.person_id)) | Person.id.in_(person_ids or [-1]))
        member_names = [tuple(x for x in (f"{f} {la}", f"{p} {la}" if p else None, f, la, p) if x)
                        for f, la, p in s.execute(names_q)]

        from lived_experience.members.contact import quiet_holds

        quiet = quiet_holds(s, person_ids)
        organiser = s.get(StaffUser, m.organiser_id).display_name if m.organiser_id else None
        v = m.venue
        features = []
        if v is not None:
            features = [
                "Step-free access" if v.step_free else "No step-free access: tell the organiser if this is a problem",
                "Hearing loop" if v.hearing_loop else "No hearing loop",
                "Quiet room available" if v.quiet_room else "No separate quiet room",
            ]
        return PackData(
            meeting_id=m.id, title=m.title, meeting_type=m.meeting_type,
            programme=m.programme.name if m.programme else None, starts_at=m.starts_at,
            ends_at=timing.ends_at(m.starts_at, m.duration_minutes), status=m.status,
            cancelled_reason=m.cancelled_reason, organiser=organiser,
            venue_name=v.name if v else None, venue_address=v.address if v else None,
            venue_postcode=v.postcode if v else None, venue_features=features,
            venue_parking=v.parking if v else None, venue_transport=v.transport_notes if v else None,
            online_link=m.online_link, arrangements=m.accessibility_arrangements, description=m.description,
            marking=marking, agenda=agenda, invitees=invitees, access_summary=access, open_actions=open_actions,
            this_meeting_actions=this_actions, decisions=decisions, feedback=feedback, papers=papers,
            member_names=member_names, produced_by=ctx.actor.display_name, quiet=quiet,
        )


def _people(n: int) -> str:
    return "1 member" if n == 1 else f"{n} members"


# -- pseudonyms and redaction -------------------------------------------------------------------
def pseudonym(index: int) -> str:
    """0 -> 'Member A', 25 -> 'Member Z', 26 -> 'Member AA'."""
    letters = ""
    n = index
    while True:
        letters = chr(ord("A") + n % 26) + letters
        n = n // 26 - 1
        if n < 0:
            break
    return f"Member {letters}"


def _pseudonym_key(meeting_id: int, invitee: PackInvitee) -> str:
    import hashlib

    who = invitee.person_id if invitee.person_id is not None else invitee.name
    return hashlib.sha256(f"pack-pseudonym:{meeting_id}:{who}".encode()).hexdigest()


class Redactor:
    """Replaces members' names in free text: a full name of someone invited by their
    pseudonym, any other member's name (full, first or last) by "[name withheld]"."""

    def __init__(self, member_names: list[tuple[str, ...]], pseudonyms: dict[str, str]):
        replacements: dict[str, str] = {}
        for names in member_names:
            for n in names:
                n = (n or "").strip()
                if len(n) < 2:
                    continue
                replacements.setdefault(n.casefold(), pseudonyms.get(n.casefold(), WITHHELD))
        for full, alias in pseudonyms.items():
            replacements[full] = alias
        self._map = replacements
        if replacements:
            alternatives = sorted(replacements, key=len, reverse=True)
            self._re = re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in alternatives) + r")(?!\w)",
                                  re.IGNORECASE)
        else:
            self._re = None

    def __call__(self, value):
        if value is None or self._re is None:
            return value
        return self._re.sub(lambda mt: self._map.get(mt.group(0).casefold(), WITHHELD), str(value))

    def names_in(self, value: str) -> bool:
        return bool(value) and self._re is not None and self._re.search(value) is not None


def _identity(value):
    return value


# -- building ------------------------------------------------------------------------------------------
@dataclass
class _Story:
    flowables: list
    templates: list[tuple[str, tuple[float, float]]]
    placeholders: list  # _PaperPage flowables, in order
    papers: list[tuple[PackPaper, object]]  # (paper, pypdf reader) included
    left_out: list[str]


def _paper_pages(paper: PackPaper):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(paper.content), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


def build_story(data: PackData, *, pseudonymise: bool = False, large_print: bool = False,
                papers: bool = True) -> _Story:
    """The pack's flowables (and the page templates its papers need)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        NextPageTemplate,
        PageBreak,
        Spacer,
        Table,
        TableStyle,
    )

    from lived_experience.exporting import pdf

    st = pdf.styles(large_print)
    T = pdf.text  # noqa: N806 - short name for escaping user text into markup
    width = A4[0] - 36 * mm - 12  # A4 less the margins and the frame's padding

    def cols(*fixed):
        """Column widths: None takes what the fixed columns leave."""
        rest = width - sum(f for f in fixed if f is not None)
        return [rest if f is None else f for f in fixed]

    pseudonyms: dict[str, str] = {}
    members = [i for i in data.invitees if i.kind == "member"]
    if pseudonymise:
        # Not in name order: "Member A" must not be whoever comes first alphabetically. The order
        # is the same every time this meeting's pack is made, so the letters do not move.
        members.sort(key=lambda i: _pseudonym_key(data.meeting_id, i))
        for n, inv in enumerate(members):
            pseudonyms[inv.name.casefold()] = pseudonym(n)
    clean = Redactor(data.member_names, pseudonyms) if pseudonymise else _identity
    # Feedback never names anyone, whatever the edition.
    fb_clean = Redactor(data.member_names, {}) if not pseudonymise else clean

    story: list = []
    templates: list[tuple[str, tuple[float, float]]] = []
    placeholders: list = []

    # -- cover -------------------------------------------------------------------------------------
    local_start = clock.to_london(data.starts_at)
    day_text = f"{local_start.strftime('%A')} {uk_date(data.starts_at)}"
    time_text = f"{uk_time(data.starts_at)} to {uk_time(data.ends_at)} (UK time)"
    if clock.to_london(data.ends_at).date() != local_start.date():
        time_text = f"{uk_time(data.starts_at)} to {uk_datetime(data.ends_at)} (UK time)"
    from reportlab.lib.styles import ParagraphStyle

    cover_marking = ParagraphStyle("cover_marking", parent=st.marking, fontSize=st.size * 2,
                                   leading=st.size * 2.5, spaceAfter=st.size * 0.5)
    story.append(pdf.rich(T(data.marking), cover_marking))
    story.append(pdf.rich(f"<para alignment='center'>{T(pdf.HANDLING.get(data.marking, ''))}</para>", st.body))
    story.append(Spacer(1, st.size * 2))
    story.append(pdf.para(clean(data.title), st.title))
    subtitle = MeetingType(data.meeting_type).label
    if data.programme:
        subtitle += f" - {clean(data.programme)}"
    story.append(pdf.rich(f"<para alignment='center'>{T(subtitle)}</para>", st.body))
    story.append(Spacer(1, st.size * 1.5))
    if data.status == MeetingStatus.CANCELLED.value:
        story.append(pdf.rich(f"<b>THIS MEETING IS CANCELLED.</b> {T(clean(data.cancelled_reason or ''))}",
                              st.marking))
    rows = [["When", f"{day_text}, {time_text}"]]
    if data.venue_name:
        where = ", ".join(x for x in (data.venue_name, data.venue_address, data.venue_postcode) if x)
        rows.append(["Where", clean(where)])
    if data.online_link:
        rows.append(["Online", data.online_link])
    if not data.venue_name and not data.online_link:
        rows.append(["Where", "To be confirmed"])
    if data.organiser:
        rows.append(["Organiser", data.organiser])
    rows.append(["Status", MeetingStatus(data.status).label])
    editions = []
    if pseudonymise:
        editions.append("names withheld (members are shown as Member A, Member B...)")
    if large_print:
        editions.append("large print")
    rows.append(["This pack", f"Produced {uk_datetime(clock.now())}" + (f"; {', '.join(editions)}" if editions else "")])
    story.append(pdf.table(rows, st, widths=cols(34 * mm if not large_print else 44 * mm, None), header=False,
                           zebra=False))
    if data.description:
        story.append(Spacer(1, st.size))
        story.append(pdf.para(clean(data.description), st.body))
    story.append(Spacer(1, st.size))
    box = Table([[pdf.rich(f"<b>{T(data.marking)}</b>: {T(pdf.HANDLING.get(data.marking, ''))}", st.body)]],
                colWidths=[width])
    box.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), pdf.FONT),
                             ("BOX", (0, 0), (-1, -1), 1.2, colors.HexColor("#8B0000")),
                             ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                             ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    story.append(box)
    story.append(PageBreak())

    # -- contents ------------------------------------------------------------------------------------
    story.append(pdf.rich("Contents", st.h1))
    story.append(pdf.contents(st))
    story.append(PageBreak())

    # -- agenda ---------------------------------------------------------------------------------------
    story.append(pdf.heading("Agenda", st.h1))
    if data.agenda:
        header = ["Time", "Item", "Minutes"]
        body = [header]
        for item in data.agenda:
            cell = [pdf.rich(f"<b>{item.position}. {T(clean(item.title))}</b>", st.cell)]
            if item.presenter:
                cell.append(pdf.para(f"Presented by {clean(item.presenter)}", st.small))
            if item.content_note:
                cell.append(pdf.rich(f"<b>Content note:</b> {T(_sentence(clean(item.content_note)))} "
                                     f"{T(CONTENT_NOTE_ADVICE)}", st.note))
            links = [x for x in (item.service, item.cycle) if x]
            if links:
                cell.append(pdf.para("About: " + "; ".join(links), st.small))
            for p in item.papers:
                cell.append(pdf.para(f"Paper: {clean(p)}", st.small))
            body.append([uk_time(item.starts_at), cell, str(item.minutes) if item.minutes is not None else ""])
        tw = cols(22 * mm, None, 22 * mm) if not large_print else cols(30 * mm, None, 34 * mm)
        story.append(pdf.table(body, st, widths=tw))
        total = sum(i.minutes or 0 for i in data.agenda)
        planned_end = data.starts_at + dt.timedelta(minutes=total)
        if planned_end > data.ends_at:
            over = int((planned_end - data.ends_at).total_seconds() // 60)
            story.append(pdf.para(f"The agenda adds up to {timing.duration_text(total)}: {over} minutes longer than "
                                  f"the meeting, which ends at {uk_time(data.ends_at)}.", st.note))
        else:
            story.append(pdf.para(f"The meeting ends at {uk_time(data.ends_at)}.", st.small))
    else:
        story.append(pdf.para("The agenda has not been set yet.", st.body))

    # -- who is invited ---------------------------------------------------------------------------------
    story.append(CondPageBreak(st.size * 8))
    story.append(pdf.heading("Who is invited", st.h1))
    held = any(i.attendance for i in data.invitees)
    if members:
        story.append(pdf.heading("Members of the group", st.h2, level=1))
        head = ["Member", "Reply"] + (["Attendance"] if held else [])
        rows = [head]
        for n, inv in enumerate(members):
            name = pseudonym(n) if pseudonymise else inv.name
            row = [name, InvitationResponse(inv.response).label]
            if held:
                row.append(_attendance_text(inv))
            rows.append(row)
        story.append(pdf.table(rows, st, widths=cols(*([None, 45 * mm] + ([50 * mm] if held else []))) if not
                               large_print else cols(*([None, 55 * mm] + ([60 * mm] if held else [])))))
    stakeholders = [i for i in data.invitees if i.kind == "stakeholder"]
    if stakeholders:
        story.append(pdf.heading("Stakeholders", st.h2, level=1))
        head = ["Role" if pseudonymise else "Name", "Organisation", "Reply"] + (["Attendance"] if held else [])
        rows = [head]
        for inv in stakeholders:
            org = inv.organisation or ""
            if inv.organisation_kind:
                org += f" ({OrganisationKind(inv.organisation_kind).label})"
            # The names-withheld edition names no individual: a stakeholder is their role.
            who = (inv.role or "Representative") if pseudonymise else inv.name
            row = [who, org, InvitationResponse(inv.response).label]
            if held:
                row.append(_attendance_text(inv))
            rows.append(row)
        fixed = [None, None, 28 * mm] + ([40 * mm] if held else [])
        if large_print:
            fixed = [None, None, 36 * mm] + ([50 * mm] if held else [])
        both = width - sum(f for f in fixed if f is not None)
        story.append(pdf.table(rows, st, widths=[both * 0.42, both * 0.58] + fixed[2:]))
    if not data.invitees:
        story.append(pdf.para("Nobody has been invited yet.", st.body))

    # -- access arrangements ------------------------------------------------------------------------------
    story.append(CondPageBreak(st.size * 8))
    story.append(pdf.heading("Access arrangements", st.h1))
    if data.venue_name:
        story.append(pdf.heading(f"At {clean(data.venue_name)}", st.h2, level=1))
        lines = list(data.venue_features)
        if data.venue_parking:
            lines.append(f"Parking: {clean(data.venue_parking)}")
        if data.venue_transport:
            lines.append(f"Public transport: {clean(data.venue_transport)}")
        for line in lines:
            story.append(pdf.para(f"• {line}", st.body))
    if data.online_link:
        story.append(pdf.heading("Joining online", st.h2, level=1))
        story.append(pdf.para(f"Join at {data.online_link}. Cameras can stay off; you can use the chat instead "
                              "of speaking.", st.body))
    story.append(pdf.heading("For this meeting", st.h2, level=1))
    if data.arrangements:
        story.append(pdf.para(clean(data.arrangements), st.body))
    for line in data.access_summary:
        story.append(pdf.para(f"• {line}", st.body))
    if not data.arrangements and not data.access_summary:
        story.append(pdf.para("No special arrangements are recorded yet. Tell the organiser what would help you "
                              "take part.", st.body))

    # -- open actions ------------------------------------------------------------------------------------------
    story.append(CondPageBreak(st.size * 8))
    story.append(pdf.heading("Actions from earlier meetings", st.h1))
    def action_list(actions: list[PackAction], *, with_meeting: bool) -> None:
        if large_print:
            # Four columns do not fit at 16 pt: one paragraph per action instead.
            for a in actions:
                story.append(pdf.para(f"• {clean(a.description)}", ParagraphStyle("act", parent=st.body,
                                                                                 keepWithNext=1, spaceAfter=2)))
                bits = [f"Owner: {clean(a.owner)}" if a.owner else None,
                        f"Due {uk_date(a.due_on)}" if a.due_on else None, _action_status(a.status)]
                if with_meeting:
                    bits.append(f"from {clean(a.meeting_title)}, {uk_date(a.meeting_starts_at)}")
                story.append(pdf.para("; ".join(b for b in bits if b), ParagraphStyle(
                    "act_meta", parent=st.small, leftIndent=st.size, spaceAfter=st.size * 0.6)))
            return
        rows = [["Action", "Owner", "Due", "Status"]]
        for a in actions:
            cell = [pdf.para(clean(a.description), st.cell)]
            if with_meeting:
                cell.append(pdf.para(f"From {clean(a.meeting_title)}, {uk_date(a.meeting_starts_at)}", st.small))
            rows.append([cell, clean(a.owner) or "", uk_date(a.due_on), _action_status(a.status)])
        story.append(pdf.table(rows, st, widths=cols(None, 38 * mm, 25 * mm, 25 * mm)))

    if data.open_actions:
        action_list(data.open_actions, with_meeting=True)
    else:
        story.append(pdf.para("No actions are still open from earlier meetings.", st.body))

    # -- you said, we did ---------------------------------------------------------------------------------------
    story.append(CondPageBreak(st.size * 8))
    story.append(pdf.heading("You said, we did", st.h1))
    if data.feedback:
        story.append(pdf.para("What members told us at earlier meetings, and what happened. No one is named.",
                              ParagraphStyle("intro", parent=st.small, keepWithNext=1)))
        said = ParagraphStyle("said", parent=st.body, keepWithNext=1)
        for f in data.feedback:
            # "You said" and "We did" stay with the line below them, so an item never starts
            # at the foot of one page and ends on the next.
            story.append(pdf.rich(f"<b>You said:</b> {T(fb_clean(f.summary))}", said))
            if f.status == FeedbackStatus.NOT_ACTIONED.value:
                why = f.not_actioned_reason or f.response or ""
                story.append(pdf.rich(f"<b>We did not take this forward, because:</b> {T(fb_clean(why))}", said))
            else:
                story.append(pdf.rich(f"<b>We did:</b> {T(fb_clean(f.response or ''))}", said))
            extra = f"{FeedbackStatus(f.status).label}; raised {uk_date(f.received_on)}"
            if f.services:
                extra += "; " + ", ".join(f.services)
            story.append(pdf.para(extra, ParagraphStyle("said_meta", parent=st.small, spaceAfter=st.size)))
    else:
        story.append(pdf.para("Nothing to report back yet.", st.body))

    # -- this meeting's decisions and actions (a pack made after the meeting) -----------------------------
    if data.decisions or data.this_meeting_actions:
        story.append(CondPageBreak(st.size * 8))
        story.append(pdf.heading("Decisions and actions from this meeting", st.h1))
        if data.decisions:
            story.append(pdf.heading("Decisions", st.h2, level=1))
        for d in data.decisions:
            story.append(pdf.para(f"• {clean(d)}", st.body))
        if data.this_meeting_actions:
            story.append(pdf.heading("Actions", st.h2, level=1))
            action_list(data.this_meeting_actions, with_meeting=False)

    # -- papers --------------------------------------------------------------------------------------------------
    included: list[tuple[PackPaper, object]] = []
    left_out: list[str] = []
    if data.papers and papers:
        readers = []
        for p in data.papers:
            try:
                reader = _paper_pages(p)
                n_pages = len(reader.pages)
            except Exception as exc:  # noqa: BLE001 - a stored paper that no longer reads is left out, said so
                log.warning("paper %s could not be read for the pack: %s", p.id, type(exc).__name__)
                left_out.append(f"{p.title}: the file could not be read")
                continue
            if pseudonymise and isinstance(clean, Redactor):
                try:
                    words = " ".join((pg.extract_text() or "") for pg in reader.pages)
                except Exception:  # noqa: BLE001 - if we cannot read its text we cannot vouch for it
                    words = None
                if words is None or clean.names_in(words):
                    left_out.append(f"{clean(p.title)}: it names a member, so it is left out of this edition")
                    continue
            readers.append((p, reader, n_pages))
        story.append(PageBreak())
        story.append(pdf.heading("Papers", st.h1))
        if readers:
            for p, _reader, n in readers:
                story.append(pdf.para(f"Item {p.item_position}: {clean(p.title)} ({n} page{'s' if n != 1 else ''})",
                                      st.body))
        for line in left_out:
            story.append(pdf.para(f"Not included: {line}.", st.note))
        sizes: dict[tuple[float, float], str] = {}
        for p, reader, _n in readers:
            included.append((p, reader))
            for k, page in enumerate(reader.pages):
                w, h = pdf.imported_page_size(page)
                key = (round(w, 2), round(h, 2))
                if key not in sizes:
                    sizes[key] = f"paper-{len(sizes) + 1}"
                    templates.append((sizes[key], key))
                story.append(NextPageTemplate(sizes[key]))
                story.append(PageBreak())
                ph = _PaperPage(p, page, k, f"{clean(p.title)}" if k == 0 else None, large_print=large_print)
                placeholders.append(ph)
                story.append(ph)
    elif data.papers:
        left_out = [p.title for p in data.papers]
    return _Story(story, templates, placeholders, included, left_out)


def _sentence(value: str) -> str:
    """User text that ends as a sentence, so the advice after it reads on."""
    value = (value or "").rstrip()
    return value if not value or value[-1] in ".!?:;)\"'’”" else value + "."


def _attendance_text(inv: PackInvitee) -> str:
    if not inv.attendance:
        return ""
    text = Attendance(inv.attendance).label
    if inv.participation_mode:
        text += f" ({ParticipationMode(inv.participation_mode).label.lower()})"
    return text


def _action_status(value: str) -> str:
    from db.enums import ActionStatus

    try:
        return ActionStatus(value).label
    except ValueError:
        return value


class _PaperPage(Flowable):
    """A page of the pack that carries one page of an attached paper, drawn under the
    page's header and footer (which the numbered canvas adds), scaled just enough to
    clear them."""

    BAND = 16 * 72 / 25.4  # 16 mm top and bottom for the marking and the page number

    def __init__(self, paper: PackPaper, page, index: int, toc_title: str | None, *, large_print: bool = False):
        super().__init__()
        self.paper = paper
        self.page = page  # a pypdf page
        self.index = index
        if large_print:  # the 16 pt marking, handling line and footer need more room
            from lived_experience.exporting.pdf import page_bands

            top, bottom = page_bands(True)
            self.bands = (top - 4 * 72 / 25.4, bottom - 4 * 72 / 25.4)
        else:
            self.bands = (self.BAND, self.BAND)
        if toc_title is not None:
            self._toc_level = 1
            self._toc_text = f"Paper: {toc_title}"

    def wrap(self, aw, ah):
        return 0, 0

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - reportlab API; draws at page, not frame, position
        from lived_experience.exporting import pdf

        w, h = canvas._pagesize
        pdf.draw_imported_page(canvas, self.page, f"{self.paper.id}_{self.index}",
                               box=(self.BAND / 2, self.bands[1], w - self.BAND, h - sum(self.bands)))


# -- the export ---------------------------------------------------------------------------------------
def export_pack(ctx: AppContext, meeting_id: int, output: str | Path, *, pseudonymise: bool = False,
                large_print: bool = False, progress: Callable[[int, int], None] | None = None) -> PackResult:
    """Write the meeting pack to ``output`` (atomically) and audit the export."""
    require(ctx, Perm.EXPORT, entity="meeting", entity_id=meeting_id)
    output = check_output(Path(output), ".pdf", "meeting-pack.pdf")
    report = progress or (lambda _d, _t: None)
    report(0, 100)
    data = gather(ctx, meeting_id)
    report(10, 100)
    story = build_story(data, pseudonymise=pseudonymise, large_print=large_print)
    report(20, 100)

    from lived_experience.exporting import pdf

    title = data.title
    if pseudonymise:
        title = Redactor(data.member_names, {})(title)
    info = pdf.DocInfo(title=f"Meeting pack: {title}", subject=f"Meeting pack for {uk_date(data.starts_at)}",
                       author=AUTHOR, marking=data.marking, large_print=large_print)

    def build_progress(done: int, total: int) -> None:
        report(20 + int(70 * done / max(total, 1)), 100)

    try:
        pdf.build(output, story.flowables, info, progress=build_progress, multi_pass=True,
                  extra_templates=story.templates)
    except OSError as exc:
        names = {str(output), str(output) + ".partial"}
        if isinstance(exc, PermissionError) or str(getattr(exc, "filename", "")) in names or exc.errno == 28:
            raise UserError(f"The pack cannot be written to {output} ({exc.strerror or 'refused'}): check you may "
                            "save in that folder and that the file is not open in another program.") from None
        raise
    from pypdf import PdfReader

    pages = len(PdfReader(str(output)).pages)
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "meeting.pack_export", entity="meeting", entity_id=meeting_id,
                     fields=["agenda", "invitations", "actions", "feedback", "papers"],
                     detail=", ".join(x for x in ("pseudonymised" if pseudonymise else "named",
                                                   "large print" if large_print else "standard print",
                                                   f"{pages} pages") if x))
    report(100, 100)
    log.info("meeting pack for meeting %s written: %s pages", meeting_id, pages)
    return PackResult(output, pages, data.marking, len(story.papers), story.left_out, pseudonymise, large_print,
                      list(data.quiet))
