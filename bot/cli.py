"""The `gendan` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from bot.config import ConfigError, Settings, load_settings
from bot.ledger_cli import LedgerCliError, add_ledger_parser, run_ledger
from bot.local_chat import LocalChat, LocalIdentity, run_local_chat
from bot.logs import install_redaction
from bot.runtime import Runtime, open_runtime
from scheduler.drafts import Draft
from scheduler.service import SchedulerService
from scheduler.read_model import ChatRow
from storage.database import DatabaseUnavailable


class CliError(Exception):
    """A problem to report on one line, with a non-zero exit."""


def _iso_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {value!r} (e.g. 2026-11-23T10:00:00+08:00)") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"the time {value!r} needs a UTC offset, e.g. +08:00")
    return moment


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gendan", description="跟单助手 — order follow-up bot")
    parser.add_argument("--config", help="TOML configuration file (default: $GENDAN_CONFIG, else built-in defaults)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="serve the platform adapters and the scheduler")

    chat = commands.add_parser("chat", help="talk to the bot in this terminal (or from stdin)")
    chat.add_argument("--chat", default=LocalIdentity.chat, help="chat (group) name")
    chat.add_argument("--user", default=LocalIdentity.user, help="your name")
    chat.add_argument("--role", default="admin", choices=["staff", "manager", "customer", "admin"])
    chat.add_argument("--now", type=_iso_time, help="fix the clock, e.g. 2026-11-23T10:00:00+08:00")

    demo = commands.add_parser("demo", help="load sample customers and orders")
    demo.add_argument("--now", type=_iso_time)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply the schema migrations")

    order = commands.add_parser("order", help="manage orders")
    order_commands = order.add_subparsers(dest="order_command", required=True, metavar="ACTION")
    add = order_commands.add_parser("add", help="create an order with its milestone plan")
    add.add_argument("--no", required=True, dest="order_no")
    add.add_argument("--customer", required=True)
    add.add_argument("--product", required=True)
    add.add_argument("--qty", required=True)
    add.add_argument("--due", required=True)
    add.add_argument("--template")
    add.add_argument("--now", type=_iso_time)

    show = commands.add_parser("show", help="print an order, its plan and its event log")
    show.add_argument("order_no")
    show.add_argument("--json", action="store_true")

    digest = commands.add_parser("digest", help="print the digest (or update) a chat would be sent")
    digest.add_argument("--chat", required=True, help="the chat's name or platform id")
    digest.add_argument("--now", type=_iso_time, help="as of this time (default: now)")
    digest.add_argument("--dry-run", action="store_true", help="only print; do not enqueue or send")
    digest.add_argument("--picture", metavar="FILE.png", help="also write the picture the chat would be sent")

    tick = commands.add_parser("tick", help="run every scheduled job due at --now once, then deliver the outbox")
    tick.add_argument("--now", type=_iso_time, required=True)

    outbox = commands.add_parser("outbox", help="list pending and failed proactive messages")
    outbox.add_argument("--retry", action="store_true", help="retry the failed and waiting ones now")
    outbox.add_argument("--now", type=_iso_time, help=argparse.SUPPRESS)

    report = commands.add_parser("report", help="the monthly review: on-time delivery, delays, exceptions, changes")
    report.add_argument("--month", required=True, help="the month, e.g. 2026-11")
    report.add_argument("--csv", action="store_true", help="print CSV (section,key,metric,value) instead of a table")

    add_ledger_parser(commands, _iso_time)

    web_parser = commands.add_parser("web", help="links to the manager board and the customer portal")
    web_commands = web_parser.add_subparsers(dest="web_command", required=True, metavar="ACTION")
    for action, text in (("link", "print a signed link"), ("revoke", "revoke every link of a scope")):
        sub = web_commands.add_parser(action, help=text)
        scope = sub.add_mutually_exclusive_group(required=True)
        scope.add_argument("--manager", action="store_true", help="the manager board")
        scope.add_argument("--customer", metavar="NAME", help="that customer's portal")
        sub.add_argument("--now", type=_iso_time, help=argparse.SUPPRESS)
        if action == "link":
            sub.add_argument("--hours", type=int, help="valid for N hours (default: [web] *_link_hours)")

    parse = commands.add_parser("parse", help="print how the bot understands messages (JSON)")
    parse.add_argument("texts", nargs="*")
    parse.add_argument("--jsonl", action="store_true", help="read {\"text\", \"now\"} lines from stdin")
    parse.add_argument("--now", type=_iso_time)
    return parser


async def _chat(settings: Settings, args: argparse.Namespace) -> int:
    async with open_runtime(settings) as runtime:
        chat = LocalChat(runtime, LocalIdentity(args.chat, args.user, args.role), args.now)
        await chat.join()
        await run_local_chat(chat)
    return 0


async def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import load_demo

    async with open_runtime(settings) as runtime:
        chat = LocalChat(runtime, LocalIdentity(chat="演示群", user="演示员"), args.now)
        await chat.join()
        now = args.now or datetime.now(runtime.handler_settings.tz)
        for text in await load_demo(chat, now):
            print(text)
        print("\n演示数据已就绪。运行 `gendan chat` 后发送「订单列表」或「进度 D1001」看看。")
    return 0


async def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from storage.database import Database
    from storage.migrate import upgrade

    database = Database.from_url(settings.database.url, busy_timeout_ms=settings.database.busy_timeout_ms)
    try:
        revision = await upgrade(database)
    finally:
        await database.dispose()
    print(f"database is at revision {revision}")
    return 0


async def _order_add(settings: Settings, args: argparse.Namespace) -> int:
    text = f"新建订单 {args.order_no} {args.customer} {args.product} {args.qty} {args.due}"
    if args.template:
        text += f" 模板={args.template}"
    async with open_runtime(settings) as runtime:
        chat = LocalChat(runtime, LocalIdentity(chat="命令行", user="命令行"), args.now)
        await chat.join()
        reply = await chat.say(text)
    if not reply.ok:
        raise CliError(reply.text.replace("\n", " "))
    print(reply.text)
    return 0


async def _show(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.order_status import order_history

    async with open_runtime(settings) as runtime:
        record = await runtime.database.run(
            lambda session: order_history(session, args.order_no, runtime.handler_settings)
        )
    if record is None:
        raise CliError(f"no order {args.order_no}")
    if args.json:
        print(json.dumps(record.as_json(), ensure_ascii=False, indent=2))
    else:
        print(record.as_text())
    return 0


async def _report(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.monthly_report import (
        ReportInputError,
        as_csv,
        as_table,
        monthly_report,
        parse_month,
    )

    try:
        year, month = parse_month(args.month)
    except ReportInputError:
        raise CliError(f"--month: expected YYYY-MM such as 2026-11, got {args.month!r}") from None
    async with open_runtime(settings) as runtime:
        report = await runtime.database.run(
            lambda session: monthly_report(session, year, month, runtime.handler_settings.tz)
        )
    sys.stdout.write(as_csv(report) if args.csv else as_table(report).replace("**", "") + "\n")
    return 0


def _parse(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.understanding import Parser
    from handlers.understanding.jsonl import parse_jsonl, parse_texts

    parser = Parser(settings.template_set)
    tz = settings.general.tz

    def now() -> datetime:
        return args.now or datetime.now(tz)

    if args.jsonl:
        return parse_jsonl(parser, sys.stdin, sys.stdout, now)
    if not args.texts:
        raise CliError("give message texts as arguments, or --jsonl to read them from stdin")
    for result in parse_texts(parser, args.texts, now()):
        print(json.dumps(result, ensure_ascii=False))
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app
    from bot.web.access_log import RedactingAccessLogger
    from bot.web.setup import warn_if_unsigned

    warn_if_unsigned(settings)
    web.run_app(create_app(settings), host=settings.server.host, port=settings.server.port,
                access_log_class=RedactingAccessLogger)
    return 0


@asynccontextmanager
async def _delivery(settings: Settings) -> AsyncIterator[tuple[Runtime, SchedulerService]]:
    """The app's runtime and senders (every configured adapter's, and the local printer) without
    serving it or starting its own scheduler, for commands that send from the outbox once."""
    from aiohttp import web

    from bot.keys import RUNTIME, SENDERS
    from bot.app import create_app
    from bot.scheduling import schedule_config

    quiet = settings.model_copy(update={"schedule": settings.schedule.model_copy(update={"enabled": False})})
    runner = web.AppRunner(create_app(quiet), handle_signals=False)
    await runner.setup()
    try:
        app = runner.app
        service = SchedulerService(app[RUNTIME].database, schedule_config(settings), app[SENDERS])
        try:
            yield app[RUNTIME], service
        finally:
            await service.worker.retire()
    finally:
        await runner.cleanup()


def _tz_now(settings: Settings, now: datetime | None) -> datetime:
    return now or datetime.now(settings.general.tz)


async def _digest(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.jobs import enqueue_drafts
    from scheduler.read_model import chats

    now = _tz_now(settings, args.now)
    async with _delivery(settings) as (runtime, service):
        async with runtime.database.transaction() as session:
            found = [c for c in await chats(session) if args.chat in (c.name, c.chat_id)]
        if not found:
            raise CliError(f"no chat named {args.chat!r}; bind one with 绑定 or [[chats]] in the configuration")
        chat = found[0]
        if chat.role is None:
            raise CliError(f"chat {args.chat!r} has no role; bind it as 经理, 部门 or 客户 first")
        text = await service.runner.preview(chat, now)
        picture = await _digest_picture(service, chat, now, args.picture)
        if text is None:
            print(f"（{args.chat} 此刻没有要发送的内容）")
            return 0
        print(text)
        if not args.dry_run:
            key = f"manual:{chat.role}:{now.isoformat()}:c{chat.id}"
            drafts = [Draft(key, chat, text)]
            if picture is not None:
                drafts.append(_picture_draft(service, chat, key, picture, now))
            await runtime.database.run(lambda session: enqueue_drafts(session, drafts, now))
            report = await service.worker.deliver_due(now)
            print(f"-- sent {len(report.sent)}, retrying {len(report.retrying)}, failed {len(report.failed)}",
                  file=sys.stderr)
    return 0


async def _digest_picture(service: SchedulerService, chat: ChatRow, now: datetime, path: str | None) -> bytes | None:
    """The chat's picture, written to `path` when one is given; None when there is none to send."""
    from scheduler.pictures.fonts import FontUnavailable

    if path is None and not service.runner.pictures.usable():
        return None
    try:
        picture = await service.runner.preview_picture(chat, now)
    except FontUnavailable as error:
        raise CliError(f"不能生成配图：{error}") from None
    if path is not None:
        if picture is None:
            print(f"（{chat.name or chat.chat_id} 此刻没有要发送的配图，未写入 {path}）", file=sys.stderr)
        else:
            with open(path, "wb") as file:
                file.write(picture)
            print(f"-- 配图已写入 {path}（{len(picture) // 1024} KB）", file=sys.stderr)
    return picture


