"""Character-level language model on two chapters of Alice's Adventures in Wonderland (1865)."""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from engine.tasks.base import IGNORE, Param, Preset, Task
from engine.util.assets import asset
from engine.util.lazy import F, no_grad, torch

CORPUS_DIR = asset("corpus")
CORPUS_FILE = "alice_ch1-2.txt"
ALPHABET = "abcdefghijklmnopqrstuvwxyz .,'\"!?-"
HELDOUT = 0.1  # the last 10% of the text is never trained on: ``heldout_bits`` scores it
MAX_EVAL_CHARS = 20_000  # heldout_bits scores at most this many characters
SPACE_LABEL = "\u2423"  # open box: how a space is displayed
_REPLACE = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-",
            "\u2013": "-", ";": ",", ":": ","}


def prepare(text: str, keep_ends: bool = False) -> str:
    """Lowercase, ASCII quotes and dashes, folded accents, one space for any whitespace run (and,
    unless ``keep_ends``, none at the start or end: a prompt "the " keeps its space)."""
    text = "".join(_REPLACE.get(c, c) for c in text.lower())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text) if keep_ends else " ".join(text.split())


@lru_cache(maxsize=4)
def load_corpus(path: str) -> str:
    """The normalised corpus: ``prepare`` then drop characters outside ``ALPHABET``."""
    text = prepare(Path(path).read_text(encoding="utf-8"))
    return " ".join("".join(c for c in text if c in ALPHABET).split())


