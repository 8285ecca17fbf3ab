"""The window fixtures (tests/ui/conftest.py) for the security tests of the window."""

from tests.ui.conftest import interaction, state, window  # noqa: F401 - fixtures shared with tests/ui
