"""Parser accuracy on every labelled corpus, held-out split included, as the score tool counts it.

    python benchmarks/corpus_score.py [--json] [--final]

Prints, per corpus: messages, accuracy, accuracy by intent, wrong-record rate (a confident item the
label does not have), ask rate (an unconfident item on a message otherwise understood) and
false-record rate (an item on a message labelled []). The held-out split is scored here and only
here: no test asserts on it and no fix is tuned against it (tests/handlers/understanding/corpora).
The blind final split (corpora/held_out_final/) is skipped unless `--final` is given: it is scored
once, at the end of a round, by whoever closes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "handlers" / "understanding")]

from parse_compare import score  # noqa: E402

from handlers.templates import TemplateSet  # noqa: E402
from handlers.understanding import Parser  # noqa: E402

CORPORA = ROOT / "tests" / "handlers" / "understanding" / "corpora"


def shared_dev() -> Path:
    """shared/corpus/dev.jsonl beside the repository or beside any folder above it (worktrees)."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "corpus" / "dev.jsonl"
        if candidate.is_file():
            return candidate
    return ROOT.parent / "shared" / "corpus" / "dev.jsonl"


SETS = {
    "dev (shared)": shared_dev(),
    "workshop_voices (tuned)": CORPORA / "workshop_voices.jsonl",
    "office_voices (tuned)": CORPORA / "office_voices.jsonl",
    "voice_and_customers (tuned)": CORPORA / "voice_and_customers.jsonl",
    "floor_voices_3 (tuned)": CORPORA / "floor_voices_3.jsonl",
    "group_chat_3 (tuned)": CORPORA / "group_chat_3.jsonl",
    "office_voices_3 (tuned)": CORPORA / "office_voices_3.jsonl",
    "shift_reports_4 (tuned)": CORPORA / "shift_reports_4.jsonl",
    "office_relay_4 (tuned)": CORPORA / "office_relay_4.jsonl",
    "busy_group_4 (tuned)": CORPORA / "busy_group_4.jsonl",
    "fresh_5a (tuned)": CORPORA / "fresh_5a.jsonl",
    "phone_terse_6 (tuned)": CORPORA / "phone_terse_6.jsonl",
    "plant_floor_6 (tuned)": CORPORA / "plant_floor_6.jsonl",
    "desk_relay_6 (tuned)": CORPORA / "desk_relay_6.jsonl",
    "r7_mixed_a (tuned)": CORPORA / "r7_mixed_a.jsonl",
    "r7_mixed_b (tuned)": CORPORA / "r7_mixed_b.jsonl",
    "mixed_voices (HELD OUT)": CORPORA / "held_out" / "mixed_voices.jsonl",
    "everyday_voices_2 (HELD OUT)": CORPORA / "held_out" / "everyday_voices_2.jsonl",
    "fresh_voices_3 (HELD OUT)": CORPORA / "held_out" / "fresh_voices_3.jsonl",
    "held_out_week_4 (HELD OUT)": CORPORA / "held_out" / "held_out_week_4.jsonl",
    "fresh_5b (HELD OUT)": CORPORA / "held_out" / "fresh_5b.jsonl",
    "held_out_6 (HELD OUT)": CORPORA / "held_out" / "held_out_6.jsonl",
    "held_out_7 (HELD OUT)": CORPORA / "held_out" / "held_out_7.jsonl",
}
FINAL = {"everyday_voices (FINAL, blind)": CORPORA / "held_out_final" / "everyday_voices.jsonl"}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--json", action="store_true", help="print the figures as JSON")
    options.add_argument("--final", action="store_true",
                         help="also score the blind final split (once, at the end of a round)")
    args = options.parse_args()
    parser = Parser(TemplateSet())

    def parse(text: str, now: str) -> list[dict]:
        return [item.as_dict() for item in parser.parse(text, datetime.fromisoformat(now))]

    results = {}
    for name, path in ({**SETS, **FINAL} if args.final else SETS).items():
        if not path.is_file():
            print(f"{name}: not found at {path}, skipped", file=sys.stderr)
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        result = score(rows, parse)
        result.pop("misses")
        results[name] = result
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"{'corpus':30} {'msgs':>5} {'accuracy':>9} {'wrong-rec':>10} {'ask':>6} {'false-rec':>10}  by intent")
    for name, r in results.items():
        intents = ", ".join(f"{k} {v:.0%}" for k, v in r["by_intent"].items())
        print(f"{name:30} {r['messages']:5d} {r['accuracy']:9.1%} {r['wrong_record_rate']:10.1%} "
              f"{r['ask_rate']:6.1%} {r['false_record_rate']:10.1%}  {intents}")


if __name__ == "__main__":
    main()
