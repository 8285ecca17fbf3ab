"""Staff accounts, the audit log, the import history and the people list for data protection."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from db.enums import ImportStatus, Role
from db.models import (
    Application,
    AuditEvent,
    ImportBatch,
    MembershipTerm,
    Person,
    RecruitmentWindow,
    StaffUser,
)
from lived_experience.core.clock import london_to_utc
from lived_experience.listing.registry import register
from lived_experience.listing.spec import ListColumn as C
from lived_experience.listing.spec import ListFilter, ListSpec
from lived_experience.security.permissions import Perm


def _uk_day_start(value, plus_days: int = 0) -> dt.datetime:
    """The UTC moment a UK day starts; accepts a date, an ISO date or dd/mm/yyyy."""
    from lived_experience.core.errors import UserError
    from lived_experience.core.formatting import parse_uk_date

    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = parse_uk_date(str(value))
        except ValueError:
            raise UserError(f"'{value}' is not a date in the form dd/mm/yyyy.") from None
    day = day + dt.timedelta(days=plus_days)
    return london_to_utc(dt.datetime.combine(day, dt.time()))

register(
    ListSpec(
        kind="staff",
        title="Staff accounts",
        entity="staff_user",
        perm=Perm.ACCOUNTS,
        source=lambda: StaffUser.__table__,
        id_expr=StaffUser.id,
        columns=[
            C("username", "User name", StaffUser.username, searchable=True),
            C("display_name", "Name", StaffUser.display_name, searchable=True, width=200),
            C("role", "Role", StaffUser.role, kind="enum", enum=Role),
            C("is_active", "Active", StaffUser.is_active, kind="bool"),
            C("last_login_at", "Last signed in", StaffUser.last_login_at, kind="datetime"),
            C("failed_logins", "Failed sign-ins", StaffUser.failed_logins, kind="int"),
        ],
        filters=[ListFilter("role", "Role", StaffUser.role, enum=Role)],
        default_sort=("username", False),
        description="Who can sign in, and with which role.",
    )
)

register(
    ListSpec(
        kind="audit",
        title="Audit log",
        entity="audit_event",
        perm=Perm.AUDIT_READ,
        source=lambda: AuditEvent.__table__,
        id_expr=AuditEvent.id,
        columns=[
            C("occurred_at", "When", AuditEvent.occurred_at, kind="datetime"),
            C("actor", "Who", AuditEvent.actor_name, searchable=True),
            C("action", "Action", AuditEvent.action, searchable=True),
            C("entity", "Record type", AuditEvent.entity, searchable=True),
            C("entity_id", "Record", AuditEvent.entity_id, kind="int"),
            C("fields", "Fields", AuditEvent.fields, searchable=True),
            C("outcome", "Outcome", AuditEvent.outcome),
            C("detail", "Detail", AuditEvent.detail, searchable=True, width=300),
            C("subject_person_id", "About person", AuditEvent.subject_person_id, kind="int", hidden=True),
            C("actor_id", "Account id", AuditEvent.actor_id, kind="int", hidden=True),
            C("prev_hash", "Previous hash", AuditEvent.prev_hash, hidden=True),
            C("hash", "Hash", AuditEvent.hash, hidden=True),
        ],
        filters=[
            ListFilter("action", "Action", AuditEvent.action),
            ListFilter("actor", "Who", AuditEvent.actor_name),
            ListFilter("entity", "Record type", AuditEvent.entity),
            ListFilter("outcome", "Outcome", AuditEvent.outcome),
            ListFilter("subject", "About person", AuditEvent.subject_person_id),
            # Dates are UK days: from the start of "from" to the end of "to", Europe/London.
            ListFilter("from", "From", AuditEvent.occurred_at,
                       build=lambda v: AuditEvent.occurred_at >= _uk_day_start(v)),
            ListFilter("to", "To", AuditEvent.occurred_at,
                       build=lambda v: AuditEvent.occurred_at < _uk_day_start(v, 1)),
        ],
        default_sort=("id", True),
        description="Who did what and when. Append-only; never holds the values.",
    )
)

register(
    ListSpec(
        kind="imports",
        title="Imports",
        entity="import_batch",
        source=lambda: ImportBatch.__table__.outerjoin(
            RecruitmentWindow.__table__, RecruitmentWindow.id == ImportBatch.window_id
        ),
        id_expr=ImportBatch.id,
        columns=[
            C("imported_at", "When", ImportBatch.imported_at, kind="datetime"),
            C("file_name", "File", ImportBatch.file_name, searchable=True, width=240),
            C("window", "Window", RecruitmentWindow.name, searchable=True),
            C("status", "Status", ImportBatch.status, kind="enum", enum=ImportStatus),
            C("rows", "Rows", ImportBatch.rows, kind="int"),
            C("imported", "Imported", ImportBatch.imported, kind="int"),
            C("updated", "Updated", ImportBatch.updated, kind="int"),
            C("rejected", "Rejected", ImportBatch.rejected, kind="int"),
            C("sha256", "SHA-256", ImportBatch.sha256, hidden=True),
        ],
        default_sort=("imported_at", True),
        description="Every spreadsheet import, with its counts.",
    )
)


def _person_terms():
    return (select(func.count(MembershipTerm.id)).where(MembershipTerm.person_id == Person.id)
            .scalar_subquery())


def _person_applications():
    return select(func.count(Application.id)).where(Application.person_id == Person.id).scalar_subquery()


register(
    ListSpec(
        kind="people",
        title="People (data protection)",
        entity="person",
        perm=Perm.RETENTION,
        source=lambda: Person.__table__,
        id_expr=Person.id,
        columns=[
            C("name", "Name", (Person.first_name + " " + Person.last_name), searchable=True, width=220),
            C("email", "Email", Person.email, searchable=True, personal=True, width=220),
            C("applications", "Applications", _person_applications(), kind="int"),
            C("terms", "Membership terms", _person_terms(), kind="int"),
            C("created_at", "First recorded", Person.created_at, kind="datetime"),
            C("anonymised_at", "Anonymised", Person.anonymised_at, kind="datetime"),
        ],
        filters=[
            ListFilter("anonymised", "Anonymised", Person.anonymised_at,
                       build=lambda v: Person.anonymised_at.is_not(None) if str(v).lower() in ("1", "yes", "true")
                       else Person.anonymised_at.is_(None)),
        ],
        default_sort=("name", False),
        description="Everyone the database holds records about: for subject access requests and erasure.",
    )
)
