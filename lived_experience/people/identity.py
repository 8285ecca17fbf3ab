"""Normalising contact details, and the keys that recognise the same person again.

A person who applied before is matched on email, on phone, or on name and date
of birth; these keys make "Zoë.Smith@Example.org " and "zoe.smith@example.org"
the same, and "07700 900123", "+44 7700 900123" and 7700900123 the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from db.functions import fold_text


@dataclass(frozen=True)
class Checked:
    value: str | None  # the normalised value to store, or None
    problem: str | None = None  # plain English, when the input cannot be used
    note: str | None = None  # something fixed on the way (e.g. a lost leading 0)


def normalise_email(text: str | None) -> Checked:
    if text is None or not str(text).strip():
        return Checked(None)
    raw = str(text).strip()
    if raw.lower().startswith("mailto:"):
        raw = raw[7:]
    try:
        # No DNS lookups: offices are often offline and it would leak who applied.
        info = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        return Checked(None, f"'{raw}' is not an email address that can be used")
    return Checked(info.normalized)


def email_key(email: str | None) -> str | None:
    return email.strip().casefold() if email else None


def normalise_phone(value) -> Checked:
    """UK-first phone parsing. A number typed into a spreadsheet as a number loses its
    leading 0 (7700900123, or 7700900123.0 from some readers): put it back and say so."""
    if value is None:
        return Checked(None)
    note = None
    if isinstance(value, float):
        if value != int(value):
            return Checked(None, f"'{value}' is not a phone number")
        value = str(int(value))
    elif isinstance(value, int):
        value = str(value)
    raw = str(value).strip()
    if not raw:
        return Checked(None)
    if raw.endswith(".0") and raw[:-2].isdigit():
        raw = raw[:-2]
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.isdigit() and len(raw) == 10 and raw[0] in "1237":
        raw = "0" + raw
        note = "the phone number had lost its leading 0 (typed as a number in the spreadsheet); it was put back"
    try:
        parsed = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return Checked(None, f"'{value}' is not a phone number")
    # "Possible" (the right length for its country), not "valid": the library's list of
    # allocated ranges lags reality, and Ofcom's drama range (07700 900xxx) must pass.
    if not phonenumbers.is_possible_number(parsed):
        if len(digits) < 9:
            return Checked(None, f"'{value}' is too short to be a phone number")
        return Checked(None, f"'{value}' is not a valid phone number")
    return Checked(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), note=note)


def display_phone(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    fmt = (phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 44
           else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(parsed, fmt)


def name_key(first: str | None, last: str | None, dob: dt.date | None) -> str | None:
    """Name + date of birth, folded: only a match when all three are known."""
    if not first or not last or dob is None:
        return None
    f = " ".join((fold_text(first) or "").split())
    s = " ".join((fold_text(last) or "").split())
    return f"{f}|{s}|{dob.isoformat()}"
