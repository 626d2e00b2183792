"""Reading data files: every bad file gets its exact one-line message; good files give the file's
own vocabulary and classes, computed here independently with collections.Counter."""
import codecs
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from engine.tasks import make_task
from engine.tasks.data.data_files import (
    open_data,
    pack,
    parse_data,
    read_data_file,
    unpack,
)
from engine.tasks.data.data_model import CHUNK, MAX_ROWS, MAX_SEQUENCE, UNKNOWN_CHAR, VOCAB_K, DataFileError
from engine.tasks.data.data_tasks import task_for

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples"
TEXT = "The cat sat on the mat. The dog sat on the log. " * 10


def write(tmp_path, name, data) -> Path:
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def labelled(rows) -> str:
    return "sequence,label\n" + "".join(f"{s},{y}\n" for s, y in rows)


GOOD_ROWS = [("ab", "x"), ("ba", "y")] * 6
TOO_LONG = "a" * (MAX_SEQUENCE + 1)
BAD_FILES = [  # (file name, content, message after the file name)
    ("empty.txt", b"", "empty.txt is empty"),
    ("blank.txt", " \n\n\t \n" * 30, "blank.txt is empty (it holds only white space)"),
    ("latin1.txt", b"caf" + b"\xe9 au lait" + b" more text" * 20,
     "latin1.txt is not UTF-8 text: byte 0xe9 at byte offset 3 is not valid UTF-8"),
    ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.png is a binary file, not text (it contains "
     "a NUL byte at byte offset 8)"),
    ("wide.txt", "hello".encode("utf-16"), "wide.txt is UTF-16 text; save it as UTF-8"),
    ("short.txt", "too short", "short.txt has 9 characters of text; at least 100 are needed"),
    ("noheader.csv", "ab,x\nba,y\n" * 6, "noheader.csv: the first line must be the header sequence,label "
     "(labelled sequences) or tokens,tags (tagged sequences); found 'ab,x'"),
    ("missing.csv", "sequence,label\nab,x\nba\n" + "ab,y\n" * 10, "missing.csv row 3: the label field is missing"),
    ("emptyseq.csv", "sequence,label\nab,x\n,y\n" + "ab,y\n" * 10, "emptyseq.csv row 3: the sequence field is empty"),
    ("extra.csv", "sequence,label\nab,x\na,b,y\n" + "ab,y\n" * 10, "extra.csv row 3 has 3 fields; expected 2 "
     "(put a sequence that contains a comma in double quotes)"),
    ("tags.csv", "tokens,tags\nthe dog,D N\nthe big dog,D N\n" + "a cat,D N\n" * 10,
     "tags.csv row 3: 3 tokens but 2 tags"),
    ("oneclass.csv", labelled([("ab", "yes")] * 12), "oneclass.csv has only one label ('yes'); an acceptor "
     "needs at least two"),
    ("onetag.csv", "tokens,tags\n" + "a b,X X\n" * 12, "onetag.csv has only one tag ('X'); a tagger needs at "
     "least two"),
    ("long.csv", labelled(GOOD_ROWS + [(TOO_LONG, "x")]), f"long.csv row 14: the sequence has {MAX_SEQUENCE + 1} "
     f"characters; the cap is {MAX_SEQUENCE}"),
    ("few.csv", labelled(GOOD_ROWS[:4]), "few.csv has 4 rows; at least 10 are needed (one in ten is held out "
     "for validation)"),
    ("classes.csv", labelled([("ab", f"c{i}") for i in range(70)]), "classes.csv has 70 different labels; at "
     "most 64"),
    ("quote.csv", 'sequence,label\n"ab,x\n' + "ab,y\n" * 12, "quote.csv row 14: unexpected end of data"),
    ("rows.csv", "sequence,label\n" + "ab,x\n" * MAX_ROWS + "ba,y\n", f"rows.csv has more than {MAX_ROWS:,} "
     f"rows; the limit is {MAX_ROWS:,}"),
]


