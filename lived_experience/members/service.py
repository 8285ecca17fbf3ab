"""Membership terms, status overrides, the refresh of the group, and a member's page.

Each call is one unit of work and hands back plain dataclasses. The rules:

- A term starts for an applicant who has accepted an offer; it lasts
  ``settings.term_months`` (end = start + N months - 1 day); no more than
  ``settings.max_active_members`` members are active on any date.
- A term's dates are never edited: a new term is a new record. Its status is
  computed when read (upcoming, active, ending soon, ended) unless an override
  (paused, stepped down, removed) is set, with a reason, a date it applies
  from, and who set it.
- Refresh: when a cohort's terms near their end, "Start refresh" creates the
  next recruitment window, pre-filled from the last one, and marks the current
  members as invited to re-apply. A re-applicant is the same person, so their
  earlier applications and terms stay linked to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.enums import (
    Attendance,
    Channel,
    DbsStatus,
    FeedbackStatus,
    InvitationResponse,
    MeetingType,
    ParticipationMode,
    Stage,
    TermOverride,
    TermStatus,
)
from db.models import (
    Application,
    FeedbackItem,
    Invitation,
    Meeting,
    MembershipTerm,
    Person,
    QuietPeriod,
    RecruitmentWindow,
    StaffUser,
    WindowChannel,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.members.status import dbs_flag, term_status
from lived_experience.members.terms import add_term, counting_range, lock_membership, refuse_if_full
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import Settings
from lived_experience.settings import load as load_settings

# Stages from which a term can start (the offer has been accepted).
TERM_READY_STAGES = (Stage.ACCEPTED, Stage.DBS_CLEARED, Stage.MEMBER)
CURRENT = (TermStatus.ACTIVE, TermStatus.ENDING_SOON, TermStatus.PAUSED)
# Membership is advertised openly, at least on these (domain rule 1).
REQUIRED_CHANNELS = (Channel.OPCC_WEBSITE, Channel.PEOPLE_ZONES, Channel.SOCIAL_MEDIA,
                     Channel.NEIGHBOURHOOD_LINK)
MAX_REASON = 500


# -- views -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TermView:
    id: int
    person_id: int
    starts_on: dt.date
    ends_on: dt.date
    status: TermStatus
    days_remaining: int | None
    override: TermOverride | None
    override_reason: str | None
    override_from: dt.date | None
    override_set_by: str | None
    override_set_at: dt.datetime | None
    application_id: int | None
    window_name: str | None
    invited_to_reapply_at: dt.datetime | None
    refresh_window_id: int | None
    refresh_window_name: str | None
    notes: str | None
    version: int

    @property
    def status_text(self) -> str:
        """The status in words, with the override's date when there is one."""
        if self.override is not None and self.override_from is not None:
            if self.status.value == self.override.value:
                return f"{self.override.label} from {uk_date(self.override_from)}"
            return f"{self.status.label} ({self.override.label.lower()} from {uk_date(self.override_from)})"
        return self.status.label


@dataclass(frozen=True)
class ApplicationLine:
    id: int
    window_id: int
    window_name: str
    stage: Stage
    received_on: dt.date
    invited_to_reapply: bool


@dataclass(frozen=True)
class AttendanceLine:
    meeting_id: int
    title: str
    meeting_type: MeetingType | None
    starts_at: dt.datetime
    response: InvitationResponse | None
    attendance: Attendance | None
    mode: ParticipationMode | None
    meeting_status: str | None = None  # planned, confirmed, held, cancelled

    @property
    def attendance_text(self) -> str:
        if self.attendance is not None:
            return self.attendance.label
        if self.meeting_status == "cancelled":
            return "Meeting cancelled"
        if self.starts_at > clock.now():
            return "Meeting to come"
        return "Not recorded"


@dataclass(frozen=True)
class FeedbackLine:
    id: int
    received_on: dt.date
    summary: str
    status: FeedbackStatus | None
    anonymous: bool


@dataclass(frozen=True)
class QuietDates:
    starts_on: dt.date
    ends_on: dt.date
    current: bool


