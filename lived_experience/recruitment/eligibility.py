"""Eligibility, shown with its reasons, and the decision a person on staff records.

Domain rule 2: an applicant must live and/or work in Leicester, Leicestershire
or Rutland, and must have been a victim of crime or work closely with people who
have (sector representatives speak from the victim's point of view). The
postcodes suggest; they never decide. A district that straddles the boundary,
or one that is not in the reference list, is "needs confirmation" for a person
to decide. Nobody is rejected automatically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from db.enums import Area, Basis, EligibilityDecision, ExperienceArea, Residence, Stage
from db.models import Application, StaffUser
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_datetime
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.recruitment import pipeline
from lived_experience.recruitment.equality import sync_for_application
from lived_experience.recruitment.postcodes import Placement, combine, place
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import load as load_settings


@dataclass
class EligibilityView:
    residence: Residence
    area: Area
    home: Placement
    work: Placement
    basis: Basis | None
    experience: list[tuple[ExperienceArea, str | None]]
    reasons: list[str]  # plain English, one line each
    suggestion: str  # what the postcodes and answers suggest (never a decision)
    decision: EligibilityDecision | None = None
    decision_reason: str | None = None
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    version: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def flag(self) -> str:
        """The eligibility flag in words, as the list's filter shows it."""
        return self.residence.label

    @property
    def decided(self) -> str:
        if self.decision is None:
            return "Not decided yet"
        who = f" by {self.decided_by}" if self.decided_by else ""
        when = f" on {uk_datetime(self.decided_at)}" if self.decided_at else ""
        return f"{self.decision.label}{who}{when}"


def _line(prefix: str, p: Placement) -> str:
    if p.postcode is None and p.residence is Residence.NOT_GIVEN and p.reason == "no postcode given":
        return f"{prefix} postcode: none given"
    head = f"{prefix} postcode {p.postcode}" if p.postcode else f"{prefix} postcode"
    text = p.reason
    if p.area not in (Area.UNKNOWN,) and p.residence is not Residence.NOT_GIVEN:
        text += f" ({p.area.label})"
    return f"{head}: {text}"


def assess(home_postcode: str | None, work_postcode: str | None, basis: str | None,
           experience: list[tuple[str, str | None]] | None = None) -> EligibilityView:
    """What the answers say about eligibility, with the reasons (no database)."""
    home, work = place(home_postcode), place(work_postcode)
    residence, area, _ = combine(home, work)
    reasons = [_line("Home", home), _line("Work", work)]
    warnings: list[str] = []
    b = None
    if basis:
        try:
            b = Basis(basis)
        except ValueError:
            b = None
    if b is None:
        reasons.append("Basis of lived experience: not given")
        warnings.append("The application does not say whether they are a victim of crime or work closely with "
                        "victims: ask them before deciding.")
    else:
        reasons.append(f"Basis of lived experience: {b.label}")
        if b is Basis.SECTOR_REPRESENTATIVE:
            warnings.append("A sector representative must speak from the point of view of someone who has been a "
                            "victim: check the statement says so.")
    areas = []
    for a, other in experience or []:
        try:
            areas.append((ExperienceArea(a), other))
        except ValueError:
            continue
    if areas:
        reasons.append("Experience: " + ", ".join(
            (f"Other ({o})" if a is ExperienceArea.OTHER and o else a.label) for a, o in areas))
    else:
        reasons.append("Experience: none given")
    if residence is Residence.IN_LLR:
        where = "Lives or works in LLR"
    elif residence is Residence.NEEDS_CONFIRMATION:
        where = "Needs confirmation: a person must check the full postcode"
        warnings.append("A postcode is on or past the LLR boundary, or not in the district list: check the full "
                        "postcode (for example on the council's website) before deciding.")
    else:
        where = "No usable postcode: ask where they live or work"
        warnings.append("Neither a home nor a work postcode can be used: ask the applicant.")
    suggestion = where + ("; basis of lived experience given." if b else "; basis of lived experience missing.")
    return EligibilityView(residence, area, home, work, b, areas, reasons, suggestion, warnings=warnings)


