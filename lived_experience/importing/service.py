"""The applicant import: a preview, then one transaction.

``analyse`` reads every row, validates it, finds duplicates inside the file and
people already on record (``KeyIndex``, loaded once), and works out what
changed for rows imported before. Nothing is written. ``commit`` then writes
the rows the preview says to write, in ONE unit of work with bulk inserts:
cancelling (the progress callback raises), an error or a crash leaves the
database exactly as it was.

Rules the import applies:

- A row imported before (same Forms ID, or the same person already holding an
  application in the window) is "unchanged" when its answers hash matches, and
  otherwise shows field by field what changed since last time; committing
  updates it. Re-importing the same file adds nothing.
- Blank cells never erase what the office already holds.
- A probable duplicate of someone on record (same email, phone, or name and
  date of birth) waits for a choice: skip, update the existing person (and link
  the application to them), or add as a new person. A match on email or phone
  to exactly one person defaults to "update"; a match on name and date of
  birth alone, or to several people, needs a person to decide
  (``needs_review``) and is not imported until they do.
- Two rows of the file for the same person: the later answer is imported, the
  other is skipped unless a person chooses to add it as a new person.
- Every commit is recorded as an ``ImportBatch`` and audited (one event for the
  batch, one per new application, one per existing person or application
  changed), with field names only, never values.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, delete, func, insert, select, text
from sqlalchemy.orm import Session

from db.enums import ExperienceArea, ImportStatus, Stage
from db.models import (
    Application,
    ApplicationExperience,
    AuditEvent,
    EqualityMonitoring,
    ImportBatch,
    Person,
    RecruitmentWindow,
    StageChange,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import ConflictError, NotFound, UserError
from lived_experience.core.formatting import uk_date, uk_datetime
from lived_experience.core.uow import unit_of_work
from lived_experience.importing import validate as V
from lived_experience.importing.headers import BY_KEY, EQUALITY_KEYS, Mapping
from lived_experience.importing.readers import Source
from lived_experience.people import service as people
from lived_experience.people.identity import display_phone
from lived_experience.people.matching import KeyIndex
from lived_experience.recruitment import equality
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

ProgressFn = Callable[[int, int], None]
CHUNK = 2000
IMPORT_CACHE_KIB = 16 * 1024  # SQLite page cache while an import writes
PROGRESS_EVERY = 500

PERSON_FIELDS = ("first_name", "last_name", "preferred_name", "pronouns", "date_of_birth", "email", "phone",
                 "phone_alt", "address_line1", "address_line2", "town", "postcode", "work_postcode",
                 "preferred_contact", "safe_to_phone", "safe_voicemail", "safe_text", "safe_post", "safe_email",
                 "times_to_avoid", "interpreter_language", "needs_bsl", "accessibility_needs", "support_person",
                 "notes")
_PERSON_DEFAULTS = {"safe_to_phone": False, "safe_voicemail": False, "safe_text": False, "safe_post": False,
                    "safe_email": True, "needs_bsl": False}
APPLICATION_FIELDS = ("received_at", "how_heard", "how_heard_other", "basis", "organisation_name", "statement",
                      "availability", "selection_method", "video_reference")
# Field names an import's audit events may name (never values).
_EVENT_FIELDS = set(PERSON_FIELDS) | set(APPLICATION_FIELDS) | set(EQUALITY_KEYS) | {"experience_areas"}


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import builds its rows, then freeze what exists.

    An import makes hundreds of thousands of small objects without reference cycles (reference
    counting frees them as usual). Each full collection over them holds the interpreter lock for
    about 100 ms: in the window that freezes the screen, and on the command line it is wasted
    time. Frozen objects are never scanned again. Used by the command line and the wizard.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


# -- results --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Counts:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    needs_review: int = 0
    rejected: int = 0

    def summary(self) -> str:
        parts = [f"{self.rows:,} rows read", f"{self.imported:,} new", f"{self.updated:,} updated",
                 f"{self.unchanged:,} unchanged", f"{self.duplicates:,} duplicates skipped",
                 f"{self.needs_review:,} need a decision", f"{self.rejected:,} rejected"]
        return ", ".join(parts) + "."


def counts_of(rows: Iterable[V.RowResult]) -> Counts:
    c = dict(rows=0, imported=0, updated=0, unchanged=0, duplicates=0, needs_review=0, rejected=0)
    for r in rows:
        c["rows"] += 1
        c[_bucket(r)] += 1
    return Counts(**c)


def _bucket(r: V.RowResult) -> str:
    s = r.status
    if s == V.REJECTED:
        return "rejected"
    if s == V.NEW:
        return "imported"
    if s == V.UNCHANGED:
        return "unchanged"
    if r.choice is None:
        return "needs_review"
    if s == V.CHANGED:
        return "updated" if r.choice == V.UPDATE else "unchanged"
    if s == V.EXISTING_PERSON:
        if r.choice == V.SKIP:
            return "duplicates"
        return "updated" if r.choice == V.UPDATE and r.application_id else "imported"
    if s == V.DUPLICATE_IN_FILE:
        return "duplicates" if r.choice == V.SKIP else "imported"
    return "rejected"  # pragma: no cover - every status is handled above


@dataclass
class Preview:
    path: Path
    file_name: str
    sha256: str
    sheet_name: str | None
    header_row: int
    window_id: int
    window_name: str
    mapping: Mapping
    rows: list[V.RowResult]
    notes: list[str]
    token: tuple
    equality_included: bool
    people: dict[int, str] = field(default_factory=dict)  # matched person id -> name, for the choices
    window_apps: dict[int, int] = field(default_factory=dict)  # matched person id -> application here

    def counts(self) -> Counts:
        return counts_of(self.rows)

    @property
    def rejected(self) -> list[V.RowResult]:
        return [r for r in self.rows if r.status == V.REJECTED]

    def row(self, number: int) -> V.RowResult:
        for r in self.rows:
            if r.number == number:
                return r
        raise NotFound(f"There is no row {number} in the preview.")

    def choose(self, number: int, choice: str | None) -> None:
        """A person's decision for a duplicate (skip / update / add as new)."""
        r = self.row(number)
        if choice is not None and choice not in r.choices:
            allowed = ", ".join(V.CHOICE_LABELS[c].lower() for c in r.choices) or "nothing to choose"
            raise UserError(f"Row {number}: that choice does not apply ({allowed}).")
        if choice == V.UPDATE and r.status == V.EXISTING_PERSON and r.person_id is None:
            raise UserError(f"Row {number} matches more than one person: choose which person first, or add "
                            "it as a new person.")
        old = r.choice
        r.choice = choice
        clash = self.clash(r)
        if clash is not None:
            r.choice = old
            raise UserError(f"Row {clash.number} already updates that person: skip one of the two rows first.")

    def clash(self, r: V.RowResult) -> V.RowResult | None:
        """Another row that would write to the same person or application as ``r``."""
        target = target_of(r)
        if target is None:
            return None
        return next((o for o in self.rows if o is not r and target_of(o) == target), None)

    def choose_person(self, number: int, person_id: int) -> None:
        """For a row matching several people: which one it is (then the choice is 'update')."""
        r = self.row(number)
        if person_id not in r.candidates:
            raise UserError(f"Row {number} does not match that person.")
        old = (r.person_id, r.application_id, r.choice)
        r.person_id = person_id
        r.application_id = self.window_apps.get(person_id)
        r.choice = V.UPDATE
        clash = self.clash(r)
        if clash is not None:
            r.person_id, r.application_id, r.choice = old
            raise UserError(f"Row {clash.number} already updates that person: skip one of the two rows first.")


