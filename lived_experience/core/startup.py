"""Opening a database for the app or a command: choose it, check where it is,
upgrade its schema safely."""

from __future__ import annotations

from lived_experience.core.context import AppContext, AppPaths
from lived_experience.core.errors import UserError


def open_context(args, paths: AppPaths, *, migrate: bool = True) -> AppContext:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from db.engine import open_database
    from db.migrate import SchemaTooNew, ensure_schema
    from lived_experience.core.dburl import resolve_url
    from lived_experience.maintenance.location import refuse_unsafe_location

    url = resolve_url(getattr(args, "database", None), paths)
    try:
        parsed = make_url(url)
    except Exception:
        raise UserError(f"'{url}' is not a database URL or a file path.") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise UserError("Only SQLite files and PostgreSQL databases are supported.")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        refuse_unsafe_location(path)
        if not migrate and not path.exists():
            raise UserError(f"There is no database at {path}.")
        if path.exists() and path.is_dir():
            raise UserError(f"{path} is a folder, not a database file.")
        if path.parent.exists() and not path.parent.is_dir():
            raise UserError(f"{path.parent} is a file, not a folder, so the database cannot be kept there.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"The folder {path.parent} cannot be made for the database: "
                            f"{(exc.strerror or type(exc).__name__).lower()}.") from None
    db = open_database(url)
    ctx = AppContext(db=db, paths=paths)
    if migrate:
        from lived_experience.maintenance import encryption

        backup_fn = None
        if encryption.is_encrypted_url(url):
            passphrase = encryption.passphrase_of(url)

            def backup_fn(source, destination):
                return encryption.backup(source, destination, passphrase)

        from db.backup import BackupError

        try:
            ensure_schema(db, paths.backup_dir, backup_fn=backup_fn)
        except SchemaTooNew as exc:
            raise UserError(str(exc)) from None
        except BackupError as exc:
            db.dispose()
            raise UserError(
                "This database needs upgrading to this version of the app, but it could not be backed up "
                f"first ({str(exc).rstrip('.')}), so it was left as it was. If it is damaged, restore a backup "
                "('lived-experience restore FILE').") from None
    return ctx


