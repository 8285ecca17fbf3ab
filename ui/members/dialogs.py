"""Forms of the Members section: start a term, set a status override, start a refresh,
edit contact and access, add a quiet period. Each form keeps what was typed when the
service refuses it, and shows the one plain-English reason."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from db.enums import Channel, ContactMethod, TermOverride
from lived_experience.core import clock
from lived_experience.core.formatting import uk_date
from lived_experience.members import contact as contact_service
from lived_experience.members import service
from lived_experience.members.status import term_end
from lived_experience.people.service import phone_for_display
from lived_experience.settings import load as load_settings
from ui.common.forms import EnumCombo, FormDialog, UkDateEdit, a11y, check_box, line_edit, text_box


def spin(label: str, lo: int, hi: int, value: int, description: str) -> QSpinBox:
    w = QSpinBox()
    w.setRange(lo, hi)
    w.setValue(int(value))
    a11y(w, label, description)
    a11y(w.lineEdit(), label, description)  # the box inside takes the focus
    return w


class CheckItems(QListWidget):
    """A list of ticked items, driven by keyboard (arrows and Space)."""

    def __init__(self, name: str, description: str, items: list[tuple[object, str, bool]], parent=None):
        super().__init__(parent)
        a11y(self, name, description)
        for value, text, checked in items:
            it = QListWidgetItem(text)
            it.setData(Qt.ItemDataRole.UserRole, value)
            it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.addItem(it)
        self.setMaximumHeight(max(60, min(200, 22 * max(3, len(items)))))

    def checked_values(self) -> list:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, value, on: bool) -> None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == value:
                self.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


# -- terms ---------------------------------------------------------------------------------
class StartTermDialog(FormDialog):
    """Start a term for someone who has accepted an offer."""

    def __init__(self, state, parent=None, *, candidates: list[service.TermCandidate],
                 person_id: int | None = None):
        super().__init__("Start a membership term", parent, ok_text="Start term",
                         intro="A term starts for an applicant who has accepted an offer and whose DBS check is "
                               "cleared. Their application moves to Member. The group has at most ten active members "
                               "on any date.")
        self.state = state
        self.settings = load_settings(state.ctx)
        self.candidates = candidates
        self.who = QComboBox()
        for c in candidates:
            tail = (", returning member" if c.returning else "") + (f"; {c.dbs_flag}" if c.dbs_flag else "")
            self.who.addItem(f"{c.name} ({c.window_name}: {c.stage.label}{tail})", c.application_id)
        self.add("&Applicant:", self.who, "The applicant who accepted an offer")
        self.starts = self.add("&Term starts:", UkDateEdit("Term starts", None, required=True))
        self.ends = QLabel()
        self.ends.setAccessibleName("Term ends")
        self.form.addRow("Term ends:", self.ends)
        self.notes = self.add("&Notes:", text_box("Notes", description="Anything to note about this term"))
        self.who.currentIndexChanged.connect(self._candidate_changed)
        self.starts.textChanged.connect(lambda _t: self._show_end())
        if person_id is not None:
            i = next((n for n, c in enumerate(candidates) if c.person_id == person_id), -1)
            if i >= 0:
                self.who.setCurrentIndex(i)
        self._candidate_changed(self.who.currentIndex())

    def candidate(self) -> service.TermCandidate | None:
        i = self.who.currentIndex()
        return self.candidates[i] if 0 <= i < len(self.candidates) else None

    def _candidate_changed(self, _i: int) -> None:
        c = self.candidate()
        if c is not None:
            self.starts.set_date(c.proposed_start)
        self._show_end()

    def _show_end(self) -> None:
        try:
            start = self.starts.date()
        except Exception:  # noqa: BLE001 - half-typed date: no preview yet
            start = None
        self.ends.setText(f"{uk_date(term_end(start, self.settings.term_months))} "
                          f"({self.settings.term_months} months, less a day)" if start else "")

    def save(self):
        c = self.candidate()
        if c is None:
            from lived_experience.core.errors import UserError

            raise UserError("Nobody is waiting to start a term: an applicant must accept an offer first.")
        return service.start_term(self.state.ctx, c.person_id, self.starts.date(), application_id=c.application_id,
                                  notes=self.notes.toPlainText())


class OverrideDialog(FormDialog):
    def __init__(self, state, parent=None, *, term: service.TermView, person_name: str):
        super().__init__(f"Status of {person_name}'s term", parent, ok_text="Save status",
                         intro=f"Term {uk_date(term.starts_on)} to {uk_date(term.ends_on)}: "
                               f"{term.status_text}. The term's dates stay as they are; pausing keeps the place, "
                               "stepping down or removal frees it from the date given.")
        self.state = state
        self.term = term
        self.status = self.add("&Status:", EnumCombo(TermOverride, "Status override", value=term.override,
                                                     empty="No override (as the dates say)"))
        default_from = term.override_from or max(clock.today(), term.starts_on)
        self.from_date = self.add("&From:", UkDateEdit("Applies from", min(default_from, term.ends_on)))
        self.reason = self.add("&Reason:", text_box("Reason", term.override_reason,
                                                    description="Why the status changes (kept with the term)"))

    def save(self):
        value = self.status.value()
        return service.set_override(self.state.ctx, self.term.id, value, reason=self.reason.toPlainText(),
                                    from_date=self.from_date.date() if value else None,
                                    expected_version=self.term.version)


class RefreshDialog(FormDialog):
    """The next recruitment window, pre-filled from the last one, and the members to invite."""

    def __init__(self, state, parent=None, *, proposal: service.RefreshProposal):
        intro = ("Creates the next recruitment window, filled in from "
                 f"'{proposal.previous_window_name}'," if proposal.previous_window_name else
                 "Creates the next recruitment window,")
        intro += " and marks the members ticked below as invited to re-apply. Check every field before saving."
        if proposal.upcoming_window:
            intro += f" Note: '{proposal.upcoming_window}' is already recruiting the next cohort."
        super().__init__("Start refresh", parent, ok_text="Create window", intro=intro)
        self.state = state
        self.proposal = p = proposal
        self.name = self.add("&Name:", line_edit("Window name", p.name, max_length=120))
        self.opens = self.add("&Opens:", UkDateEdit("Opens on", p.opens_on, required=True))
        self.closes = self.add("&Closes:", UkDateEdit("Closes on", p.closes_on, required=True))
        self.term_starts = self.add("New &terms start:", UkDateEdit("New terms start", p.term_starts_on, required=True))
        self.places = self.add("&Places:", spin("Places", 1, 10, p.places,
                                                "How many places the window offers (at most ten)"))
        methods = QWidget()
        row = QHBoxLayout(methods)
        row.setContentsMargins(0, 0, 0, 0)
        self.interview = check_box("&Interview", p.selection_interview, "Select by interview")
        self.video = check_box("&Video", p.selection_video, "Select by a submitted video")
        row.addWidget(self.interview)
        row.addWidget(self.video)
        row.addStretch(1)
        self.form.addRow("Selection by:", methods)
        chosen = dict(p.channels)
        self.channels = CheckItems("Advertised on", "The channels the window is advertised on; Space ticks",
                                   [(c.value, c.label, c.value in chosen) for c in Channel])
        self.add("A&dvertised on:", self.channels)
        self.other = self.add("Other c&hannel:", line_edit("Other channel", chosen.get(Channel.OTHER.value),
                                                           description="Which other channel, when Other is ticked"))
        self.advert = self.add("Ad&vert:", text_box("Advert text", p.advert_text, height=80))
        self.members = CheckItems(
            "Invite to re-apply", "Current members to mark as invited to re-apply; Space ticks",
            [(m.term_id, f"{m.name}: term ends {uk_date(m.ends_on)}"
              + (f" (invited {uk_date(m.invited_at)})" if m.invited_at else "")
              + (f" - quiet period until {uk_date(m.quiet_until)}: do not contact yet" if m.quiet_until else ""),
              m.invited_at is None)
             for m in p.members])
        self.add("&Invite to re-apply:", self.members)

    def save(self):
        channels = [(c, self.other.text() if c == Channel.OTHER.value else None)
                    for c in self.channels.checked_values()]
        return service.start_refresh(
            self.state.ctx, name=self.name.text(), opens_on=self.opens.date(), closes_on=self.closes.date(),
            term_starts_on=self.term_starts.date(), places=self.places.value(), channels=channels,
            selection_interview=self.interview.isChecked(), selection_video=self.video.isChecked(),
            advert_text=self.advert.toPlainText(), invite_term_ids=self.members.checked_values(),
            previous_window_id=self.proposal.previous_window_id)


# -- contact and access ----------------------------------------------------------------------
class ContactDialog(FormDialog):
    def __init__(self, state, parent=None, *, view: contact_service.ContactView):
        super().__init__(f"Contact and access: {view.name}", parent, ok_text="Save",
                         intro="Only use the ways marked safe. Quiet periods are added separately.")
        self.state = state
        self.view = view
        d = view.details
        self.fields: dict[str, QWidget] = {}

        def add(key, label, widget, description=None):
            self.fields[key] = self.add(label, widget, description)
            return widget

        add("preferred_name", "&Known as:", line_edit("Known as", d.preferred_name, max_length=100))
        add("pronouns", "&Pronouns:", line_edit("Pronouns", d.pronouns, max_length=40))
        add("email", "&Email:", line_edit("Email", d.email, max_length=254))
        add("phone", "P&hone:", line_edit("Phone", phone_for_display(d.phone), max_length=32))
        add("phone_alt", "Other phone:", line_edit("Other phone", phone_for_display(d.phone_alt), max_length=32))
        add("address_line1", "A&ddress:", line_edit("Address", d.address_line1))
        add("address_line2", "Address line 2:", line_edit("Address line 2", d.address_line2))
        add("town", "Town:", line_edit("Town", d.town, max_length=100))
        add("postcode", "Postcode:", line_edit("Home postcode", d.postcode, max_length=10))
        add("preferred_contact", "P&referred contact:",
            EnumCombo(ContactMethod, "Preferred contact", value=d.preferred_contact, empty="(not stated)"))
        safe = QWidget()
        grid = QHBoxLayout(safe)
        grid.setContentsMargins(0, 0, 0, 0)
        for key, text, desc in (("safe_to_phone", "Phone", "Safe to phone"),
                                ("safe_voicemail", "Voicemail", "Safe to leave a voicemail"),
                                ("safe_text", "Text", "Safe to send a text message"),
                                ("safe_post", "Post", "Safe to send post to the address"),
                                ("safe_email", "Email", "Safe to email")):
            box = check_box(text, getattr(d, key), desc)
            box.setAccessibleName(desc)
            self.fields[key] = box
            grid.addWidget(box)
        grid.addStretch(1)
        self.form.addRow("Safe to:", safe)
        add("times_to_avoid", "&Times to avoid:", line_edit("Times to avoid", d.times_to_avoid))
        add("contact_notes", "Contact n&otes:", text_box("Contact notes", d.contact_notes))
        add("interpreter_language", "&Interpreter:", line_edit("Interpreter language", d.interpreter_language, max_length=60,
                                                               description="The language an interpreter is needed for"))
        self.fields["needs_bsl"] = bsl = check_box("Needs a &BSL interpreter", d.needs_bsl,
                                                   "British Sign Language interpreter needed")
        self.form.addRow("", bsl)
        add("accessibility_needs", "A&ccess needs:", text_box("Access needs", d.accessibility_needs))
        add("support_person", "&Support person:", line_edit("Support person", d.support_person))

    def values(self) -> dict:
        out = {}
        for key, w in self.fields.items():
            if isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, EnumCombo):
                out[key] = w.value()
            elif isinstance(w, QPlainTextEdit):
                out[key] = w.toPlainText()
            else:
                out[key] = w.text()
        return out

    def save(self):
        current = dataclasses.asdict(self.view.details)
        for key in ("phone", "phone_alt"):
            current[key] = phone_for_display(current[key])
        changes = {k: v for k, v in self.values().items() if (v or None) != (current.get(k) or None)}
        if not changes:
            return self.view
        return contact_service.update_contact(self.state.ctx, self.view.person_id, changes,
                                              expected_version=self.view.version)


class QuietPeriodDialog(FormDialog):
    def __init__(self, state, parent=None, *, person_id: int, person_name: str,
                 existing: contact_service.QuietPeriodView | None = None):
        super().__init__(f"Quiet period: {person_name}", parent, ok_text="Save",
                         intro="Nobody contacts the member on these days (inclusive): no invitations, packs, calls "
                               "or letters. For example around a trial.")
        self.state = state
        self.person_id = person_id
        self.existing = existing
        today = clock.today()
        self.starts = self.add("&First day:", UkDateEdit("First day", existing.starts_on if existing else today,
                                                         required=True))
        self.ends = self.add("&Last day:", UkDateEdit("Last day", existing.ends_on if existing
                                                      else today + dt.timedelta(days=28), required=True))
        self.reason = self.add("&Reason:", line_edit("Reason", existing.reason if existing else None,
                                                     description="Why (seen only by staff who may see contact details)"))

    def save(self):
        if self.existing:
            return contact_service.change_quiet_period(self.state.ctx, self.existing.id, self.starts.date(),
                                                       self.ends.date(), self.reason.text(),
                                                       expected_version=self.existing.version)
        return contact_service.add_quiet_period(self.state.ctx, self.person_id, self.starts.date(), self.ends.date(),
                                                self.reason.text())
