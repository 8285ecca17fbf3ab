"""The month view: a grid of days, Monday first, with each day's meetings in words.

Arrow keys move between days; Page Up / Page Down change month; Home goes to
today; Enter opens the meeting on the chosen day (the first, when there are
several: the list beside the grid shows them all).
"""

from __future__ import annotations

import calendar
import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.enums import MeetingStatus, MeetingType
from lived_experience.core import clock
from lived_experience.core.formatting import uk_date, uk_time
from lived_experience.meetings import service
from lived_experience.meetings.timing import bank_holiday
from ui.common.forms import a11y
from ui.meetings.widgets import button
from ui.theme import muted_colour, tint_colour

DayRole = Qt.ItemDataRole.UserRole + 10
MeetingsRole = Qt.ItemDataRole.UserRole + 11


def _short(m: service.CalendarMeeting) -> str:
    text = f"{uk_time(m.starts_at)} {m.title}"
    if m.status == MeetingStatus.CANCELLED.value:
        text = f"{uk_time(m.starts_at)} CANCELLED: {m.title}"
    return text


class MonthModel(QAbstractTableModel):
    """Six weeks by seven days around one month; each cell a day and its meetings."""

    HEADERS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    def __init__(self, parent=None):
        super().__init__(parent)
        today = clock.today()
        self.year, self.month = today.year, today.month
        self.first_shown = self._first_shown()
        self.by_day: dict[dt.date, list[service.CalendarMeeting]] = {}

    def _first_shown(self) -> dt.date:
        first = dt.date(self.year, self.month, 1)
        return first - dt.timedelta(days=first.weekday())

    def set_month(self, year: int, month: int, meetings: list[service.CalendarMeeting]) -> None:
        self.beginResetModel()
        self.year, self.month = year, month
        self.first_shown = self._first_shown()
        self.by_day = {}
        for m in meetings:
            self.by_day.setdefault(clock.to_london(m.starts_at).date(), []).append(m)
        self.endResetModel()

    def last_shown(self) -> dt.date:
        return self.first_shown + dt.timedelta(days=41)

    def day_at(self, row: int, column: int) -> dt.date:
        return self.first_shown + dt.timedelta(days=row * 7 + column)

    def index_of(self, day: dt.date) -> QModelIndex:
        n = (day - self.first_shown).days
        if not 0 <= n < 42:
            return QModelIndex()
        return self.index(n // 7, n % 7)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else 6

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else 7

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < 6 and 0 <= index.column() < 7):
            return None
        day = self.day_at(index.row(), index.column())
        meetings = self.by_day.get(day, [])
        holiday = bank_holiday(day)
        if role == Qt.ItemDataRole.DisplayRole:
            lines = [f"{day.day} (today)" if day == clock.today() else str(day.day)]
            if holiday:
                lines.append(f"Bank holiday: {holiday}")
            lines += [_short(m) for m in meetings[:3]]
            if len(meetings) > 3:
                lines.append(f"and {len(meetings) - 3} more")
            return "\n".join(lines)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            words = f"{day.strftime('%A')} {uk_date(day)}"
            if day == clock.today():
                words += " (today)"
            if holiday:
                words += f", bank holiday ({holiday})"
            if meetings:
                words += ": " + "; ".join(f"{_short(m)} ({MeetingType(m.meeting_type).label})" for m in meetings)
            else:
                words += ": no meetings"
            return words
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        if role == Qt.ItemDataRole.FontRole:
            if day == clock.today() or meetings:
                f = QFont()
                f.setBold(True)
                return f
            return None
        if role == Qt.ItemDataRole.BackgroundRole and holiday and day != clock.today():
            return tint_colour()  # a quiet tint; the words say it is a bank holiday
        if role == Qt.ItemDataRole.ForegroundRole:
            if day.month != self.month:
                return muted_colour()  # days of the next or last month: 4.5:1 or more in either theme
            return None
        if role == DayRole:
            return day
        if role == MeetingsRole:
            return list(meetings)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < 7:
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < 6:
            return f"Week {section + 1}"
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class MonthGrid(QTableView):
    open_day = Signal(object)  # a date
    page = Signal(int)  # -1 previous month, +1 next
    home = Signal()

    def keyPressEvent(self, event):  # noqa: N802 - Qt API
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            idx = self.currentIndex()
            if idx.isValid():
                self.open_day.emit(idx.data(DayRole))
                return
        if key == Qt.Key.Key_PageUp:
            self.page.emit(-1)
            return
        if key == Qt.Key.Key_PageDown:
            self.page.emit(1)
            return
        if key == Qt.Key.Key_Home:
            self.home.emit()
            return
        super().keyPressEvent(event)


