"""Subject access: everything held about one person, as a workbook and a readable PDF.

The walk in ``personal_data`` finds every row of every table that refers to the
person (their record, applications and everything under them, terms, DBS
checks, expenses, invitations, feedback they gave, equality answers while
still linked), and the audit events about them. Both files are marked
OFFICIAL-SENSITIVE; the request is audited with where the files went.
Administrators only (``Perm.RETENTION``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select

from db.models import AuditEvent, Person
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date, uk_datetime
from lived_experience.core.uow import get_or_404, unit_of_work
from lived_experience.exporting import xlsx
from lived_experience.retention.personal_data import model_for, rows_about
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

MARKING = "OFFICIAL-SENSITIVE"
SKIP_COLUMNS = {"version", "created_by_id", "updated_by_id"}

TITLES = {
    "person": "Personal details",
    "application": "Applications",
    "application_experience": "Experience described in applications",
    "stage_change": "Application progress",
    "assessment": "Interview and video assessments",
    "assessment_score": "Assessment scores",
    "equality_monitoring": "Equality monitoring answers",
    "quiet_period": "Quiet periods (no contact)",
    "membership_term": "Membership terms",
    "dbs_check": "DBS checks",
    "dbs_update_check": "DBS Update Service checks",
    "expense_claim": "Expense claims",
    "invitation": "Meeting invitations and attendance",
    "feedback_item": "Feedback given",
    "audit_event": "Record of who did what with these records (audit log)",
}


SHEETS = {
    "application_experience": "Experience",
    "assessment": "Assessments",
    "equality_monitoring": "Equality answers",
    "quiet_period": "Quiet periods",
    "dbs_update_check": "DBS Update Service checks",
    "invitation": "Invitations",
    "audit_event": "Audit log",
}


@dataclass
class Section:
    table: str
    title: str
    columns: list[str]
    rows: list[list]


@dataclass
class SubjectAccessResult:
    person_id: int
    xlsx_path: Path
    pdf_path: Path
    counts: dict[str, int] = field(default_factory=dict)


LABELS = {
    "needs_bsl": "Needs a British Sign Language interpreter",
    "email_key": "Email (as used to recognise a returning applicant)",
    "phone_key": "Phone (as used to recognise a returning applicant)",
    "name_key": "Name and date of birth (as used to recognise a returning applicant)",
    "id": "Record number",
}


def _label(column: str) -> str:
    if column in LABELS:
        return LABELS[column]
    text = column.removesuffix("_id").replace("_", " ")
    return text[:1].upper() + text[1:]


def _value(v):
    if isinstance(v, bytes):
        return f"({len(v)} bytes)"
    return v


def _lookups(session, model, rows) -> dict[str, dict]:
    """For foreign keys to tables with a name or title (windows, meetings...), the names, for
    readability; for staff (who checked a DBS certificate, who moved an application on), the
    name of the member of staff, who acted for the office."""
    out: dict[str, dict] = {}
    for col in model.__table__.columns:
        if col.name in SKIP_COLUMNS:
            continue
        for fk in col.foreign_keys:
            target = fk.column.table
            names = ("display_name",) if target.name == "staff_user" else ("name", "title")
            label_col = next((c for c in names if c in target.c), None)
            if label_col is None or target.name == "person":
                continue
            ids = {getattr(r, col.name) for r in rows if getattr(r, col.name) is not None}
            if ids:
                out[col.name] = dict(session.execute(
                    select(target.c.id, target.c[label_col]).where(target.c.id.in_(ids))).all())
    return out


def collect(session, person_id: int) -> list[Section]:
    sections: list[Section] = []
    for table, rows in rows_about(session, person_id).items():
        model = model_for(table)
        cols = [c.name for c in model.__table__.columns if c.name not in SKIP_COLUMNS]
        names = _lookups(session, model, rows)
        header: list[str] = []
        for c in cols:
            header.append(c)
            if c in names:
                header.append(f"{c}:name")
        data = []
        for r in rows:
            line = []
            for c in cols:
                v = getattr(r, c)
                line.append(_value(v))
                if c in names:
                    line.append(names[c].get(v))
            data.append(line)
        sections.append(Section(table, TITLES.get(table, _label(table)), header, data))
    events = list(session.scalars(
        select(AuditEvent).where(or_(AuditEvent.subject_person_id == person_id,
                                     (AuditEvent.entity == "person") & (AuditEvent.entity_id == person_id)))
        .order_by(AuditEvent.id)))
    cols = ["id", "occurred_at", "actor_name", "action", "entity", "entity_id", "fields", "outcome", "detail"]
    sections.append(Section("audit_event", TITLES["audit_event"], cols,
                            [[getattr(e, c) for c in cols] for e in events]))
    return sections


def _header_label(key: str) -> str:
    if key.endswith(":name"):
        return _label(key[:-5]) + " (name)"
    return _label(key)


def _pdf_label(key: str) -> str:
    """The PDF shows a named reference by its name alone (the workbook has the number as well)."""
    return _label(key.removesuffix(":name"))


def _kind(values: list) -> str:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return "bool"
    if isinstance(sample, dt.datetime):
        return "datetime"
    if isinstance(sample, dt.date):
        return "date"
    if isinstance(sample, int):
        return "int"
    return "text"


def _enum_labels() -> dict[str, str]:
    """Stored codes (``eligibility_checked``, ``no_new_information``) -> the words staff see."""
    import db.enums as enums

    out: dict[str, str] = {}
    for obj in vars(enums).values():
        if isinstance(obj, type) and issubclass(obj, enums.Labelled) and obj is not enums.Labelled:
            for member in obj:
                out.setdefault(member.value, member.label)
    return out


_CODES: dict[str, str] = {}


def _shown(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "Yes" if v else "No"
    if isinstance(v, dt.datetime):
        return uk_datetime(v)
    if isinstance(v, dt.date):
        return uk_date(v)
    if isinstance(v, str):
        if not _CODES:
            _CODES.update(_enum_labels())
        return _CODES.get(v, v)
    return str(v)


def subject_access(ctx: AppContext, person_id: int, output_dir: Path,
                   progress: Callable[[int, int], None] | None = None) -> SubjectAccessResult:
    """Write ``subject-access-person-ID-DATE.xlsx`` and ``.pdf`` into ``output_dir``."""
    require(ctx, Perm.RETENTION, entity="person", entity_id=person_id)
    output_dir = Path(output_dir).expanduser()
    if output_dir.exists() and not output_dir.is_dir():
        raise UserError(f"{output_dir} is a file: give a folder for the two files.")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create the folder {output_dir}: {exc.strerror}.") from None
    with unit_of_work(ctx, readonly=True) as s:
        person = get_or_404(s, Person, person_id, "person")
        anonymised = person.anonymised_at
        identifiers = (person.first_name, person.last_name, person.preferred_name, person.email, person.phone,
                       person.phone_alt, person.postcode, person.work_postcode)
        sections = collect(s, person_id)
    stamp = clock.today().strftime("%Y%m%d")
    base = output_dir / f"subject-access-person-{person_id}-{stamp}"
    xlsx_path, pdf_path = base.with_suffix(".xlsx"), base.with_suffix(".pdf")
    total = len(sections) * 2
    made = clock.now()
    try:
        _write_xlsx(xlsx_path, person_id, sections, ctx.actor.display_name, made, anonymised)
        if progress:
            progress(len(sections), total)
        _write_pdf(pdf_path, person_id, sections, ctx.actor.display_name, made, anonymised)
    except OSError as exc:
        raise UserError(f"The subject access files could not be written to {output_dir}: {exc.strerror}.") from None
    if progress:
        progress(total, total)
    counts = {sec.table: len(sec.rows) for sec in sections}
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "subject_access", entity="person", entity_id=person_id,
                     subject_person_id=person_id, fields=[t for t, n in counts.items() if n],
                     detail=f"to {audit.where(xlsx_path, personal=identifiers)} and {audit.where(pdf_path, personal=identifiers)}"[:500])
    return SubjectAccessResult(person_id, xlsx_path, pdf_path, counts)


def _write_xlsx(path: Path, person_id: int, sections: list[Section], by: str, made: dt.datetime,
                anonymised: dt.datetime | None) -> None:
    wb = xlsx.new_workbook(title=f"Subject access: person {person_id}", marking=MARKING, author=by)
    first = True
    for sec in sections:
        kinds = [_kind([r[i] for r in sec.rows]) for i in range(len(sec.columns))]
        cols = [xlsx.SheetColumn(_header_label(c), k) for c, k in zip(sec.columns, kinds, strict=True)]
        xlsx.add_table_sheet(wb, SHEETS.get(sec.table, sec.title[:31]), cols, sec.rows, marking=MARKING, first=first)
        first = False
    xlsx.add_about_sheet(wb, marking=MARKING, lines=[
        ("Contents", f"Everything Lived Experience holds about person {person_id}, for a subject access request."),
        ("Anonymised", uk_datetime(anonymised) if anonymised else "No"),
        *[(sec.title, f"{len(sec.rows)} record(s)") for sec in sections],
        ("Produced", uk_datetime(made)),
        ("Produced by", by),
    ])
    xlsx.save(wb, path)


def _write_pdf(path: Path, person_id: int, sections: list[Section], by: str, made: dt.datetime,
               anonymised: dt.datetime | None) -> None:
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Spacer

    from lived_experience.exporting import pdf

    st = pdf.styles()
    story = [
        pdf.para("Subject access request", st.title),
        pdf.para(f"Information held about person {person_id}", st.h2),
        pdf.para(f"Produced {uk_datetime(made)} by {by}. This document lists every record Lived Experience "
                 "holds about this person, and the audit log of who did what with those records.", st.body),
    ]
    if anonymised:
        story.append(pdf.para(f"This person's record was anonymised on {uk_datetime(anonymised)}.", st.note))
    story.append(pdf.table([["What", "Records"]] + [[s.title, str(len(s.rows))] for s in sections], st,
                           widths=[120 * mm, 40 * mm]))
    for sec in sections:
        # A section's heading stays on the page with the start of what it heads.
        heading = [pdf.para(sec.title, st.h2)]
        if not sec.rows:
            story.append(KeepTogether([*heading, pdf.para("None.", st.body)]))
            continue
        if sec.table == "audit_event":
            keep = ["occurred_at", "actor_name", "action", "entity", "entity_id", "fields"]
            idx = [sec.columns.index(c) for c in keep]
            rows = [["When", "Who", "Action", "Record", "Id", "Fields"]]
            rows += [[_shown(r[i]) if keep[k] != "fields" else (r[i] or "").replace(",", ", ")
                      for k, i in enumerate(idx)] for r in sec.rows]
            story += [*heading, pdf.table(rows, st, widths=[28 * mm, 25 * mm, 35 * mm, 28 * mm, 14 * mm, 44 * mm])]
            continue
        # Where a reference has a name (a window, a meeting, a member of staff), the PDF shows the name.
        named = {c[:-5] for c in sec.columns if c.endswith(":name")}
        shown = [i for i, c in enumerate(sec.columns) if c not in named and any(_shown(r[i]) for r in sec.rows)]
        if sec.table == "equality_monitoring":
            # The answers in the words of the form they were given on.
            from lived_experience.recruitment.equality import BY_KEY

            asked = {i: BY_KEY[c] for i, c in enumerate(sec.columns) if c in BY_KEY}
            sec = Section(sec.table, sec.title, sec.columns,
                          [[asked[i].label_of(v) if i in asked and v is not None else v for i, v in enumerate(r)]
                           for r in sec.rows])
        if len(shown) <= 6:
            # A narrow table (progress, scores, invitations): one line per record.
            rows = [[_pdf_label(sec.columns[i]) for i in shown]]
            rows += [[_shown(r[i]) for i in shown] for r in sec.rows]
            story += [*heading, pdf.table(rows, st)]
            continue
        heading.append(pdf.para("Fields with nothing recorded are left out.", st.small))
        for n, r in enumerate(sec.rows, start=1):
            block = heading if n == 1 else []
            if len(sec.rows) > 1:
                block.append(pdf.para(f"{sec.title}: {n} of {len(sec.rows)}", st.h3))
            pairs = [["Field", "Value"]] + [[_pdf_label(sec.columns[i]), _shown(r[i])]
                                            for i in shown if _shown(r[i])]
            block.append(pdf.table(pairs, st, widths=[55 * mm, 119 * mm]))
            # A record starts on the page it fits on; one longer than a page runs over (its header repeats).
            story.append(KeepTogether(block))
            story.append(Spacer(1, 3 * mm))
    pdf.build(path, story, pdf.DocInfo(title=f"Subject access: person {person_id}",
                                       subject="Subject access request", author=by, marking=MARKING))
