"""Searches that run in slices: the fixed-point search's stages, eigen solver and job; the pattern search over a
task's whole data set (``dataset``: the data set as batches, ``pattern_job``)."""
