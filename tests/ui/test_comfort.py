"""Accessibility and comfort: contrast, high contrast, text that scales, no colour alone, remembered window
state, the status bar, Help > About, and the screenshots script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

import resources
from lived_experience import __version__
from ui.theme import (
    SEVERITY_COLOURS,
    SEVERITY_COLOURS_HIGH_CONTRAST,
    apply_theme,
    contrast_ratio,
    is_high_contrast,
)

ROOT = Path(__file__).resolve().parents[2]
AA = 4.5
# What a rule without its own background sits on: a view's base, a window's background, an alternate row.
DEFAULT_BACKGROUNDS = ("#FFFFFF", "#EFEFEF", "#F0F0F0", "#F4F6FA")


def rules(qss: str) -> list[tuple[str, dict[str, str]]]:
    out = []
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", qss, flags=re.S)):
        props = {}
        for decl in body.split(";"):
            if ":" in decl:
                k, v = decl.split(":", 1)
                props[k.strip()] = v.strip()
        out.append((selector.strip(), props))
    return out


def colour(value: str | None) -> str | None:
    if not value:
        return None
    m = re.search(r"#[0-9A-Fa-f]{6}\b", value)
    return m.group(0) if m else None


def pairs(qss: str, default_backgrounds) -> list[tuple[str, str, str]]:
    found = []
    for selector, props in rules(qss):
        fg, bg = colour(props.get("color")), colour(props.get("background") or props.get("background-color"))
        if fg:
            for b in ([bg] if bg else default_backgrounds):
                found.append((selector, fg, b))
        sel_fg, sel_bg = colour(props.get("selection-color")), colour(props.get("selection-background-color"))
        if sel_fg and sel_bg:
            found.append((selector + " (selected)", sel_fg, sel_bg))
    return found


def test_contrast_ratio_is_computed_as_wcag_says():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic near miss


def test_default_theme_text_has_at_least_4_5_to_1_contrast():
    qss = resources.path("style.qss").read_text(encoding="utf-8")
    checked = pairs(qss, DEFAULT_BACKGROUNDS)
    assert len(checked) >= 10
    low = [(sel, fg, bg, round(contrast_ratio(fg, bg), 2)) for sel, fg, bg in checked if contrast_ratio(fg, bg) < AA]
    assert low == []


def test_high_contrast_theme_is_higher_still():
    qss = resources.path("high_contrast.qss").read_text(encoding="utf-8")
    checked = pairs(qss, ("#000000",))
    low = [(sel, fg, bg) for sel, fg, bg in checked if contrast_ratio(fg, bg) < 7.0]
    assert checked and low == []


def test_dashboard_urgency_colours_keep_4_5_to_1_on_every_row_background():
    for sev, fg in SEVERITY_COLOURS.items():
        for bg in DEFAULT_BACKGROUNDS:
            assert contrast_ratio(fg, bg) >= AA, (sev, fg, bg)
    for sev, fg in SEVERITY_COLOURS_HIGH_CONTRAST.items():
        assert contrast_ratio(fg, "#000000") >= 7.0, (sev, fg)
        assert contrast_ratio(fg, "#1A1A1A") >= AA  # the high-contrast alternate row


def test_no_stylesheet_fixes_a_font_size():
    for name in ("style.qss", "high_contrast.qss"):
        qss = resources.path(name).read_text(encoding="utf-8")
        assert not re.search(r"font(-size)?\s*:[^;]*\d+\s*(pt|px)", qss), name


@pytest.fixture
def restore_theme(qapp):
    before_font = QFont(QApplication.font())
    yield
    apply_theme(qapp, False)
    QApplication.setFont(before_font)


def test_high_contrast_is_a_view_menu_toggle_and_is_remembered(window, qtbot, restore_theme):
    action = window.high_contrast_action
    assert action.isCheckable() and not action.isChecked()
    assert "High contrast" in action.text().replace("&", "")
    assert action in window.view_menu.actions()
    action.trigger()
    app = QApplication.instance()
    assert is_high_contrast(app)
    assert app.styleSheet() == resources.path("high_contrast.qss").read_text(encoding="utf-8")
    assert QSettings().value("view/high_contrast", False, type=bool) is True
    # The choice is there next time the app starts (which reads the app's own settings).
    from PySide6.QtCore import QCoreApplication

    from ui.app import make_application

    names = QCoreApplication.organizationName(), QCoreApplication.applicationName()
    try:
        QCoreApplication.setOrganizationName("OPCC-LLR")
        QCoreApplication.setApplicationName("LivedExperience")
        QSettings().setValue("view/high_contrast", True)
        apply_theme(app, False)
        make_application()
        assert is_high_contrast(app)
        QSettings().remove("view/high_contrast")
    finally:
        QCoreApplication.setOrganizationName(names[0])
        QCoreApplication.setApplicationName(names[1])
    action.trigger()
    assert not is_high_contrast(app) and QSettings().value("view/high_contrast", True, type=bool) is False


def test_dashboard_colours_follow_the_theme(window, restore_theme):
    page = window.show_section("dashboard")
    idx = page.model.index(0, 0)
    normal = idx.data(Qt.ItemDataRole.ForegroundRole).color().name().upper()
    window.high_contrast_action.trigger()
    contrast = idx.data(Qt.ItemDataRole.ForegroundRole).color().name().upper()
    window.high_contrast_action.trigger()
    assert normal in SEVERITY_COLOURS.values() and contrast in SEVERITY_COLOURS_HIGH_CONTRAST.values()


def test_text_follows_the_system_font_size(window, restore_theme):
    from ui.common.section_page import PageTitle

    apply_theme(QApplication.instance(), False)  # as the app runs: with its style sheet
    page = window.show_section("dashboard")
    title = page.findChild(PageTitle)
    before = title.font().pointSizeF()
    base = QFont(QApplication.font())
    bigger = QFont(base)
    bigger.setPointSizeF(base.pointSizeF() * 1.6)
    QApplication.setFont(bigger)
    QApplication.processEvents()
    assert title.font().pointSizeF() == pytest.approx(before * 1.6, rel=0.02)
    # A page opened afterwards is built at the new size too.
    members_title = window.show_section("members").findChild(PageTitle)
    assert members_title.font().pointSizeF() == pytest.approx(before * 1.6, rel=0.02)
    # Ordinary text has no fixed size: it takes the application's, style sheet or not.
    for widget in (window.search, window.nav, window.db_label, page.table, page.tiles["dbs"]):
        assert widget.font().pointSizeF() == pytest.approx(bigger.pointSizeF()), widget


def test_window_geometry_and_splitter_are_remembered(qtbot, state):
    from ui.shell.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.resize(700, 500)  # inside the offscreen screen (800 x 600), which restoreGeometry respects
    w.splitter.setSizes([222, 700])
    sizes = w.splitter.sizes()
    w.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 500)
    again.show()
    assert again.splitter.sizes()[0] == sizes[0]


def test_the_dashboard_fits_a_small_window(window):
    page = window.show_section("dashboard")
    assert page.minimumSizeHint().width() <= 640


def test_column_widths_and_order_are_remembered(window, state):
    from ui.common.list_page import ListPage

    page = window.show_section("applicants")
    header = page.list.table.horizontalHeader()
    header.moveSection(2, 0)
    page.list.table.setColumnWidth(1, 301)
    order = [header.logicalIndex(i) for i in range(header.count())]
    page.list.save_layout()
    again = ListPage(state, "applicants")
    h2 = again.table.horizontalHeader()
    assert [h2.logicalIndex(i) for i in range(h2.count())] == order
    assert again.table.columnWidth(1) == 301
    again.deleteLater()


def test_status_bar_shows_the_database_and_the_signed_in_user(window, state):
    assert window.db_label.text() == f"Database: {state.ctx.db.display_name()}"
    assert window.user_label.text().startswith("Signed in: ")
    assert window.db_label.accessibleName() and window.user_label.accessibleName()


def test_help_about_shows_the_version_and_where_data_and_logs_live(state):
    from ui.shell.about import about_text

    text = about_text(state)
    assert __version__ in text
    paths = state.ctx.paths
    for where in (paths.data_dir, paths.log_dir, paths.backup_dir):
        assert str(where) in text
    assert "OFFICIAL-SENSITIVE" in text


@pytest.mark.slow
def test_the_screenshots_script_still_works(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), str(tmp_path), "dashboard",
                           "search", "--high-contrast"], capture_output=True, text=True, env=env, timeout=300,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("dashboard-high-contrast.png", "search-high-contrast.png"):
        assert (tmp_path / name).stat().st_size > 10_000


def test_warning_words_keep_their_contrast_in_both_themes(qapp, restore_theme):
    """A label marked with ui.theme.tone takes its colour from the theme: dark red on white by default,
    light red on black in high contrast (an inline colour would stay dark red on black: 2:1)."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QLabel

    from ui.theme import tone

    label = QLabel("Something needs putting right")
    inline = QLabel("Styled the old way")
    inline.setStyleSheet("color: #8B0000;")
    for high, background, minimum, expected in ((False, "#FFFFFF", AA, "#8b0000"), (True, "#000000", 7.0, "#ff9999")):
        apply_theme(qapp, high)
        tone(label, "danger")
        label.ensurePolished()
        fg = label.palette().color(QPalette.ColorRole.WindowText).name()
        assert fg == expected and contrast_ratio(fg, background) >= minimum, (high, fg)
    inline.ensurePolished()
    # What the tone avoids: the inline colour stays dark red on the high-contrast black.
    assert contrast_ratio(inline.palette().color(QPalette.ColorRole.WindowText).name(), "#000000") < AA
    label.deleteLater()
    inline.deleteLater()