class CharLMTask(Task):
    name = "charlm"
    title = "Character language model"
    lecture_slide = "RNNs for language modelling"
    description = ("Predict the next character (character-level; the lecture's slide predicts the "
                   "next word) of English text, one step at a time, from everything read so far: "
                   "the first two chapters of Lewis Carroll's Alice's Adventures in Wonderland "
                   "(1865, public domain), lowercased to 34 symbols. Every token is one character, "
                   "so the softmax is over 34 symbols, not a vocabulary of words. "
                   "The score is bits per character - the average surprise. A model that knows "
                   "only how common each letter is pays the unigram entropy of the text; a "
                   "trained RNN learns spelling and common words and pays far less. Generate "
                   "text from a prompt to hear what it has learned.")
    input_kind = "tokens"
    output_kind = "per_step"
    vocab = tuple(ALPHABET)
    classes = vocab
    metric_name = "bits per character"
    higher_is_better = False
    baseline_note = ("Predicting every character with its frequency in the text (a unigram "
                     "model) costs the unigram entropy H = -sum p(c) log2 p(c) of the corpus.")
    params_spec = (Param("seq_len", 64, 2, 1000, "characters per training window"),)
    preset = Preset(cell="lstm", hidden_size=64, embedding_dim=32, lr=3e-3, batch_size=32,
                    steps=800, extra={"max_norm": 5.0})
    max_typed_length = 500

    pass_threshold = 2.5  # the metric that counts as solved

    def setup(self):
        text = load_corpus(str(CORPUS_DIR / CORPUS_FILE))
        self.text = text
        index = {c: i for i, c in enumerate(self.vocab)}
        data = torch.tensor([index[c] for c in text], dtype=torch.long)  # (N,)
        split = int(len(data) * (1 - HELDOUT))
        self.data, self.heldout = data[:split], data[split:]
        counts = torch.bincount(data, minlength=len(self.vocab)).double()
        self.unigram = counts / counts.sum()  # (V,)

    @property
    def baseline(self) -> float:
        p = self.unigram[self.unigram > 0]
        return float(-(p * p.log2()).sum())

    def sample_batch(self, batch_size, generator):
        T = self.params["seq_len"]
        start = torch.randint(0, len(self.data) - T, (batch_size,), generator=generator)
        windows = self.data[start.unsqueeze(1) + torch.arange(T + 1)]  # (B, T + 1)
        return windows[:, :-1], windows[:, 1:]

    def metric(self, outputs, targets):
        ce = F.cross_entropy(outputs.reshape(-1, outputs.shape[-1]), targets.reshape(-1),
                             ignore_index=IGNORE)
        return ce.item() / math.log(2)

    # ---- typed input and display -------------------------------------------------------
    def split_text(self, text):
        return list(prepare(text))

    def label_example(self, tokens):
        """Next-character targets; the last character has no next one and is not scored."""
        targets = torch.full_like(tokens, IGNORE)
        targets[..., :-1] = tokens[..., 1:]
        return targets

    def render_inputs(self, inputs):
        return [SPACE_LABEL if c == " " else c for c in super().render_inputs(inputs)]

    def render_targets(self, targets):
        return [SPACE_LABEL if c == " " else c for c in super().render_targets(targets)]

    def encode_prompt(self, prompt: str) -> torch.Tensor:
        """Prompt text -> (T,) ids; raises ValueError naming every character not in the alphabet."""
        chars = list(prepare(prompt, keep_ends=True))  # the model reads the prompt as shown, "the " too
        unknown = sorted({c for c in chars if c not in ALPHABET})
        if unknown:
            raise ValueError(f"the model does not know the character(s) {' '.join(map(repr, unknown))}; "
                             f"use a-z, space and . , ' \" ! ? -")
        return torch.tensor([ALPHABET.index(c) for c in chars], dtype=torch.long)

    def decode_id(self, i: int) -> str:
        """The character that id ``i`` stands for, as generated text shows it."""
        return ALPHABET[i]

    def heldout_prompt(self, n: int = 40) -> str:
        """The first ``n`` characters of the held-out text, as a prompt for ``generate``."""
        return "".join(self.decode_id(i) for i in self.heldout[:n].tolist())

    @no_grad
    def heldout_bits(self, model) -> float:
        """Bits per character on the held-out end of the text, in windows of seq_len."""
        held = self.heldout[:MAX_EVAL_CHARS].long()  # (N,) a long validation text: its start
        T = min(self.params["seq_len"], len(held) - 1)
        n = (len(held) - 1) // T
        inputs = held[: n * T].reshape(n, T)  # (n, T)
        targets = held[1 : n * T + 1].reshape(n, T)
        was_training = model.training
        model.eval()
        try:
            outputs = model(inputs)  # (n, T, V)
        finally:
            model.train(was_training)
        return self.metric(outputs, targets)

    @no_grad
    def generate(self, model, prompt: str, length: int, temperature: float = 1.0,
                 generator: torch.Generator | None = None, record: list | None = None) -> str:
        """Sample ``length`` characters after ``prompt`` and return them (without the prompt).

        The encoder runs on the prompt once and then one character at a time, carrying its
        state. temperature 0 always takes the most likely character; higher is more random.
        ``record``, if given, receives per character (learned, sampled): softmax(logits) and the
        distribution it was drawn from, softmax(logits / temperature) (one-hot at temperature 0).
        """
        if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= 5000:
            raise ValueError(f"length must be a whole number from 1 to 5000; got {length!r}")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) \
                or not 0 <= temperature <= 10:
            raise ValueError(f"temperature must be from 0 to 10; got {temperature!r}")
        if getattr(model, "output_kind", None) != "per_step" or model.head.out_features != len(self.vocab):
            raise ValueError(f"generate needs a model trained on the {self.name} task")
        if model.config.bidirectional:
            raise ValueError("a bidirectional model cannot generate text: it reads the future")
        ids = self.encode_prompt(prompt)
        if len(ids) == 0:
            ids = self.encode_prompt(" ")
        was_training = model.training
        model.eval()
        try:
            h0, c0 = model.initial_state(1)  # the model's own h_0 (ModelConfig.h0), None for zeros
            out, state = model.encoder(model.embed(ids.unsqueeze(0)), h0 if c0 is None else (h0, c0))  # (1, T, H)
            chars = []
            for _ in range(length):
                logits = model.head_forward(out[:, -1:]).outputs[0, -1]  # (V,)
                if temperature == 0:
                    nxt = int(logits.argmax())
                    probs = F.one_hot(torch.tensor(nxt), len(logits)).to(logits.dtype)
                else:
                    probs = torch.softmax(logits / temperature, dim=-1)
                    nxt = int(torch.multinomial(probs, 1, generator=generator))
                if record is not None:
                    record.append((torch.softmax(logits, dim=-1).numpy(), probs.numpy()))
                chars.append(self.decode_id(nxt))
                out, state = model.encoder(model.embed(torch.tensor([[nxt]])), state)
        finally:
            model.train(was_training)
        return "".join(chars)
