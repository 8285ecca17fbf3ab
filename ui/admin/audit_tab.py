"""Admin > Audit log: filter by action, user and dates; check the hash chain; export to Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lived_experience.core.errors import UserError
from lived_experience.security import audit_export
from ui.common.forms import UkDateEdit, a11y
from ui.common.section_page import SectionPage
from ui.tasks import run_task


class AuditPage(SectionPage):
    kind = "audit"
    title = "Audit log"


class AuditTab(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.action_box = a11y(QComboBox(), "Show action", "Show only events of this action")
        self.actor_box = a11y(QComboBox(), "Show user", "Show only events by this user")
        self.date_from = UkDateEdit("From")
        self.date_to = UkDateEdit("To")
        self.apply_button = a11y(QPushButton("&Apply dates"), "Apply dates", "Show only events between the dates")
        self.verify_button = a11y(QPushButton("&Check the chain"), "Check the chain",
                                  "Check that no audit event was changed or deleted")
        self.export_button = a11y(QPushButton("E&xport…"), "Export the audit log",
                                  "Save the events shown as an Excel workbook")
        row.addWidget(QLabel("Action:"))
        row.addWidget(self.action_box)
        row.addWidget(QLabel("User:"))
        row.addWidget(self.actor_box)
        row.addWidget(QLabel("From:"))
        row.addWidget(self.date_from)
        row.addWidget(QLabel("To:"))
        row.addWidget(self.date_to)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        row.addWidget(self.verify_button)
        row.addWidget(self.export_button)
        lay.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Audit log status")
        self.status.hide()
        lay.addWidget(self.status)
        self.page = AuditPage(state, self)
        self.page.list.export_button.hide()  # the audit export below carries the chain's status
        lay.addWidget(self.page, 1)
        self.fill_choices()
        self.action_box.currentIndexChanged.connect(lambda _i: self._set("action", self.action_box.currentData()))
        self.actor_box.currentIndexChanged.connect(lambda _i: self._set("actor", self.actor_box.currentData()))
        self.apply_button.clicked.connect(self.apply_dates)
        self.date_from.returnPressed.connect(self.apply_dates)
        self.date_to.returnPressed.connect(self.apply_dates)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(self.export)
        state.changed.connect(lambda e: self.fill_choices() if e in ("*", "audit_event") else None)

    def fill_choices(self) -> None:
        actions, actors = audit_export.filter_choices(self.state.ctx)
        for box, values, any_text in ((self.action_box, actions, "Any action"), (self.actor_box, actors, "Anyone")):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(any_text, None)
            for v in values:
                box.addItem(v, v)
            i = box.findData(current)
            box.setCurrentIndex(i if i >= 0 else 0)
            box.blockSignals(False)

    def showEvent(self, event):
        # Actions and users seen since the tab was built show up in the choices.
        self.fill_choices()
        super().showEvent(event)

    def _set(self, key: str, value) -> None:
        self.page.list.model.set_filter(key, value)

    def filters(self) -> dict:
        return {k: v for k, v in self.page.list.model.filters().items() if v not in (None, "")}

    def apply_dates(self) -> None:
        try:
            start, end = self.date_from.date(), self.date_to.date()
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        if start and end and end < start:
            self.state.interaction.warn("Audit log", "The 'To' date is before the 'From' date.")
            return
        self._set("from", start.isoformat() if start else None)
        self._set("to", end.isoformat() if end else None)

    def verify(self) -> None:
        try:
            result = audit_export.verify_chain(self.state.ctx)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        if result.ok:
            text = f"Hash chain intact: {result.checked:,} events checked, none changed or deleted."
        else:
            text = ("Hash chain BROKEN at event(s) " + ", ".join(map(str, result.broken_ids[:20])) +
                    ": the audit log was changed outside the app. Tell your information security officer.")
        self.status.setText(text)
        self.status.show()
        self.state.notify("audit_event")
        (self.state.interaction.info if result.ok else self.state.interaction.warn)("Audit log", text)

    def export(self) -> None:
        stamp = dt.date.today().strftime("%Y%m%d")
        folder = self.state.ctx.paths.reports_dir if self.state.ctx.paths else Path.home()
        path = self.state.interaction.save_file("Export the audit log", str(folder / f"audit-log-{stamp}.xlsx"),
                                                "Excel workbook (*.xlsx)")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        filters, text = self.filters(), self.page.list.model.text()
        run_task(self, lambda progress: audit_export.export_audit(self.state.ctx, Path(path), filters=filters,
                                                                  text=text, progress=progress),
                 label="Exporting the audit log…",
                 on_done=lambda r: (self.state.notify("audit_event"), self.state.interaction.info(
                     "Export finished", f"{r.rows:,} audit events saved to {r.path}.")),
                 on_error=self.state.interaction.error)

    def save_layout(self) -> None:
        self.page.save_layout()
