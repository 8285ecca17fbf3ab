"""Recruitment windows: the rules a member of staff meets when creating and running one."""

from __future__ import annotations

import datetime as dt

import pytest

from db.enums import Channel, Stage, WindowStatus
from lived_experience.core import clock
from lived_experience.core.errors import ConflictError, PermissionDenied, UserError, ValidationError
from lived_experience.recruitment import windows as W
from tests.conftest import as_role
from tests.recruitment.conftest import add, advance, make_window


def _form(**kw):
    today = clock.today()
    base = dict(name="Autumn window", opens_on=today, closes_on=today + dt.timedelta(days=30), places=10,
                term_starts_on=today + dt.timedelta(days=90))
    base.update(kw)
    return W.WindowForm(**base)


def test_create_window_with_channels_and_derived_status(ctx):
    w = W.create_window(ctx, _form(channels=[W.ChannelEntry(Channel.OPCC_WEBSITE),
                                             W.ChannelEntry(Channel.OTHER, "  Community   radio ")]))
    assert w.status is WindowStatus.OPEN
    assert [c.label for c in w.channels] == ["OPCC website", "Other: Community radio"]
    assert w.places == 10 and w.places_left == 10 and w.reserve == []
    upcoming = W.create_window(ctx, _form(name="Later", opens_on=clock.today() + dt.timedelta(days=5),
                                          closes_on=clock.today() + dt.timedelta(days=40),
                                          term_starts_on=None))
    assert upcoming.status is WindowStatus.UPCOMING


@pytest.mark.parametrize("places", [0, 11, 25])
def test_places_outside_one_to_ten_are_refused_with_a_clear_message(ctx, places):
    with pytest.raises(ValidationError) as exc:
        W.create_window(ctx, _form(places=places))
    assert "from 1 to 10 places" in exc.value.message
    assert W.window_choices(ctx) == []


def test_window_rules_each_have_a_plain_message(ctx):
    today = clock.today()
    cases = [
        (dict(closes_on=today - dt.timedelta(days=1)), "must be after the opening date"),
        (dict(closes_on=today), "must be after the opening date"),
        (dict(selection_interview=False, selection_video=False), "at least one way of selecting"),
        (dict(channels=[W.ChannelEntry(Channel.OTHER, "  ")]), "other channel"),
        (dict(channels=[]), "at least one channel"),
        (dict(name="  "), "needs a name"),
        (dict(term_starts_on=today + dt.timedelta(days=3)), "term should start after the window closes"),
    ]
    for changes, words in cases:
        with pytest.raises(ValidationError) as exc:
            W.create_window(ctx, _form(**changes))
        assert words in exc.value.message, changes
    W.create_window(ctx, _form())
    with pytest.raises(ValidationError, match="already a window called"):
        W.create_window(ctx, _form(name="AUTUMN WINDOW"))


def test_edit_keeps_the_version_and_refuses_a_stale_form(ctx):
    w = W.create_window(ctx, _form())
    form = w.to_form()
    form.places = 6
    form.channels = [W.ChannelEntry(Channel.SOCIAL_MEDIA)]
    edited = W.update_window(ctx, w.id, form, expected_version=w.version)
    assert edited.places == 6 and [c.channel for c in edited.channels] == [Channel.SOCIAL_MEDIA]
    assert edited.version > w.version
    # A second form that loaded the first version is refused, and nothing changes.
    stale = w.to_form()
    stale.places = 2
    with pytest.raises(ConflictError, match="changed by"):
        W.update_window(ctx, w.id, stale, expected_version=w.version)
    assert W.get_window(ctx, w.id).places == 6


def test_a_change_to_channels_alone_moves_the_version_on(ctx):
    w = W.create_window(ctx, _form())
    form = w.to_form()
    form.channels = [*form.channels, W.ChannelEntry(Channel.PARTNER_ORGANISATION)]
    edited = W.update_window(ctx, w.id, form, expected_version=w.version)
    assert edited.version == w.version + 1


