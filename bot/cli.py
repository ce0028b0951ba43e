"""The `gendan` command line."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import NoReturn

from bot.config import ConfigError, Settings, load_settings
from bot.ledger_cli import LedgerCliError, add_ledger_parser, run_ledger
from bot.local_chat import LocalChat, LocalIdentity, run_local_chat
from bot.logs import install_redaction
from bot.runtime import Runtime, open_runtime
from handlers.learning.synonyms import Synonym
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
        raise argparse.ArgumentTypeError(f"时间「{value}」看不懂，请写成 ISO 格式，例如 2026-11-23T10:00:00+08:00") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"时间「{value}」缺少时区，请加上 +08:00 这样的 UTC 偏移")
    return moment


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--config and -v, accepted before the command and after it (`gendan run --config FILE`).
    On a subcommand they default to SUPPRESS, so one given before the command is not overwritten."""
    extra = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument("--config", help="TOML configuration file (default: $GENDAN_CONFIG, else built-in defaults)",
                        **extra)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level", **extra)


_ARGPARSE_WORDS = (
    ("the following arguments are required:", "缺少参数："),
    ("unrecognized arguments:", "不认识的参数："),
    ("invalid choice:", "无效的选择："),
    (" (choose from ", "（可选："),
    ("expected one argument", "后面要写一个值"),
    ("argument ", "参数 "),
)
"""argparse's own messages (it ships no Chinese), said in Chinese."""


class _ChineseParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        for english, chinese in _ARGPARSE_WORDS:
            message = message.replace(english, chinese)
        if "（可选：" in message and message.endswith(")"):
            message = message[:-1] + "）"
        self.print_usage(sys.stderr)
        self.exit(2, f"gendan: 参数有误：{message}（gendan --help 查看用法）\n")


