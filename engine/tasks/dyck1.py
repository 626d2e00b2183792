"""Dyck-1: is a string of brackets balanced? Negatives are near-misses of balanced strings."""
from __future__ import annotations

from engine.tasks.base import Preset, Task, randint
from engine.tasks.common import VariableLength, length_params
from engine.util.lazy import torch

OPEN, CLOSE = 0, 1
NEAR_MISS_TRIES = 20  # resample a near-miss this often before the guaranteed fallback


def dyck_counts(n: int) -> torch.Tensor:
    """counts[r, d]: bracket strings of length r that take depth d back to 0 without going below."""
    counts = torch.zeros(n + 1, n + 2, dtype=torch.float64)
    counts[0, 0] = 1.0
    for r in range(1, n + 1):
        counts[r, :-1] = counts[r - 1, 1:]  # an opening bracket first: d -> d + 1
        counts[r, 1:-1] += counts[r - 1, :-2]  # a closing bracket first: d -> d - 1
    return counts


def is_balanced(tokens: torch.Tensor) -> torch.Tensor:
    """(..., T) bracket ids -> (...) bool: depth never negative and back to zero at the end."""
    depth = torch.where(tokens == OPEN, 1, -1).cumsum(-1)
    return (depth.min(-1).values >= 0) & (depth[..., -1] == 0)


def move_one(tokens: torch.Tensor, i: torch.Tensor, j: torch.Tensor) -> torch.Tensor:
    """Take the bracket at position i of each row out and put it back in at position j."""
    T = tokens.shape[1]
    k = torch.arange(T).unsqueeze(0)  # (1, T)
    i, j = i.unsqueeze(1), j.unsqueeze(1)  # (B, 1)
    fwd = torch.where((k >= i) & (k < j), k + 1, k)  # i < j: the run after i shifts left
    bwd = torch.where((k > j) & (k <= i), k - 1, k)  # i > j: the run before i shifts right
    src = torch.where(i < j, fwd, bwd)
    src = torch.where(k == j, i, src)
    return tokens.gather(1, src)


def swap_pair(tokens: torch.Tensor, i: torch.Tensor, j: torch.Tensor) -> torch.Tensor:
    rows = torch.arange(tokens.shape[0])
    out = tokens.clone()
    out[rows, i], out[rows, j] = tokens[rows, j], tokens[rows, i]
    return out


class Dyck1Task(VariableLength, Task):
    name = "dyck1"
    title = "Balanced brackets (Dyck-1 acceptor)"
    lecture_slide = "RNNs for classification (acceptor)"
    description = ("Read a string of '(' and ')' and say, after the last bracket, whether it is "
                   "balanced: every ')' closes an earlier '(' and none is left open. Wrong strings "
                   "are near-misses of right ones - one bracket moved, or one '(' and one ')' "
                   "swapped - so they have the same length and the same number of each bracket: "
                   "the network must keep a running depth counter in its state and notice when it "
                   "would dip below zero.")
    input_kind = "tokens"
    output_kind = "final"
    vocab = ("(", ")")
    classes = ("unbalanced", "balanced")
    metric_name = "accuracy"
    baseline_note = ("Half of the strings are balanced and half are near-misses with identical "
                     "length and bracket counts, so guessing (or counting) gives 50%.")
    params_spec = length_params(20, 4, 2, 200, unit="brackets")
    preset = Preset(cell="lstm", hidden_size=32, embedding_dim=8, lr=1e-2, batch_size=64,
                    steps=1000, extra={"max_norm": 5.0})
    max_typed_length = 200
    length_step = 2  # balanced strings have even length; so do the near-misses

    baseline = 0.5  # a model that learned nothing
    pass_threshold = 0.95  # the metric that counts as solved

    def setup(self):
        self.check_lengths()
        self._counts = dyck_counts(self.params["seq_len"])

    def sample_balanced(self, batch_size: int, T: int, generator: torch.Generator) -> torch.Tensor:
        """Uniformly random balanced strings (B, T): step up with probability N(r-1, d+1) / N(r, d)."""
        out = torch.empty(batch_size, T, dtype=torch.long)
        depth = torch.zeros(batch_size, dtype=torch.long)
        u = torch.rand(batch_size, T, generator=generator, dtype=torch.float64)
        for t in range(T):
            r = T - t
            p_open = self._counts[r - 1, depth + 1] / self._counts[r, depth]
            opens = u[:, t] < p_open
            out[:, t] = torch.where(opens, OPEN, CLOSE)
            depth += torch.where(opens, 1, -1)
        return out

    def near_miss(self, balanced: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Unbalanced strings made from balanced ones by moving one bracket or swapping a pair."""
        B, T = balanced.shape
        out = balanced.clone()
        todo = torch.ones(B, dtype=torch.bool)
        for _ in range(NEAR_MISS_TRIES):
            rows = todo.nonzero().squeeze(1)
            if len(rows) == 0:
                break
            src = balanced[rows]
            n = len(rows)
            kind = randint(0, 1, (n,), generator)
            keys = torch.rand(2, n, T, generator=generator)
            i_open = (keys[0] * (src == OPEN)).argmax(1)  # a random '(' of each row
            j_close = (keys[1] * (src == CLOSE)).argmax(1)  # a random ')'
            i_any, j_any = randint(0, T - 1, (n,), generator), randint(0, T - 1, (n,), generator)
            cand = torch.where(kind.unsqueeze(1) == 0, swap_pair(src, i_open, j_close),
                               move_one(src, i_any, j_any))
            ok = ~is_balanced(cand)
            out[rows[ok]] = cand[ok]
            todo[rows[ok]] = False
        if todo.any():  # rare: ')' first and '(' last is always unbalanced
            out[todo] = swap_pair(balanced[todo], torch.zeros(int(todo.sum()), dtype=torch.long),
                                  torch.full((int(todo.sum()),), T - 1))
        return out

    def sample_batch(self, batch_size, generator):
        T = self.draw_batch_length(generator)
        labels = randint(0, 1, (batch_size,), generator)  # (B,) 1 = balanced
        tokens = self.sample_balanced(batch_size, T, generator)  # (B, T)
        wrong = labels == 0
        tokens[wrong] = self.near_miss(tokens[wrong], generator)
        return tokens, labels

    def label_example(self, tokens):
        return is_balanced(tokens).long()