@dataclass(frozen=True)
class MemberOverview:
    person_id: int
    name: str
    known_as: str
    pronouns: str | None
    terms: list[TermView]
    current: TermView | None
    applications: list[ApplicationLine]
    dbs_status: DbsStatus | None  # None: the actor may not see it
    dbs_flag: str | None
    access: str
    quiet: list[QuietDates]
    attendance: list[AttendanceLine]
    feedback: list[FeedbackLine]
    # The actor may not know who gave anonymous feedback: such items are left out, and how
    # many is not said either (a count would reveal that this member gave some).
    anonymous_withheld: bool
    version: int


@dataclass(frozen=True)
class TermCandidate:
    application_id: int
    person_id: int
    name: str
    window_name: str
    stage: Stage
    proposed_start: dt.date
    returning: bool  # has held a term before
    dbs_flag: str | None = None  # why they cannot start yet (None when cleared, or not shown to this role)


@dataclass(frozen=True)
class StartedTerm:
    term: TermView
    dbs_flag: str | None  # said to the user: the member has no cleared DBS check yet


@dataclass(frozen=True)
class RefreshMember:
    term_id: int
    person_id: int
    name: str
    ends_on: dt.date
    status: TermStatus
    invited_at: dt.datetime | None
    quiet_until: dt.date | None = None  # in a quiet period today: do not send the invitation to re-apply yet


@dataclass(frozen=True)
class RefreshProposal:
    due: bool
    message: str | None
    cohort_ends_on: dt.date | None
    upcoming_window: str | None  # a window for the next cohort that already exists
    previous_window_id: int | None
    previous_window_name: str | None
    name: str
    opens_on: dt.date
    closes_on: dt.date
    term_starts_on: dt.date
    places: int
    selection_interview: bool
    selection_video: bool
    advert_text: str | None
    channels: list[tuple[str, str | None]]
    members: list[RefreshMember] = field(default_factory=list)


@dataclass(frozen=True)
class RefreshResult:
    window_id: int
    window_name: str
    invited: int
    do_not_contact: list = field(default_factory=list)  # QuietHold: invited, but in a quiet period today

    @property
    def quiet_message(self) -> str | None:
        if not self.do_not_contact:
            return None
        return ("Do not send the invitation to re-apply yet to: " + "; ".join(h.text for h in self.do_not_contact)
                + ". Their record says they were invited; contact them when the quiet period is over.")


# -- helpers -----------------------------------------------------------------------------
def _names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(ids))).all())


def _term_view(t: MembershipTerm, settings: Settings, today: dt.date, staff: dict[int, str],
               windows: dict[int, str], app_windows: dict[int, str]) -> TermView:
    status = term_status(t.starts_on, t.ends_on, t.override, t.override_from, today=today,
                         ending_soon_days=settings.ending_soon_days)
    return TermView(
        id=t.id, person_id=t.person_id, starts_on=t.starts_on, ends_on=t.ends_on, status=status,
        days_remaining=(t.ends_on - today).days if t.ends_on >= today else None,
        override=TermOverride(t.override) if t.override else None, override_reason=t.override_reason,
        override_from=t.override_from, override_set_by=staff.get(t.override_set_by_id),
        override_set_at=t.override_set_at, application_id=t.application_id,
        window_name=app_windows.get(t.application_id), invited_to_reapply_at=t.invited_to_reapply_at,
        refresh_window_id=t.refresh_window_id, refresh_window_name=windows.get(t.refresh_window_id),
        notes=t.notes, version=t.version,
    )


def _term_views(session: Session, terms: list[MembershipTerm], settings: Settings, today: dt.date) -> list[TermView]:
    staff = _names(session, [t.override_set_by_id for t in terms])
    wids = {t.refresh_window_id for t in terms if t.refresh_window_id}
    windows = dict(session.execute(select(RecruitmentWindow.id, RecruitmentWindow.name)
                                   .where(RecruitmentWindow.id.in_(wids))).all()) if wids else {}
    aids = {t.application_id for t in terms if t.application_id}
    app_windows = dict(session.execute(
        select(Application.id, RecruitmentWindow.name).join(RecruitmentWindow,
                                                            RecruitmentWindow.id == Application.window_id)
        .where(Application.id.in_(aids))).all()) if aids else {}
    return [_term_view(t, settings, today, staff, windows, app_windows) for t in terms]


