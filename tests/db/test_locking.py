"""Optimistic locking: a save made from an older copy of a record is refused, never silent."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from db.models import Organisation
from lived_experience.core.errors import ConflictError
from lived_experience.core.uow import check_version, unit_of_work
from tests.conftest import as_role


def test_a_stale_update_is_refused_with_who_and_when(ctx):
    alice = as_role(ctx, "coordinator", "alice")
    bob = as_role(ctx, "coordinator", "bob")
    with unit_of_work(alice) as s:
        org = Organisation(name="Harbour Hub", kind="voluntary")
        s.add(org)
    loaded_version = org.version  # the form was opened at this version

    with unit_of_work(bob) as s:
        s.get(Organisation, org.id).notes = "Bob's change"

    with pytest.raises(ConflictError) as info, unit_of_work(alice) as s:
        row = s.get(Organisation, org.id)
        check_version(s, row, loaded_version, "organisation")
        row.notes = "Alice's change"
    assert "Test Coordinator" in info.value.message and "changed by" in info.value.message
    with unit_of_work(ctx, readonly=True) as s:
        assert s.get(Organisation, org.id).notes == "Bob's change"


def test_the_orm_version_check_catches_a_race_between_load_and_flush(ctx):
    with unit_of_work(ctx) as s:
        org = Organisation(name="Race", kind="voluntary")
        s.add(org)
    with pytest.raises(ConflictError), unit_of_work(ctx) as s1:
        mine = s1.get(Organisation, org.id)
        # The row moves on underneath the loaded object (as a bulk job bumping versions
        # would do): simulated inside the same transaction, which both engines allow.
        s1.execute(text("UPDATE organisation SET version = version + 1 WHERE id = :id"), {"id": org.id})
        mine.notes = "first"
        s1.flush()


def test_created_and_updated_by_are_filled_from_the_actor(ctx):
    alice = as_role(ctx, "coordinator", "alice")
    with unit_of_work(alice) as s:
        org = Organisation(name="Stamped", kind="statutory")
        s.add(org)
    assert org.created_by_id == alice.actor.id and org.updated_by_id == alice.actor.id
    assert org.created_at.tzinfo is not None and org.version == 1
