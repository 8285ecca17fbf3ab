"""One meeting, in tabs: details; invitations and attendance; agenda and papers;
decisions and actions; the pack (preview, export, calendar, sent).

Every change goes through the meetings services; each tab reloads from them
after a change and calls ``state.notify`` so the lists and the month refresh.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.enums import (
    ActionStatus,
    Attendance,
    InvitationResponse,
    OrganisationKind,
    ParticipationMode,
)
from lived_experience.core import clock
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date, uk_datetime, uk_time
from lived_experience.maintenance import previews
from lived_experience.meetings import agenda as agenda_service
from lived_experience.meetings import attendance as attendance_service
from lived_experience.meetings import service
from lived_experience.meetings.timing import duration_text
from ui.common.forms import a11y
from ui.meetings import dialogs
from ui.meetings import widgets as w
from ui.meetings.widgets import Column, RowsModel, RowsTable, button
from ui.theme import tone


def _label(enum, value) -> str:
    if not value:
        return ""
    try:
        return enum(value).label
    except ValueError:
        return str(value)


def _safe_name(text: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in text)
    return "-".join(keep.split())[:60] or "meeting"


class _Tab(QWidget):
    def __init__(self, view: MeetingView):
        super().__init__()
        self.view = view
        self.state = view.state

    @property
    def meeting_id(self) -> int:
        return self.view.meeting_id

    def reload(self) -> None:  # overridden
        pass

    def run(self, fn, *args, entity: str = "meeting", **kwargs) -> bool:
        """Call a service; show a problem as a message; refresh after a change. True when it worked."""
        try:
            fn(*args, **kwargs)
        except UserError as exc:
            self.state.interaction.error(exc)
            return False
        self.view.changed(entity)
        return True

    def dialog(self, dlg, entity: str = "meeting") -> bool:
        if w.run_dialog(dlg):
            self.view.changed(entity)
            return True
        return False


# -- details ---------------------------------------------------------------------------------------
class DetailsTab(_Tab):
    def __init__(self, view):
        super().__init__(view)
        self.form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label in [("title", "Title"), ("type", "Type"), ("programme", "Programme"), ("when", "When"),
                           ("duration", "Duration"), ("status", "Status"), ("organiser", "Organiser"),
                           ("venue", "Venue"), ("online", "Online link"), ("arrangements", "Arrangements"),
                           ("description", "Description"), ("marking", "Protective marking"),
                           ("pack", "Pack"), ("calendar", "Calendar"), ("notes", "Notes")]:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            a11y(value, label, f"The meeting's {label.lower()} (text can be selected and copied)")
            self.fields[key] = value
            self.form.addRow(f"{label}:", value)
        self.edit_btn = button("&Edit details…", "Change the meeting's date, time, place or other details", self.edit)
        self.cancel_btn = button("Ca&ncel meeting…", "Cancel the meeting, with a reason (calendars are updated)",
                                 self.cancel)
        self.delete_btn = button("De&lete meeting…", "Delete a meeting that was never held", self.delete)
        row = QHBoxLayout()
        for b in (self.edit_btn, self.cancel_btn, self.delete_btn):
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addLayout(row)
        lay.addStretch(1)

    def reload(self) -> None:
        d = self.view.detail
        if d is None:
            return
        f = self.fields
        f["title"].setText(d.title)
        f["type"].setText(d.type_label)
        f["programme"].setText(d.programme or "—")
        f["when"].setText(f"{clock.to_london(d.starts_at).strftime('%A')} {uk_date(d.starts_at)}, "
                          f"{uk_time(d.starts_at)} to {uk_time(d.ends_at)} (UK time)")
        f["duration"].setText(duration_text(d.duration_minutes))
        f["status"].setText(d.status_label + (f": {d.cancelled_reason}" if d.cancelled_reason else ""))
        f["organiser"].setText(d.organiser or "—")
        f["venue"].setText(", ".join(x for x in (d.venue, d.venue_address) if x) or "No venue (online only)")
        f["online"].setText(d.online_link or "—")
        f["arrangements"].setText(d.accessibility_arrangements or "—")
        f["description"].setText(d.description or "—")
        f["marking"].setText(d.protective_marking or f"{self._office_marking()} (the office default)")
        f["pack"].setText(f"Sent {uk_datetime(d.pack_sent_at)}" if d.pack_sent_at else "Not sent yet")
        f["calendar"].setText(f"Calendar version {d.calendar_sequence} (goes up when the time, place or status "
                              "changes)")
        f["notes"].setText(d.notes or "—")
        self.cancel_btn.setEnabled(d.status not in ("cancelled", "held"))
        self.delete_btn.setEnabled(d.status != "held")

    def _office_marking(self) -> str:
        from lived_experience.settings import load as load_settings

        try:
            return load_settings(self.state.ctx).protective_marking
        except UserError:
            return "Office default"

    def edit(self) -> None:
        self.dialog(dialogs.MeetingDialog(self.state, self, detail=self.view.detail))

    def cancel(self) -> None:
        d = self.view.detail
        dlg = dialogs.ReasonDialog("Cancel meeting", "Reason", "Why the meeting is cancelled (shown in calendars)",
                                   self, ok_text="Cancel meeting",
                                   on_save=lambda reason: service.cancel_meeting(self.state.ctx, d.id, reason,
                                                                                 expected_version=d.version))
        self.dialog(dlg)

    def delete(self) -> None:
        d = self.view.detail
        if not self.state.interaction.confirm("Delete meeting", f"Delete '{d.title}' on {uk_date(d.starts_at)}, with "
                                              "its agenda, papers and invitations? This cannot be undone.",
                                              yes="Delete", no="Keep it"):
            return
        self.run(service.delete_meeting, self.state.ctx, d.id, expected_version=d.version)


# -- invitations and attendance -------------------------------------------------------------------------
class InvitationsTab(_Tab):
    COLUMNS = [
        Column("Name", lambda r: r.name),
        Column("Member or organisation", lambda r: "Member" if r.kind == "member" else
               f"{r.organisation} ({_label(OrganisationKind, r.organisation_kind)})"),
        Column("Reply", lambda r: _label(InvitationResponse, r.response)),
        Column("Attendance", lambda r: _label(Attendance, r.attendance) or "Not recorded"),
        Column("Took part", lambda r: _label(ParticipationMode, r.participation_mode)),
        Column("DBS", lambda r: r.dbs_flag),
        Column("Contact", lambda r: r.contact_note),
    ]

    def __init__(self, view):
        super().__init__(view)
        self.model = RowsModel(self.COLUMNS, self)
        self.table = RowsTable(self.model, "Invitations and attendance",
                               "Everyone invited. Enter records attendance for the highlighted person", )
        self.table.activated_row.connect(lambda _r: self.record())
        self.summary = QLabel()
        self.summary.setAccessibleName("Invitations summary")
        self.invite_members_btn = button("Invite &members…", "Invite members of the group",
                                         lambda: self.invite("member"))
        self.invite_others_btn = button("Invite &stakeholders…", "Invite contacts at other organisations",
                                        lambda: self.invite("stakeholder"))
        self.record_btn = button("Record &attendance…", "Reply, attendance and how the highlighted person took part "
                                 "(or press Enter in the table)", self.record)
        self.mileage_btn = button("Start mileage &claim…", "Start a mileage claim for the highlighted member, "
                                  "filled in from their attendance", self.mileage)
        self.remove_btn = button("Remove invitati&on", "Remove the highlighted person from the meeting", self.remove)
        row = QHBoxLayout()
        for b in (self.invite_members_btn, self.invite_others_btn, self.record_btn, self.mileage_btn,
                  self.remove_btn):
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addLayout(row)

    def reload(self) -> None:
        current = self.table.current_row()
        rows = attendance_service.invitations(self.state.ctx, self.meeting_id)
        self.model.set_rows(rows)
        self.table.fit_columns([180, 230, 80, 110, 110, 140])
        members = [r for r in rows if r.kind == "member"]
        came = [r for r in rows if r.attendance in (Attendance.ATTENDED.value, Attendance.LEFT_EARLY.value)]
        flagged = [r for r in members if r.dbs_flag]
        text = f"{len(members)} members and {len(rows) - len(members)} stakeholders invited; {len(came)} attended."
        if flagged:
            text += f" {len(flagged)} member{'s' if len(flagged) != 1 else ''} without a cleared DBS check."
        quiet = [r for r in members if r.quiet_until]
        if quiet:
            text += (f" {len(quiet)} member{'s are' if len(quiet) != 1 else ' is'} in a quiet period: do not "
                     "contact them yet.")
        self.summary.setText(text)
        if current is not None:
            for i, r in enumerate(rows):
                if r.id == current.id:
                    self.table.setCurrentIndex(self.model.index(i, 0))
                    break
        self.table.select_first()

    def invite(self, kind: str) -> None:
        self.dialog(dialogs.InviteDialog(self.state, self.meeting_id, kind, self), entity="invitation")

    def _current(self, what: str):
        row = self.table.current_row()
        if row is None:
            self.state.interaction.info("Choose someone", f"Highlight someone in the table first, to {what}.")
        return row

    def record(self) -> None:
        row = self._current("record their attendance")
        if row is not None:
            self.dialog(dialogs.AttendanceDialog(self.state, row, self), entity="invitation")
            self.table.setFocus()

    def remove(self) -> None:
        row = self._current("remove them")
        if row is None:
            return
        if self.state.interaction.confirm("Remove invitation", f"Remove {row.name} from this meeting?",
                                          yes="Remove", no="Keep"):
            self.run(attendance_service.remove_invitation, self.state.ctx, row.id, expected_version=row.version,
                     entity="invitation")

    def mileage(self) -> None:
        row = self._current("start their mileage claim")
        if row is None:
            return
        try:
            prefill = attendance_service.mileage_prefill(self.state.ctx, row.id)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        from ui.members.expenses import open_claim_dialog

        open_claim_dialog(self.state, self, prefill=prefill)


# -- agenda and papers -------------------------------------------------------------------------------------
class AgendaTab(_Tab):
    COLUMNS = [
        Column("Time", lambda r: uk_time(r.starts_at)),
        Column("Item", lambda r: f"{r.position}. {r.title}"),
        Column("Presenter", lambda r: r.presenter or ""),
        Column("Minutes", lambda r: "" if r.minutes is None else str(r.minutes)),
        Column("Content note", lambda r: r.content_note or ""),
        Column("About", lambda r: "; ".join(x for x in (r.service, r.cycle) if x)),
        Column("Papers", lambda r: str(len(r.papers)) if r.papers else ""),
    ]

    def __init__(self, view):
        super().__init__(view)
        self.model = RowsModel(self.COLUMNS, self)
        self.table = RowsTable(self.model, "Agenda",
                               "The agenda in order with start times. Enter changes the highlighted item; "
                               "Ctrl+Up and Ctrl+Down move it")
        self.table.activated_row.connect(lambda _r: self.edit())
        self.timing = QLabel()
        self.timing.setAccessibleName("Agenda timing")
        self.papers = QListWidget()
        a11y(self.papers, "Papers for the highlighted item", "PDF papers attached to the highlighted agenda item; "
             "Enter opens one")
        self.papers.itemActivated.connect(lambda _i: self.open_paper())
        self.add_btn = button("&Add item…", "Add an item at the end of the agenda", self.add)
        self.edit_btn = button("&Change item…", "Change the highlighted item", self.edit)
        self.up_btn = button("Move &up", "Move the highlighted item earlier (Ctrl+Up)", lambda: self.move(-1))
        self.down_btn = button("Move do&wn", "Move the highlighted item later (Ctrl+Down)", lambda: self.move(1))
        self.delete_btn = button("Delete ite&m", "Delete the highlighted item and its papers", self.delete)
        self.attach_btn = button("Attach &PDF paper…", "Attach a PDF paper to the highlighted item (it goes in the "
                                 "pack)", self.attach)
        self.open_btn = button("&Open paper", "Open the highlighted paper in your PDF viewer", self.open_paper)
        self.remove_paper_btn = button("Remove pap&er", "Remove the highlighted paper", self.remove_paper)
        QShortcut(QKeySequence("Ctrl+Up"), self.table, activated=lambda: self.move(-1),
                  context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence("Ctrl+Down"), self.table, activated=lambda: self.move(1),
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_papers())
        row = QHBoxLayout()
        for b in (self.add_btn, self.edit_btn, self.up_btn, self.down_btn, self.delete_btn):
            row.addWidget(b)
        row.addStretch(1)
        prow = QHBoxLayout()
        for b in (self.attach_btn, self.open_btn, self.remove_paper_btn):
            prow.addWidget(b)
        prow.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.timing)
        lay.addWidget(self.table, 3)
        lay.addLayout(row)
        lay.addWidget(QLabel("Papers for the highlighted item (PDF only; they are added to the end of the pack):"))
        lay.addWidget(self.papers, 1)
        lay.addLayout(prow)

    def reload(self, select_id: int | None = None) -> None:
        current = self.table.current_row()
        select_id = select_id or (current.id if current else None)
        rows = agenda_service.agenda(self.state.ctx, self.meeting_id)
        self.model.set_rows(rows)
        self.table.fit_columns([60, 280, 150, 70, 240, 160])
        d = self.view.detail
        total = sum(r.minutes or 0 for r in rows)
        if rows and d is not None:
            end = d.starts_at + dt.timedelta(minutes=total)
            text = f"{len(rows)} items, {duration_text(total) if total else 'no minutes set'}: the agenda ends at " \
                   f"{uk_time(end)}; the meeting ends at {uk_time(d.ends_at)}."
            if end > d.ends_at:
                text += " The agenda runs over."
        else:
            text = "No agenda items yet."
        self.timing.setText(text)
        for i, r in enumerate(rows):
            if r.id == select_id:
                self.table.setCurrentIndex(self.model.index(i, 0))
                break
        self.table.select_first()
        self._show_papers()

    def _show_papers(self) -> None:
        self.papers.clear()
        row = self.table.current_row()
        for p in (row.papers if row else []):
            pages = f"{p.page_count} page{'s' if p.page_count != 1 else ''}" if p.page_count else ""
            item = QListWidgetItem(f"{p.title} ({p.file_name}, {pages}, {p.size_bytes / 1024:,.0f} KB)")
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.papers.addItem(item)
        if self.papers.count():
            self.papers.setCurrentRow(0)

    def _current(self):
        row = self.table.current_row()
        if row is None:
            self.state.interaction.info("Choose an item", "Highlight an agenda item first.")
        return row

    def add(self) -> None:
        dlg = dialogs.AgendaItemDialog(self.state, self.meeting_id, self)
        if w.run_dialog(dlg):
            self.view.changed("agenda_item")
            self.reload(select_id=dlg.result_value)

    def edit(self) -> None:
        row = self._current()
        if row is not None:
            self.dialog(dialogs.AgendaItemDialog(self.state, self.meeting_id, self, row=row), entity="agenda_item")

    def move(self, delta: int) -> None:
        row = self.table.current_row()
        if row is not None and self.run(agenda_service.move_agenda_item, self.state.ctx, row.id, delta,
                                        entity="agenda_item"):
            self.reload(select_id=row.id)
            self.table.setFocus()

    def delete(self) -> None:
        row = self._current()
        if row is None:
            return
        if self.state.interaction.confirm("Delete agenda item", f"Delete '{row.title}'"
                                          + (f" and its {len(row.papers)} paper(s)" if row.papers else "") + "?",
                                          yes="Delete", no="Keep"):
            self.run(agenda_service.delete_agenda_item, self.state.ctx, row.id, expected_version=row.version,
                     entity="agenda_item")

    def attach(self) -> None:
        row = self._current()
        if row is None:
            return
        path = self.state.interaction.open_file("Attach a PDF paper", "PDF files (*.pdf)")
        if not path:
            return
        if self.run(agenda_service.attach_paper, self.state.ctx, row.id, path=path, entity="agenda_item"):
            self.state.interaction.info("Paper attached", f"{Path(path).name} is attached to '{row.title}'.")

    def _paper(self):
        item = self.papers.currentItem()
        if item is None:
            self.state.interaction.info("Choose a paper", "Highlight a paper first.")
            return None
        return item.data(Qt.ItemDataRole.UserRole)

    def open_paper(self) -> None:
        paper = self._paper()
        if paper is None:
            return
        try:
            name, content = agenda_service.paper_content(self.state.ctx, paper.id)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        folder = previews.new_folder(self.state.ctx.paths)
        path = folder / Path(name).name
        path.write_bytes(content)
        w.open_external(str(path))

    def remove_paper(self) -> None:
        paper = self._paper()
        if paper is None:
            return
        if self.state.interaction.confirm("Remove paper", f"Remove '{paper.title}' from this item?",
                                          yes="Remove", no="Keep"):
            self.run(agenda_service.remove_paper, self.state.ctx, paper.id, expected_version=paper.version,
                     entity="agenda_item")


# -- decisions and actions ------------------------------------------------------------------------------------
class ActionsTab(_Tab):
    ACTION_COLUMNS = [
        Column("Action", lambda r: r.description),
        Column("Owner", lambda r: r.owner),
        Column("Due", lambda r: uk_date(r.due_on)),
        Column("Status", lambda r: _label(ActionStatus, r.status)),
        Column("Agenda item", lambda r: r.agenda_item or ""),
    ]
    CARRIED_COLUMNS = [
        Column("Action", lambda r: r.description),
        Column("Owner", lambda r: r.owner),
        Column("Due", lambda r: uk_date(r.due_on)),
        Column("Status", lambda r: _label(ActionStatus, r.status)),
        Column("From meeting", lambda r: f"{r.meeting_title}, {uk_date(r.meeting_starts_at)}"),
    ]

    def __init__(self, view):
        super().__init__(view)
        self.decisions = QListWidget()
        a11y(self.decisions, "Decisions", "What the meeting decided; Enter changes the highlighted decision")
        self.decisions.itemActivated.connect(lambda _i: self.edit_decision())
        self.model = RowsModel(self.ACTION_COLUMNS, self)
        self.table = RowsTable(self.model, "Actions from this meeting",
                               "Who will do what, by when. Enter changes the highlighted action")
        self.table.activated_row.connect(lambda _r: self.edit_action())
        self.carried_model = RowsModel(self.CARRIED_COLUMNS, self)
        self.carried = RowsTable(self.carried_model, "Open actions from earlier meetings",
                                 "Actions still open from earlier meetings: they carry into this meeting's pack")
        buttons = [
            button("Add d&ecision…", "Record something the meeting decided", self.add_decision),
            button("Remove decisi&on", "Remove the highlighted decision", self.remove_decision),
            button("&Add action…", "Record an action: who will do what, by when", self.add_action),
            button("&Change action…", "Change the highlighted action", self.edit_action),
            button("Mark do&ne", "Mark the highlighted action as done", self.mark_done),
            button("Delete action", "Delete the highlighted action", self.delete_action),
        ]
        self.mark_carried_done = button("&Mark earlier action done", "Mark the highlighted earlier action as done",
                                        self.carried_done)
        row = QHBoxLayout()
        for b in buttons:
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Decisions:"))
        lay.addWidget(self.decisions, 1)
        lay.addWidget(QLabel("Actions from this meeting:"))
        lay.addWidget(self.table, 2)
        lay.addLayout(row)
        lay.addWidget(QLabel("Still open from earlier meetings (these go in the pack):"))
        lay.addWidget(self.carried, 2)
        crow = QHBoxLayout()
        crow.addWidget(self.mark_carried_done)
        crow.addStretch(1)
        lay.addLayout(crow)
        self._items: list = []

    def reload(self) -> None:
        ctx = self.state.ctx
        self._items = agenda_service.agenda(ctx, self.meeting_id)
        self.decisions.clear()
        for d in agenda_service.decisions(ctx, self.meeting_id):
            item = QListWidgetItem(d.text + (f"  (item: {d.agenda_item})" if d.agenda_item else ""))
            item.setData(Qt.ItemDataRole.UserRole, d)
            self.decisions.addItem(item)
        self.model.set_rows(agenda_service.actions(ctx, self.meeting_id))
        self.table.fit_columns([340, 160, 90, 100])
        self.carried_model.set_rows(agenda_service.carried_actions(ctx, self.meeting_id))
        self.carried.fit_columns([340, 160, 90, 100])
        self.table.select_first()
        self.carried.select_first()

    def add_decision(self) -> None:
        self.dialog(dialogs.DecisionDialog(self.state, self.meeting_id, self._items, self), entity="meeting_decision")

    def edit_decision(self) -> None:
        item = self.decisions.currentItem()
        if item is not None:
            self.dialog(dialogs.DecisionDialog(self.state, self.meeting_id, self._items, self,
                                               row=item.data(Qt.ItemDataRole.UserRole)), entity="meeting_decision")

    def remove_decision(self) -> None:
        item = self.decisions.currentItem()
        if item is None:
            self.state.interaction.info("Choose a decision", "Highlight a decision first.")
            return
        d = item.data(Qt.ItemDataRole.UserRole)
        if self.state.interaction.confirm("Remove decision", "Remove the highlighted decision?", yes="Remove",
                                          no="Keep"):
            self.run(agenda_service.delete_decision, self.state.ctx, d.id, expected_version=d.version,
                     entity="meeting_decision")

    def add_action(self) -> None:
        self.dialog(dialogs.ActionDialog(self.state, self.meeting_id, self._items, self), entity="meeting_action")

    def _action(self):
        row = self.table.current_row()
        if row is None:
            self.state.interaction.info("Choose an action", "Highlight an action first.")
        return row

    def edit_action(self) -> None:
        row = self._action()
        if row is not None:
            self.dialog(dialogs.ActionDialog(self.state, self.meeting_id, self._items, self, row=row),
                        entity="meeting_action")

    def mark_done(self) -> None:
        row = self._action()
        if row is not None:
            self.run(agenda_service.set_action_status, self.state.ctx, row.id, ActionStatus.DONE.value,
                     expected_version=row.version, entity="meeting_action")

    def delete_action(self) -> None:
        row = self._action()
        if row is not None and self.state.interaction.confirm("Delete action", f"Delete '{row.description}'?",
                                                              yes="Delete", no="Keep"):
            self.run(agenda_service.delete_action, self.state.ctx, row.id, expected_version=row.version,
                     entity="meeting_action")

    def carried_done(self) -> None:
        row = self.carried.current_row()
        if row is None:
            self.state.interaction.info("Choose an action", "Highlight an earlier action first.")
            return
        self.run(agenda_service.set_action_status, self.state.ctx, row.id, ActionStatus.DONE.value,
                 expected_version=row.version, entity="meeting_action")


# -- the pack ----------------------------------------------------------------------------------------------------
class PackTab(_Tab):
    def __init__(self, view):
        super().__init__(view)
        intro = QLabel("The pack is one PDF: a cover with the protective marking, contents, the agenda with timings "
                       "and content notes, who is invited, access arrangements, actions still open from earlier "
                       "meetings, \"you said, we did\", then the attached papers. Every page carries the marking "
                       "and \"Page X of Y\".")
        intro.setWordWrap(True)
        self.pseudonymise = QCheckBox("&Withhold names (members shown as Member A, Member B…)")
        a11y(self.pseudonymise, "Withhold names", "Show members as Member A, Member B… and leave out papers that "
             "name a member")
        self.large_print = QCheckBox("&Large print (16 point text)")
        a11y(self.large_print, "Large print", "Make the pack with 16 point body text")
        self.preview_btn = button("&Preview", "Make the pack and open it in your PDF viewer", self.preview)
        self.export_btn = button("E&xport pack…", "Save the pack as a PDF file", self.export)
        self.calendar_btn = button("Add to &calendar", "Save this meeting as a calendar file and open it in "
                                   "Outlook (or your calendar)", self.add_to_calendar)
        self.sent_btn = button("Mark pack as &sent…", "Record when the pack was sent to everyone invited",
                               self.mark_sent)
        self.status = QLabel()
        self.status.setAccessibleName("Pack status")
        self.status.setWordWrap(True)
        self.quiet = QLabel()
        self.quiet.setAccessibleName("Members not to send the pack to")
        self.quiet.setAccessibleDescription("Invited members in a quiet period today: nobody contacts them")
        self.quiet.setWordWrap(True)
        tone(self.quiet, "danger")
        self.quiet.hide()
        row = QHBoxLayout()
        for b in (self.preview_btn, self.export_btn, self.calendar_btn, self.sent_btn):
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.pseudonymise)
        lay.addWidget(self.large_print)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addWidget(self.quiet)
        lay.addStretch(1)
        self.last_result = None

    def reload(self) -> None:
        d = self.view.detail
        if d is None:
            return
        sent = f"Pack sent {uk_datetime(d.pack_sent_at)}." if d.pack_sent_at else "The pack has not been sent yet."
        marking = d.protective_marking or f"{self.view.details._office_marking()} (the office default)"
        self.status.setText(f"{sent} Marking: {marking}.")
        try:
            quiet = [r for r in attendance_service.invitations(self.state.ctx, d.id) if r.quiet_until]
        except UserError:
            quiet = []
        self.quiet.setText("Do not send the pack or the calendar file to: " + "; ".join(
            f"{r.name} (quiet period until {uk_date(r.quiet_until)})" for r in quiet) + "." if quiet else "")
        self.quiet.setVisible(bool(quiet))

    def _build(self, path: str, *, then) -> None:
        from lived_experience.exporting.pack import export_pack
        from ui.tasks import run_task

        ctx, mid = self.state.ctx, self.meeting_id
        pseudo, large = self.pseudonymise.isChecked(), self.large_print.isChecked()

        def work(progress):
            return export_pack(ctx, mid, path, pseudonymise=pseudo, large_print=large, progress=progress)

        run_task(self, work, label="Making the meeting pack…", on_done=then, on_error=self.state.interaction.error)

    def preview(self) -> None:
        folder = previews.new_folder(self.state.ctx.paths)
        path = folder / f"{_safe_name(self.view.detail.title)}-preview.pdf"

        def done(result):
            self.last_result = result
            self._tell_left_out(result)
            if not w.open_external(str(result.path)):
                self.state.interaction.info("Pack ready", f"The pack is at {result.path}. Open it with your PDF "
                                            "viewer.")

        self._build(str(path), then=done)

    def export(self) -> None:
        d = self.view.detail
        suggested = f"{_safe_name(d.title)}-{d.starts_at.strftime('%Y-%m-%d')}-pack.pdf"
        path = self.state.interaction.save_file("Export meeting pack", suggested, "PDF files (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"

        def done(result):
            self.last_result = result
            self.state.interaction.info("Pack saved", f"The pack ({result.pages} pages, marked {result.marking}) "
                                        f"is saved to {result.path}.")
            self._tell_left_out(result)
            self.status.setText(self.status.text() + f" Last exported to {result.path}.")

        self._build(path, then=done)

    def _tell_left_out(self, result) -> None:
        if result.papers_left_out:
            self.state.interaction.warn("Papers left out", "Not in this pack:\n" +
                                        "\n".join(f"• {x}" for x in result.papers_left_out))
        if getattr(result, "quiet_message", None):
            self.state.interaction.warn("Quiet period", result.quiet_message)

    def add_to_calendar(self) -> None:
        from lived_experience.exporting.calendar import export_calendar

        d = self.view.detail
        path = self.state.interaction.save_file("Save calendar file", f"{_safe_name(d.title)}.ics",
                                                "Calendar files (*.ics)")
        if not path:
            return
        if not path.lower().endswith(".ics"):
            path += ".ics"
        try:
            result = export_calendar(self.state.ctx, path, meeting_id=d.id)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.last_result = result
        if result.quiet_message:
            self.state.interaction.warn("Quiet period", result.quiet_message)
        if not w.open_external(str(result.path)):
            self.state.interaction.info("Calendar file saved", f"Saved to {result.path}. Open it to add the meeting "
                                        "to Outlook.")

    def mark_sent(self) -> None:
        self.dialog(dialogs.PackSentDialog(self.state, self.view.detail, self))


# -- the view -------------------------------------------------------------------------------------------------------
class MeetingView(QWidget):
    """The page for one meeting. ``closed`` asks the section to go back to the list."""

    closed = Signal()

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.meeting_id: int | None = None
        self.detail: service.MeetingDetail | None = None
        self.back_btn = button("◀ &Back to meetings", "Go back to the list of meetings (Alt+B)", self.closed.emit,
                               name="Back to meetings")
        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.heading.setAccessibleName("Meeting")
        self.heading.setWordWrap(True)
        f = self.heading.font()
        f.setBold(True)
        if f.pointSizeF() > 0:
            f.setPointSizeF(f.pointSizeF() * 1.3)
        self.heading.setFont(f)
        self.tabs = QTabWidget()
        a11y(self.tabs, "Meeting tabs", "Ctrl+Tab moves between the meeting's tabs")
        a11y(self.tabs.tabBar(), "Meeting tabs", "Details, invitations and attendance, agenda and papers, "
             "decisions and actions, the pack")
        self.details = DetailsTab(self)
        self.invitations = InvitationsTab(self)
        self.agenda = AgendaTab(self)
        self.actions = ActionsTab(self)
        self.pack = PackTab(self)
        for tab, title in [(self.details, "&Details"), (self.invitations, "&Invitations and attendance"),
                           (self.agenda, "Agenda and pape&rs"), (self.actions, "Decisions and ac&tions"),
                           (self.pack, "Pac&k")]:
            self.tabs.addTab(tab, title)
        top = QHBoxLayout()
        top.addWidget(self.back_btn)
        top.addWidget(self.heading, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        QShortcut(QKeySequence("Alt+Left"), self, activated=self.closed.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def open(self, meeting_id: int) -> None:
        self.meeting_id = meeting_id
        self.reload()

    def reload(self) -> None:
        if self.meeting_id is None:
            return
        self.detail = service.get_meeting(self.state.ctx, self.meeting_id)
        d = self.detail
        self.heading.setText(f"{d.title} - {d.type_label}, {uk_date(d.starts_at)} {uk_time(d.starts_at)} "
                             f"({d.status_label})")
        for tab in (self.details, self.invitations, self.agenda, self.actions, self.pack):
            tab.reload()

    def changed(self, entity: str = "meeting") -> None:
        """After a change: reload everything shown, and tell the rest of the app."""
        try:
            self.reload()
        except UserError:
            self.closed.emit()  # deleted
        self.state.notify(entity)
        if entity != "meeting":
            self.state.notify("meeting")
