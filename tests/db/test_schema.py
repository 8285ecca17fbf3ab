"""The schema comes from the migrations, matches the models, and behaves the same on both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from db.base import Base, Tracked
from db.engine import open_database
from db.migrate import current_revision, ensure_schema, script_head
from db.schema_version import HEAD_REVISION, include_name


def test_head_constant_matches_alembic():
    assert script_head() == HEAD_REVISION


def test_migrations_create_exactly_the_models(db_url):
    db = open_database(db_url)
    try:
        with db.engine.connect() as conn:
            mc = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(mc, Base.metadata)
        assert diff == []
        assert current_revision(db) == HEAD_REVISION
    finally:
        db.dispose()


def test_fresh_database_is_created_by_migrations_and_second_start_is_a_no_op(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    first = ensure_schema(db, tmp_path / "backups")
    second = ensure_schema(db, tmp_path / "backups")
    assert first.created and first.backup is None
    assert not second.created and second.before == HEAD_REVISION
    assert "victims_code_right" in inspect(db.engine).get_table_names()
    db.dispose()


def test_a_database_behind_head_is_backed_up_before_upgrading(tmp_path):
    from alembic import command

    from db.migrate import _alembic_config

    path = tmp_path / "old.sqlite3"
    db = open_database(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        with conn.begin():
            command.upgrade(_alembic_config(db, conn), "0001_initial")
    assert current_revision(db) == "0001_initial"
    result = ensure_schema(db, tmp_path / "backups")
    assert result.backup is not None and result.backup.exists()
    assert current_revision(db) == HEAD_REVISION
    db.dispose()
    # The backup holds the old schema version.
    old = open_database(f"sqlite:///{result.backup}")
    assert current_revision(old) == "0001_initial"
    old.dispose()


def test_search_still_finds_records_after_upgrading_past_the_search_migration(tmp_path):
    """Later migrations alter tables that carry the search triggers; a SQLite table copy
    would drop them silently. A person added after the upgrade must still be found."""
    from alembic import command

    from db.migrate import _alembic_config
    from db.models import Person
    from lived_experience.core.context import LOCAL_SETUP, AppContext
    from lived_experience.core.uow import unit_of_work
    from lived_experience.search.service import search

    db = open_database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with db.engine.connect() as conn, conn.begin():
        command.upgrade(_alembic_config(db, conn), "0003_search")
    ensure_schema(db, tmp_path / "backups")
    ctx = AppContext(db=db, paths=None, actor=LOCAL_SETUP)
    with unit_of_work(ctx) as s:
        s.add(Person(first_name="Siobhán", last_name="Ó Briain"))
    found = search(ctx, "siobhan")
    assert [h.title for g in found.groups for h in g.hits if g.kind.key == "person"] == ["Siobhán Ó Briain"]
    db.dispose()


def test_every_editable_table_has_optimistic_locking_and_who_when():
    tracked = [m for m in Base.registry.mappers if issubclass(m.class_, Tracked)]
    assert len(tracked) >= 30
    for mapper in tracked:
        cols = mapper.local_table.c
        for name in ("version", "created_at", "updated_at", "created_by_id", "updated_by_id"):
            assert name in cols, f"{mapper.class_.__name__} lacks {name}"
        assert mapper.version_id_col is cols.version, mapper.class_.__name__


def test_constraints_are_named_by_the_convention():
    for table in Base.metadata.sorted_tables:
        for c in table.constraints:
            assert c.name, f"unnamed constraint on {table.name}"


def test_sqlite_connections_use_wal_full_sync_foreign_keys_and_a_busy_timeout(sqlite_url):
    db = open_database(sqlite_url)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    db.dispose()


def test_sqlite_write_transactions_begin_immediately(sqlite_url):
    """A writer takes the write lock at BEGIN, so a second writer waits rather than
    failing later with SQLITE_BUSY_SNAPSHOT."""
    import sqlite3

    db = open_database(sqlite_url)
    path = db.sqlite_path
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))  # BEGIN IMMEDIATE has run: we hold the RESERVED lock
        other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    # A read-only unit of work does not take the lock.
    with db.read_engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
    db.dispose()


def test_reference_data_is_loaded(db_url):
    db = open_database(db_url)
    with db.engine.connect() as conn:
        rights = conn.execute(text("SELECT number, title FROM victims_code_right ORDER BY number")).all()
        themes = conn.execute(text("SELECT count(*) FROM theme")).scalar()
    db.dispose()
    assert [r[0] for r in rights] == list(range(1, 13))
    assert rights[6][1] == "To make a Victim Personal Statement"
    assert themes >= 10


def test_places_above_ten_are_refused_by_the_database_itself(db_url):
    import datetime as dt

    from sqlalchemy.exc import IntegrityError

    db = open_database(db_url)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO recruitment_window (name, opens_on, closes_on, places, selection_interview, "
            "selection_video, version, created_at, updated_at) VALUES "
            "('x', '2026-01-01', '2026-02-01', 11, true, true, 1, :n, :n)"), {"n": now})
    db.dispose()
