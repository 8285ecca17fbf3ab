"""Invitations and attendance, mileage claims from attendance, agenda items and papers, actions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from db.models import AgendaPaper, AuditEvent
from lived_experience.core.errors import FileRefused, UserError, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.meetings import agenda, attendance, papers
from lived_experience.meetings.agenda import ActionInput, AgendaItemInput
from tests.meetings.conftest import add_member, add_venue, new_meeting, pdf_bytes

PAST = dt.date(2026, 6, 10)
FUTURE = dt.date(2031, 6, 10)


def _contact(ctx) -> int:
    org = attendance.save_organisation(ctx, "Brightwater Advocacy CIC", "commissioned_provider")
    return attendance.add_contact(ctx, org, "Priya Shah", job_title="Service manager", email="priya@example.org")


def test_invite_members_and_stakeholders_and_record_replies_and_attendance(ctx):
    zoe = add_member(ctx, "Zoë", "Clarke")
    contact = _contact(ctx)
    mid = new_meeting(ctx, PAST, venue_id=add_venue(ctx))
    members, contacts = attendance.candidates(ctx, mid)
    assert [c.name for c in members] == ["Zoë Clarke"]
    assert [c.detail for c in contacts] == ["Brightwater Advocacy CIC (Commissioned provider)"]
    assert attendance.invite(ctx, mid, person_ids=[zoe], contact_ids=[contact]).saved
    rows = attendance.invitations(ctx, mid)
    assert [(r.kind, r.name, r.organisation, r.response) for r in rows] == [
        ("member", "Zoë Clarke", None, "pending"),
        ("stakeholder", "Priya Shah", "Brightwater Advocacy CIC", "pending")]
    member, stakeholder = rows
    attendance.set_response(ctx, member.id, "accepted", expected_version=member.version)
    v = attendance.record_attendance(ctx, member.id, "attended", "in_person",
                                     expected_version=member.version + 1)
    attendance.record_attendance(ctx, stakeholder.id, "left_early", "online", expected_version=stakeholder.version)
    rows = {r.name: r for r in attendance.invitations(ctx, mid)}
    assert (rows["Zoë Clarke"].attendance, rows["Zoë Clarke"].participation_mode) == ("attended", "in_person")
    assert rows["Zoë Clarke"].version == v
    assert (rows["Priya Shah"].attendance, rows["Priya Shah"].response) == ("left_early", "accepted")
    # Already invited: nothing to do, and said so.
    with pytest.raises(UserError, match="already invited"):
        attendance.invite(ctx, mid, person_ids=[zoe])
    with unit_of_work(ctx, readonly=True) as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action.like("invitation.%"))))
        assert {e.action for e in events} == {"invitation.create", "invitation.change"}
        assert any(e.subject_person_id == zoe for e in events)


@pytest.mark.parametrize("att,mode,ok", [
    ("attended", "in_person", True), ("attended", "online", True), ("left_early", "online", True),
    ("apologies", "written_submission", True), ("apologies", None, True), ("did_not_attend", None, True),
    ("attended", "written_submission", False), ("did_not_attend", "online", False),
    ("apologies", "in_person", False), ("asleep", None, False), (None, "online", False),
])
def test_attendance_and_how_they_took_part_must_make_sense(ctx, att, mode, ok):
    pid = add_member(ctx, "Ama", "Khan")
    mid = new_meeting(ctx, PAST)
    attendance.invite(ctx, mid, person_ids=[pid])
    inv = attendance.invitations(ctx, mid)[0]
    if ok:
        attendance.record_attendance(ctx, inv.id, att, mode, expected_version=inv.version)
        assert attendance.invitations(ctx, mid)[0].attendance == att
    else:
        with pytest.raises(ValidationError):
            attendance.record_attendance(ctx, inv.id, att, mode, expected_version=inv.version)
        assert attendance.invitations(ctx, mid)[0].attendance is None


def test_attendance_waits_for_the_meeting_to_start(ctx):
    pid = add_member(ctx, "Ama", "Khan", ends_on=dt.date(2032, 1, 1))
    mid = new_meeting(ctx, FUTURE)
    attendance.invite(ctx, mid, person_ids=[pid])
    inv = attendance.invitations(ctx, mid)[0]
    with pytest.raises(UserError, match="once the meeting has started"):
        attendance.record_attendance(ctx, inv.id, "attended", "in_person")
    with time_machine.travel(dt.datetime(2031, 6, 10, 12, 0, tzinfo=dt.UTC)):
        attendance.record_attendance(ctx, inv.id, "attended", "in_person")


def test_a_mileage_claim_starts_pre_filled_from_attendance(ctx):
    pid = add_member(ctx, "Olu", "Thompson")
    venue = add_venue(ctx, "Riverside Community Centre")
    mid = new_meeting(ctx, PAST, dt.time(0, 30), title="Evening forum", venue_id=venue)  # 23:30 UTC the day before
    attendance.invite(ctx, mid, person_ids=[pid], contact_ids=[_contact(ctx)])
    member, stakeholder = attendance.invitations(ctx, mid)
    with pytest.raises(UserError, match="attended"):
        attendance.mileage_prefill(ctx, member.id)
    attendance.record_attendance(ctx, member.id, "attended", "in_person")
    prefill = attendance.mileage_prefill(ctx, member.id)
    assert prefill == {"person_id": pid, "meeting_id": mid, "incurred_on": PAST,  # the UK date, not UTC's
                       "description": "Travel to Evening forum at Riverside Community Centre", "kind": "mileage"}
    attendance.record_attendance(ctx, stakeholder.id, "attended", "in_person")
    with pytest.raises(UserError, match="for members"):
        attendance.mileage_prefill(ctx, stakeholder.id)
    attendance.record_attendance(ctx, member.id, "attended", "online")
    with pytest.raises(UserError, match="online"):
        attendance.mileage_prefill(ctx, member.id)


def test_removing_an_invitation_keeps_attendance_records(ctx):
    pid = add_member(ctx)
    mid = new_meeting(ctx, PAST)
    attendance.invite(ctx, mid, person_ids=[pid])
    inv = attendance.invitations(ctx, mid)[0]
    attendance.record_attendance(ctx, inv.id, "apologies", None)
    with pytest.raises(UserError, match="clear the attendance first"):
        attendance.remove_invitation(ctx, inv.id)
    attendance.record_attendance(ctx, inv.id, None, None)
    attendance.remove_invitation(ctx, inv.id)
    assert attendance.invitations(ctx, mid) == []


def test_agenda_items_in_order_with_timings_and_reordering(ctx):
    mid = new_meeting(ctx, dt.date(2026, 3, 29), dt.time(10, 0))  # the March clock change
    ids = [agenda.save_agenda_item(ctx, mid, AgendaItemInput(t, presenter="Deputy PCC", minutes=m, content_note=n))
           for t, m, n in [("Welcome", 10, None), ("Court experiences", 30, "Discussion of giving evidence."),
                           ("Close", 5, None)]]
    rows = agenda.agenda(ctx, mid)
    assert [(r.position, r.title) for r in rows] == [(1, "Welcome"), (2, "Court experiences"), (3, "Close")]
    assert [r.starts_at.astimezone(dt.UTC).strftime("%H:%M") for r in rows] == ["09:00", "09:10", "09:40"]
    assert rows[1].content_note == "Discussion of giving evidence."
    agenda.move_agenda_item(ctx, ids[2], -1)
    assert [r.title for r in agenda.agenda(ctx, mid)] == ["Welcome", "Close", "Court experiences"]
    agenda.move_agenda_item(ctx, ids[0], -1)  # already first: nothing happens
    agenda.reorder_agenda(ctx, mid, [ids[1], ids[2], ids[0]])
    rows = agenda.agenda(ctx, mid)
    assert [r.title for r in rows] == ["Court experiences", "Close", "Welcome"]
    assert [r.position for r in rows] == [1, 2, 3]
    with pytest.raises(UserError, match="changed while"):
        agenda.reorder_agenda(ctx, mid, [ids[0], ids[1]])
    agenda.delete_agenda_item(ctx, ids[2], expected_version=rows[1].version)
    assert [(r.position, r.title) for r in agenda.agenda(ctx, mid)] == [(1, "Court experiences"), (2, "Welcome")]
    with pytest.raises(ValidationError, match="0 to 480"):
        agenda.save_agenda_item(ctx, mid, AgendaItemInput("Too long", minutes=900))


def test_papers_must_be_real_pdfs(ctx, tmp_path):
    mid = new_meeting(ctx, PAST)
    item = agenda.save_agenda_item(ctx, mid, AgendaItemInput("Service specification"))
    good = tmp_path / "spec.pdf"
    good.write_bytes(pdf_bytes(3, "Specification"))
    pid = agenda.attach_paper(ctx, item, path=good)
    paper = agenda.agenda(ctx, mid)[0].papers[0]
    assert (paper.id, paper.title, paper.page_count, paper.file_name) == (pid, "spec", 3, "spec.pdf")
    assert agenda.paper_content(ctx, pid)[1] == good.read_bytes()
    with pytest.raises(UserError, match="already attached"):
        agenda.attach_paper(ctx, item, path=good)
    fake = tmp_path / "minutes.pdf"
    fake.write_text("These are not really a PDF")
    with pytest.raises(FileRefused, match="not a PDF file"):
        agenda.attach_paper(ctx, item, path=fake)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    with pytest.raises(FileRefused, match="damaged|cannot be read"):
        agenda.attach_paper(ctx, item, path=broken)
    with pytest.raises(FileRefused, match="empty"):
        agenda.attach_paper(ctx, item, file_name="x.pdf", content=b"")
    with pytest.raises(FileRefused, match="folder"):
        agenda.attach_paper(ctx, item, path=tmp_path)
    with unit_of_work(ctx, readonly=True) as s:
        assert len(list(s.scalars(select(AgendaPaper.id)))) == 1


def test_password_protected_and_oversized_papers_are_refused(ctx, tmp_path, monkeypatch):
    import io

    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(1))))
    w.encrypt("secret")
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(FileRefused, match="password"):
        papers.check_pdf("locked.pdf", buf.getvalue())
    monkeypatch.setattr(papers, "MAX_PAPER_BYTES", 1000)
    with pytest.raises(FileRefused, match="at most"):
        papers.check_pdf("big.pdf", pdf_bytes(5))


def test_a_pdfs_placeholder_title_is_not_used(ctx):
    assert papers.check_pdf("Budget 2026.pdf", pdf_bytes(1)).title is None  # reportlab writes "untitled"
    assert papers._useful_title("Microsoft Word - Draft spec.docx") == "Draft spec"


def test_open_actions_carry_into_the_next_meeting_of_the_programme(ctx):
    from lived_experience.meetings import service

    prog = service.save_programme(ctx, service.ProgrammeInput("Listening programme"))
    first = new_meeting(ctx, dt.date(2026, 5, 1), programme_id=prog, title="First forum")
    other = new_meeting(ctx, dt.date(2026, 5, 2), title="Unrelated meeting")
    nxt = new_meeting(ctx, dt.date(2026, 6, 1), programme_id=prog, title="Second forum")
    open_id = agenda.save_action(ctx, first, ActionInput("Share comments with the ISVA provider", owner_name="Priya",
                                                         due_on=dt.date(2026, 5, 20)))
    done_id = agenda.save_action(ctx, first, ActionInput("Book a BSL interpreter", status="done"))
    agenda.save_action(ctx, other, ActionInput("Unrelated action"))
    carried = agenda.carried_actions(ctx, nxt)
    assert [a.description for a in carried] == ["Share comments with the ISVA provider"]
    assert carried[0].meeting_title == "First forum"
    done = next(a for a in agenda.actions(ctx, first) if a.id == done_id)
    assert done.completed_on is not None and not done.is_open
    agenda.set_action_status(ctx, open_id, "done", expected_version=carried[0].version)
    assert agenda.carried_actions(ctx, nxt) == []
    dec = agenda.save_decision(ctx, first, "Priorities agreed for the specification")
    assert [d.text for d in agenda.decisions(ctx, first)] == ["Priorities agreed for the specification"]
    agenda.delete_decision(ctx, dec)
    assert agenda.decisions(ctx, first) == []
    with pytest.raises(ValidationError, match="what the action is"):
        agenda.save_action(ctx, first, ActionInput("  "))


def test_stakeholder_contacts_are_checked(ctx):
    org = attendance.save_organisation(ctx, "Northgate Women's Network", "voluntary")
    with pytest.raises(ValidationError, match="already an organisation"):
        attendance.save_organisation(ctx, "northgate women's network", "voluntary")
    with pytest.raises(ValidationError, match="email"):
        attendance.add_contact(ctx, org, "Jo Bloggs", email="not an email")
    cid = attendance.add_contact(ctx, org, "Jo Bloggs", phone="07700 900123")
    assert cid > 0
