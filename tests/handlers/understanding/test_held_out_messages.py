"""The held-out labelled set (held_out_messages.py), written by another author before the fixes
it prompted, must parse exactly; its empties guard against false records."""

from datetime import datetime

import pytest

from .held_out_messages import MESSAGES
from .parse_compare import same_items


@pytest.mark.parametrize(("text", "now", "expected"), MESSAGES, ids=[m[0][:30] for m in MESSAGES])
def test_message(parser, text, now, expected):
    got = [item.as_dict() for item in parser.parse(text, datetime.fromisoformat(now))]
    assert same_items(expected, got), f"{text!r}\n  want {expected}\n  got  {got}"


def test_set_covers_every_intent_and_chit_chat():
    intents = {item["intent"] for _, _, items in MESSAGES for item in items}
    assert intents == {"progress", "change", "exception", "query"}
    assert sum(1 for _, _, items in MESSAGES if not items) >= 30
    assert len(MESSAGES) >= 150
