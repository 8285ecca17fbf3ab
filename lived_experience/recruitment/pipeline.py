"""The applicant pipeline: which moves are allowed, and making one.

received -> eligibility checked -> shortlisted -> interview or video assessed
-> offered / reserve / unsuccessful -> accepted -> DBS cleared -> member;
withdrawn from any stage that is not final; a reserve can be offered later.

Every move writes a ``StageChange`` (from, to, when, by whom, why) in the same
unit of work as the change itself. Making someone a member starts their
membership term there too, under the same cap of active members the Members
section uses (``lived_experience.members.terms.add_term``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.enums import DecisionReason, EligibilityDecision, Stage
from db.models import Application, Assessment, Person, RecruitmentWindow, StageChange
from lived_experience.core import clock
from lived_experience.core.context import Actor, AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.members.lists import latest_dbs_checks
from lived_experience.members.status import dbs_is_cleared, dbs_status
from lived_experience.members.terms import add_term
from lived_experience.recruitment.equality import sync_for_application
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import Settings
from lived_experience.settings import load as load_settings

S = Stage
TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    S.RECEIVED: (S.ELIGIBILITY_CHECKED, S.UNSUCCESSFUL, S.WITHDRAWN),
    S.ELIGIBILITY_CHECKED: (S.SHORTLISTED, S.UNSUCCESSFUL, S.WITHDRAWN),
    S.SHORTLISTED: (S.ASSESSED, S.UNSUCCESSFUL, S.WITHDRAWN),
    S.ASSESSED: (S.OFFERED, S.RESERVE, S.UNSUCCESSFUL, S.WITHDRAWN),
    S.RESERVE: (S.OFFERED, S.UNSUCCESSFUL, S.WITHDRAWN),
    S.OFFERED: (S.ACCEPTED, S.WITHDRAWN),
    # A DBS decision of "not accepted" ends the application as unsuccessful.
    S.ACCEPTED: (S.DBS_CLEARED, S.UNSUCCESSFUL, S.WITHDRAWN),
    S.DBS_CLEARED: (S.MEMBER, S.WITHDRAWN),
    S.MEMBER: (),
    S.UNSUCCESSFUL: (),
    S.WITHDRAWN: (),
}
FINAL = tuple(s for s, nxt in TRANSITIONS.items() if not nxt)
PLACE_STAGES = (S.OFFERED, S.ACCEPTED, S.DBS_CLEARED, S.MEMBER)
# Moves that take a decision reason code (why offered, reserve or unsuccessful).
DECISION_STAGES = (S.OFFERED, S.RESERVE, S.UNSUCCESSFUL)
# Plain verbs for buttons and messages.
VERBS: dict[Stage, str] = {
    S.ELIGIBILITY_CHECKED: "Eligibility checked",
    S.SHORTLISTED: "Shortlist",
    S.ASSESSED: "Assessed",
    S.OFFERED: "Offer a place",
    S.RESERVE: "Put on reserve",
    S.UNSUCCESSFUL: "Unsuccessful",
    S.ACCEPTED: "Offer accepted",
    S.DBS_CLEARED: "DBS cleared",
    S.MEMBER: "Make a member",
    S.WITHDRAWN: "Withdrawn",
}


def next_stages(stage: Stage | str) -> tuple[Stage, ...]:
    """The stages an application in ``stage`` may move to (structure only, before the rules)."""
    return TRANSITIONS[Stage(stage)]


def is_allowed(from_stage: Stage | str, to_stage: Stage | str) -> bool:
    return Stage(to_stage) in TRANSITIONS[Stage(from_stage)]


@dataclass(frozen=True)
class MoveOption:
    stage: Stage
    blocked: str | None = None  # why the move would be refused just now, in plain English

    @property
    def label(self) -> str:
        return self.stage.label


@dataclass(frozen=True)
class MoveResult:
    application_id: int
    from_stage: Stage
    stage: Stage
    version: int
    term_id: int | None = None
    term_starts_on: dt.date | None = None
    term_ends_on: dt.date | None = None


def _name(p: Person) -> str:
    return p.known_as


def places_taken(session: Session, window_id: int, *, excluding: int | None = None) -> int:
    q = select(func.count(Application.id)).where(Application.window_id == window_id,
                                                 Application.stage.in_([s.value for s in PLACE_STAGES]))
    if excluding is not None:
        q = q.where(Application.id != excluding)
    return session.scalar(q) or 0


def _lock_window(session: Session, window_id: int) -> None:
    """Serialise offers in one window (PostgreSQL; SQLite writers are serial already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727010, :wid)"), {"wid": window_id})


