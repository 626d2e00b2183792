"""Data files a user brings: read, validate, detect the kind, build the vocabulary. No torch.

Three kinds, detected from the extension and the first line:
  text      (.txt, UTF-8, with or without BOM, LF or CRLF): a character language model
  labelled  (.csv with header ``sequence,label``): an acceptor, one class per sequence
  tagged    (.csv with header ``tokens,tags``, both space-separated): one tag per token

Nothing in a file is ever executed: text is decoded with the strict UTF-8 codec and CSV is read
with the ``csv`` module (no eval, no pickle). Every problem is a ``DataFileError`` (a ValueError)
with a one-line message that names the file and, where it applies, the byte offset or the row
(rows are numbered like a spreadsheet: the header is row 1).
"""
from __future__ import annotations

import codecs
import hashlib
import zlib
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np

from engine.tasks.data.data_csv import scan_csv
from engine.tasks.data.data_model import (
    DISPLAY,
    ENCODERS,
    HEADERS,
    MAX_CSV_BYTES,
    MAX_TEXT_BYTES,
    MIN_TEXT_CHARS,
    RESERVED,
    UNKNOWN_CHAR,
    DataFile,
    DataFileError,
    Encoding,
    _mb,
    choose,
    decoded_chunks,
    fold,
    one_line,
)


# ---- reading -----------------------------------------------------------------------------------
def read_data_file(path) -> DataFile:
    """Read and validate the file at ``path``; raises DataFileError with one line."""
    path = Path(path)
    shown = one_line(str(path))
    try:
        if path.is_dir():
            raise DataFileError(f"{shown} is a folder, not a data file")
        if not path.exists():
            raise DataFileError(f"{shown}: no such file")
        if not path.is_file():  # a pipe or a device could block or never end
            raise DataFileError(f"{shown} is not a regular file")
        size = path.stat().st_size
        limit = MAX_CSV_BYTES if path.suffix.lower() == ".csv" else MAX_TEXT_BYTES
        if size > limit:
            raise DataFileError(f"{one_line(path.name)} is {_mb(size)}; data files are at most "
                                f"{limit // 2**20} MB")
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as exc:
        raise DataFileError(f"cannot read {shown}: {exc.strerror or exc}") from None
    return parse_data(path.name, raw)


