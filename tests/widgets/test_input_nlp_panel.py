"""Input to NLP: fixed-length resampling ("This is an example" -> "Ti sa xml"), the pixellated
sentence, and the RNN's parameter count, the same for any sentence length, from PyTorch's model."""
from __future__ import annotations

import numpy as np
import torch

from engine import ModelConfig, make_task
from engine.network.model import build_model
from engine.network.probe import probe
from tests.widgets.test_widgets_a import shown
from widgets.lecture.input_nlp_panel import InputNlpPanel, pixellated, recurrent_counts, resample


def test_resampling_is_the_decks_example():
    assert resample("This is an example", 9) == "Ti sa xml"
    assert resample("This is an example", 18) == "This is an example"  # K = n: unchanged
    assert resample("ab", 4) == "aabb"  # shorter than K: repeated, as an image is enlarged
    assert resample("This is an example", 9) != "This is an example"[:9]  # not a crop (negative control)
    assert resample("", 9) == ""


def trace_of(T: int, cell: str = "gru"):
    task = make_task("tagging", seq_len=T, min_len=T)
    model = build_model(ModelConfig(cell=cell, hidden_size=12, embedding_dim=6), task, seed=0)
    x, y = task.sample_batch(1, torch.Generator().manual_seed(0))
    return model, probe(model, x, y)


def test_parameter_count_is_pytorchs_and_the_same_for_4_and_14_words(qtbot):
    panel = shown(qtbot, InputNlpPanel, (700, 420))
    counts = []
    for T in (4, 14):
        model, trace = trace_of(T)
        assert trace.seq_len == T
        panel.set_trace(trace)
        rec, total, E, H = recurrent_counts(trace.param_grads)
        assert rec == sum(p.numel() for p in model.encoder.parameters())  # nn.GRU's own parameters
        assert total == sum(p.numel() for p in model.parameters())
        assert (E, H) == (6, 12)
        assert f"<b>{rec:,}</b> recurrent parameters" in panel.rnn_caption.text()
        counts.append(rec)
    assert counts[0] == counts[1] == 3 * 12 * (6 + 12 + 2)  # the GRU: 3 blocks of W_ih, W_hh, b_ih, b_hh
    lstm_rec = recurrent_counts(trace_of(4, "lstm")[1].param_grads)[0]
    assert lstm_rec == 4 * 12 * (6 + 12 + 2) != counts[0]  # another cell, another count (negative control)
    assert "K × E × H = 648" in panel.rnn_caption.text()  # 9 x 6 x 12
    panel.edit.setText("one two three four five")
    assert len(panel.chains.rows) == 3 and panel.chains.rows[0][1] == ["one", "two", "three", "four", "five"]
    assert [len(words) for _label, words in panel.chains.rows[1:]] == [4, 14]
    header, rows = panel.data_table()
    assert rows[0][header.index("resampled")] == resample("one two three four five", 9)


def test_the_pixellated_sentence_has_only_a_few_pixels(qtbot):
    panel = shown(qtbot, InputNlpPanel, (700, 420))
    whole, pixels = pixellated("This is an example", panel.font(), 260, 40)

    def grey(pm):
        img = pm.toImage().convertToFormat(pm.toImage().Format.Format_Grayscale8)
        a = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes()).reshape(img.height(), -1)
        return a[:, :img.width()].copy()  # (a copy: the image goes when the function returns)
    a, b = grey(whole), grey(pixels)
    assert a.shape == b.shape == (40, 260)
    assert (a < 128).any()  # the sentence is drawn
    # 36 x 6 pixels scaled back: at most 36 distinct columns and 6 distinct rows of values
    assert len({tuple(col) for col in b.T}) <= 36 and len({tuple(row) for row in b}) <= 6
    assert len({tuple(col) for col in a.T}) > 36  # the original has far more detail (negative control)


def test_a_long_sentence_fits_its_row(qtbot):
    panel = shown(qtbot, InputNlpPanel, (520, 420))
    chains = panel.chains
    chains.resize(500, 120)
    chains.set_rows([("14 words", ("This is an example of a longer sentence the RNN reads word by word").split())])
    image = chains.grab().toImage().convertToFormat(chains.grab().toImage().Format.Format_Grayscale8)
    a = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).reshape(image.height(), -1)[:, :image.width()]
    background = a[0, 0]
    drawn = np.nonzero((a != background).any(axis=0))[0]
    assert drawn.max() < a.shape[1] - 2  # the last box ends inside the widget
