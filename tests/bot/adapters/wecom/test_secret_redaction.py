"""No secret reaches the audit log, a log line or a traceback: a refused 绑定推送, a database error
whose SQL parameters hold a key, a log record naming a URL with its key."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError

from bot.keys import RUNTIME
from bot.logs import install_redaction
from storage.models import Chat, Event
from tests.bot.adapters.wecom.conftest import WORKER
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom, group_text
from tests.bot.adapters.wecom.helpers import deliver

KEY = "3a8f9c2e-secret-webhook-key"


async def event_texts(client: TestClient) -> list[str]:
    async with client.app[RUNTIME].database.transaction() as session:
        return [e.raw_text for e in await session.scalars(select(Event))]


@pytest.mark.parametrize("userid", [WORKER, "stranger"])
async def test_a_refused_bind_push_keeps_the_key_out_of_events_and_logs(
    client: TestClient, fake: FakeWeCom, caplog: pytest.LogCaptureFixture, userid: str
) -> None:
    caplog.set_level(logging.DEBUG)
    install_redaction()
    url = fake.webhook_url(KEY)
    status, reply = await deliver(client, fake, group_text(f"@跟单助手 绑定推送 {url}", msgid="bind", userid=userid))
    assert status == 200 and reply is not None and "已绑定" not in reply["stream"]["content"]
    texts = await event_texts(client)
    assert texts, "the refusal is still audited"
    assert all(KEY not in text for text in texts)
    assert KEY not in caplog.text


async def test_a_progress_message_quoting_a_url_with_a_key_is_stored_without_it(client: TestClient, fake: FakeWeCom) -> None:
    await deliver(client, fake, group_text("@跟单助手 新建订单 123 华东机械 搅拌机 50台 2026-12-20", msgid="c"))
    url = f"https://oapi.dingtalk.com/robot/send?access_token={KEY}&secret=SEC0123456789abcdef0123456789abcdef"
    await deliver(client, fake, group_text(f"@跟单助手 订单123 焊接完成，见 {url}", msgid="w"))
    texts = await event_texts(client)
    assert any("焊接完成" in text for text in texts), texts
    assert all(KEY not in text and "SEC0123456789abcdef" not in text for text in texts)


async def test_a_database_error_does_not_carry_its_parameters(client: TestClient, caplog) -> None:
    install_redaction()
    database = client.app[RUNTIME].database
    row = {"platform": "wecom", "chat_id": "wrDUP", "webhook_url": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"}
    with pytest.raises(DBAPIError) as info:
        async with database.transaction() as session:
            await session.execute(insert(Chat).values(**row))
            await session.execute(insert(Chat).values(**row))  # the unique constraint fails
    assert KEY not in str(info.value)
    logging.getLogger("gendan.test").error("write failed", exc_info=info.value)
    assert KEY not in caplog.text


def test_log_records_with_keys_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_redaction()
    log = logging.getLogger("gendan.test")
    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
    log.warning("posting to %s", url)
    log.warning("late answer to https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=%s", KEY)
    log.warning("robot https://oapi.dingtalk.com/robot/send?access_token=%s&timestamp=1&sign=abc%%2B", KEY)
    try:
        raise RuntimeError(f"could not post {url}")
    except RuntimeError:
        log.exception("failed")
    assert "failed" in caplog.text and "cgi-bin/webhook/send?key=***" in caplog.text
    assert KEY not in caplog.text
    assert KEY not in "".join(r.getMessage() for r in caplog.records)
