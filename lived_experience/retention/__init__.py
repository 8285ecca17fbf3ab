"""Retention as code: jobs that remove or anonymise data once it is kept long enough.

Each job is a function registered here. ``purge`` (command line) and the daily
run at start-up call every job, in one unit of work each; a dry run reports
what would change and changes nothing. Every run is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lived_experience.core.context import Actor
from lived_experience.settings import Settings


@dataclass
class JobResult:
    job: str
    description: str
    affected: int
    ids: list[int] = field(default_factory=list)  # record ids (never names)


@dataclass(frozen=True)
class RetentionJob:
    name: str
    description: str
    # (session, actor, settings, today, dry_run) -> JobResult; must not commit.
    run: Callable[[Session, Actor, Settings, dt.date, bool], JobResult]


_JOBS: dict[str, RetentionJob] = {}

# Modules that register retention jobs; imported when jobs are first asked for.
JOB_MODULES = (
    "lived_experience.members.dbs_retention",
    "lived_experience.retention.people_jobs",
)


def register(job: RetentionJob) -> RetentionJob:
    _JOBS[job.name] = job
    return job


def jobs() -> list[RetentionJob]:
    import importlib

    for name in JOB_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return list(_JOBS.values())
