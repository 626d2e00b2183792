"""The sequence strip's painted rows: one cell per token (input, target, output), and the row labels beside them."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from widgets.parts.base import mix_colors


class TokenRow(QWidget):
    """The painted strip of cells: one column per input position, one row per line of text."""

    clicked = Signal(int)
    MARGIN = 4

    def __init__(self, owner):  # the SequenceStrip that owns the row
        super().__init__()
        self.setObjectName("sequenceTokens")
        self.owner = owner
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.cell_w, self.row_h = 24, 22

    # ---- geometry ----------------------------------------------------------------------
    @property
    def rows(self) -> int:
        return 3 if self.owner.per_step else 1

    def relayout(self) -> None:
        fm = self.fontMetrics()
        tr = self.owner.trace
        texts = [] if tr is None else list(tr.tokens) + (list(tr.targets) + list(tr.predictions)
                                                          if self.owner.per_step else [])
        widest = max((fm.horizontalAdvance(s) for s in texts), default=0)
        self.cell_w = max(widest + 10, 22)
        self.row_h = fm.height() + 8
        self.setFixedSize(self.sizeHint())
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        T = 0 if self.owner.trace is None else len(self.owner.trace.tokens)
        width = T * self.cell_w if T else 260
        return QSize(width + 2 * self.MARGIN, self.rows * self.row_h + 2 * self.MARGIN)

    def cell_rect(self, t: int, row: int = 0) -> QRect:
        """The rectangle of position t in row 0 (input), 1 (target) or 2 (model)."""
        return QRect(self.MARGIN + t * self.cell_w, self.MARGIN + row * self.row_h,
                     self.cell_w - 2, self.row_h - 2)

    def index_at(self, pos: QPoint) -> int | None:
        tr = self.owner.trace
        if tr is None:
            return None
        t = (pos.x() - self.MARGIN) // self.cell_w
        row = (pos.y() - self.MARGIN) // self.row_h
        return int(t) if 0 <= t < len(tr.tokens) and 0 <= row < self.rows else None

    # ---- events ------------------------------------------------------------------------
    def mousePressEvent(self, event):  # noqa: N802 (Qt override)
        t = self.index_at(event.position().toPoint())
        if t is not None and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(t)
        super().mousePressEvent(event)

    def event(self, event):
        if event.type() == event.Type.ToolTip:
            t = self.index_at(event.pos())
            if t is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.owner.token_tooltip(t), self)
            return True
        return super().event(event)

    def paintEvent(self, event):  # noqa: N802 (Qt override)
        th, owner = self.owner.theme, self.owner
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(th["background"]))
        tr = owner.trace
        if tr is None:  # (the strip's empty state says what will appear)
            return
        surface = mix_colors(th["background"], th["foreground"], 0.10)
        centre = Qt.AlignmentFlag.AlignCenter
        correct = owner.correct_per_step()
        exposed = event.rect()  # only the columns in view (a long sequence scrolls)
        first = max(0, (exposed.left() - self.MARGIN) // self.cell_w)
        last = min(len(tr.tokens), (exposed.right() - self.MARGIN) // self.cell_w + 1)
        for t in range(first, last):
            token = tr.tokens[t]
            r = self.cell_rect(t, 0)
            now = t == owner.time
            p.fillRect(r, mix_colors(th["background"], th["accent"], 0.35) if now else surface)
            if now:
                p.setPen(QPen(QColor(th["accent"]), 2))
                p.drawRect(r.adjusted(1, 1, -1, -1))
            p.setPen(QColor(th["foreground"]))
            p.drawText(r, centre, token)
            if not owner.per_step:
                continue
            target, pred = tr.targets[t], tr.predictions[t]
            p.setPen(QColor(th["muted"]))
            p.drawText(self.cell_rect(t, 1), centre, target)
            r2 = self.cell_rect(t, 2)
            if correct[t] is None:
                p.fillRect(r2, surface)
            else:
                p.fillRect(r2, mix_colors(th["background"], th["good"] if correct[t] else th["bad"], 0.55))
            p.setPen(QColor(th["foreground"]))
            p.drawText(r2, centre, pred)


class RowLabels(QWidget):
    """"input / target / model" in front of the strip; stays put while the strip scrolls."""

    def __init__(self, tokens: TokenRow):
        super().__init__()
        self.tokens = tokens
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self.fontMetrics().horizontalAdvance("target") + 10, self.tokens.height())

    def paintEvent(self, event):  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setPen(QColor(self.tokens.owner.theme["muted"]))
        names = ("input", "target", "model")[: self.tokens.rows]
        for i, name in enumerate(names):
            r = self.tokens.cell_rect(0, i)
            p.drawText(QRect(0, r.top(), self.width() - 4, r.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
