from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.markdown import split_markdown


def test_short_text_is_one_part_and_empty_text_none() -> None:
    assert split_markdown("**每日简报**\n- 订单123", 4096) == ["**每日简报**\n- 订单123"]
    assert split_markdown("\n \n", 4096) == []


def test_long_digest_splits_between_lines_within_the_byte_limit() -> None:
    lines = [f"- 订单{n} · 华东机械 · 焊接 逾期{n % 7}个工作日" for n in range(400)]
    parts = split_markdown("\n".join(lines), 4096)
    assert len(parts) > 1
    assert all(len(p.encode()) <= 4096 for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines


def test_an_overlong_single_line_is_cut_at_characters() -> None:
    parts = split_markdown("头\n" + "焊" * 3000 + "\n尾", 4096)
    assert all(len(p.encode()) <= 4096 for p in parts)
    assert "".join(parts).replace("\n", "") == "头" + "焊" * 3000 + "尾"


@given(st.lists(st.text(alphabet="订单焊接涂装ab12 -*", max_size=300), max_size=60), st.integers(16, 600))
def test_parts_fit_and_keep_every_line(lines: list[str], limit: int) -> None:
    text = "\n".join(lines)
    parts = split_markdown(text, limit)
    assert all(len(p.encode()) <= limit for p in parts)
    kept = "".join("".join(p.split("\n")) for p in parts)
    assert kept.replace(" ", "") == "".join(lines).replace(" ", "")


def test_parts_break_between_lines_and_fit_the_byte_limit() -> None:
    lines = [f"- 订单{n} 焊接完成，涂装 80%" for n in range(200)]
    parts = split_markdown("\n".join(lines), 1000)
    assert len(parts) > 1
    assert all(len(p.encode()) <= 1000 for p in parts)
    # Every line arrives whole, in order.
    assert [line for p in parts for line in p.split("\n")] == lines

def test_only_a_line_longer_than_the_limit_is_wrapped_at_character_boundaries() -> None:
    long_line = "焊" * 50  # 150 bytes
    parts = split_markdown(f"标题\n{long_line}\n结尾", 40)
    assert all(len(p.encode()) <= 40 for p in parts)
    assert "".join(parts).replace("\n", "") == f"标题{long_line}结尾"
    assert parts[0] == "标题"

@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=60), max_size=40), st.integers(8, 300))
def test_split_never_exceeds_the_limit_and_keeps_all_text(lines: list[str], limit: int) -> None:
    text = "\n".join(lines)
    parts = split_markdown(text, limit)
    assert all(len(p.encode("utf-8")) <= limit for p in parts)
    # Nothing but whitespace at part edges is dropped.
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_split_markdown_keeps_lines_whole_and_parts_within_the_limit() -> None:
    lines = [f"- 订单{n:04d} 焊接 {'完成' if n % 2 else '进行中'}，计划 12-{n % 28 + 1:02d}" for n in range(600)]
    text = "**今日简报**\n" + "\n".join(lines)
    parts = split_markdown(text, 4096)
    assert len(parts) > 1
    assert all(len(p.encode()) <= 4096 for p in parts)
    assert [line for p in parts for line in p.split("\n")] == text.split("\n")

def test_split_markdown_cuts_an_overlong_line_at_characters() -> None:
    parts = split_markdown("短行\n" + "焊" * 2000 + "\n尾", 4096)
    assert all(len(p.encode()) <= 4096 for p in parts)
    assert "".join(p.replace("\n", "") for p in parts) == "短行" + "焊" * 2000 + "尾"