@pytest.mark.parametrize("name,content,message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_its_exact_one_line_message(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(DataFileError) as info:
        read_data_file(path)
    assert str(info.value) == message
    assert "\n" not in str(info.value) and isinstance(info.value, ValueError)


def test_paths_that_are_not_readable_files(tmp_path):
    with pytest.raises(DataFileError, match=r"^.* is a folder, not a data file$"):
        read_data_file(tmp_path)
    with pytest.raises(DataFileError) as info:
        read_data_file(tmp_path / "nope.txt")
    assert str(info.value) == f"{tmp_path / 'nope.txt'}: no such file"
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.txt")
        with pytest.raises(DataFileError) as info:
            read_data_file(tmp_path / "pipe.txt")
        assert str(info.value) == f"{tmp_path / 'pipe.txt'} is not a regular file"
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(21 * 2**20)  # sparse: nothing is written
    with pytest.raises(DataFileError) as info:
        read_data_file(big)
    assert str(info.value) == "big.txt is 21 MB; data files are at most 20 MB"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, "secret.txt", TEXT)
    path.chmod(0)
    try:
        with pytest.raises(DataFileError) as info:
            read_data_file(path)
        assert str(info.value) == f"cannot read {path}: Permission denied"
    finally:
        path.chmod(0o644)


def test_bad_utf8_offset_past_the_first_chunk_and_characters_across_chunk_edges(tmp_path):
    head = "x" * (CHUNK - 1) + "\u00e9"  # the two bytes of é straddle the first chunk's end
    good = (head + "y" * 50).encode()
    data = parse_data("edge.txt", good)
    enc = data.encoded(False)
    assert "".join(enc.vocab.symbols[i] for i in enc.ids[CHUNK - 3:CHUNK + 2]) == "xx\u00e9yy"
    bad = good[:CHUNK + 10] + b"\xff" + good[CHUNK + 10:]
    with pytest.raises(DataFileError, match=f"byte 0xff at byte offset {CHUNK + 10} is not valid UTF-8$"):
        parse_data("edge.txt", bad)


def test_bom_and_crlf_read_like_plain_lf(tmp_path):
    plain = parse_data("a.txt", TEXT.replace(". ", ".\n").encode()).encoded(False)
    windows = parse_data("b.txt", codecs.BOM_UTF8 + TEXT.replace(". ", ".\r\n").encode()).encoded(False)
    assert plain.vocab == windows.vocab
    np.testing.assert_array_equal(plain.ids, windows.ids)


def test_text_vocabulary_is_the_files_characters_and_the_baseline_its_unigram_entropy(tmp_path):
    path = EXAMPLES / "coriolanus_act1.txt"
    task = data_task(open_data(path))
    text = path.read_text(encoding="utf-8")
    show = {" ": "\u2423", "\n": "\u21b5"}
    assert set(task.vocab) == {show.get(c, c) for c in text}  # fewer than K symbols: no unknown
    train = text[: len(text) - max(2, int(len(text) * 0.1))]
    p = np.array(list(Counter(train).values()), dtype=float) / len(train)
    assert task.baseline == pytest.approx(float(-(p * np.log2(p)).sum()), rel=1e-9)


