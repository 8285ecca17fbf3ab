"""Scheduling meetings: types, programmes, UK date and time, venues, status, and the
warnings a person must see before a meeting is saved.

Warnings are never silent and never block on their own: ``save_meeting`` returns
them with ``saved=False`` until the caller says ``confirm=True`` (the window asks
the user; the command line and tests can read them).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select

from db.enums import MeetingStatus, MeetingType
from db.models import (
    CommissionedService,
    CommissioningCycle,
    Invitation,
    Meeting,
    Person,
    Programme,
    QuietPeriod,
    StaffUser,
    Venue,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date, uk_datetime, uk_time
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.meetings import timing
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import PROTECTIVE_MARKINGS

# Fields whose change means calendars must update (SEQUENCE goes up).
CALENDAR_FIELDS = ("title", "starts_at", "duration_minutes", "venue_id", "online_link", "status",
                   "description", "cancelled_reason")
MAX_DURATION_MINUTES = 24 * 60


@dataclass(frozen=True)
class ScheduleWarning:
    """Something a person should know before saving. ``code`` is one of: overlap, venue,
    quiet_period, bank_holiday, clock_change, dbs, not_member."""

    code: str
    message: str


@dataclass
class SaveResult:
    saved: bool
    id: int | None = None
    version: int | None = None
    warnings: list[ScheduleWarning] = field(default_factory=list)

    @property
    def needs_confirmation(self) -> bool:
        return not self.saved and bool(self.warnings)


@dataclass
class MeetingInput:
    title: str
    meeting_type: str
    date: dt.date  # UK date
    time: dt.time  # UK wall-clock time
    duration_minutes: int = 120
    status: str = MeetingStatus.PLANNED.value
    cancelled_reason: str | None = None
    programme_id: int | None = None
    organiser_id: int | None = None
    venue_id: int | None = None
    online_link: str | None = None
    accessibility_arrangements: str | None = None
    description: str | None = None
    protective_marking: str | None = None  # None: the office default
    notes: str | None = None


@dataclass(frozen=True)
class MeetingDetail:
    id: int
    version: int
    title: str
    meeting_type: str
    type_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    date: dt.date
    time: dt.time
    duration_minutes: int
    status: str
    status_label: str
    cancelled_reason: str | None
    programme_id: int | None
    programme: str | None
    organiser_id: int | None
    organiser: str | None
    venue_id: int | None
    venue: str | None
    venue_address: str | None
    online_link: str | None
    accessibility_arrangements: str | None
    description: str | None
    protective_marking: str | None
    notes: str | None
    calendar_uid: str
    calendar_sequence: int
    pack_sent_at: dt.datetime | None
    invited: int
    agenda_items: int
    open_actions: int

    @property
    def when(self) -> str:
        return f"{uk_date(self.starts_at)} {uk_time(self.starts_at)}-{uk_time(self.ends_at)}"


@dataclass(frozen=True)
class Choice:
    id: int
    label: str
    version: int | None = None


@dataclass(frozen=True)
class VenueRow:
    id: int
    version: int
    name: str
    address: str | None
    postcode: str | None
    step_free: bool
    hearing_loop: bool
    quiet_room: bool
    parking: str | None
    transport_notes: str | None
    notes: str | None

    def features(self) -> list[str]:
        out = []
        out.append("Step-free access" if self.step_free else "No step-free access")
        out.append("Hearing loop" if self.hearing_loop else "No hearing loop")
        out.append("Quiet room" if self.quiet_room else "No quiet room")
        return out


@dataclass
class VenueInput:
    name: str
    address: str | None = None
    postcode: str | None = None
    step_free: bool = False
    hearing_loop: bool = False
    quiet_room: bool = False
    parking: str | None = None
    transport_notes: str | None = None
    notes: str | None = None


@dataclass
class ProgrammeInput:
    name: str
    description: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass(frozen=True)
class CalendarMeeting:
    """One meeting for the month view."""

    id: int
    title: str
    meeting_type: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str


# -- helpers -------------------------------------------------------------------------------
def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    v = str(value).strip()
    return v or None


def _validate(ctx: AppContext, s, data: MeetingInput) -> tuple[dict, list[ScheduleWarning]]:
    errors: dict[str, str] = {}
    title = _clean(data.title)
    if not title:
        errors["title"] = "The meeting needs a title."
    elif len(title) > 200:
        errors["title"] = "The title is too long: keep it under 200 characters."
    try:
        mtype = MeetingType.parse(data.meeting_type).value
    except ValueError:
        mtype = None
        errors["meeting_type"] = f"Choose the type of meeting: {', '.join(m.label for m in MeetingType)}."
    try:
        status = MeetingStatus.parse(data.status).value
    except ValueError:
        status = None
        errors["status"] = f"Choose the status: {', '.join(m.label for m in MeetingStatus)}."
    try:
        duration = int(data.duration_minutes)
    except (TypeError, ValueError):
        duration = 0
    if not 1 <= duration <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = "The duration must be between 1 minute and 24 hours."
    reason = _clean(data.cancelled_reason)
    if status == MeetingStatus.CANCELLED and not reason:
        errors["cancelled_reason"] = "Say why the meeting is cancelled."
    link = _clean(data.online_link)
    if link and not (link.lower().startswith(("https://", "http://")) and " " not in link and len(link) <= 500):
        errors["online_link"] = "The online link must be a web address starting https:// (no spaces)."
    marking = _clean(data.protective_marking)
    if marking and marking not in PROTECTIVE_MARKINGS:
        errors["protective_marking"] = "The protective marking must be OFFICIAL or OFFICIAL-SENSITIVE."
    if data.date is None:
        errors["date"] = "The meeting needs a date."
    if data.time is None:
        errors["time"] = "The meeting needs a start time."
    start = None
    warnings: list[ScheduleWarning] = []
    if data.date is not None and data.time is not None:
        try:
            start = timing.uk_start(data.date, data.time)
        except ValidationError as exc:
            errors.update(exc.field_errors)
    if data.venue_id is not None and s.get(Venue, data.venue_id) is None:
        errors["venue_id"] = "That venue no longer exists: choose another."
    if data.programme_id is not None and s.get(Programme, data.programme_id) is None:
        errors["programme_id"] = "That programme no longer exists: choose another."
    if data.organiser_id is not None and s.get(StaffUser, data.organiser_id) is None:
        errors["organiser_id"] = "That organiser's account no longer exists: choose another."
    if errors:
        raise ValidationError(" ".join(dict.fromkeys(errors.values())), errors)
    if start.ambiguous:
        warnings.append(ScheduleWarning(
            "clock_change",
            f"{data.time.strftime('%H:%M')} happens twice on {uk_date(data.date)} because the clocks go back; "
            "the meeting is set for the first time (British Summer Time).",
        ))
    values = dict(
        title=title, meeting_type=mtype, starts_at=start.utc, duration_minutes=duration, status=status,
        cancelled_reason=reason if status == MeetingStatus.CANCELLED else None,
        programme_id=data.programme_id, organiser_id=data.organiser_id, venue_id=data.venue_id,
        online_link=link, accessibility_arrangements=_clean(data.accessibility_arrangements),
        description=_clean(data.description), protective_marking=marking, notes=_clean(data.notes),
    )
    return values, warnings


def _overlapping(s, starts: dt.datetime, ends: dt.datetime, exclude_id: int | None):
    """Meetings (not cancelled) that overlap [starts, ends)."""
    q = select(Meeting).where(Meeting.status != MeetingStatus.CANCELLED.value, Meeting.starts_at < ends,
                              Meeting.starts_at > starts - dt.timedelta(minutes=MAX_DURATION_MINUTES))
    if exclude_id is not None:
        q = q.where(Meeting.id != exclude_id)
    return [m for m in s.scalars(q) if timing.ends_at(m.starts_at, m.duration_minutes) > starts]


def person_warnings(s, person_ids: list[int], starts: dt.datetime, ends: dt.datetime,
                    exclude_meeting_id: int | None) -> list[ScheduleWarning]:
    """Overlapping invitations and quiet periods for these people at this time."""
    if not person_ids:
        return []
    names = {p.id: p.known_as for p in s.scalars(select(Person).where(Person.id.in_(person_ids)))}
    out: list[ScheduleWarning] = []
    others = _overlapping(s, starts, ends, exclude_meeting_id)
    if others:
        by_id = {m.id: m for m in others}
        rows = s.execute(select(Invitation.person_id, Invitation.meeting_id).where(
            Invitation.meeting_id.in_(list(by_id)), Invitation.person_id.in_(person_ids)))
        for pid, mid in sorted(rows, key=lambda r: (names.get(r[0], ""), r[1])):
            m = by_id[mid]
            out.append(ScheduleWarning(
                "overlap",
                f"{names.get(pid, 'A member')} is already invited to '{m.title}' on "
                f"{uk_datetime(m.starts_at)}, which overlaps this time.",
            ))
    first = starts.astimezone(clock.LONDON).date()
    last = (ends - dt.timedelta(seconds=1)).astimezone(clock.LONDON).date()
    quiet = s.execute(select(QuietPeriod.person_id, QuietPeriod.starts_on, QuietPeriod.ends_on).where(
        QuietPeriod.person_id.in_(person_ids), QuietPeriod.starts_on <= last, QuietPeriod.ends_on >= first))
    for pid, qs, qe in sorted(quiet, key=lambda r: names.get(r[0], "")):
        out.append(ScheduleWarning(
            "quiet_period",
            f"{names.get(pid, 'A member')} has a quiet period from {uk_date(qs)} to {uk_date(qe)}: "
            "nobody should contact them then.",
        ))
    return out


def _warnings(s, values: dict, meeting_id: int | None) -> list[ScheduleWarning]:
    if values["status"] == MeetingStatus.CANCELLED.value:
        return []
    starts = values["starts_at"]
    ends = timing.ends_at(starts, values["duration_minutes"])
    out: list[ScheduleWarning] = []
    if values["venue_id"] is not None:
        for m in _overlapping(s, starts, ends, meeting_id):
            if m.venue_id == values["venue_id"]:
                venue = s.get(Venue, values["venue_id"])
                out.append(ScheduleWarning(
                    "venue",
                    f"{venue.name} is already booked for '{m.title}' on {uk_datetime(m.starts_at)} "
                    f"to {uk_time(timing.ends_at(m.starts_at, m.duration_minutes))}.",
                ))
    if meeting_id is not None:
        invited = list(s.scalars(select(Invitation.person_id).where(
            Invitation.meeting_id == meeting_id, Invitation.person_id.is_not(None))))
        out.extend(person_warnings(s, invited, starts, ends, meeting_id))
    day = starts.astimezone(clock.LONDON).date()
    holiday = timing.bank_holiday(day)
    if holiday:
        out.append(ScheduleWarning(
            "bank_holiday", f"{uk_date(day)} is a bank holiday in England and Wales ({holiday})."))
    return out


def _detail(s, m: Meeting) -> MeetingDetail:
    from db.enums import ActionStatus
    from db.models import AgendaItem, MeetingAction

    d, t = timing.local_parts(m.starts_at)
    organiser = s.get(StaffUser, m.organiser_id).display_name if m.organiser_id else None
    invited = s.scalar(select(func.count(Invitation.id)).where(Invitation.meeting_id == m.id)) or 0
    items = s.scalar(select(func.count(AgendaItem.id)).where(AgendaItem.meeting_id == m.id)) or 0
    open_actions = s.scalar(select(func.count(MeetingAction.id)).where(
        MeetingAction.meeting_id == m.id,
        MeetingAction.status.in_([ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value]))) or 0
    return MeetingDetail(
        id=m.id, version=m.version, title=m.title, meeting_type=m.meeting_type,
        type_label=MeetingType(m.meeting_type).label, starts_at=m.starts_at,
        ends_at=timing.ends_at(m.starts_at, m.duration_minutes), date=d, time=t,
        duration_minutes=m.duration_minutes, status=m.status, status_label=MeetingStatus(m.status).label,
        cancelled_reason=m.cancelled_reason, programme_id=m.programme_id,
        programme=m.programme.name if m.programme else None, organiser_id=m.organiser_id, organiser=organiser,
        venue_id=m.venue_id, venue=m.venue.name if m.venue else None,
        venue_address=", ".join(x for x in (m.venue.address, m.venue.postcode) if x) if m.venue else None,
        online_link=m.online_link, accessibility_arrangements=m.accessibility_arrangements,
        description=m.description, protective_marking=m.protective_marking, notes=m.notes,
        calendar_uid=m.calendar_uid, calendar_sequence=m.calendar_sequence, pack_sent_at=m.pack_sent_at,
        invited=invited, agenda_items=items, open_actions=open_actions,
    )


# -- meetings ------------------------------------------------------------------------------
def check_meeting(ctx: AppContext, data: MeetingInput, *, meeting_id: int | None = None) -> list[ScheduleWarning]:
    """The warnings saving ``data`` would give, without saving (raises ValidationError for bad input)."""
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        values, warnings = _validate(ctx, s, data)
        return warnings + _warnings(s, values, meeting_id)


def save_meeting(ctx: AppContext, data: MeetingInput, *, meeting_id: int | None = None,
                 expected_version: int | None = None, confirm: bool = False) -> SaveResult:
    """Create (``meeting_id`` None) or change a meeting.

    With warnings and ``confirm=False`` nothing is saved: the result carries the
    warnings for the user to confirm.
    """
    require(ctx, Perm.WRITE, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx) as s:
        values, warnings = _validate(ctx, s, data)
        m = None
        if meeting_id is not None:
            m = get_or_404(s, Meeting, meeting_id, "meeting")
            check_version(s, m, expected_version, "meeting")
            if values["status"] == MeetingStatus.HELD.value and m.status != MeetingStatus.HELD.value \
                    and values["starts_at"] > clock.now():
                raise ValidationError("A meeting can only be marked as held once it has started.",
                                      {"status": "Not started yet."})
        elif values["status"] == MeetingStatus.HELD.value and values["starts_at"] > clock.now():
            raise ValidationError("A meeting can only be marked as held once it has started.",
                                  {"status": "Not started yet."})
        warnings = warnings + _warnings(s, values, meeting_id)
        if warnings and not confirm:
            return SaveResult(False, meeting_id, m.version if m else None, warnings)
        if m is None:
            m = Meeting(calendar_uid=f"{uuid.uuid4()}@lived-experience.opcc-llr", calendar_sequence=0, **values)
            s.add(m)
            s.flush()
            audit.record(s, ctx.actor, "meeting.create", entity="meeting", entity_id=m.id, fields=values.keys(),
                         detail=f"{len(warnings)} warning(s) confirmed" if warnings else None)
        else:
            changed = [k for k, v in values.items() if getattr(m, k) != v]
            if not changed:
                return SaveResult(True, m.id, m.version, warnings)
            if any(k in CALENDAR_FIELDS for k in changed):
                m.calendar_sequence = (m.calendar_sequence or 0) + 1
            for k in changed:
                setattr(m, k, values[k])
            s.flush()
            audit.record(s, ctx.actor, "meeting.change", entity="meeting", entity_id=m.id, fields=changed,
                         detail=f"{len(warnings)} warning(s) confirmed" if warnings else None)
        return SaveResult(True, m.id, m.version, warnings)


def cancel_meeting(ctx: AppContext, meeting_id: int, reason: str, *, expected_version: int | None = None) -> int:
    """Cancel with a reason; calendars see the cancellation (SEQUENCE goes up). Returns the new version."""
    require(ctx, Perm.WRITE, entity="meeting", entity_id=meeting_id)
    reason = _clean(reason)
    if not reason:
        raise ValidationError("Say why the meeting is cancelled.", {"cancelled_reason": "Needed."})
    with unit_of_work(ctx) as s:
        m = get_or_404(s, Meeting, meeting_id, "meeting")
        check_version(s, m, expected_version, "meeting")
        if m.status == MeetingStatus.HELD.value:
            raise UserError("This meeting has been held: it cannot be cancelled.")
        m.status = MeetingStatus.CANCELLED.value
        m.cancelled_reason = reason
        m.calendar_sequence = (m.calendar_sequence or 0) + 1
        s.flush()
        audit.record(s, ctx.actor, "meeting.cancel", entity="meeting", entity_id=m.id,
                     fields=["status", "cancelled_reason"])
        return m.version


def delete_meeting(ctx: AppContext, meeting_id: int, *, expected_version: int | None = None) -> None:
    """Delete a meeting that was never held (its agenda, papers and invitations go with it)."""
    require(ctx, Perm.WRITE, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx) as s:
        m = get_or_404(s, Meeting, meeting_id, "meeting")
        check_version(s, m, expected_version, "meeting")
        if m.status == MeetingStatus.HELD.value:
            raise UserError("This meeting has been held: keep its record (cancel or edit it instead).")
        s.delete(m)
        s.flush()
        audit.record(s, ctx.actor, "meeting.delete", entity="meeting", entity_id=meeting_id)


def get_meeting(ctx: AppContext, meeting_id: int) -> MeetingDetail:
    require(ctx, Perm.READ, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx, readonly=True) as s:
        return _detail(s, get_or_404(s, Meeting, meeting_id, "meeting"))


def meeting_input(detail: MeetingDetail) -> MeetingInput:
    """A form's starting values from a loaded meeting."""
    return MeetingInput(
        title=detail.title, meeting_type=detail.meeting_type, date=detail.date, time=detail.time,
        duration_minutes=detail.duration_minutes, status=detail.status, cancelled_reason=detail.cancelled_reason,
        programme_id=detail.programme_id, organiser_id=detail.organiser_id, venue_id=detail.venue_id,
        online_link=detail.online_link, accessibility_arrangements=detail.accessibility_arrangements,
        description=detail.description, protective_marking=detail.protective_marking, notes=detail.notes,
    )


