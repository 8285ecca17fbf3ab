"""Help > About: the version, and where the data and logs live."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QMessageBox

from lived_experience import __version__


def about_text(state) -> str:
    lines = [f"<b>Lived Experience</b> version {__version__}",
             "Records, meetings and feedback for the OPCC Victims and Lived Experience Group "
             "(Leicester, Leicestershire and Rutland)."]
    paths = state.ctx.paths if state is not None else None
    if state is not None:
        lines.append(f"Database: {escape(state.ctx.db.display_name())}")
    if paths is None:  # before the database is open: where it will be
        from lived_experience.core.paths import resolve_paths

        paths = resolve_paths()
    lines.append(f"Data folder: {escape(str(paths.data_dir))}")
    lines.append(f"Backups: {escape(str(paths.backup_dir))}")
    lines.append(f"Logs: {escape(str(paths.log_dir))}")
    lines.append("The data is special category personal data about victims of crime: handle it as "
                 "OFFICIAL-SENSITIVE.")
    return "<br>".join(lines)


def show_about(parent, state) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, "About Lived Experience", about_text(state),
                      QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("About Lived Experience")
    ok = box.button(QMessageBox.StandardButton.Ok)
    ok.setAccessibleName("OK")
    ok.setAccessibleDescription("Close this window")
    box.exec()
