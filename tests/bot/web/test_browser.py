"""The board and the portal in a real browser: Debian's chromium driven by Playwright.

Screenshots land in test-artifacts/screenshots/ (git-ignored) for a person to look at.
Skipped, with the reason, where chromium or Playwright is not installed (`.ci/run` installs both).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.web.conftest import Seeded
from tests.conftest import REPO

CHROMIUM = os.environ.get("GENDAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

try:
    from playwright.async_api import Browser, Page, async_playwright
except ImportError:  # pragma: no cover - depends on the machine
    async_playwright = None

pytestmark = [
    pytest.mark.skipif(async_playwright is None, reason="Playwright is not installed (pip install playwright)"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"no chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"),
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


async def open_page(browser: Browser, viewport: dict, *, javascript: bool = True) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport=viewport, locale="zh-CN", java_script_enabled=javascript)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return page, errors


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def rows(page: Page, selector: str = "#rows tr[data-order]") -> list[str]:
    return [await row.get_attribute("data-order") for row in await page.query_selector_all(selector)]


async def test_manager_filters_late_orders_and_opens_a_gantt(seeded: Seeded, browser: Browser) -> None:
    page, errors = await open_page(browser, DESKTOP)
    await page.goto(str(seeded.client.make_url(await seeded.manager_link())))
    assert await page.title() == "订单看板 · 跟单助手"
    assert await rows(page) == ["B100", "A100", "A200", "B200"]
    await shot(page, "board")

    await page.check("input[name=late]")  # htmx swaps the table in place
    await page.locator("#rows tr[data-order=A100]").wait_for(state="detached")
    assert await rows(page) == ["B100"]
    assert "late=1" in page.url  # the address follows the filter
    await shot(page, "board-late")

    await page.click("#rows a:has-text('B100')")
    await page.wait_for_selector("#gantt[data-ready] svg .bar-wrapper")
    bars = await page.query_selector_all("#gantt svg .bar-wrapper")
    assert len(bars) >= 10  # ten planned milestones, plus the actual ones
    assert await page.locator("#gantt .bar-planned-late").count() >= 1  # B100's late milestones in red
    assert "焊机故障" in await page.inner_text("main")
    await shot(page, "order-gantt")

    await page.click("nav a:has-text('统计')")
    await page.fill("input[name=month]", "2026-11")
    await page.click("form.filters button")
    await page.wait_for_url("**/figures?month=2026-11")
    await page.wait_for_selector("#category-chart[data-ready]")
    assert "焊接" in await page.inner_text("main")  # November's exceptions, by milestone
    await shot(page, "figures")
    assert errors == []


async def test_a_customer_sees_only_their_orders_on_a_phone(seeded: Seeded, browser: Browser) -> None:
    page, errors = await open_page(browser, PHONE)
    await page.goto(str(seeded.client.make_url(await seeded.customer_link("华东机械"))))
    assert await rows(page, "article[data-order]") == ["A100", "A200"]
    text = await page.inner_text("body")
    assert "南方重工" not in text and "B100" not in text and "王经理" not in text
    assert "物料到货处理中" in text
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # no sideways scrolling on a phone
    await shot(page, "portal-phone")
    await page.click("article a:has-text('A100')")
    assert "生产进度" in await page.inner_text("main")
    assert errors == []


async def test_the_board_works_without_javascript(seeded: Seeded, browser: Browser) -> None:
    page, _ = await open_page(browser, PHONE, javascript=False)
    await page.goto(str(seeded.client.make_url(await seeded.manager_link())))
    await page.check("input[name=late]")
    await page.click("form.filters button[type=submit]")
    await page.wait_for_url("**/orders?*late=1*")
    assert await rows(page) == ["B100"]
    await page.click("#rows a:has-text('B100')")
    assert "焊接" in await page.inner_text("table.milestones")  # the plan as a table, no Gantt needed
