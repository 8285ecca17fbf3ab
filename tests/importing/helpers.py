"""Helpers for the import tests: a window, the import as the CLI and wizard run it, table counts."""

from __future__ import annotations

import datetime as dt


def add_window(ctx, name: str = "Test recruitment 2025") -> int:
    from db.models import RecruitmentWindow
    from lived_experience.core.uow import unit_of_work

    with unit_of_work(ctx) as s:
        w = RecruitmentWindow(name=name, opens_on=dt.date(2025, 1, 6), closes_on=dt.date(2025, 3, 31), places=10)
        s.add(w)
        s.flush()
        return w.id


def preview_file(ctx, path, window_id, *, profile=None, **kwargs):
    """Read, map automatically (or with a saved profile) and analyse: what the CLI and wizard do."""
    from lived_experience.importing import profiles, service
    from lived_experience.importing.headers import auto_map
    from lived_experience.importing.readers import open_source

    with open_source(path) as source:
        samples = [c for _n, c in source.sample()]
        if profile is not None:
            mapping = profiles.mapping_from_profile(profile, source.headers, samples)
        else:
            mapping = auto_map(source.headers, samples)
        return service.analyse(ctx, source, mapping, window_id, **kwargs)


def import_file(ctx, path, window_id, **kwargs):
    from lived_experience.importing import service

    preview = preview_file(ctx, path, window_id)
    return preview, service.commit(ctx, preview, **kwargs)


def table_counts(ctx) -> dict[str, int]:
    """Rows in every table: 'exactly as before' means all of these are unchanged."""
    from sqlalchemy import func, select

    from db.models import Base
    from lived_experience.core.uow import unit_of_work

    with unit_of_work(ctx, readonly=True) as s:
        return {name: s.scalar(select(func.count()).select_from(t)) for name, t in Base.metadata.tables.items()}
