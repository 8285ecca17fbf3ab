"""The Meetings section: a list and a month view of every meeting; opening one shows
its page (details, invitations and attendance, agenda and papers, decisions and
actions, the pack).

Keyboard: Ctrl+N (or Alt+N) schedules a meeting; Enter on a row of the list, or on
a day of the month, opens the meeting; Alt+B (or Alt+Left) goes back to the list.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from lived_experience.core import clock
from lived_experience.core.errors import UserError
from ui.common.forms import a11y
from ui.common.list_page import ListPage
from ui.common.section_page import heading
from ui.meetings import dialogs
from ui.meetings import widgets as w
from ui.meetings.meeting_view import MeetingView
from ui.meetings.month import MonthView
from ui.meetings.widgets import button


class MeetingsPage(QWidget):
    kind = "meetings"
    title = "Meetings"
    description = ("Forums, roundtables, meetings, consultations, focus groups and events, in UK time. "
                   "Ctrl+N schedules a meeting; Enter opens the one highlighted.")

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.stack = QStackedWidget()

        # -- overview: list and month ------------------------------------------------------------
        overview = QWidget()
        self.new_btn = button("&New meeting…", "Schedule a meeting (Ctrl+N)", self.new_meeting, name="New meeting")
        self.open_btn = button("&Open meeting", "Open the highlighted meeting (or press Enter)", self.open_selected)
        self.calendar_btn = button("Export calen&dar…", "Save the meetings from a date onwards as a calendar file "
                                   "for Outlook", self.export_calendar)
        bar = QHBoxLayout()
        for b in (self.new_btn, self.open_btn, self.calendar_btn):
            bar.addWidget(b)
        bar.addStretch(1)
        self.list = ListPage(state, "meetings", self)
        self.list.activated.connect(lambda row: self.open_meeting(row["id"]))
        self.month = MonthView(state, self)
        self.month.open_meeting.connect(self.open_meeting)
        self.views = QTabWidget()
        a11y(self.views, "List or month", "Show the meetings as a list or as a month")
        a11y(self.views.tabBar(), "List or month", "Ctrl+Tab switches between the list and the month")
        self.views.addTab(self.list, "&List")
        self.views.addTab(self.month, "Mon&th")
        olay = QVBoxLayout(overview)
        olay.setContentsMargins(0, 0, 0, 0)
        olay.addLayout(bar)
        olay.addWidget(self.views, 1)

        # -- one meeting -------------------------------------------------------------------------
        self.meeting_view = MeetingView(state, self)
        self.meeting_view.closed.connect(self.show_overview)

        self.stack.addWidget(overview)
        self.stack.addWidget(self.meeting_view)
        lay = QVBoxLayout(self)
        lay.addWidget(heading(self.title, self.description))
        lay.addWidget(self.stack, 1)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.new_meeting,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # -- navigation --------------------------------------------------------------------------------
    def open_meeting(self, meeting_id: int) -> None:
        try:
            self.meeting_view.open(int(meeting_id))
        except UserError as exc:
            self.state.interaction.error(exc)
            self.list.refresh()
            return
        self.stack.setCurrentWidget(self.meeting_view)
        self.meeting_view.tabs.setFocus()

    def open_record(self, entity: str, entity_id: int) -> None:
        """Dashboard and search links: a meeting opens its page."""
        if entity in ("meeting", "meetings"):
            self.open_meeting(entity_id)

    def open_selected(self) -> None:
        if self.views.currentWidget() is self.month:
            items = self.month.day_list.selectedItems() or (
                [self.month.day_list.item(0)] if self.month.day_list.count() else [])
            if items:
                self.open_meeting(items[0].data(Qt.ItemDataRole.UserRole))
                return
        row = self.list.selected_row()
        if row is None:
            self.state.interaction.info("Choose a meeting", "Highlight a meeting in the list first.")
            return
        self.open_meeting(row["id"])

    def show_overview(self) -> None:
        self.stack.setCurrentIndex(0)
        self.list.refresh()
        self.list.table.setFocus()

    # -- actions -------------------------------------------------------------------------------------
    def new_meeting(self) -> None:
        day = None
        if self.stack.currentIndex() == 0 and self.views.currentWidget() is self.month:
            day = self.month.selected_day()
            if day is not None and day < clock.today():
                day = None
        dlg = dialogs.MeetingDialog(self.state, self, default_day=day)
        if w.run_dialog(dlg) and dlg.result_value:
            self.state.notify("meeting")
            self.open_meeting(dlg.result_value)

    def export_calendar(self) -> None:
        from lived_experience.exporting.calendar import export_calendar

        start = clock.today() - dt.timedelta(days=7)
        path = self.state.interaction.save_file("Export meetings to a calendar file", "meetings.ics",
                                                "Calendar files (*.ics)")
        if not path:
            return
        if not path.lower().endswith(".ics"):
            path += ".ics"
        try:
            result = export_calendar(self.state.ctx, path, date_from=start)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.state.interaction.info("Calendar file saved",
                                    f"{result.meetings} meeting{'s' if result.meetings != 1 else ''} from "
                                    f"{start.strftime('%d/%m/%Y')} onwards saved to {result.path}. Open it in "
                                    "Outlook to add them to your calendar.")

    def save_layout(self) -> None:
        self.list.save_layout()
