"""Analyses of a model beyond one probed example (pure torch + numpy, no Qt)."""
from engine.analysis.attribution import METHODS as ATTRIBUTION_METHODS
from engine.analysis.attribution import Attribution, attribution, spearman
from engine.analysis.bptt import bptt_contributions, bptt_summary
from engine.analysis.cell_step import cell_internals, cell_wires
from engine.analysis.counterfactual import counterfactual
from engine.analysis.fixed_points import fixed_points, hidden_part, search_fixed_points
from engine.analysis.gate_products import gate_products
from engine.analysis.gate_stats import forget_half_life, gate_statistics, unit_saturation
from engine.analysis.pca import PCA, PCATracker, fit_pca
from engine.analysis.spectrum import (
    analysis_dict,
    jacobian_norms,
    matrix_note,
    recurrent_matrices,
    spectra,
    spectral_radii,
    spectral_radius,
)
from engine.analysis.states import ZERO_INPUT, StepMap, batch_states, full_state, neutral_input
from engine.analysis.units import pattern_search, rank_units, task_features, unit_correlations

__all__ = ["bptt_contributions", "bptt_summary", "cell_internals", "cell_wires",
           "analysis_dict", "jacobian_norms", "matrix_note", "recurrent_matrices", "spectra",
           "spectral_radii", "spectral_radius",
           "counterfactual", "forget_half_life", "gate_products", "gate_statistics", "unit_saturation",
           "ATTRIBUTION_METHODS", "Attribution", "attribution", "spearman",
           "fixed_points", "hidden_part", "search_fixed_points", "PCA", "PCATracker", "fit_pca",
           "ZERO_INPUT", "StepMap", "batch_states", "full_state", "neutral_input",
           "pattern_search", "rank_units", "task_features", "unit_correlations"]
