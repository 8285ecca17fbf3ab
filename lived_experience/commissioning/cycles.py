"""Commissioning cycles: Analyse, Plan, Do, Review, their dates, activities and decisions.

A new cycle gets its four stages and each stage's usual activities as a
checklist: consultation with the incumbent provider, previous service users
and stakeholders (Analyse); the equality impact assessment (Plan); procurement
or a grant (Do); monitoring and due diligence (Review). The current stage is
derived from the dates (``stages.current_stage``), never stored.

A decision records its date, who decided, and the feedback items that informed
it: the evidence the Police and Crime Panel or a procurement file can follow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from db.enums import CycleActivityKind, CycleStage
from db.models import (
    CommissionedService,
    CommissioningCycle,
    CommissioningDecision,
    CycleActivity,
    CycleStagePlan,
    DecisionFeedback,
    FeedbackItem,
)
from lived_experience.commissioning.stages import STAGE_LABELS, current_stage
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.security.records import delete_record

K = CycleActivityKind
STAGE_ACTIVITIES: dict[CycleStage, tuple[CycleActivityKind, ...]] = {
    CycleStage.ANALYSE: (K.CONSULT_INCUMBENT, K.CONSULT_SERVICE_USERS, K.CONSULT_STAKEHOLDERS),
    CycleStage.PLAN: (K.EQUALITY_IMPACT_ASSESSMENT,),
    CycleStage.DO: (K.PROCUREMENT, K.GRANT),
    CycleStage.REVIEW: (K.MONITORING, K.DUE_DILIGENCE),
}
# The checklist a new cycle starts with (Do: procurement; switch it to a grant if that is the route).
DEFAULT_ACTIVITIES: dict[CycleStage, tuple[CycleActivityKind, ...]] = {
    **STAGE_ACTIVITIES, CycleStage.DO: (K.PROCUREMENT,),
}


@dataclass(frozen=True)
class ActivityInfo:
    id: int
    version: int
    kind: str
    label: str
    done_on: dt.date | None
    reference: str | None
    notes: str | None


@dataclass(frozen=True)
class StageInfo:
    id: int
    version: int
    stage: str
    label: str
    position: int
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    notes: str | None
    is_current: bool
    state: str  # plain words: Done, Under way, Not started, Late to start, Overrunning
    activities: list[ActivityInfo]


@dataclass(frozen=True)
class DecisionInfo:
    id: int
    version: int
    decided_on: dt.date
    decided_by: str
    summary: str
    detail: str | None
    stage: str | None
    feedback_ids: list[int]


@dataclass(frozen=True)
class CycleDetail:
    id: int
    version: int
    service_id: int
    service_name: str
    name: str
    starts_on: dt.date | None
    notes: str | None
    current_stage: str
    current_stage_label: str
    stages: list[StageInfo]
    decisions: list[DecisionInfo]
    feedback_count: int


def stage_state(st, today: dt.date) -> str:
    if st.actual_end and st.actual_end < today:
        return "Done"
    if st.actual_start and st.actual_start <= today:
        if st.planned_end and today > st.planned_end:
            return "Under way, past its planned end"
        return "Under way"
    if st.planned_start and today > st.planned_start:
        return "Late to start"
    return "Not started"


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


# -- cycles -------------------------------------------------------------------------------
def create_cycle(ctx: AppContext, service_id: int, name: str, starts_on: dt.date | None = None,
                 notes: str | None = None, *, stage_days: int = 90) -> int:
    """A cycle with its four stages planned back to back from ``starts_on`` (``stage_days`` each),
    and each stage's usual activities to tick off."""
    require(ctx, Perm.WRITE, entity="commissioning_cycle")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the cycle a name, for example 'ISVA recommissioning 2027'.")
    if len(name) > 200:
        raise ValidationError("A cycle name can be at most 200 characters.")
    with unit_of_work(ctx) as s:
        get_or_404(s, CommissionedService, service_id, "commissioned service")
        clash = s.scalar(select(CommissioningCycle.id).where(CommissioningCycle.service_id == service_id,
                                                             func.lower(CommissioningCycle.name) == name.lower()))
        if clash:
            raise ValidationError(f"This service already has a cycle called '{name}'.")
        cycle = CommissioningCycle(service_id=service_id, name=name, starts_on=starts_on, notes=_clean(notes),
                                   created_by_id=ctx.actor.id, updated_by_id=ctx.actor.id)
        s.add(cycle)
        s.flush()
        start = starts_on
        for pos, stage in enumerate(CycleStage):
            p_start = start
            p_end = start + dt.timedelta(days=stage_days - 1) if start else None
            st = CycleStagePlan(cycle_id=cycle.id, stage=stage.value, position=pos, planned_start=p_start,
                                planned_end=p_end, created_by_id=ctx.actor.id, updated_by_id=ctx.actor.id)
            s.add(st)
            s.flush()
            for kind in DEFAULT_ACTIVITIES[stage]:
                s.add(CycleActivity(stage_id=st.id, kind=kind.value, created_by_id=ctx.actor.id,
                                    updated_by_id=ctx.actor.id))
            start = p_end + dt.timedelta(days=1) if p_end else None
        audit.record(s, ctx.actor, "cycle.create", entity="commissioning_cycle", entity_id=cycle.id,
                     fields=["name", "starts_on", "stages"])
        return cycle.id


