"""Expense claims (and involvement payments), in whole pence.

Kinds (``db.enums.ExpenseKind``): DBS certificate fee (defaulting from the
office's fee table by level, editable), mileage (HMRC approved rates from the
settings: 45p a mile for the first 10,000 miles in the tax year, 25p after,
plus 5p a passenger a mile), public transport, parking, childcare or carer
costs, subsistence, other; and involvement payments, a separate kind that
comes with a warning.

A claim moves submitted -> approved (by whom, when) -> paid (date), or is
rejected (with the reason). Totals per person and per period; an Excel
workbook for finance.

Mileage: the tax year runs 6 April to 5 April. A claim's amount takes account
of the miles the person already claimed earlier in that tax year (claims
dated earlier, and earlier claims on the same day; rejected claims do not
count), so a journey that crosses 10,000 miles is paid partly at each rate.
The amount is fixed when the claim is made or edited: a claim entered later
for an earlier date does not change claims already made.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from db.enums import DbsLevel, ExpenseKind, ExpenseStatus
from db.models import DbsCheck, ExpenseClaim, Meeting, Person, StaffUser
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import pounds, uk_date, uk_datetime
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.members.dbs import fee_for_level
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import Settings
from lived_experience.settings import load as load_settings

INVOLVEMENT_WARNING = (
    "An involvement payment is money beyond expenses. It can affect a member's welfare benefits (they "
    "should check with their benefits adviser or Jobcentre before accepting it), and someone paid for "
    "their involvement may no longer count as a volunteer for their DBS check (a volunteer check is "
    "free; the check for a paid role is not). Follow the office's payment policy."
)
MAX_AMOUNT_PENCE = 1_000_000  # £10,000: anything larger is a typing mistake
MAX_MILES_TENTHS = 20_000  # 2,000 miles in one claim
MAX_PASSENGERS = 8
MAX_TEXT = 300


# -- the tax year and mileage ----------------------------------------------------------------------
def tax_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The UK tax year holding ``day``: 6 April to 5 April."""
    start_year = day.year if day >= dt.date(day.year, 4, 6) else day.year - 1
    return dt.date(start_year, 4, 6), dt.date(start_year + 1, 4, 5)


def tax_year_label(day: dt.date) -> str:
    start, _end = tax_year(day)
    return f"{start.year}-{str(start.year + 1)[-2:]}"


def parse_miles(text) -> int:
    """'12.5' -> 125 (tenths of a mile). Exact: no floating point."""
    raw = str(text or "").strip().replace(",", "")
    if raw.lower().endswith("miles"):
        raw = raw[:-5].strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"'{text}' is not a number of miles.", {"miles": "Not a number."}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError("Enter the miles travelled (more than 0).", {"miles": "Needed."})
    if value.as_tuple().exponent < -1:
        raise ValidationError("Give miles to one decimal place at most (for example 12.5).",
                              {"miles": "Too many decimals."})
    tenths = int(value * 10)
    if tenths > MAX_MILES_TENTHS:
        raise ValidationError(f"{value} miles in one claim is more than {MAX_MILES_TENTHS // 10:,}: check the "
                              "number.", {"miles": "Too many."})
    return tenths


def miles_text(tenths: int | None) -> str:
    if tenths is None:
        return ""
    return f"{tenths // 10:,}.{tenths % 10}"


@dataclass(frozen=True)
class MileageQuote:
    tax_year_start: dt.date
    tax_year_end: dt.date
    earlier_tenths: int  # already claimed earlier in the tax year
    full_rate_tenths: int
    reduced_rate_tenths: int
    passengers: int
    rate_pence: int
    reduced_rate_pence: int
    passenger_rate_pence: int
    amount_pence: int

    @property
    def explanation(self) -> str:
        parts = [f"{miles_text(self.full_rate_tenths)} miles at {self.rate_pence}p"]
        if self.reduced_rate_tenths:
            parts.append(f"{miles_text(self.reduced_rate_tenths)} miles at {self.reduced_rate_pence}p")
        if self.passengers:
            miles = self.full_rate_tenths + self.reduced_rate_tenths
            parts.append(f"{self.passengers} {'passenger' if self.passengers == 1 else 'passengers'} x "
                         f"{miles_text(miles)} miles at {self.passenger_rate_pence}p")
        year = f"{self.tax_year_start.year}-{str(self.tax_year_start.year + 1)[-2:]}"
        return (f"{pounds(self.amount_pence)}: " + " + ".join(parts)
                + f". {miles_text(self.earlier_tenths)} miles already claimed in the {year} tax year.")


