"""`gendan digest`, `gendan tick` and `gendan outbox`, as real processes on a real database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.test_cli import clean_pg, env, gendan  # noqa: F401  (fixtures shared with the core CLI tests)
from tests.scheduler.conftest import requires_cjk_font

CONFIG = """\
[calendar]
holidays = ["2026-11-27"]

[[chats]]
platform = "local"
chat_id = "经理群"
name = "经理群"
role = "manager"

[[chats]]
platform = "local"
chat_id = "焊接群"
name = "焊接群"
role = "department"
department = "焊接车间"

[[chats]]
platform = "local"
chat_id = "华东群"
name = "华东群"
role = "customer"
customer = "华东机械"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "gendan.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.mark.usefixtures("clean_pg")
def test_digest_tick_and_outbox(env: dict[str, str], config: Path) -> None:  # noqa: F811
    made = gendan(env, "--config", str(config), "chat", "--now", "2026-11-23T10:00:00+08:00",
                  stdin="新建订单 123 华东机械 搅拌机 50台 2026-12-20\n订单123 排产完成\n")
    assert made.returncode == 0, made.stderr

    preview = gendan(env, "--config", str(config), "digest", "--chat", "经理群", "--now", "2026-11-24T08:30:00+08:00",
                     "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.startswith("**每日简报 11-24（周二）**")
    assert "订单123 排产 完成（本地用户 11-23 10:00）" in preview.stdout
    customer = gendan(env, "--config", str(config), "digest", "--chat", "华东群", "--now", "2026-11-30T09:00:00+08:00",
                      "--dry-run")
    assert "**订单进度周报 · 2026-11-30**" in customer.stdout and "本地用户" not in customer.stdout

    tick = gendan(env, "--config", str(config), "tick", "--now", "2026-11-24T08:31:00+08:00")
    assert tick.returncode == 0, tick.stderr
    assert "daily_digest 到期 2026-11-24T08:30:00+08:00：1 条消息放入发件箱" in tick.stdout
    assert "[推送 → 经理群]\n**每日简报 11-24（周二）**" in tick.stdout
    again = gendan(env, "--config", str(config), "tick", "--now", "2026-11-24T08:45:00+08:00")
    assert "daily_digest 到期 2026-11-24T08:30:00+08:00：已执行过" in again.stdout
    assert "[推送" not in again.stdout

    holiday = gendan(env, "--config", str(config), "tick", "--now", "2026-11-27T08:31:00+08:00")
    assert "没有到期的任务" in holiday.stdout

    listing = gendan(env, "--config", str(config), "outbox")
    assert listing.returncode == 0 and "发件箱是空的" in listing.stdout


def test_a_malformed_schedule_stops_the_command_naming_the_key(
    env: dict[str, str], tmp_path: Path  # noqa: F811
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[schedule]\ndaily_digest = "8:30 every day"\n', encoding="utf-8")
    result = gendan(env, "--config", str(path), "tick", "--now", "2026-11-24T08:31:00+08:00")
    assert result.returncode == 2
    assert result.stderr.startswith("gendan: 配置有误：schedule.daily_digest:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_digest_for_an_unknown_chat_is_one_clear_line(env: dict[str, str]) -> None:  # noqa: F811
    result = gendan(env, "digest", "--chat", "没有这个群", "--dry-run")
    assert result.returncode == 2
    assert result.stderr == "gendan: 没有名为「没有这个群」的群；请先在群里发「绑定」，或在配置的 [[chats]] 里设定\n"


@pytest.mark.usefixtures("clean_pg")
def test_an_undeliverable_message_stays_listed_with_its_error_and_can_be_retried(
    env: dict[str, str], tmp_path: Path  # noqa: F811
) -> None:
    path = tmp_path / "wecom.toml"
    path.write_text(
        '[[chats]]\nplatform = "wecom"\nchat_id = "wrMGR"\nname = "经理群"\nrole = "manager"\n', encoding="utf-8"
    )
    tick = gendan(env, "--config", str(path), "tick", "--now", "2026-11-24T08:31:00+08:00")
    assert tick.returncode == 0, tick.stderr
    assert "发件箱：已发送 0，等待重试 1，失败 0" in tick.stdout  # WeCom is not enabled: no sender

    listing = gendan(env, "--config", str(path), "outbox")
    [line] = listing.stdout.splitlines()
    assert line.startswith("#1 pending 尝试=1 下次=2026-11-24 08:31 wecom:wrMGR digest:2026-11-24:c1 | **每日简报")
    assert line.endswith("错误：no sender for platform 'wecom'")

    retried = gendan(env, "--config", str(path), "outbox", "--retry")
    assert retried.stdout.startswith("已重试 1 条：已发送 0，等待重试 1，失败 0")
    assert "#1 pending 尝试=1" in retried.stdout  # kept, never dropped



@pytest.mark.usefixtures("clean_pg")
@requires_cjk_font
def test_digest_picture_is_written_and_sent_after_the_text(env: dict[str, str], config: Path, tmp_path: Path) -> None:  # noqa: F811
    from PIL import Image

    calm = gendan(env, "--config", str(config), "chat", "--now", "2026-11-23T10:00:00+08:00",
                  stdin="新建订单 124 华东机械 料仓 2台 2026-12-30\n")
    assert calm.returncode == 0, calm.stderr
    nothing = tmp_path / "none.png"
    quiet = gendan(env, "--config", str(config), "digest", "--chat", "经理群", "--now", "2026-11-23T11:00:00+08:00",
                   "--dry-run", "--picture", str(nothing))
    assert quiet.returncode == 0 and not nothing.exists() and "没有要发送的配图" in quiet.stderr

    made = gendan(env, "--config", str(config), "chat", "--now", "2026-11-23T12:00:00+08:00",
                  stdin="新建订单 123 华东机械 搅拌机 50台 2026-12-01\n")
    assert made.returncode == 0, made.stderr
    picture = tmp_path / "digest.png"
    preview = gendan(env, "--config", str(config), "digest", "--chat", "经理群", "--now", "2026-11-26T08:30:00+08:00",
                     "--dry-run", "--picture", str(picture))
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.startswith("**每日简报 11-26") and "配图已写入" in preview.stderr
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.size[0] == 800

    sent = gendan(env, "--config", str(config), "digest", "--chat", "经理群", "--now", "2026-11-26T08:30:00+08:00")
    assert sent.returncode == 0, sent.stderr
    text_at = sent.stdout.index("[推送 → 经理群]\n**每日简报 11-26")
    assert sent.stdout.index("[推送 → 经理群]\n〔图片：每日简报-20261126.png，") > text_at