def parse_data(name: str, raw: bytes) -> DataFile:
    """Validate ``raw`` (the bytes of a file called ``name``) and detect its kind."""
    name = one_line(name) or "data"
    if len(raw) == 0:
        raise DataFileError(f"{name} is empty")
    suffix = Path(name).suffix.lower()
    limit = MAX_CSV_BYTES if suffix == ".csv" else MAX_TEXT_BYTES
    if len(raw) > limit:
        raise DataFileError(f"{name} is larger than {limit // 2**20} MB; data files are at most "
                            f"{limit // 2**20} MB")
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise DataFileError(f"{name} is UTF-16 text; save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DataFileError(f"{name} is a binary file, not text (it contains a NUL byte at byte "
                            f"offset {nul})")
    sha = hashlib.sha256(raw).hexdigest()
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    first = raw[start:start + 200].split(b"\n", 1)[0].strip().lower().replace(b" ", b"")
    header = tuple(first.decode("utf-8", "replace").split(","))
    if suffix == ".csv" or (suffix != ".txt" and header in HEADERS):
        data = scan_csv(name, raw, sha)
    else:
        data = DataFile(name=name, kind="text", raw=raw, sha256=sha)
    data.encoded(False)  # text: decodes, validates and counts; CSV: the per-row checks
    data.pack_bytes()
    return data


BMP = 1 << 16  # code points below this are counted and mapped through flat tables


def _encode_text(data: DataFile, fold_case: bool):
    """Two passes over the decoded chunks: count the characters, then map them to ids."""
    bmp_counts = np.zeros(BMP, dtype=np.int64)
    other: Counter = Counter()  # characters beyond the basic multilingual plane (emoji, ...)
    total = 0
    for chunk in decoded_chunks(data.name, data.raw, data.start):
        chunk = fold(chunk, fold_case)
        total += len(chunk)
        if chunk.isascii():
            bmp_counts[:128] += np.bincount(np.frombuffer(chunk.encode("ascii"), np.uint8), minlength=128)
            continue
        cps = np.frombuffer(chunk.encode("utf-32-le"), np.uint32)
        high = cps >= BMP
        if high.any():
            other.update(chr(c) for c in cps[high].tolist())
            cps = cps[~high]
        bmp_counts += np.bincount(cps, minlength=BMP)
    for c in np.flatnonzero(bmp_counts).tolist():
        other[chr(c)] = int(bmp_counts[c])
    if not fold_case:
        data.text_chars = total
    if sum(k for c, k in other.items() if not c.isspace()) == 0:
        raise DataFileError(f"{data.name} is empty (it holds only white space)")
    if total < MIN_TEXT_CHARS:
        raise DataFileError(f"{data.name} has {total} characters of text; at least {MIN_TEXT_CHARS} "
                            f"are needed")
    vocab, keep = choose(other, lambda c: DISPLAY.get(c, c), UNKNOWN_CHAR,
                          reserved=RESERVED, order=lambda c: ord(c))
    unk = len(keep)  # ids: vocabulary characters in code point order, the unknown id last
    lut = np.full(BMP, unk, dtype=np.uint8)
    high_ids = {}
    for i, c in enumerate(keep):
        if ord(c) < BMP:
            lut[ord(c)] = i
        else:
            high_ids[ord(c)] = i
    out = np.empty(total, dtype=np.uint8)
    pos = 0
    for chunk in decoded_chunks(data.name, data.raw, data.start):
        chunk = fold(chunk, fold_case)
        if chunk.isascii():
            part = lut[np.frombuffer(chunk.encode("ascii"), np.uint8)]
        else:
            cps = np.frombuffer(chunk.encode("utf-32-le"), np.uint32)
            part = lut[np.minimum(cps, BMP - 1)]
            high = np.flatnonzero(cps >= BMP)
            if len(high):
                part[high] = [high_ids.get(c, unk) for c in cps[high].tolist()]
        out[pos:pos + len(part)] = part
        pos += len(part)
    return Encoding(vocab, out)



ENCODERS["text"] = _encode_text


# ---- files in use, by SHA-256 --------------------------------------------------------------------
class DataRegistry:
    """The data files this process has opened, by SHA-256, so that a task (whose parameters hold
    only the SHA-256) can be rebuilt from its configuration. Bounded: the oldest is forgotten."""

    def __init__(self, capacity: int = 4):
        self.capacity = capacity
        self._files: OrderedDict[str, DataFile] = OrderedDict()

    def add(self, data: DataFile) -> str:
        self._files[data.sha256] = data
        self._files.move_to_end(data.sha256)
        while len(self._files) > self.capacity:
            self._files.popitem(last=False)
        return data.sha256

    def get(self, sha256: str) -> DataFile:
        if not isinstance(sha256, str) or sha256 not in self._files:
            shown = sha256[:12] if isinstance(sha256, str) else repr(sha256)[:20]
            raise DataFileError(f"the data file with SHA-256 {shown}... is not open; open the file "
                                f"again (File > Open data)")
        self._files.move_to_end(sha256)
        return self._files[sha256]


REGISTRY = DataRegistry()  # one per process: the engine's cache of opened files (like lru_cache)


def open_data(path) -> DataFile:
    """Read, validate and remember a data file; returns it."""
    data = read_data_file(path)
    REGISTRY.add(data)
    return data


# ---- embedding in a session file -----------------------------------------------------------------
def pack(data: DataFile) -> dict:
    """What a session file stores of a data file: its name, SHA-256 and zlib-compressed bytes."""
    return {"name": data.name, "sha256": data.sha256,
            "zlib": data.packed if data.packed is not None else zlib.compress(data.raw, 6)}


def unpack(entry) -> DataFile:
    """The DataFile of a ``pack`` entry, checked against its SHA-256; DataFileError otherwise."""
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), t) for k, t in
                                               (("name", str), ("sha256", str), ("zlib", bytes))):
        raise DataFileError("the embedded data file is malformed")
    limit = max(MAX_TEXT_BYTES, MAX_CSV_BYTES)
    inflate = zlib.decompressobj()
    try:
        raw = inflate.decompress(entry["zlib"], limit + 1)
    except zlib.error as exc:
        raise DataFileError(f"the embedded data file is corrupt: {one_line(exc)}") from None
    if len(raw) > limit or inflate.unconsumed_tail or not inflate.eof:
        raise DataFileError("the embedded data file is corrupt or larger than the limit")
    if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
        raise DataFileError("the embedded data file does not match its SHA-256")
    return parse_data(entry["name"], raw)