def mileage_amount(miles_tenths: int, passengers: int, earlier_tenths: int, settings: Settings,
                   day: dt.date) -> MileageQuote:
    """The HMRC approved amount for a journey, given the miles already claimed in the tax year."""
    threshold = settings.mileage_threshold_miles * 10
    full = max(0, min(miles_tenths, threshold - earlier_tenths))
    reduced = miles_tenths - full
    # Tenths of a mile x pence a mile = tenths of a penny; round half up to whole pence.
    tenth_pence = (full * settings.mileage_rate_pence + reduced * settings.mileage_rate_after_pence
                   + miles_tenths * passengers * settings.passenger_rate_pence)
    start, end = tax_year(day)
    return MileageQuote(start, end, earlier_tenths, full, reduced, passengers, settings.mileage_rate_pence,
                        settings.mileage_rate_after_pence, settings.passenger_rate_pence, (tenth_pence + 5) // 10)


def miles_claimed_before(session: Session, person_id: int, day: dt.date, *,
                         claim_id: int | None = None) -> int:
    """Tenths of a mile the person claimed in ``day``'s tax year before this claim (not rejected)."""
    start, _end = tax_year(day)
    earlier_same_day = ExpenseClaim.incurred_on == day
    if claim_id is not None:
        earlier_same_day = and_(earlier_same_day, ExpenseClaim.id < claim_id)
    rows = session.scalars(
        select(ExpenseClaim.miles_tenths).where(
            ExpenseClaim.person_id == person_id, ExpenseClaim.kind == ExpenseKind.MILEAGE.value,
            ExpenseClaim.status != ExpenseStatus.REJECTED.value, ExpenseClaim.miles_tenths.is_not(None),
            ExpenseClaim.incurred_on >= start,
            or_(ExpenseClaim.incurred_on < day, earlier_same_day),
            *([ExpenseClaim.id != claim_id] if claim_id is not None else []))
    )
    return sum(r or 0 for r in rows)


def quote_mileage(ctx: AppContext, person_id: int, incurred_on: dt.date, miles_tenths: int,
                  passengers: int = 0, *, claim_id: int | None = None) -> MileageQuote:
    """What a mileage claim would pay (for the form's live preview)."""
    require(ctx, Perm.READ, entity="expense_claim")
    settings = load_settings(ctx)
    _check_passengers(passengers)
    with unit_of_work(ctx, readonly=True) as s:
        earlier = miles_claimed_before(s, person_id, incurred_on, claim_id=claim_id)
    return mileage_amount(miles_tenths, passengers, earlier, settings, incurred_on)


def dbs_fee_default(ctx: AppContext, level: DbsLevel | str) -> int:
    """The fee table's amount for a level (pence); the claim form may change it."""
    fee = fee_for_level(load_settings(ctx), level)
    if fee is None:
        raise ValidationError("Choose the level of the DBS check to fill in its fee.")
    return fee


# -- views -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimView:
    id: int
    person_id: int
    person_name: str
    kind: ExpenseKind
    incurred_on: dt.date
    description: str | None
    miles_tenths: int | None
    passengers: int | None
    amount_pence: int
    status: ExpenseStatus
    submitted_on: dt.date
    approved_by: str | None
    approved_on: dt.date | None
    paid_on: dt.date | None
    rejected_reason: str | None
    meeting_id: int | None
    meeting_title: str | None
    dbs_check_id: int | None
    version: int
    full_name: str = ""  # the name payments are made in (person_name is the name they are known by)
    quiet_until: dt.date | None = None  # the claimant is in a quiet period today: tell them nothing until after

    @property
    def contact_note(self) -> str | None:
        """What to tell the user when the claimant must not be contacted now (None when they may be)."""
        if self.quiet_until is None:
            return None
        return (f"{self.person_name} is in a quiet period until {uk_date(self.quiet_until)}: do not write to, "
                "phone, email or text them about this claim before then. The payment itself can go ahead.")

    @property
    def status_text(self) -> str:
        if self.status is ExpenseStatus.APPROVED:
            return f"Approved by {self.approved_by or 'unknown'} on {uk_date(self.approved_on)}"
        if self.status is ExpenseStatus.PAID:
            return f"Paid on {uk_date(self.paid_on)}"
        if self.status is ExpenseStatus.REJECTED:
            return f"Rejected: {self.rejected_reason}"
        return f"Submitted on {uk_date(self.submitted_on)}"


@dataclass(frozen=True)
class SavedClaim:
    claim: ClaimView
    warnings: list[str]
    quote: MileageQuote | None


def _views(session: Session, claims: list[ExpenseClaim]) -> list[ClaimView]:
    pids = {c.person_id for c in claims}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(pids)))} if pids else {}
    sids = {c.approved_by_id for c in claims if c.approved_by_id}
    staff = dict(session.execute(select(StaffUser.id, StaffUser.display_name)
                                 .where(StaffUser.id.in_(sids))).all()) if sids else {}
    mids = {c.meeting_id for c in claims if c.meeting_id}
    meetings = dict(session.execute(select(Meeting.id, Meeting.title).where(Meeting.id.in_(mids))).all()) if mids else {}
    from lived_experience.members.contact import quiet_holds

    quiet = {h.person_id: h.until for h in quiet_holds(session, pids)}
    return [
        ClaimView(c.id, c.person_id, people[c.person_id].known_as if c.person_id in people else "",
                  ExpenseKind(c.kind), c.incurred_on, c.description, c.miles_tenths, c.passengers, c.amount_pence,
                  ExpenseStatus(c.status), c.submitted_on, staff.get(c.approved_by_id), c.approved_on, c.paid_on,
                  c.rejected_reason, c.meeting_id, meetings.get(c.meeting_id), c.dbs_check_id, c.version,
                  people[c.person_id].full_name if c.person_id in people else "", quiet.get(c.person_id))
        for c in claims
    ]


