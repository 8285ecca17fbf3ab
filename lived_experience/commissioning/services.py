"""The commissioned services register and its due-diligence visits.

A service has a name, a provider (an organisation), a kind, contract dates, an
annual value in whole pence and a status. Before a service is added the office
checks it is not duplicating one that already exists: a service of the same
kind, or one whose name and description share most of their words, is reported
as a possible duplicate, and adding it anyway needs a deliberate second step.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select

from db.enums import OrganisationKind, ServiceKind, ServiceStatus
from db.functions import fold_text
from db.models import CommissionedService, DueDiligenceVisit, Organisation
from lived_experience.commissioning.stages import STAGE_LABELS, current_stage
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_date
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm
from lived_experience.security.records import delete_record

# Words that say nothing about what a service does.
_STOP = frozenset(["a", "an", "and", "the", "of", "for", "to", "in", "on", "with", "by", "at", "from", "service", "services", "support", "victims", "victim", "leicester", "leicestershire", "rutland", "llr", "county", "city", "provision", "project", "pilot", "contract"])
SIMILARITY = 0.5  # share of the shorter description's words
MIN_SHARED_WORDS = 3


@dataclass
class ServiceInput:
    name: str
    kind: str
    provider_id: int | None = None
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    annual_value_pence: int | None = None
    status: str = ServiceStatus.ACTIVE.value
    description: str | None = None


@dataclass(frozen=True)
class PossibleDuplicate:
    id: int
    name: str
    kind: str
    reason: str


class DuplicateWarning(UserError):
    """A service like this one already exists. Add it anyway with ``allow_duplicate=True``."""

    def __init__(self, matches: list[PossibleDuplicate]):
        lines = [f"{m.name} ({m.reason})" for m in matches]
        super().__init__("This may duplicate a service that already exists: " + "; ".join(lines) + ".",
                         details=lines)
        self.matches = matches


@dataclass(frozen=True)
class VisitInfo:
    id: int
    version: int
    visited_on: dt.date
    visited_by: str
    area_and_work: str | None
    what_was_seen: str | None
    outcome: str | None


@dataclass(frozen=True)
class CycleSummary:
    id: int
    name: str
    starts_on: dt.date | None
    current_stage: str
    current_stage_label: str


@dataclass(frozen=True)
class ServiceDetail:
    id: int
    version: int
    name: str
    kind: str
    provider_id: int | None
    provider: str | None
    contract_start: dt.date | None
    contract_end: dt.date | None
    annual_value_pence: int | None
    status: str
    description: str | None
    days_to_contract_end: int | None
    ending_soon: bool
    visits: list[VisitInfo]
    cycles: list[CycleSummary]


def _words(text: str | None) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9']+", fold_text(text or "") or "") if w not in _STOP and len(w) > 2}


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def find_possible_duplicates(ctx: AppContext, name: str, kind: str, description: str | None = None, *,
                             exclude_id: int | None = None) -> list[PossibleDuplicate]:
    """Services of the same kind, or whose name and description overlap this one's."""
    require(ctx, Perm.READ)
    mine = _words(name) | _words(description)
    try:
        kind_value = ServiceKind.parse(kind).value if kind else None
    except ValueError:
        kind_value = None
    out = []
    with unit_of_work(ctx, readonly=True) as s:
        for sid, sname, skind, sdesc, status in s.execute(
            select(CommissionedService.id, CommissionedService.name, CommissionedService.kind,
                   CommissionedService.description, CommissionedService.status).order_by(CommissionedService.name)
        ):
            if sid == exclude_id:
                continue
            reasons = []
            if fold_text(sname) == fold_text((name or "").strip()):
                reasons.append("the same name")
            if kind_value and kind_value != ServiceKind.OTHER.value and skind == kind_value:
                reasons.append(f"the same kind: {ServiceKind(skind).label}")
            theirs = _words(sname) | _words(sdesc)
            shared_words = mine & theirs
            if len(shared_words) >= MIN_SHARED_WORDS:
                overlap = len(shared_words) / min(len(mine), len(theirs))
                if overlap >= SIMILARITY:
                    shared = ", ".join(sorted(mine & theirs)[:4])
                    reasons.append(f"a similar description: {shared}")
            if reasons:
                if status == ServiceStatus.ENDED.value:
                    reasons.append("ended")
                out.append(PossibleDuplicate(sid, sname, skind, "; ".join(reasons)))
    return out


