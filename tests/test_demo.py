"""The demo data set: realistic, complete enough to show every section, reproducible."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from db import models as m
from db.enums import MeetingType, Stage, TermStatus
from lived_experience.core.errors import UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.demo.generator import fingerprint, generate
from lived_experience.listing.query import list_all


def test_demo_meets_the_minimums_on_both_engines(ctx):
    generate(ctx, seed=3)
    with unit_of_work(ctx, readonly=True) as s:
        count = lambda model: s.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(m.RecruitmentWindow) >= 2
        assert count(m.Application) >= 60
        stages = {r for (r,) in s.execute(select(m.Application.stage).distinct())}
        assert stages == {st.value for st in Stage}, "applicants in every stage"
        assert count(m.Meeting) == 12
        types = {r for (r,) in s.execute(select(m.Meeting.meeting_type).distinct())}
        assert types >= {t.value for t in MeetingType} - {"meeting"} and len(types) >= 5
        assert count(m.AgendaItem) >= 12 * 3
        assert s.scalar(select(func.count()).where(m.Invitation.attendance.is_not(None))) > 50
        assert count(m.CommissionedService) >= 6
        assert count(m.CommissioningCycle) >= 6
        assert count(m.FeedbackItem) >= 80
        assert count(m.DbsCheck) >= 10
    members = list_all(ctx, "members").rows
    active = [r for r in members if r["status"] in (TermStatus.ACTIVE, TermStatus.ENDING_SOON)]
    assert len(active) == 10
    assert all(r["dbs_status"] for r in active)


def test_demo_is_reproducible_for_a_seed(tmp_path, sqlite_template):
    import shutil

    from tests.conftest import make_ctx

    prints = []
    for i in range(2):
        path = tmp_path / f"d{i}.sqlite3"
        shutil.copy(sqlite_template, path)
        c = make_ctx(f"sqlite:///{path}")
        generate(c, seed=11)
        prints.append(fingerprint(c))
        c.db.dispose()
    assert prints[0] == prints[1]


def test_demo_refuses_a_non_empty_database_and_changes_nothing(demo_ctx):
    before = fingerprint(demo_ctx)
    with pytest.raises(UserError, match="already has records"):
        generate(demo_ctx, seed=2)
    assert fingerprint(demo_ctx) == before


def test_demo_names_include_non_ascii_and_fictional_contact_details(demo_ctx):
    with unit_of_work(demo_ctx, readonly=True) as s:
        people = s.execute(select(m.Person.first_name, m.Person.email, m.Person.phone)).all()
    assert any(not p.first_name.isascii() for p in people)
    assert all(p.email.endswith("@example.org") for p in people)
    assert all(p.phone.startswith("+447700900") for p in people)


def test_scale_multiplies_applicants_and_feedback_but_never_breaks_the_member_cap(sqlite_ctx):
    generate(sqlite_ctx, seed=1, scale=3)
    with unit_of_work(sqlite_ctx, readonly=True) as s:
        apps = s.scalar(select(func.count(m.Application.id)))
        fb = s.scalar(select(func.count(m.FeedbackItem.id)))
    assert 150 < apps < 220 and fb == 240
    statuses = Counter(r["status"] for r in list_all(sqlite_ctx, "members").rows)
    assert statuses[TermStatus.ACTIVE] + statuses[TermStatus.ENDING_SOON] == 10


def test_demo_with_a_password_creates_the_four_accounts(sqlite_ctx):
    generate(sqlite_ctx, seed=1, password="correct horse battery")
    with unit_of_work(sqlite_ctx, readonly=True) as s:
        names = {u for (u,) in s.execute(select(m.StaffUser.username))}
    assert names == {"admin", "coordinator", "dbs-officer", "viewer"}


def test_you_said_we_did_answers_what_was_said(demo_ctx):
    """A reported-back response in the demo is the one written for that feedback, not a random one."""
    from lived_experience.demo import words

    with unit_of_work(demo_ctx, readonly=True) as s:
        rows = s.execute(select(m.FeedbackItem.summary, m.FeedbackItem.response, m.FeedbackItem.status)
                         .where(m.FeedbackItem.status.in_(["response_agreed", "actioned", "reported_back"]))).all()
    assert rows
    for summary, response, _status in rows:
        assert response == words.RESPONSE_FOR[summary], summary