@dataclass(frozen=True)
class Outcome:
    batch_id: int | None
    file_name: str
    sha256: str
    counts: Counts
    rejected: list[tuple[int, list[str]]]
    dry_run: bool = False

    def as_json(self) -> dict:
        c = self.counts
        return {"file": self.file_name, "sha256": self.sha256, "rows": c.rows, "imported": c.imported,
                "updated": c.updated, "unchanged": c.unchanged, "duplicates": c.duplicates,
                "needs_review": c.needs_review,
                "rejected": [{"row": n, "reasons": reasons} for n, reasons in self.rejected]}


# -- windows --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WindowRef:
    id: int
    name: str
    opens_on: dt.date


def windows(ctx: AppContext) -> list[WindowRef]:
    """Recruitment windows an import can go into, newest first."""
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        rows = s.execute(select(RecruitmentWindow.id, RecruitmentWindow.name, RecruitmentWindow.opens_on)
                         .order_by(RecruitmentWindow.opens_on.desc(), RecruitmentWindow.id.desc())).all()
    return [WindowRef(r.id, r.name, r.opens_on) for r in rows]


def find_window(ctx: AppContext, given: str) -> WindowRef:
    """A window by id or by its exact name (the command line's WINDOW)."""
    require(ctx, Perm.READ)
    text_ = (given or "").strip()
    with unit_of_work(ctx, readonly=True) as s:
        w = s.scalar(select(RecruitmentWindow).where(RecruitmentWindow.name == text_))
        if w is None and text_.isdigit():
            w = s.get(RecruitmentWindow, int(text_))
        if w is None:
            names = s.scalars(select(RecruitmentWindow.name).order_by(RecruitmentWindow.opens_on.desc())
                              .limit(8)).all()
            known = ("Windows: " + "; ".join(f"'{n}'" for n in names) + ".") if names else \
                "There are no recruitment windows yet: create one first."
            raise NotFound(f"There is no recruitment window '{given}' (give its id or its exact name). {known}")
        return WindowRef(w.id, w.name, w.opens_on)


# -- analyse --------------------------------------------------------------------------------------
class _Ticker:
    """Progress as plain numbers over a fixed scale of 1000, in phases."""

    def __init__(self, fn: ProgressFn | None, start: int = 0, span: int = 1000):
        self.fn = fn
        self.start = start
        self.span = span

    def part(self, start: float, end: float) -> _Ticker:
        return _Ticker(self.fn, self.start + int(self.span * start), max(1, int(self.span * (end - start))))

    def __call__(self, done: int, total: int) -> None:
        if self.fn is not None:
            frac = min(1.0, done / total) if total else 1.0
            self.fn(self.start + int(self.span * frac), 1000)


def analyse(ctx: AppContext, source: Source, mapping: Mapping, window_id: int, *,
            progress: ProgressFn | None = None, audit_view: bool = False) -> Preview:
    """Validate every row and decide what the import would do. Writes nothing (except, with
    ``audit_view``, the audit event for showing existing people's details in the preview)."""
    require(ctx, Perm.IMPORT)
    problems = mapping.problems()
    if problems:
        raise UserError(problems[0])
    tick = _Ticker(progress)
    equality_ok = ctx.actor.can(Perm.EQUALITY_WRITE)
    with unit_of_work(ctx, readonly=True) as s:
        window = s.get(RecruitmentWindow, window_id)
        if window is None:
            raise NotFound(f"There is no recruitment window with id {window_id}.")
        window_name = window.name
    validator = V.RowValidator(mapping, date1904=source.date1904, equality_allowed=equality_ok)
    read = tick.part(0.0, 0.7)
    total = max(1, source.estimated_rows)
    rows: list[V.RowResult] = []
    check = validator.check
    for n, (number, cells) in enumerate(source.rows(), start=1):
        rows.append(check(number, cells))
        if n % PROGRESS_EVERY == 0:
            read(n, max(total, n))
    read(1, 1)
    validator.finish_pending(rows)
    notes = list(source.notes) + list(mapping.notes) + validator.date_notes()
    if not equality_ok and any(c.field in EQUALITY_KEYS for c in mapping.columns):
        notes.append("Your role may not record equality monitoring answers, so those columns are not imported.")
    if "received_at" not in mapping.columns_for():
        notes.append("No column gives the date each application was received: the date of the import is used.")
    with unit_of_work(ctx, readonly=True) as s:
        token = _token(s, window_id)
        earlier = s.execute(select(ImportBatch.imported_at, ImportBatch.id).where(
            ImportBatch.sha256 == source.sha256, ImportBatch.status == ImportStatus.COMMITTED.value)
            .order_by(ImportBatch.id.desc()).limit(1)).first()
        if earlier:
            notes.append(f"This exact file was imported before (import {earlier.id}, "
                         f"{uk_datetime(earlier.imported_at)}): nothing in it is new.")
        _dedupe_in_file(rows)
        tick.part(0.7, 0.8)(1, 1)
        people_names, window_apps = _match(s, rows, window_id)
        tick.part(0.8, 0.95)(1, 1)
        _diff(s, rows, mapping, equality_ok)
        tick(1, 1)
    preview = Preview(source.path, source.file_name, source.sha256, source.sheet_name, source.header_row,
                      window_id, window_name, mapping, rows, notes, token, equality_ok, people_names, window_apps)
    compared = sum(1 for r in rows if r.status in (V.CHANGED, V.EXISTING_PERSON))
    if audit_view and compared:
        audit.record_now(ctx, "view", entity="person", fields=list(PERSON_FIELDS),
                         detail=f"import preview compared {compared} rows with people on record")
    return preview