# Colour literals in ui/ outside ui/theme.py, each with the reason it can stay. Anything else fails
# test_no_hard_coded_colour_outside_the_theme: an inline colour overrides the theme, so the dark red that
# reads well on white is 2:1 on the high-contrast theme's black.
ALLOWED_COLOUR_LITERALS = {
    # The members' status tints: dark text on a light tint, used in the default theme only
    # (tone_colours gives None in high contrast); checked below.
    "ui/members/widgets.py": {"#1B5E20", "#E6F4EA", "#6B4200", "#FFF3DC", "#8B0000", "#FDE8E8", "#1F3864",
                              "#E7EEF8", "#424242", "#F0F0F0", "#FFFFFF"},
    # Bar colours in a chart that keeps its own white background in both chart themes (not text).
    "ui/reports/representativeness.py": {"#1F3864", "#B35900", "#6C7A89"},
    # The lock cover paints its own background and its own text together: white on navy in either theme.
    "ui/security/lock.py": {"#1F3864", "color: white"},
    # The timeline's filled "actual" bar (a shape, not text): 3:1 or more on white and on black.
    "ui/commissioning/timeline.py": {"#2E75B6"},
}
_HEX = re.compile(r"#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b")
# A colour written into a style sheet: "color: white", "background-color: rgb(...)" (not palette(...)).
_CSS_COLOUR = re.compile(r"(?<![\w-])(?:color|background(?:-color)?)\s*:\s*(?!palette\(|transparent|none|inherit)"
                         r"[A-Za-z]+(?:\([^)]*\))?")


