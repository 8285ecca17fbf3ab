from __future__ import annotations

import pytest

from tests.importing.helpers import add_window


@pytest.fixture
def window_id(ctx):
    return add_window(ctx)


@pytest.fixture(params=["calamine", "streaming"])
def xlsx_backend(request, monkeypatch):
    """Workbooks are read by python-calamine, or (above a size) by the streaming reader: test both."""
    from lived_experience.importing import xlsx_stream

    if request.param == "streaming":
        monkeypatch.setattr(xlsx_stream, "STREAM_ABOVE_BYTES", 0)
    return request.param
