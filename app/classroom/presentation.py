"""Presentation mode and zoom: everything in the window larger, for a projector.

The scale applied is (the presentation factor, 1.25-2.5, when presentation mode is on) x (the
editor-style zoom of Ctrl+= / Ctrl+- / Ctrl+0). It reaches:
  - every control, label, tab, menu and text view: the application font times the scale, and
    widgets that set their own font (or an HTML ``font-size:Npt``) scaled alike;
  - every pyqtgraph plot (titles, axis labels, ticks, legends, text items, margins): the view maps
    a scene of size/scale onto its pixels, so the plot is laid out as on a screen ``scale`` times
    smaller and drawn ``scale`` times larger (pyqtgraph's own setRange / fitInView);
  - line widths of curves and marker lines (pens are cosmetic, so they are widened explicitly);
  - text in plain QGraphicsScenes (the unrolled network's labels).
What panels rebuild later (a new cell type, a new trace) is scaled again after each snapshot.
Every original size is stashed on its object and restored exactly at scale 1.
Remembered between runs (QSettings): on/off, factor, full screen, zoom.
"""
from __future__ import annotations

import re
import time

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QLabel,
    QWidget,
)

from app.classroom.view_scaler import FIXED as _FIXED
from app.classroom.view_scaler import ViewScaler as _ViewScaler
from app.window import settings as app_settings
from widgets.network.unrolled_scene import ALIGN_DATA

FACTORS = (1.25, 1.5, 1.75, 2.0, 2.5)
DEFAULT_FACTOR = 1.75
ZOOM_STEP = 1.125
ZOOM_RANGE = (0.6, 2.5)
SCALE_RANGE = (0.6, 4.0)
FULL_SCAN_EVERY_S = 1.0  # while presenting, how often every widget and plot item is checked again
SECONDARY_AREAS = (Qt.LeftDockWidgetArea, Qt.BottomDockWidgetArea)  # hidden in full-screen presentation
_PT = re.compile(r"font-size:\s*([0-9.]+)pt")
_ANCHORS = {"l": lambda r: QPointF(r.left(), r.center().y()), "r": lambda r: QPointF(r.right(), r.center().y()),
            "tl": QRectF.topLeft}
_STASH = "_rnnlab_scaled"  # (base value, value applied) on every object resized here


def _rescaled(obj, current: float, scale: float) -> float | None:
    """The value ``obj`` should have at ``scale``, or None if it has it. The base is the value it had
    before any scaling (or the value the panel itself set since: then that is the new base)."""
    stash = getattr(obj, _STASH, None)
    base = stash[0] if stash is not None and abs(current - stash[1]) < 1e-6 else current
    want = base * scale
    setattr(obj, _STASH, (base, want))
    return None if abs(want - current) < 1e-6 else want


def _scale_font(font: QFont, scale: float, owner) -> QFont | None:
    size = font.pointSizeF()
    if size <= 0:  # a pixel-sized font
        new = _rescaled(owner, float(font.pixelSize()), scale)
        if new is None:
            return None
        font = QFont(font)
        font.setPixelSize(max(1, round(new)))
        return font
    new = _rescaled(owner, size, scale)
    if new is None:
        return None
    font = QFont(font)
    font.setPointSizeF(new)
    return font