def _token(s: Session, window_id: int) -> tuple:
    """A fingerprint of what the preview depended on: people and the window's applications."""
    p = s.execute(select(func.count(Person.id), func.max(Person.id), func.max(Person.updated_at))).one()
    a = s.execute(select(func.count(Application.id), func.max(Application.id), func.max(Application.updated_at))
                  .where(Application.window_id == window_id)).one()
    return (p[0], p[1], str(p[2]), a[0], a[1], str(a[2]))


def _sort_key(r: V.RowResult):
    received = r.values.get("received_at")
    return (received.timestamp() if received else 0.0, r.number)


def _dedupe_in_file(rows: list[V.RowResult]) -> None:
    """Rows of this file that share an email, a phone, or name + date of birth are one person."""
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.get(i, i) != i:
            parent[i] = parent.get(parent[i], parent[i])
            i = parent[i]
        return i

    seen: dict[tuple[str, str], int] = {}
    reason: dict[int, str] = {}
    for i, r in enumerate(rows):
        if r.status == V.REJECTED:
            continue
        for kind, key in (("email", r.email_key), ("phone", r.phone_key), ("name and date of birth", r.name_key)):
            if not key:
                continue
            j = seen.setdefault((kind, key), i)
            if j != i:
                a, b = find(i), find(j)
                if a != b:
                    parent[a] = b
                reason.setdefault(i, kind)
                reason.setdefault(j, kind)
    if not reason:
        return
    groups: dict[int, list[int]] = {}
    for i in reason:
        groups.setdefault(find(i), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: _sort_key(rows[i]))
        keep = rows[members[-1]]
        for i in members[:-1]:
            r = rows[i]
            r.status = V.DUPLICATE_IN_FILE
            r.duplicate_of = keep.number
            r.choice = V.SKIP
            r.add(V.WARNING, None, f"Same person as row {keep.number} (same {reason.get(i, 'details')}): only "
                                   f"row {keep.number}, the later answer, is imported unless you choose otherwise")


def _names_agree(r: V.RowResult, first: str | None, last: str | None) -> bool:
    """The row and the person on record share a first or a last name (case and accents ignored)."""
    f1, l1 = V._fold(r.values.get("first_name") or ""), V._fold(r.values.get("last_name") or "")
    f2, l2 = V._fold(first or ""), V._fold(last or "")
    return bool((f1 and f1 == f2) or (l1 and l1 == l2))


def _match(s: Session, rows: list[V.RowResult], window_id: int) -> tuple[dict[int, str], dict[int, int]]:
    """People and applications already on record. Returns (person id -> name for the preview,
    person id -> their application in this window, for people the rows matched)."""
    index = KeyIndex.load(s)
    by_ref: dict[str, tuple[int, int, str | None]] = {}
    by_person: dict[int, tuple[int, str | None]] = {}
    for app_id, person_id, ref, h in s.execute(
            select(Application.id, Application.person_id, Application.external_ref, Application.answers_hash)
            .where(Application.window_id == window_id)):
        if ref:
            by_ref[ref] = (app_id, person_id, h)
        by_person[person_id] = (app_id, h)
    pending: list[tuple[V.RowResult, list]] = []
    for r in rows:
        if r.status != V.NEW:
            continue
        found = by_ref.get(r.external_ref) if r.external_ref else None
        if found is not None:
            app_id, person_id, h = found
            _same_application(r, app_id, person_id, h, ("the same response",))
            continue
        matches = index.find(email_key=r.email_key, phone_key=r.phone_key, name_key=r.name_key)
        if matches:
            pending.append((r, matches))
    ids = sorted({m.person_id for _r, ms in pending for m in ms} |
                 {r.person_id for r in rows if r.person_id})
    info: dict[int, tuple] = {}
    for chunk in _chunks(ids, 900):
        for pid, first, last, dob in s.execute(select(Person.id, Person.first_name, Person.last_name,
                                                      Person.date_of_birth).where(Person.id.in_(chunk))):
            info[pid] = (first, last, dob)
    for r, matches in pending:
        agree = {m.person_id: ("name and date of birth" in m.matched_on
                               or _names_agree(r, *info.get(m.person_id, (None, None, None))[:2]))
                 for m in matches}
        in_window = [m for m in matches if m.person_id in by_person]
        if len(matches) == 1 and in_window and agree[in_window[0].person_id]:
            m = in_window[0]
            app_id, h = by_person[m.person_id]
            _same_application(r, app_id, m.person_id, h, m.matched_on)
            continue
        r.status = V.EXISTING_PERSON
        r.candidates = tuple(m.person_id for m in matches)
        r.matched_on = tuple(dict.fromkeys(w for m in matches for w in m.matched_on))
        on = " and ".join(r.matched_on)
        if len(matches) > 1:
            r.choice = None
            r.add(V.WARNING, None, f"Matches {len(matches)} people already on record (on {on}): choose which "
                                   "one, add as a new person, or skip")
            continue
        m = matches[0]
        r.person_id = m.person_id
        r.application_id = by_person.get(m.person_id, (None, None))[0]
        strong = bool({"email", "phone"} & set(m.matched_on)) and agree[m.person_id]
        r.choice = V.UPDATE if strong else None
        applied = " who has already applied in this window" if r.application_id else ""
        if strong:
            r.add(V.NOTE, None, f"Already on record (same {on}): the application will be linked to that person "
                                "unless you choose otherwise")
        elif not agree[m.person_id]:
            r.add(V.WARNING, None, f"Same {on} as someone on record{applied}, but a different name: choose "
                                   "whether it is the same person (update), a different person (add), or skip")
        else:
            r.add(V.WARNING, None, f"Probably someone already on record{applied} (same {on} only): choose "
                                   "whether to update them, add a new person, or skip")
    _settle_targets(rows)
    names = {pid: f"{first} {last}".strip() + (f" (born {uk_date(dob)})" if dob else "") + f", id {pid}"
             for pid, (first, last, dob) in info.items()}
    window_apps = {pid: by_person[pid][0] for pid in info if pid in by_person}
    return names, window_apps


