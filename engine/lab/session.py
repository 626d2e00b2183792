"""LabSession: the engine side of the app (no Qt): task, model, trainer and the displayed example.

The engine loop (engine.process.loop, in the engine process or an in-process thread) owns one LabSession and
is the only caller of its methods; the CLI and the tests drive it directly. ``snapshot()`` returns an
immutable ``Snapshot`` of numpy data for the panels. ``request_<kind>`` methods answer the window's
``Request(kind, args)`` commands with plain data.
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from engine.analysis.live import ANALYSES, Analyses
from engine.analysis.search import stored as stored_fp
from engine.errors import SessionError
from engine.lab.config import MAX_CELLS, LabConfig, check_size, data_task_view, typed_hint
from engine.lab.files import load_session, save_session
from engine.model_io.session_requests import ModelFolderRequests
from engine.network.model import build_model
from engine.network.probe import probe
from engine.process.protocol import Snapshot
from engine.reproductions.session_requests import ReproductionRequests
from engine.tasks import make_task
from engine.training.held_out import HeldOutSeries
from engine.training.timeline import Timeline
from engine.training.timing import SLOW_STEP_SECONDS, estimate_step_seconds
from engine.training.trainer import Trainer


class LabSession(ModelFolderRequests, ReproductionRequests):  # model folders; classic results (reproduce)
    def __init__(self, cfg: LabConfig | None = None):
        self.example_seed = 0
        self.typed_text: str | None = None
        self.state = "paused"
        self._rate = (time.perf_counter(), 0)
        self.steps_per_sec = 0.0
        self.analyses = Analyses()
        self.timeline = Timeline()
        self.held_out = HeldOutSeries()
        self.configure(cfg or LabConfig.for_task("adding"))

    # ---- configuration -----------------------------------------------------------------
    def configure(self, cfg: LabConfig) -> str:
        """Apply a configuration; returns "rebuilt" (new model) or "live" (same weights)."""
        task = make_task(cfg.task, **cfg.task_params)
        check_size(cfg, task)
        old = getattr(self, "config", None)
        rebuild = (old is None or old.task != cfg.task or old.task_params != task.params
                   or old.model != cfg.model or old.train.seed != cfg.train.seed
                   or old.train.optimizer != cfg.train.optimizer)
        cfg = replace(cfg, task_params=dict(task.params))
        if rebuild:
            self.task = task
            self.model = build_model(cfg.model, task, seed=cfg.train.seed)
            self.trainer = Trainer(self.model, task, cfg.train)
            if old is None or old.task != cfg.task or old.task_params != task.params:
                self.typed_text = None
            self._refresh_example()
            self.analyses.reset()
            self.timeline.present()
        else:
            self.trainer.set_lr(cfg.train.lr)
            self.trainer.set_clip(cfg.train.clip, cfg.train.max_norm)
            self.trainer.config = cfg.train
        self.config = cfg
        return "rebuilt" if rebuild else "live"

    def reset(self) -> None:
        self.trainer.reset()
        self.analyses.reset()
        self.timeline.present()
        self.state = "paused"

    # ---- training ----------------------------------------------------------------------
    def step(self):
        self.timeline.present()  # training continues from, and shows, the present
        stats = self.trainer.step()
        now = time.perf_counter()
        t0, n0 = self._rate
        if now - t0 >= 0.5:
            self.steps_per_sec = (self.trainer.step_count - n0) / (now - t0)
            self._rate = (now, self.trainer.step_count)
        return stats

    def mark_rate(self) -> None:
        self._rate = (time.perf_counter(), self.trainer.step_count)

    # ---- the displayed example -----------------------------------------------------------
    def new_example(self) -> None:
        self.example_seed += 1
        self.typed_text = None
        self._refresh_example()

    def set_typed(self, text: str) -> None:
        """Show a typed sequence; ValueError (naming the problem) leaves the example unchanged."""
        if not self.task.accepts_typed_input:
            raise ValueError(f"{self.task.title} reads real-valued inputs; typed sequences are not possible")
        self.example = self.task.encode_text(text)
        self.typed_text = text
        self.analyses.counterfactual_request = None

    def example_key(self):
        return (self.example_seed, self.typed_text)

    def _refresh_example(self) -> None:
        if hasattr(self, "analyses"):
            self.analyses.counterfactual_request = None
        if self.typed_text is not None:
            try:
                self.example = self.task.encode_text(self.typed_text)
                return
            except ValueError:
                self.typed_text = None
        g = torch.Generator().manual_seed(10_000 + self.example_seed)
        self.example = self.task.sample_batch(1, g)

    def shown_model(self):
        """The model the panels show: the trained one, or a copy holding the viewed checkpoint."""
        return self.timeline.model(self.trainer)

    def probe(self):
        inputs, targets = self.example
        model = self.shown_model()
        return probe(model, inputs, targets, step=self.timeline.step(self.trainer))

    def snapshot(self, message: str = "") -> Snapshot:
        last = self.trainer.last_stats
        info = self.task.info()
        info["typed_hint"] = typed_hint(self.task)
        info["vocab"] = list(self.task.vocab) if self.task.input_kind == "tokens" else None
        info["classes"] = list(self.task.classes)  # what a classification head's outputs index
        info["input_dim"] = self.task.input_dim
        info["output_kind"] = self.task.output_kind
        trace = self.probe()
        return Snapshot(
            trace=trace, analysis=self.analyses.compute(self, trace), history=self.trainer.history.arrays(),
            step=self.trainer.step_count,
            loss=float("nan") if last is None else last.loss,
            metric=float("nan") if last is None else last.metric,
            steps_per_sec=self.steps_per_sec if self.state == "training" else 0.0,
            state=self.state, config=self.config.to_dict(), task_info=info,
            example_source="typed" if self.typed_text is not None else "random", message=message,
            timeline=self.timeline.info(self.trainer), evals=self.held_out.update(self.trainer))

    # ---- files -------------------------------------------------------------------------
    def save(self, path) -> None:
        save_session(path, self.trainer, extra={"example_seed": self.example_seed,
                                                "typed_text": self.typed_text or "",
                                                "attribution_options": dict(self.analyses.attribution_options),
                                                "fixed_points": stored_fp.pack(self.analyses.hidden.fp_result),
                                                "annotation_tracks": self.analyses.hidden.packed_tracks(self.task)})

    @classmethod
    def load(cls, path) -> LabSession:
        s = load_session(path)
        self = cls.__new__(cls)
        self.state, self.steps_per_sec = "paused", 0.0
        self.analyses = Analyses()
        self.timeline = Timeline()
        self.held_out = HeldOutSeries()
        self._rate = (time.perf_counter(), s.trainer.step_count)
        self.config = LabConfig(task=s.task_name, task_params=s.task_params, model=s.model_config,
                                train=s.train_config)
        self.task, self.model, self.trainer = s.trainer.task, s.trainer.model, s.trainer
        try:
            check_size(self.config, self.task)
        except ValueError as exc:
            raise SessionError(f"{Path(path).name}: {exc}") from None
        seed = s.extra.get("example_seed", 0)
        ok = isinstance(seed, int) and not isinstance(seed, bool) and abs(seed) < 2**62  # a torch seed
        self.example_seed = seed if ok else 0
        typed = s.extra.get("typed_text", "")
        self.typed_text = typed if isinstance(typed, str) and typed else None
        self._refresh_example()
        self._restore_analyses(s.extra)
        return self

    def _restore_analyses(self, extra: dict) -> None:
        """The attribution settings, the annotation tracks and the last fixed-point search kept in the file
        (dropped if they do not fit this model or task)."""
        opts = extra.get("attribution_options")
        if isinstance(opts, dict):
            try:
                self.analyses.set_attribution_options(self, **{k: opts.get(k) for k in ("method", "baseline",
                                                                                        "position")})
            except (ValueError, TypeError):
                pass
        cfg = self.model.config
        size = cfg.num_layers * cfg.hidden_size * (2 if cfg.cell == "lstm" else 1)
        self.analyses.hidden.restore_tracks(extra.get("annotation_tracks"), self.task)
        result = stored_fp.unpack(extra.get("fixed_points"), size)
        if result is not None:
            self.analyses.hidden.fp.result = result
            self.analyses.hidden.fp.status = {"state": "done", "fraction": 1.0, "text": result["summary"]}

    # ---- requests from the window: LabSession.request_<kind>(**args) -> plain data ----------------
    def request_configure(self, config: dict) -> str:
        return self.configure(LabConfig.from_dict(config))

    def request_reset(self) -> None:
        self.reset()

    def request_new_example(self) -> None:
        self.new_example()

    def request_typed(self, text: str) -> None:
        self.set_typed(text)

    def request_counterfactual(self, position: int, value) -> None:
        """Recompute the counterfactual with every snapshot until the example changes."""
        self.analyses.counterfactual_request = (int(position), value)

    def request_fixed_points(self, x_const=None, period: int = 1, **settings) -> dict:
        """Start a fixed-point search of the model on screen (engine.analysis.search.job; settings n_starts,
        budget_s, q_tol, slow_tol, iterate_steps) and run its first slice; returns its status."""
        return self.analyses.hidden.start_fixed_points(self, x_const, period, **settings)

    def request_fixed_points_cancel(self) -> dict:
        """Stop the running fixed-point search; returns its status (state "cancelled")."""
        return self.analyses.hidden.cancel_fixed_points()

    def request_fixed_points_step(self) -> dict:
        """Run the next slice of the fixed-point search; returns its status (state "done" at the end)."""
        return self.analyses.hidden.advance_fixed_points()

    def request_pattern_search(self, t0: int, t1: int, threshold: float, layer: int = 0,
                               direction: int = 0) -> dict:
        """LSTMVis pattern search of the displayed example's steps t0..t1 in the reference batch."""
        return self.analyses.hidden.pattern(self, t0, t1, threshold, layer, direction)

    def request_annotations(self, path: str, columns: list | None = None) -> dict:
        """Read annotation tracks (a CSV, one row per token of the data file) for the unit explorer."""
        return self.analyses.hidden.load_tracks(self, path, columns)

    def request_pattern_search_all(self, t0: int, t1: int, threshold: float, layer: int = 0,
                                   direction: int = 0) -> dict:
        """Start the pattern search over the task's whole data set (engine.analysis.search.pattern_job); status."""
        return self.analyses.hidden.patterns.start(self.shown_model(), self.task, self.probe(), t0, t1, threshold,
                                                   layer, direction, self.timeline.step(self.trainer))

    def request_pattern_search_all_step(self) -> dict:
        """Run the next slice of the data-set pattern search; its status ("done" carries the result)."""
        return self.analyses.hidden.patterns.advance()

    def request_pattern_search_all_cancel(self) -> dict:
        return self.analyses.hidden.patterns.cancel()

    def request_full_snapshot(self) -> Snapshot:
        """A snapshot with every analysis computed for the current model and example (not only those of
        the visible panels): what an export draws, so that no figure shows an earlier model."""
        wanted = self.analyses.wanted
        self.analyses.wanted = set(ANALYSES)
        self.analyses.force_next()
        try:
            return self.snapshot()
        finally:
            self.analyses.wanted = wanted

    def request_step_seconds(self, config: dict | None = None) -> dict:
        """How long one training step of ``config`` (``LabConfig.to_dict()`` form; default the current
        configuration) takes here, from one or two real steps on a copy: {"seconds", "slow", "message"}.
        The session's model, optimizer and batch stream are untouched."""
        if config is None:
            model, task, train = self.model, self.task, self.config.train
        else:
            cfg = LabConfig.from_dict(config)
            task = make_task(cfg.task, **cfg.task_params)
            check_size(cfg, task)
            model, train = build_model(cfg.model, task, seed=cfg.train.seed), cfg.train
        seconds = estimate_step_seconds(model, task, train)
        slow = seconds > SLOW_STEP_SECONDS
        message = (f"one training step takes about {seconds:.1f} s here (1,000 steps: "
                   f"{seconds * 1000 / 60:.0f} min); a shorter sequence or fewer units train faster"
                   if slow else "")
        return {"seconds": seconds, "slow": slow, "message": message}

    def request_save(self, path: str) -> str:
        self.save(path)
        return str(path)

    def request_open_data(self, path: str, fold_case: bool = False, neutral: str | None = None) -> dict:
        """Read a data file here in the engine and switch to its task's preset. A bad file raises
        ValueError (one line) and changes nothing. Returns what the window shows of the new task."""
        from engine.tasks.data.data_files import open_data
        from engine.tasks.data.data_tasks import task_for

        name, params = task_for(open_data(path))
        if fold_case:
            params["fold_case"] = 1
        if neutral:
            params["neutral"] = neutral  # the task checks it is a symbol of the file
        cfg = LabConfig.for_task(name, **params)
        self.state = "paused"
        self.configure(cfg)
        return data_task_view(self.config, self.task)

    def request_data_pack(self) -> dict | None:
        """The data file of a data-file task, packed for another engine (compare mode); else None."""
        from engine.tasks.data.data_files import pack

        source = getattr(self.task, "source", None)
        return None if source is None else pack(source)

    def request_weights(self) -> dict:
        """The model's state as numpy (step count, task, every parameter): what tests compare."""
        return {"step": self.trainer.step_count, "task": self.config.task,
                "params": {k: v.detach().cpu().numpy().copy() for k, v in self.model.state_dict().items()}}

    def request_generate(self, prompt: str, length: int, temperature: float) -> tuple[str, str]:
        if not hasattr(self.task, "generate"):
            raise ValueError(f"{self.task.title} cannot generate text; choose the character language model")
        g = torch.Generator().manual_seed(self.timeline.step(self.trainer))
        return prompt, self.task.generate(self.shown_model(), prompt, int(length), float(temperature), g)

    def request_pytorch_example(self, seed: int = 0) -> dict:
        """The deck's nn.RNN(10, 20, 2) slide run with this model's weights (engine.network.pytorch_example)."""
        from engine.network.pytorch_example import pytorch_example

        return pytorch_example(self.shown_model(), int(seed))

    def request_generate_steps(self, prompt: str, length: int, temperature: float) -> dict:
        """Generated text with, per character, the distribution it was sampled from: {"prompt", "text",
        "temperature", "vocab", "learned" (N, V) softmax(logits), "sampled" (N, V) softmax(logits / T)}."""
        if not hasattr(self.task, "generate"):
            raise ValueError(f"{self.task.title} cannot generate text; choose the character language model")
        g = torch.Generator().manual_seed(self.timeline.step(self.trainer))
        record: list = []
        text = self.task.generate(self.shown_model(), prompt, int(length), float(temperature), g, record=record)
        learned, sampled = (np.stack([r[k] for r in record]).astype(np.float32) for k in (0, 1))
        read = "".join(self.task.decode_id(int(i)) for i in self.task.encode_prompt(prompt))  # as the model read it
        return {"prompt": read, "text": text, "temperature": float(temperature), "vocab": list(self.task.vocab),
                "learned": learned, "sampled": sampled}

    def request_lesson_measures(self, names) -> dict:
        """The named lesson measures (engine.lessons.measures) of the model as it is now: what a lesson
        step's reveal is filled from and its ``expect`` checked on (as by ``rnnlab --lesson --verify``)."""
        from engine.lessons.measures import measure

        return measure(self, [str(n) for n in names])

    def request_view_checkpoint(self, step: int | None = None) -> dict:
        """Show the network as it was at the checkpoint nearest ``step`` (None: the present) in the
        following snapshots, until training resumes. Returns the timeline state (Snapshot.timeline)."""
        return self.timeline.view(self.trainer, step)

    def request_timelapse_begin(self) -> dict:
        """Start a time-lapse export: {"key" (pass it with every chunk), "present", "steps"}. Chunks asked
        with this key are refused once the model changes (training goes on, a new model, reset or opened
        session), so a time-lapse is made of one model or not at all."""
        info = self.timeline.info(self.trainer)
        steps = [int(s) for s in info["steps"]]
        present = int(self.trainer.step_count)
        return {"key": self._timelapse_key(), "present": present,
                "steps": steps if steps and steps[-1] == present else steps + [present]}

    def _timelapse_key(self) -> str:
        return f"{id(self)}:{id(self.trainer.model)}:{self.analyses.hidden.generation}:{self.trainer.step_count}"

    def request_timelapse_snapshots(self, steps, key: str | None = None) -> list:
        """Snapshots of the displayed example at each of ``steps`` (at most 32; a step past the last
        checkpoint is the present), for a time-lapse export; the view shown before is kept. ``key``
        (from ``request_timelapse_begin``): ValueError if the model changed since."""
        if not isinstance(steps, (list, tuple)) or not 0 < len(steps) <= 32:
            raise ValueError("steps must be a list of 1 to 32 training steps")
        if key is not None and key != self._timelapse_key():
            raise ValueError("the model changed while the time-lapse was being made (training went on, or a new "
                             "model, a reset or an opened session): nothing was written")
        before = self.timeline.viewing
        try:
            out = []
            for step in steps:
                self.timeline.view(self.trainer, step)
                out.append(self.snapshot())
            return out
        finally:
            self.timeline.viewing = before

    def request_attribution_options(self, method: str | None = None, baseline: str | None = None,
                                    position: int | None = None) -> dict:
        """Choose what the attribution panel explains (engine.analysis.live.AttributionOptions)."""
        return self.analyses.set_attribution_options(self, method=method, baseline=baseline,
                                                     position=position)


__all__ = ["MAX_CELLS", "LabConfig", "LabSession", "Snapshot", "SessionError", "check_size", "typed_hint"]
