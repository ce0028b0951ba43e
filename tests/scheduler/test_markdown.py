from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scheduler.markdown import split_markdown


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


def test_parts_for_dingtalk_also_stay_within_5000_characters() -> None:
    from scheduler.markdown import limit_for

    text = "\n".join("a" * 99 for _ in range(200))  # 19,999 ASCII characters, 50 lines a part
    parts = split_markdown(text, limit_for("dingtalk"))
    assert len(parts) == 4 and all(len(p) <= 5000 for p in parts)
