"""Running the retention jobs by hand (Admin > Data protection) or once a day at start-up.

The jobs run through ``run_retention`` (the ``purge`` command's runner: one unit
of work per job, every run audited). Afterwards, on SQLite, the write-ahead log
is checkpointed so that removed values leave the WAL file too. The daily run
happens once per day per database (the date is kept in ``app_setting``), as
the system rather than the signed-in user, so that it runs whoever opens the app.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging

from sqlalchemy import select

from db.models import AppSetting
from lived_experience.core import clock
from lived_experience.core.context import SYSTEM, AppContext
from lived_experience.core.uow import unit_of_work
from lived_experience.retention import JobResult

log = logging.getLogger(__name__)
LAST_RUN_KEY = "retention_last_run"


def run_now(ctx: AppContext, *, dry_run: bool = False, today: dt.date | None = None) -> list[JobResult]:
    """Run every retention job (needs RETENTION), then scrub the WAL of what was removed."""
    from lived_experience.cli.commands.purge import run_retention
    from lived_experience.maintenance.scrub import checkpoint_wal

    results = run_retention(ctx, dry_run=dry_run, today=today)
    if not dry_run and any(r.affected for r in results):
        checkpoint_wal(ctx)
    return results


def last_run(ctx: AppContext) -> dt.date | None:
    with unit_of_work(ctx, readonly=True) as s:
        raw = s.scalar(select(AppSetting.value).where(AppSetting.key == LAST_RUN_KEY))
    try:
        return dt.date.fromisoformat(json.loads(raw)) if raw else None
    except (ValueError, TypeError):
        return None


def run_daily_if_due(ctx: AppContext, today: dt.date | None = None) -> list[JobResult] | None:
    """Once a day per database: run every job as the system. None when it already ran today."""
    from lived_experience.maintenance.readonly import is_read_only

    today = today or clock.today()
    if is_read_only(ctx.db) or last_run(ctx) == today:
        return None
    system = dataclasses.replace(ctx, actor=SYSTEM, cache={})
    results = run_now(system, today=today)
    with unit_of_work(system) as s:
        row = s.scalar(select(AppSetting).where(AppSetting.key == LAST_RUN_KEY))
        if row is None:
            s.add(AppSetting(key=LAST_RUN_KEY, value=json.dumps(today.isoformat())))
        else:
            row.value = json.dumps(today.isoformat())
    log.info("daily retention run: %d records changed", sum(r.affected for r in results))
    return results
