"""CSV data files: ``sequence,label`` (labelled sequences) and ``tokens,tags`` (tagged sequences).

Read with the ``csv`` module in streaming passes over the decoded lines, so that nothing per row is
kept but the ids: a first pass checks the structure and counts the classes (and, when the kind of
symbols is already clear, the symbols); ``encode_rows`` writes every row's ids and targets. Rows are
numbered like a spreadsheet (the header is row 1) in every message.
"""
from __future__ import annotations

import codecs
import csv
from collections import Counter

import numpy as np

from engine.tasks.data.data_model import (
    DISPLAY,
    ENCODERS,
    HEADERS,
    MAX_CLASSES,
    MAX_ROWS,
    MAX_SEQUENCE,
    MIN_ROWS,
    RESERVED,
    UNKNOWN_CHAR,
    UNKNOWN_TOKEN,
    DataFile,
    DataFileError,
    Encoding,
    choose,
    decoded_chunks,
    fold,
    one_line,
)


def _lines(name: str, raw: bytes, start: int):
    """The file's lines (UTF-8 checked, LF endings), one at a time: what csv.reader reads."""
    pending = ""
    for chunk in decoded_chunks(name, raw, start):
        lines = (pending + chunk).split("\n")
        pending = lines.pop()
        for line in lines:
            yield line + "\n"
    if pending:
        yield pending


def _csv_rows(name: str, raw: bytes, start: int):
    """(kind, rows): rows yields (row number, sequence, label/tags) with the field checks done."""
    reader = csv.reader(_lines(name, raw, start), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise DataFileError(f"{name} row 1: {one_line(exc)}") from None
    key = tuple(h.strip().lower() for h in header or ())
    if key not in HEADERS:
        found = one_line(",".join(header or ()))[:60]
        raise DataFileError(f"{name}: the first line must be the header sequence,label (labelled "
                            f"sequences) or tokens,tags (tagged sequences); found {found!r}")
    what = "label" if HEADERS[key] == "labelled" else "tags"

    def rows():
        count = 0
        try:
            for row in reader:
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank lines are allowed
                count += 1
                if count > MAX_ROWS:
                    raise DataFileError(f"{name} has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}")
                if len(row) > 2:
                    raise DataFileError(f"{name} row {line} has {len(row)} fields; expected 2 (put a "
                                        f"sequence that contains a comma in double quotes)")
                seq, lab = row[0].strip(), row[1].strip() if len(row) == 2 else ""
                if not seq:
                    raise DataFileError(f"{name} row {line}: the {key[0]} field is empty")
                if not lab:
                    raise DataFileError(f"{name} row {line}: the {what} field is missing")
                yield line, seq, lab
        except csv.Error as exc:
            raise DataFileError(f"{name} row {reader.line_num}: {one_line(exc)}") from None

    return HEADERS[key], rows()


def scan_csv(name: str, raw: bytes, sha: str) -> DataFile:
    """First pass: structure, the kind of symbols, the classes, and (when the kind of symbols is
    already clear) the symbol counts, so that the unfolded encoding needs one pass more, not two."""
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    kind, rows = _csv_rows(name, raw, start)
    classes: Counter = Counter()
    counts: Counter = Counter()  # tagged: tokens; labelled: characters while no row has a space
    n, spaced = 0, False
    for line, seq, lab in rows:
        n += 1
        if kind == "tagged":
            tokens, tags = seq.split(), lab.split()
            if len(tokens) != len(tags):
                raise DataFileError(f"{name} row {line}: {len(tokens)} tokens but {len(tags)} tags")
            _check_cap(name, line, len(tokens), True)
            counts.update(tokens)
            classes.update(tags)
            continue
        classes[lab] += 1
        if not spaced and (" " in seq or "\t" in seq):
            spaced = True
            counts = None  # tokens after all: counted in the next pass
        if not spaced:
            _check_cap(name, line, len(seq), False)
            counts.update(seq)
    if n < MIN_ROWS:
        raise DataFileError(f"{name} has {n} rows; at least {MIN_ROWS} are needed (one in ten is "
                            f"held out for validation)")
    word = "label" if kind == "labelled" else "tag"
    if len(classes) < 2:
        raise DataFileError(f"{name} has only one {word} ({next(iter(classes))!r}); "
                            f"{'an acceptor' if kind == 'labelled' else 'a tagger'} needs at least two")
    if len(classes) > MAX_CLASSES:
        raise DataFileError(f"{name} has {len(classes)} different {word}s; at most {MAX_CLASSES}")
    data = DataFile(name=name, kind=kind, raw=raw, sha256=sha, token_mode=kind == "tagged" or spaced,
                    rows=n, class_names=tuple(sorted(classes)))
    data._encoded["counts"] = counts
    return data


def _check_cap(name: str, line: int, n: int, tokens: bool) -> None:
    if n > MAX_SEQUENCE:
        raise DataFileError(f"{name} row {line}: the sequence has {n} {'tokens' if tokens else 'characters'}; "
                            f"the cap is {MAX_SEQUENCE}")


def encode_rows(data: DataFile, fold_case: bool) -> Encoding:
    """Count the (folded) symbols unless the first pass did, then write every row's ids and targets."""
    name, token_mode = data.name, data.token_mode
    counts = None if fold_case else data._encoded.pop("counts", None)  # from the first pass
    if counts is None:
        counts = Counter()
        for line, seq, _ in _csv_rows(name, data.raw, data.start)[1]:
            symbols = fold(seq, fold_case).split() if token_mode else fold(seq, fold_case)
            _check_cap(name, line, len(symbols), token_mode)
            counts.update(symbols)
    if token_mode:
        vocab, keep = choose(counts, lambda s: s, UNKNOWN_TOKEN, reserved={UNKNOWN_TOKEN})
    else:
        vocab, keep = choose(counts, lambda c: DISPLAY.get(c, c), UNKNOWN_CHAR, reserved=RESERVED,
                              order=lambda c: ord(c))
    index = {x: i for i, x in enumerate(keep)}
    unk = len(keep)
    lookup = {x: index.get(x, unk) for x in counts}  # every symbol of the file: no misses
    table = {ord(c): chr(i) for c, i in lookup.items()} if not token_mode else None
    tag_lookup = {c: i for i, c in enumerate(data.class_names)}
    ids, tags = bytearray(), bytearray()
    ends = []
    tagged = data.kind == "tagged"
    get, tag_get = lookup.__getitem__, tag_lookup.__getitem__
    for _, seq, lab in _csv_rows(name, data.raw, data.start)[1]:
        seq = fold(seq, fold_case)
        if token_mode:
            ids += bytes(map(get, seq.split()))
        else:
            ids += seq.translate(table).encode("latin-1")  # ids < 256: one byte per character
        if tagged:
            tags += bytes(map(tag_get, lab.split()))
        else:
            tags.append(tag_lookup[lab])
        ends.append(len(ids))
    offsets = np.zeros(len(ends) + 1, dtype=np.int64)
    offsets[1:] = ends
    ids, targets = np.frombuffer(ids, dtype=np.uint8), np.frombuffer(tags, dtype=np.uint8)
    return Encoding(vocab, ids, offsets, targets)


ENCODERS["labelled"] = ENCODERS["tagged"] = encode_rows
