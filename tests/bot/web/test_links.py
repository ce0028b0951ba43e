"""Link tokens: what they carry, and that they never reach a log."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from bot.config import ConfigError, parse_settings
from bot.web.access_log import RedactingAccessLogger
from bot.web.links import redact
from handlers.links import LinkScope, ScopeKind
from tests.bot.web.conftest import Seeded


def test_scope_names_round_trip_and_junk_names_none() -> None:
    assert LinkScope.from_name(LinkScope.managers().name) == LinkScope.managers()
    assert LinkScope.from_name("customer:12") == LinkScope.customer(12)
    for junk in ("", "customer:", "customer:x", "customer:-1", "admin", "manager:1"):
        assert LinkScope.from_name(junk) is None
    with pytest.raises(ValueError):
        LinkScope(ScopeKind.CUSTOMER)


async def test_a_token_names_scope_and_expiry_but_no_secret(seeded: Seeded) -> None:
    link = await seeded.customer_link("华东机械", hours=5)
    payload = link.removeprefix("/w/").split(".")[0]
    claimed = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(claimed) == {"s", "g", "e"} and claimed["s"].startswith("customer:")
    assert "test-link-secret" not in link


def test_the_access_log_hides_link_tokens(caplog: pytest.LogCaptureFixture) -> None:
    assert redact("/w/abc.def/orders/A100") == "/w/…/orders/A100"
    assert redact("/w/abc.def") == "/w/…"
    assert redact("/healthz") == "/healthz"

    class Request:
        remote, method, path = "127.0.0.1", "GET", "/w/eyJzIjoibWFuYWdlciJ9.SECRETSIG/orders"

    class Response:
        status, body_length = 200, 10

    logger = logging.getLogger("test.access")
    with caplog.at_level(logging.INFO, logger="test.access"):
        RedactingAccessLogger(logger, "").log(Request(), Response(), 0.01)  # type: ignore[arg-type]
    assert "SECRETSIG" not in caplog.text and "/w/…/orders" in caplog.text


def test_the_access_log_is_skipped_where_info_is_not_logged() -> None:
    logger = logging.getLogger("test.access.quiet")
    logger.setLevel(logging.WARNING)  # `gendan run` without -v
    assert not RedactingAccessLogger(logger, "").enabled
    logger.setLevel(logging.INFO)
    assert RedactingAccessLogger(logger, "").enabled


def test_web_settings_are_checked_at_start() -> None:
    with pytest.raises(ConfigError, match="web.public_url"):
        parse_settings({"web": {"public_url": "gendan.example.com"}}, environ={})
    with pytest.raises(ConfigError, match="web.manager_link_hours"):
        parse_settings({"web": {"manager_link_hours": 0}}, environ={})
    settings = parse_settings({"server": {"port": 9000}}, environ={"GENDAN_WEB_LINK_SECRET": "s3"})
    assert settings.public_url == "http://127.0.0.1:9000"
    assert settings.web.link_secret.get_secret_value() == "s3" and "s3" not in repr(settings)
