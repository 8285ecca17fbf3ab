"""Search everywhere, on SQLite (FTS5) and PostgreSQL (full-text search): any word, as typed, folded for
case and accents; the index follows every change; anonymised people never match; anonymous feedback
never reveals its source; DBS status only for roles that may see it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import models as m
from lived_experience.core import clock
from lived_experience.search.service import index_is_consistent, query_words, search
from tests.conftest import as_role
from tests.dashboard.records import Records, at


def titles(results, kind=None):
    return [h.title for g in results.groups for h in g.hits if kind is None or g.kind.key == kind]


@pytest.fixture
def people(ctx):
    r = Records(ctx)
    w = r.window("Lived Experience Group refresh 2026")
    zoe = r.person("Zoë", "Smith-Jones")
    zara = r.person("Zara", "Müller", preferred="Zee")
    app = r.application(zoe, w, "shortlisted")
    r.application(zara, w, "received", organisation_name="Northgate Women's Network")
    return r, {"window": w, "zoe": zoe, "zara": zara, "zoe_app": app}


def test_any_word_as_typed_without_accents_or_capitals(ctx, people):
    _r, ids = people
    for typed in ("zoe", "ZOË", "zo", "smi", "jones", "zoe smith", "smith zo"):
        res = search(ctx, typed)
        assert "Zoë Smith-Jones" in titles(res, "person"), typed
    assert "Zee Müller" in titles(search(ctx, "muller"), "person")  # known as, and accents folded
    assert "Zee Müller" in titles(search(ctx, "zar"), "person")  # by the first name too
    # Every word must match.
    assert titles(search(ctx, "zoe muller"), "person") == []
    assert search(ctx, "   ").empty and search(ctx, "").groups == []


def test_applications_are_found_by_the_person_window_and_organisation(ctx, people):
    _r, ids = people
    res = search(ctx, "zoe refresh")
    apps = [h for g in res.groups if g.kind.key == "application" for h in g.hits]
    assert [(h.entity, h.entity_id, h.section) for h in apps] == [("application", ids["zoe_app"], "applicants")]
    assert "Shortlisted" in apps[0].detail
    assert titles(search(ctx, "northgate"), "application") == ["Zee Müller"]


def test_each_kind_of_record_is_found_and_opens_in_its_section(ctx, people):
    r, ids = people
    meeting = r.meeting("Victims' voice forum: keeping informed", at(clock.today() + dt.timedelta(days=3)))
    fb = r.feedback("Interpreters are offered too late", clock.today(), response="Now asked at first contact")
    svc = r.service("Independent Sexual Violence Advocate (ISVA) service", clock.today() + dt.timedelta(days=300),
                    provider_name="Brightwater Advocacy")
    cases = {
        "forum": ("meeting", "meetings", "meeting", meeting),
        "interpret": ("feedback", "feedback", "feedback_item", fb),
        "first contact": ("feedback", "feedback", "feedback_item", fb),  # the response too
        "isva": ("service", "commissioning", "commissioned_service", svc),
        "brightwater": ("service", "commissioning", "commissioned_service", svc),
        "refresh 2026": ("window", "recruitment", "recruitment_window", ids["window"]),
    }
    for typed, (kind, section, entity, ident) in cases.items():
        res = search(ctx, typed)
        hits = [h for g in res.groups if g.kind.key == kind for h in g.hits]
        assert [(h.section, h.entity, h.entity_id) for h in hits] == [(section, entity, ident)], typed


def test_the_index_follows_changes_renames_and_deletions(ctx, people):
    r, ids = people
    r.update(m.Person, ids["zoe"], first_name="Zoey", last_name="Brown")
    assert titles(search(ctx, "smith"), "person") == []
    assert titles(search(ctx, "smith"), "application") == []
    assert titles(search(ctx, "zoey brown"), "person") == ["Zoey Brown"]
    assert titles(search(ctx, "zoey"), "application") == ["Zoey Brown"]
    r.update(m.RecruitmentWindow, ids["window"], name="Autumn intake")
    assert titles(search(ctx, "autumn zoey"), "application") == ["Zoey Brown"]
    assert titles(search(ctx, "refresh"), "application") == []
    r.delete(m.Person, ids["zoe"])
    assert search(ctx, "zoey").empty
    assert index_is_consistent(ctx)


def test_anonymised_people_and_their_applications_never_match(ctx, people):
    r, ids = people
    # Even with the name still in place, an anonymised person is not found.
    r.update(m.Person, ids["zoe"], anonymised_at=clock.now())
    assert search(ctx, "zoe").empty
    r.update(m.Person, ids["zoe"], first_name="Anonymised", last_name=f"person {ids['zoe']}")
    assert search(ctx, "anonymised").empty
    # An anonymised application (the person kept) is not found either.
    r2 = Records(ctx)
    other = r2.person("Kept", "Person")
    app = r2.application(other, ids["window"], "unsuccessful")
    r2.update(m.Application, app, anonymised_at=clock.now())
    assert titles(search(ctx, "kept"), "application") == []
    assert titles(search(ctx, "kept"), "person") == ["Kept Person"]
    assert index_is_consistent(ctx)


def test_anonymous_feedback_never_reveals_its_source(ctx, people):
    r, ids = people
    r.feedback("Waiting too long for updates", clock.today(), anonymous=True, person_id=ids["zoe"])
    r.feedback("Named feedback about court", clock.today(), anonymous=False, person_id=ids["zoe"])
    # Searching the member's name finds no feedback at all...
    assert titles(search(ctx, "zoe"), "feedback") == []
    # ...and feedback results never carry a name.
    for typed in ("waiting", "court"):
        hits = [h for g in search(as_role(ctx, "dbs_officer"), typed).groups for h in g.hits]
        assert hits and all("Zoë" not in f"{h.title} {h.detail}" and "Smith" not in h.detail for h in hits)


def test_dbs_status_only_for_roles_that_may_see_it(ctx, people):
    r, ids = people
    r.term(ids["zoe"], clock.today() - dt.timedelta(days=10), clock.today() + dt.timedelta(days=500))
    r.dbs(ids["zoe"], clock.today() - dt.timedelta(days=40), issued=clock.today() - dt.timedelta(days=30),
          decision="clear")
    coordinator = [h for h in search(as_role(ctx, "coordinator"), "zoe").hits() if h.kind == "person"]
    assert "DBS: cleared" in coordinator[0].detail and coordinator[0].section == "members"
    viewer = search(as_role(ctx, "viewer"), "zoe").hits()
    assert viewer and all("DBS" not in h.detail for h in viewer)


def test_more_results_are_flagged_and_each_kind_is_capped(ctx):
    r = Records(ctx)
    w = r.window()
    for i in range(9):
        r.application(r.person(f"Jordan{i}", "Lee"), w)
    res = search(ctx, "jordan", per_kind=4)
    group = next(g for g in res.groups if g.kind.key == "person")
    assert len(group.hits) == 4 and group.more


@given(st.text(max_size=40))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_nothing_typed_is_ever_query_syntax(sqlite_ctx, typed):
    """Quotes, stars, brackets, NEAR, AND, colons, accents, emoji: searched as words, never an error."""
    res = search(sqlite_ctx, typed)
    assert res.words == query_words(typed)


def test_query_syntax_is_harmless_on_both_engines(ctx, people):
    for typed in ('"zoe', "zoe*", "zoe AND NOT", "NEAR(zoe)", "zoe:*", "zo & !sm", "(zoe)", "{zoe}", "^zoe", "'",
                  "zoë\u0301", "🙂", "a-b", "o'brien", "___", "\\"):
        search(ctx, typed)  # never raises
    assert "Zoë Smith-Jones" in titles(search(ctx, '"zoe"'), "person")


def test_existing_records_are_indexed_when_the_migration_runs(tmp_path):
    """A database made before search (0002) has its records indexed by 0003's backfill."""
    from alembic import command
    from sqlalchemy import text

    from db.engine import open_database
    from db.migrate import _alembic_config, ensure_schema
    from lived_experience.core.context import AppContext

    db = open_database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with db.engine.connect() as conn:
        conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        with conn.begin():
            command.upgrade(_alembic_config(db, conn), "0002_reference_data")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO person (id, first_name, last_name, safe_to_phone, safe_voicemail, safe_text, "
                          "safe_post, safe_email, needs_bsl, version, created_at, updated_at) VALUES "
                          "(1, 'Zoë', 'Before', 0, 0, 0, 0, 1, 0, 1, :n, :n)"), {"n": now})
    ensure_schema(db, tmp_path / "backups")
    ctx = AppContext(db=db)
    assert titles(search(ctx, "zoe before"), "person") == ["Zoë Before"]
    assert index_is_consistent(ctx)
    db.dispose()


def test_the_demo_data_is_searchable(demo_ctx):
    res = search(demo_ctx, "zoe")
    kinds = {g.kind.key for g in res.groups}
    assert {"person", "application"} <= kinds
    assert all("Zoë" in h.title for h in res.hits())
    assert index_is_consistent(demo_ctx)
