"""Every display panel declared in one place (as Orange widgets declare themselves with class
attributes and napari plugins with a manifest). The window (docks, tabs, View menu), export, the
export board, the GIF sweep and the engine's analysis requests all read this table: adding a panel
is one widget file in ``widgets/`` plus one ``PanelSpec`` here.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.panels.help_page import HelpPage
from engine.process.protocol import check_analysis_keys
from widgets.cellview.cell_view import CellView
from widgets.gates.equations_panel import EquationsPanel
from widgets.gates.gate_products_panel import GateProductsPanel
from widgets.gates.gate_saturation_panel import GateSaturationPanel
from widgets.gates.gate_stats_panel import GateStatsPanel
from widgets.gates.gates_panel import GatesPanel
from widgets.gradients.bptt_panel import BpttPanel
from widgets.gradients.gradient_panel import GradientPanel
from widgets.gradients.vanishing_panel import VanishingPanel
from widgets.hidden.pattern_search_panel import PatternSearchPanel
from widgets.hidden.state_space_panel import StateSpacePanel
from widgets.hidden.unit_explorer_panel import UnitExplorerPanel
from widgets.lecture.input_nlp_panel import InputNlpPanel
from widgets.network.hidden_heatmap import HiddenHeatmap
from widgets.network.sequence_strip import SequenceStrip
from widgets.network.unrolled_view import UnrolledView
from widgets.readout.attention_panel import AttentionPanel
from widgets.readout.attribution_panel import AttributionPanel
from widgets.readout.counterfactual_panel import CounterfactualPanel
from widgets.readout.next_char_panel import NextCharPanel
from widgets.training.curves_panel import CurvesPanel

CENTER = "center"  # the central column (lecture note, sequence strip, unrolled network)


@dataclass(frozen=True)
class PanelSpec:
    name: str  # the panel's objectName, also the stem of its exported files
    cls: type  # the widget class (takes no arguments)
    title: str  # tab / menu / export title
    dock: str  # objectName of the dock it lives in (several panels in one dock become tabs), or CENTER
    analysis: str | None = None  # key of engine.analysis.live.ANALYSES it needs (computed while visible)
    feed: str | None = None  # the panel's method that takes that analysis payload
    sweep: bool = False  # drawn in the GIF time sweep
    board: tuple[int, int, int, int] = (0, 0, 1, 1)  # (row, column, row span, column span) on the export board
    help: str = ""  # one paragraph: what it shows and how to read it
    tab: str = ""  # a shorter title for its tab where the dock's name says the rest (default: title)
    time_indexed: bool = False  # it draws the time cursor t and follows it
    page: HelpPage | None = None  # its long help page (else app/classroom/help_pages.PAGES holds it)
    asks_user: bool = False  # shows its data only once the user asks (Apply, Search): not brought forward first

    def __post_init__(self):
        """A typo in a declaration fails at import, not as a silently empty panel."""
        if self.analysis is not None:
            check_analysis_keys([self.analysis], f"panel {self.name!r}")
        if (self.analysis is None) != (self.feed is None):
            raise ValueError(f"panel {self.name!r}: an analysis and the method that takes it go together")
        if self.feed is not None and not callable(getattr(self.cls, self.feed, None)):
            raise ValueError(f"panel {self.name!r}: {self.cls.__name__} has no method {self.feed!r}")
        if self.dock != CENTER and self.dock not in {d[0] for d in DOCKS}:
            raise ValueError(f"panel {self.name!r}: no dock {self.dock!r}")


# (dock objectName, dock title, area) in the order they are created; area: "right", "bottom", or
# "tab:<dock objectName>" for a tab behind that (earlier) dock
DOCKS = (("heatmapDock", "Hidden states hₜ", "right"),
         ("gatesDock", "Gates", "right"),
         ("gradientDock", "Gradients", "bottom"),
         ("curvesDock", "Training curves", "bottom"),
         ("attentionDock", "Attention and counterfactuals", "bottom"),
         ("insideDock", "Inside the hidden state", "tab:attentionDock"))
# one word per tab when the docks share one column (a projector-sized window): nothing elided
SHORT_DOCK_TITLES = {"heatmapDock": "States hₜ", "gradientDock": "Gradients", "curvesDock": "Curves",
                     "attentionDock": "Attention", "insideDock": "Inside"}

PANELS = (
    PanelSpec("sequenceStrip", SequenceStrip, "Sequence", CENTER, board=(0, 0, 1, 2),
              time_indexed=True,
              help="The displayed example: input tokens, targets and the model's predictions at each t."),
    PanelSpec("unrolledView", UnrolledView, "Unrolled network", CENTER, sweep=True, board=(1, 0, 1, 2),
              time_indexed=True,
              help="The network unrolled over time: one column per step, coloured by the hidden state."),
    PanelSpec("hiddenHeatmap", HiddenHeatmap, "Hidden states", "heatmapDock", sweep=True, board=(2, 0, 1, 1),
              time_indexed=True,
              help="h_t for every unit (rows) and step (columns), in [-1, 1]."),
    PanelSpec("gatesPanel", GatesPanel, "Gates", "gatesDock", sweep=True, board=(2, 1, 1, 1),
              time_indexed=True,
              help="Gate activations of the LSTM/GRU over time, in [0, 1]."),
    PanelSpec("gateStatsPanel", GateStatsPanel, "Gate statistics", "gatesDock", tab="Statistics",
              analysis="gate_stats",
              feed="set_stats", board=(6, 0, 1, 2),
              help="How often each gate is saturated (near 0 or 1) over the example."),
    PanelSpec("gateProductsPanel", GateProductsPanel, "Gate products x ⊙ y", "gatesDock", tab="x ⊙ y",
              analysis="gate_products",
              feed="set_products", board=(8, 0, 1, 1),
              time_indexed=True,
              help="The deck's gate g = x ⊙ y at the cursor: each gating product's two factors and their "
                   "product, for every unit (LSTM f⊙c, i⊙g, o⊙tanh c; GRU z⊙h, r⊙(W_hn h + b_hn))."),
    PanelSpec("equationsPanel", EquationsPanel, "Equations", "gatesDock", board=(5, 1, 1, 1),
              time_indexed=True,
              help="The cell's equations with the numbers of the step at the cursor."),
    PanelSpec("gradientPanel", GradientPanel, "dL/dhₜ", "gradientDock", sweep=True, board=(3, 0, 1, 1),
              time_indexed=True,
              help="||dL/dh_t|| per step on a log axis: how much of the gradient reaches each step."),
    PanelSpec("bpttPanel", BpttPanel, "BPTT sum over t", "gradientDock", tab="BPTT sum",
              analysis="bptt", feed="set_bptt",
              board=(8, 1, 1, 1),
              time_indexed=True,
              help="Each step's term of dL/dW_hh, dL/dW_xh, dL/db (layer 1) and their running sum in the order "
                   "BPTT visits the steps, ending at the total gradient; the BPTT animation (B) accumulates it."),
    PanelSpec("vanishingPanel", VanishingPanel, "Why gradients vanish", "gradientDock", tab="Why it vanishes",
              analysis="spectrum",
              feed="set_analysis", board=(4, 1, 1, 1),
              help="The spectral radius of the recurrent Jacobian and the products of step Jacobians."),
    PanelSpec("curvesPanel", CurvesPanel, "Training curves", "curvesDock", board=(3, 1, 1, 1),
              help="Loss and the task's metric over training steps; large dots: the model on data apart from its "
                   "training batches, about every 250 steps (a data file's or a text's held-out part: the metric "
                   "only)."),
    PanelSpec("attentionPanel", AttentionPanel, "Attention αᵢ", "attentionDock", sweep=True, board=(4, 0, 1, 1),
              time_indexed=True,
              help="The attention weights alpha_i over the input positions (attention head only)."),
    PanelSpec("counterfactualPanel", CounterfactualPanel, "Counterfactual input", "attentionDock", tab="Counterfactual",
              analysis="counterfactual", feed="set_result", board=(5, 0, 1, 1), asks_user=True,
              help="Replace one input and see how the output and every later hidden state change."),
    PanelSpec("attributionPanel", AttributionPanel, "Attribution", "attentionDock", analysis="attribution",
              feed="set_attribution", board=(7, 0, 1, 2),
              time_indexed=True,
              help="Which inputs made the network give this output: integrated gradients (or gradient x "
                   "input) per input token, signed, with the completeness check; beside the attention "
                   "weights alpha_i and their rank correlation for attention heads."),
    PanelSpec("stateSpacePanel", StateSpacePanel, "State space", "insideDock", analysis="state_space",
              feed="set_state_space", board=(9, 1, 1, 1),
              time_indexed=True,
              help="Every reference example's path h_1..h_T in the top two principal components, the "
                   "displayed example thick with the time cursor; fixed and slow points on demand "
                   "(Sussillo & Barak 2013): stable filled, saddles hollow with their unstable direction."),
    PanelSpec("unitExplorerPanel", UnitExplorerPanel, "Units", "insideDock", analysis="units",
              feed="set_units", board=(10, 0, 1, 1),
              help="Units ranked by |correlation| with a quantity computed from the input (depth, parity, "
                   "characters since a space...), a tagged CSV's tags or annotation tracks (Tracks…); the text "
                   "coloured by the chosen unit (Karpathy et al. 2015)."),
    PanelSpec("patternSearchPanel", PatternSearchPanel, "Pattern search", "insideDock", board=(10, 1, 1, 1),
              asks_user=True,
              help="Select steps of the displayed example and a threshold: the windows of other examples "
                   "whose active units match best (LSTMVis)."),
    PanelSpec("gateSaturationPanel", GateSaturationPanel, "Gate saturation", "gatesDock",
              analysis="gate_saturation", feed="set_saturation", board=(11, 0, 1, 2),
              help="Per unit, the fraction of steps each gate is below 0.1 vs above 0.9 over 32 examples "
                   "(Karpathy et al. 2015, fig. 4)."),
    PanelSpec("nextCharPanel", NextCharPanel, "Next character", "attentionDock", tab="Next char.",
              board=(9, 0, 1, 1),
              time_indexed=True,
              help="P(x_t+1 | x_1..x_t) at the cursor as the top-10 bars, the actual next character marked; "
                   "for a tagger, every tag's P(y_t | x_1..x_t) (up to 10), the target marked; after Generate "
                   "text, the distribution each generated character was sampled from."),
    PanelSpec("inputNlpPanel", InputNlpPanel, "Input to NLP", "attentionDock", tab="Input", board=(12, 0, 1, 2),
              help="The deck's opening: a sentence resampled to a fixed length as an image would be (\"This is "
                   "an example\" -> \"Ti sa xml\"), pixellated like the deck's cat, and read whole by the RNN with "
                   "the same weights for any number of words (the running model's parameter count)."),
    PanelSpec("cellView", CellView, "Inside the cell", "gatesDock", tab="Cell",
              analysis="cell_view", feed="set_cell_wires",
              board=(12, 0, 1, 2), time_indexed=True,
              help="One step of one cell drawn as the lecture draws it (simple RNN, GRU, LSTM): every wire "
                   "carries its vector at the cursor as a strip of unit colours. Play t sends a pulse through "
                   "the gates; BPTT (or dL/d(wire)) shows the gradient on every wire. Double-click a column "
                   "of the unrolled network to open its cell; Esc returns. Hover a unit for its formula."),
)

SPECS = {spec.name: spec for spec in PANELS}


def tab_title(name: str) -> str:
    return SPECS[name].tab or SPECS[name].title


def dock_panels(dock: str) -> tuple[str, ...]:
    """Names of the panels in a dock, in tab order."""
    return tuple(spec.name for spec in PANELS if spec.dock == dock)


def front_panels() -> tuple[str, ...]:
    """The panels in view when the window opens: the central ones and each dock's first tab."""
    return tuple(spec.name for spec in PANELS if spec.dock == CENTER or dock_panels(spec.dock)[0] == spec.name)


def sweep_panels() -> tuple[str, ...]:
    return tuple(spec.name for spec in PANELS if spec.sweep)


def analysis_feeds() -> dict[str, tuple[str, str]]:
    """{panel name: (analysis key, feed method)} of the panels that show an engine analysis."""
    return {spec.name: (spec.analysis, spec.feed) for spec in PANELS if spec.analysis}
