"""The schema revision this code expects.

Kept as a constant so that start-up can tell "already at head" by reading one
row, without importing Alembic (half a second on an office PC). A test checks
it against Alembic's own idea of the head.
"""

HEAD_REVISION = "0005_search_pause"

# Objects made by hand-written migrations that the models do not describe: the
# search documents and their full-text index (0003_search), and indexes added
# for list speed. Alembic's comparison must leave them alone.
HAND_MADE_PREFIXES = ("search_", "ix_search_", "uq_search_", "ixq_")


def include_name(name, type_, parent_names) -> bool:
    """Alembic ``include_name`` hook: False for the hand-made objects above."""
    return not (type_ in ("table", "index", "unique_constraint") and name
                and str(name).startswith(HAND_MADE_PREFIXES))
