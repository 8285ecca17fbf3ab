"""Staff accounts, the audit log and the import history."""

from __future__ import annotations

from db.enums import ImportStatus, Role
from db.models import AuditEvent, ImportBatch, RecruitmentWindow, StaffUser
from lived_experience.listing.registry import register
from lived_experience.listing.spec import ListColumn as C
from lived_experience.listing.spec import ListFilter, ListSpec
from lived_experience.security.permissions import Perm

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
        ],
        filters=[
            ListFilter("action", "Action", AuditEvent.action),
            ListFilter("actor", "Who", AuditEvent.actor_name),
            ListFilter("entity", "Record type", AuditEvent.entity),
            ListFilter("outcome", "Outcome", AuditEvent.outcome),
            ListFilter("subject", "About person", AuditEvent.subject_person_id),
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
