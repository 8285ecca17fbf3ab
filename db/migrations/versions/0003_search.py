"""Search everywhere: one search document per record, full-text indexed.

``search_doc`` holds one row per searchable record (kind, id, the words to
find it by). Triggers on the records keep it up to date, so nothing in the
services has to remember to; the existing rows are indexed here (backfill).

- SQLite: an FTS5 table over ``search_doc`` (external content), unicode61
  tokenizer with ``remove_diacritics 2`` so that "zoe" finds "Zoë", and prefix
  indexes for one and two letters (the first keystrokes). When a
  person is anonymised or erased the FTS index is optimised, so their words
  do not linger in old index segments.
- PostgreSQL: a GIN index on ``to_tsvector('simple', le_search_fold(body))``
  (kept as the stored column ``words``), where ``le_search_fold`` lower-cases
  and strips the common accents, and the query is
  ``to_tsquery('simple', le_search_fold('word:* & ...'))``.

Anonymised people and their applications have an empty document: they are
never found. Feedback documents hold what was said and the response, never
who said it. These objects are not in the models; ``db.schema_version.include_name``
keeps Alembic's comparison from proposing to drop them.

Revision ID: 0003_search
Revises: 0002_reference_data
Create Date: 2026-11-23
"""

from alembic import op

revision = "0003_search"
down_revision = "0002_reference_data"
branch_labels = None
depends_on = None

# -- the words each kind of record is found by (same SQL on both engines) ---------------------
_PERSON_NAME = "p.first_name || ' ' || p.last_name || ' ' || coalesce(p.preferred_name, '')"

SELECTS = {
    "person": (
        "SELECT 'person', p.id, CASE WHEN p.anonymised_at IS NULL THEN " + _PERSON_NAME + " ELSE '' END "
        "FROM person p"
    ),
    "application": (
        "SELECT 'application', a.id, CASE WHEN a.anonymised_at IS NULL AND p.anonymised_at IS NULL THEN "
        + _PERSON_NAME + " || ' ' || w.name || ' ' || coalesce(a.organisation_name, '') ELSE '' END "
        "FROM application a JOIN person p ON p.id = a.person_id "
        "JOIN recruitment_window w ON w.id = a.window_id"
    ),
    "window": "SELECT 'window', w.id, w.name FROM recruitment_window w",
    "meeting": "SELECT 'meeting', m.id, m.title || ' ' || coalesce(m.description, '') FROM meeting m",
    "feedback": (
        "SELECT 'feedback', f.id, f.summary || ' ' || coalesce(f.quote, '') || ' ' || coalesce(f.response, '') "
        "|| ' ' || coalesce(f.not_actioned_reason, '') FROM feedback_item f"
    ),
    "service": (
        "SELECT 'service', s.id, s.name || ' ' || coalesce(s.provider_name, '') || ' ' || "
        "coalesce(s.description, '') FROM commissioned_service s"
    ),
}
ALIAS = {"person": "p", "application": "a", "window": "w", "meeting": "m", "feedback": "f", "service": "s"}

# Base table -> (kind, columns whose change alters the document).
TABLES = {
    "person": ("person", ("first_name", "last_name", "preferred_name", "anonymised_at")),
    "application": ("application", ("person_id", "window_id", "organisation_name", "anonymised_at")),
    "recruitment_window": ("window", ("name",)),
    "meeting": ("meeting", ("title", "description")),
    "feedback_item": ("feedback", ("summary", "quote", "response", "not_actioned_reason")),
    "commissioned_service": ("service", ("name", "provider_name", "description")),
}

UPSERT = " ON CONFLICT (kind, ref_id) DO UPDATE SET body = excluded.body"

# Characters PostgreSQL's fold maps to plain letters.
_ACCENTED = "àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżž"
_PLAIN = "aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzz"
assert len(_ACCENTED) == len(_PLAIN)
# PostgreSQL's lower() leaves letters such as "Ë" alone in the C locale: map capitals as well.
_FOLD_FROM = _ACCENTED + _ACCENTED.upper()
_FOLD_TO = _PLAIN + _PLAIN
assert len(_FOLD_FROM) == len(_FOLD_TO)


def _refresh(kind: str, where: str) -> str:
    return f"INSERT INTO search_doc (kind, ref_id, body) {SELECTS[kind]} WHERE {where}{UPSERT}"


