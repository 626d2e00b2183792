"""Help pages: one per panel (what it shows, how to read it, what to try, which lecture slide)
and "Getting started". Plain data and HTML, no Qt: the window's help dialog and the exported
index.html both read them. A panel's ``PanelSpec.help`` stays its one-line summary (tooltips); the
page here is the long form, keyed by the panel's name, unless the panel declares its page in the registry
(``PanelSpec.page``); ``page_of`` finds either. Every registered panel must have one
(tests/app/test_classroom_window.py checks).
"""
from __future__ import annotations

import html

from app.panels.help_page import HelpPage
from app.panels.registry import SPECS


def page_of(name: str) -> HelpPage | None:
    """A panel's page: declared with the panel (PanelSpec.page), else here in PAGES."""
    spec = SPECS.get(name)
    return (spec.page if spec is not None else None) or PAGES.get(name)


PAGES = {
    "sequenceStrip": HelpPage(
        shows="The example the network is reading: the input tokens x_1 … x_T in a row, and for a tagging "
              "model the targets and the model's answer under each token. An acceptor or a regression model "
              "gives one answer after the last step, shown under the strip.",
        read="The highlighted token is the time cursor t that every other panel follows. Green answers are "
             "right, red ones wrong. Click a token to move the cursor there.",
        try_="Type your own sequence in the field under the strip and press Enter; the network reads it at "
             "once. Press N (New example) to draw another one from the task.",
        slide="RNNs for tagging"),
    "unrolledView": HelpPage(
        shows="The lecture's unrolled RNN, drawn live: column t is input x_t, the cell h_t (one box per layer "
              "and direction) and the output. Each box shows h_t as H coloured stripes, one per unit.",
        read="Blue is −1, white 0, red +1. The arrow into h_t thickens and reddens with ‖∂L/∂h_t‖: thin grey "
             "arrows on the left of a long sequence are the vanishing gradient. With attention, the dots "
             "under the columns are the weights α_i feeding Σ α_i h_i.",
        try_="Press P to play the forward pass and B to watch backpropagation through time run right to left. "
             "Ctrl+wheel zooms, F fits the whole sequence, 1 returns to full-size boxes.",
        slide="Parameter sharing in RNNs (networks can be unrolled in time)"),
    "hiddenHeatmap": HelpPage(
        shows="The hidden state h_t of every unit (rows) after every step (columns) for one layer and "
              "direction; for an LSTM you can switch to the memory cell c_t.",
        read="Colours are fixed: blue −1, white 0, red +1, so the same colour means the same value in every "
             "run. A unit that changes colour exactly where the input changes is tracking that input; a row "
             "that stays one colour is a unit that saturated or is unused. The vertical line is the cursor t.",
        try_="Load Lecture > Acceptor (parity) and train: some units switch sign at every 1 read (or at "
             "every 0: with T fixed, the parity of the 0s gives the same answer). "
             "Compare a simple RNN and an LSTM on the adding task with T = 100.",
        slide="Simple RNN"),
    "gatesPanel": HelpPage(
        shows="The gates of a GRU (r, z, candidate n) or an LSTM (i, f, candidate g, o) for every unit and "
              "step, one heatmap per gate, and on the right the value of every gate at the cursor step.",
        read="Sigmoid gates run from 0 (closed, dark) to 1 (open, bright); the candidate is a tanh in "
             "[−1, 1]. An LSTM forget gate near 1 keeps c_{t−1}: that unit remembers. A GRU update gate z "
             "near 1 keeps h_{t−1}. A simple RNN has no gates; the panel shows its update equation instead.",
        try_="Lecture > Gating (temporal order): train an LSTM and compare the input gate on the two marked "
             "symbols with the other steps: on average it opens wider on them, though it is partly open at every "
             "step; in a few units the forget gate stays near 1 between them (they carry the first marker).",
        slide="What is a gate?"),
    "gateStatsPanel": HelpPage(
        shows="How often each gate is saturated (near 0 or 1) over the example, and the memory half-life of "
              "every unit: how many steps it takes to forget half of what it holds.",
        read="Tall bars mean the gate acts like a switch rather than a dial. The half-life is ln 0.5 / ln f̄ "
             "from the unit's mean forget gate (LSTM) or update gate (GRU), sorted, on a log axis; the line "
             "is the sequence length T: units above it can carry information across the whole sequence.",
        try_="Train an LSTM on copy memory and watch half-lives grow past T as it learns; compare with a GRU.",
        slide="GRUs and LSTMs"),
    "equationsPanel": HelpPage(
        shows="The cell's equations in the lecture's notation with this example's numbers filled in for one "
              "unit at the cursor step, the mapping from W_xh, W_hh, b_h to PyTorch's parameter names and "
              "shapes, and PyTorch code that builds the current model.",
        read="Each line is one equation evaluated: gate values, the state update and its arithmetic. "
             "PyTorch adds two biases (bias_ih + bias_hh) where the lecture has one.",
        try_="Move the cursor with Left/Right and watch the numbers change; switch the cell type to see the "
             "GRU and LSTM equations; press Copy code and run it in a notebook.",
        slide="RNNs in PyTorch"),
    "gradientPanel": HelpPage(
        shows="Left: ‖∂L/∂h_t‖, how much of the loss's gradient reaches each step of this example, on a log "
              "axis. Right: the global gradient norm of every training step, before and after clipping.",
        read="A line falling steadily away from the loss (usually towards t = 1) is the vanishing gradient: "
             "early steps get almost no credit. Spikes on the right plot are exploding gradients; the dashed "
             "line is the clipping threshold and marked steps were clipped.",
        try_="Lecture > Vanishing gradients: a simple RNN on adding with T = 100, then switch the cell to LSTM. "
             "Lecture > Exploding gradients: turn clipping off and watch the spikes.",
        slide="Vanishing gradients"),
    "vanishingPanel": HelpPage(
        shows="Why gradients vanish or explode, from the weights themselves: the eigenvalues of the recurrent "
              "matrix with the unit circle, their spectral radius ρ over training, and ‖∂h_T/∂h_t‖ against "
              "the lag T − t for this example.",
        read="Eigenvalues inside the circle (ρ < 1) shrink the gradient at every step back in time; outside, "
             "they can blow it up. The dotted ρ^lag guide shows the rate a linear network would have.",
        try_="Compare initialisations: identity init puts every eigenvalue at 1; default init starts inside. "
             "Watch ρ during training on the exploding preset.",
        slide="Backpropagation through time"),
    "curvesPanel": HelpPage(
        shows="Learning curves: the loss (top) and the task's metric (bottom) against training step, with the "
              "task's baseline and pass threshold. The baseline is what a simple rule scores without the "
              "network (hover the line for the task's): chance for the built-in acceptors, the most common "
              "label or tag of the training rows for your own CSV, the unigram entropy for a language model, "
              "and for the built-in tagging task the per-word majority tag (each word tagged with its most "
              "frequent tag), which already gets about 88% of the words right.",
        read="Loss and error metrics use log axes, so a fall from 0.7 to 0.001 stays visible. A curve on the "
             "baseline line does no better than that rule (for the built-in tagging: no better than a word "
             "list); crossing the pass line means the task is solved. The large dots, about every 250 steps, "
             "score the model on data apart from its training batches: a data file's validation rows or a "
             "text's held-out end (never trained on; only the metric is drawn), or a built-in task's fresh "
             "examples (a task with few sequences, as parity at T = 10, trains on them too).",
        try_="Change the learning rate while training (it applies live) and watch the slope change; turn on "
             "smoothing to see the trend under a noisy metric.",
        slide="RNNs for language modelling"),
    "attentionPanel": HelpPage(
        shows="The attention weights α_i of the attention head, one bar per input token: "
              "α_i = softmax(w_α^T h_i), and the classifier reads Σ α_i h_i.",
        read="The dashed line is the uniform weight 1/T, near which an untrained attention starts (its "
             "random w_α already tilts it a little). Bars well above it "
             "mark the tokens the classifier relies on; the highlighted bar is at the cursor. For other heads "
             "the panel says why there is nothing to show.",
        try_="Lecture > Attention (sentiment): train and watch the weight move onto the polarity words while "
             "the filler words fade.",
        slide="RNNs for classification (attention)"),
    "counterfactualPanel": HelpPage(
        shows="What changes when one input is replaced: ‖h_t − h'_t‖ for every later step, and the output "
              "before and after.",
        read="The vertical line is the changed step; the curve is how far the new states are from the old ones "
             "(log axis). A curve that decays fast is a short memory; one that stays up is a long one.",
        try_="Pick an early position and a new token, press Apply; compare a simple RNN with an LSTM on the "
             "same task.",
        slide="Long Short-Term Memory (LSTM)"),
    "gateProductsPanel": HelpPage(
        shows="The deck's gate g = x ⊙ y at the cursor step: for every unit, each gating product's two factors "
              "and their product (LSTM f⊙c, i⊙g, o⊙tanh c; GRU z⊙h, r⊙(W_hn h + b_hn)).",
        read="A gate value near 0 wipes its partner out, near 1 passes it through unchanged: compare the factor "
             "with the product to see what the gate let through at this step.",
        try_="Train the gating preset, then step through time (Left/Right): in the few units whose forget gate "
             "stays near 1 between the two marked symbols, f⊙c stays large there while i⊙g adds much less.",
        slide="What is a gate?"),
    "bpttPanel": HelpPage(
        shows="Each time step's term of dL/dW_hh, dL/dW_xh and dL/db (layer 1) and their running sum, in the "
              "order backpropagation through time visits the steps, ending at the total gradient.",
        read="The total gradient of a shared weight is the sum of one term per step. Terms from early steps that "
             "are tiny are the vanishing gradient: they add almost nothing to the sum.",
        try_="Press B to run the BPTT animation and watch the sum build up from the last step backwards; compare "
             "a simple RNN with an LSTM on adding with T = 100.",
        slide="Backpropagation through time"),
    "attributionPanel": HelpPage(
        shows="Which inputs made the network give this output: integrated gradients (or gradient × input) per "
              "input token, signed, with the completeness check; for attention heads, beside the weights α_i.",
        read="Positive bars pushed the output up, negative ones down; the bars add up to the output's change "
             "from the baseline input (completeness). The baseline is the task's neutral token where it declares "
             "one (parity's 0, sentiment's 'the'; a data file's with --neutral-token), else zero: the choice "
             "and the title say which. Attention weights and attributions need not agree: the rank correlation "
             "says how far they do.",
        try_="On the attention preset compare the attribution bars with α_i after training; change a polarity "
             "word and see both move.",
        slide="RNNs for classification (attention)"),
    "stateSpacePanel": HelpPage(
        shows="Every reference example's path h_1 … h_T projected on the top two principal components of the "
              "hidden states, the displayed example drawn thick with the time cursor; fixed and slow points on "
              "request (Sussillo & Barak 2013).",
        read="Paths that end in separate regions are inputs the network tells apart. Stable fixed points (filled) "
             "are where the state rests; saddles (hollow) with their unstable direction are where it decides.",
        try_="Train the parity acceptor: the state jumps between two regions at every 1 read or, as often, at "
             "every 0 (with T fixed, the parity of the 0s decides it too); find the fixed points with x* = that "
             "bit and period 2, since a state that flips at every x* returns after two steps.",
        slide="Recurrent Neural Network model"),
    "unitExplorerPanel": HelpPage(
        shows="Hidden units ranked by the size of their correlation with a quantity computed from the input "
              "(depth, parity, characters since a space …), with a tagged CSV's tags ('tag = PER') and with "
              "annotation tracks you load with Tracks… (a CSV, one row per token of the data file, a column of "
              "numbers per track, as LSTMVis reads annotations), and the text coloured by the chosen unit "
              "(Karpathy et al. 2015).",
        read="A unit near the top tracks that quantity closely; the colouring shows where in the text it turns "
             "on and off. Correlation is not a mechanism: check it on other examples, and against a shuffled "
             "copy of a track (no unit should rank highly).",
        try_="Train the character language model for a while, pick 'characters since a space' and look for a "
             "unit that resets at every word boundary.",
        slide="RNNs for language modelling"),
    "patternSearchPanel": HelpPage(
        shows="Select steps of the displayed example and a threshold: the windows of other examples whose "
              "active units match best (as in LSTMVis), in the 32 reference examples or in the whole data set "
              "(every row of your CSV; progress and Cancel).",
        read="The matches share the selected pattern of active units; if they also share a meaning (the same "
             "word ending, the same nesting depth) the units encode it.",
        try_="Select the steps of one word in the language model and search: do the matches end the same way?",
        slide="Long Short-Term Memory (LSTM)"),
    "gateSaturationPanel": HelpPage(
        shows="For every unit, the fraction of steps each gate is below 0.1 against the fraction above 0.9, over "
              "32 examples (Karpathy et al. 2015, fig. 4).",
        read="Points near the right edge are gates that are almost always open, near the top almost always "
             "closed; points near the origin act like dials. Right-edge forget gates are long-memory units.",
        try_="Compare an LSTM before and after training on copy memory: forget gates move to the right edge.",
        slide="GRUs and LSTMs"),
    "nextCharPanel": HelpPage(
        shows="P(x_{t+1} | x_1 … x_t) at the cursor as the ten most likely next characters, with the actual "
              "next character marked (for a tagger: P(y_t | x_1 … x_t) over its tags, up to ten, the target marked); "
              "after Generate text, the distribution each generated character was sampled from.",
        read="A tall bar on the marked character means the model expected it; a flat distribution means it is "
             "unsure. Bits per character is the average of −log2 of the marked bar's height.",
        try_="Move the cursor through a word: inside a word the bars get sharp, after a space they spread out.",
        slide="RNNs for language modelling"),
    "cellView": HelpPage(
        shows="One step of one cell drawn as the lecture's gating slides draw it: x_t and h_{t−1} (c_{t−1}) enter "
              "on the left, h_t (c_t) leaves on the right, every gate is a node (σ, tanh, ⊙, +, 1−) and every "
              "wire carries its vector at the cursor as a strip of unit colours, on the heatmaps' scales.",
        read="A dark gate strip (near 0) wipes out what it multiplies; a yellow one (near 1) lets it through. In "
             "dL/d(wire) (and during BPTT) white means no gradient: a saturated gate stops it. Hover a unit for its "
             "formula with the numbers plugged in; click one to mark it on every wire and in the heatmap.",
        try_="Double-click a column of the unrolled network to open its cell, press Play t to watch the pulse, "
             "then B for the gradient flowing back; Esc returns to the network.",
        slide="Gated Recurrent Unit (GRU) / Long Short-Term Memory (LSTM)"),
    "inputNlpPanel": HelpPage(
        shows="The deck's opening slides for a sentence you type: (1) its characters resampled to a fixed "
              "length K, as a picture is scaled to a fixed size (the deck's \"This is an example\" becomes "
              "\"Ti sa xml\" at K = 9); (2) the sentence drawn as a picture and scaled to a few pixels, as the "
              "deck's cat; (3) an RNN reading it one word per step, for your sentence, 4 words and 14 words.",
        read="The highlighted characters are the ones the resampling keeps. The parameter count is the running "
             "model's, read from the parameters PyTorch holds: the same for 4 and for 14 words, because every "
             "step uses the same W_xh, W_hh and b. A layer over K fixed positions would need K x E x H weights "
             "and could not take word K + 1.",
        try_="Type a longer and a shorter sentence; change K. Switch the cell or the hidden size in Controls: "
             "the count changes, but never with the length of the sentence.",
        slide="Input to NLP"),
}

