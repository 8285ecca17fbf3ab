"""Expenses: the claims list with its actions, the claim form and the finance export.

``open_claim_dialog(state, parent, prefill)`` is how other sections start a claim
(the meetings section pre-fills a mileage claim from attendance).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from db.enums import DbsLevel, ExpenseKind, ExpenseStatus
from lived_experience.core import clock
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import parse_pounds, pounds, uk_date
from lived_experience.members import contact as contact_service
from lived_experience.members import expenses as service
from lived_experience.members.service import people_to_choose
from ui.common.forms import EnumCombo, FormDialog, UkDateEdit, line_edit
from ui.common.list_page import ListPage
from ui.members.dialogs import spin
from ui.members.widgets import EXPENSE_TONES, ToneDelegate, button, note
from ui.tasks import run_task
from ui.theme import tone


def _exec(dialog) -> bool:
    """Run a dialog modally (tests replace this to fill the form in and press OK)."""
    return bool(dialog.exec())


class ClaimDialog(FormDialog):
    """A new claim, or a change to a submitted one. Mileage is worked out, not typed."""

    def __init__(self, state, parent=None, *, prefill: dict | None = None, claim: service.ClaimView | None = None):
        super().__init__("Change expense claim" if claim else "New expense claim", parent,
                         ok_text="Save claim",
                         intro="Money is in pounds and pence. Mileage uses the HMRC approved rates in the office "
                               "settings, counting the miles already claimed this tax year (6 April to 5 April).")
        self.state = state
        self.claim = claim
        prefill = dict(prefill or {})
        self.meeting_id = claim.meeting_id if claim else prefill.get("meeting_id")
        self.dbs_check_id = claim.dbs_check_id if claim else prefill.get("dbs_check_id")
        self.who = QComboBox()
        person_id = claim.person_id if claim else prefill.get("person_id")
        for c in people_to_choose(state.ctx):
            self.who.addItem(f"{c.name} ({c.why.lower()})", c.person_id)
        if person_id is not None and self.who.findData(person_id) < 0:
            self.who.addItem(f"Person {person_id}", person_id)
        self.who.setCurrentIndex(max(0, self.who.findData(person_id)) if person_id is not None else 0)
        self.who.setEnabled(claim is None)
        self.add("&Claimant:", self.who, "Who the claim is for")
        kind = claim.kind.value if claim else prefill.get("kind", ExpenseKind.MILEAGE.value)
        self.kind = self.add("&Kind:", EnumCombo(ExpenseKind, "Kind of expense", value=kind))
        self.incurred = self.add("&Date:", UkDateEdit("Date incurred", claim.incurred_on if claim
                                                      else prefill.get("incurred_on") or clock.today(), required=True))
        self.description = self.add("D&escription:", line_edit("Description", claim.description if claim
                                                               else prefill.get("description"), max_length=300))
        self.miles = self.add("&Miles:", line_edit("Miles", service.miles_text(claim.miles_tenths) if claim else
                                                  prefill.get("miles"), max_length=10,
                                                  description="Miles travelled, to one decimal place"))
        self.passengers = self.add("&Passengers:", spin(
            "Passengers", 0, service.MAX_PASSENGERS, int((claim.passengers if claim else prefill.get("passengers")) or 0),
            "Passengers carried on the journey (5p a mile each)"))
        self.level = self.add("DBS &level:", EnumCombo(DbsLevel, "DBS level", value=prefill.get("level"),
                                                      empty="(choose to fill in the fee)"))
        self.amount = self.add("&Amount (£):", QLineEdit(pounds(claim.amount_pence) if claim and
                                                         claim.kind is not ExpenseKind.MILEAGE else ""),
                               "The amount in pounds, for example 12.50")
        self.preview = note("", "Amount worked out")
        self.form.addRow("Amount due:", self.preview)
        self.warning = note(service.INVOLVEMENT_WARNING, "Warning about involvement payments")
        tone(self.warning, "caution")
        self.form.addRow("", self.warning)
        self.quiet_note = note("", "Quiet period")
        tone(self.quiet_note, "danger")
        self.form.addRow("", self.quiet_note)
        if prefill.get("miles_source"):
            self.miles.setToolTip(prefill["miles_source"])
            self.form.addRow("", note(prefill["miles_source"], "Where the miles came from"))
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.level.currentIndexChanged.connect(lambda _i: self._level_changed())
        for w in (self.miles, self.incurred):
            w.textChanged.connect(lambda _t: self._update_preview())
        self.passengers.valueChanged.connect(lambda _v: self._update_preview())
        self.who.currentIndexChanged.connect(lambda _i: self._update_preview())
        self.who.currentIndexChanged.connect(lambda _i: self._update_quiet())
        self._kind_changed()
        self._update_quiet()
        if claim is None and prefill.get("amount_pence") is not None:
            self.amount.setText(pounds(prefill["amount_pence"]).replace("£", ""))
        elif claim is None and prefill.get("level"):
            self._level_changed()

    def kind_value(self) -> ExpenseKind:
        return ExpenseKind(self.kind.value())

    def _kind_changed(self) -> None:
        k = self.kind_value()
        mileage = k is ExpenseKind.MILEAGE
        for w in (self.miles, self.passengers):
            w.setEnabled(mileage)
        self.amount.setEnabled(not mileage)
        self.level.setEnabled(k is ExpenseKind.DBS_FEE)
        self.warning.setVisible(k is ExpenseKind.INVOLVEMENT_PAYMENT)
        self._update_preview()

    def _update_quiet(self) -> None:
        """Say so when the claimant must not be contacted now (the claim itself can still be recorded)."""
        try:
            hold = contact_service.quiet_hold(self.state.ctx, self.who.currentData())
        except UserError:
            hold = None
        self.quiet_note.setText(contact_service.quiet_warning(hold, "anything about this claim") if hold else "")
        self.quiet_note.setVisible(hold is not None)

    def _level_changed(self) -> None:
        if self.kind_value() is ExpenseKind.DBS_FEE and self.level.value():
            self.amount.setText(pounds(service.dbs_fee_default(self.state.ctx, self.level.value()))
                                .replace("£", ""))

    def _update_preview(self) -> None:
        if self.kind_value() is not ExpenseKind.MILEAGE:
            self.preview.setText("As typed above.")
            return
        try:
            tenths = service.parse_miles(self.miles.text())
            quote = service.quote_mileage(self.state.ctx, self.who.currentData(), self.incurred.date(), tenths,
                                          self.passengers.value(), claim_id=self.claim.id if self.claim else None)
        except UserError:
            self.preview.setText("Type the miles and the date to see the amount.")
            return
        self.preview.setText(quote.explanation)

    def _amount(self) -> int | None:
        raw = self.amount.text().strip()
        if not raw:
            return None
        try:
            return parse_pounds(raw)
        except ValueError as exc:
            raise ValidationError(f"Amount: {exc}.") from None

    def save(self):
        k = self.kind_value()
        if self.who.currentData() is None:
            raise UserError("Choose who the claim is for.")
        if k is ExpenseKind.INVOLVEMENT_PAYMENT and not self.state.interaction.confirm(
                "Involvement payment", service.INVOLVEMENT_WARNING + "\n\nRecord this involvement payment?",
                yes="Record it", no="Go back"):
            raise UserError("Not saved: the involvement payment was not confirmed.")
        args = dict(kind=k.value, incurred_on=self.incurred.date(), description=self.description.text(),
                    amount_pence=None if k is ExpenseKind.MILEAGE else self._amount(),
                    miles_tenths=service.parse_miles(self.miles.text()) if k is ExpenseKind.MILEAGE else None,
                    passengers=self.passengers.value() if k is ExpenseKind.MILEAGE else None,
                    meeting_id=self.meeting_id, dbs_check_id=self.dbs_check_id,
                    level=self.level.value() if k is ExpenseKind.DBS_FEE else None)
        if self.claim:
            return service.update_claim(self.state.ctx, self.claim.id, expected_version=self.claim.version, **args)
        return service.submit_claim(self.state.ctx, person_id=self.who.currentData(), **args)


def open_claim_dialog(state, parent, prefill: dict | None = None):
    """Start a claim, optionally pre-filled (keys: person_id, meeting_id, incurred_on, description, kind,
    miles, passengers, level). Returns the saved claim (``SavedClaim``) or None when cancelled."""
    dlg = ClaimDialog(state, parent, prefill=prefill)
    if not _exec(dlg):
        return None
    state.notify("expense_claim")
    saved = dlg.result_value
    _tell_quiet(state, getattr(saved, "claim", None))
    return saved


def _tell_quiet(state, claim) -> None:
    """After a claim is saved, approved, paid or rejected: remind the user not to contact a
    claimant who is in a quiet period."""
    if claim is not None and claim.contact_note:
        state.interaction.warn("Quiet period", claim.contact_note)


class ReasonDialog(FormDialog):
    def __init__(self, parent, title: str, label: str, description: str, *, ok_text: str, on_save):
        super().__init__(title, parent, ok_text=ok_text, on_save=lambda: on_save(self.text.text()))
        self.text = self.add(f"&{label}:", line_edit(label, description=description, max_length=300))


class DateDialog(FormDialog):
    def __init__(self, parent, title: str, label: str, *, ok_text: str, on_save, value: dt.date | None = None):
        super().__init__(title, parent, ok_text=ok_text, on_save=lambda: on_save(self.date.date()))
        self.date = self.add(f"&{label}:", UkDateEdit(label, value or clock.today(), required=True))


class ExpensesPage(QWidget):
    """Every claim, with its actions; the period picks what the totals and the finance export cover."""

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        self.new_button = button("&New claim…", "New claim", "Record a new expense claim", self.new_claim)
        self.edit_button = button("&Change…", "Change claim", "Change the selected claim (while submitted)",
                                  self.edit_claim)
        self.approve_button = button("A&pprove", "Approve", "Approve the selected submitted claim", self.approve)
        self.paid_button = button("Mark pai&d…", "Mark paid", "Record the date the selected claim was paid",
                                  self.mark_paid)
        self.reject_button = button("Re&ject…", "Reject", "Reject the selected claim, saying why", self.reject)
        for b in (self.new_button, self.edit_button, self.approve_button, self.paid_button, self.reject_button):
            actions.addWidget(b)
        actions.addStretch(1)
        lay.addLayout(actions)

        period = QHBoxLayout()
        period.addWidget(QLabel("Period (date incurred) from"))
        self.from_date = UkDateEdit("Period from", None)
        self.to_date = UkDateEdit("Period to", None)
        period.addWidget(self.from_date)
        period.addWidget(QLabel("to"))
        period.addWidget(self.to_date)
        self.tax_year_button = button("This &tax year", "This tax year", "Set the period to the current tax year "
                                      "(6 April to 5 April)", self.this_tax_year)
        self.apply_button = button("&Show", "Show period", "Show the claims and totals for this period",
                                   self.apply_period)
        self.export_button = button("Export for &finance…", "Export for finance",
                                    "Save the claims in the period, with totals, as an Excel workbook for finance",
                                    self.export_finance)
        for w in (self.tax_year_button, self.apply_button, self.export_button):
            period.addWidget(w)
        period.addStretch(1)
        lay.addLayout(period)
        self.totals_label = note("", "Totals for the period")
        lay.addWidget(self.totals_label)

        self.list = ListPage(state, "expenses", self)
        col = next((i for i, c in enumerate(self.list.model.visible_columns()) if c.key == "status"), None)
        if col is not None:
            self.list.table.setItemDelegateForColumn(col, ToneDelegate(EXPENSE_TONES, self.list.table))
        lay.addWidget(self.list, 1)
        self.list.activated.connect(lambda _row: self.edit_claim())
        self.list.selection_changed.connect(lambda _r: self._enable())
        self.list.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.list.model.modelReset.connect(self._reconnect)
        state.changed.connect(lambda e: self.update_totals() if e in ("expense_claim", "*") else None)
        self._enable()
        self.update_totals()

    def _reconnect(self) -> None:
        self.list.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self._enable()

    # -- selection -------------------------------------------------------------------------
    def selected(self) -> dict | None:
        return self.list.selected_row()

    def _enable(self) -> None:
        row = self.selected()
        status = row.get("status") if row else None
        self.edit_button.setEnabled(status == ExpenseStatus.SUBMITTED.value)
        self.approve_button.setEnabled(status == ExpenseStatus.SUBMITTED.value)
        self.paid_button.setEnabled(status == ExpenseStatus.APPROVED.value)
        self.reject_button.setEnabled(status in (ExpenseStatus.SUBMITTED.value, ExpenseStatus.APPROVED.value))

    def select_claim(self, claim_id: int) -> bool:
        return self.list.select_id(claim_id)

    # -- period and totals -------------------------------------------------------------------
    def period(self) -> tuple[dt.date | None, dt.date | None]:
        return self.from_date.date(), self.to_date.date()

    def this_tax_year(self) -> None:
        start, end = service.tax_year(clock.today())
        self.from_date.set_date(start)
        self.to_date.set_date(end)
        self.apply_period()

    def apply_period(self) -> None:
        try:
            start, end = self.period()
            self.list.set_filter("from", start.isoformat() if start else None)
            self.list.set_filter("to", end.isoformat() if end else None)
            self.update_totals()
        except UserError as exc:
            self.state.interaction.error(exc)

    def update_totals(self) -> None:
        try:
            start, end = self.period()
            t = service.totals(self.state.ctx, start=start, end=end)
        except UserError as exc:
            self.totals_label.setText(exc.message)
            return
        span = (f"{uk_date(start) or 'the first claim'} to {uk_date(end) or 'today'}" if start or end
                else "all claims")
        top = ", ".join(f"{x.label} {pounds(x.total_pence)}" for x in t.by_person[:3])
        self.totals_label.setText(
            f"Totals for {span}: {pounds(t.overall.total_pence)} in {t.overall.claims} claims "
            f"({pounds(t.overall.submitted_pence)} submitted, {pounds(t.overall.approved_pence)} approved, "
            f"{pounds(t.overall.paid_pence)} paid; {t.rejected} rejected left out)."
            + (f" Most claimed: {top}." if top else ""))

    # -- actions -----------------------------------------------------------------------------------
    def _claim(self) -> service.ClaimView | None:
        row = self.selected()
        if row is None:
            self.state.interaction.info("Expenses", "Select a claim first.")
            return None
        return service.get_claim(self.state.ctx, row["id"])

    def _after(self, claim_id: int | None = None) -> None:
        self.state.notify("expense_claim")
        if claim_id is not None:
            self.select_claim(claim_id)

    def new_claim(self, prefill: dict | None = None) -> None:
        saved = open_claim_dialog(self.state, self, prefill if isinstance(prefill, dict) else None)
        if saved is not None:
            self._after(saved.claim.id)

    def edit_claim(self) -> None:
        try:
            claim = self._claim()
            if claim is None:
                return
            if claim.status is not ExpenseStatus.SUBMITTED:
                raise UserError(f"This claim is {claim.status.label.lower()}: only a submitted claim can be changed.")
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        dlg = ClaimDialog(self.state, self, claim=claim)
        if _exec(dlg):
            self._after(claim.id)

    def approve(self) -> None:
        try:
            claim = self._claim()
            if claim is None:
                return
            approved = service.approve(self.state.ctx, claim.id, expected_version=claim.version)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self._after(claim.id)
        _tell_quiet(self.state, approved)

    def mark_paid(self) -> None:
        try:
            claim = self._claim()
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        if claim is None:
            return
        dlg = DateDialog(self, "Mark claim paid", "Paid on", ok_text="Mark paid",
                         on_save=lambda day: service.mark_paid(self.state.ctx, claim.id, day,
                                                               expected_version=claim.version))
        if _exec(dlg):
            self._after(claim.id)
            _tell_quiet(self.state, dlg.result_value)

    def reject(self) -> None:
        try:
            claim = self._claim()
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        if claim is None:
            return
        dlg = ReasonDialog(self, "Reject claim", "Reason", "Why the claim is rejected (the claimant is told)",
                           ok_text="Reject claim",
                           on_save=lambda text: service.reject(self.state.ctx, claim.id, text,
                                                               expected_version=claim.version))
        if _exec(dlg):
            self._after(claim.id)
            _tell_quiet(self.state, dlg.result_value)

    def export_finance(self) -> None:
        try:
            start, end = self.period()
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        suggested = f"expenses-{(start or clock.today()).isoformat()}.xlsx"
        path = self.state.interaction.save_file("Export expenses for finance", suggested, "Excel workbook (*.xlsx)")
        if not path:
            return

        def work(progress):
            return service.export_finance(self.state.ctx, path, start=start, end=end, progress=progress)

        run_task(self, work, label="Exporting expenses for finance…",
                 on_done=lambda res: self.state.interaction.info(
                     "Export finished", f"{res.rows:,} claims ({pounds(res.total_pence)} not rejected) saved to "
                                        f"{res.path}."),
                 on_error=self.state.interaction.error)

    def save_layout(self) -> None:
        self.list.save_layout()

