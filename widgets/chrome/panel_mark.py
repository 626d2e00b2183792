"""PanelMark: an outline drawn over a panel a lesson step names, and, while the step's question is
open, a veil over it ("predict first"), so the panel does not give the answer away.

A child widget laid over its panel: it follows the panel's size, lets every mouse event through to
the panel, and is removed with ``clear()``.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

OUTLINE = QColor("#ffcc44")
VEIL = QColor(21, 23, 28, 250)


class PanelMark(QWidget):
    def __init__(self, panel: QWidget, veil_text: str = "", outline: bool = True):
        super().__init__(panel)
        self.outline = outline
        self.setObjectName(f"{panel.objectName()}LessonMark")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not veil_text)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setProperty("floating", True)  # over its panel by design (the layout's overlap audit)
        self.veil_text = veil_text
        self._follower = _Follower(panel, self)
        self.setGeometry(panel.rect())
        self.raise_()
        self.show()

    @property
    def veiled(self) -> bool:
        return bool(self.veil_text)

    def lift_veil(self) -> None:
        self.veil_text = ""
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        rect = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        if self.veil_text:
            p.fillRect(self.rect(), VEIL)
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 1.2)
            p.setFont(font)
            p.setPen(QColor("#e6e9ef"))
            p.drawText(rect.adjusted(12, 12, -12, -12), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.veil_text)
        if self.outline:
            p.setPen(QPen(OUTLINE, 3))
            p.drawRoundedRect(rect, 4, 4)


class _Follower(QObject):
    """Keeps the mark the size of its panel and on top of it: also when one of the panel's own children is
    raised over it (a QStackedLayout raises the page it switches to: the gates panel's plots, shown once the
    step's LSTM arrives, covered the veil and gave the answer away)."""

    def __init__(self, panel: QWidget, mark: PanelMark):
        super().__init__(mark)
        self.panel = panel
        self.mark = mark
        panel.installEventFilter(self)
        for child in panel.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not isinstance(child, PanelMark):  # (marks do not raise each other, back and forth)
                child.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if obj is self.panel:
            if kind in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.ChildAdded):
                self.mark.setGeometry(obj.rect())
                self.mark.raise_()
            if kind == QEvent.Type.ChildPolished and not isinstance(event.child(), PanelMark):  # (fully built)
                event.child().installEventFilter(self)
                self.mark.raise_()
        elif kind in (QEvent.Type.ZOrderChange, QEvent.Type.Show) and not isinstance(obj, PanelMark):
            self.mark.raise_()  # a child raised or shown over the mark
        return False
