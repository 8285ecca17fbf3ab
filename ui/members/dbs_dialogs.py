"""Forms of the DBS register: a request, the certificate seen, the decision, an Update
Service status check. There is nowhere to attach a copy of a certificate: only the fact
and the outcome are recorded."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from db.enums import DbsDecision, DbsLevel, DbsWorkforce, UpdateServiceResult
from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date
from lived_experience.members import dbs as dbs_service
from lived_experience.settings import load as load_settings
from ui.common.forms import EnumCombo, FormDialog, UkDateEdit, check_box, line_edit, text_box


class RequestDialog(FormDialog):
    def __init__(self, state, parent=None, *, people: list[tuple[int, str]], person_id: int | None = None):
        super().__init__("Record a DBS request", parent, ok_text="Record request",
                         intro="Record that a DBS check was requested. A renewal is a new request: the current "
                               "certificate stands (and its recheck reminder pauses) until the new one is decided.")
        self.state = state
        self.who = QComboBox()
        for pid, text in people:
            self.who.addItem(text, pid)
        if person_id is not None and self.who.findData(person_id) >= 0:
            self.who.setCurrentIndex(self.who.findData(person_id))
        self.add("&Member:", self.who, "Who the check is for")
        self.requested = self.add("&Requested on:", UkDateEdit("Requested on", clock.today(), required=True))
        self.level = self.add("&Level:", EnumCombo(DbsLevel, "Level", value=DbsLevel.ENHANCED))
        self.workforce = self.add("&Workforce:", EnumCombo(DbsWorkforce, "Workforce", value=DbsWorkforce.ADULT))
        self.reference = self.add("Application &reference:", line_edit("Application reference", max_length=40,
                                                                       description="The DBS application reference"))
        self.notes = self.add("&Notes:", text_box("Notes", description="Anything to note about the request (no "
                                                                       "disclosure detail here)"))

    def save(self):
        if self.who.currentData() is None:
            raise UserError("Choose who the check is for.")
        return dbs_service.record_request(self.state.ctx, self.who.currentData(), requested_on=self.requested.date(),
                                          level=self.level.value(), workforce=self.workforce.value(),
                                          application_reference=self.reference.text(),
                                          notes=self.notes.toPlainText())


class CertificateDialog(FormDialog):
    def __init__(self, state, parent=None, *, check_view: dbs_service.DbsCheckView):
        c = check_view
        super().__init__(f"Certificate seen: {c.person_name}", parent, ok_text="Record certificate",
                         intro="Type what the certificate shows. Do not scan or copy it: only these facts are kept. "
                               "You are recorded as the person who checked it.")
        self.state = state
        self.check_view = c
        self.number = self.add("Certificate &number:", line_edit("Certificate number", c.certificate_number, max_length=20,
                                                                 description="The 12-digit certificate number"))
        self.issued = self.add("&Issue date:", UkDateEdit("Issue date", c.issue_date, required=True))
        self.level = self.add("&Level:", EnumCombo(DbsLevel, "Level", value=c.level or DbsLevel.ENHANCED))
        self.workforce = self.add("&Workforce:", EnumCombo(DbsWorkforce, "Workforce",
                                                           value=c.workforce or DbsWorkforce.ADULT))
        self.update_service = check_box("Subscribes to the &Update Service", c.update_service,
                                        "The member subscribes to the DBS Update Service")
        self.form.addRow("", self.update_service)
        self.checked = self.add("&Checked on:", UkDateEdit("Checked on", c.checked_on or clock.today(), required=True))

    def save(self):
        c = self.check_view
        return dbs_service.record_certificate(self.state.ctx, c.id, certificate_number=self.number.text(),
                                              issue_date=self.issued.date(), level=self.level.value(),
                                              workforce=self.workforce.value(),
                                              update_service=self.update_service.isChecked(),
                                              checked_on=self.checked.date(), expected_version=c.version)


class DecisionDialog(FormDialog):
    def __init__(self, state, parent=None, *, check_view: dbs_service.DbsCheckView):
        c = check_view
        days = load_settings(state.ctx).dbs_disclosure_retention_days
        super().__init__(f"DBS decision: {c.person_name}", parent, ok_text="Record decision",
                         intro="Record the decision. A short summary of any disclosure is kept; detail typed in is "
                               f"removed automatically {days} days after the decision.")
        self.state = state
        self.check_view = c
        self.decision = self.add("&Decision:", EnumCombo(DbsDecision, "Decision", value=c.decision or DbsDecision.CLEAR))
        self.decided = self.add("Decided &on:", UkDateEdit("Decided on", c.decision_on or clock.today(), required=True))
        self.summary = self.add("Disclosure &summary:", line_edit("Disclosure summary", c.disclosure_summary,
                                                                  max_length=200,
                                                                  description="One line: what was disclosed and why it "
                                                                              "was accepted or not (kept)"))
        self.detail = self.add("Disclosure d&etail:", text_box(
            "Disclosure detail", c.disclosure_detail, height=80,
            description=f"Only if needed; removed automatically {days} days after the decision"))
        if c.disclosure_remove_on:
            self.form.addRow("", self._note(f"The detail is removed automatically on {uk_date(c.disclosure_remove_on)}."))

    def _note(self, text):
        from ui.members.widgets import note

        return note(text, "When the detail is removed")

    def save(self):
        c = self.check_view
        return dbs_service.record_decision(self.state.ctx, c.id, decision=self.decision.value(),
                                           decision_on=self.decided.date(), disclosure_summary=self.summary.text(),
                                           disclosure_detail=self.detail.toPlainText(), expected_version=c.version)


class UpdateCheckDialog(FormDialog):
    def __init__(self, state, parent=None, *, check_view: dbs_service.DbsCheckView):
        c = check_view
        super().__init__(f"Update Service check: {c.person_name}", parent, ok_text="Record check",
                         intro="A status check of the certificate on the DBS Update Service. The member's consent "
                               "is needed before each check.")
        self.state = state
        self.check_view = c
        self.checked = self.add("Checked &on:", UkDateEdit("Checked on", clock.today(), required=True))
        self.consent = check_box("The member's &consent is recorded", False,
                                 "The member gave consent for this status check")
        self.form.addRow("", self.consent)
        self.result = self.add("&Result:", EnumCombo(UpdateServiceResult, "Result",
                                                     value=UpdateServiceResult.NO_NEW_INFORMATION))

    def save(self):
        return dbs_service.add_update_check(self.state.ctx, self.check_view.id, checked_on=self.checked.date(),
                                            consent_recorded=self.consent.isChecked(), result=self.result.value())