def blocked_reason(session: Session, app: Application, to: Stage, settings: Settings, *,
                   can_see_dbs: bool = True, term_start_given: bool = False) -> str | None:
    """Why ``app`` cannot move to ``to`` just now (None when it can). Checks every rule but the term cap,
    which ``add_term`` applies when the term is made."""
    current = Stage(app.stage)
    person = app.person
    name = _name(person)
    if to not in TRANSITIONS[current]:
        if current in FINAL:
            return f"{name} is {current.label.lower()}: that is a final stage."
        allowed = ", ".join(s.label.lower() for s in TRANSITIONS[current])
        return (f"An application that is '{current.label.lower()}' cannot move to '{to.label.lower()}'. "
                f"It can move to: {allowed}.")
    decision = app.eligibility_decision
    if to is S.ELIGIBILITY_CHECKED:
        if decision == EligibilityDecision.NOT_ELIGIBLE:
            return f"{name} was decided not eligible: move them to unsuccessful instead."
        if decision != EligibilityDecision.ELIGIBLE:
            return (f"Record the eligibility decision for {name} first (Eligibility decision…): a person on staff "
                    "confirms that they live or work in LLR and have lived experience.")
    if to is S.UNSUCCESSFUL and current is S.RECEIVED and decision != EligibilityDecision.NOT_ELIGIBLE:
        return (f"{name} has not had their eligibility checked. Record the eligibility decision first; "
                "an applicant who is not eligible can then be moved to unsuccessful.")
    if to is S.SHORTLISTED and decision != EligibilityDecision.ELIGIBLE:
        return f"{name} is not recorded as eligible, so cannot be shortlisted."
    if to is S.ASSESSED:
        n = session.scalar(select(func.count(Assessment.id)).where(Assessment.application_id == app.id)) or 0
        if n == 0:
            return f"Record at least one interview or video assessment for {name} first (Record assessment…)."
    if to is S.OFFERED:
        window = app.window
        taken = places_taken(session, app.window_id, excluding=app.id)
        if taken >= window.places:
            return (f"All {window.places} places in '{window.name}' are taken ({taken} offered, accepted or "
                    f"members). Put {name} on the reserve list, or add a place to the window first.")
    if to is S.DBS_CLEARED:
        if not can_see_dbs:
            return "Your role cannot see whether a DBS check is cleared."
        check = latest_dbs_checks(session, [app.person_id]).get(app.person_id)
        status = dbs_status(check, recheck_years=settings.dbs_recheck_years)
        if not dbs_is_cleared(status):
            return (f"{name}'s DBS check is not cleared (DBS status: {status.label.lower()}). Record the "
                    "certificate and the decision in the DBS section first.")
    if to is S.MEMBER and not term_start_given and app.window.term_starts_on is None:
        return (f"'{app.window.name}' has no term start date: choose the date {name}'s membership term starts, "
                "or set the window's term start date.")
    return None


