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


# Only these two modules make files: every workbook starts from xlsx.new_workbook (marking in
# its properties, every sheet's header and footer, the About sheet) and every PDF from pdf.build
# (MarkedDoc: the marking in each page's header and footer). Nothing else may go around them.
_MAKERS = {"lived_experience/exporting/xlsx.py", "lived_experience/exporting/pdf.py"}
_FORBIDDEN = {
    "openpyxl": {"Workbook"},
    "openpyxl.workbook": {"Workbook"},
    "openpyxl.workbook.workbook": {"Workbook"},
    "reportlab.platypus": {"SimpleDocTemplate", "BaseDocTemplate", "DocTemplate"},
    "reportlab.platypus.doctemplate": {"SimpleDocTemplate", "BaseDocTemplate"},
    "reportlab.pdfgen": {"canvas"},
    "reportlab.pdfgen.canvas": {"Canvas"},
}


def test_every_workbook_and_pdf_is_made_by_the_marking_helpers():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.joinpath("lived_experience").rglob("*.py"), *root.joinpath("ui").rglob("*.py")]:
        rel = path.relative_to(root).as_posix()
        if rel in _MAKERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in _FORBIDDEN:
                bad = {a.name for a in node.names} & _FORBIDDEN[node.module]
                if bad:
                    offenders.append(f"{rel}:{node.lineno} imports {', '.join(sorted(bad))} from {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [f"{rel}:{node.lineno} imports {a.name}" for a in node.names
                              if a.name in ("reportlab.pdfgen.canvas", "openpyxl")]
            elif isinstance(node, ast.Attribute) and node.attr in ("Workbook", "SimpleDocTemplate", "Canvas") \
                    and isinstance(node.value, ast.Name) and node.value.id in ("openpyxl", "canvas", "platypus"):
                offenders.append(f"{rel}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert offenders == []
