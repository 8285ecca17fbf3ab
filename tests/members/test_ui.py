"""The Members section, the member page, the DBS register page and expenses, in the real window (offscreen)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem, QWidget
from sqlalchemy import select, update

from db.models import AuditEvent, FeedbackItem, MembershipTerm
from lived_experience.core.uow import unit_of_work
from lived_experience.members import service
from tests.conftest import as_role
from tests.members.conftest import make_applicant, make_window


def audit_actions(ctx, **where):
    with unit_of_work(ctx, readonly=True) as s:
        q = select(AuditEvent.action, AuditEvent.entity, AuditEvent.subject_person_id, AuditEvent.detail,
                   AuditEvent.fields).order_by(AuditEvent.id)
        for k, v in where.items():
            q = q.where(getattr(AuditEvent, k) == v)
        return s.execute(q).all()


def members_page(window):
    return window.show_section("members")


def select_row(page_list, predicate) -> dict:
    for r in range(page_list.model.rowCount()):
        row = page_list.model.row_at(r)
        if predicate(row):
            page_list.table.setCurrentIndex(page_list.model.index(r, 0))
            return row
    raise AssertionError("no such row")


def focusable_without_names(root: QWidget) -> list[str]:
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if w.focusPolicy() == Qt.FocusPolicy.NoFocus or not w.isVisibleTo(root.window()):
            continue
        if w.metaObject().className() in ("QScrollArea", "QSplitterHandle", "QStackedWidget"):
            continue
        if not w.accessibleName() or not w.accessibleDescription():
            out.append(f"{w.metaObject().className()} '{w.accessibleName()}' ({getattr(w, 'text', lambda: '')()})")
    return out


# -- the roster ---------------------------------------------------------------------------------------
def test_roster_shows_terms_status_days_dbs_and_access_in_words_and_colour(window, qtmodeltester):
    page = members_page(window)
    model = page.list.model
    qtmodeltester.check(model, force_py=False)
    assert model.total >= 10
    cols = [c.key for c in model.visible_columns()]
    for key in ("name", "term_start", "term_end", "status", "days_remaining", "dbs_status", "access"):
        assert key in cols
    status_col, dbs_col = cols.index("status"), cols.index("dbs_status")
    texts = {model.index(r, status_col).data() for r in range(model.rowCount())}
    assert {"Ending soon", "Ended"} <= texts
    dbs_texts = {model.index(r, dbs_col).data() for r in range(model.rowCount())}
    assert {"Cleared", "Recheck due"} <= dbs_texts
    # Colour repeats the words, never replaces them.
    r = next(r for r in range(model.rowCount()) if model.index(r, dbs_col).data() == "Recheck due")
    delegate = page.list.table.itemDelegateForColumn(dbs_col)
    opt = QStyleOptionViewItem()
    delegate.initStyleOption(opt, model.index(r, dbs_col))
    assert opt.text == "Recheck due" and opt.backgroundBrush.color().name() == "#fde8e8"
    assert any(model.index(r, cols.index("access")).data() for r in range(model.rowCount()))


def test_selecting_a_member_fills_their_page(window, qtmodeltester, state):
    page = members_page(window)
    row = select_row(page.list, lambda r: r["status"] == "ending_soon")
    panel = page.panel
    assert panel.person_id == row["id"]
    assert panel.title.text().startswith(row["preferred_name"] or row["name"].split()[0])
    assert "Ending soon" in panel.summary.text() and "DBS:" in panel.summary.text()
    for m in (panel.term_model, panel.app_model, panel.claim_model, panel.attendance_model, panel.feedback_model,
              panel.quiet_model, panel.dbs_model):
        qtmodeltester.check(m, force_py=False)
    assert panel.term_model.rowCount() >= 1 and panel.attendance_model.rowCount() >= 1
    assert "Invited to re-apply" in [c.header for c in panel.term_model.columns]
    # Contact and DBS are loaded (and audited) only when their tab is opened. (An administrator seeing who
    # gave anonymous feedback is a view of its own, audited too.)
    views = [a for a in audit_actions(state.ctx, action="view") if a.subject_person_id == row["id"]]
    assert all(v.detail == "anonymous feedback source" for v in views)
    panel.show_tab("contact")
    assert "Safe contact:" in panel.contact_text.text()
    panel.show_tab("dbs")
    assert panel.dbs_model.rowCount() >= 1
    views = [a for a in audit_actions(state.ctx, action="view") if a.subject_person_id == row["id"]
             and a.detail != "anonymous feedback source"]
    assert [(v.entity, v.detail) for v in views] == [("person", "contact and access"),
                                                     ("dbs_check", "DBS record of one person")]


def test_a_coordinator_sees_why_not_on_the_dbs_tab_and_no_anonymous_sources(qtbot, demo_ctx, interaction):
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    coordinator = as_role(demo_ctx, "coordinator")
    with unit_of_work(demo_ctx) as s:
        item = s.scalars(select(FeedbackItem).where(FeedbackItem.person_id.is_not(None))).first()
        s.execute(update(FeedbackItem).where(FeedbackItem.id == item.id).values(anonymous=True))
        pid = item.person_id
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.attach(AppState(coordinator, interaction))
    page = w.show_section("members")
    page.list.select_id(pid) or pytest.skip("the demo's anonymous source is not a member")
    panel = page.panel
    panel.show_tab("dbs")
    assert "does not allow you to see the DBS register" in panel.dbs_note.text()
    assert not panel.dbs_view.isVisibleTo(panel)
    shown = [f.id for f in panel.feedback_model.rows]
    assert item.id not in shown and "anonymous" in panel.feedback_note.text()
    # The note must not give away that this member gave anonymous feedback: with the item
    # named again it says the same thing, count aside.
    note = panel.feedback_note.text()
    with unit_of_work(demo_ctx) as s:
        s.execute(update(FeedbackItem).where(FeedbackItem.id == item.id).values(anonymous=False))
    panel.reload()
    assert item.id in [f.id for f in panel.feedback_model.rows]
    assert panel.feedback_note.text().split(" ", 2)[2] == note.split(" ", 2)[2]
    assert interaction.errors == []
    assert not [a for a in audit_actions(demo_ctx, action="view", entity="dbs_check")]


def test_every_control_on_the_members_pages_has_a_name_and_description(window):
    page = members_page(window)
    select_row(page.list, lambda r: True)
    for key in page.panel.TABS:
        page.panel.show_tab(key)
        assert focusable_without_names(page) == [], key
    page.tabs.setCurrentWidget(page.expenses)
    assert focusable_without_names(page) == []
    dbs = window.show_section("dbs")
    assert focusable_without_names(dbs) == []


# -- actions, by keyboard -------------------------------------------------------------------------------
def test_start_term_from_the_keyboard(window, qtbot, fill_dialogs, state):
    ctx = state.ctx
    with unit_of_work(ctx) as s:  # make room: the demo group is full
        s.execute(update(MembershipTerm).where(MembershipTerm.ends_on >= dt.date.today())
                  .values(override="stepped_down", override_from=dt.date(2020, 1, 1)))
    wid = make_window(ctx, name="UI window")
    pid, aid = make_applicant(ctx, wid, first="Keyboard")
    page = members_page(window)

    def fill(dlg):
        i = dlg.who.findData(aid)
        dlg.who.setCurrentIndex(i)
        dlg.starts.setText("01/03/2027")
        assert dlg.ends.text().startswith("31/08/2028")

    fill_dialogs.append(fill)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    page.list.table.setFocus()
    qtbot.keyClick(page.list.table, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # "&Start term…"
    qtbot.waitUntil(lambda: len(fill_dialogs.shown) == 1, timeout=2000)  # a mnemonic clicks after a short delay
    terms = service.terms_for(ctx, pid)
    assert [t.starts_on for t in terms] == [dt.date(2027, 3, 1)]
    assert any("No DBS check" in m for _k, m in state.interaction.messages)
    assert page.list.selected_row()["id"] == pid


def test_override_refresh_contact_and_quiet_period_dialogs(window, fill_dialogs, state, qtmodeltester):
    ctx = state.ctx
    page = members_page(window)
    row = select_row(page.list, lambda r: r["status"] == "ending_soon")
    pid = row["id"]

    def pause(dlg):
        dlg.status.set_value("paused")
        dlg.reason.setPlainText("Taking a break for a few weeks")

    fill_dialogs.append(pause)
    page.override_button.click()
    term = service.terms_for(ctx, pid)[0]
    assert term.override.value == "paused" and term.override_reason.startswith("Taking a break")

    def refresh(dlg):
        assert dlg.members.count() >= 1
        dlg.name.setText("Lived Experience Group refresh (UI test)")
        dlg.term_starts.set_date(dlg.closes.date() + dt.timedelta(days=60))

    fill_dialogs.append(refresh)
    page.start_refresh()
    assert any("was created" in m for _k, m in state.interaction.messages)

    def contact(dlg):
        dlg.fields["pronouns"].setText("they/them")
        dlg.fields["times_to_avoid"].setText("Mornings")

    fill_dialogs.append(contact)
    page.contact_button.click()
    page.panel.show_tab("contact")
    assert "they/them" in page.panel.contact_text.text() or "they/them" in page.panel.title.text()

    def quiet(dlg):
        dlg.starts.set_date(dt.date.today() + dt.timedelta(days=200))
        dlg.ends.set_date(dt.date.today() + dt.timedelta(days=210))
        dlg.reason.setText("Trial")

    fill_dialogs.append(quiet)
    page.quiet_button.click()
    assert any("No contact with" in m for _k, m in state.interaction.messages)
    flags = page.panel.flags
    assert "Quiet period planned" in flags.text()
    # The colour comes from the theme: red for "stop" (not cleared, a quiet period now), amber for one planned.
    stop = "Not cleared" in flags.text() or "do not contact until" in flags.text()
    assert flags.styleSheet() == "" and flags.property("tone") == ("danger" if stop else "caution")


def test_a_refused_form_stays_open_with_the_reason(window, fill_dialogs, state):
    page = members_page(window)
    select_row(page.list, lambda r: r["status"] == "ending_soon")
    seen = {}

    def no_reason(dlg):
        dlg.status.set_value("removed")
        dlg.reason.setPlainText("")

    def check_error(dlg):
        seen["error"] = dlg.error_label.text()
        return False

    fill_dialogs.append(no_reason)
    page.override_button.click()
    dlg = fill_dialogs.shown[-1]
    assert dlg.error_label.isVisibleTo(dlg) and "reason" in dlg.error_label.text()
    assert dlg.result() != 1


# -- expenses ---------------------------------------------------------------------------------------------
def test_a_claim_for_a_member_in_a_quiet_period_says_not_to_contact_them(window, fill_dialogs, state, interaction):
    from ui.members.expenses import ClaimDialog, open_claim_dialog

    page = members_page(window)
    quiet = select_row(page.list, lambda r: bool(r.get("quiet_until")))
    other = select_row(page.list, lambda r: not r.get("quiet_until") and r["status"] == "ending_soon")
    dlg = ClaimDialog(state, page, prefill={"person_id": quiet["id"], "kind": "parking"})
    assert dlg.quiet_note.isVisibleTo(dlg) and "is in a quiet period until" in dlg.quiet_note.text()
    dlg.who.setCurrentIndex(dlg.who.findData(other["id"]))
    assert not dlg.quiet_note.isVisibleTo(dlg)
    dlg.deleteLater()
    fill_dialogs.append(lambda d: d.amount.setText("4.50"))
    saved = open_claim_dialog(state, page, {"person_id": quiet["id"], "kind": "parking",
                                            "incurred_on": dt.date.today(), "description": "Car park"})
    assert saved.claim.amount_pence == 450
    assert any(kind == "warn" and "do not write to, phone, email or text them" in text
               for kind, text in interaction.messages)


def test_the_attendance_tab_says_when_a_meeting_was_cancelled(window):
    page = members_page(window)
    with unit_of_work(state_ctx(window), readonly=True) as s:
        from db.models import Invitation, Meeting

        pid = s.scalar(select(Invitation.person_id).join(Meeting, Meeting.id == Invitation.meeting_id)
                       .where(Meeting.status == "cancelled", Invitation.person_id.is_not(None)).limit(1))
    select_row(page.list, lambda r: r["id"] == pid)
    page.panel.show_tab("attendance")
    model = page.panel.attendance_model
    texts = [model.index(r, c).data() for r in range(model.rowCount()) for c in range(model.columnCount())]
    assert "Meeting cancelled" in texts


def state_ctx(window):
    return window.state.ctx


def test_claim_dialog_works_out_mileage_and_warns_about_involvement_payments(window, fill_dialogs, state,
                                                                            interaction):
    from ui.members.expenses import ClaimDialog, open_claim_dialog

    page = members_page(window)
    row = select_row(page.list, lambda r: r["status"] == "ending_soon")
    dlg = ClaimDialog(state, page, prefill={"person_id": row["id"], "kind": "mileage", "meeting_id": None,
                                            "incurred_on": dt.date.today(), "description": "Travel to the forum"})
    dlg.miles.setText("12.5")
    assert "£" in dlg.preview.text() and "12.5 miles at" in dlg.preview.text()
    assert not dlg.amount.isEnabled() and dlg.miles.isEnabled()
    dlg.kind.set_value("involvement_payment")
    assert dlg.warning.isVisibleTo(dlg) and "benefits" in dlg.warning.text()
    dlg.deleteLater()

    def mileage(d):
        d.miles.setText("20")
        d.passengers.setValue(1)

    fill_dialogs.append(mileage)
    saved = open_claim_dialog(state, page, {"person_id": row["id"], "kind": "mileage",
                                            "incurred_on": dt.date.today(), "description": "Forum"})
    assert saved.claim.miles_tenths == 200 and saved.claim.amount_pence > 0

    def involvement(d):
        d.amount.setText("25")

    interaction.answers["confirm"] = True
    fill_dialogs.append(involvement)
    saved = open_claim_dialog(state, page, {"person_id": row["id"], "kind": "involvement_payment"})
    assert saved.claim.amount_pence == 2500 and saved.warnings
    assert any("benefits" in m for k, m in interaction.messages if k == "confirm")


def test_expenses_page_approves_pays_rejects_and_exports_for_finance(window, fill_dialogs, interaction, tmp_path,
                                                                   qtmodeltester):
    page = members_page(window)
    page.tabs.setCurrentWidget(page.expenses)
    ex = page.expenses
    qtmodeltester.check(ex.list.model, force_py=False)
    submitted = select_row(ex.list, lambda r: r["status"] == "submitted")
    ex.approve()
    assert ex.list.selected_row()["status"] == "approved"
    fill_dialogs.append(lambda d: d.date.set_date(dt.date.today()))
    ex.mark_paid()
    assert ex.list.selected_row()["status"] == "paid" and ex.list.selected_row()["id"] == submitted["id"]
    select_row(ex.list, lambda r: r["status"] == "submitted")
    fill_dialogs.append(lambda d: d.text.setText("No receipt"))
    ex.reject()
    assert ex.list.selected_row()["status"] == "rejected"
    assert not ex.approve_button.isEnabled()
    ex.this_tax_year()
    assert "Totals for" in ex.totals_label.text() and "£" in ex.totals_label.text()
    out = tmp_path / "finance.xlsx"
    interaction.answers["save_file"] = str(out)
    ex.export_finance()
    assert out.exists(), interaction.messages
    wb = openpyxl.load_workbook(out)
    assert "Totals by person" in wb.sheetnames
    assert any("saved to" in m for _k, m in interaction.messages)


# -- the DBS register page ----------------------------------------------------------------------------------
def test_dbs_register_page_for_an_officer_records_a_request_and_shows_the_record(qtbot, demo_ctx, interaction,
                                                                               fill_dialogs, qtmodeltester):
    from ui.shell.main_window import MainWindow
    from ui.state import AppState

    officer = as_role(demo_ctx, "dbs_officer")
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.attach(AppState(officer, interaction))
    before = len(audit_actions(demo_ctx, action="view", entity="dbs_check"))
    page = w.show_section("dbs")
    assert page.register is not None and "cleared" in page.summary.text()
    qtmodeltester.check(page.register.list.model, force_py=False)
    row = select_row(page.register.list, lambda r: r["status"] == "recheck_due")
    page.register.show_now()
    detail = page.register.details
    qtmodeltester.check(detail.model, force_py=False)
    assert detail.person is not None and detail.person.person_id == row["person_id"]
    assert "Recheck due" in detail.title.text()
    views = audit_actions(demo_ctx, action="view", entity="dbs_check")
    assert len(views) >= before + 2  # the register, and this member's record

    def request(dlg):
        assert dlg.who.currentData() == row["person_id"]
        dlg.reference.setText("E998877")

    fill_dialogs.append(request)
    page.request_button.click()
    page.register.show_now()
    assert detail.person.status.value == "renewal_in_progress"  # the old certificate stands meanwhile
    assert detail.person.checks[0].requested_on == dt.date.today()

    def certificate(dlg):
        dlg.number.setText("1234 5678 9012")
        dlg.issued.set_date(dt.date.today())

    fill_dialogs.append(certificate)
    page.certificate_button.click()
    fill_dialogs.append(lambda dlg: dlg.decision.set_value("clear"))
    page.decision_button.click()
    page.register.show_now()
    assert detail.person.status.value == "cleared"
    assert detail.person.checks[0].certificate_number == "123456789012"
    assert interaction.errors == []


def test_every_form_control_has_a_name_and_description(window, state, qtbot):
    from lived_experience.members import contact as contact_service
    from lived_experience.members import dbs as dbs_service
    from ui.members import dbs_dialogs, dialogs
    from ui.members.expenses import ClaimDialog, DateDialog, ReasonDialog

    page = members_page(window)
    row = select_row(page.list, lambda r: r["status"] == "ending_soon")
    pid = row["id"]
    ctx = state.ctx
    check = dbs_service.person_dbs(ctx, pid).checks[0]
    forms = [
        dialogs.StartTermDialog(state, page, candidates=[]),
        dialogs.OverrideDialog(state, page, term=service.terms_for(ctx, pid)[0], person_name="Test"),
        dialogs.RefreshDialog(state, page, proposal=service.refresh_proposal(ctx)),
        dialogs.ContactDialog(state, page, view=contact_service.get_contact(ctx, pid)),
        dialogs.QuietPeriodDialog(state, page, person_id=pid, person_name="Test"),
        ClaimDialog(state, page, prefill={"person_id": pid}),
        DateDialog(page, "Mark claim paid", "Paid on", ok_text="Mark paid", on_save=lambda d: d),
        ReasonDialog(page, "Reject claim", "Reason", "Why", ok_text="Reject", on_save=lambda t: t),
        dbs_dialogs.RequestDialog(state, page, people=[(pid, "Test")]),
        dbs_dialogs.CertificateDialog(state, page, check_view=check),
        dbs_dialogs.DecisionDialog(state, page, check_view=check),
        dbs_dialogs.UpdateCheckDialog(state, page, check_view=check),
    ]
    for dlg in forms:
        dlg.show()
        assert focusable_without_names(dlg) == [], dlg.windowTitle()
        dlg.close()


def test_quiet_periods_can_be_changed_and_removed_from_the_member_page(window, fill_dialogs, state, interaction):
    from lived_experience.members import contact as contact_service

    page = members_page(window)
    pid = select_row(page.list, lambda r: r["status"] == "ending_soon")["id"]
    contact_service.add_quiet_period(state.ctx, pid, dt.date.today() + dt.timedelta(days=5),
                                     dt.date.today() + dt.timedelta(days=9), "Hearing")
    state.notify("quiet_period")
    page.panel.show_tab("contact")
    view = page.panel.quiet_view
    view.setCurrentIndex(page.panel.quiet_model.index(0, 0))
    assert page.panel.change_quiet_button.isEnabled()
    fill_dialogs.append(lambda d: d.ends.set_date(dt.date.today() + dt.timedelta(days=12)))
    page.panel.change_quiet_button.click()
    page.panel.show_tab("contact")
    assert page.panel.quiet_model.rows[0].ends_on == dt.date.today() + dt.timedelta(days=12)
    view.setCurrentIndex(page.panel.quiet_model.index(0, 0))
    interaction.answers["confirm"] = True
    page.panel.end_quiet_button.click()
    page.panel.show_tab("contact")
    assert page.panel.quiet_model.rowCount() == 0 or all(
        q.reason != "Hearing" for q in page.panel.quiet_model.rows)
