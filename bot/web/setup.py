"""Adds the board and portal routes, the templates and the static files to the app."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.config import Settings
import bot.web.routes as routes
from bot.web.links import LINK_PATH, LinkSigner
from bot.web.state import WEB, WebState

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

SECURITY_HEADERS = {
    # The link token is in the URL: never hand it to another site, a cache or a search engine.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
}


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith(LINK_PATH):
        response.headers.update(SECURITY_HEADERS)
    elif request.path.startswith("/static/"):
        response.headers["X-Content-Type-Options"] = "nosniff"


def warn_if_unsigned(settings: Settings) -> None:
    """Said once when serving: without a secret, a copy of the database is enough to forge links."""
    if settings.web.enabled and not settings.web.link_secret.get_secret_value():
        log.warning("[web] link_secret is not set: links are signed with the database's scope keys alone; "
                    "set GENDAN_WEB_LINK_SECRET")


def setup_web(app: web.Application, settings: Settings) -> None:
    if not settings.web.enabled:
        return
    app[WEB] = WebState(
        signer=LinkSigner(settings),
        calendar=settings.calendar.work_calendar,
        page_size=settings.web.page_size,
    )
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    env.globals["static"] = lambda path: f"/static/{path}"
    app.on_response_prepare.append(_security_headers)
    app.router.add_static("/static/", STATIC, name="static", append_version=False)
    routes.add_routes(app)
