"""Agenda items (in order, with timings and content notes), attached papers, and
what the meeting decided and who will do what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from db.enums import ActionStatus
from db.models import (
    AgendaItem,
    AgendaPaper,
    CommissionedService,
    CommissioningCycle,
    Meeting,
    MeetingAction,
    MeetingDecision,
    StaffUser,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.meetings import papers as paper_rules
from lived_experience.meetings import timing
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.security.records import delete_record

MAX_ITEM_MINUTES = 8 * 60


@dataclass(frozen=True)
class PaperRow:
    id: int
    version: int
    title: str
    file_name: str
    size_bytes: int
    page_count: int | None


@dataclass(frozen=True)
class AgendaRow:
    id: int
    version: int
    position: int
    title: str
    presenter: str | None
    minutes: int | None
    starts_at: dt.datetime  # computed from the meeting's start and the minutes before
    content_note: str | None
    service_id: int | None
    service: str | None
    cycle_id: int | None
    cycle: str | None
    notes: str | None
    papers: list[PaperRow] = field(default_factory=list)


@dataclass
class AgendaItemInput:
    title: str
    presenter: str | None = None
    minutes: int | None = None
    content_note: str | None = None
    service_id: int | None = None
    cycle_id: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ActionRow:
    id: int
    version: int
    meeting_id: int
    meeting_title: str
    meeting_starts_at: dt.datetime
    agenda_item_id: int | None
    agenda_item: str | None
    description: str
    owner_name: str | None
    owner_id: int | None
    due_on: dt.date | None
    status: str
    completed_on: dt.date | None
    notes: str | None

    @property
    def owner(self) -> str:
        return self.owner_name or ""

    @property
    def is_open(self) -> bool:
        return self.status in (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)


@dataclass
class ActionInput:
    description: str
    owner_name: str | None = None
    owner_id: int | None = None
    due_on: dt.date | None = None
    status: str = ActionStatus.OPEN.value
    agenda_item_id: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class DecisionRow:
    id: int
    version: int
    text: str
    agenda_item_id: int | None
    agenda_item: str | None


def _clean(v: str | None) -> str | None:
    if v is None:
        return None
    v = str(v).strip()
    return v or None


# -- agenda ------------------------------------------------------------------------------------
def agenda(ctx: AppContext, meeting_id: int) -> list[AgendaRow]:
    require(ctx, Perm.READ, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx, readonly=True) as s:
        return agenda_rows(s, get_or_404(s, Meeting, meeting_id, "meeting"))


def agenda_rows(s, m: Meeting) -> list[AgendaRow]:
    items = list(s.scalars(select(AgendaItem).where(AgendaItem.meeting_id == m.id)
                           .order_by(AgendaItem.position, AgendaItem.id)))
    services = dict(s.execute(select(CommissionedService.id, CommissionedService.name).where(
        CommissionedService.id.in_({i.service_id for i in items if i.service_id}))).all())
    cycles = dict(s.execute(select(CommissioningCycle.id, CommissioningCycle.name).where(
        CommissioningCycle.id.in_({i.cycle_id for i in items if i.cycle_id}))).all())
    papers: dict[int, list[PaperRow]] = {}
    if items:
        for p in s.execute(select(AgendaPaper.id, AgendaPaper.version, AgendaPaper.agenda_item_id,
                                  AgendaPaper.title, AgendaPaper.file_name, AgendaPaper.size_bytes,
                                  AgendaPaper.page_count)
                           .where(AgendaPaper.agenda_item_id.in_([i.id for i in items]))
                           .order_by(AgendaPaper.position, AgendaPaper.id)):
            papers.setdefault(p.agenda_item_id, []).append(
                PaperRow(p.id, p.version, p.title, p.file_name, p.size_bytes, p.page_count))
    starts = timing.agenda_starts(m.starts_at, [i.minutes for i in items])
    return [
        AgendaRow(i.id, i.version, n + 1, i.title, i.presenter, i.minutes, starts[n], i.content_note,
                  i.service_id, services.get(i.service_id), i.cycle_id, cycles.get(i.cycle_id), i.notes,
                  papers.get(i.id, []))
        for n, i in enumerate(items)
    ]


def _validate_item(s, data: AgendaItemInput) -> dict:
    errors = {}
    title = _clean(data.title)
    if not title:
        errors["title"] = "The agenda item needs a title."
    elif len(title) > 200:
        errors["title"] = "The agenda item's title is too long: keep it under 200 characters."
    presenter = _clean(data.presenter)
    if presenter and len(presenter) > 200:
        errors["presenter"] = "The presenter's name is too long."
    minutes = data.minutes
    if minutes in ("", None):
        minutes = None
    else:
        try:
            minutes = int(minutes)
        except (TypeError, ValueError):
            minutes = -1
        if not 0 <= minutes <= MAX_ITEM_MINUTES:
            errors["minutes"] = "Minutes allotted must be a whole number from 0 to 480."
    if data.service_id is not None and s.get(CommissionedService, data.service_id) is None:
        errors["service_id"] = "That commissioned service no longer exists."
    if data.cycle_id is not None and s.get(CommissioningCycle, data.cycle_id) is None:
        errors["cycle_id"] = "That commissioning cycle no longer exists."
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    return dict(title=title, presenter=presenter, minutes=minutes, content_note=_clean(data.content_note),
                service_id=data.service_id, cycle_id=data.cycle_id, notes=_clean(data.notes))


def save_agenda_item(ctx: AppContext, meeting_id: int, data: AgendaItemInput, *, item_id: int | None = None,
                     expected_version: int | None = None) -> int:
    """Add an item at the end of the agenda, or change one. Returns its id."""
    require(ctx, Perm.WRITE, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx) as s:
        get_or_404(s, Meeting, meeting_id, "meeting")
        values = _validate_item(s, data)
        if item_id is None:
            last = s.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id)) or 0
            item = AgendaItem(meeting_id=meeting_id, position=last + 1, **values)
            s.add(item)
            s.flush()
            audit.record(s, ctx.actor, "agenda_item.create", entity="agenda_item", entity_id=item.id,
                         fields=values.keys())
            return item.id
        item = get_or_404(s, AgendaItem, item_id, "agenda item")
        if item.meeting_id != meeting_id:
            raise UserError("That agenda item belongs to another meeting.")
        check_version(s, item, expected_version, "agenda item")
        changed = [k for k, v in values.items() if getattr(item, k) != v]
        for k in changed:
            setattr(item, k, values[k])
        if changed:
            s.flush()
            audit.record(s, ctx.actor, "agenda_item.change", entity="agenda_item", entity_id=item.id, fields=changed)
        return item.id


def delete_agenda_item(ctx: AppContext, item_id: int, *, expected_version: int | None = None) -> None:
    delete_record(ctx, AgendaItem, item_id, expected_version, what="agenda item", action="agenda_item.delete",
                  after=lambda s, item: _renumber(s, item.meeting_id))


def _renumber(s, meeting_id: int, order: list[int] | None = None) -> None:
    items = list(s.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                           .order_by(AgendaItem.position, AgendaItem.id)))
    if order is not None:
        by_id = {i.id: i for i in items}
        items = [by_id[i] for i in order]
    for n, item in enumerate(items, start=1):
        if item.position != n:
            item.position = n


def reorder_agenda(ctx: AppContext, meeting_id: int, ordered_ids: list[int]) -> None:
    """Put the agenda in this order (every item of the meeting, each once)."""
    require(ctx, Perm.WRITE, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx) as s:
        get_or_404(s, Meeting, meeting_id, "meeting")
        current = set(s.scalars(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id)))
        if sorted(ordered_ids) != sorted(current) or len(set(ordered_ids)) != len(ordered_ids):
            raise UserError("The agenda changed while you were reordering it: reload it and try again.")
        _renumber(s, meeting_id, list(ordered_ids))
        s.flush()
        audit.record(s, ctx.actor, "agenda_item.reorder", entity="meeting", entity_id=meeting_id,
                     fields=["position"])


def move_agenda_item(ctx: AppContext, item_id: int, delta: int) -> None:
    """Move an item up (-1) or down (+1); at either end nothing happens."""
    require(ctx, Perm.WRITE, entity="agenda_item", entity_id=item_id)
    with unit_of_work(ctx) as s:
        item = get_or_404(s, AgendaItem, item_id, "agenda item")
        ids = list(s.scalars(select(AgendaItem.id).where(AgendaItem.meeting_id == item.meeting_id)
                             .order_by(AgendaItem.position, AgendaItem.id)))
        i = ids.index(item_id)
        j = max(0, min(len(ids) - 1, i + delta))
        if i == j:
            return
        ids.insert(j, ids.pop(i))
        _renumber(s, item.meeting_id, ids)
        s.flush()
        audit.record(s, ctx.actor, "agenda_item.reorder", entity="meeting", entity_id=item.meeting_id,
                     fields=["position"])


# -- papers ------------------------------------------------------------------------------------
def attach_paper(ctx: AppContext, item_id: int, *, path: str | Path | None = None, file_name: str | None = None,
                 content: bytes | None = None, title: str | None = None) -> int:
    """Attach a PDF (from ``path``, or ``file_name`` + ``content``) to an agenda item."""
    require(ctx, Perm.WRITE, entity="agenda_item", entity_id=item_id)
    if path is not None:
        file_name, content = paper_rules.read_paper_file(path)
    if content is None:
        raise ValidationError("Choose a PDF file to attach.")
    checked = paper_rules.check_pdf(file_name or "paper.pdf", content)
    title = _clean(title) or checked.title or Path(checked.file_name).stem
    title = title[:200]
    with unit_of_work(ctx) as s:
        item = get_or_404(s, AgendaItem, item_id, "agenda item")
        dup = s.scalar(select(AgendaPaper.title).where(AgendaPaper.agenda_item_id == item_id,
                                                      AgendaPaper.sha256 == checked.sha256))
        if dup is not None:
            raise UserError(f"This PDF is already attached to this item as '{dup}'.")
        last = s.scalar(select(func.max(AgendaPaper.position)).where(AgendaPaper.agenda_item_id == item_id)) or 0
        p = AgendaPaper(agenda_item_id=item.id, position=last + 1, title=title, file_name=checked.file_name,
                        sha256=checked.sha256, size_bytes=checked.size_bytes, page_count=checked.page_count,
                        content=checked.content)
        s.add(p)
        s.flush()
        audit.record(s, ctx.actor, "agenda_paper.create", entity="agenda_paper", entity_id=p.id,
                     fields=["title", "file_name", "content"])
        return p.id


def remove_paper(ctx: AppContext, paper_id: int, *, expected_version: int | None = None) -> None:
    delete_record(ctx, AgendaPaper, paper_id, expected_version, what="paper", action="agenda_paper.delete")


def paper_content(ctx: AppContext, paper_id: int) -> tuple[str, bytes]:
    """The stored PDF (file name, bytes), for opening or saving a copy."""
    require(ctx, Perm.READ, entity="agenda_paper", entity_id=paper_id)
    with unit_of_work(ctx, readonly=True) as s:
        p = get_or_404(s, AgendaPaper, paper_id, "paper")
        return p.file_name, bytes(p.content)


# -- actions and decisions ----------------------------------------------------------------------
def _action_row(a: MeetingAction, m: Meeting, item_titles: dict[int, str]) -> ActionRow:
    return ActionRow(a.id, a.version, m.id, m.title, m.starts_at, a.agenda_item_id,
                     item_titles.get(a.agenda_item_id), a.description, a.owner_name, a.owner_id, a.due_on,
                     a.status, a.completed_on, a.notes)


def actions(ctx: AppContext, meeting_id: int) -> list[ActionRow]:
    require(ctx, Perm.READ, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx, readonly=True) as s:
        m = get_or_404(s, Meeting, meeting_id, "meeting")
        titles = dict(s.execute(select(AgendaItem.id, AgendaItem.title).where(AgendaItem.meeting_id == m.id)).all())
        return [_action_row(a, m, titles) for a in
                s.scalars(select(MeetingAction).where(MeetingAction.meeting_id == m.id).order_by(MeetingAction.id))]


def previous_meetings_query(m: Meeting):
    """Meetings before ``m`` whose open actions and feedback carry into its pack: the same
    programme when it has one, otherwise every earlier meeting."""
    q = select(Meeting.id).where(Meeting.starts_at < m.starts_at, Meeting.id != m.id)
    if m.programme_id is not None:
        q = q.where(Meeting.programme_id == m.programme_id)
    return q


def open_actions_before(s, m: Meeting) -> list[ActionRow]:
    """Actions still open from earlier meetings: they carry into this meeting's pack."""
    rows = s.execute(
        select(MeetingAction, Meeting)
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .where(MeetingAction.meeting_id.in_(previous_meetings_query(m)),
               MeetingAction.status.in_([ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value]))
        .order_by(Meeting.starts_at, MeetingAction.due_on, MeetingAction.id))
    out = []
    for a, mt in rows:
        out.append(_action_row(a, mt, {}))
    return out


