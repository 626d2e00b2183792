"""Counting the events of one kind a widget receives (a repaint, a layout request): what a test of drawing
less can assert instead of a time."""
from PySide6.QtCore import QEvent, QObject


class EventCount(QObject):
    def __init__(self, widget, kind):
        super().__init__()
        self.kind, self.count = kind, 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
        if event.type() == self.kind:
            self.count += 1
        return False


def relayouts(qtbot, parent, label, texts) -> int:
    """How many layout requests reach ``parent`` while ``label`` shows each of ``texts`` in turn."""
    requests = EventCount(parent, QEvent.Type.LayoutRequest)
    for text in texts:
        label.setText(text)
        qtbot.wait(1)  # (posted events delivered)
    return requests.count