def _validate(s, data: ServiceInput, exclude_id: int | None = None) -> dict:
    errors: dict[str, str] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = "Give the service a name."
    elif len(name) > 200:
        errors["name"] = "A service name can be at most 200 characters."
    else:
        for sid, other in s.execute(select(CommissionedService.id, CommissionedService.name)):
            if sid != exclude_id and fold_text(other) == fold_text(name):
                errors["name"] = f"There is already a service called '{other}'."
    try:
        kind = ServiceKind.parse(data.kind).value
    except ValueError:
        errors["kind"] = f"Kind: '{data.kind}' is not one of {', '.join(k.label for k in ServiceKind)}."
        kind = None
    try:
        status = ServiceStatus.parse(data.status or "active").value
    except ValueError:
        errors["status"] = f"Status: '{data.status}' is not one of {', '.join(k.label for k in ServiceStatus)}."
        status = None
    provider = None
    if data.provider_id is not None:
        provider = s.get(Organisation, data.provider_id)
        if provider is None:
            errors["provider"] = f"There is no organisation with id {data.provider_id}."
    if data.contract_start and data.contract_end and data.contract_end < data.contract_start:
        errors["contract_end"] = (f"The contract cannot end ({uk_date(data.contract_end)}) before it starts "
                                  f"({uk_date(data.contract_start)}).")
    value = data.annual_value_pence
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int):
            errors["annual_value"] = "The annual value must be an amount in pounds and pence."
        elif value < 0:
            errors["annual_value"] = "The annual value cannot be negative."
        elif value > 100_000_000_00:
            errors["annual_value"] = "The annual value is more than £100 million: check the amount."
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    return dict(name=name, kind=kind, status=status, provider_id=data.provider_id,
                provider_name=provider.name if provider else None, contract_start=data.contract_start,
                contract_end=data.contract_end, annual_value_pence=value, description=_clean(data.description))


def create_service(ctx: AppContext, data: ServiceInput, *, allow_duplicate: bool = False) -> int:
    require(ctx, Perm.WRITE, entity="commissioned_service")
    if not allow_duplicate:
        matches = find_possible_duplicates(ctx, data.name, data.kind, data.description)
        if matches:
            raise DuplicateWarning(matches)
    with unit_of_work(ctx) as s:
        clean = _validate(s, data)
        svc = CommissionedService(**clean, created_by_id=ctx.actor.id, updated_by_id=ctx.actor.id)
        s.add(svc)
        s.flush()
        audit.record(s, ctx.actor, "service.create", entity="commissioned_service", entity_id=svc.id,
                     fields=[k for k, v in clean.items() if v is not None],
                     detail="added despite a possible duplicate" if allow_duplicate else None)
        return svc.id


def update_service(ctx: AppContext, service_id: int, data: ServiceInput, expected_version: int | None) -> None:
    require(ctx, Perm.WRITE, entity="commissioned_service", entity_id=service_id)
    with unit_of_work(ctx) as s:
        svc = get_or_404(s, CommissionedService, service_id, "commissioned service")
        check_version(s, svc, expected_version, "service")
        clean = _validate(s, data, exclude_id=service_id)
        changed = [k for k, v in clean.items() if getattr(svc, k) != v]
        if not changed:
            return
        for k in changed:
            setattr(svc, k, clean[k])
        svc.updated_by_id = ctx.actor.id
        svc.updated_at = clock.now()
        audit.record(s, ctx.actor, "service.change", entity="commissioned_service", entity_id=svc.id,
                     fields=changed)


def get_service(ctx: AppContext, service_id: int) -> ServiceDetail:
    from lived_experience.settings import load as load_settings

    require(ctx, Perm.READ, entity="commissioned_service", entity_id=service_id)
    window = load_settings(ctx).contract_ending_days
    today = clock.today()
    with unit_of_work(ctx, readonly=True) as s:
        svc = get_or_404(s, CommissionedService, service_id, "commissioned service")
        provider = s.get(Organisation, svc.provider_id) if svc.provider_id else None
        days = (svc.contract_end - today).days if svc.contract_end else None
        cycles = []
        # Oldest first, the current (latest) cycle last; no start date counts as the oldest,
        # the same on SQLite and PostgreSQL (``lists.current_cycles``).
        for c in sorted(svc.cycles, key=lambda c: (c.starts_on is not None, c.starts_on or dt.date.min, c.id)):
            stage = current_stage(c.stages, today)
            cycles.append(CycleSummary(c.id, c.name, c.starts_on, stage, STAGE_LABELS.get(stage, stage)))
        return ServiceDetail(
            id=svc.id, version=svc.version, name=svc.name, kind=svc.kind, provider_id=svc.provider_id,
            provider=provider.name if provider else svc.provider_name, contract_start=svc.contract_start,
            contract_end=svc.contract_end, annual_value_pence=svc.annual_value_pence, status=svc.status,
            description=svc.description, days_to_contract_end=days,
            ending_soon=days is not None and 0 <= days <= window,
            visits=[_visit(v) for v in sorted(svc.visits, key=lambda v: v.visited_on, reverse=True)],
            cycles=cycles,
        )


