"""DBS checks, handled as the DBS Code of Practice expects.

Only the fact and the outcome of a check are kept: when it was requested, the
application reference, the certificate's number, issue date, level and
workforce, Update Service subscription and status checks, who checked the
certificate and when, and the decision. Never a scan or copy of a certificate
(there is nowhere to put one). Disclosure detail typed in is removed
automatically after ``settings.dbs_disclosure_retention_days`` from the
decision (``lived_experience.members.dbs_retention``); the summary stays.

The register is for DBS officers and administrators only (``Perm.DBS_READ`` /
``Perm.DBS_WRITE``, checked here), and every view of it is recorded in the
audit log. Other staff may see only whether a member is cleared
(``Perm.DBS_STATUS``), through ``flags_for`` and the members list.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import DbsDecision, DbsLevel, DbsStatus, DbsWorkforce, UpdateServiceResult
from db.models import AppSetting, DbsCheck, DbsUpdateCheck, MembershipTerm, Person, StaffUser
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.members.status import dbs_flag, dbs_status, effective_check
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import Settings
from lived_experience.settings import load as load_settings

MAX_SUMMARY = 200
MAX_DETAIL = 4000
MAX_REFERENCE = 40
_SEPARATORS = re.compile(r"[\s\-]")


# -- views ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class UpdateCheckView:
    id: int
    checked_on: dt.date
    consent_recorded: bool
    result: UpdateServiceResult
    checked_by: str | None


@dataclass(frozen=True)
class DbsCheckView:
    id: int
    person_id: int
    person_name: str
    status: DbsStatus  # of this check on its own
    requested_on: dt.date | None
    application_reference: str | None
    certificate_number: str | None
    issue_date: dt.date | None
    level: DbsLevel | None
    workforce: DbsWorkforce | None
    update_service: bool
    checked_by: str | None
    checked_on: dt.date | None
    decision: DbsDecision | None
    decision_on: dt.date | None
    disclosure_summary: str | None
    disclosure_detail: str | None
    disclosure_purged_at: dt.datetime | None
    disclosure_remove_on: dt.date | None  # when the detail is removed automatically
    renewal_in_progress: bool
    recheck_due_on: dt.date | None
    notes: str | None
    update_checks: list[UpdateCheckView]
    version: int


@dataclass(frozen=True)
class PersonDbs:
    person_id: int
    name: str
    status: DbsStatus  # the member's position (from the check that decides it)
    flag: str | None  # words when not cleared
    checks: list[DbsCheckView]  # newest first


@dataclass(frozen=True)
class RegisterRow:
    person_id: int
    name: str
    status: DbsStatus
    check_id: int | None
    requested_on: dt.date | None
    certificate_number: str | None
    issue_date: dt.date | None
    level: DbsLevel | None
    update_service: bool
    decision: DbsDecision | None
    decision_on: dt.date | None
    recheck_due_on: dt.date | None
    renewal_in_progress: bool


# -- rules -------------------------------------------------------------------------------------
def clean_certificate_number(text: str | None) -> str:
    """A DBS certificate number is exactly 12 digits (spaces and hyphens are ignored)."""
    raw = _SEPARATORS.sub("", str(text or ""))
    if not raw:
        raise ValidationError("Enter the certificate number (12 digits).",
                              {"certificate_number": "Needed."})
    if not raw.isascii() or not raw.isdigit() or len(raw) != 12:
        raise ValidationError(
            "A DBS certificate number is exactly 12 digits (for example 001234567890); "
            f"this has {sum(ch.isdigit() for ch in raw)} digits"
            + (" and other characters." if not raw.isdigit() else "."),
            {"certificate_number": "Not 12 digits."})
    return raw


def fee_for_level(settings: Settings, level: DbsLevel | str | None) -> int | None:
    """The office's fee table (pence) for a certificate level."""
    if not level:
        return None
    level = DbsLevel.parse(level)
    return {
        DbsLevel.BASIC: settings.dbs_fee_basic_pence,
        DbsLevel.STANDARD: settings.dbs_fee_standard_pence,
        DbsLevel.ENHANCED: settings.dbs_fee_enhanced_pence,
        DbsLevel.ENHANCED_BARRED: settings.dbs_fee_enhanced_barred_pence,
    }[level]


