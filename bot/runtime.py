"""Everything a running gendan needs, opened once and shared by the app, the CLI and the local chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from bot.adapters.wecom import PLATFORM as WECOM
from bot.adapters.wecom.api import push_webhook_problem
from bot.config import Settings
from bot.web.links import LinkSigner
from handlers.commands.push import register_push_webhook
from handlers.dispatcher import Dispatcher
from handlers.settings import HandlerSettings, WorkflowRules
from handlers.calendar_import import load_stored
from handlers.config_sync import apply_bindings, sync_templates
from handlers.learning.synonyms import ReloadableParser, stored_synonyms
from storage.database import Database
from storage.migrate import upgrade


WARM_UP = "订单123 焊接完成"


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    handler_settings: HandlerSettings
    database: Database
    dispatcher: Dispatcher


def handler_settings(settings: Settings) -> HandlerSettings:
    return HandlerSettings(
        templates=settings.template_set,
        tz=settings.general.tz,
        calendar=settings.calendar.work_calendar,
        bot_name=settings.general.bot_name,
        max_message_chars=settings.general.max_message_chars,
        context_minutes=settings.general.context_minutes,
        workflow=WorkflowRules(
            free_change_days=settings.workflow.free_change_days,
            major_delay_days=settings.workflow.major_delay_days,
            major_when_due_at_risk=settings.workflow.major_when_due_at_risk,
            major_quality_milestones=settings.workflow.major_quality_milestones,
        ),
        links=LinkSigner(settings) if settings.web.enabled else None,
    )


def register_adapter_checks() -> None:
    """What the handlers ask of the adapters without naming them: which platforms' groups take a
    push webhook (绑定推送), and the check of its shape. Idempotent."""
    register_push_webhook(WECOM, push_webhook_problem)


@asynccontextmanager
async def open_runtime(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Runtime]:
    """Open the database (applying migrations), sync configuration into it, build the dispatcher."""
    database = Database.from_url(
        settings.database.url,
        busy_timeout_ms=settings.database.busy_timeout_ms,
        echo=settings.database.echo,
    )
    try:
        if migrate:
            await upgrade(database)
        register_adapter_checks()
        hs = handler_settings(settings)
        await database.run(lambda session: sync_templates(session, hs.templates))
        await database.run(lambda session: apply_bindings(session, settings.chats, settings.people))
        await database.run(lambda session: load_stored(session, hs.calendar))
        synonyms = await database.run(stored_synonyms)
        parser = ReloadableParser(hs.templates, synonyms)
        parser.parse(WARM_UP, datetime.now(hs.tz))  # loads the segmenter's dictionary now, not on a message
        dispatcher = Dispatcher(database, hs, parser)
        yield Runtime(settings, hs, database, dispatcher)
    finally:
        await database.dispose()
