"""Feedback capture and the "you said, we did" loop, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from db.models import AuditEvent, FeedbackItem
from lived_experience.core import clock
from lived_experience.core.errors import ConflictError, PermissionDenied, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.dashboard.service import due_items
from lived_experience.feedback import service as fb
from tests.conftest import as_role
from tests.feedback.helpers import (
    item,
    make_cycle,
    make_meeting,
    make_member,
    make_service,
    theme_ids,
)


def test_capture_keeps_every_link(ctx):
    sid = make_service(ctx)
    cid = make_cycle(ctx, sid)
    mid = make_meeting(ctx)
    themes = theme_ids(ctx)
    fid = item(ctx, quote="I was never told who my officer was.", meeting_id=mid,
               theme_ids=[themes["Communication and updates"], themes["Waiting times and delays"]],
               rights=[3, 6], cycle_id=cid, cycle_stage="analyse", priority="high")
    d = fb.get_feedback(ctx, fid)
    assert d.status == "new" and d.next_statuses == ["under_consideration"]
    assert d.themes == ["Communication and updates", "Waiting times and delays"]
    assert d.rights == [3, 6] and d.priority == "high"
    # The cycle's service is linked too: feedback for a cycle bears on its service.
    assert d.service_ids == [sid]
    assert d.meeting_title == "Forum on first contact" and d.source_label.startswith("Meeting: Forum")


@pytest.mark.parametrize("change,message", [
    ({"summary": "  "}, "summary"),
    ({"source_kind": "meeting"}, "Choose the meeting"),
    ({"source_kind": "member"}, "Choose the member"),
    ({"rights": [13]}, "rights 1 to 12"),
    ({"received_on": dt.date(2999, 1, 1)}, "in the future"),
    ({"cycle_stage": "plan"}, "Choose the commissioning cycle"),
    ({"priority": "urgent"}, "Priority"),
])
def test_bad_input_is_one_plain_message_and_saves_nothing(ctx, change, message):
    data = fb.FeedbackInput(summary="A point", source_kind="written_submission", received_on=clock.today())
    for k, v in change.items():
        setattr(data, k, v)
    with pytest.raises(ValidationError, match=message):
        fb.create_feedback(ctx, data)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(FeedbackItem.id)) is None


def test_the_loop_moves_one_valid_step_at_a_time(ctx):
    fid = item(ctx)
    v = fb.get_feedback(ctx, fid).version
    with pytest.raises(ValidationError, match="cannot move to 'Actioned'"):
        fb.move_feedback(ctx, fid, fb.StepInput("actioned", response="x"), v)
    fb.move_feedback(ctx, fid, fb.StepInput("under_consideration"), v)
    d = fb.get_feedback(ctx, fid)
    # Response agreed needs the response, an owner and a due date.
    with pytest.raises(ValidationError) as exc:
        fb.move_feedback(ctx, fid, fb.StepInput("response_agreed"), d.version)
    assert "response agreed" in str(exc.value) and "owns the response" in str(exc.value)
    assert fb.get_feedback(ctx, fid).status == "under_consideration"
    due = clock.today() + dt.timedelta(days=14)
    fb.move_feedback(ctx, fid, fb.StepInput("response_agreed", response="A named contact within two days",
                                            owner_name="Commissioning Manager", due_on=due), d.version)
    d = fb.get_feedback(ctx, fid)
    assert d.response_owner == "Commissioning Manager" and d.response_due_on == due
    assert set(d.next_statuses) == {"actioned", "not_actioned"}
    with pytest.raises(ValidationError, match="reason"):
        fb.move_feedback(ctx, fid, fb.StepInput("not_actioned"), d.version)
    fb.move_feedback(ctx, fid, fb.StepInput("actioned"), d.version)
    d = fb.get_feedback(ctx, fid)
    with pytest.raises(ValidationError, match="how it was reported back"):
        fb.move_feedback(ctx, fid, fb.StepInput("reported_back", reported_on=clock.today()), d.version)
    with pytest.raises(ValidationError, match="in the future"):
        fb.move_feedback(ctx, fid, fb.StepInput("reported_back", reported_on=clock.today() + dt.timedelta(days=3),
                                                reported_how="At the forum"), d.version)
    fb.move_feedback(ctx, fid, fb.StepInput("reported_back", reported_on=clock.today(),
                                            reported_how="At the next forum"), d.version)
    d = fb.get_feedback(ctx, fid)
    assert d.status == "reported_back" and d.next_statuses == []
    with pytest.raises(ValidationError, match="loop is closed"):
        fb.move_feedback(ctx, fid, fb.StepInput("new"), d.version)
    with unit_of_work(ctx, readonly=True) as s:
        moves = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "feedback.status")).all()
    assert moves == ["new -> under_consideration", "under_consideration -> response_agreed",
                     "response_agreed -> actioned", "actioned -> reported_back"]


def test_not_actioned_keeps_its_reason_and_staff_owner(ctx):
    staff = as_role(ctx, "coordinator")
    fid = item(staff)
    v = fb.get_feedback(staff, fid).version
    fb.move_feedback(staff, fid, fb.StepInput("under_consideration"), v)
    v = fb.get_feedback(staff, fid).version
    fb.move_feedback(staff, fid, fb.StepInput("response_agreed", response="Look at it", owner_id=staff.actor.id,
                                              due_on=clock.today()), v)
    v = fb.get_feedback(staff, fid).version
    fb.move_feedback(staff, fid, fb.StepInput("not_actioned", reason="Outside the PCC's powers"), v)
    d = fb.get_feedback(staff, fid)
    assert d.status == "not_actioned" and d.not_actioned_reason == "Outside the PCC's powers"
    assert d.response_owner == "Test Coordinator"


def test_a_stale_form_is_refused(ctx):
    fid = item(ctx)
    v = fb.get_feedback(ctx, fid).version
    fb.move_feedback(ctx, fid, fb.StepInput("under_consideration"), v)
    with pytest.raises(ConflictError):
        fb.move_feedback(ctx, fid, fb.StepInput("under_consideration"), v)


def test_viewer_cannot_capture(ctx):
    viewer = as_role(ctx, "viewer")
    with pytest.raises(PermissionDenied):
        item(viewer)


def test_waiting_too_long_matches_the_dashboard(ctx):
    old = item(ctx, summary="Old point", days_ago=40)
    item(ctx, summary="Recent point", days_ago=3)
    answered = item(ctx, summary="Answered point", days_ago=60)
    v = fb.get_feedback(ctx, answered).version
    fb.move_feedback(ctx, answered, fb.StepInput("under_consideration"), v)
    v = fb.get_feedback(ctx, answered).version
    fb.move_feedback(ctx, answered, fb.StepInput("response_agreed", response="Done", owner_name="CM",
                                                 due_on=clock.today()), v)
    waiting = fb.waiting_too_long(ctx)
    assert [w[0] for w in waiting] == [old]
    dash = [i for i in due_items(ctx) if i.category == "feedback"]
    assert [i.entity_id for i in dash] == [old]
    # Twenty-six days on, the recent one is waiting too long as well.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=26), tick=False):
        assert len(fb.waiting_too_long(ctx)) == 2


def test_themes_are_a_managed_list(ctx):
    tid = fb.add_theme(ctx, "Housing after abuse")
    with pytest.raises(ValidationError, match="already a theme"):
        fb.add_theme(ctx, "housing AFTER abuse")
    t = next(t for t in fb.list_themes(ctx) if t.id == tid)
    fb.rename_theme(ctx, tid, "Housing and safety", t.version)
    fid = item(ctx, theme_ids=[tid])
    t = next(t for t in fb.list_themes(ctx) if t.id == tid)
    assert t.name == "Housing and safety" and t.uses == 1
    fb.set_theme_active(ctx, tid, False, t.version)
    assert tid not in [c.id for c in fb.capture_choices(ctx).themes]
    with pytest.raises(ValidationError, match="no longer in use"):
        item(ctx, theme_ids=[tid])
    # The item that has it keeps it, and can still be saved.
    d = fb.get_feedback(ctx, fid)
    data = fb.FeedbackInput(summary="Changed summary", source_kind=d.source_kind, received_on=d.received_on,
                            theme_ids=d.theme_ids)
    fb.update_feedback(ctx, fid, data, d.version)
    assert fb.get_feedback(ctx, fid).themes == ["Housing and safety"]


def test_feedback_behind_a_decision_cannot_be_deleted(ctx):
    from lived_experience.commissioning import cycles as cy

    sid = make_service(ctx)
    cid = make_cycle(ctx, sid)
    fid = item(ctx, cycle_id=cid)
    cy.record_decision(ctx, cid, cy.DecisionInput(clock.today(), "PCC", "Add evening access", feedback_ids=[fid]))
    with pytest.raises(ValidationError, match="cannot be deleted"):
        fb.delete_feedback(ctx, fid, None)
    other = item(ctx)
    fb.delete_feedback(ctx, other, None)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.get(FeedbackItem, other) is None


def test_member_source_names_the_member(ctx):
    pid = make_member(ctx)
    fid = item(ctx, source_kind="member", person_id=pid)
    d = fb.get_feedback(ctx, fid)
    assert d.person_name == "Zebedee Quartermaine" and "Zebedee" in d.source_label


def test_the_feedback_list_filters_and_refuses_bad_values(ctx):
    from lived_experience.core.errors import UserError
    from lived_experience.listing.query import list_all

    sid = make_service(ctx)
    other = make_service(ctx, "Adult SARC", "sarc")
    cid = make_cycle(ctx, sid)
    themes = theme_ids(ctx)
    a = item(ctx, summary="Evening access", cycle_id=cid, cycle_stage="plan", rights=[4],
             theme_ids=[themes["Waiting times and delays"]], days_ago=40)
    b = item(ctx, summary="Private waiting room", service_ids=[other], rights=[4, 12], days_ago=3)
    fb.move_feedback(ctx, b, fb.StepInput("under_consideration"), fb.get_feedback(ctx, b).version)

    def ids(**filters):
        return sorted(r["id"] for r in list_all(ctx, "feedback", filters=filters).rows)

    assert ids(service=sid) == [a] and ids(service=str(other)) == [b] and ids(service=[sid, other]) == [a, b]
    assert ids(right=4) == [a, b] and ids(right="12") == [b]
    assert ids(theme=themes["Waiting times and delays"]) == [a]
    assert ids(cycle=cid) == [a] and ids(stage="plan") == [a] and ids(stage="Plan") == [a]
    assert ids(status="under_consideration") == [b] and ids(status="Under consideration") == [b]
    assert ids(status=["new", "under_consideration"]) == [a, b]
    assert ids(**{"from": clock.today() - dt.timedelta(days=10)}) == [b]
    assert ids(**{"to": (clock.today() - dt.timedelta(days=10)).strftime("%d/%m/%Y")}) == [a]
    for bad, message in ({"status": "finished"}, "'finished' is not one of"), ({"right": 13}, "rights 1 to 12"), \
            ({"right": "x"}, "needs a number"), ({"service": "ISVA"}, "needs a number"), \
            ({"cycle": "2026"}, None), ({"stage": "later"}, "is not one of"), ({"colour": "red"}, "cannot be filtered"):
        if message is None:
            assert ids(**bad) == []  # a number that is no cycle's id: nothing, not an error
            continue
        with pytest.raises(UserError, match=message):
            list_all(ctx, "feedback", filters=bad)
