"""Start the window: paint first, then open the database and attach the services.

Only Qt is imported before the first paint; SQLAlchemy, Alembic and the rest
load while the window is already on screen (start-up speed on office PCs).
"""

from __future__ import annotations

import logging
import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)
_T0 = time.perf_counter()


def make_application(argv: list[str] | None = None) -> QApplication:
    QCoreApplication.setOrganizationName("OPCC-LLR")
    QCoreApplication.setApplicationName("LivedExperience")
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationDisplayName("Lived Experience")
    from ui.theme import apply_theme

    apply_theme(app, QSettings().value("view/high_contrast", False, type=bool))
    return app


def keep_settings_under_home() -> None:
    """With LIVED_EXPERIENCE_HOME, the window's own settings (size, columns, the demo offer) live
    under that folder too: a fresh folder is a fresh first run, and a second office database on
    the same PC does not share them."""
    home = os.environ.get("LIVED_EXPERIENCE_HOME")
    if home:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          os.path.join(os.path.expanduser(home), "settings"))


def run_gui(args) -> int:
    keep_settings_under_home()
    app = make_application()
    window = MainWindow()
    return_focus_after_dialogs(app)
    probe = os.environ.get("LIVED_EXPERIENCE_STARTUP_PROBE")
    if probe:
        _install_probe(window, probe)
    started = []

    def start() -> None:
        if not started:
            started.append(True)
            bootstrap(window, args)

    # Open the database only once the window is on screen; the timer covers a
    # window that never paints (minimised, or a platform without expose events).
    window.first_painted.connect(lambda _t: QTimer.singleShot(0, start))
    QTimer.singleShot(1000, start)
    window.show()
    return app.exec()


class _FocusReturner(QObject):
    """See :func:`return_focus_after_dialogs`."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        app.focusWindowChanged.connect(self._watch)

    def _watch(self, window) -> None:
        if window is None:
            return
        widget = next((w for w in QApplication.topLevelWidgets() if w.windowHandle() is window), None)
        if widget is None or widget.parentWidget() is None or widget.property("le_focus_watched"):
            return
        widget.setProperty("le_focus_watched", True)
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Hide and obj.isWindow() and obj.parentWidget() is not None:
            parent = obj.parentWidget().window()
            QTimer.singleShot(0, lambda: self._give_back(obj, parent))
        return False

    @staticmethod
    def _give_back(dialog, parent) -> None:
        try:
            active = QApplication.activeWindow()
            if (active is None or active is dialog or not active.isVisible()) and parent.isVisible():
                parent.activateWindow()
        except RuntimeError:  # a window was deleted meanwhile
            return


def return_focus_after_dialogs(app: QApplication) -> None:
    """When one of the app's dialogs closes, give the keyboard back to the window it belonged to.

    A window manager usually does this; without one (a locked-down PC's kiosk session, Xvfb) the
    keyboard would go nowhere and the window's shortcuts would stop working. A dialog is watched
    from the moment it first has the focus; when it is hidden and no other window of the app is
    active, its parent window takes the focus back.
    """
    _FocusReturner(app)


def _install_probe(window: MainWindow, mode: str) -> None:
    """For bench/startup.py: print when the window first paints (and when data is shown), then quit."""

    def painted(t: float) -> None:
        print(f"first_paint {t - _T0:.4f} {time.time():.6f}", flush=True)
        if mode == "paint":
            QTimer.singleShot(0, QApplication.quit)

    def ready() -> None:
        print(f"ready {time.perf_counter() - _T0:.4f} {time.time():.6f}", flush=True)
        QTimer.singleShot(0, QApplication.quit)

    window.first_painted.connect(painted)
    window.ready.connect(ready)


def bootstrap(window: MainWindow, args) -> None:
    """Open the database and attach everything. Errors are shown, never raised into Qt."""
    from lived_experience.core.logs import setup_logging
    from lived_experience.core.paths import ensure_dirs, resolve_paths
    from ui.crash import install_excepthook
    from ui.interaction import Interaction

    paths = resolve_paths()
    ensure_dirs(paths)
    log_path = setup_logging(paths.log_dir)
    install_excepthook(str(log_path))
    interaction = Interaction(window)
    try:
        from lived_experience.core.startup import open_context
        from ui.security.passphrase import database_for_window

        # An encrypted database asks for its passphrase here (or reads it from the environment).
        args.database = database_for_window(args, paths, window)
        ctx = open_context(args, paths)
    except Exception as exc:  # noqa: BLE001
        from lived_experience.core.errors import UserError

        if not isinstance(exc, UserError):
            log.exception("could not open the database")
        window.loading.setText("The database could not be opened.\n\n" + (
            exc.message if isinstance(exc, UserError) else
            f"{type(exc).__name__}: see the log file {log_path}"))
        interaction.error(exc)
        return
    from ui.startup import attach_services

    attach_services(window, ctx, interaction)
