"""Fill an empty database with a realistic, clearly fictional data set.

Dates are relative to today, so the data always looks alive: a cohort whose
terms end within 90 days (the refresh is due), a refresh window being selected,
meetings in the next fortnight whose packs are not sent, feedback waiting for a
response. The same seed gives the same people.

Rows go in with Core bulk inserts and ids we assign (the tables are empty), so
``--scale 100`` takes seconds, not minutes. It is one transaction: a failure
leaves the database empty, as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, insert, select, text

from db import models as m
from db.enums import (
    ActionStatus,
    Attendance,
    Basis,
    Channel,
    CycleStage,
    DbsDecision,
    ExpenseKind,
    FeedbackSource,
    FeedbackStatus,
    InvitationResponse,
    MeetingStatus,
    ParticipationMode,
    Priority,
    Residence,
    Role,
    Stage,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.demo import words as W
from lived_experience.members.status import term_end
from lived_experience.recruitment.postcodes import combine, place
from lived_experience.security import audit

# Tables that make a database "not empty" (reference data and settings do not count).
CONTENT_TABLES = (m.Person, m.RecruitmentWindow, m.Meeting, m.FeedbackItem, m.CommissionedService,
                  m.Organisation)

DEMO_ACCOUNTS = [
    ("admin", "Alex Morgan", Role.ADMIN),
    ("coordinator", "Priya Shah", Role.COORDINATOR),
    ("dbs-officer", "Sam Okafor", Role.DBS_OFFICER),
    ("viewer", "Jordan Lee", Role.VIEWER),
]

ProgressFn = Callable[[int, int], None]


@dataclass
class DemoSummary:
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)


def is_empty(ctx: AppContext) -> bool:
    with unit_of_work(ctx, readonly=True) as s:
        return all(s.scalar(select(func.count()).select_from(t)) == 0 for t in CONTENT_TABLES)


class _Ids:
    def __init__(self):
        self._next: dict[str, int] = {}

    def __call__(self, table: str) -> int:
        n = self._next.get(table, 0) + 1
        self._next[table] = n
        return n


class _Builder:
    def __init__(self, seed: int, scale: int, today: dt.date, staff_ids: dict[str, int]):
        self.r = random.Random(seed)
        self.scale = scale
        self.today = today
        self.now = clock.now()
        self.ids = _Ids()
        self.rows: dict[str, list[dict]] = {}
        self.staff = staff_ids
        self.used_emails: set[str] = set()

    # -- helpers -------------------------------------------------------------
    def add(self, table: str, row: dict) -> dict:
        row.setdefault("id", self.ids(table))
        self.rows.setdefault(table, []).append(row)
        return row

    def tracked(self, **extra) -> dict:
        return {"version": 1, "created_at": self.now, "updated_at": self.now, **extra}

    def staff_id(self, username: str) -> int | None:
        return self.staff.get(username)

    def moment(self, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        return clock.london_to_utc(dt.datetime.combine(day, dt.time(hour, minute)))

    def person(self) -> dict:
        r = self.r
        first = r.choice(W.FIRST_NAMES)
        last = r.choice(W.LAST_NAMES)
        district = r.choice(W.DISTRICTS)
        postcode = f"{district} {r.randint(1, 9)}{r.choice(W.UNIT_LETTERS)}{r.choice(W.UNIT_LETTERS)}"
        work_postcode = None
        if r.random() < 0.3:
            wd = r.choice(W.DISTRICTS[:30])
            work_postcode = f"{wd} {r.randint(1, 9)}{r.choice(W.UNIT_LETTERS)}{r.choice(W.UNIT_LETTERS)}"
        pid = self.ids("person")
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        local = local.encode("ascii", "ignore").decode() or "person"
        email = f"{local}{pid}@example.org"
        phone_tail = f"{900000 + (pid % 1000):06d}"
        dob = self.today - dt.timedelta(days=r.randint(18 * 365, 78 * 365))
        safe_phone = r.random() < 0.7
        row = self.tracked(
            id=pid,
            first_name=first,
            last_name=last,
            preferred_name=(r.choice([None, None, None, first[:3]]) if len(first) > 4 else None),
            pronouns=r.choice(W.PRONOUNS),
            date_of_birth=dob,
            email=email,
            phone=f"+447700{phone_tail}",
            address_line1=f"{r.randint(1, 199)} {r.choice(W.STREETS)}",
            town=W.TOWNS_BY_DISTRICT.get(district, "Leicester"),
            postcode=postcode,
            work_postcode=work_postcode,
            email_key=email.lower(),
            phone_key=f"+447700{phone_tail}",
            name_key=f"{first.lower()}|{last.lower()}|{dob.isoformat()}",
            preferred_contact=r.choice(["email", "email", "phone", "text", "post"]),
            safe_to_phone=safe_phone,
            safe_voicemail=safe_phone and r.random() < 0.5,
            safe_text=r.random() < 0.6,
            safe_post=r.random() < 0.5,
            safe_email=r.random() < 0.95,
            times_to_avoid=r.choice([None, None, "Before 10am", "School run 3-4pm", "Weekends"]),
            interpreter_language=r.choice(W.INTERPRETER_LANGUAGES) if r.random() < 0.08 else None,
            needs_bsl=r.random() < 0.03,
            accessibility_needs=r.choice(W.ACCESS_NEEDS) if r.random() < 0.2 else None,
            support_person=("A friend may attend with them" if r.random() < 0.1 else None),
        )
        return self.add("person", row)

    # -- recruitment ---------------------------------------------------------
    def window(self, name: str, opens: dt.date, closes: dt.date, term_start: dt.date,
               completed: dt.date | None, previous: int | None, channels: list[str]) -> dict:
        w = self.add("recruitment_window", self.tracked(
            name=name, opens_on=opens, closes_on=closes, places=10, selection_interview=True,
            selection_video=True, term_starts_on=term_start, selection_completed_on=completed,
            previous_window_id=previous,
            advert_text=(
                "Have you been a victim of crime, or do you work closely with people who have? Join the "
                "Police and Crime Commissioner's Victims and Lived Experience Group for 18 months and help "
                "shape the services that support victims in Leicester, Leicestershire and Rutland. "
                "Apply by interview or by sending a short video. Expenses paid."
            ),
        ))
        for ch in channels:
            self.add("window_channel", {"window_id": w["id"], "channel": ch,
                                        "other_text": "Community radio" if ch == "other" else None})
        return w

    def application(self, person: dict, window: dict, path: list[Stage], received: dt.date,
                    step_days: int = 9, reapply: bool = False) -> dict:
        r = self.r
        home = place(person["postcode"])
        work = place(person.get("work_postcode"))
        residence, area, reasons = combine(home, work)
        basis = r.choice([Basis.VICTIM] * 6 + [Basis.WORKS_WITH_VICTIMS] * 2 + [Basis.SECTOR_REPRESENTATIVE])
        final = path[-1]
        app = self.add("application", self.tracked(
            person_id=person["id"], window_id=window["id"], stage=final.value,
            received_at=self.moment(received, r.randint(8, 20), r.randint(0, 59)),
            source=r.choice(["import", "import", "manual"]),
            how_heard=r.choice([c.value for c in Channel if c is not Channel.OTHER] + ["opcc_website"] * 3),
            basis=basis.value,
            organisation_name=("Northgate Women's Network (fictional)" if basis is Basis.SECTOR_REPRESENTATIVE
                               else None),
            statement=r.choice(W.STATEMENTS),
            availability=r.choice(W.AVAILABILITY),
            selection_method=r.choice(["interview", "interview", "video"]),
            home_area=area.value, work_area=work.area.value, residence=residence.value,
            eligibility_notes="; ".join(reasons),
            invited_to_reapply=reapply,
        ))
        if app["selection_method"] == "video":
            app["video_reference"] = f"https://files.example.org/videos/{uuid.UUID(int=r.getrandbits(128))}"
        if residence is Residence.NEEDS_CONFIRMATION and final not in (Stage.RECEIVED,):
            app["eligibility_decision"] = "eligible" if final is not Stage.UNSUCCESSFUL else "not_eligible"
            app["eligibility_decided_by_id"] = self.staff_id("coordinator")
            app["eligibility_decided_at"] = self.moment(received + dt.timedelta(days=step_days))
        areas = r.sample(["domestic_abuse", "sexual_violence", "hate_crime", "road_traffic_collision", "fraud",
                          "honour_based_abuse", "stalking_harassment", "violent_crime", "burglary_theft"],
                         k=r.randint(1, 3))
        for a in areas:
            self.add("application_experience", {"application_id": app["id"], "area": a})
        when = received
        prev = None
        changed_at = None
        for i, stage in enumerate(path):
            if i > 0:
                when = min(when + dt.timedelta(days=r.randint(max(1, step_days - 4), step_days + 5)),
                           self.today)
            changed_at = self.moment(when, r.randint(9, 17), r.randint(0, 59))
            reason = None
            if stage is Stage.WITHDRAWN:
                reason = r.choice(["Personal circumstances changed", "No longer available for meetings",
                                   "Asked to withdraw by email"])
            elif stage is Stage.UNSUCCESSFUL:
                reason = "Panel decision"
            self.add("stage_change", {"application_id": app["id"], "from_stage": prev, "to_stage": stage.value,
                                      "changed_at": changed_at,
                                      "changed_by_id": self.staff_id("coordinator"), "reason": reason})
            prev = stage.value
        app["stage_changed_at"] = changed_at
        if final is Stage.UNSUCCESSFUL:
            app["decision_reason"] = r.choice(["scored_below_threshold", "places_filled", "balance_of_group"])
        if final is Stage.WITHDRAWN:
            app["withdrawn_reason"] = "Personal circumstances changed"
        if any(s in path for s in (Stage.ASSESSED,)):
            self.assessment(app, when)
        self.equality(app, window, area.value, final is Stage.MEMBER)
        return app

    def assessment(self, app: dict, when: dt.date) -> None:
        r = self.r
        method = "video" if app.get("selection_method") == "video" else "interview"
        for assessor_name, username in (("Priya Shah", "coordinator"), ("Sam Okafor", "dbs-officer")):
            a = self.add("assessment", self.tracked(
                application_id=app["id"], assessor_id=self.staff_id(username), assessor_name=assessor_name,
                method=method, assessed_on=when,
                video_reference=app.get("video_reference"),
                panel_notes=r.choice(["Thoughtful answers about first contact.", "Clear sense of the victim's view.",
                                      "Would benefit from support in larger meetings.", None]),
            ))
            base = r.randint(2, 5)
            for crit in range(1, 6):
                self.add("assessment_score", {"assessment_id": a["id"], "criterion_id": crit,
                                              "score": max(1, min(5, base + r.choice([-1, 0, 0, 1])))})

    def equality(self, app: dict, window: dict, area: str, member: bool) -> None:
        r = self.r
        if r.random() < 0.1:
            return  # did not fill in the optional form: counted as "not stated"

        def pick(options, pnts=0.08, blank=0.05):
            x = r.random()
            if x < pnts:
                return "prefer_not_to_say"
            if x < pnts + blank:
                return None
            return r.choices([o for o, _ in options], weights=[w for _, w in options])[0]

        self.add("equality_monitoring", self.tracked(
            application_id=app["id"], window_id=window["id"],
            age_band=pick([("16-24", 10), ("25-34", 20), ("35-44", 22), ("45-54", 20), ("55-64", 15),
                           ("65-74", 9), ("75+", 4)]),
            sex=pick([("female", 62), ("male", 37), ("other", 1)]),
            gender_same_as_birth=pick([("yes", 96), ("no", 4)]),
            ethnic_group=pick([("asian", 28), ("black", 7), ("mixed", 5), ("white", 55), ("other", 5)]),
            disability=pick([("yes", 22), ("no", 78)]),
            sexual_orientation=pick([("heterosexual", 85), ("gay_lesbian", 5), ("bisexual", 5), ("other", 2)],
                                    pnts=0.15),
            religion=pick([("none", 30), ("christian", 30), ("muslim", 18), ("hindu", 12), ("sikh", 6),
                           ("other", 4)], pnts=0.12),
            area=area, how_heard=app["how_heard"], was_member=member,
        ))

    # -- members -------------------------------------------------------------
    def term(self, person: dict, app: dict, start: dt.date, months: int = 18, **extra) -> dict:
        return self.add("membership_term", self.tracked(
            person_id=person["id"], application_id=app["id"], starts_on=start, ends_on=term_end(start, months),
            **extra,
        ))

    def dbs(self, person: dict, requested: dt.date, *, issued: dt.date | None, decision: str | None,
            renewal: bool = False, disclosure: str | None = None, purged: bool = False) -> dict:
        r = self.r
        cert = "".join(str(r.randint(0, 9)) for _ in range(12)) if issued else None
        row = self.add("dbs_check", self.tracked(
            person_id=person["id"], requested_on=requested,
            application_reference=f"E{r.randint(10**9, 10**10 - 1)}",
            certificate_number=cert, issue_date=issued,
            level=r.choice(["enhanced", "enhanced", "standard"]), workforce="adult",
            update_service=r.random() < 0.5,
            checked_by_id=self.staff_id("dbs-officer") if issued else None,
            checked_on=(issued + dt.timedelta(days=5)) if issued else None,
            decision=decision, decision_on=(issued + dt.timedelta(days=7)) if issued and decision else None,
            disclosure_detail=None if purged else disclosure,
            disclosure_summary=("Disclosure considered and accepted by the panel" if disclosure else None),
            disclosure_purged_at=self.now if purged else None,
            renewal_in_progress=renewal,
        ))
        if row["update_service"] and issued:
            self.add("dbs_update_check", self.tracked(
                dbs_check_id=row["id"], checked_on=min(self.today, issued + dt.timedelta(days=365)),
                consent_recorded=True, result="no_new_information", checked_by_id=self.staff_id("dbs-officer"),
            ))
        if issued:
            fee = {"basic": 2150, "standard": 2150}.get(row["level"], 4950)
            self.add("expense_claim", self.tracked(
                person_id=person["id"], kind=ExpenseKind.DBS_FEE.value, incurred_on=requested,
                description=f"{row['level'].capitalize()} DBS certificate fee", amount_pence=fee,
                status="paid", submitted_on=requested + dt.timedelta(days=3),
                approved_by_id=self.staff_id("admin"), approved_on=requested + dt.timedelta(days=10),
                paid_on=requested + dt.timedelta(days=20), dbs_check_id=row["id"],
            ))
        return row


def _stage_paths() -> dict[str, list[Stage]]:
    S = Stage
    early = [S.RECEIVED, S.ELIGIBILITY_CHECKED, S.SHORTLISTED, S.ASSESSED]
    return {
        "received": [S.RECEIVED],
        "eligibility_checked": [S.RECEIVED, S.ELIGIBILITY_CHECKED],
        "shortlisted": [S.RECEIVED, S.ELIGIBILITY_CHECKED, S.SHORTLISTED],
        "assessed": early,
        "offered": early + [S.OFFERED],
        "reserve": early + [S.RESERVE],
        "unsuccessful": early + [S.UNSUCCESSFUL],
        "unsuccessful_early": [S.RECEIVED, S.ELIGIBILITY_CHECKED, S.UNSUCCESSFUL],
        "accepted": early + [S.OFFERED, S.ACCEPTED],
        "dbs_cleared": early + [S.OFFERED, S.ACCEPTED, S.DBS_CLEARED],
        "member": early + [S.OFFERED, S.ACCEPTED, S.DBS_CLEARED, S.MEMBER],
        "withdrawn": [S.RECEIVED, S.ELIGIBILITY_CHECKED, S.WITHDRAWN],
    }


def generate(ctx: AppContext, *, seed: int = 1, scale: int = 1, password: str | None = None,
             progress: ProgressFn | None = None) -> DemoSummary:
    if scale < 1 or scale > 1000:
        raise UserError("--scale must be between 1 and 1000.")
    if not is_empty(ctx):
        raise UserError(
            "This database already has records in it. The demo data set is only added to an empty "
            "database, so that nothing real is mixed with fictional people. Use --database to choose "
            "a new, empty database."
        )
    summary = DemoSummary()
    staff_ids: dict[str, int] = {}
    if password:
        from lived_experience.security import accounts

        staff_ids = accounts.create_demo_accounts(ctx, password, DEMO_ACCOUNTS)
        summary.accounts = [u for u, _, _ in DEMO_ACCOUNTS]
    b = _Builder(seed, scale, clock.today(), staff_ids)
    _build(b)
    total = sum(len(v) for v in b.rows.values())
    done = 0
    with unit_of_work(ctx) as s:
        conn = s.connection()
        for table in _INSERT_ORDER:
            rows = b.rows.get(table, [])
            if not rows:
                continue
            tbl = m.Base.metadata.tables[table]
            keys = set().union(*(r.keys() for r in rows))
            for start in range(0, len(rows), 5000):
                chunk = [{k: r.get(k) for k in keys} for r in rows[start:start + 5000]]
                conn.execute(insert(tbl), chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            summary.counts[table] = len(rows)
        if conn.dialect.name == "postgresql":
            for table in b.rows:  # table names are our own constants, not input
                sql = (f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                       f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
                conn.execute(text(sql))
        audit.record(s, ctx.actor, "demo.create", detail=f"seed {seed}, scale {scale}, {total} rows")
    return summary


_INSERT_ORDER = [
    "organisation", "organisation_contact", "recruitment_window", "window_channel", "person", "quiet_period",
    "application", "application_experience", "stage_change", "equality_monitoring", "assessment",
    "assessment_score", "membership_term", "dbs_check", "dbs_update_check", "programme", "venue",
    "commissioned_service", "due_diligence_visit", "commissioning_cycle", "cycle_stage", "cycle_activity",
    "meeting", "agenda_item", "invitation", "meeting_action", "meeting_decision", "expense_claim",
    "feedback_item", "feedback_theme", "feedback_service", "feedback_right", "commissioning_decision",
    "decision_feedback",
]


def _build(b: _Builder) -> None:
    r = b.r
    today = b.today
    paths = _stage_paths()
    first_of_month = today.replace(day=1)
    s2 = first_of_month - relativedelta(months=16)  # current cohort: ends in about two months
    s1 = s2 - relativedelta(months=18)
    s3 = term_end(s2) + dt.timedelta(days=1)  # the next cohort starts the day after

    w1 = b.window(f"Lived Experience Group recruitment {(s1 - relativedelta(months=4)).year}",
                  s1 - relativedelta(months=4), s1 - relativedelta(months=3) + dt.timedelta(days=14), s1,
                  s1 - relativedelta(months=1), None, ["opcc_website", "people_zones", "social_media",
                                                        "neighbourhood_link"])
    w2 = b.window(f"Lived Experience Group refresh {(s2 - relativedelta(months=4)).year}",
                  s2 - relativedelta(months=4), s2 - relativedelta(months=3) + dt.timedelta(days=14), s2,
                  s2 - relativedelta(months=1), w1["id"], ["opcc_website", "people_zones", "social_media",
                                                           "neighbourhood_link", "other"])
    w3 = b.window(f"Lived Experience Group refresh {(today - dt.timedelta(days=45)).year}",
                  today - dt.timedelta(days=45), today - dt.timedelta(days=10), s3, None, w2["id"],
                  ["opcc_website", "people_zones", "social_media", "neighbourhood_link"])

    # ---- Cohort 1 (ended) -------------------------------------------------------
    # Members stay at ten per cohort (the cap); everyone else is multiplied so that
    # the total number of applicants grows about N times with --scale N.
    factor = 1.0 if b.scale == 1 else (61 * b.scale - 25) / 36

    def n_of(count: int) -> int:
        return max(1, round(count * factor))

    w1_members, w1_people = [], []
    for _ in range(10):
        p = b.person()
        a = b.application(p, w1, paths["member"], w1["opens_on"] + dt.timedelta(days=r.randint(0, 20)))
        b.term(p, a, s1)
        w1_members.append((p, a))
        w1_people.append(p)
    for kind, count in (("unsuccessful", 3), ("reserve", 2), ("withdrawn", 2), ("unsuccessful_early", 1)):
        for _ in range(n_of(count)):
            p = b.person()
            b.application(p, w1, paths[kind], w1["opens_on"] + dt.timedelta(days=r.randint(0, 25)))
    # Former members' DBS checks (older; one with disclosure detail already purged).
    for i, (p, _a) in enumerate(w1_members):
        issued = s1 - relativedelta(months=1) + dt.timedelta(days=i)
        b.dbs(p, issued - dt.timedelta(days=20), issued=issued, decision="clear" if i != 3 else
              "clear_with_disclosure", disclosure=None, purged=(i == 3))

    # ---- Cohort 2 (current; terms end in about two months) ---------------------
    current = []
    returning = w1_members[:4]
    for p, _a in returning:
        a = b.application(p, w2, paths["member"], w2["opens_on"] + dt.timedelta(days=r.randint(0, 20)),
                          reapply=True)
        current.append((p, a))
    for _ in range(6):
        p = b.person()
        a = b.application(p, w2, paths["member"], w2["opens_on"] + dt.timedelta(days=r.randint(0, 20)))
        current.append((p, a))
    for p, a in current:
        # The refresh (window 3) invited every current member to re-apply.
        b.term(p, a, s2, invited_to_reapply_at=b.moment(w3["opens_on"]), refresh_window_id=w3["id"])
    for kind, count in (("unsuccessful", 4), ("reserve", 3), ("withdrawn", 2), ("unsuccessful_early", 1)):
        for _ in range(n_of(count)):
            p = b.person()
            b.application(p, w2, paths[kind], w2["opens_on"] + dt.timedelta(days=r.randint(0, 25)))
    # Current members' DBS: most cleared; one due for recheck; one renewal under way;
    # one cleared with a disclosure whose detail is still inside six months.
    for i, (p, _a) in enumerate(current):
        if i < 4:  # returning members kept their first certificate
            issued = s1 - relativedelta(months=1) + dt.timedelta(days=i)
            if i == 0:
                issued = today - relativedelta(years=3, days=20)
                b.dbs(p, issued - dt.timedelta(days=20), issued=issued, decision="clear")
            elif i == 1:
                issued = today - relativedelta(years=3, days=5)
                b.dbs(p, issued - dt.timedelta(days=20), issued=issued, decision="clear", renewal=True)
            else:
                continue  # their cohort-1 check (above) still stands
        else:
            issued = s2 - relativedelta(months=1) + dt.timedelta(days=i)
            if i == 5:
                issued = today - dt.timedelta(days=75)
                b.dbs(p, issued - dt.timedelta(days=25), issued=issued,
                      decision=DbsDecision.CLEAR_WITH_DISCLOSURE.value,
                      disclosure="Caution recorded in 2009 for a minor offence; not relevant to the role.")
            else:
                b.dbs(p, issued - dt.timedelta(days=20), issued=issued, decision="clear")
    # A quiet period for one member (around a trial), current.
    qp_person = current[6][0]
    b.add("quiet_period", b.tracked(person_id=qp_person["id"], starts_on=today - dt.timedelta(days=7),
                                    ends_on=today + dt.timedelta(days=21), reason="Trial dates: no contact please"))

    # ---- Window 3 (refresh being selected) ---------------------------------------
    opens3 = w3["opens_on"]
    for p, _a in current[2:7]:  # current members invited to re-apply
        b.application(p, w3, paths[r.choice(["shortlisted", "assessed", "offered"])],
                      opens3 + dt.timedelta(days=r.randint(0, 10)), step_days=5, reapply=True)
    plan3 = (("received", 4), ("eligibility_checked", 3), ("shortlisted", 2), ("assessed", 2), ("offered", 1),
             ("accepted", 2), ("dbs_cleared", 1), ("reserve", 1), ("unsuccessful_early", 1), ("withdrawn", 1))
    accepted3 = []
    for kind, count in plan3:
        for _ in range(n_of(count) if kind not in ("accepted", "dbs_cleared", "offered") else count):
            p = b.person()
            days = r.randint(0, 30) if kind != "received" else r.randint(28, 34)
            a = b.application(p, w3, paths[kind], opens3 + dt.timedelta(days=days), step_days=3)
            if kind in ("accepted", "dbs_cleared"):
                accepted3.append((p, a, kind))
    for i, (p, _a, kind) in enumerate(accepted3):
        if kind == "dbs_cleared":
            b.dbs(p, today - dt.timedelta(days=30), issued=today - dt.timedelta(days=12), decision="clear")
        elif i == 0:
            b.dbs(p, today - dt.timedelta(days=40), issued=None, decision=None)  # overdue: 40 days
        else:
            b.dbs(p, today - dt.timedelta(days=8), issued=None, decision=None)

    # ---- Organisations, services and cycles -------------------------------------
    orgs = []
    for name, kind in W.ORGANISATIONS:
        o = b.add("organisation", b.tracked(name=name, kind=kind, is_active=True,
                                             website="https://www.example.org/", address="Leicester"))
        orgs.append(o)
    contacts = []
    for o in orgs:
        for _ in range(r.randint(1, 3)):
            first, last = r.choice(W.FIRST_NAMES), r.choice(W.LAST_NAMES)
            c = b.add("organisation_contact", b.tracked(
                organisation_id=o["id"], name=f"{first} {last}", job_title=r.choice(W.CONTACT_ROLES),
                email=f"contact{b.ids('contact_email')}@example.org", phone="+447700900999", is_active=True,
            ))
            contacts.append((c, o))
    services = []
    for idx, (name, kind, prov, value, years, status) in enumerate(W.SERVICES):
        start = today - relativedelta(months=r.randint(14, 30))
        end = start + relativedelta(years=years) - dt.timedelta(days=1)
        if idx == 0:
            end = today + dt.timedelta(days=120)  # recommissioning due: shows on the dashboard
        if kind == "crisis_worker":
            start = today - relativedelta(months=11)
            end = start + relativedelta(months=12) - dt.timedelta(days=1)
        s = b.add("commissioned_service", b.tracked(
            name=name, kind=kind, provider_id=orgs[prov]["id"], provider_name=orgs[prov]["name"],
            contract_start=start, contract_end=end, annual_value_pence=value * 100, status=status,
            description=f"{name} for Leicester, Leicestershire and Rutland.",
        ))
        services.append(s)
        for _v in range(r.randint(1, 2)):
            b.add("due_diligence_visit", b.tracked(
                service_id=s["id"], visited_on=today - dt.timedelta(days=r.randint(20, 300)),
                visited_by="Deputy Police and Crime Commissioner",
                area_and_work=f"{name}: {r.choice(['city centre base', 'county outreach', 'Rutland clinic'])}",
                what_was_seen=r.choice([
                    "Met the team and two service users; saw how referrals are triaged.",
                    "Saw the new waiting area and the private interview rooms.",
                    "Observed a multi-agency case review (no personal details recorded).",
                ]),
                outcome=r.choice(["Delivering as the contract requires.",
                                  "Delivering well; the waiting list needs watching.",
                                  "Follow-up agreed on referral times."]),
            ))
    cycles = []
    for s in services:
        start = today - relativedelta(months=r.randint(4, 12))
        c = b.add("commissioning_cycle", b.tracked(service_id=s["id"], name=f"{s['name']}: {start.year} cycle",
                                                   starts_on=start))
        cycles.append((c, s))
        offset = 0
        progress_point = r.randint(1, 4)
        for pos, stage in enumerate(CycleStage):
            p_start = start + dt.timedelta(days=offset)
            p_end = p_start + dt.timedelta(days=r.randint(60, 100))
            offset += (p_end - p_start).days + 1
            actual_start = p_start if pos < progress_point else None
            actual_end = p_end if pos < progress_point - 1 else None
            if actual_start and actual_start > today:
                actual_start = None
            if actual_end and actual_end > today:
                actual_end = None
            st = b.add("cycle_stage", b.tracked(cycle_id=c["id"], stage=stage.value, position=pos,
                                                planned_start=p_start, planned_end=p_end,
                                                actual_start=actual_start, actual_end=actual_end))
            kinds = {
                CycleStage.ANALYSE: ["consult_incumbent", "consult_service_users", "consult_stakeholders"],
                CycleStage.PLAN: ["equality_impact_assessment"],
                CycleStage.DO: ["procurement" if r.random() < 0.7 else "grant"],
                CycleStage.REVIEW: ["monitoring", "due_diligence"],
            }[stage]
            for k in kinds:
                done = actual_start + dt.timedelta(days=r.randint(5, 40)) if actual_start else None
                if done and done > today:
                    done = None
                b.add("cycle_activity", b.tracked(
                    stage_id=st["id"], kind=k, done_on=done,
                    reference=(f"EIA-{c['id']:03d}-{start.year}" if k == "equality_impact_assessment" else None),
                ))

    # ---- Meetings -------------------------------------------------------------
    prog_start = today - dt.timedelta(days=320)
    programme = b.add("programme", b.tracked(
        name=f"Listening programme {prog_start.strftime('%B %Y')} - {(today + dt.timedelta(days=60)).strftime('%B %Y')}",
        description="Forums, roundtables, meetings and consultations with members and stakeholders, "
                    "ending in a celebration event.",
        starts_on=prog_start, ends_on=today + dt.timedelta(days=60),
    ))
    venues = []
    for name, addr, pc, step, loop, quiet, parking, transport in W.VENUES:
        venues.append(b.add("venue", b.tracked(name=name, address=addr, postcode=pc, step_free=step,
                                               hearing_loop=loop, quiet_room=quiet, parking=parking,
                                               transport_notes=transport)))
    meetings = []
    for i, (mtype, title, days, minutes, status) in enumerate(W.MEETING_PLAN):
        day = today + dt.timedelta(days=days)
        hour = 18 if mtype in ("forum", "focus_group") else 10
        venue = venues[i % len(venues)] if r.random() < 0.85 else None
        online = f"https://meet.example.org/le-{i + 1:03d}" if (venue is None or r.random() < 0.4) else None
        mt = b.add("meeting", b.tracked(
            programme_id=programme["id"], title=title, meeting_type=mtype, starts_at=b.moment(day, hour),
            duration_minutes=minutes, status=status,
            cancelled_reason=("Venue flooded; rescheduled" if status == MeetingStatus.CANCELLED else None),
            organiser_id=b.staff_id("coordinator"), venue_id=venue["id"] if venue else None, online_link=online,
            accessibility_arrangements="BSL interpreter booked; quiet room available; papers in large print on request",
            calendar_uid=f"{uuid.UUID(int=r.getrandbits(128))}@lived-experience.opcc-llr",
            calendar_sequence=1 if status == MeetingStatus.CANCELLED else 0,  # the cancellation is an update
            pack_sent_at=(b.moment(day - dt.timedelta(days=7)) if days < 0 or i == 9 else None),
        ))
        meetings.append(mt)
        items = [W.AGENDA_TEMPLATES[0]] + r.sample(W.AGENDA_TEMPLATES[1:8], k=r.randint(3, 5)) + [W.AGENDA_TEMPLATES[-1]]
        agenda_ids = []
        for pos, (atitle, note, mins) in enumerate(items):
            svc = r.choice(services) if "recommissioning" in atitle.lower() or r.random() < 0.2 else None
            ai = b.add("agenda_item", b.tracked(meeting_id=mt["id"], position=pos + 1, title=atitle,
                                               presenter=r.choice(["Deputy PCC", "Commissioning Manager",
                                                                   "Provider lead", "Group members"]),
                                               minutes=mins, content_note=note,
                                               service_id=svc["id"] if svc else None))
            agenda_ids.append(ai["id"])
        mt["_agenda"] = agenda_ids
        # Invitations: the members in post on that day; stakeholders for roundtables and events.
        members_then = current if day >= s2 else [(p, a) for p, a in w1_members]
        for p, _a in members_then:
            inv = {"meeting_id": mt["id"], "person_id": p["id"], "invited_at": b.moment(day - dt.timedelta(days=21)),
                   "response": InvitationResponse.ACCEPTED.value}
            if status == MeetingStatus.HELD:
                att = r.choices([Attendance.ATTENDED, Attendance.APOLOGIES, Attendance.DID_NOT_ATTEND,
                                 Attendance.LEFT_EARLY], weights=[70, 15, 8, 7])[0]
                inv["attendance"] = att.value
                if att in (Attendance.ATTENDED, Attendance.LEFT_EARLY):
                    inv["participation_mode"] = (ParticipationMode.ONLINE if online and r.random() < 0.3
                                                 else ParticipationMode.IN_PERSON).value
                elif att is Attendance.APOLOGIES and r.random() < 0.3:
                    inv["participation_mode"] = ParticipationMode.WRITTEN_SUBMISSION.value
                if att is Attendance.APOLOGIES:
                    inv["response"] = InvitationResponse.DECLINED.value
            elif days > 0:
                inv["response"] = r.choice(["pending", "accepted", "accepted", "tentative"])
            b.add("invitation", b.tracked(**inv))
        if mtype in ("roundtable", "event", "consultation"):
            for c, _o in r.sample(contacts, k=min(4, len(contacts))):
                inv = {"meeting_id": mt["id"], "contact_id": c["id"], "response": "accepted",
                       "invited_at": b.moment(day - dt.timedelta(days=21))}
                if status == MeetingStatus.HELD:
                    inv["attendance"] = "attended"
                    inv["participation_mode"] = "in_person"
                b.add("invitation", b.tracked(**inv))
        if status == MeetingStatus.HELD:
            for _ in range(r.randint(1, 3)):
                due = day + dt.timedelta(days=r.randint(14, 60))
                done = due < today and r.random() < 0.6
                b.add("meeting_action", b.tracked(
                    meeting_id=mt["id"], agenda_item_id=r.choice(agenda_ids),
                    description=r.choice([
                        "Share the group's comments with the ISVA provider",
                        "Find out how interpreter needs are recorded at first contact",
                        "Bring the draft service specification back to the group",
                        "Check travel support for Rutland members",
                        "Send the 'you said, we did' summary to all members",
                    ]),
                    owner_name=r.choice(["Priya Shah", "Commissioning Manager", "Deputy PCC"]),
                    owner_id=b.staff_id("coordinator"), due_on=due,
                    status=(ActionStatus.DONE if done else r.choice([ActionStatus.OPEN, ActionStatus.IN_PROGRESS])).value,
                    completed_on=due - dt.timedelta(days=2) if done else None,
                ))
            b.add("meeting_decision", b.tracked(meeting_id=mt["id"], agenda_item_id=agenda_ids[1],
                                                text="The group agreed its priorities for the next service specification."))
            # Mileage claims from attendance.
            for p, _a in members_then[:3]:
                miles = r.randint(30, 250)
                claim_status = r.choice(["submitted", "approved", "paid", "paid"])
                submitted = min(today, day + dt.timedelta(days=2))
                approved = min(today, submitted + dt.timedelta(days=3)) if claim_status != "submitted" else None
                b.add("expense_claim", b.tracked(
                    person_id=p["id"], kind=ExpenseKind.MILEAGE.value, incurred_on=day,
                    description=f"Travel to {title}", miles_tenths=miles, passengers=0,
                    amount_pence=(miles * 45 + 5) // 10,
                    status=claim_status, submitted_on=submitted, meeting_id=mt["id"],
                    # An approved or paid claim says who approved it and when, and a paid one when it was paid.
                    approved_by_id=b.staff_id("admin") if approved else None, approved_on=approved,
                    paid_on=min(today, approved + dt.timedelta(days=7)) if claim_status == "paid" else None,
                ))

    # ---- Feedback ---------------------------------------------------------------
    theme_ids = {name: i + 1 for i, name in enumerate([
        "Communication and updates", "Waiting times and delays", "Being believed and treated with respect",
        "Court and trial process", "Accessibility and reasonable adjustments", "Language and interpreters",
        "Cultural awareness", "Trust and confidence in policing", "Support after reporting",
        "Referral between services", "Children and young people", "Safety planning",
        "Information about the offender", "Compensation and expenses", "Digital and online access",
    ])}
    held = [mt for mt in meetings if mt["status"] == MeetingStatus.HELD]
    feedback_ids = []
    for _ in range(80 * b.scale):
        quote, summary, theme, rights = r.choice(W.FEEDBACK_LINES)
        source = r.choices([FeedbackSource.MEETING, FeedbackSource.MEMBER, FeedbackSource.WRITTEN_SUBMISSION,
                            FeedbackSource.STAKEHOLDER, FeedbackSource.ANONYMOUS], weights=[50, 20, 10, 10, 10])[0]
        mt = r.choice(held) if source is FeedbackSource.MEETING else None
        received = (mt["starts_at"].astimezone(clock.LONDON).date() if mt
                    else today - dt.timedelta(days=r.randint(1, 300)))
        person_id = None
        contact_id = None
        if source in (FeedbackSource.MEMBER, FeedbackSource.ANONYMOUS, FeedbackSource.WRITTEN_SUBMISSION):
            person_id = r.choice(current)[0]["id"]
        if source is FeedbackSource.STAKEHOLDER:
            contact_id = r.choice(contacts)[0]["id"]
        cycle, svc = r.choice(cycles)
        age = (today - received).days
        status = r.choices(list(FeedbackStatus), weights=[
            3 if age < 40 else 1, 3, 2, 3, 1, 4 if age > 60 else 1])[0]
        item = b.tracked(
            quote=quote, summary=summary, source_kind=source.value,
            meeting_id=mt["id"] if mt else None,
            agenda_item_id=r.choice(mt["_agenda"]) if mt else None,
            person_id=person_id, contact_id=contact_id,
            anonymous=source is FeedbackSource.ANONYMOUS or (person_id is not None and r.random() < 0.15),
            received_on=received, cycle_id=cycle["id"], cycle_stage=r.choice(list(CycleStage)).value,
            priority=r.choice(list(Priority)).value, status=status.value, status_changed_at=received,
            response_owner_id=b.staff_id("coordinator"),
            response_owner_name=None if b.staff_id("coordinator") else "Commissioning Manager",
            response_due_on=received + dt.timedelta(days=28),
        )
        if status in (FeedbackStatus.RESPONSE_AGREED, FeedbackStatus.ACTIONED, FeedbackStatus.REPORTED_BACK):
            # The draw keeps the rest of the data set the same for a given seed; the response itself is
            # the one that answers what was said.
            drawn = r.choice(W.RESPONSES)
            item["response"] = W.RESPONSE_FOR.get(summary, drawn)
        if status is FeedbackStatus.NOT_ACTIONED:
            item["not_actioned_reason"] = r.choice(W.NOT_ACTIONED)
            item["response"] = item["not_actioned_reason"]
        if status is FeedbackStatus.REPORTED_BACK:
            item["reported_back_on"] = min(today, received + dt.timedelta(days=r.randint(20, 60)))
            item["reported_back_how"] = r.choice(["At the next forum", "In the members' newsletter",
                                                  "'You said, we did' pack"])
        row = b.add("feedback_item", item)
        feedback_ids.append(row["id"])
        themes = {theme_ids[theme]} | ({r.choice(list(theme_ids.values()))} if r.random() < 0.4 else set())
        for t in sorted(themes):
            b.add("feedback_theme", {"feedback_id": row["id"], "theme_id": t})
        svcs = {svc["id"]} | ({r.choice(services)["id"]} if r.random() < 0.3 else set())
        for sid in sorted(svcs):
            b.add("feedback_service", {"feedback_id": row["id"], "service_id": sid})
        for rn in sorted(set(rights)):
            b.add("feedback_right", {"feedback_id": row["id"], "right_number": rn})

    # ---- Decisions informed by feedback ---------------------------------------------
    for c, s in cycles:
        related = [f for f in b.rows["feedback_item"] if f["cycle_id"] == c["id"]][:6]
        d = b.add("commissioning_decision", b.tracked(
            cycle_id=c["id"], stage=CycleStage.PLAN.value, decided_on=today - dt.timedelta(days=r.randint(10, 90)),
            decided_by="Police and Crime Commissioner",
            summary=f"Service specification for {s['name']} to include a named contact and evening access",
            detail="Informed by the Victims and Lived Experience Group's feedback at forums and consultations.",
        ))
        for f in related[:r.randint(2, 5)]:
            b.add("decision_feedback", {"decision_id": d["id"], "feedback_id": f["id"]})
    # Drop helper keys before insert.
    for mt in meetings:
        mt.pop("_agenda", None)


def fingerprint(ctx: AppContext) -> str:
    """A hash of the demo's people, for checking that a seed is reproducible."""
    with unit_of_work(ctx, readonly=True) as s:
        names = s.execute(select(m.Person.first_name, m.Person.last_name).order_by(m.Person.id)).all()
    return hashlib.sha256(repr(names).encode()).hexdigest()
