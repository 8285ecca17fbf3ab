"""Engine and session factory for SQLite (embedded) and PostgreSQL (shared).

SQLite: every connection gets WAL, synchronous=FULL, foreign keys, a busy
timeout and secure_delete. Write transactions start with BEGIN IMMEDIATE, so a
second writer waits for the lock (busy_timeout) instead of failing later with
SQLITE_BUSY_SNAPSHOT when it tries to upgrade a read transaction. Read-only
units of work use a plain deferred BEGIN so they never block writers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db.base import Tracked
from db.functions import register_sqlite_functions

BUSY_TIMEOUT_MS = 10_000
_READONLY = "le_readonly"


@dataclass
class Database:
    """Everything the services need to talk to one database."""

    url: str
    engine: Engine
    read_engine: Engine
    session_factory: sessionmaker
    read_session_factory: sessionmaker

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        if not database or database == ":memory:":
            return None
        return Path(database)

    def display_name(self) -> str:
        """Where the data is, without any password."""
        if self.is_sqlite:
            return str(self.sqlite_path or "in-memory database")
        url = make_url(self.url)
        return f"PostgreSQL {url.database} on {url.host or 'localhost'}"

    def dispose(self) -> None:
        self.engine.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def normalise_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event, not the driver, decide how to begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        # Deleted content is overwritten, so an erased person leaves no trace in the file.
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()
        register_sqlite_functions(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(_READONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _stamp_tracked(session: Session, _flush_context, _instances) -> None:
    """Fill created/updated at/by on every tracked row, from the unit of work's actor."""
    actor_id = session.info.get("actor_id")
    now = dt.datetime.now(dt.UTC)
    for obj in session.new:
        if isinstance(obj, Tracked):
            obj.created_at = obj.created_at or now
            obj.updated_at = now
            if obj.created_by_id is None:
                obj.created_by_id = actor_id
            obj.updated_by_id = actor_id
    for obj in session.dirty:
        if isinstance(obj, Tracked) and session.is_modified(obj, include_collections=False):
            obj.updated_at = now
            obj.updated_by_id = actor_id


def open_database(url: str, *, echo: bool = False) -> Database:
    url = normalise_url(url)
    kwargs: dict = {"echo": echo}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    # Parameters can be personal data: never put them in exception text or logs.
    kwargs["hide_parameters"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    read_engine = engine.execution_options(**{_READONLY: True})
    # expire_on_commit=False: services hand back loaded objects that stay readable
    # after the unit of work has closed.
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    read_factory = sessionmaker(bind=read_engine, expire_on_commit=False)
    event.listen(factory, "before_flush", _stamp_tracked)
    return Database(url, engine, read_engine, factory, read_factory)
