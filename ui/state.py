"""What every view shares: the service context, the interaction service, and a
signal that says "records of this kind changed" so open lists refresh themselves."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal

from lived_experience.core.context import AppContext
from ui.interaction import Interaction


class AppState(QObject):
    changed = Signal(str)  # an entity name such as "application", or "*" for everything
    actor_changed = Signal()

    def __init__(self, ctx: AppContext, interaction: Interaction, settings: QSettings | None = None):
        super().__init__()
        self.ctx = ctx
        self.interaction = interaction
        self.qsettings = settings or QSettings()

    def notify(self, entity: str = "*") -> None:
        self.changed.emit(entity)