def contracts_ending(ctx: AppContext, *, days: int | None = None) -> list[tuple[int, str, dt.date]]:
    """Services whose contract ends within ``days`` (the office setting by default): the dashboard's rule."""
    from lived_experience.settings import load as load_settings

    require(ctx, Perm.READ)
    days = load_settings(ctx).contract_ending_days if days is None else days
    today = clock.today()
    with unit_of_work(ctx, readonly=True) as s:
        return [tuple(r) for r in s.execute(
            select(CommissionedService.id, CommissionedService.name, CommissionedService.contract_end)
            .where(CommissionedService.contract_end >= today,
                   CommissionedService.contract_end <= today + dt.timedelta(days=days))
            .order_by(CommissionedService.contract_end))]


def providers(ctx: AppContext) -> list[tuple[int, str]]:
    """Organisations that can hold a contract, commissioned providers first."""
    require(ctx, Perm.READ)
    with unit_of_work(ctx, readonly=True) as s:
        rows = s.execute(select(Organisation.id, Organisation.name, Organisation.kind)
                         .where(Organisation.is_active.is_(True)).order_by(Organisation.name)).all()
    first = [(i, n) for i, n, k in rows if k == OrganisationKind.COMMISSIONED_PROVIDER.value]
    return first + [(i, n) for i, n, k in rows if k != OrganisationKind.COMMISSIONED_PROVIDER.value]


# -- due-diligence visits ------------------------------------------------------------------
@dataclass
class VisitInput:
    visited_on: dt.date | None
    visited_by: str
    area_and_work: str | None = None
    what_was_seen: str | None = None
    outcome: str | None = None


def _visit(v: DueDiligenceVisit) -> VisitInfo:
    return VisitInfo(v.id, v.version, v.visited_on, v.visited_by, v.area_and_work, v.what_was_seen, v.outcome)


def _check_visit(data: VisitInput) -> dict:
    errors = {}
    if data.visited_on is None:
        errors["visited_on"] = "Give the date of the visit."
    elif data.visited_on > clock.today() + dt.timedelta(days=366):
        errors["visited_on"] = "The visit date is more than a year ahead: check it."
    who = " ".join((data.visited_by or "").split())
    if not who:
        errors["visited_by"] = "Say who visited."
    elif len(who) > 200:
        errors["visited_by"] = "'Who visited' can be at most 200 characters."
    if not _clean(data.what_was_seen) and not _clean(data.outcome) and data.visited_on \
            and data.visited_on <= clock.today():
        errors["outcome"] = "Record what was seen or the outcome of the visit."
    if errors:
        raise ValidationError(" ".join(errors.values()), errors)
    return dict(visited_on=data.visited_on, visited_by=who, area_and_work=_clean(data.area_and_work),
                what_was_seen=_clean(data.what_was_seen), outcome=_clean(data.outcome))


def add_visit(ctx: AppContext, service_id: int, data: VisitInput) -> int:
    require(ctx, Perm.WRITE, entity="due_diligence_visit")
    clean = _check_visit(data)
    with unit_of_work(ctx) as s:
        get_or_404(s, CommissionedService, service_id, "commissioned service")
        v = DueDiligenceVisit(service_id=service_id, **clean, created_by_id=ctx.actor.id,
                              updated_by_id=ctx.actor.id)
        s.add(v)
        s.flush()
        audit.record(s, ctx.actor, "visit.create", entity="due_diligence_visit", entity_id=v.id,
                     fields=[k for k, val in clean.items() if val is not None])
        return v.id


def update_visit(ctx: AppContext, visit_id: int, data: VisitInput, expected_version: int | None) -> None:
    require(ctx, Perm.WRITE, entity="due_diligence_visit", entity_id=visit_id)
    clean = _check_visit(data)
    with unit_of_work(ctx) as s:
        v = get_or_404(s, DueDiligenceVisit, visit_id, "due-diligence visit")
        check_version(s, v, expected_version, "visit")
        changed = [k for k, val in clean.items() if getattr(v, k) != val]
        for k in changed:
            setattr(v, k, clean[k])
        if changed:
            v.updated_by_id = ctx.actor.id
            v.updated_at = clock.now()
            audit.record(s, ctx.actor, "visit.change", entity="due_diligence_visit", entity_id=v.id, fields=changed)


def delete_visit(ctx: AppContext, visit_id: int, expected_version: int | None) -> None:
    delete_record(ctx, DueDiligenceVisit, visit_id, expected_version, what="due-diligence visit", action="visit.delete")
