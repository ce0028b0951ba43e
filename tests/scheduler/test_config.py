from __future__ import annotations

import pytest

from bot.config import ConfigError, parse_settings
from bot.scheduling import schedule_config


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("daily_digest", "8:30"),
        ("overdue_scan", "0 25 * * *"),
        ("customer_update", "0 9 * * someday"),
        ("milestone_reminder", "* * * *"),
    ],
)
def test_a_malformed_schedule_is_an_error_naming_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_settings({"schedule": {key: value}}, environ={})
    assert f"schedule.{key}:" in str(error.value)
    assert value in str(error.value)


def test_unknown_schedule_keys_and_bad_numbers_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"schedule\.digest_time: unknown key"):
        parse_settings({"schedule": {"digest_time": "08:30"}}, environ={})
    with pytest.raises(ConfigError, match=r"schedule\.escalate_after_days"):
        parse_settings({"schedule": {"escalate_after_days": 0}}, environ={})


def test_defaults_and_overrides_reach_the_scheduler() -> None:
    settings = parse_settings(
        {"general": {"timezone": "Asia/Urumqi"}, "schedule": {"daily_digest": "0 9 * * *", "misfire_grace_minutes": 30}},
        environ={"GENDAN_SCHEDULE_ESCALATE_AFTER_DAYS": "5"},
    )
    config = schedule_config(settings)
    assert config.daily_digest == "0 9 * * *"
    assert config.customer_update == "0 9 * * mon"
    assert config.escalate_after_days == 5
    assert config.misfire_grace.total_seconds() == 1800
    assert str(config.tz) == "Asia/Urumqi"
