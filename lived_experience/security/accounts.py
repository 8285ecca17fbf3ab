"""Staff accounts: Argon2id password hashes, sign-in, account management.

- Hashes use Argon2id at OWASP's minimum or above (19 MiB, two passes, one lane);
  raising ``HASHER``'s parameters rehashes each password at its owner's next sign-in.
- The first administrator is created on first run (window or ``create-user``);
  from then on only administrators manage accounts, and the last active
  administrator can neither be demoted nor deactivated.
- Failed sign-ins give one message whether or not the account exists, are
  slowed down (growing with repeated failures), counted, logged and audited.
  The audit records the account id, never what was typed as a user name (a
  password typed into the wrong box must not end up in the log).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import StaffUser
from lived_experience.core import clock
from lived_experience.core.context import Actor, AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.security import audit

log = logging.getLogger(__name__)

# OWASP's minimum for Argon2id: 19 MiB, two passes, one lane. Raising these later
# rehashes each password the next time its owner signs in.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD = 10
MAX_PASSWORD = 200
FAILED_DELAY_SECONDS = 1.0
_ACCOUNTS_LOCK = 727003  # PostgreSQL advisory lock: one account change at a time


@dataclass(frozen=True)
class StaffAccount:
    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool
    version: int = 1
    email: str | None = None
    must_change_password: bool = False
    last_login_at: dt.datetime | None = None
    failed_logins: int = 0


def username_key(username: str) -> str:
    return username.strip().casefold()


def validate_username(username: str) -> str:
    name = (username or "").strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise ValidationError("A user name must be 1 to 64 characters with no spaces.",
                              {"username": "1 to 64 characters, no spaces"})
    return name


def validate_password(password: str, username: str | None = None) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"A password must be at least {MIN_PASSWORD} characters long.",
                              {"password": f"at least {MIN_PASSWORD} characters"})
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"A password can be at most {MAX_PASSWORD} characters long.",
                              {"password": f"at most {MAX_PASSWORD} characters"})
    if username and password.strip().casefold() == username.strip().casefold():
        raise ValidationError("The password cannot be the same as the user name.",
                              {"password": "not the user name"})


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _parse_role(role: Role | str) -> Role:
    try:
        return Role.parse(role)
    except ValueError as exc:
        raise ValidationError(f"Unknown role: {exc}.", {"role": str(exc)}) from None


def count_accounts(ctx: AppContext) -> int:
    with unit_of_work(ctx, readonly=True) as s:
        return s.scalar(select(func.count(StaffUser.id))) or 0


def _to_account(u: StaffUser) -> StaffAccount:
    return StaffAccount(u.id, u.username, u.display_name, Role(u.role), u.is_active, u.version, u.email,
                        u.must_change_password, u.last_login_at, u.failed_logins or 0)


def _serialise(s: Session) -> None:
    """On PostgreSQL, account changes queue behind each other (SQLite's BEGIN IMMEDIATE does this)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text(f"SELECT pg_advisory_xact_lock({_ACCOUNTS_LOCK})"))


def _require_accounts(ctx: AppContext, entity_id: int | None = None) -> None:
    from lived_experience.security.guard import require
    from lived_experience.security.permissions import Perm

    require(ctx, Perm.ACCOUNTS, entity="staff_user", entity_id=entity_id)


def require_manage_accounts(ctx: AppContext) -> None:
    """Refuse (and log) unless the signed-in user may manage staff accounts."""
    _require_accounts(ctx)


def _new_user(name: str, display_name: str, role: Role, password: str, email: str | None = None) -> StaffUser:
    return StaffUser(username=name, username_key=username_key(name), display_name=(display_name or "").strip() or name,
                     email=(email or "").strip() or None, role=role.value, password_hash=hash_password(password),
                     is_active=True, password_changed_at=clock.now())


def create_account(ctx: AppContext, username: str, display_name: str, role: Role | str,
                   password: str, *, email: str | None = None, must_change_password: bool = False) -> StaffAccount:
    """Create an account. Needs ACCOUNTS, except for the very first account, which must be an administrator."""
    name = validate_username(username)
    role = _parse_role(role)
    validate_password(password, name)
    if len((display_name or "").strip()) > 120:
        raise ValidationError("A name can be at most 120 characters.", {"display_name": "at most 120"})
    first = count_accounts(ctx) == 0
    if not first:
        _require_accounts(ctx)
    elif role is not Role.ADMIN:
        raise ValidationError("The first account must be an administrator, so that someone can manage "
                              "the others.", {"role": "must be administrator"})
    with unit_of_work(ctx) as s:
        _serialise(s)
        if first and (s.scalar(select(func.count(StaffUser.id))) or 0) > 0:
            raise UserError("Someone else has just created the first account: sign in with an account instead.")
        if s.scalar(select(StaffUser.id).where(StaffUser.username_key == username_key(name))):
            raise UserError(f"There is already an account called '{name}'.")
        u = _new_user(name, display_name, role, password, email)
        u.must_change_password = must_change_password
        s.add(u)
        s.flush()
        audit.record(s, ctx.actor, "account.create", entity="staff_user", entity_id=u.id,
                     fields=["username", "display_name", "role", "password"],
                     detail="first administrator" if first else None)
        log.info("account %s created with role %s", u.id, role.value)
        return _to_account(u)


def create_first_admin(ctx: AppContext, username: str, display_name: str, password: str) -> Actor:
    """First run: create the first administrator and sign them in (ends the local set-up mode)."""
    if ctx.actor.id is not None or count_accounts(ctx) > 0:
        raise UserError("This database already has staff accounts: sign in with one of them.")
    account = create_account(ctx, username, display_name, Role.ADMIN, password)
    actor = Actor(account.id, account.username, account.display_name, Role.ADMIN)
    with unit_of_work(ctx) as s:
        u = s.get(StaffUser, account.id)
        u.last_login_at = clock.now()
        audit.record(s, actor, "sign_in", entity="staff_user", entity_id=u.id, detail="first administrator")
    return actor


def create_demo_accounts(ctx: AppContext, password: str, accounts) -> dict[str, int]:
    """Create the demo's accounts (skipping any that exist); return username -> id."""
    validate_password(password)
    ids: dict[str, int] = {}
    with unit_of_work(ctx) as s:
        for username, display, role in accounts:
            existing = s.scalar(select(StaffUser).where(StaffUser.username_key == username_key(username)))
            if existing is not None:
                ids[username] = existing.id
                continue
            u = _new_user(username, display, role, password)
            s.add(u)
            s.flush()
            ids[username] = u.id
            audit.record(s, ctx.actor, "account.create", entity="staff_user", entity_id=u.id,
                         fields=["username", "display_name", "role", "password"], detail="demo account")
    return ids


# -- managing accounts (administrators) -------------------------------------------------------
def list_accounts(ctx: AppContext) -> list[StaffAccount]:
    _require_accounts(ctx)
    with unit_of_work(ctx, readonly=True) as s:
        return [_to_account(u) for u in s.scalars(select(StaffUser).order_by(StaffUser.username_key))]


def get_account(ctx: AppContext, account_id: int) -> StaffAccount:
    _require_accounts(ctx, account_id)
    with unit_of_work(ctx, readonly=True) as s:
        return _to_account(get_or_404(s, StaffUser, account_id, "staff account"))


def _active_admins(s: Session) -> int:
    return s.scalar(select(func.count(StaffUser.id)).where(StaffUser.role == Role.ADMIN.value,
                                                           StaffUser.is_active.is_(True))) or 0


def _refuse_losing_last_admin(s: Session, u: StaffUser) -> None:
    if u.role == Role.ADMIN.value and u.is_active and _active_admins(s) <= 1:
        raise UserError(f"{u.display_name} is the last active administrator. Make another account an "
                        "administrator first, so that someone can still manage accounts and settings.")


def update_account(ctx: AppContext, account_id: int, *, display_name: str | None = None,
                   email: str | None = None, role: Role | str | None = None,
                   expected_version: int | None = None) -> StaffAccount:
    """Change an account's name, email or role."""
    _require_accounts(ctx, account_id)
    new_role = _parse_role(role) if role is not None else None
    with unit_of_work(ctx) as s:
        _serialise(s)
        u = get_or_404(s, StaffUser, account_id, "staff account")
        check_version(s, u, expected_version, "staff account")
        changed = []
        if display_name is not None:
            name = display_name.strip()
            if not name or len(name) > 120:
                raise ValidationError("A name must be 1 to 120 characters.", {"display_name": "1 to 120"})
            if name != u.display_name:
                u.display_name = name
                changed.append("display_name")
        if email is not None and (email.strip() or None) != u.email:
            u.email = email.strip() or None
            changed.append("email")
        if new_role is not None and new_role.value != u.role:
            if new_role is not Role.ADMIN:
                _refuse_losing_last_admin(s, u)
            u.role = new_role.value
            changed.append("role")
        if changed:
            s.flush()
            audit.record(s, ctx.actor, "account.change", entity="staff_user", entity_id=u.id, fields=changed,
                         detail=f"role now {u.role}" if "role" in changed else None)
        return _to_account(u)


def change_role(ctx: AppContext, account_id: int, role: Role | str,
                expected_version: int | None = None) -> StaffAccount:
    return update_account(ctx, account_id, role=role, expected_version=expected_version)


def set_active(ctx: AppContext, account_id: int, active: bool,
               expected_version: int | None = None) -> StaffAccount:
    """Deactivate (no more sign-ins; the history stays) or reactivate an account."""
    _require_accounts(ctx, account_id)
    with unit_of_work(ctx) as s:
        _serialise(s)
        u = get_or_404(s, StaffUser, account_id, "staff account")
        check_version(s, u, expected_version, "staff account")
        if u.is_active == active:
            return _to_account(u)
        if not active:
            if u.id == ctx.actor.id:
                raise UserError("You cannot deactivate your own account while you are signed in with it.")
            _refuse_losing_last_admin(s, u)
        u.is_active = active
        if active:
            u.failed_logins = 0
        s.flush()
        audit.record(s, ctx.actor, "account.activate" if active else "account.deactivate", entity="staff_user",
                     entity_id=u.id, fields=["is_active"])
        return _to_account(u)


def reset_password(ctx: AppContext, account_id: int, new_password: str,
                   expected_version: int | None = None) -> StaffAccount:
    """An administrator sets a temporary password; its owner must change it at the next sign-in."""
    _require_accounts(ctx, account_id)
    with unit_of_work(ctx) as s:
        u = get_or_404(s, StaffUser, account_id, "staff account")
        check_version(s, u, expected_version, "staff account")
        validate_password(new_password, u.username)
        u.password_hash = hash_password(new_password)
        u.password_changed_at = clock.now()
        u.must_change_password = u.id != ctx.actor.id
        u.failed_logins = 0
        s.flush()
        audit.record(s, ctx.actor, "account.reset_password", entity="staff_user", entity_id=u.id,
                     fields=["password"])
        return _to_account(u)


def change_own_password(ctx: AppContext, current: str, new: str) -> None:
    """The signed-in user changes their own password (the current one is checked first)."""
    if ctx.actor.id is None:
        raise UserError("There is no account signed in.")
    with unit_of_work(ctx) as s:
        u = get_or_404(s, StaffUser, ctx.actor.id, "staff account")
        if not _verify(u, current):
            audit.record(s, ctx.actor, "account.change_password", entity="staff_user", entity_id=u.id,
                         outcome="failed", detail="current password not right")
            failed = True
        else:
            failed = False
            validate_password(new, u.username)
            if _verify(u, new):
                raise ValidationError("The new password must be different from the current one.",
                                      {"new": "different from the current one"})
            u.password_hash = hash_password(new)
            u.password_changed_at = clock.now()
            u.must_change_password = False
            s.flush()
            audit.record(s, ctx.actor, "account.change_password", entity="staff_user", entity_id=u.id,
                         fields=["password"])
    if failed:
        raise ValidationError("Your current password is not right.", {"current": "not right"})


def must_change_password(ctx: AppContext) -> bool:
    if ctx.actor.id is None:
        return False
    with unit_of_work(ctx, readonly=True) as s:
        return bool(s.scalar(select(StaffUser.must_change_password).where(StaffUser.id == ctx.actor.id)))


# -- signing in and out -----------------------------------------------------------------------
class SignInFailed(UserError):
    pass


def _verify(u: StaffUser, password: str) -> bool:
    if not u.password_hash:
        return False
    try:
        return HASHER.verify(u.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _slow_down(failures: int, delay: float) -> None:
    # One delay per failure in a row, capped at ten: guessing gets slow, a typo does not.
    if delay:
        time.sleep(min(delay * max(1, failures), 10 * delay))


def authenticate(ctx: AppContext, username: str, password: str, *, delay: float | None = None) -> Actor:
    """Check a password and return the actor. Failures are slowed, counted, logged and
    audited, and give the same message whether the user exists or not."""
    from lived_experience.maintenance.readonly import is_read_only

    delay = FAILED_DELAY_SECONDS if delay is None else delay
    key = username_key(username or "")
    read_only = is_read_only(ctx.db)
    with unit_of_work(ctx, readonly=read_only) as s:
        u = s.scalar(select(StaffUser).where(StaffUser.username_key == key))
        ok = False
        if u is not None and u.is_active:
            ok = _verify(u, password)
        else:
            # Spend the same time as a real check, so timing does not reveal user names.
            with contextlib.suppress(VerificationError, InvalidHashError):
                HASHER.verify(_dummy_hash(), password or "")
        if ok:
            actor = Actor(u.id, u.username, u.display_name, Role(u.role))
            if not read_only:
                if HASHER.check_needs_rehash(u.password_hash):
                    u.password_hash = hash_password(password)
                    log.info("password of account %s rehashed with the current parameters", u.id)
                u.failed_logins = 0
                u.last_login_at = clock.now()
                audit.record(s, actor, "sign_in", entity="staff_user", entity_id=u.id)
            log.info("account %s signed in", u.id)
            return actor
        failures = 1
        if not read_only:
            if u is not None:
                u.failed_logins = (u.failed_logins or 0) + 1
                u.last_failed_login_at = clock.now()
                failures = u.failed_logins
            who = Actor(None, u.username if u is not None else "(unknown user name)", "unknown", Role.VIEWER)
            audit.record(s, who, "sign_in", entity="staff_user", entity_id=u.id if u else None, outcome="failed",
                         detail="inactive account" if u is not None and not u.is_active else None)
    log.warning("failed sign-in (%s, %d in a row)",
                f"account {u.id}" if u is not None else "no such account", failures)
    _slow_down(failures, delay)
    raise SignInFailed("The user name or password is not right.")


def confirm_password(ctx: AppContext, password: str, *, delay: float | None = None) -> bool:
    """Unlocking a locked window: is this the signed-in user's password? Failures are slowed and audited."""
    delay = FAILED_DELAY_SECONDS if delay is None else delay
    if ctx.actor.id is None:
        return True
    with unit_of_work(ctx, readonly=True) as s:
        u = s.get(StaffUser, ctx.actor.id)
        ok = u is not None and u.is_active and _verify(u, password)
        failures = (u.failed_logins or 0) + 1 if u is not None else 1
    from lived_experience.maintenance.readonly import is_read_only

    if not is_read_only(ctx.db):
        with unit_of_work(ctx) as s:
            u = s.get(StaffUser, ctx.actor.id)
            if u is not None and not ok:
                u.failed_logins = failures
                u.last_failed_login_at = clock.now()
            elif u is not None:
                u.failed_logins = 0
            audit.record(s, ctx.actor, "unlock", entity="staff_user", entity_id=ctx.actor.id,
                         outcome="ok" if ok else "failed")
    if not ok:
        log.warning("failed unlock (account %s, %d in a row)", ctx.actor.id, failures)
        _slow_down(failures, delay)
    return ok


def record_lock(ctx: AppContext) -> None:
    """The window locked itself after being idle (or the user locked it)."""
    if ctx.actor.id is not None:
        audit.record_now(ctx, "lock", entity="staff_user", entity_id=ctx.actor.id)


def sign_out(ctx: AppContext) -> None:
    """Record the end of a session (the window closing, or a command finishing)."""
    if ctx.actor.id is None:
        return
    audit.record_now(ctx, "sign_out", entity="staff_user", entity_id=ctx.actor.id)
    log.info("account %s signed out", ctx.actor.id)


@functools.cache
def _dummy_hash() -> str:
    return HASHER.hash("not a real password, only for timing")
