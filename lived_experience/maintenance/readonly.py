"""Read-only mode: a damaged database is opened for reading only.

When start-up finds a problem (``PRAGMA quick_check``), the database is marked
read-only: every statement that would change it is refused with one clear
message before it reaches the file, so nothing is written on top of the damage
while someone restores a backup. Reading still works (audit events for views
are skipped and logged instead, since they cannot be written).
"""

from __future__ import annotations

import logging

from sqlalchemy import event

from db.engine import Database
from lived_experience.core.errors import UserError

log = logging.getLogger(__name__)

_ATTR = "_le_read_only_reason"
_LISTENER = "_le_read_only_listener"
_WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "TRUNCATE", "VACUUM",
           "REINDEX", "GRANT", "REVOKE", "COPY"}


class ReadOnlyDatabase(UserError):
    """A write was refused because the database is open read-only."""


def message(reason: str) -> str:
    return (f"The database is open read-only because {reason}. Nothing can be changed until a backup is "
            "restored: an administrator can do this in Admin > Backups (or with 'lived-experience "
            "restore FILE').")


def read_only_reason(db: Database) -> str | None:
    return getattr(db, _ATTR, None)


def is_read_only(db: Database) -> bool:
    return read_only_reason(db) is not None


def mark_read_only(db: Database, reason: str) -> None:
    """Refuse every change to ``db`` from now on, with a message naming ``reason``."""
    if is_read_only(db):
        return
    setattr(db, _ATTR, reason)
    log.warning("database opened read-only: %s", reason)

    def refuse(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if verb in _WRITES or (verb == "PRAGMA" and "=" in statement and "QUERY_ONLY" not in statement.upper()):
            raise ReadOnlyDatabase(message(reason))

    event.listen(db.engine, "before_cursor_execute", refuse)
    setattr(db, _LISTENER, refuse)


def clear_read_only(db: Database) -> None:
    """A backup was restored over the damage: writing is allowed again."""
    fn = getattr(db, _LISTENER, None)
    if fn is not None:
        event.remove(db.engine, "before_cursor_execute", fn)
        delattr(db, _LISTENER)
    if hasattr(db, _ATTR):
        delattr(db, _ATTR)


def refuse_if_read_only(db: Database) -> None:
    reason = read_only_reason(db)
    if reason:
        raise ReadOnlyDatabase(message(reason))