def disclosure_anchor(check: DbsCheck) -> dt.date:
    """The date the disclosure retention period runs from: the decision, else when the
    certificate was checked, else when the record was made."""
    if check.decision_on:
        return check.decision_on
    if check.checked_on:
        return check.checked_on
    return clock.to_london(check.created_at).date() if check.created_at else clock.today()


def disclosure_remove_on(check: DbsCheck, retention_days: int) -> dt.date | None:
    """The first day on which the detail is no longer kept (the purge removes it from then)."""
    if not check.disclosure_detail:
        return None
    return disclosure_anchor(check) + dt.timedelta(days=retention_days + 1)


def recheck_due_on(check: DbsCheck | None, recheck_years: int) -> dt.date | None:
    if check is None or check.issue_date is None or check.decision not in (
            DbsDecision.CLEAR.value, DbsDecision.CLEAR_WITH_DISCLOSURE.value):
        return None
    return check.issue_date + relativedelta(years=recheck_years)


def person_dbs_status(session: Session, person_id: int, *, today: dt.date | None = None,
                      recheck_years: int = 3) -> DbsStatus:
    """A person's DBS position inside the caller's unit of work (no permission check:
    callers hold ``Perm.DBS_STATUS`` or use ``flags_for``)."""
    checks = list(session.scalars(select(DbsCheck).where(DbsCheck.person_id == person_id)))
    return dbs_status(effective_check(checks), today=today, recheck_years=recheck_years)


def statuses(session: Session, person_ids, *, today: dt.date | None = None,
             recheck_years: int = 3) -> dict[int, DbsStatus]:
    ids = list(dict.fromkeys(person_ids))
    by_person: dict[int, list[DbsCheck]] = {i: [] for i in ids}
    if ids:
        for c in session.scalars(select(DbsCheck).where(DbsCheck.person_id.in_(ids))):
            by_person[c.person_id].append(c)
    return {pid: dbs_status(effective_check(cs), today=today, recheck_years=recheck_years)
            for pid, cs in by_person.items()}


def _settings_in_session(session: Session) -> Settings:
    """Office settings read inside an open unit of work (for callers holding a session)."""
    from dataclasses import fields

    from lived_experience.settings import validate

    names = {f.name for f in fields(Settings)}
    values = {}
    for row in session.scalars(select(AppSetting).where(AppSetting.key.in_(names))):
        try:
            values[row.key] = json.loads(row.value)
        except ValueError:
            continue
    try:
        return Settings(**validate(values))
    except ValidationError:
        return Settings()


def flags_for(session_or_ctx: Session | AppContext, person_ids) -> dict[int, str]:
    """{person id: words} for each person without a cleared DBS check, e.g. "No DBS check".

    For the meetings and recruitment features: show the words beside an invitee.
    Takes an open session (the actor is the unit of work's) or a context. Staff
    who may not see DBS status (``Perm.DBS_STATUS``) get no flags.
    """
    ids = [int(i) for i in dict.fromkeys(person_ids or []) if i is not None]
    if isinstance(session_or_ctx, Session):
        actor = session_or_ctx.info.get("actor")
        if actor is None or not actor.can(Perm.DBS_STATUS) or not ids:
            return {}
        settings = _settings_in_session(session_or_ctx)
        found = statuses(session_or_ctx, ids, recheck_years=settings.dbs_recheck_years)
    else:
        ctx = session_or_ctx
        if not ctx.actor.can(Perm.DBS_STATUS) or not ids:
            return {}
        settings = load_settings(ctx)
        with unit_of_work(ctx, readonly=True) as s:
            found = statuses(s, ids, recheck_years=settings.dbs_recheck_years)
    return {pid: flag for pid, st in found.items() if (flag := dbs_flag(st))}


# -- views of the register (DBS officers and administrators; every view audited) --------------
def _staff_names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(ids))).all())


