"""Applicants: adding one by hand, editing their details, and the applicant's page.

One person, one row: someone who applied before is recognised (on email, phone,
or name and date of birth: ``lived_experience.people.matching``) and the new
application is linked to them, never a second copy. One application per person
per window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from db.enums import Basis, Channel, ExperienceArea, SelectionMethod, Stage
from db.models import (
    Application,
    ApplicationExperience,
    EqualityMonitoring,
    Person,
    RecruitmentWindow,
    StaffUser,
    StageChange,
)
from lived_experience.core import clock
from lived_experience.core.children import sync_children
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.people import service as people
from lived_experience.people.identity import email_key, name_key
from lived_experience.people.matching import find_matches
from lived_experience.recruitment import equality
from lived_experience.recruitment.assessment import AssessmentInfo, assessments_in_session
from lived_experience.recruitment.eligibility import (
    EligibilityView,
    eligibility_in_session,
    refresh_placement,
)
from lived_experience.recruitment.pipeline import MoveOption, options_in_session
from lived_experience.recruitment.scores import scores_for
from lived_experience.recruitment.status import window_status
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import load as load_settings

VIEW_AUDIT_SECONDS = 60


@dataclass
class ApplicationDetails:
    """The application's own answers, as a form sends them."""

    window_id: int | None = None
    received_on: dt.date | None = None  # None: today
    how_heard: Channel | str | None = None
    how_heard_other: str | None = None
    basis: Basis | str | None = None
    organisation_name: str | None = None
    experience: list[tuple[ExperienceArea | str, str | None]] = field(default_factory=list)
    statement: str | None = None
    availability: str | None = None
    selection_method: SelectionMethod | str | None = None
    video_reference: str | None = None


@dataclass(frozen=True)
class PersonMatch:
    person_id: int
    name: str
    matched_on: tuple[str, ...]
    applications: tuple[str, ...]  # "Window name (stage)"

    @property
    def describe(self) -> str:
        how = " and ".join(self.matched_on)
        before = f" Applied before: {'; '.join(self.applications)}." if self.applications else ""
        return f"{self.name} (same {how}).{before}"


@dataclass(frozen=True)
class AddResult:
    application_id: int
    person_id: int
    linked_to_existing: bool
    matched_on: tuple[str, ...] = ()
    differences: tuple[str, ...] = ()  # fields where the form differs from what the office holds

    @property
    def message(self) -> str:
        if not self.linked_to_existing:
            return "The applicant was added."
        msg = (f"This person applied before (recognised by {' and '.join(self.matched_on) or 'your choice'}), "
               "so the application was added to their existing record.")
        if self.differences:
            msg += (f" The form differs from their record in: {', '.join(self.differences)}. "
                    "Use Edit applicant… if those details have changed.")
        return msg


@dataclass(frozen=True)
class HistoryEntry:
    from_stage: Stage | None
    to_stage: Stage
    changed_at: dt.datetime
    changed_by: str
    reason: str | None


@dataclass
class ApplicantDetail:
    application_id: int
    application_version: int
    person_id: int
    person_version: int
    name: str
    person: people.PersonDetails  # contact fields empty without CONTACT_READ
    contact_shown: bool
    contact_summary: str
    access_summary: str
    window_id: int
    window_name: str
    window_status: str
    stage: Stage
    stage_changed_at: dt.datetime | None
    received_at: dt.datetime
    source: str
    application: ApplicationDetails
    eligibility: EligibilityView
    assessments: list[AssessmentInfo]
    score: float | None
    decision_reason: str | None
    decision_notes: str | None
    withdrawn_reason: str | None
    history: list[HistoryEntry]
    moves: list[MoveOption]
    other_applications: list[tuple[int, str, Stage]]  # (application id, window name, stage)
    has_equality: bool | None  # None when the role cannot know


# -- cleaning ---------------------------------------------------------------------------------
def _enum(enum, value, what: str):
    if value in (None, ""):
        return None
    try:
        return enum(value.value if hasattr(value, "value") else value)
    except ValueError:
        raise ValidationError(f"'{value}' is not a {what}.") from None