def _picture_draft(service: SchedulerService, chat: ChatRow, key: str, picture: bytes, now: datetime) -> Draft:
    from handlers.messages import Attachment
    from scheduler.pictures.compose import PICTURE_KEY_SUFFIX, customer_filename, digest_filename
    from storage.models import ChatRole

    pictures = service.runner.pictures
    day = now.astimezone(service.runner.config.tz).date()
    if chat.role == ChatRole.CUSTOMER:
        attachment, what = Attachment("image", customer_filename(day), picture), "订单进度图"
    else:
        attachment, what = Attachment("image", digest_filename(day), picture), "今日逾期和交期有风险订单的进度图"
    return Draft(key + PICTURE_KEY_SUFFIX, chat, pictures.fallback_text(what), attachment=attachment)


async def _tick(settings: Settings, args: argparse.Namespace) -> int:
    async with _delivery(settings) as (_runtime, service):
        outcomes, report = await service.tick(args.now)
    for outcome in outcomes:
        state = f"{outcome.messages} message(s) enqueued" if outcome.ran else "already run"
        print(f"{outcome.job_id} due {outcome.due_at.isoformat()}: {state}")
    if not outcomes:
        print("no job due")
    print(f"outbox: sent {len(report.sent)}, retrying {len(report.retrying)}, failed {len(report.failed)}")
    return 0


