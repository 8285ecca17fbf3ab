from __future__ import annotations

import pytest

from tests.importing.helpers import add_window


@pytest.fixture
def window_id(ctx):
    return add_window(ctx)
