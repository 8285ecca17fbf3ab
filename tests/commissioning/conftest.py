# The window fixtures (window, state, interaction) for the UI tests in this folder.
from tests.ui.conftest import interaction, state, window  # noqa: F401
