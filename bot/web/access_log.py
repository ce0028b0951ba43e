"""The access log of `gendan run`, with link tokens hidden: a token in a log is a usable credential."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.web.links import redact


class RedactingAccessLogger(AbstractAccessLogger):
    @property
    def enabled(self) -> bool:
        """Whether a line would be written at all: aiohttp then skips `log` (and timing) for every
        request, as it does for its own access logger; `gendan run` logs INFO only with -v."""
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3fs', request.remote, request.method, redact(request.path), response.status,
            response.body_length, time,
        )