def update_cycle(ctx: AppContext, cycle_id: int, name: str, starts_on: dt.date | None, notes: str | None,
                 expected_version: int | None) -> None:
    require(ctx, Perm.WRITE, entity="commissioning_cycle", entity_id=cycle_id)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the cycle a name.")
    with unit_of_work(ctx) as s:
        c = get_or_404(s, CommissioningCycle, cycle_id, "commissioning cycle")
        check_version(s, c, expected_version, "cycle")
        changed = [k for k, v in (("name", name), ("starts_on", starts_on), ("notes", _clean(notes)))
                   if getattr(c, k) != v]
        for k, v in (("name", name), ("starts_on", starts_on), ("notes", _clean(notes))):
            setattr(c, k, v)
        if changed:
            c.updated_by_id = ctx.actor.id
            c.updated_at = clock.now()
            audit.record(s, ctx.actor, "cycle.change", entity="commissioning_cycle", entity_id=c.id, fields=changed)


def list_cycles(ctx: AppContext, service_id: int) -> list[CycleDetail]:
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        ids = list(s.scalars(select(CommissioningCycle.id).where(CommissioningCycle.service_id == service_id)
                             .order_by(CommissioningCycle.starts_on.desc().nulls_last(), CommissioningCycle.id.desc())))
    return [get_cycle(ctx, i) for i in ids]


def get_cycle(ctx: AppContext, cycle_id: int, *, today: dt.date | None = None) -> CycleDetail:
    require(ctx, Perm.READ, entity="commissioning_cycle", entity_id=cycle_id)
    today = today or clock.today()
    with unit_of_work(ctx, readonly=True) as s:
        c = get_or_404(s, CommissioningCycle, cycle_id, "commissioning cycle")
        current = current_stage(c.stages, today)
        stages = [
            StageInfo(
                id=st.id, version=st.version, stage=st.stage, label=CycleStage(st.stage).label, position=st.position,
                planned_start=st.planned_start, planned_end=st.planned_end, actual_start=st.actual_start,
                actual_end=st.actual_end, notes=st.notes, is_current=st.stage == current,
                state=stage_state(st, today),
                activities=[ActivityInfo(a.id, a.version, a.kind, CycleActivityKind(a.kind).label, a.done_on,
                                         a.reference, a.notes) for a in st.activities],
            )
            for st in sorted(c.stages, key=lambda x: x.position)
        ]
        links: dict[int, list[int]] = {}
        for did, fid in s.execute(
            select(DecisionFeedback.decision_id, DecisionFeedback.feedback_id)
            .join(CommissioningDecision, CommissioningDecision.id == DecisionFeedback.decision_id)
            .where(CommissioningDecision.cycle_id == cycle_id).order_by(DecisionFeedback.feedback_id)
        ):
            links.setdefault(did, []).append(fid)
        decisions = [DecisionInfo(d.id, d.version, d.decided_on, d.decided_by, d.summary, d.detail, d.stage,
                                  links.get(d.id, [])) for d in c.decisions]
        fcount = s.scalar(select(func.count(FeedbackItem.id)).where(cycle_feedback_condition(cycle_id)))
        return CycleDetail(
            id=c.id, version=c.version, service_id=c.service_id, service_name=c.service.name, name=c.name,
            starts_on=c.starts_on, notes=c.notes, current_stage=current,
            current_stage_label=STAGE_LABELS.get(current, current), stages=stages, decisions=decisions,
            feedback_count=fcount or 0,
        )


