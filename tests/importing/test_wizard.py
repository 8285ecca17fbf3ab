"""The import wizard, driven as a person would (offscreen), on a copy of the demo data."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTableView, QTextBrowser
from sqlalchemy import func, select

from db.models import Application, ImportBatch
from lived_experience.core.uow import unit_of_work
from lived_experience.importing import validate as V
from tests.importing import files as F
from tests.importing.helpers import add_window, table_counts
from ui.importing.models import MappingModel, PreviewModel
from ui.importing.wizard import ImportWizard, open_import_wizard


@pytest.fixture
def window_id(state):
    return add_window(state.ctx, "Wizard window")


@pytest.fixture
def wizard(qtbot, state, window_id):
    w = ImportWizard(state, None, window_id=window_id)
    qtbot.addWidget(w)
    w.show()
    return w


def _apps(ctx, window_id) -> int:
    with unit_of_work(ctx, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(Application).where(Application.window_id == window_id))


def _read(wizard, interaction, path) -> None:
    interaction.answers["open_file"] = str(path)
    wizard.browse_button.click()
    assert wizard.path_edit.text() == str(path)
    wizard.next_button.click()


def test_every_control_has_an_accessible_name_and_description(wizard):
    widgets = [w for kind in (QAbstractButton, QComboBox, QLineEdit, QTableView, QTextBrowser)
               for w in wizard.findChildren(kind)]
    assert len(widgets) > 15
    for widget in widgets:
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        assert widget.accessibleName(), widget
        assert widget.accessibleDescription(), widget.accessibleName()


def test_the_whole_import_with_a_decision_and_the_report(wizard, interaction, state, window_id, tmp_path,
                                                         qtmodeltester):
    rows = F.forms_rows(6)
    rows[5]["Email address"] = "not-an-email"
    headers = F.FORMS_META + F.QUESTIONS
    path = F.write_xlsx(tmp_path / "form.xlsx", headers, [[a[h] for h in headers] for a in rows])
    _read(wizard, interaction, path)
    assert wizard.step == 1, wizard.error_label.text()
    qtmodeltester.check(wizard.mapping_model, force_py=False)
    assert "Microsoft Forms" in wizard.file_notes.text()
    # Change one column by keyboard-equivalent controls: the available answer is not imported.
    row = next(c.index for c in wizard.mapping.columns if c.header == "When are you available?")
    wizard.set_column_field(row, None)
    assert wizard.mapping.columns[row].field is None
    assert wizard.mapping_model.index(row, 2).data() == "Not imported"
    wizard.next_button.click()
    assert wizard.step == 2, wizard.error_label.text()
    qtmodeltester.check(wizard.preview_model, force_py=False)
    model = wizard.preview_model
    assert model.rowCount() == 6
    rejected = next(i for i in range(model.rowCount()) if model.row_result(i).status == V.REJECTED)
    assert model.index(rejected, 1).data() == "Rejected: to fix"
    assert "not an email address" in model.index(rejected, 5).data()
    wizard.preview_table.selectRow(rejected)
    assert "Problems (the row is not imported)" in wizard.row_details.toPlainText()
    wizard.filter_combo.setCurrentIndex(wizard.filter_combo.findData("rejected"))
    assert model.rowCount() == 1
    qtmodeltester.check(model, force_py=False)
    wizard.next_button.click()
    assert wizard.step == 3 and "5 applicants added" in wizard.confirm_label.text()
    wizard.next_button.click()  # Import
    assert wizard.step == 5, wizard.error_label.text()
    assert "5 applicants added" in wizard.result_label.text()
    assert _apps(state.ctx, window_id) == 5
    # The report of rejected rows, and the link to open it.
    target = tmp_path / "to fix.xlsx"
    interaction.answers["save_file"] = str(target)
    opened = []
    wizard.open_url = opened.append
    wizard.save_report_button.click()
    assert target.exists()
    assert openpyxl.load_workbook(target)["Rows to fix"]["B2"].value is not None
    assert wizard.open_report_button.isVisibleTo(wizard)
    wizard.open_report_button.click()
    assert opened and opened[0].toLocalFile() == str(target)
    wizard.cancel_button.click()  # Close


def test_a_refused_file_is_explained_on_the_first_page(wizard, interaction, tmp_path, state):
    before = table_counts(state.ctx)
    _read(wizard, interaction, F.encrypted_xlsx(tmp_path / "locked.xlsx"))
    assert wizard.step == 0
    assert wizard.error_label.isVisibleTo(wizard)
    assert "password-protected" in wizard.error_label.text()
    assert interaction.errors == []
    assert table_counts(state.ctx) == before


def test_a_mapping_without_a_name_cannot_go_on_and_a_profile_is_saved(wizard, interaction, tmp_path, state):
    path = F.write_csv(tmp_path / "odd.csv", ["Person", "Contact", "Area"],
                       [["Zoë Smith", "zoe@example.org", "LE1 6ZZ"]])
    _read(wizard, interaction, path)
    assert wizard.step == 1
    assert not wizard.next_button.isEnabled()
    assert "No column gives the applicant's name" in wizard.mapping_problems.text()
    wizard.set_column_field(0, "full_name")
    wizard.set_column_field(1, "email")
    wizard.set_column_field(2, "postcode")
    assert wizard.next_button.isEnabled()
    wizard.profile_name.setText("Hand-typed list")
    wizard.profile_save.click()
    assert ("info", "The mapping was saved as 'Hand-typed list'. Files with the same column headings will use "
                    "it automatically.") in interaction.messages
    # The next file with the same headings uses the saved mapping by itself.
    w2 = ImportWizard(state, None, window_id=wizard.window_combo.currentData())
    w2.show()
    _read(w2, interaction, path)
    assert [c.field for c in w2.mapping.columns] == ["full_name", "email", "postcode"]
    assert "Using your saved mapping 'Hand-typed list'" in w2.file_notes.text()
    w2.close()


def test_duplicates_wait_for_a_decision_and_the_choice_is_kept(wizard, interaction, tmp_path, state, window_id):
    headers = ["Name", "Date of birth", "Email", "Postcode"]
    earlier = add_window(state.ctx, "Earlier window")
    from tests.importing.helpers import import_file

    import_file(state.ctx, F.write_xlsx(tmp_path / "a.xlsx", headers,
                                        [["Zoë Quinn", dt.date(1980, 5, 17), "zq@example.org", "LE1 6ZZ"]]), earlier)
    path = F.write_xlsx(tmp_path / "b.xlsx", headers,
                        [["Zoe Quinn", dt.date(1980, 5, 17), "zoe.q@example.org", "LE1 6ZZ"],
                         ["Kwame Mensah", dt.date(1975, 2, 3), "kwame@example.org", "LE2 3AB"]])
    _read(wizard, interaction, path)
    wizard.next_button.click()
    assert wizard.step == 2
    assert wizard.filter_combo.currentData() == "decide"  # opened on the rows that need a decision
    assert wizard.preview_model.rowCount() == 1
    wizard.preview_table.selectRow(0)
    assert wizard.choice_combo.isEnabled()
    assert "Person on record: Zoë Quinn (born 17/05/1980)" in wizard.row_details.toPlainText()
    assert "need your decision" in wizard.summary_label.text() and "1 need" in wizard.summary_label.text()
    wizard.choice_combo.setCurrentIndex(wizard.choice_combo.findData(V.UPDATE))
    wizard.choice_combo.activated.emit(wizard.choice_combo.currentIndex())
    assert wizard.preview.row(2).choice == V.UPDATE
    assert "0 need your decision" in wizard.summary_label.text()
    wizard.next_button.click()
    wizard.next_button.click()
    assert wizard.step == 5
    assert _apps(state.ctx, window_id) == 2
    with unit_of_work(state.ctx, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) >= 2


def test_cancelling_the_import_changes_nothing(wizard, interaction, tmp_path, state, window_id, monkeypatch):
    from lived_experience.importing import service
    from ui.tasks import Cancelled

    path = F.forms_excel_like(tmp_path / "f.xlsx", 30)
    _read(wizard, interaction, path)
    wizard.next_button.click()
    wizard.next_button.click()
    before = table_counts(state.ctx)
    original = service.commit

    def commit_then_cancel(ctx, preview, progress=None, **kw):
        def cancelling(done, total):
            if done > 100:
                raise Cancelled()
            if progress:
                progress(done, total)
        return original(ctx, preview, progress=cancelling, **kw)

    monkeypatch.setattr(service, "commit", commit_then_cancel)
    wizard.next_button.click()  # Import
    assert wizard.step == 3
    assert "cancelled: nothing was changed" in wizard.error_label.text()
    assert table_counts(state.ctx) == before


def test_open_import_wizard_opens_with_the_window_chosen(qtbot, state, window_id):
    w = open_import_wizard(state, None, window_id)
    qtbot.addWidget(w)
    assert w.isVisible() and w.window_combo.currentData() == window_id
    assert w.step == 0 and w.step_label.text() == "Step 1 of 5: Choose the file"
    w.close()


def test_models_are_sound_when_empty(qtmodeltester):
    qtmodeltester.check(MappingModel(), force_py=False)
    qtmodeltester.check(PreviewModel(), force_py=False)


def test_the_file_step_counts_the_rows_a_person_will_see(wizard, interaction, tmp_path):
    """A small sheet with blank rows and a title above the headings: the rows are counted, not guessed
    from the last row number."""
    rows = [["Applicants, April"], [], ["Name", "Email", "Postcode"], ["Owen Walsh", "owen@example.org", "LE1 6ZZ"], [],
            ["Priya Patel", "priya@example.org", "LE4 7AB"], [], [], ["Kwame Abara", "kwame@example.org", "LE67 1AB"]]
    path = F.write_xlsx(tmp_path / "typed.xlsx", rows[2], rows[3:], title_rows=rows[:2])
    _read(wizard, interaction, path)
    assert wizard.step == 1, wizard.error_label.text()
    assert "typed.xlsx: 3 rows under the headings in row 3" in wizard.file_notes.text()


def test_an_ods_file_can_be_chosen(wizard, interaction, tmp_path):
    from ui.importing.wizard import FILE_FILTER

    assert "*.ods" in FILE_FILTER and "*.xls " in FILE_FILTER
    path = F.write_ods(tmp_path / "libre.ods", [("Responses", [["Name", "Email"], ["Zoë Smith", "z@example.org"]],
                                                  False)])
    _read(wizard, interaction, path)
    assert wizard.step == 1, wizard.error_label.text()
    assert "libre.ods: 1 row under the headings in row 1 of the sheet 'Responses'." in wizard.file_notes.text()
