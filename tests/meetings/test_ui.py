"""The Meetings section in the real window (offscreen): list, month, meeting page, keyboard use."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from sqlalchemy import select

import ui.meetings.widgets as meeting_widgets
from db.models import Invitation, Meeting
from lived_experience.core.uow import unit_of_work
from lived_experience.meetings import service


def _missing_a11y(root: QWidget) -> list[str]:
    out = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(root.window()):
            continue
        if widget.metaObject().className() in ("QScrollArea", "QSplitterHandle", "QStackedWidget"):
            continue
        if not widget.accessibleName() or not widget.accessibleDescription():
            out.append(f"{widget.metaObject().className()} '{widget.accessibleName()}' "
                       f"({getattr(widget, 'text', lambda: '')()})")
    return out


def _focus() -> QWidget:
    return QApplication.focusWidget()


def _tab_to(qtbot, target: QWidget, limit: int = 40) -> None:
    """Press Tab until ``target`` has the focus: proves it is reachable by keyboard."""
    seen = []
    for _ in range(limit):
        if _focus() is target:
            return
        seen.append(_focus().accessibleName() if _focus() else None)
        qtbot.keyClick(_focus(), Qt.Key.Key_Tab)
    raise AssertionError(f"{target.accessibleName()} cannot be reached with Tab: went {seen}")


def _activate(qtbot, dlg: QWidget, first: QWidget) -> None:
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dlg, timeout=2000)
    first.setFocus()
    qtbot.waitUntil(lambda: _focus() is first, timeout=2000)


def _type(qtbot, text: str) -> None:
    qtbot.keyClick(_focus(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(_focus(), text)


@pytest.fixture
def page(window):
    return window.show_section("meetings")


def _upcoming_id(demo_ctx) -> int:
    with unit_of_work(demo_ctx, readonly=True) as s:
        return s.scalar(select(Meeting.id).where(Meeting.status == "confirmed"))


def _held_id(demo_ctx) -> int:
    with unit_of_work(demo_ctx, readonly=True) as s:
        return s.scalar(select(Meeting.id).where(Meeting.status == "held").order_by(Meeting.starts_at.desc()))


def test_the_list_and_the_month_show_the_meetings(page, qtmodeltester, qtbot):
    assert page.list.model.total == 12
    qtmodeltester.check(page.list.model, force_py=False)
    month = page.month
    qtmodeltester.check(month.model, force_py=False)
    page.views.setCurrentWidget(month)
    # The month of the next confirmed meeting shows it, in words, on its day.
    detail = service.get_meeting(page.state.ctx, _upcoming_id(page.state.ctx))
    month.select_day(detail.date)
    idx = month.model.index_of(detail.date)
    assert detail.title in idx.data()
    assert detail.title in idx.data(Qt.ItemDataRole.AccessibleTextRole)
    assert month.day_list.count() >= 1 and detail.title in month.day_list.item(0).text()
    # Page Down and Page Up change month; Home comes back to this month.
    shown = (month.model.year, month.model.month)
    month.grid.setFocus()
    qtbot.keyClick(month.grid, Qt.Key.Key_PageDown)
    assert (month.model.year, month.model.month) != shown
    qtbot.keyClick(month.grid, Qt.Key.Key_Home)
    today = dt.date.today()
    assert (month.model.year, month.model.month) == (today.year, today.month)


def test_enter_on_a_day_opens_its_meeting(page, qtbot):
    detail = service.get_meeting(page.state.ctx, _upcoming_id(page.state.ctx))
    page.views.setCurrentWidget(page.month)
    page.month.select_day(detail.date)
    page.month.grid.setFocus()
    qtbot.keyClick(page.month.grid, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.meeting_view
    assert page.meeting_view.meeting_id == detail.id


def test_the_month_names_bank_holidays_in_words(page):
    month = page.month
    page.views.setCurrentWidget(month)
    month.select_day(dt.date(2026, 12, 25))
    idx = month.model.index_of(dt.date(2026, 12, 25))
    assert "Bank holiday: Christmas Day" in idx.data()
    assert "bank holiday (Christmas Day)" in idx.data(Qt.ItemDataRole.AccessibleTextRole)
    assert "Bank holiday" not in month.model.index_of(dt.date(2026, 12, 23)).data()


def test_members_in_a_quiet_period_are_shown_on_the_invitations_and_pack_tabs(page, interaction, tmp_path):
    """Whoever sends the invitations, the pack or the calendar file sees whom not to contact."""
    from db.models import Person, QuietPeriod
    from lived_experience.core import clock

    mid = _upcoming_id(page.state.ctx)
    with unit_of_work(page.state.ctx) as s:
        s.execute(QuietPeriod.__table__.delete())
        pid = s.scalar(select(Invitation.person_id).where(Invitation.meeting_id == mid,
                                                          Invitation.person_id.is_not(None)).limit(1))
        name = s.get(Person, pid).known_as
        until = clock.today() + dt.timedelta(days=10)
        s.add(QuietPeriod(person_id=pid, starts_on=clock.today() - dt.timedelta(days=1), ends_on=until))
    page.open_meeting(mid)
    view = page.meeting_view
    view.tabs.setCurrentWidget(view.invitations)
    view.invitations.reload()
    assert "1 member is in a quiet period: do not contact them yet." in view.invitations.summary.text()
    rows = {r.name: r for r in view.invitations.model.rows}
    assert rows[name].contact_note.startswith("Quiet until ")
    view.tabs.setCurrentWidget(view.pack)
    view.pack.reload()
    assert view.pack.quiet.isVisibleTo(view) and name in view.pack.quiet.text()
    interaction.answers["save_file"] = str(tmp_path / "pack.pdf")
    view.pack.export()
    assert any(name in text and "Do not send the pack" in text for _k, text in interaction.messages)


def test_every_control_has_an_accessible_name_and_description(page, window):
    assert _missing_a11y(page) == []
    page.views.setCurrentWidget(page.month)
    assert _missing_a11y(page) == []
    page.open_meeting(_held_id(page.state.ctx))
    for i in range(page.meeting_view.tabs.count()):
        page.meeting_view.tabs.setCurrentIndex(i)
        assert _missing_a11y(page) == [], page.meeting_view.tabs.tabText(i)
    from ui.meetings import dialogs

    view = page.meeting_view
    for dlg in (dialogs.MeetingDialog(page.state, page), dialogs.MeetingDialog(page.state, page, detail=view.detail),
                dialogs.VenueDialog(page.state, page), dialogs.ProgrammeDialog(page.state, page),
                dialogs.InviteDialog(page.state, view.meeting_id, "member", page),
                dialogs.InviteDialog(page.state, view.meeting_id, "stakeholder", page),
                dialogs.ContactDialog(page.state, page),
                dialogs.AttendanceDialog(page.state, view.invitations.model.rows[0], page),
                dialogs.AgendaItemDialog(page.state, view.meeting_id, page),
                dialogs.ActionDialog(page.state, view.meeting_id, [], page),
                dialogs.DecisionDialog(page.state, view.meeting_id, [], page),
                dialogs.PackSentDialog(page.state, view.detail, page)):
        dlg.show()
        assert _missing_a11y(dlg) == [], dlg.windowTitle()
        dlg.reject()


def test_schedule_a_meeting_by_keyboard_alone(page, qtbot, interaction, monkeypatch):
    filled = {}

    def fill_by_keyboard(dlg: QDialog) -> bool:
        filled["dialog"] = dlg
        _activate(qtbot, dlg, dlg.title_edit)
        qtbot.keyClicks(_focus(), "Keyboard forum")
        _tab_to(qtbot, dlg.type_combo)
        qtbot.keyClicks(_focus(), "Focus")
        _tab_to(qtbot, dlg.date_edit)
        _type(qtbot, "31/08/2026")  # the Late Summer Bank Holiday: a warning to confirm
        _tab_to(qtbot, dlg.time_edit)
        _type(qtbot, "18:30")
        _tab_to(qtbot, dlg.duration)
        _type(qtbot, "90")
        _tab_to(qtbot, dlg.link_edit)
        qtbot.keyClicks(_focus(), "https://meet.example.org/kb")
        qtbot.keyClick(_focus(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        return dlg.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(meeting_widgets, "run_dialog", fill_by_keyboard)
    interaction.answers["confirm"] = True
    page.list.table.setFocus()
    qtbot.keyClick(page.list.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert "dialog" in filled, "Ctrl+N opens the new meeting form"
    confirms = [text for kind, text in interaction.messages if kind == "confirm"]
    assert confirms and "bank holiday in England and Wales (Late Summer Bank Holiday)" in confirms[0]
    # The new meeting's page opens.
    view = page.meeting_view
    assert page.stack.currentWidget() is view
    d = view.detail
    assert (d.title, d.meeting_type, d.date, d.time, d.duration_minutes) == (
        "Keyboard forum", "focus_group", dt.date(2026, 8, 31), dt.time(18, 30), 90)
    assert d.starts_at == dt.datetime(2026, 8, 31, 17, 30, tzinfo=dt.UTC)
    assert d.online_link == "https://meet.example.org/kb"
    # The list has it too once we go back (Alt+B is the button's mnemonic; Alt+Left the shortcut).
    view.back_btn.click()
    assert page.stack.currentIndex() == 0
    assert any(page.list.model.row_at(r)["title"] == "Keyboard forum" for r in range(page.list.model.rowCount()))


def test_declining_the_warning_saves_nothing(page, qtbot, interaction, monkeypatch):
    def fill(dlg):
        dlg.show()
        dlg.title_edit.setText("Christmas meeting")
        dlg.date_edit.setText("25/12/2026")
        dlg._on_ok()
        assert "Not saved" in dlg.error_label.text()
        return dlg.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(meeting_widgets, "run_dialog", fill)
    interaction.answers["confirm"] = False
    page.new_meeting()
    with unit_of_work(page.state.ctx, readonly=True) as s:
        assert s.scalar(select(Meeting.id).where(Meeting.title == "Christmas meeting")) is None


def test_record_attendance_by_keyboard_alone(page, qtbot, monkeypatch, qtmodeltester):
    mid = _held_id(page.state.ctx)
    page.list.table.setFocus()
    assert page.list.select_id(mid)
    qtbot.keyClick(page.list.table, Qt.Key.Key_Return)
    view = page.meeting_view
    assert page.stack.currentWidget() is view and view.meeting_id == mid
    view.tabs.setCurrentWidget(view.invitations)
    table = view.invitations.table
    qtmodeltester.check(view.invitations.model, force_py=False)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    target = table.current_row()
    assert target is not None

    def fill_by_keyboard(dlg):
        _activate(qtbot, dlg, dlg.attendance)
        qtbot.keyClicks(_focus(), "Left")  # "Left early"
        _tab_to(qtbot, dlg.mode)
        qtbot.keyClicks(_focus(), "Online")
        qtbot.keyClick(_focus(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        return dlg.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(meeting_widgets, "run_dialog", fill_by_keyboard)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    with unit_of_work(page.state.ctx, readonly=True) as s:
        inv = s.get(Invitation, target.id)
        assert (inv.attendance, inv.participation_mode, inv.response) == ("left_early", "online", "accepted")
    row = next(r for r in view.invitations.model.rows if r.id == target.id)
    assert row.attendance == "left_early"
    assert "attended" in view.invitations.summary.text()


def test_invite_members_flags_dbs_and_starts_a_mileage_claim(page, qtbot, monkeypatch, interaction):
    # A new meeting in the past with one member invited and attending in person.
    result = service.save_meeting(page.state.ctx, service.MeetingInput(
        "Past focus group", "focus_group", dt.date(2026, 9, 2), dt.time(10, 0)), confirm=True)
    page.open_meeting(result.id)
    view = page.meeting_view
    from ui.meetings import dialogs

    def tick_first(dlg):
        assert isinstance(dlg, dialogs.InviteDialog)
        dlg.show()
        dlg.people.setFocus()
        qtbot.keyClick(dlg.people, Qt.Key.Key_Space)
        dlg._on_ok()
        return dlg.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(meeting_widgets, "run_dialog", tick_first)
    view.invitations.invite_members_btn.click()
    rows = view.invitations.model.rows
    assert len(rows) == 1 and rows[0].kind == "member"
    seen = {}

    def claim_dialog(state, parent, prefill=None):
        seen["prefill"] = prefill

    import ui.members.expenses

    monkeypatch.setattr(ui.members.expenses, "open_claim_dialog", claim_dialog)
    view.invitations.table.setCurrentIndex(view.invitations.model.index(0, 0))
    view.invitations.mileage()
    assert "attended" in interaction.messages[-1][1]  # not yet: record attendance first
    from lived_experience.meetings import attendance

    attendance.record_attendance(page.state.ctx, rows[0].id, "attended", "in_person")
    view.reload()
    view.invitations.mileage()
    assert seen["prefill"]["person_id"] == rows[0].person_id
    assert seen["prefill"]["incurred_on"] == dt.date(2026, 9, 2) and seen["prefill"]["kind"] == "mileage"


def test_agenda_items_papers_and_reordering_by_keyboard(page, qtbot, monkeypatch, interaction, tmp_path):
    from tests.meetings.conftest import pdf_bytes

    mid = _upcoming_id(page.state.ctx)
    page.open_meeting(mid)
    agenda_tab = page.meeting_view.agenda
    page.meeting_view.tabs.setCurrentWidget(agenda_tab)
    before = [r.title for r in agenda_tab.model.rows]
    qtbot_table = agenda_tab.table
    qtbot_table.setFocus()
    qtbot_table.setCurrentIndex(agenda_tab.model.index(1, 0))
    qtbot.keyClick(qtbot_table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    after = [r.title for r in agenda_tab.model.rows]
    assert after[0] == before[1] and after[1] == before[0]
    assert agenda_tab.table.current_row().title == before[1]
    # Attach a PDF to the highlighted item; a non-PDF is refused with a message.
    good = tmp_path / "paper.pdf"
    good.write_bytes(pdf_bytes(2))
    interaction.answers["open_file"] = str(good)
    agenda_tab.attach()
    assert agenda_tab.papers.count() == 1 and "2 pages" in agenda_tab.papers.item(0).text()
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a pdf")
    interaction.answers["open_file"] = str(bad)
    agenda_tab.attach()
    assert interaction.errors and "not a PDF file" in str(interaction.errors[-1])
    opened = []
    monkeypatch.setattr(meeting_widgets, "open_external", lambda path: opened.append(path) or True)
    agenda_tab.open_paper()
    assert opened and opened[0].endswith("paper.pdf")
    # The opened copy is private to this user, in the app's own folder, not the shared temporary one.
    copy = Path(opened[0])
    assert copy.parent.parent == page.state.ctx.paths.data_dir / "previews" and copy.read_bytes() == good.read_bytes()
    if os.name == "posix":
        assert copy.parent.stat().st_mode & 0o077 == 0


def test_the_pack_tab_exports_previews_and_adds_to_calendar(page, qtbot, monkeypatch, interaction, tmp_path):
    from pypdf import PdfReader

    mid = _upcoming_id(page.state.ctx)
    page.open_meeting(mid)
    pack = page.meeting_view.pack
    page.meeting_view.tabs.setCurrentWidget(pack)
    out = tmp_path / "pack.pdf"
    interaction.answers["save_file"] = str(out)
    pack.pseudonymise.setChecked(True)
    pack.export()
    assert out.exists() and pack.last_result.pseudonymised
    assert any("Pack saved" in t or "saved to" in t for _k, t in interaction.messages)
    assert "Member A" in "".join(p.extract_text() for p in PdfReader(str(out)).pages)
    opened = []
    monkeypatch.setattr(meeting_widgets, "open_external", lambda path: opened.append(path) or True)
    pack.preview()
    assert opened and opened[-1].endswith("-preview.pdf")
    preview = Path(opened[-1])
    assert preview.parent.parent == page.state.ctx.paths.data_dir / "previews" and preview.stat().st_size > 0
    ics = tmp_path / "meeting.ics"
    interaction.answers["save_file"] = str(ics)
    pack.add_to_calendar()
    assert ics.exists() and opened[-1] == str(ics)
    # Mark the pack as sent, by its dialog.
    monkeypatch.setattr(meeting_widgets, "run_dialog", lambda dlg: dlg._on_ok() or dlg.result() == 1)
    pack.mark_sent()
    assert page.meeting_view.detail.pack_sent_at is not None
    assert "Pack sent" in pack.status.text()


def test_a_viewer_is_told_plainly_when_they_try_to_change_things(qtbot, demo_ctx, interaction, monkeypatch):
    from tests.conftest import as_role
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    w = MainWindow()
    qtbot.addWidget(w)
    w.attach(AppState(as_role(demo_ctx, "viewer"), interaction))
    page = w.show_section("meetings")
    page.open_meeting(_held_id(demo_ctx))
    view = page.meeting_view
    view.actions.table.setCurrentIndex(view.actions.model.index(0, 0))
    view.actions.mark_done()
    assert interaction.errors and "does not allow you" in str(interaction.errors[-1])


def test_a_dashboard_link_opens_the_meetings_page(window, demo_ctx):
    mid = _upcoming_id(demo_ctx)
    window.open_record("meetings", "meeting", mid)
    page = window.current_page()
    assert page is window.pages["meetings"]
    assert page.stack.currentWidget() is page.meeting_view and page.meeting_view.meeting_id == mid