def target_of(r: V.RowResult) -> tuple[str, int] | None:
    """What a row will write to that another row might also write to."""
    if r.choice != V.UPDATE:
        return None
    if r.application_id:
        return ("application", r.application_id)
    if r.person_id:
        return ("person", r.person_id)
    return None


def _settle_targets(rows: list[V.RowResult]) -> None:
    """Two rows landing on the same person or application: the later answer wins."""
    targets: dict[tuple[str, int], V.RowResult] = {}
    for r in rows:
        target = target_of(r)
        if target is None:
            continue
        other = targets.get(target)
        if other is None:
            targets[target] = r
            continue
        first, last = sorted((other, r), key=_sort_key)
        first.status = V.DUPLICATE_IN_FILE
        first.duplicate_of = last.number
        first.choice = V.SKIP
        first.add(V.WARNING, None, f"Same person as row {last.number}: only row {last.number}, the later "
                                   "answer, is imported unless you choose otherwise")
        targets[target] = last


def _same_application(r: V.RowResult, app_id: int, person_id: int, stored_hash: str | None,
                      matched_on: tuple[str, ...]) -> None:
    r.application_id = app_id
    r.person_id = person_id
    r.matched_on = matched_on
    if stored_hash and stored_hash == r.answers_hash:
        r.status = V.UNCHANGED
        r.choice = None
    else:
        r.status = V.CHANGED
        r.choice = V.UPDATE


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- what changed ---------------------------------------------------------------------------------
def display(key: str, value) -> str:
    """A value as the preview shows it."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return uk_datetime(value)
    if isinstance(value, dt.date):
        return uk_date(value)
    if key in ("phone", "phone_alt"):
        return display_phone(value)
    if key in EQUALITY_KEYS and key in equality.BY_KEY:
        return equality.BY_KEY[key].label_of(value)
    if key == "experience_areas":
        return ", ".join(_area_label(a, o) for a, o in value) or "(blank)"
    enums = {"how_heard": "Channel", "basis": "Basis", "selection_method": "SelectionMethod",
             "preferred_contact": "ContactMethod"}
    if key in enums:
        import db.enums as E

        try:
            return getattr(E, enums[key])(value).label
        except ValueError:
            return str(value)
    return str(value)


def _area_label(area: str, other: str | None) -> str:
    try:
        label = ExperienceArea(area).label
    except ValueError:
        label = area
    return f"{label} ({other})" if other else label


def _person_changes(person: Person, values: dict) -> list[Change]:
    out = []
    for key in PERSON_FIELDS:
        if key not in values:
            continue
        new, old = values[key], getattr(person, key)
        if new != old and not (new in (None, "") and old in (None, "")):
            if new in (None, ""):
                continue  # blanks never erase
            label = BY_KEY[key].label if key in BY_KEY else key
            out.append(Change(key, label, display(key, old), display(key, new)))
    return out


def _diff(s: Session, rows: list[V.RowResult], mapping: Mapping, equality_ok: bool) -> None:
    person_rows = [r for r in rows if r.status in (V.CHANGED, V.EXISTING_PERSON) and r.person_id]
    if not person_rows:
        return
    persons: dict[int, Person] = {}
    for chunk in _chunks(sorted({r.person_id for r in person_rows}), 900):
        for p in s.scalars(select(Person).where(Person.id.in_(chunk))):
            persons[p.id] = p
    app_rows = [r for r in person_rows if r.application_id]
    apps: dict[int, Application] = {}
    eq: dict[int, EqualityMonitoring] = {}
    areas: dict[int, set[tuple[str, str | None]]] = {}
    for chunk in _chunks(sorted({r.application_id for r in app_rows}), 900):
        for a in s.scalars(select(Application).where(Application.id.in_(chunk))):
            apps[a.id] = a
        for e in s.scalars(select(EqualityMonitoring).where(EqualityMonitoring.application_id.in_(chunk))):
            eq[e.application_id] = e
        for app_id, area, other in s.execute(select(ApplicationExperience.application_id, ApplicationExperience.area,
                                                    ApplicationExperience.other_text)
                                             .where(ApplicationExperience.application_id.in_(chunk))):
            areas.setdefault(app_id, set()).add((area, other))
    for r in person_rows:
        person = persons.get(r.person_id)
        if person is None:
            continue
        changes = _person_changes(person, r.values)
        if r.application_id:
            app = apps.get(r.application_id)
            if app is not None:
                changes += _application_changes(app, eq.get(app.id), areas.get(app.id, set()), r.values,
                                                 equality_ok)
        if r.status == V.CHANGED:
            if not changes:
                r.status = V.UNCHANGED
                r.choice = None
                continue
            r.add(V.NOTE, None, "Imported before; changed since last time: "
                                + ", ".join(c.label for c in changes))
        r.changes = changes or None


def _application_changes(app: Application, eq_row: EqualityMonitoring | None, areas: set, values: dict,
                         equality_ok: bool) -> list[Change]:
    out = []
    for key in APPLICATION_FIELDS:
        if key not in values or values[key] in (None, ""):
            continue
        new, old = values[key], getattr(app, key)
        if key == "received_at" and old is not None and abs((new - old).total_seconds()) < 1:
            continue
        if new != old:
            label = BY_KEY[key].label if key in BY_KEY else "How they heard (their words)"
            out.append(Change(key, label, display(key, old), display(key, new)))
    new_areas = values.get("experience_areas")
    if new_areas and set(new_areas) != areas:
        out.append(Change("experience_areas", BY_KEY["experience_areas"].label,
                          display("experience_areas", sorted(areas)), display("experience_areas", new_areas)))
    if equality_ok:
        for key in (*EQUALITY_KEYS,):
            if key not in values or values[key] in (None, ""):
                continue
            old = getattr(eq_row, key) if eq_row is not None else None
            if values[key] != old:
                out.append(Change(key, BY_KEY[key].label, display(key, old), display(key, values[key])))
    return out


# -- commit ---------------------------------------------------------------------------------------
_AUDIT_LOCK = text("SELECT pg_advisory_xact_lock(727002)")


def commit(ctx: AppContext, preview: Preview, *, strict: bool = False, progress: ProgressFn | None = None
           ) -> Outcome:
    """Write the preview's rows in one transaction. Raises before writing anything when the
    database changed since the preview, or (``strict``) when any row was rejected."""
    require(ctx, Perm.IMPORT, entity="import_batch")
    require(ctx, Perm.WRITE, entity="import_batch")
    counts = preview.counts()
    rejected = [(r.number, r.reasons) for r in preview.rejected]
    if strict and rejected:
        shown = ", ".join(str(n) for n, _ in rejected[:10]) + (" and more" if len(rejected) > 10 else "")
        raise UserError(f"{len(rejected):,} {'row has' if len(rejected) == 1 else 'rows have'} problems "
                        f"(row {shown}) and strict mode rejects the whole file: nothing was imported.")
    tick = _Ticker(progress)
    actor = ctx.actor
    now = clock.now()
    with unit_of_work(ctx) as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(_AUDIT_LOCK)  # one import (or audited change) at a time
        if s.get(RecruitmentWindow, preview.window_id) is None:
            raise NotFound("The recruitment window was deleted since the preview: nothing was imported.")
        if _token(s, preview.window_id) != preview.token:
            raise ConflictError("Applicants or people changed since this preview was made (someone else saved "
                                "records): nothing was imported. Check the preview again, then import.")
        batch = ImportBatch(file_name=preview.file_name[:260], sha256=preview.sha256, window_id=preview.window_id,
                            imported_by_id=actor.id, imported_at=now, status=ImportStatus.COMMITTED.value,
                            rows=counts.rows, imported=counts.imported, updated=counts.updated,
                            unchanged=counts.unchanged, duplicates=counts.duplicates,
                            needs_review=counts.needs_review, rejected=counts.rejected,
                            profile_name=preview.mapping.profile_name)
        s.add(batch)
        s.flush()
        writer = _Writer(s, ctx, preview, batch.id, now)
        writer.run(tick)
        fields = sorted({c.field for c in preview.mapping.columns if c.field})
        audit.record(s, actor, "applicants.import", entity="import_batch", entity_id=batch.id, fields=fields,
                     detail=f"window {preview.window_id}: {counts.summary()}")
        batch_id = batch.id
        tick(1000, 1000)
    return Outcome(batch_id, preview.file_name, preview.sha256, counts, rejected)


def dry_run(preview: Preview) -> Outcome:
    return Outcome(None, preview.file_name, preview.sha256, preview.counts(),
                   [(r.number, r.reasons) for r in preview.rejected], dry_run=True)


class _Insert:
    """One table's INSERT for ``executemany``, straight to the driver: fixed columns, one tuple per row.

    Values reach the driver exactly as SQLAlchemy would send them: each column's own bind
    processor for this dialect (UTC date-times as SQLite's text form or naive UTC, dates,
    booleans). ``varying`` columns differ from row to row and are converted here, except those
    in ``converted`` (the caller used ``convert``); ``fixed`` ones are the same for every row and
    are converted once, or left out when NULL."""

    def __init__(self, conn, table, varying: Sequence[str], fixed: dict | None = None,
                 converted: Sequence[str] = ()):
        dialect = conn.dialect
        # A NULL needs no parameter: the column's default is NULL (and sqlite3 binds None slowly).
        fixed = {c: v for c, v in (fixed or {}).items() if v is not None or table.c[c].server_default is not None}
        self.conn = conn
        self.columns = (*varying, *fixed)
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        # Names from the models, quoted by the dialect; every value is a bound parameter.
        self.sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in self.columns)}) "  # noqa: S608
                    f"VALUES ({', '.join([mark] * len(self.columns))})")
        # PostgreSQL (psycopg): COPY, one statement for all the rows instead of one per row.
        self.copy = (f"COPY {quote(table.name)} ({', '.join(quote(c) for c in self.columns)}) FROM STDIN"
                     if dialect.name == "postgresql" and dialect.driver == "psycopg" else None)
        self.processors = {c: table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in self.columns}
        self.fixed = tuple(self.convert(c, v) for c, v in fixed.items())
        self.convert_at = [(i, p) for i, c in enumerate(varying)
                           if c not in converted and (p := self.processors[c]) is not None]

    def convert(self, column: str, value):
        p = self.processors[column]
        return value if p is None or value is None else p(value)

    def run(self, rows: list[list]) -> None:
        """``rows``: lists of the varying columns' values (converted here, in place)."""
        if not rows:
            return
        for i, p in self.convert_at:
            for row in rows:
                value = row[i]
                if value is not None:
                    row[i] = p(value)
        fixed = self.fixed
        if self.copy is not None:
            with self.conn.connection.driver_connection.cursor() as cursor, cursor.copy(self.copy) as copy:
                write = copy.write_row
                for row in rows:
                    write((*row, *fixed))
            return
        self.conn.exec_driver_sql(self.sql, [(*row, *fixed) for row in rows])


