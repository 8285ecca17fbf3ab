"""Restore: a safety copy first, only Lived Experience backups, older ones upgraded, damage handled."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

import db.models as m
from db.backup import integrity_problems
from db.engine import open_database, sqlite_url
from db.migrate import current_revision
from db.schema_version import HEAD_REVISION
from lived_experience.core.errors import FileRefused, PermissionDenied, UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.maintenance import readonly
from lived_experience.maintenance.backups import backup_to
from lived_experience.maintenance.health import open_read_only_if_damaged
from lived_experience.maintenance.restore import inspect_backup, restore_from
from tests.cli.helpers import run_cli
from tests.conftest import as_role


def _orgs(ctx, *names):
    with unit_of_work(ctx) as s:
        for n in names:
            s.add(m.Organisation(name=n, kind="voluntary", notes="x" * 300))


def _names(ctx):
    with unit_of_work(ctx, readonly=True) as s:
        return set(s.scalars(select(m.Organisation.name)))


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    _orgs(ctx, "Kept")
    backup = backup_to(ctx, tmp_path / "monday.sqlite3").path
    _orgs(ctx, "Added after the backup")
    result = restore_from(ctx, backup)
    assert _names(ctx) == {"Kept"}
    assert result.safety_copy is not None and result.safety_copy.name.startswith("before-restore-")
    safety = open_database(sqlite_url(result.safety_copy))
    with safety.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM organisation").scalar() == 2
    safety.dispose()
    assert integrity_problems(ctx.db.sqlite_path) == []
    with unit_of_work(ctx, readonly=True) as s:
        detail = s.scalar(select(m.AuditEvent.detail).where(m.AuditEvent.action == "restore"))
    assert "monday.sqlite3" in detail and "before-restore-" in detail
    _orgs(ctx, "Works after the restore")  # the app carries on writing
    assert len(_names(ctx)) == 2


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_text("name,email\nAda,ada@example.org\n"), "not a database file"),
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE notes (t TEXT)").connection.commit(),
     "different kind of database"),
])
def test_files_that_are_not_lived_experience_backups_are_refused(sqlite_ctx, tmp_path, make, message):
    _orgs(sqlite_ctx, "Untouched")
    bad = tmp_path / "bad.sqlite3"
    make(bad)
    with pytest.raises(FileRefused, match=message):
        restore_from(sqlite_ctx, bad)
    assert _names(sqlite_ctx) == {"Untouched"}
    assert list(sqlite_ctx.paths.backup_dir.iterdir()) == []  # refused before the safety copy


def test_a_backup_from_a_newer_version_or_damaged_is_refused(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    newer = backup_to(ctx, tmp_path / "newer.sqlite3").path
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    with pytest.raises(FileRefused, match="newer version"):
        inspect_backup(newer)
    damaged = backup_to(ctx, tmp_path / "damaged.sqlite3").path
    data = bytearray(damaged.read_bytes())
    data[4096 * 3:4096 * 3 + 2000] = b"\xff" * 2000
    damaged.write_bytes(bytes(data))
    with pytest.raises(FileRefused, match="damaged"):
        inspect_backup(damaged)


def test_an_older_backup_is_upgraded_after_it_is_restored(sqlite_ctx, tmp_path):
    from db.migrate import _upgrade

    old_path = tmp_path / "old.sqlite3"
    old = open_database(sqlite_url(old_path))
    _upgrade(old, "0001_initial")
    old.dispose()
    assert inspect_backup(old_path).revision == "0001_initial"
    result = restore_from(sqlite_ctx, old_path)
    assert result.schema_before == "0001_initial" and result.schema_after == HEAD_REVISION
    assert current_revision(sqlite_ctx.db) == HEAD_REVISION


def test_only_administrators_restore(sqlite_ctx, tmp_path):
    backup = backup_to(sqlite_ctx, tmp_path / "b.sqlite3").path
    for role in ("coordinator", "viewer"):
        with pytest.raises(PermissionDenied):
            restore_from(as_role(sqlite_ctx, role), backup)


def damage(path, marker: bytes) -> None:
    """Overwrite the database page that holds ``marker`` (after folding the WAL into the file)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(path.read_bytes())
    at = data.index(marker)
    page = at // 4096
    data[page * 4096 + 8: page * 4096 + 4000] = b"\x07" * 3992
    path.write_bytes(bytes(data))


def _damage(ctx) -> None:
    _orgs(ctx, *[f"Organisation {i}" for i in range(400)])
    ctx.db.dispose()
    damage(ctx.db.sqlite_path, b"Organisation 200")


def test_a_damaged_database_opens_read_only_and_refuses_changes(sqlite_ctx, tmp_path):
    ctx = sqlite_ctx
    _orgs(ctx, "Before")
    good = backup_to(ctx, tmp_path / "good.sqlite3").path
    _damage(ctx)
    reason = open_read_only_if_damaged(ctx)
    assert reason and "damage" in reason
    with pytest.raises(readonly.ReadOnlyDatabase, match="read-only .* restore"):
        _orgs(ctx, "Not allowed")
    with unit_of_work(ctx, readonly=True) as s:  # reading still works
        assert s.scalar(select(func.count(m.StaffUser.id))) == 0
    restore_from(ctx, good)
    assert not readonly.is_read_only(ctx.db)
    assert open_read_only_if_damaged(ctx) is None
    _orgs(ctx, "After the restore")
    assert _names(ctx) == {"Before", "After the restore"}


def test_the_command_line_warns_refuses_writes_and_restores(tmp_path):
    pw = {"LIVED_EXPERIENCE_PASSWORD": "demo-password-1"}
    admin = {**pw, "LIVED_EXPERIENCE_USER": "admin"}
    assert run_cli("demo", home=tmp_path, env=pw).returncode == 0
    backup = tmp_path / "good.sqlite3"
    assert run_cli("backup", "--output", str(backup), home=tmp_path, env=admin).returncode == 0
    db_path = tmp_path / "data" / "lived-experience.sqlite3"
    con = sqlite3.connect(db_path)
    marker = con.execute("SELECT summary FROM feedback_item ORDER BY id DESC LIMIT 1").fetchone()[0]
    con.close()
    damage(db_path, marker.encode())
    done = run_cli("create-user", "newbie", "--role", "viewer", home=tmp_path,
                   env={**admin, "LIVED_EXPERIENCE_NEW_PASSWORD": "newbie-password"})
    assert done.returncode == 2
    assert "open read-only" in done.stderr and "damage" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    done = run_cli("restore", str(backup), home=tmp_path, env=admin)
    assert done.returncode == 2 and "--yes" in done.stderr
    done = run_cli("restore", str(tmp_path / "nothing.sqlite3"), "--yes", home=tmp_path, env=admin)
    assert done.returncode == 2 and "There is no file" in done.stderr
    done = run_cli("restore", str(backup), "--yes", home=tmp_path, env=admin)
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout and "before-restore-" in done.stdout
    assert run_cli("check", home=tmp_path, env=admin).returncode == 0


def test_restore_refuses_the_database_itself(sqlite_ctx):
    with pytest.raises(UserError, match="database in use"):
        restore_from(sqlite_ctx, sqlite_ctx.db.sqlite_path)
