"""The Applicants section: everyone who applied, filterable by window, stage, area,
eligibility flag and free text; the selected applicant's details; and the work on
them as actions with keyboard shortcuts (moves, eligibility, assessment, equality
monitoring, adding, editing and importing)."""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QMenu,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db.enums import Basis, Channel, DecisionReason, SelectionMethod, Stage
from lived_experience.core.formatting import uk_date, uk_datetime
from lived_experience.people.identity import display_phone
from lived_experience.recruitment import applicants as service
from lived_experience.recruitment import pipeline
from lived_experience.recruitment.assessment import ASSESSABLE
from lived_experience.recruitment.windows import get_window, window_choices
from lived_experience.security.permissions import Perm
from ui.common.flow import FlowLayout
from ui.common.forms import a11y
from ui.common.list_page import ListPage
from ui.common.section_page import heading
from ui.recruitment.common import RowsModel, action, button_for, small_table, value_label
from ui.theme import title_font

# Ctrl+Shift+<letter> moves the selected applicant; the letter is in the tooltip and the menu.
MOVE_KEYS: dict[Stage, str] = {
    Stage.ELIGIBILITY_CHECKED: "Ctrl+Shift+E",
    Stage.SHORTLISTED: "Ctrl+Shift+S",
    Stage.ASSESSED: "Ctrl+Shift+A",
    Stage.OFFERED: "Ctrl+Shift+O",
    Stage.RESERVE: "Ctrl+Shift+V",
    Stage.UNSUCCESSFUL: "Ctrl+Shift+U",
    Stage.ACCEPTED: "Ctrl+Shift+K",
    Stage.DBS_CLEARED: "Ctrl+Shift+D",
    Stage.MEMBER: "Ctrl+Shift+B",
    Stage.WITHDRAWN: "Ctrl+Shift+W",
}


def _label(enum, value) -> str:
    if value in (None, ""):
        return "Not given"
    try:
        return enum(value.value if hasattr(value, "value") else value).label
    except ValueError:
        return str(value)