def _clean_application(d: ApplicationDetails, window: RecruitmentWindow | None) -> dict:
    errors: dict[str, str] = {}
    how = _enum(Channel, d.how_heard, "way of hearing about the group")
    other = " ".join((d.how_heard_other or "").split()) or None
    if how is not Channel.OTHER:
        other = None
    if other and len(other) > 200:
        errors["how_heard_other"] = "'How did you hear' is longer than 200 characters."
    basis = _enum(Basis, d.basis, "basis of lived experience")
    org = " ".join((d.organisation_name or "").split()) or None
    if org and len(org) > 200:
        errors["organisation_name"] = "The organisation's name is longer than 200 characters."
    if basis is Basis.SECTOR_REPRESENTATIVE and not org:
        errors["organisation_name"] = "Give the organisation a sector representative comes from."
    areas: dict[ExperienceArea, str | None] = {}
    for a, text in d.experience or []:
        area = _enum(ExperienceArea, a, "area of experience")
        if area is None:
            continue
        t = " ".join((text or "").split()) or None
        if area is ExperienceArea.OTHER:
            if not t:
                errors["experience"] = "Say what the other area of experience is."
            elif len(t) > 200:
                errors["experience"] = "The other area of experience is longer than 200 characters."
        else:
            t = None
        areas[area] = t
    method = _enum(SelectionMethod, d.selection_method, "selection method")
    if window is not None and method is not None:
        if method is SelectionMethod.INTERVIEW and not window.selection_interview:
            errors["selection_method"] = f"'{window.name}' selects by video submission only."
        if method is SelectionMethod.VIDEO and not window.selection_video:
            errors["selection_method"] = f"'{window.name}' selects by interview only."
    ref = (d.video_reference or "").strip() or None
    if ref and (len(ref) > 500 or "\n" in ref or ref.lower().startswith("data:")):
        errors["video_reference"] = ("The video's location must be a link or a file reference of up to 500 "
                                     "characters: the video itself is not stored here.")
    received = d.received_on
    if received is not None and received > clock.today():
        errors["received_on"] = "The date the application was received is in the future."
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    return {
        "how_heard": how.value if how else None,
        "how_heard_other": other,
        "basis": basis.value if basis else None,
        "organisation_name": org,
        "statement": (d.statement or "").strip() or None,
        "availability": (d.availability or "").strip() or None,
        "selection_method": method.value if method else None,
        "video_reference": ref,
        "_areas": areas,
        "_received": received,
    }


def _set_areas(app: Application, areas: dict[ExperienceArea, str | None]) -> bool:
    return sync_children(app.experience_areas, lambda e: ExperienceArea(e.area), areas,
                         lambda a, text: ApplicationExperience(area=a.value, other_text=text))


def _received_at(day: dt.date | None) -> dt.datetime:
    if day is None or day == clock.today():
        return clock.now().replace(microsecond=0)
    return clock.london_to_utc(dt.datetime.combine(day, dt.time(12, 0)))


# -- recognising a person ------------------------------------------------------------------------
def _matches(session, values: dict) -> list[PersonMatch]:
    found = find_matches(session, email_key=email_key(values.get("email")),
                         phone_key=values.get("phone"),
                         name_key=name_key(values.get("first_name"), values.get("last_name"),
                                           values.get("date_of_birth")))
    out = []
    for m in found:
        p = session.get(Person, m.person_id)
        apps = session.execute(select(RecruitmentWindow.name, Application.stage)
                               .join(Application, Application.window_id == RecruitmentWindow.id)
                               .where(Application.person_id == p.id)
                               .order_by(RecruitmentWindow.opens_on)).all()
        out.append(PersonMatch(p.id, p.known_as, m.matched_on,
                               tuple(f"{w} ({Stage(st).label.lower()})" for w, st in apps)))
    # Most keys in common first.
    out.sort(key=lambda pm: (-len(pm.matched_on), pm.person_id))
    return out


def find_existing(ctx: AppContext, details: people.PersonDetails) -> list[PersonMatch]:
    """People already on record who look like the person on this form (best match first)."""
    require(ctx, Perm.WRITE)
    values = people.clean(details)
    with unit_of_work(ctx, readonly=True) as s:
        return _matches(s, values)


