"""The members roster, the DBS register and expenses lists."""

from __future__ import annotations

from sqlalchemy import func, select

from db.enums import DbsDecision, DbsLevel, DbsStatus, ExpenseKind, ExpenseStatus, TermStatus
from db.models import DbsCheck, ExpenseClaim, Person, QuietPeriod, StaffUser
from db.models import MembershipTerm as T
from lived_experience.core import clock
from lived_experience.listing.registry import register
from lived_experience.listing.spec import ListColumn as C
from lived_experience.listing.spec import ListFilter, ListSpec
from lived_experience.members.status import (
    dbs_status,
    effective_check,
    term_status,
    term_status_sql,
)
from lived_experience.security.permissions import Perm
from lived_experience.settings import load as load_settings


def _latest_term():
    latest = (
        select(T.person_id, func.max(T.starts_on).label("latest_start"))
        .group_by(T.person_id)
        .subquery("latest_term")
    )
    return (
        T.__table__.join(latest, (latest.c.person_id == T.person_id) & (latest.c.latest_start == T.starts_on))
        .join(Person.__table__, Person.id == T.person_id)
    )


def latest_dbs_checks(session, person_ids):
    """The DBS check that decides each person's position: normally the newest; while a
    renewal is under way, the cleared check being renewed (``status.effective_check``)."""
    by_person: dict[int, list[DbsCheck]] = {}
    rows = session.scalars(
        select(DbsCheck).where(DbsCheck.person_id.in_(person_ids)).order_by(DbsCheck.person_id, DbsCheck.id)
    )
    for c in rows:
        by_person.setdefault(c.person_id, []).append(c)
    return {pid: effective_check(cs) for pid, cs in by_person.items()}


def _enrich_members(session, ctx, rows):
    settings = load_settings(ctx)
    today = clock.today()
    ids = [r["id"] for r in rows]
    checks = latest_dbs_checks(session, ids) if ctx.actor.can(Perm.DBS_STATUS) else {}
    needs = {
        p.id: p
        for p in session.execute(
            select(Person.id, Person.needs_bsl, Person.interpreter_language, Person.accessibility_needs,
                   Person.support_person).where(Person.id.in_(ids))
        )
    }
    terms = {t.id: t for t in session.scalars(select(T).where(T.id.in_([r["term_id"] for r in rows])))}
    quiet = {}
    for q in session.scalars(select(QuietPeriod).where(QuietPeriod.person_id.in_(ids), QuietPeriod.starts_on <= today,
                                                       QuietPeriod.ends_on >= today)):
        quiet[q.person_id] = max(q.ends_on, quiet.get(q.person_id, q.ends_on))
    for r in rows:
        t = terms.get(r.get("term_id"))
        if t is not None:
            # The office's "ending soon" setting (the SQL filter uses the default of 90 days).
            r["status"] = term_status(t.starts_on, t.ends_on, t.override, t.override_from, today=today,
                                      ending_soon_days=settings.ending_soon_days).value
        end = r.get("term_end")
        r["days_remaining"] = (end - today).days if end and end >= today else None
        r["quiet_until"] = quiet.get(r["id"])
        if ctx.actor.can(Perm.DBS_STATUS):
            r["dbs_status"] = dbs_status(checks.get(r["id"]), today=today,
                                         recheck_years=settings.dbs_recheck_years).value
        p = needs.get(r["id"])
        bits = []
        if p is not None:
            if p.needs_bsl:
                bits.append("BSL")
            if p.interpreter_language:
                bits.append(f"Interpreter ({p.interpreter_language})")
            if p.accessibility_needs:
                bits.append("Access needs")
            if p.support_person:
                bits.append("Support person")
        r["access"] = ", ".join(bits)


register(
    ListSpec(
        kind="members",
        title="Members",
        entity="person",
        source=_latest_term,
        id_expr=Person.id,
        columns=[
            C("name", "Name", Person.first_name + " " + Person.last_name, searchable=True, width=200),
            C("preferred_name", "Known as", Person.preferred_name, searchable=True),
            C("term_id", "Term id", T.id, kind="int", hidden=True),
            C("term_start", "Term starts", T.starts_on, kind="date"),
            C("term_end", "Term ends", T.ends_on, kind="date"),
            C("status", "Status", term_status_sql, kind="enum", enum=TermStatus),
            C("days_remaining", "Days left", None, kind="int", sortable=False),
            C("dbs_status", "DBS", None, kind="enum", enum=DbsStatus, sortable=False, perm=Perm.DBS_STATUS),
            C("access", "Access needs", None, sortable=False),
            C("quiet_until", "No contact until", None, kind="date", sortable=False),
        ],
        filters=[ListFilter("status", "Status", term_status_sql, enum=TermStatus)],
        where=lambda ctx: [Person.anonymised_at.is_(None)],
        default_sort=("term_end", True),
        enrich=_enrich_members,
        description="Everyone who holds or has held a membership term (latest term shown).",
    )
)


def _latest_check_source():
    latest = select(func.max(DbsCheck.id).label("id")).group_by(DbsCheck.person_id).subquery("latest_check")
    return DbsCheck.__table__.join(latest, latest.c.id == DbsCheck.id).join(
        Person.__table__, Person.id == DbsCheck.person_id
    )


