"""The one place that reads the clock, so that UK dates are computed one way.

Tests move time with time-machine; nothing here caches the date.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    """The current moment, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in the UK (not UTC: at 00:30 BST it is already tomorrow)."""
    return dt.datetime.now(LONDON).date()


def to_london(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LONDON)


def london_to_utc(local: dt.datetime) -> dt.datetime:
    """A wall-clock time in the UK to UTC. Naive input is taken as UK time."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=LONDON)
    return local.astimezone(dt.UTC)
