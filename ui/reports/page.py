"""The Reports section: recruitment by window, representativeness, and the Police and Crime Panel report."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui.common.list_page import ListPage
from ui.common.section_page import heading
from ui.reports.panel import PanelReportView
from ui.reports.representativeness import RepresentativenessView


class ReportsPage(QWidget):
    TAB_KEY = "reports/tab"

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Reports", "Recruitment by window, how representative the group is of the "
                                         "community, and the report for the Police and Crime Panel."))
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Reports")
        self.tabs.setAccessibleDescription("Choose a report; Ctrl+Tab moves to the next one")
        self.tabs.tabBar().setAccessibleName("Reports tabs")
        self.tabs.tabBar().setAccessibleDescription("Recruitment by window, representativeness, or the Police "
                                                    "and Crime Panel report; Ctrl+Tab moves to the next one")
        self.list = ListPage(state, "recruitment_summary", self)
        self.representativeness = RepresentativenessView(state, self)
        self.panel = PanelReportView(state, self)
        self.tabs.addTab(self.list, "Recruitment by &window")
        self.tabs.addTab(self.representativeness, "&Representativeness")
        self.tabs.addTab(self.panel, "Police and Crime &Panel report")
        lay.addWidget(self.tabs, 1)
        saved = state.qsettings.value(self.TAB_KEY, 0, type=int)
        if 0 <= saved < self.tabs.count():
            self.tabs.setCurrentIndex(saved)
        self.tabs.currentChanged.connect(lambda i: state.qsettings.setValue(self.TAB_KEY, i))

    def open_record(self, entity: str, entity_id: int) -> None:
        if entity == "recruitment_window":
            self.tabs.setCurrentWidget(self.list)
            if entity_id:
                self.list.select_id(entity_id)

    def save_layout(self) -> None:
        self.list.save_layout()
