"""Restoring a backup over the database in use (SQLite).

1. The file is checked first: it must open, pass ``integrity_check``, and be a
   Lived Experience database (its schema version is one this app knows, and
   the app's tables are there). Anything else is refused and nothing changes.
2. A safety copy of the current database goes into the backups folder
   (``before-restore-...``), even when the current file is damaged.
3. The backup is copied in through SQLite's online backup API, which replaces
   the database page by page under SQLite's own locks (other windows see the
   restored data at their next action); if the current file is too damaged to
   open, the file itself is replaced.
4. The restored database is integrity-checked, upgraded to this version's
   schema if it is older (with its own safety copy), and the restore is
   recorded in its audit log.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from db.backup import BackupError
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import FileRefused, UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.maintenance import encryption
from lived_experience.maintenance.backups import BEFORE_RESTORE, _stamp
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

log = logging.getLogger(__name__)
REQUIRED_TABLES = {"alembic_version", "person", "staff_user", "audit_event", "app_setting"}


@dataclass
class BackupFacts:
    path: Path
    revision: str
    people: int
    audit_events: int
    size_bytes: int
    encrypted: bool = False


@dataclass
class RestoreResult:
    restored_from: Path
    safety_copy: Path | None
    schema_before: str
    schema_after: str
    people: int


def inspect_backup(path: Path, passphrase: str | None = None) -> BackupFacts:
    """Check that ``path`` is a whole Lived Experience backup this version can open; FileRefused if not.

    ``passphrase``: the database in use is encrypted, and so are its backups."""
    from db.migrate import known_revisions

    path = Path(path).expanduser()
    if not path.exists():
        raise FileRefused(f"There is no file at {path}.")
    if path.is_dir():
        raise FileRefused(f"{path} is a folder, not a backup file.")
    with open(path, "rb") as f:
        header = f.read(16)
    plain = header == b"SQLite format 3\x00"
    if not plain and (passphrase is None or not encryption.check_passphrase(path, passphrase)):
        raise FileRefused(f"{path.name} is not a Lived Experience backup (it is not a database file, or it is "
                          "encrypted with a different passphrase).")
    key = None if plain else passphrase
    problems = encryption.integrity_problems(path, key)
    if problems:
        raise FileRefused(f"{path.name} is damaged ({'; '.join(problems[:2])[:200]}), so it was not restored. "
                          "Choose another backup.")
    conn = encryption.connect(path, key, read_only=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables >= REQUIRED_TABLES:
            raise FileRefused(f"{path.name} is not a Lived Experience backup (it is a different kind of database).")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        people = conn.execute("SELECT count(*) FROM person").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    except encryption.database_errors():
        raise FileRefused(f"{path.name} is not a Lived Experience backup.") from None
    finally:
        conn.close()
    if row is None:
        raise FileRefused(f"{path.name} is not a Lived Experience backup (it has no schema version).")
    if row[0] not in known_revisions():
        raise FileRefused(f"{path.name} was made by a newer version of Lived Experience. Install that version "
                          "to restore it.")
    return BackupFacts(path, row[0], people, events, path.stat().st_size, encrypted=key is not None)


def _safety_copy(ctx: AppContext, target: Path) -> Path | None:
    if not target.exists():
        return None
    folder = ctx.paths.backup_dir if ctx.paths else target.parent
    dest = folder / f"{BEFORE_RESTORE}-{_stamp()}.sqlite3"
    try:
        encryption.backup(target, dest, encryption.passphrase_of(ctx.db.url))
        return dest
    except (BackupError, OSError, *encryption.database_errors()) as exc:
        # The current file is damaged: keep it exactly as it is, beside the backups.
        log.warning("safety copy through the backup API failed (%s): copying the file as it is",
                    type(exc).__name__)
    dest = folder / f"{BEFORE_RESTORE}-{_stamp()}-damaged.sqlite3"
    try:
        shutil.copy2(target, dest)
        wal = target.with_name(target.name + "-wal")
        if wal.exists():
            shutil.copy2(wal, dest.with_name(dest.name + "-wal"))
    except OSError as exc:
        raise UserError(f"The safety copy of the current database could not be made ({exc.strerror}), so "
                        "nothing was restored.") from None
    return dest


def _copy_in(source: Path, target: Path, progress, source_key: str | None, target_key: str | None) -> None:
    """Replace ``target``'s content with ``source``'s through the backup API (SQLite's locks apply)."""
    if source_key != target_key:
        raise UserError("That backup is not encrypted the same way as the database in use, so it cannot be "
                        "restored over it. Open it with --database instead.")
    src = encryption.connect(source, source_key, read_only=True)
    try:
        dst = encryption.connect(target, target_key)
        try:
            def _progress(_status, remaining, total):
                if progress:
                    progress(total - remaining, total)

            src.backup(dst, pages=256, progress=_progress)
            dst.execute("PRAGMA journal_mode = WAL")
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            dst.close()
    finally:
        src.close()


def _replace_file(source: Path, target: Path, key: str | None) -> None:
    """The current file cannot even be opened: put a clean copy in its place."""
    tmp = target.with_name(target.name + ".restoring")
    encryption.backup(source, tmp, key)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            target.with_name(target.name + suffix).unlink()
    try:
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"The database file could not be replaced ({exc.strerror}): close Lived Experience on "
                        "this PC (every window) and try again.") from None


def restore_from(ctx: AppContext, source: Path, *, progress: Callable[[int, int], None] | None = None
                 ) -> RestoreResult:
    """Restore ``source`` over the database in use. Needs BACKUP (administrators)."""
    from db.migrate import current_revision, ensure_schema
    from lived_experience.maintenance.readonly import clear_read_only

    require(ctx, Perm.BACKUP, entity="database")
    db = ctx.db
    if not db.is_sqlite:
        raise UserError("On PostgreSQL, restore with the server's own tools (pg_restore) or ask your database "
                        "administrator; see 'Backups' in the README.")
    target = db.sqlite_path
    if target is None:
        raise UserError("An in-memory database cannot be restored.")
    source = Path(source).expanduser()
    if source.exists() and target.exists() and source.resolve() == target.resolve():
        raise UserError("That is the database in use: choose a backup file.")
    key = encryption.passphrase_of(db.url)
    facts = inspect_backup(source, key)
    source_key = key if facts.encrypted else None
    if source_key != key:
        raise UserError("That backup is not encrypted the same way as the database in use, so it cannot be "
                        "restored over it. Open it with --database instead.")
    safety = _safety_copy(ctx, target)
    db.engine.dispose()
    try:
        _copy_in(facts.path, target, progress, source_key, key)
    except encryption.database_errors() as exc:
        log.warning("restoring through the backup API failed (%s): replacing the file", type(exc).__name__)
        _replace_file(facts.path, target, key)
    db.engine.dispose()
    problems = encryption.integrity_problems(target, key)
    if problems:
        raise UserError("The restored database failed its integrity check. The safety copy of the database "
                        f"as it was is {safety}.")
    clear_read_only(db)
    ensure_schema(db, ctx.paths.backup_dir if ctx.paths else None)
    after = current_revision(db) or facts.revision
    ctx.cache.clear()
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "restore", entity="database",
                     detail=(f"from {facts.path} (schema {facts.revision}, {facts.people} people); "
                             f"safety copy {safety.name if safety else 'none'}; at {clock.now().isoformat()}")[:500])
    log.info("database restored from a backup (schema %s -> %s)", facts.revision, after)
    return RestoreResult(facts.path, safety, facts.revision, after, facts.people)
