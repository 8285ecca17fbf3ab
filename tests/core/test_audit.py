"""The audit log is append-only and hash-chained on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lived_experience.core.uow import unit_of_work
from lived_experience.security import audit


def _write_events(ctx, n=5):
    for i in range(n):
        audit.record_now(ctx, "test.event", entity="person", entity_id=i, fields=["email", "phone"])


def test_chain_verifies(ctx):
    _write_events(ctx)
    with unit_of_work(ctx, readonly=True) as s:
        result = audit.verify(s)
    assert result.ok and result.checked == 5


def test_updates_and_early_deletes_are_refused_by_the_database(ctx):
    _write_events(ctx, 2)
    with pytest.raises(DBAPIError, match="cannot be changed"), ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET action = 'tampered' WHERE id = 1"))
    with pytest.raises(DBAPIError, match="cannot be deleted"), ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = 1"))


def _drop_guards(ctx):
    with ctx.db.engine.begin() as conn:
        if ctx.db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
            conn.execute(text("DROP TRIGGER audit_event_no_early_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_event_guard ON audit_event"))


def test_a_changed_row_is_detected_even_with_the_triggers_removed(ctx):
    _write_events(ctx)
    _drop_guards(ctx)
    with ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor_name = 'someone else' WHERE id = 3"))
    with unit_of_work(ctx, readonly=True) as s:
        result = audit.verify(s)
    assert not result.ok
    assert any("event 3" in p and "changed" in p for p in result.problems)


def test_a_deleted_row_is_detected(ctx):
    _write_events(ctx)
    _drop_guards(ctx)
    with ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = 2"))
    with unit_of_work(ctx, readonly=True) as s:
        result = audit.verify(s)
    assert any("event 3" in p and "before it" in p for p in result.problems)


def test_audit_rows_never_hold_values(ctx):
    audit.record_now(ctx, "person.change", entity="person", entity_id=1, fields=["email"])
    with ctx.db.engine.connect() as conn:
        row = conn.execute(text("SELECT fields, detail FROM audit_event")).one()
    assert row.fields == "email" and row.detail is None
