"""The `gendan` command line, run as a real process on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_ENV

SESSION = """\
新建订单 123 华东机械 搅拌机 50台 2026-12-20
订单123 排产完成
订单123 领料完成
订单123 焊接80%
进度 123
撤销
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GENDAN_")}
    url = os.environ.get(PG_ENV) or f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    environ["GENDAN_DATABASE_URL"] = url
    return environ


def gendan(env: dict[str, str], *args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture
async def clean_pg() -> None:
    if os.environ.get(PG_ENV):
        from tests.conftest import reset_postgres

        await reset_postgres(os.environ[PG_ENV])


@pytest.mark.usefixtures("clean_pg")
def test_a_scripted_local_chat_session_records_and_undoes(env: dict[str, str]) -> None:
    chat = gendan(env, "chat", "--user", "张三", "--now", "2026-11-23T10:00:00+08:00", stdin=SESSION)
    assert chat.returncode == 0, chat.stderr
    assert "已新建订单 123" in chat.stdout
    assert "订单123 焊接 🔄 进行中 80%（张三 11-23 10:00）" in chat.stdout
    assert "1. 排产 ✅ 完成 11-23" in chat.stdout and "4. 焊接 🔄 进行中 80%" in chat.stdout
    assert "已撤销：订单123 焊接 的进度记录" in chat.stdout

    show = gendan(env, "show", "123", "--json")
    assert show.returncode == 0, show.stderr
    record = json.loads(show.stdout)
    kinds = [(e["kind"], e["milestone"], e["undone_at"] is not None) for e in record["events"]]
    assert kinds == [
        ("order_created", None, False),
        ("progress", "排产", False),
        ("progress", "领料", False),
        ("progress", "焊接", True),
        ("undo", "焊接", False),
    ]
    milestones = {m["name"]: m["status"] for m in record["milestones"]}
    assert milestones["排产"] == milestones["领料"] == "done" and milestones["焊接"] == "pending"

    text = gendan(env, "show", "123")
    assert "[已撤销" in text.stdout and "事件记录" in text.stdout


@pytest.mark.usefixtures("clean_pg")
def test_a_multi_line_message_is_one_message(env: dict[str, str]) -> None:
    script = "新建订单 123 华东机械 搅拌机 50台 2026-12-20\n---\n订单123 排产完成\n订单123 领料完成\n---\n"
    chat = gendan(env, "chat", "--now", "2026-11-23T10:00:00+08:00", stdin=script)
    assert chat.returncode == 0, chat.stderr
    assert "已记录：\n" in chat.stdout
    record = json.loads(gendan(env, "show", "123", "--json").stdout)
    created, *progress = record["events"]
    assert len({e["message_id"] for e in progress}) == 1 and len(progress) == 2


@pytest.mark.usefixtures("clean_pg")
def test_order_add_creates_an_order_as_the_chat_command_does(env: dict[str, str]) -> None:
    add = gendan(env, "order", "add", "--no", "A2311-08", "--customer", "华东机械", "--product", "搅拌机",
                 "--qty", "50", "--due", "2026-12-20", "--now", "2026-11-23T10:00:00+08:00")
    assert add.returncode == 0, add.stderr
    assert "已新建订单 A2311-08" in add.stdout
    record = json.loads(gendan(env, "show", "A2311-08", "--json").stdout)
    assert record["quantity"] == 50 and record["due_date"] == "2026-12-20" and len(record["milestones"]) == 10
    assert record["events"][0]["kind"] == "order_created"

    again = gendan(env, "order", "add", "--no", "A2311-08", "--customer", "华东机械", "--product", "搅拌机",
                   "--qty", "50", "--due", "2026-12-20", "--now", "2026-11-23T10:00:00+08:00")
    assert again.returncode != 0
    assert again.stderr.count("\n") == 1 and "已经存在" in again.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("show", "999"), "没有找到订单 999"),
        (("order", "add", "--no", "1", "--customer", "c", "--product", "p", "--qty", "0", "--due", "2030-01-01"),
         "数量必须大于 0"),
    ],
)
@pytest.mark.usefixtures("clean_pg")
def test_cli_errors_are_one_clear_line(env: dict[str, str], args: tuple[str, ...], expected: str) -> None:
    result = gendan(env, *args)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and expected in result.stderr


