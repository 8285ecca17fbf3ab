"""Dialogs for recruitment windows: new/edit, close early, and the assessment rubric."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.enums import Channel
from lived_experience.core import clock
from lived_experience.core.formatting import uk_date
from lived_experience.recruitment import assessment as rubric
from lived_experience.recruitment import windows as service
from ui.common.forms import FormDialog, UkDateEdit, a11y
from ui.recruitment.common import name_inner_widgets


class WindowDialog(FormDialog):
    """New window… and Edit…: every field of a window; the service checks the rules."""

    def __init__(self, state, parent=None, *, detail: service.WindowDetail | None = None):
        title = f"Edit {detail.name}" if detail else "New recruitment window"
        super().__init__(title, parent, intro="Windows are advertised openly. The group has at most ten members, "
                                             "so a window offers from 1 to 10 places. Ctrl+Enter saves.")
        self.state = state
        self.detail = detail
        form = detail.to_form() if detail else service.WindowForm(
            "", clock.today(), clock.today() + dt.timedelta(days=28))
        self.name = self.add("&Name:", QLineEdit(form.name), "The window's name, e.g. 'Refresh 2027'")
        self.name.setMaxLength(120)
        self.opens = self.add("&Opens on:", UkDateEdit("Opens on", form.opens_on, required=True))
        self.closes = self.add("&Closes on:", UkDateEdit("Closes on", form.closes_on, required=True))
        self.places = QSpinBox()
        # The range is wider than the rule on purpose: the service says why 11 is refused.
        self.places.setRange(0, 99)
        self.places.setValue(form.places)
        self.add("&Places:", self.places, "How many places the window offers, from 1 to 10")

        methods = QWidget()
        ml = QHBoxLayout(methods)
        ml.setContentsMargins(0, 0, 0, 0)
        self.interview = a11y(QCheckBox("&Interview"), "Select by interview", "Applicants can be interviewed")
        self.video = a11y(QCheckBox("&Video submission"), "Select by video submission",
                          "Applicants can send a short video instead")
        self.interview.setChecked(form.selection_interview)
        self.video.setChecked(form.selection_video)
        ml.addWidget(self.interview)
        ml.addWidget(self.video)
        ml.addStretch(1)
        self.form.addRow("Selection by:", methods)

        chans = QWidget()
        grid = QGridLayout(chans)
        grid.setContentsMargins(0, 0, 0, 0)
        chosen = {e.channel: e.other_text for e in form.channels}
        self.channel_boxes: dict[Channel, QCheckBox] = {}
        for i, ch in enumerate(service.ADVERT_CHANNELS):
            box = a11y(QCheckBox(ch.label), f"Advertised on {ch.label}", f"Tick if the window was advertised on "
                       f"{ch.label}")
            box.setChecked(ch in chosen)
            self.channel_boxes[ch] = box
            grid.addWidget(box, i // 2, i % 2)
        self.other_text = a11y(QLineEdit(chosen.get(Channel.OTHER) or ""), "Other channel",
                               "What the other channel was, for example community radio")
        self.other_text.setPlaceholderText("Other channel, e.g. community radio")
        self.other_text.setMaxLength(200)
        grid.addWidget(self.other_text, (len(service.ADVERT_CHANNELS) + 1) // 2, 0, 1, 2)
        self.other_text.setEnabled(self.channel_boxes[Channel.OTHER].isChecked())
        self.channel_boxes[Channel.OTHER].toggled.connect(self.other_text.setEnabled)
        self.form.addRow("Advertised on:", chans)

        self.term = self.add("&Term starts on:", UkDateEdit("Term starts on", form.term_starts_on))
        self.term.setToolTip("The date the membership terms of this cohort start (18 months each)")
        self.advert = QPlainTextEdit(form.advert_text or "")
        self.advert.setTabChangesFocus(True)
        self.advert.setMinimumHeight(80)
        self.add("&Advert text:", self.advert, "The text of the advert")
        self.notes = QPlainTextEdit(form.notes or "")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(60)
        self.add("N&otes:", self.notes, "Notes for staff")
        name_inner_widgets(self)
        self.resize(560, 640)

    def values(self) -> service.WindowForm:
        channels = [service.ChannelEntry(ch, self.other_text.text() if ch is Channel.OTHER else None)
                    for ch, box in self.channel_boxes.items() if box.isChecked()]
        return service.WindowForm(
            name=self.name.text(), opens_on=self.opens.date(), closes_on=self.closes.date(),
            places=self.places.value(), selection_interview=self.interview.isChecked(),
            selection_video=self.video.isChecked(), channels=channels, advert_text=self.advert.toPlainText(),
            term_starts_on=self.term.date(), notes=self.notes.toPlainText(),
            previous_window_id=self.detail.previous_window_id if self.detail else None)

    def save(self):
        form = self.values()
        if self.detail is None:
            return service.create_window(self.state.ctx, form)
        return service.update_window(self.state.ctx, self.detail.id, form, expected_version=self.detail.version)


class CloseEarlyDialog(FormDialog):
    def __init__(self, state, detail: service.WindowDetail, parent=None):
        super().__init__(f"Close {detail.name} early", parent, ok_text="Close early",
                         intro=f"The window was due to close on {uk_date(detail.closes_on)}. From the date below it "
                               "takes no more applications (late ones can still be added by hand).")
        self.state = state
        self.detail = detail
        self.on = self.add("&Close from:", UkDateEdit("Close from", clock.today(), required=True))

    def save(self):
        return service.close_early(self.state.ctx, self.detail.id, on=self.on.date(),
                                   expected_version=self.detail.version)


class CriterionDialog(FormDialog):
    def __init__(self, state, parent=None, *, criterion: rubric.Criterion | None = None):
        super().__init__("Edit criterion" if criterion else "New criterion", parent,
                         intro="Each criterion is scored from 1 to 5 by every assessor.")
        self.state = state
        self.criterion = criterion
        self.name = self.add("&Name:", QLineEdit(criterion.name if criterion else ""), "The criterion's name")
        self.description = self.add("&Description:", QLineEdit((criterion.description or "") if criterion else ""),
                                    "What the assessors look for")
        self.interview = a11y(QCheckBox("Used for &interviews"), "Used for interviews",
                              "Assessors score this criterion at interviews")
        self.video = a11y(QCheckBox("Used for &videos"), "Used for videos",
                          "Assessors score this criterion for video submissions")
        self.interview.setChecked(criterion.applies_to_interview if criterion else True)
        self.video.setChecked(criterion.applies_to_video if criterion else True)
        self.form.addRow("", self.interview)
        self.form.addRow("", self.video)

    def save(self):
        if self.criterion is None:
            return rubric.add_criterion(self.state.ctx, self.name.text(), self.description.text(),
                                        applies_to_interview=self.interview.isChecked(),
                                        applies_to_video=self.video.isChecked())
        return rubric.edit_criterion(self.state.ctx, self.criterion.id, self.name.text(), self.description.text(),
                                     applies_to_interview=self.interview.isChecked(),
                                     applies_to_video=self.video.isChecked(),
                                     expected_version=self.criterion.version)


class RubricDialog(QDialog):
    """The assessment rubric: add, edit, turn off or on, and reorder the criteria."""

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Assessment rubric")
        self.setAccessibleName("Assessment rubric")
        lay = QVBoxLayout(self)
        intro = QLabel("Assessors score every criterion in use from 1 to 5. Criteria not in use keep the scores "
                       "already given. Alt+Up and Alt+Down move the selected criterion.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.list = a11y(QListWidget(), "Criteria", "The rubric's criteria in order; Enter edits the selected one")
        self.list.itemActivated.connect(lambda _i: self.edit())
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, desc, slot in (
            ("add", "&Add…", "Add a criterion", self.add_new),
            ("edit", "&Edit…", "Edit the selected criterion", self.edit),
            ("toggle", "&Turn off", "Stop or start using the selected criterion", self.toggle),
            ("up", "Move &up", "Move the selected criterion up (Alt+Up)", lambda: self.move(-1)),
            ("down", "Move &down", "Move the selected criterion down (Alt+Down)", lambda: self.move(1)),
        ):
            b = a11y(QPushButton(text), text.replace("&", "").rstrip("…"), desc)
            b.setToolTip(desc)
            b.clicked.connect(slot)
            self.buttons[key] = b
            row.addWidget(b)
        lay.addLayout(row)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        a11y(box.button(QDialogButtonBox.StandardButton.Close), "Close", "Close the rubric")
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.list.currentRowChanged.connect(lambda _r: self._update_buttons())
        QShortcut(QKeySequence("Alt+Up"), self, activated=lambda: self.move(-1))
        QShortcut(QKeySequence("Alt+Down"), self, activated=lambda: self.move(1))
        self.dialog: QDialog | None = None
        self.refresh()
        self.resize(520, 420)

    def refresh(self, select_id: int | None = None) -> None:
        current = self.selected()
        select_id = select_id or (current.id if current else None)
        self.criteria = rubric.list_criteria(self.state.ctx, include_inactive=True)
        self.list.clear()
        for c in self.criteria:
            uses = " and ".join(w for w, on in (("interviews", c.applies_to_interview),
                                                ("videos", c.applies_to_video)) if on)
            text = f"{c.name} (for {uses})" + ("" if c.is_active else " (not in use)")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setToolTip(c.description or c.name)
            self.list.addItem(item)
            if c.id == select_id:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def selected(self) -> rubric.Criterion | None:
        row = self.list.currentRow()
        crits = getattr(self, "criteria", [])
        return crits[row] if 0 <= row < len(crits) else None

    def _update_buttons(self) -> None:
        c = self.selected()
        for key in ("edit", "toggle", "up", "down"):
            self.buttons[key].setEnabled(c is not None)
        if c is not None:
            self.buttons["toggle"].setText("&Turn off" if c.is_active else "&Turn on")

    def _run(self, fn) -> bool:
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.state.interaction.error(exc)
            return False
        self.state.notify("assessment_criterion")
        self.refresh(getattr(result, "id", None) if not isinstance(result, list) else None)
        return True

    def add_new(self) -> None:
        self._open(CriterionDialog(self.state, self))

    def edit(self) -> None:
        c = self.selected()
        if c is not None:
            self._open(CriterionDialog(self.state, self, criterion=c))

    def _open(self, dlg: CriterionDialog) -> None:
        self.dialog = dlg

        def done():
            self.state.notify("assessment_criterion")
            self.refresh(getattr(dlg.result_value, "id", None))

        dlg.accepted.connect(done)
        dlg.open()

    def toggle(self) -> None:
        c = self.selected()
        if c is not None:
            self._run(lambda: rubric.set_criterion_active(self.state.ctx, c.id, not c.is_active,
                                                          expected_version=c.version))

    def move(self, step: int) -> None:
        c = self.selected()
        if c is not None and self._run(lambda: rubric.move_criterion(self.state.ctx, c.id, step)):
            self.refresh(c.id)
