"""The import against a real database (SQLite and PostgreSQL): preview, commit, re-import,
duplicates, one transaction, records and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from db.models import (
    Application,
    ApplicationExperience,
    AuditEvent,
    EqualityMonitoring,
    ImportBatch,
    Person,
    StageChange,
)
from lived_experience.core.errors import ConflictError, PermissionDenied, UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.importing import service
from lived_experience.importing import validate as V
from lived_experience.security import audit
from tests.conftest import as_role
from tests.importing import files as F
from tests.importing.helpers import add_window, import_file, preview_file, table_counts


def _count(ctx, model, *where) -> int:
    with unit_of_work(ctx, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_a_forms_export_is_imported_in_one_go(ctx, window_id, tmp_path):
    path = F.forms_xlsx(tmp_path / "form.xlsx", 12)
    preview, outcome = import_file(ctx, path, window_id)
    assert outcome.counts.rows == 12 and outcome.counts.imported == 12 and not outcome.rejected
    assert _count(ctx, Person) == 12
    assert _count(ctx, Application, Application.window_id == window_id) == 12
    assert _count(ctx, StageChange) == 12
    assert _count(ctx, ApplicationExperience) >= 12
    with unit_of_work(ctx, readonly=True) as s:
        zoe = s.scalar(select(Person).where(Person.email_key == "applicant0@example.org"))
        assert (zoe.first_name, zoe.last_name, zoe.phone) == ("Zoë", "Abara", "+441134960000")
        assert zoe.name_key == "zoe|abara|1930-01-01"
        app = s.scalar(select(Application).where(Application.person_id == zoe.id))
        assert app.source == "import" and app.stage == "received" and app.import_batch_id == outcome.batch_id
        assert app.how_heard == "opcc_website" and app.basis == "victim" and app.residence == "in_llr"
        assert app.external_ref == "id:1@20250301T090000"
        assert app.received_at == dt.datetime(2025, 3, 1, 9, 12, tzinfo=dt.UTC)
        eq = s.scalar(select(EqualityMonitoring).where(EqualityMonitoring.application_id == app.id))
        assert (eq.age_band, eq.sex, eq.window_id, eq.area) == ("16-24", "female", window_id, "city")
        batch = s.get(ImportBatch, outcome.batch_id)
        assert (batch.file_name, batch.sha256, batch.rows, batch.imported, batch.status) == (
            "form.xlsx", preview.sha256, 12, 12, "committed")
        events = s.scalars(select(AuditEvent).where(AuditEvent.detail == f"import {outcome.batch_id}")).all()
        assert len(events) == 12 and all(e.action == "application.import" and e.subject_person_id for e in events)
        assert all("Abara" not in (e.fields or "") for e in events)  # names of fields, never values
        assert audit.verify(s).ok


def test_reimporting_the_same_file_adds_nothing(ctx, window_id, tmp_path):
    path = F.forms_xlsx(tmp_path / "form.xlsx", 8)
    import_file(ctx, path, window_id)
    before = table_counts(ctx)
    preview, outcome = import_file(ctx, path, window_id)
    assert outcome.counts.unchanged == 8 and outcome.counts.imported == 0 and outcome.counts.updated == 0
    assert any("imported before" in n for n in preview.notes)
    after = table_counts(ctx)
    changed = {k for k in after if after[k] != before[k]}
    assert changed <= {"import_batch", "audit_event"}  # the second import is recorded, nothing else


def test_a_newer_export_shows_what_changed_and_updates_on_commit(ctx, window_id, tmp_path):
    import_file(ctx, F.forms_xlsx(tmp_path / "march.xlsx", 6), window_id)
    rows = F.forms_rows(8)
    rows[2]["Phone number"] = "07700 900555"
    rows[2]["Which age group are you in?"] = "25-34"
    rows[4]["What is your postcode?"] = "LE11 3AB"
    headers = F.FORMS_META + F.QUESTIONS
    path = F.write_xlsx(tmp_path / "april.xlsx", headers, [[a[h] for h in headers] for a in rows])
    preview = preview_file(ctx, path, window_id)
    by_row = {r.number: r for r in preview.rows}
    assert by_row[4].status == V.CHANGED and by_row[4].choice == V.UPDATE
    changes = {c.field: (c.old, c.new) for c in by_row[4].changes}
    assert changes["phone"] == ("0113 496 0002", "07700 900555")
    assert changes["age_band"][1] == "25 to 34"
    assert {c.field for c in by_row[6].changes} == {"postcode"}
    assert by_row[2].status == V.UNCHANGED and by_row[8].status == V.NEW
    c = preview.counts()
    assert (c.imported, c.updated, c.unchanged) == (2, 2, 4)
    service.commit(ctx, preview)
    with unit_of_work(ctx, readonly=True) as s:
        p = s.scalar(select(Person).where(Person.email_key == "applicant2@example.org"))
        assert p.phone == "+447700900555" and p.phone_key == "+447700900555" and p.version == 2
        app = s.scalar(select(Application).where(Application.person_id == p.id))
        eq = s.scalar(select(EqualityMonitoring).where(EqualityMonitoring.application_id == app.id))
        assert eq.age_band == "25-34"
        moved = s.scalar(select(Person).where(Person.email_key == "applicant4@example.org"))
        app4 = s.scalar(select(Application).where(Application.person_id == moved.id))
        assert moved.postcode == "LE11 3AB" and app4.home_area == "county"
        assert audit.verify(s).ok
    # And once more: now everything is unchanged.
    again = preview_file(ctx, path, window_id)
    assert again.counts().unchanged == 8


def test_someone_on_record_from_an_earlier_window_is_linked_not_duplicated(ctx, tmp_path):
    earlier = add_window(ctx, "Earlier window")
    later = add_window(ctx, "Later window")
    import_file(ctx, F.forms_xlsx(tmp_path / "first.xlsx", 3), earlier)
    preview = preview_file(ctx, F.forms_xlsx(tmp_path / "second.xlsx", 3), later)
    assert all(r.status == V.EXISTING_PERSON and r.choice == V.UPDATE for r in preview.rows)
    assert all("email" in r.matched_on for r in preview.rows)
    outcome = service.commit(ctx, preview)
    assert outcome.counts.imported == 3
    assert _count(ctx, Person) == 3
    assert _count(ctx, Application) == 6


def test_name_and_birth_date_only_waits_for_a_decision(ctx, tmp_path):
    earlier = add_window(ctx, "Earlier window")
    later = add_window(ctx, "Later window")
    headers = ["Name", "Date of birth", "Email", "Postcode"]
    F.write_xlsx(tmp_path / "a.xlsx", headers, [["Zoë Smith", dt.date(1980, 5, 17), "zoe@example.org", "LE1 6ZZ"]])
    F.write_xlsx(tmp_path / "b.xlsx", headers, [["ZOE SMITH", dt.date(1980, 5, 17), "zsmith@example.org",
                                                  "LE1 6ZZ"]])
    import_file(ctx, tmp_path / "a.xlsx", earlier)
    preview = preview_file(ctx, tmp_path / "b.xlsx", later)
    r = preview.rows[0]
    assert r.status == V.EXISTING_PERSON and r.choice is None and r.needs_review
    assert r.matched_on == ("name and date of birth",)
    assert preview.counts().needs_review == 1
    assert "Zoë Smith (born 17/05/1980)" in preview.people[r.person_id]
    outcome = service.commit(ctx, preview)
    assert outcome.counts.needs_review == 1 and _count(ctx, Application, Application.window_id == later) == 0
    # A person decides: a different Zoë Smith.
    preview = preview_file(ctx, tmp_path / "b.xlsx", later)
    preview.choose(2, V.ADD_NEW)
    service.commit(ctx, preview)
    assert _count(ctx, Person) == 2


def test_choices_are_checked(ctx, window_id, tmp_path):
    preview = preview_file(ctx, F.forms_xlsx(tmp_path / "f.xlsx", 2), window_id)
    with pytest.raises(UserError, match="does not apply"):
        preview.choose(2, V.UPDATE)  # a new applicant: nothing to choose


def test_two_rows_for_one_person_import_the_later_answer(ctx, window_id, tmp_path):
    headers = ["Name", "Email", "Completion time", "Postcode", "Phone"]
    rows = [["Zoë Smith", "zoe@example.org", dt.datetime(2025, 3, 2, 10), "LE1 6ZZ", "07700900001"],
            ["Owen Walsh", "owen@example.org", dt.datetime(2025, 3, 2, 11), "LE2 3AB", ""],
            ["Zoe Smith", "ZOE@example.org", dt.datetime(2025, 3, 3, 9), "LE3 9QP", ""]]
    preview = preview_file(ctx, F.write_xlsx(tmp_path / "d.xlsx", headers, rows), window_id)
    first = preview.row(2)
    assert first.status == V.DUPLICATE_IN_FILE and first.duplicate_of == 4 and first.choice == V.SKIP
    assert "Same person as row 4 (same email)" in first.messages()[0]
    outcome = service.commit(ctx, preview)
    assert (outcome.counts.imported, outcome.counts.duplicates) == (2, 1)
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(Person.postcode).where(Person.email_key == "zoe@example.org")) == "LE3 9QP"


def test_rejected_rows_are_reported_and_the_rest_imported(ctx, window_id, tmp_path):
    headers = ["Name", "Email", "Phone", "Postcode", "Date of birth"]
    rows = [["Zoë Smith", "zoe@example.org", "07700900001", "LE1 6ZZ", "17/05/1980"],
            ["", "nobody@example.org", "", "LE1 6ZZ", ""],
            ["Owen Walsh", "owen@", "12", "ZZ", "31/02/1990"]]
    preview, outcome = import_file(ctx, F.write_csv(tmp_path / "bad.csv", headers, rows), window_id)
    assert outcome.counts.imported == 1 and outcome.counts.rejected == 2
    reasons = dict(outcome.rejected)
    assert reasons[3] == ["No name given: every applicant needs a name"]
    assert len(reasons[4]) == 4 and any("owen@" in m for m in reasons[4])
    assert outcome.as_json()["rejected"][0] == {"row": 3, "reasons": reasons[3]}


def test_strict_mode_rejects_the_whole_file(ctx, window_id, tmp_path):
    headers = ["Name", "Email"]
    path = F.write_csv(tmp_path / "s.csv", headers, [["Zoë Smith", "zoe@example.org"], ["Owen", "owen@"]])
    preview = preview_file(ctx, path, window_id)
    before = table_counts(ctx)
    with pytest.raises(UserError, match="strict mode rejects the whole file"):
        service.commit(ctx, preview, strict=True)
    assert table_counts(ctx) == before


@pytest.mark.parametrize("stop_at", [1, 400, 990])
def test_cancel_during_commit_leaves_the_database_exactly_as_before(ctx, window_id, tmp_path, stop_at):
    path = F.forms_excel_like(tmp_path / "big.xlsx", 2500)
    preview = preview_file(ctx, path, window_id)

    class Cancelled(Exception):
        pass

    def progress(done, total):
        if done >= stop_at:
            raise Cancelled()

    before = table_counts(ctx)
    with pytest.raises(Cancelled):
        service.commit(ctx, preview, progress=progress)
    assert table_counts(ctx) == before


def test_a_crash_half_way_leaves_the_database_exactly_as_before(ctx, window_id, tmp_path, monkeypatch):
    preview = preview_file(ctx, F.forms_excel_like(tmp_path / "big.xlsx", 2500), window_id)
    calls = {"n": 0}
    original = service._Writer._insert_applications

    def failing(self, chunk, ids):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return original(self, chunk, ids)

    monkeypatch.setattr(service._Writer, "_insert_applications", failing)
    before = table_counts(ctx)
    with pytest.raises(RuntimeError):
        service.commit(ctx, preview)
    assert table_counts(ctx) == before


def test_changes_made_after_the_preview_are_not_overwritten(ctx, window_id, tmp_path):
    preview = preview_file(ctx, F.forms_xlsx(tmp_path / "f.xlsx", 3), window_id)
    with unit_of_work(ctx) as s:
        s.add(Person(first_name="Someone", last_name="Else", email="else@example.org", email_key="else@example.org"))
    before = table_counts(ctx)
    with pytest.raises(ConflictError, match="changed since this preview"):
        service.commit(ctx, preview)
    assert table_counts(ctx) == before


def test_dry_run_writes_nothing(ctx, window_id, tmp_path):
    before = table_counts(ctx)
    preview = preview_file(ctx, F.forms_xlsx(tmp_path / "f.xlsx", 4), window_id)
    outcome = service.dry_run(preview)
    assert outcome.counts.imported == 4 and outcome.batch_id is None
    assert table_counts(ctx) == before


def test_who_may_import(ctx, window_id, tmp_path):
    path = F.forms_xlsx(tmp_path / "f.xlsx", 2)
    viewer = as_role(ctx, "viewer")
    with pytest.raises(PermissionDenied):
        preview_file(viewer, path, window_id)
    coordinator = as_role(ctx, "coordinator")
    _p, outcome = import_file(coordinator, path, window_id)
    assert outcome.counts.imported == 2
    with unit_of_work(ctx, readonly=True) as s:
        batch = s.get(ImportBatch, outcome.batch_id)
        assert batch.imported_by_id == coordinator.actor.id


def test_unknown_window(ctx):
    with pytest.raises(UserError, match="There is no recruitment window 'Nope'"):
        service.find_window(ctx, "Nope")


def test_window_by_id_or_exact_name(ctx, window_id):
    assert service.find_window(ctx, str(window_id)).id == window_id
    assert service.find_window(ctx, "Test recruitment 2025").id == window_id
