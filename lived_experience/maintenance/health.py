"""``check``: is the database whole, and at the schema this code expects?"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text

from db.migrate import current_revision
from db.schema_version import HEAD_REVISION
from lived_experience.core.context import AppContext
from lived_experience.core.uow import unit_of_work
from lived_experience.security import audit


@dataclass
class HealthReport:
    database: str
    schema: str | None
    expected_schema: str
    integrity: str
    audit_events: int
    problems: list[str] = field(default_factory=list)
    audit_checked: bool = True

    @property
    def healthy(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        return [
            f"Database: {self.database}",
            f"Schema version: {self.schema or 'none'} (this version of the app expects {self.expected_schema})",
            f"Integrity: {self.integrity}",
            (f"Audit log: {self.audit_events:,} {'event' if self.audit_events == 1 else 'events'}, hash chain "
             + ("intact" if not any("audit" in p for p in self.problems) else "BROKEN or unreadable"))
            if self.audit_checked else "Audit log: not checked (the file could not be read)",
            "Healthy." if self.healthy else f"{len(self.problems)} problem(s) found.",
        ]


def check_health(ctx: AppContext) -> HealthReport:
    db = ctx.db
    problems: list[str] = []
    schema = current_revision(db)
    if schema != HEAD_REVISION:
        problems.append(f"schema is at {schema or 'nothing'}, expected {HEAD_REVISION}")
    readable = True
    if db.is_sqlite:
        from sqlalchemy.exc import DBAPIError

        try:
            with db.read_engine.connect() as conn:
                rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
                fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        except DBAPIError as exc:  # so damaged that SQLite cannot even finish checking it
            reason = str(getattr(exc, "orig", exc)).splitlines()[0]
            rows, fk, readable = [f"FAILED ({reason})"], [], False
        integrity = "ok" if rows == ["ok"] else "; ".join(rows[:5])
        if rows != ["ok"]:
            problems.append("integrity check failed: " + "; ".join(rows[:3]))
        if fk:
            problems.append(f"{len(fk)} broken references between tables")
    else:
        with db.read_engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        integrity = "ok (PostgreSQL checks its own pages; server backups apply)"
    count = 0
    if schema is not None and readable:
        try:
            with unit_of_work(ctx, readonly=True) as s:
                result = audit.verify(s)
        except Exception as exc:  # noqa: BLE001 - a damaged page under the audit table
            problems.append(f"audit log: could not be read ({type(exc).__name__})")
        else:
            count = result.checked
            problems.extend(f"audit log: {p}" for p in result.problems[:5])
    return HealthReport(db.display_name(), schema, HEAD_REVISION, integrity, count, problems,
                        audit_checked=schema is not None and readable)


def quick_check_problems(ctx: AppContext) -> list[str]:
    """SQLite's quick_check of the open database (PostgreSQL checks its own pages)."""
    from lived_experience.maintenance import encryption

    path = ctx.db.sqlite_path
    if path is None or not path.exists():
        return []
    return encryption.integrity_problems(path, encryption.passphrase_of(ctx.db.url), quick=True)


def open_read_only_if_damaged(ctx: AppContext) -> str | None:
    """Start-up: a damaged database opens read-only. Returns the reason, or None when healthy."""
    from lived_experience.maintenance.readonly import mark_read_only

    problems = quick_check_problems(ctx)
    if not problems:
        return None
    import logging

    logging.getLogger(__name__).error("quick_check found %d problem(s): %s", len(problems),
                                      " | ".join(p.replace("\n", " ") for p in problems[:5]))
    reason = "a check at start-up found damage in the database file"
    mark_read_only(ctx.db, reason)
    return reason