def cycle_feedback_condition(cycle_id: int):
    """Feedback "linked to" a cycle: recorded against it, or behind one of its decisions."""
    return or_(
        FeedbackItem.cycle_id == cycle_id,
        FeedbackItem.id.in_(
            select(DecisionFeedback.feedback_id)
            .join(CommissioningDecision, CommissioningDecision.id == DecisionFeedback.decision_id)
            .where(CommissioningDecision.cycle_id == cycle_id)
        ),
    )


# -- stages -------------------------------------------------------------------------------
@dataclass
class StageDates:
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    notes: str | None = None


def update_stage(ctx: AppContext, stage_id: int, dates: StageDates, expected_version: int | None) -> None:
    require(ctx, Perm.WRITE, entity="cycle_stage", entity_id=stage_id)
    today = clock.today()
    errors: dict[str, str] = {}
    if dates.planned_start and dates.planned_end and dates.planned_end < dates.planned_start:
        errors["planned_end"] = "The planned end is before the planned start."
    if dates.actual_end and not dates.actual_start:
        errors["actual_start"] = "A stage that has finished must have started: give the actual start."
    if dates.actual_start and dates.actual_end and dates.actual_end < dates.actual_start:
        errors["actual_end"] = "The actual end is before the actual start."
    if dates.actual_start and dates.actual_start > today:
        errors["actual_start"] = (f"The actual start ({uk_date(dates.actual_start)}) is in the future: "
                                  "put it in the planned start until it happens.")
    if dates.actual_end and dates.actual_end > today:
        errors["actual_end"] = f"The actual end ({uk_date(dates.actual_end)}) is in the future."
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    with unit_of_work(ctx) as s:
        st = get_or_404(s, CycleStagePlan, stage_id, "cycle stage")
        check_version(s, st, expected_version, "stage")
        if dates.actual_start:
            earlier = [o for o in st.cycle.stages if o.position < st.position]
            not_started = [o for o in earlier if not o.actual_start]
            if not_started:
                raise ValidationError(
                    f"{CycleStage(st.stage).label} cannot start before {CycleStage(not_started[0].stage).label} "
                    "has started: record that stage's actual start first.")
        values = {"planned_start": dates.planned_start, "planned_end": dates.planned_end,
                  "actual_start": dates.actual_start, "actual_end": dates.actual_end, "notes": _clean(dates.notes)}
        changed = [k for k, v in values.items() if getattr(st, k) != v]
        for k in changed:
            setattr(st, k, values[k])
        if changed:
            st.updated_by_id = ctx.actor.id
            st.updated_at = clock.now()
            audit.record(s, ctx.actor, "cycle.stage", entity="cycle_stage", entity_id=st.id, fields=changed,
                         detail=st.stage)


# -- activities ---------------------------------------------------------------------------
@dataclass
class ActivityInput:
    kind: str
    done_on: dt.date | None = None
    reference: str | None = None
    notes: str | None = None


