"""The Commissioning section: the services register, each service's cycles as a
timeline, due-diligence visits, decisions with the feedback behind them, and the
services x Victims' Code rights grid."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.enums import FeedbackStatus, ServiceKind, ServiceStatus
from lived_experience.commissioning import cycles as cy
from lived_experience.commissioning import services as cs
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import pounds, uk_date
from lived_experience.feedback import traceability as tr
from lived_experience.security.permissions import Perm
from ui.commissioning.dialogs import (
    ActivityDialog,
    CycleDialog,
    DecisionDialog,
    ServiceDialog,
    StageDialog,
    VisitDialog,
)
from ui.commissioning.timeline import CycleTimeline
from ui.common.forms import a11y
from ui.common.list_page import ListPage
from ui.common.panes import area_tabs, side_by_side
from ui.common.roles import RowRole
from ui.common.section_page import heading
from ui.feedback.widgets import ChoiceCombo, RowsModel, read_only_table


def _button(text: str, name: str, description: str, slot) -> QPushButton:
    b = QPushButton(text)
    a11y(b, name, description)
    b.clicked.connect(slot)
    return b


def _short_cycle(cycle_name: str, service_name: str) -> str:
    """'Adult ISVA service: 2026 cycle' shown beside that service is just '2026 cycle'."""
    short = cycle_name.removeprefix(service_name).lstrip(" :-").strip()
    return short or cycle_name


def _selected(view):
    idx = view.currentIndex()
    return idx.data(RowRole) if idx.isValid() else None


class ServicePanel(QTabWidget):
    """The selected service: its details, cycles, visits and decisions."""

    def __init__(self, page: CommissioningPage):
        super().__init__(page)
        self.page = page
        self.state = page.state
        self.ctx = page.state.ctx
        self.service: cs.ServiceDetail | None = None
        self.cycle: cy.CycleDetail | None = None
        a11y(self, "Service details", "The selected service's details, cycles, visits and decisions")
        a11y(self.tabBar(), "Service details", "The selected service's details, cycles, visits and decisions")

        # Details.
        self.info = QWidget()
        form = QFormLayout(self.info)
        self.labels: dict[str, QLabel] = {}
        for key, label in (("name", "Service"), ("kind", "Kind"), ("provider", "Provider"),
                           ("contract", "Contract"), ("value", "Annual value"), ("status", "Status"),
                           ("ending", "Contract end"), ("description", "Description")):
            lbl = QLabel("—")
            lbl.setWordWrap(True)
            lbl.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            a11y(lbl, label, f"{label} of the selected service")
            form.addRow(f"{label}:", lbl)
            self.labels[key] = lbl
        self.edit_button = _button("Change service…", "Change service", "Change the selected service's details",
                                   self.edit_service)
        row = QHBoxLayout()
        row.addWidget(self.edit_button)
        row.addStretch(1)
        form.addRow(row)
        self.addTab(self.info, "Service")

        # Cycles.
        cycles = QWidget()
        cl = QVBoxLayout(cycles)
        row = QHBoxLayout()
        self.cycle_box = ChoiceCombo("Cycle", [], empty=None, description="The service's commissioning cycles")
        # A long cycle name must not widen the tab beyond the window (the timeline would be cut off).
        self.cycle_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.cycle_box.setMinimumContentsLength(18)
        self.cycle_box.currentIndexChanged.connect(lambda _i: self.show_cycle(self.cycle_box.value()))
        row.addWidget(QLabel("Cycle:"))
        row.addWidget(self.cycle_box, 1)
        row.addWidget(_button("New cycle…", "New cycle", "Start a new commissioning cycle for this service",
                              self.new_cycle))
        row.addWidget(_button("Evidence PDF…", "Evidence PDF", "Write the commissioning evidence PDF for this cycle",
                              self.export_evidence))
        cl.addLayout(row)
        self.current_label = QLabel()
        self.current_label.setAccessibleName("Current stage")
        self.current_label.setWordWrap(True)
        cl.addWidget(self.current_label)
        self.timeline = CycleTimeline()
        cl.addWidget(self.timeline)
        self.stages = RowsModel(["Stage", "Planned", "Actual", "Where it is"], self)
        self.stage_view = read_only_table("Stages", "The cycle's stages with planned and actual dates; Enter "
                                          "changes the dates", self.stages)
        self.stage_view.activated.connect(lambda _i: self.edit_stage())
        self.stage_view.setMaximumHeight(150)
        cl.addWidget(self.stage_view)
        row = QHBoxLayout()
        row.addWidget(_button("Stage dates…", "Stage dates", "Change the selected stage's planned and actual dates",
                              self.edit_stage))
        row.addStretch(1)
        cl.addLayout(row)
        self.activities = RowsModel(["Stage", "Activity", "Done on", "Reference", "Notes"], self)
        self.activity_view = read_only_table("Activities", "Each stage's activities: consultations, the equality "
                                             "impact assessment, procurement or grant, monitoring and due "
                                             "diligence; Enter changes one", self.activities)
        self.activity_view.activated.connect(lambda _i: self.edit_activity())
        cl.addWidget(self.activity_view, 1)
        row = QHBoxLayout()
        row.addWidget(_button("Record activity…", "Record activity", "Record an activity in the selected stage",
                              self.add_activity))
        row.addWidget(_button("Change activity…", "Change activity", "Change the selected activity",
                              self.edit_activity))
        row.addStretch(1)
        cl.addLayout(row)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(cycles)
        a11y(scroll, "Cycles", "The service's commissioning cycles: timeline, stages, activities")
        self.addTab(scroll, "Cycles")

        # Due-diligence visits.
        visits = QWidget()
        vl = QVBoxLayout(visits)
        self.visits = RowsModel(["Date", "Who visited", "Area and work", "What was seen", "Outcome"], self)
        self.visit_view = read_only_table("Due-diligence visits", "Visits to the service: date, who visited, what "
                                          "was seen and the outcome; Enter changes one", self.visits)
        self.visit_view.activated.connect(lambda _i: self.edit_visit())
        vl.addWidget(self.visit_view, 1)
        row = QHBoxLayout()
        row.addWidget(_button("Record visit…", "Record visit", "Record a due-diligence visit", self.add_visit))
        row.addWidget(_button("Change visit…", "Change visit", "Change the selected visit", self.edit_visit))
        row.addWidget(_button("Delete visit…", "Delete visit", "Delete the selected visit", self.delete_visit))
        row.addStretch(1)
        row.addWidget(_button("Export to Excel…", "Export visits", "Export this service's due-diligence visits "
                              "to an Excel workbook", lambda: self.export_rows("visits")))
        vl.addLayout(row)
        self.addTab(visits, "Due-diligence visits")

        # Decisions and their evidence.
        decisions = QWidget()
        dl = QVBoxLayout(decisions)
        self.decisions = RowsModel(["Date", "Decided by", "Decision", "Stage", "Feedback behind it"], self)
        self.decision_view = read_only_table("Decisions", "The cycle's decisions; select one to see the feedback "
                                             "that informed it; Enter changes it", self.decisions)
        self.decision_view.activated.connect(lambda _i: self.edit_decision())
        self.evidence = RowsModel(["Ref", "Feedback that informed it", "Themes", "Rights", "Status", "We did"], self)
        self.evidence_view = read_only_table("Evidence", "The feedback items behind the selected decision; "
                                             "Enter opens one in the Feedback section", self.evidence)
        self.evidence_view.activated.connect(self._open_evidence)
        self.decision_title = QLabel("Decisions in the selected cycle")
        dl.addWidget(self.decision_title)
        dl.addWidget(self.decision_view, 1)
        row = QHBoxLayout()
        row.addWidget(_button("Record decision…", "Record decision", "Record a decision and the feedback behind it",
                              self.add_decision))
        row.addWidget(_button("Change decision…", "Change decision", "Change the selected decision or its evidence",
                              self.edit_decision))
        row.addStretch(1)
        row.addWidget(_button("Export to Excel…", "Export decisions", "Export this service's decisions and the "
                              "feedback behind each to an Excel workbook", lambda: self.export_rows("decisions")))
        dl.addLayout(row)
        dl.addWidget(QLabel("Feedback behind the selected decision:"))
        dl.addWidget(self.evidence_view, 1)
        self.addTab(decisions, "Decisions")
        self.decision_view.selectionModel().currentRowChanged.connect(lambda *_: self._show_evidence())
        self.decisions.modelReset.connect(self._reconnect_decisions)
        self.setEnabled(False)

    def _reconnect_decisions(self) -> None:
        self.decision_view.selectionModel().currentRowChanged.connect(lambda *_: self._show_evidence())
        self._show_evidence()

    # -- showing -----------------------------------------------------------------------------------
    def show_service(self, service_id: int | None, *, cycle_id: int | None = None) -> None:
        if service_id is None:
            self.service = None
            self.setEnabled(False)
            return
        try:
            d = cs.get_service(self.ctx, service_id)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.service = d
        self.setEnabled(True)
        lab = self.labels
        lab["name"].setText(d.name)
        lab["kind"].setText(ServiceKind(d.kind).label)
        lab["provider"].setText(d.provider or "Not recorded")
        lab["contract"].setText(f"{uk_date(d.contract_start) or 'not recorded'} to "
                                f"{uk_date(d.contract_end) or 'not recorded'}")
        lab["value"].setText(pounds(d.annual_value_pence) or "Not recorded")
        lab["status"].setText(ServiceStatus(d.status).label)
        if d.days_to_contract_end is None:
            ending = "No end date recorded"
        elif d.days_to_contract_end < 0:
            ending = f"Ended {-d.days_to_contract_end} days ago"
        else:
            ending = f"{d.days_to_contract_end} days left" + (": ending soon, recommissioning due"
                                                               if d.ending_soon else "")
        lab["ending"].setText(ending)
        lab["description"].setText(d.description or "—")
        self.visits.set_rows([[uk_date(v.visited_on), v.visited_by, v.area_and_work, v.what_was_seen, v.outcome]
                              for v in d.visits], d.visits)
        keep = cycle_id or (self.cycle.id if self.cycle and self.cycle.service_id == d.id else None)
        self.cycle_box.blockSignals(True)
        self.cycle_box.set_choices([(c.id, f"{_short_cycle(c.name, d.name)} (now: {c.current_stage_label})")
                                    for c in reversed(d.cycles)])
        self.cycle_box.set_value(keep if keep else (d.cycles[-1].id if d.cycles else None))
        self.cycle_box.blockSignals(False)
        self.show_cycle(self.cycle_box.value())

    def show_cycle(self, cycle_id: int | None) -> None:
        if cycle_id is None:
            self.cycle = None
            self.timeline.set_cycle(None)
            self.current_label.setText("This service has no commissioning cycle yet: use New cycle.")
            self.stages.set_rows([])
            self.activities.set_rows([])
            self.decisions.set_rows([])
            self.evidence.set_rows([])
            return
        c = cy.get_cycle(self.ctx, cycle_id)
        self.cycle = c
        self.timeline.set_cycle(c)
        self.current_label.setText(
            f"Current stage: {c.current_stage_label}. {c.feedback_count} feedback "
            f"item{'' if c.feedback_count == 1 else 's'} linked to this cycle; {len(c.decisions)} "
            f"decision{'' if len(c.decisions) == 1 else 's'}.")
        self.stages.set_rows(
            [[f"{s.label} (current stage)" if s.is_current else s.label,
              f"{uk_date(s.planned_start)} to {uk_date(s.planned_end)}" if s.planned_start else "Not planned",
              f"{uk_date(s.actual_start)} to {uk_date(s.actual_end) or 'now'}" if s.actual_start else "Not started",
              s.state] for s in c.stages], c.stages, bold_rows=[i for i, s in enumerate(c.stages) if s.is_current])
        acts = [(s, a) for s in c.stages for a in s.activities]
        self.activities.set_rows([[s.label, a.label, uk_date(a.done_on) or "Not yet", a.reference, a.notes]
                                  for s, a in acts], acts)
        self.decisions.set_rows([[uk_date(d.decided_on), d.decided_by, d.summary, (d.stage or "").capitalize(),
                                  f"{len(d.feedback_ids)} items"] for d in c.decisions], c.decisions)
        self.decision_title.setText(f"Decisions in {c.name}")
        self.stage_view.resizeColumnsToContents()
        self.activity_view.resizeColumnsToContents()

    def _show_evidence(self) -> None:
        d = _selected(self.decision_view)
        if d is None:
            self.evidence.set_rows([])
            return
        ev = tr.decision_evidence(self.ctx, d.id)
        self.evidence.set_rows([[f"F-{f.feedback_id}", f.summary, ", ".join(f.themes),
                                 ", ".join(str(r) for r in f.rights), FeedbackStatus(f.status).label,
                                 f.response or ""] for f in ev.feedback], ev.feedback)

    def _open_evidence(self, index) -> None:
        item = self.evidence.payload(index.row()) if index.isValid() else None
        opener = getattr(self.window(), "open_record", None)
        if item is not None and opener is not None:
            opener("feedback", "feedback_item", item.feedback_id)

    def refresh(self) -> None:
        if self.service is not None:
            self.show_service(self.service.id, cycle_id=self.cycle.id if self.cycle else None)

    # -- actions ---------------------------------------------------------------------------------------
    def _run(self, dialog, entity: str) -> None:
        if dialog.exec():
            self.state.notify(entity)
            self.refresh()

    def edit_service(self) -> None:
        if self.service:
            self._run(ServiceDialog(self.state, self, detail=self.service), "commissioned_service")

    def new_cycle(self) -> None:
        if self.service:
            dlg = CycleDialog(self.state, self.service.id, self.service.name, self)
            if dlg.exec():
                self.state.notify("commissioning_cycle")
                self.show_service(self.service.id, cycle_id=dlg.result_value)

    def edit_stage(self) -> None:
        st = _selected(self.stage_view)
        if st is None and self.cycle:
            st = next((s for s in self.cycle.stages if s.is_current), None)
        if st is not None:
            self._run(StageDialog(self.state, st, self), "commissioning_cycle")

    def add_activity(self) -> None:
        st = _selected(self.stage_view) or (next((s for s in self.cycle.stages if s.is_current), None)
                                            if self.cycle else None)
        if st is None:
            self.state.interaction.warn("Record activity", "Select the stage the activity belongs to first.")
            return
        self._run(ActivityDialog(self.state, st, self), "commissioning_cycle")

    def edit_activity(self) -> None:
        pair = _selected(self.activity_view)
        if pair is not None:
            stage, act = pair
            self._run(ActivityDialog(self.state, stage, self, activity=act), "commissioning_cycle")

    def add_visit(self) -> None:
        if self.service:
            self._run(VisitDialog(self.state, self.service.id, self), "due_diligence_visit")

    def edit_visit(self) -> None:
        v = _selected(self.visit_view)
        if v is not None and self.service:
            self._run(VisitDialog(self.state, self.service.id, self, visit=v), "due_diligence_visit")

    def delete_visit(self) -> None:
        v = _selected(self.visit_view)
        if v is None:
            return
        if not self.state.interaction.confirm("Delete visit", f"Delete the visit of {uk_date(v.visited_on)}?",
                                              yes="Delete", no="Keep"):
            return
        try:
            cs.delete_visit(self.ctx, v.id, v.version)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.state.notify("due_diligence_visit")
        self.refresh()

    def add_decision(self) -> None:
        if self.cycle:
            self._run(DecisionDialog(self.state, self.cycle, self), "commissioning_decision")

    def edit_decision(self) -> None:
        d = _selected(self.decision_view)
        if d is not None and self.cycle:
            self._run(DecisionDialog(self.state, self.cycle, self, decision=d), "commissioning_decision")

    def export_rows(self, kind: str, path: str | None = None) -> None:
        """This service's visits or decisions as a workbook (the same as ``export-list KIND``)."""
        from lived_experience.exporting.lists import export_list
        from ui.tasks import run_task

        if self.service is None:
            return
        service_id = self.service.id
        path = path or self.state.interaction.save_file(
            f"Export {kind}", f"{kind}-service-{service_id}.xlsx", "Excel workbook (*.xlsx)")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        run_task(self, lambda progress: export_list(self.ctx, kind, path, filters={"service": service_id},
                                                    progress=progress),
                 label=f"Exporting {kind}…",
                 on_done=lambda res: self.state.interaction.info("Export finished",
                                                                 f"{res.rows:,} rows saved to {res.path}."),
                 on_error=self.state.interaction.error)

    def export_evidence(self) -> None:
        if self.cycle is None:
            self.state.interaction.warn("Evidence PDF", "Choose a cycle first.")
            return
        path = self.state.interaction.save_file("Save the commissioning evidence", f"evidence-cycle-{self.cycle.id}.pdf",
                                                "PDF (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self.write_evidence(path)

    def write_evidence(self, path: str, *, include_quotes: bool = False) -> None:
        from lived_experience.exporting.evidence import write_evidence
        from ui.tasks import run_task

        cycle_id = self.cycle.id
        run_task(self, lambda progress: write_evidence(self.ctx, cycle_id, path, include_quotes=include_quotes,
                                                       progress=progress),
                 label="Writing the evidence PDF…",
                 on_done=lambda res: self.state.interaction.info(
                     "PDF written", f"{res.items} feedback items and {res.decisions} decisions on {res.pages} pages "
                                    f"saved to {res.path}."),
                 on_error=self.state.interaction.error)


class RightsGridTab(QWidget):
    """Services x Victims' Code rights: how many feedback items in each cell; a 0
    is shaded and the last column names the rights with none, in words."""

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.scope = QComboBox()
        a11y(self.scope, "Grid covers", "Each service's current cycle, or the last 12 months")
        self.scope.addItem("Each service's current cycle", "cycle")
        self.scope.addItem("Feedback received in the last 12 months", "year")
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Rights with no feedback")
        self.model = RowsModel([], self)
        self.view = read_only_table("Rights grid", "Services by Victims' Code rights: the number of feedback "
                                    "items in each cell; 0 means no feedback; Enter on a count lists its items",
                                    self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.activated.connect(self.show_cell)
        top = QHBoxLayout()
        top.addWidget(QLabel("Covers:"))
        top.addWidget(self.scope)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.note)
        lay.addWidget(self.view, 1)
        self.titles = QLabel()
        self.titles.setWordWrap(True)
        self.titles.setAccessibleName("The twelve rights")
        lay.addWidget(self.titles)
        state.changed.connect(lambda e: e in ("*", "feedback_item", "commissioned_service", "commissioning_cycle")
                              and self.refresh())
        self.refresh()

    def refresh(self) -> None:
        import datetime as dt

        from lived_experience.core import clock

        if self.scope.currentData() == "year":
            today = clock.today()
            grid = tr.rights_grid(self.state.ctx, date_from=today - dt.timedelta(days=365), date_to=today)
        else:
            grid = tr.rights_grid(self.state.ctx)
        self.grid = grid
        headers = ["Service", "Cycle (stage)"] + [f"R{n}" for n, _t in grid.rights] + ["No feedback on rights"]
        rows, shaded = [], []
        for r_i, row in enumerate(grid.rows + [grid.total]):
            short = (row.cycle_name or "").removeprefix(f"{row.service_name}:").strip()
            cycle = (f"{short} ({row.stage_label})" if row.cycle_name else
                     ("" if row.service_id is None else "No cycle"))
            cells = [row.service_name, cycle] + [str(row.count(n)) for n, _t in grid.rights]
            cells.append(", ".join(str(x) for x in row.empty_rights) or "None: every right has feedback")
            shaded += [(r_i, 2 + c) for c, (n, _t) in enumerate(grid.rights) if not row.count(n)]
            rows.append(cells)
        tips = ["", "The cycle the row covers, and its current stage"] + [
            f"Right {n}: {t}" for n, t in grid.rights] + ["Rights with no feedback for this service"]
        self.model.set_rows(rows, grid.rows + [grid.total], headers=headers, shaded=shaded,
                            bold_rows=[len(rows) - 1], align_right=list(range(2, 2 + len(grid.rights))),
                            header_tips=tips)
        self.view.resizeColumnsToContents()
        none = grid.rights_with_no_feedback
        self.note.setText(f"{grid.scope}. " + (
            f"No feedback at all on right{'s' if len(none) != 1 else ''} {', '.join(str(n) for n in none)}."
            if none else "Every right has some feedback; cells showing 0 (shaded) are rights with no feedback "
                         "for that service."))
        self.titles.setText("Rights (R1 to R12): " + "  ".join(f"{n}. {t}." for n, t in grid.rights)
                            + "  Double-click a count (or press Enter on it) to see its feedback.")

    def cell_ids(self, row: int, column: int) -> tuple[str, list[int]]:
        """The feedback behind one cell, and words for what the cell is."""
        rights = self.grid.rights
        if not 2 <= column < 2 + len(rights):
            return "", []
        number, title = rights[column - 2]
        line = self.model.payload(row)
        if line is None:
            return "", []
        if line.service_id is None:  # the "All services" row
            ids = sorted({i for (_sid, n), v in self.grid.feedback_ids.items() if n == number for i in v})
        else:
            ids = self.grid.feedback_ids.get((line.service_id, number), [])
        return f"{line.service_name}, right {number}: {title}", ids

    def show_cell(self, index) -> None:
        what, ids = self.cell_ids(index.row(), index.column())
        if not what:
            return
        if not ids:
            self.state.interaction.info("No feedback", f"{what}: no feedback in this scope ({self.grid.scope.lower()}).")
            return
        try:
            items = tr.feedback_items(self.state.ctx, ids)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        dlg = CellItemsDialog(what, items, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: self._open_item(dlg.chosen))
        self.last_dialog = dlg
        dlg.open()

    def _open_item(self, feedback_id: int | None) -> None:
        opener = getattr(self.window(), "open_record", None)
        if feedback_id is not None and opener is not None:
            opener("feedback", "feedback_item", feedback_id)


class CellItemsDialog(QDialog):
    """The feedback items behind one cell of the rights grid; Enter opens one."""

    def __init__(self, what: str, items, parent=None):
        super().__init__(parent)
        self.chosen: int | None = None
        self.setWindowTitle("Feedback behind the count")
        a11y(self, "Feedback behind the count", what)
        self.model = RowsModel(["Ref", "What was said", "Received", "Status", "Themes", "We did"], self)
        self.view = read_only_table("Feedback items", f"{what}: Enter opens the selected item", self.model)
        self.model.set_rows([[f"F-{i.feedback_id}", i.summary, uk_date(i.received_on), FeedbackStatus(i.status).label,
                              ", ".join(i.themes), i.response or ""] for i in items], items)
        self.view.activated.connect(self._open)
        if items:
            self.view.selectRow(0)
        title = QLabel(f"{what}: {len(items)} item{'s' if len(items) != 1 else ''}")
        title.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("Open in Feedback", QDialogButtonBox.ButtonRole.AcceptRole)
        a11y(self.open_button, "Open in Feedback", "Show the selected item in the Feedback section")
        self.open_button.clicked.connect(lambda: self._open(self.view.currentIndex()))
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        a11y(close, "Close", "Close this list")
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(self.view, 1)
        lay.addWidget(buttons)
        self.resize(900, 420)

    def _open(self, index) -> None:
        item = self.model.payload(index.row()) if index is not None and index.isValid() else None
        if item is not None:
            self.chosen = item.feedback_id
            self.accept()


class CommissioningPage(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.list = ListPage(state, "services", self)
        self.list.extra_entities = ("commissioning_cycle", "commissioning_decision", "due_diligence_visit")
        self.panel = ServicePanel(self)
        self.list.follow_current(lambda row: self.panel.show_service(row["id"] if row else None))
        self.list.activated.connect(lambda row: self.panel.show_service(row["id"]))
        self.new_button = _button("New service…", "New service", "Add a commissioned service (checks for "
                                  "duplicates first)", self.new_service)
        self.new_button.setEnabled(state.ctx.actor.can(Perm.WRITE))
        services = QWidget()
        sl = QVBoxLayout(services)
        sl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addStretch(1)
        sl.addLayout(row)
        # The panel (timeline, stages, decisions) needs the room; the register scrolls sideways.
        sl.addWidget(side_by_side(self.list, self.panel, stretch=(2, 3), sizes=(440, 720)), 1)
        self.tabs = area_tabs("Commissioning areas", "Services and cycles, or the rights grid")
        self.tabs.addTab(services, "Services and cycles")
        self.grid = RightsGridTab(state, self)
        self.tabs.addTab(self.grid, "Rights grid")
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Commissioning", "Commissioned services, their cycles (Analyse, Plan, Do, Review), "
                                               "due-diligence visits and decisions with the feedback behind them."))
        lay.addWidget(self.tabs, 1)

    def open_record(self, entity: str, entity_id: int) -> None:
        self.tabs.setCurrentIndex(0)
        if entity == "commissioning_cycle":
            cycle = cy.get_cycle(self.state.ctx, entity_id)
            self.list.select_id(cycle.service_id)
            self.panel.show_service(cycle.service_id, cycle_id=entity_id)
            self.panel.setCurrentIndex(1)
            return
        if entity_id:
            self.list.select_id(entity_id)

    def new_service(self) -> None:
        dlg = ServiceDialog(self.state, self)
        if dlg.exec():
            self.state.notify("commissioned_service")
            self.list.select_id(dlg.result_value)

    def save_layout(self) -> None:
        self.list.save_layout()
