"""Every board and portal route through the real app, and every scope rule (SQLite, or PostgreSQL
with GENDAN_TEST_DATABASE_URL)."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from bot.keys import RUNTIME
from bot.web.routes import XLSX
from bot.web.state import WEB
from handlers.links import LinkScope
from tests.bot.web.conftest import LATER, Seeded


def order_nos(html: str) -> list[str]:
    return re.findall(r'data-order="([^"]+)"', html)


async def get(seeded: Seeded, path: str, **kwargs) -> tuple[int, str]:
    response = await seeded.client.get(path, allow_redirects=True, **kwargs)
    return response.status, await response.text()


async def test_a_manager_link_lands_on_the_board_with_counts_and_urgency_order(seeded: Seeded) -> None:
    link = await seeded.manager_link()
    response = await seeded.client.get(link, allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == f"{link}/orders"
    status, html = await get(seeded, link)
    assert status == 200
    assert order_nos(html) == ["B100", "A100", "A200", "B200"]  # most urgent (latest) first
    assert re.search(r"<b>4</b>在制订单", html) and re.search(r"<b>2</b>未关闭异常", html)
    assert re.search(r"<b>1</b>逾期", html) and re.search(r"<b>2</b>交期有风险", html)
    assert "逾期 5 个工作日" in html  # B100: 焊接 was planned for 12-03


async def test_board_filters_by_late_customer_status_and_at_risk(seeded: Seeded) -> None:
    link = await seeded.manager_link()
    _, late = await get(seeded, f"{link}/orders?late=1")
    assert order_nos(late) == ["B100"]  # A100's next milestone (下料) is planned for today, not late yet
    _, east = await get(seeded, f"{link}/orders?customer=华东机械")
    assert order_nos(east) == ["A100", "A200"]
    _, planned = await get(seeded, f"{link}/orders?status=planned")
    assert order_nos(planned) == ["B200"]
    _, risk = await get(seeded, f"{link}/orders?at_risk=1")
    assert order_nos(risk) == ["B100", "A100"]
    _, east_risk = await get(seeded, f"{link}/orders?at_risk=1&customer=华东机械")
    assert order_nos(east_risk) == ["A100"]
    _, junk = await get(seeded, f"{link}/orders?status=nonsense&page=x&late=maybe")
    assert len(order_nos(junk)) == 4  # unknown values filter nothing and break nothing


async def test_the_htmx_fragment_is_the_table_only_and_pushes_the_page_address(seeded: Seeded) -> None:
    link = await seeded.manager_link()
    response = await seeded.client.get(f"{link}/orders/rows?late=1&customer=南方重工", headers={"HX-Request": "true"})
    html = await response.text()
    assert response.status == 200 and "<html" not in html
    assert order_nos(html) == ["B100"]
    assert response.headers["HX-Push-Url"].startswith(f"{link}/orders?")


async def test_the_board_pages_long_lists(seeded: Seeded) -> None:
    seeded.client.app[WEB].page_size = 3
    link = await seeded.manager_link()
    _, first = await get(seeded, f"{link}/orders")
    _, second = await get(seeded, f"{link}/orders?page=2")
    assert len(order_nos(first)) == 3 and order_nos(second) == ["B200"]
    assert "下一页" in first and "上一页" in second


async def test_an_order_page_has_gantt_data_timeline_with_undone_events_exceptions(seeded: Seeded) -> None:
    link = await seeded.manager_link()
    status, html = await get(seeded, f"{link}/orders/A200")
    assert status == 200
    gantt = json.loads(re.search(r'id="gantt-data">(.*?)</script>', html, re.S).group(1))
    assert [bar["name"] for bar in gantt][:2] == ["排产（计划）", "排产（实际）"]
    assert len([bar for bar in gantt if bar["id"].startswith("p")]) == 10
    assert 'class="undone"' in html and "已撤销" in html  # the undone 领料完成 is shown as such
    assert "王经理" in html  # who
    _, b100 = await get(seeded, f"{link}/orders/b100")  # order numbers are normalised
    assert "焊机故障" in b100 and "李师傅" in b100 and "设备" in b100
    status, _ = await get(seeded, f"{link}/orders/NOPE")
    assert status == 404


async def test_figures_are_the_monthly_report_numbers(seeded: Seeded) -> None:
    link = await seeded.manager_link()
    status, html = await get(seeded, f"{link}/figures?month=2026-11")
    assert status == 200
    assert 'id="figures-data"' in html
    assert re.search(r"<td>设备</td><td>1</td>", html) and re.search(r"<td>物料</td><td>1</td>", html)
    assert re.search(r"<td>焊接</td><td>2</td>", html)
    _, bad = await get(seeded, f"{link}/figures?month=13月")
    assert "看不懂" in bad


async def download(seeded: Seeded, path: str) -> tuple[int, dict[str, str], bytes]:
    response = await seeded.client.get(path)
    return response.status, dict(response.headers), await response.read()


def workbook_orders(data: bytes, sheet: str = "台账") -> list[str]:
    rows = list(load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))
    return [row[0] for row in rows[1:] if row[0] is not None]


async def test_a_manager_link_downloads_the_ledger_of_every_open_order(seeded: Seeded) -> None:
    link = await seeded.manager_link()
    status, headers, data = await download(seeded, f"{link}/ledger.xlsx")
    assert status == 200 and headers["Content-Type"] == XLSX
    assert "attachment" in headers["Content-Disposition"] and quote("台账-20261210.xlsx") in headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[0] == "台账" and {"异常", "变更", "月度复盘"} <= set(workbook.sheetnames)
    assert sorted(workbook_orders(data)) == ["A100", "A200", "B100", "B200"]
    assert "责任人" in [cell.value for cell in workbook["台账"][1]]
    status, headers, one = await download(seeded, f"{link}/ledger.xlsx?customer=南方重工")
    assert status == 200 and sorted(workbook_orders(one)) == ["B100", "B200"]
    assert quote("台账-南方重工-20261210.xlsx") in headers["Content-Disposition"]
    status, _, html = await download(seeded, f"{link}/ledger.xlsx?customer=没有这家")
    assert status == 404 and "没有名为「没有这家」的客户" in html.decode()


@pytest.mark.parametrize("query", ["", "?customer=南方重工", "?customer_id=2", "?scope=manager"])
async def test_a_customer_link_downloads_only_its_own_orders_in_customer_wording(seeded: Seeded, query: str) -> None:
    link = await seeded.customer_link("华东机械")
    status, headers, data = await download(seeded, f"{link}/portal/ledger.xlsx{query}")
    assert status == 200 and headers["Content-Type"] == XLSX
    assert quote("台账-华东机械-20261210.xlsx") in headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(data))
    assert "台账" in workbook.sheetnames
    assert sorted(workbook_orders(data)) == ["A100", "A200"], "never another customer's rows"
    header = [cell.value for cell in workbook["台账"][1]]
    assert "责任人" not in header and "备注" not in header
    text = " ".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)
    for internal in ("南方重工", "B100", "B200", "焊机故障", "李师傅", "王经理"):
        assert internal not in text


async def test_the_ledger_downloads_refuse_the_other_scope_and_bad_links(seeded: Seeded) -> None:
    manager, customer = await seeded.manager_link(), await seeded.customer_link("华东机械")
    assert (await seeded.client.get(f"{manager}/portal/ledger.xlsx")).status == 404
    assert (await seeded.client.get(f"{customer}/ledger.xlsx")).status == 404
    assert (await seeded.client.get(f"{_tamper(customer)}/portal/ledger.xlsx")).status == 403
    expired = await seeded.customer_link("华东机械", now=LATER - timedelta(days=30), hours=1)
    assert (await seeded.client.get(f"{expired}/portal/ledger.xlsx")).status == 403


async def test_a_customer_link_shows_that_customers_orders_in_customer_words(seeded: Seeded) -> None:
    link = await seeded.customer_link("华东机械")
    response = await seeded.client.get(link, allow_redirects=False)
    assert response.headers["Location"] == f"{link}/portal"
    status, html = await get(seeded, link)
    assert status == 200
    assert order_nos(html) == ["A100", "A200"]
    for internal in ("南方重工", "B100", "焊机故障", "钢板晚到", "王经理", "赵采购", "李师傅", "焊接车间"):
        assert internal not in html
    assert "物料到货处理中" in html  # the visible exception, in customer words
    assert "预计交付" in html
    status, detail = await get(seeded, f"{link}/portal/orders/A100")
    assert status == 200 and "生产进度" in detail and "赵采购" not in detail


@pytest.mark.parametrize("path", [
    "/orders", "/orders/rows", "/orders/A100", "/orders/B100", "/figures", "/ledger.xlsx",
    "/portal/orders/B100", "/portal/orders/b100", "/portal/orders/NOPE",
    "/portal?customer=南方重工", "/portal/rows?customer_id=2", "/portal/orders/B100?customer=南方重工",
])
async def test_a_customer_link_reaches_nothing_else(seeded: Seeded, path: str) -> None:
    link = await seeded.customer_link("华东机械")
    status, html = await get(seeded, link + path, headers={"HX-Request": "true"})
    assert "B100" not in order_nos(html) and "南方重工" not in html and "输送机" not in html
    if path.startswith("/portal?") or path.startswith("/portal/rows"):
        assert status == 200 and order_nos(html) == ["A100", "A200"]  # parameters change nothing
    else:
        assert status == 404


async def test_another_customers_order_reads_exactly_like_a_missing_one(seeded: Seeded) -> None:
    link = await seeded.customer_link("华东机械")
    other = await seeded.client.get(f"{link}/portal/orders/B100")
    missing = await seeded.client.get(f"{link}/portal/orders/ZZZ9")
    assert other.status == missing.status == 404
    assert (await other.text()) == (await missing.text())


async def test_a_manager_link_has_no_portal(seeded: Seeded) -> None:
    link = await seeded.manager_link()
    for path in ("/portal", "/portal/rows", "/portal/orders/A100"):
        assert (await seeded.client.get(link + path)).status == 404


async def test_a_cancelled_order_never_reaches_the_portal(seeded: Seeded) -> None:
    from sqlalchemy import update

    from storage.models import Order, OrderStatus

    await seeded.client.app[RUNTIME].database.run(
        lambda s: s.execute(update(Order).where(Order.order_no == "A200").values(status=OrderStatus.CANCELLED))
    )
    link = await seeded.customer_link("华东机械")
    _, html = await get(seeded, link)
    assert order_nos(html) == ["A100"]
    assert (await seeded.client.get(f"{link}/portal/orders/A200")).status == 404


def _tamper(link: str) -> str:
    token = link.removeprefix("/w/")
    payload, signature = token.split(".")
    return f"/w/{payload}.{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"


async def test_a_tampered_link_is_refused_on_every_route(seeded: Seeded) -> None:
    import base64
    import json

    good = await seeded.customer_link("华东机械")
    manager_scope = base64.urlsafe_b64encode(json.dumps({"s": "manager", "g": 1, "e": 4102444800}).encode())
    forged_payload = "/w/" + manager_scope.decode().rstrip("=") + "." + good.split(".")[-1]
    for link in (_tamper(good), forged_payload, "/w/garbage", "/w/a.b.c", "/w/" + "x" * 300):
        for path in ("", "/orders", "/orders/A100", "/figures", "/portal", "/portal/rows"):
            response = await seeded.client.get(link + path, allow_redirects=False)
            assert response.status == 403, (link, path)
            assert "链接无效" in await response.text()


async def test_an_expired_link_is_refused(seeded: Seeded) -> None:
    link = await seeded.manager_link(now=LATER - timedelta(hours=13))  # manager links last 12 hours
    response = await seeded.client.get(f"{link}/orders")
    assert response.status == 403 and "已过期" in await response.text()
    short = await seeded.customer_link("华东机械", now=LATER - timedelta(hours=2), hours=1)
    assert (await seeded.client.get(f"{short}/portal")).status == 403
    fresh = await seeded.customer_link("华东机械", now=LATER - timedelta(hours=2), hours=3)
    assert (await seeded.client.get(f"{fresh}/portal")).status == 200


async def test_revoking_a_scope_kills_its_links_only(seeded: Seeded) -> None:
    east = await seeded.customer_link("华东机械")
    south = await seeded.customer_link("南方重工")
    manager = await seeded.manager_link()
    signer = seeded.client.app[WEB].signer
    scope = await seeded.customer("华东机械")
    await seeded.client.app[RUNTIME].database.run(lambda s: signer.revoke(s, scope, LATER))
    response = await seeded.client.get(f"{east}/portal")
    assert response.status == 403 and "已被收回" in await response.text()
    assert (await seeded.client.get(f"{south}/portal")).status == 200
    assert (await seeded.client.get(f"{manager}/orders")).status == 200
    renewed = await seeded.customer_link("华东机械")
    assert (await seeded.client.get(f"{renewed}/portal")).status == 200


async def test_a_link_signed_under_another_secret_is_refused(seeded: Seeded, settings) -> None:
    from bot.web.links import LinkSigner

    other = LinkSigner(settings.model_copy(update={"web": settings.web.model_copy(update={
        "link_secret": settings.web.link_secret.__class__("another-secret")})}))
    issued = await seeded.client.app[RUNTIME].database.run(lambda s: other.issue(s, LinkScope.managers(), LATER))
    response = await seeded.client.get(issued.url.removeprefix("https://gendan.example.com") + "/orders")
    assert response.status == 403


async def test_pages_keep_the_link_out_of_referrers_caches_and_frames(seeded: Seeded) -> None:
    response = await seeded.client.get(f"{await seeded.manager_link()}/orders")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    refused = await seeded.client.get("/w/garbage")
    assert refused.headers["Referrer-Policy"] == "no-referrer"


async def test_static_files_are_served_from_the_package(seeded: Seeded) -> None:
    for path in ("/static/app.css", "/static/vendor/htmx.min.js", "/static/vendor/chart.umd.min.js",
                 "/static/vendor/frappe-gantt.umd.js", "/static/js/gantt.js"):
        assert (await seeded.client.get(path)).status == 200, path
    assert (await seeded.client.get("/static/../links.py")).status in (403, 404)


async def test_web_disabled_serves_no_pages(aiohttp_client, settings) -> None:
    from bot.app import create_app

    disabled = settings.model_copy(update={"web": settings.web.model_copy(update={"enabled": False})})
    client = await aiohttp_client(create_app(disabled))
    assert (await client.get("/w/anything/orders")).status == 404
    assert WEB not in client.app


async def test_the_board_shows_a_record_made_after_it_was_last_viewed_and_its_undo(seeded: Seeded) -> None:
    link = await seeded.manager_link()
    _, before = await get(seeded, f"{link}/orders?customer=华东机械")
    assert "待下料" in before
    assert (await seeded.manager.say("订单A100 下料完成")).ok
    _, after = await get(seeded, f"{link}/orders?customer=华东机械")
    assert "待焊接" in after and "待下料" not in after
    assert (await seeded.manager.say("撤销")).ok
    _, undone = await get(seeded, f"{link}/orders?customer=华东机械")
    assert "待下料" in undone


async def test_the_board_is_assessed_again_on_a_new_day(seeded: Seeded) -> None:
    link = await seeded.manager_link(hours=24 * 30)
    _, today = await get(seeded, f"{link}/orders?late=1")
    assert order_nos(today) == ["B100"]
    seeded.client.app[WEB].clock = lambda: LATER + timedelta(days=5)  # 12-15: A100's 下料 (12-10) is late
    _, later = await get(seeded, f"{link}/orders?late=1")
    assert set(order_nos(later)) == {"B100", "A100"}


async def test_a_record_whose_transaction_committed_late_is_not_missed(seeded: Seeded) -> None:
    """An event with an id below the newest one seen (its transaction took the id first and committed
    last) still makes the board read the orders again."""
    from sqlalchemy import func, insert, select, update

    from storage.models import Event, Order, OrderMilestone

    database = seeded.client.app[RUNTIME].database
    link = await seeded.manager_link()
    newest = await database.run(lambda s: s.scalar(select(func.max(Event.id))))
    row = {"kind": "chat_bound", "platform": "local", "chat_id": "x", "actor_id": "x", "actor_name": "x",
           "raw_text": "", "item": {}, "created_at": LATER}
    await database.run(lambda s: s.execute(insert(Event).values(id=newest + 10, **row)))
    _, first = await get(seeded, f"{link}/orders?customer=南方重工")
    assert "待排产" in first  # B200

    async def late_commit(session) -> None:  # noqa: ANN001
        b200 = await session.scalar(select(Order.id).where(Order.order_no == "B200"))
        await session.execute(update(OrderMilestone).where(OrderMilestone.order_id == b200, OrderMilestone.seq == 1)
                              .values(status="done"))
        await session.execute(insert(Event).values(id=newest + 5, order_id=b200, **{**row, "kind": "progress"}))

    await database.run(late_commit)
    _, second = await get(seeded, f"{link}/orders?customer=南方重工")
    assert "待排产" not in second and "待领料" in second
