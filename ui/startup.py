"""After the database is open: check it, sign in (or set up), attach the pages, start the session.

1. ``PRAGMA quick_check``: a damaged SQLite file opens read-only (banner, restore in Admin > Backups).
2. First run asks for the first administrator; otherwise the sign-in dialog.
3. The session: idle lock, Account menu, sign-out on close, and once a day (off the
   UI thread) the automatic backup and retention run.
4. An empty database is offered the fictional demo data.
"""

from __future__ import annotations

import contextlib
import os

from lived_experience.core.context import AppContext
from ui.interaction import Interaction
from ui.shell.main_window import MainWindow
from ui.state import AppState

PROBE = "LIVED_EXPERIENCE_STARTUP_PROBE"


def attach_services(window: MainWindow, ctx: AppContext, interaction: Interaction) -> AppState:
    from lived_experience.maintenance.health import open_read_only_if_damaged
    from lived_experience.security import accounts

    state = AppState(ctx, interaction)
    from lived_experience.maintenance import previews

    # Copies a crash (or a viewer holding them open) left behind; an hour's grace for another window's.
    previews.sweep(ctx.paths, older_than_seconds=3600)
    # The check reads the whole file (0.3-0.5 s on a large database): it runs while the user types
    # their password, and the window waits for it only before it shows any data.
    check = _Background(lambda: open_read_only_if_damaged(ctx))
    probing = os.environ.get(PROBE) is not None
    # The start-up benchmark times an empty database, which has no accounts yet: it does not
    # stop at the first-administrator dialog (nothing else skips it).
    if not (probing and accounts.count_accounts(ctx) == 0):
        from ui.security.signin import ensure_signed_in

        window.loading.setText("Waiting for you to sign in…")
        if not ensure_signed_in(window, state, before=check.join):
            check.join()
            window.close()
            return state
    check.join()
    window.attach(state)
    from ui.security.session import start_session

    session = start_session(window, state)
    if not probing:
        offer_demo(window, state)
        session.start_daily_maintenance()
    return state


class _Background:
    """Run ``work`` on a plain thread (it touches no Qt object); ``join`` waits and re-raises its error."""

    def __init__(self, work):
        import threading

        self._error: BaseException | None = None

        def run():
            try:
                work()
            except BaseException as exc:  # noqa: BLE001 - handed to the UI thread by join()
                self._error = exc

        self._thread = threading.Thread(target=run, name="startup-check", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def _demo_offer_key(state: AppState) -> str:
    """Asked once per database: a database file deleted and made again is a new database."""
    name = state.ctx.db.display_name()
    path = state.ctx.db.sqlite_path
    if path is not None:
        with contextlib.suppress(OSError):
            name += f"#{path.stat().st_ino}"
    return "demo/offered/" + name.replace("/", "|").replace("\\", "|")


def offer_demo(window: MainWindow, state: AppState) -> None:
    """A fresh, empty database: offer the fictional demo data set to try the app with."""
    from lived_experience.demo.generator import generate, is_empty
    from lived_experience.maintenance.readonly import is_read_only
    from ui.tasks import run_task

    key = _demo_offer_key(state)
    if state.qsettings.value(key, False, type=bool):
        return
    if is_read_only(state.ctx.db) or not is_empty(state.ctx):
        return
    state.qsettings.setValue(key, True)
    if not state.interaction.confirm(
        "Try the app with demo data?",
        "This database is empty. Would you like to add a realistic, clearly fictional demo data set "
        "(people, applications, meetings, feedback) so you can try the app?\n\n"
        "Only add it to a database you will not use for real records.",
        yes="Add demo data", no="Start empty",
    ):
        return
    run_task(window, lambda progress: generate(state.ctx, progress=progress),
             label="Adding demo data…", cancellable=False,
             on_done=lambda _s: state.notify("*"), on_error=state.interaction.error)
