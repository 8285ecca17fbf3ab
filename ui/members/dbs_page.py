"""The DBS register: only for DBS officers and administrators.

The page asks the service, which is where the permission is enforced (and a
refusal logged); the page only shows the answer. Every view is recorded in
the audit log: opening the register, and each member's record shown beside it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lived_experience.core.errors import PermissionDenied, UserError
from lived_experience.core.formatting import uk_date
from lived_experience.members import dbs as dbs_service
from lived_experience.members.service import people_to_choose
from lived_experience.security.permissions import Perm
from ui.common.section_page import SectionPage, heading
from ui.members import expenses as expenses_ui
from ui.members.dbs_dialogs import (
    CertificateDialog,
    DecisionDialog,
    RequestDialog,
    UpdateCheckDialog,
)
from ui.members.member_panel import DBS_COLUMNS
from ui.members.widgets import DBS_TONES, TableModel, ToneDelegate, button, fit, note, table_view

DETAIL_DELAY_MS = 250  # arrowing through the register opens (and audits) only the row you stop on


class DbsDetail(QWidget):
    """The selected member's DBS checks (newest first), loaded from the audited service."""

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.person: dbs_service.PersonDbs | None = None
        self.setAccessibleName("DBS record")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = note("Select a row to see that member's DBS record.", "DBS record of")
        self.model = TableModel(DBS_COLUMNS, self)
        self.view = table_view("DBS checks", "Every DBS check of the selected member, newest first", self.model)
        self.updates = note("", "Update Service checks")
        lay.addWidget(self.title)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.updates)

    def show_person(self, person_id: int | None) -> None:
        if person_id is None:
            self.person = None
            self.title.setText("Select a row to see that member's DBS record.")
            self.model.set_rows([])
            self.updates.setText("")
            return
        try:
            self.person = dbs_service.person_dbs(self.state.ctx, person_id)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        p = self.person
        self.title.setText(f"{p.name}: {p.status.label}." + (f" {p.flag}." if p.flag else ""))
        self.model.set_rows(p.checks)
        fit(self.view)
        ups = [(c, u) for c in p.checks for u in c.update_checks]
        self.updates.setText("Update Service checks: " + ("; ".join(
            f"{uk_date(u.checked_on)}: {u.result.label}, consent recorded, by {u.checked_by or 'unknown'}"
            for _c, u in ups) if ups else "none recorded") + ".")


class DbsRegisterPage(SectionPage):
    kind = "dbs"
    title = "DBS register"
    description = ("The fact and outcome of each member's DBS check: never a copy of a certificate. Disclosure "
                   "detail is removed automatically after the retention period.")

    def __init__(self, state, parent=None):
        super().__init__(state, parent, details=DbsDetail(state))
        self.splitter.setOrientation(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([420, 260])
        col = next((i for i, c in enumerate(self.list.model.visible_columns()) if c.key == "status"), None)
        if col is not None:
            self.list.table.setItemDelegateForColumn(col, ToneDelegate(DBS_TONES, self.list.table))
        self._pending: int | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DETAIL_DELAY_MS)
        self._timer.timeout.connect(lambda: self.details.show_person(self._pending))

    def on_row(self, row: dict | None) -> None:
        self._pending = row["person_id"] if row else None
        if self._pending is None or self.details.person is None:
            self.show_now()
        else:
            self._timer.start()

    def show_now(self) -> None:
        """Load the selected row's record without waiting (after an action)."""
        self._timer.stop()
        self.details.show_person(self._pending)


