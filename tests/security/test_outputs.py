"""Every workbook and PDF the app writes carries the protective marking; every export is audited."""

from __future__ import annotations

import openpyxl
import pytest
from sqlalchemy import select

import db.models as m
from lived_experience.core.uow import unit_of_work
from lived_experience.exporting.lists import export_list
from lived_experience.listing import registry
from tests.conftest import as_role


def _last_export(ctx):
    with unit_of_work(ctx, readonly=True) as s:
        return s.execute(select(m.AuditEvent.actor_name, m.AuditEvent.entity, m.AuditEvent.detail,
                                m.AuditEvent.fields).where(m.AuditEvent.action == "export")
                         .order_by(m.AuditEvent.id.desc()).limit(1)).one()


@pytest.mark.parametrize("kind", ["applicants", "members", "windows", "feedback", "people", "audit", "staff"])
def test_list_exports_are_marked_and_audited(demo_ctx, tmp_path, kind):
    admin = as_role(demo_ctx, "admin")
    out = tmp_path / f"{kind}.xlsx"
    res = export_list(admin, kind, out)
    wb = openpyxl.load_workbook(out)
    marking = "OFFICIAL" if kind in ("windows",) else "OFFICIAL-SENSITIVE"
    assert wb.properties.keywords == marking
    for ws in wb.worksheets:
        assert ws.oddHeader.center.text == marking and marking in ws.oddFooter.center.text, ws.title
    assert wb["About this export"]["A1"].value == marking
    who, entity, detail, fields = _last_export(demo_ctx)
    assert who == admin.actor.username
    assert entity == registry.get(kind).entity
    assert f"{res.rows} rows" in detail and out.name in detail
    assert fields  # which columns left the app, never their values


def test_a_refused_export_writes_nothing(demo_ctx, tmp_path):
    from lived_experience.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        export_list(as_role(demo_ctx, "viewer"), "members", tmp_path / "m.xlsx")
    assert not (tmp_path / "m.xlsx").exists()
