"""A member's page: who they are at a glance, then tabs for term history, DBS,
expenses, contact and access, attendance and feedback given.

The overview (terms, attendance, feedback, expenses) loads when a member is
chosen. Contact details and the DBS record are each behind their own
permission and every view of them is audited, so those tabs load only when
they are opened (and say why not, for a role that may not see them).
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from db.enums import DbsStatus
from lived_experience.core.errors import UserError
from lived_experience.core.formatting import pounds, uk_date, uk_datetime
from lived_experience.members import contact as contact_service
from lived_experience.members import dbs as dbs_service
from lived_experience.members import expenses as expense_service
from lived_experience.members import service
from lived_experience.people.service import phone_for_display
from lived_experience.security.permissions import DESCRIPTIONS, Perm
from ui.members.widgets import (
    DBS_TONES,
    EXPENSE_TONES,
    TERM_TONES,
    Column,
    TableModel,
    button,
    fit,
    note,
    table_view,
)
from ui.theme import title_font, tone

TERM_COLUMNS = [
    Column("Starts", lambda t: uk_date(t.starts_on)),
    Column("Ends", lambda t: uk_date(t.ends_on)),
    Column("Status", lambda t: t.status_text, lambda t: TERM_TONES.get(t.status.value)),
    Column("Days left", lambda t: "" if t.days_remaining is None else str(t.days_remaining), align_right=True),
    Column("Recruited in", lambda t: t.window_name or ""),
    Column("Reason", lambda t: t.override_reason or ""),
    Column("Set by", lambda t: f"{t.override_set_by or ''} {uk_datetime(t.override_set_at)}".strip()
           if t.override_set_at else ""),
    Column("Invited to re-apply", lambda t: f"{uk_date(t.invited_to_reapply_at)} ({t.refresh_window_name})"
           if t.invited_to_reapply_at else ""),
]
APPLICATION_COLUMNS = [
    Column("Window", lambda a: a.window_name),
    Column("Received", lambda a: uk_date(a.received_on)),
    Column("Stage", lambda a: a.stage.label),
    Column("Re-application", lambda a: "Yes" if a.invited_to_reapply else ""),
]
CLAIM_COLUMNS = [
    Column("Date", lambda c: uk_date(c.incurred_on)),
    Column("Kind", lambda c: c.kind.label),
    Column("Description", lambda c: c.description or ""),
    Column("Miles", lambda c: expense_service.miles_text(c.miles_tenths), align_right=True),
    Column("Amount", lambda c: pounds(c.amount_pence), align_right=True),
    Column("Status", lambda c: c.status_text, lambda c: EXPENSE_TONES.get(c.status.value)),
]
ATTENDANCE_COLUMNS = [
    Column("Date", lambda a: uk_datetime(a.starts_at)),
    Column("Meeting", lambda a: a.title),
    Column("Type", lambda a: a.meeting_type.label if a.meeting_type else ""),
    Column("Reply", lambda a: a.response.label if a.response else ""),
    Column("Attendance", lambda a: a.attendance_text),
    Column("How", lambda a: a.mode.label if a.mode else ""),
]
FEEDBACK_COLUMNS = [
    Column("Received", lambda f: uk_date(f.received_on)),
    Column("Summary", lambda f: f.summary + (" (anonymous)" if f.anonymous else "")),
    Column("Status", lambda f: f.status.label if f.status else ""),
]
DBS_COLUMNS = [
    Column("Requested", lambda c: uk_date(c.requested_on)),
    Column("Reference", lambda c: c.application_reference or ""),
    Column("Certificate", lambda c: c.certificate_number or ""),
    Column("Issued", lambda c: uk_date(c.issue_date)),
    Column("Level", lambda c: c.level.label if c.level else ""),
    Column("Workforce", lambda c: c.workforce.label if c.workforce else ""),
    Column("Update Service", lambda c: "Yes" if c.update_service else "No"),
    Column("Checked", lambda c: f"{c.checked_by or ''} {uk_date(c.checked_on)}".strip()),
    Column("Decision", lambda c: f"{c.decision.label} {uk_date(c.decision_on)}" if c.decision else "",
           lambda c: DBS_TONES.get(c.status.value)),
    Column("Recheck due", lambda c: uk_date(c.recheck_due_on)),
    Column("Renewal", lambda c: "Under way" if c.renewal_in_progress else ""),
    Column("Disclosure", lambda c: _disclosure(c)),
]
QUIET_COLUMNS = [
    Column("From", lambda q: uk_date(q.starts_on)),
    Column("To", lambda q: uk_date(q.ends_on)),
    Column("Now", lambda q: "In force" if q.current else "", lambda q: "bad" if q.current else None),
    Column("Reason", lambda q: q.reason or ""),
]


def _disclosure(c: dbs_service.DbsCheckView) -> str:
    parts = []
    if c.disclosure_summary:
        parts.append(c.disclosure_summary)
    if c.disclosure_detail:
        parts.append(f"Detail kept until {uk_date(c.disclosure_remove_on)}: {c.disclosure_detail}")
    elif c.disclosure_purged_at:
        parts.append(f"(detail removed {uk_date(c.disclosure_purged_at)})")
    return " ".join(parts)


def _tab(*widgets) -> QWidget:
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(4, 4, 4, 4)
    for x in widgets:
        lay.addWidget(x, 1 if hasattr(x, "model") else 0)
    return w


class MemberPanel(QWidget):
    TABS = ("terms", "dbs", "expenses", "contact", "attendance", "feedback")

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.person_id: int | None = None
        self.overview: service.MemberOverview | None = None
        self.contact: contact_service.ContactView | None = None
        self.dbs: dbs_service.PersonDbs | None = None
        self._loaded: set[str] = set()
        self.setAccessibleName("Member")

        self.empty = note("Select a member in the roster to see their page.", "No member selected")
        self.title = QLabel()
        self.title.setObjectName("memberName")
        self.title.setFont(title_font())
        self.title.setWordWrap(True)
        self.summary = note("", "Member summary")
        self.flags = note("", "Things to know before contacting this member")
        self.flags.setObjectName("memberFlags")

        ctx = state.ctx
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Member details")
        self.tabs.setAccessibleDescription("Term history, DBS, expenses, contact and access, attendance and "
                                           "feedback given")
        self.tabs.tabBar().setAccessibleName("Member details tabs")
        self.tabs.tabBar().setAccessibleDescription("Choose a part of the member's record; Ctrl+Tab moves on")

        self.term_model = TableModel(TERM_COLUMNS, self)
        self.term_view = table_view("Term history", "Each term, newest first, with its status", self.term_model)
        self.app_model = TableModel(APPLICATION_COLUMNS, self)
        self.app_view = table_view("Applications", "Every application this person made: re-applicants keep "
                                   "their history", self.app_model)
        self.tabs.addTab(_tab(self.term_view, QLabel("Applications:"), self.app_view), "&Term history")

        self.dbs_model = TableModel(DBS_COLUMNS, self)
        self.dbs_view = table_view("DBS checks", "Each DBS check of this member, newest first", self.dbs_model)
        self.dbs_note = note("", "DBS")
        self.dbs_stack = QStackedWidget()
        self.dbs_stack.addWidget(self.dbs_view)
        self.tabs.addTab(_tab(self.dbs_note, self.dbs_stack), "&DBS")

        self.claim_model = TableModel(CLAIM_COLUMNS, self)
        self.claim_view = table_view("Expense claims", "This member's expense claims, newest first",
                                     self.claim_model)
        self.claim_totals = note("", "Expense totals")
        self.tabs.addTab(_tab(self.claim_totals, self.claim_view), "Ex&penses")

        self.contact_text = note("", "Contact and access")
        self.quiet_model = TableModel(QUIET_COLUMNS, self)
        self.quiet_view = table_view("Quiet periods", "Dates on which nobody contacts the member",
                                     self.quiet_model)
        self.quiet_label = QLabel("Quiet periods:")
        quiet_actions = QWidget()
        qa = QHBoxLayout(quiet_actions)
        qa.setContentsMargins(0, 0, 0, 0)
        self.change_quiet_button = button("Chan&ge quiet period…", "Change quiet period",
                                          "Change the dates or reason of the selected quiet period",
                                          self.change_quiet_period)
        self.end_quiet_button = button("Remo&ve quiet period", "Remove quiet period",
                                       "Remove the selected quiet period (for example when a trial ends early)",
                                       self.end_quiet_period)
        qa.addWidget(self.quiet_label, 1)
        qa.addWidget(self.change_quiet_button)
        qa.addWidget(self.end_quiet_button)
        self.quiet_view.selectionModel().currentRowChanged.connect(lambda *_: self._enable_quiet())
        self.quiet_model.modelReset.connect(self._enable_quiet)
        self.tabs.addTab(_tab(self.contact_text, quiet_actions, self.quiet_view), "&Contact and access")

        self.attendance_model = TableModel(ATTENDANCE_COLUMNS, self)
        self.attendance_view = table_view("Attendance", "Meetings this member was invited to, and whether they "
                                          "came", self.attendance_model)
        self.tabs.addTab(_tab(self.attendance_view), "Atte&ndance")

        self.feedback_model = TableModel(FEEDBACK_COLUMNS, self)
        self.feedback_view = table_view("Feedback given", "Feedback items this member gave", self.feedback_model)
        self.feedback_note = note("", "Feedback note")
        self.tabs.addTab(_tab(self.feedback_note, self.feedback_view), "&Feedback given")

        self.can_dbs = ctx.actor.can(Perm.DBS_READ)
        self.can_contact = ctx.actor.can(Perm.CONTACT_READ)

        top = QWidget()
        head = QVBoxLayout(top)
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title)
        head.addWidget(self.summary)
        head.addWidget(self.flags)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(top)
        body.addWidget(self.tabs, 1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.empty)
        lay.addWidget(self.body, 1)
        self.body.hide()
        self.tabs.currentChanged.connect(lambda _i: self._load_current_tab())

    # -- loading ----------------------------------------------------------------------------
    def set_person(self, person_id: int | None) -> None:
        if person_id == self.person_id and person_id is not None:
            return
        self.person_id = person_id
        self.reload()

    def reload(self) -> None:
        self._loaded.clear()
        self.contact = None
        self.dbs = None
        if self.person_id is None:
            self.overview = None
            self.body.hide()
            self.empty.show()
            return
        try:
            self.overview = service.member_overview(self.state.ctx, self.person_id)
            claims = expense_service.claims_for(self.state.ctx, self.person_id)
            totals = expense_service.totals(self.state.ctx, person_id=self.person_id)
        except UserError as exc:
            self.state.interaction.error(exc)
            self.overview = None
            self.body.hide()
            self.empty.show()
            return
        o = self.overview
        self.empty.hide()
        self.body.show()
        self.title.setText(o.known_as + (f" ({o.pronouns})" if o.pronouns else ""))
        self.title.setAccessibleName(f"Member: {o.known_as}")
        current = o.current or (o.terms[0] if o.terms else None)
        bits = []
        if current is not None:
            bits.append(f"Term {uk_date(current.starts_on)} to {uk_date(current.ends_on)}: {current.status_text}"
                        + (f", {current.days_remaining} days left" if current.days_remaining is not None
                           and current.status.value in ("active", "ending_soon") else ""))
        else:
            bits.append("No membership term yet.")
        if o.dbs_status is not None:
            bits.append(f"DBS: {o.dbs_status.label}")
        bits.append(f"Access needs: {o.access}")
        self.summary.setText(". ".join(bits) + ".")
        flags = []
        if o.dbs_flag:
            flags.append(f"Not cleared to take part: {o.dbs_flag}.")
        for q in o.quiet:
            if q.current:
                flags.append(f"Quiet period: do not contact until {uk_date(q.ends_on)}.")
            else:
                flags.append(f"Quiet period planned {uk_date(q.starts_on)} to {uk_date(q.ends_on)}.")
        self.flags.setText(" ".join(flags))
        # Not cleared, or in a quiet period now: stop. Only a quiet period planned for later: take care.
        urgent = bool(o.dbs_flag) or any(q.current for q in o.quiet)
        tone(self.flags, ("danger" if urgent else "caution") if flags else None)
        self.flags.setVisible(bool(flags))
        self.term_model.set_rows(o.terms)
        self.app_model.set_rows(o.applications)
        self.claim_model.set_rows(claims)
        self.claim_totals.setText(
            f"{pounds(totals.overall.total_pence)} in {totals.overall.claims} claims "
            f"({pounds(totals.overall.paid_pence)} paid, {pounds(totals.overall.approved_pence)} approved, "
            f"{pounds(totals.overall.submitted_pence)} waiting); {totals.rejected} rejected.")
        self.attendance_model.set_rows(o.attendance)
        self.feedback_model.set_rows(o.feedback)
        attended = sum(1 for a in o.attendance if a.attendance and a.attendance.value in ("attended", "left_early"))
        self.feedback_note.setText(
            f"{len(o.feedback)} items."
            + (" Feedback given anonymously is never listed here: your role does not allow you to "
               f"{DESCRIPTIONS[Perm.ANONYMOUS_SOURCE]}." if o.anonymous_withheld else ""))
        self.attendance_view.setAccessibleDescription(
            f"Meetings this member was invited to: {len(o.attendance)}, attended {attended}")
        for v in (self.term_view, self.app_view, self.claim_view, self.attendance_view, self.feedback_view):
            fit(v)
        self._show_dbs_placeholder()
        self._show_contact_placeholder()
        self._load_current_tab()

    def _show_dbs_placeholder(self) -> None:
        o = self.overview
        if not self.can_dbs:
            status = f" This member's DBS check: {o.dbs_status.label}." if o and o.dbs_status else ""
            self.dbs_note.setText(
                f"Your role ({self.state.ctx.actor.role.label}) does not allow you to {DESCRIPTIONS[Perm.DBS_READ]}: "
                f"only DBS officers and administrators can.{status}")
            self.dbs_view.hide()
        else:
            self.dbs_note.setText("Open this tab to see the DBS record (each view is recorded in the audit log).")
            self.dbs_model.set_rows([])

    def _show_contact_placeholder(self) -> None:
        if not self.can_contact:
            self.contact_text.setText(f"Your role ({self.state.ctx.actor.role.label}) does not allow you to "
                                      f"{DESCRIPTIONS[Perm.CONTACT_READ]}. Access needs: "
                                      f"{self.overview.access if self.overview else ''}.")
        else:
            self.contact_text.setText("Open this tab to see contact details (each view is recorded in the audit "
                                      "log).")
        self.quiet_model.set_rows([])

    def current_tab_key(self) -> str:
        return self.TABS[self.tabs.currentIndex()]

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(self.TABS.index(key))
        self._load_current_tab()

    def _load_current_tab(self) -> None:
        if self.person_id is None or self.overview is None or not self.isVisibleTo(self.window()):
            return
        key = self.current_tab_key()
        if key in self._loaded:
            return
        if key == "dbs" and self.can_dbs:
            self._loaded.add(key)
            try:
                self.dbs = dbs_service.person_dbs(self.state.ctx, self.person_id)
            except UserError as exc:
                self.dbs_note.setText(exc.message)
                return
            d = self.dbs
            self.dbs_view.show()
            self.dbs_model.set_rows(d.checks)
            fit(self.dbs_view)
            text = f"{d.status.label}." + (f" {d.flag}." if d.flag else "")
            if d.status is DbsStatus.NONE:
                text += " No DBS check has been recorded."
            ups = [u for c in d.checks for u in c.update_checks]
            if ups:
                text += " Update Service checks: " + "; ".join(
                    f"{uk_date(u.checked_on)} {u.result.label.lower()}"
                    f"{' (consent recorded)' if u.consent_recorded else ''}" for u in ups[:5]) + "."
            self.dbs_note.setText(text)
        elif key == "contact" and self.can_contact:
            self._loaded.add(key)
            try:
                self.contact = contact_service.get_contact(self.state.ctx, self.person_id)
            except UserError as exc:
                self.contact_text.setText(exc.message)
                return
            c = self.contact
            d = c.details
            lines = [
                f"Known as: {d.preferred_name or d.first_name}" + (f" ({d.pronouns})" if d.pronouns else ""),
                f"Safe contact: {c.summary}",
                f"Email: {d.email or '(none)'}    Phone: {phone_for_display(d.phone) or '(none)'}"
                + (f"    Other phone: {phone_for_display(d.phone_alt)}" if d.phone_alt else ""),
                "Address: " + (", ".join(x for x in (d.address_line1, d.address_line2, d.town, d.postcode) if x)
                               or "(none)"),
                f"Times to avoid: {d.times_to_avoid or '(none)'}",
                f"Access needs: {c.access}"
                + (f". {d.accessibility_needs}" if d.accessibility_needs else "")
                + (f". Support person: {d.support_person}" if d.support_person else ""),
            ]
            if d.contact_notes:
                lines.append(f"Notes: {d.contact_notes}")
            if c.quiet_now:
                lines.insert(0, f"QUIET PERIOD: do not contact until {uk_date(c.quiet_now.ends_on)}.")
            self.contact_text.setText("\n".join(lines))
            self.quiet_model.set_rows(c.quiet_periods)
            self.quiet_label.setText("Quiet periods:" if c.quiet_periods else "Quiet periods: none recorded.")
            fit(self.quiet_view)
            self._enable_quiet()

    # -- quiet periods ---------------------------------------------------------------------
    def _selected_quiet(self) -> contact_service.QuietPeriodView | None:
        idx = self.quiet_view.currentIndex()
        return self.quiet_model.row_at(idx.row()) if idx.isValid() else None

    def _enable_quiet(self) -> None:
        ok = self.state.ctx.actor.can(Perm.WRITE) and self._selected_quiet() is not None
        self.change_quiet_button.setEnabled(ok)
        self.end_quiet_button.setEnabled(ok)

    def change_quiet_period(self) -> None:
        from ui.members.dialogs import QuietPeriodDialog
        from ui.members.expenses import _exec

        q = self._selected_quiet()
        if q is None or self.overview is None:
            return
        if _exec(QuietPeriodDialog(self.state, self, person_id=q.person_id, person_name=self.overview.known_as,
                                   existing=q)):
            self.state.notify("quiet_period")

    def end_quiet_period(self) -> None:
        q = self._selected_quiet()
        if q is None:
            return
        if not self.state.interaction.confirm("Remove quiet period", f"Remove the quiet period {q.text}? The member "
                                              "can be contacted on those days again.", yes="Remove", no="Keep"):
            return
        try:
            contact_service.end_quiet_period(self.state.ctx, q.id, expected_version=q.version)
        except UserError as exc:
            self.state.interaction.error(exc)
            return
        self.state.notify("quiet_period")

    def showEvent(self, event):
        super().showEvent(event)
        self._load_current_tab()