class DbsPage(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.register = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        try:
            rows = dbs_service.register(state.ctx)
        except PermissionDenied as exc:
            lay.addWidget(heading("DBS register", "The fact and outcome of each member's DBS check."))
            msg = QLabel(exc.message + " Coordinators see whether a member is cleared in the Members roster.")
            msg.setWordWrap(True)
            msg.setAccessibleName("Access to the DBS register")
            lay.addWidget(msg)
            lay.addStretch(1)
            return
        self.summary = note("", "DBS register summary")
        actions = QHBoxLayout()
        can_write = state.ctx.actor.can(Perm.DBS_WRITE)
        self.request_button = button("Record &request…", "Record request", "Record that a DBS check was requested "
                                     "(a new check or a renewal)", self.record_request)
        self.certificate_button = button("Record &certificate…", "Record certificate",
                                         "Record the certificate seen for the selected member's latest check",
                                         self.record_certificate)
        self.decision_button = button("Record &decision…", "Record decision", "Record the decision on the "
                                      "selected member's latest check", self.record_decision)
        self.update_button = button("&Update Service check…", "Update Service check",
                                    "Log a status check of the selected member's certificate", self.update_check)
        self.renewal_button = button("Re&newal under way", "Renewal under way", "Mark or unmark the selected "
                                     "member's renewal as under way (pauses the recheck reminder)", self.toggle_renewal)
        self.fee_button = button("Claim the &fee…", "Claim the DBS fee", "Record an expense claim for the selected "
                                 "member's certificate fee (from the fee table)", self.claim_fee)
        for b in (self.request_button, self.certificate_button, self.decision_button, self.update_button,
                  self.renewal_button, self.fee_button):
            b.setEnabled(can_write)
            actions.addWidget(b)
        actions.addStretch(1)
        self.register = DbsRegisterPage(state, self)
        self.list = self.register.list
        self.register.layout().insertWidget(1, self.summary)
        self.register.layout().insertLayout(2, actions)
        lay.addWidget(self.register)
        self._show_summary(rows)
        state.changed.connect(self._on_changed)

    # -- the register and its summary --------------------------------------------------------
    def _show_summary(self, rows: list[dbs_service.RegisterRow]) -> None:
        missing = [r.name for r in rows if r.check_id is None]
        text = "On the register: " + dbs_service.register_summary(rows) + "."
        if missing:
            text += " Current members with no DBS check: " + ", ".join(missing) + "."
        self.summary.setText(text)

    def reload(self) -> None:
        if self.register is None:
            return
        person_id = self._selected_person()
        try:
            self._show_summary(dbs_service.register(self.state.ctx))  # each view is audited
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.register.list.refresh()
        if person_id is not None and self._selected_person() != person_id:
            # The register shows each member's newest check: a new check is a new row.
            self.open_record("person", person_id)
        self.register.show_now()

    def _on_changed(self, entity: str) -> None:
        if entity in ("*", "dbs_check") and self.isVisible():
            self.reload()  # the summary (an audited view of the register)

    def showEvent(self, event):
        super().showEvent(event)
        if self.register is not None and getattr(self, "_shown_once", False):
            self.reload()
        self._shown_once = True

    def open_record(self, entity: str, entity_id: int) -> None:
        if self.register is None or not entity_id:
            return
        if entity == "dbs_check":
            self.register.list.select_id(entity_id)
            return
        model = self.register.list.model
        while True:
            for r in range(model.rowCount()):
                row = model.row_at(r)
                if row and row.get("person_id") == entity_id:
                    self.register.list.select_id(row["id"])
                    return
            if not model.canFetchMore():
                return
            model.fetchMore()

    # -- actions ---------------------------------------------------------------------------------
    def _selected_person(self) -> int | None:
        row = self.register.list.selected_row() if self.register else None
        return row["person_id"] if row else None

    def _latest(self) -> dbs_service.DbsCheckView | None:
        pid = self._selected_person()
        if pid is None:
            self.state.interaction.info("DBS register", "Select a member in the register first.")
            return None
        self.register.show_now()
        person = self.register.details.person
        if person is None or not person.checks:
            self.state.interaction.info("DBS register", "This member has no DBS check yet: record a request first.")
            return None
        return person.checks[0]

    def _changed(self, person_id: int | None) -> None:
        """After a change: every open view refreshes; the register keeps the same member selected
        (their newest check may be a new row)."""
        self.state.notify("dbs_check")
        if person_id is not None and self._selected_person() != person_id:
            self.open_record("person", person_id)
        self.register.show_now()

    def _run(self, dialog) -> bool:
        person_id = self._selected_person()
        if expenses_ui._exec(dialog):
            result = getattr(dialog, "result_value", None)
            self._changed(getattr(result, "person_id", None) or person_id)
            return True
        return False

    def record_request(self) -> None:
        try:
            choices = [(c.person_id, f"{c.name} ({c.why.lower()})") for c in people_to_choose(self.state.ctx)]
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self._run(RequestDialog(self.state, self, people=choices, person_id=self._selected_person()))

    def record_certificate(self) -> None:
        c = self._latest()
        if c is not None:
            self._run(CertificateDialog(self.state, self, check_view=c))

    def record_decision(self) -> None:
        c = self._latest()
        if c is not None:
            self._run(DecisionDialog(self.state, self, check_view=c))

    def update_check(self) -> None:
        c = self._latest()
        if c is not None:
            self._run(UpdateCheckDialog(self.state, self, check_view=c))

    def toggle_renewal(self) -> None:
        c = self._latest()
        if c is None:
            return
        person = self.register.details.person
        decided = next((x for x in person.checks if x.decision is not None), c)
        try:
            dbs_service.set_renewal(self.state.ctx, decided.id, not decided.renewal_in_progress,
                                    expected_version=decided.version)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self._changed(decided.person_id)

    def claim_fee(self) -> None:
        c = self._latest()
        if c is None:
            return
        saved = expenses_ui.open_claim_dialog(self.state, self, {
            "person_id": c.person_id, "kind": "dbs_fee", "incurred_on": c.requested_on,
            "level": c.level.value if c.level else None, "dbs_check_id": c.id,
            "description": f"{c.level.label if c.level else 'DBS'} certificate fee"})
        if saved is not None:
            self.state.interaction.info("Claim recorded", f"The fee claim was recorded: {saved.claim.status_text}.")

    def save_layout(self):
        if self.register is not None:
            self.register.save_layout()
