"""The pictures the jobs send: built from the rows the job already loaded, rendered off the event
loop, and handed back as drafts that follow the text under their own dedupe keys.

A picture goes out only with a usable CJK font (see `fonts`); without one the digests stay text
and a warning, logged once, says why. Where the platform route cannot carry a picture, the text of
the picture's draft is what the chat gets instead: it says where to look.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.messages import Attachment
from handlers.customer_view import stage_words
from scheduler.drafts import Draft
from scheduler.pictures.charts import (
    TREND_WEEKS,
    customer_chart,
    deliveries_since,
    digest_chart,
    on_time_trend,
    week_start,
)
from scheduler.pictures.fonts import CjkFont, FontUnavailable, find_cjk_font
from scheduler.pictures.config import PictureConfig
from scheduler.read_model import ChatRow, OrderRow
from scheduler.workindex import WorkdayIndex

log = logging.getLogger(__name__)

PICTURE_KEY_SUFFIX = ":picture"


def digest_filename(day: date) -> str:
    return f"每日简报-{day:%Y%m%d}.png"


def customer_filename(day: date) -> str:
    return f"订单进度-{day:%Y%m%d}.png"


class Pictures:
    """Renders the pictures of one deployment; finds its font once."""

    def __init__(self, config: PictureConfig) -> None:
        self.config = config
        self._font: CjkFont | None = None
        self._unavailable: str | None = None

    def font(self) -> CjkFont:
        """The font to draw with; FontUnavailable (whose message says what to do) otherwise."""
        if self._font is None and self._unavailable is None:
            try:
                self._font = find_cjk_font(self.config.font_path)
            except FontUnavailable as exc:
                self._unavailable = str(exc)
                log.warning("pictures are not sent with the digests: %s", exc)
        if self._font is None:
            raise FontUnavailable(self._unavailable or "")
        return self._font

    def usable(self) -> bool:
        if not self.config.enabled:
            return False
        try:
            self.font()
        except FontUnavailable:
            return False
        return True

    def fallback_text(self, what: str) -> str:
        """What a chat that cannot receive the picture reads instead."""
        if self.config.board_url:
            return f"📊 {what}无法在本群显示图片，请在看板查看：{self.config.board_url}"
        return f"📊 {what}无法在本群显示图片，发送「订单列表」或「进度 订单号」可查看详情。"

    async def digest_png(
        self, session: AsyncSession, orders: Sequence[OrderRow], *, today: date, index: WorkdayIndex
    ) -> bytes | None:
        """The digest picture, or None when no order is late or at risk."""
        since = week_start(today) - timedelta(weeks=TREND_WEEKS - 1)
        trend = on_time_trend(await deliveries_since(session, since), today)
        chart = digest_chart(orders, trend, today=today, index=index, max_bars=self.config.max_bars)
        if not chart.bars:
            return None
        from scheduler.pictures.render import render_digest  # matplotlib: imported when first drawn

        return await asyncio.to_thread(render_digest, chart, self.font())

    async def customer_png(
        self, customer: str, orders: Sequence[OrderRow], *, today: date, index: WorkdayIndex
    ) -> bytes | None:
        """The weekly update picture of `customer`'s orders (all of which must be theirs)."""
        from scheduler.pictures.render import render_customer

        if not orders:
            return None
        chart = customer_chart(customer, orders, today=today, index=index, stage_words=stage_words)
        return await asyncio.to_thread(render_customer, chart, self.font())

    async def digest_drafts(
        self, session: AsyncSession, orders: Sequence[OrderRow], chats: Sequence[ChatRow], *,
        key_prefix: str, today: date, index: WorkdayIndex,
    ) -> list[Draft]:
        """One picture draft per manager chat, keyed `{key_prefix}:c{chat}:picture`."""
        if not chats or not self.usable():
            return []
        data = await self.digest_png(session, orders, today=today, index=index)
        if data is None:
            return []
        attachment = Attachment("image", digest_filename(today), data)
        text = self.fallback_text("今日逾期和交期有风险订单的进度图")
        return [Draft(f"{key_prefix}:c{chat.id}{PICTURE_KEY_SUFFIX}", chat, text, attachment=attachment)
                for chat in chats]

    async def customer_draft(
        self, chat: ChatRow, customer: str, orders: Sequence[OrderRow], *, key: str, today: date, index: WorkdayIndex
    ) -> Draft | None:
        if not self.usable():
            return None
        data = await self.customer_png(customer, orders, today=today, index=index)
        if data is None:
            return None
        attachment = Attachment("image", customer_filename(today), data)
        return Draft(key + PICTURE_KEY_SUFFIX, chat, self.fallback_text("订单进度图"), attachment=attachment)
