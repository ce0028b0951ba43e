"""The shared labelled dev corpus (../shared/corpus/dev.jsonl beside the repository)."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from .parse_compare import same_items

DEV = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "dev.jsonl"


@pytest.fixture(scope="module")
def dev_rows() -> list[dict]:
    if not DEV.is_file():
        pytest.skip(f"shared dev corpus not found at {DEV} (shared/ is not checked out beside the repo)")
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_dev_accuracy_and_no_false_records(parser, dev_rows):
    right, empties, false_records, misses = 0, 0, 0, []
    for row in dev_rows:
        got = [item.as_dict() for item in parser.parse(row["text"], datetime.fromisoformat(row["now"]))]
        ok = same_items(row["items"], got)
        right += ok
        if not row["items"]:
            empties += 1
            false_records += bool(got)
        if not ok:
            misses.append((row["text"], got))
    assert false_records == 0, misses
    assert right / len(dev_rows) >= 0.97, misses