def claims_for(ctx: AppContext, person_id: int) -> list[ClaimView]:
    require(ctx, Perm.READ, entity="expense_claim")
    with unit_of_work(ctx, readonly=True) as s:
        get_or_404(s, Person, person_id, "person")
        claims = list(s.scalars(select(ExpenseClaim).where(ExpenseClaim.person_id == person_id)
                                .order_by(ExpenseClaim.incurred_on.desc(), ExpenseClaim.id.desc())))
        return _views(s, claims)


def get_claim(ctx: AppContext, claim_id: int) -> ClaimView:
    require(ctx, Perm.READ, entity="expense_claim", entity_id=claim_id)
    with unit_of_work(ctx, readonly=True) as s:
        return _views(s, [get_or_404(s, ExpenseClaim, claim_id, "expense claim")])[0]


# -- making and changing claims ----------------------------------------------------------------------
def _check_passengers(passengers) -> int:
    try:
        n = int(passengers or 0)
    except (TypeError, ValueError):
        raise ValidationError("Passengers must be a whole number.", {"passengers": "Not a number."}) from None
    if not 0 <= n <= MAX_PASSENGERS:
        raise ValidationError(f"Passengers must be between 0 and {MAX_PASSENGERS}.", {"passengers": "Out of range."})
    return n


