"""Capturing feedback, fast, by keyboard alone.

Tab order: quote -> summary -> source -> meeting -> agenda item -> themes ->
services -> rights -> cycle -> stage -> priority, then who it came from,
"quote anonymously" and the date received. Ctrl+Enter saves the item and
clears the form for the next one, keeping the source, meeting, agenda item and
date (the usual case: several points from one meeting), and the member when the
source is a member; the cursor goes back to the quote. Escape closes.

In edit mode (one existing item) Ctrl+Enter or Save saves and closes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.enums import CycleStage, FeedbackSource, Priority
from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.feedback import service as fb
from ui.common.forms import EnumCombo, UkDateEdit, a11y
from ui.feedback.widgets import CheckList, ChoiceCombo
from ui.theme import tone


class _CtrlEnter(QObject):
    """Ctrl+Enter anywhere in the form saves, even inside the multi-line quote."""

    def __init__(self, dialog: CaptureDialog):
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.dialog.save_and_next()
            return True
        return False


class CaptureDialog(QDialog):
    saved = Signal(int)  # the feedback id

    def __init__(self, state, parent=None, *, feedback_id: int | None = None, meeting_id: int | None = None):
        super().__init__(parent)
        self.state = state
        self.ctx = state.ctx
        self.feedback_id = feedback_id
        self.version: int | None = None
        self.saved_ids: list[int] = []
        title = "Edit feedback" if feedback_id else "Capture feedback"
        self.setWindowTitle(title)
        a11y(self, title, "Record what was said: Ctrl+Enter saves" + ("" if feedback_id else " and starts the next"))
        self.choices = fb.capture_choices(self.ctx)

        self.quote = QPlainTextEdit()
        self.quote.setTabChangesFocus(True)
        self.quote.setPlaceholderText("The words as said (optional)")
        self.quote.setFixedHeight(70)
        a11y(self.quote, "Quote", "The member's words as said; Tab moves on")
        self.summary = QLineEdit()
        self.summary.setMaxLength(fb.SUMMARY_MAX)
        self.summary.setPlaceholderText("A short summary in your words (needed)")
        a11y(self.summary, "Summary", "A short summary of the point, needed")
        self.source = EnumCombo(FeedbackSource, "Source")
        self.source.setAccessibleDescription("Where it came from: a meeting, a member, a written submission, "
                                             "a stakeholder, or anonymous")
        self.meeting = ChoiceCombo("Meeting", [(c.id, c.label) for c in self.choices.meetings],
                                   description="The meeting it was said at")
        self.agenda = ChoiceCombo("Agenda item", [], description="The agenda item it was said under")
        self.themes = CheckList("Themes", [(c.id, c.label) for c in self.choices.themes])
        self.services = CheckList("Services", [(c.id, c.label) for c in self.choices.services], rows=4)
        self.rights = CheckList("Victims' Code rights", [(c.id, c.label) for c in self.choices.rights], rows=4)
        self.cycle = ChoiceCombo("Commissioning cycle", [(c.id, c.label) for c in self.choices.cycles],
                                 description="The commissioning cycle this should inform")
        self.stage = EnumCombo(CycleStage, "Stage", empty="(none)")
        self.stage.setAccessibleDescription("The stage of the cycle this should inform")
        self.priority = EnumCombo(Priority, "Priority", value=Priority.MEDIUM)
        self.member = ChoiceCombo("Member", [(c.id, c.label) for c in self.choices.members],
                                  description="The member it came from, if any")
        self.contact = ChoiceCombo("Stakeholder contact", [(c.id, c.label) for c in self.choices.contacts],
                                   description="The stakeholder contact it came from, if any")
        self.anonymous = QCheckBox("Quote anonymously")
        a11y(self.anonymous, "Quote anonymously", "The member asked not to be named: their name is kept but "
                                                  "hidden, and never appears in any list, export or PDF")
        self.received = UkDateEdit("Date received", clock.today(), required=True)
        self.hidden_note = QLabel()
        self.hidden_note.setWordWrap(True)
        self.hidden_note.hide()

        form_left = QFormLayout()
        form_left.addRow("&Quote:", self.quote)
        form_left.addRow("S&ummary:", self.summary)
        form_left.addRow("Sou&rce:", self.source)
        form_left.addRow("&Meeting:", self.meeting)
        form_left.addRow("A&genda item:", self.agenda)
        form_left.addRow("&Themes:", self.themes)
        form_right = QFormLayout()
        form_right.addRow("Ser&vices:", self.services)
        form_right.addRow("R&ights:", self.rights)
        form_right.addRow("C&ycle:", self.cycle)
        form_right.addRow("St&age:", self.stage)
        form_right.addRow("&Priority:", self.priority)
        form_right.addRow("Mem&ber:", self.member)
        form_right.addRow("Stakeholder &contact:", self.contact)
        form_right.addRow("", self.anonymous)
        form_right.addRow("", self.hidden_note)
        form_right.addRow("&Date received:", self.received)
        grid = QGridLayout()
        left, right = QWidget(), QWidget()
        left.setLayout(form_left)
        right.setLayout(form_right)
        grid.addWidget(left, 0, 0)
        grid.addWidget(right, 0, 1)

        self.error_label = QLabel()
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        tone(self.error_label, "danger")
        self.error_label.setAccessibleName("Problem")
        self.error_label.hide()
        self.status_label = QLabel("Ctrl+Enter saves" + ("." if feedback_id else " and clears the form for the next "
                                                                               "point. Esc closes."))
        self.status_label.setAccessibleName("Status")
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton("Save" if feedback_id else "Save and next (Ctrl+Enter)")
        a11y(self.save_button, "Save" if feedback_id else "Save and next",
             "Save this feedback" + ("" if feedback_id else " and clear the form for the next point"))
        self.save_button.clicked.connect(self.save_and_next)
        self.close_button = QPushButton("Close")
        a11y(self.close_button, "Close", "Close the form (anything not saved is lost)")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addWidget(self.error_label)
        lay.addLayout(buttons)

        order = [self.quote, self.summary, self.source, self.meeting, self.agenda, self.themes.list,
                 self.services.list, self.rights.list, self.cycle, self.stage, self.priority, self.member,
                 self.contact, self.anonymous, self.received, self.save_button, self.close_button]
        for a, b in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self.tab_chain = order
        self._ctrl_enter = _CtrlEnter(self)
        for w in order + [self]:
            w.installEventFilter(self._ctrl_enter)

        self.meeting.currentIndexChanged.connect(self._meeting_changed)
        self.source.currentIndexChanged.connect(self._source_changed)
        self.cycle.currentIndexChanged.connect(self._cycle_changed)
        if feedback_id:
            self._load(feedback_id)
        else:
            if meeting_id is not None:
                self.source.set_value(FeedbackSource.MEETING)
                self.meeting.set_value(meeting_id)
            self._source_changed()
        self.resize(980, 620)
        self.quote.setFocus()

    # -- reactions ---------------------------------------------------------------------------------
    def _meeting_changed(self, _i=None) -> None:
        mid = self.meeting.value()
        items = fb.agenda_choices(self.ctx, mid) if mid else []
        self.agenda.set_choices([(c.id, c.label) for c in items])
        if mid and not self.feedback_id:
            day = fb.meeting_date(self.ctx, mid)
            if day and day <= clock.today():
                self.received.set_date(day)

    def _source_changed(self, _i=None) -> None:
        src = self.source.value()
        if src == FeedbackSource.ANONYMOUS.value:
            self.anonymous.setChecked(True)
        self.contact.setEnabled(src == FeedbackSource.STAKEHOLDER.value or self.contact.value() is not None)

    def _cycle_changed(self, _i=None) -> None:
        cid = self.cycle.value()
        cycle = next((c for c in self.choices.cycles if c.id == cid), None)
        if cycle is not None and cycle.extra not in self.services.checked_ids():
            self.services.set_checked(self.services.checked_ids() + [cycle.extra])

    # -- load and save ----------------------------------------------------------------------------
    def _load(self, feedback_id: int) -> None:
        d = fb.get_feedback(self.ctx, feedback_id)
        self.version = d.version
        self.quote.setPlainText(d.quote or "")
        self.summary.setText(d.summary)
        self.source.set_value(d.source_kind)
        self.meeting.set_value(d.meeting_id)
        self._meeting_changed()
        self.agenda.set_value(d.agenda_item_id)
        if any(t not in [c.id for c in self.choices.themes] for t in d.theme_ids):
            # A theme no longer in use stays on the item that has it.
            extra = [(tid, f"{name} (no longer in use)") for tid, name in zip(d.theme_ids, d.themes, strict=True)
                     if tid not in [c.id for c in self.choices.themes]]
            self.themes.set_choices([(c.id, c.label) for c in self.choices.themes] + extra)
        self.themes.set_checked(d.theme_ids)
        self.services.set_checked(d.service_ids)
        self.rights.set_checked(d.rights)
        self.cycle.blockSignals(True)
        self.cycle.set_value(d.cycle_id)
        self.cycle.blockSignals(False)
        self.stage.set_value(d.cycle_stage)
        self.priority.set_value(d.priority)
        self.member.set_value(d.person_id)
        self.contact.set_value(d.contact_id)
        self.anonymous.setChecked(d.anonymous)
        self.received.set_date(d.received_on)
        if d.source_hidden:
            # The link is kept by the service; this form cannot see or change it.
            self.member.setEnabled(False)
            self.contact.setEnabled(False)
            self.anonymous.setEnabled(False)
            self.hidden_note.setText("Given anonymously: who said it is hidden from your role and is kept as it is.")
            self.hidden_note.show()

    def input(self) -> fb.FeedbackInput:
        return fb.FeedbackInput(
            summary=self.summary.text(), quote=self.quote.toPlainText(), source_kind=self.source.value(),
            received_on=self.received.date(), meeting_id=self.meeting.value(), agenda_item_id=self.agenda.value(),
            person_id=self.member.value(), contact_id=self.contact.value(), anonymous=self.anonymous.isChecked(),
            theme_ids=self.themes.checked_ids(), service_ids=self.services.checked_ids(),
            rights=self.rights.checked_ids(), cycle_id=self.cycle.value(), cycle_stage=self.stage.value(),
            priority=self.priority.value(),
        )

    def save_and_next(self) -> None:
        try:
            data = self.input()
            if self.feedback_id:
                fb.update_feedback(self.ctx, self.feedback_id, data, self.version)
                saved = self.feedback_id
            else:
                saved = fb.create_feedback(self.ctx, data)
        except UserError as exc:
            self.error_label.setText(exc.message)
            self.error_label.show()
            return
        self.error_label.hide()
        self.saved_ids.append(saved)
        self.state.notify("feedback_item")
        self.saved.emit(saved)
        if self.feedback_id:
            self.accept()
            return
        self.status_label.setText(f"Saved F-{saved} ({len(self.saved_ids)} this session). Next point: "
                                  "Ctrl+Enter saves, Esc closes.")
        self._clear_for_next()

    def _clear_for_next(self) -> None:
        """Keep the context (source, meeting, agenda item, date, cycle); clear the point itself.

        When the source is a member, the next point is usually that member's too (a
        written list of points, say): the member and "quote anonymously" stay, and the
        status line says so. At a meeting the next point may be anyone's: the member is
        cleared, so no point is put in someone's name by mistake."""
        self.quote.clear()
        self.summary.clear()
        self.themes.clear_checks()
        self.rights.clear_checks()
        self.priority.set_value(Priority.MEDIUM)
        source = self.source.value()
        if source == FeedbackSource.MEMBER.value and self.member.value() is not None:
            how = " (quoted anonymously)" if self.anonymous.isChecked() else ""
            self.status_label.setText(self.status_label.text() + f" Still from {self.member.currentText()}{how}.")
        else:
            if source != FeedbackSource.ANONYMOUS.value:
                self.anonymous.setChecked(False)
            self.member.set_value(None)
        self.quote.setFocus()
