"""Automatic daily backups: integrity-checked, rotated, listed with when each goes."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import select

import db.models as m
from db.backup import integrity_problems
from lived_experience import settings
from lived_experience.core import clock
from lived_experience.core.uow import unit_of_work
from lived_experience.maintenance import backups
from lived_experience.maintenance.backups import automatic_backup_if_due, list_backups


def test_one_checked_backup_a_day_audited_as_the_system(sqlite_ctx):
    ctx = sqlite_ctx
    made = automatic_backup_if_due(ctx)
    assert made is not None and made.path.parent == ctx.paths.backup_dir
    assert made.path.name.startswith("auto-") and integrity_problems(made.path) == []
    assert automatic_backup_if_due(ctx) is None  # once a day
    with unit_of_work(ctx, readonly=True) as s:
        ev = s.execute(select(m.AuditEvent.actor_name, m.AuditEvent.detail).where(
            m.AuditEvent.action == "backup")).one()
    assert ev.actor_name == "system" and "automatic" in ev.detail


def test_rotation_keeps_the_newest_automatic_backups_and_never_the_hand_made_ones(sqlite_ctx):
    ctx = sqlite_ctx
    settings.update(ctx, backup_keep=2)
    manual = backups.backup_to(ctx, ctx.paths.backup_dir / "lived-experience-20200101-120000.sqlite3")
    start = dt.datetime.now(dt.UTC)
    for day in range(4):
        with time_machine.travel(start + dt.timedelta(days=day, hours=1), tick=False):
            assert automatic_backup_if_due(ctx) is not None
    infos = list_backups(ctx)
    autos = [i for i in infos if i.kind == backups.AUTO]
    assert len(autos) == 2
    assert manual.path in [i.path for i in infos]
    newest, older = autos
    assert newest.made_at > older.made_at
    assert "after 2 more automatic backups" in newest.expires
    assert "after 1 more automatic backup " in older.expires
    assert older.expires_on == (clock.to_london(older.made_at) + dt.timedelta(days=2)).date()
    assert "Never removed automatically" in next(i for i in infos if i.kind == backups.MANUAL).expires


def test_postgresql_has_no_automatic_file_backup(ctx):
    if ctx.db.is_sqlite:
        assert automatic_backup_if_due(ctx) is not None
    else:
        assert automatic_backup_if_due(ctx) is None
