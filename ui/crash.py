"""The friendly crash report: what happened, where the log is, details to copy."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger("lived_experience.crash")
_log_path: str | None = None


class CrashDialog(QDialog):
    def __init__(self, parent: QWidget | None, summary: str, details: str):
        super().__init__(parent)
        self.setWindowTitle("Lived Experience: something went wrong")
        self.setAccessibleName("Crash report")
        lay = QVBoxLayout(self)
        text = QLabel(
            "<b>Sorry, something went wrong.</b><br>"
            "Nothing half-done was saved. You can carry on working; if it happens again, copy the "
            "details below and send them to IT support." + (f"<br>The log file is {_log_path}." if _log_path else "")
        )
        text.setWordWrap(True)
        lay.addWidget(text)
        lay.addWidget(QLabel(summary))
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Technical details")
        self.details.setAccessibleDescription("The error's technical details, for IT support")
        lay.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy details")
        copy.setAccessibleDescription("Copy the technical details to the clipboard")
        copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(640, 420)


def show_crash(parent, exc: BaseException, tb: str) -> None:
    """A bug: the traceback to the log and the crash report. A known database or disk
    condition (the disk full, the file busy or read-only, the server unreachable) is not a
    bug: it gets one plain message instead."""
    from lived_experience.core.logs import redact
    from lived_experience.maintenance.dberrors import plain_message

    plain = plain_message(exc)
    if plain is not None:
        from PySide6.QtWidgets import QMessageBox

        log.warning("the database refused the work: %s", type(exc).__name__)
        QMessageBox.warning(parent, "Lived Experience", plain)
        return
    log.error("unexpected error: %s", tb)
    CrashDialog(parent, f"{type(exc).__name__}", redact(tb)).exec()


def install_excepthook(log_path: str | None) -> None:
    global _log_path
    _log_path = log_path
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        import traceback

        from lived_experience.core.errors import UserError

        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        app = QApplication.instance()
        parent = app.activeWindow() if app else None
        if isinstance(exc, UserError):
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(parent, "Lived Experience", exc.message)
            return
        try:
            show_crash(parent, exc, text)
        except Exception:  # noqa: BLE001 - never let the hook itself crash
            log.exception("could not show the crash dialog")

    sys.excepthook = hook
