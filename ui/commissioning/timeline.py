"""A cycle's four stages as a timeline: planned dates as an outlined bar, actual
dates as a filled bar, today as a line. The current stage is named in words
("current stage") and drawn bold, never shown by colour alone; the widget's
accessible description says the same in text."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from lived_experience.core import clock
from lived_experience.core.formatting import uk_date
from ui.theme import severity_colour

# Planned (navy) and today (red) take the theme's colours (ui.theme.severity_colour: cyan and light red on
# the high-contrast black, where navy and dark red are 1.6:1 and 2:1). The actual bar's mid blue is 4.9:1 on
# white and 4.3:1 on black: enough for a filled shape (3:1) in either theme.
ACTUAL = QColor("#2E75B6")


class CycleTimeline(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.cycle = None
        self.setAccessibleName("Cycle timeline")
        self.setAccessibleDescription("No cycle selected")
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(500, 150)

    def set_cycle(self, cycle) -> None:
        self.cycle = cycle
        self.setAccessibleDescription(self.describe())
        self.setMinimumHeight(self._height())
        self.update()

    def _rows(self) -> tuple[int, int]:
        """(top of the first stage row, height of a row)."""
        fm = self.fontMetrics()
        return fm.height() + 6, max(26, fm.height() * 2)

    def _height(self) -> int:
        top, row_h = self._rows()
        stages = len(self.cycle.stages) if self.cycle is not None else 4
        # The stage rows, then a line for "today" and a line for the legend.
        return top + stages * row_h + 2 * self.fontMetrics().height() + 8

    def describe(self) -> str:
        c = self.cycle
        if c is None:
            return "No cycle selected"
        parts = [f"{c.name}: current stage {c.current_stage_label}."]
        for st in c.stages:
            planned = f"planned {uk_date(st.planned_start) or '?'} to {uk_date(st.planned_end) or '?'}"
            actual = (f"actual {uk_date(st.actual_start)} to {uk_date(st.actual_end) or 'now'}" if st.actual_start
                      else "not started")
            parts.append(f"{st.label}{' (current)' if st.is_current else ''}: {planned}; {actual}; {st.state}.")
        return " ".join(parts)

    def _span(self) -> tuple[dt.date, dt.date] | None:
        c = self.cycle
        days = [d for st in c.stages for d in (st.planned_start, st.planned_end, st.actual_start, st.actual_end) if d]
        if not days:
            return None
        today = clock.today()
        first, last = min(days + [today]), max(days + [today])
        if first == last:
            last = first + dt.timedelta(days=1)
        return first, last

    def paintEvent(self, event):  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        if self.cycle is None:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Choose a cycle to see its stages.")
            return
        span = self._span()
        bold = QFont(self.font())
        bold.setBold(True)
        bfm = QFontMetrics(bold)
        label_w = max(bfm.horizontalAdvance(f"{st.label} (current stage)") for st in self.cycle.stages) + 12
        left, right = label_w, self.width() - 10
        top, row_h = self._rows()
        if span is None:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No dates planned for this cycle yet.")
            return
        first, last = span
        total = (last - first).days or 1

        def x(day: dt.date) -> float:
            return left + (right - left) * (day - first).days / total

        p.drawText(int(left), fm.ascent() + 2, uk_date(first))
        end_text = uk_date(last)
        p.drawText(int(right - fm.horizontalAdvance(end_text)), fm.ascent() + 2, end_text)
        for i, st in enumerate(self.cycle.stages):
            y = top + i * row_h
            p.setFont(bold if st.is_current else self.font())
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(0, y, label_w - 6, row_h), Qt.AlignmentFlag.AlignVCenter,
                       f"{st.label} (current stage)" if st.is_current else st.label)
            if st.planned_start and st.planned_end:
                p.setPen(QPen(severity_colour(0), 2 if st.is_current else 1, Qt.PenStyle.DashLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(x(st.planned_start), y + 3, max(2.0, x(st.planned_end) - x(st.planned_start)),
                                  row_h / 2 - 4))
            if st.actual_start:
                end = st.actual_end or clock.today()
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(ACTUAL)
                p.drawRect(QRectF(x(st.actual_start), y + row_h / 2, max(2.0, x(end) - x(st.actual_start)),
                                  row_h / 2 - 3))
        p.setFont(self.font())
        tx = x(clock.today())
        bottom = top + len(self.cycle.stages) * row_h
        p.setPen(QPen(severity_colour(2), 1.5))
        p.drawLine(int(tx), top, int(tx), bottom)
        today_text = f"today, {uk_date(clock.today())}"
        p.drawText(int(max(left, min(tx - fm.horizontalAdvance(today_text) / 2, right - fm.horizontalAdvance(today_text)))),
                   bottom + fm.ascent() + 2, today_text)
        # Legend in words, on a line of its own.
        p.setPen(self.palette().text().color())
        p.drawText(4, bottom + fm.height() + fm.ascent() + 4,
                   "Upper (dashed) bar: planned. Lower (filled) bar: actual. The red line is today.")
