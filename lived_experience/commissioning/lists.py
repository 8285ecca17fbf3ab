"""The commissioned services register, its due-diligence visits, cycles and decisions."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from db.enums import CycleStage, ServiceKind, ServiceStatus
from db.models import CommissionedService as S
from db.models import (
    CommissioningCycle,
    CommissioningDecision,
    DecisionFeedback,
    DueDiligenceVisit,
    FeedbackItem,
    Organisation,
)
from lived_experience.commissioning.stages import CurrentStage, current_stage
from lived_experience.core.errors import UserError
from lived_experience.listing.registry import register
from lived_experience.listing.spec import ListColumn as C
from lived_experience.listing.spec import ListFilter, ListSpec


def current_cycles(session, service_ids):
    """The latest cycle of each service (by start date, then id; a cycle with no start
    date counts as the earliest, on every database), stages loaded."""
    latest = {}
    for cycle in session.scalars(
        select(CommissioningCycle)
        .where(CommissioningCycle.service_id.in_(service_ids))
        .options(selectinload(CommissioningCycle.stages))
        .order_by(CommissioningCycle.service_id, CommissioningCycle.starts_on.asc().nulls_first(),
                  CommissioningCycle.id)
    ):
        latest[cycle.service_id] = cycle
    return latest


def _enrich(session, ctx, rows):
    cycles = current_cycles(session, [r["id"] for r in rows])
    for r in rows:
        cycle = cycles.get(r["id"])
        r["current_cycle"] = cycle.name if cycle else None
        r["current_stage"] = current_stage(cycle.stages) if cycle else None


register(
    ListSpec(
        kind="services",
        title="Commissioned services",
        entity="commissioned_service",
        source=lambda: S.__table__.outerjoin(Organisation.__table__, Organisation.id == S.provider_id),
        id_expr=S.id,
        columns=[
            C("name", "Service", S.name, searchable=True, width=260),
            C("kind", "Kind", S.kind, kind="enum", enum=ServiceKind),
            C("provider", "Provider", func.coalesce(Organisation.name, S.provider_name), searchable=True, width=200),
            C("contract_start", "Contract starts", S.contract_start, kind="date"),
            C("contract_end", "Contract ends", S.contract_end, kind="date"),
            C("annual_value_pence", "Annual value", S.annual_value_pence, kind="money"),
            C("status", "Status", S.status, kind="enum", enum=ServiceStatus),
            C("current_cycle", "Current cycle", None, sortable=False),
            C("current_stage", "Current stage", None, kind="enum", enum=CurrentStage, sortable=False),
        ],
        filters=[
            ListFilter("kind", "Kind", S.kind, enum=ServiceKind),
            ListFilter("status", "Status", S.status, enum=ServiceStatus),
        ],
        default_sort=("contract_end", False),
        enrich=_enrich,
        description="Victim services the office commissions, with their contracts and cycles.",
    )
)


# -- due-diligence visits (the seed's Table One), cycles and decisions ------------------------------
def _int_filter(column, key: str):
    """``--filter service=3``: a record's number; anything else is one plain message."""

    def build(value):
        values = list(value) if isinstance(value, list | tuple | set) else [value]
        ids = []
        for v in values:
            text = str(v).strip()
            if isinstance(v, bool) or not text.isdigit():
                raise UserError(f"The '{key}' filter needs a number (the record's id), not '{v}'.")
            ids.append(int(text))
        return column.in_(ids)

    return build


register(
    ListSpec(
        kind="visits",
        title="Due-diligence visits",
        entity="due_diligence_visit",
        source=lambda: DueDiligenceVisit.__table__.join(S.__table__, S.id == DueDiligenceVisit.service_id),
        id_expr=DueDiligenceVisit.id,
        columns=[
            C("service", "Service", S.name, searchable=True, width=240),
            C("service_id", "Service id", DueDiligenceVisit.service_id, kind="int", hidden=True),
            C("visited_on", "Date", DueDiligenceVisit.visited_on, kind="date"),
            C("visited_by", "Who visited", DueDiligenceVisit.visited_by, searchable=True),
            C("area_and_work", "Area and work", DueDiligenceVisit.area_and_work, searchable=True),
            C("what_was_seen", "What was seen", DueDiligenceVisit.what_was_seen, searchable=True, width=300),
            C("outcome", "Outcome", DueDiligenceVisit.outcome, searchable=True, width=300),
        ],
        filters=[
            ListFilter("service", "Service", DueDiligenceVisit.service_id,
                       build=_int_filter(DueDiligenceVisit.service_id, "service")),
        ],
        default_sort=("visited_on", True),
        description="Visits to commissioned services: who went, what was seen, the outcome.",
    )
)


