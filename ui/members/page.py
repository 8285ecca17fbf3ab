"""The Members section: the roster and a member's page side by side, and the expenses.

The roster shows each member's latest term: dates, status, days left, DBS state
and access needs at a glance (coloured, and always in words too). The actions
act on the selected member; every one is a button with a keyboard shortcut.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QTabWidget, QVBoxLayout, QWidget

from lived_experience.core.errors import UserError
from lived_experience.core.formatting import uk_date
from lived_experience.members import contact as contact_service
from lived_experience.members import service
from lived_experience.security.permissions import Perm
from ui.common.list_page import ListPage
from ui.common.section_page import heading
from ui.members import expenses as expenses_ui
from ui.members.dialogs import (
    ContactDialog,
    OverrideDialog,
    QuietPeriodDialog,
    RefreshDialog,
    StartTermDialog,
)
from ui.members.member_panel import MemberPanel
from ui.members.widgets import DBS_TONES, TERM_TONES, ToneDelegate, button, note
from ui.theme import tone


def run_dialog(dialog) -> bool:
    """Run a form modally (tests replace ``expenses_ui._exec`` to fill it in)."""
    return expenses_ui._exec(dialog)


class MembersPage(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Members", "Members' terms, DBS state, access needs and expenses. Select a member "
                                         "to see their page."))
        banner = QHBoxLayout()
        self.refresh_note = note("", "Refresh of the group")
        tone(self.refresh_note, "caution")
        banner.addWidget(self.refresh_note, 1)
        lay.addLayout(banner)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Members areas")
        self.tabs.setAccessibleDescription("The roster of members, or every expense claim")
        self.tabs.tabBar().setAccessibleName("Members areas tabs")
        self.tabs.tabBar().setAccessibleDescription("Roster or expenses")
        lay.addWidget(self.tabs, 1)

        roster = QWidget()
        rlay = QVBoxLayout(roster)
        rlay.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        self.start_term_button = button("&Start term…", "Start term", "Start a membership term for an applicant "
                                        "who has accepted an offer", self.start_term)
        self.override_button = button("Set status &override…", "Set status override",
                                      "Pause the selected member's term, or record that they stepped down or were "
                                      "removed", self.set_override)
        self.refresh_button = button("Start refres&h…", "Start refresh", "Create the next recruitment window and "
                                     "invite current members to re-apply", self.start_refresh)
        self.contact_button = button("&Edit contact and access…", "Edit contact and access",
                                     "Change the selected member's contact details, safe-contact preferences and "
                                     "access needs", self.edit_contact)
        self.quiet_button = button("Add &quiet period…", "Add quiet period",
                                   "Dates on which nobody contacts the selected member", self.add_quiet_period)
        self.claim_button = button("New c&laim…", "New expense claim", "Record an expense claim for the selected "
                                   "member", self.new_claim)
        for b in (self.start_term_button, self.override_button, self.refresh_button, self.contact_button,
                  self.quiet_button, self.claim_button):
            actions.addWidget(b)
        actions.addStretch(1)
        rlay.addLayout(actions)

        self.list = ListPage(state, "members", roster)
        self.list.extra_entities = ("membership_term", "dbs_check", "quiet_period", "application")
        cols = self.list.model.visible_columns()
        for key, tones in (("status", TERM_TONES), ("dbs_status", DBS_TONES)):
            i = next((n for n, c in enumerate(cols) if c.key == key), None)
            if i is not None:
                self.list.table.setItemDelegateForColumn(i, ToneDelegate(tones, self.list.table))
        self.panel = MemberPanel(state, roster)
        # The roster above (every column visible), the member's page below.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 360])
        rlay.addWidget(self.splitter, 1)
        self.tabs.addTab(roster, "&Roster")

        self.expenses = expenses_ui.ExpensesPage(state, self)
        self.tabs.addTab(self.expenses, "E&xpenses")

        self.list.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.list.model.modelReset.connect(self._reset)
        self.list.activated.connect(lambda _row: self.panel.tabs.setFocus())
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        state.changed.connect(self._on_changed)
        self._update_buttons()
        self._update_refresh_note()

    # -- selection -------------------------------------------------------------------------
    def _reset(self) -> None:
        self.list.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self._row_changed(self.list.table.currentIndex(), None)

    def _row_changed(self, current, _previous=None) -> None:
        row = self.list.model.row_at(current.row()) if current is not None and current.isValid() else None
        self.panel.set_person(row["id"] if row else None)
        self._update_buttons()

    def selected_person(self) -> int | None:
        row = self.list.selected_row()
        return row["id"] if row else None

    def _update_buttons(self) -> None:
        can_write = self.state.ctx.actor.can(Perm.WRITE)
        chosen = self.selected_person() is not None
        for b in (self.start_term_button, self.refresh_button):
            b.setEnabled(can_write)
        for b in (self.override_button, self.contact_button, self.quiet_button, self.claim_button):
            b.setEnabled(can_write and chosen)

    def _on_changed(self, entity: str) -> None:
        if entity in ("*", "membership_term", "recruitment_window", "person", "quiet_period", "dbs_check",
                      "expense_claim", "application"):
            self._update_refresh_note()
            if self.panel.person_id is not None:
                self.panel.reload()

    def refresh(self) -> None:
        self.state.notify("person")

    def _update_refresh_note(self) -> None:
        try:
            p = service.refresh_proposal(self.state.ctx)
        except UserError:
            self.refresh_note.hide()
            return
        if p.due:
            self.refresh_note.setText(f"{p.message}. Use Start refresh to create the next window.")
        elif p.upcoming_window and p.members and any(m.status.value == "ending_soon" for m in p.members):
            invited = sum(1 for m in p.members if m.invited_at)
            self.refresh_note.setText(f"Refresh under way: '{p.upcoming_window}' recruits the next cohort; "
                                      f"{invited} of {len(p.members)} current members invited to re-apply.")
        else:
            self.refresh_note.setText("")
        self.refresh_note.setVisible(bool(self.refresh_note.text()))

    def open_record(self, entity: str, entity_id: int) -> None:
        """Dashboard and search links: a person, an expense claim, or the refresh."""
        if entity == "recruitment_window":
            self.tabs.setCurrentIndex(0)
            self.refresh_button.setFocus()
            self.start_refresh()
        elif entity == "expense_claim":
            self.tabs.setCurrentWidget(self.expenses)
            self.expenses.select_claim(entity_id)
        elif entity_id:
            self.tabs.setCurrentIndex(0)
            self.list.select_id(entity_id)

    # -- actions ---------------------------------------------------------------------------------
    def _done(self, entity: str, person_id: int | None = None) -> None:
        self.state.notify(entity)
        if person_id is not None:
            self.list.select_id(person_id)
        self.panel.reload()

    def _needs_person(self) -> int | None:
        pid = self.selected_person()
        if pid is None:
            self.state.interaction.info("Members", "Select a member in the roster first.")
        return pid

    def start_term(self) -> None:
        try:
            candidates = service.term_candidates(self.state.ctx)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        if not candidates:
            self.state.interaction.info("Start term", "Nobody is waiting to start a term. An applicant's "
                                        "application must be at Accepted (or DBS cleared) first.")
            return
        dlg = StartTermDialog(self.state, self, candidates=candidates)
        if not run_dialog(dlg):
            return
        started: service.StartedTerm = dlg.result_value
        self._done("membership_term", started.term.person_id)
        if started.dbs_flag:
            self.state.interaction.warn("Term started", f"The term was started. Note: {started.dbs_flag}: the "
                                        "member is flagged wherever they are invited until their DBS check is "
                                        "cleared.")

    def _current_or_latest_term(self, person_id: int) -> service.TermView | None:
        terms = service.terms_for(self.state.ctx, person_id)
        return next((t for t in terms if t.status.value in ("active", "ending_soon", "paused", "upcoming")),
                    terms[0] if terms else None)

    def set_override(self) -> None:
        pid = self._needs_person()
        if pid is None:
            return
        try:
            term = self._current_or_latest_term(pid)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        if term is None:
            self.state.interaction.info("Set status override", "This person has no term.")
            return
        name = self.list.selected_row()["name"]
        if run_dialog(OverrideDialog(self.state, self, term=term, person_name=name)):
            self._done("membership_term", pid)

    def start_refresh(self) -> None:
        try:
            proposal = service.refresh_proposal(self.state.ctx)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        dlg = RefreshDialog(self.state, self, proposal=proposal)
        if not run_dialog(dlg):
            return
        res: service.RefreshResult = dlg.result_value
        self._done("recruitment_window")
        self.state.notify("membership_term")
        self.state.interaction.info("Refresh started", f"'{res.window_name}' was created, and {res.invited} "
                                    f"{'member was' if res.invited == 1 else 'members were'} marked as invited to "
                                    "re-apply. Open Recruitment to check the window before it opens.")
        if res.quiet_message:
            self.state.interaction.warn("Quiet period", res.quiet_message)

    def edit_contact(self) -> None:
        pid = self._needs_person()
        if pid is None:
            return
        try:
            view = contact_service.get_contact(self.state.ctx, pid)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        if run_dialog(ContactDialog(self.state, self, view=view)):
            self._done("person", pid)

    def add_quiet_period(self) -> None:
        pid = self._needs_person()
        if pid is None:
            return
        name = self.list.selected_row()["name"]
        dlg = QuietPeriodDialog(self.state, self, person_id=pid, person_name=name)
        if run_dialog(dlg):
            q = dlg.result_value
            self._done("quiet_period", pid)
            self.state.interaction.info("Quiet period", f"No contact with {name} from {uk_date(q.starts_on)} to "
                                        f"{uk_date(q.ends_on)}.")

    def new_claim(self) -> None:
        pid = self._needs_person()
        if pid is None:
            return
        # An involvement payment is confirmed inside the form, after its warning.
        if expenses_ui.open_claim_dialog(self.state, self, {"person_id": pid}) is not None:
            self.panel.reload()

    def save_layout(self) -> None:
        self.list.save_layout()
        self.expenses.save_layout()
