"""Calendar files, read back by vobject (a different parser from the icalendar that wrote them)."""

from __future__ import annotations

import datetime as dt

import pytest
import vobject
from sqlalchemy import select

from db.models import AuditEvent, Meeting, StaffUser
from lived_experience.core.errors import UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting.calendar import export_calendar
from lived_experience.meetings import attendance, service
from tests.meetings.conftest import add_member, add_venue, new_meeting

UTC = dt.UTC


def _read(path):
    return vobject.readOne(path.read_text(encoding="utf-8"))


def _events(path) -> dict[str, object]:
    return {str(e.summary.value): e for e in _read(path).vevent_list}


CLOCK_CHANGE_CASES = [
    # (UK date, UK time, the UTC moment it must be)
    (dt.date(2026, 3, 28), dt.time(10, 0), dt.datetime(2026, 3, 28, 10, 0, tzinfo=UTC)),  # Saturday before: GMT
    (dt.date(2026, 3, 29), dt.time(0, 30), dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),  # before the change
    (dt.date(2026, 3, 29), dt.time(10, 0), dt.datetime(2026, 3, 29, 9, 0, tzinfo=UTC)),  # last Sunday of March: BST
    (dt.date(2026, 10, 24), dt.time(18, 0), dt.datetime(2026, 10, 24, 17, 0, tzinfo=UTC)),  # still BST
    (dt.date(2026, 10, 25), dt.time(10, 0), dt.datetime(2026, 10, 25, 10, 0, tzinfo=UTC)),  # last Sunday Oct: GMT
    (dt.date(2027, 3, 28), dt.time(18, 30), dt.datetime(2027, 3, 28, 17, 30, tzinfo=UTC)),
    (dt.date(2027, 10, 31), dt.time(18, 30), dt.datetime(2027, 10, 31, 18, 30, tzinfo=UTC)),
    (dt.date(2026, 1, 1), dt.time(10, 0), dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC)),
    (dt.date(2026, 7, 1), dt.time(10, 0), dt.datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),
]


def test_another_parser_reads_every_meeting_at_the_right_moment_across_clock_changes(ctx, tmp_path):
    for i, (day, time, _utc) in enumerate(CLOCK_CHANGE_CASES):
        new_meeting(ctx, day, time, title=f"Meeting {i}", duration_minutes=90)
    out = tmp_path / "all.ics"
    result = export_calendar(ctx, out)
    assert result.meetings == len(CLOCK_CHANGE_CASES)
    events = _events(out)
    for i, (day, time, utc) in enumerate(CLOCK_CHANGE_CASES):
        ev = events[f"Meeting {i}"]
        start = ev.dtstart.value
        assert start.astimezone(UTC) == utc, (day, time)
        assert (start.date(), start.time()) == (day, time), "shown in UK wall-clock time"
        assert ev.dtend.value.astimezone(UTC) == utc + dt.timedelta(minutes=90)
    raw = out.read_text()
    assert "DTSTART;TZID=Europe/London:20260329T100000" in raw
    assert "DTSTART;TZID=Europe/London:20261025T100000" in raw


def test_the_time_zone_is_the_classic_two_rule_form_outlook_writes(sqlite_ctx, tmp_path):
    new_meeting(sqlite_ctx, dt.date(2026, 6, 1))
    out = tmp_path / "one.ics"
    export_calendar(sqlite_ctx, out)
    raw = out.read_text().replace("\r\n", "\n")
    assert raw.count("BEGIN:VTIMEZONE") == 1 and "TZID:Europe/London" in raw
    assert ("BEGIN:DAYLIGHT\nDTSTART:19810329T010000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nTZNAME:BST\n"
            "TZOFFSETFROM:+0000\nTZOFFSETTO:+0100\nEND:DAYLIGHT") in raw
    assert ("BEGIN:STANDARD\nDTSTART:19961027T020000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nTZNAME:GMT\n"
            "TZOFFSETFROM:+0100\nTZOFFSETTO:+0000\nEND:STANDARD") in raw
    assert "RDATE" not in raw
    assert "VERSION:2.0" in raw and "PRODID:" in raw and "METHOD:PUBLISH" in raw


