"""Membership terms: the end date rule and the cap of ten members on any date.

``add_term`` works inside the caller's unit of work, so that "make this
applicant a member" (recruitment) and "start a new term" (members) apply the
same rule in the same transaction as the rest of their change.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.models import MembershipTerm
from lived_experience.core.context import Actor
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.members.status import is_active_on, term_end
from lived_experience.security import audit


def lock_membership(session: Session) -> None:
    """Serialise changes that count active members (PostgreSQL; SQLite writers are serial already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727003)"))


def active_count_on(session: Session, day: dt.date, *, exclude_term_id: int | None = None) -> int:
    q = select(func.count(MembershipTerm.id)).where(is_active_on(day))
    if exclude_term_id is not None:
        q = q.where(MembershipTerm.id != exclude_term_id)
    return session.scalar(q) or 0


def first_full_date(session: Session, starts_on: dt.date, ends_on: dt.date, *, cap: int,
                    exclude_term_id: int | None = None) -> dt.date | None:
    """The first date in [starts_on, ends_on] on which ``cap`` members are already active."""
    # The count of active terms only rises on a day some term starts; check those days.
    starts = session.scalars(
        select(MembershipTerm.starts_on).where(MembershipTerm.starts_on > starts_on,
                                                MembershipTerm.starts_on <= ends_on).distinct()
    ).all()
    overrides = session.scalars(
        select(MembershipTerm.override_from).where(MembershipTerm.override_from > starts_on,
                                                    MembershipTerm.override_from <= ends_on)
    ).all()
    for day in sorted({starts_on, *starts, *[d for d in overrides if d]}):
        if active_count_on(session, day, exclude_term_id=exclude_term_id) >= cap:
            return day
    return None


def add_term(session: Session, actor: Actor, *, person_id: int, starts_on: dt.date, months: int = 18,
             application_id: int | None = None, cap: int = 10, notes: str | None = None) -> MembershipTerm:
    """Start a new term for a person, refusing one that would make more than ``cap`` active members."""
    if starts_on is None:
        raise ValidationError("A term needs a start date.")
    ends_on = term_end(starts_on, months)
    lock_membership(session)
    overlapping = session.scalar(
        select(MembershipTerm.id).where(MembershipTerm.person_id == person_id,
                                        MembershipTerm.starts_on <= ends_on,
                                        MembershipTerm.ends_on >= starts_on)
    )
    if overlapping:
        raise UserError("This person already has a term covering some of those dates; "
                        "a new term must start after the current one ends.")
    refuse_if_full(session, starts_on, ends_on, cap=cap)
    term = MembershipTerm(person_id=person_id, application_id=application_id, starts_on=starts_on,
                          ends_on=ends_on, notes=notes)
    session.add(term)
    session.flush()
    audit.record(session, actor, "term.create", entity="membership_term", entity_id=term.id,
                 subject_person_id=person_id, fields=["starts_on", "ends_on"])
    return term


def counting_range(starts_on: dt.date, ends_on: dt.date, override: str | None,
                   override_from: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The days on which a term counts towards the cap (``is_active_on``), or None.

    A pause still holds the place; stepping down or removal frees it from the
    override's date.
    """
    if override in (None, "paused"):
        return starts_on, ends_on
    start_free = override_from or starts_on
    if start_free <= starts_on:
        return None
    return starts_on, min(ends_on, start_free - dt.timedelta(days=1))


def refuse_if_full(session: Session, starts_on: dt.date, ends_on: dt.date, *, cap: int,
                   exclude_term_id: int | None = None) -> None:
    """Refuse, naming the date, when one more active term in [starts_on, ends_on] would pass the cap."""
    full = first_full_date(session, starts_on, ends_on, cap=cap, exclude_term_id=exclude_term_id)
    if full is not None:
        raise UserError(
            f"The group would have more than {cap} active members on {uk_date(full)}: "
            f"{cap} members are already active that day. Choose a later start date, or end a term first."
        )
