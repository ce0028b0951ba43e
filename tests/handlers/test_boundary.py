from __future__ import annotations

from dataclasses import replace

from handlers.boundary import normalise
from handlers.messages import InboundMessage
from storage.limits import column_limit
from storage.models import Chat, Person
from tests.conftest import NOW

CLEAN = InboundMessage(platform="wecom", chat_id="群1", sender_id="zhangsan", text="订单123 焊接完成",
                       message_id="m1", sent_at=NOW, sender_name="张三", chat_name="生产群", mentions=("跟单助手",))


def test_a_message_that_needs_nothing_is_passed_on_as_it_is() -> None:
    assert normalise(CLEAN) is CLEAN
    assert normalise(normalise(CLEAN)) is CLEAN


def test_each_field_that_needs_it_is_cleaned_and_the_rest_kept() -> None:
    long_name = "王" * (column_limit(Person.display_name) + 5)
    long_chat = "群" * (column_limit(Chat.name) + 1)
    cases = [
        (replace(CLEAN, text="订单123\x00 焊接完成"), {"text": "订单123 焊接完成"}),
        (replace(CLEAN, text="焊接\ud800完成"), {"text": "焊接?完成"}),
        (replace(CLEAN, chat_id="群\x001"), {"chat_id": "群1"}),
        (replace(CLEAN, sender_id="zhang\x00san"), {"sender_id": "zhangsan"}),
        (replace(CLEAN, message_id="m\x001"), {"message_id": "m1"}),
        (replace(CLEAN, sender_name=long_name), {"sender_name": long_name[: column_limit(Person.display_name)]}),
        (replace(CLEAN, chat_name=long_chat), {"chat_name": long_chat[: column_limit(Chat.name)]}),
        (replace(CLEAN, mentions=("跟单\x00助手",)), {"mentions": ("跟单助手",)}),
        (replace(CLEAN, mentions=["跟单助手"]), {"mentions": ("跟单助手",)}),  # a list from an adapter: a tuple
    ]
    for message, changed in cases:
        assert normalise(message) == replace(CLEAN, **changed), message
