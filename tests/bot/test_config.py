from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, parse_settings
from handlers.templates import DEFAULT_TEMPLATE

REPO = Path(__file__).resolve().parents[2]


def test_no_file_at_all_gives_the_embedded_defaults() -> None:
    settings = load_settings(None, environ={})
    assert settings.database.url == "sqlite+aiosqlite:///./gendan.db"
    assert settings.general.timezone == "Asia/Shanghai"
    assert settings.template_set.default == DEFAULT_TEMPLATE


def test_the_example_configuration_is_valid_and_documents_every_section() -> None:
    example = REPO / "config.example.toml"
    settings = load_settings(example, environ={})
    text = example.read_text(encoding="utf-8")
    for section, model in settings:
        assert f"[{section}]" in text or f"[[{section}]]" in text, f"config.example.toml lacks [{section}]"
        if hasattr(type(model), "model_fields"):
            for key in type(model).model_fields:
                assert f"{key} =" in text or f"# {key} =" in text, f"config.example.toml lacks {section}.{key}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"database": {"url": 3}}, "database.url: Input should be a valid string"),
        ({"databse": {}}, "databse: unknown key"),
        ({"general": {"timezone": "Mars/Olympus"}}, "general.timezone: unknown time zone 'Mars/Olympus'"),
        ({"database": {"url": "mysql://x"}}, "database.url: expected a sqlite+aiosqlite:// or postgresql+asyncpg:// URL"),
        ({"server": {"port": 0}}, "server.port: Input should be greater than or equal to 1"),
        ({"templates": [{"name": "电子", "milestones": []}]}, "templates.0.milestones"),
        (
            {"templates": [{"name": "电子", "milestones": [{"name": "插件"}, {"name": "插件"}]}]},
            "milestone names repeat: 插件",
        ),
        ({"calendar": {"holidays": ["12月5号"]}}, "calendar.holidays.0"),
    ],
)
def test_a_bad_setting_is_named_with_what_was_expected(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings(data, environ={})
    assert message in str(raised.value)


def test_secrets_and_settings_can_come_from_the_environment() -> None:
    settings = parse_settings(
        {"database": {"url": "sqlite+aiosqlite:///a.db"}},
        environ={"GENDAN_DATABASE_URL": "postgresql://postgres@127.0.0.1/test", "GENDAN_SERVER_PORT": "9000"},
    )
    assert settings.database.url == "postgresql+asyncpg://postgres@127.0.0.1/test"
    assert settings.server.port == 9000


def test_a_malformed_file_is_reported_with_its_name(tmp_path: Path) -> None:
    broken = tmp_path / "gendan.toml"
    broken.write_text("[database\nurl = 'x'", encoding="utf-8")
    with pytest.raises(ConfigError, match="不是有效的 TOML"):
        load_settings(broken, environ={})
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_the_config_path_can_come_from_gendan_config(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text('[general]\nbot_name = "小跟"\n', encoding="utf-8")
    assert load_settings(None, environ={"GENDAN_CONFIG": str(path)}).general.bot_name == "小跟"


def test_templates_from_configuration_replace_the_default() -> None:
    settings = parse_settings(
        {
            "templates": [
                {
                    "name": "电子",
                    "milestones": [
                        {"name": "SMT贴片", "synonyms": ["贴片", "SMT"], "days": 2},
                        {"name": "插件", "days": 1},
                        {"name": "波峰焊", "days": 1},
                        {"name": "老化测试", "synonyms": ["老化"], "days": 2},
                        {"name": "包装", "days": 1},
                    ],
                }
            ]
        },
        environ={},
    )
    template = settings.template_set.default
    assert template.name == "电子"
    assert template.milestone_names == ("SMT贴片", "插件", "波峰焊", "老化测试", "包装")
    assert template.milestone("SMT贴片").synonyms == ("贴片", "SMT")


def test_every_key_in_the_example_carries_a_comment() -> None:
    """Each key of each [section] has a comment of its own: above it or at the end of its line."""
    lines = (REPO / "config.example.toml").read_text(encoding="utf-8").splitlines()
    section = None
    commented = False
    undocumented = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            section, commented = stripped.strip("[]"), False
        elif stripped.startswith("[["):
            section = None
        elif stripped.startswith("#") and " = " not in stripped.lstrip("# ").split("#")[0][:40]:
            commented = True
        elif section and " = " in stripped:
            key = stripped.lstrip("# ").split(" = ")[0]
            if not commented and "#" not in stripped.split(" = ", 1)[1]:
                undocumented.append(f"{section}.{key}")
            commented = False
    assert undocumented == []


def _template(*milestones: dict) -> dict:
    return {"templates": [{"name": "线A", "milestones": list(milestones)}]}


def test_milestone_roles_are_stated_or_taken_from_the_default_templates_names() -> None:
    from handlers.templates import MilestoneRole

    assert DEFAULT_TEMPLATE.with_role(MilestoneRole.SHIPPING).name == "发货"
    stated = parse_settings(_template({"name": "出厂"}, {"name": "装车", "role": "shipping"}, {"name": "签收"}))
    assert [m.role for m in stated.template_set.default.milestones] == [None, MilestoneRole.SHIPPING, None]
    by_name = parse_settings(_template({"name": "发货"}, {"name": "验收"}))
    assert [m.role for m in by_name.template_set.default.milestones] == [MilestoneRole.SHIPPING, MilestoneRole.ACCEPTANCE]
    # 验收 not last: an old template keeps loading, the name just gives no role
    old = parse_settings(_template({"name": "验收"}, {"name": "入库"}))
    assert [m.role for m in old.template_set.default.milestones] == [None, None]


@pytest.mark.parametrize(
    ("milestones", "message"),
    [
        (({"name": "发货", "role": "acceptance"}, {"name": "入库"}), "the acceptance milestone must be the last one"),
        (({"name": "发货", "role": "shipping"}, {"name": "装车", "role": "shipping"}), "milestone roles repeat: shipping"),
        (({"name": "发货", "role": "dispatch"},), "templates.0.milestones.0.role"),
    ],
)
def test_a_bad_milestone_role_is_refused_with_a_reason(milestones: tuple[dict, ...], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_settings(_template(*milestones))
