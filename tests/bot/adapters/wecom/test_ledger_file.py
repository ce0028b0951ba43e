"""导出台账 through a real WeCom callback: the answer, then the workbook as a file message through the
group's push webhook (upload_media, then msgtype file), as the fake WeCom checks them."""

from __future__ import annotations

import io

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from tests.bot.adapters.wecom.conftest import GROUP_KEY
from tests.bot.adapters.wecom.fake_wecom import FakeWeCom, group_text
from tests.bot.adapters.wecom.helpers import deliver, say


async def test_the_ledger_arrives_as_a_file_message(client: TestClient, fake: FakeWeCom) -> None:
    created = await say(client, fake, "@跟单助手 新建订单 00123 华东机械 搅拌机 50台 2027-01-20", "m-1")
    assert "已新建订单 00123" in created
    answer = await say(client, fake, "@跟单助手 导出台账", "m-2")
    assert "订单跟踪台账" in answer and "发不了文件" not in answer
    (media_id, (key, filename, data)), = fake.uploads.items()
    assert key == GROUP_KEY and filename.startswith("台账-") and filename.endswith(".xlsx")
    assert fake.webhook_posts[-1] == (GROUP_KEY, {"msgtype": "file", "file": {"media_id": media_id}})
    rows = list(load_workbook(io.BytesIO(data))["台账"].iter_rows(values_only=True))
    assert rows[1][0] == "00123"


async def test_a_redelivered_command_does_not_send_the_file_twice(client: TestClient, fake: FakeWeCom) -> None:
    await say(client, fake, "@跟单助手 导出台账", "m-same")
    await say(client, fake, "@跟单助手 导出台账", "m-same")
    assert len(fake.uploads) == 1 and [body["msgtype"] for _, body in fake.webhook_posts] == ["file"]


async def test_a_group_without_a_push_webhook_is_told_plainly(client: TestClient, fake: FakeWeCom) -> None:
    status, reply = await deliver(client, fake, group_text("@跟单助手 导出台账", msgid="m-3", chatid="wrOTHER",
                                                           response_url=fake.response_url()))
    answer = reply["stream"]["content"]
    assert status == 200 and "订单跟踪台账" in answer and "这个群发不了文件" in answer and "绑定推送" in answer
    assert fake.uploads == {}
