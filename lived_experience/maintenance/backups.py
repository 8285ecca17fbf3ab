"""Backups through SQLite's online backup API (or pg_dump for PostgreSQL).

- ``backup_to``: a backup on request (File > Back up now, Admin > Backups, ``backup``).
- ``automatic_backup_if_due``: once a day at start-up, into the backups folder as
  ``auto-YYYYMMDD-HHMMSS.sqlite3``, each integrity-checked; the newest
  ``backup_keep`` automatic backups are kept (the same for the safety copies
  made before an upgrade or a restore). Backups saved by hand are never removed.
- ``list_backups``: what is in the backups folder and when each will be removed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from db.backup import BackupError, integrity_problems, online_backup
from lived_experience.core import clock
from lived_experience.core.context import SYSTEM, AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

log = logging.getLogger(__name__)

AUTO = "auto"
BEFORE_UPGRADE = "before-upgrade"
BEFORE_RESTORE = "before-restore"
MANUAL = "manual"
KIND_LABELS = {
    AUTO: "Automatic (daily)",
    BEFORE_UPGRADE: "Safety copy before an upgrade",
    BEFORE_RESTORE: "Safety copy before a restore",
    MANUAL: "Made by hand",
}
_STAMP = re.compile(r"(\d{8})-(\d{6})")


@dataclass
class BackupResult:
    path: Path
    size_bytes: int
    check: str


def _check_output(db_path: Path | None, output: Path) -> Path:
    output = output.expanduser()
    if output.exists() and output.is_dir():
        raise UserError(f"{output} is a folder: give the backup a file name.")
    if db_path is not None and output.resolve() == db_path.resolve():
        raise UserError("The backup cannot overwrite the database it is copying.")
    # A folder that is not there is most often a typing slip: say so rather than create it
    # (as every export does), so the backup is where the user will look for it.
    if not output.parent.is_dir():
        raise UserError(f"The folder {output.parent} does not exist: create it first, or choose another "
                        "place for the backup.")
    if not os.access(output.parent, os.W_OK):
        raise UserError(f"You cannot write to {output.parent}.")
    return output


def backup_to(ctx: AppContext, output: Path, progress: Callable[[int, int], None] | None = None) -> BackupResult:
    require(ctx, Perm.BACKUP)
    db = ctx.db
    if db.is_sqlite:
        if db.sqlite_path is None:
            raise UserError("An in-memory database cannot be backed up.")
        output = _check_output(db.sqlite_path, output)
        try:
            _sqlite_backup(ctx, output, progress)
        except BackupError as exc:
            raise UserError(f"The backup failed: {exc}. The database itself is unchanged.") from None
        except OSError as exc:
            raise UserError(f"The backup could not be written to {output}: {exc.strerror}.") from None
        check = "integrity_check ok"
    else:
        output = _check_output(None, output)
        check = _pg_dump(db.url, output)
    size = output.stat().st_size
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "backup", detail=f"to {audit.where(output)} ({size} bytes)"[:500])
    return BackupResult(output, size, check)


# -- the backups folder ------------------------------------------------------------------------
@dataclass
class BackupInfo:
    path: Path
    kind: str
    made_at: dt.datetime  # UTC
    size_bytes: int
    expires: str  # plain English: when rotation will remove it
    expires_on: dt.date | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _kind(name: str) -> str:
    for kind in (AUTO, BEFORE_UPGRADE, BEFORE_RESTORE):
        if name.startswith(kind + "-"):
            return kind
    return MANUAL


def _made_at(path: Path) -> dt.datetime:
    """When a backup was made: the time in its name (local time), else the file's time."""
    m = _STAMP.search(path.name)
    if m:
        try:
            local = dt.datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
            return local.astimezone(dt.UTC)
        except ValueError:
            pass
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def _stamp() -> str:
    return clock.now().astimezone().strftime("%Y%m%d-%H%M%S")


def backup_files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.is_file() and p.suffix == ".sqlite3"]


def list_backups(ctx: AppContext, keep: int | None = None) -> list[BackupInfo]:
    """The backups in the backups folder, newest first, with when rotation removes each.

    An automatic backup goes when ``backup_keep`` newer automatic backups exist: with the app
    opened every day, that is ``backup_keep`` days after it was made."""
    if keep is None:
        from lived_experience.settings import load as load_settings

        keep = load_settings(ctx).backup_keep
    folder = ctx.paths.backup_dir if ctx.paths else None
    infos = []
    for p in backup_files(folder):
        try:
            infos.append(BackupInfo(p, _kind(p.name), _made_at(p), p.stat().st_size, ""))
        except OSError:
            continue
    infos.sort(key=lambda i: i.made_at, reverse=True)
    seen: dict[str, int] = {}
    for info in infos:
        if info.kind == MANUAL:
            info.expires = "Never removed automatically: delete it when it is no longer needed"
            continue
        newer = seen.get(info.kind, 0)
        seen[info.kind] = newer + 1
        left = keep - newer
        if info.kind == AUTO:
            info.expires_on = (clock.to_london(info.made_at) + dt.timedelta(days=keep)).date()
            info.expires = (f"Removed after {left} more automatic backup{'s' if left != 1 else ''} "
                            f"(about {info.expires_on.strftime('%d/%m/%Y')} if the app is opened daily)")
        else:
            info.expires = (f"Removed after {left} more safety cop{'ies' if left != 1 else 'y'} of this kind")
    return infos


