"""The corpora in other voices the parser is tuned against (issue 11): workshop, office, and (round 2)
phone dictation with customers' and planners' messages.

Thresholds sit just under what the parser reaches, so a regression fails here. The held-out split
(corpora/held_out/) is never asserted on: `benchmarks/corpus_score.py` reports it.
"""

import json
from datetime import datetime
from pathlib import Path

import pytest

from .parse_compare import score

CORPORA = Path(__file__).resolve().parent / "corpora"
# corpus: (accuracy at least, wrong-record rate at most, ask rate at most)
# (voice_and_customers asks often: most of it is dictation with fillers, where what would be recorded is asked)
BARS = {
    "workshop_voices.jsonl": (0.985, 0.005, 0.04),         # reached 98.9%, 0.3%, 3.7% (round 3: exceptions)
    "office_voices.jsonl": (0.995, 0.003, 0.03),           # reached 99.7%, 0.0%, 0.6%
    "voice_and_customers.jsonl": (0.935, 0.01, 0.165),     # reached 94.1%, 0.9%, 15.9%
}


@pytest.mark.parametrize("name", sorted(BARS))
def test_tuned_corpus(parser, name):
    rows = [json.loads(line) for line in (CORPORA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    result = score(rows, lambda text, now: [i.as_dict() for i in parser.parse(text, datetime.fromisoformat(now))])
    accuracy, wrong, ask = BARS[name]
    misses = "\n".join(f"{text!r} -> {got}" for text, got in result["misses"][:30])
    assert result["false_record_rate"] == 0.0, misses
    assert result["accuracy"] >= accuracy, misses
    assert result["wrong_record_rate"] <= wrong, misses
    assert result["ask_rate"] <= ask
