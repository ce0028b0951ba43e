"""Issue 11 through the dispatcher (a local chat): traditional characters and forecasts."""

from __future__ import annotations

from tests.helpers import ChatSession, create_order, events, milestone


async def test_a_report_in_traditional_characters_is_recorded_with_its_original_text(chat: ChatSession) -> None:
    await create_order(chat)
    reply = await chat.say("訂單123 組裝完成")
    assert reply.ok and "总装" in reply.text
    assert (await milestone(chat.runtime, "123", "总装")).status == "done"
    [event] = await events(chat.runtime, "progress")
    assert event.raw_text == "訂單123 組裝完成"   # the record keeps what the sender wrote


async def test_a_forecast_is_not_recorded_as_done(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("123 焊接明天应该能焊好")
    welded = await milestone(chat.runtime, "123", "焊接")
    assert welded.status == "in_progress" and welded.finished_at is None
