"""Proactive messages (digests) into DingTalk groups through the app's registered Sender."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image

from bot.adapters.dingtalk.sender import MARKDOWN_LIMIT_BYTES as MAX_MARKDOWN_BYTES
from bot.adapters.dingtalk.sender import markdown_parts
from bot.app import create_app
from bot.config import Settings
from handlers.messages import Attachment, AttachmentNotSupported, DeliveryError, Outbound
from tests.bot.adapters.delivery import send_routed, send_through_sender
from tests.bot.adapters.dingtalk.fake_dingtalk import FakeDingTalk

GROUP = "cidGroupA=="
ROBOT_ONLY = "sales-group"
WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=robot-token-1&secret=SECrobot-secret"
DIGEST = "## 今日进度汇总\n- 订单123 焊接完成\n- 订单124 涂装 80%"


@pytest.fixture
def dingtalk_mode() -> str:
    return "http"


@pytest.fixture
def settings_data(settings_data: dict) -> dict:
    settings_data["chats"] = [
        {"platform": "dingtalk", "chat_id": GROUP, "role": "manager", "name": "经理群", "webhook_url": WEBHOOK},
        {"platform": "dingtalk", "chat_id": ROBOT_ONLY, "role": "customer", "name": "客户群", "webhook_url": WEBHOOK},
    ]
    return settings_data


@pytest.fixture
async def app(settings: Settings, aiohttp_server, fake: FakeDingTalk) -> AsyncIterator[web.Application]:  # type: ignore[no-untyped-def]
    fake.robot_secrets["robot-token-1"] = "SECrobot-secret"
    server: TestServer = await aiohttp_server(create_app(settings))
    yield server.app


async def test_digest_reaches_the_group_through_the_openapi(app: web.Application, fake: FakeDingTalk) -> None:
    await send_routed(app, Outbound("dingtalk", GROUP, DIGEST))
    [sent] = fake.recorded("group_send")
    assert sent.body["openConversationId"] == GROUP
    assert sent.body["msgKey"] == "sampleMarkdown"
    assert json.loads(sent.body["msgParam"]) == {"title": "今日进度汇总", "text": DIGEST}
    assert not fake.recorded("robot_send")


async def test_long_digest_is_split_by_lines_and_a_failed_part_is_not_sent_twice(
    app: web.Application, fake: FakeDingTalk
) -> None:
    lines = [f"- 订单{n} 焊接完成，涂装 80%，预计 12月{n % 28 + 1}日 交货" for n in range(400)]
    text = "\n".join(lines)
    # Part 1 goes out, part 2 fails through every in-process retry (3 in the test settings).
    fake.fail("group_send", 503, times=3, after=1)
    with pytest.raises(DeliveryError) as info:
        await send_routed(app, Outbound("dingtalk", GROUP, text))
    assert info.value.retryable
    # The outbox tries the message again: it resumes at part 2.
    await send_routed(app, Outbound("dingtalk", GROUP, text))
    delivered = [
        json.loads(r.body["msgParam"])["text"] for r in fake.recorded("group_send")
    ]
    delivered = [delivered[0], *delivered[4:]]
    assert len(delivered) >= -(-len(text.encode()) // MAX_MARKDOWN_BYTES) > 1
    assert all(len(part.encode()) <= MAX_MARKDOWN_BYTES for part in delivered)
    assert [line for part in delivered for line in part.split("\n")] == lines


async def test_group_without_the_app_robot_uses_its_signed_custom_robot(app: web.Application, fake: FakeDingTalk) -> None:
    await send_routed(app, Outbound("dingtalk", ROBOT_ONLY, DIGEST, mention_user_ids=("user001",)))
    assert not fake.recorded("group_send")
    [sent] = fake.recorded("robot_send")
    assert sent.query["access_token"] == "robot-token-1" and sent.query["sign"]
    assert sent.body["markdown"]["text"].startswith(DIGEST)
    assert sent.body["at"]["atUserIds"] == ["user001"]


async def test_a_resend_from_the_outbox_carries_the_same_msg_uuid(app: web.Application, fake: FakeDingTalk) -> None:
    # The custom robot's msgUuid is its idempotency key: the outbox's second attempt at a message
    # (its first answer lost) must carry the same one, so DingTalk shows the message once.
    message = Outbound("dingtalk", ROBOT_ONLY, DIGEST, idempotency_key="digest:2026-11-24:c3")
    await send_routed(app, message)
    await send_routed(app, message)
    await send_routed(app, Outbound("dingtalk", ROBOT_ONLY, DIGEST, idempotency_key="digest:2026-11-25:c3"))
    first, again, other = (r.body["msgUuid"] for r in fake.recorded("robot_send"))
    assert first == again != other


async def test_app_robot_refused_falls_back_to_the_custom_robot(app: web.Application, fake: FakeDingTalk) -> None:
    fake.fail("group_send", 400, {"code": "invalid.openConversationId", "message": "机器人不在群内"})
    await send_routed(app, Outbound("dingtalk", GROUP, DIGEST))
    assert len(fake.recorded("group_send")) == 1
    assert len(fake.recorded("robot_send")) == 1


async def test_transient_failures_are_retried_then_reported_retryable(app: web.Application, fake: FakeDingTalk) -> None:
    fake.fail("token", 500)
    fake.fail("group_send", 502)
    await send_routed(app, Outbound("dingtalk", GROUP, DIGEST))
    assert len(fake.recorded("group_send")) == 2
    fake.fail("group_send", 503, times=3)
    with pytest.raises(DeliveryError) as info:
        await send_routed(app, Outbound("dingtalk", GROUP, DIGEST))
    assert info.value.retryable
    assert not fake.recorded("robot_send")  # a transient failure is not a reason to switch robots


async def test_unknown_group_without_webhook_is_a_clear_permanent_error(app: web.Application, fake: FakeDingTalk) -> None:
    with pytest.raises(DeliveryError) as info:
        await send_routed(app, Outbound("dingtalk", "no-such-group", DIGEST))
    assert not info.value.retryable
    assert "no-such-group" in str(info.value)


async def test_sending_logs_no_secret(app: web.Application, fake: FakeDingTalk, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail("group_send", 400, {"code": "invalid.openConversationId", "message": "x"})
    fake.fail("robot_send", 502)
    await send_routed(app, Outbound("dingtalk", GROUP, DIGEST))
    secrets = [fake.client_secret, "robot-token-1", "SECrobot-secret", *fake.tokens_issued]
    leaks = [(r.name, s) for r in caplog.records for s in secrets if s in r.getMessage() + str(r.args)]
    assert caplog.records and not leaks


def test_parts_stay_within_5000_characters() -> None:
    text = "\n".join("a" * 99 for _ in range(200))  # 19,999 ASCII characters, 50 lines a part
    parts = markdown_parts(text)
    assert len(parts) == 4 and all(len(p) <= 5000 for p in parts)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), "#d64541").save(buffer, format="PNG")
    return buffer.getvalue()


async def test_a_picture_is_uploaded_and_sent_as_an_image_message(app: web.Application, fake: FakeDingTalk) -> None:
    data = _png()
    await send_through_sender(app, Outbound("dingtalk", GROUP, "说明", attachment=Attachment("image", "每日简报.png", data)))
    [upload] = fake.recorded("media_upload")
    assert upload.query["type"] == "image" and upload.query["access_token"] in fake.tokens_issued
    [sent] = fake.recorded("group_send")
    assert sent.body["msgKey"] == "sampleImageMsg"
    media_id = json.loads(sent.body["msgParam"])["photoURL"]
    assert fake.media[media_id].data == data
    assert not fake.recorded("robot_send")


async def test_a_file_is_uploaded_with_the_same_media_upload_and_sent_as_a_sample_file(
    app: web.Application, fake: FakeDingTalk
) -> None:
    data = b"PK\x03\x04" + b"x" * 200
    await send_through_sender(app, Outbound("dingtalk", GROUP, "说明", attachment=Attachment("file", "台账.xlsx", data)))
    [upload] = fake.recorded("media_upload")
    assert upload.query["type"] == "file"
    [sent] = fake.recorded("group_send")
    param = json.loads(sent.body["msgParam"])
    assert sent.body["msgKey"] == "sampleFile" and param["fileName"] == "台账.xlsx" and param["fileType"] == "xlsx"
    assert fake.media[param["mediaId"]] == ("台账.xlsx", data)
    with pytest.raises(AttachmentNotSupported):
        await send_through_sender(app, Outbound("dingtalk", ROBOT_ONLY, "说明", attachment=Attachment("file", "台账.xlsx", data)))
    assert len(fake.recorded("media_upload")) == 1


async def test_a_picture_to_a_custom_robot_group_is_not_supported(app: web.Application, fake: FakeDingTalk) -> None:
    with pytest.raises(AttachmentNotSupported):
        await send_through_sender(app, Outbound("dingtalk", ROBOT_ONLY, "说明", attachment=Attachment("image", "图.png", _png())))
    assert not fake.recorded("media_upload") and not fake.recorded("robot_send")


async def test_a_refused_picture_becomes_not_supported_and_a_transient_failure_stays_retryable(
    app: web.Application, fake: FakeDingTalk
) -> None:
    picture = Outbound("dingtalk", GROUP, "说明", attachment=Attachment("image", "图.png", _png()))
    fake.fail("group_send", 400, {"code": "invalid.openConversationId", "message": "机器人不在群内"})
    with pytest.raises(AttachmentNotSupported):
        await send_through_sender(app, picture)
    fake.fail("media_upload", 503, times=3)
    with pytest.raises(DeliveryError) as info:
        await send_through_sender(app, picture)
    assert info.value.retryable and not isinstance(info.value, AttachmentNotSupported)


async def test_through_the_outbox_a_custom_robot_group_gets_the_text_instead_of_the_picture(
    app: web.Application, fake: FakeDingTalk
) -> None:
    picture = Attachment("image", "图.png", _png())
    await send_routed(app, Outbound("dingtalk", ROBOT_ONLY, "进度图请到看板查看", attachment=picture))
    assert not fake.recorded("media_upload") and not fake.recorded("group_send")
    [sent] = fake.recorded("robot_send")
    assert sent.body["markdown"]["text"].startswith("进度图请到看板查看")


async def test_a_missing_permission_is_permanent_and_the_custom_robot_runs(
    app: web.Application, fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    fake.missing_permission = "qyapi_robot_sendmsg"
    caplog.set_level(logging.INFO)
    await send_routed(app, Outbound("dingtalk", GROUP, DIGEST))
    assert len(fake.recorded("group_send")) == 1  # not resent, not retried
    assert len(fake.tokens_issued) == 1  # not taken for a bad token
    assert len(fake.recorded("robot_send")) == 1  # the group's custom robot took over
    assert "qyapi_robot_sendmsg" in caplog.text  # the explanation is logged


async def test_a_missing_permission_without_a_custom_robot_is_not_retried_by_the_outbox(
    app: web.Application, fake: FakeDingTalk
) -> None:
    fake.missing_permission = "qyapi_robot_sendmsg"
    with pytest.raises(DeliveryError) as info:
        await send_routed(app, Outbound("dingtalk", "cidNoRobot==", DIGEST))
    assert not info.value.retryable
    assert "权限" in str(info.value) and "qyapi_robot_sendmsg" in str(info.value)
    assert len(fake.recorded("group_send")) == 1
