"""The dashboard's rules, on both engines, with time travel: lines appear when they fall due and go when
they are dealt with or the dates move on."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from db import models as m
from lived_experience.core import clock
from lived_experience.dashboard.service import CATEGORIES, counts, due_items
from tests.conftest import as_role
from tests.dashboard.records import Records, at

NOW = dt.datetime(2026, 6, 15, 11, 0, tzinfo=dt.UTC)  # 12:00 in London (BST)
TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def lines(ctx, category=None):
    return [i for i in due_items(ctx) if category is None or i.category == category]


def test_an_application_waiting_too_long_appears_and_goes_when_moved_on(ctx, travel):
    r = Records(ctx)
    w = r.window()
    p = r.person("Zoë", "Quinn")
    app = r.application(p, w, "shortlisted", changed=NOW - dt.timedelta(days=20))
    fresh = r.application(r.person("Sam", "New"), w, "received", changed=NOW - dt.timedelta(days=3))
    waiting = lines(ctx, "stage_wait")
    assert [i.entity_id for i in waiting] == [app]
    item = waiting[0]
    assert (item.section, item.entity) == ("applicants", "application")
    assert "Zoë Quinn" in item.text and "Shortlisted for 20 days" in item.text
    assert item.severity_label == "Due"
    # Thirty-two days in a stage is more than twice the limit: overdue.
    travel.shift(dt.timedelta(days=12))
    assert lines(ctx, "stage_wait")[0].severity_label == "Overdue"
    # The other one is now waiting too long as well.
    assert {i.entity_id for i in lines(ctx, "stage_wait")} == {app, fresh}
    # Moving an application on takes it off the list.
    r.update(m.Application, app, stage="assessed", stage_changed_at=clock.now())
    assert {i.entity_id for i in lines(ctx, "stage_wait")} == {fresh}


def test_reserve_and_decided_applications_are_not_waiting(ctx, travel):
    r = Records(ctx)
    w = r.window()
    for stage in ("reserve", "unsuccessful", "withdrawn", "member"):
        r.application(r.person(stage, "Person"), w, stage, changed=NOW - dt.timedelta(days=90))
    assert lines(ctx, "stage_wait") == []


def test_the_stage_wait_follows_the_office_setting(ctx, travel):
    from lived_experience.settings import update

    r = Records(ctx)
    app = r.application(r.person(), r.window(), "received", changed=NOW - dt.timedelta(days=10))
    assert lines(ctx, "stage_wait") == []
    update(ctx, stage_wait_days=7)
    assert [i.entity_id for i in lines(ctx, "stage_wait")] == [app]


def test_dbs_overdue_request_and_recheck_due_by_role(ctx, travel):
    r = Records(ctx)
    newcomer = r.person("Amara", "New")
    overdue = r.dbs(newcomer, TODAY - dt.timedelta(days=40))
    member = r.person("Ama", "Khan")
    r.term(member, TODAY - dt.timedelta(days=200), TODAY + dt.timedelta(days=300))
    old = r.dbs(member, dt.date(2023, 5, 1), issued=dt.date(2023, 6, 1), decision="clear")
    recent = r.person("Rosa", "Recent")
    r.dbs(recent, TODAY - dt.timedelta(days=10))  # requested ten days ago: not overdue yet
    officer = as_role(ctx, "dbs_officer")
    by_id = {i.entity_id: i for i in lines(officer, "dbs")}
    assert set(by_id) == {overdue, old}
    assert by_id[overdue].section == "dbs" and by_id[overdue].entity == "dbs_check"
    assert "not received after 40 days" in by_id[overdue].text
    assert "recheck due since 01/06/2026" in by_id[old].text
    # A coordinator may see DBS status but not the register: the line opens the member.
    coordinator = {i.person_id: i for i in lines(as_role(ctx, "coordinator"), "dbs")}
    assert coordinator[member].section == "members" and coordinator[member].entity_id == member
    # A viewer sees no DBS lines at all.
    assert lines(as_role(ctx, "viewer"), "dbs") == []
    assert all("DBS" not in i.text for i in due_items(as_role(ctx, "viewer")))


def test_a_renewal_under_way_pauses_the_recheck_line(ctx, travel):
    r = Records(ctx)
    member = r.person()
    r.term(member, TODAY - dt.timedelta(days=200), TODAY + dt.timedelta(days=300))
    r.dbs(member, dt.date(2023, 5, 1), issued=dt.date(2023, 6, 1), decision="clear", renewal_in_progress=True)
    r.dbs(member, TODAY - dt.timedelta(days=5))
    assert lines(ctx, "dbs") == []


def test_terms_ending_and_the_refresh_line(ctx, travel):
    r = Records(ctx)
    people = [r.person(f"Member{i}", "Ending") for i in range(3)]
    for p in people:
        r.term(p, TODAY - dt.timedelta(days=480), TODAY + dt.timedelta(days=60))
    later = r.person("Later", "Member")
    r.term(later, TODAY - dt.timedelta(days=100), TODAY + dt.timedelta(days=400))
    terms = lines(ctx, "terms")
    ending = [i for i in terms if i.entity == "person"]
    assert sorted(i.entity_id for i in ending) == sorted(people)
    assert all("ends 14/08/2026 (in 60 days)" in i.text for i in ending)
    refresh = [i for i in terms if i.text.startswith("Refresh due")]
    assert len(refresh) == 1 and refresh[0].severity_label == "Overdue" and refresh[0].section == "recruitment"
    # A window recruiting the next cohort answers the refresh line.
    r.window("Refresh 2026", opens=TODAY, closes=TODAY + dt.timedelta(days=30),
             term_starts_on=TODAY + dt.timedelta(days=61))
    assert [i for i in lines(ctx, "terms") if i.text.startswith("Refresh due")] == []
    # A member already appointed to a following term is not leaving.
    r.term(people[0], TODAY + dt.timedelta(days=61), TODAY + dt.timedelta(days=600))
    assert people[0] not in {i.entity_id for i in lines(ctx, "terms")}
    # Past the end, the terms have ended: nothing about them is due.
    travel.shift(dt.timedelta(days=61))
    assert {i.entity_id for i in lines(ctx, "terms")} <= {later, people[0]}


def test_meeting_packs_in_the_next_fortnight(ctx, travel):
    r = Records(ctx)
    soon = r.meeting("Forum soon", at(TODAY + dt.timedelta(days=5), 18))
    later = r.meeting("Forum later", at(TODAY + dt.timedelta(days=12), 18))
    r.meeting("Forum far", at(TODAY + dt.timedelta(days=20), 18))
    r.meeting("Cancelled", at(TODAY + dt.timedelta(days=3)), status="cancelled")
    r.meeting("Sent", at(TODAY + dt.timedelta(days=3)), pack_sent_at=NOW)
    packs = {i.entity_id: i for i in lines(ctx, "packs")}
    assert set(packs) == {soon, later}
    assert packs[soon].severity_label == "Overdue" and packs[later].severity_label == "Due"
    assert "20/06/2026 18:00" in packs[soon].text  # UK time
    r.update(m.Meeting, soon, pack_sent_at=clock.now())
    assert {i.entity_id for i in lines(ctx, "packs")} == {later}


def test_overdue_actions(ctx, travel):
    r = Records(ctx)
    mt = r.meeting("Roundtable", at(TODAY - dt.timedelta(days=30)), status="held")
    r.action(mt, TODAY - dt.timedelta(days=1), description="Write to the provider")
    r.action(mt, TODAY - dt.timedelta(days=1), status="done")
    r.action(mt, TODAY + dt.timedelta(days=1))
    acts = lines(ctx, "actions")
    assert len(acts) == 1 and acts[0].entity_id == mt and "Write to the provider" in acts[0].text


def test_feedback_waiting_for_a_response(ctx, travel):
    r = Records(ctx)
    member = r.person("Secret", "Source")
    old = r.feedback("Waiting times are too long", TODAY - dt.timedelta(days=30), anonymous=True,
                     person_id=member)
    r.feedback("Recent", TODAY - dt.timedelta(days=10))
    r.feedback("Answered", TODAY - dt.timedelta(days=60), status="actioned", response="We did it")
    items = lines(ctx, "feedback")
    assert [i.entity_id for i in items] == [old]
    assert "Secret" not in items[0].text and "Source" not in items[0].text


def test_contracts_ending(ctx, travel):
    r = Records(ctx)
    soon = r.service("ISVA", TODAY + dt.timedelta(days=60))
    later = r.service("SARC", TODAY + dt.timedelta(days=150))
    r.service("Counselling", TODAY + dt.timedelta(days=400))
    r.service("Old pilot", TODAY + dt.timedelta(days=30), status="ended")
    found = {i.entity_id: i for i in lines(ctx, "contracts")}
    assert set(found) == {soon, later}
    assert found[soon].severity_label == "Overdue" and found[later].severity_label == "Due"


def test_quiet_period_is_listed_and_marks_every_other_line_about_that_person(ctx, travel):
    r = Records(ctx)
    p = r.person("Quiet", "Member")
    r.term(p, TODAY - dt.timedelta(days=480), TODAY + dt.timedelta(days=40))
    r.quiet(p, TODAY - dt.timedelta(days=2), TODAY + dt.timedelta(days=10))
    quiet = lines(ctx, "quiet")
    assert len(quiet) == 1 and "do not contact until 25/06/2026" in quiet[0].text
    assert quiet[0].severity_label == "Note"
    term_line = next(i for i in lines(ctx, "terms") if i.entity_id == p)
    assert "do not contact until 25/06/2026" in term_line.text
    travel.shift(dt.timedelta(days=11))
    assert lines(ctx, "quiet") == []


def test_anonymised_people_never_appear(ctx, travel):
    r = Records(ctx)
    p = r.person("Gone", "Person")
    r.application(p, r.window(), "received", changed=NOW - dt.timedelta(days=40))
    r.dbs(p, TODAY - dt.timedelta(days=40))
    r.quiet(p, TODAY, TODAY + dt.timedelta(days=3))
    assert lines(ctx)
    r.update(m.Person, p, anonymised_at=clock.now())
    assert all(i.person_id != p for i in due_items(as_role(ctx, "admin")))


def test_most_urgent_first_and_counts_per_category(ctx, travel):
    r = Records(ctx)
    r.service("ISVA", TODAY + dt.timedelta(days=150))  # due
    r.service("SARC", TODAY + dt.timedelta(days=20))  # overdue
    r.quiet(r.person(), TODAY, TODAY + dt.timedelta(days=3))  # note
    items = due_items(ctx)
    assert [i.severity for i in items] == sorted((i.severity for i in items), reverse=True)
    n = counts(items)
    assert set(n) == set(CATEGORIES) and n["contracts"] == 2 and n["quiet"] == 1 and n["packs"] == 0


def test_the_demo_data_has_something_in_every_category(demo_ctx):
    n = counts(due_items(demo_ctx))
    assert all(n[k] > 0 for k in ("stage_wait", "terms", "dbs", "packs", "actions", "feedback", "contracts",
                                   "quiet")), n
