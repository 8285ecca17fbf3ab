"""The retention jobs for people and the audit log (the DBS job lives with the members).

- ``unsuccessful_applicants``: people who applied, were never offered a place
  and never held a term are anonymised ``unsuccessful_retention_months`` after
  their (latest) window's decision (``selection_completed_on``, else
  ``closes_on``). Their equality answers are detached and kept as counts.
- ``former_member_contacts``: contact details of people whose last term ended
  ``former_member_contact_months`` ago (and who have not applied again since)
  are removed; their name and history stay.
- ``audit_events``: audit events older than ``audit_retention_years`` are
  deleted (the database's own guard allows exactly that), and a checkpoint
  event records where the hash chain now starts, so ``audit verify`` still passes.

Every change goes through the ORM, so each changed row's version moves on and
a form opened before the purge is refused on save.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from sqlalchemy import case, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from db.enums import Stage
from db.models import Application, AuditEvent, MembershipTerm, Person, RecruitmentWindow
from lived_experience.core import clock
from lived_experience.core.context import Actor
from lived_experience.retention import JobResult, RetentionJob, register, rules
from lived_experience.retention.personal_data import anonymise_person, clear_contact_details
from lived_experience.security import audit
from lived_experience.settings import Settings

SUCCESSFUL_STAGES = (Stage.OFFERED.value, Stage.ACCEPTED.value, Stage.DBS_CLEARED.value, Stage.MEMBER.value)


def _decided_on():
    return func.coalesce(RecruitmentWindow.selection_completed_on, RecruitmentWindow.closes_on)


def unsuccessful_applicants_due(session: Session, cutoff: dt.date) -> list[int]:
    """People whose every application was unsuccessful (or never got as far as an offer), who never
    held a term, and whose latest window decided on or before ``cutoff``."""
    has_term = exists().where(MembershipTerm.person_id == Application.person_id)
    successful = func.sum(case((Application.stage.in_(SUCCESSFUL_STAGES), 1), else_=0))
    stmt = (
        select(Application.person_id)
        .join(RecruitmentWindow, RecruitmentWindow.id == Application.window_id)
        .join(Person, Person.id == Application.person_id)
        .where(Person.anonymised_at.is_(None), ~has_term)
        .group_by(Application.person_id)
        .having(successful == 0, func.max(_decided_on()) <= cutoff)
        .order_by(Application.person_id)
    )
    return list(session.scalars(stmt))


def _unsuccessful(session: Session, actor: Actor, settings: Settings, today: dt.date, dry_run: bool) -> JobResult:
    months = settings.unsuccessful_retention_months
    cutoff = today - relativedelta(months=months)
    ids = unsuccessful_applicants_due(session, cutoff)
    result = JobResult("unsuccessful_applicants",
                       f"Unsuccessful applicants anonymised {months} months after their window's decision",
                       len(ids), ids)
    if dry_run:
        return result
    now = clock.now()
    for pid in ids:
        anonymise_person(session, session.get(Person, pid), actor, now=now,
                         reason=f"retention: unsuccessful applicant, {months} months after the decision")
    return result


def former_members_due(session: Session, cutoff: dt.date) -> list[int]:
    """Former members whose last term ended on or before ``cutoff``, with contact details still held,
    and with no application decided after ``cutoff`` (someone who applied again keeps them)."""
    contact_cols = [getattr(Person, c) for c in rules.columns_with("person", rules.CONTACT)]
    recent = (select(Application.person_id)
              .join(RecruitmentWindow, RecruitmentWindow.id == Application.window_id)
              .where(_decided_on() > cutoff))
    stmt = (
        select(MembershipTerm.person_id)
        .join(Person, Person.id == MembershipTerm.person_id)
        .where(Person.anonymised_at.is_(None), or_(*[c.is_not(None) for c in contact_cols]),
               MembershipTerm.person_id.not_in(recent))
        .group_by(MembershipTerm.person_id)
        .having(func.max(MembershipTerm.ends_on) <= cutoff)
        .order_by(MembershipTerm.person_id)
    )
    return list(session.scalars(stmt))


def _former_members(session: Session, actor: Actor, settings: Settings, today: dt.date, dry_run: bool) -> JobResult:
    months = settings.former_member_contact_months
    cutoff = today - relativedelta(months=months)
    ids = former_members_due(session, cutoff)
    result = JobResult("former_member_contacts",
                       f"Former members' contact details removed {months} months after their last term",
                       len(ids), ids)
    if dry_run:
        return result
    for pid in ids:
        person = session.get(Person, pid)
        emptied = clear_contact_details(session, person)
        session.flush()
        audit.record(session, actor, "person.contact_removed", entity="person", entity_id=pid,
                     subject_person_id=pid, fields=emptied,
                     detail=f"retention: former member, {months} months after the last term")
    return result


def audit_cutoff(settings: Settings, now: dt.datetime | None = None) -> dt.datetime:
    """Events before the start (UTC) of the day ``audit_retention_years`` ago are due for deletion."""
    now = now or clock.now()
    day = (now.astimezone(dt.UTC) - relativedelta(years=settings.audit_retention_years)).date()
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _audit_events(session: Session, actor: Actor, settings: Settings, today: dt.date, dry_run: bool) -> JobResult:
    years = settings.audit_retention_years
    cutoff = audit_cutoff(settings)
    # Only the oldest run of events goes (ids below the first event still inside the period), so
    # the chain loses its start and never a piece of its middle, even if PCs' clocks disagree.
    first_kept = session.scalar(select(func.min(AuditEvent.id)).where(AuditEvent.occurred_at >= cutoff))
    due = AuditEvent.id < first_kept if first_kept is not None else AuditEvent.id.is_not(None)
    count = session.scalar(select(func.count(AuditEvent.id)).where(due)) or 0
    result = JobResult("audit_events", f"Audit events older than {years} years deleted", count)
    if dry_run or not count:
        return result
    last_removed = session.scalar(select(func.max(AuditEvent.id)).where(due))
    continues_from = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == last_removed))
    session.execute(delete(AuditEvent).where(due))
    audit.record(session, actor, audit.PURGE_ACTION, entity="audit_event",
                 detail=audit.checkpoint_detail(count, cutoff.date(), continues_from))
    return result


register(RetentionJob("unsuccessful_applicants",
                      "Anonymise unsuccessful applicants a set time after their window's decision", _unsuccessful))
register(RetentionJob("former_member_contacts",
                      "Remove former members' contact details a set time after their last term", _former_members))
register(RetentionJob("audit_events", "Delete audit events older than the retention period", _audit_events))
