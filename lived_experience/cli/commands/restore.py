"""``restore FILE [--yes]``: put a backup back in place of the database in use.

A safety copy of the current database is made first; the file is checked
(whole, and a Lived Experience backup) before anything changes; an older
backup is upgraded to this version's schema after it is restored.
"""

from __future__ import annotations


def add(sub):
    p = sub.add_parser("restore", help="replace the database with a backup (a safety copy is made first)")
    p.add_argument("file", metavar="FILE", help="the backup to restore (.sqlite3)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return p


def run(args, rt) -> int:
    import sys
    from pathlib import Path

    from lived_experience.core.errors import UserError
    from lived_experience.core.formatting import uk_datetime
    from lived_experience.maintenance.encryption import passphrase_of
    from lived_experience.maintenance.restore import inspect_backup, restore_from

    facts = inspect_backup(Path(args.file), passphrase_of(rt.ctx.db.url))
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            raise UserError("Restoring replaces every record in the database with the backup's. Add --yes to "
                            "confirm (a safety copy of the current database is made first).")
        answer = input(f"Replace the database {rt.ctx.db.display_name()} with {facts.path.name} "
                       f"({facts.people} people)? Type yes to restore: ")
        if answer.strip().lower() != "yes":
            raise UserError("Nothing was restored.")
    result = restore_from(rt.ctx, facts.path, progress=rt.progress("Restoring"))
    from lived_experience.core import clock

    rt.out(f"Restored {result.restored_from} ({result.people} people) at {uk_datetime(clock.now())}.")
    if result.safety_copy:
        rt.out(f"The database as it was is kept in {result.safety_copy}.")
    if result.schema_before != result.schema_after:
        rt.out(f"The backup was upgraded from schema {result.schema_before} to {result.schema_after}.")
    return 0
