"""The Recruitment section: the windows list and the selected window's details
(status, dates, channels, places filled / offered / reserve, the reserve list by score)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lived_experience.core.formatting import uk_date, uk_datetime
from lived_experience.recruitment import windows as service
from lived_experience.security.permissions import Perm
from ui.common.list_page import ListPage
from ui.common.roles import RowRole
from ui.common.section_page import heading
from ui.recruitment.common import RowsModel, action, button_for, small_table, value_label
from ui.theme import title_font


class WindowPanel(QScrollArea):
    """The selected window's details."""

    FIELDS = ("Status", "Dates", "Places", "Applications", "Selection by", "Advertised on", "Term starts",
              "Advert")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Window details")
        self.setAccessibleDescription("The selected window: status, dates, places, channels and reserve list")
        inner = QWidget()
        lay = QVBoxLayout(inner)
        self.title = QLabel("Select a window to see its details.")
        self.title.setFont(title_font())
        self.title.setWordWrap(True)
        self.title.setAccessibleName("Window")
        lay.addWidget(self.title)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for f in self.FIELDS:
            lbl = value_label(f)
            self.values[f] = lbl
            form.addRow(f"{f}:", lbl)
        lay.addLayout(form)
        reserve_title = QLabel("Reserve list (best score first)")
        reserve_title.setAccessibleName("Reserve list")
        lay.addWidget(reserve_title)
        self.reserve_model = RowsModel(["Rank", "Name", "Score", "Applied"], self, right_aligned=(0, 2))
        self.reserve = small_table(self.reserve_model, "Reserve list",
                                   "Applicants on the reserve list, best score first; Enter opens the applicant")
        lay.addWidget(self.reserve)
        lay.addStretch(1)
        self.setWidget(inner)
        self.detail: service.WindowDetail | None = None

    def show_window(self, d: service.WindowDetail | None) -> None:
        self.detail = d
        if d is None:
            self.title.setText("Select a window to see its details.")
            for lbl in self.values.values():
                lbl.setText("—")
            self.reserve_model.set_rows([])
            return
        self.title.setText(d.name)
        status = d.status.label
        if d.closed_early_on:
            status += f" (closed early on {uk_date(d.closed_early_on)})"
        if d.selection_completed_on:
            status += f" (selection completed on {uk_date(d.selection_completed_on)})"
        v = self.values
        v["Status"].setText(status)
        v["Dates"].setText(f"Opens {uk_date(d.opens_on)}, closes {uk_date(d.closes_on)}")
        v["Places"].setText(
            f"{d.places} places: {d.filled} filled (members), {d.accepted} accepted, {d.offered} offered and "
            f"waiting, {len(d.reserve)} on reserve; {d.places_left} "
            f"{'place' if d.places_left == 1 else 'places'} left to offer")
        v["Applications"].setText(f"{d.applications} in all; {d.undecided} waiting for a decision")
        v["Selection by"].setText(d.selection_methods)
        v["Advertised on"].setText(", ".join(c.label for c in d.channels) or "Not recorded")
        v["Term starts"].setText(uk_date(d.term_starts_on) or "Not set")
        v["Advert"].setText(d.advert_text or "No advert text recorded")
        self.reserve_model.set_rows(
            [(str(i), e.name, f"{e.score:.2f}" if e.score is not None else "Not scored", uk_datetime(e.received_at))
             for i, e in enumerate(d.reserve, start=1)], d.reserve)


