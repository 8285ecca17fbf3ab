"""The applicant import wizard: choose a file and a window, check the column mapping, look at
every row and decide about duplicates, import (with progress and Cancel), see what happened.

Reading, checking and importing run off the UI thread (``ui.tasks.run_task``); Cancel stops
the work at the next progress report and the import's single transaction rolls back, so a
cancelled import changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date
from lived_experience.importing import profiles, service
from lived_experience.importing import validate as V
from lived_experience.importing.headers import FIELDS, auto_map
from lived_experience.importing.readers import open_source
from lived_experience.importing.report import write_rejected_report
from lived_experience.importing.service import quiet_gc
from ui.common.forms import a11y
from ui.importing.models import FILTERS, MappingModel, PreviewModel, what_happens
from ui.state import AppState
from ui.tasks import Cancelled, run_task
from ui.theme import tone

FILE_FILTER = "Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.txt *.tsv);;All files (*)"
_CANCELLED = object()
STEPS = ["Choose the file", "Check the columns", "Check the rows", "Confirm", "Importing", "Done"]


def open_import_wizard(state: AppState, parent: QWidget | None = None, window_id: int | None = None) -> ImportWizard:
    """Open the wizard (window-modal) and return it. The Applicants page's "Import spreadsheet…" calls this."""
    wizard = ImportWizard(state, parent, window_id=window_id)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.open()
    return wizard


