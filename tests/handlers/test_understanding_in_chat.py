"""Issue 11 through the dispatcher (a local chat): traditional characters, forecasts, questions on unsure items."""

from __future__ import annotations

from storage.models import PendingConfirmation
from tests.helpers import ChatSession, count, create_order, events, milestone


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


async def test_an_unsure_item_is_asked_about_naming_the_reading_and_yes_records_it(chat: ChatSession) -> None:
    await create_order(chat)
    # a scratched housing and screws missing, neither the other's cause: quality or material? The
    # parser is unsure, so the bot asks
    reply = await chat.say("123 总装外壳有划痕，螺丝也没到")
    assert not reply.ok
    assert "我理解为：订单123 总装 异常（质量），对吗？" in reply.text and "回复「是」" in reply.text
    assert await count(chat.runtime, PendingConfirmation) == 1
    assert await events(chat.runtime, "exception_opened") == []
    confirmed = await chat.say("是")
    assert confirmed.ok and "已记录" in confirmed.text
    [event] = await events(chat.runtime, "exception_opened")
    assert event.raw_text == "123 总装外壳有划痕，螺丝也没到" and event.item["category"] == "quality"
    assert await count(chat.runtime, PendingConfirmation) == 0


async def test_a_line_stopped_for_missing_parts_is_recorded_at_once_as_material(chat: ChatSession) -> None:
    await create_order(chat)
    # the stop is the effect, the missing screws the cause: no question
    reply = await chat.say("123 总装线停了，螺丝没到")
    assert reply.ok and "我理解为" not in reply.text
    [event] = await events(chat.runtime, "exception_opened")
    assert event.item["category"] == "material" and event.item["milestone"] == "总装"


async def test_an_unsure_progress_reading_is_not_recorded_until_confirmed(chat: ChatSession) -> None:
    await create_order(chat)
    # (a correction whose target the parser cannot resolve; a voice transcript's progress is read as said)
    reply = await chat.say("更正一下：123 下料已经弄完了，焊接也已经在弄了")
    assert "我理解为：订单123 下料 完成，对吗？" in reply.text
    assert "我理解为：订单123 焊接 进行中，对吗？" in reply.text
    assert (await milestone(chat.runtime, "123", "下料")).status == "pending"
    await chat.say("对")
    assert (await milestone(chat.runtime, "123", "下料")).status == "done"
    assert (await milestone(chat.runtime, "123", "焊接")).status == "in_progress"


async def test_a_confident_report_is_recorded_without_a_question(chat: ChatSession) -> None:
    await create_order(chat)
    reply = await chat.say("123 下料完成")
    assert reply.ok and "我理解为" not in reply.text
