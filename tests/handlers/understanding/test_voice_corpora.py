"""The corpora in other voices the parser is tuned against (issue 11): workshop, office, (round 2)
phone dictation with customers' and planners' messages, and (round 3) floor, group-chat and office voices
by three more writers; rounds 4 to 7 add the corpora of eleven more (corpora/README.md).

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
# (round 3: only the exceptions of a dictated transcript are asked, so voice_and_customers asks far less;
# the three *_3 corpora were scored unseen with main's parser first: 82.3%, 82.3%, 78.3%)
BARS = {
    "workshop_voices.jsonl": (0.99, 0.003, 0.02),          # reached 99.4%, 0.0%, 1.4%
    "office_voices.jsonl": (0.995, 0.003, 0.01),           # reached 100%, 0.0%, 0.6%
    "voice_and_customers.jsonl": (0.97, 0.004, 0.055),     # reached 97.5%, 0.3%, 5.1%
    "floor_voices_3.jsonl": (0.965, 0.015, 0.015),         # reached 97.0%, 1.3%, 1.0% (0.7% before competing shares asked)
    "group_chat_3.jsonl": (0.98, 0.005, 0.005),            # reached 98.7%, 0.3%, 0.0%
    "office_voices_3.jsonl": (0.95, 0.015, 0.015),         # reached 95.3%, 1.3%, 1.0%
    # round 4, scored unseen first: 84.3% / 7.0%, 78.7% / 10.7%, 92.3% / 3.7% (accuracy / wrong-record)
    "shift_reports_4.jsonl": (0.965, 0.005, 0.03),         # reached 97.0%, 0.3%, 2.7%
    "office_relay_4.jsonl": (0.975, 0.012, 0.035),         # reached 98.0%, 1.0%, 3.4%
    "busy_group_4.jsonl": (0.99, 0.005, 0.015),            # reached 99.7%, 0.3%, 1.3%
    # round 5, unseen first (after round 4): 86.5% / 8.5%, false records 15.6%
    "fresh_5a.jsonl": (0.955, 0.012, 0.025),               # reached 96.0%, 1.0%, 2.1%
    # round 6, unseen first: 81.6% / 7.6%, 77.6% / 13.6%, 83.2% / 8.4%
    "phone_terse_6.jsonl": (0.96, 0.022, 0.012),           # reached 96.8%, 2.0%, 0.8%
    "plant_floor_6.jsonl": (0.92, 0.026, 0.035),           # reached 92.8%, 2.4%, 3.0%
    "desk_relay_6.jsonl": (0.96, 0.01, 0.015),             # reached 96.4%, 0.8%, 1.2%
    # round 7, unseen first (after round 6): 80.5% / 7.5%, 76.5% / 13.0%
    "r7_mixed_a.jsonl": (0.955, 0.012, 0.04),              # reached 96.0%, 1.0%, 3.6%
    "r7_mixed_b.jsonl": (0.93, 0.022, 0.03),               # reached 93.5%, 2.0%, 2.7%
}


# chit-chat with an item: none, except group_chat_3 (35% talk that mentions orders and milestones): 1 of 105, asked
# and office_relay_4 (30% no report): 1 of 89
# and round 6-7 corpora: plans for a coming day and a link the sales should look at, every one asked (unconfident)
FALSE_RECORDS = {"group_chat_3.jsonl": 0.011, "office_relay_4.jsonl": 0.012, "plant_floor_6.jsonl": 0.015,
                 "desk_relay_6.jsonl": 0.026, "r7_mixed_b.jsonl": 0.035}


@pytest.mark.parametrize("name", sorted(BARS))
def test_tuned_corpus(parser, name):
    rows = [json.loads(line) for line in (CORPORA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    result = score(rows, lambda text, now: [i.as_dict() for i in parser.parse(text, datetime.fromisoformat(now))])
    accuracy, wrong, ask = BARS[name]
    misses = "\n".join(f"{text!r} -> {got}" for text, got in result["misses"][:30])
    assert result["false_record_rate"] <= FALSE_RECORDS.get(name, 0.0), misses
    assert result["accuracy"] >= accuracy, misses
    assert result["wrong_record_rate"] <= wrong, misses
    assert result["ask_rate"] <= ask
