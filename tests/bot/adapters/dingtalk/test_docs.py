"""The [dingtalk] block of config.example.toml documents every key and is a valid configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.config import DingTalkSettings, parse_settings

EXAMPLE = Path(__file__).resolve().parents[4] / "config.example.toml"


def _dingtalk_block() -> str:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    start = lines.index("[dingtalk]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    return "\n".join(lines[start:end])


def test_config_block_documents_every_key_with_a_comment() -> None:
    text = _dingtalk_block()
    lines = text.splitlines()
    for key in DingTalkSettings.model_fields:
        index = next(i for i, line in enumerate(lines) if line.startswith((f"{key} =", f"# {key} =")))
        assert lines[index - 1].startswith("#"), f"{key} has no comment above it"
    settings = parse_settings(tomllib.loads(text), environ={})
    assert settings.dingtalk == DingTalkSettings()
