"""Folding the unrolled network into the deck's single cell with its loop arrow, and unrolling it again.

The deck draws the RNN first folded (one cell A: x_t in, h_t out, a loop carrying h_{t-1} back in) and
then "unrolled in time". ``FoldAnimator`` animates between the two on ``UnrolledView``'s own scene:
every column slides onto the first one while the later columns and the step-to-step arrows fade, then
a loop arrow (W_hh) appears beside each cell row (a backward chain's loop on the other side). Folded,
the one column shows the step at the time cursor: its token, the state h_t as unit stripes, and its
output, so scrubbing time runs the folded cell. Nothing is rebuilt: items keep their place in the
scene's table and only move and fade; a new trace of another shape is folded again at once.
"""
from __future__ import annotations

from PySide6.QtCore import QEasingCurve, QObject, QPointF, QVariantAnimation
from PySide6.QtGui import QColor, QFont, QPainterPath, QPen

from widgets.parts.notation import state_sub

DURATION_MS = 700


class FoldAnimator(QObject):
    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.progress = 0.0  # 0 unrolled ... 1 folded
        self.target = 0.0
        self._home: dict = {}  # item -> (position, opacity, column) when the fold started
        self._loops: list = []  # the loop arrows and their labels (folded only)
        self._centre = QPointF()  # the view's centre when the fold started
        self._anim = QVariantAnimation(self, duration=DURATION_MS)
        self._anim.setEasingCurve(QEasingCurve.Type.InOutCubic)
        self._anim.valueChanged.connect(self._on_value)
        self._anim.finished.connect(self._on_finished)

    # ---- API ----------------------------------------------------------------------------------
    def folded(self) -> bool:
        return self.target == 1.0

    def set_folded(self, on: bool, animate: bool = True) -> None:
        target = 1.0 if on else 0.0
        if target == self.target and not self._anim.state() == QVariantAnimation.State.Running:
            return
        self.target = target
        self._anim.stop()
        if self.view.trace is None:
            self.progress = target  # folded from the first trace on (rebuilt)
            return
        if self.progress == 0.0 and not self._home:
            self._capture()
        if not animate:
            self._apply(target)
            self._on_finished()
            return
        self._anim.setStartValue(self.progress)
        self._anim.setEndValue(target)
        self._anim.setDuration(int(DURATION_MS * abs(target - self.progress)) or 1)
        self._anim.start()

    def rebuilt(self) -> None:
        """The view built its items again (another shape, another theme): fold them at once if folded."""
        self._anim.stop()
        self._home, self._loops = {}, []
        self.progress = 0.0
        if self.target == 1.0:
            self._capture()
            self._apply(1.0)
            self._on_finished()

    def refresh(self) -> None:
        """Folded: the one column shows the step at the time cursor."""
        if self.progress < 1.0 or self.view.trace is None:
            return
        v, tr = self.view, self.view.trace
        t = v.clamp_time(v.time)
        v._colour_columns({t})
        for (layer, d, col), strip in v.cell_strips.items():
            if col == 0:
                strip.setPixmap(v.cell_strips[(layer, d, t)].pixmap())
                v.cell_texts[(layer, d, 0)].setText(f"h{'→←'[d] if tr.num_directions == 2 else ''}_t")
        if v.input_texts:
            v._set_text(v.input_texts[0], tr.tokens[t] if t < len(tr.tokens) else "")
        if tr.output_kind == "per_step" and v.output_texts and t < len(tr.predictions):
            v._set_text(v.output_texts[0], tr.predictions[t], limit=8)
            v.output_bars.show_step(0, t)
        if self._loops:
            self._loops[-1].setText(f"t = {t + 1} of {tr.seq_len}")

    # ---- animation ---------------------------------------------------------------------------
    def _capture(self) -> None:
        """Where every item is now, and which column it belongs to (by its centre)."""
        from widgets.network.unrolled_scene import DX

        v = self.view
        T = v.trace.seq_len
        arrows = {id(a) for a in v.rec_arrows.values()}  # (by identity: items compare equal by value)
        if not self._loops:
            self._add_loops()
        self._home = {}
        for item in v.scene.items():
            # (every item is top-level: no parentItem() check, whose wrapper crashes the next scene.clear())
            if item is v.highlight or any(item is loop for loop in self._loops):
                continue
            x = item.sceneBoundingRect().center().x()
            if id(item) in arrows or -0.8 * DX < x < -0.25 * DX:  # step-to-step arrows, h_0 and its arrow
                column = -1  # fades in place
            elif x <= -0.8 * DX:
                column = 0  # the row labels stay
            else:
                column = min(max(round(x / DX), 0), T)
                if column == 0 and getattr(item, "text", lambda: "")() == "1":
                    column = -1  # the step number under x_1: folded, the note says which t
            self._home[item] = (QPointF(item.pos()), item.opacity(), column)
        self._centre = v.view_center()  # the view glides to the first column while the columns gather

    def _apply(self, p: float) -> None:
        from widgets.network.unrolled_scene import DX

        self.progress = p
        v = self.view
        v.highlight.setVisible(p == 0.0)
        if self._home and p > 0.0:
            c = self._centre
            v.view.centerOn(QPointF(c.x() * (1.0 - p), c.y()))
        for item, (pos, opacity, column) in self._home.items():
            if column > 0:
                item.setPos(pos.x() - column * DX * p, pos.y())
                item.setOpacity(opacity * (1.0 - p))
            elif column < 0:
                item.setOpacity(opacity * (1.0 - p))
        for item in self._loops:
            item.setOpacity(max(0.0, 2.0 * p - 1.0))  # the loop comes in over the second half
            item.setVisible(p > 0.5)

    def _on_value(self, value) -> None:
        self._apply(float(value))

    def _on_finished(self) -> None:
        v = self.view
        if self.progress == 0.0:
            for item in self._loops:  # hidden, not removed: the next build clears them with the rest
                item.setVisible(False)
            self._home = {}
            if v.trace is not None:  # the unrolled picture as built: the first column shows t = 1 again
                D = v.trace.num_directions
                for (_layer, d, col), text in v.cell_texts.items():
                    if col == 0:
                        text.setText(state_sub("h", d, D, 1))
                v._recolour()
                v._centre_on_time()
        else:
            v.view.centerOn(QPointF(0.0, v.view_center().y()))
            self.refresh()

    def _add_loops(self) -> None:
        """A loop arrow beside every cell row of the first column: h_{t-1} fed back through W_hh."""
        from widgets.network.unrolled_scene import BOX_H, BOX_W

        v = self.view
        th = v.theme
        pen = QPen(QColor(th["accent"]), 2.0)
        font = QFont()
        font.setPointSizeF(8)
        self._loops = []
        for (layer, d, col), box in v.cell_items.items():
            if col != 0:
                continue
            r = box.sceneBoundingRect()
            s = 1 if d == 0 else -1  # forward: loop on the right; backward: on the left
            x0 = r.right() if d == 0 else r.left()
            yc = r.center().y()
            path = QPainterPath(QPointF(x0, yc - 8))
            path.cubicTo(QPointF(x0 + s * 34, yc - 26), QPointF(x0 + s * 34, yc + 26), QPointF(x0 + s * 2, yc + 8))
            tip = QPointF(x0 + s * 2, yc + 8)  # arrowhead back into the cell
            path.moveTo(tip + QPointF(s * 8, 1))
            path.lineTo(tip)
            path.lineTo(tip + QPointF(s * 5, 7))
            loop = v.scene.addPath(path, pen)
            loop.setZValue(4)
            loop.setToolTip(f"The recurrence: h_{{t-1}} goes back into the same cell through W_hh (layer "
                            f"{layer + 1}{', backward' if d else ''}). Unrolled, it is the arrow from one "
                            "column to the next.")
            label = v.scene.addSimpleText("W_hh", font)
            label.setBrush(QColor(th["accent"]))
            label.setPos(x0 + s * 30 - (label.boundingRect().width() if d else 0), yc - BOX_H / 2 - 10)
            label.setZValue(4)
            self._loops += [loop, label]
        note = v.scene.addSimpleText("", font)
        note.setBrush(QColor(th["muted"]))
        y = v.input_texts[0].sceneBoundingRect().center().y() if v.input_texts else 0.0
        note.setPos(BOX_W / 2 + 8, y - note.boundingRect().height() / 2)
        note.setZValue(4)
        self._loops.append(note)  # "t = 3 of 10": which step the folded cell shows
        for item in self._loops:
            item.setVisible(False)