def _person(session: Session, person_id: int) -> Person:
    person = get_or_404(session, Person, person_id, "person")
    if person.anonymised_at is not None:
        raise UserError("This person's record has been anonymised: it cannot be changed.")
    return person


def current_term(session: Session, person_id: int, today: dt.date, settings: Settings) -> MembershipTerm | None:
    """The person's term that is current today (active, ending soon or paused), if any."""
    for t in session.scalars(select(MembershipTerm).where(MembershipTerm.person_id == person_id,
                                                          MembershipTerm.starts_on <= today,
                                                          MembershipTerm.ends_on >= today)):
        if term_status(t.starts_on, t.ends_on, t.override, t.override_from, today=today,
                       ending_soon_days=settings.ending_soon_days) in CURRENT:
            return t
    return None


# -- reading -------------------------------------------------------------------------------
def terms_for(ctx: AppContext, person_id: int) -> list[TermView]:
    """A person's terms, newest first."""
    require(ctx, Perm.READ, entity="membership_term")
    settings = load_settings(ctx)
    with unit_of_work(ctx, readonly=True) as s:
        get_or_404(s, Person, person_id, "person")
        terms = list(s.scalars(select(MembershipTerm).where(MembershipTerm.person_id == person_id)
                               .order_by(MembershipTerm.starts_on.desc(), MembershipTerm.id.desc())))
        return _term_views(s, terms, settings, clock.today())


def get_term(ctx: AppContext, term_id: int) -> TermView:
    require(ctx, Perm.READ, entity="membership_term", entity_id=term_id)
    settings = load_settings(ctx)
    with unit_of_work(ctx, readonly=True) as s:
        t = get_or_404(s, MembershipTerm, term_id, "membership term")
        return _term_views(s, [t], settings, clock.today())[0]


def member_overview(ctx: AppContext, person_id: int) -> MemberOverview:
    """Everything the member page shows except contact details and the DBS register
    (each behind its own permission and audited: see ``contact`` and ``dbs``)."""
    require(ctx, Perm.READ, entity="person", entity_id=person_id)
    from lived_experience.members.dbs import person_dbs_status
    from lived_experience.people.service import access_summary

    settings = load_settings(ctx)
    today = clock.today()
    with unit_of_work(ctx, readonly=True) as s:
        p = get_or_404(s, Person, person_id, "person")
        terms = list(s.scalars(select(MembershipTerm).where(MembershipTerm.person_id == person_id)
                               .order_by(MembershipTerm.starts_on.desc(), MembershipTerm.id.desc())))
        views = _term_views(s, terms, settings, today)
        current = next((v for v in views if v.status in CURRENT), None)
        apps = [
            ApplicationLine(a.id, a.window_id, wname, Stage(a.stage), clock.to_london(a.received_at).date(),
                            bool(a.invited_to_reapply))
            for a, wname in s.execute(
                select(Application, RecruitmentWindow.name)
                .join(RecruitmentWindow, RecruitmentWindow.id == Application.window_id)
                .where(Application.person_id == person_id)
                .order_by(Application.received_at.desc()))
        ]
        status = flag = None
        if ctx.actor.can(Perm.DBS_STATUS):
            status = person_dbs_status(s, person_id, today=today, recheck_years=settings.dbs_recheck_years)
            flag = dbs_flag(status)
        quiet = [QuietDates(q.starts_on, q.ends_on, q.starts_on <= today <= q.ends_on)
                 for q in s.scalars(select(QuietPeriod).where(QuietPeriod.person_id == person_id,
                                                              QuietPeriod.ends_on >= today)
                                    .order_by(QuietPeriod.starts_on))]
        attendance = [
            AttendanceLine(m.id, m.title, _enum(MeetingType, m.meeting_type), m.starts_at,
                           _enum(InvitationResponse, i.response), _enum(Attendance, i.attendance),
                           _enum(ParticipationMode, i.participation_mode), m.status)
            for i, m in s.execute(select(Invitation, Meeting).join(Meeting, Meeting.id == Invitation.meeting_id)
                                  .where(Invitation.person_id == person_id)
                                  .order_by(Meeting.starts_at.desc()))
        ]
        see_anonymous = ctx.actor.can(Perm.ANONYMOUS_SOURCE)
        feedback = []
        for f in s.scalars(select(FeedbackItem).where(FeedbackItem.person_id == person_id)
                           .order_by(FeedbackItem.received_on.desc(), FeedbackItem.id.desc())):
            if f.anonymous and not see_anonymous:
                continue
            feedback.append(FeedbackLine(f.id, f.received_on, f.summary, _enum(FeedbackStatus, f.status),
                                         f.anonymous))
        overview = MemberOverview(
            person_id=p.id, name=p.full_name, known_as=p.known_as, pronouns=p.pronouns, terms=views,
            current=current, applications=apps, dbs_status=status, dbs_flag=flag, access=access_summary(p),
            quiet=quiet, attendance=attendance, feedback=feedback, anonymous_withheld=not see_anonymous, version=p.version,
        )
    if see_anonymous and any(f.anonymous for f in feedback):
        audit.record_now(ctx, "view", entity="person", entity_id=person_id, subject_person_id=person_id,
                         fields=["feedback_item.person_id"], detail="anonymous feedback source")
    return overview


