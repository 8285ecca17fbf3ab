"""Traceability in the window: what the group changed in each service, and the
themes that keep coming back. (The services x rights grid and the decisions with
their evidence are in the Commissioning section.)"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from db.enums import FeedbackStatus
from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date
from lived_experience.feedback import traceability as tr
from ui.common.forms import UkDateEdit, a11y
from ui.feedback.widgets import RowsModel, read_only_table


def period_choices(today):
    fy = tr.financial_year(today)
    last_fy = tr.financial_year(fy[0].replace(year=fy[0].year - 1))
    return [("This financial year", fy), ("Last financial year", last_fy), ("This calendar year", tr.calendar_year(today)),
            ("Last 12 months", (today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29)
                                else today.replace(year=today.year - 1, day=28), today))]


class TraceabilityTab(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        today = clock.today()
        self.period = QComboBox()
        a11y(self.period, "Period", "The period the answers cover")
        for label, (a, b) in period_choices(today):
            self.period.addItem(f"{label} ({uk_date(a)} to {uk_date(b)})", (a, b))
        self.period.addItem("Dates below", None)
        self.date_from = UkDateEdit("From")
        self.date_to = UkDateEdit("To")
        self.by = QComboBox()
        a11y(self.by, "Themes counted by", "Count themes by month, quarter or year")
        for label, value in (("By quarter", "quarter"), ("By month", "month"), ("By year", "year")):
            self.by.addItem(label, value)
        self.show_button = QPushButton("Show")
        a11y(self.show_button, "Show", "Answer for the chosen period")
        self.show_button.clicked.connect(self.refresh)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.by.currentIndexChanged.connect(lambda _i: self.refresh())
        top = QHBoxLayout()
        top.addWidget(QLabel("Period:"))
        top.addWidget(self.period)
        top.addWidget(QLabel("From:"))
        top.addWidget(self.date_from)
        top.addWidget(QLabel("To:"))
        top.addWidget(self.date_to)
        top.addWidget(self.by)
        top.addWidget(self.show_button)
        top.addStretch(1)

        self.changes_title = QLabel("What has the group changed in each service?")
        self.changes_title.setObjectName("sectionTitle")
        self.changes = RowsModel(["Service", "You said", "We did", "Status", "Since"], self)
        self.changes_view = read_only_table("What the group changed",
                                            "Feedback actioned or reported back in the period, by service",
                                            self.changes)
        self.themes_title = QLabel("Which themes keep coming back?")
        self.themes = RowsModel(["Theme"], self)
        self.themes_view = read_only_table("Recurring themes", "Feedback items by theme and period; 'Keeps coming "
                                           "back' when raised at two or more meetings or in two or more periods",
                                           self.themes)
        split = QSplitter(Qt.Orientation.Vertical)
        for title, view in ((self.changes_title, self.changes_view), (self.themes_title, self.themes_view)):
            box = QWidget()
            bl = QVBoxLayout(box)
            bl.setContentsMargins(0, 0, 0, 0)
            bl.addWidget(title)
            bl.addWidget(view)
            split.addWidget(box)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        state.changed.connect(lambda e: e in ("*", "feedback_item", "theme") and self.isVisible() and self.refresh())
        self._period_changed()

    def _period_changed(self, _i=None) -> None:
        rng = self.period.currentData()
        custom = rng is None
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if not custom:
            self.date_from.set_date(rng[0])
            self.date_to.set_date(rng[1])
            self.refresh()

    def dates(self):
        return self.date_from.date(), self.date_to.date()

    def refresh(self) -> None:
        try:
            a, b = self.dates()
            changes = tr.changes_by_service(self.state.ctx, a, b)
            trends = tr.recurring_themes(self.state.ctx, a, b, period=self.by.currentData())
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        rows, bold = [], []
        for c in changes:
            if not c.items:
                bold.append(len(rows))
                rows.append([c.service_name, "Nothing changed in this period", "", "", ""])
            for i in c.items:
                rows.append([c.service_name, i.summary, i.response or "", FeedbackStatus(i.status).label,
                             uk_date(i.reported_back_on or i.changed_on)])
        self.changes.set_rows(rows, bold_rows=bold)
        self.changes_title.setText(f"What has the group changed in each service? ({uk_date(a)} to {uk_date(b)}: "
                                   f"{sum(len(c.items) for c in changes)} items)")
        headers = ["Theme"] + [p[0] for p in trends.periods] + ["Total", "Meetings", "Keeps coming back"]
        trows = [[t.theme + ("" if t.is_active else " (not in use)")] + [str(n or "") for n in t.counts]
                 + [t.total, t.meetings, "Yes" if t.recurring else "No"] for t in trends.themes]
        n = len(trends.periods)
        self.themes.set_rows(trows, headers=headers, align_right=list(range(1, n + 3)),
                             bold_rows=[i for i, t in enumerate(trends.themes) if t.recurring])
        self.themes_view.resizeColumnsToContents()
