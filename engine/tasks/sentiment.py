"""Toy sentiment: neutral filler with a few polarity words; attention should find them."""
from __future__ import annotations

import numpy as np

from engine.tasks.base import Param, Preset, Task, randint
from engine.tasks.common import VariableLength, length_params, mask_mass, to_numpy
from engine.util.lazy import torch

FILLER = ("the", "movie", "film", "plot", "story", "acting", "was", "is", "and", "but", "it", "this",
          "a", "really", "quite", "so", "at", "times")
POSITIVE = ("good", "great", "fun", "lovely", "superb")
NEGATIVE = ("bad", "dull", "awful", "boring", "poor")
NEGATOR = "not"
NEGATE_PROB = 0.3  # chance that a polarity word is preceded by "not"
THREE_FROM = 6  # sentences this long carry three polarity words, shorter ones one


class SentimentTask(VariableLength, Task):
    name = "sentiment"
    title = "Sentiment with attention"
    lecture_slide = "Attention: embed, encode, attend, predict"
    description = ("Is a short review positive or negative? Most words are neutral filler; one "
                   "or three are polarity words (good, great, ... / bad, dull, ...), and 'not' "
                   "right before one flips it. The majority of the (possibly flipped) polarity "
                   "words decides. The model embeds, encodes with an RNN, attends - a softmax "
                   "weight alpha_i per word - and predicts from the weighted sum. Watch the "
                   "attention move onto the polarity words as it learns.")
    input_kind = "tokens"
    output_kind = "attention"
    vocab = FILLER + (NEGATOR,) + POSITIVE + NEGATIVE
    neutral_token, neutral_note = "the", "filler carries no polarity"
    classes = ("negative", "positive")
    metric_name = "accuracy"
    baseline_note = ("Positive and negative words are equally likely and 'not' flips either way, "
                     "so the two labels are equally likely: guessing gives 50%.")
    params_spec = length_params(12, 4, 2, 60, unit="words") + (
        Param("attention", 1, 0, 1, "1: the attention head; 0: classify from the final state h_n alone (as "
              "Maheswaranathan et al. 2019, whose networks integrate the evidence along a line attractor)"),)
    preset = Preset(cell="gru", hidden_size=32, embedding_dim=16, lr=1e-2, batch_size=32,
                    steps=600, extra={"max_norm": 5.0})
    max_typed_length = 60

    baseline = 0.5  # a model that learned nothing
    pass_threshold = 0.95  # the metric that counts as solved

    def __init__(self, **params):
        super().__init__(**params)
        if not self.params["attention"]:
            self.__dict__["output_kind"] = "final"  # an acceptor on h_n; no attention weights

    def setup(self):
        self.check_lengths()
        polarity = np.zeros(len(self.vocab), dtype=np.int64)
        polarity[[self.vocab.index(w) for w in POSITIVE]] = 1
        polarity[[self.vocab.index(w) for w in NEGATIVE]] = -1
        self._polarity = torch.from_numpy(polarity)  # (V,) +1, -1 or 0
        self._negator = self.vocab.index(NEGATOR)
        self._first_pos, self._first_neg = self.vocab.index(POSITIVE[0]), self.vocab.index(NEGATIVE[0])

    def sample_batch(self, batch_size, generator):
        T = self.draw_batch_length(generator)
        n = 3 if T >= THREE_FROM else 1
        tokens = randint(0, len(FILLER) - 1, (batch_size, T), generator)  # (B, T) filler
        where = torch.rand(batch_size, T, generator=generator).topk(n, dim=1).indices  # (B, n)
        sign = randint(0, 1, (batch_size, n), generator)  # 1 positive, 0 negative
        word = randint(0, len(POSITIVE) - 1, (batch_size, n), generator)
        polar = torch.where(sign == 1, self._first_pos + word, self._first_neg + word)
        is_polar = torch.zeros(batch_size, T, dtype=torch.bool).scatter_(1, where, True)
        flip = torch.rand(batch_size, n, generator=generator) < NEGATE_PROB
        before = (where - 1).clamp_min(0)
        flip &= (where > 0) & ~is_polar.gather(1, before)  # room for "not" before the word
        tokens.scatter_(1, where, polar)
        rows = torch.arange(batch_size).unsqueeze(1).expand(-1, n)
        tokens[rows[flip], before[flip]] = self._negator
        return tokens, self.label_example(tokens)

    def effective_polarity(self, tokens: torch.Tensor) -> torch.Tensor:
        """(..., T) -> (..., T): +1/-1 at polarity words, flipped after 'not'; 0 elsewhere."""
        pol = self._polarity[tokens]
        negated = torch.zeros_like(tokens, dtype=torch.bool)
        negated[..., 1:] = tokens[..., :-1] == self._negator
        return torch.where(negated, -pol, pol)

    def label_example(self, tokens):
        """Majority of the effective polarities; a tie goes to the last polarity word."""
        eff = self.effective_polarity(tokens)
        if bool((eff != 0).sum(-1).eq(0).any()):
            raise ValueError("a review needs at least one polarity word: "
                             + ", ".join(POSITIVE + NEGATIVE))
        score = eff.sum(-1)
        T = tokens.shape[-1]
        last_pos = torch.where(eff != 0, torch.arange(T), -1).argmax(-1, keepdim=True)
        last = eff.gather(-1, last_pos).squeeze(-1)
        return (torch.where(score != 0, score, last) > 0).long()

    def split_text(self, text):
        return text.lower().replace(".", " ").replace(",", " ").replace("n't", " not").split()

    # ---- attention readout -------------------------------------------------------------
    def polarity_mask(self, tokens) -> np.ndarray:
        """Bool array shaped like ``tokens`` ((T,) or (B, T)): True at polarity words."""
        return to_numpy(self._polarity)[to_numpy(tokens)] != 0

    def attention_mass(self, attention, tokens) -> float:
        """Share of the attention on polarity words (mean over examples); uniform gets n/T."""
        return mask_mass(attention, self.polarity_mask(tokens))
