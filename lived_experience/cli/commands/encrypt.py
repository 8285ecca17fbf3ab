"""``encrypt --output FILE``: an encrypted copy (SQLCipher) of the database in use.

The passphrase comes from ``LIVED_EXPERIENCE_DB_PASSPHRASE``, else a prompt on a
terminal (typed twice); without either, exit 2. Afterwards start the app with
``--database FILE``: it asks for the passphrase at start-up. The original file is
left as it was: delete it securely once the encrypted copy is in use.
"""

from __future__ import annotations


def add(sub):
    p = sub.add_parser("encrypt", help="write an encrypted copy of the database (SQLCipher; administrators)")
    p.add_argument("--output", required=True, metavar="FILE", help="the encrypted database to create")
    return p


def run(args, rt) -> int:
    import getpass
    import os
    import sys
    from pathlib import Path

    from lived_experience.core.errors import UserError
    from lived_experience.maintenance import encryption
    from lived_experience.security import audit
    from lived_experience.security.guard import require
    from lived_experience.security.permissions import Perm

    require(rt.ctx, Perm.BACKUP, entity="database")
    db = rt.ctx.db
    if not db.is_sqlite or db.sqlite_path is None:
        raise UserError("Only a SQLite database file can be encrypted; PostgreSQL servers encrypt their own disks.")
    if encryption.is_encrypted_url(db.url):
        raise UserError("This database is already encrypted.")
    if not encryption.available():
        raise UserError("The encryption library is not installed: pip install \"sqlcipher3>=0.6.4,<0.7\".")
    passphrase = os.environ.get(encryption.PASSPHRASE_ENV)
    if not passphrase:
        if sys.stdin is None or not sys.stdin.isatty():
            raise UserError(f"Passphrase required: set {encryption.PASSPHRASE_ENV} or run in a terminal.")
        passphrase = getpass.getpass("Passphrase for the encrypted copy: ")
        if getpass.getpass("Type it again: ") != passphrase:
            raise UserError("The two passphrases are not the same: nothing was written.")
    output = encryption.encrypt_copy(db.sqlite_path, Path(args.output), passphrase)
    audit.record_now(rt.ctx, "database.encrypt", entity="database", detail=f"encrypted copy written to {audit.where(output)}")
    rt.out(f"Encrypted copy written to {output} and checked.")
    rt.out(f"Start the app with --database \"{output}\"; it asks for the passphrase (or reads "
           f"{encryption.PASSPHRASE_ENV}). Keep the passphrase safe: without it the data cannot be recovered.")
    rt.out(f"Then delete {db.sqlite_path} securely, with its backups.")
    return 0