def test_uid_is_stable_and_sequence_rises_when_the_meeting_changes(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    mid = new_meeting(ctx, dt.date(2026, 6, 1), title="Forum")
    a, b = tmp_path / "a.ics", tmp_path / "b.ics"
    export_calendar(ctx, a, meeting_id=mid)
    d = service.get_meeting(ctx, mid)
    data = service.meeting_input(d)
    data.time = dt.time(14, 0)
    service.save_meeting(ctx, data, meeting_id=mid, expected_version=d.version)
    export_calendar(ctx, b, meeting_id=mid)
    ea, eb = _read(a).vevent, _read(b).vevent
    assert ea.uid.value == eb.uid.value == d.calendar_uid
    assert int(ea.sequence.value) == 0 and int(eb.sequence.value) == 1
    assert eb.dtstart.value.astimezone(UTC) == dt.datetime(2026, 6, 1, 13, 0, tzinfo=UTC)


def test_cancelled_meetings_are_exported_as_cancelled(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    keep = new_meeting(ctx, dt.date(2026, 6, 1), title="Forum")
    gone = new_meeting(ctx, dt.date(2026, 6, 2), title="Consultation")
    service.cancel_meeting(ctx, gone, "Venue flooded")
    one = tmp_path / "cancel.ics"
    export_calendar(ctx, one, meeting_id=gone)
    cal = _read(one)
    # No organiser with an email address: a CANCEL without ORGANIZER breaks iTIP, so the file
    # publishes the cancelled entry (same UID, higher SEQUENCE) instead.
    assert cal.method.value == "PUBLISH" and not hasattr(cal.vevent, "organizer")
    assert cal.vevent.status.value == "CANCELLED" and int(cal.vevent.sequence.value) == 1
    with unit_of_work(ctx) as s:
        organiser = StaffUser(username="priya", username_key="priya", display_name="Priya Shah",
                              email="priya.shah@opcc.example.org", role="coordinator")
        s.add(organiser)
        s.flush()
        s.get(Meeting, gone).organiser_id = organiser.id
    export_calendar(ctx, one, meeting_id=gone)
    cal = _read(one)
    assert cal.method.value == "CANCEL"
    assert cal.vevent.organizer.value == "mailto:priya.shah@opcc.example.org"
    assert "Venue flooded" in cal.vevent.description.value
    both = tmp_path / "both.ics"
    result = export_calendar(ctx, both)
    assert (result.meetings, result.cancelled) == (2, 1)
    cal = _read(both)
    assert cal.method.value == "PUBLISH"
    statuses = {str(e.summary.value): e.status.value for e in cal.vevent_list}
    assert statuses == {"Forum": "TENTATIVE", "Cancelled: Consultation": "CANCELLED"}
    assert keep


def test_location_and_online_link_are_filled_in_and_no_member_is_named(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    venue = add_venue(ctx, "Riverside Community Centre", transport_notes="Bus 9 stops outside")
    mid = new_meeting(ctx, dt.date(2026, 6, 1), venue_id=venue, online_link="https://meet.example.org/le-1?a=1,2",
                      status="confirmed")
    pid = add_member(ctx, "Zoë", "Clarke")
    attendance.invite(ctx, mid, person_ids=[pid], confirm=True)
    out = tmp_path / "where.ics"
    export_calendar(ctx, out, meeting_id=mid)
    ev = _read(out).vevent
    assert ev.location.value == "Riverside Community Centre, 1 High Street, Leicester, LE1 1AA"
    assert ev.url.value == "https://meet.example.org/le-1?a=1,2"
    assert "Join online: https://meet.example.org/le-1?a=1,2" in ev.description.value
    assert "Bus 9 stops outside" in ev.description.value
    assert ev.status.value == "CONFIRMED"
    raw = out.read_text()
    assert "Zoë" not in raw and "Clarke" not in raw and "ATTENDEE" not in raw


def test_a_date_range_is_inclusive_uk_days(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    new_meeting(ctx, dt.date(2026, 6, 1), dt.time(0, 30), title="Just after midnight")  # 31/05 23:30 UTC
    new_meeting(ctx, dt.date(2026, 6, 30), dt.time(23, 30), title="Late on the last day")
    new_meeting(ctx, dt.date(2026, 7, 1), dt.time(0, 30), title="Next month")
    out = tmp_path / "june.ics"
    result = export_calendar(ctx, out, date_from=dt.date(2026, 6, 1), date_to=dt.date(2026, 6, 30))
    assert result.meetings == 2
    assert set(_events(out)) == {"Just after midnight", "Late on the last day"}
    with pytest.raises(UserError, match="no meetings"):
        export_calendar(ctx, tmp_path / "none.ics", date_from=dt.date(2030, 1, 1))
    with pytest.raises(UserError, match="before it starts"):
        export_calendar(ctx, tmp_path / "bad.ics", date_from=dt.date(2026, 7, 1), date_to=dt.date(2026, 6, 1))
    with pytest.raises(UserError, match=".ics"):
        export_calendar(ctx, tmp_path / "bad.txt")
    with unit_of_work(ctx, readonly=True) as s:
        ev = s.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.calendar_export"))
        assert ev.detail == "2 meeting(s)"
