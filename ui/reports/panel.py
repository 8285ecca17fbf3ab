"""Reports > Police and Crime Panel report: choose a period, check the figures, save the PDF."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date
from ui.common.forms import UkDateEdit, a11y
from ui.reports.tables import FiguresModel, figures_view, fit_height, fit_width


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last six whole months up to today (the Panel meets about every quarter)."""
    today = today or clock.today()
    start = (today - relativedelta(months=6)).replace(day=1)
    return start, today


class PanelReportView(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.figures = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("A report for the Police and Crime Panel, in the shape of the OPCC's Panel papers: "
                       "recruitment, membership, meetings and attendance, feedback by theme and service, "
                       "\u201cyou said, we did\u201d and DBS compliance. Counts only; nobody is named. Marked "
                       "OFFICIAL.")
        intro.setWordWrap(True)
        intro.setAccessibleName("About the Panel report")
        lay.addWidget(intro)
        start, end = default_period()
        form = QFormLayout()
        self.start_edit = UkDateEdit("Period from", start, required=True)
        self.end_edit = UkDateEdit("Period to", end, required=True)
        for edit in (self.start_edit, self.end_edit):
            edit.setMaximumWidth(edit.fontMetrics().averageCharWidth() * 18)
        form.addRow("Period &from:", self.start_edit)
        form.addRow("Period &to:", self.end_edit)
        lay.addLayout(form)
        buttons = QHBoxLayout()
        self.preview_button = a11y(QPushButton("&Show the figures"), "Show the figures",
                                   "Work out the report's figures for the period and show them here")
        self.preview_button.clicked.connect(self.preview)
        self.export_button = a11y(QPushButton("&Export PDF…"), "Export the Panel report as a PDF",
                                  "Save the Police and Crime Panel report for the period as a PDF")
        self.export_button.clicked.connect(self.export)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.model = FiguresModel(self)
        self.view = figures_view("Panel report figures", "The main figures the report will give for the period",
                                 self.model)
        self.view.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.view)
        lay.addStretch(1)

    def period(self) -> tuple[dt.date, dt.date]:
        return self.start_edit.date(), self.end_edit.date()

    def preview(self) -> None:
        from lived_experience.reporting.panel_report import gather

        try:
            start, end = self.period()
            f = gather(self.state.ctx, start, end)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.figures = f
        attended = sum(m.members_attended for m in f.meetings)
        rows = [
            ["Recruitment windows open in the period", f"{len(f.windows):,}"],
            ["Applications received", f"{f.applications_received:,}"],
            ["Terms of membership begun", f"{f.terms_started:,}"],
            [f"Active members on {uk_date(f.end)}", f"{f.members_at_end:,} of up to {f.max_members}"],
            ["Meetings held", f"{len(f.meetings):,}"],
            ["Attendances by members", f"{attended:,}"],
            ["Feedback items received", f"{f.feedback_received:,}"],
            ["With a response agreed or reported back", f"{f.feedback_responded:,}"],
            ["\u201cYou said, we did\u201d highlights", f"{len(f.highlights):,}"],
        ]
        if f.dbs_included:
            rows.append([f"Members with a cleared, in-date DBS check on {uk_date(f.end)}",
                         f"{f.dbs_cleared:,} of {f.dbs_members:,}"])
        self.model.set_table(["For " + f"{uk_date(f.start)} to {uk_date(f.end)}", "Figure"], rows)
        self.view.resizeColumnsToContents()
        fit_height(self.view)
        fit_width(self.view)

    def export(self) -> None:
        from lived_experience.reporting.panel_report import export_panel_report
        from ui.tasks import run_task

        try:
            start, end = self.period()
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        suggested = f"panel-report-{start.isoformat()}-to-{end.isoformat()}.pdf"
        path = self.state.interaction.save_file("Export the Police and Crime Panel report", suggested,
                                                "PDF document (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"

        def work(progress):
            return export_panel_report(self.state.ctx, start, end, path, progress=progress)

        run_task(self, work, label="Writing the Panel report…",
                 on_done=lambda res: self.state.interaction.info("Report saved",
                                                                 f"The Panel report was saved to {res.path}."),
                 on_error=self.state.interaction.error)
