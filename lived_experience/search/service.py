"""Search everywhere.

The words of every searchable record live in ``search_doc``, kept up to date by
triggers (migration ``0003_search``). SQLite searches it with FTS5 (accents
and case folded by the unicode61 tokenizer), PostgreSQL with its full-text
search over a GIN index. Every word typed must match the start of a word in the
record, so "zo smi" finds "Zoë Smith" as the letters arrive.

Rules:
- Anonymised people and their applications are never found (their document is
  empty, and the details query excludes them as well).
- Feedback is found by what was said and the response; a result never says who
  said it, so anonymous feedback never reveals its source.
- A member's DBS position appears only for roles that may see it.
- Nothing about the search is logged: the words typed may be a victim's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select, text

from db.enums import MeetingStatus, MeetingType, Stage, WindowStatus
from db.models import (
    Application,
    CommissionedService,
    FeedbackItem,
    Meeting,
    MembershipTerm,
    Person,
    RecruitmentWindow,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.formatting import uk_date, uk_datetime
from lived_experience.core.uow import unit_of_work
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

MAX_WORDS = 8
PER_KIND = 6


@dataclass(frozen=True)
class Kind:
    key: str  # as stored in search_doc.kind
    label: str  # the group heading
    section: str  # the section that shows the record


KINDS: tuple[Kind, ...] = (
    Kind("person", "People", "members"),
    Kind("application", "Applications", "applicants"),
    Kind("meeting", "Meetings", "meetings"),
    Kind("feedback", "Feedback", "feedback"),
    Kind("service", "Services", "commissioning"),
    Kind("window", "Recruitment windows", "recruitment"),
)
KIND_BY_KEY = {k.key: k for k in KINDS}


@dataclass(frozen=True)
class SearchHit:
    kind: str
    title: str
    detail: str
    section: str  # where open_record goes
    entity: str
    entity_id: int


@dataclass
class SearchGroup:
    kind: Kind
    hits: list[SearchHit]
    more: bool = False  # more matches than shown


@dataclass
class SearchResults:
    text: str
    words: list[str]
    groups: list[SearchGroup] = field(default_factory=list)

    def hits(self) -> list[SearchHit]:
        return [h for g in self.groups for h in g.hits]

    @property
    def empty(self) -> bool:
        return not any(g.hits for g in self.groups)


_WORD = re.compile(r"[^\W_]+")


def query_words(value: str | None) -> list[str]:
    """The words of what was typed, in lower case: letters and digits only (never query syntax)."""
    return [w.lower() for w in _WORD.findall(value or "")[:MAX_WORDS]]


# One full-text pass, the best few of each kind (row_number per kind), plus one
# extra row per kind to tell whether there are more. While a word is a single
# letter nearly everything matches: ranking it all would cost more than it tells,
# so the newest records come first instead.
_SQLITE = (
    "SELECT kind, ref_id FROM ("
    " SELECT d.kind AS kind, d.ref_id AS ref_id,"
    "  row_number() OVER (PARTITION BY d.kind ORDER BY {order}) AS n"
    " FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid"
    " WHERE search_fts MATCH :q"
    ") WHERE n <= :n ORDER BY kind, n"
)
_SQLITE_RANKED = text(_SQLITE.format(order="search_fts.rank, d.ref_id"))
_SQLITE_NEWEST = text(_SQLITE.format(order="d.ref_id DESC"))
_POSTGRES = (
    "SELECT kind, ref_id FROM ("
    " SELECT d.kind AS kind, d.ref_id AS ref_id,"
    "  row_number() OVER (PARTITION BY d.kind ORDER BY {order}) AS n"
    " FROM search_doc d"
    " WHERE d.words @@ to_tsquery('simple'::regconfig, le_search_fold(:q))"
    ") x WHERE n <= :n ORDER BY kind, n"
)
_POSTGRES_RANKED = text(_POSTGRES.format(
    order="ts_rank(d.words, to_tsquery('simple'::regconfig, le_search_fold(:q))) DESC, d.ref_id"))
_POSTGRES_NEWEST = text(_POSTGRES.format(order="d.ref_id DESC"))


def _statement(dialect: str, words: list[str]):
    ranked = min(len(w) for w in words) > 1
    if dialect == "sqlite":
        return _SQLITE_RANKED if ranked else _SQLITE_NEWEST
    return _POSTGRES_RANKED if ranked else _POSTGRES_NEWEST


def _match_expression(words: list[str], dialect: str) -> str:
    if dialect == "sqlite":
        # Each word quoted (so nothing typed is FTS5 syntax) and a prefix query.
        return " AND ".join(f'"{w}"*' for w in words)
    return " & ".join(f"{w}:*" for w in words)


def search(ctx: AppContext, value: str, *, per_kind: int = PER_KIND) -> SearchResults:
    """Records matching every word of ``value`` (as word prefixes), grouped by kind."""
    require(ctx, Perm.READ)
    words = query_words(value)
    results = SearchResults(value, words)
    if not words:
        return results
    with unit_of_work(ctx, readonly=True) as s:
        dialect = s.get_bind().dialect.name
        stmt = _statement(dialect, words)
        found: dict[str, list[int]] = {}
        for kind, ref_id in s.execute(stmt, {"q": _match_expression(words, dialect), "n": per_kind + 1}):
            found.setdefault(kind, []).append(ref_id)
        for kind in KINDS:
            ids = found.get(kind.key, [])
            if not ids:
                continue
            hits = _DETAILS[kind.key](s, ctx, ids[:per_kind])
            if hits:
                results.groups.append(SearchGroup(kind, hits, more=len(ids) > per_kind))
    return results


# -- what each kind of result says (one query per kind, in rank order) -------------------------
def _in_order(ids: list[int], rows: dict[int, SearchHit]) -> list[SearchHit]:
    return [rows[i] for i in ids if i in rows]


def _known_as(first: str, last: str, preferred: str | None) -> str:
    return f"{preferred or first} {last}".strip()


def _people(s, ctx: AppContext, ids: list[int]) -> list[SearchHit]:
    from lived_experience.members.status import dbs_status, term_status
    from lived_experience.settings import load as load_settings

    settings = load_settings(ctx)
    today = clock.today()
    people = {
        p.id: p for p in s.execute(
            select(Person.id, Person.first_name, Person.last_name, Person.preferred_name)
            .where(Person.id.in_(ids), Person.anonymised_at.is_(None)))
    }
    terms: dict[int, tuple] = {}
    for t in s.execute(
        select(MembershipTerm.person_id, MembershipTerm.starts_on, MembershipTerm.ends_on, MembershipTerm.override,
               MembershipTerm.override_from)
        .where(MembershipTerm.person_id.in_(list(people))).order_by(MembershipTerm.starts_on)
    ):
        terms[t.person_id] = t  # the latest term wins
    latest_app: dict[int, tuple[int, int]] = {}
    for pid, app_id, count in s.execute(
        select(Application.person_id, func.max(Application.id), func.count(Application.id))
        .where(Application.person_id.in_(list(people)), Application.anonymised_at.is_(None))
        .group_by(Application.person_id)
    ):
        latest_app[pid] = (app_id, count)
    dbs: dict = {}
    if ctx.actor.can(Perm.DBS_STATUS) and terms:
        from lived_experience.members.lists import latest_dbs_checks

        dbs = latest_dbs_checks(s, list(terms))
    out: dict[int, SearchHit] = {}
    for pid, p in people.items():
        name = _known_as(p.first_name, p.last_name, p.preferred_name)
        t = terms.get(pid)
        app = latest_app.get(pid)
        if t is not None:
            status = term_status(t.starts_on, t.ends_on, t.override, t.override_from, today=today,
                                 ending_soon_days=settings.ending_soon_days)
            detail = f"Member: {status.label.lower()}, term {uk_date(t.starts_on)} to {uk_date(t.ends_on)}"
            if ctx.actor.can(Perm.DBS_STATUS):
                d = dbs_status(dbs.get(pid), today=today, recheck_years=settings.dbs_recheck_years)
                detail += f"; DBS: {d.label.lower()}"
            out[pid] = SearchHit("person", name, detail, "members", "person", pid)
        elif app is not None:
            n = app[1]
            out[pid] = SearchHit("person", name, f"Applicant ({n} application{'s' if n != 1 else ''})",
                                 "applicants", "application", app[0])
        else:
            out[pid] = SearchHit("person", name, "Person", "members", "person", pid)
    return _in_order(ids, out)


def _applications(s, ctx: AppContext, ids: list[int]) -> list[SearchHit]:
    rows = s.execute(
        select(Application.id, Application.stage, Person.first_name, Person.last_name, Person.preferred_name,
               RecruitmentWindow.name)
        .join(Person, Person.id == Application.person_id)
        .join(RecruitmentWindow, RecruitmentWindow.id == Application.window_id)
        .where(Application.id.in_(ids), Application.anonymised_at.is_(None), Person.anonymised_at.is_(None))
    )
    out = {
        r.id: SearchHit("application", _known_as(r.first_name, r.last_name, r.preferred_name),
                        f"{r.name}: {_label(Stage, r.stage)}", "applicants", "application", r.id)
        for r in rows
    }
    return _in_order(ids, out)


def _meetings(s, ctx: AppContext, ids: list[int]) -> list[SearchHit]:
    rows = s.execute(select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.meeting_type, Meeting.status)
                     .where(Meeting.id.in_(ids)))
    out = {
        r.id: SearchHit("meeting", r.title,
                        f"{uk_datetime(r.starts_at)}: {_label(MeetingType, r.meeting_type)}, "
                        f"{_label(MeetingStatus, r.status).lower()}", "meetings", "meeting", r.id)
        for r in rows
    }
    return _in_order(ids, out)


def _feedback(s, ctx: AppContext, ids: list[int]) -> list[SearchHit]:
    from db.enums import FeedbackStatus

    # Never the source: not the member, not the contact, not even "anonymous".
    rows = s.execute(select(FeedbackItem.id, FeedbackItem.summary, FeedbackItem.received_on, FeedbackItem.status)
                     .where(FeedbackItem.id.in_(ids)))
    out = {
        r.id: SearchHit("feedback", _shorten(r.summary),
                        f"Received {uk_date(r.received_on)}: {_label(FeedbackStatus, r.status).lower()}",
                        "feedback", "feedback_item", r.id)
        for r in rows
    }
    return _in_order(ids, out)


def _services(s, ctx: AppContext, ids: list[int]) -> list[SearchHit]:
    rows = s.execute(select(CommissionedService.id, CommissionedService.name, CommissionedService.provider_name,
                            CommissionedService.contract_end).where(CommissionedService.id.in_(ids)))
    out = {}
    for r in rows:
        bits = [b for b in (r.provider_name, f"contract ends {uk_date(r.contract_end)}" if r.contract_end else None)
                if b]
        out[r.id] = SearchHit("service", r.name, ", ".join(bits) or "Commissioned service", "commissioning",
                              "commissioned_service", r.id)
    return _in_order(ids, out)


def _windows(s, ctx: AppContext, ids: list[int]) -> list[SearchHit]:
    from lived_experience.recruitment.status import window_status

    rows = s.execute(select(RecruitmentWindow.id, RecruitmentWindow.name, RecruitmentWindow.opens_on,
                            RecruitmentWindow.closes_on, RecruitmentWindow.closed_early_on,
                            RecruitmentWindow.selection_completed_on).where(RecruitmentWindow.id.in_(ids)))
    out = {}
    for r in rows:
        status: WindowStatus = window_status(r.opens_on, r.closes_on, r.closed_early_on, r.selection_completed_on)
        out[r.id] = SearchHit("window", r.name,
                              f"{uk_date(r.opens_on)} to {uk_date(r.closes_on)}: {status.label.lower()}",
                              "recruitment", "recruitment_window", r.id)
    return _in_order(ids, out)


_DETAILS = {
    "person": _people,
    "application": _applications,
    "meeting": _meetings,
    "feedback": _feedback,
    "service": _services,
    "window": _windows,
}


def _label(enum, value) -> str:
    try:
        return enum(value).label
    except ValueError:
        return str(value).replace("_", " ").capitalize()


def _shorten(value: str, limit: int = 90) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def index_is_consistent(ctx: AppContext) -> bool:
    """For ``check`` and tests: the SQLite full-text index agrees with its documents."""
    if not ctx.db.is_sqlite:
        return True
    with unit_of_work(ctx) as s:
        try:
            s.execute(text("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)"))
        except Exception:  # noqa: BLE001 - a corrupt index raises; that is the answer
            return False
    return True
