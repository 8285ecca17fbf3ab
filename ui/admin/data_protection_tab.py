"""Admin > Data protection: subject access, erasure and the retention rules (administrators).

- Subject access: everything held about the selected person, as an Excel
  workbook and a readable PDF (both OFFICIAL-SENSITIVE).
- Erase: anonymise the selected person everywhere; the result lists the
  backups that still hold them and when those will be removed.
- Run retention now: shows what the rules would change (a dry run), then applies
  them. They also run automatically once a day.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lived_experience.core.errors import UserError
from lived_experience.retention import runner
from lived_experience.retention.erasure import erase_person
from lived_experience.retention.subject_access import subject_access
from ui.common.forms import a11y
from ui.common.section_page import SectionPage
from ui.tasks import run_task


class PeoplePage(SectionPage):
    kind = "people"
    title = "People"
    description = ("Everyone the database holds records about. Select a person for a subject access request "
                   "or to erase them.")


class DataProtectionTab(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.page = PeoplePage(state, self)
        lay.addWidget(self.page, 1)
        row = QHBoxLayout()
        self.sar_button = a11y(QPushButton("&Subject access…"), "Subject access",
                               "Export everything held about the selected person (Excel and PDF)")
        self.erase_button = a11y(QPushButton("&Erase this person…"), "Erase this person",
                                 "Anonymise the selected person everywhere; this cannot be undone")
        self.retention_button = a11y(QPushButton("Run &retention now…"), "Run retention now",
                                     "See what the retention rules would change, then apply them")
        row.addWidget(self.sar_button)
        row.addWidget(self.erase_button)
        row.addStretch(1)
        row.addWidget(self.retention_button)
        lay.addLayout(row)
        last = runner.last_run(state.ctx)
        self.last_label = QLabel(f"Retention rules last ran automatically on {last.strftime('%d/%m/%Y')}."
                                 if last else "Retention rules have not run automatically yet.")
        self.last_label.setAccessibleName("Last retention run")
        lay.addWidget(self.last_label)
        self.sar_button.clicked.connect(self.subject_access)
        self.erase_button.clicked.connect(self.erase)
        self.retention_button.clicked.connect(self.run_retention)
        self.page.on_row = self._selection  # called whenever the current row changes
        self._selection(self.page.list.selected_row())

    def _selection(self, row) -> None:
        self.sar_button.setEnabled(row is not None)
        self.erase_button.setEnabled(row is not None and not row.get("anonymised_at"))

    def subject_access(self) -> None:
        row = self.page.list.selected_row()
        if row is None:
            return
        folder = self.state.ctx.paths.reports_dir if self.state.ctx.paths else Path.home()
        path = self.state.interaction.save_file(
            "Subject access: where to save the workbook and the PDF",
            str(folder / f"subject-access-person-{row['id']}.xlsx"), "Excel workbook (*.xlsx)")
        if not path:
            return
        pid = row["id"]
        run_task(self, lambda progress: subject_access(self.state.ctx, pid, Path(path).parent, progress=progress),
                 label="Collecting everything held about this person…",
                 on_done=lambda r: (self.state.notify("audit_event"), self.state.interaction.info(
                     "Subject access", f"Saved {r.xlsx_path} and {r.pdf_path.name} (marked OFFICIAL-SENSITIVE). "
                     "Send them to the person securely.")),
                 on_error=self.state.interaction.error)

    def erase(self) -> None:
        row = self.page.list.selected_row()
        if row is None:
            return
        pid = row["id"]
        if not self.state.interaction.confirm(
                "Erase this person?",
                f"Person {pid} will be anonymised everywhere: their name, contact details, statements, notes and "
                "anything else that identifies them are removed; their equality answers are kept only as counts; "
                "their feedback becomes anonymous. Expense claims stay for the accounts without descriptions.\n\n"
                "This cannot be undone.", yes="Erase", no="Cancel"):
            return
        try:
            result = erase_person(self.state.ctx, pid)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.state.notify("*")
        self.state.interaction.info("Person erased", "\n".join(result.lines()))

    def run_retention(self) -> None:
        try:
            preview = runner.run_now(self.state.ctx, dry_run=True)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        total = sum(r.affected for r in preview)
        lines = "\n".join(f"{r.description}: {r.affected}" for r in preview)
        if not total:
            self.state.interaction.info("Retention rules", "Nothing is due under the retention rules today.\n\n"
                                        + lines)
            return
        if not self.state.interaction.confirm("Apply the retention rules?",
                                              f"These records are due:\n\n{lines}\n\nApply the rules now?",
                                              yes="Apply", no="Cancel"):
            return
        run_task(self, lambda _p: runner.run_now(self.state.ctx), label="Applying the retention rules…",
                 on_done=lambda results: (self.state.notify("*"), self.state.interaction.info(
                     "Retention rules", f"{sum(r.affected for r in results)} records changed.")),
                 on_error=self.state.interaction.error)

    def save_layout(self) -> None:
        self.page.save_layout()
