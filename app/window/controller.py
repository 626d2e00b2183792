"""LabController: wires the controls, transport and panels to the engine process.

Lives in the GUI thread. The engine (app.engine_link.client / engine.process.loop) sends at most one snapshot at a
time; the controller keeps only the latest, hands it to the panels on a repaint timer and then
acknowledges it (``Ack``), so a slow window never builds a backlog and never slows training.
"""
from __future__ import annotations

import math
import time

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.engine_link.link import EngineLink
from app.panels.feed import apply_snapshot, wanted_analyses
from engine.config import ModelConfig, TrainConfig
from engine.lab.config import LabConfig, check_size, config_from_dict
from engine.process import protocol as P
from engine.tasks import is_data_task, list_tasks, make_task, task_class
from widgets.parts.item_cache import cache_decorations

REPAINT_MS = 33  # ~30 Hz at most
WANTED_EVERY = 0.2  # seconds between looking up which panels are in view

MODEL_KEYS = ("cell", "hidden_size", "num_layers", "bidirectional", "merge", "embedding_dim", "init", "h0")
TRAIN_KEYS = ("optimizer", "lr", "batch_size", "clip", "max_norm", "seed")


def config_to_values(cfg: LabConfig) -> dict:
    values = {"task": cfg.task, "seq_len": cfg.task_params.get("seq_len"),
              "attention": cfg.task_params.get("attention")}  # None: the task has no attention option
    values.update({k: getattr(cfg.model, k) for k in MODEL_KEYS})
    values.update({k: getattr(cfg.train, k) for k in TRAIN_KEYS})
    return values


def values_to_config(values: dict, base_params: dict | None = None) -> LabConfig:
    """Controls' values -> a validated LabConfig (ValueError names the bad field).

    Task parameters other than the length (e.g. min_len) are kept from ``base_params``.
    """
    task_cls = task_class(values["task"])
    params = dict(base_params or {})
    data = is_data_task(values["task"])  # every data task has a length; its ranges come from the file
    if (data or any(p.name == "seq_len" for p in task_cls.params_spec)) and values.get("seq_len") is not None:
        params["seq_len"] = values["seq_len"]  # the task validates it (a whole number in its range)
    if values.get("attention") is not None and "attention" in params:  # the head (sentiment, labelled data files)
        params["attention"] = int(values["attention"])
    cfg = LabConfig(task=values["task"], task_params=params,
                    model=ModelConfig(**{k: values[k] for k in MODEL_KEYS}),
                    train=TrainConfig(**{k: values[k] for k in TRAIN_KEYS}))
    if not data:  # a data task's file is in the engine, which checks the size when it configures
        check_size(cfg, make_task(cfg.task, **cfg.task_params))
    return cfg



def seq_len_range(task_name: str):
    for p in task_class(task_name).params_spec:
        if p.name == "seq_len":
            return p.lo, p.hi
    return None