def _view(c: DbsCheck, name: str, settings: Settings, today: dt.date, staff: dict[int, str]) -> DbsCheckView:
    return DbsCheckView(
        id=c.id, person_id=c.person_id, person_name=name,
        status=dbs_status(c, today=today, recheck_years=settings.dbs_recheck_years),
        requested_on=c.requested_on, application_reference=c.application_reference,
        certificate_number=c.certificate_number, issue_date=c.issue_date,
        level=DbsLevel(c.level) if c.level else None, workforce=DbsWorkforce(c.workforce) if c.workforce else None,
        update_service=bool(c.update_service), checked_by=staff.get(c.checked_by_id), checked_on=c.checked_on,
        decision=DbsDecision(c.decision) if c.decision else None, decision_on=c.decision_on,
        disclosure_summary=c.disclosure_summary, disclosure_detail=c.disclosure_detail,
        disclosure_purged_at=c.disclosure_purged_at,
        disclosure_remove_on=disclosure_remove_on(c, settings.dbs_disclosure_retention_days),
        renewal_in_progress=bool(c.renewal_in_progress),
        recheck_due_on=recheck_due_on(c, settings.dbs_recheck_years), notes=c.notes,
        update_checks=[UpdateCheckView(u.id, u.checked_on, bool(u.consent_recorded), UpdateServiceResult(u.result),
                                       staff.get(u.checked_by_id))
                       for u in sorted(c.update_checks, key=lambda u: (u.checked_on, u.id), reverse=True)],
        version=c.version,
    )


def _check_view(session: Session, c: DbsCheck, settings: Settings) -> DbsCheckView:
    p = session.get(Person, c.person_id)
    staff = _staff_names(session, [c.checked_by_id, *[u.checked_by_id for u in c.update_checks]])
    return _view(c, p.known_as if p else "", settings, clock.today(), staff)


def register(ctx: AppContext) -> list[RegisterRow]:
    """The DBS register: every member, former member and accepted applicant with a DBS
    check, and every current member without one. Audited as a view."""
    require(ctx, Perm.DBS_READ, entity="dbs_check")
    settings = load_settings(ctx)
    today = clock.today()
    with unit_of_work(ctx) as s:
        checks: dict[int, list[DbsCheck]] = {}
        for c in s.scalars(select(DbsCheck)):
            checks.setdefault(c.person_id, []).append(c)
        members = set(s.scalars(select(MembershipTerm.person_id).where(MembershipTerm.ends_on >= today)))
        ids = set(checks) | members
        people = {p.id: p for p in s.scalars(select(Person).where(Person.id.in_(ids),
                                                                   Person.anonymised_at.is_(None)))}
        rows = []
        for pid, p in people.items():
            c = effective_check(checks.get(pid, []))
            rows.append(RegisterRow(
                person_id=pid, name=p.known_as, status=dbs_status(c, today=today,
                                                                  recheck_years=settings.dbs_recheck_years),
                check_id=c.id if c else None, requested_on=c.requested_on if c else None,
                certificate_number=c.certificate_number if c else None, issue_date=c.issue_date if c else None,
                level=DbsLevel(c.level) if c and c.level else None, update_service=bool(c and c.update_service),
                decision=DbsDecision(c.decision) if c and c.decision else None,
                decision_on=c.decision_on if c else None, recheck_due_on=recheck_due_on(c, settings.dbs_recheck_years),
                renewal_in_progress=bool(c and c.renewal_in_progress)))
        rows.sort(key=lambda r: (r.name.casefold(), r.person_id))
        audit.record(s, ctx.actor, "view", entity="dbs_check", detail=f"DBS register: {len(rows)} people",
                     fields=["certificate_number", "issue_date", "level", "decision"])
    return rows


def register_summary(rows: list[RegisterRow]) -> str:
    """One line of counts by status, e.g. "12 cleared, 1 recheck due"."""
    n = Counter(r.status for r in rows)
    parts = [f"{n[s]} {s.label.lower()}" for s in DbsStatus if n.get(s)]
    return ", ".join(parts) if parts else "Nobody is on the register yet."