class ApplicantPanel(QScrollArea):
    """The selected applicant: person, contact preferences, application, eligibility with its reasons,
    assessment scores and the stage history."""

    SECTIONS = {
        "Person": ("Stage", "Known as", "Date of birth", "Email", "Phone", "Address", "Contact preferences",
                   "Access needs", "Other applications"),
        "Application": ("Window", "Received", "How they heard", "Basis", "Organisation", "Experience",
                        "Selection method", "Video location", "Statement", "Availability"),
        "Eligibility": ("Flag", "Reasons", "Points to check", "Decision"),
        "Assessment": ("Score", "Decision reason", "Withdrawal reason"),
    }

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Applicant details")
        self.setAccessibleDescription("The selected applicant: person, application, eligibility, assessment, history")
        inner = QWidget()
        lay = QVBoxLayout(inner)
        self.title = QLabel("Select an applicant to see their details.")
        self.title.setFont(title_font())
        self.title.setWordWrap(True)
        self.title.setAccessibleName("Applicant")
        lay.addWidget(self.title)
        self.values: dict[str, QLabel] = {}
        for section, fields in self.SECTIONS.items():
            head = QLabel(section)
            head.setObjectName("panelHeading")
            head.setStyleSheet("font-weight: bold; margin-top: 6px;")
            head.setAccessibleName(section)
            lay.addWidget(head)
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for f in fields:
                lbl = value_label(f)
                self.values[f] = lbl
                form.addRow(f"{f}:", lbl)
            lay.addLayout(form)
            if section == "Assessment":
                self.scores_model = RowsModel(["Assessor", "Method", "Date", "Mean", "Notes", "Scores"], self,
                                              right_aligned=(3,))
                self.scores = small_table(self.scores_model, "Assessments",
                                          "Each assessor's scores for the interview or video")
                lay.addWidget(self.scores)
        head = QLabel("Stage history")
        head.setStyleSheet("font-weight: bold; margin-top: 6px;")
        head.setAccessibleName("Stage history")
        lay.addWidget(head)
        self.history_model = RowsModel(["When", "Move", "By", "Why"], self)
        self.history = small_table(self.history_model, "Stage history",
                                   "Every move: when, from and to which stage, by whom and why")
        lay.addWidget(self.history)
        lay.addStretch(1)
        self.setWidget(inner)
        self.detail: service.ApplicantDetail | None = None

    def show_applicant(self, d: service.ApplicantDetail | None) -> None:
        self.detail = d
        if d is None:
            self.title.setText("Select an applicant to see their details.")
            for lbl in self.values.values():
                lbl.setText("—")
            self.scores_model.set_rows([])
            self.history_model.set_rows([])
            return
        p, a, e = d.person, d.application, d.eligibility
        self.title.setText(f"{p.first_name} {p.last_name}")
        v = self.values
        since = f" since {uk_datetime(d.stage_changed_at)}" if d.stage_changed_at else ""
        v["Stage"].setText(f"{d.stage.label}{since}")
        known = p.preferred_name or p.first_name
        v["Known as"].setText(f"{known} ({p.pronouns})" if p.pronouns else known)
        v["Date of birth"].setText(uk_date(p.date_of_birth) or "Not given")
        hidden = "Hidden: your role does not show contact details"
        if d.contact_shown:
            v["Email"].setText(p.email or "Not given")
            phones = [display_phone(x) for x in (p.phone, p.phone_alt) if x]
            v["Phone"].setText(", ".join(phones) or "Not given")
            addr = ", ".join(x for x in (p.address_line1, p.address_line2, p.town, p.postcode) if x)
            work = f" (works in {p.work_postcode})" if p.work_postcode else ""
            v["Address"].setText((addr or "Not given") + work)
        else:
            for f in ("Email", "Phone", "Address"):
                v[f].setText(hidden)
        v["Contact preferences"].setText(d.contact_summary)
        v["Access needs"].setText(d.access_summary)
        v["Other applications"].setText(
            "; ".join(f"{w} ({st.label.lower()})" for _i, w, st in d.other_applications) or "None: a first application")
        v["Window"].setText(f"{d.window_name} ({d.window_status.lower()})")
        v["Received"].setText(f"{uk_datetime(d.received_at)} ({'imported' if d.source == 'import' else 'added by hand'})")
        heard = _label(Channel, a.how_heard) if a.how_heard else "Not stated"
        if a.how_heard_other:
            heard += f": {a.how_heard_other}"
        v["How they heard"].setText(heard)
        v["Basis"].setText(_label(Basis, a.basis))
        v["Organisation"].setText(a.organisation_name or "—")
        v["Experience"].setText(", ".join(
            (f"Other ({t})" if t else area.label) for area, t in a.experience) or "Not given")
        v["Selection method"].setText(_label(SelectionMethod, a.selection_method))
        v["Video location"].setText(a.video_reference or "—")
        v["Statement"].setText(a.statement or "—")
        v["Availability"].setText(a.availability or "—")
        v["Flag"].setText(e.residence.label + (f" ({e.area.label})" if e.area.value != "unknown" else ""))
        v["Reasons"].setText("\n".join(f"• {r}" for r in e.reasons))
        v["Points to check"].setText("\n".join(f"• {w}" for w in e.warnings) or "None")
        decided = e.decided + (f": {e.decision_reason}" if e.decision_reason else "")
        v["Decision"].setText(decided)
        v["Score"].setText(f"{d.score:.2f} (mean of every score given)" if d.score is not None else "Not assessed")
        v["Decision reason"].setText(
            (_label(DecisionReason, d.decision_reason) if d.decision_reason else "—")
            + (f": {d.decision_notes}" if d.decision_notes else ""))
        v["Withdrawal reason"].setText(d.withdrawn_reason or "—")
        self.scores_model.set_rows([
            (x.assessor_name, x.method.label, uk_date(x.assessed_on), f"{x.mean:.2f}" if x.mean is not None else "",
             x.panel_notes or "", "; ".join(f"{x.criterion_names[c]}: {s}" for c, s in x.scores.items()))
            for x in d.assessments], d.assessments)
        self.history_model.set_rows([
            (uk_datetime(h.changed_at), f"{h.from_stage.label} → {h.to_stage.label}" if h.from_stage else h.to_stage.label,
             h.changed_by, h.reason or "") for h in reversed(d.history)], list(reversed(d.history)))


