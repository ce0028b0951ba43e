"""The project's own labelled messages (labelled_messages.py) must all parse exactly."""

from datetime import datetime

import pytest

from .labelled_messages import MESSAGES
from .parse_compare import same_items


@pytest.mark.parametrize(("text", "now", "expected"), MESSAGES, ids=[m[0][:30] for m in MESSAGES])
def test_message(parser, text, now, expected):
    got = [item.as_dict() for item in parser.parse(text, datetime.fromisoformat(now))]
    assert same_items(expected, got), f"{text!r}\n  want {expected}\n  got  {got}"


def test_set_is_large_and_covers_every_intent():
    intents = {item["intent"] for _, _, items in MESSAGES for item in items}
    assert intents == {"progress", "change", "exception", "query"}
    assert sum(1 for _, _, items in MESSAGES if not items) >= 30
    assert len(MESSAGES) >= 120
