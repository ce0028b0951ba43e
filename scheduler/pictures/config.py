"""The pictures' settings, as the scheduler gets them from the `[pictures]` section."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PictureConfig:
    enabled: bool = True
    font_path: str | None = None
    """A font file to use instead of looking one up (must have the CJK glyphs)."""
    max_bars: int = 40
    """Orders drawn in the digest picture; the rest are counted under it."""
    board_url: str | None = None
    """Where people look when a chat cannot receive pictures (the web board, when enabled)."""