def test_rare_characters_share_one_unknown_symbol_shown_as_such(tmp_path):
    rare = "".join(chr(0x400 + i) for i in range(40))  # 40 Cyrillic letters, once each
    common = "".join(chr(33 + i) * (5 + i) for i in range(90))  # 90 ASCII symbols, 5 or more times
    data = parse_data("mixed.txt", (common + rare).encode())
    enc = data.encoded(False)
    assert len(enc.vocab.labels) == VOCAB_K + 1 and enc.vocab.labels[-1] == UNKNOWN_CHAR
    kept = Counter(common + rare).most_common()  # ties broken by the smaller character first
    kept = sorted(kept, key=lambda kv: (-kv[1], kv[0]))[:VOCAB_K]
    assert set(enc.vocab.symbols[:-1]) == {c for c, _ in kept}
    kept_set = {c for c, _ in kept}
    dropped = sum(1 for c in common + rare if c not in kept_set)
    assert enc.vocab.unknown_count == int((enc.ids == VOCAB_K).sum()) == dropped > 0
    task = data_task(open_data(write(tmp_path, "mixed.txt", common + rare)))
    assert task.vocab[-1] == UNKNOWN_CHAR and "shown as \ufffd" in task.description


def test_case_folding_merges_upper_and_lower_case(tmp_path):
    data = open_data(write(tmp_path, "case.txt", TEXT))
    assert "T" in data_task(data).vocab
    folded = data_task(data, fold_case=1)
    assert "T" not in folded.vocab and "t" in folded.vocab


def test_labelled_csv_classes_and_symbols_are_the_files(tmp_path):
    path = EXAMPLES / "majority_ab.csv"
    task = data_task(open_data(path))
    rows = [line.split(",") for line in path.read_text().splitlines()[1:]]
    assert task.classes == tuple(sorted({y for _, y in rows}))
    assert set(task.vocab) == set("".join(s for s, _ in rows))
    lengths = [len(s) for s, _ in rows]
    assert (task.params_spec[0].lo, task.params_spec[0].hi) == (min(lengths), max(lengths))
    labels = [rows[i][1] for i in task.train_rows]  # the majority share of the training rows
    assert task.baseline == pytest.approx(Counter(labels).most_common(1)[0][1] / len(labels))
    assert len(task.val_rows) == 80 and not set(task.val_rows) & set(task.train_rows)
    other = make_task(task.name, data=task.params["data"], split_seed=1)
    assert set(other.val_rows) != set(task.val_rows)  # the split follows its seed


def test_token_mode_when_a_sequence_has_a_space(tmp_path):
    rows = [("red green", "warm"), ("blue sky", "cold")] * 6
    task = data_task(open_data(write(tmp_path, "words.csv", labelled(rows))))
    assert set(task.vocab) == {"red", "green", "blue", "sky"}
    import torch

    x, y = task.sample_batch(3, torch.Generator().manual_seed(0))
    assert x.shape == (3, 2) and y.shape == (3,)


def test_tagged_csv_tags_and_batches_follow_the_rows(tmp_path):
    path = EXAMPLES / "people_places.csv"
    task = data_task(open_data(path))
    rows = [line.split(",") for line in path.read_text().splitlines()[1:]]
    assert task.classes == tuple(sorted({t for _, tags in rows for t in tags.split()}))
    assert set(task.vocab) == {w for toks, _ in rows for w in toks.split()}
    import torch

    x, y = task.sample_batch(16, torch.Generator().manual_seed(3))
    table = {}
    for toks, tags in rows:
        table.setdefault(" ".join(toks.split()), tags.split())
    for xs, ys in zip(x.tolist(), y.tolist(), strict=True):  # every drawn row is a row of the file
        words = " ".join(task.vocab[i] for i in xs)
        assert [task.classes[i] for i in ys] == table[words]


def test_pack_and_unpack_round_trip_and_refuse_tampering():
    data = parse_data("c.csv", labelled(GOOD_ROWS).encode())
    entry = pack(data)
    again = unpack(entry)
    assert again.sha256 == data.sha256 and again.content() == data.content() == labelled(GOOD_ROWS).encode()
    with pytest.raises(DataFileError, match="does not match its SHA-256"):
        unpack({**entry, "sha256": "0" * 64})
    with pytest.raises(DataFileError, match="corrupt"):
        unpack({**entry, "zlib": entry["zlib"][:10]})


def data_task(data, **params):
    name, base = task_for(data)
    return make_task(name, **base, **params)