def _enum(enum, value):
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        return None


def term_candidates(ctx: AppContext) -> list[TermCandidate]:
    """Applicants who have accepted an offer and have no term from that application yet."""
    require(ctx, Perm.READ, entity="application")
    today = clock.today()
    with unit_of_work(ctx, readonly=True) as s:
        used = select(MembershipTerm.application_id).where(MembershipTerm.application_id.is_not(None))
        rows = s.execute(
            select(Application.id, Application.person_id, Person.first_name, Person.last_name,
                   Person.preferred_name, RecruitmentWindow.name, Application.stage,
                   RecruitmentWindow.term_starts_on)
            .join(Person, Person.id == Application.person_id)
            .join(RecruitmentWindow, RecruitmentWindow.id == Application.window_id)
            .where(Application.stage.in_([Stage.ACCEPTED.value, Stage.DBS_CLEARED.value]),
                   Application.id.not_in(used), Person.anonymised_at.is_(None), Application.anonymised_at.is_(None))
            .order_by(Person.last_name, Person.first_name)
        ).all()
        had_terms = set(s.scalars(select(MembershipTerm.person_id)
                                  .where(MembershipTerm.person_id.in_([r[1] for r in rows]))))
        flags = {}
        if ctx.actor.can(Perm.DBS_STATUS):
            from lived_experience.members.dbs import flags_for

            flags = flags_for(s, [r[1] for r in rows])
    return [
        TermCandidate(aid, pid, f"{pref or first} {last}".strip(), wname, Stage(stage),
                      max(term_start, today) if term_start else today, pid in had_terms, flags.get(pid))
        for aid, pid, first, last, pref, wname, stage, term_start in rows
    ]