def person_dbs(ctx: AppContext, person_id: int) -> PersonDbs:
    """A person's DBS checks (newest first), with disclosure detail while it is kept. Audited."""
    require(ctx, Perm.DBS_READ, entity="person", entity_id=person_id)
    settings = load_settings(ctx)
    today = clock.today()
    with unit_of_work(ctx) as s:
        p = get_or_404(s, Person, person_id, "person")
        checks = list(s.scalars(select(DbsCheck).where(DbsCheck.person_id == person_id)
                                .order_by(DbsCheck.id.desc())))
        staff = _staff_names(s, [c.checked_by_id for c in checks]
                             + [u.checked_by_id for c in checks for u in c.update_checks])
        views = [_view(c, p.known_as, settings, today, staff) for c in checks]
        status = dbs_status(effective_check(checks), today=today, recheck_years=settings.dbs_recheck_years)
        fields = ["certificate_number", "application_reference", "decision"]
        if any(c.disclosure_detail for c in checks):
            fields.append("disclosure_detail")
        audit.record(s, ctx.actor, "view", entity="dbs_check", entity_id=checks[0].id if checks else None,
                     subject_person_id=person_id, fields=fields, detail="DBS record of one person")
    return PersonDbs(person_id, p.known_as, status, dbs_flag(status), views)


# -- changes (DBS officers and administrators) ------------------------------------------------------
def _level(value, *, required: bool = True) -> str | None:
    if value in (None, ""):
        if required:
            raise ValidationError("Choose the level of the check.", {"level": "Needed."})
        return None
    try:
        return DbsLevel.parse(value).value
    except ValueError as exc:
        raise ValidationError(f"Unknown level: {exc}") from None


def _workforce(value) -> str | None:
    if value in (None, ""):
        return None
    try:
        return DbsWorkforce.parse(value).value
    except ValueError as exc:
        raise ValidationError(f"Unknown workforce: {exc}") from None


def _not_future(day: dt.date | None, what: str) -> None:
    if day is not None and day > clock.today():
        raise ValidationError(f"The {what} cannot be in the future.", {what: "In the future."})


def _load_check(s: Session, check_id: int, expected_version: int | None) -> DbsCheck:
    c = get_or_404(s, DbsCheck, check_id, "DBS check")
    check_version(s, c, expected_version, "DBS check")
    p = s.get(Person, c.person_id)
    if p is None or p.anonymised_at is not None:
        raise UserError("This person's record has been anonymised: the DBS check cannot be changed.")
    return c


def record_request(ctx: AppContext, person_id: int, *, requested_on: dt.date, level: DbsLevel | str,
                   workforce: DbsWorkforce | str | None = None, application_reference: str | None = None,
                   notes: str | None = None) -> DbsCheckView:
    """Record that a DBS check was requested (a new check; a renewal is a new check too)."""
    require(ctx, Perm.DBS_WRITE, entity="dbs_check")
    settings = load_settings(ctx)
    if requested_on is None:
        raise ValidationError("Enter the date the check was requested.", {"requested_on": "Needed."})
    _not_future(requested_on, "date requested")
    level = _level(level)
    workforce = _workforce(workforce)
    reference = " ".join((application_reference or "").split()) or None
    if reference and len(reference) > MAX_REFERENCE:
        raise ValidationError(f"The application reference is longer than {MAX_REFERENCE} characters.")
    with unit_of_work(ctx) as s:
        p = get_or_404(s, Person, person_id, "person")
        if p.anonymised_at is not None:
            raise UserError("This person's record has been anonymised.")
        checks = list(s.scalars(select(DbsCheck).where(DbsCheck.person_id == person_id)))
        open_ = [c for c in checks if c.decision is None]
        if open_:
            c = max(open_, key=lambda c: c.id)
            raise UserError(f"{p.known_as} already has a DBS check in progress (requested "
                            f"{uk_date(c.requested_on) or 'on an unknown date'}): record its certificate or "
                            "decision instead of a new request.")
        deciding = effective_check(checks)
        if deciding is not None and deciding.decision in (DbsDecision.CLEAR.value,
                                                          DbsDecision.CLEAR_WITH_DISCLOSURE.value):
            # A renewal: the current certificate stands until the new one is decided.
            deciding.renewal_in_progress = True
        c = DbsCheck(person_id=person_id, requested_on=requested_on, level=level, workforce=workforce,
                     application_reference=reference, notes=(notes or "").strip() or None)
        s.add(c)
        s.flush()
        audit.record(s, ctx.actor, "dbs.request", entity="dbs_check", entity_id=c.id, subject_person_id=person_id,
                     fields=["requested_on", "level", "workforce", "application_reference", "notes"])
        return _check_view(s, c, settings)


