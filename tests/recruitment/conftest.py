"""Helpers for the recruitment tests: a window and applicants made through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from lived_experience.core import clock


def make_window(ctx, *, name="Spring recruitment", places=3, opens=None, closes=None, term=None,
                interview=True, video=True):
    from lived_experience.recruitment.windows import WindowForm, create_window

    today = clock.today()
    opens = opens or today - dt.timedelta(days=10)
    closes = closes or today + dt.timedelta(days=20)
    term = term if term is not None else closes + dt.timedelta(days=60)
    return create_window(ctx, WindowForm(name, opens, closes, places, interview, video, term_starts_on=term))


def person(first="Amira", last="Khan", *, email=None, phone=None, dob=None, postcode="LE1 6ZZ", work=None):
    from lived_experience.people.service import PersonDetails

    return PersonDetails(first_name=first, last_name=last, email=email, phone=phone, date_of_birth=dob,
                         postcode=postcode, work_postcode=work)


def application(window_id, *, basis="victim", areas=(("domestic_abuse", None),), how="opcc_website",
                method="interview"):
    from lived_experience.recruitment.applicants import ApplicationDetails

    return ApplicationDetails(window_id=window_id, basis=basis, experience=list(areas), how_heard=how,
                              selection_method=method, statement="I want to help others.")


def add(ctx, window_id, first="Amira", last="Khan", **kw):
    from lived_experience.recruitment.applicants import add_applicant

    app_kw = {k: kw.pop(k) for k in ("basis", "areas", "how", "method") if k in kw}
    return add_applicant(ctx, person(first, last, **kw), application(window_id, **app_kw), as_new_person=True)


def advance(ctx, application_id, to_stage, *, term_start=None):
    """Walk an application along the happy path to ``to_stage`` (eligible, shortlisted, assessed...)."""
    from db.enums import Stage
    from lived_experience.recruitment import assessment, eligibility, pipeline
    from lived_experience.recruitment.applicants import get_applicant

    path = [Stage.ELIGIBILITY_CHECKED, Stage.SHORTLISTED, Stage.ASSESSED, Stage.OFFERED, Stage.ACCEPTED,
            Stage.DBS_CLEARED, Stage.MEMBER]
    target = Stage(to_stage)
    if target is Stage.RESERVE:
        path = path[:3] + [Stage.RESERVE]
    for st in path:
        d = get_applicant(ctx, application_id, audit_view=False)
        if d.stage is target:
            return d
        order = list(Stage)
        if d.stage not in (Stage.RECEIVED,) and order.index(d.stage) >= order.index(st) and st is not Stage.RESERVE:
            continue
        if st is Stage.ELIGIBILITY_CHECKED:
            eligibility.record_decision(ctx, application_id, "eligible", None)
        elif st is Stage.ASSESSED:
            if d.assessments:
                pipeline.move_stage(ctx, application_id, st)
                continue
            crits = assessment.list_criteria(ctx, method="interview")
            assessment.record_assessment(ctx, application_id, assessment.AssessmentForm(
                "interview", clock.today(), {c.id: 4 for c in crits}))
            pipeline.move_stage(ctx, application_id, st)
        elif st is Stage.MEMBER:
            pipeline.move_stage(ctx, application_id, st, term_starts_on=term_start)
        elif st is Stage.DBS_CLEARED:
            clear_dbs(ctx, d.person_id)
            pipeline.move_stage(ctx, application_id, st)
        else:
            pipeline.move_stage(ctx, application_id, st)
        if st is target:
            break
    return get_applicant(ctx, application_id, audit_view=False)


def clear_dbs(ctx, person_id):
    from db.models import DbsCheck
    from lived_experience.core.uow import unit_of_work

    today = clock.today()
    with unit_of_work(ctx) as s:
        s.add(DbsCheck(person_id=person_id, requested_on=today - dt.timedelta(days=20), certificate_number="001234567890",
                       issue_date=today - dt.timedelta(days=5), level="enhanced", decision="clear",
                       decision_on=today - dt.timedelta(days=2)))


@pytest.fixture
def coordinator(ctx):
    from tests.conftest import as_role

    return as_role(ctx, "coordinator")