# -- adding and editing ---------------------------------------------------------------------------
def add_applicant(ctx: AppContext, details: people.PersonDetails, application: ApplicationDetails, *,
                  person_id: int | None = None, as_new_person: bool = False,
                  equality_answers: dict[str, str | None] | None = None,
                  ethnic_group_detail: str | None = None) -> AddResult:
    """Add an application made on paper, by email or by phone.

    ``person_id`` links it to a person chosen by the user. Otherwise a person who
    matches on email, phone, or name and date of birth is linked automatically when
    there is exactly one; several matches are refused so that the user chooses
    (``find_existing``); ``as_new_person`` adds a new person regardless.
    """
    require(ctx, Perm.WRITE, entity="application")
    if equality_answers and any(v is not None for v in equality_answers.values()) or ethnic_group_detail:
        require(ctx, Perm.EQUALITY_WRITE, entity="equality_monitoring")
    values = people.clean(details)
    if application.window_id is None:
        raise ValidationError("Choose the recruitment window the application is for.", {"window_id": "needed"})
    with unit_of_work(ctx) as s:
        window = get_or_404(s, RecruitmentWindow, application.window_id, "recruitment window")
        status = window_status(window.opens_on, window.closes_on, window.closed_early_on,
                               window.selection_completed_on)
        if window.selection_completed_on is not None:
            raise UserError(f"Selection for '{window.name}' is complete: add the applicant to an open window.")
        app_values = _clean_application(application, window)
        areas = app_values.pop("_areas")
        received = app_values.pop("_received")
        if received is not None and received < window.opens_on - dt.timedelta(days=31):
            raise ValidationError(f"The application was received on {uk_date(received)}, long before '{window.name}' "
                                  f"opened on {uk_date(window.opens_on)}: check the date or the window.")
        matched_on: tuple[str, ...] = ()
        person = None
        if person_id is not None:
            person = get_or_404(s, Person, person_id, "person")
            if person.anonymised_at is not None:
                raise UserError("That person's record has been anonymised: add the applicant as a new person.")
            matched_on = next((m.matched_on for m in _matches(s, values) if m.person_id == person_id), ())
        elif not as_new_person:
            found = _matches(s, values)
            if len(found) > 1:
                raise UserError(
                    f"This applicant matches {len(found)} people already on record: "
                    + "; ".join(m.describe for m in found[:3])
                    + " Choose which one they are, or add them as a new person.")
            if found:
                person = s.get(Person, found[0].person_id)
                matched_on = found[0].matched_on
        diffs: list[str] = []
        if person is None:
            person = Person(first_name=values["first_name"], last_name=values["last_name"])
            s.add(person)
            people.apply(s, person, values)
            s.flush()
            audit.record(s, ctx.actor, "person.create", entity="person", entity_id=person.id,
                         subject_person_id=person.id,
                         fields=[k for k, v in values.items() if v not in (None, "", False)])
            linked = False
        else:
            diffs = people.differences(person, values)
            filled = people.apply(s, person, values, only_blanks=True)
            if filled:
                s.flush()
                audit.record(s, ctx.actor, "person.change", entity="person", entity_id=person.id,
                             subject_person_id=person.id, fields=filled)
            linked = True
            clash = s.scalar(select(Application).where(Application.person_id == person.id,
                                                       Application.window_id == window.id))
            if clash is not None:
                raise UserError(
                    f"{person.known_as} has already applied to '{window.name}' (received "
                    f"{uk_date(clash.received_at)}, now {Stage(clash.stage).label.lower()}). There is one "
                    "application per person per window: open that application instead.")
        app = Application(person_id=person.id, window_id=window.id, stage=Stage.RECEIVED.value,
                          received_at=_received_at(received), source="manual", **app_values)
        app.stage_changed_at = app.received_at
        s.add(app)
        _set_areas(app, areas)
        refresh_placement(app, person.postcode, person.work_postcode)
        s.flush()
        s.add(StageChange(application_id=app.id, from_stage=None, to_stage=Stage.RECEIVED.value,
                          changed_at=clock.now(), changed_by_id=ctx.actor.id,
                          reason="Added by hand" + (" (window closed: a late application)"
                                                    if status.value == "closed" else "")))
        audit.record(s, ctx.actor, "application.create", entity="application", entity_id=app.id,
                     subject_person_id=person.id,
                     fields=[k for k, v in app_values.items() if v] + (["experience"] if areas else []))
        if equality_answers is not None and (any(v is not None for v in equality_answers.values())
                                             or ethnic_group_detail):
            equality.apply_answers(s, ctx.actor, app, equality_answers, ethnic_group_detail=ethnic_group_detail)
        s.flush()
        return AddResult(app.id, person.id, linked, tuple(matched_on), tuple(diffs))


def edit_applicant(ctx: AppContext, application_id: int, details: people.PersonDetails,
                   application: ApplicationDetails, *, expected_person_version: int | None,
                   expected_application_version: int | None) -> ApplicantDetail:
    """Change the person's details and the application's answers (not its window or stage)."""
    require(ctx, Perm.WRITE, entity="application", entity_id=application_id)
    require(ctx, Perm.CONTACT_READ, entity="person")
    values = people.clean(details)
    with unit_of_work(ctx) as s:
        app = get_or_404(s, Application, application_id, "application")
        if app.anonymised_at is not None:
            raise UserError("This application has been anonymised and can no longer change.")
        person = app.person
        check_version(s, person, expected_person_version, "person's record")
        check_version(s, app, expected_application_version, "application")
        if application.window_id not in (None, app.window_id):
            raise UserError("An application cannot move to another window: withdraw it and add a new one.")
        app_values = _clean_application(application, app.window)
        areas = app_values.pop("_areas")
        received = app_values.pop("_received")
        changed = people.apply(s, person, values)
        if changed:
            s.flush()
            audit.record(s, ctx.actor, "person.change", entity="person", entity_id=person.id,
                         subject_person_id=person.id, fields=changed)
        app_changed = [k for k, v in app_values.items() if getattr(app, k) != v]
        for k in app_changed:
            setattr(app, k, app_values[k])
        if received is not None and received != clock.to_london(app.received_at).date():
            app.received_at = _received_at(received)
            app_changed.append("received_at")
        if _set_areas(app, areas):
            app_changed.append("experience")
        app_changed += refresh_placement(app, person.postcode, person.work_postcode)
        if app_changed:
            app.updated_at = clock.now()
            s.flush()
            audit.record(s, ctx.actor, "application.change", entity="application", entity_id=app.id,
                         subject_person_id=person.id, fields=app_changed)
        equality.sync_for_application(s, app)
    return get_applicant(ctx, application_id, audit_view=False)


