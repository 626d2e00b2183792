"""The sentence the curves panel's tooltips add about its held-out dots (Snapshot.evals), from what the
evaluations were: the loss is named only where loss dots are drawn, and "held out from training" only where
the data was (a file's validation rows, a text's held-out end); a generating task's fresh examples are
drawn apart from the training batches but can be among them (parity at T = 10 has 1,024 strings)."""
from __future__ import annotations

import numpy as np

FRESH_NOTE = ("drawn apart from the training batches but not excluded from them (a task with few possible "
              "sequences, as parity at T = 10 with its 1,024 strings, trains on them all)")


def dots_sentences(evals: dict, metric: str) -> tuple[str, str]:
    """(the metric plot's sentence, the loss plot's sentence); "" where that plot has no dots."""
    rows = np.asarray(evals.get("step", ()), np.float64).size
    if not rows:
        return "", ""
    has_loss = bool(np.isfinite(np.asarray(evals.get("loss", ()), np.float64)).any())
    what = "the loss and metric" if has_loss else f"the {metric} (no loss dots)"
    apart = "held out from training" if evals.get("disjoint", False) else FRESH_NOTE
    text = f" Large dots: {what} on {evals.get('on', '')}, {apart}, about every {evals.get('every')} steps."
    return text, text if has_loss else ""


def with_evals(header: list[str], rows: list[list], evals, metric: str) -> tuple[list[str], list[list]]:
    """The curves' table with the held-out dots as two more columns, filled at the steps they were made
    ("" elsewhere, and where only the metric is defined), so the CSV holds what the figure draws."""
    if not evals:
        return header, rows
    at = {int(step): [v if np.isfinite(v) else "" for v in (loss, value)] for step, loss, value in evals}
    out = [row + (at[int(row[0])] if isinstance(row[0], int) and int(row[0]) in at else ["", ""])
           for row in rows]
    return header + ["held-out loss", f"held-out {metric}"], out