def _n(count: int, one: str, many: str | None = None) -> str:
    """'1 duplicate', '2 duplicates'."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _label(text: str = "", *, name: str | None = None, wrap: bool = True) -> QLabel:
    lbl = QLabel(text)
    lbl.setWordWrap(wrap)
    lbl.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        lbl.setAccessibleName(name)
    return lbl


def _table(name: str, description: str) -> QTableView:
    t = QTableView()
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setStretchLastSection(True)
    t.setTabKeyNavigation(False)
    a11y(t, name, description)
    return t


class ImportWizard(QDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None, *, window_id: int | None = None):
        super().__init__(parent)
        self.state = state
        self.ctx = state.ctx
        self.source = None
        self.mapping = None
        self.preview: service.Preview | None = None
        self.outcome: service.Outcome | None = None
        self.report_path: Path | None = None
        self.task = None
        self.busy = False
        self.open_url = QDesktopServices.openUrl  # replaced in tests
        self.setWindowTitle("Import applicants from a spreadsheet")
        a11y(self, "Import applicants from a spreadsheet",
             "A wizard: choose the file, check the columns and the rows, then import")
        self.resize(1000, 700)

        self.step_label = QLabel()
        self.step_label.setObjectName("pageTitle")
        self.step_label.setAccessibleName("Step")
        self.stack = QStackedWidget()
        self.error_label = QLabel()
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        tone(self.error_label, "danger")
        self.error_label.setAccessibleName("Problem")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 1000)
        a11y(self.busy_bar, "Progress", "How far the current step has got")
        self.busy_label = QLabel()
        self.busy_label.setAccessibleName("Working on")
        self.busy_box = QWidget()
        busy = QHBoxLayout(self.busy_box)
        busy.setContentsMargins(0, 0, 0, 0)
        busy.addWidget(self.busy_label)
        busy.addWidget(self.busy_bar, 1)
        self.busy_box.hide()

        self.back_button = a11y(QPushButton("< &Back"), "Back", "Go back one step")
        self.next_button = a11y(QPushButton("&Next >"), "Next", "Go on to the next step")
        self.cancel_button = a11y(QPushButton("Cancel"), "Cancel", "Stop, and close the wizard without importing")
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.cancel_button.clicked.connect(self.cancel_or_close)
        self.next_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.cancel_button)

        lay = QVBoxLayout(self)
        lay.addWidget(self.step_label)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.error_label)
        lay.addWidget(self.busy_box)
        lay.addLayout(buttons)

        self._build_choose(window_id)
        self._build_mapping()
        self._build_preview()
        self._build_confirm()
        self._build_progress()
        self._build_summary()
        self.finished.connect(self._release)
        self._show_step(0)

    # -- pages --------------------------------------------------------------------------------
    def _build_choose(self, window_id: int | None) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(_label(
            "Choose the spreadsheet of applications (a Microsoft Forms or Google Forms export, or a sheet typed "
            "by hand: .xlsx, .xlsm, .xls, .ods or .csv) and the recruitment window the applications belong to. "
            "Nothing is imported until you confirm at the end."))
        form = QFormLayout()
        self.path_edit = a11y(QLineEdit(), "Spreadsheet file", "The full path of the spreadsheet to import")
        self.path_edit.setPlaceholderText("Choose a file with Browse…")
        self.browse_button = a11y(QPushButton("&Browse…"), "Browse", "Choose the spreadsheet file")
        self.browse_button.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        path_label = QLabel("&Spreadsheet:")
        path_label.setBuddy(self.path_edit)
        form.addRow(path_label, row)
        self.window_combo = a11y(QComboBox(), "Recruitment window", "The window these applications belong to")
        for w in service.windows(self.ctx):
            self.window_combo.addItem(f"{w.name} (opens {uk_date(w.opens_on)})", w.id)
        if window_id is not None:
            i = self.window_combo.findData(window_id)
            if i >= 0:
                self.window_combo.setCurrentIndex(i)
        form.addRow("Recruitment &window:", self.window_combo)
        lay.addLayout(form)
        lay.addStretch(1)
        self.stack.addWidget(page)

    def _build_mapping(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.file_notes = _label(name="About the file")
        lay.addWidget(self.file_notes)
        self.mapping_model = MappingModel(parent=self)
        self.mapping_table = _table("Columns", "Each column of your file and what it is imported as")
        self.mapping_table.setModel(self.mapping_model)
        self.mapping_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.mapping_table.setColumnWidth(0, 260)
        self.mapping_table.setColumnWidth(1, 200)
        self.mapping_table.setColumnWidth(2, 180)
        self.mapping_table.selectionModel().currentRowChanged.connect(self._mapping_row_changed)
        lay.addWidget(self.mapping_table, 1)
        form = QFormLayout()
        self.field_combo = a11y(QComboBox(), "Import the selected column as",
                                "Choose what the selected column holds, or Not imported")
        self.field_combo.addItem("Not imported", None)
        for f in FIELDS:
            self.field_combo.addItem(f.label, f.key)
        self.field_combo.activated.connect(self._field_chosen)
        form.addRow("Import the selected column &as:", self.field_combo)
        prof = QHBoxLayout()
        self.profile_combo = a11y(QComboBox(), "Saved mappings", "A column mapping saved earlier, to use again")
        self.profile_apply = a11y(QPushButton("&Use"), "Use saved mapping", "Apply the chosen saved mapping")
        self.profile_apply.clicked.connect(self._apply_profile)
        self.profile_name = a11y(QLineEdit(), "Save this mapping as", "A name for this mapping, to use next time")
        self.profile_name.setPlaceholderText("e.g. Spring Forms export")
        self.profile_save = a11y(QPushButton("Sa&ve mapping"), "Save mapping", "Save this mapping under the name")
        self.profile_save.clicked.connect(self._save_profile)
        prof.addWidget(self.profile_combo, 1)
        prof.addWidget(self.profile_apply)
        prof.addSpacing(16)
        prof.addWidget(self.profile_name, 1)
        prof.addWidget(self.profile_save)
        prof_label = QLabel("Saved &mappings:")
        prof_label.setBuddy(self.profile_combo)
        form.addRow(prof_label, prof)
        lay.addLayout(form)
        self.mapping_problems = _label(name="Mapping problems")
        tone(self.mapping_problems, "danger")  # they stop the import: Next stays off
        lay.addWidget(self.mapping_problems)
        self.stack.addWidget(page)

    def _build_preview(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.summary_label = _label(name="Summary of the rows")
        lay.addWidget(self.summary_label)
        self.preview_notes = _label(name="Notes about the file")
        lay.addWidget(self.preview_notes)
        top = QHBoxLayout()
        self.filter_combo = a11y(QComboBox(), "Show", "Which rows to show in the table")
        for key, text in FILTERS:
            self.filter_combo.addItem(text, key)
        self.filter_combo.currentIndexChanged.connect(self._filter_changed)
        top.addWidget(QLabel("Sho&w:"))
        top.itemAt(0).widget().setBuddy(self.filter_combo)
        top.addWidget(self.filter_combo)
        top.addStretch(1)
        lay.addLayout(top)
        self.preview_model = PreviewModel(parent=self)
        self.preview_table = _table("Rows", "Every row of the file, with what will happen to it and its problems")
        self.preview_table.setModel(self.preview_model)
        self.preview_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((50, 220, 180, 220, 90)):
            self.preview_table.setColumnWidth(col, width)
        self.preview_table.selectionModel().currentRowChanged.connect(self._preview_row_changed)
        self.preview_model.modelReset.connect(self._preview_reset)
        details = QWidget()
        dl = QVBoxLayout(details)
        dl.setContentsMargins(0, 0, 0, 0)
        self.row_details = a11y(QTextBrowser(), "Row details", "The selected row's problems and changes")
        self.row_details.setOpenLinks(False)
        dl.addWidget(self.row_details, 1)
        form = QFormLayout()
        self.choice_combo = a11y(QComboBox(), "What to do with this row",
                                 "For a duplicate: skip it, update the person on record, or add a new person")
        self.choice_combo.activated.connect(self._choice_made)
        form.addRow("What to do with this &row:", self.choice_combo)
        self.person_combo = a11y(QComboBox(), "Which person on record",
                                 "For a row matching several people: which one it is")
        self.person_combo.activated.connect(self._person_chosen)
        form.addRow("Which &person on record:", self.person_combo)
        dl.addLayout(form)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.preview_table)
        split.addWidget(details)
        split.setSizes([380, 200])
        lay.addWidget(split, 1)
        QShortcut(QKeySequence("Ctrl+Down"), page, activated=lambda: self._jump_to_next_decision())
        self.stack.addWidget(page)

    def _build_confirm(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.confirm_label = _label(name="What will be imported")
        lay.addWidget(self.confirm_label)
        lay.addStretch(1)
        self.stack.addWidget(page)

    def _build_progress(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.progress_label = _label("Importing… This is one transaction: if you cancel, nothing is changed.",
                                     name="Importing")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        a11y(self.progress_bar, "Import progress", "How much of the import is done")
        self.stop_button = a11y(QPushButton("&Cancel import"), "Cancel import",
                                "Stop the import: nothing will be changed")
        self.stop_button.clicked.connect(self._stop)
        lay.addWidget(self.progress_label)
        lay.addWidget(self.progress_bar)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.stop_button)
        lay.addLayout(row)
        lay.addStretch(1)
        self.stack.addWidget(page)

    def _build_summary(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.result_label = _label(name="What was imported")
        lay.addWidget(self.result_label)
        row = QHBoxLayout()
        self.save_report_button = a11y(QPushButton("&Save the rejected rows to fix…"), "Save the rejected rows",
                                       "Save the rows that were not imported, with the reasons, as a workbook")
        self.save_report_button.clicked.connect(self.save_report)
        self.open_report_button = a11y(QPushButton("&Open the report"), "Open the report",
                                       "Open the saved workbook of rejected rows")
        self.open_report_button.clicked.connect(self.open_report)
        row.addWidget(self.save_report_button)
        row.addWidget(self.open_report_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.report_link = QLabel()
        self.report_link.setAccessibleName("Rejected rows report")
        self.report_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.report_link.linkActivated.connect(lambda _href: self.open_report())
        lay.addWidget(self.report_link)
        lay.addStretch(1)
        self.stack.addWidget(page)

    # -- navigation ---------------------------------------------------------------------------
    @property
    def step(self) -> int:
        return self.stack.currentIndex()

    def _show_step(self, i: int) -> None:
        self.stack.setCurrentIndex(i)
        self.step_label.setText(f"Step {min(i, 4) + 1} of 5: {STEPS[i]}" if i < 5 else STEPS[i])
        self.error_label.hide()
        self.back_button.setVisible(i in (1, 2, 3))
        self.next_button.setVisible(i in (0, 1, 2, 3))
        self.next_button.setText({3: "&Import", 2: "&Next >"}.get(i, "&Next >"))
        self.next_button.setAccessibleName("Import" if i == 3 else "Next")
        self.cancel_button.setText("Close" if i == 5 else "Cancel")
        self.cancel_button.setAccessibleName("Close" if i == 5 else "Cancel")
        self.cancel_button.setEnabled(i != 4)
        self._update_next()

    def _update_next(self) -> None:
        ok = not self.busy
        if self.step == 1 and self.mapping is not None:
            ok = ok and not self.mapping.problems()
        if self.step == 3 and self.preview is not None:
            c = self.preview.counts()
            ok = ok and (c.imported + c.updated) > 0
        self.next_button.setEnabled(ok)
        self.back_button.setEnabled(not self.busy)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def go_back(self) -> None:
        if not self.busy and self.step in (1, 2, 3):
            self._show_step(self.step - 1)

    def go_next(self) -> None:
        if self.busy:
            return
        if self.step == 0:
            self.read_file()
        elif self.step == 1:
            self.check_rows()
        elif self.step == 2:
            self._fill_confirm()
            self._show_step(3)
        elif self.step == 3:
            self.start_import()

    def cancel_or_close(self) -> None:
        if self.busy and self.task is not None:
            self.task.cancel()
            return
        self.reject() if self.step != 5 else self.accept()

    def reject(self) -> None:
        if self.busy and self.task is not None:
            self.task.cancel()  # the work stops at its next progress report; nothing is saved
            return
        super().reject()

    def _release(self) -> None:
        if self.source is not None:
            self.source.close()
            self.source = None

    # -- background work ----------------------------------------------------------------------
    def _run(self, fn, on_done, busy_text: str, *, bar: QProgressBar | None = None) -> None:
        self.busy = True
        self.error_label.hide()
        shown_bar = bar or self.busy_bar
        shown_bar.setValue(0)
        if bar is None:
            self.busy_label.setText(busy_text)
            self.busy_box.show()
        self._update_next()

        def work(progress):
            try:
                with quiet_gc():
                    return fn(progress)
            except Cancelled:
                return _CANCELLED

        def finished(result) -> None:
            self.busy = False
            self.busy_box.hide()
            self.task = None
            on_done(result)
            self._update_next()

        def failed(exc, tb) -> None:
            self.busy = False
            self.busy_box.hide()
            self.task = None
            if self.step == 4:  # the import failed and rolled back: back to the confirmation
                self._show_step(3)
            self._update_next()
            if isinstance(exc, UserError):
                self.show_error(exc.message)
            else:
                self.state.interaction.error(exc, tb)

        self.task = run_task(self, work, on_done=finished, on_error=failed)
        if self.task is not None and self.busy:
            self.task.signals.progress.connect(lambda d, t: shown_bar.setValue(int(1000 * d / max(t, 1))))

    # step 1 -> 2
    def browse(self) -> None:
        path = self.state.interaction.open_file("Choose the applicants' spreadsheet", FILE_FILTER)
        if path:
            self.path_edit.setText(path)

    def read_file(self) -> None:
        path = self.path_edit.text().strip()
        if not path:
            self.show_error("Choose the spreadsheet to import (Browse…).")
            return
        if self.window_combo.currentData() is None:
            self.show_error("There are no recruitment windows yet: create one in Recruitment first.")
            return
        ctx = self.ctx
        old, self.source = self.source, None
        if old is not None:
            old.close()

        def work(progress):
            progress(0, 3)
            source = open_source(path)
            try:
                progress(2, 3)
                samples = [c for _n, c in source.sample()]
                saved = profiles.list_profiles(ctx)
                best = profiles.best_profile(saved, source.headers)
                mapping = (profiles.mapping_from_profile(best, source.headers, samples) if best
                           else auto_map(source.headers, samples))
            except BaseException:
                source.close()
                raise
            return source, mapping, samples, saved

        self._run(work, self._file_read, "Reading the spreadsheet…")

    def _file_read(self, result) -> None:
        if result is _CANCELLED:
            return
        self.source, self.mapping, samples, saved = result
        self.mapping_model.set_mapping(self.mapping, samples)
        self.profile_combo.clear()
        self.profile_combo.addItem("Automatic matching", None)
        for p in saved:
            self.profile_combo.addItem(p.name, p.name)
        if self.mapping.profile_name:
            self.profile_combo.setCurrentIndex(self.profile_combo.findData(self.mapping.profile_name))
            self.profile_name.setText(self.mapping.profile_name)
        src = self.source
        count = _n(src.estimated_rows, "row") if src.rows_exact else f"about {_n(src.estimated_rows, 'row')}"
        notes = [f"{src.file_name}: {count} under the headings in row {src.header_row}"
                 + (f" of the sheet '{src.sheet_name}'." if src.sheet_name else "."), *src.notes, *self.mapping.notes]
        if self.mapping.profile_name:
            notes.append(f"Using your saved mapping '{self.mapping.profile_name}'.")
        self.file_notes.setText("\n".join(notes))
        self._show_step(1)
        self._refresh_mapping()
        self.mapping_table.setFocus()
        self.mapping_table.selectRow(0)

    # step 2: mapping
    def _refresh_mapping(self) -> None:
        self.mapping_model.refresh()
        problems = self.mapping.problems() if self.mapping else []
        self.mapping_problems.setText("\n".join(problems))
        self.mapping_problems.setVisible(bool(problems))
        self._update_next()

    def _mapping_row_changed(self, current, _previous) -> None:
        if not current.isValid() or self.mapping is None:
            return
        col = self.mapping.columns[current.row()]
        self.field_combo.setCurrentIndex(max(0, self.field_combo.findData(col.field)))

    def _field_chosen(self, _i: int) -> None:
        row = self.mapping_table.currentIndex().row()
        if self.mapping is None or row < 0:
            return
        self.mapping.set(row, self.field_combo.currentData())
        self._refresh_mapping()

    def set_column_field(self, row: int, field_key: str | None) -> None:
        """Choose what one column is (keyboard users do the same with the table and the combo box)."""
        self.mapping_table.selectRow(row)
        self.field_combo.setCurrentIndex(max(0, self.field_combo.findData(field_key)))
        self._field_chosen(self.field_combo.currentIndex())

    def _apply_profile(self) -> None:
        if self.source is None:
            return
        name = self.profile_combo.currentData()
        samples = self.mapping_model.samples
        try:
            if name is None:
                self.mapping = auto_map(self.source.headers, samples)
            else:
                self.mapping = profiles.mapping_from_profile(profiles.get_profile(self.ctx, name),
                                                             self.source.headers, samples)
                self.profile_name.setText(name)
        except UserError as exc:
            self.show_error(exc.message)
            return
        self.mapping_model.set_mapping(self.mapping, samples)
        self._refresh_mapping()

    def _save_profile(self) -> None:
        if self.mapping is None:
            return
        try:
            saved = profiles.save_profile(self.ctx, self.profile_name.text(), self.mapping)
        except UserError as exc:
            self.show_error(exc.message)
            return
        self.error_label.hide()
        if self.profile_combo.findData(saved.name) < 0:
            self.profile_combo.addItem(saved.name, saved.name)
        self.profile_combo.setCurrentIndex(self.profile_combo.findData(saved.name))
        self.mapping.profile_name = saved.name
        self.state.interaction.info("Mapping saved", f"The mapping was saved as '{saved.name}'. Files with the "
                                                     "same column headings will use it automatically.")

    # step 2 -> 3
    def check_rows(self) -> None:
        if self.source is None or self.mapping is None:
            return
        problems = self.mapping.problems()
        if problems:
            self.show_error(problems[0])
            return
        source, mapping, ctx = self.source, self.mapping, self.ctx
        window_id = self.window_combo.currentData()

        def work(progress):
            return service.analyse(ctx, source, mapping, window_id, progress=progress, audit_view=True)

        self._run(work, self._rows_checked, "Checking every row…")

    def _rows_checked(self, result) -> None:
        if result is _CANCELLED:
            return
        self.preview = result
        self.preview_model.set_preview(result)
        self.preview_notes.setText("\n".join(n for n in result.notes if "Forms export" not in n))
        self._refresh_summary()
        self._show_step(2)
        first_problem = next((i for i, (k, _t) in enumerate(FILTERS) if k == "decide"), 0)
        if result.counts().needs_review:
            self.filter_combo.setCurrentIndex(first_problem)
        self.preview_table.setFocus()
        self.preview_table.selectRow(0)

    # step 3: preview
    def _refresh_summary(self) -> None:
        c = self.preview.counts()
        self.summary_label.setText(
            f"{_n(c.rows, 'row')} read: {c.imported:,} will be added, {c.updated:,} updated, {c.unchanged:,} "
            f"already imported and unchanged, {_n(c.duplicates, 'duplicate')} to skip, {c.needs_review:,} "
            f"need your decision, {c.rejected:,} rejected (they can be saved to a workbook to fix).")

    def _filter_changed(self, _i: int) -> None:
        self.preview_model.set_filter(self.filter_combo.currentData())

    def _preview_reset(self) -> None:
        sm = self.preview_table.selectionModel()
        sm.currentRowChanged.connect(self._preview_row_changed)
        self._show_row(None)

    def _preview_row_changed(self, current, _previous) -> None:
        self._show_row(self.preview_model.row_result(current.row()) if current.isValid() else None)

    def current_row(self) -> V.RowResult | None:
        idx = self.preview_table.currentIndex()
        return self.preview_model.row_result(idx.row()) if idx.isValid() else None

    def _show_row(self, r: V.RowResult | None) -> None:
        self.choice_combo.clear()
        self.person_combo.clear()
        if r is None:
            self.row_details.setPlainText("Select a row to see its problems and what will happen to it.")
            self.choice_combo.setEnabled(False)
            self.person_combo.setEnabled(False)
            return
        lines = [f"Row {r.number}: {r.full_name or '(no name)'}. {what_happens(r)}."]
        for level, title in ((V.ERROR, "Problems (the row is not imported)"), (V.WARNING, "Check"),
                             (V.NOTE, "Notes")):
            msgs = r.messages(level)
            if msgs:
                lines.append(f"\n{title}:")
                lines += [f"  • {m}" for m in msgs]
        if r.person_id and self.preview and r.person_id in self.preview.people:
            lines.append(f"\nPerson on record: {self.preview.people[r.person_id]}")
        if r.changes:
            lines.append("\nWhat changed (on record → in this file):")
            lines += [f"  • {c.label}: {c.old} → {c.new}" for c in r.changes]
        self.row_details.setPlainText("\n".join(lines))
        choices = r.choices
        if r.needs_review:
            self.choice_combo.addItem("Not decided yet (not imported)", None)
        for c in choices:
            self.choice_combo.addItem(V.CHOICE_LABELS[c], c)
        self.choice_combo.setCurrentIndex(max(0, self.choice_combo.findData(r.choice)))
        self.choice_combo.setEnabled(bool(choices))
        if len(r.candidates) > 1:
            self.person_combo.addItem("Choose the person…", None)
            for pid in r.candidates:
                self.person_combo.addItem(self.preview.people.get(pid, f"id {pid}"), pid)
            self.person_combo.setCurrentIndex(max(0, self.person_combo.findData(r.person_id)))
        self.person_combo.setEnabled(len(r.candidates) > 1)

    def _choice_made(self, _i: int) -> None:
        self.choose_for_current(self.choice_combo.currentData())

    def choose_for_current(self, choice: str | None) -> None:
        r = self.current_row()
        if r is None or self.preview is None:
            return
        try:
            self.preview.choose(r.number, choice)
        except UserError as exc:
            self.show_error(exc.message)
        else:
            self.error_label.hide()
        self._row_updated(r)

    def _person_chosen(self, _i: int) -> None:
        r = self.current_row()
        pid = self.person_combo.currentData()
        if r is None or pid is None:
            return
        try:
            self.preview.choose_person(r.number, pid)
        except UserError as exc:
            self.show_error(exc.message)
        self._row_updated(r)

    def _row_updated(self, r: V.RowResult) -> None:
        row = self.preview_model.row_of(r.number)
        if row is not None:
            self.preview_model.row_changed(row)
        self._refresh_summary()
        self._show_row(r)
        self._update_next()

    def _jump_to_next_decision(self) -> None:
        start = self.preview_table.currentIndex().row() + 1
        for i in range(start, self.preview_model.rowCount()):
            r = self.preview_model.row_result(i)
            if r is not None and r.choices:
                self.preview_table.selectRow(i)
                return

    # step 4: confirm
    def _fill_confirm(self) -> None:
        c = self.preview.counts()
        text = (f"Ready to import into '{self.preview.window_name}':\n\n"
                f"  • {_n(c.imported, 'applicant')} added\n  • {_n(c.updated, 'applicant')} updated with what "
                f"changed\n  • {c.unchanged:,} already imported and unchanged\n"
                f"  • {_n(c.duplicates, 'duplicate')} skipped\n"
                f"  • {c.needs_review:,} waiting for your decision (not imported)\n"
                f"  • {c.rejected:,} rejected (not imported; you can save them to fix afterwards)\n\n"
                "The import is one transaction: if you cancel, or anything goes wrong, nothing is changed.")
        if c.imported + c.updated == 0:
            text += "\n\nThere is nothing to import: every row is unchanged, skipped, rejected or undecided."
        self.confirm_label.setText(text)

    # step 4 -> 5 -> 6
    def start_import(self) -> None:
        preview, ctx = self.preview, self.ctx
        self._show_step(4)
        self.stop_button.setEnabled(True)
        self.stop_button.setFocus()

        def work(progress):
            return service.commit(ctx, preview, progress=progress)

        self._run(work, self._imported, "Importing…", bar=self.progress_bar)

    def _stop(self) -> None:
        if self.task is not None:
            self.stop_button.setEnabled(False)
            self.progress_label.setText("Stopping… nothing will be changed.")
            self.task.cancel()

    def _imported(self, result) -> None:
        if result is _CANCELLED:
            self._show_step(3)
            self.show_error("The import was cancelled: nothing was changed.")
            return
        self.outcome = result
        c = result.counts
        self.state.notify("application")
        self.state.notify("person")
        text = (f"Imported {self.preview.file_name} into '{self.preview.window_name}' (import {result.batch_id}).\n\n"
                f"  • {_n(c.imported, 'applicant')} added\n  • {c.updated:,} updated\n  • {c.unchanged:,} unchanged\n"
                f"  • {_n(c.duplicates, 'duplicate')} skipped\n"
                f"  • {c.needs_review:,} not imported: waiting for a decision\n"
                f"  • {c.rejected:,} rejected")
        if c.rejected:
            text += "\n\nSave the rejected rows to a workbook, correct them there, and import that workbook."
        self.result_label.setText(text)
        self.save_report_button.setVisible(c.rejected > 0)
        self.open_report_button.setVisible(False)
        self.report_link.setVisible(False)
        self._show_step(5)
        self.cancel_button.setFocus()

    # summary: the report
    def save_report(self) -> None:
        if self.preview is None or not self.preview.rejected:
            return
        stem = Path(self.preview.file_name).stem
        path = self.state.interaction.save_file("Save the rejected rows", f"{stem} - rows to fix.xlsx",
                                                "Excel workbook (*.xlsx)")
        if not path:
            return
        preview, source, ctx = self.preview, self.source, self.ctx

        def work(progress):
            from lived_experience.settings import load

            progress(0, 1)
            return write_rejected_report(preview, path, source=source, marking=load(ctx).protective_marking,
                                         author=ctx.actor.display_name)

        self._run(work, self._report_saved, "Saving the rejected rows…")

    def _report_saved(self, path) -> None:
        if path is _CANCELLED:
            return
        self.report_path = Path(path)
        self.report_link.setText(f'Saved: <a href="{QUrl.fromLocalFile(str(path)).toString()}">'
                                 f"{self.report_path.name}</a> (open it to fix the rows)")
        self.report_link.setVisible(True)
        self.open_report_button.setVisible(True)
        self.open_report_button.setFocus()

    def open_report(self) -> None:
        if self.report_path is not None:
            self.open_url(QUrl.fromLocalFile(str(self.report_path)))

    def keyPressEvent(self, event):  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape and self.busy:
            self.cancel_or_close()
            return
        super().keyPressEvent(event)