class _CommandParser(_ChineseParser):
    """A subcommand's (or its action's) parser: it takes the global options too."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        _global_options(self, defaults=False)


def build_parser() -> argparse.ArgumentParser:
    parser = _ChineseParser(prog="gendan", description="跟单助手 — order follow-up bot")
    _global_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser)

    commands.add_parser("run", help="serve the platform adapters and the scheduler")

    chat = commands.add_parser("chat", help="talk to the bot in this terminal (or from stdin)")
    chat.add_argument("--chat", default=LocalIdentity.chat, help="chat (group) name")
    chat.add_argument("--user", default=LocalIdentity.user, help="your name")
    chat.add_argument("--role", choices=["staff", "manager", "customer", "admin"],
                      help="your role if you have none yet (default admin); a role given by 授权 stays")
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
    show.add_argument("--now", type=_iso_time, help="as of this time (lateness, days left); default now")

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

    corpus = commands.add_parser("corpus", help="labelled examples learned from confirmations and corrections")
    corpus_commands = corpus.add_subparsers(dest="corpus_command", required=True, metavar="ACTION")
    export = corpus_commands.add_parser("export", help="write them as contract JSONL (text, now, items)")
    export.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")

    calendar = commands.add_parser("calendar", help="the working-day calendar: statutory holidays and make-up days")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True, metavar="ACTION")
    calendar_import = calendar_commands.add_parser(
        "import", help="load a year from holiday-cn JSON ({\"year\": 2027, \"days\": [{name, date, isOffDay}]})")
    calendar_import.add_argument("file")

    synonym = commands.add_parser("synonym", help="milestone synonyms added at run time (同义词)")
    synonym_commands = synonym.add_subparsers(dest="synonym_command", required=True, metavar="ACTION")
    synonym_add = synonym_commands.add_parser("add", help="add a word for a milestone, e.g. add 涂装 喷粉")
    synonym_add.add_argument("milestone")
    synonym_add.add_argument("word")
    synonym_commands.add_parser("list", help="list the synonyms added so far")

    parse = commands.add_parser("parse", help="print how the bot understands messages (JSON)")
    parse.add_argument("texts", nargs="*")
    parse.add_argument("--jsonl", action="store_true", help="read {\"text\", \"now\"} lines from stdin")
    parse.add_argument("--now", type=_iso_time)
    return parser


async def _chat(settings: Settings, args: argparse.Namespace) -> int:
    async with open_runtime(settings) as runtime:
        chat = LocalChat(runtime, LocalIdentity(args.chat, args.user, args.role or "admin"), args.now)
        note = await chat.join()
        if note is not None and args.role is not None:
            print(note)
        await run_local_chat(chat)
    return 0


async def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import bind_demo_chats, load_demo

    async with open_runtime(settings) as runtime:
        chat = LocalChat(runtime, LocalIdentity(chat="演示群", user="演示员"), args.now)
        await chat.join()
        now = args.now or datetime.now(runtime.handler_settings.tz)
        for text in await load_demo(chat, now):
            print(text)
        bound = await bind_demo_chats(chat)
        print("\n已绑定的演示群：\n" + "\n".join(f"- {line}" for line in bound))
        print(
            "\n演示数据已就绪。试试：\n"
            "  gendan chat                                  然后发送「订单列表」或「进度 D1001」\n"
            "  gendan digest --chat 经理群 --dry-run         经理群此刻会收到的每日简报\n"
            "  gendan chat --chat 华东机械群 --user 华东采购 --role customer   客户视角"
        )
    return 0


async def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from storage.database import Database
    from storage.migrate import upgrade

    database = Database.from_url(settings.database.url, busy_timeout_ms=settings.database.busy_timeout_ms)
    try:
        revision = await upgrade(database)
    finally:
        await database.dispose()
    print(f"数据库已是最新版本：{revision}")
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
            lambda session: order_history(session, args.order_no, runtime.handler_settings, args.now)
        )
    if record is None:
        raise CliError(f"没有找到订单 {args.order_no}")
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
        raise CliError(f"--month 要写成 YYYY-MM，例如 2026-11（得到「{args.month}」）") from None
    async with open_runtime(settings) as runtime:
        report = await runtime.database.run(
            lambda session: monthly_report(session, year, month, runtime.handler_settings.tz)
        )
    sys.stdout.write(as_csv(report) if args.csv else as_table(report).replace("**", "") + "\n")
    return 0


async def _corpus_export(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.learning.examples import all_examples, as_jsonl

    async with open_runtime(settings) as runtime:
        examples = await runtime.database.run(all_examples)
    lines = list(as_jsonl(examples, settings.general.tz))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as file:
            file.writelines(lines)
        print(f"已导出 {len(lines)} 条标注样例到 {args.out}", file=sys.stderr)
    else:
        sys.stdout.writelines(lines)
    return 0


async def _calendar_import(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.calendar_import import CalendarFileError, load_stored, parse_holiday_cn, store_year, summary

    try:
        with open(args.file, encoding="utf-8") as file:
            year, days = parse_holiday_cn(file.read())
    except CalendarFileError as error:
        raise CliError(f"{args.file}：{error}，没有导入。") from None
    except UnicodeDecodeError:
        raise CliError(f"{args.file}：不是 UTF-8 编码的文本文件，没有导入。") from None
    now = datetime.now(settings.general.tz)
    async with open_runtime(settings) as runtime:
        await runtime.database.run(lambda session: store_year(session, year, days, now))
        await runtime.database.run(lambda session: load_stored(session, runtime.handler_settings.calendar))
    print(summary(year, days))
    print("已存入数据库：之后的命令立即按它排计划；正在运行的 gendan run 重启后生效。", file=sys.stderr)
    return 0


async def _synonym(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.learning.synonyms import SynonymRefused, add_synonym, stored_synonyms

    async with open_runtime(settings) as runtime:
        if args.synonym_command == "list":
            synonyms = await runtime.database.run(stored_synonyms)
            for synonym in synonyms:
                print(f"{synonym.word}\t{synonym.milestone}")
            if not synonyms:
                print("还没有添加过同义词。", file=sys.stderr)
            return 0
        now = datetime.now(settings.general.tz)
        try:
            added, new = await runtime.database.run(
                lambda session: add_synonym(session, settings.template_set, args.milestone, args.word, "命令行", now)
            )
        except SynonymRefused as refusal:
            raise CliError(str(refusal)) from None
    if new:
        print(f"已添加同义词：「{added.word}」= 工序「{added.milestone}」（运行中的机器人需重启后生效）")
    else:
        print(f"「{added.word}」已经是工序「{added.milestone}」的叫法了，不用再加。")
    return 0


def _learned_synonyms(settings: Settings) -> list[Synonym]:
    """The synonyms stored in the database, without migrating or syncing anything (parse stays fast);
    none when the database is not there or not migrated yet."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from handlers.learning.synonyms import stored_synonyms
    from storage.database import Database

    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return []  # no database yet: do not create one just to parse

    async def load() -> list[Synonym]:
        database = Database.from_url(settings.database.url, busy_timeout_ms=settings.database.busy_timeout_ms)
        try:
            return await database.run(stored_synonyms)
        finally:
            await database.dispose()

    try:
        return asyncio.run(load())
    except (SQLAlchemyError, DatabaseUnavailable, OSError) as error:
        logging.getLogger(__name__).info("no learned synonyms: %s", error)
        return []


