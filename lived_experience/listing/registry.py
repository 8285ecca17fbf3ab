"""Where list specs are registered. Feature packages register theirs on import."""

from __future__ import annotations

import importlib

from lived_experience.listing.spec import ListSpec

_SPECS: dict[str, ListSpec] = {}

# Feature modules that define lists; imported the first time a list is asked for.
_MODULES = (
    "lived_experience.recruitment.lists",
    "lived_experience.members.lists",
    "lived_experience.meetings.lists",
    "lived_experience.feedback.lists",
    "lived_experience.commissioning.lists",
    "lived_experience.security.lists",
)
_loaded = False


def register(spec: ListSpec) -> ListSpec:
    _SPECS[spec.kind] = spec
    return spec


def _load() -> None:
    global _loaded
    if not _loaded:
        for name in _MODULES:
            importlib.import_module(name)
        _loaded = True


def get(kind: str) -> ListSpec:
    _load()
    try:
        return _SPECS[kind]
    except KeyError:
        raise KeyError(kind) from None


def kinds() -> list[str]:
    _load()
    return sorted(_SPECS)
