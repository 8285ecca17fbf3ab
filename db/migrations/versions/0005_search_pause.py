"""A bulk import may pause the per-row search triggers of people and applications.

The triggers of ``0003_search`` refresh a person's document, and the documents of
all their applications, once per row. For an import of 10,000 applicants that is
most of the commit. Inside its own transaction an import now pauses them, writes
its rows, and indexes the rows it wrote with one set-based statement per kind
(``lived_experience.importing.service``) before the transaction commits; nobody
else can see the pause:

- SQLite: the insert and update triggers of ``person`` and ``application`` skip
  their work while the table ``search_pause`` holds a row. The import inserts that
  row and deletes it again in the same transaction, which holds the database's
  write lock throughout (BEGIN IMMEDIATE), so no other writer runs meanwhile and
  readers never see the row.
- PostgreSQL: the same triggers skip their work while the transaction-local
  setting ``le.search_paused`` is ``on`` (``set_config(..., true)``: gone at
  commit or rollback, invisible to every other session).

Deleting a person or an application is never paused. Both objects are outside the
models (``search_`` prefix: ``db.schema_version.include_name`` ignores them).

Revision ID: 0005_search_pause
Revises: 0004_owner_reason
Create Date: 2026-12-03
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0005_search_pause"
down_revision = "0004_owner_reason"
branch_labels = None
depends_on = None

PAUSED_TABLES = ("person", "application")
SQLITE_WHEN = "WHEN NOT EXISTS (SELECT 1 FROM search_pause)"
PG_SETTING = "le.search_paused"
PG_WHEN = f"WHEN (current_setting('{PG_SETTING}', true) IS DISTINCT FROM 'on')"


def _search():
    """The statements of 0003_search, so that the triggers are re-made exactly as they were."""
    spec = importlib.util.spec_from_file_location("_le_migration_0003_search",
                                                  Path(__file__).with_name("0003_search.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite_triggers(when: str) -> None:
    m = _search()
    for table in PAUSED_TABLES:
        _kind, cols = m.TABLES[table]
        changes = "; ".join(m._statements_for_change(table, "new"))
        extra = ""
        if table == "person":
            extra = ("; INSERT INTO search_fts (search_fts) SELECT 'optimize' "
                     "WHERE new.anonymised_at IS NOT NULL AND old.anonymised_at IS NULL")
        guard = f" FOR EACH ROW {when}" if when else ""
        op.execute(f"DROP TRIGGER IF EXISTS search_{table}_ai")
        op.execute(f"DROP TRIGGER IF EXISTS search_{table}_au")
        op.execute(f"CREATE TRIGGER search_{table}_ai AFTER INSERT ON {table}{guard} BEGIN {changes}; END")
        op.execute(f"CREATE TRIGGER search_{table}_au AFTER UPDATE OF {', '.join(cols)} ON {table}{guard} "
                   f"BEGIN {changes}{extra}; END")


def _pg_triggers(when: str) -> None:
    m = _search()
    for table in PAUSED_TABLES:
        _kind, cols = m.TABLES[table]
        # Deletes keep their own trigger, never paused; inserts and updates may be.
        op.execute(f"DROP TRIGGER IF EXISTS search_{table}_sync ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS search_{table}_sync_delete ON {table}")
        if when:
            op.execute(f"CREATE TRIGGER search_{table}_sync AFTER INSERT OR UPDATE OF {', '.join(cols)} "
                       f"ON {table} FOR EACH ROW {when} EXECUTE FUNCTION search_{table}_sync()")
            op.execute(f"CREATE TRIGGER search_{table}_sync_delete AFTER DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION search_{table}_sync()")
        else:
            op.execute(f"CREATE TRIGGER search_{table}_sync AFTER INSERT OR DELETE OR UPDATE OF "
                       f"{', '.join(cols)} ON {table} FOR EACH ROW EXECUTE FUNCTION search_{table}_sync()")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TABLE search_pause (id INTEGER PRIMARY KEY)")
        _sqlite_triggers(SQLITE_WHEN)
    else:
        _pg_triggers(PG_WHEN)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers("")
        op.execute("DROP TABLE IF EXISTS search_pause")
    else:
        _pg_triggers("")
