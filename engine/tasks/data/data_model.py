"""What a data file is once read: limits, the display of special characters, DataFile, its Vocabulary and
Encoding, and the text helpers both readers share (``data_files`` reads text, ``data_csv`` reads CSV). No torch.
"""
from __future__ import annotations

import codecs
import zlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

MAX_TEXT_BYTES = 20 * 2**20  # a text file is at most 20 MB
MAX_CSV_BYTES = 20 * 2**20  # a CSV file is at most 20 MB ...
MAX_ROWS = 100_000  # ... and 100,000 rows
MAX_SEQUENCE = 500  # symbols in one CSV sequence (the longest an RNN here unrolls)
MIN_TEXT_CHARS = 100  # characters of text, so that training and validation windows exist
MIN_ROWS = 10  # CSV rows, so that one in ten can be held out
MAX_CLASSES = 64  # different labels or tags
VOCAB_K = 96  # the K most frequent symbols keep their own entry; the rest share UNKNOWN
HELDOUT = 0.1  # text: the last 10% is validation; CSV: 10% of the rows (seeded), at least 1
CHUNK = 1 << 16  # bytes decoded at a time: memory stays ~ one copy of the file plus its ids

UNKNOWN_CHAR = "\ufffd"  # how a character outside the vocabulary is shown (the replacement mark)
UNKNOWN_TOKEN = "<unk>"  # ... and a token outside the vocabulary
# characters shown as a visible sign; the signs themselves are reserved (read as unknown)
DISPLAY = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5"}
RESERVED = frozenset(DISPLAY.values()) | {UNKNOWN_CHAR}
HEADERS = {("sequence", "label"): "labelled", ("tokens", "tags"): "tagged"}
KIND_TITLES = {"text": "text", "labelled": "labelled sequences", "tagged": "tagged sequences"}


# kind -> function(DataFile, fold_case) -> Encoding; data_files registers text, data_csv the CSV kinds
ENCODERS: dict = {}


class DataFileError(ValueError):
    """A data file cannot be used; the message (one line) says why."""


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n < 10 * 2**20 else f"{n / 2**20:.0f} MB"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


@dataclass(frozen=True)
class Vocabulary:
    """Symbols of a file after case folding: display labels, what they stand for, and counts."""

    labels: tuple[str, ...]  # what the UI shows, one per id (the task's vocab)
    symbols: tuple[str, ...]  # the character or token each id stands for ("" = unknown)
    distinct: int  # different symbols in the file (after folding)
    unknown_count: int  # occurrences mapped to the unknown symbol

    @property
    def has_unknown(self) -> bool:
        return bool(self.symbols) and self.symbols[-1] == ""


@dataclass(frozen=True)
class Encoding:
    """A file's content as ids, for one case-folding choice."""

    vocab: Vocabulary
    ids: np.ndarray  # (N,) uint8: text characters, or every CSV row's symbols one after another
    offsets: np.ndarray | None = None  # CSV: (rows + 1,) int64, row r is ids[offsets[r]:offsets[r + 1]]
    targets: np.ndarray | None = None  # labelled: (rows,) uint8 class; tagged: (N,) uint8 tag per symbol


@dataclass
class DataFile:
    """A validated data file. Once read, its bytes are kept zlib-compressed (``packed``, what a
    session embeds); ``content()`` gives them back, e.g. to encode with the other case folding."""

    name: str
    kind: str  # "text", "labelled" or "tagged"
    raw: bytes | None  # the file's bytes while it is being read; None once packed
    sha256: str
    token_mode: bool = False  # CSV sequences are space-separated tokens (else characters)
    rows: int = 0  # CSV rows (blank lines not counted)
    class_names: tuple[str, ...] = ()  # CSV labels or tags, sorted
    text_chars: int = 0  # text: characters after decoding (CRLF counted as one)
    packed: bytes | None = None  # zlib.compress(raw)
    size: int = 0  # bytes of the file
    start: int = 0  # where the content begins: after a UTF-8 byte order mark, if any
    _encoded: dict = field(default_factory=dict, repr=False)  # fold_case -> Encoding (+ first-pass counts)

    def __post_init__(self):
        self.size = len(self.raw)
        self.start = len(codecs.BOM_UTF8) if self.raw.startswith(codecs.BOM_UTF8) else 0

    def content(self) -> bytes:
        return self.raw if self.raw is not None else zlib.decompress(self.packed)

    def pack_bytes(self) -> None:
        """Keep the bytes compressed from now on (a 10 MB text: about 3.5 MB instead of 10)."""
        if self.raw is not None:
            self.packed, self.raw = zlib.compress(self.raw, 1), None  # level 1: ~0.1 s for 10 MB

    def encoded(self, fold_case: bool) -> Encoding:
        """The content as ids for this case folding (computed once per choice)."""
        key = bool(fold_case)
        if key not in self._encoded:
            packed = self.raw is None
            if packed:
                self.raw = self.content()
            try:
                self._encoded[key] = ENCODERS[self.kind](self, key)
            finally:
                if packed:
                    self.raw = None
        return self._encoded[key]

    def summary(self) -> dict:
        out = {"file": self.name, "kind": self.kind, "bytes": self.size, "sha256": self.sha256}
        if self.kind == "text":
            out["characters"] = self.text_chars
        else:
            out.update(rows=self.rows, classes=list(self.class_names),
                       symbols="tokens" if self.token_mode else "characters")
        return out


def decoded_chunks(name: str, raw: bytes, start: int):
    """The text as str chunks (UTF-8 checked, CRLF and lone CR turned into LF)."""
    mv, n, s, pending = memoryview(raw), len(raw), start, ""
    while s < n:
        e = min(n, s + CHUNK)
        if e < n:
            k = e
            while k > s and k > e - 4 and (raw[k] & 0xC0) == 0x80:
                k -= 1  # do not cut a character in two: start the next chunk at its first byte
            e = k if k > s else e
        try:
            chunk = codecs.utf_8_decode(mv[s:e], "strict", True)[0]
        except UnicodeDecodeError as exc:
            raise DataFileError(f"{name} is not UTF-8 text: byte 0x{raw[s + exc.start]:02x} at byte "
                                f"offset {s + exc.start} is not valid UTF-8") from None
        chunk = pending + chunk
        pending = ""
        if e < n and chunk.endswith("\r"):
            chunk, pending = chunk[:-1], "\r"
        if "\r" in chunk:
            chunk = chunk.replace("\r\n", "\n").replace("\r", "\n")
        yield chunk
        s = e
    if pending:
        yield "\n"


def fold(chunk: str, fold_case: bool) -> str:
    return chunk.lower() if fold_case else chunk


def choose(counts: Counter, label, unknown_label: str, reserved=frozenset(), order=None):
    """The K most frequent symbols (ties: the smaller symbol first), sorted for display.

    Returns (Vocabulary, kept symbols in id order); the unknown symbol, when needed, is the last id.
    """
    usable = {s: k for s, k in counts.items() if s not in reserved}
    ranked = sorted(usable, key=lambda s: (-usable[s], s))
    keep = sorted(ranked[:VOCAB_K], key=order)
    dropped = sum(counts.values()) - sum(usable[s] for s in keep)
    labels = tuple(label(s) for s in keep)
    symbols = tuple(keep)
    if dropped:
        labels, symbols = labels + (unknown_label,), symbols + ("",)
    return Vocabulary(labels, symbols, len(counts), dropped), keep


