"""Assessment: the rubric (criteria scored 1-5), each assessor's scores for an
interview or a submitted video, panel notes, and the decision reason code.

A video is never stored: only where it is held (a link or a file reference).
The applicant's score is the mean of every score given (``scores.scores_for``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from db.enums import DecisionReason, SelectionMethod, Stage
from db.models import Application, Assessment, AssessmentCriterion, AssessmentScore, StaffUser
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

MIN_SCORE, MAX_SCORE = 1, 5
# Stages at which an assessment can be recorded or corrected.
ASSESSABLE = (Stage.SHORTLISTED, Stage.ASSESSED, Stage.OFFERED, Stage.RESERVE, Stage.UNSUCCESSFUL,
              Stage.ACCEPTED, Stage.DBS_CLEARED, Stage.MEMBER)
_VIDEO_FILE = re.compile(r"^data:|base64,", re.I)


# -- the rubric ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Criterion:
    id: int
    version: int
    name: str
    description: str | None
    applies_to_interview: bool
    applies_to_video: bool
    position: int
    is_active: bool

    def applies_to(self, method: SelectionMethod | str) -> bool:
        return self.applies_to_interview if SelectionMethod(method) is SelectionMethod.INTERVIEW \
            else self.applies_to_video


def _criterion(c: AssessmentCriterion) -> Criterion:
    return Criterion(c.id, c.version, c.name, c.description, c.applies_to_interview, c.applies_to_video,
                     c.position, c.is_active)


def list_criteria(ctx: AppContext, *, include_inactive: bool = False,
                  method: SelectionMethod | str | None = None) -> list[Criterion]:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        q = select(AssessmentCriterion).order_by(AssessmentCriterion.position, AssessmentCriterion.id)
        if not include_inactive:
            q = q.where(AssessmentCriterion.is_active.is_(True))
        out = [_criterion(c) for c in s.scalars(q)]
    if method is not None:
        out = [c for c in out if c.applies_to(method)]
    return out


def _clean_criterion(s, name: str, description: str | None, interview: bool, video: bool,
                     criterion_id: int | None) -> tuple[str, str | None]:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("A criterion needs a name.", {"name": "needed"})
    if len(name) > 120:
        raise ValidationError("The criterion's name is longer than 120 characters.", {"name": "too long"})
    if not (interview or video):
        raise ValidationError("A criterion must apply to interviews, videos, or both.", {"applies": "none"})
    clash = s.scalar(select(AssessmentCriterion.id).where(func.lower(AssessmentCriterion.name) == name.lower()))
    if clash is not None and clash != criterion_id:
        raise ValidationError(f"There is already a criterion called '{name}'.", {"name": "duplicate"})
    return name, (description or "").strip() or None


def add_criterion(ctx: AppContext, name: str, description: str | None = None, *, applies_to_interview: bool = True,
                  applies_to_video: bool = True) -> Criterion:
    require(ctx, Perm.WRITE, entity="assessment_criterion")
    with unit_of_work(ctx) as s:
        name, description = _clean_criterion(s, name, description, applies_to_interview, applies_to_video, None)
        last = s.scalar(select(func.max(AssessmentCriterion.position))) or 0
        c = AssessmentCriterion(name=name, description=description, applies_to_interview=applies_to_interview,
                                applies_to_video=applies_to_video, position=last + 1, is_active=True)
        s.add(c)
        s.flush()
        audit.record(s, ctx.actor, "criterion.create", entity="assessment_criterion", entity_id=c.id,
                     fields=["name", "description", "applies_to_interview", "applies_to_video"])
        return _criterion(c)


def edit_criterion(ctx: AppContext, criterion_id: int, name: str, description: str | None, *,
                   applies_to_interview: bool, applies_to_video: bool,
                   expected_version: int | None = None) -> Criterion:
    require(ctx, Perm.WRITE, entity="assessment_criterion", entity_id=criterion_id)
    with unit_of_work(ctx) as s:
        c = get_or_404(s, AssessmentCriterion, criterion_id, "assessment criterion")
        check_version(s, c, expected_version, "assessment criterion")
        name, description = _clean_criterion(s, name, description, applies_to_interview, applies_to_video,
                                             criterion_id)
        changed = []
        for attr, value in (("name", name), ("description", description),
                            ("applies_to_interview", applies_to_interview), ("applies_to_video", applies_to_video)):
            if getattr(c, attr) != value:
                setattr(c, attr, value)
                changed.append(attr)
        if changed:
            s.flush()
            audit.record(s, ctx.actor, "criterion.change", entity="assessment_criterion", entity_id=c.id,
                         fields=changed)
        return _criterion(c)


def set_criterion_active(ctx: AppContext, criterion_id: int, active: bool, *,
                         expected_version: int | None = None) -> Criterion:
    """Deactivate a criterion (scores already given keep it), or bring it back."""
    require(ctx, Perm.WRITE, entity="assessment_criterion", entity_id=criterion_id)
    with unit_of_work(ctx) as s:
        c = get_or_404(s, AssessmentCriterion, criterion_id, "assessment criterion")
        check_version(s, c, expected_version, "assessment criterion")
        if not active and c.is_active:
            others = s.scalar(select(func.count(AssessmentCriterion.id))
                              .where(AssessmentCriterion.is_active.is_(True), AssessmentCriterion.id != c.id))
            if not others:
                raise UserError("This is the only criterion in use: add another before turning it off.")
        if c.is_active != active:
            c.is_active = active
            s.flush()
            audit.record(s, ctx.actor, "criterion.change", entity="assessment_criterion", entity_id=c.id,
                         fields=["is_active"])
        return _criterion(c)


def reorder_criteria(ctx: AppContext, ordered_ids: list[int]) -> list[Criterion]:
    """Put the criteria in this order (ids not listed keep their order, after these)."""
    require(ctx, Perm.WRITE, entity="assessment_criterion")
    with unit_of_work(ctx) as s:
        all_c = list(s.scalars(select(AssessmentCriterion).order_by(AssessmentCriterion.position,
                                                                    AssessmentCriterion.id)))
        by_id = {c.id: c for c in all_c}
        unknown = [i for i in ordered_ids if i not in by_id]
        if unknown:
            raise UserError(f"There is no assessment criterion with id {unknown[0]}.")
        order = list(dict.fromkeys(ordered_ids)) + [c.id for c in all_c if c.id not in ordered_ids]
        changed = False
        for pos, cid in enumerate(order, start=1):
            if by_id[cid].position != pos:
                by_id[cid].position = pos
                changed = True
        if changed:
            s.flush()
            audit.record(s, ctx.actor, "criterion.reorder", entity="assessment_criterion", fields=["position"])
        return [_criterion(by_id[i]) for i in order]


def move_criterion(ctx: AppContext, criterion_id: int, step: int) -> list[Criterion]:
    """Move a criterion up (step -1) or down (+1) the rubric."""
    current = [c.id for c in list_criteria(ctx, include_inactive=True)]
    if criterion_id not in current:
        raise UserError(f"There is no assessment criterion with id {criterion_id}.")
    i = current.index(criterion_id)
    j = max(0, min(len(current) - 1, i + step))
    current.insert(j, current.pop(i))
    return reorder_criteria(ctx, current)


# -- assessments --------------------------------------------------------------------------------
@dataclass
class AssessmentForm:
    method: SelectionMethod | str
    assessed_on: dt.date | None
    scores: dict[int, int]  # criterion id -> 1..5
    assessor_id: int | None = None  # a staff account; None with assessor_name for a panel member without one
    assessor_name: str | None = None
    video_reference: str | None = None
    panel_notes: str | None = None
    recommendation: str | None = None


@dataclass
class AssessmentInfo:
    id: int
    version: int
    assessor_id: int | None
    assessor_name: str
    method: SelectionMethod
    assessed_on: dt.date
    video_reference: str | None
    panel_notes: str | None
    recommendation: str | None
    scores: dict[int, int] = field(default_factory=dict)  # criterion id -> score
    criterion_names: dict[int, str] = field(default_factory=dict)

    @property
    def mean(self) -> float | None:
        return round(sum(self.scores.values()) / len(self.scores), 2) if self.scores else None


def _info(a: Assessment, names: dict[int, str]) -> AssessmentInfo:
    scores = {sc.criterion_id: sc.score for sc in a.scores}
    return AssessmentInfo(a.id, a.version, a.assessor_id, a.assessor_name, SelectionMethod(a.method),
                          a.assessed_on, a.video_reference, a.panel_notes, a.recommendation, scores,
                          {cid: names.get(cid, f"Criterion {cid}") for cid in scores})


def assessments_in_session(session, application_id: int) -> list[AssessmentInfo]:
    rows = list(session.scalars(select(Assessment).where(Assessment.application_id == application_id)
                                .order_by(Assessment.assessed_on, Assessment.id)))
    names = dict(session.execute(select(AssessmentCriterion.id, AssessmentCriterion.name)).all())
    return [_info(a, names) for a in rows]


def record_assessment(ctx: AppContext, application_id: int, form: AssessmentForm, *,
                      expected_version: int | None = None) -> AssessmentInfo:
    """Record one assessor's scores for one method; the same assessor and method again replaces them."""
    require(ctx, Perm.WRITE, entity="assessment")
    errors: dict[str, str] = {}
    try:
        method = SelectionMethod(form.method)
    except ValueError:
        raise ValidationError("Choose interview or video submission.") from None
    assessed_on = form.assessed_on or clock.today()
    if assessed_on > clock.today():
        errors["assessed_on"] = "The assessment date is in the future."
    with unit_of_work(ctx) as s:
        app = get_or_404(s, Application, application_id, "application")
        window = app.window
        if method is SelectionMethod.INTERVIEW and not window.selection_interview:
            raise UserError(f"'{window.name}' selects by video submission only, not interview.")
        if method is SelectionMethod.VIDEO and not window.selection_video:
            raise UserError(f"'{window.name}' selects by interview only, not video submission.")
        if Stage(app.stage) not in ASSESSABLE:
            raise UserError(f"{app.person.known_as} is '{Stage(app.stage).label.lower()}': shortlist them before "
                            "recording an assessment.")
        # Who assessed.
        assessor_id = form.assessor_id
        name = " ".join((form.assessor_name or "").split())
        if assessor_id is not None:
            staff = s.get(StaffUser, assessor_id)
            if staff is None:
                raise UserError(f"There is no staff account with id {assessor_id}.")
            name = staff.display_name
        elif not name:
            if ctx.actor.id is None:
                name = ctx.actor.display_name
            else:
                assessor_id = ctx.actor.id
                name = ctx.actor.display_name
        if len(name) > 120:
            errors["assessor"] = "The assessor's name is longer than 120 characters."
        # The rubric.
        criteria = {c.id: c for c in s.scalars(select(AssessmentCriterion))}
        applicable = [c for c in criteria.values() if c.is_active and
                      (c.applies_to_interview if method is SelectionMethod.INTERVIEW else c.applies_to_video)]
        scores: dict[int, int] = {}
        for cid, value in (form.scores or {}).items():
            c = criteria.get(int(cid))
            if c is None:
                raise UserError(f"There is no assessment criterion with id {cid}.")
            try:
                score = int(value)
            except (TypeError, ValueError):
                score = 0
            if not MIN_SCORE <= score <= MAX_SCORE:
                errors[f"score_{cid}"] = f"'{c.name}' must be scored from {MIN_SCORE} to {MAX_SCORE}."
                continue
            scores[c.id] = score
        missing = [c.name for c in sorted(applicable, key=lambda c: c.position) if c.id not in scores]
        if missing:
            errors["scores"] = "Score every criterion: " + ", ".join(missing) + " not scored."
        # The video's whereabouts, never the video.
        ref = (form.video_reference or "").strip() or None
        if method is SelectionMethod.VIDEO:
            ref = ref or app.video_reference
            if not ref:
                errors["video_reference"] = ("Say where the video is held (a link, or a reference to the file "
                                             "on the office drive): the video itself is not stored here.")
        else:
            ref = None
        if ref and (len(ref) > 500 or _VIDEO_FILE.search(ref) or "\n" in ref):
            errors["video_reference"] = ("The video's location must be a link or a file reference of up to 500 "
                                         "characters, not the video itself.")
        notes = (form.panel_notes or "").strip() or None
        recommendation = (form.recommendation or "").strip() or None
        if recommendation:
            try:
                recommendation = Stage(recommendation).value
            except ValueError:
                errors["recommendation"] = f"'{recommendation}' is not a recommendation."
            else:
                if recommendation not in (Stage.OFFERED.value, Stage.RESERVE.value, Stage.UNSUCCESSFUL.value):
                    errors["recommendation"] = "The panel can recommend offer, reserve or unsuccessful."
        if errors:
            raise ValidationError(" ".join(errors.values()), errors)
        q = select(Assessment).where(Assessment.application_id == app.id, Assessment.method == method.value)
        q = (q.where(Assessment.assessor_id == assessor_id) if assessor_id is not None
             else q.where(Assessment.assessor_id.is_(None), Assessment.assessor_name == name))
        a = s.scalar(q)
        action = "assessment.change"
        if a is None:
            a = Assessment(application_id=app.id, assessor_id=assessor_id, assessor_name=name, method=method.value,
                           assessed_on=assessed_on)
            s.add(a)
            action = "assessment.create"
        else:
            check_version(s, a, expected_version, "assessment")
        a.assessor_name = name
        a.assessed_on = assessed_on
        a.video_reference = ref
        a.panel_notes = notes
        a.recommendation = recommendation
        existing = {sc.criterion_id: sc for sc in a.scores}
        for cid, score in scores.items():
            if cid in existing:
                existing[cid].score = score
            else:
                a.scores.append(AssessmentScore(criterion_id=cid, score=score))
        # A change to the scores alone must still move the assessment's version on.
        a.updated_at = clock.now()
        if method is SelectionMethod.VIDEO and ref and not app.video_reference:
            app.video_reference = ref
        s.flush()
        audit.record(s, ctx.actor, action, entity="assessment", entity_id=a.id, subject_person_id=app.person_id,
                     fields=["scores", "assessed_on", "assessor_name"] + (["video_reference"] if ref else [])
                     + (["panel_notes"] if notes else []) + (["recommendation"] if recommendation else []))
        names = {cid: c.name for cid, c in criteria.items()}
        return _info(a, names)


