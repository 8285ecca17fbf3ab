"""Forms for meetings: a meeting (new or changed), venue, programme, invitations,
attendance, agenda items, actions and decisions.

Each form checks its input through the service; a problem is shown inside the
form (which stays open with what was typed). Scheduling warnings (a clash, a
quiet period, a bank holiday...) are put to the user through
``state.interaction.confirm`` before anything is saved.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QWidget,
)

from db.enums import (
    ActionStatus,
    Attendance,
    InvitationResponse,
    MeetingStatus,
    MeetingType,
    OrganisationKind,
    ParticipationMode,
)
from lived_experience.core import clock
from lived_experience.core.errors import UserError, ValidationError
from lived_experience.core.formatting import uk_time
from lived_experience.meetings import agenda as agenda_service
from lived_experience.meetings import attendance as attendance_service
from lived_experience.meetings import service
from lived_experience.meetings.timing import parse_uk_time
from lived_experience.settings import PROTECTIVE_MARKINGS
from ui.common.forms import EnumCombo, FormDialog, UkDateEdit, a11y, line_edit, text_box
from ui.meetings import widgets as w
from ui.meetings.widgets import button


def choice_combo(name: str, description: str, choices, value=None, *, empty: str | None = None) -> QComboBox:
    box = QComboBox()
    if empty is not None:
        box.addItem(empty, None)
    for ident, label in choices:
        box.addItem(label, ident)
    a11y(box, name, description)
    i = box.findData(value)
    box.setCurrentIndex(i if i >= 0 else 0)
    return box


def minutes_box(name: str, description: str, value: int, *, lowest: int, highest: int, step: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lowest, highest)
    box.setSingleStep(step)
    box.setSuffix(" minutes")
    box.setValue(value)
    a11y(box, name, description)
    inner = box.findChild(QLineEdit)
    if inner is not None:  # the text part of the spin box takes the focus too
        a11y(inner, name, description)
    return box


def confirm_warnings(state, warnings, what: str) -> bool:
    """Ask the user about scheduling warnings; True to save anyway."""
    lines = "\n".join(f"• {w.message}" for w in warnings)
    return state.interaction.confirm(f"Check before saving the {what}",
                                     f"Please check before saving the {what}:\n\n{lines}\n\nSave anyway?",
                                     yes="Save anyway", no="Go back")


# -- meeting --------------------------------------------------------------------------------------
class MeetingDialog(FormDialog):
    """A new meeting, or changes to one. Date and time are UK time."""

    def __init__(self, state, parent=None, *, detail: service.MeetingDetail | None = None,
                 default_day: dt.date | None = None):
        super().__init__("Change meeting" if detail else "New meeting", parent, ok_text="Save meeting",
                         intro="Date and time are UK time. Ctrl+Enter saves.")
        self.state = state
        self.detail = detail
        ctx = state.ctx
        data = service.meeting_input(detail) if detail else None
        self.title_edit = self.add("&Title:", line_edit("Title", data.title if data else "",
                                                        description="The meeting's title, as members will see it"))
        self.type_combo = self.add("T&ype:", EnumCombo(MeetingType, "Type of meeting",
                                                      value=data.meeting_type if data else MeetingType.FORUM))
        self.programme_combo = choice_combo("Programme", "The programme this meeting belongs to",
                                            [(c.id, c.label) for c in service.programmes(ctx)],
                                            data.programme_id if data else None, empty="(no programme)")
        self.new_programme = button("New &programme…", "Add a programme and choose it", self._new_programme)
        self.add("Programme:", self._row(self.programme_combo, self.new_programme))
        day = data.date if data else (default_day or clock.today() + dt.timedelta(days=14))
        self.date_edit = self.add("&Date:", UkDateEdit("Date", day, required=True))
        self.time_edit = self.add("&Start time:", line_edit("Start time",
                                                            data.time.strftime("%H:%M") if data else "18:00",
                                                            description="Start time as hh:mm, UK time (24-hour clock)",
                                                            max_length=5))
        self.time_edit.setPlaceholderText("hh:mm")
        self.duration = self.add("Du&ration:", minutes_box("Duration", "How long the meeting lasts, in minutes",
                                                            data.duration_minutes if data else 120, lowest=1,
                                                            highest=24 * 60, step=15))
        self.status_combo = self.add("Stat&us:", EnumCombo(MeetingStatus, "Status",
                                                          value=data.status if data else MeetingStatus.PLANNED))
        self.reason_edit = self.add("Cancelled because:", line_edit("Reason for cancelling",
                                                                    data.cancelled_reason if data else "",
                                                                    description="Why the meeting is cancelled (needed to cancel it)",
                                                                    max_length=500))
        self.organiser_combo = choice_combo("Organiser", "The member of staff organising the meeting",
                                            [(c.id, c.label) for c in service.organisers(ctx)],
                                            data.organiser_id if data else ctx.actor.id, empty="(not set)")
        self.add("&Organiser:", self.organiser_combo)
        self.venue_combo = choice_combo("Venue", "Where the meeting is held; leave empty for online only",
                                        [(v.id, v.name) for v in service.venues(ctx)],
                                        data.venue_id if data else None, empty="(no venue: online only)")
        self.new_venue = button("New &venue…", "Add a venue and choose it", self._new_venue)
        self.add("Venue:", self._row(self.venue_combo, self.new_venue))
        self.link_edit = self.add("Online &link:", line_edit("Online link", data.online_link if data else "",
                                                             description="The web address to join online (https://…)",
                                                             max_length=500))
        self.arrangements = self.add("&Arrangements:", text_box("Accessibility arrangements",
                                                                data.accessibility_arrangements if data else "",
                                                                description="Interpreters, quiet room, large print and other arrangements",
                                                                height=64))
        self.description = self.add("Descr&iption:", text_box("Description", data.description if data else "",
                                                              description="What the meeting is for", height=64))
        markings = [(None, f"Office default ({_office_marking(state)})")] + [(m, m) for m in PROTECTIVE_MARKINGS]
        self.marking_combo = QComboBox()
        for value, label in markings:
            self.marking_combo.addItem(label, value)
        self.marking_combo.setCurrentIndex(max(0, self.marking_combo.findData(data.protective_marking if data
                                                                              else None)))
        self.add("&Marking:", a11y(self.marking_combo, "Protective marking", "The marking printed on the pack"))
        self.notes = self.add("Notes:", text_box("Notes", data.notes if data else "",
                                                 description="Notes for staff (not printed in the pack)", height=64))
        self.status_combo.currentIndexChanged.connect(self._status_changed)
        self._status_changed()
        self.saved: service.SaveResult | None = None

    @staticmethod
    def _row(*widgets) -> QWidget:
        w = QWidget()
        lay = QHBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        for x in widgets:
            lay.addWidget(x, 1 if isinstance(x, QComboBox) else 0)
        return w

    def _status_changed(self) -> None:
        self.reason_edit.setEnabled(self.status_combo.value() == MeetingStatus.CANCELLED.value)

    def _new_programme(self) -> None:
        dlg = ProgrammeDialog(self.state, self)
        if w.run_dialog(dlg) and dlg.result_value:
            self.programme_combo.addItem(dlg.name_edit.text().strip(), dlg.result_value)
            self.programme_combo.setCurrentIndex(self.programme_combo.count() - 1)

    def _new_venue(self) -> None:
        dlg = VenueDialog(self.state, self)
        if w.run_dialog(dlg) and dlg.result_value:
            self.venue_combo.addItem(dlg.name_edit.text().strip(), dlg.result_value)
            self.venue_combo.setCurrentIndex(self.venue_combo.count() - 1)

    def values(self) -> service.MeetingInput:
        day = self.date_edit.date()
        try:
            time = parse_uk_time(self.time_edit.text())
        except ValidationError as exc:
            raise ValidationError(exc.message) from None
        return service.MeetingInput(
            title=self.title_edit.text(), meeting_type=self.type_combo.value(), date=day, time=time,
            duration_minutes=self.duration.value(), status=self.status_combo.value(),
            cancelled_reason=self.reason_edit.text(), programme_id=self.programme_combo.currentData(),
            organiser_id=self.organiser_combo.currentData(), venue_id=self.venue_combo.currentData(),
            online_link=self.link_edit.text(), accessibility_arrangements=self.arrangements.toPlainText(),
            description=self.description.toPlainText(), protective_marking=self.marking_combo.currentData(),
            notes=self.notes.toPlainText(),
        )

    def save(self):
        data = self.values()
        kwargs = {}
        if self.detail is not None:
            kwargs = {"meeting_id": self.detail.id, "expected_version": self.detail.version}
        result = service.save_meeting(self.state.ctx, data, **kwargs)
        if result.needs_confirmation:
            if not confirm_warnings(self.state, result.warnings, "meeting"):
                raise UserError("Not saved. Change the date, time or venue, or save again and choose "
                                "'Save anyway'.")
            result = service.save_meeting(self.state.ctx, data, confirm=True, **kwargs)
        self.saved = result
        return result.id


def _office_marking(state) -> str:
    from lived_experience.settings import load

    return load(state.ctx).protective_marking


class ProgrammeDialog(FormDialog):
    def __init__(self, state, parent=None):
        super().__init__("New programme", parent, ok_text="Add programme",
                         intro='A run of meetings, e.g. "October 2024 - April 2025, ending in the April event".')
        self.state = state
        self.name_edit = self.add("&Name:", line_edit("Programme name", description="The programme's name"))
        self.desc = self.add("&Description:", text_box("Programme description",
                                                       description="What the programme covers", height=64))
        self.starts = self.add("&Starts:", UkDateEdit("Programme starts"))
        self.ends = self.add("&Ends:", UkDateEdit("Programme ends"))

    def save(self):
        return service.save_programme(self.state.ctx, service.ProgrammeInput(
            self.name_edit.text(), self.desc.toPlainText(), self.starts.date(), self.ends.date()))


class VenueDialog(FormDialog):
    def __init__(self, state, parent=None):
        super().__init__("New venue", parent, ok_text="Add venue",
                         intro="The venue's access features are printed in every pack for meetings held there.")
        self.state = state
        self.name_edit = self.add("&Name:", line_edit("Venue name", description="The venue's name"))
        self.address = self.add("&Address:", line_edit("Venue address", description="Street and town",
                                                       max_length=300))
        self.postcode = self.add("&Postcode:", line_edit("Venue postcode", description="The venue's postcode",
                                                         max_length=10))
        self.step_free = self.add("", a11y(QCheckBox("&Step-free access"), "Step-free access",
                                           "Tick if there is step-free access throughout"))
        self.loop = self.add("", a11y(QCheckBox("&Hearing loop"), "Hearing loop", "Tick if there is a hearing loop"))
        self.quiet = self.add("", a11y(QCheckBox("&Quiet room"), "Quiet room", "Tick if a quiet room is available"))
        self.parking = self.add("Par&king:", line_edit("Parking", description="Parking, including accessible spaces",
                                                       max_length=300))
        self.transport = self.add("&Transport:", text_box("Public transport",
                                                          description="How to get there by public transport",
                                                          height=64))

    def save(self):
        return service.save_venue(self.state.ctx, service.VenueInput(
            self.name_edit.text(), self.address.text(), self.postcode.text(), self.step_free.isChecked(),
            self.loop.isChecked(), self.quiet.isChecked(), self.parking.text(), self.transport.toPlainText()))


# -- people ----------------------------------------------------------------------------------------------
class InviteDialog(FormDialog):
    """Tick members (or stakeholder contacts) to invite. Space ticks the highlighted person."""

    def __init__(self, state, meeting_id: int, kind: str, parent=None):
        members, contacts = attendance_service.candidates(state.ctx, meeting_id)
        self.kind = kind
        title = "Invite members" if kind == "member" else "Invite stakeholders"
        super().__init__(title, parent, ok_text="Invite",
                         intro=("Members in post on the meeting's date. Space ticks the highlighted name."
                                if kind == "member" else
                                "Active contacts at voluntary and statutory organisations, commissioned providers "
                                "and the force. Space ticks the highlighted name."))
        self.state = state
        self.meeting_id = meeting_id
        self.people = QListWidget()
        a11y(self.people, title, "Tick everyone to invite (Space ticks the highlighted name)")
        for c in (members if kind == "member" else contacts):
            text = f"{c.name} - {c.detail}" + (f" - {c.dbs_flag}" if c.dbs_flag else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.people.addItem(item)
        if self.people.count():
            self.people.setCurrentRow(0)
        self.people.setMinimumSize(560, 280)
        self.form.addRow(self.people)
        if kind == "member" and self.people.count():
            self.all_box = QCheckBox("Tick &everyone")
            a11y(self.all_box, "Tick everyone", "Tick or untick every name in the list")
            self.all_box.toggled.connect(self._tick_all)
            self.form.addRow(self.all_box)
        if not self.people.count():
            self.form.addRow(QLabel("Everyone who could be invited already is."))
        if kind == "stakeholder":
            self.form.addRow(button("New &organisation or contact…", "Add a stakeholder contact to choose from",
                                    self._new_contact))

    def _tick_all(self, on: bool) -> None:
        for i in range(self.people.count()):
            self.people.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _new_contact(self) -> None:
        dlg = ContactDialog(self.state, self)
        if w.run_dialog(dlg) and dlg.result_value:
            item = QListWidgetItem(f"{dlg.name_edit.text().strip()} - {dlg.org_label()}")
            item.setData(Qt.ItemDataRole.UserRole, dlg.result_value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.people.addItem(item)

    def chosen(self) -> list[int]:
        return [self.people.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.people.count())
                if self.people.item(i).checkState() == Qt.CheckState.Checked]

    def save(self):
        ids = self.chosen()
        args = {"person_ids": ids} if self.kind == "member" else {"contact_ids": ids}
        result = attendance_service.invite(self.state.ctx, self.meeting_id, **args)
        if result.needs_confirmation:
            if not confirm_warnings(self.state, result.warnings, "invitations"):
                raise UserError("Nobody was invited. Untick anyone who should not be invited, or invite again "
                                "and choose 'Save anyway'.")
            result = attendance_service.invite(self.state.ctx, self.meeting_id, confirm=True, **args)
        return len(ids)


class ContactDialog(FormDialog):
    """A contact at an existing organisation, or at a new one."""

    NEW = -1

    def __init__(self, state, parent=None):
        super().__init__("New stakeholder contact", parent, ok_text="Add contact")
        self.state = state
        orgs = attendance_service.organisations(state.ctx)
        self.org_combo = choice_combo("Organisation", "The contact's organisation, or a new one",
                                      [(i, n) for i, n in orgs] + [(self.NEW, "New organisation…")])
        self.add("&Organisation:", self.org_combo)
        self.org_name = self.add("New organisation &name:", line_edit("New organisation name",
                                                                      description="The name of a new organisation"))
        self.org_kind = self.add("Kind:", EnumCombo(OrganisationKind, "Kind of organisation"))
        self.name_edit = self.add("Contact na&me:", line_edit("Contact name", description="The person's name"))
        self.job = self.add("&Job title:", line_edit("Job title",
                                                     description="Their role, shown when names are withheld"))
        self.email = self.add("&Email:", line_edit("Email", description="Their work email address", max_length=254))
        self.phone = self.add("&Phone:", line_edit("Phone", description="Their work phone number", max_length=32))
        self.org_combo.currentIndexChanged.connect(self._org_changed)
        self._org_changed()

    def _org_changed(self) -> None:
        new = self.org_combo.currentData() == self.NEW
        self.org_name.setEnabled(new)
        self.org_kind.setEnabled(new)

    def org_label(self) -> str:
        if self.org_combo.currentData() == self.NEW:
            return self.org_name.text().strip()
        return self.org_combo.currentText()

    def save(self):
        org = self.org_combo.currentData()
        if org == self.NEW:
            org = attendance_service.save_organisation(self.state.ctx, self.org_name.text(), self.org_kind.value())
        return attendance_service.add_contact(self.state.ctx, org, self.name_edit.text(),
                                              job_title=self.job.text(), email=self.email.text(),
                                              phone=self.phone.text())


class AttendanceDialog(FormDialog):
    """Reply, attendance and how someone took part. Ctrl+Enter saves."""

    def __init__(self, state, row: attendance_service.InvitationRow, parent=None):
        super().__init__(f"Attendance: {row.name}", parent, ok_text="Save",
                         intro="Attendance can be recorded once the meeting has started. Ctrl+Enter saves.")
        self.state = state
        self.row = row
        self.attendance = self.add("&Attendance:", EnumCombo(Attendance, "Attendance", value=row.attendance,
                                                             empty="(not recorded)"))
        self.mode = self.add("&Took part:", EnumCombo(ParticipationMode, "How they took part",
                                                      value=row.participation_mode, empty="(not recorded)"))
        self.response = self.add("&Reply:", EnumCombo(InvitationResponse, "Reply to the invitation",
                                                      value=row.response))
        self.notes = self.add("&Notes:", text_box("Attendance notes", row.notes,
                                                  description="Anything staff need to know (not printed)", height=64))
        self.attendance.setFocus()

    def save(self):
        version = self.row.version
        ctx = self.state.ctx
        if self.response.value() != self.row.response:
            version = attendance_service.set_response(ctx, self.row.id, self.response.value(),
                                                      expected_version=version)
        return attendance_service.record_attendance(ctx, self.row.id, self.attendance.value(), self.mode.value(),
                                                    expected_version=version, notes=self.notes.toPlainText())


# -- agenda, actions, decisions -----------------------------------------------------------------------------
class AgendaItemDialog(FormDialog):
    def __init__(self, state, meeting_id: int, parent=None, *, row: agenda_service.AgendaRow | None = None):
        super().__init__("Change agenda item" if row else "New agenda item", parent, ok_text="Save item",
                         intro="A content note warns members that a topic may be distressing, so they can choose "
                               "to skip it.")
        self.state = state
        self.meeting_id = meeting_id
        self.row = row
        services, cycles = service.services_and_cycles(state.ctx)
        self.title_edit = self.add("&Title:", line_edit("Item title", row.title if row else "",
                                                        description="What the item is about"))
        self.presenter = self.add("&Presenter:", line_edit("Presenter", row.presenter if row else "",
                                                           description="Who leads the item"))
        self.minutes = self.add("&Minutes:", minutes_box("Minutes allotted", "How long the item takes, in minutes",
                                                         (row.minutes or 0) if row else 15, lowest=0, highest=480,
                                                         step=5))
        self.note = self.add("&Content note:", text_box("Content note", row.content_note if row else "",
                                                        description="Leave empty unless the topic may be distressing; say what it touches on",
                                                        height=64))
        self.service_combo = self.add("&Service:", choice_combo(
            "Commissioned service", "The commissioned service the item is about",
            [(c.id, c.label) for c in services], row.service_id if row else None, empty="(none)"))
        self.cycle_combo = self.add("C&ycle:", choice_combo(
            "Commissioning cycle", "The commissioning cycle the item is about",
            [(c.id, c.label) for c in cycles], row.cycle_id if row else None, empty="(none)"))

    def save(self):
        data = agenda_service.AgendaItemInput(
            self.title_edit.text(), self.presenter.text(), self.minutes.value(), self.note.toPlainText(),
            self.service_combo.currentData(), self.cycle_combo.currentData(), self.row.notes if self.row else None)
        if self.row is None:
            return agenda_service.save_agenda_item(self.state.ctx, self.meeting_id, data)
        return agenda_service.save_agenda_item(self.state.ctx, self.meeting_id, data, item_id=self.row.id,
                                               expected_version=self.row.version)


class ActionDialog(FormDialog):
    def __init__(self, state, meeting_id: int, items: list[agenda_service.AgendaRow], parent=None, *,
                 row: agenda_service.ActionRow | None = None):
        super().__init__("Change action" if row else "New action", parent, ok_text="Save action")
        self.state = state
        self.meeting_id = meeting_id
        self.row = row
        self.description = self.add("&Action:", text_box("Action", row.description if row else "",
                                                         description="What will be done", height=64))
        self.owner = self.add("&Owner:", line_edit("Owner", row.owner_name if row else "",
                                                   description="Who will do it"))
        self.due = self.add("&Due:", UkDateEdit("Due date", row.due_on if row else None))
        self.status = self.add("&Status:", EnumCombo(ActionStatus, "Action status",
                                                     value=row.status if row else ActionStatus.OPEN))
        self.item_combo = self.add("Agenda &item:", choice_combo(
            "Agenda item", "The agenda item the action came from",
            [(i.id, f"{i.position}. {i.title}") for i in items], row.agenda_item_id if row else None,
            empty="(none)"))

    def save(self):
        data = agenda_service.ActionInput(self.description.toPlainText(), self.owner.text(), None, self.due.date(),
                                          self.status.value(), self.item_combo.currentData(),
                                          self.row.notes if self.row else None)
        if self.row is None:
            return agenda_service.save_action(self.state.ctx, self.meeting_id, data)
        return agenda_service.save_action(self.state.ctx, self.meeting_id, data, action_id=self.row.id,
                                          expected_version=self.row.version)


class DecisionDialog(FormDialog):
    def __init__(self, state, meeting_id: int, items: list[agenda_service.AgendaRow], parent=None, *,
                 row: agenda_service.DecisionRow | None = None):
        super().__init__("Change decision" if row else "New decision", parent, ok_text="Save decision")
        self.state = state
        self.meeting_id = meeting_id
        self.row = row
        self.text = self.add("&Decision:", text_box("Decision", row.text if row else "",
                                                    description="What the meeting decided", height=64))
        self.item_combo = self.add("Agenda &item:", choice_combo(
            "Agenda item", "The agenda item the decision was made under",
            [(i.id, f"{i.position}. {i.title}") for i in items], row.agenda_item_id if row else None,
            empty="(none)"))

    def save(self):
        kwargs = {"decision_id": self.row.id, "expected_version": self.row.version} if self.row else {}
        return agenda_service.save_decision(self.state.ctx, self.meeting_id, self.text.toPlainText(),
                                            agenda_item_id=self.item_combo.currentData(), **kwargs)


class PackSentDialog(FormDialog):
    """When the pack went out (UK date and time)."""

    def __init__(self, state, detail: service.MeetingDetail, parent=None):
        super().__init__("Mark pack as sent", parent, ok_text="Mark as sent",
                         intro="Record when the pack was sent to everyone invited.")
        self.state = state
        self.detail = detail
        now = clock.now()
        self.day = self.add("&Date sent:", UkDateEdit("Date sent", clock.today(), required=True))
        self.time_edit = self.add("&Time sent:", line_edit("Time sent", uk_time(now),
                                                           description="Time the pack was sent, hh:mm UK time",
                                                           max_length=5))

    def save(self):
        from lived_experience.meetings.timing import uk_start

        when = uk_start(self.day.date(), parse_uk_time(self.time_edit.text())).utc
        return service.mark_pack_sent(self.state.ctx, self.detail.id, sent_at=when,
                                      expected_version=self.detail.version)


class ReasonDialog(FormDialog):
    def __init__(self, title: str, label: str, description: str, parent=None, *, ok_text: str, on_save):
        super().__init__(title, parent, ok_text=ok_text, on_save=lambda: on_save(self.reason.text()))
        self.reason = self.add(f"&{label}:", line_edit(label, description=description, max_length=500))