def _enrich_dbs(session, ctx, rows):
    settings = load_settings(ctx)
    checks = {c.id: c for c in session.scalars(select(DbsCheck).where(DbsCheck.id.in_([r["id"] for r in rows])))}
    for r in rows:
        r["status"] = dbs_status(checks.get(r["id"]), recheck_years=settings.dbs_recheck_years).value


register(
    ListSpec(
        kind="dbs",
        title="DBS register",
        entity="dbs_check",
        perm=Perm.DBS_READ,
        source=_latest_check_source,
        id_expr=DbsCheck.id,
        columns=[
            C("name", "Name", Person.first_name + " " + Person.last_name, searchable=True, width=200),
            C("person_id", "Person", DbsCheck.person_id, kind="int", hidden=True),
            C("status", "Status", None, kind="enum", enum=DbsStatus, sortable=False),
            C("requested_on", "Requested", DbsCheck.requested_on, kind="date"),
            C("certificate_number", "Certificate", DbsCheck.certificate_number, personal=True),
            C("issue_date", "Issued", DbsCheck.issue_date, kind="date"),
            C("level", "Level", DbsCheck.level, kind="enum", enum=DbsLevel),
            C("update_service", "Update Service", DbsCheck.update_service, kind="bool"),
            C("decision", "Decision", DbsCheck.decision, kind="enum", enum=DbsDecision),
            C("decision_on", "Decided", DbsCheck.decision_on, kind="date"),
        ],
        where=lambda ctx: [Person.anonymised_at.is_(None)],
        default_sort=("issue_date", False),
        enrich=_enrich_dbs,
        description="The fact and outcome of each member's latest DBS check. No copies of certificates.",
    )
)


def _date_filter(value):
    import datetime as dt

    from lived_experience.core.errors import UserError
    from lived_experience.core.formatting import parse_uk_date

    if isinstance(value, dt.date):
        return value
    try:
        return parse_uk_date(str(value))
    except ValueError:
        raise UserError(f"'{value}' is not a date: use dd/mm/yyyy or yyyy-mm-dd.") from None


def _enrich_expenses(session, ctx, rows):
    staff_ids = {r["approved_by_id"] for r in rows if r.get("approved_by_id")}
    staff = dict(session.execute(select(StaffUser.id, StaffUser.display_name)
                                 .where(StaffUser.id.in_(staff_ids))).all()) if staff_ids else {}
    for r in rows:
        tenths = r.get("miles_tenths")
        r["miles"] = tenths / 10 if tenths is not None else None
        r["approved_by"] = staff.get(r.get("approved_by_id"))


register(
    ListSpec(
        kind="expenses",
        title="Expenses",
        entity="expense_claim",
        source=lambda: ExpenseClaim.__table__.join(Person.__table__, Person.id == ExpenseClaim.person_id),
        id_expr=ExpenseClaim.id,
        columns=[
            C("name", "Claimant", Person.first_name + " " + Person.last_name, searchable=True, width=200),
            C("person_id", "Person", ExpenseClaim.person_id, kind="int", hidden=True),
            C("kind", "Kind", ExpenseClaim.kind, kind="enum", enum=ExpenseKind),
            C("incurred_on", "Date", ExpenseClaim.incurred_on, kind="date"),
            C("description", "Description", ExpenseClaim.description, searchable=True),
            C("miles_tenths", "Miles (tenths)", ExpenseClaim.miles_tenths, kind="int", hidden=True),
            C("miles", "Miles", None, kind="float", sortable=False),
            C("passengers", "Passengers", ExpenseClaim.passengers, kind="int", hidden=True),
            C("amount_pence", "Amount", ExpenseClaim.amount_pence, kind="money"),
            C("status", "Status", ExpenseClaim.status, kind="enum", enum=ExpenseStatus),
            C("submitted_on", "Submitted", ExpenseClaim.submitted_on, kind="date"),
            C("approved_by_id", "Approved by (id)", ExpenseClaim.approved_by_id, kind="int", hidden=True),
            C("approved_by", "Approved by", None, sortable=False),
            C("approved_on", "Approved", ExpenseClaim.approved_on, kind="date"),
            C("paid_on", "Paid", ExpenseClaim.paid_on, kind="date"),
            C("rejected_reason", "Rejected because", ExpenseClaim.rejected_reason, hidden=True),
            C("meeting_id", "Meeting", ExpenseClaim.meeting_id, kind="int", hidden=True),
        ],
        filters=[
            ListFilter("status", "Status", ExpenseClaim.status, enum=ExpenseStatus),
            ListFilter("kind", "Kind", ExpenseClaim.kind, enum=ExpenseKind),
            ListFilter("person", "Person", ExpenseClaim.person_id),
            ListFilter("from", "Incurred on or after", ExpenseClaim.incurred_on,
                       build=lambda v: ExpenseClaim.incurred_on >= _date_filter(v)),
            ListFilter("to", "Incurred on or before", ExpenseClaim.incurred_on,
                       build=lambda v: ExpenseClaim.incurred_on <= _date_filter(v)),
        ],
        default_sort=("incurred_on", True),
        enrich=_enrich_expenses,
        description="Expense claims and involvement payments. Rejected claims are kept with the reason.",
    )
)
