"""Staff accounts: the first administrator, roles, the last administrator, passwords, sign-in."""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

import lived_experience.security.accounts as accounts
from db.enums import Role
from db.models import AuditEvent, StaffUser
from lived_experience.core.context import LOCAL_SETUP
from lived_experience.core.errors import ConflictError, PermissionDenied, UserError, ValidationError
from lived_experience.core.uow import unit_of_work
from tests.conftest import as_role

PW = "a-long-password-1"


def _events(ctx, action=None):
    with unit_of_work(ctx, readonly=True) as s:
        q = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            q = q.where(AuditEvent.action == action)
        return [SimpleNamespace(**{c.name: getattr(e, c.name) for c in AuditEvent.__table__.columns})
                for e in s.scalars(q)]


def _admin(ctx, name="boss"):
    actor = accounts.create_first_admin(ctx, name, "The Boss", PW)
    ctx.actor = actor
    return actor


def test_production_hashes_meet_owasp_minimum():
    # conftest swaps in a fast hasher for tests: check the module's real default.
    import importlib

    fresh = importlib.reload(importlib.import_module("lived_experience.security.accounts"))
    try:
        h = fresh.HASHER
        assert h.type.name == "ID"
        assert h.memory_cost >= 19 * 1024 and h.time_cost >= 2 and h.parallelism >= 1
    finally:
        fresh.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        fresh.FAILED_DELAY_SECONDS = 0.0


def test_first_run_creates_an_administrator_and_signs_them_in(ctx):
    assert accounts.count_accounts(ctx) == 0 and ctx.actor is LOCAL_SETUP
    actor = accounts.create_first_admin(ctx, "Boss", "The Boss", PW)
    assert actor.role is Role.ADMIN and actor.id is not None
    events = _events(ctx)
    assert [e.action for e in events] == ["account.create", "sign_in"]
    assert events[0].detail == "first administrator" and events[0].actor_name == "local"
    # Local set-up is over: there is no second "first administrator" (the window and the command
    # line ask for a sign-in from now on: tests/security/test_cli_security.py).
    with pytest.raises(UserError, match="already has staff accounts"):
        accounts.create_first_admin(ctx, "sneaky", "Sneaky", PW)
    assert accounts.count_accounts(ctx) == 1


def test_the_first_account_must_be_an_administrator(ctx):
    with pytest.raises(ValidationError, match="first account must be an administrator"):
        accounts.create_account(ctx, "first", "First", Role.VIEWER, PW)
    assert accounts.count_accounts(ctx) == 0


def test_usernames_are_unique_ignoring_case_and_passwords_are_checked(ctx):
    _admin(ctx, "Boss")
    with pytest.raises(UserError, match="already an account called"):
        accounts.create_account(ctx, "BOSS", "Again", Role.VIEWER, PW)
    with pytest.raises(ValidationError, match="at least 10"):
        accounts.create_account(ctx, "ann", "Ann", Role.VIEWER, "short")
    with pytest.raises(ValidationError, match="same as the user name"):
        accounts.create_account(ctx, "annannanna", "Ann", Role.VIEWER, "AnnAnnAnna")
    with pytest.raises(ValidationError, match="no spaces"):
        accounts.create_account(ctx, "ann smith", "Ann", Role.VIEWER, PW)


