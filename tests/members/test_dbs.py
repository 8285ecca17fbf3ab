"""DBS checks: the fact and outcome only, the register's permissions and audit, and the disclosure purge."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import LargeBinary, select

from db.enums import DbsStatus
from db.models import AuditEvent, DbsCheck
from lived_experience import settings as office_settings
from lived_experience.cli.commands.purge import run_retention
from lived_experience.core.context import SYSTEM
from lived_experience.core.errors import PermissionDenied, UserError, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.listing.query import list_page
from lived_experience.members import dbs, dbs_retention
from lived_experience.settings import load as load_settings
from tests.conftest import as_role
from tests.members.conftest import make_person

CERT = "001234567890"


def travel(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=False)


def events(ctx, **where):
    with unit_of_work(ctx, readonly=True) as s:
        q = select(AuditEvent).order_by(AuditEvent.id)
        for k, v in where.items():
            q = q.where(getattr(AuditEvent, k) == v)
        return [SimpleNamespace(**{c.key: getattr(e, c.key) for c in AuditEvent.__table__.columns})
                for e in s.scalars(q)]


def cleared(officer, pid, *, issued=dt.date(2025, 6, 1), decided=dt.date(2025, 6, 10), decision="clear",
            summary=None, detail=None, update_service=False):
    c = dbs.record_request(officer, pid, requested_on=issued - dt.timedelta(days=20), level="enhanced",
                           workforce="adult", application_reference="E123")
    c = dbs.record_certificate(officer, c.id, certificate_number=CERT, issue_date=issued, level="enhanced",
                               workforce="adult", update_service=update_service, checked_on=issued + dt.timedelta(days=2),
                               expected_version=c.version)
    return dbs.record_decision(officer, c.id, decision=decision, decision_on=decided, disclosure_summary=summary,
                               disclosure_detail=detail, expected_version=c.version)


@pytest.fixture
def officer(ctx):
    return as_role(ctx, "dbs_officer")


# -- what is kept ----------------------------------------------------------------------------------------
def test_no_file_or_copy_of_a_certificate_can_be_stored():
    for table in (DbsCheck.__table__,):
        for col in table.columns:
            assert not isinstance(col.type, LargeBinary), col.name
            assert not any(w in col.name for w in ("file", "scan", "copy", "image", "path", "content")), col.name


@pytest.mark.parametrize("raw,ok", [
    ("001234567890", "001234567890"), ("0012 3456 7890", "001234567890"), ("0012-3456-7890", "001234567890"),
    ("00123456789", None), ("0012345678901", None), ("00123456789O", None), ("", None), ("١٢٣٤٥٦٧٨٩٠١٢", None),
])
def test_a_certificate_number_is_exactly_twelve_digits(raw, ok):
    if ok:
        assert dbs.clean_certificate_number(raw) == ok
    else:
        with pytest.raises(ValidationError):
            dbs.clean_certificate_number(raw)


@settings(max_examples=200)
@given(st.text(max_size=20))
def test_anything_but_twelve_digits_is_refused(text):
    digits = text.replace(" ", "").replace("-", "").replace("\t", "").replace("\n", "").replace("\r", "")
    try:
        out = dbs.clean_certificate_number(text)
    except ValidationError:
        return
    assert len(out) == 12 and out.isdigit() and out.isascii() and out == "".join(digits.split())


def test_the_whole_story_of_a_check_is_recorded_with_who_and_when(ctx, officer):
    pid = make_person(ctx)
    c = dbs.record_request(officer, pid, requested_on=dt.date(2025, 5, 1), level="enhanced_barred",
                           workforce="adult_and_child", application_reference="E0012345")
    assert c.status is DbsStatus.REQUESTED
    with pytest.raises(ValidationError, match="12 digits"):
        dbs.record_certificate(officer, c.id, certificate_number="12345", issue_date=dt.date(2025, 5, 20),
                               level="enhanced", expected_version=c.version)
    c = dbs.record_certificate(officer, c.id, certificate_number="0012 3456 7890", issue_date=dt.date(2025, 5, 20),
                               level="enhanced_barred", workforce="adult_and_child", update_service=True,
                               checked_on=dt.date(2025, 5, 22), expected_version=c.version)
    assert c.status is DbsStatus.AWAITING_DECISION and c.checked_by == "Test DBS officer"
    assert c.certificate_number == CERT and c.checked_on == dt.date(2025, 5, 22)
    c = dbs.record_decision(officer, c.id, decision="clear", decision_on=dt.date(2025, 5, 23),
                            expected_version=c.version)
    c = dbs.add_update_check(officer, c.id, checked_on=dt.date(2025, 11, 1), consent_recorded=True,
                             result="no_new_information")
    assert [(u.result.value, u.consent_recorded, u.checked_by) for u in c.update_checks] == [
        ("no_new_information", True, "Test DBS officer")]
    with pytest.raises(ValidationError, match="consent"):
        dbs.add_update_check(officer, c.id, checked_on=dt.date(2025, 11, 2), consent_recorded=False,
                             result="no_match")
    assert c.recheck_due_on == dt.date(2028, 5, 20)
    person = dbs.person_dbs(officer, pid)
    assert person.status is DbsStatus.CLEARED and person.flag is None
    actions = [e.action for e in events(ctx, subject_person_id=pid)]
    assert actions[:4] == ["dbs.request", "dbs.certificate", "dbs.decision", "dbs.update_check"]
    assert actions[-1] == "view"
    # The audit log names fields, never values.
    assert not any(CERT in (e.detail or "") + (e.fields or "") for e in events(ctx))


def test_update_service_checks_need_a_subscription(ctx, officer):
    pid = make_person(ctx)
    c = cleared(officer, pid, update_service=False)
    with pytest.raises(UserError, match="not subscribed to the Update Service"):
        dbs.add_update_check(officer, c.id, checked_on=dt.date(2025, 11, 1), consent_recorded=True,
                             result="no_new_information")


@pytest.mark.parametrize("kwargs,message", [
    ({"decision": "clear", "disclosure_detail": "something"}, "has no disclosure"),
    ({"decision": "clear_with_disclosure"}, "short summary"),
    ({"decision": "clear", "decision_on": dt.date(2099, 1, 1)}, "future"),
    ({"decision": "maybe"}, "Unknown decision"),
])
def test_decisions_follow_the_rules(ctx, officer, kwargs, message):
    pid = make_person(ctx)
    c = dbs.record_request(officer, pid, requested_on=dt.date(2025, 5, 1), level="enhanced")
    c = dbs.record_certificate(officer, c.id, certificate_number=CERT, issue_date=dt.date(2025, 5, 20),
                               level="enhanced", checked_on=dt.date(2025, 5, 22))
    args = {"decision_on": dt.date(2025, 5, 23)} | kwargs
    with pytest.raises(ValidationError, match=message):
        dbs.record_decision(officer, c.id, **args)
    assert dbs.person_dbs(officer, pid).checks[0].decision is None


def test_a_decision_needs_the_certificate_and_detail_only_inside_the_retention_period(ctx, officer):
    pid = make_person(ctx)
    c = dbs.record_request(officer, pid, requested_on=dt.date(2025, 5, 1), level="enhanced")
    with pytest.raises(UserError, match="Record the certificate"):
        dbs.record_decision(officer, c.id, decision="clear", decision_on=dt.date(2025, 5, 23))
    c = dbs.record_certificate(officer, c.id, certificate_number=CERT, issue_date=dt.date(2025, 5, 20),
                               level="enhanced", checked_on=dt.date(2025, 5, 22))
    with travel(dt.date(2026, 1, 1)), pytest.raises(ValidationError, match="no more than 183 days"):
        dbs.record_decision(officer, c.id, decision="clear_with_disclosure", decision_on=dt.date(2025, 5, 23),
                            disclosure_summary="Old caution, accepted", disclosure_detail="Caution 2009")
    with pytest.raises(UserError, match="already has a DBS check in progress"):
        dbs.record_request(officer, pid, requested_on=dt.date(2025, 5, 30), level="enhanced")


# -- who may see the register (called on the services, not through widgets) ----------------------------------
@pytest.mark.parametrize("role", ["coordinator", "viewer"])
def test_the_register_is_refused_to_other_roles_and_the_refusal_is_logged(ctx, officer, role):
    pid = make_person(ctx)
    c = cleared(officer, pid)
    other = as_role(ctx, role)
    before = len(events(ctx, outcome="denied"))
    calls = [
        lambda: dbs.register(other),
        lambda: dbs.person_dbs(other, pid),
        lambda: dbs.record_request(other, pid, requested_on=dt.date(2025, 7, 1), level="basic"),
        lambda: dbs.record_certificate(other, c.id, certificate_number=CERT, issue_date=dt.date(2025, 6, 1),
                                       level="enhanced"),
        lambda: dbs.record_decision(other, c.id, decision="not_accepted", decision_on=dt.date(2025, 6, 10)),
        lambda: dbs.set_renewal(other, c.id, True),
        lambda: dbs.add_update_check(other, c.id, checked_on=dt.date(2025, 7, 1), consent_recorded=True,
                                     result="no_match"),
        lambda: list_page(other, "dbs"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="DBS"):
            call()
    denied = events(ctx, outcome="denied")[before:]
    assert len(denied) == len(calls)
    assert {e.actor_name for e in denied} == {f"test-{role}"}
    assert all(e.action == "denied" for e in denied)
    assert dbs.person_dbs(officer, pid).checks[0].decision.value == "clear"  # nothing changed


@pytest.mark.parametrize("role", ["dbs_officer", "admin"])
def test_every_view_of_the_register_is_audited(ctx, role):
    officer = as_role(ctx, "dbs_officer")
    pid = make_person(ctx)
    cleared(officer, pid)
    viewer = as_role(ctx, role)
    rows = dbs.register(viewer)
    rows_again = dbs.register(viewer)
    assert [r.person_id for r in rows] == [pid] == [r.person_id for r in rows_again]
    assert rows[0].status is DbsStatus.CLEARED and rows[0].certificate_number == CERT
    dbs.person_dbs(viewer, pid)
    views = [e for e in events(ctx, action="view", entity="dbs_check") if e.actor_name == viewer.actor.username]
    assert len(views) == 3
    assert views[-1].subject_person_id == pid and "certificate_number" in views[-1].fields
    assert "summary" not in dbs.register_summary(rows) and "1 cleared" in dbs.register_summary(rows)


def test_the_members_list_shows_dbs_status_to_coordinators_but_not_viewers(ctx, officer):
    from lived_experience.members import service
    from tests.members.conftest import make_applicant, make_window

    pid, _aid = make_applicant(ctx, make_window(ctx))
    service.start_term(ctx, pid, dt.date(2025, 8, 31))
    coordinator_rows = list_page(as_role(ctx, "coordinator"), "members").rows
    assert coordinator_rows[0]["dbs_status"] == "none"
    viewer_rows = list_page(as_role(ctx, "viewer"), "members").rows
    assert "dbs_status" not in viewer_rows[0]


# -- flags wherever a member is invited -------------------------------------------------------------------------
def test_flags_for_names_everyone_without_a_cleared_check(ctx, officer):
    a, b, c, d = (make_person(ctx) for _ in range(4))
    dbs.record_request(officer, b, requested_on=dt.date(2025, 5, 1), level="standard")
    with travel(dt.date(2029, 1, 1)):
        cleared(officer, a, issued=dt.date(2028, 6, 1), decided=dt.date(2028, 6, 10))
        cleared(officer, d, issued=dt.date(2025, 6, 1))  # issued more than three years ago
        flags = dbs.flags_for(as_role(ctx, "coordinator"), [a, b, c, d])
        assert flags == {b: "DBS certificate not yet received", c: "No DBS check", d: "DBS recheck due"}
        coordinator = as_role(ctx, "coordinator")
        with unit_of_work(coordinator, readonly=True) as s:
            assert dbs.flags_for(s, [a, b, c, d]) == flags
    assert dbs.flags_for(as_role(ctx, "viewer"), [a, b, c]) == {}


def test_a_renewal_keeps_the_member_cleared_and_pauses_the_reminder(ctx, officer):
    pid = make_person(ctx)
    first = cleared(officer, pid, issued=dt.date(2022, 6, 1), decided=dt.date(2022, 6, 10))
    with travel(dt.date(2025, 7, 1)):
        assert dbs.person_dbs(officer, pid).status is DbsStatus.RECHECK_DUE
        dbs.record_request(officer, pid, requested_on=dt.date(2025, 7, 1), level="enhanced")
        person = dbs.person_dbs(officer, pid)
        assert person.status is DbsStatus.RENEWAL_IN_PROGRESS and person.flag is None
        assert [c.id for c in person.checks][1] == first.id and person.checks[1].renewal_in_progress
        assert dbs.flags_for(officer, [pid]) == {}
        new = person.checks[0]
        new = dbs.record_certificate(officer, new.id, certificate_number="998877665544",
                                     issue_date=dt.date(2025, 7, 1), level="enhanced")
        dbs.record_decision(officer, new.id, decision="clear", decision_on=dt.date(2025, 7, 1))
        person = dbs.person_dbs(officer, pid)
        assert person.status is DbsStatus.CLEARED and person.checks[0].id == new.id
        assert not any(c.renewal_in_progress for c in person.checks)


def test_renewal_flag_can_be_set_by_hand_and_needs_a_cleared_check(ctx, officer):
    pid = make_person(ctx)
    pending = dbs.record_request(officer, pid, requested_on=dt.date(2025, 5, 1), level="enhanced")
    with pytest.raises(UserError, match="Only a cleared certificate"):
        dbs.set_renewal(officer, pending.id, True)
    c = dbs.record_certificate(officer, pending.id, certificate_number=CERT, issue_date=dt.date(2022, 6, 1),
                               level="enhanced", checked_on=dt.date(2022, 6, 2))
    c = dbs.record_decision(officer, c.id, decision="clear", decision_on=dt.date(2022, 6, 10))
    with travel(dt.date(2025, 7, 1)):
        assert dbs.set_renewal(officer, c.id, True, expected_version=c.version).status is \
            DbsStatus.RENEWAL_IN_PROGRESS


# -- the disclosure purge through time ----------------------------------------------------------------------------
def _purge(ctx, *, dry_run=False):
    with unit_of_work(ctx, readonly=dry_run) as s:
        return dbs_retention.purge_disclosures(s, SYSTEM, load_settings(ctx), dt.datetime.now(dt.UTC).date(),
                                               dry_run)


@pytest.mark.parametrize("days,removed", [(182, False), (183, False), (184, True)])
def test_disclosure_detail_is_removed_after_183_days_leaving_the_summary(ctx, officer, days, removed):
    pid = make_person(ctx)
    decided = dt.date(2025, 6, 10)
    with travel(decided):
        c = cleared(officer, pid, decided=decided, decision="clear_with_disclosure",
                    summary="Caution in 2009, not relevant to the role",
                    detail="Caution for criminal damage, 2009, Leicester")
        assert c.disclosure_remove_on == decided + dt.timedelta(days=184)
    with travel(decided + dt.timedelta(days=days)):
        dry = _purge(ctx, dry_run=True)
        assert dry.affected == (1 if removed else 0)
        assert dbs.person_dbs(officer, pid).checks[0].disclosure_detail is not None  # a dry run changes nothing
        result = _purge(ctx)
    after = dbs.person_dbs(officer, pid).checks[0]
    assert after.disclosure_summary == "Caution in 2009, not relevant to the role"
    assert after.decision.value == "clear_with_disclosure" and after.certificate_number == CERT
    purged = events(ctx, action="dbs.disclosure_purged")
    if removed:
        assert result.ids == [c.id] and after.disclosure_detail is None and after.disclosure_purged_at
        assert len(purged) == 1 and purged[0].entity_id == c.id and purged[0].fields == "disclosure_detail"
        assert purged[0].subject_person_id == pid and "Caution" not in (purged[0].detail or "")
    else:
        assert result.affected == 0 and after.disclosure_detail.startswith("Caution for criminal")
        assert purged == []


def test_a_shorter_retention_setting_removes_detail_sooner_and_longer_is_refused(ctx, officer):
    pid = make_person(ctx)
    with travel(dt.date(2025, 6, 10)):
        cleared(officer, pid, decision="clear_with_disclosure", summary="Accepted", detail="Detail")
    office_settings.update(ctx, dbs_disclosure_retention_days=30)
    with travel(dt.date(2025, 7, 11)):
        assert _purge(ctx).affected == 1
    with pytest.raises(ValidationError, match="between 1 and 183"):
        office_settings.update(ctx, dbs_disclosure_retention_days=200)


def test_purge_runs_every_registered_job_and_audits_the_run(ctx, officer):
    pid = make_person(ctx)
    with travel(dt.date(2025, 6, 10)):
        cleared(officer, pid, decision="clear_with_disclosure", summary="Accepted", detail="Detail")
    from lived_experience import retention

    with travel(dt.date(2026, 1, 1)):
        with pytest.raises(PermissionDenied):
            run_retention(as_role(ctx, "coordinator"), dry_run=True)
        dry = run_retention(ctx, dry_run=True)
        assert [r.job for r in dry] == [j.name for j in retention.jobs()]
        assert next(r for r in dry if r.job == "dbs_disclosure").affected == 1
        assert dbs.person_dbs(officer, pid).checks[0].disclosure_detail == "Detail"
        done = run_retention(ctx, dry_run=False)
        assert next(r for r in done if r.job == "dbs_disclosure").affected == 1
    assert dbs.person_dbs(officer, pid).checks[0].disclosure_detail is None
    runs = [e.detail for e in events(ctx, action="retention.purge")]
    assert runs[0].startswith("dry run") and runs[1].startswith("run")