def _clean(session: Session, settings: Settings, *, person_id: int, kind, incurred_on, description,
           amount_pence, miles_tenths, passengers, meeting_id, dbs_check_id, level, claim_id=None) -> dict:
    try:
        kind = ExpenseKind.parse(kind)
    except ValueError as exc:
        raise ValidationError(f"Unknown kind of expense: {exc}") from None
    if incurred_on is None:
        raise ValidationError("Enter the date the cost was incurred.", {"incurred_on": "Needed."})
    if incurred_on > clock.today():
        raise ValidationError("A claim cannot be for a date in the future.", {"incurred_on": "In the future."})
    description = " ".join((description or "").split()) or None
    if description and len(description) > MAX_TEXT:
        raise ValidationError(f"The description is longer than {MAX_TEXT} characters.")
    person = get_or_404(session, Person, person_id, "person")
    if person.anonymised_at is not None:
        raise UserError("This person's record has been anonymised: no new claims can be made for them.")
    if meeting_id is not None and session.get(Meeting, meeting_id) is None:
        raise UserError(f"There is no meeting with id {meeting_id}.")
    if dbs_check_id is not None:
        check = session.get(DbsCheck, dbs_check_id)
        if check is None or check.person_id != person_id:
            raise UserError("That DBS check is not this person's.")
    quote = None
    values: dict = {"kind": kind.value, "incurred_on": incurred_on, "description": description,
                    "meeting_id": meeting_id, "dbs_check_id": dbs_check_id, "miles_tenths": None, "passengers": None}
    if kind is ExpenseKind.MILEAGE:
        if miles_tenths is None:
            raise ValidationError("Enter the miles travelled.", {"miles": "Needed."})
        miles_tenths = int(miles_tenths)
        if not 0 < miles_tenths <= MAX_MILES_TENTHS:
            raise ValidationError(f"The miles must be more than 0 and at most {MAX_MILES_TENTHS // 10:,}.",
                                  {"miles": "Out of range."})
        n = _check_passengers(passengers)
        earlier = miles_claimed_before(session, person_id, incurred_on, claim_id=claim_id)
        quote = mileage_amount(miles_tenths, n, earlier, settings, incurred_on)
        values.update(miles_tenths=miles_tenths, passengers=n, amount_pence=quote.amount_pence)
    else:
        if amount_pence is None and kind is ExpenseKind.DBS_FEE:
            if level is None and dbs_check_id is not None:
                level = session.get(DbsCheck, dbs_check_id).level
            amount_pence = fee_for_level(settings, level) if level else None
        if amount_pence is None:
            raise ValidationError("Enter the amount.", {"amount": "Needed."})
        amount_pence = int(amount_pence)
        if amount_pence <= 0:
            raise ValidationError("The amount must be more than £0.00.", {"amount": "Must be more than 0."})
        values["amount_pence"] = amount_pence
    if values["amount_pence"] > MAX_AMOUNT_PENCE:
        raise ValidationError(f"{pounds(values['amount_pence'])} is more than {pounds(MAX_AMOUNT_PENCE)} for one "
                              "claim: check the amount.", {"amount": "Too large."})
    return values | {"_quote": quote}


def _warnings(view: ClaimView) -> list[str]:
    out = [INVOLVEMENT_WARNING] if view.kind is ExpenseKind.INVOLVEMENT_PAYMENT else []
    if view.contact_note:
        out.append(view.contact_note)
    return out


def submit_claim(ctx: AppContext, *, person_id: int, kind: ExpenseKind | str, incurred_on: dt.date,
                 description: str | None = None, amount_pence: int | None = None,
                 miles_tenths: int | None = None, passengers: int | None = 0, meeting_id: int | None = None,
                 dbs_check_id: int | None = None, level: DbsLevel | str | None = None) -> SavedClaim:
    """Record a new claim (status: submitted). Mileage amounts are worked out, not typed."""
    require(ctx, Perm.WRITE, entity="expense_claim")
    settings = load_settings(ctx)
    with unit_of_work(ctx) as s:
        values = _clean(s, settings, person_id=person_id, kind=kind, incurred_on=incurred_on,
                        description=description, amount_pence=amount_pence, miles_tenths=miles_tenths,
                        passengers=passengers, meeting_id=meeting_id, dbs_check_id=dbs_check_id, level=level)
        quote = values.pop("_quote")
        c = ExpenseClaim(person_id=person_id, status=ExpenseStatus.SUBMITTED.value, submitted_on=clock.today(),
                         **values)
        s.add(c)
        s.flush()
        audit.record(s, ctx.actor, "expense.create", entity="expense_claim", entity_id=c.id,
                     subject_person_id=person_id, fields=[k for k, v in values.items() if v is not None])
        view = _views(s, [c])[0]
        return SavedClaim(view, _warnings(view), quote)


