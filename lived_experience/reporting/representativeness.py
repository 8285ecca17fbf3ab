"""How applicants and members compare with the population of LLR, naming nobody.

Who is counted
- **Applicants of a window**: every application in it that is not anonymised,
  with its equality monitoring answers, or "not stated" for every question if
  the applicant did not fill in the form; plus the answers kept (detached) from
  applicants who have since been anonymised or erased. Over all windows: the
  sum of the windows.
- **Members**: everyone whose membership term is active today, with the
  answers from the application that made them a member.
- **Area** comes from the postcode at the time (kept with the answers) or the
  application. Postcode districts that straddle the City/County boundary (LE2
  to LE5) are their own "not determined" row; "Not known" means no usable
  postcode.

Nothing is dropped: "Not stated" (no answer, or no form) and "Prefer not to
say" are rows of their own, and percentages are of everyone counted.

Every count goes through :mod:`lived_experience.reporting.suppression`: fewer
than 5 shows as "fewer than 5", and further counts are hidden ("not shown")
where needed so that no hidden count can be worked out from the totals, from
the other windows or from the channel table. Percentages of hidden counts are
hidden too.

Needs ``Perm.EQUALITY_READ``; each build is audited (no values).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from db.enums import Area, Channel
from db.models import Application, EqualityMonitoring, MembershipTerm, RecruitmentWindow
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import NotFound
from lived_experience.core.uow import unit_of_work
from lived_experience.members.status import is_active_on
from lived_experience.recruitment import equality as eq
from lived_experience.reporting.census import load_census
from lived_experience.reporting.suppression import (
    HIDDEN_TEXT,
    SMALL_LIMIT,
    SMALL_TEXT,
    CannotProtect,
    Network,
)
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

NOT_STATED = "not_stated"
ALL = "all"
MEMBERS = "members"


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    census: float | None = None  # percent of the LLR population, where the census has it
    short: str = ""  # a column heading

    @property
    def heading(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Topic:
    key: str  # the characteristic: area, ethnic_group, sex, age_band, disability
    title: str
    categories: tuple[Category, ...]
    census_note: str

    def category_of(self, value: str | None) -> str:
        keys = {c.key for c in self.categories}
        return value if value in keys else NOT_STATED


@dataclass(frozen=True)
class Figure:
    """A count as published: the number, or why it is not shown."""

    value: int | None  # None when hidden
    text: str
    percent: float | None = None

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def percent_text(self) -> str:
        return "" if self.percent is None else f"{self.percent:.0f}%"


@dataclass(frozen=True)
class Population:
    key: str  # "window:ID", "all" or "members"
    label: str
    total: int

    @property
    def total_text(self) -> str:
        return f"{self.total:,}"


@dataclass
class TopicTable:
    topic: Topic
    figures: dict[tuple[str, str], Figure]  # (population key, category key) -> figure
    channels: list[tuple[str, str]]  # (channel key, label) with anyone in them, over all windows
    channel_totals: dict[str, Figure]
    channel_figures: dict[tuple[str, str], Figure]  # (channel, category) -> figure
    withheld: list[str] = field(default_factory=list)  # why some of the figures are not published at all

    def figure(self, population: str, category: str) -> Figure:
        return self.figures[(population, category)]


@dataclass
class RepresentativenessReport:
    generated_at: dt.datetime
    window_id: int | None  # the window chosen, or None for all windows
    windows: list[Population]  # every window, oldest first
    all_windows: Population
    members: Population
    tables: list[TopicTable]
    notes: list[str] = field(default_factory=list)

    @property
    def chosen(self) -> Population:
        if self.window_id is None:
            return self.all_windows
        return next(w for w in self.windows if w.key == f"window:{self.window_id}")

    def table(self, topic_key: str) -> TopicTable:
        return next(t for t in self.tables if t.topic.key == topic_key)


# -- the characteristics and their census comparison ------------------------------------------------
def _question_topic(question: eq.Question, key: str, title: str, census_topic: str, note: str) -> Topic:
    census = load_census().percents.get(census_topic, {})
    short = {**{o.value: o.value for o in eq.AGE_BAND.options}, "other": "Another",
             eq.PREFER_NOT_TO_SAY: "Prefer not to say"}
    cats = [Category(o.value, o.label, census.get(o.census) if o.census else None,
                     short.get(o.value) if question is eq.AGE_BAND or o.value == eq.PREFER_NOT_TO_SAY
                     else (o.census if o.census and len(o.census) < 14 else short.get(o.value, o.label)))
            for o in question.options]
    cats.append(Category(NOT_STATED, eq.NOT_STATED_LABEL, None, eq.NOT_STATED_LABEL))
    return Topic(key, title, tuple(cats), note)


def topics() -> tuple[Topic, ...]:
    census = load_census()
    area = Topic(
        "area", "Area",
        (
            Category("city", "Leicester City", census.area_percents["city"], "City"),
            Category("county", "Leicestershire", census.area_percents["county"], "County"),
            Category("rutland", "Rutland", census.area_percents["rutland"], "Rutland"),
            Category("city_or_county", "City or County: not determined (LE2 to LE5)", None, "Not determined"),
            Category("outside", "Outside LLR", None, "Outside LLR"),
            Category(NOT_STATED, "Not known (no usable postcode)", None, "Not known"),
        ),
        "Where applicants live (or work, when no home postcode was given), from their postcode district. "
        "Districts on the City/County boundary cannot be placed from the district alone.",
    )
    return (
        area,
        _question_topic(eq.ETHNIC_GROUP, "ethnic_group", "Ethnic group (broad)", "ethnic_group_broad",
                        "Census: all usual residents."),
        _question_topic(eq.SEX, "sex", "Sex", "sex", "Census: all usual residents."),
        _question_topic(eq.AGE_BAND, "age_band", "Age band", "age_band",
                        "Census: residents aged 15 and over. The 0 to 14 band is left out and the other bands "
                        "rebased to 100%; the census's youngest band is 15 to 24, compared here with 16 to 24."),
        _question_topic(eq.DISABILITY, "disability", "Disability (Equality Act 2010)", "disability",
                        "Census: all usual residents."),
    )


CHANNELS: tuple[tuple[str, str], ...] = tuple((c.value, c.label) for c in Channel) + ((NOT_STATED, "Not stated"),)


# -- who is counted --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Record:
    window_id: int | None
    answers: dict[str, str | None]
    area: str | None
    channel: str | None


def _area(home: str | None, work: str | None) -> str | None:
    if home and home != Area.UNKNOWN.value:
        return home
    if work and work != Area.UNKNOWN.value:
        return work
    return None


def _answers(row) -> dict[str, str | None]:
    return {q: getattr(row, q) for q in ("age_band", "sex", "ethnic_group", "disability")}


def _load(s, today: dt.date) -> tuple[list[_Record], list[_Record], list[tuple[int, str]]]:
    windows = [(w.id, w.name) for w in s.execute(
        select(RecruitmentWindow.id, RecruitmentWindow.name).order_by(RecruitmentWindow.opens_on,
                                                                      RecruitmentWindow.id))]
    applicants: list[_Record] = []
    em_rows = s.execute(
        select(EqualityMonitoring, Application.home_area, Application.work_area, Application.how_heard,
               Application.window_id)
        .outerjoin(Application, Application.id == EqualityMonitoring.application_id)
    ).all()
    by_application: dict[int, _Record] = {}
    for em, home, work, heard, app_window in em_rows:
        rec = _Record(em.window_id or app_window, _answers(em), em.area or _area(home, work),
                      em.how_heard or heard)
        applicants.append(rec)
        if em.application_id is not None:
            by_application[em.application_id] = rec
    for app in s.execute(
        select(Application.id, Application.window_id, Application.home_area, Application.work_area,
               Application.how_heard)
        .where(Application.anonymised_at.is_(None),
               Application.id.not_in(select(EqualityMonitoring.application_id)
                                     .where(EqualityMonitoring.application_id.is_not(None))))
    ):
        rec = _Record(app.window_id, dict.fromkeys(("age_band", "sex", "ethnic_group", "disability")),
                      _area(app.home_area, app.work_area), app.how_heard)
        applicants.append(rec)
        by_application[app.id] = rec
    members: list[_Record] = []
    for person_id, application_id in s.execute(
        select(MembershipTerm.person_id, MembershipTerm.application_id).where(is_active_on(today))
    ):
        app_id = application_id
        if app_id is None or app_id not in by_application:
            app_id = s.scalar(select(Application.id).where(Application.person_id == person_id)
                              .order_by(Application.received_at.desc()).limit(1))
        rec = by_application.get(app_id) if app_id is not None else None
        members.append(rec if rec is not None else _Record(None, dict.fromkeys(("age_band", "sex", "ethnic_group",
                                                                                  "disability")), None, None))
    return applicants, members, windows


def _value(rec: _Record, topic: Topic) -> str:
    raw = rec.area if topic.key == "area" else rec.answers.get(topic.key)
    return topic.category_of(raw)


def _channel(rec: _Record) -> str:
    return rec.channel if rec.channel in {c for c, _ in CHANNELS} else NOT_STATED


# -- building one characteristic's tables, suppressed together -------------------------------------
def _figure(cell, total: int | None) -> Figure:
    if cell.hidden is not None:
        return Figure(None, cell.text())
    pct = (100.0 * cell.value / total) if total else None
    return Figure(cell.value, cell.text(), pct)


def build_topic(topic: Topic, applicants: list[_Record], members: list[_Record],
                window_ids: list[int]) -> TopicTable:
    cats = [c.key for c in topic.categories]
    x = {(w, c): 0 for w in window_ids for c in cats}
    for rec in applicants:
        if rec.window_id in window_ids:
            x[(rec.window_id, _value(rec, topic))] += 1
    n = {w: sum(x[(w, c)] for c in cats) for w in window_ids}
    t = {c: sum(x[(w, c)] for w in window_ids) for c in cats}
    y: dict[tuple[str, str], int] = {}
    for rec in applicants:
        if rec.window_id in window_ids:
            key = (_channel(rec), _value(rec, topic))
            y[key] = y.get(key, 0) + 1
    channels = [(ch, label) for ch, label in CHANNELS if any(y.get((ch, c)) for c in cats)]
    m = {ch: sum(y.get((ch, c), 0) for c in cats) for ch, _ in channels}

    # Applicants: windows -> categories -> channels, all adding up.
    applicants_withheld = False
    net = Network()
    for w in window_ids:
        if n[w]:
            net.add(("n", w), "S", f"W{w}", n[w], public=True)
            for c in cats:
                net.add(("x", w, c), f"W{w}", f"C{c}", x[(w, c)])
    grand = sum(n.values())
    if grand:
        for c in cats:
            net.add(("t", c), f"C{c}", f"D{c}", t[c])
        for ch, _ in channels:
            for c in cats:
                net.add(("y", ch, c), f"D{c}", f"H{ch}", y.get((ch, c), 0))
            net.add(("m", ch), f"H{ch}", "T", m[ch], public=True)
        applicants_withheld = not _suppressed(net)

    # Members: one line, on its own.
    mem = {c: 0 for c in cats}
    for rec in members:
        mem[_value(rec, topic)] += 1
    mnet = Network()
    if members:
        mnet.add(("n",), "S", "M", len(members), public=True)
        for c in cats:
            mnet.add(("x", c), "M", "T", mem[c])
    members_withheld = bool(members) and not _suppressed(mnet)

    figures: dict[tuple[str, str], Figure] = {}
    cells = {c.key: c for c in net.cells}
    a = _WITHHELD if applicants_withheld else None
    for w in window_ids:
        for c in cats:
            cell = cells.get(("x", w, c))
            figures[(f"window:{w}", c)] = a or (_figure(cell, _shown_total(cells.get(("n", w)))) if cell else
                                                _EMPTY)
    for c in cats:
        cell = cells.get(("t", c))
        figures[(ALL, c)] = a or (_figure(cell, grand) if cell else _EMPTY)
    mcells = {c.key: c for c in mnet.cells}
    for c in cats:
        cell = mcells.get(("x", c))
        figures[(MEMBERS, c)] = _WITHHELD if members_withheld else (_figure(cell, len(members)) if cell else
                                                                     _EMPTY)
    channel_totals = {ch: _figure(cells[("m", ch)], grand) for ch, _ in channels}
    channel_figures = {
        (ch, c): a or _figure(cells[("y", ch, c)], _shown_total(cells[("m", ch)])) for ch, _ in channels
        for c in cats
    }
    withheld = []
    if applicants_withheld:
        withheld.append(f"Applicants' figures for {_lower_first(topic.title)} are withheld: there are so few "
                        "people, or so many in one group, that any count shown would give the others away.")
    if members_withheld:
        withheld.append(f"Members' figures for {_lower_first(topic.title)} are withheld: there are so few, or "
                        "so many in one group, that any count shown would give the others away.")
    return TopicTable(topic, figures, channels, channel_totals, channel_figures, withheld)


WITHHELD_TEXT = "withheld"
_WITHHELD = Figure(None, WITHHELD_TEXT)


def _suppressed(net: Network) -> bool:
    """Suppress the network; False when it cannot be protected (its figures are then withheld)."""
    try:
        net.suppress()
    except CannotProtect:
        return False
    return True


def _lower_first(title: str) -> str:
    return title[:1].lower() + title[1:]


# A population with nobody in it: every count is 0, shown like any small count.
_EMPTY = Figure(None, SMALL_TEXT)


def _shown_total(cell) -> int | None:
    return None if cell is None or cell.hidden is not None else cell.value


# -- the report ------------------------------------------------------------------------------------
def build_report(ctx: AppContext, window_id: int | None = None, *, audit_view: bool = True
                 ) -> RepresentativenessReport:
    """The representativeness report, for one window's applicants (or all windows) and the members."""
    require(ctx, Perm.EQUALITY_READ, entity="equality_monitoring")
    today = clock.today()
    with unit_of_work(ctx, readonly=True) as s:
        applicants, members, windows = _load(s, today)
    ids = [w for w, _ in windows]
    if window_id is not None and window_id not in ids:
        raise NotFound(f"There is no recruitment window with id {window_id}.")
    counts = {w: 0 for w in ids}
    for rec in applicants:
        if rec.window_id in counts:
            counts[rec.window_id] += 1
    pops = [Population(f"window:{w}", name, counts[w]) for w, name in windows]
    all_pop = Population(ALL, "All windows", sum(counts.values()))
    mem_pop = Population(MEMBERS, "Members now", len(members))
    tables = [build_topic(topic, applicants, members, ids) for topic in topics()]
    census = load_census()
    notes = [
        f"Counts of fewer than {SMALL_LIMIT} people show as \u201cfewer than {SMALL_LIMIT}\u201d. Where a small "
        f"count could otherwise be worked out from the totals, another count is also hidden "
        f"(\u201c{HIDDEN_TEXT}\u201d: it is {SMALL_LIMIT} or more). Percentages of hidden counts are hidden.",
        "\u201cNot stated\u201d counts everyone who left a question blank or did not fill in the equality "
        "monitoring form; \u201cPrefer not to say\u201d is shown separately. Percentages are of everyone "
        "counted, including them.",
        "Applicants include the answers kept from applicants who have since been anonymised. Members are "
        f"those whose term is active on {today.strftime('%d/%m/%Y')}.",
        f"Population figures: {census.source}.",
    ]
    if audit_view:
        audit.record_now(ctx, "report.view", entity="equality_monitoring",
                         detail="representativeness report (counts only, small numbers suppressed)"
                                + (f", window {window_id}" if window_id else ""))
    return RepresentativenessReport(clock.now(), window_id, pops, all_pop, mem_pop, tables, notes)
