"""The feedback list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from db.enums import CycleStage, FeedbackSource, FeedbackStatus, Priority
from db.models import (
    CommissionedService,
    CommissioningCycle,
    FeedbackItem,
    FeedbackRight,
    FeedbackService,
    FeedbackTheme,
    Meeting,
    Theme,
)
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import parse_uk_date
from lived_experience.listing.registry import register
from lived_experience.listing.spec import ListColumn as C
from lived_experience.listing.spec import ListFilter, ListSpec


def _group(session, stmt):
    out: dict[int, list] = {}
    for fid, value in session.execute(stmt):
        out.setdefault(fid, []).append(value)
    return out


def _enrich(session, ctx, rows):
    ids = [r["id"] for r in rows]
    services = _group(
        session,
        select(FeedbackService.feedback_id, CommissionedService.name)
        .join(CommissionedService, CommissionedService.id == FeedbackService.service_id)
        .where(FeedbackService.feedback_id.in_(ids))
        .order_by(CommissionedService.name),
    )
    rights = _group(
        session,
        select(FeedbackRight.feedback_id, FeedbackRight.right_number)
        .where(FeedbackRight.feedback_id.in_(ids))
        .order_by(FeedbackRight.right_number),
    )
    themes = _group(
        session,
        select(FeedbackTheme.feedback_id, Theme.name)
        .join(Theme, Theme.id == FeedbackTheme.theme_id)
        .where(FeedbackTheme.feedback_id.in_(ids))
        .order_by(Theme.name),
    )
    for r in rows:
        r["services"] = services.get(r["id"], [])
        r["rights"] = rights.get(r["id"], [])
        r["themes"] = themes.get(r["id"], [])


def _as_date(value, key: str) -> dt.date:
    """A period filter's value: a date, or text as dd/mm/yyyy or yyyy-mm-dd (the command line)."""
    if isinstance(value, dt.date):
        return value
    try:
        return parse_uk_date(str(value))
    except ValueError:
        raise UserError(f"The '{key}' filter needs a date such as 23/11/2026, not '{value}'.") from None


def _as_int(value, key: str) -> int:
    """A filter that names a record takes its number (the command line's --filter service=3)."""
    if isinstance(value, bool):
        raise UserError(f"The '{key}' filter needs a number, not '{value}'.")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit():
        raise UserError(f"The '{key}' filter needs a number (the record's id), not '{value}'.")
    return int(text)


def _values(value) -> list:
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _has_link(link_table, key: str, value_column):
    def build(value):
        ids = [_as_int(v, key) for v in _values(value)]
        return FeedbackItem.id.in_(select(link_table.feedback_id).where(value_column.in_(ids)))

    return build


def _right(value):
    numbers = [_as_int(v, "right") for v in _values(value)]
    bad = [n for n in numbers if not 1 <= n <= 12]
    if bad:
        raise UserError(f"The Victims' Code has rights 1 to 12; {bad[0]} is not one of them.")
    return FeedbackItem.id.in_(select(FeedbackRight.feedback_id).where(FeedbackRight.right_number.in_(numbers)))


def _record(column, key: str):
    def build(value):
        return column.in_([_as_int(v, key) for v in _values(value)])

    return build


def _one_of(column, enum, key: str):
    """A stored value or its label ("under consideration", "Response agreed"); anything else is refused."""

    def build(value):
        out = []
        for v in _values(value):
            try:
                out.append(enum.parse(str(v)).value)
            except ValueError:
                raise UserError(f"The '{key}' filter: '{v}' is not one of "
                                f"{', '.join(m.value for m in enum)}.") from None
        return column.in_(out)

    return build


