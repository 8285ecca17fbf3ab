"""UK wall-clock time for meetings, agenda timings and bank holidays.

Meetings are entered and shown in UK time (Europe/London) and stored in UTC.
Twice a year the clocks change on the last Sunday of the month at 01:00 UTC:
in March 01:00-01:59 does not exist on UK clocks; in October 01:00-01:59
happens twice. A time that does not exist is refused; a time that happens twice
is taken as the first (British Summer Time) and the caller gets a warning.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from lived_experience.core.clock import LONDON
from lived_experience.core.errors import ValidationError
from lived_experience.core.formatting import uk_date


@dataclass(frozen=True)
class UkStart:
    utc: dt.datetime
    ambiguous: bool  # the wall-clock time happens twice (the October clock change)


def parse_uk_time(text: str) -> dt.time:
    """'18:00', '18.00', '1800', '9:30' -> a time; anything else is a ValidationError."""
    s = (text or "").strip().replace(".", ":")
    if not s:
        raise ValidationError("The start time is needed, as hh:mm (for example 18:00).",
                              {"time": "The start time is needed."})
    if ":" not in s and s.isdigit() and len(s) in (3, 4):
        s = f"{s[:-2]}:{s[-2:]}"
    parts = s.split(":")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        h, m = int(parts[0]), int(parts[1])
        if 0 <= h <= 23 and 0 <= m <= 59:
            return dt.time(h, m)
    msg = f"'{text}' is not a time: give it as hh:mm on the 24-hour clock (for example 18:00)."
    raise ValidationError(msg, {"time": msg})


def uk_start(day: dt.date, time: dt.time) -> UkStart:
    """The moment a meeting starting at ``time`` on ``day`` (UK clocks) begins, in UTC."""
    first = dt.datetime.combine(day, time, tzinfo=LONDON)
    utc = first.astimezone(dt.UTC)
    back = utc.astimezone(LONDON)
    if (back.hour, back.minute) != (time.hour, time.minute) or back.date() != day:
        msg = (f"{time.strftime('%H:%M')} on {uk_date(day)} does not exist on UK clocks: the clocks go "
               f"forward an hour that night (01:00 becomes 02:00). Choose another time.")
        raise ValidationError(msg, {"time": msg})
    second = dt.datetime.combine(day, time, tzinfo=LONDON).replace(fold=1)
    ambiguous = second.utcoffset() != first.utcoffset()
    return UkStart(utc, ambiguous)


def local_parts(moment: dt.datetime) -> tuple[dt.date, dt.time]:
    local = moment.astimezone(LONDON)
    return local.date(), local.time().replace(second=0, microsecond=0)


def ends_at(starts_at: dt.datetime, minutes: int) -> dt.datetime:
    """Durations are real elapsed time: a 3-hour meeting from 00:30 on the March change ends at 04:30 BST."""
    return starts_at + dt.timedelta(minutes=minutes)


def agenda_starts(starts_at: dt.datetime, minutes: list[int | None]) -> list[dt.datetime]:
    """When each agenda item starts: the meeting's start plus the minutes of the items before it."""
    out = []
    t = starts_at
    for m in minutes:
        out.append(t)
        t = t + dt.timedelta(minutes=m or 0)
    return out


@functools.cache
def _holidays_for(year: int) -> dict[dt.date, str]:
    import holidays

    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday(day: dt.date) -> str | None:
    """The name of the England and Wales bank holiday on ``day``, or None."""
    return _holidays_for(day.year).get(day)


def duration_text(minutes: int) -> str:
    h, m = divmod(int(minutes), 60)
    if h and m:
        return f"{h} h {m} min"
    if h:
        return f"{h} hour" + ("s" if h != 1 else "")
    return f"{m} minutes"