def carried_actions(ctx: AppContext, meeting_id: int) -> list[ActionRow]:
    require(ctx, Perm.READ, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx, readonly=True) as s:
        return open_actions_before(s, get_or_404(s, Meeting, meeting_id, "meeting"))


def save_action(ctx: AppContext, meeting_id: int, data: ActionInput, *, action_id: int | None = None,
                expected_version: int | None = None) -> int:
    require(ctx, Perm.WRITE, entity="meeting", entity_id=meeting_id)
    description = _clean(data.description)
    errors = {}
    if not description:
        errors["description"] = "Say what the action is."
    try:
        status = ActionStatus.parse(data.status).value
    except ValueError:
        status = None
        errors["status"] = f"Choose the status: {', '.join(a.label for a in ActionStatus)}."
    owner_name = _clean(data.owner_name)
    if owner_name and len(owner_name) > 200:
        errors["owner_name"] = "The owner's name is too long."
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    with unit_of_work(ctx) as s:
        m = get_or_404(s, Meeting, meeting_id, "meeting")
        if data.owner_id is not None:
            staff = s.get(StaffUser, data.owner_id)
            if staff is None:
                raise ValidationError("That member of staff no longer has an account: choose another owner.")
            owner_name = owner_name or staff.display_name
        if data.agenda_item_id is not None:
            item = s.get(AgendaItem, data.agenda_item_id)
            if item is None or item.meeting_id != m.id:
                raise ValidationError("That agenda item is not on this meeting's agenda.")
        values = dict(description=description, owner_name=owner_name, owner_id=data.owner_id, due_on=data.due_on,
                      status=status, agenda_item_id=data.agenda_item_id, notes=_clean(data.notes))
        if action_id is None:
            a = MeetingAction(meeting_id=m.id, **values)
            s.add(a)
            action = "meeting_action.create"
        else:
            a = get_or_404(s, MeetingAction, action_id, "action")
            check_version(s, a, expected_version, "action")
            for k, v in values.items():
                setattr(a, k, v)
            action = "meeting_action.change"
        if status == ActionStatus.DONE.value:
            a.completed_on = a.completed_on or clock.today()
        else:
            a.completed_on = None
        s.flush()
        audit.record(s, ctx.actor, action, entity="meeting_action", entity_id=a.id, fields=values.keys())
        return a.id