def test_close_early_and_mark_selection_complete(ctx):
    w = make_window(ctx, places=2)
    a = add(ctx, w.id)
    with pytest.raises(UserError, match="once the window has closed"):
        W.mark_selection_complete(ctx, w.id)
    closed = W.close_early(ctx, w.id, expected_version=w.version)
    assert closed.status is WindowStatus.CLOSED and closed.closed_early_on == clock.today()
    with pytest.raises(UserError, match="already closed"):
        W.close_early(ctx, w.id)
    with pytest.raises(UserError, match="still waiting for a decision"):
        W.mark_selection_complete(ctx, w.id)
    advance(ctx, a.application_id, Stage.OFFERED)
    done = W.mark_selection_complete(ctx, w.id)
    assert done.status is WindowStatus.SELECTION_COMPLETE
    with pytest.raises(UserError, match="already marked complete"):
        W.mark_selection_complete(ctx, w.id)


def test_an_upcoming_window_cannot_be_closed_early(ctx):
    w = make_window(ctx, opens=clock.today() + dt.timedelta(days=3), closes=clock.today() + dt.timedelta(days=30))
    with pytest.raises(UserError, match="has not opened yet"):
        W.close_early(ctx, w.id)


def test_detail_figures_and_reserve_ordered_by_score(ctx):
    from lived_experience.recruitment import assessment

    w = make_window(ctx, places=2)
    ids = {}
    for first, score in (("Beth", 3), ("Cara", 5), ("Dina", 4)):
        r = add(ctx, w.id, first=first, last="Reserve")
        advance(ctx, r.application_id, Stage.SHORTLISTED)
        crits = assessment.list_criteria(ctx, method="interview")
        assessment.record_assessment(ctx, r.application_id, assessment.AssessmentForm(
            "interview", clock.today(), {c.id: score for c in crits}))
        advance(ctx, r.application_id, Stage.RESERVE)
        ids[first] = r.application_id
    offered = add(ctx, w.id, first="Ola", last="Offered")
    advance(ctx, offered.application_id, Stage.OFFERED)
    d = W.get_window(ctx, w.id)
    assert d.applications == 4 and d.offered == 1 and d.places_taken == 1 and d.places_left == 1
    assert [e.name for e in d.reserve] == ["Cara Reserve", "Dina Reserve", "Beth Reserve"]
    assert [e.score for e in d.reserve] == [5.0, 4.0, 3.0]


def test_places_cannot_drop_below_offers_already_made(ctx):
    w = make_window(ctx, places=2)
    for first in ("Ann", "Bea"):
        advance(ctx, add(ctx, w.id, first=first).application_id, Stage.OFFERED)
    form = W.get_window(ctx, w.id).to_form()
    form.places = 1
    with pytest.raises(ValidationError, match="at least 2 places"):
        W.update_window(ctx, w.id, form, expected_version=None)


def test_a_viewer_cannot_create_windows_and_the_refusal_is_audited(ctx):
    from sqlalchemy import select

    from db.models import AuditEvent
    from lived_experience.core.uow import unit_of_work

    viewer = as_role(ctx, "viewer")
    with pytest.raises(PermissionDenied):
        W.create_window(viewer, _form())
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(AuditEvent.outcome).where(AuditEvent.action == "denied")) == "denied"


def test_windows_list_keeps_its_json_keys(ctx):
    from lived_experience.listing.query import list_all
    from lived_experience.listing.render import json_row

    w = make_window(ctx)
    page = list_all(ctx, "windows")
    row = json_row(page.rows[0], page.columns)
    assert {"id", "name", "status", "opens_on", "closes_on", "places", "applications", "offered", "reserve",
            "term_starts_on", "channels", "filled"} <= set(row)
    assert row["id"] == w.id and row["status"] == "open"
    assert row["channels"] == sorted(c.value for c in W.STANDARD_CHANNELS)
