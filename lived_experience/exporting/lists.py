"""Export any list in the app to a workbook (``export-list`` and "Export to Excel")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_datetime
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting import xlsx
from lived_experience.listing import registry
from lived_experience.listing.query import list_all
from lived_experience.listing.render import display
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import load as load_settings

# Lists that name nobody can be marked OFFICIAL; everything else is OFFICIAL-SENSITIVE by default.
NON_PERSONAL = {"services", "cycles", "themes", "organisations", "windows", "recruitment_summary", "imports"}


@dataclass
class ExportResult:
    path: Path
    rows: int


def _kind_for(col) -> str:
    return {"list": "text", "enum": "text"}.get(col.kind, col.kind)


def marking_for(ctx: AppContext, kind: str) -> str:
    return "OFFICIAL" if kind in NON_PERSONAL else load_settings(ctx).protective_marking


def export_list(ctx: AppContext, kind: str, output: Path, *, text: str = "", filters: dict | None = None,
                sort: str | None = None, descending: bool = False,
                progress: Callable[[int, int], None] | None = None) -> ExportResult:
    require(ctx, Perm.EXPORT, entity=kind)
    try:
        spec = registry.get(kind)
    except KeyError:
        raise UserError(f"There is no list called '{kind}'. Lists: {', '.join(registry.kinds())}.") from None
    output = xlsx.check_output(Path(output), ".xlsx", f"{kind}.xlsx")
    page = list_all(ctx, kind, text=text, filters=filters, sort=sort, descending=descending)
    columns = [c for c in page.columns]
    sheet_cols = [xlsx.SheetColumn("Id", "int")] + [xlsx.SheetColumn(c.header, _kind_for(c)) for c in columns]

    def values(row):
        out = [row["id"]]
        for c in columns:
            v = row.get(c.key)
            if c.kind in ("list", "enum"):
                v = display(v, c) if v is not None else None
            out.append(v)
        return out

    marking = marking_for(ctx, kind)
    total = len(page.rows)
    wb = xlsx.new_workbook(title=spec.title, marking=marking, author=ctx.actor.display_name)
    xlsx.add_table_sheet(wb, spec.title, sheet_cols, (values(r) for r in page.rows), marking=marking, first=True,
                         progress=(lambda n: progress(n, total)) if progress else None)
    xlsx.add_about_sheet(wb, marking=marking, personal=kind not in NON_PERSONAL, lines=[
        ("List", spec.title),
        ("Rows", str(total)),
        ("Exported", uk_datetime(clock.now())),
        ("Exported by", ctx.actor.display_name),
        ("Filter text", text or "(none)"),
        ("Filters", ", ".join(f"{k}={v}" for k, v in (filters or {}).items()) or "(none)"),
    ])
    xlsx.save(wb, output)
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "export", entity=spec.entity, detail=f"list {kind}: {total} rows to {audit.where(output)}",
                     fields=[c.key for c in columns])
    if progress:
        progress(total, total)
    return ExportResult(output, total)
