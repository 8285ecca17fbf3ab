"""The window fixtures (``window``, ``state``, ``interaction``) from tests/ui, for this folder's UI tests."""

from tests.ui.conftest import interaction, state, window  # noqa: F401 - fixtures