def record_certificate(ctx: AppContext, check_id: int, *, certificate_number: str, issue_date: dt.date,
                       level: DbsLevel | str, workforce: DbsWorkforce | str | None = None,
                       update_service: bool = False, checked_on: dt.date | None = None,
                       expected_version: int | None = None) -> DbsCheckView:
    """Record the certificate seen: its number, issue date and level, and who checked it when
    (the signed-in member of staff, today unless another day is given). No copy is kept."""
    require(ctx, Perm.DBS_WRITE, entity="dbs_check", entity_id=check_id)
    settings = load_settings(ctx)
    number = clean_certificate_number(certificate_number)
    if issue_date is None:
        raise ValidationError("Enter the certificate's issue date.", {"issue_date": "Needed."})
    _not_future(issue_date, "issue date")
    checked_on = checked_on or clock.today()
    _not_future(checked_on, "date checked")
    if checked_on < issue_date:
        raise ValidationError("The certificate cannot have been checked before it was issued.",
                              {"checked_on": "Before the issue date."})
    level = _level(level)
    workforce = _workforce(workforce)
    with unit_of_work(ctx) as s:
        c = _load_check(s, check_id, expected_version)
        c.certificate_number = number
        c.issue_date = issue_date
        c.level = level
        c.workforce = workforce
        c.update_service = bool(update_service)
        c.checked_by_id = ctx.actor.id
        c.checked_on = checked_on
        s.flush()
        audit.record(s, ctx.actor, "dbs.certificate", entity="dbs_check", entity_id=c.id,
                     subject_person_id=c.person_id,
                     fields=["certificate_number", "issue_date", "level", "workforce", "update_service",
                             "checked_by_id", "checked_on"])
        return _check_view(s, c, settings)


def record_decision(ctx: AppContext, check_id: int, *, decision: DbsDecision | str, decision_on: dt.date,
                    disclosure_summary: str | None = None, disclosure_detail: str | None = None,
                    expected_version: int | None = None) -> DbsCheckView:
    """Record the decision. Disclosure detail, if typed in, is kept only for the retention period."""
    require(ctx, Perm.DBS_WRITE, entity="dbs_check", entity_id=check_id)
    settings = load_settings(ctx)
    try:
        decision = DbsDecision.parse(decision)
    except ValueError as exc:
        raise ValidationError(f"Unknown decision: {exc}") from None
    if decision_on is None:
        raise ValidationError("Enter the date of the decision.", {"decision_on": "Needed."})
    _not_future(decision_on, "decision date")
    summary = " ".join((disclosure_summary or "").split()) or None
    detail = (disclosure_detail or "").strip() or None
    if summary and len(summary) > MAX_SUMMARY:
        raise ValidationError(f"The disclosure summary is longer than {MAX_SUMMARY} characters: keep it to the "
                              "outcome; put nothing more than necessary in the detail.")
    if detail and len(detail) > MAX_DETAIL:
        raise ValidationError(f"The disclosure detail is longer than {MAX_DETAIL} characters.")
    if decision is DbsDecision.CLEAR and (summary or detail):
        raise ValidationError("A clear certificate has no disclosure: choose 'Clear with disclosure accepted' "
                              "or leave the disclosure boxes empty.")
    if decision is DbsDecision.CLEAR_WITH_DISCLOSURE and not summary:
        raise ValidationError("Give a short summary of the disclosure and why it was accepted (this summary "
                              "is kept; the detail is removed after the retention period).",
                              {"disclosure_summary": "Needed."})
    if detail and (clock.today() - decision_on).days > settings.dbs_disclosure_retention_days:
        raise ValidationError(
            f"Disclosure detail is kept for no more than {settings.dbs_disclosure_retention_days} days after the "
            f"decision, and this decision was made on {uk_date(decision_on)}: record the summary only.",
            {"disclosure_detail": "Past the retention period."})
    with unit_of_work(ctx) as s:
        c = _load_check(s, check_id, expected_version)
        if decision is not DbsDecision.NOT_ACCEPTED and not (c.certificate_number and c.issue_date):
            raise UserError("Record the certificate (number and issue date) before deciding that it is clear.")
        if c.checked_on and decision_on < c.checked_on:
            raise ValidationError("The decision cannot be dated before the certificate was checked "
                                  f"({uk_date(c.checked_on)}).", {"decision_on": "Before the check."})
        changed = ["decision", "decision_on", "disclosure_summary"]
        c.decision = decision.value
        c.decision_on = decision_on
        c.disclosure_summary = summary
        if detail is not None or c.disclosure_detail is not None:
            c.disclosure_detail = detail
            changed.append("disclosure_detail")
        c.renewal_in_progress = False
        # A new decision completes any renewal of an earlier certificate.
        for older in s.scalars(select(DbsCheck).where(DbsCheck.person_id == c.person_id, DbsCheck.id != c.id,
                                                      DbsCheck.renewal_in_progress.is_(True))):
            older.renewal_in_progress = False
        s.flush()
        audit.record(s, ctx.actor, "dbs.decision", entity="dbs_check", entity_id=c.id, subject_person_id=c.person_id,
                     fields=changed)
        return _check_view(s, c, settings)


