"""Classroom features in the window: presentation mode and zoom, help pages, About, cancelling exports."""
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.classroom.help_pages import page_of
from app.classroom.help_ui import START
from app.classroom.presentation import Presentation
from app.cli.version import app_version, dependency_versions
from app.export.figures import ExportCancelled, export_all
from app.panels.registry import PANELS
from tests.app.test_main_window import make_window


def on_screen_height(view, item) -> float:
    """Height in device pixels of a scene item as the view draws it."""
    return view.mapFromScene(item.sceneBoundingRect()).boundingRect().height()


def measure(window):
    heat = window.panels["hiddenHeatmap"]
    view = heat.findChildren(pg.GraphicsView)[0]
    plot = view.scene().items()
    axis_label = next(i for i in plot if isinstance(i, pg.AxisItem) and i.orientation == "bottom").label
    curve = next(i for i in window.panels["curvesPanel"].findChildren(pg.GraphicsView)[0].scene().items()
                 if isinstance(i, pg.PlotCurveItem) and i.opts["pen"] is not None)
    return {"control": window.controls.font().pointSizeF(),
            "label": on_screen_height(view, axis_label),
            "view": view.transform().m11(),
            "pen": curve.opts["pen"].widthF() or 1.0,
            "ticks": (next(i for i in plot if isinstance(i, pg.AxisItem)).style["tickFont"]
                      or QApplication.font()).pointSizeF() * view.transform().m11()}


@pytest.mark.parametrize("factor", [1.5, 2.0])
def test_presentation_mode_scales_controls_plot_labels_ticks_and_lines_by_the_factor_and_restores(qtbot, factor):
    window = make_window(qtbot, "adding")
    pres: Presentation = window.classroom.presentation
    window.resize(1600, 1000)
    qtbot.wait(50)
    before = measure(window)
    pres.set_factor(factor)
    pres.presentation_action.setChecked(True)
    qtbot.wait(50)
    during = measure(window)
    for key in ("control", "label", "ticks", "pen"):
        ratio = during[key] / before[key]
        # within a few % (pyqtgraph fits the scene with a 2 px margin); not factor**2 (scaled twice)
        assert factor * 0.93 <= ratio <= factor * 1.05, (key, ratio)
    pres.presentation_action.setChecked(False)
    qtbot.wait(50)
    after = measure(window)
    assert after == pytest.approx(before, rel=1e-6)
    assert pres.scale == 1.0


def test_zoom_shortcuts_grow_shrink_and_reset_the_whole_window(qtbot):
    window = make_window(qtbot, "parity")
    pres = window.classroom.presentation
    base = window.controls.font().pointSizeF()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window, Qt.Key_Equal, Qt.ControlModifier)
    qtbot.keyClick(window, Qt.Key_Equal, Qt.ControlModifier)
    assert pres.zoom == pytest.approx(1.125 ** 2)
    assert window.controls.font().pointSizeF() == pytest.approx(base * 1.125 ** 2)
    qtbot.keyClick(window, Qt.Key_Minus, Qt.ControlModifier)
    assert pres.zoom == pytest.approx(1.125)
    qtbot.keyClick(window, Qt.Key_0, Qt.ControlModifier)
    assert pres.zoom == 1.0 and window.controls.font().pointSizeF() == pytest.approx(base)


def test_presentation_settings_are_remembered_by_the_next_window(qtbot):
    first = make_window(qtbot, "parity")
    first.classroom.presentation.set_factor(1.25)
    first.classroom.presentation.presentation_action.setChecked(True)
    first.close()
    qtbot.waitUntil(lambda: QApplication.font().pointSizeF() == first.classroom.presentation.base_font.pointSizeF())
    second = make_window(qtbot, "parity")
    pres = second.classroom.presentation
    try:
        assert pres.presentation_action.isChecked() and pres.factor == 1.25 and pres.scale == 1.25
    finally:
        pres.presentation_action.setChecked(False)
    assert pres.scale == 1.0


def test_full_screen_presentation_hides_the_secondary_docks_and_brings_them_back(qtbot):
    window = make_window(qtbot, "adding")
    pres = window.classroom.presentation
    pres.full_screen_action.setChecked(True)
    pres.presentation_action.setChecked(True)
    try:
        assert window.isFullScreen()
        assert not window.docks["controlsDock"].isVisible() and not window.docks["curvesDock"].isVisible()
        assert window.panels["hiddenHeatmap"].isVisible()  # on the stage (app.classroom.stage)
    finally:
        pres.presentation_action.setChecked(False)
        pres.full_screen_action.setChecked(False)
    assert not window.isFullScreen() and window.docks["controlsDock"].isVisible()


