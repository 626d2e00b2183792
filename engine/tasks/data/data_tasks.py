"""Tasks on a file the user brings: a character LM on text, an acceptor, a tagger.

A data task's parameters hold the file's SHA-256 (``data``) and small integers, so a
configuration stays a plain dict; the file itself is looked up in ``data_files.REGISTRY`` (a
session file embeds it and registers it again on loading). torch is imported when a
method first uses it (``engine.util.lazy``), so the classes load without torch; a data task is only
ever built in the engine's process, where the file was read.
"""
from __future__ import annotations

import numpy as np

from engine.tasks.base import Param, Preset, Task
from engine.tasks.charlm import CharLMTask
from engine.tasks.common import VariableLength
from engine.tasks.data.data_files import REGISTRY
from engine.tasks.data.data_model import DISPLAY, HELDOUT, KIND_TITLES, UNKNOWN_CHAR, DataFile
from engine.util.lazy import torch

MAX_EVAL_ROWS = 5_000  # heldout_metric scores at most this many validation rows
FOLD = Param("fold_case", 0, 0, 1, "1: read upper and lower case as the same symbol")
ATTENTION = Param("attention", 0, 0, 1, "1: an attention head (a softmax weight alpha_i per position, the label "
                  "from sum_i alpha_i h_i); 0: the label from the final state (an acceptor)")


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 10_000 else f"{n / 1024:.0f} KB" if n < 10 * 2**20 else f"{n / 2**20:.1f} MB"


class DataTask(Task):
    """Shared part: find the file by SHA-256, file-dependent parameter ranges, info for the UI."""

    kind = ""  # the DataFile kind this task reads

    def __init__(self, data: str = "", neutral: str = "", **params):
        source = REGISTRY.get(data)
        if source.kind != self.kind:
            raise ValueError(f"{source.name} holds {KIND_TITLES[source.kind]}, not "
                             f"{KIND_TITLES[self.kind]}")
        self.source: DataFile = source
        self.params_spec = self.file_params(source)  # ranges depend on the file
        super().__init__(**params)
        self.params = {"data": source.sha256, **self.params}
        self.__dict__["_set_up"] = True
        self.setup()  # now: vocab, classes, title and description come from the file
        if neutral:  # the user's declaration (--neutral-token): the attribution baseline and x* by default
            if not isinstance(neutral, str) or neutral not in self.vocab:
                shown = " ".join(self.vocab) if len(self.vocab) <= 30 else f"{len(self.vocab)} symbols"
                raise ValueError(f"the neutral token {neutral!r} is not a symbol of {source.name} ({shown})")
            self.params["neutral"] = neutral
            self.neutral_token, self.neutral_note = neutral, f"declared for {source.name}"

    def file_params(self, source: DataFile) -> tuple[Param, ...]:
        raise NotImplementedError

    def vocab_note(self) -> str:
        v = self.vocabulary
        unk = (f"; {v.distinct - (len(v.labels) - 1)} rarer ones ({v.unknown_count:,} occurrences) "
               f"are shown as {v.labels[-1]}") if v.has_unknown else ""
        sym = "tokens" if self.source.token_mode else "characters"
        return f"{len(self.vocab)} input symbols ({v.distinct} different {sym} in the file{unk})"

    def file_line(self) -> str:
        return (f"File {self.source.name}, {_size(self.source.size)}, SHA-256 "
                f"{self.source.sha256[:16]}...")

    def info(self) -> dict:
        out = super().info()
        out["data"] = self.data_info()
        out["param_ranges"] = {p.name: [p.lo, p.hi] for p in self.params_spec}
        out["can_generate"] = hasattr(self, "generate")
        out["classes"] = list(self.classes)
        return out

    def data_info(self) -> dict:
        out = self.source.summary()
        out.update(vocab_size=len(self.vocab), unknown_symbol=self.vocabulary.has_unknown,
                   unknown_count=self.vocabulary.unknown_count)
        return out