def set_action_status(ctx: AppContext, action_id: int, status: str, *, expected_version: int | None = None) -> int:
    """Change only the status of an action (from this meeting or carried from an earlier one)."""
    require(ctx, Perm.WRITE, entity="meeting_action", entity_id=action_id)
    try:
        value = ActionStatus.parse(status).value
    except ValueError:
        raise ValidationError(f"Choose the status: {', '.join(a.label for a in ActionStatus)}.") from None
    with unit_of_work(ctx) as s:
        a = get_or_404(s, MeetingAction, action_id, "action")
        check_version(s, a, expected_version, "action")
        a.status = value
        a.completed_on = (a.completed_on or clock.today()) if value == ActionStatus.DONE.value else None
        s.flush()
        audit.record(s, ctx.actor, "meeting_action.change", entity="meeting_action", entity_id=a.id,
                     fields=["status", "completed_on"])
        return a.version


def delete_action(ctx: AppContext, action_id: int, *, expected_version: int | None = None) -> None:
    delete_record(ctx, MeetingAction, action_id, expected_version, what="action", action="meeting_action.delete")


def decisions(ctx: AppContext, meeting_id: int) -> list[DecisionRow]:
    require(ctx, Perm.READ, entity="meeting", entity_id=meeting_id)
    with unit_of_work(ctx, readonly=True) as s:
        get_or_404(s, Meeting, meeting_id, "meeting")
        titles = dict(s.execute(select(AgendaItem.id, AgendaItem.title)
                                .where(AgendaItem.meeting_id == meeting_id)).all())
        return [DecisionRow(d.id, d.version, d.text, d.agenda_item_id, titles.get(d.agenda_item_id))
                for d in s.scalars(select(MeetingDecision).where(MeetingDecision.meeting_id == meeting_id)
                                   .order_by(MeetingDecision.id))]


