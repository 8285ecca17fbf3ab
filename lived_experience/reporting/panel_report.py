"""The Police and Crime Panel report for a period, as a PDF marked OFFICIAL.

It takes the shape of the OPCC's Panel reports: the Panel's name and date, a
box with Report Date, Report Author and Security Classification, then Purpose
of Report, Request of the Panel and Summary, numbered paragraphs throughout,
tables, and "End of Report".

It holds counts and the office's own words only: no member, applicant or
contact is named, "you said, we did" quotes the summary and the response (never
the source), and DBS compliance is a count of members with a cleared, in-date
check on the last day of the period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer
from sqlalchemy import case, func, select

from db.enums import Attendance, Channel, FeedbackStatus, MeetingStatus, MeetingType, Stage
from db.models import (
    Application,
    CommissionedService,
    DbsCheck,
    FeedbackItem,
    FeedbackService,
    FeedbackTheme,
    Invitation,
    Meeting,
    MembershipTerm,
    RecruitmentWindow,
    StageChange,
    Theme,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting import pdf
from lived_experience.members.status import (
    dbs_is_cleared,
    dbs_status,
    effective_check,
    is_active_on,
)
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import load as load_settings

MARKING = "OFFICIAL"
PANEL = "Police and Crime Panel for Leicester, Leicestershire and Rutland"
SUBJECT = "Victims and Lived Experience Group"
HIGHLIGHTS = 6


# -- what the report says, gathered in one unit of work -------------------------------------------
@dataclass
class WindowLine:
    name: str
    opens_on: dt.date
    closes_on: dt.date
    places: int
    applications: int
    appointed: int


@dataclass
class MeetingLine:
    day: dt.date
    title: str
    kind: str
    members_invited: int
    members_attended: int
    stakeholders_attended: int


@dataclass
class PanelFigures:
    start: dt.date
    end: dt.date
    windows: list[WindowLine] = field(default_factory=list)
    applications_received: int = 0
    channels: list[tuple[str, int]] = field(default_factory=list)
    shortlisted: int = 0
    appointed: int = 0
    members_at_end: int = 0
    max_members: int = 10
    term_months: int = 18
    ending_soon_days: int = 90
    terms_started: int = 0
    terms_ended: int = 0
    terms_ending_soon: int = 0
    meetings: list[MeetingLine] = field(default_factory=list)
    meetings_cancelled: int = 0
    feedback_received: int = 0
    feedback_by_theme: list[tuple[str, int]] = field(default_factory=list)
    feedback_by_service: list[tuple[str, int]] = field(default_factory=list)
    feedback_responded: int = 0
    feedback_anonymous: int = 0
    highlights: list[tuple[str, str]] = field(default_factory=list)  # (you said, we did)
    dbs_included: bool = False
    dbs_cleared: int = 0
    dbs_members: int = 0


def _utc_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as UTC moments: from the start of ``start`` to the end of ``end``, UK time."""
    lo = clock.london_to_utc(dt.datetime.combine(start, dt.time()))
    hi = clock.london_to_utc(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    return lo, hi


def gather(ctx: AppContext, start: dt.date, end: dt.date) -> PanelFigures:
    require(ctx, Perm.READ)
    if end < start:
        raise ValidationError(f"The period must end on or after its start ({uk_date(start)}).")
    if (end - start).days > 3 * 366:
        raise ValidationError("A Panel report covers at most three years.")
    cfg = load_settings(ctx)
    lo, hi = _utc_range(start, end)
    f = PanelFigures(start, end, max_members=cfg.max_active_members, term_months=cfg.term_months,
                     ending_soon_days=cfg.ending_soon_days)
    with unit_of_work(ctx, readonly=True) as s:
        # Recruitment.
        for w in s.execute(
            select(RecruitmentWindow.id, RecruitmentWindow.name, RecruitmentWindow.opens_on,
                   RecruitmentWindow.closes_on, RecruitmentWindow.places)
            .where(RecruitmentWindow.opens_on <= end, RecruitmentWindow.closes_on >= start)
            .order_by(RecruitmentWindow.opens_on)
        ):
            apps = s.scalar(select(func.count(Application.id)).where(Application.window_id == w.id)) or 0
            appointed = s.scalar(select(func.count(Application.id)).where(
                Application.window_id == w.id, Application.stage == Stage.MEMBER.value)) or 0
            f.windows.append(WindowLine(w.name, w.opens_on, w.closes_on, w.places, apps, appointed))
        received = Application.received_at.between(lo, hi - dt.timedelta(microseconds=1))
        f.applications_received = s.scalar(select(func.count(Application.id)).where(received)) or 0
        heard = Counter(h or "" for h in s.scalars(select(Application.how_heard).where(received)))
        f.channels = sorted(((_label(Channel, k) if k else "Not stated", n) for k, n in heard.items()),
                            key=lambda x: (-x[1], x[0]))
        in_period = StageChange.changed_at.between(lo, hi - dt.timedelta(microseconds=1))
        f.shortlisted = s.scalar(select(func.count(func.distinct(StageChange.application_id))).where(
            in_period, StageChange.to_stage == Stage.SHORTLISTED.value)) or 0
        # Membership.
        f.members_at_end = s.scalar(select(func.count(MembershipTerm.id)).where(is_active_on(end))) or 0
        f.terms_started = s.scalar(select(func.count(MembershipTerm.id)).where(
            MembershipTerm.starts_on.between(start, end))) or 0
        f.appointed = f.terms_started
        f.terms_ended = s.scalar(select(func.count(MembershipTerm.id)).where(
            MembershipTerm.ends_on.between(start, end))) or 0
        f.terms_ending_soon = s.scalar(select(func.count(MembershipTerm.id)).where(
            is_active_on(end), MembershipTerm.ends_on <= end + dt.timedelta(days=cfg.ending_soon_days))) or 0
        # Meetings.
        attended = (Attendance.ATTENDED.value, Attendance.LEFT_EARLY.value)
        for m in s.execute(
            select(Meeting.id, Meeting.title, Meeting.meeting_type, Meeting.starts_at)
            .where(Meeting.starts_at >= lo, Meeting.starts_at < hi, Meeting.status == MeetingStatus.HELD.value)
            .order_by(Meeting.starts_at)
        ):
            inv = s.execute(select(Invitation.person_id, Invitation.contact_id, Invitation.attendance)
                            .where(Invitation.meeting_id == m.id)).all()
            f.meetings.append(MeetingLine(
                clock.to_london(m.starts_at).date(), m.title, _label(MeetingType, m.meeting_type),
                sum(1 for i in inv if i.person_id is not None),
                sum(1 for i in inv if i.person_id is not None and i.attendance in attended),
                sum(1 for i in inv if i.contact_id is not None and i.attendance in attended)))
        f.meetings_cancelled = s.scalar(select(func.count(Meeting.id)).where(
            Meeting.starts_at >= lo, Meeting.starts_at < hi, Meeting.status == MeetingStatus.CANCELLED.value)) or 0
        # Feedback.
        fb = FeedbackItem.received_on.between(start, end)
        f.feedback_received = s.scalar(select(func.count(FeedbackItem.id)).where(fb)) or 0
        f.feedback_anonymous = s.scalar(select(func.count(FeedbackItem.id)).where(
            fb, FeedbackItem.anonymous.is_(True))) or 0
        f.feedback_responded = s.scalar(select(func.count(FeedbackItem.id)).where(fb, FeedbackItem.status.in_([
            FeedbackStatus.RESPONSE_AGREED.value, FeedbackStatus.ACTIONED.value, FeedbackStatus.NOT_ACTIONED.value,
            FeedbackStatus.REPORTED_BACK.value]))) or 0
        f.feedback_by_theme = [(name, n) for name, n in s.execute(
            select(Theme.name, func.count(FeedbackTheme.id))
            .join(FeedbackTheme, FeedbackTheme.theme_id == Theme.id)
            .join(FeedbackItem, FeedbackItem.id == FeedbackTheme.feedback_id)
            .where(fb).group_by(Theme.name).order_by(func.count(FeedbackTheme.id).desc(), Theme.name))]
        f.feedback_by_service = [(name, n) for name, n in s.execute(
            select(CommissionedService.name, func.count(FeedbackService.id))
            .join(FeedbackService, FeedbackService.service_id == CommissionedService.id)
            .join(FeedbackItem, FeedbackItem.id == FeedbackService.feedback_id)
            .where(fb).group_by(CommissionedService.name)
            .order_by(func.count(FeedbackService.id).desc(), CommissionedService.name))]
        seen: set[str] = set()
        for summary, response in s.execute(
            select(FeedbackItem.summary, FeedbackItem.response)
            .where(fb, FeedbackItem.status.in_([FeedbackStatus.ACTIONED.value, FeedbackStatus.REPORTED_BACK.value]),
                   FeedbackItem.response.is_not(None))
            .order_by(case((FeedbackItem.priority == "high", 0), (FeedbackItem.priority == "medium", 1), else_=2),
                      FeedbackItem.received_on.desc(), FeedbackItem.id)
        ):
            key = summary.strip().casefold()
            if key in seen or not response.strip():
                continue
            seen.add(key)
            f.highlights.append((summary.strip(), response.strip()))
            if len(f.highlights) >= HIGHLIGHTS:
                break
        # DBS compliance: counts only, for roles that may see DBS status.
        if ctx.actor.can(Perm.DBS_STATUS):
            f.dbs_included = True
            people = list(s.scalars(select(MembershipTerm.person_id).where(is_active_on(end)).distinct()))
            checks: dict[int, list] = {}
            # Only what was known on the last day of the period.
            known = (
                (DbsCheck.requested_on.is_(None) | (DbsCheck.requested_on <= end))
                & (DbsCheck.issue_date.is_(None) | (DbsCheck.issue_date <= end))
                & (DbsCheck.decision_on.is_(None) | (DbsCheck.decision_on <= end))
            )
            for c in s.scalars(select(DbsCheck).where(DbsCheck.person_id.in_(people), known).order_by(DbsCheck.id)):
                checks.setdefault(c.person_id, []).append(c)
            f.dbs_members = len(people)
            f.dbs_cleared = sum(
                1 for p in people
                if dbs_is_cleared(dbs_status(effective_check(checks.get(p, [])), today=end,
                                             recheck_years=cfg.dbs_recheck_years)))
    return f


def _label(enum, value) -> str:
    try:
        return enum(value).label
    except ValueError:
        return str(value).replace("_", " ").capitalize()


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# -- the document -----------------------------------------------------------------------------------
class _Numbered:
    """Numbered paragraphs that run on through the whole report, as in the Panel's papers."""

    def __init__(self, st: pdf.Styles):
        self.n = 0
        self.style = ParagraphStyle("numbered", parent=st.body, leftIndent=9 * mm, bulletIndent=0,
                                    bulletFontName=pdf.FONT)
        self.sub = ParagraphStyle("lettered", parent=st.body, leftIndent=17 * mm, bulletIndent=9 * mm,
                                  bulletFontName=pdf.FONT)

    def __call__(self, text: str):
        self.n += 1
        return Paragraph(pdf.text(text), self.style, bulletText=f"{self.n}.")

    def items(self, texts: list[str]) -> list:
        return [Paragraph(pdf.text(t), self.sub, bulletText=f"{chr(97 + i)}.") for i, t in enumerate(texts)]


TEXT_WIDTH = 174 * mm  # A4 less the margins


def _figures_table(rows: list[list[str]], st: pdf.Styles, *, numeric: set[int], flexible: int):
    """A table whose columns are as wide as their words need (a heading breaks between words, never
    inside one), numbers right-aligned, and the ``flexible`` column taking the rest of the width."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 8 + 2  # the table's left and right padding, and a little air
    right = ParagraphStyle("cell_right", parent=st.cell, alignment=2)
    right_bold = ParagraphStyle("cell_right_bold", parent=st.cell_bold, alignment=2)
    widths: list[float] = []
    for c in range(len(rows[0])):
        head = max(stringWidth(w, pdf.FONT_BOLD, st.cell_bold.fontSize) for w in rows[0][c].split())
        body = max((stringWidth(r[c], pdf.FONT, st.cell.fontSize) for r in rows[1:]), default=0)
        widths.append(max(head, body) + pad)
    widths[flexible] = 0
    widths[flexible] = max(TEXT_WIDTH - sum(widths), 40 * mm)
    cells = [[pdf.para(v, (right_bold if r == 0 else right) if c in numeric else
                       (st.cell_bold if r == 0 else st.cell)) for c, v in enumerate(row)]
             for r, row in enumerate(rows)]
    return pdf.table(cells, st, widths=widths)


def _caption(text: str, st: pdf.Styles):
    """A table's caption, kept on the same page as the table's first rows."""
    return pdf.para(text, ParagraphStyle("caption", parent=st.h3, keepWithNext=1))


def story_for(f: PanelFigures, author: str, report_date: dt.date) -> list:
    st = pdf.styles()
    num = _Numbered(st)
    period = f"{uk_date(f.start)} to {uk_date(f.end)}"
    story: list = [
        pdf.para("POLICE & CRIME COMMISSIONER", st.h3),
        pdf.para("For Leicester, Leicestershire & Rutland", st.small),
        Spacer(1, 4 * mm),
        pdf.para(PANEL, st.h1),
        pdf.para(uk_date(report_date), st.body),
        pdf.para(f"{SUBJECT}: update report, {period}", st.h2),
        pdf.table([[pdf.para(label, st.cell_bold), value] for label, value in (
                   ("Report Date", uk_date(report_date)),
                   ("Report Author", f"{author}, Office of the Police and Crime Commissioner"),
                   ("Security Classification", "Official"))], st, widths=[50 * mm, 124 * mm], header=False,
                  zebra=False),
        pdf.para("Purpose of Report", st.h2),
        num("In his role as the Police and Crime Commissioner (PCC) the Commissioner commissions services to "
            "support victims of crime, and is committed to hearing the voice of victims with lived experience "
            "in that commissioning."),
        num(f"This report outlines for the Panel the work of the {SUBJECT} from {period}: recruitment, "
            "membership, meetings and attendance, the feedback members gave and what was done about it, and "
            "compliance with Disclosure and Barring Service (DBS) checks."),
        pdf.para("Request of the Panel", st.h2),
        num("In their role to scrutinise the actions and decisions of the PCC, the Commissioner requests that the "
            "Panel examines the contents of this report. He would specifically like to ask the Panel their "
            "opinion on the following questions:"),
        *num.items(["Is the Panel content with the way victims' voices are informing the commissioning of "
                    "victim services?",
                    "Would the Panel like to make any recommendations to the PCC in relation to this work?"]),
        pdf.para("Summary", st.h2),
    ]
    attended = sum(m.members_attended for m in f.meetings)
    invited = sum(m.members_invited for m in f.meetings)
    rate = f" ({round(100 * attended / invited)}% of members invited)" if invited else ""
    story += [
        num(f"In the period {_plural(f.applications_received, 'application was', 'applications were')} received "
            f"and {_plural(f.appointed, 'new term of membership', 'new terms of membership')} began. On "
            f"{uk_date(f.end)} the group had {_plural(f.members_at_end, 'active member')} (up to "
            f"{f.max_members} at once)."),
        num(f"{_plural(len(f.meetings), 'meeting was', 'meetings were')} held with members and stakeholders, "
            f"with {_plural(attended, 'attendance')} by members{rate}."),
        num(f"Members gave {_plural(f.feedback_received, 'item')} of feedback; "
            f"{f.feedback_responded:,} of {f.feedback_received:,} had a response agreed or reported back by the "
            "date of this report."),
    ]
    if f.dbs_included:
        story.append(num(f"{f.dbs_cleared:,} of {f.dbs_members:,} members active on {uk_date(f.end)} held a "
                         "cleared, in-date DBS check."))

    # Recruitment.
    story.append(pdf.para("Recruitment", st.h2))
    if f.windows:
        story.append(num("Membership is advertised openly, on the OPCC and People Zones websites, social media "
                         "and Neighbourhood Link. Table One shows the recruitment windows open during the "
                         "period."))
        rows = [["Recruitment window", "Opened", "Closed", "Places", "Applications", "Appointed"]]
        rows += [[w.name, uk_date(w.opens_on), uk_date(w.closes_on), str(w.places), f"{w.applications:,}",
                  f"{w.appointed:,}"] for w in f.windows]
        story += [_caption("Table One: recruitment windows", st),
                  _figures_table(rows, st, numeric={3, 4, 5}, flexible=0),
                  Spacer(1, 3 * mm)]
    else:
        story.append(num("No recruitment window was open during the period."))
    story.append(num(f"{_plural(f.applications_received, 'application was', 'applications were')} received in "
                     f"the period and {_plural(f.shortlisted, 'applicant was', 'applicants were')} shortlisted."))
    if f.channels:
        story.append(num("Applicants heard about the group through: "
                         + "; ".join(f"{name} ({n:,})" for name, n in f.channels) + "."))

    # Membership.
    story.append(pdf.para("Membership", st.h2))
    story.append(num(f"Members serve a term of {f.term_months} months, after which the membership is refreshed through a new "
                     "recruitment window. " + (
                         "No term began or ended in the period." if not (f.terms_started or f.terms_ended) else
                         f"{_plural(f.terms_started, 'term')} began and {_plural(f.terms_ended, 'term')} ended "
                         "in the period.")))
    story.append(num(f"On {uk_date(f.end)} there were {_plural(f.members_at_end, 'active member')}; "
                     f"{_plural(f.terms_ending_soon, 'term ends', 'terms end')} within the following "
                     f"{f.ending_soon_days} days."))

    # Meetings.
    story.append(pdf.para("Meetings and attendance", st.h2))
    if f.meetings:
        story.append(num("Forums, roundtables, meetings and consultations gave members and stakeholders the "
                         "chance to shape services. Table Two lists the meetings held."))
        rows = [["Date", "Meeting", "Type", "Members invited", "Members attended", "Stakeholders attended"]]
        rows += [[uk_date(m.day), m.title, m.kind, str(m.members_invited), str(m.members_attended),
                  str(m.stakeholders_attended)] for m in f.meetings]
        story += [_caption("Table Two: meetings held", st),
                  _figures_table(rows, st, numeric={3, 4, 5}, flexible=1),
                  Spacer(1, 3 * mm)]
    else:
        story.append(num("No meetings were held in the period."))
    if f.meetings_cancelled:
        story.append(num(f"{_plural(f.meetings_cancelled, 'meeting was', 'meetings were')} cancelled."))

    # Feedback.
    story.append(pdf.para("Feedback received", st.h2))
    story.append(num(f"{_plural(f.feedback_received, 'item')} of feedback "
                     f"{'was' if f.feedback_received == 1 else 'were'} recorded"
                     + (f", {f.feedback_anonymous:,} of them given anonymously" if f.feedback_anonymous else "")
                     + ". An item may concern more than one theme and more than one service."))
    if f.feedback_by_theme:
        rows = [["Theme", "Items"]] + [[n, f"{c:,}"] for n, c in f.feedback_by_theme]
        story += [_caption("Table Three: feedback by theme", st),
                  _figures_table(rows, st, numeric={1}, flexible=0), Spacer(1, 3 * mm)]
    if f.feedback_by_service:
        rows = [["Commissioned service", "Items"]] + [[n, f"{c:,}"] for n, c in f.feedback_by_service]
        story += [_caption("Table Four: feedback by service", st),
                  _figures_table(rows, st, numeric={1}, flexible=0)]

    story.append(pdf.para("You said, we did", ParagraphStyle("h2_keep", parent=st.h2, keepWithNext=1)))
    if f.highlights:
        story.append(num("Examples of what members told us in the period and what changed as a result:"))
        for said, did in f.highlights:
            story.append(KeepTogether([
                pdf.rich(f"<b>You said:</b> {pdf.text(said)}", num.sub),
                pdf.rich(f"<b>We did:</b> {pdf.text(did)}", num.sub),
                Spacer(1, 1.5 * mm),
            ]))
    else:
        story.append(num("No feedback from the period has yet been actioned and reported back."))

    if f.dbs_included:
        story.append(pdf.para("DBS compliance", st.h2))
        story.append(num("Members provide an up-to-date DBS certificate after selection (the fee can be claimed "
                         "back). The office keeps the fact and outcome of each check, not copies of certificates."))
        story.append(num(f"On {uk_date(f.end)}, {f.dbs_cleared:,} of {f.dbs_members:,} active members held a "
                         "cleared DBS check within its recheck period."))
    story += [Spacer(1, 8 * mm),
              pdf.rich("<b>----- End of Report -----</b>",
                       ParagraphStyle("end", parent=st.body, alignment=1))]
    return story


@dataclass
class PanelResult:
    path: Path
    figures: PanelFigures


def export_panel_report(ctx: AppContext, start: dt.date, end: dt.date, output: Path, *,
                        progress: Callable[[int, int], None] | None = None) -> PanelResult:
    require(ctx, Perm.EXPORT, entity="report")
    output = Path(output)
    if output.suffix.lower() != ".pdf":
        raise UserError("The report must be saved as a .pdf file (for example panel-report.pdf).")
    if output.is_dir():
        raise UserError(f"{output} is a folder: give the file a name.")
    figures = gather(ctx, start, end)
    if progress:
        progress(1, 3)
    story = story_for(figures, ctx.actor.display_name, clock.today())
    info = pdf.DocInfo(f"{SUBJECT}: Police and Crime Panel report", f"{uk_date(start)} to {uk_date(end)}",
                       ctx.actor.display_name, MARKING)
    if progress:
        progress(2, 3)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        pdf.build(output, story, info)
    except OSError as exc:
        raise UserError(f"The report could not be written to {output}: {exc.strerror}.") from None
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "export", entity="report",
                     detail=f"Panel report {start.isoformat()} to {end.isoformat()} to {audit.where(output)}")
    if progress:
        progress(3, 3)
    return PanelResult(output, figures)
