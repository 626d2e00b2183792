"""Every text a custom-painted panel draws into a box fits that box, at the normal font and at presentation
scale: the gate products canvas kept 17 px rows and a 190 px label column whatever the font, so on a projector
(slide 28, 'What is a gate?') 'f_t ⊙ c_{t−1}' read 'f t ⊙ c {t−1}' (the subscripts clipped), 'h_t = o_t ⊙
tanh c_t' lost its start and 'unit 0: 0.127 × 0.000 = 0.000' its top, end and bottom; the Input to NLP chains
cut '4 words (yours)' to '4 words (y'. Walks the painted panels (gate products for an LSTM and a GRU, the input
chains, the sequence strip's token rows) with every box-drawn text recorded as it is painted; the control is a
box one character too small."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QFont, QFontMetricsF, QPainter

import rnnlab
import widgets.gates.gate_products_panel as gate_products
import widgets.lecture.input_nlp_panel as input_nlp
import widgets.network.token_row as token_row
from app.panels.feed import apply_snapshot
from app.panels.registry import SPECS

DRAWN: list[tuple[QRectF, int, str, QFont]] = []


class RecordingPainter(QPainter):
    def drawText(self, *args):  # noqa: N802 (Qt name)
        if len(args) == 3 and isinstance(args[0], (QRect, QRectF)) and isinstance(args[2], str):
            DRAWN.append((QRectF(args[0]), int(args[1]), args[2], QFont(self.font())))
        return super().drawText(*args)


def cut(rect: QRectF, flags: int, text: str, font: QFont) -> bool:
    need = QFontMetricsF(font).boundingRect(rect, flags, text)
    return need.width() > rect.width() + 1 or need.height() > rect.height() + 1


PANELS = [("gateProductsPanel", "lstm", gate_products), ("gateProductsPanel", "gru", gate_products),
          ("inputNlpPanel", "lstm", input_nlp), ("sequenceStrip", "gru", token_row)]


@pytest.mark.parametrize("scale", [1.0, 2.5])
@pytest.mark.parametrize("name,cell,module", PANELS, ids=[f"{n}-{c}" for n, c, _ in PANELS])
def test_every_painted_text_fits_its_box(qtbot, monkeypatch, name, cell, module, scale):
    snap = rnnlab.Lab("temporal_order", cell=cell, hidden=8).session.request_full_snapshot()
    panel = SPECS[name].cls()
    qtbot.addWidget(panel)
    font = QFont(panel.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    panel.setFont(font)
    panel.resize(900, 700)
    panel.show()
    apply_snapshot({name: panel}, snap, 3)
    qtbot.wait(50)
    monkeypatch.setattr(module, "QPainter", RecordingPainter)
    DRAWN.clear()
    panel.grab()
    assert DRAWN, "nothing was painted through the module's QPainter"
    bad = [(text, round(r.width()), round(r.height()))
           for r, flags, text, f in DRAWN if text and cut(r, flags, text, f)]
    assert not bad, bad


def test_control_a_box_one_character_short_is_cut(qtbot):
    font = QFont()
    font.setPointSizeF(20)
    fm = QFontMetricsF(font)
    text = "4 words (yours)"
    flags = 0x80  # Qt.AlignVCenter
    assert not cut(QRectF(0, 0, fm.horizontalAdvance(text) + 2, fm.height() + 2), flags, text, font)
    assert cut(QRectF(0, 0, fm.horizontalAdvance(text) - fm.horizontalAdvance("s"), fm.height()), flags, text, font)
    assert cut(QRectF(0, 0, 400, fm.height() / 2), flags, "fₜ ⊙ cₜ₋₁", font)