@pytest.mark.parametrize("role", ["coordinator", "dbs_officer", "viewer"])
def test_only_administrators_manage_accounts(ctx, role):
    _admin(ctx)
    other = as_role(ctx, role)
    with pytest.raises(PermissionDenied):
        accounts.create_account(other, "x-user", "X", Role.VIEWER, PW)
    with pytest.raises(PermissionDenied):
        accounts.list_accounts(other)
    with pytest.raises(PermissionDenied):
        accounts.change_role(other, other.actor.id, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        accounts.reset_password(other, ctx.actor.id, PW)
    denied = _events(ctx, "denied")
    assert len(denied) == 4 and all(e.actor_id == other.actor.id for e in denied)


def test_the_last_active_administrator_cannot_be_demoted_or_deactivated(ctx):
    boss = _admin(ctx)
    with pytest.raises(UserError, match="last active administrator"):
        accounts.change_role(ctx, boss.id, Role.COORDINATOR)
    second = accounts.create_account(ctx, "second", "Second", Role.ADMIN, PW)
    with pytest.raises(UserError, match="cannot deactivate your own account"):
        accounts.set_active(ctx, boss.id, False)
    accounts.set_active(ctx, second.id, False)
    # The only active administrator is boss again.
    with pytest.raises(UserError, match="last active administrator"):
        accounts.change_role(ctx, boss.id, Role.VIEWER)
    accounts.set_active(ctx, second.id, True)
    changed = accounts.change_role(ctx, boss.id, Role.COORDINATOR)
    assert changed.role is Role.COORDINATOR
    assert [e.action for e in _events(ctx) if e.action.startswith("account.")][-3:] == [
        "account.deactivate", "account.activate", "account.change"]


def test_a_deactivated_account_cannot_sign_in(ctx):
    _admin(ctx)
    ann = accounts.create_account(ctx, "ann", "Ann", Role.VIEWER, PW)
    assert accounts.authenticate(ctx, "ann", PW, delay=0).id == ann.id
    accounts.set_active(ctx, ann.id, False)
    with pytest.raises(accounts.SignInFailed, match="user name or password is not right"):
        accounts.authenticate(ctx, "ann", PW, delay=0)


def test_account_changes_are_checked_against_the_version_the_form_loaded(ctx):
    _admin(ctx)
    ann = accounts.create_account(ctx, "ann", "Ann", Role.VIEWER, PW)
    opened = accounts.get_account(ctx, ann.id)
    second = accounts.create_account(ctx, "second", "Second Admin", Role.ADMIN, PW)
    other_admin = as_role(ctx, "admin", "second")
    assert other_admin.actor.id == second.id
    accounts.update_account(other_admin, ann.id, display_name="Ann Smith", expected_version=opened.version)
    with pytest.raises(ConflictError, match="changed by Second Admin at"):
        accounts.update_account(ctx, ann.id, role=Role.COORDINATOR, expected_version=opened.version)
    assert accounts.get_account(ctx, ann.id).role is Role.VIEWER


def test_reset_password_forces_a_change_at_next_sign_in(ctx):
    _admin(ctx)
    ann = accounts.create_account(ctx, "ann", "Ann", Role.VIEWER, PW)
    accounts.reset_password(ctx, ann.id, "temporary-pass-9")
    ann_ctx = as_role(ctx, "viewer", "ann")
    ann_ctx.actor = accounts.authenticate(ctx, "ann", "temporary-pass-9", delay=0)
    assert accounts.must_change_password(ann_ctx)
    with pytest.raises(ValidationError, match="current password is not right"):
        accounts.change_own_password(ann_ctx, "wrong-password", "my-own-secret-1")
    with pytest.raises(ValidationError, match="different from the current"):
        accounts.change_own_password(ann_ctx, "temporary-pass-9", "temporary-pass-9")
    accounts.change_own_password(ann_ctx, "temporary-pass-9", "my-own-secret-1")
    assert not accounts.must_change_password(ann_ctx)
    assert accounts.authenticate(ctx, "ann", "my-own-secret-1", delay=0).id == ann.id
    actions = [(e.action, e.outcome) for e in _events(ctx) if "password" in e.action]
    assert actions == [("account.reset_password", "ok"), ("account.change_password", "failed"),
                       ("account.change_password", "ok")]


def test_password_is_rehashed_when_the_parameters_rise(ctx, monkeypatch):
    _admin(ctx)
    with unit_of_work(ctx, readonly=True) as s:
        before = s.scalar(select(StaffUser.password_hash).where(StaffUser.username == "boss"))
    assert "m=8,t=1" in before
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(accounts, "HASHER", stronger)
    accounts.authenticate(ctx, "boss", PW, delay=0)
    with unit_of_work(ctx, readonly=True) as s:
        after = s.scalar(select(StaffUser.password_hash).where(StaffUser.username == "boss"))
    assert after != before and "m=16,t=2" in after and stronger.verify(after, PW)
    # Signing in again keeps the new hash (no needless rehash).
    accounts.authenticate(ctx, "boss", PW, delay=0)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(StaffUser.password_hash).where(StaffUser.username == "boss")) == after


def test_failed_sign_ins_are_slowed_counted_logged_and_audited(ctx, caplog):
    _admin(ctx)
    caplog.set_level(logging.INFO)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        with pytest.raises(accounts.SignInFailed):
            accounts.authenticate(ctx, "boss", "not-the-password", delay=0.05)
        timings.append(time.perf_counter() - start)
    # One delay per failure in a row: the third waits about three times as long as the first.
    assert timings[0] >= 0.05 and timings[2] >= 0.15
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(StaffUser.failed_logins).where(StaffUser.username == "boss")) == 3
    failed = [e for e in _events(ctx, "sign_in") if e.outcome == "failed"]
    assert len(failed) == 3 and all(e.entity_id == ctx.actor.id for e in failed)
    assert "failed sign-in (account" in caplog.text
    # A good password resets the count.
    accounts.authenticate(ctx, "boss", PW, delay=0)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(StaffUser.failed_logins).where(StaffUser.username == "boss")) == 0


def test_an_unknown_user_name_is_never_written_down(ctx, caplog):
    """Someone may type their password into the user name box: it must not reach the log or the audit."""
    _admin(ctx)
    caplog.set_level(logging.INFO)
    typed = "Canary-Secret-Typed-As-Name"
    with pytest.raises(accounts.SignInFailed, match="user name or password is not right"):
        accounts.authenticate(ctx, typed, "whatever", delay=0)
    assert typed not in caplog.text
    with ctx.db.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.exec_driver_sql("SELECT * FROM audit_event") for v in row)
    assert typed not in dump and "(unknown user name)" in dump


def test_unlocking_checks_the_signed_in_users_password(ctx):
    _admin(ctx)
    assert accounts.confirm_password(ctx, PW, delay=0)
    assert not accounts.confirm_password(ctx, "nope-nope-nope", delay=0)
    outcomes = [e.outcome for e in _events(ctx, "unlock")]
    assert outcomes == ["ok", "failed"]


def test_sign_out_is_audited(ctx):
    _admin(ctx)
    accounts.sign_out(ctx)
    assert _events(ctx)[-1].action == "sign_out"