def colour_literals(source: str) -> list[tuple[int, str]]:
    """Colours written into a module's source: hex in any string, colours in style sheets, QColor(...) of a
    name or of numbers, Qt.GlobalColor."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [(node.lineno, m.group(0).upper()) for m in _HEX.finditer(node.value)]
            found += [(node.lineno, m.group(0)) for m in _CSS_COLOUR.finditer(node.value)]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "QColor":
            literal = [a for a in node.args if isinstance(a, ast.Constant)]
            if literal and not (isinstance(literal[0].value, str) and _HEX.fullmatch(literal[0].value)):
                found.append((node.lineno, f"QColor({', '.join(ast.unparse(a) for a in node.args)})"))
        elif isinstance(node, ast.Attribute) and node.attr == "GlobalColor":
            found.append((node.lineno, "Qt.GlobalColor"))
    return found


def test_the_colour_scan_finds_what_breaks_the_high_contrast_theme():
    source = (
        'a.setStyleSheet("color: #8B0000; font-weight: bold;")\n'
        'b.setStyleSheet(\n    "QLabel { color: white; background-color: rgb(1, 2, 3) }")\n'
        'c = QColor("#5F6B7A")\n'
        'd = QtGui.QColor("grey")\n'
        'e = QColor(120, 0, 0)\n'
        'f = QColor(Qt.GlobalColor.red)\n'
        'g.setStyleSheet("font-weight: bold; margin-top: 6px; color: palette(text)")\n'
        'h = severity_colour(2)\n'
    )
    found = [literal for _line, literal in colour_literals(source)]
    assert found.count("#8B0000") == 1 and "#5F6B7A" in found
    assert "color: white" in found and "background-color: rgb(1, 2, 3)" in found
    assert "QColor('grey')" in found and "QColor(120, 0, 0)" in found and "Qt.GlobalColor" in found
    assert not any("palette" in f or "margin" in f for f in found) and len(found) == 7


def test_no_hard_coded_colour_outside_the_theme():
    """Text colours come from the theme (ui.theme.tone for a label, severity_colour, muted_colour and
    tint_colour for a table), so the high-contrast theme can change them. A colour written into a widget's
    source stays as it is: dark red on the high-contrast black is about 2:1."""
    found, unused = [], {k: set(v) for k, v in ALLOWED_COLOUR_LITERALS.items()}
    for path in sorted((ROOT / "ui").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "ui/theme.py":
            continue
        allowed = ALLOWED_COLOUR_LITERALS.get(rel, set())
        for line, literal in colour_literals(path.read_text(encoding="utf-8")):
            if literal in allowed:
                unused.get(rel, set()).discard(literal)
            else:
                found.append(f"{rel}:{line}: {literal}")
    assert found == [], "use ui.theme.tone(label, 'danger'|'caution'), or a colour from ui.theme"
    # The exceptions above are still there (an exception nobody needs any more goes from the list).
    assert all(not left for left in unused.values()), unused


def test_the_allowed_colours_keep_their_contrast(qapp, restore_theme):
    from ui.commissioning.timeline import ACTUAL
    from ui.members.widgets import TONES, tone_colours
    from ui.reports.representativeness import SERIES_COLOURS

    for fg, bg in TONES.values():
        assert contrast_ratio(fg, bg) >= AA and contrast_ratio(fg, "#FFFFFF") >= AA, (fg, bg)
    apply_theme(qapp, True)
    assert all(tone_colours(name) is None for name in TONES)  # the tints are off in high contrast
    apply_theme(qapp, False)
    for fg in SERIES_COLOURS:
        assert contrast_ratio(fg, "#FFFFFF") >= 3.0, fg  # bars on the chart's white
    assert contrast_ratio("#FFFFFF", "#1F3864") >= 7.0  # the lock cover
    assert min(contrast_ratio(ACTUAL, "#FFFFFF"), contrast_ratio(ACTUAL, "#000000")) >= 3.0


def test_quiet_text_and_tints_keep_their_contrast_in_both_themes(qapp, restore_theme):
    from ui.theme import MUTED_COLOURS, TINT_COLOURS, muted_colour, tint_colour

    # Default: dark text on white and the alternate row, and on the tint. High contrast: white and the
    # light grey on black, the alternate row and the dark tint.
    for high, text, backgrounds, minimum in ((False, "#000000", DEFAULT_BACKGROUNDS, AA),
                                             (True, "#FFFFFF", ("#000000", "#1A1A1A"), AA)):
        apply_theme(qapp, high)
        muted, tint = muted_colour().name().upper(), tint_colour().name().upper()
        assert (muted, tint) == (MUTED_COLOURS[high], TINT_COLOURS[high])
        for bg in backgrounds + (tint,):
            assert contrast_ratio(muted, bg) >= minimum, (high, muted, bg)
        assert contrast_ratio(text, tint) >= 7.0, (high, tint)


def test_the_month_and_the_rights_grid_follow_the_theme(qapp, restore_theme):
    """A bank holiday's tint and the days of the next month: light on white, dark under white text on black."""
    import datetime as dt

    from ui.feedback.widgets import RowsModel as GridModel
    from ui.meetings.month import MonthModel

    month = MonthModel()
    month.set_month(2030, 12, [])
    christmas, next_month = month.index_of(dt.date(2030, 12, 25)), month.index_of(dt.date(2031, 1, 1))
    grid = GridModel(["Service", "R1"])
    grid.set_rows([["Witness care", "0"]], shaded=[(0, 1)])
    gap = grid.index(0, 1)
    for high, text in ((False, "#000000"), (True, "#FFFFFF")):
        apply_theme(qapp, high)
        background = "#FFFFFF" if not high else "#000000"
        tint = christmas.data(Qt.ItemDataRole.BackgroundRole).name()
        assert contrast_ratio(text, tint) >= 7.0, (high, tint)
        assert gap.data(Qt.ItemDataRole.BackgroundRole).color().name() == tint
        grey = next_month.data(Qt.ItemDataRole.ForegroundRole).name()
        assert contrast_ratio(grey, background) >= AA, (high, grey)
    month.deleteLater()
    grid.deleteLater()


def test_warning_labels_across_the_app_take_the_theme_colour(qapp, restore_theme):
    """The sign-in problem line, as one of the labels that used to carry an inline dark red."""
    from PySide6.QtGui import QPalette

    from ui.security.widgets import message_label

    label = message_label()
    assert label.styleSheet() == "" and label.property("tone") == "danger"
    apply_theme(qapp, True)
    label.ensurePolished()
    assert contrast_ratio(label.palette().color(QPalette.ColorRole.WindowText).name(), "#000000") >= 7.0
    label.deleteLater()
