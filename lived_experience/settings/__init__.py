"""Office-wide settings, typed, in one place, stored in the database.

Every PC on a shared database sees the same rules (term length, reminder
periods, fees). Per-PC window state is the UI's business (QSettings).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, fields

from sqlalchemy import select

from db.models import AppSetting
from lived_experience.core.context import AppContext
from lived_experience.core.errors import ValidationError
from lived_experience.core.uow import unit_of_work
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

PROTECTIVE_MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")


@dataclass(frozen=True)
class Settings:
    # Membership
    term_months: int = 18
    ending_soon_days: int = 90
    max_active_members: int = 10
    # Recruitment
    stage_wait_days: int = 14
    # DBS (Code of Practice: disclosure detail no longer than six months)
    dbs_request_overdue_days: int = 30
    dbs_recheck_years: int = 3
    dbs_disclosure_retention_days: int = 183
    dbs_fee_basic_pence: int = 2150
    dbs_fee_standard_pence: int = 2150
    dbs_fee_enhanced_pence: int = 4950
    dbs_fee_enhanced_barred_pence: int = 4950
    # Expenses (HMRC approved mileage allowance payments)
    mileage_rate_pence: int = 45
    mileage_rate_after_pence: int = 25
    mileage_threshold_miles: int = 10_000
    passenger_rate_pence: int = 5
    # Meetings and documents
    protective_marking: str = "OFFICIAL-SENSITIVE"
    pack_due_days: int = 14
    # Feedback and commissioning
    feedback_response_days: int = 28
    contract_ending_days: int = 180
    # Security and retention
    lock_minutes: int = 15
    unsuccessful_retention_months: int = 6
    former_member_contact_months: int = 12
    audit_retention_years: int = 6
    backup_keep: int = 14


# Limits the office cannot go past. ``dbs_disclosure_retention_days`` can only be
# shorter than six months; the idle lock at most 30 minutes.
LIMITS: dict[str, tuple[int, int]] = {
    "term_months": (1, 60),
    "ending_soon_days": (1, 365),
    "max_active_members": (1, 10),
    "stage_wait_days": (1, 365),
    "dbs_request_overdue_days": (1, 365),
    "dbs_recheck_years": (1, 10),
    "dbs_disclosure_retention_days": (1, 183),
    "mileage_threshold_miles": (0, 100_000),
    "pack_due_days": (1, 90),
    "feedback_response_days": (1, 365),
    "contract_ending_days": (1, 730),
    "lock_minutes": (1, 30),
    "unsuccessful_retention_months": (1, 120),
    "former_member_contact_months": (1, 120),
    "audit_retention_years": (1, 50),
    "backup_keep": (1, 365),
}

LABELS: dict[str, str] = {
    "term_months": "Term length (months)",
    "ending_soon_days": "Term 'ending soon' warning (days)",
    "max_active_members": "Most members active at once",
    "stage_wait_days": "Applications waiting in a stage (days)",
    "dbs_request_overdue_days": "DBS certificate overdue after (days)",
    "dbs_recheck_years": "DBS recheck after (years from issue)",
    "dbs_disclosure_retention_days": "Keep DBS disclosure detail for (days, at most 183)",
    "dbs_fee_basic_pence": "DBS fee: basic (pence)",
    "dbs_fee_standard_pence": "DBS fee: standard (pence)",
    "dbs_fee_enhanced_pence": "DBS fee: enhanced (pence)",
    "dbs_fee_enhanced_barred_pence": "DBS fee: enhanced with barred lists (pence)",
    "mileage_rate_pence": "Mileage rate, first miles in the tax year (pence a mile)",
    "mileage_rate_after_pence": "Mileage rate after the threshold (pence a mile)",
    "mileage_threshold_miles": "Mileage threshold (miles in the tax year)",
    "passenger_rate_pence": "Passenger rate (pence a mile)",
    "protective_marking": "Protective marking on documents naming members",
    "pack_due_days": "Meeting packs due (days before)",
    "feedback_response_days": "Feedback waiting for a response (days)",
    "contract_ending_days": "Contracts ending within (days)",
    "lock_minutes": "Lock the window after idle (minutes, at most 30)",
    "unsuccessful_retention_months": "Anonymise unsuccessful applicants after (months)",
    "former_member_contact_months": "Remove former members' contact details after (months)",
    "audit_retention_years": "Keep audit events for (years)",
    "backup_keep": "Automatic backups to keep",
}


def validate(values: dict) -> dict:
    errors: dict[str, str] = {}
    known = {f.name: f for f in fields(Settings)}
    clean: dict = {}
    for key, value in values.items():
        if key not in known:
            errors[key] = f"'{key}' is not a setting."
            continue
        if known[key].type in ("int", int):
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[key] = f"{LABELS.get(key, key)} must be a whole number."
                continue
            lo, hi = LIMITS.get(key, (0, 10_000_000))
            if not lo <= value <= hi:
                errors[key] = f"{LABELS.get(key, key)} must be between {lo} and {hi}."
                continue
        elif key == "protective_marking" and value not in PROTECTIVE_MARKINGS:
            errors[key] = "The protective marking must be OFFICIAL or OFFICIAL-SENSITIVE."
            continue
        clean[key] = value
    if errors:
        raise ValidationError("Some settings are not allowed: " + " ".join(errors.values()), errors)
    return clean


def load(ctx: AppContext) -> Settings:
    cached = ctx.cache.get("settings")
    if cached is not None:
        return cached
    with unit_of_work(ctx, readonly=True) as s:
        stored = {row.key: row.value for row in s.scalars(select(AppSetting))}
    values = {}
    names = {f.name for f in fields(Settings)}
    for key, raw in stored.items():
        if key in names:
            try:
                values[key] = json.loads(raw)
            except ValueError:
                continue
    try:
        result = Settings(**validate(values))
    except ValidationError:
        result = Settings()
    ctx.cache["settings"] = result
    return result


def update(ctx: AppContext, **changes) -> Settings:
    require(ctx, Perm.SETTINGS)
    clean = validate(changes)
    with unit_of_work(ctx) as s:
        existing = {row.key: row for row in s.scalars(select(AppSetting).where(AppSetting.key.in_(clean)))}
        for key, value in clean.items():
            raw = json.dumps(value)
            if key in existing:
                existing[key].value = raw
            else:
                s.add(AppSetting(key=key, value=raw))
        audit.record(s, ctx.actor, "settings.change", entity="app_setting", fields=clean.keys())
    ctx.cache.pop("settings", None)
    return load(ctx)


def as_dict(settings: Settings) -> dict:
    return dataclasses.asdict(settings)
