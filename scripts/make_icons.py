"""Render assets/icons/rnnlab.svg to the PNG sizes desktops ask for (run after editing the SVG)."""
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

if __name__ == "__main__":
    app = QGuiApplication([])
    folder = Path(__file__).resolve().parents[1] / "assets" / "icons"
    renderer = QSvgRenderer(str(folder / "rnnlab.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format_ARGB32)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(folder / f"rnnlab-{size}.png"))
        print(folder / f"rnnlab-{size}.png")
