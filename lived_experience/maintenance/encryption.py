"""The optional encrypted database: SQLCipher (``sqlcipher3``), a passphrase at start-up.

- ``encrypt --output FILE`` writes an encrypted copy of the database in use
  (AES-256, SQLCipher 4 defaults); the office then starts the app with
  ``--database FILE`` (or sets LIVED_EXPERIENCE_DATABASE_URL to it).
- At start-up, a database file that is not plain SQLite (or a URL
  ``sqlite+pysqlcipher:///FILE``) needs the passphrase: from
  ``LIVED_EXPERIENCE_DB_PASSPHRASE``, else asked for (a prompt on a terminal,
  a dialog in the window). Without it: exit 2 "Passphrase required".
- Backups of an encrypted database are encrypted with the same passphrase,
  and integrity-checked with it; restore and the start-up check use it too.

A lost passphrase cannot be recovered: the data is gone. Keep it where your
office keeps other recovery secrets.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from lived_experience.core.errors import UserError

PASSPHRASE_ENV = "LIVED_EXPERIENCE_DB_PASSPHRASE"
DRIVER = "pysqlcipher"
MIN_PASSPHRASE = 12
PLAIN_HEADER = b"SQLite format 3\x00"


def database_errors() -> tuple[type[Exception], ...]:
    """The DB-API errors of both drivers (sqlcipher3 has its own classes)."""
    errors: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
    if available():
        import sqlcipher3

        errors += (sqlcipher3.DatabaseError,)
    return errors


def available() -> bool:
    return importlib.util.find_spec("sqlcipher3") is not None


def _require_available() -> None:
    if not available():
        raise UserError("This database is encrypted, and the encryption library (sqlcipher3) is not installed "
                        "on this PC. Install it with: pip install \"sqlcipher3>=0.6.4,<0.7\".")


def is_encrypted_url(url: str) -> bool:
    try:
        return make_url(url).get_driver_name() == DRIVER
    except Exception:  # noqa: BLE001 - not a URL at all
        return False


def passphrase_of(url: str) -> str | None:
    return make_url(url).password if is_encrypted_url(url) else None


def looks_encrypted(path: Path) -> bool:
    """A file whose first bytes look random: SQLCipher encrypts from the first page on. Plain SQLite
    starts "SQLite format 3"; a text file (a CSV, a note) starts with printable characters."""
    try:
        with open(path, "rb") as f:
            header = f.read(16)
    except OSError:
        return False
    if len(header) < 16 or header == PLAIN_HEADER:
        return False
    return any(b < 9 or 13 < b < 32 or b > 126 for b in header)


def encrypted_url(path: Path, passphrase: str) -> str:
    url = URL.create(f"sqlite+{DRIVER}", username="", password=passphrase, database=str(Path(path)))
    return url.render_as_string(hide_password=False)


def resolve_database_arg(url: str, ask: Callable[[], str | None] | None) -> str:
    """``url`` with the passphrase filled in when the database is encrypted; unchanged otherwise."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return url
    path = Path(parsed.database)
    if parsed.get_driver_name() != DRIVER and not looks_encrypted(path):
        return url
    _require_available()
    passphrase = parsed.password or os.environ.get(PASSPHRASE_ENV) or (ask() if ask else None)
    if not passphrase:
        raise UserError(f"Passphrase required: this database is encrypted (or it is not a database at all). "
                        f"Set {PASSPHRASE_ENV} or run in a terminal.")
    if not check_passphrase(path, passphrase):
        raise UserError("That passphrase does not open this database (or the file is not a database).")
    return encrypted_url(path, passphrase)


def connect(path: Path, passphrase: str | None, *, read_only: bool = False):
    """A DB-API connection: plain sqlite3 without a passphrase, sqlcipher3 keyed with one."""
    if passphrase is None:
        if read_only:
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        return sqlite3.connect(path, timeout=10)
    _require_available()
    import sqlcipher3

    conn = sqlcipher3.connect(f"file:{path}?mode=ro" if read_only else str(path), uri=read_only, timeout=10)
    conn.execute("PRAGMA key = '" + passphrase.replace("'", "''") + "'")
    return conn


def check_passphrase(path: Path, passphrase: str) -> bool:
    if not path.exists():
        return True  # a new database: this passphrase will create it
    try:
        conn = connect(path, passphrase, read_only=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - sqlcipher3 and sqlite3 errors alike
        return False
    return True


def integrity_problems(path: Path, passphrase: str | None, *, quick: bool = False) -> list[str]:
    """SQLite's integrity (or quick) check of a plain or encrypted file; empty means healthy."""
    try:
        conn = connect(path, passphrase, read_only=True)
    except Exception as exc:  # noqa: BLE001
        return [f"cannot open: {exc}"]
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {'quick_check' if quick else 'integrity_check'}")]
    except Exception as exc:  # noqa: BLE001
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def backup(source: Path, destination: Path, passphrase: str | None, progress=None) -> Path:
    """An online backup (plain, or encrypted with the same passphrase), checked before it is renamed into place."""
    from db.backup import online_backup

    return online_backup(source, destination, progress,
                         connect=lambda path, read_only=False: connect(path, passphrase, read_only=read_only),
                         check=lambda path: integrity_problems(path, passphrase))


def validate_passphrase(passphrase: str) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise UserError(f"The passphrase must be at least {MIN_PASSPHRASE} characters long (a few unrelated "
                        "words work well).")


def encrypt_copy(source: Path, output: Path, passphrase: str) -> Path:
    """Write an encrypted copy of the plain database ``source`` to ``output`` (which must not exist)."""
    _require_available()
    validate_passphrase(passphrase)
    output = Path(output).expanduser()
    if output.exists():
        raise UserError(f"{output} already exists: choose a new file name for the encrypted copy.")
    output.parent.mkdir(parents=True, exist_ok=True)
    import sqlcipher3

    partial = output.with_name(output.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    conn = sqlcipher3.connect(str(source), timeout=10)  # no key: the source is plain SQLite
    try:
        quoted_path = str(partial).replace("'", "''")
        quoted_key = passphrase.replace("'", "''")
        conn.execute(f"ATTACH DATABASE '{quoted_path}' AS encrypted KEY '{quoted_key}'")
        conn.execute("SELECT sqlcipher_export('encrypted')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    problems = integrity_problems(partial, passphrase)
    if problems or not looks_encrypted(partial):
        partial.unlink(missing_ok=True)
        raise UserError("The encrypted copy failed its check, so it was removed. The database is unchanged.")
    os.replace(partial, output)
    return output
