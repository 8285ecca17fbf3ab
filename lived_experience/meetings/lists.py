"""The meetings and organisations lists."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from db.enums import Attendance, MeetingStatus, MeetingType, OrganisationKind
from db.models import Invitation, Meeting, Organisation, OrganisationContact, Programme, Venue
from lived_experience.listing.registry import register
from lived_experience.listing.spec import ListColumn as C
from lived_experience.listing.spec import ListFilter, ListSpec


def _enrich_meetings(session, ctx, rows):
    for r in rows:
        start = r.get("starts_at")
        if start is not None and r.get("duration_minutes") is not None:
            r["ends_at"] = start + dt.timedelta(minutes=r["duration_minutes"])
        else:
            r["ends_at"] = None


def _day_start(value) -> dt.datetime:
    """The UTC moment a UK day begins, from a date or a dd/mm/yyyy (or ISO) string."""
    from lived_experience.core import clock
    from lived_experience.core.errors import UserError
    from lived_experience.core.formatting import parse_uk_date

    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = parse_uk_date(str(value))
        except ValueError:
            raise UserError(f"'{value}' is not a date: give it as dd/mm/yyyy.") from None
    return dt.datetime.combine(value, dt.time(0), tzinfo=clock.LONDON).astimezone(dt.UTC)


def _from(value):
    return Meeting.starts_at >= _day_start(value)


def _to(value):
    """Up to and including the UK day ``value``."""
    start = _day_start(value)
    from lived_experience.core import clock

    next_day = (start.astimezone(clock.LONDON) + dt.timedelta(days=1)).date()
    return Meeting.starts_at < _day_start(next_day)


def _invited():
    return select(func.count(Invitation.id)).where(Invitation.meeting_id == Meeting.id).scalar_subquery()


def _attended():
    return (
        select(func.count(Invitation.id))
        .where(Invitation.meeting_id == Meeting.id,
               Invitation.attendance.in_([Attendance.ATTENDED.value, Attendance.LEFT_EARLY.value]))
        .scalar_subquery()
    )


register(
    ListSpec(
        kind="meetings",
        title="Meetings",
        entity="meeting",
        source=lambda: Meeting.__table__.outerjoin(Venue.__table__, Venue.id == Meeting.venue_id).outerjoin(
            Programme.__table__, Programme.id == Meeting.programme_id
        ),
        id_expr=Meeting.id,
        columns=[
            C("title", "Title", Meeting.title, searchable=True, width=260),
            C("type", "Type", Meeting.meeting_type, kind="enum", enum=MeetingType),
            C("starts_at", "Starts", Meeting.starts_at, kind="datetime"),
            C("ends_at", "Ends", None, kind="datetime", sortable=False),
            C("duration_minutes", "Minutes", Meeting.duration_minutes, kind="int", hidden=True),
            C("status", "Status", Meeting.status, kind="enum", enum=MeetingStatus),
            C("venue", "Venue", Venue.name, searchable=True),
            C("online", "Online link", Meeting.online_link.is_not(None), kind="bool"),
            C("invited", "Invited", _invited(), kind="int"),
            C("attended", "Attended", _attended(), kind="int"),
            C("programme", "Programme", Programme.name, searchable=True, hidden=True),
            C("pack_sent_at", "Pack sent", Meeting.pack_sent_at, kind="datetime", hidden=True),
        ],
        filters=[
            ListFilter("type", "Type", Meeting.meeting_type, enum=MeetingType),
            ListFilter("status", "Status", Meeting.status, enum=MeetingStatus),
            ListFilter("programme", "Programme", Meeting.programme_id),
            ListFilter("from", "From", Meeting.starts_at, build=_from),
            ListFilter("to", "To (inclusive)", Meeting.starts_at, build=_to),
        ],
        default_sort=("starts_at", True),
        enrich=_enrich_meetings,
        description="Forums, roundtables, meetings, consultations, focus groups and events.",
    )
)


def _contacts():
    return (
        select(func.count(OrganisationContact.id))
        .where(OrganisationContact.organisation_id == Organisation.id)
        .scalar_subquery()
    )


register(
    ListSpec(
        kind="organisations",
        title="Organisations",
        entity="organisation",
        source=lambda: Organisation.__table__,
        id_expr=Organisation.id,
        columns=[
            C("name", "Name", Organisation.name, searchable=True, width=260),
            C("kind", "Kind", Organisation.kind, kind="enum", enum=OrganisationKind),
            C("contacts", "Contacts", _contacts(), kind="int"),
            C("website", "Website", Organisation.website),
            C("is_active", "Active", Organisation.is_active, kind="bool"),
        ],
        filters=[ListFilter("kind", "Kind", Organisation.kind, enum=OrganisationKind)],
        default_sort=("name", False),
        description="Voluntary and statutory bodies, commissioned providers and the force.",
    )
)
