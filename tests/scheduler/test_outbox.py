"""Delivery from the outbox: retried with backoff, never dropped, in order per chat, visible."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.runtime import Runtime
from handlers.messages import Attachment, Outbound
from scheduler.outbox import backoff, defer_to_outbox, retry_now, undelivered
from scheduler.service import SchedulerService
from storage.models import OutboxMessage
from storage.outbox import enqueue
from tests.conftest import NOW
from tests.scheduler.conftest import RecordingSender


async def put(runtime: Runtime, key: str, chat_id: str = "经理群", text: str = "简报") -> None:
    await runtime.database.run(
        lambda session: enqueue(session, dedupe_key=key, platform="local", chat_id=chat_id, text=text, now=NOW)
    )


async def stored(runtime: Runtime) -> list[OutboxMessage]:
    async with runtime.database.transaction() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_failed_send_is_retried_with_backoff_and_then_delivered_once(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    await put(runtime, "digest:1")
    sender.fail_next(2)
    first = await service.worker.deliver_due(NOW)
    assert first.retrying and not first.sent
    [message] = await stored(runtime)
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "平台返回 503")
    assert message.next_attempt_at == NOW + service.config.outbox_backoff

    # Not due yet: nothing happens; then the second failure doubles the wait.
    assert not await service.worker.deliver_due(NOW + timedelta(seconds=10))
    await service.worker.deliver_due(message.next_attempt_at)
    [message] = await stored(runtime)
    assert message.attempts == 2
    assert message.next_attempt_at - NOW == service.config.outbox_backoff * 3

    report = await service.worker.deliver_due(message.next_attempt_at)
    assert len(report.sent) == 1
    [message] = await stored(runtime)
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, None)
    assert [m.text for m in sender.sent] == ["简报"]
    assert not await service.worker.deliver_due(NOW + timedelta(days=1))
    assert len(sender.sent) == 1


async def test_a_message_that_keeps_failing_is_kept_as_failed_and_listed_until_retried(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    await put(runtime, "warn:1")
    sender.fail_next(1, retryable=False)
    report = await service.worker.deliver_due(NOW)
    assert report.failed and not report.sent
    async with runtime.database.transaction() as session:
        listed = await undelivered(session)
    assert [(m.dedupe_key, m.status, m.last_error) for m in listed] == [("warn:1", "failed", "平台返回 503")]
    assert not await service.worker.deliver_due(NOW + timedelta(days=1))  # failed stays put

    later = NOW + timedelta(hours=1)
    assert await runtime.database.run(lambda session: retry_now(session, later)) == 1
    assert (await service.worker.deliver_due(later)).sent
    async with runtime.database.transaction() as session:
        assert await undelivered(session) == []
    assert [m.text for m in sender.sent] == ["简报"]


async def test_retries_run_out_after_max_attempts(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    await put(runtime, "warn:2")
    sender.fail_next(100)
    moment = NOW
    for _ in range(service.config.outbox_max_attempts):
        await service.worker.deliver_due(moment)
        moment += service.config.outbox_backoff_max
    [message] = await stored(runtime)
    assert (message.status, message.attempts) == ("failed", service.config.outbox_max_attempts)
    assert backoff(20, service.config) == service.config.outbox_backoff_max


async def test_a_failing_message_holds_back_later_ones_to_the_same_chat_only(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    await put(runtime, "digest:2026-11-23:c1", text="第一部分")
    await put(runtime, "digest:2026-11-23:c1#2", text="第二部分")
    await put(runtime, "remind:c2", chat_id="焊接群", text="提醒")
    sender.fail_next(1)
    await service.worker.deliver_due(NOW)
    assert [m.text for m in sender.sent] == ["提醒"]
    assert not await service.worker.deliver_due(NOW + timedelta(seconds=1))
    await service.worker.deliver_due(NOW + timedelta(minutes=1))
    assert [m.text for m in sender.sent] == ["提醒", "第一部分", "第二部分"]
    assert [m.attempts for m in await stored(runtime)] == [2, 1, 1]


async def test_a_platform_without_a_sender_keeps_its_messages_pending(
    runtime: Runtime, service: SchedulerService
) -> None:
    await runtime.database.run(
        lambda session: enqueue(session, dedupe_key="k", platform="wecom", chat_id="wr1", text="x", now=NOW)
    )
    report = await service.worker.deliver_due(NOW)
    assert report.retrying
    [message] = await stored(runtime)
    assert message.status == "pending" and "no sender for platform 'wecom'" in message.last_error


async def test_a_picture_reaches_the_sender_with_its_stored_bytes_and_its_chat_route(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    data = bytes(range(256)) * 40
    await runtime.database.run(
        lambda session: enqueue(
            session, dedupe_key="digest:1:picture", platform="local", chat_id="经理群", text="图片看不到时的说明",
            now=NOW, attachment_kind="image", attachment_filename="每日简报.png", attachment_data=data,
        )
    )
    await service.worker.deliver_due(NOW)
    [message] = sender.sent
    assert message.attachment == Attachment("image", "每日简报.png", data)
    assert message.text == "图片看不到时的说明" and message.route.is_chat


async def test_an_answer_left_to_the_outbox_keeps_its_attachment(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender
) -> None:
    ledger = Attachment("file", "台账-20261127.xlsx", b"PK\x03\x04 ledger")
    await defer_to_outbox(runtime.database, Outbound("local", "经理群", "台账见附件", attachment=ledger),
                          dedupe_key="answer:1", now=NOW)
    await service.worker.deliver_due(NOW)
    [message] = sender.sent
    assert message.attachment == ledger and message.text == "台账见附件"
