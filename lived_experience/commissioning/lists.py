"""The commissioned services register."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from db.enums import ServiceKind, ServiceStatus
from db.models import CommissionedService as S
from db.models import CommissioningCycle, Organisation
from lived_experience.commissioning.stages import CurrentStage, current_stage
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
