"""Expenses: HMRC mileage across the 10,000-mile threshold and the tax year, statuses, totals, the finance export."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from db.enums import ExpenseKind, ExpenseStatus
from db.models import AuditEvent
from lived_experience import settings as office_settings
from lived_experience.core.errors import ConflictError, PermissionDenied, UserError, ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.listing.query import list_page
from lived_experience.members import expenses
from lived_experience.settings import Settings
from tests.conftest import as_role
from tests.members.conftest import make_person

TODAY = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fixed_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def mileage(ctx, pid, day, miles, passengers=0):
    return expenses.submit_claim(ctx, person_id=pid, kind="mileage", incurred_on=day, miles_tenths=miles * 10,
                                 passengers=passengers, description="Travel to the forum")


def build_up(ctx, pid, miles, first_day):
    """Claim ``miles`` in journeys of at most 2,000 miles, one a day from ``first_day``; returns the pence paid."""
    paid, day = 0, first_day
    while miles > 0:
        step = min(miles, 2000)
        paid += mileage(ctx, pid, day, step).claim.amount_pence
        miles -= step
        day += dt.timedelta(days=1)
    return paid


# -- the tax year and the rates ---------------------------------------------------------------------
@pytest.mark.parametrize("day,start", [
    (dt.date(2026, 4, 5), dt.date(2025, 4, 6)), (dt.date(2026, 4, 6), dt.date(2026, 4, 6)),
    (dt.date(2026, 1, 1), dt.date(2025, 4, 6)), (dt.date(2025, 12, 31), dt.date(2025, 4, 6)),
])
def test_the_tax_year_runs_6_april_to_5_april(day, start):
    assert expenses.tax_year(day) == (start, dt.date(start.year + 1, 4, 5))
    assert expenses.tax_year_label(dt.date(2026, 4, 5)) == "2025-26"


def test_mileage_is_45p_then_25p_after_10000_miles_in_the_tax_year(ctx):
    pid = make_person(ctx)
    assert build_up(ctx, pid, 9_950, dt.date(2025, 5, 1)) == 9_950 * 45
    # This journey crosses the threshold: 50 miles at 45p, 50 at 25p.
    crossing = mileage(ctx, pid, dt.date(2025, 6, 1), 100, passengers=2)
    assert crossing.quote.full_rate_tenths == 500 and crossing.quote.reduced_rate_tenths == 500
    assert crossing.claim.amount_pence == 50 * 45 + 50 * 25 + 100 * 2 * 5
    assert "50.0 miles at 25p" in crossing.quote.explanation and "9,950.0 miles already claimed" in \
        crossing.quote.explanation
    after = mileage(ctx, pid, dt.date(2025, 7, 1), 10)
    assert after.claim.amount_pence == 10 * 25
    # A new tax year starts again at 45p (5 April is the last day of the old one).
    old_year = mileage(ctx, pid, dt.date(2026, 4, 5), 10)
    new_year = mileage(ctx, pid, dt.date(2026, 4, 6), 10)
    assert old_year.claim.amount_pence == 250 and new_year.claim.amount_pence == 450


def test_rejected_claims_and_other_people_do_not_count_towards_the_threshold(ctx):
    a, b = make_person(ctx), make_person(ctx)
    build_up(ctx, a, 8_000, dt.date(2025, 5, 1))
    big = mileage(ctx, a, dt.date(2025, 5, 10), 2_000)
    mileage(ctx, b, dt.date(2025, 5, 2), 100)
    assert mileage(ctx, a, dt.date(2025, 5, 13), 10).claim.amount_pence == 250
    expenses.reject(ctx, big.claim.id, "Duplicate claim", expected_version=big.claim.version)
    assert mileage(ctx, a, dt.date(2025, 5, 14), 10).claim.amount_pence == 450
    assert mileage(ctx, b, dt.date(2025, 5, 5), 10).claim.amount_pence == 450


def test_earlier_journeys_entered_later_count_only_for_later_claims(ctx):
    pid = make_person(ctx)
    late = mileage(ctx, pid, dt.date(2025, 9, 1), 100)
    assert late.claim.amount_pence == 4500
    assert build_up(ctx, pid, 9_990, dt.date(2025, 5, 1)) == 9_990 * 45  # all before it
    # The September claim keeps its amount until it is edited; then it is worked out again.
    again = expenses.update_claim(ctx, late.claim.id, expected_version=late.claim.version, kind="mileage",
                                  incurred_on=dt.date(2025, 9, 1), miles_tenths=1000)
    assert again.claim.amount_pence == 10 * 45 + 90 * 25


@given(st.integers(1, 20_000), st.integers(0, 8), st.integers(0, 120_000))
def test_mileage_pays_each_tenth_of_a_mile_once_at_one_rate(tenths, passengers, earlier):
    s = Settings()
    q = expenses.mileage_amount(tenths, passengers, earlier, s, dt.date(2025, 5, 1))
    assert q.full_rate_tenths + q.reduced_rate_tenths == tenths
    assert q.full_rate_tenths == max(0, min(tenths, 100_000 - earlier))
    low = tenths * (25 + 5 * passengers)
    high = tenths * (45 + 5 * passengers)
    assert (low + 5) // 10 <= q.amount_pence <= (high + 5) // 10
    if earlier >= 100_000:
        assert q.full_rate_tenths == 0


def test_the_rates_are_office_settings(ctx):
    office_settings.update(ctx, mileage_rate_pence=50, mileage_threshold_miles=100)
    pid = make_person(ctx)
    assert mileage(ctx, pid, dt.date(2025, 5, 1), 120).claim.amount_pence == 100 * 50 + 20 * 25


@pytest.mark.parametrize("text,tenths", [("12.5", 125), ("12", 120), ("1,000", 10000), ("0.1", 1),
                                         ("12 miles", 120)])
def test_miles_are_read_exactly(text, tenths):
    assert expenses.parse_miles(text) == tenths


@pytest.mark.parametrize("text", ["", "0", "-3", "1.25", "lots", "NaN", "Infinity", "2001"])
def test_bad_miles_are_refused(text):
    with pytest.raises(ValidationError):
        expenses.parse_miles(text)


# -- other kinds ---------------------------------------------------------------------------------------------
def test_a_dbs_fee_defaults_from_the_fee_table_and_can_be_changed(ctx):
    pid = make_person(ctx)
    claim = expenses.submit_claim(ctx, person_id=pid, kind="dbs_fee", incurred_on=dt.date(2026, 5, 1),
                                  level="enhanced").claim
    assert claim.amount_pence == 4950
    office_settings.update(ctx, dbs_fee_standard_pence=2600)
    assert expenses.dbs_fee_default(ctx, "standard") == 2600
    edited = expenses.submit_claim(ctx, person_id=pid, kind="dbs_fee", incurred_on=dt.date(2026, 5, 1),
                                   level="enhanced", amount_pence=5400).claim
    assert edited.amount_pence == 5400


def test_an_involvement_payment_comes_with_the_benefits_and_dbs_warning(ctx):
    pid = make_person(ctx)
    saved = expenses.submit_claim(ctx, person_id=pid, kind="involvement_payment", incurred_on=dt.date(2026, 5, 1),
                                  amount_pence=2500, description="Focus group")
    assert saved.claim.kind is ExpenseKind.INVOLVEMENT_PAYMENT
    assert len(saved.warnings) == 1 and "benefits" in saved.warnings[0] and "DBS" in saved.warnings[0]
    parking = expenses.submit_claim(ctx, person_id=pid, kind="parking", incurred_on=dt.date(2026, 5, 1),
                                    amount_pence=450)
    assert parking.warnings == []


@pytest.mark.parametrize("kwargs,message", [
    ({"kind": "parking", "amount_pence": 0}, "more than £0.00"),
    ({"kind": "parking", "amount_pence": None}, "Enter the amount"),
    ({"kind": "parking", "amount_pence": 2_000_000}, "check the amount"),
    ({"kind": "parking", "amount_pence": 100, "incurred_on": dt.date(2026, 6, 2)}, "future"),
    ({"kind": "mileage"}, "miles"),
    ({"kind": "mileage", "miles_tenths": 100, "passengers": 9}, "Passengers"),
    ({"kind": "taxi", "amount_pence": 100}, "Unknown kind"),
])
def test_bad_claims_are_refused_with_one_message(ctx, kwargs, message):
    pid = make_person(ctx)
    args = {"person_id": pid, "incurred_on": dt.date(2026, 5, 1)} | kwargs
    with pytest.raises(UserError, match=message):
        expenses.submit_claim(ctx, **args)
    assert expenses.claims_for(ctx, pid) == []


# -- the life of a claim -------------------------------------------------------------------------------------------
def test_submitted_approved_paid_or_rejected_with_who_and_when(ctx):
    coordinator = as_role(ctx, "coordinator")
    pid = make_person(ctx)
    c = expenses.submit_claim(coordinator, person_id=pid, kind="public_transport", incurred_on=dt.date(2026, 5, 1),
                              amount_pence=1230).claim
    assert c.status is ExpenseStatus.SUBMITTED and c.submitted_on == dt.date(2026, 6, 1)
    with pytest.raises(UserError, match="cannot be marked paid"):
        expenses.mark_paid(coordinator, c.id, expected_version=c.version)
    c = expenses.approve(coordinator, c.id, expected_version=c.version)
    assert c.status is ExpenseStatus.APPROVED and c.approved_by == "Test Coordinator"
    assert c.status_text == "Approved by Test Coordinator on 01/06/2026"
    with pytest.raises(UserError, match="only a submitted claim can be changed"):
        expenses.update_claim(coordinator, c.id, expected_version=c.version, kind="parking",
                              incurred_on=dt.date(2026, 5, 1), amount_pence=1)
    c = expenses.mark_paid(coordinator, c.id, dt.date(2026, 6, 1), expected_version=c.version)
    assert c.status is ExpenseStatus.PAID and c.paid_on == dt.date(2026, 6, 1)
    with pytest.raises(UserError, match="cannot be rejected"):
        expenses.reject(coordinator, c.id, "Too late", expected_version=c.version)
    other = expenses.submit_claim(coordinator, person_id=pid, kind="parking", incurred_on=dt.date(2026, 5, 1),
                                  amount_pence=300).claim
    with pytest.raises(ValidationError, match="Say why"):
        expenses.reject(coordinator, other.id, "  ")
    other = expenses.reject(coordinator, other.id, "No receipt", expected_version=other.version)
    assert other.status_text == "Rejected: No receipt"
    with unit_of_work(ctx, readonly=True) as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "expense_claim")).all()
    assert actions == ["expense.create", "expense.approved", "expense.marked_paid", "expense.create",
                       "expense.rejected"]


def test_a_second_approval_from_a_stale_screen_is_refused(ctx):
    pid = make_person(ctx)
    c = expenses.submit_claim(ctx, person_id=pid, kind="parking", incurred_on=dt.date(2026, 5, 1),
                              amount_pence=300).claim
    expenses.approve(ctx, c.id, expected_version=c.version)
    with pytest.raises(ConflictError):
        expenses.approve(ctx, c.id, expected_version=c.version)


def test_a_viewer_cannot_make_or_approve_claims(ctx):
    pid = make_person(ctx)
    viewer = as_role(ctx, "viewer")
    with pytest.raises(PermissionDenied):
        expenses.submit_claim(viewer, person_id=pid, kind="parking", incurred_on=dt.date(2026, 5, 1),
                              amount_pence=300)
    c = expenses.submit_claim(ctx, person_id=pid, kind="parking", incurred_on=dt.date(2026, 5, 1),
                              amount_pence=300).claim
    with pytest.raises(PermissionDenied):
        expenses.approve(viewer, c.id)
    with pytest.raises(PermissionDenied):
        expenses.export_finance(viewer, ctx.paths.reports_dir / "x.xlsx")


# -- totals and the export ------------------------------------------------------------------------------------------
@pytest.fixture
def some_claims(ctx):
    a = make_person(ctx, "Asha", "Patel")
    b = make_person(ctx, "Ben", "Ward")
    c1 = expenses.submit_claim(ctx, person_id=a, kind="parking", incurred_on=dt.date(2026, 4, 3),
                               amount_pence=333, description="=HYPERLINK(\"http://x\",\"click\")").claim
    c2 = mileage(ctx, a, dt.date(2026, 4, 20), 10).claim
    c3 = expenses.submit_claim(ctx, person_id=b, kind="subsistence", incurred_on=dt.date(2026, 5, 2),
                               amount_pence=799).claim
    c4 = expenses.submit_claim(ctx, person_id=b, kind="other", incurred_on=dt.date(2026, 5, 3),
                               amount_pence=10_000).claim
    expenses.approve(ctx, c2.id)
    expenses.reject(ctx, c4.id, "Not an expense")
    return a, b, [c1, c2, c3, c4]


def test_totals_per_person_and_per_month_leave_out_rejected_claims(ctx, some_claims):
    a, b, _claims = some_claims
    t = expenses.totals(ctx)
    assert t.overall.total_pence == 333 + 450 + 799 and t.rejected == 1
    assert {line.label: line.total_pence for line in t.by_person} == {"Asha Patel": 783, "Ben Ward": 799}
    assert [(m.label, m.total_pence) for m in t.by_month] == [("April 2026", 783), ("May 2026", 799)]
    asha = next(x for x in t.by_person if x.label == "Asha Patel")
    assert (asha.submitted_pence, asha.approved_pence, asha.paid_pence) == (333, 450, 0)
    may = expenses.totals(ctx, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))
    assert may.overall.total_pence == 799 and may.rejected == 1
    assert expenses.totals(ctx, person_id=a).overall.claims == 2
    with pytest.raises(ValidationError, match="before its start"):
        expenses.totals(ctx, start=dt.date(2026, 5, 1), end=dt.date(2026, 4, 1))


def test_the_finance_export_is_exact_marked_formula_safe_and_has_totals(ctx, some_claims, tmp_path):
    out = tmp_path / "finance.xlsx"
    res = expenses.export_finance(ctx, out, start=dt.date(2026, 4, 1), end=dt.date(2026, 5, 31))
    assert res.rows == 4 and res.total_pence == 1582
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Claims", "Totals by person", "Totals by month", "Totals by kind", "About this export"]
    ws = wb["Claims"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Claim", "Claimant", "Person id", "Kind"]
    amount_col = header.index("Amount") + 1
    assert [ws.cell(r, amount_col).value for r in range(2, 6)] == [pytest.approx(3.33), pytest.approx(4.5),
                                                                   pytest.approx(7.99), pytest.approx(100)]
    assert ws.cell(2, amount_col).number_format == '"£"#,##0.00'
    desc = ws.cell(2, header.index("Description") + 1)
    assert desc.value.startswith("=HYPERLINK") and desc.data_type == "s"  # text, never a formula
    total_row = [c.value for c in ws[ws.max_row]]
    assert ws.max_row == 6  # straight below the four claims
    assert total_row[1].startswith("Total") and total_row[amount_col - 1] == pytest.approx(15.82)
    assert "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text
    months = wb["Totals by month"]
    assert [months.cell(r, 1).value for r in range(2, 5)] == ["April 2026", "May 2026", "All claims"]
    about = wb["About this export"]
    assert about["A1"].value == "OFFICIAL-SENSITIVE"
    with unit_of_work(ctx, readonly=True) as s:
        assert s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "export")).startswith("finance export")
    with pytest.raises(UserError, match=r"\.xlsx"):
        expenses.export_finance(ctx, tmp_path / "finance.csv")


def test_the_expenses_list_filters_by_period_and_shows_miles(ctx, some_claims):
    rows = list_page(ctx, "expenses", filters={"from": "2026-04-06", "to": "30/04/2026"}).rows
    assert [r["miles"] for r in rows] == [10.0]
    assert rows[0]["miles_tenths"] == 100 and rows[0]["approved_by"] is None
    with pytest.raises(UserError, match="is not a date"):
        list_page(ctx, "expenses", filters={"from": "soon"})
