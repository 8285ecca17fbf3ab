"""The DBS register: only for DBS officers and administrators.

The page asks the service, which is where the permission is enforced (and a
refusal logged); the page only shows the answer.
"""

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from lived_experience.core.errors import PermissionDenied
from lived_experience.listing.query import list_page
from ui.common.section_page import SectionPage, heading


class DbsRegisterPage(SectionPage):
    kind = "dbs"
    title = "DBS register"


class DbsPage(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        try:
            list_page(state.ctx, "dbs", limit=1, with_total=False)
        except PermissionDenied as exc:
            self.register = None
            lay.addWidget(heading("DBS register", "The fact and outcome of each member's DBS check."))
            msg = QLabel(exc.message)
            msg.setWordWrap(True)
            msg.setAccessibleName("Access to the DBS register")
            lay.addWidget(msg)
            lay.addStretch(1)
            return
        self.register = DbsRegisterPage(state, self)
        lay.addWidget(self.register)

    def save_layout(self):
        if self.register is not None:
            self.register.save_layout()
