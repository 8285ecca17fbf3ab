"""Run a list: filter, search, sort and page in SQL, then hand back plain rows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.sql.elements import ClauseElement

from db.functions import fold, fold_text
from lived_experience.core.context import AppContext
from lived_experience.core.errors import UserError
from lived_experience.core.uow import unit_of_work
from lived_experience.listing import registry
from lived_experience.listing.spec import ListColumn, ListSpec
from lived_experience.security import audit
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm


@dataclass
class Page:
    kind: str
    columns: list[ListColumn]
    rows: list[dict[str, Any]]
    total: int
    offset: int


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_condition(spec: ListSpec, columns: list[ListColumn], text: str):
    words = [w for w in (fold_text(text) or "").split() if w]
    searchable = [c.expr for c in columns if c.searchable and c.expr is not None]
    if not words or not searchable:
        return None
    # Every word must appear in at least one searchable column.
    return and_(
        *[
            or_(*[fold(e).like(f"%{_escape_like(w)}%", escape="\\") for e in searchable])
            for w in words
        ]
    )


def _filter_conditions(spec: ListSpec, filters: dict[str, Any] | None) -> list:
    conds = []
    for key, value in (filters or {}).items():
        if value is None or value == "":
            continue
        f = next((f for f in spec.filters if f.key == key), None)
        if f is None:
            raise UserError(
                f"The {spec.title.lower()} list cannot be filtered by '{key}'. "
                f"It can be filtered by: {', '.join(x.key for x in spec.filters) or 'nothing'}."
            )
        expr = resolve(f.expr)
        if f.build is not None:
            conds.append(f.build(value))
        elif isinstance(value, list | tuple | set):
            conds.append(expr.in_(list(value)))
        else:
            conds.append(expr == value)
    return conds


def resolve(expr):
    """Column expressions may be zero-argument callables, for values such as
    today's date that must be taken when the query runs, not when it is defined."""
    if expr is None or hasattr(expr, "__clause_element__") or isinstance(expr, ClauseElement):
        return expr
    return expr() if callable(expr) else expr


def build_query(ctx: AppContext, spec: ListSpec, *, text: str = "", filters=None,
                sort: str | None = None, descending: bool = False):
    columns = [
        replace(c, expr=resolve(c.expr)) if c.expr is not None else c
        for c in spec.visible_columns(ctx.actor)
    ]
    id_expr = spec.id_expr
    selected = [id_expr.label("id")]
    for c in columns:
        if c.key == "id":
            continue
        if c.expr is not None:
            selected.append(c.expr.label(c.key))
    stmt = select(*selected).select_from(spec.source())
    conds = list(spec.where(ctx)) + _filter_conditions(spec, filters)
    search = _search_condition(spec, columns, text)
    if search is not None:
        conds.append(search)
    if conds:
        stmt = stmt.where(*conds)
    if spec.group_by is not None:
        stmt = stmt.group_by(*spec.group_by)
    sort_key, sort_desc = (sort, descending) if sort else spec.default_sort
    sort_col = next((c for c in columns if c.key == sort_key and c.expr is not None), None)
    if sort and sort != "id" and (sort_col is None or not sort_col.sortable):
        keys = ["id"] + [c.key for c in columns if c.expr is not None and c.sortable and c.key != "id"]
        raise UserError(f"The {spec.title.lower()} list cannot be sorted by '{sort}'. "
                        f"It can be sorted by: {', '.join(keys)}.")
    if sort_key == "id":
        order = id_expr
    elif sort_col is not None and sort_col.sortable:
        order = sort_col.expr
    else:
        order = id_expr
    order_clause = order.desc().nulls_last() if sort_desc else order.asc().nulls_last()
    stmt = stmt.order_by(order_clause, id_expr.desc() if sort_desc else id_expr.asc())
    return stmt, columns


def list_page(ctx: AppContext, kind: str, *, text: str = "", filters: dict | None = None,
              sort: str | None = None, descending: bool = False, offset: int = 0,
              limit: int | None = 200, with_total: bool = True) -> Page:
    try:
        spec = registry.get(kind)
    except KeyError:
        raise UserError(
            f"There is no list called '{kind}'. Lists: {', '.join(registry.kinds())}."
        ) from None
    require(ctx, spec.perm, entity=spec.entity)
    stmt, columns = build_query(ctx, spec, text=text, filters=filters, sort=sort, descending=descending)
    with unit_of_work(ctx, readonly=True) as s:
        total = -1
        if with_total:
            total = s.scalar(select(func.count(literal(1))).select_from(stmt.order_by(None).subquery()))
        paged = stmt.offset(offset)
        if limit is not None:
            paged = paged.limit(limit)
        rows = [dict(r._mapping) for r in s.execute(paged)]
        if spec.enrich and rows:
            spec.enrich(s, ctx, rows)
    if any(c.personal for c in columns) and rows:
        _audit_list_view(ctx, spec, columns)
    return Page(kind, columns, rows, total if with_total else len(rows), offset)


VIEW_AUDIT_SECONDS = 60


def _audit_list_view(ctx: AppContext, spec: ListSpec, columns: list[ListColumn]) -> None:
    """One audit event per list per user per minute: scrolling and typing in the
    filter box are the same view, and must not flood the log."""
    import time

    seen = ctx.cache.setdefault("list_views", {})
    key = (ctx.actor.id, spec.kind)
    now = time.monotonic()
    if now - seen.get(key, -VIEW_AUDIT_SECONDS) < VIEW_AUDIT_SECONDS:
        return
    seen[key] = now
    audit.record_now(ctx, "view", entity=spec.entity, detail=f"list {spec.kind}",
                     fields=[c.key for c in columns if c.personal])


def list_all(ctx: AppContext, kind: str, **kwargs) -> Page:
    return list_page(ctx, kind, offset=0, limit=None, **kwargs)


def require_export(ctx: AppContext) -> None:
    require(ctx, Perm.EXPORT)