# -- changing --------------------------------------------------------------------------------
def start_term(ctx: AppContext, person_id: int, starts_on: dt.date, *, application_id: int | None = None,
               notes: str | None = None) -> StartedTerm:
    """Start a term for an applicant who has accepted an offer and whose DBS check is cleared.

    Their application moves accepted -> DBS cleared -> member through the
    recruitment pipeline's rules (each move dated and attributed); the term is
    made under the cap of active members."""
    require(ctx, Perm.WRITE, entity="membership_term")
    settings = load_settings(ctx)
    if starts_on is None:
        raise ValidationError("A term needs a start date.")
    notes = (notes or "").strip() or None
    with unit_of_work(ctx) as s:
        person = _person(s, person_id)
        if application_id is not None:
            app = get_or_404(s, Application, application_id, "application")
            if app.person_id != person_id:
                raise UserError("That application belongs to someone else.")
        else:
            app = s.scalar(
                select(Application).where(Application.person_id == person_id,
                                          Application.stage.in_([x.value for x in TERM_READY_STAGES]),
                                          Application.id.not_in(select(MembershipTerm.application_id).where(
                                              MembershipTerm.application_id.is_not(None))))
                .order_by(Application.received_at.desc()).limit(1))
        if app is None or Stage(app.stage) not in TERM_READY_STAGES:
            raise UserError(
                f"{person.known_as} has no accepted offer. A term starts only for an applicant who has "
                "accepted an offer: move their application to Accepted first."
            )
        if s.scalar(select(MembershipTerm.id).where(MembershipTerm.application_id == app.id)):
            raise UserError(f"{person.known_as} already has a term from that application.")
        if app.stage == Stage.MEMBER.value:
            # A member recorded before their term was (no stage to move): the term alone.
            term = add_term(s, ctx.actor, person_id=person_id, starts_on=starts_on, months=settings.term_months,
                            application_id=app.id, cap=settings.max_active_members, notes=notes)
        else:
            # The pipeline's own rules: accepted -> DBS cleared (only with a cleared check) -> member,
            # each move dated and attributed; the term is made by the move to member, under the cap.
            from lived_experience.recruitment.pipeline import move_in_session

            can_see_dbs = ctx.actor.can(Perm.DBS_STATUS)
            if app.stage == Stage.ACCEPTED.value:
                move_in_session(s, ctx.actor, settings, app, Stage.DBS_CLEARED, can_see_dbs=can_see_dbs,
                                reason="DBS check cleared (checked when the term was started)")
            moved = move_in_session(s, ctx.actor, settings, app, Stage.MEMBER, term_starts_on=starts_on,
                                    can_see_dbs=can_see_dbs, reason="Membership term started")
            term = s.get(MembershipTerm, moved.term_id)
            if notes:
                term.notes = notes
        s.flush()
        view = _term_views(s, [term], settings, clock.today())[0]
        flag = None
        if ctx.actor.can(Perm.DBS_STATUS):
            from lived_experience.members.dbs import person_dbs_status

            flag = dbs_flag(person_dbs_status(s, person_id, recheck_years=settings.dbs_recheck_years))
    return StartedTerm(view, flag)


def set_override(ctx: AppContext, term_id: int, override: TermOverride | str | None, *,
                 reason: str | None = None, from_date: dt.date | None = None,
                 expected_version: int | None = None) -> TermView:
    """Set (or clear, with ``override=None``) a term's status override.

    The term's dates stay as they were. Clearing a "stepped down" or "removed"
    gives the place back, so the cap is checked again.
    """
    require(ctx, Perm.WRITE, entity="membership_term", entity_id=term_id)
    settings = load_settings(ctx)
    reason = (reason or "").strip() or None
    if override is not None and override != "":
        try:
            override = TermOverride.parse(override)
        except ValueError as exc:
            raise ValidationError(f"Unknown status: {exc}") from None
        if not reason:
            raise ValidationError("Give a reason for the change of status (it is kept with the term).",
                                  {"reason": "A reason is needed."})
        if len(reason) > MAX_REASON:
            raise ValidationError(f"The reason is longer than {MAX_REASON} characters.")
    else:
        override = None
    with unit_of_work(ctx) as s:
        lock_membership(s)
        t = get_or_404(s, MembershipTerm, term_id, "membership term")
        check_version(s, t, expected_version, "membership term")
        if override is None and t.override is None:
            raise UserError("This term has no status override to clear.")
        if override is not None:
            from_date = from_date or max(clock.today(), t.starts_on)
            if not t.starts_on <= from_date <= t.ends_on:
                raise ValidationError(
                    f"The date the status applies from must be within the term "
                    f"({uk_date(t.starts_on)} to {uk_date(t.ends_on)}).",
                    {"from_date": "Outside the term."})
        old_range = counting_range(t.starts_on, t.ends_on, t.override, t.override_from)
        new_range = counting_range(t.starts_on, t.ends_on, override.value if override else None,
                                   from_date if override else None)
        if new_range is not None and (old_range is None or new_range[0] < old_range[0]
                                      or new_range[1] > old_range[1]):
            extra_from = new_range[0] if old_range is None else old_range[1] + dt.timedelta(days=1)
            refuse_if_full(s, max(extra_from, new_range[0]), new_range[1], cap=settings.max_active_members,
                           exclude_term_id=t.id)
        t.override = override.value if override else None
        t.override_reason = reason if override else None
        t.override_from = from_date if override else None
        t.override_set_by_id = ctx.actor.id
        t.override_set_at = clock.now()
        s.flush()
        audit.record(s, ctx.actor, "term.override" if override else "term.override_cleared",
                     entity="membership_term", entity_id=t.id, subject_person_id=t.person_id,
                     fields=["override", "override_reason", "override_from"])
        return _term_views(s, [t], settings, clock.today())[0]


