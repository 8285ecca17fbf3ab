"""Shared use: lost updates are refused, bulk jobs bump versions, and two writers never see "database is locked"."""

from __future__ import annotations

import multiprocessing
import time

import pytest
from sqlalchemy import func, select

import db.models as m
from lived_experience.core.errors import ConflictError
from lived_experience.core.uow import unit_of_work
from lived_experience.security import audit
from tests.conftest import as_role


def test_a_form_opened_before_another_users_save_is_refused(ctx):
    """Alice opens the theme form; Bob saves; Alice saves from her old form: refused, Bob's change kept."""
    from lived_experience.feedback.service import add_theme, list_themes, rename_theme

    alice, bob = as_role(ctx, "coordinator", "alice"), as_role(ctx, "coordinator", "bob")
    tid = add_theme(alice, "Court waiting rooms")
    alices_form = next(t for t in list_themes(alice) if t.id == tid)  # what her form loaded
    bobs_form = next(t for t in list_themes(bob) if t.id == tid)
    rename_theme(bob, tid, "Court waiting areas", bobs_form.version)
    with pytest.raises(ConflictError) as info:
        rename_theme(alice, tid, "Waiting rooms at court", alices_form.version)
    assert "changed by Test Coordinator at" in info.value.message
    assert info.value.changed_by == "Test Coordinator" and info.value.changed_at is not None
    assert next(t for t in list_themes(ctx) if t.id == tid).name == "Court waiting areas"
    # Reloading (the form takes the new version) lets her save on top of Bob's change.
    fresh = next(t for t in list_themes(alice) if t.id == tid)
    rename_theme(alice, tid, "Waiting rooms at court", fresh.version)
    assert next(t for t in list_themes(ctx) if t.id == tid).name == "Waiting rooms at court"


def test_an_account_form_opened_before_another_admins_save_is_refused(ctx):
    from db.enums import Role
    from lived_experience.security import accounts

    accounts.create_first_admin(ctx, "boss", "Boss", "boss-password-1")
    ann = accounts.create_account(ctx, "ann", "Ann", Role.VIEWER, "ann-password-12")
    form = accounts.get_account(ctx, ann.id)
    accounts.set_active(ctx, ann.id, False, expected_version=form.version)
    with pytest.raises(ConflictError):
        accounts.change_role(ctx, ann.id, Role.ADMIN, expected_version=form.version)
    assert accounts.get_account(ctx, ann.id).role is Role.VIEWER


def _writer(url: str, tag: str, n: int, queue) -> None:
    from db.engine import open_database
    from lived_experience.core.context import AppContext
    from lived_experience.core.uow import unit_of_work as uow
    from lived_experience.security import audit as audit_log

    ctx = AppContext(db=open_database(url))
    errors = []
    for i in range(n):
        try:
            audit_log.record_now(ctx, "test.concurrent", detail=f"{tag} {i}")
            with uow(ctx) as s:
                s.add(m.Organisation(name=f"{tag} organisation {i}", kind="voluntary"))
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            errors.append(f"{type(exc).__name__}: {exc}")
    ctx.db.dispose()
    queue.put((tag, errors))


@pytest.mark.slow
def test_two_processes_write_at_once_without_database_is_locked(ctx):
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    n = 200
    procs = [mp.Process(target=_writer, args=(ctx.db.url, tag, n, queue)) for tag in ("first", "second")]
    start = time.perf_counter()
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    elapsed = time.perf_counter() - start
    assert results == {"first": [], "second": []}, results
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(func.count(m.Organisation.id))) == 2 * n
        assert s.scalar(select(func.count(m.AuditEvent.id)).where(m.AuditEvent.action == "test.concurrent")) == 2 * n
        chain = audit.verify(s)
    assert chain.ok, chain.problems[:5]  # interleaved writers still make one unbroken chain
    print(f"{ctx.db.dialect}: {4 * n} writes from two processes in {elapsed:.1f} s")