def get_applicant(ctx: AppContext, application_id: int, *, audit_view: bool = True) -> ApplicantDetail:
    """Everything the applicant's page shows. Contact details only for roles that may see them
    (and that view is audited, at most once a minute per applicant per user)."""
    require(ctx, Perm.READ)
    settings = load_settings(ctx)
    with_contact = ctx.actor.can(Perm.CONTACT_READ)
    with unit_of_work(ctx, readonly=True) as s:
        app = get_or_404(s, Application, application_id, "application")
        person = app.person
        window = app.window
        history = []
        names: dict[int, str] = {}
        ids = {c.changed_by_id for c in app.stage_changes if c.changed_by_id}
        if ids:
            names = dict(s.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(ids))).all())
        for c in sorted(app.stage_changes, key=lambda c: (c.changed_at, c.id)):
            history.append(HistoryEntry(Stage(c.from_stage) if c.from_stage else None, Stage(c.to_stage),
                                        c.changed_at, names.get(c.changed_by_id, "Local administrator")
                                        if c.changed_by_id else "Local administrator", c.reason))
        others = [(a_id, w_name, Stage(st)) for a_id, w_name, st in s.execute(
            select(Application.id, RecruitmentWindow.name, Application.stage)
            .join(RecruitmentWindow, RecruitmentWindow.id == Application.window_id)
            .where(Application.person_id == person.id, Application.id != app.id)
            .order_by(RecruitmentWindow.opens_on))]
        has_eq = None
        if ctx.actor.can(Perm.EQUALITY_READ):
            has_eq = s.scalar(select(EqualityMonitoring.id)
                              .where(EqualityMonitoring.application_id == app.id)) is not None
        detail = ApplicantDetail(
            application_id=app.id, application_version=app.version, person_id=person.id,
            person_version=person.version, name=person.known_as,
            person=people.details_of(person, with_contact=with_contact), contact_shown=with_contact,
            contact_summary=people.contact_summary(person), access_summary=people.access_summary(person),
            window_id=window.id, window_name=window.name,
            window_status=window_status(window.opens_on, window.closes_on, window.closed_early_on,
                                        window.selection_completed_on).label,
            stage=Stage(app.stage), stage_changed_at=app.stage_changed_at, received_at=app.received_at,
            source=app.source,
            application=ApplicationDetails(
                window_id=window.id, received_on=clock.to_london(app.received_at).date(),
                how_heard=Channel(app.how_heard) if app.how_heard else None, how_heard_other=app.how_heard_other,
                basis=Basis(app.basis) if app.basis else None, organisation_name=app.organisation_name,
                experience=[(ExperienceArea(e.area), e.other_text) for e in app.experience_areas],
                statement=app.statement, availability=app.availability,
                selection_method=SelectionMethod(app.selection_method) if app.selection_method else None,
                video_reference=app.video_reference),
            eligibility=eligibility_in_session(s, app),
            assessments=assessments_in_session(s, app.id),
            score=scores_for(s, [app.id]).get(app.id),
            decision_reason=app.decision_reason, decision_notes=app.decision_notes,
            withdrawn_reason=app.withdrawn_reason, history=history,
            moves=options_in_session(s, app, settings, can_see_dbs=ctx.actor.can(Perm.DBS_STATUS)),
            other_applications=others, has_equality=has_eq,
        )
    if audit_view:
        _audit_view(ctx, detail, with_contact)
    return detail


def _audit_view(ctx: AppContext, detail: ApplicantDetail, with_contact: bool) -> None:
    import time

    seen = ctx.cache.setdefault("applicant_views", {})
    key = (ctx.actor.id, detail.application_id)
    now = time.monotonic()
    if now - seen.get(key, -VIEW_AUDIT_SECONDS) < VIEW_AUDIT_SECONDS:
        return
    seen[key] = now
    fields = ["statement", "availability", "video_reference", "panel_notes"]
    if with_contact:
        fields += [f for f in people.CONTACT_FIELDS]
    audit.record_now(ctx, "view", entity="application", entity_id=detail.application_id, fields=fields,
                     subject_person_id=detail.person_id)