# -- refresh ---------------------------------------------------------------------------------
def refresh_message(ending_count: int, last_end: dt.date) -> str:
    """The dashboard's "Refresh due" line, word for word."""
    return (f"Refresh due: {ending_count} term{'s' if ending_count != 1 else ''} end by {uk_date(last_end)} and no "
            "recruitment window is recruiting the next cohort")


def _current_terms(session: Session, settings: Settings, today: dt.date):
    rows = session.execute(
        select(MembershipTerm, Person.first_name, Person.last_name, Person.preferred_name)
        .join(Person, Person.id == MembershipTerm.person_id)
        .where(MembershipTerm.ends_on >= today, MembershipTerm.starts_on <= today, Person.anonymised_at.is_(None))
        .order_by(MembershipTerm.ends_on, Person.last_name)
    ).all()
    out = []
    for t, first, last, pref in rows:
        st = term_status(t.starts_on, t.ends_on, t.override, t.override_from, today=today,
                         ending_soon_days=settings.ending_soon_days)
        if st in CURRENT:
            out.append((t, f"{pref or first} {last}".strip(), st))
    return out


def _followed(session: Session, terms: list[MembershipTerm]) -> set[int]:
    """Ids of terms whose member already has a later term (they are not leaving)."""
    ids = {t.person_id for t in terms}
    if not ids:
        return set()
    later: dict[int, dt.date] = {}
    for pid, start in session.execute(select(MembershipTerm.person_id, func.max(MembershipTerm.starts_on))
                                      .where(MembershipTerm.person_id.in_(ids))
                                      .group_by(MembershipTerm.person_id)):
        later[pid] = start
    return {t.id for t in terms if later.get(t.person_id) and later[t.person_id] > t.ends_on}


def _leaving(session: Session, settings: Settings, today: dt.date):
    """Current terms ending soon whose member has no later term yet."""
    ending = [t for t, _n, st in _current_terms(session, settings, today) if st is TermStatus.ENDING_SOON]
    followed = _followed(session, ending)
    return [t for t in ending if t.id not in followed]


def _next_cohort_window(session: Session, today: dt.date):
    """A window recruiting the next cohort: its terms start after today (or, with no term date
    set, it has not closed yet). The dashboard's rule."""
    return (select(RecruitmentWindow).where(or_(
        RecruitmentWindow.term_starts_on > today,
        RecruitmentWindow.term_starts_on.is_(None) & (RecruitmentWindow.closes_on >= today),
    )).order_by(RecruitmentWindow.opens_on).limit(1))


def refresh_due(session: Session, settings: Settings, today: dt.date) -> tuple[int, dt.date] | None:
    """(terms ending, the last of their end dates) when a refresh is due, else None.

    Due when current members' terms are ending soon (and they have no later
    term) and no recruitment window is recruiting the next cohort.
    """
    ending = _leaving(session, settings, today)
    if not ending or session.scalar(_next_cohort_window(session, today)) is not None:
        return None
    return len(ending), max(t.ends_on for t in ending)


def _unique_name(session: Session, base: str) -> str:
    name, n = base, 2
    while session.scalar(select(RecruitmentWindow.id).where(func.lower(RecruitmentWindow.name) == name.lower())):
        name = f"{base} ({n})"
        n += 1
    return name


