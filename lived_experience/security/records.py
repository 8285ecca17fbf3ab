"""A record deleted the one way every delete should go: permission checked,
the version the user saw compared (no deleting what someone else has just
changed), the row removed and the deletion audited, in one unit of work."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from lived_experience.core.context import AppContext
from lived_experience.core.uow import check_version, get_or_404, unit_of_work
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm


def delete_record(ctx: AppContext, model, ident: int, expected_version: int | None, *, what: str,
                  action: str, after: Callable[[Session, object], None] | None = None) -> None:
    """Delete ``model`` row ``ident``; ``what`` names it in messages ("agenda item"),
    ``action`` is the audit action. ``after(session, row)`` runs once the row is gone
    (inside the same transaction), e.g. to renumber what is left."""
    entity = model.__tablename__
    require(ctx, Perm.WRITE, entity=entity, entity_id=ident)
    with unit_of_work(ctx) as s:
        row = get_or_404(s, model, ident, what)
        check_version(s, row, expected_version, what)
        s.delete(row)
        s.flush()
        if after is not None:
            after(s, row)
        audit.record(s, ctx.actor, action, entity=entity, entity_id=ident)
