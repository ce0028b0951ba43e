"""Logging for `gendan`: a filter on every handler that masks secrets in each record, its
arguments and its traceback (`handlers.redaction`), so a URL with a key or a database error naming
one never reaches a log file, whatever logger wrote it (ours, aiohttp's, SQLAlchemy's)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable

from handlers.redaction import redact_secrets


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            text = record.exc_text or "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact_secrets(text)
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info)
        return True


def install_redaction(handlers: Iterable[logging.Handler] | None = None) -> None:
    """Add the one `RedactSecrets` filter to `handlers` (default: the root logger's), once each."""
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
