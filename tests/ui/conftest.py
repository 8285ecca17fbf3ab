from __future__ import annotations

import pytest


@pytest.fixture
def interaction():
    from ui.interaction import ScriptedInteraction

    return ScriptedInteraction()


@pytest.fixture
def state(demo_ctx, interaction, qapp):
    from ui.state import AppState

    return AppState(demo_ctx, interaction)


@pytest.fixture
def window(qtbot, state):
    from ui.shell.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.attach(state)
    return w
