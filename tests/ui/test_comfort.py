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


OWNED_BY_THE_SHELL = ("ui/common", "ui/dashboard", "ui/search", "ui/reports", "ui/shell", "ui/theme.py", "ui/app.py",
                      "ui/startup.py", "ui/tasks.py", "ui/recruitment")


def test_no_inline_text_colour_that_the_high_contrast_theme_cannot_change():
    found = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if not rel.startswith(OWNED_BY_THE_SHELL):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "setStyleSheet(" in line and re.search(r"(?<!-)color\s*:\s*#", line):
                found.append(f"{rel}:{n}")
    assert found == [], "use ui.theme.tone(label, 'danger') instead"