class LabController(QObject):
    status_message = Signal(str, int)  # text, timeout ms (0 = until replaced)
    snapshot_shown = Signal(object)  # emitted after the panels drew a snapshot
    state_changed = Signal(str)  # "diverged"
    engine_state = Signal(str)  # "starting", "ready", "dead"

    def __init__(self, window, config: LabConfig, open_path: str | None = None):
        super().__init__(window)
        self.window = window
        self.config = config
        self.latest = None  # newest snapshot not yet drawn
        self.shown = None  # snapshot the panels show
        self.time = 0
        self.dirty_since_save = False
        self.training = False  # what the user asked for (the engine says what it does in each snapshot)
        self._task_info_key = None
        self._wanted_at = 0.0  # when the visible panels were last looked up
        self._wanted_sent = None
        self._fed: dict = {}  # panel name -> (snapshot it shows, task key it was given)
        self._timed: dict = {}  # panel name -> the time cursor it was last given
        self._visible = set(window.panels)  # until the first tick measures it
        self.data_view: dict | None = None  # the task on the user's data file: engine.lab.session.data_task_view
        self.engine = EngineLink(self, config, open_path)
        self._view_busy, self._view_next = False, None  # timeline: one view request in flight, latest wins
        self.held = False  # an export draws its own snapshots into the panels: new ones wait
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_repaint_tick)
        self._timer.start(REPAINT_MS)
        window.panels.when_built(self._on_panel_built, last=True)

    def _on_panel_built(self, name: str, _panel) -> None:
        """A panel built late (its tab first shown, an export) draws the snapshot shown at once."""
        if self.shown is not None and not self.held:
            self.feed([name])

    # ---- panels --------------------------------------------------------------------------
    @property
    def panels(self):
        return self.window.panels

    def task_list(self):
        return [(n, make_task(n).title, make_task(n).description) for n in list_tasks()]

    # ---- talking to the engine -----------------------------------------------------------
    def request(self, kind: str, on_done=None, on_error=None, refresh: bool = True, **args) -> int:
        """Run ``LabSession.request_<kind>(**args)`` in the engine; the result (or the error message)
        comes back to ``on_done(result)`` / ``on_error(message)`` in the GUI thread. Returns the id.
        Without ``on_error`` an error is shown in the status bar."""
        def failed(message):
            (on_error or (lambda m: self.status_message.emit(f"{kind.replace('_', ' ').capitalize()} "
                                                             f"failed: {m}", 10000)))(message)
        return self.engine.client.request(kind, on_done, failed, refresh, **args)

    def call(self, kind: str, timeout: float = 60.0, **args):
        """Blocking request (saving before the window closes); raises ValueError / EngineError."""
        return self.engine.client.call(kind, timeout, **args)

    def send(self, command) -> None:
        self.engine.client.send(command)

    # ---- user actions --------------------------------------------------------------------
    def apply_values(self, values: dict) -> bool:
        """Controls changed. A new task loads its recommended preset. Returns success."""
        try:
            if values["task"] != self.config.task and is_data_task(values["task"]):
                if self.data_view is None or self.data_view["config"]["task"] != values["task"]:
                    raise ValueError("open the data file again (File > Open data)")
                cfg = config_from_dict(self.data_view["config"])  # back to the data file's task
            elif values["task"] != self.config.task:
                cfg = LabConfig.for_task(values["task"])
            else:
                cfg = values_to_config(values, self.config.task_params)
        except ValueError as exc:
            self.status_message.emit(f"Not applied: {exc}", 8000)
            self.window.controls.set_values(config_to_values(self.config))
            return False
        self.set_config(cfg)
        return True

    def set_config(self, cfg: LabConfig) -> None:
        old = self.config
        self.adopt_config(cfg)
        rebuild = (old.task, old.task_params, old.model) != (cfg.task, cfg.task_params, cfg.model) or \
            (old.train.seed, old.train.optimizer) != (cfg.train.seed, cfg.train.optimizer)
        was_training = self.training
        if rebuild:
            self.pause()

        def done(result):
            if result == "rebuilt":
                self.estimate_step_time()
                paused = " Training paused: the new model starts untrained; press Train." if was_training else ""
                self.status_message.emit("Architecture changed: rebuilt the model with fresh weights "
                                         f"(seed {cfg.train.seed}).{paused}", 8000 if paused else 5000)
            else:
                self.status_message.emit("Applied to the running training (learning rate / clipping).", 3000)

        def failed(message):
            self.status_message.emit(f"Not applied: {message}", 8000)
            self.adopt_config(old)

        self.request("configure", done, failed, config=cfg.to_dict())

    def estimate_step_time(self) -> None:
        """Time one or two training steps of the running configuration in the engine (a new model)."""
        self.request("step_seconds", self.window.show_step_estimate, lambda _m: None, refresh=False)

    def adopt_config(self, cfg: LabConfig) -> None:
        """The engine runs (or is about to run) ``cfg``: the controls follow."""
        self.config = cfg
        if is_data_task(cfg.task):  # the engine holds the file: show what it told us about the task
            view = self.data_view
            if view is not None and view["config"]["task_params"].get("data") == cfg.task_params.get("data"):
                self.window.controls.set_data_task(cfg.task, view["title"], view["description"])
                self.window.controls.set_task_details(view["description"], view["seq_len_range"])
            self.window.controls.set_values(config_to_values(cfg))
            return
        self.window.controls.set_values(config_to_values(cfg))
        self.window.controls.set_task_details(make_task(cfg.task, **cfg.task_params).description,
                                              seq_len_range(cfg.task), "min_len" in cfg.task_params)

    def set_data_view(self, view: dict) -> None:
        """The engine opened a data file (or a session on one): remember how to show its task."""
        self.data_view = view
        self.data_view["config"] = dict(view["config"])

    def train(self, on: bool) -> None:
        if on:
            self.window.timeline.stop_replay()  # training shows, and continues from, the present
            self.training = True
            self.send(P.Train(True))
            self.dirty_since_save = True
            self.status_message.emit("Training…", 2000)
        else:
            self.pause()

    def pause(self, reason: str | None = None) -> None:
        """Stop training; with ``reason`` the status bar says why (training never stops silently)."""
        if reason and self.training:
            self.status_message.emit(f"Training paused: {reason}.", 8000)
        self.training = False
        self.send(P.Train(False))
        self.window.transport.set_training(False)

    def step_once(self) -> None:
        self.dirty_since_save = True
        self.send(P.StepN(1))

    def reset(self) -> None:
        self.pause()
        self.request("reset", lambda _r: self.status_message.emit("Reset to the initial weights; history "
                                                                  "cleared.", 4000))

    def new_example(self) -> None:
        self.request("new_example")

    def use_sequence(self, text: str) -> None:
        strip = self.window.strip
        self.request("typed", lambda _r: strip.clear_input_error(), strip.show_input_error, text=text)

    def request_counterfactual(self, position: int, value) -> None:
        """Recompute the counterfactual with every snapshot until the example changes."""
        self.request("counterfactual", position=int(position), value=value)

    def view_checkpoint(self, step) -> None:
        """Show every panel at a checkpointed training step (None: the present). Pauses training;
        while the engine re-probes, newer requests replace older ones (a dragged slider)."""
        if step is not None and self.training:
            self.pause()
        if self._view_busy:
            self._view_next = ("step", step)
            return
        self._view_busy = True

        def done(_result=None):
            self._view_busy = False
            if self._view_next is not None:
                (_, nxt), self._view_next = self._view_next, None
                self.view_checkpoint(nxt)

        def failed(message):
            self.status_message.emit(message, 8000)
            done()

        self.request("view_checkpoint", on_done=done, on_error=failed, step=step)

    def request_attribution_options(self, options: dict) -> None:
        self.request("attribution_options", on_error=lambda m: self.status_message.emit(m, 8000), **options)

    def hold_display(self, on: bool) -> None:
        """While held, snapshots from the engine are kept but not drawn (an export owns the panels)."""
        self.held = on

    def refeed(self) -> None:
        """Hand the shown snapshot to every panel again (after an export drew others into them)."""
        self.held = False
        self._fed.clear()
        self.feed()
        self.set_time(self.time)

    def views_changed(self, *_args) -> None:
        """A tab or dock was shown or hidden: look up the panels in view at the next repaint tick."""
        self._wanted_at = 0.0

    def update_wanted(self) -> None:
        """Tell the engine which analyses the visible panels need."""
        visible = {name for name, p in self.panels.built().items()
                   if p.isVisible() and not p.visibleRegion().isEmpty()}
        self._visible = visible
        wanted = frozenset(wanted_analyses(visible))
        if wanted != self._wanted_sent and self.engine.client.is_ready:
            self._wanted_sent = wanted
            self.send(P.Wanted(wanted))

    def set_time(self, t: int) -> None:
        """Move the time cursor of the panels in view; the others follow when they come into view (feed)."""
        self.time = int(t)
        for name, panel in self.panels.built().items():  # (one built later gets the time when it is fed)
            if name in self._visible:
                panel.set_time(self.time)
                self._timed[name] = self.time

    def show_backward_step(self, t) -> None:
        """One frame of the BPTT animation on the unrolled view; say when clipping scaled the step."""
        for panel in self.panels.built().values():  # the unrolled view and the BPTT sum follow the frame
            if hasattr(panel, "set_backward_step"):
                panel.set_backward_step(t)
        snap = self.shown
        if t is None or snap is None or not len(snap.history.get("clipped", ())):
            return
        if snap.history["clipped"][-1] > 0.5:
            pre, post = snap.history["grad_norm"][-1], snap.history["grad_norm_clipped"][-1]
            self.status_message.emit(
                f"Backward pass at t = {t + 1}: the last training step's gradient norm {pre:.3g} exceeded "
                f"max-norm, so clipping scaled every gradient by {post / pre:.3g}.", 3000)
        else:
            self.status_message.emit(f"Backward pass at t = {t + 1}: ||dL/dh_t|| = "
                                     f"{float(snap.trace.grad_norm[..., t].max()):.3g}", 3000)

    def shutdown(self, keep_recovery: bool = False) -> bool:
        self._timer.stop()
        return self.engine.shutdown(keep_recovery)

    # ---- engine events (in the GUI thread) ------------------------------------------------
    def on_snapshot(self, snap) -> None:
        if self.latest is not None:  # superseded before it was drawn: still acknowledge it
            self.send(P.Ack(self.latest.frame))
        self.latest = snap

    @Slot()
    def _on_repaint_tick(self) -> None:
        now = time.perf_counter()
        if now - self._wanted_at > WANTED_EVERY:  # which panels are in view (a tab or dock change)
            self._wanted_at = now
            self.update_wanted()
        if self.held:
            return
        if self.latest is not None:
            snap, self.latest = self.latest, None
            self.show_snapshot(snap)
            self.send(P.Ack(snap.frame))
        elif self.shown is not None:
            self.feed(self._visible)  # a panel that just came into view catches up

    def show_snapshot(self, snap) -> None:
        self.shown = snap
        key = (snap.config["task"], tuple(sorted(snap.config["task_params"].items())))
        task_changed = key != self._task_info_key
        self._task_info_key = key
        if task_changed and snap.task_info.get("data"):  # e.g. an opened session on a data file
            info = snap.task_info
            seq = info.get("param_ranges", {}).get("seq_len")
            self.set_data_view({"config": snap.config, "title": info["title"], "description": info["description"],
                                "seq_len_range": tuple(seq) if seq else None, "data": info["data"]})
            if snap.config["task"] == self.config.task and \
                    snap.config["task_params"].get("data") == self.config.task_params.get("data"):
                self.adopt_config(self.config)
        if task_changed:
            hint = snap.task_info.get("typed_hint", "")
            self.window.strip.set_input_enabled(hint.startswith("type"), hint)
        self.window.transport.set_length(snap.trace.hidden.shape[2])
        self.time = max(0, min(self.time, snap.trace.hidden.shape[2] - 1))
        self.feed(self._visible)
        self.window.transport.set_time(self.time, emit=False)
        self.window.transport.set_training(snap.state == "training")
        self.window.timeline.set_timeline(snap.timeline)
        self.window.update_status(snap)
        self.snapshot_shown.emit(snap)

    def feed(self, names=None) -> None:
        """Hand the shown snapshot to the named panels (default: all built) that do not have it yet.

        Panels hidden in a tab or a closed dock are skipped while training (drawing them would
        only slow the window down) and catch up when they come into view or before an export.
        """
        snap = self.shown
        if snap is None:
            return
        names = self.panels.built().keys() if names is None else names
        for task_changed in (True, False):
            group = {n: self.panels[n] for n in names if self.panels.is_built(n)
                     and self._fed.get(n, (None, None))[0] is not snap
                     and (self._fed.get(n, (None, None))[1] != self._task_info_key) == task_changed}
            if group:
                apply_snapshot(group, snap, self.time, task_changed)
                for n in group:
                    self._fed[n] = (snap, self._task_info_key)
                    self._timed[n] = self.time
                    if task_changed:  # (new legend entries, titles): their decorations paint from pixmaps
                        cache_decorations(group[n])
        for n in names:  # a panel that has the snapshot but missed a move of the time cursor (out of view)
            if self.panels.is_built(n) and self._timed.get(n) != self.time:
                self.panels[n].set_time(self.time)
                self._timed[n] = self.time

    def on_diverged(self, event) -> None:
        self.training = False
        self.window.transport.set_training(False)
        loss = "not finite" if not math.isfinite(event.loss) else f"{event.loss:.3g}"
        hint = "a lower learning rate" if self.config.train.clip else "clipping on or a lower learning rate"
        self.status_message.emit(f"Diverged at step {event.step} (loss {loss}): paused at the last finite weights. "
                                 f"Try {hint}.", 0)
        self.state_changed.emit("diverged")

    def on_failed(self, event) -> None:
        self.status_message.emit(f"{(event.what or 'engine').capitalize()} failed: {event.message}", 10000)