def refresh_proposal(ctx: AppContext) -> RefreshProposal:
    """What "Start refresh" proposes: the next window, pre-filled from the last one, and whom to invite."""
    require(ctx, Perm.READ, entity="recruitment_window")
    settings = load_settings(ctx)
    today = clock.today()
    with unit_of_work(ctx, readonly=True) as s:
        current = _current_terms(s, settings, today)
        due = refresh_due(s, settings, today)
        ending = _leaving(s, settings, today)
        followed = _followed(s, [t for t, _n, _st in current])
        cohort = ending or [t for t, _n, _st in current if t.id not in followed]
        cohort_end = max((t.ends_on for t in cohort), default=None)
        last = s.scalar(select(RecruitmentWindow).order_by(RecruitmentWindow.opens_on.desc(),
                                                           RecruitmentWindow.id.desc()).limit(1))
        upcoming_window = s.scalar(_next_cohort_window(s, today))
        upcoming = upcoming_window.name if upcoming_window else None
        term_start = (cohort_end + dt.timedelta(days=1)) if cohort_end else today + relativedelta(months=4)
        length = (last.closes_on - last.opens_on) if last else dt.timedelta(days=42)
        opens = max(today, term_start - relativedelta(months=4))
        closes = opens + length
        if closes >= term_start:
            closes = max(opens, term_start - dt.timedelta(days=1))
        name = _unique_name(s, f"Lived Experience Group refresh {opens.year}")
        channels = ([(c.channel, c.other_text) for c in last.channels] if last
                    else [(c.value, None) for c in REQUIRED_CHANNELS])
        from lived_experience.members.contact import quiet_holds

        quiet = {h.person_id: h.until for h in quiet_holds(s, [t.person_id for t, _n, _st in current])}
        members = [RefreshMember(t.id, t.person_id, name_, t.ends_on, st, t.invited_to_reapply_at,
                                 quiet.get(t.person_id))
                   for t, name_, st in current if t.ends_on < term_start and t.id not in followed]
        return RefreshProposal(
            due=due is not None, message=refresh_message(*due) if due else None, cohort_ends_on=cohort_end,
            upcoming_window=upcoming, previous_window_id=last.id if last else None,
            previous_window_name=last.name if last else None, name=name, opens_on=opens, closes_on=closes,
            term_starts_on=term_start, places=min(last.places, settings.max_active_members) if last
            else settings.max_active_members,
            selection_interview=last.selection_interview if last else True,
            selection_video=last.selection_video if last else True,
            advert_text=last.advert_text if last else None, channels=channels, members=members,
        )


