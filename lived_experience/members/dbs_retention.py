"""Retention job: remove DBS disclosure detail once it has been kept long enough.

The DBS Code of Practice: keep disclosure information no longer than necessary
(normally no more than six months). Detail typed into a DBS check is removed
when more than ``settings.dbs_disclosure_retention_days`` days (at most 183)
have passed since the decision (or, with no decision yet, since the
certificate was checked or the record was made). The summary, the decision
and the fact of the check stay. Each removal is written to the audit log
(which fields, never the values) and counted in the log file.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import DbsCheck
from lived_experience.core import clock
from lived_experience.core.context import Actor
from lived_experience.members.dbs import disclosure_anchor
from lived_experience.retention import JobResult, RetentionJob, register
from lived_experience.security import audit
from lived_experience.settings import Settings

log = logging.getLogger(__name__)

NAME = "dbs_disclosure"
DESCRIPTION = "DBS disclosure detail kept longer than the retention period (the summary stays)"
PURGED_SUMMARY = "Disclosure considered; the detail was removed after the retention period"


def due_for_removal(session: Session, settings: Settings, today: dt.date) -> list[DbsCheck]:
    keep = settings.dbs_disclosure_retention_days
    rows = session.scalars(select(DbsCheck).where(DbsCheck.disclosure_detail.is_not(None))
                           .order_by(DbsCheck.id))
    return [c for c in rows if (today - disclosure_anchor(c)).days > keep]


def purge_disclosures(session: Session, actor: Actor, settings: Settings, today: dt.date,
                      dry_run: bool) -> JobResult:
    due = due_for_removal(session, settings, today)
    ids = [c.id for c in due]
    if not dry_run and due:
        now = clock.now()
        for c in due:
            c.disclosure_detail = None
            c.disclosure_purged_at = now
            if not c.disclosure_summary:
                c.disclosure_summary = PURGED_SUMMARY
            session.flush()
            audit.record(session, actor, "dbs.disclosure_purged", entity="dbs_check", entity_id=c.id,
                         subject_person_id=c.person_id, fields=["disclosure_detail"],
                         detail=f"kept longer than {settings.dbs_disclosure_retention_days} days")
        log.info("removed DBS disclosure detail from %d checks (ids %s)", len(ids), ids)
    return JobResult(NAME, DESCRIPTION, len(ids), ids)


JOB = register(RetentionJob(NAME, DESCRIPTION, purge_disclosures))
