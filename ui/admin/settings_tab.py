"""Office settings: everyone can read them; only administrators can change them
(the service refuses anyone else)."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lived_experience import settings as settings_service
from lived_experience.security.permissions import Perm


class SettingsTab(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        outer = QVBoxLayout(self)
        note = QLabel("Only administrators can change these settings." if not state.ctx.actor.can(Perm.SETTINGS)
                      else "Changes apply to everyone using this database.")
        note.setWordWrap(True)
        outer.addWidget(note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        form = QFormLayout(inner)
        self.fields: dict[str, QWidget] = {}
        current = settings_service.load(state.ctx)
        editable = state.ctx.actor.can(Perm.SETTINGS)
        for f in dataclasses.fields(current):
            label = settings_service.LABELS.get(f.name, f.name)
            value = getattr(current, f.name)
            if f.name == "protective_marking":
                w = QComboBox()
                w.addItems(list(settings_service.PROTECTIVE_MARKINGS))
                w.setCurrentText(value)
            else:
                w = QSpinBox()
                lo, hi = settings_service.LIMITS.get(f.name, (0, 10_000_000))
                w.setRange(lo, hi)
                w.setValue(int(value))
            w.setAccessibleName(label)
            w.setAccessibleDescription(f"Setting: {label}")
            w.setEnabled(editable)
            self.fields[f.name] = w
            form.addRow(label + ":", w)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        self.save_button = QPushButton("Save settings")
        self.save_button.setAccessibleName("Save settings")
        self.save_button.setAccessibleDescription("Save the office settings for everyone")
        self.save_button.setEnabled(editable)
        self.save_button.clicked.connect(self.save)
        outer.addWidget(self.save_button)

    def values(self) -> dict:
        out = {}
        for key, w in self.fields.items():
            out[key] = w.currentText() if isinstance(w, QComboBox) else w.value()
        return out

    def save(self) -> None:
        try:
            settings_service.update(self.state.ctx, **self.values())
        except Exception as exc:  # noqa: BLE001
            self.state.interaction.error(exc)
            return
        self.state.notify("*")
        self.state.interaction.info("Settings saved", "The settings were saved.")
