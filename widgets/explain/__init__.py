"""Every number explains itself: the text each time-indexed panel's ``explain(t, index)`` returns (its
hover tooltip), the source values a hovered number was computed from, and the hover plumbing.

Texts are written from the snapshot's own numbers (``Trace`` and the analyses' payloads): the quantity in
the deck's notation, its formula, the formula with the operands' values, and the value.
"""
