"""The one permission check every service goes through."""

from __future__ import annotations

import logging

from lived_experience.core.context import AppContext
from lived_experience.core.errors import PermissionDenied
from lived_experience.security import audit
from lived_experience.security.permissions import DESCRIPTIONS, Perm

log = logging.getLogger(__name__)


def require(ctx: AppContext, perm: Perm, *, entity: str | None = None,
            entity_id: int | None = None) -> None:
    """Raise ``PermissionDenied`` (and log the denial) unless the actor holds ``perm``."""
    if ctx.actor.can(perm):
        return
    log.info("denied %s to user id %s (role %s)", perm, ctx.actor.id, ctx.actor.role)
    audit.record_now(
        ctx, "denied", entity=entity, entity_id=entity_id, outcome="denied", detail=f"needs {perm.value}"
    )
    raise PermissionDenied(
        f"Your role ({ctx.actor.role.label}) does not allow you to {DESCRIPTIONS[perm]}. "
        "Ask an administrator if you need this."
    )
