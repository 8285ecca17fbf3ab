from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from db.enums import Labelled
from lived_experience.security.permissions import Perm


@dataclass(frozen=True)
class ListColumn:
    key: str
    header: str
    expr: Any = None  # SQL expression; None when an ``enrich`` step fills it
    kind: str = "text"  # text | int | date | datetime | money | bool | list | enum
    sortable: bool = True
    searchable: bool = False
    perm: Perm | None = None
    hidden: bool = False  # available (JSON, export) but not shown in the table by default
    enum: type[Labelled] | None = None
    width: int | None = None
    personal: bool = False  # contact details: viewing them is audited


@dataclass(frozen=True)
class ListFilter:
    key: str
    label: str
    expr: Any
    choices: Callable[[Any], list[tuple[Any, str]]] | None = None  # (value, label)
    enum: type[Labelled] | None = None
    # Custom predicate builder: value -> SQL condition (when equality is not enough).
    build: Callable[[Any], Any] | None = None


@dataclass
class ListSpec:
    kind: str
    title: str
    entity: str
    columns: list[ListColumn]
    source: Callable[[], Any]  # FROM clause (a table or a join)
    where: Callable[[Any], list] = field(default=lambda ctx: [])
    filters: list[ListFilter] = field(default_factory=list)
    default_sort: tuple[str, bool] = ("id", False)
    enrich: Callable[[Any, Any, list[dict]], None] | None = None
    perm: Perm = Perm.READ
    id_expr: Any = None
    description: str = ""
    group_by: Any = None

    def column(self, key: str) -> ListColumn:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def visible_columns(self, actor) -> list[ListColumn]:
        return [c for c in self.columns if c.perm is None or actor.can(c.perm)]
