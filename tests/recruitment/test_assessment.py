"""The rubric and assessments: 1-5 per criterion, per assessor, per method; video by reference only."""

from __future__ import annotations

import pytest

from db.enums import Stage
from lived_experience.core import clock
from lived_experience.core.errors import PermissionDenied, UserError, ValidationError
from lived_experience.recruitment import assessment as A
from lived_experience.recruitment.applicants import get_applicant
from tests.conftest import as_role
from tests.recruitment.conftest import add, advance, make_window


def _shortlisted(ctx, **window):
    w = make_window(ctx, **window)
    a = add(ctx, w.id)
    advance(ctx, a.application_id, Stage.SHORTLISTED)
    return a.application_id


def test_the_rubric_is_configurable(ctx):
    start = A.list_criteria(ctx)
    assert len(start) >= 3  # shipped with the reference data
    c = A.add_criterion(ctx, "Works well in a group", "Listens and contributes", applies_to_video=False)
    assert c.position > start[-1].position
    assert c.id not in [x.id for x in A.list_criteria(ctx, method="video")]
    with pytest.raises(ValidationError, match="already a criterion"):
        A.add_criterion(ctx, "works WELL in a group")
    with pytest.raises(ValidationError, match="interviews, videos, or both"):
        A.add_criterion(ctx, "Nothing", applies_to_interview=False, applies_to_video=False)
    c2 = A.edit_criterion(ctx, c.id, "Works well with others", None, applies_to_interview=True,
                          applies_to_video=True, expected_version=c.version)
    assert c2.name == "Works well with others" and c2.version > c.version
    # Move it to the top, then turn it off.
    order = A.move_criterion(ctx, c.id, -100)
    assert order[0].id == c.id
    off = A.set_criterion_active(ctx, c.id, False, expected_version=order[0].version)
    assert not off.is_active and c.id not in [x.id for x in A.list_criteria(ctx)]
    assert c.id in [x.id for x in A.list_criteria(ctx, include_inactive=True)]


def test_the_last_criterion_in_use_cannot_be_turned_off(ctx):
    crits = A.list_criteria(ctx)
    for c in crits[:-1]:
        A.set_criterion_active(ctx, c.id, False)
    with pytest.raises(UserError, match="only criterion"):
        A.set_criterion_active(ctx, crits[-1].id, False)


def test_scores_one_to_five_for_every_criterion_and_the_mean(ctx):
    app_id = _shortlisted(ctx)
    crits = A.list_criteria(ctx, method="interview")
    with pytest.raises(ValidationError, match="from 1 to 5"):
        A.record_assessment(ctx, app_id, A.AssessmentForm("interview", clock.today(), {c.id: 6 for c in crits}))
    with pytest.raises(ValidationError, match="Score every criterion"):
        A.record_assessment(ctx, app_id, A.AssessmentForm("interview", clock.today(), {crits[0].id: 3}))
    first = A.record_assessment(ctx, app_id, A.AssessmentForm("interview", clock.today(), {c.id: 4 for c in crits},
                                                             panel_notes="Clear and kind"))
    coordinator = as_role(ctx, "coordinator")
    A.record_assessment(coordinator, app_id, A.AssessmentForm("interview", clock.today(), {c.id: 2 for c in crits}))
    d = get_applicant(ctx, app_id, audit_view=False)
    assert len(d.assessments) == 2 and d.score == 3.0
    assert {a.assessor_name for a in d.assessments} == {first.assessor_name, "Test Coordinator"}
    # The same assessor again replaces their scores instead of adding a third assessment.
    A.record_assessment(coordinator, app_id, A.AssessmentForm("interview", clock.today(), {c.id: 5 for c in crits}))
    d = get_applicant(ctx, app_id, audit_view=False)
    assert len(d.assessments) == 2 and d.score == 4.5


def test_video_assessment_stores_where_the_video_is_never_the_video(ctx):
    app_id = _shortlisted(ctx)
    crits = A.list_criteria(ctx, method="video")
    scores = {c.id: 3 for c in crits}
    with pytest.raises(ValidationError, match="where the video is held"):
        A.record_assessment(ctx, app_id, A.AssessmentForm("video", clock.today(), scores))
    with pytest.raises(ValidationError, match="not the video itself"):
        A.record_assessment(ctx, app_id, A.AssessmentForm("video", clock.today(), scores,
                                                         video_reference="data:video/mp4;base64,AAAA"))
    info = A.record_assessment(ctx, app_id, A.AssessmentForm(
        "video", clock.today(), scores, video_reference="https://files.example.org/videos/abc"))
    assert info.video_reference == "https://files.example.org/videos/abc"
    assert get_applicant(ctx, app_id, audit_view=False).application.video_reference == info.video_reference


def test_method_must_be_one_the_window_uses(ctx):
    app_id = _shortlisted(ctx, video=False)
    crits = A.list_criteria(ctx, method="video")
    with pytest.raises(UserError, match="interview only"):
        A.record_assessment(ctx, app_id, A.AssessmentForm("video", clock.today(), {c.id: 3 for c in crits},
                                                         video_reference="ref"))


def test_assessment_needs_a_shortlisted_applicant(ctx):
    w = make_window(ctx)
    a = add(ctx, w.id)
    crits = A.list_criteria(ctx, method="interview")
    with pytest.raises(UserError, match="shortlist them"):
        A.record_assessment(ctx, a.application_id, A.AssessmentForm("interview", None, {c.id: 3 for c in crits}))


def test_decision_reason_codes(ctx):
    app_id = _shortlisted(ctx)
    with pytest.raises(ValidationError, match="not a decision reason"):
        A.set_decision(ctx, app_id, "coin_toss", None)
    with pytest.raises(ValidationError, match="other reason"):
        A.set_decision(ctx, app_id, "other", "")
    A.set_decision(ctx, app_id, "strong_lived_experience", "Panel agreed")
    d = get_applicant(ctx, app_id, audit_view=False)
    assert d.decision_reason == "strong_lived_experience" and d.decision_notes == "Panel agreed"
    with pytest.raises(PermissionDenied):
        A.set_decision(as_role(ctx, "viewer"), app_id, "balance_of_group", None)
