"""Traceability: from what the group said to what the office did.

Four questions, answered from the records (nothing stored):

1. What has the group changed in a service this year? Feedback about the
   service that was actioned or reported back in the period, with the response.
2. Which feedback informed a decision? The decision's linked feedback.
3. Which Victims' Code rights have had no feedback this cycle? A services x
   rights grid with counts in the cells; an empty cell is a right nobody has
   spoken about for that service in its current cycle.
4. Which themes keep coming back? Counts by theme over periods (months or
   quarters), and how many different meetings raised each.

No answer ever carries a source: no member, contact or anonymous link.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, or_, select

from db.enums import FeedbackStatus
from db.models import (
    CommissionedService,
    CommissioningCycle,
    CommissioningDecision,
    DecisionFeedback,
    FeedbackItem,
    FeedbackRight,
    FeedbackService,
    FeedbackTheme,
    Theme,
    VictimsCodeRight,
)
from lived_experience.commissioning.lists import current_cycles
from lived_experience.commissioning.stages import STAGE_LABELS, current_stage
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import get_or_404, unit_of_work
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

CHANGED = (FeedbackStatus.ACTIONED.value, FeedbackStatus.REPORTED_BACK.value)


# -- periods ------------------------------------------------------------------------------
def financial_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The UK public-sector year containing ``day``: 1 April to 31 March."""
    start_year = day.year if day.month >= 4 else day.year - 1
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def calendar_year(day: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def _check_period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    if date_from is None or date_to is None:
        date_from, date_to = financial_year(clock.today())
    if date_to < date_from:
        raise ValidationError(f"The period ends ({uk_date(date_to)}) before it starts ({uk_date(date_from)}).")
    return date_from, date_to


# -- 1. what changed in a service -------------------------------------------------------------
@dataclass(frozen=True)
class ChangeItem:
    feedback_id: int
    summary: str
    themes: list[str]
    response: str | None
    status: str
    changed_on: dt.date | None
    reported_back_on: dt.date | None
    reported_back_how: str | None


@dataclass(frozen=True)
class ServiceChanges:
    service_id: int
    service_name: str
    items: list[ChangeItem]


def _themes_for(session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        for fid, name in session.execute(
            select(FeedbackTheme.feedback_id, Theme.name).join(Theme, Theme.id == FeedbackTheme.theme_id)
            .where(FeedbackTheme.feedback_id.in_(ids)).order_by(Theme.name)
        ):
            out[fid].append(name)
    return out


def changes_by_service(ctx: AppContext, date_from: dt.date | None = None, date_to: dt.date | None = None, *,
                       service_id: int | None = None) -> list[ServiceChanges]:
    """Feedback about each service that was actioned or reported back in the period
    (the date the item reached that status, or the report-back date), with the response.
    Services with nothing changed are listed too, with no items, so a gap is visible."""
    require(ctx, Perm.READ)
    date_from, date_to = _check_period(date_from, date_to)
    with unit_of_work(ctx, readonly=True) as s:
        svc_stmt = select(CommissionedService.id, CommissionedService.name).order_by(CommissionedService.name)
        if service_id is not None:
            get_or_404(s, CommissionedService, service_id, "commissioned service")
            svc_stmt = svc_stmt.where(CommissionedService.id == service_id)
        services = s.execute(svc_stmt).all()
        in_period = or_(
            and_(FeedbackItem.status_changed_at >= date_from, FeedbackItem.status_changed_at <= date_to),
            and_(FeedbackItem.reported_back_on >= date_from, FeedbackItem.reported_back_on <= date_to),
        )
        rows = s.execute(
            select(FeedbackService.service_id, FeedbackItem.id, FeedbackItem.summary, FeedbackItem.response,
                   FeedbackItem.status, FeedbackItem.status_changed_at, FeedbackItem.reported_back_on,
                   FeedbackItem.reported_back_how)
            .join(FeedbackItem, FeedbackItem.id == FeedbackService.feedback_id)
            .where(FeedbackItem.status.in_(CHANGED), in_period,
                   FeedbackService.service_id.in_([sid for sid, _ in services]))
            .order_by(FeedbackItem.status_changed_at, FeedbackItem.id)
        ).all()
        themes = _themes_for(s, sorted({r.id for r in rows}))
    by_service: dict[int, list[ChangeItem]] = defaultdict(list)
    for r in rows:
        by_service[r.service_id].append(ChangeItem(r.id, r.summary, themes.get(r.id, []), r.response, r.status,
                                                   r.status_changed_at, r.reported_back_on, r.reported_back_how))
    return [ServiceChanges(sid, name, by_service.get(sid, [])) for sid, name in services]


# -- 2. which feedback informed a decision ----------------------------------------------------
@dataclass(frozen=True)
class EvidenceItem:
    feedback_id: int
    summary: str
    received_on: dt.date
    themes: list[str]
    rights: list[int]
    status: str
    response: str | None


@dataclass(frozen=True)
class DecisionEvidence:
    decision_id: int
    decided_on: dt.date
    decided_by: str
    summary: str
    detail: str | None
    stage: str | None
    cycle_id: int
    cycle_name: str
    service_name: str
    feedback: list[EvidenceItem]


def _evidence_items(session, ids: list[int]) -> list[EvidenceItem]:
    if not ids:
        return []
    themes = _themes_for(session, ids)
    rights: dict[int, list[int]] = defaultdict(list)
    for fid, rn in session.execute(select(FeedbackRight.feedback_id, FeedbackRight.right_number)
                                   .where(FeedbackRight.feedback_id.in_(ids)).order_by(FeedbackRight.right_number)):
        rights[fid].append(rn)
    items = session.execute(
        select(FeedbackItem.id, FeedbackItem.summary, FeedbackItem.received_on, FeedbackItem.status,
               FeedbackItem.response).where(FeedbackItem.id.in_(ids))
        .order_by(FeedbackItem.received_on, FeedbackItem.id)).all()
    return [EvidenceItem(i.id, i.summary, i.received_on, themes.get(i.id, []), rights.get(i.id, []), i.status,
                         i.response) for i in items]


def feedback_items(ctx: AppContext, ids: list[int]) -> list[EvidenceItem]:
    """The items behind a cell of the rights grid (or any list of ids): what was said,
    its themes, rights and status. Never the source."""
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        return _evidence_items(s, sorted(set(ids)))


def decision_evidence(ctx: AppContext, decision_id: int) -> DecisionEvidence:
    require(ctx, Perm.READ, entity="commissioning_decision", entity_id=decision_id)
    with unit_of_work(ctx, readonly=True) as s:
        d = get_or_404(s, CommissioningDecision, decision_id, "decision")
        c = s.get(CommissioningCycle, d.cycle_id)
        ids = list(s.scalars(select(DecisionFeedback.feedback_id).where(DecisionFeedback.decision_id == d.id)))
        return DecisionEvidence(d.id, d.decided_on, d.decided_by, d.summary, d.detail, d.stage, c.id, c.name,
                                c.service.name, _evidence_items(s, ids))


def decisions_with_evidence(ctx: AppContext, *, cycle_id: int | None = None, date_from: dt.date | None = None,
                            date_to: dt.date | None = None) -> list[DecisionEvidence]:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        stmt = select(CommissioningDecision.id).order_by(CommissioningDecision.decided_on, CommissioningDecision.id)
        if cycle_id is not None:
            stmt = stmt.where(CommissioningDecision.cycle_id == cycle_id)
        if date_from is not None:
            stmt = stmt.where(CommissioningDecision.decided_on >= date_from)
        if date_to is not None:
            stmt = stmt.where(CommissioningDecision.decided_on <= date_to)
        ids = list(s.scalars(stmt))
    return [decision_evidence(ctx, i) for i in ids]


# -- 3. rights with no feedback this cycle -------------------------------------------------------
@dataclass(frozen=True)
class GridRow:
    service_id: int | None  # None: the "all services" total row
    service_name: str
    cycle_id: int | None
    cycle_name: str | None
    stage_label: str | None
    since: dt.date | None  # the start of the scope for this row
    counts: dict[int, int]  # right number -> number of feedback items (missing = none)

    def count(self, right: int) -> int:
        return self.counts.get(right, 0)

    @property
    def empty_rights(self) -> list[int]:
        return [r for r in range(1, 13) if not self.counts.get(r)]


@dataclass(frozen=True)
class RightsGrid:
    rights: list[tuple[int, str]]
    rows: list[GridRow]
    total: GridRow
    scope: str  # plain words
    feedback_ids: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    @property
    def rights_with_no_feedback(self) -> list[int]:
        return self.total.empty_rights


def _cycle_start(cycle) -> dt.date | None:
    dates = [cycle.starts_on] + [st.actual_start or st.planned_start for st in cycle.stages]
    dates = [d for d in dates if d]
    return min(dates) if dates else None


def rights_grid(ctx: AppContext, *, date_from: dt.date | None = None, date_to: dt.date | None = None) -> RightsGrid:
    """Services x rights. By default each service's row covers its current (latest) cycle:
    items recorded against that cycle, and items about the service received since the
    cycle began that were not recorded against another cycle. With a period, every row
    covers the items about the service received in it."""
    require(ctx, Perm.READ)
    period = date_from is not None or date_to is not None
    if period:
        date_from = date_from or dt.date(2000, 1, 1)
        date_to = date_to or clock.today()
        if date_to < date_from:
            raise ValidationError(f"The period ends ({uk_date(date_to)}) before it starts ({uk_date(date_from)}).")
    today = clock.today()
    with unit_of_work(ctx, readonly=True) as s:
        rights = [tuple(r) for r in s.execute(select(VictimsCodeRight.number, VictimsCodeRight.title)
                                              .order_by(VictimsCodeRight.number))]
        services = s.execute(select(CommissionedService.id, CommissionedService.name)
                             .order_by(CommissionedService.name)).all()
        cycles = current_cycles(s, [sid for sid, _ in services])
        links = s.execute(
            select(FeedbackService.service_id, FeedbackItem.id, FeedbackItem.cycle_id, FeedbackItem.received_on,
                   FeedbackRight.right_number)
            .join(FeedbackItem, FeedbackItem.id == FeedbackService.feedback_id)
            .join(FeedbackRight, FeedbackRight.feedback_id == FeedbackItem.id)
        ).all()
        rows: list[GridRow] = []
        cell_ids: dict[tuple[int, int], set[int]] = defaultdict(set)
        total_ids: dict[int, set[int]] = defaultdict(set)
        per_service = defaultdict(list)
        for link in links:
            per_service[link.service_id].append(link)
        for sid, name in services:
            cycle = cycles.get(sid)
            since = None
            if period:
                def wanted(link):
                    return date_from <= link.received_on <= date_to
            elif cycle is not None:
                since = _cycle_start(cycle)

                def wanted(link, cycle=cycle, since=since):
                    if link.cycle_id == cycle.id:
                        return True
                    return link.cycle_id is None and since is not None and link.received_on >= since
            else:
                def wanted(link):
                    return False
            counts: dict[int, set[int]] = defaultdict(set)
            for link in per_service.get(sid, []):
                if wanted(link):
                    counts[link.right_number].add(link.id)
                    cell_ids[(sid, link.right_number)].add(link.id)
                    total_ids[link.right_number].add(link.id)
            stage = current_stage(cycle.stages, today) if cycle else None
            rows.append(GridRow(sid, name, cycle.id if cycle else None, cycle.name if cycle else None,
                                STAGE_LABELS.get(stage) if stage else None, date_from if period else since,
                                {r: len(v) for r, v in counts.items()}))
    scope = (f"Feedback received {uk_date(date_from)} to {uk_date(date_to)}" if period
             else "Each service's current commissioning cycle")
    total = GridRow(None, "All services", None, None, None, None, {r: len(v) for r, v in total_ids.items()})
    return RightsGrid([(n, t) for n, t in rights], rows, total, scope,
                      {k: sorted(v) for k, v in cell_ids.items()})


# -- 4. themes that keep coming back ------------------------------------------------------------
@dataclass(frozen=True)
class ThemeTrend:
    theme_id: int
    theme: str
    is_active: bool
    counts: list[int]  # one per period, in order
    total: int
    meetings: int  # different meetings where it was raised
    periods_with_feedback: int

    @property
    def recurring(self) -> bool:
        return self.meetings >= 2 or self.periods_with_feedback >= 2


@dataclass(frozen=True)
class ThemeTrends:
    periods: list[tuple[str, dt.date, dt.date]]  # label, first day, last day
    themes: list[ThemeTrend]


def _periods(date_from: dt.date, date_to: dt.date, size: str) -> list[tuple[str, dt.date, dt.date]]:
    months = {"month": 1, "quarter": 3, "year": 12}.get(size)
    if months is None:
        raise ValidationError("Periods can be months, quarters or years.")
    out = []
    if months == 3:
        start = dt.date(date_from.year, ((date_from.month - 1) // 3) * 3 + 1, 1)
    elif months == 12:
        start = dt.date(date_from.year, 1, 1)
    else:
        start = dt.date(date_from.year, date_from.month, 1)
    while start <= date_to:
        m = start.month - 1 + months
        nxt = dt.date(start.year + m // 12, m % 12 + 1, 1)
        end = nxt - dt.timedelta(days=1)
        if months == 1:
            label = start.strftime("%b %Y")
        elif months == 3:
            label = f"{start.strftime('%b')}-{end.strftime('%b %Y')}"
        else:
            label = str(start.year)
        out.append((label, max(start, date_from), min(end, date_to)))
        start = nxt
        if len(out) > 240:
            raise ValidationError("That period is too long to show by month: choose quarters or years.")
    return out


def recurring_themes(ctx: AppContext, date_from: dt.date | None = None, date_to: dt.date | None = None, *,
                     period: str = "quarter", service_id: int | None = None) -> ThemeTrends:
    require(ctx, Perm.READ)
    if date_from is None or date_to is None:
        date_to = clock.today()
        date_from = dt.date(date_to.year - 1, date_to.month, 1)
    if date_to < date_from:
        raise ValidationError(f"The period ends ({uk_date(date_to)}) before it starts ({uk_date(date_from)}).")
    periods = _periods(date_from, date_to, period)
    with unit_of_work(ctx, readonly=True) as s:
        stmt = (select(Theme.id, Theme.name, Theme.is_active, FeedbackItem.id, FeedbackItem.received_on,
                       FeedbackItem.meeting_id)
                .join(FeedbackTheme, FeedbackTheme.theme_id == Theme.id)
                .join(FeedbackItem, FeedbackItem.id == FeedbackTheme.feedback_id)
                .where(FeedbackItem.received_on >= date_from, FeedbackItem.received_on <= date_to))
        if service_id is not None:
            stmt = stmt.where(FeedbackItem.id.in_(select(FeedbackService.feedback_id)
                                                  .where(FeedbackService.service_id == service_id)))
        rows = s.execute(stmt).all()
    data: dict[int, dict] = {}
    for tid, name, active, _fid, received, meeting in rows:
        d = data.setdefault(tid, {"name": name, "active": active, "counts": [0] * len(periods), "meetings": set()})
        for i, (_label, start, end) in enumerate(periods):
            if start <= received <= end:
                d["counts"][i] += 1
                break
        if meeting is not None:
            d["meetings"].add(meeting)
    trends = [ThemeTrend(tid, d["name"], d["active"], d["counts"], sum(d["counts"]), len(d["meetings"]),
                         sum(1 for c in d["counts"] if c)) for tid, d in data.items()]
    trends.sort(key=lambda t: (-t.total, -t.meetings, t.theme))
    return ThemeTrends(periods, trends)


# -- the workbook ---------------------------------------------------------------------------------
@dataclass
class TraceabilityExport:
    path: Path
    sheets: int
    rows: int


def export_traceability(ctx: AppContext, output: Path, date_from: dt.date | None = None,
                        date_to: dt.date | None = None, *,
                        progress: Callable[[int, int], None] | None = None) -> TraceabilityExport:
    """The four answers as one workbook: a sheet each, proper tables, no sources."""
    from lived_experience.exporting import xlsx
    from lived_experience.security import audit

    require(ctx, Perm.EXPORT, entity="feedback_item")
    output = xlsx.check_output(Path(output), ".xlsx", "traceability.xlsx")
    date_from, date_to = _check_period(date_from, date_to)
    step = progress or (lambda _d, _t: None)
    step(0, 4)
    changes = changes_by_service(ctx, date_from, date_to)
    step(1, 4)
    decisions = decisions_with_evidence(ctx, date_from=date_from, date_to=date_to)
    step(2, 4)
    grid = rights_grid(ctx)
    trends = recurring_themes(ctx, date_from, date_to, period="quarter")
    step(3, 4)

    marking = "OFFICIAL"  # names nobody: no sources, no quotes
    wb = xlsx.new_workbook(title="Feedback traceability", marking=marking, author=ctx.actor.display_name)
    S = xlsx.SheetColumn
    change_rows = [
        [c.service_name, i.feedback_id, i.summary, ", ".join(i.themes), i.response,
         FeedbackStatus(i.status).label, i.changed_on, i.reported_back_on, i.reported_back_how]
        for c in changes for i in c.items
    ] + [[c.service_name, None, "Nothing changed in this period", None, None, None, None, None, None]
         for c in changes if not c.items]
    xlsx.add_table_sheet(wb, "Changes by service", [
        S("Service", width=40), S("Feedback id", "int"), S("You said", width=60), S("Themes", width=30),
        S("We did", width=60), S("Status"), S("Status since", "date"), S("Reported back", "date"),
        S("How reported back", width=30)], change_rows, marking=marking, first=True)
    dec_rows = []
    for d in decisions:
        if not d.feedback:
            dec_rows.append([d.service_name, d.cycle_name, d.decided_on, d.decided_by, d.summary, None, None, None])
        for f in d.feedback:
            dec_rows.append([d.service_name, d.cycle_name, d.decided_on, d.decided_by, d.summary, f.feedback_id,
                             f.summary, ", ".join(f.themes)])
    xlsx.add_table_sheet(wb, "Decisions and evidence", [
        S("Service", width=36), S("Cycle", width=30), S("Decided on", "date"), S("Decided by", width=26),
        S("Decision", width=50), S("Feedback id", "int"), S("Feedback that informed it", width=60),
        S("Themes", width=30)], dec_rows, marking=marking)
    grid_cols = [S("Service", width=40), S("Current cycle", width=30), S("Stage")] + [
        S(f"Right {n}", "int", width=9) for n, _t in grid.rights] + [S("Rights with no feedback", width=26)]
    grid_rows = [[r.service_name, r.cycle_name or "No cycle", r.stage_label]
                 + [r.count(n) for n, _t in grid.rights]
                 + [", ".join(str(x) for x in r.empty_rights) or "None"] for r in grid.rows]
    grid_rows.append([grid.total.service_name, None, None] + [grid.total.count(n) for n, _t in grid.rights]
                     + [", ".join(str(x) for x in grid.total.empty_rights) or "None"])
    xlsx.add_table_sheet(wb, "Rights grid", grid_cols, grid_rows, marking=marking)
    theme_cols = [S("Theme", width=40)] + [S(label, "int", width=14) for label, _a, _b in trends.periods] + [
        S("Total", "int"), S("Meetings raising it", "int"), S("Keeps coming back")]
    theme_rows = [[t.theme] + t.counts + [t.total, t.meetings, "Yes" if t.recurring else "No"] for t in trends.themes]
    xlsx.add_table_sheet(wb, "Recurring themes", theme_cols, theme_rows, marking=marking)
    xlsx.add_table_sheet(wb, "Victims Code rights", [S("Right", "int"), S("Title", width=90)],
                         [[n, t] for n, t in grid.rights], marking=marking)
    xlsx.add_about_sheet(wb, marking=marking, lines=[
        ("Report", "Feedback traceability: what the group changed, and how"),
        ("Period", f"{uk_date(date_from)} to {uk_date(date_to)}"),
        ("Rights grid", grid.scope),
        ("Exported", clock.to_london(clock.now()).strftime("%d/%m/%Y %H:%M")),
        ("Exported by", ctx.actor.display_name),
        ("Sources", "No member, contact or anonymous source appears in this workbook."),
    ])
    xlsx.save(wb, output)
    total_rows = len(change_rows) + len(dec_rows) + len(grid_rows) + len(theme_rows)
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "export", entity="feedback_item",
                     detail=f"traceability {uk_date(date_from)}-{uk_date(date_to)}: {total_rows} rows to {audit.where(output)}")
    step(4, 4)
    return TraceabilityExport(output, 6, total_rows)
