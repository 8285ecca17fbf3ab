"""Help > About: the version, and where the data and logs live."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from lived_experience import __version__


def about_text(state) -> str:
    lines = [f"<b>Lived Experience</b> version {__version__}",
             "Records, meetings and feedback for the OPCC Victims and Lived Experience Group "
             "(Leicester, Leicestershire and Rutland)."]
    if state is not None:
        lines.append(f"Database: {state.ctx.db.display_name()}")
        if state.ctx.paths is not None:
            lines.append(f"Data folder: {state.ctx.paths.data_dir}")
            lines.append(f"Backups: {state.ctx.paths.backup_dir}")
            lines.append(f"Logs: {state.ctx.paths.log_dir}")
    lines.append("The data is special category personal data about victims of crime: handle it as "
                 "OFFICIAL-SENSITIVE.")
    return "<br>".join(lines)


def show_about(parent, state) -> None:
    QMessageBox.about(parent, "About Lived Experience", about_text(state))
