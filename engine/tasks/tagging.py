"""Toy part-of-speech tagging where some words are tagged by the word that follows them.

Sentences come from a small probabilistic finite-state grammar (DET ADJ* NOUN VERB ...). Six
words (light, cold, green, ...) are both adjectives and nouns: "the light house" vs "the light
sleeps". Reading left to right the two are equally likely, so only a network that also reads
right to left (bidirectional) can tag them reliably.

A batch needs sentences of exactly the drawn length T; the sampler conditions the grammar's
Markov chain on ending after exactly T words (backward counts beta, as in forward-backward),
so every sentence is complete and no padding is needed.
"""
from __future__ import annotations

from engine.tasks.base import Preset, Task
from engine.tasks.common import VariableLength, length_params
from engine.util.lazy import torch

TAGS = ("DET", "ADJ", "NOUN", "VERB", "PREP", "ADV", "CONJ")
DETS = ("the", "a", "every", "some", "this", "my")
ADJS = ("big", "small", "old", "happy")  # adjective only
NOUNS = ("dog", "cat", "bird", "child", "house", "river")  # noun only
AMBIGUOUS = ("light", "cold", "green", "dark", "square", "plain")  # adjective or noun
TRANSITIVE = ("sees", "likes", "chases", "finds", "holds")
INTRANSITIVE = ("sleeps", "runs", "sings", "waits")
PREPS = ("near", "under", "with", "behind")
ADVS = ("quickly", "slowly", "today", "often")
CONJS = ("and", "but")

# Grammar states: (name, tag, words). Each state emits one word; subject and object noun
# phrases are separate states because different things follow them.
STATES = (
    ("det_s", "DET", DETS), ("adj_s", "ADJ", ADJS + AMBIGUOUS), ("noun_s", "NOUN", NOUNS + AMBIGUOUS),
    ("verb_t", "VERB", TRANSITIVE), ("verb_i", "VERB", INTRANSITIVE),
    ("det_o", "DET", DETS), ("adj_o", "ADJ", ADJS + AMBIGUOUS), ("noun_o", "NOUN", NOUNS + AMBIGUOUS),
    ("prep", "PREP", PREPS), ("adv", "ADV", ADVS), ("conj", "CONJ", CONJS),
)
NEXT = {  # state -> {next state or "end": probability}
    "det_s": {"adj_s": 0.5, "noun_s": 0.5}, "adj_s": {"adj_s": 0.35, "noun_s": 0.65},
    "noun_s": {"verb_t": 0.6, "verb_i": 0.4}, "verb_t": {"det_o": 1.0},
    "verb_i": {"prep": 0.3, "adv": 0.25, "conj": 0.2, "end": 0.25},
    "det_o": {"adj_o": 0.5, "noun_o": 0.5}, "adj_o": {"adj_o": 0.35, "noun_o": 0.65},
    "noun_o": {"prep": 0.3, "adv": 0.15, "conj": 0.2, "end": 0.35},
    "prep": {"det_o": 1.0}, "adv": {"prep": 0.2, "conj": 0.2, "end": 0.6}, "conj": {"det_s": 1.0},
}
MIN_SENTENCE = 3  # "the dog sleeps"


def _vocab() -> tuple[str, ...]:
    words: list[str] = []
    for _, _, ws in STATES:
        words += [w for w in ws if w not in words]
    return tuple(words)


