"""The scheduler inside `gendan run`'s app: started by its cleanup context, stopped with the app."""

from __future__ import annotations

from bot.keys import SENDERS
from bot.app import create_app
from bot.config import Settings
from bot.keys import SCHEDULER
from scheduler.printing import PrintSender


async def test_the_app_runs_the_scheduler_and_stops_it(aiohttp_client, settings: Settings) -> None:
    app = create_app(settings)
    client = await aiohttp_client(app)
    service = app[SCHEDULER]
    assert service.scheduler.running
    assert {job.id for job in service.scheduler.get_jobs()} >= {"daily_digest", "overdue_scan", "outbox_delivery"}
    assert isinstance(app[SENDERS]["local"], PrintSender)
    assert (await client.get("/healthz")).status == 200
    await client.close()
    assert not service.scheduler.running
    assert not service.running_jobs  # the start-up catch-up finished before the database closed


async def test_a_disabled_schedule_starts_no_scheduler(aiohttp_client, settings: Settings) -> None:
    quiet = settings.model_copy(update={"schedule": settings.schedule.model_copy(update={"enabled": False})})
    app = create_app(quiet)
    client = await aiohttp_client(app)
    assert SCHEDULER not in app
    await client.close()