def test_a_malformed_configuration_stops_with_the_key_named(env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[server]\nport = 'eighty'\n", encoding="utf-8")
    result = gendan(env, "--config", str(config), "db", "upgrade")
    assert result.returncode == 2
    assert result.stderr.startswith("gendan: 配置有误：server.port")


def test_an_unreachable_database_is_one_clear_line(env: dict[str, str]) -> None:
    env = {**env, "GENDAN_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/test"}
    result = gendan(env, "db", "upgrade")
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.usefixtures("clean_pg")
def test_db_upgrade_and_demo(env: dict[str, str]) -> None:
    upgrade = gendan(env, "db", "upgrade")
    assert upgrade.returncode == 0 and "数据库已是最新版本" in upgrade.stdout
    demo = gendan(env, "demo", "--now", "2026-11-23T10:00:00+08:00")
    assert demo.returncode == 0, demo.stderr
    assert "已新建订单 D1001" in demo.stdout
    listing = gendan(env, "chat", "--now", "2026-11-23T11:00:00+08:00", stdin="订单列表\n")
    assert "共 4 个" in listing.stdout


def test_parse_prints_one_json_object_per_text(env: dict[str, str]) -> None:
    result = gendan(env, "parse", "--now", "2026-11-23T10:00:00+08:00", "订单123 焊接完成", "收到")
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["text"] == "订单123 焊接完成" and first["now"] == "2026-11-23T10:00:00+08:00"
    assert [(i["intent"], i["order_no"], i["milestone"], i["status"]) for i in first["items"]] == [
        ("progress", "123", "焊接", "done")
    ]
    assert second["items"] == []


def test_parse_jsonl_keeps_order_and_reports_bad_lines(env: dict[str, str]) -> None:
    lines = [
        json.dumps({"text": "124 涂装80%", "now": "2026-11-23T10:07:00+08:00"}, ensure_ascii=False),
        "{not json",
        json.dumps({"text": "客户要求123交期改到12月5号", "now": "2026-11-23T10:00:00+08:00", "id": 7}, ensure_ascii=False),
    ]
    result = gendan(env, "parse", "--jsonl", stdin="\n".join(lines) + "\n")
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["items"][0]["percent"] == 80
    assert "error" in out[1]
    assert out[2]["id"] == 7 and out[2]["items"][0]["value"] == "2026-12-05"


@pytest.mark.usefixtures("clean_pg")
def test_demo_binds_groups_so_the_readme_digest_and_customer_view_work(env: dict[str, str]) -> None:
    """Issue 17 #17: after `gendan demo`, `gendan digest --chat 经理群` failed (no chat bound)."""
    demo = gendan(env, "demo", "--now", "2026-11-23T10:00:00+08:00")
    assert demo.returncode == 0, demo.stderr
    assert "「经理群」" in demo.stdout and "「焊接车间群」" in demo.stdout and "「华东机械群」" in demo.stdout
    digest = gendan(env, "digest", "--chat", "经理群", "--now", "2026-11-24T08:30:00+08:00", "--dry-run")
    assert digest.returncode == 0, digest.stderr
    assert digest.stdout.startswith("**每日简报 11-24")
    customer = gendan(env, "chat", "--chat", "华东机械群", "--user", "华东采购", "--role", "customer",
                      "--now", "2026-11-23T11:00:00+08:00", stdin="我的订单到哪一步了\n")
    assert "D1001" in customer.stdout and "D1003" in customer.stdout and "D1002" not in customer.stdout


@pytest.mark.usefixtures("clean_pg")
def test_global_options_after_the_command_and_show_as_of_a_time(env: dict[str, str], tmp_path: Path) -> None:
    """Issue 17 #17: `gendan show --config FILE …` was refused; `gendan show --now ISO`."""
    config = tmp_path / "gendan.toml"
    config.write_text(f'[database]\nurl = "{env["GENDAN_DATABASE_URL"]}"\n', encoding="utf-8")
    env = {k: v for k, v in env.items() if k != "GENDAN_DATABASE_URL"}
    add = gendan(env, "order", "add", "--config", str(config), "--no", "123", "--customer", "华东机械",
                 "--product", "搅拌机", "--qty", "50", "--due", "2026-12-20", "--now", "2026-11-23T10:00:00+08:00")
    assert add.returncode == 0, add.stderr
    early = gendan(env, "--config", str(config), "show", "123", "--now", "2026-11-23T10:00:00+08:00")
    late = gendan(env, "show", "123", "--config", str(config), "--now", "2026-12-02T10:00:00+08:00")
    assert early.returncode == 0 and late.returncode == 0, (early.stderr, late.stderr)
    assert "逾期" not in early.stdout and "逾期" in late.stdout


def test_cli_errors_are_in_chinese(env: dict[str, str]) -> None:
    result = gendan(env, "show", "123", "--now", "yesterday")
    assert result.returncode == 2 and "看不懂" in result.stderr
    missing = gendan(env, "report")
    assert missing.returncode == 2 and "gendan: 参数有误：缺少参数： --month" in missing.stderr
    wrong = gendan(env, "chat", "--role", "boss")
    assert wrong.returncode == 2 and "无效的选择" in wrong.stderr and "choose from" not in wrong.stderr


def test_synonyms_and_the_corpus_export(env: dict[str, str], tmp_path: Path) -> None:
    before = json.loads(gendan(env, "parse", "--now", "2026-11-23T10:00:00+08:00", "订单123 喷粉完成").stdout)
    assert before["items"] == []
    added = gendan(env, "synonym", "add", "涂装", "喷粉")
    assert added.returncode == 0 and "「喷粉」= 工序「涂装」" in added.stdout, added.stderr
    refused = gendan(env, "synonym", "add", "涂装", "装配")
    assert refused.returncode == 2 and "已经是工序「总装」的同义词" in refused.stderr
    assert gendan(env, "synonym", "list").stdout == "喷粉\t涂装\n"
    parsed = json.loads(gendan(env, "parse", "--now", "2026-11-23T10:00:00+08:00", "订单123 喷粉完成").stdout)
    assert [(i["order_no"], i["milestone"], i["status"]) for i in parsed["items"]] == [("123", "涂装", "done")]

    session = "新建订单 123 华东机械 搅拌机 50台 2026-12-20\n订单129 焊接完成\n是\n"
    assert gendan(env, "chat", "--now", "2026-11-23T10:00:00+08:00", stdin=session).returncode == 0
    out = tmp_path / "learned.jsonl"
    exported = gendan(env, "corpus", "export", "--out", str(out))
    assert exported.returncode == 0 and "已导出 1 条" in exported.stderr
    [line] = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert line["text"] == "订单129 焊接完成" and line["now"].startswith("2026-11-23T10:00")
    assert [(i["order_no"], i["milestone"]) for i in line["items"]] == [("129", "焊接")]


@pytest.mark.usefixtures("clean_pg")
def test_calendar_import_is_used_by_the_next_plan(env: dict[str, str], tmp_path: Path) -> None:
    add = ("order", "add", "--no", "301", "--customer", "华东机械", "--product", "搅拌机", "--qty", "50台",
           "--due", "2027-01-04", "--now", "2026-11-23T10:00:00+08:00")
    before = gendan(env, *add)
    assert before.returncode == 0 and "工作日历里没有 2027 年" in before.stdout, before.stderr

    bad = tmp_path / "bad.json"
    bad.write_text('{"year": 2027, "days": [{"name": "元旦", "date": "2028-01-01", "isOffDay": true}]}', encoding="utf-8")
    refused = gendan(env, "calendar", "import", str(bad))
    assert refused.returncode == 2 and "不在 2027 年，没有导入" in refused.stderr

    year = tmp_path / "2027.json"
    year.write_text(json.dumps({"year": 2027, "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "春节", "date": "2027-02-06", "isOffDay": True},
        {"name": "春节", "date": "2027-02-13", "isOffDay": False},
    ]}, ensure_ascii=False), encoding="utf-8")
    imported = gendan(env, "calendar", "import", str(year))
    assert imported.returncode == 0, imported.stderr
    assert "已导入 2027 年的放假安排：放假 2 天（元旦 1 天、春节 1 天），调休上班 1 天。" in imported.stdout
    after = gendan(env, *[a if a != "301" else "302" for a in add])
    assert after.returncode == 0 and "工作日历里没有" not in after.stdout
    assert "发货 12-29" in after.stdout and "发货 12-30" in before.stdout  # 元旦 is a day off now
