"""Safe contact and access needs, and quiet periods.

What the office holds about contacting a member safely: preferred name and
pronouns; the preferred way to get in touch; whether it is safe to phone,
leave a voicemail, text, write or email; times to avoid; quiet periods (date
ranges with no contact at all, for example around a trial); interpreter
language, BSL, access needs and a support person.

Seeing someone's contact details needs ``Perm.CONTACT_READ`` and each view is
audited. The field rules are shared with the applicant forms
(``lived_experience.people.service``).

Every feature that contacts people respects quiet periods: use
``in_quiet_period(session, person_id, day)`` or ``quiet_people_on(session, day)``
inside your unit of work, or ``quiet_between`` for a span of days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import ContactMethod
from db.models import Person, QuietPeriod
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.people import service as people
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

MAX_QUIET_REASON = 200
MAX_QUIET_DAYS = 730


@dataclass(frozen=True)
class QuietPeriodView:
    id: int
    person_id: int
    starts_on: dt.date
    ends_on: dt.date
    reason: str | None
    current: bool
    version: int

    @property
    def text(self) -> str:
        return f"{uk_date(self.starts_on)} to {uk_date(self.ends_on)}"


@dataclass(frozen=True)
class ContactView:
    person_id: int
    name: str
    details: people.PersonDetails
    summary: str  # safe-contact preferences in one line
    access: str  # access needs in one line
    quiet_periods: list[QuietPeriodView]
    quiet_now: QuietPeriodView | None
    version: int


# For other features, inside their own unit of work ------------------------------------------------
def in_quiet_period(session: Session, person_id: int, day: dt.date) -> QuietPeriod | None:
    """The person's quiet period covering ``day``, if any: do not contact them that day."""
    return session.scalar(select(QuietPeriod).where(QuietPeriod.person_id == person_id,
                                                    QuietPeriod.starts_on <= day, QuietPeriod.ends_on >= day)
                          .order_by(QuietPeriod.ends_on.desc()).limit(1))


def quiet_people_on(session: Session, day: dt.date) -> dict[int, QuietPeriod]:
    """{person id: quiet period} for everyone who must not be contacted on ``day``."""
    out: dict[int, QuietPeriod] = {}
    for q in session.scalars(select(QuietPeriod).where(QuietPeriod.starts_on <= day, QuietPeriod.ends_on >= day)
                             .order_by(QuietPeriod.ends_on)):
        out[q.person_id] = q  # the one ending last wins
    return out


def quiet_between(session: Session, person_ids, start: dt.date, end: dt.date) -> dict[int, QuietPeriod]:
    """{person id: a quiet period overlapping [start, end]} for the given people."""
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return {}
    out: dict[int, QuietPeriod] = {}
    for q in session.scalars(select(QuietPeriod).where(QuietPeriod.person_id.in_(ids), QuietPeriod.starts_on <= end,
                                                       QuietPeriod.ends_on >= start)
                             .order_by(QuietPeriod.ends_on)):
        out[q.person_id] = q
    return out


@dataclass(frozen=True)
class QuietHold:
    """Someone who must not be contacted now: what a contact-producing feature tells its user."""

    person_id: int
    name: str
    until: dt.date

    @property
    def text(self) -> str:
        return f"{self.name} (quiet period until {uk_date(self.until)})"


def quiet_holds(session: Session, person_ids, day: dt.date | None = None) -> list[QuietHold]:
    """Of ``person_ids``, those in a quiet period on ``day`` (today by default), by name.

    Every feature that produces something for a person (an invitation, a pack, a
    calendar file, a reply about a claim) calls this and says who must not get it."""
    day = day or clock.today()
    found = quiet_between(session, person_ids, day, day)
    if not found:
        return []
    names = {p.id: p.known_as for p in session.scalars(select(Person).where(Person.id.in_(list(found))))}
    holds = [QuietHold(pid, names.get(pid, "A member"), q.ends_on) for pid, q in found.items()]
    return sorted(holds, key=lambda h: h.name.casefold())


def quiet_hold(ctx: AppContext, person_id: int | None) -> QuietHold | None:
    """The person's quiet period today, for a form that is about to produce something for them."""
    require(ctx, Perm.READ, entity="person", entity_id=person_id)
    if person_id is None:
        return None
    with unit_of_work(ctx, readonly=True) as s:
        holds = quiet_holds(s, [person_id])
    return holds[0] if holds else None


def quiet_warning(hold: QuietHold, what: str) -> str:
    """One sentence: '<name> is in a quiet period until <date>: do not send them <what> before then.'"""
    return (f"{hold.name} is in a quiet period until {uk_date(hold.until)}: do not send them {what} "
            "(no letter, call, email or text) before then.")


