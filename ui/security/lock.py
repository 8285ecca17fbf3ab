"""The idle lock: after ``lock_minutes`` without keyboard or mouse input the window locks.

- Idle time is measured by an application-wide event filter on input events.
- Locking covers every open window (the main window and any dialog or form
  left open) with an opaque panel, so no personal data shows, and opens an
  application-modal lock dialog on top that takes all input.
- Nothing is closed: a half-filled form is still there, with what was typed,
  when the right password unlocks the window.
- Unlocking checks the signed-in user's password (failures are slowed and
  audited); "Quit" closes the app instead (after a warning about unsaved work).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lived_experience.security import accounts
from ui.common.forms import a11y
from ui.security.widgets import message_label, password_edit, readable_width

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate, QEvent.Type.TabletPress, QEvent.Type.ShortcutOverride,
})
CHECK_INTERVAL_MS = 5_000


class Cover(QWidget):
    """An opaque panel over one window's content while the app is locked."""

    def __init__(self, target: QWidget):
        super().__init__(target)
        self.setObjectName("lockCover")
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#lockCover { background: #1F3864; } QLabel { color: white; }")
        lay = QVBoxLayout(self)
        label = QLabel("Lived Experience is locked.\nThe signed-in user's password unlocks it.")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setAccessibleName("Locked")
        lay.addWidget(label)
        self.setAccessibleName("Locked: content hidden")
        self.setGeometry(target.rect())
        target.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, obj, event):
        if obj is self.parent() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
            self.raise_()
        return False


class LockDialog(QDialog):
    """Application-modal: it takes all input until the password is right."""

    unlocked = Signal()
    quit_requested = Signal()

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Lived Experience is locked")
        self.setAccessibleName("Unlock Lived Experience")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        readable_width(self)
        lay = QVBoxLayout(self)
        actor = state.ctx.actor
        intro = QLabel(f"Locked after a period without use, to protect the personal data on screen.\n"
                       f"{actor.display_name} ({actor.username}): type your password to carry on where you "
                       "left off. Nothing you were typing has been lost.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.password = password_edit("Password", "Your password, to unlock the app")
        form.addRow("&Password:", self.password)
        lay.addLayout(form)
        self.message = message_label()
        lay.addWidget(self.message)
        row = QHBoxLayout()
        self.quit_button = a11y(QPushButton("&Quit Lived Experience"), "Quit Lived Experience",
                                "Close the app instead of unlocking it (unsaved changes are lost)")
        self.unlock_button = a11y(QPushButton("&Unlock"), "Unlock", "Check the password and show the app again")
        self.unlock_button.setDefault(True)
        row.addWidget(self.quit_button)
        row.addStretch(1)
        row.addWidget(self.unlock_button)
        lay.addLayout(row)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.password.returnPressed.connect(self.try_unlock)
        self.quit_button.clicked.connect(self.quit_requested)

    def try_unlock(self) -> None:
        ok = accounts.confirm_password(self.state.ctx, self.password.text())
        self.password.clear()
        if not ok:
            self.message.setText("That is not the right password.")
            self.password.setFocus()
            return
        self.unlocked.emit()

    # Escape and the close button must not unlock; only quitting the app closes it.
    allow_close = False

    def reject(self) -> None:
        if self.allow_close:
            super().reject()

    def closeEvent(self, event):
        if self.allow_close:
            super().closeEvent(event)
        else:
            event.ignore()


class IdleLock(QObject):
    """Watches input application-wide and locks the app after ``minutes`` idle."""

    locked_changed = Signal(bool)

    def __init__(self, state, window: QWidget, minutes: int, parent=None):
        super().__init__(parent or window)
        self.state = state
        self.window = window
        self.minutes = minutes
        self.last_input = time.monotonic()
        self.dialog: LockDialog | None = None
        self.covers: list[Cover] = []
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        QApplication.instance().installEventFilter(self)
        self.timer.start()

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    def set_minutes(self, minutes: int) -> None:
        self.minutes = minutes

    def eventFilter(self, obj, event):
        if event.type() in INPUT_EVENTS and not self.is_locked:
            self.last_input = time.monotonic()
        return False

    def idle_seconds(self) -> float:
        return time.monotonic() - self.last_input

    def check(self) -> None:
        if not self.is_locked and self.idle_seconds() >= self.minutes * 60:
            self.lock()

    def lock(self) -> None:
        """Hide every window's content and ask for the password. Open forms stay as they are."""
        if self.is_locked or self.state.ctx.actor.id is None:
            return
        app = QApplication.instance()
        for w in app.topLevelWidgets():
            if w.isVisible() and not isinstance(w, LockDialog | Cover) and w.windowType() != Qt.WindowType.ToolTip:
                self.covers.append(Cover(w))
        self.dialog = LockDialog(self.state, self.window)
        self.dialog.unlocked.connect(self.unlock)
        self.dialog.quit_requested.connect(self._quit)
        accounts.record_lock(self.state.ctx)
        self.dialog.show()
        self.dialog.activateWindow()
        self.dialog.password.setFocus()
        self.locked_changed.emit(True)

    def unlock(self) -> None:
        for c in self.covers:
            c.parentWidget().removeEventFilter(c)
            c.hide()
            c.deleteLater()
        self.covers.clear()
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self.last_input = time.monotonic()
        self.locked_changed.emit(False)

    def _quit(self) -> None:
        if self.state.interaction.confirm(
                "Quit Lived Experience?",
                "Quitting closes every window. Anything you had not saved is lost.",
                yes="Quit", no="Stay locked"):
            if self.dialog is not None:
                self.dialog.allow_close = True
            QApplication.closeAllWindows()
            QApplication.quit()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
