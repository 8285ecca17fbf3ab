"""One feedback item, and its "you said, we did" workflow.

The next-step list offers only the moves the service allows from the current
status; the fields each move needs are shown with it (the response, its owner
and due date; the reason when it is not actioned; when and how it was reported
back). The service checks everything again.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from db.enums import CycleStage, FeedbackStatus, Priority
from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date
from lived_experience.feedback import service as fb
from lived_experience.security.permissions import Perm
from ui.common.forms import UkDateEdit, a11y
from ui.theme import tone

S = FeedbackStatus


def _value_label(name: str) -> QLabel:
    lbl = QLabel("—")
    lbl.setWordWrap(True)
    lbl.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    a11y(lbl, name, f"{name} of the selected feedback item")
    return lbl


class FeedbackDetail(QScrollArea):
    changed = Signal(int)
    edit_requested = Signal(int)

    FIELDS = [("ref", "Reference"), ("status", "Status"), ("summary", "Summary"), ("quote", "Quote"),
              ("source", "Source"), ("meeting", "Meeting"), ("agenda", "Agenda item"), ("received", "Received"),
              ("themes", "Themes"), ("services", "Services"), ("rights", "Victims' Code rights"),
              ("cycle", "Cycle and stage"), ("priority", "Priority"), ("response", "We did"),
              ("owner", "Response owner"), ("due", "Response due"), ("reason", "Why not actioned"),
              ("reported", "Reported back"), ("decisions", "Informed decisions")]

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.ctx = state.ctx
        self.detail: fb.FeedbackDetail | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Feedback item")
        self.setAccessibleDescription("The selected feedback item and its 'you said, we did' next step")
        inner = QWidget()
        lay = QVBoxLayout(inner)
        self.empty = QLabel("Select a feedback item to see it and move it along the 'you said, we did' loop.")
        self.empty.setWordWrap(True)
        lay.addWidget(self.empty)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for key, label in self.FIELDS:
            self.values[key] = _value_label(label)
            form.addRow(f"{label}:", self.values[key])
        body.addLayout(form)
        self.reveal_button = QPushButton("Show who said this…")
        a11y(self.reveal_button, "Show who said this", "Show the member behind this anonymous feedback "
                                                        "(your viewing is recorded in the audit log)")
        self.reveal_button.clicked.connect(self._reveal)
        self.reveal_button.hide()
        row = QHBoxLayout()
        self.edit_button = QPushButton("Edit…")
        a11y(self.edit_button, "Edit feedback", "Change what was recorded for this item")
        self.edit_button.clicked.connect(lambda: self.detail and self.edit_requested.emit(self.detail.id))
        self.delete_button = QPushButton("Delete…")
        a11y(self.delete_button, "Delete feedback", "Delete this item (not possible once it informed a decision)")
        self.delete_button.clicked.connect(self._delete)
        row.addWidget(self.reveal_button)
        row.addStretch(1)
        row.addWidget(self.edit_button)
        row.addWidget(self.delete_button)
        body.addLayout(row)

        # The loop.
        self.loop = QGroupBox("You said, we did: next step")
        self.loop.setAccessibleName("Next step")
        lf = QFormLayout(self.loop)
        self.next_step = QComboBox()
        a11y(self.next_step, "Move to", "The next status: only the moves allowed from the current one")
        self.response = QPlainTextEdit()
        self.response.setTabChangesFocus(True)
        self.response.setFixedHeight(64)
        a11y(self.response, "We did", "The response: what we will do or did")
        self.owner = QComboBox()
        self.owner.setEditable(True)
        self.owner.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        a11y(self.owner, "Owner", "Who owns the response: a staff member, or type a name or role")
        a11y(self.owner.lineEdit(), "Owner", "Who owns the response: a staff member, or type a name or role")
        self.due = UkDateEdit("Response due")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(56)
        a11y(self.reason, "Reason not actioned", "Why it was not actioned: members will be told")
        self.reported_on = UkDateEdit("Reported back on")
        self.reported_how = QLineEdit()
        self.reported_how.setPlaceholderText("e.g. at the next forum; in the members' newsletter")
        a11y(self.reported_how, "How reported back", "How it was reported back to the group")
        self.move_button = QPushButton("Move")
        a11y(self.move_button, "Move to the next step", "Save the move to the chosen status")
        self.move_button.clicked.connect(self._move)
        self.save_response_button = QPushButton("Save response")
        a11y(self.save_response_button, "Save response", "Save the response, owner and due date without moving")
        self.save_response_button.clicked.connect(self._save_response)
        self.loop_error = QLabel()
        self.loop_error.setWordWrap(True)
        tone(self.loop_error, "danger")
        self.loop_error.setAccessibleName("Problem")
        self.loop_error.hide()
        self._rows = {}
        for key, label, w in (("next", "Move to", self.next_step), ("response", "We did", self.response),
                              ("owner", "Owner", self.owner), ("due", "Due", self.due),
                              ("reason", "Reason", self.reason), ("reported_on", "Reported on", self.reported_on),
                              ("reported_how", "How", self.reported_how)):
            lf.addRow(f"{label}:", w)
            self._rows[key] = w
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_response_button)
        buttons.addStretch(1)
        buttons.addWidget(self.move_button)
        lf.addRow(buttons)
        lf.addRow(self.loop_error)
        self._loop_form = lf
        self.next_step.currentIndexChanged.connect(self._step_fields)
        body.addWidget(self.loop)
        body.addStretch(1)
        lay.addWidget(self.body)
        self.body.hide()
        self.setWidget(inner)

    # -- showing ------------------------------------------------------------------------------------
    def show_item(self, feedback_id: int | None, *, reveal: bool = False) -> None:
        if feedback_id is None:
            self.detail = None
            self.body.hide()
            self.empty.show()
            return
        try:
            d = fb.get_feedback(self.ctx, feedback_id, reveal_source=reveal)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.detail = d
        self.empty.hide()
        self.body.show()
        v = self.values
        v["ref"].setText(f"F-{d.id}")
        v["status"].setText(f"{S(d.status).label} since {uk_date(d.status_changed_at)}"
                            + (f" (waiting {d.waiting_days} days)" if d.status in (S.NEW, S.UNDER_CONSIDERATION)
                               else ""))
        v["summary"].setText(d.summary)
        v["quote"].setText(f"“{d.quote}”" if d.quote else "—")
        src = d.source_label
        if d.source_hidden:
            src += ": who said it is hidden"
        v["source"].setText(src)
        v["meeting"].setText(d.meeting_title or "—")
        v["agenda"].setText(d.agenda_item_title or "—")
        v["received"].setText(uk_date(d.received_on))
        v["themes"].setText(", ".join(d.themes) or "—")
        v["services"].setText(", ".join(d.services) or "—")
        v["rights"].setText(", ".join(str(r) for r in d.rights) or "—")
        v["cycle"].setText(f"{d.cycle_name or '—'}" + (f", {CycleStage(d.cycle_stage).label} stage"
                                                       if d.cycle_stage else ""))
        v["priority"].setText(Priority(d.priority).label)
        v["response"].setText(d.response or "—")
        v["owner"].setText(d.response_owner or "—")
        v["due"].setText(uk_date(d.response_due_on) or "—")
        v["reason"].setText(d.not_actioned_reason or "—")
        v["reported"].setText(f"{uk_date(d.reported_back_on)}: {d.reported_back_how}" if d.reported_back_on else "—")
        v["decisions"].setText("; ".join(f"{uk_date(x.decided_on)} {x.summary}" for x in d.decisions) or "—")
        self.reveal_button.setVisible(d.can_reveal_source)
        writable = self.ctx.actor.can(Perm.WRITE)
        for w in (self.edit_button, self.delete_button, self.loop):
            w.setEnabled(writable)
        self._fill_loop(d)

    def _fill_loop(self, d: fb.FeedbackDetail) -> None:
        self.next_step.blockSignals(True)
        self.next_step.clear()
        for value in d.next_statuses:
            self.next_step.addItem(S(value).label, value)
        self.next_step.blockSignals(False)
        owners = fb.capture_choices(self.ctx).owners
        self.owner.clear()
        self.owner.addItem("", None)
        for c in owners:
            self.owner.addItem(c.label, c.id)
        if d.response_owner_id is not None:
            self.owner.setCurrentIndex(max(0, self.owner.findData(d.response_owner_id)))
        else:
            self.owner.setEditText(d.response_owner_name or "")
        self.response.setPlainText(d.response or "")
        due = d.response_due_on
        if due is None:
            from lived_experience.settings import load as load_settings

            due = d.received_on + dt.timedelta(days=load_settings(self.ctx).feedback_response_days)
        self.due.set_date(due)
        self.reason.setPlainText(d.not_actioned_reason or "")
        self.reported_on.set_date(d.reported_back_on or clock.today())
        self.reported_how.setText(d.reported_back_how or "")
        self.loop_error.hide()
        closed = not d.next_statuses
        self.loop.setTitle("You said, we did: the loop is closed (reported back)" if closed
                           else "You said, we did: next step")
        self.move_button.setEnabled(not closed)
        self._step_fields()

    def _step_fields(self, _i=None) -> None:
        target = self.next_step.currentData()
        show = {"next": True, "response": target in (S.RESPONSE_AGREED, S.ACTIONED) or target is None,
                "owner": target in (S.RESPONSE_AGREED, None) or target == S.UNDER_CONSIDERATION,
                "due": target in (S.RESPONSE_AGREED, None) or target == S.UNDER_CONSIDERATION,
                "reason": target == S.NOT_ACTIONED,
                "reported_on": target == S.REPORTED_BACK, "reported_how": target == S.REPORTED_BACK}
        for key, w in self._rows.items():
            self._loop_form.setRowVisible(w, show[key])

    # -- actions --------------------------------------------------------------------------------------
    def _owner(self) -> tuple[int | None, str | None]:
        text = self.owner.currentText().strip()
        i = self.owner.findText(text)
        if text and i > 0 and self.owner.itemData(i) is not None:
            return self.owner.itemData(i), None
        return None, text or None

    def _move(self) -> None:
        d = self.detail
        if d is None or self.next_step.currentData() is None:
            return
        try:
            owner_id, owner_name = self._owner()
            step = fb.StepInput(to_status=self.next_step.currentData(), response=self.response.toPlainText(),
                                owner_id=owner_id, owner_name=owner_name, due_on=self.due.date(),
                                reason=self.reason.toPlainText(), reported_on=self.reported_on.date(),
                                reported_how=self.reported_how.text())
            fb.move_feedback(self.ctx, d.id, step, d.version)
        except UserError as exc:
            self.loop_error.setText(exc.message)
            self.loop_error.show()
            return
        self.state.notify("feedback_item")
        self.changed.emit(d.id)
        self.show_item(d.id)

    def _save_response(self) -> None:
        d = self.detail
        if d is None:
            return
        try:
            owner_id, owner_name = self._owner()
            fb.update_response(self.ctx, d.id, d.version, response=self.response.toPlainText(), owner_id=owner_id,
                               owner_name=owner_name, due_on=self.due.date())
        except UserError as exc:
            self.loop_error.setText(exc.message)
            self.loop_error.show()
            return
        self.state.notify("feedback_item")
        self.changed.emit(d.id)
        self.show_item(d.id)

    def _reveal(self) -> None:
        if self.detail is not None:
            self.show_item(self.detail.id, reveal=True)

    def _delete(self) -> None:
        d = self.detail
        if d is None:
            return
        if not self.state.interaction.confirm("Delete feedback", f"Delete F-{d.id}, '{d.summary}'? This cannot be "
                                              "undone.", yes="Delete", no="Keep"):
            return
        try:
            fb.delete_feedback(self.ctx, d.id, d.version)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.state.notify("feedback_item")
        self.show_item(None)
