"""The lesson pane's title grows with the pane's font (presentation mode scales the application's font): its
size is relative, so a step shown without a new model (no snapshot, no rescan of absolute sizes) no longer
shows it at the small 11pt it had outside presentation mode (issue 25, seen at 1280x720 while presenting)."""
from PySide6.QtWidgets import QLabel

from app.lessons.files import builtin_lessons
from app.lessons.pane import LessonPane


def title_height(qtbot, scale: float, old_html: bool = False) -> int:
    """The title's height in a pane whose font is ``scale`` times the default (``old_html``: the title as it
    was written before, with an absolute size, in a label of the same font)."""
    pane = LessonPane()
    qtbot.addWidget(pane)
    font = pane.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    pane.setFont(font)
    lesson = builtin_lessons()[0]
    pane.show_step(lesson, lesson.steps[0], None)
    if not old_html:
        return pane.title.sizeHint().height()
    label = QLabel(f"<b style='font-size:11pt'>{lesson.title}</b>")
    label.setFont(font)
    qtbot.addWidget(label)
    return label.sizeHint().height()


def test_the_title_grows_with_the_panes_font(qtbot):
    assert title_height(qtbot, 1.75) / title_height(qtbot, 1.0) > 1.5
    # negative control: the absolute 11pt title kept its size (presentation mode rescaled it only on a snapshot)
    assert title_height(qtbot, 1.75, old_html=True) / title_height(qtbot, 1.0, old_html=True) < 1.2
