"""After the database is open: sign in (or set up), offer demo data, attach the pages."""

from __future__ import annotations

import os

from lived_experience.core.context import AppContext
from ui.interaction import Interaction
from ui.shell.main_window import MainWindow
from ui.state import AppState


def attach_services(window: MainWindow, ctx: AppContext, interaction: Interaction) -> AppState:
    state = AppState(ctx, interaction)
    from ui.security.signin import ensure_signed_in

    if not ensure_signed_in(window, state):
        window.close()
        return state
    window.attach(state)
    if os.environ.get("LIVED_EXPERIENCE_STARTUP_PROBE") is None:
        offer_demo(window, state)
    return state


def offer_demo(window: MainWindow, state: AppState) -> None:
    """A fresh, empty database: offer the fictional demo data set to try the app with."""
    from lived_experience.demo.generator import generate, is_empty
    from ui.tasks import run_task

    if state.qsettings.value(f"demo/offered/{state.ctx.db.display_name()}", False, type=bool):
        return
    if not is_empty(state.ctx):
        return
    state.qsettings.setValue(f"demo/offered/{state.ctx.db.display_name()}", True)
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
