"""The commissioning evidence PDF for one cycle: for the Police and Crime Panel or a procurement file.

What it holds: the service and its contract; the cycle's stages (planned and
actual dates, the current stage named in words) and activities (the equality
impact assessment's reference among them); the feedback linked to the cycle
(recorded against it, or behind one of its decisions), by theme and by Victims'
Code right, with every right listed so a right with no feedback shows as such;
and each decision with the feedback behind it.

Feedback is referred to as F-<id> (the id the Feedback section shows). No source
is ever named. Members' words as said are left out unless asked for; the
document carries the office's protective marking (OFFICIAL-SENSITIVE unless the
office set OFFICIAL).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer
from sqlalchemy import select

from db.enums import FeedbackStatus, ServiceStatus
from db.models import (
    CommissionedService,
    FeedbackItem,
    FeedbackRight,
    FeedbackTheme,
    Organisation,
    Theme,
    VictimsCodeRight,
)
from lived_experience.commissioning.cycles import cycle_feedback_condition, get_cycle
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import pounds, uk_date
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting import pdf, xlsx
from lived_experience.exporting.you_said_we_did import page_count
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import load as load_settings

WIDTH = 174 * mm


@dataclass(frozen=True)
class EvidenceFeedback:
    id: int
    summary: str
    quote: str | None
    received_on: object
    status: str
    response: str | None
    themes: list[str]
    rights: list[int]

    @property
    def ref(self) -> str:
        return f"F-{self.id}"


@dataclass
class EvidenceResult:
    path: Path
    title: str
    items: int
    decisions: int
    pages: int


def cycle_feedback(ctx: AppContext, cycle_id: int) -> list[EvidenceFeedback]:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        items = s.execute(
            select(FeedbackItem.id, FeedbackItem.summary, FeedbackItem.quote, FeedbackItem.received_on,
                   FeedbackItem.status, FeedbackItem.response)
            .where(cycle_feedback_condition(cycle_id)).order_by(FeedbackItem.received_on, FeedbackItem.id)
        ).all()
        ids = [i.id for i in items]
        themes: dict[int, list[str]] = defaultdict(list)
        rights: dict[int, list[int]] = defaultdict(list)
        if ids:
            for fid, name in s.execute(select(FeedbackTheme.feedback_id, Theme.name)
                                       .join(Theme, Theme.id == FeedbackTheme.theme_id)
                                       .where(FeedbackTheme.feedback_id.in_(ids)).order_by(Theme.name)):
                themes[fid].append(name)
            for fid, rn in s.execute(select(FeedbackRight.feedback_id, FeedbackRight.right_number)
                                     .where(FeedbackRight.feedback_id.in_(ids))
                                     .order_by(FeedbackRight.right_number)):
                rights[fid].append(rn)
    return [EvidenceFeedback(i.id, i.summary, i.quote, i.received_on, i.status, i.response, themes.get(i.id, []),
                             rights.get(i.id, [])) for i in items]


def _status(value: str) -> str:
    return FeedbackStatus(value).label


def write_evidence(ctx: AppContext, cycle_id: int, output: Path, *, include_quotes: bool = False,
                   progress: Callable[[int, int], None] | None = None) -> EvidenceResult:
    require(ctx, Perm.EXPORT, entity="commissioning_cycle", entity_id=cycle_id)
    output = xlsx.check_output(Path(output), ".pdf", "evidence.pdf")
    cycle = get_cycle(ctx, cycle_id)
    items = cycle_feedback(ctx, cycle_id)
    by_id = {i.id: i for i in items}
    with unit_of_work(ctx, readonly=True) as s:
        svc = s.get(CommissionedService, cycle.service_id)
        provider = s.get(Organisation, svc.provider_id) if svc.provider_id else None
        service = dict(name=svc.name, provider=provider.name if provider else svc.provider_name,
                       start=svc.contract_start, end=svc.contract_end, value=svc.annual_value_pence,
                       status=svc.status, kind=svc.kind)
        rights = [tuple(r) for r in s.execute(select(VictimsCodeRight.number, VictimsCodeRight.title)
                                              .order_by(VictimsCodeRight.number))]
    marking = load_settings(ctx).protective_marking
    st = pdf.styles()
    story: list = [
        pdf.para("Commissioning evidence", st.title),
        pdf.para(cycle.name if cycle.name.startswith(service["name"]) else f"{service['name']}: {cycle.name}",
                 st.h2),
        pdf.para("How the Victims and Lived Experience Group's feedback informed this commissioning cycle. "
                 "Feedback items are referred to as F- and their number in the Lived Experience records. No "
                 "member or other source is named.", st.body),
    ]
    about = [
        ["Service", service["name"]],
        ["Provider", service["provider"] or "Not recorded"],
        ["Contract", f"{uk_date(service['start']) or 'not recorded'} to {uk_date(service['end']) or 'not recorded'}"],
        ["Annual value", pounds(service["value"]) or "Not recorded"],
        ["Service status", ServiceStatus(service["status"]).label],
        ["Cycle", cycle.name],
        ["Current stage", cycle.current_stage_label],
        ["Feedback linked to the cycle", str(len(items))],
        ["Decisions recorded", str(len(cycle.decisions))],
    ]
    story.append(pdf.table(about, st, header=False, widths=[0.3 * WIDTH, 0.7 * WIDTH]))

    # Stages and activities.
    story.append(pdf.para("The cycle: Analyse, Plan, Do, Review", st.h2))
    rows = [["Stage", "Planned", "Actual", "Where it is"]]
    for sg in cycle.stages:
        label = f"{sg.label} (current stage)" if sg.is_current else sg.label
        rows.append([label, f"{uk_date(sg.planned_start)} to {uk_date(sg.planned_end)}".strip(" to") or "Not planned",
                     (f"{uk_date(sg.actual_start)} to {uk_date(sg.actual_end) or 'now'}" if sg.actual_start
                      else "Not started"), sg.state])
    story.append(pdf.table(rows, st, widths=[0.22 * WIDTH, 0.28 * WIDTH, 0.28 * WIDTH, 0.22 * WIDTH]))
    rows = [["Stage", "Activity", "Done on", "Reference or notes"]]
    for sg in cycle.stages:
        for a in sg.activities:
            rows.append([sg.label, a.label, uk_date(a.done_on) or "Not yet",
                         "; ".join(x for x in (a.reference, a.notes) if x)])
    if len(rows) > 1:
        story.append(Spacer(1, 4 * mm))
        table = pdf.table(rows, st, widths=[0.14 * WIDTH, 0.38 * WIDTH, 0.16 * WIDTH, 0.32 * WIDTH])
        # A dozen activities fit on a page: keep the table whole rather than leave a row behind.
        story.append(KeepTogether([pdf.para("Activities in each stage", st.h3), table]) if len(rows) <= 16
                     else table)
    if progress:
        progress(1, 4)

    # By theme. A heading is never left alone at the foot of a page: it goes in the
    # same keep-together block as the first thing under it.
    heading = [pdf.para("Feedback by theme", st.h2)]
    if not items:
        story.append(pdf.para("No feedback has been linked to this cycle yet.", st.note))
    groups: dict[str, list[EvidenceFeedback]] = defaultdict(list)
    for i in items:
        for t in i.themes or ["No theme recorded"]:
            groups[t].append(i)
    if not groups:
        story[-1:-1] = heading
        heading = []
    for theme, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        block = heading + [pdf.para(f"{theme} ({len(members)})", st.h3)]
        heading = []
        head = ["Ref", "What was said", "Rights", "Status"]
        rows = [head]
        for i in members:
            said = pdf.text(i.summary)
            if include_quotes and i.quote:
                said += f"<br/><i>\u201c{pdf.text(i.quote)}\u201d</i>"
            rows.append([i.ref, pdf.rich(said, st.cell), ", ".join(str(r) for r in i.rights) or "None",
                         _status(i.status)])
        table = pdf.table(rows, st, widths=[0.1 * WIDTH, 0.6 * WIDTH, 0.12 * WIDTH, 0.18 * WIDTH])
        if len(members) < 8:
            story.append(KeepTogether(block + [table]))
        else:
            # A long table splits across pages (its header repeats); the headings stay with its start.
            story.extend(block)
            story.append(table)
    if progress:
        progress(2, 4)

    # By right: every right, so the gaps show.
    story.append(pdf.para("Feedback by Victims' Code right", st.h2))
    story.append(pdf.para("Every right of the Code of Practice for Victims of Crime is listed. A right with no "
                          "feedback is marked so: it may need asking about.", st.body))
    per_right: dict[int, list[str]] = defaultdict(list)
    for i in items:
        for r in i.rights:
            per_right[r].append(i.ref)
    rows = [["Right", "Items", "Feedback"]]
    for n, title in rights:
        refs = per_right.get(n, [])
        rows.append([f"{n}. {title}", str(len(refs)), ", ".join(refs) if refs else "No feedback this cycle"])
    story.append(pdf.table(rows, st, widths=[0.55 * WIDTH, 0.1 * WIDTH, 0.35 * WIDTH]))
    if progress:
        progress(3, 4)

    # Decisions and the feedback behind each.
    heading = [pdf.para("Decisions and the feedback behind them", st.h2)]
    if not cycle.decisions:
        story.extend(heading + [pdf.para("No decisions have been recorded for this cycle yet.", st.note)])
    for d in cycle.decisions:
        block = heading + [pdf.para(f"{uk_date(d.decided_on)}: {d.summary}", st.h3),
                 pdf.para(f"Decided by {d.decided_by}" + (f", {d.stage.capitalize()} stage" if d.stage else ""),
                          st.small)]
        if d.detail:
            block.append(pdf.para(d.detail, st.body))
        if d.feedback_ids:
            rows = [["Ref", "Feedback that informed it", "Themes", "Response"]]
            for fid in d.feedback_ids:
                f = by_id.get(fid)
                if f is None:
                    continue
                rows.append([f.ref, f.summary, ", ".join(f.themes), f.response or _status(f.status)])
            block.append(pdf.table(rows, st, widths=[0.1 * WIDTH, 0.38 * WIDTH, 0.2 * WIDTH, 0.32 * WIDTH]))
        else:
            block.append(pdf.para("No feedback was linked to this decision.", st.note))
        story.append(KeepTogether(block))
        heading = []
    title = f"Commissioning evidence: {cycle.name}"
    # The footer repeats the document title: keep it short (the cycle is in the subject and on page 1).
    info = pdf.DocInfo(title=f"Evidence, cycle {cycle.id}",
                       subject=f"Evidence from the Victims and Lived Experience Group for {cycle.name}",
                       author="Office of the Police and Crime Commissioner for Leicester, Leicestershire and Rutland",
                       marking=marking)
    try:
        pdf.build(output, story, info)
    except OSError as exc:
        raise UserError(f"The PDF could not be written to {output}: it is read-only or open in another program "
                        f"({exc.strerror}).") from None
    pages = page_count(output)
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "export", entity="commissioning_cycle", entity_id=cycle_id,
                     fields=["summary", "themes", "rights", "decisions"] + (["quote"] if include_quotes else []),
                     detail=f"evidence: {len(items)} items, {len(cycle.decisions)} decisions to {audit.where(output)}")
    if progress:
        progress(4, 4)
    return EvidenceResult(output, title, len(items), len(cycle.decisions), pages)
