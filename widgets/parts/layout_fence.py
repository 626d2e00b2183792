"""LayoutFence: a wrapping label (or any widget) whose content changes with every snapshot, laid out again only
when it needs another size.

A QLabel asks for a new layout at every ``setText``, and a layout that ran asks its widget's parent for one
too, up to the window: one changing sentence in a dock (the curves' "loss 0.2054 ...", the strip's "model
right at 5 of 7") lays out the whole main window, every dock and their title-bar buttons at every snapshot
(about 0.6 ms of each frame). StatusField avoids it with a fixed size; a label that wraps and takes the
room its row leaves cannot have one. The fence holds the widget without a layout (a request to a widget
without one goes nowhere), takes the widget's size hints and policy as its own, and passes a request on
only when what a laid-out window reads of them changed (``_current_hints``: a sentence that needs another
line, a new font). Every panel's content sits in one (widgets.parts.base.Panel.body)."""
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
        """What moves things in a laid-out window: the child's minimum size hint in each direction its policy
        does not ignore, the height it needs at the fence's width, its size limits and policy. Not its
        size hint: that is where a layout starts (a dock's or a splitter's first share), and a wrapping
        label's follows its text; a panel keeps the room it was given."""
        c, policy = self.child, self.child.sizePolicy()
        ignored = QSizePolicy.Policy.Ignored
        least = c.minimumSizeHint()
        across = -1 if policy.horizontalPolicy() == ignored else least.width()
        down = -1 if policy.verticalPolicy() == ignored else least.height()
        needs = c.heightForWidth(self.width()) if c.hasHeightForWidth() else -1
        return across, down, needs, c.minimumSize(), c.maximumSize(), policy

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.child.resize(event.size())
        self._hints = self._current_hints()
        super().resizeEvent(event)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if obj is getattr(self, "child", None):  # (None while Python tears the fence down: events still come)
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
        """Pass a request on when the child needs another room than the layout last read, or has other limits
        (read when the child's own request arrives, so that its changes in one turn reach the window as one:
        a room first grown and later given back made a window wider than a 1280x720 screen for good)."""
        hints = self._current_hints()
        if hints != self._hints:
            self._hints = hints
            self._mirror_policy()
            self.updateGeometry()
