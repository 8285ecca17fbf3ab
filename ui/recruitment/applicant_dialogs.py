"""Dialogs for applicants: add/edit, move to a stage, eligibility decision,
record an assessment, equality monitoring. Each keeps the version it loaded;
the services check the rules and a refusal shows inside the dialog."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QWidget,
)

from db.enums import (
    Basis,
    Channel,
    ContactMethod,
    DecisionReason,
    EligibilityDecision,
    ExperienceArea,
    SelectionMethod,
    Stage,
)
from lived_experience.core import clock
from lived_experience.people.identity import display_phone
from lived_experience.people.service import PersonDetails
from lived_experience.recruitment import applicants as service
from lived_experience.recruitment import assessment as assess_service
from lived_experience.recruitment import eligibility as elig_service
from lived_experience.recruitment import equality as eq_service
from lived_experience.recruitment import pipeline
from lived_experience.recruitment.windows import window_choices
from lived_experience.security.permissions import Perm
from ui.common.forms import EnumCombo, FormDialog, UkDateEdit, a11y, check_box, line_edit
from ui.recruitment.common import name_inner_widgets


def _text(value: str | None, name: str, description: str, *, height: int = 70) -> QPlainTextEdit:
    w = QPlainTextEdit(value or "")
    w.setTabChangesFocus(True)
    w.setMaximumHeight(height * 2)
    w.setMinimumHeight(height)
    return a11y(w, name, description)


def _form_page() -> tuple[QWidget, QFormLayout]:
    w = QWidget()
    f = QFormLayout(w)
    f.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return w, f


def equality_combo(question: eq_service.Question, value: str | None) -> QComboBox:
    box = QComboBox()
    box.addItem(eq_service.NOT_STATED_LABEL, None)
    for o in question.options:
        box.addItem(o.label, o.value)
    i = box.findData(value)
    box.setCurrentIndex(i if i >= 0 else 0)
    return a11y(box, question.short, question.label + " (optional; 'Prefer not to say' is always an answer)")


class ApplicantDialog(FormDialog):
    """Add applicant… and Edit applicant…: the person, how to contact them safely, the application,
    and (when adding, for roles that may) the optional equality monitoring questions."""

    def __init__(self, state, parent=None, *, detail: service.ApplicantDetail | None = None,
                 window_id: int | None = None):
        title = f"Edit {detail.name}" if detail else "Add applicant"
        super().__init__(title, parent, ok_text="Save" if detail else "Add applicant",
                         intro=("Only first and last name are needed; add what the applicant gave. "
                                "Ctrl+Tab moves between the tabs; Ctrl+Enter saves."))
        self.state = state
        self.detail = detail
        p = detail.person if detail else PersonDetails()
        a = detail.application if detail else service.ApplicationDetails(window_id=window_id)
        self.tabs = a11y(QTabWidget(), "Applicant details", "The applicant's details, one tab at a time")
        self.form.addRow(self.tabs)

        # -- the person ---------------------------------------------------------------------------
        page, f = _form_page()
        self.first = line_edit("First name", p.first_name, description="The applicant's first name", max_length=100)
        self.last = line_edit("Last name", p.last_name, description="The applicant's last name", max_length=100)
        self.preferred = line_edit("Known as", p.preferred_name, description="The name they like to be called",
                                   max_length=100)
        self.pronouns = line_edit("Pronouns", p.pronouns, description="For example she/her", max_length=40)
        self.dob = UkDateEdit("Date of birth", p.date_of_birth)
        self.email = line_edit("Email", p.email, description="Email address", max_length=254)
        self.phone = line_edit("Phone", display_phone(p.phone) if p.phone else "", description="Main phone number",
                               max_length=32)
        self.phone_alt = line_edit("Other phone", display_phone(p.phone_alt) if p.phone_alt else "",
                                   description="Another phone number", max_length=32)
        self.address1 = line_edit("Address", p.address_line1, description="First line of the address")
        self.address2 = line_edit("Address line 2", p.address_line2, description="Second line of the address")
        self.town = line_edit("Town", p.town, description="Town or city", max_length=100)
        self.postcode = line_edit("Home postcode", p.postcode,
                                  description="Where they live: decides if they live in LLR", max_length=12)
        self.work_postcode = line_edit("Work postcode", p.work_postcode,
                                       description="Where they work: decides if they work in LLR", max_length=12)
        for label, w in (("&First name:", self.first), ("&Last name:", self.last), ("Known &as:", self.preferred),
                         ("Pronouns:", self.pronouns), ("&Date of birth:", self.dob), ("&Email:", self.email),
                         ("&Phone:", self.phone), ("Other phone:", self.phone_alt), ("Address:", self.address1),
                         ("", self.address2), ("Town:", self.town), ("Home post&code:", self.postcode),
                         ("&Work postcode:", self.work_postcode)):
            f.addRow(label, w)
        if detail is not None and not detail.contact_shown:
            for w in (self.email, self.phone, self.phone_alt, self.address1, self.address2, self.town,
                      self.postcode, self.work_postcode):
                w.setEnabled(False)
        self.tabs.addTab(page, "&Person")

        # -- contact and access ---------------------------------------------------------------------
        page, f = _form_page()
        self.preferred_contact = EnumCombo(ContactMethod, "Preferred contact", value=p.preferred_contact,
                                           empty="Not said")
        self.safe_email = check_box("Safe to email", p.safe_email, "Tick if it is safe to email them")
        self.safe_phone = check_box("Safe to phone", p.safe_to_phone, "Tick if it is safe to phone them")
        self.safe_voicemail = check_box("Safe to leave a voicemail", p.safe_voicemail,
                                        "Tick if a voicemail can be left")
        self.safe_text = check_box("Safe to text", p.safe_text, "Tick if text messages are safe")
        self.safe_post = check_box("Safe to write to the address", p.safe_post, "Tick if letters are safe")
        self.times_to_avoid = line_edit("Times to avoid", p.times_to_avoid, description="When not to contact them")
        self.interpreter = line_edit("Interpreter language", p.interpreter_language,
                                     description="The language of an interpreter they need", max_length=60)
        self.bsl = check_box("Needs a BSL interpreter", p.needs_bsl, "Tick if they need British Sign Language")
        self.access = _text(p.accessibility_needs, "Access needs", "Anything that helps them take part", height=50)
        self.support = line_edit("Support person", p.support_person, description="Someone who may come with them")
        f.addRow("Preferred contact:", self.preferred_contact)
        for w in (self.safe_email, self.safe_phone, self.safe_voicemail, self.safe_text, self.safe_post):
            f.addRow("", w)
        f.addRow("Times to avoid:", self.times_to_avoid)
        f.addRow("Interpreter:", self.interpreter)
        f.addRow("", self.bsl)
        f.addRow("Access needs:", self.access)
        f.addRow("Support person:", self.support)
        self.tabs.addTab(page, "&Contact and access")

        # -- the application -------------------------------------------------------------------------
        page, f = _form_page()
        self.window_box = a11y(QComboBox(), "Recruitment window", "The window the application is for")
        if detail is None:
            for c in window_choices(state.ctx):
                if c.status.value != "selection_complete":
                    self.window_box.addItem(c.label, c.id)
            i = self.window_box.findData(window_id) if window_id else -1
            if i < 0:
                labels = [self.window_box.itemText(k) for k in range(self.window_box.count())]
                i = next((k for k, t in enumerate(labels) if t.endswith("(open)")), 0)
            self.window_box.setCurrentIndex(max(i, 0))
        else:
            self.window_box.addItem(detail.window_name, detail.window_id)
            self.window_box.setEnabled(False)
        self.received = UkDateEdit("Received on", a.received_on or clock.today(), required=True)
        self.how_heard = EnumCombo(Channel, "How they heard", value=a.how_heard, empty="Not stated")
        self.how_other = line_edit("How they heard (other)", a.how_heard_other,
                                   description="In their words, when 'Other'")
        self.basis = EnumCombo(Basis, "Basis of lived experience", value=a.basis, empty="Not given")
        self.organisation = line_edit("Organisation", a.organisation_name,
                                      description="The organisation of a voluntary or statutory sector representative")
        areas = QWidget()
        grid = QGridLayout(areas)
        grid.setContentsMargins(0, 0, 0, 0)
        chosen = {ExperienceArea(x): t for x, t in a.experience}
        self.area_boxes: dict[ExperienceArea, QCheckBox] = {}
        for i, area in enumerate(ExperienceArea):
            box = check_box(area.label, area in chosen, f"Tick if they have experience of {area.label.lower()}")
            self.area_boxes[area] = box
            grid.addWidget(box, i // 2, i % 2)
        self.area_other = line_edit("Other experience", chosen.get(ExperienceArea.OTHER),
                                    description="The other area of experience, in their words")
        self.method = EnumCombo(SelectionMethod, "Selection method", value=a.selection_method, empty="Not chosen yet")
        self.video_ref = line_edit("Video location", a.video_reference,
                                   description="A link or file reference to their video (the video itself is not stored)",
                                   max_length=500)
        self.statement = _text(a.statement, "Statement", "What they wrote about why they want to join")
        self.availability = _text(a.availability, "Availability", "When they can take part", height=40)
        f.addRow("&Recruitment window:", self.window_box)
        f.addRow("Received on:", self.received)
        f.addRow("&How they heard:", self.how_heard)
        f.addRow("", self.how_other)
        f.addRow("&Basis:", self.basis)
        f.addRow("Organisation:", self.organisation)
        f.addRow("Experience:", areas)
        f.addRow("", self.area_other)
        f.addRow("Selection method:", self.method)
        f.addRow("Video location:", self.video_ref)
        f.addRow("Statement:", self.statement)
        f.addRow("Availability:", self.availability)
        self.tabs.addTab(page, "Appl&ication")

        # -- equality monitoring (adding only; later changes through its own dialog) -------------------
        self.eq_boxes: dict[str, QComboBox] = {}
        self.eq_detail: QLineEdit | None = None
        if detail is None and state.ctx.actor.can(Perm.EQUALITY_WRITE):
            page, f = _form_page()
            note = QLabel("Optional. Kept apart from the application and seen only by staff who may.")
            note.setWordWrap(True)
            f.addRow(note)
            for q in eq_service.QUESTIONS:
                self.eq_boxes[q.key] = equality_combo(q, None)
                f.addRow(f"{q.short}:", self.eq_boxes[q.key])
            self.eq_detail = line_edit("Ethnic group in their words", "",
                                       description="Optional detail of their ethnic group", max_length=120)
            f.addRow("", self.eq_detail)
            self.tabs.addTab(page, "E&quality monitoring")
        name_inner_widgets(self)
        self.resize(640, 620)
        self.first.setFocus()

    def person_details(self) -> PersonDetails:
        return PersonDetails(
            first_name=self.first.text(), last_name=self.last.text(), preferred_name=self.preferred.text(),
            pronouns=self.pronouns.text(), date_of_birth=self.dob.date(), email=self.email.text(),
            phone=self.phone.text(), phone_alt=self.phone_alt.text(), address_line1=self.address1.text(),
            address_line2=self.address2.text(), town=self.town.text(), postcode=self.postcode.text(),
            work_postcode=self.work_postcode.text(), preferred_contact=self.preferred_contact.value(),
            safe_to_phone=self.safe_phone.isChecked(), safe_voicemail=self.safe_voicemail.isChecked(),
            safe_text=self.safe_text.isChecked(), safe_post=self.safe_post.isChecked(),
            safe_email=self.safe_email.isChecked(), times_to_avoid=self.times_to_avoid.text(),
            contact_notes=self.detail.person.contact_notes if self.detail else None,
            interpreter_language=self.interpreter.text(), needs_bsl=self.bsl.isChecked(),
            accessibility_needs=self.access.toPlainText(), support_person=self.support.text())

    def application_details(self) -> service.ApplicationDetails:
        return service.ApplicationDetails(
            window_id=self.window_box.currentData(), received_on=self.received.date(),
            how_heard=self.how_heard.value(), how_heard_other=self.how_other.text(), basis=self.basis.value(),
            organisation_name=self.organisation.text(),
            experience=[(a, self.area_other.text() if a is ExperienceArea.OTHER else None)
                        for a, box in self.area_boxes.items() if box.isChecked()],
            statement=self.statement.toPlainText(), availability=self.availability.toPlainText(),
            selection_method=self.method.value(), video_reference=self.video_ref.text())

    def save(self):
        details, app = self.person_details(), self.application_details()
        ctx = self.state.ctx
        if self.detail is not None:
            return service.edit_applicant(ctx, self.detail.application_id, details, app,
                                          expected_person_version=self.detail.person_version,
                                          expected_application_version=self.detail.application_version)
        matches = service.find_existing(ctx, details)
        person_id, as_new = None, True
        if matches:
            best = matches[0]
            others = f" ({len(matches) - 1} other possible matches)" if len(matches) > 1 else ""
            if self.state.interaction.confirm(
                    "Applied before?",
                    f"This looks like someone already on record: {best.describe}{others}\n\n"
                    "Add this application to their record? Choose 'A new person' if it is someone else.",
                    yes="Same person", no="A new person"):
                person_id, as_new = best.person_id, False
        answers = {k: box.currentData() for k, box in self.eq_boxes.items()} or None
        return service.add_applicant(ctx, details, app, person_id=person_id, as_new_person=as_new,
                                     equality_answers=answers,
                                     ethnic_group_detail=self.eq_detail.text() if self.eq_detail else None)


class MoveDialog(FormDialog):
    """Move to a stage: why (needed for withdrawn), a decision reason code, and a term start for members."""

    def __init__(self, state, detail: service.ApplicantDetail, to: Stage, parent=None, *,
                 default_term_start=None):
        super().__init__(f"Move {detail.name} to '{to.label}'", parent, ok_text=pipeline.VERBS.get(to, "Move"),
                         intro=f"From '{detail.stage.label}' to '{to.label}'. The move is recorded with your name, "
                               "the date and time, and the reason.")
        self.state = state
        self.detail = detail
        self.to = to
        self.reason = self.add("&Reason:", QLineEdit(), "Why the application moves: needed for a withdrawal")
        self.reason.setPlaceholderText("Needed" if to is Stage.WITHDRAWN else "Optional")
        self.reason.setMaxLength(2000)
        self.code: EnumCombo | None = None
        if to in pipeline.DECISION_STAGES:
            self.code = self.add("&Decision reason:", EnumCombo(DecisionReason, "Decision reason",
                                                                value=detail.decision_reason,
                                                                empty="No reason code"))
        self.term: UkDateEdit | None = None
        if to is Stage.MEMBER:
            self.term = self.add("&Term starts on:", UkDateEdit("Term starts on", default_term_start, required=True))
            self.term.setToolTip("The membership term runs 18 months from this date; at most ten members are "
                                 "active at once")

    def save(self):
        return pipeline.move_stage(
            self.state.ctx, self.detail.application_id, self.to, reason=self.reason.text(),
            decision_reason=self.code.value() if self.code else None,
            term_starts_on=self.term.date() if self.term else None,
            expected_version=self.detail.application_version)


class EligibilityDialog(FormDialog):
    def __init__(self, state, detail: service.ApplicantDetail, parent=None):
        v = detail.eligibility
        lines = "\n".join(f"• {r}" for r in v.reasons)
        warnings = "\n".join(f"! {w}" for w in v.warnings)
        super().__init__(f"Eligibility of {detail.name}", parent, ok_text="Record decision",
                         intro=f"What the application says: {v.suggestion}\n{lines}"
                               + (f"\n{warnings}" if warnings else "")
                               + "\nThe postcodes only suggest: you decide.")
        self.state = state
        self.detail = detail
        self.decision = self.add("&Decision:", EnumCombo(EligibilityDecision, "Eligibility decision",
                                                         value=v.decision or EligibilityDecision.ELIGIBLE))
        self.reason = self.add("&Reason:", QLineEdit(v.decision_reason or ""),
                               "Why: needed when not eligible, or when the postcodes need confirmation")
        self.reason.setMaxLength(2000)
        self.code = self.add("Reason &code:", EnumCombo(
            DecisionReason, "Reason code if not eligible", value=DecisionReason.OUTSIDE_AREA
            if v.residence.value != "in_llr" else DecisionReason.NOT_VICTIM_PERSPECTIVE))
        self.move = check_box("Also move the application on", detail.stage is Stage.RECEIVED,
                              "Eligible: to 'eligibility checked'. Not eligible: to 'unsuccessful'")
        self.move.setEnabled(detail.stage is Stage.RECEIVED)
        self.form.addRow("", self.move)
        self.decision.currentIndexChanged.connect(self._decision_changed)
        self._decision_changed()

    def _decision_changed(self, *_):
        self.code.setEnabled(self.decision.value() == EligibilityDecision.NOT_ELIGIBLE.value)

    def save(self):
        return elig_service.record_decision(
            self.state.ctx, self.detail.application_id, self.decision.value(), self.reason.text(),
            expected_version=self.detail.application_version, move_stage=self.move.isChecked(),
            decision_reason=self.code.value())


class AssessmentDialog(FormDialog):
    """One assessor's 1-5 scores for an interview or a video (its location only), with panel notes."""

    NOT_SCORED = 0

    def __init__(self, state, detail: service.ApplicantDetail, parent=None, *, interview: bool = True,
                 video: bool = True):
        super().__init__(f"Assessment of {detail.name}", parent, ok_text="Save assessment",
                         intro="Score every criterion from 1 (weak) to 5 (strong). The same assessor and method "
                               "again replaces the earlier scores.")
        self.state = state
        self.detail = detail
        self.method = a11y(QComboBox(), "Method", "Interview or video submission")
        if interview:
            self.method.addItem(SelectionMethod.INTERVIEW.label, SelectionMethod.INTERVIEW.value)
        if video:
            self.method.addItem(SelectionMethod.VIDEO.label, SelectionMethod.VIDEO.value)
        want = detail.application.selection_method
        i = self.method.findData(want.value if want else None)
        self.method.setCurrentIndex(max(i, 0))
        self.add("&Method:", self.method)
        self.assessed_on = self.add("Assessed &on:", UkDateEdit("Assessed on", clock.today(), required=True))
        self.assessor = a11y(QComboBox(), "Assessor", "Who assessed: a member of staff, or someone without an account")
        me = state.ctx.actor
        for sid, name in assess_service.staff_assessors(state.ctx):
            self.assessor.addItem(name, sid)
        if me.id is None:
            self.assessor.insertItem(0, me.display_name, None)
        self.assessor.addItem("Someone without an account (type the name)", -1)
        i = self.assessor.findData(me.id)
        self.assessor.setCurrentIndex(max(i, 0))
        self.add("&Assessor:", self.assessor)
        self.assessor_name = self.add("Assessor's &name:", QLineEdit(), "The name of a panel member without an account")
        self.assessor_name.setMaxLength(120)
        self.assessor.currentIndexChanged.connect(self._assessor_changed)
        self.scores: dict[int, QSpinBox] = {}
        self.criteria = assess_service.list_criteria(state.ctx)
        for c in self.criteria:
            box = QSpinBox()
            box.setRange(self.NOT_SCORED, 5)
            box.setSpecialValueText("Not scored")
            a11y(box, f"Score for {c.name}", c.description or f"From 1 to 5: {c.name}")
            self.scores[c.id] = box
            self.add(f"{c.name}:", box)
        self.video_ref = self.add("&Video location:", QLineEdit(detail.application.video_reference or ""),
                                  "A link or file reference to the video; the video itself is never stored")
        self.video_ref.setMaxLength(500)
        self.notes = self.add("&Panel notes:", _text(None, "Panel notes", "What the panel noted", height=60))
        self.recommendation = a11y(QComboBox(), "Recommendation", "What this assessor recommends")
        self.recommendation.addItem("No recommendation", None)
        for st in (Stage.OFFERED, Stage.RESERVE, Stage.UNSUCCESSFUL):
            self.recommendation.addItem(st.label, st.value)
        self.add("&Recommendation:", self.recommendation)
        self.method.currentIndexChanged.connect(self._method_changed)
        self._method_changed()
        self._assessor_changed()
        name_inner_widgets(self)

    def _assessor_changed(self, *_):
        self.assessor_name.setEnabled(self.assessor.currentData() == -1)

    def _method_changed(self, *_):
        method = self.method.currentData()
        self.video_ref.setEnabled(method == SelectionMethod.VIDEO.value)
        for c in self.criteria:
            self.scores[c.id].setEnabled(c.applies_to(method) if method else True)

    def save(self):
        method = self.method.currentData()
        scores = {cid: box.value() for cid, box in self.scores.items()
                  if box.isEnabled() and box.value() != self.NOT_SCORED}
        who = self.assessor.currentData()
        return assess_service.record_assessment(self.state.ctx, self.detail.application_id, assess_service.AssessmentForm(
            method=method, assessed_on=self.assessed_on.date(), scores=scores,
            assessor_id=who if isinstance(who, int) and who > 0 else None,
            assessor_name=self.assessor_name.text() if who == -1 else None,
            video_reference=self.video_ref.text() if method == SelectionMethod.VIDEO.value else None,
            panel_notes=self.notes.toPlainText(), recommendation=self.recommendation.currentData()))


class EqualityDialog(FormDialog):
    """The optional equality monitoring answers (opening it is audited)."""

    def __init__(self, state, detail: service.ApplicantDetail, answers: eq_service.EqualityAnswers, parent=None):
        when = "" if answers.recorded else " Nothing is recorded yet."
        super().__init__(f"Equality monitoring: {detail.name}", parent, ok_text="Save answers",
                         intro="Every question is optional and 'Prefer not to say' is always an answer. "
                               "'Not stated' means the question was not answered." + when)
        self.state = state
        self.detail = detail
        self.answers = answers
        self.boxes: dict[str, QComboBox] = {}
        for q in eq_service.QUESTIONS:
            self.boxes[q.key] = self.add(f"{q.short}:", equality_combo(q, answers.answers.get(q.key)))
        self.ethnic_detail = self.add("Ethnic group in their words:", QLineEdit(answers.ethnic_group_detail or ""),
                                      "Optional detail of their ethnic group")
        self.ethnic_detail.setMaxLength(120)

    def save(self):
        return eq_service.save_answers(self.state.ctx, self.detail.application_id,
                                       {k: b.currentData() for k, b in self.boxes.items()},
                                       ethnic_group_detail=self.ethnic_detail.text(),
                                       expected_version=self.answers.version)

