"""The engine side of the "inside the hidden state" panels: payloads that ride along with a snapshot
(keys ``state_space``, ``units``, ``gate_saturation`` of ``live_analyses.ANALYSES``) and the
on-demand fixed-point search and pattern search (``LabSession.request_fixed_points`` /
``request_fixed_points_step`` / ``request_pattern_search``).

All of them look at a fixed reference batch of ``REF_BATCH`` examples (drawn with ``REF_SEED``), so
the pictures change only because the model does. Its states are recomputed at most as often as
``STATE_BUDGET`` of the training thread's time allows. The fixed-point search runs in slices of
``FP_SLICE`` seconds, one per request, so training goes on between them (the window asks for the
next slice when the previous one answers).
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from engine.analysis import (
    ZERO_INPUT,
    PCATracker,
    batch_states,
    hidden_part,
    neutral_input,
    pattern_search,
    task_features,
    unit_correlations,
    unit_saturation,
)
from engine.analysis.search.job import FP_SLICE, FixedPointJob
from engine.analysis.search.pattern_job import PatternSearchJob
from engine.tasks.data.annotations import (
    pack_tracks,
    read_tracks,
    tag_features,
    track_features,
    unpack_tracks,
)

REF_BATCH, REF_SEED = 32, 4242  # the examples every hidden-state panel looks at
REF_TRIES = 8  # batches drawn (seeds REF_SEED + i) to find a long one for tasks of varying length
STATE_BUDGET = 0.05  # fraction of wall time the reference states may take while training
SHOWN_EXAMPLES = 6  # examples whose text the unit explorer colours
PCA_K = 3


class HiddenAnalyses:
    def __init__(self):
        self.generation = 0
        self.tracks: dict = {}  # annotation tracks: {name: (N,) per token of the data file}
        self.tracks_of: tuple | None = None  # (file SHA-256, file name) the tracks follow
        self.reset()

    def reset(self) -> None:
        """The model was rebuilt, reset or opened: every cached result is stale."""
        self.generation += 1
        self._ref = None
        self._ref_key = None
        self._next_ref = 0.0
        self._batch = self._positions = None
        self.trackers: dict = {}
        self._fit_step: dict = {}  # (layer, direction) -> training step of the states the axes were fitted to
        if not hasattr(self, "fp"):
            self.fp, self.patterns = FixedPointJob(), PatternSearchJob()  # patterns: over the whole data set
        self.fp.model_changed()
        self.patterns.model_changed()
        self._payloads = {}

    # ---- the reference batch ------------------------------------------------------------
    def reference(self, session) -> dict:
        """{"inputs", "targets", "states" (batch_states), "step"} of the reference batch for the model on
        screen (``session.shown_model()``: the present or a viewed checkpoint), from its own initial state.
        Rate-limited only while training shows the present."""
        model = session.shown_model()
        viewing = session.timeline.viewing
        key = (self.generation, session.timeline.step(session.trainer), id(model))
        now = time.perf_counter()
        live = session.state == "training" and viewing is None and self._ref is not None \
            and self._ref["viewing"] is None
        if self._ref is not None and (key == self._ref_key or (live and now < self._next_ref)):
            return self._ref
        if self._batch is None:
            # tasks of varying length draw one length per batch: take the longest of a few batches
            tries = [session.task.sample_batch(REF_BATCH, torch.Generator().manual_seed(REF_SEED + i))
                     for i in range(REF_TRIES)]
            best = max(range(REF_TRIES), key=lambda i: tries[i][0].shape[1])
            self._batch = tries[best]
            self._positions = reference_positions(session.task, REF_SEED + best)
        inputs, targets = self._batch
        was_training = model.training
        model.eval()
        try:
            states = batch_states(model, inputs)
        finally:
            model.train(was_training)
        self._ref = {"inputs": inputs, "targets": targets, "states": states, "step": key[1], "viewing": viewing,
                     "positions": self._positions}
        self._ref_key = key
        self._next_ref = now + (time.perf_counter() - now) / STATE_BUDGET
        return self._ref

    # ---- state space (PCA trajectories + fixed points) ---------------------------------------
    def state_space(self, session, trace) -> dict:
        ref = self.reference(session)
        hidden = ref["states"]["hidden"]  # (L, D, B, T, H)
        L, D, B, T, _ = hidden.shape
        k = min(PCA_K, hidden.shape[-1])
        proj = np.zeros((L, D, B, T, k), np.float32)
        example = np.zeros((L, D, trace.seq_len, k), np.float32)
        ratio = np.zeros((L, D, k))
        fitted_at = np.zeros((L, D), np.int64)
        pcas = {}
        for layer in range(L):
            for d in range(D):
                tracker = self.trackers.setdefault((layer, d), PCATracker(k))
                pca, refitted = tracker.update(hidden[layer, d], key=self.generation)
                if refitted:
                    self._fit_step[layer, d] = ref["step"]
                fitted_at[layer, d] = self._fit_step.get((layer, d), ref["step"])
                pcas[layer, d] = pca
                proj[layer, d] = pca.project(hidden[layer, d])
                example[layer, d] = pca.project(trace.hidden[layer, d])
                ratio[layer, d] = pca.variance_ratios(hidden[layer, d])  # of the states shown now
        task = session.task
        labels, names = _labels(task, ref["targets"])
        return {"proj": proj, "ratio": ratio, "fitted_at": fitted_at, "example": example, "labels": labels,
                "label_names": names, "x_dim": task.input_dim if task.input_kind == "real" else 0,
                "inputs": ref["inputs"].numpy(), "targets": ref["targets"].numpy(),  # for exports (trace.npz)
                "step": ref["step"], "refits": sum(t.refits for t in self.trackers.values()),
                "x_choices": x_choices(task), "x_default": neutral_input(task)[0],
                "x_default_choice": _default_choice(task), "can_search": D == 1,
                "fixed": self._projected_points(pcas, L, D), "fp_status": dict(self.fp_status)}

    def _projected_points(self, pcas, L, D):
        r = self.fp_result
        if r is None or D != 1:
            return None
        per_layer = []
        for layer in range(L):
            h = hidden_part(r, layer)  # (K, H)
            pca = pcas[layer, 0]
            parts = 2 if r["parts"] == "h,c" else 1
            base = layer * r["hidden_size"] * parts
            direction = r["unstable_dir"][:, base:base + r["hidden_size"]]  # the h part of the top eigenvector
            at = pca.project(h)
            step = 0.15 * np.sqrt(pca.explained_variance.sum()) if len(at) else 0.0
            per_layer.append({"points": at.astype(np.float32),
                              "arrow": (pca.project(h + step * _unit(direction)) - at).astype(np.float32)})
        return {"layers": per_layer, "q": r["q"], "fixed": r["fixed"], "stable": r["stable"],
                "top_abs": r["top_abs"], "top_eig": r["eigenvalues"][:, 0] if len(r["q"]) else np.zeros(0, complex),
                "n_unstable": (np.abs(r["eigenvalues"]) > 1).sum(1), "summary": r["summary"],
                "x_label": r["x_label"], "step": r["step"], "period": r["period"], "best_q": r["best_q"],
                "slow_tol": r["slow_tol"], "q_tol": r["q_tol"], "eig_method": r["eig_method"],
                "settings": r["settings"], "vectors": r["points"], "eigenvalues": r["eigenvalues"],
                "parts": r["parts"], "hidden_size": r["hidden_size"], "num_layers": r["num_layers"]}

    # ---- fixed points on demand (engine.analysis.search.job) -------------------------------
    @property
    def fp_result(self):
        return self.fp.result

    @property
    def fp_status(self) -> dict:
        return self.fp.status

    def start_fixed_points(self, session, x_const=None, period: int = 1, **settings) -> dict:
        """Search the model on screen (a viewed checkpoint, or the present) with these settings."""
        step = session.timeline.step(session.trainer)
        return self.fp.start(session.shown_model(), session.task, step, x_const, period, **settings)

    def advance_fixed_points(self, slice_s: float = FP_SLICE) -> dict:
        """Run the search for about ``slice_s`` seconds; returns its status (state running/done/idle/...)."""
        return self.fp.advance(slice_s)

    def cancel_fixed_points(self) -> dict:
        return self.fp.cancel()

    def _cached(self, name, ref, compute):
        """Payloads that depend only on the reference states are recomputed only when those change."""
        cache = self.__dict__.setdefault("_payloads", {})
        key = (self.generation, id(ref))
        if name not in cache or cache[name][0] != key:
            cache[name] = (key, compute())
        return cache[name][1]

    # ---- units ----------------------------------------------------------------------------
    def units(self, session, trace) -> dict:
        ref = self.reference(session)
        tracks = self.tracks_for(session.task)
        return self._cached("units", ref, lambda: self._units(session, ref, tracks))

    def load_tracks(self, session, path: str, columns=None) -> dict:
        """Read annotation tracks for the data file on screen (ValueError, one line: the old ones stay)."""
        tracks = read_tracks(path, session.task, columns)
        self.tracks, self.tracks_of = tracks, (session.task.source.sha256, Path(path).name)
        self._payloads.pop("units", None)
        return {"file": Path(path).name, "tracks": list(tracks), "tokens": len(next(iter(tracks.values())))}

    def packed_tracks(self, task):
        """The tracks for a session file (engine.tasks.data.annotations.pack_tracks), or None."""
        return pack_tracks(self.tracks_for(task), self.tracks_of)

    def restore_tracks(self, entry, task) -> None:
        restored = unpack_tracks(entry, task)
        if restored is not None:
            self.tracks, self.tracks_of = restored
            self._payloads.pop("units", None)

    def tracks_for(self, task) -> dict:
        """The loaded tracks if they follow ``task``'s data file, else {}."""
        source = getattr(task, "source", None)
        return self.tracks if source is not None and self.tracks_of and self.tracks_of[0] == source.sha256 else {}

    def _units(self, session, ref, tracks) -> dict:
        task = session.task
        feats = task_features(task, ref["inputs"])
        feats.update(tag_features(task, ref["targets"]))
        if tracks and ref["positions"] is not None:
            feats.update(track_features(tracks, ref["positions"]))
        kinds = {"h": ref["states"]["hidden"]}
        if ref["states"]["cell"] is not None:
            kinds["c"] = ref["states"]["cell"]
        L, D = kinds["h"].shape[:2]
        names = list(feats)
        corr = np.zeros((len(names), len(kinds), L, D, kinds["h"].shape[-1]), np.float32)
        for i, name in enumerate(names):
            for j, values in enumerate(kinds.values()):
                for layer in range(L):
                    for d in range(D):
                        corr[i, j, layer, d] = unit_correlations(values[layer, d], feats[name])
        n = min(SHOWN_EXAMPLES, len(ref["inputs"]))
        texts = [task.render_inputs(ref["inputs"][b]) for b in range(n)]
        return {"features": names, "kinds": list(kinds), "corr": corr,
                "values": np.stack([v[:, :, :n] for v in kinds.values()]).astype(np.float32),  # (K, L, D, n, T, H)
                "feature_values": np.stack([feats[f][:n] for f in names]).astype(np.float32),  # (F, n, T)
                "texts": texts, "step": ref["step"], "can_load_tracks": hasattr(task, "source"),
                "ranked_over": int(len(ref["inputs"])),  # corr's examples; values hold the first n of them
                "tracks_file": self.tracks_of[1] if tracks else None}

    def gate_saturation(self, session, trace):
        ref = self.reference(session)
        if not ref["states"]["gates"]:
            return None
        return self._cached("gate_saturation", ref,
                            lambda: {"gates": unit_saturation(ref["states"]["gates"]), "step": ref["step"]})

    # ---- pattern search --------------------------------------------------------------------
    def pattern(self, session, t0: int, t1: int, threshold: float, layer: int = 0, direction: int = 0,
                top: int = 10) -> dict:
        """Match the displayed example's steps t0..t1 against the reference batch (LSTMVis)."""
        trace = session.probe()
        hidden = self.reference(session)["states"]["hidden"]
        L, D = hidden.shape[:2]
        if not (0 <= int(layer) < L and 0 <= int(direction) < D):
            raise ValueError(f"choose a layer from 1 to {L}" + (" and a direction" if D > 1 else ""))
        if not -1.0 <= float(threshold) <= 1.0:
            raise ValueError(f"the threshold must be from -1 to 1; got {threshold}")
        seqs = [trace.hidden[layer, direction]] + list(hidden[layer, direction])
        res = pattern_search(seqs, 0, int(t0), int(t1), float(threshold), top)
        inputs = self._batch[0]
        texts = [list(trace.tokens)] + [session.task.render_inputs(inputs[b]) for b in range(len(inputs))]
        matches = []
        for b, start, score in res["matches"].tolist():
            toks = texts[b]
            matches.append({"example": b, "start": start, "score": score,
                            "before": toks[max(0, start - 8):start], "window": toks[start:start + res["length"]],
                            "after": toks[start + res["length"]:start + res["length"] + 8]})
        return {"units": res["units"], "length": res["length"], "query": texts[0][t0:t1 + 1],
                "t0": int(t0), "t1": int(t1), "threshold": float(threshold), "matches": matches,
                "layer": int(layer), "direction": int(direction)}


def reference_positions(task, seed: int):
    """Where in a data file the reference batch drawn with ``seed`` comes from (B, T); None for built-in tasks."""
    if not hasattr(task, "sample_positions"):
        return None
    return task.sample_positions(REF_BATCH, torch.Generator().manual_seed(seed))


def x_choices(task) -> list[str]:
    """What the window offers as x*: the tokens and the zero input (real tasks: the zero input)."""
    zero = neutral_input(task, ZERO_INPUT)[0]
    if task.input_kind == "real":
        return [zero]
    return list(task.vocab) + [zero] if len(task.vocab) <= 60 else [zero]


def _default_choice(task) -> str:
    label, value = neutral_input(task)
    if task.input_kind == "real" or value is None:
        return neutral_input(task, ZERO_INPUT)[0]
    return task.vocab[value]


def _labels(task, targets):
    """Colouring of the reference examples: class index (acceptors), value (regression), or None."""
    if task.output_kind in ("final", "attention"):
        return targets.numpy().astype(np.float32), list(task.classes)
    if task.output_kind == "regression":
        return targets.numpy().astype(np.float32), None
    return None, None


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.where(n > 0, v / np.where(n > 0, n, 1), 0.0)
