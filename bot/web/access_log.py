"""The access log of `gendan run`, with link tokens hidden: a token in a log is a usable credential."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.web.links import redact


class RedactingAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3fs', request.remote, request.method, redact(request.path), response.status,
            response.body_length, time,
        )
