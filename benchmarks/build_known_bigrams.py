"""Rebuild handlers/understanding/data/known_bigrams.txt: every pair of adjacent Chinese characters
of the language the parser was built on: its own source (lexicon, cue patterns), its tests (the
phrasings it was made to read) and the tuned corpora's messages.

    python benchmarks/build_known_bigrams.py

The confidence check (handlers/understanding/confidence.py) reads a word the parser does not explain
and whose character pairs are none of these as language the parser has never met. Held-out corpora
(corpora/held_out*/) are never read here, and neither is the shared dev corpus (it stays outside the
repository). Run it again after a round of tuning adds a corpus or lexicon words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNDERSTANDING = ROOT / "handlers" / "understanding"
TESTS = ROOT / "tests" / "handlers" / "understanding"
CORPORA = TESTS / "corpora"
TARGET = UNDERSTANDING / "data" / "known_bigrams.txt"
_RUN = re.compile(r"[\u4e00-\u9fff]+")


def bigrams(text: str) -> set[str]:
    """Adjacent character pairs inside each run of Chinese characters."""
    return {run[i : i + 2] for run in _RUN.findall(text) for i in range(len(run) - 1)}


def known_bigrams() -> set[str]:
    found: set[str] = set()
    for source in sorted([*UNDERSTANDING.glob("*.py"), *TESTS.glob("*.py")]):
        if source.name.startswith("test_confidence"):
            continue   # the check's own tests quote words never met, on purpose
        found |= bigrams(source.read_text(encoding="utf-8"))
    for corpus in sorted(CORPORA.glob("*.jsonl")):   # top level only: held_out*/ are folders
        for line in corpus.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found |= bigrams(json.loads(line)["text"])
    return found


def main() -> None:
    pairs = sorted(known_bigrams())
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text("".join(pair + "\n" for pair in pairs), encoding="utf-8")
    print(f"{len(pairs)} character pairs written to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