def _moment_processor(column, dialect) -> Callable:
    """The bind processor of a UTC date-time column; on SQLite a quicker one for moments already in
    UTC, used only when it gives exactly the processor's text (checked here)."""
    slow = column.type.dialect_impl(dialect).bind_processor(dialect)
    if slow is None or dialect.name != "sqlite":
        return slow or (lambda value: value)

    def quick(value):
        if value.tzinfo is dt.UTC:
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return slow(value)

    samples = [dt.datetime(2025, 3, 30, 1, 0, tzinfo=dt.UTC), dt.datetime(1999, 12, 31, 23, 59, 59, 123456, tzinfo=dt.UTC),
               dt.datetime(1, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 10, 26, 1, 30, 7, 5, tzinfo=dt.UTC)]
    return quick if all(quick(v) == slow(v) for v in samples) else slow


def _data_of(chunk: list[V.RowResult]) -> tuple[V.Layout, list[tuple]]:
    """The rows' values as plain tuples of one layout (a preview's rows all share the validator's)."""
    first = chunk[0].values if chunk else None
    layout = first._layout if isinstance(first, V.Values) else None
    if layout is not None and all(isinstance(r.values, V.Values) and r.values._layout is layout for r in chunk):
        return layout, [r.values._data for r in chunk]
    layout = V.Layout(k for r in chunk for k in r.values)
    return layout, [layout.pack(dict(r.values))._data for r in chunk]


