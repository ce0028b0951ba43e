"""Learning from use: confirmations and corrections become labelled examples; `gendan corpus export`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.learning.examples import all_examples, as_jsonl
from storage.models import ExampleSource, LabelledExample
from tests.conftest import SHANGHAI
from tests.helpers import ChatSession, create_order


async def _examples(chat: ChatSession) -> list[LabelledExample]:
    return list(await chat.runtime.database.run(all_examples))


async def test_a_confirmed_question_is_stored_with_what_the_text_wrote(chat: ChatSession) -> None:
    await create_order(chat)
    asked = await chat.say("订单129 焊接完成")
    assert "是指订单 123 吗" in asked.text
    assert await _examples(chat) == []
    sent_at = chat.now
    assert (await chat.say("是")).ok
    [example] = await _examples(chat)
    assert example.source == ExampleSource.CONFIRMATION
    assert example.text == "订单129 焊接完成" and example.reference_time == sent_at
    # the label is what the text says (129, a number that exists nowhere), not the order it was applied to
    assert example.items == [{"intent": "progress", "order_no": "129", "milestone": "焊接", "status": "done",
                              "percent": None, "field": None, "op": None, "value": None, "category": None,
                              "date": None}]
    line = next(as_jsonl([example], SHANGHAI))
    assert line.startswith('{"text": "订单129 焊接完成", "now": "2026-11-23T10:00:02+08:00", "items": [{"intent"')


async def test_a_message_replacing_a_questioned_one_labels_it(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("订单128 焊接完成")
    questioned_at = chat.now
    assert (await chat.say("订单123 焊接完成")).ok
    [example] = await _examples(chat)
    assert example.source == ExampleSource.CORRECTION
    assert (example.text, example.replacement_text) == ("订单128 焊接完成", "订单123 焊接完成")
    assert example.reference_time == questioned_at
    assert [(i["order_no"], i["milestone"]) for i in example.items] == [("128", "焊接")]


async def test_an_undo_then_a_new_record_within_minutes_is_a_correction(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("订单123 排产完成，涂装完成")
    await chat.say("撤销")  # undoes 涂装 only
    chat.now += timedelta(minutes=3)
    await chat.say("订单123 总装完成")
    [example] = await _examples(chat)
    assert example.source == ExampleSource.CORRECTION and example.text == "订单123 排产完成，涂装完成"
    assert sorted(i["milestone"] for i in example.items) == ["总装", "排产"]


async def test_a_record_long_after_an_undo_or_a_plain_record_teaches_nothing(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("订单123 涂装完成")
    await chat.say("撤销")
    chat.now += timedelta(minutes=30)
    await chat.say("订单123 总装完成")
    await chat.say("订单123 质检完成")
    assert await _examples(chat) == []


async def test_a_correction_is_stored_once(chat: ChatSession) -> None:
    await create_order(chat)
    await chat.say("订单128 焊接完成")
    await chat.say("订单123 焊接完成")
    await chat.say("订单123 涂装完成")
    async with chat.runtime.database.transaction() as session:
        assert len(list(await session.scalars(select(LabelledExample)))) == 1
