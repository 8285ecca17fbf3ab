"""Adding and editing applicants: one person one record, one application per window."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from db.enums import Residence, Stage
from db.models import AuditEvent, Person
from lived_experience.core import clock
from lived_experience.core.errors import ConflictError, PermissionDenied, UserError, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.recruitment.applicants import (
    add_applicant,
    edit_applicant,
    find_existing,
    get_applicant,
)
from tests.conftest import as_role
from tests.recruitment.conftest import add, application, make_window, person


def _people(ctx) -> int:
    with unit_of_work(ctx, readonly=True) as s:
        return s.scalar(select(func.count(Person.id)))


def test_add_an_applicant_by_hand(ctx):
    w = make_window(ctx)
    res = add_applicant(ctx, person("Zoë", "Smith", email=" Zoe.Smith@Example.org ", phone="07700 900123"),
                        application(w.id, areas=[("domestic_abuse", None), ("other", "Online scam")]))
    assert not res.linked_to_existing and res.message == "The applicant was added."
    d = get_applicant(ctx, res.application_id)
    assert d.name == "Zoë Smith" and d.stage is Stage.RECEIVED and d.window_name == w.name
    assert d.person.email == "Zoe.Smith@example.org" and d.person.phone == "+447700900123"
    assert d.eligibility.residence is Residence.IN_LLR
    assert any("LE1" in r for r in d.eligibility.reasons)
    assert [(a.value, t) for a, t in d.application.experience] == [("domestic_abuse", None), ("other", "Online scam")]
    assert d.history[0].to_stage is Stage.RECEIVED and d.history[0].reason == "Added by hand"


@pytest.mark.parametrize("same", ["email", "phone", "name_dob"])
def test_a_person_who_applied_before_is_recognised_and_linked(ctx, same):
    old = make_window(ctx, name="Old window", opens=clock.today() - dt.timedelta(days=400),
                      closes=clock.today() - dt.timedelta(days=370), term=clock.today() - dt.timedelta(days=300))
    new = make_window(ctx, name="New window")
    dob = dt.date(1980, 5, 17)
    first = add_applicant(ctx, person("Amira", "Khan", email="amira@example.org", phone="07700900111", dob=dob),
                          application(old.id))
    again = {
        "email": person("A.", "Khan-Jones", email="AMIRA@example.org"),
        "phone": person("Amy", "K", phone="+44 7700 900111"),
        "name_dob": person("AMIRA", "khan", dob=dob),
    }[same]
    matches = find_existing(ctx, again)
    assert [m.person_id for m in matches] == [first.person_id]
    assert "Old window" in matches[0].describe
    res = add_applicant(ctx, again, application(new.id))
    assert res.linked_to_existing and res.person_id == first.person_id
    assert "applied before" in res.message
    assert _people(ctx) == 1
    d = get_applicant(ctx, res.application_id, audit_view=False)
    assert [(w, st) for _i, w, st in d.other_applications] == [("Old window", Stage.RECEIVED)]
    # The record keeps what the office held; the form's different name is pointed out.
    assert d.person.first_name == "Amira"
    if same == "email":
        assert "First name" in res.differences


def test_one_application_per_person_per_window(ctx):
    w = make_window(ctx)
    add_applicant(ctx, person(email="amira@example.org"), application(w.id))
    with pytest.raises(UserError) as exc:
        add_applicant(ctx, person(email="amira@example.org"), application(w.id))
    assert "already applied" in exc.value.message and "one application per person per window" in exc.value.message
    assert _people(ctx) == 1


def test_several_matches_are_refused_until_the_user_chooses(ctx):
    w1 = make_window(ctx, name="One")
    a = add_applicant(ctx, person("Ann", "One", email="ann@example.org"), application(w1.id))
    b = add_applicant(ctx, person("Bea", "Two", phone="07700900222"), application(w1.id))
    w2 = make_window(ctx, name="Two")
    both = person("Ann", "One", email="ann@example.org", phone="07700900222")
    with pytest.raises(UserError, match="matches 2 people"):
        add_applicant(ctx, both, application(w2.id))
    res = add_applicant(ctx, both, application(w2.id), person_id=b.person_id)
    assert res.person_id == b.person_id and res.person_id != a.person_id
    res2 = add_applicant(ctx, person("Cat", "New", email="ann@example.org"), application(make_window(
        ctx, name="Three").id), as_new_person=True)
    assert not res2.linked_to_existing


def test_bad_details_are_refused_with_every_problem_named(ctx):
    w = make_window(ctx)
    with pytest.raises(ValidationError) as exc:
        add_applicant(ctx, person("", "Khan", email="not-an-email", phone="12", postcode="XYZ"),
                      application(w.id))
    msg = exc.value.message
    assert "first name" in msg and "email" in msg and "phone" in msg.lower() and "postcode" in msg
    assert _people(ctx) == 0


def test_a_postcode_outside_the_list_needs_confirmation_never_rejection(ctx):
    w = make_window(ctx)
    res = add(ctx, w.id, postcode="NG13 8AA", work="sw1a 1aa")
    d = get_applicant(ctx, res.application_id, audit_view=False)
    assert d.eligibility.residence is Residence.NEEDS_CONFIRMATION
    assert d.stage is Stage.RECEIVED
    assert any("SW1A" in r for r in d.eligibility.reasons)


def test_edit_applicant_updates_and_checks_versions(ctx):
    w = make_window(ctx)
    res = add(ctx, w.id, email="amira@example.org", postcode=None)
    d = get_applicant(ctx, res.application_id, audit_view=False)
    assert d.eligibility.residence is Residence.NOT_GIVEN
    details = d.person
    details.postcode = "le11 3tu"
    details.phone = "0116 496 0000"
    app = d.application
    app.how_heard = "social_media"
    edited = edit_applicant(ctx, res.application_id, details, app, expected_person_version=d.person_version,
                            expected_application_version=d.application_version)
    assert edited.person.postcode == "LE11 3TU" and edited.eligibility.residence is Residence.IN_LLR
    assert edited.application.how_heard.value == "social_media"
    with pytest.raises(ConflictError):
        edit_applicant(ctx, res.application_id, details, app, expected_person_version=d.person_version,
                       expected_application_version=d.application_version)


def test_contact_details_only_for_roles_that_may_see_them_and_views_are_audited(ctx):
    w = make_window(ctx)
    res = add(ctx, w.id, email="amira@example.org")
    coordinator = as_role(ctx, "coordinator")
    d = get_applicant(coordinator, res.application_id)
    assert d.contact_shown and d.person.email == "amira@example.org"
    get_applicant(coordinator, res.application_id)  # within a minute: one audit event only
    with unit_of_work(ctx, readonly=True) as s:
        views = s.scalars(select(AuditEvent).where(AuditEvent.action == "view",
                                                   AuditEvent.entity == "application")).all()
        assert len(views) == 1 and "email" in views[0].fields and "amira" not in str(views[0].detail)
    viewer = as_role(ctx, "viewer")
    with pytest.raises(PermissionDenied):
        add(viewer, w.id, first="No", last="Way")


def test_a_late_application_to_a_closed_window_is_marked_but_selection_complete_refuses(ctx):
    from lived_experience.recruitment.windows import close_early, mark_selection_complete

    w = make_window(ctx)
    close_early(ctx, w.id)
    res = add(ctx, w.id)
    assert "late application" in get_applicant(ctx, res.application_id, audit_view=False).history[0].reason
    from lived_experience.recruitment import pipeline

    pipeline.move_stage(ctx, res.application_id, Stage.WITHDRAWN, reason="Duplicate paper form")
    mark_selection_complete(ctx, w.id)
    with pytest.raises(UserError, match="Selection for"):
        add(ctx, w.id, first="Too", last="Late")


def test_applicants_list_keeps_its_keys_and_filters_by_window_and_decision(ctx):
    from lived_experience.listing.query import list_all
    from lived_experience.listing.render import json_row
    from lived_experience.recruitment.eligibility import record_decision

    w1, w2 = make_window(ctx, name="W1"), make_window(ctx, name="W2")
    a = add(ctx, w1.id, email="one@example.org")
    add(ctx, w2.id, first="Other", last="Person")
    record_decision(ctx, a.application_id, "eligible", None)
    page = list_all(ctx, "applicants", filters={"window": w1.id})
    assert [r["id"] for r in page.rows] == [a.application_id]
    row = json_row(page.rows[0], page.columns)
    assert {"id", "name", "person_id", "window", "window_id", "stage", "received_at", "area", "residence", "basis",
            "how_heard", "score", "stage_changed_at", "eligibility"} <= set(row)
    assert row["stage"] == "eligibility_checked" and row["eligibility"] == "eligible"
    assert len(list_all(ctx, "applicants", filters={"eligibility": "eligible"}).rows) == 1