def delete_assessment(ctx: AppContext, assessment_id: int, *, expected_version: int | None = None) -> None:
    require(ctx, Perm.WRITE, entity="assessment", entity_id=assessment_id)
    with unit_of_work(ctx) as s:
        a = get_or_404(s, Assessment, assessment_id, "assessment")
        check_version(s, a, expected_version, "assessment")
        app = s.get(Application, a.application_id)
        if app.stage == Stage.ASSESSED.value:
            others = s.scalar(select(func.count(Assessment.id)).where(Assessment.application_id == app.id,
                                                                       Assessment.id != a.id))
            if not others:
                raise UserError("This is the only assessment of an applicant at 'interview or video assessed': "
                                "record the corrected assessment before removing this one.")
        s.delete(a)
        s.flush()
        audit.record(s, ctx.actor, "assessment.delete", entity="assessment", entity_id=assessment_id,
                     subject_person_id=app.person_id)


def set_decision(ctx: AppContext, application_id: int, reason: DecisionReason | str | None, notes: str | None, *,
                 expected_version: int | None = None) -> int:
    """Record the panel's decision reason code and notes. Returns the application's new version."""
    require(ctx, Perm.WRITE, entity="application", entity_id=application_id)
    code = None
    if reason:
        try:
            code = DecisionReason(reason).value
        except ValueError:
            raise ValidationError(f"'{reason}' is not a decision reason.") from None
    notes = (notes or "").strip() or None
    if code == DecisionReason.OTHER.value and not notes:
        raise ValidationError("Say what the other reason was in the notes.", {"notes": "needed"})
    with unit_of_work(ctx) as s:
        app = get_or_404(s, Application, application_id, "application")
        check_version(s, app, expected_version, "application")
        changed = [f for f, v in (("decision_reason", code), ("decision_notes", notes)) if getattr(app, f) != v]
        app.decision_reason = code
        app.decision_notes = notes
        s.flush()
        if changed:
            audit.record(s, ctx.actor, "application.decision", entity="application", entity_id=app.id,
                         fields=changed, subject_person_id=app.person_id)
        return app.version


def staff_assessors(ctx: AppContext) -> list[tuple[int, str]]:
    """Active staff accounts, for the assessor chooser."""
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        return [(i, n) for i, n in s.execute(select(StaffUser.id, StaffUser.display_name)
                                             .where(StaffUser.is_active.is_(True))
                                             .order_by(StaffUser.display_name))]
