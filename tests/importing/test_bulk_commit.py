"""The fast bulk commit and validation (issue 3's speed goals) behave exactly as the row-by-row work
did: the search index finds what was imported, a cancel leaves it as it was, moments are stored as
the rest of the app stores them, the audit chain holds, and remembered answers change nothing."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from db.models import Application, AuditEvent, ImportBatch, Person, StageChange
from lived_experience.core.uow import unit_of_work
from lived_experience.importing import dates as D
from lived_experience.importing import service
from lived_experience.importing import validate as V
from lived_experience.importing.headers import auto_map
from lived_experience.search.service import index_is_consistent, search
from lived_experience.security import audit
from tests.conftest import as_role
from tests.importing import files as F
from tests.importing.helpers import import_file, preview_file

MIGRATIONS = Path(__file__).resolve().parents[2] / "db" / "migrations" / "versions"


def _docs(ctx) -> dict[tuple[str, int], str]:
    with unit_of_work(ctx, readonly=True) as s:
        return {(k, i): b for k, i, b in s.execute(text("SELECT kind, ref_id, body FROM search_doc"))}


def _docs_as_the_triggers_make_them(ctx) -> dict[tuple[str, int], str]:
    """People's and applications' documents computed by migration 0003_search's own statements."""
    spec = importlib.util.spec_from_file_location("_search_0003", MIGRATIONS / "0003_search.py")
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    out = {}
    with unit_of_work(ctx, readonly=True) as s:
        for kind in ("person", "application"):
            out.update({(k, i): b for k, i, b in s.execute(text(m.SELECTS[kind]))})
    return out


def _found(ctx, words: str, kind: str) -> list[str]:
    return [h.title for g in search(ctx, words).groups for h in g.hits if g.kind.key == kind]


def _paused(ctx) -> bool:
    with unit_of_work(ctx, readonly=True) as s:
        if ctx.db.is_sqlite:
            return bool(s.scalar(text("SELECT count(*) FROM search_pause")))
        return s.scalar(text("SELECT current_setting('le.search_paused', true)")) == "on"


def test_imported_people_are_indexed_as_the_per_row_triggers_would_index_them(ctx, window_id, tmp_path):
    import_file(ctx, F.forms_excel_like(tmp_path / "march.xlsx", 60), window_id)
    docs = _docs(ctx)
    expected = _docs_as_the_triggers_make_them(ctx)
    assert len(expected) == 120 and {k: docs[k] for k in expected} == expected
    assert "Zoë Abara" in _found(ctx, "zoe abara", "person")
    assert _found(ctx, "abara test recruitment", "application")
    assert index_is_consistent(ctx)
    # A newer export that renames someone: their person and application documents follow.
    rows = F.forms_rows(60)
    rows[0]["What is your full name?"] = "Zoë Ó Briain"
    headers = F.FORMS_META + F.QUESTIONS
    path = F.write_xlsx(tmp_path / "april.xlsx", headers, [[a[h] for h in headers] for a in rows])
    preview = preview_file(ctx, path, window_id)
    assert preview.counts().updated == 1
    service.commit(ctx, preview)
    assert _docs(ctx) == {**docs, **_docs_as_the_triggers_make_them(ctx)}
    assert _found(ctx, "obriain", "person") == [] and _found(ctx, "briain", "person") == ["Zoë Ó Briain"]
    assert len(_found(ctx, "briain", "application")) == 1
    assert index_is_consistent(ctx)


def test_after_an_import_the_search_follows_every_change_again(ctx, window_id, tmp_path):
    import_file(ctx, F.forms_xlsx(tmp_path / "f.xlsx", 5), window_id)
    assert not _paused(ctx)
    with unit_of_work(ctx) as s:
        s.add(Person(first_name="Gráinne", last_name="Nic Giolla"))
        zoe = s.scalar(select(Person).where(Person.email_key == "applicant0@example.org"))
        zoe.preferred_name = "Zed"
    assert _found(ctx, "grainne", "person") == ["Gráinne Nic Giolla"]
    assert _found(ctx, "zed", "person")
    assert index_is_consistent(ctx)


@pytest.mark.parametrize("stop_at", [1, 900])
def test_a_cancelled_import_leaves_the_search_index_exactly_as_before(ctx, window_id, tmp_path, stop_at):
    import_file(ctx, F.forms_xlsx(tmp_path / "first.xlsx", 3), window_id)
    preview = preview_file(ctx, F.forms_excel_like(tmp_path / "big.xlsx", 2500, start=100), window_id)
    before = _docs(ctx)

    class Cancelled(Exception):
        pass

    def progress(done, total):
        if done >= stop_at:
            raise Cancelled()

    with pytest.raises(Cancelled):
        service.commit(ctx, preview, progress=progress)
    assert _docs(ctx) == before
    assert not _paused(ctx)
    assert index_is_consistent(ctx)
    with unit_of_work(ctx) as s:
        s.add(Person(first_name="Aoife", last_name="Ní Bhriain"))
    assert _found(ctx, "aoife bhriain", "person") == ["Aoife Ní Bhriain"]


def test_imported_moments_are_stored_as_the_rest_of_the_app_stores_them(ctx, window_id, tmp_path):
    """A filter on a moment finds an imported application received exactly then (SQLite keeps
    moments as text, so every writer must write them the same way)."""
    _preview, outcome = import_file(ctx, F.forms_xlsx(tmp_path / "f.xlsx", 3), window_id)
    moment = dt.datetime(2025, 3, 1, 9, 12, tzinfo=dt.UTC)  # row 2's completion time
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(Application).where(Application.received_at == moment)) == 1
        assert s.scalar(select(func.count()).select_from(Application).where(
            Application.stage_changed_at >= moment, Application.stage_changed_at <= moment)) == 1
        assert s.scalar(select(func.count()).select_from(StageChange).where(StageChange.changed_at == moment)) == 1
        event = s.scalars(select(AuditEvent).where(AuditEvent.detail == f"import {outcome.batch_id}")).first()
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.id == event.id, AuditEvent.occurred_at == event.occurred_at)) == 1
        zoe = s.scalar(select(Person).where(Person.email_key == "applicant0@example.org"))
        assert s.scalar(select(func.count()).select_from(Person).where(
            Person.id == zoe.id, Person.created_at == zoe.created_at)) == 1


