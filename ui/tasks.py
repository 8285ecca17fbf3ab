"""One helper for background work: run a function off the UI thread, deliver its
result or error back on the UI thread, and show progress with Cancel.

The function receives ``progress(done, total)``: plain numbers, as the core
reports them. Cancel makes the next ``progress`` call raise ``Cancelled``, so
the work stops at a safe point and its unit of work rolls back.

Tests set ``SYNCHRONOUS = True`` (as Picard's FakeThreadPool does) so that the
work runs inline and the test needs no waiting.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)
SYNCHRONOUS = False


class Cancelled(Exception):
    """The user pressed Cancel."""


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object, str)
    progress = Signal(int, int)


class _Job(QRunnable):
    def __init__(self, fn: Callable, signals: _Signals, cancelled: Callable[[], bool]):
        super().__init__()
        self.fn = fn
        self.signals = signals
        self.cancelled = cancelled
        self.setAutoDelete(True)

    def _progress(self, done: int, total: int) -> None:
        if self.cancelled():
            raise Cancelled()
        self.signals.progress.emit(int(done), int(total))

    def run(self) -> None:
        try:
            result = self.fn(self._progress)
        except BaseException as exc:  # noqa: BLE001 - delivered to the UI thread
            self.signals.failed.emit(exc, traceback.format_exc())
            return
        self.signals.done.emit(result)


class Task(QObject):
    """A running piece of background work. Keep a reference until it finishes."""

    finished = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = False
        self.signals = _Signals()
        self.dialog: QProgressDialog | None = None

    def cancel(self) -> None:
        self._cancel = True

    def is_cancelled(self) -> bool:
        return self._cancel


_running: set[Task] = set()


def run_task(
    parent: QWidget | None,
    fn: Callable[[Callable[[int, int], None]], Any],
    *,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException, str], None] | None = None,
    label: str | None = None,
    cancellable: bool = True,
) -> Task:
    """Run ``fn(progress)`` in the background. With ``label``, show a progress dialog."""
    task = Task(parent)
    _running.add(task)

    def finish():
        if task.dialog is not None:
            task.dialog.reset()
            task.dialog.hide()  # hidden before it goes, so the keyboard returns to its window
            task.dialog.deleteLater()
            task.dialog = None
        _running.discard(task)
        task.finished.emit()

    def done(result):
        finish()
        if on_done:
            on_done(result)

    def failed(exc, tb):
        finish()
        if isinstance(exc, Cancelled):
            log.info("task cancelled by the user")
        elif on_error:
            on_error(exc, tb)
        else:
            log.error("background task failed:\n%s", tb)

    if label and not SYNCHRONOUS:
        dlg = QProgressDialog(label, "Cancel" if cancellable else "", 0, 0, parent)
        dlg.setWindowTitle("Lived Experience")
        dlg.setAccessibleName(label)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(300)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        if not cancellable:
            dlg.setCancelButton(None)
        dlg.canceled.connect(task.cancel)
        task.dialog = dlg

        def on_progress(d, t):
            if task.dialog is not None:
                task.dialog.setMaximum(max(t, 1))
                task.dialog.setValue(min(d, max(t, 1)))

        task.signals.progress.connect(on_progress)

    task.signals.done.connect(done, Qt.ConnectionType.QueuedConnection)
    task.signals.failed.connect(failed, Qt.ConnectionType.QueuedConnection)

    if SYNCHRONOUS:
        job = _Job(fn, task.signals, task.is_cancelled)
        try:
            result = fn(job._progress)
        except BaseException as exc:  # noqa: BLE001
            failed(exc, traceback.format_exc())
        else:
            done(result)
        return task
    QThreadPool.globalInstance().start(_Job(fn, task.signals, task.is_cancelled))
    return task


@Slot()
def wait_for_all(timeout_ms: int = 30000) -> bool:
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
