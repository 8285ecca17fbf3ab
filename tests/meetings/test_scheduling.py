"""Scheduling: UK time across the clock changes, warnings before saving, status, versions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Meeting
from lived_experience.core.clock import LONDON
from lived_experience.core.errors import ConflictError, PermissionDenied, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.listing.query import list_all
from lived_experience.listing.render import json_row
from lived_experience.meetings import attendance, service
from lived_experience.meetings.timing import bank_holiday, uk_start
from tests.conftest import as_role
from tests.meetings.conftest import (
    add_member,
    add_quiet_period,
    add_venue,
    meeting_input,
    new_meeting,
)

MARCH_CHANGE = dt.date(2026, 3, 29)  # last Sunday of March 2026: 01:00 GMT becomes 02:00 BST
OCTOBER_CHANGE = dt.date(2026, 10, 25)  # last Sunday of October 2026: 02:00 BST becomes 01:00 GMT


def _stored_start(ctx, meeting_id):
    with unit_of_work(ctx, readonly=True) as s:
        return s.get(Meeting, meeting_id).starts_at


@pytest.mark.parametrize("day,time,utc", [
    (dt.date(2026, 3, 28), dt.time(10, 0), dt.datetime(2026, 3, 28, 10, 0, tzinfo=dt.UTC)),
    (MARCH_CHANGE, dt.time(10, 0), dt.datetime(2026, 3, 29, 9, 0, tzinfo=dt.UTC)),
    (MARCH_CHANGE, dt.time(0, 30), dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)),
    (MARCH_CHANGE, dt.time(2, 0), dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)),
    (OCTOBER_CHANGE, dt.time(10, 0), dt.datetime(2026, 10, 25, 10, 0, tzinfo=dt.UTC)),
    (dt.date(2026, 10, 24), dt.time(18, 0), dt.datetime(2026, 10, 24, 17, 0, tzinfo=dt.UTC)),
    (dt.date(2027, 3, 28), dt.time(18, 30), dt.datetime(2027, 3, 28, 17, 30, tzinfo=dt.UTC)),
    (dt.date(2027, 10, 31), dt.time(18, 30), dt.datetime(2027, 10, 31, 18, 30, tzinfo=dt.UTC)),
])
def test_uk_time_is_stored_as_utc_and_read_back_the_same_across_clock_changes(ctx, day, time, utc):
    mid = new_meeting(ctx, day, time)
    assert _stored_start(ctx, mid) == utc
    detail = service.get_meeting(ctx, mid)
    assert (detail.date, detail.time) == (day, time)
    row = next(r for r in list_all(ctx, "meetings").rows if r["id"] == mid)
    js = json_row(row, list_all(ctx, "meetings").columns)
    offset = "+01:00" if utc.hour != time.hour else "+00:00"
    assert js["starts_at"] == f"{day.isoformat()}T{time.strftime('%H:%M')}:00{offset}"
    # Two hours of real time (00:30 GMT on the March change ends at 03:30 BST).
    assert js["ends_at"] == (utc + dt.timedelta(hours=2)).astimezone(LONDON).isoformat()
    assert {"id", "title", "type", "starts_at", "ends_at", "status"} <= set(js)


def test_a_time_the_clocks_skip_is_refused_and_nothing_is_saved(ctx):
    with pytest.raises(ValidationError, match="does not exist on UK clocks"):
        service.save_meeting(ctx, meeting_input(MARCH_CHANGE, dt.time(1, 30)), confirm=True)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(Meeting.id)) is None


def test_a_time_that_happens_twice_warns_and_takes_the_first(ctx):
    result = service.save_meeting(ctx, meeting_input(OCTOBER_CHANGE, dt.time(1, 30)))
    assert not result.saved and [w.code for w in result.warnings] == ["clock_change"]
    assert "happens twice" in result.warnings[0].message
    result = service.save_meeting(ctx, meeting_input(OCTOBER_CHANGE, dt.time(1, 30)), confirm=True)
    assert result.saved
    assert _stored_start(ctx, result.id) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 01:30 BST


def test_duration_is_real_time_across_the_october_change(ctx):
    mid = new_meeting(ctx, OCTOBER_CHANGE, dt.time(0, 30), duration_minutes=180)
    detail = service.get_meeting(ctx, mid)
    # 00:30 BST + 3 hours elapsed = 02:30 GMT on the same morning.
    assert detail.ends_at == dt.datetime(2026, 10, 25, 2, 30, tzinfo=dt.UTC)
    assert detail.when == "25/10/2026 00:30-02:30"


@pytest.mark.parametrize("day,name", [
    (dt.date(2026, 12, 25), "Christmas Day"), (dt.date(2026, 8, 31), "Late Summer Bank Holiday"),
    (dt.date(2026, 5, 4), "May Day"), (dt.date(2026, 4, 3), "Good Friday"),
])
def test_bank_holidays_in_england_and_wales_warn_before_saving(ctx, day, name):
    assert bank_holiday(day) == name
    result = service.save_meeting(ctx, meeting_input(day))
    assert not result.saved and result.needs_confirmation
    assert [w.code for w in result.warnings] == ["bank_holiday"]
    assert name in result.warnings[0].message and day.strftime("%d/%m/%Y") in result.warnings[0].message
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(Meeting.id)) is None, "a warning never saves silently"
    assert service.save_meeting(ctx, meeting_input(day), confirm=True).saved


def test_scottish_only_holidays_do_not_warn(ctx):
    # St Andrew's Day (30/11) and 2 January are Scottish bank holidays, not English ones.
    assert bank_holiday(dt.date(2026, 11, 30)) is None
    assert bank_holiday(dt.date(2026, 1, 2)) is None
    assert service.save_meeting(ctx, meeting_input(dt.date(2026, 11, 30))).saved


def test_venue_already_booked_warns_only_when_times_overlap(ctx):
    venue = add_venue(ctx)
    other = add_venue(ctx)
    day = dt.date(2026, 6, 10)
    new_meeting(ctx, day, dt.time(10, 0), venue_id=venue, title="Roundtable")
    clash = service.check_meeting(ctx, meeting_input(day, dt.time(11, 0), venue_id=venue))
    assert [w.code for w in clash] == ["venue"]
    assert "already booked for 'Roundtable'" in clash[0].message
    assert service.check_meeting(ctx, meeting_input(day, dt.time(12, 0), venue_id=venue)) == []  # back to back
    assert service.check_meeting(ctx, meeting_input(day, dt.time(11, 0), venue_id=other)) == []
    # A cancelled meeting does not hold the room.
    cancelled = new_meeting(ctx, dt.date(2026, 6, 11), venue_id=venue)
    service.cancel_meeting(ctx, cancelled, "Speaker unwell")
    assert service.check_meeting(ctx, meeting_input(dt.date(2026, 6, 11), venue_id=venue)) == []


def test_inviting_a_member_already_invited_to_an_overlapping_meeting_warns(ctx):
    zoe = add_member(ctx, "Zoë", "Clarke")
    day = dt.date(2026, 6, 10)
    first = new_meeting(ctx, day, dt.time(10, 0), title="Focus group")
    assert attendance.invite(ctx, first, person_ids=[zoe]).saved
    second = new_meeting(ctx, day, dt.time(11, 30), title="Consultation")
    result = attendance.invite(ctx, second, person_ids=[zoe])
    assert not result.saved
    assert [w.code for w in result.warnings] == ["overlap"]
    assert "Zoë Clarke is already invited to 'Focus group'" in result.warnings[0].message
    assert attendance.invitations(ctx, second) == []
    assert attendance.invite(ctx, second, person_ids=[zoe], confirm=True).saved
    assert len(attendance.invitations(ctx, second)) == 1


def test_moving_a_meeting_onto_an_invited_members_other_meeting_warns(ctx):
    zoe = add_member(ctx, "Zoë", "Clarke")
    day = dt.date(2026, 6, 10)
    a = new_meeting(ctx, day, dt.time(10, 0), title="Focus group")
    b = new_meeting(ctx, day, dt.time(15, 0), title="Consultation")
    attendance.invite(ctx, a, person_ids=[zoe])
    attendance.invite(ctx, b, person_ids=[zoe])
    detail = service.get_meeting(ctx, b)
    moved = meeting_input(day, dt.time(11, 0), title="Consultation")
    result = service.save_meeting(ctx, moved, meeting_id=b, expected_version=detail.version)
    assert not result.saved and [w.code for w in result.warnings] == ["overlap"]
    assert service.get_meeting(ctx, b).time == dt.time(15, 0)


def test_a_members_quiet_period_warns(ctx):
    siobhan = add_member(ctx, "Siobhán", "Byrne")
    add_quiet_period(ctx, siobhan, dt.date(2026, 6, 8), dt.date(2026, 6, 12))
    inside = new_meeting(ctx, dt.date(2026, 6, 10))
    result = attendance.invite(ctx, inside, person_ids=[siobhan])
    assert [w.code for w in result.warnings] == ["quiet_period"]
    assert "Siobhán Byrne has a quiet period from 08/06/2026 to 12/06/2026" in result.warnings[0].message
    assert "Trial" not in result.warnings[0].message, "the reason is personal: not shown"
    outside = new_meeting(ctx, dt.date(2026, 6, 13))
    assert attendance.invite(ctx, outside, person_ids=[siobhan]).saved


def test_members_without_a_cleared_dbs_check_are_flagged_when_invited(ctx):
    cleared = add_member(ctx, "Łukasz", "Nowak")
    not_cleared = add_member(ctx, "Amir", "Haddad", cleared=False)
    mid = new_meeting(ctx, dt.date(2026, 6, 10))
    coordinator = as_role(ctx, "coordinator")
    result = attendance.invite(coordinator, mid, person_ids=[cleared, not_cleared])
    assert [w.code for w in result.warnings] == ["dbs"]
    assert "Amir Haddad does not have a cleared DBS check (No DBS check)" in result.warnings[0].message
    attendance.invite(coordinator, mid, person_ids=[cleared, not_cleared], confirm=True)
    flags = {r.name: r.dbs_flag for r in attendance.invitations(coordinator, mid)}
    assert flags == {"Łukasz Nowak": "", "Amir Haddad": "No DBS check"}
    # A viewer may not see DBS status: no flag at all.
    viewer_flags = {r.name: r.dbs_flag for r in attendance.invitations(as_role(ctx, "viewer"), mid)}
    assert set(viewer_flags.values()) == {""}


def test_inviting_someone_who_is_not_a_member_then_warns(ctx):
    former = add_member(ctx, "Former", "Member", starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2024, 6, 30))
    mid = new_meeting(ctx, dt.date(2026, 6, 10))
    result = attendance.invite(ctx, mid, person_ids=[former])
    assert "not_member" in [w.code for w in result.warnings]
    members, _contacts = attendance.candidates(ctx, mid)
    assert former not in [c.id for c in members]


def test_changes_that_matter_to_calendars_raise_the_sequence(ctx):
    mid = new_meeting(ctx, dt.date(2026, 6, 10))
    d = service.get_meeting(ctx, mid)
    assert d.calendar_sequence == 0 and d.calendar_uid.endswith("@lived-experience.opcc-llr")
    data = service.meeting_input(d)
    data.notes = "Internal note"
    service.save_meeting(ctx, data, meeting_id=mid, expected_version=d.version)
    d2 = service.get_meeting(ctx, mid)
    assert d2.calendar_sequence == 0, "a private note is not a calendar change"
    data = service.meeting_input(d2)
    data.time = dt.time(11, 0)
    service.save_meeting(ctx, data, meeting_id=mid, expected_version=d2.version)
    d3 = service.get_meeting(ctx, mid)
    assert d3.calendar_sequence == 1 and d3.calendar_uid == d.calendar_uid
    service.cancel_meeting(ctx, mid, "Venue unavailable", expected_version=d3.version)
    d4 = service.get_meeting(ctx, mid)
    assert (d4.status, d4.cancelled_reason, d4.calendar_sequence) == ("cancelled", "Venue unavailable", 2)


def test_a_second_save_from_an_old_form_is_refused(ctx):
    mid = new_meeting(ctx, dt.date(2026, 6, 10))
    d = service.get_meeting(ctx, mid)
    first = service.meeting_input(d)
    first.title = "Renamed"
    service.save_meeting(ctx, first, meeting_id=mid, expected_version=d.version)
    stale = service.meeting_input(d)
    stale.title = "Another name"
    with pytest.raises(ConflictError, match="changed by"):
        service.save_meeting(ctx, stale, meeting_id=mid, expected_version=d.version)
    assert service.get_meeting(ctx, mid).title == "Renamed"


@pytest.mark.parametrize("change,message", [
    ({"title": "  "}, "needs a title"),
    ({"meeting_type": "picnic"}, "type of meeting"),
    ({"duration_minutes": 0}, "duration"),
    ({"status": "cancelled"}, "why the meeting is cancelled"),
    ({"online_link": "meet.example.org/x"}, "https://"),
    ({"protective_marking": "SECRET"}, "OFFICIAL"),
    ({"status": "held", "date": dt.date(2030, 1, 1)}, "once it has started"),
])
def test_bad_input_is_one_plain_message_and_saves_nothing(ctx, change, message):
    data = meeting_input(dt.date(2026, 6, 10))
    for k, v in change.items():
        setattr(data, k, v)
    with pytest.raises(ValidationError, match=message):
        service.save_meeting(ctx, data, confirm=True)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(Meeting.id)) is None


def test_focus_groups_and_every_type_and_the_organiser_and_programme(ctx):
    from db.enums import MeetingType

    coordinator = as_role(ctx, "coordinator")
    prog = service.save_programme(coordinator, service.ProgrammeInput(
        "October 2024 - April 2025, ending in the April event", starts_on=dt.date(2024, 10, 1),
        ends_on=dt.date(2025, 4, 30)))
    organiser = coordinator.actor.id
    for i, t in enumerate(MeetingType):
        mid = new_meeting(coordinator, dt.date(2024, 11, 4 + i), meeting_type=t.value, programme_id=prog,
                          organiser_id=organiser)
        d = service.get_meeting(coordinator, mid)
        assert d.meeting_type == t.value and d.programme.startswith("October 2024")
        assert d.organiser == "Test Coordinator"
    assert MeetingType.FOCUS_GROUP.label == "Focus group"


def test_a_viewer_cannot_schedule_and_the_attempt_is_audited(ctx):
    viewer = as_role(ctx, "viewer")
    with pytest.raises(PermissionDenied):
        service.save_meeting(viewer, meeting_input(dt.date(2026, 6, 10)), confirm=True)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(AuditEvent.outcome).where(AuditEvent.action == "denied")) == "denied"


def test_every_change_is_audited_with_field_names_never_values(ctx):
    mid = new_meeting(ctx, dt.date(2026, 6, 10), title="Forum about Zoë's case")
    with unit_of_work(ctx, readonly=True) as s:
        ev = s.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.create"))
        assert ev.entity_id == mid and "starts_at" in ev.fields and "title" in ev.fields
        assert "Zoë" not in (ev.fields or "") + (ev.detail or "")


def test_uk_start_helper_refuses_the_missing_hour_only():
    assert uk_start(MARCH_CHANGE, dt.time(0, 59)).utc.hour == 0
    with pytest.raises(ValidationError):
        uk_start(MARCH_CHANGE, dt.time(1, 0))
    assert uk_start(OCTOBER_CHANGE, dt.time(1, 0)).ambiguous
    assert not uk_start(OCTOBER_CHANGE, dt.time(2, 0)).ambiguous


def test_venues_and_programmes_are_unique_by_name(ctx):
    add_venue(ctx, "Riverside Centre")
    with pytest.raises(ValidationError, match="already a venue"):
        add_venue(ctx, "riverside centre")
    service.save_programme(ctx, service.ProgrammeInput("Programme 1"))
    with pytest.raises(ValidationError, match="already a programme"):
        service.save_programme(ctx, service.ProgrammeInput("PROGRAMME 1"))
