"""A window's status, derived from its dates and the panel's decisions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, literal

from db.enums import WindowStatus
from db.models import RecruitmentWindow as W
from lived_experience.core import clock


def window_status(opens_on: dt.date, closes_on: dt.date, closed_early_on: dt.date | None,
                  selection_completed_on: dt.date | None, today: dt.date | None = None) -> WindowStatus:
    today = today or clock.today()
    if selection_completed_on is not None:
        return WindowStatus.SELECTION_COMPLETE
    if today < opens_on:
        return WindowStatus.UPCOMING
    if closed_early_on is not None and closed_early_on <= today:
        return WindowStatus.CLOSED
    if today > closes_on:
        return WindowStatus.CLOSED
    return WindowStatus.OPEN


def window_status_sql(today: dt.date | None = None):
    """The same rule as :func:`window_status`, as SQL, for lists and filters."""
    t = literal(today or clock.today())
    return case(
        (W.selection_completed_on.is_not(None), WindowStatus.SELECTION_COMPLETE.value),
        (W.opens_on > t, WindowStatus.UPCOMING.value),
        ((W.closed_early_on.is_not(None)) & (W.closed_early_on <= t), WindowStatus.CLOSED.value),
        (W.closes_on < t, WindowStatus.CLOSED.value),
        else_=WindowStatus.OPEN.value,
    )
