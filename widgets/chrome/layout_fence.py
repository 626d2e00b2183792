"""LayoutFence: a wrapping label (or any widget) whose content changes with every snapshot, laid out again only
when it needs another size.

A QLabel asks for a new layout at every ``setText``, and a layout that ran asks its widget's parent for one
too, up to the window: one changing sentence in a dock (the curves' "loss 0.2054 ...", the strip's "model
right at 5 of 7") lays out the whole main window, every dock and their title-bar buttons at every snapshot
(about 0.6 ms of each frame). StatusField avoids it with a fixed size; a label that wraps and takes the
room its row leaves cannot have one. The fence holds the widget without a layout (a request to a widget
without one goes nowhere), takes the widget's size hints and policy as its own, and passes a request on
only when the widget's size hints at the fence's width changed (a sentence that needs another line, a
new font)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QSizePolicy, QWidget


class LayoutFence(QWidget):
    def __init__(self, child: QWidget, parent=None):
        super().__init__(parent)
        self.child = child
        child.setParent(self)
        child.move(0, 0)
        self.setObjectName(f"{child.objectName() or 'widget'}Fence")
        self._hints = None
        self._mirror_policy()
        child.installEventFilter(self)  # (wrap it before hiding it: its owner's hide() then hides the fence)

    # ---- the child's size, as ours -----------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.child.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.child.minimumSizeHint()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return self.child.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        return self.child.heightForWidth(width)

    def _mirror_policy(self) -> None:
        policy = QSizePolicy(self.child.sizePolicy())
        policy.setHeightForWidth(self.child.hasHeightForWidth())
        self.setSizePolicy(policy)
        self.setMinimumSize(self.child.minimumSize())
        self.setMaximumSize(self.child.maximumSize())

    def _current_hints(self) -> tuple:
        """What a layout reads of the child: its size hints in each direction its policy does not ignore
        (a wrapping label's hinted width follows its text, but a row that ignores it gives it the room
        left), the height it needs at the fence's width, its size limits and policy."""
        c, policy = self.child, self.child.sizePolicy()
        ignored = QSizePolicy.Policy.Ignored
        hint, least = c.sizeHint(), c.minimumSizeHint()
        across = None if policy.horizontalPolicy() == ignored else (hint.width(), least.width())
        down = None if policy.verticalPolicy() == ignored else (
            c.heightForWidth(self.width()) if c.hasHeightForWidth() else hint.height(), least.height())
        return across, down, c.minimumSize(), c.maximumSize(), policy

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.child.resize(event.size())
        self._hints = self._current_hints()
        super().resizeEvent(event)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if obj is self.child:
            kind = event.type()
            if kind == QEvent.Type.ShowToParent:  # (shown/hidden by its owner: so is the fence,
                self.setVisible(True)  # which would otherwise keep its room)
            elif kind == QEvent.Type.HideToParent:
                self.setVisible(False)
        return False

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # what the child's setText posts to us
            self._pass_on_if_resized()
            return True
        return super().event(event)

    def _pass_on_if_resized(self) -> None:
        hints = self._current_hints()
        if hints != self._hints:
            self._hints = hints
            self._mirror_policy()
            self.updateGeometry()
