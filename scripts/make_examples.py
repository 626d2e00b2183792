"""Write the example CSV files in assets/examples/ (deterministic: run it again to get the same bytes).

  majority_ab.csv   sequence,label  strings over a, b, c; the label says which of a and b is more
                                    frequent (a, b or tie): an acceptor has to count
  people_places.csv tokens,tags     short sentences; PER for a person, LOC for a place, O otherwise.
                                    paris, jordan and georgia are people in some sentences and places
                                    in others: the words around them decide
  people_places_tracks.csv          annotation tracks for the unit explorer, one row per token of
                                    people_places.csv: before_place (the next word is a place),
                                    ambiguous (paris, jordan, georgia), position (word index in the row)
"""
from __future__ import annotations

import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "assets" / "examples"
PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank", "paris", "jordan", "georgia")
PLACES = ("london", "rome", "lima", "oslo", "cairo", "paris", "jordan", "georgia")
TEMPLATES = (
    "{P} met {P} in {L}", "{P} flew to {L} on monday", "the people of {L} like {P}",
    "{P} and {P} live near {L}", "yesterday {P} visited {L}", "{P} wrote to {P} from {L}",
    "in {L} {P} found a small cat", "{P} says {L} is cold in winter", "{P} smiled",
    "we drove from {L} to {L} with {P}",
)


def majority_rows(rng: random.Random, n: int) -> list[str]:
    rows = ["sequence,label"]
    for _ in range(n):
        s = "".join(rng.choice("abc") for _ in range(rng.randint(3, 20)))
        a, b = s.count("a"), s.count("b")
        rows.append(f"{s},{'a' if a > b else 'b' if b > a else 'tie'}")
    return rows


def tagged_rows(rng: random.Random, n: int) -> list[str]:
    rows = ["tokens,tags"]
    for _ in range(n):
        tokens, tags = [], []
        for word in rng.choice(TEMPLATES).split():
            if word == "{P}":
                tokens.append(rng.choice(PEOPLE))
                tags.append("PER")
            elif word == "{L}":
                tokens.append(rng.choice(PLACES))
                tags.append("LOC")
            else:
                tokens.append(word)
                tags.append("O")
        rows.append(f"{' '.join(tokens)},{' '.join(tags)}")
    return rows


def track_rows(tagged: list[str]) -> list[str]:
    """One row per token of the tagged rows (header skipped), in order: token,before_place,ambiguous,position."""
    rows = ["token,before_place,ambiguous,position"]
    ambiguous = set(PEOPLE) & set(PLACES)
    for line in tagged[1:]:
        tokens, tags = (field.split() for field in line.split(","))
        for i, token in enumerate(tokens):
            before = int(i + 1 < len(tags) and tags[i + 1] == "LOC")
            rows.append(f"{token},{before},{int(token in ambiguous)},{i}")
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "majority_ab.csv").write_text("\n".join(majority_rows(random.Random(13), 800)) + "\n", encoding="utf-8")
    tagged = tagged_rows(random.Random(13), 600)
    (OUT / "people_places.csv").write_text("\n".join(tagged) + "\n", encoding="utf-8")
    (OUT / "people_places_tracks.csv").write_text("\n".join(track_rows(tagged)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
