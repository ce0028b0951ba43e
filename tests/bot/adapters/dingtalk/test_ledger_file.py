"""导出台账 through the DingTalk Stream app: the workbook uploaded as media and sent to the group as a
`sampleFile` robot message, then the answer on the session webhook, as the fake checks them."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from openpyxl import load_workbook

from bot.app import create_app
from bot.config import Settings
from tests.bot.adapters.dingtalk.fake_dingtalk import FakeDingTalk


@pytest.fixture
async def app(settings: Settings, aiohttp_server) -> AsyncIterator[web.Application]:  # type: ignore[no-untyped-def]
    server: TestServer = await aiohttp_server(create_app(settings))
    yield server.app


async def said(fake: FakeDingTalk, text: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
    await fake.wait_ack(await fake.send_callback(fake.robot_message(text, **kwargs)))


async def test_the_ledger_arrives_as_a_file_in_the_group(app: web.Application, fake: FakeDingTalk) -> None:
    await fake.wait_connected()
    await said(fake, "新建订单 00123 华东机械 搅拌机 50台 2027-01-20", session="s-new")
    await said(fake, "导出台账", session="s-export")
    send, = await fake.wait_requests("group_send", 1)
    await fake.wait_requests("session", 2)  # the answer follows the file
    answers = [r for r in fake.recorded("session") if r.query["session"] == "s-export"]
    assert answers and "订单跟踪台账" in answers[0].body["markdown"]["text"]
    assert send.body["msgKey"] == "sampleFile" and send.body["openConversationId"] == "cidGroupA=="
    param = json.loads(send.body["msgParam"])
    filename, data = fake.media[param["mediaId"]]
    assert param["fileName"] == filename and filename.startswith("台账-") and param["fileType"] == "xlsx"
    upload, = fake.recorded("media_upload")
    assert upload.query["type"] == "file"
    rows = list(load_workbook(io.BytesIO(data))["台账"].iter_rows(values_only=True))
    assert rows[1][0] == "00123"


async def test_a_single_chat_is_told_the_file_goes_to_groups_only(app: web.Application, fake: FakeDingTalk) -> None:
    await fake.wait_connected()
    await said(fake, "导出台账", session="s-single", conversation_type="1", conversation_id="cidSingle==")
    answer, = await fake.wait_requests("session", 1)
    assert "发不了文件" in answer.body["markdown"]["text"]
    assert fake.recorded("media_upload") == [] and fake.media == {}
