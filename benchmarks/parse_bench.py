"""Parser throughput, latency, memory and start-up, against plain jieba.lcut as the floor.

    python benchmarks/parse_bench.py [--messages 10000] [--rounds 10]

Messages are the project's own labelled test messages, cycled. The parser and the floor take turns
in rounds (see measure): throughput is the best round's, and the slowdown is also printed for the
median round, so a busy machine shows as a spread rather than as a wrong ratio. Pinned to one core where the OS
allows it (os.sched_setaffinity).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "handlers" / "understanding")]

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=8)))
STARTUP_CODE = """
import time
start = time.perf_counter()
from datetime import datetime, timedelta, timezone
from handlers.templates import TemplateSet
from handlers.understanding import Parser
parser = Parser(TemplateSet())
parser.parse({text!r}, datetime(2026, 11, 23, 10, tzinfo=timezone(timedelta(hours=8))))
print(time.perf_counter() - start)
"""


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity)"


def startup_seconds(text: str) -> float:
    """Interpreter start to first parse, measured in a fresh process."""
    begin = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", STARTUP_CODE.format(text=text)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    total = time.perf_counter() - begin
    return total, float(run.stdout.strip())


def warm(call, messages: list[str]) -> None:
    for text in dict.fromkeys(messages):
        call(text)   # one pass over every distinct message: one-off loads (jieba) stay out of the timing


def timed_round(call, messages: list[str], latencies: list[float]) -> float:
    """Seconds for one pass over `messages`; each message's latency is added to `latencies`."""
    gc.collect()
    begin = time.perf_counter()
    for text in messages:
        t0 = time.perf_counter()
        call(text)
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - begin


def measure(calls: dict[str, object], messages: list[str], rounds: int) -> dict[str, dict]:
    """Each call over the messages in `rounds` rounds, the calls taking turns round by round, so a
    machine whose load changes during the run slows both alike; throughput is the best round's (as
    timeit advises: the slower rounds measure the other processes, not the code)."""
    for call in calls.values():
        warm(call, messages)
    rounds = max(1, min(rounds, len(messages)))   # (every round gets at least one message)
    share = len(messages) // rounds
    chunks = [messages[i * share : (i + 1) * share] for i in range(rounds)]
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    latencies: dict[str, list[float]] = {name: [] for name in calls}
    for chunk in chunks:
        for name, call in calls.items():
            seconds[name].append(timed_round(call, chunk, latencies[name]))
    results = {}
    for name in calls:
        lat = sorted(latencies[name])
        results[name] = {
            "msgs_per_s": share / min(seconds[name]),
            "msgs_per_s_all_rounds": share * rounds / sum(seconds[name]),
            "p50_us": statistics.median(lat) * 1e6,
            "p99_us": lat[int(len(lat) * 0.99) - 1] * 1e6,
            "round_seconds": seconds[name],
        }
    return results


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--messages", type=int, default=10_000)
    options.add_argument("--rounds", type=int, default=10, help="rounds the parser and jieba take turns in")
    options.add_argument("--json", action="store_true")
    args = options.parse_args()
    pinning = pin_one_core()

    from labelled_messages import MESSAGES

    from handlers.templates import TemplateSet
    from handlers.understanding import Parser
    from handlers.understanding import segmenter

    texts = [text for text, _, _ in MESSAGES]
    messages = list(islice(cycle(texts), args.messages))
    total_start, in_process_start = startup_seconds("订单123 焊接完成")
    jieba_start, _ = startup_seconds("新来的焊工焊得不错")   # a message that needs the segmenter

    parser = Parser(TemplateSet())
    parser.parse(messages[0], NOW)
    rss_parser_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tokenizer = segmenter.tokenizer()
    measured = measure({"parser": lambda text: parser.parse(text, NOW),
                        "jieba": lambda text: tokenizer.lcut(text)}, messages, args.rounds)
    ours, floor = measured["parser"], measured["jieba"]
    rss_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratios = sorted(p / j for p, j in zip(ours["round_seconds"], floor["round_seconds"]))
    result = {
        "messages": len(messages),
        "distinct": len(texts),
        "cpu": pinning,
        "parser": ours,
        "jieba_lcut_floor": floor,
        "slowdown_vs_jieba": floor["msgs_per_s"] / ours["msgs_per_s"],
        "slowdown_vs_jieba_median_round": statistics.median(ratios),
        "peak_rss_mb_after_parsing": rss_parser_mb,
        "peak_rss_mb_with_jieba_floor": rss_peak_mb,
        "start_to_first_parse_s": total_start,
        "import_to_first_parse_s": in_process_start,
        "start_to_first_parse_needing_jieba_s": jieba_start,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['messages']} messages ({result['distinct']} distinct, cycled), {pinning}")
    print(f"parser      : {ours['msgs_per_s']:9,.0f} msgs/s   p50 {ours['p50_us']:7.1f} µs   p99 {ours['p99_us']:7.1f} µs")
    print(f"jieba.lcut  : {floor['msgs_per_s']:9,.0f} msgs/s   p50 {floor['p50_us']:7.1f} µs   p99 {floor['p99_us']:7.1f} µs")
    print(f"parser is {result['slowdown_vs_jieba']:.2f}x the jieba floor's time per message, best rounds "
          f"(target <= 3x); {result['slowdown_vs_jieba_median_round']:.2f}x in the median round of {len(ratios)}")
    print(f"peak RSS    : {rss_parser_mb:.1f} MB after parsing, {rss_peak_mb:.1f} MB with the jieba floor loaded")
    print(f"start-up    : {total_start * 1000:.0f} ms process start to first parse "
          f"({in_process_start * 1000:.0f} ms of it import + build + parse); "
          f"{jieba_start * 1000:.0f} ms when the first message needs jieba")


if __name__ == "__main__":
    main()