class WindowsPage(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.window_ = parent
        self.dialog = None
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Recruitment", "Recruitment windows: when they are open, where they were "
                                             "advertised, and how the places are filling. Select a window "
                                             "for its details."))
        can_write = state.ctx.actor.can(Perm.WRITE)
        self.new_action = action(self, "&New window…", "Create a recruitment window", self.new_window, "Ctrl+N")
        self.edit_action = action(self, "&Edit…", "Edit the selected window", self.edit_window, "Ctrl+E")
        self.close_action = action(self, "&Close early…", "Stop taking applications before the closing date",
                                   self.close_early, "Ctrl+Shift+C")
        self.complete_action = action(self, "&Mark selection complete…",
                                      "Record that the panel has decided on every applicant",
                                      self.mark_complete, "Ctrl+Shift+M")
        self.rubric_action = action(self, "Assessment &rubric…", "Add, change or reorder the assessment criteria",
                                    self.open_rubric, "Ctrl+Shift+R")
        bar = QHBoxLayout()
        self.buttons = {}
        for key, act in (("new", self.new_action), ("edit", self.edit_action), ("close", self.close_action),
                         ("complete", self.complete_action), ("rubric", self.rubric_action)):
            b = button_for(act)
            self.buttons[key] = b
            bar.addWidget(b)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.new_action.setEnabled(can_write)
        self.rubric_action.setEnabled(True)

        self.list = ListPage(state, "windows", self)
        self.list.extra_entities = ("application", "window_channel")
        self.panel = WindowPanel()
        self.panel.setMinimumWidth(300)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([620, 420])
        lay.addWidget(self.splitter, 1)
        self.list.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.list.model.modelReset.connect(self._reset)
        self.list.activated.connect(lambda _row: self.edit_window())
        self.panel.reserve.activated.connect(self._open_reserve)
        self._update_actions()
        if self.list.model.rowCount():
            self.list.table.selectRow(0)
            self.list.table.setCurrentIndex(self.list.model.index(0, 0))

    # -- selection -----------------------------------------------------------------------------
    def _reset(self) -> None:
        self.list.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self._row_changed(self.list.table.currentIndex(), None)

    def _row_changed(self, current, _previous) -> None:
        row = self.list.model.row_at(current.row()) if current is not None and current.isValid() else None
        detail = None
        if row is not None:
            try:
                detail = service.get_window(self.state.ctx, row["id"])
            except Exception as exc:  # noqa: BLE001 - shown to the user
                self.state.interaction.error(exc)
        self.panel.show_window(detail)
        self._update_actions()

    def _update_actions(self) -> None:
        d = self.panel.detail
        can_write = self.state.ctx.actor.can(Perm.WRITE)
        self.edit_action.setEnabled(can_write and d is not None)
        self.close_action.setEnabled(can_write and d is not None and d.status.value == "open")
        self.complete_action.setEnabled(can_write and d is not None and d.status.value == "closed")

    def selected(self) -> service.WindowDetail | None:
        return self.panel.detail

    def refresh_detail(self) -> None:
        self._row_changed(self.list.table.currentIndex(), None)

    # -- actions ------------------------------------------------------------------------------
    def _open(self, dlg, after) -> None:
        self.dialog = dlg
        dlg.accepted.connect(lambda: after(dlg.result_value))
        dlg.open()

    def _saved(self, detail: service.WindowDetail | None) -> None:
        self.state.notify("recruitment_window")
        if detail is not None:
            self.list.select_id(detail.id)
        self.refresh_detail()

    def new_window(self) -> None:
        from ui.recruitment.window_dialogs import WindowDialog

        self._open(WindowDialog(self.state, self), self._saved)

    def edit_window(self) -> None:
        d = self.selected()
        if d is None or not self.state.ctx.actor.can(Perm.WRITE):
            return
        from ui.recruitment.window_dialogs import WindowDialog

        self._open(WindowDialog(self.state, self, detail=service.get_window(self.state.ctx, d.id)), self._saved)

    def close_early(self) -> None:
        d = self.selected()
        if d is None:
            return
        from ui.recruitment.window_dialogs import CloseEarlyDialog

        self._open(CloseEarlyDialog(self.state, d, self), self._saved)

    def mark_complete(self) -> None:
        d = self.selected()
        if d is None:
            return
        if not self.state.interaction.confirm(
                "Mark selection complete",
                f"Mark selection for '{d.name}' complete? Every applicant must already be offered, on reserve, "
                "unsuccessful or withdrawn. Offers can still be accepted afterwards.", yes="Mark complete",
                no="Cancel"):
            return
        try:
            result = service.mark_selection_complete(self.state.ctx, d.id, expected_version=d.version)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.state.interaction.error(exc)
            return
        self._saved(result)

    def open_rubric(self) -> None:
        from ui.recruitment.window_dialogs import RubricDialog

        self.dialog = RubricDialog(self.state, self)
        self.dialog.open()

    def _open_reserve(self, index) -> None:
        entry = index.data(RowRole)
        if entry is not None and hasattr(self.window_, "open_record"):
            self.window_.open_record("applicants", "application", entry.application_id)

    # -- shell hooks ----------------------------------------------------------------------------
    def open_record(self, entity: str, entity_id: int) -> None:
        if entity in ("recruitment_window", "window") and entity_id:
            self.list.select_id(entity_id)

    def save_layout(self) -> None:
        self.list.save_layout()