def move_in_session(session: Session, actor: Actor, settings: Settings, app: Application, to: Stage, *,
                    reason: str | None = None, decision_reason: DecisionReason | str | None = None,
                    decision_notes: str | None = None, term_starts_on: dt.date | None = None,
                    can_see_dbs: bool = True) -> MoveResult:
    """Move ``app`` inside the caller's unit of work (the eligibility decision uses this too)."""
    to = Stage(to)
    current = Stage(app.stage)
    reason = (reason or "").strip() or None
    if reason and len(reason) > 2000:
        raise ValidationError("The reason is longer than 2,000 characters.")
    if to is S.WITHDRAWN and not reason:
        raise ValidationError("Say why the applicant withdrew (for example 'personal circumstances changed').",
                              {"reason": "needed"})
    code = None
    if decision_reason:
        try:
            code = DecisionReason(decision_reason)
        except ValueError:
            raise ValidationError(f"'{decision_reason}' is not a decision reason.") from None
        if to not in DECISION_STAGES:
            raise ValidationError("A decision reason goes with offered, reserve or unsuccessful only.")
    if to is S.OFFERED:
        _lock_window(session, app.window_id)
    problem = blocked_reason(session, app, to, settings, can_see_dbs=can_see_dbs,
                             term_start_given=term_starts_on is not None)
    if problem:
        raise UserError(problem)
    now = clock.now()
    session.add(StageChange(application_id=app.id, from_stage=current.value, to_stage=to.value, changed_at=now,
                            changed_by_id=actor.id, reason=reason))
    app.stage = to.value
    app.stage_changed_at = now
    fields = ["stage", "stage_changed_at"]
    if to is S.WITHDRAWN:
        app.withdrawn_reason = reason
        fields.append("withdrawn_reason")
    if code is not None:
        app.decision_reason = code.value
        fields.append("decision_reason")
    if decision_notes is not None and to in DECISION_STAGES:
        app.decision_notes = decision_notes.strip() or None
        fields.append("decision_notes")
    term = None
    if to is S.MEMBER:
        start = term_starts_on or app.window.term_starts_on
        term = add_term(session, actor, person_id=app.person_id, starts_on=start, months=settings.term_months,
                        application_id=app.id, cap=settings.max_active_members,
                        notes=f"From recruitment window '{app.window.name}'")
    sync_for_application(session, app)
    session.flush()
    audit.record(session, actor, "application.stage", entity="application", entity_id=app.id, fields=fields,
                 subject_person_id=app.person_id, detail=f"{current.value} -> {to.value}")
    return MoveResult(app.id, current, to, app.version, term.id if term else None,
                      term.starts_on if term else None, term.ends_on if term else None)


def move_stage(ctx: AppContext, application_id: int, to: Stage | str, *, reason: str | None = None,
               decision_reason: DecisionReason | str | None = None, decision_notes: str | None = None,
               term_starts_on: dt.date | None = None, expected_version: int | None = None) -> MoveResult:
    """Move an application to another stage, refusing any move the rules do not allow."""
    require(ctx, Perm.WRITE, entity="application", entity_id=application_id)
    to = Stage(to)
    if to is S.DBS_CLEARED:
        require(ctx, Perm.DBS_STATUS, entity="application", entity_id=application_id)
    settings = load_settings(ctx)
    with unit_of_work(ctx) as s:
        app = get_or_404(s, Application, application_id, "application")
        if app.anonymised_at is not None:
            raise UserError("This application has been anonymised and can no longer change.")
        check_version(s, app, expected_version, "application")
        return move_in_session(s, ctx.actor, settings, app, to, reason=reason, decision_reason=decision_reason,
                               decision_notes=decision_notes, term_starts_on=term_starts_on,
                               can_see_dbs=ctx.actor.can(Perm.DBS_STATUS))


def move_options(ctx: AppContext, application_id: int) -> list[MoveOption]:
    """The moves open to an application now, each with the reason it would be refused (if any)."""
    require(ctx, Perm.READ)
    settings = load_settings(ctx)
    with unit_of_work(ctx, readonly=True) as s:
        app = get_or_404(s, Application, application_id, "application")
        return options_in_session(s, app, settings, can_see_dbs=ctx.actor.can(Perm.DBS_STATUS))


def options_in_session(session: Session, app: Application, settings: Settings, *,
                       can_see_dbs: bool) -> list[MoveOption]:
    # The start date of a new member's term is asked for when the move is made.
    return [MoveOption(st, blocked_reason(session, app, st, settings, can_see_dbs=can_see_dbs,
                                          term_start_given=True))
            for st in TRANSITIONS[Stage(app.stage)]]


def term_start_for(session: Session, application_id: int) -> dt.date | None:
    """The date a member's term would start by default (the window's term start date)."""
    return session.scalar(select(RecruitmentWindow.term_starts_on)
                          .join(Application, Application.window_id == RecruitmentWindow.id)
                          .where(Application.id == application_id))


def describe_term(result: MoveResult) -> str:
    if result.term_id is None:
        return ""
    return f"Their membership term runs from {uk_date(result.term_starts_on)} to {uk_date(result.term_ends_on)}."
