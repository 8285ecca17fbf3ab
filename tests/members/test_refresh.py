"""Refreshing the group: the next window, pre-filled from the last one, and invitations to re-apply."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from db.models import Application, MembershipTerm, RecruitmentWindow, WindowChannel
from lived_experience.core.errors import PermissionDenied, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.dashboard.service import due_items
from lived_experience.members import service
from tests.conftest import as_role
from tests.members.conftest import make_applicant, make_window


@pytest.fixture
def cohort(ctx):
    """Ten members whose terms run 31/08/2025 to 27/02/2027, recruited in a window with an 'other' channel."""
    wid = make_window(ctx, name="Lived Experience Group recruitment 2025", opens_on=dt.date(2025, 3, 1),
                      closes_on=dt.date(2025, 4, 15))
    with unit_of_work(ctx) as s:
        w = s.get(RecruitmentWindow, wid)
        w.channels.append(WindowChannel(channel="other", other_text="Community radio"))
        w.places = 8
    # Applied while the window was open: the test must not depend on today's date.
    with time_machine.travel(dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC), tick=False):
        people = [make_applicant(ctx, wid)[0] for _ in range(10)]
    with time_machine.travel(dt.datetime(2025, 8, 1, 12, tzinfo=dt.UTC), tick=False):
        terms = [service.start_term(ctx, pid, dt.date(2025, 8, 31)).term for pid in people]
    return wid, people, terms


def test_refresh_is_due_as_the_cohort_nears_its_end_in_the_dashboards_words(ctx, cohort):
    wid, _people, _terms = cohort
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        assert service.refresh_proposal(ctx).due is False
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False):
        p = service.refresh_proposal(ctx)
        assert p.due
        assert p.message == ("Refresh due: 10 terms end by 27/02/2027 and no recruitment window is recruiting the "
                             "next cohort")
        dash = [i.text for i in due_items(ctx) if i.text.startswith("Refresh due")]
        assert dash == [p.message]  # the dashboard says the same thing


def test_start_refresh_creates_the_next_window_from_the_last_and_invites_members(ctx, cohort):
    wid, people, terms = cohort
    coordinator = as_role(ctx, "coordinator")
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False):
        p = service.refresh_proposal(coordinator)
        assert p.previous_window_id == wid and p.places == 8
        assert p.term_starts_on == dt.date(2027, 2, 28)
        assert p.opens_on == dt.date(2026, 12, 1)  # four months before is past: today
        assert p.closes_on == p.opens_on + dt.timedelta(days=45)  # as long as the last window
        assert p.closes_on < p.term_starts_on
        assert p.name == "Lived Experience Group refresh 2026"
        assert ("other", "Community radio") in p.channels and len(p.channels) == 5
        assert sorted(m.term_id for m in p.members) == sorted(t.id for t in terms)
        result = service.start_refresh(
            coordinator, name=p.name, opens_on=p.opens_on, closes_on=p.closes_on, term_starts_on=p.term_starts_on,
            places=p.places, channels=p.channels, selection_interview=p.selection_interview,
            selection_video=p.selection_video, advert_text=p.advert_text,
            invite_term_ids=[m.term_id for m in p.members[:7]])
        assert result.invited == 7
        again = service.refresh_proposal(ctx)
        assert again.due is False and again.upcoming_window == p.name
        assert not [i for i in due_items(ctx) if i.text.startswith("Refresh due")]
    with unit_of_work(ctx, readonly=True) as s:
        w = s.get(RecruitmentWindow, result.window_id)
        assert w.previous_window_id == wid and w.places == 8 and w.advert_text == "Join the group"
        assert sorted((c.channel, c.other_text) for c in w.channels) == sorted(p.channels)
        invited = s.scalars(select(MembershipTerm).where(MembershipTerm.refresh_window_id == w.id)).all()
        assert len(invited) == 7 and all(t.invited_to_reapply_at is not None for t in invited)
        # Term dates are untouched.
        assert {t.ends_on for t in invited} == {dt.date(2027, 2, 27)}


def test_a_re_applicant_is_linked_to_their_history(ctx, cohort):
    _wid, people, terms = cohort
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False):
        p = service.refresh_proposal(ctx)
        res = service.start_refresh(ctx, name=p.name, opens_on=p.opens_on, closes_on=p.closes_on,
                                    term_starts_on=p.term_starts_on, places=p.places, channels=p.channels,
                                    invite_term_ids=[terms[0].id])
        with unit_of_work(ctx) as s:
            a = Application(person_id=people[0], window_id=res.window_id, stage="dbs_cleared",
                            received_at=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
            s.add(a)
            s.flush()
            assert service.mark_reapplicant(s, a) is True
        overview = service.member_overview(ctx, people[0])
        assert [a.window_name for a in overview.applications] == [p.name, "Lived Experience Group recruitment 2025"]
        assert overview.applications[0].invited_to_reapply
        assert overview.terms[0].refresh_window_name == p.name
    with time_machine.travel(dt.datetime(2027, 2, 1, 12, tzinfo=dt.UTC), tick=False):
        second = service.start_term(ctx, people[0], dt.date(2027, 2, 28)).term
    assert [t.id for t in service.terms_for(ctx, people[0])] == [second.id, terms[0].id]


@pytest.mark.parametrize("change,message", [
    ({"channels": [("opcc_website", None)]}, "Add: People Zones website, Social media, Neighbourhood Link"),
    ({"opens_on": dt.date(2026, 11, 1)}, "cannot open in the past"),
    ({"term_starts_on": dt.date(2026, 12, 20)}, "must start after the window closes"),
    ({"places": 11}, "between 1 and 10"),
    ({"selection_interview": False, "selection_video": False}, "interview, video or both"),
    ({"name": "Lived Experience Group recruitment 2025"}, "already a recruitment window called"),
])
def test_start_refresh_refuses_a_window_that_breaks_the_rules(ctx, cohort, change, message):
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False):
        p = service.refresh_proposal(ctx)
        args = dict(name=p.name, opens_on=p.opens_on, closes_on=p.closes_on, term_starts_on=p.term_starts_on,
                    places=p.places, channels=p.channels, selection_interview=True, selection_video=True)
        args.update(change)
        with pytest.raises(ValidationError, match=message):
            service.start_refresh(ctx, **args)
    with unit_of_work(ctx, readonly=True) as s:
        assert len(s.scalars(select(RecruitmentWindow)).all()) == 1


def test_a_viewer_cannot_start_a_refresh(ctx, cohort):
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False):
        p = service.refresh_proposal(ctx)
        with pytest.raises(PermissionDenied):
            service.start_refresh(as_role(ctx, "viewer"), name=p.name, opens_on=p.opens_on, closes_on=p.closes_on,
                                  term_starts_on=p.term_starts_on, places=p.places, channels=p.channels)


def test_members_in_a_quiet_period_are_marked_invited_but_not_to_be_contacted_yet(ctx, cohort):
    from db.models import QuietPeriod

    _wid, people, _terms = cohort
    with unit_of_work(ctx) as s:
        s.add(QuietPeriod(person_id=people[0], starts_on=dt.date(2026, 11, 20), ends_on=dt.date(2026, 12, 18)))
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False):
        p = service.refresh_proposal(ctx)
        quiet = {m.person_id: m.quiet_until for m in p.members}
        assert quiet[people[0]] == dt.date(2026, 12, 18) and quiet[people[1]] is None
        result = service.start_refresh(
            ctx, name=p.name, opens_on=p.opens_on, closes_on=p.closes_on, term_starts_on=p.term_starts_on,
            places=p.places, channels=p.channels, invite_term_ids=[m.term_id for m in p.members])
    assert result.invited == 10 and [h.person_id for h in result.do_not_contact] == [people[0]]
    assert result.quiet_message.startswith("Do not send the invitation to re-apply yet to: ")
    assert "(quiet period until 18/12/2026)" in result.quiet_message
