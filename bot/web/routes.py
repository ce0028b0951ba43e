"""The board and portal routes. Every one checks the link first, inside the request's one transaction,
and serves only what the link's scope may see: a customer link reaches nothing of another customer,
nor any manager page, whatever the URL, the parameters or the fragment asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.keys import RUNTIME
from bot.web.links import LINK_PATH, LinkCheck, LinkProblem
from bot.web.state import WEB
from handlers.board import BoardFilter, board_index, figures, labels, order_page
from handlers.ledger.export import ledger_bytes, ledger_filename
from handlers.ledger.model import LedgerInputError, LedgerScope
from handlers.links import LinkScope, ScopeKind
from handlers.portal import Portal, portal, portal_order
from handlers.monthly_report import ReportInputError, parse_month
from scheduler.workindex import WorkdayIndex
from storage.models import OPEN_ORDER_STATUSES, Customer, OrderStatus

NOT_FOUND = "没有找到这个页面或订单。"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Visit:
    """One checked request: its session, the link's scope, and the day as the factory sees it."""

    session: AsyncSession
    scope: LinkScope
    base: str
    """The link's own path, the prefix of every page it may open."""
    today: date
    index: WorkdayIndex
    expires_text: str

    def context(self, **values: Any) -> dict[str, Any]:
        return {"base": self.base, "today": self.today, "expires_text": self.expires_text, "labels": labels(), **values}


def _error(request: web.Request, status: type[web.HTTPException], message: str, hint: str = "") -> web.HTTPException:
    body = aiohttp_jinja2.render_string("error.html", request, {"message": message, "hint": hint})
    return status(text=body, content_type="text/html")


def _refusal(request: web.Request, check: LinkCheck) -> web.HTTPException:
    if check.problem is LinkProblem.INVALID:
        return _error(request, web.HTTPForbidden, check.problem.message, "请使用群里或周报里收到的完整链接。")
    assert check.problem is not None
    return _error(request, web.HTTPForbidden, check.problem.message,
                  "经理请在经理群里发「看板」获取新链接；客户请使用最新一期周报里的链接。")


@asynccontextmanager
async def visit(request: web.Request, kind: ScopeKind) -> AsyncIterator[Visit]:
    """Check the link and its scope; a link of the other kind finds nothing here (404)."""
    state = request.app[WEB]
    runtime = request.app[RUNTIME]
    token = request.match_info["token"]
    now = state.clock()
    async with runtime.database.transaction() as session:
        check = await state.signer.check(session, token, now)
        if check.scope is None:
            raise _refusal(request, check)
        if check.scope.kind is not kind:
            raise _error(request, web.HTTPNotFound, NOT_FOUND)
        tz = runtime.handler_settings.tz
        today = now.astimezone(tz).date()
        expires = f"{check.expires_at.astimezone(tz):%Y-%m-%d %H:%M}" if check.expires_at else ""
        yield Visit(session, check.scope, f"{LINK_PATH}{token}", today, state.index_for(today), expires)


async def home(request: web.Request) -> web.StreamResponse:
    """The link itself: managers land on the board, customers on their portal."""
    state = request.app[WEB]
    token = request.match_info["token"]
    async with request.app[RUNTIME].database.transaction() as session:
        check = await state.signer.check(session, token, state.clock())
    if check.scope is None:
        raise _refusal(request, check)
    target = "orders" if check.scope.kind is ScopeKind.MANAGER else "portal"
    raise web.HTTPFound(f"{LINK_PATH}{token}/{target}")


def _filters(request: web.Request) -> BoardFilter:
    query = request.query
    status = query.get("status") or None
    page = query.get("page", "1")
    return BoardFilter(
        customer=(query.get("customer") or "").strip() or None,
        status=OrderStatus(status) if status in {s.value for s in OPEN_ORDER_STATUSES} else None,
        late=query.get("late") in ("1", "on", "true"),
        at_risk=query.get("at_risk") in ("1", "on", "true"),
        page=int(page) if page.isdigit() else 1,
    )


def _query(filters: BoardFilter, page: int | None = None) -> str:
    values = {
        "customer": filters.customer or "", "status": filters.status.value if filters.status else "",
        "late": "1" if filters.late else "", "at_risk": "1" if filters.at_risk else "",
        "page": str(page) if page and page > 1 else "",
    }
    return urlencode({k: v for k, v in values.items() if v})


async def _board(request: web.Request) -> dict[str, Any]:
    async with visit(request, ScopeKind.MANAGER) as v:
        filters = _filters(request)
        state = request.app[WEB]
        board = await board_index(v.session, filters, v.today, v.index, state.page_size, state.book)
        return v.context(
            board=board, statuses=[(s.value, s.label) for s in OPEN_ORDER_STATUSES],
            query=lambda page=None: _query(board.filters, page),
        )


