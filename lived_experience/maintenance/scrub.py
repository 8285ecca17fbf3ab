"""Making removed values leave the database files.

SQLite runs with ``secure_delete`` on (db/engine.py), so a deleted or
overwritten value is zeroed in the database file. Until a checkpoint, though,
the old page images are still in the write-ahead log (``-wal`` file):
``checkpoint_wal`` copies the log into the database and truncates it to zero
bytes. PostgreSQL keeps old row versions until VACUUM; ``checkpoint_wal``
asks for one on the tables that hold people (the server's own WAL archive and
backups are the database administrator's to manage).
"""

from __future__ import annotations

import logging
import time

from lived_experience.core.context import AppContext

log = logging.getLogger(__name__)

PG_TABLES = ("person", "application", "application_experience", "stage_change", "assessment",
             "equality_monitoring", "quiet_period", "membership_term", "dbs_check", "expense_claim", "invitation",
             "feedback_item")


def checkpoint_wal(ctx: AppContext, *, attempts: int = 20) -> bool:
    """Fold the WAL into the database file and truncate it. True when it fully succeeded."""
    db = ctx.db
    if db.is_sqlite:
        if db.sqlite_path is None:
            return True
        for attempt in range(attempts):
            with db.engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                busy, _log_frames, _done = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return True
            # Another connection is reading: give it a moment to finish.
            time.sleep(0.05 * (attempt + 1))
        log.warning("the write-ahead log could not be truncated: another program is reading the database")
        return False
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in PG_TABLES:  # our own table names, not input
                conn.exec_driver_sql(f"VACUUM {table}")
        return True
    except Exception as exc:  # noqa: BLE001 - best effort: the login may not own the tables
        log.warning("VACUUM after removing personal data failed: %s", type(exc).__name__)
        return False
