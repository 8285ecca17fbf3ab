"""Shared fixtures.

- Qt runs offscreen; one QApplication for the session (pytest-qt); a Qt warning
  fails the test (``qt_log_level_fail`` in pyproject).
- ``db`` gives each test a fresh, migrated database, on SQLite *and* on a real
  PostgreSQL server that the session starts itself. With ``CI=true`` a missing
  PostgreSQL fails the run; elsewhere those tests are skipped with the reason.
- Background tasks run synchronously in tests (ui.tasks.SYNCHRONOUS).
- ``interaction``, ``state``, ``window``: the UI on a copy of the demo data, every
  question to the user answered from ``interaction.answers``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("LIVED_EXPERIENCE_DATABASE_URL", None)
os.environ.pop("LIVED_EXPERIENCE_USER", None)
os.environ.pop("LIVED_EXPERIENCE_PASSWORD", None)
_HOME = tempfile.mkdtemp(prefix="le-test-home-")
os.environ["LIVED_EXPERIENCE_HOME"] = _HOME
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from tests.support.postgres import PostgresServer, PostgresUnavailable  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config):
    # Fast password hashing in tests: the production parameters are tested on their own.
    from argon2 import PasswordHasher

    import lived_experience.security.accounts as accounts

    accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts.FAILED_DELAY_SECONDS = 0.0


# -- QSettings kept out of the user's real settings ---------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _isolated_qsettings():
    from PySide6.QtCore import QSettings

    path = tempfile.mkdtemp(prefix="le-qsettings-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, path)
    yield
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _synchronous_tasks():
    import ui.tasks

    ui.tasks.SYNCHRONOUS = True
    yield
    ui.tasks.SYNCHRONOUS = False


# -- databases ------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_server():
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and could not be started: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL not available here: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A migrated template database; each test copies it (CREATE DATABASE ... TEMPLATE)."""
    from sqlalchemy import create_engine, text

    from db.engine import open_database
    from db.migrate import ensure_schema

    admin = create_engine(pg_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text("CREATE DATABASE le_template"))
    db = open_database(pg_server.url("le_template"))
    ensure_schema(db)
    db.dispose()
    yield "le_template"
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    from db.engine import open_database, sqlite_url
    from db.migrate import ensure_schema

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = open_database(sqlite_url(path))
    ensure_schema(db)
    db.dispose()
    return path


def _fresh_sqlite(template: Path, tmp_path: Path) -> str:
    from db.engine import sqlite_url

    path = tmp_path / "test.sqlite3"
    shutil.copy(template, path)
    return sqlite_url(path)


def _fresh_pg(server, template: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE {template}'))
    admin.dispose()
    return server.url(name), name


def _drop_pg(server, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A URL to a fresh, migrated, empty database on each engine."""
    if request.param == "sqlite":
        yield _fresh_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    url, name = _fresh_pg(server, template)
    yield url
    _drop_pg(server, name)


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path):
    return _fresh_sqlite(sqlite_template, tmp_path)


@pytest.fixture
def paths(tmp_path):
    from lived_experience.core.paths import ensure_dirs, resolve_paths

    p = resolve_paths(tmp_path / "home")
    ensure_dirs(p)
    return p


def make_ctx(url, paths=None):
    from db.engine import open_database
    from lived_experience.core.context import AppContext

    return AppContext(db=open_database(url), paths=paths)


@pytest.fixture
def ctx(db_url, paths):
    """A service context on a fresh database (both engines), as the local set-up admin."""
    c = make_ctx(db_url, paths)
    yield c
    c.db.dispose()


@pytest.fixture
def sqlite_ctx(sqlite_url, paths):
    c = make_ctx(sqlite_url, paths)
    yield c
    c.db.dispose()


@pytest.fixture(scope="session")
def demo_template(sqlite_template, tmp_path_factory):
    """A SQLite file holding the seed-1 demo data, made once per session."""
    from db.engine import sqlite_url as to_url
    from lived_experience.demo.generator import generate

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copy(sqlite_template, path)
    c = make_ctx(to_url(path))
    generate(c, seed=1)
    c.db.dispose()
    return path


@pytest.fixture
def demo_ctx(demo_template, tmp_path, paths):
    """A fresh copy of the demo database (SQLite)."""
    from db.engine import sqlite_url as to_url

    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    c = make_ctx(to_url(path), paths)
    yield c
    c.db.dispose()


# -- the UI on a copy of the demo data ------------------------------------------------------
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


def as_role(ctx, role: str, username: str | None = None):
    """The same database, seen by a real staff account of ``role`` (created if needed;
    no sign-in needed in unit tests)."""
    from dataclasses import replace

    from sqlalchemy import select

    from db.enums import Role
    from db.models import StaffUser
    from lived_experience.core.context import Actor
    from lived_experience.core.uow import unit_of_work

    role = Role.parse(role)
    username = username or f"test-{role.value}"
    with unit_of_work(ctx) as s:
        u = s.scalar(select(StaffUser).where(StaffUser.username_key == username.casefold()))
        if u is None:
            u = StaffUser(username=username, username_key=username.casefold(), display_name=f"Test {role.label}",
                          role=role.value, is_active=True)
            s.add(u)
            s.flush()
        uid = u.id
    out = replace(ctx, cache={})
    out.actor = Actor(uid, username, f"Test {role.label}", role)
    return out
