"""Parts of the fixed-point search (``engine.analysis.fixed_points``): its stages and the eigen solver."""
