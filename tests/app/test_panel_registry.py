"""A panel is declared once (app/panels/registry.py): a typo in its analysis, feed or dock fails at import, and the
engine computes exactly the analyses the protocol declares."""
import pytest

from app.panels.registry import DOCKS, PANELS, SPECS, PanelSpec
from engine.process.protocol import ANALYSIS_KEYS
from widgets.hidden.unit_explorer_panel import UnitExplorerPanel


def test_a_declaration_with_a_typo_is_refused_at_once():
    PanelSpec("ok", UnitExplorerPanel, "Units", "insideDock", analysis="units", feed="set_units")  # control
    with pytest.raises(ValueError, match="unknown analysis"):
        PanelSpec("x", UnitExplorerPanel, "Units", "insideDock", analysis="unit", feed="set_units")
    with pytest.raises(ValueError, match="no method"):
        PanelSpec("x", UnitExplorerPanel, "Units", "insideDock", analysis="units", feed="set_unit")
    with pytest.raises(ValueError, match="go together"):
        PanelSpec("x", UnitExplorerPanel, "Units", "insideDock", analysis="units")
    with pytest.raises(ValueError, match="no dock"):
        PanelSpec("x", UnitExplorerPanel, "Units", "insideDok")


def test_names_are_unique_and_every_dock_holds_a_panel():
    assert len(SPECS) == len(PANELS)
    assert {d[0] for d in DOCKS} <= {s.dock for s in PANELS}


def test_the_engine_computes_exactly_the_declared_analyses():
    from engine.analysis.live import ANALYSES

    assert set(ANALYSES) == ANALYSIS_KEYS
    assert {s.analysis for s in PANELS if s.analysis} <= ANALYSIS_KEYS


def test_widgets_carry_no_second_copy_of_their_declaration():
    for spec in PANELS:
        for attribute in ("title", "time_indexed"):
            assert attribute not in vars(spec.cls), f"{spec.cls.__name__}.{attribute}: declare it in the registry"
