"""Reports > Representativeness: applicants and members against the LLR population.

Numbers on the left, a bar chart beside them (QtCharts), for each
characteristic; then which channels reached which groups. Small numbers are
suppressed by the service; the page only shows what it is given. Roles that
may not see equality monitoring answers get the service's refusal, in words.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from lived_experience.core.errors import PermissionDenied, UserError
from lived_experience.reporting.representativeness import (
    ALL,
    MEMBERS,
    RepresentativenessReport,
    TopicTable,
    build_report,
)
from lived_experience.security.permissions import Perm
from ui.reports.tables import FiguresModel, figures_view, fit_height, fit_width
from ui.theme import is_high_contrast

SERIES_COLOURS = ("#1F3864", "#B35900", "#6C7A89")
NOT_CHARTED = "*"


def topic_rows(report: RepresentativenessReport, table: TopicTable) -> tuple[list[str], list[list[str]]]:
    chosen = report.chosen
    headers = ["Group", "Applicants", "%", "Members", "%", "LLR %"]
    rows = []
    for cat in table.topic.categories:
        a = table.figure(chosen.key, cat.key)
        m = table.figure(MEMBERS, cat.key)
        rows.append([cat.label, a.text, a.percent_text, m.text, m.percent_text,
                     "" if cat.census is None else f"{cat.census:.1f}%"])
    rows.append(["Everyone counted", chosen.total_text, "100%" if chosen.total else "", report.members.total_text,
                 "100%" if report.members.total else "", "100%"])
    return headers, rows


def channel_rows(table: TopicTable) -> tuple[list[str], list[list[str]]]:
    cats = list(table.topic.categories)
    headers = ["Channel (all windows)", "Everyone"] + [c.heading for c in cats]
    rows = [[label, table.channel_totals[ch].text] + [table.channel_figures[(ch, c.key)].text for c in cats]
            for ch, label in table.channels]
    totals = ["Everyone counted", ""] + [table.figure(ALL, c.key).text for c in cats]
    return headers, rows + [totals]


def fill_chart(chart: QChart, report: RepresentativenessReport, table: TopicTable) -> None:
    """Draw the percentages into ``chart`` (the chart view's own, so Qt alone owns it and its parts)."""
    chart.removeAllSeries()
    for axis in list(chart.axes()):
        chart.removeAxis(axis)
        axis.deleteLater()
    chosen = report.chosen
    cats = list(table.topic.categories)
    series = QHorizontalBarSeries()
    names = ["Applicants", "Members", "LLR census"]
    values = [
        [table.figure(chosen.key, c.key).percent for c in cats],
        [table.figure(MEMBERS, c.key).percent for c in cats],
        [c.census for c in cats],
    ]
    # Horizontal bars draw the first category at the bottom: reverse, so the chart reads like the table.
    order = list(reversed(range(len(cats))))
    for name, vals, colour in zip(reversed(names), reversed(values), reversed(SERIES_COLOURS), strict=True):
        s = QBarSet(name)
        s.setColor(QColor(colour))
        for i in order:
            s.append(vals[i] if vals[i] is not None else 0.0)
        series.append(s)
    labels = []
    for i in order:
        c = cats[i]
        hidden = table.figure(chosen.key, c.key).hidden or table.figure(MEMBERS, c.key).hidden
        labels.append(c.heading + (f" {NOT_CHARTED}" if hidden else ""))
    chart.addSeries(series)
    axis_y = QBarCategoryAxis()
    axis_y.append(labels)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_y)
    axis_x = QValueAxis()
    top = max([v for vals in values for v in vals if v is not None] or [10])
    axis_x.setRange(0, min(100, (int(top) // 10 + 1) * 10))
    axis_x.setLabelFormat("%d%%")
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_x)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.legend().setReverseMarkers(True)  # the sets went in reversed; the legend reads as the table does
    chart.setTitle(f"{table.topic.title}: percentages")
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setTheme(QChart.ChartTheme.ChartThemeHighContrast if is_high_contrast()
                   else QChart.ChartTheme.ChartThemeLight)
    for s, colour in zip(series.barSets(), reversed(SERIES_COLOURS), strict=True):
        s.setColor(QColor(colour))  # a theme change resets the colours


class TopicBox(QGroupBox):
    """One characteristic: the figures and the chart beside them."""

    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        self.setAccessibleName(title)
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName(f"{title}: about the comparison")
        self.model = FiguresModel(self)
        self.view = figures_view(f"{title}: figures", f"Counts and percentages by {title.lower()}: applicants, "
                                 "members and the LLR population", self.model)
        left.addWidget(self.note)
        left.addWidget(self.view)
        left.addStretch(1)
        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setAccessibleName(f"{title}: bar chart")
        self.chart_view.setAccessibleDescription("The percentages from the table beside it, as bars. A group "
                                                 f"marked {NOT_CHARTED} has a count that is not shown, so no "
                                                 "bar is drawn for it")
        self.chart_view.setMinimumSize(280, 300)
        self.view.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        right = QVBoxLayout()
        right.addWidget(self.chart_view, 1)
        key = QLabel(f"{NOT_CHARTED} a count for this group is not shown (fewer than 5, or hidden to protect "
                     "one that is), so no bar is drawn for it.")
        key.setWordWrap(True)
        key.setAccessibleName("About the chart")
        right.addWidget(key)
        lay.addLayout(left, 0)
        lay.addLayout(right, 1)

    def show_table(self, report: RepresentativenessReport, table: TopicTable) -> None:
        self.note.setText("\n".join([table.topic.census_note, *table.withheld]))
        headers, rows = topic_rows(report, table)
        self.model.set_table(headers, rows, bold_last=True)
        self.view.resizeColumnsToContents()
        fit_height(self.view)
        fit_width(self.view)
        fill_chart(self.chart_view.chart(), report, table)
        self.chart_view.setMinimumHeight(max(300, 46 * len(table.topic.categories) + 90))


class RepresentativenessView(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.report: RepresentativenessReport | None = None
        self._stale = True
        self.boxes: dict[str, TopicBox] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setAccessibleName("Access to the representativeness report")
        self.refusal.hide()
        lay.addWidget(self.refusal)
        self.allowed = state.ctx.actor.can(Perm.EQUALITY_READ)
        if not self.allowed:
            self.refusal.setText(
                f"Your role ({state.ctx.actor.role.label}) does not allow you to see equality monitoring "
                "answers, even as counts. Ask an administrator if you need this report.")
            self.refusal.show()
            lay.addStretch(1)
            return
        top = QHBoxLayout()
        top.addWidget(QLabel("Applicants from:"))
        self.window_box = QComboBox()
        self.window_box.setAccessibleName("Applicants from")
        self.window_box.setAccessibleDescription("Compare the applicants of one recruitment window, or of all "
                                                 "windows together")
        self.window_box.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.window_box)
        top.addStretch(1)
        self.export_button = QPushButton("Export PDF…")
        self.export_button.setAccessibleName("Export the representativeness report as a PDF")
        self.export_button.setAccessibleDescription("Save this report, marked OFFICIAL, as a PDF")
        self.export_button.clicked.connect(self.export)
        top.addWidget(self.export_button)
        lay.addLayout(top)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Who is counted")
        lay.addWidget(self.summary)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Representativeness figures")
        inner = QWidget()
        self.inner = QVBoxLayout(inner)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName("How to read this report")
        self.inner.addWidget(self.notes)
        scroll.setWidget(inner)
        lay.addWidget(scroll, 1)
        channels = QGroupBox("Which recruitment channels reached which groups")
        channels.setAccessibleName("Which recruitment channels reached which groups")
        cl = QVBoxLayout(channels)
        row = QHBoxLayout()
        row.addWidget(QLabel("Group by:"))
        self.channel_topic = QComboBox()
        self.channel_topic.setAccessibleName("Channels table: group by")
        self.channel_topic.setAccessibleDescription("Which characteristic the channels table breaks down")
        self.channel_topic.currentIndexChanged.connect(lambda _i: self._show_channels())
        row.addWidget(self.channel_topic)
        row.addStretch(1)
        cl.addLayout(row)
        self.channel_model = FiguresModel(self)
        self.channel_view = figures_view("Channels by group", "Applicants over all windows by how they heard "
                                         "about the group and the chosen characteristic", self.channel_model)
        cl.addWidget(self.channel_view)
        self._channels_box = channels
        channels.hide()  # until there is a report to show
        self.inner.addWidget(channels)
        self.inner.addStretch(1)
        state.changed.connect(self._on_changed)

    # -- data --------------------------------------------------------------------------------------
    def _on_changed(self, entity: str) -> None:
        if entity in ("*", "application", "equality_monitoring", "membership_term", "person", "recruitment_window"):
            self._stale = True
            if self.isVisible():
                self.refresh()

    def showEvent(self, event):
        super().showEvent(event)
        if self.allowed and self._stale:
            self.refresh()

    def refresh(self) -> None:
        if not self.allowed:
            return
        window_id = self.window_box.currentData() if self.window_box.count() else None
        try:
            report = build_report(self.state.ctx, window_id)
        except PermissionDenied as exc:
            self.refusal.setText(exc.message)
            self.refusal.show()
            return
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self._stale = False
        self.report = report
        self._fill_windows(report)
        self.summary.setText(
            f"Applicants: {report.chosen.label} ({report.chosen.total_text} counted). Members now: "
            f"{report.members.total_text}. Compared with the population of Leicester, Leicestershire and "
            "Rutland (Census 2021). Nobody is named.")
        self.notes.setText("\n".join(report.notes))
        for table in report.tables:
            box = self.boxes.get(table.topic.key)
            if box is None:
                box = TopicBox(table.topic.title)
                self.boxes[table.topic.key] = box
                self.inner.insertWidget(self.inner.indexOf(self._channels_box), box)
            box.show_table(report, table)
        self._channels_box.show()
        if self.channel_topic.count() == 0:
            self.channel_topic.blockSignals(True)
            for table in report.tables:
                self.channel_topic.addItem(table.topic.title, table.topic.key)
            self.channel_topic.setCurrentIndex(1 if self.channel_topic.count() > 1 else 0)
            self.channel_topic.blockSignals(False)
        self._show_channels()

    def _fill_windows(self, report: RepresentativenessReport) -> None:
        current = self.window_box.currentData()
        self.window_box.blockSignals(True)
        self.window_box.clear()
        self.window_box.addItem(f"All windows ({report.all_windows.total_text})", None)
        for w in reversed(report.windows):  # newest first
            self.window_box.addItem(f"{w.label} ({w.total_text})", int(w.key.split(":")[1]))
        i = self.window_box.findData(current)
        self.window_box.setCurrentIndex(i if i >= 0 else 0)
        self.window_box.blockSignals(False)

    def _show_channels(self) -> None:
        if self.report is None or self.channel_topic.count() == 0:
            return
        table = self.report.table(self.channel_topic.currentData())
        headers, rows = channel_rows(table)
        self.channel_model.set_table(headers, rows, bold_last=True)
        self.channel_view.resizeColumnsToContents()
        fit_height(self.channel_view)

    # -- export ------------------------------------------------------------------------------------
    def export(self) -> None:
        from lived_experience.reporting.representativeness_pdf import export_representativeness
        from ui.tasks import run_task

        path = self.state.interaction.save_file("Export the representativeness report", "representativeness.pdf",
                                                "PDF document (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        window_id = self.window_box.currentData()

        def work(progress):
            return export_representativeness(self.state.ctx, path, window_id=window_id, progress=progress)

        run_task(self, work, label="Writing the representativeness report…",
                 on_done=lambda res: self.state.interaction.info("Report saved",
                                                                 f"The report was saved to {res.path}."),
                 on_error=self.state.interaction.error)
