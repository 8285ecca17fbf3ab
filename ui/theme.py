"""Themes: the default (contrast at least 4.5:1) and a high-contrast option.

Font sizes are never fixed in the stylesheets, so text follows the system's
font size; headings are the system size scaled up, and follow it when it
changes. Colours that carry meaning (the dashboard's urgency) always come with
words; :func:`severity_colour` gives a colour that keeps 4.5:1 on the theme's
background.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication

import resources

SETTINGS_KEY = "view/high_contrast"

# Urgency colours (dashboard): 2 overdue, 1 due, 0 for information. Checked by
# tests/ui/test_comfort.py against white, the alternate row colour and black.
SEVERITY_COLOURS = {2: "#8B0000", 1: "#6B4200", 0: "#1F3864"}
SEVERITY_COLOURS_HIGH_CONTRAST = {2: "#FF9999", 1: "#FFFF00", 0: "#00FFFF"}


def stylesheet_path(high_contrast: bool):
    return resources.path("high_contrast.qss" if high_contrast else "style.qss")


def apply_theme(app: QApplication, high_contrast: bool = False) -> None:
    app.setStyleSheet(stylesheet_path(high_contrast).read_text(encoding="utf-8"))
    app.setProperty("high_contrast", bool(high_contrast))
    if not app.property("theme_follows_font"):
        # Widgets styled by a style sheet keep the font they were polished with: when the system font
        # size changes, polish them again so that all text follows it.
        app.fontChanged.connect(lambda _font: _restyle(app))
        app.setProperty("theme_follows_font", True)


def _restyle(app: QApplication) -> None:
    sheet = app.styleSheet()
    app.setStyleSheet("")
    app.setStyleSheet(sheet)


def is_high_contrast(app: QApplication | None = None) -> bool:
    app = app or QApplication.instance()
    return bool(app is not None and app.property("high_contrast"))


def saved_high_contrast(settings: QSettings | None = None) -> bool:
    return (settings or QSettings()).value(SETTINGS_KEY, False, type=bool)


def set_high_contrast(on: bool, settings: QSettings | None = None) -> None:
    """Switch theme now and remember the choice for next time (this PC)."""
    (settings or QSettings()).setValue(SETTINGS_KEY, bool(on))
    app = QApplication.instance()
    if app is not None:
        apply_theme(app, on)


def severity_colour(severity: int) -> QColor:
    table = SEVERITY_COLOURS_HIGH_CONTRAST if is_high_contrast() else SEVERITY_COLOURS
    return QColor(table.get(severity, table[0]))


# Quiet text (days of another month, a spreadsheet column left out of an import) and the light tint that
# marks a table cell (a bank holiday, a Victims' Code right with no feedback). The high-contrast theme's
# background is black, so it has its own: light grey text, a dark tint under white text. Checked by
# tests/ui/test_comfort.py against each theme's backgrounds.
MUTED_COLOURS = {False: "#595959", True: "#BFBFBF"}
TINT_COLOURS = {False: "#FFF4CE", True: "#3D3D00"}


def muted_colour() -> QColor:
    return QColor(MUTED_COLOURS[is_high_contrast()])


def tint_colour() -> QColor:
    return QColor(TINT_COLOURS[is_high_contrast()])


TONES = ("danger", "caution")


def tone(widget, name: str | None):
    """Colour a label's words as a warning ("danger", "caution") or not (None), in whichever theme is on.

    Use this, not an inline ``setStyleSheet("color: ...")``: an inline colour overrides the theme, so the
    dark red that reads well on white is 2:1 on the high-contrast theme's black."""
    if name is not None and name not in TONES:
        raise ValueError(f"unknown tone {name!r}")
    widget.setProperty("tone", name or "")
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    return widget


TITLE_SCALE = 1.5


def title_font(base: QFont | None = None) -> QFont:
    f = QFont(base or QApplication.font())
    size = f.pointSizeF() if f.pointSizeF() > 0 else 10.0
    f.setPointSizeF(size * TITLE_SCALE)
    f.setBold(True)
    return f


# -- WCAG 2 contrast (used by the tests and available for checks) ---------------------------------
def relative_luminance(colour: str | QColor) -> float:
    c = QColor(colour)

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast_ratio(a: str | QColor, b: str | QColor) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def install_view_menu(window):
    """Add View > High contrast to the main window (remembered in QSettings on this PC)."""
    from PySide6.QtGui import QAction

    menu = window.menuBar().addMenu("&View")
    settings = getattr(window, "qsettings", None)
    action = QAction("&High contrast", window)
    action.setCheckable(True)
    action.setChecked(is_high_contrast() or saved_high_contrast(settings))
    action.setStatusTip("Black, white and yellow, with thick focus outlines")
    action.toggled.connect(lambda on: set_high_contrast(on, settings))
    menu.addAction(action)
    window.high_contrast_action = action
    return menu