def start_refresh(ctx: AppContext, *, name: str, opens_on: dt.date, closes_on: dt.date,
                  term_starts_on: dt.date, places: int, channels: list[tuple[str, str | None]],
                  selection_interview: bool = True, selection_video: bool = True,
                  advert_text: str | None = None, invite_term_ids: list[int] | None = None,
                  previous_window_id: int | None = None) -> RefreshResult:
    """Create the next recruitment window and mark the chosen current members as invited to re-apply."""
    require(ctx, Perm.WRITE, entity="recruitment_window")
    settings = load_settings(ctx)
    today = clock.today()
    name = " ".join((name or "").split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "The window needs a name."
    elif len(name) > 120:
        errors["name"] = "The window's name is longer than 120 characters."
    if opens_on is None or closes_on is None or term_starts_on is None:
        errors["dates"] = "The window needs an opening date, a closing date and the date the new terms start."
    else:
        if opens_on < today:
            errors["opens_on"] = "A new window cannot open in the past."
        if closes_on < opens_on:
            errors["closes_on"] = "The window must close on or after the day it opens."
        if term_starts_on <= closes_on:
            errors["term_starts_on"] = "The new terms must start after the window closes."
    if not 1 <= int(places or 0) <= settings.max_active_members:
        errors["places"] = f"Places must be between 1 and {settings.max_active_members}."
    if not (selection_interview or selection_video):
        errors["selection"] = "Choose interview, video or both as the way of selecting members."
    clean_channels: dict[str, str | None] = {}
    for value, other in channels or []:
        try:
            ch = Channel.parse(value)
        except ValueError:
            errors["channels"] = f"'{value}' is not a recruitment channel."
            continue
        other = (other or "").strip() or None
        if ch is Channel.OTHER and not other:
            errors["channels"] = "Say which other channel the window is advertised on."
        clean_channels[ch.value] = other if ch is Channel.OTHER else None
    missing = [c.label for c in REQUIRED_CHANNELS if c.value not in clean_channels]
    if missing:
        errors["channels"] = ("Membership is advertised openly, at least on the OPCC website, the People Zones "
                              "website, social media and Neighbourhood Link. Add: " + ", ".join(missing) + ".")
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    with unit_of_work(ctx) as s:
        if s.scalar(select(RecruitmentWindow.id).where(func.lower(RecruitmentWindow.name) == name.lower())):
            raise ValidationError(f"There is already a recruitment window called '{name}'.",
                                  {"name": "Name in use."})
        if previous_window_id is None:
            previous_window_id = s.scalar(select(RecruitmentWindow.id).order_by(
                RecruitmentWindow.opens_on.desc(), RecruitmentWindow.id.desc()).limit(1))
        elif s.get(RecruitmentWindow, previous_window_id) is None:
            raise UserError("The window this refresh follows no longer exists.")
        w = RecruitmentWindow(name=name, opens_on=opens_on, closes_on=closes_on, places=int(places),
                              selection_interview=bool(selection_interview), selection_video=bool(selection_video),
                              advert_text=(advert_text or "").strip() or None, term_starts_on=term_starts_on,
                              previous_window_id=previous_window_id)
        w.channels = [WindowChannel(channel=c, other_text=o) for c, o in sorted(clean_channels.items())]
        s.add(w)
        s.flush()
        audit.record(s, ctx.actor, "window.create", entity="recruitment_window", entity_id=w.id,
                     fields=["name", "opens_on", "closes_on", "places", "term_starts_on", "channels",
                             "previous_window_id"], detail="refresh of the membership")
        invited = 0
        invited_people: list[int] = []
        now = clock.now()
        current = {t.id: t for t, _n, _st in _current_terms(s, settings, today)}
        for term_id in dict.fromkeys(invite_term_ids or []):
            t = current.get(term_id)
            if t is None:
                raise UserError(f"Term {term_id} is not a current member's term: only current members are "
                                "invited to re-apply.")
            t.invited_to_reapply_at = now
            t.refresh_window_id = w.id
            invited += 1
            invited_people.append(t.person_id)
            audit.record(s, ctx.actor, "term.invite_reapply", entity="membership_term", entity_id=t.id,
                         subject_person_id=t.person_id, fields=["invited_to_reapply_at", "refresh_window_id"])
        from lived_experience.members.contact import quiet_holds

        return RefreshResult(w.id, w.name, invited, quiet_holds(s, invited_people))


def mark_reapplicant(session: Session, application: Application) -> bool:
    """Inside the caller's unit of work: flag an application from a member who was invited to
    re-apply to that window (or who has held a term before). Returns whether it was flagged."""
    invited = session.scalar(
        select(func.count(MembershipTerm.id)).where(MembershipTerm.person_id == application.person_id,
                                                    MembershipTerm.refresh_window_id == application.window_id))
    held = session.scalar(select(func.count(MembershipTerm.id)).where(
        MembershipTerm.person_id == application.person_id))
    if invited or held:
        application.invited_to_reapply = True
        return True
    return False


@dataclass(frozen=True)
class PersonChoice:
    person_id: int
    name: str
    why: str  # "Member", "Former member", "Accepted applicant"...


def people_to_choose(ctx: AppContext) -> list[PersonChoice]:
    """Members (current, upcoming and former) and applicants who have accepted an offer:
    the people expense claims and DBS checks are for."""
    require(ctx, Perm.READ, entity="person")
    settings = load_settings(ctx)
    today = clock.today()
    with unit_of_work(ctx, readonly=True) as s:
        why: dict[int, str] = {}
        for t in s.scalars(select(MembershipTerm).order_by(MembershipTerm.starts_on)):
            st = term_status(t.starts_on, t.ends_on, t.override, t.override_from, today=today,
                             ending_soon_days=settings.ending_soon_days)
            why[t.person_id] = ("Member" if st in CURRENT else "Starting soon" if st is TermStatus.UPCOMING
                                else "Former member")
        for pid, stage in s.execute(select(Application.person_id, Application.stage).where(
                Application.stage.in_([Stage.OFFERED.value, Stage.ACCEPTED.value, Stage.DBS_CLEARED.value]))):
            why.setdefault(pid, "Offered a place" if stage == Stage.OFFERED.value else "Accepted applicant")
        people = s.execute(select(Person.id, Person.first_name, Person.last_name, Person.preferred_name)
                           .where(Person.id.in_(list(why)), Person.anonymised_at.is_(None))).all()
    order = {"Member": 0, "Starting soon": 1, "Accepted applicant": 2, "Offered a place": 3, "Former member": 4}
    out = [PersonChoice(pid, f"{pref or first} {last}".strip(), why[pid]) for pid, first, last, pref in people]
    return sorted(out, key=lambda c: (order.get(c.why, 9), c.name.casefold()))
