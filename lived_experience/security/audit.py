"""The audit log: append-only, hash-chained, and never holding personal values.

Each event's hash covers its own fields and the previous event's hash, so a
changed row breaks its own hash and a deleted row breaks the link to the next.
The newest event has no next one: its id and hash are also kept as the chain's
head (an office setting written in the same transaction), so deleting the newest
events is caught too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from db.models import AppSetting, AuditEvent
from lived_experience.core import clock
from lived_experience.core.context import Actor, AppContext

GENESIS = "0" * 64
HEAD_KEY = "audit_chain_head"  # app_setting: {"id": ..., "hash": ...} of the newest event written
log = logging.getLogger(__name__)


def _digest(prev_hash: str, ev: AuditEvent) -> str:
    payload = json.dumps(
        [
            prev_hash,
            ev.occurred_at.astimezone(dt.UTC).isoformat() if ev.occurred_at else None,
            ev.actor_id,
            ev.actor_name,
            ev.action,
            ev.entity,
            ev.entity_id,
            ev.subject_person_id,
            ev.fields,
            ev.outcome,
            ev.detail,
        ],
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    fields: Iterable[str] | None = None,
    outcome: str = "ok",
    subject_person_id: int | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add an event to the session's transaction (it commits or rolls back with it)."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers so the chain has one line of descent.
        session.execute(text("SELECT pg_advisory_xact_lock(727002)"))
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    ev = AuditEvent(
        occurred_at=clock.now().replace(microsecond=0),
        actor_id=actor.id,
        actor_name=actor.username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        subject_person_id=subject_person_id,
        fields=",".join(sorted(set(fields))) if fields else None,
        outcome=outcome,
        detail=(detail or None) and detail[:500],
        prev_hash=prev,
    )
    ev.hash = _digest(prev, ev)
    session.add(ev)
    session.flush()
    set_head(session, ev.id, ev.hash)
    return ev


def set_head(session: Session, event_id: int, event_hash: str) -> None:
    """Remember the newest event (inside the caller's transaction, which holds the writers' lock)."""
    value = json.dumps({"id": event_id, "hash": event_hash})
    table = AppSetting.__table__
    done = session.execute(update(table).where(table.c.key == HEAD_KEY).values(value=value))
    if not done.rowcount:
        now = clock.now()
        session.execute(insert(table).values(key=HEAD_KEY, value=value, version=1, created_at=now, updated_at=now))


def where(path, *, personal: Iterable[str | None] = ()) -> str:
    """A file's location for an audit event's "where", without personal data.

    A folder or file named after someone (``SAR Ada Lovelace LE1 1AA``) would put that
    person in the audit log for good: the log is append-only and outlives an erasure. Any
    part of the path holding one of ``personal`` (the subject's names, email, phone,
    postcode), or anything shaped like an email address, phone number or postcode, is
    written as ``[personal]``."""
    from pathlib import PurePath

    from lived_experience.core.logs import redact

    keys = [k.strip().casefold() for k in personal if k and len(k.strip()) >= 3]
    # A phone number however it is written: its last nine digits (07700 900123, +447700900123).
    digits = [d[-9:] for d in ("".join(ch for ch in k if ch.isdigit()) for k in keys) if len(d) >= 9]
    parts = []
    for part in PurePath(path).parts:
        low = part.casefold()
        plain = "".join(ch for ch in low if ch.isdigit())
        if any(k in low for k in keys) or any(d in plain for d in digits) or redact(part) != part:
            parts.append("[personal]")
        else:
            parts.append(part)
    return str(PurePath(*parts)) if parts else ""


def record_now(ctx: AppContext, action: str, **kwargs) -> None:
    """Record an event in its own transaction: for views, denials and failures,
    which must be logged even when the work around them is read-only or rolled back.

    A database open read-only (damaged) cannot take the event: it is logged instead
    (action and record id only), so that reading the data to rescue it still works."""
    from lived_experience.core.uow import unit_of_work
    from lived_experience.maintenance.readonly import is_read_only

    if is_read_only(ctx.db):
        log.warning("audit event %s on %s %s not written: the database is read-only", action,
                    kwargs.get("entity"), kwargs.get("entity_id"))
        return
    with unit_of_work(ctx) as session:
        record(session, ctx.actor, action, **kwargs)


@dataclass
class VerifyResult:
    checked: int
    problems: list[str]
    broken_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


PURGE_ACTION = "audit.purge"
_CONTINUES = "chain continues from "


def checkpoint_detail(removed: int, cutoff: dt.date, continues_from: str) -> str:
    """The text of the event that records a retention purge of old audit events.

    It names the hash the oldest surviving event points back to, so ``verify``
    can tell a purge (announced here) from someone deleting the start of the log."""
    return (f"removed {removed} audit events older than {cutoff.isoformat()}; "
            f"{_CONTINUES}{continues_from}")


def verify(session: Session) -> VerifyResult:
    """Walk the chain. A changed event breaks its own hash; a deleted one breaks the
    link from the next; deleting the oldest events is allowed only when a purge
    checkpoint event announces where the chain now starts."""
    problems: list[str] = []
    broken: list[int] = []
    prev_hash: str | None = None
    first: AuditEvent | None = None
    count = 0
    for ev in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(2000):
        count += 1
        if first is None:
            first = ev
        elif ev.prev_hash != prev_hash:
            problems.append(f"event {ev.id}: the event before it was changed or deleted")
            broken.append(ev.id)
        if _digest(ev.prev_hash, ev) != ev.hash:
            problems.append(f"event {ev.id}: its contents were changed after it was written")
            broken.append(ev.id)
        prev_hash = ev.hash
    if first is not None and first.prev_hash != GENESIS:
        announced = session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == PURGE_ACTION,
                                        AuditEvent.detail.like(f"%{_CONTINUES}{first.prev_hash}%")).limit(1))
        if announced is None:
            problems.insert(0, f"event {first.id}: the events before it were deleted without a retention "
                               "purge recording it")
            broken.insert(0, first.id)
    raw = session.scalar(select(AppSetting.value).where(AppSetting.key == HEAD_KEY))
    if raw is not None:
        try:
            head = json.loads(raw)
            head_id, head_hash = int(head["id"]), str(head["hash"])
        except (ValueError, KeyError, TypeError):
            head_id, head_hash = None, None
        if head_id is None:
            problems.append("the record of the newest event was changed")
        else:
            found = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == head_id))
            if found is None:
                problems.append(f"event {head_id}, the newest one written, was deleted (with any after it)")
                broken.append(head_id)
            elif found != head_hash:
                problems.append(f"event {head_id}: its hash was changed after it was written")
                broken.append(head_id)
    return VerifyResult(count, problems, sorted(set(broken)))