def rotate(ctx: AppContext, keep: int) -> list[Path]:
    """Remove the oldest automatic backups and safety copies beyond ``keep`` of each kind."""
    removed = []
    by_kind: dict[str, list[BackupInfo]] = {}
    for info in list_backups(ctx, keep):
        by_kind.setdefault(info.kind, []).append(info)
    for kind, infos in by_kind.items():
        if kind == MANUAL:
            continue
        for info in infos[keep:]:
            try:
                info.path.unlink()
                removed.append(info.path)
            except OSError as exc:
                log.warning("could not remove an old backup: %s", exc.strerror)
    return removed


def newest_automatic(ctx: AppContext) -> BackupInfo | None:
    autos = [i for i in list_backups(ctx, 10_000) if i.kind == AUTO]
    return autos[0] if autos else None


def automatic_backup_if_due(ctx: AppContext, *, progress: Callable[[int, int], None] | None = None
                            ) -> BackupResult | None:
    """Start-up: one integrity-checked backup a day into the backups folder, then rotation.

    SQLite only (a PostgreSQL server has its own backups). None when today's backup exists."""
    from lived_experience.maintenance.readonly import is_read_only
    from lived_experience.settings import load as load_settings

    db = ctx.db
    if not db.is_sqlite or db.sqlite_path is None or ctx.paths is None or is_read_only(db):
        return None
    newest = newest_automatic(ctx)
    if newest is not None and clock.to_london(newest.made_at).date() == clock.today():
        return None
    keep = load_settings(ctx).backup_keep
    output = ctx.paths.backup_dir / f"{AUTO}-{_stamp()}.sqlite3"
    try:
        _sqlite_backup(ctx, output, progress)
    except (BackupError, OSError) as exc:
        log.error("automatic backup failed: %s", exc)
        raise UserError(f"Today's automatic backup failed: {exc}. The database itself is unchanged.") from None
    size = output.stat().st_size
    removed = rotate(ctx, keep)
    system = dataclasses.replace(ctx, actor=SYSTEM, cache={})
    with unit_of_work(system) as s:
        audit.record(s, SYSTEM, "backup", detail=f"automatic, to {audit.where(output)} ({size} bytes); "
                     f"{len(removed)} old backup(s) removed"[:500])
    log.info("automatic backup made (%d bytes), %d old removed", size, len(removed))
    return BackupResult(output, size, "integrity_check ok")


def _sqlite_backup(ctx: AppContext, output: Path, progress) -> Path:
    """The online backup API; an encrypted database gives a backup encrypted with the same passphrase."""
    from lived_experience.maintenance import encryption

    db = ctx.db
    if encryption.is_encrypted_url(db.url):
        return encryption.backup(db.sqlite_path, output, encryption.passphrase_of(db.url), progress)
    return online_backup(db.sqlite_path, output, progress=progress)


def _pg_dump(url: str, output: Path) -> str:
    pg_dump = shutil.which("pg_dump")
    pg_restore = shutil.which("pg_restore")
    if not pg_dump or not pg_restore:
        raise UserError(
            "Backing up a PostgreSQL database needs pg_dump and pg_restore on this PC. Install the "
            "PostgreSQL client tools, or use your server's own backups."
        )
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    args = [pg_dump, "-Fc", "-f", str(output), "-h", u.host or "localhost", "-p", str(u.port or 5432),
            "-U", u.username or os.environ.get("USER", "postgres"), u.database or ""]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        output.unlink(missing_ok=True)
        raise UserError("pg_dump failed: " + (done.stderr.strip().splitlines() or ["no detail"])[-1])
    listing = subprocess.run([pg_restore, "--list", str(output)], capture_output=True, text=True, timeout=600)
    if listing.returncode != 0 or "TABLE DATA" not in listing.stdout:
        output.unlink(missing_ok=True)
        raise UserError("The PostgreSQL backup could not be read back, so it was removed.")
    return "pg_restore --list ok"


def verify_backup_file(path: Path) -> list[str]:
    return integrity_problems(path)
