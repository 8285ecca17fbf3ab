"""``create-user NAME --role ROLE [--display-name TEXT]``: add a staff account.

The new account's password comes from ``LIVED_EXPERIENCE_NEW_PASSWORD`` (or, when
that is not set, ``LIVED_EXPERIENCE_PASSWORD``), else a prompt on a terminal;
without either, exit 2. On a database with no accounts yet this creates the
first administrator; after that it needs an administrator signed in (``--user``).
"""

from __future__ import annotations

import os
import sys

NEW_PASSWORD_ENV = "LIVED_EXPERIENCE_NEW_PASSWORD"


def add(sub):
    p = sub.add_parser("create-user", help="add a staff account (the first one must be an administrator)")
    p.add_argument("name", metavar="NAME", help="the user name to sign in with (no spaces)")
    p.add_argument("--role", required=True, metavar="ROLE",
                   help="admin, coordinator, dbs-officer or viewer")
    p.add_argument("--display-name", metavar="TEXT", default="", help="the person's name as shown in the app")
    p.add_argument("--email", metavar="ADDRESS", default="", help="the person's work email address")
    return p


def new_password(name: str) -> str:
    import getpass

    from lived_experience.core.errors import UserError

    password = os.environ.get(NEW_PASSWORD_ENV) or os.environ.get("LIVED_EXPERIENCE_PASSWORD")
    if password:
        return password
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(f"New password for {name}: ")
        again = getpass.getpass("Type it again: ")
        if first != again:
            raise UserError("The two passwords are not the same: nothing was created.")
        return first
    raise UserError(f"Password required: set {NEW_PASSWORD_ENV} (or LIVED_EXPERIENCE_PASSWORD) or run in a "
                    "terminal.")


def run(args, rt) -> int:
    from db.enums import Role
    from lived_experience.core.errors import UserError
    from lived_experience.security import accounts

    first = rt.ctx.actor.id is None and accounts.count_accounts(rt.ctx) == 0
    # Refuse before asking for a password nobody will use.
    accounts.validate_username(args.name)
    try:
        role = Role.parse(args.role)
    except ValueError as exc:
        raise UserError(f"Unknown role: {exc}.") from None
    if not first:
        accounts.require_manage_accounts(rt.ctx)
    elif role is not Role.ADMIN:
        raise UserError("The first account must be an administrator (--role admin), so that someone can "
                        "manage the others.")
    password = new_password(args.name)
    account = accounts.create_account(rt.ctx, args.name, args.display_name, args.role, password,
                                      email=args.email or None, must_change_password=not first)
    rt.out(f"Account '{account.username}' created ({account.role.label}).")
    if first:
        rt.out("This is the first account, so it is an administrator. From now on commands need "
               "--user NAME (or LIVED_EXPERIENCE_USER) and the password.")
    else:
        rt.out("They will be asked to choose their own password the first time they sign in to the window.")
    return 0
