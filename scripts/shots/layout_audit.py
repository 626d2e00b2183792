"""What a person would see cut in a window: the layout audit behind tests/app/test_projector_layout.py.

``audit(window)`` walks every visible widget of a top-level window (panels that land later included:
nothing here names a panel) and returns one line per problem:
  - a tab of a visible tab bar drawn narrower than its full title (elided "H…") or scrolled out of view;
  - a single-line label, button or check box narrower than its text (or clipped by a parent);
  - a combo box whose text field is narrower than the current item's text;
  - a word-wrapped caption given less height than its text needs (it runs off);
  - a status-bar field too narrow for the largest value it will show (``widest_text()``), and a status
    message cut (or ended in "…") at the bar's widgets;
  - a plot wider or taller than its slot: a pyqtgraph view whose laid-out scene (at the view's scale,
    e.g. presentation mode's) reaches past its viewport, so a plot or axis at its edge is cut;
  - a scroll area that scrolls only up and down whose content is wider than its viewport (its right edge cut);
  - the window itself larger than the screen's available area.
Judged with the widgets' own fonts and style, so it means something only on a real X server (Xvfb):
the offscreen platform's screen is not a projector's.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QCheckBox,
    QComboBox,
    QGraphicsView,
    QLabel,
    QRadioButton,
    QScrollArea,
    QStatusBar,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
    QWidget,
)

SLACK = 1  # px of rounding allowed
BUTTON_PAD = 6  # a push/tool button's text needs its advance plus this much room


def _name(w: QWidget) -> str:
    """objectName path (last three named ancestors) plus the class and a bit of the text."""
    parts, p = [], w
    while p is not None and len(parts) < 3:
        if p.objectName() and not p.objectName().startswith("qt_"):
            parts.append(p.objectName())
        p = p.parentWidget()
    text = "|".join(w.tabText(i) for i in range(w.count()))[:40] if isinstance(w, QTabBar) else ""
    for getter in ("text", "currentText") if not text else ():
        if hasattr(w, getter):
            text = str(getattr(w, getter)())[:40]
            break
    return f"{'/'.join(reversed(parts))} {type(w).__name__} {text!r}"


def visible_width(w: QWidget, top: QWidget) -> int:
    """Width of ``w`` left after clipping by its ancestors up to ``top`` (an area that scrolls
    sideways does not count: what it hides is one scroll away)."""
    origin = w.mapTo(top, QPoint(0, 0))
    r = QRect(origin, w.size())
    p = w.parentWidget()
    while p is not None and p is not top:
        area = p.parentWidget()
        scrolled = isinstance(area, QAbstractScrollArea) and p is area.viewport() and \
            area.horizontalScrollBarPolicy() != Qt.ScrollBarAlwaysOff
        if not scrolled:
            r &= QRect(p.mapTo(top, QPoint(0, 0)), p.size())
        p = p.parentWidget()
    r &= QRect(QPoint(0, 0), top.size())
    return max(0, r.width())


def _text_width(w: QWidget, text: str) -> int:
    return w.fontMetrics().horizontalAdvance(text.replace("&&", "\0").replace("&", "").replace("\0", "&"))


def _label_problem(label: QLabel, width: int) -> str | None:
    if label.pixmap() is not None and not label.pixmap().isNull() or not label.text().strip():
        return None
    if label.wordWrap():
        if label.hasHeightForWidth():
            need = label.heightForWidth(label.width())
            if need > label.height() + SLACK:
                return f"caption runs off: needs {need} px height, has {label.height()}"
        return None
    need = label.minimumSizeHint().width()
    widest = getattr(label, "widest_text", None)  # a status field: its largest value at this font
    if callable(widest):
        need = max(need, _text_width(label, widest()) + 2 * label.margin())
    if width + SLACK < need:
        return f"cut: {width} px wide, its text needs {need}"
    return None


def _button_problem(button: QAbstractButton, width: int) -> str | None:
    text = button.text()
    if not text.strip() or "\n" in text:
        return None
    need = _text_width(button, text)
    if not button.icon().isNull():
        need += button.iconSize().width() + 4
    if isinstance(button, (QCheckBox, QRadioButton)):
        style = button.style()
        need += style.pixelMetric(QStyle.PM_IndicatorWidth, None, button) + \
            style.pixelMetric(QStyle.PM_CheckBoxLabelSpacing, None, button)
    else:
        need += BUTTON_PAD
    if width + SLACK < need:
        return f"cut: {width} px wide, its text needs {need}"
    return None


def _combo_problem(combo: QComboBox, width: int) -> str | None:
    if combo.isEditable() or not combo.currentText():
        return None
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    field = combo.style().subControlRect(QStyle.CC_ComboBox, opt, QStyle.SC_ComboBoxEditField, combo)
    have = field.width() - (combo.width() - width)  # what clipping by a parent takes off
    need = _text_width(combo, combo.currentText())
    if not combo.itemIcon(combo.currentIndex()).isNull():
        need += combo.iconSize().width() + 4
    if have + SLACK < need:
        return f"text cut: field {have} px, text needs {need}"
    return None


def _tab_problems(bar: QTabBar) -> list[str]:
    out = []
    vertical = bar.shape() in (QTabBar.RoundedWest, QTabBar.RoundedEast, QTabBar.TriangularWest,
                               QTabBar.TriangularEast)
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        r, hint = bar.tabRect(i), bar.tabSizeHint(i)
        have, need = (r.height(), hint.height()) if vertical else (r.width(), hint.width())
        if have + SLACK < need:
            out.append(f"tab {bar.tabText(i)!r} elided: {have} px, needs {need}")
        elif not bar.rect().contains(r):
            out.append(f"tab {bar.tabText(i)!r} scrolled out of view")
    return out


def _plot_problem(view) -> str | None:
    """The view's central layout (its plots) drawn past the viewport's edge, in pixels."""
    central = getattr(view, "centralWidget", None)
    if central is None or not central.isVisible():
        return None
    drawn = view.mapFromScene(central.mapRectToScene(central.boundingRect())).boundingRect()
    port = view.viewport().rect()
    over_w, over_h = drawn.right() - port.right(), drawn.bottom() - port.bottom()
    if max(over_w, over_h, -drawn.left(), -drawn.top()) > SLACK + 1:
        return (f"plots drawn {drawn.width()}x{drawn.height()} px in a {port.width()}x{port.height()} "
                "slot: cut at its edge")
    return None


def _status_problem(bar: QStatusBar) -> str | None:
    """A status message longer than the room left of the status bar's widgets: cut, or (a bar with
    ``message_room``, whose value fields step aside for a long message) ended in "…"."""
    text = bar.currentMessage()
    if not text:
        return None
    if callable(getattr(bar, "message_room", None)):
        room = bar.message_room().width()
    else:
        right = min((c.geometry().left() for c in bar.findChildren(QWidget, options=Qt.FindDirectChildrenOnly)
                     if c.isVisible()), default=bar.width())
        room = right - 12
    need = bar.fontMetrics().horizontalAdvance(text)
    if need > room + SLACK:
        return f"message {text[:40]!r} cut: {max(room, 0)} px left of its widgets, needs {need}"
    return None


def _upright_scroll_problem(area: QScrollArea) -> str | None:
    content = area.widget()
    if content is None or area.horizontalScrollBarPolicy() != Qt.ScrollBarAlwaysOff:
        return None
    cut = content.width() - area.viewport().width()
    return f"its content is {cut} px wider than its viewport (no sideways scroll bar)" if cut > SLACK else None


def audit(window: QWidget) -> list[str]:
    """Every cut text in the visible part of ``window``, one line each (empty: nothing cut)."""
    problems = []
    screen = window.screen().availableGeometry() if window.screen() is not None else None
    frame = window.frameGeometry()
    if screen is not None and (frame.width() > screen.width() or frame.height() > screen.height()):
        problems.append(f"window {frame.width()}x{frame.height()} is larger than the screen's "
                        f"{screen.width()}x{screen.height()}")
    for w in window.findChildren(QWidget):
        if isinstance(w, QGraphicsView):  # (its viewport covers it: judged by the viewport's region)
            problem = _plot_problem(w) if w.isVisible() and not w.viewport().visibleRegion().isEmpty() else None
            if problem:
                problems.append(f"{_name(w)}: {problem}")
            continue
        if not w.isVisible() or w.visibleRegion().isEmpty():
            continue
        if isinstance(w, QTabBar):
            problems += [f"{_name(w)}: {p}" for p in _tab_problems(w)]
            continue
        if isinstance(w, QStatusBar):
            problem = _status_problem(w)
            problems += [f"{_name(w)}: {problem}"] if problem else []
            continue
        if isinstance(w, QScrollArea):
            problem = _upright_scroll_problem(w)
            problems += [f"{_name(w)}: {problem}"] if problem else []
            continue
        width = min(w.width(), visible_width(w, window))
        if isinstance(w, QLabel):
            problem = _label_problem(w, width)
        elif isinstance(w, QAbstractButton) and not isinstance(w.parentWidget(), QTabBar):
            problem = _button_problem(w, width)
        elif isinstance(w, QComboBox):
            problem = _combo_problem(w, width)
        else:
            continue
        if problem:
            problems.append(f"{_name(w)}: {problem}")
    return problems