def meetings_between(ctx: AppContext, first_day: dt.date, last_day: dt.date) -> list[CalendarMeeting]:
    """Meetings starting on UK dates ``first_day`` to ``last_day`` inclusive, in start order."""
    require(ctx, Perm.READ)
    lo = dt.datetime.combine(first_day, dt.time(0), tzinfo=clock.LONDON).astimezone(dt.UTC)
    hi = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=clock.LONDON).astimezone(dt.UTC)
    with unit_of_work(ctx, readonly=True) as s:
        rows = s.execute(select(Meeting.id, Meeting.title, Meeting.meeting_type, Meeting.starts_at,
                                Meeting.duration_minutes, Meeting.status)
                         .where(Meeting.starts_at >= lo, Meeting.starts_at < hi).order_by(Meeting.starts_at))
        return [CalendarMeeting(r.id, r.title, r.meeting_type, r.starts_at,
                                timing.ends_at(r.starts_at, r.duration_minutes), r.status) for r in rows]


def mark_pack_sent(ctx: AppContext, meeting_id: int, *, sent_at: dt.datetime | None = None,
                   expected_version: int | None = None) -> int:
    """Record that the pack went out (now, unless ``sent_at`` is given). Returns the new version."""
    require(ctx, Perm.WRITE, entity="meeting", entity_id=meeting_id)
    when = sent_at or clock.now()
    if when.tzinfo is None:
        raise ValidationError("The time the pack was sent needs a time zone.")
    if when > clock.now() + dt.timedelta(minutes=5):
        raise ValidationError("The pack cannot have been sent in the future.")
    with unit_of_work(ctx) as s:
        m = get_or_404(s, Meeting, meeting_id, "meeting")
        check_version(s, m, expected_version, "meeting")
        m.pack_sent_at = when.replace(microsecond=0)
        s.flush()
        audit.record(s, ctx.actor, "meeting.pack_sent", entity="meeting", entity_id=m.id, fields=["pack_sent_at"])
        return m.version


