"""SIGTERM on a real `gendan run` right after a burst was acknowledged, then a restart: every
acknowledged message is recorded exactly once and answered exactly once."""

from __future__ import annotations

from pathlib import Path

from tests.bot.adapters.wecom.fake_wecom import FakeWeCom
from tests.bot.gendan_process import (
    GendanProcess,
    answers,
    create_orders,
    drive,
    free_port,
    progress_texts,
    recorded_counts,
    settle,
    sign_all,
    unhandled,
    write_config,
)



async def test_sigterm_after_a_burst_loses_nothing_and_answers_once(tmp_path: Path, database_url: str) -> None:
    fake = FakeWeCom()
    await fake.start()
    config = tmp_path / "gendan.toml"
    port = free_port()
    # A short wait for the passive answer, so that many answers are still owed at SIGTERM.
    write_config(config, database_url=database_url, port=port, fake=fake, reply_within_seconds=0)
    server = GendanProcess(config, port, tmp_path / "gendan.log")
    try:
        await server.start()
        orders = await create_orders(fake, server.url, 3)
        signed = sign_all(fake, progress_texts(150, orders), "burst-")
        load = await drive(fake, [server.url], signed, rate=150)
        server.terminate()  # the moment the last HTTP answer arrived
        assert await server.wait() == 0, (tmp_path / "gendan.log").read_text()
        acknowledged = load.acknowledged
        assert acknowledged, "nothing was acknowledged"
        late = [o.msgid for o in load.outcomes if o.status == 200 and o.passive is None]
        assert late, "every answer came in time: the burst did not leave answers owed at SIGTERM"

        restarted = GendanProcess(config, port, tmp_path / "gendan.log")
        await restarted.start()
        try:
            await settle(fake, database_url, expected_answers=len(late))
        finally:
            assert await restarted.stop() == 0
        recorded = await recorded_counts(database_url, acknowledged)
        assert {m: n for m, n in recorded.items() if n != 1} == {}
        answered = answers(fake, load)
        assert {m: answered[m] for m in acknowledged if answered[m] != 1} == {}
        assert await unhandled(database_url) == 0
    finally:
        await server.stop()
        await fake.stop()