def update_claim(ctx: AppContext, claim_id: int, *, expected_version: int | None, kind: ExpenseKind | str,
                 incurred_on: dt.date, description: str | None = None, amount_pence: int | None = None,
                 miles_tenths: int | None = None, passengers: int | None = 0, meeting_id: int | None = None,
                 dbs_check_id: int | None = None, level: DbsLevel | str | None = None) -> SavedClaim:
    """Correct a claim that has not been approved yet."""
    require(ctx, Perm.WRITE, entity="expense_claim", entity_id=claim_id)
    settings = load_settings(ctx)
    with unit_of_work(ctx) as s:
        c = get_or_404(s, ExpenseClaim, claim_id, "expense claim")
        check_version(s, c, expected_version, "expense claim")
        if c.status != ExpenseStatus.SUBMITTED.value:
            raise UserError(f"This claim is {ExpenseStatus(c.status).label.lower()}: only a submitted claim can be "
                            "changed.")
        values = _clean(s, settings, person_id=c.person_id, kind=kind, incurred_on=incurred_on,
                        description=description, amount_pence=amount_pence, miles_tenths=miles_tenths,
                        passengers=passengers, meeting_id=meeting_id, dbs_check_id=dbs_check_id, level=level,
                        claim_id=c.id)
        quote = values.pop("_quote")
        changed = [k for k, v in values.items() if getattr(c, k) != v]
        for k, v in values.items():
            setattr(c, k, v)
        s.flush()
        if changed:
            audit.record(s, ctx.actor, "expense.change", entity="expense_claim", entity_id=c.id,
                         subject_person_id=c.person_id, fields=changed)
        view = _views(s, [c])[0]
        return SavedClaim(view, _warnings(view), quote)


def _move(ctx: AppContext, claim_id: int, expected_version: int | None, action: str, allowed_from: tuple,
          apply: Callable[[ExpenseClaim], list[str]]) -> ClaimView:
    require(ctx, Perm.WRITE, entity="expense_claim", entity_id=claim_id)
    with unit_of_work(ctx) as s:
        c = get_or_404(s, ExpenseClaim, claim_id, "expense claim")
        check_version(s, c, expected_version, "expense claim")
        if c.status not in [x.value for x in allowed_from]:
            raise UserError(f"This claim is {ExpenseStatus(c.status).label.lower()}, so it cannot be {action}: only a "
                            + " or ".join(x.label.lower() for x in allowed_from) + " claim can.")
        fields = apply(c)
        s.flush()
        audit.record(s, ctx.actor, f"expense.{action.replace(' ', '_')}", entity="expense_claim", entity_id=c.id,
                     subject_person_id=c.person_id, fields=fields)
        return _views(s, [c])[0]


def approve(ctx: AppContext, claim_id: int, *, expected_version: int | None = None) -> ClaimView:
    def apply(c: ExpenseClaim) -> list[str]:
        c.status = ExpenseStatus.APPROVED.value
        c.approved_by_id = ctx.actor.id
        c.approved_on = clock.today()
        return ["status", "approved_by_id", "approved_on"]

    return _move(ctx, claim_id, expected_version, "approved", (ExpenseStatus.SUBMITTED,), apply)


def mark_paid(ctx: AppContext, claim_id: int, paid_on: dt.date | None = None, *,
              expected_version: int | None = None) -> ClaimView:
    paid_on = paid_on or clock.today()
    if paid_on > clock.today():
        raise ValidationError("The payment date cannot be in the future.", {"paid_on": "In the future."})

    def apply(c: ExpenseClaim) -> list[str]:
        if c.approved_on and paid_on < c.approved_on:
            raise ValidationError(f"The payment date cannot be before the claim was approved "
                                  f"({uk_date(c.approved_on)}).", {"paid_on": "Before approval."})
        c.status = ExpenseStatus.PAID.value
        c.paid_on = paid_on
        return ["status", "paid_on"]

    return _move(ctx, claim_id, expected_version, "marked paid", (ExpenseStatus.APPROVED,), apply)


def reject(ctx: AppContext, claim_id: int, reason: str, *, expected_version: int | None = None) -> ClaimView:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Say why the claim is rejected (the claimant will be told).", {"reason": "Needed."})
    if len(reason) > MAX_TEXT:
        raise ValidationError(f"The reason is longer than {MAX_TEXT} characters.")

    def apply(c: ExpenseClaim) -> list[str]:
        c.status = ExpenseStatus.REJECTED.value
        c.rejected_reason = reason
        return ["status", "rejected_reason"]

    return _move(ctx, claim_id, expected_version, "rejected", (ExpenseStatus.SUBMITTED, ExpenseStatus.APPROVED),
                 apply)