# -- programmes, venues, organisers, services ---------------------------------------------
def programmes(ctx: AppContext) -> list[Choice]:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        return [Choice(p.id, p.name, p.version) for p in s.scalars(select(Programme).order_by(Programme.name))]


def save_programme(ctx: AppContext, data: ProgrammeInput, *, programme_id: int | None = None,
                   expected_version: int | None = None) -> int:
    require(ctx, Perm.WRITE, entity="programme", entity_id=programme_id)
    name = _clean(data.name)
    if not name:
        raise ValidationError("The programme needs a name.", {"name": "Needed."})
    if len(name) > 200:
        raise ValidationError("The programme's name is too long: keep it under 200 characters.")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise ValidationError("The programme cannot end before it starts.", {"ends_on": "Before the start."})
    with unit_of_work(ctx) as s:
        clash = s.scalar(select(Programme.id).where(func.lower(Programme.name) == name.lower()))
        if clash is not None and clash != programme_id:
            raise ValidationError(f"There is already a programme called '{name}'.", {"name": "Already used."})
        if programme_id is None:
            p = Programme(name=name)
            s.add(p)
            action = "programme.create"
        else:
            p = get_or_404(s, Programme, programme_id, "programme")
            check_version(s, p, expected_version, "programme")
            action = "programme.change"
        p.name, p.description, p.starts_on, p.ends_on = name, _clean(data.description), data.starts_on, data.ends_on
        s.flush()
        audit.record(s, ctx.actor, action, entity="programme", entity_id=p.id,
                     fields=["name", "description", "starts_on", "ends_on"])
        return p.id


