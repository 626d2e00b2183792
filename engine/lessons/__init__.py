"""Lessons: the deck's sections as guided steps where the student predicts, then sees.

``schema`` reads and checks ``assets/lessons/*.toml`` (torch-free), ``conditions`` and ``outcome``
check a step's ``expect`` and fill its reveal (torch-free), ``measures`` computes the numbers on a
LabSession and ``runner`` runs a lesson headless (``rnnlab --lesson NAME --verify``).
"""
