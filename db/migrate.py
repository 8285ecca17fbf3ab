"""Bring a database to the schema this code expects, safely.

Start-up calls :func:`ensure_schema`. When the database is already at head it
costs one query and never imports Alembic. When it is behind, a SQLite file is
backed up first (online backup API, integrity-checked), then upgraded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text

from db.backup import online_backup
from db.engine import Database
from db.schema_version import HEAD_REVISION

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class SchemaTooNew(Exception):
    """The database was written by a newer version of the application."""


@dataclass
class SchemaResult:
    before: str | None
    after: str
    created: bool
    backup: Path | None


def current_revision(db: Database) -> str | None:
    with db.read_engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except Exception:  # no table yet
            return None
    return row[0] if row else None


def _alembic_config(db: Database, connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config_standalone()
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def _alembic_config_standalone():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def script_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config_standalone()).get_current_head()


def _upgrade(db: Database, target: str = "head") -> None:
    from alembic import command

    if db.is_sqlite:
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            # Batch mode copies and drops tables; with foreign keys on, the drop
            # would cascade into child rows. Checked again before commit.
            raw.execute("PRAGMA foreign_keys = OFF")
            try:
                with conn.begin():
                    command.upgrade(_alembic_config(db, conn), target)
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise RuntimeError(f"migration left {len(bad)} broken references")
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
    else:
        with db.engine.connect() as conn, conn.begin():
            # Two PCs starting at once: only one migrates, the other waits.
            conn.execute(text("SELECT pg_advisory_xact_lock(727001)"))
            command.upgrade(_alembic_config(db, conn), target)


def ensure_schema(db: Database, backup_dir: Path | None = None, *,
                  backup_fn: Callable[[Path, Path], Path] | None = None) -> SchemaResult:
    """``backup_fn(source, destination)`` makes the pre-upgrade copy; the default is the
    plain SQLite online backup (an encrypted database passes its own)."""
    before = current_revision(db)
    if before == HEAD_REVISION:
        return SchemaResult(before, before, False, None)
    fresh = before is None and not inspect(db.engine).get_table_names()
    if before is not None and before not in known_revisions():
        raise SchemaTooNew(
            "This database was made by a newer version of Lived Experience. "
            "Install the newer version to open it."
        )
    backup = None
    if not fresh and db.is_sqlite and db.sqlite_path and backup_dir is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = (backup_fn or online_backup)(
            db.sqlite_path, Path(backup_dir) / f"before-upgrade-{before or 'unversioned'}-{stamp}.sqlite3"
        )
        log.info("backed up database before migrating to %s", backup.name)
    _upgrade(db)
    return SchemaResult(before, HEAD_REVISION, fresh, backup)
