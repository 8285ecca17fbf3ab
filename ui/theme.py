"""Themes: the default (contrast at least 4.5:1) and a high-contrast option.

Font sizes are never fixed in the stylesheet, so text follows the system's
font size; headings are the system size scaled up.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

import resources


def apply_theme(app: QApplication, high_contrast: bool = False) -> None:
    name = "high_contrast.qss" if high_contrast else "style.qss"
    app.setStyleSheet(resources.path(name).read_text(encoding="utf-8"))
    app.setProperty("high_contrast", high_contrast)


def title_font(base: QFont | None = None) -> QFont:
    f = QFont(base or QApplication.font())
    size = f.pointSizeF() if f.pointSizeF() > 0 else 10.0
    f.setPointSizeF(size * 1.5)
    f.setBold(True)
    return f