async def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.outbox import retry_now, undelivered

    now = _tz_now(settings, args.now)
    async with _delivery(settings) as (runtime, service):
        if args.retry:
            count = await runtime.database.run(lambda session: retry_now(session, now))
            report = await service.worker.deliver_due(now)
            print(f"retried {count}: sent {len(report.sent)}, retrying {len(report.retrying)}, "
                  f"failed {len(report.failed)}")
        async with runtime.database.transaction() as session:
            messages = await undelivered(session)
    tz = settings.general.tz
    for m in messages:
        first_line = m.text.split("\n", 1)[0][:40]
        print(
            f"#{m.id} {m.status} attempts={m.attempts} next={m.next_attempt_at.astimezone(tz):%Y-%m-%d %H:%M} "
            f"{m.platform}:{m.chat_id} {m.dedupe_key} | {first_line} | error: {m.last_error or '-'}"
        )
    if not messages:
        print("outbox is empty: nothing pending or failed")
    return 0


async def _web(settings: Settings, args: argparse.Namespace) -> int:
    from bot.web.commands import ScopeNotFound, print_link, revoke

    if not settings.web.enabled:
        raise CliError("the board is disabled: [web] enabled = false")
    if args.web_command == "link" and args.hours is not None and args.hours < 1:
        raise CliError("--hours must be at least 1")
    now = _tz_now(settings, args.now)
    async with open_runtime(settings) as runtime:
        try:
            if args.web_command == "link":
                link = await print_link(runtime, args.customer, args.hours, now)
                print(link.url)
                print(f"有效期至 {link.expires_at.astimezone(settings.general.tz):%Y-%m-%d %H:%M}", file=sys.stderr)
            else:
                generation = await revoke(runtime, args.customer, now)
                print(f"已收回{'客户「' + args.customer + '」' if args.customer else '经理看板'}此前发出的全部链接"
                      f"（第 {generation} 代密钥）。")
        except ScopeNotFound as error:
            raise CliError(str(error)) from None
    return 0


# Every subcommand and the function that runs it, in one place.
_SYNC = {"run": _run, "parse": _parse}
_ASYNC = {
    "chat": _chat, "demo": _demo, "db": _db_upgrade, "order": _order_add, "show": _show,
    "report": _report, "digest": _digest, "tick": _tick, "outbox": _outbox, "web": _web, "ledger": run_ledger,
}


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    if args.command in _SYNC:
        return _SYNC[args.command](settings, args)
    return asyncio.run(_ASYNC[args.command](settings, args))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_redaction()
    try:
        settings = load_settings(args.config)
        return _dispatch(settings, args)
    except (ConfigError, CliError, LedgerCliError) as error:
        print(f"gendan: {error}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as error:
        print(f"gendan: {error}; check [database] url and that the server is running", file=sys.stderr)
        return 3
    except OSError as error:
        print(f"gendan: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130




if __name__ == "__main__":
    sys.exit(main())
