"""`gendan ledger export|import|template`: the order ledger in Excel, from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.runtime import handler_settings, open_runtime


class LedgerCliError(Exception):
    """A problem to report on one line, with a non-zero exit."""


def add_ledger_parser(commands: Any, iso_time: Callable[[str], datetime]) -> None:
    ledger = commands.add_parser("ledger", help="the order ledger (订单跟踪台账) in Excel: export, import, template")
    actions = ledger.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")

    export = actions.add_parser("export", help="write the ledger workbook (default: open orders)")
    export.add_argument("--out", type=Path, help="the .xlsx file to write (default: 台账-YYYYMMDD.xlsx)")
    export.add_argument("--customer", help="only this customer's orders")
    export.add_argument("--all", action="store_true", help="accepted and cancelled orders too")
    export.add_argument("--now", type=iso_time, help="as of this time (default: now)")

    template = actions.add_parser("template", help="write an empty ledger with the columns, drop-downs and a guide")
    template.add_argument("--out", type=Path, default=Path("台账模板.xlsx"))

    load = actions.add_parser("import", help="create and update orders from a ledger workbook")
    load.add_argument("file", type=Path)
    load.add_argument("--mode", choices=["insert", "update", "upsert"], default="upsert",
                      help="insert: new orders only; update: existing only; upsert (default): both")
    load.add_argument("--dry-run", action="store_true", help="print what each row would do; change nothing")
    load.add_argument("--errors", type=Path, help="where to write the rows in error (default: FILE-错误.xlsx)")
    load.add_argument("--now", type=iso_time, help="as of this time (default: now)")
    load.add_argument("--by", default="台账导入", help="the importer's name, recorded on every change")


async def run_ledger(settings: Settings, args: argparse.Namespace) -> int:
    now = args.now if getattr(args, "now", None) else datetime.now(settings.general.tz)
    if args.ledger_command == "template":
        return await _template(settings, args)
    if args.ledger_command == "export":
        return await _export(settings, args, now)
    return await _import(settings, args, now)


async def _template(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.ledger.export import write_template

    await asyncio.to_thread(write_template, handler_settings(settings), args.out)
    print(f"已生成台账模板：{args.out}")
    return 0


async def _export(settings: Settings, args: argparse.Namespace, now: datetime) -> int:
    from handlers.ledger.export import ledger_filename, write_ledger
    from handlers.ledger.model import LedgerInputError, LedgerScope, load_ledger

    out = args.out or Path(ledger_filename(now, args.customer))
    scope = LedgerScope(customer=args.customer, include_closed=args.all)
    async with open_runtime(settings) as runtime:
        try:
            ledger = await runtime.database.run(
                lambda session: load_ledger(session, runtime.handler_settings, now, scope)
            )
        except LedgerInputError as error:
            raise LedgerCliError(str(error)) from None
    await asyncio.to_thread(write_ledger, ledger, out)
    late = sum(order.days_late > 0 for order in ledger.orders)
    print(f"已导出 {len(ledger.orders)} 个订单（逾期 {late} 个）、{len(ledger.exceptions)} 条异常、"
          f"{len(ledger.changes)} 条变更：{out}")
    return 0


def _errors_path(args: argparse.Namespace) -> Path:
    return args.errors or args.file.with_name(f"{args.file.stem}-错误.xlsx")


async def _import(settings: Settings, args: argparse.Namespace, now: datetime) -> int:
    from tqdm import tqdm

    from handlers.ledger.applying import ImportMode, ImportSource, import_rows
    from handlers.ledger.error_report import write_errors
    from handlers.ledger.reading import LedgerReadError, parse_rows, read_ledger

    hs = handler_settings(settings)
    try:
        sheet = await asyncio.to_thread(read_ledger, args.file)
    except LedgerReadError as error:
        raise LedgerCliError(str(error)) from None
    rows = parse_rows(sheet, now.astimezone(hs.tz).date())
    source = ImportSource(file_name=args.file.name, importer=args.by, now=now)
    bar = tqdm(total=len(rows), unit="行", desc="导入" if not args.dry_run else "预览", file=sys.stderr,
               disable=not sys.stderr.isatty(), leave=False)
    async with open_runtime(settings) as runtime:
        with bar:
            report = await import_rows(runtime.database, runtime.handler_settings, rows, mode=ImportMode(args.mode),
                                       dry_run=args.dry_run, source=source, progress=bar.update)
    for result in report.results:
        if args.dry_run or result.outcome != "unchanged":
            print(result.describe())
    print(report.summary())
    if report.errors:
        errors = _errors_path(args)
        await asyncio.to_thread(write_errors, sheet, report.errors, errors)
        print(f"有错误的 {len(report.errors)} 行已写入 {errors}：改好后可以直接再导入。")
    return 1 if report.errors else 0

