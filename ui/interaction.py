"""Questions and messages to the user, behind one small object.

Controllers ask through this instead of calling ``QMessageBox.exec()`` inside
their logic, so tests can answer for the user (git-cola's ``interaction``,
Picard's user dialog service).
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from lived_experience.core.errors import ConflictError, UserError

log = logging.getLogger(__name__)


class Interaction:
    def __init__(self, parent: QWidget | None = None):
        self.parent = parent

    def info(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def confirm(self, title: str, text: str, *, yes: str = "Yes", no: str = "No") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.parent)
        yes_btn = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(no, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes_btn)
        box.exec()
        return box.clickedButton() is yes_btn

    def save_file(self, title: str, suggested: str, filter_: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, filter_)
        return path or None

    def open_file(self, title: str, filter_: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, "", filter_)
        return path or None

    def error(self, exc: BaseException, tb: str | None = None) -> None:
        """A user error is a message; anything else is a bug report with details."""
        if isinstance(exc, ConflictError):
            self.warn("Changed by someone else", exc.message)
        elif isinstance(exc, UserError):
            self.warn("Lived Experience", exc.message)
        else:
            from ui.crash import show_crash

            show_crash(self.parent, exc, tb or "".join(traceback.format_exception(exc)))


class ScriptedInteraction(Interaction):
    """For tests: answers from a script, records what was said."""

    def __init__(self, answers: dict | None = None):
        super().__init__(None)
        self.answers = dict(answers or {})
        self.messages: list[tuple[str, str]] = []
        self.errors: list[BaseException] = []

    def info(self, title, text):
        self.messages.append(("info", text))

    def warn(self, title, text):
        self.messages.append(("warn", text))

    def confirm(self, title, text, **_):
        self.messages.append(("confirm", text))
        return bool(self.answers.get("confirm", True))

    def save_file(self, title, suggested, filter_):
        return self.answers.get("save_file")

    def open_file(self, title, filter_):
        return self.answers.get("open_file")

    def error(self, exc, tb=None):
        self.errors.append(exc)
        self.messages.append(("error", str(exc)))