class TextFileTask(DataTask, CharLMTask):
    name = "text_file"
    kind = "text"
    title = "Character language model on your text"
    lecture_slide = "RNNs for language modelling"
    baseline_note = ("Predicting every character with its frequency in the training text (a "
                     "unigram model) costs the unigram entropy H = -sum p(c) log2 p(c).")
    preset = Preset(cell="lstm", hidden_size=64, embedding_dim=32, lr=3e-3, batch_size=32,
                    steps=800, extra={"max_norm": 5.0})
    max_typed_length = 500

    def file_params(self, source):
        n_train = source.text_chars - max(2, int(source.text_chars * HELDOUT))
        hi = max(2, min(1000, n_train - 1))
        return (Param("seq_len", min(64, hi), 2, hi, "characters per training window"), FOLD)

    def setup(self):
        enc = self.source.encoded(bool(self.params["fold_case"]))
        self.vocabulary, ids = enc.vocab, enc.ids
        self.vocab = self.classes = self.vocabulary.labels
        n_val = max(2, int(len(ids) * HELDOUT))
        split = len(ids) - n_val  # validation: the end of the file
        self.data = torch.from_numpy(ids[:split])  # (N,) uint8, shares the array
        self.heldout = torch.from_numpy(ids[split:])
        counts = np.zeros(len(self.vocab))
        for s in range(0, split, 1 << 18):  # in slices: bincount widens to int64
            counts += np.bincount(ids[s:min(split, s + (1 << 18))], minlength=len(self.vocab))
        self.unigram = counts / counts.sum()  # (V,)
        p = self.unigram[self.unigram > 0]
        self._baseline = float(-(p * np.log2(p)).sum())
        self._index = {s: i for i, s in enumerate(self.vocabulary.symbols) if s}
        self.title = f"Character LM on {self.source.name}"
        self.description = (
            f"Predict the next character of {self.source.name}, one step at a time, from everything "
            f"read so far. {self.file_line()}; {self.source.text_chars:,} characters "
            f"({len(self.data):,} for training, the last {len(self.heldout):,} held out for "
            f"validation); {self.vocab_note()}"
            f"{'; upper and lower case folded' if self.params['fold_case'] else ''}. The score is "
            f"bits per character; knowing only how common each character is costs "
            f"{self._baseline:.2f} bits. Generate text from a prompt to hear what it has learned.")

    @property
    def baseline(self) -> float:
        return self._baseline

    @property
    def pass_threshold(self) -> float:
        return round(0.6 * self._baseline, 3)  # 60% of the unigram entropy

    def sample_positions(self, batch_size, generator) -> np.ndarray:
        """Where in the file (B, T) the inputs of ``sample_batch`` with this generator come from."""
        T = self.params["seq_len"]
        start = torch.randint(0, len(self.data) - T, (batch_size,), generator=generator)
        return start.numpy()[:, None] + np.arange(T)

    def sample_batch(self, batch_size, generator):
        pos = torch.from_numpy(self.sample_positions(batch_size, generator))
        windows = self.data[torch.cat([pos, pos[:, -1:] + 1], 1)].long()  # (B, T + 1)
        return windows[:, :-1], windows[:, 1:]

    # ---- typed input, prompts and generated text ------------------------------------------
    def _ids(self, text: str) -> list[int]:
        if self.params["fold_case"]:
            text = text.lower()
        text = text.replace("\r\n", "\n")
        unk = len(self.vocab) - 1 if self.vocabulary.has_unknown else None
        out = []
        for c in text:
            i = self._index.get(c, unk)
            if i is None:
                raise ValueError(f"the character {c!r} is not in {self.source.name}")
            out.append(i)
        return out

    def split_text(self, text):
        return [self.vocab[i] for i in self._ids(text)]

    def encode_prompt(self, prompt: str):
        return torch.tensor(self._ids(prompt), dtype=torch.long)

    def decode_id(self, i: int) -> str:
        return self.vocabulary.symbols[i] or UNKNOWN_CHAR

    def data_info(self) -> dict:
        out = super().data_info()
        out.update(train_characters=len(self.data), validation_characters=len(self.heldout))
        return out

    def render_inputs(self, inputs):
        return Task.render_inputs(self, inputs)

    def render_targets(self, targets):
        return Task.render_targets(self, targets)