class MonthView(QWidget):
    """A month of meetings; ``open_meeting`` carries a meeting id."""

    open_meeting = Signal(int)

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.model = MonthModel(self)
        self.prev_btn = button("◀ &Previous month", "Show the month before (Page Up)", lambda: self.step(-1),
                               name="Previous month")
        self.today_btn = button("This &month", "Show the month with today in it (Home)", self.go_today,
                                name="This month")
        self.next_btn = button("Ne&xt month ▶", "Show the month after (Page Down)", lambda: self.step(1),
                               name="Next month")
        self.title = QLabel()
        self.title.setAccessibleName("Month shown")
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.3 if f.pointSizeF() > 0 else 12)
        f.setBold(True)
        self.title.setFont(f)
        top = QHBoxLayout()
        top.addWidget(self.prev_btn)
        top.addWidget(self.today_btn)
        top.addWidget(self.next_btn)
        top.addSpacing(12)
        top.addWidget(self.title, 1)

        self.grid = MonthGrid()
        self.grid.setModel(self.model)
        a11y(self.grid, "Month of meetings",
             "Days of the month with their meetings. Arrow keys move between days, Enter opens the day's meeting, "
             "Page Up and Page Down change month, Home shows this month")
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setWordWrap(True)
        self.grid.setTabKeyNavigation(False)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().setVisible(False)
        self.grid.open_day.connect(self._open_day)
        self.grid.page.connect(self.step)
        self.grid.home.connect(self.go_today)
        self.grid.doubleClicked.connect(lambda idx: self._open_day(idx.data(DayRole)))
        self.grid.selectionModel().currentChanged.connect(self._day_changed)

        self.day_label = QLabel()
        self.day_label.setAccessibleName("Day chosen")
        self.day_list = QListWidget()
        a11y(self.day_list, "Meetings on the day chosen", "Enter opens the highlighted meeting")
        self.day_list.itemActivated.connect(lambda item: self.open_meeting.emit(item.data(Qt.ItemDataRole.UserRole)))
        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        side_lay.addWidget(self.day_label)
        side_lay.addWidget(self.day_list, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.grid)
        split.addWidget(side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([800, 240])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        today = clock.today()
        self.show_month(today.year, today.month, select=today)
        state.changed.connect(self._on_changed)

    # -- navigation ----------------------------------------------------------------------------
    def show_month(self, year: int, month: int, *, select: dt.date | None = None) -> None:
        model = self.model
        first = dt.date(year, month, 1)
        shown_from = first - dt.timedelta(days=first.weekday())
        meetings = service.meetings_between(self.state.ctx, shown_from, shown_from + dt.timedelta(days=41))
        model.set_month(year, month, meetings)
        self.title.setText(f"{calendar.month_name[month]} {year}")
        self.title.setAccessibleDescription(f"{calendar.month_name[month]} {year}: "
                                            f"{sum(1 for m in meetings if m.starts_at.astimezone(clock.LONDON).month == month)}"
                                            " meetings")
        day = select if select is not None and select.month == month and select.year == year else first
        idx = model.index_of(day)
        self.grid.setCurrentIndex(idx)
        self._day_changed(idx)

    def step(self, delta: int) -> None:
        month = self.model.month + delta
        year = self.model.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        current = self.grid.currentIndex().data(DayRole) if self.grid.currentIndex().isValid() else None
        select = None
        if current is not None:
            day = min(current.day, calendar.monthrange(year, month)[1])
            select = dt.date(year, month, day)
        self.show_month(year, month, select=select)

    def go_today(self) -> None:
        today = clock.today()
        self.show_month(today.year, today.month, select=today)

    def select_day(self, day: dt.date) -> None:
        self.show_month(day.year, day.month, select=day)

    def selected_day(self) -> dt.date | None:
        idx = self.grid.currentIndex()
        return idx.data(DayRole) if idx.isValid() else None

    def _day_changed(self, current, _previous=None) -> None:
        if current is None or not current.isValid():
            return
        day = current.data(DayRole)
        meetings = current.data(MeetingsRole) or []
        self.day_label.setText(f"{day.strftime('%A')} {uk_date(day)}: "
                               + (f"{len(meetings)} meeting{'s' if len(meetings) != 1 else ''}" if meetings
                                  else "no meetings"))
        self.day_list.clear()
        for m in meetings:
            item = QListWidgetItem(f"{_short(m)} ({MeetingType(m.meeting_type).label}, "
                                   f"{MeetingStatus(m.status).label.lower()})")
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            self.day_list.addItem(item)
        if meetings:
            self.day_list.setCurrentRow(0)

    def _open_day(self, day) -> None:
        if day is None:
            return
        meetings = self.model.by_day.get(day, [])
        if len(meetings) == 1:
            self.open_meeting.emit(meetings[0].id)
        elif meetings:
            self.day_list.setFocus()

    def _on_changed(self, entity: str) -> None:
        if entity in ("*", "meeting"):
            self.show_month(self.model.year, self.model.month, select=self.selected_day())