# -- totals and the finance export ------------------------------------------------------------------------
@dataclass(frozen=True)
class TotalsLine:
    key: str
    label: str
    claims: int
    submitted_pence: int
    approved_pence: int
    paid_pence: int

    @property
    def total_pence(self) -> int:
        return self.submitted_pence + self.approved_pence + self.paid_pence


@dataclass(frozen=True)
class Totals:
    start: dt.date | None
    end: dt.date | None
    by_person: list[TotalsLine]
    by_month: list[TotalsLine]
    by_kind: list[TotalsLine]
    overall: TotalsLine
    rejected: int  # rejected claims are left out of every total


def _period_filter(start: dt.date | None, end: dt.date | None) -> list:
    if start and end and end < start:
        raise ValidationError("The end of the period is before its start.")
    conds = []
    if start:
        conds.append(ExpenseClaim.incurred_on >= start)
    if end:
        conds.append(ExpenseClaim.incurred_on <= end)
    return conds


def _claims_in(session: Session, start, end, person_id=None) -> list[ExpenseClaim]:
    q = select(ExpenseClaim).where(*_period_filter(start, end))
    if person_id is not None:
        q = q.where(ExpenseClaim.person_id == person_id)
    return list(session.scalars(q.order_by(ExpenseClaim.incurred_on, ExpenseClaim.id)))


def _totals(claims: list[ClaimView], start, end, *, full_names: bool = False) -> Totals:
    def line(key, label, items) -> TotalsLine:
        by = defaultdict(int)
        for c in items:
            by[c.status] += c.amount_pence
        return TotalsLine(key, label, len(items), by[ExpenseStatus.SUBMITTED], by[ExpenseStatus.APPROVED],
                          by[ExpenseStatus.PAID])

    live = [c for c in claims if c.status is not ExpenseStatus.REJECTED]
    people: dict[int, list[ClaimView]] = defaultdict(list)
    months: dict[tuple[int, int], list[ClaimView]] = defaultdict(list)
    kinds: dict[ExpenseKind, list[ClaimView]] = defaultdict(list)
    for c in live:
        people[c.person_id].append(c)
        months[(c.incurred_on.year, c.incurred_on.month)].append(c)
        kinds[c.kind].append(c)
    by_person = sorted((line(str(pid), cs[0].full_name if full_names else cs[0].person_name, cs)
                        for pid, cs in people.items()),
                       key=lambda t: (-t.total_pence, t.label))
    by_month = [line(f"{y}-{m:02d}", dt.date(y, m, 1).strftime("%B %Y"), months[(y, m)]) for y, m in sorted(months)]
    by_kind = [line(k.value, k.label, kinds[k]) for k in ExpenseKind if k in kinds]
    return Totals(start, end, by_person, by_month, by_kind, line("all", "All claims", live),
                  len(claims) - len(live))


def totals(ctx: AppContext, *, start: dt.date | None = None, end: dt.date | None = None,
           person_id: int | None = None) -> Totals:
    """Totals per person, per month and per kind for claims incurred in [start, end] (rejected left out)."""
    require(ctx, Perm.READ, entity="expense_claim")
    with unit_of_work(ctx, readonly=True) as s:
        views = _views(s, _claims_in(s, start, end, person_id))
    return _totals(views, start, end)


@dataclass(frozen=True)
class FinanceExport:
    path: Path
    rows: int
    total_pence: int


