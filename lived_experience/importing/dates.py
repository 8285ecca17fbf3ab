"""Dates as spreadsheets hold them: real Excel dates, serial numbers, and text.

- Excel date cells arrive as dates already (python-calamine applies the
  workbook's 1900 or 1904 date system). A bare number in a date column is taken
  as an Excel serial in the workbook's own date system.
- Text such as 03/04/2024 is read day first (the UK way) unless the column
  itself shows month-first order (some value like 04/25/2024 and none like
  25/04/2024, or dates that rise row by row only when read month first, as a
  form export's timestamps do). When the column does not settle it, a value that
  could be read both ways is flagged as doubtful; when the column mixes both
  orders, each doubtful value is flagged as well.
- ISO dates (2024-03-04), dates with month names (4 March 2024, Mar 4 2024),
  Google Forms timestamps (2024/03/04 10:15:32 am GMT) and times with am/pm are
  understood. Anything else is "not understood" and the row is rejected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lived_experience.core import clock

EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
_MAX_SERIAL = 2_958_465  # 31/12/9999

_NUMERIC = re.compile(
    r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"  # the date
    r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?)?"  # an optional time
    r"\s*(z|utc|gmt|bst)?\s*([+-]\d{1,2}(?::?\d{2})?)?$",  # an optional zone
    re.I,
)
_HAS_LETTERS = re.compile(r"[A-Za-z]")
_ZONE_WORDS = {"z": 0, "utc": 0, "gmt": 0, "bst": 60}
UTC = dt.UTC


class DateProblem(ValueError):
    """A date that cannot be read; ``str()`` is the plain-English reason."""


@dataclass(frozen=True, slots=True)
class Pending:
    """A numeric date whose day/month order the whole column decides."""

    first: int
    second: int
    year: int
    two_digit_year: bool
    time: tuple[int, int, int] | None
    offset_minutes: int | None  # from a zone in the text; None means UK local time
    raw: str


@dataclass(frozen=True, slots=True)
class Resolved:
    value: dt.date | dt.datetime
    doubtful: bool = False  # could be read the other way round


def _real(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


class ColumnOrder:
    """Evidence about the day/month order of one column, gathered row by row.

    A value like 25/04/2024 shows the order by itself. Failing that, the order of
    the rows can: a form export lists its answers in the order they arrived, so
    when six or more dates rise steadily read one way and jump back and forth read
    the other, the way they rise is the way they are written (six dates in no
    order rise by chance once in 720 times). When timestamps rise read either way
    (03/04, 05/04, 11/04: 3, 5 and 11 April, or the 4th of March, May and
    November), answers arriving over a few days are far likelier than answers
    arriving on the same day of each month: when the UK reading spans a quarter of
    the time or less, it is taken as settled (that rule never switches a column to
    month first: those values stay flagged). Dates without a time (dates of birth)
    never use it.
    """

    __slots__ = ("day_first", "month_first", "_last", "_rising", "_seen", "_low", "_high", "_timed")

    MIN_SEQUENCE = 6

    def __init__(self) -> None:
        self.day_first = 0  # a value like 25/04/2024
        self.month_first = 0  # a value like 04/25/2024
        self._last: list[tuple | None] = [None, None]  # the previous value read day first, month first
        self._rising = [True, True]
        self._seen = 0
        self._low: list[int | None] = [None, None]  # the earliest and latest day (ordinal) each way
        self._high: list[int | None] = [None, None]
        self._timed = True  # every value so far has a time of day (a timestamp column)

    def see(self, p: Pending) -> None:
        # Only a real date is evidence: 31/02/1980 says nothing about the order.
        year = p.year + 2000 if p.two_digit_year else p.year
        if p.first > 12 >= p.second and _real(year, p.second, p.first):
            self.day_first += 1
        elif p.second > 12 >= p.first and _real(year, p.first, p.second):
            self.month_first += 1
        time = p.time or (0, 0, 0)
        self._seen += 1
        if p.time is None:
            self._timed = False
        for i, key in enumerate(((p.year, p.second, p.first, time), (p.year, p.first, p.second, time))):
            last = self._last[i]
            if last is not None and key < last:
                self._rising[i] = False
            self._last[i] = key
            try:
                day = dt.date(p.year, key[1], key[2]).toordinal()
            except ValueError:
                continue
            if self._low[i] is None or day < self._low[i]:
                self._low[i] = day
            if self._high[i] is None or day > self._high[i]:
                self._high[i] = day

    def _by_sequence(self) -> str | None:
        """'dmy' or 'mdy' when the column's order of rows shows it (see the class)."""
        if self._seen < self.MIN_SEQUENCE or not (self._rising[0] or self._rising[1]):
            return None
        if self._rising[0] != self._rising[1]:
            return "dmy" if self._rising[0] else "mdy"
        if not self._timed or None in self._low or None in self._high:
            return None
        span = [self._high[i] - self._low[i] for i in (0, 1)]
        if span[0] * 4 <= span[1] and span[1] > 0:
            return "dmy"  # confirms the UK reading; the same rule never overturns it (then the values are flagged)
        return None

    @property
    def order(self) -> str:
        if self.month_first or self.day_first:
            return "mdy" if self.month_first and not self.day_first else "dmy"
        return self._by_sequence() or "dmy"

    @property
    def mixed(self) -> bool:
        return bool(self.month_first and self.day_first)

    @property
    def settled(self) -> bool:
        if self.month_first or self.day_first:
            return not self.mixed
        return self._by_sequence() is not None