def set_renewal(ctx: AppContext, check_id: int, in_progress: bool, *,
                expected_version: int | None = None) -> DbsCheckView:
    """Mark a renewal as under way (pauses the recheck reminder) or not."""
    require(ctx, Perm.DBS_WRITE, entity="dbs_check", entity_id=check_id)
    settings = load_settings(ctx)
    with unit_of_work(ctx) as s:
        c = _load_check(s, check_id, expected_version)
        if in_progress and c.decision not in (DbsDecision.CLEAR.value, DbsDecision.CLEAR_WITH_DISCLOSURE.value):
            raise UserError("Only a cleared certificate can be renewed; record the decision first.")
        c.renewal_in_progress = bool(in_progress)
        s.flush()
        audit.record(s, ctx.actor, "dbs.renewal", entity="dbs_check", entity_id=c.id, subject_person_id=c.person_id,
                     fields=["renewal_in_progress"])
        return _check_view(s, c, settings)


def add_update_check(ctx: AppContext, check_id: int, *, checked_on: dt.date, consent_recorded: bool,
                     result: UpdateServiceResult | str) -> DbsCheckView:
    """Log an Update Service status check of the certificate (with the member's consent)."""
    require(ctx, Perm.DBS_WRITE, entity="dbs_check", entity_id=check_id)
    settings = load_settings(ctx)
    try:
        result = UpdateServiceResult.parse(result)
    except ValueError as exc:
        raise ValidationError(f"Unknown result: {exc}") from None
    if checked_on is None:
        raise ValidationError("Enter the date of the status check.", {"checked_on": "Needed."})
    _not_future(checked_on, "date of the status check")
    if not consent_recorded:
        raise ValidationError("A status check needs the member's consent: record that they gave it before "
                              "checking.", {"consent_recorded": "Needed."})
    with unit_of_work(ctx) as s:
        c = _load_check(s, check_id, None)
        if not c.update_service:
            raise UserError("This certificate is not subscribed to the Update Service, so it cannot be status "
                            "checked: record the subscription with the certificate first.")
        if c.issue_date and checked_on < c.issue_date:
            raise ValidationError("A status check cannot be before the certificate was issued.")
        u = DbsUpdateCheck(checked_on=checked_on, consent_recorded=True, result=result.value,
                           checked_by_id=ctx.actor.id)
        c.update_checks.append(u)
        s.flush()
        audit.record(s, ctx.actor, "dbs.update_check", entity="dbs_update_check", entity_id=u.id,
                     subject_person_id=c.person_id, fields=["checked_on", "consent_recorded", "result"])
        return _check_view(s, c, settings)
