"""Calendar files (.ics) for meetings, that Outlook opens.

- One VTIMEZONE for Europe/London in the classic form Outlook itself writes: a
  DAYLIGHT part (last Sunday of March, 01:00 GMT -> 02:00 BST) and a STANDARD part
  (last Sunday of October, 02:00 BST -> 01:00 GMT), each as a yearly RRULE. Not
  icalendar's ``add_missing_timezones()``, whose list of dates other calendar
  programs read an hour out.
- DTSTART/DTEND carry TZID=Europe/London and the UK wall-clock time.
- UID is the meeting's own (stable for its life); SEQUENCE is its calendar
  sequence, which goes up whenever the time, place, title or status changes, so
  an updated file replaces the old entry instead of adding a second one.
- A cancelled meeting is STATUS:CANCELLED. A single cancelled meeting whose organiser
  has an email address is sent as METHOD:CANCEL so Outlook removes it; iTIP (RFC 5546)
  requires an ORGANIZER on a CANCEL, so without one the file is METHOD:PUBLISH and the
  higher SEQUENCE with STATUS:CANCELLED updates the entry instead.
- LOCATION is the venue's name and address; the online link is the URL and is
  in the description too. No member is named in a calendar file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from db.enums import MeetingStatus, MeetingType
from db.models import Invitation, Meeting, StaffUser
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import get_or_404, unit_of_work
from lived_experience.exporting.files import check_output
from lived_experience.meetings import timing
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

TZID = "Europe/London"
PRODID = "-//OPCC Leicester Leicestershire and Rutland//Lived Experience//EN"


@dataclass
class CalendarResult:
    path: Path
    meetings: int
    cancelled: int
    do_not_send: list = field(default_factory=list)  # QuietHold: members invited to these meetings, quiet today

    @property
    def quiet_message(self) -> str | None:
        """Whom not to forward the file to (None when nobody invited is in a quiet period)."""
        if not self.do_not_send:
            return None
        n = len(self.do_not_send)
        return (f"Do not send this calendar file to {n} invited member{'s' if n != 1 else ''} in a quiet period: "
                + "; ".join(h.text for h in self.do_not_send) + ".")


def _rule(month: int):
    """RRULE:FREQ=YEARLY;BYMONTH=m;BYDAY=-1SU, written in that order (as Outlook does)."""
    from icalendar.prop import vRecur

    class Rule(vRecur):
        canonical_order = ("FREQ", "BYMONTH", "BYDAY")

    return Rule({"FREQ": ["YEARLY"], "BYMONTH": [month], "BYDAY": ["-1SU"]})


def london_vtimezone():
    """Europe/London as the classic two-rule VTIMEZONE."""
    import icalendar

    tz = icalendar.Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)
    daylight = icalendar.TimezoneDaylight()
    daylight.add("tzname", "BST")
    daylight.add("tzoffsetfrom", dt.timedelta(hours=0))
    daylight.add("tzoffsetto", dt.timedelta(hours=1))
    daylight.add("dtstart", dt.datetime(1981, 3, 29, 1, 0, 0))
    daylight.add("rrule", _rule(3))
    standard = icalendar.TimezoneStandard()
    standard.add("tzname", "GMT")
    standard.add("tzoffsetfrom", dt.timedelta(hours=1))
    standard.add("tzoffsetto", dt.timedelta(hours=0))
    standard.add("dtstart", dt.datetime(1996, 10, 27, 2, 0, 0))
    standard.add("rrule", _rule(10))
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _event(m: Meeting, organiser: StaffUser | None, stamp: dt.datetime):
    import icalendar

    start = clock.to_london(m.starts_at)
    end = clock.to_london(timing.ends_at(m.starts_at, m.duration_minutes))
    ev = icalendar.Event()
    ev.add("uid", m.calendar_uid)
    ev.add("sequence", int(m.calendar_sequence or 0))
    ev.add("dtstamp", stamp)
    ev.add("dtstart", start)
    ev.add("dtend", end)
    summary = m.title
    if m.status == MeetingStatus.CANCELLED.value:
        summary = f"Cancelled: {m.title}"
    ev.add("summary", summary)
    status = {MeetingStatus.CANCELLED.value: "CANCELLED", MeetingStatus.PLANNED.value: "TENTATIVE"}.get(
        m.status, "CONFIRMED")
    ev.add("status", status)
    ev.add("transp", "OPAQUE")
    ev.add("class", "CONFIDENTIAL")
    if m.venue is not None:
        ev.add("location", ", ".join(x for x in (m.venue.name, m.venue.address, m.venue.postcode) if x))
    elif m.online_link:
        ev.add("location", "Online")
    lines = [f"{MeetingType(m.meeting_type).label}" + (f" - {m.programme.name}" if m.programme else "")]
    if m.status == MeetingStatus.CANCELLED.value and m.cancelled_reason:
        lines.append(f"Cancelled: {m.cancelled_reason}")
    if m.online_link:
        ev.add("url", m.online_link)
        lines.append(f"Join online: {m.online_link}")
    if m.venue is not None:
        v = m.venue
        access = ["step-free access" if v.step_free else "no step-free access",
                  "hearing loop" if v.hearing_loop else "no hearing loop",
                  "quiet room" if v.quiet_room else "no quiet room"]
        lines.append("Venue: " + ", ".join(access) + ".")
        if v.transport_notes:
            lines.append(f"Getting there: {v.transport_notes}")
        if v.parking:
            lines.append(f"Parking: {v.parking}")
    if m.accessibility_arrangements:
        lines.append(f"Arrangements: {m.accessibility_arrangements}")
    if m.description:
        lines.append(m.description)
    ev.add("description", "\n".join(lines))
    if organiser is not None and organiser.email:
        org = icalendar.vCalAddress(f"mailto:{organiser.email}")
        org.params["cn"] = icalendar.vText(organiser.display_name)
        ev.add("organizer", org)
    return ev


def calendar_bytes(meetings: list[Meeting], organisers: dict[int, StaffUser], *, cancel: bool = False) -> bytes:
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancel else "PUBLISH")
    cal.add("x-wr-timezone", TZID)
    cal.add_component(london_vtimezone())
    stamp = clock.now().replace(microsecond=0)
    for m in meetings:
        cal.add_component(_event(m, organisers.get(m.organiser_id), stamp))
    return cal.to_ical()


def _day_bounds(first: dt.date | None, last: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    lo = dt.datetime.combine(first, dt.time(0), tzinfo=clock.LONDON).astimezone(dt.UTC) if first else None
    hi = (dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=clock.LONDON).astimezone(dt.UTC)
          if last else None)
    return lo, hi


def export_calendar(ctx: AppContext, output: str | Path, *, meeting_id: int | None = None,
                    date_from: dt.date | None = None, date_to: dt.date | None = None,
                    progress: Callable[[int, int], None] | None = None) -> CalendarResult:
    """Write one meeting (``meeting_id``) or the meetings starting on UK dates
    ``date_from``..``date_to`` (inclusive; either may be open) as an .ics file."""
    require(ctx, Perm.EXPORT, entity="meeting", entity_id=meeting_id)
    output = check_output(Path(output), ".ics", "meetings.ics")
    if meeting_id is not None and (date_from or date_to):
        raise UserError("Give either one meeting or a range of dates, not both.")
    if date_from and date_to and date_to < date_from:
        raise UserError(f"The range ends ({uk_date(date_to)}) before it starts ({uk_date(date_from)}).")
    with unit_of_work(ctx, readonly=True) as s:
        if meeting_id is not None:
            meetings = [get_or_404(s, Meeting, meeting_id, "meeting")]
        else:
            lo, hi = _day_bounds(date_from, date_to)
            q = select(Meeting).order_by(Meeting.starts_at)
            if lo is not None:
                q = q.where(Meeting.starts_at >= lo)
            if hi is not None:
                q = q.where(Meeting.starts_at < hi)
            meetings = list(s.scalars(q))
        if not meetings:
            raise UserError("There are no meetings in that range of dates: nothing was written.")
        ids = {m.organiser_id for m in meetings if m.organiser_id}
        organisers = {u.id: u for u in s.scalars(select(StaffUser).where(StaffUser.id.in_(ids)))} if ids else {}
        for m in meetings:
            _ = m.venue, m.programme  # load while the session is open
        organiser = organisers.get(meetings[0].organiser_id)
        single_cancel = (meeting_id is not None and meetings[0].status == MeetingStatus.CANCELLED.value
                         and organiser is not None and bool(organiser.email))
        data = calendar_bytes(meetings, organisers, cancel=single_cancel)
        count = len(meetings)
        cancelled = sum(1 for m in meetings if m.status == MeetingStatus.CANCELLED.value)
        # Sending the file is contact: name the invited members who are in a quiet period today
        # (meetings still to come; an update or a cancellation is contact too).
        from lived_experience.members.contact import quiet_holds

        coming = [m.id for m in meetings if m.starts_at >= clock.now()]
        invited = s.scalars(select(Invitation.person_id).where(Invitation.meeting_id.in_(coming),
                                                               Invitation.person_id.is_not(None))).all() \
            if coming else []
        holds = quiet_holds(s, invited)
    tmp = output.with_name(output.name + ".partial")
    try:
        tmp.write_bytes(data)
        tmp.replace(output)
    except OSError as exc:
        raise UserError(f"The calendar file cannot be written to {output} ({exc.strerror or 'refused'}): check "
                        "you may save in that folder and the file is not open in another program.") from None
    finally:
        tmp.unlink(missing_ok=True)
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "meeting.calendar_export", entity="meeting", entity_id=meeting_id,
                     fields=["title", "starts_at", "venue", "online_link"], detail=f"{count} meeting(s)")
    if progress:
        progress(1, 1)
    return CalendarResult(output, count, cancelled, holds)
