"""A person's details as an applicant form needs them: names, date of birth,
contact details, safe-contact preferences and access needs.

Used inside the recruitment services' units of work (adding and editing an
applicant). The members section keeps its own safe-contact editing
(``lived_experience.members.contact``); both write the same columns with the
same rules, which live here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from db.enums import ContactMethod
from db.models import Person
from lived_experience.core import clock
from lived_experience.core.errors import ValidationError
from lived_experience.people.identity import (
    display_phone,
    email_key,
    name_key,
    normalise_email,
    normalise_phone,
)
from lived_experience.recruitment.postcodes import normalise_postcode


@dataclass
class PersonDetails:
    """What a form shows and sends back. Contact fields are None when not shown."""

    first_name: str = ""
    last_name: str = ""
    preferred_name: str | None = None
    pronouns: str | None = None
    date_of_birth: dt.date | None = None
    email: str | None = None
    phone: str | None = None
    phone_alt: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    town: str | None = None
    postcode: str | None = None
    work_postcode: str | None = None
    preferred_contact: str | None = None
    safe_to_phone: bool = False
    safe_voicemail: bool = False
    safe_text: bool = False
    safe_post: bool = False
    safe_email: bool = True
    times_to_avoid: str | None = None
    contact_notes: str | None = None
    interpreter_language: str | None = None
    needs_bsl: bool = False
    accessibility_needs: str | None = None
    support_person: str | None = None


FIELD_NAMES = tuple(f.name for f in fields(PersonDetails))
CONTACT_FIELDS = ("email", "phone", "phone_alt", "address_line1", "address_line2", "town", "postcode",
                  "work_postcode")
LABELS = {
    "first_name": "First name", "last_name": "Last name", "preferred_name": "Known as",
    "pronouns": "Pronouns", "date_of_birth": "Date of birth", "email": "Email", "phone": "Phone",
    "phone_alt": "Other phone", "address_line1": "Address", "address_line2": "Address line 2",
    "town": "Town", "postcode": "Home postcode", "work_postcode": "Work postcode",
    "preferred_contact": "Preferred contact", "safe_to_phone": "Safe to phone",
    "safe_voicemail": "Safe to leave a voicemail", "safe_text": "Safe to text", "safe_post": "Safe to write",
    "safe_email": "Safe to email", "times_to_avoid": "Times to avoid", "contact_notes": "Contact notes",
    "interpreter_language": "Interpreter", "needs_bsl": "Needs BSL", "accessibility_needs": "Access needs",
    "support_person": "Support person",
}
_MAX = {"first_name": 100, "last_name": 100, "preferred_name": 100, "pronouns": 40, "address_line1": 200,
        "address_line2": 200, "town": 100, "times_to_avoid": 200, "interpreter_language": 60,
        "support_person": 200}


def _text(value) -> str | None:
    if value is None:
        return None
    s = " ".join(str(value).split())
    return s or None


def clean(details: PersonDetails) -> dict:
    """Validate and normalise; one ValidationError naming every problem."""
    errors: dict[str, str] = {}
    out: dict = {}
    for name in FIELD_NAMES:
        value = getattr(details, name)
        if name in ("contact_notes", "accessibility_needs"):
            value = (str(value).strip() or None) if value is not None else None
        elif (isinstance(value, str) or value is None) and name not in ("date_of_birth",):
            value = _text(value)
        out[name] = value
    for name, limit in _MAX.items():
        if out.get(name) and len(out[name]) > limit:
            errors[name] = f"{LABELS[name]} is longer than {limit} characters."
    if not out["first_name"]:
        errors["first_name"] = "A first name is needed."
    if not out["last_name"]:
        errors["last_name"] = "A last name is needed."
    dob = out["date_of_birth"]
    if dob is not None:
        today = clock.today()
        if dob > today:
            errors["date_of_birth"] = "The date of birth is in the future."
        elif dob < today - relativedelta(years=120):
            errors["date_of_birth"] = "The date of birth is more than 120 years ago."
    e = normalise_email(out["email"])
    if e.problem:
        errors["email"] = e.problem[0].upper() + e.problem[1:] + "."
    out["email"] = e.value
    for name in ("phone", "phone_alt"):
        p = normalise_phone(out[name])
        if p.problem:
            errors[name] = f"{LABELS[name]}: {p.problem}."
        out[name] = p.value
    for name in ("postcode", "work_postcode"):
        raw = out[name]
        if raw:
            pc = normalise_postcode(raw)
            if pc is None:
                errors[name] = f"{LABELS[name]}: '{raw}' is not a UK postcode (for example LE1 6ZZ)."
            out[name] = pc
    if out["preferred_contact"]:
        try:
            out["preferred_contact"] = ContactMethod.parse(out["preferred_contact"]).value
        except ValueError:
            errors["preferred_contact"] = f"'{out['preferred_contact']}' is not a way of contacting someone."
    for name in ("safe_to_phone", "safe_voicemail", "safe_text", "safe_post", "safe_email", "needs_bsl"):
        out[name] = bool(out[name])
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    return out


def apply(session: Session, person: Person, values: dict, *, only_blanks: bool = False) -> list[str]:
    """Write cleaned values onto ``person`` (and its matching keys). Returns the changed field names.

    ``only_blanks``: fill in what the record lacks, never overwrite (linking a
    re-applicant keeps what the office already holds).
    """
    changed = []
    for name, value in values.items():
        current = getattr(person, name)
        if only_blanks and current not in (None, ""):
            continue
        if only_blanks and isinstance(current, bool):
            continue
        if current != value:
            setattr(person, name, value)
            changed.append(name)
    person.email_key = email_key(person.email)
    person.phone_key = person.phone or None
    person.name_key = name_key(person.first_name, person.last_name, person.date_of_birth)
    return changed


def differences(person: Person, values: dict) -> list[str]:
    """Labels of the fields where the form says something other than the record (both given)."""
    out = []
    for name in ("first_name", "last_name", "date_of_birth", *CONTACT_FIELDS):
        new, old = values.get(name), getattr(person, name)
        if new not in (None, "") and old not in (None, "") and new != old:
            out.append(LABELS[name])
    return out


def details_of(person: Person, *, with_contact: bool) -> PersonDetails:
    d = PersonDetails(**{name: getattr(person, name) for name in FIELD_NAMES})
    if not with_contact:
        for name in CONTACT_FIELDS:
            setattr(d, name, None)
    return d


def contact_summary(person: Person) -> str:
    """Safe-contact preferences in one line, e.g. 'Prefers email. Safe: email, text. Not safe: phone, ...'."""
    safe = [("email", person.safe_email), ("phone", person.safe_to_phone), ("voicemail", person.safe_voicemail),
            ("text", person.safe_text), ("post", person.safe_post)]
    yes = [n for n, ok in safe if ok]
    no = [n for n, ok in safe if not ok]
    parts = []
    if person.preferred_contact:
        try:
            parts.append(f"Prefers {ContactMethod(person.preferred_contact).label.lower()}.")
        except ValueError:
            parts.append(f"Prefers {person.preferred_contact}.")
    parts.append(f"Safe: {', '.join(yes)}." if yes else "Not safe to contact by any means recorded.")
    if no:
        parts.append(f"Not safe: {', '.join(no)}.")
    if person.times_to_avoid:
        parts.append("Has times to avoid.")
    return " ".join(parts)


def access_summary(person: Person) -> str:
    bits = []
    if person.needs_bsl:
        bits.append("BSL")
    if person.interpreter_language:
        bits.append(f"Interpreter ({person.interpreter_language})")
    if person.accessibility_needs:
        bits.append("Access needs recorded")
    if person.support_person:
        bits.append("Support person")
    return ", ".join(bits) or "None recorded"


def phone_for_display(e164: str | None) -> str:
    return display_phone(e164)