class Presentation(QObject):
    def __init__(self, window, view_menu):
        super().__init__(window)
        self.window = window
        app = QApplication.instance()
        self.base_font = QFont(app.font())
        self.scale = 1.0
        self._hidden_docks: list = []
        self._html_labels: list = []  # labels whose rich text carries font sizes (rescaled with each snapshot)
        self._shape_key = None
        self._last_scan = 0.0
        self._was_maximized = False
        s = self._load()
        self.factor, self.zoom = s["factor"], s["zoom"]
        self._build_actions(view_menu, s)
        window.installEventFilter(self)
        if hasattr(window, "controller"):
            window.controller.snapshot_shown.connect(self._on_snapshot_shown)
        if s["on"]:
            self.presentation_action.setChecked(True)  # (applies)
        else:
            self.apply()

    # ---- settings -------------------------------------------------------------------------
    def _load(self) -> dict:
        saved = app_settings.load_json("presentation", {})
        saved = saved if isinstance(saved, dict) else {}
        factor = saved.get("factor", DEFAULT_FACTOR)
        zoom = saved.get("zoom", 1.0)
        return {"on": bool(saved.get("on", False)), "full_screen": bool(saved.get("full_screen", False)),
                "factor": factor if factor in FACTORS else DEFAULT_FACTOR,
                "zoom": float(zoom) if isinstance(zoom, (int, float)) and ZOOM_RANGE[0] <= zoom <= ZOOM_RANGE[1]
                else 1.0}

    def _save(self) -> None:
        app_settings.save_json("presentation", {"on": self.presentation_action.isChecked(), "factor": self.factor,
                                                "full_screen": self.full_screen_action.isChecked(),
                                                "zoom": self.zoom})

    # ---- actions ----------------------------------------------------------------------------
    def _build_actions(self, menu, s: dict) -> None:
        w = self.window
        menu.addSeparator()
        self.presentation_action = QAction("Presentation mode", w, objectName="presentationAction", checkable=True)
        self.presentation_action.setShortcut(QKeySequence(Qt.Key_F5))
        self.presentation_action.setToolTip("Every font and line larger, for a projector (F5)")
        self.presentation_action.toggled.connect(self._on_presentation_toggled)
        menu.addAction(self.presentation_action)
        factor_menu = menu.addMenu("Presentation scale")
        factor_menu.setObjectName("presentationScaleMenu")
        group = QActionGroup(w)
        self.factor_actions = {}
        for f in FACTORS:
            a = QAction(f"{f:g}×", w, checkable=True)
            a.setChecked(f == s["factor"])
            a.triggered.connect(lambda _=False, f=f: self.set_factor(f))
            group.addAction(a)
            factor_menu.addAction(a)
            self.factor_actions[f] = a
        self.full_screen_action = QAction("Full screen in presentation mode", w, objectName="presentationFullScreen",
                                          checkable=True)
        self.full_screen_action.setChecked(s["full_screen"])
        self.full_screen_action.setToolTip("Presentation mode fills the screen and hides the controls and the "
                                           "bottom panels (they come back when it ends)")
        self.full_screen_action.toggled.connect(self._on_full_screen_toggled)
        menu.addAction(self.full_screen_action)
        menu.addSeparator()
        self.zoom_actions = {}
        for key, text, keys, fn in (
                ("in", "Zoom in", [QKeySequence("Ctrl+="), QKeySequence("Ctrl++")], lambda: self.zoom_by(ZOOM_STEP)),
                ("out", "Zoom out", [QKeySequence("Ctrl+-")], lambda: self.zoom_by(1 / ZOOM_STEP)),
                ("reset", "Actual size", [QKeySequence("Ctrl+0")], self.reset_zoom)):
            a = QAction(text, w, objectName=f"zoom_{key}")
            a.setShortcuts(keys)
            a.triggered.connect(fn)
            menu.addAction(a)
            w.addAction(a)  # (shortcuts work while the menu bar is hidden in full screen)
            self.zoom_actions[key] = a
        w.addAction(self.presentation_action)

    def set_factor(self, factor: float) -> None:
        self.factor = float(factor)
        if self.factor in self.factor_actions:
            self.factor_actions[self.factor].setChecked(True)
        self.apply()
        self._save()

    def zoom_by(self, ratio: float) -> None:
        self.zoom = min(max(self.zoom * ratio, ZOOM_RANGE[0]), ZOOM_RANGE[1])
        if abs(self.zoom - 1.0) < 1e-3:
            self.zoom = 1.0
        self.apply()
        self._save()
        self.window.statusBar().showMessage(f"zoom {self.zoom:.0%} (Ctrl+0 resets)", 2000)

    def reset_zoom(self) -> None:
        self.zoom = 1.0
        self.apply()
        self._save()

    def _on_presentation_toggled(self, on: bool) -> None:
        self._set_full_screen(on and self.full_screen_action.isChecked())
        self.apply()
        self._save()

    def _on_full_screen_toggled(self, on: bool) -> None:
        if self.presentation_action.isChecked():
            self._set_full_screen(on)
        self._save()

    def _set_full_screen(self, on: bool) -> None:
        w = self.window
        if on and not self._hidden_docks:
            self._was_maximized = w.isMaximized()
            self._hidden_docks = [d for d in w.docks.values()  # (isHidden: also before the window is shown)
                                  if not d.isHidden() and w.dockWidgetArea(d) in SECONDARY_AREAS]
            for d in self._hidden_docks:
                d.hide()
            w.showFullScreen()
        elif not on and (self._hidden_docks or w.isFullScreen()):
            for d in self._hidden_docks:
                d.show()
            self._hidden_docks = []
            w.showMaximized() if self._was_maximized else w.showNormal()

    # ---- scaling ----------------------------------------------------------------------------
    def target_scale(self) -> float:
        s = (self.factor if self.presentation_action.isChecked() else 1.0) * self.zoom
        return min(max(s, SCALE_RANGE[0]), SCALE_RANGE[1])

    def apply(self) -> None:
        """Bring every part of the window to the current scale."""
        self.scale = self.target_scale()
        app = QApplication.instance()
        font = QFont(self.base_font)
        if self.base_font.pointSizeF() > 0:
            font.setPointSizeF(self.base_font.pointSizeF() * self.scale)
        else:
            font.setPixelSize(max(1, round(self.base_font.pixelSize() * self.scale)))
        if app.font() != font:
            app.setFont(font)
            # Qt paints a dock's title with the platform's title font while the dock's font equals the
            # class font of QDockWidget: keep that at the base size, so a scaled dock font is used
            app.setFont(self.base_font, "QDockWidget")
        for dock in self.window.findChildren(QDockWidget):  # (a dock's title keeps the platform's title font)
            setattr(dock, _FIXED, True)
            if dock.font() != font:
                dock.setFont(font)
        self.rescale_contents()
        QTimer.singleShot(0, self._relayout)  # once the new fonts have reached every widget

    def _relayout(self) -> None:
        """Widgets that size themselves from their font metrics (a ``relayout()`` method) do it again."""
        for widget in self.window.findChildren(QWidget):
            relayout = getattr(widget, "relayout", None)
            if callable(relayout):
                relayout()

    def _on_snapshot_shown(self, snap) -> None:
        """Panels rebuild plot items for a new shape (cell, size, task) and re-set some texts with
        every snapshot: rescan everything for a new shape and at most once a second otherwise (a full
        scan costs tens of ms); the labels known to carry font sizes are rescaled every time (cheap)."""
        if self.scale == 1.0:
            return
        trace = getattr(snap, "trace", None)
        key = (getattr(getattr(trace, "hidden", None), "shape", None), getattr(trace, "cell_type", None),
               (getattr(snap, "config", None) or {}).get("task"))
        now = time.monotonic()
        if key != self._shape_key or now - self._last_scan >= FULL_SCAN_EVERY_S:
            self._shape_key = key
            self.rescale_contents()
        else:
            self._rescale_labels(self._html_labels)

    def _rescale_labels(self, labels) -> None:
        alive = []
        for label in labels:
            try:
                text = label.text()
            except RuntimeError:  # deleted with its panel
                continue
            alive.append(label)
            self._scale_html_label(label, text, self.scale)
        self._html_labels = alive

    def rescale_contents(self) -> None:
        """Fonts that widgets set themselves, plot views, pens and scene text, at ``self.scale``."""
        scale, w = self.scale, self.window
        self._last_scan = time.monotonic()
        self._rescale_labels([label for label in w.findChildren(QLabel)
                              if label.textFormat() != Qt.PlainText and "font-size" in label.text()])
        for widget in w.findChildren(QWidget):
            if widget.testAttribute(Qt.WA_SetFont) and not getattr(widget, _FIXED, False):
                new = _scale_font(widget.font(), scale, widget)
                if new is not None:
                    widget.setFont(new)
        for view in w.findChildren(QGraphicsView):
            if isinstance(view, pg.GraphicsView):
                scaler = view.findChild(_ViewScaler)
                if scaler is None:
                    scaler = _ViewScaler(view, self.base_font)
                scaler.set_scale(scale)
                self._scale_pens(view.scene(), scale)
                self._fix_tick_fonts(view.scene())
            elif view.scene() is not None and self._scale_scene_text(view.scene(), scale):
                owner = view.parentWidget()  # the panel (above its body) places labels by their size
                while owner is not None and not callable(getattr(owner, "relayout", None)):
                    owner = owner.parentWidget()
                if owner is not None:
                    owner.relayout()

    @staticmethod
    def _scale_html_label(label: QLabel, text: str, scale: float) -> None:
        stash = getattr(label, _STASH + "_html", None)
        base = stash[0] if stash is not None and stash[1] == text else text
        want = _PT.sub(lambda m: f"font-size:{float(m.group(1)) * scale:.3g}pt", base) if scale != 1.0 else base
        setattr(label, _STASH + "_html", (base, want))
        if want != text:
            label.setText(want)

    @staticmethod
    def _scale_pens(scene, scale: float) -> None:
        for item in scene.items():
            if isinstance(item, pg.PlotCurveItem):
                pen = item.opts.get("pen")
            elif isinstance(item, pg.InfiniteLine):
                pen = item.pen
            else:
                continue
            if pen is None or pen.style() == Qt.NoPen:
                continue
            new = _rescaled(item, max(pen.widthF(), 1.0), scale)  # (width 0 is a 1 px cosmetic pen)
            if new is not None:
                pen = pg.mkPen(pen)
                pen.setWidthF(new)
                item.setPen(pen)

    def _fix_tick_fonts(self, scene) -> None:
        """Axis ticks (drawn into a QPicture) and text items (a QTextDocument) take the application's
        font when they are made, already scaled: give them the base font, the view's transform scales."""
        app_size = QApplication.instance().font().pointSizeF()
        for item in scene.items():
            if isinstance(item, pg.AxisItem) and item.style.get("tickFont") is None:
                item.setTickFont(QFont(self.base_font))
            elif isinstance(item, QGraphicsTextItem) and item.font().pointSizeF() == app_size != \
                    self.base_font.pointSizeF():
                item.setFont(QFont(self.base_font))

    @staticmethod
    def _scale_scene_text(scene, scale: float) -> bool:
        """Every text of a plain scene at ``scale``, grown about the end its alignment keeps in place
        (``item.data(ALIGN_DATA)``: "l", "r", "tl"; else its centre). True if any changed."""
        changed = False
        for item in scene.items():
            if isinstance(item, (QGraphicsSimpleTextItem, QGraphicsTextItem)):
                new = _scale_font(item.font(), scale, item)
                if new is not None:
                    anchor = _ANCHORS.get(item.data(ALIGN_DATA), QRectF.center)
                    before = anchor(item.mapRectToParent(item.boundingRect()))
                    item.setFont(new)
                    item.setPos(item.pos() + before - anchor(item.mapRectToParent(item.boundingRect())))
                    changed = True
        if changed:  # labels that grew past the scene's edge stay reachable
            scene.setSceneRect(scene.sceneRect().united(scene.itemsBoundingRect()))
        return changed

    # ---- window events ---------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Close:
            QTimer.singleShot(0, self._after_close)  # (the window may still refuse to close)
        return False

    def _after_close(self) -> None:
        """The window has gone: the next window starts from the plain application font."""
        app = QApplication.instance()
        if app is not None and not self.window.isVisible() and app.font() != self.base_font:
            app.setFont(self.base_font)
