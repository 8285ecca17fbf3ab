"""The managed list of feedback themes: add, rename, stop using (and use again)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from lived_experience.core.errors import UserError
from lived_experience.feedback import service as fb
from ui.common.forms import FormDialog, a11y
from ui.common.roles import RowRole
from ui.feedback.widgets import RowsModel, read_only_table


class ThemesTab(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        intro = QLabel("Themes group feedback so recurring issues show. A theme no longer in use stays on the "
                       "items that have it but is not offered for new ones.")
        intro.setWordWrap(True)
        self.model = RowsModel(["Theme", "In use", "Feedback items", "Description"], self)
        self.table = read_only_table("Themes", "The feedback themes; Enter renames the selected theme", self.model)
        self.table.activated.connect(lambda _i: self.rename())
        self.add_button = QPushButton("Add theme…")
        a11y(self.add_button, "Add theme", "Add a new feedback theme")
        self.add_button.clicked.connect(self.add)
        self.rename_button = QPushButton("Rename…")
        a11y(self.rename_button, "Rename theme", "Rename the selected theme")
        self.rename_button.clicked.connect(self.rename)
        self.toggle_button = QPushButton("Stop using / use again")
        a11y(self.toggle_button, "Stop using or use again", "Stop offering the selected theme, or offer it again")
        self.toggle_button.clicked.connect(self.toggle)
        row = QHBoxLayout()
        for b in (self.add_button, self.rename_button, self.toggle_button):
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(row)
        lay.addWidget(self.table, 1)
        state.changed.connect(lambda e: e in ("*", "theme", "feedback_item") and self.refresh())
        self.refresh()

    def refresh(self) -> None:
        themes = fb.list_themes(self.state.ctx)
        self.model.set_rows([[t.name, "Yes" if t.is_active else "No (not offered)", t.uses, t.description or ""]
                             for t in themes], themes, align_right=[2])
        self.table.resizeColumnsToContents()

    def selected(self) -> fb.ThemeInfo | None:
        idx = self.table.currentIndex()
        return idx.data(RowRole) if idx.isValid() else None

    def _ask(self, title: str, name: str = "", description: str = ""):
        dlg = FormDialog(title, self)
        name_edit = dlg.add("&Name:", QLineEdit(name), "The theme's name")
        desc_edit = dlg.add("&Description:", QLineEdit(description), "What the theme covers (optional)")
        return dlg, name_edit, desc_edit

    def add(self) -> None:
        dlg, name, desc = self._ask("Add theme")
        dlg.on_save = lambda: fb.add_theme(self.state.ctx, name.text(), desc.text())
        if dlg.exec():
            self.state.notify("theme")

    def rename(self) -> None:
        t = self.selected()
        if t is None:
            return
        dlg, name, desc = self._ask("Rename theme", t.name, t.description or "")
        dlg.on_save = lambda: fb.rename_theme(self.state.ctx, t.id, name.text(), t.version, desc.text())
        if dlg.exec():
            self.state.notify("theme")

    def toggle(self) -> None:
        t = self.selected()
        if t is None:
            return
        try:
            fb.set_theme_active(self.state.ctx, t.id, not t.is_active, t.version)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.state.notify("theme")