def test_the_audit_chain_holds_for_a_user_whose_name_is_not_plain_ascii(ctx, window_id, tmp_path):
    staff = as_role(ctx, "coordinator", username="zoë.o'brien")
    import_file(staff, F.forms_xlsx(tmp_path / "march.xlsx", 6), window_id)
    rows = F.forms_rows(8)
    rows[2]["Phone number"] = "07700 900555"
    rows[3]["What is your sex?"] = "Male"
    headers = F.FORMS_META + F.QUESTIONS
    path = F.write_xlsx(tmp_path / "april.xlsx", headers, [[a[h] for h in headers] for a in rows])
    preview = preview_file(staff, path, window_id)
    service.commit(staff, preview)
    with unit_of_work(ctx, readonly=True) as s:
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.actor_name == "zoë.o'brien")))
        assert {"applicants.import", "application.import", "person.change", "equality.change"} <= actions
        assert audit.verify(s).ok


# -- validation ------------------------------------------------------------------------------------
def _clock_changes(year: int) -> list[dt.date]:
    last_sundays = []
    for month in (3, 10):
        d = dt.date(year, month, 31)
        last_sundays.append(d - dt.timedelta(days=(d.weekday() + 1) % 7))
    return last_sundays


def test_uk_wall_clock_times_become_utc_by_the_zone_rules_every_minute_around_the_clock_changes():
    validator = V.RowValidator(auto_map(["Name"]))
    for year in (1972, 1996, 2025, 2037):
        for day in _clock_changes(year):
            start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(22, 0))
            for minute in range(0, 30 * 60, 7):
                moment = start + dt.timedelta(minutes=minute, seconds=minute % 60)
                assert validator._to_utc(moment) == D.to_utc(moment), moment
                assert validator._to_utc(moment).tzinfo is dt.UTC
    for other in (dt.datetime(1969, 7, 20, 20, 17), dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC), dt.date(2025, 1, 2)):
        assert validator._to_utc(other) == D.to_utc(other)


HEADERS = F.FORMS_META + F.QUESTIONS
ANSWERS = {
    "Phone number": st.sampled_from(["07700 900123", "7700900123", "+44 7700 900123", "12345", "abc", " ", ""]),
    "Email address": st.sampled_from(["Zoe@Example.ORG", "zoe@", "anonymous", "a@b.co.uk", " ", ""]),
    "What is your postcode?": st.sampled_from(["le1 6zz", "NG1 1AA", "LE12 9AB", "XYZ", "", "LE1 6ZO"]),
    "Which age group are you in?": st.sampled_from(F.AGE + ["about forty", ""]),
    "Is it safe to phone you?": st.sampled_from(["Yes", "No", "sometimes", ""]),
    "Which types of crime have you experienced?": st.sampled_from(["Domestic abuse;Fraud", "Other: x", "none", ""]),
    "How did you hear about us?": st.sampled_from(F.HOW_HEARD + ["???"]),
    "What is your full name?": st.sampled_from(["Zoë Smith", "Smith, Zoë", "anonymous", "", "Dr Zoë"]),
    "When are you available?": st.sampled_from(["Weekday evenings", "line one\r\nline two", ""]),
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries(ANSWERS), min_size=1, max_size=30))
def test_remembering_each_distinct_answer_changes_no_result(answers):
    base = F.forms_rows(1)[0]
    rows = [(n + 2, tuple({**base, **a}.get(h) for h in HEADERS)) for n, a in enumerate(answers)]
    mapping = auto_map(HEADERS)
    now = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
    remembering = V.RowValidator(mapping, today=now.date(), now=now)
    checking_all = V.RowValidator(mapping, today=now.date(), now=now)
    checking_all.plan = [(k, i, h, None) for k, i, h, _memo in checking_all.plan]

    def seen(r: V.RowResult):
        return (r.values.to_dict(), r.messages(), [p.level for p in r.problems or ()], r.status, r.email_key,
                r.phone_key, r.name_key, r.answers_hash, r.external_ref, V.eligibility(r.values))

    assert [seen(r) for r in V.validate_rows(remembering, rows)] == \
        [seen(r) for r in V.validate_rows(checking_all, rows)]


def test_a_sheet_without_a_date_received_takes_the_date_of_the_import(ctx, window_id, tmp_path):
    path = F.write_xlsx(tmp_path / "typed.xlsx", ["Name", "Email", "Postcode", "Age group"],
                        [["Zoë Smith", "zoe@example.org", "LE1 6ZZ", "25-34"],
                         ["Wei Chen", "wei@example.org", "LE15 6AB", ""]])
    preview, outcome = import_file(ctx, path, window_id)
    assert outcome.counts.imported == 2
    assert any("date of the import" in n for n in preview.notes)
    with unit_of_work(ctx, readonly=True) as s:
        imported_at = s.get(ImportBatch, outcome.batch_id).imported_at
        apps = s.scalars(select(Application).order_by(Application.id)).all()
        assert [(a.received_at, a.stage_changed_at) for a in apps] == [(imported_at, imported_at)] * 2
        assert [a.home_area for a in apps] == ["city", "rutland"]
