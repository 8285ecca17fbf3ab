"""Turn list rows into JSON values or display text (UK conventions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lived_experience.core import clock
from lived_experience.core.formatting import pounds, uk_date, uk_datetime
from lived_experience.listing.spec import ListColumn


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return clock.to_london(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value


def json_row(row: dict, columns: list[ListColumn]) -> dict:
    out = {"id": row["id"]}
    for c in columns:
        if c.key in row:
            out[c.key] = json_value(row[c.key])
    return out


def display(value: Any, column: ListColumn) -> str:
    if value is None:
        return ""
    kind = column.kind
    if kind == "date":
        return uk_date(value)
    if kind == "datetime":
        return uk_datetime(value)
    if kind == "money":
        return pounds(value)
    if kind == "bool":
        return "Yes" if value else "No"
    if kind == "float":
        return f"{value:.1f}"
    if kind == "list":
        if column.enum is not None:
            return ", ".join(_label(column, v) for v in value)
        return ", ".join(str(v) for v in value)
    if kind == "enum" and column.enum is not None:
        return _label(column, value)
    return str(value)


def _label(column: ListColumn, value: Any) -> str:
    try:
        return column.enum(value).label
    except ValueError:
        return str(value).replace("_", " ").capitalize()


def text_table(rows: list[dict], columns: list[ListColumn], *, max_width: int = 40) -> str:
    shown = [c for c in columns if not c.hidden]
    headers = ["Id"] + [c.header for c in shown]
    body = [[str(r["id"])] + [display(r.get(c.key), c) for c in shown] for r in rows]
    widths = [min(max_width, max([len(h)] + [len(b[i]) for b in body])) for i, h in enumerate(headers)]

    def fit(text: str, w: int) -> str:
        return text if len(text) <= w else text[: w - 1] + "…"

    lines = ["  ".join(fit(h, w).ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append("  ".join(fit(v, w).ljust(w) for v, w in zip(b, widths, strict=True)).rstrip())
    return "\n".join(lines)
