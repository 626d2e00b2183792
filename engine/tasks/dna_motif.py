"""DNA motif detection: does an ACGT string contain the TATA box TATAAA? Attention should find it."""
from __future__ import annotations

import numpy as np

from engine.tasks.base import Preset, Task, randint
from engine.tasks.common import VariableLength, length_params, mask_mass, to_numpy
from engine.util.lazy import torch

BASES = ("A", "C", "G", "T")
MOTIF = "TATAAA"
NEAR_MISS_PROB = 0.5  # share of negatives that carry the motif with one base changed


def motif_hits(tokens: torch.Tensor, motif: torch.Tensor) -> torch.Tensor:
    """(B, T) -> (B, T - m + 1) bool: the motif starts at this position."""
    m = len(motif)
    if tokens.shape[-1] < m:
        return torch.zeros(*tokens.shape[:-1], 0, dtype=torch.bool)
    windows = tokens.unfold(-1, m, 1)  # (B, T - m + 1, m)
    return (windows == motif).all(-1)


class DNAMotifTask(VariableLength, Task):
    name = "dna_motif"
    title = "DNA motif (attention)"
    lecture_slide = "Attention; DNA sequence analysis"
    description = ("Read a DNA string of A, C, G and T and say whether it contains the motif "
                   "TATAAA (the TATA box found in many promoters) anywhere. Half of the negative "
                   "strings hold a near-miss with one base changed, so all six letters matter. "
                   "The attention head weights every position; once trained its weight sits on "
                   "the motif, showing where in the sequence the evidence is.")
    input_kind = "tokens"
    output_kind = "attention"
    vocab = BASES
    classes = ("absent", "present")
    motif = MOTIF
    metric_name = "accuracy"
    baseline_note = ("Half of the strings contain the motif and half do not (base composition "
                     "is the same), so guessing gives 50%.")
    params_spec = length_params(32, 16, len(MOTIF), 200, unit="bases")
    preset = Preset(cell="gru", hidden_size=32, embedding_dim=8, lr=1e-2, batch_size=64,
                    steps=1000, extra={"max_norm": 5.0})
    max_typed_length = 200

    baseline = 0.5  # a model that learned nothing
    pass_threshold = 0.95  # the metric that counts as solved

    def setup(self):
        self.check_lengths()
        self._motif = torch.tensor([BASES.index(b) for b in MOTIF])

    def sample_batch(self, batch_size, generator):
        T = self.draw_batch_length(generator)
        m = len(MOTIF)
        labels = randint(0, 1, (batch_size,), generator)  # (B,) 1 = contains the motif
        tokens = randint(0, 3, (batch_size, T), generator)  # (B, T)
        start = randint(0, T - m, (batch_size,), generator)
        near = torch.rand(batch_size, generator=generator) < NEAR_MISS_PROB
        insert = (labels == 1) | near
        cols = start.unsqueeze(1) + torch.arange(m)  # (B, m)
        rows = torch.arange(batch_size).unsqueeze(1).expand(-1, m)
        tokens[rows[insert], cols[insert]] = self._motif.expand(batch_size, m)[insert]
        self._break_motifs(tokens, labels == 0, generator)
        return tokens, labels

    def _break_motifs(self, tokens, rows_mask, generator) -> None:
        """Change one base of every motif occurrence in the selected rows, until none is left."""
        m = len(MOTIF)
        while True:
            hits = motif_hits(tokens, self._motif) & rows_mask.unsqueeze(1)  # (B, T - m + 1)
            if not hits.any():
                return
            row, pos = hits.nonzero(as_tuple=True)
            k = len(row)
            offset = randint(0, m - 1, (k,), generator)
            shift = randint(1, 3, (k,), generator)  # a different base
            col = pos + offset
            tokens[row, col] = (tokens[row, col] + shift) % 4

    def label_example(self, tokens):
        return motif_hits(tokens, self._motif).any(-1).long()

    def split_text(self, text):
        return [c for c in text.upper() if not c.isspace()]

    # ---- attention readout -------------------------------------------------------------
    def motif_mask(self, tokens) -> np.ndarray:
        """Bool array shaped like ``tokens`` ((T,) or (B, T)): True on every base of a motif."""
        t = torch.as_tensor(to_numpy(tokens)).long()
        flat = t.reshape(-1, t.shape[-1])  # (B, T)
        hits = motif_hits(flat, self._motif).float()  # (B, T - m + 1)
        m = len(MOTIF)
        if hits.shape[1] == 0:
            return np.zeros(t.shape, dtype=bool)
        cover = torch.nn.functional.conv1d(hits.unsqueeze(1), torch.ones(1, 1, m), padding=m - 1)
        return (cover.squeeze(1) > 0).reshape(t.shape).numpy()

    def attention_mass(self, attention, tokens) -> float:
        """Share of the attention on motif bases (mean over examples)."""
        return mask_mass(attention, self.motif_mask(tokens))