def _enrich_cycles(session, ctx, rows):
    stages = {}
    for cycle in session.scalars(select(CommissioningCycle).where(CommissioningCycle.id.in_([r["id"] for r in rows]))
                                 .options(selectinload(CommissioningCycle.stages))):
        stages[cycle.id] = cycle.stages
    for r in rows:
        r["current_stage"] = current_stage(stages.get(r["id"], []))


def _decisions_in_cycle():
    return (select(func.count(CommissioningDecision.id))
            .where(CommissioningDecision.cycle_id == CommissioningCycle.id).scalar_subquery())


def _feedback_for_cycle():
    return (select(func.count(FeedbackItem.id)).where(FeedbackItem.cycle_id == CommissioningCycle.id)
            .scalar_subquery())


register(
    ListSpec(
        kind="cycles",
        title="Commissioning cycles",
        entity="commissioning_cycle",
        source=lambda: CommissioningCycle.__table__.join(S.__table__, S.id == CommissioningCycle.service_id),
        id_expr=CommissioningCycle.id,
        columns=[
            C("name", "Cycle", CommissioningCycle.name, searchable=True, width=280),
            C("service", "Service", S.name, searchable=True, width=240),
            C("service_id", "Service id", CommissioningCycle.service_id, kind="int", hidden=True),
            C("starts_on", "Starts", CommissioningCycle.starts_on, kind="date"),
            C("current_stage", "Current stage", None, kind="enum", enum=CurrentStage, sortable=False),
            C("feedback", "Feedback recorded for it", _feedback_for_cycle(), kind="int"),
            C("decisions", "Decisions", _decisions_in_cycle(), kind="int"),
        ],
        filters=[
            ListFilter("service", "Service", CommissioningCycle.service_id,
                       build=_int_filter(CommissioningCycle.service_id, "service")),
        ],
        default_sort=("starts_on", True),
        enrich=_enrich_cycles,
        description="Each service's (re)commissioning cycles and where they are.",
    )
)


def _enrich_decisions(session, ctx, rows):
    linked: dict[int, list[int]] = {}
    for did, fid in session.execute(
        select(DecisionFeedback.decision_id, DecisionFeedback.feedback_id)
        .where(DecisionFeedback.decision_id.in_([r["id"] for r in rows])).order_by(DecisionFeedback.feedback_id)
    ):
        linked.setdefault(did, []).append(fid)
    for r in rows:
        r["feedback_ids"] = linked.get(r["id"], [])


register(
    ListSpec(
        kind="decisions",
        title="Commissioning decisions",
        entity="commissioning_decision",
        source=lambda: CommissioningDecision.__table__.join(
            CommissioningCycle.__table__, CommissioningCycle.id == CommissioningDecision.cycle_id
        ).join(S.__table__, S.id == CommissioningCycle.service_id),
        id_expr=CommissioningDecision.id,
        columns=[
            C("decided_on", "Decided on", CommissioningDecision.decided_on, kind="date"),
            C("summary", "Decision", CommissioningDecision.summary, searchable=True, width=320),
            C("decided_by", "Decided by", CommissioningDecision.decided_by, searchable=True),
            C("service", "Service", S.name, searchable=True, width=240),
            C("cycle", "Cycle", CommissioningCycle.name, searchable=True, width=240),
            C("cycle_id", "Cycle id", CommissioningDecision.cycle_id, kind="int", hidden=True),
            C("stage", "Stage", CommissioningDecision.stage, kind="enum", enum=CycleStage),
            C("feedback_ids", "Feedback that informed it (F- numbers)", None, kind="list", sortable=False),
            C("detail", "Detail", CommissioningDecision.detail, searchable=True, hidden=True),
        ],
        filters=[
            ListFilter("cycle", "Cycle", CommissioningDecision.cycle_id,
                       build=_int_filter(CommissioningDecision.cycle_id, "cycle")),
            ListFilter("service", "Service", CommissioningCycle.service_id,
                       build=_int_filter(CommissioningCycle.service_id, "service")),
        ],
        default_sort=("decided_on", True),
        enrich=_enrich_decisions,
        description="Decisions in commissioning cycles, and the feedback items behind each.",
    )
)