class ApplicantsPage(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.window_ = parent
        self.dialog = None
        actor = state.ctx.actor
        can_write = actor.can(Perm.WRITE)
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Applicants", "Everyone who has applied, one row per application. Select an "
                                            "applicant for their details; the buttons and shortcuts act on them."))

        # -- actions ---------------------------------------------------------------------------------
        self.add_action = action(self, "&Add applicant…", "Add an application received on paper, by email or phone",
                                 self.add_applicant, "Ctrl+N")
        self.edit_action = action(self, "&Edit applicant…", "Change the selected applicant's details",
                                  self.edit_applicant, "Ctrl+E")
        self.eligibility_action = action(self, "E&ligibility decision…",
                                         "Record whether the selected applicant is eligible, and why",
                                         self.eligibility, "Ctrl+L")
        self.assess_action = action(self, "Record a&ssessment…", "Score the selected applicant's interview or video",
                                    self.record_assessment, "Ctrl+R")
        self.equality_action = action(self, "E&quality monitoring…",
                                      "See or record the optional equality monitoring answers", self.equality,
                                      "Ctrl+Shift+Q")
        self.import_action = action(self, "&Import spreadsheet…", "Import applications from a Forms export or a "
                                    "spreadsheet", self.import_spreadsheet, "Ctrl+I")
        self.move_actions: dict[Stage, object] = {}
        self.move_menu = QMenu("Move to", self)
        self.move_menu.setAccessibleName("Move to")
        for st, key in MOVE_KEYS.items():
            act = action(self, f"{st.label}…", f"Move the selected applicant to '{st.label}'",
                         functools.partial(self.move_to, st), key)
            self.move_actions[st] = act
            self.move_menu.addAction(act)
        self.move_button = QToolButton()
        self.move_button.setText("&Move to…")
        self.move_button.setMenu(self.move_menu)
        self.move_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.move_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        a11y(self.move_button, "Move to", "Choose the stage to move the selected applicant to (Ctrl+M); "
             "only moves open from the current stage are enabled")
        self.move_button.setToolTip("Move the selected applicant to another stage (Ctrl+M)")
        self.menu_action = action(self, "Move to menu", "Open the Move to menu", self.move_button.showMenu, "Ctrl+M")

        self.window_box = QComboBox()
        a11y(self.window_box, "Show window", "Show only the applicants to one recruitment window")
        self.window_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.window_box.setMinimumContentsLength(14)
        self._fill_windows()
        self.window_box.currentIndexChanged.connect(self._window_changed)

        self.list = ListPage(state, "applicants", self)
        self.list.extra_entities = ("assessment", "equality_monitoring", "person", "recruitment_window")
        # The filters span the page (the list alone is too narrow for five of them beside the details).
        filters = FlowLayout()
        self.list.filter_edit.setMinimumWidth(160)
        filters.addWidget(self.list.filter_edit, 1)
        filters.addWidget(self.window_box, 1)
        for box in self.list.filter_boxes.values():
            # Wide enough for their words (the line wraps when the page is narrow).
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.setMaximumWidth(16777215)
            filters.addWidget(box, 1)
        lay.addLayout(filters)

        bar = FlowLayout()
        self.buttons = {"add": button_for(self.add_action), "edit": button_for(self.edit_action)}
        bar.addWidget(self.buttons["add"])
        bar.addWidget(self.buttons["edit"])
        bar.addWidget(self.move_button)
        for key, act in (("eligibility", self.eligibility_action), ("assess", self.assess_action),
                         ("equality", self.equality_action), ("import", self.import_action)):
            self.buttons[key] = button_for(act)
            bar.addWidget(self.buttons[key])
        bar.addStretch()
        bar.addWidget(self.list.count_and_export)
        lay.addLayout(bar)

        self.panel = ApplicantPanel()
        self.panel.setMinimumWidth(320)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([640, 440])
        lay.addWidget(self.splitter, 1)
        self.list.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.list.model.modelReset.connect(self._reset)
        self.list.activated.connect(lambda _row: self.edit_applicant() if can_write else None)
        state.changed.connect(self._on_changed)
        self._update_actions()

    # -- windows chooser -----------------------------------------------------------------------------
    def _fill_windows(self) -> None:
        current = self.window_box.currentData()
        self.window_box.blockSignals(True)
        self.window_box.clear()
        self.window_box.addItem("All windows", None)
        for c in window_choices(self.state.ctx):
            self.window_box.addItem(c.label, c.id)
        i = self.window_box.findData(current)
        self.window_box.setCurrentIndex(max(i, 0))
        self.window_box.blockSignals(False)

    def _window_changed(self, _index: int) -> None:
        self.list.set_filter("window", self.window_box.currentData())

    def set_window(self, window_id: int | None) -> None:
        i = self.window_box.findData(window_id)
        self.window_box.setCurrentIndex(max(i, 0))

    def _on_changed(self, entity: str) -> None:
        if entity in ("*", "recruitment_window"):
            self._fill_windows()

    # -- selection --------------------------------------------------------------------------------------
    def _reset(self) -> None:
        self.list.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self._row_changed(self.list.table.currentIndex(), None)

    def _row_changed(self, current, _previous) -> None:
        row = self.list.model.row_at(current.row()) if current is not None and current.isValid() else None
        self.load(row["id"] if row else None)

    def load(self, application_id: int | None) -> None:
        detail = None
        if application_id is not None:
            try:
                detail = service.get_applicant(self.state.ctx, application_id)
            except Exception as exc:  # noqa: BLE001 - shown to the user
                self.state.interaction.error(exc)
        self.panel.show_applicant(detail)
        self._update_actions()

    def selected(self) -> service.ApplicantDetail | None:
        return self.panel.detail

    def _update_actions(self) -> None:
        d = self.panel.detail
        actor = self.state.ctx.actor
        can_write = actor.can(Perm.WRITE)
        self.add_action.setEnabled(can_write)
        self.import_action.setEnabled(actor.can(Perm.IMPORT))
        has = d is not None
        self.edit_action.setEnabled(can_write and has)
        self.eligibility_action.setEnabled(can_write and has and d.stage not in pipeline.FINAL)
        self.assess_action.setEnabled(can_write and has and d.stage in ASSESSABLE)
        self.equality_action.setEnabled(has and actor.can(Perm.EQUALITY_READ))
        open_moves = {m.stage: m for m in d.moves} if has else {}
        for st, act in self.move_actions.items():
            m = open_moves.get(st)
            act.setEnabled(can_write and m is not None)
            tip = f"Move the selected applicant to '{st.label}'"
            if m is not None and m.blocked:
                tip += f". Not yet: {m.blocked}"
            seq = act.shortcut().toString()
            act.setToolTip(f"{tip} ({seq})" if seq else tip)
        self.move_button.setEnabled(can_write and bool(open_moves))

    # -- actions ----------------------------------------------------------------------------------------
    def _open(self, dlg, after=None) -> None:
        self.dialog = dlg

        def accepted():
            result = dlg.result_value
            if after is not None:
                after(result)

        dlg.accepted.connect(accepted)
        dlg.open()

    def _changed(self, application_id: int | None = None, message: str | None = None) -> None:
        self.state.notify("application")
        if application_id is not None:
            if not self.list.select_id(application_id):
                # Not in the current filter: show everything, then select it.
                self.list.filter_edit.clear()
                self.set_window(None)
                self.list.model.set_text("")
                self.list.select_id(application_id)
            self.load(application_id)
        win = self.window()
        if message and hasattr(win, "statusBar"):
            win.statusBar().showMessage(message, 8000)

    def add_applicant(self) -> None:
        if not self.add_action.isEnabled():
            return
        from ui.recruitment.applicant_dialogs import ApplicantDialog

        dlg = ApplicantDialog(self.state, self, window_id=self.window_box.currentData())

        def done(res: service.AddResult):
            if res.linked_to_existing:
                self.state.interaction.info("Applicant added", res.message)
            self._changed(res.application_id, res.message)

        self._open(dlg, done)

    def edit_applicant(self) -> None:
        d = self.selected()
        if d is None or not self.edit_action.isEnabled():
            return
        from ui.recruitment.applicant_dialogs import ApplicantDialog

        try:
            fresh = service.get_applicant(self.state.ctx, d.application_id, audit_view=False)
        except Exception as exc:  # noqa: BLE001
            self.state.interaction.error(exc)
            return
        self._open(ApplicantDialog(self.state, self, detail=fresh), lambda r: self._changed(r.application_id))

    def move_to(self, stage: Stage) -> None:
        d = self.selected()
        act = self.move_actions[stage]
        if d is None or not act.isEnabled():
            return
        option = next((m for m in d.moves if m.stage is stage), None)
        if option is not None and option.blocked:
            self.state.interaction.warn(f"Cannot move to '{stage.label}' yet", option.blocked)
            return
        from ui.recruitment.applicant_dialogs import MoveDialog

        term = None
        if stage is Stage.MEMBER:
            term = get_window(self.state.ctx, d.window_id).term_starts_on

        def done(res: pipeline.MoveResult):
            msg = f"{d.name} moved to '{res.stage.label}'. {pipeline.describe_term(res)}".strip()
            if res.term_id:
                self.state.notify("membership_term")
                self.state.interaction.info("Now a member", msg)
            self._changed(d.application_id, msg)

        self._open(MoveDialog(self.state, d, stage, self, default_term_start=term), done)

    def eligibility(self) -> None:
        d = self.selected()
        if d is None or not self.eligibility_action.isEnabled():
            return
        from ui.recruitment.applicant_dialogs import EligibilityDialog

        self._open(EligibilityDialog(self.state, d, self), lambda _r: self._changed(d.application_id))

    def record_assessment(self) -> None:
        d = self.selected()
        if d is None or not self.assess_action.isEnabled():
            return
        from ui.recruitment.applicant_dialogs import AssessmentDialog

        w = get_window(self.state.ctx, d.window_id)
        self._open(AssessmentDialog(self.state, d, self, interview=w.selection_interview, video=w.selection_video),
                   lambda _r: self._changed(d.application_id))

    def equality(self) -> None:
        d = self.selected()
        if d is None or not self.equality_action.isEnabled():
            return
        from lived_experience.recruitment import equality as eq_service
        from ui.recruitment.applicant_dialogs import EqualityDialog

        try:
            answers = eq_service.get_answers(self.state.ctx, d.application_id)
        except Exception as exc:  # noqa: BLE001
            self.state.interaction.error(exc)
            return
        dlg = EqualityDialog(self.state, d, answers, self)
        if not self.state.ctx.actor.can(Perm.EQUALITY_WRITE):
            for b in dlg.boxes.values():
                b.setEnabled(False)
            dlg.ethnic_detail.setEnabled(False)
        self._open(dlg, lambda _r: self._changed(d.application_id))

    def import_spreadsheet(self) -> None:
        if not self.import_action.isEnabled():
            return
        from ui.importing.wizard import open_import_wizard

        open_import_wizard(self.state, self)

    # -- shell hooks --------------------------------------------------------------------------------------
    def open_record(self, entity: str, entity_id: int) -> None:
        if not entity_id:
            return
        if entity == "application":
            if not self.list.select_id(entity_id):
                self.set_window(None)
                self.list.filter_edit.clear()
                self.list.model.set_text("")
                for box in self.list.filter_boxes.values():
                    box.setCurrentIndex(0)
                self.list.select_id(entity_id)
            self.load(entity_id)
        elif entity == "recruitment_window":
            self.set_window(entity_id)

    def save_layout(self) -> None:
        self.list.save_layout()

