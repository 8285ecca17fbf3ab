"""Who may do what. Enforced in the services, never by hiding widgets.

The matrix is data, so the role x action test can walk it and the Admin
section can show it.
"""

from __future__ import annotations

from enum import StrEnum

from db.enums import Role


class Perm(StrEnum):
    READ = "read"                          # lists and records, not the special fields below
    WRITE = "write"                        # create and change records
    CONTACT_READ = "contact_read"          # phone, email, address (audited)
    EQUALITY_READ = "equality_read"        # equality monitoring answers
    EQUALITY_WRITE = "equality_write"
    DBS_STATUS = "dbs_status"              # whether a member's DBS check is cleared (no detail)
    DBS_READ = "dbs_read"                  # the DBS register (audited)
    DBS_WRITE = "dbs_write"
    ANONYMOUS_SOURCE = "anonymous_source"  # who said an anonymous feedback item
    IMPORT = "import"
    EXPORT = "export"                      # lists, packs, reports leaving the app
    ACCOUNTS = "accounts"                  # staff accounts and roles
    SETTINGS = "settings"
    AUDIT_READ = "audit_read"
    BACKUP = "backup"
    RETENTION = "retention"                # purge, erasure, subject access


_COORDINATOR = {
    Perm.READ, Perm.WRITE, Perm.CONTACT_READ, Perm.EQUALITY_READ, Perm.EQUALITY_WRITE,
    Perm.IMPORT, Perm.EXPORT, Perm.DBS_STATUS,
}

# The roles: admin (everything, including accounts and settings); coordinator
# (recruitment, members, meetings, feedback); DBS officer (coordinator plus the DBS
# register); viewer (read only, no equality or DBS data). Who gave an anonymous
# feedback item is known to administrators only.
MATRIX: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.COORDINATOR: frozenset(_COORDINATOR),
    Role.DBS_OFFICER: frozenset(_COORDINATOR | {Perm.DBS_READ, Perm.DBS_WRITE}),
    Role.VIEWER: frozenset({Perm.READ, Perm.CONTACT_READ}),
}

ROLE_SUMMARIES: dict[Role, str] = {
    Role.ADMIN: "Everything, including staff accounts, settings, the audit log, backups, retention, "
                "erasure and subject access.",
    Role.COORDINATOR: "Recruitment, members, meetings and feedback: add, change, import and export. "
                      "Sees whether a DBS check is cleared, not its detail.",
    Role.DBS_OFFICER: "Everything a coordinator can do, plus the DBS register.",
    Role.VIEWER: "Read only. No equality monitoring answers and no DBS information.",
}

DESCRIPTIONS: dict[Perm, str] = {
    Perm.READ: "see records",
    Perm.WRITE: "add or change records",
    Perm.CONTACT_READ: "see contact details",
    Perm.EQUALITY_READ: "see equality monitoring answers",
    Perm.EQUALITY_WRITE: "record equality monitoring answers",
    Perm.DBS_STATUS: "see whether a member's DBS check is cleared",
    Perm.DBS_READ: "see the DBS register",
    Perm.DBS_WRITE: "record DBS checks",
    Perm.ANONYMOUS_SOURCE: "see who gave anonymous feedback",
    Perm.IMPORT: "import spreadsheets",
    Perm.EXPORT: "export lists, packs and reports",
    Perm.ACCOUNTS: "manage staff accounts",
    Perm.SETTINGS: "change office settings",
    Perm.AUDIT_READ: "see the audit log",
    Perm.BACKUP: "back up and restore the database",
    Perm.RETENTION: "run retention, erasure and subject access",
}


def allowed(role: str | Role, perm: Perm) -> bool:
    try:
        return perm in MATRIX[Role(role)]
    except ValueError:
        return False
