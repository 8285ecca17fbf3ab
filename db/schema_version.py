"""The schema revision this code expects.

Kept as a constant so that start-up can tell "already at head" by reading one
row, without importing Alembic (half a second on an office PC). A test checks
it against Alembic's own idea of the head.
"""

HEAD_REVISION = "0002_reference_data"
