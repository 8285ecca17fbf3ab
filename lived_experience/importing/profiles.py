"""Saved mappings ("import profiles"): which header means which field, kept by name.

A profile maps normalised headers to fields, so it fits next month's export of
the same form whatever order its columns come in. Saving under an existing
name replaces that profile (with the version check every form uses).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from db.models import ImportProfile
from lived_experience.core.context import AppContext
from lived_experience.core.errors import NotFound, ValidationError
from lived_experience.core.uow import check_version, unit_of_work
from lived_experience.importing.headers import BY_KEY, Mapping, apply_profile, profile_fit
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm


@dataclass(frozen=True)
class ProfileInfo:
    id: int
    name: str
    version: int
    columns: int
    updated_at: dt.datetime
    mapping: dict


def list_profiles(ctx: AppContext) -> list[ProfileInfo]:
    require(ctx, Perm.IMPORT)
    with unit_of_work(ctx, readonly=True) as s:
        rows = s.scalars(select(ImportProfile).order_by(ImportProfile.name)).all()
        return [_info(p) for p in rows]


def _info(p: ImportProfile) -> ProfileInfo:
    mapping = p.mapping or {}
    return ProfileInfo(p.id, p.name, p.version, len(mapping.get("columns", {})), p.updated_at, mapping)


def get_profile(ctx: AppContext, name: str) -> ProfileInfo:
    require(ctx, Perm.IMPORT)
    with unit_of_work(ctx, readonly=True) as s:
        p = s.scalar(select(ImportProfile).where(ImportProfile.name == name.strip()))
        if p is None:
            names = s.scalars(select(ImportProfile.name).order_by(ImportProfile.name)).all()
            known = ("Saved profiles: " + ", ".join(names) + ".") if names else "No profiles have been saved yet."
            raise NotFound(f"There is no import profile called '{name}'. {known}")
        return _info(p)


def save_profile(ctx: AppContext, name: str, mapping: Mapping, *, expected_version: int | None = None
                 ) -> ProfileInfo:
    """Save (or replace) a named profile from a mapping. Headers only: never any row's values."""
    require(ctx, Perm.IMPORT, entity="import_profile")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the saved mapping a name.", {"name": "Give the saved mapping a name."})
    if len(name) > 120:
        raise ValidationError("The name is longer than 120 characters.", {"name": "Too long."})
    problems = mapping.problems()
    if problems:
        raise ValidationError(problems[0])
    data = mapping.as_profile()
    with unit_of_work(ctx) as s:
        p = s.scalar(select(ImportProfile).where(ImportProfile.name == name))
        if p is None:
            p = ImportProfile(name=name, mapping=data)
            s.add(p)
            action = "import_profile.create"
        else:
            check_version(s, p, expected_version, "saved mapping")
            p.mapping = data
            action = "import_profile.change"
        s.flush()
        audit.record(s, ctx.actor, action, entity="import_profile", entity_id=p.id, fields=["name", "mapping"])
        return _info(p)


def delete_profile(ctx: AppContext, name: str) -> None:
    require(ctx, Perm.IMPORT, entity="import_profile")
    with unit_of_work(ctx) as s:
        p = s.scalar(select(ImportProfile).where(ImportProfile.name == name))
        if p is None:
            raise NotFound(f"There is no import profile called '{name}'.")
        pid = p.id
        s.delete(p)
        s.flush()
        audit.record(s, ctx.actor, "import_profile.delete", entity="import_profile", entity_id=pid)


def best_profile(profiles: Sequence[ProfileInfo], headers: Sequence[str]) -> ProfileInfo | None:
    """The saved profile that fits these headers completely (the best one), if any."""
    best, best_fit = None, 0.0
    for p in profiles:
        fit = profile_fit(headers, p.mapping)
        if fit > best_fit:
            best, best_fit = p, fit
    return best if best_fit >= 0.999 else None


def mapping_from_profile(profile: ProfileInfo, headers: Sequence[str], samples=()) -> Mapping:
    unknown = [k for k in profile.mapping.get("columns", {}).values() if k and k not in BY_KEY]
    mapping = apply_profile(headers, profile.mapping, profile.name, samples)
    if unknown:
        mapping.notes.append(f"The saved mapping '{profile.name}' names fields this version does not know; "
                             "those columns are not imported.")
    return mapping
