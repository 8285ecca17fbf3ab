"""Child rows chosen from a list (a window's channels, an application's experience areas): make the
collection match the user's choice, keeping the rows that stay, so nothing is rewritten needlessly."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping


def sync_children(collection: list, key: Callable[[object], Hashable], wanted: Mapping[Hashable, str | None],
                  make: Callable[[Hashable, str | None], object]) -> bool:
    """Make ``collection`` hold one row per key of ``wanted``, each with ``other_text`` set to the
    value given; rows whose key is no longer wanted are removed, new keys get ``make(key, text)``.
    Returns whether anything changed."""
    current = {key(row): row for row in collection}
    changed = False
    for k, row in current.items():
        if k not in wanted:
            collection.remove(row)
            changed = True
    for k, text in wanted.items():
        row = current.get(k)
        if row is None:
            collection.append(make(k, text))
            changed = True
        elif row.other_text != text:
            row.other_text = text
            changed = True
    return changed
