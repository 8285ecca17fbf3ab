"""The baseline: a bare PySide6 QMainWindow that prints when it first paints."""

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class Probe(QObject):
    done = False

    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            print(f"first_paint 0 {time.time():.6f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


app = QApplication(sys.argv[:1])
w = QMainWindow()
label = QLabel("Hello")
w.setCentralWidget(label)
probe = Probe()
label.installEventFilter(probe)
w.resize(1200, 780)
w.show()
app.exec()
