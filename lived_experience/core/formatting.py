"""UK conventions for showing values: dd/mm/yyyy, 24-hour UK time, pounds."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lived_experience.core.clock import to_london


# Formatted by hand, not with strftime: strftime imports the time module on every call, and with
# PySide6 loaded every import goes through its import hook. A list repaints thousands of dates.
def uk_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_london(value) if value.tzinfo else value
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def uk_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = to_london(value) if value.tzinfo else value
    return f"{local.day:02d}/{local.month:02d}/{local.year:04d} {local.hour:02d}:{local.minute:02d}"


def uk_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = to_london(value) if value.tzinfo else value
    return f"{local.hour:02d}:{local.minute:02d}"


def parse_uk_date(text: str) -> dt.date:
    """Parse dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy and ISO yyyy-mm-dd)."""
    s = text.strip()
    if not s:
        raise ValueError("no date given")
    for sep in ("/", "-", "."):
        parts = s.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            a, b, c = parts
            if len(a) == 4:  # ISO order
                return dt.date(int(a), int(b), int(c))
            year = int(c)
            if len(c) == 2:
                year += 2000 if year < 70 else 1900
            return dt.date(year, int(b), int(a))
    raise ValueError(f"'{text}' is not a date in the form dd/mm/yyyy")


def pounds(pence: int | None) -> str:
    """Whole pence as money: 123456 -> '£1,234.56'."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pence = abs(int(pence))
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


def parse_pounds(text: str) -> int:
    """'£1,234.5' -> 123450 pence. Exact: no floating point on the way."""
    s = str(text).strip().replace("£", "").replace(",", "").replace(" ", "")
    if s.upper().endswith("GBP"):
        s = s[:-3]
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount of money") from None
    if not value.is_finite():  # "NaN", "Infinity"
        raise ValueError(f"'{text}' is not an amount of money")
    if value.as_tuple().exponent < -2:
        raise ValueError(f"'{text}' has more than two decimal places")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