GETTING_STARTED = [
    ("Pick a task and a cell", "The <b>Controls</b> on the left choose the task (what the network must learn), "
     "the cell (simple RNN, GRU, LSTM), its size and the training settings. Or take a ready-made setup from "
     "the <b>Lecture</b> menu: one per section of the lecture, each with a note on what to watch."),
    ("Train", "Press <b>Train</b> (Space). The status bar shows the step, speed, loss and metric; "
     "the <a href='panel:curvesPanel'>training curves</a> fall as the network learns. Ctrl+Right takes one step."),
    ("Scrub time", "Every panel that has a time axis follows one cursor t: move it with the slider, Left/Right "
     "or by clicking a token in the <a href='panel:sequenceStrip'>sequence strip</a>. Press P to play the forward "
     "pass and B to watch backpropagation through time."),
    ("Read the panels", "The <a href='panel:unrolledView'>unrolled network</a> in the middle, "
     "<a href='panel:hiddenHeatmap'>hidden states</a> and <a href='panel:gatesPanel'>gates</a> on the right, "
     "<a href='panel:gradientPanel'>gradients</a> and curves below. Every panel has a <b>?</b> button in its "
     "corner, and F1 opens the page of the panel you are working in."),
    ("Try your own input", "Type a sequence under the sequence strip and press Enter, or change one input in "
     "the <a href='panel:counterfactualPanel'>counterfactual</a> panel."),
    ("Present", "View > Presentation mode (F5 toggles it) scales every font and line for a projector; "
     "Ctrl+= and Ctrl+- zoom, Ctrl+0 resets."),
    ("Share", "File > Save session keeps the model and its training; File > Export all writes every figure, "
     "the data and an <b>index.html</b> page that anyone can open in a browser and scrub through time."),
]


def page_html(name: str, title: str, summary: str = "") -> str:
    """A panel's page as HTML (a heading, the four sections, links to the other pages)."""
    page = page_of(name)
    esc = html.escape
    parts = [f"<h2>{esc(title)}</h2>"]
    if page is None:
        parts.append(f"<p>{esc(summary) or 'No help page for this panel yet.'}</p>")
    else:
        for heading, text in (("What it shows", page.shows), ("How to read it", page.read),
                              ("What to try", page.try_)):
            parts.append(f"<h3>{heading}</h3><p>{esc(text)}</p>")
        parts.append(f"<p><i>Lecture slide: {esc(page.slide)}</i></p>")
    return "".join(parts)


def getting_started_html() -> str:
    steps = "".join(f"<li><p><b>{title}.</b> {text}</p></li>" for title, text in GETTING_STARTED)
    return ("<h2>Getting started with RNN Lab</h2><p>RNN Lab trains a small recurrent network on a toy task "
            "and shows, step by step, what happens inside it.</p>"
            f"<ol>{steps}</ol>")
