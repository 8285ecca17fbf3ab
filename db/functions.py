"""SQL functions that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import unicodedata

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String


@functools.lru_cache(maxsize=65_536)
def fold_text(value: str | None) -> str | None:
    """Case- and accent-insensitive form: 'Zoë MÜLLER' -> 'zoe muller'.

    Cached: SQLite calls it (as ``le_fold``) for every row a filter looks at, and
    each keystroke in a filter box looks at the same rows again."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(value).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class fold(FunctionElement):  # noqa: N801 - reads like a SQL function
    """``fold(expr)``: text folded for searching. SQLite's own ``lower`` and
    ``LIKE`` only fold ASCII ('%MÜLLER%' would find nothing), so SQLite uses a
    Python function registered on each connection; PostgreSQL's ``lower`` is
    Unicode-aware (accents still count there)."""

    type = String()
    name = "fold"
    inherit_cache = True


@compiles(fold, "sqlite")
def _fold_sqlite(element, compiler, **kw):
    return f"le_fold({compiler.process(element.clauses, **kw)})"


@compiles(fold)
def _fold_default(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


def register_sqlite_functions(dbapi_conn) -> None:
    dbapi_conn.create_function("le_fold", 1, fold_text, deterministic=True)
