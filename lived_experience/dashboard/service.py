"""The dashboard: each rule is a query that yields things needing attention.

Everything is computed when asked, from dates and records: nothing is stored
and nothing goes stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, func, select

from db.enums import ActionStatus, FeedbackStatus, MeetingStatus, Stage, TermStatus
from db.models import (
    Application,
    CommissionedService,
    DbsCheck,
    FeedbackItem,
    Meeting,
    MeetingAction,
    MembershipTerm,
    Person,
    QuietPeriod,
    RecruitmentWindow,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.formatting import uk_date, uk_datetime
from lived_experience.core.uow import unit_of_work
from lived_experience.members.lists import latest_dbs_checks
from lived_experience.members.status import dbs_status, term_status
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import load as load_settings

WAITING_STAGES = (Stage.RECEIVED, Stage.ELIGIBILITY_CHECKED, Stage.SHORTLISTED, Stage.ASSESSED, Stage.OFFERED,
                  Stage.ACCEPTED, Stage.DBS_CLEARED)


@dataclass(frozen=True)
class DueItem:
    category: str  # a stable key, e.g. "stage_wait"
    heading: str  # the category in words
    text: str  # one line about this item
    section: str  # the section that shows the record
    entity: str
    entity_id: int
    severity: int = 1  # 2 = overdue, 1 = due, 0 = for information
    since: dt.date | None = None


CATEGORIES = {
    "stage_wait": "Applications waiting",
    "dbs": "DBS checks",
    "terms": "Terms ending and refresh",
    "packs": "Meeting packs not sent",
    "actions": "Overdue actions",
    "feedback": "Feedback waiting for a response",
    "contracts": "Contracts ending",
    "quiet": "Members in a quiet period (do not contact)",
}


def _name(first, last, preferred=None) -> str:
    return f"{preferred or first} {last}".strip()


def due_items(ctx: AppContext) -> list[DueItem]:
    require(ctx, Perm.READ)
    s_ = load_settings(ctx)
    today = clock.today()
    now = clock.now()
    items: list[DueItem] = []
    with unit_of_work(ctx, readonly=True) as s:
        # Applications waiting in a stage too long.
        limit = now - dt.timedelta(days=s_.stage_wait_days)
        for app_id, first, last, stage, since, wname in s.execute(
            select(Application.id, Person.first_name, Person.last_name, Application.stage,
                   Application.stage_changed_at, RecruitmentWindow.name)
            .join(Person, Person.id == Application.person_id)
            .join(RecruitmentWindow, RecruitmentWindow.id == Application.window_id)
            .where(Application.stage.in_([x.value for x in WAITING_STAGES]),
                   Application.stage_changed_at < limit, Application.anonymised_at.is_(None))
            .order_by(Application.stage_changed_at)
        ):
            days = (now - since).days
            items.append(DueItem("stage_wait", CATEGORIES["stage_wait"],
                                 f"{first} {last}: {Stage(stage).label} for {days} days ({wname})",
                                 "applicants", "application", app_id, 2 if days > 2 * s_.stage_wait_days else 1,
                                 since.date()))

        # Terms: ending soon, and whether a refresh window exists.
        term_rows = s.execute(
            select(MembershipTerm.id, MembershipTerm.person_id, MembershipTerm.starts_on, MembershipTerm.ends_on,
                   MembershipTerm.override, MembershipTerm.override_from, Person.first_name, Person.last_name,
                   Person.preferred_name)
            .join(Person, Person.id == MembershipTerm.person_id)
            .where(MembershipTerm.ends_on >= today, Person.anonymised_at.is_(None))
        ).all()
        ending = []
        active_people = []
        for t in term_rows:
            st = term_status(t.starts_on, t.ends_on, t.override, t.override_from, today=today,
                             ending_soon_days=s_.ending_soon_days)
            if st in (TermStatus.ACTIVE, TermStatus.ENDING_SOON, TermStatus.PAUSED):
                active_people.append(t.person_id)
            if st is TermStatus.ENDING_SOON:
                ending.append(t)
        for t in sorted(ending, key=lambda t: t.ends_on):
            items.append(DueItem("terms", CATEGORIES["terms"],
                                 f"{_name(t.first_name, t.last_name, t.preferred_name)}'s term ends "
                                 f"{uk_date(t.ends_on)} ({(t.ends_on - today).days} days)",
                                 "members", "person", t.person_id, 1, t.ends_on))
        if ending:
            last_end = max(t.ends_on for t in ending)
            upcoming_window = s.scalar(
                select(func.count(RecruitmentWindow.id)).where(RecruitmentWindow.term_starts_on > today)
            )
            if not upcoming_window:
                items.append(DueItem("terms", CATEGORIES["terms"],
                                     f"Refresh due: {len(ending)} terms end by {uk_date(last_end)} and no "
                                     "recruitment window is open for the next cohort. Use Start refresh.",
                                     "members", "recruitment_window", 0, 2, today))

        # DBS: requested and not received; recheck due.
        if ctx.actor.can(Perm.DBS_STATUS):
            people = {p.id: p for p in s.execute(
                select(Person.id, Person.first_name, Person.last_name, Person.preferred_name)
                .where(Person.id.in_(select(DbsCheck.person_id)), Person.anonymised_at.is_(None))
            )}
            checks = latest_dbs_checks(s, list(people))
            for pid, check in checks.items():
                p = people[pid]
                name = _name(p.first_name, p.last_name, p.preferred_name)
                if (check.requested_on and not check.issue_date and not check.decision
                        and (today - check.requested_on).days > s_.dbs_request_overdue_days):
                    items.append(DueItem("dbs", CATEGORIES["dbs"],
                                         f"{name}: DBS certificate requested {uk_date(check.requested_on)}, "
                                         f"not received after {(today - check.requested_on).days} days",
                                         "dbs", "person", pid, 2, check.requested_on))
                elif pid in active_people:
                    status = dbs_status(check, today=today, recheck_years=s_.dbs_recheck_years)
                    if status.value == "recheck_due":
                        due = check.issue_date + relativedelta(years=s_.dbs_recheck_years)
                        items.append(DueItem("dbs", CATEGORIES["dbs"],
                                             f"{name}: DBS recheck due since {uk_date(due)} "
                                             f"(issued {uk_date(check.issue_date)})", "dbs", "person", pid, 2, due))

        # Meetings in the next N days whose pack has not been sent.
        horizon = now + dt.timedelta(days=s_.pack_due_days)
        for mid, title, starts in s.execute(
            select(Meeting.id, Meeting.title, Meeting.starts_at)
            .where(Meeting.starts_at >= now, Meeting.starts_at <= horizon, Meeting.pack_sent_at.is_(None),
                   Meeting.status != MeetingStatus.CANCELLED.value)
            .order_by(Meeting.starts_at)
        ):
            items.append(DueItem("packs", CATEGORIES["packs"], f"{title} on {uk_datetime(starts)}: pack not sent",
                                 "meetings", "meeting", mid, 2 if (starts - now).days < 7 else 1,
                                 clock.to_london(starts).date()))

        # Overdue actions.
        for _aid, desc, due, owner, mtitle, mid in s.execute(
            select(MeetingAction.id, MeetingAction.description, MeetingAction.due_on, MeetingAction.owner_name,
                   Meeting.title, Meeting.id)
            .join(Meeting, Meeting.id == MeetingAction.meeting_id)
            .where(MeetingAction.due_on < today,
                   MeetingAction.status.in_([ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value]))
            .order_by(MeetingAction.due_on)
        ):
            items.append(DueItem("actions", CATEGORIES["actions"],
                                 f"{desc} ({owner or 'no owner'}), due {uk_date(due)}, from {mtitle}",
                                 "meetings", "meeting", mid, 2, due))

        # Feedback waiting for a response too long.
        waiting = today - dt.timedelta(days=s_.feedback_response_days)
        for fid, summary, received in s.execute(
            select(FeedbackItem.id, FeedbackItem.summary, FeedbackItem.received_on)
            .where(FeedbackItem.status.in_([FeedbackStatus.NEW.value, FeedbackStatus.UNDER_CONSIDERATION.value]),
                   FeedbackItem.received_on < waiting)
            .order_by(FeedbackItem.received_on)
        ):
            items.append(DueItem("feedback", CATEGORIES["feedback"],
                                 f"{summary} (received {uk_date(received)}, {(today - received).days} days)",
                                 "feedback", "feedback_item", fid, 1, received))

        # Contracts ending.
        for sid, name, end in s.execute(
            select(CommissionedService.id, CommissionedService.name, CommissionedService.contract_end)
            .where(CommissionedService.contract_end >= today,
                   CommissionedService.contract_end <= today + dt.timedelta(days=s_.contract_ending_days))
            .order_by(CommissionedService.contract_end)
        ):
            items.append(DueItem("contracts", CATEGORIES["contracts"],
                                 f"{name}: contract ends {uk_date(end)} ({(end - today).days} days)",
                                 "commissioning", "commissioned_service", sid,
                                 2 if (end - today).days < 90 else 1, end))

        # Members in a quiet period now.
        for pid, first, last, preferred, ends in s.execute(
            select(Person.id, Person.first_name, Person.last_name, Person.preferred_name, QuietPeriod.ends_on)
            .join(QuietPeriod, QuietPeriod.person_id == Person.id)
            .where(and_(QuietPeriod.starts_on <= today, QuietPeriod.ends_on >= today),
                   Person.anonymised_at.is_(None))
            .order_by(QuietPeriod.ends_on)
        ):
            items.append(DueItem("quiet", CATEGORIES["quiet"],
                                 f"{_name(first, last, preferred)}: no contact until {uk_date(ends)}",
                                 "members", "person", pid, 0, ends))
    return items


def counts(items: list[DueItem]) -> dict[str, int]:
    out = {k: 0 for k in CATEGORIES}
    for i in items:
        out[i.category] = out.get(i.category, 0) + 1
    return out
