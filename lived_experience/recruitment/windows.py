"""Recruitment windows: create, edit, close early, mark selection complete, and
the figures a window's page shows (places filled, offered, reserve by score).

A window's status is never stored: it is derived from its dates and the
panel's decisions (``lived_experience.recruitment.status``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from db.enums import Channel, Stage, WindowStatus
from db.models import Application, Person, RecruitmentWindow, WindowChannel
from lived_experience.core import clock
from lived_experience.core.children import sync_children
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.recruitment.scores import scores_for
from lived_experience.recruitment.status import window_status
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

MAX_PLACES = 10
# The channels the programme always advertises on (domain rule 1); a new window starts with them.
STANDARD_CHANNELS = (Channel.OPCC_WEBSITE, Channel.PEOPLE_ZONES, Channel.SOCIAL_MEDIA, Channel.NEIGHBOURHOOD_LINK)
# Channels a window can be advertised on (word of mouth is how people hear, not where we advertise).
ADVERT_CHANNELS = (*STANDARD_CHANNELS, Channel.PARTNER_ORGANISATION, Channel.OTHER)
# Stages that hold one of the window's places.
PLACE_STAGES = (Stage.OFFERED, Stage.ACCEPTED, Stage.DBS_CLEARED, Stage.MEMBER)
UNDECIDED_STAGES = (Stage.RECEIVED, Stage.ELIGIBILITY_CHECKED, Stage.SHORTLISTED, Stage.ASSESSED)


@dataclass(frozen=True)
class ChannelEntry:
    channel: Channel
    other_text: str | None = None

    @property
    def label(self) -> str:
        if self.channel is Channel.OTHER and self.other_text:
            return f"Other: {self.other_text}"
        return self.channel.label


@dataclass
class WindowForm:
    name: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    places: int = MAX_PLACES
    selection_interview: bool = True
    selection_video: bool = True
    channels: list[ChannelEntry] = field(default_factory=lambda: [ChannelEntry(c) for c in STANDARD_CHANNELS])
    advert_text: str | None = None
    term_starts_on: dt.date | None = None
    notes: str | None = None
    previous_window_id: int | None = None


@dataclass(frozen=True)
class ReserveEntry:
    application_id: int
    name: str
    score: float | None
    received_at: dt.datetime


@dataclass
class WindowDetail:
    id: int
    version: int
    name: str
    opens_on: dt.date
    closes_on: dt.date
    places: int
    selection_interview: bool
    selection_video: bool
    channels: list[ChannelEntry]
    advert_text: str | None
    term_starts_on: dt.date | None
    notes: str | None
    closed_early_on: dt.date | None
    selection_completed_on: dt.date | None
    previous_window_id: int | None
    status: WindowStatus
    applications: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)
    reserve: list[ReserveEntry] = field(default_factory=list)

    @property
    def offered(self) -> int:
        """Offers made and not yet accepted."""
        return self.by_stage.get(Stage.OFFERED.value, 0)

    @property
    def accepted(self) -> int:
        """Offers accepted (including those whose DBS check has cleared)."""
        return self.by_stage.get(Stage.ACCEPTED.value, 0) + self.by_stage.get(Stage.DBS_CLEARED.value, 0)

    @property
    def filled(self) -> int:
        """Places filled: applicants who became members."""
        return self.by_stage.get(Stage.MEMBER.value, 0)

    @property
    def places_taken(self) -> int:
        """Places held by an offer, an acceptance or a membership."""
        return sum(self.by_stage.get(s.value, 0) for s in PLACE_STAGES)

    @property
    def places_left(self) -> int:
        return max(0, self.places - self.places_taken)

    @property
    def undecided(self) -> int:
        return sum(self.by_stage.get(s.value, 0) for s in UNDECIDED_STAGES)

    @property
    def selection_methods(self) -> str:
        methods = [m for m, on in (("interview", self.selection_interview), ("video submission",
                                                                               self.selection_video)) if on]
        return " or ".join(methods).capitalize()

    def to_form(self) -> WindowForm:
        return WindowForm(self.name, self.opens_on, self.closes_on, self.places, self.selection_interview,
                          self.selection_video, list(self.channels), self.advert_text, self.term_starts_on,
                          self.notes, self.previous_window_id)


@dataclass(frozen=True)
class WindowChoice:
    id: int
    name: str
    status: WindowStatus
    opens_on: dt.date

    @property
    def label(self) -> str:
        return f"{self.name} ({self.status.label.lower()})"


# -- validation ----------------------------------------------------------------------------
def _clean(session, form: WindowForm, window_id: int | None) -> dict:
    errors: dict[str, str] = {}
    name = " ".join((form.name or "").split())
    if not name:
        errors["name"] = "A window needs a name."
    elif len(name) > 120:
        errors["name"] = "The name is longer than 120 characters."
    else:
        clash = session.scalar(select(RecruitmentWindow.id).where(func.lower(RecruitmentWindow.name) == name.lower()))
        if clash is not None and clash != window_id:
            errors["name"] = f"There is already a window called '{name}': choose another name."
    if form.opens_on is None:
        errors["opens_on"] = "The opening date is needed."
    if form.closes_on is None:
        errors["closes_on"] = "The closing date is needed."
    if form.opens_on and form.closes_on and form.closes_on <= form.opens_on:
        errors["closes_on"] = (f"The closing date ({uk_date(form.closes_on)}) must be after the opening date "
                               f"({uk_date(form.opens_on)}).")
    try:
        places = int(form.places)
    except (TypeError, ValueError):
        places = 0
    if not 1 <= places <= MAX_PLACES:
        errors["places"] = (f"A window can offer from 1 to {MAX_PLACES} places (the group has at most "
                            f"{MAX_PLACES} members); {form.places} is not allowed.")
    if not (form.selection_interview or form.selection_video):
        errors["selection"] = "Choose at least one way of selecting: interview, video submission, or both."
    channels: dict[Channel, str | None] = {}
    for entry in form.channels or []:
        ch = Channel(entry.channel)
        text = " ".join((entry.other_text or "").split()) or None
        if ch is Channel.OTHER:
            if not text:
                errors["channels"] = "Say what the other channel was (for example 'community radio')."
            elif len(text) > 200:
                errors["channels"] = "The other channel's description is longer than 200 characters."
        else:
            text = None
        channels[ch] = text
    if not channels:
        errors["channels"] = "Choose at least one channel the window was advertised on."
    if form.term_starts_on and form.closes_on and form.term_starts_on <= form.closes_on:
        errors["term_starts_on"] = (f"The term should start after the window closes on {uk_date(form.closes_on)}: "
                                    f"{uk_date(form.term_starts_on)} is too early.")
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    return {
        "name": name,
        "opens_on": form.opens_on,
        "closes_on": form.closes_on,
        "places": places,
        "selection_interview": bool(form.selection_interview),
        "selection_video": bool(form.selection_video),
        "advert_text": (form.advert_text or "").strip() or None,
        "term_starts_on": form.term_starts_on,
        "notes": (form.notes or "").strip() or None,
        "channels": channels,
    }


def _set_channels(session, w: RecruitmentWindow, channels: dict[Channel, str | None]) -> bool:
    return sync_children(w.channels, lambda c: Channel(c.channel), channels,
                         lambda ch, text: WindowChannel(channel=ch.value, other_text=text))


def _stage_counts(session, window_id: int) -> dict[str, int]:
    return dict(session.execute(
        select(Application.stage, func.count(Application.id)).where(Application.window_id == window_id)
        .group_by(Application.stage)
    ).all())


def reserve_list(session, window_id: int) -> list[ReserveEntry]:
    """The reserve list, best score first (unscored last), then earliest application."""
    rows = session.execute(
        select(Application.id, Person.first_name, Person.last_name, Person.preferred_name,
               Application.received_at)
        .join(Person, Person.id == Application.person_id)
        .where(Application.window_id == window_id, Application.stage == Stage.RESERVE.value)
    ).all()
    scores = scores_for(session, [r.id for r in rows])
    out = [ReserveEntry(r.id, f"{r.preferred_name or r.first_name} {r.last_name}".strip(), scores.get(r.id),
                        r.received_at) for r in rows]
    out.sort(key=lambda e: (e.score is None, -(e.score or 0.0), e.received_at, e.application_id))
    return out


def _detail(session, w: RecruitmentWindow) -> WindowDetail:
    counts = _stage_counts(session, w.id)
    return WindowDetail(
        id=w.id, version=w.version, name=w.name, opens_on=w.opens_on, closes_on=w.closes_on, places=w.places,
        selection_interview=w.selection_interview, selection_video=w.selection_video,
        channels=sorted((ChannelEntry(Channel(c.channel), c.other_text) for c in w.channels),
                        key=lambda e: list(Channel).index(e.channel)),
        advert_text=w.advert_text, term_starts_on=w.term_starts_on, notes=w.notes,
        closed_early_on=w.closed_early_on, selection_completed_on=w.selection_completed_on,
        previous_window_id=w.previous_window_id,
        status=window_status(w.opens_on, w.closes_on, w.closed_early_on, w.selection_completed_on),
        applications=sum(counts.values()), by_stage=counts, reserve=reserve_list(session, w.id),
    )


# -- services -----------------------------------------------------------------------------------------
def get_window(ctx: AppContext, window_id: int) -> WindowDetail:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        return _detail(s, get_or_404(s, RecruitmentWindow, window_id, "recruitment window"))


def window_choices(ctx: AppContext) -> list[WindowChoice]:
    """Every window, newest first, for choosers."""
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        rows = s.execute(select(RecruitmentWindow.id, RecruitmentWindow.name, RecruitmentWindow.opens_on,
                                RecruitmentWindow.closes_on, RecruitmentWindow.closed_early_on,
                                RecruitmentWindow.selection_completed_on)
                         .order_by(RecruitmentWindow.opens_on.desc(), RecruitmentWindow.id.desc())).all()
    return [WindowChoice(r.id, r.name, window_status(r.opens_on, r.closes_on, r.closed_early_on,
                                                     r.selection_completed_on), r.opens_on) for r in rows]


def create_window(ctx: AppContext, form: WindowForm) -> WindowDetail:
    require(ctx, Perm.WRITE, entity="recruitment_window")
    with unit_of_work(ctx) as s:
        values = _clean(s, form, None)
        channels = values.pop("channels")
        previous = form.previous_window_id
        if previous is None:
            previous = s.scalar(select(RecruitmentWindow.id).where(RecruitmentWindow.opens_on < values["opens_on"])
                                .order_by(RecruitmentWindow.opens_on.desc()).limit(1))
        w = RecruitmentWindow(**values, previous_window_id=previous)
        s.add(w)
        _set_channels(s, w, channels)
        s.flush()
        audit.record(s, ctx.actor, "window.create", entity="recruitment_window", entity_id=w.id,
                     fields=[*values.keys(), "channels"])
        return _detail(s, w)


def update_window(ctx: AppContext, window_id: int, form: WindowForm, *, expected_version: int | None) -> WindowDetail:
    require(ctx, Perm.WRITE, entity="recruitment_window", entity_id=window_id)
    with unit_of_work(ctx) as s:
        w = get_or_404(s, RecruitmentWindow, window_id, "recruitment window")
        check_version(s, w, expected_version, "recruitment window")
        values = _clean(s, form, window_id)
        channels = values.pop("channels")
        taken = sum(n for st, n in _stage_counts(s, window_id).items() if st in {p.value for p in PLACE_STAGES})
        if values["places"] < taken:
            raise ValidationError(
                f"{taken} applicants already hold an offer or a place in this window, so it needs at least "
                f"{taken} places.", {"places": "too few places"})
        changed = [k for k, v in values.items() if getattr(w, k) != v]
        for k in changed:
            setattr(w, k, values[k])
        if _set_channels(s, w, channels):
            changed.append("channels")
        if changed:
            # A change to the channels alone does not touch the window row: bump its version anyway,
            # so another form that loaded the old channels is refused.
            w.updated_at = clock.now()
            s.flush()
            audit.record(s, ctx.actor, "window.change", entity="recruitment_window", entity_id=w.id, fields=changed)
        return _detail(s, w)


def close_early(ctx: AppContext, window_id: int, *, on: dt.date | None = None,
                expected_version: int | None = None) -> WindowDetail:
    """Stop taking applications before the closing date (from ``on``, today by default)."""
    require(ctx, Perm.WRITE, entity="recruitment_window", entity_id=window_id)
    on = on or clock.today()
    with unit_of_work(ctx) as s:
        w = get_or_404(s, RecruitmentWindow, window_id, "recruitment window")
        check_version(s, w, expected_version, "recruitment window")
        status = window_status(w.opens_on, w.closes_on, w.closed_early_on, w.selection_completed_on)
        if status is not WindowStatus.OPEN:
            hint = {
                WindowStatus.UPCOMING: "it has not opened yet: change its dates instead",
                WindowStatus.CLOSED: "it has already closed",
                WindowStatus.SELECTION_COMPLETE: "its selection is already complete",
            }[status]
            raise UserError(f"'{w.name}' cannot be closed early: {hint}.")
        if on < w.opens_on or on >= w.closes_on:
            raise ValidationError(
                f"Closing early must be between the opening date ({uk_date(w.opens_on)}) and the day before the "
                f"closing date ({uk_date(w.closes_on - dt.timedelta(days=1))}).", {"on": "out of range"})
        if on < clock.today():
            raise ValidationError("A window cannot be closed early on a date that has passed: "
                                  "choose today or a later date.", {"on": "in the past"})
        w.closed_early_on = on
        s.flush()
        audit.record(s, ctx.actor, "window.close_early", entity="recruitment_window", entity_id=w.id,
                     fields=["closed_early_on"])
        return _detail(s, w)


def mark_selection_complete(ctx: AppContext, window_id: int, *, on: dt.date | None = None,
                            expected_version: int | None = None) -> WindowDetail:
    """The panel has decided: every applicant is offered, on reserve, unsuccessful or withdrawn."""
    require(ctx, Perm.WRITE, entity="recruitment_window", entity_id=window_id)
    on = on or clock.today()
    with unit_of_work(ctx) as s:
        w = get_or_404(s, RecruitmentWindow, window_id, "recruitment window")
        check_version(s, w, expected_version, "recruitment window")
        status = window_status(w.opens_on, w.closes_on, w.closed_early_on, w.selection_completed_on)
        if status is WindowStatus.SELECTION_COMPLETE:
            raise UserError(f"Selection for '{w.name}' was already marked complete on "
                            f"{uk_date(w.selection_completed_on)}.")
        if status is not WindowStatus.CLOSED:
            raise UserError(f"'{w.name}' is still {status.label.lower()}: selection can be marked complete "
                            "once the window has closed.")
        counts = _stage_counts(s, window_id)
        waiting = sum(counts.get(st.value, 0) for st in UNDECIDED_STAGES)
        if waiting:
            raise UserError(
                f"{waiting} {'applicant is' if waiting == 1 else 'applicants are'} still waiting for a decision "
                "(received, eligibility checked, shortlisted or assessed). Move each of them to offered, reserve, "
                "unsuccessful or withdrawn first.")
        w.selection_completed_on = on
        s.flush()
        audit.record(s, ctx.actor, "window.selection_complete", entity="recruitment_window", entity_id=w.id,
                     fields=["selection_completed_on"])
        return _detail(s, w)
