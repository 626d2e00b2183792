"""Analyses of a model beyond one probed example (pure torch + numpy, no Qt)."""
from .bptt import bptt_contributions, bptt_summary
from .counterfactual import counterfactual
from .gate_stats import forget_half_life, gate_statistics
from .spectrum import (
    analysis_dict,
    jacobian_norms,
    matrix_note,
    recurrent_matrices,
    spectra,
    spectral_radii,
    spectral_radius,
)

__all__ = ["bptt_contributions", "bptt_summary",
           "analysis_dict", "jacobian_norms", "matrix_note", "recurrent_matrices", "spectra",
           "spectral_radii", "spectral_radius",
           "counterfactual", "forget_half_life", "gate_statistics"]