def safe_methods(person: Person) -> list[ContactMethod]:
    """The ways it is safe to contact the person (their preferred way first)."""
    methods = []
    if person.safe_email and person.email:
        methods.append(ContactMethod.EMAIL)
    if person.safe_to_phone and person.phone:
        methods.append(ContactMethod.PHONE)
    if person.safe_text and person.phone:
        methods.append(ContactMethod.TEXT)
    if person.safe_post and person.address_line1:
        methods.append(ContactMethod.POST)
    if person.support_person:
        methods.append(ContactMethod.VIA_SUPPORT_PERSON)
    if person.preferred_contact:
        try:
            pref = ContactMethod(person.preferred_contact)
        except ValueError:
            return methods
        if pref in methods:
            methods.remove(pref)
            methods.insert(0, pref)
    return methods


# Views and changes ---------------------------------------------------------------------------------------
def _qp_view(q: QuietPeriod, today: dt.date) -> QuietPeriodView:
    return QuietPeriodView(q.id, q.person_id, q.starts_on, q.ends_on, q.reason, q.starts_on <= today <= q.ends_on,
                           q.version)


def _contact_view(session: Session, p: Person) -> ContactView:
    today = clock.today()
    qps = [_qp_view(q, today) for q in session.scalars(
        select(QuietPeriod).where(QuietPeriod.person_id == p.id).order_by(QuietPeriod.starts_on.desc()))]
    return ContactView(p.id, p.known_as, people.details_of(p, with_contact=True), people.contact_summary(p),
                       people.access_summary(p), qps, next((q for q in qps if q.current), None), p.version)


def get_contact(ctx: AppContext, person_id: int) -> ContactView:
    """A person's contact details, safe-contact preferences, access needs and quiet periods. Audited."""
    require(ctx, Perm.CONTACT_READ, entity="person", entity_id=person_id)
    with unit_of_work(ctx) as s:
        p = get_or_404(s, Person, person_id, "person")
        view = _contact_view(s, p)
        audit.record(s, ctx.actor, "view", entity="person", entity_id=person_id, subject_person_id=person_id,
                     fields=[*people.CONTACT_FIELDS, "quiet_period.reason"], detail="contact and access")
    return view


def _consistency(values: dict) -> None:
    """The preferred way of contact must be one that is recorded and safe."""
    pref = values.get("preferred_contact")
    if not pref:
        return
    problems = {
        ContactMethod.EMAIL.value: (not values.get("email"), "there is no email address",
                                    not values.get("safe_email"), "email is not marked safe"),
        ContactMethod.PHONE.value: (not values.get("phone"), "there is no phone number",
                                    not values.get("safe_to_phone"), "phoning is not marked safe"),
        ContactMethod.TEXT.value: (not values.get("phone"), "there is no phone number",
                                   not values.get("safe_text"), "texting is not marked safe"),
        ContactMethod.POST.value: (not values.get("address_line1"), "there is no address",
                                   not values.get("safe_post"), "post is not marked safe"),
        ContactMethod.VIA_SUPPORT_PERSON.value: (not values.get("support_person"), "no support person is recorded",
                                                 False, ""),
    }.get(pref)
    if problems is None:
        return
    missing, missing_text, unsafe, unsafe_text = problems
    label = ContactMethod(pref).label.lower()
    if missing:
        raise ValidationError(f"The preferred contact is {label} but {missing_text}.",
                              {"preferred_contact": missing_text})
    if unsafe:
        raise ValidationError(f"The preferred contact is {label} but {unsafe_text}: tick it as safe, or choose "
                              "another way.", {"preferred_contact": unsafe_text})


def update_contact(ctx: AppContext, person_id: int, changes: dict, *,
                   expected_version: int | None = None) -> ContactView:
    """Change contact details, safe-contact preferences and access needs (``changes`` holds
    only the fields to change, by ``PersonDetails`` field name)."""
    require(ctx, Perm.WRITE, entity="person", entity_id=person_id)
    require(ctx, Perm.CONTACT_READ, entity="person", entity_id=person_id)
    unknown = set(changes) - set(people.FIELD_NAMES)
    if unknown:
        raise ValidationError(f"Not a contact or access field: {', '.join(sorted(unknown))}.")
    with unit_of_work(ctx) as s:
        p = get_or_404(s, Person, person_id, "person")
        if p.anonymised_at is not None:
            raise UserError("This person's record has been anonymised: it cannot be changed.")
        check_version(s, p, expected_version, "person's record")
        merged = dataclasses.replace(people.details_of(p, with_contact=True), **changes)
        values = people.clean(merged)
        _consistency(values)
        changed = people.apply(s, p, values)
        s.flush()
        if changed:
            audit.record(s, ctx.actor, "person.contact", entity="person", entity_id=p.id, subject_person_id=p.id,
                         fields=changed)
        return _contact_view(s, p)