def _check_activity(stage: str, data: ActivityInput) -> dict:
    try:
        kind = CycleActivityKind.parse(data.kind)
    except ValueError:
        raise ValidationError(f"'{data.kind}' is not a commissioning activity.") from None
    st = CycleStage(stage)
    if kind not in STAGE_ACTIVITIES[st]:
        allowed = ", ".join(k.label.lower() for k in STAGE_ACTIVITIES[st])
        raise ValidationError(f"{kind.label} is not part of the {st.label} stage (it has: {allowed}).")
    if data.done_on and data.done_on > clock.today():
        raise ValidationError(f"The date done ({uk_date(data.done_on)}) is in the future.")
    reference = _clean(data.reference)
    if reference and len(reference) > 120:
        raise ValidationError("A reference can be at most 120 characters.")
    if kind is CycleActivityKind.EQUALITY_IMPACT_ASSESSMENT and data.done_on and not reference:
        raise ValidationError("Give the equality impact assessment's reference with the date it was done.")
    return {"kind": kind.value, "done_on": data.done_on, "reference": reference, "notes": _clean(data.notes)}


def add_activity(ctx: AppContext, stage_id: int, data: ActivityInput) -> int:
    require(ctx, Perm.WRITE, entity="cycle_activity")
    with unit_of_work(ctx) as s:
        st = get_or_404(s, CycleStagePlan, stage_id, "cycle stage")
        clean = _check_activity(st.stage, data)
        a = CycleActivity(stage_id=stage_id, **clean, created_by_id=ctx.actor.id, updated_by_id=ctx.actor.id)
        s.add(a)
        s.flush()
        audit.record(s, ctx.actor, "cycle.activity.create", entity="cycle_activity", entity_id=a.id,
                     fields=[k for k, v in clean.items() if v is not None])
        return a.id


def update_activity(ctx: AppContext, activity_id: int, data: ActivityInput, expected_version: int | None) -> None:
    require(ctx, Perm.WRITE, entity="cycle_activity", entity_id=activity_id)
    with unit_of_work(ctx) as s:
        a = get_or_404(s, CycleActivity, activity_id, "activity")
        check_version(s, a, expected_version, "activity")
        st = s.get(CycleStagePlan, a.stage_id)
        clean = _check_activity(st.stage, data)
        changed = [k for k, v in clean.items() if getattr(a, k) != v]
        for k in changed:
            setattr(a, k, clean[k])
        if changed:
            a.updated_by_id = ctx.actor.id
            a.updated_at = clock.now()
            audit.record(s, ctx.actor, "cycle.activity.change", entity="cycle_activity", entity_id=a.id,
                         fields=changed)


def delete_activity(ctx: AppContext, activity_id: int, expected_version: int | None) -> None:
    delete_record(ctx, CycleActivity, activity_id, expected_version, what="activity", action="cycle.activity.delete")


# -- decisions ------------------------------------------------------------------------------
@dataclass
class DecisionInput:
    decided_on: dt.date | None
    decided_by: str
    summary: str
    detail: str | None = None
    stage: str | None = None
    feedback_ids: list[int] | None = None


def _check_decision(s, data: DecisionInput) -> dict:
    errors: dict[str, str] = {}
    if data.decided_on is None:
        errors["decided_on"] = "Give the date of the decision."
    elif data.decided_on > clock.today():
        errors["decided_on"] = f"The decision date ({uk_date(data.decided_on)}) is in the future."
    who = " ".join((data.decided_by or "").split())
    if not who:
        errors["decided_by"] = "Say who made the decision (for example: Police and Crime Commissioner)."
    summary = " ".join((data.summary or "").split())
    if not summary:
        errors["summary"] = "Summarise the decision."
    elif len(summary) > 300:
        errors["summary"] = f"The summary is {len(summary)} characters: keep it to 300 and put the rest in the detail."
    stage = None
    if data.stage:
        try:
            stage = CycleStage.parse(data.stage).value
        except ValueError:
            errors["stage"] = f"'{data.stage}' is not a stage."
    ids = sorted(set(data.feedback_ids or []))
    if ids:
        found = set(s.scalars(select(FeedbackItem.id).where(FeedbackItem.id.in_(ids))))
        missing = [i for i in ids if i not in found]
        if missing:
            errors["feedback"] = f"There is no feedback item with id {missing[0]}."
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    return dict(decided_on=data.decided_on, decided_by=who, summary=summary, detail=_clean(data.detail),
                stage=stage, feedback_ids=ids)


