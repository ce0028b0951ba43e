"""The [dingtalk] block handed to the lead documents every key and is a valid configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.config import DingTalkSettings, parse_settings

DOCS = Path(__file__).resolve().parents[4] / "docs"


def test_config_block_documents_every_key_with_a_comment() -> None:
    text = (DOCS / "dingtalk.config.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for key in DingTalkSettings.model_fields:
        index = next(i for i, line in enumerate(lines) if line.startswith((f"{key} =", f"# {key} =")))
        assert lines[index - 1].startswith("#"), f"{key} has no comment above it"
    data = tomllib.loads(text)
    settings = parse_settings(data, environ={})
    assert settings.dingtalk == DingTalkSettings()
