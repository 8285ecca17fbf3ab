"""Finding everything held about one person, and anonymising it by the rules.

The walk follows ``rules.TABLES[...].person_link``: a table linked by
``person_id``, or through a parent that is (an application's assessments, a
DBS check's update checks). Subject access exports what the walk finds;
anonymisation applies the column rules to it. Both use the ORM, so every
changed row's ``version`` moves on and a form opened before the change is
refused on save ("changed by ... at ...").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Base, Person
from lived_experience.core.context import Actor
from lived_experience.retention import rules
from lived_experience.security import audit


@cache
def model_for(table: str):
    for mapper in Base.registry.mappers:
        if mapper.local_table is not None and mapper.local_table.name == table:
            return mapper.class_
    raise KeyError(table)


def person_tables() -> list[str]:
    """Tables that hold rows about a person, parents before children."""
    out: list[str] = []

    def visit(name: str) -> None:
        if name in out:
            return
        link = rules.TABLES[name].person_link
        if link not in (None, "self", "person_id"):
            visit(link)
        out.append(name)

    for name, rule in rules.TABLES.items():
        if rule.person_link is not None:
            visit(name)
    return out


def row_ids(session: Session, table: str, person_id: int, _cache: dict | None = None) -> list[int]:
    """Ids of the rows of ``table`` that are about ``person_id``."""
    cache_ = _cache if _cache is not None else {}
    if table in cache_:
        return cache_[table]
    link = rules.TABLES[table].person_link
    model = model_for(table)
    if link == "self":
        ids = [person_id]
    elif link == "person_id":
        ids = list(session.scalars(select(model.id).where(model.person_id == person_id).order_by(model.id)))
    elif link is None:
        ids = []
    else:
        parents = row_ids(session, link, person_id, cache_)
        fk = getattr(model, f"{link}_id")
        ids = list(session.scalars(select(model.id).where(fk.in_(parents)).order_by(model.id))) if parents else []
    cache_[table] = ids
    return ids


def rows_about(session: Session, person_id: int) -> dict[str, list]:
    """Every ORM row about the person, by table (the person's own row under "person")."""
    found: dict[str, list] = {}
    ids_cache: dict = {}
    for table in person_tables():
        ids = row_ids(session, table, person_id, ids_cache)
        if not ids:
            continue
        model = model_for(table)
        found[table] = list(session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)))
    return found


@dataclass
class Anonymised:
    person_id: int
    changed: dict[str, int] = field(default_factory=dict)  # table -> rows changed or removed

    @property
    def total(self) -> int:
        return sum(self.changed.values())


def anonymise_person(session: Session, person: Person, actor: Actor, *, now: dt.datetime, reason: str,
                     action: str = "person.anonymise") -> Anonymised:
    """Remove everything that identifies ``person``, by the column rules, inside the caller's unit of work.

    Their name becomes "Anonymised person ID"; personal and free-text columns are
    emptied; equality answers and feedback are detached and kept only as counts;
    quiet periods are deleted. Audited (field names only) with the reason."""
    result = Anonymised(person.id)
    found = rows_about(session, person.id)
    for table, rows in found.items():
        n = 0
        for row in rows:
            if _anonymise_row(session, table, row, now):
                n += 1
        if n:
            result.changed[table] = n
    person.anonymised_at = now
    session.flush()
    audit.record(session, actor, action, entity="person", entity_id=person.id, subject_person_id=person.id,
                 fields=sorted(result.changed), detail=f"{reason}; {result.total} records changed")
    return result


def _anonymise_row(session: Session, table: str, row, now: dt.datetime) -> bool:
    cols = rules.COLUMNS.get(table, {})
    if any(rule == rules.DELETE for rule in cols.values()):
        session.delete(row)
        return True
    changed = False
    for col, rule in cols.items():
        if rule in (rules.CLEAR, rules.CONTACT, rules.DBS) and getattr(row, col) is not None:
            setattr(row, col, None)
            changed = True
        elif rule == rules.REPLACE:
            value = _replacement(table, col, row)
            if getattr(row, col) != value:
                setattr(row, col, value)
                changed = True
        elif rule == rules.DETACH and getattr(row, col) is not None:
            setattr(row, col, None)
            changed = True
    if table == "equality_monitoring" and changed:
        row.detached_at = row.detached_at or now
    if table == "feedback_item" and changed:
        row.anonymous = True
    if table == "application" and row.anonymised_at is None:
        row.anonymised_at = now
        changed = True
    if table == "dbs_check" and changed and row.disclosure_purged_at is None:
        row.disclosure_purged_at = now
    return changed


def _replacement(table: str, column: str, row) -> str:
    if table == "person":
        return {"first_name": "Anonymised", "last_name": f"person {row.id}"}[column]
    raise KeyError(f"{table}.{column}")


def clear_contact_details(session: Session, person: Person) -> list[str]:
    """Remove a former member's contact details (the ``contact`` rule); returns the fields emptied."""
    emptied = []
    for col in rules.columns_with("person", rules.CONTACT):
        if getattr(person, col) is not None:
            setattr(person, col, None)
            emptied.append(col)
    return emptied
