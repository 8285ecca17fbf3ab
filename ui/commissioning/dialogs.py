"""Forms for the Commissioning section. Each keeps the version it loaded; the
service refuses a save over someone else's change."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from db.enums import CycleActivityKind, CycleStage, ServiceKind, ServiceStatus
from lived_experience.commissioning import cycles as cy
from lived_experience.commissioning import services as cs
from lived_experience.core import clock
from lived_experience.core.errors import ValidationError
from lived_experience.core.formatting import parse_pounds, pounds, uk_date
from ui.common.forms import EnumCombo, FormDialog, UkDateEdit, text_box
from ui.feedback.widgets import CheckList, ChoiceCombo


def _money(edit: QLineEdit):
    raw = edit.text().strip()
    if not raw:
        return None
    try:
        return parse_pounds(raw)
    except ValueError as exc:
        raise ValidationError(f"Annual value: {exc}.") from None


class ServiceDialog(FormDialog):
    """Add or change a service. Adding warns about possible duplicates first; the
    user decides (through ``interaction.confirm``) whether to add it anyway."""

    def __init__(self, state, parent=None, *, detail: cs.ServiceDetail | None = None):
        super().__init__("Change service" if detail else "Add a commissioned service", parent,
                         intro=None if detail else "Before adding a service, the app checks it does not duplicate "
                                                   "one that already exists.")
        self.state = state
        self.detail = detail
        d = detail
        self.name = self.add("&Name:", QLineEdit(d.name if d else ""), "The service's name")
        self.kind = self.add("&Kind:", EnumCombo(ServiceKind, "Kind", value=d.kind if d else ServiceKind.OTHER))
        self.provider = self.add("&Provider:", ChoiceCombo("Provider", cs.providers(state.ctx),
                                                           description="The organisation holding the contract"))
        self.provider.set_value(d.provider_id if d else None)
        self.start = self.add("Contract &starts:", UkDateEdit("Contract starts", d.contract_start if d else None))
        self.end = self.add("Contract &ends:", UkDateEdit("Contract ends", d.contract_end if d else None))
        self.value = self.add("Annual &value (£):", QLineEdit(pounds(d.annual_value_pence) if d else ""),
                              "The contract's value for a year, in pounds")
        self.status = self.add("S&tatus:", EnumCombo(ServiceStatus, "Status", value=d.status if d else "active"))
        self.description = self.add("&Description:", text_box("Description", d.description if d else None),
                                    "What the service does (used to spot duplicates)")

    def input(self) -> cs.ServiceInput:
        return cs.ServiceInput(name=self.name.text(), kind=self.kind.value(), provider_id=self.provider.value(),
                               contract_start=self.start.date(), contract_end=self.end.date(),
                               annual_value_pence=_money(self.value), status=self.status.value(),
                               description=self.description.toPlainText())

    def save(self):
        data = self.input()
        if self.detail:
            cs.update_service(self.state.ctx, self.detail.id, data, self.detail.version)
            return self.detail.id
        try:
            return cs.create_service(self.state.ctx, data)
        except cs.DuplicateWarning as warning:
            text = ("These services already exist and look similar:\n\n"
                    + "\n".join(f"• {m.name} ({m.reason})" for m in warning.matches)
                    + "\n\nAdd this service anyway?")
            if not self.state.interaction.confirm("Possible duplicate", text, yes="Add anyway", no="Go back"):
                raise ValidationError("Not added: check the existing services listed above first.") from None
            return cs.create_service(self.state.ctx, data, allow_duplicate=True)


class VisitDialog(FormDialog):
    def __init__(self, state, service_id: int, parent=None, *, visit: cs.VisitInfo | None = None):
        super().__init__("Change visit" if visit else "Record a due-diligence visit", parent)
        self.state, self.service_id, self.visit = state, service_id, visit
        v = visit
        self.on = self.add("&Date:", UkDateEdit("Date of visit", v.visited_on if v else clock.today(), required=True))
        self.by = self.add("&Who visited:", QLineEdit(v.visited_by if v else ""), "Who made the visit")
        self.area = self.add("&Area and work:", QLineEdit(v.area_and_work or "" if v else ""),
                             "The area and the work visited")
        self.seen = self.add("What was &seen:", text_box("What was seen", v.what_was_seen if v else None, height=80))
        self.outcome = self.add("&Outcome:", text_box("Outcome", v.outcome if v else None))

    def save(self):
        data = cs.VisitInput(self.on.date(), self.by.text(), self.area.text(), self.seen.toPlainText(),
                             self.outcome.toPlainText())
        if self.visit:
            cs.update_visit(self.state.ctx, self.visit.id, data, self.visit.version)
            return self.visit.id
        return cs.add_visit(self.state.ctx, self.service_id, data)


class CycleDialog(FormDialog):
    def __init__(self, state, service_id: int, service_name: str, parent=None, *, cycle: cy.CycleDetail | None = None):
        super().__init__("Change cycle" if cycle else "New commissioning cycle", parent,
                         intro=None if cycle else "The four stages are planned back to back from the start date; "
                                                  "change each stage's dates afterwards.")
        self.state, self.service_id, self.cycle = state, service_id, cycle
        default = f"{service_name}: {clock.today().year} cycle"
        self.name = self.add("&Name:", QLineEdit(cycle.name if cycle else default), "The cycle's name")
        self.starts = self.add("&Starts:", UkDateEdit("Starts", cycle.starts_on if cycle else clock.today()))
        self.notes = self.add("N&otes:", text_box("Notes", cycle.notes if cycle else None))

    def save(self):
        if self.cycle:
            cy.update_cycle(self.state.ctx, self.cycle.id, self.name.text(), self.starts.date(),
                            self.notes.toPlainText(), self.cycle.version)
            return self.cycle.id
        return cy.create_cycle(self.state.ctx, self.service_id, self.name.text(), self.starts.date(),
                               self.notes.toPlainText())


class StageDialog(FormDialog):
    def __init__(self, state, stage: cy.StageInfo, parent=None):
        super().__init__(f"{stage.label} stage dates", parent,
                         intro="Planned dates are the plan; actual dates are what happened (not in the future).")
        self.state, self.stage = state, stage
        self.ps = self.add("&Planned start:", UkDateEdit("Planned start", stage.planned_start))
        self.pe = self.add("Planned &end:", UkDateEdit("Planned end", stage.planned_end))
        self.as_ = self.add("&Actual start:", UkDateEdit("Actual start", stage.actual_start))
        self.ae = self.add("Act&ual end:", UkDateEdit("Actual end", stage.actual_end))
        self.notes = self.add("N&otes:", text_box("Notes", stage.notes))

    def save(self):
        cy.update_stage(self.state.ctx, self.stage.id, cy.StageDates(self.ps.date(), self.pe.date(), self.as_.date(),
                                                                     self.ae.date(), self.notes.toPlainText()),
                        self.stage.version)
        return self.stage.id


class ActivityDialog(FormDialog):
    def __init__(self, state, stage: cy.StageInfo, parent=None, *, activity: cy.ActivityInfo | None = None):
        super().__init__(f"{stage.label}: {'change activity' if activity else 'record an activity'}", parent)
        self.state, self.stage, self.activity = state, stage, activity
        allowed = cy.STAGE_ACTIVITIES[CycleStage(stage.stage)]
        self.kind = self.add("&Activity:", ChoiceCombo("Activity", [(k.value, k.label) for k in allowed], empty=None,
                                                       description="What was done in this stage"))
        if activity:
            self.kind.set_value(activity.kind)
        self.done = self.add("&Done on:", UkDateEdit("Done on", activity.done_on if activity else None))
        self.reference = self.add("&Reference:", QLineEdit(activity.reference or "" if activity else ""),
                                  "A reference, e.g. the equality impact assessment's number")
        self.notes = self.add("N&otes:", text_box("Notes", activity.notes if activity else None))

    def save(self):
        data = cy.ActivityInput(self.kind.value(), self.done.date(), self.reference.text(), self.notes.toPlainText())
        if self.activity:
            cy.update_activity(self.state.ctx, self.activity.id, data, self.activity.version)
            return self.activity.id
        return cy.add_activity(self.state.ctx, self.stage.id, data)


class DecisionDialog(FormDialog):
    """A decision and the feedback that informed it (tick the items: type to narrow the list)."""

    def __init__(self, state, cycle: cy.CycleDetail, parent=None, *, decision: cy.DecisionInfo | None = None):
        super().__init__("Change decision" if decision else "Record a decision", parent)
        self.state, self.cycle, self.decision = state, cycle, decision
        d = decision
        self.on = self.add("&Date:", UkDateEdit("Decided on", d.decided_on if d else clock.today(), required=True))
        self.by = self.add("Decided &by:", QLineEdit(d.decided_by if d else "Police and Crime Commissioner"),
                           "Who made the decision")
        self.summary = self.add("&Decision:", QLineEdit(d.summary if d else ""), "The decision in one line")
        self.detail = self.add("De&tail:", text_box("Detail", d.detail if d else None))
        self.stage = self.add("&Stage:", EnumCombo(CycleStage, "Stage", empty="(none)",
                                                   value=(d.stage if d else cycle.current_stage)))
        candidates = cy.evidence_candidates(state.ctx, cycle.id)
        self.feedback = CheckList("Feedback that informed it", [
            (f.id, f"F-{f.id} {uk_date(f.received_on)} {f.summary}" + ("" if f.linked_to_cycle else " (other cycle)"))
            for f in candidates], rows=8)
        self.add("&Feedback:", self.feedback)
        if d:
            self.feedback.set_checked(d.feedback_ids)
        self.resize(640, 620)

    def save(self):
        data = cy.DecisionInput(self.on.date(), self.by.text(), self.summary.text(), self.detail.toPlainText(),
                                self.stage.value(), self.feedback.checked_ids())
        if self.decision:
            cy.update_decision(self.state.ctx, self.decision.id, data, self.decision.version)
            return self.decision.id
        return cy.record_decision(self.state.ctx, self.cycle.id, data)


ACTIVITY_LABELS = {k.value: k.label for k in CycleActivityKind}
