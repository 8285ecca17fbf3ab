"""Staff accounts: Argon2id password hashes, sign-in, and the demo accounts."""

from __future__ import annotations

import contextlib
import functools
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from db.enums import Role
from db.models import StaffUser
from lived_experience.core import clock
from lived_experience.core.context import Actor, AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.security import audit

# OWASP's minimum for Argon2id: 19 MiB, two passes, one lane. Raising these later
# rehashes each password the next time its owner signs in.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD = 10


@dataclass(frozen=True)
class StaffAccount:
    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool


def username_key(username: str) -> str:
    return username.strip().casefold()


def validate_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise ValidationError("A user name must be 1 to 64 characters with no spaces.")
    return name


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"A password must be at least {MIN_PASSWORD} characters long.")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def count_accounts(ctx: AppContext) -> int:
    with unit_of_work(ctx, readonly=True) as s:
        return s.scalar(select(func.count(StaffUser.id))) or 0


def _to_account(u: StaffUser) -> StaffAccount:
    return StaffAccount(u.id, u.username, u.display_name, Role(u.role), u.is_active)


def create_account(ctx: AppContext, username: str, display_name: str, role: Role | str,
                   password: str) -> StaffAccount:
    from lived_experience.security.guard import require
    from lived_experience.security.permissions import Perm

    if count_accounts(ctx) > 0:
        require(ctx, Perm.ACCOUNTS, entity="staff_user")
    name = validate_username(username)
    try:
        role = Role.parse(role)
    except ValueError as exc:
        raise ValidationError(f"Unknown role: {exc}") from None
    validate_password(password)
    with unit_of_work(ctx) as s:
        if s.scalar(select(StaffUser.id).where(StaffUser.username_key == username_key(name))):
            raise UserError(f"There is already an account called '{name}'.")
        u = StaffUser(username=name, username_key=username_key(name), display_name=display_name.strip() or name,
                      role=role.value, password_hash=hash_password(password), is_active=True,
                      password_changed_at=clock.now())
        s.add(u)
        s.flush()
        audit.record(s, ctx.actor, "account.create", entity="staff_user", entity_id=u.id,
                     fields=["username", "display_name", "role", "password"])
        return _to_account(u)


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
            u = StaffUser(username=username, username_key=username_key(username), display_name=display,
                          role=role.value, password_hash=hash_password(password), is_active=True,
                          password_changed_at=clock.now())
            s.add(u)
            s.flush()
            ids[username] = u.id
            audit.record(s, ctx.actor, "account.create", entity="staff_user", entity_id=u.id,
                         fields=["username", "display_name", "role", "password"], detail="demo account")
    return ids


class SignInFailed(UserError):
    pass


FAILED_DELAY_SECONDS = 1.0


def authenticate(ctx: AppContext, username: str, password: str, *, delay: float = FAILED_DELAY_SECONDS) -> Actor:
    """Check a password and return the actor. Failures are slowed, counted and logged,
    and give the same message whether the user exists or not."""
    key = username_key(username or "")
    with unit_of_work(ctx) as s:
        u = s.scalar(select(StaffUser).where(StaffUser.username_key == key))
        ok = False
        if u is not None and u.is_active and u.password_hash:
            try:
                ok = HASHER.verify(u.password_hash, password or "")
            except (VerificationError, InvalidHashError):
                ok = False
        elif u is None:
            # Spend the same time as a real check, so timing does not reveal user names.
            with contextlib.suppress(VerificationError, InvalidHashError):
                HASHER.verify(_dummy_hash(), password or "")
        if ok:
            if HASHER.check_needs_rehash(u.password_hash):
                u.password_hash = hash_password(password)
            u.failed_logins = 0
            u.last_login_at = clock.now()
            actor = Actor(u.id, u.username, u.display_name, Role(u.role))
            audit.record(s, actor, "sign_in", entity="staff_user", entity_id=u.id)
            return actor
        if u is not None:
            u.failed_logins = (u.failed_logins or 0) + 1
            u.last_failed_login_at = clock.now()
        audit.record(s, Actor(None, (username or "")[:60], "unknown", Role.VIEWER), "sign_in",
                     entity="staff_user", entity_id=u.id if u else None, outcome="failed")
        failures = u.failed_logins if u is not None else 1
    # Slow down guessing: one second, growing with repeated failures (capped).
    if delay:
        time.sleep(min(delay * max(1, failures), 10 * delay))
    raise SignInFailed("The user name or password is not right.")


@functools.cache
def _dummy_hash() -> str:
    return HASHER.hash("not a real password, only for timing")
