"""Quiet periods (no contact at all, for example around a trial) in every feature that
produces something for a member: invitations, the pack, calendar files, expense claims."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from pypdf import PdfReader

from lived_experience.exporting.calendar import export_calendar
from lived_experience.exporting.pack import export_pack
from lived_experience.meetings import attendance
from lived_experience.members import contact, expenses
from tests.meetings.conftest import add_member, add_quiet_period, add_venue, new_meeting

TODAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
TRIAL = (dt.date(2026, 2, 23), dt.date(2026, 3, 13))  # the member's quiet period, in force today
LATER = dt.date(2026, 4, 15)  # a meeting after the quiet period


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_inviting_someone_in_a_quiet_period_now_warns_even_for_a_later_meeting(ctx, today):
    zoe = add_member(ctx, "Zoë", "Clarke")
    lukasz = add_member(ctx, "Łukasz", "Nowak")
    add_quiet_period(ctx, zoe, *TRIAL)
    mid = new_meeting(ctx, LATER)
    result = attendance.invite(ctx, mid, person_ids=[zoe, lukasz])
    assert not result.saved and [w.code for w in result.warnings] == ["quiet_period"]
    assert result.warnings[0].message == (
        "Zoë Clarke is in a quiet period until 13/03/2026: do not send them the invitation "
        "(no letter, call, email or text) before then.")
    assert attendance.invitations(ctx, mid) == [], "nothing is saved until the user confirms"
    assert attendance.invite(ctx, mid, person_ids=[zoe, lukasz], confirm=True).saved
    rows = {r.name: r for r in attendance.invitations(ctx, mid)}
    assert rows["Zoë Clarke"].quiet_until == TRIAL[1]
    assert rows["Zoë Clarke"].contact_note == "Quiet until 13/03/2026: no contact"
    assert rows["Łukasz Nowak"].contact_note == ""
    with time_machine.travel(dt.datetime(2026, 3, 14, 9, 0, tzinfo=dt.UTC), tick=False):
        assert {r.name: r.contact_note for r in attendance.invitations(ctx, mid)}["Zoë Clarke"] == ""


def test_a_meeting_inside_the_quiet_period_gives_one_warning_not_two(ctx, today):
    zoe = add_member(ctx, "Zoë", "Clarke")
    add_quiet_period(ctx, zoe, *TRIAL)
    mid = new_meeting(ctx, dt.date(2026, 3, 10))
    result = attendance.invite(ctx, mid, person_ids=[zoe])
    assert [w.code for w in result.warnings] == ["quiet_period"]
    assert "has a quiet period from 23/02/2026 to 13/03/2026" in result.warnings[0].message


def test_the_pack_says_whom_not_to_send_it_to_and_the_pdf_is_unchanged(ctx, today, tmp_path):
    zoe = add_member(ctx, "Zoë", "Clarke")
    siobhan = add_member(ctx, "Siobhán", "Byrne")
    add_quiet_period(ctx, zoe, *TRIAL)
    mid = new_meeting(ctx, LATER)
    attendance.invite(ctx, mid, person_ids=[zoe, siobhan], confirm=True)
    result = export_pack(ctx, mid, tmp_path / "pack.pdf")
    assert [h.person_id for h in result.do_not_send] == [zoe]
    assert result.quiet_message == ("Do not send the pack to 1 invited member in a quiet period: "
                                    "Zoë Clarke (quiet period until 13/03/2026).")
    text = "".join(p.extract_text() for p in PdfReader(str(tmp_path / "pack.pdf")).pages)
    assert "quiet period" not in text.lower(), "the pack itself does not say who is in a quiet period"
    pseudo = export_pack(ctx, mid, tmp_path / "pseudo.pdf", pseudonymise=True)
    assert pseudo.quiet_message == result.quiet_message  # said to the sender, never printed in the pack
    with time_machine.travel(dt.datetime(2026, 3, 14, 9, 0, tzinfo=dt.UTC), tick=False):
        assert export_pack(ctx, mid, tmp_path / "after.pdf").quiet_message is None


def test_a_calendar_file_says_whom_not_to_send_it_to_and_names_nobody_inside(ctx, today, tmp_path):
    zoe = add_member(ctx, "Zoë", "Clarke")
    add_quiet_period(ctx, zoe, *TRIAL)
    coming = new_meeting(ctx, LATER, title="Spring forum")
    past = new_meeting(ctx, dt.date(2026, 1, 20), title="Winter forum")
    attendance.invite(ctx, coming, person_ids=[zoe], confirm=True)
    attendance.invite(ctx, past, person_ids=[zoe], confirm=True)
    one = export_calendar(ctx, tmp_path / "one.ics", meeting_id=coming)
    assert one.quiet_message == ("Do not send this calendar file to 1 invited member in a quiet period: "
                                 "Zoë Clarke (quiet period until 13/03/2026).")
    assert "Zo" not in (tmp_path / "one.ics").read_text(encoding="utf-8")
    # A file of past meetings only is not sent to anyone about anything new.
    assert export_calendar(ctx, tmp_path / "past.ics", meeting_id=past).quiet_message is None


def test_expense_claims_for_someone_in_a_quiet_period_say_not_to_contact_them(ctx, today):
    zoe = add_member(ctx, "Zoë", "Clarke")
    add_quiet_period(ctx, zoe, *TRIAL)
    saved = expenses.submit_claim(ctx, person_id=zoe, kind="parking", incurred_on=dt.date(2026, 2, 20),
                                  amount_pence=450)
    note = ("Zoë Clarke is in a quiet period until 13/03/2026: do not write to, phone, email or text them about "
            "this claim before then. The payment itself can go ahead.")
    assert saved.warnings == [note]
    approved = expenses.approve(ctx, saved.claim.id, expected_version=saved.claim.version)
    assert approved.contact_note == note
    hold = contact.quiet_hold(ctx, zoe)
    assert hold is not None and hold.until == TRIAL[1]
    with time_machine.travel(dt.datetime(2026, 3, 14, 9, 0, tzinfo=dt.UTC), tick=False):
        assert expenses.get_claim(ctx, saved.claim.id).contact_note is None
        assert contact.quiet_hold(ctx, zoe) is None


def test_a_mileage_claim_from_attendance_starts_with_the_last_miles_to_that_venue(ctx):
    olu = add_member(ctx, "Olu", "Thompson")
    venue = add_venue(ctx, "Riverside Community Centre")
    first = new_meeting(ctx, dt.date(2026, 5, 6), title="May forum", venue_id=venue)
    second = new_meeting(ctx, dt.date(2026, 6, 10), title="June forum", venue_id=venue)
    elsewhere = new_meeting(ctx, dt.date(2026, 6, 20), title="Event", venue_id=add_venue(ctx, "Oakham Library"))
    for mid in (first, second, elsewhere):
        attendance.invite(ctx, mid, person_ids=[olu], confirm=True)
        inv = attendance.invitations(ctx, mid)[0]
        attendance.record_attendance(ctx, inv.id, "attended", "in_person", expected_version=inv.version)
    first_inv = attendance.invitations(ctx, first)[0]
    assert "miles" not in attendance.mileage_prefill(ctx, first_inv.id), "no earlier journey to go on"
    expenses.submit_claim(ctx, **(attendance.mileage_prefill(ctx, first_inv.id) | {"miles_tenths": 123}))
    prefill = attendance.mileage_prefill(ctx, attendance.invitations(ctx, second)[0].id)
    assert prefill["miles"] == "12.3"
    assert prefill["miles_source"].startswith("Miles as claimed for the last meeting at Riverside Community Centre "
                                              "(06/05/2026)")
    assert "miles" not in attendance.mileage_prefill(ctx, attendance.invitations(ctx, elsewhere)[0].id)