def from_serial(value: float, date1904: bool) -> dt.datetime:
    if not 1 <= value <= _MAX_SERIAL:
        raise DateProblem(f"{_num(value)} is not a date")
    base = EPOCH_1904 if date1904 else EPOCH_1900
    return base + dt.timedelta(days=float(value))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def read_cell(value, date1904: bool) -> dt.date | dt.datetime | Pending | None:
    """A cell as a date/datetime (naive = UK local), a Pending numeric date, or None when blank."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DateProblem(f"'{value}' is not a date")
    if isinstance(value, int | float):
        return from_serial(value, date1904)
    if isinstance(value, dt.time | dt.timedelta):
        raise DateProblem(f"'{value}' is a time, not a date")
    text = " ".join(str(value).split())
    if not text:
        return None
    return parse_text(text)


def parse_text(text: str) -> dt.date | dt.datetime | Pending:
    m = _NUMERIC.match(text)
    if m:
        a, b, c = m.group(1), m.group(2), m.group(3)
        time = None
        if m.group(4) is not None:
            hour, minute, sec = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
            ampm = (m.group(7) or "").replace(".", "").lower()
            if ampm:
                if not 1 <= hour <= 12:
                    raise DateProblem(f"'{text}' has a time that is not understood")
                hour = (hour % 12) + (12 if ampm == "pm" else 0)
            if hour > 23 or minute > 59 or sec > 59:
                raise DateProblem(f"'{text}' has a time that is not understood")
            time = (hour, minute, sec)
        offset = _offset(m.group(8), m.group(9), text)
        if len(a) == 4:  # year first: always year-month-day
            try:
                d = dt.date(int(a), int(b), int(c))
            except ValueError:
                raise DateProblem(f"'{text}' is not a real date") from None
            return _combine(d, time, offset)
        if len(c) not in (2, 4) or len(a) > 2:
            raise DateProblem(f"'{text}' is not a date that is understood")
        return Pending(int(a), int(b), int(c), len(c) == 2, time, offset, text)
    if not _HAS_LETTERS.search(text) or len(text) > 60:
        raise DateProblem(f"'{text}' is not a date that is understood")
    return _parse_words(text)


def _offset(word: str | None, num: str | None, text: str) -> int | None:
    if word is None and num is None:
        return None
    minutes = _ZONE_WORDS.get((word or "").lower(), 0)
    if num:
        sign = -1 if num[0] == "-" else 1
        digits = num[1:].replace(":", "")
        if len(digits) <= 2:
            h, mnt = int(digits), 0
        else:
            h, mnt = int(digits[:-2]), int(digits[-2:])
        if h > 14 or mnt > 59:
            raise DateProblem(f"'{text}' has a time zone that is not understood")
        minutes += sign * (h * 60 + mnt)
    return minutes


def _combine(d: dt.date, time, offset_minutes) -> dt.date | dt.datetime:
    if time is None and offset_minutes is None:
        return d
    moment = dt.datetime.combine(d, dt.time(*(time or (0, 0, 0))))
    if offset_minutes is not None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset_minutes)))
    return moment


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def _parse_words(text: str) -> dt.date | dt.datetime:
    """'4 March 2024', 'Mar 4, 2024', '04-Mar-24', 'Monday 4th March 2024 10:15'."""
    from dateutil import parser as du

    words = re.findall(r"[a-z]+", text.lower())
    if not any(w[:3] in _MONTHS for w in words if len(w) >= 3):
        raise DateProblem(f"'{text}' is not a date that is understood")
    sentinel = dt.datetime(1, 1, 1)
    try:
        value = du.parse(text, dayfirst=True, default=sentinel, fuzzy=False)
    except (ValueError, OverflowError):
        raise DateProblem(f"'{text}' is not a date that is understood") from None
    if value.year == 1:
        raise DateProblem(f"'{text}' has no year")
    has_time = bool(re.search(r"\d{1,2}[:.]\d{2}", text))
    if value.tzinfo is not None:
        return value
    return value if has_time else value.date()


def resolve(p: Pending, order: str, *, birth: bool, today: dt.date | None = None) -> Resolved:
    """A pending numeric date read in the column's order; ``doubtful`` when it could be either."""
    day, month = (p.first, p.second) if order == "dmy" else (p.second, p.first)
    year = p.year
    if p.two_digit_year:
        today = today or clock.today()
        year += 2000
        if birth and year > today.year:
            year -= 100
    try:
        d = dt.date(year, month, day)
    except ValueError:
        try:
            other = dt.date(year, day, month)
        except ValueError:
            raise DateProblem(f"'{p.raw}' is not a real date") from None
        # Valid only the other way round, in a column that reads this way (a US date among UK ones).
        way = "month first (as in the USA)" if order == "dmy" else "day first"
        rest = "day first" if order == "dmy" else "month first"
        raise DateProblem(f"'{p.raw}' could only be {long_uk(other)}, written {way}, but the rest of the column "
                          f"is written {rest}") from None
    doubtful = p.first <= 12 and p.second <= 12 and p.first != p.second
    return Resolved(_combine(d, p.time, p.offset_minutes), doubtful)


def to_utc(value: dt.date | dt.datetime, zone: ZoneInfo = clock.LONDON) -> dt.datetime:
    """A moment from a sheet: naive values are UK wall-clock time; a date alone is midnight UK."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(clock.LONDON)
        return value.date()
    return value


def long_uk(d: dt.date) -> str:
    """'3 April 2024': the way a person checks which reading was taken."""
    return f"{d.day} {d.strftime('%B %Y')}"
