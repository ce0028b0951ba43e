"""The pictures sent with the digests: chart content, PNG limits, glyph coverage, the outbox path."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image
from sqlalchemy import select

from bot.runtime import Runtime
from handlers.messages import AttachmentNotSupported, Outbound
from handlers.templates import DEFAULT_TEMPLATE
from handlers.customer_view import CUSTOMER_CATEGORY_WORDS, stage_words
from scheduler.pictures import render
from scheduler.pictures.charts import (
    CustomerChart,
    DigestChart,
    customer_chart,
    digest_chart,
    on_time_trend,
)
from scheduler.pictures.compose import Pictures
from scheduler.pictures.config import PictureConfig
from scheduler.pictures.fonts import CjkFont, FontUnavailable, find_cjk_font, missing_glyphs
from scheduler.service import SchedulerService
from scheduler.read_model import MilestoneRow, OrderRow
from scheduler.workindex import WorkdayIndex
from handlers.workdays import WorkCalendar
from storage.models import OutboxMessage
from tests.helpers import ChatSession
from tests.scheduler.conftest import TEMPLATE, RecordingSender, at

TODAY = date(2026, 12, 3)
CUSTOMERS = ("华东机械", "西北重工", "南方电机股份有限公司")


@pytest.fixture(scope="module")
def font() -> CjkFont:
    try:
        return find_cjk_font()
    except FontUnavailable as exc:
        pytest.skip(f"no CJK font installed ({exc}); .ci/run installs fonts-wqy-microhei")


def _order(n: int, *, customer: str, late_by: int, done: int, template=TEMPLATE["milestones"]) -> OrderRow:
    """An order whose milestones were planned from `late_by` working days ago on, `done` of them done."""
    start = TODAY - timedelta(days=late_by + 2)
    milestones = [
        MilestoneRow(n * 100 + seq, n, seq, m["name"], start + timedelta(days=2 * seq), m.get("days", 1),
                     "done" if seq <= done else ("in_progress" if seq == done + 1 else "pending"),
                     50 if seq == done + 1 else None, "张三", m.get("department"), None)
        for seq, m in enumerate(template, start=1)
    ]
    due = milestones[-1].planned_date + timedelta(days=1)
    return OrderRow(n, f"A{n:03d}", CUSTOMERS.index(customer) + 1, customer, "搅拌机", 10, "台", due,
                    "in_production", "张三", milestones)


def _orders(count: int) -> list[OrderRow]:
    return [_order(n, customer=CUSTOMERS[n % 3], late_by=3 + n % 9, done=n % 2) for n in range(1, count + 1)]


def _index() -> WorkdayIndex:
    return WorkdayIndex(WorkCalendar(), TODAY)


def _chart(count: int, extra: tuple[OrderRow, ...] = ()) -> DigestChart:
    trend = on_time_trend([(TODAY - timedelta(days=d), TODAY - timedelta(days=d - d % 4 + 1)) for d in range(40)], TODAY)
    return digest_chart([*_orders(count), *extra], trend, today=TODAY, index=_index(), max_bars=40)


def _bar_count(figure) -> int:  # noqa: ANN001
    """Drawn order bars: the thin 'actual' bars of the digest's bar axes."""
    axes = figure.axes[1]
    return sum(1 for p in axes.patches if isinstance(p, Rectangle) and abs(p.get_height() - 0.36) < 1e-9)


def test_the_digest_chart_lists_late_and_at_risk_orders_most_urgent_first() -> None:
    on_time = _order(99, customer="华东机械", late_by=-30, done=0)
    chart = _chart(50, extra=(on_time,))
    assert len(chart.bars) == 40 and chart.more == 10  # 50 late orders; the on-time one is left out
    assert "A099" not in [b.order_no for b in chart.bars]
    lateness = [(not b.past_due, -b.days_late) for b in chart.bars]
    assert lateness == sorted(lateness)
    late = [b for b in chart.bars if b.days_late]
    assert late and all(b.planned > b.actual for b in late)
    assert len(chart.trend) == 8 and sum(p.delivered for p in chart.trend) > 0


