"""Reading the audit log as an administrator: verify the chain, export it to Excel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.formatting import uk_datetime
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting import xlsx
from lived_experience.listing import registry
from lived_experience.listing.query import list_all
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

MARKING = "OFFICIAL-SENSITIVE"  # the log says who looked at which victim's record


@dataclass
class AuditExport:
    path: Path
    rows: int
    chain_ok: bool


def verify_chain(ctx: AppContext) -> audit.VerifyResult:
    require(ctx, Perm.AUDIT_READ, entity="audit_event")
    with unit_of_work(ctx, readonly=True) as s:
        result = audit.verify(s)
    audit.record_now(ctx, "audit.verify", entity="audit_event", outcome="ok" if result.ok else "broken",
                     detail=f"{result.checked} events; broken at {', '.join(map(str, result.broken_ids[:20]))}"
                     if not result.ok else f"{result.checked} events")
    return result


def export_audit(ctx: AppContext, output: Path, *, filters: dict | None = None, text: str = "",
                 progress: Callable[[int, int], None] | None = None) -> AuditExport:
    """The audit log (filtered as on screen) as a marked workbook. Administrators only; audited."""
    require(ctx, Perm.AUDIT_READ, entity="audit_event")
    require(ctx, Perm.EXPORT, entity="audit_event")
    output = xlsx.check_output(Path(output).expanduser(), ".xlsx", "audit-log.xlsx")
    spec = registry.get("audit")
    page = list_all(ctx, "audit", text=text, filters=filters, sort="id", descending=False)
    with unit_of_work(ctx, readonly=True) as s:
        chain = audit.verify(s)
    columns = page.columns
    sheet_cols = [xlsx.SheetColumn("Event", "int")] + [
        xlsx.SheetColumn(c.header, {"enum": "text", "list": "text"}.get(c.kind, c.kind)) for c in columns]
    total = len(page.rows)
    wb = xlsx.new_workbook(title="Audit log", marking=MARKING, author=ctx.actor.display_name)
    xlsx.add_table_sheet(wb, "Audit log", sheet_cols,
                         ([r["id"]] + [r.get(c.key) for c in columns] for r in page.rows),
                         marking=MARKING, first=True,
                         progress=(lambda n: progress(n, total)) if progress else None)
    xlsx.add_about_sheet(wb, marking=MARKING, lines=[
        ("Contents", "The Lived Experience audit log: who did what and when. It never holds the values."),
        ("Events", str(total)),
        ("Filters", ", ".join(f"{k}={v}" for k, v in (filters or {}).items()) or "(none)"),
        ("Hash chain", "intact" if chain.ok else "BROKEN at event(s) " + ", ".join(map(str, chain.broken_ids[:50]))),
        ("Exported", uk_datetime(clock.now())),
        ("Exported by", ctx.actor.display_name),
    ])
    xlsx.save(wb, output)
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "export", entity=spec.entity, fields=[c.key for c in columns],
                     detail=f"audit log: {total} events to {audit.where(output)}"[:500])
    if progress:
        progress(total, total)
    return AuditExport(output, total, chain.ok)


def filter_choices(ctx: AppContext) -> tuple[list[str], list[str]]:
    """The actions and user names that appear in the log, for the Admin section's filters."""
    from sqlalchemy import select

    from db.models import AuditEvent

    require(ctx, Perm.AUDIT_READ, entity="audit_event")
    with unit_of_work(ctx, readonly=True) as s:
        actions = list(s.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
        actors = list(s.scalars(select(AuditEvent.actor_name).distinct().order_by(AuditEvent.actor_name)))
    return actions, actors
