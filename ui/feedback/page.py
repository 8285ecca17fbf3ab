"""The Feedback section: capture, the filterable list, one item's loop, themes, traceability.

Keyboard: Ctrl+N opens the capture form; Ctrl+F the filter box; Enter on a row
shows it; the filters are ordinary combo boxes in the Tab order.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from db.enums import CycleStage, FeedbackStatus
from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.feedback import service as fb
from lived_experience.security.permissions import Perm
from ui.common.flow import FlowLayout
from ui.common.forms import FormDialog, UkDateEdit, a11y
from ui.common.list_page import ListPage
from ui.common.panes import area_tabs, side_by_side
from ui.common.section_page import heading
from ui.feedback.capture import CaptureDialog
from ui.feedback.detail import FeedbackDetail
from ui.feedback.themes import ThemesTab
from ui.feedback.traceability import TraceabilityTab
from ui.feedback.widgets import ChoiceCombo


class FeedbackPage(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.ctx = state.ctx
        self._capture: CaptureDialog | None = None

        self.new_button = QPushButton("New feedback… (Ctrl+N)")
        a11y(self.new_button, "New feedback", "Open the capture form (Ctrl+N): quote, summary, source, themes, "
                                              "services, rights, cycle; Ctrl+Enter saves and starts the next")
        self.new_button.clicked.connect(self.capture)
        self.report_button = QPushButton("You said, we did PDF…")
        a11y(self.report_button, "You said, we did PDF", "Write the members' 'You said, we did' PDF for a period "
                                                         "(no names)")
        self.report_button.clicked.connect(self.export_report)
        self.trace_button = QPushButton("Traceability workbook…")
        a11y(self.trace_button, "Traceability workbook", "Export what changed, decisions and their evidence, the "
                                                         "rights grid and recurring themes to Excel")
        self.trace_button.clicked.connect(self.export_traceability)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.capture)
        if not self.ctx.actor.can(Perm.WRITE):
            self.new_button.setEnabled(False)

        self.list = ListPage(state, "feedback", self, show_filters=False)
        self.list.extra_entities = ("theme", "commissioned_service", "commissioning_cycle")
        self.detail = FeedbackDetail(state, self)
        self.detail.edit_requested.connect(self.edit)
        self.detail.changed.connect(lambda fid: self.list.select_id(fid))
        self.list.follow_current(lambda row: self.detail.show_item(row["id"] if row else None))
        self.list.activated.connect(lambda row: self.detail.show_item(row["id"]))

        # Filters: service, cycle, stage, theme, right, status, period.
        choices = fb.capture_choices(self.ctx)
        self.filters: dict[str, QWidget] = {}
        self.f_service = ChoiceCombo("Show service", [(c.id, c.label) for c in choices.services],
                                     empty="Any service", description="Show only feedback about this service")
        self.f_cycle = ChoiceCombo("Show cycle", [(c.id, c.label) for c in choices.cycles], empty="Any cycle",
                                   description="Show only feedback for this commissioning cycle")
        self.f_stage = ChoiceCombo("Show stage", [(s.value, s.label) for s in CycleStage], empty="Any stage",
                                   description="Show only feedback for this stage of a cycle")
        self.f_theme = ChoiceCombo("Show theme", [(c.id, c.label) for c in choices.themes], empty="Any theme",
                                   description="Show only feedback with this theme")
        self.f_right = ChoiceCombo("Show right", [(c.id, c.label) for c in choices.rights], empty="Any right",
                                   description="Show only feedback about this Victims' Code right")
        self.f_status = ChoiceCombo("Show status", [(s.value, s.label) for s in FeedbackStatus], empty="Any status",
                                    description="Show only feedback with this status")
        self.f_from = UkDateEdit("Received from")
        self.f_to = UkDateEdit("Received to")
        for key, box in (("service", self.f_service), ("cycle", self.f_cycle), ("stage", self.f_stage),
                         ("theme", self.f_theme), ("right", self.f_right), ("status", self.f_status)):
            box.setMaximumWidth(200)
            box.currentIndexChanged.connect(lambda _i, k=key, b=box: self.list.set_filter(k, b.value()))
            self.filters[key] = box
        for key, edit in (("from", self.f_from), ("to", self.f_to)):
            edit.setMinimumWidth(96)
            edit.setMaximumWidth(110)
            edit.editingFinished.connect(lambda k=key, e=edit: self._date_filter(k, e))
            self.filters[key] = edit
        self.clear_button = QPushButton("Clear filters")
        a11y(self.clear_button, "Clear filters", "Show all feedback again")
        self.clear_button.clicked.connect(self.clear_filters)

        # The buttons and the filters wrap onto further lines when the page is narrow (six filter boxes
        # and the dates side by side need about 1,470 px: a 1280 px screen would scroll sideways).
        top = FlowLayout()
        top.addWidget(self.new_button)
        top.addStretch()
        top.addWidget(self.report_button)
        top.addWidget(self.trace_button)
        fbar = FlowLayout()
        for w in (self.f_service, self.f_cycle, self.f_stage, self.f_theme, self.f_right, self.f_status):
            fbar.addWidget(w)
        # "Received: [from] to [to]" reads as one phrase: it moves down a line as a whole.
        self.received = QWidget()
        received = QHBoxLayout(self.received)
        received.setContentsMargins(0, 0, 0, 0)
        received.addWidget(QLabel("Received:"))
        received.addWidget(self.f_from)
        received.addWidget(QLabel("to"))
        received.addWidget(self.f_to)
        self.received.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)  # no wider than it needs
        fbar.addWidget(self.received)
        fbar.addWidget(self.clear_button)

        items = QWidget()
        il = QVBoxLayout(items)
        il.setContentsMargins(0, 0, 0, 0)
        il.addLayout(top)
        il.addLayout(fbar)
        il.addWidget(side_by_side(self.list, self.detail, stretch=(3, 2), sizes=(720, 420)), 1)

        self.tabs = area_tabs("Feedback areas", "Feedback items, themes, and what changed")
        self.tabs.addTab(items, "Feedback items")
        self.themes = ThemesTab(state, self)
        self.tabs.addTab(self.themes, "Themes")
        self.trace = TraceabilityTab(state, self)
        self.tabs.addTab(self.trace, "What changed")
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Feedback", "What members said, and what was done about it: 'you said, we did'."))
        lay.addWidget(self.tabs, 1)

    # -- the list and the detail ----------------------------------------------------------------
    def open_record(self, entity: str, entity_id: int) -> None:
        self.tabs.setCurrentIndex(0)
        if entity_id and not self.list.select_id(entity_id):
            self.clear_filters()
            self.list.select_id(entity_id)
        self.detail.show_item(entity_id or None)

    def clear_filters(self) -> None:
        for key, w in self.filters.items():
            if isinstance(w, ChoiceCombo):
                w.blockSignals(True)
                w.setCurrentIndex(0)
                w.blockSignals(False)
            else:
                w.clear()
            self.list.model._filters.pop(key, None)
        self.list.refresh()

    def _date_filter(self, key: str, edit: UkDateEdit) -> None:
        try:
            value = edit.date()
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.list.set_filter(key, value)

    def save_layout(self) -> None:
        self.list.save_layout()

    # -- capture ---------------------------------------------------------------------------------
    def capture(self, meeting_id: int | None = None) -> CaptureDialog:
        if self._capture is not None and self._capture.isVisible():
            self._capture.raise_()
            self._capture.activateWindow()
            return self._capture
        dlg = CaptureDialog(self.state, self, meeting_id=meeting_id if isinstance(meeting_id, int) else None)
        dlg.saved.connect(lambda fid: self.list.select_id(fid))
        dlg.setModal(False)
        dlg.show()
        self._capture = dlg
        return dlg

    def edit(self, feedback_id: int) -> None:
        dlg = CaptureDialog(self.state, self, feedback_id=feedback_id)
        if dlg.exec():
            self.detail.show_item(feedback_id)

    # -- exports -----------------------------------------------------------------------------------
    def export_report(self) -> None:
        today = clock.today()
        dlg = FormDialog("You said, we did", self, intro="Feedback received in this period, with what was done. "
                         "Nobody is named.", ok_text="Choose file…")
        start = dlg.add("&From:", UkDateEdit("From", self._filter_date("from") or today - dt.timedelta(days=90),
                                             required=True))
        end = dlg.add("&To:", UkDateEdit("To", self._filter_date("to") or today, required=True))
        large = dlg.add("", QCheckBox("Large print (16 pt)"), "Body text at 16 point")
        dlg.on_save = lambda: (start.date(), end.date())
        if not dlg.exec():
            return
        a, b = dlg.result_value
        path = self.state.interaction.save_file("Save 'You said, we did'", f"you-said-we-did-{a:%Y%m%d}-{b:%Y%m%d}.pdf",
                                                "PDF (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self.write_report(path, a, b, large_print=large.isChecked())

    def write_report(self, path: str, date_from: dt.date, date_to: dt.date, *, large_print: bool = False) -> None:
        """Write the members' PDF in the background, with progress."""
        from lived_experience.exporting.you_said_we_did import write_you_said_we_did
        from ui.tasks import run_task

        run_task(self, lambda progress: write_you_said_we_did(self.ctx, path, date_from, date_to,
                                                              large_print=large_print, progress=progress),
                 label="Writing 'You said, we did'…",
                 on_done=lambda res: self.state.interaction.info(
                     "PDF written", f"{res.items} items on {res.pages} pages saved to {res.path}."),
                 on_error=self.state.interaction.error)

    def _filter_date(self, key: str):
        try:
            return self.filters[key].date()
        except UserError:
            return None

    def export_traceability(self) -> None:
        from lived_experience.feedback.traceability import export_traceability
        from ui.tasks import run_task

        try:
            a, b = self.trace.dates()
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        path = self.state.interaction.save_file("Save the traceability workbook", "traceability.xlsx",
                                                "Excel workbook (*.xlsx)")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        run_task(self, lambda progress: export_traceability(self.ctx, path, a, b, progress=progress),
                 label="Exporting traceability…",
                 on_done=lambda res: self.state.interaction.info(
                     "Export finished", f"{res.rows:,} rows on {res.sheets} sheets saved to {res.path}."),
                 on_error=self.state.interaction.error)
