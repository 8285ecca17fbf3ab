"""The audit chain's newest end: deleting the newest events is caught as well as a change or
a gap in the middle (both engines), through the chain's head kept beside the log."""

from __future__ import annotations

from sqlalchemy import text

from lived_experience.core.uow import unit_of_work
from lived_experience.security import audit
from tests.core.test_audit import _drop_guards, _write_events


def _verify(ctx) -> audit.VerifyResult:
    with unit_of_work(ctx, readonly=True) as s:
        return audit.verify(s)


def test_deleting_the_newest_events_is_caught(ctx):
    _write_events(ctx, 5)
    assert _verify(ctx).ok
    _drop_guards(ctx)
    with ctx.db.engine.begin() as conn:
        newest = conn.execute(text("SELECT max(id) FROM audit_event")).scalar()
        conn.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": newest - 1})
    result = _verify(ctx)
    assert not result.ok
    assert any(f"event {newest}, the newest one written, was deleted" in p for p in result.problems)
    assert newest in result.broken_ids


def test_changing_the_record_of_the_newest_event_is_caught(ctx):
    _write_events(ctx, 3)
    with ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE app_setting SET value = '{\"id\": 2, \"hash\": \"00\"}' "
                          "WHERE key = 'audit_chain_head'"))
    result = _verify(ctx)
    assert any("event 2: its hash was changed" in p for p in result.problems)


def test_the_head_follows_the_newest_event(ctx):
    _write_events(ctx, 3)
    with unit_of_work(ctx) as s:
        ev = audit.record(s, ctx.actor, "test.last")
        last = ev.id
    with ctx.db.engine.connect() as conn:
        head = conn.execute(text("SELECT value FROM app_setting WHERE key = 'audit_chain_head'")).scalar()
    assert f'"id": {last}' in head
    assert _verify(ctx).ok
