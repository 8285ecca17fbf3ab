"""Feedback items: capture, themes, and the "you said, we did" loop.

Rules kept here (never only in the window):

- An item needs a summary, a source and the date it was received; a meeting
  source names the meeting (and the agenda item, if any, must belong to it); a
  member source names the member. Themes must be active; rights are 1-12.
- When an item is anonymous, the link to the person (or stakeholder contact) is
  kept but readable only with ``Perm.ANONYMOUS_SOURCE``, field by field, and each
  reading is audited. Nobody without that permission can change or remove the
  link, or make the item non-anonymous. The link never leaves the app: lists,
  workbooks, PDFs, search results and audit events do not carry it.
- The loop moves one step at a time: new -> under consideration -> response
  agreed -> actioned or not actioned (with the reason) -> reported back (date
  and how). A response ("we did...") has an owner and a due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import CycleStage, FeedbackSource, FeedbackStatus, Priority
from db.functions import fold_text
from db.models import (
    AgendaItem,
    CommissionedService,
    CommissioningCycle,
    CommissioningDecision,
    DecisionFeedback,
    FeedbackItem,
    FeedbackRight,
    FeedbackService,
    FeedbackTheme,
    Meeting,
    MembershipTerm,
    Organisation,
    OrganisationContact,
    Person,
    StaffUser,
    Theme,
    VictimsCodeRight,
)
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import PermissionDenied, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

SUMMARY_MAX = 500
QUOTE_MAX = 10_000

# The loop, one step at a time.
TRANSITIONS: dict[FeedbackStatus, tuple[FeedbackStatus, ...]] = {
    FeedbackStatus.NEW: (FeedbackStatus.UNDER_CONSIDERATION,),
    FeedbackStatus.UNDER_CONSIDERATION: (FeedbackStatus.RESPONSE_AGREED,),
    FeedbackStatus.RESPONSE_AGREED: (FeedbackStatus.ACTIONED, FeedbackStatus.NOT_ACTIONED),
    FeedbackStatus.ACTIONED: (FeedbackStatus.REPORTED_BACK,),
    FeedbackStatus.NOT_ACTIONED: (FeedbackStatus.REPORTED_BACK,),
    FeedbackStatus.REPORTED_BACK: (),
}
WAITING = (FeedbackStatus.NEW, FeedbackStatus.UNDER_CONSIDERATION)
# The source fields that are hidden when an item is anonymous.
SOURCE_LINK_FIELDS = ("person_id", "contact_id")


def next_statuses(status: str) -> list[FeedbackStatus]:
    return list(TRANSITIONS.get(FeedbackStatus(status), ()))


def person_name(first: str | None, last: str | None, preferred: str | None = None) -> str:
    return f"{preferred or first or ''} {last or ''}".strip()


# -- plain objects handed to callers -------------------------------------------------------
@dataclass(frozen=True)
class ThemeInfo:
    id: int
    name: str
    description: str | None
    is_active: bool
    version: int
    uses: int = 0


@dataclass
class FeedbackInput:
    """What the capture form sends. Ids refer to existing records."""

    summary: str
    source_kind: str
    received_on: dt.date | None = None
    quote: str | None = None
    meeting_id: int | None = None
    agenda_item_id: int | None = None
    person_id: int | None = None
    contact_id: int | None = None
    anonymous: bool = False
    theme_ids: list[int] = field(default_factory=list)
    service_ids: list[int] = field(default_factory=list)
    rights: list[int] = field(default_factory=list)
    cycle_id: int | None = None
    cycle_stage: str | None = None
    priority: str = Priority.MEDIUM.value


@dataclass(frozen=True)
class Choice:
    id: int
    label: str
    extra: int | None = None  # e.g. a cycle's service id, an agenda item's meeting id


@dataclass(frozen=True)
class CaptureChoices:
    themes: list[Choice]
    services: list[Choice]
    rights: list[Choice]
    cycles: list[Choice]  # extra = service id
    meetings: list[Choice]
    members: list[Choice]
    contacts: list[Choice]
    owners: list[Choice]


@dataclass(frozen=True)
class DecisionRef:
    id: int
    decided_on: dt.date
    summary: str
    cycle_name: str


@dataclass(frozen=True)
class FeedbackDetail:
    id: int
    version: int
    summary: str
    quote: str | None
    source_kind: str
    source_label: str  # plain words for the source, never a hidden name
    meeting_id: int | None
    meeting_title: str | None
    agenda_item_id: int | None
    agenda_item_title: str | None
    anonymous: bool
    source_hidden: bool  # an anonymous link exists and this actor may not read it (or did not ask)
    person_id: int | None  # None when hidden
    person_name: str | None
    contact_id: int | None
    contact_name: str | None
    received_on: dt.date
    theme_ids: list[int]
    themes: list[str]
    service_ids: list[int]
    services: list[str]
    rights: list[int]
    cycle_id: int | None
    cycle_name: str | None
    cycle_stage: str | None
    priority: str
    status: str
    status_changed_at: dt.date | None
    response: str | None
    response_owner_id: int | None
    response_owner_name: str | None
    response_owner: str | None  # who, in words
    response_due_on: dt.date | None
    not_actioned_reason: str | None
    reported_back_on: dt.date | None
    reported_back_how: str | None
    next_statuses: list[str]
    decisions: list[DecisionRef]
    can_reveal_source: bool

    @property
    def waiting_days(self) -> int:
        return (clock.today() - self.received_on).days


# -- helpers ------------------------------------------------------------------------------
def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = str(text).strip()
    return text or None


def _enum_value(enum, value, label: str, errors: dict, *, required: bool = True):
    if value in (None, ""):
        if required:
            errors[label] = f"Choose the {label.lower()}."
        return None
    try:
        return enum.parse(value).value
    except ValueError:
        errors[label] = f"{label}: '{value}' is not one of {', '.join(m.label for m in enum)}."
        return None


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)


def _validate(session: Session, data: FeedbackInput, *, existing: FeedbackItem | None = None) -> dict:
    """Check an input against the rules; return the clean values. One message per problem."""
    errors: dict[str, str] = {}
    today = clock.today()
    summary = _clean(data.summary)
    if not summary:
        errors["summary"] = "Write a short summary of what was said."
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = f"The summary is {len(summary)} characters long: keep it to {SUMMARY_MAX}."
    quote = _clean(data.quote)
    if quote and len(quote) > QUOTE_MAX:
        errors["quote"] = f"The quote is too long ({len(quote):,} characters; at most {QUOTE_MAX:,})."
    source = _enum_value(FeedbackSource, data.source_kind, "Source", errors)
    priority = _enum_value(Priority, data.priority or Priority.MEDIUM.value, "Priority", errors)
    stage = _enum_value(CycleStage, data.cycle_stage, "Stage", errors, required=False)
    received = data.received_on
    if received is None:
        errors["received_on"] = "Give the date the feedback was received."
    elif received > today:
        errors["received_on"] = f"The date received ({uk_date(received)}) is in the future."
    elif received < dt.date(2000, 1, 1):
        errors["received_on"] = f"The date received ({uk_date(received)}) is too far in the past."

    meeting_id = data.meeting_id
    agenda_id = data.agenda_item_id
    if meeting_id is not None and session.get(Meeting, meeting_id) is None:
        errors["meeting"] = f"There is no meeting with id {meeting_id}."
    if agenda_id is not None:
        ai = session.get(AgendaItem, agenda_id)
        if ai is None:
            errors["agenda_item"] = f"There is no agenda item with id {agenda_id}."
        elif meeting_id is None:
            meeting_id = ai.meeting_id
        elif ai.meeting_id != meeting_id:
            errors["agenda_item"] = "That agenda item belongs to a different meeting."
    if source == FeedbackSource.MEETING.value and meeting_id is None:
        errors["meeting"] = "Choose the meeting this feedback came from."

    person_id, contact_id = data.person_id, data.contact_id
    if person_id is not None and session.get(Person, person_id) is None:
        errors["person"] = f"There is no member with id {person_id}."
    if contact_id is not None and session.get(OrganisationContact, contact_id) is None:
        errors["contact"] = f"There is no stakeholder contact with id {contact_id}."
    anonymous = bool(data.anonymous) or source == FeedbackSource.ANONYMOUS.value
    if source == FeedbackSource.MEMBER.value and person_id is None and not (existing and existing.person_id):
        errors["person"] = "Choose the member this feedback came from (they can still be quoted anonymously)."

    existing_themes = {t.theme_id for t in existing.themes} if existing else set()
    theme_ids = sorted(set(data.theme_ids or []))
    if theme_ids:
        found = {t.id: t for t in session.scalars(select(Theme).where(Theme.id.in_(theme_ids)))}
        for tid in theme_ids:
            t = found.get(tid)
            if t is None:
                errors["themes"] = f"There is no theme with id {tid}."
            elif not t.is_active and tid not in existing_themes:
                errors["themes"] = f"The theme '{t.name}' is no longer in use: choose another."
    rights = sorted(set(int(r) for r in (data.rights or [])))
    bad = [r for r in rights if not 1 <= r <= 12]
    if bad:
        errors["rights"] = f"The Victims' Code has rights 1 to 12; {bad[0]} is not one of them."
    service_ids = set(data.service_ids or [])
    cycle_id = data.cycle_id
    if cycle_id is not None:
        cycle = session.get(CommissioningCycle, cycle_id)
        if cycle is None:
            errors["cycle"] = f"There is no commissioning cycle with id {cycle_id}."
        else:
            # Feedback that informs a cycle bears on that cycle's service.
            service_ids.add(cycle.service_id)
    elif stage is not None:
        errors["stage"] = "Choose the commissioning cycle the stage belongs to."
    service_ids = sorted(service_ids)
    if service_ids:
        found_s = set(session.scalars(select(CommissionedService.id).where(CommissionedService.id.in_(service_ids))))
        missing = [s for s in service_ids if s not in found_s]
        if missing:
            errors["services"] = f"There is no commissioned service with id {missing[0]}."
    _raise(errors)
    return dict(summary=summary, quote=quote, source_kind=source, priority=priority, cycle_stage=stage,
                received_on=received, meeting_id=meeting_id, agenda_item_id=agenda_id, person_id=person_id,
                contact_id=contact_id, anonymous=anonymous, theme_ids=theme_ids, rights=rights,
                service_ids=service_ids, cycle_id=cycle_id)


def _set_links(item: FeedbackItem, clean: dict) -> None:
    want_t = set(clean["theme_ids"])
    item.themes[:] = [t for t in item.themes if t.theme_id in want_t]
    have = {t.theme_id for t in item.themes}
    item.themes.extend(FeedbackTheme(theme_id=t) for t in sorted(want_t - have))
    want_s = set(clean["service_ids"])
    item.services[:] = [s for s in item.services if s.service_id in want_s]
    have = {s.service_id for s in item.services}
    item.services.extend(FeedbackService(service_id=s) for s in sorted(want_s - have))
    want_r = set(clean["rights"])
    item.rights[:] = [r for r in item.rights if r.right_number in want_r]
    have = {r.right_number for r in item.rights}
    item.rights.extend(FeedbackRight(right_number=r) for r in sorted(want_r - have))


def _may_read_source(ctx: AppContext) -> bool:
    return ctx.actor.can(Perm.ANONYMOUS_SOURCE)


# -- capture ------------------------------------------------------------------------------
def create_feedback(ctx: AppContext, data: FeedbackInput) -> int:
    require(ctx, Perm.WRITE, entity="feedback_item")
    with unit_of_work(ctx) as s:
        clean = _validate(s, data)
        item = FeedbackItem(
            summary=clean["summary"], quote=clean["quote"], source_kind=clean["source_kind"],
            meeting_id=clean["meeting_id"], agenda_item_id=clean["agenda_item_id"],
            person_id=clean["person_id"], contact_id=clean["contact_id"], anonymous=clean["anonymous"],
            received_on=clean["received_on"], cycle_id=clean["cycle_id"], cycle_stage=clean["cycle_stage"],
            priority=clean["priority"], status=FeedbackStatus.NEW.value, status_changed_at=clock.today(),
            created_by_id=ctx.actor.id, updated_by_id=ctx.actor.id,
        )
        _set_links(item, clean)
        s.add(item)
        s.flush()
        fields = ["summary", "source_kind", "received_on", "themes", "services", "rights", "priority"]
        fields += [k for k in ("quote", "meeting_id", "agenda_item_id", "cycle_id", "cycle_stage") if clean[k]]
        fields += [k for k in SOURCE_LINK_FIELDS if clean[k]]
        # Never ``subject_person_id`` on a feedback event: an item made anonymous later would
        # otherwise stay linked to its member in the (append-only) audit log.
        audit.record(s, ctx.actor, "feedback.create", entity="feedback_item", entity_id=item.id, fields=fields)
        return item.id


def update_feedback(ctx: AppContext, feedback_id: int, data: FeedbackInput, expected_version: int | None) -> None:
    """Change what was captured. Without ``ANONYMOUS_SOURCE`` the hidden link of an
    anonymous item is kept as it is, whatever the form sent."""
    require(ctx, Perm.WRITE, entity="feedback_item", entity_id=feedback_id)
    with unit_of_work(ctx) as s:
        item = get_or_404(s, FeedbackItem, feedback_id, "feedback item")
        check_version(s, item, expected_version, "feedback item")
        hidden = item.anonymous and not _may_read_source(ctx)
        if hidden:
            if not data.anonymous and data.source_kind != FeedbackSource.ANONYMOUS.value:
                raise PermissionDenied(
                    "This item was given anonymously. Only staff allowed to see who gave anonymous feedback "
                    "can make it non-anonymous.")
            data = FeedbackInput(**{**data.__dict__, "person_id": item.person_id, "contact_id": item.contact_id})
        clean = _validate(s, data, existing=item)
        changed = []
        for key in ("summary", "quote", "source_kind", "meeting_id", "agenda_item_id", "person_id", "contact_id",
                    "anonymous", "received_on", "cycle_id", "cycle_stage", "priority"):
            if getattr(item, key) != clean[key]:
                setattr(item, key, clean[key])
                changed.append(key)
        before = ({t.theme_id for t in item.themes}, {x.service_id for x in item.services},
                  {r.right_number for r in item.rights})
        _set_links(item, clean)
        after = (set(clean["theme_ids"]), set(clean["service_ids"]), set(clean["rights"]))
        changed += [name for name, b, a in zip(("themes", "services", "rights"), before, after, strict=True) if a != b]
        if not changed:
            return
        item.updated_by_id = ctx.actor.id
        item.updated_at = clock.now()
        audit.record(s, ctx.actor, "feedback.change", entity="feedback_item", entity_id=item.id, fields=changed)


def delete_feedback(ctx: AppContext, feedback_id: int, expected_version: int | None) -> None:
    require(ctx, Perm.WRITE, entity="feedback_item", entity_id=feedback_id)
    with unit_of_work(ctx) as s:
        item = get_or_404(s, FeedbackItem, feedback_id, "feedback item")
        check_version(s, item, expected_version, "feedback item")
        used = s.scalar(select(func.count(DecisionFeedback.id)).where(DecisionFeedback.feedback_id == feedback_id))
        if used:
            raise ValidationError(
                f"This feedback informed {used} commissioning decision{'s' if used != 1 else ''}: it is "
                "evidence and cannot be deleted. Remove it from the decision first if it was linked by mistake.")
        s.delete(item)
        audit.record(s, ctx.actor, "feedback.delete", entity="feedback_item", entity_id=feedback_id)


# -- reading ------------------------------------------------------------------------------
def get_feedback(ctx: AppContext, feedback_id: int, *, reveal_source: bool = False) -> FeedbackDetail:
    """One item. An anonymous item's source link is only filled in when
    ``reveal_source`` is asked for, by an actor holding ``ANONYMOUS_SOURCE``; the
    reading is audited. Asking without the permission is refused and logged."""
    require(ctx, Perm.READ, entity="feedback_item", entity_id=feedback_id)
    with unit_of_work(ctx, readonly=True) as s:
        item = get_or_404(s, FeedbackItem, feedback_id, "feedback item")
        anonymous_link = item.anonymous and (item.person_id is not None or item.contact_id is not None)
    if reveal_source and anonymous_link:
        require(ctx, Perm.ANONYMOUS_SOURCE, entity="feedback_item", entity_id=feedback_id)
    show_link = not anonymous_link or (reveal_source and _may_read_source(ctx))
    with unit_of_work(ctx, readonly=True) as s:
        item = get_or_404(s, FeedbackItem, feedback_id, "feedback item")
        detail = _detail(s, item, show_link=show_link, may_reveal=anonymous_link and _may_read_source(ctx))
    if anonymous_link and show_link:
        # The reading is recorded (who, when, which item) but not whose item it is: the audit
        # log is an output too, and the link never leaves the item.
        audit.record_now(ctx, "view", entity="feedback_item", entity_id=feedback_id,
                         fields=[k for k in SOURCE_LINK_FIELDS if getattr(detail, k) is not None],
                         detail="anonymous feedback source")
    return detail


def _owner_words(s: Session, item: FeedbackItem) -> str | None:
    if item.response_owner_id is not None:
        name = s.scalar(select(StaffUser.display_name).where(StaffUser.id == item.response_owner_id))
        if name:
            return name
    return item.response_owner_name


def _detail(s: Session, item: FeedbackItem, *, show_link: bool, may_reveal: bool) -> FeedbackDetail:
    meeting = s.get(Meeting, item.meeting_id) if item.meeting_id else None
    agenda = s.get(AgendaItem, item.agenda_item_id) if item.agenda_item_id else None
    cycle = s.get(CommissioningCycle, item.cycle_id) if item.cycle_id else None
    themes = s.execute(select(Theme.id, Theme.name).join(FeedbackTheme, FeedbackTheme.theme_id == Theme.id)
                       .where(FeedbackTheme.feedback_id == item.id).order_by(Theme.name)).all()
    services = s.execute(
        select(CommissionedService.id, CommissionedService.name)
        .join(FeedbackService, FeedbackService.service_id == CommissionedService.id)
        .where(FeedbackService.feedback_id == item.id).order_by(CommissionedService.name)).all()
    rights = sorted(r.right_number for r in item.rights)
    decisions = [
        DecisionRef(d.id, d.decided_on, d.summary, c.name)
        for d, c in s.execute(
            select(CommissioningDecision, CommissioningCycle)
            .join(DecisionFeedback, DecisionFeedback.decision_id == CommissioningDecision.id)
            .join(CommissioningCycle, CommissioningCycle.id == CommissioningDecision.cycle_id)
            .where(DecisionFeedback.feedback_id == item.id).order_by(CommissioningDecision.decided_on))
    ]
    person_id = item.person_id if show_link else None
    contact_id = item.contact_id if show_link else None
    pname = None
    if person_id is not None:
        p = s.get(Person, person_id)
        pname = person_name(p.first_name, p.last_name, p.preferred_name) if p else None
    cname = None
    if contact_id is not None:
        c = s.get(OrganisationContact, contact_id)
        if c is not None:
            org = s.get(Organisation, c.organisation_id)
            cname = f"{c.name} ({org.name})" if org else c.name
    hidden = item.anonymous and (item.person_id is not None or item.contact_id is not None) and not show_link
    return FeedbackDetail(
        id=item.id, version=item.version, summary=item.summary, quote=item.quote, source_kind=item.source_kind,
        source_label=source_words(item.source_kind, item.anonymous, meeting.title if meeting else None,
                                  pname, cname),
        meeting_id=item.meeting_id, meeting_title=meeting.title if meeting else None,
        agenda_item_id=item.agenda_item_id, agenda_item_title=agenda.title if agenda else None,
        anonymous=item.anonymous, source_hidden=hidden, person_id=person_id, person_name=pname,
        contact_id=contact_id, contact_name=cname, received_on=item.received_on,
        theme_ids=[t.id for t in themes], themes=[t.name for t in themes],
        service_ids=[x.id for x in services], services=[x.name for x in services], rights=rights,
        cycle_id=item.cycle_id, cycle_name=cycle.name if cycle else None, cycle_stage=item.cycle_stage,
        priority=item.priority, status=item.status, status_changed_at=item.status_changed_at,
        response=item.response, response_owner_id=item.response_owner_id,
        response_owner_name=item.response_owner_name, response_owner=_owner_words(s, item),
        response_due_on=item.response_due_on, not_actioned_reason=item.not_actioned_reason,
        reported_back_on=item.reported_back_on, reported_back_how=item.reported_back_how,
        next_statuses=[x.value for x in next_statuses(item.status)], decisions=decisions,
        can_reveal_source=may_reveal and not show_link,
    )


def source_words(source_kind: str, anonymous: bool, meeting_title: str | None = None,
                 person: str | None = None, contact: str | None = None) -> str:
    """The source in plain words. Names appear only when they were given (the caller decides)."""
    kind = FeedbackSource(source_kind)
    if kind is FeedbackSource.MEETING:
        base = f"Meeting: {meeting_title}" if meeting_title else "A meeting"
    else:
        base = kind.label
    if anonymous and not person and not contact:
        return f"{base} (anonymous)" if kind is not FeedbackSource.ANONYMOUS else "Anonymous"
    who = person or contact
    if who:
        return f"{base}: {who}" + (" (quoted anonymously)" if anonymous else "")
    return base


# -- the loop -----------------------------------------------------------------------------
@dataclass
class StepInput:
    """What a move in the loop needs. Only the fields the target status uses are read."""

    to_status: str
    response: str | None = None
    owner_id: int | None = None
    owner_name: str | None = None
    due_on: dt.date | None = None
    reason: str | None = None
    reported_on: dt.date | None = None
    reported_how: str | None = None


def move_feedback(ctx: AppContext, feedback_id: int, step: StepInput, expected_version: int | None) -> str:
    """Move an item one step along the loop. Returns the new status."""
    require(ctx, Perm.WRITE, entity="feedback_item", entity_id=feedback_id)
    today = clock.today()
    with unit_of_work(ctx) as s:
        item = get_or_404(s, FeedbackItem, feedback_id, "feedback item")
        check_version(s, item, expected_version, "feedback item")
        current = FeedbackStatus(item.status)
        try:
            target = FeedbackStatus.parse(step.to_status)
        except ValueError:
            raise ValidationError(f"'{step.to_status}' is not a feedback status.") from None
        allowed = TRANSITIONS[current]
        if target not in allowed:
            options = " or ".join(f"'{x.label}'" for x in allowed)
            raise ValidationError(
                f"Feedback that is '{current.label}' cannot move to '{target.label}'"
                + (f": the next step is {options}." if allowed else ": it has been reported back, the loop is closed."))
        errors: dict[str, str] = {}
        fields = ["status"]
        if target is FeedbackStatus.RESPONSE_AGREED:
            response = _clean(step.response) or item.response
            owner_id, owner_name = step.owner_id, _clean(step.owner_name)
            if owner_id is None and owner_name is None:
                owner_id, owner_name = item.response_owner_id, item.response_owner_name
            due = step.due_on or item.response_due_on
            if not response:
                errors["response"] = "Write the response agreed (what we will do, or why not)."
            if owner_id is None and owner_name is None:
                errors["owner"] = "Say who owns the response."
            elif owner_id is not None and s.get(StaffUser, owner_id) is None:
                errors["owner"] = f"There is no staff account with id {owner_id}."
            if due is None:
                errors["due_on"] = "Give the date the response is due."
            elif due < item.received_on:
                errors["due_on"] = "The response cannot be due before the feedback was received."
            _raise(errors)
            item.response, item.response_due_on = response, due
            item.response_owner_id = owner_id
            item.response_owner_name = None if owner_id is not None else owner_name
            fields += ["response", "response_owner", "response_due_on"]
        elif target is FeedbackStatus.ACTIONED:
            if _clean(step.response):
                item.response = _clean(step.response)
                fields.append("response")
            if not item.response:
                errors["response"] = "Say what was done."
        elif target is FeedbackStatus.NOT_ACTIONED:
            reason = _clean(step.reason)
            if not reason:
                errors["reason"] = "Give the reason it was not actioned: members will be told why."
            item.not_actioned_reason = reason
            fields.append("not_actioned_reason")
        elif target is FeedbackStatus.REPORTED_BACK:
            when, how = step.reported_on, _clean(step.reported_how)
            if when is None:
                errors["reported_on"] = "Give the date it was reported back to the group."
            elif when > today:
                errors["reported_on"] = f"The report-back date ({uk_date(when)}) is in the future."
            elif when < item.received_on:
                errors["reported_on"] = "It cannot be reported back before the feedback was received."
            if not how:
                errors["reported_how"] = "Say how it was reported back (for example: at the next forum)."
            item.reported_back_on, item.reported_back_how = when, how
            fields += ["reported_back_on", "reported_back_how"]
        _raise(errors)
        item.status = target.value
        item.status_changed_at = today
        item.updated_by_id = ctx.actor.id
        item.updated_at = clock.now()
        audit.record(s, ctx.actor, "feedback.status", entity="feedback_item", entity_id=item.id, fields=fields,
                     detail=f"{current.value} -> {target.value}")
        return target.value


def update_response(ctx: AppContext, feedback_id: int, expected_version: int | None, *, response: str | None,
                    owner_id: int | None = None, owner_name: str | None = None,
                    due_on: dt.date | None = None) -> None:
    """Change the response, its owner or due date without moving the item."""
    require(ctx, Perm.WRITE, entity="feedback_item", entity_id=feedback_id)
    with unit_of_work(ctx) as s:
        item = get_or_404(s, FeedbackItem, feedback_id, "feedback item")
        check_version(s, item, expected_version, "feedback item")
        if owner_id is not None and s.get(StaffUser, owner_id) is None:
            raise ValidationError(f"There is no staff account with id {owner_id}.")
        if due_on is not None and due_on < item.received_on:
            raise ValidationError("The response cannot be due before the feedback was received.")
        agreed = FeedbackStatus(item.status) not in WAITING
        if agreed and not _clean(response):
            raise ValidationError("A response has been agreed: it cannot be left empty.")
        if agreed and owner_id is None and not _clean(owner_name):
            raise ValidationError("A response that has been agreed needs an owner.")
        if agreed and due_on is None:
            raise ValidationError("A response that has been agreed needs a due date.")
        item.response = _clean(response)
        item.response_owner_id = owner_id
        item.response_owner_name = None if owner_id is not None else _clean(owner_name)
        item.response_due_on = due_on
        item.updated_by_id = ctx.actor.id
        item.updated_at = clock.now()
        audit.record(s, ctx.actor, "feedback.change", entity="feedback_item", entity_id=item.id,
                     fields=["response", "response_owner", "response_due_on"])


def waiting_too_long(ctx: AppContext, *, days: int | None = None) -> list[tuple[int, str, dt.date]]:
    """Items still new or under consideration, received more than ``days`` ago (the dashboard's rule)."""
    from lived_experience.settings import load as load_settings

    require(ctx, Perm.READ)
    days = load_settings(ctx).feedback_response_days if days is None else days
    cutoff = clock.today() - dt.timedelta(days=days)
    with unit_of_work(ctx, readonly=True) as s:
        return [tuple(r) for r in s.execute(
            select(FeedbackItem.id, FeedbackItem.summary, FeedbackItem.received_on)
            .where(FeedbackItem.status.in_([x.value for x in WAITING]), FeedbackItem.received_on < cutoff)
            .order_by(FeedbackItem.received_on))]


# -- themes -------------------------------------------------------------------------------
def list_themes(ctx: AppContext, *, include_inactive: bool = True) -> list[ThemeInfo]:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        uses = dict(s.execute(select(FeedbackTheme.theme_id, func.count(FeedbackTheme.id))
                              .group_by(FeedbackTheme.theme_id)).all())
        stmt = select(Theme).order_by(Theme.name)
        if not include_inactive:
            stmt = stmt.where(Theme.is_active.is_(True))
        return [ThemeInfo(t.id, t.name, t.description, t.is_active, t.version, uses.get(t.id, 0))
                for t in s.scalars(stmt)]


def _theme_name(s: Session, name: str, exclude_id: int | None = None) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise ValidationError("Give the theme a name.")
    if len(clean) > 120:
        raise ValidationError("A theme name can be at most 120 characters.")
    key = fold_text(clean)
    for tid, existing in s.execute(select(Theme.id, Theme.name)):
        if tid != exclude_id and fold_text(existing) == key:
            raise ValidationError(f"There is already a theme called '{existing}'.")
    return clean


def add_theme(ctx: AppContext, name: str, description: str | None = None) -> int:
    require(ctx, Perm.WRITE, entity="theme")
    with unit_of_work(ctx) as s:
        t = Theme(name=_theme_name(s, name), description=_clean(description), is_active=True,
                  created_by_id=ctx.actor.id, updated_by_id=ctx.actor.id)
        s.add(t)
        s.flush()
        audit.record(s, ctx.actor, "theme.create", entity="theme", entity_id=t.id, fields=["name"])
        return t.id


def rename_theme(ctx: AppContext, theme_id: int, name: str, expected_version: int | None,
                 description: str | None = None) -> None:
    require(ctx, Perm.WRITE, entity="theme", entity_id=theme_id)
    with unit_of_work(ctx) as s:
        t = get_or_404(s, Theme, theme_id, "theme")
        check_version(s, t, expected_version, "theme")
        t.name = _theme_name(s, name, exclude_id=theme_id)
        if description is not None:
            t.description = _clean(description)
        t.updated_by_id = ctx.actor.id
        t.updated_at = clock.now()
        audit.record(s, ctx.actor, "theme.change", entity="theme", entity_id=t.id, fields=["name"])


def set_theme_active(ctx: AppContext, theme_id: int, active: bool, expected_version: int | None) -> None:
    """Deactivating keeps the theme on the items that have it; it is just no longer offered."""
    require(ctx, Perm.WRITE, entity="theme", entity_id=theme_id)
    with unit_of_work(ctx) as s:
        t = get_or_404(s, Theme, theme_id, "theme")
        check_version(s, t, expected_version, "theme")
        if t.is_active == bool(active):
            return
        t.is_active = bool(active)
        t.updated_by_id = ctx.actor.id
        t.updated_at = clock.now()
        audit.record(s, ctx.actor, "theme.change", entity="theme", entity_id=t.id, fields=["is_active"])


# -- choices for the capture form ---------------------------------------------------------------
def capture_choices(ctx: AppContext) -> CaptureChoices:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        themes = [Choice(i, n) for i, n in s.execute(
            select(Theme.id, Theme.name).where(Theme.is_active.is_(True)).order_by(Theme.name))]
        services = [Choice(i, n) for i, n in s.execute(
            select(CommissionedService.id, CommissionedService.name).order_by(CommissionedService.name))]
        rights = [Choice(n, f"{n}. {t}") for n, t in s.execute(
            select(VictimsCodeRight.number, VictimsCodeRight.title).order_by(VictimsCodeRight.number))]
        cycles = [Choice(i, n, sid) for i, n, sid in s.execute(
            select(CommissioningCycle.id, CommissioningCycle.name, CommissioningCycle.service_id)
            .order_by(CommissioningCycle.starts_on.desc().nulls_last(), CommissioningCycle.name))]
        meetings = [Choice(i, f"{clock.to_london(at).strftime('%d/%m/%Y')} {t}") for i, t, at in s.execute(
            select(Meeting.id, Meeting.title, Meeting.starts_at).order_by(Meeting.starts_at.desc()))]
        members = [Choice(i, person_name(f, last, p)) for i, f, last, p in s.execute(
            select(Person.id, Person.first_name, Person.last_name, Person.preferred_name)
            .where(Person.id.in_(select(MembershipTerm.person_id)), Person.anonymised_at.is_(None))
            .order_by(Person.last_name, Person.first_name))]
        contacts = [Choice(i, f"{n} ({o})") for i, n, o in s.execute(
            select(OrganisationContact.id, OrganisationContact.name, Organisation.name)
            .join(Organisation, Organisation.id == OrganisationContact.organisation_id)
            .where(OrganisationContact.is_active.is_(True)).order_by(Organisation.name, OrganisationContact.name))]
        owners = [Choice(i, n) for i, n in s.execute(
            select(StaffUser.id, StaffUser.display_name).where(StaffUser.is_active.is_(True))
            .order_by(StaffUser.display_name))]
    return CaptureChoices(themes, services, rights, cycles, meetings, members, contacts, owners)


def agenda_choices(ctx: AppContext, meeting_id: int) -> list[Choice]:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        return [Choice(i, f"{p}. {t}", meeting_id) for i, p, t in s.execute(
            select(AgendaItem.id, AgendaItem.position, AgendaItem.title)
            .where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position))]


def meeting_date(ctx: AppContext, meeting_id: int) -> dt.date | None:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        at = s.scalar(select(Meeting.starts_at).where(Meeting.id == meeting_id))
    return clock.to_london(at).date() if at else None