def record_decision(ctx: AppContext, cycle_id: int, data: DecisionInput) -> int:
    require(ctx, Perm.WRITE, entity="commissioning_decision")
    with unit_of_work(ctx) as s:
        get_or_404(s, CommissioningCycle, cycle_id, "commissioning cycle")
        clean = _check_decision(s, data)
        ids = clean.pop("feedback_ids")
        d = CommissioningDecision(cycle_id=cycle_id, **clean, created_by_id=ctx.actor.id,
                                  updated_by_id=ctx.actor.id)
        d.feedback_links = [DecisionFeedback(feedback_id=i) for i in ids]
        s.add(d)
        s.flush()
        audit.record(s, ctx.actor, "decision.create", entity="commissioning_decision", entity_id=d.id,
                     fields=[k for k, v in clean.items() if v is not None] + (["feedback"] if ids else []))
        return d.id


def update_decision(ctx: AppContext, decision_id: int, data: DecisionInput, expected_version: int | None) -> None:
    require(ctx, Perm.WRITE, entity="commissioning_decision", entity_id=decision_id)
    with unit_of_work(ctx) as s:
        d = get_or_404(s, CommissioningDecision, decision_id, "decision")
        check_version(s, d, expected_version, "decision")
        clean = _check_decision(s, data)
        ids = set(clean.pop("feedback_ids"))
        changed = [k for k, v in clean.items() if getattr(d, k) != v]
        for k in changed:
            setattr(d, k, clean[k])
        have = {link.feedback_id for link in d.feedback_links}
        if have != ids:
            d.feedback_links[:] = [link for link in d.feedback_links if link.feedback_id in ids]
            d.feedback_links.extend(DecisionFeedback(feedback_id=i) for i in sorted(ids - have))
            changed.append("feedback")
        if changed:
            d.updated_by_id = ctx.actor.id
            d.updated_at = clock.now()
            audit.record(s, ctx.actor, "decision.change", entity="commissioning_decision", entity_id=d.id,
                         fields=changed)


def delete_decision(ctx: AppContext, decision_id: int, expected_version: int | None) -> None:
    delete_record(ctx, CommissioningDecision, decision_id, expected_version, what="decision", action="decision.delete")


@dataclass(frozen=True)
class FeedbackChoice:
    id: int
    summary: str
    received_on: dt.date
    status: str
    linked_to_cycle: bool


def evidence_candidates(ctx: AppContext, cycle_id: int) -> list[FeedbackChoice]:
    """Feedback a decision in this cycle could rest on: items for the cycle first, then
    any other item about the same service. Never any source."""
    from db.models import FeedbackService

    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        c = get_or_404(s, CommissioningCycle, cycle_id, "commissioning cycle")
        rows = s.execute(
            select(FeedbackItem.id, FeedbackItem.summary, FeedbackItem.received_on, FeedbackItem.status,
                   FeedbackItem.cycle_id)
            .where(or_(FeedbackItem.cycle_id == cycle_id,
                       FeedbackItem.id.in_(select(FeedbackService.feedback_id)
                                           .where(FeedbackService.service_id == c.service_id))))
            .order_by(FeedbackItem.received_on.desc(), FeedbackItem.id.desc())
        ).all()
    out = [FeedbackChoice(i, sm, r, st, cid == cycle_id) for i, sm, r, st, cid in rows]
    return sorted(out, key=lambda f: (not f.linked_to_cycle,))