# The words imported people and applications are found by: the documents the triggers of migration
# 0003_search make, for the people given and all their applications (a test compares them).
_INDEX_PEOPLE = text(
    "INSERT INTO search_doc (kind, ref_id, body) SELECT 'person', p.id, CASE WHEN p.anonymised_at IS NULL "
    "THEN p.first_name || ' ' || p.last_name || ' ' || coalesce(p.preferred_name, '') ELSE '' END "
    "FROM person p WHERE p.id IN :ids ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body "
    "WHERE search_doc.body <> excluded.body"
).bindparams(bindparam("ids", expanding=True))
_INDEX_APPLICATIONS = text(
    "INSERT INTO search_doc (kind, ref_id, body) SELECT 'application', a.id, CASE WHEN a.anonymised_at IS NULL "
    "AND p.anonymised_at IS NULL THEN p.first_name || ' ' || p.last_name || ' ' || coalesce(p.preferred_name, '') "
    "|| ' ' || w.name || ' ' || coalesce(a.organisation_name, '') ELSE '' END "
    "FROM application a JOIN person p ON p.id = a.person_id JOIN recruitment_window w ON w.id = a.window_id "
    "WHERE a.person_id IN :ids ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body "
    "WHERE search_doc.body <> excluded.body"
).bindparams(bindparam("ids", expanding=True))


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


class _AppPlan:
    """How one layout's rows become applications and what goes with them (worked out once)."""

    def __init__(self, w: _Writer, layout: V.Layout):
        index = layout.index
        conn, tracked = w.conn, w.tracked()
        self.fields = [k for k in APPLICATION_FIELDS if k in index and k != "received_at"]
        self.read = layout.reader(self.fields, {})
        self.at = {k: index.get(k) for k in ("received_at", "postcode", "work_postcode", "experience_areas",
                                             "how_heard")}
        fixed = {k: None for k in APPLICATION_FIELDS if k not in index and k != "received_at"}
        fixed.update(window_id=w.preview.window_id, stage=Stage.RECEIVED.value, source="import",
                     import_batch_id=w.batch_id, invited_to_reapply=False, **tracked)
        self.app = _Insert(conn, Application.__table__, (
            *self.fields, "received_at", "stage_changed_at", "residence", "home_area", "work_area",
            "eligibility_notes", "person_id", "external_ref", "answers_hash", "id"), fixed,
            converted=("received_at", "stage_changed_at"))
        self.moment = _moment_processor(Application.__table__.c.received_at, conn.dialect)
        self.stage = _Insert(conn, StageChange.__table__, ("application_id", "changed_at"), {
            "from_stage": None, "to_stage": Stage.RECEIVED.value, "changed_by_id": w.actor.id,
            "reason": f"Imported from a spreadsheet (import {w.batch_id})"}, converted=("changed_at",))
        self.areas = _Insert(conn, ApplicationExperience.__table__, ("application_id", "area", "other_text"))
        self.plain_areas = _Insert(conn, ApplicationExperience.__table__, ("application_id", "area"))
        self.equality = [k for k in EQUALITY_KEYS if k in index] if w.equality_ok else []
        self.read_equality = layout.reader(self.equality, {}) if self.equality else None
        fixed = {k: None for k in EQUALITY_KEYS if k not in self.equality}
        fixed.update(window_id=w.preview.window_id, was_member=False, detached_at=None, **tracked)
        self.eq = _Insert(conn, EqualityMonitoring.__table__,
                          (*self.equality, "application_id", "area", "how_heard"), fixed)
        # The fields an application's audit event names: the ones its row holds.
        self.event_keys = [k for k in layout.keys if k in _EVENT_FIELDS]
        self.event_at = [index[k] for k in self.event_keys]
        self._event_fields: dict[tuple, str] = {}

    def event_fields(self, data: tuple) -> str:
        missing = V.MISSING
        mask = tuple([data[i] is not missing for i in self.event_at])
        fields = self._event_fields.get(mask)
        if fields is None:
            held = [k for k, there in zip(self.event_keys, mask, strict=True) if there]
            fields = self._event_fields[mask] = ",".join(sorted(set(held or ["stage"])))
        return fields