def save_decision(ctx: AppContext, meeting_id: int, text: str, *, agenda_item_id: int | None = None,
                  decision_id: int | None = None, expected_version: int | None = None) -> int:
    require(ctx, Perm.WRITE, entity="meeting", entity_id=meeting_id)
    text = _clean(text)
    if not text:
        raise ValidationError("Write down what was decided.")
    with unit_of_work(ctx) as s:
        get_or_404(s, Meeting, meeting_id, "meeting")
        if agenda_item_id is not None:
            item = s.get(AgendaItem, agenda_item_id)
            if item is None or item.meeting_id != meeting_id:
                raise ValidationError("That agenda item is not on this meeting's agenda.")
        if decision_id is None:
            d = MeetingDecision(meeting_id=meeting_id, text=text, agenda_item_id=agenda_item_id)
            s.add(d)
            action = "meeting_decision.create"
        else:
            d = get_or_404(s, MeetingDecision, decision_id, "decision")
            check_version(s, d, expected_version, "decision")
            d.text, d.agenda_item_id = text, agenda_item_id
            action = "meeting_decision.change"
        s.flush()
        audit.record(s, ctx.actor, action, entity="meeting_decision", entity_id=d.id,
                     fields=["text", "agenda_item_id"])
        return d.id


def delete_decision(ctx: AppContext, decision_id: int, *, expected_version: int | None = None) -> None:
    delete_record(ctx, MeetingDecision, decision_id, expected_version, what="decision", action="meeting_decision.delete")
