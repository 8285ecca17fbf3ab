"""One unit of work per user action: open a session, commit or roll back, close.

Services return plain objects, never live ORM rows, so that no transaction is
ever held open while a form or dialog waits for the user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.models import StaffUser
from lived_experience.core.context import AppContext
from lived_experience.core.errors import ConflictError, NotFound
from lived_experience.core.formatting import uk_datetime


@contextmanager
def unit_of_work(ctx: AppContext, *, readonly: bool = False) -> Iterator[Session]:
    factory = ctx.db.read_session_factory if readonly else ctx.db.session_factory
    session: Session = factory()
    session.info["actor_id"] = ctx.actor.id
    session.info["actor"] = ctx.actor
    try:
        yield session
        if readonly:
            session.rollback()
        else:
            session.commit()
    except StaleDataError:
        session.rollback()
        raise ConflictError(
            "Someone else changed this record while you were saving. "
            "Reload it to see their changes, then make yours again."
        ) from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_or_404(session: Session, model, ident: int, what: str):
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(f"There is no {what} with id {ident}.")
    return obj


def check_version(session: Session, obj, expected_version: int | None, what: str) -> None:
    """Refuse a save made from a form that loaded an older version of ``obj``."""
    if expected_version is None or obj.version == expected_version:
        return
    who = "another user"
    if obj.updated_by_id is not None:
        name = session.scalar(select(StaffUser.display_name).where(StaffUser.id == obj.updated_by_id))
        who = name or who
    raise ConflictError(
        f"This {what} was changed by {who} at {uk_datetime(obj.updated_at)} after you opened it. "
        "Reload to see their changes, or review both versions before saving again.",
        changed_by=who,
        changed_at=obj.updated_at,
    )
