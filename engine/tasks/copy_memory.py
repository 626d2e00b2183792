"""Copy memory (Arjovsky, Shah & Bengio 2016): recall 10 symbols after a delay of T blanks."""
from __future__ import annotations

import math

from engine.tasks.base import IGNORE, Param, Preset, Task, randint
from engine.util.lazy import F, torch

LETTERS = ("a", "b", "c", "d", "e", "f", "g", "h")  # the 8 symbols to remember
BLANK, DELIM = "_", ":"


class CopyMemoryTask(Task):
    name = "copy_memory"
    title = "Copy memory (vanishing gradients)"
    lecture_slide = "Vanishing gradients"
    description = ("The first 10 steps show random symbols from an alphabet of 8 (a-h); then come "
                   "T - 1 blanks and a delimiter ':'; then 10 more blanks, during which the network "
                   "must output the 10 symbols in their original order. Everywhere else the right "
                   "output is blank. The information has to be carried for T + 10 steps (Arjovsky "
                   "et al. 2016): gated cells learn it for short delays, simple RNNs stay at the "
                   "baseline of a network that memorised nothing.")
    input_kind = "tokens"
    output_kind = "per_step"
    vocab = LETTERS + (BLANK, DELIM)
    neutral_token, neutral_note = BLANK, "the blank holds no symbol to copy"
    classes = (BLANK,) + LETTERS
    metric_name = "cross-entropy (nats/step)"
    higher_is_better = False
    baseline_note = ("A network that outputs blank until the delimiter and then guesses the 8 "
                     "symbols uniformly pays ln 8 on each of the K recalled steps and nothing "
                     "elsewhere: K ln 8 / (T + 2K) per step, 10 ln 8 / (T + 20) for K = 10.")
    params_spec = (Param("seq_len", 10, 1, 500, "delay T: blanks between the symbols and their "
                         "recall, counting the delimiter; the sequence is T + 2K long"),
                   Param("symbols", 10, 1, 20, "K, how many symbols to remember"))
    preset = Preset(cell="gru", hidden_size=64, embedding_dim=16, lr=1e-2, batch_size=64,
                    steps=3500, extra={"max_norm": 5.0})
    max_typed_length = 540

    def setup(self):
        self._blank_in, self._delim = self.vocab.index(BLANK), self.vocab.index(DELIM)

    @property
    def baseline(self) -> float:
        K, T = self.params["symbols"], self.params["seq_len"]
        return K * math.log(len(LETTERS)) / (T + 2 * K)

    @property
    def pass_threshold(self) -> float:
        return 0.15 * self.baseline  # ~0.3 nats per recalled symbol, i.e. most recalled right

    def max_length(self) -> int:
        return self.params["seq_len"] + 2 * self.params["symbols"]  # symbols, delay, recall

    def sample_batch(self, batch_size, generator):
        K, T = self.params["symbols"], self.params["seq_len"]
        symbols = randint(0, len(LETTERS) - 1, (batch_size, K), generator)  # (B, K)
        inputs = torch.full((batch_size, T + 2 * K), self._blank_in, dtype=torch.long)
        inputs[:, :K] = symbols
        inputs[:, T + K - 1] = self._delim
        targets = torch.zeros(batch_size, T + 2 * K, dtype=torch.long)  # class 0 = blank
        targets[:, T + K:] = symbols + 1
        return inputs, targets

    def metric(self, outputs, targets):
        return F.cross_entropy(outputs.reshape(-1, outputs.shape[-1]), targets.reshape(-1),
                               ignore_index=IGNORE).item()

    def label_example(self, tokens):
        """Blank everywhere except the K steps after the delimiter, which repeat the first K."""
        K = self.params["symbols"]
        where = (tokens == self._delim).nonzero().flatten().tolist()
        if len(where) != 1:
            raise ValueError(f"type exactly one delimiter {DELIM!r}; got {len(where)}")
        d = where[0]
        if d < K or int(tokens[:K].max()) >= len(LETTERS):
            raise ValueError(f"start with the {K} symbols to remember (letters a-h)")
        if len(tokens) < d + 1 + K:
            raise ValueError(f"leave {K} steps after {DELIM!r} for the recall")
        targets = torch.zeros_like(tokens)
        targets[d + 1 : d + 1 + K] = tokens[:K] + 1
        return targets
