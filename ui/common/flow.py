"""A row of controls that wraps onto the next line when the page is narrow.

Rows of filter boxes and buttons in a plain QHBoxLayout make the page at
least as wide as all of them side by side: on a small screen, or with a large
system font, the window then grows wider than the screen. In a FlowLayout the
controls keep their natural size and move down a line instead. Controls whose
horizontal size policy expands (a filter box, a stretch) share the room left
over on their line, as they would in a box layout.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QSpacerItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._grow: set[int] = set()  # ids of items given a stretch
        self._spacing = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    # -- QLayout API ------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 - Qt's name
        """``stretch`` > 0: the control shares the room left on its line, as in a box layout."""
        self.addChildWidget(widget)
        item = QWidgetItem(widget)
        if stretch > 0:
            self._grow.add(id(item))
        self.addItem(item)
        self.invalidate()

    def addStretch(self) -> None:  # noqa: N802 - as QBoxLayout spells it
        self.addItem(QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._grow.discard(id(item))
        return item

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        # Everything on one line, when there is room for it.
        m = self.contentsMargins()
        visible = self._visible()
        width = sum(i.sizeHint().width() for i in visible) + self._spacing * max(len(visible) - 1, 0)
        height = max((i.sizeHint().height() for i in visible), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        # As narrow as the widest single control.
        m = self.contentsMargins()
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- layout -----------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not (i.widget() is not None and i.widget().isHidden())]

    def _expands(self, item: QLayoutItem) -> bool:
        return id(item) in self._grow or bool(item.expandingDirections() & Qt.Orientation.Horizontal)

    def _lines(self, width: int) -> list[list[QLayoutItem]]:
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            w = item.sizeHint().width()
            if lines[-1] and used + self._spacing + w > width:
                lines.append([])
                used = 0
            used += (self._spacing if lines[-1] else 0) + w
            lines[-1].append(item)
        return [line for line in lines if line]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        y = area.y()
        for line in self._lines(area.width()):
            # A spacer alone at the start of a line takes no room and no line.
            while line and line[0].spacerItem() is not None and len(line) > 1:
                line = line[1:]
            widths = [min(i.sizeHint().width(), area.width()) for i in line]
            spare = area.width() - sum(widths) - self._spacing * (len(line) - 1)
            growers = [n for n, i in enumerate(line) if self._expands(i)]
            if spare > 0 and growers:
                share, extra = divmod(spare, len(growers))
                for k, n in enumerate(growers):
                    widths[n] += share + (1 if k < extra else 0)
            height = max(i.sizeHint().height() for i in line)
            x = area.x()
            for item, w in zip(line, widths, strict=True):
                if apply:
                    h = min(item.sizeHint().height(), height) if item.spacerItem() is None else 0
                    item.setGeometry(QRect(QPoint(x, y + (height - h) // 2), QSize(w, h)))
                x += w + self._spacing
            y += height + self._spacing
        return max(y - self._spacing - area.y(), 0) + m.top() + m.bottom()
