"""Small building blocks for forms: accessible names, UK dates, enum choices, a dialog
that shows problems inline instead of closing."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from db.enums import Labelled
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import parse_uk_date, uk_date
from ui.theme import tone


def a11y(widget: QWidget, name: str, description: str | None = None) -> QWidget:
    """Every focusable control gets an accessible name and description (screen readers,
    and the accessibility test that walks every page)."""
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description or name)
    return widget


def line_edit(name: str, value: str | None = None, *, description: str | None = None,
              max_length: int = 200) -> QLineEdit:
    """A one-line text box holding ``value``, at most ``max_length`` characters."""
    w = QLineEdit(value or "")
    w.setMaxLength(max_length)
    a11y(w, name, description)
    return w


def text_box(name: str, value: str | None = None, *, description: str | None = None,
             height: int = 60) -> QPlainTextEdit:
    """A few lines of text, ``height`` pixels tall; Tab moves on, as in every other field."""
    w = QPlainTextEdit(value or "")
    w.setTabChangesFocus(True)
    w.setFixedHeight(height)
    a11y(w, name, description)
    return w


def check_box(text: str, checked: bool, description: str) -> QCheckBox:
    """A tick box labelled ``text`` (its ``&`` marks the shortcut letter)."""
    w = QCheckBox(text)
    w.setChecked(bool(checked))
    a11y(w, text.replace("&", ""), description)
    return w


class UkDateEdit(QLineEdit):
    """A date typed as dd/mm/yyyy; may be left empty unless ``required``."""

    def __init__(self, label: str, value: dt.date | None = None, *, required: bool = False, parent=None):
        super().__init__(parent)
        self.label = label
        self.required = required
        self.setPlaceholderText("dd/mm/yyyy")
        self.setMaxLength(10)
        a11y(self, label, f"{label}, as day/month/year")
        self.set_date(value)

    def set_date(self, value: dt.date | None) -> None:
        self.setText(uk_date(value) if value else "")

    def date(self) -> dt.date | None:
        raw = self.text().strip()
        if not raw:
            if self.required:
                raise ValidationError(f"{self.label} is needed.", {self.label: f"{self.label} is needed."})
            return None
        try:
            return parse_uk_date(raw)
        except ValueError:
            msg = f"{self.label}: '{raw}' is not a date in the form dd/mm/yyyy."
            raise ValidationError(msg, {self.label: msg}) from None


class EnumCombo(QComboBox):
    def __init__(self, enum: type[Labelled], label: str, *, value=None, empty: str | None = None,
                 exclude: tuple = (), parent=None):
        super().__init__(parent)
        if empty is not None:
            self.addItem(empty, None)
        for m in enum:
            if m not in exclude:
                self.addItem(m.label, m.value)
        a11y(self, label)
        self.set_value(value)

    def set_value(self, value) -> None:
        i = self.findData(value.value if hasattr(value, "value") else value)
        self.setCurrentIndex(i if i >= 0 else 0)

    def value(self):
        return self.currentData()


class FormDialog(QDialog):
    """A dialog with a form. OK runs ``save`` (``on_save`` or an override); a UserError is shown in the
    dialog (the dialog stays open with what was typed), anything else propagates."""

    def __init__(self, title: str, parent=None, *, on_save=None, intro: str | None = None,
                 ok_text: str = "Save"):
        super().__init__(parent)
        self.on_save = on_save
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.layout_ = QVBoxLayout(self)
        if intro:
            lbl = QLabel(intro)
            lbl.setWordWrap(True)
            self.layout_.addWidget(lbl)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.error_label = QLabel()
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        tone(self.error_label, "danger")
        self.error_label.setAccessibleName("Problem")
        self.error_label.hide()
        self.layout_.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(ok_text)
        a11y(ok, ok_text, f"{ok_text} and close")
        a11y(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "Cancel", "Close without saving")
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)
        self.result_value = None

    def add(self, label: str, widget: QWidget, description: str | None = None) -> QWidget:
        if not widget.accessibleName():
            # A check box added without a label of its own is named by its own words.
            own = getattr(widget, "text", None)
            name = label.rstrip(":").replace("&", "").strip() or (own().replace("&", "") if callable(own) else "")
            a11y(widget, name, description)
        self.form.addRow(label, widget)
        return widget

    def save(self):
        """Validate, call the service, return the result: ``on_save`` or a subclass's override."""
        return self.on_save() if self.on_save else None

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _on_ok(self) -> None:
        try:
            self.result_value = self.save()
        except UserError as exc:
            self.show_error(exc.message)
            return
        self.accept()

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._on_ok()
            return
        super().keyPressEvent(event)