def test_every_registered_panel_has_a_full_help_page_and_a_question_mark_button(qtbot):
    window = make_window(qtbot, "adding")
    helper = window.classroom.help
    for spec in PANELS:
        page = page_of(spec.name)
        assert page is not None, f"{spec.name} has no help page (PanelSpec.page or app/classroom/help_pages.py)"
        assert all(len(text) > 40 for text in (page.shows, page.read, page.try_)) and page.slide
        window.show_panel(spec.name)  # (tabbed panels share their tab bar's "?": it opens the tab shown)
        button = helper.buttons[spec.name]
        assert button.isVisible()
        qtbot.mouseClick(button, Qt.LeftButton)
        assert helper.dialog.isVisible() and helper.dialog.key == spec.name
        text = helper.dialog.browser.toPlainText()
        assert spec.title in text and "How to read it" in text and page.slide in text


def test_f1_opens_the_page_of_the_focused_panel_else_getting_started(qtbot, monkeypatch):
    window = make_window(qtbot, "adding")
    helper = window.classroom.help
    monkeypatch.setattr("app.classroom.help_ui.QApplication.focusWidget", lambda: window.panels["gradientPanel"])
    monkeypatch.setattr("app.classroom.help_ui.QApplication.widgetAt", lambda *_: None)
    helper.f1_action.trigger()
    assert helper.dialog.key == "gradientPanel"
    monkeypatch.setattr("app.classroom.help_ui.QApplication.focusWidget", lambda: window.transport)
    helper.f1_action.trigger()
    assert helper.dialog.key == START
    assert "Getting started" in helper.dialog.browser.toPlainText()
    assert helper.f1_action.shortcut().toString() == "F1"


def test_about_box_shows_version_libraries_and_licence(qtbot):
    window = make_window(qtbot, "adding")
    dialog = window.classroom.about()
    qtbot.addWidget(dialog)
    text = dialog.text.text()
    assert app_version() in text and dependency_versions()["PyTorch"] in text
    assert "MIT License" in dialog.licence.toPlainText()
    assert not dialog.windowIcon().isNull() and not window.windowIcon().isNull()
    dialog.close()


def test_cancelled_export_all_leaves_no_new_files_and_keeps_old_ones(qtbot, tmp_path):
    window = make_window(qtbot, "adding")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "config.json").write_text("old")
    calls = []

    def progress(done, total, text):
        calls.append(text)
        return "frame 3 " not in text  # cancel in the middle of the time sweep frames

    with pytest.raises(ExportCancelled):
        export_all(folder, window.panels, window.controller.shown, progress=progress)
    assert any("frame" in c for c in calls)
    assert sorted(p.name for p in folder.iterdir()) == ["config.json"]
    assert (folder / "config.json").read_text().startswith("{"), "replaced whole, never half-written"
    assert not [p for p in folder.rglob("*") if p.name.endswith(".part")]


def test_cancelling_the_gif_from_the_window_writes_nothing(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, "parity")
    monkeypatch.setattr("app.window.progress.ProgressRun.__call__", lambda self, done, total, text: done < 3)
    assert not window.files.export_gif(str(tmp_path / "sweep.gif"))
    assert not list(tmp_path.iterdir())
    assert "cancelled" in window.statusBar().currentMessage()


def test_opening_a_session_shows_a_busy_bar_until_the_engine_has_loaded_it(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QProgressBar

    from app.window.progress import BusyIndicator

    monkeypatch.setattr("app.window.progress.SHOW_AFTER_MS", 0)
    shown = []  # (a fast engine can load the session between two polls of the status bar: the bar came and went)
    show = BusyIndicator._show
    monkeypatch.setattr(BusyIndicator, "_show", lambda self: (shown.append(self.bar.objectName()), show(self)))
    window = make_window(qtbot, "parity")
    path = tmp_path / "run.rnnlab"
    window.files.save_to(str(path))
    qtbot.waitUntil(lambda: window.files.session_path == str(path), timeout=30000)
    window.files.open_session(str(path))
    qtbot.waitUntil(lambda: shown == ["busyBar"], timeout=5000)
    qtbot.waitUntil(lambda: "Opened" in window.statusBar().currentMessage(), timeout=30000)
    qtbot.waitUntil(lambda: not [b for b in window.statusBar().findChildren(QProgressBar, "busyBar")
                                 if b.isVisible()], timeout=5000)