def _clean_quiet(starts_on, ends_on, reason) -> str | None:
    if starts_on is None or ends_on is None:
        raise ValidationError("A quiet period needs a first and a last day.", {"dates": "Needed."})
    if ends_on < starts_on:
        raise ValidationError("The quiet period ends before it starts.", {"ends_on": "Before the start."})
    if (ends_on - starts_on).days > MAX_QUIET_DAYS:
        raise ValidationError(f"A quiet period can be at most {MAX_QUIET_DAYS} days; add another when it ends.",
                              {"ends_on": "Too long."})
    if ends_on < clock.today():
        raise ValidationError("That quiet period is already over.", {"ends_on": "In the past."})
    reason = " ".join((reason or "").split()) or None
    if reason and len(reason) > MAX_QUIET_REASON:
        raise ValidationError(f"The reason is longer than {MAX_QUIET_REASON} characters.")
    return reason


def _refuse_overlap(s: Session, person_id: int, starts_on, ends_on, exclude_id: int | None = None) -> None:
    q = select(QuietPeriod).where(QuietPeriod.person_id == person_id, QuietPeriod.starts_on <= ends_on,
                                  QuietPeriod.ends_on >= starts_on)
    if exclude_id is not None:
        q = q.where(QuietPeriod.id != exclude_id)
    other = s.scalars(q).first()
    if other is not None:
        raise UserError(f"This overlaps the quiet period from {uk_date(other.starts_on)} to {uk_date(other.ends_on)}: "
                        "change that one instead.")


def add_quiet_period(ctx: AppContext, person_id: int, starts_on: dt.date, ends_on: dt.date,
                     reason: str | None = None) -> QuietPeriodView:
    """No contact from ``starts_on`` to ``ends_on`` inclusive."""
    require(ctx, Perm.WRITE, entity="quiet_period")
    reason = _clean_quiet(starts_on, ends_on, reason)
    with unit_of_work(ctx) as s:
        p = get_or_404(s, Person, person_id, "person")
        if p.anonymised_at is not None:
            raise UserError("This person's record has been anonymised: it cannot be changed.")
        _refuse_overlap(s, person_id, starts_on, ends_on)
        q = QuietPeriod(person_id=person_id, starts_on=starts_on, ends_on=ends_on, reason=reason)
        s.add(q)
        s.flush()
        audit.record(s, ctx.actor, "quiet_period.create", entity="quiet_period", entity_id=q.id,
                     subject_person_id=person_id, fields=["starts_on", "ends_on", "reason"])
        return _qp_view(q, clock.today())


def change_quiet_period(ctx: AppContext, quiet_id: int, starts_on: dt.date, ends_on: dt.date,
                        reason: str | None = None, *, expected_version: int | None = None) -> QuietPeriodView:
    require(ctx, Perm.WRITE, entity="quiet_period", entity_id=quiet_id)
    reason = _clean_quiet(starts_on, ends_on, reason)
    with unit_of_work(ctx) as s:
        q = get_or_404(s, QuietPeriod, quiet_id, "quiet period")
        check_version(s, q, expected_version, "quiet period")
        _refuse_overlap(s, q.person_id, starts_on, ends_on, exclude_id=q.id)
        q.starts_on, q.ends_on, q.reason = starts_on, ends_on, reason
        s.flush()
        audit.record(s, ctx.actor, "quiet_period.change", entity="quiet_period", entity_id=q.id,
                     subject_person_id=q.person_id, fields=["starts_on", "ends_on", "reason"])
        return _qp_view(q, clock.today())


def end_quiet_period(ctx: AppContext, quiet_id: int, *, expected_version: int | None = None) -> None:
    """Remove a quiet period (for example when a trial is over early)."""
    require(ctx, Perm.WRITE, entity="quiet_period", entity_id=quiet_id)
    with unit_of_work(ctx) as s:
        q = get_or_404(s, QuietPeriod, quiet_id, "quiet period")
        check_version(s, q, expected_version, "quiet period")
        person_id = q.person_id
        s.delete(q)
        s.flush()
        audit.record(s, ctx.actor, "quiet_period.delete", entity="quiet_period", entity_id=quiet_id,
                     subject_person_id=person_id, fields=["starts_on", "ends_on", "reason"])