def eligibility_in_session(session, app: Application) -> EligibilityView:
    person = app.person
    view = assess(person.postcode, person.work_postcode, app.basis,
                  [(e.area, e.other_text) for e in app.experience_areas])
    if app.eligibility_decision:
        view.decision = EligibilityDecision(app.eligibility_decision)
        view.decision_reason = app.eligibility_reason
        view.decided_at = app.eligibility_decided_at
        if app.eligibility_decided_by_id:
            view.decided_by = session.scalar(select(StaffUser.display_name)
                                             .where(StaffUser.id == app.eligibility_decided_by_id))
        else:
            view.decided_by = "Local administrator"
    view.version = app.version
    return view


def refresh_placement(app: Application, home_postcode: str | None, work_postcode: str | None) -> list[str]:
    """Recompute the stored flags from the postcodes (when an application is made, or the postcodes change).

    ``home_area`` is the area the list shows: where they live, or where they work when no home
    postcode places them (as the demo data and the import store it).
    """
    home, work = place(home_postcode), place(work_postcode)
    residence, area, reasons = combine(home, work)
    changed = []
    for name, value in (("residence", residence.value), ("home_area", area.value),
                        ("work_area", work.area.value), ("eligibility_notes", "; ".join(reasons))):
        if getattr(app, name) != value:
            setattr(app, name, value)
            changed.append(name)
    return changed


def get_eligibility(ctx: AppContext, application_id: int) -> EligibilityView:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        app = get_or_404(s, Application, application_id, "application")
        return eligibility_in_session(s, app)


@dataclass(frozen=True)
class DecisionResult:
    view: EligibilityView
    moved_to: Stage | None


def record_decision(ctx: AppContext, application_id: int, decision: EligibilityDecision | str, reason: str | None,
                    *, expected_version: int | None = None, move_stage: bool = True,
                    decision_reason: str | None = None) -> DecisionResult:
    """A person on staff decides: eligible or not eligible, with the reason; attributed and dated.

    With ``move_stage``, an application still at "received" moves on in the same unit of work:
    to "eligibility checked" when eligible, to "unsuccessful" when not.
    """
    require(ctx, Perm.WRITE, entity="application", entity_id=application_id)
    try:
        decision = EligibilityDecision(decision)
    except ValueError:
        raise ValidationError(f"'{decision}' is not an eligibility decision.") from None
    reason = (reason or "").strip() or None
    settings = load_settings(ctx)
    with unit_of_work(ctx) as s:
        app = get_or_404(s, Application, application_id, "application")
        check_version(s, app, expected_version, "application")
        if app.anonymised_at is not None:
            raise UserError("This application has been anonymised and can no longer change.")
        view = eligibility_in_session(s, app)
        if decision is EligibilityDecision.NOT_ELIGIBLE and not reason:
            raise ValidationError("Say why the applicant is not eligible.", {"reason": "needed"})
        if decision is EligibilityDecision.ELIGIBLE and not reason:
            if view.residence is not Residence.IN_LLR:
                raise ValidationError(
                    "The postcodes do not show that they live or work in LLR: say how you confirmed it "
                    "(for example 'checked the full postcode: Melton borough').", {"reason": "needed"})
            if view.basis is None:
                raise ValidationError("The application gives no basis of lived experience: say how you "
                                      "confirmed it.", {"reason": "needed"})
        if reason and len(reason) > 2000:
            raise ValidationError("The reason is longer than 2,000 characters.")
        app.eligibility_decision = decision.value
        app.eligibility_reason = reason
        app.eligibility_decided_by_id = ctx.actor.id
        app.eligibility_decided_at = clock.now()
        s.flush()
        audit.record(s, ctx.actor, "application.eligibility", entity="application", entity_id=app.id,
                     fields=["eligibility_decision", "eligibility_reason", "eligibility_decided_by_id",
                             "eligibility_decided_at"], subject_person_id=app.person_id)
        moved = None
        if move_stage and app.stage == Stage.RECEIVED.value:
            target = Stage.ELIGIBILITY_CHECKED if decision is EligibilityDecision.ELIGIBLE else Stage.UNSUCCESSFUL
            why = "Eligible" if decision is EligibilityDecision.ELIGIBLE else "Not eligible"
            pipeline.move_in_session(
                s, ctx.actor, settings, app, target, reason=f"{why}: {reason}" if reason else why,
                decision_reason=(decision_reason or ("outside_area" if view.residence is not Residence.IN_LLR
                                                     else "not_victim_perspective"))
                if target is Stage.UNSUCCESSFUL else None)
            moved = target
        sync_for_application(s, app)
        s.flush()
        return DecisionResult(eligibility_in_session(s, app), moved)
