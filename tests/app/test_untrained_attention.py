"""The Attention help calls the dashed line 1/T the weight 'near which an untrained attention starts': an
untrained head's alpha_i lie within a factor of two of 1/T, and are not exactly uniform (so 'gives' would
be false)."""
from dataclasses import replace

import numpy as np

from app.classroom.help_pages import PAGES
from engine.lab.session import LabConfig, LabSession


def test_an_untrained_attention_head_starts_near_uniform_but_not_on_it():
    assert "near which an untrained attention starts" in PAGES["attentionPanel"].read
    for seed in range(3):
        cfg = LabConfig.for_task("sentiment")
        alpha = np.asarray(LabSession(replace(cfg, train=replace(cfg.train, seed=seed))).snapshot().trace.attention)
        scaled = alpha * alpha.size  # 1 = uniform
        assert 0.5 < scaled.min() and scaled.max() < 2.0, scaled
        assert np.ptp(scaled) > 0.05  # not exactly uniform