def _statements_for_change(table: str, new: str) -> list[str]:
    """SQL run after a row of ``table`` is inserted or changed (``new`` names the new row)."""
    kind, _cols = TABLES[table]
    out = [_refresh(kind, f"{ALIAS[kind]}.id = {new}.id")]
    if table == "person":
        out.append(_refresh("application", f"a.person_id = {new}.id"))
    if table == "recruitment_window":
        out.append(_refresh("application", f"a.window_id = {new}.id"))
    return out


def _upgrade_sqlite() -> None:
    op.execute(
        "CREATE TABLE search_doc (id INTEGER PRIMARY KEY, kind VARCHAR(20) NOT NULL, "
        "ref_id INTEGER NOT NULL, body TEXT NOT NULL, CONSTRAINT uq_search_doc_kind UNIQUE (kind, ref_id))"
    )
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_doc', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='1 2')"
    )
    op.execute("CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
               "INSERT INTO search_fts (rowid, body) VALUES (new.id, new.body); END")
    op.execute("CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN "
               "INSERT INTO search_fts (search_fts, rowid, body) VALUES ('delete', old.id, old.body); END")
    op.execute("CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN "
               "INSERT INTO search_fts (search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
               "INSERT INTO search_fts (rowid, body) VALUES (new.id, new.body); END")
    for table, (kind, cols) in TABLES.items():
        changes = "; ".join(_statements_for_change(table, "new"))
        op.execute(f"CREATE TRIGGER search_{table}_ai AFTER INSERT ON {table} BEGIN {changes}; END")
        extra = ""
        if table == "person":
            # An anonymised person's words must not linger in old index segments.
            extra = ("; INSERT INTO search_fts (search_fts) SELECT 'optimize' "
                     "WHERE new.anonymised_at IS NOT NULL AND old.anonymised_at IS NULL")
        op.execute(f"CREATE TRIGGER search_{table}_au AFTER UPDATE OF {', '.join(cols)} ON {table} "
                   f"BEGIN {changes}{extra}; END")
        deleted = f"DELETE FROM search_doc WHERE kind = '{kind}' AND ref_id = old.id"
        if table == "person":
            deleted += "; INSERT INTO search_fts (search_fts) VALUES ('optimize')"
        op.execute(f"CREATE TRIGGER search_{table}_ad AFTER DELETE ON {table} BEGIN {deleted}; END")


def _upgrade_postgresql() -> None:
    op.execute(
        "CREATE FUNCTION le_search_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $$ SELECT replace(replace(replace(translate(lower(value), '{_FOLD_FROM}', '{_FOLD_TO}'), "
        "'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe') $$"
    )
    # The words as a stored tsvector (to_tsvector over the folded text), so that ranking many matches
    # does not fold and parse every matching document again.
    op.execute(
        "CREATE TABLE search_doc (id SERIAL PRIMARY KEY, kind VARCHAR(20) NOT NULL, "
        "ref_id INTEGER NOT NULL, body TEXT NOT NULL, "
        "words tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, le_search_fold(body))) STORED, "
        "CONSTRAINT uq_search_doc_kind UNIQUE (kind, ref_id))"
    )
    op.execute("CREATE INDEX ix_search_doc_fts ON search_doc USING gin (words)")
    for table, (kind, cols) in TABLES.items():
        changes = ";\n    ".join(_statements_for_change(table, "NEW"))
        op.execute(
            f"""
            CREATE FUNCTION search_{table}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'DELETE' THEN
                DELETE FROM search_doc WHERE kind = '{kind}' AND ref_id = OLD.id;
                RETURN OLD;
              END IF;
              {changes};
              RETURN NEW;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_sync AFTER INSERT OR DELETE OR UPDATE OF {', '.join(cols)} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION search_{table}_sync()"
        )


def _backfill() -> None:
    for kind in SELECTS:
        op.execute(f"INSERT INTO search_doc (kind, ref_id, body) {SELECTS[kind]}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()
    _backfill()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{suffix}")
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS search_doc_{suffix}")
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.execute("DROP TABLE IF EXISTS search_doc")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS search_{table}_sync ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS search_{table}_sync()")
        op.execute("DROP TABLE IF EXISTS search_doc")
        op.execute("DROP FUNCTION IF EXISTS le_search_fold(text)")
