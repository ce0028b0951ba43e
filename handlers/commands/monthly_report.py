"""月报: the monthly review in a manager chat."""

from __future__ import annotations

from handlers.commands.base import MANAGERS, Command
from handlers.context import Context
from handlers.messages import Reply
from handlers.monthly_report import ReportInputError, as_table, monthly_report, parse_month


async def month_report(ctx: Context, args: str) -> Reply:
    try:
        year, month = parse_month(args) if args.strip() else (ctx.today.year, ctx.today.month)
    except ReportInputError as error:
        return Reply(str(error), ok=False)
    report = await monthly_report(ctx.session, year, month, ctx.settings.tz)
    return Reply(as_table(report))


COMMANDS = (
    Command("月报", ("月度报表",), "月报 [2026-11] —— 准时交付率、延误、异常和变更统计（经理）", month_report,
            roles=MANAGERS),
)
