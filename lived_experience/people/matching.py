"""Recognising a person who is already known: on email, on phone, or on name + date of birth.

Used one at a time (adding an applicant by hand) and in bulk (an import of
thousands of rows, where one query per row would be too slow: :class:`KeyIndex`
loads the keys once).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import Person


@dataclass(frozen=True)
class Match:
    person_id: int
    matched_on: tuple[str, ...]  # ("email", "phone", "name and date of birth")


def _merge(found: dict[int, list[str]]) -> list[Match]:
    return [Match(pid, tuple(dict.fromkeys(reasons))) for pid, reasons in sorted(found.items())]


def find_matches(session: Session, *, email_key: str | None = None, phone_key: str | None = None,
                 name_key: str | None = None) -> list[Match]:
    conds = []
    if email_key:
        conds.append(Person.email_key == email_key)
    if phone_key:
        conds.append(Person.phone_key == phone_key)
    if name_key:
        conds.append(Person.name_key == name_key)
    if not conds:
        return []
    found: dict[int, list[str]] = {}
    for pid, e, p, n in session.execute(
        select(Person.id, Person.email_key, Person.phone_key, Person.name_key)
        .where(or_(*conds), Person.anonymised_at.is_(None))
    ):
        if email_key and e == email_key:
            found.setdefault(pid, []).append("email")
        if phone_key and p == phone_key:
            found.setdefault(pid, []).append("phone")
        if name_key and n == name_key:
            found.setdefault(pid, []).append("name and date of birth")
    return _merge(found)


@dataclass
class KeyIndex:
    """Every known person's keys, loaded once for a bulk import."""

    by_email: dict[str, set[int]] = field(default_factory=dict)
    by_phone: dict[str, set[int]] = field(default_factory=dict)
    by_name: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> KeyIndex:
        idx = cls()
        for pid, e, p, n in session.execute(
            select(Person.id, Person.email_key, Person.phone_key, Person.name_key)
            .where(Person.anonymised_at.is_(None))
        ):
            idx.add(pid, e, p, n)
        return idx

    def add(self, person_id: int, email_key: str | None, phone_key: str | None, name_key: str | None) -> None:
        if email_key:
            self.by_email.setdefault(email_key, set()).add(person_id)
        if phone_key:
            self.by_phone.setdefault(phone_key, set()).add(person_id)
        if name_key:
            self.by_name.setdefault(name_key, set()).add(person_id)

    def find(self, *, email_key: str | None = None, phone_key: str | None = None,
             name_key: str | None = None) -> list[Match]:
        found: dict[int, list[str]] = {}
        for key, table, reason in ((email_key, self.by_email, "email"), (phone_key, self.by_phone, "phone"),
                                   (name_key, self.by_name, "name and date of birth")):
            if key:
                for pid in table.get(key, ()):
                    found.setdefault(pid, []).append(reason)
        return _merge(found)
