"""The signed-in actor and the context every service is built with."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from db.engine import Database
from db.enums import Role
from lived_experience.security.permissions import Perm, allowed


@dataclass(frozen=True)
class Actor:
    """Who is doing this. ``id`` is None only for the built-in local setup actor."""

    id: int | None
    username: str
    display_name: str
    role: Role

    def can(self, perm: Perm) -> bool:
        return allowed(self.role, perm)


# Used when the database has no staff accounts yet (a fresh install, or a demo
# made without a password). Creating the first administrator ends this mode.
LOCAL_SETUP = Actor(None, "local", "Local administrator (no accounts yet)", Role.ADMIN)
SYSTEM = Actor(None, "system", "Lived Experience (automatic)", Role.ADMIN)


@dataclass
class AppPaths:
    data_dir: Path
    log_dir: Path
    backup_dir: Path
    reports_dir: Path

    @property
    def default_database(self) -> Path:
        return self.data_dir / "lived-experience.sqlite3"


@dataclass
class AppContext:
    """What a service needs: the database, where files go, and who is asking."""

    db: Database
    actor: Actor = LOCAL_SETUP
    paths: AppPaths | None = None
    cache: dict = field(default_factory=dict)
