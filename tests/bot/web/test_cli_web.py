"""`gendan web link` and `gendan web revoke`, run as real processes on the test database."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.config import parse_settings
from bot.runtime import open_runtime
from bot.web.links import LinkProblem, LinkSigner
from handlers.links import ScopeKind
from tests.bot.test_cli import env, gendan  # noqa: F401 - the env fixture

SECRET = {"GENDAN_WEB_LINK_SECRET": "cli-secret", "GENDAN_WEB_PUBLIC_URL": "https://board.example.com"}


async def check(env: dict[str, str], url: str):  # noqa: ANN201, F811
    settings = parse_settings({}, env)
    token = url.removeprefix("https://board.example.com/w/")
    async with open_runtime(settings) as runtime:
        signer = LinkSigner(settings)
        return await runtime.database.run(lambda s: signer.check(s, token, datetime.now(timezone.utc)))


async def test_link_prints_a_working_link_and_revoke_kills_it(env: dict[str, str]) -> None:  # noqa: F811
    env = {**env, **SECRET}
    assert gendan(env, "order", "add", "--no", "C1", "--customer", "华东机械", "--product", "搅拌机",
                  "--qty", "5", "--due", "2030-12-20").returncode == 0
    manager = gendan(env, "web", "link", "--manager")
    assert manager.returncode == 0, manager.stderr
    assert manager.stdout.startswith("https://board.example.com/w/") and "有效期至" in manager.stderr
    customer = gendan(env, "web", "link", "--customer", "华东机械", "--hours", "2")
    assert (await check(env, customer.stdout.strip())).scope.kind is ScopeKind.CUSTOMER
    assert (await check(env, manager.stdout.strip())).scope.kind is ScopeKind.MANAGER

    revoked = gendan(env, "web", "revoke", "--manager")
    assert revoked.returncode == 0 and "已收回" in revoked.stdout
    assert (await check(env, manager.stdout.strip())).problem is LinkProblem.REVOKED
    assert (await check(env, customer.stdout.strip())).scope is not None  # other scopes keep working


def test_bad_web_arguments_are_one_clear_line(env: dict[str, str]) -> None:  # noqa: F811
    unknown = gendan(env, "web", "link", "--customer", "没有这家")
    assert unknown.returncode == 2 and unknown.stderr.strip() == "gendan: no customer named '没有这家'"
    hours = gendan(env, "web", "link", "--manager", "--hours", "0")
    assert hours.returncode == 2 and "--hours" in hours.stderr
    neither = gendan(env, "web", "link")
    assert neither.returncode == 2