def export_finance(ctx: AppContext, output: Path, *, start: dt.date | None = None, end: dt.date | None = None,
                   statuses: list[ExpenseStatus | str] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> FinanceExport:
    """An Excel workbook for finance: every claim in the period (a totals row below), totals by
    person, by month and by kind, and an About sheet. Marked; text can never run as a formula."""
    from lived_experience.exporting import xlsx

    require(ctx, Perm.EXPORT, entity="expense_claim")
    output = xlsx.check_output(Path(output), ".xlsx", "finance.xlsx")
    wanted = {ExpenseStatus.parse(x).value for x in statuses} if statuses else None
    settings = load_settings(ctx)
    marking = settings.protective_marking
    with unit_of_work(ctx, readonly=True) as s:
        views = [v for v in _views(s, _claims_in(s, start, end)) if wanted is None or v.status.value in wanted]
    total = len(views)
    summary = _totals(views, start, end, full_names=True)
    cols = [xlsx.SheetColumn("Claim", "int"), xlsx.SheetColumn("Claimant", width=26),
            xlsx.SheetColumn("Person id", "int"), xlsx.SheetColumn("Kind", width=24),
            xlsx.SheetColumn("Date incurred", "date"), xlsx.SheetColumn("Tax year", width=10),
            xlsx.SheetColumn("Description", width=40), xlsx.SheetColumn("Miles", "float"),
            xlsx.SheetColumn("Passengers", "int"), xlsx.SheetColumn("Amount", "money"),
            xlsx.SheetColumn("Status", width=12), xlsx.SheetColumn("Submitted", "date"),
            xlsx.SheetColumn("Approved by", width=22), xlsx.SheetColumn("Approved", "date"),
            xlsx.SheetColumn("Paid", "date"), xlsx.SheetColumn("Rejected because", width=30),
            xlsx.SheetColumn("Meeting", width=30)]

    def rows():
        for v in views:
            yield [v.id, v.full_name, v.person_id, v.kind.label, v.incurred_on, tax_year_label(v.incurred_on),
                   v.description, (Decimal(v.miles_tenths) / 10) if v.miles_tenths is not None else None,
                   v.passengers if v.kind is ExpenseKind.MILEAGE else None, v.amount_pence, v.status.label,
                   v.submitted_on, v.approved_by, v.approved_on, v.paid_on, v.rejected_reason, v.meeting_title]

    wb = xlsx.new_workbook(title="Expenses for finance", marking=marking, author=ctx.actor.display_name)
    ws = xlsx.add_table_sheet(wb, "Claims", cols, rows(), marking=marking, first=True,
                              progress=(lambda n: progress(n, total)) if progress else None)
    # The totals row sits below the table (values, not formulas: nothing in this workbook calculates).
    from openpyxl.styles import Font

    last = total + 2
    xlsx.write_cell(ws, last, 2, "Total (rejected claims left out)").font = Font(bold=True)
    xlsx.write_cell(ws, last, 10, summary.overall.total_pence, "money").font = Font(bold=True)

    tcols = [xlsx.SheetColumn("", width=30), xlsx.SheetColumn("Claims", "int"),
             xlsx.SheetColumn("Submitted", "money"), xlsx.SheetColumn("Approved", "money"),
             xlsx.SheetColumn("Paid", "money"), xlsx.SheetColumn("Total", "money")]

    def totals_rows(lines):
        for t in [*lines, summary.overall]:
            yield [t.label, t.claims, t.submitted_pence, t.approved_pence, t.paid_pence, t.total_pence]

    for title, head, lines in (("Totals by person", "Claimant", summary.by_person),
                               ("Totals by month", "Month", summary.by_month),
                               ("Totals by kind", "Kind", summary.by_kind)):
        tcols[0] = xlsx.SheetColumn(head, width=30)
        xlsx.add_table_sheet(wb, title, list(tcols), totals_rows(lines), marking=marking)
    period = (f"{uk_date(start) or 'the first claim'} to {uk_date(end) or 'the latest claim'}"
              if start or end else "All claims")
    xlsx.add_about_sheet(wb, marking=marking, lines=[
        ("Export", "Expense claims for finance"),
        ("Period (date incurred)", period),
        ("Statuses", ", ".join(ExpenseStatus(x).label for x in sorted(wanted)) if wanted else "All"),
        ("Claims", str(total)),
        ("Total (not rejected)", pounds(summary.overall.total_pence)),
        ("Mileage rates", f"{settings.mileage_rate_pence}p a mile for the first "
                          f"{settings.mileage_threshold_miles:,} miles in the tax year (6 April to 5 April), "
                          f"{settings.mileage_rate_after_pence}p after; {settings.passenger_rate_pence}p a passenger "
                          "a mile"),
        ("Exported", uk_datetime(clock.now())),
        ("Exported by", ctx.actor.display_name),
    ])
    xlsx.save(wb, output)
    with unit_of_work(ctx) as s:
        audit.record(s, ctx.actor, "export", entity="expense_claim",
                     detail=f"finance export: {total} claims to {audit.where(output)}",
                     fields=["person", "kind", "incurred_on", "amount_pence", "status"])
    if progress:
        progress(total, total)
    return FinanceExport(output, total, summary.overall.total_pence)