class TaggingTask(VariableLength, Task):
    name = "tagging"
    title = "Part-of-speech tagging"
    lecture_slide = "RNNs for tagging"
    description = ("Tag every word of a toy English sentence with its part of speech (DET, ADJ, "
                   "NOUN, VERB, PREP, ADV, CONJ): one output per input, y_i = f(W h_i). Words "
                   "such as 'light', 'cold' or 'green' are adjectives in 'the light house' but "
                   "nouns in 'the light sleeps' - only the NEXT word decides. A left-to-right network "
                   "has to guess at those words (about 55% right); a bidirectional one also reads "
                   "the sentence backwards, so h_i knows the next word and it reaches ~100%.")
    input_kind = "tokens"
    output_kind = "per_step"
    vocab = _vocab()
    classes = TAGS
    metric_name = "token accuracy"
    baseline_note = ("Tagging every word with its most frequent tag (its majority tag over the "
                     "grammar's distribution, computed exactly from the sentence sampler's state "
                     "marginals) gets every unambiguous word right and the adjective/noun words "
                     "only about 55% of the time.")
    params_spec = length_params(15, 5, MIN_SENTENCE, 60, unit="words")
    preset = Preset(cell="lstm", hidden_size=32, bidirectional=True, embedding_dim=16, lr=1e-2,
                    batch_size=32, steps=600, extra={"max_norm": 5.0})
    max_typed_length = 60

    def setup(self):
        self.check_lengths()
        index = {w: i for i, w in enumerate(self.vocab)}
        S = len(STATES)
        names = [s[0] for s in STATES]
        trans = torch.zeros(S, S, dtype=torch.float64)  # P(next state | state)
        end = torch.zeros(S, dtype=torch.float64)  # P(sentence ends | state)
        for i, n in enumerate(names):
            for nxt, p in NEXT[n].items():
                if nxt == "end":
                    end[i] = p
                else:
                    trans[i, names.index(nxt)] = p
        K = self.params["seq_len"]
        # beta[k, s]: probability of emitting exactly k more words and ending, from state s
        beta = torch.zeros(K, S, dtype=torch.float64)
        beta[0] = end
        for k in range(1, K):
            beta[k] = trans @ beta[k - 1]
        # cond[k]: next-state distribution given exactly k words remain, (K, S, S)
        cond = torch.zeros(K, S, S, dtype=torch.float64)
        cond[1:] = trans * beta[:-1].unsqueeze(1) / beta[1:].clamp_min(1e-300).unsqueeze(2)
        self._cond = cond
        cdf = cond.cumsum(-1)
        self._cdf = cdf / cdf[..., -1:].clamp_min(1e-300)  # last entry exactly 1: no round-off escape
        self._start = names.index("det_s")
        width = max(len(s[2]) for s in STATES)
        self._words = torch.tensor([[index[w] for w in ws] + [0] * (width - len(ws))
                                    for _, _, ws in STATES])  # (S, width)
        self._counts = torch.tensor([len(ws) for _, _, ws in STATES])  # (S,)
        self._state_tag = torch.tensor([TAGS.index(t) for _, t, _ in STATES])  # (S,)
        # typed-input lexicon: a word's tag, or -1 when the next word decides
        self._word_tag = torch.full((len(self.vocab),), -1, dtype=torch.long)
        for _, t, ws in STATES:
            for w in ws:
                if w not in AMBIGUOUS:
                    self._word_tag[index[w]] = TAGS.index(t)
        nominal = set(ADJS + NOUNS + AMBIGUOUS)
        self._nominal = torch.tensor([w in nominal for w in self.vocab])  # (V,)
        self._baseline = None

    # ---- data --------------------------------------------------------------------------
    def sample_states(self, batch_size: int, T: int, generator: torch.Generator) -> torch.Tensor:
        """Grammar states (B, T) of sentences that end after exactly T words."""
        states = torch.full((batch_size, T), self._start, dtype=torch.long)
        u = torch.rand(batch_size, T, generator=generator, dtype=torch.float64)  # (B, T)
        for t in range(1, T):
            cdf = self._cdf[T - t, states[:, t - 1]]  # (B, S), T - t words remain before step t
            states[:, t] = (u[:, t : t + 1] > cdf).sum(-1).clamp_max(len(STATES) - 1)
        return states

    def sample_batch(self, batch_size, generator):
        T = self.draw_batch_length(generator)
        states = self.sample_states(batch_size, T, generator)  # (B, T)
        pick = torch.rand(batch_size, T, generator=generator)  # (B, T)
        slot = (pick * self._counts[states]).long().clamp_max(self._counts[states] - 1)
        words = self._words[states, slot]  # (B, T)
        return words, self._state_tag[states]

    def label_example(self, tokens):
        """Lexicon tags; an adjective/noun word is ADJ when an adjective or noun follows it."""
        tags = self._word_tag[tokens]  # (..., T)
        nxt = torch.zeros_like(tokens, dtype=torch.bool)
        nxt[..., :-1] = self._nominal[tokens[..., 1:]]
        resolved = torch.where(nxt, TAGS.index("ADJ"), TAGS.index("NOUN"))
        return torch.where(tags < 0, resolved, tags)

    def split_text(self, text):
        return text.lower().replace(".", " ").split()

    # ---- baseline ----------------------------------------------------------------------
    def majority_tags(self) -> dict[str, str]:
        return {self.vocab[w]: TAGS[t] for w, t in enumerate(self._word_tag_counts().argmax(1).tolist())}

    def _word_tag_counts(self) -> torch.Tensor:
        """Expected (word, tag) share of the tokens a batch is scored on, (V, C): exact."""
        lo, hi = self.params["min_len"], self.params["seq_len"]
        counts = torch.zeros(len(self.vocab), len(TAGS), dtype=torch.float64)
        emit = torch.zeros(len(STATES), len(self.vocab), dtype=torch.float64)  # P(word | state)
        for s in range(len(STATES)):
            n = int(self._counts[s])
            emit[s, self._words[s, :n]] = 1.0 / n
        tag_onehot = torch.nn.functional.one_hot(self._state_tag, len(TAGS)).double()  # (S, C)
        for T in range(lo, hi + 1):
            occ = torch.zeros(len(STATES), dtype=torch.float64)
            occ[self._start] = 1.0
            total = occ.clone()
            for t in range(1, T):
                occ = occ @ self._cond[T - t]
                total += occ
            counts += emit.T @ (total.unsqueeze(1) * tag_onehot) / (T * (hi - lo + 1))
        return counts

    @property
    def baseline(self) -> float:
        if self._baseline is None:
            self._baseline = float(self._word_tag_counts().max(1).values.sum())
        return self._baseline

    @property
    def pass_threshold(self) -> float:
        return 0.97
