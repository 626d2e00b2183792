"""ControlsPanel: task, architecture and training settings, explained in the lecture's terms.

Knows no engine: the controller fills the task list and the sequence-length range, reads
``values()`` and writes ``set_values()``. Every edit emits ``changed(values)``; spin boxes emit
on Enter, focus-out or arrow keys (keyboard tracking off), so typing "128" rebuilds once.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

CELL_ITEMS = (("rnn_tanh", "Simple RNN (tanh)"), ("rnn_relu", "Simple RNN (ReLU)"), ("gru", "GRU"),
              ("lstm", "LSTM"))
# short enough for the controls column at 1280x720 (the tooltips say the rest)
MERGE_ITEMS = (("sum", "sum h→ + h← (lecture)"), ("concat", "concat [h→; h←] (PyTorch)"))
INIT_ITEMS = (("default", "PyTorch default"), ("orthogonal", "orthogonal W_hh"),
              ("identity", "identity W_hh (IRNN)"))
OPT_ITEMS = (("adam", "Adam"), ("sgd", "SGD"))
DATA_ROLE = 257  # Qt.UserRole + 1: marks the task combo's entry for the user's data file
H0_ITEMS = (("zero", "zero h_0 = 0 (lecture)"), ("random", "random (seeded randn)"),
            ("learned", "learned (trained)"))

# app.lab_session.MAX_CELLS, stated where the user meets it (tests check the two agree)
SIZE_CAP = (" Batch size x length T x hidden H x directions x layers must stay within 2,000,000; "
            "a larger change is refused and the controls go back.")

TIPS = {
    "task": "The toy problem the network learns. Each illustrates one slide of the lecture.",
    "cell": "The recurrence f in h_t = f(h_{t-1}, x_t). Simple RNN: h_t = g(W_hh h_{t-1} + W_xh x_t + b_h). "
            "GRU adds reset and update gates; LSTM adds input, forget and output gates and a memory c_t.",
    "layers": "Stacked recurrent layers (1-4): layer l reads the states of layer l-1 as its inputs."
              + SIZE_CAP,
    "hidden": "Units in h_t per direction (1-512). Larger states remember more but train slower." + SIZE_CAP,
    "embedding": "Size of the embedded input x_t (1-512): tokens go through an embedding, "
                 "real values through a linear layer.",
    "bidir": "Bidirectional RNN: a second RNN reads the sequence right to left (h←_i depends on "
             "x_i..x_n), so each position sees the future as well as the past.",
    "merge": "How the two directions combine. The lecture sums them: h_i = h→_i + h←_i (size H). "
             "PyTorch concatenates: [h→_i; h←_i] (size 2H).",
    "init": "Initial recurrent weights W_hh. Identity (IRNN, Le et al. 2015) and orthogonal keep "
            "eigenvalues on the unit circle, so gradients neither vanish nor explode at first.",
    "h0": "The initial state h_0 (and the LSTM's c_0) every layer and direction starts from. The lecture: "
          "h_0 = 0. PyTorch's nn.RNN takes an h0 argument (the deck's last slide passes torch.randn(2, 3, "
          "20)); random draws one from the seed, learned trains it with the other weights.",
    "clip": "Gradient clipping (exploding gradients slide): if the global gradient norm exceeds the "
            "threshold, all gradients are scaled down to it. Applies live.",
    "max_norm": "Clipping threshold for the global gradient norm (0.01-1,000,000). Applies live.",
    "optimizer": "Adam adapts a step size per weight; SGD takes plain gradient steps.",
    "lr": "Learning rate (0.00001-10). Applies live. Too large a rate makes training diverge.",
    "batch": "Sequences per training step (1-1024)." + SIZE_CAP,
    "seq_len": "Sequence length T (the task's range). Longer sequences make gradients travel further "
               "back through time." + SIZE_CAP,
    "attention": "An attention head: a softmax weight alpha_i per position (alpha_i = softmax(w_alpha^T h_i)) and "
                 "the label from y = f(sum_i alpha_i h_i), instead of from the final state h_n. The Attention "
                 "panel shows the weights; the Attribution panel sets them beside the attributions. Rebuilds "
                 "the model.",
    "seed": "Seeds the initial weights and the batch stream (0-2147483647): the same seed replays "
            "the same run.",
}


def _combo(name: str, items, tip: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    # long item texts (task titles) must not force the controls wider than their dock
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(12)
    for key, label in items:
        box.addItem(label, key)
    box.setToolTip(tip)
    return box


def _spin(name: str, lo: int, hi: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(lo, hi)
    box.setKeyboardTracking(False)
    box.setToolTip(tip)
    return box


def _dspin(name: str, lo: float, hi: float, decimals: int, step: float, tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setObjectName(name)
    box.setDecimals(decimals)
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setKeyboardTracking(False)
    box.setToolTip(tip)
    return box


class ControlsPanel(QWidget):
    changed = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("controlsPanel")
        self._updating = False
        self.task_combo = _combo("taskCombo", (), TIPS["task"])
        self.task_description = QLabel()
        self.task_description.setObjectName("taskDescription")
        self.task_description.setWordWrap(True)
        self.seq_len_spin = _spin("seqLenSpin", 2, 1000, TIPS["seq_len"])
        self.attention_check = QCheckBox("attention head")
        self.attention_check.setObjectName("attentionCheck")
        self.attention_check.setToolTip(TIPS["attention"])
        self.attention_check.setVisible(False)  # shown for tasks that offer the head (set_values)
        self.cell_combo = _combo("cellTypeCombo", CELL_ITEMS, TIPS["cell"])
        self.layers_spin = _spin("layersSpin", 1, 4, TIPS["layers"])
        self.hidden_spin = _spin("hiddenSizeSpin", 1, 512, TIPS["hidden"])
        self.embedding_spin = _spin("embeddingSpin", 1, 512, TIPS["embedding"])
        self.bidir_check = QCheckBox("bidirectional")
        self.bidir_check.setObjectName("bidirectionalCheck")
        self.bidir_check.setToolTip(TIPS["bidir"])
        self.merge_combo = _combo("mergeCombo", MERGE_ITEMS, TIPS["merge"])
        self.init_combo = _combo("initCombo", INIT_ITEMS, TIPS["init"])
        self.h0_combo = _combo("h0Combo", H0_ITEMS, TIPS["h0"])
        self.clip_check = QCheckBox("clip gradients")
        self.clip_check.setObjectName("clipCheck")
        self.clip_check.setToolTip(TIPS["clip"])
        self.clip_spin = _dspin("clipNormSpin", 0.01, 1e6, 2, 0.5, TIPS["max_norm"])
        self.optimizer_combo = _combo("optimizerCombo", OPT_ITEMS, TIPS["optimizer"])
        self.lr_spin = _dspin("lrSpin", 1e-5, 10.0, 5, 1e-3, TIPS["lr"])
        self.batch_spin = _spin("batchSizeSpin", 1, 1024, TIPS["batch"])
        self.seed_spin = _spin("seedSpin", 0, 2**31 - 1, TIPS["seed"])

        task_box = QGroupBox("Task")
        # the wrapped description in a box layout: in a QFormLayout it kept its old row height after a new
        # text, and a longer one ran off at 84 of 168 px
        column = QVBoxLayout(task_box)
        column.addWidget(self.task_combo)
        column.addWidget(self.task_description)
        f = QFormLayout()
        f.setContentsMargins(0, 0, 0, 0)
        column.addLayout(f)
        self.seq_len_label = QLabel("length T")
        f.addRow(self.seq_len_label, self.seq_len_spin)
        f.addRow(self.attention_check)
        model_box = QGroupBox("Network")
        f = QFormLayout(model_box)
        f.addRow("cell", self.cell_combo)
        f.addRow("layers", self.layers_spin)
        f.addRow("hidden H", self.hidden_spin)
        f.addRow("embedding E", self.embedding_spin)
        f.addRow(self.bidir_check)
        f.addRow("merge", self.merge_combo)
        f.addRow("init", self.init_combo)
        f.addRow("initial h_0", self.h0_combo)
        train_box = QGroupBox("Training")
        f = QFormLayout(train_box)
        f.addRow(self.clip_check, self.clip_spin)
        f.addRow("optimizer", self.optimizer_combo)
        f.addRow("learning rate", self.lr_spin)
        f.addRow("batch size", self.batch_spin)
        f.addRow("seed", self.seed_spin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for box in (task_box, model_box, train_box):
            layout.addWidget(box)
        layout.addStretch(1)

        for combo in (self.task_combo, self.cell_combo, self.merge_combo, self.init_combo, self.h0_combo,
                      self.optimizer_combo):
            combo.currentIndexChanged.connect(self._on_value_changed)
        for spin in (self.seq_len_spin, self.layers_spin, self.hidden_spin, self.embedding_spin,
                     self.clip_spin, self.lr_spin, self.batch_spin, self.seed_spin):
            spin.valueChanged.connect(self._on_value_changed)
        for check in (self.bidir_check, self.clip_check, self.attention_check):
            check.toggled.connect(self._on_value_changed)

    # ---- filled by the controller ------------------------------------------------------
    def set_tasks(self, tasks) -> None:
        """tasks: [(name, title, description)]."""
        self._updating = True
        self.task_combo.clear()
        for name, title, description in tasks:
            self.task_combo.addItem(title, name)
            self.task_combo.setItemData(self.task_combo.count() - 1, description, 3)  # ToolTipRole
        self._updating = False

    def set_data_task(self, name: str, title: str, description: str) -> None:
        """The entry of the task on the user's data file, after the built-in tasks (one at a time)."""
        self._updating = True
        try:
            combo = self.task_combo
            for i in reversed(range(combo.count())):
                if combo.itemData(i, DATA_ROLE):
                    combo.removeItem(i)
            if combo.count() and combo.itemData(combo.count() - 1) is not None:
                combo.insertSeparator(combo.count())
            combo.addItem(title, name)
            combo.setItemData(combo.count() - 1, description, 3)  # ToolTipRole
            combo.setItemData(combo.count() - 1, True, DATA_ROLE)
        finally:
            self._updating = False

    def set_task_details(self, description: str, seq_len_range: tuple[int, int] | None,
                         variable_length: bool = False) -> None:
        """variable_length: examples are shorter than T (drawn between a minimum and T)."""
        self.task_description.setText(description)
        self.seq_len_label.setText("max length T" if variable_length else "length T")
        self.seq_len_spin.setEnabled(seq_len_range is not None)
        if seq_len_range is not None:
            self._updating = True
            value = self.seq_len_spin.value()
            self.seq_len_spin.setRange(*seq_len_range)
            self.seq_len_spin.setValue(value)
            self.seq_len_spin.setToolTip(f"{TIPS['seq_len']} This task: {seq_len_range[0]}-{seq_len_range[1]}.")
            self._updating = False

    def values(self) -> dict:
        return {
            "task": self.task_combo.currentData(), "seq_len": self.seq_len_spin.value(),
            "cell": self.cell_combo.currentData(), "num_layers": self.layers_spin.value(),
            "hidden_size": self.hidden_spin.value(), "embedding_dim": self.embedding_spin.value(),
            "bidirectional": self.bidir_check.isChecked(), "merge": self.merge_combo.currentData(),
            "init": self.init_combo.currentData(), "h0": self.h0_combo.currentData(),
            "clip": self.clip_check.isChecked(),
            "max_norm": self.clip_spin.value(), "optimizer": self.optimizer_combo.currentData(),
            "lr": self.lr_spin.value(), "batch_size": self.batch_spin.value(), "seed": self.seed_spin.value(),
            # None: the task has no attention option (the sentiment task and labelled data files have one)
            "attention": int(self.attention_check.isChecked()) if not self.attention_check.isHidden() else None,
        }

    def set_values(self, values: dict) -> None:
        """Show values without emitting ``changed``."""
        self._updating = True
        try:
            combos = {"task": self.task_combo, "cell": self.cell_combo, "merge": self.merge_combo,
                      "init": self.init_combo, "h0": self.h0_combo, "optimizer": self.optimizer_combo}
            spins = {"seq_len": self.seq_len_spin, "num_layers": self.layers_spin,
                     "hidden_size": self.hidden_spin, "embedding_dim": self.embedding_spin,
                     "max_norm": self.clip_spin, "lr": self.lr_spin, "batch_size": self.batch_spin,
                     "seed": self.seed_spin}
            for key, combo in combos.items():
                if key in values:
                    i = combo.findData(values[key])
                    if i >= 0:
                        combo.setCurrentIndex(i)
            for key, spin in spins.items():
                if key in values and values[key] is not None:
                    # the running value always shows: widen the range first (the previous task's range
                    # would clamp it; the new task's range is set by set_task_details right after)
                    spin.setRange(min(spin.minimum(), values[key]), max(spin.maximum(), values[key]))
                    spin.setValue(values[key])
            if "bidirectional" in values:
                self.bidir_check.setChecked(bool(values["bidirectional"]))
            if "clip" in values:
                self.clip_check.setChecked(bool(values["clip"]))
            if "attention" in values:
                self.attention_check.setVisible(values["attention"] is not None)
                self.attention_check.setChecked(bool(values["attention"]))
            self._sync_enabled()
        finally:
            self._updating = False

    def _sync_enabled(self) -> None:
        self.merge_combo.setEnabled(self.bidir_check.isChecked())
        self.clip_spin.setEnabled(self.clip_check.isChecked())

    def _on_value_changed(self, *_):
        self._sync_enabled()
        if not self._updating:
            self.changed.emit(self.values())
