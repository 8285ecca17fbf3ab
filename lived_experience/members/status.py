"""Term status and DBS status, computed when read, never stored."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, case, literal, or_

from db.enums import DbsDecision, DbsStatus, TermStatus
from db.models import MembershipTerm as T
from lived_experience.core import clock


def term_end(starts_on: dt.date, months: int = 18) -> dt.date:
    """The last day of a term: start + N months - 1 day.

    relativedelta clips to the month end, so a term from 31/08/2025 runs to
    27/02/2027 (28/02/2027 is 18 months on, less a day), and one from
    29/02/2028 runs to 28/08/2029.
    """
    return starts_on + relativedelta(months=months) - dt.timedelta(days=1)


def term_status(starts_on: dt.date, ends_on: dt.date, override: str | None = None,
                override_from: dt.date | None = None, *, today: dt.date | None = None,
                ending_soon_days: int = 90) -> TermStatus:
    """The term's status on ``today``: an override counts from its date; a pause ends with the term."""
    today = today or clock.today()
    override_live = override and (override_from is None or override_from <= today)
    if override_live and not (override == TermStatus.PAUSED and today > ends_on):
        return TermStatus(override)
    if today < starts_on:
        return TermStatus.UPCOMING
    if today > ends_on:
        return TermStatus.ENDED
    if (ends_on - today).days < ending_soon_days:
        return TermStatus.ENDING_SOON
    return TermStatus.ACTIVE


def term_status_sql(today: dt.date | None = None, ending_soon_days: int = 90):
    today = today or clock.today()
    t = literal(today)
    soon = literal(today + dt.timedelta(days=ending_soon_days))
    override_live = and_(T.override.is_not(None), or_(T.override_from.is_(None), T.override_from <= t),
                         or_(T.override != TermStatus.PAUSED.value, T.ends_on >= t))
    return case(
        (override_live, T.override),
        (T.starts_on > t, TermStatus.UPCOMING.value),
        (T.ends_on < t, TermStatus.ENDED.value),
        (T.ends_on < soon, TermStatus.ENDING_SOON.value),
        else_=TermStatus.ACTIVE.value,
    )


def is_active_on(day: dt.date):
    """SQL: the term counts towards the cap of active members on ``day``."""
    d = literal(day)
    not_overridden = or_(T.override.is_(None), T.override == "paused", T.override_from > d)
    return and_(T.starts_on <= d, T.ends_on >= d, not_overridden)


def dbs_status(check, *, today: dt.date | None = None, recheck_years: int = 3) -> DbsStatus:
    """A member's DBS position from their latest check (or None)."""
    today = today or clock.today()
    if check is None:
        return DbsStatus.NONE
    if check.decision == DbsDecision.NOT_ACCEPTED:
        return DbsStatus.NOT_ACCEPTED
    if check.decision in (DbsDecision.CLEAR, DbsDecision.CLEAR_WITH_DISCLOSURE):
        if check.issue_date is not None and check.issue_date + relativedelta(years=recheck_years) <= today:
            return DbsStatus.RENEWAL_IN_PROGRESS if check.renewal_in_progress else DbsStatus.RECHECK_DUE
        return DbsStatus.CLEARED
    if check.certificate_number or check.issue_date:
        return DbsStatus.AWAITING_DECISION
    if check.requested_on:
        return DbsStatus.REQUESTED
    return DbsStatus.NONE


def dbs_is_cleared(status: DbsStatus) -> bool:
    """Cleared for taking part (a recheck under way still counts as cleared)."""
    return status in (DbsStatus.CLEARED, DbsStatus.RENEWAL_IN_PROGRESS)


def effective_check(checks):
    """The check that decides a member's DBS position, from all their checks (any order).

    Normally the newest. While a renewal is under way (the last decided check is
    flagged ``renewal_in_progress`` and a newer check has no decision yet), the
    decided check still stands: the member stays cleared and the recheck
    reminder stays paused until the new certificate is decided.
    """
    ordered = sorted(checks, key=lambda c: c.id)
    if not ordered:
        return None
    newest = ordered[-1]
    if newest.decision is None:
        decided = [c for c in ordered if c.decision is not None]
        if decided and decided[-1].renewal_in_progress and decided[-1].decision != DbsDecision.NOT_ACCEPTED:
            return decided[-1]
    return newest


def dbs_flag(status: DbsStatus) -> str | None:
    """Words for a member whose DBS check is not cleared (None when it is)."""
    if dbs_is_cleared(status):
        return None
    return {
        DbsStatus.RECHECK_DUE: "DBS recheck due",
        DbsStatus.AWAITING_DECISION: "DBS decision not yet made",
        DbsStatus.REQUESTED: "DBS certificate not yet received",
        DbsStatus.NOT_ACCEPTED: "DBS check not accepted",
        DbsStatus.NONE: "No DBS check",
    }.get(status, f"DBS: {status.label}")
