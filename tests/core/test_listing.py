"""Lists: search folds case and accents on SQLite too; filters, sorting, paging."""

from __future__ import annotations

import pytest

from lived_experience.core.errors import UserError
from lived_experience.listing.query import list_all, list_page


def test_search_ignores_case_and_accents(demo_ctx):
    names = [r["name"] for r in list_all(demo_ctx, "applicants").rows]
    target = next(n for n in names if "Zoë" in n)
    for query in ("zoë", "ZOË", "zoe", "ZOE"):
        found = [r["name"] for r in list_all(demo_ctx, "applicants", text=query).rows]
        assert target in found, query
        assert all("zo" in n.lower().replace("ë", "e") for n in found)


def test_every_word_must_match(demo_ctx):
    rows = list_all(demo_ctx, "applicants", text="Zoë refresh").rows
    assert rows and all("Zoë" in r["name"] and "refresh" in r["window"] for r in rows)


def test_like_wildcards_in_the_search_are_literal(demo_ctx):
    assert list_all(demo_ctx, "applicants", text="%").rows == []
    assert list_all(demo_ctx, "applicants", text="_").rows == []


def test_paging_returns_the_total_and_a_slice(demo_ctx):
    page = list_page(demo_ctx, "feedback", limit=10, offset=5)
    assert page.total == 80 and len(page.rows) == 10


def test_sorting_in_sql(demo_ctx):
    rows = list_all(demo_ctx, "meetings", sort="starts_at").rows
    starts = [r["starts_at"] for r in rows]
    assert starts == sorted(starts)
    rows = list_all(demo_ctx, "meetings", sort="starts_at", descending=True).rows
    assert [r["starts_at"] for r in rows] == sorted(starts, reverse=True)


def test_unknown_list_and_filter_are_user_errors(demo_ctx):
    with pytest.raises(UserError, match="no list called"):
        list_page(demo_ctx, "shoe_shops")
    with pytest.raises(UserError, match="cannot be filtered"):
        list_page(demo_ctx, "members", filters={"shoe_size": 9})


def test_feedback_filters_by_linked_service_and_right(demo_ctx):
    rows = list_all(demo_ctx, "feedback", filters={"right": 7}).rows
    assert rows and all(7 in r["rights"] for r in rows)


def test_the_dbs_register_is_closed_to_coordinators_and_the_refusal_is_logged(demo_ctx):
    from lived_experience.core.errors import PermissionDenied
    from tests.conftest import as_role

    coordinator = as_role(demo_ctx, "coordinator")
    with pytest.raises(PermissionDenied):
        list_page(coordinator, "dbs")
    audit = list_all(demo_ctx, "audit", filters={"outcome": "denied"}).rows
    assert audit and audit[0]["actor"] == "test-coordinator"
    officer = as_role(demo_ctx, "dbs-officer")
    assert list_page(officer, "dbs").rows
    views = list_all(demo_ctx, "audit", filters={"action": "view", "entity": "dbs_check"}).rows
    assert views, "viewing the register is audited"


def test_viewer_sees_no_dbs_status_in_the_members_list(demo_ctx):
    from tests.conftest import as_role

    viewer = as_role(demo_ctx, "viewer")
    page = list_page(viewer, "members")
    assert "dbs_status" not in {c.key for c in page.columns}
    assert all("dbs_status" not in r for r in page.rows)
