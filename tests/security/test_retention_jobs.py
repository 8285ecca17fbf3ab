"""The retention jobs: unsuccessful applicants, former members' contact details, old audit events."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

import db.models as m
from lived_experience.core import clock
from lived_experience.core.errors import ConflictError, PermissionDenied
from lived_experience.core.uow import check_version, unit_of_work
from lived_experience.retention import runner
from lived_experience.security import audit
from tests.conftest import as_role
from tests.security import helpers as h


def _results(results):
    return {r.job: r.affected for r in results}


@pytest.fixture
def recruitment(ctx):
    """Three applicants: unsuccessful long ago, a member, and unsuccessful recently."""
    today = clock.today()
    old = h.window(ctx, "Old window", decided=today - relativedelta(months=7))
    recent = h.window(ctx, "Recent window", decided=today - relativedelta(months=3))
    ada = h.person(ctx, "Ada", "Old")
    ada_app = h.application(ctx, ada, old, "unsuccessful")
    h.feedback(ctx, ada, quote="Ada's own words")
    bea = h.person(ctx, "Bea", "Member")
    h.application(ctx, bea, old, "member")
    h.term(ctx, bea, today - relativedelta(months=6), today + relativedelta(months=12))
    cal = h.person(ctx, "Cal", "Recent")
    h.application(ctx, cal, recent, "unsuccessful")
    return {"ada": ada, "ada_app": ada_app, "bea": bea, "cal": cal}


def test_unsuccessful_applicants_are_anonymised_after_the_retention_period(ctx, recruitment):
    before = h.get(ctx, m.Person, recruitment["ada"])
    dry = runner.run_now(ctx, dry_run=True)
    assert _results(dry)["unsuccessful_applicants"] == 1
    assert h.get(ctx, m.Person, recruitment["ada"]).first_name == "Ada"  # a dry run changes nothing

    results = runner.run_now(ctx)
    assert _results(results)["unsuccessful_applicants"] == 1
    ada = h.get(ctx, m.Person, recruitment["ada"])
    assert (ada.first_name, ada.last_name) == ("Anonymised", f"person {ada.id}")
    assert ada.email is None and ada.phone is None and ada.postcode is None and ada.notes is None
    assert ada.email_key is None and ada.name_key is None and ada.anonymised_at is not None
    assert ada.version > before.version  # bulk jobs bump versions too
    app = h.get(ctx, m.Application, recruitment["ada_app"])
    assert app.statement is None and app.availability is None and app.eligibility_notes is None
    assert app.anonymised_at is not None and app.stage == "unsuccessful"  # the history stays for counts
    with unit_of_work(ctx, readonly=True) as s:
        eq = s.scalar(select(m.EqualityMonitoring).where(m.EqualityMonitoring.window_id.is_not(None),
                                                           m.EqualityMonitoring.detached_at.is_not(None)))
        assert eq.application_id is None and eq.ethnic_group_detail is None
        assert (eq.age_band, eq.sex, eq.ethnic_group, eq.area) == ("35_44", "female", "white", "leicester")
        fb = s.scalar(select(m.FeedbackItem))
        assert fb.person_id is None and fb.anonymous and fb.quote is None and fb.summary
        reasons = list(s.scalars(select(m.StageChange.reason).join(m.Application).where(
            m.Application.person_id == recruitment["ada"])))
        assert reasons == [None]
        events = list(s.execute(select(m.AuditEvent.action, m.AuditEvent.subject_person_id, m.AuditEvent.detail)))
    assert ("person.anonymise", recruitment["ada"]) in [(a, p) for a, p, _d in events]
    assert any(a == "retention.job" and "unsuccessful_applicants: 1" in d for a, _p, d in events)
    # The member and the recent applicant are untouched.
    assert h.get(ctx, m.Person, recruitment["bea"]).first_name == "Bea"
    assert h.get(ctx, m.Person, recruitment["cal"]).first_name == "Cal"
    # A second run finds nothing more to do.
    assert _results(runner.run_now(ctx))["unsuccessful_applicants"] == 0


def test_the_period_is_a_setting_and_counts_from_the_decision(ctx, recruitment):
    from lived_experience import settings

    today = clock.today()
    assert _results(runner.run_now(ctx, dry_run=True, today=today))["unsuccessful_applicants"] == 1
    # Cal's window decided three months ago: due when six months have passed, not before.
    later = today + relativedelta(months=3) - dt.timedelta(days=1)
    assert _results(runner.run_now(ctx, dry_run=True, today=later))["unsuccessful_applicants"] == 1
    assert _results(runner.run_now(ctx, dry_run=True, today=later + dt.timedelta(days=1)))[
        "unsuccessful_applicants"] == 2
    settings.update(ctx, unsuccessful_retention_months=3)
    assert _results(runner.run_now(ctx, dry_run=True, today=today))["unsuccessful_applicants"] == 2


def test_a_form_opened_before_the_purge_cannot_overwrite_it(ctx, recruitment):
    opened = h.get(ctx, m.Person, recruitment["ada"])
    runner.run_now(ctx)
    with pytest.raises(ConflictError, match="changed by"), unit_of_work(ctx) as s:
        row = s.get(m.Person, recruitment["ada"])
        check_version(s, row, opened.version, "person")
        row.first_name = opened.first_name


def test_former_members_contact_details_are_removed(ctx):
    today = clock.today()
    decided = h.window(ctx, "First", decided=today - relativedelta(months=40))
    dot = h.person(ctx, "Dot", "Former")
    h.application(ctx, dot, decided, "member")
    h.term(ctx, dot, today - relativedelta(months=31), today - relativedelta(months=13))
    eve = h.person(ctx, "Eve", "Recent")
    h.term(ctx, eve, today - relativedelta(months=24), today - relativedelta(months=6))
    fay = h.person(ctx, "Fay", "Reapplied")
    h.term(ctx, fay, today - relativedelta(months=31), today - relativedelta(months=13))
    h.application(ctx, fay, h.window(ctx, "Refresh", decided=today - relativedelta(months=1)), "reserve")
    results = _results(runner.run_now(ctx))
    assert results["former_member_contacts"] == 1
    d = h.get(ctx, m.Person, dot)
    assert d.first_name == "Dot" and d.anonymised_at is None  # the name and history stay
    assert d.email is None and d.phone is None and d.postcode is None and d.address_line1 is None
    assert d.email_key is None and d.town is None
    assert h.get(ctx, m.Person, eve).email is not None
    assert h.get(ctx, m.Person, fay).email is not None
    with unit_of_work(ctx, readonly=True) as s:
        ev = s.execute(select(m.AuditEvent.fields, m.AuditEvent.subject_person_id).where(
            m.AuditEvent.action == "person.contact_removed")).one()
    assert ev.subject_person_id == dot and "email" in ev.fields and "@" not in ev.fields


def test_old_audit_events_are_deleted_and_the_chain_still_verifies(ctx):
    with time_machine.travel(dt.datetime.now(dt.UTC) - relativedelta(years=7), tick=False):
        for i in range(4):
            audit.record_now(ctx, "old.event", entity="person", entity_id=i)
    for i in range(3):
        audit.record_now(ctx, "new.event", entity="person", entity_id=i)
    results = _results(runner.run_now(ctx))
    assert results["audit_events"] == 4
    with unit_of_work(ctx, readonly=True) as s:
        actions = list(s.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)))
        result = audit.verify(s)
    assert "old.event" not in actions and actions.count("new.event") == 3
    assert audit.PURGE_ACTION in actions
    assert result.ok, result.problems


def test_the_audit_period_is_a_setting(ctx):
    from lived_experience import settings

    with time_machine.travel(dt.datetime.now(dt.UTC) - relativedelta(years=3), tick=False):
        audit.record_now(ctx, "old.event")
    assert _results(runner.run_now(ctx, dry_run=True))["audit_events"] == 0
    settings.update(ctx, audit_retention_years=2)
    assert _results(runner.run_now(ctx))["audit_events"] == 1
    with unit_of_work(ctx, readonly=True) as s:
        assert audit.verify(s).ok


def test_the_daily_run_happens_once_a_day_per_database(ctx, recruitment):
    today = clock.today()
    first = runner.run_daily_if_due(ctx, today)
    assert first is not None and _results(first)["unsuccessful_applicants"] == 1
    assert runner.run_daily_if_due(ctx, today) is None
    assert runner.last_run(ctx) == today
    again = runner.run_daily_if_due(ctx, today + dt.timedelta(days=1))
    assert again is not None
    with unit_of_work(ctx, readonly=True) as s:
        actors = set(s.scalars(select(m.AuditEvent.actor_name).where(m.AuditEvent.action == "retention.job")))
    assert actors == {"system"}


def test_retention_by_hand_needs_an_administrator(ctx):
    for role in ("coordinator", "dbs_officer", "viewer"):
        with pytest.raises(PermissionDenied):
            runner.run_now(as_role(ctx, role))
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(func.count()).where(m.AuditEvent.action == "denied")) == 3