class RowsTask(VariableLength, DataTask):
    """A CSV of sequences: rows split into training and validation (seeded), one length per batch."""

    def file_params(self, source):
        lengths = np.diff(source.encoded(False).offsets)
        lo, hi = int(lengths.min()), int(lengths.max())
        unit = "tokens" if source.token_mode else "characters"
        return (Param("seq_len", hi, lo, hi, f"longest sequence in {unit} used for training"),
                Param("min_len", lo, lo, hi, f"shortest sequence in {unit} used for training"),
                FOLD, Param("split_seed", 0, 0, 9999, "seed of the training/validation split"))

    def setup(self):
        self.check_lengths()
        src = self.source
        enc = src.encoded(bool(self.params["fold_case"]))
        self.vocabulary, self.ids, self.offsets, self.targets = enc.vocab, enc.ids, enc.offsets, enc.targets
        self.vocab = self.vocabulary.labels
        self.classes = src.class_names
        self.lengths = np.diff(self.offsets).astype(np.int32)  # (rows,)
        n = len(self.lengths)
        perm = np.random.default_rng(self.params["split_seed"]).permutation(n).astype(np.int32)
        n_val = max(1, round(n * HELDOUT))
        self.val_rows, self.train_rows = np.sort(perm[:n_val]), np.sort(perm[n_val:])
        lo, hi = self.params["min_len"], self.params["seq_len"]
        rows = self.train_rows[(self.lengths[self.train_rows] >= lo) & (self.lengths[self.train_rows] <= hi)]
        if len(rows) == 0:
            raise ValueError(f"no training row of {src.name} has a length from {lo} to {hi}")
        order = np.argsort(self.lengths[rows], kind="stable")
        self._rows = rows[order]  # eligible training rows, shortest first
        self._row_len = self.lengths[self._rows]
        self._baseline = self.constant_baseline(self._rows)
        self._lookup = None
        sym = "tokens" if src.token_mode else "characters"
        self.description = (
            f"{self.what_it_does()} {self.file_line()}; {n:,} rows ({len(self.train_rows):,} for "
            f"training, {len(self.val_rows):,} held out for validation, split with seed "
            f"{self.params['split_seed']}); sequences of {self.lengths.min()}-{self.lengths.max()} {sym} "
            f"(training uses {lo}-{hi}); {self.vocab_note()}; {len(self.classes)} "
            f"{self.class_word}: {', '.join(self.classes[:20])}{' ...' if len(self.classes) > 20 else ''}"
            f"{'; upper and lower case folded' if self.params['fold_case'] else ''}. Each batch "
            f"holds sequences of one length, as in the built-in tasks.")

    class_word = "classes"

    def data_info(self) -> dict:
        out = super().data_info()
        out.update(train_rows=len(self.train_rows), validation_rows=len(self.val_rows),
                   shortest=int(self.lengths.min()), longest=int(self.lengths.max()))
        return out

    def what_it_does(self) -> str:
        raise NotImplementedError

    def constant_baseline(self, rows) -> float:
        raise NotImplementedError

    @property
    def baseline(self) -> float:
        return self._baseline

    @property
    def pass_threshold(self) -> float:
        return round(self._baseline + 0.5 * (1 - self._baseline), 4)  # halfway to perfect

    def batch_rows(self, batch_size, generator):
        """One row drawn uniformly, then the batch from the rows of its length: (rows, T)."""
        first = int(torch.randint(0, len(self._rows), (1,), generator=generator))
        T = int(self._row_len[first])
        a, b = np.searchsorted(self._row_len, [T, T + 1])
        pick = torch.randint(int(a), int(b), (batch_size,), generator=generator).numpy()
        return self._rows[pick], T

    def gather(self, rows, T: int):
        """Flat positions (B, T) of the rows' symbols."""
        return self.offsets[rows][:, None] + np.arange(T)

    def sample_positions(self, batch_size, generator) -> np.ndarray:
        """Where in the file (B, T) the inputs of ``sample_batch`` with this generator come from."""
        return self.gather(*self.batch_rows(batch_size, generator))

    def sample_batch(self, batch_size, generator):
        rows, T = self.batch_rows(batch_size, generator)
        idx = self.gather(rows, T)
        return torch.from_numpy(self.ids[idx].astype(np.int64)), self.row_targets(rows, idx)

    def row_targets(self, rows, idx):
        raise NotImplementedError

    # ---- validation -------------------------------------------------------------------------
    def heldout_metric(self, model) -> float:
        """The metric on the validation rows (at most MAX_EVAL_ROWS), one length at a time."""
        rows = self.val_rows[:MAX_EVAL_ROWS]
        was_training = model.training
        model.eval()
        right, total = 0.0, 0
        try:
            with torch.no_grad():
                for T in np.unique(self.lengths[rows]):
                    group = rows[self.lengths[rows] == T]
                    for s in range(0, len(group), 256):
                        part = group[s:s + 256]
                        idx = self.gather(part, int(T))
                        inputs = torch.from_numpy(self.ids[idx].astype(np.int64))  # (B, T)
                        targets = self.row_targets(part, idx)
                        pred = model(inputs).argmax(-1)
                        right += float((pred == targets).sum())
                        total += targets.numel()
        finally:
            model.train(was_training)
        return right / total

    # ---- typed input: the label comes from the file ------------------------------------------
    def split_text(self, text):
        if self.params["fold_case"]:
            text = text.lower()
        symbols = text.split() if self.source.token_mode else [c for c in text if not c.isspace()]
        index = set(self.vocab)
        unk = self.vocab[-1] if self.vocabulary.has_unknown else None
        return [DISPLAY.get(s, s) if DISPLAY.get(s, s) in index or unk is None else unk for s in symbols]

    def label_example(self, tokens):
        if self._lookup is None:
            self._lookup = {}
            for r in range(len(self.lengths) - 1, -1, -1):  # the first row wins
                a, b = self.offsets[r], self.offsets[r + 1]
                self._lookup[self.ids[a:b].tobytes()] = r
        key = tokens.numpy().astype(np.uint8).tobytes()
        if key not in self._lookup:
            raise ValueError(f"this sequence is not in {self.source.name}, so its "
                             f"{self.class_word[:-1] if self.class_word.endswith('s') else 'label'} "
                             f"is unknown; type one from the file")
        r = self._lookup[key]
        a = int(self.offsets[r])
        return self.row_targets(np.array([r]), a + np.arange(len(tokens))[None, :])[0]