register(
    ListSpec(
        kind="feedback",
        title="Feedback",
        entity="feedback_item",
        source=lambda: FeedbackItem.__table__.outerjoin(
            Meeting.__table__, Meeting.id == FeedbackItem.meeting_id
        ).outerjoin(CommissioningCycle.__table__, CommissioningCycle.id == FeedbackItem.cycle_id),
        id_expr=FeedbackItem.id,
        columns=[
            C("summary", "Summary", FeedbackItem.summary, searchable=True, width=320),
            C("status", "Status", FeedbackItem.status, kind="enum", enum=FeedbackStatus),
            C("received_on", "Received", FeedbackItem.received_on, kind="date"),
            C("priority", "Priority", FeedbackItem.priority, kind="enum", enum=Priority),
            C("source", "Source", FeedbackItem.source_kind, kind="enum", enum=FeedbackSource),
            C("source_meeting", "Meeting", Meeting.title, searchable=True),
            C("services", "Services", None, kind="list", sortable=False),
            C("rights", "Victims' Code rights", None, kind="list", sortable=False),
            C("themes", "Themes", None, kind="list", sortable=False),
            C("cycle", "Cycle", CommissioningCycle.name),
            C("stage", "Stage", FeedbackItem.cycle_stage, kind="enum", enum=CycleStage),
            C("response_due_on", "Response due", FeedbackItem.response_due_on, kind="date"),
            C("response", "We did", FeedbackItem.response, searchable=True, hidden=True),
        ],
        filters=[
            ListFilter("status", "Status", FeedbackItem.status, enum=FeedbackStatus,
                       build=_one_of(FeedbackItem.status, FeedbackStatus, "status")),
            ListFilter("priority", "Priority", FeedbackItem.priority, enum=Priority,
                       build=_one_of(FeedbackItem.priority, Priority, "priority")),
            ListFilter("stage", "Stage", FeedbackItem.cycle_stage, enum=CycleStage,
                       build=_one_of(FeedbackItem.cycle_stage, CycleStage, "stage")),
            ListFilter("source", "Source", FeedbackItem.source_kind, enum=FeedbackSource,
                       build=_one_of(FeedbackItem.source_kind, FeedbackSource, "source")),
            ListFilter("cycle", "Cycle", FeedbackItem.cycle_id, build=_record(FeedbackItem.cycle_id, "cycle")),
            ListFilter("meeting", "Meeting", FeedbackItem.meeting_id,
                       build=_record(FeedbackItem.meeting_id, "meeting")),
            ListFilter("service", "Service", None,
                       build=_has_link(FeedbackService, "service", FeedbackService.service_id)),
            ListFilter("right", "Right", None, build=_right),
            ListFilter("theme", "Theme", None,
                       build=_has_link(FeedbackTheme, "theme", FeedbackTheme.theme_id)),
            ListFilter("from", "From", FeedbackItem.received_on,
                       build=lambda v: FeedbackItem.received_on >= _as_date(v, "from")),
            ListFilter("to", "To", FeedbackItem.received_on,
                       build=lambda v: FeedbackItem.received_on <= _as_date(v, "to")),
        ],
        default_sort=("received_on", True),
        enrich=_enrich,
        description="What members said, and what was done about it.",
    )
)


def _theme_uses():
    return (select(func.count(FeedbackTheme.id)).where(FeedbackTheme.theme_id == Theme.id).scalar_subquery())


def _theme_last_used():
    return (select(func.max(FeedbackItem.received_on))
            .join(FeedbackTheme, FeedbackTheme.feedback_id == FeedbackItem.id)
            .where(FeedbackTheme.theme_id == Theme.id).scalar_subquery())


register(
    ListSpec(
        kind="themes",
        title="Feedback themes",
        entity="theme",
        source=lambda: Theme.__table__,
        id_expr=Theme.id,
        columns=[
            C("name", "Theme", Theme.name, searchable=True, width=260),
            C("description", "Description", Theme.description, searchable=True, width=300),
            C("is_active", "In use", Theme.is_active, kind="bool"),
            C("items", "Feedback items", _theme_uses(), kind="int"),
            C("last_received_on", "Last raised", _theme_last_used(), kind="date"),
        ],
        filters=[ListFilter("active", "In use", Theme.is_active,
                            build=lambda v: Theme.is_active.is_(str(v).strip().lower() in ("1", "true", "yes")))],
        default_sort=("name", False),
        description="The managed list of themes feedback is filed under.",
    )
)
