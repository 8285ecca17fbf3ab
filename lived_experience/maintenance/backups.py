"""Backups through SQLite's online backup API (or pg_dump for PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from db.backup import BackupError, integrity_problems, online_backup
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm


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
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create the folder {output.parent}: {exc.strerror}.") from None
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
            online_backup(db.sqlite_path, output, progress=progress)
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
        audit.record(s, ctx.actor, "backup", detail=f"to {output.name} ({size} bytes)")
    return BackupResult(output, size, check)


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