def venues(ctx: AppContext) -> list[VenueRow]:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        return [_venue_row(v) for v in s.scalars(select(Venue).order_by(Venue.name))]


def _venue_row(v: Venue) -> VenueRow:
    return VenueRow(v.id, v.version, v.name, v.address, v.postcode, v.step_free, v.hearing_loop, v.quiet_room,
                    v.parking, v.transport_notes, v.notes)


def save_venue(ctx: AppContext, data: VenueInput, *, venue_id: int | None = None,
               expected_version: int | None = None) -> int:
    require(ctx, Perm.WRITE, entity="venue", entity_id=venue_id)
    name = _clean(data.name)
    if not name:
        raise ValidationError("The venue needs a name.", {"name": "Needed."})
    if len(name) > 200:
        raise ValidationError("The venue's name is too long: keep it under 200 characters.")
    postcode = _clean(data.postcode)
    if postcode and len(postcode) > 10:
        raise ValidationError("The postcode is too long.", {"postcode": "Too long."})
    with unit_of_work(ctx) as s:
        clash = s.scalar(select(Venue.id).where(func.lower(Venue.name) == name.lower()))
        if clash is not None and clash != venue_id:
            raise ValidationError(f"There is already a venue called '{name}'.", {"name": "Already used."})
        if venue_id is None:
            v = Venue(name=name)
            s.add(v)
            action = "venue.create"
        else:
            v = get_or_404(s, Venue, venue_id, "venue")
            check_version(s, v, expected_version, "venue")
            action = "venue.change"
        v.name = name
        v.address = _clean(data.address)
        v.postcode = postcode.upper() if postcode else None
        v.step_free, v.hearing_loop, v.quiet_room = bool(data.step_free), bool(data.hearing_loop), bool(data.quiet_room)
        v.parking = _clean(data.parking)
        v.transport_notes = _clean(data.transport_notes)
        v.notes = _clean(data.notes)
        s.flush()
        audit.record(s, ctx.actor, action, entity="venue", entity_id=v.id,
                     fields=["name", "address", "postcode", "step_free", "hearing_loop", "quiet_room", "parking",
                             "transport_notes", "notes"])
        if venue_id is not None:
            # Meetings at this venue show a new location in calendars.
            for m in s.scalars(select(Meeting).where(Meeting.venue_id == v.id, Meeting.starts_at >= clock.now())):
                m.calendar_sequence = (m.calendar_sequence or 0) + 1
        return v.id


def organisers(ctx: AppContext) -> list[Choice]:
    """Staff who can organise a meeting (active accounts)."""
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        rows = s.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.is_active.is_(True))
                         .order_by(StaffUser.display_name))
        return [Choice(r.id, r.display_name) for r in rows]


def services_and_cycles(ctx: AppContext) -> tuple[list[Choice], list[Choice]]:
    """Commissioned services and commissioning cycles an agenda item can be linked to."""
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        services = [Choice(r.id, r.name) for r in s.execute(
            select(CommissionedService.id, CommissionedService.name).order_by(CommissionedService.name))]
        cycles = [Choice(r.id, f"{r.service}: {r.name}") for r in s.execute(
            select(CommissioningCycle.id, CommissioningCycle.name, CommissionedService.name.label("service"))
            .join(CommissionedService, CommissionedService.id == CommissioningCycle.service_id)
            .order_by(CommissionedService.name, CommissioningCycle.starts_on))]
        return services, cycles
