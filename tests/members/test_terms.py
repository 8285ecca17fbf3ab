"""Membership terms: the end-date rule, status through time, overrides and the cap of ten."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from db.enums import Stage, TermStatus
from db.models import Application, AuditEvent, MembershipTerm, StageChange
from lived_experience import settings as office_settings
from lived_experience.core.errors import ConflictError, PermissionDenied, UserError, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.members import service
from lived_experience.members.status import term_end, term_status
from tests.conftest import as_role
from tests.members.conftest import make_applicant, make_window

LONDON_NOON = "T12:00:00+00:00"


def at(day: str):
    return time_machine.travel(dt.datetime.fromisoformat(day + LONDON_NOON), tick=False)


# -- the end date -------------------------------------------------------------------------------
@pytest.mark.parametrize("start,end", [
    (dt.date(2025, 8, 31), dt.date(2027, 2, 27)),   # 28/02/2027 is 18 months on (clipped), less a day
    (dt.date(2028, 2, 29), dt.date(2029, 8, 28)),   # leap day start
    (dt.date(2025, 1, 1), dt.date(2026, 6, 30)),
    (dt.date(2026, 8, 29), dt.date(2028, 2, 28)),   # ends in a leap February, not on its 29th
    (dt.date(2026, 8, 30), dt.date(2028, 2, 28)),   # clipped to the 29th, less a day
])
def test_term_end_is_start_plus_18_months_less_a_day(start, end):
    assert term_end(start) == end


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(1, 60))
def test_term_end_is_never_before_the_start_and_within_the_months(start, months):
    end = term_end(start, months)
    assert start <= end
    assert (end - start).days <= months * 31


def test_term_length_is_the_office_setting(ctx, window_id):
    office_settings.update(ctx, term_months=12)
    pid, aid = make_applicant(ctx, window_id)
    started = service.start_term(ctx, pid, dt.date(2025, 8, 31))
    assert started.term.ends_on == dt.date(2026, 8, 30)


# -- status through time -----------------------------------------------------------------------------
def test_status_moves_from_upcoming_to_ended_as_time_passes(ctx, window_id):
    pid, _aid = make_applicant(ctx, window_id)
    with at("2025-08-01"):
        term = service.start_term(ctx, pid, dt.date(2025, 8, 31)).term
        assert term.status is TermStatus.UPCOMING
    seen = {}
    for day, expected in [("2025-08-30", TermStatus.UPCOMING), ("2025-08-31", TermStatus.ACTIVE),
                          ("2026-11-29", TermStatus.ACTIVE),        # 90 days left
                          ("2026-11-30", TermStatus.ENDING_SOON),   # 89 days left: within the 90
                          ("2027-02-27", TermStatus.ENDING_SOON),   # the last day
                          ("2027-02-28", TermStatus.ENDED)]:
        with at(day):
            seen[day] = service.get_term(ctx, term.id).status
            assert seen[day] is expected, day
    with at("2027-02-27"):
        assert service.get_term(ctx, term.id).days_remaining == 0
    with at("2027-02-28"):
        assert service.get_term(ctx, term.id).days_remaining is None


def test_ending_soon_follows_the_office_setting(ctx, window_id):
    pid, _aid = make_applicant(ctx, window_id)
    term = service.start_term(ctx, pid, dt.date(2025, 8, 31)).term
    office_settings.update(ctx, ending_soon_days=30)
    with at("2026-12-15"):
        assert service.get_term(ctx, term.id).status is TermStatus.ACTIVE
    with at("2027-01-29"):  # 29 days left
        assert service.get_term(ctx, term.id).status is TermStatus.ENDING_SOON


def test_an_override_counts_from_its_date_and_keeps_who_and_why(ctx, window_id):
    coordinator = as_role(ctx, "coordinator")
    pid, _aid = make_applicant(ctx, window_id)
    term = service.start_term(coordinator, pid, dt.date(2025, 8, 31)).term
    with at("2025-10-01"):
        t = service.set_override(coordinator, term.id, "paused", reason="Health: taking a break",
                                 from_date=dt.date(2025, 10, 10), expected_version=term.version)
        assert t.status is TermStatus.ACTIVE  # not yet
        assert "paused from 10/10/2025" in t.status_text
    with at("2025-10-10"):
        t = service.get_term(ctx, term.id)
        assert t.status is TermStatus.PAUSED
        assert t.override_reason == "Health: taking a break" and t.override_set_by == "Test Coordinator"
        assert t.starts_on == dt.date(2025, 8, 31) and t.ends_on == dt.date(2027, 2, 27)  # dates never change
    with at("2027-03-01"):
        assert service.get_term(ctx, term.id).status is TermStatus.ENDED  # a pause ends with the term
    with at("2025-11-01"):
        t = service.set_override(coordinator, term.id, "stepped_down", reason="Moved away",
                                 from_date=dt.date(2025, 11, 1), expected_version=t.version)
        assert t.status is TermStatus.STEPPED_DOWN
    with at("2030-01-01"):
        assert service.get_term(ctx, term.id).status is TermStatus.STEPPED_DOWN
    with unit_of_work(ctx, readonly=True) as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "membership_term")).all()
    assert actions.count("term.override") == 2


def test_an_override_needs_a_reason_and_a_date_inside_the_term(ctx, window_id):
    pid, _aid = make_applicant(ctx, window_id)
    term = service.start_term(ctx, pid, dt.date(2025, 8, 31)).term
    with pytest.raises(ValidationError, match="reason"):
        service.set_override(ctx, term.id, "removed", reason="  ")
    with pytest.raises(ValidationError, match="within the term"):
        service.set_override(ctx, term.id, "removed", reason="Conduct", from_date=dt.date(2030, 1, 1))
    with pytest.raises(ValidationError, match="Unknown status"):
        service.set_override(ctx, term.id, "holiday", reason="x")
    with pytest.raises(UserError, match="no status override"):
        service.set_override(ctx, term.id, None)
    assert service.get_term(ctx, term.id).override is None


def test_a_stale_override_form_is_refused(ctx, window_id):
    pid, _aid = make_applicant(ctx, window_id)
    term = service.start_term(ctx, pid, dt.date(2025, 8, 31)).term
    service.set_override(ctx, term.id, "paused", reason="first", from_date=term.starts_on,
                         expected_version=term.version)
    with pytest.raises(ConflictError, match="changed by"):
        service.set_override(ctx, term.id, "removed", reason="second", from_date=term.starts_on,
                             expected_version=term.version)


def test_an_override_waits_for_its_date_even_before_the_term_starts():
    start, end = dt.date(2025, 8, 31), dt.date(2027, 2, 27)
    assert term_status(start, end, "removed", start, today=dt.date(2025, 7, 1)) is TermStatus.UPCOMING
    assert term_status(start, end, "removed", None, today=dt.date(2025, 7, 1)) is TermStatus.REMOVED


# -- starting a term -------------------------------------------------------------------------------------
def test_start_term_needs_an_accepted_offer_and_a_cleared_dbs_check(ctx, window_id):
    from lived_experience.members import dbs

    pid, aid = make_applicant(ctx, window_id, stage="shortlisted")
    with pytest.raises(UserError, match="has no accepted offer"):
        service.start_term(ctx, pid, dt.date(2025, 8, 31))
    pid, aid = make_applicant(ctx, window_id, stage="accepted")
    assert [c.application_id for c in service.term_candidates(ctx)] == [aid]
    assert service.term_candidates(ctx)[0].dbs_flag == "No DBS check"
    with pytest.raises(UserError, match="DBS check is not cleared"):
        service.start_term(ctx, pid, dt.date(2025, 8, 31))
    officer = as_role(ctx, "dbs_officer")
    c = dbs.record_request(officer, pid, requested_on=dt.date(2025, 6, 1), level="enhanced")
    c = dbs.record_certificate(officer, c.id, certificate_number="001234567890", issue_date=dt.date(2025, 6, 20),
                               level="enhanced", checked_on=dt.date(2025, 6, 21))
    dbs.record_decision(officer, c.id, decision="clear", decision_on=dt.date(2025, 6, 22))
    started = service.start_term(ctx, pid, dt.date(2025, 8, 31), notes="Welcome pack sent")
    assert started.dbs_flag is None and started.term.notes == "Welcome pack sent"
    with unit_of_work(ctx, readonly=True) as s:
        assert s.get(Application, aid).stage == Stage.MEMBER.value
        moves = [(c.from_stage, c.to_stage) for c in s.scalars(
            select(StageChange).where(StageChange.application_id == aid).order_by(StageChange.id))]
        assert moves == [("accepted", "dbs_cleared"), ("dbs_cleared", "member")]
    assert service.term_candidates(ctx) == []
    with pytest.raises(UserError, match="already has a term"):
        service.start_term(ctx, pid, dt.date(2027, 3, 1), application_id=aid)


def test_a_viewer_cannot_start_a_term_and_the_refusal_is_logged(ctx, window_id):
    viewer = as_role(ctx, "viewer")
    pid, _aid = make_applicant(ctx, window_id)
    with pytest.raises(PermissionDenied):
        service.start_term(viewer, pid, dt.date(2025, 8, 31))
    with unit_of_work(ctx, readonly=True) as s:
        denied = s.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
        assert denied and denied[-1].actor_name == "test-viewer"
        assert s.scalar(select(MembershipTerm.id)) is None


def test_the_eleventh_member_is_refused_naming_the_date(ctx, window_id):
    """On SQLite and PostgreSQL (the ``ctx`` fixture runs both)."""
    people = [make_applicant(ctx, window_id)[0] for _ in range(11)]
    for i, pid in enumerate(people[:10]):
        service.start_term(ctx, pid, dt.date(2025, 8, 31) + dt.timedelta(days=i))
    with pytest.raises(UserError) as info:
        service.start_term(ctx, people[10], dt.date(2025, 6, 1))
    # The group is full from the day the tenth term starts.
    assert "more than 10 active members on 09/09/2025" in info.value.message
    with unit_of_work(ctx, readonly=True) as s:
        assert len(s.scalars(select(MembershipTerm)).all()) == 10
    # Starting the day after the first terms end is allowed.
    later = service.start_term(ctx, people[10], dt.date(2027, 3, 9))
    assert later.term.starts_on == dt.date(2027, 3, 9)


def test_a_member_who_stepped_down_frees_the_place_from_that_date(ctx, window_id):
    people = [make_applicant(ctx, window_id)[0] for _ in range(11)]
    terms = [service.start_term(ctx, pid, dt.date(2025, 8, 31)).term for pid in people[:10]]
    service.set_override(ctx, terms[0].id, "stepped_down", reason="Moved away", from_date=dt.date(2026, 1, 1))
    with pytest.raises(UserError, match="31/12/2025"):
        service.start_term(ctx, people[10], dt.date(2025, 12, 31))
    service.start_term(ctx, people[10], dt.date(2026, 1, 1))
    # Clearing the step-down would make eleven: refused, naming the first full day.
    with pytest.raises(UserError, match="more than 10 active members on 01/01/2026"):
        service.set_override(ctx, terms[0].id, None)
    # A pause keeps the place, so pausing someone else changes nothing.
    service.set_override(ctx, terms[1].id, "paused", reason="Break", from_date=dt.date(2026, 2, 1))


def test_ten_members_is_the_office_maximum_but_it_can_be_lower(ctx, window_id):
    office_settings.update(ctx, max_active_members=2)
    a, b, c = (make_applicant(ctx, window_id)[0] for _ in range(3))
    service.start_term(ctx, a, dt.date(2025, 8, 31))
    service.start_term(ctx, b, dt.date(2025, 8, 31))
    with pytest.raises(UserError, match="more than 2 active members on 31/08/2025"):
        service.start_term(ctx, c, dt.date(2025, 8, 31))
    with pytest.raises(ValidationError):
        office_settings.update(ctx, max_active_members=11)


def test_history_is_kept_a_new_term_is_a_new_record(ctx):
    w1 = make_window(ctx, name="First")
    pid, a1 = make_applicant(ctx, w1)
    first = service.start_term(ctx, pid, dt.date(2025, 8, 31)).term
    w2 = make_window(ctx, name="Second")
    with unit_of_work(ctx) as s:  # the same person re-applies and accepts again
        s.add(Application(person_id=pid, window_id=w2, stage="dbs_cleared",
                          received_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)))
    with pytest.raises(UserError, match="already has a term covering"):
        service.start_term(ctx, pid, dt.date(2027, 1, 1))
    second = service.start_term(ctx, pid, dt.date(2027, 2, 28)).term
    terms = service.terms_for(ctx, pid)
    assert [t.id for t in terms] == [second.id, first.id]
    assert terms[1].window_name == "First" and terms[0].window_name == "Second"
    assert terms[1].starts_on == dt.date(2025, 8, 31) and terms[1].ends_on == dt.date(2027, 2, 27)


def test_two_people_starting_the_last_place_at_once_cannot_both_get_it(ctx, window_id):
    """Two offices saving at the same moment: the cap still holds (advisory lock on PostgreSQL,
    an immediate write transaction on SQLite)."""
    import threading

    from tests.conftest import make_ctx

    people = [make_applicant(ctx, window_id)[0] for _ in range(11)]
    for pid in people[:9]:
        service.start_term(ctx, pid, dt.date(2025, 8, 31))
    contexts = [make_ctx(ctx.db.url, ctx.paths) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start(c, pid):
        barrier.wait()
        try:
            service.start_term(c, pid, dt.date(2025, 8, 31))
            outcomes.append("started")
        except UserError as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=start, args=(c, pid)) for c, pid in zip(contexts, people[9:], strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for c in contexts:
        c.db.dispose()
    assert sorted(o == "started" for o in outcomes) == [False, True], outcomes
    assert any("more than 10 active members on 31/08/2025" in o for o in outcomes)
    with unit_of_work(ctx, readonly=True) as s:
        assert len(s.scalars(select(MembershipTerm)).all()) == 10
