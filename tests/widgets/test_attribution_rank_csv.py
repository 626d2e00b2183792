"""An attention head's attribution export holds the rank correlation its footer states: the CSV's Spearman
column equals a rank correlation recomputed here from the CSV's own alpha and |attribution| columns."""
from dataclasses import replace

import numpy as np

from engine.lab.session import LabConfig, LabSession
from widgets.readout.attribution_panel import AttributionPanel

COLUMN = "Spearman rho(alpha, |attribution|)"


def ranks(v):
    """Average ranks (ties share their mean rank), by counting: no shared code with the engine."""
    v = np.asarray(v, float)
    return np.array([(v < x).sum() + ((v == x).sum() - 1) / 2 for x in v])


def test_the_csv_carries_the_footers_rank_correlation(qtbot):
    cfg = LabConfig.for_task("sentiment")
    s = LabSession(replace(cfg, model=replace(cfg.model, hidden_size=8)))
    for _ in range(3):
        s.step()
    payload = s.analyses.attribution(s, s.probe())
    panel = AttributionPanel()
    qtbot.addWidget(panel)
    panel.set_attribution(payload)
    header, rows = panel.data_table()
    col = header.index(COLUMN)
    alpha = [r[header.index("alpha")] for r in rows]
    scores = np.abs([r[header.index("attribution")] for r in rows])
    want = np.corrcoef(ranks(alpha), ranks(scores))[0, 1]
    assert {r[col] for r in rows} == {payload["spearman"]}
    np.testing.assert_allclose(rows[0][col], want, atol=1e-9)
    assert f"= {want:.2f}" in panel.footer.text()  # what the footer says
    pearson = np.corrcoef(alpha, scores)[0, 1]
    assert abs(pearson - want) > 1e-3  # (negative control: not the linear correlation)
    panel.set_attribution({**payload, "attention": None, "spearman": None})  # no attention head: no column
    assert COLUMN not in panel.data_table()[0]