def test_no_late_or_at_risk_order_gives_no_bars() -> None:
    on_time = _order(1, customer="华东机械", late_by=-30, done=0)
    chart = digest_chart([on_time], (), today=TODAY, index=_index(), max_bars=40)
    assert chart.bars == () and chart.more == 0


def test_the_png_decodes_stays_under_the_limit_and_is_the_same_for_the_same_data(font: CjkFont) -> None:
    for count in (1, 12, 40):
        chart = _chart(count)
        figure = render.draw_digest(chart, font)
        assert _bar_count(figure) == len(chart.bars)
        data = render.render_digest(chart, font)
        assert len(data) < render.MAX_PICTURE_BYTES
        image = Image.open(io.BytesIO(data))
        image.verify()
        size = Image.open(io.BytesIO(data)).size
        assert size[0] == 800
        assert Image.open(io.BytesIO(render.render_digest(chart, font))).size == size
    assert Image.open(io.BytesIO(render.render_digest(_chart(40), font))).size[1] > \
        Image.open(io.BytesIO(render.render_digest(_chart(12), font))).size[1]


def test_the_png_is_made_smaller_when_over_the_limit(font: CjkFont) -> None:
    figure = render.draw_digest(_chart(40), font)
    full = render.png(figure)
    smaller = render.png(figure, limit=len(full) // 2)
    assert len(smaller) <= len(full) // 2
    assert Image.open(io.BytesIO(smaller)).size[0] < 800


def _texts(figure) -> str:  # noqa: ANN001
    return "".join(t.get_text() for t in figure.findobj(Text))


def test_the_font_has_every_character_the_charts_can_show(font: CjkFont, settings) -> None:  # noqa: ANN001
    """Everything drawn for the test data, every configured milestone name in the customer's stage
    wording, digits and the fixed labels: no character may fall back to a box."""
    orders = _orders(40)
    drawn = _texts(render.draw_digest(_chart(40), font))
    drawn += _texts(render.draw_digest(replace(_chart(3), trend=on_time_trend([], TODAY)), font))
    for customer in CUSTOMERS:
        mine = [o for o in orders if o.customer == customer]
        chart = customer_chart(customer, mine, today=TODAY, index=_index(), stage_words=stage_words)
        drawn += _texts(render.draw_customer(chart, font))
    names = [m.name for t in (*settings.template_set.templates, DEFAULT_TEMPLATE) for m in t.milestones]
    stages = "".join(stage_words(replace(orders[0], status=s)) for s in
                     ("intake", "review", "planned", "in_production", "shipped"))
    stages += "".join(f"生产中（当前工序：{name} 80%）" for name in names)
    labels = "".join(
        getattr(render, name) for name in dir(render) if name.isupper() and isinstance(getattr(render, name), str)
    )
    extra = "0123456789%-·…（）「」" + "".join(CUSTOMER_CATEGORY_WORDS.values()) + "".join(CUSTOMERS)
    assert missing_glyphs(font, drawn + stages + labels + extra + "".join(names)) == []
    assert "华东机械" in drawn and "预计交付" in drawn and "准时交付率" in drawn


def test_missing_glyphs_are_found() -> None:
    import matplotlib

    latin_only = CjkFont(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf", "DejaVu Sans")
    assert missing_glyphs(latin_only, "A1 焊接 焊") == ["焊", "接"]


def test_a_configured_font_that_is_not_there_is_refused(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(FontUnavailable, match="不存在"):
        find_cjk_font(str(tmp_path / "none.ttc"))
    pictures = Pictures(PictureConfig(font_path=str(tmp_path / "none.ttc")))
    assert not pictures.usable()


def test_a_customer_chart_refuses_another_customers_order() -> None:
    orders = [_order(1, customer="华东机械", late_by=2, done=1), _order(2, customer="西北重工", late_by=2, done=1)]
    with pytest.raises(ValueError, match="A002"):
        customer_chart("华东机械", orders, today=TODAY, index=_index(), stage_words=stage_words)


# -- through the jobs and the outbox ---------------------------------------------------------------


async def _late_orders(runtime: Runtime) -> None:
    chat = ChatSession(runtime, now=at(23, 8), chat_id="焊接群", user="张三")
    for text in ("新建订单 A100 华东机械 搅拌机 20台 2026-12-04 模板=短线",
                 "新建订单 B200 西北重工 料仓 2台 2026-12-18 模板=短线"):
        assert (await chat.say(text)).ok


async def test_the_digest_picture_follows_the_text_under_its_own_key(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender, font: CjkFont
) -> None:
    await _late_orders(runtime)
    await service.tick(at(2, 8, 31, month=12))  # A100 下料 and 焊接 late by now
    to_managers = [m for m in sender.sent if m.chat_id == "经理群"]
    assert to_managers[0].text.startswith("**每日简报 12-02") and to_managers[0].attachment is None
    [picture] = sender.pictures_to("经理群")
    assert to_managers.index(picture) > 0
    assert picture.attachment.kind == "image" and picture.attachment.filename == "每日简报-20261202.png"
    Image.open(io.BytesIO(picture.attachment.data)).verify()
    async with runtime.database.transaction() as session:
        keys = list(await session.scalars(select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id)))
    assert "digest:2026-12-02:c1:picture" in keys

    await service.tick(at(2, 9, 0, month=12))  # a second tick the same day sends nothing more
    assert len(sender.pictures_to("经理群")) == 1


async def test_a_digest_without_late_orders_sends_no_picture(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender, font: CjkFont
) -> None:
    chat = ChatSession(runtime, now=at(23, 8), chat_id="焊接群", user="张三")
    assert (await chat.say("新建订单 B200 西北重工 料仓 2台 2026-12-18 模板=短线")).ok
    await service.tick(at(24, 8, 31))
    assert sender.to("经理群") and sender.pictures_to("经理群") == []


async def test_a_customer_picture_shows_only_that_customers_orders(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender, font: CjkFont,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[CustomerChart] = []
    original = render.render_customer

    def spy(chart: CustomerChart, font: CjkFont) -> bytes:
        drawn.append(chart)
        return original(chart, font)

    monkeypatch.setattr(render, "render_customer", spy)
    await _late_orders(runtime)
    await service.tick(at(30, 9, 0))  # Monday: the weekly updates
    by_customer = {c.customer: [b.order_no for b in c.bars] for c in drawn}
    assert by_customer == {"华东机械": ["A100"], "西北重工": ["B200"]}
    assert len(sender.pictures_to("华东群")) == 1 and len(sender.pictures_to("西北群")) == 1
    east = [m for m in sender.sent if m.chat_id == "华东群"]
    assert east[0].attachment is None and east[1].attachment is not None


class TextOnlySender(RecordingSender):
    """A route that cannot carry pictures."""

    async def send(self, message: Outbound) -> None:
        if message.attachment is not None:
            raise AttachmentNotSupported("this chat's route has no image message")
        await super().send(message)


async def test_where_no_route_carries_the_picture_the_chat_is_told_where_to_look(
    runtime: Runtime, settings, font: CjkFont  # noqa: ANN001
) -> None:
    from tests.scheduler.conftest import make_service

    sender = TextOnlySender()
    service = make_service(runtime, settings, sender)
    await _late_orders(runtime)
    await service.tick(at(2, 8, 31, month=12))
    texts = sender.to("经理群")
    assert texts[0].startswith("**每日简报") and "无法在本群显示图片" in texts[1]
    assert sender.pictures_to("经理群") == []
    async with runtime.database.transaction() as session:
        statuses = set(await session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent"}


async def test_a_failed_picture_send_is_retried_with_its_bytes(
    runtime: Runtime, service: SchedulerService, sender: RecordingSender, font: CjkFont
) -> None:
    await _late_orders(runtime)
    await service.runner.run_due(at(2, 8, 31, month=12), only=["daily_digest"])
    async with runtime.database.transaction() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.attachment_kind.is_not(None)))
        stored = (await session.execute(
            select(OutboxMessage.attachment_data).where(OutboxMessage.id == row.id))).scalar_one()
    sender.fail_next(1)  # the digest text fails first; the picture waits behind it
    await service.worker.deliver_due(at(2, 8, 32, month=12))
    assert sender.to("经理群") == [] and sender.pictures_to("经理群") == []
    await service.worker.deliver_due(at(2, 8, 33, month=12))
    [picture] = sender.pictures_to("经理群")
    assert picture.attachment.data == stored
