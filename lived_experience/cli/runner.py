"""Run one command: open the database, sign in, do the work, map errors to exit codes.

Exit codes: 0 success; 2 something the user can put right (one plain line on
stderr, no traceback); 1 a bug (traceback to the log file, a short line on
stderr); 130 interrupted.
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
from collections.abc import Callable

from lived_experience.cli.parser import command_module
from lived_experience.core.context import LOCAL_SETUP, AppContext, AppPaths
from lived_experience.core.errors import UserError
from lived_experience.core.startup import open_context

log = logging.getLogger("lived_experience.cli")

# Commands that look at a database as it is, without creating or upgrading it.
NO_MIGRATE = {"check", "backup", "restore"}
# Commands that do their own checking of a damaged database.
NO_QUICK_CHECK = {"check", "backup", "restore"}
# Commands that show nothing about anyone (the health check, for IT's monitoring): no sign-in.
NO_SIGN_IN = {"check"}


DAMAGED_WARNING = ("Warning: the database is damaged and open read-only; restore a backup "
                   "('lived-experience restore FILE').")


class Runtime:
    def __init__(self, ctx: AppContext, paths: AppPaths, stdout=None, stderr=None):
        self.ctx = ctx
        self.paths = paths
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    def out(self, text: str) -> None:
        print(text, file=self.stdout)

    def err(self, text: str) -> None:
        print(text, file=self.stderr)

    def progress(self, label: str) -> Callable[[int, int], None] | None:
        """Progress as plain numbers; shown only when a person is watching a terminal."""
        if not getattr(self.stderr, "isatty", lambda: False)():
            return None

        def show(done: int, total: int) -> None:
            pct = 100 * done // total if total else 100
            self.stderr.write(f"\r{label}: {pct}%")
            if done >= total:
                self.stderr.write("\n")
            self.stderr.flush()

        return show


def sign_in(ctx: AppContext, args) -> None:
    """Accounts exist: the command runs as a named, authenticated user."""
    from lived_experience.security import accounts

    try:
        count = accounts.count_accounts(ctx)
    except Exception as exc:  # noqa: BLE001 - only restore may go on without the accounts
        from sqlalchemy.exc import DBAPIError

        if getattr(args, "command_module", None) == "restore" and isinstance(exc, DBAPIError):
            # The database is too damaged to read its accounts: restoring it is the only way on.
            # Whoever can write the file could replace it anyway; the restore is audited in the copy.
            log.warning("accounts unreadable (%s): restore runs without signing in", type(exc).__name__)
            ctx.actor = LOCAL_SETUP
            return
        raise
    if count == 0:
        ctx.actor = LOCAL_SETUP
        return
    username = getattr(args, "user", None) or os.environ.get("LIVED_EXPERIENCE_USER")
    if not username:
        raise UserError(
            "Sign-in required: this database has staff accounts. Give --user NAME (or set "
            "LIVED_EXPERIENCE_USER) and the password in LIVED_EXPERIENCE_PASSWORD."
        )
    password = os.environ.get("LIVED_EXPERIENCE_PASSWORD")
    if password is None:
        if sys.stdin is not None and sys.stdin.isatty():
            password = getpass.getpass(f"Password for {username}: ")
        else:
            raise UserError("Password required: set LIVED_EXPERIENCE_PASSWORD or run in a terminal.")
    ctx.actor = accounts.authenticate(ctx, username, password)


def database_with_passphrase(args, paths: AppPaths) -> str:
    """An encrypted database needs its passphrase: $LIVED_EXPERIENCE_DB_PASSPHRASE, else a prompt on a terminal."""
    from lived_experience.core.dburl import resolve_url
    from lived_experience.maintenance.encryption import resolve_database_arg

    def ask() -> str | None:
        if sys.stdin is not None and sys.stdin.isatty():
            return getpass.getpass("Passphrase for the encrypted database: ")
        return None

    return resolve_database_arg(resolve_url(getattr(args, "database", None), paths), ask)


def _friendly_database_error(exc: Exception) -> str | None:
    from lived_experience.maintenance.dberrors import plain_message

    return plain_message(exc)


def run_command(args, paths: AppPaths | None = None, stdout=None, stderr=None) -> int:
    from lived_experience.core.logs import setup_logging
    from lived_experience.core.paths import ensure_dirs, resolve_paths

    stderr = stderr or sys.stderr
    paths = paths or resolve_paths()
    ensure_dirs(paths)
    log_path = setup_logging(paths.log_dir)
    name = args.command_module
    ctx = None
    damaged = False
    try:
        module = command_module(name)
        args.database = database_with_passphrase(args, paths)
        ctx = open_context(args, paths, migrate=name not in NO_MIGRATE)
        if name not in NO_QUICK_CHECK:
            from lived_experience.maintenance.health import open_read_only_if_damaged

            damaged = bool(open_read_only_if_damaged(ctx))
        if name in NO_SIGN_IN:
            ctx.actor = LOCAL_SETUP
        else:
            sign_in(ctx, args)
        code = module.run(args, Runtime(ctx, paths, stdout, stderr))
        if damaged:
            print(DAMAGED_WARNING, file=stderr)
        return code
    except UserError as exc:
        print(exc.message, file=stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped. Nothing half-done was saved.", file=stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): normal for a command whose output was all it
        # needed. Point stdout at nothing so the interpreter's final flush cannot fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        from sqlalchemy.exc import DBAPIError

        if isinstance(exc, DBAPIError | OSError):
            friendly = _friendly_database_error(exc)
            if friendly:
                log.warning("command %s refused: %s", name, type(exc).__name__)
                # One line: a damaged database's warning and the failure it caused, together.
                print("The database is damaged and this command could not read it: restore a backup "
                      "('lived-experience restore FILE')." if damaged else friendly, file=stderr)
                return 2
        log.exception("command %s failed", name)
        print(f"Something went wrong ({type(exc).__name__}). Nothing half-done was saved. "
              f"Details for support are in {log_path}.", file=stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.db.dispose()