class LabelledFileTask(RowsTask):
    name = "labelled_file"
    kind = "labelled"
    title = "Acceptor on your labelled sequences"
    lecture_slide = "RNNs as acceptors"
    output_kind = "final"
    metric_name = "accuracy"
    baseline_note = ("Always answering the most common label of the training rows (the majority "
                     "class) gets its share of the rows right.")
    preset = Preset(cell="lstm", hidden_size=32, embedding_dim=16, lr=1e-2, batch_size=32,
                    steps=600, extra={"max_norm": 5.0})
    class_word = "labels"
    max_typed_length = 500

    def file_params(self, source):
        return super().file_params(source) + (ATTENTION,)

    def setup(self):
        if self.params["attention"]:
            self.__dict__["output_kind"] = "attention"  # alpha_i over every position, as the sentiment task
        super().setup()
        self.title = f"{'Attention' if self.params['attention'] else 'Acceptor'} on {self.source.name}"

    def what_it_does(self) -> str:
        if self.params["attention"]:
            return (f"Read each sequence of {self.source.name} and answer its label from the attention-weighted "
                    f"sum of the states, y = f(sum_i alpha_i h_i), alpha = softmax(w_alpha^T h_i): the weights "
                    f"show which positions the answer reads (compare them with the attribution).")
        return (f"Read each sequence of {self.source.name} and answer its label from the final "
                f"state (an acceptor).")

    def constant_baseline(self, rows) -> float:
        counts = np.bincount(self.targets[rows], minlength=len(self.classes))
        return float(counts.max() / counts.sum())

    def row_targets(self, rows, idx):
        return torch.from_numpy(self.targets[rows].astype(np.int64))  # (B,)


class TaggedFileTask(RowsTask):
    name = "tagged_file"
    kind = "tagged"
    title = "Tagger on your tagged sequences"
    lecture_slide = "RNNs for tagging"
    output_kind = "per_step"
    metric_name = "token accuracy"
    baseline_note = ("Tagging every token with the tag that is most common in the training rows "
                     "(the majority class; each row weighs the same, as batches draw rows "
                     "uniformly) gets that tag's share of the tokens right.")
    preset = Preset(cell="lstm", hidden_size=32, bidirectional=True, embedding_dim=16, lr=1e-2,
                    batch_size=32, steps=600, extra={"max_norm": 5.0})
    class_word = "tags"
    max_typed_length = 500

    def setup(self):
        super().setup()
        self.title = f"Tagger on {self.source.name}"

    def what_it_does(self) -> str:
        return f"Tag every token of {self.source.name}: one output per input step."

    def constant_baseline(self, rows) -> float:
        share = np.zeros(len(self.classes))
        for s in range(0, len(rows), 4096):  # in blocks of rows: the per-token arrays stay small
            part = rows[s:s + 4096]
            lens = self.lengths[part].astype(np.int64)
            first = np.repeat(self.offsets[part] - (np.cumsum(lens) - lens), lens)
            idx = first + np.arange(int(lens.sum()))  # (tokens,) positions of the rows' tokens
            weight = np.repeat(1.0 / self.lengths[part], self.lengths[part])  # every row weighs 1
            share += np.bincount(self.targets[idx], weights=weight, minlength=len(self.classes))
        return float(share.max() / len(rows))

    def row_targets(self, rows, idx):
        return torch.from_numpy(self.targets[idx].astype(np.int64))  # (B, T)


DATA_TASKS = {cls.kind: cls for cls in (TextFileTask, LabelledFileTask, TaggedFileTask)}


def task_for(data: DataFile) -> tuple[str, dict]:
    """The task name and parameters that train on ``data`` (already in the registry)."""
    return DATA_TASKS[data.kind].name, {"data": data.sha256}


__all__ = ["DATA_TASKS", "LabelledFileTask", "TaggedFileTask", "TextFileTask", "task_for"]
