"""How a section lays out its parts: a list beside its details, areas in tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from ui.common.forms import a11y


def side_by_side(left: QWidget, right: QWidget, *, stretch: tuple[int, int], sizes: tuple[int, int]) -> QSplitter:
    """``left`` and ``right`` in a splitter the user can drag; ``stretch`` shares out extra
    width, ``sizes`` is where the divider starts."""
    split = QSplitter(Qt.Orientation.Horizontal)
    split.addWidget(left)
    split.addWidget(right)
    split.setStretchFactor(0, stretch[0])
    split.setStretchFactor(1, stretch[1])
    split.setSizes(list(sizes))
    return split


def area_tabs(name: str, description: str) -> QTabWidget:
    """A section's tabs, named for screen readers both as a whole and at the tab bar."""
    tabs = QTabWidget()
    a11y(tabs, name, description)
    a11y(tabs.tabBar(), name, description)
    return tabs