def _parse(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.learning.synonyms import with_synonyms
    from handlers.understanding import Parser
    from handlers.understanding.jsonl import parse_jsonl, parse_texts

    parser = Parser(with_synonyms(settings.template_set, _learned_synonyms(settings)))
    tz = settings.general.tz

    def now() -> datetime:
        return args.now or datetime.now(tz)

    if args.jsonl:
        return parse_jsonl(parser, sys.stdin, sys.stdout, now)
    if not args.texts:
        raise CliError("请把要解析的消息写在参数里，或用 --jsonl 从标准输入读取")
    for result in parse_texts(parser, args.texts, now()):
        print(json.dumps(result, ensure_ascii=False))
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_server_app
    from bot.web.access_log import RedactingAccessLogger
    from bot.web.setup import warn_if_unsigned

    warn_if_unsigned(settings)
    profile = os.environ.get(PROFILE_ENV)
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    try:
        web.run_app(create_server_app(settings), host=settings.server.host, port=settings.server.port,
                    access_log_class=RedactingAccessLogger)
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{profile}.{os.getpid()}")
    return 0


PROFILE_ENV = "GENDAN_PROFILE"
"""Set to a path: `gendan run` runs under cProfile and writes its stats to PATH.<pid> when it stops
(for finding where a running instance spends; read with `python -m pstats`)."""


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
            raise CliError(f"没有名为「{args.chat}」的群；请先在群里发「绑定」，或在配置的 [[chats]] 里设定")
        chat = found[0]
        if chat.role is None:
            raise CliError(f"群「{args.chat}」还没有绑定用途；请先绑定为经理群、部门群或客户群")
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
            print(f"-- 已发送 {len(report.sent)}，等待重试 {len(report.retrying)}，失败 {len(report.failed)}",
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
        state = f"{outcome.messages} 条消息放入发件箱" if outcome.ran else "已执行过"
        print(f"{outcome.job_id} 到期 {outcome.due_at.isoformat()}：{state}")
    if not outcomes:
        print("没有到期的任务")
    print(f"发件箱：已发送 {len(report.sent)}，等待重试 {len(report.retrying)}，失败 {len(report.failed)}")
    return 0


async def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.outbox import retry_now, undelivered

    now = _tz_now(settings, args.now)
    async with _delivery(settings) as (runtime, service):
        if args.retry:
            count = await runtime.database.run(lambda session: retry_now(session, now))
            report = await service.worker.deliver_due(now)
            print(f"已重试 {count} 条：已发送 {len(report.sent)}，等待重试 {len(report.retrying)}，"
                  f"失败 {len(report.failed)}")
        async with runtime.database.transaction() as session:
            messages = await undelivered(session)
    tz = settings.general.tz
    for m in messages:
        first_line = m.text.split("\n", 1)[0][:40]
        print(
            f"#{m.id} {m.status} 尝试={m.attempts} 下次={m.next_attempt_at.astimezone(tz):%Y-%m-%d %H:%M} "
            f"{m.platform}:{m.chat_id} {m.dedupe_key} | {first_line} | 错误：{m.last_error or '-'}"
        )
    if not messages:
        print("发件箱是空的：没有待发送或发送失败的消息")
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
    "corpus": _corpus_export, "synonym": _synonym, "calendar": _calendar_import,
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
        print(f"gendan: 连不上数据库（{error}）；请检查 [database] url 和数据库服务是否在运行", file=sys.stderr)
        return 3
    except OSError as error:
        print(f"gendan: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130




if __name__ == "__main__":
    sys.exit(main())
