"""Equality monitoring: optional, "prefer not to say" everywhere, permissioned and audited."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import resources
from db.models import AuditEvent, EqualityMonitoring
from lived_experience.core.errors import PermissionDenied, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.recruitment import equality as E
from lived_experience.recruitment.applicants import add_applicant
from tests.conftest import as_role
from tests.recruitment.conftest import add, application, make_window, person


def test_every_question_offers_prefer_not_to_say_and_has_labels():
    assert [q.key for q in E.QUESTIONS] == ["age_band", "sex", "gender_same_as_birth", "ethnic_group",
                                           "disability", "sexual_orientation", "religion"]
    for q in E.QUESTIONS:
        assert E.PREFER_NOT_TO_SAY in q.values(), q.key
        assert all(o.label for o in q.options)
        assert q.label_of(None) == "Not stated"
    assert E.AGE_BAND.values()[:-1] == ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]


def test_census_categories_exist_in_the_reference_file():
    with open(resources.path("reference", "llr_census_2021.csv"), encoding="utf-8") as fh:
        known = {(r["topic"], r["category"]) for r in csv.DictReader(fh)}
    for q in E.QUESTIONS:
        for o in q.options:
            if o.census:
                assert (q.census_topic, o.census) in known, (q.key, o.value)
    assert {o.census for o in E.ETHNIC_GROUP.options if o.census} == {"Asian", "Black", "Mixed", "White", "Other"}


@pytest.mark.parametrize("key,typed,value", [
    ("age_band", "29", "25-34"), ("age_band", 80, "75+"), ("age_band", "25 to 34", "25-34"),
    ("age_band", "75+", "75+"), ("sex", "F", "female"), ("sex", "Prefer not to say", "prefer_not_to_say"),
    ("ethnic_group", "White British", "white"), ("ethnic_group", "Asian or Asian British: Indian", "asian"),
    ("disability", "No", "no"), ("religion", "Church of England", "christian"),
    ("sexual_orientation", "Straight or heterosexual", "heterosexual"), ("religion", "", None),
    ("gender_same_as_birth", "n/a", None),
])
def test_parse_answer_reads_what_people_type(key, typed, value):
    assert E.parse_answer(key, typed) == value


def test_parse_answer_refuses_what_it_cannot_place():
    with pytest.raises(ValueError, match="not one of the answers"):
        E.parse_answer("sex", "banana")
    with pytest.raises(ValueError, match="under 16"):
        E.parse_answer("age_band", "12")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([q.key for q in E.QUESTIONS]), st.text(max_size=25))
def test_parse_answer_gives_a_known_value_none_or_a_plain_error(key, text):
    try:
        out = E.parse_answer(key, text)
    except ValueError as exc:
        assert str(exc)
        return
    assert out is None or out in E.BY_KEY[key].values()


def test_answers_are_saved_in_their_own_table_and_read_back(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id)
    empty = E.get_answers(ctx, a.application_id)
    assert not empty.recorded and empty.label("sex") == "Not stated"
    saved = E.save_answers(ctx, a.application_id, {"sex": "female", "age_band": "prefer_not_to_say",
                                                   "ethnic_group": "mixed"}, ethnic_group_detail="White and Asian")
    assert saved.recorded and saved.answers["religion"] is None
    got = E.get_answers(ctx, a.application_id)
    assert got.answers["sex"] == "female" and got.label("age_band") == "Prefer not to say"
    assert got.ethnic_group_detail == "White and Asian"
    with unit_of_work(ctx, readonly=True) as s:
        row = s.scalar(select(EqualityMonitoring))
        assert row.window_id == w.id and row.area == "city" and row.how_heard == "opcc_website"
    with pytest.raises(ValidationError, match="not one of the answers"):
        E.save_answers(ctx, a.application_id, {"sex": "banana"})
    assert E.delete_answers(ctx, a.application_id, expected_version=got.version)
    assert not E.get_answers(ctx, a.application_id).recorded


def test_viewers_never_see_or_write_answers_and_reads_are_audited(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id)
    E.save_answers(ctx, a.application_id, {"disability": "yes"})
    viewer = as_role(ctx, "viewer")
    with pytest.raises(PermissionDenied):
        E.get_answers(viewer, a.application_id)
    with pytest.raises(PermissionDenied):
        E.save_answers(viewer, a.application_id, {"disability": "no"})
    with pytest.raises(PermissionDenied):
        add_applicant(viewer, person("V", "W"), application(w.id), equality_answers={"sex": "male"})
    coordinator = as_role(ctx, "coordinator")
    assert E.get_answers(coordinator, a.application_id).answers["disability"] == "yes"
    with unit_of_work(ctx, readonly=True) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "equality_monitoring")).all()
        actions = [(e.action, e.outcome, e.actor_name) for e in events]
        assert ("view", "ok", "test-coordinator") in actions
        assert ("denied", "denied", "test-viewer") in actions
        assert all("yes" not in (e.detail or "") for e in events)


def test_answers_given_with_a_new_applicant_are_in_the_same_unit_of_work(ctx):
    w = make_window(ctx)
    res = add_applicant(ctx, person("Eq", "Test"), application(w.id),
                        equality_answers={"religion": "sikh", "sex": None})
    assert E.get_answers(ctx, res.application_id).answers["religion"] == "sikh"
    # A bad answer refuses the whole applicant: nothing half-saved.
    with pytest.raises(ValidationError):
        add_applicant(ctx, person("Bad", "Answer"), application(w.id), equality_answers={"religion": "jedi"})
    from lived_experience.listing.query import list_all

    assert [r["name"] for r in list_all(ctx, "applicants").rows] == ["Eq Test"]


def test_becoming_a_member_is_counted(ctx):
    from db.enums import Stage
    from tests.recruitment.conftest import advance

    w = make_window(ctx)
    a = add(ctx, w.id)
    E.save_answers(ctx, a.application_id, {"sex": "male"})
    advance(ctx, a.application_id, Stage.MEMBER)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(EqualityMonitoring.was_member)) is True
