"""The applicant pipeline: only valid moves, every move recorded, places and the member cap kept."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.enums import Stage
from db.models import AuditEvent, MembershipTerm, StageChange
from lived_experience.core import clock
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.members.status import term_end
from lived_experience.recruitment import pipeline
from lived_experience.recruitment.applicants import get_applicant
from tests.recruitment.conftest import add, advance, clear_dbs, make_window

ALL = list(Stage)


def test_the_transition_table_matches_the_programme():
    nxt = pipeline.next_stages
    assert nxt("received") == (Stage.ELIGIBILITY_CHECKED, Stage.UNSUCCESSFUL, Stage.WITHDRAWN)
    assert set(nxt(Stage.ASSESSED)) == {Stage.OFFERED, Stage.RESERVE, Stage.UNSUCCESSFUL, Stage.WITHDRAWN}
    assert Stage.OFFERED in nxt(Stage.RESERVE)  # a reserve can be offered later
    for final in (Stage.MEMBER, Stage.UNSUCCESSFUL, Stage.WITHDRAWN):
        assert nxt(final) == ()
    # Withdrawn is open from every stage that is not final.
    for st in ALL:
        if st not in (Stage.MEMBER, Stage.UNSUCCESSFUL, Stage.WITHDRAWN):
            assert Stage.WITHDRAWN in nxt(st), st


def test_invalid_moves_are_refused_and_change_nothing(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id)
    for to in (Stage.SHORTLISTED, Stage.OFFERED, Stage.MEMBER, Stage.ACCEPTED, Stage.RESERVE):
        with pytest.raises(UserError, match="cannot move to"):
            pipeline.move_stage(ctx, a.application_id, to)
    d = get_applicant(ctx, a.application_id, audit_view=False)
    assert d.stage is Stage.RECEIVED and len(d.history) == 1
    assert [m.stage for m in d.moves] == list(pipeline.next_stages(Stage.RECEIVED))


def test_eligibility_must_be_decided_before_moving_on(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id)
    with pytest.raises(UserError, match="Record the eligibility decision"):
        pipeline.move_stage(ctx, a.application_id, Stage.ELIGIBILITY_CHECKED)
    with pytest.raises(UserError, match="not had their eligibility checked"):
        pipeline.move_stage(ctx, a.application_id, Stage.UNSUCCESSFUL)
    blocked = {m.stage: m.blocked for m in get_applicant(ctx, a.application_id, audit_view=False).moves}
    assert blocked[Stage.ELIGIBILITY_CHECKED] and blocked[Stage.WITHDRAWN] is None


def test_every_move_is_dated_attributed_and_explained(ctx, coordinator):
    w = make_window(coordinator)
    a = add(coordinator, w.id)
    advance(coordinator, a.application_id, Stage.SHORTLISTED)
    before = clock.now() - dt.timedelta(seconds=2)
    res = pipeline.move_stage(coordinator, a.application_id, Stage.WITHDRAWN, reason="Moving abroad")
    assert res.from_stage is Stage.SHORTLISTED and res.stage is Stage.WITHDRAWN
    d = get_applicant(coordinator, a.application_id, audit_view=False)
    last = d.history[-1]
    assert (last.from_stage, last.to_stage, last.reason) == (Stage.SHORTLISTED, Stage.WITHDRAWN, "Moving abroad")
    assert last.changed_by == "Test Coordinator" and last.changed_at >= before
    assert d.withdrawn_reason == "Moving abroad" and d.stage_changed_at == last.changed_at
    with unit_of_work(ctx, readonly=True) as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "application.stage")
                       .order_by(AuditEvent.id.desc())).first()
        assert ev.entity_id == a.application_id and ev.actor_name == "test-coordinator"
        assert "Moving abroad" not in (ev.detail or "") and "withdrawn_reason" in ev.fields


@pytest.mark.parametrize("stage", [Stage.RECEIVED, Stage.ELIGIBILITY_CHECKED, Stage.SHORTLISTED, Stage.ASSESSED,
                                   Stage.RESERVE, Stage.OFFERED, Stage.ACCEPTED, Stage.DBS_CLEARED])
def test_withdraw_from_any_stage_needs_a_reason(sqlite_ctx, stage):
    ctx = sqlite_ctx
    w = make_window(ctx, places=10)
    a = add(ctx, w.id)
    advance(ctx, a.application_id, stage)
    with pytest.raises(ValidationError, match="Say why"):
        pipeline.move_stage(ctx, a.application_id, Stage.WITHDRAWN, reason="  ")
    pipeline.move_stage(ctx, a.application_id, Stage.WITHDRAWN, reason="Changed their mind")
    d = get_applicant(ctx, a.application_id, audit_view=False)
    assert d.stage is Stage.WITHDRAWN and d.moves == []
    with pytest.raises(UserError, match="final stage"):
        pipeline.move_stage(ctx, a.application_id, Stage.OFFERED)


def test_offers_cannot_exceed_the_places(ctx):
    w = make_window(ctx, places=2)
    apps = [add(ctx, w.id, first=f"Person{i}", last="Test").application_id for i in range(3)]
    advance(ctx, apps[0], Stage.OFFERED)
    advance(ctx, apps[1], Stage.ACCEPTED)
    advance(ctx, apps[2], Stage.ASSESSED)
    with pytest.raises(UserError) as exc:
        pipeline.move_stage(ctx, apps[2], Stage.OFFERED)
    assert "All 2 places" in exc.value.message and "reserve" in exc.value.message
    # Reserve, then offered later when someone withdraws.
    pipeline.move_stage(ctx, apps[2], Stage.RESERVE, decision_reason="places_filled")
    pipeline.move_stage(ctx, apps[0], Stage.WITHDRAWN, reason="Declined the offer")
    res = pipeline.move_stage(ctx, apps[2], Stage.OFFERED, reason="Offered from the reserve list")
    assert res.stage is Stage.OFFERED


def test_dbs_cleared_needs_a_cleared_check(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id)
    d = advance(ctx, a.application_id, Stage.ACCEPTED)
    with pytest.raises(UserError) as exc:
        pipeline.move_stage(ctx, a.application_id, Stage.DBS_CLEARED)
    assert "DBS section" in exc.value.message and "not cleared" in exc.value.message
    clear_dbs(ctx, d.person_id)
    assert pipeline.move_stage(ctx, a.application_id, Stage.DBS_CLEARED).stage is Stage.DBS_CLEARED


def test_becoming_a_member_starts_the_term_in_the_same_unit_of_work(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id)
    advance(ctx, a.application_id, Stage.DBS_CLEARED)
    res = pipeline.move_stage(ctx, a.application_id, Stage.MEMBER)
    assert res.term_starts_on == w.term_starts_on
    with unit_of_work(ctx, readonly=True) as s:
        term = s.get(MembershipTerm, res.term_id)
        assert term.application_id == a.application_id and term.person_id == a.person_id
        # 18 months less a day (the settings' term length).
        assert term.ends_on == term_end(w.term_starts_on, 18)
        assert term.ends_on > w.term_starts_on + dt.timedelta(days=540)
    d = get_applicant(ctx, a.application_id, audit_view=False)
    assert d.stage is Stage.MEMBER and d.moves == []


def test_the_ten_member_cap_refuses_the_eleventh_and_changes_nothing(ctx):
    from lived_experience.members.terms import add_term

    start = clock.today() + dt.timedelta(days=90)
    w = make_window(ctx, places=10, term=start)
    with unit_of_work(ctx) as s:
        from db.models import Person

        for i in range(10):
            p = Person(first_name=f"Member{i}", last_name="Current")
            s.add(p)
            s.flush()
            add_term(s, ctx.actor, person_id=p.id, starts_on=start - dt.timedelta(days=30))
    a = add(ctx, w.id)
    advance(ctx, a.application_id, Stage.DBS_CLEARED)
    with pytest.raises(UserError, match="more than 10 active members"):
        pipeline.move_stage(ctx, a.application_id, Stage.MEMBER)
    d = get_applicant(ctx, a.application_id, audit_view=False)
    assert d.stage is Stage.DBS_CLEARED
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(StageChange.id).where(StageChange.application_id == a.application_id,
                                                     StageChange.to_stage == "member")) is None
        assert len(s.scalars(select(MembershipTerm.id)).all()) == 10
    # A start date after the current cohort's terms end is fine.
    later = start + dt.timedelta(days=600)
    res = pipeline.move_stage(ctx, a.application_id, Stage.MEMBER, term_starts_on=later)
    assert res.term_starts_on == later


def test_member_needs_a_term_start_when_the_window_has_none(ctx):
    w = make_window(ctx, term=None)
    from lived_experience.recruitment.windows import get_window, update_window

    form = get_window(ctx, w.id).to_form()
    form.term_starts_on = None
    update_window(ctx, w.id, form, expected_version=None)
    a = add(ctx, w.id)
    advance(ctx, a.application_id, Stage.DBS_CLEARED)
    with pytest.raises(UserError, match="no term start date"):
        pipeline.move_stage(ctx, a.application_id, Stage.MEMBER)
    day = clock.today() + dt.timedelta(days=10)
    assert pipeline.move_stage(ctx, a.application_id, Stage.MEMBER, term_starts_on=day).term_starts_on == day


def test_assessed_needs_an_assessment(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id)
    advance(ctx, a.application_id, Stage.SHORTLISTED)
    with pytest.raises(UserError, match="Record at least one"):
        pipeline.move_stage(ctx, a.application_id, Stage.ASSESSED)


def test_a_stale_version_is_refused(ctx):
    from lived_experience.core.errors import ConflictError

    w = make_window(ctx)
    a = add(ctx, w.id)
    d = get_applicant(ctx, a.application_id, audit_view=False)
    pipeline.move_stage(ctx, a.application_id, Stage.WITHDRAWN, reason="x", expected_version=d.application_version)
    with pytest.raises(ConflictError):
        pipeline.move_stage(ctx, a.application_id, Stage.WITHDRAWN, reason="y",
                            expected_version=d.application_version)


def test_two_staff_offering_the_last_place_at_once_make_one_offer(ctx, monkeypatch):
    import threading
    import time

    w = make_window(ctx, places=1)
    apps = [add(ctx, w.id, first=f"Racer{i}", last="Test").application_id for i in range(2)]
    for a in apps:
        advance(ctx, a, Stage.ASSESSED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    counted = pipeline.places_taken

    def slow_count(*args, **kwargs):
        # Widen the gap between counting the places and saving the offer.
        n = counted(*args, **kwargs)
        time.sleep(0.3)
        return n

    monkeypatch.setattr(pipeline, "places_taken", slow_count)

    def offer(app_id):
        barrier.wait()
        try:
            pipeline.move_stage(ctx, app_id, Stage.OFFERED)
            outcomes.append("offered")
        except UserError as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=offer, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes)[-1] == "offered" and outcomes.count("offered") == 1, outcomes
    assert any("All 1 places" in o for o in outcomes)
    with unit_of_work(ctx, readonly=True) as s:
        assert pipeline.places_taken(s, w.id) == 1
