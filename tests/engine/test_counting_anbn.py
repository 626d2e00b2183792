"""Counting a^n b^n (Weiss, Goldberg & Yahav 2018): the data, the recognition test (against an oracle
and a model that cannot count), and the LSTM-vs-GRU direction of the result."""
from __future__ import annotations

import pytest
import torch

from engine.reproductions.counting_anbn import END, START, A, B, Counter, batch, recognised


def test_batch_is_a_n_b_n_with_its_next_symbols():
    x, y = batch([2, 3])
    assert x[0].tolist() == [START, A, A, B, B, END, END]  # padded with $
    assert y[0].tolist() == [A, A, B, B, END, -100, -100]
    assert x[1].tolist() == [START, A, A, A, B, B, B] and y[1].tolist() == [A, A, A, B, B, B, END]


class Oracle(Counter):
    """Predicts the determined symbols from the counts: what a perfect counter does."""

    def forward(self, x):
        logits = torch.full((*x.shape, 3), -10.0)
        for i, row in enumerate(x.tolist()):
            a = b = 0
            for t, s in enumerate(row):
                a, b = a + (s == A), b + (s == B)
                logits[i, t, A if b == 0 else (B if b < a else END)] = 10.0
        return logits


def test_recognition_accepts_a_counter_and_refuses_what_cannot_count():
    oracle = Oracle("lstm", 4)
    assert all(recognised(oracle, n)[0] for n in (1, 5, 37))

    class AlwaysB(Counter):  # never predicts the end: no n is recognised
        def forward(self, x):
            out = torch.full((*x.shape, 3), -10.0)
            out[..., B] = 10.0
            return out
    assert not any(recognised(AlwaysB("gru", 4), n)[0] for n in (1, 5, 37))
    assert recognised(AlwaysB("gru", 4), 5)[1] == pytest.approx(4 / 5)  # all but the $


@pytest.mark.slow
def test_the_lstm_counts_further_beyond_the_training_range_than_the_gru():
    from engine.reproductions import reproduce

    torch.set_num_threads(1)
    out = reproduce("counting_anbn", seed=0, quick=True)
    lstm, gru = out.measured["models"]["LSTM"], out.measured["models"]["GRU"]
    assert lstm["up_to"] > out.settings["train_max"]
    assert lstm["up_to"] > gru["up_to"]