async def board(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("board.html", request, await _board(request))


async def board_rows(request: web.Request) -> web.Response:
    """The htmx fragment behind the filters: the order table only; the address bar follows it."""
    context = await _board(request)
    response = aiohttp_jinja2.render_template("_board_rows.html", request, context)
    query = _query(context["board"].filters)
    response.headers["HX-Push-Url"] = f"{context['base']}/orders" + (f"?{query}" if query else "")
    return response


async def order(request: web.Request) -> web.Response:
    async with visit(request, ScopeKind.MANAGER) as v:
        page = await order_page(v.session, request.match_info["order_no"], v.today, v.index,
                                request.app[RUNTIME].handler_settings.tz)
        if page is None:
            raise _error(request, web.HTTPNotFound, NOT_FOUND)
        gantt = [
            {"id": bar.id, "name": bar.name, "start": bar.start.isoformat(), "end": bar.end.isoformat(),
             "progress": bar.progress,
             # one class only: frappe-gantt adds it with classList.add
             "custom_class": ("bar-actual" if bar.actual else "bar-planned") + ("-late" if bar.late else "")}
            for bar in page.bars
        ]
        return aiohttp_jinja2.render_template("order.html", request, v.context(page=page, gantt=gantt))


async def figures_page(request: web.Request) -> web.Response:
    async with visit(request, ScopeKind.MANAGER) as v:
        month_text = request.query.get("month", "").strip()
        error = ""
        year, month = v.today.year, v.today.month
        if month_text:
            try:
                year, month = parse_month(month_text)
            except ReportInputError as exc:
                error = str(exc)
        data = await figures(v.session, year, month, request.app[RUNTIME].handler_settings.tz)
        chart = {
            "months": data.months,
            "on_time": [{"customer": name, "rates": data.on_time[name]} for name in data.customers],
            "by_category": [{"label": data.category_labels.get(k, k), "count": n}
                            for k, n in data.report.exceptions_by_category.items()],
            "by_milestone": [{"label": k, "count": n} for k, n in data.report.exceptions_by_milestone.items()],
        }
        return aiohttp_jinja2.render_template("figures.html", request, v.context(figures=data, chart=chart, error=error))


async def ledger(request: web.Request) -> web.Response:
    """The managers' ledger workbook: every open order, or one customer's (`?customer=NAME`)."""
    async with visit(request, ScopeKind.MANAGER):
        customer = (request.query.get("customer") or "").strip() or None
    return await _workbook(request, LedgerScope(customer=customer), customer)


async def portal_ledger(request: web.Request) -> web.Response:
    """A customer's own ledger workbook: that customer's orders only, in the customer's wording
    (no internal columns or exceptions), whatever the parameters say."""
    async with visit(request, ScopeKind.CUSTOMER) as v:
        customer_id = v.scope.customer_id
        customer = await v.session.scalar(select(Customer.name).where(Customer.id == customer_id))
        if customer is None:  # the customer's record is gone
            raise _error(request, web.HTTPNotFound, NOT_FOUND)
    return await _workbook(request, LedgerScope(customer_id=customer_id, customer_view=True), customer)


async def _workbook(request: web.Request, scope: LedgerScope, customer: str | None) -> web.Response:
    """The ledger export (`handlers/ledger/export.py`) for a checked scope, as an .xlsx download."""
    runtime = request.app[RUNTIME]
    now = request.app[WEB].clock()
    try:
        data = await ledger_bytes(runtime.database, runtime.handler_settings, now, scope)
    except LedgerInputError as exc:  # no customer of that name
        raise _error(request, web.HTTPNotFound, str(exc)) from None
    filename = ledger_filename(now.astimezone(runtime.handler_settings.tz), customer)
    return web.Response(
        body=data,
        content_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}", "Cache-Control": "no-store"},
    )


async def portal_page(request: web.Request) -> web.Response:
    async with visit(request, ScopeKind.CUSTOMER) as v:
        view = await _portal(request, v)
        return aiohttp_jinja2.render_template("portal.html", request, v.context(portal=view))


async def portal_rows(request: web.Request) -> web.Response:
    async with visit(request, ScopeKind.CUSTOMER) as v:
        view = await _portal(request, v)
        return aiohttp_jinja2.render_template("_portal_rows.html", request, v.context(portal=view))


async def _portal(request: web.Request, v: Visit) -> Portal:
    assert v.scope.customer_id is not None
    hs = request.app[RUNTIME].handler_settings
    view = await portal(v.session, v.scope.customer_id, v.today, v.index, hs.tz, hs.templates)
    if view is None:  # the customer's record is gone
        raise _error(request, web.HTTPNotFound, NOT_FOUND)
    return view


async def portal_order_page(request: web.Request) -> web.Response:
    async with visit(request, ScopeKind.CUSTOMER) as v:
        assert v.scope.customer_id is not None
        hs = request.app[RUNTIME].handler_settings
        view = await portal_order(v.session, v.scope.customer_id, request.match_info["order_no"], v.today, v.index,
                                  hs.tz, hs.templates)
        if view is None:
            raise _error(request, web.HTTPNotFound, NOT_FOUND)
        return aiohttp_jinja2.render_template("portal_order.html", request, v.context(order=view))


def add_routes(app: web.Application) -> None:
    prefix = LINK_PATH + "{token}"
    app.router.add_get(prefix, home)
    app.router.add_get(prefix + "/", home)
    app.router.add_get(prefix + "/orders", board)
    app.router.add_get(prefix + "/orders/rows", board_rows)
    app.router.add_get(prefix + "/orders/{order_no}", order)
    app.router.add_get(prefix + "/figures", figures_page)
    app.router.add_get(prefix + "/ledger.xlsx", ledger)
    app.router.add_get(prefix + "/portal", portal_page)
    app.router.add_get(prefix + "/portal/rows", portal_rows)
    app.router.add_get(prefix + "/portal/ledger.xlsx", portal_ledger)
    app.router.add_get(prefix + "/portal/orders/{order_no}", portal_order_page)