class _Writer:
    """Bulk writes for one commit, inside the caller's transaction.

    New people and applications go in with plain ``executemany`` (ids allocated first, so no
    RETURNING is needed). The search index's per-row triggers are paused meanwhile (migration
    0005_search_pause) and each chunk's people and their applications are indexed with one
    statement per kind instead, in the same transaction."""

    def __init__(self, s: Session, ctx: AppContext, preview: Preview, batch_id: int, now: dt.datetime):
        self.s = s
        self.conn = s.connection()
        self.dialect = self.conn.dialect
        self.ctx = ctx
        self.actor = ctx.actor
        self.preview = preview
        self.batch_id = batch_id
        self.now = now
        self.equality_ok = preview.equality_included
        self.events: list[tuple] = []  # (action, entity, entity_id, fields, subject_person_id)
        self.prev_hash: str | None = None
        self.occurred = clock.now().replace(microsecond=0)
        self._people: dict[V.Layout, tuple] = {}
        self._apps: dict[V.Layout, _AppPlan] = {}
        self._audit: _Insert | None = None

    def tracked(self) -> dict:
        aid = self.actor.id
        return {"version": 1, "created_at": self.now, "updated_at": self.now, "created_by_id": aid,
                "updated_by_id": aid}

    def run(self, tick: _Ticker) -> None:
        rows = self.preview.rows
        new_people = [r for r in rows if r.status == V.NEW or (r.choice == V.ADD_NEW and r.status in (
            V.EXISTING_PERSON, V.DUPLICATE_IN_FILE))]
        linked = [r for r in rows if r.status == V.EXISTING_PERSON and r.choice == V.UPDATE and r.person_id
                  and not r.application_id]
        changed = [r for r in rows if r.choice == V.UPDATE and r.application_id and r.person_id
                   and r.status in (V.CHANGED, V.EXISTING_PERSON)]
        total = len(new_people) + len(linked) + len(changed) or 1
        with self._roomy_cache():
            self._write(tick, total, new_people, linked, changed)

    @contextmanager
    def _roomy_cache(self) -> Iterator[None]:
        """SQLite: a bigger page cache while this transaction writes (the default 2 MB spills
        every few hundred rows, a fifth of the commit at 10,000 rows); the usual size after."""
        if self.dialect.name != "sqlite":
            yield
            return
        usual = self.conn.exec_driver_sql("PRAGMA cache_size").scalar()
        self.conn.exec_driver_sql(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
        try:
            yield
        finally:
            self.conn.exec_driver_sql(f"PRAGMA cache_size = {int(usual)}")

    def _write(self, tick: _Ticker, total: int, new_people: list[V.RowResult], linked: list[V.RowResult],
               changed: list[V.RowResult]) -> None:
        done = 0
        write = tick.part(0.0, 0.97)
        self._pause_search()
        for chunk in _chunks(new_people, CHUNK):
            person_ids = self._insert_people(chunk)
            self._insert_applications(chunk, person_ids)
            self._index(person_ids)
            self.write_audit()
            done += len(chunk)
            write(done, total)
        for chunk in _chunks(linked, CHUNK):
            ids = [r.person_id for r in chunk]
            self._update_people(chunk)
            self._insert_applications(chunk, ids)
            self._index(ids)
            self.write_audit()
            done += len(chunk)
            write(done, total)
        for chunk in _chunks(changed, CHUNK):
            self._update_people(chunk)
            self._update_applications(chunk)
            self._index([r.person_id for r in chunk])
            self.write_audit()
            done += len(chunk)
            write(done, total)
        self._resume_search()

    # -- the search index -----------------------------------------------------------------------
    def _pause_search(self) -> None:
        """Only this transaction's writes skip the per-row search triggers (see 0005_search_pause)."""
        if self.dialect.name == "sqlite":
            self.conn.exec_driver_sql("INSERT OR REPLACE INTO search_pause (id) VALUES (1)")
        else:
            self.conn.exec_driver_sql("SELECT set_config('le.search_paused', 'on', true)")

    def _resume_search(self) -> None:
        if self.dialect.name == "sqlite":
            self.conn.exec_driver_sql("DELETE FROM search_pause")
        else:
            self.conn.exec_driver_sql("SELECT set_config('le.search_paused', 'off', true)")

    def _index(self, person_ids: list[int]) -> None:
        """The search documents of these people and of all their applications: two statements."""
        if person_ids:
            ids = sorted(set(person_ids))
            self.conn.execute(_INDEX_PEOPLE, {"ids": ids})
            self.conn.execute(_INDEX_APPLICATIONS, {"ids": ids})

    # -- people -------------------------------------------------------------------------------
    def allocate_ids(self, table, n: int) -> list[int]:
        """Ids for ``n`` new rows, so that plain executemany (no RETURNING) can be used: the fast path
        on both engines. SQLite: this transaction holds the write lock (BEGIN IMMEDIATE), so the ids
        after the current maximum are ours. PostgreSQL: taken from the table's own sequence."""
        if n == 0:
            return []
        if self.dialect.name == "postgresql":
            seq = self.conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
            ids = self.conn.execute(text("SELECT nextval(CAST(:s AS regclass)) FROM generate_series(1, :n)"),
                                    {"s": seq, "n": n}).scalars().all()
            return sorted(ids)
        start = self.conn.execute(select(func.max(table.c.id))).scalar() or 0
        return list(range(start + 1, start + n + 1))

    def _insert_people(self, chunk: list[V.RowResult]) -> list[int]:
        ids = self.allocate_ids(Person.__table__, len(chunk))
        layout, data = _data_of(chunk)
        plan = self._people.get(layout)
        if plan is None:
            fields = [k for k in PERSON_FIELDS if k in layout.index]
            fixed = {k: _PERSON_DEFAULTS.get(k) for k in PERSON_FIELDS if k not in layout.index}
            fixed.update(self.tracked())
            plan = self._people[layout] = (
                layout.reader(fields, _PERSON_DEFAULTS),
                _Insert(self.conn, Person.__table__, (*fields, "email_key", "phone_key", "name_key", "id"), fixed))
        read, insert_people = plan
        params = []
        for r, d, pid in zip(chunk, data, ids, strict=True):
            row = read(d)
            row += (r.email_key, r.phone_key, r.name_key, pid)
            params.append(row)
        insert_people.run(params)
        return ids

    def _update_people(self, chunk: list[V.RowResult]) -> None:
        persons = {p.id: p for p in self.s.scalars(select(Person).where(Person.id.in_([r.person_id for r in chunk])))}
        for r in chunk:
            person = persons.get(r.person_id)
            if person is None:
                raise ConflictError("A person this import would update was deleted since the preview: nothing "
                                    "was imported. Check the preview again.")
            values = {k: r.values[k] for k in PERSON_FIELDS if k in r.values and r.values[k] not in (None, "")}
            changed = people.apply(self.s, person, values)
            if changed:
                self.event("person.change", "person", person.id, changed, person.id)
        self.s.flush()

    # -- applications -----------------------------------------------------------------------------
    def _app_values(self, r: V.RowResult, v: dict | None = None) -> dict:
        if v is None:
            v = r.values.to_dict() if isinstance(r.values, V.Values) else r.values
        out = {key: v.get(key) for key in APPLICATION_FIELDS}
        out["received_at"] = v.get("received_at") or self.now
        out.update(V.eligibility(v))
        return out

    def _insert_applications(self, chunk: list[V.RowResult], person_ids: list[int]) -> None:
        app_ids = self.allocate_ids(Application.__table__, len(chunk))
        layout, data = _data_of(chunk)
        plan = self._apps.get(layout)
        if plan is None:
            plan = self._apps[layout] = _AppPlan(self, layout)
        at = plan.at
        i_received, i_postcode, i_work, i_areas, i_heard = (at["received_at"], at["postcode"], at["work_postcode"],
                                                            at["experience_areas"], at["how_heard"])
        missing = V.MISSING
        convert_moment = plan.moment
        default_received = convert_moment(self.now)
        eligibility = V.eligibility_of
        read, read_equality = plan.read, plan.read_equality
        apps, stages, areas, plain_areas, answers = [], [], [], [], []
        events = self.events
        for r, d, pid, app_id in zip(chunk, data, person_ids, app_ids, strict=True):
            received = d[i_received] if i_received is not None else missing
            received = default_received if received is missing or not received else convert_moment(received)
            e = eligibility(None if i_postcode is None or d[i_postcode] is missing else d[i_postcode],
                            None if i_work is None or d[i_work] is missing else d[i_work])
            row = read(d)
            row += (received, received, e.residence, e.home_area, e.work_area, e.notes, pid, r.external_ref,
                    r.answers_hash, app_id)
            apps.append(row)
            stages.append([app_id, received])
            if i_areas is not None and d[i_areas] is not missing:
                for area, other in d[i_areas]:
                    if other is None:
                        plain_areas.append([app_id, area])
                    else:
                        areas.append([app_id, area, other])
            if read_equality is not None:
                given = [None if v == "" else v for v in read_equality(d)]
                if any(v is not None for v in given):
                    heard = d[i_heard] if i_heard is not None and d[i_heard] is not missing else None
                    given += (app_id, e.home_area if e.home_area != "unknown" else e.work_area, heard)
                    answers.append(given)
            events.append(("application.import", "application", app_id, plan.event_fields(d), pid))
        plan.app.run(apps)
        plan.stage.run(stages)
        plan.areas.run(areas)
        plan.plain_areas.run(plain_areas)
        plan.eq.run(answers)

    def _equality_values(self, v) -> dict:
        if not self.equality_ok:
            return {}
        return {k: v[k] for k in EQUALITY_KEYS if v.get(k) not in (None, "")}

    def _update_applications(self, chunk: list[V.RowResult]) -> None:
        ids = [r.application_id for r in chunk]
        apps = {a.id: a for a in self.s.scalars(select(Application).where(Application.id.in_(ids)))}
        eqs = {e.application_id: e for e in self.s.scalars(
            select(EqualityMonitoring).where(EqualityMonitoring.application_id.in_(ids)))}
        for r in chunk:
            app = apps.get(r.application_id)
            if app is None:
                raise ConflictError("An application this import would update was deleted since the preview: "
                                    "nothing was imported. Check the preview again.")
            changed = []
            values = self._app_values(r)
            for key, value in values.items():
                if key == "received_at" and "received_at" not in r.values:
                    continue
                if value in (None, "") or getattr(app, key) == value:
                    continue
                setattr(app, key, value)
                changed.append(key)
            app.answers_hash = r.answers_hash
            if r.external_ref and not app.external_ref:
                app.external_ref = r.external_ref
            new_areas = r.values.get("experience_areas")
            if new_areas:
                current = {(e.area, e.other_text) for e in app.experience_areas}
                if current != set(new_areas):
                    self.s.execute(delete(ApplicationExperience).where(
                        ApplicationExperience.application_id == app.id))
                    self.s.execute(insert(ApplicationExperience.__table__), [
                        {"application_id": app.id, "area": a, "other_text": o} for a, o in new_areas])
                    self.s.expire(app, ["experience_areas"])
                    changed.append("experience_areas")
            if changed:
                self.event("application.change", "application", app.id, changed, app.person_id)
            answers = self._equality_values(r.values)
            if answers:
                row = eqs.get(app.id)
                if row is None:
                    row = EqualityMonitoring(application_id=app.id, **answers)
                    self.s.add(row)
                    equality.sync_from_application(row, app)
                    self.event("equality.create", "equality_monitoring", None, list(answers), app.person_id)
                else:
                    eq_changed = [k for k, v in answers.items() if getattr(row, k) != v]
                    for k in eq_changed:
                        setattr(row, k, answers[k])
                    equality.sync_from_application(row, app)
                    if eq_changed:
                        self.event("equality.change", "equality_monitoring", row.id, eq_changed, app.person_id)
        self.s.flush()

    # -- audit --------------------------------------------------------------------------------
    def event(self, action: str, entity: str, entity_id: int | None, fields: Iterable[str],
              subject_person_id: int | None) -> None:
        self.events.append((action, entity, entity_id, ",".join(sorted(set(fields))) or None, subject_person_id))

    def write_audit(self) -> None:
        """The events gathered so far: one per application created and per record changed, chained
        exactly as ``audit.record`` chains them (``audit._digest``, whose JSON is put together here
        from parts encoded once), in bulk (single inserts would take minutes)."""
        if not self.events:
            return
        if self.prev_hash is None:
            self.prev_hash = self.s.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) \
                or audit.GENESIS
        detail = f"import {self.batch_id}"
        if self._audit is None:
            self._audit = _Insert(self.conn, AuditEvent.__table__, (
                "action", "entity", "entity_id", "subject_person_id", "fields", "prev_hash", "hash"), {
                "occurred_at": self.occurred, "actor_id": self.actor.id, "actor_name": self.actor.username,
                "outcome": "ok", "detail": detail})
        # audit._digest hashes the compact JSON of [prev_hash, occurred_at, actor_id, actor_name, action,
        # entity, entity_id, subject_person_id, fields, outcome, detail].
        head = _json([self.occurred.astimezone(dt.UTC).isoformat(), self.actor.id, self.actor.username])[1:-1]
        tail = _json(["ok", detail])[1:-1]
        encoded: dict = {None: "null"}

        def enc(value) -> str:
            out = encoded.get(value)
            if out is None:
                out = encoded[value] = _json(value)
            return out

        sha256 = hashlib.sha256
        prev = self.prev_hash
        prev_json = _json(prev)
        rows = []
        for action, entity, entity_id, fields, subject in self.events:
            payload = (f'[{prev_json},{head},{enc(action)},{enc(entity)},'
                       f'{entity_id if entity_id.__class__ is int else enc(entity_id)},'
                       f'{subject if subject.__class__ is int else enc(subject)},{enc(fields)},{tail}]')
            digest = sha256(payload.encode("utf-8")).hexdigest()
            rows.append([action, entity, entity_id, subject, fields, prev, digest])
            prev = digest
            prev_json = f'"{digest}"'
        self._audit.run(rows)
        self.prev_hash = prev
        self.events = []
