"""The dashboard: each rule is a query that yields things needing attention.

Everything is computed when asked, from dates and records: nothing is stored
and nothing goes stale. The periods come from the office settings
(``stage_wait_days``, ``ending_soon_days``, ``dbs_request_overdue_days``,
``dbs_recheck_years``, ``pack_due_days``, ``feedback_response_days``,
``contract_ending_days``).

Each line names its record (``section``, ``entity``, ``entity_id``) so the
window can open it. A person in a quiet period is listed as such, and every
other line about them says "do not contact" until the period ends.
DBS lines appear only for roles that may see DBS status; they open the DBS
register for those who may read it and the member's record otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, or_, select

from db.enums import ActionStatus, FeedbackStatus, MeetingStatus, ServiceStatus, Stage, TermStatus
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
from lived_experience.members.status import dbs_status, effective_check, term_status
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.settings import load as load_settings

# Stages in which an application waits for staff to act (not reserve, not an outcome).
WAITING_STAGES = (Stage.RECEIVED, Stage.ELIGIBILITY_CHECKED, Stage.SHORTLISTED, Stage.ASSESSED, Stage.OFFERED,
                  Stage.ACCEPTED, Stage.DBS_CLEARED)

OVERDUE, DUE, NOTE = 2, 1, 0
SEVERITY_LABELS = {OVERDUE: "Overdue", DUE: "Due", NOTE: "Note"}


@dataclass(frozen=True)
class DueItem:
    category: str  # a stable key, e.g. "stage_wait"
    heading: str  # the category in words
    text: str  # one line about this item
    section: str  # the section that shows the record
    entity: str
    entity_id: int  # 0: no single record (the section itself)
    severity: int = DUE  # OVERDUE, DUE or NOTE
    since: dt.date | None = None  # the date the line is about
    person_id: int | None = None  # the person it concerns, if any

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]


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
ORDER = list(CATEGORIES)
# Short names for the counts at the top of the dashboard (the full name is the tile's description).
SHORT = {
    "stage_wait": "Applications waiting",
    "dbs": "DBS checks",
    "terms": "Terms ending",
    "packs": "Packs not sent",
    "actions": "Overdue actions",
    "feedback": "Feedback waiting",
    "contracts": "Contracts ending",
    "quiet": "Quiet periods",
}


def _name(first, last, preferred=None) -> str:
    return f"{preferred or first} {last}".strip()


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def due_items(ctx: AppContext) -> list[DueItem]:
    """Everything that needs doing today, most urgent first."""
    require(ctx, Perm.READ)
    cfg = load_settings(ctx)
    today = clock.today()
    now = clock.now()
    items: list[DueItem] = []
    with unit_of_work(ctx, readonly=True) as s:
        quiet = _quiet_periods(s, today)
        items += _quiet_items(quiet)
        items += _waiting_applications(s, now, cfg.stage_wait_days)
        term_items, active_people = _terms(s, today, cfg.ending_soon_days)
        items += term_items
        if ctx.actor.can(Perm.DBS_STATUS):
            items += _dbs(s, ctx, today, cfg, active_people)
        items += _packs(s, now, cfg.pack_due_days)
        items += _actions(s, today)
        items += _feedback(s, today, cfg.feedback_response_days)
        items += _contracts(s, today, cfg.contract_ending_days)
    return sort_items([_with_quiet_note(i, quiet) for i in items])


def sort_items(items: list[DueItem]) -> list[DueItem]:
    """Most urgent first; then by category, then by date (oldest first)."""
    return sorted(items, key=lambda i: (-i.severity, ORDER.index(i.category), i.since or dt.date.max, i.text))


def counts(items: list[DueItem]) -> dict[str, int]:
    out = dict.fromkeys(CATEGORIES, 0)
    for i in items:
        out[i.category] = out.get(i.category, 0) + 1
    return out


# -- the rules -----------------------------------------------------------------------------------
def _quiet_periods(s, today: dt.date) -> dict[int, tuple[str, dt.date]]:
    """People in a quiet period today: person id -> (name, last quiet day)."""
    out: dict[int, tuple[str, dt.date]] = {}
    for pid, first, last, preferred, ends in s.execute(
        select(Person.id, Person.first_name, Person.last_name, Person.preferred_name, QuietPeriod.ends_on)
        .join(QuietPeriod, QuietPeriod.person_id == Person.id)
        .where(QuietPeriod.starts_on <= today, QuietPeriod.ends_on >= today, Person.anonymised_at.is_(None))
    ):
        if pid not in out or ends > out[pid][1]:
            out[pid] = (_name(first, last, preferred), ends)
    return out


def _quiet_items(quiet: dict[int, tuple[str, dt.date]]) -> list[DueItem]:
    return [
        DueItem("quiet", CATEGORIES["quiet"], f"{name}: quiet period, do not contact until {uk_date(ends)}",
                "members", "person", pid, NOTE, ends, pid)
        for pid, (name, ends) in quiet.items()
    ]


def _with_quiet_note(item: DueItem, quiet: dict[int, tuple[str, dt.date]]) -> DueItem:
    if item.category == "quiet" or item.person_id not in quiet:
        return item
    ends = quiet[item.person_id][1]
    return replace(item, text=f"{item.text}. Quiet period: do not contact until {uk_date(ends)}")


def _waiting_applications(s, now: dt.datetime, wait_days: int) -> list[DueItem]:
    limit = now - dt.timedelta(days=wait_days)
    in_stage_since = func.coalesce(Application.stage_changed_at, Application.received_at)
    out = []
    for app_id, pid, first, last, preferred, stage, changed, received, wname in s.execute(
        select(Application.id, Person.id, Person.first_name, Person.last_name, Person.preferred_name,
               Application.stage, Application.stage_changed_at, Application.received_at, RecruitmentWindow.name)
        .join(Person, Person.id == Application.person_id)
        .join(RecruitmentWindow, RecruitmentWindow.id == Application.window_id)
        .where(Application.stage.in_([x.value for x in WAITING_STAGES]), in_stage_since < limit,
               Application.anonymised_at.is_(None), Person.anonymised_at.is_(None))
    ):
        since = changed or received
        days = (now - since).days
        out.append(DueItem(
            "stage_wait", CATEGORIES["stage_wait"],
            f"{_name(first, last, preferred)}: {Stage(stage).label} for {_days(days)} ({wname})",
            "applicants", "application", app_id, OVERDUE if days > 2 * wait_days else DUE,
            clock.to_london(since).date(), pid))
    return out


def _terms(s, today: dt.date, ending_soon_days: int) -> tuple[list[DueItem], set[int]]:
    """Terms ending soon, a refresh line when no window recruits the next cohort, and who is active."""
    rows = s.execute(
        select(MembershipTerm.id, MembershipTerm.person_id, MembershipTerm.starts_on, MembershipTerm.ends_on,
               MembershipTerm.override, MembershipTerm.override_from, Person.first_name, Person.last_name,
               Person.preferred_name)
        .join(Person, Person.id == MembershipTerm.person_id)
        .where(MembershipTerm.ends_on >= today, Person.anonymised_at.is_(None))
    ).all()
    by_person: dict[int, list] = defaultdict(list)
    for t in rows:
        by_person[t.person_id].append(t)
    active: set[int] = set()
    ending = []
    for t in rows:
        st = term_status(t.starts_on, t.ends_on, t.override, t.override_from, today=today,
                         ending_soon_days=ending_soon_days)
        if st in (TermStatus.ACTIVE, TermStatus.ENDING_SOON, TermStatus.PAUSED):
            active.add(t.person_id)
        # A member already appointed to a following term is not leaving.
        followed = any(o.starts_on > t.ends_on for o in by_person[t.person_id])
        if st is TermStatus.ENDING_SOON and not followed:
            ending.append(t)
    out = []
    for t in ending:
        left = (t.ends_on - today).days
        out.append(DueItem("terms", CATEGORIES["terms"],
                           f"{_name(t.first_name, t.last_name, t.preferred_name)}'s term ends "
                           f"{uk_date(t.ends_on)} (in {_days(left)})",
                           "members", "person", t.person_id, DUE, t.ends_on, t.person_id))
    if ending:
        last_end = max(t.ends_on for t in ending)
        next_cohort = s.scalar(
            select(func.count(RecruitmentWindow.id)).where(or_(
                RecruitmentWindow.term_starts_on > today,
                RecruitmentWindow.term_starts_on.is_(None) & (RecruitmentWindow.closes_on >= today),
            ))
        )
        if not next_cohort:
            latest = s.scalar(select(func.max(RecruitmentWindow.id))) or 0
            n = len(ending)
            out.append(DueItem(
                "terms", CATEGORIES["terms"],
                f"Refresh due: {n} term{'s' if n != 1 else ''} end by {uk_date(last_end)} and no recruitment "
                "window is recruiting the next cohort",
                "recruitment", "recruitment_window", latest, OVERDUE, today))
    return out, active


def _dbs(s, ctx: AppContext, today: dt.date, cfg, active_people: set[int]) -> list[DueItem]:
    checks: dict[int, list[DbsCheck]] = defaultdict(list)
    for c in s.scalars(
        select(DbsCheck).join(Person, Person.id == DbsCheck.person_id)
        .where(Person.anonymised_at.is_(None)).order_by(DbsCheck.id)
    ):
        checks[c.person_id].append(c)
    if not checks:
        return []
    names = {
        p.id: _name(p.first_name, p.last_name, p.preferred_name)
        for p in s.execute(select(Person.id, Person.first_name, Person.last_name, Person.preferred_name)
                           .where(Person.id.in_(list(checks))))
    }
    register = ctx.actor.can(Perm.DBS_READ)
    out = []
    for pid, person_checks in checks.items():
        newest = person_checks[-1]

        def link(check, pid=pid):
            return ("dbs", "dbs_check", check.id) if register else ("members", "person", pid)

        if (newest.requested_on and not newest.issue_date and not newest.decision
                and (today - newest.requested_on).days > cfg.dbs_request_overdue_days):
            waited = (today - newest.requested_on).days
            out.append(DueItem("dbs", CATEGORIES["dbs"],
                               f"{names[pid]}: DBS certificate requested {uk_date(newest.requested_on)}, "
                               f"not received after {_days(waited)}",
                               *link(newest), OVERDUE, newest.requested_on, pid))
            continue
        if pid not in active_people:
            continue
        check = effective_check(person_checks)
        status = dbs_status(check, today=today, recheck_years=cfg.dbs_recheck_years)
        if status.value == "recheck_due":
            due = check.issue_date + relativedelta(years=cfg.dbs_recheck_years)
            out.append(DueItem("dbs", CATEGORIES["dbs"],
                               f"{names[pid]}: DBS recheck due since {uk_date(due)} "
                               f"(certificate issued {uk_date(check.issue_date)})",
                               *link(check), OVERDUE, due, pid))
    return out


def _packs(s, now: dt.datetime, pack_due_days: int) -> list[DueItem]:
    horizon = now + dt.timedelta(days=pack_due_days)
    out = []
    for mid, title, starts in s.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at)
        .where(Meeting.starts_at >= now, Meeting.starts_at <= horizon, Meeting.pack_sent_at.is_(None),
               Meeting.status.not_in([MeetingStatus.CANCELLED.value, MeetingStatus.HELD.value]))
    ):
        days = (clock.to_london(starts).date() - clock.to_london(now).date()).days
        out.append(DueItem("packs", CATEGORIES["packs"],
                           f"{title} on {uk_datetime(starts)} (in {_days(days)}): pack not sent",
                           "meetings", "meeting", mid, OVERDUE if days < 7 else DUE,
                           clock.to_london(starts).date()))
    return out


def _actions(s, today: dt.date) -> list[DueItem]:
    out = []
    for _aid, desc, due, owner, mtitle, mid in s.execute(
        select(MeetingAction.id, MeetingAction.description, MeetingAction.due_on, MeetingAction.owner_name,
               Meeting.title, Meeting.id)
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .where(MeetingAction.due_on < today,
               MeetingAction.status.in_([ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value]))
    ):
        out.append(DueItem("actions", CATEGORIES["actions"],
                           f"{' '.join(desc.split())} ({owner or 'no owner'}), due {uk_date(due)}, from {mtitle}",
                           "meetings", "meeting", mid, OVERDUE, due))
    return out


def _feedback(s, today: dt.date, response_days: int) -> list[DueItem]:
    waiting = today - dt.timedelta(days=response_days)
    out = []
    for fid, summary, received in s.execute(
        select(FeedbackItem.id, FeedbackItem.summary, FeedbackItem.received_on)
        .where(FeedbackItem.status.in_([FeedbackStatus.NEW.value, FeedbackStatus.UNDER_CONSIDERATION.value]),
               FeedbackItem.received_on < waiting)
    ):
        days = (today - received).days
        # Never who said it: anonymous feedback stays anonymous here too.
        out.append(DueItem("feedback", CATEGORIES["feedback"],
                           f"{summary} (received {uk_date(received)}, waiting {_days(days)})",
                           "feedback", "feedback_item", fid, OVERDUE if days > 2 * response_days else DUE,
                           received))
    return out


def _contracts(s, today: dt.date, ending_days: int) -> list[DueItem]:
    out = []
    for sid, name, end in s.execute(
        select(CommissionedService.id, CommissionedService.name, CommissionedService.contract_end)
        .where(CommissionedService.contract_end >= today,
               CommissionedService.contract_end <= today + dt.timedelta(days=ending_days),
               CommissionedService.status != ServiceStatus.ENDED.value)
    ):
        left = (end - today).days
        out.append(DueItem("contracts", CATEGORIES["contracts"],
                           f"{name}: contract ends {uk_date(end)} (in {_days(left)})",
                           "commissioning", "commissioned_service", sid, OVERDUE if left < 90 else DUE, end))
    return out
